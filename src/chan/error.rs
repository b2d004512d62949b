//! The errors of the non-blocking and timed channel operations: where Go's blocking
//! operation would wait for ever or panic, these return.

use thiserror::Error;

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
