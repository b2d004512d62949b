//! Randomized and PCT shuttle schedules of gosync's additions: many thread and task
//! waiters on one group, some timing out or cancelled, over several generations.
//!
//! Run with `RUSTFLAGS="--cfg gosync_shuttle" cargo test --release --test shuttle_beyond`.
//! shuttle has no clock: a timed wait whose deadline has not passed spawns a timer thread
//! that fires at a point the scheduler picks (see `primitive::time` in `src/primitive/mod.rs`).
#![cfg(gosync_shuttle)]

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering::Relaxed};
use std::sync::Arc as StdArc;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use gosync::WaitGroup;
use shuttle::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use shuttle::sync::Arc;
use shuttle::thread;

/// Far enough in the future that only the model's timer thread can fire it.
const LONG: Duration = Duration::from_secs(3600);

/// Schedules per scheduler: enough to meet the interleavings of interest often, small
/// enough for CI (each schedule runs some twenty model threads).
const ITERATIONS: usize = 5000;

/// A waker that does nothing: used by waiters that poll once and then cancel.
struct Noop;
impl Wake for Noop {
    fn wake(self: StdArc<Self>) {}
}

/// How often each kind of waiter returned `[false, true]`, over all schedules of one test:
/// the tests check that the schedules met both outcomes of the waiters that can leave.
type Outcomes = [[StdAtomicUsize; 2]; 4];
static RANDOM_OUTCOMES: Outcomes = [const { [const { StdAtomicUsize::new(0) }; 2] }; 4];
static PCT_OUTCOMES: Outcomes = [const { [const { StdAtomicUsize::new(0) }; 2] }; 4];

/// Both outcomes of time-outs and of cancellations happened in the schedules run.
fn assert_both_outcomes_met(outcomes: &Outcomes) {
    for kind in [Waiter::Timed, Waiter::Cancelled] {
        let [left, zero] = &outcomes[kind as usize];
        // ORDERING: Relaxed; statistics read after every schedule has finished.
        let (left, zero) = (left.load(Relaxed), zero.load(Relaxed));
        assert!(
            left > 0 && zero > 0,
            "{kind:?}: left {left} times, saw zero {zero} times"
        );
    }
}

/// One kind of waiter.
#[derive(Clone, Copy, Debug)]
enum Waiter {
    /// `wait()`.
    Thread,
    /// `wait_timeout(LONG)`: times out at a point the scheduler picks.
    Timed,
    /// `wait_async()` driven to completion by `shuttle::future::block_on`.
    Task,
    /// `wait_async()` polled once, then dropped.
    Cancelled,
}

const MIX: [Waiter; 7] = [
    Waiter::Thread,
    Waiter::Timed,
    Waiter::Task,
    Waiter::Cancelled,
    Waiter::Timed,
    Waiter::Cancelled,
    Waiter::Task,
];

