//! The objects the checker watches, and how it names them: the [`Place`] its state is
//! keyed by, the [`ObjectId`] of a gosync object that may move, the [`SyncClock`] a gosync
//! object keeps inside itself, and [`RaceCell`], a stand-in for a plain Go variable.
//!
//! Without the `race` feature there are no places, `ObjectId` and `SyncClock` are
//! zero-sized no-ops, and a `RaceCell` is its value behind a lock.

#[cfg(feature = "race")]
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

#[cfg(feature = "race")]
use super::domain::{forget, with_current};
#[cfg(feature = "race")]
use super::sync::VectorClock;

// ---- Places: what the checker keys its state by ---------------------------------------
//
// A raw address, or the identity of an object that may move. Sync objects and memory
// locations live in separate maps (TSan's metamap vs shadow memory), so one [`Place`] can
// name both a WaitGroup (sync) and its semaphore (memory).

/// The identity a sync clock or a shadow word is stored under.
#[cfg(feature = "race")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Ident {
    /// A user's address, as passed to [`race::read`](crate::race::read) and friends.
    Addr(usize),
    /// An [`ObjectId`]: stable across moves, never reused.
    Object(u64),
    /// A `gosync::sync::atomic` type's release-sequence clock, at the atomic's address
    /// (kept apart from `Addr`, so a user's `race::release(&a)` cannot overwrite it).
    Atomic(usize),
}

/// An annotated place: its identity, and the address printed in reports.
#[cfg(feature = "race")]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    pub(crate) ident: Ident,
    pub(crate) addr: usize,
}

#[cfg(feature = "race")]
impl Place {
    /// A user's address: identity and printed address are the same.
    #[inline]
    pub(crate) fn addr<T: ?Sized>(addr: *const T) -> Place {
        let addr = addr.cast::<()>() as usize;
        Place {
            ident: Ident::Addr(addr),
            addr,
        }
    }
}

// ---- ObjectId: the race identity of a gosync object (a `WaitGroup`, a channel) --------

/// The race identity of an object that may move between uses, as Go's `unsafe.Pointer(wg)`
/// is a WaitGroup's identity there (Go's objects never move).
///
/// Keying by address would lose a WaitGroup's clock when it moves (a `Box::new(wg)` after a
/// first round), and hand a dropped object's clock to whatever is built at its address next
/// (fake happens-before, research §6.7). An id taken from a global counter at first
/// annotation has neither problem; dropping the object frees its state. Without the
/// `race` feature this is a zero-sized no-op.
pub(crate) struct ObjectId {
    /// 0 until the first annotation; then a number no other object ever gets.
    #[cfg(feature = "race")]
    id: AtomicU64,
}

impl ObjectId {
    /// No identity yet: assigned at first use, so `new` stays a `const fn`.
    pub(crate) const fn new() -> ObjectId {
        ObjectId {
            #[cfg(feature = "race")]
            id: AtomicU64::new(0),
        }
    }

    /// The place this object's annotations name; the printed address is this field's.
    #[cfg(feature = "race")]
    pub(crate) fn place(&self) -> Place {
        Place {
            ident: Ident::Object(self.id()),
            addr: self as *const ObjectId as usize,
        }
    }

    #[cfg(feature = "race")]
    fn id(&self) -> u64 {
        /// The next id to hand out; 0 means "none yet".
        static NEXT: AtomicU64 = AtomicU64::new(1);
        // ORDERING: Relaxed. Only the value matters: the CAS makes every caller agree on one
        // id, and no other memory is published through it.
        match self.id.load(Relaxed) {
            0 => {
                let fresh = NEXT.fetch_add(1, Relaxed);
                // ORDERING: Relaxed, as above; losers of the CAS adopt the winner's id.
                match self.id.compare_exchange(0, fresh, Relaxed, Relaxed) {
                    Ok(_) => fresh,
                    Err(winner) => winner,
                }
            }
            id => id,
        }
    }
}

