//! The run as one self-contained page (`--html FILE`): step through each scene and see, at
//! each step, the timeline so far, the state word's bits, the semaphore, who is parked, and
//! the lines of Go that ran beside the Rust lines that port them, with why.
//!
//! Nothing is fetched: the CSS, the script, the pictures (one SVG per scene, drawn by `svg`)
//! and the run itself (the `json` document, the same one `--json` writes) are inline, and
//! the fonts are the reader's own. The script only shows the recorded run; it computes
//! nothing about the WaitGroup.

use std::fmt::Write as _;

use crate::json;
use crate::record::Tour;
use crate::svg;

const WAITGROUP_GO: &str = include_str!("../../docs/go/waitgroup.go");
const SEMA_GO: &str = include_str!("../../docs/go/sema.go");
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// The page, from the same recorded run as the narration, the picture and `--json`.
pub fn render(tour: &Tour) -> String {
    let mut out = String::new();
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>gosync explorer: Go 1.19's WaitGroup, step by step</title>\n",
    );
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>");
    out.push_str(HEADER);
    out.push_str("<nav aria-label=\"Scenes\"><h2 class=\"small\">Scenes</h2><ol id=\"scenes\">");
    for scene in &tour.scenes {
        let _ = write!(
            out,
            "<li><a href=\"#scene-{0}/step-1\" data-scene=\"{0}\">{0}. {1}</a></li>",
            scene.number,
            escape(scene.title)
        );
    }
    out.push_str("</ol>");
    let missing: Vec<_> = crate::misuse::NEED_TRACING
        .iter()
        .filter(|(number, _)| !tour.scenes.iter().any(|s| s.number == *number))
        .collect();
    if !missing.is_empty() {
        out.push_str(
            "<p class=\"note\">Not in this build (they need a pause inside gosync's calls): ",
        );
        let names: Vec<String> = missing
            .iter()
            .map(|(number, title)| format!("scene {number}, {}", escape(title)))
            .collect();
        out.push_str(&names.join("; "));
        out.push_str(
            ". Write the page with <code>cargo run --example tour --features tracing -- --html tour.html</code>.</p>",
        );
    }
    out.push_str("</nav>\n");
    out.push_str(MAIN_START);
    for scene in &tour.scenes {
        let _ = writeln!(
            out,
            "<div class=\"picture\" data-scene=\"{}\" hidden>{}</div>",
            scene.number,
            svg::render_scene(scene)
        );
    }
    out.push_str(MAIN_MIDDLE);
    source(&mut out, "waitgroup.go", WAITGROUP_GO, true);
    source(&mut out, "sema.go", SEMA_GO, false);
    out.push_str(MAIN_END);
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"tour-data\">\n{}</script>",
        json::render(tour)
    );
    let _ = writeln!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>");
    out
}

