//! Loom models of the channel protocol (`src/select.rs`): registration, the claim of a
//! selection context, and the board's wake-ups, in every interleaving (preemption bound 2).
#![cfg(gosync_loom)]

use gosync::{chan, go, select};

fn model(f: impl Fn() + Send + Sync + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(2);
    builder.check(f);
}

/// Two selects meet on an unbuffered channel, each with a second case nobody serves:
/// whichever registers first, the other claims it; no wake-up is lost (both return),
/// exactly one case of each completes, and the value arrives.
#[test]
fn two_selects_meet_on_an_unbuffered_channel() {
    model(|| {
        let (tx, rx) = chan::<u8>(0);
        let (_idle_tx, idle) = chan::<u8>(0);
        let (idle2_tx, _idle2) = chan::<u8>(0);
        let receiver = go(move || {
            select! {
                recv(rx) -> v => v,
                recv(idle) -> _ => unreachable!("nobody sends on idle"),
            }
        });
        select! {
            send(tx, 7) => {},
            send(idle2_tx, 0) => unreachable!("nobody receives on idle2"),
        }
        assert_eq!(receiver.join().unwrap(), Some(7));
    });
}

/// A receiver blocked on a buffered channel and a close: the close wakes it (no lost
/// wake-up) and it drains the buffered value before `None`.
#[test]
fn a_blocked_receiver_sees_a_send_then_the_close() {
    model(|| {
        let (tx, rx) = chan::<u8>(1);
        let receiver = go(move || (rx.recv(), rx.recv()));
        tx.send(1);
        tx.close();
        assert_eq!(receiver.join().unwrap(), (Some(1), None));
    });
}
