//! What a [`check`](super::check) reports when its goroutines are all asleep: Go's
//! goroutine dump ([`BlockedGoroutine`]), the deadlock ([`Deadlock`]), and the leaked
//! goroutines of a check that returned ([`CheckReport`]).

use std::fmt;

use thiserror::Error;

use super::report::{DataRace, Site};

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
