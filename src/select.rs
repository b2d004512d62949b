//! [`select!`](crate::select): Go's `select` over [`chan`](crate::chan)s, in
//! crossbeam-channel's syntax, and the selection machinery every blocking channel
//! operation shares (a plain `recv` is a `select` of one case, as Go's compiler makes it).
//!
//! The shape is crossbeam-channel's (`select.rs`, `context.rs`), with Go's choice:
//! 1. Try every case, in a fresh random order (Go's `pollorder`), so the case chosen is
//!    uniform among the ready ones; the first ready one completes.
//! 2. None ready: `default` runs, or the operation registers on every case with one
//!    [`Context`] and blocks once (in the race build, where `check` sees it asleep).
//! 3. A peer that finds a registration on an unbuffered channel claims the context for
//!    that case (a compare-and-swap: exactly one case ever completes) and hands the value
//!    over; woken, the operation unregisters the other cases and completes that one. A
//!    buffered channel that changes, or a close, only wakes it: it withdraws its context
//!    (the same compare-and-swap, so a peer cannot claim it meanwhile) and tries again.
//!
//! The macro's expansion calls the `#[doc(hidden)]` items here; they are not API.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe, Location};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::chan::{wait, Chan, Packet, Received, Receiver, Sender, Sent, SEND_ON_CLOSED};
use crate::primitive::sync::atomic::{AtomicU64, Ordering::SeqCst};

/// A context nobody has selected yet.
pub(crate) const WAITING: u64 = 0;
/// The owner withdrew its context (woken by a change, or timed out).
const ABORTED: u64 = 1;
/// Selections from here on name case `selection - FIRST_CASE`.
const FIRST_CASE: u64 = 2;

/// The selection of one blocked operation (crossbeam's `Context`): whether a peer has
/// completed one of its cases, and which.
#[doc(hidden)]
pub struct Context {
    selected: AtomicU64,
}

impl Context {
    fn new() -> Arc<Context> {
        Arc::new(Context {
            selected: AtomicU64::new(WAITING),
        })
    }

    /// A peer claims case `case`; `false` if the context was already selected.
    pub(crate) fn try_select(&self, case: usize) -> bool {
        self.claim(FIRST_CASE + case as u64).is_ok()
    }

    /// The owner withdraws: [`ABORTED`], or the case a peer selected first.
    fn abort(&self) -> u64 {
        self.claim(ABORTED)
            .map_or_else(|winner| winner, |()| ABORTED)
    }

    fn claim(&self, selection: u64) -> Result<(), u64> {
        // ORDERING: SeqCst. The one successful claim is the context's only change; the
        // loser and the owner read it. The value exchanged is published by the packet's
        // lock, and the owner's wake-up by the scheduler's lock.
        self.selected
            .compare_exchange(WAITING, selection, SeqCst, SeqCst)
            .map(drop)
    }

    fn selected(&self) -> u64 {
        // ORDERING: SeqCst, pairs with the compare-and-swap in `claim`.
        self.selected.load(SeqCst)
    }

    /// Whether a peer could still select this context.
    pub(crate) fn is_waiting(&self) -> bool {
        self.selected() == WAITING
    }

    /// The key its owner blocks on, to be woken when a peer selects it.
    pub(crate) fn key(&self) -> wait::WaitKey {
        self as *const Context as wait::WaitKey
    }
}

/// How long a selection may wait.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// No `default`: until a case completes.
    Block,
    /// `default`: not at all.
    Now,
    /// `default(timeout)`: until this instant.
    Until(Instant),
}

impl Mode {
    /// `default(timeout)`; a time-out too large for an `Instant` waits for ever.
    pub fn after(timeout: Duration) -> Mode {
        Instant::now()
            .checked_add(timeout)
            .map_or(Mode::Block, Mode::Until)
    }
}

/// One case of a selection, type-erased for [`run`].
#[doc(hidden)]
pub trait Case {
    /// Completes the case if it is ready now.
    fn try_now(&mut self, at: &'static Location<'static>) -> bool;
    /// Registers the case as `index` of `ctx`; returns the channel's key.
    fn register(&mut self, ctx: &Arc<Context>, index: usize) -> wait::WaitKey;
    /// Whether [`try_now`](Self::try_now) could complete it (peers' registrations only).
    fn ready(&self, ctx: &Context) -> bool;
    /// Takes its registration back (and a value no peer took).
    fn unregister(&mut self, ctx: &Context);
    /// A peer selected this case and completed the exchange: finish it.
    fn complete(&mut self, at: &'static Location<'static>);
    /// Go's wait reason when this is the only case.
    fn reason(&self) -> &'static str;
}

