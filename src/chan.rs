//! [`chan`]: Go's channel, whose happens-before edges follow the Go memory model message
//! by message (as Go's `runtime/chan.go` annotates them), so the race checker sees what
//! `go test -race` sees. [`select!`](crate::select) waits on several at once.
//!
//! Every blocking operation is a selection over its cases, in crossbeam-channel's shape
//! (`src/select.rs`): try each case; if none is ready, register on every one with a
//! selection context, block once, and complete the one case a peer selected (or, woken
//! by a change of a buffered channel or a close, withdraw and try again). An unbuffered
//! channel keeps its registered senders and receivers in queues (Go's `sendq`/`recvq`):
//! an operation that finds one claims its context and hands the value over directly,
//! as Go's `send`/`recv` hand it to a sleeping `sudog`. A buffered channel needs no
//! queue: its waiters retry when woken.
//!
//! Why not wrap crossbeam-channel? Its channels have no close that keeps receivers
//! draining (Go's `close`), no "send on closed channel" panic, and no hook where the race
//! checker can see each message's edge or where `check` can see a goroutine asleep.

use std::collections::VecDeque;
use std::fmt;
use std::panic::Location;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
use crate::primitive::sync::{Mutex, MutexGuard};
use crate::race::{self, ObjectId, SyncClock};
use crate::select::{self as sel, Mode};

pub(crate) mod wait;

use wait::WaitKey;

/// Go's text for a send on, or a close of, a closed channel (`runtime/chan.go`).
pub(crate) const SEND_ON_CLOSED: &str = "send on closed channel";
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
/// [`close`](Sender::close). A receive on an open, empty channel waits for ever (with the
/// `race` feature, inside [`race::check`](crate::race::check), a wait nobody can end is
/// reported as Go's deadlock instead).
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
            buf: VecDeque::with_capacity(cap.min(1024)),
            sent: 0,
            received: 0,
            closed: false,
            recvq: VecDeque::new(),
            sendq: VecDeque::new(),
            raceaddr: SyncClock::default(),
            slots: if race::ENABLED && std::mem::size_of::<T>() != 0 {
                (0..cap).map(|_| SyncClock::default()).collect()
            } else {
                Vec::new()
            },
        }),
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
    pub(crate) shared: Arc<Chan<T>>,
}

/// The receiving half of a [`chan`]; clone it for more receivers. It is an iterator over
/// the values until the channel is closed and drained (Go's `for v := range c`).
///
/// ```
/// let (tx, rx) = gosync::chan(1);
/// tx.send(7);
/// assert_eq!(rx.clone().recv(), Some(7));
/// ```
pub struct Receiver<T> {
    pub(crate) shared: Arc<Chan<T>>,
}

/// A channel: Go's `hchan`.
pub(crate) struct Chan<T> {
    cap: usize,
    state: Mutex<State<T>>,
    /// The channel's race identity: Go's `c.raceaddr()`, read by sends, written by close.
    race: ObjectId,
}

struct State<T> {
    /// Buffered messages (capacity > 0 only).
    buf: VecDeque<T>,
    /// Messages buffered so far: the next one goes to slot `sent % cap` (Go's `sendx`).
    sent: u64,
    /// Messages taken from the buffer so far (Go's `recvx`).
    received: u64,
    closed: bool,
    /// Unbuffered: receivers registered by blocked operations (Go's `recvq`).
    recvq: VecDeque<Entry<T>>,
    /// Unbuffered: senders registered by blocked operations, with their values (Go's
    /// `sendq`).
    sendq: VecDeque<Entry<T>>,
    /// The sync object at Go's `c.raceaddr()`: released by close, acquired by the
    /// receives it ends; for an unbuffered channel, or a zero-sized `T`, also Go's
    /// `chanbuf(c, i)` (Go's `makechan` points `c.buf` there), so every exchange goes
    /// through it.
    raceaddr: SyncClock,
    /// Buffered, with the race checker and a `T` of non-zero size: Go's `chanbuf(c, i)`,
    /// one sync object per slot.
    slots: Vec<SyncClock>,
}

