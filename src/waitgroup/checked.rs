//! gosync's names for the two questions std users ask of a group: "is it zero?" without
//! blocking ([`WaitGroup::is_zero`]), and Go's `Wait` with its misuse returned instead of
//! panicking ([`WaitGroup::checked_wait`], which blocks, as its name says; `try_*` in std
//! never blocks, so `try_wait` is deprecated for it).

use super::{counter, WaitGroup};
use crate::error::WaitGroupError;
use crate::primitive::sync::atomic::Ordering::SeqCst;
use crate::race;

impl WaitGroup {
    /// Whether the counter is zero now, without blocking: the first step of
    /// [`wait`](Self::wait), on its own (waitgroup.go:119-128). Go has no such call.
    ///
    /// A `true` gives what a `wait` that returns at once gives: every [`done`](Self::done)
    /// that brought the counter to zero happens before this call returns (the race checker
    /// records the same acquire). A `false` says only that some task had not finished at the
    /// moment of the load; it may have finished since.
    ///
    /// Unlike `wait`, it never re-raises the panic of a goroutine started by
    /// [`go`](Self::go): that stays for the next wait. It does not count as a wait for Go's
    /// reuse rule either, since it never registers.
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// assert!(wg.is_zero());
    /// wg.add(1);
    /// assert!(!wg.is_zero()); // would block: `wait` would sleep here
    /// wg.done();
    /// assert!(wg.is_zero());
    /// ```
    #[must_use]
    #[inline]
    pub fn is_zero(&self) -> bool {
        let (statep, _) = self.state();
        // ORDERING: SeqCst, as wait's load (waitgroup.go:119): reading the zero that the
        // last decrement's SeqCst RMW wrote (or a later RMW of its release sequence)
        // synchronises with every `done` before it.
        let zero = counter(statep.load(SeqCst)) == 0;
        if race::ENABLED && zero {
            race::keyed::acquire(&self.race); // as waitgroup.go:126
        }
        zero
    }

    /// Go's `Wait`, blocking until the counter is zero, with Go's one `Wait` panic ("reused
    /// before previous Wait has returned") returned as an error instead. It blocks, like
    /// [`wait`](Self::wait): for a call that never blocks, ask [`is_zero`](Self::is_zero).
    ///
    /// That misuse is seen only after this waiter was released and took its semaphore
    /// token, so it cannot be undone: on `Err`, this waiter is no longer counted (the
    /// releaser reset the waiter count), its token is consumed, and the group holds
    /// whatever the racing `add` put there. The group stays usable. (Unlike
    /// [`try_add`](Self::try_add), which leaves the group unchanged on `Err`.)
    ///
    /// # Errors
    ///
    /// [`WaitGroupError::ReusedBeforePreviousWaitReturned`], as described above.
    ///
    /// # Panics
    ///
    /// As [`wait`](Self::wait) does when a goroutine started by [`go`](Self::go)
    /// panicked: that panic is re-raised here (it is not a misuse of the group).
    ///
    /// ```
    /// use gosync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(1);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| wg.done());
    ///     assert_eq!(wg.checked_wait(), Ok(())); // blocks until the done
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn checked_wait(&self) -> Result<(), WaitGroupError> {
        self.wait_port()
    }
}

#[cfg(all(test, not(any(gosync_loom, gosync_shuttle))))]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn is_zero_follows_the_counter_and_leaves_the_group_unchanged() {
        let wg = WaitGroup::new();
        assert!(wg.is_zero());
        wg.add(2);
        let before = wg.snapshot();
        assert!(!wg.is_zero());
        assert_eq!(wg.snapshot(), before);
        wg.done();
        assert!(!wg.is_zero());
        wg.done();
        assert!(wg.is_zero());
    }

    #[test]
    fn is_zero_never_registers_a_waiter() {
        let wg = WaitGroup::new();
        wg.add(1);
        assert!(!wg.is_zero());
        assert_eq!(wg.snapshot().waiters, 0);
        // So a new generation may start at once: no "Add called concurrently with Wait".
        wg.done();
        wg.add(1);
        wg.done();
    }

    /// With the checker: a `true` acquires every `done`, as a returning `wait` does, so
    /// reading what the worker wrote before its `done` is no race. (Without the acquire
    /// in `is_zero` the read is reported: this test fails.)
    #[cfg(feature = "race")]
    #[test]
    fn a_true_is_zero_orders_the_dones_before_it() {
        use crate::race::RaceCell;
        use std::sync::Arc;

        let (read, races) = race::check(|| {
            let x = Arc::new(RaceCell::new(0));
            let wg = Arc::new(WaitGroup::new());
            wg.add(1);
            let worker = {
                let (x, wg) = (Arc::clone(&x), Arc::clone(&wg));
                crate::go(move || {
                    x.set(42);
                    wg.done();
                })
            };
            while !wg.is_zero() {
                thread::yield_now();
            }
            let read = x.get();
            drop(worker); // no join edge: only is_zero orders the write
            read
        });
        assert_eq!(read, 42);
        assert!(races.is_empty(), "{}", races[0]);
    }

    #[test]
    fn checked_wait_blocks_until_the_counter_is_zero() {
        let wg = WaitGroup::new();
        let mut written = 0;
        wg.add(1);
        thread::scope(|s| {
            s.spawn(race::forked(|| {
                written = 7;
                wg.done();
            }));
            assert_eq!(wg.checked_wait(), Ok(()));
        });
        assert_eq!(written, 7);
    }
}
