//! Go's misuse cases that need a thread stopped at a chosen line, reached deterministically.
//!
//! Each case stops a thread at a known line and runs the misuse there, on that thread:
//! - inside a releasing `add`, right after the `fetch_add`, before the checks and the
//!   `store(0)`: counter 0 with a waiter counted, the release window of
//!   `shared/research/go-internals.md` §7.2. No `tracing` subscriber runs there (issue 11,
//!   defect 6: the last tests here check it), so the stop is gosync's unstable window hook
//!   (`gosync::window_hook`, feature `unstable-window-hook`, which the workspace's
//!   `--features tracing` turns on through dev/Cargo.toml).
//! - at the `wake` event (target `gosync::sema`): a parked waiter was readied and has not
//!   yet taken its token, so its `wait` has not returned.
//!
//! A single thread cannot otherwise reach these states: every `add` that brings the
//! counter to zero with waiters resets the word before it returns or panics, so
//! `counter == 0 && waiters > 0` is never left behind. Go's §7.2 experiment forced the word
//! through `unsafe` instead; the inner outcomes here equal its results, and the releasing
//! `add` around them then meets its sanity re-check. `tests/loom.rs` reaches the same
//! panics through real interleavings.
//!
//! Every expected outcome here is Go's: `tests/release_window_go/` runs the same cases on
//! Go 1.19's own `waitgroup.go`, with hooks at the same two points
//! (`cd tests/release_window_go && GOMAXPROCS=1 go run .`), and prints the same panics and
//! states (the `try_add` cases have no Go counterpart).
//!
//! Needs the `tracing` feature: `cargo test --features tracing --test release_window` (the
//! window cases also need the window hook, which that command has; `-p gosync --features
//! tracing`, a dependent's build, runs the rest). One global subscriber, installed before
//! any test touches a WaitGroup, dispatches each event to a hook kept per thread. (Scoped
//! subscribers would race with tracing's per-callsite interest cache while other tests
//! register the same callsites.) The window hook is global too, and dispatches the same way.
#![cfg(feature = "tracing")]

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;
use std::thread::{self, JoinHandle};

use gosync::{WaitGroup, WaitGroupError};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Go's panic texts, byte for byte.
#[cfg(feature = "unstable-window-hook")]
const NEGATIVE: &str = "sync: negative WaitGroup counter";
#[cfg(feature = "unstable-window-hook")]
const ADD_CONCURRENT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
const REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";

/// How a call ended: `Err` holds the `&'static str` payload, as Go's `recover()`.
type Outcome = Result<(), &'static str>;

fn recover(f: impl FnOnce()) -> Outcome {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        *payload
            .downcast_ref::<&'static str>()
            .expect("panic payload must be a &'static str, as Go's panic(string)")
    })
}

/// A state word from Go's decoding: counter in the high half, waiters in the low half.
fn word(counter: i32, waiters: u32) -> u64 {
    (u64::from(counter as u32) << 32) | u64::from(waiters)
}

/// `(state, sema, parked)`: the whole observable group.
fn observed(wg: &WaitGroup) -> (u64, u32, usize) {
    let s = wg.snapshot();
    (s.state, s.sema, s.parked)
}

/// Polls until `wg` has one waiter asleep; fails instead of spinning if it returned.
fn wait_until_parked<T>(wg: &WaitGroup, waiter: &JoinHandle<T>) {
    while wg.snapshot().parked != 1 {
        assert!(
            !waiter.is_finished(),
            "the waiter returned instead of blocking: {:?}",
            wg.snapshot()
        );
        thread::yield_now();
    }
}

// ---- The hook ----------------------------------------------------------------------

/// The fields of one event that the hooks look at.
#[derive(Default)]
struct Fields {
    message: String,
    counter: Option<i64>,
    waiters: Option<u64>,
}

