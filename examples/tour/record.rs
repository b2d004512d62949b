//! What the tour saw: scenes of steps, each with the goroutine that acted, the state word
//! after it, and the Go lines it ran. The narration and the SVG are both drawn from this.

use gosync::race::{self, HappensBefore};

use crate::branch::{self, GoLine, Sleep};

/// The whole run: its scenes, in order.
#[derive(Debug, Default)]
pub struct Tour {
    /// The scenes that ran.
    pub scenes: Vec<Scene>,
    /// With the `race` feature: how many data races the checker reported in the run (the
    /// workers' writes before `done` against the reads after `wait`, and the annotations).
    pub races_found: Option<usize>,
}

/// Which part of the tour a scene belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Correct use: the timeline picture (`--svg`) draws these.
    Tour,
    /// Go's misuse panics and gosync's timed-out waiter: narrated and in the page
    /// (`--html`), not in the picture.
    Misuse,
}

/// One orchestrated run of a WaitGroup.
#[derive(Debug)]
pub struct Scene {
    /// Its number in the tour, from 1; the same in every build (a build that cannot run a
    /// scene skips its number).
    pub number: usize,
    /// Correct use or misuse.
    pub part: Part,
    /// A short title.
    pub title: &'static str,
    /// What the scene shows, in a sentence or two.
    pub intro: &'static str,
    /// One lane per goroutine (thread), by name.
    pub lanes: Vec<&'static str>,
    /// The steps, in the order they happened.
    pub steps: Vec<Step>,
}

/// The group as observed with `WaitGroup::snapshot` right after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed {
    /// The 64-bit state word.
    pub state: u64,
    /// Tokens in the semaphore; `None` where a woken waiter may be taking one right now, so
    /// the value would differ from run to run.
    pub sema: Option<u32>,
    /// Waiters asleep in the semaphore's queue.
    pub parked: usize,
}

impl Observed {
    /// `int32(state >> 32)`.
    pub fn counter(&self) -> i32 {
        branch::counter(self.state)
    }

    /// `uint32(state)`.
    pub fn waiters(&self) -> u32 {
        branch::waiters(self.state)
    }
}

/// What a goroutine did in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `wg.add(delta)`.
    Add(isize),
    /// `wg.done()`; `released` is how many semaphore tokens it released.
    Done {
        /// Tokens released (0 unless it was the last Done with waiters).
        released: u32,
    },
    /// `wg.wait()` counted itself as a waiter and fell asleep in the semaphore.
    WaitAsleep,
    /// `wg.wait()` counted itself as a waiter and has not reached the semaphore yet. Only
    /// the build with the window hook (`--features tracing`) can hold a waiter there (scene 3).
    #[cfg_attr(not(feature = "unstable-window-hook"), allow(dead_code))]
    WaitRegistered,
    /// `wg.wait()` returned at once: the counter was 0.
    WaitFast,
    /// `wg.done()` held by the pause right after its atomic add (line 73): the word says
    /// counter 0 and the waiters it must wake, and it has woken nobody yet.
    #[cfg_attr(not(feature = "unstable-window-hook"), allow(dead_code))]
    DoneHeld,
    /// A call that panicked with Go's text.
    Panicked {
        /// The call as written (`wg.add(1)`).
        call: &'static str,
        /// Go's panic text, as the payload said.
        message: &'static str,
        /// For a `wait` woken with a token before it panicked: the step that released it.
        token_from: Option<usize>,
    },
    /// `wg.wait_timeout(..)` counted itself and queued in the semaphore with a deadline.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    WaitTimeoutAsleep,
    /// `wg.wait_timeout(..)` timed out and withdrew: returned `false`, uncounted.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    WaitTimedOut,
    /// `wg.wait()` returned after the semaphore let it through with the token released by
    /// step `token_from` of the same scene.
    WaitReturned {
        /// Slept, or found the token already there.
        sleep: Sleep,
        /// The index of the step whose release made the token.
        token_from: usize,
    },
}

impl Action {
    /// The call as a reader would write it.
    pub fn call(&self) -> String {
        match self {
            Action::Add(delta) => format!("wg.add({delta})"),
            Action::Done { .. } => "wg.done()".to_owned(),
            Action::WaitAsleep => "wg.wait(): asleep".to_owned(),
            Action::WaitRegistered => "wg.wait(): counted, awake".to_owned(),
            Action::WaitFast => "wg.wait() returns at once".to_owned(),
            Action::WaitReturned {
                sleep: Sleep::Slept,
                ..
            } => "wg.wait() wakes, returns".to_owned(),
            Action::WaitReturned {
                sleep: Sleep::TokenBeforeSleep,
                ..
            } => "wg.wait() takes token, returns".to_owned(),
            Action::DoneHeld => "wg.done(): held after its add".to_owned(),
            Action::Panicked { call, .. } => format!("{call} panics"),
            Action::WaitTimeoutAsleep => "wg.wait_timeout(): asleep".to_owned(),
            Action::WaitTimedOut => "wg.wait_timeout() withdraws: false".to_owned(),
        }
    }

