//! What the checker reports, in Go's formats: a data race ([`DataRace`], Go's `WARNING:
//! DATA RACE`), the goroutines of a deadlock or of a leak ([`Deadlock`], [`CheckReport`],
//! each goroutine as Go's dump prints it), and the happens-before edges it recorded
//! ([`HappensBefore`]). Each report names [`Site`]s, printed as Go prints a frame: the
//! user's function, then its line.

use std::backtrace::Backtrace;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use thiserror::Error;

// ---- Data races: one race, printed in Go's `WARNING: DATA RACE` format ----------------

/// Whether an access read or wrote the location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessKind {
    /// [`race::read`](super::read), [`RaceCell::get`](super::RaceCell::get), the read half
    /// of [`RaceCell::update`](super::RaceCell::update).
    Read,
    /// [`race::write`](super::write), [`RaceCell::set`](super::RaceCell::set), the write
    /// half of [`RaceCell::update`](super::RaceCell::update).
    Write,
}

/// Where something happened: the caller's `file:line:column` (from `#[track_caller]`),
/// and a backtrace when `GOSYNC_RACE_BACKTRACE=1` was set at the first annotation or when
/// that location is inside core or std (a `.map(RaceCell::get)` makes the shim
/// `FnMut::call_mut` the caller; the report then shows the first user frame).
///
/// A report prints each site as Go prints a frame, the function, then its line:
///
/// ```text
///   race_model::some_test::{{closure}}()
///       tests/race_model.rs:42:9
/// ```
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::{check, RaceCell};
///
/// let cell = std::sync::Arc::new(RaceCell::new(0));
/// let c = cell.clone();
/// let ((), races) = check(move || {
///     let writer = gosync::go(move || c.set(1));
///     cell.set(2);
///     drop(writer); // no join: the two writes stay unordered
/// });
/// assert!(races[0].current.site.location.file().ends_with(".rs"));
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Site {
    /// The annotated call, as `#[track_caller]` saw it.
    pub location: &'static Location<'static>,
    /// The whole stack: captured when `GOSYNC_RACE_BACKTRACE=1`, or when `location` is
    /// inside core or std.
    pub backtrace: Option<Arc<Backtrace>>,
}

/// Whether `GOSYNC_RACE_BACKTRACE=1` was set at the first annotation.
#[cfg(feature = "race")]
fn want_backtrace() -> bool {
    use std::sync::OnceLock;
    static WANT_BACKTRACE: OnceLock<bool> = OnceLock::new();
    *WANT_BACKTRACE
        .get_or_init(|| std::env::var_os("GOSYNC_RACE_BACKTRACE").is_some_and(|v| v == "1"))
}

impl Site {
    /// The caller's site. A backtrace costs microseconds, so it is taken only when asked
    /// for, or when the caller is inside core/std (then it is the only way to the user).
    #[cfg(feature = "race")]
    #[track_caller]
    pub(crate) fn here() -> Site {
        Site::at(Location::caller())
    }

    /// The site of `location`, with a backtrace when the location is inside core or std
    /// (to find the user's frame) or when `GOSYNC_RACE_BACKTRACE=1` asks for one.
    #[cfg(feature = "race")]
    pub(crate) fn at(location: &'static Location<'static>) -> Site {
        let in_library = frame::sighting(location);
        Site {
            location,
            backtrace: (in_library || want_backtrace())
                .then(|| Arc::new(Backtrace::force_capture())),
        }
    }

    /// The function holding the user's line, as the backtrace names it (Go's `main.foo`):
    /// `None` without the `race` feature, or when the binary has no symbols for it.
    ///
    /// ```
    /// # #[cfg(feature = "race")] {
    /// use gosync::race::{check, RaceCell};
    /// use std::sync::Arc;
    ///
    /// fn writer(x: &RaceCell<i32>) {
    ///     x.set(1);
    /// }
    /// let x = Arc::new(RaceCell::new(0));
    /// let ((), races) = check(|| {
    ///     let x2 = x.clone();
    ///     let _w = gosync::go(move || writer(&x2));
    ///     writer(&x);
    /// });
    /// let function = races[0].current.site.function().unwrap();
    /// assert!(function.ends_with("writer"), "{function}");
    /// # }
    /// ```
    pub fn function(&self) -> Option<String> {
        self.user_frame().0
    }

