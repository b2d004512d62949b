// Ported from Go 1.19.8 `src/sync/waitgroup.go`.
// Copyright 2011 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be found in
// LICENSE-GO. Rust port: the gosync authors, MIT OR Apache-2.0.

//! `WaitGroup`: a line-for-line port of Go 1.19's `sync/waitgroup.go`.

use std::fmt;
use std::task::Poll;

use crate::error::WaitGroupError;
use crate::primitive::const_fn_unless_model;
use crate::primitive::sync::atomic::{
    AtomicU64,
    Ordering::{Release, SeqCst},
};
use crate::race;
use crate::sema::cancel::Acquire;
use crate::sema::{purge, queued_waiters, semacquire, semrelease_n, Readied, Sema};
use crate::trace::trace;

mod checked;
mod future;
mod go;
mod guard;
mod timeout;

pub use future::Wait;
pub use guard::{DoneGuard, OwnedDoneGuard};

#[cfg(all(test, not(any(gosync_loom, gosync_shuttle))))]
mod tests;

/// The counter of a state word: its high 32 bits, as Go's `int32(state >> 32)`.
#[inline]
pub(crate) const fn counter(state: u64) -> i32 {
    (state >> 32) as i32
}

/// The waiter count of a state word: its low 32 bits, as Go's `uint32(state)`, less
/// gosync's [`GO_PANIC`] bit.
#[inline]
pub(crate) const fn waiters(state: u64) -> u32 {
    state as u32 & !(GO_PANIC as u32)
}

/// gosync's one bit in the state word: the top bit of the waiter half, set while a panic of
/// a goroutine started by [`WaitGroup::go`] is kept for a wait that finds the counter at
/// zero (see [`go`](WaitGroup::go)). Go counts waiters in all 32 bits; here they count in
/// 31, and [`waiters`] masks the bit out, so Go's lines read the same waiter count.
///
/// It lives in the state word so that a wait that finds the counter at zero learns of a
/// kept panic from the one load Go does: `wait`'s fast path is one load and one test.
const GO_PANIC: u64 = 1 << 31;

/// The bits that send a wait off the fast path: the counter, and [`GO_PANIC`].
const COUNTER_OR_GO_PANIC: u64 = !0 << 32 | GO_PANIC;

/// The state-word increment for `add(delta)`: Go's `uint64(delta) << 32`. Only the low 32
/// bits of `delta` survive the shift, so `add(1 << 32)` adds nothing.
#[inline]
const fn counter_delta(delta: isize) -> u64 {
    (delta as i64 as u64) << 32
}

/// A WaitGroup waits for a collection of goroutines to finish.
/// The main goroutine calls [`add`](Self::add) to set the number of
/// goroutines to wait for. Then each of the goroutines
/// runs and calls [`done`](Self::done) when finished. At the same time,
/// [`wait`](Self::wait) can be used to block until all goroutines have finished.
///
/// In the terminology of the Go memory model, a call to `done` "synchronizes before"
/// the return of any `wait` call that it unblocks. In Rust terms: everything a thread
/// did before its `done` (or any `add` with a negative delta) happens before the return
/// of every `wait` that this `done` unblocks, and of every `wait` that finds the counter
/// at zero after it.
///
/// Go's rules hold unchanged: the zero value ([`WaitGroup::new`], [`Default`]) is ready to
/// use; a positive `add` that starts from zero must happen before `wait`; a group reused
/// for a new set of events must see its new `add` calls happen after every previous
/// `wait` has returned. Go forbids copying a WaitGroup after first use; in Rust the type is
/// neither `Clone` nor `Copy`, and it cannot move while anything borrows it.
///
/// Misuse panics with Go's exact text (see [`WaitGroupError`]); the `try_*` methods
/// return the error instead.
///
/// Copying is a compile error, where Go's `go vet` only warns:
///
/// ```compile_fail,E0599
/// let wg = gosync::WaitGroup::new();
/// let copy = wg.clone(); // error[E0599]: no method named `clone`
/// ```
///
/// ```compile_fail,E0382
/// let wg = gosync::WaitGroup::new();
/// let moved = wg;
/// wg.wait(); // error[E0382]: borrow of moved value: not `Copy`
/// ```
///
/// # Example
///
/// Go's `ExampleWaitGroup`, fetching several URLs at once:
///
/// ```
/// use gosync::WaitGroup;
///
/// let wg = WaitGroup::new();
/// let urls = ["http://www.golang.org/", "http://www.google.com/", "http://www.example.com/"];
/// std::thread::scope(|s| {
///     for url in urls {
///         // Increment the WaitGroup counter.
///         wg.add(1);
///         // Launch a goroutine to fetch the URL.
///         s.spawn(|| {
///             // Decrement the counter when the goroutine completes.
///             let _ = url; // Fetch the URL.
///             wg.done();
///         });
///     }
///     // Wait for all HTTP fetches to complete.
///     wg.wait();
/// });
/// ```
pub struct WaitGroup {
    // 64-bit value: high 32 bits are counter, low 32 bits are waiter count.
    //
    // Go 1.19 swaps the two fields at run time on 32-bit targets to 8-align the word;
    // an `AtomicU64` is always 8-aligned, so `state()` has nothing to swap.
    state1: AtomicU64,
    /// The semaphore count the waiters sleep on (Go's `state2`, the `semap` of `state()`).
    state2: Sema,
    /// The group's identity for the race checker, standing for both of Go's keys: the sync
    /// object `unsafe.Pointer(wg)` and the memory location `semap`. The checker keeps sync
    /// clocks and shadow memory in separate maps, so one key serves both; an id, unlike
    /// an address, survives a move and is never reused. Zero-sized without `race`.
    race: race::ObjectId,
    /// gosync's addition: the first panic of a goroutine started by [`go`](Self::go),
    /// until a wait re-raises it.
    go_panic: go::GoPanic,
}

