//! Blocking in race mode: every blocking operation of the mirror is a try-loop, so that a
//! scheduler can see every goroutine that waits and what it waits for.
//!
//! This is the one place that blocks. [`block_on`] retries `attempt` until it succeeds or
//! `deadline` passes, sleeping between attempts until some state that may unblock it
//! changes; every such change calls [`progress`]. The interface is the one of
//! `crate::race::sched` (issue 12, deadlock reports): once that module is merged, these
//! two functions forward to it and nothing else in `gosync::sync` changes.

use std::panic::Location;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Instant;

use crate::race::ObjectId;

/// What a blocked goroutine waits on: the race identity of a mirrored object.
pub(crate) type Key<'a> = &'a ObjectId;

/// How many times anything that may unblock a waiter has happened (wraps harmlessly).
static GENERATION: Mutex<u64> = Mutex::new(0);
/// Signalled at every [`progress`].
static CHANGED: Condvar = Condvar::new();

/// Retries `attempt` until it returns `Some`, blocking between attempts until a
/// [`progress`] on any object. Returns `None` if `deadline` passes first. `keys` (what is
/// waited on), `reason` (Go's wait reason, as `sync.Mutex.Lock`) and `site` (the user's
/// call) are what a deadlock report names.
pub(crate) fn block_on<R>(
    keys: &[Key<'_>],
    reason: &'static str,
    site: &'static Location<'static>,
    deadline: Option<Instant>,
    mut attempt: impl FnMut() -> Option<R>,
) -> Option<R> {
    let _ = (keys, reason, site);
    loop {
        // Read the generation before the attempt: a progress after a failed attempt
        // changes it, so the wait below cannot miss it.
        let seen = *GENERATION.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(done) = attempt() {
            return Some(done);
        }
        let mut generation = GENERATION.lock().unwrap_or_else(PoisonError::into_inner);
        while *generation == seen {
            generation = match deadline {
                None => CHANGED
                    .wait(generation)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                        drop(generation);
                        return attempt();
                    };
                    CHANGED
                        .wait_timeout(generation, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }
}

/// Something that may unblock a waiter on `key` happened (an unlock, a send, ...).
pub(crate) fn progress(key: Key<'_>) {
    let _ = key;
    let mut generation = GENERATION.lock().unwrap_or_else(PoisonError::into_inner);
    *generation = generation.wrapping_add(1);
    CHANGED.notify_all();
}
