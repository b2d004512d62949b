//! gosync's additions beyond Go: timed waits, the async wait (polled by hand and by a
//! minimal `block_on`), cancellation, guards, and `WaitGroup::go`'s panic policy. The same
//! wait under real executors (`futures::executor`, tokio current-thread and multi-thread)
//! is tested in `dev/tests/executors.rs`, which keeps those dependencies out of the crate's
//! own build.
//!
//! Sleep-free: a time-out here is a deadline already passed, or a short deadline with
//! nothing ever calling `done`; a waiter is known to sleep by polling
//! `snapshot().parked`. The races between a time-out and a release are proven by the
//! models in `tests/loom_beyond.rs` and `tests/shuttle_beyond.rs`.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use gosync::{Wait, WaitGroup};

/// Yields until `n` waiters sleep in the group's semaphore queue.
fn until_parked(wg: &WaitGroup, n: usize) {
    while wg.snapshot().parked != n {
        thread::yield_now();
    }
}

/// A waker that does nothing, for futures polled by hand.
fn noop_waker() -> Waker {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    Waker::from(Arc::new(Noop))
}

/// Runs a future to completion on this thread: a minimal executor (park until woken), so
/// these tests need no executor crate.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}

/// Polls `wait` once by hand.
fn poll_once(wait: &mut std::pin::Pin<&mut Wait<'_>>) -> Poll<()> {
    wait.as_mut().poll(&mut Context::from_waker(&noop_waker()))
}

// --- timed waits ----------------------------------------------------------------------

#[test]
fn past_deadline_times_out_and_leaves_the_group_as_before() {
    let wg = WaitGroup::new();
    wg.add(1);
    let before = wg.snapshot();
    assert!(!wg.wait_deadline(Instant::now()));
    assert!(!wg.wait_timeout(Duration::ZERO));
    assert_eq!(wg.snapshot(), before);
    // The withdrawn waiters are not counted: a fresh `add` from zero after `done` does not
    // panic "Add called concurrently with Wait", and wait returns.
    wg.done();
    wg.add(1);
    wg.done();
    wg.wait();
}

#[test]
fn short_deadline_with_no_done_times_out() {
    let wg = WaitGroup::new();
    wg.add(2);
    let before = wg.snapshot();
    assert!(!wg.wait_timeout(Duration::from_millis(5)));
    assert_eq!(wg.snapshot(), before);
}

#[test]
fn timed_wait_on_a_zero_counter_is_true_even_past_its_deadline() {
    let wg = WaitGroup::new();
    assert!(wg.wait_deadline(Instant::now()));
    assert!(wg.wait_timeout(Duration::MAX)); // too large for an Instant: plain wait
}

#[test]
fn timed_wait_woken_by_done_sees_the_done() {
    let wg = WaitGroup::new();
    let mut result = 0;
    wg.add(1);
    thread::scope(|s| {
        let waiter = s.spawn(gosync::race::forked(|| {
            wg.wait_timeout(Duration::from_secs(3600))
        }));
        until_parked(&wg, 1);
        result = 42;
        wg.done();
        assert!(waiter.join().unwrap());
    });
    assert_eq!(result, 42);
}

/// A timed-out waiter beside a sleeping one: the withdrawal neither wakes nor strands the
/// other, whose `wait` still returns on the `done`.
#[test]
fn timeout_beside_a_sleeping_waiter() {
    let wg = WaitGroup::new();
    wg.add(1);
    thread::scope(|s| {
        let sleeper = s.spawn(gosync::race::forked(|| wg.wait()));
        until_parked(&wg, 1);
        assert!(!wg.wait_deadline(Instant::now()));
        let snap = wg.snapshot();
        assert_eq!((snap.counter, snap.waiters, snap.parked), (1, 1, 1));
        wg.done();
        sleeper.join().unwrap();
    });
    let snap = wg.snapshot();
    assert_eq!((snap.state, snap.sema, snap.parked), (0, 0, 0));
}

// --- the async wait -------------------------------------------------------------------

#[test]
fn wait_is_send_and_debug() {
    fn assert_send<T: Send>(_: &T) {}
    let wg = WaitGroup::new();
    let wait = wg.wait_async();
    assert_send(&wait);
    assert!(format!("{wait:?}").starts_with("Wait"));
}

