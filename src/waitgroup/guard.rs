//! gosync's RAII forms of `defer wg.Done()`: [`DoneGuard`], which borrows the group (for
//! scoped threads), and [`OwnedDoneGuard`], which holds an `Arc<WaitGroup>` (for tasks that
//! outlive the caller's borrow: `std::thread::spawn`, `tokio::spawn`).

use std::fmt;
use std::sync::Arc;

use super::WaitGroup;

// ---- DoneGuard: the group borrowed ----------------------------------------------------

impl WaitGroup {
    /// A guard that calls [`done`](Self::done) when dropped: Go's `defer wg.Done()`.
    ///
    /// The `done` runs however the scope ends, by return or by panic, so a waiter never
    /// hangs on a worker that panicked.
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(1);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| {
    ///         let _done = wg.done_guard(); // defer wg.Done()
    ///         // ... work that may return early or panic ...
    ///     });
    ///     wg.wait();
    /// });
    /// ```
    pub fn done_guard(&self) -> DoneGuard<'_> {
        DoneGuard { wg: self }
    }

    /// [`add(1)`](Self::add) now, and a guard that calls [`done`](Self::done) when
    /// dropped: `wg.Add(1)` before starting a task, and its `defer wg.Done()`, as one
    /// value that moves into the task. The add happens here, in the caller, before the
    /// task starts, as Go requires; the pairing cannot be forgotten on either side.
    ///
    /// It takes no count: one guard stands for one task (`n` tasks take `n` guards).
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// std::thread::scope(|s| {
    ///     for _ in 0..3 {
    ///         let done = wg.add_guard(); // wg.Add(1)
    ///         s.spawn(move || {
    ///             let _done = done; // defer wg.Done()
    ///         });
    ///     }
    ///     wg.wait();
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// As [`add`](Self::add)`(1)`.
    #[track_caller]
    pub fn add_guard(&self) -> DoneGuard<'_> {
        self.add(1);
        DoneGuard { wg: self }
    }
}

/// Calls [`WaitGroup::done`] when dropped; see [`WaitGroup::done_guard`] and
/// [`WaitGroup::add_guard`].
///
/// If that `done` panics (the counter was already zero) while the thread is already
/// unwinding from another panic, Rust aborts the process, as for any panic in a `drop`
/// during unwinding.
///
/// ```
/// use gosync::{DoneGuard, WaitGroup};
///
/// let wg = WaitGroup::new();
/// let guard: DoneGuard<'_> = wg.add_guard();
/// assert_eq!(wg.snapshot().counter, 1);
/// drop(guard);
/// assert_eq!(wg.snapshot().counter, 0);
/// ```
#[must_use = "the guard calls `done` when dropped: bind it to a variable (`let _done = ...`)"]
pub struct DoneGuard<'a> {
    wg: &'a WaitGroup,
}

impl Drop for DoneGuard<'_> {
    #[track_caller]
    fn drop(&mut self) {
        self.wg.done();
    }
}

impl fmt::Debug for DoneGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DoneGuard").field("wg", self.wg).finish()
    }
}

// ---- OwnedDoneGuard: the group in an Arc ----------------------------------------------
//
// `OwnedDoneGuard`, from an `Arc<WaitGroup>`, for tasks that outlive the caller's borrow
// (`std::thread::spawn`, `tokio::spawn`). The borrowed `DoneGuard` is for scoped threads.

impl WaitGroup {
    /// [`add(1)`](Self::add) now, and an owned guard that calls [`done`](Self::done) when
    /// dropped: [`add_guard`](Self::add_guard) for a task that needs `'static`, as
    /// tokio-util's `TaskTracker::token()` or a clone of crossbeam's `WaitGroup`. The guard
    /// holds a clone of the `Arc`, so one `move` hands the task both the group and its
    /// `defer wg.Done()`; no separate clone of the group is needed.
    ///
    /// # Panics
    ///
    /// As [`add`](Self::add)`(1)`, in the caller.
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// use std::sync::Arc;
    ///
    /// let wg = Arc::new(WaitGroup::new());
    /// for i in 0..3 {
    ///     let done = wg.add_guard_owned(); // wg.Add(1)
    ///     std::thread::spawn(move || {
    ///         let _done = done; // defer wg.Done()
    ///         let _ = i * i;
    ///     });
    /// }
    /// wg.wait();
    /// ```
    #[track_caller]
    pub fn add_guard_owned(self: &Arc<Self>) -> OwnedDoneGuard {
        self.add(1);
        OwnedDoneGuard {
            wg: Arc::clone(self),
        }
    }

