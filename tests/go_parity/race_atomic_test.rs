// Ported from Go 1.19.8 `src/runtime/race/testdata/atomic_test.go`.
// Copyright 2011 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors.

//! Go's race-detector tests of `sync/atomic`, run under [`gosync::race::check`] with
//! [`gosync::sync::atomic`].
//!
//! Go's atomics are sequentially consistent (under `-race`, ThreadSanitizer runs them as
//! acquire-release), so every Go atomic here is a `SeqCst` operation: `atomic.AddInt64(&s,
//! 1)` is `s.fetch_add(1, SeqCst) + 1`, `atomic.CompareAndSwapInt32(&s, 0, 1)` is
//! `s.compare_exchange(0, 1, SeqCst, SeqCst).is_ok()`. `runtime.Gosched()` is
//! `thread::yield_now()`. A Go variable is a [`RaceCell`]. Go's plain access of an atomic's
//! memory (`_ = a`, `a = 1`) has no safe Rust spelling (it would be undefined behaviour in
//! Rust), so it is the access Go's compiler instruments there: [`race::read`] or
//! [`race::write`] of the atomic's address. `TestNoRaceAtomicCrash` is not portable
//! (`golden/race-unported.txt`).

use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use std::thread;

use gosync::chan;
use gosync::race::{self, check, RaceCell};
use gosync::sync::atomic::{AtomicI32, AtomicI64, AtomicPtr, AtomicU64};

use crate::race_waitgroup_test::{expect_no_race, expect_race, go};

/// Two Go `int8`s, `x1` and `x2`.
fn two_cells() -> (Arc<RaceCell<i8>>, Arc<RaceCell<i8>>) {
    (Arc::new(RaceCell::new(0)), Arc::new(RaceCell::new(0)))
}

#[test]
fn no_race_atomic_add_int64() {
    let ((), races) = check(|| {
        let (x1, x2) = two_cells();
        let _ = x1.get() + x2.get();
        let s = Arc::new(AtomicI64::new(0));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (x1, x2, s, ch_tx) = (x1.clone(), x2.clone(), s.clone(), ch_tx.clone());
            go(move || {
                x1.set(1);
                if s.fetch_add(1, SeqCst) + 1 == 2 {
                    x2.set(1);
                }
                ch_tx.send(true);
            });
        }
        {
            let (x1, x2, s, ch_tx) = (x1.clone(), x2.clone(), s.clone(), ch_tx.clone());
            go(move || {
                x2.set(1);
                if s.fetch_add(1, SeqCst) + 1 == 2 {
                    x1.set(1);
                }
                ch_tx.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_no_race(races);
}

#[test]
fn race_atomic_add_int64() {
    let ((), races) = check(|| {
        let (x1, x2) = two_cells();
        let _ = x1.get() + x2.get();
        let s = Arc::new(AtomicI64::new(0));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (x1, x2, s, ch_tx) = (x1.clone(), x2.clone(), s.clone(), ch_tx.clone());
            go(move || {
                x1.set(1);
                if s.fetch_add(1, SeqCst) + 1 == 1 {
                    x2.set(1);
                }
                ch_tx.send(true);
            });
        }
        {
            let (x1, x2, s, ch_tx) = (x1.clone(), x2.clone(), s.clone(), ch_tx.clone());
            go(move || {
                x2.set(1);
                if s.fetch_add(1, SeqCst) + 1 == 1 {
                    x1.set(1);
                }
                ch_tx.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_atomic_add_int32() {
    let ((), races) = check(|| {
        let (x1, x2) = two_cells();
        let _ = x1.get() + x2.get();
        let s = Arc::new(AtomicI32::new(0));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (x1, x2, s, ch_tx) = (x1.clone(), x2.clone(), s.clone(), ch_tx.clone());
            go(move || {
                x1.set(1);
                if s.fetch_add(1, SeqCst) + 1 == 2 {
                    x2.set(1);
                }
                ch_tx.send(true);
            });
        }
        {
            let (x1, x2, s, ch_tx) = (x1.clone(), x2.clone(), s.clone(), ch_tx.clone());
            go(move || {
                x2.set(1);
                if s.fetch_add(1, SeqCst) + 1 == 2 {
                    x1.set(1);
                }
                ch_tx.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_load_add_int32() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i64));
        let s = Arc::new(AtomicI32::new(0));
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                s.fetch_add(1, SeqCst);
            });
        }
        while s.load(SeqCst) != 1 {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_load_store_int32() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i64));
        let s = Arc::new(AtomicI32::new(0));
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                s.store(1, SeqCst);
            });
        }
        while s.load(SeqCst) != 1 {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_store_cas_int32() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i64));
        let s = Arc::new(AtomicI32::new(0));
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                s.store(1, SeqCst);
            });
        }
        while s.compare_exchange(1, 0, SeqCst, SeqCst).is_err() {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_cas_load_int32() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i64));
        let s = Arc::new(AtomicI32::new(0));
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                if s.compare_exchange(0, 1, SeqCst, SeqCst).is_err() {
                    panic!("");
                }
            });
        }
        while s.load(SeqCst) != 1 {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_cascas_int32() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i64));
        let s = Arc::new(AtomicI32::new(0));
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                if s.compare_exchange(0, 1, SeqCst, SeqCst).is_err() {
                    panic!("");
                }
            });
        }
        while s.compare_exchange(1, 0, SeqCst, SeqCst).is_err() {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_cascas_int32_2() {
    let ((), races) = check(|| {
        let (x1, x2) = two_cells();
        let _ = x1.get() + x2.get();
        let s = Arc::new(AtomicI32::new(0));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (x1, x2, s, ch_tx) = (x1.clone(), x2.clone(), s.clone(), ch_tx.clone());
            go(move || {
                x1.set(1);
                if s.compare_exchange(0, 1, SeqCst, SeqCst).is_err() {
                    x2.set(1);
                }
                ch_tx.send(true);
            });
        }
        {
            let (x1, x2, s, ch_tx) = (x1.clone(), x2.clone(), s.clone(), ch_tx.clone());
            go(move || {
                x2.set(1);
                if s.compare_exchange(0, 1, SeqCst, SeqCst).is_err() {
                    x1.set(1);
                }
                ch_tx.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_load_int64() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i32));
        let s = Arc::new(AtomicI64::new(0));
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                s.fetch_add(1, SeqCst);
            });
        }
        while s.load(SeqCst) != 1 {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_cascasu_int64() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i64));
        let s = Arc::new(AtomicU64::new(0));
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                if s.compare_exchange(0, 1, SeqCst, SeqCst).is_err() {
                    panic!("");
                }
            });
        }
        while s.compare_exchange(1, 0, SeqCst, SeqCst).is_err() {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_load_store_pointer() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i64));
        let s = Arc::new(AtomicPtr::<i32>::new(std::ptr::null_mut()));
        let mut y: i32 = 2;
        let p: *mut i32 = &mut y;
        // A raw pointer is not `Send`: its address crosses to the goroutine as a usize
        // (the pointer is only compared, never dereferenced, as in Go).
        let p_addr = p as usize;
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                s.store(p_addr as *mut i32, SeqCst);
            });
        }
        while s.load(SeqCst) != p {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn no_race_atomic_store_cas_uint64() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0i64));
        let s = Arc::new(AtomicU64::new(0));
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(2);
                s.store(1, SeqCst);
            });
        }
        while s.compare_exchange(1, 0, SeqCst, SeqCst).is_err() {
            thread::yield_now();
        }
        x.set(1);
    });
    expect_no_race(races);
}

