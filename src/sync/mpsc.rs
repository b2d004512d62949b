//! std's [`mpsc`](std::sync::mpsc), seen by the race checker: Go's channel edges, message
//! by message (as `gosync::chan` and Go's `chan.go` annotate them).
//!
//! - a message's send happens before its receive;
//! - [`sync_channel(0)`](sync_channel): the receive happens before the send returns
//!   (Go's unbuffered `racesync`);
//! - [`sync_channel(c)`](sync_channel): the k-th receive happens before the (k+c)-th send
//!   returns (Go's `racenotify` on `chanbuf(c, i)`);
//! - dropping a [`Sender`] or [`SyncSender`] (Go's `close`, once the last one is gone)
//!   happens before a receive that reports the disconnection; dropping the [`Receiver`]
//!   happens before a send that fails because of it.
//!
//! Blocking calls are retry loops on the race scheduler. The error types are std's own.
//!
//! ```
//! use gosync::sync::mpsc;
//!
//! let (tx, rx) = mpsc::channel();
//! for id in 0..3 {
//!     let tx = tx.clone();
//!     gosync::thread::spawn(move || tx.send(id).unwrap());
//! }
//! drop(tx);
//! let mut got: Vec<i32> = rx.iter().collect(); // ends when every sender is gone
//! got.sort();
//! assert_eq!(got, [0, 1, 2]);
//! ```

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

use super::block;
use crate::race::{self, ObjectId, Site, SyncClock};

/// std's [`mpsc::channel`](std::sync::mpsc::channel): an unbounded channel; sends never
/// block.
///
/// ```
/// let (tx, rx) = gosync::sync::mpsc::channel();
/// tx.send("hello").unwrap();
/// assert_eq!(rx.recv(), Ok("hello"));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Shared::new(None);
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver::new(shared),
    )
}

/// std's [`mpsc::sync_channel`](std::sync::mpsc::sync_channel): room for `bound`
/// messages; with `bound == 0` each send waits for its receive (a rendezvous, Go's
/// unbuffered channel).
///
/// ```
/// let (tx, rx) = gosync::sync::mpsc::sync_channel(1);
/// tx.send(1).unwrap();
/// assert!(tx.try_send(2).is_err()); // full
/// assert_eq!(rx.recv(), Ok(1));
/// ```
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let shared = Shared::new(Some(bound));
    (
        SyncSender {
            shared: shared.clone(),
        },
        Receiver::new(shared),
    )
}

/// std's [`mpsc::Sender`](std::sync::mpsc::Sender): the sending half of [`channel`].
///
/// ```
/// let (tx, rx) = gosync::sync::mpsc::channel();
/// let tx2 = tx.clone();
/// tx.send(1).unwrap();
/// tx2.send(2).unwrap();
/// assert_eq!((rx.recv(), rx.recv()), (Ok(1), Ok(2)));
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// std's [`mpsc::SyncSender`](std::sync::mpsc::SyncSender): the sending half of
/// [`sync_channel`].
///
/// ```
/// let (tx, rx) = gosync::sync::mpsc::sync_channel(0);
/// let t = gosync::thread::spawn(move || tx.send(5).unwrap()); // waits for the receive
/// assert_eq!(rx.recv(), Ok(5));
/// t.join().unwrap();
/// ```
pub struct SyncSender<T> {
    shared: Arc<Shared<T>>,
}

/// std's [`mpsc::Receiver`](std::sync::mpsc::Receiver): the receiving half; `Send` but
/// not `Sync`, as std's.
///
/// ```
/// let (tx, rx) = gosync::sync::mpsc::channel::<u8>();
/// drop(tx);
/// assert!(rx.recv().is_err()); // every sender gone
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    _not_sync: PhantomData<Cell<()>>,
}

/// std's [`mpsc::Iter`](std::sync::mpsc::Iter): [`Receiver::recv`] until disconnected.
///
/// ```
/// let (tx, rx) = gosync::sync::mpsc::channel();
/// tx.send(1).unwrap();
/// drop(tx);
/// assert_eq!(rx.iter().collect::<Vec<_>>(), [1]);
/// ```
#[derive(Debug)]
pub struct Iter<'a, T: 'a> {
    rx: &'a Receiver<T>,
}

