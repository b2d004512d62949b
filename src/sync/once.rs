//! [`Once`]: std's one-time initialisation, seen by the race checker as Go's `sync.Once`:
//! the initialiser's completion happens before every `call_once` that returns.
//!
//! Go's `once.go` has no annotation of its own: the edge comes from its instrumented
//! atomics (`atomic.StoreUint32(&o.done, 1)` after `f`, `atomic.LoadUint32(&o.done)` in
//! `Do`). Here it is one sync object: `ReleaseMerge` after `f` returns, `Acquire` before
//! every return.

use std::fmt;
use std::sync::PoisonError;

use super::block;
use crate::race::{self, ObjectId, Site};

/// std's [`Once`](std::sync::Once), seen by the race checker. Same API, same poisoning:
/// a panic in the initialiser poisons it; [`call_once_force`](Once::call_once_force) may
/// still run another.
///
/// ```
/// use gosync::sync::Once;
///
/// static INIT: Once = Once::new();
/// let mut runs = 0;
/// INIT.call_once(|| runs += 1);
/// INIT.call_once(|| runs += 1);
/// assert_eq!(runs, 1);
/// assert!(INIT.is_completed());
/// ```
pub struct Once {
    state: std::sync::Mutex<State>,
    /// Released to when the initialiser completes, acquired by every return.
    race: ObjectId,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Incomplete,
    Running,
    Poisoned,
    Complete,
}

/// std's [`OnceState`](std::sync::OnceState), handed to
/// [`call_once_force`](Once::call_once_force)'s closure.
///
/// ```
/// let once = gosync::sync::Once::new();
/// once.call_once_force(|state| assert!(!state.is_poisoned()));
/// ```
#[derive(Debug)]
pub struct OnceState {
    poisoned: bool,
}

impl OnceState {
    /// Whether an earlier initialiser panicked.
    ///
    /// ```
    /// use gosync::sync::Once;
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    ///
    /// let once = Once::new();
    /// let _ = catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("first"))));
    /// once.call_once_force(|state| assert!(state.is_poisoned()));
    /// assert!(once.is_completed());
    /// ```
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }
}

/// What a caller of `call_once` does, decided under the state's lock.
enum Run {
    Done,
    Poisoned,
    Init(OnceState),
}

/// Sets the state once the initialiser returns or unwinds, then wakes the waiters.
struct Finish<'a> {
    once: &'a Once,
    to: State,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        if self.to == State::Complete {
            // The initialiser's completion, before anyone can see the state complete.
            race::keyed::release_merge(&self.once.race);
        }
        *self.once.lock() = self.to;
        block::progress(&self.once.race);
    }
}

impl Once {
    /// std's [`Once::new`](std::sync::Once::new).
    ///
    /// ```
    /// static O: gosync::sync::Once = gosync::sync::Once::new();
    /// assert!(!O.is_completed());
    /// ```
    #[allow(clippy::new_without_default)] // std's Once has no Default: neither has the mirror
    pub const fn new() -> Once {
        Once {
            state: std::sync::Mutex::new(State::Incomplete),
            race: ObjectId::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// std's [`Once::call_once`](std::sync::Once::call_once), Go's `Do`: runs `f` if no
    /// initialiser has completed; otherwise waits for the running one. Everything `f` did
    /// happens before this returns.
    ///
    /// # Panics
    ///
    /// With std's `Once instance has previously been poisoned` if an earlier initialiser
    /// panicked; `f`'s own panic propagates and poisons the `Once`.
    ///
    /// ```
    /// let once = gosync::sync::Once::new();
    /// let mut value = 0;
    /// once.call_once(|| value = 42);
    /// assert_eq!(value, 42);
    /// ```
    #[track_caller]
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        self.call(false, |_| f());
    }

    /// std's [`Once::call_once_force`](std::sync::Once::call_once_force): as
    /// [`call_once`](Once::call_once), but also runs `f` after a poisoning initialiser.
    ///
    /// ```
    /// let once = gosync::sync::Once::new();
    /// once.call_once_force(|state| assert!(!state.is_poisoned()));
    /// assert!(once.is_completed());
    /// ```
    #[track_caller]
    pub fn call_once_force<F: FnOnce(&OnceState)>(&self, f: F) {
        self.call(true, f);
    }

    #[track_caller]
    fn call(&self, ignore_poisoning: bool, f: impl FnOnce(&OnceState)) {
        let run = block::block_on(&[&self.race], "sync.Mutex.Lock", Site::here(), None, || {
            let mut state = self.lock();
            match *state {
                State::Complete => Some(Run::Done),
                State::Running => None,
                State::Poisoned if !ignore_poisoning => Some(Run::Poisoned),
                poisoned @ (State::Incomplete | State::Poisoned) => {
                    *state = State::Running;
                    Some(Run::Init(OnceState {
                        poisoned: poisoned == State::Poisoned,
                    }))
                }
            }
        })
        .expect("a call_once without a deadline never times out");
        let run = match run {
            Run::Done => None,
            Run::Poisoned => panic!("Once instance has previously been poisoned"),
            Run::Init(once_state) => Some(once_state),
        };
        if let Some(once_state) = run {
            let mut finish = Finish {
                once: self,
                to: State::Poisoned,
            };
            f(&once_state);
            finish.to = State::Complete;
        }
        race::keyed::acquire(&self.race);
    }

    /// std's [`Once::is_completed`](std::sync::Once::is_completed): `true` once an
    /// initialiser has completed, whose effects then happen before this returns.
    ///
    /// ```
    /// let once = gosync::sync::Once::new();
    /// assert!(!once.is_completed());
    /// once.call_once(|| {});
    /// assert!(once.is_completed());
    /// ```
    pub fn is_completed(&self) -> bool {
        let completed = *self.lock() == State::Complete;
        if completed {
            race::keyed::acquire(&self.race);
        }
        completed
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once").finish_non_exhaustive()
    }
}
