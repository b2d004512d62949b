//! The crate's error types, each a `thiserror` enum: [`WaitGroupError`], Go's three
//! `WaitGroup` panics for the non-panicking `try_*` API, and the errors of the channels'
//! non-blocking and timed operations ([`TryRecvError`], [`RecvTimeoutError`],
//! [`TrySendError`], [`SendTimeoutError`]).

use thiserror::Error;

// ---- WaitGroupError -------------------------------------------------------------------
//
// Go's three `WaitGroup` panics as a typed error, for the non-panicking `try_*` API.

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

// ---- Channel errors -------------------------------------------------------------------
//
// The errors of the non-blocking and timed channel operations: where Go's blocking
// operation would wait for ever or panic, these return.

/// Why [`Receiver::try_recv`](crate::Receiver::try_recv) returned no value.
///
/// ```
/// use gosync::TryRecvError;
/// assert_eq!(TryRecvError::Closed.to_string(), "receiving on a closed and empty channel");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum TryRecvError {
    /// The channel is open and has no value ready (no buffered value, no waiting sender).
    #[error("receiving on an empty channel")]
    Empty,
    /// The channel is closed and drained (Go's `v, ok := <-c` with `ok == false`).
    #[error("receiving on a closed and empty channel")]
    Closed,
}

/// Why [`Receiver::recv_timeout`](crate::Receiver::recv_timeout) returned no value.
///
/// ```
/// use gosync::RecvTimeoutError;
/// assert_eq!(RecvTimeoutError::Timeout.to_string(), "timed out waiting on a channel");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum RecvTimeoutError {
    /// No value came before the time-out.
    #[error("timed out waiting on a channel")]
    Timeout,
    /// The channel is closed and drained.
    #[error("receiving on a closed and empty channel")]
    Closed,
}

/// Why [`Sender::try_send`](crate::Sender::try_send) did not send; the value comes back.
/// Go's `select` with a `default` panics on a closed channel; this returns instead.
///
/// ```
/// use gosync::TrySendError;
/// assert_eq!(TrySendError::Full(1).into_inner(), 1);
/// assert_eq!(TrySendError::Closed(2).to_string(), "send on closed channel");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum TrySendError<T> {
    /// No room in the buffer (capacity 0: no receiver waiting).
    #[error("sending on a full channel")]
    Full(T),
    /// The channel is closed (Go's `send on closed channel`).
    #[error("send on closed channel")]
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that was not sent.
    ///
    /// ```
    /// # use gosync::TrySendError;
    /// assert_eq!(TrySendError::Closed("x").into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(value) | TrySendError::Closed(value) => value,
        }
    }
}

/// Why [`Sender::send_timeout`](crate::Sender::send_timeout) did not send; the value comes
/// back.
///
/// ```
/// use gosync::SendTimeoutError;
/// assert_eq!(SendTimeoutError::Timeout(()).to_string(), "timed out waiting on a channel");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum SendTimeoutError<T> {
    /// Not delivered before the time-out.
    #[error("timed out waiting on a channel")]
    Timeout(T),
    /// The channel is closed (Go's `send on closed channel`).
    #[error("send on closed channel")]
    Closed(T),
}

impl<T> SendTimeoutError<T> {
    /// The value that was not sent.
    ///
    /// ```
    /// # use gosync::SendTimeoutError;
    /// assert_eq!(SendTimeoutError::Timeout(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            SendTimeoutError::Timeout(value) | SendTimeoutError::Closed(value) => value,
        }
    }
}
