//! gosync's [`WaitGroup::go`] (Go 1.25's `WaitGroup.Go`), its forms for a group that is not
//! in an `Arc` ([`go_static`](WaitGroup::go_static), [`go_scoped`](WaitGroup::go_scoped)),
//! the panic policy they share, and why the group is still [`UnwindSafe`] with that
//! policy's panic slot inside.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe, RefUnwindSafe, UnwindSafe};
use std::ptr;
use std::sync::Arc;
use std::thread::{Scope, ScopedJoinHandle};

use super::{WaitGroup, GO_PANIC};
use crate::primitive::const_fn_unless_model;
use crate::primitive::sync::atomic::{
    AtomicPtr, AtomicU64,
    Ordering::{Acquire, Relaxed, Release, SeqCst},
};
use crate::{race, JoinHandle};

/// A panic payload, as `std::thread::Result` carries it.
type Payload = Box<dyn Any + Send + 'static>;

impl WaitGroup {
    /// Calls `f` on a new goroutine ([`gosync::go`](crate::go)) and adds that task to the
    /// group: Go 1.25's `wg.Go(f)`. [`add(1)`](Self::add) happens here, in the caller,
    /// before the goroutine starts; [`done`](Self::done) when `f` returns. Returns the
    /// goroutine's [`JoinHandle`]; dropping it detaches the goroutine, as in Go.
    ///
    /// Go's rules hold: if the group is empty, `go` must happen before a
    /// [`wait`](Self::wait); a goroutine started by `go` may itself call `go`; when the group
    /// is reused, new `go` calls must come after every previous wait returned. Everything
    /// `f` did happens before the return of the wait it unblocks.
    ///
    /// The receiver is an `Arc` because the goroutine outlives this call and calls `done`
    /// on the group when `f` returns.
    ///
    /// # Panics in `f`
    ///
    /// As [`std::thread::scope`] does it, not as Go does:
    ///
    /// - the group is still marked done, so no waiter hangs;
    /// - the next wait of the group that returns because the counter reached zero
    ///   ([`wait`](Self::wait), [`checked_wait`](Self::checked_wait), a `true`
    ///   [`wait_timeout`](Self::wait_timeout) or [`wait_deadline`](Self::wait_deadline), a
    ///   completing [`wait_async`](Self::wait_async)) re-raises the first such panic with
    ///   [`std::panic::resume_unwind`], with `f`'s own payload. One wait re-raises it; other
    ///   waiters of that generation return normally. Later panics of the same generation
    ///   are only in their handles;
    /// - [`JoinHandle::join`] returns `Err` too, with a copy of the payload (exact for the
    ///   `&str` and `String` payloads of `panic!`; any other payload type becomes a `&str`
    ///   naming the policy, since a payload cannot be cloned).
    ///
    /// Go 1.25 calls `Done` in a `defer`, so a panicking `f` lets `Wait` return and the
    /// program may carry on while the panic is still crashing it (golang/go#74702). Go
    /// 1.26 does not call `Done` when `f` panics: the unrecovered panic crashes the whole
    /// process, and nothing waits. In Rust a panic ends only its own thread, so not
    /// calling `done` would leave every waiter hanging for ever, and calling it silently
    /// would lose the failure; re-raising it at the wait keeps both the liveness and the
    /// failure, which is what Rust's scoped threads do.
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// use std::sync::Arc;
    ///
    /// let wg = Arc::new(WaitGroup::new());
    /// let squares: Vec<_> = (1..=3).map(|i| wg.go(move || i * i)).collect();
    /// wg.wait();
    /// let squares: Vec<i32> = squares.into_iter().map(|h| h.join().unwrap()).collect();
    /// assert_eq!(squares, [1, 4, 9]);
    /// ```
    ///
    /// A panic reaches the wait:
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    /// use std::sync::Arc;
    ///
    /// let wg = Arc::new(WaitGroup::new());
    /// let handle = wg.go(|| panic!("boom"));
    /// let payload = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// assert_eq!(handle.join().unwrap_err().downcast_ref::<&str>(), Some(&"boom"));
    /// wg.wait(); // reported once: the group is clean again
    /// ```
    ///
    /// # Panics
    ///
    /// As [`add`](Self::add)`(1)`, in the caller. If the thread cannot be started
    /// (`std::thread::spawn` panics: the OS refused, or `RUST_MIN_STACK` is too large), the
    /// `add` is undone first, so the group is as before the call, and then the spawn's panic
    /// is resumed.
    #[track_caller]
    pub fn go<F, T>(self: &Arc<Self>, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.add(1);
        let wg = Arc::clone(self);
        let spawned = panic::catch_unwind(AssertUnwindSafe(|| crate::go(move || wg.run_go(f))));
        spawned.unwrap_or_else(|spawn_failed| {
            // The thread never started, so `f` never runs and nobody will call `done`:
            // undo the `add` (waking any waiter it held), then report the failure.
            self.done();
            panic::resume_unwind(spawn_failed)
        })
    }

