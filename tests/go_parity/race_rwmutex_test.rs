// Ported from Go 1.19.8 `src/runtime/race/testdata/rwmutex_test.go`.
// Copyright 2012 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors.

//! Go's race-detector tests of `sync.RWMutex`, on [`gosync::sync::RwLock`] under
//! [`gosync::race::check`]: `race_*` tests require a race, `no_race_*` none, as
//! `go test -race` decides on the same file (`golden/race-verdicts-rwmutex.txt`).
//!
//! The translation: as `race_mutex_test.rs`; `mu.RLock()` ... `mu.RUnlock()` is a read
//! guard's scope, `mu.Lock()` ... `mu.Unlock()` a write guard's.

use std::sync::Arc;
use std::time::Duration;

use gosync::chan;
use gosync::race::{check, RaceCell};
use gosync::sync::{Mutex, RwLock};

use crate::race_support::{expect_no_race, expect_race, go, sleep};

#[test]
fn race_mutex_rw_mutex() {
    let ((), races) = check(|| {
        let mu1 = Arc::new(Mutex::new(()));
        let mu2 = Arc::new(RwLock::new(()));
        let x = Arc::new(RaceCell::new(0i16));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (mu1, x, ch) = (mu1.clone(), x.clone(), ch_tx.clone());
            go(move || {
                let _unlock = mu1.lock().unwrap(); // defer mu1.Unlock()
                x.set(1);
                ch.send(true);
            });
        }
        {
            let (mu2, x, ch) = (mu2.clone(), x.clone(), ch_tx.clone());
            go(move || {
                let held = mu2.write().unwrap();
                x.set(2);
                drop(held);
                ch.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_race(races);
}

#[test]
fn no_race_rw_mutex() {
    let ((), races) = check(|| {
        let mu = Arc::new(RwLock::new(()));
        let (x, y) = (Arc::new(RaceCell::new(0i64)), Arc::new(RaceCell::new(1i64)));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                let _unlock = mu.write().unwrap(); // defer mu.Unlock()
                x.set(2);
                ch.send(true);
            });
        }
        {
            let (mu, x, y, ch) = (mu.clone(), x.clone(), y.clone(), ch_tx.clone());
            go(move || {
                let held = mu.read().unwrap();
                y.set(x.get());
                drop(held);
                ch.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_no_race(races);
}

/// One of the readers of the two `MultipleReaders` tests: `y = x + d` (or `y := x + d`,
/// a local, when `y` is `None`) under the read lock.
fn reader(
    mu: &Arc<RwLock<()>>,
    x: &Arc<RaceCell<i64>>,
    y: Option<&Arc<RaceCell<i64>>>,
    d: i64,
    ch: &gosync::Sender<bool>,
) {
    let (mu, x, y, ch) = (mu.clone(), x.clone(), y.cloned(), ch.clone());
    go(move || {
        let held = mu.read().unwrap();
        let sum = x.get() + d;
        match y {
            Some(y) => y.set(sum),
            None => {
                let _ = sum;
            }
        }
        drop(held);
        ch.send(true);
    });
}

#[test]
fn race_rw_mutex_multiple_readers() {
    let ((), races) = check(|| {
        let mu = Arc::new(RwLock::new(()));
        let (x, y) = (Arc::new(RaceCell::new(0i64)), Arc::new(RaceCell::new(1i64)));
        let (ch_tx, ch) = chan::<bool>(4);
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                let _unlock = mu.write().unwrap(); // defer mu.Unlock()
                x.set(2);
                ch.send(true);
            });
        }
        // Use three readers so that no matter what order they're
        // scheduled in, two will be on the same side of the write
        // lock above.
        reader(&mu, &x, Some(&y), 1, &ch_tx);
        reader(&mu, &x, Some(&y), 2, &ch_tx);
        reader(&mu, &x, Some(&y), 3, &ch_tx);
        ch.recv();
        ch.recv();
        ch.recv();
        ch.recv();
        let _ = y.get();
    });
    expect_race(races);
}

#[test]
fn no_race_rw_mutex_multiple_readers() {
    let ((), races) = check(|| {
        let mu = Arc::new(RwLock::new(()));
        let x = Arc::new(RaceCell::new(0i64));
        let (ch_tx, ch) = chan::<bool>(4);
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                let _unlock = mu.write().unwrap(); // defer mu.Unlock()
                x.set(2);
                ch.send(true);
            });
        }
        reader(&mu, &x, None, 1, &ch_tx);
        reader(&mu, &x, None, 2, &ch_tx);
        reader(&mu, &x, None, 3, &ch_tx);
        ch.recv();
        ch.recv();
        ch.recv();
        ch.recv();
    });
    expect_no_race(races);
}

#[test]
fn no_race_rw_mutex_transitive() {
    let ((), races) = check(|| {
        let mu = Arc::new(RwLock::new(()));
        let x = Arc::new(RaceCell::new(0i64));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                let held = mu.read().unwrap();
                let _ = x.get();
                drop(held);
                ch.send(true);
            });
        }
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                sleep(Duration::from_nanos(10_000_000)); // time.Sleep(1e7)
                let held = mu.read().unwrap();
                let _ = x.get();
                drop(held);
                ch.send(true);
            });
        }
        sleep(Duration::from_nanos(20_000_000)); // time.Sleep(2e7)
        let held = mu.write().unwrap();
        x.set(42);
        drop(held);
        ch.recv();
        ch.recv();
    });
    expect_no_race(races);
}
