//! The traceable port: Go's `waitgroup.go` (1.19.8, vendored in `docs/go/`) statement by
//! statement, mapped to the Rust that ports it through markers in the source, and the
//! generated page that shows both, `docs/side-by-side.md`.
//!
//! Definitions the checks use:
//!
//! - A **marker** is a comment `// go: FILE:N` or `// go: FILE:N (note)` in `src/*.rs`, FILE
//!   being `waitgroup.go` or `sema.go`. Trailing code, it stands for that code; alone on its
//!   line, for the nearest code line above (rustfmt moves comments after an opening brace to
//!   the next line). Either way it stands for the whole Rust *statement* that line ends: the
//!   code lines above it up to the previous line that ends in `;`, `{`, `}` or `,`. A range,
//!   `// go: FILE:N-M`, marks one Rust statement that ports Go lines N to M at once (a loop
//!   made one call): it stands for each Go statement among them, and for N if none is.
//! - A **Go statement** is a line of a function body whose code (the text before any `//`)
//!   holds more than braces and `else`: so `if v < 0 {`, `for {` and `return` are
//!   statements; blank lines, comments, `}` and `} else {` are not.
//! - A marker **matches** its Go line when that line is a Go statement and the two share a
//!   word: identifiers split at `_` and camel case, lower-cased, without `state` and a few
//!   keywords that every line has ([`GO_TO_RUST`] adds the Rust spelling of Go's `for`,
//!   `break` and `return`). The
//!   marker's note counts as Rust words: it says in Go's terms what the Rust does.
//!
//! The checks: every marker matches; every Go statement of `state`, `Add`, `Done` and `Wait`
//! has a marker, or is listed in [`NOT_PORTED`] with the reason; and the committed
//! `docs/side-by-side.md` is what this file generates from the sources as they are
//! (`GOSYNC_BLESS=1 cargo test --test side_by_side` or `scripts/regen-docs` rewrites it).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// The Go files, vendored from Go 1.19.8.
const GO_FILES: [(&str, &str); 2] = [
    ("waitgroup.go", include_str!("../docs/go/waitgroup.go")),
    ("sema.go", include_str!("../docs/go/sema.go")),
];

/// The Rust files that carry markers.
const RUST_FILES: [(&str, &str); 2] = [
    ("src/waitgroup.rs", include_str!("../src/waitgroup.rs")),
    ("src/sema.rs", include_str!("../src/sema.rs")),
];

/// The functions of `waitgroup.go` whose every statement must be ported.
const PORTED: [&str; 4] = ["state", "Add", "Done", "Wait"];

/// The `sema.go` functions shown on the page (their statements need no counterpart:
/// WaitGroup uses only part of the semaphore).
const SHOWN_FROM_SEMA: [&str; 8] = [
    "semacquire1",
    "semrelease1",
    "cansemacquire",
    "rootFor",
    "queue",
    "dequeue",
    "rotateLeft",
    "rotateRight",
];

/// Go statements of the ported functions that have no Rust counterpart, and why.
const NOT_PORTED: [(usize, &str); 5] = [
    (38, "the 32-bit alignment check: an `AtomicU64` is always 8-aligned, so line 40 is the only path"),
    (44, "the 32-bit field swap, never needed (see line 38)"),
    (45, "the 32-bit field swap, never needed (see line 38)"),
    (65, "`_ = *statep // trigger nil deref early`: a Rust reference is never nil"),
    (115, "`_ = *statep // trigger nil deref early`: a Rust reference is never nil"),
];

const PAGE: &str = "docs/side-by-side.md";

/// Go words and the Rust words that port them: Go's `for` is Rust's `loop` or `while`; a
/// `break` that ends a function's last loop is a `return`; a `return` is often a tail
/// `Ok(..)`.
const GO_TO_RUST: &[(&str, &[&str])] = &[
    ("for", &["loop", "while"]),
    ("break", &["return"]),
    ("return", &["ok"]),
];

