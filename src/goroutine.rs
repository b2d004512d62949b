//! [`go`]: start a thread the way Go's `go` statement starts a goroutine.

use std::fmt;

use crate::primitive::thread;
use crate::race;

/// Starts `f` on a new thread, as Go's `go f()` starts a goroutine: everything the caller
/// did before `go` happens before everything `f` does.
///
/// With the `race` feature this is the fork edge of the race checker (Go's
/// `racegostart`), and [`JoinHandle::join`] adds a join edge to the joiner. Without it,
/// `go` is [`std::thread::spawn`]. Under `--cfg gosync_loom` or `--cfg gosync_shuttle` the
/// thread comes from the model checker, so `go` can be used inside a model.
///
/// ```
/// use gosync::WaitGroup;
/// use std::sync::Arc;
///
/// let wg = Arc::new(WaitGroup::new());
/// wg.add(1);
/// let worker = {
///     let wg = wg.clone();
///     gosync::go(move || {
///         wg.done();
///         6 * 7
///     })
/// };
/// wg.wait();
/// assert_eq!(worker.join().unwrap(), 42);
/// ```
#[track_caller]
pub fn go<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (child, joiner) = race::fork();
    let thread = thread::spawn(move || child.run(f));
    JoinHandle { thread, joiner }
}

/// An owned permission to join a goroutine started by [`go`]. Dropping it detaches the
/// goroutine, as every goroutine is in Go.
///
/// ```
/// let handle = gosync::go(|| "done");
/// assert_eq!(handle.join().unwrap(), "done");
/// ```
pub struct JoinHandle<T> {
    thread: thread::JoinHandle<T>,
    joiner: race::Joiner,
}

impl<T> JoinHandle<T> {
    /// Waits for the goroutine to finish and returns its result, or the payload it
    /// panicked with. Everything the goroutine did happens before `join` returns (with
    /// the `race` feature, the checker sees this edge too).
    ///
    /// ```
    /// let handle = gosync::go(|| panic!("boom"));
    /// let payload = handle.join().unwrap_err();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// ```
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        self.joiner.wait_exit(); // the race build waits in its scheduler, visibly asleep
        let result = self.thread.join();
        self.joiner.join_edge();
        result
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").finish_non_exhaustive()
    }
}
