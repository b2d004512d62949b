//! [`RwLock`] with Go's `sync.RWMutex` annotations (`rwmutex.go`).
//!
//! Go's edges, on two sync objects: a read unlock `ReleaseMerge`s into `writerSem` and a
//! write lock `Acquire`s it, so every reader before a writer happens before it; a write
//! unlock `Release`s `readerSem` and every lock (read or write) `Acquire`s it, so a writer
//! happens before everything after it. Two readers are not ordered with each other.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use super::block;
use crate::race::{self, ObjectId, Site};

/// std's [`RwLock`](std::sync::RwLock), seen by the race checker as Go's `sync.RWMutex`.
/// Same API, same poisoning.
///
/// ```
/// use gosync::sync::{Arc, RwLock};
///
/// let config = Arc::new(RwLock::new(String::from("v1")));
/// let c = config.clone();
/// gosync::thread::spawn(move || *c.write().unwrap() = "v2".into())
///     .join()
///     .unwrap();
/// assert_eq!(*config.read().unwrap(), "v2");
/// ```
pub struct RwLock<T: ?Sized> {
    /// Go's `&rw.readerSem`: released by write unlocks, acquired by every lock.
    reader_sem: ObjectId,
    /// Go's `&rw.writerSem`: merged into by read unlocks, acquired by write locks.
    writer_sem: ObjectId,
    inner: std::sync::RwLock<T>,
}

/// std's [`RwLockReadGuard`](std::sync::RwLockReadGuard): shared access until it drops
/// (Go's `RUnlock`).
///
/// ```
/// let lock = gosync::sync::RwLock::new(3);
/// let (a, b) = (lock.read().unwrap(), lock.read().unwrap());
/// assert_eq!(*a + *b, 6);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized + 'a> {
    lock: &'a RwLock<T>,
    inner: Option<std::sync::RwLockReadGuard<'a, T>>,
}

/// std's [`RwLockWriteGuard`](std::sync::RwLockWriteGuard): exclusive access until it
/// drops (Go's `Unlock`).
///
/// ```
/// let lock = gosync::sync::RwLock::new(3);
/// *lock.write().unwrap() += 1;
/// assert_eq!(*lock.read().unwrap(), 4);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized + 'a> {
    lock: &'a RwLock<T>,
    inner: Option<std::sync::RwLockWriteGuard<'a, T>>,
}

// SAFETY: as for `MutexGuard`: a shared `&RwLockReadGuard` hands out `&T` only, so it may
// be shared when `T: Sync` (std's bound); the `&RwLock<T>` inside is read only by `drop`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: a shared `&RwLockWriteGuard` hands out `&T` only (DerefMut needs `&mut`).
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}

/// A std lock result without the guard wrapper yet.
type Locked<G> = Result<G, G>;

