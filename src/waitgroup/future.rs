//! gosync's async wait: [`WaitGroup::wait_async`] and its future, [`Wait`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::timeout::{wait_for_reset, withdraw_waiter};
use super::{Entry, WaitGroup, COUNTER_OR_GO_PANIC};
use crate::primitive::sync::atomic::Ordering::SeqCst;
use crate::race;
use crate::sema::cancel::Acquire;
use crate::sema::sudog::Sudog;
use crate::sema::{Acquisition, Sema, Slept};

impl WaitGroup {
    /// Waits until the counter is zero, as a future: [`wait`](Self::wait) for async code.
    ///
    /// The future is `Send`, needs no particular runtime (it uses only the std
    /// [`Waker`](std::task::Waker) of the context that polls it), and is **cancel-safe**:
    /// dropping it before it completes withdraws the waiter exactly as a time-out of
    /// [`wait_timeout`](Self::wait_timeout) does. So `tokio::time::timeout(d,
    /// wg.wait_async())` or a `select!` branch is a timed wait.
    ///
    /// Threads in [`wait`](Self::wait) and tasks awaiting this future can wait on the same
    /// group at the same time: the semaphore's queue holds both, in FIFO order, and one
    /// release wakes them all. When the future completes, every `done` that brought the
    /// counter to zero happens before it.
    ///
    /// Nothing happens until the first poll: the waiter registers then (if the counter
    /// is already zero the first poll completes). Go's rule on reuse applies to the
    /// registered future as to `wait`: a new generation's `add` must come after it
    /// completed or was dropped.
    ///
    /// # Panics
    ///
    /// The poll that completes panics as [`wait`](Self::wait) does on reuse (Go's text).
    ///
    /// ```
    /// use gosync::WaitGroup;
    /// # // A minimal executor (park until woken), so that gosync's doctests need no crate.
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     use std::future::Future;
    /// #     struct Unpark(std::thread::Thread);
    /// #     impl std::task::Wake for Unpark {
    /// #         fn wake(self: std::sync::Arc<Self>) { self.0.unpark() }
    /// #     }
    /// #     let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop {
    /// #         match f.as_mut().poll(&mut std::task::Context::from_waker(&waker)) {
    /// #             std::task::Poll::Ready(v) => return v,
    /// #             std::task::Poll::Pending => std::thread::park(),
    /// #         }
    /// #     }
    /// # }
    ///
    /// let wg = WaitGroup::new();
    /// wg.add(2);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| wg.done()); // a thread
    ///     s.spawn(|| wg.done());
    ///     // Any executor: `futures::executor::block_on`, tokio's `block_on` or `.await`;
    ///     // here a minimal `block_on` of a few lines (hidden).
    ///     block_on(wg.wait_async());
    /// });
    /// assert_eq!(wg.snapshot().counter, 0);
    /// ```
    pub fn wait_async(&self) -> Wait<'_> {
        Wait {
            wg: self,
            stage: Stage::Start,
            acquire: None,
        }
    }
}

/// The future returned by [`WaitGroup::wait_async`]: completes when the counter is zero.
///
/// Dropping it before it completes withdraws the waiter cleanly (see
/// [`WaitGroup::wait_async`]). A completed or withdrawn future holds nothing; one that is
/// leaked with `mem::forget` while it sleeps stays counted as a waiter of its group until
/// the group's release, which gives it its token (so no other waiter of the group is
/// short of one), and its node is purged when the group is dropped (see
/// `docs/beyond-go.md`).
///
/// ```
/// use gosync::{Wait, WaitGroup};
/// # // A minimal executor (park until woken), so that gosync's doctests need no crate.
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     use std::future::Future;
/// #     struct Unpark(std::thread::Thread);
/// #     impl std::task::Wake for Unpark {
/// #         fn wake(self: std::sync::Arc<Self>) { self.0.unpark() }
/// #     }
/// #     let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
/// #     let mut f = std::pin::pin!(f);
/// #     loop {
/// #         match f.as_mut().poll(&mut std::task::Context::from_waker(&waker)) {
/// #             std::task::Poll::Ready(v) => return v,
/// #             std::task::Poll::Pending => std::thread::park(),
/// #         }
/// #     }
/// # }
///
/// let wg = WaitGroup::new();
/// wg.add(1);
/// let wait: Wait<'_> = wg.wait_async();
/// drop(wait); // never polled: never registered
/// wg.done();
/// block_on(wg.wait_async()); // any executor; here a minimal one (hidden)
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Wait<'a> {
    wg: &'a WaitGroup,
    stage: Stage,
    /// The task's place on the group's semaphore while it sleeps.
    acquire: Option<Acquisition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Not polled yet: not registered.
    Start,
    /// Registered in the state word and queued on the semaphore.
    Sleeping,
    /// Completed.
    Done,
}