impl WaitGroup {
    const_fn_unless_model! {
        /// A WaitGroup with counter and waiters at zero: Go's zero value, ready to use.
        /// A `const fn` in normal builds, so a WaitGroup can live in a `static`.
        ///
        /// ```
        /// use gosync::WaitGroup;
        ///
        /// static WG: WaitGroup = WaitGroup::new();
        /// WG.wait(); // the zero value: returns at once
        /// ```
        #[must_use]
        pub fn new() -> WaitGroup {
            WaitGroup {
                state1: AtomicU64::new(0),
                state2: Sema::new(),
                race: race::ObjectId::new(),
                go_panic: go::GoPanic::new(),
            }
        }
    }

    /// Go's `state()`: the state word and the semaphore.
    #[inline]
    fn state(&self) -> (&AtomicU64, &Sema) {
        (&self.state1, &self.state2) // go: waitgroup.go:40
    }

    /// Add adds delta, which may be negative, to the WaitGroup counter.
    /// If the counter becomes zero, all goroutines blocked on Wait are released.
    /// If the counter goes negative, Add panics.
    ///
    /// Note that calls with a positive delta that occur when the counter is zero
    /// must happen before a Wait. Calls with a negative delta, or calls with a
    /// positive delta that start when the counter is greater than zero, may happen
    /// at any time.
    /// Typically this means the calls to Add should execute before the statement
    /// creating the goroutine or other event to be waited for.
    /// If a WaitGroup is reused to wait for several independent sets of events,
    /// new Add calls must happen after all previous Wait calls have returned.
    ///
    /// Go's arithmetic is kept exactly: only the low 32 bits of `delta` count
    /// (`add(1 << 32)` changes nothing), the counter wraps as an `i32`, and a panic rolls
    /// nothing back.
    ///
    /// # Panics
    ///
    /// As Go: with `sync: negative WaitGroup counter` when the counter goes negative, and
    /// with `sync: WaitGroup misuse: Add called concurrently with Wait` when a positive
    /// delta races the release of waiters. The new counter stays in place. See
    /// [`try_add`](Self::try_add) for a version that returns the error instead.
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(2);
    /// wg.done();
    /// wg.add(-1);
    /// wg.wait(); // counter is zero: returns at once
    /// ```
    #[inline]
    #[track_caller]
    pub fn add(&self, delta: isize) {
        let (statep, semap) = self.state(); // go: waitgroup.go:63
        let _enable = if race::ENABLED {
            // go: waitgroup.go:64
            if delta < 0 {
                // go: waitgroup.go:66
                // Synchronize decrements with Wait.
                race::keyed::release_merge(&self.race); // go: waitgroup.go:68
            }
            race::disable(); // go: waitgroup.go:70
            Some(race::EnableOnDrop) // go: waitgroup.go:71 (defer race.Enable())
        } else {
            None
        };
        // ORDERING: SeqCst, as Go's atomics. Release publishes this thread's writes to the
        // waiter that reads the zero (the Done -> Wait edge); acquire lets the `add` that
        // zeroes the counter carry every earlier decrement on to its `store(0)` below.
        let state = statep
            .fetch_add(counter_delta(delta), SeqCst)
            .wrapping_add(counter_delta(delta)); // go: waitgroup.go:73
        let v = counter(state); // go: waitgroup.go:74
        let w = waiters(state); // go: waitgroup.go:75
        let releases = v == 0 && w != 0;
        // gosync: a releasing `add` (counter 0, waiters counted) reports after its release,
        // once its group is consistent again: no subscriber inside the window (issue 11,
        // defect 6).
        if !releases {
            trace!(target: "gosync::waitgroup", delta, counter = v, waiters = w, "add");
        }
        // gosync: inside the window only the unstable hook runs code (never a shipped build).
        #[cfg(feature = "unstable-window-hook")]
        if releases {
            crate::window_hook::enter(crate::window_hook::Window::Release);
        }
        if race::ENABLED && delta > 0 && v == delta as i32 {
            // go: waitgroup.go:76
            // The first increment must be synchronized with Wait.
            // Need to model this as a read, because there can be
            // several concurrent wg.counter transitions from 0.
            race::keyed::read(&self.race); // go: waitgroup.go:80 (semap)
        }
        if v < 0 {
            // go: waitgroup.go:82
            WaitGroupError::NegativeCounter.panic(); // go: waitgroup.go:83
        }
        if w != 0 && delta > 0 && v == delta as i32 {
            // go: waitgroup.go:85
            WaitGroupError::AddCalledConcurrentlyWithWait.panic(); // go: waitgroup.go:86
        }
        if v > 0 || w == 0 {
            // go: waitgroup.go:88
            return; // go: waitgroup.go:89
        }
        // This goroutine has set counter to 0 when waiters > 0.
        // Now there can't be concurrent mutations of state:
        // - Adds must not happen concurrently with Wait,
        // - Wait does not increment waiters if it sees counter == 0.
        // Still do a cheap sanity check to detect WaitGroup misuse.
        // ORDERING: SeqCst (Go 1.20+ `Load`); the check is about this one location only.
        if statep.load(SeqCst) != state {
            // go: waitgroup.go:96
            WaitGroupError::AddCalledConcurrentlyWithWait.panic(); // go: waitgroup.go:97
        }
        // counter 0 with waiters: the release path.
        release_waiters(statep, semap, state, w);
        // gosync: a releasing `add` reports once its group is consistent again.
        trace!(target: "gosync::waitgroup", delta, counter = v, waiters = w, "add");
    }

