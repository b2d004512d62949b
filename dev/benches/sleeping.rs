//! The sleeping paths (issue 14): waits that really sleep, beside the floors they are
//! judged against. `scripts/bench-vs-go` runs these in paired rounds with Go's side
//! (`scripts/go/wakeup_test.go`, and Go's `BenchmarkWaitGroupActuallyWait` at `-cpu 1`
//! and `-cpu 2`) and writes `docs/performance-sleeping.md`.
//!
//! | group | entries | what one iteration is |
//! |---|---|---|
//! | `ActuallyWaitTokio/current-thread`, `ActuallyWaitTokio/multi-thread` | `gosync`, `spawn-join`, `oneshot` | Go's `ActuallyWait` on tokio: a new group, `add(1)`, a spawned task calls `done`, `wait_async().await`; the floors do the same spawn with a join handle / a `oneshot` |
//! | `WakeTasks` | `gosync/N`, `notify/N` | N tasks asleep on one group (or one `Notify`), one `done` (`notify_waiters`); time until all N returned |
//! | `DistinctGroupsTasks` | `gosync/N`, `notify/N` | N groups (or N `Notify`s), one task asleep on each, all released |
//! | `SleepTasks`, `ReleaseTasks` | `gosync/N`, `notify/N` | no executor: N futures polled once (asleep), then one `done` (`notify_waiters`); `SleepTasks` times the N first polls, `ReleaseTasks` the release; one thread, N no-op wakers |
//! | `HandOff` | `gosync`, `oneshot`, `notify` | no executor: ActuallyWait's hand-off alone (a fresh group, `add(1)`, its future polled asleep, `done`, polled ready), beside a `oneshot` and a `Notify` doing the same |
//! | `WakeWaiters` | `gosync/N`, `floor/N` | N OS threads asleep in `wait()` on one group, one `done`; the floor unparks N parked threads directly (the same N threads, `gosync_dev::waiter_pool`) |
//! | `DistinctGroups` | `gosync/N`, `floor/N` | N groups, one thread asleep on each, all released; the same floor |
//!
//! `ActuallyWaitTokio/multi-thread` runs on 2 workers and splits the iterations between
//! 2 driver tasks, as Go's `RunParallel` splits them between GOMAXPROCS=2 goroutines; its
//! time per iteration is wall time over all iterations (Go's ns/op). The current-thread
//! runtime is Go's `-cpu 1`.
//!
//! **Every waiter is checked asleep before the clock starts.** Tasks: each waiter's future
//! is wrapped so that its first `Poll::Pending` is counted; the controller waits until all
//! N returned `Pending` (and, for gosync, until `snapshot().parked` counts all N in the
//! semaphore's queue). Threads: each waiter is counted once it registered, and then, on
//! Linux, until the kernel shows every waiter thread asleep (`gosync_dev::waiter_pool`).
//! Go's side counts goroutines in state `semacquire` (`runtime.Stack`).
//!
//! All task benchmarks run on a 2-worker tokio runtime; the controller is a task on it
//! that yields (`tokio::task::yield_now`) while it waits, as Go's side calls
//! `runtime.Gosched`, and once more, on both sides, after the checks and just before the
//! clock starts, so that the release finds the executor in the same state on both: the
//! checks take gosync's side O(N) longer, time in which the other worker falls asleep.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use gosync::WaitGroup;
use gosync_dev::task_rounds::{task_round, TaskSleepers};
use gosync_dev::waiter_pool::{Side, WaiterPool};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::{oneshot, Notify};

/// Go's `-cpu 2`: 2 workers, 2 drivers.
const WORKERS: usize = 2;

fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .build()
        .expect("tokio runtime")
}

// ---- ActuallyWait on tokio -----------------------------------------------------------

/// Runs `iters` calls of `op` on `rt` and returns the wall time: on a current-thread
/// runtime in the `block_on` future itself; on a multi-thread one, split between
/// [`WORKERS`] driver tasks (Go's `RunParallel`).
fn drive<F, Fut>(rt: &Runtime, multi: bool, iters: u64, op: F) -> Duration
where
    F: Fn() -> Fut + Copy + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    rt.block_on(async move {
        let start = Instant::now();
        if multi {
            let drivers: Vec<_> = (0..WORKERS as u64)
                .map(|d| {
                    let share = iters / WORKERS as u64 + u64::from(d < iters % WORKERS as u64);
                    tokio::spawn(async move {
                        for _ in 0..share {
                            op().await;
                        }
                    })
                })
                .collect();
            for driver in drivers {
                driver.await.expect("driver task");
            }
        } else {
            for _ in 0..iters {
                op().await;
            }
        }
        start.elapsed()
    })
}

