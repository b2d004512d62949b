//! Normal builds: `std`'s primitives.

pub(crate) mod sync {
    pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{fence, AtomicU32, AtomicU64, AtomicU8, Ordering};
    }
}

pub(crate) mod thread {
    pub(crate) use std::thread::{current, park, spawn, yield_now, JoinHandle, Thread};
}

/// A global with a `const` initialiser: a plain `static` in normal builds.
macro_rules! global {
    ($(#[$meta:meta])* static $name:ident: $ty:ty = $init:expr;) => {
        $(#[$meta])*
        static $name: $ty = $init;
    };
}
pub(crate) use global;
