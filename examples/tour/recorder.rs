//! The recorder: turns what the director observes into checked steps of a scene.

use gosync::WaitGroup;

use crate::branch::{self, AddOutcome, Sleep};
use crate::director::Observer;
use crate::record::{Action, Observed, Scene, Step};

/// The two calls that go through Go's `Add`.
#[derive(Clone, Copy)]
pub enum Call {
    Add(isize),
    Done,
}

/// Whether the semaphore count can be read deterministically after a step.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SemaIs {
    Settled,
    /// A woken waiter may be taking its token right now.
    Racing,
}

/// Builds a scene step by step, checking each against the replay of Go's branches.
pub struct Recorder<'a> {
    scene: Scene,
    wg: &'a WaitGroup,
    observe: Observer<'a>,
}

impl<'a> Recorder<'a> {
    pub fn new(scene: Scene, wg: &'a WaitGroup, observe: Observer<'a>) -> Self {
        observe(&scene, None);
        Recorder { scene, wg, observe }
    }

    pub fn lane(&self, lane: usize) -> &'static str {
        self.scene.lanes[lane]
    }

    #[cfg(feature = "tracing")]
    pub fn last(&self) -> &Step {
        self.scene.steps.last().expect("a step was recorded")
    }

    pub fn observe(&self) -> Observed {
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
    pub fn joined<T>(&self, lane: usize, (reported_name, returned): (String, T)) -> T {
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
    pub fn call(
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
    pub fn wait_asleep(&mut self, lane: usize, before: Observed) {
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
    pub fn wait_registered(&mut self, lane: usize, before: Observed) {
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
    pub fn wait_returned(
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
    pub fn wait_fast(&mut self, lane: usize, before: Observed, work: String) {
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

    pub fn finish(self) -> Scene {
        self.scene
    }
}
