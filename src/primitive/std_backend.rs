//! Normal builds: `std`'s primitives.

pub(crate) mod sync {
    pub(crate) use std::sync::{Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{
            fence, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering,
        };
    }
}

pub(crate) mod thread {
    pub(crate) use std::thread::{spawn, yield_now, JoinHandle, Thread};

    use std::time::Instant;

    use super::time::Timer;

    /// The wake-up handle of one parked waiter (Go's `g`, for `goready`): its thread.
    pub(crate) struct Parker(Thread);

    impl Parker {
        /// A handle on the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker(std::thread::current())
        }

        /// Parks until [`unpark`](Self::unpark), or spuriously.
        pub(crate) fn park(&self) {
            std::thread::park();
        }

        /// Parks until [`unpark`](Self::unpark) or until `timer` expires, or spuriously.
        pub(crate) fn park_until(&self, timer: &Timer) {
            std::thread::park_timeout(timer.deadline.saturating_duration_since(Instant::now()));
        }

        /// Wakes the parked thread, or makes its next park return at once.
        pub(crate) fn unpark(&self) {
            self.0.unpark();
        }
    }
}

pub(crate) mod time {
    use std::time::Instant;

    /// The deadline of a timed park: the real clock.
    pub(crate) struct Timer {
        pub(super) deadline: Instant,
    }

    impl Timer {
        /// A timer that expires at `deadline`. The real clock needs no one to fire it:
        /// `fire` (the model checkers' way to wake the waiter) is not called.
        pub(crate) fn start(deadline: Instant, fire: impl FnOnce() + Send + 'static) -> Timer {
            drop(fire);
            Timer { deadline }
        }

        /// Whether the deadline has passed.
        pub(crate) fn expired(&self) -> bool {
            Instant::now() >= self.deadline
        }
    }
}

/// A global with a `const` initialiser: a plain `static` in normal builds.
macro_rules! global {
    ($(#[$meta:meta])* static $name:ident: $ty:ty = $init:expr;) => {
        $(#[$meta])*
        static $name: $ty = $init;
    };
}
pub(crate) use global;
