//! loom models of the acquisition engine itself, below `WaitGroup`: what a `WaitGroup` in
//! correct use never does (a barging acquirer), but the engine must survive.

use std::sync::Arc as StdArc;
use std::task::{Poll, Wake, Waker};

use loom::sync::Arc;
use loom::thread;

use super::{cancel::Acquire, semacquire, semrelease, Acquisition, Readied, Sema, Slept};

/// Wakes a model thread parked in its poll loop.
struct Unpark(thread::Thread);
impl Wake for Unpark {
    fn wake(self: StdArc<Self>) {
        self.0.unpark();
    }
}

/// A task queued on a semaphore whose first token a barging acquirer may take: a release
/// that finds its token gone leaves the task queued (it dequeues no waiter without a
/// token), and the release that brings the next token dequeues and wakes it; the task
/// never hangs (loom reports the deadlock) and every token is taken.
#[test]
fn a_release_whose_token_a_barger_took_leaves_the_task_for_the_next() {
    loom::model(|| {
        let sema = Arc::new(Sema::new());
        let barger = {
            let sema = Arc::clone(&sema);
            thread::spawn(move || semacquire(&sema))
        };
        let releaser = {
            let sema = Arc::clone(&sema);
            thread::spawn(move || {
                for _ in 0..2 {
                    let mut readied = Readied::default();
                    semrelease(&sema, &mut readied);
                    readied.wake_all();
                }
            })
        };
        let waker = Waker::from(StdArc::new(Unpark(thread::current())));
        let mut task = Acquisition::task(waker.clone());
        loop {
            task.set_waker(&sema, &waker);
            let polled = task.poll(
                &sema,
                |_| Slept::Pending,
                || unreachable!("a task never expires"),
            );
            if polled == Poll::Ready(Acquire::Token) {
                break;
            }
            thread::park();
        }
        barger.join().unwrap();
        releaser.join().unwrap();
        assert_eq!(sema.value(), 0);
    });
}

/// A waiter that a release readied takes its token, returns, and queues again on the same
/// node (its thread's sudog cache gives the node straight back) while the releaser may
/// still be between readying it and waking it. The releaser touches only the wake handle
/// it took out under the root lock, never the node after its `readied` store: loom checks
/// every access to the node's cells, so a releaser that touched the node later would be a
/// reported race with the node's second wait. Both waits get their tokens.
#[test]
fn a_readied_node_is_reused_by_its_waiter_while_its_releaser_wakes_it() {
    loom::model(|| {
        let sema = Arc::new(Sema::new());
        let waiter = {
            let sema = Arc::clone(&sema);
            thread::spawn(move || {
                semacquire(&sema);
                semacquire(&sema);
            })
        };
        for _ in 0..2 {
            let mut readied = Readied::default();
            semrelease(&sema, &mut readied);
            readied.wake_all();
        }
        waiter.join().unwrap();
        assert_eq!(sema.value(), 0);
    });
}
