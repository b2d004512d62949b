//! `race::check` never hangs: Go's deadlock report when every goroutine is asleep, and the
//! leaked goroutines when `f` returned (Go's test just ends). Texts checked against
//! `go run` of the same programs (Go 1.19.8).
#![cfg(feature = "race")]

use std::sync::Arc;

use gosync::race::{check, check_report, BlockedGoroutine};
use gosync::{go, WaitGroup};

/// The `file:line` a site names.
fn line(g: &BlockedGoroutine) -> u32 {
    g.blocked_at.location.line()
}

/// Go: `wg.Add(1); wg.Wait()` in main is `fatal error: all goroutines are asleep -
/// deadlock!` with `goroutine 1 [semacquire]:` at the Wait.
#[test]
fn a_wait_nobody_ends_is_gos_deadlock() {
    let wait_line = line!() + 4;
    let deadlock = check_report(|| {
        let wg = WaitGroup::new();
        wg.add(1);
        wg.wait();
    })
    .unwrap_err();
    assert_eq!(deadlock.goroutines.len(), 1);
    let g1 = &deadlock.goroutines[0];
    assert_eq!((g1.goroutine, g1.wait_reason), (1, "semacquire"));
    assert_eq!(line(g1), wait_line);
    // Goroutine 1 is created by the `check_report` call, as Go's test goroutine is by
    // `testing.(*T).Run`.
    let created_at = g1.created_at.as_ref().expect("goroutine 1's creation site");
    assert_eq!(created_at.location.line(), wait_line - 3);
    assert_eq!(g1.created_by, None);
    let text = deadlock.to_string();
    let expected =
        "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [semacquire]:\n";
    assert!(text.starts_with(expected), "{text}");
    let at = format!("{}:{wait_line}:", file!());
    assert!(
        text[expected.len()..]
            .lines()
            .next()
            .is_some_and(|l| l.contains("a_wait_nobody_ends_is_gos_deadlock")),
        "{text}"
    );
    assert!(text.contains(&at), "{text}");
}

/// `check` itself panics with Go's text (the payload is the text).
#[test]
fn check_panics_with_gos_text() {
    let payload = std::panic::catch_unwind(|| {
        check(|| {
            let wg = WaitGroup::new();
            wg.add(1);
            wg.wait();
        })
    })
    .unwrap_err();
    let text = payload.downcast_ref::<String>().expect("a formatted panic");
    assert!(
        text.starts_with(
            "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [semacquire]:\n"
        ),
        "{text}"
    );
}

/// Every goroutine is dumped with where it blocks and where it was created; the blocked
/// goroutines are released, so their threads end (the join returns their unwinding).
#[test]
fn every_goroutine_is_dumped_with_its_sites_and_released() {
    let released = Arc::new(WaitGroup::new());
    released.add(1);
    let r = released.clone();
    let lines = Arc::new(std::sync::Mutex::new((0, 0, 0)));
    let l = lines.clone();
    let deadlock = check_report(move || {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let (wg2, r, l2) = (wg.clone(), r.clone(), l.clone());
        l.lock().unwrap().0 = line!() + 1;
        let child = go(move || {
            let _released = ReleasedOnDrop(r);
            l2.lock().unwrap().1 = line!() + 1;
            wg2.wait();
        });
        l.lock().unwrap().2 = line!() + 1;
        child.join()
    })
    .unwrap_err();
    let (spawn_line, child_wait_line, join_line) = *lines.lock().unwrap();
    let [g1, g2] = &deadlock.goroutines[..] else {
        panic!("two goroutines: {deadlock}")
    };
    assert_eq!(
        (g1.goroutine, g1.wait_reason),
        (1, "gosync::JoinHandle::join")
    );
    assert_eq!(line(g1), join_line);
    assert_eq!((g2.goroutine, g2.wait_reason), (2, "semacquire"));
    assert_eq!(line(g2), child_wait_line);
    assert_eq!(g2.created_at.as_ref().unwrap().location.line(), spawn_line);
    assert_eq!(g2.created_by, Some(1));
    let text = deadlock.to_string();
    // Each goroutine as Go's dump prints it: the header, the function and its file:line,
    // then `created by` and the creating site.
    let g2_at = text.find("\n\ngoroutine 2 [semacquire]:\n").expect(&text);
    let g2 = &text[g2_at..];
    let wait_at = format!("{f}:{child_wait_line}:", f = file!());
    let spawn_at = format!("{f}:{spawn_line}:", f = file!());
    let created = g2.find("created by goroutine 1\n").expect(&text);
    assert!(g2[..created].contains(&wait_at), "{text}");
    assert!(g2[created..].contains(&spawn_at), "{text}");
    // The child unwound out of its wait: its drop guard ran.
    released.wait();
}

