//! Go's own tests, rewritten in Rust: one module per Go test file, Go's test names in
//! snake_case, Go's comments kept. Each module's header names its Go source file; the
//! ported material is under Go's BSD licence (LICENSE-GO).

mod waitgroup_test;

#[cfg(feature = "race")]
mod race_waitgroup_test;

#[cfg(feature = "race")]
mod race_chan_support;
#[cfg(feature = "race")]
mod race_chan_test;
#[cfg(feature = "race")]
mod race_select_test;

// Go's race testdata for locks, Once and Cond, on gosync::sync (issue 12).
#[cfg(feature = "race")]
mod race_mutex_test;
#[cfg(feature = "race")]
mod race_rwmutex_test;
#[cfg(feature = "race")]
mod race_support;
#[cfg(feature = "race")]
mod race_sync_test;
mod race_sync_verdicts;

// Real Go as the oracle (docs/go-parity.md): scenarios run by Go and by gosync alike.
mod go_verdicts;
mod golden;
mod random;
mod scenarios;