/// Go's `ActuallyWait` body on tokio: a fresh group on the heap (Go's escapes), `add(1)`,
/// a task that calls `done`, and `wait_async`, which sleeps (the `done` task runs only
/// once the waiter yields, or on the other worker).
async fn actually_wait_gosync() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let worker = Arc::clone(&wg);
    tokio::spawn(async move { worker.done() });
    wg.wait_async().await;
}

/// tokio's own floor: spawn an empty task and join it.
async fn actually_wait_spawn_join() {
    tokio::spawn(async {}).await.expect("empty task");
}

/// The same hand-off with `tokio::sync::oneshot`: the task sends, the waiter receives.
async fn actually_wait_oneshot() {
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move { tx.send(()).expect("receiver alive") });
    rx.await.expect("sender sent");
}

fn actually_wait_tokio(c: &mut Criterion) {
    for (name, rt, multi) in [
        ("ActuallyWaitTokio/current-thread", current_thread(), false),
        ("ActuallyWaitTokio/multi-thread", multi_thread(), true),
    ] {
        let mut group = c.benchmark_group(name);
        group.bench_function("gosync", |b| {
            b.iter_custom(|iters| drive(&rt, multi, iters, actually_wait_gosync))
        });
        group.bench_function("spawn-join", |b| {
            b.iter_custom(|iters| drive(&rt, multi, iters, actually_wait_spawn_join))
        });
        group.bench_function("oneshot", |b| {
            b.iter_custom(|iters| drive(&rt, multi, iters, actually_wait_oneshot))
        });
        group.finish();
    }
}

// ---- Task wake-ups -------------------------------------------------------------------

fn task_bench<S: TaskSleepers>(
    c: &mut Criterion,
    rt: &Runtime,
    name: &str,
    id: &str,
    sizes: &[usize],
    objects_for: fn(usize) -> usize,
) {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    for &n in sizes {
        let objects = Arc::new(S::new(objects_for(n)));
        group.bench_with_input(BenchmarkId::new(id, n), &n, |b, &n| {
            b.iter_custom(|iters| {
                let objects = Arc::clone(&objects);
                rt.block_on(async move {
                    tokio::spawn(async move {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            total += task_round(&objects, n).await;
                        }
                        total
                    })
                    .await
                    .expect("controller task")
                })
            })
        });
    }
    group.finish();
}

const TASK_SIZES: &[usize] = &[1, 16, 256, 4096];

/// N tasks asleep on one group (one `Notify`), one release.
fn wake_tasks(c: &mut Criterion) {
    let rt = multi_thread();
    task_bench::<Vec<WaitGroup>>(c, &rt, "WakeTasks", "gosync", TASK_SIZES, |_| 1);
    task_bench::<Vec<Notify>>(c, &rt, "WakeTasks", "notify", TASK_SIZES, |_| 1);
}

/// N groups (N `Notify`s), one task asleep on each: the semaphore table's many-addresses
/// case against per-object queues.
fn distinct_groups_tasks(c: &mut Criterion) {
    let rt = multi_thread();
    task_bench::<Vec<WaitGroup>>(c, &rt, "DistinctGroupsTasks", "gosync", TASK_SIZES, |n| n);
    task_bench::<Vec<Notify>>(c, &rt, "DistinctGroupsTasks", "notify", TASK_SIZES, |n| n);
}

/// A waker that does nothing (`Waker::noop` is newer than the declared `rust-version`).
fn noop_waker() -> Waker {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    Waker::from(Arc::new(Noop))
}

/// The semaphore's two halves alone, no executor: N futures on one group (one `Notify`),
/// each polled once with a no-op waker, then one `done` (`notify_waiters`), then each
/// polled to completion. `SleepTasks` times the N first polls (each counts its waiter and
/// queues its node: the wait side), `ReleaseTasks` the release (the dequeues, the hand-over
/// of tokens and the N no-op wakes). One thread, so the nodes are warm in its cache: what
/// is left is each side's own instructions and atomics, the part of WakeTasks/N that is
/// gosync's alone.
fn semaphore_halves(c: &mut Criterion) {
    for (name, half) in [("SleepTasks", Half::Sleep), ("ReleaseTasks", Half::Release)] {
        let mut group = c.benchmark_group(name);
        for &n in &[32, 256, 4096] {
            group.bench_with_input(BenchmarkId::new("gosync", n), &n, |b, &n| {
                let wg = WaitGroup::new();
                b.iter_custom(|iters| {
                    let arm = || {
                        wg.add(1);
                        (0..n).map(|_| Box::pin(wg.wait_async())).collect()
                    };
                    let asleep = || assert_eq!(wg.snapshot().parked, n, "every waiter queued");
                    half_rounds(half, iters, arm, asleep, || wg.done())
                })
            });
            group.bench_with_input(BenchmarkId::new("notify", n), &n, |b, &n| {
                let notify = Notify::new();
                b.iter_custom(|iters| {
                    let arm = || (0..n).map(|_| Box::pin(notify.notified())).collect();
                    half_rounds(half, iters, arm, || {}, || notify.notify_waiters())
                })
            });
        }
        group.finish();
    }
}

