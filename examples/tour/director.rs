//! The real run: goroutines (named threads) calling a real `gosync::WaitGroup`, one step at
//! a time, in an order the director chooses.
//!
//! No sleeps. Each goroutine waits for its cue on a channel; the director knows a waiter is
//! asleep by polling `snapshot().parked`, and knows a call is over by joining its thread.
//! Between steps nothing else runs, so the state word the director observes is the one the
//! step left, and the replay of Go's branches in `branch` is checked against it.

use std::sync::{mpsc, Arc};
use std::thread::{self, Scope, ScopedJoinHandle};

use gosync::race::{self, RaceCell};
use gosync::{Snapshot, WaitGroup};

use crate::branch::{self, AddOutcome, Sleep};
use crate::record::{Action, Observed, Scene, Step, Tour};

/// Called with each scene as it starts (`None`) and after each step it records.
pub type Observer<'a> = &'a mut dyn FnMut(&Scene, Option<&Step>);

/// Runs every scene this build can run, reporting each step to `observe` as it happens.
pub fn run(observe: Observer<'_>) -> Tour {
    let mut tour = Tour::default();
    tour.scenes.push(two_workers_and_a_waiter(1, observe));
    tour.scenes.push(two_waiters(2, observe));
    #[cfg(feature = "tracing")]
    tour.scenes.push(token_before_sleep(
        3,
        observe,
        crate::pause::Pause::install(),
    ));
    tour.races_found = race::ENABLED.then(race::errors);
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
    wg.add(2);
    scene.call(MAIN, Call::Add(2), before, SemaIs::Settled, String::new());
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
    let read = wait_then_read(&wg, &results);
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
    wg.add(1);
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, String::new());
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
#[cfg(feature = "tracing")]
fn token_before_sleep(number: usize, observe: Observer<'_>, pause: &crate::pause::Pause) -> Scene {
    const MAIN: usize = 0;
    const WORKER: usize = 1;
    const WAITER: usize = 2;
    let wg = WaitGroup::new();
    let mut scene = Recorder::new(
        Scene {
            number,
            title: "a token before the sleep",
            intro:
                "the waiter is held (by a tracing subscriber) after its CAS counted it and before \
                    it reaches the semaphore; the last done runs in that gap.",
            lanes: vec!["G1 main", "G8 worker", "G9 waiter"],
            steps: Vec::new(),
        },
        &wg,
        observe,
    );
    let before = scene.observe();
    wg.add(1);
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, String::new());
    let result = [RaceCell::new(0)];
    thread::scope(|s| {
        let worker = Goroutine::spawn(s, scene.lane(WORKER), || {
            work_then_done(&wg, &result[0], 30)
        });
        let waiter = Goroutine::spawn(s, scene.lane(WAITER), || wait_then_read(&wg, &result));

        let before = scene.observe();
        pause.arm(scene.lane(WAITER), crate::pause::WAIT_REGISTERED);
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

        pause.release();
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
fn work_then_done(wg: &WaitGroup, result: &RaceCell<u32>, value: u32) -> String {
    result.set(value);
    wg.done();
    format!("wrote result {value}, then done")
}

/// A waiter's job: `wait`, then read every result. Each must be there: the writes happen
/// before their `done`, and every `done` before the return of this `wait`.
fn wait_then_read(wg: &WaitGroup, results: &[RaceCell<u32>]) -> String {
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
fn until(wg: &WaitGroup, ready: impl Fn(&Snapshot) -> bool) {
    while !ready(&wg.snapshot()) {
        thread::yield_now();
    }
}

/// A named thread that runs `body` once, on cue.
///
/// The cue is a std channel, which the race checker cannot see; its edge (the director's
/// past happens before the step, as a Go channel send before a receive) is stated with
/// `race::release` / `race::acquire` on a token the two share. Without it, the checker
/// would rightly find the goroutines unordered with the director's `add`.
struct Goroutine<'scope, T> {
    cue: mpsc::Sender<()>,
    cue_edge: Arc<u8>,
    thread: ScopedJoinHandle<'scope, (String, T)>,
}

impl<'scope, T: Send + 'scope> Goroutine<'scope, T> {
    fn spawn<'env>(
        s: &'scope Scope<'scope, 'env>,
        name: &'static str,
        body: impl FnOnce() -> T + Send + 'scope,
    ) -> Self {
        let (cue, on_cue) = mpsc::channel();
        let cue_edge = Arc::new(0);
        let edge = Arc::clone(&cue_edge);
        let thread = thread::Builder::new()
            .name(name.to_owned())
            .spawn_scoped(s, move || {
                on_cue
                    .recv()
                    .expect("the director cues every goroutine it spawns");
                race::acquire(&*edge);
                let done = body();
                // Report who did it, in the thread's own words.
                (
                    thread::current().name().unwrap_or("unnamed").to_owned(),
                    done,
                )
            })
            .expect("spawn a goroutine thread");
        Goroutine {
            cue,
            cue_edge,
            thread,
        }
    }

    fn cue(&self) {
        race::release(&*self.cue_edge);
        self.cue
            .send(())
            .expect("the goroutine is waiting for its cue");
    }

    /// Returns the name the thread reported once its call returned, and what it returned.
    fn join(self) -> (String, T) {
        self.thread
            .join()
            .expect("a goroutine of the tour panicked")
    }

    fn cue_and_join(self) -> (String, T) {
        self.cue();
        self.join()
    }
}

