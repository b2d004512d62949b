//! Happens-before: the checker's vector clocks, and Go's synchronisation annotations that
//! carry them from goroutine to goroutine through sync objects.
//!
//! The clocks are the arithmetic ([`VectorClock`], [`Epoch`]); the annotations (Go's
//! `Acquire`, `Release`, `ReleaseMerge`, `Disable`, `Enable`) move them between a
//! goroutine's clock `C_t` and the clock `L_a` its domain keeps for a sync object, and
//! record the edges an acquire creates. Clocks kept inside a gosync object instead of the
//! domain are [`SyncClock`](super::SyncClock)s; the atomics' clocks are `atomic`'s.

use super::domain::{with_current, Domain};
use super::object::{Ident, Place};
use super::report::{HappensBefore, SyncObject};

// ---- Vector clocks and epochs ---------------------------------------------------------
//
// The happens-before arithmetic of the checker. A goroutine's clock `C_t` holds, for every
// goroutine `u` of its domain, how much of `u`'s history `t` has seen. An access is
// remembered as an *epoch* `c@u` (FastTrack): it happens before clock `V` iff `c <= V[u]`.

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

    /// The components `(u, self[u])` where `self[u] > seen[u]`: what `seen` would learn
    /// from joining `self`.
    pub(crate) fn ahead_of<'a>(
        &'a self,
        seen: &'a VectorClock,
    ) -> impl Iterator<Item = (Tid, u32)> + 'a {
        self.0
            .iter()
            .copied()
            .filter(move |&(tid, time)| time > seen.get(tid))
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

// ---- Go's sync annotations: Acquire, Release, ReleaseMerge, Disable, Enable -----------
//
// They act on the clocks `L_a` the domain keeps by place, and are ignored while the
// goroutine has sync disabled (`g.raceignore`).

/// `C_t := C_t ⊔ L_a`, unless sync is disabled; records an edge from every goroutine
/// `u` with `L_a[u] > C_t[u]` to this goroutine's epoch.
pub(crate) fn acquire(place: Place) {
    with_current(|g| {
        if g.ignore_sync == 0 {
            if let Some(released) = g.domain.sync_clocks(place.ident).get(&place.ident) {
                let object = match place.ident {
                    Ident::Addr(_) | Ident::Atomic(_) => SyncObject::Address(place.addr),
                    Ident::Object(_) => SyncObject::Gosync(place.addr),
                };
                acquire_clock(&g.domain, g.tid, &mut g.clock, released, Some(object));
            }
        }
    });
}

/// `C_t := C_t ⊔ released` for goroutine `tid` of `domain` with clock `clock`,
/// recording an edge through `object` (if any) from every goroutine `u` with
/// `released[u] > C_t[u]`. The caller checked `ignore_sync`.
pub(crate) fn acquire_clock(
    domain: &Domain,
    tid: Tid,
    clock: &mut VectorClock,
    released: &VectorClock,
    object: Option<SyncObject>,
) {
    if let Some(object) = object {
        let to_step = u64::from(clock.get(tid));
        // The edges lock is a leaf: taken under the shard lock, never around it.
        domain.record_edges(
            released
                .ahead_of(clock)
                .map(|(from, from_step)| HappensBefore {
                    from: u64::from(from),
                    from_step: u64::from(from_step),
                    to: u64::from(tid),
                    to_step,
                    object,
                }),
        );
    }
    clock.join(released);
}

/// TSan's `ReleaseStore`: `L_a := C_t` (earlier releasers are forgotten), then tick.
pub(crate) fn release(place: Place) {
    release_with(place, VectorClock::copy_from);
}

/// TSan's `Release`: `L_a := L_a ⊔ C_t` (every releaser is kept), then tick.
pub(crate) fn release_merge(place: Place) {
    release_with(place, VectorClock::join);
}

/// A release: `into(L_a, C_t)`, then the releaser ticks, unless sync is disabled.
fn release_with(place: Place, into: fn(&mut VectorClock, &VectorClock)) {
    with_current(|g| {
        if g.ignore_sync == 0 {
            into(
                g.domain
                    .sync_clocks(place.ident)
                    .entry(place.ident)
                    .or_default(),
                &g.clock,
            );
            g.clock.tick(g.tid);
        }
    });
}

/// `g.raceignore++`.
pub(crate) fn disable() {
    with_current(|g| g.ignore_sync += 1);
}

/// `g.raceignore--`.
pub(crate) fn enable() {
    with_current(|g| {
        debug_assert!(
            g.ignore_sync > 0,
            "race::enable without a matching race::disable"
        );
        g.ignore_sync = g.ignore_sync.saturating_sub(1);
    });
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
