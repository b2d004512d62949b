//! The misuse scenes: Go's three panics and gosync's timed-out waiter, each a real run
//! ordered by the director, as the tour's scenes are.
//!
//! Scene numbers are fixed (4 to 7), so a link to a step means the same in every build; a
//! build that cannot run a scene (6 and 7 need the pause, `--features tracing`) skips its
//! number.
//!
//! - 4, negative counter: no interleaving needed, one goroutine calls `done` once too often.
//! - 5, reused before Wait returned: the waiter is a task (`wait_async`) that main polls, so
//!   "woken but not yet returned" is a state main can hold without a pause: the task is
//!   readied by the release and runs only when main polls it again.
//! - 6, Add concurrently with Wait: the last `done` is held right after its atomic add.
//! - 7, a timed-out waiter (`wait_timeout`) withdraws: held right before it parks.

use std::future::Future;
use std::panic;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Once};
use std::task::{Context, Wake, Waker};
use std::thread;

use gosync::WaitGroup;

use crate::branch;
use crate::director::Observer;
use crate::goroutine::Goroutine;
use crate::record::{Did, Part, Scene, Tour};
use crate::recorder::{Call, Recorder, SemaIs};

/// Runs the misuse scenes this build can run, after the tour's.
pub fn run(
    tour: &mut Tour,
    observe: Observer<'_>,
    #[cfg(any(feature = "unstable-window-hook", feature = "tracing"))]
    pause: &'static crate::pause::Pause,
) {
    quiet_expected_panics();
    let mut names = Names::new(tour);
    tour.scenes.push(negative_counter(observe));
    tour.scenes
        .push(reused_before_wait_returned(observe, &mut names));
    #[cfg(feature = "unstable-window-hook")]
    tour.scenes
        .push(add_during_wait(observe, &mut names, pause));
    #[cfg(feature = "tracing")]
    tour.scenes
        .push(timed_out_waiter(observe, &mut names, pause));
}

/// The scenes that need the pause (scenes 3 and 6 gosync's unstable window hook, 7 a
/// `tracing` event: `--features tracing` has both), by number and title, for the page to
/// list when this build lacks them.
pub const NEED_TRACING: [(usize, &str); 3] = [
    (3, "a token before the sleep"),
    (6, "Add called concurrently with Wait"),
    (7, "a timed-out waiter withdraws"),
];

/// Names goroutines as the race checker numbers them: in spawn order, after the tour's.
struct Names(usize);

impl Names {
    fn new(tour: &Tour) -> Names {
        let last = tour
            .scenes
            .iter()
            .flat_map(|scene| &scene.lanes)
            .filter_map(|lane| lane.strip_prefix('G')?.split(' ').next()?.parse().ok())
            .max()
            .unwrap_or(1);
        Names(last)
    }

    fn next(&mut self, role: &str) -> &'static str {
        self.0 += 1;
        Box::leak(format!("G{} {role}", self.0).into_boxed_str())
    }
}

/// The misuse panics are expected: don't let the default hook print them as if they were
/// the tour's failures. Any other panic is printed as usual.
fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let usual = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let text = info.payload().downcast_ref::<&str>().copied();
            if !matches!(
                text,
                Some(branch::NEGATIVE_COUNTER | branch::ADD_DURING_WAIT | branch::REUSED)
            ) {
                usual(info);
            }
        }));
    });
}

fn scene(
    number: usize,
    title: &'static str,
    intro: &'static str,
    lanes: Vec<&'static str>,
) -> Scene {
    Scene {
        number,
        part: Part::Misuse,
        title,
        intro,
        lanes,
        steps: Vec::new(),
    }
}

