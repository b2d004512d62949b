// Ported from Go 1.19.8 `src/runtime/sema.go` (the parts `sync.WaitGroup` uses).
// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors, MIT OR Apache-2.0.

//! The runtime semaphore behind `WaitGroup`: a port of Go's `runtime/sema.go`.
//!
//! Go's design note (sema.go:5-18):
//!
//! > Semaphore implementation exposed to Go. Intended use is provide a sleep and wakeup
//! > primitive that can be used in the contended case of other synchronization
//! > primitives. Thus it targets the same goal as Linux's futex, but it has much simpler
//! > semantics.
//! >
//! > That is, don't think of these as semaphores. Think of them as a way to implement
//! > sleep and wakeup such that every sleep is paired with a single wakeup, even if,
//! > due to races, the wakeup happens before the sleep.
//!
//! The semaphore *value* is the caller's `u32` (for a `WaitGroup`, its `state2`). The
//! runtime keeps only the wait queues, in a global table of [`SEM_TAB_SIZE`] cache-padded
//! roots hashed by that address.
//!
//! | Go                                   | here                                       |
//! |--------------------------------------|--------------------------------------------|
//! | `semaRoot{lock, treap, nwait}`       | [`SemaRoot`]: `Mutex<WaitQueues>` + `nwait` |
//! | treap of `sudog` keyed by address, each with a FIFO `waitlink` list | `BTreeMap<address, VecDeque<Arc<Sudog>>>` |
//! | `sudog` (`g`, `ticket`)              | [`Sudog`]: the parked thread and its wake state |
//! | `goparkunlock(&root.lock)`           | unlock, then park until readied            |
//! | `goready(s.g)`                       | mark readied under the lock; unpark or wake after every token is out ([`Readied`]) |
//! | `gopark` / `goready` of the `g`      | [`thread::Parker`]: a park token of the waiter's own |
//!
//! Not ported, because `WaitGroup` never uses them: LIFO queueing and the `handoff` of a
//! token with `goyield` (both `sync.Mutex` only), and block/mutex profiling. One change to
//! Go's release: the dequeued waiter's token is taken for it under the root lock (see
//! [`semrelease_slow`]), which is what Go's `handoff` does without the yield.
//!
//! gosync's additions, which Go's runtime does not have, live in [`cancel`]: a waiter may
//! also be an async task (a [`Waker`] instead of a thread), and a waiter may leave the queue
//! before a release wakes it (a time-out or a dropped future). Thread, deadline and
//! task waiters share one engine, [`Acquisition`]: Go's `semacquire1` loop with the
//! sleep left to the caller. [`cansemacquire`] reads the value as signed (see there).

use std::collections::{BTreeMap, VecDeque};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, PoisonError};
use std::task::{Poll, Waker};

use crate::primitive::sync::atomic::{fence, AtomicU32, AtomicU8, Ordering::SeqCst};
use crate::primitive::sync::{Mutex, MutexGuard};
use crate::primitive::{const_fn_unless_model, global, thread, CachePadded};
use crate::trace::trace;

pub(crate) mod cancel;

#[cfg(all(test, not(any(gosync_loom, gosync_shuttle))))]
mod tests;

#[cfg(all(test, gosync_loom))]
mod model;

/// Number of roots in the table. Go: "Prime to not correlate with any user patterns."
pub(crate) const SEM_TAB_SIZE: usize = 251; // go: sema.go:49

/// One bucket of the semaphore table (Go's `semaRoot`).
pub(crate) struct SemaRoot {
    /// Go's `lock` and `treap`: the waiters of every address that hashes here.
    lock: Mutex<WaitQueues>,
    /// Number of waiters. Read w/o the lock.
    ///
    /// Counts the waiters of *all* addresses hashing to this root, as in Go.
    nwait: AtomicU32,
}

/// The semaphore table (Go's `semTable`), one global instance.
#[cfg(not(any(gosync_loom, gosync_shuttle)))]
struct SemTable([CachePadded<SemaRoot>; SEM_TAB_SIZE]);
/// The semaphore table (Go's `semTable`). The model checkers build it afresh in every
/// execution, on the heap: their coroutines' stacks are too small for it.
#[cfg(any(gosync_loom, gosync_shuttle))]
struct SemTable(Box<[CachePadded<SemaRoot>]>);

global! {
    /// Go's `var semtable semTable`.
    static SEMTABLE: SemTable = SemTable::new();
}

