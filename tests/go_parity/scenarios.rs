//! The Rust side of `go/scenarios_test.go`: the same scenarios, in the same order, with
//! the same names, rendering the same lines from gosync that Go rendered from
//! `sync.WaitGroup` into `golden/scenarios.txt`.
//!
//! Go reads its state word through an `unsafe` mirror of the WaitGroup; gosync's comes
//! from [`WaitGroup::snapshot`]. A waiter counts as parked when the state word counts it
//! and, on the Rust side, the semaphore has it asleep (`snapshot().parked`): polled with
//! `yield_now`, never slept for.
//!
//! Each scenario also runs under [`race::check`], its threads started with [`go`], as Go
//! runs them under `-race` (`scripts/go-oracle` requires Go's `-race` run to report
//! nothing and print the same lines): with the `race` feature, gosync's race checker must
//! find no race either.
#![cfg(target_pointer_width = "64")] // Go's `int` in the goldens is 64 bits, as `isize` here

use std::fmt::Display;
use std::sync::Arc;
use std::thread;

use gosync::race::{self, DataRace};
use gosync::{go, JoinHandle, WaitGroup};

use crate::golden;

/// Runs one scenario's ops on one WaitGroup and keeps one line per op, as Go's recorder.
struct Recorder {
    name: &'static str,
    wg: Arc<WaitGroup>,
    lines: Vec<String>,
}

impl Recorder {
    fn record(&mut self, step: impl Display, result: impl Display) {
        self.lines
            .push(format!("{} | {step} | {result}", self.name));
    }

    /// Runs one call on this thread and records its outcome and the state word after it.
    fn op(&mut self, step: impl Display, call: impl FnOnce(&WaitGroup)) {
        let result = golden::outcome(|| call(&self.wg));
        let s = self.wg.snapshot();
        self.record(
            step,
            format!("{result}; counter={} waiters={}", s.counter, s.waiters),
        );
    }

    fn add(&mut self, delta: i64) {
        let delta_isize = isize::try_from(delta).expect("64-bit target");
        self.op(format_args!("add({delta})"), |wg| wg.add(delta_isize));
    }

    fn done(&mut self) {
        self.op("done", WaitGroup::done);
    }

    /// Go calls Wait here only at counter zero; where gosync's counter is not zero the
    /// call would block forever, so that divergence is recorded instead.
    fn wait(&mut self) {
        if self.wg.snapshot().counter == 0 {
            self.op("wait", WaitGroup::wait);
        } else {
            self.op("wait", |_| {
                panic!("gosync would block: counter is not zero")
            });
        }
    }

    /// Records the whole state; called only when no thread is inside a call.
    fn state(&mut self) {
        let s = self.wg.snapshot();
        let state = format!(
            "counter={} waiters={} sema={}",
            s.counter, s.waiters, s.sema
        );
        self.record("state", state);
    }

    /// Starts `n` threads calling `wait` and returns once all `n` are registered in the
    /// state word and asleep in the semaphore.
    fn start_waiters(&mut self, n: u32) -> Vec<JoinHandle<String>> {
        let before = self.wg.snapshot();
        let waiters = (0..n)
            .map(|_| {
                let wg = Arc::clone(&self.wg);
                go(move || golden::outcome(|| wg.wait()))
            })
            .collect();
        loop {
            let now = self.wg.snapshot();
            if now.waiters == before.waiters + n && now.parked == before.parked + n as usize {
                break;
            }
            thread::yield_now();
        }
        self.record(format_args!("{n} waiters parked"), "ok");
        waiters
    }

    /// Records each waiter's result, in start order.
    fn join_waiters(&mut self, waiters: Vec<JoinHandle<String>>) {
        for (i, waiter) in waiters.into_iter().enumerate() {
            let result = waiter.join().expect("the waiter records its own panic");
            self.record(format_args!("waiter {i} returns"), result);
        }
    }

