//! Which lines of Go's `waitgroup.go` a call ran through, and why.
//!
//! Go's decisions are pure functions of the value its one atomic operation returned, so the
//! tour can replay them from the state word it observed before the call. The tour then
//! checks the replay against the word it observes after the call (see `director`), so a
//! narration that disagrees with the real run stops the tour instead of teaching a lie.

/// Go 1.19.8's `sync/waitgroup.go`, vendored: the narration quotes its lines by number.
const WAITGROUP_GO: &str = include_str!("../../docs/go/waitgroup.go");
/// Go 1.19.8's `runtime/sema.go`, vendored likewise.
const SEMA_GO: &str = include_str!("../../docs/go/sema.go");

/// One line of Go's source that a call ran, and what it did in this run.
#[derive(Debug, Clone)]
pub struct GoLine {
    /// `waitgroup.go` or `sema.go`.
    pub file: &'static str,
    /// Line number in `docs/go/<file>`.
    pub line: usize,
    /// That line's code, trimmed.
    pub code: &'static str,
    /// What happened on it in this run, and why.
    pub why: String,
}

fn quote(file: &'static str, source: &'static str, line: usize, why: impl Into<String>) -> GoLine {
    let code = source.lines().nth(line - 1).map_or("", str::trim);
    GoLine {
        file,
        line,
        code,
        why: why.into(),
    }
}

/// A line of `waitgroup.go`.
fn go(line: usize, why: impl Into<String>) -> GoLine {
    quote("waitgroup.go", WAITGROUP_GO, line, why)
}

/// A line of `sema.go`.
fn sema(line: usize, why: impl Into<String>) -> GoLine {
    quote("sema.go", SEMA_GO, line, why)
}

/// A state word in hex, its two halves apart: `0x00000002_00000001` is counter 2, 1 waiter.
pub fn word(state: u64) -> String {
    format!("0x{:08x}_{:08x}", state >> 32, state as u32)
}

/// `int32(state >> 32)`.
pub const fn counter(state: u64) -> i32 {
    (state >> 32) as i32
}

/// `uint32(state)`.
pub const fn waiters(state: u64) -> u32 {
    state as u32
}

/// `uint64(delta) << 32`: only the low 32 bits of `delta` survive.
pub const fn counter_delta(delta: isize) -> u64 {
    (delta as i64 as u64) << 32
}

/// Go's panic texts (`waitgroup.go:83`, `:86` and `:97`, `:141`).
pub const NEGATIVE_COUNTER: &str = "sync: negative WaitGroup counter";
pub const ADD_DURING_WAIT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
pub const REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";

/// `1 waiter`, `2 waiters`.
pub fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How a call to `Add` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// Returned at line 89: nothing to release.
    Returned,
    /// Ran the release path: reset the word, released this many semaphore tokens.
    Released(u32),
    /// Panicked with this text of Go's.
    Panicked(&'static str),
}

