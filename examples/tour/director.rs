//! The real run: goroutines (named threads) calling a real `gosync::WaitGroup`, one step at
//! a time, in an order the director chooses.
//!
//! No sleeps. Each goroutine waits for its cue on a channel; the director knows a waiter is
//! asleep by polling `snapshot().parked`, and knows a call is over by joining its thread.
//! Between steps nothing else runs, so the state word the director observes is the one the
//! step left, and the replay of Go's branches in `branch` is checked against it.

use std::thread;

use gosync::race::{self, RaceCell};
use gosync::{Snapshot, WaitGroup};

use crate::branch::Sleep;
use crate::goroutine::Goroutine;
use crate::record::{Did, Part, Scene, Step, Tour};
use crate::recorder::{Call, Recorder, SemaIs};

/// Called with each scene as it starts (`None`) and after each step it records.
pub type Observer<'a> = &'a mut dyn FnMut(&Scene, Option<&Step>);

/// Runs every scene this build can run, reporting each step to `observe` as it happens.
pub fn run(observe: Observer<'_>) -> Tour {
    let mut tour = Tour::default();
    #[cfg(any(feature = "unstable-window-hook", feature = "tracing"))]
    let pause = crate::pause::Pause::install();
    tour.scenes.push(two_workers_and_a_waiter(1, observe));
    tour.scenes.push(two_waiters(2, observe));
    #[cfg(feature = "unstable-window-hook")]
    tour.scenes.push(token_before_sleep(3, observe, pause));
    // Correct use ends here: the checker must have found nothing in it.
    tour.races_found = race::ENABLED.then(race::errors);
    crate::misuse::run(
        &mut tour,
        observe,
        #[cfg(any(feature = "unstable-window-hook", feature = "tracing"))]
        pause,
    );
    tour
}

/// Scene 1: `add(2)`, a waiter falls asleep, worker 1's `done`, worker 2's `done` wakes the
/// waiter, and a last `wait` takes the fast path.
fn two_workers_and_a_waiter(number: usize, observe: Observer<'_>) -> Scene {
    const MAIN: usize = 0;
    const WORKER_1: usize = 1;
    const WORKER_2: usize = 2;
    const WAITER: usize = 3;
    let wg = WaitGroup::new();
    let mut scene = Recorder::new(
        Scene {
            number,
            part: Part::Tour,
            title: "two workers and a waiter",
            intro:
                "main adds 2; a waiter waits and falls asleep; worker 1 writes its result and is \
                 done, then worker 2, whose done wakes the waiter; the waiter reads both results; \
                 main waits last.",
            lanes: vec!["G1 main", "G2 worker 1", "G3 worker 2", "G4 waiter"],
            steps: Vec::new(),
        },
        &wg,
        observe,
    );
    let before = scene.observe();
    let did = Did::around_call(|| wg.add(2));
    scene.call(MAIN, Call::Add(2), before, SemaIs::Settled, did);
    // Each worker writes its result before `done`; the waiter and main read both after
    // `wait`. RaceCells, so that with the `race` feature the checker sees those accesses.
    let results = [RaceCell::new(0), RaceCell::new(0)];
    thread::scope(|s| {
        let worker_1 = Goroutine::spawn(s, scene.lane(WORKER_1), || {
            work_then_done(&wg, &results[0], 10)
        });
        let worker_2 = Goroutine::spawn(s, scene.lane(WORKER_2), || {
            work_then_done(&wg, &results[1], 20)
        });
        let waiter = Goroutine::spawn(s, scene.lane(WAITER), || wait_then_read(&wg, &results));

        let before = scene.observe();
        waiter.cue();
        until(&wg, |now| now.parked == 1);
        scene.wait_asleep(WAITER, before);

        let before = scene.observe();
        let wrote = scene.joined(WORKER_1, worker_1.cue_and_join());
        scene.call(WORKER_1, Call::Done, before, SemaIs::Settled, wrote);

        let before = scene.observe();
        let wrote = scene.joined(WORKER_2, worker_2.cue_and_join());
        // The woken waiter may be taking its token while we look: don't print the count.
        let release = scene.call(WORKER_2, Call::Done, before, SemaIs::Racing, wrote);

        let read = scene.joined(WAITER, waiter.join());
        scene.wait_returned(WAITER, Sleep::Slept, release, read, SemaIs::Settled);
    });
    let before = scene.observe();
    let read = Did::around(|| wait_then_read(&wg, &results));
    scene.wait_fast(MAIN, before, read);
    scene.finish()
}

