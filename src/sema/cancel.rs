//! gosync's additions to the semaphore: timed waits, task waiters, and withdrawal.
//!
//! Go's runtime never lets a waiter leave the queue before a release wakes it. Here a
//! waiter may: a thread whose deadline passes ([`semacquire_until`]) and a task whose
//! future is dropped ([`TaskAcquire::cancel`]) both *withdraw*, under the root lock:
//!
//! 1. It takes itself out of the queue (or finds that a release already dequeued it).
//! 2. Dequeued and its token is there: the wake was ours. It takes the token:
//!    [`Acquire::Token`], exactly as if it had woken normally.
//! 3. Otherwise the owner of the semaphore decides, with `withdraw` (for a `WaitGroup`,
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
//! Restriction: releases on an address that has cancellable waiters must not hand off
//! (`semrelease(addr, handoff = false)`, as `WaitGroup` always does). A handoff takes the
//! token for the waiter it dequeued after unlocking the root, where a withdrawal cannot
//! see it.

use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use super::{cansemacquire, Sudog, Waiter, QUEUED, READIED_WITH_TICKET, SEMTABLE};
use crate::primitive::sync::atomic::{AtomicU32, AtomicU8, Ordering::SeqCst};
use crate::primitive::sync::Mutex;
use crate::primitive::time::Timer;
use crate::trace::trace;

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

impl Sudog {
    fn for_task(waker: &Waker) -> Arc<Sudog> {
        Arc::new(Sudog {
            waiter: Waiter::Task(Mutex::new(waker.clone())),
            state: AtomicU8::new(QUEUED),
        })
    }

    /// Whether a release has readied this waiter: `Some(ticket)` if so.
    fn readied(&self) -> Option<bool> {
        // ORDERING: SeqCst pairs with the store in `ready`; as in `park`, the token itself
        // comes through the semaphore.
        match self.state.load(SeqCst) {
            QUEUED => None,
            state => Some(state == READIED_WITH_TICKET),
        }
    }

    /// `park` with a deadline: `Some(ticket)` when a release readied this waiter first,
    /// `None` when the timer expired first.
    fn park_until(&self, timer: &Timer) -> Option<bool> {
        loop {
            if let Some(ticket) = self.readied() {
                return Some(ticket);
            }
            if timer.expired() {
                return None;
            }
            self.parker().park_until(timer);
        }
    }

    /// A task's waker for the next `ready`, replacing the one of an earlier poll.
    fn set_waker(&self, new: &Waker) {
        if let Waiter::Task(waker) = &self.waiter {
            let mut waker = waker.lock().unwrap_or_else(PoisonError::into_inner);
            if !waker.will_wake(new) {
                waker.clone_from(new);
            }
        }
    }
}

/// `goready` for a task: wakes the waker of its latest poll.
///
/// The waker stays in place: the task may queue again on the same node (readied, but its
/// token was taken by a barging acquirer), and a stale wake is then only spurious, while a
/// taken waker would leave the re-queued node with none. It is cloned out of the lock so
/// that a waker which polls inline cannot deadlock on it.
pub(super) fn wake(waker: &Mutex<Waker>) {
    let waker = waker.lock().unwrap_or_else(PoisonError::into_inner).clone();
    waker.wake();
}

/// `semacquire` with a deadline: waits until `*addr > 0` and decrements it, or until
/// `deadline` passes, and then withdraws (see the module docs). `withdraw` runs under the
/// root lock only when the waiter was not woken with a token; it returns whether the owner
/// un-counted the waiter (no release will come for it).
pub(crate) fn semacquire_until(
    addr: &AtomicU32,
    deadline: Instant,
    withdraw: impl FnOnce() -> bool,
) -> Acquire {
    if cansemacquire(addr) {
        return Acquire::Token;
    }
    let s = Sudog::for_current_thread();
    let root = SEMTABLE.root_for(addr);
    let timer = Timer::start(deadline, {
        let s = Arc::clone(&s);
        move || s.parker().unpark()
    });
    loop {
        if root.queue_unless_acquired(addr, &s) {
            return Acquire::Token;
        }
        trace!(target: "gosync::sema", addr = ?(addr as *const AtomicU32), "park until deadline");
        match s.park_until(&timer) {
            Some(ticket) => {
                if ticket || cansemacquire(addr) {
                    return Acquire::Token;
                }
                // Readied without a token (a barging acquirer took it): queue again.
            }
            None => {
                let acquired = root.withdraw(addr, &s, withdraw);
                trace!(target: "gosync::sema", addr = ?(addr as *const AtomicU32), ?acquired, "deadline passed");
                return acquired;
            }
        }
    }
}

/// A task's acquisition of the semaphore, polled instead of parked. Dropping it while it
/// is queued does not withdraw: the owner calls [`cancel`](Self::cancel), which needs its
/// `withdraw` decision.
pub(crate) struct TaskAcquire {
    /// The task's node, while it is queued (or readied and not yet polled).
    node: Option<Arc<Sudog>>,
}

impl TaskAcquire {
    /// Not yet polled.
    pub(crate) const fn new() -> TaskAcquire {
        TaskAcquire { node: None }
    }