    /// The user's `file:line:column`: [`location`](Self::location), or, when that is
    /// inside core or std, the first user frame of the backtrace.
    ///
    /// ```
    /// # #[cfg(feature = "race")] {
    /// use gosync::race::{check, RaceCell};
    /// use std::sync::Arc;
    ///
    /// let cells = Arc::new([RaceCell::new(1), RaceCell::new(2)]);
    /// let ((), races) = check(|| {
    ///     let c = cells.clone();
    ///     let _w = gosync::go(move || c[0].set(5));
    ///     let sum: i32 = cells.iter().map(RaceCell::get).sum(); // the caller is in core
    ///     let _ = sum;
    /// });
    /// let read = races.iter().find(|r| r.current.kind == gosync::race::AccessKind::Read);
    /// if let Some(race) = read {
    ///     // The user's function; its line too when the binary has line info (a doctest
    ///     // has none, so `line()` falls back to the location inside core).
    ///     let function = race.current.site.function().unwrap();
    ///     assert!(function.contains("_doctest_main"), "{function}");
    ///     println!("{}", race.current.site.line());
    /// }
    /// # }
    /// ```
    pub fn line(&self) -> String {
        self.user_frame().1
    }

    /// `(function, file:line:column)` of the user's frame.
    fn user_frame(&self) -> (Option<String>, String) {
        #[cfg(feature = "race")]
        {
            if frame::is_library(self.location.file()) {
                let user = self.backtrace.as_deref().and_then(frame::first_user_frame);
                if let Some(user) = user {
                    let at = user.at.map(|at| at.trim_start_matches("./").to_owned());
                    return (
                        Some(user.function),
                        at.unwrap_or_else(|| self.location.to_string()),
                    );
                }
            }
            (frame::function_of(self.location), self.location.to_string())
        }
        #[cfg(not(feature = "race"))]
        (None, self.location.to_string())
    }

    /// Whether to print the whole backtrace after the frame.
    fn print_backtrace(&self) -> bool {
        #[cfg(feature = "race")]
        {
            want_backtrace() || !frame::is_library(self.location.file())
        }
        #[cfg(not(feature = "race"))]
        true
    }
}

impl fmt::Display for Site {
    /// Go prints `func()` then `file:line +0xoff`; here the function (when the binary
    /// names it) then `file:line:column`, then the backtrace if one was asked for.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (function, line) = self.user_frame();
        match function {
            Some(function) => writeln!(f, "  {function}()\n      {line}")?,
            None => writeln!(f, "  {line}")?,
        }
        if let Some(backtrace) = self.backtrace.as_ref().filter(|_| self.print_backtrace()) {
            // Start at the annotated call's frame: the checker's own frames above it are
            // noise, as Go's reports omit the uninstrumented `sync` and `runtime` frames.
            let text = backtrace.to_string();
            let lines: Vec<&str> = text.lines().collect();
            let here = format!("{}:{}:", self.location.file(), self.location.line());
            let start = lines
                .iter()
                .position(|line| line.contains(&here))
                .map_or(0, |at| at.saturating_sub(1));
            for line in &lines[start..] {
                writeln!(f, "      {line}")?;
            }
        }
        Ok(())
    }
}

