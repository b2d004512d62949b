//! The run as a timeline picture: one lane per goroutine, time to the right, each call a
//! mark with the state word after it, sleeps as dashed bars, wake-ups as arrows and (with
//! `--features race`) the happens-before edges the race checker recorded through the
//! WaitGroup.
//!
//! Every mark carries `data-*` attributes (lane, action, state), so a test can read the
//! picture back and check it shows the run.

use std::fmt::Write as _;

use crate::branch::word;
use crate::record::{Action, Part, Scene, Step, Tour};

const LEFT: usize = 150;
/// A column per step: marks' captions stay within ±90 of the mark, so the 60 px between
/// them (the gutter) is free for arrows to run between lanes.
const COLUMN: usize = 240;
const GUTTER: f64 = COLUMN as f64 / 2.0;
/// A lane per goroutine: its labels above the line, its captions below, all nearer their
/// own line than the next lane's.
const LANE: usize = 150;
const PANEL_GAP: usize = 36;
const LEGEND: usize = 140;
/// Characters per line of a scene's intro.
const INTRO_CHARS: usize = 150;

/// Colours, named for what they mean.
const INK: &str = "#1f2328";
const PAPER: &str = "#ffffff";
const FAINT: &str = "#57606a";
const ADD_DONE: &str = "#0969da";
const WAIT: &str = "#8250df";
const WAKE: &str = "#bc4c00";
const HAPPENS_BEFORE: &str = "#1a7f37";
const PANIC: &str = "#cf222e";

/// Renders the tour's correct-use scenes, one panel per scene, with a legend.
pub fn render(tour: &Tour) -> String {
    let scenes: Vec<&Scene> = tour
        .scenes
        .iter()
        .filter(|s| s.part == Part::Tour)
        .collect();
    let width = picture_width(&scenes);
    let height =
        scenes.iter().copied().map(panel_height).sum::<usize>() + PANEL_GAP * scenes.len() + LEGEND;
    let mut out = open(
        width,
        height,
        "gosync tour: Go 1.19's WaitGroup in a real run",
    );
    let mut top = 16;
    for scene in scenes {
        panel(&mut out, scene, top, width);
        top += panel_height(scene) + PANEL_GAP;
    }
    legend(&mut out, top, tour.races_found);
    out.push_str("</svg>\n");
    out
}

/// One scene as its own picture (the page shows one at a time), with a text alternative.
pub fn render_scene(scene: &Scene) -> String {
    let width = picture_width(&[scene]);
    let height = panel_height(scene) + 16;
    let title = format!("Scene {}: {}, as a timeline", scene.number, scene.title);
    let mut out = open(width, height, &title);
    panel(&mut out, scene, 0, width);
    out.push_str("</svg>");
    out
}

fn picture_width(scenes: &[&Scene]) -> usize {
    let columns = scenes.iter().map(|s| s.steps.len()).max().unwrap_or(1);
    LEFT + columns * COLUMN + 40
}

fn open(width: usize, height: usize, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="ui-sans-serif, system-ui, sans-serif" font-size="13" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = writeln!(
        out,
        "<title>{}</title>\n\
         <defs>{}{}</defs>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"{PAPER}\"/>",
        escape(title),
        arrowhead("wake-head", WAKE),
        arrowhead("hb-head", HAPPENS_BEFORE)
    );
    out
}

