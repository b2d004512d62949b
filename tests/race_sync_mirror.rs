//! The happens-before edges of `gosync::sync` and `gosync::thread` in race mode: each
//! mirrored primitive orders what it orders in Go (or in std), and nothing more. Every
//! edge has a pair of tests: the program synchronised through the primitive has no race,
//! the same program without it (or with std's, which the checker cannot see) has one.
#![cfg(feature = "race")]

use std::sync::Arc;

use gosync::race::{check, check_report, DataRace, RaceCell};
use gosync::sync::mpsc;
use gosync::sync::{Barrier, Condvar, LazyLock, Mutex, Once, OnceLock, RwLock};
use gosync::thread;

fn no_race(races: Vec<DataRace>) {
    let reports: Vec<String> = races.iter().map(ToString::to_string).collect();
    assert!(
        races.is_empty(),
        "unexpected races:\n{}",
        reports.join("\n")
    );
}

fn race(races: Vec<DataRace>) {
    assert!(!races.is_empty(), "the checker found no race");
}

/// Two goroutines write `x`, each inside `guarded`.
fn two_writers(guarded: impl Fn(&dyn Fn()) + Send + Sync + 'static) -> Vec<DataRace> {
    check(|| {
        let x = Arc::new(RaceCell::new(0));
        let guarded = Arc::new(guarded);
        let (x2, g2) = (x.clone(), guarded.clone());
        let t = thread::spawn(move || g2(&|| x2.set(1)));
        guarded(&|| x.set(2));
        t.join().unwrap();
    })
    .1
}

#[test]
fn a_cell_guarded_by_gosync_mutex_is_no_race() {
    let mu = Mutex::new(());
    no_race(two_writers(move |f| {
        let _held = mu.lock().unwrap();
        f();
    }));
}

#[test]
fn a_cell_guarded_by_nothing_is_a_race() {
    race(two_writers(|f| f()));
}

#[test]
fn a_cell_guarded_by_std_mutex_is_a_race_to_the_checker() {
    // std's lock orders the writes, but the checker cannot see it: swap in gosync::sync.
    let mu = std::sync::Mutex::new(());
    race(two_writers(move |f| {
        let _held = mu.lock().unwrap();
        f();
    }));
}

#[test]
fn a_cell_guarded_by_try_lock_is_no_race() {
    let mu = Mutex::new(());
    no_race(two_writers(move |f| loop {
        if let Ok(_held) = mu.try_lock() {
            f();
            break;
        }
        std::thread::yield_now();
    }));
}

#[test]
fn rwlock_writers_are_ordered() {
    let lock = RwLock::new(());
    no_race(two_writers(move |f| {
        let _held = lock.write().unwrap();
        f();
    }));
}

#[test]
fn two_readers_are_not_ordered() {
    let lock = RwLock::new(());
    race(two_writers(move |f| {
        let _held = lock.read().unwrap();
        f();
    }));
}

#[test]
fn a_read_unlock_happens_before_the_next_write_lock() {
    let ((), races) = check(|| {
        let lock = Arc::new(RwLock::new(false));
        let x = Arc::new(RaceCell::new(0));
        let (l2, x2) = (lock.clone(), x.clone());
        let reader = thread::spawn(move || {
            let mut read = false;
            while !read {
                let seen = l2.read().unwrap();
                if *seen {
                    let _ = x2.get(); // after the writer's write, under the read lock
                    read = true;
                }
            }
        });
        {
            let mut w = lock.write().unwrap();
            x.set(1);
            *w = true;
        }
        reader.join().unwrap();
        let _w = lock.write().unwrap();
        x.set(2);
    });
    no_race(races);
}

#[test]
fn every_read_unlock_happens_before_the_next_write_lock() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let ((), races) = check(|| {
        let lock = Arc::new(RwLock::new(()));
        let x = Arc::new(RaceCell::new(0));
        // A std flag the checker cannot see: only the lock may order the read and write.
        let read = Arc::new(AtomicBool::new(false));
        let (l2, x2, r2) = (lock.clone(), x.clone(), read.clone());
        let reader = thread::spawn(move || {
            let held = l2.read().unwrap();
            let _ = x2.get();
            drop(held);
            r2.store(true, Ordering::Release);
        });
        while !read.load(Ordering::Acquire) {
            std::thread::yield_now();
        }
        let held = lock.write().unwrap();
        x.set(1);
        drop(held);
        reader.join().unwrap();
    });
    no_race(races);
}