    /// Calls `done` on `n` other threads, one after the other, each returning before the
    /// next starts, and records each outcome.
    fn done_elsewhere(&mut self, n: usize) {
        for i in 0..n {
            let wg = Arc::clone(&self.wg);
            let result = go(move || golden::outcome(|| wg.done()))
                .join()
                .expect("the thread records its own panic");
            self.record(format_args!("goroutine {i} done"), result);
        }
    }
}

/// Declares the scenarios: one test each, comparing gosync's lines with Go's, and
/// [`NAMES`] in Go's order.
macro_rules! scenarios {
    ($($name:ident => |$r:ident| $body:block)*) => {
        /// Every scenario of this file, in the order of `go/scenarios_test.go`.
        const NAMES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run(stringify!($name), |$r| $body);
            }
        )*
    };
}

/// Runs one scenario on a fresh WaitGroup, compares its lines with Go's, and requires the
/// race checker to find nothing, as Go's `-race` run does.
fn run(name: &'static str, scenario: impl FnOnce(&mut Recorder)) {
    let (lines, races) = race::check_if_enabled(|| {
        let mut recorder = Recorder {
            name,
            wg: Arc::new(WaitGroup::new()),
            lines: Vec::new(),
        };
        scenario(&mut recorder);
        recorder.lines
    });
    let prefix = format!("{name} | ");
    let go: Vec<String> = golden::read("scenarios.txt")
        .into_iter()
        .filter(|l| l.starts_with(&prefix))
        .collect();
    assert!(!go.is_empty(), "Go recorded nothing for scenario {name}");
    golden::assert_agree(&format!("scenario {name}"), &go, &lines);
    // Without the `race` feature nothing was checked: the lines are compared all the same.
    let races = races.unwrap_or_default();
    let reports: Vec<String> = races.iter().map(DataRace::to_string).collect();
    assert!(
        races.is_empty(),
        "scenario {name}: go test -race reports no race, gosync's checker found:\n{}",
        reports.join("\n")
    );
}

/// Every scenario Go recorded has its Rust twin here, in the same order, and no other.
#[test]
fn every_go_scenario_has_a_rust_twin() {
    let mut go: Vec<String> = Vec::new();
    for line in golden::read("scenarios.txt") {
        let name = line.split(" | ").next().unwrap_or_default().to_owned();
        if go.last() != Some(&name) {
            go.push(name);
        }
    }
    assert_eq!(
        go, NAMES,
        "scenarios.txt and scenarios.rs list different scenarios"
    );
}

const MAX_INT32: i64 = i32::MAX as i64;
const MIN_INT32: i64 = i32::MIN as i64;

