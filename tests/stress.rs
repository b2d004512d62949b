//! Stress: many threads, many rounds of add/done/wait on one reused WaitGroup, several
//! waiters per round, guarded by a watchdog that fails with the round and the group's
//! snapshot instead of hanging.
//!
//! CI runs it in release (`cargo test --release --test stress`); plain `cargo test` runs
//! a smaller debug-build version. Nothing here is timed: the watchdog only turns a hang
//! (a lost wake-up) into a failure with a message.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use gosync::{race, WaitGroup};

const WORKERS: usize = 8;
const WAITERS: usize = 4;
/// Rounds of reuse: each round is one generation of the WaitGroup.
const ROUNDS: usize = if cfg!(debug_assertions) {
    1_000
} else {
    10_000
};
/// Extra `add(1)`/`done()` pairs each worker makes per round while the counter is
/// positive (allowed at any time by Go's rules), to contend on the state word while
/// waiters register.
const CHURN: usize = 8;
/// How long no round may complete before the watchdog declares a hang. Generous: it
/// detects a thread blocked forever, it does not measure speed.
const STALL: Duration = Duration::from_secs(120);

/// What every thread shares.
struct Shared {
    wg: WaitGroup,
    /// `slots[w]` holds the last round worker `w` finished, written before its `done`.
    slots: [AtomicUsize; WORKERS],
    /// Opens a round after the coordinator's `add` (so `add` happens before every `wait`).
    start: Barrier,
    /// Closes a round after every `wait` returned (so the next `add` happens after them).
    end: Barrier,
    /// The last round every thread finished.
    completed: AtomicUsize,
    /// The first failure any thread saw, as text.
    failure: Mutex<Option<String>>,
}

impl Shared {
    fn fail(&self, failure: String) {
        self.failure.lock().unwrap().get_or_insert(failure);
    }

    /// A waiter's check after `wait` returned: every worker's write of this round is
    /// visible (the Done -> Wait happens-before edge; the loads are `Relaxed`).
    fn check_slots(&self, round: usize, who: &str) {
        for (worker, slot) in self.slots.iter().enumerate() {
            // ORDERING: Relaxed on purpose: only `wait`'s acquire may make the write visible.
            let seen = slot.load(Relaxed);
            if seen != round {
                self.fail(format!(
                    "round {round}: {who} returned from wait but sees worker {worker}'s \
                     slot at {seen}; snapshot {:?}",
                    self.wg.snapshot()
                ));
            }
        }
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic".to_owned())
}

/// Runs `body` on its own thread, recording a panic as the failure.
fn spawn(shared: &Arc<Shared>, name: String, body: impl FnOnce(&Shared) + Send + 'static) {
    let shared = Arc::clone(shared);
    thread::Builder::new()
        .name(name.clone())
        .spawn(race::forked(move || {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| body(&shared))) {
                shared.fail(format!("{name} panicked: {}", panic_text(&*payload)));
            }
        }))
        .unwrap();
}

/// `barrier.wait()`, annotated for the `race` feature's checker, which cannot see a std
/// `Barrier`: every thread's steps before it happen before every thread's steps after it.
fn rendezvous(barrier: &Barrier) {
    race::release_merge(barrier);
    barrier.wait();
    race::acquire(barrier);
}

fn worker(shared: &Shared, id: usize) {
    for round in 1..=ROUNDS {
        rendezvous(&shared.start);
        for k in 0..CHURN {
            shared.wg.add(1);
            if (k + id + round) % 4 == 0 {
                thread::yield_now(); // let waiters register while the counter is up
            }
            shared.wg.done();
        }
        // ORDERING: Relaxed on purpose: only `done`'s release may publish it.
        shared.slots[id].store(round, Relaxed);
        shared.wg.done();
        rendezvous(&shared.end);
    }
}

fn waiter(shared: &Shared, id: usize) {
    for round in 1..=ROUNDS {
        rendezvous(&shared.start);
        shared.wg.wait();
        shared.check_slots(round, &format!("waiter {id}"));
        rendezvous(&shared.end);
    }
}

fn coordinator(shared: &Shared) {
    for round in 1..=ROUNDS {
        shared.wg.add(WORKERS as isize);
        rendezvous(&shared.start);
        shared.wg.wait();
        shared.check_slots(round, "the coordinator");
        rendezvous(&shared.end);
        let end = shared.wg.snapshot();
        if (end.state, end.parked) != (0, 0) {
            shared.fail(format!("round {round} ended with the group at {end:?}"));
        }
        // ORDERING: a progress counter for the watchdog; it orders nothing.
        shared.completed.store(round, Relaxed);
    }
}

/// 8 workers and 4 waiters (plus the coordinator, which waits too) over thousands of
/// rounds of one WaitGroup: every `wait` returns, after every `done` of its round, and
/// every round ends with the group back at zero with nobody parked.
#[test]
fn many_rounds_of_reuse_with_several_waiters() {
    let shared = Arc::new(Shared {
        wg: WaitGroup::new(),
        slots: Default::default(),
        start: Barrier::new(WORKERS + WAITERS + 1),
        end: Barrier::new(WORKERS + WAITERS + 1),
        completed: AtomicUsize::new(0),
        failure: Mutex::new(None),
    });
    for id in 0..WORKERS {
        spawn(&shared, format!("worker {id}"), move |s| worker(s, id));
    }
    for id in 0..WAITERS {
        spawn(&shared, format!("waiter {id}"), move |s| waiter(s, id));
    }
    let (finished_tx, finished) = mpsc::channel();
    spawn(&shared, "coordinator".to_owned(), move |s| {
        coordinator(s);
        finished_tx.send(()).unwrap();
    });
    watch(&shared, &finished);
}

/// Waits for the coordinator to finish. Fails as soon as any thread recorded a failure,
/// or when no round completed for [`STALL`], naming the round and the snapshot (the
/// stuck threads are left behind; the test binary exits without them).
fn watch(shared: &Shared, finished: &mpsc::Receiver<()>) {
    let poll = Duration::from_millis(50);
    let mut last = (0, Duration::ZERO);
    loop {
        if let Some(failure) = shared.failure.lock().unwrap().take() {
            panic!("stress failed: {failure}");
        }
        match finished.recv_timeout(poll) {
            Ok(()) => break,
            // The coordinator panicked: its failure is about to be recorded.
            Err(RecvTimeoutError::Disconnected) => thread::yield_now(),
            Err(RecvTimeoutError::Timeout) => {}
        }
        // ORDERING: progress only.
        let completed = shared.completed.load(Relaxed);
        last = if completed == last.0 {
            (completed, last.1 + poll)
        } else {
            (completed, Duration::ZERO)
        };
        assert!(
            last.1 < STALL,
            "stress hung: no round completed for {STALL:?}; stuck in round {} of {ROUNDS}; \
             snapshot {:?}",
            completed + 1,
            shared.wg.snapshot()
        );
    }
    if let Some(failure) = shared.failure.lock().unwrap().take() {
        panic!("stress failed: {failure}");
    }
    // ORDERING: the channel receive ordered the coordinator's last store before this.
    assert_eq!(shared.completed.load(Relaxed), ROUNDS);
}
