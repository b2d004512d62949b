//! N tasks asleep on a 2-worker tokio runtime, then released and timed: the round of the
//! task benchmarks (`WakeTasks`, `DistinctGroupsTasks` in dev/benches/sleeping.rs) and of
//! dev/examples/task_wake_pairs.rs, on gosync's groups or on tokio's `Notify`s.
//!
//! Every waiter is checked asleep before the clock starts: each waiter's future is
//! wrapped so that its first `Poll::Pending` is counted ([`counted`]), and the controller,
//! a task on the runtime, yields until all N returned `Pending` (for gosync, it also checks
//! that `snapshot().parked` counts all N in the semaphore's queue); it yields once more on
//! both sides just before the clock.
//!
//! ```no_run
//! use std::sync::Arc;
//! use gosync::WaitGroup;
//! use gosync_dev::task_rounds::{task_round, TaskSleepers};
//!
//! let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
//! let groups = Arc::new(<Vec<WaitGroup> as TaskSleepers>::new(1)); // WakeTasks/16
//! let time = rt.block_on(async move {
//!     tokio::spawn(async move { task_round(&groups, 16).await }).await.unwrap()
//! });
//! println!("{time:?}");
//! ```

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gosync::WaitGroup;
use tokio::sync::Notify;

use crate::counted;

/// What the task rounds wait on: gosync's groups or tokio's `Notify`s.
pub trait TaskSleepers: Send + Sync + 'static {
    /// `objects` groups (`Notify`s).
    fn new(objects: usize) -> Self;
    /// How many.
    fn objects(&self) -> usize;
    /// Before the waiters start (gosync: `add(1)` on every group).
    fn arm(&self);
    /// Waiter side: sleeps on object `i` until released.
    fn sleep(&self, i: usize, asleep: &AtomicUsize) -> impl Future<Output = ()> + Send;
    /// Waiters registered in the objects' own queues, where the object can tell.
    fn registered(&self) -> Option<usize>;
    /// The timed part: release every object.
    fn release(&self);
}

impl TaskSleepers for Vec<WaitGroup> {
    fn new(objects: usize) -> Self {
        (0..objects).map(|_| WaitGroup::new()).collect()
    }
    fn objects(&self) -> usize {
        self.len()
    }
    fn arm(&self) {
        self.iter().for_each(|wg| wg.add(1));
    }
    fn sleep(&self, i: usize, asleep: &AtomicUsize) -> impl Future<Output = ()> + Send {
        counted(self[i].wait_async(), asleep)
    }
    fn registered(&self) -> Option<usize> {
        Some(self.iter().map(|wg| wg.snapshot().parked).sum())
    }
    fn release(&self) {
        self.iter().for_each(WaitGroup::done);
    }
}

impl TaskSleepers for Vec<Notify> {
    fn new(objects: usize) -> Self {
        (0..objects).map(|_| Notify::new()).collect()
    }
    fn objects(&self) -> usize {
        self.len()
    }
    fn arm(&self) {}
    fn sleep(&self, i: usize, asleep: &AtomicUsize) -> impl Future<Output = ()> + Send {
        counted(self[i].notified(), asleep)
    }
    fn registered(&self) -> Option<usize> {
        None
    }
    fn release(&self) {
        self.iter().for_each(Notify::notify_waiters);
    }
}

/// One round on the runtime: `tasks` waiters on `objects` (waiter `i` on object
/// `i % objects`), all asleep, then the release timed until the last one returned.
pub async fn task_round<S: TaskSleepers>(objects: &Arc<S>, tasks: usize) -> Duration {
    let asleep = Arc::new(AtomicUsize::new(0));
    let returned = Arc::new(AtomicUsize::new(0));
    objects.arm();
    for i in 0..tasks {
        let (objects, asleep, returned) = (
            Arc::clone(objects),
            Arc::clone(&asleep),
            Arc::clone(&returned),
        );
        tokio::spawn(async move {
            objects.sleep(i % objects.objects(), &asleep).await;
            // ORDERING: SeqCst; the controller counts returns, nothing more.
            returned.fetch_add(1, SeqCst);
        });
    }
    // ORDERING: SeqCst; see `counted`.
    while asleep.load(SeqCst) < tasks {
        tokio::task::yield_now().await;
    }
    if let Some(registered) = objects.registered() {
        assert_eq!(registered, tasks, "every waiter queued in the semaphore");
    }
    // Both sides start the clock right after a yield, which wakes the other worker to look
    // for work: the check above (gosync's side only) walks every queue, and without this
    // the other worker had that much longer to fall asleep, and to be woken again, on
    // gosync's side alone (docs/performance-sleeping.md, "When the first task runs").
    tokio::task::yield_now().await;
    let start = Instant::now();
    objects.release();
    // ORDERING: SeqCst; see the waiters.
    while returned.load(SeqCst) < tasks {
        tokio::task::yield_now().await;
    }
    start.elapsed()
}
