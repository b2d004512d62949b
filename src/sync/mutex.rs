//! [`Mutex`] with Go's `sync.Mutex` annotations (`mutex.go`): `Acquire` after locking,
//! `Release` before unlocking.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use super::block;
use crate::race::{self, ObjectId, Site};

/// std's [`Mutex`](std::sync::Mutex), seen by the race checker: every unlock happens
/// before the lock that next returns (Go's `sync.Mutex`). Same API, same poisoning.
///
/// A lock that blocks is a retry loop on the checker's scheduler, so a lock that can never
/// be taken (a goroutine locking twice, a lock-order cycle) is a deadlock report rather
/// than a hang.
///
/// ```
/// use gosync::sync::{Arc, Mutex};
///
/// let counter = Arc::new(Mutex::new(0));
/// let workers: Vec<_> = (0..3)
///     .map(|_| {
///         let counter = counter.clone();
///         gosync::thread::spawn(move || *counter.lock().unwrap() += 1)
///     })
///     .collect();
/// for w in workers {
///     w.join().unwrap();
/// }
/// assert_eq!(*counter.lock().unwrap(), 3);
/// ```
pub struct Mutex<T: ?Sized> {
    /// Go's `unsafe.Pointer(m)`: the sync object of the lock's annotations.
    race: ObjectId,
    inner: std::sync::Mutex<T>,
}

/// std's [`MutexGuard`](std::sync::MutexGuard): the lock is held until it drops, and it
/// derefs to the data. Dropping it is Go's `Unlock` (the `Release` comes first).
///
/// ```
/// let m = gosync::sync::Mutex::new(vec![1]);
/// let mut guard = m.lock().unwrap();
/// guard.push(2);
/// drop(guard); // unlock
/// assert_eq!(*m.lock().unwrap(), [1, 2]);
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized + 'a> {
    pub(super) lock: &'a Mutex<T>,
    /// `None` only while a [`Condvar`](super::Condvar) waits with the lock released.
    pub(super) inner: Option<std::sync::MutexGuard<'a, T>>,
}

// SAFETY: a shared `&MutexGuard` only hands out `&T` (Deref), so sharing it across threads
// needs `T: Sync`, as std's guard requires. The `&Mutex<T>` inside is used to relock only
// by `Condvar::wait`, which owns the guard, never through a shared reference.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T> Mutex<T> {
    /// std's [`Mutex::new`](std::sync::Mutex::new): an unlocked mutex holding `value`.
    ///
    /// ```
    /// static M: gosync::sync::Mutex<u8> = gosync::sync::Mutex::new(0);
    /// assert_eq!(*M.lock().unwrap(), 0);
    /// ```
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            race: ObjectId::new(),
            inner: std::sync::Mutex::new(value),
        }
    }
}

