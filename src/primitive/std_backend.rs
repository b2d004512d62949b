//! Normal builds: `std`'s primitives.

pub(crate) mod sync {
    pub(crate) use std::sync::{Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{
            fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering,
        };
    }
}

pub(crate) mod thread {
    pub(crate) use std::thread::{spawn, yield_now, JoinHandle, Thread};

    #[cfg(not(feature = "race"))]
    use std::time::Instant;

    use super::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use super::time::Timer;

    /// The wake-up handle of one parked waiter (Go's `g`, for `goready`), with a token of
    /// its own, as crossbeam-utils' `Parker`: `park` returns only after an `unpark` of
    /// *this* parker, never because something else unparked the thread (a user's own
    /// `Thread::unpark`, a stale wake-up of an earlier wait). So a waiter sleeps exactly
    /// as the loom and shuttle parkers make it sleep, and gosync never consumes or fakes
    /// a park token that the user's code owns.
    ///
    /// Why not crossbeam-utils' `Parker` itself: it allocates an `Arc` per parker, and a
    /// waiter's parker lives in its queue node, which is already shared; one flag and the
    /// thread handle are all it needs. Every thread park of the crate goes through this
    /// type (the race checker's scheduler hooks in here).
    pub(crate) struct Parker {
        /// Set by `unpark`, taken by `park`.
        token: AtomicBool,
        thread: Thread,
    }

    impl Parker {
        /// A handle for the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker {
                token: AtomicBool::new(false),
                thread: std::thread::current(),
            }
        }

        /// Takes the token, if `unpark` left one.
        fn take_token(&self) -> bool {
            // ORDERING: SeqCst swap; pairs with the store in `unpark`: everything the
            // unparker did before it happens before this return.
            self.token.swap(false, SeqCst)
        }

        /// Parks until [`unpark`](Self::unpark) (at once if it came first).
        pub(crate) fn park(&self) {
            // The race build sleeps in the checker's scheduler, so that `race::check` sees
            // the waiter asleep (its deadlock and leak reports).
            #[cfg(feature = "race")]
            crate::race::sched::block_on(
                &[self.key()],
                "semacquire", // Go 1.19's wait reason for WaitGroup.Wait
                crate::race::sched::blocking_site(),
                None,
                || self.take_token().then_some(()),
            );
            #[cfg(not(feature = "race"))]
            while !self.take_token() {
                std::thread::park();
            }
        }

        /// Parks until [`unpark`](Self::unpark) or until `timer` expires: `true` when
        /// unparked.
        pub(crate) fn park_deadline(&self, timer: &Timer) -> bool {
            // A timed waiter is never asleep for ever: the scheduler does not count it
            // towards a deadlock.
            #[cfg(feature = "race")]
            return crate::race::sched::block_on(
                &[self.key()],
                "semacquire",
                crate::race::sched::blocking_site(),
                Some(timer.deadline),
                || self.take_token().then_some(()),
            )
            .is_some();
            #[cfg(not(feature = "race"))]
            loop {
                if self.take_token() {
                    return true;
                }
                let now = Instant::now();
                if now >= timer.deadline {
                    return false;
                }
                std::thread::park_timeout(timer.deadline - now);
            }
        }

        /// Wakes the parked thread, or makes its next park return at once.
        ///
        /// The thread handle is cloned before the token is set: once the token is set the
        /// waiter may return and free the parker, so nothing of `self` is touched after it.
        pub(crate) fn unpark(&self) {
            let thread = self.thread.clone();
            #[cfg(feature = "race")]
            let key = self.key();
            // ORDERING: SeqCst store; pairs with the swap in `take_token`.
            self.token.store(true, SeqCst);
            #[cfg(feature = "race")]
            crate::race::sched::progress(key);
            thread.unpark();
        }

        /// The race scheduler's key for this parker: its address, stable while a waiter
        /// is parked on it (the parker lives in the waiter's queue node).
        #[cfg(feature = "race")]
        fn key(&self) -> crate::race::sched::WaitKey {
            self as *const Parker as usize
        }

        /// Wakes the thread for its timer, with no token. The real clock needs no one to
        /// fire a timer (`park_deadline` times out by itself), so std never calls it; the
        /// model checkers' timers do.
        pub(crate) fn timer_fired(&self) {
            self.thread.unpark();
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