/// Runs a selection: completes exactly one case, or returns `false` when `mode` gave up
/// (`default` runs then). See the module docs.
#[doc(hidden)]
pub fn run(cases: &mut [&mut dyn Case], mode: Mode, at: &'static Location<'static>) -> bool {
    let deadline = match mode {
        Mode::Block | Mode::Now => None,
        Mode::Until(deadline) => Some(deadline),
    };
    let mut order: Vec<usize> = Vec::new();
    loop {
        // 1. Poll every case in a random order (Go's `selectgo` pass 1).
        if cases.len() == 1 {
            if cases[0].try_now(at) {
                return true;
            }
        } else {
            order.clear();
            order.extend(0..cases.len());
            shuffle(&mut order);
            for &i in &order {
                if cases[i].try_now(at) {
                    return true;
                }
            }
        }
        if matches!(mode, Mode::Now) || deadline.is_some_and(|d| Instant::now() >= d) {
            return false;
        }
        // 2. Enqueue on all channels (pass 2), and sleep once.
        let ctx = Context::new();
        let mut keys = Vec::with_capacity(cases.len() + 1);
        keys.push(ctx.key());
        for (index, case) in cases.iter_mut().enumerate() {
            keys.push(case.register(&ctx, index));
        }
        let reason = match cases {
            [] => "select (no cases)",
            [only] => only.reason(),
            _ => "select",
        };
        let woken = catch_unwind(AssertUnwindSafe(|| {
            wait::block_on(&keys, reason, at, deadline, || match ctx.selected() {
                WAITING if cases.iter().any(|case| case.ready(&ctx)) => Some(ctx.abort()),
                WAITING => None,
                selected => Some(selected),
            })
        }));
        let (selection, timed_out) = match woken {
            Ok(Some(selection)) => (selection, false),
            Ok(None) => (ctx.abort(), true), // unless a peer selected us first
            Err(payload) => {
                // Released by `check` (every goroutine asleep): leave no registration.
                ctx.abort();
                cases.iter_mut().for_each(|case| case.unregister(&ctx));
                resume_unwind(payload)
            }
        };
        // 3. Dequeue from the unsuccessful channels (pass 3).
        for case in cases.iter_mut() {
            case.unregister(&ctx);
        }
        if selection >= FIRST_CASE {
            cases[(selection - FIRST_CASE) as usize].complete(at);
            return true;
        }
        if timed_out {
            return false;
        }
    }
}

/// Fisher-Yates with a per-thread xorshift generator (Go's `fastrandn`). Under the model
/// checkers the order is fixed, as their schedules must be reproducible.
fn shuffle(order: &mut [usize]) {
    #[cfg(not(any(gosync_loom, gosync_shuttle)))]
    {
        use std::cell::Cell;
        use std::hash::{BuildHasher, Hasher};
        thread_local! {
            static STATE: Cell<u64> = Cell::new(
                std::collections::hash_map::RandomState::new().build_hasher().finish() | 1,
            );
        }
        STATE.with(|state| {
            for i in (1..order.len()).rev() {
                let mut x = state.get();
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                state.set(x);
                order.swap(i, (x % (i as u64 + 1)) as usize);
            }
        });
    }
    #[cfg(any(gosync_loom, gosync_shuttle))]
    let _ = order;
}

/// What `recv(...)` and `send(...)` accept: a channel half, or a reference to one.
#[doc(hidden)]
pub trait ChanRef {
    type Half;
    fn half(&self) -> &Self::Half;
}

impl<T> ChanRef for Receiver<T> {
    type Half = Receiver<T>;
    fn half(&self) -> &Receiver<T> {
        self
    }
}

impl<T> ChanRef for Sender<T> {
    type Half = Sender<T>;
    fn half(&self) -> &Sender<T> {
        self
    }
}

impl<R: ChanRef + ?Sized> ChanRef for &R {
    type Half = R::Half;
    fn half(&self) -> &R::Half {
        (**self).half()
    }
}

/// A receive case: Go's `case v, ok := <-c`.
#[doc(hidden)]
pub struct RecvCase<'a, T> {
    chan: &'a Chan<T>,
    packet: Option<Arc<Packet<T>>>,
    /// `Some(Some(v))`: received `v`; `Some(None)`: closed; `None`: not completed.
    result: Option<Option<T>>,
}

