//! The pieces of Go's `testing` package that Go's WaitGroup benchmarks lean on, for
//! criterion: `b.RunParallel` with `testing.PB.Next`, and the benchmarks' local work loop.
//!
//! Shared by every bench target that reproduces Go's `sync` benchmarks (`mod go_bench;`).
//!
//! Ported in part from Go 1.19.8 `src/testing/benchmark.go` (`RunParallel`, `PB.Next`).
//! Copyright 2009 The Go Authors. All rights reserved. Use of this source code is
//! governed by a BSD-style license that can be found in LICENSE-GO.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use std::time::{Duration, Instant};

/// `go test -bench -cpu 2`: GOMAXPROCS=2, so `RunParallel` runs 2 goroutines.
pub const THREADS: usize = 2;

/// Go's `b.RunParallel`, for `criterion::Bencher::iter_custom`.
///
/// The `iters` iterations criterion asks for are Go's `b.N`: [`THREADS`] threads share
/// them, taking grains from one counter as `PB.Next` does, and the time returned is the
/// wall time of the whole run. Criterion's time per iteration is then Go's ns/op: total
/// operations across threads divided by wall time.
///
/// One `RunParallel` per benchmark: like Go's `b.previousN`/`b.previousDuration`, it
/// remembers the last run to size the grain.
#[derive(Default)]
pub struct RunParallel {
    previous: Cell<Option<(u64, Duration)>>,
}

impl RunParallel {
    /// Runs `body` on [`THREADS`] fresh threads, each looping on its own [`Pb`] until the
    /// `iters` iterations are shared out, and returns the wall time from the moment all
    /// threads are ready until the last one finishes its share (thread start-up, exit and
    /// join are not timed).
    pub fn run(&self, iters: u64, body: impl Fn(&mut Pb) + Sync) -> Duration {
        let global_n = AtomicU64::new(0);
        let ready = AtomicUsize::new(0);
        let go = AtomicBool::new(false);
        let grain = self.grain();
        let elapsed = std::thread::scope(|s| {
            let workers: Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| {
                        // ORDERING: Relaxed; these two only gate the start, they publish nothing.
                        ready.fetch_add(1, Relaxed);
                        // Yield, not spin: under `chrt -f` (scripts/bench-vs-go --fifo) a
                        // spinning worker on each core would starve the main thread that
                        // sets `go`, for ever (real-time threads are never preempted).
                        while !go.load(Relaxed) {
                            std::thread::yield_now();
                        }
                        body(&mut Pb {
                            global_n: &global_n,
                            grain,
                            cache: 0,
                            bn: iters,
                        });
                        Instant::now()
                    })
                })
                .collect();
            // ORDERING: Relaxed; see above.
            while ready.load(Relaxed) < THREADS {
                std::thread::yield_now();
            }
            let start = Instant::now();
            // ORDERING: Relaxed; see above.
            go.store(true, Relaxed);
            // The last thread's own finishing time: thread exit and join are not timed.
            let end = workers
                .into_iter()
                .map(|w| w.join().expect("benchmark thread"))
                .max();
            end.expect("THREADS > 0") - start
        });
        self.previous.set(Some((iters, elapsed)));
        elapsed
    }

    /// Go's grain: as many iterations as take about 100µs, between 1 and 10 000.
    fn grain(&self) -> u64 {
        // "Calculate grain size as number of iterations that take ~100µs. 100µs is enough
        // to amortize the overhead and provide sufficient dynamic load balancing."
        let grain = match self.previous.get() {
            Some((n, d)) if !d.is_zero() => (100_000 * u128::from(n) / d.as_nanos()) as u64,
            _ => 0,
        };
        // "We expect the inner loop and function call to take at least 10ns, so do not do
        // more than 100µs/10ns=1e4 iterations."
        grain.clamp(1, 10_000)
    }
}

/// Go's `testing.PB`: one thread's share of a [`RunParallel`] run.
pub struct Pb<'a> {
    global_n: &'a AtomicU64,
    grain: u64,
    cache: u64,
    bn: u64,
}

impl Pb<'_> {
    /// Go's `PB.Next`: whether there are more iterations to execute.
    #[inline]
    pub fn next(&mut self) -> bool {
        if self.cache == 0 {
            // ORDERING: SeqCst, as Go's `atomic.AddUint64`.
            let n = self.global_n.fetch_add(self.grain, SeqCst) + self.grain;
            if n <= self.bn {
                self.cache = self.grain;
            } else if n < self.bn + self.grain {
                self.cache = self.bn + self.grain - n;
            } else {
                return false;
            }
        }
        self.cache -= 1;
        true
    }
}

/// The local work of `AddDoneWork` and `WaitWork`: Go's
/// `for i := 0; i < localWork; i++ { foo *= 2; foo /= 2 }`, as Go runs it.
///
/// `foo` starts at 0 and is never read, and Go 1.19's compiler folds both statements
/// away: `go tool objdump -s benchmarkWaitGroupAddDone.func1` shows the loop as an empty
/// `INCQ; CMPQ; JL`, one cycle per iteration. This is the same empty counted loop; the
/// counter passes through an empty `asm!` so that LLVM keeps the loop but emits nothing
/// more than Go does.
#[inline]
pub fn local_work(local_work: u32) {
    let mut i = 0u64;
    while i < u64::from(local_work) {
        i += 1;
        // SAFETY: an empty asm block that only claims to change a register it owns.
        unsafe { std::arch::asm!("/* {0} */", inout(reg) i, options(pure, nomem, nostack)) };
    }
}