impl SemTable {
    const_fn_unless_model! {
        fn new() -> SemTable {
            #[cfg(not(any(gosync_loom, gosync_shuttle)))]
            let roots = [const { CachePadded(SemaRoot::new()) }; SEM_TAB_SIZE];
            #[cfg(any(gosync_loom, gosync_shuttle))]
            let roots = (0..SEM_TAB_SIZE).map(|_| CachePadded(SemaRoot::new())).collect();
            SemTable(roots)
        }
    }

    /// Go's `rootFor`: `(addr >> 3) % semTabSize`, so two `u32`s in one 8-byte word share
    /// a root, exactly as in Go.
    fn root_for(&self, addr: &AtomicU32) -> &SemaRoot {
        &self.0[(addr as *const AtomicU32 as usize >> 3) % SEM_TAB_SIZE].0 // go: sema.go:57
    }
}

impl SemaRoot {
    const_fn_unless_model! {
        fn new() -> SemaRoot {
            SemaRoot {
                lock: Mutex::new(WaitQueues { by_addr: BTreeMap::new() }),
                nwait: AtomicU32::new(0),
            }
        }
    }

    /// Go's `lockWithRank(&root.lock, lockRankRoot)`. Nothing panics while the lock is
    /// held, so a poisoned lock still guards consistent queues.
    fn lock(&self) -> MutexGuard<'_, WaitQueues> {
        self.lock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Go's `semacquire1` from taking the lock to `goparkunlock` (sema.go:138-150): counts
    /// `s` in `nwait`, re-checks the semaphore, and queues `s` unless a token is there.
    /// Returns whether it took a token; if not, `s` is queued and the lock released, and
    /// the caller sleeps.
    fn queue_unless_acquired(&self, addr: &AtomicU32, s: &Arc<Sudog>) -> bool {
        let mut queues = self.lock(); // go: sema.go:138

        // Add ourselves to nwait to disable "easy case" in semrelease.
        // ORDERING: SeqCst. With the SeqCst `fetch_add` on `addr` and the SeqCst load of
        // `nwait` in `semrelease`, this forms a Dekker pair: either the releaser sees our
        // count and takes the slow path, or our re-check below sees its token.
        self.nwait.fetch_add(1, SeqCst); // go: sema.go:140

        // ORDERING: the fence keeps the increment above and the re-check below in the
        // single total order that Go's atomics promise; see `store_load_fence`.
        store_load_fence();
        // Check cansemacquire to avoid missed wakeup.
        if cansemacquire(addr) {
            // go: sema.go:142
            // ORDERING: SeqCst, under the root lock like every other change of `nwait`.
            self.nwait.fetch_sub(1, SeqCst); // go: sema.go:143
            return true; // go: sema.go:145
        }
        // Any semrelease after the cansemacquire knows we're waiting
        // (we set nwait above), so go to sleep.
        // ORDERING: SeqCst; we are not queued, so no releaser reads this yet.
        s.state.store(QUEUED, SeqCst);
        queues.queue(addr, Arc::clone(s)); // go: sema.go:149
        false // go: sema.go:150 (goparkunlock: the guard unlocks here, the caller parks)
    }
}

/// The waiters of one root, by address, each address's queue in FIFO order.
///
/// Go keeps a treap of distinct addresses, each node heading a list of the other waiters
/// on its address (O(log n) in distinct addresses, O(1) within one). An ordered map of
/// queues has the same shape and costs.
struct WaitQueues {
    by_addr: BTreeMap<usize, VecDeque<Arc<Sudog>>>,
}

impl WaitQueues {
    /// Whether a waiter on `addr` is queued.
    fn has(&self, addr: &AtomicU32) -> bool {
        self.by_addr.contains_key(&address(addr))
    }

    /// Go's `semaRoot.queue(addr, s, lifo=false)`: adds `s` at the tail of `addr`'s queue.
    fn queue(&mut self, addr: &AtomicU32, s: Arc<Sudog>) {
        self.by_addr.entry(address(addr)).or_default().push_back(s);
    }

    /// Go's `semaRoot.dequeue(addr)`: removes and returns the head of `addr`'s queue, or
    /// `None` when no waiter on `addr` is queued (the root's `nwait` may count waiters
    /// on other addresses, or ours may not have queued yet).
    fn dequeue(&mut self, addr: &AtomicU32) -> Option<Arc<Sudog>> {
        let std::collections::btree_map::Entry::Occupied(mut list) =
            self.by_addr.entry(address(addr))
        else {
            return None;
        };
        let s = list.get_mut().pop_front();
        if list.get().is_empty() {
            list.remove();
        }
        s
    }
}

