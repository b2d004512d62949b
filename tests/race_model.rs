//! One test per rule of the race checker's model, each built so that its verdict flips
//! when the rule is broken (see the table in `docs/race.md`, "How each rule is tested").
//!
//! Ordering the test's steps in real time uses `std::sync::mpsc` or `snapshot().parked`:
//! both are invisible to the checker, so they fix the schedule without adding an edge.
#![cfg(feature = "race")]

use std::sync::{mpsc, Arc, Mutex};
use std::thread;

use gosync::race::{self, check, AccessKind, RaceCell};
use gosync::{chan, go, WaitGroup};

/// A real-time "happened already" signal that the checker does not see.
fn invisible_signal() -> (mpsc::Sender<()>, mpsc::Receiver<()>) {
    mpsc::channel()
}

/// Inside a `check`: a goroutine writes a variable, then runs `child`; once it has (in
/// real time, through an invisible signal), this thread runs `parent`, then writes the
/// variable too. The writes race unless `child` and `parent` order them.
fn write_child_then_parent(child: impl FnOnce() + Send + 'static, parent: impl FnOnce()) {
    let x = Arc::new(RaceCell::new(0));
    let (finished, finished_rx) = invisible_signal();
    let x2 = x.clone();
    go(move || {
        x2.set(1);
        child();
        finished.send(()).unwrap();
    });
    finished_rx.recv().unwrap();
    parent();
    x.set(2);
}

// --- release vs release_merge -------------------------------------------------------

/// `release_merge` keeps every releaser: two `done`s both reach the one `wait`.
/// Broken (merge written as overwrite): the first `done`'s write is lost and races.
#[test]
fn every_done_happens_before_wait_merge_is_not_overwrite() {
    let ((), races) = check(|| {
        let data = Arc::new([RaceCell::new(0), RaceCell::new(0)]);
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        for p in 0..2 {
            let (data, wg) = (data.clone(), wg.clone());
            let (released, released_rx) = invisible_signal();
            go(move || {
                data[p].set(42);
                wg.done();
                released.send(()).unwrap();
            });
            released_rx.recv().unwrap(); // goroutine 3 releases strictly after 2
        }
        wg.wait();
        let _ = (data[0].get(), data[1].get());
    });
    assert!(races.is_empty(), "{}", races[0]);
}

/// Go's `Release` is a store: a later release to the same address replaces the earlier
/// one, so the acquirer is ordered after the last releaser only (Go 1.19 probe, research
/// §1.2). Broken (release written as merge): the race on `x` disappears.
#[test]
fn release_overwrites_earlier_releases() {
    let ((), races) = check(|| {
        let (x, y) = (Arc::new(RaceCell::new(0)), Arc::new(RaceCell::new(0)));
        let s = Arc::new(0u8);
        let (released, released_rx) = invisible_signal();
        {
            let (x, s) = (x.clone(), s.clone());
            go(move || {
                x.set(1);
                race::release(&*s);
                released.send(()).unwrap();
            });
        }
        released_rx.recv().unwrap();
        let (released, released_rx) = invisible_signal();
        {
            let (y, s) = (y.clone(), s.clone());
            go(move || {
                y.set(1);
                race::release(&*s);
                released.send(()).unwrap();
            });
        }
        released_rx.recv().unwrap();
        race::acquire(&*s);
        let _ = (x.get(), y.get());
    });
    assert_eq!(
        races.len(),
        1,
        "exactly the overwritten release's write races"
    );
    assert_eq!(races[0].current.kind, AccessKind::Read);
}

// --- disable / enable -----------------------------------------------------------------

/// `disable` suppresses sync only: a write inside it is still checked.
/// Broken (disable hides accesses): the race is missed.
#[test]
fn accesses_inside_disable_are_still_checked() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (wrote, wrote_rx) = invisible_signal();
        {
            let x = x.clone();
            go(move || {
                race::disable();
                x.set(1);
                race::enable();
                wrote.send(()).unwrap();
            });
        }
        wrote_rx.recv().unwrap();
        x.set(2);
    });
    assert_eq!(races.len(), 1);
}

/// `disable` suppresses sync: a release inside it creates no edge, and nesting counts.
#[test]
fn sync_inside_nested_disable_is_ignored() {
    let ((), races) = check(|| {
        let s = Arc::new(0u8);
        let s2 = s.clone();
        let child = move || {
            race::disable();
            race::disable();
            race::enable(); // still disabled: one level left
            race::release_merge(&*s2);
            race::enable();
        };
        write_child_then_parent(child, || race::acquire(&*s));
    });
    assert_eq!(races.len(), 1);
}

/// The `enable` in `add` survives the "negative counter" panic: sync works afterwards.
/// Broken (no drop guard): the later `acquire` in `wait` is ignored and the writes race.
#[test]
fn add_reenables_sync_when_it_panics() {
    let ((), races) = check(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let wg2 = wg.clone();
        write_child_then_parent(
            move || wg2.done(),
            || {
                let misuse = std::panic::catch_unwind(|| WaitGroup::new().add(-1));
                assert!(misuse.is_err());
                wg.wait();
            },
        );
    });
    assert!(races.is_empty(), "{}", races[0]);
}

