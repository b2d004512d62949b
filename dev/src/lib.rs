//! `gosync-dev`: not a published library. This workspace member holds gosync's benchmarks
//! (`benches/`) and the tests that need heavy dev-dependencies (`tests/`: real executors,
//! the tour's SVG parsed as XML), so that building the `gosync` crate's own examples, as
//! `cargo run --example tour` does, compiles none of them. `cargo test` at the workspace
//! root runs these tests too (the root's `default-members`).
//!
//! Its library holds what the benchmarks and the examples beside them share.

pub mod task_rounds;
pub mod waiter_pool;

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

/// Awaits `fut`, counting its first `Poll::Pending` in `asleep`: once counted, the task
/// has returned to the runtime, asleep until woken (how dev/benches/sleeping.rs and
/// dev/examples/wake_timeline.rs check every waiter asleep before the clock starts).
pub async fn counted<F: Future>(fut: F, asleep: &AtomicUsize) -> F::Output {
    let mut fut = pin!(fut);
    let mut counted = false;
    poll_fn(|cx| {
        let poll = fut.as_mut().poll(cx);
        if poll.is_pending() && !counted {
            counted = true;
            // ORDERING: SeqCst; read by the controller's spin, it publishes nothing else.
            asleep.fetch_add(1, SeqCst);
        }
        poll
    })
    .await
}