/// Words too common to show that two lines do the same thing.
const STOPWORDS: [&str; 17] = [
    "state", "if", "else", "let", "mut", "self", "wg", "as", "unsafe", "pointer", "int32",
    "uint32", "uint64", "i32", "u32", "u64", "seq",
];

/// A function of a Go file: its name and the lines of its `func` and closing brace.
struct GoFunction {
    name: String,
    first: usize,
    last: usize,
}

/// A marker and the Rust statement it stands for.
struct Marker {
    rust_file: &'static str,
    /// The line of the statement's last code line (1-based).
    rust_line: usize,
    /// The statement's code, comments removed, lines joined.
    rust_code: String,
    note: String,
    go_file: String,
    go_line: usize,
}

fn go_source(file: &str) -> &'static str {
    GO_FILES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| *text)
        .expect("a vendored Go file")
}

fn go_line(file: &str, line: usize) -> Option<&'static str> {
    go_source(file).lines().nth(line.checked_sub(1)?)
}

/// The code of a line: the text before `//`, trimmed.
fn code(line: &str) -> &str {
    line.split("//").next().unwrap_or("").trim()
}

fn is_go_statement(line: &str) -> bool {
    code(line)
        .split(|c: char| c.is_whitespace() || c == '{' || c == '}')
        .any(|w| !w.is_empty() && w != "else")
}

fn go_functions(file: &str) -> Vec<GoFunction> {
    let lines: Vec<&str> = go_source(file).lines().collect();
    let mut functions = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(signature) = line.strip_prefix("func ") else {
            continue;
        };
        // `func (wg *WaitGroup) Add(delta int) {` or `func cansemacquire(addr *uint32) bool {`
        let after_receiver = if signature.starts_with('(') {
            signature
                .split_once(") ")
                .map_or(signature, |(_, rest)| rest)
        } else {
            signature
        };
        let name = after_receiver.split('(').next().unwrap_or("").to_owned();
        let last = (index..lines.len())
            .find(|&i| lines[i] == "}")
            .expect("a function ends")
            + 1;
        functions.push(GoFunction {
            name,
            first: index + 1,
            last,
        });
    }
    functions
}

/// The identifiers of `text`, split at `_` and camel case, lower-cased, stopwords removed.
fn words(text: &str) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for identifier in text.split(|c: char| !c.is_alphanumeric() && c != '_') {
        for part in identifier.split('_') {
            let mut word = String::new();
            let chars: Vec<char> = part.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                let starts_camel_word = c.is_uppercase()
                    && i > 0
                    && (chars[i - 1].is_lowercase()
                        || chars.get(i + 1).is_some_and(|n| n.is_lowercase())
                            && chars[i - 1].is_uppercase());
                if starts_camel_word {
                    words.insert(std::mem::take(&mut word));
                }
                word.extend(c.to_lowercase());
            }
            words.insert(word);
        }
    }
    // Go control flow that Rust spells differently.
    for (go, rust) in GO_TO_RUST {
        if words.contains(*go) {
            words.extend(rust.iter().map(|w| (*w).to_owned()));
        }
    }
    words.retain(|w| {
        !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()) && !STOPWORDS.contains(&w.as_str())
    });
    words
}