#[test]
fn race_atomic_store_load() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(0);
        let a = Arc::new(AtomicU64::new(0));
        {
            let a = a.clone();
            go(move || {
                a.store(1, SeqCst);
                c_tx.send(true);
            });
        }
        race::read(a.as_ptr()); // Go's `_ = a`
        c.recv();
    });
    expect_race(races);
}

#[test]
fn race_atomic_load_store() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(0);
        let a = Arc::new(AtomicU64::new(0));
        {
            let a = a.clone();
            go(move || {
                let _ = a.load(SeqCst);
                c_tx.send(true);
            });
        }
        race::write(a.as_ptr()); // Go's `a = 1`
        c.recv();
    });
    expect_race(races);
}

#[test]
fn race_atomic_add_load() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(0);
        let a = Arc::new(AtomicU64::new(0));
        {
            let a = a.clone();
            go(move || {
                a.fetch_add(1, SeqCst);
                c_tx.send(true);
            });
        }
        race::read(a.as_ptr()); // Go's `_ = a`
        c.recv();
    });
    expect_race(races);
}

#[test]
fn race_atomic_add_store() {
    let ((), races) = check(|| {
        let (c_tx, c) = chan::<bool>(0);
        let a = Arc::new(AtomicU64::new(0));
        {
            let a = a.clone();
            go(move || {
                a.fetch_add(1, SeqCst);
                c_tx.send(true);
            });
        }
        race::write(a.as_ptr()); // Go's `a = 42`
        c.recv();
    });
    expect_race(races);
}

// A nil pointer in an atomic operation should not deadlock
// the rest of the program. Used to hang indefinitely.
// (TestNoRaceAtomicCrash: not portable, see golden/race-unported.txt.)

/// Go's `type foo struct { bar int64 }`.
#[derive(Default)]
struct Foo {
    bar: AtomicI64,
}

/// Go's `defer atomic.StoreInt64(&f.bar, 0)`: the store runs when the guard drops.
struct DeferStore(Arc<Foo>);

impl Drop for DeferStore {
    fn drop(&mut self) {
        self.0.bar.store(0, SeqCst);
    }
}

/// Go's `doFork`.
fn do_fork(f: Arc<Foo>, depth: i32) {
    f.bar.store(1, SeqCst);
    let _deferred = DeferStore(f);
    if depth > 0 {
        for _ in 0..2 {
            let f2 = Arc::new(Foo::default());
            go(move || do_fork(f2, depth - 1));
        }
    }
    // runtime.GC(): Rust has no garbage collector to scan the deferred call.
}

#[test]
fn no_race_defer_atomic_store() {
    // Test that when an atomic function is deferred directly, the
    // GC scans it correctly. See issue 42599.
    let ((), races) = check(|| {
        let f = Arc::new(Foo::default());
        do_fork(f, 11);
    });
    expect_no_race(races);
}
