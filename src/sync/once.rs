//! The once family: std's one-time initialisation, seen by the race checker as Go's
//! `sync.Once`. [`Once`] runs one initialiser; [`OnceLock`] is a `Once` with a value;
//! [`LazyLock`] is a value initialised on first use, on this module's `OnceLock`. In each,
//! the initialiser's completion happens before every call that returns after it.
//!
//! Go's `once.go` has no annotation of its own: the edge comes from its instrumented
//! atomics (`atomic.StoreUint32(&o.done, 1)` after `f`, `atomic.LoadUint32(&o.done)` in
//! `Do`). Here it is one sync object per cell: `ReleaseMerge` after the initialiser
//! returns, `Acquire` before every return that finds it done.

use std::fmt;
use std::ops::Deref;
use std::sync::PoisonError;

use super::block;
use crate::race::{self, ObjectId, Site};

// ---- Once -----------------------------------------------------------------------------
//
// std's one-time initialisation, Go's `sync.Once`: the initialiser's completion
// happens before every `call_once` that returns.

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

// ---- OnceLock -------------------------------------------------------------------------
//
// std's write-once cell, seen by the race checker as a `Once` with a value: the
// initialisation happens before every read that sees the value.

/// std's [`OnceLock`](std::sync::OnceLock), seen by the race checker: the value's
/// initialisation (by [`set`](OnceLock::set) or [`get_or_init`](OnceLock::get_or_init))
/// happens before every [`get`](OnceLock::get) that returns it. Same API.
///
/// ```
/// use gosync::sync::OnceLock;
///
/// static CONFIG: OnceLock<String> = OnceLock::new();
/// let worker = gosync::thread::spawn(|| CONFIG.get_or_init(|| "from the worker".into()).len());
/// let len = worker.join().unwrap();
/// assert_eq!(CONFIG.get().map(String::len), Some(len));
/// ```
pub struct OnceLock<T> {
    value: std::sync::OnceLock<T>,
    /// Whether an initialiser is running: others wait on it instead of running theirs.
    running: std::sync::Mutex<bool>,
    /// Released to by the initialisation, acquired by every read that sees the value.
    race: ObjectId,
}

/// Clears `running` when the initialiser returns or unwinds, then wakes the waiters.
struct Unclaim<'a, T>(&'a OnceLock<T>);

impl<T> Drop for Unclaim<'_, T> {
    fn drop(&mut self) {
        *self.0.running() = false;
        block::progress(&self.0.race);
    }
}