fn markers() -> Vec<Marker> {
    let mut markers = Vec::new();
    for (rust_file, source) in RUST_FILES {
        let lines: Vec<&str> = source.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some((_, marker)) = line.split_once("// go: ") else {
                continue;
            };
            let (go_file, rest) = marker.split_once(':').expect("`// go: FILE:N`");
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let first: usize = digits.parse().unwrap_or_else(|_| {
                panic!("{rust_file}:{}: a marker needs a line number", index + 1)
            });
            let mut rest = &rest[digits.len()..];
            let mut last = first;
            if let Some(range) = rest.strip_prefix('-') {
                let digits: String = range.chars().take_while(char::is_ascii_digit).collect();
                last = digits.parse().unwrap_or_else(|_| {
                    panic!("{rust_file}:{}: a range needs its last line", index + 1)
                });
                assert!(last > first, "{rust_file}:{}: an empty range", index + 1);
                rest = &range[digits.len()..];
            }
            let note = rest
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .to_owned();
            // The code line the marker stands for: its own, or the nearest code line above.
            let end = (0..=index)
                .rev()
                .find(|&i| !code(lines[i]).is_empty())
                .unwrap_or_else(|| {
                    panic!("{rust_file}:{}: a marker with no code above it", index + 1)
                });
            let mut start = end;
            while start > 0 {
                let above = code(lines[start - 1]);
                if above.is_empty() || above.ends_with([';', '{', '}', ',']) {
                    break;
                }
                start -= 1;
            }
            let rust_code = lines[start..=end].iter().map(|l| code(l)).fold(
                String::new(),
                |mut joined, part| {
                    if !joined.is_empty() && !part.starts_with('.') {
                        joined.push(' ');
                    }
                    joined.push_str(part);
                    joined
                },
            );
            // A range stands for the statements in it; a line, or a range with none, for its
            // first line (which the checks then report if it is no statement).
            let mut go_lines = vec![first];
            if last > first {
                let statements: Vec<usize> = (first..=last)
                    .filter(|&n| go_line(go_file, n).is_some_and(is_go_statement))
                    .collect();
                if !statements.is_empty() {
                    go_lines = statements;
                }
            }
            for go_line in go_lines {
                markers.push(Marker {
                    rust_file,
                    rust_line: end + 1,
                    rust_code: rust_code.clone(),
                    note: note.clone(),
                    go_file: go_file.to_owned(),
                    go_line,
                });
            }
        }
    }
    markers
}

