//! A mirror of [`std::thread`] whose threads the race checker sees as goroutines.
//!
//! **Without the `race` feature every item here is std's own** (`pub use std::thread::..`).
//! **With it**, [`spawn`], [`Builder::spawn`], [`scope`] and [`Scope::spawn`] start each
//! thread as Go's `go` statement starts a goroutine: everything the parent did before the
//! spawn happens before everything the thread does (Go's fork edge, as
//! [`gosync::go`](crate::go)), and the thread is a goroutine of the current
//! [`race::check`](crate::race::check), which waits for it. Joining (a handle's `join`, or
//! the end of a `scope`) is the join edge: everything the thread did happens before the
//! join returns, as std promises. A join blocks through the race scheduler.
//!
//! The other items (`current`, `sleep`, `park`, `yield_now`, `Thread`, `ThreadId`, ...)
//! are std's in both builds. A thread started by plain `std::thread` that touches a
//! location checked by a running `check` is reported once on stderr, naming this module.
//!
//! ```
//! // use std::thread;
//! use gosync::thread;
//!
//! let mut parts = [0u32; 2];
//! thread::scope(|s| {
//!     for (i, part) in parts.iter_mut().enumerate() {
//!         s.spawn(move || *part = i as u32 + 1);
//!     }
//! });
//! assert_eq!(parts, [1, 2]);
//! ```

#[cfg(not(feature = "race"))]
pub use std::thread::{
    available_parallelism, current, panicking, park, park_timeout, scope, sleep, spawn, yield_now,
    AccessError, Builder, JoinHandle, LocalKey, Result, Scope, ScopedJoinHandle, Thread, ThreadId,
};

#[cfg(feature = "race")]
pub use std::thread::{
    available_parallelism, current, panicking, park, park_timeout, sleep, yield_now, AccessError,
    LocalKey, Result, Thread, ThreadId,
};

#[cfg(feature = "race")]
pub use race::{scope, spawn, Builder, JoinHandle, Scope, ScopedJoinHandle};

#[cfg(feature = "race")]
mod race {
    use std::collections::BTreeMap;
    use std::fmt;
    use std::io;
    use std::sync::{Arc, Mutex, PoisonError};

    use super::{Result, Thread};
    use crate::race::{self as checker, Joiner, ObjectId, Site};
    use crate::sync::block;

    /// std's [`JoinHandle`](std::thread::JoinHandle), with the join edge.
    ///
    /// ```
    /// let handle = gosync::thread::spawn(|| 6 * 7);
    /// assert_eq!(handle.join().unwrap(), 42);
    /// ```
    pub struct JoinHandle<T> {
        inner: std::thread::JoinHandle<T>,
        joiner: Joiner,
    }

    impl<T> JoinHandle<T> {
        /// std's [`JoinHandle::join`](std::thread::JoinHandle::join): waits for the
        /// thread; everything it did happens before this returns.
        ///
        /// # Errors
        ///
        /// The thread's panic payload, if it panicked.
        ///
        /// ```
        /// let handle = gosync::thread::spawn(|| panic!("boom"));
        /// assert!(handle.join().is_err());
        /// ```
        #[track_caller]
        pub fn join(self) -> Result<T> {
            self.joiner.wait_exit(); // asleep in the scheduler, as check sees it
            let result = self.inner.join();
            self.joiner.join_edge();
            result
        }

        /// std's [`JoinHandle::thread`](std::thread::JoinHandle::thread).
        ///
        /// ```
        /// let handle = gosync::thread::Builder::new()
        ///     .name("worker".into())
        ///     .spawn(|| {})
        ///     .unwrap();
        /// assert_eq!(handle.thread().name(), Some("worker"));
        /// # handle.join().unwrap();
        /// ```
        pub fn thread(&self) -> &Thread {
            self.inner.thread()
        }

