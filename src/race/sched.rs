//! The race build's scheduler: where every gosync primitive blocks, so that a [`check`]
//! can tell when all of its goroutines are asleep (Go's `checkdead`) instead of hanging.
//!
//! A primitive blocks as a try-loop: [`block_on`] runs its `attempt` under the scheduler's
//! lock until it succeeds; between attempts the goroutine is registered as blocked on the
//! primitive's [`WaitKey`]s, with Go's wait reason and the user's site. The primitive calls
//! [`progress`] after every state change that may let a waiter proceed. One global lock
//! makes "the attempt failed" and "registered as blocked" one step, so a `progress` can
//! never fall between them (no lost wake-up), and it makes the per-check count of blocked
//! goroutines exact, so a deadlock verdict is never premature.
//!
//! Why not parking_lot_core's `park`/`unpark_all` (keyed by address, the same shape)? A
//! deadlock verdict needs, under one lock, the number of each check's goroutines that are
//! blocked for ever, and a wait on several keys at once (`select`); parking_lot parks a
//! thread on one key, with per-bucket locks. The race build is a test build, so one lock
//! is the simple, exact choice; outside it gosync never comes here.
//!
//! Accounting, per [`check`] (the global domain has none: its threads just wait):
//! - `alive`: the check's `f` until it returns, plus every goroutine forked in it (by `go`,
//!   `race::forked`, ...) from the fork until its thread ends;
//! - `blocked`: the goroutines registered in [`block_on`] without a deadline and not yet
//!   woken by a [`progress`] (a timed waiter is never blocked for ever).
//!
//! When `blocked == alive` the check is dead: with `f` still running it is Go's `fatal
//! error: all goroutines are asleep - deadlock!`; once `f` returned, the rest are leaked
//! goroutines (Go's test would just end). Either way every blocked goroutine of the check
//! is released: it unwinds out of [`block_on`] (without running the panic hook), so no
//! thread is left hanging.
//!
//! [`check`]: super::check

