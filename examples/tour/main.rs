//! The tour: Go 1.19's `sync.WaitGroup` explained by a real run of its Rust port.
//!
//! ```text
//! cargo run --example tour                       # narrate the run
//! cargo run --example tour -- --svg tour.svg     # ... and draw it as a timeline
//! cargo run --example tour --features tracing    # + scene 3: a token before the sleep
//! cargo run --example tour --features race -- --svg tour.svg   # + happens-before edges
//! ```
//!
//! Modules: `director` runs the scenes (its `goroutine`s cued one step at a time, each step
//! checked and kept by the `recorder`), `branch` replays Go's decisions
//! (checked against the run), `record` holds what was seen, `narrate` and `svg` show it,
//! `pause` (with `tracing`) holds a waiter between its CAS and the semaphore.

mod branch;
mod director;
mod goroutine;
mod narrate;
/// A pause inside gosync's calls, on its trace events (see the comment in the file).
#[cfg(feature = "tracing")]
mod pause;
mod record;
mod recorder;
mod svg;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo run --example tour [-- --svg FILE]";

fn main() -> ExitCode {
    let svg_path = match parse_args(std::env::args().skip(1)) {
        Ok(path) => path,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    print!("{}", narrate::preface());
    let mut narrator = narrate::Narrator::default();
    let tour = director::run(&mut |scene, step| match step {
        None => print!("{}", narrate::scene(scene)),
        Some(step) => print!("{}", narrator.step(scene, step)),
    });
    print!("{}", narrate::summary(tour.scenes.len()));
    if let Some(races) = tour.races_found {
        // Correct use: the checker must find nothing (it printed any race to stderr).
        println!("\nRace checker: {races} data race(s) in this run.");
        if races != 0 {
            return ExitCode::FAILURE;
        }
    }
    if let Some(path) = svg_path {
        if let Err(error) = std::fs::write(&path, svg::render(&tour)) {
            eprintln!("cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        println!("Wrote the timeline of this run to {}", path.display());
    }
    ExitCode::SUCCESS
}

/// `--svg FILE` or nothing; `--help` prints the usage.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<PathBuf>, String> {
    let mut svg = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--svg" => svg = Some(PathBuf::from(args.next().ok_or("--svg needs a file name")?)),
            "-h" | "--help" => {
                return Err("The tour narrates a real run of gosync's WaitGroup.".into())
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(svg)
}
