//! A mirror of [`std::sync::atomic`]: the same types, methods and functions.
//!
//! Without the `race` feature every item here **is** std's (a `pub use`): same types,
//! zero cost. With `race`, each atomic type is a `#[repr(transparent)]` wrapper around
//! std's whose operations the race checker sees under the Rust (C++20) memory model:
//!
//! - `Relaxed` makes no happens-before edge;
//! - a `Release` (or `AcqRel`, `SeqCst`) store or read-modify-write releases, an `Acquire`
//!   (or `AcqRel`, `SeqCst`) load or read-modify-write acquires: a load that reads a value
//!   synchronizes with the release that heads its *release sequence*;
//! - read-modify-writes continue a release sequence; any other store ends it;
//! - [`fence`]`(Release)` before a relaxed store, and a relaxed load before
//!   [`fence`]`(Acquire)`, synchronize like a release store and an acquire load;
//! - `SeqCst` is `AcqRel` for happens-before (its total order constrains which values
//!   are read, and every load here reads the latest store).
//!
//! Atomic accesses never race with each other, and they race with an unordered plain
//! access of the same memory. This is stricter than Go's detector, whose atomics are all
//! sequentially consistent: a relaxed flag that publishes data is a race in Rust, and
//! gosync reports it.
//!
//! ```
//! # #[cfg(feature = "race")] {
//! use gosync::race::{check, RaceCell};
//! use gosync::sync::atomic::{AtomicBool, Ordering};
//! use std::sync::Arc;
//!
//! for (store, load, races) in [
//!     (Ordering::Release, Ordering::Acquire, 0),
//!     (Ordering::Relaxed, Ordering::Relaxed, 1), // the flag publishes nothing
//! ] {
//!     let ((), found) = check(|| {
//!         let (data, ready) = (Arc::new(RaceCell::new(0)), Arc::new(AtomicBool::new(false)));
//!         let (d, r) = (data.clone(), ready.clone());
//!         gosync::go(move || {
//!             d.set(42);
//!             r.store(true, store);
//!         });
//!         while !ready.load(load) {
//!             std::thread::yield_now();
//!         }
//!         data.get();
//!     });
//!     assert_eq!(found.len(), races);
//! }
//! # }
//! ```
//!
//! The model, its sources and its one simplification (every load reads the latest store,
//! as in ThreadSanitizer) are in `docs/race.md`, "Atomics and fences". In race mode:
//! `into_inner` is not a `const fn` (the wrapper frees its checker state on drop), and
//! `get_mut`/`into_inner` are not checked accesses (`&mut` already excludes a race).

pub use std::sync::atomic::{compiler_fence, Ordering};

#[allow(deprecated)]
pub use std::sync::atomic::spin_loop_hint;

#[cfg(not(feature = "race"))]
#[allow(deprecated)]
pub use std::sync::atomic::{
    fence, AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicPtr,
    AtomicU16, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, ATOMIC_BOOL_INIT, ATOMIC_ISIZE_INIT,
    ATOMIC_USIZE_INIT,
};

#[cfg(feature = "race")]
pub use race_mode::*;

#[cfg(feature = "race")]
mod race_mode {
    use std::fmt;
    use std::sync::atomic as std_atomic;

    use super::Ordering;
    use crate::race::atomic::{operation, Effect};
    use crate::race::Site;

    /// std's `compare_and_swap` failure ordering: the strongest one `order` allows.
    fn strongest_failure_ordering(order: Ordering) -> Ordering {
        match order {
            Ordering::Release | Ordering::Relaxed => Ordering::Relaxed,
            Ordering::AcqRel | Ordering::Acquire => Ordering::Acquire,
            _ => Ordering::SeqCst,
        }
    }