// --- Wait: enable before acquire, on both return paths ---------------------------------

/// Fast path: `wait` finds the counter at zero; it must enable, then acquire.
/// Broken (acquire before enable): the acquire is ignored and the writes race.
#[test]
fn wait_acquires_after_enable_when_counter_is_zero() {
    let ((), races) = check(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let wg2 = wg.clone();
        // The goroutine's `done` is over before `wait` starts: the counter is zero.
        write_child_then_parent(move || wg2.done(), || wg.wait());
    });
    assert!(races.is_empty(), "{}", races[0]);
}

/// Slow path: `wait` sleeps in the semaphore and is woken by the last `done`.
#[test]
fn wait_acquires_after_enable_when_woken() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        {
            let (x, wg) = (x.clone(), wg.clone());
            go(move || {
                x.set(1);
                while wg.snapshot().parked == 0 {
                    thread::yield_now(); // until main sleeps in `wait`
                }
                wg.done();
            });
        }
        wg.wait();
        x.set(2);
    });
    assert!(races.is_empty(), "{}", races[0]);
}

// --- go: fork edge; join edge -------------------------------------------------------------

/// Everything before `go` happens before the goroutine. Broken (no fork edge): races.
#[test]
fn go_orders_the_parent_before_the_child() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        x.set(1);
        let x2 = x.clone();
        go(move || x2.set(2));
    });
    assert!(races.is_empty(), "{}", races[0]);
}

/// ...but the parent's steps after `go` are unordered with the child (the parent ticks).
#[test]
fn go_does_not_order_the_parent_after_the_fork() {
    let ((), races) = check(|| write_child_then_parent(|| {}, || {}));
    assert_eq!(races.len(), 1);
}

/// `join` orders the child before the joiner; without the join the same code races.
#[test]
fn join_orders_the_child_before_the_joiner() {
    for join in [true, false] {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let x2 = x.clone();
            let (wrote, wrote_rx) = invisible_signal();
            let child = go(move || {
                x2.set(2);
                wrote.send(()).unwrap();
            });
            wrote_rx.recv().unwrap();
            if join {
                child.join().unwrap();
            }
            x.set(1);
        });
        assert_eq!(races.is_empty(), join, "join = {join}");
    }
}

// --- channels -------------------------------------------------------------------------------

/// A send happens before the matching receive completes (buffered and unbuffered).
/// Broken (channel without edges): races.
#[test]
fn send_happens_before_the_matching_receive() {
    for cap in [0, 1, 3] {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let (tx, rx) = chan(cap);
            let x2 = x.clone();
            go(move || {
                x2.set(1);
                tx.send(());
            });
            rx.recv();
            x.set(2);
        });
        assert!(races.is_empty(), "cap {cap}: {}", races[0]);
    }
}

/// Unbuffered: the receive happens before the send completes.
#[test]
fn unbuffered_receive_happens_before_the_send_completes() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (tx, rx) = chan(0);
        let x2 = x.clone();
        go(move || {
            x2.set(1);
            rx.recv();
        });
        tx.send(());
        x.set(2);
    });
    assert!(races.is_empty(), "{}", races[0]);
}

/// Capacity C: the k-th receive happens before the (k+C)-th send completes (a counting
/// semaphore), and not before an earlier send.
#[test]
fn kth_receive_happens_before_send_k_plus_cap() {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (tx, rx) = chan(1);
        tx.send(0); // send 0 fills the buffer
        let x2 = x.clone();
        go(move || {
            x2.set(1);
            rx.recv(); // receive 0
        });
        tx.send(1); // send 1 = 0 + C: completes after receive 0
        x.set(2);
    });
    assert!(races.is_empty(), "{}", races[0]);

    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (tx, rx) = chan(2);
        let (received, received_rx) = invisible_signal();
        let x2 = x.clone();
        go(move || {
            x2.set(1);
            received.send(()).unwrap();
            rx.recv(); // the buffer is empty: nothing to order
        });
        received_rx.recv().unwrap();
        tx.send(0); // send 0 < 0 + C: no edge from the receive
        x.set(2);
    });
    assert_eq!(
        races.len(),
        1,
        "a buffered send is not ordered after an unrelated receive"
    );
}

/// A close happens before a receive that returns `None` because of it.
#[test]
fn close_happens_before_the_receive_it_ends() {
    let ((), races) = check(|| {
        let (tx, rx) = chan::<()>(0);
        write_child_then_parent(move || tx.close(), || assert_eq!(rx.recv(), None));
    });
    assert!(races.is_empty(), "{}", races[0]);
}

// --- keys: moves and reused addresses ---------------------------------------------------------

