//! # gosync: Go's `sync.WaitGroup`, ported line for line
//!
//! **The guarantee:** every [`done`](WaitGroup::done) (and every [`add`](WaitGroup::add)
//! with a negative delta) happens before the return of any [`wait`](WaitGroup::wait) that
//! it unblocks, as Go's memory model promises for `Done` and `Wait`.
//!
//! | Go                              | Rust                                         |
//! |---------------------------------|----------------------------------------------|
//! | `var wg sync.WaitGroup`         | `let wg = WaitGroup::new();` (or `Default`)  |
//! | `wg.Add(delta)`                 | [`wg.add(delta)`](WaitGroup::add)            |
//! | `wg.Done()`                     | [`wg.done()`](WaitGroup::done)               |
//! | `wg.Wait()`                     | [`wg.wait()`](WaitGroup::wait)               |
//! | `defer func() { recover() }()` around a misuse | [`try_add`](WaitGroup::try_add), [`try_done`](WaitGroup::try_done) (never block, group unchanged on `Err`), [`checked_wait`](WaitGroup::checked_wait) (blocks) → [`WaitGroupError`] |
//! | (no way to ask "is it zero?")   | [`wg.is_zero()`](WaitGroup::is_zero): never blocks |
//! | (no way to read the counter)    | [`wg.snapshot()`](WaitGroup::snapshot), a debugging view only |
//! | `internal/race` annotations     | [`race`], a checker with the `race` feature  |
//! | `wg.Go(f)` (Go 1.25)            | [`wg.go(f)`](WaitGroup::go) on an `Arc<WaitGroup>` → [`JoinHandle`]; [`go_static`](WaitGroup::go_static), [`go_scoped`](WaitGroup::go_scoped) |
//! | `defer wg.Done()`               | [`wg.done_guard()`](WaitGroup::done_guard) → [`DoneGuard`]; [`add_guard_owned`](WaitGroup::add_guard_owned) → [`OwnedDoneGuard`] |
//!
//! Beyond Go, on the same type: [`wait_timeout`](WaitGroup::wait_timeout) and
//! [`wait_deadline`](WaitGroup::wait_deadline), which withdraw cleanly on time-out, and
//! [`wait_async`](WaitGroup::wait_async), a cancel-safe future ([`Wait`]) for any
//! executor; threads and tasks can wait on one group together.
//!
//! `gosync` is a faithful port of Go 1.19's `sync/waitgroup.go` and of the parts of
//! `runtime/sema.go` it sleeps on: same state word, same branches in the same order,
//! Go's three misuse panics with Go's exact text, and Go's memory-model guarantee.
//!
//! ```
//! use gosync::WaitGroup;
//!
//! let wg = WaitGroup::new();
//! let mut sums = [0u64; 3];
//! std::thread::scope(|s| {
//!     for (i, sum) in sums.iter_mut().enumerate() {
//!         wg.add(1);
//!         let wg = &wg;
//!         s.spawn(move || {
//!             *sum = (0..=i as u64 * 10).sum();
//!             wg.done();
//!         });
//!     }
//!     wg.wait();
//! });
//! assert_eq!(sums, [0, 55, 210]);
//! ```
//!
//! ## Goroutines, channels and the race checker
//!
//! [`go`] starts a thread as Go's `go` statement starts a goroutine, [`chan`] is Go's
//! channel and [`select!`] its `select`. With the `race` feature, Go's race annotations in
//! `WaitGroup` feed a happens-before checker: [`race::check`] runs a closure and returns
//! the data races and WaitGroup misuse found, reported in `go test -race`'s format (see
//! [`race`] and `docs/race.md`), and reports a deadlock instead of hanging. Without the
//! feature the annotations compile to nothing.
//!
//! To check a whole ported program, take its locks, once cells, barriers, channels and
//! threads from [`sync`] and [`thread`], mirrors of `std::sync` and `std::thread`: std's
//! own items without the feature, wrappers carrying Go's annotations with it.
//!
//! ## Learning how it works
//!
//! `cargo run --example tour -- --svg tour.svg` narrates a real run (which goroutine did
//! what, the state word after each step, which lines of Go ran and why) and draws it as a
//! timeline. The repository's `docs/` explains the state word, `Add`, `Done`, `Wait`, the
//! runtime semaphore and the misuse panics, and `docs/side-by-side.md` shows every Go
//! statement beside the Rust that ports it.
//!
//! ## Porting Go code
//!
//! The repository's [`docs/porting.md`](https://github.com/gosync-rs/gosync/blob/main/docs/porting.md)
//! maps Go's constructs to gosync one by one (the `go` statement, `Add`/`Done`/`Wait`,
//! `defer wg.Done()`, errgroup, bounded parallelism, pipelines, cancellation), and
//! `examples/pipeline.rs` ports the Go blog's `bounded.go`.
//!
//! ## Model checking your own code
//!
//! Build with `RUSTFLAGS="--cfg gosync_loom"` (or `--cfg gosync_shuttle`) and gosync's
//! atomics, locks and parking come from loom (or shuttle), so a `loom::model` around your
//! code explores the WaitGroup's interleavings too.