    /// A stable machine-readable name (the SVG's `data-action`).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Add(_) => "add",
            Action::Done { .. } => "done",
            Action::WaitAsleep => "wait-asleep",
            Action::WaitRegistered => "wait-registered",
            Action::WaitFast => "wait-fast",
            Action::WaitReturned {
                sleep: Sleep::Slept,
                ..
            } => "wait-woken",
            Action::WaitReturned {
                sleep: Sleep::TokenBeforeSleep,
                ..
            } => "wait-token-before-sleep",
            Action::DoneHeld => "done-held",
            Action::Panicked { .. } => "panic",
            Action::WaitTimeoutAsleep => "wait-timeout-asleep",
            Action::WaitTimedOut => "wait-timed-out",
        }
    }

    /// Whether this step ends a `wait` of its goroutine (returned, withdrew or panicked).
    pub fn ends_wait(&self) -> bool {
        matches!(
            self,
            Action::WaitFast
                | Action::WaitReturned { .. }
                | Action::WaitTimedOut
                | Action::Panicked {
                    token_from: Some(_),
                    ..
                }
        )
    }

    /// The step whose release let this `wait` through, if one did.
    pub fn token_from(&self) -> Option<usize> {
        match *self {
            Action::WaitReturned { token_from, .. } => Some(token_from),
            Action::Panicked { token_from, .. } => token_from,
            _ => None,
        }
    }

    /// Whether the goroutine is asleep in the semaphore after this step.
    pub fn falls_asleep(&self) -> bool {
        matches!(self, Action::WaitAsleep | Action::WaitTimeoutAsleep)
    }
}

/// One step of a scene.
#[derive(Debug, Clone)]
pub struct Step {
    /// Index into the scene's lanes: the goroutine that acted.
    pub lane: usize,
    /// What it did.
    pub action: Action,
    /// The group right after the step.
    pub after: Observed,
    /// The lines of Go's `waitgroup.go` the call ran, with why.
    pub go: Vec<GoLine>,
    /// What the goroutine did around the call (a worker's write before `done`, a waiter's
    /// reads after `wait`); empty if nothing.
    pub work: String,
    /// With the `race` feature: the goroutine's steps in the race checker during the call
    /// (`None` for a step recorded while its goroutine was still blocked in it).
    pub clock: Option<ClockSpan>,
    /// With the `race` feature: the happens-before edges the race checker recorded when
    /// this step acquired a WaitGroup, each with the index of the scene's step that made
    /// the release.
    pub happens_after: Vec<(usize, HappensBefore)>,
}

/// What a goroutine did in a call, in words and as the race checker saw it.
pub struct Did {
    /// What it did around the call; empty if nothing.
    pub work: String,
    /// The call's panic text, if it panicked (only misuse scenes catch one).
    pub panic: Option<&'static str>,
    /// Its steps in the race checker during the call (`None` without the `race` feature).
    pub clock: Option<ClockSpan>,
}

impl Did {
    /// Runs `call` on this goroutine, noting its race-checker steps before and after, and
    /// the edges its acquires recorded.
    pub fn around(call: impl FnOnce() -> String) -> Did {
        let (goroutine, first) = (race::goroutine_id(), race::current_step());
        let recorded_before = race::edges().len();
        let work = call();
        let clock =
            goroutine
                .zip(first)
                .zip(race::current_step())
                .map(|((goroutine, first), last)| ClockSpan {
                    goroutine,
                    first,
                    last,
                    // Only this thread records edges to its goroutine: these are the call's.
                    acquired: race::edges()
                        .split_off(recorded_before)
                        .into_iter()
                        .filter(|edge| edge.to == goroutine)
                        .collect(),
                });
        Did {
            work,
            panic: None,
            clock,
        }
    }

    /// Runs `call`, which must panic with a `&'static str` (Go's misuse text), and keeps
    /// the text.
    pub fn around_panicking(call: impl FnOnce()) -> Did {
        let mut panic = None;
        let mut did = Did::around(|| {
            let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call))
                .expect_err("the misuse panics");
            panic = Some(
                *payload
                    .downcast_ref::<&'static str>()
                    .expect("gosync panics with a &'static str"),
            );
            String::new()
        });
        did.panic = panic;
        did
    }

    /// A step recorded while its goroutine is still blocked in the call: the thread has
    /// reported nothing yet.
    pub fn blocked() -> Did {
        Did {
            work: String::new(),
            panic: None,
            clock: None,
        }
    }

    /// Nothing done around a call the director makes itself.
    pub fn around_call(call: impl FnOnce()) -> Did {
        Did::around(|| {
            call();
            String::new()
        })
    }
}

/// A goroutine's stretch of race-checker steps during one call (see
/// `gosync::race::current_step`), and the edges it acquired.
#[derive(Debug, Clone)]
pub struct ClockSpan {
    /// The goroutine's number, as race reports print it.
    pub goroutine: u64,
    /// Its step when the call began.
    pub first: u64,
    /// Its step when the call returned: one more per release the call made.
    pub last: u64,
    /// The edges recorded by the call's acquires.
    pub acquired: Vec<HappensBefore>,
}

impl ClockSpan {
    /// Whether the call made the release at `step` of `goroutine`: the releaser's step is
    /// the one before the tick that ends it, so it lies in `first..last`.
    pub fn released(&self, goroutine: u64, step: u64) -> bool {
        self.goroutine == goroutine && (self.first..self.last).contains(&step)
    }
}
