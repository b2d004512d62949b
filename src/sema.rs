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
//! | treap of `sudog` keyed by address, each with a FIFO `waitlink` list | [`WaitQueues`]: the same treap, ported (`queue`, `dequeue`, `rotateLeft`, `rotateRight`) |
//! | `sudog` (`g`, `elem`, `ticket`, links) | [`Sudog`](sudog::Sudog), in [`sudog`]     |
//! | `acquireSudog` / `releaseSudog` (proc.go) | [`acquire_sudog`](sudog::acquire_sudog) / [`release_sudog`](sudog::release_sudog): a per-thread cache and a central one |
//! | `goparkunlock(&root.lock)`           | unlock, then park until readied            |
//! | `goready(s.g)`                       | mark readied under the lock, taking the wake handle out; unpark or wake after every token is out ([`Readied`]) |
//! | `gopark` / `goready` of the `g`      | [`thread::Parker`] / [`thread::Unparker`]: sleep until the node is readied |
//!
//! Not ported, because `WaitGroup` never uses them: LIFO queueing and the `handoff` of a
//! token with `goyield` (both `sync.Mutex` only), and block/mutex profiling. Two changes to
//! Go's release: the dequeued waiter's token is taken for it under the root lock (see
//! [`semrelease_slow`]), which is what Go's `handoff` does without the yield; and a group's
//! loop of `w` releases is one call, [`semrelease_n`], which adds the `w` tokens at once and
//! hands them out under one lock per 32 waiters.
//!
//! gosync's additions, which Go's runtime does not have, live in [`cancel`]: a waiter may
//! also be an async task (a [`Waker`] instead of a thread), and a waiter may leave the queue
//! before a release wakes it (a time-out or a dropped future). Thread, deadline and
//! task waiters share one engine, [`Acquisition`]: Go's `semacquire1` loop with the
//! sleep left to the caller. [`cansemacquire`] reads the value as signed (see there).

use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::PoisonError;
use std::task::{Poll, Waker};

use smallvec::SmallVec;

use crate::primitive::sync::atomic::{
    AtomicU32,
    Ordering::{Relaxed, Release, SeqCst},
};
use crate::primitive::sync::{Mutex, MutexGuard};
use crate::primitive::thread::thread_local;
use crate::primitive::{const_fn_unless_model, global, thread, CachePadded};
use crate::trace::trace;
use sudog::{acquire_sudog, release_sudog, Sudog, SudogRef, Wake, READIED_WITH_TICKET};

pub(crate) mod cancel;
pub(crate) mod sudog;

#[cfg(test)]
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
            let roots = {
                let mut roots = [const { CachePadded(SemaRoot::new(0)) }; SEM_TAB_SIZE];
                let mut i = 0;
                while i < SEM_TAB_SIZE {
                    roots[i] = CachePadded(SemaRoot::new(i as u32));
                    i += 1;
                }
                roots
            };
            #[cfg(any(gosync_loom, gosync_shuttle))]
            let roots = (0..SEM_TAB_SIZE).map(|i| CachePadded(SemaRoot::new(i as u32))).collect();
            SemTable(roots)
        }
    }

    /// Go's `rootFor`: `(addr >> 3) % semTabSize`, so two `u32`s in one 8-byte word share
    /// a root, exactly as in Go.
    fn root_for(&self, addr: usize) -> &SemaRoot {
        &self.0[(addr >> 3) % SEM_TAB_SIZE].0 // go: sema.go:57
    }
}

