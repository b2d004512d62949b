//! Threads the checker was not told about: a thread started by plain `std::thread` that
//! touches a location a running [`check`](super::check) knows is reported once on stderr,
//! never silently ignored.
//!
//! Such a thread becomes a root goroutine of the global domain at its first annotation
//! (see `goroutine::with_current`), where nothing orders it with the check's goroutines,
//! and the check's domain never sees its accesses: a real race with it would go unreported.

use std::cell::Cell;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, Weak};

use super::domain::{lock, Domain};
use super::goroutine::Goroutine;
use super::object::Ident;
use super::report::Site;

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