struct ReleasedOnDrop(Arc<WaitGroup>);
impl Drop for ReleasedOnDrop {
    fn drop(&mut self) {
        self.0.done();
    }
}

/// When `f` returns and the goroutines left are all asleep, `check` returns (Go's test
/// ends) and reports them as leaked.
#[test]
fn check_returns_when_only_leaked_goroutines_are_left() {
    let wait_line = line!() + 9;
    let released = Arc::new(WaitGroup::new());
    released.add(1);
    let r = released.clone();
    let report = check_report(move || {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        go(move || {
            let _released = ReleasedOnDrop(r);
            wg.wait();
        });
        "f's result"
    })
    .unwrap();
    assert_eq!(report.value, "f's result");
    let [leaked] = &report.leaked[..] else {
        panic!("one leaked goroutine: {:?}", report.leaked)
    };
    assert_eq!((leaked.goroutine, leaked.wait_reason), (2, "semacquire"));
    assert_eq!(line(leaked), wait_line);
    released.wait(); // the leaked goroutine was released
}

/// `check` (not `check_report`) returns too.
#[test]
fn check_returns_with_a_leaked_goroutine() {
    let ((), races) = check(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        go(move || wg.wait());
    });
    assert!(races.is_empty());
}

/// A goroutine about to end what others wait for keeps the check alive: no verdict while
/// any goroutine runs.
#[test]
fn no_verdict_while_a_goroutine_runs() {
    for _ in 0..50 {
        let report = check_report(|| {
            let wg = Arc::new(WaitGroup::new());
            wg.add(3);
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let wg = wg.clone();
                    go(move || wg.done())
                })
                .collect();
            wg.wait();
            for h in handles {
                h.join().unwrap();
            }
        })
        .unwrap();
        assert!(report.leaked.is_empty());
    }
}

/// Go: `<-c` nobody sends on is `goroutine 1 [chan receive]:`; a blocked `select` is
/// `[select]`, at the `select!` line; a send nobody receives is `[chan send]`.
#[test]
fn channel_waits_are_dumped_with_gos_wait_reasons() {
    let recv_line = line!() + 3;
    let deadlock = check_report(|| {
        let (_tx, rx) = gosync::chan::<u8>(0);
        rx.recv()
    })
    .unwrap_err();
    let g1 = &deadlock.goroutines[0];
    assert_eq!((g1.wait_reason, line(g1)), ("chan receive", recv_line));

    let select_line = line!() + 5;
    let deadlock = check_report(|| {
        let (_a_tx, a) = gosync::chan::<u8>(0);
        let (b_tx, _b) = gosync::chan::<u8>(1);
        b_tx.send(0); // full
        gosync::select! {
            recv(a) -> _ => {},
            send(b_tx, 1) => {},
        }
    })
    .unwrap_err();
    let g1 = &deadlock.goroutines[0];
    assert_eq!((g1.wait_reason, line(g1)), ("select", select_line));

    let send_line = line!() + 3;
    let deadlock = check_report(|| {
        let (tx, _rx) = gosync::chan::<u8>(0);
        tx.send(1)
    })
    .unwrap_err();
    let g1 = &deadlock.goroutines[0];
    assert_eq!((g1.wait_reason, line(g1)), ("chan send", send_line));
}