    /// The body of a goroutine started by one of the `go` methods ([`go`](Self::go),
    /// `go_static`, `go_scoped`): `f`, then the panic policy and `done`.
    fn run_go<F: FnOnce() -> T, T>(&self, f: F) -> T {
        // Sound: on a panic `f` is gone and nothing it touched is looked at here.
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        self.go_finished(result)
            .unwrap_or_else(|copy| panic::resume_unwind(copy))
    }

    /// The end of a goroutine started by [`go`](Self::go): keeps a panic for the waits,
    /// then `done`. Returns `f`'s result, or a copy of its panic for the goroutine to
    /// unwind with.
    pub(super) fn go_finished<T>(&self, result: std::thread::Result<T>) -> std::thread::Result<T> {
        let result = result.map_err(|payload| self.go_panic.keep_first(payload, self.state().0));
        self.done();
        result
    }
}

// ---- go_static and go_scoped ----------------------------------------------------------
//
// `WaitGroup::go` for groups that are not in an `Arc`: `go_static` for a
// `&'static WaitGroup` (a `static`, or a leaked box), and `go_scoped` for a group borrowed
// inside `std::thread::scope`. Same `add(1)` in the caller, same `done` when `f` returns,
// same panic policy.

impl WaitGroup {
    /// [`go`](Self::go) for a group that lives for the whole program, such as a `static`:
    /// no `Arc` needed. Calls `f` on a new goroutine ([`gosync::go`](crate::go)) after
    /// [`add(1)`](Self::add) in the caller, and [`done`](Self::done) when `f` returns; a
    /// panic in `f` reaches the next wait, as described at [`go`](Self::go).
    ///
    /// # Panics
    ///
    /// As [`add`](Self::add)`(1)`, in the caller.
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    ///
    /// static WG: WaitGroup = WaitGroup::new();
    /// static HITS: AtomicU32 = AtomicU32::new(0);
    ///
    /// for _ in 0..3 {
    ///     WG.go_static(|| HITS.fetch_add(1, Relaxed));
    /// }
    /// WG.wait();
    /// assert_eq!(HITS.load(Relaxed), 3);
    /// ```
    #[track_caller]
    pub fn go_static<F, T>(&'static self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.add(1);
        crate::go(move || self.run_go(f))
    }

