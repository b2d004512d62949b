// Ported from Go 1.19.8 `src/runtime/runtime2.go` (`sudog`) and `src/runtime/proc.go`
// (`acquireSudog`, `releaseSudog`).
// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors, MIT OR Apache-2.0.

//! A waiter's queue node (Go's `sudog`) and the cache that recycles nodes, so that a wait
//! that sleeps allocates nothing (Go's per-P `sudogcache` and the central one behind it).
//!
//! # Why a cache, and not a node inside the future
//!
//! tokio's `Notify` and parking_lot keep a waiter's node where the waiter is: inside the
//! pinned future, on the parked thread's stack. A node inside [`Wait`](crate::Wait) needs
//! the future to be `!Unpin`, and `Wait` has been `Unpin` since its first release: users
//! poll `&mut wait` and pass it to `futures::future::select`. Go answers the same question
//! (a sudog per sleep, and no allocation per sleep) with a cache, and so does gosync: a
//! node is taken from the current thread's cache, or the central one, and given back
//! when its wait is over. After the first waits of a thread, a sleeping wait allocates
//! nothing (`cargo bench -p gosync-dev --bench allocs`).
//!
//! # Who may touch a node
//!
//! - **Owned**: between [`acquire_sudog`] and queueing, and again once the wait is over
//!   (readied and seen, or withdrawn), only the waiter that took it.
//! - **Queued**: from [`queue`](super::WaitQueues::queue) until a release dequeues it or
//!   its waiter withdraws, [`Sudog::links`] and [`Sudog::wake`] are touched only under the
//!   lock of the root its address hashes to; [`Sudog::state`] is an atomic.
//! - A release dequeues the node, takes its [`Wake`] handle out and stores
//!   [`READIED_WITH_TICKET`], all under the root lock; from that store on the node is its
//!   waiter's again, and the releaser wakes the waiter with the handle alone, after
//!   unlocking. So a waiter may see the store, return and give the node back while its
//!   releaser is still running.
//! - **Leaked**: a future leaked with `mem::forget` while queued never gives its node back.
//!   The node stays queued until its group's release readies it (it keeps its own token)
//!   or the group is dropped ([`purge`](super::purge)), and its memory is never reused.
//!
//! Identity: a node is reused only after it left every queue, so a release never finds a
//! node of an earlier wait.

use std::ptr::{self, NonNull};
use std::task::Waker;

use super::Key;
use crate::primitive::cell::UnsafeCell;
use crate::primitive::global;
use crate::primitive::sync::atomic::{
    AtomicU8,
    Ordering::{Relaxed, SeqCst},
};
use crate::primitive::sync::Mutex;
use crate::primitive::thread::{self, thread_local};

/// A queued waiter (Go's `sudog`, reduced to the fields a semaphore uses).
pub(crate) struct Sudog {
    /// The treap and list links and the address waited on; see the module docs for who
    /// may touch them.
    links: UnsafeCell<Links>,
    /// Whom to wake (Go's `s.g`): set by the waiter before it queues, taken by the
    /// release that readies it.
    wake: UnsafeCell<Option<Wake>>,
    /// [`QUEUED`] or [`READIED_WITH_TICKET`] (Go: `goready` and `s.ticket`).
    pub(super) state: AtomicU8,
}

// SAFETY: the cells are touched by one thread at a time, as the module docs set out:
// the owner while no queue holds the node, the holder of its root's lock while one does;
// the lock and the `state` store hand the node over. `Wake` is `Send`.
unsafe impl Send for Sudog {}
// SAFETY: as for `Send`: every shared access to the cells is under the root lock.
unsafe impl Sync for Sudog {}
// A panic never leaves a node half-linked: nothing that can panic runs while the links
// change (see `SemaRoot::lock`).
impl std::panic::UnwindSafe for Sudog {}
impl std::panic::RefUnwindSafe for Sudog {}

/// Go's `sudog` fields for the semaphore's treap of addresses and each address's list.
pub(super) struct Links {
    /// The semaphore waited on (Go's `elem`, its address; here with its id, see
    /// [`Sema`](super::Sema)); [`Key::NONE`] while the node is in no queue.
    pub(super) elem: Key,
    /// The treap (Go's `parent`, `prev`, `next`): one node per distinct address.
    pub(super) parent: *mut Sudog,
    pub(super) prev: *mut Sudog,
    pub(super) next: *mut Sudog,
    /// The FIFO list of the other waiters on `elem`, headed by the treap node (Go's
    /// `waitlink`; `waittail` is kept on the head only).
    pub(super) waitlink: *mut Sudog,
    pub(super) waittail: *mut Sudog,
    /// gosync's addition: the node before this one in its address's list (the head for
    /// the first), so that a waiter that withdraws leaves in O(1).
    pub(super) waitprev: *mut Sudog,
    /// The treap's random heap priority (Go's `ticket`, which Go also reuses as the
    /// hand-off flag; gosync keeps that in `state`).
    pub(super) ticket: u32,
}

