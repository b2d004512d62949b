//! `--cfg gosync_loom`: loom's primitives, explored exhaustively by `loom::model`.

pub(crate) mod sync {
    pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use loom::sync::atomic::{
            fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering,
        };
    }
}

pub(crate) mod cell {
    pub(crate) use loom::cell::UnsafeCell;
}

pub(crate) mod thread {
    pub(crate) use loom::thread::{spawn, yield_now, JoinHandle};
    pub(crate) use loom::thread_local;

    use std::sync::Arc;

    use super::sync::{Condvar, Mutex};
    use crate::primitive::time::Timer;

    /// How a waiter sleeps: until a condition its waker makes true (see the std parker),
    /// on a loom `Mutex` and `Condvar` of its own, which the [`Unparker`]s share.
    ///
    /// Not the thread's park token: loom's `unpark` wakes a thread blocked on *anything* (a
    /// join, a lock) and then fails an internal assertion, while a stale wake-up for a
    /// waiter that has left (a release or a timer that lost a race with a time-out) is
    /// legal and must stay harmless. loom explores the spurious wake-ups a `Condvar` may
    /// have; the condition absorbs them. The `Arc` is an allocation per wait that only
    /// the model builds make.
    pub(crate) struct Parker(Arc<Sleep>);

    /// The releaser's (or the timer's) handle on a sleeping waiter.
    #[derive(Clone)]
    pub(crate) struct Unparker(Arc<Sleep>);

    struct Sleep {
        /// Taken by the sleeper before it looks at its condition; the waker's `notify`
        /// comes after its own lock of it, so no wake-up is lost.
        lock: Mutex<()>,
        wake: Condvar,
    }

    impl Parker {
        /// A parker for the current thread, which is the only one that may park on it.
        pub(crate) fn for_current_thread() -> Parker {
            Parker(Arc::new(Sleep {
                lock: Mutex::new(()),
                wake: Condvar::new(),
            }))
        }

        /// A handle that wakes this parker.
        pub(crate) fn unparker(&self, _key: usize) -> Unparker {
            Unparker(Arc::clone(&self.0))
        }

        /// Parks until `ready()`.
        pub(crate) fn park_until(&self, _key: usize, ready: impl Fn() -> bool) {
            let mut guard = self.0.lock.lock().unwrap();
            while !ready() {
                guard = self.0.wake.wait(guard).unwrap();
            }
        }

        /// Parks until `ready()` or the timer's thread fires: `true` when ready.
        pub(crate) fn park_deadline_until(
            &self,
            _key: usize,
            timer: &Timer,
            ready: impl Fn() -> bool,
        ) -> bool {
            let mut guard = self.0.lock.lock().unwrap();
            loop {
                if ready() {
                    return true;
                }
                if timer.expired() {
                    return false;
                }
                guard = self.0.wake.wait(guard).unwrap();
            }
        }
    }

    impl Unparker {
        /// Wakes the parked thread to look at its condition again.
        pub(crate) fn unpark(self) {
            drop(self.0.lock.lock().unwrap());
            self.0.wake.notify_one();
        }

        /// Wakes the thread for its timer: `park_deadline_until` then sees the timer. The
        /// lock orders the wake-up after the thread's look at the timer, so it is not lost.
        pub(crate) fn timer_fired(&self) {
            drop(self.0.lock.lock().unwrap());
            self.0.wake.notify_one();
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