/// Go's `ActuallyWait` without the executor: per iteration a fresh group on the heap,
/// `add(1)`, its future polled once with a no-op waker (asleep: queued on the
/// semaphore), `done`, the future polled again (ready) and everything dropped. Beside it
/// the same hand-off through a `oneshot` and a `Notify`. What ActuallyWaitTokio adds to
/// tokio's spawn-join is this, and nothing of the executor's noise is in it.
fn hand_off(c: &mut Criterion) {
    let waker = noop_waker();
    let mut group = c.benchmark_group("HandOff");
    group.bench_function("gosync", |b| {
        let mut cx = Context::from_waker(&waker);
        b.iter(|| {
            let wg = Arc::new(WaitGroup::new());
            wg.add(1);
            let mut wait = pin!(wg.wait_async());
            assert!(wait.as_mut().poll(&mut cx).is_pending(), "asleep");
            wg.done();
            assert!(wait.as_mut().poll(&mut cx).is_ready(), "released");
        })
    });
    group.bench_function("oneshot", |b| {
        let mut cx = Context::from_waker(&waker);
        b.iter(|| {
            let (tx, rx) = oneshot::channel::<()>();
            let mut rx = pin!(rx);
            assert!(rx.as_mut().poll(&mut cx).is_pending(), "asleep");
            tx.send(()).expect("receiver alive");
            assert!(rx.as_mut().poll(&mut cx).is_ready(), "released");
        })
    });
    group.bench_function("notify", |b| {
        let mut cx = Context::from_waker(&waker);
        b.iter(|| {
            let notify = Arc::new(Notify::new());
            let mut notified = pin!(notify.notified());
            assert!(notified.as_mut().poll(&mut cx).is_pending(), "asleep");
            notify.notify_waiters();
            assert!(notified.as_mut().poll(&mut cx).is_ready(), "released");
        })
    });
    group.finish();
}

/// Which half of a round [`half_rounds`] times.
#[derive(Clone, Copy)]
enum Half {
    /// The N first polls: every future asleep.
    Sleep,
    /// The release.
    Release,
}

/// `iters` rounds of `SleepTasks` or `ReleaseTasks`, one half timed: `arm` makes the
/// round's futures, each is polled once (asleep), `asleep` checks what the object can tell,
/// `release` releases them all, and every future must then be ready.
fn half_rounds<F: Future<Output = ()>>(
    half: Half,
    iters: u64,
    arm: impl Fn() -> Vec<Pin<Box<F>>>,
    asleep: impl Fn(),
    release: impl Fn(),
) -> Duration {
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let mut waits = arm();
        let start = Instant::now();
        for wait in &mut waits {
            assert!(wait.as_mut().poll(&mut cx).is_pending(), "asleep");
        }
        let slept = start.elapsed();
        asleep();
        let start = Instant::now();
        release();
        let released = start.elapsed();
        for wait in &mut waits {
            assert!(wait.as_mut().poll(&mut cx).is_ready(), "released");
        }
        total += match half {
            Half::Sleep => slept,
            Half::Release => released,
        };
    }
    total
}

// ---- Thread wake-ups -----------------------------------------------------------------

/// `gosync/N` and `floor/N` of `name`, timed on one pool of N waiter threads per N (see
/// `gosync_dev::waiter_pool`: a pool per side timed two different sets of threads).
fn thread_bench(c: &mut Criterion, name: &str, sizes: &[usize], groups_for: fn(usize) -> usize) {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    for &n in sizes {
        let mut pool = WaiterPool::new(groups_for(n), n);
        for (id, side) in [("gosync", Side::Gosync), ("floor", Side::Floor)] {
            group.bench_with_input(BenchmarkId::new(id, n), &n, |b, _| {
                b.iter_custom(|iters| (0..iters).map(|_| pool.round(side).elapsed).sum())
            });
        }
    }
    group.finish();
}

const THREAD_SIZES: &[usize] = &[1, 16, 64, 256];

/// One `done` releasing N threads asleep on one group, beside N threads unparked directly.
fn wake_waiters(c: &mut Criterion) {
    thread_bench(c, "WakeWaiters", THREAD_SIZES, |_| 1);
}

/// N groups, one thread asleep on each, all released (Go issue 38420), beside the same
/// floor.
fn distinct_groups(c: &mut Criterion) {
    thread_bench(c, "DistinctGroups", THREAD_SIZES, |n| n);
}

/// Criterion's defaults, shortened so that a paired round of `scripts/bench-vs-go` stays
/// within two minutes; command-line options still override them.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = actually_wait_tokio, wake_tasks, distinct_groups_tasks, semaphore_halves, hand_off, wake_waiters, distinct_groups
}
criterion_main!(benches);
