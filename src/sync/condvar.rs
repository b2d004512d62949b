//! [`Condvar`]: std's condition variable, ported on Go's `runtime.notifyList` (tickets),
//! blocking through the race scheduler. Its happens-before edges are its mutex's, as in Go,
//! whose `cond.go` has no race annotation of its own.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{LockResult, PoisonError};
use std::time::{Duration, Instant};

use super::block;
use super::mutex::MutexGuard;
use crate::race::{ObjectId, Site};

/// std's [`Condvar`](std::sync::Condvar) for gosync's [`Mutex`](super::Mutex): a wait
/// unlocks the mutex (Go's `Unlock`: a `Release`) and relocks it before returning (an
/// `Acquire`), so whatever the notifier did under the lock happens before the wait returns.
///
/// ```
/// use gosync::sync::{Arc, Condvar, Mutex};
///
/// let pair = Arc::new((Mutex::new(false), Condvar::new()));
/// let pair2 = pair.clone();
/// gosync::thread::spawn(move || {
///     let (ready, cvar) = &*pair2;
///     *ready.lock().unwrap() = true;
///     cvar.notify_one();
/// });
/// let (ready, cvar) = &*pair;
/// let ready = cvar.wait_while(ready.lock().unwrap(), |ready| !*ready).unwrap();
/// assert!(*ready);
/// ```
pub struct Condvar {
    list: std::sync::Mutex<NotifyList>,
    /// What waiters block on.
    race: ObjectId,
}

/// Go's `runtime.notifyList`: waiter `t` may return once `t < notify`.
#[derive(Default)]
struct NotifyList {
    /// The ticket of the next waiter (Go's `wait`).
    wait: u64,
    /// Tickets below this one are notified (Go's `notify`).
    notify: u64,
    /// Tickets whose waiter timed out before being notified: `notify_one` skips them, so
    /// no notification is lost to a waiter that is gone.
    gone: BTreeSet<u64>,
}

/// std's [`WaitTimeoutResult`](std::sync::WaitTimeoutResult): whether a timed wait
/// returned because its time ran out.
///
/// ```
/// use gosync::sync::{Condvar, Mutex};
/// use std::time::Duration;
///
/// let (m, cv) = (Mutex::new(()), Condvar::new());
/// let (_guard, result) = cv.wait_timeout(m.lock().unwrap(), Duration::ZERO).unwrap();
/// assert!(result.timed_out());
/// ```
#[derive(Debug, PartialEq, Eq, Copy, Clone)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// Whether the wait's time ran out before a notification came.
    ///
    /// ```
    /// use gosync::sync::{Condvar, Mutex};
    /// use std::time::Duration;
    ///
    /// let (m, cv) = (Mutex::new(()), Condvar::new());
    /// let (_, r) = cv.wait_timeout(m.lock().unwrap(), Duration::from_millis(1)).unwrap();
    /// assert!(r.timed_out()); // nobody notifies
    /// ```
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

impl Condvar {
    /// std's [`Condvar::new`](std::sync::Condvar::new).
    ///
    /// ```
    /// static CV: gosync::sync::Condvar = gosync::sync::Condvar::new();
    /// CV.notify_all();
    /// ```
    pub const fn new() -> Condvar {
        Condvar {
            list: std::sync::Mutex::new(NotifyList {
                wait: 0,
                notify: 0,
                gone: BTreeSet::new(),
            }),
            race: ObjectId::new(),
        }
    }

