//! `gosync::sync` and `gosync::thread` behave as `std::sync` and `std::thread`, in both
//! builds: without the `race` feature they are std's items, with it the race checker's
//! wrappers, and every test here must pass either way.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use gosync::sync::mpsc::{self, RecvTimeoutError, TryRecvError, TrySendError};
use gosync::sync::{Arc, Barrier, Condvar, LazyLock, Mutex, Once, OnceLock, RwLock, TryLockError};
use gosync::thread;

/// The text a caught panic carried.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map_or_else(|| "(non-string payload)".to_owned(), |s| (*s).to_owned()),
    }
}

#[cfg(not(feature = "race"))]
#[test]
fn without_race_the_items_are_std_s_own() {
    let m: std::sync::Mutex<u8> = gosync::sync::Mutex::new(1);
    let _guard: std::sync::MutexGuard<'_, u8> = m.lock().unwrap();
    let (_tx, _rx): (std::sync::mpsc::Sender<u8>, std::sync::mpsc::Receiver<u8>) =
        gosync::sync::mpsc::channel();
    let _handle: std::thread::JoinHandle<()> = gosync::thread::spawn(|| {});
    let _once: &std::sync::Once = &gosync::sync::Once::new();
}

#[test]
fn mutex_locks_try_locks_and_poisons_as_std() {
    let m = Arc::new(Mutex::new(1));
    {
        let held = m.lock().unwrap();
        assert!(matches!(m.try_lock(), Err(TryLockError::WouldBlock)));
        assert_eq!(*held, 1);
    }
    let m2 = m.clone();
    let panicked = thread::spawn(move || {
        let mut held = m2.lock().unwrap();
        *held = 2;
        panic!("poison");
    })
    .join();
    assert_eq!(panic_text(panicked.unwrap_err()), "poison");
    assert!(m.is_poisoned());
    let poisoned = m.lock().unwrap_err();
    assert_eq!(*poisoned.into_inner(), 2); // the data survives, as std's
    assert!(matches!(m.try_lock(), Err(TryLockError::Poisoned(_))));
    m.clear_poison();
    assert!(!m.is_poisoned());
    let mut m = Arc::try_unwrap(m).unwrap();
    *m.get_mut().unwrap() += 1;
    assert_eq!(m.into_inner().unwrap(), 3);
    assert_eq!(
        format!("{:?}", Mutex::new(7)),
        format!("{:?}", std::sync::Mutex::new(7))
    );
}

#[test]
fn rwlock_shares_reads_excludes_writes_and_poisons_as_std() {
    let lock = Arc::new(RwLock::new(vec![1]));
    {
        let (a, b) = (lock.read().unwrap(), lock.read().unwrap());
        assert_eq!(a.len() + b.len(), 2);
        assert!(matches!(lock.try_write(), Err(TryLockError::WouldBlock)));
    }
    {
        let _w = lock.write().unwrap();
        assert!(matches!(lock.try_read(), Err(TryLockError::WouldBlock)));
    }
    let l2 = lock.clone();
    let _ = thread::spawn(move || {
        let _w = l2.write().unwrap();
        panic!("poison");
    })
    .join();
    assert!(lock.is_poisoned());
    assert_eq!(*lock.read().unwrap_err().into_inner(), [1]);
    lock.clear_poison();
    assert!(lock.read().is_ok());
}

#[test]
fn condvar_wakes_a_waiter_and_times_out_as_std() {
    let pair = Arc::new((Mutex::new(0), Condvar::new()));
    let p2 = pair.clone();
    let notifier = thread::spawn(move || {
        *p2.0.lock().unwrap() = 1;
        p2.1.notify_one();
    });
    let (m, cv) = &*pair;
    let n = cv.wait_while(m.lock().unwrap(), |n| *n == 0).unwrap();
    assert_eq!(*n, 1);
    drop(n);
    notifier.join().unwrap();
    let (n, r) = cv
        .wait_timeout_while(m.lock().unwrap(), Duration::from_millis(1), |n| *n == 1)
        .unwrap();
    assert!(r.timed_out());
    drop(n);
    let (_n, r) = cv.wait_timeout(m.lock().unwrap(), Duration::ZERO).unwrap();
    assert!(r.timed_out());
}

#[test]
fn notify_all_wakes_every_waiter() {
    let state = Arc::new((Mutex::new((0usize, false)), Condvar::new()));
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let s = state.clone();
            thread::spawn(move || {
                let mut g = s.0.lock().unwrap();
                g.0 += 1;
                s.1.notify_all(); // tell the main thread one more waits
                let _g = s.1.wait_while(g, |g| !g.1).unwrap();
            })
        })
        .collect();
    let (m, cv) = &*state;
    let mut g = cv.wait_while(m.lock().unwrap(), |g| g.0 < 3).unwrap();
    g.1 = true;
    cv.notify_all();
    drop(g);
    for w in waiters {
        w.join().unwrap();
    }
}

