//! The async wait under real executors: `futures::executor`, tokio's current-thread and
//! multi-thread runtimes, and tokio's `timeout` cancelling a pending wait. Moved here from
//! `tests/beyond.rs` so that futures and tokio are dev-dependencies of this workspace
//! member only, not of the `gosync` crate (whose examples would otherwise build them).

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use gosync::WaitGroup;

#[test]
fn futures_executor_with_thread_done() {
    let wg = WaitGroup::new();
    let mut results = [0; 4];
    thread::scope(|s| {
        for (i, slot) in results.iter_mut().enumerate() {
            wg.add(1);
            let wg = &wg;
            s.spawn(move || {
                *slot = i + 1;
                wg.done();
            });
        }
        futures::executor::block_on(wg.wait_async());
    });
    assert_eq!(results, [1, 2, 3, 4]);
}

#[test]
fn tokio_current_thread_spawned_done() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let wg = Arc::new(WaitGroup::new());
        for _ in 0..100 {
            wg.add(1);
            let worker = wg.clone();
            tokio::spawn(async move { worker.done() });
            wg.wait_async().await;
            assert_eq!(wg.snapshot().counter, 0);
        }
    });
}

/// Scheduling, not races: tokio runs these tasks on worker threads that the race checker
/// cannot tell apart or order (no fork edge reaches a task), so this test runs without the
/// `race` feature; the checker's verdicts on timed and cancelled waits are tested below.
#[cfg(not(feature = "race"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_multi_thread_tasks_and_threads_wait_together() {
    let wg = Arc::new(WaitGroup::new());
    for _round in 0..20 {
        wg.add(4);
        let mut waiters = Vec::new();
        for _ in 0..3 {
            let wg = wg.clone();
            waiters.push(tokio::spawn(async move { wg.wait_async().await }));
        }
        let thread_waiter = {
            let wg = wg.clone();
            thread::spawn(move || wg.wait())
        };
        for _ in 0..4 {
            let wg = wg.clone();
            tokio::spawn(async move { wg.done() });
        }
        for w in waiters {
            w.await.unwrap();
        }
        thread_waiter.join().unwrap();
        let snap = wg.snapshot();
        assert_eq!((snap.state, snap.sema, snap.parked), (0, 0, 0));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn tokio_timeout_cancels_and_the_group_stays_usable() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let before = wg.snapshot();
    // Nothing ever calls `done` before the deadline.
    let timed_out = tokio::time::timeout(Duration::from_millis(5), wg.wait_async()).await;
    assert!(timed_out.is_err());
    assert_eq!(wg.snapshot(), before);
    let done = {
        let wg = wg.clone();
        tokio::spawn(async move { wg.done() })
    };
    wg.wait_async().await;
    done.await.unwrap();
}