/// One of the two accesses of a [`DataRace`], and the goroutine that made it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Access {
    /// Read or write.
    pub kind: AccessKind,
    /// The goroutine's number in its detection domain: 1 for the thread that
    /// [`check`](super::check) runs on (or the first thread outside any check), then 2, 3,
    /// ... in the order [`go`](crate::go) created them.
    pub goroutine: u32,
    /// Where the access was made.
    pub site: Site,
    /// Where [`go`](crate::go) started the goroutine; `None` for a thread it did not start.
    pub goroutine_created_at: Option<Site>,
    /// Whether the goroutine had finished when the race was found.
    pub goroutine_finished: bool,
}

/// A data race: two accesses to one location, at least one a write, neither happening
/// before the other. `Display` is Go's report.
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::{check, AccessKind, RaceCell};
/// use std::sync::Arc;
///
/// let x = Arc::new(RaceCell::new(0));
/// let ((), races) = check(|| {
///     let x2 = x.clone();
///     gosync::go(move || x2.set(1));
///     x.set(2);
/// });
/// assert_eq!(races.len(), 1);
/// assert_eq!(races[0].current.kind, AccessKind::Write);
/// let report = races[0].to_string();
/// assert!(report.starts_with("==================\nWARNING: DATA RACE\nWrite at 0x"));
/// assert!(report.contains("Previous write at 0x"));
/// # }
/// ```
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub struct DataRace {
    /// The address printed for the location (for a WaitGroup's semaphore: inside the group).
    pub addr: usize,
    /// The access that found the race.
    pub current: Access,
    /// The earlier access it races with.
    pub previous: Access,
}

impl fmt::Display for DataRace {
    /// Go's race report (`tsan_report.cpp`, the `SANITIZER_GO` branch).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("==================\nWARNING: DATA RACE\n")?;
        self.access(f, "", &self.current)?;
        f.write_str("\n")?;
        self.access(f, "Previous ", &self.previous)?;
        for access in [&self.current, &self.previous] {
            if let Some(created_at) = &access.goroutine_created_at {
                let status = if access.goroutine_finished {
                    "finished"
                } else {
                    "running"
                };
                write!(
                    f,
                    "\nGoroutine {} ({status}) created at:\n{created_at}",
                    access.goroutine
                )?;
            }
        }
        f.write_str("==================")
    }
}

impl DataRace {
    fn access(&self, f: &mut fmt::Formatter<'_>, previous: &str, access: &Access) -> fmt::Result {
        let kind = match (access.kind, previous.is_empty()) {
            (AccessKind::Read, true) => "Read",
            (AccessKind::Write, true) => "Write",
            (AccessKind::Read, false) => "read",
            (AccessKind::Write, false) => "write",
        };
        writeln!(
            f,
            "{previous}{kind} at {:#014x} by goroutine {}:",
            self.addr, access.goroutine
        )?;
        write!(f, "{}", access.site)
    }
}

// ---- Deadlocks and leaks --------------------------------------------------------------
//
// What a [`check`](super::check) reports when its goroutines are all asleep: Go's
// goroutine dump ([`BlockedGoroutine`]), the deadlock ([`Deadlock`]), and the leaked
// goroutines of a check that returned ([`CheckReport`]).

/// Go's header of a deadlock (`runtime/proc.go`, `checkdead`).
pub(crate) const DEADLOCK: &str = "fatal error: all goroutines are asleep - deadlock!";

/// One goroutine blocked in a gosync primitive, as Go's goroutine dump prints it.
///
/// ```text
/// goroutine 2 [chan send]:
///   tests/deadlock.rs:10:12
/// created by goroutine 1
///   tests/deadlock.rs:9:5
/// ```
///
/// The wait reason is Go's (`chan receive`, `chan send`, `select`, `semacquire` for a
/// `WaitGroup`'s wait, ...). A site is one frame (`file:line:column` from
/// `#[track_caller]`), with the whole stack when `GOSYNC_RACE_BACKTRACE=1` is set.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BlockedGoroutine {
    /// Its number in the check: 1 for the thread `check` runs `f` on.
    pub goroutine: u32,
    /// Go's wait reason, as the dump prints it between brackets.
    pub wait_reason: &'static str,
    /// The gosync call it is blocked in.
    pub blocked_at: Site,
    /// Where [`go`](crate::go) (or another fork) started it; `None` for goroutine 1.
    pub created_at: Option<Site>,
    /// The goroutine that started it; `None` for goroutine 1.
    pub created_by: Option<u32>,
}