/// Replays Go's `Add(delta)` on a state word that held `old` just before the call, where
/// another goroutine changed the word to `recheck` before line 96's sanity re-check loaded
/// it (`None`: nobody did). Returns the outcome, the word line 73's `atomic.AddUint64`
/// returned, and the lines run.
pub fn add_rechecked(
    delta: isize,
    old: u64,
    recheck: Option<u64>,
) -> (AddOutcome, u64, Vec<GoLine>) {
    let state = old.wrapping_add(counter_delta(delta));
    let (v, w) = (counter(state), waiters(state));
    let mut lines = vec![go(
        73,
        format!(
            "one atomic add of {delta} to the high half: {} -> {}, so v = {v}, w = {w}",
            word(old),
            word(state)
        ),
    )];
    if v < 0 {
        lines.push(go(
            82,
            format!("v = {v} < 0: more Done than Add. The add is not rolled back"),
        ));
        lines.push(go(
            83,
            "Go's panic; gosync's add panics with the same text, and the word keeps v",
        ));
        return (AddOutcome::Panicked(NEGATIVE_COUNTER), state, lines);
    }
    lines.push(go(82, format!("v = {v} is not negative: no panic")));
    if delta > 0 && v == delta as i32 && w != 0 {
        lines.push(go(
            85,
            format!(
                "this Add moved the counter off 0 while {} of the last round {} still counted: \
                 that Wait has not returned, so this Add is not ordered after it",
                count(w, "waiter", "waiters"),
                if w == 1 { "is" } else { "are" }
            ),
        ));
        lines.push(go(
            86,
            format!("panic(\"{ADD_DURING_WAIT}\"). The counter stays"),
        ));
        return (AddOutcome::Panicked(ADD_DURING_WAIT), state, lines);
    }
    if delta > 0 {
        lines.push(go(
            85,
            if v == delta as i32 {
                "this Add moved the counter off 0, and w = 0: no waiter of an old round is still counted".to_owned()
            } else {
                format!(
                    "the counter was {} before this Add, not 0: this Add starts no round, nothing to check",
                    v.wrapping_sub(delta as i32)
                )
            },
        ));
    } else {
        lines.push(go(
            85,
            "delta is not positive: this check is for Adds that start a round",
        ));
    }
    if v > 0 {
        lines.push(go(
            88,
            format!("v = {v} > 0: other Done calls are still to come, so this is not the last one"),
        ));
        lines.push(go(
            89,
            "return: only the call that brings the counter to 0 does more",
        ));
        return (AddOutcome::Returned, state, lines);
    }
    if w == 0 {
        lines.push(go(
            88,
            "v = 0 but w = 0: nobody is waiting, nothing to wake",
        ));
        lines.push(go(89, "return"));
        return (AddOutcome::Returned, state, lines);
    }
    lines.push(go(
        88,
        format!("v = 0 and w = {w}: this is the last Done and waiters are counted, so it must wake them"),
    ));
    if let Some(now) = recheck.filter(|&now| now != state) {
        lines.push(go(
            96,
            format!(
                "sanity re-check: the word is now {}, not {}: another goroutine's Add changed it \
                 between line 73 and here, which correct use cannot do",
                word(now),
                word(state)
            ),
        ));
        lines.push(go(
            97,
            format!("panic(\"{ADD_DURING_WAIT}\"): nobody is woken"),
        ));
        return (AddOutcome::Panicked(ADD_DURING_WAIT), state, lines);
    }
    lines.push(go(
        96,
        "sanity re-check: the word still equals what line 73 returned. Correct use cannot change it \
         now (Wait only counts itself while v > 0, and a new round's Add must wait for Wait), so a \
         difference could only be misuse",
    ));
    lines.push(go(
        100,
        "reset the whole word to 0 BEFORE waking anyone: a woken waiter re-checks the word, and the \
         next round may start as soon as the waiters return",
    ));
    lines.push(go(
        102,
        format!(
            "runtime_Semrelease, {}: one token per counted waiter, no more",
            count(w, "time", "times")
        ),
    ));
    (AddOutcome::Released(w), state, lines)
}

/// What one `runtime_Semrelease` found: a queued waiter to wake, or nobody asleep yet.
/// `token` counts from 1 to `tokens`.
pub fn semrelease(woke_a_sleeper: bool, token: u32, tokens: u32) -> Vec<GoLine> {
    let mut lines = vec![sema(
        167,
        format!("token {token} of {tokens}: add it to the semaphore first, sema += 1"),
    )];
    if woke_a_sleeper {
        lines.push(sema(
            172,
            "nwait != 0: someone is queued on this root, take the lock",
        ));
        lines.push(sema(
            184,
            "dequeue the first waiter queued on this address (FIFO)",
        ));
        lines.push(sema(200, "make it runnable; it will take the token itself"));
    } else {
        lines.push(sema(
            172,
            "nwait == 0: nobody has queued yet, return. The token stays in the semaphore for the \
             waiter that is on its way to sleep",
        ));
    }
    lines
}

