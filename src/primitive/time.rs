//! Timed parking under the model checkers, which do not model time.
//!
//! A timer that has not expired when it starts fires at a point the checker chooses: it
//! is a model thread that marks the timer expired and wakes the waiter, so loom explores
//! every order of the time-out against everything else, and shuttle samples them. A
//! deadline already in the past when the timer starts has expired, with no thread. Each
//! timed wait that has to sleep therefore spawns one model thread (loom allows at most
//! `loom::MAX_THREADS` at once).

use std::sync::Arc;
use std::time::Instant;

use super::sync::atomic::{AtomicBool, Ordering::SeqCst};
use super::thread;

/// The deadline of a timed park, fired by a model thread.
pub(crate) struct Timer {
    expired: Arc<AtomicBool>,
}

impl Timer {
    /// A timer for `deadline`: expired at once if it has passed, else fired by a new model
    /// thread at a point the checker chooses; firing calls `fire`, which wakes the waiter.
    pub(crate) fn start(deadline: Instant, fire: impl FnOnce() + Send + 'static) -> Timer {
        let passed = Instant::now() >= deadline;
        let expired = Arc::new(AtomicBool::new(passed));
        if !passed {
            let set = Arc::clone(&expired);
            // The handle is dropped: the timer thread runs on its own, like a real clock.
            drop(thread::spawn(move || {
                // ORDERING: SeqCst, read by `expired` after the waiter is woken.
                set.store(true, SeqCst);
                fire();
            }));
        }
        Timer { expired }
    }

    /// Whether the timer has fired.
    pub(crate) fn expired(&self) -> bool {
        // ORDERING: SeqCst, pairs with the timer thread's store before its unpark.
        self.expired.load(SeqCst)
    }
}
