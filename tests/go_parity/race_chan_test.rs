// Ported from Go 1.19.8 `src/runtime/race/testdata/chan_test.go`.
// Copyright 2011 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors.

//! Go's race-detector tests of channels, run under [`gosync::race::check`]: `race_*`
//! tests require at least one race and `no_race_*` tests none, the verdicts of `go test
//! -race` on the same file (`golden/race-verdicts-chan.txt`).
//!
//! The translation is `race_waitgroup_test.rs`'s: a Go variable is a [`RaceCell`] (Go's
//! `_ = v` is a `get`), `go func()` is [`go`], `make(chan T, n)` is [`chan`], `<-c` is
//! `recv`, `c <- v` is `send`, `select` is [`gosync::select!`]. Go's `recover()` is
//! [`recover`]. Where Go's test races on the channel *variable* (`c = make(...)` while
//! a goroutine uses `c`), the variable is a `RaceCell` that each use of `c` reads.

use std::sync::Arc;

use gosync::race::{check, RaceCell};
use gosync::{chan, select};

use super::race_chan_support::{expect_no_race, expect_race, go, gosched, recover, sleep};

fn var() -> Arc<RaceCell<i32>> {
    Arc::new(RaceCell::new(0))
}

#[test]
fn no_race_chan_sync() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(0);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.send(0);
        });
        c.recv();
        v.set(2);
    });
    expect_no_race(races);
}

#[test]
fn no_race_chan_sync_rev() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(0);
        let v2 = v.clone();
        go(move || {
            c_tx.send(0);
            v2.set(2);
        });
        v.set(1);
        c.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_chan_async() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(10);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.send(0);
        });
        c.recv();
        v.set(2);
    });
    expect_no_race(races);
}

#[test]
fn race_chan_async_rev() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(10);
        let v2 = v.clone();
        go(move || {
            c_tx.send(0);
            v2.set(1);
        });
        v.set(2);
        c.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_chan_async_close_recv() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(10);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.close();
        });
        recover(|| {
            c.recv();
        });
        v.set(2); // the deferred function, after recover()
    });
    expect_no_race(races);
}

#[test]
fn no_race_chan_async_close_recv2() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(10);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.close();
        });
        let _ = c.recv();
        v.set(2);
    });
    expect_no_race(races);
}

#[test]
fn no_race_chan_async_close_recv3() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(10);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.close();
        });
        for _ in &c {}
        v.set(2);
    });
    expect_no_race(races);
}

#[test]
fn no_race_chan_sync_close_recv() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(0);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.close();
        });
        recover(|| {
            c.recv();
        });
        v.set(2);
    });
    expect_no_race(races);
}

#[test]
fn no_race_chan_sync_close_recv2() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(0);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.close();
        });
        let _ = c.recv();
        v.set(2);
    });
    expect_no_race(races);
}

#[test]
fn no_race_chan_sync_close_recv3() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(0);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.close();
        });
        for _ in &c {}
        v.set(2);
    });
    expect_no_race(races);
}

#[test]
fn race_chan_sync_close_send() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, _c) = chan::<i32>(0);
        let (v2, c_tx2) = (v.clone(), c_tx.clone());
        go(move || {
            v2.set(1);
            c_tx2.close();
        });
        recover(|| c_tx.send(0));
        v.set(2);
    });
    expect_race(races);
}

#[test]
fn race_chan_async_close_send() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, _c) = chan::<i32>(10);
        let (v2, c_tx2) = (v.clone(), c_tx.clone());
        go(move || {
            v2.set(1);
            c_tx2.close();
        });
        recover(|| loop {
            c_tx.send(0);
        });
        v.set(2);
    });
    expect_race(races);
}

#[test]
fn race_chan_close_close() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(2);
        let (v1, v2) = (var(), var());
        let _ = v1.get() + v2.get();
        let (c_tx, _c) = chan::<i32>(0);
        {
            let (compl_tx, v1, v2, c_tx) = (compl_tx.clone(), v1.clone(), v2.clone(), c_tx.clone());
            go(move || {
                let panicked = recover(|| {
                    v1.set(1);
                    c_tx.close();
                });
                if panicked {
                    v2.set(2);
                }
                compl_tx.send(true);
            });
        }
        {
            let (compl_tx, v1, v2, c_tx) = (compl_tx.clone(), v1.clone(), v2.clone(), c_tx.clone());
            go(move || {
                let panicked = recover(|| {
                    v2.set(1);
                    c_tx.close();
                });
                if panicked {
                    v1.set(2);
                }
                compl_tx.send(true);
            });
        }
        compl.recv();
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_chan_send_len() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(10);
        let v2 = v.clone();
        go(move || {
            v2.set(1);
            c_tx.send(1);
        });
        #[allow(clippy::len_zero)] // Go's `len(c) == 0`, as Go writes it
        while c.len() == 0 {
            gosched();
        }
        v.set(2);
    });
    expect_race(races);
}