impl<T> OnceLock<T> {
    /// std's [`OnceLock::new`](std::sync::OnceLock::new): an empty cell.
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::<u8>::new();
    /// assert_eq!(cell.get(), None);
    /// ```
    pub const fn new() -> OnceLock<T> {
        OnceLock {
            value: std::sync::OnceLock::new(),
            running: std::sync::Mutex::new(false),
            race: ObjectId::new(),
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, bool> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// std's [`OnceLock::get`](std::sync::OnceLock::get): the value, if initialised;
    /// never blocks.
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::new();
    /// assert_eq!(cell.get(), None);
    /// cell.set(1).unwrap();
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn get(&self) -> Option<&T> {
        let value = self.value.get();
        if value.is_some() {
            race::keyed::acquire(&self.race);
        }
        value
    }

    /// std's [`OnceLock::get_mut`](std::sync::OnceLock::get_mut).
    ///
    /// ```
    /// let mut cell = gosync::sync::OnceLock::new();
    /// cell.set(1).unwrap();
    /// *cell.get_mut().unwrap() += 1;
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    /// std's [`OnceLock::set`](std::sync::OnceLock::set): initialises the cell with
    /// `value`, waiting for a running initialiser first.
    ///
    /// # Errors
    ///
    /// `Err(value)` if the cell was already initialised.
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::new();
    /// assert_eq!(cell.set(1), Ok(()));
    /// assert_eq!(cell.set(2), Err(2));
    /// ```
    #[track_caller]
    pub fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.get_or_init(|| value.take().expect("called at most once"));
        match value {
            None => Ok(()),
            Some(value) => Err(value),
        }
    }

    /// std's [`OnceLock::get_or_init`](std::sync::OnceLock::get_or_init): the value,
    /// running `f` to initialise it if no one has. Concurrent callers wait for the one
    /// running initialiser; if it panics, the next caller runs its own.
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::new();
    /// assert_eq!(*cell.get_or_init(|| 5), 5);
    /// assert_eq!(*cell.get_or_init(|| 6), 5);
    /// ```
    #[track_caller]
    pub fn get_or_init<F: FnOnce() -> T>(&self, f: F) -> &T {
        if let Some(value) = self.get() {
            return value;
        }
        let claimed = block::block_on(&[&self.race], "sync.Once.Do", Site::here(), None, || {
            let mut running = self.running();
            if self.value.get().is_some() {
                Some(false)
            } else if *running {
                None
            } else {
                *running = true;
                Some(true)
            }
        })
        .expect("get_or_init has no deadline");
        if claimed {
            let _unclaim = Unclaim(self);
            let value = f();
            race::keyed::release_merge(&self.race);
            if self.value.set(value).is_err() {
                unreachable!("only the claimant initialises the cell");
            }
        }
        self.get()
            .expect("initialised above or by the claimant waited for")
    }

    /// std's [`OnceLock::into_inner`](std::sync::OnceLock::into_inner).
    ///
    /// ```
    /// let cell = gosync::sync::OnceLock::new();
    /// cell.set("v").unwrap();
    /// assert_eq!(cell.into_inner(), Some("v"));
    /// ```
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// std's [`OnceLock::take`](std::sync::OnceLock::take): empties the cell.
    ///
    /// ```
    /// let mut cell = gosync::sync::OnceLock::new();
    /// cell.set(3).unwrap();
    /// assert_eq!(cell.take(), Some(3));
    /// assert_eq!(cell.get(), None);
    /// ```
    pub fn take(&mut self) -> Option<T> {
        self.value.take()
    }
}

impl<T> Default for OnceLock<T> {
    /// std's `Default`: an empty cell.
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: Clone> Clone for OnceLock<T> {
    /// std's `Clone`: a new cell holding a clone of the value, if any.
    fn clone(&self) -> Self {
        let cell = OnceLock::new();
        if let Some(value) = self.get() {
            let _ = cell.set(value.clone());
        }
        cell
    }
}

impl<T> From<T> for OnceLock<T> {
    /// std's `From<T>`: an initialised cell.
    fn from(value: T) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(value);
        cell
    }
}

impl<T: PartialEq> PartialEq for OnceLock<T> {
    /// std's `PartialEq`: equal when both are empty or both hold equal values.
    fn eq(&self, other: &OnceLock<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceLock<T> {}

// ---- LazyLock -------------------------------------------------------------------------
//
// std's lazily initialised value, on the `OnceLock` above.

/// std's [`LazyLock`](std::sync::LazyLock), seen by the race checker: the initialiser's
/// completion happens before every dereference that returns. A panicking initialiser
/// poisons it, as std's: later dereferences panic.
///
/// ```
/// use gosync::sync::LazyLock;
///
/// static SQUARES: LazyLock<Vec<u32>> = LazyLock::new(|| (0..4).map(|i| i * i).collect());
/// assert_eq!(SQUARES[3], 9);
/// ```
pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    init: std::sync::Mutex<Option<F>>,
}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    /// std's [`LazyLock::new`](std::sync::LazyLock::new).
    ///
    /// ```
    /// let lazy = gosync::sync::LazyLock::new(|| 6 * 7);
    /// assert_eq!(*lazy, 42);
    /// ```
    pub const fn new(f: F) -> LazyLock<T, F> {
        LazyLock {
            cell: OnceLock::new(),
            init: std::sync::Mutex::new(Some(f)),
        }
    }

    /// std's [`LazyLock::force`](std::sync::LazyLock::force): runs the initialiser if it
    /// has not run, and returns the value.
    ///
    /// # Panics
    ///
    /// With std's `LazyLock instance has previously been poisoned` if the initialiser
    /// panicked before.
    ///
    /// ```
    /// use gosync::sync::LazyLock;
    ///
    /// let lazy = LazyLock::new(|| String::from("hi"));
    /// assert_eq!(LazyLock::force(&lazy), "hi");
    /// ```
    #[track_caller]
    pub fn force(this: &LazyLock<T, F>) -> &T {
        this.cell.get_or_init(|| {
            let f = this
                .init
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match f {
                Some(f) => f(),
                None => panic!("LazyLock instance has previously been poisoned"),
            }
        })
    }
}

impl<T, F: FnOnce() -> T> Deref for LazyLock<T, F> {
    type Target = T;
    #[track_caller]
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T: Default> Default for LazyLock<T> {
    /// std's `Default`: initialised with `T::default`.
    fn default() -> LazyLock<T> {
        LazyLock::new(T::default)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_tuple("LazyLock");
        match self.cell.get() {
            Some(v) => d.field(v),
            None => d.field(&format_args!("<uninit>")),
        };
        d.finish()
    }
}
