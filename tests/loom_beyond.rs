//! Exhaustive loom models of gosync's additions: the withdrawal of a timed-out or cancelled
//! waiter against the release that may count it, reuse after a withdrawal, and threads and
//! tasks woken by one release.
//!
//! Run with `RUSTFLAGS="--cfg gosync_loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release
//! --test loom_beyond`. loom has no clock: a timed wait whose deadline has not passed
//! spawns a timer thread that fires at a point loom chooses (see `primitive::time` in
//! `src/primitive/mod.rs`), so each model explores the time-out before, during and after
//! the release.
#![cfg(gosync_loom)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use gosync::{Snapshot, WaitGroup};
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

/// Far enough in the future that only the model's timer thread can fire it.
const LONG: Duration = Duration::from_secs(3600);

/// A group and a datum written before `done`, read after a wait that reported zero: loom
/// reports a data race if the read is not ordered after the write.
struct Shared {
    wg: WaitGroup,
    data: UnsafeCell<u32>,
}

// SAFETY: `data` is written by the thread that calls `done` before its `done`, and read
// only after a wait that the `done` unblocked; loom checks exactly that ordering.
unsafe impl Sync for Shared {}

impl Shared {
    fn new(counter: isize) -> Arc<Shared> {
        let shared = Arc::new(Shared {
            wg: WaitGroup::new(),
            data: UnsafeCell::new(0),
        });
        shared.wg.add(counter);
        shared
    }

    fn write_then_done(&self) {
        // SAFETY: see `impl Sync`: no wait has reported zero yet, so nobody reads.
        self.data.with_mut(|p| unsafe { *p = 42 });
        self.wg.done();
    }

    /// Asserts the `done`'s write is visible (loom: and ordered) after a wait returned true.
    fn read(&self) {
        // SAFETY: see `impl Sync`; loom fails the model if this races the write.
        assert_eq!(self.data.with(|p| unsafe { *p }), 42);
    }
}

fn spawn_done(shared: &Arc<Shared>) -> thread::JoinHandle<()> {
    let shared = Arc::clone(shared);
    thread::spawn(move || shared.write_then_done())
}

/// The group at rest: counter, waiters, semaphore and queue all back to zero.
fn assert_at_rest(wg: &WaitGroup) {
    let s: Snapshot = wg.snapshot();
    assert_eq!((s.state, s.sema, s.parked), (0, 0, 0), "{s:?}");
}

/// A waker that does nothing: the models that use it poll once and then drop the future.
struct Noop;
impl Wake for Noop {
    fn wake(self: StdArc<Self>) {}
}

/// Wakes a model thread waiting in [`block_on`]. A loom `Notify`, not the thread's
/// `unpark`: loom makes an unparked thread runnable whatever it is blocked on, and a
/// release may wake the task after `block_on` has returned, when the thread is blocked in
/// a `join`, which loom then fails ("assertion failed: state.notified").
#[derive(Default)]
struct Notified(loom::sync::Notify);
impl Wake for Notified {
    fn wake(self: StdArc<Self>) {
        self.0.notify();
    }
}

/// Drives a future on the current model thread, waiting for its waker between polls.
fn block_on<F: Future>(future: F) -> F::Output {
    let notified = StdArc::new(Notified::default());
    let waker = Waker::from(StdArc::clone(&notified));
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            return output;
        }
        notified.0.wait();
    }
}

/// Polls `wait_async` once; `true` if it completed. Drops (cancels) it otherwise.
fn poll_once_then_drop(wg: &WaitGroup) -> bool {
    let waker = Waker::from(StdArc::new(Noop));
    let mut wait = pin!(wg.wait_async());
    wait.as_mut().poll(&mut Context::from_waker(&waker)) == Poll::Ready(())
}

/// Time-out vs the releasing `done`: exactly one of "withdrew" (false, the release never
/// counted the waiter) and "woken" (true, the `done` happens before the return); never a
/// lost wake-up (loom reports the deadlock), and the group ends at rest either way.
#[test]
fn timeout_vs_releasing_done() {
    loom::model(|| {
        let shared = Shared::new(1);
        let done = spawn_done(&shared);
        if shared.wg.wait_timeout(LONG) {
            shared.read();
        }
        done.join().unwrap();
        // Withdrawn or woken, nothing of the waiter is left: a new wait returns at once.
        shared.wg.wait();
        shared.read();
        assert_at_rest(&shared.wg);
    });
}

/// A dropped `wait_async` vs the releasing `done`: the first poll may find zero, or the
/// future is dropped while the release runs; the group ends at rest either way, with no
/// token left behind.
#[test]
fn cancel_vs_release() {
    loom::model(|| {
        let shared = Shared::new(1);
        let done = spawn_done(&shared);
        if poll_once_then_drop(&shared.wg) {
            shared.read();
        }
        done.join().unwrap();
        assert_at_rest(&shared.wg);
    });
}

/// A timed wait that returns (withdrawn, or woken and possibly leaving on credit while the
/// releaser is still running), then the group is reused at once, before the releasing
/// thread is joined: the new generation's `wait` never panics "reused" and never returns
/// before its own `done`.
#[test]
fn withdrawn_waiter_then_reuse() {
    loom::model(|| {
        let first = Shared::new(1);
        let done = spawn_done(&first);
        let _ = first.wg.wait_timeout(LONG);
        // Reuse: the previous wait has returned, so this `add` is legal.
        first.wg.add(1);
        let again = {
            let first = Arc::clone(&first);
            thread::spawn(move || first.wg.done())
        };
        first.wg.wait();
        done.join().unwrap();
        again.join().unwrap();
        assert_at_rest(&first.wg);
    });
}

