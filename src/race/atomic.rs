//! The Rust (C++20) memory model of atomics and fences, behind `gosync::sync::atomic`.
//!
//! Every atomic location `M` has a clock `S_M`: what an acquirer that reads `M`'s latest
//! value learns, the join of the releases whose release sequence that value belongs to.
//! Every goroutine has two fence clocks ([`Fences`]), as in loom (`rt/atomic.rs`,
//! `rt/synchronize.rs`): what its last release fence released, and what its relaxed
//! reads carried that its next acquire fence will acquire. The rules
//! (`docs/race.md`, "Atomics and fences"; C++20 [intro.races], [atomics.order],
//! [atomics.fences]):
//!
//! | operation | rule |
//! |---|---|
//! | load, Acquire/SeqCst | `C_t ⊔= S_M` |
//! | load, Relaxed | `F_acq ⊔= S_M` |
//! | store, Release/SeqCst | `S_M := C_t`, tick (a new release sequence) |
//! | store, Relaxed | `S_M := F_rel` (empty without a release fence): the sequence ends |
//! | read-modify-write | the load's rule with its ordering, then `S_M ⊔= C_t` if it releases, else `S_M ⊔= F_rel` (RMWs continue a release sequence); tick if it releases |
//! | failed compare-exchange | a load with the failure ordering |
//! | fence Acquire | `C_t ⊔= F_acq` |
//! | fence Release | `F_rel := C_t`, tick |
//! | fence AcqRel, SeqCst | Acquire then Release |
//!
//! Each operation runs under the lock of `M`'s clock, so the clocks change in `M`'s
//! modification order and every load reads the latest store (the model's one
//! simplification, as in TSan: a relaxed load that could read an older value on real
//! hardware is not explored).
//!
//! Atomic accesses are also memory accesses (TSan's `kAccessAtomic`): they never race
//! with each other, and race with an unordered plain access of the same address
//! (`race::read`/`race::write`) when one of the two writes.

use std::sync::atomic::Ordering;

use super::domain::{with_current, Domain};
use super::object::Ident;
use super::report::{AccessKind, Site, SyncObject};
use super::sync::{acquire_clock, Tid, VectorClock};

/// A goroutine's fence clocks.
#[derive(Default)]
pub(crate) struct Fences {
    /// `F_rel`: the goroutine's clock at its last release fence; what its later relaxed
    /// stores and read-modify-writes release.
    released: Option<VectorClock>,
    /// `F_acq`: the clocks `S_M` its relaxed loads read since its last acquire fence;
    /// what that next fence acquires.
    acquired: VectorClock,
}

/// What one operation did to its location.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Effect {
    /// A load (or a failed compare-exchange) with this ordering.
    Load(Ordering),
    /// A store that is not a read-modify-write: it ends `M`'s release sequence.
    Store(Ordering),
    /// A read-modify-write that wrote: it continues the release sequence it read.
    Rmw(Ordering),
}

/// Whether `order` has acquire semantics on a load (SeqCst is at least AcqRel).
fn acquires(order: Ordering) -> bool {
    matches!(
        order,
        Ordering::Acquire | Ordering::AcqRel | Ordering::SeqCst
    )
}

/// Whether `order` has release semantics on a store (SeqCst is at least AcqRel).
fn releases(order: Ordering) -> bool {
    matches!(
        order,
        Ordering::Release | Ordering::AcqRel | Ordering::SeqCst
    )
}

