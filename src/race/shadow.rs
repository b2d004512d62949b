//! Shadow state of one memory location: FastTrack (Flanagan & Freund, PLDI 2009) with FT2's
//! rules and no history limit.
//!
//! The last write is one epoch (absent a race, writes are totally ordered); reads are one
//! epoch, or a set of concurrent read epochs ("read-shared") once two reads are unordered.
//! Nothing is ever evicted, unlike Go's four shadow cells per 8 bytes, so every race of the
//! observed run against the latest conflicting accesses is found.

use std::mem;

use super::clock::{Epoch, Tid, VectorClock};
use super::report::{AccessKind, Site};

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

/// The shadow word of one location.
#[derive(Debug, Default)]
pub(crate) struct Shadow {
    write: Option<Stamp>,
    reads: Reads,
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
        let conflicts = self.unordered_write(now).into_iter().collect();
        let stamp = Stamp { epoch, site };
        self.reads = match mem::take(&mut self.reads) {
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
        };
        conflicts
    }

    /// A write by `tid` with clock `now`: races with the last write and with every read
    /// since it that does not happen before.
    pub(crate) fn write(&mut self, tid: Tid, now: &VectorClock, site: Site) -> Vec<Conflict> {
        let epoch = now.epoch(tid);
        if matches!(self.reads, Reads::None)
            && self.write.as_ref().is_some_and(|w| w.epoch == epoch)
        {
            // WRITE SAME EPOCH, with no read since: nothing new to check.
            return Vec::new();
        }
        let mut conflicts: Vec<Conflict> = self.unordered_write(now).into_iter().collect();
        let unordered_reads = |read: &Stamp| !read.epoch.happens_before(now);
        let reads = match mem::take(&mut self.reads) {
            Reads::None => Vec::new(),
            Reads::One(read) => vec![read],
            Reads::Shared(reads) => reads,
        };
        conflicts.extend(
            reads
                .into_iter()
                .filter(unordered_reads)
                .map(|stamp| Conflict {
                    kind: AccessKind::Read,
                    stamp,
                }),
        );
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