impl fmt::Display for BlockedGoroutine {
    /// Go's `goroutine N [reason]:` block, its frame, then `created by` and its site.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "goroutine {} [{}]:\n{}",
            self.goroutine, self.wait_reason, self.blocked_at
        )?;
        if let Some(created_at) = &self.created_at {
            match self.created_by {
                Some(parent) => writeln!(f, "created by goroutine {parent}")?,
                None => writeln!(f, "created by")?,
            }
            write!(f, "{created_at}")?;
        }
        Ok(())
    }
}

/// Every goroutine of a [`check`](super::check) was blocked while its `f` had not
/// returned: Go's `fatal error: all goroutines are asleep - deadlock!`. `Display` is Go's
/// text, each goroutine as its dump prints it; [`check`](super::check) panics with it.
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::check_report;
///
/// let deadlock = check_report(|| {
///     let wg = gosync::WaitGroup::new();
///     wg.add(1);
///     wg.wait() // nobody calls done
/// })
/// .unwrap_err();
/// assert_eq!(deadlock.goroutines[0].wait_reason, "semacquire");
/// let text = deadlock.to_string();
/// assert!(text.starts_with("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [semacquire]:\n"));
/// # }
/// ```
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub struct Deadlock {
    /// The blocked goroutines, by number.
    pub goroutines: Vec<BlockedGoroutine>,
    /// The races found before the deadlock.
    pub races: Vec<DataRace>,
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{DEADLOCK}")?;
        for goroutine in &self.goroutines {
            write!(f, "\n{goroutine}")?;
        }
        Ok(())
    }
}

/// What a [`check_report`](super::check_report) found: `f`'s result, the races, and the
/// goroutines still blocked for ever when `f` returned (leaked; Go's test just ends).
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::check_report;
///
/// let report = check_report(|| {
///     let wg = std::sync::Arc::new(gosync::WaitGroup::new());
///     wg.add(1);
///     gosync::go(move || wg.wait()); // nobody ever calls done
///     7
/// })
/// .unwrap();
/// assert_eq!(report.value, 7);
/// assert_eq!(report.leaked[0].wait_reason, "semacquire");
/// assert_eq!(report.leaked[0].goroutine, 2);
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct CheckReport<T> {
    /// What `f` returned.
    pub value: T,
    /// The races found, as [`check`](super::check) returns them.
    pub races: Vec<DataRace>,
    /// The goroutines blocked for ever when `f` had returned, by number; each has been
    /// released (unwound) so its thread ends.
    pub leaked: Vec<BlockedGoroutine>,
}

/// The leak report `check` prints on stderr: a header, then each goroutine as Go's dump.
#[cfg(feature = "race")]
pub(crate) fn leak_text(leaked: &[BlockedGoroutine]) -> String {
    let mut text = format!(
        "gosync: race::check returned with {} goroutine(s) blocked for ever (leaked):\n",
        leaked.len()
    );
    for goroutine in leaked {
        text.push('\n');
        text.push_str(&goroutine.to_string());
    }
    text
}

// ---- Happens-before edges -------------------------------------------------------------
//
// [`HappensBefore`]: an edge the checker recorded when an acquire learned something new.

/// The sync object an edge went through.
///
/// ```
/// use gosync::race::SyncObject;
///
/// let token = 0u8;
/// let object = SyncObject::Address(&token as *const u8 as usize);
/// assert!(!object.is_gosync());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SyncObject {
    /// An address a user passed to [`release`](super::release) and
    /// [`acquire`](super::acquire) (or `release_merge`).
    Address(usize),
    /// A gosync object annotated by gosync itself (a `WaitGroup`, a channel), at the
    /// address its race reports print.
    Gosync(usize),
}

