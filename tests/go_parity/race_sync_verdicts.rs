//! Go's verdicts on its race testdata for locks, `Once` and `Cond`
//! (`go/race_sync/{mutex,rwmutex,sync}_test.go`, Go 1.19's
//! `src/runtime/race/testdata/`, verbatim), each test run alone under `-race`
//! (`scripts/go-oracle` regenerates them): `golden/race-verdicts-<file>.txt`.
//!
//! Every Go test has a Rust twin of the same name in snake_case in
//! `race_<file>_test.rs`, whose pass means the checker gave Go's verdict, or is listed
//! with its reason in `golden/race-unported.txt`.

use std::path::Path;

use crate::golden;

/// Go's `TestFooBar` as a Rust test name: `foo_bar`.
fn snake(go_test: &str) -> String {
    let name = go_test.strip_prefix("Test").expect("a Go test name");
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || p.is_ascii_digit() || (p.is_uppercase() && next_lower)
            });
        if boundary {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn lines(file: &str) -> Vec<(String, String)> {
    golden::read(file)
        .into_iter()
        .map(|line| {
            let (test, rest) = line.split_once(" | ").expect("<GoTest> | <text>");
            (test.to_owned(), rest.to_owned())
        })
        .collect()
}

fn source(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The Go tests of one testdata file, in order.
fn go_tests(file: &str) -> Vec<String> {
    source(&format!("tests/go_parity/go/race_sync/{file}_test.go"))
        .lines()
        .filter_map(|l| l.strip_prefix("func Test"))
        .map(|l| format!("Test{}", &l[..l.find('(').expect("func TestX(")]))
        .collect()
}

#[test]
fn snake_case_is_the_port_convention() {
    assert_eq!(
        snake("TestRaceRWMutexMultipleReaders"),
        "race_rw_mutex_multiple_readers"
    );
    assert_eq!(snake("TestNoRaceMutex2"), "no_race_mutex2");
    assert_eq!(snake("TestNoRaceAfterFunc1"), "no_race_after_func1");
}

/// For each file: Go's verdicts cover its tests in order, follow Go's naming (a report
/// from every `TestRace*`, none from any `TestNoRace*`), and every test has a twin or a
/// recorded reason.
#[test]
fn every_go_test_has_its_verdict_and_a_twin_or_a_reason() {
    let unported = lines("race-unported.txt");
    for file in ["mutex", "rwmutex", "sync"] {
        let verdicts = lines(&format!("race-verdicts-{file}.txt"));
        let names: Vec<&str> = verdicts.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            names,
            go_tests(file),
            "race-verdicts-{file}.txt lists {file}_test.go's tests"
        );
        let port = source(&format!("tests/go_parity/race_{file}_test.rs"));
        for (test, verdict) in &verdicts {
            let expected = if test.starts_with("TestRace") {
                "race reported"
            } else {
                "no race"
            };
            assert_eq!(
                verdict, expected,
                "Go's verdict on {test} contradicts its name"
            );
            let twin = port.contains(&format!("#[test]\nfn {}() {{", snake(test)));
            let reason = unported.iter().any(|(t, _)| t == test);
            assert!(twin != reason, "{test}: needs exactly one of a twin in race_{file}_test.rs or a line in race-unported.txt");
        }
    }
}
