//! A mirror of [`std::sync`]: the same items, with the race checker's annotations under
//! the `race` feature and std's own items without it.

pub mod atomic;
