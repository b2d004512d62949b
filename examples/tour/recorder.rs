//! The recorder: turns what the director observes into checked steps of a scene.

use gosync::race::HappensBefore;
use gosync::WaitGroup;

use crate::branch::{self, AddOutcome, Sleep};
use crate::director::Observer;
use crate::record::{Action, Did, Observed, Scene, Step};

/// The two calls that go through Go's `Add`.
#[derive(Clone, Copy)]
pub enum Call {
    Add(isize),
    Done,
}

/// The lane of the director's own goroutine (`main`) in every scene.
const DIRECTOR: usize = 0;

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
    /// what the goroutine did.
    pub fn joined(&self, lane: usize, (reported_name, did): (String, Did)) -> Did {
        assert_eq!(
            reported_name,
            self.lane(lane),
            "the step ran on another thread"
        );
        did
    }

    fn push(
        &mut self,
        lane: usize,
        action: Action,
        after: Observed,
        go: Vec<branch::GoLine>,
        did: Did,
    ) -> usize {
        let happens_after = self.releases_of(did.clock.iter().flat_map(|c| &c.acquired));
        if let Some(clock) = &did.clock {
            assert!(
                self.lane(lane)
                    .starts_with(&format!("G{} ", clock.goroutine)),
                "the race checker numbers {} goroutine {}",
                self.lane(lane),
                clock.goroutine
            );
        }
        self.scene.steps.push(Step {
            lane,
            action,
            after,
            go,
            work: did.work,
            clock: did.clock,
            happens_after,
        });
        (self.observe)(&self.scene, self.scene.steps.last());
        self.scene.steps.len() - 1
    }

    /// The edges through the WaitGroup (gosync's own annotations, not the director's cue
    /// tokens) whose release a step of this scene made, each with that step.
    ///
    /// An acquire also learns the director's history that reached the releaser through its
    /// cue (a waiter cued before the worker learns, at its wait, the director's later cue to
    /// the worker), and the director's history from earlier scenes (a goroutine of scene 1,
    /// learned at a wait of scene 6). The checker records those edges too; they start at a
    /// cue or outside this scene, which are no steps, so they are left out, and only they
    /// may be.
    fn releases_of<'e>(
        &self,
        acquired: impl Iterator<Item = &'e HappensBefore>,
    ) -> Vec<(usize, HappensBefore)> {
        acquired
            .filter(|edge| edge.object.is_gosync())
            .filter_map(|edge| {
                let from = self.scene.steps.iter().position(|step| {
                    step.clock
                        .as_ref()
                        .is_some_and(|c| c.released(edge.from, edge.from_step))
                });
                if from.is_none() {
                    let goroutine = format!("G{} ", edge.from);
                    let of_this_scene = self.scene.lanes.iter().any(|l| l.starts_with(&goroutine));
                    assert!(
                        !of_this_scene || self.lane(DIRECTOR).starts_with(&goroutine),
                        "a release into the WaitGroup that is not a step: {edge:?}"
                    );
                }
                Some((from?, *edge))
            })
            .collect()
    }

    /// Records an `add` or `done` that returned, after checking the replay of Go's `Add`
    /// against the word the real call left.
    pub fn call(
        &mut self,
        lane: usize,
        call: Call,
        before: Observed,
        sema: SemaIs,
        did: Did,
    ) -> usize {
        self.call_rechecked(lane, call, before, None, sema, did)
    }

    /// [`call`](Self::call), where the word was changed to `recheck` by another goroutine
    /// while this call was held after its atomic add (`None`: nobody did).
    pub fn call_rechecked(
        &mut self,
        lane: usize,
        call: Call,
        before: Observed,
        recheck: Option<u64>,
        sema: SemaIs,
        did: Did,
    ) -> usize {
        let delta = match call {
            Call::Add(delta) => delta,
            Call::Done => -1,
        };
        let (outcome, added, mut go) = branch::add_rechecked(delta, before.state, recheck);
        let after = self.observe_sema(sema);
        if let AddOutcome::Panicked(message) = outcome {
            assert_eq!(did.panic, Some(message), "the call panics where Go's does");
            assert_eq!(
                after.state,
                recheck.unwrap_or(added),
                "Go's panics roll nothing back"
            );
            if recheck.is_some() {
                go.remove(0); // line 73 ran before the hold, and was recorded then
            }
            let call: &'static str = match call {
                Call::Add(delta) => Box::leak(format!("wg.add({delta})").into_boxed_str()),
                Call::Done => "wg.done()",
            };
            let action = Action::Panicked {
                call,
                message,
                token_from: None,
            };
            return self.push(lane, action, after, go, did);
        }
        assert_eq!(did.panic, None, "the call returns where Go's does");
        let released = match outcome {
            AddOutcome::Panicked(_) => unreachable!("handled above"),
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
        self.push(lane, action, after, go, did)
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
        self.push(lane, Action::WaitAsleep, after, go, Did::blocked());
    }

    /// Records a `wait` that counted itself and has not reached the semaphore yet.
    #[cfg(feature = "unstable-window-hook")]
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
            Did::blocked(),
        );
    }

    /// Records a `wait` that got through the semaphore with the token of step `token_from`.
    pub fn wait_returned(
        &mut self,
        lane: usize,
        sleep: Sleep,
        token_from: usize,
        did: Did,
        sema: SemaIs,
    ) {
        let after = self.observe_sema(sema);
        if sema == SemaIs::Settled {
            assert_eq!(after.sema, Some(0), "every token was taken");
        }
        let go = branch::wait_return(sleep, after.state);
        let action = Action::WaitReturned { sleep, token_from };
        self.push(lane, action, after, go, did);
    }

    /// Records a `wait` that returned at once.
    pub fn wait_fast(&mut self, lane: usize, before: Observed, did: Did) {
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
            did,
        );
    }

    /// Records a `done` held by the pause right after its atomic add.
    #[cfg(feature = "unstable-window-hook")]
    pub fn done_held(&mut self, lane: usize, before: Observed) {
        let after = self.observe();
        assert_eq!(
            after.state,
            before.state.wrapping_add(branch::counter_delta(-1)),
            "the held done made its atomic add"
        );
        let go = branch::add_held(-1, before.state);
        self.push(lane, Action::DoneHeld, after, go, Did::blocked());
    }

    /// Records a `wait` woken with the token of step `token_from` that found a new round
    /// and panicked.
    pub fn wait_reused(&mut self, lane: usize, token_from: usize, did: Did) {
        assert_eq!(did.panic, Some(branch::REUSED), "Wait panics as Go's does");
        let after = self.observe();
        assert_ne!(branch::counter(after.state), 0, "a new round is counting");
        assert_eq!(after.sema, Some(0), "the woken waiter took its token");
        let action = Action::Panicked {
            call: "wg.wait()",
            message: branch::REUSED,
            token_from: Some(token_from),
        };
        self.push(lane, action, after, branch::wait_reused(after.state), did);
    }

    /// Records a `wait_timeout` that counted itself and queued with a deadline.
    #[cfg(feature = "tracing")]
    pub fn wait_timeout_asleep(&mut self, lane: usize, before: Observed) {
        let after = self.observe();
        assert_eq!(
            after.state,
            before.state.wrapping_add(1),
            "Wait's CAS counted one waiter"
        );
        assert_eq!(after.parked, before.parked + 1, "the waiter is queued");
        let go = branch::wait_timeout_sleep(before.state);
        self.push(lane, Action::WaitTimeoutAsleep, after, go, Did::blocked());
    }

    /// Records a `wait_timeout` that timed out: `registered` is the group it counted
    /// itself into, `did` its return (`false`).
    #[cfg(feature = "tracing")]
    pub fn wait_timed_out(&mut self, lane: usize, registered: Observed, did: Did) {
        let after = self.observe();
        assert_eq!(
            after.state,
            registered.state.wrapping_sub(1),
            "the waiter withdrew: uncounted"
        );
        assert_eq!(after.parked, registered.parked - 1, "and out of the queue");
        assert_eq!(after.sema, registered.sema, "no token taken or left");
        let go = branch::wait_timed_out(after.state);
        self.push(lane, Action::WaitTimedOut, after, go, did);
    }

    pub fn finish(self) -> Scene {
        self.scene
    }
}
