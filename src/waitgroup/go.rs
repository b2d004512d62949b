//! gosync's [`WaitGroup::go`] (Go 1.25's `WaitGroup.Go`) and its panic policy.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use super::WaitGroup;
use crate::primitive::const_fn_unless_model;
use crate::primitive::sync::atomic::{
    AtomicPtr,
    Ordering::{Acquire, Relaxed, Release},
};
use crate::JoinHandle;

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
    ///   ([`wait`](Self::wait), [`try_wait`](Self::try_wait), a `true`
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
    /// As [`add`](Self::add)`(1)`, in the caller.
    #[track_caller]
    pub fn go<F, T>(self: &Arc<Self>, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.add(1);
        let wg = Arc::clone(self);
        crate::go(move || {
            // Sound: on a panic `f` is gone and nothing it touched is looked at here.
            let result = panic::catch_unwind(AssertUnwindSafe(f));
            let result = result.map_err(|payload| wg.go_panic.keep_first(payload));
            wg.done();
            result.unwrap_or_else(|copy| panic::resume_unwind(copy))
        })
    }
}

/// The first panic of a goroutine started by [`WaitGroup::go`], kept for the wait that
/// returns next: a pointer to the boxed payload, null while none is kept.
///
/// One word in every group, so a group that never calls `go` pays 8 bytes and one load per
/// returning wait. The slot moves with the group and frees a payload nobody re-raised
/// when the group is dropped.
pub(super) struct GoPanic(AtomicPtr<Payload>);

impl GoPanic {
    const_fn_unless_model! {
        pub(super) fn new() -> GoPanic {
            GoPanic(AtomicPtr::new(ptr::null_mut()))
        }
    }

    /// Keeps `payload` if it is the first, and returns what the goroutine unwinds with
    /// (so its `join` sees): a copy.
    fn keep_first(&self, payload: Payload) -> Payload {
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
        copy
    }

    /// Re-raises a kept panic, once (see [`WaitGroup::go`]).
    #[inline]
    pub(super) fn reraise(&self) {
        // ORDERING: Relaxed; only a hint (see `keep_first`), `take` acquires the payload.
        if !self.0.load(Relaxed).is_null() {
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
    /// Frees a payload that no wait re-raised.
    fn drop(&mut self) {
        drop(self.take());
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