/// A blocked operation's registration on an unbuffered channel.
struct Entry<T> {
    ctx: Arc<sel::Context>,
    /// Which case of its selection this is.
    case: usize,
    packet: Arc<Packet<T>>,
}

/// Where a registered operation and the peer that selects it exchange a value and the
/// race checker's clocks (Go's `sudog.elem`, and the goroutine whose clock `racesync`
/// updates on its behalf).
pub(crate) struct Packet<T> {
    inner: Mutex<PacketInner<T>>,
}

struct PacketInner<T> {
    /// A registered sender's value, or the value a sender hands a registered receiver.
    value: Option<T>,
    /// The registered goroutine's clock when it registered; after the exchange, what it
    /// learns when it wakes (Go's `raceacquireg(sg.g, ...)`).
    clock: SyncClock,
}

impl<T> Packet<T> {
    /// A packet holding `value`, with the registering goroutine's clock released into it.
    fn new(value: Option<T>) -> Arc<Packet<T>> {
        let mut clock = SyncClock::default();
        clock.release();
        Arc::new(Packet {
            inner: Mutex::new(PacketInner { value, clock }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, PacketInner<T>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The registered goroutine, selected by a peer: takes what the peer left (a value
    /// for a receiver, nothing for a sender) and acquires the exchange's clock.
    pub(crate) fn complete(&self) -> Option<T> {
        let mut inner = self.lock();
        inner.clock.acquire(); // go: chan.go:813 raceacquireg(sg.g, ...), seen on waking
        inner.value.take()
    }

    /// Takes back a registered sender's value that no peer took.
    pub(crate) fn take_back(&self) -> Option<T> {
        self.lock().value.take()
    }
}

/// What an attempt to receive found.
pub(crate) enum Received<T> {
    Value(T),
    Closed,
    Empty,
}

/// What an attempt to send found; the value comes back when it was not sent.
pub(crate) enum Sent<T> {
    Done,
    Closed(T),
    Full(T),
}

impl<T> Chan<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// This channel's key in the scheduler: its address.
    pub(crate) fn key(&self) -> WaitKey {
        self as *const Chan<T> as WaitKey
    }

    /// Go's `racereadpc(c.raceaddr())` of a send, at the user's call.
    pub(crate) fn race_read_at(&self, at: &'static Location<'static>) {
        race::keyed::read_at(&self.race, at);
    }

    /// What a sender woken by the close acquires: the close's release.
    pub(crate) fn acquire_close(&self) {
        self.lock().raceaddr.acquire();
    }

    /// Go's `racenotify(c, idx, nil)`: the buffer slot of message `k`.
    fn notify(state: &mut State<T>, cap: usize, k: u64) {
        if !race::ENABLED {
            return;
        }
        if state.slots.is_empty() {
            // A zero-sized `T`: one sync object for every slot (chan.go:836-840).
            state.raceaddr.acquire();
            state.raceaddr.release();
        } else {
            state.slots[(k % cap as u64) as usize].release_acquire(); // chan.go:846
        }
    }

    /// Go's `racesync(c, sg)` with the registered peer's packet: the exchange of an
    /// unbuffered send and receive, both ways.
    fn racesync(state: &mut State<T>, peer: &mut PacketInner<T>) {
        if !race::ENABLED {
            return;
        }
        let x = &mut state.raceaddr; // chanbuf(c, 0) == c.raceaddr() when unbuffered
        x.release(); // go: chan.go:812 racerelease(chanbuf(c, 0))
        x.join_from(&peer.clock); // go: chan.go:813-814 raceacquireg, racereleaseg(sg.g)
        peer.clock.copy_from(x); // what sg.g acquired, handed over for its wake-up
        x.acquire(); // go: chan.go:815 raceacquire(chanbuf(c, 0))
    }

    /// Claims the first registered entry of `queue` that no one selected yet, skipping
    /// (and dropping) entries whose selections ended.
    fn claim(queue: &mut VecDeque<Entry<T>>) -> Option<Entry<T>> {
        while let Some(entry) = queue.pop_front() {
            if entry.ctx.try_select(entry.case) {
                return Some(entry);
            }
        }
        None
    }

    /// Go's `chanrecv` with `block == false` (and `selectgo`'s receive cases): takes a
    /// value if one is there, or reports the close.
    pub(crate) fn try_recv(&self) -> Received<T> {
        let mut state = self.lock();
        let mut wake = None;
        let got = if self.cap == 0 {
            if state.closed {
                None
            } else if let Some(entry) = Self::claim(&mut state.sendq) {
                // go: chan.go:514 "Found a waiting sender": take its value directly.
                let mut packet = entry.packet.lock();
                let value = packet.value.take();
                Self::racesync(&mut state, &mut packet);
                drop(packet);
                wake = Some(entry.ctx.key());
                value
            } else {
                return Received::Empty;
            }
        } else if let Some(value) = state.buf.pop_front() {
            // go: chan.go:538 "Receive directly from queue".
            let k = state.received;
            state.received += 1;
            Self::notify(&mut state, self.cap, k); // go: chan.go:541
            wake = Some(self.key()); // a sender waiting for room
            Some(value)
        } else if state.closed {
            None
        } else {
            return Received::Empty;
        };
        let got = match got {
            Some(value) => Received::Value(value),
            None => {
                state.raceaddr.acquire(); // go: chan.go:516 raceacquire(c.raceaddr())
                Received::Closed
            }
        };
        drop(state);
        if let Some(key) = wake {
            wait::progress(key);
        }
        got
    }

    /// Go's `chansend` with `block == false` (and `selectgo`'s send cases), without its
    /// panic: a closed channel hands the value back.
    pub(crate) fn try_send(&self, value: T) -> Sent<T> {
        let mut state = self.lock();
        if state.closed {
            return Sent::Closed(value); // go: chan.go:206 (the caller panics)
        }
        let wake = if self.cap == 0 {
            let Some(entry) = Self::claim(&mut state.recvq) else {
                return Sent::Full(value);
            };
            // go: chan.go:209 "Found a waiting receiver": hand the value over directly.
            let mut packet = entry.packet.lock();
            packet.value = Some(value);
            Self::racesync(&mut state, &mut packet); // go: chan.go:297
            drop(packet);
            entry.ctx.key()
        } else if state.buf.len() < self.cap {
            // go: chan.go:216 "Space is available in the channel buffer".
            let k = state.sent;
            state.sent += 1;
            Self::notify(&mut state, self.cap, k); // go: chan.go:220
            state.buf.push_back(value);
            self.key() // a receiver waiting for a value
        } else {
            return Sent::Full(value);
        };
        drop(state);
        wait::progress(wake);
        Sent::Done
    }

    /// Registers a blocked receive (case `case` of `ctx`); `None` for a buffered channel,
    /// whose waiters just retry.
    pub(crate) fn register_recv(
        &self,
        ctx: &Arc<sel::Context>,
        case: usize,
    ) -> Option<Arc<Packet<T>>> {
        (self.cap == 0).then(|| {
            let packet = Packet::new(None);
            self.lock().recvq.push_back(Entry {
                ctx: ctx.clone(),
                case,
                packet: packet.clone(),
            });
            packet
        })
    }

    /// Registers a blocked send of `value`; a buffered channel hands the value back.
    pub(crate) fn register_send(
        &self,
        ctx: &Arc<sel::Context>,
        case: usize,
        value: T,
    ) -> Result<Arc<Packet<T>>, T> {
        if self.cap != 0 {
            return Err(value);
        }
        let packet = Packet::new(Some(value));
        self.lock().sendq.push_back(Entry {
            ctx: ctx.clone(),
            case,
            packet: packet.clone(),
        });
        Ok(packet)
    }

    /// Takes `ctx`'s registrations off this channel.
    pub(crate) fn unregister(&self, ctx: &sel::Context) {
        if self.cap == 0 {
            let mut state = self.lock();
            let mine = |entry: &Entry<T>| std::ptr::eq(&*entry.ctx, ctx);
            state.recvq.retain(|entry| !mine(entry));
            state.sendq.retain(|entry| !mine(entry));
        }
    }

    /// Whether a receive, tried now, would not find the channel empty (`ctx`'s own
    /// registrations do not count).
    pub(crate) fn recv_ready(&self, ctx: &sel::Context) -> bool {
        let state = self.lock();
        state.closed
            || !state.buf.is_empty()
            || state.sendq.iter().any(|entry| entry.ready_for(ctx))
    }

    /// Whether a send, tried now, would not find the channel full.
    pub(crate) fn send_ready(&self, ctx: &sel::Context) -> bool {
        let state = self.lock();
        state.closed
            || (self.cap > 0 && state.buf.len() < self.cap)
            || state.recvq.iter().any(|entry| entry.ready_for(ctx))
    }
}

impl<T> Entry<T> {
    /// A peer's registration that `ctx` could complete.
    fn ready_for(&self, ctx: &sel::Context) -> bool {
        !std::ptr::eq(&*self.ctx, ctx) && self.ctx.is_waiting()
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
        let at = Location::caller();
        self.shared.race_read_at(at); // go: chan.go:174 racereadpc(c.raceaddr())
        let mut case = sel::SendCase::plain(self, value);
        sel::run(&mut [&mut case], Mode::Block, at);
    }

    /// Go's `select { case c <- value: default: }`, without Go's panic: sends if a
    /// receiver is waiting (capacity 0) or there is room, else hands the value back.
    ///
    /// ```
    /// use gosync::TrySendError;
    ///
    /// let (tx, rx) = gosync::chan(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// tx.close();
    /// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    /// assert_eq!((rx.recv(), rx.recv()), (Some(1), None));
    /// ```
    #[track_caller]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.shared.race_read_at(Location::caller());
        match self.shared.try_send(value) {
            Sent::Done => Ok(()),
            Sent::Full(value) => Err(TrySendError::Full(value)),
            Sent::Closed(value) => Err(TrySendError::Closed(value)),
        }
    }

    /// [`send`](Self::send) for at most `timeout`, without Go's panic: the value comes
    /// back if it was not delivered in time, or if the channel is closed.
    ///
    /// ```
    /// use gosync::SendTimeoutError;
    /// use std::time::Duration;
    ///
    /// let (tx, _rx) = gosync::chan(0); // nobody receives
    /// assert_eq!(
    ///     tx.send_timeout(5, Duration::from_millis(1)),
    ///     Err(SendTimeoutError::Timeout(5))
    /// );
    /// ```
    #[track_caller]
    pub fn send_timeout(&self, value: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        let at = Location::caller();
        self.shared.race_read_at(at);
        let deadline = Instant::now().checked_add(timeout);
        let mut case = sel::SendCase::fallible(self, value);
        let mode = deadline.map_or(Mode::Block, Mode::Until);
        sel::run(&mut [&mut case], mode, at);
        match case.outcome() {
            Some(Ok(())) => Ok(()),
            Some(Err(value)) => Err(SendTimeoutError::Closed(value)),
            None => Err(SendTimeoutError::Timeout(case.into_value())),
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
            std::panic::panic_any(CLOSE_OF_CLOSED); // go: chan.go:365
        }
        race::keyed::write(&chan.race); // go: chan.go:370 racewritepc(c.raceaddr())
        state.raceaddr.release(); // go: chan.go:371 racerelease(c.raceaddr())
        state.closed = true;
        drop(state);
        // go: chan.go:376-412 release all readers and writers: they try again, and find
        // the channel closed.
        wait::progress(chan.key());
    }

    /// Go's `len(c)`: the number of messages buffered now.
    ///
    /// ```
    /// let (tx, _rx) = gosync::chan(3);
    /// tx.send(1);
    /// assert_eq!(tx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.lock().buf.len()
    }

    /// Whether no message is buffered now (`len() == 0`).
    ///
    /// ```
    /// let (tx, _rx) = gosync::chan::<u8>(3);
    /// assert!(tx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Go's `cap(c)`: the buffer's capacity (0 for a rendezvous channel).
    ///
    /// ```
    /// let (tx, _rx) = gosync::chan::<u8>(3);
    /// assert_eq!(tx.cap(), 3);
    /// ```
    pub fn cap(&self) -> usize {
        self.shared.cap
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
    #[track_caller]
    pub fn recv(&self) -> Option<T> {
        let mut case = sel::RecvCase::new(self);
        sel::run(&mut [&mut case], Mode::Block, Location::caller());
        case.take().expect("a blocking receive completes")
    }

    /// Go's `select { case v, ok := <-c: default: }`: the next value if one is there now.
    ///
    /// ```
    /// use gosync::TryRecvError;
    ///
    /// let (tx, rx) = gosync::chan(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1);
    /// tx.close();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.shared.try_recv() {
            Received::Value(value) => Ok(value),
            Received::Closed => Err(TryRecvError::Closed),
            Received::Empty => Err(TryRecvError::Empty),
        }
    }

    /// [`recv`](Self::recv) for at most `timeout` (Go's `select` with a `time.After`
    /// case).
    ///
    /// ```
    /// use gosync::RecvTimeoutError;
    /// use std::time::Duration;
    ///
    /// let (_tx, rx) = gosync::chan::<u8>(0);
    /// assert_eq!(rx.recv_timeout(Duration::from_millis(1)), Err(RecvTimeoutError::Timeout));
    /// ```
    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        let mut case = sel::RecvCase::new(self);
        let mode = Instant::now()
            .checked_add(timeout)
            .map_or(Mode::Block, Mode::Until);
        sel::run(&mut [&mut case], mode, Location::caller());
        match case.take() {
            Some(Some(value)) => Ok(value),
            Some(None) => Err(RecvTimeoutError::Closed),
            None => Err(RecvTimeoutError::Timeout),
        }
    }

