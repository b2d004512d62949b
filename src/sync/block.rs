//! Blocking in race mode: every blocking operation of the mirror is a try-loop on the race
//! scheduler ([`crate::race::sched`]), so that `check` sees every goroutine that waits,
//! what it waits on and where, and reports a deadlock instead of hanging.
//!
//! The mirror's objects are keyed by the address of one of their [`ObjectId`]s (a
//! collision costs only a spurious retry). An `attempt` only takes the object's own leaf
//! lock, never calls the scheduler or user code, and never panics; every state change
//! that may unblock a waiter calls [`progress`] after releasing that lock.

use std::time::Instant;

use crate::race::{sched, ObjectId, Site};

/// What a blocked goroutine waits on: the race identity of a mirrored object.
pub(crate) type Key<'a> = &'a ObjectId;

fn key(id: Key<'_>) -> sched::WaitKey {
    id as *const ObjectId as usize
}

/// Retries `attempt` until it returns `Some`, blocking between attempts until a
/// [`progress`] on one of `keys`. Returns `None` if `deadline` passes first. `reason` is
/// Go's wait reason (as `sync.Mutex.Lock`) and `site` the user's call, as a deadlock
/// report names them.
pub(crate) fn block_on<R>(
    keys: &[Key<'_>],
    reason: &'static str,
    site: Site,
    deadline: Option<Instant>,
    attempt: impl FnMut() -> Option<R>,
) -> Option<R> {
    let keys: Vec<sched::WaitKey> = keys.iter().map(|id| key(id)).collect();
    sched::block_on(&keys, reason, site, deadline, attempt)
}

/// Something that may unblock a waiter on `id` happened (an unlock, a send, ...).
pub(crate) fn progress(id: Key<'_>) {
    sched::progress(key(id));
}
