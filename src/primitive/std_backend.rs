//! Normal builds: `std`'s primitives.

pub(crate) mod sync {
    pub(crate) use std::sync::{Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{fence, AtomicU32, AtomicU64, AtomicU8, Ordering};
    }
}

pub(crate) mod thread {
    pub(crate) use std::thread::{current, park, yield_now, Thread};
}

pub(crate) mod time {
    use std::time::Instant;

    /// The deadline of a timed park: the real clock.
    pub(crate) struct Timer {
        deadline: Instant,
    }

    impl Timer {
        /// A timer that expires at `deadline`.
        pub(crate) fn start(deadline: Instant) -> Timer {
            Timer { deadline }
        }

        /// Whether the deadline has passed.
        pub(crate) fn expired(&self) -> bool {
            Instant::now() >= self.deadline
        }

        /// Parks the current thread until it is unparked or the deadline passes (or
        /// spuriously).
        pub(crate) fn park(&self) {
            std::thread::park_timeout(self.deadline.saturating_duration_since(Instant::now()));
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
