//! A mirror of [`std::sync`] whose locks, once cells, barriers and channels the race
//! checker can see.
//!
//! **Without the `race` feature every item here is std's own** (`pub use std::sync::..`):
//! the same types, zero cost. Port a program by swapping one `use` line:
//!
//! ```
//! // use std::sync::{Arc, Mutex};
//! use gosync::sync::{Arc, Mutex};
//!
//! let hits = Arc::new(Mutex::new(0));
//! let h = hits.clone();
//! gosync::thread::spawn(move || *h.lock().unwrap() += 1).join().unwrap();
//! assert_eq!(*hits.lock().unwrap(), 1);
//! ```
//!
//! **With the `race` feature** each item is a wrapper with std's exact API (the same
//! methods and signatures, poisoning, guards that deref to the data) that carries Go's race
//! annotations where Go's `sync` package puts them, so [`race::check`](crate::race::check)
//! sees the happens-before edges the program relies on:
//!
//! | item | edge (Go's annotation) |
//! |---|---|
//! | [`Mutex`] | an unlock happens before the next lock returns (`mutex.go`: `Release` before unlocking, `Acquire` after locking) |
//! | [`RwLock`] | Go's `rwmutex.go`: a write unlock before every later lock; every read unlock before the next write lock |
//! | [`Condvar`] | through its mutex (Go's `cond.go` has no annotation of its own) |
//! | [`Once`], [`OnceLock`], [`LazyLock`] | the initialiser's completion happens before every call that returns after it |
//! | [`Barrier`] | every arrival of a round happens before every departure from it |
//! | [`mpsc`] | a message's send happens before its receive; a rendezvous receive before its send returns; dropping the last sender (Go's `close`) before the receive that reports the disconnection |
//! | [`Arc`], [`Weak`], [`atomic`] | `Arc`/`Weak` are std's; `atomic` follows the Rust memory model |
//!
//! Blocking in race mode is a retry loop that a scheduler can see, so a lock that is never
//! released is reported as a deadlock instead of hanging (issue 12).
//!
//! ```
//! # #[cfg(feature = "race")] {
//! use gosync::race::{check, RaceCell};
//! use gosync::sync::{Arc, Mutex};
//!
//! let ((), races) = check(|| {
//!     let x = Arc::new(RaceCell::new(0));
//!     let mu = Arc::new(Mutex::new(()));
//!     let (x2, mu2) = (x.clone(), mu.clone());
//!     let t = gosync::thread::spawn(move || {
//!         let _held = mu2.lock().unwrap();
//!         x2.set(1);
//!     });
//!     {
//!         let _held = mu.lock().unwrap();
//!         x.set(2); // ordered with the other write by the mutex, whichever runs first
//!     }
//!     t.join().unwrap();
//! });
//! assert!(races.is_empty());
//! # }
//! ```

pub mod atomic;

pub use std::sync::{Arc, LockResult, PoisonError, TryLockError, TryLockResult, Weak};

#[cfg(not(feature = "race"))]
pub use std::sync::{
    mpsc, Barrier, BarrierWaitResult, Condvar, LazyLock, Mutex, MutexGuard, Once, OnceLock,
    OnceState, RwLock, RwLockReadGuard, RwLockWriteGuard, WaitTimeoutResult,
};

#[cfg(feature = "race")]
mod barrier;
#[cfg(feature = "race")]
mod condvar;
#[cfg(feature = "race")]
pub mod mpsc;
#[cfg(feature = "race")]
mod mutex;
#[cfg(feature = "race")]
mod once;
#[cfg(feature = "race")]
mod rwlock;

#[cfg(feature = "race")]
pub use barrier::{Barrier, BarrierWaitResult};
#[cfg(feature = "race")]
pub use condvar::{Condvar, WaitTimeoutResult};
#[cfg(feature = "race")]
pub use mutex::{Mutex, MutexGuard};
#[cfg(feature = "race")]
pub use once::{LazyLock, Once, OnceLock, OnceState};
#[cfg(feature = "race")]
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};

#[cfg(feature = "race")]
pub(crate) mod block {
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
}
