//! A goroutine of the tour: a named thread that runs one call when the director cues it.

use std::sync::{mpsc, Arc};
use std::thread::{self, Scope, ScopedJoinHandle};

use gosync::race;

/// A named thread that runs `body` once, on cue.
///
/// The cue is a std channel, which the race checker cannot see; its edge (the director's
/// past happens before the step, as a Go channel send before a receive) is stated with
/// `race::release` / `race::acquire` on a token the two share. Without it, the checker
/// would rightly find the goroutines unordered with the director's `add`.
pub struct Goroutine<'scope, T> {
    cue: mpsc::Sender<()>,
    cue_edge: Arc<u8>,
    thread: ScopedJoinHandle<'scope, (String, T)>,
}

impl<'scope, T: Send + 'scope> Goroutine<'scope, T> {
    pub fn spawn<'env>(
        s: &'scope Scope<'scope, 'env>,
        name: &'static str,
        body: impl FnOnce() -> T + Send + 'scope,
    ) -> Self {
        let (cue, on_cue) = mpsc::channel();
        let cue_edge = Arc::new(0);
        let edge = Arc::clone(&cue_edge);
        let thread = thread::Builder::new()
            .name(name.to_owned())
            .spawn_scoped(s, move || {
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

    /// Returns the name the thread reported once its call returned, and what it returned.
    pub fn join(self) -> (String, T) {
        self.thread
            .join()
            .expect("a goroutine of the tour panicked")
    }

    pub fn cue_and_join(self) -> (String, T) {
        self.cue();
        self.join()
    }
}