/// A freed location's shadow does not reach a new cell at the same address.
/// Broken (no reset on drop): a false race between two different variables.
#[test]
fn a_new_cell_at_a_freed_address_starts_clean() {
    let ((), races) = check(|| {
        // The std mutex only keeps the cell at one address; the checker does not see it.
        let slot = Arc::new(Mutex::new(RaceCell::new(0)));
        let (wrote, wrote_rx) = invisible_signal();
        {
            let slot = slot.clone();
            go(move || {
                slot.lock().unwrap().set(1);
                wrote.send(()).unwrap();
            });
        }
        wrote_rx.recv().unwrap();
        let mut cell = slot.lock().unwrap();
        let address = &*cell as *const RaceCell<i32>;
        *cell = RaceCell::new(0); // drops the first variable, builds a second in its place
        assert_eq!(&*cell as *const RaceCell<i32>, address);
        cell.set(2); // a new variable: no race with the old one's write
    });
    assert!(races.is_empty(), "{}", races[0]);
}

/// A WaitGroup keeps its identity when moved: a `done` before the move still happens
/// before a `wait` after it. Broken (keyed by address): the move loses the edge.
#[test]
fn a_moved_wait_group_keeps_its_clock() {
    let ((), races) = check(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let wg2 = wg.clone();
        let child = move || {
            wg2.done();
            drop(wg2);
        };
        write_child_then_parent(child, || {
            let moved = Box::new(Arc::into_inner(wg).expect("the goroutine dropped its handle"));
            moved.wait();
        });
    });
    assert!(races.is_empty(), "{}", races[0]);
}

/// A WaitGroup built where a dropped one lived does not inherit its clock.
/// Broken (stale sync state on a reused address): fake happens-before hides the race.
#[test]
fn a_new_wait_group_at_a_freed_address_starts_clean() {
    let ((), races) = check(|| {
        // The std mutex only keeps the group at one address; the checker does not see it.
        let slot = Arc::new(Mutex::new(WaitGroup::new()));
        let slot2 = slot.clone();
        let child = move || {
            let first = slot2.lock().unwrap();
            first.add(1);
            first.done(); // releases the goroutine's write to the first group
        };
        write_child_then_parent(child, || {
            let mut group = slot.lock().unwrap();
            *group = WaitGroup::new(); // drops the first group, builds a second in its place
            group.wait(); // counter zero: acquires the second group's clock, which is empty
        });
    });
    assert_eq!(races.len(), 1);
}

// --- outside any check ------------------------------------------------------------------------

/// A race outside any `check` is printed at once and counted in `errors()`. Threads
/// `go` did not start are unordered roots of the global domain; `thread::scope`'s join is
/// invisible, so the two writes race. (Only this test of the binary races outside a
/// `check`, and the count only grows, so parallel tests cannot disturb it.)
#[test]
fn a_race_outside_check_counts_in_errors() {
    let before = race::errors();
    let x = RaceCell::new(0);
    thread::scope(|s| {
        s.spawn(|| x.set(1));
    });
    x.set(2);
    assert_eq!(race::errors(), before + 1);
}

// --- recorded happens-before edges ----------------------------------------------------

/// Two goroutines `release_merge` into one object, then this goroutine acquires it: one
/// edge from each releaser, at its release step, to this goroutine's step.
/// Broken (edges not recorded, or only the last releaser's): the list differs.
#[test]
fn an_acquire_records_an_edge_from_every_releaser_it_learns_of() {
    let (edges, races) = check(|| {
        let token = Arc::new(0u8);
        for _ in 0..2 {
            let (released, released_rx) = invisible_signal();
            let theirs = token.clone();
            go(move || {
                race::release_merge(&*theirs);
                released.send(()).unwrap();
            });
            released_rx.recv().unwrap();
        }
        let me = (race::goroutine_id().unwrap(), race::current_step().unwrap());
        race::acquire(&*token);
        (me, race::edges(), &*token as *const u8 as usize)
    });
    assert!(races.is_empty());
    let ((me, my_step), edges, addr) = edges;
    // `HappensBefore` is `#[non_exhaustive]`: compared field by field.
    let seen: Vec<_> = edges
        .iter()
        .map(|e| (e.from, e.from_step, e.to, e.to_step, e.object))
        .collect();
    let edge = |from| (from, 1, me, my_step, race::SyncObject::Address(addr));
    assert_eq!(seen, [edge(2), edge(3)]);
}

/// An acquire that teaches nothing new records nothing; nor does a disabled acquire.
/// Broken (an edge per component, or per acquire): edges appear.
#[test]
fn acquires_that_learn_nothing_or_are_disabled_record_no_edge() {
    let (edges, races) = check(|| {
        let (known, fresh) = (Arc::new(0u8), Arc::new(0u8));
        race::release(&*known); // only this goroutine's own history
        race::acquire(&*known);
        let (released, released_rx) = invisible_signal();
        let theirs = fresh.clone();
        go(move || {
            race::release(&*theirs);
            released.send(()).unwrap();
        });
        released_rx.recv().unwrap();
        race::disable();
        race::acquire(&*fresh); // would learn goroutine 2's release, but is ignored
        race::enable();
        race::edges()
    });
    assert!(races.is_empty());
    assert_eq!(edges, []);
}