/// std's [`mpsc::TryIter`](std::sync::mpsc::TryIter): [`Receiver::try_recv`] until it
/// fails.
///
/// ```
/// let (tx, rx) = gosync::sync::mpsc::channel();
/// tx.send(1).unwrap();
/// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [1]); // tx is alive: stops when empty
/// ```
#[derive(Debug)]
pub struct TryIter<'a, T: 'a> {
    rx: &'a Receiver<T>,
}

/// std's [`mpsc::IntoIter`](std::sync::mpsc::IntoIter): an owning [`Iter`].
///
/// ```
/// let (tx, rx) = gosync::sync::mpsc::channel();
/// tx.send('a').unwrap();
/// drop(tx);
/// assert_eq!(rx.into_iter().collect::<String>(), "a");
/// ```
#[derive(Debug)]
pub struct IntoIter<T> {
    rx: Receiver<T>,
}

struct Shared<T> {
    /// `None`: unbounded; `Some(0)`: rendezvous.
    bound: Option<usize>,
    state: std::sync::Mutex<State<T>>,
    /// What blocked senders and receivers wait on.
    race: ObjectId,
    /// Merged into by every sender's drop, acquired by a receive that finds none left.
    senders_gone: ObjectId,
    /// Released by the receiver's drop, acquired by a send that fails because of it.
    receiver_gone: ObjectId,
}

struct State<T> {
    queue: VecDeque<Message<T>>,
    /// Messages enqueued so far: the next one is number `sent`.
    sent: u64,
    /// Messages dequeued so far.
    received: u64,
    senders: usize,
    receiver: bool,
    /// Receivers blocked in `recv`: a rendezvous `try_send` hands over to one of them.
    waiting_receivers: usize,
    /// Bounded: Go's `chanbuf(c, i)`, one sync clock per slot, `k % bound` for message k.
    slots: Vec<SyncClock>,
    /// Rendezvous: the receiver's clock for the sender of message k.
    replies: HashMap<u64, SyncClock>,
}

struct Message<T> {
    k: u64,
    value: T,
    /// The sender's clock at the send.
    clock: SyncClock,
}

