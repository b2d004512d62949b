//! `gosync::chan`: Go's channel semantics (the race edges are in `tests/race_model.rs`).

use std::panic::{catch_unwind, AssertUnwindSafe};

use gosync::{chan, go};

fn panic_text(f: impl FnOnce()) -> Option<&'static str> {
    let payload = catch_unwind(AssertUnwindSafe(f)).err()?;
    payload.downcast_ref::<&'static str>().copied()
}

#[test]
fn messages_arrive_in_order_from_a_buffer_then_none_after_close() {
    let (tx, rx) = chan(3);
    for v in 1..=3 {
        tx.send(v); // room for all three: never blocks
    }
    tx.close();
    assert_eq!(
        [rx.recv(), rx.recv(), rx.recv(), rx.recv()],
        [Some(1), Some(2), Some(3), None]
    );
    assert_eq!(
        rx.recv(),
        None,
        "a closed, drained channel keeps returning None"
    );
}

#[test]
fn an_unbuffered_channel_hands_every_value_to_some_receiver() {
    let (tx, rx) = chan(0);
    let senders: Vec<_> = (0..4)
        .map(|v| {
            let tx = tx.clone();
            go(move || tx.send(v))
        })
        .collect();
    let mut got: Vec<i32> = (0..4).map(|_| rx.recv().unwrap()).collect();
    for s in senders {
        s.join().unwrap();
    }
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2, 3]);
}

#[test]
fn send_on_and_close_of_a_closed_channel_panic_with_gos_text() {
    let (tx, _rx) = chan::<u8>(1);
    tx.close();
    assert_eq!(panic_text(|| tx.send(1)), Some("send on closed channel"));
    assert_eq!(panic_text(|| tx.close()), Some("close of closed channel"));
}

#[test]
fn a_sender_blocked_on_a_full_channel_panics_when_it_is_closed() {
    let (tx, rx) = chan(1);
    tx.send(1);
    let (blocked, races) = gosync::race::check(|| {
        let blocked = {
            let tx = tx.clone();
            go(move || tx.send(2)) // the buffer is full: blocks until the close
        };
        tx.close();
        blocked
    });
    // Go's verdict under `go test -race`: nothing orders the close after the send, so the
    // close's write of the channel races the send's read.
    assert_eq!(!races.is_empty(), gosync::race::ENABLED);
    let payload = blocked.join().unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"send on closed channel")
    );
    assert_eq!(
        (rx.recv(), rx.recv()),
        (Some(1), None),
        "the buffered value survives the close"
    );
}

// --- the porter's API: try_*, timeouts, range, len/cap ----------------------------------

use std::time::Duration;

use gosync::{select, RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};

#[test]
fn try_recv_and_try_send_never_block_and_say_why() {
    let (tx, rx) = chan(1);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(tx.try_send(1), Ok(()));
    assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    assert_eq!((tx.len(), tx.cap(), rx.len(), rx.cap()), (1, 1, 1, 1));
    tx.close();
    assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn an_unbuffered_try_send_needs_a_waiting_receiver() {
    let (tx, rx) = chan::<u8>(0);
    assert_eq!(
        tx.try_send(1),
        Err(TrySendError::Full(1)),
        "nobody receives"
    );
    let receiver = go(move || rx.recv());
    // The receiver registers at some point: retry until it has (no sleep proves it).
    let mut value = 7;
    while let Err(TrySendError::Full(back)) = tx.try_send(value) {
        value = back;
        std::thread::yield_now();
    }
    assert_eq!(receiver.join().unwrap(), Some(7));
}

#[test]
fn timed_operations_give_the_value_back() {
    let (tx, rx) = chan::<u8>(0);
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(1)),
        Err(RecvTimeoutError::Timeout)
    );
    assert_eq!(
        tx.send_timeout(4, Duration::from_millis(1)),
        Err(SendTimeoutError::Timeout(4))
    );
    tx.close();
    assert_eq!(
        tx.send_timeout(5, Duration::from_secs(60)),
        Err(SendTimeoutError::Closed(5))
    );
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(60)),
        Err(RecvTimeoutError::Closed)
    );
}

#[test]
fn a_receiver_ranges_until_close() {
    let (tx, rx) = chan(0);
    go(move || {
        for v in 0..5 {
            tx.send(v);
        }
        tx.close();
    });
    let got: Vec<i32> = (&rx).into_iter().collect();
    assert_eq!(got, [0, 1, 2, 3, 4]);
    assert_eq!(rx.count(), 0, "a drained, closed channel ends every range");
}

// --- select! ------------------------------------------------------------------------------

#[test]
fn select_chooses_among_ready_cases_at_random() {
    let (a_tx, a) = chan(1);
    let (b_tx, b) = chan(1);
    let mut chosen = [0u32; 2];
    for _ in 0..400 {
        a_tx.send(());
        b_tx.send(());
        select! {
            recv(a) -> v => { assert_eq!(v, Some(())); chosen[0] += 1; b.recv(); }
            recv(b) -> v => { assert_eq!(v, Some(())); chosen[1] += 1; a.recv(); }
        }
    }
    // Each side has probability 1/2 per round: one never chosen in 400 rounds is a
    // 2^-399 event, or a select that is not uniform.
    assert!(chosen[0] > 0 && chosen[1] > 0, "{chosen:?}");
}

#[test]
fn select_completes_exactly_one_case() {
    let (a_tx, a) = chan(1);
    let (b_tx, b) = chan(1);
    for _ in 0..100 {
        select! {
            send(a_tx, 1) => {},
            send(b_tx, 2) => {},
        }
        assert_eq!(a.len() + b.len(), 1);
        let _ = (a.try_recv(), b.try_recv());
    }
}