#[test]
fn race_chan_recv_len() {
    let ((), races) = check(|| {
        let v = var();
        let _ = v.get();
        let (c_tx, c) = chan::<i32>(10);
        c_tx.send(1);
        let (v2, c2) = (v.clone(), c.clone());
        go(move || {
            v2.set(1);
            c2.recv();
        });
        #[allow(clippy::len_zero)] // Go's `len(c) != 0`
        while c.len() != 0 {
            gosched();
        }
        v.set(2);
    });
    expect_race(races);
}

#[test]
fn race_chan_send_send() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(2);
        let (v1, v2) = (var(), var());
        let _ = v1.get() + v2.get();
        let (c_tx, _c) = chan::<i32>(1);
        {
            let (compl_tx, v1, v2, c_tx) = (compl_tx.clone(), v1.clone(), v2.clone(), c_tx.clone());
            go(move || {
                v1.set(1);
                select! {
                    send(c_tx, 1) => {},
                    default => v2.set(2),
                }
                compl_tx.send(true);
            });
        }
        {
            let (compl_tx, v1, v2, c_tx) = (compl_tx.clone(), v1.clone(), v2.clone(), c_tx.clone());
            go(move || {
                v2.set(1);
                select! {
                    send(c_tx, 1) => {},
                    default => v1.set(2),
                }
                compl_tx.send(true);
            });
        }
        compl.recv();
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_chan_ptr() {
    let ((), races) = check(|| {
        struct Msg {
            x: RaceCell<i32>,
        }
        let (c_tx, c) = chan::<Box<Msg>>(0);
        go(move || {
            let msg = Box::new(Msg {
                x: RaceCell::new(0),
            });
            msg.x.set(1); // &msg{1}
            c_tx.send(msg);
        });
        let m = c.recv().unwrap();
        m.x.set(2);
    });
    expect_no_race(races);
}

#[test]
fn race_chan_wrong_send() {
    let ((), races) = check(|| {
        let (v1, v2) = (var(), var());
        let _ = v1.get() + v2.get();
        let (c_tx, c) = chan::<i32>(2);
        {
            let (v1, c_tx) = (v1.clone(), c_tx.clone());
            go(move || {
                v1.set(1);
                c_tx.send(1);
            });
        }
        {
            let (v2, c_tx) = (v2.clone(), c_tx.clone());
            go(move || {
                v2.set(2);
                c_tx.send(2);
            });
        }
        sleep(10);
        if c.recv() == Some(1) {
            v2.set(3);
        } else {
            v1.set(3);
        }
    });
    expect_race(races);
}

#[test]
fn race_chan_wrong_close() {
    let ((), races) = check(|| {
        let (v1, v2) = (var(), var());
        let _ = v1.get() + v2.get();
        let (c_tx, c) = chan::<i32>(1);
        let (done_tx, done) = chan::<bool>(0);
        {
            let (v1, c_tx, done_tx) = (v1.clone(), c_tx.clone(), done_tx.clone());
            go(move || {
                recover(|| {
                    v1.set(1);
                    c_tx.send(1);
                    done_tx.send(true);
                });
            });
        }
        {
            let (v2, c_tx, done_tx) = (v2.clone(), c_tx.clone(), done_tx.clone());
            go(move || {
                sleep(10);
                v2.set(2);
                c_tx.close();
                done_tx.send(true);
            });
        }
        sleep(20);
        if c.recv().is_some() {
            v2.set(2);
        } else {
            v1.set(2);
        }
        done.recv();
        done.recv();
    });
    expect_race(races);
}