fn address(addr: &AtomicU32) -> usize {
    addr as *const AtomicU32 as usize
}

/// A queued waiter (Go's `sudog`, reduced to the fields a semaphore uses).
///
/// One node per waiting call, shared (an `Arc`) between the waiter and the queue while it
/// is queued or readied. Identity: a release finds a node by its semaphore's address; a
/// node can be left in a queue only by a waiter that is never dropped (a `mem::forget`
/// future), and [`purge`] removes such nodes when their group is dropped, so no later
/// group at the same address ever dequeues them.
pub(crate) struct Sudog {
    /// Whom to wake (Go's `s.g`).
    waiter: Waiter,
    /// [`QUEUED`] or [`READIED_WITH_TICKET`] (Go: `goready` and `s.ticket`).
    state: AtomicU8,
}

/// Whom a release wakes. One queue holds both kinds, in FIFO order.
pub(crate) enum Waiter {
    /// A thread parked in `semacquire` (Go's goroutine).
    Thread(thread::Parker),
    /// gosync's addition: a task polling [`Acquisition`]; the waker of its latest poll,
    /// taken by the release that readies it.
    Task(Mutex<Option<Waker>>),
}

impl Waiter {
    /// The current thread, to park on.
    pub(crate) fn thread() -> Waiter {
        Waiter::Thread(thread::Parker::for_current_thread())
    }

    /// A task, with a waker already cloned by its poll (so that a panicking `clone` runs
    /// before the task is registered anywhere).
    pub(crate) fn task(waker: Waker) -> Waiter {
        Waiter::Task(Mutex::new(Some(waker)))
    }
}

/// Queued (or about to queue), not yet woken by a release.
const QUEUED: u8 = 0;
/// Dequeued by `semrelease`, which took the token for this waiter under the root lock
/// (Go: `s.ticket = 1`). gosync's releases dequeue no waiter without its token, so Go's
/// other outcome (readied, the token left to race for) does not arise.
const READIED_WITH_TICKET: u8 = 1;

impl Sudog {
    fn new(waiter: Waiter) -> Arc<Sudog> {
        Arc::new(Sudog {
            waiter,
            state: AtomicU8::new(QUEUED),
        })
    }

    /// The parked thread of a thread waiter; tasks never park.
    fn parker(&self) -> &thread::Parker {
        match &self.waiter {
            Waiter::Thread(parker) => parker,
            Waiter::Task(_) => unreachable!("a task waiter polls, it never parks"),
        }
    }

    /// Whether a release has dequeued this waiter, and so handed it its token.
    fn readied(&self) -> bool {
        // ORDERING: SeqCst load; pairs with the store in `semrelease_slow`, made under the
        // root lock after the token was taken for us: returning `true` acquires it.
        self.state.load(SeqCst) == READIED_WITH_TICKET
    }

    /// A task's waker for the next release, replacing the one of an earlier poll. The
    /// clone (user code) runs before the node's lock is taken, the old waker is dropped
    /// after it is released.
    pub(crate) fn set_waker(&self, new: &Waker) {
        let Waiter::Task(slot) = &self.waiter else {
            return;
        };
        let same = slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|old| old.will_wake(new));
        if !same {
            let new = new.clone();
            let old = slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .replace(new);
            drop(old);
        }
    }

    /// Go's `goready(s.g)`, after the release: wakes the thread, or the task's waker. Runs
    /// with no lock held and after every token of the release was handed out (see
    /// [`Readied`]). A waker that panics is the executor's bug: its panic is caught here
    /// (the panic hook has reported it) and goes no further, so it cannot fail a clean
    /// `done` or strand the other waiters; the task is readied with its token all the same.
    fn wake(&self) {
        match &self.waiter {
            Waiter::Thread(parker) => parker.unpark(),
            Waiter::Task(slot) => {
                let waker = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
                if let Some(waker) = waker {
                    drop(panic::catch_unwind(AssertUnwindSafe(|| waker.wake())));
                }
            }
        }
    }
}

