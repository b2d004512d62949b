//! Detection domains and the goroutines in them: the global domain and one per
//! [`check`](super::check), the goroutine running on each thread with the fork and join
//! edges of [`go`](crate::go), and the threads the checker was not told about.
//!
//! A domain owns everything a run of the checker knows: the goroutines it numbered, the
//! clocks released to its sync objects, the shadow of its memory locations, and the races
//! found. Two `check`s on cargo's parallel test threads have two domains, so they never
//! see each other's accesses.
//!
//! The maps are sharded by identity, each shard behind its own lock. That is sound: the
//! FastTrack rules touch one location (or one sync object) and the acting goroutine's own
//! clock, which only its thread changes, so per-location linearisability is all they need.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::io::Write as _;
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};

use super::atomic::Fences;
use super::object::Ident;
use super::report::{Access, AccessKind, DataRace, HappensBefore, Site};
use super::shadow::{Conflict, Shadow};
use super::sync::{Tid, VectorClock};

// ---- Detection domains: the global one, and one per check -----------------------------

/// Races found outside any `check` (Go's `race.Errors()`).
pub(crate) static GLOBAL_ERRORS: AtomicUsize = AtomicUsize::new(0);

/// Number of lock shards per map: enough that two threads working on two WaitGroups
/// rarely meet, few enough that a domain stays small.
const SHARDS: usize = 16;

/// How many happens-before edges the global domain keeps (a `check` keeps all of its):
/// enough for any picture, bounded for a test binary that runs for hours.
const GLOBAL_EDGE_LIMIT: usize = 1 << 16;

/// A poisoned lock only means a panic elsewhere (a user's, or a misuse panic); the
/// checker's state is updated before anything can panic, so it is still consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The FxHash mixer (rustc's): identities are addresses and counters, no attacker input.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }
    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<V> = HashMap<Ident, V, BuildHasherDefault<FxHasher>>;

/// One map split into [`SHARDS`] locked parts, chosen by the identity's hash.
struct Sharded<V>([Mutex<FxMap<V>>; SHARDS]);

impl<V> Sharded<V> {
    fn new() -> Self {
        Sharded(std::array::from_fn(|_| Mutex::default()))
    }

    fn shard(&self, ident: Ident) -> MutexGuard<'_, FxMap<V>> {
        let mut hasher = FxHasher::default();
        ident.hash(&mut hasher);
        lock(&self.0[(hasher.finish() >> 60) as usize % SHARDS])
    }
}

/// What a domain does with a race.
enum Sink {
    /// The global domain: print at once in Go's format (once per pair of sites, as Go's
    /// `suppress_equal_stacks`) and count in `errors()`.
    Print(Mutex<HashSet<(&'static Location<'static>, &'static Location<'static>)>>),
    /// A `check`: hand every race back to the caller.
    Collect(Mutex<Vec<DataRace>>),
}

/// What reports say about a goroutine.
struct GoroutineInfo {
    created_at: Option<Site>,
    finished: bool,
}

/// See the module docs.
pub(crate) struct Domain {
    sync: Sharded<VectorClock>,
    shadow: Sharded<Shadow>,
    /// Indexed by `tid - 1`.
    goroutines: Mutex<Vec<GoroutineInfo>>,
    sink: Sink,
    /// The happens-before edges acquires recorded, oldest first.
    edges: Mutex<Vec<HappensBefore>>,
}

impl Domain {
    fn new(sink: Sink) -> Domain {
        Domain {
            sync: Sharded::new(),
            shadow: Sharded::new(),
            goroutines: Mutex::default(),
            sink,
            edges: Mutex::default(),
        }
    }

    /// The domain of every thread outside a `check`.
    pub(crate) fn global() -> Arc<Domain> {
        static GLOBAL: OnceLock<Arc<Domain>> = OnceLock::new();
        GLOBAL
            .get_or_init(|| Arc::new(Domain::new(Sink::Print(Mutex::default()))))
            .clone()
    }

    /// A fresh domain for one `check`.
    pub(crate) fn for_check() -> Arc<Domain> {
        Arc::new(Domain::new(Sink::Collect(Mutex::default())))
    }

