//! The Rust (C++20) memory model of `gosync::sync::atomic`, one test per rule: where
//! gosync is stricter than Go's race detector, whose atomics are all sequentially
//! consistent. Each verdict is the model's (C++20 [intro.races] and [atomics.fences],
//! which Rust adopts), and each test is built so that its verdict flips when its rule is
//! broken (`scripts/race-ablations`; the table in `docs/race.md`, "Atomics and fences").
//!
//! The shape of most tests: goroutine 2 writes `data`, then publishes through an atomic;
//! once it has (in real time, through an invisible std channel), goroutine 1 reads the
//! atomic, then reads `data`. The read races with the write unless the atomic operations
//! (and fences) make the write happen before it.
#![cfg(feature = "race")]

use std::sync::atomic::Ordering::{self, AcqRel, Acquire, Relaxed, Release, SeqCst};
use std::sync::{mpsc, Arc, Mutex};

use gosync::go;
use gosync::race::{self, check, DataRace, RaceCell, SyncObject};
use gosync::sync::atomic::{fence, AtomicBool, AtomicUsize};

/// Goroutine 2 writes `data` and runs `publish` on `flag`; after it has (an invisible
/// signal), this goroutine runs `observe` on `flag` and reads `data`. Returns the races.
fn publish_then_observe(
    publish: impl FnOnce(&AtomicUsize) + Send + 'static,
    observe: impl FnOnce(&AtomicUsize),
) -> Vec<DataRace> {
    let ((), races) = check(|| {
        let data = Arc::new(RaceCell::new(0));
        let flag = Arc::new(AtomicUsize::new(0));
        let (published, published_rx) = mpsc::channel();
        {
            let (data, flag) = (data.clone(), flag.clone());
            go(move || {
                data.set(42);
                publish(&flag);
                published.send(()).unwrap();
            });
        }
        published_rx.recv().unwrap();
        observe(&flag);
        data.get();
    });
    races
}

/// The verdict the model gives: `races` is empty iff `ordered`.
fn assert_ordered(races: &[DataRace], ordered: bool) {
    if ordered {
        assert!(
            races.is_empty(),
            "the model orders the accesses:\n{}",
            races[0]
        );
    } else {
        assert_eq!(
            races.len(),
            1,
            "the model leaves the write and the read unordered"
        );
    }
}

/// `publish` stores with `store`, `observe` loads with `load` and must see the store.
fn store_then_load(store: Ordering, load: Ordering) -> Vec<DataRace> {
    publish_then_observe(
        move |flag| flag.store(1, store),
        move |flag| assert_eq!(flag.load(load), 1),
    )
}

// --- release / acquire -------------------------------------------------------------------

/// A relaxed flag publishes nothing: a race in Rust (Go's detector, with only SeqCst
/// atomics, cannot express it). Broken (relaxed acquires or releases): no race.
#[test]
fn a_relaxed_flag_publishes_nothing() {
    assert_ordered(&store_then_load(Relaxed, Relaxed), false);
}

/// A release store read by an acquire load synchronizes: no race.
#[test]
fn release_store_then_acquire_load_synchronize() {
    assert_ordered(&store_then_load(Release, Acquire), true);
}

/// SeqCst is at least as strong as AcqRel on both sides.
#[test]
fn seq_cst_store_and_load_synchronize() {
    assert_ordered(&store_then_load(SeqCst, SeqCst), true);
    assert_ordered(&store_then_load(SeqCst, Acquire), true);
    assert_ordered(&store_then_load(Release, SeqCst), true);
}

/// Both halves are needed: a release store read by a relaxed load does not synchronize.
/// Broken (relaxed acquires): no race.
#[test]
fn a_release_store_read_by_a_relaxed_load_does_not_synchronize() {
    assert_ordered(&store_then_load(Release, Relaxed), false);
}

/// A relaxed store read by an acquire load does not synchronize.
/// Broken (relaxed releases): no race.
#[test]
fn a_relaxed_store_read_by_an_acquire_load_does_not_synchronize() {
    assert_ordered(&store_then_load(Relaxed, Acquire), false);
}