/// The waiters one release (or a batch of them) readied, to wake once the releaser has
/// handed out every token and holds no lock: Go readies inside `semrelease1`; gosync
/// collects the wake-ups so that no user code (a task's waker) runs while the group or a
/// root is in a transient state. Dropping it wakes them too, so a wake-up is never lost.
///
/// The first [`READIED_INLINE`] waiters are kept inline (on the releaser's stack), so a
/// release that wakes no more than that allocates nothing (Go's `Wait` allocates nothing
/// either); a larger batch spills into a `Vec`. The same shape as tokio's `WakeList`,
/// without its flush-when-full, which would wake some waiters before every token is out.
#[derive(Default)]
pub(crate) struct Readied {
    inline: [Option<Arc<Sudog>>; READIED_INLINE],
    spilled: Vec<Arc<Sudog>>,
}

/// How many readied waiters [`Readied`] keeps without allocating.
const READIED_INLINE: usize = 8;

impl Readied {
    /// Adds a waiter that a release dequeued and readied, after those already here.
    fn push(&mut self, s: Arc<Sudog>) {
        match self.inline.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(s),
            None => self.spilled.push(s),
        }
    }

    /// Wakes every collected waiter, in the order they were dequeued.
    pub(crate) fn wake_all(self) {
        drop(self);
    }
}

impl Drop for Readied {
    fn drop(&mut self) {
        for s in self.inline.iter_mut().map_while(Option::take) {
            s.wake();
        }
        for s in self.spilled.drain(..) {
            s.wake();
        }
    }
}

/// How one turn of [`Acquisition::poll`] slept.
pub(crate) enum Slept {
    /// Woken (a thread's parker was unparked): look at the node again.
    Woken,
    /// The deadline passed first: withdraw.
    Expired,
    /// A task: return `Pending`; its next poll looks at the node again.
    Pending,
}

/// One waiter's acquisition of the semaphore: the one engine behind the thread, deadline
/// and task waits. It is the loop of Go's `semacquire1` (sema.go:121-156), with the sleep
/// left to the caller (park, park with a deadline, or return `Pending` to the executor)
/// and one more way out, withdrawal (see [`cancel`]).
pub(crate) struct Acquisition {
    node: Arc<Sudog>,
    /// Whether `node` is queued (or readied and not yet looked at).
    queued: bool,
}

impl Acquisition {
    /// An acquisition for `waiter`, not queued yet.
    pub(crate) fn new(waiter: Waiter) -> Acquisition {
        Acquisition {
            node: Sudog::new(waiter),
            queued: false,
        }
    }

    /// The node, for a task to update its waker before each poll.
    pub(crate) fn node(&self) -> &Sudog {
        &self.node
    }

    /// Go's `semacquire1` from the easy case on: takes a token, or queues and sleeps with
    /// `sleep` until a release readies this waiter. `withdraw` is the owner's decision
    /// when the deadline passes (see [`cancel`]).
    pub(crate) fn poll(
        &mut self,
        addr: &AtomicU32,
        mut sleep: impl FnMut(&Sudog) -> Slept,
        withdraw: impl FnOnce() -> bool,
    ) -> Poll<cancel::Acquire> {
        let root = SEMTABLE.root_for(addr); // go: sema.go:122
        let mut withdraw = Some(withdraw);
        loop {
            if self.queued {
                if self.node.readied() {
                    // go: sema.go:151 (s.ticket != 0)
                    self.queued = false;
                    return Poll::Ready(cancel::Acquire::Token); // go: sema.go:152
                }
                trace!(target: "gosync::sema", addr = ?(addr as *const AtomicU32), "park");
                match sleep(&self.node) {
                    Slept::Woken => {
                        trace!(target: "gosync::sema", addr = ?(addr as *const AtomicU32), "wake");
                        continue;
                    }
                    Slept::Pending => return Poll::Pending,
                    Slept::Expired => {
                        self.queued = false;
                        let withdraw = withdraw.take().expect("expires once");
                        let acquired = root.withdraw(addr, &self.node, withdraw);
                        trace!(target: "gosync::sema", addr = ?(addr as *const AtomicU32), ?acquired, "deadline passed");
                        return Poll::Ready(acquired);
                    }
                }
            }
            if root.queue_unless_acquired(addr, &self.node) {
                // go: sema.go:138-150
                return Poll::Ready(cancel::Acquire::Token); // go: sema.go:145
            }
            self.queued = true;
        }
    }

