//! Go's `internal/race` API, and the happens-before checker behind it.
//!
//! Without the `race` feature every annotation here is an `#[inline(always)]` empty body
//! and [`ENABLED`] is `false` (Go's `internal/race/norace.go`), so the port's call sites
//! read line for line with Go and cost nothing. [`check`] then runs its closure and finds
//! nothing, and [`errors`] is 0.
//!
//! With the feature, the annotations feed a precise happens-before checker (vector clocks,
//! FastTrack shadow state with unbounded history; see `docs/race.md`), so a test build
//! reports data races and `WaitGroup` misuse the way `go test -race` does:
//!
//! ```
//! # #[cfg(feature = "race")] {
//! use gosync::race::{check, RaceCell};
//! use gosync::WaitGroup;
//! use std::sync::Arc;
//!
//! // Go's TestRaceWaitGroup2: correct WaitGroup use, yet the two writes race.
//! let ((), races) = check(|| {
//!     let x = Arc::new(RaceCell::new(0));
//!     let wg = Arc::new(WaitGroup::new());
//!     wg.add(2);
//!     for v in [1, 2] {
//!         let (x, wg) = (x.clone(), wg.clone());
//!         gosync::go(move || {
//!             x.set(v);
//!             wg.done();
//!         });
//!     }
//!     wg.wait();
//! });
//! assert_eq!(races.len(), 1);
//! println!("{}", races[0]); // WARNING: DATA RACE / Write at 0x... by goroutine 3: ...
//! # }
//! ```
//!
//! What the checker sees: these annotations, [`RaceCell`] accesses, the fork (and join)
//! edges of [`go`](crate::go), [`chan`](crate::chan) messages, and the atomics and fences
//! of [`gosync::sync::atomic`](crate::sync::atomic) (under the Rust memory model). What it
//! does not see: std's atomics, locks, channels and sleeps. Annotate them with [`acquire`] and [`release`]
//! (see `docs/race.md`).
//!
//! The `race` feature keeps per-thread state, so it cannot be combined with
//! `--cfg gosync_loom` or `--cfg gosync_shuttle`, whose threads share OS threads.

#[cfg(feature = "race")]
pub(crate) mod atomic;
#[cfg(feature = "race")]
mod domain;
mod object;
mod report;
#[cfg(feature = "race")]
pub(crate) mod sched;
#[cfg(feature = "race")]
mod shadow;
#[cfg(feature = "race")]
mod sync;

/// The examples of `docs/race.md`, compiled and run as doctests.
#[cfg(all(doctest, feature = "race"))]
#[doc = include_str!("../docs/race.md")]
mod race_md_examples {}

#[cfg(all(feature = "race", any(gosync_loom, gosync_shuttle)))]
compile_error!("the `race` feature keeps per-OS-thread state: build it without `--cfg gosync_loom`/`gosync_shuttle`");

pub use object::RaceCell;
pub(crate) use object::{ObjectId, SyncClock};
pub use report::{
    Access, AccessKind, BlockedGoroutine, CheckReport, DataRace, Deadlock, HappensBefore, Site,
    SyncObject,
};

#[cfg(feature = "race")]
pub(crate) use domain::{fork, Joiner};
#[cfg(feature = "race")]
use object::Place;

/// Whether the race checker is compiled in (Go's `race.Enabled`).
///
/// ```
/// assert_eq!(gosync::race::ENABLED, cfg!(feature = "race"));
/// ```
pub const ENABLED: bool = cfg!(feature = "race");

/// Go's `race.Acquire(addr)`: join the clock released to `addr` into this goroutine's.
/// Ignored while this goroutine has sync [`disable`]d.
///
/// ```
/// let x = 0u32;
/// gosync::race::acquire(&x);
/// ```
#[inline(always)]
pub fn acquire<T: ?Sized>(addr: *const T) {
    #[cfg(feature = "race")]
    sync::acquire(Place::addr(addr));
    #[cfg(not(feature = "race"))]
    let _ = addr;
}

/// Go's `race.Release(addr)`: overwrite `addr`'s clock with this goroutine's (earlier
/// releases to `addr` are forgotten; a mutex unlock). Ignored while sync is [`disable`]d.
///
/// ```
/// let x = 0u32;
/// gosync::race::release(&x);
/// ```
#[inline(always)]
pub fn release<T: ?Sized>(addr: *const T) {
    #[cfg(feature = "race")]
    sync::release(Place::addr(addr));
    #[cfg(not(feature = "race"))]
    let _ = addr;
}

