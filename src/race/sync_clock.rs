//! [`SyncClock`]: a sync object's clock kept inside a gosync object (a channel slot, a
//! message), for edges that no address names.

#[cfg(feature = "race")]
use super::{goroutine::with_current, sync::VectorClock};

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
