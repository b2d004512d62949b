//! gosync's RAII form of `defer wg.Done()`: [`DoneGuard`].

use std::fmt;

use super::WaitGroup;

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