/// A write after the release store is not published by it. Broken (a release does not
/// end the releaser's epoch): the later write looks ordered.
#[test]
fn a_write_after_the_release_is_not_published() {
    let ((), races) = check(|| {
        let data = Arc::new(RaceCell::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (published, published_rx) = mpsc::channel();
        {
            let (data, flag) = (data.clone(), flag.clone());
            go(move || {
                flag.store(true, Release);
                data.set(42); // after the release: unpublished
                published.send(()).unwrap();
            });
        }
        published_rx.recv().unwrap();
        assert!(flag.load(Acquire));
        data.get();
    });
    assert_ordered(&races, false);
}

/// A read-modify-write with AcqRel both acquires and releases.
#[test]
fn an_acq_rel_rmw_acquires_and_releases() {
    let races = publish_then_observe(
        |flag| {
            flag.fetch_add(1, AcqRel);
        },
        |flag| assert_eq!(flag.fetch_add(1, AcqRel), 1),
    );
    assert_ordered(&races, true);
}

/// A failed compare-exchange is a load with the failure ordering: `Acquire` synchronizes.
/// Broken (the failure ordering ignored): a race.
#[test]
fn a_failed_compare_exchange_acquires_with_its_failure_ordering() {
    let races = publish_then_observe(
        |flag| flag.store(1, Release),
        |flag| assert_eq!(flag.compare_exchange(0, 5, Relaxed, Acquire), Err(1)),
    );
    assert_ordered(&races, true);
    let races = publish_then_observe(
        |flag| flag.store(1, Release),
        |flag| assert_eq!(flag.compare_exchange(0, 5, Acquire, Relaxed), Err(1)),
    );
    assert_ordered(&races, false);
}

// --- release sequences -------------------------------------------------------------------

/// Goroutine 2 writes `data` and release-stores 1; then goroutine 3 runs `middle` on the
/// flag; then this goroutine acquire-loads the flag (which must hold `expect`) and reads
/// `data`. Returns the races.
fn release_then_middle_then_acquire(
    middle: impl FnOnce(&AtomicUsize) + Send + 'static,
    expect: usize,
) -> Vec<DataRace> {
    let ((), races) = check(|| {
        let data = Arc::new(RaceCell::new(0));
        let flag = Arc::new(AtomicUsize::new(0));
        let (step, step_rx) = mpsc::channel();
        {
            let (data, flag, step) = (data.clone(), flag.clone(), step.clone());
            go(move || {
                data.set(42);
                flag.store(1, Release);
                step.send(()).unwrap();
            });
        }
        step_rx.recv().unwrap();
        {
            let flag = flag.clone();
            go(move || {
                middle(&flag);
                step.send(()).unwrap();
            });
        }
        step_rx.recv().unwrap();
        assert_eq!(flag.load(Acquire), expect);
        data.get();
    });
    races
}

/// A relaxed read-modify-write by another goroutine continues the release sequence: the
/// acquire load that reads its value synchronizes with the release store before it.
/// Broken (an RMW ends the sequence): a race.
#[test]
fn a_release_sequence_continues_through_read_modify_writes() {
    let races = release_then_middle_then_acquire(
        |flag| {
            flag.fetch_add(1, Relaxed);
        },
        2,
    );
    assert_ordered(&races, true);
    let races = release_then_middle_then_acquire(
        |flag| assert_eq!(flag.compare_exchange(1, 3, Relaxed, Relaxed), Ok(1)),
        3,
    );
    assert_ordered(&races, true);
}

/// A plain store by another goroutine ends the release sequence: the acquire load that
/// reads it learns nothing of the release store before it. Broken (a store continues the
/// sequence): no race.
#[test]
fn a_plain_store_ends_the_release_sequence() {
    let races = release_then_middle_then_acquire(|flag| flag.store(2, Relaxed), 2);
    assert_ordered(&races, false);
}

/// C++20 (P0982R1), which Rust follows: a later relaxed store by the *releasing*
/// goroutine also ends its release sequence (C++11 kept it in). Broken: no race.
#[test]
fn the_releasers_own_later_relaxed_store_ends_the_sequence_too() {
    let races = publish_then_observe(
        |flag| {
            flag.store(1, Release);
            flag.store(2, Relaxed);
        },
        |flag| assert_eq!(flag.load(Acquire), 2),
    );
    assert_ordered(&races, false);
}

// --- fences --------------------------------------------------------------------------------

/// fence-fence: a release fence before a relaxed store synchronizes with an acquire fence
/// after a relaxed load that reads it. Broken (no release fence, or no acquire fence): a
/// race.
#[test]
fn a_release_fence_and_an_acquire_fence_synchronize() {
    let races = publish_then_observe(
        |flag| {
            fence(Release);
            flag.store(1, Relaxed);
        },
        |flag| {
            assert_eq!(flag.load(Relaxed), 1);
            fence(Acquire);
        },
    );
    assert_ordered(&races, true);
}

/// fence-atomic: a release fence before a relaxed store synchronizes with an acquire load
/// that reads it. Broken (no release fence): a race.
#[test]
fn a_release_fence_and_an_acquire_load_synchronize() {
    let races = publish_then_observe(
        |flag| {
            fence(Release);
            flag.store(1, Relaxed);
        },
        |flag| assert_eq!(flag.load(Acquire), 1),
    );
    assert_ordered(&races, true);
}

/// atomic-fence: a release store synchronizes with an acquire fence after a relaxed load
/// that reads it. Broken (no acquire fence): a race.
#[test]
fn a_release_store_and_an_acquire_fence_synchronize() {
    let races = publish_then_observe(
        |flag| flag.store(1, Release),
        |flag| {
            assert_eq!(flag.load(Relaxed), 1);
            fence(Acquire);
        },
    );
    assert_ordered(&races, true);
}

/// SeqCst and AcqRel fences are both an acquire and a release fence.
#[test]
fn seq_cst_and_acq_rel_fences_acquire_and_release() {
    for order in [SeqCst, AcqRel] {
        let races = publish_then_observe(
            move |flag| {
                fence(order);
                flag.store(1, Relaxed);
            },
            move |flag| {
                assert_eq!(flag.load(Relaxed), 1);
                fence(order);
            },
        );
        assert_ordered(&races, true);
    }
}

/// Fences only order what is on the right side of them: a release fence *after* the
/// store, or an acquire fence *before* the load, synchronizes nothing.
#[test]
fn fences_on_the_wrong_side_synchronize_nothing() {
    let races = publish_then_observe(
        |flag| {
            flag.store(1, Relaxed);
            fence(Release);
        },
        |flag| assert_eq!(flag.load(Acquire), 1),
    );
    assert_ordered(&races, false);
    let races = publish_then_observe(
        |flag| flag.store(1, Release),
        |flag| {
            fence(Acquire);
            assert_eq!(flag.load(Relaxed), 1);
        },
    );
    assert_ordered(&races, false);
}

/// A relaxed read-modify-write after a release fence continues the release sequence
/// and adds the fence's clock to it.
#[test]
fn a_release_fence_before_a_relaxed_rmw_publishes_through_it() {
    let races = publish_then_observe(
        |flag| {
            fence(Release);
            flag.fetch_add(1, Relaxed);
        },
        |flag| assert_eq!(flag.load(Acquire), 1),
    );
    assert_ordered(&races, true);
}

/// `fence(Relaxed)` panics, as std's does.
#[test]
#[should_panic(expected = "there is no such thing as a relaxed fence")]
fn a_relaxed_fence_panics_as_stds() {
    fence(Relaxed);
}

// --- atomic accesses as memory accesses ----------------------------------------------------

/// Atomic accesses never race with each other, however relaxed. Broken (atomic writes
/// checked against each other): a race.
#[test]
fn atomic_accesses_never_race_with_each_other() {
    let ((), races) = check(|| {
        let flag = Arc::new(AtomicUsize::new(0));
        let flag2 = flag.clone();
        let writer = go(move || flag2.store(1, Relaxed));
        flag.store(2, Relaxed);
        flag.fetch_add(1, Relaxed);
        let _ = flag.load(Relaxed);
        drop(writer); // no join: the accesses stay unordered
    });
    assert!(races.is_empty(), "{}", races[0]);
}

/// An atomic store races with an unordered plain write of the same memory (Go's
/// `TestRaceAtomicAddStore` is the read-modify-write case). Broken (atomic accesses
/// invisible to plain ones): no race.
#[test]
fn an_atomic_store_races_with_an_unordered_plain_write() {
    let ((), races) = check(|| {
        let flag = Arc::new(AtomicUsize::new(0));
        let (stored, stored_rx) = mpsc::channel();
        let flag2 = flag.clone();
        go(move || {
            flag2.store(1, SeqCst);
            stored.send(()).unwrap();
        });
        stored_rx.recv().unwrap();
        race::write(flag.as_ptr());
    });
    assert_eq!(races.len(), 1);
}

// --- the checker's bookkeeping -------------------------------------------------------------

/// Inside `race::disable`, atomics make no edge (Go's `raceignore`, TSan's
/// `ignore_sync`), but their accesses are still checked.
#[test]
fn atomics_inside_disable_make_no_edge() {
    let races = publish_then_observe(
        |flag| {
            race::disable();
            flag.store(1, Release);
            race::enable();
        },
        |flag| assert_eq!(flag.load(Acquire), 1),
    );
    assert_ordered(&races, false);
}

/// An acquire load records the edge it created, through the atomic's address.
#[test]
fn an_acquire_load_records_its_edge() {
    let (edges, _) = check(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let (stored, stored_rx) = mpsc::channel();
        let flag2 = flag.clone();
        go(move || {
            flag2.store(true, Release);
            stored.send(()).unwrap();
        });
        stored_rx.recv().unwrap();
        assert!(flag.load(Acquire));
        race::edges()
    });
    assert_eq!(edges.len(), 1);
    assert_eq!((edges[0].from, edges[0].to), (2, 1));
    assert!(matches!(edges[0].object, SyncObject::Address(_)));
}

/// An atomic built where a dropped one lived does not inherit its release sequence.
/// Broken (no reset on drop): fake happens-before hides the race.
#[test]
fn a_new_atomic_at_a_freed_address_starts_clean() {
    let ((), races) = check(|| {
        // The std mutex only keeps the atomic at one address; the checker does not see it.
        let slot = Arc::new(Mutex::new(AtomicUsize::new(0)));
        let data = Arc::new(RaceCell::new(0));
        let (stored, stored_rx) = mpsc::channel();
        {
            let (slot, data) = (slot.clone(), data.clone());
            go(move || {
                data.set(1);
                slot.lock().unwrap().store(1, Release);
                stored.send(()).unwrap();
            });
        }
        stored_rx.recv().unwrap();
        let mut atomic = slot.lock().unwrap();
        let address = &*atomic as *const AtomicUsize;
        *atomic = AtomicUsize::new(1); // drops the first atomic, builds a second in its place
        assert_eq!(&*atomic as *const AtomicUsize, address);
        assert_eq!(atomic.load(Acquire), 1); // reads the new atomic: no release behind it
        data.get();
    });
    assert_eq!(races.len(), 1);
}