#[test]
fn race_chan_send_close() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(2);
        let (c_tx, _c) = chan::<i32>(1);
        {
            let (compl_tx, c_tx) = (compl_tx.clone(), c_tx.clone());
            go(move || {
                recover(|| c_tx.send(1));
                compl_tx.send(true);
            });
        }
        go(move || {
            sleep(10);
            c_tx.close();
            compl_tx.send(true);
        });
        compl.recv();
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_chan_send_select_close() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(2);
        let (c_tx, _c) = chan::<i32>(1);
        let (_c1_tx, c1) = chan::<i32>(0);
        {
            let (compl_tx, c_tx) = (compl_tx.clone(), c_tx.clone());
            go(move || {
                recover(|| {
                    sleep(10);
                    select! {
                        send(c_tx, 1) => {},
                        recv(c1) -> _ => {},
                    }
                });
                compl_tx.send(true);
            });
        }
        go(move || {
            c_tx.close();
            compl_tx.send(true);
        });
        compl.recv();
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_select_read_write_async() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(0);
        let x = var();
        let (c1_tx, _c1) = chan::<i32>(10);
        let (c2_tx, c2) = chan::<i32>(10);
        let (c3_tx, _c3) = chan::<i32>(0);
        c2_tx.send(1);
        {
            let (x, c3_tx) = (x.clone(), c3_tx.clone());
            go(move || {
                select! {
                    send(c1_tx, x.get()) => {}, // read of x races with...
                    send(c3_tx, 1) => {},
                }
                done_tx.send(true);
            });
        }
        select! {
            recv(c2) -> v => x.set(v.unwrap()), // ... write to x here
            send(c3_tx, 1) => {},
        }
        done.recv();
    });
    expect_race(races);
}

#[test]
fn race_select_read_write_sync() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(0);
        let x = var();
        let (c1_tx, c1) = chan::<i32>(0);
        let (c2_tx, c2) = chan::<i32>(0);
        let (c3_tx, _c3) = chan::<i32>(0);
        // make c1 and c2 ready for communication
        go(move || {
            c1.recv();
        });
        go(move || {
            c2_tx.send(1);
        });
        {
            let (x, c3_tx) = (x.clone(), c3_tx.clone());
            go(move || {
                select! {
                    send(c1_tx, x.get()) => {}, // read of x races with...
                    send(c3_tx, 1) => {},
                }
                done_tx.send(true);
            });
        }
        select! {
            recv(c2) -> v => x.set(v.unwrap()), // ... write to x here
            send(c3_tx, 1) => {},
        }
        done.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_select_read_write_async() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(0);
        let x = var();
        let (c1_tx, c1) = chan::<i32>(0);
        let (c2_tx, _c2) = chan::<i32>(0);
        {
            let (x, c2_tx) = (x.clone(), c2_tx.clone());
            go(move || {
                select! {
                    send(c1_tx, x.get()) => {}, // read of x does not race with...
                    send(c2_tx, 1) => {},
                }
                done_tx.send(true);
            });
        }
        select! {
            recv(c1) -> v => x.set(v.unwrap()), // ... write to x here
            send(c2_tx, 1) => {},
        }
        done.recv();
    });
    expect_no_race(races);
}

#[test]
fn race_chan_read_write_async() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(0);
        let (c1_tx, _c1) = chan::<i32>(10);
        let (c2_tx, c2) = chan::<i32>(10);
        c2_tx.send(10);
        let x = var();
        {
            let x = x.clone();
            go(move || {
                c1_tx.send(x.get()); // read of x races with...
                done_tx.send(true);
            });
        }
        x.set(c2.recv().unwrap()); // ... write to x here
        done.recv();
    });
    expect_race(races);
}

#[test]
fn race_chan_read_write_sync() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(0);
        let (c1_tx, c1) = chan::<i32>(0);
        let (c2_tx, c2) = chan::<i32>(0);
        // make c1 and c2 ready for communication
        go(move || {
            c1.recv();
        });
        go(move || {
            c2_tx.send(10);
        });
        let x = var();
        {
            let x = x.clone();
            go(move || {
                c1_tx.send(x.get()); // read of x races with...
                done_tx.send(true);
            });
        }
        x.set(c2.recv().unwrap()); // ... write to x here
        done.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_chan_read_write_async() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<bool>(0);
        let (c1_tx, c1) = chan::<i32>(10);
        let x = var();
        {
            let x = x.clone();
            go(move || {
                c1_tx.send(x.get()); // read of x does not race with...
                done_tx.send(true);
            });
        }
        x.set(c1.recv().unwrap()); // ... write to x here
        done.recv();
    });
    expect_no_race(races);
}

/// Go's `struct { f func(); done chan bool }`.
struct Task {
    f: Box<dyn FnOnce() + Send>,
    done: gosync::Sender<bool>,
}