use std::collections::HashMap;
use std::panic::resume_unwind;
use std::sync::atomic::{fence, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use super::domain::{lock, with_current};
use super::report::{BlockedGoroutine, Site};
use super::sync::Tid;

/// What a goroutine can block on: the address of the primitive. A collision only causes a
/// spurious retry.
pub(crate) type WaitKey = usize;

thread_local! {
    /// The user's call a deeper block reports (see [`BlockingAt`]).
    static BLOCKING_AT: std::cell::RefCell<Option<Site>> = const { std::cell::RefCell::new(None) };
}

/// Names the site a block deeper down reports, for blocks whose `#[track_caller]` chain
/// is broken by a closure (a `WaitGroup`'s wait sleeps in the semaphore, in a closure).
pub(crate) struct BlockingAt(Option<Site>);

impl BlockingAt {
    pub(crate) fn enter(site: Site) -> BlockingAt {
        BlockingAt(BLOCKING_AT.with(|at| at.replace(Some(site))))
    }
}

impl Drop for BlockingAt {
    fn drop(&mut self) {
        let outer = self.0.take();
        let _ = BLOCKING_AT.try_with(|at| at.replace(outer));
    }
}

/// The site entered by the innermost [`BlockingAt`], else the caller's.
#[track_caller]
pub(crate) fn blocking_site() -> Site {
    BLOCKING_AT
        .try_with(|at| at.borrow().clone())
        .ok()
        .flatten()
        .unwrap_or_else(Site::here)
}

/// Threads inside [`block_on`] right now: [`progress`] skips the lock when there are none.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// The scheduler's state, behind its one lock.
static SCHED: Mutex<Sched> = Mutex::new(Sched {
    waiters: None,
    by_key: None,
    checks: None,
    next_waiter: 0,
});

/// The payload a released goroutine unwinds with; `check` recognises it.
pub(crate) struct Released;

/// How a check ended, as far as the scheduler is concerned.
#[derive(Clone)]
pub(crate) enum Verdict {
    /// Every goroutine finished.
    Finished,
    /// Every goroutine, `f` included, was blocked: Go's deadlock.
    Deadlock(Vec<BlockedGoroutine>),
    /// `f` returned; these goroutines were blocked for ever.
    Leaked(Vec<BlockedGoroutine>),
}

struct Sched {
    /// Every thread inside `block_on`, by waiter id.
    waiters: Option<HashMap<u64, Waiter>>,
    /// The waiters registered on each key (`None` until first use: `HashMap::new` is not
    /// `const`).
    by_key: Option<HashMap<WaitKey, Vec<u64>>>,
    /// The accounting of each running `check`, by domain address.
    checks: Option<HashMap<usize, CheckState>>,
    next_waiter: u64,
}

struct Waiter {
    wake: Arc<Condvar>,
    keys: Vec<WaitKey>,
    /// Registered on `keys` and not woken since.
    registered: bool,
    /// Counted in its check's `blocked` while registered.
    counted: bool,
    goroutine: Option<Me>,
    reason: &'static str,
    site: Site,
}

/// The goroutine running on this thread, as the scheduler reports it.
#[derive(Clone)]
struct Me {
    domain: usize,
    tid: Tid,
    created_at: Option<Site>,
    created_by: Option<Tid>,
}

struct CheckState {
    alive: usize,
    blocked: usize,
    f_returned: bool,
    /// Set once: every later block in the check unwinds at once.
    verdict: Option<Verdict>,
    /// The check's own thread waits here for the verdict once `f` returned.
    done: Arc<Condvar>,
    /// `check` has returned the verdict; the last goroutine out removes the entry.
    reported: bool,
}

impl Sched {
    fn by_key(&mut self) -> &mut HashMap<WaitKey, Vec<u64>> {
        self.by_key.get_or_insert_with(HashMap::new)
    }

    fn checks(&mut self) -> &mut HashMap<usize, CheckState> {
        self.checks.get_or_insert_with(HashMap::new)
    }

    fn waiters(&mut self) -> &mut HashMap<u64, Waiter> {
        self.waiters.get_or_insert_with(HashMap::new)
    }

    fn waiter(&mut self, id: u64) -> &mut Waiter {
        self.waiters()
            .get_mut(&id)
            .expect("a waiter stays in the table until it leaves block_on")
    }

    /// Takes waiter `id` off its keys (and out of its check's `blocked`).
    fn unregister(&mut self, id: u64) {
        let waiter = self.waiter(id);
        if !waiter.registered {
            return;
        }
        waiter.registered = false;
        let keys = std::mem::take(&mut waiter.keys);
        let counted = std::mem::replace(&mut waiter.counted, false);
        let domain = waiter.goroutine.as_ref().map(|me| me.domain);
        for key in &keys {
            if let Some(ids) = self.by_key().get_mut(key) {
                ids.retain(|&other| other != id);
                if ids.is_empty() {
                    self.by_key().remove(key);
                }
            }
        }
        self.waiter(id).keys = keys;
        if let (true, Some(domain)) = (counted, domain) {
            if let Some(check) = self.checks().get_mut(&domain) {
                check.blocked -= 1;
            }
        }
    }

    /// Registers waiter `id` on its keys; counts it blocked if it waits for ever.
    fn register(&mut self, id: u64, timed: bool) {
        let waiter = self.waiter(id);
        debug_assert!(!waiter.registered);
        waiter.registered = true;
        let keys = std::mem::take(&mut waiter.keys);
        let domain = waiter.goroutine.as_ref().map(|me| me.domain);
        for &key in &keys {
            self.by_key().entry(key).or_default().push(id);
        }
        self.waiter(id).keys = keys;
        if let (false, Some(domain)) = (timed, domain) {
            if let Some(check) = self.checks().get_mut(&domain) {
                check.blocked += 1;
                self.waiter(id).counted = true;
                self.judge(domain);
            }
        }
    }

    /// Go's `checkdead` for one check: when every live goroutine is blocked for ever,
    /// records the verdict and wakes them all (they unwind) and the check's thread.
    fn judge(&mut self, domain: usize) {
        let Some(check) = self.checks().get(&domain) else {
            return;
        };
        if check.verdict.is_some() || check.alive == 0 || check.blocked != check.alive {
            return;
        }
        let f_returned = check.f_returned;
        let mut dump: Vec<BlockedGoroutine> = self
            .waiters()
            .values()
            .filter_map(|w| {
                let me = w.goroutine.as_ref()?;
                (w.counted && me.domain == domain).then(|| BlockedGoroutine {
                    goroutine: me.tid,
                    wait_reason: w.reason,
                    blocked_at: w.site.clone(),
                    created_at: me.created_at.clone(),
                    created_by: me.created_by,
                })
            })
            .collect();
        dump.sort_by_key(|g| g.goroutine);
        let check = self.checks().get_mut(&domain).expect("judged above");
        check.verdict = Some(if f_returned {
            Verdict::Leaked(dump)
        } else {
            Verdict::Deadlock(dump)
        });
        check.done.notify_all();
        for waiter in self.waiters.iter().flat_map(HashMap::values) {
            if waiter
                .goroutine
                .as_ref()
                .is_some_and(|me| me.domain == domain)
            {
                waiter.wake.notify_all();
            }
        }
    }

    /// Whether the check of `me` has a verdict: then its goroutines must not block.
    fn released(&mut self, me: Option<&Me>) -> bool {
        me.and_then(|me| self.checks().get(&me.domain))
            .is_some_and(|check| check.verdict.is_some())
    }
}

/// Runs `attempt` under the scheduler's lock until it returns `Some`. Between attempts the
/// calling goroutine is registered as blocked on every key of `keys`, with Go's wait reason
/// `reason` (as Go's goroutine dump prints it: "sync.Mutex.Lock", "chan receive", "chan
/// send", "select", "semacquire", "sync.Cond.Wait", "sync.RWMutex.RLock", ...) at `site`.
/// With a `deadline` the wait is timed (a timed waiter is never blocked for ever) and
/// `None` is returned when it passes. `attempt` must not block, run user code, or call
/// sched.
///
/// A goroutine of a `check` that the scheduler has judged dead (deadlock or leak) does not
/// return: it unwinds with a private payload, without running the panic hook.
pub(crate) fn block_on<T>(
    keys: &[WaitKey],
    reason: &'static str,
    site: Site,
    deadline: Option<Instant>,
    mut attempt: impl FnMut() -> Option<T>,
) -> Option<T> {
    let me = with_current(|g| Me {
        domain: g.domain_addr(),
        tid: g.tid,
        created_at: g.created_at.clone(),
        created_by: g.created_by,
    });
    // ORDERING: SeqCst, then a SeqCst fence before the first attempt reads the primitive's
    // state. Pairs with the fence and load in `progress`: either its load sees this
    // increment (and takes the lock, where it finds us registered or waits for our
    // attempt), or our attempt sees the state change that preceded its fence.
    WAITING.fetch_add(1, SeqCst);
    fence(SeqCst);
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            // ORDERING: SeqCst; a stale count only costs `progress` a lock.
            WAITING.fetch_sub(1, SeqCst);
        }
    }
    let _leave = Leave;

    let mut sched = lock(&SCHED);
    let id = sched.next_waiter;
    sched.next_waiter += 1;
    let wake = Arc::new(Condvar::new());
    sched.waiters().insert(
        id,
        Waiter {
            wake: wake.clone(),
            keys: keys.to_vec(),
            registered: false,
            counted: false,
            goroutine: me.clone(),
            reason,
            site,
        },
    );
    let outcome = loop {
        if sched.released(me.as_ref()) {
            break Err(Released);
        }
        if let Some(value) = attempt() {
            break Ok(Some(value));
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            break Ok(None);
        }
        if !sched.waiter(id).registered {
            sched.register(id, deadline.is_some());
            if sched.released(me.as_ref()) {
                break Err(Released);
            }
        }
        sched = wait(sched, &wake, deadline);
    };
    sched.unregister(id);
    sched.waiters().remove(&id);
    drop(sched);
    match outcome {
        Ok(value) => value,
        Err(Released) if std::thread::panicking() => {
            // Blocked again while unwinding (a `Drop` that waits): unwinding twice would
            // abort, so this thread stays asleep, as Go's leaked goroutines do.
            loop {
                std::thread::park();
            }
        }
        Err(released) => resume_unwind(Box::new(released)),
    }
}

