//! Memory accesses: the shadow state of each memory location, and Go's `Read` and `Write`
//! annotations that check an access against it.
//!
//! The shadow is FastTrack (Flanagan & Freund, PLDI 2009) with FT2's rules and no history
//! limit. The last write is one epoch (absent a race, writes are totally ordered); reads are
//! one epoch, or a set of concurrent read epochs ("read-shared") once two reads are
//! unordered. Nothing is ever evicted, unlike Go's four shadow cells per 8 bytes, so every
//! race of the observed run against the latest conflicting accesses is found.
//!
//! Atomic accesses (`gosync::sync::atomic`) are kept apart, as TSan's `kAccessAtomic`
//! bit does: two atomic accesses never race, an atomic and a plain one do when they are
//! unordered and one of them writes. Atomic writes are not totally ordered (two relaxed
//! stores from two goroutines are concurrent), so they are kept as a set, like reads.

use std::mem;

use super::domain::{self, with_current};
use super::object::Place;
use super::report::{AccessKind, Site};
use super::sync::{Epoch, Tid, VectorClock};

// ---- The shadow state of a location (FastTrack) ---------------------------------------

/// An access as the shadow remembers it.
#[derive(Clone, Debug)]
pub(crate) struct Stamp {
    pub(crate) epoch: Epoch,
    pub(crate) site: Site,
}

/// An earlier access that the current one races with.
pub(crate) struct Conflict {
    pub(crate) kind: AccessKind,
    pub(crate) stamp: Stamp,
}

/// The reads since the last write.
#[derive(Debug, Default)]
enum Reads {
    #[default]
    None,
    /// One read, or reads each ordered after the one before (FastTrack's epoch case).
    One(Stamp),
    /// Pairwise-unordered reads, at most one per goroutine (FastTrack's read VC).
    Shared(Vec<Stamp>),
}

impl Reads {
    /// Adds `stamp`, taken at clock `now`, dropping the accesses it is ordered after
    /// (FastTrack's READ EXCLUSIVE / SHARE / SHARED transitions).
    fn push(self, stamp: Stamp, now: &VectorClock) -> Reads {
        match self {
            Reads::None => Reads::One(stamp),
            // READ EXCLUSIVE: the previous read happens before this one, forget it.
            Reads::One(read) if read.epoch.happens_before(now) => Reads::One(stamp),
            // READ SHARE: two unordered reads; a later write must be checked against both.
            Reads::One(read) => Reads::Shared(vec![read, stamp]),
            // READ SHARED: keep only reads this one does not cover (FT2 keeps a VC; the
            // pruned entries are ordered before this read, so no verdict changes).
            Reads::Shared(mut reads) => {
                reads.retain(|read| !read.epoch.happens_before(now));
                if reads.is_empty() {
                    Reads::One(stamp)
                } else {
                    reads.push(stamp);
                    Reads::Shared(reads)
                }
            }
        }
    }

    /// Appends to `out` the accesses that do not happen before `now`, as conflicts of
    /// kind `kind` (no allocation when there are none: the common case).
    fn unordered_into(&self, now: &VectorClock, kind: AccessKind, out: &mut Vec<Conflict>) {
        let all: &[Stamp] = match self {
            Reads::None => return,
            Reads::One(read) => std::slice::from_ref(read),
            Reads::Shared(reads) => reads,
        };
        out.extend(
            all.iter()
                .filter(|stamp| !stamp.epoch.happens_before(now))
                .map(|stamp| Conflict {
                    kind,
                    stamp: stamp.clone(),
                }),
        );
    }
}

/// The shadow word of one location.
#[derive(Debug, Default)]
pub(crate) struct Shadow {
    write: Option<Stamp>,
    reads: Reads,
    /// Atomic writes (stores, read-modify-writes) since the last plain write.
    atomic_writes: Reads,
    /// Atomic loads since the last plain write.
    atomic_reads: Reads,
}

impl Shadow {
    /// A read by `tid` with clock `now`: races with the last write unless it happens before.
    pub(crate) fn read(&mut self, tid: Tid, now: &VectorClock, site: Site) -> Vec<Conflict> {
        let epoch = now.epoch(tid);
        let same_epoch = match &self.reads {
            Reads::One(read) => read.epoch == epoch,
            Reads::Shared(reads) => reads.iter().any(|read| read.epoch == epoch),
            Reads::None => false,
        };
        if same_epoch {
            // READ SAME EPOCH: this goroutine read here since its last sync; nothing new.
            return Vec::new();
        }
        let mut conflicts: Vec<Conflict> = self.unordered_write(now).into_iter().collect();
        self.atomic_writes
            .unordered_into(now, AccessKind::Write, &mut conflicts);
        let stamp = Stamp { epoch, site };
        self.reads = mem::take(&mut self.reads).push(stamp, now);
        conflicts
    }