    /// [`go`](Self::go) inside [`std::thread::scope`]: `f` may borrow from the enclosing
    /// stack frame, and the group is borrowed too. Calls `f` on a new scoped thread after
    /// [`add(1)`](Self::add) in the caller, and [`done`](Self::done) when `f` returns; a
    /// panic in `f` reaches the next wait, as described at [`go`](Self::go), and the
    /// returned handle's `join` gives `Err` with a copy of it (if nobody joins it, the
    /// scope panics at its end, as `std::thread::scope` does for any panicked thread).
    ///
    /// With the `race` feature the thread starts with the caller's fork edge (as
    /// [`race::forked`] gives); what `f` did is ordered before the wait it unblocks.
    /// Scoped threads are std's: not for use inside a loom or shuttle model (use
    /// [`go`](Self::go) there).
    ///
    /// # Panics
    ///
    /// As [`add`](Self::add)`(1)`, in the caller.
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// let mut squares = [0; 4];
    /// std::thread::scope(|s| {
    ///     for (i, slot) in squares.iter_mut().enumerate() {
    ///         wg.go_scoped(s, move || *slot = i * i);
    ///     }
    ///     wg.wait();
    /// });
    /// assert_eq!(squares, [0, 1, 4, 9]);
    /// ```
    #[track_caller]
    pub fn go_scoped<'scope, F, T>(
        &'scope self,
        scope: &'scope Scope<'scope, '_>,
        f: F,
    ) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        self.add(1);
        scope.spawn(race::forked(move || self.run_go(f)))
    }
}

// ---- The panic policy's slot ----------------------------------------------------------

/// The first panic of a goroutine started by [`WaitGroup::go`], kept for the wait that
/// returns next: a pointer to the boxed payload, null while none is kept.
///
/// The slot goes with the [`GO_PANIC`] bit of the state word, which is what a wait checks:
/// a group that never calls `go` pays 8 bytes and nothing on any path. The slot moves with
/// the group and frees a payload nobody re-raised when the group is dropped.
///
/// Who re-raises: the goroutine keeps its payload and sets the bit before its `done`, so
/// the wait that sees the counter at zero after that `done` sees the bit too.
/// - No waiter registered (waiters 0): the bit stays until a wait finds the counter at
///   zero, clears it with a compare-and-swap from the word it read, and takes the payload
///   ([`reraise_flagged`](Self::reraise_flagged)).
/// - Waiters registered: the releasing `add` resets the word to the bit alone, and the
///   woken waiters race for it as above; a wait that reads the word between that `add`'s
///   decrement and its reset returns, as in Go, and leaves the bit alone.
///
/// The bit, not the slot, decides, and only a wait that re-raises clears it: a waiter that
/// takes its token and never looks (a future dropped after it was woken, a forgotten one)
/// leaves the bit for the next wait, so the panic is neither lost nor raised by a wait
/// that cannot see the bit. A kept panic that no wait of its generation re-raised (none
/// came, or every one was dropped) stays with the group: the bit goes through a new
/// generation's `add`, and that generation's first completing wait re-raises it.
pub(super) struct GoPanic(AtomicPtr<Payload>);

impl GoPanic {
    const_fn_unless_model! {
        pub(super) fn new() -> GoPanic {
            GoPanic(AtomicPtr::new(ptr::null_mut()))
        }
    }

    /// Keeps `payload` if it is the first and sets the [`GO_PANIC`] bit of `statep`, and
    /// returns what the goroutine unwinds with (so its `join` sees): a copy.
    fn keep_first(&self, payload: Payload, statep: &AtomicU64) -> Payload {
        let copy = copy_of(&*payload);
        let boxed = Box::into_raw(Box::new(payload));
        // ORDERING: Release on success publishes the payload to the wait that takes it
        // (the Acquire swap in `take`). Failure: Relaxed, a panic is already kept and this
        // one stays only in its handle. The goroutine's `done` follows, so a wait that
        // this `done` unblocks is ordered after the store and sees it.
        let kept = self
            .0
            .compare_exchange(ptr::null_mut(), boxed, Release, Relaxed);
        if kept.is_err() {
            // SAFETY: `boxed` comes from `Box::into_raw` above and was never published.
            drop(unsafe { Box::from_raw(boxed) });
        }
        // ORDERING: SeqCst, as every RMW of the state word. It comes after the payload's
        // Release store and before this goroutine's `done`, whose counter it still holds; a
        // wait that reads the bit (from this RMW or a later one in the word's order) takes
        // the payload with the Acquire swap of `take`. If the payload was not kept, an
        // earlier one is in the slot and the bit marks that one.
        statep.fetch_or(GO_PANIC, SeqCst);
        copy
    }