impl<T> Shared<T> {
    fn new(bound: Option<usize>) -> Arc<Shared<T>> {
        Arc::new(Shared {
            bound,
            state: std::sync::Mutex::new(State {
                queue: VecDeque::new(),
                sent: 0,
                received: 0,
                senders: 1,
                receiver: true,
                waiting_receivers: 0,
                slots: (0..bound.unwrap_or(0))
                    .map(|_| SyncClock::default())
                    .collect(),
                replies: HashMap::new(),
            }),
            race: ObjectId::new(),
            senders_gone: ObjectId::new(),
            receiver_gone: ObjectId::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Enqueues `value` if there is room; `Err(Full)` if not, `Err(Disconnected)` if the
    /// receiver is gone. `handoff`: a rendezvous send needs a waiting receiver.
    fn try_enqueue(
        &self,
        state: &mut State<T>,
        value: T,
        handoff: bool,
    ) -> Result<u64, TrySendError<T>> {
        if !state.receiver {
            race::keyed::acquire(&self.receiver_gone);
            return Err(TrySendError::Disconnected(value));
        }
        let room = match self.bound {
            None => true,
            Some(0) => !handoff || state.waiting_receivers > state.queue.len(),
            Some(bound) => state.queue.len() < bound,
        };
        if !room {
            return Err(TrySendError::Full(value));
        }
        let k = state.sent;
        state.sent += 1;
        let mut clock = SyncClock::default();
        match self.bound {
            Some(bound) if bound > 0 => {
                // go: chan.go:220 racenotify(c, c.sendx, nil)
                state.slots[(k % bound as u64) as usize].release_acquire();
            }
            _ => clock.release(), // the send happens before its receive
        }
        state.queue.push_back(Message { k, value, clock });
        Ok(k)
    }

    #[track_caller]
    fn send(&self, value: T) -> Result<(), SendError<T>> {
        let mut value = Some(value);
        let k = block::block_on(&[&self.race], "chan send", Site::here(), None, || {
            let mut state = self.lock();
            match self.try_enqueue(&mut state, value.take().expect("one value"), false) {
                Ok(k) => Some(Ok(k)),
                Err(TrySendError::Disconnected(v)) => Some(Err(SendError(v))),
                Err(TrySendError::Full(v)) => {
                    value = Some(v);
                    None
                }
            }
        })
        .expect("a send has no deadline")?;
        block::progress(&self.race);
        if self.bound == Some(0) {
            self.await_receive(k)?;
        }
        Ok(())
    }

    /// A rendezvous sender waits for its message's receive, then acquires the receiver's
    /// clock (Go's `racesync`); if the receiver goes first, takes the message back.
    #[track_caller]
    fn await_receive(&self, k: u64) -> Result<(), SendError<T>> {
        block::block_on(&[&self.race], "chan send", Site::here(), None, || {
            let mut state = self.lock();
            if state.received > k {
                if let Some(reply) = state.replies.remove(&k) {
                    reply.acquire(); // the receive happens before this send returns
                }
                return Some(Ok(()));
            }
            if !state.receiver {
                let at = state.queue.iter().position(|m| m.k == k)?;
                let message = state.queue.remove(at).expect("found above");
                race::keyed::acquire(&self.receiver_gone);
                return Some(Err(SendError(message.value)));
            }
            None
        })
        .expect("a send has no deadline")
    }

    fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let sent = self.try_enqueue(&mut self.lock(), value, true);
        if sent.is_ok() {
            block::progress(&self.race);
        }
        sent.map(drop)
    }

    /// Dequeues the next message, or says why not.
    fn try_dequeue(&self, state: &mut State<T>) -> Result<T, TryRecvError> {
        let Some(message) = state.queue.pop_front() else {
            if state.senders == 0 {
                race::keyed::acquire(&self.senders_gone); // Go: chan.go:516 raceacquire
                return Err(TryRecvError::Disconnected);
            }
            return Err(TryRecvError::Empty);
        };
        state.received += 1;
        match self.bound {
            Some(bound) if bound > 0 => {
                // go: chan.go:541 racenotify(c, c.recvx, nil)
                state.slots[(message.k % bound as u64) as usize].release_acquire();
            }
            Some(_) => {
                message.clock.acquire(); // go: chan.go:811 racesync
                let mut reply = SyncClock::default();
                reply.release();
                state.replies.insert(message.k, reply);
            }
            None => message.clock.acquire(),
        }
        Ok(message.value)
    }

    #[track_caller]
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        /// Counts this receiver as waiting until it leaves (also when a deadlock verdict
        /// unwinds it out of the wait).
        struct Waiting<'a, T>(&'a Shared<T>);
        impl<T> Drop for Waiting<'_, T> {
            fn drop(&mut self) {
                self.0.lock().waiting_receivers -= 1;
            }
        }
        self.lock().waiting_receivers += 1;
        let waiting = Waiting(self);
        block::progress(&self.race); // a rendezvous try_send may now hand over
        let received = block::block_on(
            &[&self.race],
            "chan receive",
            Site::here(),
            deadline,
            || match self.try_dequeue(&mut self.lock()) {
                Ok(value) => Some(Ok(value)),
                Err(TryRecvError::Disconnected) => Some(Err(RecvTimeoutError::Disconnected)),
                Err(TryRecvError::Empty) => None,
            },
        );
        drop(waiting);
        match received {
            Some(Ok(value)) => {
                block::progress(&self.race);
                Ok(value)
            }
            Some(Err(e)) => Err(e),
            None => Err(RecvTimeoutError::Timeout),
        }
    }
}

impl<T> Sender<T> {
    /// std's [`Sender::send`](std::sync::mpsc::Sender::send): enqueues `t`; never blocks.
    ///
    /// # Errors
    ///
    /// [`SendError`] with `t` if the receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = gosync::sync::mpsc::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(1).unwrap_err().0, 1);
    /// ```
    #[track_caller]
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        self.shared.send(t)
    }
}

impl<T> SyncSender<T> {
    /// std's [`SyncSender::send`](std::sync::mpsc::SyncSender::send): waits for room
    /// (for the receive, with bound 0).
    ///
    /// # Errors
    ///
    /// [`SendError`] with `t` if the receiver is gone before `t` is received.
    ///
    /// ```
    /// let (tx, rx) = gosync::sync::mpsc::sync_channel(1);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.recv(), Ok(1));
    /// ```
    #[track_caller]
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        self.shared.send(t)
    }

    /// std's [`SyncSender::try_send`](std::sync::mpsc::SyncSender::try_send): never
    /// blocks; with bound 0, succeeds only if a receiver is waiting.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] with `t` if there is no room, [`TrySendError::Disconnected`]
    /// if the receiver is gone.
    ///
    /// ```
    /// use gosync::sync::mpsc::{sync_channel, TrySendError};
    ///
    /// let (tx, _rx) = sync_channel(0);
    /// assert_eq!(tx.try_send(1), Err(TrySendError::Full(1))); // nobody is receiving
    /// ```
    pub fn try_send(&self, t: T) -> Result<(), TrySendError<T>> {
        self.shared.try_send(t)
    }
}