impl SemaRoot {
    const_fn_unless_model! {
        fn new(index: u32) -> SemaRoot {
            SemaRoot {
                lock: Mutex::new(WaitQueues::new(index)),
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
    /// Returns `None` when it took a token; otherwise `s` is queued under the key returned
    /// and the lock released, and the caller sleeps.
    fn queue_unless_acquired(&self, addr: &Sema, s: &SudogRef) -> Option<Key> {
        let mut queues = self.lock(); // go: sema.go:138

        // Add ourselves to nwait to disable "easy case" in semrelease.
        // ORDERING: SeqCst. With the SeqCst `fetch_add` on `addr` and the SeqCst load of
        // `nwait` in `semrelease`, this forms a Dekker pair: either the releaser sees our
        // count and takes the slow path, or our re-check below sees its token.
        self.nwait.fetch_add(1, SeqCst); // go: sema.go:140

        // ORDERING: under loom, the fence keeps the increment above and the re-check below
        // in one total order; elsewhere the SeqCst accesses do; see `store_load_fence`.
        store_load_fence();
        // Check cansemacquire to avoid missed wakeup.
        if cansemacquire(addr) {
            // go: sema.go:142
            // ORDERING: SeqCst, under the root lock like every other change of `nwait`.
            self.nwait.fetch_sub(1, SeqCst); // go: sema.go:143
            return None; // go: sema.go:145
        }
        // Any semrelease after the cansemacquire knows we're waiting
        // (we set nwait above), so go to sleep.
        // ORDERING: Relaxed. Its readers take this root lock, or are this waiter's own
        // later looks, ordered after it by its thread or its executor.
        s.get().state.store(sudog::QUEUED, Relaxed);
        let key = addr.key_locked(&queues);
        // SAFETY: `s` is the caller's node, in no queue, and we hold the root lock.
        unsafe { queues.queue(key, s.as_ptr()) }; // go: sema.go:149
        Some(key) // go: sema.go:150 (goparkunlock: the guard unlocks here, the caller parks)
    }
}

/// The waiters of one root (Go's `semaRoot.treap`): a treap of the distinct addresses
/// waited on, each node heading the FIFO list of the other waiters on its address. The
/// nodes are the waiters' own [`Sudog`]s, linked in place: queueing allocates nothing.
///
/// Every method runs under the root lock, and every node it reaches is queued on this
/// root (the callers' contract, written on each `unsafe fn`): that is what makes the raw
/// links safe to follow.
struct WaitQueues {
    /// The treap's root node (Go's `root.treap`).
    treap: *mut Sudog,
    /// The state of the treap's priorities (Go draws them from `fastrand`, per M). A
    /// xorshift per root, under the root lock, so the model checkers replay it.
    rand: u32,
}

// SAFETY: the raw pointers are to queued nodes, which are `Send` and touched only under
// the root lock this value lives in.
unsafe impl Send for WaitQueues {}

/// A node's links (see [`Sudog::links`]).
///
/// # Safety
///
/// `s` is queued on the root whose lock the caller holds, or owned by the caller.
unsafe fn l(s: *mut Sudog) -> *mut sudog::Links {
    // SAFETY: the caller's contract.
    unsafe { Sudog::links(s) }
}

impl WaitQueues {
    const fn new(index: u32) -> WaitQueues {
        WaitQueues {
            treap: ptr::null_mut(),
            // Any non-zero seed; distinct per root.
            rand: 0x9E37_79B9 ^ index.wrapping_mul(0x85EB_CA6B) | 1,
        }
    }

    /// The slot of the treap's root, the one pointer every link of this root's treap is
    /// reached from (so that no `&mut self` taken later invalidates a slot found earlier).
    fn root(&mut self) -> *mut *mut Sudog {
        ptr::addr_of_mut!(self.treap)
    }

    /// The slot holding `addr`'s treap node (the head of its queue), or the empty slot
    /// where it would go, and the last node seen on the way (Go's search loop of `queue`
    /// and `dequeue`).
    ///
    /// # Safety
    ///
    /// Under the root lock; `root` is this root's treap slot.
    unsafe fn search(root: *mut *mut Sudog, key: Key) -> (*mut *mut Sudog, *mut Sudog) {
        let mut last = ptr::null_mut();
        let mut pt = root;
        // SAFETY: every node reached is queued on this root, whose lock we hold.
        unsafe {
            let mut t = *pt;
            while !t.is_null() {
                // go: sema.go:244
                if (*l(t)).elem == key {
                    // go: sema.go:245
                    break;
                }
                last = t; // go: sema.go:283
                pt = if key < (*l(t)).elem {
                    // go: sema.go:284
                    &mut (*l(t)).prev // go: sema.go:285
                } else {
                    &mut (*l(t)).next // go: sema.go:287
                };
                t = *pt;
            }
        }
        (pt, last)
    }

    /// Go's `semaRoot.queue(addr, s, lifo=false)`: adds `s` at the tail of `addr`'s queue.
    ///
    /// # Safety
    ///
    /// Under the root lock; `s` is owned by the caller and in no queue.
    unsafe fn queue(&mut self, key: Key, s: *mut Sudog) {
        let root = self.root();
        // SAFETY: `s` is the caller's; every other node reached is queued here.
        unsafe {
            (*l(s)).elem = key; // go: sema.go:238
            (*l(s)).next = ptr::null_mut(); // go: sema.go:239
            (*l(s)).prev = ptr::null_mut(); // go: sema.go:240

            let (pt, last) = WaitQueues::search(root, key); // go: sema.go:243
            let t = *pt;
            if !t.is_null() {
                // Already have addr in list.
                // Add s to end of t's wait list.
                let tail = (*l(t)).waittail; // go: sema.go:273
                if tail.is_null() {
                    (*l(t)).waitlink = s; // go: sema.go:274
                    (*l(s)).waitprev = t;
                } else {
                    (*l(tail)).waitlink = s; // go: sema.go:276
                    (*l(s)).waitprev = tail;
                }
                (*l(t)).waittail = s; // go: sema.go:278
                (*l(s)).waitlink = ptr::null_mut(); // go: sema.go:279
                return; // go: sema.go:281
            }

            // Add s as new leaf in tree of unique addrs.
            // The balanced tree is a treap using ticket as the random heap priority.
            // That is, it is a binary tree ordered according to the elem addresses,
            // but then among the space of possible binary trees respecting those
            // addresses, it is kept balanced on average by maintaining a heap ordering
            // on the ticket: s.ticket <= both s.prev.ticket and s.next.ticket.
            // https://en.wikipedia.org/wiki/Treap
            // https://faculty.washington.edu/aragon/pubs/rst89.pdf
            //
            // s.ticket compared with zero in couple of places, therefore set lowest bit.
            // It will not affect treap's quality noticeably.
            (*l(s)).ticket = fastrand(&mut self.rand) | 1; // go: sema.go:302
            (*l(s)).parent = last; // go: sema.go:303
            *pt = s; // go: sema.go:304

            // Rotate up into tree according to ticket (priority).
            loop {
                let p = (*l(s)).parent;
                if p.is_null() || (*l(p)).ticket <= (*l(s)).ticket {
                    break;
                }
                if (*l(p)).prev == s {
                    // go: sema.go:308
                    WaitQueues::rotate_right(root, p); // go: sema.go:309
                } else {
                    assert!((*l(p)).next == s, "semaRoot queue"); // go: sema.go:312
                    WaitQueues::rotate_left(root, p); // go: sema.go:314
                }
            }
        }
    }

    /// Go's `semaRoot.dequeue(addr)`: searches for and finds the first waiter queued on
    /// `addr`, and removes it; `None` when there is none (the root's `nwait` may count
    /// waiters on other addresses, or ours may not have queued yet).
    ///
    /// # Safety
    ///
    /// Under the root lock.
    unsafe fn dequeue(&mut self, key: Key) -> Option<*mut Sudog> {
        let root = self.root();
        // SAFETY: the caller holds the lock.
        let ps = unsafe { WaitQueues::search(root, key).0 }; // go: sema.go:324

        // SAFETY: as above.
        let s = unsafe { *ps };
        if s.is_null() {
            return None; // go: sema.go:336
        }
        // SAFETY: `s` is the head of `addr`'s queue, at `ps`.
        unsafe { WaitQueues::remove_head(root, ps, s) };
        Some(s)
    }

    /// The `Found:` part of Go's `dequeue`: takes `s`, the treap node at `*ps`, out of the
    /// queue, and clears its links.
    ///
    /// # Safety
    ///
    /// Under the root lock; `root` is this root's treap slot (see [`root`](Self::root)),
    /// and `*ps == s`, a treap node of it, `ps` found from `root`.
    unsafe fn remove_head(root: *mut *mut Sudog, ps: *mut *mut Sudog, s: *mut Sudog) {
        // SAFETY: `s` and every node linked to it are queued here.
        unsafe {
            let t = (*l(s)).waitlink;
            if !t.is_null() {
                // Substitute t, also waiting on addr, for s in root tree of unique addrs.
                *ps = t; // go: sema.go:345
                (*l(t)).ticket = (*l(s)).ticket; // go: sema.go:346
                (*l(t)).parent = (*l(s)).parent; // go: sema.go:347
                (*l(t)).prev = (*l(s)).prev; // go: sema.go:348
                if !(*l(t)).prev.is_null() {
                    // go: sema.go:349
                    (*l((*l(t)).prev)).parent = t; // go: sema.go:350
                }
                (*l(t)).next = (*l(s)).next; // go: sema.go:352
                if !(*l(t)).next.is_null() {
                    // go: sema.go:353
                    (*l((*l(t)).next)).parent = t; // go: sema.go:354
                }
                if !(*l(t)).waitlink.is_null() {
                    // go: sema.go:356
                    (*l(t)).waittail = (*l(s)).waittail; // go: sema.go:357
                } else {
                    (*l(t)).waittail = ptr::null_mut(); // go: sema.go:359
                }
                (*l(t)).waitprev = ptr::null_mut();
                (*l(s)).waitlink = ptr::null_mut(); // go: sema.go:362
                (*l(s)).waittail = ptr::null_mut(); // go: sema.go:363
            } else {
                // Rotate s down to be leaf of tree for removal, respecting priorities.
                while !(*l(s)).next.is_null() || !(*l(s)).prev.is_null() {
                    // go: sema.go:366
                    let (prev, next) = ((*l(s)).prev, (*l(s)).next);
                    if next.is_null() || !prev.is_null() && (*l(prev)).ticket < (*l(next)).ticket {
                        WaitQueues::rotate_right(root, s); // go: sema.go:368
                    } else {
                        WaitQueues::rotate_left(root, s); // go: sema.go:370
                    }
                }
                // Remove s, now a leaf.
                let p = (*l(s)).parent; // go: sema.go:374
                if !p.is_null() {
                    if (*l(p)).prev == s {
                        // go: sema.go:375
                        (*l(p)).prev = ptr::null_mut(); // go: sema.go:376
                    } else {
                        (*l(p)).next = ptr::null_mut(); // go: sema.go:378
                    }
                } else {
                    *root = ptr::null_mut(); // go: sema.go:381
                }
            }
            (*l(s)).parent = ptr::null_mut(); // go: sema.go:384
            (*l(s)).elem = Key::NONE; // go: sema.go:385
            (*l(s)).next = ptr::null_mut(); // go: sema.go:386
            (*l(s)).prev = ptr::null_mut(); // go: sema.go:387
            (*l(s)).ticket = 0; // go: sema.go:388
        }
    }

    /// Go's `rotateLeft`: rotates the tree rooted at node x,
    /// turning (x a (y b c)) into (y (x a b) c).
    ///
    /// # Safety
    ///
    /// Under the root lock; `root` is this root's treap slot, `x` a node of it with a `next`.
    unsafe fn rotate_left(root: *mut *mut Sudog, x: *mut Sudog) {
        // SAFETY: every node reached is a treap node of this root.
        unsafe {
            // p -> (x a (y b c))
            let p = (*l(x)).parent; // go: sema.go:396
            let y = (*l(x)).next; // go: sema.go:397
            let b = (*l(y)).prev; // go: sema.go:398

            (*l(y)).prev = x; // go: sema.go:400
            (*l(x)).parent = y; // go: sema.go:401
            (*l(x)).next = b; // go: sema.go:402
            if !b.is_null() {
                // go: sema.go:403
                (*l(b)).parent = x; // go: sema.go:404
            }

            (*l(y)).parent = p; // go: sema.go:407
            if p.is_null() {
                // go: sema.go:408
                *root = y; // go: sema.go:409
            } else if (*l(p)).prev == x {
                // go: sema.go:410
                (*l(p)).prev = y; // go: sema.go:411
            } else {
                assert!((*l(p)).next == x, "semaRoot rotateLeft"); // go: sema.go:414
                (*l(p)).next = y; // go: sema.go:416
            }
        }
    }

    /// Go's `rotateRight`: rotates the tree rooted at node y,
    /// turning (y (x a b) c) into (x a (y b c)).
    ///
    /// # Safety
    ///
    /// Under the root lock; `root` is this root's treap slot, `y` a node of it with a `prev`.
    unsafe fn rotate_right(root: *mut *mut Sudog, y: *mut Sudog) {
        // SAFETY: every node reached is a treap node of this root.
        unsafe {
            // p -> (y (x a b) c)
            let p = (*l(y)).parent; // go: sema.go:424
            let x = (*l(y)).prev; // go: sema.go:425
            let b = (*l(x)).next; // go: sema.go:426

            (*l(x)).next = y; // go: sema.go:428
            (*l(y)).parent = x; // go: sema.go:429
            (*l(y)).prev = b; // go: sema.go:430
            if !b.is_null() {
                // go: sema.go:431
                (*l(b)).parent = y; // go: sema.go:432
            }

            (*l(x)).parent = p; // go: sema.go:435
            if p.is_null() {
                // go: sema.go:436
                *root = x; // go: sema.go:437
            } else if (*l(p)).prev == y {
                // go: sema.go:438
                (*l(p)).prev = x; // go: sema.go:439
            } else {
                assert!((*l(p)).next == y, "semaRoot rotateRight"); // go: sema.go:442
                (*l(p)).next = x; // go: sema.go:444
            }
        }
    }

    /// gosync's addition: takes `s`, a waiter queued on `addr`, out of its queue, wherever
    /// it is in it (a waiter that withdraws); `false` when a release already dequeued it.
    ///
    /// # Safety
    ///
    /// Under the root lock; `s` is a node queued on `addr` of this root, or readied.
    unsafe fn remove(&mut self, key: Key, s: *mut Sudog) -> bool {
        // SAFETY: `s` is queued here (its state says whether it still is, and releases
        // change it only under this lock), and so is every node linked to it.
        unsafe {
            if (*s).readied() {
                return false;
            }
            let root = self.root();
            let (ps, _) = WaitQueues::search(root, key);
            let head = *ps;
            debug_assert!(!head.is_null(), "a queued waiter's address has a queue");
            if head == s {
                WaitQueues::remove_head(root, ps, s);
                return true;
            }
            // In the list behind the head: unlink it.
            let prev = (*l(s)).waitprev;
            let next = (*l(s)).waitlink;
            (*l(prev)).waitlink = next;
            if next.is_null() {
                (*l(head)).waittail = if prev == head { ptr::null_mut() } else { prev };
            } else {
                (*l(next)).waitprev = prev;
            }
            (*l(s)).waitprev = ptr::null_mut();
            (*l(s)).waitlink = ptr::null_mut();
            (*l(s)).elem = Key::NONE;
        }
        true
    }

    /// The waiters queued on `addr`, head first.
    ///
    /// # Safety
    ///
    /// Under the root lock; the nodes may be followed only while it is held.
    unsafe fn waiters_on(&mut self, key: Key) -> impl Iterator<Item = *mut Sudog> {
        // SAFETY: the caller holds the lock.
        let head = unsafe { *WaitQueues::search(self.root(), key).0 };
        // SAFETY: every node of the list is queued here, under the caller's lock.
        std::iter::successors((!head.is_null()).then_some(head), |&s| unsafe {
            let next = (*l(s)).waitlink;
            (!next.is_null()).then_some(next)
        })
    }
}

/// Go's `fastrand`, for the treap's priorities: a xorshift.
fn fastrand(state: &mut u32) -> u32 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    x
}

/// A semaphore: Go's `*uint32` count, which callers own, with gosync's identity for the
/// waiters queued on it.
///
/// Go's runtime knows a semaphore by its address alone, and nothing in Go moves memory
/// that a waiter sleeps on. A Rust value can move, and a future leaked with `mem::forget`
/// leaves its node queued under the address its group had: a new group at that address
/// must never dequeue it. So the queues are keyed by the address *and* an id, drawn once
/// per semaphore the first time a waiter queues on it (so `new` stays `const` and a group
/// that never sleeps never draws one). The id moves with the value; a group at a reused
/// address has its own. Ids are 32-bit and drawn from one counter, in per-thread blocks
/// ([`draw_id`]): a wrong match would need a node leaked on a moved group and then 2^32
/// ids later a new group at that very address.
#[repr(C)]
pub(crate) struct Sema {
    /// The count (Go's `*addr`): tokens released and not yet taken.
    value: AtomicU32,
    /// 0 until a waiter first queues; then this semaphore's id for good.
    id: AtomicU32,
}

/// What a queue is keyed by (Go: `elem`, the address alone): see [`Sema`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    addr: usize,
    id: u32,
}

impl Key {
    /// No semaphore: the key of a node in no queue.
    pub(crate) const NONE: Key = Key { addr: 0, id: 0 };
}

global! {
    /// The start of the next block of semaphore ids (see [`draw_id`]).
    static LAST_ID: AtomicU32 = AtomicU32::new(0);
}

impl Sema {
    const_fn_unless_model! {
        /// A semaphore with no tokens and no id yet.
        pub(crate) fn new() -> Sema {
            Sema {
                value: AtomicU32::new(0),
                id: AtomicU32::new(0),
            }
        }
    }

