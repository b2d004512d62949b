//! Go's verdicts on its race testdata (`go/race/waitgroup_test.go`, a copy of Go 1.19's
//! `src/runtime/race/testdata/waitgroup_test.go`), recorded in `golden/race-verdicts.txt`
//! by running each test alone under `go test -race`: `<GoTest> | race reported` or
//! `<GoTest> | no race`.

use crate::golden;

/// Go's verdict per test, in Go's order: `(test name, race reported)`.
pub fn go_verdicts() -> Vec<(String, bool)> {
    golden::read("race-verdicts.txt")
        .into_iter()
        .map(|line| {
            let (test, verdict) = line.split_once(" | ").expect("<GoTest> | <verdict>");
            let race = match verdict {
                "race reported" => true,
                "no race" => false,
                other => panic!("unknown race verdict {other:?} for {test}"),
            };
            (test.to_owned(), race)
        })
        .collect()
}

/// Go's own race suite (`runtime/race/race_test.go`) expects a report from every
/// `TestRace*` and none from any `TestNoRace*`; the recorded verdicts must say the same.
#[test]
fn go_verdicts_follow_gos_naming() {
    let verdicts = go_verdicts();
    assert_eq!(
        verdicts.len(),
        17,
        "Go 1.19's waitgroup race testdata has 17 tests"
    );
    for (test, race) in verdicts {
        let expected = test.starts_with("TestRace");
        assert!(
            expected || test.starts_with("TestNoRace"),
            "{test} is not a race testdata name"
        );
        assert_eq!(
            race, expected,
            "Go's verdict on {test} contradicts its name"
        );
    }
}
