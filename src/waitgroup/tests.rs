//! Unit tests of every single-threaded behaviour in the checklist of
//! `shared/research/go-internals.md` §5, with Go 1.19.8's outcomes as the expected values.
//!
//! The expected states and panic texts were produced by real Go (go1.19.8, linux/amd64):
//! a program that calls `Add`/`Done`/`Wait`, recovers each panic and prints the state
//! word through an `unsafe` mirror of `{state1 uint64; state2 uint32}`. The tables below
//! quote its output.
//!
//! Waiting for a thread to block is done by polling [`WaitGroup::snapshot`]'s `parked`,
//! never by sleeping. The release-window cases (§7.2) and the "reused" panic need a thread
//! stopped at a chosen line; `tests/release_window.rs` stops it there deterministically
//! (through the `tracing` feature's events), and `tests/loom.rs` reaches them through
//! real interleavings.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread::{self, JoinHandle};

use super::{Snapshot, WaitGroup};
use crate::WaitGroupError;

/// Go's panic texts, written out here rather than taken from the crate, so that a typo in
/// `src/error.rs` fails these tests.
const NEGATIVE: &str = "sync: negative WaitGroup counter";
const ADD_CONCURRENT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
const REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";

/// Runs `f`, returning `Err(payload)` if it panicked with a `&'static str` payload, as
/// Go's `recover()` would return it. Any other payload fails the test.
fn recover(f: impl FnOnce()) -> Result<(), &'static str> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        *payload
            .downcast_ref::<&'static str>()
            .expect("panic payload must be a &'static str, as Go's panic(string)")
    })
}

/// A state word from Go's decoding: counter in the high half, waiters in the low half.
fn word(counter: i32, waiters: u32) -> u64 {
    (u64::from(counter as u32) << 32) | u64::from(waiters)
}

/// Polls until `n` waiters of `wg` are asleep in the semaphore. Fails at once, instead of
/// spinning forever, if a waiter returned although it should be blocked.
fn wait_until_parked<T>(wg: &WaitGroup, n: usize, waiters: &[JoinHandle<T>]) {
    while wg.snapshot().parked != n {
        assert!(
            waiters.iter().all(|w| !w.is_finished()),
            "a waiter returned instead of blocking: {:?}",
            wg.snapshot()
        );
        thread::yield_now();
    }
}

/// Spawns a thread that waits on `wg` and reports how its `wait` ended.
fn spawn_waiter(wg: &'static WaitGroup) -> JoinHandle<Result<(), &'static str>> {
    thread::spawn(crate::race::forked(move || recover(|| wg.wait())))
}

/// A quiescent group: every token taken, nobody parked.
fn quiescent(state: u64) -> Snapshot {
    Snapshot {
        state,
        counter: super::counter(state),
        waiters: super::waiters(state),
        go_panic: state & super::GO_PANIC != 0,
        sema: 0,
        parked: 0,
    }
}

// ---- Layout and construction -------------------------------------------------------

#[test]
fn zero_value_is_ready_to_use() {
    static STATIC: WaitGroup = WaitGroup::new();
    for wg in [&WaitGroup::new(), &WaitGroup::default(), &STATIC] {
        assert_eq!(wg.snapshot(), quiescent(0));
        wg.wait(); // Go: a zero-value Wait returns immediately.
        assert_eq!(wg.snapshot(), quiescent(0));
    }
}

#[test]
fn add_zero_on_the_zero_value_changes_nothing() {
    let wg = WaitGroup::new();
    wg.add(0);
    assert_eq!(wg.snapshot(), quiescent(0));
    wg.wait();
}

#[test]
fn waitgroup_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<WaitGroup>();
    assert_send_sync::<Snapshot>();
}

/// Go's WaitGroup is 16 bytes (a `uint64` and a `uint32`, 8-aligned). gosync adds one
/// word, the slot for `WaitGroup::go`'s panic, and the race checker's id with `race`.
#[test]
fn size_is_gos_sixteen_bytes_plus_the_go_panic_slot() {
    let race_id = if crate::race::ENABLED { 8 } else { 0 };
    assert_eq!(std::mem::size_of::<WaitGroup>(), 16 + 8 + race_id);
    assert_eq!(std::mem::align_of::<WaitGroup>(), 8);
}