#[test]
fn dropping_a_pending_wait_withdraws_it() {
    let wg = WaitGroup::new();
    wg.add(1);
    let before = wg.snapshot();
    {
        let mut wait = pin!(wg.wait_async());
        assert_eq!(poll_once(&mut wait), Poll::Pending);
        let snap = wg.snapshot();
        assert_eq!((snap.waiters, snap.parked), (1, 1));
    }
    assert_eq!(wg.snapshot(), before);
    wg.done();
    block_on(wg.wait_async());
}

#[test]
fn a_never_polled_wait_registers_nothing() {
    let wg = WaitGroup::new();
    wg.add(1);
    let before = wg.snapshot();
    drop(wg.wait_async());
    assert_eq!(wg.snapshot(), before);
}

#[test]
#[should_panic(expected = "`Wait` polled after it completed")]
fn polling_a_completed_wait_panics() {
    let wg = WaitGroup::new();
    let mut wait = pin!(wg.wait_async());
    assert_eq!(poll_once(&mut wait), Poll::Ready(()));
    let _ = poll_once(&mut wait);
}

/// One release wakes a parked thread and a pending task queued on the same semaphore.
#[test]
fn one_release_wakes_a_thread_and_a_task() {
    let wg = WaitGroup::new();
    wg.add(1);
    thread::scope(|s| {
        let thread_waiter = s.spawn(gosync::race::forked(|| wg.wait()));
        until_parked(&wg, 1);
        let task_waiter = s.spawn(gosync::race::forked(|| block_on(wg.wait_async())));
        until_parked(&wg, 2);
        assert_eq!(wg.snapshot().waiters, 2);
        wg.done();
        thread_waiter.join().unwrap();
        task_waiter.join().unwrap();
    });
}

/// A waker that enters the semaphore itself: each of the 40 released tasks' wakers (more
/// than one hold of the root lock serves, which is 32) queues a waiter on 300 fresh groups,
/// so on every root of the table, the released group's root among them. A wake-up that ran
/// while the release still held a root lock would deadlock on it; the watchdog turns that
/// hang into a failure. Nothing is timed.
#[test]
fn a_waker_may_enter_the_semaphore_every_root_lock_is_free_when_it_runs() {
    const TASKS: usize = 40;
    const GROUPS: usize = 300; // more than the table's 251 roots
    struct Reenter(Arc<Vec<WaitGroup>>);
    impl std::task::Wake for Reenter {
        fn wake(self: Arc<Self>) {
            let others = &self.0;
            others.iter().for_each(|other| other.add(1));
            let mut waits: Vec<_> = others
                .iter()
                .map(|other| Box::pin(other.wait_async()))
                .collect();
            for wait in &mut waits {
                assert_eq!(poll_once(&mut wait.as_mut()), Poll::Pending, "queued");
            }
            others.iter().for_each(WaitGroup::done);
            for wait in &mut waits {
                assert_eq!(poll_once(&mut wait.as_mut()), Poll::Ready(()), "released");
            }
        }
    }

    let (finished, watchdog) = std::sync::mpsc::channel();
    let releaser = thread::spawn(move || {
        let wg = WaitGroup::new();
        wg.add(1);
        let others = Arc::new((0..GROUPS).map(|_| WaitGroup::new()).collect::<Vec<_>>());
        let waker = Waker::from(Arc::new(Reenter(Arc::clone(&others))));
        let mut cx = Context::from_waker(&waker);
        let mut waits: Vec<_> = (0..TASKS).map(|_| Box::pin(wg.wait_async())).collect();
        for wait in &mut waits {
            assert_eq!(wait.as_mut().poll(&mut cx), Poll::Pending);
        }
        assert_eq!(wg.snapshot().parked, TASKS);
        wg.done(); // wakes all 40: each waker queues on every root
        for wait in &mut waits {
            assert_eq!(poll_once(&mut wait.as_mut()), Poll::Ready(()));
        }
        finished.send(()).unwrap();
    });
    match watchdog.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => releaser.join().unwrap(),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(releaser.join().unwrap_err())
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("hung: a wake-up ran while the release held a root lock")
        }
    }
}

// --- guards ---------------------------------------------------------------------------

#[test]
fn done_guard_calls_done_when_the_worker_panics() {
    let wg = WaitGroup::new();
    wg.add(1);
    thread::scope(|s| {
        let worker = s.spawn(|| {
            let _done = wg.done_guard();
            panic!("worker failed");
        });
        wg.wait(); // returns: the guard called done while unwinding
        assert!(worker.join().is_err());
    });
}