    /// An atomic memory fence (std's [`fence`](std::sync::atomic::fence)), and in the
    /// race checker: `Acquire` acquires what this goroutine's earlier relaxed loads read,
    /// `Release` makes its later relaxed stores release what it has seen so far;
    /// `AcqRel` and `SeqCst` do both. Panics on `Relaxed`, as std's does.
    ///
    /// ```
    /// use gosync::sync::atomic::{fence, AtomicBool, Ordering};
    ///
    /// let ready = AtomicBool::new(false);
    /// fence(Ordering::Release); // publishes what came before...
    /// ready.store(true, Ordering::Relaxed); // ...through this relaxed store
    /// assert!(ready.load(Ordering::Relaxed));
    /// fence(Ordering::Acquire); // acquires what the relaxed load read
    /// ```
    pub fn fence(order: Ordering) {
        std_atomic::fence(order);
        crate::race::atomic::fence(order);
    }

    /// The methods every atomic type has, for the wrapper `$Atomic` of std's `$Std`
    /// holding `$T`; `$v0`, `$v1`, `$v2` are example values for the docs.
    macro_rules! common_methods {
        ($Atomic:ident, $T:ty, $v0:literal, $v1:literal, $v2:literal) => {
            #[doc = concat!("Creates a new atomic (std's `", stringify!($Atomic), "::new`).")]
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Relaxed), ", $v0, ");")]
            /// ```
            pub const fn new(v: $T) -> Self {
                Self {
                    inner: std_atomic::$Atomic::new(v),
                }
            }

            #[doc = concat!("Creates a new reference to an atomic from a pointer (std's `", stringify!($Atomic), "::from_ptr`).")]
            ///
            /// # Safety
            ///
            #[doc = concat!("As std's `", stringify!($Atomic), "::from_ptr`: `ptr` is aligned for the atomic type, valid for")]
            /// reads and writes for `'a`, and not accessed non-atomically while `'a` lasts.
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let mut v = ", stringify!($Atomic), "::new(", $v0, ");")]
            /// let ptr = v.as_ptr();
            /// // SAFETY: `ptr` comes from an atomic of this type, alive and only used
            /// // atomically below.
            #[doc = concat!("let a = unsafe { ", stringify!($Atomic), "::from_ptr(ptr) };")]
            #[doc = concat!("a.store(", $v1, ", Ordering::Relaxed);")]
            #[doc = concat!("assert_eq!(*v.get_mut(), ", $v1, ");")]
            /// ```
            pub unsafe fn from_ptr<'a>(ptr: *mut $T) -> &'a Self {
                // SAFETY: the caller upholds std's `from_ptr` contract for `ptr`, and
                // `Self` is `repr(transparent)` over std's atomic, which has the layout
                // of `$T` with the alignment the contract requires.
                unsafe { &*ptr.cast::<Self>() }
            }

