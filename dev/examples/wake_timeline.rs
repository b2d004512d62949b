//! When do the tasks a release wakes start to run? WakeTasks/N (dev/benches/sleeping.rs)
//! times a whole round, the release and then N tasks scheduled, polled and finished; this
//! splits the same round on the clock: how many times a worker thread unparks during the
//! round and when it first does (tokio's `on_thread_unpark`: the other worker, woken by
//! the controller's last yield or for the readied tasks), when the releasing call
//! returns, when the first woken task returns, when the last one does. Beside gosync,
//! tokio's `Notify`, which wakes its waiters in batches of 32 while it is still releasing
//! the rest.
//!
//! ```sh
//! cargo run --release -p gosync-dev --example wake_timeline              # N = 4096, 200 rounds
//! cargo run --release -p gosync-dev --example wake_timeline -- 256 500   # N, rounds
//! ```
//!
//! The set-up is WakeTasks': a 2-worker tokio runtime, a controller task on it, N tasks
//! asleep on one group (or one `Notify`), each counted asleep at its first `Pending`
//! before the clock starts; the controller yields while it waits, and once more just
//! before the clock, as there. Prints the median over rounds of each time, from the
//! moment just before the release, and of the unpark count (with how many rounds had an
//! unpark at all).
//! What it shows is read in docs/performance-sleeping.md ("When the first task runs").

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use gosync::WaitGroup;
use gosync_dev::counted;
use tokio::sync::Notify;

/// When a worker thread first unparked since the clock of the current round started, in
/// nanoseconds from [`EPOCH`] (`u64::MAX`: none yet). The controller resets it just before
/// the release; the runtime's `on_thread_unpark` hook lowers it.
static FIRST_UNPARK: AtomicU64 = AtomicU64::new(u64::MAX);

/// How many times a worker thread unparked since the clock of the current round started
/// (reset with [`FIRST_UNPARK`], counted by the same hook).
static UNPARKS: AtomicUsize = AtomicUsize::new(0);

/// The origin of [`FIRST_UNPARK`]'s times, set before the runtime starts.
static EPOCH: OnceLock<Instant> = OnceLock::new();

fn since_epoch(t: Instant) -> u64 {
    t.duration_since(*EPOCH.get().expect("set in main"))
        .as_nanos() as u64
}

/// One round's times, from just before the release.
struct Round {
    /// A worker thread unparked (`None`: none did, the other worker never slept).
    first_unpark: Option<Duration>,
    /// How many times a worker thread unparked during the round.
    unparks: usize,
    /// The releasing call (`done`, `notify_waiters`) returned.
    release_returned: Duration,
    /// The first woken task returned from its wait.
    first_returned: Duration,
    /// The last one did.
    last_returned: Duration,
}

/// What the N tasks sleep on.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Gosync,
    Notify,
}

async fn round(side: Side, wg: &Arc<WaitGroup>, notify: &Arc<Notify>, n: usize) -> Round {
    let asleep = Arc::new(AtomicUsize::new(0));
    let returned = Arc::new(AtomicUsize::new(0));
    let first_ns = Arc::new(AtomicU64::new(u64::MAX));
    let start = Arc::new(OnceLock::<Instant>::new());
    if side == Side::Gosync {
        wg.add(1);
    }
    for _ in 0..n {
        let (wg, notify) = (Arc::clone(wg), Arc::clone(notify));
        let (asleep, returned, first_ns, start) = (
            Arc::clone(&asleep),
            Arc::clone(&returned),
            Arc::clone(&first_ns),
            Arc::clone(&start),
        );
        tokio::spawn(async move {
            match side {
                Side::Gosync => counted(wg.wait_async(), &asleep).await,
                Side::Notify => counted(notify.notified(), &asleep).await,
            }
            let since = start.get().expect("released after the start").elapsed();
            // ORDERING: SeqCst; the controller reads these once every task returned.
            first_ns.fetch_min(since.as_nanos() as u64, SeqCst);
            returned.fetch_add(1, SeqCst);
        });
    }
    // ORDERING: SeqCst; see `counted`.
    while asleep.load(SeqCst) < n {
        tokio::task::yield_now().await;
    }
    if side == Side::Gosync {
        assert_eq!(
            wg.snapshot().parked,
            n,
            "every waiter queued in the semaphore"
        );
    }
    // Both sides start the clock right after a yield (see `task_round` in
    // dev/benches/sleeping.rs): the check above takes gosync's side O(N) more.
    tokio::task::yield_now().await;
    // ORDERING: SeqCst; the hook's `fetch_min` after this store is the round's.
    FIRST_UNPARK.store(u64::MAX, SeqCst);
    UNPARKS.store(0, SeqCst);
    let clock = *start.get_or_init(Instant::now);
    match side {
        Side::Gosync => wg.done(),
        Side::Notify => notify.notify_waiters(),
    }
    let release_returned = clock.elapsed();
    // ORDERING: SeqCst; see the tasks.
    while returned.load(SeqCst) < n {
        tokio::task::yield_now().await;
    }
    // ORDERING: SeqCst; read once every task returned.
    let unparked = FIRST_UNPARK.load(SeqCst);
    Round {
        first_unpark: (unparked != u64::MAX)
            .then(|| Duration::from_nanos(unparked.saturating_sub(since_epoch(clock)))),
        // ORDERING: SeqCst; as above.
        unparks: UNPARKS.load(SeqCst),
        release_returned,
        first_returned: Duration::from_nanos(first_ns.load(SeqCst)),
        last_returned: clock.elapsed(),
    }
}

fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
    values.sort_unstable();
    values[values.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map_or(4096, |a| a.parse().expect("N, a number"));
    let rounds: usize = args
        .next()
        .map_or(200, |a| a.parse().expect("rounds, a number"));
    EPOCH.get_or_init(Instant::now);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .on_thread_unpark(|| {
            // ORDERING: SeqCst; read by the controller once the round is over.
            FIRST_UNPARK.fetch_min(since_epoch(Instant::now()), SeqCst);
            UNPARKS.fetch_add(1, SeqCst);
        })
        .build()
        .expect("tokio runtime");
    println!("| N = {n}, {rounds} rounds, medians | worker unparks: how many, the first | release returned | first task returned | last task returned |");
    println!("|---|---|---|---|---|");
    for (side, name) in [(Side::Gosync, "gosync"), (Side::Notify, "`Notify`")] {
        let rounds: Vec<Round> = rt.block_on(async move {
            tokio::spawn(async move {
                let (wg, notify) = (Arc::new(WaitGroup::new()), Arc::new(Notify::new()));
                let mut out = Vec::with_capacity(rounds);
                for _ in 0..rounds {
                    out.push(round(side, &wg, &notify, n).await);
                }
                out
            })
            .await
            .expect("controller task")
        });
        let column = |f: fn(&Round) -> Duration| median(rounds.iter().map(f).collect());
        let firsts: Vec<Duration> = rounds.iter().filter_map(|r| r.first_unpark).collect();
        let unparked = if firsts.is_empty() {
            "0".to_owned()
        } else {
            let (with_unpark, count) = (
                firsts.len(),
                median(rounds.iter().map(|r| r.unparks).collect()),
            );
            format!(
                "{count}, {:.1?} ({with_unpark} of {} rounds)",
                median(firsts),
                rounds.len()
            )
        };
        println!(
            "| {name} | {unparked} | {:.1?} | {:.1?} | {:.1?} |",
            column(|r| r.release_returned),
            column(|r| r.first_returned),
            column(|r| r.last_returned),
        );
    }
}
