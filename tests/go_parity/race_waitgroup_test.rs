// Ported from Go 1.19.8 `src/runtime/race/testdata/waitgroup_test.go`.
// Copyright 2012 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors.

//! Go's race-detector tests of `sync.WaitGroup`, run under [`gosync::race::check`].
//!
//! Go's `testing` fails a `TestRace*` test when the race detector reports nothing and a
//! `TestNoRace*` test when it reports anything; here `race_*` tests require at least one
//! race and `no_race_*` tests none, the verdicts of `go test -race` on the same file.
//!
//! The translation: a Go variable is a [`RaceCell`] (shared through an `Arc`, as Go's
//! closures share it by reference), `go func()` is [`go`], `make(chan bool, n)` is
//! [`chan`]. Go's sleeps are kept: they pick the schedule. Sleeps, `Arc` and the
//! goroutines' ends create no happens-before edge, as in Go.
//!
//! Where a verdict depends on a sleep winning a race against thread start-up (a loaded
//! machine can start a thread 100 ms late), the schedule the sleep aims for is forced as
//! well, by [`schedule_until`] or a [`std::sync::Barrier`]: std's primitives and
//! [`WaitGroup::snapshot`] are invisible to the checker, so they order the run without
//! adding a happens-before edge to what it sees, and the verdict keeps Go's meaning.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use gosync::race::{check, DataRace, RaceCell};
use gosync::{chan, WaitGroup, WaitGroupError};

/// Go's `go` statement as Go runs it: a goroutine's unrecovered panic ends the program.
/// (With gosync's plain `go`, a misuse panic in a goroutine the test never joins would
/// leave the test blocked on a receive that can no longer come, instead of failing.)
#[track_caller]
pub(crate) fn go(f: impl FnOnce() + Send + 'static) {
    gosync::go(move || {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(f)) {
            let text = panic
                .downcast_ref::<&str>()
                .copied()
                .unwrap_or("(non-string payload)");
            eprintln!("panic in a goroutine, not recovered: {text}");
            std::process::abort();
        }
    });
}

/// Go's `TestRace*` verdict: the checker reported at least one race. The reports go to
/// stderr, which cargo shows with `-- --nocapture`.
pub(crate) fn expect_race(races: Vec<DataRace>) {
    for race in &races {
        eprintln!("{race}");
    }
    assert!(
        !races.is_empty(),
        "go test -race reports a race here; the checker found none"
    );
}

/// Go's `TestNoRace*` verdict: the checker reported nothing.
pub(crate) fn expect_no_race(races: Vec<DataRace>) {
    let reports: Vec<String> = races.iter().map(ToString::to_string).collect();
    assert!(
        races.is_empty(),
        "go test -race reports no race here; the checker found:\n{}",
        reports.join("\n")
    );
}

/// Go's `time.Sleep`: no happens-before edge.
fn sleep(ms: u64) {
    thread::sleep(Duration::from_millis(ms));
}

/// Forces the schedule a Go sleep aims for: yields until `ready` holds. It watches only
/// what the checker cannot see (std atomics, [`WaitGroup::snapshot`]), so the wait orders
/// the run without creating a happens-before edge: the checker's verdict is the one of
/// the schedule Go's sleep picks, on any machine load.
fn schedule_until(ready: impl Fn() -> bool) {
    while !ready() {
        thread::yield_now();
    }
}

/// A Go array of `P` ints: `P` distinct locations.
fn array<const P: usize>() -> Arc<[RaceCell<i32>; P]> {
    Arc::new(std::array::from_fn(|_| RaceCell::new(0)))
}

#[test]
fn no_race_wait_group() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let wg = Arc::new(WaitGroup::new());
        let n = 1;
        for i in 0..n {
            wg.add(1);
            let j = i;
            let (x, wg) = (x.clone(), wg.clone());
            go(move || {
                x.set(j);
                wg.done();
            });
        }
        wg.wait();
    });
    expect_no_race(races);
}

#[test]
fn race_wait_group() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let wg = Arc::new(WaitGroup::new());
        let n = 2;
        for i in 0..n {
            wg.add(1);
            let j = i;
            let (x, wg) = (x.clone(), wg.clone());
            go(move || {
                x.set(j);
                wg.done();
            });
        }
        wg.wait();
    });
    expect_race(races);
}

#[test]
fn no_race_wait_group2() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        {
            let (x, wg) = (x.clone(), wg.clone());
            go(move || {
                x.set(1);
                wg.done();
            });
        }
        wg.wait();
        x.set(2);
    });
    expect_no_race(races);
}

// incrementing counter in Add and locking wg's mutex
#[test]
fn race_wait_group_as_mutex() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let wg = Arc::new(WaitGroup::new());
        let (c_tx, c) = chan::<bool>(2);
        for v in [1, 2] {
            let (x, wg, c_tx) = (x.clone(), wg.clone(), c_tx.clone());
            go(move || {
                wg.wait();
                sleep(100);
                wg.add(1);
                x.set(v);
                wg.add(-1);
                c_tx.send(true);
            });
        }
        c.recv();
        c.recv();
    });
    expect_race(races);
}