/// A cancelled task waiter, then reuse with a task waiter while the first release may
/// still be running.
#[test]
fn cancelled_task_then_reuse() {
    loom::model(|| {
        let first = Shared::new(1);
        let done = spawn_done(&first);
        let _ = poll_once_then_drop(&first.wg);
        first.wg.add(1);
        let again = {
            let first = Arc::clone(&first);
            thread::spawn(move || first.wg.done())
        };
        block_on(first.wg.wait_async());
        done.join().unwrap();
        again.join().unwrap();
        assert_at_rest(&first.wg);
    });
}

/// A thread in `wait` and a task awaiting `wait_async` on one release: both wake (no lost
/// wake-up for either kind), both see the `done`'s write.
#[test]
fn thread_and_task_on_one_release() {
    loom::model(|| {
        let shared = Shared::new(1);
        let thread_waiter = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                shared.wg.wait();
                shared.read();
            })
        };
        let done = spawn_done(&shared);
        block_on(shared.wg.wait_async());
        shared.read();
        thread_waiter.join().unwrap();
        done.join().unwrap();
        assert_at_rest(&shared.wg);
    });
}

/// A timed-out waiter beside a waiter that stays, on one release: the staying waiter is
/// always woken, whichever way the time-out resolves (withdrawing must not take its token
/// or its wake-up).
#[test]
fn timeout_beside_a_staying_waiter() {
    loom::model(|| {
        let shared = Shared::new(1);
        let stayer = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                shared.wg.wait();
                shared.read();
            })
        };
        let done = spawn_done(&shared);
        if shared.wg.wait_timeout(LONG) {
            shared.read();
        }
        stayer.join().unwrap();
        done.join().unwrap();
        assert_at_rest(&shared.wg);
    });
}

/// A deadline already passed withdraws deterministically, leaving the snapshot exactly as
/// before; a later release then finds no waiter to wake.
#[test]
fn past_deadline_leaves_group_as_before() {
    loom::model(|| {
        let shared = Shared::new(1);
        let before = shared.wg.snapshot();
        assert!(!shared.wg.wait_deadline(Instant::now()));
        assert_eq!(shared.wg.snapshot(), before);
        shared.write_then_done();
        assert_at_rest(&shared.wg);
    });
}

// ---- Issue 11 ------------------------------------------------------------------------

/// A waker whose `wake` panics (an executor's bug).
struct PanickingWake;
impl Wake for PanickingWake {
    fn wake(self: StdArc<Self>) {
        panic!("wake panicked");
    }
}

/// A task whose waker panics beside a thread waiter, on one release: the `done` is clean
/// (the waker's panic never escapes it), the thread is always woken, and the group ends at
/// rest once the future is dropped, whether it was woken or not.
#[test]
fn panicking_waker_beside_a_thread_waiter() {
    loom::model(|| {
        let shared = Shared::new(1);
        let thread_waiter = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                shared.wg.wait();
                shared.read();
            })
        };
        let done = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                let clean = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    shared.write_then_done()
                }));
                assert!(clean.is_ok(), "the waker's panic escaped `done`");
            })
        };
        {
            let waker = Waker::from(StdArc::new(PanickingWake));
            let mut wait = pin!(shared.wg.wait_async());
            let _ = wait.as_mut().poll(&mut Context::from_waker(&waker));
        }
        thread_waiter.join().unwrap();
        done.join().unwrap();
        assert_at_rest(&shared.wg);
    });
}

/// A forgotten pending future, its group dropped, and a new group at the same address with
/// a real waiter and a `done`: the new waiter is always woken (the stale node is never
/// dequeued for the new group), and the new group ends at rest.
#[test]
fn dropped_group_with_a_leaked_node_then_a_new_group() {
    loom::model(|| {
        let mut place = Box::new(WaitGroup::new());
        place.add(1);
        let waker = Waker::from(StdArc::new(Noop));
        let mut wait = Box::pin(place.wait_async());
        assert_eq!(
            wait.as_mut().poll(&mut Context::from_waker(&waker)),
            Poll::Pending
        );
        std::mem::forget(wait);
        *place = WaitGroup::new(); // same address, a new group
        let place: &'static WaitGroup = Box::leak(place);
        place.add(1);
        let waiter = thread::spawn(move || place.wait());
        place.done();
        waiter.join().unwrap();
        assert_at_rest(place);
    });
}

/// Go's reuse misuse around a timed waiter: a new generation starts (`add(1)`, a waiter)
/// before the first generation's timed waiter has returned, while its time-out races the
/// release that dequeued it. Misuse may panic "reused", but never hangs (loom reports a
/// deadlock), and once every wait has returned and the second generation is done, the
/// group is at rest: no waiter un-counted by another generation's withdrawal, no token
/// left behind.
#[test]
fn dequeued_timed_waiter_never_uncounts_a_new_generation() {
    loom::model(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let timed = {
            let wg = Arc::clone(&wg);
            thread::spawn(move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wg.wait_timeout(LONG)))
                    .is_ok()
            })
        };
        wg.done();
        wg.add(1); // misuse: the timed waiter may not have returned
        let next = {
            let wg = Arc::clone(&wg);
            thread::spawn(move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wg.wait())).is_ok()
            })
        };
        wg.done();
        let _ = timed.join().unwrap();
        let _ = next.join().unwrap();
        let s = wg.snapshot();
        assert_eq!((s.state, s.sema as i32, s.parked), (0, 0, 0), "{s:?}");
    });
}