    /// Numbers a new goroutine: the next `tid`.
    pub(crate) fn register(&self, created_at: Option<Site>) -> Tid {
        let mut goroutines = lock(&self.goroutines);
        goroutines.push(GoroutineInfo {
            created_at,
            finished: false,
        });
        Tid::try_from(goroutines.len()).expect("fewer than 2^32 goroutines per domain")
    }

    /// Records that `tid` will run no more annotations.
    pub(crate) fn finished(&self, tid: Tid) {
        lock(&self.goroutines)[(tid - 1) as usize].finished = true;
    }

    /// The identity of this domain in the scheduler's accounting (its address, stable
    /// while any goroutine holds it).
    pub(crate) fn addr(&self) -> usize {
        self as *const Domain as usize
    }

    /// A goroutine was forked in this domain: live until [`ended`](Self::ended).
    pub(crate) fn started(&self) {
        super::sched::goroutine_started(self.addr());
    }

    /// A forked goroutine has finished.
    pub(crate) fn ended(&self) {
        super::sched::goroutine_ended(self.addr());
    }

    /// Whether this is the global domain (threads outside every `check`).
    pub(crate) fn is_global(&self) -> bool {
        matches!(self.sink, Sink::Print(_))
    }

    /// Whether a memory location has shadow state here (someone accessed it).
    pub(crate) fn knows_location(&self, ident: Ident) -> bool {
        self.shadows(ident).contains_key(&ident)
    }

    /// The clocks released to sync objects, locked for the shard of `ident`.
    pub(crate) fn sync_clocks(&self, ident: Ident) -> MutexGuard<'_, FxMap<VectorClock>> {
        self.sync.shard(ident)
    }

    /// The shadow words, locked for the shard of `ident`.
    pub(crate) fn shadows(&self, ident: Ident) -> MutexGuard<'_, FxMap<Shadow>> {
        self.shadow.shard(ident)
    }

    /// Drops all state of a freed place (`__tsan_free`): nothing of it may reach a new
    /// object built at the same address.
    pub(crate) fn forget(&self, ident: Ident) {
        self.sync_clocks(ident).remove(&ident);
        self.shadows(ident).remove(&ident);
    }

    /// Builds the report of a race between the access `current` by `tid` and an earlier
    /// one, and delivers it.
    pub(crate) fn report(&self, addr: usize, current: (AccessKind, Tid, Site), previous: Conflict) {
        let race = {
            let goroutines = lock(&self.goroutines);
            let access = |kind, tid: Tid, site| {
                let info = &goroutines[(tid - 1) as usize];
                Access {
                    kind,
                    goroutine: tid,
                    site,
                    goroutine_created_at: info.created_at.clone(),
                    goroutine_finished: info.finished,
                }
            };
            let (kind, tid, site) = current;
            DataRace {
                addr,
                current: access(kind, tid, site),
                previous: access(previous.kind, previous.stamp.epoch.tid, previous.stamp.site),
            }
        };
        match &self.sink {
            Sink::Collect(races) => lock(races).push(race),
            Sink::Print(printed) => {
                // ORDERING: Relaxed; a statistics counter, read by `errors()` only.
                GLOBAL_ERRORS.fetch_add(1, Relaxed);
                let pair = (race.current.site.location, race.previous.site.location);
                if lock(printed).insert(pair) {
                    let _ = writeln!(std::io::stderr().lock(), "{race}");
                }
            }
        }
    }

    /// Records the edges an acquire created (the global domain only up to its limit).
    pub(crate) fn record_edges(&self, new: impl Iterator<Item = HappensBefore>) {
        let mut new = new.peekable();
        if new.peek().is_none() {
            return; // the usual acquire learns nothing new: no lock
        }
        let mut edges = lock(&self.edges);
        let room = match self.sink {
            Sink::Print(_) => GLOBAL_EDGE_LIMIT.saturating_sub(edges.len()),
            Sink::Collect(_) => usize::MAX,
        };
        edges.extend(new.take(room));
    }

    /// The edges recorded so far.
    pub(crate) fn edges(&self) -> Vec<HappensBefore> {
        lock(&self.edges).clone()
    }

    /// The races a `check` collected.
    pub(crate) fn take_races(&self) -> Vec<DataRace> {
        match &self.sink {
            Sink::Collect(races) => std::mem::take(&mut *lock(races)),
            Sink::Print(_) => Vec::new(),
        }
    }
}

