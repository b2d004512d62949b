//! The tour's text: what each goroutine did, the state word after it, and the lines of Go
//! it ran, with why.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::branch::word;
use crate::record::{Observed, Scene, Step, Tour};

/// What a newcomer reads before the first scene.
pub fn preface() -> String {
    let mut out = String::new();
    out.push_str(
        "gosync tour: Go 1.19's sync.WaitGroup, ported line for line, in a real run\n\
         \n\
         A WaitGroup is one 64-bit atomic word plus a semaphore:\n\
         \n\
         \x20 state word  0x00000002_00000001\n\
         \x20               ^^^^^^^^ ^^^^^^^^\n\
         \x20               counter  waiters\n\
         \x20             (bits 63..32: Add/Done)  (bits 31..0: goroutines blocked in Wait)\n\
         \n\
         Add and Done change the counter with one atomic add; Wait counts itself as a waiter\n\
         with a CAS and sleeps on the semaphore. Goroutines here are named threads; the\n\
         director cues them one at a time (no sleeps), and after every step it prints the\n\
         word from wg.snapshot() and the lines of Go's waitgroup.go / sema.go that the call\n\
         ran (vendored in docs/go/), each with why. `sema` is the semaphore's token count\n\
         (`?` where a woken waiter may be taking its token as we look), `parked` the\n\
         goroutines asleep on it.\n",
    );
    out
}

/// The heading of a scene.
pub fn scene(scene: &Scene) -> String {
    format!(
        "\n== Scene {}: {} ==\n{}\nGoroutines: {}\n",
        scene.number,
        scene.title,
        scene.intro,
        scene.lanes.join(", ")
    )
}

/// Tells the steps, explaining each line of Go the first time it runs for a reason, and
/// only quoting it when it runs again for the same one.
#[derive(Default)]
pub struct Narrator {
    explained: HashSet<(&'static str, usize, String)>,
}

impl Narrator {
    /// One step: who did what, the group after it, and Go's lines with why.
    pub fn step(&mut self, scene: &Scene, step: &Step) -> String {
        let number = scene
            .steps
            .iter()
            .position(|s| std::ptr::eq(s, step))
            .map_or(0, |i| i + 1);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n[{number}] {}: {}",
            scene.lanes[step.lane],
            step.action.call()
        );
        if !step.work.is_empty() {
            let _ = writeln!(out, "    work:  {}", step.work);
        }
        let _ = writeln!(out, "    after: {}", observed(&step.after));
        for line in &step.go {
            let place = format!("{}:{}", line.file, line.line);
            let _ = write!(out, "    {place:>16}  {}", line.code);
            if self
                .explained
                .insert((line.file, line.line, line.why.clone()))
            {
                let _ = writeln!(out, "\n    {:>16}  -> {}", "", line.why);
            } else {
                out.push_str("   (as before)\n");
            }
        }
        out
    }
}

/// The observed group on one line.
pub fn observed(now: &Observed) -> String {
    let sema = now.sema.map_or("?".to_owned(), |n| n.to_string());
    format!(
        "state {}  counter {}  waiters {}  sema {}  parked {}",
        word(now.state),
        now.counter(),
        now.waiters(),
        sema,
        now.parked
    )
}

/// What a newcomer should take away, after the last scene.
pub fn summary(tour: &Tour) -> String {
    let mut out = String::from(
        "\n== What to take away ==\n\
         - Add/Done: one atomic add. Every call but the last Done returns at `v > 0` (line 88).\n\
         - The last Done (v == 0, w > 0) re-checks the word, sets it to 0, then releases one\n\
         \x20 semaphore token per counted waiter (lines 96-102).\n\
         - Wait: fast path when the counter is 0 (line 122); otherwise a CAS counts it (131),\n\
         \x20 it sleeps on the semaphore (139) and re-checks the word after waking (140).\n\
         - The semaphore pairs every sleep with one wake-up, even when the wake-up comes first.\n",
    );
    let missing: Vec<String> = crate::misuse::NEED_TRACING
        .iter()
        .filter(|(number, _)| !tour.scenes.iter().any(|s| s.number == *number))
        .map(|(number, title)| format!("\x20 scene {number}: {title}\n"))
        .collect();
    if !missing.is_empty() {
        out.push_str("\nThese scenes need a pause inside gosync's calls (--features tracing):\n");
        out.extend(missing);
        out.push_str("\x20 cargo run --example tour --features tracing\n");
    }
    out.push_str(
        "\nDraw this run: cargo run --example tour -- --svg tour.svg\n\
         Step through it in a browser: cargo run --example tour -- --html tour.html\n",
    );
    out
}
