//! The chapters of `docs/`, included here so that `cargo test` compiles and runs every Rust
//! block in them as a doctest. Built only by rustdoc's test collection.

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