fn wait<'a>(
    sched: MutexGuard<'a, Sched>,
    wake: &Condvar,
    deadline: Option<Instant>,
) -> MutexGuard<'a, Sched> {
    let poisoned = std::sync::PoisonError::into_inner;
    match deadline {
        None => wake.wait(sched).unwrap_or_else(poisoned),
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            wake.wait_timeout(sched, left)
                .map_or_else(|e| e.into_inner().0, |(guard, _)| guard)
        }
    }
}

/// After a state change that may let a goroutine blocked on `key` proceed: wakes those
/// goroutines to retry.
pub(crate) fn progress(key: WaitKey) {
    // ORDERING: the SeqCst fence orders the caller's state change before the load of
    // `WAITING`; it pairs with the increment and fence in `block_on` (see there).
    fence(SeqCst);
    if WAITING.load(SeqCst) == 0 {
        return;
    }
    let mut sched = lock(&SCHED);
    let Some(ids) = sched.by_key().get(&key).cloned() else {
        return;
    };
    for id in ids {
        sched.unregister(id);
        sched.waiter(id).wake.notify_all();
    }
}

/// A `check` starts: its `f` is its one live goroutine.
pub(crate) fn check_started(domain: usize) {
    lock(&SCHED).checks().insert(
        domain,
        CheckState {
            alive: 1,
            blocked: 0,
            f_returned: false,
            verdict: None,
            done: Arc::new(Condvar::new()),
            reported: false,
        },
    );
}

