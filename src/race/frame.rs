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

use super::domain::{lock, FxHasher};

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
