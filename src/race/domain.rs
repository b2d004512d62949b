//! Detection domains: the global one, and one per [`check`](super::check).
//!
//! A domain owns everything a run of the checker knows: the goroutines it numbered, the
//! clocks released to its sync objects, the shadow of its memory locations, and the races
//! found. Two `check`s on cargo's parallel test threads have two domains, so they never
//! see each other's accesses.
//!
//! The maps are sharded by identity, each shard behind its own lock. That is sound: the
//! FastTrack rules touch one location (or one sync object) and the acting goroutine's own
//! clock, which only its thread changes, so per-location linearisability is all they need.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::io::Write as _;
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use super::edge::HappensBefore;
use super::object::Ident;
use super::report::{Access, AccessKind, DataRace, Site};
use super::shadow::{Conflict, Shadow};
use super::sync::{Tid, VectorClock};

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