    fn list(&self) -> std::sync::MutexGuard<'_, NotifyList> {
        self.list.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Go's `Cond.Wait`, with a deadline: take a ticket (`notifyListAdd`), unlock, sleep
    /// until notified or `deadline` (`notifyListWait`), relock. `true` if notified.
    #[track_caller]
    fn wait_until<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        deadline: Option<Instant>,
    ) -> (LockResult<MutexGuard<'a, T>>, bool) {
        let mutex = guard.lock;
        let ticket = {
            let mut list = self.list();
            list.wait += 1;
            list.wait - 1
        };
        drop(guard); // Go's c.L.Unlock(): the guard's Release, then the unlock
        let woken = block::block_on(
            &[&self.race],
            "sync.Cond.Wait",
            Site::here(),
            deadline,
            || (ticket < self.list().notify).then_some(()),
        );
        let notified = woken.is_some() || {
            // Timed out: unless a notification took this ticket meanwhile, withdraw it.
            let mut list = self.list();
            let notified = ticket < list.notify;
            if !notified {
                list.gone.insert(ticket);
            }
            notified
        };
        (mutex.lock(), notified) // Go's c.L.Lock()
    }

    /// std's [`Condvar::wait`](std::sync::Condvar::wait): unlocks, sleeps until
    /// notified, relocks. May wake spuriously only as std's may (this one does not).
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the relocked guard if the mutex is poisoned.
    ///
    /// ```
    /// use gosync::sync::{Arc, Condvar, Mutex};
    ///
    /// let state = Arc::new((Mutex::new(0), Condvar::new()));
    /// let s = state.clone();
    /// gosync::thread::spawn(move || {
    ///     *s.0.lock().unwrap() = 1;
    ///     s.1.notify_all();
    /// });
    /// let mut n = state.0.lock().unwrap();
    /// while *n == 0 {
    ///     n = state.1.wait(n).unwrap();
    /// }
    /// assert_eq!(*n, 1);
    /// ```
    #[track_caller]
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        self.wait_until(guard, None).0
    }

    /// std's [`Condvar::wait_while`](std::sync::Condvar::wait_while): waits while
    /// `condition` holds.
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the guard if the mutex is poisoned.
    ///
    /// ```
    /// use gosync::sync::{Condvar, Mutex};
    ///
    /// let (m, cv) = (Mutex::new(3), Condvar::new());
    /// let n = cv.wait_while(m.lock().unwrap(), |n| *n == 0).unwrap(); // already true
    /// assert_eq!(*n, 3);
    /// ```
    #[track_caller]
    pub fn wait_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            guard = self.wait(guard)?;
        }
        Ok(guard)
    }

    /// std's [`Condvar::wait_timeout`](std::sync::Condvar::wait_timeout).
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the guard and the result if the mutex is poisoned.
    ///
    /// ```
    /// use gosync::sync::{Condvar, Mutex};
    /// use std::time::Duration;
    ///
    /// let (m, cv) = (Mutex::new(()), Condvar::new());
    /// let (_, r) = cv.wait_timeout(m.lock().unwrap(), Duration::from_millis(1)).unwrap();
    /// assert!(r.timed_out());
    /// ```
    #[track_caller]
    pub fn wait_timeout<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let deadline = Instant::now().checked_add(dur);
        let (locked, notified) = self.wait_until(guard, deadline);
        let result = WaitTimeoutResult(!notified);
        match locked {
            Ok(guard) => Ok((guard, result)),
            Err(poisoned) => Err(PoisonError::new((poisoned.into_inner(), result))),
        }
    }

    /// std's [`Condvar::wait_timeout_while`](std::sync::Condvar::wait_timeout_while).
    ///
    /// # Errors
    ///
    /// A [`PoisonError`] holding the guard and the result if the mutex is poisoned.
    ///
    /// ```
    /// use gosync::sync::{Condvar, Mutex};
    /// use std::time::Duration;
    ///
    /// let (m, cv) = (Mutex::new(false), Condvar::new());
    /// let (ready, r) = cv
    ///     .wait_timeout_while(m.lock().unwrap(), Duration::from_millis(1), |r| !*r)
    ///     .unwrap();
    /// assert!(r.timed_out() && !*ready);
    /// ```
    #[track_caller]
    pub fn wait_timeout_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        dur: Duration,
        mut condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let deadline = Instant::now().checked_add(dur);
        loop {
            if !condition(&mut *guard) {
                return Ok((guard, WaitTimeoutResult(false)));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok((guard, WaitTimeoutResult(true)));
            }
            let (locked, _) = self.wait_until(guard, deadline);
            guard = match locked {
                Ok(guard) => guard,
                Err(poisoned) => {
                    let mut guard = poisoned.into_inner();
                    let timed_out = condition(&mut *guard);
                    return Err(PoisonError::new((guard, WaitTimeoutResult(timed_out))));
                }
            };
        }
    }

    /// std's [`Condvar::notify_one`](std::sync::Condvar::notify_one), Go's `Signal`
    /// (`notifyListNotifyOne`): wakes the longest waiter, if any.
    ///
    /// ```
    /// gosync::sync::Condvar::new().notify_one(); // nobody waits: nothing happens
    /// ```
    pub fn notify_one(&self) {
        let mut list = self.list();
        while list.notify < list.wait {
            let ticket = list.notify;
            list.notify += 1;
            if !list.gone.remove(&ticket) {
                break;
            }
        }
        drop(list);
        block::progress(&self.race);
    }

    /// std's [`Condvar::notify_all`](std::sync::Condvar::notify_all), Go's `Broadcast`
    /// (`notifyListNotifyAll`): wakes every waiter.
    ///
    /// ```
    /// gosync::sync::Condvar::new().notify_all();
    /// ```
    pub fn notify_all(&self) {
        let mut list = self.list();
        list.notify = list.wait;
        list.gone.clear();
        drop(list);
        block::progress(&self.race);
    }
}

impl Default for Condvar {
    /// std's `Default`: [`Condvar::new`].
    fn default() -> Self {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}