impl Links {
    const EMPTY: Links = Links {
        elem: Key::NONE,
        parent: ptr::null_mut(),
        prev: ptr::null_mut(),
        next: ptr::null_mut(),
        waitlink: ptr::null_mut(),
        waittail: ptr::null_mut(),
        waitprev: ptr::null_mut(),
        ticket: 0,
    };

    pub(super) fn is_empty(&self) -> bool {
        self.elem == Key::NONE
            && self.parent.is_null()
            && self.prev.is_null()
            && self.next.is_null()
            && self.waitlink.is_null()
            && self.waittail.is_null()
            && self.waitprev.is_null()
    }
}

/// How a release wakes the waiter it readied: taken out of the node under the root lock,
/// so that waking touches nothing of the waiter's.
pub(crate) enum Wake {
    /// A thread parked in `semacquire` (Go's goroutine).
    Thread(thread::Unparker),
    /// gosync's addition: a task, by the waker of its latest poll.
    Task(Waker),
}

/// Queued (or about to queue), not yet woken by a release.
pub(super) const QUEUED: u8 = 0;
/// Dequeued by `semrelease`, which took the token for this waiter under the root lock
/// (Go: `s.ticket = 1`). gosync's releases dequeue no waiter without its token, so Go's
/// other outcome (readied, the token left to race for) does not arise.
pub(super) const READIED_WITH_TICKET: u8 = 1;

impl Sudog {
    fn new() -> Sudog {
        Sudog {
            links: UnsafeCell::new(Links::EMPTY),
            wake: UnsafeCell::new(None),
            state: AtomicU8::new(QUEUED),
        }
    }

    /// The node's links, to read or write in place.
    ///
    /// # Safety
    ///
    /// The caller may touch the node's links (see the module docs): it owns the node, or
    /// holds the lock of the root the node is queued on. The pointer must not be kept past
    /// that.
    pub(super) unsafe fn links(s: *mut Sudog) -> *mut Links {
        // SAFETY: `s` points to a live node (the caller's contract).
        unsafe { (*s).links.with_mut(|links| links) }
    }

    /// The node's wake-up handle, to set, replace or take.
    ///
    /// # Safety
    ///
    /// As for [`links`](Self::links).
    pub(super) unsafe fn wake(s: *const Sudog) -> *mut Option<Wake> {
        // SAFETY: `s` points to a live node (the caller's contract).
        unsafe { (*s).wake.with_mut(|wake| wake) }
    }

    /// Whether a release has dequeued this waiter, and so handed it its token.
    pub(crate) fn readied(&self) -> bool {
        // ORDERING: SeqCst load (an acquire); pairs with the Release store in
        // `semrelease_slow`, made under the root lock after the token was taken for us and
        // the wake handle taken out: returning `true` acquires both, and hands the node
        // back to its waiter.
        self.state.load(SeqCst) == READIED_WITH_TICKET
    }

    /// The key the race scheduler knows this wait by: the node's address, stable while
    /// its waiter sleeps.
    pub(crate) fn key(&self) -> usize {
        self as *const Sudog as usize
    }
}

/// A node taken from the cache, owned by one wait (see the module docs).
pub(crate) struct SudogRef(NonNull<Sudog>);

// SAFETY: a `SudogRef` is the owner's handle on its node, which is `Send` and `Sync`;
// moving it to another thread (a task's future polled elsewhere) moves the ownership.
unsafe impl Send for SudogRef {}
// SAFETY: shared access through `&SudogRef` reaches only `&Sudog`, which is `Sync`.
unsafe impl Sync for SudogRef {}

impl SudogRef {
    pub(crate) fn get(&self) -> &Sudog {
        // SAFETY: the node lives until `release_sudog` (which takes `self`) or for ever
        // (leaked).
        unsafe { self.0.as_ref() }
    }

    pub(super) fn as_ptr(&self) -> *mut Sudog {
        self.0.as_ptr()
    }

    /// Sets whom a release wakes. Only before the node is queued.
    pub(super) fn set_wake(&mut self, wake: Wake) {
        // SAFETY: the owner's node, not queued: nobody else touches it.
        unsafe { *Sudog::wake(self.as_ptr()) = Some(wake) };
    }
}