    /// An atomic load by `tid`: races with the last plain write unless it happens before.
    pub(crate) fn atomic_read(&mut self, tid: Tid, now: &VectorClock, site: Site) -> Vec<Conflict> {
        let conflicts = self.unordered_write(now).into_iter().collect();
        let stamp = Stamp {
            epoch: now.epoch(tid),
            site,
        };
        self.atomic_reads = mem::take(&mut self.atomic_reads).push(stamp, now);
        conflicts
    }

    /// An atomic store or read-modify-write by `tid`: races with the last plain write and
    /// the plain reads since it that do not happen before; never with atomic accesses.
    pub(crate) fn atomic_write(
        &mut self,
        tid: Tid,
        now: &VectorClock,
        site: Site,
    ) -> Vec<Conflict> {
        let mut conflicts: Vec<Conflict> = self.unordered_write(now).into_iter().collect();
        self.reads
            .unordered_into(now, AccessKind::Read, &mut conflicts);
        let stamp = Stamp {
            epoch: now.epoch(tid),
            site,
        };
        self.atomic_writes = mem::take(&mut self.atomic_writes).push(stamp, now);
        conflicts
    }

    /// A write by `tid` with clock `now`: races with the last write and with every read
    /// since it that does not happen before.
    pub(crate) fn write(&mut self, tid: Tid, now: &VectorClock, site: Site) -> Vec<Conflict> {
        let epoch = now.epoch(tid);
        let no_reads = |reads: &Reads| matches!(reads, Reads::None);
        if no_reads(&self.reads)
            && no_reads(&self.atomic_reads)
            && no_reads(&self.atomic_writes)
            && self.write.as_ref().is_some_and(|w| w.epoch == epoch)
        {
            // WRITE SAME EPOCH, with no read since: nothing new to check.
            return Vec::new();
        }
        let mut conflicts: Vec<Conflict> = self.unordered_write(now).into_iter().collect();
        for (reads, kind) in [
            (&mut self.reads, AccessKind::Read),
            (&mut self.atomic_writes, AccessKind::Write),
            (&mut self.atomic_reads, AccessKind::Read),
        ] {
            mem::take(reads).unordered_into(now, kind, &mut conflicts);
        }
        self.write = Some(Stamp { epoch, site });
        conflicts
    }

    fn unordered_write(&self, now: &VectorClock) -> Option<Conflict> {
        let write = self
            .write
            .as_ref()
            .filter(|w| !w.epoch.happens_before(now))?;
        Some(Conflict {
            kind: AccessKind::Write,
            stamp: write.clone(),
        })
    }
}

// ---- Go's Read and Write annotations --------------------------------------------------
//
// Memory accesses, checked even while sync is disabled.

/// Checks an access of `place` by this goroutine against its shadow, reports every race
/// found, and records the access.
pub(crate) fn access(place: Place, kind: AccessKind, site: Site) {
    with_current(|g| {
        domain::touched(g, place.ident, &site);
        let conflicts = {
            let mut shadows = g.domain.shadows(place.ident);
            let shadow = shadows.entry(place.ident).or_default();
            match kind {
                AccessKind::Read => shadow.read(g.tid, &g.clock, site.clone()),
                AccessKind::Write => shadow.write(g.tid, &g.clock, site.clone()),
            }
        };
        for conflict in conflicts {
            g.domain
                .report(place.addr, (kind, g.tid, site.clone()), conflict);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::Location;

    fn site() -> Site {
        Site {
            location: Location::caller(),
            backtrace: None,
        }
    }

    #[test]
    fn unordered_writes_race_and_ordered_ones_do_not() {
        let mut x = Shadow::default();
        let t1 = VectorClock::first_step_of(1);
        let t2 = VectorClock::first_step_of(2);
        assert!(x.write(1, &t1, site()).is_empty());
        assert_eq!(x.write(2, &t2, site()).len(), 1);
        let mut t1_after = t1.clone();
        t1_after.join(&t2);
        assert!(x.write(1, &t1_after, site()).is_empty());
    }

    #[test]
    fn a_write_races_with_every_unordered_reader_not_just_the_last() {
        // Pitfall 13: keeping only the last read would miss reader 2 below.
        let mut x = Shadow::default();
        let (r2, r3) = (VectorClock::first_step_of(2), VectorClock::first_step_of(3));
        assert!(x.read(2, &r2, site()).is_empty());
        assert!(x.read(3, &r3, site()).is_empty());
        let mut writer = VectorClock::first_step_of(1);
        writer.join(&r3); // ordered after reader 3 only
        let conflicts = x.write(1, &writer, site());
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].stamp.epoch.tid, 2);
        assert_eq!(conflicts[0].kind, AccessKind::Read);
    }
}
