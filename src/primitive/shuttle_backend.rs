//! `--cfg gosync_shuttle`: shuttle's primitives, scheduled by `shuttle::check_*`.

pub(crate) mod sync {
    pub(crate) use shuttle::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use shuttle::sync::atomic::{fence, AtomicU32, AtomicU64, AtomicU8, Ordering};
    }
}

pub(crate) mod thread {
    pub(crate) use shuttle::thread::{current, park, spawn, yield_now, JoinHandle, Thread};
}

/// A global that shuttle creates afresh in every execution it runs.
macro_rules! global {
    ($(#[$meta:meta])* static $name:ident: $ty:ty = $init:expr;) => {
        shuttle::lazy_static! {
            $(#[$meta])*
            static ref $name: $ty = $init;
        }
    };
}
pub(crate) use global;
