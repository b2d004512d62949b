//! Vector clocks and epochs: the happens-before arithmetic of the checker.
//!
//! A goroutine's clock `C_t` holds, for every goroutine `u` of its domain, how much of
//! `u`'s history `t` has seen. An access is remembered as an *epoch* `c@u` (FastTrack): it
//! happens before clock `V` iff `c <= V[u]`.

/// A goroutine's number inside its domain: 1, 2, 3, ... in order of creation (Go's
/// `goroutine N` in reports). Never reused, so no clock entry ever means two goroutines.
pub(crate) type Tid = u32;

/// A vector clock, stored sparsely: `(tid, time)` pairs sorted by `tid`, zeros implicit.
///
/// Sparse, not indexed by `tid`: a domain numbers every goroutine it ever saw and never
/// reuses a number, so a long-lived domain (the global one, in a test binary that starts
/// thousands of threads) would otherwise give each new goroutine a clock as long as that
/// history. A goroutine's clock holds only the goroutines it has heard of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct VectorClock(Vec<(Tid, u32)>);

impl VectorClock {
    /// The clock of a goroutine that has seen nothing but its own first step.
    pub(crate) fn first_step_of(tid: Tid) -> Self {
        VectorClock(vec![(tid, 1)])
    }

    /// `V[tid]`: how far `tid`'s history is known.
    #[inline]
    pub(crate) fn get(&self, tid: Tid) -> u32 {
        match self.0.binary_search_by_key(&tid, |&(t, _)| t) {
            Ok(i) => self.0[i].1,
            Err(_) => 0,
        }
    }

    /// `V[tid] += 1`: the owner starts a new epoch after releasing or forking.
    #[inline]
    pub(crate) fn tick(&mut self, tid: Tid) {
        match self.0.binary_search_by_key(&tid, |&(t, _)| t) {
            Ok(i) => self.0[i].1 += 1,
            Err(i) => self.0.insert(i, (tid, 1)),
        }
    }

    /// `V := V ⊔ other`, elementwise maximum.
    pub(crate) fn join(&mut self, other: &VectorClock) {
        // Fast path: every goroutine `other` knows is known here (the usual case once two
        // goroutines have synchronised), so the join is in place.
        let mut mine = self.0.iter_mut().peekable();
        let mut in_place = true;
        for &(tid, time) in &other.0 {
            while mine.next_if(|(t, _)| *t < tid).is_some() {}
            match mine.peek_mut() {
                Some((t, here)) if *t == tid => *here = (*here).max(time),
                _ => {
                    in_place = false;
                    break;
                }
            }
        }
        if !in_place {
            self.0 = merge(&self.0, &other.0);
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

/// The elementwise maximum of two sorted sparse clocks.
fn merge(a: &[(Tid, u32)], b: &[(Tid, u32)]) -> Vec<(Tid, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&&(ta, ca)), Some(&&(tb, cb))) if ta == tb => {
                a.next();
                b.next();
                (ta, ca.max(cb))
            }
            (Some(&&x), Some(&&y)) if x.0 < y.0 => {
                a.next();
                x
            }
            (_, Some(&&y)) => {
                b.next();
                y
            }
            (Some(&&x), None) => {
                a.next();
                x
            }
            (None, None) => return out,
        };
        out.push(next);
    }
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
        a.join(&b); // a new goroutine: merged
        assert_eq!((a.get(1), a.get(2), a.get(3)), (1, 0, 2));
        b.tick(3);
        b.tick(1);
        a.join(&b); // no new goroutine: in place
        assert_eq!((a.get(1), a.get(2), a.get(3)), (1, 0, 3));
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
