//! Placeholder for `gosync::sync::atomic` (std's atomics, re-exported); the race-aware
//! mirror with the Rust memory model's edges replaces this file (issue 12).

pub use std::sync::atomic::*;
