// A pause button inside gosync's calls, built on the `tracing` feature (no test hook in
// the crate). gosync emits TRACE events at fixed points of `add` and `wait`, and a tracing
// subscriber runs on the emitting thread: one that blocks on a chosen event holds that
// thread exactly there. `wait` emits "wait: registered, sleep" right after its CAS counted
// it and right before the semaphore; `add` emits "add" right after its atomic add, before
// any check. The tour and docs/misuse.md use it to order real interleavings without sleeps.
//
// (Plain comments, not `//!`: docs/misuse.md pulls this file in with `include!`.)

use std::fmt;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::thread;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The start of the message `wait` emits between its CAS and the semaphore.
pub const WAIT_REGISTERED: &str = "wait: registered";
/// The message `add` emits right after its atomic add, before any check.
#[allow(dead_code)] // Both the tour and docs/misuse.md hold a `done` here.
pub const AFTER_ATOMIC_ADD: &str = "add";

/// The message gosync's timed wait emits after queueing and right before it parks.
#[allow(dead_code)] // The tour holds a timed waiter here; docs/misuse.md does not.
pub const PARK_UNTIL_DEADLINE: &str = "park";

/// Where the armed thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Nobody to hold.
    Open,
    /// Hold the thread with this name at its first event whose message starts so.
    Armed {
        thread: &'static str,
        message: &'static str,
    },
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

    /// Holds the thread named `thread` at its first trace event whose message starts with
    /// `message` (one of the constants above).
    pub fn arm(&self, thread: &'static str, message: &'static str) {
        *self.gate() = Gate::Armed { thread, message };
    }

    /// Blocks until the armed thread is held. Fails loudly instead of hanging once
    /// `still_possible` says the thread went past the point (say, the event was renamed).
    pub fn until_holding(&self, still_possible: impl Fn() -> bool) {
        while *self.gate() != Gate::Holding {
            assert!(
                still_possible(),
                "the armed thread went past its trace event: did gosync's trace message change?"
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
        let Gate::Armed {
            thread: armed,
            message: wanted,
        } = *gate
        else {
            return;
        };
        if thread::current().name() != Some(armed) || !message.starts_with(wanted) {
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