/// Go's `race.ReleaseMerge(addr)`: join this goroutine's clock into `addr`'s (every
/// releaser is kept; a WaitGroup's `done`). Ignored while sync is [`disable`]d.
///
/// ```
/// let x = 0u32;
/// gosync::race::release_merge(&x);
/// ```
#[inline(always)]
pub fn release_merge<T: ?Sized>(addr: *const T) {
    #[cfg(feature = "race")]
    sync::release_merge(Place::addr(addr));
    #[cfg(not(feature = "race"))]
    let _ = addr;
}

/// Go's `race.Read(addr)`: a plain read of the memory at `addr`, checked against earlier
/// writes even while sync is [`disable`]d. Reports name the caller's `file:line`.
///
/// ```
/// let x = 0u32;
/// gosync::race::read(&x);
/// ```
#[inline(always)]
#[track_caller]
pub fn read<T: ?Sized>(addr: *const T) {
    #[cfg(feature = "race")]
    shadow::access(Place::addr(addr), AccessKind::Read, Site::here());
    #[cfg(not(feature = "race"))]
    let _ = addr;
}

/// Go's `race.Write(addr)`: a plain write of the memory at `addr`, checked against earlier
/// reads and writes even while sync is [`disable`]d.
///
/// ```
/// let x = 0u32;
/// gosync::race::write(&x);
/// ```
#[inline(always)]
#[track_caller]
pub fn write<T: ?Sized>(addr: *const T) {
    #[cfg(feature = "race")]
    shadow::access(Place::addr(addr), AccessKind::Write, Site::here());
    #[cfg(not(feature = "race"))]
    let _ = addr;
}

/// Go's `race.Disable()`: ignore this goroutine's synchronisation events until the
/// matching [`enable`] (nestable). Memory accesses are still checked.
///
/// ```
/// gosync::race::disable();
/// gosync::race::enable();
/// ```
#[inline(always)]
pub fn disable() {
    #[cfg(feature = "race")]
    sync::disable();
}

/// Go's `race.Enable()`: undo one [`disable`].
///
/// ```
/// gosync::race::disable();
/// gosync::race::enable();
/// ```
#[inline(always)]
pub fn enable() {
    #[cfg(feature = "race")]
    sync::enable();
}

/// Go's `defer race.Enable()`: re-enables on drop, so the enable survives a panic.
pub(crate) struct EnableOnDrop;

impl Drop for EnableOnDrop {
    #[inline(always)]
    fn drop(&mut self) {
        enable();
    }
}

/// The annotations of a gosync object keyed by its [`ObjectId`] (stable across moves),
/// at the same call sites as Go's `race.*(unsafe.Pointer(obj))`.
pub(crate) mod keyed {
    use super::ObjectId;
    #[cfg(feature = "race")]
    use super::{shadow, sync, AccessKind, Site};

    /// [`acquire`](super::acquire) on `id`'s sync clock.
    #[inline(always)]
    pub(crate) fn acquire(id: &ObjectId) {
        #[cfg(feature = "race")]
        sync::acquire(id.place());
        #[cfg(not(feature = "race"))]
        let _ = id;
    }

    /// [`release`](super::release) to `id`'s sync clock.
    #[inline(always)]
    #[cfg_attr(not(feature = "race"), allow(dead_code))] // gosync::sync's, race mode only
    pub(crate) fn release(id: &ObjectId) {
        #[cfg(feature = "race")]
        sync::release(id.place());
        #[cfg(not(feature = "race"))]
        let _ = id;
    }

    /// [`release_merge`](super::release_merge) into `id`'s sync clock.
    #[inline(always)]
    pub(crate) fn release_merge(id: &ObjectId) {
        #[cfg(feature = "race")]
        sync::release_merge(id.place());
        #[cfg(not(feature = "race"))]
        let _ = id;
    }