/// The two calls that go through Go's `Add`.
#[derive(Clone, Copy)]
enum Call {
    Add(isize),
    Done,
}

/// Whether the semaphore count can be read deterministically after a step.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SemaIs {
    Settled,
    /// A woken waiter may be taking its token right now.
    Racing,
}

/// Builds a scene step by step, checking each against the replay of Go's branches.
struct Recorder<'a> {
    scene: Scene,
    wg: &'a WaitGroup,
    observe: Observer<'a>,
}

impl<'a> Recorder<'a> {
    fn new(scene: Scene, wg: &'a WaitGroup, observe: Observer<'a>) -> Self {
        observe(&scene, None);
        Recorder { scene, wg, observe }
    }

    fn lane(&self, lane: usize) -> &'static str {
        self.scene.lanes[lane]
    }

    #[cfg(feature = "tracing")]
    fn last(&self) -> &Step {
        self.scene.steps.last().expect("a step was recorded")
    }

    fn observe(&self) -> Observed {
        self.observe_sema(SemaIs::Settled)
    }

    fn observe_sema(&self, sema: SemaIs) -> Observed {
        let now = self.wg.snapshot();
        Observed {
            state: now.state,
            sema: (sema == SemaIs::Settled).then_some(now.sema),
            parked: now.parked,
        }
    }

    /// Checks that the thread which ran a step's call is the lane's goroutine; returns
    /// what the goroutine returned.
    fn joined<T>(&self, lane: usize, (reported_name, returned): (String, T)) -> T {
        assert_eq!(
            reported_name,
            self.lane(lane),
            "the step ran on another thread"
        );
        returned
    }

    fn push(
        &mut self,
        lane: usize,
        action: Action,
        after: Observed,
        go: Vec<branch::GoLine>,
        work: String,
    ) -> usize {
        self.scene.steps.push(Step {
            lane,
            action,
            after,
            go,
            work,
        });
        (self.observe)(&self.scene, self.scene.steps.last());
        self.scene.steps.len() - 1
    }

    /// Records an `add` or `done` that returned, after checking the replay of Go's `Add`
    /// against the word the real call left.
    fn call(
        &mut self,
        lane: usize,
        call: Call,
        before: Observed,
        sema: SemaIs,
        work: String,
    ) -> usize {
        let delta = match call {
            Call::Add(delta) => delta,
            Call::Done => -1,
        };
        let (outcome, added, mut go) = branch::add(delta, before.state);
        let after = self.observe_sema(sema);
        let released = match outcome {
            AddOutcome::Returned => {
                assert_eq!(
                    after.state, added,
                    "Go's Add returns with the word as its add left it"
                );
                0
            }
            AddOutcome::Released(w) => {
                assert_eq!(after.state, 0, "Go's release path leaves the word at zero");
                for token in 1..=w {
                    // A waiter either sleeps in the queue or is still on its way to it.
                    go.extend(branch::semrelease(before.parked > 0, token, w));
                }
                assert_eq!(after.parked, 0, "every sleeping waiter was dequeued");
                w
            }
        };
        let action = match call {
            Call::Add(delta) => Action::Add(delta),
            Call::Done => Action::Done { released },
        };
        self.push(lane, action, after, go, work)
    }

    /// Records a `wait` that counted itself and fell asleep.
    fn wait_asleep(&mut self, lane: usize, before: Observed) {
        let after = self.observe();
        assert_eq!(
            after.state,
            before.state.wrapping_add(1),
            "Wait's CAS counted one waiter"
        );
        assert_eq!(
            after.parked,
            before.parked + 1,
            "the waiter is queued in the semaphore"
        );
        let mut go = branch::wait_register(before.state);
        go.extend(branch::wait_sleep());
        self.push(lane, Action::WaitAsleep, after, go, String::new());
    }

    /// Records a `wait` that counted itself and has not reached the semaphore yet.
    #[cfg(feature = "tracing")]
    fn wait_registered(&mut self, lane: usize, before: Observed) {
        let after = self.observe();
        assert_eq!(
            after.state,
            before.state.wrapping_add(1),
            "Wait's CAS counted one waiter"
        );
        assert_eq!(
            after.parked, before.parked,
            "the waiter is not in the semaphore yet"
        );
        self.push(
            lane,
            Action::WaitRegistered,
            after,
            branch::wait_register(before.state),
            String::new(),
        );
    }

    /// Records a `wait` that got through the semaphore with the token of step `token_from`.
    fn wait_returned(
        &mut self,
        lane: usize,
        sleep: Sleep,
        token_from: usize,
        work: String,
        sema: SemaIs,
    ) {
        let after = self.observe_sema(sema);
        if sema == SemaIs::Settled {
            assert_eq!(after.sema, Some(0), "every token was taken");
        }
        let go = branch::wait_return(sleep, after.state);
        let action = Action::WaitReturned { sleep, token_from };
        self.push(lane, action, after, go, work);
    }

    /// Records a `wait` that returned at once.
    fn wait_fast(&mut self, lane: usize, before: Observed, work: String) {
        assert_eq!(
            before.counter(),
            0,
            "Wait's fast path needs the counter at zero"
        );
        let after = self.observe();
        assert_eq!(after, before, "the fast path changes nothing");
        self.push(
            lane,
            Action::WaitFast,
            after,
            branch::wait_fast(before.state),
            work,
        );
    }

    fn finish(self) -> Scene {
        self.scene
    }
}