impl<'a, T> RecvCase<'a, T> {
    /// The case of `rx` (a `Receiver` or a reference to one).
    pub fn new(rx: &'a (impl ChanRef<Half = Receiver<T>> + ?Sized)) -> RecvCase<'a, T> {
        RecvCase {
            chan: &rx.half().shared,
            packet: None,
            result: None,
        }
    }

    /// What the case received, if it completed: `Some(None)` for a closed channel.
    pub fn take(&mut self) -> Option<Option<T>> {
        self.result.take()
    }
}

impl<T> Case for RecvCase<'_, T> {
    fn try_now(&mut self, _: &'static Location<'static>) -> bool {
        self.result = match self.chan.try_recv() {
            Received::Value(value) => Some(Some(value)),
            Received::Closed => Some(None),
            Received::Empty => return false,
        };
        true
    }

    fn register(&mut self, ctx: &Arc<Context>, index: usize) -> wait::WaitKey {
        self.packet = self.chan.register_recv(ctx, index);
        self.chan.key()
    }

    fn ready(&self, ctx: &Context) -> bool {
        self.chan.recv_ready(ctx)
    }

    fn unregister(&mut self, ctx: &Context) {
        self.chan.unregister(ctx);
    }

    fn complete(&mut self, _: &'static Location<'static>) {
        let packet = self.packet.take().expect("a selected receive registered");
        let value = packet
            .complete()
            .expect("the selecting sender left its value");
        self.result = Some(Some(value));
    }

    fn reason(&self) -> &'static str {
        "chan receive"
    }
}

/// What a send case does on a closed channel, and where it reads the channel's race
/// address.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SendKind {
    /// `Sender::send`: read at the call (chan.go:174); panic on closed.
    Plain,
    /// A `select!` case: read when the case is chosen (select.go:268); panic on closed.
    Select,
    /// `Sender::send_timeout`: read at the call; hand the value back on closed.
    Fallible,
}

/// A send case: Go's `case c <- v`.
#[doc(hidden)]
pub struct SendCase<'a, T> {
    chan: &'a Chan<T>,
    kind: SendKind,
    /// The value while it is not sent (also while a buffered send waits).
    value: Option<T>,
    packet: Option<Arc<Packet<T>>>,
    /// `Some(Ok)`: sent; `Some(Err(v))`: closed (fallible only); `None`: not completed.
    outcome: Option<Result<(), T>>,
    /// It has blocked: a close that ends it now woke it (Go's `closechan` readies it).
    blocked: bool,
}

impl<'a, T> SendCase<'a, T> {
    fn with(tx: &'a Sender<T>, value: T, kind: SendKind) -> SendCase<'a, T> {
        SendCase {
            chan: &tx.shared,
            kind,
            value: Some(value),
            packet: None,
            outcome: None,
            blocked: false,
        }
    }

    /// The case `send(tx, value)` of a `select!`.
    pub fn select(tx: &'a (impl ChanRef<Half = Sender<T>> + ?Sized), value: T) -> Self {
        SendCase::with(tx.half(), value, SendKind::Select)
    }

    pub(crate) fn plain(tx: &'a Sender<T>, value: T) -> Self {
        SendCase::with(tx, value, SendKind::Plain)
    }

    pub(crate) fn fallible(tx: &'a Sender<T>, value: T) -> Self {
        SendCase::with(tx, value, SendKind::Fallible)
    }

    /// `Some(())` if the case completed (the value was sent).
    pub fn take(&mut self) -> Option<()> {
        match self.outcome {
            Some(Ok(())) => Some(()),
            _ => None,
        }
    }

    /// How a fallible send ended: `Some(Err(v))` when the channel was closed.
    pub(crate) fn outcome(&mut self) -> Option<Result<(), T>> {
        self.outcome.take()
    }

    /// The value a send that did not complete still holds.
    pub(crate) fn into_value(mut self) -> T {
        self.value
            .take()
            .expect("an unsent value stays with its case")
    }

    fn race_read(&self, at: &'static Location<'static>) {
        if self.kind == SendKind::Select {
            self.chan.race_read_at(at); // go: select.go:268 racereadpc(c.raceaddr())
        }
    }
}

impl<T> Case for SendCase<'_, T> {
    fn try_now(&mut self, at: &'static Location<'static>) -> bool {
        let value = self
            .value
            .take()
            .expect("an unsent value stays with its case");
        match self.chan.try_send(value) {
            Sent::Done => {
                self.race_read(at);
                self.outcome = Some(Ok(()));
                true
            }
            Sent::Full(value) => {
                self.value = Some(value);
                false
            }
            Sent::Closed(value) if self.kind == SendKind::Fallible => {
                self.outcome = Some(Err(value));
                true
            }
            Sent::Closed(value) => {
                if self.blocked {
                    // go: chan.go:413 raceacquireg(gp, c.raceaddr()), for a sender the
                    // close woke (one that finds the channel closed at once acquires
                    // nothing, chan.go:206).
                    self.chan.acquire_close();
                }
                self.race_read(at);
                drop(value);
                std::panic::panic_any(SEND_ON_CLOSED) // go: chan.go:206, select.go:529
            }
        }
    }

