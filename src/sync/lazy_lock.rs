//! [`LazyLock`]: std's lazily initialised value, on this mirror's [`OnceLock`].

use std::fmt;
use std::ops::Deref;
use std::sync::PoisonError;

use super::OnceLock;

/// std's [`LazyLock`](std::sync::LazyLock), seen by the race checker: the initialiser's
/// completion happens before every dereference that returns. A panicking initialiser
/// poisons it, as std's: later dereferences panic.
///
/// ```
/// use gosync::sync::LazyLock;
///
/// static SQUARES: LazyLock<Vec<u32>> = LazyLock::new(|| (0..4).map(|i| i * i).collect());
/// assert_eq!(SQUARES[3], 9);
/// ```
pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    init: std::sync::Mutex<Option<F>>,
}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    /// std's [`LazyLock::new`](std::sync::LazyLock::new).
    ///
    /// ```
    /// let lazy = gosync::sync::LazyLock::new(|| 6 * 7);
    /// assert_eq!(*lazy, 42);
    /// ```
    pub const fn new(f: F) -> LazyLock<T, F> {
        LazyLock {
            cell: OnceLock::new(),
            init: std::sync::Mutex::new(Some(f)),
        }
    }

    /// std's [`LazyLock::force`](std::sync::LazyLock::force): runs the initialiser if it
    /// has not run, and returns the value.
    ///
    /// # Panics
    ///
    /// With std's `LazyLock instance has previously been poisoned` if the initialiser
    /// panicked before.
    ///
    /// ```
    /// use gosync::sync::LazyLock;
    ///
    /// let lazy = LazyLock::new(|| String::from("hi"));
    /// assert_eq!(LazyLock::force(&lazy), "hi");
    /// ```
    #[track_caller]
    pub fn force(this: &LazyLock<T, F>) -> &T {
        this.cell.get_or_init(|| {
            let f = this
                .init
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match f {
                Some(f) => f(),
                None => panic!("LazyLock instance has previously been poisoned"),
            }
        })
    }
}

impl<T, F: FnOnce() -> T> Deref for LazyLock<T, F> {
    type Target = T;
    #[track_caller]
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T: Default> Default for LazyLock<T> {
    /// std's `Default`: initialised with `T::default`.
    fn default() -> LazyLock<T> {
        LazyLock::new(T::default)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_tuple("LazyLock");
        match self.cell.get() {
            Some(v) => d.field(v),
            None => d.field(&format_args!("<uninit>")),
        };
        d.finish()
    }
}
