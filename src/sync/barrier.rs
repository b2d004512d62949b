//! [`Barrier`]: std's barrier, seen by the race checker: every arrival of a round
//! happens before every departure from it.

use std::fmt;
use std::sync::{Arc, PoisonError};

use super::block;
use crate::race::{self, ObjectId, Site};

/// std's [`Barrier`](std::sync::Barrier), seen by the race checker: everything each of
/// the `n` threads did before its [`wait`](Barrier::wait) happens before every one of
/// them returns from it. Reusable round after round, as std's.
///
/// ```
/// use gosync::sync::{Arc, Barrier};
///
/// let barrier = Arc::new(Barrier::new(3));
/// let leaders: usize = (0..3)
///     .map(|_| {
///         let b = barrier.clone();
///         gosync::thread::spawn(move || b.wait().is_leader())
///     })
///     .collect::<Vec<_>>()
///     .into_iter()
///     .map(|t| usize::from(t.join().unwrap()))
///     .sum();
/// assert_eq!(leaders, 1);
/// ```
pub struct Barrier {
    n: usize,
    state: std::sync::Mutex<Round>,
    /// What waiters block on.
    race: ObjectId,
}

/// The current round.
struct Round {
    /// Threads arrived in this round.
    arrived: usize,
    /// Counts rounds: a waiter leaves when it changes.
    generation: u64,
    /// This round's sync object: every arrival merges into it, every departure acquires
    /// it. A fresh one per round, so a late leaver learns nothing of the next round.
    clock: Arc<ObjectId>,
}

/// std's [`BarrierWaitResult`](std::sync::BarrierWaitResult).
///
/// ```
/// let result = gosync::sync::Barrier::new(1).wait();
/// assert!(result.is_leader()); // the last (here: only) arrival leads
/// ```
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this thread was the round's leader (std: the last one to arrive).
    ///
    /// ```
    /// assert!(gosync::sync::Barrier::new(0).wait().is_leader());
    /// ```
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// std's [`Barrier::new`](std::sync::Barrier::new): a barrier for `n` threads (0 acts
    /// as 1).
    ///
    /// ```
    /// let barrier = gosync::sync::Barrier::new(2);
    /// # drop(barrier);
    /// ```
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n,
            state: std::sync::Mutex::new(Round {
                arrived: 0,
                generation: 0,
                clock: Arc::new(ObjectId::new()),
            }),
            race: ObjectId::new(),
        }
    }

    /// std's [`Barrier::wait`](std::sync::Barrier::wait): blocks until `n` threads have
    /// called it in this round; the last one to arrive is the leader.
    ///
    /// ```
    /// use gosync::sync::{Arc, Barrier};
    ///
    /// let b = Arc::new(Barrier::new(2));
    /// let b2 = b.clone();
    /// let t = gosync::thread::spawn(move || b2.wait().is_leader());
    /// let me = b.wait().is_leader();
    /// assert!(me != t.join().unwrap()); // exactly one leader
    /// ```
    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        let mut round = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let clock = round.clock.clone();
        race::keyed::release_merge(&clock);
        round.arrived += 1;
        let leader = round.arrived >= self.n;
        if leader {
            round.arrived = 0;
            round.generation = round.generation.wrapping_add(1);
            round.clock = Arc::new(ObjectId::new());
            drop(round);
            block::progress(&self.race);
        } else {
            let generation = round.generation;
            drop(round);
            block::block_on(
                &[&self.race],
                "sync.Barrier.Wait",
                Site::here(),
                None,
                || {
                    let round = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                    (round.generation != generation).then_some(())
                },
            )
            .expect("a barrier wait has no deadline");
        }
        race::keyed::acquire(&clock);
        BarrierWaitResult(leader)
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").finish_non_exhaustive()
    }
}

impl fmt::Debug for BarrierWaitResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWaitResult")
            .field("is_leader", &self.0)
            .finish()
    }
}