#[test]
fn condvar_orders_through_its_mutex() {
    let ((), races) = check(|| {
        let state = Arc::new((Mutex::new(false), Condvar::new()));
        let x = Arc::new(RaceCell::new(0));
        let (s2, x2) = (state.clone(), x.clone());
        thread::spawn(move || {
            x2.set(1);
            *s2.0.lock().unwrap() = true;
            s2.1.notify_one();
        });
        let (m, cv) = &*state;
        drop(cv.wait_while(m.lock().unwrap(), |ready| !*ready).unwrap());
        x.set(2);
    });
    no_race(races);
}

#[test]
fn once_initialisation_happens_before_every_call_once_return() {
    let ((), races) = check(|| {
        let once = Arc::new(Once::new());
        let x = Arc::new(RaceCell::new(0));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (once, x) = (once.clone(), x.clone());
                thread::spawn(move || {
                    once.call_once(|| x.set(1));
                    let _ = x.get();
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
    });
    no_race(races);
}

#[test]
fn a_completed_once_seen_by_is_completed_orders_the_read() {
    let ((), races) = check(|| {
        let once = Arc::new(Once::new());
        let x = Arc::new(RaceCell::new(0));
        let (o2, x2) = (once.clone(), x.clone());
        let t = thread::spawn(move || o2.call_once(|| x2.set(1)));
        while !once.is_completed() {
            std::thread::yield_now();
        }
        let _ = x.get();
        t.join().unwrap();
    });
    no_race(races);
}

#[test]
fn once_lock_and_lazy_lock_publish_their_initialisation() {
    let ((), races) = check(|| {
        let cell = Arc::new(OnceLock::new());
        let x = Arc::new(RaceCell::new(0));
        let (c2, x2) = (cell.clone(), x.clone());
        let t = thread::spawn(move || {
            x2.set(1);
            let _ = c2.set(());
        });
        while cell.get().is_none() {
            std::thread::yield_now();
        }
        let _ = x.get();
        t.join().unwrap();

        let y = Arc::new(RaceCell::new(0));
        let y2 = y.clone();
        let lazy = Arc::new(LazyLock::new(move || y2.set(1)));
        let l2 = lazy.clone();
        let t = thread::spawn(move || **l2);
        **lazy;
        let _ = y.get();
        t.join().unwrap();
    });
    no_race(races);
}

#[test]
fn every_arrival_at_a_barrier_happens_before_every_departure() {
    let ((), races) = check(|| {
        let barrier = Arc::new(Barrier::new(3));
        let cells: Arc<[RaceCell<i32>; 3]> = Arc::new(std::array::from_fn(|_| RaceCell::new(0)));
        let workers: Vec<_> = (0..3)
            .map(|i| {
                let (b, cells) = (barrier.clone(), cells.clone());
                thread::spawn(move || {
                    cells[i].set(1);
                    b.wait();
                    cells.iter().map(RaceCell::get).sum::<i32>()
                })
            })
            .collect();
        for w in workers {
            assert_eq!(w.join().unwrap(), 3);
        }
    });
    no_race(races);
}

#[test]
fn a_write_after_the_barrier_races_with_the_next_round_s_reader() {
    let ((), races) = check(|| {
        let barrier = Arc::new(Barrier::new(2));
        let x = Arc::new(RaceCell::new(0));
        let (b2, x2) = (barrier.clone(), x.clone());
        let t = thread::spawn(move || {
            b2.wait();
            x2.set(1); // after the departure: unordered with the other side
        });
        barrier.wait();
        let _ = x.get();
        t.join().unwrap();
    });
    race(races);
}

#[test]
fn a_message_s_send_happens_before_its_receive() {
    for bound in [None, Some(0), Some(1)] {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let x2 = x.clone();
            let (send, rx): (Box<dyn Fn(u8) + Send>, mpsc::Receiver<u8>) = match bound {
                None => {
                    let (tx, rx) = mpsc::channel();
                    (Box::new(move |v| tx.send(v).unwrap()), rx)
                }
                Some(b) => {
                    let (tx, rx) = mpsc::sync_channel(b);
                    (Box::new(move |v| tx.send(v).unwrap()), rx)
                }
            };
            let t = thread::spawn(move || {
                x2.set(1);
                send(1);
            });
            rx.recv().unwrap();
            let _ = x.get();
            t.join().unwrap();
        });
        no_race(races);
    }
}

#[test]
fn a_rendezvous_receive_happens_before_the_send_returns() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (tx, rx) = mpsc::sync_channel(0);
        let x2 = x.clone();
        let t = thread::spawn(move || {
            x2.set(1);
            rx.recv().unwrap();
        });
        tx.send(()).unwrap();
        let _ = x.get();
        t.join().unwrap();
    });
    no_race(races);
}