    /// The count, for observations (a snapshot, a test): stale as soon as it is read.
    pub(crate) fn value(&self) -> u32 {
        // ORDERING: SeqCst, an observation; it orders nothing the caller relies on.
        self.value.load(SeqCst)
    }

    /// The key of this semaphore's queue, if a waiter ever queued on it.
    fn key_if_drawn(&self) -> Option<Key> {
        // ORDERING: Relaxed, as in `key`; a waiter queued before the caller's look (by
        // the caller's own happens-before) drew the id before it.
        let id = self.id.load(Relaxed);
        (id != 0).then(|| Key {
            addr: address(self),
            id,
        })
    }

    /// The key of this semaphore's queue, drawing its id on first use. The root lock
    /// (`_locked`, the queues it guards) is held: every waiter that draws it does so under
    /// that lock (a borrowed semaphore cannot move to another root), so a load and a store
    /// draw it once, with no compare-exchange.
    fn key_locked(&self, _locked: &WaitQueues) -> Key {
        // ORDERING: Relaxed. The id publishes nothing else; the root lock orders this
        // load after any earlier waiter's store below, and a reader without the lock
        // (`key_if_drawn`) relies on its own happens-before with the waiter that queued.
        let mut id = self.id.load(Relaxed);
        if id == 0 {
            id = draw_id();
            // ORDERING: Relaxed, see above: under the root lock.
            self.id.store(id, Relaxed);
        }
        Key {
            addr: address(self),
            id,
        }
    }
}

/// How many ids a thread takes from [`LAST_ID`] at a time.
const ID_BLOCK: u32 = 64;

thread_local! {
    /// The ids this thread may hand out next: `next..end`, the rest of its last block. The
    /// model checkers' thread-local (`primitive`): a std one would outlive an execution.
    // Not `const { .. }`: loom's `thread_local!` takes no const initialiser.
    #[allow(clippy::missing_const_for_thread_local)]
    static IDS: Cell<(u32, u32)> = Cell::new((0, 0));
}

/// A fresh semaphore id, never 0: the next of this thread's block of [`ID_BLOCK`] ids,
/// so that drawing one is an atomic read-modify-write on the shared counter once in
/// [`ID_BLOCK`] draws instead of every time (a sleeping wait on a fresh group draws one;
/// docs/performance-sleeping.md). The blocks are disjoint ranges of one counter, so ids are
/// distinct across threads as before; a thread that exits leaves the rest of its block
/// unused.
fn draw_id() -> u32 {
    loop {
        let id = IDS
            .try_with(|ids| {
                let (mut next, mut end) = ids.get();
                if next == end {
                    // ORDERING: Relaxed: the counter only hands out disjoint blocks.
                    next = LAST_ID.fetch_add(ID_BLOCK, Relaxed);
                    end = next.wrapping_add(ID_BLOCK);
                }
                ids.set((next.wrapping_add(1), end));
                next
            })
            // A thread tearing down its thread-locals: a block of one.
            // ORDERING: Relaxed, as above.
            .unwrap_or_else(|_| LAST_ID.fetch_add(1, Relaxed));
        if id != 0 {
            return id;
        }
    }
}

fn address(addr: &Sema) -> usize {
    addr as *const Sema as usize
}

/// The waiters a release readied, to wake once the releaser has
/// handed out every token and holds no lock: Go readies inside `semrelease1`; gosync
/// collects the wake-ups so that no user code (a task's waker) runs while the group or a
/// root is in a transient state. Dropping it wakes them too, so a wake-up is never lost.
///
/// It holds each waiter's [`Wake`] handle, taken out of the node under the root lock, and
/// never the node: a readied waiter may have seen its state, returned and reused its node
/// before the releaser wakes it.
///
/// The first [`READIED_INLINE`] handles are kept inline (on the releaser's stack), so a
/// release that wakes no more than that allocates nothing (Go's `Wait` allocates nothing
/// either); a larger batch allocates once ([`Readied::reserve`]). The same shape and size
/// as tokio's `WakeList` (32), without its flush-when-full, which would wake some waiters
/// before every token is out. The list is a `smallvec::SmallVec`, the well-kept crate for
/// exactly this (inline, then spilled): it leaves the slots it has not filled
/// uninitialised, so making and dropping the list costs nothing per slot (an array of 32
/// `Option`s cost a loop over all 32 at every drop; measured in
/// docs/performance-sleeping.md).
#[derive(Default)]
pub(crate) struct Readied {
    wakes: SmallVec<[Wake; READIED_INLINE]>,
}

/// How many readied waiters [`Readied`] keeps without allocating, and how many waiters one
/// hold of a root lock serves in a release of many ([`semrelease_n`]).
const READIED_INLINE: usize = 32;

impl Readied {
    /// Makes room for the waiters a release of `releases` tokens may ready (Go's loop at
    /// waitgroup.go:101-103, one [`semrelease_n`] here): nothing to do up to
    /// [`READIED_INLINE`], and otherwise one allocation, before the release (growing as it
    /// fills took one per doubling: 7 for 4096 waiters). In place: a `Readied` is made
    /// where it is used, never moved (a move copies its inline slots whole). Each token
    /// readies one waiter at most, and each of the `releases` waiters the group counted is
    /// a live thread or future with a node of its own: the room is one wake handle per
    /// live waiter.
    ///
    /// The allocation is still inside the release's window (the counter is already zero,
    /// the waiters not yet released): a `#[global_allocator]` is the one piece of code not
    /// gosync's that can run there, once per release of more than 32 waiters, and with no
    /// root lock held.
    pub(crate) fn reserve(&mut self, releases: u32) {
        let releases = releases as usize;
        if self.wakes.len() + releases > READIED_INLINE {
            self.wakes.reserve_exact(releases);
        }
    }