    /// [`read`](super::read) of `id`'s memory location.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn read(id: &ObjectId) {
        #[cfg(feature = "race")]
        shadow::access(id.place(), AccessKind::Read, Site::here());
        #[cfg(not(feature = "race"))]
        let _ = id;
    }

    /// [`read`](super::read) of `id`'s memory location, reported at `at` (a user's call
    /// whose `#[track_caller]` chain a trait object or a closure broke).
    #[inline(always)]
    pub(crate) fn read_at(id: &ObjectId, at: &'static std::panic::Location<'static>) {
        #[cfg(feature = "race")]
        shadow::access(id.place(), AccessKind::Read, Site::at(at));
        #[cfg(not(feature = "race"))]
        let _ = (id, at);
    }

    /// [`write`](super::write) of `id`'s memory location.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn write(id: &ObjectId) {
        #[cfg(feature = "race")]
        shadow::access(id.place(), AccessKind::Write, Site::here());
        #[cfg(not(feature = "race"))]
        let _ = id;
    }
}

/// Runs `f` on this thread as a fresh goroutine in its own detection domain, waits until
/// every goroutine started by [`go`](crate::go) inside it (transitively) has finished,
/// and returns `f`'s result with the races found among them.
///
/// `check` never hangs on goroutines blocked in gosync (see [`check_report`]): when every
/// goroutine of the check, `f` included, is blocked for ever, it panics with Go's
/// `fatal error: all goroutines are asleep - deadlock!` and each goroutine as Go's dump
/// prints it ([`Deadlock`]); when `f` has returned and the goroutines left are all blocked
/// for ever, it returns, as Go's test ends, and prints them on stderr as leaked.
///
/// Checks running in parallel (cargo's test threads) never see each other's accesses.
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::{check, RaceCell};
/// use std::sync::Arc;
///
/// let (sum, races) = check(|| {
///     let x = Arc::new(RaceCell::new(1));
///     let x2 = x.clone();
///     gosync::go(move || x2.set(2)).join().unwrap(); // join orders the write first
///     x.get() + 1
/// });
/// assert_eq!((sum, races.len()), (3, 0));
/// # }
/// ```
///
/// # Panics
///
/// - With the [`Deadlock`] text when every goroutine of the check is asleep.
/// - With `f`'s own panic if `f` panics (without waiting for its goroutines).
/// - Without the `race` feature, before running `f`: there is no checker to run, and an
///   empty list would let a test pass having checked nothing. The message says how to turn
///   it on (`cargo test --features gosync/race`). Code built both ways asks [`ENABLED`]
///   first, or uses [`check_if_enabled`].
#[track_caller]
pub fn check<T>(f: impl FnOnce() -> T) -> (T, Vec<DataRace>) {
    match check_report(f) {
        Ok(report) => {
            #[cfg(feature = "race")]
            if !report.leaked.is_empty() {
                use std::io::Write as _;
                let text = report::leak_text(&report.leaked);
                let _ = write!(std::io::stderr().lock(), "{text}");
            }
            (report.value, report.races)
        }
        Err(deadlock) => panic!("{deadlock}"),
    }
}

/// [`check`], with the deadlock returned as an error and the leaked goroutines in the
/// report instead of on stderr.
///
/// A goroutine is asleep when it is blocked in a gosync primitive without a time-out: a
/// `WaitGroup`'s wait, a [`chan`](crate::chan) send or receive, a
/// [`select!`](crate::select) without `default`, a [`JoinHandle::join`](crate::JoinHandle::join).
/// A goroutine that sleeps, spins, or blocks in a std primitive is awake as far as the
/// checker knows, so a check waiting on it waits, as before. Threads the checker does not
/// know (a plain `std::thread::spawn` without [`forked`]) are not goroutines of the check:
/// if the check's goroutines wait on one, they are reported as deadlocked.
///
/// Once judged, the check's blocked goroutines are released: each unwinds out of the
/// primitive it waits in (without running the panic hook), so no thread is left hanging.
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::check_report;
/// use gosync::WaitGroup;
///
/// let deadlock = check_report(|| {
///     let wg = WaitGroup::new();
///     wg.add(1);
///     wg.wait(); // nobody calls done
/// })
/// .unwrap_err();
/// assert_eq!(deadlock.goroutines.len(), 1);
/// assert_eq!(deadlock.goroutines[0].wait_reason, "semacquire");
/// # }
/// ```
///
/// # Panics
///
/// With `f`'s panic if `f` panics; without the `race` feature, before running `f`, as
/// [`check`] does.
#[track_caller]
pub fn check_report<T>(f: impl FnOnce() -> T) -> Result<CheckReport<T>, Deadlock> {
    #[cfg(feature = "race")]
    {
        use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
        let domain = domain::Domain::for_check();
        // Goroutine 1 is created here, as Go's test goroutine is by `testing.(*T).Run`.
        let created_at = Site::here();
        sched::check_started(domain.addr());
        let _running = domain::running(&domain);
        let out = catch_unwind(AssertUnwindSafe(|| {
            domain::run_as_root(domain.clone(), created_at, f)
        }));
        let released = matches!(&out, Err(payload) if payload.is::<sched::Released>());
        let verdict = sched::check_finished(domain.addr(), out.is_ok() || released);
        let races = domain.take_races();
        match (out, verdict) {
            (_, sched::Verdict::Deadlock(goroutines)) => Err(Deadlock { goroutines, races }),
            (Err(payload), _) => resume_unwind(payload),
            (Ok(value), sched::Verdict::Leaked(leaked)) => Ok(CheckReport {
                value,
                races,
                leaked,
            }),
            (Ok(value), sched::Verdict::Finished) => Ok(CheckReport {
                value,
                races,
                leaked: Vec::new(),
            }),
        }
    }
    #[cfg(not(feature = "race"))]
    {
        let _ = f;
        panic!("{NOT_ENABLED}")
    }
}