    /// Withdraws a waiter that stopped waiting (a dropped future; see [`cancel`]); `None`
    /// when it is not queued (never queued, or it already took its token).
    pub(crate) fn cancel(
        &mut self,
        addr: &AtomicU32,
        withdraw: impl FnOnce() -> bool,
    ) -> Option<cancel::Acquire> {
        if !std::mem::take(&mut self.queued) {
            return None;
        }
        Some(SEMTABLE.root_for(addr).withdraw(addr, &self.node, withdraw))
    }
}

/// Go's `sync_runtime_Semacquire` → `semacquire1(addr, lifo=false, ...)`: waits until
/// `*addr > 0` and then atomically decrements it.
#[inline]
pub(crate) fn semacquire(addr: &AtomicU32) {
    // Easy case.
    if cansemacquire(addr) {
        // go: sema.go:111
        return;
    }
    semacquire_slow(addr);
}

/// The harder case of Go's `semacquire1`:
/// increment waiter count, try cansemacquire one more time, return if succeeded,
/// enqueue itself as a waiter, sleep (waiter descriptor is dequeued by signaler).
#[cold]
#[inline(never)]
fn semacquire_slow(addr: &AtomicU32) {
    let mut s = Acquisition::new(Waiter::thread()); // go: sema.go:121
    #[cfg(feature = "race")]
    let _leave = LeaveOnUnwind(addr, Arc::clone(&s.node));
    let parked = |s: &Sudog| {
        s.parker().park(); // go: sema.go:150 (goparkunlock)
        Slept::Woken
    };
    let acquired = s.poll(addr, parked, || {
        unreachable!("a thread without deadline never withdraws")
    });
    debug_assert_eq!(acquired, Poll::Ready(cancel::Acquire::Token));
}

/// The race build: a waiter of a `check` judged deadlocked unwinds out of its park (see
/// `race::sched`); it leaves the queue first, as a timed-out waiter does, so that no
/// release on a later group at this address readies it instead of a live waiter.
#[cfg(feature = "race")]
struct LeaveOnUnwind<'a>(&'a AtomicU32, Arc<Sudog>);

#[cfg(feature = "race")]
impl Drop for LeaveOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let root = SEMTABLE.root_for(self.0);
            let mut queues = root.lock();
            if queues.remove(self.0, &self.1) {
                // ORDERING: SeqCst, under the root lock like every other change of `nwait`.
                root.nwait.fetch_sub(1, SeqCst);
            }
        }
    }
}

/// Go's `sync_runtime_Semrelease` → `semrelease1(addr, handoff=false, ...)`: atomically
/// increments `*addr` and readies at most one waiter queued on `addr`, into `readied`, for
/// the caller to wake once it has released every token (see [`Readied`]).
///
/// Go's `handoff` is not ported: `WaitGroup` never asks for it (it is `sync.Mutex`'s
/// starvation mode), and gosync gives every dequeued waiter its token under the root lock
/// anyway (see [`semrelease_slow`]); so the releaser has no reason to yield to it.
#[inline]
pub(crate) fn semrelease(addr: &AtomicU32, readied: &mut Readied) {
    let root = SEMTABLE.root_for(addr); // go: sema.go:166

    // ORDERING: SeqCst. Publishes the token (release: the releaser's writes happen before
    // the acquirer's successful `cansemacquire`) and is one half of the Dekker pair with
    // `nwait` described in `queue_unless_acquired`.
    addr.fetch_add(1, SeqCst); // go: sema.go:167

    // ORDERING: keeps the token above and the `nwait` check below in one total order
    // with the waiter's `nwait` increment and re-check; see `store_load_fence`.
    store_load_fence();

    // Easy case: no waiters?
    // This check must happen after the xadd, to avoid a missed wakeup
    // (see loop in semacquire).
    // ORDERING: SeqCst, the other half of the Dekker pair.
    if root.nwait.load(SeqCst) == 0 {
        // go: sema.go:172
        return;
    }
    semrelease_slow(root, addr, readied);
}

