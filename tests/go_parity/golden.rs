//! The recorded Go outcomes and how the Rust side reads and compares them.
//!
//! `golden/` holds what Go printed (`scripts/go-oracle` regenerates it). A test reads it
//! from `GOSYNC_PARITY_GOLDEN` when set (the script points it at Go's fresh output), else
//! from the committed `tests/go_parity/golden/`.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Once;

/// The directory holding Go's outcomes.
pub fn dir() -> PathBuf {
    match std::env::var_os("GOSYNC_PARITY_GOLDEN") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/go_parity/golden"),
    }
}

/// The lines of one golden file.
pub fn read(name: &str) -> Vec<String> {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the Go outcomes {}: {e}", path.display()));
    text.lines().map(str::to_owned).collect()
}

thread_local! {
    /// Set while [`outcome`] runs an op: its panic is an expected outcome, not a failure.
    static RECORDING: Cell<bool> = const { Cell::new(false) };
}

/// Runs one op and renders its outcome as Go's recorder does: `ok`, or `panic: <text>`
/// with the panic's exact text (Go's `recover()` value).
pub fn outcome(op: impl FnOnce()) -> String {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        // Recorded panics are outcomes: keep them off stderr, print every other panic.
        let report = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !RECORDING.with(Cell::get) {
                report(info);
            }
        }));
    });
    RECORDING.with(|r| r.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(op));
    RECORDING.with(|r| r.set(false));
    match result {
        Ok(()) => "ok".to_owned(),
        Err(payload) => match payload.downcast_ref::<&str>() {
            Some(text) => format!("panic: {text}"),
            None => match payload.downcast_ref::<String>() {
                Some(text) => format!("panic: {text}"),
                None => "panic: <not a string>".to_owned(),
            },
        },
    }
}

/// Fails, naming `what` and both outcomes, unless gosync's lines equal Go's one by one.
pub fn assert_agree(what: &str, go: &[String], gosync: &[String]) {
    for (step, (go_line, rust_line)) in go.iter().zip(gosync).enumerate() {
        assert!(
            go_line == rust_line,
            "{what}, step {step}: Go and gosync disagree\n       Go: {go_line}\n   gosync: {rust_line}"
        );
    }
    assert!(
        go.len() == gosync.len(),
        "{what}: Go recorded {} lines, gosync {}\n       Go: {:?}\n   gosync: {:?}",
        go.len(),
        gosync.len(),
        go.get(gosync.len()),
        gosync.get(go.len()),
    );
}
