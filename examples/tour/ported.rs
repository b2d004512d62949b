//! Which Rust lines port a line of Go: the `// go: FILE:N` markers in gosync's sources.
//!
//! A marker at the end of a line names that line; a marker alone on its line names the code
//! line above it (the `if` whose block it opens). Ranges (`sema.go:138-150`) name a call that
//! ports many lines at once and are left out: the lines of the range have their own markers.

/// The sources that carry markers for `waitgroup.go` and `sema.go`.
const SOURCES: [(&str, &str); 2] = [
    ("src/waitgroup.rs", include_str!("../../src/waitgroup.rs")),
    ("src/sema.rs", include_str!("../../src/sema.rs")),
];

/// A Rust statement: its file, first line number and code (trimmed, lines joined, the
/// marker comment left out: the page says where the markers are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustLine {
    pub file: &'static str,
    pub line: usize,
    pub code: String,
}

/// The Rust lines whose marker names `go_file:go_line`, in file order.
pub fn rust_lines(go_file: &str, go_line: usize) -> Vec<RustLine> {
    let wanted = format!("{go_file}:{go_line}");
    let mut found = Vec::new();
    for (file, source) in SOURCES {
        let lines: Vec<&'static str> = source.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some((code, marker)) = line.split_once("// go: ") else {
                continue;
            };
            let named = marker.split([' ', ',']).next().unwrap_or("");
            if named != wanted {
                continue;
            }
            let at = if code.trim().is_empty() {
                // Alone on its line: the code line above, past other comment lines.
                (0..index)
                    .rev()
                    .find(|&i| {
                        let above = lines[i].trim();
                        !above.is_empty() && !above.starts_with("//")
                    })
                    .unwrap_or(index)
            } else {
                index
            };
            // A marker on a method-chain continuation (`.wrapping_add(..); // go: ..`)
            // names the whole statement: start where it starts.
            let mut first = at;
            while first > 0 && lines[first].trim_start().starts_with('.') {
                first -= 1;
            }
            let code: Vec<&str> = lines[first..=at]
                .iter()
                .map(|line| line.split("// go: ").next().unwrap_or("").trim())
                .collect();
            found.push(RustLine {
                file,
                line: first + 1,
                code: code.concat(),
            });
        }
    }
    found
}