/// Scene 4: one `done` too many takes the counter to -1 (line 83). Nothing is rolled back:
/// the next `add(1)` brings it back to 0.
fn negative_counter(observe: Observer<'_>) -> Scene {
    const MAIN: usize = 0;
    let wg = WaitGroup::new();
    let mut scene = Recorder::new(
        scene(
            4,
            "misuse: negative counter",
            "main adds 1 and calls done twice; the second done takes the counter to -1 and \
             panics. The panic rolls nothing back: an add(1) brings the counter back to 0.",
            vec!["G1 main"],
        ),
        &wg,
        observe,
    );
    let before = scene.observe();
    let did = Did::around_call(|| wg.add(1));
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);
    let before = scene.observe();
    let did = Did::around_call(|| wg.done());
    scene.call(MAIN, Call::Done, before, SemaIs::Settled, did);
    let before = scene.observe();
    let did = Did::around_panicking(|| wg.done());
    scene.call(MAIN, Call::Done, before, SemaIs::Settled, did);
    let before = scene.observe();
    let did = Did::around_call(|| wg.add(1));
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);
    let before = scene.observe();
    let did = Did::around(|| {
        wg.wait();
        String::new()
    });
    scene.wait_fast(MAIN, before, did);
    scene.finish()
}

/// Records whether the task was woken.
#[derive(Default)]
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Relaxed);
    }
}

/// Scene 5: the waiter is woken by the last `done` and, before it returns, main starts a
/// new round; the waiter's re-check (line 140) finds the new counter and panics (line 141).
fn reused_before_wait_returned(observe: Observer<'_>, names: &mut Names) -> Scene {
    const MAIN: usize = 0;
    const WORKER: usize = 1;
    const TASK: usize = 2;
    let worker_name = names.next("worker");
    let wg = WaitGroup::new();
    let mut scene = Recorder::new(
        scene(
            5,
            "misuse: reused before Wait returned",
            "the waiter is a task (wg.wait_async()) that main polls: the last done readies it, \
             and before main polls it again, main starts a new round with add(1). The woken \
             waiter re-checks the word, finds the new round and panics.",
            vec!["G1 main", worker_name, "G1 main's task"],
        ),
        &wg,
        observe,
    );
    let before = scene.observe();
    let did = Did::around_call(|| wg.add(1));
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);
    thread::scope(|s| {
        let worker = Goroutine::spawn(s, scene.lane(WORKER), || {
            wg.done();
            "done".to_owned()
        });
        let woken = Arc::new(Woken::default());
        let waker = Waker::from(Arc::clone(&woken));
        let mut cx = Context::from_waker(&waker);
        let mut waiter = pin!(wg.wait_async());

        let before = scene.observe();
        assert!(
            waiter.as_mut().poll(&mut cx).is_pending(),
            "the counter is 1"
        );
        scene.wait_asleep(TASK, before);

        let before = scene.observe();
        let wrote = scene.joined(WORKER, worker.cue_and_join());
        let release = scene.call(WORKER, Call::Done, before, SemaIs::Settled, wrote);
        assert!(woken.0.load(Relaxed), "the release woke the task's waker");
        assert_eq!(
            scene.last().after.sema,
            Some(0),
            "the release took its token for it, under the root lock: it waits in its node for the next poll"
        );

        let before = scene.observe();
        let did = Did::around_call(|| wg.add(1));
        scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);

        let did = Did::around_panicking(|| {
            let _ = waiter.as_mut().poll(&mut cx);
        });
        scene.wait_reused(TASK, release, Did { clock: None, ..did });
    });
    let before = scene.observe();
    let did = Did::around_call(|| wg.done());
    scene.call(MAIN, Call::Done, before, SemaIs::Settled, did);
    scene.finish()
}

