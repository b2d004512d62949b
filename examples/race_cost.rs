//! The instruction count of race mode's common path (docs/race.md, "Performance"): `n`
//! rounds of `add`, `RaceCell::set`, `RaceCell::get`, `done`, `wait` inside one `check`.
//!
//! ```text
//! cargo build --release --features race --example race_cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/race_cost 100000
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/race_cost 200000
//! ```
//!
//! The difference of the two "Collected" totals over 100 000 is the cost of one round.
use gosync::race::{check, RaceCell};
use gosync::WaitGroup;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(100_000, |n| n.parse().expect("the number of rounds"));
    let ((), races) = check(|| {
        let x = RaceCell::new(0u64);
        let wg = WaitGroup::new();
        for i in 0..n {
            wg.add(1);
            x.set(i);
            let _ = x.get();
            wg.done();
            wg.wait();
        }
    });
    assert!(races.is_empty());
}
