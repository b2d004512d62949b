//! Randomized (`check_random`) and PCT (`check_pct`) schedules over more threads than
//! loom can explore exhaustively: 4 workers and 3 waiters per generation, 5 generations
//! of reuse on one WaitGroup.
//!
//! Run with
//! `RUSTFLAGS="--cfg gosync_shuttle" CARGO_TARGET_DIR=target/shuttle cargo test --release --test shuttle`.
//!
//! Shuttle fails a schedule on a deadlock (a `wait` that never returns: a lost wake-up)
//! and on any panic (one of Go's misuse panics under correct use, or an assertion below).
#![cfg(gosync_shuttle)]

use std::sync::Arc;

use gosync::WaitGroup;
use shuttle::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use shuttle::thread;

const WORKERS: usize = 4;
const WAITERS: usize = 3;
const GENERATIONS: usize = 5;
/// Schedules per scheduler; each runs 5 x (4 + 3) spawned threads.
const ITERATIONS: usize = 5000;
/// PCT's bug depth: how many priority changes a schedule may contain.
const PCT_DEPTH: usize = 3;

/// The value worker `worker` publishes in generation `generation` (never 0, so an unset
/// slot is told apart).
fn published(generation: usize, worker: usize) -> usize {
    1 + generation * WORKERS + worker
}

/// One execution: 5 generations. In each, the main thread adds 4, starts 4 workers that
/// each write their slot (a plain `Relaxed` store: only the WaitGroup orders it) and call
/// `done`, and 3 waiters that `wait` and then check every slot of this generation; the
/// main thread waits too. The next generation starts only after every waiter of this
/// one returned (Go's reuse rule), so no misuse panic may fire.
fn workers_and_waiters_over_generations() {
    let wg = Arc::new(WaitGroup::new());
    let slots: Arc<[AtomicUsize; WORKERS]> = Arc::new(Default::default());
    for generation in 0..GENERATIONS {
        wg.add(WORKERS as isize);
        let workers: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let (wg, slots) = (Arc::clone(&wg), Arc::clone(&slots));
                thread::spawn(move || {
                    // ORDERING: Relaxed on purpose: only the WaitGroup may order this write
                    // before the waiters' reads (shuttle runs sequentially consistent
                    // schedules, so this checks the logic, loom the memory model).
                    slots[worker].store(published(generation, worker), Relaxed);
                    wg.done();
                })
            })
            .collect();
        let check_slots = move |slots: &[AtomicUsize; WORKERS], who: &str| {
            for (worker, slot) in slots.iter().enumerate() {
                assert_eq!(
                    slot.load(Relaxed), // ORDERING: see the store
                    published(generation, worker),
                    "{who} returned from wait before worker {worker}'s done, generation {generation}"
                );
            }
        };
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                let (wg, slots) = (Arc::clone(&wg), Arc::clone(&slots));
                thread::spawn(move || {
                    wg.wait();
                    check_slots(&slots, "a waiter");
                })
            })
            .collect();
        wg.wait();
        check_slots(&slots, "main");
        for waiter in waiters {
            waiter.join().unwrap();
        }
        for worker in workers {
            worker.join().unwrap();
        }
        let end = wg.snapshot();
        assert_eq!(
            (end.state, end.sema, end.parked),
            (0, 0, 0),
            "generation {generation} left the group dirty: {end:?}"
        );
    }
}

/// Random schedules: every `wait` returns, after every `done` of its generation.
#[test]
fn random_schedules_release_every_waiter_with_the_workers_data() {
    shuttle::check_random(workers_and_waiters_over_generations, ITERATIONS);
}

/// PCT schedules (probabilistic concurrency testing, depth 3): same property, with
/// schedules biased towards the few-preemption orderings that expose ordering bugs.
#[test]
fn pct_schedules_release_every_waiter_with_the_workers_data() {
    shuttle::check_pct(workers_and_waiters_over_generations, ITERATIONS, PCT_DEPTH);
}