// ---- Goroutines -----------------------------------------------------------------------
//
// The goroutine running on each thread: its domain, number, clock and `disable` depth,
// and the fork and join edges of [`go`](crate::go).

thread_local! {
    /// `None` until the thread's first annotation, or while `go` has not installed it yet.
    static CURRENT: RefCell<Option<Goroutine>> = const { RefCell::new(None) };
}

/// A goroutine: Go's `g` as the race runtime sees it.
pub(crate) struct Goroutine {
    pub(crate) domain: Arc<Domain>,
    pub(crate) tid: Tid,
    /// `C_t`: everything this goroutine has seen happen.
    pub(crate) clock: VectorClock,
    /// Depth of [`race::disable`](crate::race::disable) (Go's `g.raceignore`): while it is
    /// non-zero, acquire and release are ignored; memory accesses are not.
    pub(crate) ignore_sync: u32,
    /// Where it was forked, and by which goroutine (`None` for a root), for the dumps.
    pub(crate) created_at: Option<Site>,
    pub(crate) created_by: Option<Tid>,
    /// The clocks of `gosync::sync::atomic::fence` (see `race/atomic.rs`).
    pub(crate) fences: Fences,
}

impl Goroutine {
    /// A goroutine nobody forked: a `check`'s own thread, or a thread not started by `go`.
    fn root(domain: Arc<Domain>, created_at: Option<Site>) -> Goroutine {
        let tid = domain.register(created_at.clone());
        Goroutine {
            clock: VectorClock::first_step_of(tid),
            domain,
            tid,
            ignore_sync: 0,
            created_at,
            created_by: None,
            fences: Fences::default(),
        }
    }
}

impl Goroutine {
    /// The identity of this goroutine's domain, for clocks stored outside it.
    pub(crate) fn domain_addr(&self) -> usize {
        self.domain.addr()
    }
}

impl Drop for Goroutine {
    fn drop(&mut self) {
        self.domain.finished(self.tid);
    }
}

/// Runs `f` on this thread's goroutine. A thread not started by `go` becomes a root
/// goroutine of the global domain at its first annotation. `None` while the thread's
/// locals are being destroyed: the annotation is then dropped.
pub(crate) fn with_current<R>(f: impl FnOnce(&mut Goroutine) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| {
            let mut current = current.borrow_mut();
            f(current.get_or_insert_with(|| Goroutine::root(Domain::global(), None)))
        })
        .ok()
}

/// Drops all state of a freed place in this thread's domain (no goroutine is created).
pub(crate) fn forget(ident: Ident) {
    let _ = CURRENT.try_with(|current| match current.try_borrow().ok().as_deref() {
        Some(Some(goroutine)) => goroutine.domain.forget(ident),
        _ => Domain::global().forget(ident),
    });
}

/// Runs `f` as the root goroutine of `domain` (created at `created_at`, the `check`
/// call), then puts this thread's own goroutine back (also when `f` panics).
pub(crate) fn run_as_root<T>(domain: Arc<Domain>, created_at: Site, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Goroutine>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            // The root is dropped here: it has finished.
            let _ = CURRENT.try_with(|current| current.replace(outer));
        }
    }
    let root = Goroutine::root(domain, Some(created_at));
    let outer = CURRENT.with(|current| current.replace(Some(root)));
    let _restore = Restore(outer);
    f()
}

/// How a goroutine started by `go` ended: its final clock (for the join edge) and whether
/// its thread is done with user code (a joiner blocks in the scheduler until then).
#[derive(Default)]
struct ExitState {
    clock: Option<VectorClock>,
    done: bool,
}

type ExitClock = Arc<Mutex<ExitState>>;

