//! A goroutine of the tour: a named thread that runs one call when the director cues it.

use std::sync::{mpsc, Arc};
use std::thread::{self, Scope, ScopedJoinHandle};

use gosync::race;

use crate::record::Did;

/// A named thread that runs `body` once, on cue, and reports what it did.
///
/// The cue is a std channel, which the race checker cannot see; its edge (the director's
/// past happens before the step, as a Go channel send before a receive) is stated with
/// `race::release` / `race::acquire` on a token the two share. Without it, the checker
/// would rightly find the goroutines unordered with the director's `add`. The checker
/// records that edge too; the picture leaves it out (it draws the WaitGroup's edges).
pub struct Goroutine<'scope> {
    cue: mpsc::Sender<()>,
    cue_edge: Arc<u8>,
    thread: ScopedJoinHandle<'scope, (String, Did)>,
}

impl<'scope> Goroutine<'scope> {
    pub fn spawn<'env>(
        s: &'scope Scope<'scope, 'env>,
        name: &'static str,
        body: impl FnOnce() -> String + Send + 'scope,
    ) -> Self {
        Self::spawn_did(s, name, || Did::around(body))
    }

    /// [`spawn`](Self::spawn) with a body that reports what it did itself (say, a
    /// misuse's panic, through [`Did::around_panicking`]).
    pub fn spawn_did<'env>(
        s: &'scope Scope<'scope, 'env>,
        name: &'static str,
        body: impl FnOnce() -> Did + Send + 'scope,
    ) -> Self {
        let (cue, on_cue) = mpsc::channel();
        let (numbered, numbered_rx) = mpsc::channel();
        let cue_edge = Arc::new(0);
        let edge = Arc::clone(&cue_edge);
        let thread = thread::Builder::new()
            .name(name.to_owned())
            .spawn_scoped(s, move || {
                // The checker numbers a thread at its first annotation: number it now, in
                // spawn order, as Go numbers goroutines at their `go` statement.
                let _ = numbered.send(race::goroutine_id());
                on_cue
                    .recv()
                    .expect("the director cues every goroutine it spawns");
                race::acquire(&*edge);
                let done = body();
                // Report who did it, in the thread's own words.
                (
                    thread::current().name().unwrap_or("unnamed").to_owned(),
                    done,
                )
            })
            .expect("spawn a goroutine thread");
        numbered_rx
            .recv()
            .expect("a goroutine thread reports its number first");
        Goroutine {
            cue,
            cue_edge,
            thread,
        }
    }

    pub fn cue(&self) {
        race::release(&*self.cue_edge);
        self.cue
            .send(())
            .expect("the goroutine is waiting for its cue");
    }

    /// Returns the name the thread reported once its call returned, and what it did.
    pub fn join(self) -> (String, Did) {
        self.thread
            .join()
            .expect("a goroutine of the tour panicked")
    }

    pub fn cue_and_join(self) -> (String, Did) {
        self.cue();
        self.join()
    }
}