/// The errgroup-style port of issue 12: workers block on a send after the first error,
/// nobody receives any more, and `f` returns. Go's test passes; `check` returns too, with
/// the workers reported as leaked. Every worker fails, so two are left blocked whichever
/// sends first. With one failing worker among three, received last, none was, and a check
/// that judged leaks a deadlock passed this test (`scripts/race-ablations`, ablation
/// `leak-judged-a-deadlock`, missed in one CI run).
#[test]
fn errgroup_workers_blocked_on_a_send_leak_and_check_returns() {
    let report = check_report(|| {
        let (results_tx, results) = gosync::chan::<Result<u32, String>>(0);
        for i in 0..3 {
            let results_tx = results_tx.clone();
            go(move || {
                results_tx.send(Err(format!("worker {i} failed")));
            });
        }
        // The first error ends the collection: the other workers stay blocked.
        loop {
            if let Some(Err(e)) = results.recv() {
                break e;
            }
        }
    })
    .unwrap();
    assert!(report.value.ends_with(" failed"), "{}", report.value);
    assert_eq!(report.leaked.len(), 2);
    assert!(report.leaked.iter().all(|g| g.wait_reason == "chan send"));
}

/// A `select!` with a `default(timeout)` is a timed wait: never a deadlock.
#[test]
fn a_timed_select_is_never_a_deadlock() {
    let report = check_report(|| {
        let (_tx, rx) = gosync::chan::<u8>(0);
        gosync::select! {
            recv(rx) -> _ => false,
            default(std::time::Duration::from_millis(5)) => true,
        }
    })
    .unwrap();
    assert!(report.value);
}

/// The Go program of docs/race.md, whose `go run` prints
///
/// ```text
/// fatal error: all goroutines are asleep - deadlock!
///
/// goroutine 1 [semacquire]:
/// ...
/// main.main()
///     /tmp/godl/main.go:20 +0x105
///
/// goroutine 17 [chan send]:
/// main.main.func1()
///     /tmp/godl/main.go:10 +0x2d
/// created by main.main
///     /tmp/godl/main.go:9 +0xa5
///
/// goroutine 18 [select]:
/// main.main.func2()
///     /tmp/godl/main.go:14 +0x7f
/// created by main.main
///     /tmp/godl/main.go:13 +0xf9
/// ```
///
/// The port's report has the same goroutines, wait reasons and sites (Go numbers its
/// goroutines by the runtime's count; a check numbers them from 1).
#[test]
fn gos_deadlock_example_is_reported_as_go_reports_it() {
    let base = line!();
    let deadlock = check_report(|| {
        let wg = Arc::new(WaitGroup::new());
        let (ch_tx, _ch) = gosync::chan::<i32>(0);
        wg.add(2);
        {
            let (wg, ch_tx) = (wg.clone(), ch_tx.clone());
            go(move || {
                ch_tx.send(1);
                wg.done();
            });
        }
        {
            let wg = wg.clone();
            go(move || {
                gosync::select! {
                    send(ch_tx, 2) => {},
                    send(ch_tx, 3) => {},
                }
                wg.done();
            });
        }
        wg.wait();
    })
    .unwrap_err();
    eprintln!("{deadlock}");
    let summary: Vec<_> = deadlock
        .goroutines
        .iter()
        .map(|g| {
            let created = g.created_at.as_ref().map(|s| s.location.line() - base);
            (g.goroutine, g.wait_reason, line(g) - base, created)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "semacquire", 22, Some(1)), // created by the `check_report` call
            (2, "chan send", 8, Some(7)),
            (3, "select", 15, Some(14)),
        ]
    );
}
