//! Exhaustive loom models of the WaitGroup and its semaphore.
//!
//! Run with
//! `RUSTFLAGS="--cfg gosync_loom" LOOM_MAX_PREEMPTIONS=2 CARGO_TARGET_DIR=target/loom cargo test --release --test loom`.
//!
//! Each model states its property and is bounded (two preemptions unless
//! `LOOM_MAX_PREEMPTIONS` says otherwise). loom runs the closure under every interleaving (up to
//! the preemption bound) and fails on a deadlock (a lost wake-up leaves a thread blocked
//! forever), a data race on a `loom::cell::UnsafeCell`, or a panic. The misuse models
//! catch Go's panics inside the thread and record, across all executions, that the panic
//! was reached at least once: loom proves the interleaving exists, where Go's old timing
//! loops only hoped to hit it.
#![cfg(gosync_loom)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Once;

use gosync::WaitGroup;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

const ADD_CONCURRENT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
const REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";
const NEGATIVE: &str = "sync: negative WaitGroup counter";

/// The preemption bound when `LOOM_MAX_PREEMPTIONS` does not set one: every model here
/// is bounded, so `cargo test` under `--cfg gosync_loom` ends in seconds even without it.
const DEFAULT_PREEMPTION_BOUND: usize = 2;

/// `loom::model` with the preemption bound of `LOOM_MAX_PREEMPTIONS`, or
/// [`DEFAULT_PREEMPTION_BOUND`] if unset.
fn model(f: impl Fn() + Send + Sync + 'static) {
    let mut builder = loom::model::Builder::new();
    builder
        .preemption_bound
        .get_or_insert(DEFAULT_PREEMPTION_BOUND);
    builder.check(f);
}

/// Runs `f`, returning Go's panic text if it panicked with one; any other panic (a loom
/// failure, an assertion) is resumed.
fn recover(f: impl FnOnce()) -> Option<&'static str> {
    quiet_go_panics();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => None,
        Err(payload) => match payload.downcast_ref::<&'static str>() {
            Some(&text) if [ADD_CONCURRENT, REUSED, NEGATIVE].contains(&text) => Some(text),
            _ => std::panic::resume_unwind(payload),
        },
    }
}

/// The misuse models panic on purpose in thousands of executions: keep Go's three texts
/// off stderr, and print every other panic as usual.
fn quiet_go_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let text = info.payload().downcast_ref::<&'static str>();
            if !matches!(text, Some(t) if [ADD_CONCURRENT, REUSED, NEGATIVE].contains(t)) {
                default(info);
            }
        }));
    });
}

/// No lost wake-up: with two workers calling `done` and one thread in `wait`, `wait`
/// returns in every interleaving (whether it sleeps or finds the counter at zero), and
/// leaves the group at zero.
#[test]
fn two_workers_one_waiter_never_lose_the_wakeup() {
    model(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let wg = Arc::clone(&wg);
                thread::spawn(move || wg.done())
            })
            .collect();
        wg.wait();
        assert_eq!(wg.snapshot().counter, 0);
        for w in workers {
            w.join().unwrap();
        }
        let end = wg.snapshot();
        assert_eq!((end.state, end.sema, end.parked), (0, 0, 0));
    });
}

/// Two waiters: the `done` that zeroes the counter releases every registered waiter
/// exactly once; both `wait`s return and no token is left over.
#[test]
fn two_waiters_are_both_released() {
    model(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let wg = Arc::clone(&wg);
                thread::spawn(move || wg.wait())
            })
            .collect();
        wg.done();
        for w in waiters {
            w.join().unwrap();
        }
        let end = wg.snapshot();
        assert_eq!((end.state, end.sema, end.parked), (0, 0, 0));
    });
}

/// Reuse over two generations, each `add` after the previous `wait` returned (Go's rule):
/// a worker and a second waiter per generation; every `wait` returns, none panics, and
/// each generation's waiter sees that generation's work.
#[test]
fn reuse_over_two_generations_is_clean() {
    model(|| {
        let wg = Arc::new(WaitGroup::new());
        for generation in 0..2 {
            let work = Arc::new(UnsafeCell::new(0));
            wg.add(1);
            let worker = {
                let (wg, work) = (Arc::clone(&wg), Arc::clone(&work));
                thread::spawn(move || {
                    // SAFETY: the only write; every read happens after `wait` returned,
                    // which `done` happens before (loom checks it).
                    work.with_mut(|w| unsafe { *w = generation + 1 });
                    wg.done();
                })
            };
            wg.wait();
            // SAFETY: after `wait`, the worker's write happened before this read.
            assert_eq!(work.with(|w| unsafe { *w }), generation + 1);
            worker.join().unwrap();
        }
        assert_eq!(wg.snapshot().state, 0);
    });
}