/// What [`check`] panics with in a build without the `race` feature.
#[cfg(not(feature = "race"))]
const NOT_ENABLED: &str = "gosync::race::check needs gosync's `race` feature, or it would check \
     nothing: run `cargo test --features gosync/race` (in gosync itself, `--features race`), \
     or call `race::check_if_enabled` in code built both ways";

/// [`check`] with the `race` feature; without it, runs `f` and returns `None`, so code
/// built both ways cannot mistake "not checked" for "no race".
///
/// ```
/// use gosync::race;
///
/// let (answer, races) = race::check_if_enabled(|| 6 * 7);
/// assert_eq!(answer, 42);
/// match races {
///     Some(races) => assert!(races.is_empty()), // built with `--features race`
///     None => assert!(!race::ENABLED),          // not checked: no checker compiled in
/// }
/// ```
pub fn check_if_enabled<T>(f: impl FnOnce() -> T) -> (T, Option<Vec<DataRace>>) {
    if ENABLED {
        let (out, races) = check(f);
        (out, Some(races))
    } else {
        (f(), None)
    }
}

/// The number of the goroutine running on this thread, as race reports print it
/// (`goroutine N`); `None` without the `race` feature. A thread not started by
/// [`go`](crate::go) becomes a goroutine of its own at its first annotation, or here.
///
/// ```
/// let id = gosync::race::goroutine_id();
/// assert_eq!(id.is_some(), gosync::race::ENABLED);
/// ```
pub fn goroutine_id() -> Option<u64> {
    #[cfg(feature = "race")]
    {
        domain::with_current(|g| u64::from(g.tid))
    }
    #[cfg(not(feature = "race"))]
    None
}

/// This goroutine's step: its own component of its vector clock, 1 when it starts and
/// one more after each release (and each `go` it starts). A [`HappensBefore`] edge names
/// the steps at its release and its acquire in these terms. `None` without the feature.
///
/// ```
/// # #[cfg(feature = "race")] {
/// let before = gosync::race::current_step().unwrap();
/// let x = 0u8;
/// gosync::race::release(&x);
/// assert_eq!(gosync::race::current_step(), Some(before + 1));
/// # }
/// ```
pub fn current_step() -> Option<u64> {
    #[cfg(feature = "race")]
    {
        domain::with_current(|g| u64::from(g.clock.get(g.tid)))
    }
    #[cfg(not(feature = "race"))]
    None
}

