//! The goroutine running on each thread: its domain, number, clock and `disable` depth,
//! and the fork and join edges of [`go`](crate::go).

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use super::atomic::Fences;
use super::domain::{lock, Domain};
use super::object::Ident;
use super::report::Site;
use super::sync::{Tid, VectorClock};

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
