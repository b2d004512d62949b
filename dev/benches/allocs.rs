//! Allocations per sleeping wait and per release (issue 14's first target: 0), counted by
//! a counting global allocator.
//!
//! ```sh
//! cargo bench --bench allocs                    # print the table
//! cargo bench --bench allocs -- --expect-zero   # and fail unless every count is 0
//! ```
//!
//! (and, for one `done` that releases many waiters, unless it allocates nothing up to
//! 32 of them and once beyond: room for every wake handle, taken before the first
//! release).
//!
//! Each thread counts its own allocations (a `const` thread-local, which itself never
//! allocates), so a count is exactly what the counted call did on its thread: the waiter
//! counts its wait, the releaser counts the `done` that wakes it. Per path, `ROUNDS`
//! rounds after `WARM_UP` untimed ones (first calls allocate thread handles once): the
//! main thread calls `add(1)`, lets the waiter thread start waiting, polls
//! `snapshot().parked` until the waiter is queued in the semaphore (so every counted wait
//! really sleeps), then calls `done` and waits for the waiter to return.
//!
//! `.ci/run` runs it with `--expect-zero`: every path reaches the target (the sudog cache,
//! `src/sema/sudog.rs`). It counts; it times nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use gosync::WaitGroup;

struct Counting;

thread_local! {
    /// Allocations made by this thread (`alloc`, `alloc_zeroed`, `realloc`).
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: a thread being torn down may still allocate.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// count is a thread-local `Cell` with a `const` initialiser and no destructor, so it
// never allocates or re-enters the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which is `System`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as in `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const WARM_UP: u64 = 10;
const ROUNDS: u64 = 1000;

/// Wakes the thread that polls a future (the waiter's own executor).
struct ThreadWaker(thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` on this thread until it completes, parking between polls. The waker is
/// made by the caller, outside any counted window.
fn block_on<F: Future>(fut: F, waker: &Waker) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(waker);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => thread::park(),
        }
    }
}

/// The waiting paths that sleep.
#[derive(Clone, Copy)]
enum Path {
    Blocking,
    Timed,
    Async,
}

impl Path {
    fn name(self) -> &'static str {
        match self {
            Path::Blocking => "`wait()` (blocking)",
            Path::Timed => "`wait_timeout(1 h)` (timed)",
            Path::Async => "`wait_async().await` (task)",
        }
    }
}

/// Per-round counts of one path: the waits and the releases that woke them.
struct Counts {
    wait: Vec<u64>,
    release: Vec<u64>,
}

fn measure(path: Path) -> Counts {
    let wg = WaitGroup::new();
    // Round the waiter may start; rounds it finished.
    let (start, finished) = (AtomicU64::new(0), AtomicU64::new(0));
    let mut release = Vec::with_capacity(ROUNDS as usize);
    let wait = thread::scope(|s| {
        let waiter = s.spawn(|| {
            let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
            let mut counts = Vec::with_capacity(ROUNDS as usize);
            for round in 1..=WARM_UP + ROUNDS {
                // ORDERING: SeqCst; pairs with the main thread's store (and orders its
                // `add(1)` before our wait).
                while start.load(SeqCst) < round {
                    thread::yield_now();
                }
                let before = allocations();
                match path {
                    Path::Blocking => wg.wait(),
                    Path::Timed => assert!(wg.wait_timeout(Duration::from_secs(3600))),
                    Path::Async => block_on(wg.wait_async(), &waker),
                }
                let n = allocations() - before;
                if round > WARM_UP {
                    counts.push(n);
                }
                // ORDERING: SeqCst; read by the main thread before the next `add`.
                finished.store(round, SeqCst);
            }
            counts
        });
        for round in 1..=WARM_UP + ROUNDS {
            wg.add(1);
            // ORDERING: SeqCst; see the waiter.
            start.store(round, SeqCst);
            while wg.snapshot().parked == 0 {
                thread::yield_now();
            }
            let before = allocations();
            wg.done();
            let n = allocations() - before;
            if round > WARM_UP {
                release.push(n);
            }
            // ORDERING: SeqCst; see the waiter.
            while finished.load(SeqCst) < round {
                thread::yield_now();
            }
        }
        waiter.join().expect("waiter thread")
    });
    Counts { wait, release }
}

/// Waiters per release in [`measure_large_release`]: up to [`INLINE`] a release keeps its
/// wake handles on its stack; past that it allocates room for all of them once.
const LARGE_RELEASES: [usize; 4] = [1, INLINE, INLINE + 1, 4096];
/// `Readied`'s inline wake handles (`READIED_INLINE` in `src/sema.rs`).
const INLINE: usize = 32;

/// Allocations of the `done` that releases `n` futures asleep on one group, per round:
/// the futures are polled once on this thread (queued, with a no-op waker), the `done`
/// is counted, then they are polled to completion.
fn measure_large_release(n: usize) -> Vec<u64> {
    let wg = WaitGroup::new();
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    (0..WARM_UP + ROUNDS / 10)
        .map(|_| {
            wg.add(1);
            let mut waits: Vec<_> = (0..n).map(|_| wg.wait_async()).collect();
            for wait in &mut waits {
                assert!(pin!(wait).poll(&mut cx).is_pending(), "queued");
            }
            assert_eq!(wg.snapshot().parked, n, "every waiter queued");
            let before = allocations();
            wg.done();
            let counted = allocations() - before;
            for wait in &mut waits {
                assert!(pin!(wait).poll(&mut cx).is_ready(), "released");
            }
            counted
        })
        .skip(WARM_UP as usize)
        .collect()
}

/// A waker that does nothing: the large-release futures are polled by hand.
struct Noop;

impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

/// `mean (min–max)` of per-round counts.
fn summary(counts: &[u64]) -> String {
    let mean = counts.iter().sum::<u64>() as f64 / counts.len() as f64;
    let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    if min == max {
        format!("{mean:.2}")
    } else {
        format!("{mean:.2} ({min}–{max})")
    }
}

fn main() {
    let expect_zero = std::env::args().any(|a| a == "--expect-zero");
    let mut nonzero = Vec::new();

    println!("| path | allocations per sleeping wait | per release (the `done` that wakes it) |");
    println!("|---|---|---|");
    for path in [Path::Blocking, Path::Timed, Path::Async] {
        let counts = measure(path);
        println!(
            "| {} | {} | {} |",
            path.name(),
            summary(&counts.wait),
            summary(&counts.release)
        );
        if counts.wait.iter().chain(&counts.release).any(|&n| n != 0) {
            nonzero.push(path.name());
        }
    }

    // A wait on a zero counter: the first poll completes, nothing registers.
    let wg = WaitGroup::new();
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let zero: Vec<u64> = (0..WARM_UP + ROUNDS)
        .map(|_| {
            let before = allocations();
            block_on(wg.wait_async(), &waker);
            allocations() - before
        })
        .skip(WARM_UP as usize)
        .collect();
    println!(
        "| `wait_async().await`, counter already 0 | {} | (no release) |",
        summary(&zero)
    );
    if zero.iter().any(|&n| n != 0) {
        nonzero.push("`wait_async` on a zero counter");
    }
    println!("\n{ROUNDS} rounds per path after {WARM_UP} warm-up rounds; mean (min–max).");

    // One `done` releasing many waiters: 0 up to `INLINE`, then 1 (the room for all
    // wake handles, taken at once).
    println!("\n| waiters released by one `done` | allocations per release |");
    println!("|---|---|");
    let mut large_wrong = Vec::new();
    for n in LARGE_RELEASES {
        let counts = measure_large_release(n);
        println!("| {n} | {} |", summary(&counts));
        let expected = u64::from(n > INLINE);
        if counts.iter().any(|&c| c != expected) {
            large_wrong.push(format!("{n} waiters (expected {expected})"));
        }
    }
    println!(
        "\n{} rounds per size after {WARM_UP} warm-up rounds; futures polled by hand with a no-op waker.",
        ROUNDS / 10
    );

    if expect_zero && !nonzero.is_empty() {
        eprintln!(
            "--expect-zero: these paths allocate: {}",
            nonzero.join(", ")
        );
        std::process::exit(1);
    }
    if expect_zero && !large_wrong.is_empty() {
        eprintln!(
            "--expect-zero: these releases allocate other than 0 up to {INLINE} waiters and \
             once beyond: {}",
            large_wrong.join(", ")
        );
        std::process::exit(1);
    }
}