#[test]
fn kth_receive_happens_before_send_k_plus_bound_returns() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (tx, rx) = mpsc::sync_channel(1);
        let x2 = x.clone();
        let t = thread::spawn(move || {
            x2.set(1);
            rx.recv().unwrap();
            rx.recv().unwrap();
        });
        tx.send(1).unwrap();
        tx.send(2).unwrap(); // returns once message 1 was received
        let _ = x.get();
        t.join().unwrap();
    });
    no_race(races);
}

#[test]
fn dropping_the_last_sender_happens_before_the_disconnected_receive() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (tx, rx) = mpsc::channel::<()>();
        let x2 = x.clone();
        thread::spawn(move || {
            x2.set(1);
            drop(tx); // Go's close(c)
        });
        assert!(rx.recv().is_err());
        let _ = x.get();
    });
    no_race(races);
}

#[test]
fn a_receive_without_a_message_orders_nothing() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (tx, rx) = mpsc::channel::<()>();
        let x2 = x.clone();
        let t = thread::spawn(move || {
            tx.send(()).unwrap();
            x2.set(1); // after the send
        });
        rx.recv().unwrap();
        let _ = x.get();
        t.join().unwrap();
    });
    race(races);
}

#[test]
fn gosync_scope_orders_its_threads_before_its_return() {
    let ((), races) = check(|| {
        let x = RaceCell::new(0);
        thread::scope(|s| {
            s.spawn(|| x.set(1));
        });
        let _ = x.get();
    });
    no_race(races);
}

#[test]
fn reading_results_before_the_join_is_a_race_under_gosync_scope() {
    // The "read results before Wait" bug: 0 races with std::thread::scope.
    let ((), races) = check(|| {
        let x = RaceCell::new(0);
        thread::scope(|s| {
            let h = s.spawn(|| x.set(1));
            let _ = x.get(); // before the join
            h.join().unwrap();
        });
    });
    race(races);
}

#[test]
fn std_scope_threads_are_invisible_to_the_check() {
    // The same bug with std::thread::scope: the thread is no goroutine of the check, so
    // its write lands in another domain and nothing is reported (a warning on stderr).
    let ((), races) = check(|| {
        let x = RaceCell::new(0);
        let _ = x.get(); // the check knows the location
        std::thread::scope(|s| {
            s.spawn(|| x.set(1));
            let _ = x.get();
        });
    });
    assert!(races.is_empty());
}

#[test]
fn spawn_forks_and_join_joins() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        x.set(1);
        let x2 = x.clone();
        let t = thread::Builder::new()
            .name("child".into())
            .spawn(move || x2.set(2))
            .unwrap();
        t.join().unwrap();
        x.set(3);
    });
    no_race(races);
}

#[test]
fn a_read_before_the_join_races() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let x2 = x.clone();
        let t = thread::spawn(move || x2.set(2));
        let _ = x.get();
        t.join().unwrap();
    });
    race(races);
}

#[test]
fn a_goroutine_locking_a_mutex_twice_is_a_deadlock() {
    let deadlock = check_report(|| {
        let mu = Mutex::new(());
        let _first = mu.lock().unwrap();
        let _second = mu.lock().unwrap();
    })
    .unwrap_err();
    assert_eq!(deadlock.goroutines.len(), 1);
    assert_eq!(deadlock.goroutines[0].wait_reason, "sync.Mutex.Lock");
    let text = deadlock.to_string();
    assert!(
        text.starts_with("fatal error: all goroutines are asleep - deadlock!"),
        "{text}"
    );
    assert!(text.contains(file!()), "{text}");
}

#[test]
fn a_receive_nobody_sends_to_and_a_short_barrier_deadlock() {
    let deadlock = check_report(|| {
        let (_tx, rx) = mpsc::channel::<u8>();
        let barrier = Arc::new(Barrier::new(3));
        let b2 = barrier.clone();
        thread::spawn(move || {
            b2.wait();
        });
        let _ = rx.recv();
    })
    .unwrap_err();
    let mut reasons: Vec<&str> = deadlock.goroutines.iter().map(|g| g.wait_reason).collect();
    reasons.sort_unstable();
    assert_eq!(reasons, ["chan receive", "sync.Barrier.Wait"]);
}

#[test]
fn a_leaked_condvar_waiter_lets_check_return() {
    let report = check_report(|| {
        let state = Arc::new((Mutex::new(()), Condvar::new()));
        let s2 = state.clone();
        thread::spawn(move || {
            let g = s2.0.lock().unwrap();
            let _g = s2.1.wait(g).unwrap(); // nobody notifies
        });
        7
    })
    .unwrap();
    assert_eq!(report.value, 7);
    assert_eq!(report.leaked.len(), 1);
    assert_eq!(report.leaked[0].wait_reason, "sync.Cond.Wait");
}