    /// For a wait that read `state` with the counter at zero, no waiters and the
    /// [`GO_PANIC`] bit set (having found the counter at zero, or woken by the release that
    /// kept the bit): clears the bit and re-raises the kept panic. If the word has
    /// changed since, another wait cleared the bit first and re-raises the panic itself (or
    /// a new `add` came before this wait returned, which Go's rules forbid; the bit then
    /// stays for the next wait).
    #[cold]
    #[inline(never)]
    pub(super) fn reraise_flagged(&self, statep: &AtomicU64, state: u64) {
        // ORDERING: SeqCst, as every RMW of the state word; the payload is acquired by
        // `take`'s swap. Failure: nothing read is used.
        if statep
            .compare_exchange(state, state & !GO_PANIC, SeqCst, Relaxed)
            .is_ok()
        {
            self.reraise_kept();
        }
    }

    #[cold]
    #[inline(never)]
    fn reraise_kept(&self) {
        if let Some(payload) = self.take() {
            panic::resume_unwind(payload);
        }
    }

    /// Takes the kept payload out of the slot, if any.
    fn take(&self) -> Option<Payload> {
        // ORDERING: Acquire pairs with the Release of `keep_first`: the payload is fully
        // written before this thread reads it.
        let kept = self.0.swap(ptr::null_mut(), Acquire);
        // SAFETY: a non-null pointer in the slot comes from `Box::into_raw` in
        // `keep_first`, and the swap hands it to exactly one caller, which owns it now.
        (!kept.is_null()).then(|| *unsafe { Box::from_raw(kept) })
    }
}

impl Drop for GoPanic {
    /// Frees a payload that no wait re-raised. A load, not `take`'s swap: every group's
    /// drop runs this, and a swap is an atomic read-modify-write (an `xchg` on x86-64)
    /// that `&mut self` makes unnecessary.
    fn drop(&mut self) {
        // ORDERING: Acquire pairs with the Release of `keep_first`, as in `take`; with
        // `&mut self` no other thread can touch the slot any more, so a load suffices.
        let kept = self.0.load(Acquire);
        if !kept.is_null() {
            // SAFETY: a non-null pointer in the slot comes from `Box::into_raw` in
            // `keep_first`; the group is being dropped, so nothing else takes it.
            drop(unsafe { Box::from_raw(kept) });
        }
    }
}

/// A copy of a panic payload: exact for `panic!`'s `&'static str` and `String`.
fn copy_of(payload: &(dyn Any + Send)) -> Payload {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        Box::new(*text)
    } else if let Some(text) = payload.downcast_ref::<String>() {
        Box::new(text.clone())
    } else {
        Box::new("a goroutine of WaitGroup::go panicked; its payload was re-raised by a wait")
    }
}

// ---- Why WaitGroup is UnwindSafe and RefUnwindSafe -----------------------------------
//
// `UnwindSafe` asks: can a panic leave the value in a state that code observing it after
// `catch_unwind` would find broken? For a WaitGroup, no. Every change to the group is one
// atomic operation on the state word or the semaphore (or the root lock's critical
// section, which never runs user code and never panics inside), so another thread, or
// the same thread after a panic, sees the group between two operations, never in the
// middle of one, exactly as it sees it with no panic at all. The three misuse panics are
// Go's and leave what Go leaves (a recovered "negative counter" leaves the counter
// negative, as in Go; `docs/misuse.md`). That is why std's atomics are `RefUnwindSafe`.
//
// The compiler does not infer it only because of `WaitGroup::go`'s panic slot (`GoPanic`,
// above), an `AtomicPtr` to a `Box<dyn Any + Send>` payload: `dyn Any` is not
// `RefUnwindSafe`.
// The slot never lends the payload out: it is moved in by the panicking goroutine and
// moved out by the one wait that re-raises it, so nothing can observe it half-built.
//
// `DoneGuard` and `OwnedDoneGuard` follow: they hold a `&WaitGroup` or an `Arc<WaitGroup>`.