/// A goroutine was forked in `domain` (it counts as live until [`goroutine_ended`]).
pub(crate) fn goroutine_started(domain: usize) {
    if let Some(check) = lock(&SCHED).checks().get_mut(&domain) {
        check.alive += 1;
    }
}

/// A forked goroutine of `domain` ended: the rest may now all be asleep.
pub(crate) fn goroutine_ended(domain: usize) {
    let mut sched = lock(&SCHED);
    if let Some(check) = sched.checks().get_mut(&domain) {
        check.alive -= 1;
        if check.alive == 0 {
            check.done.notify_all();
            if check.reported {
                // The last released goroutine of a judged check is gone.
                sched.checks().remove(&domain);
                return;
            }
        }
        sched.judge(domain);
    }
}

/// The check's `f` returned (or unwound): with `wait`, waits until every goroutine of the
/// check ended or the rest are all blocked for ever; returns the verdict (without `wait`,
/// a deadlock found so far, else `Finished`).
pub(crate) fn check_finished(domain: usize, wait: bool) -> Verdict {
    let mut sched = lock(&SCHED);
    let done = {
        let check = sched
            .checks()
            .get_mut(&domain)
            .expect("check_started before check_finished");
        check.f_returned = true;
        check.alive -= 1;
        check.done.clone()
    };
    sched.judge(domain);
    loop {
        let check = sched.checks().get_mut(&domain).expect("still running");
        if let Some(verdict) = &check.verdict {
            // A deadlock verdict is kept: `f` may have caught its goroutine's unwinding.
            // The entry stays until the released goroutines are gone, so that each one,
            // woken, still finds its check judged.
            let verdict = verdict.clone();
            check.reported = true;
            if check.alive == 0 {
                sched.checks().remove(&domain);
            }
            return verdict;
        }
        if check.alive == 0 || !wait {
            if check.alive == 0 {
                sched.checks().remove(&domain);
            } else {
                check.reported = true; // abandoned: the last goroutine out removes it
            }
            return Verdict::Finished;
        }
        sched = done
            .wait(sched)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    fn site() -> Site {
        Site::here()
    }

    /// A thread that is no goroutine of a check just waits; `progress` wakes it.
    #[test]
    fn progress_wakes_a_waiter_outside_any_check() {
        static FLAG: AtomicBool = AtomicBool::new(false);
        let key = &FLAG as *const AtomicBool as usize;
        let waiter = std::thread::spawn(move || {
            // ORDERING: SeqCst; the flag is the state, the scheduler's lock orders it.
            block_on(&[key], "chan receive", site(), None, || {
                FLAG.load(SeqCst).then_some(7)
            })
        });
        // ORDERING: SeqCst, read by the attempt above.
        FLAG.store(true, SeqCst);
        progress(key);
        assert_eq!(waiter.join().unwrap(), Some(7));
    }

    /// A timed wait returns `None` once its deadline passed, and is never counted as
    /// blocked for ever.
    #[test]
    fn a_timed_wait_returns_none_at_its_deadline() {
        let deadline = Instant::now() + Duration::from_millis(10);
        let got: Option<()> = block_on(&[1], "select", site(), Some(deadline), || None);
        assert_eq!(got, None);
        assert!(Instant::now() >= deadline);
    }

    /// A wait on several keys is woken by progress on any of them.
    #[test]
    fn progress_on_any_key_wakes_a_multi_key_waiter() {
        static FLAG: AtomicBool = AtomicBool::new(false);
        let waiter = std::thread::spawn(move || {
            // ORDERING: SeqCst, as above.
            block_on(&[10, 20, 30], "select", site(), None, || {
                FLAG.load(SeqCst).then_some(())
            })
        });
        // ORDERING: SeqCst, as above.
        FLAG.store(true, SeqCst);
        progress(20);
        assert_eq!(waiter.join().unwrap(), Some(()));
        assert!(
            lock(&SCHED).by_key().get(&10).is_none(),
            "unregistered everywhere"
        );
    }
}