    /// `semacquire` for a task: `Ready` once it took a token, `Pending` while it is
    /// queued; the release that dequeues it wakes `cx`'s waker.
    pub(crate) fn poll(&mut self, addr: &AtomicU32, cx: &mut Context<'_>) -> Poll<()> {
        let s = match &self.node {
            None => {
                // Easy case.
                if cansemacquire(addr) {
                    return Poll::Ready(());
                }
                self.node.insert(Sudog::for_task(cx.waker()))
            }
            Some(s) => {
                // Store the waker first, then look: a release that readies the node after
                // the look wakes this waker, one that readied it before is seen.
                s.set_waker(cx.waker());
                match s.readied() {
                    None => return Poll::Pending,
                    Some(ticket) if ticket || cansemacquire(addr) => {
                        self.node = None;
                        return Poll::Ready(());
                    }
                    // Readied without a token (a barging acquirer took it): queue again.
                    Some(_) => s,
                }
            }
        };
        if SEMTABLE.root_for(addr).queue_unless_acquired(addr, s) {
            self.node = None;
            return Poll::Ready(());
        }
        Poll::Pending
    }

    /// Withdraws a task that stopped waiting (see the module docs); `None` when it was not
    /// queued (never polled, or it already took its token).
    pub(crate) fn cancel(
        &mut self,
        addr: &AtomicU32,
        withdraw: impl FnOnce() -> bool,
    ) -> Option<Acquire> {
        let s = self.node.take()?;
        Some(SEMTABLE.root_for(addr).withdraw(addr, &s, withdraw))
    }
}

impl super::SemaRoot {
    /// The withdrawal protocol of the module docs, for waiter `s` of `addr`.
    fn withdraw(
        &self,
        addr: &AtomicU32,
        s: &Arc<Sudog>,
        withdraw: impl FnOnce() -> bool,
    ) -> Acquire {
        let mut queues = self.lock();
        // Under the lock, no release can dequeue `s` any more; one that already did has
        // counted it and released its token first.
        let queued = queues.remove(addr, s);
        if !queued && cansemacquire(addr) {
            return Acquire::Token;
        }
        let acquired = if withdraw() {
            Acquire::Withdrawn
        } else {
            take_on_credit(addr);
            Acquire::Owed
        };
        if queued {
            // ORDERING: SeqCst, under the root lock like every other change of `nwait`; a
            // releaser that reads the lower count finds no queued waiter of ours to wake,
            // and none of ours needs its token.
            self.nwait.fetch_sub(1, SeqCst);
        }
        drop(queues);
        acquired
    }
}

impl super::WaitQueues {
    /// Removes `s` from `addr`'s queue; `false` when a release already dequeued it.
    pub(super) fn remove(&mut self, addr: &AtomicU32, s: &Arc<Sudog>) -> bool {
        let std::collections::btree_map::Entry::Occupied(mut list) =
            self.by_addr.entry(super::address(addr))
        else {
            return false;
        };
        let Some(i) = list.get().iter().position(|q| Arc::ptr_eq(q, s)) else {
            return false;
        };
        list.get_mut().remove(i);
        if list.get().is_empty() {
            list.remove();
        }
        true
    }
}

/// Takes a token that a release has counted for this waiter but may not have added yet:
/// the value may go below zero, and the release's increment pays it back.
fn take_on_credit(addr: &AtomicU32) {
    // ORDERING: SeqCst. If the token is already there this is an ordinary acquire of it;
    // if not, nothing is acquired here: the caller's happens-before edge with the release
    // comes from the owner's state (for a `WaitGroup`, the counter it read as zero).
    addr.fetch_sub(1, SeqCst);
}

#[cfg(all(test, not(any(gosync_loom, gosync_shuttle))))]
mod tests {
    use std::time::Instant;

    use super::*;

    /// A withdrawn waiter gives back its `nwait` count, so releases keep their easy case (a
    /// leak would not be wrong, only slow: every release would take the root lock).
    ///
    /// `nwait` counts every address of the root, and other tests of this binary may park
    /// on an address of the same root meanwhile; so the test passes if one of a few tries
    /// finds the count back where it was. A leak adds one on every try.
    #[test]
    fn withdrawal_gives_back_nwait() {
        let sema = AtomicU32::new(0);
        let root = SEMTABLE.root_for(&sema);
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
        assert_eq!(sema.load(SeqCst), 0);
    }

    /// A waiter counted by a release whose token has not come takes it on credit: the
    /// value goes below zero, and the release's increment pays the debt.
    #[test]
    fn owed_token_is_a_debt_the_release_pays() {
        let sema = AtomicU32::new(0);
        assert_eq!(
            semacquire_until(&sema, Instant::now(), || false),
            Acquire::Owed
        );
        // ORDERING: SeqCst; nobody else uses this semaphore.
        assert_eq!(sema.load(SeqCst) as i32, -1);
        assert!(!cansemacquire(&sema), "a debt is no token");
        super::super::semrelease(&sema, false);
        // ORDERING: SeqCst; as above.
        assert_eq!(sema.load(SeqCst), 0);
    }
}
