//! What the ports of Go's race testdata for channels and `select` share: Go's `go`
//! statement, the two verdicts, the check that every Go test is ported with Go's verdict,
//! and Go's sleeps and `runtime.Gosched`, none of which creates a happens-before edge.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::thread;
use std::time::Duration;

use gosync::race::DataRace;

/// Go's `go` statement as Go runs it: a goroutine's unrecovered panic ends the program.
/// A payload that is no panic message (a goroutine `check` released, every goroutine
/// being asleep) unwinds on, so that `check` reports the deadlock.
#[track_caller]
pub fn go(f: impl FnOnce() + Send + 'static) {
    gosync::go(move || {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(f)) {
            let text = match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
                (Some(text), _) => text.to_string(),
                (_, Some(text)) => text.clone(),
                _ => resume_unwind(panic),
            };
            eprintln!("panic in a goroutine, not recovered: {text}");
            std::process::abort();
        }
    });
}

/// Go's `defer func() { recover() }()` around `f`: a panic ends `f`, not the goroutine.
pub fn recover(f: impl FnOnce()) -> bool {
    catch_unwind(AssertUnwindSafe(f)).is_err()
}

/// Go's `TestRace*` verdict: the checker reported at least one race.
pub fn expect_race(races: Vec<DataRace>) {
    for race in &races {
        eprintln!("{race}");
    }
    assert!(
        !races.is_empty(),
        "go test -race reports a race here; the checker found none"
    );
}

/// Go's `TestNoRace*` verdict: the checker reported nothing.
pub fn expect_no_race(races: Vec<DataRace>) {
    let reports: Vec<String> = races.iter().map(ToString::to_string).collect();
    assert!(
        races.is_empty(),
        "go test -race reports no race here; the checker found:\n{}",
        reports.join("\n")
    );
}

/// Go's `time.Sleep`: no happens-before edge.
pub fn sleep(ms: u64) {
    thread::sleep(Duration::from_millis(ms));
}

/// Go's `runtime.Gosched()`: no happens-before edge.
pub fn gosched() {
    thread::yield_now();
}

/// Go's test name in snake_case, as the ports name it (`TestNoRaceChanSync` ->
/// `no_race_chan_sync`, `TestNoRaceSelect1` -> `no_race_select1`).
pub fn snake(go_test: &str) -> String {
    let name = go_test.strip_prefix("Test").expect("a Go test name");
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every Go test of a verdict file (`<GoTest> | race reported` or `<GoTest> | no race`) has
/// its port in `source` (a port's own text), whose verdict call is the one Go's verdict
/// asks for; and the port has no test that Go's file lacks.
pub fn check_ported_verdicts(golden: &str, source: &str) {
    let verdicts = crate::golden::read(golden);
    assert!(!verdicts.is_empty(), "{golden} is empty");
    for line in &verdicts {
        let (test, verdict) = line.split_once(" | ").expect("<GoTest> | <verdict>");
        let start = format!("fn {}() {{", snake(test));
        let body_at = source
            .find(&start)
            .unwrap_or_else(|| panic!("{test} has no port `{start}`"));
        let body = &source[body_at..];
        let body = &body[..body[1..].find("\nfn ").map_or(body.len(), |end| end + 1)];
        let expected = match verdict {
            "race reported" => "expect_race(races)",
            "no race" => "expect_no_race(races)",
            other => panic!("{test}: unknown verdict {other:?}"),
        };
        assert!(
            body.contains(expected),
            "the port of {test} does not check Go's verdict ({expected})"
        );
    }
    let ported = source.matches("#[test]\nfn ").count();
    assert_eq!(
        ported,
        verdicts.len() + 1, // and the test calling this function
        "the port has tests that {golden} lacks"
    );
}