/// Runs `op`, the real operation on the atomic at `addr`, under the lock of `S_M`, then
/// applies the model to the [`Effect`] it reports, and checks the access. `op` is std's
/// atomic operation: no user code runs under the lock.
pub(crate) fn operation<R>(addr: usize, site: Site, op: impl FnOnce() -> (R, Effect)) -> R {
    let mut op = Some(op);
    let done = with_current(|g| {
        let ident = Ident::Atomic(addr);
        let (result, effect) = {
            let mut clocks = g.domain.sync_clocks(ident);
            let (result, effect) = op.take().expect("the operation runs once")();
            if g.ignore_sync == 0 {
                let seq = clocks.entry(ident).or_default();
                sync(
                    &g.domain,
                    g.tid,
                    &mut g.clock,
                    &mut g.fences,
                    seq,
                    addr,
                    effect,
                );
            }
            (result, effect)
        };
        // The access is stamped after the acquire and before the release's tick, so a
        // store's access is covered by the clock it released (TSan's order).
        let kind = match effect {
            Effect::Load(_) => AccessKind::Read,
            Effect::Store(_) | Effect::Rmw(_) => AccessKind::Write,
        };
        let conflicts = {
            let mut shadows = g.domain.shadows(Ident::Addr(addr));
            let shadow = shadows.entry(Ident::Addr(addr)).or_default();
            match kind {
                AccessKind::Read => shadow.atomic_read(g.tid, &g.clock, site.clone()),
                AccessKind::Write => shadow.atomic_write(g.tid, &g.clock, site.clone()),
            }
        };
        for conflict in conflicts {
            g.domain.report(addr, (kind, g.tid, site.clone()), conflict);
        }
        let ticks = match effect {
            Effect::Load(_) => false,
            Effect::Store(order) | Effect::Rmw(order) => releases(order),
        };
        if ticks && g.ignore_sync == 0 {
            g.clock.tick(g.tid);
        }
        result
    });
    // `None`: this thread's locals are being destroyed; the operation still happens.
    done.unwrap_or_else(|| op.take().expect("the operation runs once")().0)
}

/// The happens-before rules of one operation on `S_M` (`seq`), without the tick.
fn sync(
    domain: &Domain,
    tid: Tid,
    clock: &mut VectorClock,
    fences: &mut Fences,
    seq: &mut VectorClock,
    addr: usize,
    effect: Effect,
) {
    let mut read = |order: Ordering, seq: &VectorClock| {
        if acquires(order) {
            acquire_clock(domain, tid, clock, seq, Some(SyncObject::Address(addr)));
        } else {
            // Relaxed: no edge now; an acquire fence later turns it into one.
            fences.acquired.join(seq);
        }
    };
    match effect {
        Effect::Load(order) => read(order, seq),
        Effect::Store(order) => {
            if releases(order) {
                seq.copy_from(clock); // heads a new release sequence
            } else if let Some(fenced) = &fences.released {
                seq.copy_from(fenced); // the release fence before it heads the sequence
            } else {
                *seq = VectorClock::default(); // ends the release sequence
            }
        }
        Effect::Rmw(order) => {
            read(order, seq);
            if releases(order) {
                seq.join(clock);
            } else if let Some(fenced) = &fences.released {
                seq.join(fenced);
            }
        }
    }
}

/// `fence(order)`: an acquire fence acquires what the goroutine's relaxed loads read; a
/// release fence makes its later relaxed stores release its clock of now. Fence edges
/// go through no single object, so [`edges`](crate::race::edges) does not record them.
pub(crate) fn fence(order: Ordering) {
    with_current(|g| {
        if g.ignore_sync != 0 {
            return;
        }
        if acquires(order) {
            let acquired = std::mem::take(&mut g.fences.acquired);
            acquire_clock(&g.domain, g.tid, &mut g.clock, &acquired, None);
        }
        if releases(order) {
            match &mut g.fences.released {
                Some(released) => released.copy_from(&g.clock),
                None => g.fences.released = Some(g.clock.clone()),
            }
            g.clock.tick(g.tid);
        }
    });
}

/// Drops the state of the atomic at `addr` (its `S_M` and its shadow word) when it is
/// dropped, so an object built at the same address later starts clean.
pub(crate) fn forget(addr: usize) {
    super::domain::forget(Ident::Atomic(addr));
    super::domain::forget(Ident::Addr(addr));
}
