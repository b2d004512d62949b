//! The thread-only paths that the timed and async waits must not slow down. (The async
//! wait itself, beside Go's `ActuallyWait`, tokio's spawn-join and `oneshot`, is in
//! `benches/sleeping.rs`.)
//!
//! - `thread_paths/*`: `add(1)` + `done()` on one thread, and `wait()` on a zero counter
//!   (the fast path, which now also checks for a panic of `WaitGroup::go`). Compare with
//!   criterion's `--save-baseline` / `--baseline` against the code before the change.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use gosync::WaitGroup;

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

criterion_group!(benches, thread_paths);
criterion_main!(benches);