    fn register(&mut self, ctx: &Arc<Context>, index: usize) -> wait::WaitKey {
        self.blocked = true;
        let value = self
            .value
            .take()
            .expect("an unsent value stays with its case");
        match self.chan.register_send(ctx, index, value) {
            Ok(packet) => self.packet = Some(packet),
            Err(value) => self.value = Some(value),
        }
        self.chan.key()
    }

    fn ready(&self, ctx: &Context) -> bool {
        self.chan.send_ready(ctx)
    }

    fn unregister(&mut self, ctx: &Context) {
        self.chan.unregister(ctx);
        if let Some(value) = self.packet.as_ref().and_then(|p| p.take_back()) {
            self.value = Some(value);
        }
    }

    fn complete(&mut self, at: &'static Location<'static>) {
        let packet = self.packet.take().expect("a selected send registered");
        packet.complete(); // the receiver took the value; acquire its clock
        self.race_read(at);
        self.outcome = Some(Ok(()));
    }

    fn reason(&self) -> &'static str {
        "chan send"
    }
}

/// Go's `select` over [`chan`](crate::chan)s, in crossbeam-channel's syntax.
///
/// ```text
/// gosync::select! {
///     recv(rx) -> v => ...,        // v: Option<T>; None once rx is closed and drained
///     send(tx, value) => ...,      // panics with Go's text if tx is closed
///     default => ...,              // none ready now (optional)
///     default(timeout) => ...,     // none ready within `timeout` (instead of `default`)
/// }
/// ```
///
/// As Go's `select`: every send value and channel expression is evaluated once, first;
/// among the cases ready, one is chosen uniformly at random and completes (exactly one);
/// without a `default` it blocks until one is ready; a `send` case panics with `send on
/// closed channel` if it is chosen on a closed channel. A body may `break`, `continue`
/// or `return` as in a `match`. Each completed case carries Go's memory-model edge, and
/// with the `race` feature a blocked `select!` is `[select]` in a deadlock report.
/// `send(tx, v) -> res => ..` (crossbeam's form) is accepted too, with `res: ()`.
///
/// ```
/// use std::time::Duration;
///
/// let (tx, rx) = gosync::chan::<u32>(1);
/// let (done_tx, done) = gosync::chan::<()>(0);
/// done_tx.close(); // Go's `close(done)` cancels
/// tx.send(1);
/// let mut got = Vec::new();
/// loop {
///     gosync::select! {
///         recv(rx) -> v => got.push(v.unwrap()),
///         recv(done) -> _ => break,
///         default(Duration::from_secs(10)) => unreachable!("done is closed"),
///     }
/// }
/// assert!(got.len() <= 1);
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__select_parse!(@cases () () $($tokens)*)
    };
}

