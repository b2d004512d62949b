//! Normal builds: `std`'s primitives.

pub(crate) mod sync {
    pub(crate) use std::sync::{Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering};
        // The channel board's fence (src/chan/wait.rs); the semaphore's store-load fence
        // is loom's alone (`store_load_fence`), and the race build has its own board.
        #[cfg(not(feature = "race"))]
        pub(crate) use std::sync::atomic::fence;
    }
}

pub(crate) mod cell {
    /// `std`'s `UnsafeCell` with loom's API (`with_mut`), so the code that loom
    /// checks for unsynchronised accesses is the code that ships.
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        /// Writes through the pointer `f` is given.
        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

pub(crate) mod thread {
    pub(crate) use std::thread::{spawn, yield_now, JoinHandle, Thread};
    pub(crate) use std::thread_local;

    #[cfg(not(feature = "race"))]
    use std::time::Instant;

    use super::time::Timer;

    /// How a waiter sleeps (Go's `gopark` of its `g`): until a condition its waker makes
    /// true, so that only the wake-up meant for this wait ends it, as with crossbeam-utils'
    /// `Parker` and its own token. The condition is the waiter's state in its queue node
    /// (readied by a release), which the releaser publishes under the root lock before it
    /// unparks: an unrelated `unpark` of the thread (a user's own, a stale one of an earlier
    /// wait) only makes the thread look again.
    ///
    /// Why not crossbeam-utils' `Parker`: its token lives in an `Arc` of its own (an
    /// allocation per parker), and the releaser would then touch the waiter's memory after
    /// making it ready to leave. Here the releaser holds only a [`Unparker`], a clone of the
    /// thread handle, which stays valid whatever the waiter does. Every thread park of the
    /// crate goes through this type (the race checker's scheduler hooks in here).
    pub(crate) struct Parker {
        _not_send: std::marker::PhantomData<*const ()>,
    }

    /// The releaser's handle on a sleeping waiter (Go's `goready` of its `g`).
    #[derive(Clone)]
    pub(crate) struct Unparker {
        thread: Thread,
        /// The race scheduler's key for the wait (see [`Parker::park_until`]).
        #[cfg(feature = "race")]
        key: crate::race::sched::WaitKey,
    }

    impl Parker {
        /// A parker for the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker {
                _not_send: std::marker::PhantomData,
            }
        }

        /// A handle that wakes this parker's thread, for a wait known to the race
        /// scheduler as `key` (the address of the waiter's queue node).
        pub(crate) fn unparker(&self, key: usize) -> Unparker {
            #[cfg(not(feature = "race"))]
            let _ = key;
            Unparker {
                thread: std::thread::current(),
                #[cfg(feature = "race")]
                key,
            }
        }

        /// Parks until `ready()` (at once if it already is). `key` is the wait's key for
        /// the race scheduler, the one given to [`unparker`](Self::unparker).
        pub(crate) fn park_until(&self, key: usize, ready: impl Fn() -> bool) {
            // The race build sleeps in the checker's scheduler, so that `race::check` sees
            // the waiter asleep (its deadlock and leak reports).
            #[cfg(feature = "race")]
            crate::race::sched::block_on(
                &[key],
                "semacquire", // Go 1.19's wait reason for WaitGroup.Wait
                crate::race::sched::blocking_site(),
                None,
                || ready().then_some(()),
            );
            #[cfg(not(feature = "race"))]
            {
                let _ = key;
                while !ready() {
                    std::thread::park();
                }
            }
        }

        /// Parks until `ready()` or until `timer` expires: `true` when ready.
        pub(crate) fn park_deadline_until(
            &self,
            key: usize,
            timer: &Timer,
            ready: impl Fn() -> bool,
        ) -> bool {
            // A timed waiter is never asleep for ever: the scheduler does not count it
            // towards a deadlock.
            #[cfg(feature = "race")]
            return crate::race::sched::block_on(
                &[key],
                "semacquire",
                crate::race::sched::blocking_site(),
                Some(timer.deadline),
                || ready().then_some(()),
            )
            .is_some();
            #[cfg(not(feature = "race"))]
            {
                let _ = key;
                loop {
                    if ready() {
                        return true;
                    }
                    let now = Instant::now();
                    if now >= timer.deadline {
                        return false;
                    }
                    std::thread::park_timeout(timer.deadline - now);
                }
            }
        }
    }

    impl Unparker {
        /// Wakes the thread to look at its condition again. Touches nothing of the
        /// waiter's: the caller has made the condition true (under the root lock), and the
        /// waiter may have seen it and left already.
        pub(crate) fn unpark(self) {
            #[cfg(feature = "race")]
            crate::race::sched::progress(self.key);
            self.thread.unpark();
        }

        /// Wakes the thread for its timer. The real clock needs no one to fire a timer
        /// (`park_deadline_until` times out by itself), so std never calls it; the model
        /// checkers' timers do.
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
