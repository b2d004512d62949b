//! Go's synchronisation annotations on sync objects: `Acquire`, `Release`,
//! `ReleaseMerge`, `Disable`, `Enable`.

use super::clock::VectorClock;
use super::goroutine::with_current;
use super::place::Place;

/// `C_t := C_t ⊔ L_a`, unless sync is disabled.
pub(crate) fn acquire(place: Place) {
    with_current(|g| {
        if g.ignore_sync == 0 {
            if let Some(released) = g.domain.sync_clocks(place.ident).get(&place.ident) {
                g.clock.join(released);
            }
        }
    });
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
