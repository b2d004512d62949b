//! Go's six `sync.WaitGroup` benchmarks, under Go's names, on 2 threads as
//! `go test -bench WaitGroup -cpu 2 sync` runs them, beside the floor and the peers. The
//! wake-up benchmarks, which Go's suite does not have, are in `benches/sleeping.rs`.
//!
//! Workloads ported from Go 1.19.8 `src/sync/waitgroup_test.go`.
//! Copyright 2011 The Go Authors. All rights reserved. Use of this source code is
//! governed by a BSD-style license that can be found in LICENSE-GO.
//!
//! Each Go benchmark is a criterion group named as in Go, with one entry per contender:
//!
//! | entry          | what it is |
//! |----------------|------------|
//! | `gosync`       | this crate |
//! | `floor`        | a bare `AtomicU64` doing the same atomic operations and nothing else |
//! | `crossbeam`    | `crossbeam_utils::sync::WaitGroup` (clone = add, drop = done, `wait(self)`) |
//! | `wg`           | the `wg` crate's blocking `WaitGroup` (`parking_lot` mutex + condvar) |
//! | `mutex_condvar`| a counter in a `std::sync::Mutex` with a `Condvar` |
//!
//! Times per iteration are Go's ns/op: total operations on both threads over wall time
//! (see `go_bench::RunParallel`). `scripts/bench-vs-go` runs Go's own benchmarks beside
//! these and writes `docs/performance.md`.

mod go_bench;

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use go_bench::{local_work, RunParallel};

/// The operations Go's benchmarks make, for every contender that has Go's API shape.
trait Group: Send + Sync + 'static {
    fn new() -> Self;
    fn add(&self, delta: isize);
    fn done(&self);
    fn wait(&self);
}

impl Group for gosync::WaitGroup {
    fn new() -> Self {
        gosync::WaitGroup::new()
    }
    #[inline]
    fn add(&self, delta: isize) {
        gosync::WaitGroup::add(self, delta);
    }
    #[inline]
    fn done(&self) {
        gosync::WaitGroup::done(self);
    }
    #[inline]
    fn wait(&self) {
        gosync::WaitGroup::wait(self);
    }
}

/// The floor: the atomic operations of Go's WaitGroup on its state word, and nothing else
/// (no misuse checks, no waiter registration, no semaphore).
struct Floor(AtomicU64);

impl Group for Floor {
    fn new() -> Self {
        Floor(AtomicU64::new(0))
    }
    #[inline]
    fn add(&self, delta: isize) {
        // ORDERING: SeqCst, the same `lock xadd` as gosync's `add`.
        self.0.fetch_add((delta as i64 as u64) << 32, SeqCst);
    }
    #[inline]
    fn done(&self) {
        self.add(-1);
    }
    #[inline]
    fn wait(&self) {
        // ORDERING: SeqCst, the same load as gosync's `wait`; spins where gosync would sleep.
        while self.0.load(SeqCst) >> 32 != 0 {
            thread::yield_now();
        }
    }
}

/// The `wg` crate's blocking `WaitGroup`: an `Arc` of a `parking_lot` mutex and condvar.
struct WgCrate(wg::WaitGroup);

impl Group for WgCrate {
    fn new() -> Self {
        WgCrate(wg::WaitGroup::new())
    }
    #[inline]
    fn add(&self, delta: isize) {
        // `add` hands back a clone of the handle; Go's benchmarks have no use for it.
        drop(
            self.0
                .add(usize::try_from(delta).expect("the benchmarks add only positive deltas")),
        );
    }
    #[inline]
    fn done(&self) {
        self.0.done();
    }
    #[inline]
    fn wait(&self) {
        self.0.wait();
    }
}

/// The textbook WaitGroup: a counter under a `Mutex`, a `Condvar` to sleep on.
struct MutexCondvar {
    /// The counter, and how many waiters sleep on `zero` (`add` notifies only if any).
    state: Mutex<(isize, usize)>,
    zero: Condvar,
}

impl Group for MutexCondvar {
    fn new() -> Self {
        MutexCondvar {
            state: Mutex::new((0, 0)),
            zero: Condvar::new(),
        }
    }
    #[inline]
    fn add(&self, delta: isize) {
        let mut state = self.state.lock().unwrap();
        state.0 += delta;
        assert!(state.0 >= 0, "negative counter");
        if state.0 == 0 && state.1 != 0 {
            self.zero.notify_all();
        }
    }
    #[inline]
    fn done(&self) {
        self.add(-1);
    }
    #[inline]
    fn wait(&self) {
        let mut state = self.state.lock().unwrap();
        while state.0 != 0 {
            state.1 += 1;
            state = self.zero.wait(state).unwrap();
            state.1 -= 1;
        }
    }
}

// ---- Go's six ------------------------------------------------------------------------

/// Go's `PaddedWaitGroup`: one group per goroutine, padded off its neighbours' lines.
#[repr(C)]
struct Padded<G> {
    wg: G,
    _pad: [u8; 128],
}

/// `BenchmarkWaitGroupUncontended`: each thread adds, dones and waits on its own group.
fn uncontended<G: Group>(iters: u64, run: &RunParallel) -> Duration {
    run.run(iters, |pb| {
        let wg = Padded {
            wg: G::new(),
            _pad: [0; 128],
        };
        let wg = black_box(&wg);
        while pb.next() {
            wg.wg.add(1);
            wg.wg.done();
            wg.wg.wait();
        }
    })
}