/// Runs one generation: `workers` threads each bump `finished` and call `done`, while
/// every waiter of `MIX` waits. A waiter that reports zero must see every worker
/// finished; all of them return (no lost wake-up: shuttle reports a deadlock).
fn generation(
    wg: &Arc<WaitGroup>,
    finished: &Arc<AtomicUsize>,
    workers: usize,
    outcomes: &'static Outcomes,
) {
    // ORDERING: SeqCst; shuttle runs sequentially consistent, the order is the schedule's.
    let target = finished.load(SeqCst) + workers;
    wg.add(workers as isize);
    let mut threads = Vec::new();
    for kind in MIX {
        let (wg, finished) = (Arc::clone(wg), Arc::clone(finished));
        threads.push(thread::spawn(move || {
            let zero = match kind {
                Waiter::Thread => {
                    wg.wait();
                    true
                }
                Waiter::Timed => wg.wait_timeout(LONG),
                Waiter::Task => {
                    shuttle::future::block_on(wg.wait_async());
                    true
                }
                Waiter::Cancelled => {
                    let waker = Waker::from(StdArc::new(Noop));
                    let mut wait = pin!(wg.wait_async());
                    wait.as_mut()
                        .poll(&mut Context::from_waker(&waker))
                        .is_ready()
                }
            };
            if zero {
                // ORDERING: SeqCst; every worker bumps before its `done`.
                assert_eq!(finished.load(SeqCst), target, "{kind:?} returned early");
            }
            // ORDERING: Relaxed; a statistics counter outside the model.
            outcomes[kind as usize][usize::from(zero)].fetch_add(1, Relaxed);
        }));
    }
    // Workers after the waiters, so that time-outs and cancellations meet them.
    for _ in 0..workers {
        let (wg, finished) = (Arc::clone(wg), Arc::clone(finished));
        threads.push(thread::spawn(move || {
            // ORDERING: SeqCst; before `done`, so a waiter that reports zero sees it.
            finished.fetch_add(1, SeqCst);
            wg.done();
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
}

/// Three generations on one group, each with every kind of waiter; between generations
/// the group must be at rest, whatever the time-outs and cancellations did.
fn mixed_generations(outcomes: &'static Outcomes) {
    let wg = Arc::new(WaitGroup::new());
    let finished = Arc::new(AtomicUsize::new(0));
    for workers in [1, 2, 3] {
        generation(&wg, &finished, workers, outcomes);
        let s = wg.snapshot();
        assert_eq!((s.state, s.sema, s.parked), (0, 0, 0), "{s:?}");
    }
}

/// Mixed waiters and cancellations, random schedules.
#[test]
fn mixed_waiters_random() {
    shuttle::check_random(|| mixed_generations(&RANDOM_OUTCOMES), ITERATIONS);
    assert_both_outcomes_met(&RANDOM_OUTCOMES);
}

/// Mixed waiters and cancellations, PCT schedules (depth 3 finds bugs that need up to
/// two ordering constraints with high probability).
#[test]
fn mixed_waiters_pct() {
    shuttle::check_pct(|| mixed_generations(&PCT_OUTCOMES), ITERATIONS, 3);
    assert_both_outcomes_met(&PCT_OUTCOMES);
}

/// Reuse right after a time-out or a cancellation, with the previous release possibly
/// still running: the next generation never panics "reused" or "Add called concurrently
/// with Wait", and its wait never returns before its own `done`.
fn reuse_right_after_leaving() {
    let wg = Arc::new(WaitGroup::new());
    let finished = Arc::new(AtomicUsize::new(0));
    for cancel in [false, true, false] {
        wg.add(1);
        let worker = {
            let (wg, finished) = (Arc::clone(&wg), Arc::clone(&finished));
            thread::spawn(move || {
                // ORDERING: SeqCst; before `done`, so a waiter that reports zero sees it.
                finished.fetch_add(1, SeqCst);
                wg.done();
            })
        };
        if cancel {
            let waker = Waker::from(StdArc::new(Noop));
            let mut wait = pin!(wg.wait_async());
            let _ = wait.as_mut().poll(&mut Context::from_waker(&waker));
        } else {
            let _ = wg.wait_timeout(LONG);
        }
        // Not joined yet: the next generation starts while the release may be running.
        wg.add(1);
        let next_done = Arc::new(AtomicBool::new(false));
        let next = {
            let (wg, next_done) = (Arc::clone(&wg), Arc::clone(&next_done));
            thread::spawn(move || {
                // ORDERING: SeqCst; before `done`, so the wait that it unblocks sees it.
                next_done.store(true, SeqCst);
                wg.done();
            })
        };
        wg.wait();
        // ORDERING: SeqCst; see the store.
        assert!(next_done.load(SeqCst), "returned before its own done");
        worker.join().unwrap();
        next.join().unwrap();
    }
    let s = wg.snapshot();
    assert_eq!((s.state, s.sema, s.parked), (0, 0, 0), "{s:?}");
}

/// Reuse right after leaving, random schedules.
#[test]
fn reuse_right_after_leaving_random() {
    shuttle::check_random(reuse_right_after_leaving, ITERATIONS);
}

/// Reuse right after leaving, PCT schedules.
#[test]
fn reuse_right_after_leaving_pct() {
    shuttle::check_pct(reuse_right_after_leaving, ITERATIONS, 3);
}

// ---- Issue 11: panicking wakers, dropped and forgotten futures --------------------------

/// A waker whose `wake` panics (an executor's bug).
struct PanickingWake;
impl Wake for PanickingWake {
    fn wake(self: StdArc<Self>) {
        panic!("wake panicked");
    }
}

/// A waiter of [`unruly_generation`].
#[derive(Clone, Copy, Debug)]
enum Unruly {
    /// `wait()`.
    Thread,
    /// `wait_timeout(LONG)`.
    Timed,
    /// Polled once with a waker whose `wake` panics, then driven to completion by
    /// `block_on` (whose waker replaces it).
    PanickingThenKept,
    /// Polled once with a waker whose `wake` panics, then dropped.
    PanickingThenDropped,
    /// Polled once, then leaked with `mem::forget`.
    Forgotten,
}

const UNRULY: [Unruly; 6] = [
    Unruly::Thread,
    Unruly::PanickingThenKept,
    Unruly::Forgotten,
    Unruly::PanickingThenDropped,
    Unruly::Timed,
    Unruly::Forgotten,
];

/// One generation of [`UNRULY`] waiters and `workers` workers: every `done` is clean (no
/// waker's panic escapes it), every waiter that stays is woken (shuttle reports a
/// deadlock otherwise) and sees every worker finished, and the group ends at rest: the
/// forgotten futures' tokens went to them, not to another waiter.
fn unruly_generation(wg: &Arc<WaitGroup>, finished: &Arc<AtomicUsize>, workers: usize) {
    // ORDERING: SeqCst; shuttle runs sequentially consistent, the order is the schedule's.
    let target = finished.load(SeqCst) + workers;
    wg.add(workers as isize);
    let mut threads = Vec::new();
    for kind in UNRULY {
        let (wg, finished) = (Arc::clone(wg), Arc::clone(finished));
        threads.push(thread::spawn(move || {
            let panicking = Waker::from(StdArc::new(PanickingWake));
            let zero = match kind {
                Unruly::Thread => {
                    wg.wait();
                    true
                }
                Unruly::Timed => wg.wait_timeout(LONG),
                Unruly::PanickingThenKept => {
                    let mut wait = Box::pin(wg.wait_async());
                    if wait
                        .as_mut()
                        .poll(&mut Context::from_waker(&panicking))
                        .is_pending()
                    {
                        shuttle::future::block_on(wait);
                    }
                    true
                }
                Unruly::PanickingThenDropped => {
                    let mut wait = pin!(wg.wait_async());
                    wait.as_mut()
                        .poll(&mut Context::from_waker(&panicking))
                        .is_ready()
                }
                Unruly::Forgotten => {
                    let waker = Waker::from(StdArc::new(Noop));
                    let mut wait = Box::pin(wg.wait_async());
                    let ready = wait.as_mut().poll(&mut Context::from_waker(&waker));
                    std::mem::forget(wait);
                    ready.is_ready()
                }
            };
            if zero {
                // ORDERING: SeqCst; every worker bumps before its `done`.
                assert_eq!(finished.load(SeqCst), target, "{kind:?} returned early");
            }
        }));
    }
    for _ in 0..workers {
        let (wg, finished) = (Arc::clone(wg), Arc::clone(finished));
        threads.push(thread::spawn(move || {
            // ORDERING: SeqCst; before `done`, so a waiter that reports zero sees it.
            finished.fetch_add(1, SeqCst);
            let clean =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wg.done())).is_ok();
            assert!(clean, "a waker's panic escaped `done`");
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
}

/// Three generations of unruly waiters on one group, at rest between generations.
fn unruly_generations() {
    let wg = Arc::new(WaitGroup::new());
    let finished = Arc::new(AtomicUsize::new(0));
    for workers in [1, 2, 3] {
        unruly_generation(&wg, &finished, workers);
        let s = wg.snapshot();
        assert_eq!((s.state, s.sema, s.parked), (0, 0, 0), "{s:?}");
    }
}

/// Panicking wakers, dropped and forgotten futures beside threads, random schedules.
#[test]
fn panicking_wakers_dropped_and_forgotten_futures_random() {
    shuttle::check_random(unruly_generations, ITERATIONS);
}

/// The same, PCT schedules.
#[test]
fn panicking_wakers_dropped_and_forgotten_futures_pct() {
    shuttle::check_pct(unruly_generations, ITERATIONS, 3);
}