// Incorrect usage: Add is too late.
#[test]
fn race_wait_group_wrong_wait() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(2);
        let x = Arc::new(RaceCell::new(0));
        let wg = Arc::new(WaitGroup::new());
        // gosync: Gosched lets the other goroutine make its Add before either Done, so
        // the counter reaches zero once. A goroutine whose thread starts late could Add
        // after the other's Done woke main's Wait (Go's "reused before previous Wait has
        // returned" panic) or while it releases (Go's "Add called concurrently with
        // Wait"). The std Barrier forces both Adds first; the checker does not see it,
        // so `x = 1` and `x = 2` stay unordered: Go's race, on any schedule.
        let both_added = Arc::new(Barrier::new(2));
        for v in [1, 2] {
            let (x, wg, c_tx) = (x.clone(), wg.clone(), c_tx.clone());
            let both_added = both_added.clone();
            go(move || {
                wg.add(1);
                thread::yield_now(); // runtime.Gosched()
                both_added.wait();
                x.set(v);
                wg.done();
                c_tx.send(true);
            });
        }
        wg.wait();
        c.recv();
        c.recv();
    });
    expect_race(races);
}

#[test]
fn race_wait_group_wrong_add() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(2);
        let wg = Arc::new(WaitGroup::new());
        // gosync: the sleeps aim for "both Adds, then main's Wait blocks, then the
        // Dones": the race is the first Add's read against the blocking Wait's write.
        // Threads starting 50 ms late, main's Wait finds the counter at zero and writes
        // nothing; main waking 50 ms late, the Dones come first, the same. A std atomic
        // (the Adds) and the group's snapshot (main registered) force the schedule; the
        // checker sees neither, so no happens-before edge orders the read and the write.
        let added = Arc::new(AtomicUsize::new(0));
        for _ in 0..2 {
            let (wg, c_tx, added) = (wg.clone(), c_tx.clone(), added.clone());
            go(move || {
                wg.add(1);
                added.fetch_add(1, SeqCst); // ORDERING: SeqCst; schedule only, no edge.
                sleep(100);
                schedule_until(|| wg.snapshot().waiters != 0);
                wg.done();
                c_tx.send(true);
            });
        }
        sleep(50);
        schedule_until(|| added.load(SeqCst) == 2); // ORDERING: SeqCst; as above.
        wg.wait();
        c.recv();
        c.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_wait_group_multiple_wait() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(2);
        let wg = Arc::new(WaitGroup::new());
        for _ in 0..2 {
            let (wg, c_tx) = (wg.clone(), c_tx.clone());
            go(move || {
                wg.wait();
                c_tx.send(true);
            });
        }
        wg.wait();
        c.recv();
        c.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_wait_group_multiple_wait2() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(2);
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        for _ in 0..2 {
            let (wg, c_tx) = (wg.clone(), c_tx.clone());
            go(move || {
                wg.done();
                wg.wait();
                c_tx.send(true);
            });
        }
        wg.wait();
        c.recv();
        c.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_wait_group_multiple_wait3() {
    let ((), races) = check(|| {
        const P: usize = 3;
        let data = array::<P>();
        let (done_tx, done) = chan::<bool>(P);
        let wg = Arc::new(WaitGroup::new());
        wg.add(P as isize);
        for p in 0..P {
            let (data, wg) = (data.clone(), wg.clone());
            go(move || {
                data[p].set(42);
                wg.done();
            });
        }
        for _ in 0..P {
            let (data, wg, done_tx) = (data.clone(), wg.clone(), done_tx.clone());
            go(move || {
                wg.wait();
                for p1 in 0..P {
                    let _ = data[p1].get();
                }
                done_tx.send(true);
            });
        }
        for _ in 0..P {
            done.recv();
        }
    });
    expect_no_race(races);
}

// Correct usage but still a race
#[test]
fn race_wait_group2() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        for v in [1, 2] {
            let (x, wg) = (x.clone(), wg.clone());
            go(move || {
                x.set(v);
                wg.done();
            });
        }
        wg.wait();
    });
    expect_race(races);
}

#[test]
fn no_race_wait_group_panic_recover() {
    let ((), races) = check(|| {
        let x = RaceCell::new(0);
        let wg = WaitGroup::new();
        // defer func() { err := recover(); ...; x = 2 }()
        let err = catch_unwind(AssertUnwindSafe(|| {
            x.set(1);
            wg.add(-1);
        }))
        .unwrap_err();
        if err.downcast_ref::<&str>() != Some(&WaitGroupError::NegativeCounter.go_text()) {
            panic!("Unexpected panic: {err:?}");
        }
        x.set(2);
    });
    expect_no_race(races);
}

