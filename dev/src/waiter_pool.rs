//! N OS threads asleep, then released and timed: the harness of the thread benchmarks
//! (`WakeWaiters`, `DistinctGroups` in dev/benches/sleeping.rs) and of
//! dev/examples/thread_wake_timeline.rs.
//!
//! **One pool of threads serves both sides.** Each round, the same N threads sleep either
//! in gosync's `wait()` (on one group or on N) or on the floor: each parked with
//! `std::thread::park` on a flag of its own, released by a store to the flag and an
//! `unpark`, the futex wake-ups and nothing else. With a pool per side, the two sides
//! were timed on two different sets of threads, each for a second on its own; on an AMD
//! EPYC their ratio at 256 threads then read 1.10-1.81 per round where rounds paired on
//! one pool read 1.04-1.08 (docs/performance-sleeping.md, "Thread wake-ups, rounds paired
//! on one pool").
//!
//! Between rounds the waiters wait on a gate (a mutex and condvar), so that a round times
//! only the release and the wake-ups. Every waiter is checked asleep before the clock
//! starts: counted once it registered (gosync: `snapshot().parked`; the floor: a counter
//! it bumps before `park`), and then, on Linux, until `/proc/self/task/TID/stat` shows
//! every waiter thread in state `S` (asleep in the kernel: the only sleep left to a
//! registered waiter is its park).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use gosync::WaitGroup;

/// What a round's waiters sleep on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// gosync's `wait()`, released by one `done` per group.
    Gosync,
    /// `std::thread::park` on a flag per waiter, released by a store and an `unpark`.
    Floor,
}

/// One round's times, from just before the release.
#[derive(Clone, Copy, Debug)]
pub struct Round {
    /// The release (every `done`, or the floor's loop) returned.
    pub release_returned: Duration,
    /// The first waiter returned from its sleep (its own clock read).
    pub first_returned: Duration,
    /// The last one did (its own clock read).
    pub last_returned: Duration,
    /// The controller saw every waiter returned: what the benchmarks time.
    pub elapsed: Duration,
}

/// Where one round's CPU time went, from the kernel's per-thread accounting
/// (`/proc/self/task/TID/schedstat`, Linux only; zero elsewhere): read just before the
/// release and once every waiter returned.
#[derive(Clone, Copy, Debug, Default)]
///
/// Only the waiters': they are asleep at both reads, when the kernel's totals for a thread
/// are up to date. A running thread's (the controller's) are brought up to date only at
/// the scheduler's tick, milliseconds apart.
pub struct CpuTime {
    /// Every waiter thread on a CPU, summed: its wake-up, its return, and its count.
    pub waiters_on_cpu: Duration,
    /// Every waiter thread runnable but waiting for a CPU, summed.
    pub waiters_queued: Duration,
}

/// What the waiters share with the controller.
struct Shared {
    groups: Vec<WaitGroup>,
    floor: Vec<FloorSlot>,
    /// Floor waiters registered this round (gosync's are counted by its snapshots).
    floor_registered: AtomicUsize,
    /// The round (and its side) the waiters may start; `u64::MAX`: shut down.
    gate: (Mutex<(u64, Side)>, Condvar),
    returned: AtomicUsize,
    /// When each waiter last returned, in nanoseconds since `epoch`.
    returned_at: Vec<AtomicU64>,
    epoch: Instant,
}

/// A floor waiter's flag and thread handle.
struct FloorSlot {
    released: AtomicU64,
    thread: OnceLock<thread::Thread>,
}

impl Shared {
    fn sleep(&self, waiter: usize, round: u64, side: Side) {
        match side {
            Side::Gosync => self.groups[waiter % self.groups.len()].wait(),
            Side::Floor => {
                let slot = &self.floor[waiter];
                slot.thread.get_or_init(thread::current);
                // ORDERING: SeqCst; the controller reads it, it publishes nothing else.
                self.floor_registered.fetch_add(1, SeqCst);
                // ORDERING: SeqCst pairs with the store in `release`; an `unpark` after
                // it cannot be lost (the park token outlives an early unpark), and a
                // stale token (an earlier round's, gosync's or the floor's) only makes
                // the loop look again.
                while slot.released.load(SeqCst) < round {
                    thread::park();
                }
            }
        }
    }

