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

    use super::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use crate::primitive::time::Timer;

    /// The wake-up handle of one parked waiter, with a token of its own: the std parker's
    /// code on shuttle's thread and atomics (see `std_backend.rs`).
    pub(crate) struct Parker {
        token: AtomicBool,
        thread: Thread,
    }

    impl Parker {
        /// A handle on the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker {
                token: AtomicBool::new(false),
                thread: shuttle::thread::current(),
            }
        }

        fn take_token(&self) -> bool {
            // ORDERING: SeqCst swap; pairs with the store in `unpark`.
            self.token.swap(false, SeqCst)
        }

        /// Parks until [`unpark`](Self::unpark).
        pub(crate) fn park(&self) {
            while !self.take_token() {
                shuttle::thread::park();
            }
        }

        /// Parks until [`unpark`](Self::unpark) (by a release or the timer's thread):
        /// `true` when unparked by a release, `false` once the timer has fired.
        pub(crate) fn park_deadline(&self, timer: &Timer) -> bool {
            loop {
                if self.take_token() {
                    return true;
                }
                if timer.expired() {
                    return false;
                }
                shuttle::thread::park();
            }
        }

        /// Wakes the parked thread, or makes its next park return at once.
        pub(crate) fn unpark(&self) {
            let thread = self.thread.clone();
            // ORDERING: SeqCst store; pairs with the swap in `take_token`.
            self.token.store(true, SeqCst);
            thread.unpark();
        }

        /// Wakes the thread for its timer: no token, `park_deadline` then sees the timer.
        pub(crate) fn timer_fired(&self) {
            self.thread.unpark();
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