#[test]
fn default_runs_when_no_case_is_ready() {
    let (tx, rx) = chan::<u8>(0);
    let got = select! {
        recv(rx) -> _ => "received",
        send(tx, 1) => "sent",
        default => "default",
    };
    assert_eq!(got, "default");
    let got = select! {
        recv(rx) -> _ => "received",
        default(Duration::from_millis(1)) => "timed out",
    };
    assert_eq!(got, "timed out");
}

/// Two selects meet on an unbuffered channel: one sends, one receives, each among other
/// cases nobody serves. Go completes them; so must the registration protocol.
#[test]
fn two_blocked_selects_meet_on_an_unbuffered_channel() {
    for round in 0..100 {
        let (tx, rx) = chan::<u32>(0);
        let (_idle_tx, idle) = chan::<u32>(0);
        let (idle2_tx, _idle2) = chan::<u32>(0);
        let receiver = go(move || {
            select! {
                recv(rx) -> v => v,
                recv(idle) -> _ => unreachable!("nobody sends on idle"),
            }
        });
        select! {
            send(tx, round) => {},
            send(idle2_tx, 0) => unreachable!("nobody receives on idle2"),
        }
        assert_eq!(receiver.join().unwrap(), Some(round));
    }
}

#[test]
fn a_select_on_a_closed_channel_receives_none_and_send_panics_with_gos_text() {
    let (tx, rx) = chan::<u8>(0);
    tx.close();
    let got = select! { recv(rx) -> v => v };
    assert_eq!(got, None);
    assert_eq!(
        panic_text(|| select! { send(tx, 1) => {} }),
        Some("send on closed channel")
    );
}

#[test]
fn a_blocked_select_is_woken_by_a_close() {
    let (tx, rx) = chan::<u8>(2);
    let (_other_tx, other) = chan::<u8>(0);
    let waiter = go(move || {
        select! {
            recv(rx) -> v => v,
            recv(other) -> _ => unreachable!(),
        }
    });
    tx.close();
    assert_eq!(waiter.join().unwrap(), None);
}

#[test]
fn select_bodies_may_break_and_the_loop_ends() {
    let (tx, rx) = chan(3);
    for v in 0..3 {
        tx.send(v);
    }
    tx.close();
    let mut sum = 0;
    loop {
        select! {
            recv(rx) -> v => match v {
                Some(v) => sum += v,
                None => break,
            },
        }
    }
    assert_eq!(sum, 3);
}

// --- the race edges of a rendezvous, whichever side registered first ------------------------

/// Both sides of Go's `racesync`, with the order forced: a `try_send` succeeds on an
/// unbuffered channel only once a receiver is registered (blocked), a `try_recv` only once
/// a sender is. Go's memory model: the send happens before the receive completes, and the
/// receive happens before the send completes.
#[cfg(feature = "race")]
mod rendezvous_edges {
    use std::sync::Arc;

    use gosync::race::{check, RaceCell};
    use gosync::{chan, go, TryRecvError, TrySendError};

    fn send_when_a_receiver_waits(tx: &gosync::Sender<u8>) {
        while let Err(TrySendError::Full(_)) = tx.try_send(1) {
            std::thread::yield_now();
        }
    }

    fn recv_when_a_sender_waits(rx: &gosync::Receiver<u8>) -> u8 {
        loop {
            match rx.try_recv() {
                Ok(v) => return v,
                Err(TryRecvError::Empty) => std::thread::yield_now(),
                Err(TryRecvError::Closed) => unreachable!(),
            }
        }
    }

    /// The blocked receiver learns what the sender did before its send.
    #[test]
    fn a_blocked_receiver_sees_the_senders_writes() {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let (tx, rx) = chan(0);
            let x2 = x.clone();
            let receiver = go(move || {
                rx.recv();
                x2.set(2);
            });
            x.set(1);
            send_when_a_receiver_waits(&tx);
            drop(receiver); // no join edge
        });
        assert!(races.is_empty(), "{}", races[0]);
    }

    /// The sender that completes a blocked receiver learns what the receiver did before it.
    #[test]
    fn the_sender_sees_the_blocked_receivers_writes() {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let (tx, rx) = chan(0);
            let x2 = x.clone();
            let receiver = go(move || {
                x2.set(1);
                rx.recv();
            });
            send_when_a_receiver_waits(&tx);
            x.set(2);
            drop(receiver);
        });
        assert!(races.is_empty(), "{}", races[0]);
    }

    /// The blocked sender learns what the receiver did before its receive.
    #[test]
    fn a_blocked_sender_sees_the_receivers_writes() {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let (tx, rx) = chan(0);
            let x2 = x.clone();
            let sender = go(move || {
                tx.send(1);
                x2.set(2);
            });
            x.set(1);
            recv_when_a_sender_waits(&rx);
            drop(sender);
        });
        assert!(races.is_empty(), "{}", races[0]);
    }

    /// The receiver that completes a blocked sender learns what the sender did before it.
    #[test]
    fn the_receiver_sees_the_blocked_senders_writes() {
        let ((), races) = check(|| {
            let x = Arc::new(RaceCell::new(0));
            let (tx, rx) = chan(0);
            let x2 = x.clone();
            let sender = go(move || {
                x2.set(1);
                tx.send(1);
            });
            recv_when_a_sender_waits(&rx);
            x.set(2);
            drop(sender);
        });
        assert!(races.is_empty(), "{}", races[0]);
    }
}