/// The memory-model guarantee: writes made before `done` (two workers, two cells) are
/// visible after `wait` returns, whether `wait` slept or found zero; loom's `UnsafeCell`
/// reports any read not ordered after the write.
#[test]
fn writes_before_done_happen_before_wait_returns() {
    model(|| {
        let wg = Arc::new(WaitGroup::new());
        let cells: Arc<[UnsafeCell<u32>; 2]> = Arc::new([UnsafeCell::new(0), UnsafeCell::new(0)]);
        wg.add(2);
        let workers: Vec<_> = (0..2)
            .map(|i| {
                let (wg, cells) = (Arc::clone(&wg), Arc::clone(&cells));
                thread::spawn(move || {
                    // SAFETY: worker `i` is the only writer of cell `i`, and reads come
                    // only after `wait` (the property under test).
                    cells[i].with_mut(|c| unsafe { *c = 10 + i as u32 });
                    wg.done();
                })
            })
            .collect();
        wg.wait();
        for (i, cell) in cells.iter().enumerate() {
            // SAFETY: after `wait`, each worker's write happened before this read.
            assert_eq!(cell.with(|c| unsafe { *c }), 10 + i as u32);
        }
        for w in workers {
            w.join().unwrap();
        }
    });
}

/// Correct use never panics: a worker's `done` races two `wait`s (main and a second
/// waiter), then, after both returned, the group is reused for a second worker. loom has
/// room for three spawned threads per execution, so that is the whole budget. Any panic,
/// deadlock or leftover token fails the model.
#[test]
fn correct_use_never_panics() {
    model(|| {
        let wg = Arc::new(WaitGroup::new());
        let spawn = |f: fn(&WaitGroup)| {
            let wg = Arc::clone(&wg);
            thread::spawn(move || f(&wg))
        };
        // Generation 1: one worker, two waiters.
        wg.add(1);
        let waiter = spawn(WaitGroup::wait);
        let worker = spawn(WaitGroup::done);
        wg.wait();
        waiter.join().unwrap();
        worker.join().unwrap();
        // Generation 2, after every wait of generation 1 returned.
        wg.add(1);
        let worker = spawn(WaitGroup::done);
        wg.wait();
        worker.join().unwrap();
        let end = wg.snapshot();
        assert_eq!((end.state, end.sema, end.parked), (0, 0, 0));
    });
}

/// Go's "Add called concurrently with Wait" is reachable at **both** of its sites: a
/// positive `add` from zero (thread B) racing the `done` (main) that releases a waiter.
/// Site 1: B's `add(1)` lands in main's release window (counter 0, waiter counted).
/// Site 2: main's sanity re-check finds the word changed by B. Every execution still
/// terminates: after B is joined, main brings the counter back to zero, which releases
/// the waiter if it is still counted.
#[test]
fn add_concurrent_with_wait_panic_is_reachable_at_both_sites() {
    static FIRST_SITE: AtomicBool = AtomicBool::new(false);
    static SANITY_RECHECK: AtomicBool = AtomicBool::new(false);
    model(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let waiter = {
            let wg = Arc::clone(&wg);
            thread::spawn(move || recover(|| wg.wait()))
        };
        let adder = {
            let wg = Arc::clone(&wg);
            thread::spawn(move || recover(|| wg.add(1))) // the misuse: a new Add from zero
        };
        let done = recover(|| wg.done());
        let add = adder.join().unwrap();
        // Only B adds a positive delta, only main a negative one.
        assert!(matches!(add, None | Some(ADD_CONCURRENT)), "B: {add:?}");
        assert!(
            matches!(done, None | Some(ADD_CONCURRENT)),
            "main: {done:?}"
        );
        // ORDERING: std atomics outside the model, read after `model` returns on this
        // thread; SeqCst for simplicity, nothing is ordered by them.
        FIRST_SITE.fetch_or(add == Some(ADD_CONCURRENT), SeqCst);
        // ORDERING: as above.
        SANITY_RECHECK.fetch_or(done == Some(ADD_CONCURRENT), SeqCst);
        // Clean up: bring the counter to zero; this releases the waiter if counted.
        let counter = wg.snapshot().counter;
        if counter != 0 {
            wg.add(-counter as isize);
        }
        let wait = waiter.join().unwrap();
        assert!(matches!(wait, None | Some(REUSED)), "waiter: {wait:?}");
    });
    assert!(
        FIRST_SITE.load(SeqCst), // ORDERING: the same thread wrote it
        "no interleaving panicked at Add's first check (waitgroup.go:85)"
    );
    assert!(
        SANITY_RECHECK.load(SeqCst), // ORDERING: the same thread wrote it
        "no interleaving panicked at the releasing Add's re-check (waitgroup.go:96)"
    );
}