    /// Done decrements the WaitGroup counter by one: exactly `add(-1)`.
    ///
    /// # Panics
    ///
    /// With `sync: negative WaitGroup counter` when the counter was already zero; the
    /// counter is then -1, as in Go. See [`try_done`](Self::try_done).
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(1);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| wg.done());
    ///     wg.wait();
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn done(&self) {
        trace!(target: "gosync::waitgroup", "done");
        self.add(-1); // go: waitgroup.go:108
    }

    /// Wait blocks until the WaitGroup counter is zero.
    ///
    /// Every `done` that brought the counter down happens before `wait` returns. A
    /// negative counter (after a recovered "negative counter" panic) does not count as
    /// zero: `wait` blocks until an `add` brings it back to zero, as in Go.
    ///
    /// # Panics
    ///
    /// With `sync: WaitGroup is reused before previous Wait has returned` when, after
    /// being woken, it finds the group counting again (a new generation's `add` did not
    /// wait for this `wait` to return). See [`checked_wait`](Self::checked_wait).
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// let mut results = [0; 4];
    /// std::thread::scope(|s| {
    ///     for (i, slot) in results.iter_mut().enumerate() {
    ///         wg.add(1);
    ///         let wg = &wg;
    ///         s.spawn(move || {
    ///             *slot = i * i;
    ///             wg.done();
    ///         });
    ///     }
    ///     wg.wait();
    /// });
    /// assert_eq!(results, [0, 1, 4, 9]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn wait(&self) {
        if let Err(misuse) = self.wait_port() {
            misuse.panic(); // go: waitgroup.go:141
        }
    }

    /// Go's `Wait`, with its one panic returned as an error so that [`wait`](Self::wait)
    /// and [`checked_wait`](Self::checked_wait) share it.
    ///
    /// gosync peels off, inline in the caller, the first turn of Go's loop when it returns
    /// at once (waitgroup.go:119-128: the counter is zero), so that this common case is one
    /// load and one test and the rest of Go's `Wait` is a call, out of line. Not with the
    /// `race` or `tracing` feature, which have more to do in that turn.
    #[inline]
    #[track_caller]
    fn wait_port(&self) -> Result<(), WaitGroupError> {
        if !race::ENABLED && !cfg!(feature = "tracing") {
            let (statep, _) = self.state();
            // ORDERING: SeqCst, the load of waitgroup.go:119 (see `wait_go`).
            if statep.load(SeqCst) & COUNTER_OR_GO_PANIC == 0 {
                return Ok(()); // go: waitgroup.go:128
            }
        }
        self.wait_port_slow()
    }

    /// Go's `Wait` for a thread: [`wait_go`](Self::wait_go) sleeping in `semacquire`.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn wait_port_slow(&self) -> Result<(), WaitGroupError> {
        let _site = race::blocking_here(); // the race build's dump names the user's wait
        let semacquire = |semap: &Sema| {
            semacquire(semap);
            Poll::Ready(Acquire::Token)
        };
        self.wait_go(Entry::Start(semacquire)).map(drop)
    }

    /// Go's `Wait`, line for line (waitgroup.go:113-147), for every kind of waiter: the sleep
    /// on the semaphore (waitgroup.go:139) is `entry`'s, so that [`wait`](Self::wait), the
    /// timed waits and [`Wait`](crate::Wait) share Go's lines.
    ///
    /// The sleep ends in one of the ways of [`Acquire`]: woken with a token (Go's only way),
    /// leaving on credit (see [`crate::sema::cancel`]), or withdrawn (a time-out). A task's
    /// sleep may also be `Pending`; its later polls come back in at the sleep
    /// ([`Entry::Resume`]). Returns `Ready(true)` when the counter reached zero,
    /// `Ready(false)` when the waiter withdrew, `Pending` while a task sleeps.
    #[inline]
    #[track_caller]
    fn wait_go(
        &self,
        entry: Entry<impl FnOnce(&Sema) -> Poll<Acquire>>,
    ) -> Result<Poll<bool>, WaitGroupError> {
        let (statep, semap) = self.state(); // go: waitgroup.go:113
        if race::ENABLED {
            // go: waitgroup.go:114
            race::disable(); // go: waitgroup.go:116
        }
        let slept = match entry {
            // gosync: a task's later poll, back at the sleep of waitgroup.go:139.
            Entry::Resume(semacquire) => semacquire(semap),
            Entry::Start(semacquire) => loop {
                // go: waitgroup.go:118
                // ORDERING: SeqCst, as Go's `atomic.LoadUint64`. Reading the zero written by
                // the last decrement (or the releaser's reset) acquires every `done`.
                let state = statep.load(SeqCst); // go: waitgroup.go:119
                let v = counter(state); // go: waitgroup.go:120
                let w = waiters(state); // go: waitgroup.go:121
                if v == 0 {
                    // go: waitgroup.go:122
                    // Counter is 0, no need to wait.
                    trace!(target: "gosync::waitgroup", counter = v, waiters = w, "wait: counter is zero, return");
                    if race::ENABLED {
                        // go: waitgroup.go:124
                        race::enable(); // go: waitgroup.go:125
                        race::keyed::acquire(&self.race); // go: waitgroup.go:126
                    }
                    if state & GO_PANIC != 0 && w == 0 {
                        self.go_panic.reraise_flagged(statep, state); // gosync: see `go`
                    }
                    return Ok(Poll::Ready(true)); // go: waitgroup.go:128
                }
                // gosync: the event comes before the CAS counts this waiter, so that no
                // subscriber runs while it is counted and not yet on the semaphore.
                trace!(target: "gosync::waitgroup", counter = v, waiters = w, "wait: counter is not zero, register and sleep");
                // Increment waiters count.
                // ORDERING: SeqCst. The CAS and the final `add`'s `fetch_add` are RMWs of
                // one location, so whichever comes second sees the other: the releaser
                // always counts this waiter. The Done -> Wait edge comes through the
                // semaphore.
                if statep
                    .compare_exchange(state, state.wrapping_add(1), SeqCst, SeqCst)
                    .is_ok()
                {
                    // go: waitgroup.go:131
                    if race::ENABLED && w == 0 {
                        // go: waitgroup.go:132
                        // Wait must be synchronized with the first Add.
                        // Need to model this is as a write to race with the read in Add.
                        // As a consequence, can do the write only for the first waiter,
                        // otherwise concurrent Waits will race with each other.
                        race::keyed::write(&self.race); // go: waitgroup.go:137 (semap)
                    }
                    // gosync: counted, not yet on the semaphore. Only the unstable hook
                    // (never in a shipped build) runs code here.
                    #[cfg(feature = "unstable-window-hook")]
                    crate::window_hook::enter(crate::window_hook::Window::Registered);
                    break semacquire(semap); // go: waitgroup.go:139
                }
            },
        };
        let state = match slept {
            Poll::Pending => return Ok(Poll::Pending), // gosync: a task sleeps
            // ORDERING: SeqCst. Ordered after the releaser's reset through the semaphore,
            // so a counter or a waiter is a later `add` or `wait`: misuse.
            Poll::Ready(Acquire::Token) => statep.load(SeqCst), // go: waitgroup.go:140 (*statep)
            // gosync: left on credit, perhaps before the releasing `add` reset the word.
            Poll::Ready(Acquire::Owed) => timeout::wait_for_reset(statep),
            Poll::Ready(Acquire::Withdrawn) => {
                // gosync: a time-out before any release counted this waiter: acquires
                // nothing.
                if race::ENABLED {
                    race::enable();
                }
                return Ok(Poll::Ready(false));
            }
        };
        if race::ENABLED {
            // go: waitgroup.go:143
            // Go 1.19 panics before re-enabling; we re-enable first (as Go 1.26
            // does) so a recovered panic leaves this thread's race sync on.
            race::enable(); // go: waitgroup.go:144
            race::keyed::acquire(&self.race); // go: waitgroup.go:145
        }
        // gosync: the kept-panic bit of `go` is no counter (see `GO_PANIC`).
        if state & !GO_PANIC != 0 {
            // go: waitgroup.go:140 (*statep != 0)
            return Err(WaitGroupError::ReusedBeforePreviousWaitReturned); // go: waitgroup.go:141
        }
        trace!(target: "gosync::waitgroup", "wait: woken, return");
        if state & GO_PANIC != 0 {
            self.go_panic.reraise_flagged(statep, state); // gosync: see `go`
        }
        Ok(Poll::Ready(true)) // go: waitgroup.go:147
    }

    /// Like [`add`](Self::add), but returns Go's panic as an error **and leaves the
    /// WaitGroup unchanged** when it does.
    ///
    /// The check and the change are one compare-and-swap, so nothing is committed unless
    /// the add is valid. Where `add` would release waiters, the same CAS also resets the
    /// word to zero, so the window that `add`'s sanity re-check guards does not exist here
    /// and no error can arise after the commit.
    ///
    /// # Errors
    ///
    /// - [`WaitGroupError::NegativeCounter`] if the counter would go negative.
    /// - [`WaitGroupError::AddCalledConcurrentlyWithWait`] if a positive delta would move
    ///   the counter off zero while waiters of the previous generation are still counted.
    ///
    /// ```
    /// use gosync::{WaitGroup, WaitGroupError};
    ///
    /// let wg = WaitGroup::new();
    /// assert_eq!(wg.try_add(-1), Err(WaitGroupError::NegativeCounter));
    /// assert_eq!(wg.snapshot().counter, 0); // unchanged, unlike Go's panic
    /// assert_eq!(wg.try_add(3), Ok(()));
    /// assert_eq!(wg.snapshot().counter, 3);
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_add(&self, delta: isize) -> Result<(), WaitGroupError> {
        let (statep, semap) = self.state();
        // ORDERING: SeqCst as in `add`; a stale value only fails the CAS below.
        let mut old = statep.load(SeqCst);
        loop {
            let state = old.wrapping_add(counter_delta(delta));
            let (v, w) = (counter(state), waiters(state));
            if v < 0 {
                return Err(WaitGroupError::NegativeCounter);
            }
            if w != 0 && delta > 0 && v == delta as i32 {
                return Err(WaitGroupError::AddCalledConcurrentlyWithWait);
            }
            let releases = v == 0 && w != 0;
            // As `release_waiters`: the reset keeps the kept-panic bit.
            let new = if releases { state & GO_PANIC } else { state };
            let _enable = if race::ENABLED {
                if delta < 0 {
                    race::keyed::release_merge(&self.race);
                }
                race::disable();
                Some(race::EnableOnDrop)
            } else {
                None
            };
            // ORDERING: SeqCst, as the `fetch_add` in `add` (release of this thread's
            // writes, acquire of earlier decrements when zeroing). Failure: SeqCst load.
            match statep.compare_exchange(old, new, SeqCst, SeqCst) {
                Ok(_) => {
                    if race::ENABLED && delta > 0 && v == delta as i32 {
                        race::keyed::read(&self.race);
                    }
                    if releases {
                        let mut readied = Readied::default();
                        readied.reserve(w);
                        semrelease_n(semap, w, &mut readied);
                        readied.wake_all();
                    }
                    // After the release: no subscriber inside the window.
                    trace!(target: "gosync::waitgroup", delta, counter = v, waiters = w, "try_add");
                    return Ok(());
                }
                Err(current) => old = current,
            }
        }
    }

    /// Like [`done`](Self::done), but returns the error instead of panicking and leaves
    /// the counter at zero when it does.
    ///
    /// # Errors
    ///
    /// [`WaitGroupError::NegativeCounter`] if the counter is already zero.
    ///
    /// ```
    /// use gosync::{WaitGroup, WaitGroupError};
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(1);
    /// assert_eq!(wg.try_done(), Ok(()));
    /// assert_eq!(wg.try_done(), Err(WaitGroupError::NegativeCounter));
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_done(&self) -> Result<(), WaitGroupError> {
        self.try_add(-1)
    }

    /// Like [`wait`](Self::wait), but returns Go's "reused" panic as an error. **Blocks**,
    /// like `wait`: deprecated for [`checked_wait`](Self::checked_wait), its new name, since
    /// a `try_*` method in std never blocks; [`is_zero`](Self::is_zero) asks without
    /// blocking.
    ///
    /// That misuse is seen only after this waiter was released and took its semaphore
    /// token, so it cannot be undone: on `Err`, this waiter is no longer counted (the
    /// releaser reset the waiter count), its token is consumed, and the group holds
    /// whatever the racing `add` put there. The group stays usable.
    ///
    /// # Errors
    ///
    /// [`WaitGroupError::ReusedBeforePreviousWaitReturned`], as described above.
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// # #[allow(deprecated)]
    /// assert_eq!(wg.try_wait(), Ok(()));
    /// ```
    #[deprecated(
        since = "0.2.0",
        note = "`try_wait` blocks, unlike every `try_*` in std: use `checked_wait` (the same \
                blocking wait, misuse as an error) or `is_zero` (never blocks)"
    )]
    #[inline]
    #[track_caller]
    pub fn try_wait(&self) -> Result<(), WaitGroupError> {
        self.wait_port()
    }

    /// A racy snapshot of the group, for debugging and teaching only.
    ///
    /// Go offers no way to read the counter, because a value read while other threads
    /// call `add` and `done` is stale at once (golang/go PR 13597). Never synchronise on
    /// it; it creates no happens-before edge for the race checker either.
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(2);
    /// let s = wg.snapshot();
    /// assert_eq!((s.counter, s.waiters, s.state), (2, 0, 0x0000_0002_0000_0000));
    /// ```
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        let (statep, semap) = self.state();
        // ORDERING: SeqCst; an observation only, stale as soon as it is taken.
        let state = statep.load(SeqCst);
        Snapshot {
            state,
            counter: counter(state),
            waiters: waiters(state),
            go_panic: state & GO_PANIC != 0,
            // ORDERING: SeqCst; an observation only.
            sema: semap.value(),
            parked: queued_waiters(semap),
        }
    }
}

