//! [`RaceCell`]: a stand-in for a plain Go variable.

use std::sync::{Mutex, PoisonError};

/// A stand-in for a plain Go variable: `Sync`, with every access annotated, so the race
/// checker sees what `go test -race` sees on a Go variable.
///
/// Each cell is its own memory location (elements of an array of cells are distinct, as
/// `data[p]` in Go). The value sits behind a lock, so a racy program stays memory-safe in
/// Rust; that lock is invisible to the checker and orders nothing. Dropping a cell frees
/// its location, so a new cell built at the same address starts clean.
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::{check, RaceCell};
/// use std::sync::Arc;
///
/// let ((), races) = check(|| {
///     let hits = Arc::new(RaceCell::new(0));
///     let h = hits.clone();
///     gosync::go(move || h.update(|n| *n += 1)); // a read, then a write
///     hits.update(|n| *n += 1); // unordered with the goroutine's: races
/// });
/// assert!(!races.is_empty());
/// # }
/// ```
#[derive(Default)]
pub struct RaceCell<T> {
    value: Mutex<T>,
}

impl<T> RaceCell<T> {
    /// A new location holding `value`. Building it is not an access (Go's declaration).
    ///
    /// ```
    /// let x = gosync::race::RaceCell::new(7);
    /// assert_eq!(x.get(), 7);
    /// ```
    pub const fn new(value: T) -> Self {
        RaceCell {
            value: Mutex::new(value),
        }
    }

    /// Reads the value: a read access.
    ///
    /// ```
    /// let x = gosync::race::RaceCell::new(1.5);
    /// assert_eq!(x.get(), 1.5);
    /// ```
    #[track_caller]
    pub fn get(&self) -> T
    where
        T: Copy,
    {
        super::read(self);
        *self.value.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the value: a write access.
    ///
    /// ```
    /// let x = gosync::race::RaceCell::new(1);
    /// x.set(2);
    /// assert_eq!(x.get(), 2);
    /// ```
    #[track_caller]
    pub fn set(&self, value: T) {
        super::write(self);
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) = value;
    }

    /// Changes the value in place: a read, then a write (Go's `x++`, `x += d`).
    ///
    /// ```
    /// let x = gosync::race::RaceCell::new(41);
    /// assert_eq!(x.update(|v| { *v += 1; *v }), 42);
    /// ```
    #[track_caller]
    pub fn update<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        super::read(self);
        super::write(self);
        f(&mut self.value.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(feature = "race")]
impl<T> Drop for RaceCell<T> {
    /// Frees the location (`__tsan_free`): no state of this cell reaches a later one at
    /// the same address.
    fn drop(&mut self) {
        super::goroutine::forget(super::place::Place::addr(self).ident);
    }
}