#[test]
fn add_guard_adds_now_and_is_done_on_drop() {
    let wg = WaitGroup::new();
    let guards: Vec<_> = (0..3).map(|_| wg.add_guard()).collect();
    assert_eq!(wg.snapshot().counter, 3);
    drop(guards);
    assert_eq!(wg.snapshot().counter, 0);
}

// --- WaitGroup::go --------------------------------------------------------------------

#[test]
fn go_runs_f_and_a_clean_run_does_not_reraise() {
    let wg = Arc::new(WaitGroup::new());
    let handles: Vec<_> = (0..4).map(|i| wg.go(move || i * 10)).collect();
    wg.wait();
    let results: Vec<i32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results, [0, 10, 20, 30]);
    assert_eq!(wg.snapshot().state, 0);
}

#[test]
fn go_panic_is_reraised_by_one_wait_with_its_payload() {
    let wg = Arc::new(WaitGroup::new());
    let ok = wg.go(|| 1);
    let failed = wg.go(|| -> i32 { std::panic::panic_any(String::from("first")) });
    let payload = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("first")
    );
    // The group was marked done: nothing is counted, nothing waits.
    assert_eq!(wg.snapshot().state, 0);
    // The handle has it too (a copy), the clean goroutine its value.
    let joined = failed.join().unwrap_err();
    assert_eq!(
        joined.downcast_ref::<String>().map(String::as_str),
        Some("first")
    );
    assert_eq!(ok.join().unwrap(), 1);
    // Re-raised once: the next wait is clean.
    wg.wait();
}

#[test]
fn go_panic_reaches_timed_and_async_waits_too() {
    let wg = Arc::new(WaitGroup::new());
    wg.go(|| panic!("timed")).join().unwrap_err();
    let payload = catch_unwind(AssertUnwindSafe(|| wg.wait_timeout(Duration::ZERO)));
    assert_eq!(payload.unwrap_err().downcast_ref::<&str>(), Some(&"timed"));

    wg.go(|| panic!("async")).join().unwrap_err();
    let payload = catch_unwind(AssertUnwindSafe(|| block_on(wg.wait_async())));
    assert_eq!(payload.unwrap_err().downcast_ref::<&str>(), Some(&"async"));
}

#[test]
fn go_panic_with_a_custom_payload_keeps_it_for_the_wait() {
    #[derive(Debug, PartialEq)]
    struct Failure(u32);
    let wg = Arc::new(WaitGroup::new());
    let handle = wg.go(|| std::panic::panic_any(Failure(7)));
    let joined = handle.join().unwrap_err();
    assert!(
        joined.downcast_ref::<&str>().is_some(),
        "a stand-in for an uncloneable payload"
    );
    let payload = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
    assert_eq!(payload.downcast_ref::<Failure>(), Some(&Failure(7)));
}

/// Only the first panic of a generation reaches the wait.
#[test]
fn go_keeps_the_first_panic_only() {
    let wg = Arc::new(WaitGroup::new());
    wg.go(|| panic!("one")).join().unwrap_err();
    wg.go(|| panic!("two")).join().unwrap_err();
    let payload = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"one"));
    wg.wait();
}

/// A kept panic is bit 31 of the state word, not a waiter: Go's checks do not see it, and
/// the wait that finds the counter at zero takes it.
#[test]
fn go_panic_is_a_bit_of_the_state_word_that_go_checks_do_not_count() {
    let wg = Arc::new(WaitGroup::new());
    wg.go(|| panic!("kept")).join().unwrap_err();
    let s = wg.snapshot();
    assert_eq!(
        (s.state, s.counter, s.waiters, s.go_panic),
        (1 << 31, 0, 0, true)
    );
    // Not a waiter: an `add` from zero is not "concurrent with Wait".
    wg.add(1);
    assert_eq!(wg.try_add(1), Ok(()));
    let s = wg.snapshot();
    assert_eq!((s.counter, s.waiters, s.go_panic), (2, 0, true));
    wg.done();
    wg.done();
    let payload = catch_unwind(AssertUnwindSafe(|| wg.checked_wait())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"kept"));
    assert_eq!(wg.snapshot().state, 0);
    assert_eq!(wg.checked_wait(), Ok(()));
}

