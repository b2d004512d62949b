//! The async wait beside Go's `BenchmarkWaitGroupActuallyWait`, and the thread-only paths
//! that the timed and async waits must not slow down.
//!
//! - `ActuallyWaitAsync/tokio-current-thread`: per iteration, a fresh group on the heap
//!   (as Go's escapes), `add(1)`, spawn a task that calls `done`, await `wait_async`.
//!   The waiting task always sleeps: on a current-thread runtime the `done` task runs
//!   only once the waiter yields. Go's benchmark does the same with a goroutine
//!   (`go test -run XXX -bench ActuallyWait -cpu 2 sync`); see
//!   `docs/performance-async.md` for the numbers and how they compare.
//! - `floor/spawn-join`: the same runtime spawning and joining an empty task, no group:
//!   the part of the first benchmark that is tokio's.
//! - `thread_paths/*`: `add(1)` + `done()` on one thread, and `wait()` on a zero counter
//!   (the fast path, which now also checks for a panic of `WaitGroup::go`). Compare with
//!   criterion's `--save-baseline` / `--baseline` against the code before the change.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use gosync::WaitGroup;

fn actually_wait_async(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    c.bench_function("ActuallyWaitAsync/tokio-current-thread", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let wg = Arc::new(WaitGroup::new());
                    wg.add(1);
                    let worker = Arc::clone(&wg);
                    tokio::spawn(async move { worker.done() });
                    wg.wait_async().await;
                }
                start.elapsed()
            })
        });
    });
}

fn thread_paths(c: &mut Criterion) {
    let mut group = c.benchmark_group("thread_paths");
    let wg = WaitGroup::new();
    group.bench_function("add_done", |b| {
        b.iter(|| {
            black_box(&wg).add(1);
            black_box(&wg).done();
        });
    });
    group.bench_function("wait_zero", |b| b.iter(|| black_box(&wg).wait()));
    group.finish();
}

criterion_group!(benches, actually_wait_async, thread_paths);

fn floor(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    c.bench_function("floor/spawn-join", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    tokio::spawn(async {}).await.unwrap();
                }
                start.elapsed()
            })
        });
    });
}
criterion_group!(floors, floor);
criterion_main!(benches, floors);
