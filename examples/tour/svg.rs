//! The run as a timeline picture: one lane per goroutine, time to the right, each call a
//! mark with the state word after it, sleeps as dashed bars, wake-ups as arrows and (with
//! `--features race`) the happens-before edges of Go's race annotations.
//!
//! Every mark carries `data-*` attributes (lane, action, state), so a test can read the
//! picture back and check it shows the run.

use std::fmt::Write as _;

use crate::branch::word;
use crate::record::{Action, Scene, Step, Tour};

const LEFT: usize = 150;
const COLUMN: usize = 180;
const LANE: usize = 112;
const TITLE: usize = 64;
const PANEL_GAP: usize = 36;
const LEGEND: usize = 140;

/// Colours, named for what they mean.
const INK: &str = "#1f2328";
const PAPER: &str = "#ffffff";
const FAINT: &str = "#8c959f";
const ADD_DONE: &str = "#0969da";
const WAIT: &str = "#8250df";
const WAKE: &str = "#bc4c00";
const HAPPENS_BEFORE: &str = "#1a7f37";

/// Renders the whole tour, one panel per scene.
pub fn render(tour: &Tour) -> String {
    let columns = tour.scenes.iter().map(|s| s.steps.len()).max().unwrap_or(1);
    let width = LEFT + columns * COLUMN + COLUMN / 2;
    let height = tour.scenes.iter().map(panel_height).sum::<usize>()
        + PANEL_GAP * tour.scenes.len()
        + LEGEND;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="ui-sans-serif, system-ui, sans-serif" font-size="13">"#
    );
    let _ = writeln!(
        out,
        "<title>gosync tour: Go 1.19's WaitGroup in a real run</title>\n\
         <defs>{}{}</defs>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"{PAPER}\"/>",
        arrowhead("wake-head", WAKE),
        arrowhead("hb-head", HAPPENS_BEFORE)
    );
    let mut top = 16;
    for scene in &tour.scenes {
        panel(&mut out, scene, top, width);
        top += panel_height(scene) + PANEL_GAP;
    }
    legend(&mut out, top, tour.races_found);
    out.push_str("</svg>\n");
    out
}

fn panel_height(scene: &Scene) -> usize {
    TITLE + scene.lanes.len() * LANE
}