#[test]
fn once_runs_once_and_poisons_as_std() {
    let once = Once::new();
    let mut runs = 0;
    once.call_once(|| runs += 1);
    once.call_once(|| runs += 1);
    assert_eq!(runs, 1);
    assert!(once.is_completed());

    let poisoned = Once::new();
    let first = catch_unwind(AssertUnwindSafe(|| poisoned.call_once(|| panic!("init"))));
    assert_eq!(panic_text(first.unwrap_err()), "init");
    let second = catch_unwind(AssertUnwindSafe(|| poisoned.call_once(|| {})));
    assert_eq!(
        panic_text(second.unwrap_err()),
        "Once instance has previously been poisoned"
    );
    let mut saw_poison = false;
    poisoned.call_once_force(|state| saw_poison = state.is_poisoned());
    assert!(saw_poison && poisoned.is_completed());
}

#[test]
fn once_lock_initialises_once_among_racing_threads() {
    let cell = Arc::new(OnceLock::new());
    let runs = Arc::new(Mutex::new(0));
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let (cell, runs) = (cell.clone(), runs.clone());
            thread::spawn(move || {
                *cell.get_or_init(|| {
                    *runs.lock().unwrap() += 1;
                    i
                })
            })
        })
        .collect();
    let seen: Vec<i32> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(*runs.lock().unwrap(), 1);
    assert!(seen.iter().all(|&v| Some(&v) == cell.get()));
    assert_eq!(cell.set(9), Err(9));
    let mut cell = Arc::try_unwrap(cell).unwrap();
    assert!(cell.take().is_some());
    assert_eq!(cell.get(), None);
    assert_eq!(OnceLock::from(3), OnceLock::from(3));
}

#[test]
fn lazy_lock_initialises_on_first_use_and_poisons() {
    static LAZY: LazyLock<u32> = LazyLock::new(|| 40 + 2);
    assert_eq!(*LAZY, 42);
    let bad: LazyLock<u32> = LazyLock::new(|| panic!("init"));
    assert!(catch_unwind(AssertUnwindSafe(|| *bad)).is_err());
    let again = catch_unwind(AssertUnwindSafe(|| *bad)).unwrap_err();
    assert_eq!(
        panic_text(again),
        "LazyLock instance has previously been poisoned"
    );
}

#[test]
fn barrier_has_one_leader_per_round() {
    let barrier = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let b = barrier.clone();
            thread::spawn(move || {
                (0..2)
                    .map(|_| usize::from(b.wait().is_leader()))
                    .sum::<usize>()
            })
        })
        .collect();
    let leaders: usize = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .sum::<usize>();
    assert_eq!(leaders, 2); // one per round
}

#[test]
fn channel_delivers_in_order_and_reports_disconnection() {
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    tx.send(1).unwrap();
    tx2.send(2).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(1)),
        Err(RecvTimeoutError::Timeout)
    );
    drop((tx, tx2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert!(rx.recv().is_err());
    let (tx, rx) = mpsc::channel::<u8>();
    drop(rx);
    assert_eq!(tx.send(5).unwrap_err().0, 5);
}

#[test]
fn sync_channel_bounds_and_rendezvous() {
    let (tx, rx) = mpsc::sync_channel(1);
    tx.send(1).unwrap();
    assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    assert_eq!(rx.recv(), Ok(1));

    let (tx, rx) = mpsc::sync_channel::<u8>(0);
    assert_eq!(tx.try_send(1), Err(TrySendError::Full(1))); // no receiver waiting
    let sender = thread::spawn(move || {
        tx.send(7).unwrap(); // returns once received
        tx.send(8).unwrap();
    });
    assert_eq!(rx.iter().collect::<Vec<_>>(), [7, 8]);
    sender.join().unwrap();

    let (tx, rx) = mpsc::sync_channel::<u8>(0);
    drop(rx);
    assert_eq!(tx.send(3).unwrap_err().0, 3);
    assert_eq!(tx.try_send(4), Err(TrySendError::Disconnected(4)));
}

#[test]
fn threads_spawn_scope_build_and_join_as_std() {
    assert_eq!(thread::spawn(|| 6 * 7).join().unwrap(), 42);
    let named = thread::Builder::new()
        .name("worker".into())
        .spawn(|| thread::current().name().map(str::to_owned))
        .unwrap();
    assert_eq!(named.join().unwrap().as_deref(), Some("worker"));
    let err = thread::spawn(|| panic!("boom")).join().unwrap_err();
    assert_eq!(panic_text(err), "boom");

    let mut parts = vec![0; 3];
    let total = thread::scope(|s| {
        let mut handles = Vec::new();
        for (i, part) in parts.iter_mut().enumerate() {
            handles.push(s.spawn(move || {
                *part = i + 1;
                i + 1
            }));
        }
        let nested = s.spawn(|| s.spawn(|| 10).join().unwrap());
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum::<usize>()
            + nested.join().unwrap()
    });
    assert_eq!((parts, total), (vec![1, 2, 3], 16));
    let scoped = thread::scope(|s| thread::Builder::new().spawn_scoped(s, || 1).unwrap().join());
    assert_eq!(scoped.unwrap(), 1);
    assert!(thread::available_parallelism().is_ok());
}