impl UnwindSafe for WaitGroup {}
impl RefUnwindSafe for WaitGroup {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_and_its_guards_are_unwind_safe() {
        fn unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}
        unwind_safe::<WaitGroup>();
        unwind_safe::<&WaitGroup>();
        unwind_safe::<std::sync::Arc<WaitGroup>>();
        unwind_safe::<crate::DoneGuard<'static>>();
        unwind_safe::<crate::OwnedDoneGuard>();
    }

    // std's scoped threads and a real `go`: not inside a model.
    #[cfg(not(any(gosync_loom, gosync_shuttle)))]
    #[test]
    fn go_static_adds_in_the_caller_and_is_done_when_f_returns() {
        let wg: &'static WaitGroup = Box::leak(Box::new(WaitGroup::new()));
        let handle = wg.go_static(|| 6 * 7);
        wg.wait();
        assert_eq!(handle.join().unwrap(), 42);
        assert_eq!(wg.snapshot().counter, 0);
    }

    #[cfg(not(any(gosync_loom, gosync_shuttle)))]
    #[test]
    fn go_scoped_borrows_and_a_panic_reaches_the_wait_once() {
        let wg = WaitGroup::new();
        let mut written = 0;
        std::thread::scope(|s| {
            let writer = wg.go_scoped(s, || written = 1);
            let failed = wg.go_scoped(s, || panic!("scoped boom"));
            let payload = panic::catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
            assert_eq!(payload.downcast_ref::<&str>(), Some(&"scoped boom"));
            assert_eq!(
                failed.join().unwrap_err().downcast_ref::<&str>(),
                Some(&"scoped boom")
            );
            writer.join().unwrap();
            wg.wait(); // re-raised once: clean again
        });
        assert_eq!(written, 1);
    }
}

/// Models of the panic policy's hand-off through the state word: exhaustive with loom,
/// randomized and PCT schedules over more threads and two generations with shuttle. They
/// drive the goroutine's end ([`WaitGroup::go_finished`]) on a model thread directly: a
/// model thread may not end in a panic, as `go`'s thread does after keeping one.
#[cfg(all(test, any(gosync_loom, gosync_shuttle)))]
mod model {
    use super::*;
    use crate::primitive::thread;

