//! [`chan`]: a small Go-style channel whose happens-before edges follow the Go memory
//! model message by message, so the race checker sees what `go test -race` sees.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, PoisonError};

use crate::primitive::sync::{Condvar, Mutex, MutexGuard};
use crate::race::{self, ObjectId, SyncClock};

/// Go's text for a send on, or a close of, a closed channel.
const SEND_ON_CLOSED: &str = "send on closed channel";
const CLOSE_OF_CLOSED: &str = "close of closed channel";

/// Go's `make(chan T, cap)`: a channel with room for `cap` messages; `cap == 0` is a
/// rendezvous, where each send waits for its receiver.
///
/// The Go memory model's edges, which the race checker sees message by message:
/// - the k-th send happens before the k-th receive completes;
/// - unbuffered: the k-th receive happens before the k-th send completes;
/// - capacity C: the k-th receive happens before the (k+C)-th send completes;
/// - a close happens before a receive that returns `None` because of it.
///
/// As in Go, dropping every sender does not close the channel; call
/// [`close`](Sender::close). A receive on an open, empty channel waits for ever.
///
/// ```
/// let (tx, rx) = gosync::chan::<u32>(0);
/// let worker = gosync::go(move || {
///     tx.send(1);
///     tx.send(2);
///     tx.close();
/// });
/// assert_eq!(rx.recv(), Some(1));
/// assert_eq!(rx.recv(), Some(2));
/// assert_eq!(rx.recv(), None); // closed and drained
/// worker.join().unwrap();
/// ```
pub fn chan<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Chan {
        cap,
        state: Mutex::new(State {
            queue: VecDeque::new(),
            sent: 0,
            received: 0,
            closed: false,
            slots: (0..cap).map(|_| SyncClock::default()).collect(),
            replies: HashMap::new(),
            close: SyncClock::default(),
        }),
        changed: Condvar::new(),
        race: ObjectId::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// The sending half of a [`chan`]; clone it for more senders.
///
/// ```
/// let (tx, rx) = gosync::chan(2);
/// let tx2 = tx.clone();
/// tx.send("a");
/// tx2.send("b");
/// assert_eq!((rx.recv(), rx.recv()), (Some("a"), Some("b")));
/// ```
pub struct Sender<T> {
    shared: Arc<Chan<T>>,
}

/// The receiving half of a [`chan`]; clone it for more receivers.
///
/// ```
/// let (tx, rx) = gosync::chan(1);
/// tx.send(7);
/// assert_eq!(rx.clone().recv(), Some(7));
/// ```
pub struct Receiver<T> {
    shared: Arc<Chan<T>>,
}

struct Chan<T> {
    cap: usize,
    state: Mutex<State<T>>,
    /// Signalled on every change of `state`; waiters re-check their condition.
    changed: Condvar,
    /// The channel's race identity: Go's `c.raceaddr()`, read by sends, written by close.
    race: ObjectId,
}

struct State<T> {
    /// Buffered messages, then (unbuffered) messages whose senders wait for a receiver.
    queue: VecDeque<Message<T>>,
    /// Messages enqueued so far: the next one is number `sent`.
    sent: u64,
    /// Messages dequeued so far: message k is received once `received > k`.
    received: u64,
    closed: bool,
    /// Buffered: Go's `chanbuf(c, i)`, one sync clock per slot, `k % cap` for message k.
    slots: Vec<SyncClock>,
    /// Unbuffered, with the race checker: the receiver's clock for sender k.
    replies: HashMap<u64, SyncClock>,
    /// Released by close, acquired by the receives it ends (Go: `c.raceaddr()`).
    close: SyncClock,
}

struct Message<T> {
    value: T,
    /// Unbuffered: the sender's clock at the send.
    clock: SyncClock,
}

impl<T> Chan<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State<T>>) -> MutexGuard<'a, State<T>> {
        self.changed
            .wait(state)
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Sender<T> {
    /// Go's `c <- value`: blocks until there is room (capacity > 0) or until a receiver
    /// takes the value (capacity 0).
    ///
    /// # Panics
    ///
    /// With Go's `send on closed channel` if the channel is closed before the value is
    /// delivered.
    ///
    /// ```
    /// let (tx, rx) = gosync::chan(1);
    /// tx.send(1);
    /// assert_eq!(rx.recv(), Some(1));
    /// ```
    #[track_caller]
    pub fn send(&self, value: T) {
        let chan = &*self.shared;
        race::keyed::read(&chan.race); // go: chan.go:174 racereadpc(c.raceaddr())
        let mut state = chan.lock();
        while !state.closed && chan.cap > 0 && state.queue.len() >= chan.cap {
            state = chan.wait(state);
        }
        if state.closed {
            drop(state);
            std::panic::panic_any(SEND_ON_CLOSED);
        }
        let k = state.sent;
        state.sent += 1;
        let mut clock = SyncClock::default();
        if chan.cap > 0 {
            let slot = (k % chan.cap as u64) as usize;
            state.slots[slot].release_acquire(); // go: chan.go:220 racenotify
        } else {
            clock.release(); // go: chan.go:811 racesync, the sender's half
        }
        state.queue.push_back(Message { value, clock });
        chan.changed.notify_all();
        if chan.cap == 0 {
            while state.received <= k && !state.closed {
                state = chan.wait(state);
            }
            if state.received <= k {
                // Closed while this sender waited: Go panics the blocked sender.
                drop(state);
                std::panic::panic_any(SEND_ON_CLOSED);
            }
            if race::ENABLED {
                if let Some(reply) = state.replies.remove(&k) {
                    reply.acquire(); // the receive happens before this send completes
                }
            }
        }
    }

    /// Go's `close(c)`: receivers drain what is buffered, then get `None`.
    ///
    /// # Panics
    ///
    /// With Go's `close of closed channel` on a second close. Senders blocked on the
    /// channel panic with `send on closed channel`, as in Go.
    ///
    /// ```
    /// let (tx, rx) = gosync::chan(1);
    /// tx.send(5);
    /// tx.close();
    /// assert_eq!(rx.recv(), Some(5));
    /// assert_eq!(rx.recv(), None);
    /// ```
    #[track_caller]
    pub fn close(&self) {
        let chan = &*self.shared;
        let mut state = chan.lock();
        if state.closed {
            drop(state);
            std::panic::panic_any(CLOSE_OF_CLOSED);
        }
        race::keyed::write(&chan.race); // go: chan.go:370 racewritepc(c.raceaddr())
        state.close.release(); // go: chan.go:371 racerelease(c.raceaddr())
        state.closed = true;
        if chan.cap == 0 {
            // Values of blocked senders are never delivered: those senders panic.
            let received = state.received;
            state.queue.clear();
            state.sent = received;
        }
        chan.changed.notify_all();
    }
}