/// The happens-before edges recorded so far in this goroutine's domain (its [`check`], or
/// the global domain outside any), oldest first; empty without the `race` feature.
///
/// Every acquire that teaches its goroutine something new records one edge per goroutine
/// it learned of (see [`HappensBefore`]). The global domain keeps its first 65 536 edges
/// only, so a long test binary does not grow without bound; a `check` keeps all of its.
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::{self, check, SyncObject};
/// use std::sync::{mpsc, Arc};
///
/// let (edges, _) = check(|| {
///     let token = Arc::new(0u8);
///     let (released, released_rx) = mpsc::channel(); // invisible to the checker
///     let theirs = token.clone();
///     gosync::go(move || {
///         race::release(&*theirs);
///         released.send(()).unwrap();
///     });
///     released_rx.recv().unwrap();
///     race::acquire(&*token);
///     race::edges()
/// });
/// // Goroutine 2's step 1 (its release) happens before goroutine 1's step 2 (the acquire;
/// // its step 1 ended when it started goroutine 2, which already knew that step).
/// assert_eq!(edges.len(), 1);
/// assert_eq!((edges[0].from, edges[0].from_step, edges[0].to, edges[0].to_step), (2, 1, 1, 2));
/// assert!(matches!(edges[0].object, SyncObject::Address(_)));
/// # }
/// ```
pub fn edges() -> Vec<HappensBefore> {
    #[cfg(feature = "race")]
    {
        domain::with_current(|g| g.domain.edges()).unwrap_or_default()
    }
    #[cfg(not(feature = "race"))]
    Vec::new()
}

/// How many races were found outside any [`check`] (Go's `race.Errors()`); each was
/// printed to stderr in Go's format when found. Always 0 without the `race` feature.
///
/// ```
/// let before = gosync::race::errors();
/// assert!(gosync::race::errors() >= before);
/// ```
pub fn errors() -> usize {
    #[cfg(feature = "race")]
    {
        // ORDERING: Relaxed; a statistics counter with no data behind it.
        domain::GLOBAL_ERRORS.load(std::sync::atomic::Ordering::Relaxed)
    }
    #[cfg(not(feature = "race"))]
    0
}

/// Gives a thread that [`go`](crate::go) did not start Go's fork edge: wraps `f` so that,
/// run on the new thread, it starts with everything the calling thread did so far.
///
/// The checker cannot see `std::thread::spawn` or `std::thread::scope`: a thread they start
/// is an unrelated goroutine, so the WaitGroup's own annotations (the semaphore's `Read` in
/// `add` and `Write` in `wait`) look unordered with its parent's. Call `forked` on the
/// parent, as Go's `go` statement forks there, and hand the result to the spawn. There is
/// no join edge: Go has none either (use [`go`](crate::go) and its handle's `join` for
/// one). Without the `race` feature it returns `f` as it is.
///
/// ```
/// use gosync::{race, WaitGroup};
///
/// let wg = WaitGroup::new();
/// wg.add(1);
/// std::thread::scope(|s| {
///     s.spawn(race::forked(|| wg.done()));
///     wg.wait();
/// });
/// ```
#[track_caller]
pub fn forked<F, T>(f: F) -> impl FnOnce() -> T + Send
where
    F: FnOnce() -> T + Send,
{
    #[cfg(feature = "race")]
    {
        let (child, _no_join_edge) = fork();
        move || child.run(f)
    }
    #[cfg(not(feature = "race"))]
    f
}

/// Names the caller's site as the one a deeper block (the semaphore's park) reports in a
/// deadlock dump, until the guard drops; nothing without the `race` feature.
#[cfg(feature = "race")]
#[track_caller]
pub(crate) fn blocking_here() -> sched::BlockingAt {
    sched::BlockingAt::enter(Site::here())
}

/// Nothing to name without the `race` feature (a guard that is no type of the checker).
#[cfg(not(feature = "race"))]
#[inline(always)]
pub(crate) fn blocking_here() -> std::marker::PhantomData<()> {
    std::marker::PhantomData
}

/// The no-op fork and join of [`go`](crate::go) without the `race` feature.
#[cfg(not(feature = "race"))]
mod norace_goroutine {
    /// Nothing to hand the child.
    pub(crate) struct Child;
    /// Nothing to join.
    pub(crate) struct Joiner;

    #[inline(always)]
    pub(crate) fn fork() -> (Child, Joiner) {
        (Child, Joiner)
    }

    impl Child {
        #[inline(always)]
        pub(crate) fn run<T>(self, f: impl FnOnce() -> T) -> T {
            f()
        }
    }

    impl Joiner {
        #[inline(always)]
        pub(crate) fn wait_exit(&self) {}
        #[inline(always)]
        pub(crate) fn join_edge(self) {}
    }
}
#[cfg(not(feature = "race"))]
pub(crate) use norace_goroutine::{fork, Joiner};