#[test]
fn no_race_producer_consumer_unbuffered() {
    let ((), races) = check(|| {
        let (queue_tx, queue) = chan::<Task>(0);

        go(move || {
            let t = queue.recv().unwrap();
            (t.f)();
            t.done.send(true);
        });

        let doit = |f: Box<dyn FnOnce() + Send>| {
            let (done_tx, done) = chan::<bool>(1);
            queue_tx.send(Task { f, done: done_tx });
            done.recv();
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
fn race_chan_itself_send() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(1);
        let c = Arc::new(RaceCell::new(())); // the variable c
        let (c_tx, _c_rx) = chan::<i32>(10);
        let c2 = c.clone();
        go(move || {
            c2.get();
            c_tx.send(0);
            compl_tx.send(true);
        });
        c.set(()); // c = make(chan int, 20)
        let _new = chan::<i32>(20);
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_chan_itself_recv() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(1);
        let c = Arc::new(RaceCell::new(()));
        let (c_tx, c_rx) = chan::<i32>(10);
        c.get();
        c_tx.send(1);
        let c2 = c.clone();
        go(move || {
            c2.get();
            c_rx.recv();
            compl_tx.send(true);
        });
        sleep(10);
        c.set(()); // c = make(chan int, 20)
        let _new = chan::<i32>(20);
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_chan_itself_nil() {
    let ((), races) = check(|| {
        let c = Arc::new(RaceCell::new(()));
        let (c_tx, _c_rx) = chan::<i32>(10);
        let c2 = c.clone();
        go(move || {
            c2.get();
            c_tx.send(0);
        });
        sleep(10);
        c.set(()); // c = nil
        c.get(); // _ = c
    });
    expect_race(races);
}

#[test]
fn race_chan_itself_close() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(1);
        let c = Arc::new(RaceCell::new(()));
        let (c_tx, _c_rx) = chan::<i32>(0);
        let c2 = c.clone();
        go(move || {
            c2.get();
            c_tx.close();
            compl_tx.send(true);
        });
        c.set(()); // c = make(chan int)
        let _new = chan::<i32>(0);
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_chan_itself_len() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(1);
        let c = Arc::new(RaceCell::new(()));
        let (_c_tx, c_rx) = chan::<i32>(0);
        let c2 = c.clone();
        go(move || {
            c2.get();
            let _ = c_rx.len();
            compl_tx.send(true);
        });
        c.set(()); // c = make(chan int)
        let _new = chan::<i32>(0);
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn race_chan_itself_cap() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(1);
        let c = Arc::new(RaceCell::new(()));
        let (_c_tx, c_rx) = chan::<i32>(0);
        let c2 = c.clone();
        go(move || {
            c2.get();
            let _ = c_rx.cap();
            compl_tx.send(true);
        });
        c.set(()); // c = make(chan int)
        let _new = chan::<i32>(0);
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_chan_close_len() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<i32>(10);
        let (r_tx, r) = chan::<i32>(10);
        {
            let r_tx = r_tx.clone();
            go(move || {
                r_tx.send(c.len() as i32);
            });
        }
        go(move || {
            c_tx.close();
            r_tx.send(0);
        });
        r.recv();
        r.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_chan_close_cap() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<i32>(10);
        let (r_tx, r) = chan::<i32>(10);
        {
            let r_tx = r_tx.clone();
            go(move || {
                r_tx.send(c.cap() as i32);
            });
        }
        go(move || {
            c_tx.close();
            r_tx.send(0);
        });
        r.recv();
        r.recv();
    });
    expect_no_race(races);
}

#[test]
fn race_chan_close_send() {
    let ((), races) = check(|| {
        let (compl_tx, compl) = chan::<bool>(1);
        let (c_tx, _c) = chan::<i32>(10);
        let c_tx2 = c_tx.clone();
        go(move || {
            c_tx2.close();
            compl_tx.send(true);
        });
        // Go's test panics if the close wins; the verdict is the race either way.
        recover(|| c_tx.send(0));
        compl.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_chan_mutex() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<()>(0);
        let (mtx_tx, mtx) = chan::<()>(1);
        let data = var();
        let _ = data.get();
        {
            let (mtx_tx, mtx, data) = (mtx_tx.clone(), mtx.clone(), data.clone());
            go(move || {
                mtx_tx.send(());
                data.set(42);
                mtx.recv();
                done_tx.send(());
            });
        }
        mtx_tx.send(());
        data.set(43);
        mtx.recv();
        done.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_select_mutex() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<()>(0);
        let (mtx_tx, mtx) = chan::<()>(1);
        let (_aux_tx, aux) = chan::<bool>(0);
        let data = var();
        let _ = data.get();
        {
            let (mtx_tx, mtx, aux, data) = (mtx_tx.clone(), mtx.clone(), aux.clone(), data.clone());
            go(move || {
                select! {
                    send(mtx_tx, ()) => {},
                    recv(aux) -> _ => {},
                }
                data.set(42);
                select! {
                    recv(mtx) -> _ => {},
                    recv(aux) -> _ => {},
                }
                done_tx.send(());
            });
        }
        select! {
            send(mtx_tx, ()) => {},
            recv(aux) -> _ => {},
        }
        data.set(43);
        select! {
            recv(mtx) -> _ => {},
            recv(aux) -> _ => {},
        }
        done.recv();
    });
    expect_no_race(races);
}

#[test]
fn race_chan_sem() {
    let ((), races) = check(|| {
        let (done_tx, done) = chan::<()>(0);
        let (mtx_tx, mtx) = chan::<bool>(2);
        let data = var();
        let _ = data.get();
        {
            let (mtx_tx, mtx, data) = (mtx_tx.clone(), mtx.clone(), data.clone());
            go(move || {
                mtx_tx.send(true);
                data.set(42);
                mtx.recv();
                done_tx.send(());
            });
        }
        mtx_tx.send(true);
        data.set(43);
        mtx.recv();
        done.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_chan_wait_group() {
    let ((), races) = check(|| {
        const N: usize = 10;
        let (chan_wg_tx, chan_wg) = chan::<bool>(N / 2);
        let data: Arc<[RaceCell<i32>; N]> = Arc::new(std::array::from_fn(|_| RaceCell::new(0)));
        for i in 0..N {
            chan_wg_tx.send(true);
            let (data, chan_wg) = (data.clone(), chan_wg.clone());
            go(move || {
                data[i].set(42);
                chan_wg.recv();
            });
        }
        for _ in 0..chan_wg_tx.cap() {
            chan_wg_tx.send(true);
        }
        for cell in data.iter() {
            let _ = cell.get();
        }
    });
    expect_no_race(races);
}

// Test that sender synchronizes with receiver even if the sender was blocked.
#[test]
fn no_race_blocked_send_sync() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<Option<Arc<RaceCell<i32>>>>(1);
        c_tx.send(None);
        go(move || {
            let i = Arc::new(RaceCell::new(0));
            i.set(42);
            c_tx.send(Some(i));
        });
        // Give the sender time to actually block.
        // This sleep is completely optional: race report must not be printed
        // regardless of whether the sender actually blocks or not.
        // It cannot lead to flakiness.
        sleep(10);
        c.recv();
        let p = c.recv().unwrap().unwrap();
        assert_eq!(p.get(), 42);
    });
    expect_no_race(races);
}

// The same as TestNoRaceBlockedSendSync above, but sender unblock happens in a select.
#[test]
fn no_race_blocked_select_send_sync() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<Option<Arc<RaceCell<i32>>>>(1);
        c_tx.send(None);
        go(move || {
            let i = Arc::new(RaceCell::new(0));
            i.set(42);
            c_tx.send(Some(i));
        });
        sleep(10);
        c.recv();
        let (_never_tx, never) = chan::<i32>(0);
        select! {
            recv(c) -> p => assert_eq!(p.unwrap().unwrap().get(), 42),
            recv(never) -> _ => {},
        }
    });
    expect_no_race(races);
}