/// The muncher behind [`select!`]: one rule per case form, then the expansion.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    // recv(rx) -> pat => body
    (@cases ($($cases:tt)*) $default:tt recv($rx:expr) -> $pat:pat => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!(@cases ($($cases)* [case recv ($rx) $pat => $body]) $default $($rest)*)
    };
    (@cases ($($cases:tt)*) $default:tt recv($rx:expr) -> $pat:pat => $body:block $($rest:tt)*) => {
        $crate::__select_parse!(@cases ($($cases)* [case recv ($rx) $pat => $body]) $default $($rest)*)
    };
    (@cases ($($cases:tt)*) $default:tt recv($rx:expr) -> $pat:pat => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@cases ($($cases)* [case recv ($rx) $pat => { $body }]) $default $($rest)*)
    };
    (@cases ($($cases:tt)*) $default:tt recv($rx:expr) -> $pat:pat => $body:expr) => {
        $crate::__select_parse!(@cases ($($cases)* [case recv ($rx) $pat => { $body }]) $default)
    };
    // send(tx, value) [-> pat] => body
    (@cases ($($cases:tt)*) $default:tt send($tx:expr, $value:expr) $(-> $pat:pat)? => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!(@cases ($($cases)* [case send ($tx, $value) _ => $body]) $default $($rest)*)
    };
    (@cases ($($cases:tt)*) $default:tt send($tx:expr, $value:expr) $(-> $pat:pat)? => $body:block $($rest:tt)*) => {
        $crate::__select_parse!(@cases ($($cases)* [case send ($tx, $value) _ => $body]) $default $($rest)*)
    };
    (@cases ($($cases:tt)*) $default:tt send($tx:expr, $value:expr) $(-> $pat:pat)? => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@cases ($($cases)* [case send ($tx, $value) _ => { $body }]) $default $($rest)*)
    };
    (@cases ($($cases:tt)*) $default:tt send($tx:expr, $value:expr) $(-> $pat:pat)? => $body:expr) => {
        $crate::__select_parse!(@cases ($($cases)* [case send ($tx, $value) _ => { $body }]) $default)
    };
    // default => body, default(timeout) => body
    (@cases $cases:tt () default => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!(@cases $cases (now => $body) $($rest)*)
    };
    (@cases $cases:tt () default => $body:block $($rest:tt)*) => {
        $crate::__select_parse!(@cases $cases (now => $body) $($rest)*)
    };
    (@cases $cases:tt () default => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@cases $cases (now => { $body }) $($rest)*)
    };
    (@cases $cases:tt () default => $body:expr) => {
        $crate::__select_parse!(@cases $cases (now => { $body }))
    };
    (@cases $cases:tt () default($timeout:expr) => $body:block, $($rest:tt)*) => {
        $crate::__select_parse!(@cases $cases (until ($timeout) => $body) $($rest)*)
    };
    (@cases $cases:tt () default($timeout:expr) => $body:block $($rest:tt)*) => {
        $crate::__select_parse!(@cases $cases (until ($timeout) => $body) $($rest)*)
    };
    (@cases $cases:tt () default($timeout:expr) => $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@cases $cases (until ($timeout) => { $body }) $($rest)*)
    };
    (@cases $cases:tt () default($timeout:expr) => $body:expr) => {
        $crate::__select_parse!(@cases $cases (until ($timeout) => { $body }))
    };
    (@cases $cases:tt ($($default:tt)+) default $($rest:tt)*) => {
        ::core::compile_error!("select! has at most one `default` case")
    };
    // The expansion: the cases, one selection, then the body of the case that completed.
    (@cases ($([$id:ident $kind:ident $args:tt $pat:pat => $body:tt])*) $default:tt) => {{
        $( $crate::__select_parse!(@new $id $kind $args); )*
        $crate::__select::run(
            &mut [$( &mut $id as &mut dyn $crate::__select::Case ),*],
            $crate::__select_parse!(@mode $default),
            ::core::panic::Location::caller(),
        );
        $crate::__select_parse!(@dispatch ($([$id $kind $args $pat => $body])*) $default)
    }};
    (@cases $cases:tt $default:tt $($rest:tt)+) => {
        ::core::compile_error!(::core::concat!(
            "select!: expected `recv(rx) -> v => ..`, `send(tx, value) => ..`, ",
            "`default => ..` or `default(timeout) => ..`, found: ",
            ::core::stringify!($($rest)+)
        ))
    };
    // `let c = &expr;` keeps a temporary channel (Go's `case <-time.After(d)`) alive.
    (@new $id:ident recv ($rx:expr)) => {
        let $id = &$rx;
        let mut $id = $crate::__select::RecvCase::new($id);
    };
    (@new $id:ident send ($tx:expr, $value:expr)) => {
        let $id = &$tx;
        let mut $id = $crate::__select::SendCase::select($id, $value);
    };
    (@mode ()) => { $crate::__select::Mode::Block };
    (@mode (now => $body:tt)) => { $crate::__select::Mode::Now };
    (@mode (until ($timeout:expr) => $body:tt)) => { $crate::__select::Mode::after($timeout) };
    (@dispatch () ()) => { ::core::unreachable!("a select! without default completes a case") };
    (@dispatch () (now => $body:tt)) => { $body };
    (@dispatch () (until ($timeout:expr) => $body:tt)) => { $body };
    (@dispatch ([$id:ident $kind:ident $args:tt $pat:pat => $body:tt] $($rest:tt)*) $default:tt) => {
        match $id.take() {
            ::core::option::Option::Some(__value) => {
                #[allow(unused_variables, clippy::let_unit_value)]
                let $pat = __value;
                $body
            }
            ::core::option::Option::None => $crate::__select_parse!(@dispatch ($($rest)*) $default),
        }
    };
}