/// A release that wakes registered waiters resets the word, bit included; one woken waiter
/// re-raises, the others return.
#[test]
fn go_panic_reaches_one_of_the_woken_waiters() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1); // keeps the group open while the waiters register
    wg.go(|| panic!("woken")).join().unwrap_err();
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let wg = Arc::clone(&wg);
            thread::spawn(move || catch_unwind(AssertUnwindSafe(|| wg.wait())))
        })
        .collect();
    until_parked(&wg, 3);
    let s = wg.snapshot();
    assert_eq!((s.counter, s.waiters, s.go_panic), (1, 3, true));
    wg.done();
    let reraised: Vec<_> = waiters
        .into_iter()
        .filter_map(|w| w.join().unwrap().err())
        .collect();
    assert_eq!(reraised.len(), 1);
    assert_eq!(reraised[0].downcast_ref::<&str>(), Some(&"woken"));
    assert_eq!(wg.snapshot().state, 0);
    wg.wait();
}

/// A task woken by the release re-raises the kept panic from `poll`; the future is then
/// complete, and dropping it withdraws nothing (the token was taken).
#[test]
fn go_panic_reraised_by_a_woken_task_leaves_the_future_complete() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    wg.go(|| panic!("task")).join().unwrap_err();
    let mut wait = Box::pin(wg.wait_async());
    assert_eq!(poll_once(&mut wait.as_mut()), Poll::Pending);
    wg.done();
    let payload = catch_unwind(AssertUnwindSafe(|| poll_once(&mut wait.as_mut()))).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"task"));
    let polled_again =
        catch_unwind(AssertUnwindSafe(|| poll_once(&mut wait.as_mut()))).unwrap_err();
    assert_eq!(
        polled_again.downcast_ref::<&str>(),
        Some(&"`Wait` polled after it completed")
    );
    drop(wait);
    let s = wg.snapshot();
    assert_eq!((s.state, s.sema, s.parked), (0, 0, 0), "{s:?}");
    wg.wait();
}

/// A timed-out waiter withdraws from the waiter count only; the kept panic stays for the
/// wait that sees the counter reach zero.
#[test]
fn go_panic_survives_a_withdrawn_waiter() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    wg.go(|| panic!("later")).join().unwrap_err();
    assert!(!wg.wait_timeout(Duration::from_millis(1)));
    let s = wg.snapshot();
    assert_eq!((s.counter, s.waiters, s.go_panic), (1, 0, true));
    wg.done();
    let payload = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"later"));
}

// --- the race checker -----------------------------------------------------------------

/// With the `race` feature: a waiter that times out or is cancelled acquires nothing, so
/// reading what a `done` wrote is still a race; one that reports zero acquires every
/// `done`, as `wait` does. Each verdict flips if the rule is broken.
#[cfg(feature = "race")]
mod race {
    use super::*;
    use gosync::race::{check, RaceCell};

    /// Runs `leave` (a wait that must not report zero) after a worker wrote `x` and called
    /// `done` (the counter stays above zero), then reads `x`; returns the races found.
    fn read_after_leaving(leave: fn(&WaitGroup)) -> usize {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let wg = Arc::new(WaitGroup::new());
            wg.add(2);
            let worker = {
                let (x, wg) = (x.clone(), wg.clone());
                gosync::go(move || {
                    x.set(1);
                    wg.done();
                })
            };
            // Real-time order only: `snapshot` is invisible to the checker.
            while wg.snapshot().counter != 1 {
                thread::yield_now();
            }
            leave(&wg);
            let _ = x.get();
            wg.done();
            drop(worker);
        });
        races.len()
    }

    #[test]
    fn a_timed_out_waiter_acquires_nothing() {
        assert_eq!(
            read_after_leaving(|wg| assert!(!wg.wait_deadline(Instant::now()))),
            1
        );
    }

    #[test]
    fn a_cancelled_waiter_acquires_nothing() {
        let cancel = |wg: &WaitGroup| {
            let mut wait = pin!(wg.wait_async());
            assert_eq!(poll_once(&mut wait), Poll::Pending);
        };
        assert_eq!(read_after_leaving(cancel), 1);
    }

    #[test]
    fn a_timed_wait_that_reports_zero_acquires_every_done() {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let wg = Arc::new(WaitGroup::new());
            wg.add(1);
            let (x2, wg2) = (x.clone(), wg.clone());
            gosync::go(move || {
                x2.set(1);
                wg2.done();
            });
            assert!(wg.wait_timeout(Duration::from_secs(3600)));
            let _ = x.get();
        });
        assert!(races.is_empty(), "{}", races[0]);
    }
}

// --- issue 11: nothing safe code does loses a panic, strands a waiter or reaches another
// group ---------------------------------------------------------------------------------