    /// An iterator that receives until the channel is closed and drained (Go's
    /// `for v := range c`).
    ///
    /// ```
    /// let (tx, rx) = gosync::chan(3);
    /// (1..=3).for_each(|v| tx.send(v));
    /// tx.close();
    /// assert_eq!(rx.iter().sum::<i32>(), 6);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rx: self }
    }

    /// Go's `len(c)`: the number of messages buffered now.
    ///
    /// ```
    /// let (tx, rx) = gosync::chan(3);
    /// tx.send(1);
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.lock().buf.len()
    }

    /// Whether no message is buffered now (`len() == 0`).
    ///
    /// ```
    /// let (_tx, rx) = gosync::chan::<u8>(3);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Go's `cap(c)`: the buffer's capacity (0 for a rendezvous channel).
    ///
    /// ```
    /// let (_tx, rx) = gosync::chan::<u8>(0);
    /// assert_eq!(rx.cap(), 0);
    /// ```
    pub fn cap(&self) -> usize {
        self.shared.cap
    }
}

/// Go's `for v := range c` over a borrowed [`Receiver`]: see [`Receiver::iter`].
#[derive(Debug)]
pub struct Iter<'a, T> {
    rx: &'a Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;

    #[track_caller]
    fn next(&mut self) -> Option<T> {
        self.rx.recv()
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    /// ```
    /// let (tx, rx) = gosync::chan(2);
    /// tx.send('a');
    /// tx.close();
    /// for v in &rx {
    ///     assert_eq!(v, 'a');
    /// }
    /// ```
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// A `Receiver` is itself an iterator: `for v in rx` is Go's `for v := range c`.
///
/// ```
/// let (tx, rx) = gosync::chan(0);
/// gosync::go(move || {
///     (0..3).for_each(|v| tx.send(v));
///     tx.close();
/// });
/// assert_eq!(rx.collect::<Vec<_>>(), [0, 1, 2]);
/// ```
impl<T> Iterator for Receiver<T> {
    type Item = T;

    #[track_caller]
    fn next(&mut self) -> Option<T> {
        self.recv()
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