            /// Returns a mutable reference to the value (std's `get_mut`). Not a checked
            /// access: `&mut self` already rules out a race.
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let mut a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("*a.get_mut() = ", $v1, ";")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Relaxed), ", $v1, ");")]
            /// ```
            pub fn get_mut(&mut self) -> &mut $T {
                self.inner.get_mut()
            }

            /// Consumes the atomic and returns the value (std's `into_inner`; not a
            /// `const fn` in race mode). Not a checked access.
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::", stringify!($Atomic), ";")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("assert_eq!(a.into_inner(), ", $v0, ");")]
            /// ```
            pub fn into_inner(mut self) -> $T {
                *self.inner.get_mut()
            }

            /// Loads the value (std's `load`; panics on `Release` and `AcqRel` as std
            /// does). Race checker: an atomic read; `Acquire`/`SeqCst` acquire the release
            /// sequence of the value read, `Relaxed` makes no edge (a later acquire
            /// [`fence`](super::fence) does).
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Acquire), ", $v0, ");")]
            /// ```
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $T {
                operation(self.addr(), Site::here(), || {
                    (self.inner.load(order), Effect::Load(order))
                })
            }

            /// Stores a value (std's `store`; panics on `Acquire` and `AcqRel` as std
            /// does). Race checker: an atomic write that ends the current release
            /// sequence; `Release`/`SeqCst` start a new one, `Relaxed` releases only what
            /// an earlier release [`fence`](super::fence) of this goroutine did.
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("a.store(", $v1, ", Ordering::Release);")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Acquire), ", $v1, ");")]
            /// ```
            #[track_caller]
            pub fn store(&self, val: $T, order: Ordering) {
                operation(self.addr(), Site::here(), || {
                    (self.inner.store(val, order), Effect::Store(order))
                })
            }

            /// Stores a value, returning the previous one (std's `swap`). Race checker: a
            /// read-modify-write with `order`.
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("assert_eq!(a.swap(", $v1, ", Ordering::AcqRel), ", $v0, ");")]
            /// ```
            #[track_caller]
            pub fn swap(&self, val: $T, order: Ordering) -> $T {
                operation(self.addr(), Site::here(), || {
                    (self.inner.swap(val, order), Effect::Rmw(order))
                })
            }

            /// Stores `new` if the value is `current`, returning the previous value
            /// (std's deprecated `compare_and_swap`: `compare_exchange` with the strongest
            /// failure ordering `order` allows).
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            /// #[allow(deprecated)]
            #[doc = concat!("let previous = a.compare_and_swap(", $v0, ", ", $v1, ", Ordering::SeqCst);")]
            #[doc = concat!("assert_eq!(previous, ", $v0, ");")]
            /// ```
            #[deprecated(
                since = "1.50.0",
                note = "Use `compare_exchange` or `compare_exchange_weak` instead"
            )]
            #[track_caller]
            pub fn compare_and_swap(&self, current: $T, new: $T, order: Ordering) -> $T {
                match self.compare_exchange(
                    current,
                    new,
                    order,
                    strongest_failure_ordering(order),
                ) {
                    Ok(previous) | Err(previous) => previous,
                }
            }

            /// Stores `new` if the value is `current` (std's `compare_exchange`). Race
            /// checker: on success a read-modify-write with `success`, on failure a load
            /// with `failure`.
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("let won = a.compare_exchange(", $v0, ", ", $v1, ", Ordering::AcqRel, Ordering::Acquire);")]
            #[doc = concat!("assert_eq!(won, Ok(", $v0, "));")]
            #[doc = concat!("let lost = a.compare_exchange(", $v0, ", ", $v2, ", Ordering::AcqRel, Ordering::Acquire);")]
            #[doc = concat!("assert_eq!(lost, Err(", $v1, "));")]
            /// ```
            #[track_caller]
            pub fn compare_exchange(
                &self,
                current: $T,
                new: $T,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$T, $T> {
                operation(self.addr(), Site::here(), || {
                    match self.inner.compare_exchange(current, new, success, failure) {
                        Ok(previous) => (Ok(previous), Effect::Rmw(success)),
                        Err(previous) => (Err(previous), Effect::Load(failure)),
                    }
                })
            }

            /// As [`compare_exchange`](Self::compare_exchange), but may fail spuriously
            /// (std's `compare_exchange_weak`); a spurious failure is a load with
            /// `failure`.
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("while a.compare_exchange_weak(", $v0, ", ", $v1, ", Ordering::AcqRel, Ordering::Relaxed).is_err() {}")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Relaxed), ", $v1, ");")]
            /// ```
            #[track_caller]
            pub fn compare_exchange_weak(
                &self,
                current: $T,
                new: $T,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$T, $T> {
                operation(self.addr(), Site::here(), || {
                    match self
                        .inner
                        .compare_exchange_weak(current, new, success, failure)
                    {
                        Ok(previous) => (Ok(previous), Effect::Rmw(success)),
                        Err(previous) => (Err(previous), Effect::Load(failure)),
                    }
                })
            }

            /// Applies `f` until it returns `None` or its result is stored (std's
            /// `fetch_update`, written as std writes it: a `load` with `fetch_order`,
            /// then `compare_exchange_weak`s with `set_order` and `fetch_order`, each
            /// seen by the race checker). `f` runs outside the checker's locks.
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("let r = a.fetch_update(Ordering::AcqRel, Ordering::Acquire, |_| Some(", $v1, "));")]
            #[doc = concat!("assert_eq!(r, Ok(", $v0, "));")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Relaxed), ", $v1, ");")]
            /// ```
            #[track_caller]
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                mut f: F,
            ) -> Result<$T, $T>
            where
                F: FnMut($T) -> Option<$T>,
            {
                let mut prev = self.load(fetch_order);
                while let Some(next) = f(prev) {
                    match self.compare_exchange_weak(prev, next, set_order, fetch_order) {
                        x @ Ok(_) => return x,
                        Err(next_prev) => prev = next_prev,
                    }
                }
                Err(prev)
            }

            /// A raw pointer to the value (std's `as_ptr`). Accesses through it are not
            /// seen by the checker; annotate plain ones with
            /// [`race::read`](crate::race::read)/[`race::write`](crate::race::write).
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::", stringify!($Atomic), ";")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            /// assert!(!a.as_ptr().is_null());
            /// ```
            pub const fn as_ptr(&self) -> *mut $T {
                self.inner.as_ptr()
            }

            /// The address the checker keys this atomic by.
            fn addr(&self) -> usize {
                self as *const Self as usize
            }
        };
    }

    /// A read-modify-write method `$name` (std's, same name), race checker: an RMW.
    macro_rules! rmw_method {
        ($Atomic:ident, $T:ty, $name:ident, $what:literal, $v0:literal, $arg:literal, $after:literal) => {
            #[doc = concat!($what, ", returning the previous value (std's `", stringify!($name), "`). Race checker: a read-modify-write with `order`, which continues the release sequence.")]
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($Atomic), "::new(", $v0, ");")]
            #[doc = concat!("assert_eq!(a.", stringify!($name), "(", $arg, ", Ordering::AcqRel), ", $v0, ");")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Relaxed), ", $after, ");")]
            /// ```
            #[track_caller]
            pub fn $name(&self, val: $T, order: Ordering) -> $T {
                operation(self.addr(), Site::here(), || {
                    (self.inner.$name(val, order), Effect::Rmw(order))
                })
            }
        };
    }

    /// The traits and the drop every atomic wrapper has.
    macro_rules! common_impls {
        ($Atomic:ident, $T:ty, $v0:literal) => {
            impl Default for $Atomic {
                #[doc = concat!("An atomic holding `", stringify!($T), "`'s default.")]
                ///
                /// ```
                #[doc = concat!("let a = gosync::sync::atomic::", stringify!($Atomic), "::default();")]
                #[doc = concat!("assert_eq!(a.into_inner(), ", stringify!($T), "::default());")]
                /// ```
                fn default() -> Self {
                    Self::new(<$T>::default())
                }
            }

            impl From<$T> for $Atomic {
                #[doc = concat!("Converts a `", stringify!($T), "` into an atomic.")]
                ///
                /// ```
                #[doc = concat!("let a = gosync::sync::atomic::", stringify!($Atomic), "::from(", $v0, ");")]
                #[doc = concat!("assert_eq!(a.into_inner(), ", $v0, ");")]
                /// ```
                fn from(v: $T) -> Self {
                    Self::new(v)
                }
            }

            impl fmt::Debug for $Atomic {
                /// The value, read with a `Relaxed` load (as std's `Debug` does).
                ///
                /// ```
                #[doc = concat!("let a = gosync::sync::atomic::", stringify!($Atomic), "::new(", $v0, ");")]
                #[doc = concat!("assert_eq!(format!(\"{a:?}\"), format!(\"{:?}\", ", $v0, "));")]
                /// ```
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::Debug::fmt(&self.load(Ordering::Relaxed), f)
                }
            }

            impl Drop for $Atomic {
                /// Frees the atomic's checker state (`__tsan_free`), so an object built
                /// at its address later starts clean.
                fn drop(&mut self) {
                    crate::race::atomic::forget(self.addr());
                }
            }
        };
    }

    /// An integer atomic type.
    macro_rules! atomic_int {
        ($Atomic:ident, $T:ty) => {
            #[doc = concat!("std's [`", stringify!($Atomic), "`](std::sync::atomic::", stringify!($Atomic), "), seen by the race checker (see the [module docs](super)).")]
            ///
            /// ```
            #[doc = concat!("use gosync::sync::atomic::{", stringify!($Atomic), ", Ordering};")]
            #[doc = concat!("let hits = ", stringify!($Atomic), "::new(0);")]
            /// hits.fetch_add(1, Ordering::Relaxed);
            /// assert_eq!(hits.load(Ordering::Relaxed), 1);
            /// ```
            #[repr(transparent)]
            pub struct $Atomic {
                inner: std_atomic::$Atomic,
            }

            impl $Atomic {
                common_methods!($Atomic, $T, "5", "10", "7");
                rmw_method!($Atomic, $T, fetch_add, "Adds to the value", "5", "2", "7");
                rmw_method!($Atomic, $T, fetch_sub, "Subtracts from the value", "5", "2", "3");
                rmw_method!($Atomic, $T, fetch_and, "Bitwise and with the value", "5", "4", "4");
                rmw_method!($Atomic, $T, fetch_nand, "Bitwise nand with the value", "5", "4", "!4");
                rmw_method!($Atomic, $T, fetch_or, "Bitwise or with the value", "5", "2", "7");
                rmw_method!($Atomic, $T, fetch_xor, "Bitwise xor with the value", "5", "1", "4");
                rmw_method!($Atomic, $T, fetch_max, "Maximum with the value", "5", "7", "7");
                rmw_method!($Atomic, $T, fetch_min, "Minimum with the value", "5", "2", "2");
            }

            common_impls!($Atomic, $T, "5");
        };
    }

    atomic_int!(AtomicI8, i8);
    atomic_int!(AtomicU8, u8);
    atomic_int!(AtomicI16, i16);
    atomic_int!(AtomicU16, u16);
    atomic_int!(AtomicI32, i32);
    atomic_int!(AtomicU32, u32);
    atomic_int!(AtomicI64, i64);
    atomic_int!(AtomicU64, u64);
    atomic_int!(AtomicIsize, isize);
    atomic_int!(AtomicUsize, usize);

    /// std's [`AtomicBool`](std::sync::atomic::AtomicBool), seen by the race checker (see
    /// the [module docs](super)).
    ///
    /// ```
    /// use gosync::sync::atomic::{AtomicBool, Ordering};
    /// let ready = AtomicBool::new(false);
    /// ready.store(true, Ordering::Release);
    /// assert!(ready.load(Ordering::Acquire));
    /// ```
    #[repr(transparent)]
    pub struct AtomicBool {
        inner: std_atomic::AtomicBool,
    }

    impl AtomicBool {
        common_methods!(AtomicBool, bool, "false", "true", "false");
        rmw_method!(
            AtomicBool,
            bool,
            fetch_and,
            "Logical and with the value",
            "true",
            "false",
            "false"
        );
        rmw_method!(
            AtomicBool,
            bool,
            fetch_nand,
            "Logical nand with the value",
            "true",
            "true",
            "false"
        );
        rmw_method!(
            AtomicBool,
            bool,
            fetch_or,
            "Logical or with the value",
            "false",
            "true",
            "true"
        );
        rmw_method!(
            AtomicBool,
            bool,
            fetch_xor,
            "Logical xor with the value",
            "true",
            "true",
            "false"
        );
    }

    common_impls!(AtomicBool, bool, "true");

    /// std's [`AtomicPtr`](std::sync::atomic::AtomicPtr), seen by the race checker (see
    /// the [module docs](super)).
    ///
    /// ```
    /// use gosync::sync::atomic::{AtomicPtr, Ordering};
    /// let mut x = 5;
    /// let p = AtomicPtr::new(&mut x as *mut i32);
    /// assert_eq!(p.load(Ordering::Acquire), &mut x as *mut i32);
    /// ```
    #[repr(transparent)]
    pub struct AtomicPtr<T> {
        inner: std_atomic::AtomicPtr<T>,
    }

    impl<T> AtomicPtr<T> {
        common_methods!(
            AtomicPtr,
            *mut T,
            "std::ptr::null_mut::<i32>()",
            "std::ptr::NonNull::<i32>::dangling().as_ptr()",
            "4usize as *mut i32"
        );
    }

    impl<T> Default for AtomicPtr<T> {
        /// A null `AtomicPtr`.
        ///
        /// ```
        /// let p = gosync::sync::atomic::AtomicPtr::<u8>::default();
        /// assert!(p.into_inner().is_null());
        /// ```
        fn default() -> Self {
            Self::new(std::ptr::null_mut())
        }
    }

    impl<T> From<*mut T> for AtomicPtr<T> {
        /// Converts a pointer into an `AtomicPtr`.
        ///
        /// ```
        /// let p = gosync::sync::atomic::AtomicPtr::from(std::ptr::null_mut::<u8>());
        /// assert!(p.into_inner().is_null());
        /// ```
        fn from(p: *mut T) -> Self {
            Self::new(p)
        }
    }

    impl<T> fmt::Debug for AtomicPtr<T> {
        /// The pointer, read with a `Relaxed` load (as std's `Debug` does).
        ///
        /// ```
        /// let p = gosync::sync::atomic::AtomicPtr::<u8>::default();
        /// assert_eq!(format!("{p:?}"), format!("{:?}", std::ptr::null_mut::<u8>()));
        /// ```
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Debug::fmt(&self.load(Ordering::Relaxed), f)
        }
    }

    impl<T> fmt::Pointer for AtomicPtr<T> {
        /// The pointer, read with a `SeqCst` load (as std's `Pointer` does).
        ///
        /// ```
        /// let p = gosync::sync::atomic::AtomicPtr::<u8>::default();
        /// assert_eq!(format!("{p:p}"), format!("{:p}", std::ptr::null_mut::<u8>()));
        /// ```
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Pointer::fmt(&self.load(Ordering::SeqCst), f)
        }
    }

    impl<T> Drop for AtomicPtr<T> {
        /// Frees the atomic's checker state (`__tsan_free`).
        fn drop(&mut self) {
            crate::race::atomic::forget(self.addr());
        }
    }

    /// std's deprecated `ATOMIC_BOOL_INIT`: an `AtomicBool` holding `false`.
    #[deprecated(since = "1.34.0", note = "the `new` function is now preferred")]
    #[allow(clippy::declare_interior_mutable_const)] // std's item is this `const`
    pub const ATOMIC_BOOL_INIT: AtomicBool = AtomicBool::new(false);
    /// std's deprecated `ATOMIC_ISIZE_INIT`: an `AtomicIsize` holding 0.
    #[deprecated(since = "1.34.0", note = "the `new` function is now preferred")]
    #[allow(clippy::declare_interior_mutable_const)] // std's item is this `const`
    pub const ATOMIC_ISIZE_INIT: AtomicIsize = AtomicIsize::new(0);
    /// std's deprecated `ATOMIC_USIZE_INIT`: an `AtomicUsize` holding 0.
    #[deprecated(since = "1.34.0", note = "the `new` function is now preferred")]
    #[allow(clippy::declare_interior_mutable_const)] // std's item is this `const`
    pub const ATOMIC_USIZE_INIT: AtomicUsize = AtomicUsize::new(0);
}

