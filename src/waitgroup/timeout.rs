//! gosync's timed waits: [`WaitGroup::wait_deadline`] and [`WaitGroup::wait_timeout`], and
//! the withdrawal decision they share with [`Wait`](crate::Wait)'s cancellation.

use std::task::Poll;
use std::time::{Duration, Instant};

use super::{counter, waiters, Entry, WaitGroup};
use crate::primitive::sync::atomic::{AtomicU64, Ordering::SeqCst};
use crate::primitive::thread;
use crate::sema::cancel::semacquire_until;
use crate::sema::Sema;

impl WaitGroup {
    /// Like [`wait`](Self::wait), but gives up at `deadline`: `true` when the counter
    /// reached zero, `false` when the deadline passed first.
    ///
    /// On `false` the waiter has **withdrawn cleanly**: it is no longer counted as a waiter
    /// (the state word is as if it had never called), it holds no semaphore token, and no
    /// later `wait` can be woken by a token meant for it. The group can be used, waited on
    /// and reused at once. On `true` everything [`wait`](Self::wait) promises holds: every
    /// `done` that brought the counter to zero happens before the return.
    ///
    /// A deadline that passes while the releasing `done` runs resolves one way: if the
    /// release counted this waiter first, the result is `true` (even if the deadline has
    /// passed by then, and without waiting for the release to finish); otherwise `false`,
    /// and the release never knew of it. The time-out is checked when the thread wakes,
    /// so it may return some time after `deadline`, as any timed park does.
    ///
    /// A deadline already passed still finds a zero counter (`true`) or withdraws at once.
    ///
    /// # Panics
    ///
    /// As [`wait`](Self::wait): with Go's "reused" text when the group counts again before
    /// this wait returned.
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// use std::time::Instant;
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(1);
    /// let before = wg.snapshot();
    /// assert!(!wg.wait_deadline(Instant::now())); // nobody calls done: times out
    /// assert_eq!(wg.snapshot(), before); // withdrawn: no waiter, no token left behind
    /// wg.done();
    /// assert!(wg.wait_deadline(Instant::now())); // counter is zero
    /// ```
    #[must_use = "`false` means the deadline passed before the counter reached zero"]
    #[track_caller]
    pub fn wait_deadline(&self, deadline: Instant) -> bool {
        let (statep, _) = self.state();
        let woken = self.wait_go(Entry::Start(|semap: &Sema| {
            Poll::Ready(semacquire_until(semap, deadline, || {
                withdraw_waiter(statep)
            }))
        }));
        match woken {
            Ok(Poll::Ready(reached_zero)) => reached_zero,
            Ok(Poll::Pending) => false,
            Err(misuse) => misuse.panic(),
        }
    }

    /// Like [`wait`](Self::wait), but gives up after `timeout`: `true` when the counter
    /// reached zero, `false` on time-out. [`wait_deadline`](Self::wait_deadline) with
    /// `Instant::now() + timeout` (a timeout too large for an `Instant` waits forever), and
    /// the same clean withdrawal on `false`.
    ///
    /// # Panics
    ///
    /// As [`wait`](Self::wait).
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// use std::time::Duration;
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(1);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| wg.done());
    ///     assert!(wg.wait_timeout(Duration::from_secs(60)));
    /// });
    /// ```
    #[must_use = "`false` means the time-out passed before the counter reached zero"]
    #[track_caller]
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_deadline(deadline),
            None => {
                self.wait();
                true
            }
        }
    }
}

/// Whether a registered waiter that stops waiting (time-out, dropped future) may withdraw;
/// if so, un-counts it. Runs under the semaphore's root lock (see
/// [`crate::sema::cancel`]), so no release can dequeue the waiter meanwhile.
///
/// The decision is one compare-and-swap on the state word, ordered against the releasing
/// `add`'s `fetch_add` on the same word: if the release came first, its counter is zero
/// and it counted this waiter (a token is coming: `false`); if the CAS came first, the
/// release sees one waiter fewer and never releases a token for it (`true`).
pub(super) fn withdraw_waiter(statep: &AtomicU64) -> bool {
    // ORDERING: SeqCst. Reading the releasing `add`'s zero counter (its `fetch_add` or its
    // `store(0)`) acquires every `done`, as `wait`'s fast path does: a waiter that leaves
    // on credit returns `true` on this edge.
    let mut state = statep.load(SeqCst);
    loop {
        if counter(state) == 0 || waiters(state) == 0 {
            // counter 0, waiters w: the releasing `add` counted us, its tokens are coming.
            // waiters 0: the release already reset the word, and a counter means a new
            // `add` came before this wait returned (misuse, reported as "reused").
            return false;
        }
        // counter > 0, this waiter among the w: un-count it.
        // ORDERING: SeqCst, see above; the failure load acquires as the first load does.
        match statep.compare_exchange(state, state - 1, SeqCst, SeqCst) {
            Ok(_) => return true,
            Err(current) => state = current,
        }
    }
}

/// Waits until the releasing `add` that counted a waiter has reset the state word, and
/// returns the word. For a waiter that left on credit ([`Acquire::Owed`]), which may leave
/// between the release's `fetch_add` (counter 0, waiters w) and its `store(0)`.
///
/// Go's woken waiter always returns after that reset, because its token is released after
/// it; a new generation's `add`, legal once every wait has returned, relies on it (while
/// the word still counts waiters, a positive `add` from zero panics "Add called
/// concurrently with Wait"). The wait is bounded: nothing but a load separates the two
/// writes in the releaser, which runs no user code in between.
///
/// [`Acquire::Owed`]: crate::sema::cancel::Acquire::Owed
pub(super) fn wait_for_reset(statep: &AtomicU64) -> u64 {
    loop {
        // ORDERING: SeqCst, as the load in `withdraw_waiter`; reading the `store(0)`
        // orders this return after the reset, as a woken waiter is.
        let state = statep.load(SeqCst);
        if counter(state) != 0 || waiters(state) == 0 {
            return state;
        }
        thread::yield_now();
    }
}
