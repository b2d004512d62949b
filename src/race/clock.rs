//! Vector clocks and epochs: the happens-before arithmetic of the checker.
//!
//! A goroutine's clock `C_t` holds, for every goroutine `u` of its domain, how much of
//! `u`'s history `t` has seen. An access is remembered as an *epoch* `c@u` (FastTrack): it
//! happens before clock `V` iff `c <= V[u]`.

/// A goroutine's number inside its domain: 1, 2, 3, ... in order of creation (Go's
/// `goroutine N` in reports). Never reused, so no clock entry ever means two goroutines.
pub(crate) type Tid = u32;

/// A vector clock with implicit zeros past its end (Miri's `VClock`, TSan's `VectorClock`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct VectorClock(Vec<u32>);

impl VectorClock {
    /// The clock of a goroutine that has seen nothing but its own first step.
    pub(crate) fn first_step_of(tid: Tid) -> Self {
        let mut clock = Self::default();
        clock.tick(tid);
        clock
    }

    /// `V[tid]`: how far `tid`'s history is known.
    #[inline]
    pub(crate) fn get(&self, tid: Tid) -> u32 {
        self.0.get(index(tid)).copied().unwrap_or(0)
    }

    /// `V[tid] += 1`: the owner starts a new epoch after releasing or forking.
    #[inline]
    pub(crate) fn tick(&mut self, tid: Tid) {
        let i = index(tid);
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] += 1;
    }

    /// `V := V ⊔ other`, elementwise maximum.
    #[inline]
    pub(crate) fn join(&mut self, other: &VectorClock) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// `V := other`, reusing `V`'s allocation.
    #[inline]
    pub(crate) fn copy_from(&mut self, other: &VectorClock) {
        self.0.clone_from(&other.0);
    }

    /// This goroutine's current epoch `V[tid]@tid`.
    #[inline]
    pub(crate) fn epoch(&self, tid: Tid) -> Epoch {
        Epoch {
            tid,
            clock: self.get(tid),
        }
    }
}

#[inline]
fn index(tid: Tid) -> usize {
    debug_assert!(tid > 0, "goroutine numbers start at 1");
    (tid - 1) as usize
}

/// One point in one goroutine's history, `clock@tid`: all FastTrack keeps of an access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Epoch {
    pub(crate) tid: Tid,
    pub(crate) clock: u32,
}

impl Epoch {
    /// Whether this epoch happens before (or is part of) the history `seen`.
    #[inline]
    pub(crate) fn happens_before(self, seen: &VectorClock) -> bool {
        self.clock <= seen.get(self.tid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_is_the_elementwise_maximum_and_copy_overwrites() {
        let mut a = VectorClock::first_step_of(1); // [1]
        let mut b = VectorClock::first_step_of(3); // [0, 0, 1]
        b.tick(3);
        a.join(&b);
        assert_eq!((a.get(1), a.get(2), a.get(3)), (1, 0, 2));
        a.copy_from(&VectorClock::first_step_of(2));
        assert_eq!((a.get(1), a.get(2), a.get(3)), (0, 1, 0));
    }

    #[test]
    fn an_epoch_happens_before_a_clock_that_has_seen_it() {
        let mut seen = VectorClock::first_step_of(2);
        let e = Epoch { tid: 2, clock: 2 };
        assert!(!e.happens_before(&seen));
        seen.tick(2);
        assert!(e.happens_before(&seen));
        assert!(!Epoch { tid: 1, clock: 1 }.happens_before(&seen));
    }
}
