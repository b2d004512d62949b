//! When do the threads a release wakes return? WakeWaiters/N and DistinctGroups/N
//! (dev/benches/sleeping.rs) time a whole round, the release and then N threads woken;
//! this splits the same rounds on the clock: when the release returns, when the first
//! woken thread returns from its sleep, when the last one does. gosync's rounds and the
//! floor's (N threads parked on flags of their own, unparked directly) alternate on the
//! same N threads (`gosync_dev::waiter_pool`), so each gosync round has a floor round
//! beside it, on the same threads and the same moment's machine, and the ratio of the two
//! rounds' times is taken per pair.
//!
//! ```sh
//! cargo run --release -p gosync-dev --example thread_wake_timeline                # N = 256 threads on one group, 500 pairs
//! cargo run --release -p gosync-dev --example thread_wake_timeline -- 64 1000     # N, pairs
//! cargo run --release -p gosync-dev --example thread_wake_timeline -- 256 500 256 # N, pairs, groups (DistinctGroups)
//! cargo run --release -p gosync-dev --example thread_wake_timeline -- --cpu-time 256 500
//! cargo run --release -p gosync-dev --example thread_wake_timeline -- --tsv 16 1000
//! ```
//!
//! Prints the median over rounds of each time, from the moment just before the release,
//! and the quartiles of the per-pair ratio of the whole round (what the benchmarks time:
//! until the controller sees every waiter returned); with `--cpu-time`, also the waiters'
//! time on a CPU and time runnable but queued for one, summed over the waiters (the
//! kernel's `/proc/self/task/TID/schedstat`, read around each round, which slows the
//! rounds: compare those rounds only with each other); with `--tsv`, only one line of
//! tab-separated nanoseconds and ratios, for `scripts/bench-vs-go`: the median whole round
//! of gosync and of the floor, then the three quartiles of the per-pair ratio. What it
//! shows is read in docs/performance-sleeping.md ("Thread wake-ups, rounds paired on one
//! pool").

use std::time::Duration;

use gosync_dev::waiter_pool::{CpuTime, Round, Side, WaiterPool};

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

fn micros(time: Duration) -> String {
    format!("{:.1} µs", time.as_secs_f64() * 1e6)
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let tsv = args.next_if_eq("--tsv").is_some();
    let cpu_time = !tsv && args.next_if_eq("--cpu-time").is_some();
    let mut number = |default: usize, what: &str| {
        args.next().map_or(default, |a| {
            a.parse().unwrap_or_else(|_| panic!("{what}, a number"))
        })
    };
    let n = number(256, "N");
    let pairs = number(500, "pairs");
    let groups = number(1, "groups");
    assert!(
        n > 0 && pairs > 0 && groups > 0,
        "N, pairs and groups are at least 1"
    );
    let mut pool = WaiterPool::new(groups, n);
    let (mut gosync, mut floor) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
    for pair in 0..pairs {
        // Which side goes first alternates, so that neither is always the one after the
        // other's wake-ups.
        let (first, second) = if pair % 2 == 0 {
            (Side::Gosync, Side::Floor)
        } else {
            (Side::Floor, Side::Gosync)
        };
        let mut round = |side| {
            if cpu_time {
                pool.round_with_cpu_time(side)
            } else {
                (pool.round(side), CpuTime::default())
            }
        };
        let (a, b) = (round(first), round(second));
        let (g, f) = if first == Side::Gosync {
            (a, b)
        } else {
            (b, a)
        };
        gosync.push(g);
        floor.push(f);
    }
    let mut ratios: Vec<f64> = gosync
        .iter()
        .zip(&floor)
        .map(|((g, _), (f, _))| g.elapsed.as_secs_f64() / f.elapsed.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let quartile = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    if tsv {
        let whole =
            |rounds: &[(Round, CpuTime)]| median(rounds.iter().map(|r| r.0.elapsed).collect());
        println!(
            "{}\t{}\t{:.4}\t{:.4}\t{:.4}",
            whole(&gosync).as_nanos(),
            whole(&floor).as_nanos(),
            quartile(1),
            quartile(2),
            quartile(3)
        );
        return;
    }
    let cpu_header = if cpu_time {
        " waiters on a CPU, summed | waiters runnable, queued, summed |"
    } else {
        ""
    };
    println!("| N = {n} on {groups} group(s), {pairs} pairs, medians | release returned | first thread returned | last thread returned | whole round | gosync/floor per pair: quartiles |{cpu_header}");
    println!(
        "|---|---|---|---|---|---|{}",
        if cpu_time { "---|---|" } else { "" }
    );
    for (name, rounds) in [("gosync", &gosync), ("floor", &floor)] {
        let column = |time: fn(&(Round, CpuTime)) -> Duration| {
            micros(median(rounds.iter().map(time).collect()))
        };
        let spread = if name == "gosync" {
            format!(
                "{:.2}, **{:.2}**, {:.2}",
                quartile(1),
                quartile(2),
                quartile(3)
            )
        } else {
            String::new()
        };
        let cpu = if cpu_time {
            let (on_cpu, queued) = (
                column(|r| r.1.waiters_on_cpu),
                column(|r| r.1.waiters_queued),
            );
            format!(" {on_cpu} | {queued} |")
        } else {
            String::new()
        };
        println!(
            "| {name} | {} | {} | {} | {} | {spread} |{cpu}",
            column(|r| r.0.release_returned),
            column(|r| r.0.first_returned),
            column(|r| r.0.last_returned),
            column(|r| r.0.elapsed),
        );
    }
}