impl<T> Receiver<T> {
    /// Go's `v, ok := <-c`: the next value, or `None` once the channel is closed and
    /// drained. Blocks while the channel is open and empty.
    ///
    /// ```
    /// let (tx, rx) = gosync::chan::<i32>(0);
    /// gosync::go(move || tx.close());
    /// assert_eq!(rx.recv(), None);
    /// ```
    pub fn recv(&self) -> Option<T> {
        let chan = &*self.shared;
        let mut state = chan.lock();
        loop {
            if let Some(message) = state.queue.pop_front() {
                let k = state.received;
                state.received += 1;
                if chan.cap > 0 {
                    let slot = (k % chan.cap as u64) as usize;
                    state.slots[slot].release_acquire(); // go: chan.go:541 racenotify
                } else {
                    message.clock.acquire(); // go: chan.go:811 racesync
                    if race::ENABLED {
                        let mut reply = SyncClock::default();
                        reply.release();
                        state.replies.insert(k, reply);
                    }
                }
                chan.changed.notify_all();
                return Some(message.value);
            }
            if state.closed {
                state.close.acquire(); // go: chan.go:516 raceacquire(c.raceaddr())
                return None;
            }
            state = chan.wait(state);
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        Receiver {
            shared: self.shared.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("cap", &self.shared.cap)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("cap", &self.shared.cap)
            .finish_non_exhaustive()
    }
}
