//! Go parity: Go's tests and our parity scenarios, each run by Go and by gosync.

mod golden;
mod race_verdicts;
mod random;
mod scenarios;