/// A Go file, one element per line, for the script to mark the lines that ran.
fn source(out: &mut String, name: &str, text: &str, open: bool) {
    let _ = write!(
        out,
        "<details class=\"source\"{}><summary>Go 1.19.8's <code>{name}</code> (docs/go/{name}): the lines this step ran are marked</summary>\
         <pre class=\"go-src\" data-file=\"{name}\" tabindex=\"0\" aria-label=\"{name}, the lines this step ran marked\">",
        if open { " open" } else { "" }
    );
    for (index, line) in text.lines().enumerate() {
        let _ = write!(
            out,
            "<span class=\"src-line\" data-file=\"{name}\" data-line=\"{0}\"><span class=\"num\" aria-hidden=\"true\">{0:>3}</span> {1}</span>",
            index + 1,
            escape(line)
        );
    }
    out.push_str("</pre></details>\n");
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

const HEADER: &str = r##"<a class="skip" href="#step">Skip to the step</a>
<header>
<h1>Go 1.19's <code>sync.WaitGroup</code>, step by step</h1>
<p>Real runs of gosync's line-for-line port, recorded by the tour
(<code>cargo run --example tour -- --html tour.html</code>). Goroutines are named threads; the
tour cues them one step at a time and, after each step, reads the group with
<code>wg.snapshot()</code>. Its account of Go's branches is checked against that word, so what you
read here is what ran.</p>
<p class="keys">Keys: <kbd>→</kbd> next step, <kbd>←</kbd> previous (across scenes),
<kbd>Home</kbd>/<kbd>End</kbd> first/last step of the scene, <kbd>Space</kbd> on Play to play or pause.</p>
</header>
"##;

const MAIN_START: &str = r##"<main id="main">
<section class="scene-head" aria-labelledby="scene-title">
<h2 id="scene-title">Scene</h2>
<p id="scene-intro"></p>
</section>
<div class="controls" role="group" aria-label="Step controls">
<button type="button" id="prev" aria-keyshortcuts="ArrowLeft">&#9664; Previous</button>
<button type="button" id="play" aria-pressed="false">&#9654; Play</button>
<button type="button" id="next" aria-keyshortcuts="ArrowRight">Next &#9654;</button>
<label for="slider">Step</label>
<input type="range" id="slider" min="1" max="1" value="1">
<output id="position" for="slider">step 1 of 1</output>
<a id="permalink" href="#scene-1/step-1">Link to this step</a>
<p id="announce" class="visually-hidden" aria-live="polite"></p>
</div>
<section class="card" aria-labelledby="timeline-heading">
<h3 id="timeline-heading">The timeline so far</h3>
<div class="timeline" id="timeline" role="region" aria-label="Timeline picture (scrolls sideways on a narrow screen)" tabindex="0">
"##;

const MAIN_MIDDLE: &str = r##"</div>
<details class="textual"><summary>The timeline so far, as text</summary><ol id="timeline-text"></ol></details>
<div id="edges-box" hidden>
<h4>Happens-before edges the race checker recorded (<code>--features race</code>)</h4>
<ul id="edges"></ul>
</div>
</section>
<div class="layout">
<section id="step" class="card" aria-labelledby="step-heading" tabindex="-1">
<h3 id="step-heading">This step</h3>
<p class="call"><span id="step-lane"></span>: <code id="step-call"></code></p>
<p id="step-work"></p>
<p id="step-panic" class="panic" hidden></p>
<p class="note">Parked in the semaphore after it: <strong id="parked"></strong></p>
</section>
<section class="card" aria-labelledby="state-heading">
<h3 id="state-heading">The state word after it</h3>
<p><code id="state-hex" class="hex"></code> <span class="legend-chip counter">counter: bits 63&ndash;32</span> <span class="legend-chip waiters">waiters: bits 31&ndash;0</span> <span class="legend-chip changed">changed by this step</span></p>
<div id="bits" role="img" aria-label=""></div>
<dl class="facts">
<div><dt>counter</dt><dd id="counter"></dd></div>
<div><dt>waiters</dt><dd id="waiters"></dd></div>
<div><dt>semaphore tokens</dt><dd id="sema"></dd></div>
<div><dt>parked</dt><dd id="parked-count"></dd></div>
</dl>
<p class="note" id="sema-note" hidden><code>?</code>: a woken waiter may be taking its token at this very moment, so the count read here differs from run to run; the tour does not show it.</p>
</section>
</div>
<section class="card" aria-labelledby="lines-heading">
<h3 id="lines-heading">The lines that ran, Go beside Rust</h3>
<div class="table-wrap">
<table id="lines">
<thead><tr><th scope="col">Go 1.19.8</th><th scope="col">gosync (the <code>// go:</code> markers)</th><th scope="col">What happened, and why</th></tr></thead>
<tbody></tbody>
</table>
</div>
"##;

const MAIN_END: &str = r##"</section>
<section class="card" id="questions" aria-labelledby="questions-heading">
<h3 id="questions-heading">The three questions</h3>
<ol>
<li><strong>How does Add flow?</strong> One atomic add to the counter half (line 73), then
checks: negative (82), a new round while waiters are counted (85), and every call but the one
that brings the counter to 0 returns at 88&ndash;89. See <a href="#scene-1/step-1">scene 1, step 1</a>
(<code>add(2)</code>), and the panics in <a href="#scene-4/step-3">scene 4</a> and scene 6.</li>
<li><strong>How does Done flow?</strong> <code>Add(-1)</code>. Worker 1's done returns at line 89
(<a href="#scene-1/step-3">scene 1, step 3</a>); the last one finds v = 0 with waiters counted,
re-checks the word (96), resets it to 0 (100) and releases one semaphore token per waiter (102):
<a href="#scene-1/step-4">scene 1, step 4</a>, and two tokens in <a href="#scene-2/step-4">scene 2, step 4</a>.</li>
<li><strong>How does Wait flow?</strong> Counter 0: return at once
(<a href="#scene-1/step-6">scene 1, step 6</a>). Otherwise a CAS counts it as a waiter (131) and it
sleeps on the semaphore (139): <a href="#scene-1/step-2">scene 1, step 2</a>; woken by the token,
it re-checks the word (140) and returns: <a href="#scene-1/step-5">scene 1, step 5</a>.</li>
</ol>
</section>
</main>
"##;