/// The intro, wrapped at word boundaries.
fn intro_lines(scene: &Scene) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in scene.intro.split(' ') {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.len() + word.len() + 1 > INTRO_CHARS {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

fn title_height(scene: &Scene) -> usize {
    40 + 16 * intro_lines(scene).len()
}

fn panel_height(scene: &Scene) -> usize {
    title_height(scene) + scene.lanes.len() * LANE
}

fn lane_y(scene: &Scene, top: usize, lane: usize) -> usize {
    top + title_height(scene) + lane * LANE + 40
}

fn step_x(step: usize) -> usize {
    LEFT + step * COLUMN + COLUMN / 2
}

fn arrowhead(id: &str, colour: &str) -> String {
    format!(
        r#"<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>"#
    )
}

fn panel(out: &mut String, scene: &Scene, top: usize, width: usize) {
    let _ = writeln!(
        out,
        r#"<g class="scene" data-scene="{}" data-title="{}">"#,
        scene.number,
        escape(scene.title)
    );
    let _ = writeln!(
        out,
        r#"<text x="12" y="{}" font-size="16" font-weight="bold" fill="{INK}">Scene {}: {}</text>"#,
        top + 22,
        scene.number,
        escape(scene.title)
    );
    for (i, line) in intro_lines(scene).iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text x="12" y="{}" fill="{FAINT}">{}</text>"#,
            top + 42 + 16 * i,
            escape(line)
        );
    }
    for (lane, name) in scene.lanes.iter().enumerate() {
        let y = lane_y(scene, top, lane);
        let _ = writeln!(
            out,
            r#"<g class="lane" data-lane="{name}" data-y="{y}"><text x="12" y="{}" font-weight="bold" fill="{INK}">{name}</text><line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="{FAINT}" stroke-width="1"/></g>"#,
            y + 4,
            width - 20,
            name = escape(name)
        );
    }
    for (index, step) in scene.steps.iter().enumerate() {
        spans(out, scene, index, step, top);
    }
    for (index, step) in scene.steps.iter().enumerate() {
        arrows(out, scene, index, step, top);
    }
    for (index, step) in scene.steps.iter().enumerate() {
        mark(out, scene, index, step, top);
    }
    out.push_str("</g>\n");
}

