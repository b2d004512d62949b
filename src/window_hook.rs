//! A test-only hook inside `add`'s release window, built only with
//! `--cfg gosync_window_hook` (`tests/release_window.rs`).
//!
//! Go's misuse cases inside the window (an `add` or `wait` between the releasing `add`'s
//! decrement and its reset) need a thread stopped there. No user code may run there in a
//! real build (issue 11: not a `tracing` subscriber, not a waker), so the stop is this
//! hook, compiled into no build but the one that tests the window.

use std::cell::RefCell;

thread_local! {
    static HOOK: RefCell<Option<Box<dyn FnOnce()>>> = const { RefCell::new(None) };
}

/// Runs `inner` once, on this thread, inside the next release window of an `add` that
/// this thread calls: after the `fetch_add` that set counter 0 with waiters counted,
/// before the checks and the reset.
pub fn at_release_window(inner: impl FnOnce() + 'static) {
    HOOK.with(|hook| *hook.borrow_mut() = Some(Box::new(inner)));
}

/// Whether the hook set by [`at_release_window`] is still waiting for its window.
pub fn pending() -> bool {
    HOOK.with(|hook| hook.borrow().is_some())
}

/// Called by `add` after its `fetch_add`.
pub(crate) fn add(counter: i32, waiters: u32) {
    if counter == 0 && waiters != 0 {
        if let Some(inner) = HOOK.with(|hook| hook.borrow_mut().take()) {
            inner();
        }
    }
}
