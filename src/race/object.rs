//! [`ObjectId`]: the race identity of a gosync object (a `WaitGroup`, a channel).

#[cfg(feature = "race")]
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[cfg(feature = "race")]
use super::place::{Ident, Place};

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
            super::goroutine::forget(self.place().ident);
        }
    }
}