/// A task's sleep: the engine returns `Pending` and the next poll looks again.
fn task_sleep(_: &Sudog) -> Slept {
    Slept::Pending
}

impl Future for Wait<'_> {
    type Output = ();

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let woken = match this.stage {
            // Go's `Wait` up to the sleep, then the first poll of the semaphore. The waker
            // is cloned first (user code, which may panic), before anything is registered.
            Stage::Start => {
                if !race::ENABLED && !cfg!(feature = "tracing") {
                    // `wait`'s fast path: a zero counter completes at once, with no waker
                    // cloned and no root touched.
                    // ORDERING: SeqCst, the load of waitgroup.go:119 (see `wait_go`).
                    if this.wg.state().0.load(SeqCst) & COUNTER_OR_GO_PANIC == 0 {
                        this.stage = Stage::Done;
                        return Poll::Ready(()); // go: waitgroup.go:128
                    }
                }
                let waker = cx.waker().clone();
                let acquire = &mut this.acquire;
                this.stage = Stage::Done;
                this.wg.wait_go(Entry::Start(|semap: &Sema| {
                    let acquire = acquire.insert(Acquisition::task(waker));
                    acquire.poll(semap, task_sleep, never_expires)
                }))
            }
            // Go's `Wait` after the sleep: is the task readied? Its new waker is stored
            // first (a clone that panics leaves the task sleeping, still queued, and its
            // drop withdraws it), then the node is looked at.
            Stage::Sleeping => {
                let acquire = this.acquire.as_mut().expect("a sleeping task has a node");
                acquire.set_waker(this.wg.state().1, cx.waker());
                this.stage = Stage::Done;
                this.wg.wait_go(Entry::Resume(|semap: &Sema| {
                    acquire.poll(semap, task_sleep, never_expires)
                }))
            }
            Stage::Done => panic!("`Wait` polled after it completed"),
        };
        // Done until shown otherwise (above), so that a wait that unwinds (a misuse, or a
        // panic of `WaitGroup::go` re-raised) leaves a completed future, which `drop`
        // leaves alone.
        match woken {
            Ok(Poll::Pending) => {
                this.stage = Stage::Sleeping;
                Poll::Pending
            }
            Ok(Poll::Ready(_)) => {
                this.acquire = None;
                Poll::Ready(())
            }
            Err(misuse) => misuse.panic(),
        }
    }
}

/// A task has no deadline: it leaves by being dropped ([`Acquisition::cancel`]).
fn never_expires() -> bool {
    unreachable!("a task's sleep never expires")
}

impl Drop for Wait<'_> {
    /// Withdraws a waiter that is still sleeping (see `docs/beyond-go.md`); acquires
    /// nothing. A waiter that a release already readied keeps its token and hands on what
    /// it would have looked at: the kept-panic bit of `go` stays in the state word for the
    /// group's next wait.
    fn drop(&mut self) {
        if self.stage == Stage::Sleeping {
            let (statep, semap) = self.wg.state();
            let acquire = self.acquire.as_mut().expect("a sleeping task has a node");
            if acquire.cancel(semap, || withdraw_waiter(statep)) == Some(Acquire::Owed) {
                // Counted by a release in progress: return after its reset, as a woken
                // waiter does, so the caller may reuse the group at once.
                wait_for_reset(statep);
            }
        }
    }
}

impl fmt::Debug for Wait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("wg", self.wg)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}
