//! Race reports a porter can act on (issue 12, item 5): each site names its function as
//! Go's stack frames do, the user's line is found even when `#[track_caller]` stopped
//! inside core (`.map(RaceCell::get)`), and goroutine 1 has a creation site (the `check`
//! call, as Go's test goroutine is created by `testing.(*T).Run`).
#![cfg(feature = "race")]

use std::sync::{mpsc, Arc};

use gosync::go;
use gosync::race::{check, AccessKind, DataRace, RaceCell};

/// Go's `main.writer()`: a named function that writes `x`.
fn writer(x: &RaceCell<i32>) {
    x.set(1);
}

/// Goroutine 2 runs `child` on `x` and finishes (in real time, through an invisible
/// signal); then goroutine 1 runs `parent` on it. Returns the races.
fn child_then_parent(
    child: impl FnOnce(&RaceCell<i32>) + Send + 'static,
    parent: impl FnOnce(&RaceCell<i32>),
) -> Vec<DataRace> {
    let ((), races) = check(|| {
        let x = Arc::new(RaceCell::new(0));
        let (done, done_rx) = mpsc::channel();
        let x2 = x.clone();
        go(move || {
            child(&x2);
            done.send(()).unwrap();
        });
        done_rx.recv().unwrap();
        parent(&x);
    });
    races
}

/// Each site prints its function, then its line, as Go prints a frame.
#[test]
fn each_site_names_its_function_then_its_line() {
    let races = child_then_parent(writer, writer);
    assert_eq!(races.len(), 1);
    let race = &races[0];
    for site in [&race.current.site, &race.previous.site] {
        assert_eq!(site.function().as_deref(), Some("race_report::writer"));
    }
    let writer_line = format!("tests/race_report.rs:{}:", line_of("    x.set(1);"));
    let report = race.to_string();
    assert!(
        report.contains(&format!("  race_report::writer()\n      {writer_line}")),
        "{report}"
    );
}

/// A read through `.map(RaceCell::get)` is reported at the user's line, not inside core.
#[test]
fn a_read_through_a_function_pointer_is_reported_at_the_users_line() {
    let races = child_then_parent(
        |x| x.set(1),
        |x| {
            let total: i32 = [x].into_iter().map(RaceCell::get).sum();
            assert_eq!(total, 1);
        },
    );
    assert_eq!(races.len(), 1);
    let read = &races[0].current;
    assert_eq!(read.kind, AccessKind::Read);
    assert!(read.site.location.file().contains("/library/core/"));
    let expected = format!(
        "tests/race_report.rs:{}:",
        line_of("let total: i32 = [x].into_iter().map(RaceCell::get).sum();")
    );
    assert!(read.site.line().starts_with(&expected), "{}", races[0]);
    let function = read.site.function().expect("the user's function");
    assert!(
        function.starts_with("race_report::a_read_through_a_function_pointer"),
        "{function}"
    );
    assert!(!races[0].to_string().contains("/rustc/"), "{}", races[0]);
}

/// Goroutine 1's report says where it was created: the `check` call.
#[test]
fn goroutine_1_was_created_by_check() {
    let races = child_then_parent(|x| x.set(1), |x| x.set(2));
    let race = &races[0];
    assert_eq!(race.current.goroutine, 1);
    let created = race.current.goroutine_created_at.as_ref().expect("a site");
    let check_line = format!(
        "tests/race_report.rs:{}:",
        line_of("let ((), races) = check(|| {")
    );
    assert!(created.line().starts_with(&check_line), "{race}");
    assert!(
        race.to_string()
            .contains("Goroutine 1 (running) created at:\n  race_report::child_then_parent"),
        "{race}"
    );
}

/// The line number of the first line of this file containing `text`.
fn line_of(text: &str) -> usize {
    include_str!("race_report.rs")
        .lines()
        .position(|line| line.contains(text))
        .expect("the text is in this file")
        + 1
}
