//! WakeTasks/N and DistinctGroupsTasks/N (dev/benches/sleeping.rs) against tokio's
//! `Notify`, in rounds paired on one runtime: gosync's round and `Notify`'s alternate
//! (which goes first alternates too), each the benchmarks' own round
//! (`gosync_dev::task_rounds`), and the ratio of the two is taken per pair. The criterion
//! entries time each side for a second on its own, and the machine's drift between those
//! seconds goes into their ratio; a pair of rounds is a millisecond or two apart.
//!
//! ```sh
//! cargo run --release -p gosync-dev --example task_wake_pairs                  # N = 4096 tasks on one group, 100 pairs
//! cargo run --release -p gosync-dev --example task_wake_pairs -- 256 300       # N, pairs
//! cargo run --release -p gosync-dev --example task_wake_pairs -- 4096 100 4096 # N, pairs, groups (DistinctGroupsTasks)
//! cargo run --release -p gosync-dev --example task_wake_pairs -- --tsv 16 1000
//! ```
//!
//! Prints the median round of each side and the quartiles of the per-pair ratio
//! gosync/`Notify`; with `--tsv`, only one line of tab-separated nanoseconds and ratios,
//! for `scripts/bench-vs-go`: the median round of gosync and of `Notify`, then the three
//! quartiles of the per-pair ratio. What it shows is read in docs/performance-sleeping.md
//! ("Task wake-ups, rounds paired against `Notify`").

use std::sync::Arc;
use std::time::Duration;

use gosync::WaitGroup;
use gosync_dev::task_rounds::{task_round, TaskSleepers};
use tokio::sync::Notify;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let tsv = args.next_if_eq("--tsv").is_some();
    let mut number = |default: usize, what: &str| {
        args.next().map_or(default, |a| {
            a.parse().unwrap_or_else(|_| panic!("{what}, a number"))
        })
    };
    let n = number(4096, "N");
    let pairs = number(100, "pairs");
    let groups = number(1, "groups");
    assert!(
        n > 0 && pairs > 0 && groups > 0,
        "N, pairs and groups are at least 1"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("tokio runtime");
    let (gosync, notify): (Vec<Duration>, Vec<Duration>) = rt.block_on(async move {
        tokio::spawn(async move {
            let wgs = Arc::new(<Vec<WaitGroup> as TaskSleepers>::new(groups));
            let notifies = Arc::new(<Vec<Notify> as TaskSleepers>::new(groups));
            let mut times = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
            for pair in 0..pairs {
                if pair % 2 == 0 {
                    times.0.push(task_round(&wgs, n).await);
                    times.1.push(task_round(&notifies, n).await);
                } else {
                    times.1.push(task_round(&notifies, n).await);
                    times.0.push(task_round(&wgs, n).await);
                }
            }
            times
        })
        .await
        .expect("controller task")
    });
    let mut ratios: Vec<f64> = gosync
        .iter()
        .zip(&notify)
        .map(|(g, t)| g.as_secs_f64() / t.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let quartile = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    let (gosync, notify) = (median(gosync), median(notify));
    if tsv {
        println!(
            "{}\t{}\t{:.4}\t{:.4}\t{:.4}",
            gosync.as_nanos(),
            notify.as_nanos(),
            quartile(1),
            quartile(2),
            quartile(3)
        );
        return;
    }
    println!("| N = {n} on {groups} group(s), {pairs} pairs, medians | gosync | `Notify` | gosync/`Notify` per pair: quartiles |");
    println!("|---|---|---|---|");
    println!(
        "| round | {gosync:.1?} | {notify:.1?} | {:.2}, **{:.2}**, {:.2} |",
        quartile(1),
        quartile(2),
        quartile(3)
    );
}
