//! Without the `race` feature, `race::check` refuses to run rather than report "no race"
//! having checked nothing; `race::check_if_enabled` runs the closure and says it did not
//! check. (With the feature, `tests/race_model.rs` and the go_parity race tests use both.)
#![cfg(not(feature = "race"))]

use std::panic::{catch_unwind, AssertUnwindSafe};

use gosync::race;

#[test]
fn check_without_the_feature_panics_saying_how_to_enable_it() {
    let mut ran = false;
    let payload = catch_unwind(AssertUnwindSafe(|| race::check(|| ran = true))).unwrap_err();
    let message = payload
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(message.contains("--features gosync/race"), "{message}");
    assert!(!ran, "the closure must not run unchecked");
}

#[test]
fn check_if_enabled_without_the_feature_runs_and_reports_none() {
    let (out, races) = race::check_if_enabled(|| 42);
    assert_eq!((out, races.is_none()), (42, true));
}