    /// The payload a wait re-raised, if it did.
    fn reraised(wg: &WaitGroup) -> Option<&'static str> {
        let payload = panic::catch_unwind(AssertUnwindSafe(|| wg.wait())).err()?;
        Some(
            *payload
                .downcast::<&'static str>()
                .expect("the models panic with a &str"),
        )
    }

    /// `wg.go(f)` with an `f` that returns (`None`) or panics with `panics`, without the
    /// goroutine's own final unwind.
    fn goroutine(wg: &Arc<WaitGroup>, panics: Option<&'static str>) -> thread::JoinHandle<()> {
        wg.add(1);
        let wg = Arc::clone(wg);
        thread::spawn(move || {
            let result: std::thread::Result<()> = match panics {
                Some(message) => Err(Box::new(message)),
                None => Ok(()),
            };
            assert_eq!(wg.go_finished(result).is_err(), panics.is_some());
        })
    }

    fn waiter(wg: &Arc<WaitGroup>) -> thread::JoinHandle<Option<&'static str>> {
        let wg = Arc::clone(wg);
        thread::spawn(move || reraised(&wg))
    }

    /// One generation: `panics` goroutines panic, one returns; `waiters` threads wait
    /// (registering while this thread holds the group open, or finding the counter at
    /// zero, before or after the release's reset), and so does this thread. Exactly one
    /// wait re-raises, with the payload of one of the panics, and the group ends at rest.
    #[cfg(gosync_shuttle)]
    fn generation(wg: &Arc<WaitGroup>, panics: &[&'static str], waiters: usize) {
        wg.add(1); // held here, so that the waiters may register
        let goroutines: Vec<_> = panics
            .iter()
            .map(|&message| goroutine(wg, Some(message)))
            .chain([goroutine(wg, None)])
            .collect();
        let waiters: Vec<_> = (0..waiters).map(|_| waiter(wg)).collect();
        wg.done();
        let mut reraised: Vec<_> = waiters
            .into_iter()
            .map(|w| w.join().unwrap())
            .chain([reraised(wg)])
            .flatten()
            .collect();
        for goroutine in goroutines {
            goroutine.join().unwrap();
        }
        assert_eq!(reraised.len(), 1, "re-raised: {reraised:?}");
        assert!(panics.contains(&reraised.pop().unwrap()));
        let s = wg.snapshot();
        assert_eq!((s.state, s.sema, s.parked), (0, 0, 0), "{s:?}");
    }

    /// A goroutine's panic, a waiter, and a wait on this thread: every interleaving.
    #[cfg(gosync_loom)]
    #[test]
    fn a_kept_panic_reaches_exactly_one_wait() {
        loom::model(|| {
            let wg = Arc::new(WaitGroup::new());
            wg.add(1); // held here, so that the waiter may register
            let failed = goroutine(&wg, Some("boom"));
            let waiter = waiter(&wg);
            wg.done();
            let here = reraised(&wg);
            let there = waiter.join().unwrap();
            failed.join().unwrap();
            assert_eq!(
                usize::from(here.is_some()) + usize::from(there.is_some()),
                1,
                "here {here:?}, waiter {there:?}"
            );
            let s = wg.snapshot();
            assert_eq!((s.state, s.sema, s.parked), (0, 0, 0), "{s:?}");
        });
    }

    /// Issue 11, defect 1: a future that the release woke, dropped before its next poll,
    /// took its token without looking at the kept panic; the panic must reach the next
    /// wait, exactly once, whichever way the drop meets the release (withdrawn before it,
    /// or woken by it).
    #[cfg(gosync_loom)]
    #[test]
    fn a_woken_future_dropped_before_its_poll_hands_the_kept_panic_on() {
        use std::future::Future;
        use std::task::{Context, Poll, Wake, Waker};
        struct Noop;
        impl Wake for Noop {
            fn wake(self: Arc<Self>) {}
        }
        loom::model(|| {
            let wg = Arc::new(WaitGroup::new());
            wg.add(1); // held here, so that the future may register
            let waker = Waker::from(Arc::new(Noop));
            let mut wait = Box::pin(wg.wait_async());
            assert_eq!(
                wait.as_mut().poll(&mut Context::from_waker(&waker)),
                Poll::Pending
            );
            let failed = goroutine(&wg, Some("boom"));
            wg.done();
            drop(wait); // races the goroutine's releasing `done`
            failed.join().unwrap();
            assert_eq!(reraised(&wg), Some("boom"));
            assert_eq!(reraised(&wg), None, "re-raised once");
            let s = wg.snapshot();
            assert_eq!((s.state, s.sema, s.parked), (0, 0, 0), "{s:?}");
        });
    }

    /// Two generations of one group: two panicking goroutines, a clean one and three waits
    /// each; the second generation starts once every wait of the first has returned.
    #[cfg(gosync_shuttle)]
    fn two_generations() {
        let wg = Arc::new(WaitGroup::new());
        generation(&wg, &["first", "second"], 2);
        generation(&wg, &["third", "fourth"], 2);
    }

    #[cfg(gosync_shuttle)]
    #[test]
    fn random_schedules_reraise_each_generations_panic_once() {
        shuttle::check_random(two_generations, 2000);
    }

    #[cfg(gosync_shuttle)]
    #[test]
    fn pct_schedules_reraise_each_generations_panic_once() {
        shuttle::check_pct(two_generations, 2000, 3);
    }
}
