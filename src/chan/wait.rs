//! Where channel operations block: the race build's scheduler, or, without the `race`
//! feature, a small board of the same shape (no goroutine accounting, no sites).
//!
//! Both are try-loops: [`block_on`] runs `attempt` under the board's lock until it
//! succeeds, registered on `keys` between attempts; [`progress`] wakes the waiters of a
//! key after a state change. The channel's own lock is always released before
//! `progress`, and `attempt` takes it only briefly, so the board's lock is always the
//! outer one.

use std::panic::Location;
use std::time::Instant;

/// The address of a channel, or of a blocked operation's selection context.
pub(crate) type WaitKey = usize;

/// See the module docs. `reason` and `at` are the race build's deadlock dump (Go's wait
/// reason and the user's call).
#[inline]
pub(crate) fn block_on<T>(
    keys: &[WaitKey],
    reason: &'static str,
    at: &'static Location<'static>,
    deadline: Option<Instant>,
    attempt: impl FnMut() -> Option<T>,
) -> Option<T> {
    #[cfg(feature = "race")]
    {
        crate::race::sched::block_on(keys, reason, crate::race::Site::at(at), deadline, attempt)
    }
    #[cfg(not(feature = "race"))]
    {
        let _ = (reason, at);
        board::block_on(keys, deadline, attempt)
    }
}

/// See the module docs.
#[inline]
pub(crate) fn progress(key: WaitKey) {
    #[cfg(feature = "race")]
    crate::race::sched::progress(key);
    #[cfg(not(feature = "race"))]
    board::progress(key);
}

/// The board of builds without the `race` feature. It uses the crate's primitives, so
/// channels run under loom and shuttle too.
#[cfg(not(feature = "race"))]
mod board {
    use std::collections::HashMap;
    use std::sync::{Arc, PoisonError};
    use std::time::Instant;

    use super::WaitKey;
    use crate::primitive::global;
    use crate::primitive::sync::atomic::{fence, AtomicU64, AtomicU8, Ordering::SeqCst};
    use crate::primitive::sync::{Mutex, MutexGuard};
    use crate::primitive::thread::{Parker, Unparker};
    use crate::primitive::time::Timer;

    /// One blocked thread: whom to unpark, on which keys, and whether a `progress`
    /// reached it since it last registered.
    struct Waiter {
        unparker: Unparker,
        keys: Vec<WaitKey>,
        woken: AtomicU8,
    }

    const ASLEEP: u8 = 0;
    const WOKEN: u8 = 1;

    type Board = HashMap<WaitKey, Vec<Arc<Waiter>>>;

    global! {
        /// The keys' waiters, behind one lock (`None` until first use: `HashMap::new`
        /// is not `const`).
        static BOARD: Mutex<Option<Board>> = Mutex::new(None);
    }

    global! {
        /// Threads inside `block_on`: `progress` skips the lock when there are none.
        static WAITING: AtomicU64 = AtomicU64::new(0);
    }

    fn lock() -> MutexGuard<'static, Option<Board>> {
        BOARD.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes `waiter` off every key it is registered on.
    fn unregister(board: &mut Board, waiter: &Arc<Waiter>) {
        for key in &waiter.keys {
            if let Some(list) = board.get_mut(key) {
                list.retain(|w| !Arc::ptr_eq(w, waiter));
                if list.is_empty() {
                    board.remove(key);
                }
            }
        }
    }

    pub(super) fn block_on<T>(
        keys: &[WaitKey],
        deadline: Option<Instant>,
        mut attempt: impl FnMut() -> Option<T>,
    ) -> Option<T> {
        // ORDERING: SeqCst, then a SeqCst fence before the first attempt reads the
        // channel; pairs with the fence and load in `progress`: either it sees this
        // increment and takes the lock, or the attempt sees its state change.
        WAITING.fetch_add(1, SeqCst);
        fence(SeqCst);
        struct Leave;
        impl Drop for Leave {
            fn drop(&mut self) {
                // ORDERING: SeqCst; a stale count only costs `progress` a lock.
                WAITING.fetch_sub(1, SeqCst);
            }
        }
        let _leave = Leave;
        let parker = Parker::for_current_thread();
        let me = Arc::new(Waiter {
            unparker: parker.unparker(0),
            keys: keys.to_vec(),
            woken: AtomicU8::new(ASLEEP),
        });
        let timer = deadline.map(|deadline| {
            let unparker = me.unparker.clone();
            Timer::start(deadline, move || unparker.timer_fired())
        });
        let mut expired = false;
        loop {
            {
                let mut board = lock();
                let board = board.get_or_insert_with(Board::new);
                unregister(board, &me); // after a spurious or timer wake-up
                if let Some(value) = attempt() {
                    return Some(value);
                }
                if expired {
                    return None;
                }
                // ORDERING: SeqCst; under the board lock, like the store in `progress`.
                me.woken.store(ASLEEP, SeqCst);
                for &key in keys {
                    board.entry(key).or_default().push(me.clone());
                }
            }
            // ORDERING: SeqCst, pairs with the store in `progress` before its unpark (a
            // stale ASLEEP only parks again until that unpark).
            let woken = || me.woken.load(SeqCst) != ASLEEP;
            match &timer {
                None => parker.park_until(0, woken),
                Some(timer) => {
                    if !parker.park_deadline_until(0, timer, woken) {
                        expired = true; // one more attempt, then `None`
                    }
                }
            }
        }
    }

    pub(super) fn progress(key: WaitKey) {
        // ORDERING: see `block_on`.
        fence(SeqCst);
        if WAITING.load(SeqCst) == 0 {
            return;
        }
        let mut board = lock();
        let Some(board) = board.as_mut() else {
            return;
        };
        for waiter in board.remove(&key).unwrap_or_default() {
            unregister(board, &waiter); // its other keys: it attempts again anyway
                                        // ORDERING: SeqCst, read by the waiter's condition when its park returns.
            waiter.woken.store(WOKEN, SeqCst);
            waiter.unparker.clone().unpark();
        }
    }
}
