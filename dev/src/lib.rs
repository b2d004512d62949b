//! `gosync-dev`: not a library. This workspace member holds gosync's benchmarks
//! (`benches/`) and the tests that need heavy dev-dependencies (`tests/`: real executors,
//! the tour's SVG parsed as XML), so that building the `gosync` crate's own examples, as
//! `cargo run --example tour` does, compiles none of them. `cargo test` at the workspace
//! root runs these tests too (the root's `default-members`).
