//! `--cfg gosync_shuttle`: shuttle's primitives, scheduled by `shuttle::check_*`.

pub(crate) mod sync {
    pub(crate) use shuttle::sync::{Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use shuttle::sync::atomic::{
            fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering,
        };
    }
}

pub(crate) mod thread {
    pub(crate) use shuttle::thread::{spawn, yield_now, JoinHandle, Thread};

    use crate::primitive::time::Timer;

    /// The wake-up handle of one parked waiter (Go's `g`, for `goready`): its thread.
    pub(crate) struct Parker(Thread);

    impl Parker {
        /// A handle on the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker(shuttle::thread::current())
        }

        /// Parks until [`unpark`](Self::unpark), or spuriously.
        pub(crate) fn park(&self) {
            shuttle::thread::park();
        }

        /// Parks until [`unpark`](Self::unpark) (by a release or the timer's thread).
        pub(crate) fn park_until(&self, _timer: &Timer) {
            shuttle::thread::park();
        }

        /// Wakes the parked thread, or makes its next park return at once.
        pub(crate) fn unpark(&self) {
            self.0.unpark();
        }
    }
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
