//! `--cfg gosync_loom`: loom's primitives, explored exhaustively by `loom::model`.

pub(crate) mod sync {
    pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use loom::sync::atomic::{
            fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering,
        };
    }
}

pub(crate) mod thread {
    pub(crate) use loom::thread::{spawn, yield_now, JoinHandle};

    use super::sync::{Condvar, Mutex};
    use crate::primitive::time::Timer;

    /// The wake-up handle of one parked waiter (Go's `g`, for `goready`), with a token of
    /// its own, as the std parker: a token under a loom `Mutex`, slept on with a loom
    /// `Condvar`.
    ///
    /// Not the thread's park token: loom's `unpark` wakes a thread blocked on *anything* (a
    /// join, a lock) and then fails an internal assertion, while a stale wake-up for a
    /// waiter that has left (a release or a timer that lost a race with a time-out) is
    /// legal and must stay harmless. loom explores the spurious wake-ups a `Condvar` may
    /// have; the token absorbs them.
    pub(crate) struct Parker {
        /// Set by `unpark`, taken by `park`.
        token: Mutex<bool>,
        /// Woken by `unpark` and by the timer.
        wake: Condvar,
    }

    impl Parker {
        /// A handle for the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker {
                token: Mutex::new(false),
                wake: Condvar::new(),
            }
        }

        /// Parks until [`unpark`](Self::unpark).
        pub(crate) fn park(&self) {
            let mut token = self.token.lock().unwrap();
            while !*token {
                token = self.wake.wait(token).unwrap();
            }
            *token = false;
        }

        /// Parks until [`unpark`](Self::unpark) (by a release) or the timer's thread
        /// fires: `true` when unparked.
        pub(crate) fn park_deadline(&self, timer: &Timer) -> bool {
            let mut token = self.token.lock().unwrap();
            while !*token {
                if timer.expired() {
                    return false;
                }
                token = self.wake.wait(token).unwrap();
            }
            *token = false;
            true
        }

        /// Wakes the parked thread, or makes its next park return at once.
        pub(crate) fn unpark(&self) {
            *self.token.lock().unwrap() = true;
            self.wake.notify_one();
        }

        /// Wakes the thread for its timer: no token, `park_deadline` then sees the timer.
        /// The lock orders the wake-up after the thread's look at the timer, so it is not
        /// lost.
        pub(crate) fn timer_fired(&self) {
            drop(self.token.lock().unwrap());
            self.wake.notify_one();
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
