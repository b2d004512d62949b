//! [`OnceLock`]: std's write-once cell, seen by the race checker as a [`Once`](super::Once)
//! with a value: the initialisation happens before every read that sees the value.

use std::fmt;
use std::sync::PoisonError;

use super::block;
use crate::race::{self, ObjectId, Site};

/// std's [`OnceLock`](std::sync::OnceLock), seen by the race checker: the value's
/// initialisation (by [`set`](OnceLock::set) or [`get_or_init`](OnceLock::get_or_init))
/// happens before every [`get`](OnceLock::get) that returns it. Same API.
///
/// ```
/// use gosync::sync::OnceLock;
///
/// static CONFIG: OnceLock<String> = OnceLock::new();
/// let worker = gosync::thread::spawn(|| CONFIG.get_or_init(|| "from the worker".into()).len());
/// let len = worker.join().unwrap();
/// assert_eq!(CONFIG.get().map(String::len), Some(len));
/// ```
pub struct OnceLock<T> {
    value: std::sync::OnceLock<T>,
    /// Whether an initialiser is running: others wait on it instead of running theirs.
    running: std::sync::Mutex<bool>,
    /// Released to by the initialisation, acquired by every read that sees the value.
    race: ObjectId,
}

/// Clears `running` when the initialiser returns or unwinds, then wakes the waiters.
struct Unclaim<'a, T>(&'a OnceLock<T>);

impl<T> Drop for Unclaim<'_, T> {
    fn drop(&mut self) {
        *self.0.running() = false;
        block::progress(&self.0.race);
    }
}

impl<T> OnceLock<T> {
    /// std's [`OnceLock::new`](std::sync::OnceLock::new): an empty cell.
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::<u8>::new();
    /// assert_eq!(cell.get(), None);
    /// ```
    pub const fn new() -> OnceLock<T> {
        OnceLock {
            value: std::sync::OnceLock::new(),
            running: std::sync::Mutex::new(false),
            race: ObjectId::new(),
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, bool> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// std's [`OnceLock::get`](std::sync::OnceLock::get): the value, if initialised;
    /// never blocks.
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::new();
    /// assert_eq!(cell.get(), None);
    /// cell.set(1).unwrap();
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn get(&self) -> Option<&T> {
        let value = self.value.get();
        if value.is_some() {
            race::keyed::acquire(&self.race);
        }
        value
    }

    /// std's [`OnceLock::get_mut`](std::sync::OnceLock::get_mut).
    ///
    /// ```
    /// let mut cell = gosync::sync::OnceLock::new();
    /// cell.set(1).unwrap();
    /// *cell.get_mut().unwrap() += 1;
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    /// std's [`OnceLock::set`](std::sync::OnceLock::set): initialises the cell with
    /// `value`, waiting for a running initialiser first.
    ///
    /// # Errors
    ///
    /// `Err(value)` if the cell was already initialised.
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::new();
    /// assert_eq!(cell.set(1), Ok(()));
    /// assert_eq!(cell.set(2), Err(2));
    /// ```
    #[track_caller]
    pub fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.get_or_init(|| value.take().expect("called at most once"));
        match value {
            None => Ok(()),
            Some(value) => Err(value),
        }
    }

    /// std's [`OnceLock::get_or_init`](std::sync::OnceLock::get_or_init): the value,
    /// running `f` to initialise it if no one has. Concurrent callers wait for the one
    /// running initialiser; if it panics, the next caller runs its own.
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::new();
    /// assert_eq!(*cell.get_or_init(|| 5), 5);
    /// assert_eq!(*cell.get_or_init(|| 6), 5);
    /// ```
    #[track_caller]
    pub fn get_or_init<F: FnOnce() -> T>(&self, f: F) -> &T {
        if let Some(value) = self.get() {
            return value;
        }
        let claimed = block::block_on(&[&self.race], "sync.Once.Do", Site::here(), None, || {
            let mut running = self.running();
            if self.value.get().is_some() {
                Some(false)
            } else if *running {
                None
            } else {
                *running = true;
                Some(true)
            }
        })
        .expect("get_or_init has no deadline");
        if claimed {
            let _unclaim = Unclaim(self);
            let value = f();
            race::keyed::release_merge(&self.race);
            if self.value.set(value).is_err() {
                unreachable!("only the claimant initialises the cell");
            }
        }
        self.get()
            .expect("initialised above or by the claimant waited for")
    }

    /// std's [`OnceLock::into_inner`](std::sync::OnceLock::into_inner).
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::new();
    /// cell.set("v").unwrap();
    /// assert_eq!(cell.into_inner(), Some("v"));
    /// ```
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// std's [`OnceLock::take`](std::sync::OnceLock::take): empties the cell.
    ///
    /// ```
    /// let mut cell = gosync::sync::OnceLock::new();
    /// cell.set(3).unwrap();
    /// assert_eq!(cell.take(), Some(3));
    /// assert_eq!(cell.get(), None);
    /// ```
    pub fn take(&mut self) -> Option<T> {
        self.value.take()
    }
}

impl<T> Default for OnceLock<T> {
    /// std's `Default`: an empty cell.
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: Clone> Clone for OnceLock<T> {
    /// std's `Clone`: a new cell holding a clone of the value, if any.
    fn clone(&self) -> Self {
        let cell = OnceLock::new();
        if let Some(value) = self.get() {
            let _ = cell.set(value.clone());
        }
        cell
    }
}

impl<T> From<T> for OnceLock<T> {
    /// std's `From<T>`: an initialised cell.
    fn from(value: T) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(value);
        cell
    }
}

impl<T: PartialEq> PartialEq for OnceLock<T> {
    /// std's `PartialEq`: equal when both are empty or both hold equal values.
    fn eq(&self, other: &OnceLock<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceLock<T> {}
