//! Go's six `sync.WaitGroup` benchmarks, under Go's names, on 2 threads as
//! `go test -bench WaitGroup -cpu 2 sync` runs them, beside the floor and the peers; then
//! wake-up benchmarks that Go does not have.
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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
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
    /// The counter, and how many waiters sleep on `zero` (for the wake-up benchmarks).
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

/// How many waiters are asleep on a group right now, for the wake-up benchmarks (which
/// must know the waiters really parked before they time the wake-up).
trait Parked: Group {
    fn parked(&self) -> usize;
}

impl Parked for gosync::WaitGroup {
    fn parked(&self) -> usize {
        self.snapshot().parked
    }
}

impl Parked for MutexCondvar {
    fn parked(&self) -> usize {
        // Counted under the lock that `Condvar::wait` releases: once counted, asleep.
        self.state.lock().unwrap().1
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

// ---- Wake-ups ------------------------------------------------------------------------

/// A pool of waiter threads that sleep between rounds, so a round times only the wake-up.
///
/// Round: the main thread arms the groups, opens the gate; each waiter calls `wait` on
/// its group; the main thread polls until every waiter is really parked, then times the
/// `done` calls until every waiter has returned from `wait`.
struct WaiterPool<G: Parked> {
    groups: Arc<Vec<G>>,
    /// Round number the waiters may start (`u64::MAX`: shut down), and its condvar.
    gate: Arc<(Mutex<u64>, Condvar)>,
    returned: Arc<AtomicUsize>,
    round: u64,
    waiters: Vec<thread::JoinHandle<()>>,
}

impl<G: Parked> WaiterPool<G> {
    /// `waiters` threads; waiter `i` waits on group `i % groups`.
    fn new(groups: usize, waiters: usize) -> Self {
        let groups = Arc::new((0..groups).map(|_| G::new()).collect::<Vec<_>>());
        let gate = Arc::new((Mutex::new(0), Condvar::new()));
        let returned = Arc::new(AtomicUsize::new(0));
        let waiters = (0..waiters)
            .map(|i| {
                let (groups, gate, returned) = (
                    Arc::clone(&groups),
                    Arc::clone(&gate),
                    Arc::clone(&returned),
                );
                thread::Builder::new()
                    .stack_size(64 * 1024)
                    .spawn(move || {
                        let group = &groups[i % groups.len()];
                        let mut round = 0;
                        loop {
                            let mut open = gate.0.lock().unwrap();
                            while *open == round {
                                open = gate.1.wait(open).unwrap();
                            }
                            if *open == u64::MAX {
                                return;
                            }
                            round = *open;
                            drop(open);
                            group.wait();
                            // ORDERING: SeqCst; the main thread counts returns, nothing more.
                            returned.fetch_add(1, SeqCst);
                        }
                    })
                    .expect("spawn a waiter")
            })
            .collect();
        WaiterPool {
            groups,
            gate,
            returned,
            round: 0,
            waiters,
        }
    }

    /// One round; returns the time from the first `done` to the last waiter's return.
    fn round(&mut self) -> Duration {
        for group in self.groups.iter() {
            group.add(1);
        }
        self.round += 1;
        *self.gate.0.lock().unwrap() = self.round;
        self.gate.1.notify_all();
        let waiters = self.waiters.len();
        while self.groups.iter().map(Parked::parked).sum::<usize>() < waiters {
            thread::yield_now();
        }
        let until = waiters * self.round as usize;
        let start = Instant::now();
        for group in self.groups.iter() {
            group.done();
        }
        // ORDERING: SeqCst; see the waiters. Yield, as Go's side (scripts/go) does with
        // `runtime.Gosched`: 64 woken waiters need both cores.
        while self.returned.load(SeqCst) < until {
            thread::yield_now();
        }
        start.elapsed()
    }
}

impl<G: Parked> Drop for WaiterPool<G> {
    fn drop(&mut self) {
        *self.gate.0.lock().unwrap() = u64::MAX;
        self.gate.1.notify_all();
        for waiter in self.waiters.drain(..) {
            waiter.join().expect("waiter");
        }
    }
}

fn wake_bench<G: Parked>(
    c: &mut Criterion,
    name: &str,
    id: &str,
    sizes: &[usize],
    pool: fn(usize) -> WaiterPool<G>,
) {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    for &n in sizes {
        let mut pool = pool(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new(id, n), &n, |b, _| {
            b.iter_custom(|iters| (0..iters).map(|_| pool.round()).sum())
        });
    }
    group.finish();
}

/// One `done` releasing 1, 4, 16, 64 parked waiters of one group; time until all returned.
/// crossbeam and `wg` cannot say whether their waiters sleep yet, so they have no entry.
fn wake_waiters(c: &mut Criterion) {
    const SIZES: &[usize] = &[1, 4, 16, 64];
    wake_bench::<gosync::WaitGroup>(c, "WakeWaiters", "gosync", SIZES, |n| WaiterPool::new(1, n));
    wake_bench::<MutexCondvar>(c, "WakeWaiters", "mutex_condvar", SIZES, |n| {
        WaiterPool::new(1, n)
    });
}

/// 10, 100, 1000 distinct groups, one parked waiter each, all released: the semaphore
/// table's many-addresses case (Go issue 38420). Throughput is per group.
fn distinct_groups(c: &mut Criterion) {
    const SIZES: &[usize] = &[10, 100, 1000];
    wake_bench::<gosync::WaitGroup>(c, "DistinctGroups", "gosync", SIZES, |n| {
        WaiterPool::new(n, n)
    });
    wake_bench::<MutexCondvar>(c, "DistinctGroups", "mutex_condvar", SIZES, |n| {
        WaiterPool::new(n, n)
    });
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
    targets = go_six, wake_waiters, distinct_groups
}
criterion_main!(benches);