/// A waker built from `wake` and `clone` behaviours chosen by the test.
mod wakers {
    use std::task::{RawWaker, RawWakerVTable, Waker};

    /// A waker whose `wake` (and `wake_by_ref`) panics with "wake panicked".
    pub fn panicking_wake() -> Waker {
        const VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake, drop);
        fn clone(_: *const ()) -> RawWaker {
            RawWaker::new(std::ptr::null(), &VTABLE)
        }
        fn wake(_: *const ()) {
            panic!("wake panicked");
        }
        fn drop(_: *const ()) {}
        // SAFETY: the vtable's functions ignore the data pointer and uphold RawWaker's
        // contract (clone returns a waker with the same vtable).
        unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
    }

    /// A waker whose `clone` panics with "clone panicked".
    pub fn panicking_clone() -> Waker {
        const VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
        fn clone(_: *const ()) -> RawWaker {
            panic!("clone panicked");
        }
        fn noop(_: *const ()) {}
        // SAFETY: as above; `clone` never returns.
        unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
    }
}

/// The whole observable group: `(state, sema, parked)`.
fn at_rest(wg: &WaitGroup) -> (u64, u32, usize) {
    let s = wg.snapshot();
    (s.state, s.sema, s.parked)
}

/// One clean generation with a sleeping thread waiter: it must be woken and return Ok.
fn clean_generation(wg: &WaitGroup) {
    wg.add(1);
    thread::scope(|s| {
        let waiter = s.spawn(|| catch_unwind(AssertUnwindSafe(|| wg.wait())).is_ok());
        until_parked(wg, 1);
        wg.done();
        assert!(
            waiter.join().unwrap(),
            "a clean generation's waiter panicked"
        );
    });
    assert_eq!(at_rest(wg), (0, 0, 0));
}

/// Defect 1: a future woken by the release and dropped before its next poll took the
/// token; the kept panic of `go` must still reach the group's next wait, and never a later
/// clean generation.
#[test]
fn issue11_1_a_woken_future_dropped_before_its_poll_hands_the_kept_panic_on() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let mut wait = Box::pin(wg.wait_async());
    assert_eq!(poll_once(&mut wait.as_mut()), Poll::Pending);
    wg.go(|| panic!("x")).join().unwrap_err();
    wg.done();
    drop(wait);
    assert!(
        wg.snapshot().go_panic,
        "the kept panic's bit: {:?}",
        wg.snapshot()
    );
    let payload = catch_unwind(AssertUnwindSafe(|| wg.wait())).expect_err("x is lost");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"x"));
    assert_eq!(at_rest(&wg), (0, 0, 0));
    clean_generation(&wg);
}

/// Defect 2: a task whose waker's `wake` panics beside a thread waiter: the `done` is
/// clean, the thread is released, and the group stays usable.
#[test]
fn issue11_2_a_panicking_wake_strands_nobody_and_fails_no_done() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let mut wait = Box::pin(wg.wait_async());
    let waker = wakers::panicking_wake();
    assert_eq!(
        wait.as_mut().poll(&mut Context::from_waker(&waker)),
        Poll::Pending
    );
    thread::scope(|s| {
        let waiter = s.spawn(|| wg.wait());
        until_parked(&wg, 2);
        assert!(
            catch_unwind(AssertUnwindSafe(|| wg.done())).is_ok(),
            "the waker's panic escaped a clean done"
        );
        waiter.join().unwrap();
    });
    assert_eq!(
        wait.as_mut().poll(&mut Context::from_waker(&noop_waker())),
        Poll::Ready(())
    );
    drop(wait);
    assert_eq!(at_rest(&wg), (0, 0, 0));
    clean_generation(&wg);

    // Through `go`: a clean goroutine's `done` wakes the task; its join is `Ok`.
    let (start, started) = std::sync::mpsc::channel::<()>();
    let goroutine = wg.go(move || {
        started.recv().unwrap();
        42
    });
    let mut wait = Box::pin(wg.wait_async());
    assert_eq!(
        wait.as_mut().poll(&mut Context::from_waker(&waker)),
        Poll::Pending
    );
    start.send(()).unwrap();
    assert_eq!(goroutine.join().ok(), Some(42));
    drop(wait);
    assert_eq!(at_rest(&wg), (0, 0, 0));
}