    /// An owned guard that calls [`done`](Self::done) when dropped, without an `add`:
    /// [`done_guard`](Self::done_guard) for a task that needs `'static`, when the count
    /// was added beforehand (`wg.Add(n)` once, then `n` tasks).
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// use std::sync::Arc;
    ///
    /// let wg = Arc::new(WaitGroup::new());
    /// wg.add(2);
    /// for _ in 0..2 {
    ///     let done = wg.done_guard_owned();
    ///     std::thread::spawn(move || drop(done));
    /// }
    /// wg.wait();
    /// ```
    pub fn done_guard_owned(self: &Arc<Self>) -> OwnedDoneGuard {
        OwnedDoneGuard {
            wg: Arc::clone(self),
        }
    }
}

/// Calls [`WaitGroup::done`] when dropped and keeps its group alive until then; see
/// [`WaitGroup::add_guard_owned`] and [`WaitGroup::done_guard_owned`].
///
/// [`group`](Self::group) lends the group to the task, so the task needs nothing else to
/// add sub-tasks or wait. As with [`DoneGuard`](crate::DoneGuard), a `done` that panics
/// (the counter was already zero) while the thread is already unwinding aborts the
/// process.
///
/// ```
/// use gosync::{OwnedDoneGuard, WaitGroup};
/// use std::sync::Arc;
///
/// let wg = Arc::new(WaitGroup::new());
/// let guard: OwnedDoneGuard = wg.add_guard_owned();
/// let worker = std::thread::spawn(move || {
///     // The task can start a sub-task of the same group through its guard.
///     let sub = guard.group().add_guard_owned();
///     drop(sub);
///     drop(guard);
/// });
/// wg.wait();
/// worker.join().unwrap();
/// ```
#[must_use = "the guard calls `done` when dropped: bind it to a variable (`let _done = ...`)"]
pub struct OwnedDoneGuard {
    wg: Arc<WaitGroup>,
}

impl OwnedDoneGuard {
    /// The group this guard will mark done.
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// use std::sync::Arc;
    ///
    /// let wg = Arc::new(WaitGroup::new());
    /// let guard = wg.add_guard_owned();
    /// assert!(Arc::ptr_eq(guard.group(), &wg));
    /// ```
    #[must_use]
    pub fn group(&self) -> &Arc<WaitGroup> {
        &self.wg
    }
}

impl Drop for OwnedDoneGuard {
    #[track_caller]
    fn drop(&mut self) {
        self.wg.done();
    }
}

impl fmt::Debug for OwnedDoneGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedDoneGuard")
            .field("wg", &*self.wg)
            .finish()
    }
}

#[cfg(all(test, not(any(gosync_loom, gosync_shuttle))))]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    #[test]
    fn add_guard_owned_adds_now_and_is_done_on_drop() {
        let wg = Arc::new(WaitGroup::new());
        let guard = wg.add_guard_owned();
        assert_eq!(wg.snapshot().counter, 1);
        assert_eq!(Arc::strong_count(&wg), 2);
        drop(guard);
        assert_eq!(wg.snapshot().counter, 0);
        assert_eq!(Arc::strong_count(&wg), 1);
    }

    #[test]
    fn owned_guard_is_done_when_its_thread_panics() {
        let wg = Arc::new(WaitGroup::new());
        let guard = wg.add_guard_owned();
        let worker = crate::go(move || {
            let _done = guard;
            panic!("worker failed");
        });
        wg.wait();
        assert!(worker.join().is_err());
    }

    #[test]
    fn done_guard_owned_on_a_zero_counter_panics_with_gos_text() {
        let wg = Arc::new(WaitGroup::new());
        let payload = catch_unwind(AssertUnwindSafe(|| drop(wg.done_guard_owned()))).unwrap_err();
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"sync: negative WaitGroup counter")
        );
    }

    #[test]
    fn an_owned_guard_outlives_every_other_handle_to_the_group() {
        let guard = Arc::new(WaitGroup::new()).add_guard_owned();
        let wg = Arc::clone(guard.group());
        drop(guard); // the last done runs on a group nobody else holds but `wg`
        assert_eq!(Arc::strong_count(&wg), 1);
        wg.wait();
    }
}