#[cfg(feature = "race")]
impl Drop for ObjectId {
    /// Frees this object's sync clock and shadow word, as `__tsan_free` resets a range.
    fn drop(&mut self) {
        // `&mut self`: no other thread can touch the id now, so a plain read is enough.
        if *self.id.get_mut() != 0 {
            forget(self.place().ident);
        }
    }
}

// ---- SyncClock: a sync object's clock kept inside a gosync object ---------------------
//
// A channel slot's, a message's: for edges that no address names.

/// A released clock owned by its object, not by the checker's maps: used where each
/// message or buffer slot of a channel is its own sync object (Go's `chanbuf(c, i)`).
/// Its lock is the owner's. Zero-sized without the `race` feature.
#[derive(Default)]
pub(crate) struct SyncClock {
    /// The clock and the domain (by address) whose goroutine numbers it uses; a clock
    /// from another domain means nothing here and is ignored.
    #[cfg(feature = "race")]
    released: Option<(usize, VectorClock)>,
}

#[cfg(feature = "race")]
impl SyncClock {
    /// Go's `raceacquire`: `C_t ⊔= L`.
    pub(crate) fn acquire(&self) {
        with_current(|g| {
            if let Some((domain, clock)) = &self.released {
                if g.ignore_sync == 0 && *domain == g.domain_addr() {
                    g.clock.join(clock);
                }
            }
        });
    }

    /// Go's `racerelease` (TSan `ReleaseStore`): `L := C_t`, then tick.
    pub(crate) fn release(&mut self) {
        with_current(|g| {
            if g.ignore_sync == 0 {
                self.store(g.domain_addr(), &g.clock);
                g.clock.tick(g.tid);
            }
        });
    }

    /// Go's `racereleaseacquire` (TSan `ReleaseStoreAcquire`): `C_t ⊔= L` and `L := C_t`
    /// (the clock before the join), then tick. One buffer slot carries each sender's
    /// clock to its receiver and each receiver's to the sender `cap` messages later.
    pub(crate) fn release_acquire(&mut self) {
        with_current(|g| {
            if g.ignore_sync == 0 {
                let domain = g.domain_addr();
                let before = self.released.replace((domain, g.clock.clone()));
                if let Some((from, clock)) = before {
                    if from == domain {
                        g.clock.join(&clock);
                    }
                }
                g.clock.tick(g.tid);
            }
        });
    }

    /// `L := L ⊔ L'` for another sync object's clock `L'` (of the same domain): what
    /// `racereleaseg` does for a goroutine whose clock `L'` holds, after it acquired `L`.
    pub(crate) fn join_from(&mut self, other: &SyncClock) {
        match (&mut self.released, &other.released) {
            (Some((mine, clock)), Some((theirs, other))) if mine == theirs => clock.join(other),
            (None, Some(other)) => self.released = Some(other.clone()),
            _ => {}
        }
    }

    /// `L := L'`.
    pub(crate) fn copy_from(&mut self, other: &SyncClock) {
        if let Some((domain, clock)) = &other.released {
            self.store(*domain, clock);
        }
    }

    fn store(&mut self, domain: usize, clock: &VectorClock) {
        match &mut self.released {
            Some((from, mine)) => {
                *from = domain;
                mine.copy_from(clock);
            }
            None => self.released = Some((domain, clock.clone())),
        }
    }
}

#[cfg(not(feature = "race"))]
impl SyncClock {
    #[inline(always)]
    pub(crate) fn acquire(&self) {}
    #[inline(always)]
    pub(crate) fn release(&mut self) {}
    #[inline(always)]
    pub(crate) fn release_acquire(&mut self) {}
    #[inline(always)]
    pub(crate) fn join_from(&mut self, _: &SyncClock) {}
    #[inline(always)]
    pub(crate) fn copy_from(&mut self, _: &SyncClock) {}
}

// ---- RaceCell: a stand-in for a plain Go variable -------------------------------------

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
        forget(Place::addr(self).ident);
    }
}