impl<T> Receiver<T> {
    fn new(shared: Arc<Shared<T>>) -> Receiver<T> {
        Receiver {
            shared,
            _not_sync: PhantomData,
        }
    }

    /// std's [`Receiver::recv`](std::sync::mpsc::Receiver::recv): the next message,
    /// waiting for one while any sender is alive.
    ///
    /// # Errors
    ///
    /// [`RecvError`] once the channel is empty and every sender is gone.
    ///
    /// ```
    /// let (tx, rx) = gosync::sync::mpsc::channel();
    /// gosync::thread::spawn(move || tx.send(3).unwrap());
    /// assert_eq!(rx.recv(), Ok(3));
    /// assert!(rx.recv().is_err());
    /// ```
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        self.shared.recv(None).map_err(|_| RecvError)
    }

    /// std's [`Receiver::try_recv`](std::sync::mpsc::Receiver::try_recv): never blocks.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if no message is there, [`TryRecvError::Disconnected`] if
    /// none will come.
    ///
    /// ```
    /// use gosync::sync::mpsc::{channel, TryRecvError};
    ///
    /// let (tx, rx) = channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let received = self.shared.try_dequeue(&mut self.shared.lock());
        if received.is_ok() {
            block::progress(&self.shared.race);
        }
        received
    }

    /// std's [`Receiver::recv_timeout`](std::sync::mpsc::Receiver::recv_timeout).
    ///
    /// # Errors
    ///
    /// [`RecvTimeoutError::Timeout`] if nothing came in time,
    /// [`RecvTimeoutError::Disconnected`] if nothing will.
    ///
    /// ```
    /// use gosync::sync::mpsc::{channel, RecvTimeoutError};
    /// use std::time::Duration;
    ///
    /// let (_tx, rx) = channel::<u8>();
    /// assert_eq!(rx.recv_timeout(Duration::from_millis(1)), Err(RecvTimeoutError::Timeout));
    /// ```
    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.shared.recv(Instant::now().checked_add(timeout))
    }

    /// std's [`Receiver::iter`](std::sync::mpsc::Receiver::iter).
    ///
    /// ```
    /// let (tx, rx) = gosync::sync::mpsc::channel();
    /// tx.send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.iter().sum::<i32>(), 1);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rx: self }
    }

    /// std's [`Receiver::try_iter`](std::sync::mpsc::Receiver::try_iter).
    ///
    /// ```
    /// let (_tx, rx) = gosync::sync::mpsc::channel::<u8>();
    /// assert_eq!(rx.try_iter().next(), None);
    /// ```
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { rx: self }
    }
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.recv().ok()
    }
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.recv().ok()
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter { rx: self }
    }
}

/// A sender's clone and drop, shared by [`Sender`] and [`SyncSender`].
fn add_sender<T>(shared: &Arc<Shared<T>>) -> Arc<Shared<T>> {
    shared.lock().senders += 1;
    shared.clone()
}

fn drop_sender<T>(shared: &Shared<T>) {
    // Go's close(c) once the last sender is gone: everything each sender did happens
    // before the receive that reports the disconnection.
    race::keyed::release_merge(&shared.senders_gone);
    shared.lock().senders -= 1;
    block::progress(&shared.race);
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            shared: add_sender(&self.shared),
        }
    }
}

impl<T> Clone for SyncSender<T> {
    fn clone(&self) -> Self {
        SyncSender {
            shared: add_sender(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        drop_sender(&self.shared);
    }
}

impl<T> Drop for SyncSender<T> {
    fn drop(&mut self) {
        drop_sender(&self.shared);
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        race::keyed::release(&self.shared.receiver_gone);
        self.shared.lock().receiver = false;
        block::progress(&self.shared.race);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for SyncSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncSender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
