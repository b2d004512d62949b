//! **Unstable, not gosync's API**: a hook that runs inside the transient windows of `add`
//! and `wait`, built only with the `unstable-window-hook` feature.
//!
//! Some lessons and tests need a thread stopped where no safe program can hold one: a
//! releasing `add` between its decrement and its reset (Go's misuse inside the release
//! window: the tour's scene 6, docs/misuse.md, `tests/release_window.rs`), or a `wait`
//! counted by its CAS and not yet on the semaphore (a token that arrives before the sleep:
//! the tour's scene 3 and docs/misuse.md). Every other build runs no code of yours there
//! (not a `tracing` subscriber, not a waker: see docs/beyond-go.md, "No user code inside a
//! window"). This hook is the one exception, and it is one on purpose: a hook that
//! blocks holds every other waiter of the group in the window with it, and one that panics
//! leaves the group inconsistent for ever (Go's misuse does the same).
//!
//! Never enable the feature outside a test or a lesson: nothing here follows semver, and
//! the hook can break every guarantee the crate makes. The workspace's `--features
//! tracing` turns it on through `dev/Cargo.toml`, so the tour's command
//! (`cargo run --example tour --features tracing`) has it; a dependent's build has it only
//! if it names this feature (its `gosync/tracing` does not turn it on).
//! With the feature off the module and its call sites do not exist.
//!
//! ```
//! use gosync::window_hook::{self, Window};
//!
//! // Process-wide, once (as `tracing`'s global default); it runs on the thread in the window.
//! window_hook::install(&|window: Window| {
//!     if window == Window::Release {
//!         // this thread's `add` just set counter 0 with waiters counted
//!     }
//! })
//! .expect("the only window hook of this process");
//! ```

// `std::sync` directly, not the `primitive` facade: the hook is instrumentation outside
// what loom and shuttle model (as the race checker's state is).
use std::sync::OnceLock;

/// A transient window, where the hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Window {
    /// Inside a releasing `add`: right after the `fetch_add` (waitgroup.go:73) that left
    /// counter 0 with waiters counted, before its checks and its reset (line 100).
    Release,
    /// Inside a `wait` (of any kind: thread, timed, task): right after the CAS that counted
    /// it (waitgroup.go:131), before it reaches the semaphore (line 139).
    Registered,
}

/// What [`install`] takes: called with each window a thread enters, on that thread.
pub type Hook = &'static (dyn Fn(Window) + Sync);

static HOOK: OnceLock<Hook> = OnceLock::new();

/// Installs `hook` for the rest of the process.
///
/// # Errors
///
/// [`AlreadyInstalled`] if a hook is installed already (this one is not).
pub fn install(hook: Hook) -> Result<(), AlreadyInstalled> {
    HOOK.set(hook).map_err(|_| AlreadyInstalled)
}

/// The error of [`install`]: this process has its window hook already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("gosync's window hook is installed already")]
pub struct AlreadyInstalled;

/// Runs the hook, if one is installed, inside `window`.
#[inline]
pub(crate) fn enter(window: Window) {
    if let Some(hook) = HOOK.get() {
        hook(window);
    }
}