/// Go's per-P cache length (`sudogcache [128]*sudog`): at most this many free nodes per
/// thread; half go to the central cache when it is full.
pub(super) const LOCAL_CAPACITY: usize = 128;

/// Free nodes, as a stack of pointers: Go's per-P `pp.sudogcache` is one (a slice of
/// `*sudog`), and so is gosync's central cache, where Go links `sched.sudogcache` through
/// the nodes' `next`. A cache that links through its nodes touches every node it moves
/// (to link it, to unlink it), and a node freed on the other core is a cache miss there:
/// 64 of them per refill or spill (`docs/performance-sleeping.md`, "The sudog cache's
/// moves").
/// Here a move copies pointers and touches no node.
struct FreeNodes(Vec<NonNull<Sudog>>);

// SAFETY: the free nodes belong to the cache alone, and nodes are `Send`.
unsafe impl Send for FreeNodes {}

impl FreeNodes {
    const fn new() -> FreeNodes {
        FreeNodes(Vec::new())
    }

    fn with_capacity(capacity: usize) -> FreeNodes {
        FreeNodes(Vec::with_capacity(capacity))
    }
}

impl Drop for FreeNodes {
    fn drop(&mut self) {
        for s in self.0.drain(..) {
            // SAFETY: every cached node came from `Box::leak` and is no one's but the
            // cache's.
            drop(unsafe { Box::from_raw(s.as_ptr()) });
        }
    }
}

thread_local! {
    /// This thread's free nodes (Go's `pp.sudogcache`), allocated at the thread's first
    /// wait with room for all [`LOCAL_CAPACITY`], so that it never grows.
    // Not `const { .. }`: it allocates, and loom's `thread_local!` takes no const
    // initialiser anyway.
    #[allow(clippy::missing_const_for_thread_local)]
    static LOCAL: std::cell::RefCell<FreeNodes> =
        std::cell::RefCell::new(FreeNodes::with_capacity(LOCAL_CAPACITY));
}

global! {
    /// The central free nodes (Go's `sched.sudogcache`, under `sched.sudoglock`): where
    /// a thread whose cache is full leaves half, and a thread whose cache is empty looks
    /// first. Like Go's, it keeps what it is given; it holds at most the most nodes that
    /// were ever asleep at once (so it grows, and allocates, only while that grows).
    static CENTRAL: Mutex<FreeNodes> = Mutex::new(FreeNodes::new());
}

/// Go's `acquireSudog`: a node from this thread's cache, refilled from the central cache,
/// else a new one.
pub(crate) fn acquire_sudog() -> SudogRef {
    let cached = LOCAL.try_with(|local| {
        let local = &mut local.borrow_mut().0;
        if local.is_empty() {
            // First, try to grab a batch from central cache.
            let mut central = CENTRAL.lock().unwrap_or_else(|e| e.into_inner());
            let central = &mut central.0;
            let batch = central.len().min(LOCAL_CAPACITY / 2);
            local.extend(central.drain(central.len() - batch..));
        }
        local.pop()
    });
    // If the central cache is empty (or this thread is exiting), allocate a new one.
    let s = cached
        .ok()
        .flatten()
        .unwrap_or_else(|| NonNull::from(Box::leak(Box::new(Sudog::new()))));
    SudogRef(s)
}

/// Go's `releaseSudog`: gives a node whose wait is over back to this thread's cache,
/// moving half of a full cache to the central one. The node is in no queue.
pub(crate) fn release_sudog(s: SudogRef) {
    let s = s.0;
    // SAFETY: the owner's node, in no queue any more: nobody else touches it.
    unsafe {
        debug_assert!(
            (*Sudog::links(s.as_ptr())).is_empty(),
            "released while queued"
        );
        *Sudog::wake(s.as_ptr()) = None;
    }
    // SAFETY: as above.
    let node = unsafe { s.as_ref() };
    // ORDERING: Relaxed. The node is the owner's alone; the store is published to its next
    // owner by the cache's hand-over (this thread, or the central cache's lock).
    node.state.store(QUEUED, Relaxed);
    let kept = LOCAL.try_with(|local| {
        let local = &mut local.borrow_mut().0;
        if local.len() == LOCAL_CAPACITY {
            // Transfer half of local cache to the central cache.
            let mut central = CENTRAL.lock().unwrap_or_else(|e| e.into_inner());
            central.0.extend(local.drain(LOCAL_CAPACITY / 2..));
        }
        local.push(s);
    });
    if kept.is_err() {
        // This thread is exiting and its cache is gone: give the node to the central one.
        CENTRAL.lock().unwrap_or_else(|e| e.into_inner()).0.push(s);
    }
}
