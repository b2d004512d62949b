//! Go's six `BenchmarkWaitGroup*` benchmarks on gosync's `WaitGroup`, in race mode.
//!
//! `cargo bench --features race --bench race` measures the race checker at work: every
//! `add`, `done` and `wait` makes the annotations Go's `sync.WaitGroup` makes under
//! `go test -race`, so the numbers stand beside
//! `go test -race -run XXX -bench WaitGroup -cpu 2 sync` (see `docs/race.md`).
//! `cargo bench --bench race` runs the same code without the feature: the annotations
//! compile to nothing, and the numbers are those of the plain build.
//!
//! The benchmarks run on `go_bench::THREADS` threads through Go's `b.RunParallel`
//! (`go_bench::RunParallel`), so ns/op is Go's: total operations over wall time.

use std::hint::black_box;
use std::sync::Arc;
use std::thread;

use criterion::{criterion_group, criterion_main, Criterion};
use gosync::WaitGroup;

mod go_bench;
use go_bench::{local_work, RunParallel};

/// Go's `PaddedWaitGroup`: one group per goroutine, padded off its neighbours' lines.
#[repr(C)]
struct Padded {
    wg: WaitGroup,
    _pad: [u8; 128],
}

fn race_mode(c: &mut Criterion) {
    let mode = if gosync::race::ENABLED {
        "race"
    } else {
        "norace"
    };
    let mut group = c.benchmark_group(format!("WaitGroup/{mode}"));

    let run = RunParallel::default();
    group.bench_function("Uncontended", |b| {
        b.iter_custom(|iters| {
            run.run(iters, |pb| {
                let wg = Padded {
                    wg: WaitGroup::new(),
                    _pad: [0; 128],
                };
                let wg = black_box(&wg.wg);
                while pb.next() {
                    wg.add(1);
                    wg.done();
                    wg.wait();
                }
            })
        })
    });

    for (name, work) in [("AddDone", 0), ("AddDoneWork", 100)] {
        let run = RunParallel::default();
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let wg = WaitGroup::new();
                run.run(iters, |pb| {
                    while pb.next() {
                        wg.add(1);
                        local_work(work);
                        wg.done();
                    }
                })
            })
        });
    }

    for (name, work) in [("Wait", 0), ("WaitWork", 100)] {
        let run = RunParallel::default();
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let wg = WaitGroup::new();
                run.run(iters, |pb| {
                    while pb.next() {
                        wg.wait();
                        local_work(work);
                    }
                })
            })
        });
    }

    // A new group per iteration whose `done` comes from a new thread, so `wait` sleeps.
    // `thread::spawn`, not `gosync::go`: a goroutine's fork copies the parent's clock,
    // which here grows by one goroutine per iteration (TSan's is a fixed 256 slots), so
    // `go` would time the copy, not the WaitGroup.
    let run = RunParallel::default();
    group.bench_function("ActuallyWait", |b| {
        b.iter_custom(|iters| {
            run.run(iters, |pb| {
                while pb.next() {
                    let wg = Arc::new(WaitGroup::new());
                    wg.add(1);
                    let done_by = Arc::clone(&wg);
                    thread::spawn(move || done_by.done());
                    wg.wait();
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, race_mode);
criterion_main!(benches);