/// Defect 3: a waker whose `clone` panics: the poll panics, and leaves no phantom waiter.
#[test]
fn issue11_3_a_panicking_waker_clone_leaves_no_phantom_waiter() {
    let wg = WaitGroup::new();
    wg.add(1);
    let waker = wakers::panicking_clone();
    let mut wait = Box::pin(wg.wait_async());
    let polled = catch_unwind(AssertUnwindSafe(|| {
        wait.as_mut().poll(&mut Context::from_waker(&waker))
    }));
    assert!(polled.is_err(), "clone panicked inside poll");
    drop(wait);
    let s = wg.snapshot();
    assert_eq!((s.waiters, s.parked), (0, 0), "{s:?}");
    wg.done();
    assert_eq!(at_rest(&wg), (0, 0, 0));
    clean_generation(&wg);

    // A second poll with a panicking clone (the first with a good waker).
    wg.add(1);
    let mut wait = Box::pin(wg.wait_async());
    assert_eq!(poll_once(&mut wait.as_mut()), Poll::Pending);
    let polled = catch_unwind(AssertUnwindSafe(|| {
        wait.as_mut().poll(&mut Context::from_waker(&waker))
    }));
    assert!(polled.is_err(), "clone panicked inside poll");
    drop(wait);
    let s = wg.snapshot();
    assert_eq!((s.waiters, s.parked), (0, 0), "{s:?}");
    wg.done();
    assert_eq!(at_rest(&wg), (0, 0, 0));
    clean_generation(&wg);
}

/// Counts one waiter in `wg`, a future asleep on it, and forgets the future.
fn forget_a_sleeping_future(wg: &WaitGroup) {
    wg.add(1);
    let mut wait = Box::pin(wg.wait_async());
    assert_eq!(poll_once(&mut wait.as_mut()), Poll::Pending);
    std::mem::forget(wait);
}

/// Defect 4: a forgotten pending future, its group dropped, a new group at the same
/// address: the new group starts clean, and its waiter is woken by its release.
#[test]
fn issue11_4_a_forgotten_future_never_reaches_a_new_group_at_its_address() {
    let mut place = Box::new(WaitGroup::new());
    forget_a_sleeping_future(&place);
    let address = &*place as *const WaitGroup;
    *place = WaitGroup::new(); // drops the old group; the new one has its address
    assert_eq!(&*place as *const WaitGroup, address);
    assert_eq!(at_rest(&place), (0, 0, 0), "the new group starts clean");
    clean_generation(&place);
}

/// Defect 4 for a group that is moved, not dropped: the node of a future forgotten while
/// it slept stays under the group's old address, and a new group built there must start
/// clean and wake its own waiters. The queues are keyed by the address and the
/// semaphore's id, which moves with the group; the moved group keeps its waiter.
#[test]
fn issue11_4_a_forgotten_future_of_a_moved_group_never_reaches_a_new_group_at_its_old_address() {
    let mut place = Box::new(WaitGroup::new());
    forget_a_sleeping_future(&place);
    let address = &*place as *const WaitGroup;
    let moved = std::mem::replace(&mut *place, WaitGroup::new()); // moved out, not dropped
    assert_eq!(&*place as *const WaitGroup, address);
    assert_eq!(at_rest(&place), (0, 0, 0), "the new group starts clean");
    clean_generation(&place);
    let snapshot = moved.snapshot();
    assert_eq!(
        (snapshot.counter, snapshot.waiters),
        (1, 1),
        "the moved group keeps its waiter"
    );
    moved.done(); // releases the forgotten waiter's token; nobody takes it
}

// Defect 7 is an interleaving; see `tests/loom_beyond.rs`
// (`dequeued_timed_waiter_never_uncounts_a_new_generation`).

/// Defect 2 through a `DoneGuard` dropped while its thread unwinds: no abort, the task is
/// readied.
#[test]
fn issue11_2_a_done_guard_unwinding_beside_a_panicking_wake_does_not_abort() {
    let wg = WaitGroup::new();
    wg.add(1);
    let mut wait = Box::pin(wg.wait_async());
    let waker = wakers::panicking_wake();
    assert_eq!(
        wait.as_mut().poll(&mut Context::from_waker(&waker)),
        Poll::Pending
    );
    let unwound = catch_unwind(AssertUnwindSafe(|| {
        let _done = wg.done_guard();
        panic!("the worker failed");
    }));
    assert!(unwound.is_err());
    assert_eq!(
        wait.as_mut().poll(&mut Context::from_waker(&noop_waker())),
        Poll::Ready(())
    );
    assert_eq!(at_rest(&wg), (0, 0, 0));
}
