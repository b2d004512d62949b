// Ported from Go 1.19.8 `src/sync/waitgroup_test.go` (and `ExampleWaitGroup` from
// `src/sync/example_test.go`).
// Copyright 2011 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors, MIT OR Apache-2.0.
//
// Goroutines are threads (scoped where Go's closures borrow), channels are
// `std::sync::mpsc`, `recover()` is `catch_unwind` with the `&'static str` payload.
// Go's benchmarks belong in `benches/`, not here.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicI32, Ordering::SeqCst};
use std::sync::mpsc;
use std::thread;

use gosync::{race, WaitGroup};

/// Go's `go` statement on a scoped thread: the new thread starts with everything this one
/// did so far (the fork edge `go` gives Go's race detector; `race::forked`).
fn go<'scope, T: Send + 'scope>(
    s: &'scope thread::Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> thread::ScopedJoinHandle<'scope, T> {
    s.spawn(race::forked(f))
}

/// Go's `testWaitGroup` helper.
fn run_test_wait_group(wg1: &WaitGroup, wg2: &WaitGroup) {
    let n = 16;
    wg1.add(n);
    wg2.add(n);
    let (exited_tx, exited) = mpsc::sync_channel(n as usize);
    // Go's channel makes each send happen before the receive that gets it; std's channel
    // is invisible to the race checker, so that edge is annotated on `exited_edge`.
    let exited_edge = 0u8;
    let exited_edge = &exited_edge;
    thread::scope(|s| {
        for _ in 0..n {
            let exited_tx = exited_tx.clone();
            go(s, move || {
                wg1.done();
                wg2.wait();
                race::release_merge(exited_edge);
                exited_tx.send(true).unwrap();
            });
        }
        wg1.wait();
        for _ in 0..n {
            // select { case <-exited: t.Fatal(...) default: }
            if exited.try_recv().is_ok() {
                panic!("WaitGroup released group too soon");
            }
            wg2.done();
        }
        for _ in 0..n {
            exited.recv().unwrap(); // Will block if barrier fails to unlock someone.
            race::acquire(exited_edge);
        }
    });
}

#[test]
fn test_wait_group() {
    let wg1 = &WaitGroup::new();
    let wg2 = &WaitGroup::new();

    // Run the same test a few times to ensure barrier is in a proper state.
    for _ in 0..8 {
        run_test_wait_group(wg1, wg2);
    }
}

#[test]
fn test_wait_group_misuse() {
    let err = catch_unwind(AssertUnwindSafe(|| {
        let wg = &WaitGroup::new();
        wg.add(1);
        wg.done();
        wg.done();
        panic!("Should panic");
    }))
    .unwrap_err();
    let err = err.downcast_ref::<&'static str>().copied();
    if err != Some("sync: negative WaitGroup counter") {
        panic!("Unexpected panic: {err:?}");
    }
}

#[test]
fn test_wait_group_race() {
    // Run this test for about 1ms.
    for _ in 0..1000 {
        let wg = &WaitGroup::new();
        let n = &AtomicI32::new(0);
        thread::scope(|s| {
            // ORDERING: SeqCst, as Go's atomic.AddInt32/LoadInt32.
            // spawn goroutine 1
            wg.add(1);
            go(s, || {
                n.fetch_add(1, SeqCst);
                wg.done();
            });
            // spawn goroutine 2
            wg.add(1);
            go(s, || {
                n.fetch_add(1, SeqCst);
                wg.done();
            });
            // Wait for goroutine 1 and 2
            wg.wait();
            if n.load(SeqCst) != 2 {
                panic!("Spurious wakeup from Wait");
            }
        });
    }
}

#[test]
fn test_wait_group_align() {
    struct X {
        #[allow(dead_code)] // Go's `x byte`: only there to misalign `wg`.
        x: u8,
        wg: WaitGroup,
    }
    let x = X {
        x: 0,
        wg: WaitGroup::new(),
    };
    x.wg.add(1);
    thread::scope(|s| {
        go(s, || {
            x.wg.done();
        });
        x.wg.wait();
    });
}

/// Go's `type httpPkg struct{}; func (httpPkg) Get(url string) {}`.
struct HttpPkg;

impl HttpPkg {
    fn get(&self, _url: &str) {}
}

static HTTP: HttpPkg = HttpPkg;

// This example fetches several URLs concurrently,
// using a WaitGroup to block until all the fetches are complete.
#[test]
fn example_wait_group() {
    let wg = &WaitGroup::new();
    let urls = [
        "http://www.golang.org/",
        "http://www.google.com/",
        "http://www.example.com/",
    ];
    thread::scope(|s| {
        for url in urls {
            // Increment the WaitGroup counter.
            wg.add(1);
            // Launch a goroutine to fetch the URL.
            go(s, move || {
                // Decrement the counter when the goroutine completes.
                // (Go's `defer wg.Done()`: done runs even if the fetch panics.)
                struct DeferDone<'a>(&'a WaitGroup);
                impl Drop for DeferDone<'_> {
                    fn drop(&mut self) {
                        self.0.done();
                    }
                }
                let _done = DeferDone(wg);
                // Fetch the URL.
                HTTP.get(url);
            });
        }
        // Wait for all HTTP fetches to complete.
        wg.wait();
    });
}
