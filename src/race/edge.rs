//! [`HappensBefore`]: an edge the checker recorded when an acquire learned something new.

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