/// Go's "WaitGroup is reused before previous Wait has returned" is reachable: main
/// releases the waiter with `done` and at once starts a new generation with `add(1)`,
/// without waiting for the waiter's `wait` to return. In some interleaving the woken
/// waiter finds the new counter and panics; in the others it returns normally.
#[test]
fn reused_before_wait_returned_panic_is_reachable() {
    static REACHED: AtomicBool = AtomicBool::new(false);
    model(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let waiter = {
            let wg = Arc::clone(&wg);
            thread::spawn(move || recover(|| wg.wait()))
        };
        wg.done();
        wg.add(1); // the misuse: the waiter may not have returned yet
        wg.done();
        let wait = waiter.join().unwrap();
        assert!(matches!(wait, None | Some(REUSED)), "waiter: {wait:?}");
        // ORDERING: a std atomic outside the model, read on this thread after `model`.
        REACHED.fetch_or(wait == Some(REUSED), SeqCst);
        assert_eq!(wg.snapshot().state, 0);
    });
    assert!(
        REACHED.load(SeqCst), // ORDERING: the same thread wrote it
        "no interleaving panicked at Wait's re-check (waitgroup.go:140)"
    );
}

/// A loom cell that may cross `gosync::go`, which asks for `Send` as `std::thread::spawn`
/// does (loom's own `spawn` does not).
struct SharedCell(UnsafeCell<u32>);

// SAFETY: every access goes through loom's `UnsafeCell`, which checks that accesses from
// different threads are ordered; an unordered pair fails the model instead of racing.
unsafe impl Sync for SharedCell {}

/// `gosync::go` and `gosync::chan` run on loom's threads and locks under
/// `--cfg gosync_loom`, so a user's model built with them is explored too: a write before
/// an unbuffered send is visible after the receive, and `join` returns the goroutine's
/// value, in every interleaving.
#[test]
fn go_and_chan_are_modelled() {
    model(|| {
        let cell = Arc::new(SharedCell(UnsafeCell::new(0)));
        let (tx, rx) = gosync::chan::<()>(0);
        let writer = {
            let cell = Arc::clone(&cell);
            gosync::go(move || {
                // SAFETY: the only write; the read below comes after the receive.
                cell.0.with_mut(|c| unsafe { *c = 42 });
                tx.send(());
                7
            })
        };
        assert_eq!(rx.recv(), Some(()));
        // SAFETY: the send happened before this receive completed.
        assert_eq!(cell.0.with(|c| unsafe { *c }), 42);
        assert_eq!(writer.join().unwrap(), 7);
    });
}

/// Go §7.2, `Add(0)` inside the release window: it passes every check, so when both the
/// releasing `done` and the `add(0)` pass their sanity re-checks before either resets the
/// word, both release the one counted waiter, and one token too many stays in the
/// semaphore. Some interleaving reaches that. The next generation's `wait` then takes the
/// stray token at once and panics "reused", as in Go: the re-check after `Semacquire`
/// turns a stray token into this panic, never into an early return.
///
/// Bounded at two preemptions whatever `LOOM_MAX_PREEMPTIONS` says: at three, loom 0.7
/// reaches an execution that C++/Rust atomics forbid. There the `add(0)`'s `fetch_add`
/// reads the `done`'s `fetch_add`, the `done` then resets the word with `store(0)` and
/// releases the waiter, and the woken waiter still reads the `add(0)`'s value (`0x1`)
/// although that RMW precedes the `store(0)` in the modification order (RMW atomicity).
/// loom does not order a plain store after a concurrent RMW it has not observed
/// (tokio-rs/loom#254, #389; fix proposed in tokio-rs/loom#391), so it reports a "reused"
/// panic that cannot happen on real atomics.
#[test]
fn add_zero_in_the_release_window_can_leave_a_stray_token() {
    static STRAY_TOKEN: AtomicBool = AtomicBool::new(false);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let waiter = {
            let wg = Arc::clone(&wg);
            thread::spawn(move || recover(|| wg.wait()))
        };
        let adder = {
            let wg = Arc::clone(&wg);
            thread::spawn(move || recover(|| wg.add(0)))
        };
        let done = recover(|| wg.done());
        let add = adder.join().unwrap();
        // Whichever of the two re-checks runs after the other's reset panics.
        assert!(
            matches!(done, None | Some(ADD_CONCURRENT)),
            "main: {done:?}"
        );
        assert!(
            matches!(add, None | Some(ADD_CONCURRENT)),
            "add(0): {add:?}"
        );
        assert_eq!(waiter.join().unwrap(), None, "the waiter is released");
        let end = wg.snapshot();
        assert_eq!(end.state, 0);
        assert!(end.sema <= 1, "at most one extra release: {end:?}");
        if end.sema == 1 {
            // ORDERING: a std atomic outside the model, read on this thread after it.
            STRAY_TOKEN.store(true, SeqCst);
            // The next generation, used correctly, meets the stray token.
            wg.add(1);
            assert_eq!(recover(|| wg.wait()), Some(REUSED));
        }
    });
    assert!(
        STRAY_TOKEN.load(SeqCst), // ORDERING: the same thread wrote it
        "no interleaving left a stray token"
    );
}