fn lane_y(top: usize, lane: usize) -> usize {
    top + TITLE + lane * LANE + 24
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
        r#"<g class="scene" data-title="{}">"#,
        escape(scene.title)
    );
    let _ = writeln!(
        out,
        r#"<text x="12" y="{}" font-size="16" font-weight="bold" fill="{INK}">Scene {}: {}</text>"#,
        top + 20,
        scene.number,
        escape(scene.title)
    );
    let _ = writeln!(
        out,
        r#"<text x="12" y="{}" fill="{FAINT}">{}</text>"#,
        top + 40,
        escape(scene.intro)
    );
    for (lane, name) in scene.lanes.iter().enumerate() {
        let y = lane_y(top, lane);
        let _ = writeln!(
            out,
            r#"<g class="lane" data-lane="{name}"><text x="12" y="{}" font-weight="bold" fill="{INK}">{name}</text><line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="{FAINT}" stroke-width="1"/></g>"#,
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
/// (dotted), from the step that counted it to the step it returned.
fn spans(out: &mut String, scene: &Scene, index: usize, step: &Step, top: usize) {
    let (class, dash, label) = match step.action {
        Action::WaitAsleep => ("asleep", "8 5", "asleep in runtime_Semacquire"),
        Action::WaitRegistered => ("registered", "2 4", "counted, not yet in the semaphore"),
        _ => return,
    };
    let Some(end) = scene.steps[index..]
        .iter()
        .position(|s| s.lane == step.lane && s.action.is_wait_return())
        .map(|offset| index + offset)
    else {
        return;
    };
    let y = lane_y(top, step.lane);
    let (x1, x2) = (step_x(index), step_x(end));
    let _ = writeln!(
        out,
        r#"<g class="{class}" data-lane="{}"><line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{WAIT}" stroke-width="5" stroke-dasharray="{dash}" opacity="0.6"/><text x="{}" y="{}" text-anchor="middle" font-style="italic" fill="{WAIT}">{label}</text></g>"#,
        escape(scene.lanes[step.lane]),
        (x1 + x2) / 2,
        y + 78
    );
}

/// The wake-up arrow from the releasing step to the waiter that used its token, and the
/// race annotations' happens-before edges.
fn arrows(out: &mut String, scene: &Scene, index: usize, step: &Step, top: usize) {
    if let Action::WaitReturned { token_from, .. } = step.action {
        let from = &scene.steps[token_from];
        // One label per release, on its first arrow: "2 tokens" when it woke two waiters.
        let first_from_release = !scene.steps[..index].iter().any(
            |s| matches!(s.action, Action::WaitReturned { token_from: t, .. } if t == token_from),
        );
        let label = match (first_from_release, from.action) {
            (false, _) => String::new(),
            (true, Action::Done { released }) if released > 1 => {
                format!("{released} tokens (Semrelease)")
            }
            (true, _) => "token (Semrelease)".to_owned(),
        };
        let _ = writeln!(
            out,
            r#"<g class="wake" data-from="{token_from}" data-to="{index}"><title>runtime_Semrelease's token lets this Wait through</title><path d="{}" fill="none" stroke="{WAKE}" stroke-width="2" marker-end="url(#wake-head)"/><text x="{}" y="{}" fill="{WAKE}" stroke="{PAPER}" stroke-width="4" paint-order="stroke">{label}</text></g>"#,
            curve(token_from, from.lane, index, step.lane, top, 0.0),
            (step_x(token_from) + step_x(index)) / 2 + 8,
            (lane_y(top, from.lane) + lane_y(top, step.lane)) / 2 + 4,
        );
    }
    if cfg!(feature = "race") && step.action.is_wait_return() {
        for (from_index, from) in scene.steps[..index].iter().enumerate() {
            if from.action.is_decrement() {
                let _ = writeln!(
                    out,
                    r#"<g class="hb" data-from="{from_index}" data-to="{index}"><title>race annotations: ReleaseMerge(wg) in this Done, Acquire(wg) when Wait returns</title><path d="{}" fill="none" stroke="{HAPPENS_BEFORE}" stroke-width="1.5" stroke-dasharray="4 3" marker-end="url(#hb-head)"/></g>"#,
                    curve(from_index, from.lane, index, step.lane, top, -6.0),
                );
            }
        }
    }
}

/// A curve from step `a` on lane `la` to step `b` on lane `lb`, ending just short of the
/// mark so the arrowhead shows; `lift` moves both ends up (negative) or down.
fn curve(a: usize, la: usize, b: usize, lb: usize, top: usize, lift: f64) -> String {
    let (x1, y1) = (step_x(a) as f64, lane_y(top, la) as f64 + lift);
    let (x2, y2) = (step_x(b) as f64 - 12.0, lane_y(top, lb) as f64 + lift);
    let bend = (x2 - x1) / 2.0;
    format!(
        "M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}",
        x1 + bend,
        x2 - bend
    )
}

fn mark(out: &mut String, scene: &Scene, index: usize, step: &Step, top: usize) {
    let (x, y) = (step_x(index), lane_y(top, step.lane));
    let shape = match step.action {
        Action::Add(_) | Action::Done { .. } => {
            format!(r#"<circle cx="{x}" cy="{y}" r="8" fill="{ADD_DONE}"/>"#)
        }
        _ => format!(
            r#"<rect x="{}" y="{}" width="16" height="16" fill="{WAIT}"/>"#,
            x - 8,
            y - 8
        ),
    };
    let after = &step.after;
    let sema = after.sema.map_or("?".to_owned(), |n| n.to_string());
    let _ = writeln!(
        out,
        r#"<g class="event" data-step="{index}" data-lane="{lane}" data-action="{kind}" data-state="{state}"><title>{lane}: {call}</title>{shape}<text x="{x}" y="{}" text-anchor="middle" font-weight="bold" fill="{INK}">{call}</text><text x="{x}" y="{}" text-anchor="middle" font-family="ui-monospace, monospace" fill="{INK}">{state}</text><text x="{x}" y="{}" text-anchor="middle" font-size="11" fill="{FAINT}">counter {} · waiters {} · sema {sema} · parked {}</text><text x="{x}" y="{}" text-anchor="middle" font-size="11" font-style="italic" fill="{INK}">{work}</text></g>"#,
        y - 16,
        y + 26,
        y + 42,
        after.counter(),
        after.waiters(),
        after.parked,
        y + 58,
        work = escape(&step.work),
        lane = escape(scene.lanes[step.lane]),
        kind = step.action.kind(),
        call = escape(&step.action.call()),
        state = word(after.state),
    );
}

fn legend(out: &mut String, top: usize, races_found: Option<usize>) {
    let y = top + 8;
    let edges = match races_found {
        Some(races) => format!(
            r#"<line x1="10" y1="{0}" x2="28" y2="{0}" stroke="{HAPPENS_BEFORE}" stroke-width="1.5" stroke-dasharray="4 3" marker-end="url(#hb-head)"/><text x="32" y="{1}">happens-before edges that Go's race annotations state (ReleaseMerge(wg) at each done, Acquire(wg) at each wait return), drawn from the recorded steps;</text><text x="32" y="{2}">the race checker watched the writes before each done and the reads after each wait: {races} data race(s) in this run</text>"#,
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