/// The release path of [`WaitGroup::add`]: this goroutine set the counter to 0 with
/// `w > 0` waiters registered (the word is `state`). Reset the word, release one token per
/// waiter, then wake them.
///
/// No user code runs until the group is consistent again: the word is reset and every
/// token released before the first waiter is woken (a task's waker is user code; see
/// [`Readied`]), and the caller's `tracing` event comes after.
#[cold]
#[inline(never)]
fn release_waiters(statep: &AtomicU64, semap: &Sema, state: u64, w: u32) {
    // Reset waiters count to 0.
    // ORDERING: Release (Go 1.19: a plain `*statep = 0`; Go 1.20+: `Store`, whose
    // sequential consistency nothing here needs). A waiter reading this zero on its fast
    // path (an acquire load) acquires the decrements this thread gathered with its
    // acquiring `fetch_add`; a woken waiter is ordered after it through the semaphore (the
    // token's `fetch_add` below, which it acquires). The word's read-modify-writes see
    // this store or a later one whatever its ordering; no reader needs it in one total
    // order with another location (loom, which models `SeqCst` accesses as acquire and
    // release, has checked every model with it as it is now). As
    // `SeqCst` it was an `xchg` on x86-64, in every release (docs/performance-sleeping.md,
    // "One hand-off"). gosync keeps the kept-panic bit of `go` (see `GO_PANIC`): the wait
    // that re-raises the panic clears it.
    statep.store(state & GO_PANIC, Release); // go: waitgroup.go:100
    let mut readied = Readied::default();
    readied.reserve(w);
    semrelease_n(semap, w, &mut readied); // go: waitgroup.go:101-103 (the loop, one call)
    readied.wake_all();
}