// TODO: this is actually a panic-synchronization test, not a
// WaitGroup test. Move it to another *_test file
// Is it possible to get a race by synchronization via panic?
#[test]
fn no_race_wait_group_panic_recover2() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let wg = Arc::new(WaitGroup::new());
        let (ch_tx, ch) = chan::<bool>(1);
        let f = {
            let x = x.clone();
            move || {
                x.set(2);
                ch_tx.send(true);
            }
        };
        go(move || {
            // defer func() { err := recover(); ...; go f() }()
            let _ = catch_unwind(AssertUnwindSafe(|| {
                x.set(1);
                wg.add(-1);
            }));
            go(f);
        });

        ch.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_wait_group_transitive() {
    let ((), races) = check(|| {
        let (x, y) = (Arc::new(RaceCell::new(0)), Arc::new(RaceCell::new(0)));
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        {
            let (x, wg) = (x.clone(), wg.clone());
            go(move || {
                x.set(42);
                wg.done();
            });
        }
        {
            let (y, wg) = (y.clone(), wg.clone());
            go(move || {
                sleep(10); // time.Sleep(1e7)
                y.set(42);
                wg.done();
            });
        }
        wg.wait();
        let _ = x.get();
        let _ = y.get();
    });
    expect_no_race(races);
}

#[test]
fn no_race_wait_group_reuse() {
    let ((), races) = check(|| {
        const P: usize = 3;
        let data = array::<P>();
        let wg = Arc::new(WaitGroup::new());
        for _try in 0..3 {
            wg.add(P as isize);
            for p in 0..P {
                let (data, wg) = (data.clone(), wg.clone());
                go(move || {
                    data[p].update(|d| *d += 1);
                    wg.done();
                });
            }
            wg.wait();
            for p in 0..P {
                data[p].update(|d| *d += 1);
            }
        }
    });
    expect_no_race(races);
}

#[test]
fn no_race_wait_group_reuse2() {
    let ((), races) = check(|| {
        const P: usize = 3;
        let data = array::<P>();
        let wg = Arc::new(WaitGroup::new());
        for _try in 0..3 {
            wg.add(P as isize);
            for p in 0..P {
                let (data, wg) = (data.clone(), wg.clone());
                go(move || {
                    data[p].update(|d| *d += 1);
                    wg.done();
                });
            }
            let (done_tx, done) = chan::<bool>(0);
            {
                let (data, wg) = (data.clone(), wg.clone());
                go(move || {
                    wg.wait();
                    for p in 0..P {
                        data[p].update(|d| *d += 1);
                    }
                    done_tx.send(true);
                });
            }
            wg.wait();
            done.recv();
            for p in 0..P {
                data[p].update(|d| *d += 1);
            }
        }
    });
    expect_no_race(races);
}

#[test]
fn race_wait_group_reuse() {
    let ((), races) = check(|| {
        const P: usize = 3;
        const T: usize = 3;
        let (done_tx, done) = chan::<bool>(T);
        let wg = Arc::new(WaitGroup::new());
        for _try in 0..T {
            let data = array::<P>();
            wg.add(P as isize);
            // gosync: the sleeps aim for "the waiting goroutine blocks in Wait, the
            // workers' Dones wake it, it returns, then main's Wait finds zero and the next
            // try's Add from zero races that goroutine's blocking Wait". A late thread
            // start breaks each step: a waiter that finds zero writes nothing (no race),
            // one still waking at the next Add panics (reused before Wait returned). The
            // group's snapshot and a std atomic force the steps; the checker sees neither,
            // so they add no happens-before edge.
            let waited = Arc::new(AtomicUsize::new(0));
            for p in 0..P {
                let (data, wg) = (data.clone(), wg.clone());
                go(move || {
                    sleep(50);
                    schedule_until(|| wg.snapshot().waiters != 0);
                    data[p].update(|d| *d += 1);
                    wg.done();
                });
            }
            {
                let (data, wg, done_tx) = (data.clone(), wg.clone(), done_tx.clone());
                let waited = waited.clone();
                go(move || {
                    wg.wait();
                    waited.store(1, SeqCst); // ORDERING: SeqCst; schedule only, no edge.
                    for p in 0..P {
                        data[p].update(|d| *d += 1);
                    }
                    done_tx.send(true);
                });
            }
            sleep(100);
            schedule_until(|| waited.load(SeqCst) == 1); // ORDERING: SeqCst; as above.
            wg.wait();
        }
        for _try in 0..T {
            done.recv();
        }
    });
    expect_race(races);
}

#[test]
fn no_race_wait_group_concurrent_add() {
    let ((), races) = check(|| {
        const P: usize = 4;
        let (waiting_tx, waiting) = chan::<bool>(P);
        let wg = Arc::new(WaitGroup::new());
        for _ in 0..P {
            let (wg, waiting_tx) = (wg.clone(), waiting_tx.clone());
            go(move || {
                wg.add(1);
                waiting_tx.send(true);
                wg.done();
            });
        }
        for _ in 0..P {
            waiting.recv();
        }
        wg.wait();
    });
    expect_no_race(races);
}
