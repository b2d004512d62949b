//! `--cfg gosync_loom`: loom's primitives, explored exhaustively by `loom::model`.

pub(crate) mod sync {
    pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use loom::sync::atomic::{fence, AtomicU32, AtomicU64, AtomicU8, Ordering};
    }
}

pub(crate) mod thread {
    pub(crate) use loom::thread::{current, park, spawn, yield_now, JoinHandle, Thread};
}

/// A global that loom creates afresh in every execution it explores.
macro_rules! global {
    ($(#[$meta:meta])* static $name:ident: $ty:ty = $init:expr;) => {
        loom::lazy_static! {
            $(#[$meta])*
            static ref $name: $ty = $init;
        }
    };
}
pub(crate) use global;
