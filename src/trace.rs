//! `TRACE` events behind the `tracing` feature; with the feature off nothing is compiled in
//! (the macro expands to nothing, its arguments are never evaluated).

#[cfg(feature = "tracing")]
macro_rules! trace {
    ($($arg:tt)+) => { ::tracing::trace!($($arg)+) };
}

#[cfg(not(feature = "tracing"))]
macro_rules! trace {
    ($($arg:tt)+) => {};
}

pub(crate) use trace;
