//! Issue 11, defect 5: `WaitGroup::go` undoes its `add(1)` when the thread cannot start.
//!
//! A test of its own, without libtest's harness (`harness = false` in `Cargo.toml`): the
//! thread spawn is made to fail for real by a `RUST_MIN_STACK` too large to map, which
//! std reads once, at the first spawn of the process; libtest's own test threads would
//! read it first.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use gosync::WaitGroup;

fn main() {
    // Set before any thread of this process is spawned (edition 2021: a safe call; no
    // other thread exists yet to read the environment concurrently).
    std::env::set_var("RUST_MIN_STACK", (1usize << 46).to_string());

    let wg = Arc::new(WaitGroup::new());
    let spawned = catch_unwind(AssertUnwindSafe(|| wg.go(|| ())));
    let payload = spawned.expect_err("a 64 TiB stack cannot be mapped: the spawn must fail");
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    assert!(
        message.contains("failed to spawn thread"),
        "the spawn's own failure is reported: {message:?}"
    );
    let s = wg.snapshot();
    assert_eq!(
        (s.state, s.sema, s.parked),
        (0, 0, 0),
        "the add is undone: {s:?}"
    );
    wg.wait(); // returns at once: the counter is back at zero
    println!("go_spawn_failure: ok (the add was undone, then the spawn failure reported)");
}