impl SyncObject {
    /// Whether gosync's own annotations (a `WaitGroup`'s, a channel's) made this edge.
    ///
    /// ```
    /// assert!(gosync::race::SyncObject::Gosync(0x10).is_gosync());
    /// ```
    pub fn is_gosync(&self) -> bool {
        matches!(self, SyncObject::Gosync(_))
    }
}

/// A happens-before edge recorded by the checker: step `from_step` of goroutine `from`
/// released a clock that step `to_step` of goroutine `to` acquired, and that acquire
/// taught `to` something new of `from`'s history (`L[from] > C_to[from]` before the join).
///
/// Goroutines are numbered as in race reports (`goroutine N`); a goroutine's step is its
/// own component of its vector clock (see [`current_step`](super::current_step)).
/// Only acquires record edges: the fork edges of [`go`](crate::go) and
/// [`forked`](super::forked), and the join of `go`, do not.
///
/// ```
/// # #[cfg(feature = "race")] {
/// use gosync::race::{self, check};
/// use gosync::WaitGroup;
/// use std::sync::Arc;
///
/// let (edges, _) = check(|| {
///     let wg = Arc::new(WaitGroup::new());
///     wg.add(1);
///     let wg2 = wg.clone();
///     let worker = gosync::go(move || wg2.done());
///     wg.wait();
///     worker.join().unwrap();
///     race::edges()
/// });
/// // goroutine 2's done (its step 1) happens before the return of goroutine 1's wait.
/// assert_eq!((edges[0].from, edges[0].from_step, edges[0].to), (2, 1, 1));
/// assert!(edges[0].object.is_gosync());
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct HappensBefore {
    /// The releasing goroutine.
    pub from: u64,
    /// The releaser's step at the release (its clock component `L[from]`).
    pub from_step: u64,
    /// The acquiring goroutine.
    pub to: u64,
    /// The acquirer's step at the acquire.
    pub to_step: u64,
    /// The sync object released and acquired.
    pub object: SyncObject,
}

// ---- The user's frame of a site -------------------------------------------------------

#[cfg(feature = "race")]
mod frame {
    //! The user's frame of a [`Site`](super::Site): its function name, as Go's stack frames
    //! print `main.foo()`, and its line even when `#[track_caller]` stopped inside core or std.
    //!
    //! A `Location` knows no function. So the first time a thread sees a location, it asks a
    //! process-wide table; the first thread of the process to see it captures one unresolved
    //! `std::backtrace::Backtrace` there (microseconds, once per location), and the table
    //! resolves it to the function's name only when a report is printed. A location inside
    //! core or std (`.map(RaceCell::get)` makes the shim `FnMut::call_mut` the caller) is
    //! shared by every such call, so that [`Site`](super::Site) captures its own backtrace,
    //! at each access (the only slow case), and the report shows its first user frame.
    //!
    //! The common path, an access at a location this thread has seen, is one lookup in a
    //! thread-local set.

    use std::backtrace::Backtrace;
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;
    use std::hash::BuildHasherDefault;
    use std::panic::Location;
    use std::sync::{Arc, Mutex, OnceLock};

    use crate::race::domain::{lock, FxHasher};

    type LocationKey = usize;

    /// Slots of [`RECENT`]: enough for the locations of a hot loop.
    const RECENT_SLOTS: usize = 64;

    /// The low bit of a [`RECENT`] slot: the location is inside core/std. A `Location` is
    /// word-aligned, so its address never has that bit.
    const LIBRARY_BIT: usize = 1;

    thread_local! {
        /// A direct-mapped cache of [`SEEN`]: a location's address (with [`LIBRARY_BIT`]), or
        /// 0. A hit costs a load and a compare: the common path of every access.
        static RECENT: [Cell<usize>; RECENT_SLOTS] = const { [const { Cell::new(0) }; RECENT_SLOTS] };
        /// The locations this thread has seen, and whether each is inside core/std.
        static SEEN: RefCell<HashMap<LocationKey, bool, BuildHasherDefault<FxHasher>>> =
            RefCell::default();
    }