/// Scene 6: the last `done` is held right after its atomic add, inside the window before
/// it resets the word; main's `add(1)` there panics (line 86), and so does the `done`'s
/// sanity re-check when it goes on (line 97).
#[cfg(feature = "unstable-window-hook")]
fn add_during_wait(observe: Observer<'_>, names: &mut Names, pause: &crate::pause::Pause) -> Scene {
    const MAIN: usize = 0;
    const WAITER: usize = 1;
    const LAST_DONE: usize = 2;
    let (waiter_name, done_name) = (names.next("waiter"), names.next("last done"));
    let wg = WaitGroup::new();
    let mut scene = Recorder::new(
        scene(
            6,
            "misuse: Add called concurrently with Wait",
            "the last done is held (by gosync's unstable window hook) right after its atomic add: the \
             counter is 0, the waiter still counted. main's add(1) lands in that window and \
             panics; the done goes on, its sanity re-check finds the word changed and panics \
             too. A last done after them wakes the waiter. (With --features race the checker \
             reports this Add racing with the Wait, as go test -race does.)",
            vec!["G1 main", waiter_name, done_name],
        ),
        &wg,
        observe,
    );
    let before = scene.observe();
    let did = Did::around_call(|| wg.add(1));
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);
    thread::scope(|s| {
        let waiter = Goroutine::spawn(s, scene.lane(WAITER), || {
            wg.wait();
            "then returns".to_owned()
        });
        let last_done = Goroutine::spawn_did(s, scene.lane(LAST_DONE), || {
            Did::around_panicking(|| wg.done())
        });

        let before = scene.observe();
        waiter.cue();
        crate::director::until(&wg, |now| now.parked == 1);
        scene.wait_asleep(WAITER, before);

        let done_before = scene.observe();
        let held = pause.arm(scene.lane(LAST_DONE), crate::pause::AFTER_ATOMIC_ADD);
        last_done.cue();
        // Had it gone past the event, it would have released the waiter.
        pause.until_holding(|| wg.snapshot().parked == 1);
        scene.done_held(LAST_DONE, done_before);

        let before = scene.observe();
        let did = Did::around_panicking(|| wg.add(1));
        scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);

        let recheck = scene.observe().state;
        held.release();
        let did = scene.joined(LAST_DONE, last_done.join());
        scene.call_rechecked(
            LAST_DONE,
            Call::Done,
            done_before,
            Some(recheck),
            SemaIs::Settled,
            did,
        );

        let before = scene.observe();
        let did = Did::around_call(|| wg.done());
        let release = scene.call(MAIN, Call::Done, before, SemaIs::Racing, did);
        let did = scene.joined(WAITER, waiter.join());
        scene.wait_returned(WAITER, branch::Sleep::Slept, release, did, SemaIs::Settled);
    });
    scene.finish()
}

/// Scene 7: a `wait_timeout` queues with a deadline nobody meets and withdraws; the last
/// `done` then finds no waiter and releases no token.
#[cfg(feature = "tracing")]
fn timed_out_waiter(
    observe: Observer<'_>,
    names: &mut Names,
    pause: &crate::pause::Pause,
) -> Scene {
    const MAIN: usize = 0;
    const WAITER: usize = 1;
    let waiter_name = names.next("timed waiter");
    let wg = WaitGroup::new();
    let mut scene = Recorder::new(
        scene(
            7,
            "a timed-out waiter withdraws (gosync's wait_timeout)",
            "a waiter calls wg.wait_timeout(10ms) and sleeps; nobody calls done before the \
             deadline, so it withdraws: uncounted, out of the queue, no token owed. The last \
             done then finds no waiter to wake. Go 1.19 has no timed Wait: these lines are \
             gosync's.",
            vec!["G1 main", waiter_name],
        ),
        &wg,
        observe,
    );
    let before = scene.observe();
    let did = Did::around_call(|| wg.add(1));
    scene.call(MAIN, Call::Add(1), before, SemaIs::Settled, did);
    let returned = AtomicBool::new(false);
    thread::scope(|s| {
        let waiter = Goroutine::spawn(s, scene.lane(WAITER), || {
            let reached_zero = wg.wait_timeout(std::time::Duration::from_millis(10));
            returned.store(true, Relaxed);
            assert!(!reached_zero, "nobody calls done before the waiter returns");
            "returns false".to_owned()
        });
        let before = scene.observe();
        let held = pause.arm(scene.lane(WAITER), crate::pause::PARK_UNTIL_DEADLINE);
        waiter.cue();
        pause.until_holding(|| !returned.load(Relaxed));
        scene.wait_timeout_asleep(WAITER, before);

        let registered = scene.observe();
        held.release();
        let did = scene.joined(WAITER, waiter.join());
        scene.wait_timed_out(WAITER, registered, did);
    });
    let before = scene.observe();
    let did = Did::around_call(|| wg.done());
    scene.call(MAIN, Call::Done, before, SemaIs::Settled, did);
    let before = scene.observe();
    let did = Did::around(|| {
        wg.wait();
        String::new()
    });
    scene.wait_fast(MAIN, before, did);
    scene.finish()
}