/// Scene 2: two waiters sleep; the one `done` releases two tokens and wakes both, in the
/// order they queued.
fn two_waiters(number: usize, observe: Observer<'_>) -> Scene {
    const MAIN: usize = 0;
    const WORKER: usize = 1;
    const WAITER_A: usize = 2;
    const WAITER_B: usize = 3;
    let wg = WaitGroup::new();
    let mut scene = Recorder::new(
        Scene {
            number,
            part: Part::Tour,
            title: "two waiters",
            intro: "two waiters count themselves and sleep; the one done releases two tokens, one \
                    per counted waiter, and wakes them in the order they queued (FIFO).",
            lanes: vec!["G1 main", "G5 worker", "G6 waiter A", "G7 waiter B"],
            steps: Vec::new(),
        },
        &wg,
        observe,
    );
    let before = scene.observe();
    let did = Did::around_call(|| wg.add(1));
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);
    let result = [RaceCell::new(0)];
    thread::scope(|s| {
        let worker = Goroutine::spawn(s, scene.lane(WORKER), || {
            work_then_done(&wg, &result[0], 30)
        });
        let waiter_a = Goroutine::spawn(s, scene.lane(WAITER_A), || wait_then_read(&wg, &result));
        let waiter_b = Goroutine::spawn(s, scene.lane(WAITER_B), || wait_then_read(&wg, &result));

        for (lane, waiter) in [(WAITER_A, &waiter_a), (WAITER_B, &waiter_b)] {
            let before = scene.observe();
            waiter.cue();
            until(&wg, |now| now.parked == before.parked + 1);
            scene.wait_asleep(lane, before);
        }

        let before = scene.observe();
        let wrote = scene.joined(WORKER, worker.cue_and_join());
        let release = scene.call(WORKER, Call::Done, before, SemaIs::Racing, wrote);

        // Both are awake; B may still be taking its token while A is recorded.
        let read = scene.joined(WAITER_A, waiter_a.join());
        scene.wait_returned(WAITER_A, Sleep::Slept, release, read, SemaIs::Racing);
        let read = scene.joined(WAITER_B, waiter_b.join());
        scene.wait_returned(WAITER_B, Sleep::Slept, release, read, SemaIs::Settled);
    });
    scene.finish()
}

/// Scene 3: the waiter is held between its CAS and the semaphore while the last `done`
/// releases the token; the waiter then finds the token and never sleeps.
#[cfg(feature = "unstable-window-hook")]
fn token_before_sleep(number: usize, observe: Observer<'_>, pause: &crate::pause::Pause) -> Scene {
    const MAIN: usize = 0;
    const WORKER: usize = 1;
    const WAITER: usize = 2;
    let wg = WaitGroup::new();
    let mut scene = Recorder::new(
        Scene {
            number,
            part: Part::Tour,
            title: "a token before the sleep",
            intro:
                "the waiter is held (by gosync's unstable window hook) after its CAS counted it \
                    and before it reaches the semaphore; the last done runs in that gap.",
            lanes: vec!["G1 main", "G8 worker", "G9 waiter"],
            steps: Vec::new(),
        },
        &wg,
        observe,
    );
    let before = scene.observe();
    let did = Did::around_call(|| wg.add(1));
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);
    let result = [RaceCell::new(0)];
    thread::scope(|s| {
        let worker = Goroutine::spawn(s, scene.lane(WORKER), || {
            work_then_done(&wg, &result[0], 30)
        });
        let waiter = Goroutine::spawn(s, scene.lane(WAITER), || wait_then_read(&wg, &result));

        let before = scene.observe();
        let held = pause.arm(scene.lane(WAITER), crate::pause::WAIT_REGISTERED);
        waiter.cue();
        // Had the waiter gone past the event, it would be asleep by now.
        pause.until_holding(|| wg.snapshot().parked == 0);
        scene.wait_registered(WAITER, before);

        let before = scene.observe();
        let wrote = scene.joined(WORKER, worker.cue_and_join());
        let release = scene.call(WORKER, Call::Done, before, SemaIs::Settled, wrote);
        assert_eq!(
            scene.last().after.sema,
            Some(1),
            "the token waits in the semaphore"
        );

        held.release();
        let read = scene.joined(WAITER, waiter.join());
        scene.wait_returned(
            WAITER,
            Sleep::TokenBeforeSleep,
            release,
            read,
            SemaIs::Settled,
        );
    });
    scene.finish()
}

/// A worker's job: write its result, then `done`. Returns what it did, for the record.
pub fn work_then_done(wg: &WaitGroup, result: &RaceCell<u32>, value: u32) -> String {
    result.set(value);
    wg.done();
    format!("wrote result {value}, then done")
}

/// A waiter's job: `wait`, then read every result. Each must be there: the writes happen
/// before their `done`, and every `done` before the return of this `wait`.
pub fn wait_then_read(wg: &WaitGroup, results: &[RaceCell<u32>]) -> String {
    wg.wait();
    let read: Vec<u32> = results.iter().map(RaceCell::get).collect();
    assert!(
        read.iter().all(|&r| r != 0),
        "a write before done was not seen after wait: {read:?}"
    );
    format!("then read results {read:?}")
}

/// Polls the group until `ready` holds, yielding in between: how the tour knows a waiter
/// is asleep without sleeping itself.
pub fn until(wg: &WaitGroup, ready: impl Fn(&Snapshot) -> bool) {
    while !ready(&wg.snapshot()) {
        thread::yield_now();
    }
}