impl<T: ?Sized> Mutex<T> {
    /// std's [`Mutex::lock`](std::sync::Mutex::lock), Go's `Lock`: blocks until the lock
    /// is free, then `Acquire`s what the last unlocker released.
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the guard if a holder panicked.
    ///
    /// ```
    /// let m = gosync::sync::Mutex::new(1);
    /// *m.lock().unwrap() += 1;
    /// assert_eq!(*m.lock().unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        // The uncontended lock takes it at once, without the scheduler.
        let locked = match self.take() {
            Some(locked) => locked,
            None => block::block_on(&[&self.race], "sync.Mutex.Lock", Site::here(), None, || {
                self.take()
            })
            .expect("a lock without a deadline never times out"),
        };
        race::keyed::acquire(&self.race); // go: mutex.go:85 race.Acquire(unsafe.Pointer(m))
        self.guard(locked)
    }

    /// std's [`Mutex::try_lock`](std::sync::Mutex::try_lock), Go's `TryLock`: never
    /// blocks; on success, `Acquire`s as `lock` does.
    ///
    /// # Errors
    ///
    /// [`TryLockError::WouldBlock`] if the lock is held, [`TryLockError::Poisoned`] if a
    /// holder panicked.
    ///
    /// ```
    /// use gosync::sync::{Mutex, TryLockError};
    ///
    /// let m = Mutex::new(0);
    /// let held = m.lock().unwrap();
    /// assert!(matches!(m.try_lock(), Err(TryLockError::WouldBlock)));
    /// drop(held);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let locked = match self.inner.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(poisoned)) => Err(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => return Err(TryLockError::WouldBlock),
        };
        race::keyed::acquire(&self.race); // go: mutex.go:112 race.Acquire(unsafe.Pointer(m))
        self.guard(locked).map_err(TryLockError::Poisoned)
    }

    /// One attempt: the std guard (`Err` if poisoned), or `None` if the lock is held.
    #[allow(clippy::type_complexity)]
    fn take(&self) -> Option<Result<std::sync::MutexGuard<'_, T>, std::sync::MutexGuard<'_, T>>> {
        match self.inner.try_lock() {
            Ok(guard) => Some(Ok(guard)),
            Err(TryLockError::Poisoned(poisoned)) => Some(Err(poisoned.into_inner())),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Wraps a locked std guard; `Err` if the lock was poisoned.
    pub(super) fn guard<'a>(
        &'a self,
        locked: Result<std::sync::MutexGuard<'a, T>, std::sync::MutexGuard<'a, T>>,
    ) -> LockResult<MutexGuard<'a, T>> {
        match locked {
            Ok(inner) => Ok(MutexGuard {
                lock: self,
                inner: Some(inner),
            }),
            Err(inner) => Err(PoisonError::new(MutexGuard {
                lock: self,
                inner: Some(inner),
            })),
        }
    }

    /// std's [`Mutex::is_poisoned`](std::sync::Mutex::is_poisoned).
    ///
    /// ```
    /// let m = gosync::sync::Mutex::new(0);
    /// assert!(!m.is_poisoned());
    /// ```
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// std's [`Mutex::clear_poison`](std::sync::Mutex::clear_poison).
    ///
    /// ```
    /// use gosync::sync::{Arc, Mutex};
    ///
    /// let m = Arc::new(Mutex::new(0));
    /// let m2 = m.clone();
    /// let _ = gosync::thread::spawn(move || {
    ///     let _held = m2.lock().unwrap();
    ///     panic!("poison it");
    /// })
    /// .join();
    /// assert!(m.is_poisoned());
    /// m.clear_poison();
    /// assert!(!m.is_poisoned());
    /// ```
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }

    /// std's [`Mutex::get_mut`](std::sync::Mutex::get_mut): no lock, the borrow is
    /// exclusive.
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the reference if the lock is poisoned.
    ///
    /// ```
    /// let mut m = gosync::sync::Mutex::new(1);
    /// *m.get_mut().unwrap() = 2;
    /// assert_eq!(m.into_inner().unwrap(), 2);
    /// ```
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

impl<T> Mutex<T> {
    /// std's [`Mutex::into_inner`](std::sync::Mutex::into_inner).
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the value if the lock is poisoned.
    ///
    /// ```
    /// assert_eq!(gosync::sync::Mutex::new(5).into_inner().unwrap(), 5);
    /// ```
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: Default> Default for Mutex<T> {
    /// std's `Default`: a mutex holding `T::default()`.
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    /// std's `From<T> for Mutex<T>`.
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // std's output: `Mutex { data: .., poisoned: .., .. }`.
        self.inner.fmt(f)
    }
}

impl<T: ?Sized> MutexGuard<'_, T> {
    pub(super) fn data(&self) -> &std::sync::MutexGuard<'_, T> {
        self.inner.as_ref().expect("a guard holds its lock")
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.data()
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect("a guard holds its lock")
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    /// Go's `Unlock`: `Release` first, then unlock (and poison, if panicking, as std).
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            race::keyed::release(&self.lock.race); // go: mutex.go:215 race.Release(unsafe.Pointer(m))
            drop(inner);
            block::progress(&self.lock.race);
        }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}