/// Which way [`WaitGroup::wait_go`] is entered.
enum Entry<S> {
    /// From the top (waitgroup.go:113), sleeping with `S` at line 139.
    Start(S),
    /// A task's later poll: back at the sleep of line 139, with `S` looking again.
    Resume(S),
}

impl Drop for WaitGroup {
    /// Purges the semaphore nodes of waiters that can never leave: a group dropped with
    /// waiters counted has only forgotten futures (`mem::forget`) left, whose nodes would
    /// otherwise stay queued at this address for a later group to dequeue. A group with no
    /// waiter counted, the only kind correct code drops, pays one load.
    fn drop(&mut self) {
        // ORDERING: SeqCst; `&mut self`: no other thread can touch the word any more.
        if waiters(self.state1.load(SeqCst)) != 0 {
            purge(&self.state2);
        }
    }
}

impl Default for WaitGroup {
    /// Same as [`WaitGroup::new`]: Go's zero value.
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WaitGroup {
    /// Shows the counter and the number of registered waiters, decoded from one load of
    /// the state word.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // ORDERING: SeqCst; an observation only.
        let state = self.state1.load(SeqCst);
        f.debug_struct("WaitGroup")
            .field("counter", &counter(state))
            .field("waiters", &waiters(state))
            .finish()
    }
}