/// Harder case of Go's `semrelease1`: search for a waiter and ready it.
///
/// gosync takes the token for the dequeued waiter here, under the root lock, where Go
/// does it only with `handoff` and after unlocking (sema.go:197), and dequeues no waiter
/// it has no token for. Under the lock, a waiter
/// that withdraws (a time-out, a dropped future) sees in one place whether a release has
/// dequeued it and given it its token, and a waiter that never looks again (a forgotten
/// future) keeps its own token instead of leaving it for another waiter of the group.
#[cold]
#[inline(never)]
fn semrelease_slow(root: &SemaRoot, addr: &AtomicU32, readied: &mut Readied) {
    let mut queues = root.lock(); // go: sema.go:177

    // ORDERING: SeqCst; under the lock every change of `nwait` is visible anyway.
    if root.nwait.load(SeqCst) == 0 {
        // go: sema.go:178
        // The count is already consumed by another goroutine,
        // so no need to wake up another goroutine.
        return;
    }
    // gosync: a waiter is dequeued only with its token (Go dequeues first and readies the
    // waiter to race for it). The token this release added may already be gone: to a
    // waiter's re-check before it queued, to a waiter that left on credit (see `cancel`),
    // or, under misuse, to a barging acquirer. Then the head stays queued for the release
    // that brings its own token; a waiter readied without one would have to queue again,
    // and a forgotten future never does.
    let s = if queues.has(addr) && cansemacquire(addr) {
        // go: sema.go:197 (cansemacquire for the waiter: gosync always, under the lock)
        queues.dequeue(addr) // go: sema.go:184
    } else {
        None
    };
    if let Some(s) = s {
        // ORDERING: SeqCst, under the root lock.
        root.nwait.fetch_sub(1, SeqCst); // go: sema.go:186
                                         // ORDERING: SeqCst store, read by the waiter's `readied`; a thread's unpark or a
                                         // task's wake follows, after unlocking (`Readied`).
        s.state.store(READIED_WITH_TICKET, SeqCst); // go: sema.go:198 (s.ticket = 1)
        readied.push(s); // go: sema.go:200 (readyWithTime, run by `Readied`)
    }
    drop(queues); // go: sema.go:188 (unlock)
}

/// Removes the nodes still queued on `addr`, for a group that is dropped with waiters
/// counted: only a forgotten future (`mem::forget`) leaves a node queued without a waiter
/// to take it out, and once the group is gone nothing would; a new group at the same
/// address must never dequeue it. The nodes' wakers are dropped after unlocking.
pub(crate) fn purge(addr: &AtomicU32) {
    let root = SEMTABLE.root_for(addr);
    let mut queues = root.lock();
    let stale = queues.by_addr.remove(&address(addr)).unwrap_or_default();
    if !stale.is_empty() {
        // ORDERING: SeqCst, under the root lock like every other change of `nwait`.
        root.nwait.fetch_sub(stale.len() as u32, SeqCst);
    }
    drop(queues);
    drop(stale);
}

/// The store-load barrier of the `addr`/`nwait` Dekker pair.
///
/// `semrelease` writes `addr` then reads `nwait`; `semacquire` writes `nwait` then reads
/// `addr`. Go's atomics are sequentially consistent, so at least one side sees the other's
/// write and no wake-up is lost. Rust's `SeqCst` accesses give the same guarantee, but
/// loom models `SeqCst` accesses as `AcqRel` (it models a `SeqCst` *fence* fully), and so
/// would report a lost wake-up that cannot happen. The fence is kept in every build, so
/// the code loom checks is the code that ships; it sits only on paths that already wake
/// or park a thread.
#[inline]
fn store_load_fence() {
    // ORDERING: SeqCst fence, the store-load barrier described above.
    fence(SeqCst);
}

/// Go's `cansemacquire`: lock-free decrement-if-positive.
///
/// Go tests `v == 0`; we test `v as i32 <= 0`. In Go the value never goes below zero. Here
/// a waiter that leaves after a release has counted it, but before its token arrived,
/// takes that token on credit ([`cancel`]): the value may then be negative (a debt)
/// until the release's increment pays it, and a debt is no token.
#[inline]
fn cansemacquire(addr: &AtomicU32) -> bool {
    loop {
        // ORDERING: SeqCst as Go's `atomic.Load`; a stale value only costs a CAS retry.
        let v = addr.load(SeqCst); // go: sema.go:225
        if v as i32 <= 0 {
            return false;
        }
        // ORDERING: SeqCst. Success acquires the token the releaser's `fetch_add`
        // published: everything before that release happens before our return.
        if addr.compare_exchange(v, v - 1, SeqCst, SeqCst).is_ok() {
            // go: sema.go:229
            return true;
        }
    }
}

/// How many waiters are queued on `addr` right now (tests and the tour use it to know a
/// waiter has really parked, instead of sleeping and hoping).
pub(crate) fn queued_waiters(addr: &AtomicU32) -> usize {
    let root = SEMTABLE.root_for(addr);
    let queues = root.lock();
    queues.by_addr.get(&address(addr)).map_or(0, VecDeque::len)
}