    /// Adds a waiter that a release dequeued and readied, after those already here.
    fn push(&mut self, wake: Wake) {
        self.wakes.push(wake);
    }

    /// Wakes every collected waiter, in the order they were dequeued, and leaves `self`
    /// empty. Its callers hold no root lock. By reference: `self` holds 32 handles
    /// inline on the releaser's stack, which a move would copy whole (a `memcpy` in every
    /// release, measured: docs/performance-sleeping.md).
    pub(crate) fn wake_all(&mut self) {
        for wake in self.wakes.drain(..) {
            wake.wake();
        }
    }
}

impl Drop for Readied {
    fn drop(&mut self) {
        self.wake_all();
    }
}

impl Wake {
    /// Go's `goready(s.g)`, after the release: wakes the thread, or the task's waker. Runs
    /// with no lock held and after every token of the release was handed out (see
    /// [`Readied`]). A waker that panics is the executor's bug: its panic is caught here
    /// (the panic hook has reported it) and goes no further, so it cannot fail a clean
    /// `done` or strand the other waiters; the task is readied with its token all the same.
    fn wake(self) {
        match self {
            Wake::Thread(unparker) => unparker.unpark(),
            Wake::Task(waker) => drop(panic::catch_unwind(AssertUnwindSafe(|| waker.wake()))),
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
///
/// It owns a node from the sudog cache ([`sudog`]) and gives it back when dropped. A
/// leaked acquisition (a `mem::forget` future) leaks its node, which stays valid for the
/// queue that may still hold it.
pub(crate) struct Acquisition {
    /// Given back by `drop`, once.
    node: ManuallyDrop<SudogRef>,
    /// Whether `node` is queued (or readied and not yet looked at).
    queued: bool,
    /// The semaphore `node` was queued on, while `queued`.
    key: Key,
}

impl Acquisition {
    /// An acquisition for the current thread, which sleeps on `parker`; not queued yet.
    pub(crate) fn thread(parker: &thread::Parker) -> Acquisition {
        let mut node = acquire_sudog(); // go: sema.go:121 (acquireSudog)
        let key = node.get().key();
        node.set_wake(Wake::Thread(parker.unparker(key)));
        Acquisition::of(node)
    }

    /// An acquisition for a task, with a waker already cloned by its poll (so that a
    /// panicking `clone` runs before the task is registered anywhere); not queued yet.
    pub(crate) fn task(waker: Waker) -> Acquisition {
        let mut node = acquire_sudog();
        node.set_wake(Wake::Task(waker));
        Acquisition::of(node)
    }

    fn of(node: SudogRef) -> Acquisition {
        Acquisition {
            node: ManuallyDrop::new(node),
            queued: false,
            key: Key::NONE,
        }
    }

    /// The node, for the sleep to look at.
    pub(crate) fn node(&self) -> &Sudog {
        self.node.get()
    }

    /// A task's waker for the next release, replacing the one of an earlier poll. The
    /// clone (user code) runs before the root lock is taken, the old waker is dropped
    /// after it is released; a waiter already readied keeps the waker its release took.
    pub(crate) fn set_waker(&self, addr: &Sema, new: &Waker) {
        if !self.queued || self.node.get().readied() {
            // Not queued, or readied (the usual poll after a wake-up): no waker needed,
            // and no lock taken.
            return;
        }
        let root = SEMTABLE.root_for(address(addr));
        let same = {
            let _queues = root.lock();
            // SAFETY: queued (or readied) on this root, whose lock we hold.
            match unsafe { &*Sudog::wake(self.node.as_ptr()) } {
                Some(Wake::Task(old)) => old.will_wake(new),
                _ => true, // readied: its release took the waker
            }
        };
        if same {
            return;
        }
        let new = new.clone();
        let old = {
            let _queues = root.lock();
            // SAFETY: as above.
            let slot = unsafe { &mut *Sudog::wake(self.node.as_ptr()) };
            if self.node.get().readied() {
                None
            } else {
                slot.replace(Wake::Task(new))
            }
        };
        drop(old);
    }

    /// Go's `semacquire1` from the easy case on: takes a token, or queues and sleeps with
    /// `sleep` until a release readies this waiter. `withdraw` is the owner's decision
    /// when the deadline passes (see [`cancel`]).
    pub(crate) fn poll(
        &mut self,
        addr: &Sema,
        mut sleep: impl FnMut(&Sudog) -> Slept,
        withdraw: impl FnOnce() -> bool,
    ) -> Poll<cancel::Acquire> {
        let root = SEMTABLE.root_for(address(addr)); // go: sema.go:122
        let mut withdraw = Some(withdraw);
        loop {
            if self.queued {
                if self.node.get().readied() {
                    // go: sema.go:151 (s.ticket != 0)
                    self.queued = false;
                    return Poll::Ready(cancel::Acquire::Token); // go: sema.go:152
                }
                trace!(target: "gosync::sema", addr = ?(addr as *const Sema), "park");
                match sleep(self.node.get()) {
                    Slept::Woken => {
                        trace!(target: "gosync::sema", addr = ?(addr as *const Sema), "wake");
                        continue;
                    }
                    Slept::Pending => return Poll::Pending,
                    Slept::Expired => {
                        self.queued = false;
                        let withdraw = withdraw.take().expect("expires once");
                        let acquired = root.withdraw(addr, self.key, &self.node, withdraw);
                        trace!(target: "gosync::sema", addr = ?(addr as *const Sema), ?acquired, "deadline passed");
                        return Poll::Ready(acquired);
                    }
                }
            }
            let Some(key) = root.queue_unless_acquired(addr, &self.node) else {
                // go: sema.go:138 (lock, to 150: queue_unless_acquired)
                return Poll::Ready(cancel::Acquire::Token); // go: sema.go:145
            };
            self.queued = true;
            self.key = key;
        }
    }

    /// Withdraws a waiter that stopped waiting (a dropped future; see [`cancel`]); `None`
    /// when it is not queued (never queued, or it already took its token).
    pub(crate) fn cancel(
        &mut self,
        addr: &Sema,
        withdraw: impl FnOnce() -> bool,
    ) -> Option<cancel::Acquire> {
        if !std::mem::take(&mut self.queued) {
            return None;
        }
        Some(
            SEMTABLE
                .root_for(address(addr))
                .withdraw(addr, self.key, &self.node, withdraw),
        )
    }
}

impl Drop for Acquisition {
    /// Gives the node back to the cache (Go's `releaseSudog`). An acquisition still queued
    /// here unwinds out of its sleep (a waiter of a race `check` judged deadlocked, see
    /// `race::sched`): it leaves the queue first, as a timed-out waiter does, so that no
    /// release on a later group at this address readies it instead of a live waiter.
    fn drop(&mut self) {
        if self.queued {
            let root = SEMTABLE.root_for(self.key.addr);
            let mut queues = root.lock();
            // SAFETY: queued on `self.key` of this root (or readied), under its lock.
            if unsafe { queues.remove(self.key, self.node.as_ptr()) } {
                // ORDERING: SeqCst, under the root lock like every other change of `nwait`.
                root.nwait.fetch_sub(1, SeqCst);
            }
        }
        // SAFETY: `drop` runs once, and nothing uses the node after it.
        release_sudog(unsafe { ManuallyDrop::take(&mut self.node) }); // go: sema.go:158 (releaseSudog)
    }
}

/// Go's `sync_runtime_Semacquire` → `semacquire1(addr, lifo=false, ...)`: waits until
/// `*addr > 0` and then atomically decrements it.
#[inline]
pub(crate) fn semacquire(addr: &Sema) {
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
fn semacquire_slow(addr: &Sema) {
    let parker = thread::Parker::for_current_thread();
    let mut s = Acquisition::thread(&parker); // go: sema.go:121
    let parked = |s: &Sudog| {
        parker.park_until(s.key(), || s.readied()); // go: sema.go:150 (goparkunlock)
        Slept::Woken
    };
    let acquired = s.poll(addr, parked, || {
        unreachable!("a thread without deadline never withdraws")
    });
    debug_assert_eq!(acquired, Poll::Ready(cancel::Acquire::Token));
}

/// Go's `sync_runtime_Semrelease` → `semrelease1(addr, handoff=false, ...)`, `n` times
/// over: atomically adds `n` to `*addr` and readies at most `n` waiters queued on `addr`,
/// into `readied`, for the caller to wake once it has released every token (see
/// [`Readied`]).
///
/// Go's `WaitGroup` releases its `w` waiters with a loop of `w` calls (waitgroup.go:101-103),
/// each adding one token, locking the root, dequeuing one waiter and unlocking. gosync makes
/// the loop one call, which adds all `n` tokens in one increment and hands them out under
/// one root lock per [`READIED_INLINE`] waiters ([`semrelease_slow`]): per waiter, what is
/// left is the dequeue and the readied store, where Go's loop has an increment, a lock and
/// an unlock, and gosync's old one (the token taken under the lock) one more
/// compare-and-swap and `nwait`'s decrement (docs/performance-sleeping.md, "The release
/// alone"). It is `n` of Go's releases with every increment first: a waiter can only see
/// more tokens sooner, each waiter still gets one token, and none is dequeued without it.
///
/// Go's `handoff` is not ported: `WaitGroup` never asks for it (it is `sync.Mutex`'s
/// starvation mode), and gosync gives every dequeued waiter its token under the root lock
/// anyway (see [`semrelease_slow`]); so the releaser has no reason to yield to it.
#[inline]
pub(crate) fn semrelease_n(addr: &Sema, n: u32, readied: &mut Readied) {
    let root = SEMTABLE.root_for(address(addr)); // go: sema.go:166

    // ORDERING: SeqCst. Publishes the tokens (release: the releaser's writes happen before
    // the acquirer's successful `cansemacquire`) and is one half of the Dekker pair with
    // `nwait` described in `queue_unless_acquired`.
    addr.value.fetch_add(n, SeqCst); // go: sema.go:167

    // ORDERING: under loom, keeps the tokens above and the `nwait` check below in one total
    // order with the waiter's increment and re-check (elsewhere the SeqCst accesses do).
    store_load_fence();

    // Easy case: no waiters?
    // This check must happen after the xadd, to avoid a missed wakeup
    // (see loop in semacquire).
    // ORDERING: SeqCst, the other half of the Dekker pair.
    if root.nwait.load(SeqCst) == 0 {
        // go: sema.go:172
        return;
    }
    semrelease_slow(root, addr, n, readied);
}

/// Harder case of Go's `semrelease1`: search for waiters and ready them, up to `n`, in
/// rounds of at most [`READIED_INLINE`] under one hold of the root lock (so the root's
/// other addresses wait no longer than behind a batch of tokio's `Notify`).
///
/// gosync takes the tokens for the waiters it dequeues here, under the root lock, where Go
/// does it only with `handoff` and after unlocking (sema.go:197), and dequeues no waiter it
/// has no token for. Under the lock, a waiter that withdraws (a time-out, a dropped future)
/// sees in one place whether a release has dequeued it and given it its token, and a
/// waiter that never looks again (a forgotten future) keeps its own token instead of
/// leaving it for another waiter of the group.
///
/// Each round takes its tokens first, in one compare-and-swap ([`cansemacquire_up_to`]),
/// then dequeues one waiter per token and gives back, still under the lock, the tokens it
/// found no queued waiter for. The tokens may be fewer than the round asked for: taken by
/// a waiter's re-check before it queued, by a waiter that left on credit (see [`cancel`]),
/// or, under misuse, by a barging acquirer. Then the waiters left stay queued for the
/// release that brings their tokens; a waiter readied without one would have to queue
/// again, and a forgotten future never does. The tokens given back wait for the waiters
/// that have not queued yet: the re-check before queueing (`queue_unless_acquired`) runs
/// under this lock, so it sees them; a lock-free `cansemacquire` that missed them while
/// the round held them goes on to that re-check.
#[cold]
#[inline(never)]
fn semrelease_slow(root: &SemaRoot, addr: &Sema, n: u32, readied: &mut Readied) {
    let mut left = n;
    while left != 0 {
        let mut queues = root.lock(); // go: sema.go:177

        // ORDERING: SeqCst; under the lock every change of `nwait` is visible anyway.
        if root.nwait.load(SeqCst) == 0 {
            // go: sema.go:178
            // The count is already consumed by another goroutine,
            // so no need to wake up another goroutine.
            return; // go: sema.go:181 (unlock)
        }
        // A semaphore nobody ever queued on has drawn no id (a waiter draws it before it
        // queues, under this lock): none of this root's waiters is ours.
        let Some(key) = addr.key_if_drawn() else {
            return;
        };
        // The tokens for the waiters, taken first: gosync always, under the lock.
        let asked = left.min(READIED_INLINE as u32);
        let tokens = cansemacquire_up_to(addr, asked); // go: sema.go:197 (cansemacquire)
        let mut served = 0;
        while served != tokens {
            // SAFETY: under the root lock.
            let Some(s) = (unsafe { queues.dequeue(key) }) else {
                // go: sema.go:184
                break; // no waiter of ours is queued (any more)
            };
            served += 1;
            // SAFETY: `s` was queued here and is not readied yet: it is still ours, under
            // the lock, until the store below hands it back to its waiter.
            let wake = unsafe { (*Sudog::wake(s)).take() };
            // SAFETY: as above; `s` is live until its waiter sees the store below.
            let s = unsafe { &*s };
            // ORDERING: Release store, read by the waiter's `readied` (an acquire): hands it
            // its token and its node, with every write of ours to both. Nothing of `s` is
            // touched after it; the thread's unpark or the task's wake follows, after
            // unlocking, through the handle taken above (`Readied`). Release, not SeqCst:
            // no reader needs it in a total order with other locations (a reader that
            // misses it takes the root lock, which orders it), and on x86-64 a SeqCst store
            // is an `xchg`.
            s.state.store(READIED_WITH_TICKET, Release); // go: sema.go:198 (s.ticket = 1)
            let wake = wake.expect("a queued waiter has a wake handle");
            readied.push(wake); // go: sema.go:200 (readyWithTime, by `Readied`, after)
        }
        if served != 0 {
            // ORDERING: SeqCst, under the root lock like every other change of `nwait`.
            root.nwait.fetch_sub(served, SeqCst); // go: sema.go:186
        }
        if served != tokens {
            // ORDERING: SeqCst, under the root lock. Puts back the tokens no queued waiter
            // took, with the releaser's writes (release), for the acquirer whose
            // `cansemacquire` takes them; the re-check of a waiter about to queue runs
            // under this lock, after this.
            addr.value.fetch_add(tokens - served, SeqCst);
        }
        if served != asked {
            // Fewer tokens than asked (the others went to waiters that took their own,
            // and the semaphore is empty), or fewer queued waiters (the tokens wait in the
            // semaphore for the waiters still on their way): nothing is left to hand out.
            return; // go: sema.go:188 (unlock)
        }
        left -= served;
        drop(queues); // go: sema.go:188 (unlock), before the next round's lock
    }
}

/// Removes the nodes still queued on `addr`, for a group that is dropped with waiters
/// counted: only a forgotten future (`mem::forget`) leaves a node queued without a waiter
/// to take it out, and once the group is gone nothing would; a new group at the same
/// address must never dequeue it. The nodes stay leaked (their futures own them); their
/// wakers are dropped after unlocking.
pub(crate) fn purge(addr: &Sema) {
    let Some(key) = addr.key_if_drawn() else {
        return; // no waiter ever queued on it
    };
    let root = SEMTABLE.root_for(address(addr));
    let mut stale = Vec::new();
    let mut queues = root.lock();
    // SAFETY: under the root lock; each node is taken out of the queue before the next.
    while let Some(s) = unsafe { queues.dequeue(key) } {
        // SAFETY: dequeued under the lock; its future is leaked and never looks again.
        stale.push(unsafe { (*Sudog::wake(s)).take() });
    }
    if !stale.is_empty() {
        // ORDERING: SeqCst, under the root lock like every other change of `nwait`.
        root.nwait.fetch_sub(stale.len() as u32, SeqCst);
    }
    drop(queues);
    drop(stale);
}

/// The store-load barrier of the `addr`/`nwait` Dekker pair, for loom.
///
/// `semrelease` writes `addr` then reads `nwait`; `semacquire` writes `nwait` then reads
/// `addr`. Go's atomics are sequentially consistent, so at least one side sees the other's
/// write and no wake-up is lost. Rust's `SeqCst` accesses give the same guarantee: all four
/// are in one total order, consistent with each thread's program order, and a `SeqCst` load
/// sees the last write before it in that order. So in the builds that ship this is nothing.
///
/// loom, though, models `SeqCst` accesses as `AcqRel` (loom issue 180; it models a `SeqCst`
/// *fence* fully), and without a fence would report a lost wake-up that cannot happen.
/// Under `gosync_loom` the fence stands in for the total order the accesses already have,
/// so loom checks the guarantee the shipped code relies on, and no more.
///
/// It was a fence in every build until the fence was measured: an `mfence` right after the
/// `lock xadd` that already orders everything on x86-64, 2 to 34 ns per waiter a release
/// wakes, by what surrounds it (docs/performance-sleeping.md, "The release alone").
#[inline]
fn store_load_fence() {
    // ORDERING: under loom, a SeqCst fence: the store-load barrier described above, which
    // loom needs to see the SeqCst total order of the accesses on either side. Elsewhere
    // nothing: those accesses are in that order by themselves.
    #[cfg(gosync_loom)]
    crate::primitive::sync::atomic::fence(SeqCst);
}

/// [`cansemacquire`] for up to `n` waiters at once: takes `min(n, value)` tokens in one
/// compare-and-swap and returns how many (0 while the value is not positive). It is Go's
/// loop, statement for statement, with `n` tokens where Go takes one.
///
/// Go tests `v == 0`; we test `v as i32 <= 0`. In Go the value never goes below zero. Here
/// a waiter that leaves after a release has counted it, but before its token arrived,
/// takes that token on credit ([`cancel`]): the value may then be negative (a debt)
/// until the release's increment pays it, and a debt is no token.
#[inline]
fn cansemacquire_up_to(addr: &Sema, n: u32) -> u32 {
    loop {
        // ORDERING: SeqCst as Go's `atomic.Load`; a stale value only costs a CAS retry.
        let v = addr.value.load(SeqCst); // go: sema.go:225
        if v as i32 <= 0 {
            return 0;
        }
        let k = v.min(n);
        // ORDERING: SeqCst. Success acquires the tokens the releasers' `fetch_add`s
        // published: everything before those releases happens before our return (for a
        // release's round, before the waiters it then readies see their tokens).
        if addr
            .value
            .compare_exchange(v, v - k, SeqCst, SeqCst)
            .is_ok()
        {
            // go: sema.go:229
            return k;
        }
    }
}

/// Go's `cansemacquire`: lock-free decrement-if-positive (its loop and the value read as
/// signed: [`cansemacquire_up_to`]).
#[inline]
fn cansemacquire(addr: &Sema) -> bool {
    cansemacquire_up_to(addr, 1) != 0
}

/// How many waiters are queued on `addr` right now (tests and the tour use it to know a
/// waiter has really parked, instead of sleeping and hoping).
pub(crate) fn queued_waiters(addr: &Sema) -> usize {
    let Some(key) = addr.key_if_drawn() else {
        return 0; // no waiter ever queued on it
    };
    let root = SEMTABLE.root_for(address(addr));
    let mut queues = root.lock();
    // SAFETY: under the root lock, held while the nodes are counted.
    let n = unsafe { queues.waiters_on(key) }.count();
    drop(queues);
    n
}
