//! [`WaitGroup::go`] for groups that are not in an `Arc`: [`go_static`](WaitGroup::go_static)
//! for a `&'static WaitGroup` (a `static`, or a leaked box), and
//! [`go_scoped`](WaitGroup::go_scoped) for a group borrowed inside [`std::thread::scope`].
//! Same `add(1)` in the caller, same `done` when `f` returns, same panic policy.

use std::thread::{Scope, ScopedJoinHandle};

use super::WaitGroup;
use crate::{race, JoinHandle};

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

#[cfg(all(test, not(any(gosync_loom, gosync_shuttle))))]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::thread;

    #[test]
    fn go_static_adds_in_the_caller_and_is_done_when_f_returns() {
        let wg: &'static WaitGroup = Box::leak(Box::new(WaitGroup::new()));
        let handle = wg.go_static(|| 6 * 7);
        wg.wait();
        assert_eq!(handle.join().unwrap(), 42);
        assert_eq!(wg.snapshot().counter, 0);
    }

    #[test]
    fn go_scoped_borrows_and_a_panic_reaches_the_wait_once() {
        let wg = WaitGroup::new();
        let mut written = 0;
        thread::scope(|s| {
            let writer = wg.go_scoped(s, || written = 1);
            let failed = wg.go_scoped(s, || panic!("scoped boom"));
            let payload = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
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
