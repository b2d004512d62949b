//! `--cfg gosync_loom`: loom's primitives, explored exhaustively by `loom::model`.

pub(crate) mod sync {
    pub(crate) use loom::sync::{Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use loom::sync::atomic::{
            fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering,
        };
    }
}

pub(crate) mod thread {
    pub(crate) use loom::thread::{spawn, yield_now, JoinHandle};

    use crate::primitive::time::Timer;

    /// The wake-up handle of one parked waiter (Go's `g`, for `goready`).
    ///
    /// A `loom::sync::Notify` of its own rather than the thread's park token: loom's
    /// `unpark` wakes a thread blocked on *anything* (a join, a lock) and then fails an
    /// internal assertion, while a stale wake-up for a waiter that has left (a release or
    /// a timer that lost a race with a time-out) is legal and must stay harmless. loom
    /// also explores the spurious wake-ups a `Notify` may have.
    pub(crate) struct Parker(loom::sync::Notify);

    impl Parker {
        /// A handle for the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker(loom::sync::Notify::new())
        }

        /// Parks until [`unpark`](Self::unpark), or spuriously.
        pub(crate) fn park(&self) {
            self.0.wait();
        }

        /// Parks until [`unpark`](Self::unpark) (by a release or the timer's thread).
        pub(crate) fn park_until(&self, _timer: &Timer) {
            self.0.wait();
        }

        /// Wakes the parked thread, or makes its next park return at once.
        pub(crate) fn unpark(&self) {
            self.0.notify();
        }
    }
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