// Test that close synchronizes with a read from the empty closed channel.
// See https://golang.org/issue/36714.
#[test]
fn no_race_close_happens_before_read() {
    let ((), races) = check(|| {
        for _ in 0..100 {
            let loc = var();
            let (write_tx, write) = chan::<()>(0);
            let (read_tx, read) = chan::<()>(0);

            {
                let loc = loc.clone();
                go(move || {
                    select! {
                        recv(write) -> _ => {
                            let _ = loc.get();
                        }
                        default => {},
                    }
                    read_tx.close();
                });
            }

            go(move || {
                loc.set(1);
                write_tx.close();
            });

            read.recv();
        }
    });
    expect_no_race(races);
}

// Test that we call the proper race detector function when c.elemsize==0.
// See https://github.com/golang/go/issues/42598
#[test]
fn no_race_elemet_size0() {
    let ((), races) = check(|| {
        let (x, y) = (var(), var());
        let (c_tx, c) = chan::<()>(2);
        c_tx.send(());
        c_tx.send(());
        {
            let (x, c) = (x.clone(), c.clone());
            go(move || {
                x.update(|x| *x += 1);
                c.recv();
            });
        }
        {
            let (y, c) = (y.clone(), c.clone());
            go(move || {
                y.update(|y| *y += 1);
                c.recv();
            });
        }
        sleep(10);
        c_tx.send(());
        c_tx.send(());
        x.update(|x| *x += 1);
        y.update(|y| *y += 1);
    });
    expect_no_race(races);
}

/// Every test of Go's file is ported, each with `go test -race`'s verdict.
#[test]
fn ported_verdicts_are_gos() {
    super::race_chan_support::check_ported_verdicts(
        "race-verdicts-chan.txt",
        include_str!("race_chan_test.rs"),
    );
}