/// The time a waiter spends counted: asleep in the semaphore (dashed) or on its way to it
/// (dotted), from the step that counted it to the step it returned. The label sits below
/// the bar in the column after the start, where nothing else of the lane is; a bar one
/// column long has no room for one (the legend says what the dashes mean).
fn spans(out: &mut String, scene: &Scene, index: usize, step: &Step, top: usize) {
    let (class, dash, label) = match step.action {
        Action::WaitAsleep => ("asleep", "8 5", "asleep in the semaphore"),
        Action::WaitTimeoutAsleep => ("asleep", "8 5", "asleep, with a deadline"),
        Action::WaitRegistered => ("registered", "2 4", "counted, not yet asleep"),
        _ => return,
    };
    let Some(end) = scene.steps[index..]
        .iter()
        .position(|s| s.lane == step.lane && s.action.ends_wait())
        .map(|offset| index + offset)
    else {
        return;
    };
    let y = lane_y(scene, top, step.lane);
    let (x1, x2) = (step_x(index), step_x(end));
    let text = if end >= index + 2 {
        format!(
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="12" font-style="italic" fill="{WAIT}">{label}</text>"#,
            step_x(index + 1),
            y + 24
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        r#"<g class="{class}" data-lane="{}" data-from="{index}" data-to="{end}"><title>{label}</title><line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{WAIT}" stroke-width="5" stroke-dasharray="{dash}" opacity="0.6"/>{text}</g>"#,
        escape(scene.lanes[step.lane]),
    );
}

/// The wake-up arrow from the releasing step to the waiter that used its token, and the
/// happens-before edges the race checker recorded when this step acquired the WaitGroup.
///
/// Arrows never cut across a column: each leaves its source along the source's lane, turns
/// into the gutter just before the target's column, runs there to the target's lane and
/// enters the target along that lane. Wake-ups ride on the lanes' lines, happens-before
/// edges a little below, each edge into one target in its own gutter track, so that no
/// arrow runs through another goroutine's mark or anyone's label.
fn arrows(out: &mut String, scene: &Scene, index: usize, step: &Step, top: usize) {
    if let Some(token_from) = step.action.token_from() {
        let from = &scene.steps[token_from];
        // One label per release, on its first arrow: "2 tokens" when it woke two waiters.
        let first_from_release = !scene.steps[..index]
            .iter()
            .any(|s| s.action.token_from() == Some(token_from));
        let label = match (first_from_release, from.action) {
            (false, _) => String::new(),
            (true, Action::Done { released }) if released > 1 => {
                format!("{released} tokens (Semrelease)")
            }
            (true, _) => "token (Semrelease)".to_owned(),
        };
        let (y1, y2) = (
            lane_y(scene, top, from.lane) as f64,
            lane_y(scene, top, step.lane) as f64,
        );
        let gutter = step_x(index) as f64 - GUTTER - 4.0;
        let text = if label.is_empty() {
            String::new()
        } else {
            // Beside the arrow's turn, between the source's lane and the next one it passes.
            let y = if y2 > y1 { y1 + 92.0 } else { y1 - 50.0 };
            format!(
                r#"<text x="{}" y="{y}" text-anchor="end" font-size="12" fill="{WAKE}">{label}</text>"#,
                gutter - 8.0
            )
        };
        let _ = writeln!(
            out,
            r#"<g class="wake" data-from="{token_from}" data-to="{index}"><title>runtime_Semrelease's token lets this Wait through</title><path d="{}" fill="none" stroke="{WAKE}" stroke-width="2" marker-end="url(#wake-head)"/>{text}</g>"#,
            route(
                step_x(token_from) as f64 + 8.0,
                y1,
                gutter,
                y2 - 8.0,
                step_x(index) as f64 - 10.0
            ),
        );
    }
    for (track, &(from_index, edge)) in step.happens_after.iter().enumerate() {
        let from = &scene.steps[from_index];
        let (y1, y2) = (
            lane_y(scene, top, from.lane) as f64 + 6.0,
            lane_y(scene, top, step.lane) as f64 + 6.0,
        );
        let gutter = step_x(index) as f64 - GUTTER + 6.0 + 7.0 * track as f64;
        let _ = writeln!(
            out,
            r#"<g class="hb" data-from="{from_index}" data-to="{index}" data-recorded="goroutine {} step {}, goroutine {} step {}"><title>recorded by the race checker: goroutine {}'s release of the WaitGroup at its step {} happens before goroutine {}'s acquire at its step {}</title><path d="{}" fill="none" stroke="{HAPPENS_BEFORE}" stroke-width="1.5" stroke-dasharray="4 3" marker-end="url(#hb-head)"/></g>"#,
            edge.from,
            edge.from_step,
            edge.to,
            edge.to_step,
            edge.from,
            edge.from_step,
            edge.to,
            edge.to_step,
            route(
                step_x(from_index) as f64 + 8.0,
                y1,
                gutter,
                y2,
                step_x(index) as f64 - 10.0
            ),
        );
    }
}

/// Along `y1` from `x1` to the gutter at `gutter`, along the gutter to `y2`, along `y2` to
/// `x2`: straight segments only, so a test can check them against every label.
fn route(x1: f64, y1: f64, gutter: f64, y2: f64, x2: f64) -> String {
    format!("M{x1},{y1} L{gutter},{y1} L{gutter},{y2} L{x2},{y2}")
}

/// A call as two lines: the call, then what came of it (`wg.wait()`, `asleep`).
fn call_lines(step: &Step) -> (String, String) {
    let call = step.action.call();
    match call.find(')') {
        Some(at) => {
            let (head, tail) = call.split_at(at + 1);
            let tail = tail.trim_start_matches(':').trim();
            (head.to_owned(), tail.to_owned())
        }
        None => (call, String::new()),
    }
}

fn mark(out: &mut String, scene: &Scene, index: usize, step: &Step, top: usize) {
    let (x, y) = (step_x(index), lane_y(scene, top, step.lane));
    let panicked = matches!(step.action, Action::Panicked { .. });
    let fill = match step.action {
        _ if panicked => PANIC,
        Action::Add(_) | Action::Done { .. } | Action::DoneHeld => ADD_DONE,
        _ => WAIT,
    };
    let shape = match step.action {
        Action::Add(_) | Action::Done { .. } | Action::DoneHeld => {
            format!(r#"<circle cx="{x}" cy="{y}" r="8" fill="{fill}"/>"#)
        }
        Action::Panicked { call, .. } if !call.contains("wait") => {
            format!(r#"<circle cx="{x}" cy="{y}" r="8" fill="{fill}"/>"#)
        }
        _ => format!(
            r#"<rect x="{}" y="{}" width="16" height="16" fill="{fill}"/>"#,
            x - 8,
            y - 8
        ),
    };
    let after = &step.after;
    let sema = after.sema.map_or("?".to_owned(), |n| n.to_string());
    let (call, outcome) = call_lines(step);
    let _ = writeln!(
        out,
        r#"<g class="event" data-step="{index}" data-lane="{lane}" data-action="{kind}" data-state="{state}"><title>{lane}: {title}</title>{shape}<text x="{x}" y="{}" text-anchor="middle" font-weight="bold" fill="{INK}">{call}</text><text x="{x}" y="{}" text-anchor="middle" font-size="12" fill="{outcome_ink}">{outcome}</text><text x="{x}" y="{}" text-anchor="middle" font-family="ui-monospace, monospace" fill="{INK}">{state}</text><text x="{x}" y="{}" text-anchor="middle" font-size="11" fill="{FAINT}">counter {} · waiters {}</text><text x="{x}" y="{}" text-anchor="middle" font-size="11" fill="{FAINT}">sema {sema} · parked {}</text><text x="{x}" y="{}" text-anchor="middle" font-size="11" font-style="italic" fill="{INK}">{work}</text></g>"#,
        y - 32,
        y - 18,
        y + 24,
        y + 39,
        after.counter(),
        after.waiters(),
        y + 52,
        after.parked,
        y + 66,
        outcome_ink = if panicked { PANIC } else { INK },
        work = escape(&step.work),
        lane = escape(scene.lanes[step.lane]),
        kind = step.action.kind(),
        title = escape(&step.action.call()),
        call = escape(&call),
        outcome = escape(&outcome),
        state = word(after.state),
    );
}

fn legend(out: &mut String, top: usize, races_found: Option<usize>) {
    let y = top + 8;
    let edges = match races_found {
        Some(races) => format!(
            r#"<line x1="10" y1="{0}" x2="28" y2="{0}" stroke="{HAPPENS_BEFORE}" stroke-width="1.5" stroke-dasharray="4 3" marker-end="url(#hb-head)"/><text x="32" y="{1}">happens-before edges recorded by the race checker through the WaitGroup (the director's cue edges, also recorded, are not drawn);</text><text x="32" y="{2}">it watched the writes before each done and the reads after each wait: {races} data race(s) in this run</text>"#,
            y + 62,
            y + 66,
            y + 82
        ),
        None => format!(
            r#"<text x="32" y="{}" fill="{FAINT}">build with --features race to draw the happens-before edges</text>"#,
            y + 66
        ),
    };
    let _ = writeln!(
        out,
        r#"<g class="legend" font-size="12" fill="{INK}">
<circle cx="20" cy="{y}" r="6" fill="{ADD_DONE}"/><text x="32" y="{}">add / done, then the state word after it: 0x counter_waiters (hex)</text>
<rect x="14" y="{}" width="12" height="12" fill="{WAIT}"/><text x="32" y="{}">wait; dashed bar: asleep in the semaphore; dotted: counted but not yet asleep</text>
<line x1="10" y1="{}" x2="28" y2="{}" stroke="{WAKE}" stroke-width="2" marker-end="url(#wake-head)"/><text x="32" y="{}">a Semrelease token that lets a waiter through</text>
{edges}
<text x="10" y="{}" fill="{FAINT}">sema ?: a woken waiter may be taking its token at that moment, so the count differs from run to run.</text>
</g>"#,
        y + 4,
        y + 16,
        y + 26,
        y + 42,
        y + 42,
        y + 46,
        y + 102,
    );
}

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
