//! A pause button inside `wait`, built on the `tracing` feature (no test hook in the crate).
//!
//! `wait` emits a TRACE event right after its CAS counted it as a waiter and right before it
//! calls the semaphore. A subscriber runs on the emitting thread, so a subscriber that blocks
//! on that one event holds the waiter exactly there: counted in the state word, not yet in
//! the semaphore. That is how the tour shows, deterministically, a token that arrives before
//! the sleep.

use std::fmt;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::thread;

use gosync::WaitGroup;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Part of the message of the event `wait` emits between its CAS and the semaphore.
const REGISTERED_EVENT: &str = "registered";

/// Where the armed thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Nobody to hold.
    Open,
    /// Hold the thread with this name when it reaches the event.
    Armed(&'static str),
    /// Holding it.
    Holding,
}

/// The process-wide pause (a `tracing` global subscriber can be installed only once).
pub struct Pause {
    gate: Mutex<Gate>,
    changed: Condvar,
}

impl Pause {
    /// Installs the pause as the global `tracing` subscriber, once per process.
    pub fn install() -> &'static Pause {
        static PAUSE: OnceLock<&'static Pause> = OnceLock::new();
        PAUSE.get_or_init(|| {
            let pause: &'static Pause = Box::leak(Box::new(Pause {
                gate: Mutex::new(Gate::Open),
                changed: Condvar::new(),
            }));
            tracing::subscriber::set_global_default(Subscribed(pause))
                .expect("the tour installs the only tracing subscriber");
            pause
        })
    }

    fn gate(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Holds the thread named `thread_name` when its `wait` has counted itself.
    pub fn arm(&self, thread_name: &'static str) {
        *self.gate() = Gate::Armed(thread_name);
    }

    /// Blocks until the armed thread is held. Fails loudly instead of hanging if the waiter
    /// went to sleep instead (the event was renamed or moved).
    pub fn until_holding(&self, wg: &WaitGroup) {
        loop {
            if *self.gate() == Gate::Holding {
                return;
            }
            assert_eq!(
                wg.snapshot().parked,
                0,
                "the waiter fell asleep without passing the `{REGISTERED_EVENT}` trace event: \
                 did `wait`'s trace message change?"
            );
            thread::yield_now();
        }
    }

    /// Lets the held thread go on.
    pub fn release(&self) {
        *self.gate() = Gate::Open;
        self.changed.notify_all();
    }

    fn on_event(&self, message: &str) {
        let mut gate = self.gate();
        let armed = matches!(*gate, Gate::Armed(name) if thread::current().name() == Some(name));
        if !armed || !message.contains(REGISTERED_EVENT) {
            return;
        }
        *gate = Gate::Holding;
        while *gate == Gate::Holding {
            gate = self
                .changed
                .wait(gate)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The subscriber: sees every event, acts on one, records nothing.
struct Subscribed(&'static Pause);

/// Reads an event's `message` field.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Subscribed {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = Message::default();
        event.record(&mut message);
        self.0.on_event(&message.0);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
