//! What Go says about its own test files, which `tests/go_parity/go/` holds verbatim:
//!
//! - `sync/waitgroup_test.go` (Go 1.19's `src/sync/waitgroup_test.go`), each test run alone
//!   plainly and under `-race`: `golden/sync-tests.txt`, `<GoTest> | plain: pass | -race: pass`.
//!   Its Rust twin is `waitgroup_test.rs`.
//! - `race/waitgroup_test.go` (Go 1.19's `src/runtime/race/testdata/waitgroup_test.go`),
//!   each test run alone under `-race`: `golden/race-verdicts.txt`, `<GoTest> | race
//!   reported` or `<GoTest> | no race`. Its Rust twin is `race_waitgroup_test.rs`.
//!
//! `scripts/go-oracle` checks that every Go test has a passing twin; the tests here check
//! the recorded verdicts, so that editing one fails `cargo test` too.

use crate::golden;

/// The lines of a verdict file, split into `(Go test, verdict)`.
fn verdicts(file: &str) -> Vec<(String, String)> {
    golden::read(file)
        .into_iter()
        .map(|line| {
            let (test, verdict) = line.split_once(" | ").expect("<GoTest> | <verdict>");
            (test.to_owned(), verdict.to_owned())
        })
        .collect()
}

/// Go passes its own WaitGroup tests, plainly and under `-race`.
#[test]
fn go_passes_its_waitgroup_tests() {
    let verdicts = verdicts("sync-tests.txt");
    let tests: Vec<&str> = verdicts.iter().map(|(test, _)| test.as_str()).collect();
    assert_eq!(
        tests,
        [
            "TestWaitGroup",
            "TestWaitGroupMisuse",
            "TestWaitGroupRace",
            "TestWaitGroupAlign"
        ]
    );
    for (test, verdict) in &verdicts {
        assert_eq!(
            verdict, "plain: pass | -race: pass",
            "Go's verdict on {test}"
        );
    }
}

/// Go's own race suite (`runtime/race/race_test.go`) expects a report from every
/// `TestRace*` and none from any `TestNoRace*`; the recorded verdicts must say the same.
#[test]
fn go_race_verdicts_follow_gos_naming() {
    let verdicts = verdicts("race-verdicts.txt");
    assert_eq!(
        verdicts.len(),
        17,
        "Go 1.19's WaitGroup race testdata has 17 tests"
    );
    for (test, verdict) in verdicts {
        let expected = if test.starts_with("TestRace") {
            "race reported"
        } else {
            assert!(
                test.starts_with("TestNoRace"),
                "{test} is not a race testdata name"
            );
            "no race"
        };
        assert_eq!(
            verdict, expected,
            "Go's verdict on {test} contradicts its name"
        );
    }
}