#[test]
fn debug_shows_counter_and_waiters() {
    static WG: WaitGroup = WaitGroup::new();
    assert_eq!(format!("{WG:?}"), "WaitGroup { counter: 0, waiters: 0 }");
    WG.add(2);
    assert_eq!(format!("{WG:?}"), "WaitGroup { counter: 2, waiters: 0 }");
    let waiter = spawn_waiter(&WG);
    wait_until_parked(&WG, 1, std::slice::from_ref(&waiter));
    assert_eq!(format!("{WG:?}"), "WaitGroup { counter: 2, waiters: 1 }");
    WG.add(-2);
    assert_eq!(waiter.join().unwrap(), Ok(()));
    assert_eq!(
        format!("{:#?}", WG),
        "WaitGroup {\n    counter: 0,\n    waiters: 0,\n}"
    );
}

/// All three of Go's panics: the payload, `go_text` and `Display` are Go's text.
#[test]
fn every_misuse_panics_with_gos_exact_text() {
    for (error, text) in [
        (WaitGroupError::NegativeCounter, NEGATIVE),
        (
            WaitGroupError::AddCalledConcurrentlyWithWait,
            ADD_CONCURRENT,
        ),
        (WaitGroupError::ReusedBeforePreviousWaitReturned, REUSED),
    ] {
        assert_eq!(recover(|| error.panic()), Err(text));
        assert_eq!(error.go_text(), text);
        assert_eq!(error.to_string(), text);
    }
}

// ---- Add: Go's arithmetic on edge deltas ------------------------------------------

/// One line of Go's output: starting from `start`, `Add(delta)` ends with `outcome` and
/// leaves the state word `after`.
struct EdgeCase {
    start: i32,
    delta: isize,
    outcome: Result<(), &'static str>,
    after: u64,
}

/// go1.19.8, 64-bit `int`: `zero: Add(...)` and `five: Add(...)` lines of the oracle.
#[cfg(target_pointer_width = "64")]
const EDGE_CASES: &[EdgeCase] = {
    const fn ok(start: i32, delta: isize, after: u64) -> EdgeCase {
        EdgeCase {
            start,
            delta,
            outcome: Ok(()),
            after,
        }
    }
    const fn negative(start: i32, delta: isize, after: u64) -> EdgeCase {
        EdgeCase {
            start,
            delta,
            outcome: Err(NEGATIVE),
            after,
        }
    }
    &[
        ok(0, 0, 0x0000_0000_0000_0000),
        ok(0, 1, 0x0000_0001_0000_0000),
        negative(0, -1, 0xffff_ffff_0000_0000),
        negative(0, 1 << 31, 0x8000_0000_0000_0000),
        ok(0, 1 << 32, 0x0000_0000_0000_0000),
        ok(0, (1 << 32) + 1, 0x0000_0001_0000_0000),
        ok(0, -(1 << 32) + 1, 0x0000_0001_0000_0000),
        negative(0, isize::MAX, 0xffff_ffff_0000_0000),
        ok(0, isize::MIN, 0x0000_0000_0000_0000),
        ok(0, i32::MAX as isize, 0x7fff_ffff_0000_0000),
        negative(0, -(1 << 31), 0x8000_0000_0000_0000),
        negative(0, (1 << 33) - 1, 0xffff_ffff_0000_0000),
        ok(5, 0, 0x0000_0005_0000_0000),
        ok(5, 1, 0x0000_0006_0000_0000),
        ok(5, -1, 0x0000_0004_0000_0000),
        negative(5, 1 << 31, 0x8000_0005_0000_0000),
        ok(5, 1 << 32, 0x0000_0005_0000_0000),
        ok(5, (1 << 32) + 1, 0x0000_0006_0000_0000),
        ok(5, -(1 << 32) + 1, 0x0000_0006_0000_0000),
        ok(5, isize::MAX, 0x0000_0004_0000_0000),
        ok(5, isize::MIN, 0x0000_0005_0000_0000),
        negative(5, i32::MAX as isize, 0x8000_0004_0000_0000),
        negative(5, -(1 << 31), 0x8000_0005_0000_0000),
        ok(5, (1 << 33) - 1, 0x0000_0004_0000_0000),
    ]
};

