//! Unit tests of the semaphore's contract (`shared/research/go-internals.md` §1 and the
//! §5 "Semaphore semantics" checklist). Blocked threads are detected by polling
//! [`queued_waiters`], never by sleeping.
//!
//! ORDERING: the tests' own loads of a semaphore are SeqCst observations of a count that
//! no other thread changes at that moment (the point of each check); they order nothing.

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::Mutex;
use std::thread::{self, JoinHandle};

use super::{queued_waiters, semacquire, semrelease, Readied, SEMTABLE};

/// `semrelease`, then the wake-up of the waiter it readied (as `WaitGroup`'s release does
/// once every token is out).
fn release(addr: &AtomicU32) {
    let mut readied = Readied::default();
    semrelease(addr, &mut readied);
    readied.wake_all();
}

/// Polls until `n` threads are queued on `addr`; fails instead of spinning if one of
/// `threads` returned.
fn wait_until_queued<T>(addr: &AtomicU32, n: usize, threads: &[JoinHandle<T>]) {
    while queued_waiters(addr) != n {
        assert!(
            threads.iter().all(|t| !t.is_finished()),
            "an acquirer returned without a token"
        );
        thread::yield_now();
    }
}

/// Polls until `done` holds `n` entries.
fn wait_until_len(done: &Mutex<Vec<usize>>, n: usize) {
    while done.lock().unwrap().len() < n {
        thread::yield_now();
    }
}

/// "Every sleep is paired with a single wakeup, even if the wakeup happens before the
/// sleep": a release with nobody waiting leaves its token, and the next acquire takes it
/// on the fast path without queueing.
#[test]
fn a_token_released_before_the_sleep_is_kept_for_the_acquirer() {
    let sema = AtomicU32::new(0);
    release(&sema);
    release(&sema);
    assert_eq!(sema.load(SeqCst), 2);
    semacquire(&sema);
    assert_eq!(sema.load(SeqCst), 1);
    semacquire(&sema);
    assert_eq!((sema.load(SeqCst), queued_waiters(&sema)), (0, 0));
}

/// Waiters on one address are woken in the order they queued (Go: `lifo = false`).
#[test]
fn waiters_on_one_address_wake_in_fifo_order() {
    static SEMA: AtomicU32 = AtomicU32::new(0);
    static WOKEN: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    const N: usize = 5;
    let mut threads = Vec::new();
    for id in 0..N {
        threads.push(thread::spawn(move || {
            semacquire(&SEMA);
            WOKEN.lock().unwrap().push(id);
        }));
        // Thread `id` is queued before thread `id + 1` starts.
        wait_until_queued(&SEMA, id + 1, &threads);
    }
    for released in 1..=N {
        release(&SEMA);
        wait_until_len(&WOKEN, released);
        assert_eq!(queued_waiters(&SEMA), N - released);
    }
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*WOKEN.lock().unwrap(), (0..N).collect::<Vec<_>>());
    assert_eq!(SEMA.load(SeqCst), 0);
}

/// Two addresses in one 8-byte word share a root (Go's `(addr >> 3) % 251`), so the
/// root's `nwait` counts both; a release still wakes only a waiter of its own address.
#[test]
fn a_release_wakes_only_waiters_of_its_address() {
    #[repr(C, align(8))]
    struct Pair(AtomicU32, AtomicU32);
    static PAIR: Pair = Pair(AtomicU32::new(0), AtomicU32::new(0));
    static WOKEN: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let (a, b) = (&PAIR.0, &PAIR.1);
    assert!(std::ptr::eq(
        SEMTABLE.root_for(super::address(a)),
        SEMTABLE.root_for(super::address(b))
    ));

    let on_a = thread::spawn(|| {
        semacquire(&PAIR.0);
        WOKEN.lock().unwrap().push(0);
    });
    wait_until_queued(a, 1, std::slice::from_ref(&on_a));
    let on_b = thread::spawn(|| {
        semacquire(&PAIR.1);
        WOKEN.lock().unwrap().push(1);
    });
    wait_until_queued(b, 1, std::slice::from_ref(&on_b));

    release(b);
    on_b.join().unwrap();
    assert_eq!(*WOKEN.lock().unwrap(), [1]);
    assert_eq!(
        (queued_waiters(a), a.load(SeqCst), b.load(SeqCst)),
        (1, 0, 0)
    );

    release(a);
    on_a.join().unwrap();
    assert_eq!(*WOKEN.lock().unwrap(), [1, 0]);
    assert_eq!((queued_waiters(a), a.load(SeqCst)), (0, 0));
}

/// The releaser takes the token it just added on the behalf of the waiter it dequeued (Go's
/// `handoff`, `s.ticket = 1`; gosync does it on every release, under the root lock), so the
/// count is back to 0 when `semrelease` returns and stays 0, yet the waiter returns: it
/// was handed the token rather than taking it.
#[test]
fn a_handoff_release_passes_the_token_directly_to_the_waiter() {
    static SEMA: AtomicU32 = AtomicU32::new(0);
    let waiter = thread::spawn(|| semacquire(&SEMA));
    wait_until_queued(&SEMA, 1, std::slice::from_ref(&waiter));
    release(&SEMA);
    assert_eq!(SEMA.load(SeqCst), 0, "the releaser consumed the token");
    waiter.join().unwrap();
    assert_eq!((SEMA.load(SeqCst), queued_waiters(&SEMA)), (0, 0));
}

/// Without waiters for it, a release with the root's `nwait` raised
/// by another address leaves the token in place (Go: nothing dequeued for this address).
#[test]
fn a_release_without_a_queued_waiter_keeps_its_token_even_on_a_busy_root() {
    #[repr(C, align(8))]
    struct Pair(AtomicU32, AtomicU32);
    static PAIR: Pair = Pair(AtomicU32::new(0), AtomicU32::new(0));
    let busy = thread::spawn(|| semacquire(&PAIR.0));
    wait_until_queued(&PAIR.0, 1, std::slice::from_ref(&busy));
    release(&PAIR.1);
    assert_eq!((PAIR.1.load(SeqCst), queued_waiters(&PAIR.0)), (1, 1));
    semacquire(&PAIR.1);
    assert_eq!(PAIR.1.load(SeqCst), 0);
    release(&PAIR.0);
    busy.join().unwrap();
}
