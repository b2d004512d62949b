// A pause button inside gosync's calls: the armed thread, named, is held at a chosen point
// until main lets it go. The tour and docs/misuse.md use it to order real interleavings
// without sleeps. Two kinds of points:
// - a window (feature `unstable-window-hook`, which the workspace's `--features tracing`
//   turns on): gosync's unstable hook runs inside a releasing `add` right after its atomic
//   add (counter 0, waiters counted, before any check) and inside a `wait` right after its
//   CAS counted it (before the semaphore). Nothing else can stop a thread there: no
//   `tracing` subscriber runs inside a window (issue 11), and a shipped build has no hook.
// - a trace event (feature `tracing`): a subscriber runs on the emitting thread, so one
//   that blocks on a chosen event holds that thread exactly there. gosync's timed wait
//   emits "park" after queueing and right before it parks (a consistent state).
//
// (Plain comments, not `//!`: docs/misuse.md pulls this file in with `include!`.)

use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::thread;

#[cfg(feature = "unstable-window-hook")]
use gosync::window_hook::{self, Window};

/// A point to hold a thread at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Inside a window, through gosync's unstable hook.
    #[cfg(feature = "unstable-window-hook")]
    Window(Window),
    /// At the first trace event whose message starts so.
    #[cfg(feature = "tracing")]
    Event(&'static str),
}

/// Inside a `wait`, between its CAS (counted) and the semaphore.
#[cfg(feature = "unstable-window-hook")]
#[allow(dead_code)] // Both the tour and docs/misuse.md hold a waiter here.
pub const WAIT_REGISTERED: Stop = Stop::Window(Window::Registered);
/// Inside a releasing `add`, right after its atomic add, before any check.
#[cfg(feature = "unstable-window-hook")]
#[allow(dead_code)] // Both the tour and docs/misuse.md hold a `done` here.
pub const AFTER_ATOMIC_ADD: Stop = Stop::Window(Window::Release);

/// The message gosync's timed wait emits after queueing and right before it parks.
#[cfg(feature = "tracing")]
#[allow(dead_code)] // The tour holds a timed waiter here; docs/misuse.md does not.
pub const PARK_UNTIL_DEADLINE: Stop = Stop::Event("park");

/// Where the armed thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Nobody to hold.
    Open,
    /// Hold the thread with this name when it first reaches this stop.
    Armed { thread: &'static str, at: Stop },
    /// Holding it.
    Holding,
}

/// The process-wide pause (gosync's window hook and a `tracing` global subscriber can each
/// be installed only once).
pub struct Pause {
    gate: Mutex<Gate>,
    changed: Condvar,
}

impl Pause {
    /// Installs the pause as gosync's window hook and as the global `tracing` subscriber,
    /// once per process.
    pub fn install() -> &'static Pause {
        static PAUSE: OnceLock<&'static Pause> = OnceLock::new();
        PAUSE.get_or_init(|| {
            let pause: &'static Pause = Box::leak(Box::new(Pause {
                gate: Mutex::new(Gate::Open),
                changed: Condvar::new(),
            }));
            #[cfg(feature = "unstable-window-hook")]
            window_hook::install(Box::leak(Box::new(|window| {
                pause.reached(|at| at == Stop::Window(window))
            })))
            .expect("the tour installs the only window hook");
            #[cfg(feature = "tracing")]
            tracing::subscriber::set_global_default(subscriber::Subscribed(pause))
                .expect("the tour installs the only tracing subscriber");
            pause
        })
    }

    fn gate(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Holds the thread named `thread` when it first reaches `at` (one of the constants
    /// above), until the returned guard lets it go: by [`Armed::release`], or by being
    /// dropped, so that a caller that panics while it holds a thread (a failed check)
    /// lets that thread go, and the scope around both ends and reports the panic instead
    /// of waiting for the held thread for ever.
    #[must_use = "dropping the guard lets the thread go at once"]
    pub fn arm(&self, thread: &'static str, at: Stop) -> Armed<'_> {
        *self.gate() = Gate::Armed { thread, at };
        Armed(self)
    }

    /// Blocks until the armed thread is held. Fails loudly instead of hanging once
    /// `still_possible` says the thread went past the point (say, the event was renamed).
    pub fn until_holding(&self, still_possible: impl Fn() -> bool) {
        while *self.gate() != Gate::Holding {
            assert!(
                still_possible(),
                "the armed thread went past its stop: did gosync's window or trace message change?"
            );
            thread::yield_now();
        }
    }

    /// Lets the held thread go on (or disarms the stop if it was not reached).
    fn open(&self) {
        *self.gate() = Gate::Open;
        self.changed.notify_all();
    }

    /// Called on a thread at a point where it can be held: holds it there if it is the
    /// armed thread and `is_here` says the point is its stop.
    fn reached(&self, is_here: impl FnOnce(Stop) -> bool) {
        let mut gate = self.gate();
        let Gate::Armed { thread: armed, at } = *gate else {
            return;
        };
        if thread::current().name() != Some(armed) || !is_here(at) {
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

/// An armed stop (see [`Pause::arm`]): the thread it holds goes on when this is released
/// or dropped.
pub struct Armed<'a>(&'a Pause);

impl Armed<'_> {
    /// Lets the held thread go on.
    pub fn release(self) {}
}

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// The `tracing` side: a subscriber that sees every event, acts on one, records nothing.
#[cfg(feature = "tracing")]
mod subscriber {
    use std::fmt;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::{Pause, Stop};

    pub struct Subscribed(pub &'static Pause);

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
            self.0
                .reached(|at| matches!(at, Stop::Event(wanted) if message.0.starts_with(wanted)));
        }

        fn enter(&self, _: &Id) {}

        fn exit(&self, _: &Id) {}
    }
}
