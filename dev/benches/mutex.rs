//! Go's `sync.Mutex` benchmarks `BenchmarkMutexUncontended` and `BenchmarkMutex`, under
//! Go's names, on 2 threads as `go test -bench 'Mutex(Uncontended)?$' -cpu 2 sync` runs
//! them, for `gosync::sync::Mutex`.
//!
//! Workloads ported from Go 1.19.8 `src/sync/mutex_test.go`.
//! Copyright 2009 The Go Authors. All rights reserved. Use of this source code is
//! governed by a BSD-style license that can be found in LICENSE-GO.
//!
//! | entry    | what it is |
//! |----------|------------|
//! | `gosync` | `gosync::sync::Mutex`: std's own without the `race` feature, the checked wrapper with it |
//! | `std`    | `std::sync::Mutex`, which the race checker does not see |
//!
//! Built with `--features race`, `gosync` is the number to put beside `go test -race`'s;
//! `scripts/bench-mutex-vs-go` runs both, round after round, and prints the medians.

#[allow(dead_code)] // its `local_work` serves the WaitGroup benchmarks only
mod go_bench;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use go_bench::RunParallel;

/// The lock and unlock Go's benchmarks make.
trait Lock: Default + Sync {
    fn lock_unlock(&self);
}

// Without the `race` feature `gosync::sync::Mutex` is std's: the impl below covers it.
#[cfg(feature = "race")]
impl Lock for gosync::sync::Mutex<()> {
    #[inline]
    fn lock_unlock(&self) {
        drop(self.lock());
    }
}

impl Lock for std::sync::Mutex<()> {
    #[inline]
    fn lock_unlock(&self) {
        drop(self.lock());
    }
}

/// Go's `PaddedMutex`: a mutex and 128 bytes, so two threads' mutexes share no line.
struct Padded<L> {
    mu: L,
    _pad: [u8; 128],
}

impl<L: Default> Default for Padded<L> {
    fn default() -> Self {
        Padded {
            mu: L::default(),
            _pad: [0; 128],
        }
    }
}

/// `BenchmarkMutexUncontended`: each thread locks and unlocks its own mutex.
fn uncontended<L: Lock>(iters: u64, run: &RunParallel) -> Duration {
    run.run(iters, |pb| {
        let mu = Padded::<L>::default();
        let mu = black_box(&mu);
        while pb.next() {
            mu.mu.lock_unlock();
        }
    })
}

/// `BenchmarkMutex` (`benchmarkMutex(b, false, false)`): both threads on one mutex.
fn contended<L: Lock>(iters: u64, run: &RunParallel) -> Duration {
    let mu = L::default();
    run.run(iters, |pb| {
        while pb.next() {
            mu.lock_unlock();
        }
    })
}

fn go_mutex(c: &mut Criterion) {
    type Bench = fn(u64, &RunParallel) -> Duration;
    let benches: [(&str, Bench, Bench); 2] = [
        (
            "MutexUncontended",
            uncontended::<gosync::sync::Mutex<()>>,
            uncontended::<std::sync::Mutex<()>>,
        ),
        (
            "Mutex",
            contended::<gosync::sync::Mutex<()>>,
            contended::<std::sync::Mutex<()>>,
        ),
    ];
    for (name, gosync, std) in benches {
        let mut group = c.benchmark_group(name);
        for (entry, bench) in [("gosync", gosync), ("std", std)] {
            let run = RunParallel::default();
            group.bench_function(entry, |b| b.iter_custom(|iters| bench(iters, &run)));
        }
        group.finish();
    }
}

/// Short runs, as benches/waitgroup.rs; command-line options still override them.
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
    targets = go_mutex
}
criterion_main!(benches);
