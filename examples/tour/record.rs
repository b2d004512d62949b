//! What the tour saw: scenes of steps, each with the goroutine that acted, the state word
//! after it, and the Go lines it ran. The narration and the SVG are both drawn from this.

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

/// One orchestrated run of a WaitGroup.
#[derive(Debug)]
pub struct Scene {
    /// Its number in the tour, from 1.
    pub number: usize,
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
    /// the `tracing` build can hold a waiter there (scene 3).
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    WaitRegistered,
    /// `wg.wait()` returned at once: the counter was 0.
    WaitFast,
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
        }
    }

    /// Whether this step is a `wait` returning (a race `Acquire(wg)` in Go's annotations).
    pub fn is_wait_return(&self) -> bool {
        matches!(self, Action::WaitFast | Action::WaitReturned { .. })
    }

    /// Whether this step decremented the counter (a race `ReleaseMerge(wg)` in Go).
    pub fn is_decrement(&self) -> bool {
        matches!(self, Action::Done { .. }) || matches!(self, Action::Add(d) if *d < 0)
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
}
