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
    assert!(g1.created_at.is_none());
    let text = deadlock.to_string();
    let expected = format!(
        "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [semacquire]:\n  {}:{wait_line}:",
        file!()
    );
    assert!(text.starts_with(&expected), "{text}");
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
    assert!(
        text.contains(&format!(
            "\n\ngoroutine 2 [semacquire]:\n  {f}:{child_wait_line}:",
            f = file!()
        )) && text.contains(&format!(
            "created by goroutine 1\n  {f}:{spawn_line}:",
            f = file!()
        )),
        "{text}"
    );
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
