// Ported from Go 1.19.8 `src/runtime/race/testdata/sync_test.go`.
// Copyright 2011 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors.

//! Go's race-detector tests of `sync.Cond`, goroutine creation and `time.AfterFunc`, on
//! [`gosync::sync`] under [`gosync::race::check`]: `race_*` tests require a race,
//! `no_race_*` none, as `go test -race` decides on the same file
//! (`golden/race-verdicts-sync.txt`).
//!
//! The translation: as `race_mutex_test.rs`; `sync.NewCond(&mu)` is a [`Condvar`] beside
//! the `Mutex<()>`, `time.AfterFunc` is [`after_func`]. `TestNoRaceNilMutexCrash` is not
//! portable (`golden/race-unported.txt`).

use std::sync::Arc;
use std::time::Duration;

use gosync::race::{check, RaceCell};
use gosync::sync::{Condvar, Mutex};
use gosync::{chan, Sender};

use crate::race_support::{after_func, expect_no_race, expect_race, go, sleep};

#[test]
fn no_race_cond() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let condition = Arc::new(RaceCell::new(0));
        let mu = Arc::new(Mutex::new(()));
        let cond = Arc::new(Condvar::new());
        {
            let (x, condition, mu, cond) = (x.clone(), condition.clone(), mu.clone(), cond.clone());
            go(move || {
                x.set(1);
                let held = mu.lock().unwrap();
                condition.set(1);
                cond.notify_one();
                drop(held);
            });
        }
        let mut held = mu.lock().unwrap();
        while condition.get() != 1 {
            held = cond.wait(held).unwrap();
        }
        drop(held);
        x.set(2);
    });
    expect_no_race(races);
}

/// Go's second sleep ("Exit cond.Wait loop") is there so that the goroutine's second
/// `mu.Lock()` comes after the main goroutine left the loop and unlocked: only then are
/// `x = 2` and `x = 3` unordered. On a loaded machine the main goroutine can take longer
/// than 10 ms to get the lock back; then it locks after the goroutine's `x = 3`, that
/// write happens before `x = 2`, and there is no race to find (Go's detector misses it
/// the same way). The port waits for that point instead of sleeping, on a std atomic,
/// which the race checker does not see, so it adds no happens-before edge.
#[test]
fn race_cond() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(0);
        let mu = Arc::new(Mutex::new(()));
        let cond = Arc::new(Condvar::new());
        let x = Arc::new(RaceCell::new(0));
        let condition = Arc::new(RaceCell::new(0));
        let left_the_loop = Arc::new(AtomicBool::new(false));
        {
            let (x, condition, mu, cond) = (x.clone(), condition.clone(), mu.clone(), cond.clone());
            let left_the_loop = left_the_loop.clone();
            go(move || {
                sleep(Duration::from_millis(10)); // Enter cond.Wait loop
                x.set(1);
                let held = mu.lock().unwrap();
                condition.set(1);
                cond.notify_one();
                drop(held);
                // Exit cond.Wait loop (Go: time.Sleep(10 * time.Millisecond)).
                // ORDERING: SeqCst; a schedule, not an edge: the checker sees no std atomic.
                while !left_the_loop.load(SeqCst) {
                    std::thread::yield_now();
                }
                let held = mu.lock().unwrap();
                x.set(3);
                drop(held);
                done_tx.send(true);
            });
        }
        let mut held = mu.lock().unwrap();
        while condition.get() != 1 {
            held = cond.wait(held).unwrap();
        }
        drop(held);
        // ORDERING: SeqCst; see the goroutine.
        left_the_loop.store(true, SeqCst);
        x.set(2);
        done.recv();
    });
    expect_race(races);
}

// We do not currently automatically
// parse this test. It is intended that the creation
// stack is observed manually not to contain
// off-by-one errors
#[test]
fn race_announce_threads() {
    const N: usize = 7;
    type Shared = (Arc<RaceCell<i32>>, Sender<bool>);

    fn f((x, all_done): Shared) {
        x.set(1);
        {
            let shared = (x.clone(), all_done.clone());
            go(move || g(shared));
        }
        {
            let (x, all_done) = (x.clone(), all_done.clone());
            go(move || {
                x.set(1);
                all_done.send(true);
            });
        }
        x.set(2);
        all_done.send(true);
    }

    fn g((x, all_done): Shared) {
        for _ in 0..2 {
            {
                let (x, all_done) = (x.clone(), all_done.clone());
                go(move || {
                    x.set(1);
                    all_done.send(true);
                });
            }
            all_done.send(true);
        }
    }

    fn h((x, all_done): Shared) {
        x.set(1);
        x.set(2);
        {
            let shared = (x.clone(), all_done.clone());
            go(move || f(shared));
        }
        all_done.send(true);
    }

    let ((), races) = check(|| {
        let (all_done_tx, all_done) = chan::<bool>(N);
        let x = Arc::new(RaceCell::new(0));
        go(move || h((x, all_done_tx)));
        for _ in 0..N {
            all_done.recv();
        }
    });
    expect_race(races);
}

#[test]
fn no_race_after_func1() {
    fn f(i: Arc<RaceCell<i32>>, c: Sender<bool>) {
        i.update(|i| *i -= 1);
        if i.get() >= 0 {
            after_func(Duration::ZERO, move || f(i, c));
        } else {
            c.send(true);
        }
    }
    let ((), races) = check(|| {
        let i = Arc::new(RaceCell::new(2));
        let (c_tx, c) = chan::<bool>(0);
        after_func(Duration::ZERO, move || f(i, c_tx));
        c.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_after_func2() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        // Go keeps the timer and defers timer.Stop(): clean-up only, no edge.
        after_func(Duration::from_nanos(10), move || x.set(1));
    });
    expect_no_race(races);
}

#[test]
fn no_race_after_func3() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(1);
        let x = Arc::new(RaceCell::new(0));
        {
            let x = x.clone();
            after_func(Duration::from_nanos(10_000_000), move || {
                x.set(1);
                c_tx.send(true);
            });
        }
        c.recv();
    });
    expect_no_race(races);
}

#[test]
fn race_after_func3() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(2);
        let x = Arc::new(RaceCell::new(0));
        {
            let (x, c) = (x.clone(), c_tx.clone());
            after_func(Duration::from_nanos(10_000_000), move || {
                x.set(1);
                c.send(true);
            });
        }
        {
            let (x, c) = (x.clone(), c_tx.clone());
            after_func(Duration::from_nanos(20_000_000), move || {
                x.set(2);
                c.send(true);
            });
        }
        c.recv();
        c.recv();
    });
    expect_race(races);
}

// This test's output is intended to be
// observed manually. One should check
// that goroutine creation stack is
// comprehensible.
#[test]
fn race_goroutine_creation_stack() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (ch_tx, ch) = chan::<bool>(1);

        let f1 = {
            let x = x.clone();
            move || {
                x.set(1);
                ch_tx.send(true);
            }
        };
        let f2 = move || go(f1);
        let f3 = move || go(f2);
        let f4 = move || go(f3);

        go(f4);
        x.set(2);
        ch.recv();
    });
    expect_race(races);
}
