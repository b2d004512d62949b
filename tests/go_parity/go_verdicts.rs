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

/// Go's name in snake_case, as `scripts/race-vs-go` maps it (`TestNoRaceAtomicCASCASInt32_2`
/// is `no_race_atomic_cascas_int32_2`).
fn snake_case(go_test: &str) -> String {
    let name: Vec<char> = go_test.trim_start_matches("Test").chars().collect();
    let mut out = String::new();
    for (i, &c) in name.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| name[p]);
        let next = name.get(i + 1);
        let after_lower = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
        let acronym_end = prev.is_some_and(|p| p.is_ascii_uppercase())
            && next.is_some_and(|n| n.is_ascii_lowercase());
        if c.is_ascii_uppercase() && (after_lower || acronym_end) {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Every other ported race testdata file (`golden/race-verdicts-<stem>.txt`, Go's
/// `runtime/race/testdata/<stem>_test.go`, its twin `race_<stem>_test.rs`): each verdict
/// follows Go's naming, and each Go test is either ported (a `fn` of Go's name in
/// snake_case in the twin) or listed in `golden/race-unported.txt` with a reason, never
/// both. `scripts/race-vs-go` checks the verdicts against `go test -race` itself.
#[test]
fn every_go_race_test_is_ported_or_listed_unported() {
    let unported: Vec<(String, String)> = verdicts("race-unported.txt");
    for (test, reason) in &unported {
        assert!(
            reason.trim().len() > 10,
            "{test}: unported without a reason"
        );
    }
    let mut files = 0;
    for entry in std::fs::read_dir(golden::dir()).expect("the golden directory") {
        let name = entry.expect("a golden file").file_name();
        let name = name.to_string_lossy();
        let Some(stem) = name
            .strip_prefix("race-verdicts-")
            .and_then(|rest| rest.strip_suffix(".txt"))
        else {
            continue;
        };
        files += 1;
        let twin = format!(
            "{}/tests/go_parity/race_{stem}_test.rs",
            env!("CARGO_MANIFEST_DIR")
        );
        let source = std::fs::read_to_string(&twin).unwrap_or_else(|e| panic!("{twin}: {e}"));
        for (test, verdict) in verdicts(&name) {
            let expected = if test.starts_with("TestRace") {
                "race reported"
            } else {
                "no race"
            };
            assert_eq!(
                verdict, expected,
                "Go's verdict on {test} contradicts its name"
            );
            let ported = source.contains(&format!("fn {}() {{", snake_case(&test)));
            let listed = unported.iter().any(|(t, _)| *t == test);
            assert!(
                ported != listed,
                "{test} ({stem}_test.go) must be either ported to {twin} as `{}` or listed in \
                 golden/race-unported.txt, not both or neither",
                snake_case(&test)
            );
        }
    }
    assert!(files >= 1, "no golden/race-verdicts-<stem>.txt file");
}

#[test]
fn snake_case_matches_the_scripts_mapping() {
    assert_eq!(snake_case("TestNoRaceWaitGroup2"), "no_race_wait_group2");
    assert_eq!(
        snake_case("TestNoRaceAtomicCASCASInt32_2"),
        "no_race_atomic_cascas_int32_2"
    );
    assert_eq!(
        snake_case("TestNoRaceAtomicCASCASUInt64"),
        "no_race_atomic_cascasu_int64"
    );
    assert_eq!(
        snake_case("TestRaceAtomicStoreLoad"),
        "race_atomic_store_load"
    );
}