#[test]
fn every_marker_points_at_a_go_statement_that_its_rust_ports() {
    let mut wrong = Vec::new();
    for marker in markers() {
        let place = format!(
            "{}:{} -> {}:{}",
            marker.rust_file, marker.rust_line, marker.go_file, marker.go_line
        );
        assert!(
            GO_FILES.iter().any(|(name, _)| *name == marker.go_file),
            "{place}: unknown Go file"
        );
        let Some(go) = go_line(&marker.go_file, marker.go_line) else {
            wrong.push(format!("{place}: past the end of the Go file"));
            continue;
        };
        if !is_go_statement(go) {
            wrong.push(format!("{place}: `{}` is not a Go statement", go.trim()));
            continue;
        }
        let rust_words = words(&format!("{} {}", marker.rust_code, marker.note));
        if words(code(go)).is_disjoint(&rust_words) {
            wrong.push(format!(
                "{place}: `{}` and `{}` have no word in common",
                code(go),
                marker.rust_code
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "markers pointing at the wrong line:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_go_statement_of_state_add_done_wait_has_a_rust_counterpart() {
    let markers = markers();
    let mut missing = Vec::new();
    for function in go_functions("waitgroup.go")
        .iter()
        .filter(|f| PORTED.contains(&f.name.as_str()))
    {
        for line in function.first + 1..function.last {
            let text = go_line("waitgroup.go", line).expect("inside the file");
            let marked = markers
                .iter()
                .any(|m| m.go_file == "waitgroup.go" && m.go_line == line);
            let exempt = NOT_PORTED.iter().any(|(n, _)| *n == line);
            assert!(
                !(marked && exempt),
                "waitgroup.go:{line} is both ported and listed as not ported"
            );
            if is_go_statement(text) && !marked && !exempt {
                missing.push(format!(
                    "waitgroup.go:{line} ({}): `{}`",
                    function.name,
                    text.trim()
                ));
            }
        }
    }
    for (line, _) in NOT_PORTED {
        assert!(
            is_go_statement(go_line("waitgroup.go", line).unwrap_or("")),
            "NOT_PORTED lists waitgroup.go:{line}, not a statement"
        );
    }
    assert!(
        missing.is_empty(),
        "Go statements without a `// go:` marker in src/:\n{}",
        missing.join("\n")
    );
}

/// A Markdown table cell holding code.
fn code_cell(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("`{}`", text.replace('|', "\\|"))
    }
}

fn section(
    page: &mut String,
    go_file: &str,
    function: &GoFunction,
    markers: &[Marker],
    ported: bool,
) {
    let signature = go_line(go_file, function.first)
        .unwrap_or("")
        .trim_end_matches(" {");
    let _ = writeln!(page, "\n## {go_file}: `{signature}`\n");
    let _ = writeln!(page, "| line | Go | Rust |\n|---:|---|---|");
    for line in function.first + 1..function.last {
        let text = go_line(go_file, line).unwrap_or("");
        if text.trim().is_empty() {
            continue;
        }
        // Indentation as non-breaking spaces outside the code span, so every renderer keeps it.
        let depth = text
            .chars()
            .take_while(|&c| c == '\t')
            .count()
            .saturating_sub(1);
        let go = format!("{}{}", "&nbsp;".repeat(4 * depth), code_cell(text.trim()));
        let mut rust: Vec<String> = markers
            .iter()
            .filter(|m| m.go_file == go_file && m.go_line == line)
            .map(|m| {
                let file = Path::new(m.rust_file)
                    .file_name()
                    .and_then(|f| f.to_str())
                    .unwrap_or("");
                format!(
                    "[{file}:{}](../{}#L{}) {}",
                    m.rust_line,
                    m.rust_file,
                    m.rust_line,
                    code_cell(&m.rust_code)
                )
            })
            .collect();
        if let Some((_, why)) = NOT_PORTED
            .iter()
            .find(|(n, _)| ported && *n == line && go_file == "waitgroup.go")
        {
            rust.push(format!("*not ported:* {why}"));
        }
        let _ = writeln!(page, "| {line} | {go} | {} |", rust.join("<br>"));
    }
}

fn generate() -> String {
    let markers = markers();
    let mut page = String::from(
        "# Side by side: Go 1.19's `waitgroup.go` and its Rust port\n\
         \n\
         <!-- Generated by tests/side_by_side.rs: run scripts/regen-docs. Do not edit. -->\n\
         \n\
         Each line of Go (as Go 1.19.8 ships it, [vendored](go/waitgroup.go)) beside the Rust\n\
         that ports it, found through the `// go: FILE:N` markers in `src/`. `cargo test`\n\
         fails when a statement of `state`, `Add`, `Done` or `Wait` has no marker (unless it\n\
         is listed as not ported, with why), when a marker points at a line that is not a\n\
         statement or shares no word with its Rust, and when this page is stale.\n\
         `Done` is `Add(-1)`: it runs all of `Add`.\n",
    );
    for function in go_functions("waitgroup.go")
        .iter()
        .filter(|f| PORTED.contains(&f.name.as_str()))
    {
        section(&mut page, "waitgroup.go", function, &markers, true);
    }
    page.push_str(
        "\n# The semaphore: the parts of `sema.go` that WaitGroup uses\n\
         \n\
         Only what `WaitGroup` needs is ported (no LIFO queueing, no profiling); lines without\n\
         Rust beside them are not ported, see [the runtime semaphore](semaphore.md).\n",
    );
    for function in go_functions("sema.go")
        .iter()
        .filter(|f| SHOWN_FROM_SEMA.contains(&f.name.as_str()))
    {
        section(&mut page, "sema.go", function, &markers, false);
    }
    page
}

#[test]
fn side_by_side_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PAGE);
    let generated = generate();
    if std::env::var("GOSYNC_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write docs/side-by-side.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{PAGE} is stale (the sources or their markers changed): run scripts/regen-docs and commit it"
    );
}