/// The scheduler key a joiner of `exit` blocks on.
fn exit_key(exit: &ExitClock) -> super::sched::WaitKey {
    Arc::as_ptr(exit) as usize
}

/// The child's half of a fork: the goroutine it will run as. `None` once it ran.
pub(crate) struct Child {
    goroutine: Option<Goroutine>,
    exit: ExitClock,
}

impl Drop for Child {
    /// A fork that never ran (its thread failed to spawn, or a [`forked`] closure was
    /// dropped uncalled) still ends, so that `check` does not wait for it for ever.
    ///
    /// [`forked`]: crate::race::forked
    fn drop(&mut self) {
        if let Some(goroutine) = self.goroutine.take() {
            let domain = goroutine.domain.clone();
            drop(goroutine); // finished
            lock(&self.exit).done = true;
            super::sched::progress(exit_key(&self.exit));
            domain.ended();
        }
    }
}

/// The joiner's half of a fork.
pub(crate) struct Joiner {
    domain: Arc<Domain>,
    exit: ExitClock,
}

/// The fork edge of `go` (Go's `racegostart`): the child starts with the parent's clock,
/// then the parent ticks, so its later steps are unordered with the child's.
#[track_caller]
pub(crate) fn fork() -> (Child, Joiner) {
    let created_at = Site::here();
    let goroutine = with_current(|parent| {
        let domain = parent.domain.clone();
        let tid = domain.register(Some(created_at.clone()));
        let mut clock = parent.clock.clone();
        clock.tick(tid);
        parent.clock.tick(parent.tid);
        Goroutine {
            domain,
            tid,
            clock,
            ignore_sync: 0,
            created_at: Some(created_at),
            created_by: Some(parent.tid),
            fences: Fences::default(),
        }
    })
    .unwrap_or_else(|| Goroutine::root(Domain::global(), None));
    goroutine.domain.started();
    let exit = ExitClock::default();
    let joiner = Joiner {
        domain: goroutine.domain.clone(),
        exit: exit.clone(),
    };
    let goroutine = Some(goroutine);
    (Child { goroutine, exit }, joiner)
}

impl Child {
    /// Runs `f` on the new thread as this goroutine; when it returns or unwinds, publishes
    /// the final clock for [`Joiner::join_edge`] and counts the goroutine finished.
    pub(crate) fn run<T>(mut self, f: impl FnOnce() -> T) -> T {
        struct Exit(ExitClock, Arc<Domain>);
        impl Drop for Exit {
            fn drop(&mut self) {
                let goroutine = CURRENT.try_with(|current| current.take()).ok().flatten();
                {
                    let mut exit = lock(&self.0);
                    exit.clock = goroutine.as_ref().map(|g| g.clock.clone());
                    exit.done = true;
                }
                drop(goroutine); // finished, before `check` may stop waiting

                // The joiner wakes before this goroutine stops counting as live, so the
                // scheduler never sees it asleep on a join that is about to return.
                super::sched::progress(exit_key(&self.0));
                self.1.ended();
            }
        }
        let goroutine = self.goroutine.take().expect("a fork runs at most once");
        let _exit = Exit(Arc::clone(&self.exit), goroutine.domain.clone());
        CURRENT.with(|current| *current.borrow_mut() = Some(goroutine));
        f()
    }
}

impl Joiner {
    /// Blocks in the scheduler until the goroutine's thread is done with user code, so a
    /// joiner is asleep (not running) to `check` while it waits.
    #[track_caller]
    pub(crate) fn wait_exit(&self) {
        super::sched::block_on(
            &[exit_key(&self.exit)],
            "gosync::JoinHandle::join",
            Site::here(),
            None,
            || lock(&self.exit).done.then_some(()),
        );
    }

    /// The join edge: the joiner acquires the child's final clock (Rust's `join`; Go has
    /// no join, and the ported Go tests never call it).
    pub(crate) fn join_edge(self) {
        let Some(child) = lock(&self.exit).clock.take() else {
            return;
        };
        with_current(|joiner| {
            if joiner.ignore_sync == 0 && Arc::ptr_eq(&joiner.domain, &self.domain) {
                joiner.clock.join(&child);
            }
        });
    }
}