/// How a `Wait` got past the semaphore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sleep {
    /// No token yet: it queued and slept until a `Semrelease` woke it.
    Slept,
    /// A token was already there: it took it without sleeping.
    TokenBeforeSleep,
}

/// Go's `Wait` on a word that holds `loaded` and counter 0: the fast path.
pub fn wait_fast(loaded: u64) -> Vec<GoLine> {
    vec![
        go(119, format!("load the word: {}", word(loaded))),
        go(122, "v == 0: every Done has happened"),
        go(
            128,
            "return at once: no waiter counted, no semaphore touched",
        ),
    ]
}

/// Go's `Wait` from its load (`loaded`) through the CAS that counts it as a waiter.
pub fn wait_register(loaded: u64) -> Vec<GoLine> {
    let (v, w) = (counter(loaded), waiters(loaded));
    vec![
        go(119, format!("load the word: {}, v = {v}, w = {w}", word(loaded))),
        go(122, format!("v = {v} != 0: it has to wait")),
        go(
            131,
            format!(
                "CAS {} -> {}: counts itself, w {w} -> {}. A CAS, not an add: \
                 if the word changed since the load (say the last Done ran), it fails and Wait looks again",
                word(loaded),
                word(loaded.wrapping_add(1)),
                w.wrapping_add(1)
            ),
        ),
    ]
}

/// Go's `Wait` sleeping in the semaphore (no token there yet).
pub fn wait_sleep() -> Vec<GoLine> {
    vec![
        go(139, "sleep on the semaphore whose count is state2 (the token count `sema`)"),
        sema(111, "easy case: no token to take"),
        sema(140, "under the root lock, nwait += 1, so a releaser from now on knows to look for us"),
        sema(142, "look for a token once more, AFTER counting ourselves: a release that came in between is not missed"),
        sema(149, "still none: queue on this address"),
        sema(150, "unlock and sleep"),
    ]
}

/// Go's `Wait` after the semaphore let it through, finding the word at `after`.
pub fn wait_return(sleep: Sleep, after: u64) -> Vec<GoLine> {
    let semacquire = match sleep {
        Sleep::Slept => sema(
            151,
            "woken: take the token the last Done released, stop looping",
        ),
        Sleep::TokenBeforeSleep => sema(
            111,
            "easy case: the token is already there (released before this waiter got to sleep); \
             take it and return without sleeping",
        ),
    };
    let mut lines = Vec::new();
    if sleep == Sleep::TokenBeforeSleep {
        lines.push(go(
            139,
            "go to the semaphore whose count is state2 (the token count `sema`)",
        ));
    }
    lines.extend([
        semacquire,
        go(
            140,
            format!(
                "re-check: the word is {}. The releaser zeroed it before releasing the token, so \
                 anything else means a new round started before this Wait returned",
                word(after)
            ),
        ),
        go(147, "return"),
    ]);
    lines
}

/// Go's `Add` held by the pause right after line 73 (the word `old` before it).
#[cfg(feature = "unstable-window-hook")]
pub fn add_held(delta: isize, old: u64) -> Vec<GoLine> {
    let state = old.wrapping_add(counter_delta(delta));
    vec![go(
        73,
        format!(
            "one atomic add of {delta}: {} -> {}, v = {}, w = {}. Held here (gosync's \
             unstable window hook blocks right after the add): this is the last Done, and it \
             has not reset the word or woken anyone yet",
            word(old),
            word(state),
            counter(state),
            waiters(state)
        ),
    )]
}

