//! Go's synchronisation annotations on sync objects: `Acquire`, `Release`,
//! `ReleaseMerge`, `Disable`, `Enable`.

use super::clock::{Tid, VectorClock};
use super::domain::Domain;
use super::edge::{HappensBefore, SyncObject};
use super::goroutine::with_current;
use super::place::{Ident, Place};

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