        /// std's [`JoinHandle::is_finished`](std::thread::JoinHandle::is_finished).
        ///
        /// ```
        /// let handle = gosync::thread::spawn(|| {});
        /// let _maybe = handle.is_finished();
        /// # handle.join().unwrap();
        /// ```
        pub fn is_finished(&self) -> bool {
            self.inner.is_finished()
        }
    }

    impl<T> fmt::Debug for JoinHandle<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("JoinHandle").finish_non_exhaustive()
        }
    }

    /// std's [`Builder`](std::thread::Builder): a thread's name and stack size.
    ///
    /// ```
    /// let handle = gosync::thread::Builder::new()
    ///     .name("sum".into())
    ///     .stack_size(64 * 1024)
    ///     .spawn(|| (1..=3).sum::<u32>())
    ///     .unwrap();
    /// assert_eq!(handle.join().unwrap(), 6);
    /// ```
    #[derive(Debug)]
    pub struct Builder {
        inner: std::thread::Builder,
    }

    impl Builder {
        /// std's [`Builder::new`](std::thread::Builder::new).
        ///
        /// ```
        /// let _ = gosync::thread::Builder::new();
        /// ```
        #[allow(clippy::new_without_default)] // std's Builder has no Default either
        pub fn new() -> Builder {
            Builder {
                inner: std::thread::Builder::new(),
            }
        }

        /// std's [`Builder::name`](std::thread::Builder::name).
        ///
        /// ```
        /// let t = gosync::thread::Builder::new().name("n".into()).spawn(|| {}).unwrap();
        /// assert_eq!(t.thread().name(), Some("n"));
        /// # t.join().unwrap();
        /// ```
        pub fn name(self, name: String) -> Builder {
            Builder {
                inner: self.inner.name(name),
            }
        }

        /// std's [`Builder::stack_size`](std::thread::Builder::stack_size).
        ///
        /// ```
        /// let t = gosync::thread::Builder::new().stack_size(1 << 16).spawn(|| 1).unwrap();
        /// assert_eq!(t.join().unwrap(), 1);
        /// ```
        pub fn stack_size(self, size: usize) -> Builder {
            Builder {
                inner: self.inner.stack_size(size),
            }
        }

        /// std's [`Builder::spawn`](std::thread::Builder::spawn), with Go's fork edge.
        ///
        /// # Errors
        ///
        /// The OS's error if the thread cannot be created.
        ///
        /// ```
        /// let t = gosync::thread::Builder::new().spawn(|| "ok").unwrap();
        /// assert_eq!(t.join().unwrap(), "ok");
        /// ```
        #[track_caller]
        pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
        where
            F: FnOnce() -> T + Send + 'static,
            T: Send + 'static,
        {
            let (child, joiner) = checker::fork();
            let inner = self.inner.spawn(move || child.run(f))?;
            Ok(JoinHandle { inner, joiner })
        }

        /// std's [`Builder::spawn_scoped`](std::thread::Builder::spawn_scoped).
        ///
        /// # Errors
        ///
        /// The OS's error if the thread cannot be created.
        ///
        /// ```
        /// let mut x = 0;
        /// gosync::thread::scope(|s| {
        ///     gosync::thread::Builder::new().spawn_scoped(s, || x = 1).unwrap();
        /// });
        /// assert_eq!(x, 1);
        /// ```
        #[track_caller]
        pub fn spawn_scoped<'scope, 'env, F, T>(
            self,
            scope: &'scope Scope<'scope, 'env>,
            f: F,
        ) -> io::Result<ScopedJoinHandle<'scope, T>>
        where
            F: FnOnce() -> T + Send + 'scope,
            T: Send + 'scope,
        {
            let state = scope.state();
            let (child, joiner) = checker::fork();
            *lock(&state.running) += 1;
            let ended = ScopedEnd(state);
            let inner = self.inner.spawn_scoped(&scope.inner, move || {
                // Inside the goroutine: its release, and the wake-up of the scope's owner,
                // come before it ends (else the owner would look asleep with no one left).
                child.run(move || {
                    let _ended = ended;
                    f()
                })
            })?;
            Ok(ScopedJoinHandle { inner, joiner })
        }
    }

    /// std's [`spawn`](std::thread::spawn), with Go's fork edge: the thread is a
    /// goroutine of the current `check`.
    ///
    /// # Panics
    ///
    /// With std's `failed to spawn thread` if the OS cannot create it.
    ///
    /// ```
    /// use gosync::sync::{Arc, Mutex};
    ///
    /// let log = Arc::new(Mutex::new(vec![]));
    /// let l = log.clone();
    /// gosync::thread::spawn(move || l.lock().unwrap().push("child")).join().unwrap();
    /// assert_eq!(*log.lock().unwrap(), ["child"]);
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Builder::new().spawn(f).expect("failed to spawn thread")
    }

    /// std's [`Scope`](std::thread::Scope), whose threads are goroutines with fork and
    /// join edges.
    ///
    /// ```
    /// let data = vec![1, 2, 3];
    /// let total = gosync::thread::scope(|s| {
    ///     let left = s.spawn(|| data[..1].iter().sum::<i32>());
    ///     let right = s.spawn(|| data[1..].iter().sum::<i32>());
    ///     left.join().unwrap() + right.join().unwrap()
    /// });
    /// assert_eq!(total, 6);
    /// ```
    #[repr(transparent)]
    pub struct Scope<'scope, 'env: 'scope> {
        inner: std::thread::Scope<'scope, 'env>,
    }

    /// std's [`ScopedJoinHandle`](std::thread::ScopedJoinHandle), with the join edge.
    ///
    /// ```
    /// gosync::thread::scope(|s| {
    ///     let h = s.spawn(|| 5);
    ///     assert_eq!(h.join().unwrap(), 5);
    /// });
    /// ```
    pub struct ScopedJoinHandle<'scope, T> {
        inner: std::thread::ScopedJoinHandle<'scope, T>,
        joiner: Joiner,
    }

    /// What a scope's threads share beyond std's scope: where they release at their end
    /// (the scope's implicit join edge), and how many still run.
    struct ScopeState {
        /// Every scoped thread merges into it when it ends; `scope` acquires it.
        ended: ObjectId,
        running: Mutex<usize>,
    }

    /// Ends a scoped thread: its release into the scope, then one fewer running.
    struct ScopedEnd(Arc<ScopeState>);

    impl Drop for ScopedEnd {
        fn drop(&mut self) {
            crate::race::keyed::release_merge(&self.0.ended);
            *lock(&self.0.running) -= 1;
            block::progress(&self.0.ended);
        }
    }

    fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        mutex.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state of each running scope, by the address of its std `Scope` (a `Scope` is
    /// std's type in a transparent wrapper, so it can carry nothing of its own).
    fn scopes() -> std::sync::MutexGuard<'static, BTreeMap<usize, Arc<ScopeState>>> {
        static SCOPES: Mutex<BTreeMap<usize, Arc<ScopeState>>> = Mutex::new(BTreeMap::new());
        lock(&SCOPES)
    }

    impl<'scope, 'env> Scope<'scope, 'env> {
        fn wrap<'a>(inner: &'a std::thread::Scope<'scope, 'env>) -> &'a Scope<'scope, 'env> {
            let inner: *const std::thread::Scope<'scope, 'env> = inner;
            // SAFETY: `Scope` is `repr(transparent)` over std's `Scope`, so the pointee has
            // the same layout; the lifetime is the borrow's.
            unsafe { &*inner.cast::<Scope<'scope, 'env>>() }
        }

        fn key(&self) -> usize {
            &self.inner as *const std::thread::Scope<'scope, 'env> as usize
        }

        fn state(&self) -> Arc<ScopeState> {
            scopes()
                .get(&self.key())
                .cloned()
                .expect("a scope is registered while it runs")
        }

        /// std's [`Scope::spawn`](std::thread::Scope::spawn), with Go's fork edge.
        ///
        /// # Panics
        ///
        /// With std's `failed to spawn thread` if the OS cannot create it.
        ///
        /// ```
        /// let mut n = 0;
        /// gosync::thread::scope(|s| {
        ///     s.spawn(|| n += 1);
        /// });
        /// assert_eq!(n, 1);
        /// ```
        #[track_caller]
        pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
        where
            F: FnOnce() -> T + Send + 'scope,
            T: Send + 'scope,
        {
            Builder::new()
                .spawn_scoped(self, f)
                .expect("failed to spawn thread")
        }
    }

    impl fmt::Debug for Scope<'_, '_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.inner.fmt(f)
        }
    }

    impl<T> ScopedJoinHandle<'_, T> {
        /// std's [`ScopedJoinHandle::join`](std::thread::ScopedJoinHandle::join): waits
        /// for the thread; everything it did happens before this returns.
        ///
        /// # Errors
        ///
        /// The thread's panic payload, if it panicked.
        ///
        /// ```
        /// gosync::thread::scope(|s| {
        ///     assert!(s.spawn(|| panic!("boom")).join().is_err());
        /// });
        /// ```
        #[track_caller]
        pub fn join(self) -> Result<T> {
            self.joiner.wait_exit(); // asleep in the scheduler, as check sees it
            let result = self.inner.join();
            self.joiner.join_edge();
            result
        }

        /// std's [`ScopedJoinHandle::thread`](std::thread::ScopedJoinHandle::thread).
        ///
        /// ```
        /// gosync::thread::scope(|s| {
        ///     let h = s.spawn(|| {});
        ///     let _id = h.thread().id();
        /// });
        /// ```
        pub fn thread(&self) -> &Thread {
            self.inner.thread()
        }

        /// std's [`ScopedJoinHandle::is_finished`](std::thread::ScopedJoinHandle::is_finished).
        ///
        /// ```
        /// gosync::thread::scope(|s| {
        ///     let h = s.spawn(|| {});
        ///     let _maybe = h.is_finished();
        /// });
        /// ```
        pub fn is_finished(&self) -> bool {
            self.inner.is_finished()
        }
    }

    impl<T> fmt::Debug for ScopedJoinHandle<'_, T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("ScopedJoinHandle").finish_non_exhaustive()
        }
    }

    /// std's [`scope`](std::thread::scope): every thread spawned in it is joined before
    /// it returns, and everything those threads did happens before that return.
    ///
    /// # Panics
    ///
    /// As std's: if `f` or an unjoined thread panicked, after joining them all.
    ///
    /// ```
    /// let mut a = vec![1, 2, 3];
    /// gosync::thread::scope(|s| {
    ///     s.spawn(|| a.push(4));
    /// });
    /// assert_eq!(a.len(), 4); // the thread's write happens before this read
    /// ```
    #[track_caller]
    pub fn scope<'env, F, T>(f: F) -> T
    where
        F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
    {
        /// Unregisters the scope (also when `f` panics) and takes the join edge.
        struct Unregister(usize, Arc<ScopeState>);
        impl Drop for Unregister {
            fn drop(&mut self) {
                scopes().remove(&self.0);
                crate::race::keyed::acquire(&self.1.ended);
            }
        }
        let site = Site::here();
        let mut unregister = None;
        std::thread::scope(|s| {
            let scope = Scope::wrap(s);
            let state = Arc::new(ScopeState {
                ended: ObjectId::new(),
                running: Mutex::new(0),
            });
            scopes().insert(scope.key(), state.clone());
            let state = &unregister.insert(Unregister(scope.key(), state)).1;
            let out = f(scope);
            // std's implicit join, as a wait the scheduler can see.
            block::block_on(
                &[&state.ended],
                "gosync::thread::scope",
                site.clone(),
                None,
                || (*lock(&state.running) == 0).then_some(()),
            )
            .expect("a scope has no deadline");
            out
        })
    }
}
