// Ported from Go 1.19.8 `src/runtime/race/testdata/select_test.go`.
// Copyright 2012 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors.

//! Go's race-detector tests of `select`, run under [`gosync::race::check`], with the
//! translation of `race_chan_test.rs`; verdicts in `golden/race-verdicts-select.txt`.

use std::sync::Arc;

use gosync::race::{check, RaceCell};
use gosync::{chan, select};

use super::race_chan_support::{expect_no_race, expect_race, go, gosched};

fn var() -> Arc<RaceCell<i32>> {
    Arc::new(RaceCell::new(0))
}

#[test]
fn no_race_select1() {
    let ((), races) = check(|| {
        let x = var();
        let _ = x.get();
        let (compl_tx, compl) = chan::<bool>(0);
        let (c_tx, c) = chan::<bool>(0);
        let (c1_tx, _c1) = chan::<bool>(0);

        {
            let (x, c1_tx) = (x.clone(), c1_tx.clone());
            go(move || {
                x.set(1);
                // At least two channels are needed because
                // otherwise the compiler optimizes select out.
                // See comment in runtime/select.go:^func selectgo.
                select! {
                    send(c_tx, true) => {},
                    send(c1_tx, true) => {},
                }
                compl_tx.send(true);
            });
        }
        select! {
            recv(c) -> _ => {},
            send(c1_tx, true) => {},
        }
        x.set(2);
        compl.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_select2() {
    let ((), races) = check(|| {
        let x = var();
        let _ = x.get();
        let (compl_tx, compl) = chan::<bool>(0);
        let (c_tx, c) = chan::<bool>(0);
        let (_c1_tx, c1) = chan::<bool>(0);
        {
            let x = x.clone();
            go(move || {
                select! {
                    recv(c) -> _ => {},
                    recv(c1) -> _ => {},
                }
                x.set(1);
                compl_tx.send(true);
            });
        }
        x.set(2);
        c_tx.close();
        gosched();
        compl.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_select3() {
    let ((), races) = check(|| {
        let x = var();
        let _ = x.get();
        let (compl_tx, compl) = chan::<bool>(0);
        let (c_tx, c) = chan::<bool>(10);
        let (_c1_tx, c1) = chan::<bool>(0);
        {
            let x = x.clone();
            go(move || {
                x.set(1);
                select! {
                    send(c_tx, true) => {},
                    recv(c1) -> _ => {},
                }
                compl_tx.send(true);
            });
        }
        c.recv();
        x.set(2);
        compl.recv();
    });
    expect_no_race(races);
}

/// Go's `struct { f func(); done chan bool }`.
struct Task {
    f: Box<dyn FnOnce() + Send>,
    done: gosync::Sender<bool>,
}

#[test]
fn no_race_select4() {
    let ((), races) = check(|| {
        let (queue_tx, queue) = chan::<Task>(0);
        let (_dummy_tx, dummy) = chan::<bool>(0);

        // This goroutine never ends (as in Go): `check` returns once it is the only one
        // left, blocked for ever, and reports it as leaked.
        go(move || loop {
            select! {
                recv(queue) -> t => {
                    let t = t.unwrap();
                    (t.f)();
                    t.done.send(true);
                }
            }
        });

        let doit = |f: Box<dyn FnOnce() + Send>| {
            let (done_tx, done) = chan::<bool>(1);
            select! {
                send(queue_tx, Task { f, done: done_tx }) => {},
                recv(dummy) -> _ => {},
            }
            select! {
                recv(done) -> _ => {},
                recv(dummy) -> _ => {},
            }
        };

        let x = var();
        let x2 = x.clone();
        doit(Box::new(move || {
            x2.set(1);
        }));
        let _ = x.get();
    });
    expect_no_race(races);
}

#[test]
fn no_race_select5() {
    let ((), races) = check(|| {
        let test = |sel: bool, need_sched: bool| {
            let x = var();
            let _ = x.get();
            let (ch_tx, ch) = chan::<bool>(0);
            let (_c1_tx, c1) = chan::<bool>(0);

            let (done_tx, done) = chan::<bool>(2);
            {
                let (x, done_tx, c1) = (x.clone(), done_tx.clone(), c1.clone());
                go(move || {
                    if need_sched {
                        gosched();
                    }
                    // println(1)
                    x.set(1);
                    if sel {
                        select! {
                            send(ch_tx, true) => {},
                            recv(c1) -> _ => {},
                        }
                    } else {
                        ch_tx.send(true);
                    }
                    done_tx.send(true);
                });
            }

            go(move || {
                // println(2)
                if sel {
                    select! {
                        recv(ch) -> _ => {},
                        recv(c1) -> _ => {},
                    }
                } else {
                    ch.recv();
                }
                x.set(1);
                done_tx.send(true);
            });
            done.recv();
            done.recv();
        };

        test(true, true);
        test(true, false);
        test(false, true);
        test(false, false);
    });
    expect_no_race(races);
}

#[test]
fn race_select1() {
    let ((), races) = check(|| {
        let x = var();
        let _ = x.get();
        let (compl_tx, compl) = chan::<bool>(2);
        let (c_tx, c) = chan::<bool>(0);
        let (c1_tx, _c1) = chan::<bool>(0);

        go(move || {
            c.recv();
            c.recv();
        });
        let f = {
            let x = x.clone();
            move || {
                select! {
                    send(c_tx, true) => {},
                    send(c1_tx, true) => {},
                }
                x.set(1);
                compl_tx.send(true);
            }
        };
        go(f.clone());
        go(f);
        compl.recv();
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_select2() {
    let ((), races) = check(|| {
        let x = var();
        let _ = x.get();
        let (compl_tx, compl) = chan::<bool>(0);
        let (c_tx, c) = chan::<bool>(0);
        let (_c1_tx, c1) = chan::<bool>(0);
        {
            let x = x.clone();
            go(move || {
                x.set(1);
                select! {
                    recv(c) -> _ => {},
                    recv(c1) -> _ => {},
                }
                compl_tx.send(true);
            });
        }
        c_tx.close();
        x.set(2);
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_select3() {
    let ((), races) = check(|| {
        let x = var();
        let _ = x.get();
        let (compl_tx, compl) = chan::<bool>(0);
        let (c_tx, c) = chan::<bool>(0);
        let (c1_tx, _c1) = chan::<bool>(0);
        {
            let x = x.clone();
            go(move || {
                x.set(1);
                select! {
                    send(c_tx, true) => {},
                    send(c1_tx, true) => {},
                }
                compl_tx.send(true);
            });
        }
        x.set(2);
        select! {
            recv(c) -> _ => {},
        }
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_select4() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(1);
        let x = var();
        {
            let x = x.clone();
            go(move || {
                select! {
                    default => x.set(2),
                }
                done_tx.send(true);
            });
        }
        let _ = x.get();
        done.recv();
    });
    expect_race(races);
}

// The idea behind this test:
// there are two variables, access to one
// of them is synchronized, access to the other
// is not.
// Select must (unconditionally) choose the non-synchronized variable
// thus causing exactly one race.
// Currently this test doesn't look like it accomplishes
// this goal.
#[test]
fn race_select5() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(1);
        let (c1_tx, _c1) = chan::<bool>(1);
        let (c2_tx, _c2) = chan::<bool>(0);
        let (x, y) = (var(), var());
        {
            let (x, y) = (x.clone(), y.clone());
            go(move || {
                select! {
                    send(c1_tx, true) => x.set(1),
                    send(c2_tx, true) => y.set(1),
                }
                done_tx.send(true);
            });
        }
        let _ = x.get();
        let _ = y.get();
        done.recv();
    });
    expect_race(races);
}

// select statements may introduce
// flakiness: whether this test contains
// a race depends on the scheduling
// (some may argue that the code contains
// this race by definition)
//
// (TestFlakyDefault is commented out in Go's file: not ported.)

/// Every test of Go's file is ported, each with `go test -race`'s verdict.
#[test]
fn ported_verdicts_are_gos() {
    super::race_chan_support::check_ported_verdicts(
        "race-verdicts-select.txt",
        include_str!("race_select_test.rs"),
    );
}
