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
    let (blocked, races) = gosync::race::check_if_enabled(|| {
        let blocked = {
            let tx = tx.clone();
            go(move || tx.send(2)) // the buffer is full: blocks until the close
        };
        tx.close();
        blocked
    });
    // Go's verdict under `go test -race`: nothing orders the close after the send, so the
    // close's write of the channel races the send's read.
    if let Some(races) = races {
        assert!(!races.is_empty());
    }
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
