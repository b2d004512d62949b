//! The Rust side of `go/random_test.go`: replays every random program Go drew and ran
//! (`golden/random-<seed>.txt`) through gosync and compares each op's outcome and the
//! counter after it.
//!
//! Go is both generator and oracle: it draws each op from the seed and emits `Wait` only
//! where its own counter is zero, so the programs arrive here as data. A line reads
//! `program <i>: <op>:<outcome>:<counter> ...` with op `a<delta>` (add), `d` (done) or `w`
//! (wait), and outcome `ok` or `p<k>`, where the header line `panic p<k>: <text>` holds
//! Go's exact panic text.
#![cfg(target_pointer_width = "64")] // Go's `int` in the goldens is 64 bits, as `isize` here

use std::path::Path;

use gosync::WaitGroup;

use crate::golden;

/// The seed whose programs are committed and replayed by every `cargo test`.
const FIXED_SEED_FILE: &str = "random-1.txt";

/// One seed's programs: the panic texts by code, and the programs' lines.
struct Programs {
    panics: Vec<(String, String)>,
    programs: Vec<(String, Vec<String>)>,
}

fn parse(lines: Vec<String>) -> Programs {
    let mut parsed = Programs {
        panics: Vec::new(),
        programs: Vec::new(),
    };
    for line in lines {
        if let Some(rest) = line.strip_prefix("panic ") {
            let (code, text) = rest.split_once(": ").expect("panic <code>: <text>");
            parsed.panics.push((code.to_owned(), text.to_owned()));
        } else if let Some(rest) = line.strip_prefix("program ") {
            let (index, ops) = rest.split_once(": ").expect("program <i>: <ops>");
            parsed.programs.push((
                index.to_owned(),
                ops.split(' ').map(str::to_owned).collect(),
            ));
        } else {
            assert!(
                line.starts_with('#'),
                "unexpected line in a random program file: {line}"
            );
        }
    }
    parsed
}

impl Programs {
    /// The code Go's file uses for `result`; a text Go never printed stays as it is.
    fn code(&self, result: String) -> String {
        let Some(text) = result.strip_prefix("panic: ") else {
            return result;
        };
        match self.panics.iter().find(|(_, go_text)| go_text == text) {
            Some((code, _)) => code.clone(),
            None => result,
        }
    }

    /// Replays one program through gosync, rendering each op's token as Go did.
    fn replay(&self, go_tokens: &[String]) -> Vec<String> {
        let wg = WaitGroup::new();
        go_tokens
            .iter()
            .map(|token| {
                let op = token.split(':').next().unwrap_or_default();
                let result = match op {
                    "d" => golden::outcome(|| wg.done()),
                    "w" if wg.snapshot().counter == 0 => golden::outcome(|| wg.wait()),
                    "w" => "gosync would block: counter is not zero".to_owned(),
                    add => {
                        let delta: isize = add
                            .strip_prefix('a')
                            .and_then(|d| d.parse().ok())
                            .unwrap_or_else(|| panic!("unknown op {op:?}"));
                        golden::outcome(|| wg.add(delta))
                    }
                };
                format!("{op}:{}:{}", self.code(result), wg.snapshot().counter)
            })
            .collect()
    }
}

/// Every program of every seed in the golden directory (the committed fixed seed, plus
/// the fresh seed `scripts/go-oracle` adds) agrees with Go op by op.
#[test]
fn random_programs_agree_with_go() {
    let dir = golden::dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .filter(|name| name.starts_with("random-") && name.ends_with(".txt"))
        .collect();
    files.sort();
    assert!(
        files.iter().any(|f| f == FIXED_SEED_FILE),
        "no {FIXED_SEED_FILE} in {}",
        dir.display()
    );
    for file in files {
        let programs = parse(golden::read(&file));
        for (index, go_tokens) in &programs.programs {
            let gosync_tokens = programs.replay(go_tokens);
            let what = format!("{} program {index}", Path::new(&file).display());
            golden::assert_agree(&what, go_tokens, &gosync_tokens);
        }
    }
}

/// The committed fixed seed keeps at least 2000 programs, so a regenerated golden cannot
/// quietly shrink the differential.
#[test]
fn fixed_seed_has_at_least_2000_programs() {
    let programs = parse(golden::read(FIXED_SEED_FILE)).programs;
    assert!(
        programs.len() >= 2000,
        "{FIXED_SEED_FILE} holds {} programs",
        programs.len()
    );
}
