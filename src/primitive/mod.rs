//! The only module that names `std`, `loom` or `shuttle` synchronisation types.
//!
//! Every other module writes `use crate::primitive::sync::atomic::AtomicU64` and gets
//! the backend selected by a crate-named cfg:
//!
//! | cfg                      | backend          | used for                                 |
//! |--------------------------|------------------|------------------------------------------|
//! | (none)                   | `std`            | normal builds                            |
//! | `--cfg gosync_loom`      | [`loom`]         | exhaustive model checking (`tests/loom.rs`) |
//! | `--cfg gosync_shuttle`   | [`shuttle`]      | randomized / PCT schedules (`tests/shuttle.rs`) |
//!
//! Downstream crates set the same cfg in `RUSTFLAGS` to model-check *their* code with our
//! `WaitGroup` inside; without it loom and shuttle never enter their lock file.
//!
//! [`loom`]: https://docs.rs/loom
//! [`shuttle`]: https://docs.rs/shuttle

#[cfg(all(gosync_loom, gosync_shuttle))]
compile_error!("`--cfg gosync_loom` and `--cfg gosync_shuttle` select different model checkers: set at most one");

#[cfg(not(any(gosync_loom, gosync_shuttle)))]
mod std_backend;
#[cfg(not(any(gosync_loom, gosync_shuttle)))]
pub(crate) use std_backend::*;

#[cfg(gosync_loom)]
mod loom_backend;
#[cfg(gosync_loom)]
pub(crate) use loom_backend::*;

#[cfg(gosync_shuttle)]
mod shuttle_backend;
#[cfg(gosync_shuttle)]
pub(crate) use shuttle_backend::*;

/// Timed parking under the model checkers, which do not model time (shared by both model
/// backends; the std backend's `time` is the real clock).
///
/// A timer that has not expired when it starts fires at a point the checker chooses: it
/// is a model thread that marks the timer expired and wakes the waiter, so loom explores
/// every order of the time-out against everything else, and shuttle samples them. A
/// deadline already in the past when the timer starts has expired, with no thread. Each
/// timed wait that has to sleep therefore spawns one model thread (loom allows at most
/// `loom::MAX_THREADS` at once).
#[cfg(any(gosync_loom, gosync_shuttle))]
pub(crate) mod time {
    use std::sync::Arc;
    use std::time::Instant;

    use super::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use super::thread;

    /// The deadline of a timed park, fired by a model thread.
    pub(crate) struct Timer {
        expired: Arc<AtomicBool>,
    }

    impl Timer {
        /// A timer for `deadline`: expired at once if it has passed, else fired by a new model
        /// thread at a point the checker chooses; firing calls `fire`, which wakes the waiter.
        pub(crate) fn start(deadline: Instant, fire: impl FnOnce() + Send + 'static) -> Timer {
            let passed = Instant::now() >= deadline;
            let expired = Arc::new(AtomicBool::new(passed));
            if !passed {
                let set = Arc::clone(&expired);
                // The handle is dropped: the timer thread runs on its own, like a real clock.
                drop(thread::spawn(move || {
                    // ORDERING: SeqCst, read by `expired` after the waiter is woken.
                    set.store(true, SeqCst);
                    fire();
                }));
            }
            Timer { expired }
        }

        /// Whether the timer has fired.
        pub(crate) fn expired(&self) -> bool {
            // ORDERING: SeqCst, pairs with the timer thread's store before its unpark.
            self.expired.load(SeqCst)
        }
    }
}

/// Declares a `const fn` in normal builds and a plain `fn` under the model checkers,
/// whose atomics and locks cannot be built in a const context.
macro_rules! const_fn_unless_model {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $arg_ty:ty),*) -> $ret:ty $body:block) => {
        #[cfg(not(any(gosync_loom, gosync_shuttle)))]
        $(#[$meta])*
        $vis const fn $name($($arg: $arg_ty),*) -> $ret $body

        #[cfg(any(gosync_loom, gosync_shuttle))]
        $(#[$meta])*
        $vis fn $name($($arg: $arg_ty),*) -> $ret $body
    };
}
pub(crate) use const_fn_unless_model;

/// Pads and aligns a value to the length of a cache line, so that two roots of the
/// semaphore table never share one (Go: `pad [cpu.CacheLinePadSize - ...]byte`).
///
/// 128 bytes on x86-64 and aarch64, where the spatial prefetcher pulls cache lines in
/// pairs (the same choice as crossbeam-utils' `CachePadded`); 64 elsewhere.
#[cfg_attr(any(target_arch = "x86_64", target_arch = "aarch64"), repr(align(128)))]
#[cfg_attr(
    not(any(target_arch = "x86_64", target_arch = "aarch64")),
    repr(align(64))
)]
pub(crate) struct CachePadded<T>(pub(crate) T);
