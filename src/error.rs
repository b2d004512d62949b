//! Go's three `WaitGroup` panics as a typed error, for the non-panicking `try_*` API.

use thiserror::Error;

/// Go's text for a counter that went below zero.
const NEGATIVE_COUNTER: &str = "sync: negative WaitGroup counter";
/// Go's text for a positive `Add` racing the release of waiters (two sites in Go).
const ADD_CONCURRENT_WITH_WAIT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
/// Go's text for a woken `Wait` that finds the group already in use again.
const REUSED_BEFORE_WAIT_RETURNED: &str =
    "sync: WaitGroup is reused before previous Wait has returned";

/// One of Go's three `sync.WaitGroup` misuse panics.
///
/// [`WaitGroup::add`](crate::WaitGroup::add), [`done`](crate::WaitGroup::done) and
/// [`wait`](crate::WaitGroup::wait) panic where Go panics, with [`go_text`](Self::go_text)
/// as the `&'static str` payload; the `try_*` methods return this error instead.
/// `Display` prints Go's text byte for byte.
///
/// ```
/// use gosync::{WaitGroup, WaitGroupError};
///
/// let wg = WaitGroup::new();
/// assert_eq!(wg.try_done(), Err(WaitGroupError::NegativeCounter));
/// assert_eq!(
///     WaitGroupError::NegativeCounter.to_string(),
///     "sync: negative WaitGroup counter",
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum WaitGroupError {
    /// The counter would go below zero (`panic("sync: negative WaitGroup counter")`).
    #[error("{}", NEGATIVE_COUNTER)]
    NegativeCounter,
    /// A positive `add` moved the counter off zero while waiters of the previous
    /// generation were still registered, or the state changed under the releasing `add`
    /// (`panic("sync: WaitGroup misuse: Add called concurrently with Wait")`).
    #[error("{}", ADD_CONCURRENT_WITH_WAIT)]
    AddCalledConcurrentlyWithWait,
    /// A woken `wait` found the group already counting again
    /// (`panic("sync: WaitGroup is reused before previous Wait has returned")`).
    #[error("{}", REUSED_BEFORE_WAIT_RETURNED)]
    ReusedBeforePreviousWaitReturned,
}

impl WaitGroupError {
    /// Go's panic text for this misuse, exactly as `recover()` returns it in Go.
    ///
    /// ```
    /// use gosync::WaitGroupError;
    ///
    /// assert_eq!(
    ///     WaitGroupError::ReusedBeforePreviousWaitReturned.go_text(),
    ///     "sync: WaitGroup is reused before previous Wait has returned",
    /// );
    /// ```
    pub const fn go_text(self) -> &'static str {
        match self {
            Self::NegativeCounter => NEGATIVE_COUNTER,
            Self::AddCalledConcurrentlyWithWait => ADD_CONCURRENT_WITH_WAIT,
            Self::ReusedBeforePreviousWaitReturned => REUSED_BEFORE_WAIT_RETURNED,
        }
    }

    /// Panics as Go does: the payload is the `&'static str` [`go_text`](Self::go_text), so
    /// `catch_unwind(..).unwrap_err().downcast_ref::<&str>()` equals Go's `recover()`.
    #[cold]
    #[track_caller]
    pub(crate) fn panic(self) -> ! {
        std::panic::panic_any(self.go_text())
    }
}