    fn registered(&self, side: Side) -> usize {
        match side {
            Side::Gosync => self.groups.iter().map(|wg| wg.snapshot().parked).sum(),
            // ORDERING: SeqCst; see `sleep`.
            Side::Floor => self.floor_registered.load(SeqCst),
        }
    }

    fn release(&self, round: u64, side: Side) {
        match side {
            Side::Gosync => self.groups.iter().for_each(WaitGroup::done),
            Side::Floor => {
                for slot in &self.floor {
                    // ORDERING: SeqCst; see `sleep`.
                    slot.released.store(round, SeqCst);
                    slot.thread.get().expect("waiter registered").unpark();
                }
            }
        }
    }

    fn since_epoch(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }
}

/// A pool of `waiters` threads that sleep on `groups` groups (waiter `i` on group
/// `i % groups`), or on the floor, one round at a time.
///
/// ```no_run
/// use gosync_dev::waiter_pool::{Side, WaiterPool};
///
/// let mut pool = WaiterPool::new(1, 16); // 16 threads on one group: WakeWaiters/16
/// let gosync = pool.round(Side::Gosync);
/// let floor = pool.round(Side::Floor);
/// println!("{:?} against {:?}", gosync.elapsed, floor.elapsed);
/// ```
pub struct WaiterPool {
    shared: Arc<Shared>,
    /// The waiters' kernel thread ids (empty off Linux).
    tids: Vec<u32>,
    round: u64,
    waiters: Vec<thread::JoinHandle<()>>,
}

impl WaiterPool {
    /// Starts `waiters` threads (64 KiB stacks), waiting for their first round.
    pub fn new(groups: usize, waiters: usize) -> WaiterPool {
        let shared = Arc::new(Shared {
            groups: (0..groups).map(|_| WaitGroup::new()).collect(),
            floor: (0..waiters)
                .map(|_| FloorSlot {
                    released: AtomicU64::new(0),
                    thread: OnceLock::new(),
                })
                .collect(),
            floor_registered: AtomicUsize::new(0),
            gate: (Mutex::new((0, Side::Gosync)), Condvar::new()),
            returned: AtomicUsize::new(0),
            returned_at: (0..waiters).map(|_| AtomicU64::new(0)).collect(),
            epoch: Instant::now(),
        });
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let waiters = (0..waiters)
            .map(|i| {
                let (shared, tid_tx) = (Arc::clone(&shared), tid_tx.clone());
                thread::Builder::new()
                    .stack_size(64 * 1024)
                    .spawn(move || {
                        tid_tx.send(os_thread::current_tid()).expect("pool alive");
                        drop(tid_tx);
                        let mut round = 0;
                        loop {
                            let (gate, opened) = &shared.gate;
                            let mut open = gate.lock().unwrap();
                            while open.0 == round {
                                open = opened.wait(open).unwrap();
                            }
                            let side;
                            (round, side) = *open;
                            drop(open);
                            if round == u64::MAX {
                                return;
                            }
                            shared.sleep(i, round, side);
                            // ORDERING: SeqCst; the controller reads these once every
                            // waiter returned, nothing more.
                            shared.returned_at[i].store(shared.since_epoch(), SeqCst);
                            shared.returned.fetch_add(1, SeqCst);
                        }
                    })
                    .expect("spawn a waiter")
            })
            .collect();
        drop(tid_tx);
        let tids = tid_rx
            .iter()
            .collect::<Option<Vec<u32>>>()
            .unwrap_or_default();
        WaiterPool {
            shared,
            tids,
            round: 0,
            waiters,
        }
    }

    /// One round on `side`: every waiter asleep, then the release, timed until the last
    /// waiter returned.
    pub fn round(&mut self, side: Side) -> Round {
        self.round_inner(side, false).0
    }

    /// [`round`](Self::round), and where the waiters' CPU time went. Reading the kernel's
    /// accounting takes a file read per waiter before and after the timed part, which
    /// slows the rounds themselves (1.4x as long with 256 threads on 256 groups, on a
    /// 2-core AMD EPYC): compare these rounds only with each other.
    pub fn round_with_cpu_time(&mut self, side: Side) -> (Round, CpuTime) {
        self.round_inner(side, true)
    }