#[cfg(test)]
mod tests {
    use std::any::TypeId;
    use std::mem::{align_of, size_of};
    use std::sync::atomic as std_atomic;

    /// Without `race` the mirror's types are std's; with it, each has std's layout (so
    /// `from_ptr` and `as_ptr` keep std's meaning).
    #[test]
    fn the_types_are_stds_or_have_stds_layout() {
        macro_rules! same {
            ($($t:ident),*) => {$(
                if cfg!(feature = "race") {
                    assert_eq!(size_of::<super::$t>(), size_of::<std_atomic::$t>());
                    assert_eq!(align_of::<super::$t>(), align_of::<std_atomic::$t>());
                } else {
                    assert_eq!(TypeId::of::<super::$t>(), TypeId::of::<std_atomic::$t>());
                }
            )*};
        }
        same!(
            AtomicBool,
            AtomicI8,
            AtomicU8,
            AtomicI16,
            AtomicU16,
            AtomicI32,
            AtomicU32,
            AtomicI64,
            AtomicU64,
            AtomicIsize,
            AtomicUsize
        );
        type Ptr = super::AtomicPtr<u8>;
        assert_eq!(size_of::<Ptr>(), size_of::<std_atomic::AtomicPtr<u8>>());
        assert_eq!(
            cfg!(feature = "race"),
            TypeId::of::<Ptr>() != TypeId::of::<std_atomic::AtomicPtr<u8>>()
        );
    }
}
