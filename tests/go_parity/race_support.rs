//! What the ports of Go's race testdata for locks, `Once` and `Cond` share: Go's `go`
//! statement, Go's two verdicts, Go's `time.Sleep` and `time.AfterFunc`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread;
use std::time::Duration;

use gosync::race::DataRace;

/// Go's `go` statement as Go runs it: a goroutine's unrecovered panic ends the program.
#[track_caller]
pub fn go(f: impl FnOnce() + Send + 'static) {
    gosync::go(move || {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(f)) {
            let text = panic
                .downcast_ref::<&str>()
                .copied()
                .unwrap_or("(non-string payload)");
            eprintln!("panic in a goroutine, not recovered: {text}");
            std::process::abort();
        }
    });
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
pub fn sleep(d: Duration) {
    thread::sleep(d);
}

/// Go's `time.AfterFunc(d, f)`: `f` runs in its own goroutine once `d` has passed. Go's
/// runtime orders the `AfterFunc` call before `f` (`racerelease` when the timer is added,
/// `raceacquire` when it runs): here the fork edge of the goroutine that sleeps, then runs
/// `f`. (The ported tests never need the returned timer but for `Stop`, which they call
/// only as clean-up.)
#[track_caller]
pub fn after_func(d: Duration, f: impl FnOnce() + Send + 'static) {
    go(move || {
        sleep(d);
        f();
    });
}