    fn round_inner(&mut self, side: Side, cpu_time: bool) -> (Round, CpuTime) {
        let shared = &*self.shared;
        match side {
            Side::Gosync => shared.groups.iter().for_each(|wg| wg.add(1)),
            // ORDERING: SeqCst; the waiters have not started this round.
            Side::Floor => shared.floor_registered.store(0, SeqCst),
        }
        self.round += 1;
        *shared.gate.0.lock().unwrap() = (self.round, side);
        shared.gate.1.notify_all();
        let waiters = self.waiters.len();
        while shared.registered(side) < waiters {
            thread::yield_now();
        }
        while !self.tids.iter().all(|&tid| os_thread::asleep(tid)) {
            thread::yield_now();
        }
        let until = waiters * self.round as usize;
        let before = cpu_time.then(|| self.cpu_time());
        let clock = shared.since_epoch();
        let start = Instant::now();
        shared.release(self.round, side);
        let release_returned = start.elapsed();
        // ORDERING: SeqCst; see the waiters. Yield, as Go's side does with
        // `runtime.Gosched`: many woken waiters need both cores.
        while shared.returned.load(SeqCst) < until {
            thread::yield_now();
        }
        let elapsed = start.elapsed();
        let cpu = before.map_or_else(CpuTime::default, |before| {
            let after = self.cpu_time();
            CpuTime {
                waiters_on_cpu: after.waiters_on_cpu - before.waiters_on_cpu,
                waiters_queued: after.waiters_queued - before.waiters_queued,
            }
        });
        // ORDERING: SeqCst; every waiter stored its time before it counted its return.
        let returned_at = shared.returned_at.iter().map(|at| at.load(SeqCst));
        let (first, last) =
            returned_at.fold((u64::MAX, 0), |(lo, hi), at| (lo.min(at), hi.max(at)));
        let since_clock = |at: u64| Duration::from_nanos(at.saturating_sub(clock));
        let round = Round {
            release_returned,
            first_returned: since_clock(first),
            last_returned: since_clock(last),
            elapsed,
        };
        (round, cpu)
    }

    /// The kernel's totals so far for the waiters.
    fn cpu_time(&self) -> CpuTime {
        let mut total = CpuTime::default();
        for &tid in &self.tids {
            let (on_cpu, queued) = os_thread::schedstat(tid);
            total.waiters_on_cpu += on_cpu;
            total.waiters_queued += queued;
        }
        total
    }
}

impl Drop for WaiterPool {
    fn drop(&mut self) {
        *self.shared.gate.0.lock().unwrap() = (u64::MAX, Side::Gosync);
        self.shared.gate.1.notify_all();
        for waiter in self.waiters.drain(..) {
            waiter.join().expect("waiter");
        }
    }
}

/// Kernel thread ids and states, to check that a waiter is asleep (Linux only).
mod os_thread {
    use std::time::Duration;

    /// The calling thread's id in `/proc/self/task` (`None` off Linux).
    pub fn current_tid() -> Option<u32> {
        let link = std::fs::read_link("/proc/thread-self").ok()?;
        link.file_name()?.to_str()?.parse().ok()
    }

    /// Whether thread `tid` of this process is asleep in the kernel (state `S`).
    pub fn asleep(tid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/self/task/{tid}/stat"))
            .ok()
            .and_then(|stat| {
                let (_, after_name) = stat.rsplit_once(')')?;
                after_name.trim_start().chars().next()
            })
            == Some('S')
    }

    /// Thread `tid`'s time on a CPU and time runnable but waiting for one, since it
    /// started (zero when the kernel does not say).
    pub fn schedstat(tid: u32) -> (Duration, Duration) {
        let stat =
            std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).unwrap_or_default();
        let mut fields = stat.split_whitespace().map(|f| f.parse().unwrap_or(0));
        let mut next = || Duration::from_nanos(fields.next().unwrap_or(0));
        (next(), next())
    }
}