#[test]
#[cfg(target_pointer_width = "64")]
fn add_edge_deltas_match_go() {
    for case in EDGE_CASES {
        let wg = WaitGroup::new();
        wg.add(case.start as isize);
        let outcome = recover(|| wg.add(case.delta));
        assert_eq!(
            (outcome, wg.snapshot()),
            (case.outcome, quiescent(case.after)),
            "Add({}) from counter {}",
            case.delta,
            case.start
        );
    }
}

#[test]
#[cfg(target_pointer_width = "64")]
fn try_add_edge_deltas_match_go_or_change_nothing() {
    for case in EDGE_CASES {
        let wg = WaitGroup::new();
        wg.add(case.start as isize);
        let before = wg.snapshot();
        let result = wg.try_add(case.delta);
        let expected = match case.outcome {
            Ok(()) => (Ok(()), quiescent(case.after)),
            Err(_) => (Err(WaitGroupError::NegativeCounter), before),
        };
        assert_eq!(
            (result, wg.snapshot()),
            expected,
            "try_add({}) from counter {}",
            case.delta,
            case.start
        );
        if let Err(e) = result {
            assert_eq!(Err(e.go_text()), case.outcome);
        }
    }
}

#[test]
fn i32_max_then_one_wraps_to_i32_min_and_panics() {
    let wg = WaitGroup::new();
    wg.add(i32::MAX as isize);
    assert_eq!(wg.snapshot(), quiescent(word(i32::MAX, 0)));
    // Go: `Add(MaxInt32); Add(1)` panics and leaves counter=-2147483648.
    assert_eq!(recover(|| wg.add(1)), Err(NEGATIVE));
    assert_eq!(wg.snapshot(), quiescent(0x8000_0000_0000_0000));
    // Go: a second `Add(1)` panics again, counter=-2147483647.
    assert_eq!(recover(|| wg.add(1)), Err(NEGATIVE));
    assert_eq!(wg.snapshot(), quiescent(word(-2_147_483_647, 0)));
}

// ---- Panics roll nothing back ------------------------------------------------------

/// Go's `TestWaitGroupMisuse` sequence, then the state Go leaves behind after each step.
#[test]
fn surplus_done_panics_and_leaves_the_counter_negative() {
    let wg = WaitGroup::new();
    wg.add(1);
    assert_eq!(recover(|| wg.done()), Ok(()));
    assert_eq!(recover(|| wg.done()), Err(NEGATIVE));
    assert_eq!(wg.snapshot(), quiescent(word(-1, 0)));
    assert_eq!(recover(|| wg.done()), Err(NEGATIVE));
    assert_eq!(wg.snapshot(), quiescent(word(-2, 0)));
    assert_eq!(recover(|| wg.add(2)), Ok(()));
    assert_eq!(wg.snapshot(), quiescent(0));
    assert_eq!(recover(|| wg.add(-1)), Err(NEGATIVE));
    assert_eq!(wg.snapshot(), quiescent(word(-1, 0)));
}

/// Go: after a surplus `Done`, `Wait` registers and blocks (`counter=-1 waiters=1`), and
/// `Add(1)` brings the counter to zero and releases it (`counter=0 waiters=0 sema=1`).
#[test]
fn wait_after_a_negative_panic_blocks_until_add_brings_zero() {
    static WG: WaitGroup = WaitGroup::new();
    assert_eq!(recover(|| WG.done()), Err(NEGATIVE));
    let waiter = spawn_waiter(&WG);
    wait_until_parked(&WG, 1, std::slice::from_ref(&waiter));
    let blocked = WG.snapshot();
    assert_eq!(
        (
            blocked.counter,
            blocked.waiters,
            blocked.sema,
            blocked.parked
        ),
        (-1, 1, 0, 1)
    );
    assert_eq!(recover(|| WG.add(1)), Ok(()));
    // The token may or may not have been taken yet; the word is reset either way.
    assert_eq!(WG.snapshot().state, 0);
    assert_eq!(waiter.join().unwrap(), Ok(()));
    assert_eq!(WG.snapshot(), quiescent(0));
}