/// A racy view of a [`WaitGroup`], returned by [`WaitGroup::snapshot`]: a debugging and
/// teaching view of the internals, not an API to synchronise on.
///
/// The fields are the port's internals as they are in this version (Go's packed word,
/// the semaphore count, gosync's queue): they are stale as soon as they are read, and
/// they may gain fields or change meaning with the implementation (`#[non_exhaustive]`).
/// To ask "is the counter zero?" use [`WaitGroup::is_zero`], which also orders the
/// `done`s before the caller.
///
/// ```
/// use gosync::WaitGroup;
///
/// let wg = WaitGroup::new();
/// wg.add(3);
/// wg.done();
/// let s = wg.snapshot();
/// assert_eq!(s.state, 0x0000_0002_0000_0000); // counter 2 in the high half, no waiters
/// assert_eq!((s.counter, s.waiters, s.sema, s.parked), (2, 0, 0, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    /// The whole 64-bit state word: counter in the high half, waiters in the low half
    /// (and gosync's `go_panic` bit, the top bit of the low half).
    pub state: u64,
    /// The counter (`int32(state >> 32)`); negative after a recovered "negative" panic.
    pub counter: i32,
    /// Waiters registered by `wait` in this generation (`uint32(state)`, without the
    /// `go_panic` bit).
    pub waiters: u32,
    /// Whether a panic of a goroutine started by [`WaitGroup::go`] is kept in the state
    /// word for the next wait that finds the counter at zero (bit 31 of `state`). gosync
    /// only; a release that wakes registered waiters clears it, and one of them re-raises.
    pub go_panic: bool,
    /// Tokens in the semaphore not yet taken by a woken waiter. Read as an `i32`, it is
    /// briefly negative while a timed-out or cancelled waiter that a release had already
    /// counted owes its token (see `docs/beyond-go.md`); Go's value never is.
    pub sema: u32,
    /// Waiters asleep in the semaphore's queue for this group.
    pub parked: usize,
}
