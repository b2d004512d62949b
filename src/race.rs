//! Go's `internal/race` API: the annotations `WaitGroup` makes at Go's call sites.
//!
//! Without the `race` feature every function here is an `#[inline(always)]` empty body
//! and [`ENABLED`] is `false` (Go's `internal/race/norace.go`), so the port's call sites
//! read line for line with Go and cost nothing.

/// Whether the race checker is compiled in (Go's `race.Enabled`).
pub const ENABLED: bool = false;

/// Go's `race.Acquire(addr)`: join the clock released to `addr` into this goroutine's.
///
/// ```
/// let x = 0u32;
/// gosync::race::acquire(&x);
/// ```
#[inline(always)]
pub fn acquire<T: ?Sized>(_addr: *const T) {}

/// Go's `race.Release(addr)`: overwrite `addr`'s clock with this goroutine's.
///
/// ```
/// let x = 0u32;
/// gosync::race::release(&x);
/// ```
#[inline(always)]
pub fn release<T: ?Sized>(_addr: *const T) {}

/// Go's `race.ReleaseMerge(addr)`: join this goroutine's clock into `addr`'s.
///
/// ```
/// let x = 0u32;
/// gosync::race::release_merge(&x);
/// ```
#[inline(always)]
pub fn release_merge<T: ?Sized>(_addr: *const T) {}

/// Go's `race.Read(addr)`: a plain read of the memory at `addr`.
///
/// ```
/// let x = 0u32;
/// gosync::race::read(&x);
/// ```
#[inline(always)]
#[track_caller]
pub fn read<T: ?Sized>(_addr: *const T) {}

/// Go's `race.Write(addr)`: a plain write of the memory at `addr`.
///
/// ```
/// let x = 0u32;
/// gosync::race::write(&x);
/// ```
#[inline(always)]
#[track_caller]
pub fn write<T: ?Sized>(_addr: *const T) {}

/// Go's `race.Disable()`: suspend this goroutine's synchronisation events (nestable).
///
/// ```
/// gosync::race::disable();
/// gosync::race::enable();
/// ```
#[inline(always)]
pub fn disable() {}

/// Go's `race.Enable()`: undo one [`disable`].
///
/// ```
/// gosync::race::disable();
/// gosync::race::enable();
/// ```
#[inline(always)]
pub fn enable() {}

/// Go's `defer race.Enable()`: re-enables on drop, so the enable survives a panic.
pub(crate) struct EnableOnDrop;

impl Drop for EnableOnDrop {
    #[inline(always)]
    fn drop(&mut self) {
        enable();
    }
}
