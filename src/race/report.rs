//! [`DataRace`]: one race, printed in Go's `WARNING: DATA RACE` format.

use std::backtrace::Backtrace;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use thiserror::Error;

/// Whether an access read or wrote the location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// [`race::read`](super::read), [`RaceCell::get`](super::RaceCell::get), the read half
    /// of [`RaceCell::update`](super::RaceCell::update).
    Read,
    /// [`race::write`](super::write), [`RaceCell::set`](super::RaceCell::set), the write
    /// half of [`RaceCell::update`](super::RaceCell::update).
    Write,
}

/// Where something happened: the caller's `file:line:column` (from `#[track_caller]`),
/// and a backtrace when `GOSYNC_RACE_BACKTRACE=1` was set at the first annotation.
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
pub struct Site {
    /// The annotated call, as `#[track_caller]` saw it.
    pub location: &'static Location<'static>,
    /// The whole stack, captured only when `GOSYNC_RACE_BACKTRACE=1`.
    pub backtrace: Option<Arc<Backtrace>>,
}

impl Site {
    /// The caller's site. A backtrace costs microseconds, so it is opt-in.
    #[cfg(feature = "race")]
    #[track_caller]
    pub(crate) fn here() -> Site {
        Site::at(Location::caller())
    }

    /// The site of `location` (with the backtrace of this call when asked for).
    #[cfg(feature = "race")]
    pub(crate) fn at(location: &'static Location<'static>) -> Site {
        use std::sync::OnceLock;
        static WANT_BACKTRACE: OnceLock<bool> = OnceLock::new();
        let want = *WANT_BACKTRACE
            .get_or_init(|| std::env::var_os("GOSYNC_RACE_BACKTRACE").is_some_and(|v| v == "1"));
        Site {
            location,
            backtrace: want.then(|| Arc::new(Backtrace::force_capture())),
        }
    }
}

impl fmt::Display for Site {
    /// Go prints `func()` then `file:line +0xoff`; a `Location` knows no function name, so
    /// the line is `file:line:column`, then the backtrace if one was captured.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  {}", self.location)?;
        if let Some(backtrace) = &self.backtrace {
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
