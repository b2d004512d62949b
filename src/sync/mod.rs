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
pub(crate) mod block;
#[cfg(feature = "race")]
mod condvar;
#[cfg(feature = "race")]
mod lazy_lock;
#[cfg(feature = "race")]
pub mod mpsc;
#[cfg(feature = "race")]
mod mutex;
#[cfg(feature = "race")]
mod once;
#[cfg(feature = "race")]
mod once_lock;
#[cfg(feature = "race")]
mod rwlock;

#[cfg(feature = "race")]
pub use barrier::{Barrier, BarrierWaitResult};
#[cfg(feature = "race")]
pub use condvar::{Condvar, WaitTimeoutResult};
#[cfg(feature = "race")]
pub use lazy_lock::LazyLock;
#[cfg(feature = "race")]
pub use mutex::{Mutex, MutexGuard};
#[cfg(feature = "race")]
pub use once::{Once, OnceState};
#[cfg(feature = "race")]
pub use once_lock::OnceLock;
#[cfg(feature = "race")]
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