// ---- Threads the checker was not told about -------------------------------------------
//
// A thread started by plain `std::thread` that touches a location a running
// [`check`](super::check) knows is reported once on stderr, never silently ignored.
//
// Such a thread becomes a root goroutine of the global domain at its first annotation
// (see `with_current`), where nothing orders it with the check's goroutines, and the
// check's domain never sees its accesses: a real race with it would go unreported.

/// How many `check`s are running: 0 keeps the usual access free of any lookup.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
/// The domains of the running `check`s.
static CHECKS: Mutex<Vec<Weak<Domain>>> = Mutex::new(Vec::new());

thread_local! {
    /// Whether this thread was reported already.
    static WARNED: Cell<bool> = const { Cell::new(false) };
}

/// A running `check`'s domain, known here until dropped.
pub(crate) struct Running(Weak<Domain>);

/// Registers a check's domain while it runs.
pub(crate) fn running(domain: &Arc<Domain>) -> Running {
    let weak = Arc::downgrade(domain);
    lock(&CHECKS).push(weak.clone());
    // ORDERING: Relaxed; a hint that makes the lookup below worth doing. A thread that
    // misses a check starting concurrently has not touched that check's locations yet.
    RUNNING.fetch_add(1, Relaxed);
    Running(weak)
}

impl Drop for Running {
    fn drop(&mut self) {
        lock(&CHECKS).retain(|d| !d.ptr_eq(&self.0));
        // ORDERING: Relaxed; see `running`.
        RUNNING.fetch_sub(1, Relaxed);
    }
}

/// Called at every access: if `g` is a thread outside every check (the global domain)
/// touching a location a running check knows, says so once for this thread.
pub(crate) fn touched(g: &Goroutine, ident: Ident, site: &Site) {
    // ORDERING: Relaxed; see `running`.
    if RUNNING.load(Relaxed) == 0 || !g.domain.is_global() || WARNED.with(Cell::get) {
        return;
    }
    let checked = lock(&CHECKS)
        .iter()
        .filter_map(Weak::upgrade)
        .any(|check| check.knows_location(ident));
    if checked {
        WARNED.with(|warned| warned.set(true));
        let thread = std::thread::current();
        #[cfg(test)]
        lock(&tests::WARNED_THREADS).push(thread.id());
        let name = thread.name().unwrap_or("<unnamed>");
        let _ = writeln!(
            std::io::stderr().lock(),
            "gosync race: thread '{name}' ({:?}), not started by gosync::thread or gosync::go, \
             touched a location of a running race::check at {}: the checker cannot order \
             it with the check's goroutines, so races with it go unreported. Start it with \
             gosync::thread::spawn or gosync::thread::scope.",
            thread.id(),
            site.location
        );
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::thread::ThreadId;

    use crate::race::{check, RaceCell};

    /// The threads warned about, in order.
    pub(super) static WARNED_THREADS: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());

    fn warnings_of(thread: ThreadId) -> usize {
        super::lock(&WARNED_THREADS)
            .iter()
            .filter(|&&t| t == thread)
            .count()
    }

    #[test]
    fn a_std_thread_touching_a_checked_location_is_reported_once() {
        let ((), _) = check(|| {
            let x = RaceCell::new(0);
            x.set(1); // the check knows the location now
            let thread = std::thread::scope(|s| {
                s.spawn(|| {
                    let _ = x.get();
                    x.set(2);
                    std::thread::current().id()
                })
                .join()
                .unwrap()
            });
            assert_eq!(warnings_of(thread), 1);
        });
    }

    #[test]
    fn a_std_thread_touching_only_its_own_locations_is_not_reported() {
        let ((), _) = check(|| {
            let thread = std::thread::spawn(|| {
                let mine = RaceCell::new(0);
                mine.set(1);
                std::thread::current().id()
            })
            .join()
            .unwrap();
            assert_eq!(warnings_of(thread), 0);
        });
    }
}
