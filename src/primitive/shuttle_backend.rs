//! `--cfg gosync_shuttle`: shuttle's primitives, scheduled by `shuttle::check_*`.

pub(crate) mod sync {
    pub(crate) use shuttle::sync::{Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use shuttle::sync::atomic::{
            AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering,
        };
        // The channel board's fence (src/chan/wait.rs); the semaphore's store-load fence
        // is loom's alone (`store_load_fence`), and the race build has its own board.
        #[cfg(not(feature = "race"))]
        pub(crate) use shuttle::sync::atomic::fence;
    }
}

pub(crate) mod cell {
    /// shuttle checks schedules, not unsynchronised accesses: std's cell, with loom's API.
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) fn new(value: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

pub(crate) mod thread {
    pub(crate) use shuttle::thread::{spawn, yield_now, JoinHandle, Thread};
    pub(crate) use shuttle::thread_local;

    use crate::primitive::time::Timer;

    /// How a waiter sleeps: until a condition its waker makes true, the std parker's code
    /// on shuttle's threads (see `std_backend.rs`).
    pub(crate) struct Parker;

    /// The releaser's (or the timer's) handle on a sleeping waiter.
    #[derive(Clone)]
    pub(crate) struct Unparker(Thread);

    impl Parker {
        /// A parker for the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker
        }

        /// A handle that wakes this parker's thread.
        pub(crate) fn unparker(&self, _key: usize) -> Unparker {
            Unparker(shuttle::thread::current())
        }

        /// Parks until `ready()`.
        pub(crate) fn park_until(&self, _key: usize, ready: impl Fn() -> bool) {
            while !ready() {
                shuttle::thread::park();
            }
        }

        /// Parks until `ready()` or the timer's thread fires: `true` when ready.
        pub(crate) fn park_deadline_until(
            &self,
            _key: usize,
            timer: &Timer,
            ready: impl Fn() -> bool,
        ) -> bool {
            loop {
                if ready() {
                    return true;
                }
                if timer.expired() {
                    return false;
                }
                shuttle::thread::park();
            }
        }
    }

    impl Unparker {
        /// Wakes the parked thread to look at its condition again.
        pub(crate) fn unpark(self) {
            self.0.unpark();
        }

        /// Wakes the thread for its timer: `park_deadline_until` then sees the timer.
        pub(crate) fn timer_fired(&self) {
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