/// crossbeam's `wait` consumes its group, so each iteration makes a new one.
fn uncontended_crossbeam(iters: u64, run: &RunParallel) -> Duration {
    run.run(iters, |pb| {
        while pb.next() {
            let wg = crossbeam_utils::sync::WaitGroup::new();
            drop(wg.clone());
            wg.wait();
        }
    })
}

/// `benchmarkWaitGroupAddDone`: both threads add and done on one shared group.
fn add_done<G: Group>(iters: u64, run: &RunParallel, work: u32) -> Duration {
    let wg = G::new();
    run.run(iters, |pb| {
        while pb.next() {
            wg.add(1);
            local_work(work);
            wg.done();
        }
    })
}

fn add_done_crossbeam(iters: u64, run: &RunParallel, work: u32) -> Duration {
    let wg = crossbeam_utils::sync::WaitGroup::new();
    run.run(iters, |pb| {
        while pb.next() {
            let member = wg.clone();
            local_work(work);
            drop(member);
        }
    })
}

/// `benchmarkWaitGroupWait`: both threads wait on one zero group.
fn wait<G: Group>(iters: u64, run: &RunParallel, work: u32) -> Duration {
    let wg = G::new();
    run.run(iters, |pb| {
        while pb.next() {
            wg.wait();
            local_work(work);
        }
    })
}

/// `BenchmarkWaitGroupActuallyWait`: a new group per iteration, whose `done` comes from a
/// new thread (Go: a new goroutine), so `wait` really sleeps. A Rust thread costs far more
/// than a goroutine; the floor (same spawn, bare atomics) shows how much.
fn actually_wait<G: Group>(iters: u64, run: &RunParallel) -> Duration {
    run.run(iters, |pb| {
        while pb.next() {
            let wg = Arc::new(G::new());
            wg.add(1);
            let done_by = Arc::clone(&wg);
            thread::spawn(move || done_by.done());
            wg.wait();
        }
    })
}

fn actually_wait_crossbeam(iters: u64, run: &RunParallel) -> Duration {
    run.run(iters, |pb| {
        while pb.next() {
            let wg = crossbeam_utils::sync::WaitGroup::new();
            let member = wg.clone();
            thread::spawn(move || drop(member));
            wg.wait();
        }
    })
}

/// One Go benchmark: a criterion group under Go's name, one entry per contender.
macro_rules! go_benchmark {
    ($c:expr, $name:literal, |$iters:ident, $run:ident| $generic:ident($($arg:expr),*), $crossbeam:expr) => {{
        let mut group = $c.benchmark_group($name);
        go_benchmark!(@entry group, "gosync", |$iters, $run| $generic::<gosync::WaitGroup>($($arg),*));
        go_benchmark!(@entry group, "floor", |$iters, $run| $generic::<Floor>($($arg),*));
        if let Some(crossbeam) = $crossbeam {
            let run = RunParallel::default();
            group.bench_function("crossbeam", |b| b.iter_custom(|iters| crossbeam(iters, &run)));
        }
        go_benchmark!(@entry group, "wg", |$iters, $run| $generic::<WgCrate>($($arg),*));
        go_benchmark!(@entry group, "mutex_condvar", |$iters, $run| $generic::<MutexCondvar>($($arg),*));
        group.finish();
    }};
    (@entry $group:ident, $id:literal, |$iters:ident, $run:ident| $call:expr) => {{
        let $run = RunParallel::default();
        $group.bench_function($id, |b| b.iter_custom(|$iters| $call));
    }};
}

/// `None` where crossbeam's API cannot express the workload.
type CrossbeamBench = Option<fn(u64, &RunParallel) -> Duration>;

fn go_six(c: &mut Criterion) {
    const NONE: CrossbeamBench = None;
    go_benchmark!(
        c,
        "WaitGroupUncontended",
        |iters, run| uncontended(iters, &run),
        Some(uncontended_crossbeam)
    );
    go_benchmark!(
        c,
        "WaitGroupAddDone",
        |iters, run| add_done(iters, &run, 0),
        Some(|i, r: &RunParallel| add_done_crossbeam(i, r, 0))
    );
    go_benchmark!(
        c,
        "WaitGroupAddDoneWork",
        |iters, run| add_done(iters, &run, 100),
        Some(|i, r: &RunParallel| add_done_crossbeam(i, r, 100))
    );
    // crossbeam's `wait` consumes the group and waits for every other clone: a zero group
    // cannot be waited on twice, so it has no entry in the two Wait benchmarks.
    go_benchmark!(c, "WaitGroupWait", |iters, run| wait(iters, &run, 0), NONE);
    go_benchmark!(
        c,
        "WaitGroupWaitWork",
        |iters, run| wait(iters, &run, 100),
        NONE
    );
    go_benchmark!(
        c,
        "WaitGroupActuallyWait",
        |iters, run| actually_wait(iters, &run),
        Some(actually_wait_crossbeam)
    );
}

/// Criterion's defaults, shortened so that `scripts/bench-vs-go` stays within minutes;
/// command-line options (`--measurement-time`, `--warm-up-time`) still override them.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30)
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = go_six
}
criterion_main!(benches);