/// Go's `Wait` woken with a token, finding a new round's counter at line 140.
pub fn wait_reused(after: u64) -> Vec<GoLine> {
    vec![
        sema(
            151,
            "woken: take the token the last Done released, stop looping",
        ),
        go(
            140,
            format!(
                "re-check: the word is {}, not 0. The releaser zeroed it before releasing the \
                 token, so a new round's Add came before this Wait returned",
                word(after)
            ),
        ),
        go(141, format!("panic(\"{REUSED}\")")),
    ]
}

/// gosync's `src/sema/cancel.rs`, `src/waitgroup/timeout.rs` and `src/waitgroup.rs`: the
/// timed wait has no Go counterpart (Go 1.19 has none), so its lines are Rust's own.
#[cfg(feature = "tracing")]
const RUST_SOURCES: [(&str, &str); 4] = [
    ("src/sema.rs", include_str!("../../src/sema.rs")),
    (
        "src/sema/cancel.rs",
        include_str!("../../src/sema/cancel.rs"),
    ),
    (
        "src/waitgroup/timeout.rs",
        include_str!("../../src/waitgroup/timeout.rs"),
    ),
    ("src/waitgroup.rs", include_str!("../../src/waitgroup.rs")),
];

/// The one line of the Rust file `file` that contains `needle`.
#[cfg(feature = "tracing")]
fn rust(file: &'static str, needle: &str, why: &str) -> GoLine {
    let (_, source) = RUST_SOURCES
        .iter()
        .find(|(name, _)| *name == file)
        .expect("a Rust source the tour quotes");
    let mut found = source
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle));
    let (index, code) = found
        .next()
        .unwrap_or_else(|| panic!("{file} no longer has {needle:?}: update the tour"));
    assert!(
        found.next().is_none(),
        "{needle:?} is not one line of {file}"
    );
    quote_owned(file, index + 1, code.trim(), why)
}

#[cfg(feature = "tracing")]
fn quote_owned(file: &'static str, line: usize, code: &'static str, why: &str) -> GoLine {
    GoLine {
        file,
        line,
        code,
        why: why.to_owned(),
    }
}

/// `wait_timeout` from its CAS to the park with a deadline.
#[cfg(feature = "tracing")]
pub fn wait_timeout_sleep(loaded: u64) -> Vec<GoLine> {
    let mut lines = wait_register(loaded);
    lines.extend([
        go(
            139,
            "the sleep Go does here, gosync's timed wait does with a deadline:",
        ),
        rust(
            "src/waitgroup/timeout.rs",
            "Poll::Ready(semacquire_until(semap, deadline, || {",
            "semacquire_until: Go's semacquire, plus a deadline and a way out",
        ),
        rust(
            "src/sema.rs",
            "let Some(key) = root.queue_unless_acquired(addr, &self.node) else {",
            "no token: nwait += 1, look again, queue on this address (sema.go:138-150)",
        ),
        rust(
            "src/sema/cancel.rs",
            "if parker.park_deadline_until(s.key(), &timer, || s.readied()) {",
            "sleep until a release readies it or the deadline passes",
        ),
    ]);
    lines
}

/// `wait_timeout` after its deadline passed with no release: it withdraws.
#[cfg(feature = "tracing")]
pub fn wait_timed_out(after: u64) -> Vec<GoLine> {
    vec![
        rust(
            "src/sema.rs",
            "let acquired = root.withdraw(addr, self.key, &self.node, withdraw);",
            "the deadline passed without a token: under the root lock (so no release can \
             dequeue it meanwhile), leave the queue and ask the group to uncount this waiter",
        ),
        rust(
            "src/waitgroup/timeout.rs",
            "match statep.compare_exchange(state, state - 1, SeqCst, SeqCst) {",
            &format!(
                "counter > 0, so no release has counted it: CAS waiters - 1, leaving {}. The \
                 last Done will release no token for it",
                word(after)
            ),
        ),
        rust(
            "src/waitgroup.rs",
            "Poll::Ready(Acquire::Withdrawn) => {",
            "not woken: it acquires nothing (no Done happens before it) and returns false",
        ),
    ]
}