scenarios! {
    // Single thread: Go's arithmetic, its panics, and the state each panic leaves.
    zero_value_wait => |r| { r.wait(); r.state(); }
    wait_twice_on_zero => |r| { r.wait(); r.wait(); }
    add_zero => |r| { r.add(0); r.state(); }
    add_done_wait => |r| { r.add(1); r.done(); r.wait(); r.state(); }
    add_two_done_twice => |r| { r.add(2); r.done(); r.done(); r.wait(); }
    add_negative_delta_to_zero => |r| { r.add(5); r.add(-5); r.wait(); }
    reuse_sequentially => |r| { r.add(1); r.done(); r.wait(); r.add(2); r.done(); r.done(); r.wait(); }
    done_on_zero => |r| { r.done(); r.state(); }
    done_twice_on_zero => |r| { r.done(); r.done(); r.state(); }
    negative_then_add_back_to_zero => |r| { r.done(); r.add(1); r.wait(); r.state(); }
    negative_then_add_past_zero => |r| { r.done(); r.add(3); r.done(); r.done(); r.wait(); }
    negative_then_add_still_negative => |r| { r.done(); r.done(); r.add(1); r.add(1); r.wait(); }
    add_1_shl_32_is_noop => |r| { r.add(1 << 32); r.wait(); }
    add_1_shl_32_plus_1_is_add_1 => |r| { r.add((1 << 32) + 1); r.done(); r.wait(); }
    add_1_shl_32_minus_1_is_add_minus_1 => |r| { r.add((1 << 32) - 1); r.state(); }
    add_minus_1_shl_32_is_noop => |r| { r.add(-(1 << 32)); r.wait(); }
    add_minus_1_shl_32_plus_1_is_add_1 => |r| { r.add(-(1 << 32) + 1); r.done(); r.wait(); }
    add_1_shl_31 => |r| { r.add(1 << 31); r.state(); }
    add_minus_1_shl_31 => |r| { r.add(-(1 << 31)); r.state(); }
    add_1_shl_31_twice_wraps_to_zero => |r| { r.add(1 << 31); r.add(1 << 31); r.wait(); }
    add_max_int32_then_one => |r| { r.add(MAX_INT32); r.add(1); r.state(); }
    add_max_int32_twice => |r| { r.add(MAX_INT32); r.add(MAX_INT32); }
    add_max_int32_and_back => |r| { r.add(MAX_INT32); r.add(-MAX_INT32); r.wait(); }
    add_min_int32_then_done_wraps => |r| { r.add(MIN_INT32); r.done(); r.state(); }
    add_max_int64 => |r| { r.add(i64::MAX); r.state(); }
    add_min_int64_is_noop => |r| { r.add(i64::MIN); r.wait(); }
    add_min_int64_plus_1_is_add_1 => |r| { r.add(i64::MIN + 1); r.done(); r.wait(); }

    // Several threads, where Go's outcome is certain.
    surplus_done_then_add_releases_parked_waiter => |r| {
        r.done();
        let w = r.start_waiters(1);
        r.state();
        r.add(1);
        r.join_waiters(w);
        r.state();
    }
    several_waiters_released_by_one_done => |r| {
        r.add(1);
        let w = r.start_waiters(4);
        r.state();
        r.done();
        r.join_waiters(w);
        r.state();
    }
    reuse_after_every_waiter_returned => |r| {
        for _generation in 0..3 {
            r.add(2);
            let w = r.start_waiters(2);
            r.done_elsewhere(2);
            r.join_waiters(w);
            r.state();
        }
    }
    counter_moves_while_waiters_parked => |r| {
        r.add(1);
        let w = r.start_waiters(3);
        r.add(0);
        r.add(5);
        r.add(-5);
        r.state();
        r.done();
        r.join_waiters(w);
        r.state();
    }
    waiters_parked_in_two_batches => |r| {
        r.add(2);
        let first = r.start_waiters(2);
        r.done();
        let second = r.start_waiters(3);
        r.state();
        r.done();
        r.join_waiters(first);
        r.join_waiters(second);
        r.state();
    }
    negative_counter_with_waiter_partial_add => |r| {
        r.done();
        r.done();
        let w = r.start_waiters(1);
        r.add(1);
        r.add(1);
        r.join_waiters(w);
        r.state();
    }
    wrapping_negative_delta_releases_parked_waiter => |r| {
        r.done();
        let w = r.start_waiters(1);
        r.add(-(1 << 32) + 1);
        r.join_waiters(w);
        r.state();
    }
    shifted_out_delta_keeps_waiter_parked => |r| {
        r.add(1);
        let w = r.start_waiters(1);
        r.add(1 << 32);
        r.add(-(1 << 32));
        r.state();
        r.done();
        r.join_waiters(w);
        r.state();
    }
    max_int64_delta_releases_parked_waiter => |r| {
        r.add(1);
        let w = r.start_waiters(2);
        r.add(i64::MAX);
        r.join_waiters(w);
        r.state();
    }
    waiter_on_min_int32_counter => |r| {
        r.add(1 << 31);
        let w = r.start_waiters(1);
        r.add(1 << 31);
        r.join_waiters(w);
        r.state();
    }
    done_elsewhere_releases_waiters => |r| {
        r.add(3);
        let w = r.start_waiters(2);
        r.done_elsewhere(3);
        r.join_waiters(w);
        r.state();
    }
    surplus_done_elsewhere_with_parked_waiter => |r| {
        r.add(1);
        let first = r.start_waiters(1);
        r.done_elsewhere(1);
        r.join_waiters(first);
        r.done_elsewhere(1);
        r.state();
        let second = r.start_waiters(1);
        r.add(1);
        r.join_waiters(second);
        r.state();
    }
}