    /// What the process knows of a user location's function.
    enum Known {
        /// A backtrace captured there, not resolved yet.
        Captured(Arc<Backtrace>),
        /// The function's name, once a report needed it (`None`: not found).
        Resolved(Option<String>),
    }

    fn table() -> &'static Mutex<HashMap<LocationKey, Known>> {
        static TABLE: OnceLock<Mutex<HashMap<LocationKey, Known>>> = OnceLock::new();
        TABLE.get_or_init(Mutex::default)
    }

    fn key(location: &'static Location<'static>) -> LocationKey {
        location as *const Location<'static> as usize
    }

    /// Whether `file` is a source file of the standard library (core, alloc, std).
    pub(crate) fn is_library(file: &str) -> bool {
        file.starts_with("/rustc/")
            || ["/library/core/", "/library/alloc/", "/library/std/"]
                .iter()
                .any(|dir| file.contains(dir))
    }

    /// Called at every annotated access: returns whether `location` is inside core/std (the
    /// caller then captures a backtrace of its own), and on this thread's first sighting of
    /// a user location, makes sure the process has a backtrace of it.
    #[inline]
    pub(crate) fn sighting(location: &'static Location<'static>) -> bool {
        let key = key(location);
        let slot = (key / std::mem::align_of::<Location<'static>>()) % RECENT_SLOTS;
        let recent = RECENT.try_with(|recent| recent[slot].get()).unwrap_or(0);
        if recent & !LIBRARY_BIT == key {
            return recent & LIBRARY_BIT != 0;
        }
        let library = seen_before(location);
        let _ = RECENT.try_with(|recent| recent[slot].set(key | usize::from(library)));
        library
    }

    /// The second level of [`sighting`]: this thread's map, else the first sighting.
    #[cold]
    fn seen_before(location: &'static Location<'static>) -> bool {
        let seen = SEEN
            .try_with(|seen| seen.borrow().get(&key(location)).copied())
            .ok()
            .flatten();
        seen.unwrap_or_else(|| first_sighting(location))
    }

    #[cold]
    fn first_sighting(location: &'static Location<'static>) -> bool {
        let library = is_library(location.file());
        if !library && !lock(table()).contains_key(&key(location)) {
            // Captured outside the lock (unwinding takes microseconds); a thread that raced
            // us here keeps the first entry.
            let captured = Known::Captured(Arc::new(Backtrace::force_capture()));
            lock(table()).entry(key(location)).or_insert(captured);
        }
        let _ = SEEN.try_with(|seen| seen.borrow_mut().insert(key(location), library));
        library
    }

    /// One frame of a printed backtrace: its function and its `file:line:col`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Frame {
        pub(crate) function: String,
        pub(crate) at: Option<String>,
    }

    /// The frames of std's printed backtrace (`  N: function` then `      at file:line:col`).
    pub(crate) fn frames(backtrace: &Backtrace) -> Vec<Frame> {
        let mut frames: Vec<Frame> = Vec::new();
        for line in backtrace.to_string().lines() {
            let trimmed = line.trim_start();
            if let Some(at) = trimmed.strip_prefix("at ") {
                if let Some(frame) = frames.last_mut() {
                    frame.at.get_or_insert_with(|| at.to_owned());
                }
            } else if let Some((number, function)) = trimmed.split_once(": ") {
                if number.chars().all(|c| c.is_ascii_digit()) {
                    frames.push(Frame {
                        function: function.to_owned(),
                        at: None,
                    });
                }
            }
        }
        frames
    }

    /// Whether a frame is the checker's or gosync's own, or the standard library's (by its
    /// file; by its name when the binary has no line info: `<i32 as core::iter::Sum>::sum`).
    fn not_users(frame: &Frame) -> bool {
        let function = frame.function.trim_start_matches('<');
        let library_name = ["core::", "std::", "alloc::"]
            .iter()
            .any(|krate| function.starts_with(krate) || function.contains(&format!(" as {krate}")));
        function.starts_with("gosync::")
            || match frame.at.as_deref() {
                Some(at) => is_library(at),
                None => library_name,
            }
    }

    /// The first frame of `backtrace` that is neither gosync's nor the standard library's.
    pub(crate) fn first_user_frame(backtrace: &Backtrace) -> Option<Frame> {
        frames(backtrace)
            .into_iter()
            .find(|frame| !not_users(frame))
    }

    /// The name of the function holding `location`, from the backtrace captured at its first
    /// sighting (resolved once, here).
    pub(crate) fn function_of(location: &'static Location<'static>) -> Option<String> {
        let captured = match lock(table()).get(&key(location)) {
            Some(Known::Resolved(name)) => return name.clone(),
            Some(Known::Captured(backtrace)) => backtrace.clone(),
            None => return None,
        };
        // Resolving takes milliseconds: outside the table's lock.
        let line = format!(":{}:", location.line());
        let file = location.file().trim_start_matches("./");
        let frames = frames(&captured);
        let name = frames
            .iter()
            .find(|frame| {
                frame.at.as_deref().is_some_and(|at| {
                    at.trim_start_matches("./")
                        .split_once(&line)
                        .is_some_and(|(path, _)| path.ends_with(file))
                })
            })
            .or_else(|| frames.iter().find(|frame| !not_users(frame)))
            .map(|frame| frame.function.clone());
        lock(table()).insert(key(location), Known::Resolved(name.clone()));
        name
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn library_files_are_recognised() {
            assert!(is_library(
                "/rustc/5980761/library/core/src/ops/function.rs"
            ));
            assert!(is_library("/home/me/rust/library/std/src/thread/mod.rs"));
            assert!(!is_library("tests/go_parity/race_atomic_test.rs"));
        }

        #[track_caller]
        fn sight() -> (&'static Location<'static>, bool) {
            let location = Location::caller();
            (location, sighting(location))
        }

        #[inline(never)]
        fn named_here() -> (&'static Location<'static>, bool) {
            sight()
        }

        #[test]
        fn a_user_location_is_named_after_its_function() {
            let (location, library) = named_here();
            assert!(!library);
            let name = function_of(location).expect("the function holding the location");
            assert!(name.ends_with("frame::tests::named_here"), "{name}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(location: &'static Location<'static>) -> Site {
        Site {
            location,
            backtrace: None,
        }
    }

    #[test]
    fn display_is_gos_report_layout() {
        let (write_at, read_at, created_at) =
            (Location::caller(), Location::caller(), Location::caller());
        let race = DataRace {
            addr: 0xc000018428,
            current: Access {
                kind: AccessKind::Write,
                goroutine: 1,
                site: site(write_at),
                goroutine_created_at: None,
                goroutine_finished: false,
            },
            previous: Access {
                kind: AccessKind::Read,
                goroutine: 2,
                site: site(read_at),
                goroutine_created_at: Some(site(created_at)),
                goroutine_finished: true,
            },
        };
        let here = format!("{}:{}", file!(), write_at.line());
        let col = |l: &Location<'_>| format!("{here}:{}", l.column());
        assert_eq!(
            race.to_string(),
            format!(
                "==================\n\
                 WARNING: DATA RACE\n\
                 Write at 0x00c000018428 by goroutine 1:\n  {}\n\
                 \n\
                 Previous read at 0x00c000018428 by goroutine 2:\n  {}\n\
                 \n\
                 Goroutine 2 (finished) created at:\n  {}\n\
                 ==================",
                col(write_at),
                col(read_at),
                col(created_at),
            )
        );
    }
}