// docs.rs builds with `--cfg docsrs` (Cargo.toml): items behind a feature or cfg get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod chan;
mod error;
mod goroutine;
mod primitive;
pub mod race;
mod select;
mod sema;
pub mod sync;
pub mod thread;
mod waitgroup;
// Unstable, not API: see the module's docs (feature `unstable-window-hook`).
#[cfg(feature = "unstable-window-hook")]
#[doc(hidden)]
pub mod window_hook;

pub use chan::{chan, Iter, Receiver, Sender};

/// What [`select!`] expands to; not API.
#[doc(hidden)]
pub mod __select {
    pub use crate::select::{run, Case, ChanRef, Context, Mode, RecvCase, SendCase};
}
pub use error::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError, WaitGroupError};
pub use goroutine::{go, JoinHandle};
pub use waitgroup::{DoneGuard, OwnedDoneGuard, Snapshot, Wait, WaitGroup};

/// `TRACE` events behind the `tracing` feature; with the feature off nothing is compiled in
/// (the macro expands to nothing, its arguments are never evaluated).
mod trace {
    #[cfg(feature = "tracing")]
    macro_rules! trace {
        ($($arg:tt)+) => { ::tracing::trace!($($arg)+) };
    }

    #[cfg(not(feature = "tracing"))]
    macro_rules! trace {
        ($($arg:tt)+) => {};
    }

    pub(crate) use trace;
}

/// The chapters of `docs/`, included here so that `cargo test` compiles and runs every Rust
/// block in them as a doctest. Built only by rustdoc's test collection.
#[cfg(doctest)]
mod doc_chapters {
    /// docs/state-word.md
    #[doc = include_str!("../docs/state-word.md")]
    pub struct StateWord;

    /// docs/add-done.md
    #[doc = include_str!("../docs/add-done.md")]
    pub struct AddDone;

    /// docs/wait.md
    #[doc = include_str!("../docs/wait.md")]
    pub struct Wait;

    /// docs/semaphore.md
    #[doc = include_str!("../docs/semaphore.md")]
    pub struct Semaphore;

    /// docs/misuse.md
    #[doc = include_str!("../docs/misuse.md")]
    pub struct Misuse;

    /// docs/race-annotations.md
    #[doc = include_str!("../docs/race-annotations.md")]
    pub struct RaceAnnotations;

    /// docs/after-go-1.19.md
    #[doc = include_str!("../docs/after-go-1.19.md")]
    pub struct AfterGo119;

    /// docs/README.md
    #[doc = include_str!("../docs/README.md")]
    pub struct Index;

    /// docs/beyond-go.md
    #[doc = include_str!("../docs/beyond-go.md")]
    pub struct BeyondGo;

    /// docs/porting.md
    #[doc = include_str!("../docs/porting.md")]
    pub struct Porting;

    /// Without the `unstable-window-hook` feature there is no window hook at all: no module, no
    /// call site inside a window (what `cargo test` checks here; the feature's comment in
    /// `Cargo.toml` says who turns it on).
    ///
    /// ```compile_fail,E0433
    /// gosync::window_hook::install(&|_| {}).unwrap();
    /// ```
    #[cfg(not(feature = "unstable-window-hook"))]
    pub struct NoWindowHook;
}
