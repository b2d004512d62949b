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
//! | `goready(s.g)`                       | mark readied, then unpark                  |
//! | `goyield()` after a handoff          | [`std::thread::yield_now`]                 |
//!
//! Not ported, because `WaitGroup` never uses them: LIFO queueing (`sync.Mutex` only) and
//! block/mutex profiling.
//!
//! gosync's additions, which Go's runtime does not have, live in [`cancel`]: a waiter may
//! also be an async task (a [`Waker`] instead of a thread), and a waiter may leave the queue
//! before a release wakes it (a time-out or a dropped future). The thread path here is
//! Go's, unchanged, except that [`cansemacquire`] reads the value as signed (see there).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, PoisonError};
use std::task::Waker;

use crate::primitive::sync::atomic::{fence, AtomicU32, AtomicU8, Ordering::SeqCst};
use crate::primitive::sync::{Mutex, MutexGuard};
use crate::primitive::{const_fn_unless_model, global, thread, CachePadded};
use crate::trace::trace;

pub(crate) mod cancel;

#[cfg(all(test, not(any(gosync_loom, gosync_shuttle))))]
mod tests;

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
pub(crate) struct Sudog {
    /// Whom to wake (Go's `s.g`).
    waiter: Waiter,
    /// [`QUEUED`], [`READIED`] or [`READIED_WITH_TICKET`] (Go: `goready` and `s.ticket`).
    state: AtomicU8,
}

/// Whom a release wakes. One queue holds both kinds, in FIFO order.
enum Waiter {
    /// A thread parked in `semacquire` (Go's goroutine).
    Thread(thread::Parker),
    /// gosync's addition: a task polling [`cancel::TaskAcquire`]; the waker of its latest
    /// poll.
    Task(Mutex<Waker>),
}

/// Queued (or about to queue), not yet woken by a release.
const QUEUED: u8 = 0;
/// Dequeued and readied by `semrelease`; the token is in the semaphore, take it.
const READIED: u8 = 1;
/// Dequeued by a handoff release that already took the token for us (Go: `s.ticket = 1`).
const READIED_WITH_TICKET: u8 = 2;

impl Sudog {
    fn for_current_thread() -> Arc<Sudog> {
        Arc::new(Sudog {
            waiter: Waiter::Thread(thread::Parker::for_current_thread()),
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

    /// Go's `gopark`: sleeps until a release readies this waiter. Spurious wake-ups of the
    /// OS thread loop here and never reach the caller. Returns whether the token was
    /// handed off (Go's `s.ticket != 0`).
    fn park(&self) -> bool {
        // The race build sleeps in the scheduler, so `check` sees the waiter asleep.
        #[cfg(feature = "race")]
        crate::race::sched::block_on(
            &[self as *const Sudog as usize],
            "semacquire", // Go 1.19's wait reason for WaitGroup.Wait
            crate::race::sched::blocking_site(),
            None,
            // ORDERING: SeqCst, as the load below.
            || (self.state.load(SeqCst) != QUEUED).then_some(()),
        );
        loop {
            // ORDERING: SeqCst pairs with the store in `ready`; the token itself is
            // published by the releaser's SeqCst `fetch_add` on the semaphore, which the
            // caller's `cansemacquire` reads, so this load only has to see the flag.
            match self.state.load(SeqCst) {
                QUEUED => self.parker().park(),
                state => return state == READIED_WITH_TICKET,
            }
        }
    }

    /// Go's `goready(s.g)`: marks the waiter readied and wakes its thread (or task). The
    /// caller owns an `Arc` of the waiter, so the handle outlives a waiter that returns at
    /// once.
    fn ready(&self, ticket: bool) {
        let state = if ticket { READIED_WITH_TICKET } else { READIED };
        // ORDERING: SeqCst store read by the waiter's load in `park` (or a task's poll);
        // the unpark that follows cannot be lost (a thread's park token outlives an early
        // unpark), nor the wake (see `cancel::TaskAcquire::poll`).
        self.state.store(state, SeqCst);
        #[cfg(feature = "race")]
        crate::race::sched::progress(self as *const Sudog as usize);
        match &self.waiter {
            Waiter::Thread(parker) => parker.unpark(),
            Waiter::Task(waker) => cancel::wake(waker),
        }
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
    let s = Sudog::for_current_thread(); // go: sema.go:121
    let root = SEMTABLE.root_for(addr); // go: sema.go:122
    #[cfg(feature = "race")]
    let _leave = LeaveOnUnwind(root, addr, &s);
    loop {
        if root.queue_unless_acquired(addr, &s) {
            // go: sema.go:138-150
            break; // go: sema.go:145
        }
        trace!(target: "gosync::sema", addr = ?(addr as *const AtomicU32), "park");
        let ticket = s.park();
        trace!(target: "gosync::sema", addr = ?(addr as *const AtomicU32), ticket, "wake");
        if ticket || cansemacquire(addr) {
            // go: sema.go:151
            break;
        }
        // Readied, but another acquirer took the token first (only under misuse, or
        // with a handoff-free barging acquirer): queue again at the tail, as Go does.
    }
}

/// The race build: a waiter of a `check` judged dead unwinds out of `park` (see
/// `race::sched`); it leaves the queue first, as a timed-out waiter does, so that no
/// release on a later object at this address wakes it instead of a live waiter.
#[cfg(feature = "race")]
struct LeaveOnUnwind<'a>(&'a SemaRoot, &'a AtomicU32, &'a Arc<Sudog>);

#[cfg(feature = "race")]
impl Drop for LeaveOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut queues = self.0.lock();
            if queues.remove(self.1, self.2) {
                // ORDERING: SeqCst, under the root lock like every other change of `nwait`.
                self.0.nwait.fetch_sub(1, SeqCst);
            }
        }
    }
}

/// Go's `sync_runtime_Semrelease` → `semrelease1(addr, handoff, ...)`: atomically
/// increments `*addr` and wakes at most one waiter queued on `addr`. If `handoff` is
/// true, the token goes straight to that waiter and the releaser yields to it.
#[inline]
pub(crate) fn semrelease(addr: &AtomicU32, handoff: bool) {
    let root = SEMTABLE.root_for(addr); // go: sema.go:166

    // ORDERING: SeqCst. Publishes the token (release: the releaser's writes happen before
    // the acquirer's successful `cansemacquire`) and is one half of the Dekker pair with
    // `nwait` described in `semacquire_slow`.
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
    semrelease_slow(root, addr, handoff);
}

/// Harder case of Go's `semrelease1`: search for a waiter and wake it.
#[cold]
#[inline(never)]
fn semrelease_slow(root: &SemaRoot, addr: &AtomicU32, handoff: bool) {
    let mut queues = root.lock(); // go: sema.go:177

    // ORDERING: SeqCst; under the lock every change of `nwait` is visible anyway.
    if root.nwait.load(SeqCst) == 0 {
        // go: sema.go:178
        // The count is already consumed by another goroutine,
        // so no need to wake up another goroutine.
        return;
    }
    let s = queues.dequeue(addr); // go: sema.go:184
    if s.is_some() {
        // ORDERING: SeqCst, under the root lock.
        root.nwait.fetch_sub(1, SeqCst); // go: sema.go:186
    }
    drop(queues); // go: sema.go:188 (unlock)
    if let Some(s) = s {
        // May be slow or even yield, so unlock first
        let ticket = handoff && cansemacquire(addr); // go: sema.go:197
        s.ready(ticket); // go: sema.go:200
        if ticket {
            // Direct handoff: let the waiter run on our time slice (Go: goyield).
            thread::yield_now(); // go: sema.go:218 (goyield)
        }
    }
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
