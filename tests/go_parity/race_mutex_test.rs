// Ported from Go 1.19.8 `src/runtime/race/testdata/mutex_test.go`.
// Copyright 2012 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors.

//! Go's race-detector tests of `sync.Mutex`, on [`gosync::sync::Mutex`] under
//! [`gosync::race::check`]: `race_*` tests require a race, `no_race_*` none, as
//! `go test -race` decides on the same file (`golden/race-verdicts-mutex.txt`).
//!
//! The translation: a Go variable is a [`RaceCell`], `var mu sync.Mutex` is a
//! `Mutex<()>` beside it (Go's mutex guards memory it does not own), `mu.Lock()` ...
//! `mu.Unlock()` is a guard's scope, `defer mu.Unlock()` a guard held to the closure's end,
//! `make(chan bool, 2)` is [`chan`]. Three tests are not portable
//! (`golden/race-unported.txt`): `TestNoRaceMutexSemaphore` and
//! `TestNoRaceMutexExampleFromHtml` unlock on another goroutine than the locker's, and
//! `TestRaceMutexOverwrite` assigns to a locked mutex.

use std::sync::Arc;
use std::time::Duration;

use gosync::chan;
use gosync::race::{check, RaceCell};
use gosync::sync::Mutex;

use crate::race_support::{expect_no_race, expect_race, go, sleep};

#[test]
fn no_race_mutex() {
    let ((), races) = check(|| {
        let mu = Arc::new(Mutex::new(()));
        let x = Arc::new(RaceCell::new(0i16));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                let _unlock = mu.lock().unwrap(); // defer mu.Unlock()
                x.set(1);
                ch.send(true);
            });
        }
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                let held = mu.lock().unwrap();
                x.set(2);
                drop(held);
                ch.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_no_race(races);
}

#[test]
fn race_mutex() {
    let ((), races) = check(|| {
        let mu = Arc::new(Mutex::new(()));
        let x = Arc::new(RaceCell::new(0i16));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                x.set(1);
                let _unlock = mu.lock().unwrap(); // defer mu.Unlock()
                ch.send(true);
            });
        }
        {
            let (mu, x, ch) = (mu.clone(), x.clone(), ch_tx.clone());
            go(move || {
                x.set(2);
                drop(mu.lock().unwrap());
                ch.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_race(races);
}

#[test]
fn race_mutex2() {
    let ((), races) = check(|| {
        let mu1 = Arc::new(Mutex::new(()));
        let mu2 = Arc::new(Mutex::new(()));
        let x = Arc::new(RaceCell::new(0i8));
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
                let held = mu2.lock().unwrap();
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
fn no_race_mutex_pure_happens_before() {
    let ((), races) = check(|| {
        let mu = Arc::new(Mutex::new(()));
        let x = Arc::new(RaceCell::new(0i16));
        let written = Arc::new(RaceCell::new(false));
        let (ch_tx, ch) = chan::<bool>(2);
        {
            let (mu, x, written, ch) = (mu.clone(), x.clone(), written.clone(), ch_tx.clone());
            go(move || {
                x.set(1);
                let held = mu.lock().unwrap();
                written.set(true);
                drop(held);
                ch.send(true);
            });
        }
        {
            let (mu, x, written, ch) = (mu.clone(), x.clone(), written.clone(), ch_tx.clone());
            go(move || {
                sleep(Duration::from_micros(100));
                let mut held = mu.lock().unwrap();
                while !written.get() {
                    drop(held);
                    sleep(Duration::from_micros(100));
                    held = mu.lock().unwrap();
                }
                drop(held);
                x.set(1);
                ch.send(true);
            });
        }
        ch.recv();
        ch.recv();
    });
    expect_no_race(races);
}