impl Visit for Fields {
    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == "counter" {
            self.counter = Some(value);
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "waiters" {
            self.waiters = Some(value);
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

/// Runs `inner` once, at the first event of this thread with `target` and `message` for
/// which `when` holds.
struct Hook {
    target: &'static str,
    message: &'static str,
    when: fn(&Fields) -> bool,
    inner: Option<Box<dyn FnOnce() -> Outcome>>,
    outcome: Option<Outcome>,
}

thread_local! {
    static HOOK: RefCell<Option<Hook>> = const { RefCell::new(None) };
}

/// The global subscriber: hands each event to this thread's [`Hook`].
struct Dispatch;

impl Subscriber for Dispatch {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        record_seen(event);
        let inner = HOOK.with(|hook| {
            let mut hook = hook.borrow_mut();
            let hook = hook.as_mut()?;
            if event.metadata().target() != hook.target {
                return None;
            }
            let mut fields = Fields::default();
            event.record(&mut fields);
            if fields.message != hook.message || !(hook.when)(&fields) {
                return None;
            }
            hook.inner.take()
        });
        // The borrow is released: the inner call's own events come back here and find
        // the hook spent.
        if let Some(inner) = inner {
            let outcome = inner();
            HOOK.with(|hook| hook.borrow_mut().as_mut().unwrap().outcome = Some(outcome));
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// One event as the subscriber saw it: its message, and the group's waiters and parked.
type Seen = (String, u32, usize);

thread_local! {
    /// The group whose state this thread's `gosync::waitgroup` events record, and the record.
    static SEEN: RefCell<Option<(&'static WaitGroup, Vec<Seen>)>> = const { RefCell::new(None) };
}

/// Appends a `gosync::waitgroup` event to this thread's [`SEEN`], if it keeps one, with its
/// group's state as the subscriber finds it.
fn record_seen(event: &Event<'_>) {
    if event.metadata().target() != "gosync::waitgroup" {
        return;
    }
    SEEN.with(|seen| {
        if let Some((wg, seen)) = seen.borrow_mut().as_mut() {
            let mut fields = Fields::default();
            event.record(&mut fields);
            let now = wg.snapshot();
            seen.push((fields.message, now.waiters, now.parked));
        }
    });
}

/// Installs [`Dispatch`] as the global subscriber (and, with the hook, [`window::dispatch`]
/// as the window hook). Every test calls it before its first WaitGroup call, so no
/// callsite is ever registered without it.
fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(Dispatch).unwrap();
        #[cfg(feature = "unstable-window-hook")]
        gosync::window_hook::install(&window::dispatch).unwrap();
    });
}

/// Runs `body` on this thread with `inner` hooked to the first matching event. Returns
/// `body`'s outcome and `inner`'s, failing if the hook never fired.
fn with_hook(
    target: &'static str,
    message: &'static str,
    when: fn(&Fields) -> bool,
    inner: impl FnOnce() -> Outcome + 'static,
    body: impl FnOnce() -> Outcome,
) -> (Outcome, Outcome) {
    install();
    HOOK.with(|hook| {
        *hook.borrow_mut() = Some(Hook {
            target,
            message,
            when,
            inner: Some(Box::new(inner)),
            outcome: None,
        })
    });
    let body_outcome = body();
    let hook = HOOK.with(|hook| hook.borrow_mut().take()).unwrap();
    let inner_outcome = hook
        .outcome
        .unwrap_or_else(|| panic!("no `{message}` event on `{target}` matched"));
    (body_outcome, inner_outcome)
}

// ---- The release window -------------------------------------------------------------

/// The cases that stop inside the window: built only with the `unstable-window-hook`
/// feature, which `cargo test --features tracing` at the workspace root has.
#[cfg(feature = "unstable-window-hook")]
mod window {
    use super::*;
    use gosync::window_hook::Window;

    thread_local! {
        /// What this thread runs inside its next release window.
        static IN_WINDOW: RefCell<Option<Box<dyn FnOnce()>>> = const { RefCell::new(None) };
    }

    /// The window hook: runs this thread's [`IN_WINDOW`] inside its next release window.
    /// (The borrow ends first: a call inside it that enters a window itself finds it spent.)
    pub(super) fn dispatch(window: Window) {
        if window == Window::Release {
            if let Some(inner) = IN_WINDOW.with(|slot| slot.borrow_mut().take()) {
                inner();
            }
        }
    }

    /// Parks one waiter on `wg` (counter 1), then calls `done` with `inner` run inside its
    /// release window. Returns `done`'s outcome, `inner`'s, and the waiter.
    fn done_with_inner_in_window(
        wg: &'static WaitGroup,
        inner: impl FnOnce() -> Outcome + 'static,
    ) -> (Outcome, Outcome, JoinHandle<Outcome>) {
        use std::rc::Rc;
        install();
        wg.add(1);
        let waiter = thread::spawn(move || recover(|| wg.wait()));
        wait_until_parked(wg, &waiter);
        let inner_outcome = Rc::new(RefCell::new(None));
        let slot = Rc::clone(&inner_outcome);
        IN_WINDOW.with(|hook| {
            *hook.borrow_mut() = Some(Box::new(move || *slot.borrow_mut() = Some(inner())))
        });
        let outer = recover(|| wg.done());
        assert!(
            IN_WINDOW.with(|hook| hook.borrow().is_none()),
            "the window hook never ran"
        );
        let inner = inner_outcome
            .borrow_mut()
            .take()
            .expect("the window hook ran");
        (outer, inner, waiter)
    }

    /// Go §7.2: `Add(1)` in the window panics "concurrently" and leaves `v=1, w=1`. The
    /// releasing `done` then fails its sanity re-check (Go's second panic site) and resets
    /// nothing; a later `done` releases the waiter.
    #[test]
    fn add_one_inside_the_release_window_panics_at_both_sites() {
        static WG: WaitGroup = WaitGroup::new();
        let (outer, inner, waiter) = done_with_inner_in_window(&WG, || recover(|| WG.add(1)));
        assert_eq!((inner, outer), (Err(ADD_CONCURRENT), Err(ADD_CONCURRENT)));
        assert_eq!(observed(&WG), (word(1, 1), 0, 1));
        WG.done();
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(observed(&WG), (0, 0, 0));
    }

    /// Go §7.2: `Add(1<<32 + 1)` counts as `Add(1)`: the same "concurrently" panic.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn wide_add_inside_the_release_window_panics_like_add_one() {
        static WG: WaitGroup = WaitGroup::new();
        let (outer, inner, waiter) =
            done_with_inner_in_window(&WG, || recover(|| WG.add((1 << 32) + 1)));
        assert_eq!((inner, outer), (Err(ADD_CONCURRENT), Err(ADD_CONCURRENT)));
        assert_eq!(observed(&WG), (word(1, 1), 0, 1));
        WG.done();
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(observed(&WG), (0, 0, 0));
    }

    /// Go §7.2: `Add(-1)` in the window panics "negative" and leaves `v=-1, w=1`; the
    /// releasing `done` then panics "concurrently". `Add(1)` releases the waiter.
    #[test]
    fn negative_add_inside_the_release_window_panics_negative() {
        static WG: WaitGroup = WaitGroup::new();
        let (outer, inner, waiter) = done_with_inner_in_window(&WG, || recover(|| WG.add(-1)));
        assert_eq!((inner, outer), (Err(NEGATIVE), Err(ADD_CONCURRENT)));
        assert_eq!(observed(&WG), (word(-1, 1), 0, 1));
        WG.add(1);
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(observed(&WG), (0, 0, 0));
    }

    /// Go §7.2: `Add(0)` in the window passes every check and runs the release path itself
    /// (word reset, one token per counted waiter). Here that token wakes the real waiter, and
    /// the `done` whose window it was panics at its sanity re-check.
    #[test]
    fn add_zero_inside_the_release_window_releases_the_waiters_itself() {
        static WG: WaitGroup = WaitGroup::new();
        let (outer, inner, waiter) = done_with_inner_in_window(&WG, || {
            let outcome = recover(|| WG.add(0));
            assert_eq!(WG.snapshot().state, 0, "Add(0) reset the word");
            outcome
        });
        assert_eq!((inner, outer), (Ok(()), Err(ADD_CONCURRENT)));
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(observed(&WG), (0, 0, 0));
    }

    /// `Wait` returns at once when the counter is zero, even with a waiter still counted
    /// (inside the window), and changes nothing: the releasing `done` completes normally.
    #[test]
    fn wait_inside_the_release_window_returns_at_once() {
        static WG: WaitGroup = WaitGroup::new();
        let (outer, inner, waiter) = done_with_inner_in_window(&WG, || {
            let outcome = recover(|| WG.wait());
            assert_eq!(WG.snapshot().state, word(0, 1), "Wait changed nothing");
            outcome
        });
        assert_eq!((inner, outer), (Ok(()), Ok(())));
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(observed(&WG), (0, 0, 0));
    }

    /// `try_add` in the window returns Go's error and leaves the group as it was, so the
    /// releasing `done` passes its sanity re-check and releases the waiter normally.
    #[test]
    fn try_add_inside_the_release_window_changes_nothing() {
        static WG: WaitGroup = WaitGroup::new();
        for (delta, error) in [
            (1, WaitGroupError::AddCalledConcurrentlyWithWait),
            (-1, WaitGroupError::NegativeCounter),
        ] {
            let (outer, inner, waiter) = done_with_inner_in_window(&WG, move || {
                let before = WG.snapshot();
                assert_eq!(WG.try_add(delta), Err(error), "try_add({delta})");
                assert_eq!(WG.snapshot(), before, "try_add({delta}) changed the group");
                Ok(())
            });
            assert_eq!((inner, outer), (Ok(()), Ok(())), "try_add({delta})");
            assert_eq!(waiter.join().unwrap(), Ok(()));
            assert_eq!(observed(&WG), (0, 0, 0));
        }
    }
}

// ---- Reuse before the previous Wait returned ----------------------------------------

/// Parks a waiter running `wait` on `wg` (counter 1) and has it call `add(1)` itself at
/// its `wake` event, after the main thread's `done` released it. Returns the outcomes of
/// `wait` and of that `add`.
fn reused_on_wake(wg: &'static WaitGroup, wait: fn() -> Outcome) -> (Outcome, Outcome) {
    install();
    wg.add(1);
    let waiter = thread::spawn(move || {
        let always = |_: &Fields| true;
        with_hook(
            "gosync::sema",
            "wake",
            always,
            move || recover(|| wg.add(1)),
            wait,
        )
    });
    wait_until_parked(wg, &waiter);
    wg.done();
    waiter.join().unwrap()
}

/// A new generation's `add` after the waiter was released but before its `wait`
/// returned: the woken `wait` panics "reused" (Go's re-check after `Semacquire`). The
/// group then counts the new `add` only; the waiter's token is consumed.
#[test]
fn add_before_a_woken_wait_returns_panics_reused() {
    static WG: WaitGroup = WaitGroup::new();
    let (wait, add) = reused_on_wake(&WG, || recover(|| WG.wait()));
    assert_eq!((add, wait), (Ok(()), Err(REUSED)));
    assert_eq!(observed(&WG), (word(1, 0), 0, 0));
    WG.done();
    assert_eq!(observed(&WG), (0, 0, 0));
}

/// `checked_wait` returns the "reused" error and leaves the state its docs describe: not
/// counted any more, token consumed, the racing `add`'s counter in place.
#[test]
fn checked_wait_reports_reuse_before_it_returned() {
    static WG: WaitGroup = WaitGroup::new();
    let (wait, add) = reused_on_wake(&WG, || WG.checked_wait().map_err(WaitGroupError::go_text));
    assert_eq!((add, wait), (Ok(()), Err(REUSED)));
    assert_eq!(observed(&WG), (word(1, 0), 0, 0));
    WG.done();
    assert_eq!(observed(&WG), (0, 0, 0));
}

// ---- Issue 11, defect 6: no subscriber inside a window ---------------------------------

/// The releasing `add`'s event fields: counter 0 with the one waiter it releases.
fn releasing(f: &Fields) -> bool {
    f.counter == Some(0) && f.waiters == Some(1)
}

/// The releasing `done`'s `add` event reaches the subscriber only once the group is
/// consistent again: the word reset and every token released. (Before, it ran between the
/// `fetch_add` and the `store(0)`: a slow subscriber made a waiter leaving on credit spin,
/// a panicking one left counter 0 with a waiter counted for ever.)
#[test]
fn issue11_6_the_subscriber_never_runs_inside_the_release_window() {
    static WG: WaitGroup = WaitGroup::new();
    install();
    WG.add(1);
    let waiter = thread::spawn(|| recover(|| WG.wait()));
    wait_until_parked(&WG, &waiter);
    let (outer, inner) = with_hook(
        "gosync::waitgroup",
        "add",
        releasing,
        || {
            let s = WG.snapshot();
            if s.counter == 0 && s.waiters != 0 {
                return Err("the subscriber ran inside the release window");
            }
            Ok(())
        },
        || recover(|| WG.done()),
    );
    assert_eq!((inner, outer), (Ok(()), Ok(())));
    assert_eq!(waiter.join().unwrap(), Ok(()));
    assert_eq!(observed(&WG), (0, 0, 0));
}

/// A waiter's `gosync::waitgroup` events reach the subscriber only while the group counts
/// exactly the waiters on its semaphore: never between the CAS that counts it and its
/// sleep. (Before, "wait: registered, sleep" ran there: a subscriber that blocked or
/// panicked held a counted waiter away from the semaphore.)
#[test]
fn issue11_6_the_subscriber_never_runs_between_a_waits_cas_and_its_sleep() {
    static WG: WaitGroup = WaitGroup::new();
    install();
    WG.add(1);
    let waiter = thread::spawn(|| {
        SEEN.with(|seen| *seen.borrow_mut() = Some((&WG, Vec::new())));
        let outcome = recover(|| WG.wait());
        (
            outcome,
            SEEN.with(|seen| seen.borrow_mut().take().unwrap().1),
        )
    });
    wait_until_parked(&WG, &waiter);
    WG.done();
    let (outcome, seen) = waiter.join().unwrap();
    assert_eq!(outcome, Ok(()));
    for (message, waiters, parked) in &seen {
        assert_eq!(
            *waiters as usize, *parked,
            "at {message:?} the waiter is counted and not on the semaphore"
        );
    }
    assert!(
        seen.iter()
            .any(|(message, ..)| message.starts_with("wait: counter is not zero"))
            && seen
                .iter()
                .any(|(message, ..)| message.starts_with("wait: woken")),
        "the waiter's events: {seen:?}"
    );
    assert_eq!(observed(&WG), (0, 0, 0));
}
