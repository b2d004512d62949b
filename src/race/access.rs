//! Go's `Read` and `Write` annotations: memory accesses, checked even while sync is
//! disabled.

use super::foreign;
use super::goroutine::with_current;
use super::place::Place;
use super::report::{AccessKind, Site};

/// Checks an access of `place` by this goroutine against its shadow, reports every race
/// found, and records the access.
pub(crate) fn access(place: Place, kind: AccessKind, site: Site) {
    with_current(|g| {
        foreign::touched(g, place.ident, &site);
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
