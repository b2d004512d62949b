//! Why [`WaitGroup`] is [`UnwindSafe`] and [`RefUnwindSafe`].
//!
//! `UnwindSafe` asks: can a panic leave the value in a state that code observing it after
//! `catch_unwind` would find broken? For a WaitGroup, no. Every change to the group is one
//! atomic operation on the state word or the semaphore (or the root lock's critical
//! section, which never runs user code and never panics inside), so another thread, or
//! the same thread after a panic, sees the group between two operations, never in the
//! middle of one, exactly as it sees it with no panic at all. The three misuse panics are
//! Go's and leave what Go leaves (a recovered "negative counter" leaves the counter
//! negative, as in Go; `docs/misuse.md`). That is why std's atomics are `RefUnwindSafe`.
//!
//! The compiler does not infer it only because of [`WaitGroup::go`]'s panic slot, an
//! `AtomicPtr` to a `Box<dyn Any + Send>` payload: `dyn Any` is not `RefUnwindSafe`.
//! The slot never lends the payload out: it is moved in by the panicking goroutine and
//! moved out by the one wait that re-raises it, so nothing can observe it half-built.
//!
//! [`DoneGuard`](crate::DoneGuard) and [`OwnedDoneGuard`](crate::OwnedDoneGuard) follow:
//! they hold a `&WaitGroup` or an `Arc<WaitGroup>`.

use std::panic::{RefUnwindSafe, UnwindSafe};

use super::WaitGroup;

impl UnwindSafe for WaitGroup {}
impl RefUnwindSafe for WaitGroup {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_and_its_guards_are_unwind_safe() {
        fn unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}
        unwind_safe::<WaitGroup>();
        unwind_safe::<&WaitGroup>();
        unwind_safe::<std::sync::Arc<WaitGroup>>();
        unwind_safe::<crate::DoneGuard<'static>>();
        unwind_safe::<crate::OwnedDoneGuard>();
    }
}
