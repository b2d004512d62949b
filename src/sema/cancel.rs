//! gosync's additions to the semaphore: timed waits, task waiters, and withdrawal.
//!
//! Go's runtime never lets a waiter leave the queue before a release wakes it. Here a
//! waiter may: a thread whose deadline passes ([`semacquire_until`]) and a task whose
//! future is dropped ([`Acquisition::cancel`]) both *withdraw*, under the root lock:
//!
//! 1. It takes itself out of the queue (or finds that a release already dequeued it).
//! 2. Dequeued: the release counted it and took its token for it under the same lock. It
//!    keeps the token: [`Acquire::Token`], exactly as if it had woken normally.
//! 3. Still queued: the owner of the semaphore decides, with `withdraw` (for a `WaitGroup`,
//!    a compare-and-swap on the state word): either no release has counted this waiter,
//!    and the owner has un-counted it, so no token will ever come for it:
//!    [`Acquire::Withdrawn`]; or a release has counted it and its token is on the way, not
//!    yet here. Then it takes the token **on credit** (the value goes one below what it
//!    was, possibly below zero) and leaves at once: [`Acquire::Owed`]. The release's
//!    increment pays the debt, and [`cansemacquire`] sees no token while the value is not
//!    positive, so no later waiter can take a token that was released for this one.
//!
//! Taking on credit instead of staying queued until the token comes means that no
//! withdrawal ever blocks: a dropped future cannot wait, and a timed-out thread does not
//! have to. The releaser may then dequeue another waiter for the token that paid the
//! debt: that waiter finds no token and queues again, as in Go's loop after a barging
//! acquirer took its token.
//!
//! A waiter that a release has already dequeued never withdraws: the release counted it
//! and handed it its token under the root lock (releases dequeue no waiter they have no
//! token for). So a withdrawal can never un-count a waiter of a later generation.

use std::time::Instant;

use super::sudog::{Sudog, SudogRef};
use super::{cansemacquire, Acquisition, Key, Sema, Slept};
use crate::primitive::sync::atomic::Ordering::SeqCst;
use crate::primitive::thread;
use crate::primitive::time::Timer;

/// How a cancellable acquisition ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Acquire {
    /// Took a token a release put in the semaphore (Go's only outcome).
    Token,
    /// A release counted this waiter, but its token had not arrived: taken on credit.
    /// The releaser may still be between counting and releasing.
    Owed,
    /// Left before any release counted it; holds no token.
    Withdrawn,
}

/// `semacquire` with a deadline: waits until `*addr > 0` and decrements it, or until
/// `deadline` passes, and then withdraws (see the module docs). `withdraw` runs under the
/// root lock only when no release has dequeued the waiter; it returns whether the owner
/// un-counted the waiter (no release will come for it).
pub(crate) fn semacquire_until(
    addr: &Sema,
    deadline: Instant,
    withdraw: impl FnOnce() -> bool,
) -> Acquire {
    if cansemacquire(addr) {
        return Acquire::Token;
    }
    let parker = thread::Parker::for_current_thread();
    let mut s = Acquisition::thread(&parker);
    let timer = Timer::start(deadline, {
        let unparker = parker.unparker(s.node().key());
        move || unparker.timer_fired()
    });
    let parked = |s: &Sudog| {
        if parker.park_deadline_until(s.key(), &timer, || s.readied()) {
            Slept::Woken
        } else {
            Slept::Expired
        }
    };
    match s.poll(addr, parked, withdraw) {
        std::task::Poll::Ready(acquired) => acquired,
        std::task::Poll::Pending => unreachable!("a thread sleeps, it never returns Pending"),
    }
}

impl super::SemaRoot {
    /// The withdrawal protocol of the module docs, for waiter `s`, queued on `addr`
    /// under `key`.
    pub(super) fn withdraw(
        &self,
        addr: &Sema,
        key: Key,
        s: &SudogRef,
        withdraw: impl FnOnce() -> bool,
    ) -> Acquire {
        let mut queues = self.lock();
        // Under the lock, no release can dequeue `s` any more; one that already did has
        // counted it and taken its token for it (or found it taken).
        // SAFETY: `s` is queued on `addr` of this root, or readied; we hold the lock.
        let acquired = if unsafe { queues.remove(key, s.as_ptr()) } {
            // ORDERING: SeqCst, under the root lock like every other change of `nwait`; a
            // releaser that reads the lower count finds no queued waiter of ours to wake.
            self.nwait.fetch_sub(1, SeqCst);
            if withdraw() {
                Acquire::Withdrawn
            } else {
                take_on_credit(addr);
                Acquire::Owed
            }
        } else {
            // Dequeued: the release counted this waiter and took its token for it.
            debug_assert!(s.get().readied());
            Acquire::Token
        };
        drop(queues);
        acquired
    }
}

/// Takes a token that a release has counted for this waiter but may not have added yet:
/// the value may go below zero, and the release's increment pays it back.
fn take_on_credit(addr: &Sema) {
    // ORDERING: SeqCst. If the token is already there this is an ordinary acquire of it;
    // if not, nothing is acquired here: the caller's happens-before edge with the release
    // comes from the owner's state (for a `WaitGroup`, the counter it read as zero).
    addr.value.fetch_sub(1, SeqCst);
}

#[cfg(all(test, not(any(gosync_loom, gosync_shuttle))))]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::sema::SEMTABLE;

    /// A withdrawn waiter gives back its `nwait` count, so releases keep their easy case (a
    /// leak would not be wrong, only slow: every release would take the root lock).
    ///
    /// `nwait` counts every address of the root, and other tests of this binary may park
    /// on an address of the same root meanwhile; so the test passes if one of a few tries
    /// finds the count back where it was. A leak adds one on every try.
    #[test]
    fn withdrawal_gives_back_nwait() {
        let sema = Sema::new();
        let root = SEMTABLE.root_for(super::super::address(&sema));
        let given_back = (0..100).any(|_| {
            // ORDERING: SeqCst; an observation of the count.
            let before = root.nwait.load(SeqCst);
            assert_eq!(
                semacquire_until(&sema, Instant::now(), || true),
                Acquire::Withdrawn
            );
            // ORDERING: SeqCst; as above.
            root.nwait.load(SeqCst) == before
        });
        assert!(given_back);
        // ORDERING: SeqCst; nobody else uses this semaphore.
        assert_eq!(sema.value(), 0);
    }

    /// A waiter counted by a release whose token has not come takes it on credit: the
    /// value goes below zero, and the release's increment pays the debt.
    #[test]
    fn owed_token_is_a_debt_the_release_pays() {
        let sema = Sema::new();
        assert_eq!(
            semacquire_until(&sema, Instant::now(), || false),
            Acquire::Owed
        );
        // ORDERING: SeqCst; nobody else uses this semaphore.
        assert_eq!(sema.value() as i32, -1);
        assert!(!cansemacquire(&sema), "a debt is no token");
        super::super::semrelease_n(&sema, 1, &mut super::super::Readied::default());
        // ORDERING: SeqCst; as above.
        assert_eq!(sema.value(), 0);
    }
}