/// std's `try_*` result, split into "taken (maybe poisoned)" and "would block".
fn taken<G>(attempt: TryLockResult<G>) -> Option<Locked<G>> {
    match attempt {
        Ok(guard) => Some(Ok(guard)),
        Err(TryLockError::Poisoned(poisoned)) => Some(Err(poisoned.into_inner())),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Wraps a taken std guard into ours, keeping the poison flag.
fn wrap<G, W>(locked: Locked<G>, wrap: impl FnOnce(G) -> W) -> LockResult<W> {
    match locked {
        Ok(guard) => Ok(wrap(guard)),
        Err(guard) => Err(PoisonError::new(wrap(guard))),
    }
}

impl<T> RwLock<T> {
    /// std's [`RwLock::new`](std::sync::RwLock::new).
    ///
    /// ```
    /// static CONFIG: gosync::sync::RwLock<u32> = gosync::sync::RwLock::new(7);
    /// assert_eq!(*CONFIG.read().unwrap(), 7);
    /// ```
    pub const fn new(value: T) -> RwLock<T> {
        RwLock {
            reader_sem: ObjectId::new(),
            writer_sem: ObjectId::new(),
            inner: std::sync::RwLock::new(value),
        }
    }

    /// std's [`RwLock::into_inner`](std::sync::RwLock::into_inner).
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the value if the lock is poisoned.
    ///
    /// ```
    /// assert_eq!(gosync::sync::RwLock::new(1).into_inner().unwrap(), 1);
    /// ```
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// std's [`RwLock::read`](std::sync::RwLock::read), Go's `RLock`: blocks while a
    /// writer holds the lock, then `Acquire`s what the last writer released.
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the guard if a writer panicked.
    ///
    /// ```
    /// let lock = gosync::sync::RwLock::new(1);
    /// assert_eq!(*lock.read().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        // The uncontended lock takes it at once, without the scheduler.
        let locked = match taken(self.inner.try_read()) {
            Some(locked) => locked,
            None => block::block_on(
                &[&self.reader_sem],
                "sync.RWMutex.RLock",
                Site::here(),
                None,
                || taken(self.inner.try_read()),
            )
            .expect("a lock without a deadline never times out"),
        };
        self.read_locked(locked)
    }

    /// std's [`RwLock::try_read`](std::sync::RwLock::try_read), Go's `TryRLock`.
    ///
    /// # Errors
    ///
    /// [`TryLockError::WouldBlock`] while a writer holds the lock,
    /// [`TryLockError::Poisoned`] if a writer panicked.
    ///
    /// ```
    /// let lock = gosync::sync::RwLock::new(1);
    /// let w = lock.write().unwrap();
    /// assert!(lock.try_read().is_err());
    /// drop(w);
    /// assert!(lock.try_read().is_ok());
    /// ```
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        let locked = taken(self.inner.try_read()).ok_or(TryLockError::WouldBlock)?;
        self.read_locked(locked).map_err(TryLockError::Poisoned)
    }

    fn read_locked<'a>(
        &'a self,
        locked: Locked<std::sync::RwLockReadGuard<'a, T>>,
    ) -> LockResult<RwLockReadGuard<'a, T>> {
        race::keyed::acquire(&self.reader_sem); // go: rwmutex.go:75 race.Acquire(&rw.readerSem)
        wrap(locked, |inner| RwLockReadGuard {
            lock: self,
            inner: Some(inner),
        })
    }

    /// std's [`RwLock::write`](std::sync::RwLock::write), Go's `Lock`: blocks while
    /// anyone holds the lock, then `Acquire`s what the last writer and every reader since
    /// released.
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the guard if a writer panicked.
    ///
    /// ```
    /// let lock = gosync::sync::RwLock::new(vec![]);
    /// lock.write().unwrap().push(1);
    /// assert_eq!(*lock.read().unwrap(), [1]);
    /// ```
    #[track_caller]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        // The uncontended lock takes it at once, without the scheduler.
        let locked = match taken(self.inner.try_write()) {
            Some(locked) => locked,
            None => block::block_on(
                &[&self.reader_sem, &self.writer_sem],
                "sync.RWMutex.Lock",
                Site::here(),
                None,
                || taken(self.inner.try_write()),
            )
            .expect("a lock without a deadline never times out"),
        };
        self.write_locked(locked)
    }

    /// std's [`RwLock::try_write`](std::sync::RwLock::try_write), Go's `TryLock`.
    ///
    /// # Errors
    ///
    /// [`TryLockError::WouldBlock`] while anyone holds the lock,
    /// [`TryLockError::Poisoned`] if a writer panicked.
    ///
    /// ```
    /// let lock = gosync::sync::RwLock::new(1);
    /// let r = lock.read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// drop(r);
    /// assert!(lock.try_write().is_ok());
    /// ```
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        let locked = taken(self.inner.try_write()).ok_or(TryLockError::WouldBlock)?;
        self.write_locked(locked).map_err(TryLockError::Poisoned)
    }

    fn write_locked<'a>(
        &'a self,
        locked: Locked<std::sync::RwLockWriteGuard<'a, T>>,
    ) -> LockResult<RwLockWriteGuard<'a, T>> {
        race::keyed::acquire(&self.reader_sem); // go: rwmutex.go:156 race.Acquire(&rw.readerSem)
        race::keyed::acquire(&self.writer_sem); // go: rwmutex.go:157 race.Acquire(&rw.writerSem)
        wrap(locked, |inner| RwLockWriteGuard {
            lock: self,
            inner: Some(inner),
        })
    }

    /// std's [`RwLock::is_poisoned`](std::sync::RwLock::is_poisoned).
    ///
    /// ```
    /// assert!(!gosync::sync::RwLock::new(0).is_poisoned());
    /// ```
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// std's [`RwLock::clear_poison`](std::sync::RwLock::clear_poison).
    ///
    /// ```
    /// let lock = gosync::sync::RwLock::new(0);
    /// lock.clear_poison();
    /// assert!(!lock.is_poisoned());
    /// ```
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }

    /// std's [`RwLock::get_mut`](std::sync::RwLock::get_mut).
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the reference if the lock is poisoned.
    ///
    /// ```
    /// let mut lock = gosync::sync::RwLock::new(0);
    /// *lock.get_mut().unwrap() = 9;
    /// assert_eq!(*lock.read().unwrap(), 9);
    /// ```
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    /// std's `Default`: a lock holding `T::default()`.
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    /// std's `From<T> for RwLock<T>`.
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_ref().expect("a guard holds its lock")
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_ref().expect("a guard holds its lock")
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect("a guard holds its lock")
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    /// Go's `RUnlock`: `ReleaseMerge` into `writerSem`, then unlock.
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            race::keyed::release_merge(&self.lock.writer_sem); // go: rwmutex.go:114 race.ReleaseMerge(&rw.writerSem)
            drop(inner);
            block::progress(&self.lock.writer_sem);
        }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    /// Go's `Unlock`: `Release` `readerSem`, then unlock (and poison, if panicking).
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            race::keyed::release(&self.lock.reader_sem); // go: rwmutex.go:201 race.Release(&rw.readerSem)
            drop(inner);
            block::progress(&self.lock.reader_sem);
        }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}