/// Go, three waiters on `counter=1`: `Add(0)`, `Add(1<<32)`, `Add(5)`, `Add(-5)` keep them
/// registered; `Add(-2)` panics with `counter=-1 waiters=3`; `Add(1)` then releases all.
#[test]
fn registered_waiters_survive_balanced_adds_and_a_negative_panic() {
    static WG: WaitGroup = WaitGroup::new();
    WG.add(1);
    let waiters: Vec<_> = (0..3).map(|_| spawn_waiter(&WG)).collect();
    wait_until_parked(&WG, 3, &waiters);
    assert_eq!(
        WG.snapshot(),
        Snapshot {
            parked: 3,
            ..quiescent(word(1, 3))
        }
    );
    // Go: counter=1, 1, 6, 1 after these, waiters=3 throughout.
    for (delta, counter) in [(0, 1), (1 << 32, 1), (5, 6), (-5, 1)] {
        assert_eq!(recover(|| WG.add(delta)), Ok(()), "Add({delta})");
        let expected = Snapshot {
            parked: 3,
            ..quiescent(word(counter, 3))
        };
        assert_eq!(WG.snapshot(), expected, "after Add({delta})");
    }
    assert_eq!(recover(|| WG.add(-2)), Err(NEGATIVE));
    assert_eq!(
        WG.snapshot(),
        Snapshot {
            parked: 3,
            ..quiescent(word(-1, 3))
        }
    );
    assert_eq!(recover(|| WG.add(1)), Ok(()));
    assert_eq!(WG.snapshot().state, 0);
    for waiter in waiters {
        assert_eq!(waiter.join().unwrap(), Ok(()));
    }
    assert_eq!(WG.snapshot(), quiescent(0));
}

// ---- try_*: Go's error, nothing changed ---------------------------------------------

#[test]
fn try_done_on_zero_is_an_error_and_changes_nothing() {
    let wg = WaitGroup::new();
    assert_eq!(wg.try_done(), Err(WaitGroupError::NegativeCounter));
    assert_eq!(wg.snapshot(), quiescent(0));
    wg.add(1);
    assert_eq!(wg.try_done(), Ok(()));
    assert_eq!(wg.try_done(), Err(WaitGroupError::NegativeCounter));
    assert_eq!(wg.snapshot(), quiescent(0));
    assert_eq!(wg.checked_wait(), Ok(()));
}

/// The deprecated `try_wait` is still `checked_wait`, for code written against 0.1.
#[test]
#[allow(deprecated)]
fn deprecated_try_wait_still_waits() {
    let wg = WaitGroup::new();
    wg.add(1);
    thread::scope(|s| {
        s.spawn(crate::race::forked(|| wg.done()));
        assert_eq!(wg.try_wait(), Ok(()));
    });
    assert_eq!(wg.snapshot(), quiescent(0));
}

#[test]
fn try_add_errors_leave_registered_waiters_untouched() {
    static WG: WaitGroup = WaitGroup::new();
    WG.add(1);
    let waiters: Vec<_> = (0..2).map(|_| spawn_waiter(&WG)).collect();
    wait_until_parked(&WG, 2, &waiters);
    let before = WG.snapshot();
    for delta in [-2, -3, i32::MIN as isize] {
        assert_eq!(
            WG.try_add(delta),
            Err(WaitGroupError::NegativeCounter),
            "try_add({delta})"
        );
        assert_eq!(WG.snapshot(), before, "after try_add({delta})");
    }
    assert!(waiters.iter().all(|w| !w.is_finished()));
    // The releasing try_add resets the word and wakes both.
    assert_eq!(WG.try_done(), Ok(()));
    assert_eq!(WG.snapshot().state, 0);
    for waiter in waiters {
        assert_eq!(waiter.join().unwrap(), Ok(()));
    }
    assert_eq!(WG.snapshot(), quiescent(0));
}

#[test]
fn try_add_releases_a_waiter_blocked_on_a_negative_counter() {
    static WG: WaitGroup = WaitGroup::new();
    assert_eq!(WG.try_done(), Err(WaitGroupError::NegativeCounter));
    assert_eq!(WG.snapshot(), quiescent(0)); // unlike `done`, nothing committed
    assert_eq!(recover(|| WG.done()), Err(NEGATIVE));
    let waiter = thread::spawn(crate::race::forked(|| WG.checked_wait()));
    wait_until_parked(&WG, 1, std::slice::from_ref(&waiter));
    assert_eq!(WG.try_add(1), Ok(()));
    assert_eq!(waiter.join().unwrap(), Ok(()));
    assert_eq!(WG.snapshot(), quiescent(0));
}
