//! The tour: Go 1.19's `sync.WaitGroup` explained by a real run of its Rust port.
//!
//! ```text
//! cargo run --example tour                       # narrate the run
//! cargo run --example tour -- --svg tour.svg     # ... and draw it as a timeline
//! cargo run --example tour -- --html tour.html   # ... and write a page to step through it
//! cargo run --example tour -- --json tour.json   # ... and the record itself, as JSON
//! cargo run --example tour --features tracing    # + scenes 3, 6, 7: threads held inside calls
//! cargo run --example tour --features race -- --svg tour.svg   # + happens-before edges
//! ```
//!
//! Modules: `director` runs the scenes (its `goroutine`s cued one step at a time, each step
//! checked and kept by the `recorder`), `branch` replays Go's decisions
//! (checked against the run), `record` holds what was seen, `narrate` and `svg` show it,
//! `pause` (with `--features tracing`) holds a thread inside a call: in a window, through
//! gosync's unstable window hook, or at a trace event.

mod branch;
mod director;
mod goroutine;
mod html;
mod json;
mod misuse;
mod narrate;
/// A pause inside gosync's calls, in its windows and at its trace events (see the comment
/// in the file).
#[cfg(any(feature = "unstable-window-hook", feature = "tracing"))]
mod pause;
mod ported;
mod record;
mod recorder;
mod svg;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo run --example tour [-- [--svg FILE] [--html FILE] [--json FILE]]";

/// Where to write the run besides the narration.
#[derive(Default)]
struct Outputs {
    /// The timeline picture of the correct-use scenes.
    svg: Option<PathBuf>,
    /// The page: every scene, step by step.
    html: Option<PathBuf>,
    /// The recorded run as JSON (what the page embeds).
    json: Option<PathBuf>,
}

fn main() -> ExitCode {
    let outputs = match parse_args(std::env::args().skip(1)) {
        Ok(outputs) => outputs,
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
    print!("{}", narrate::summary(&tour));
    if let Some(races) = tour.races_found {
        // Correct use: the checker must find nothing (it printed any race to stderr).
        println!("\nRace checker: {races} data race(s) in the correct-use scenes.");
        if races != 0 {
            return ExitCode::FAILURE;
        }
    }
    let writes = [
        (
            &outputs.svg,
            "the timeline of this run",
            svg::render as fn(&record::Tour) -> String,
        ),
        (
            &outputs.html,
            "the page of this run (open it in a browser)",
            html::render,
        ),
        (&outputs.json, "the record of this run", json::render),
    ];
    for (path, what, render) in writes {
        let Some(path) = path else { continue };
        if let Err(error) = std::fs::write(path, render(&tour)) {
            eprintln!("cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        println!("Wrote {what} to {}", path.display());
    }
    ExitCode::SUCCESS
}

/// `--svg FILE`, `--html FILE`, `--json FILE`, in any order; `--help` prints the usage.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Outputs, String> {
    let mut outputs = Outputs::default();
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--svg" => &mut outputs.svg,
            "--html" => &mut outputs.html,
            "--json" => &mut outputs.json,
            "-h" | "--help" => {
                return Err("The tour narrates a real run of gosync's WaitGroup.".into())
            }
            other => return Err(format!("unknown argument {other:?}")),
        };
        let file = args.next().ok_or(format!("{arg} needs a file name"))?;
        *slot = Some(PathBuf::from(file));
    }
    Ok(outputs)
}
