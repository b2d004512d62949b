//! The run as JSON (`--json FILE`): every scene and step as the recorder kept them. The page
//! (`--html`) embeds the same document; the browser test reads this file to check the page
//! against the run without trusting the page's copy.
//!
//! Written by hand (a few dozen lines) so that the tour builds gosync alone: serde would be
//! the tour's only other dependency.

use std::fmt::Write as _;

use crate::branch::word;
use crate::ported;
use crate::record::{Part, Scene, Step, Tour};

/// The whole tour as one JSON document.
pub fn render(tour: &Tour) -> String {
    let mut out = String::from("{\n");
    let features: Vec<&str> = [
        (cfg!(feature = "tracing"), "tracing"),
        (cfg!(feature = "race"), "race"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    let _ = writeln!(
        out,
        "\"features\": {},",
        list(features.iter().map(|f| string(f)))
    );
    let _ = writeln!(
        out,
        "\"racesFound\": {},",
        tour.races_found.map_or("null".into(), |n| n.to_string())
    );
    let missing = crate::misuse::NEED_TRACING
        .iter()
        .filter(|(number, _)| !tour.scenes.iter().any(|s| s.number == *number))
        .map(|(number, title)| format!("{{\"number\": {number}, \"title\": {}}}", string(title)));
    let _ = writeln!(out, "\"needTracing\": {},", list(missing));
    let scenes = tour.scenes.iter().map(scene);
    let _ = writeln!(out, "\"scenes\": {}", list(scenes));
    out.push_str("}\n");
    out
}

fn scene(scene: &Scene) -> String {
    let mut parked: Vec<usize> = Vec::new();
    let steps: Vec<String> = scene
        .steps
        .iter()
        .enumerate()
        .map(|(index, s)| {
            if s.action.falls_asleep() {
                parked.push(s.lane);
            }
            if s.after.parked < parked.len() {
                // A release dequeues every sleeper (asserted by the recorder), a withdrawal
                // its own.
                parked.retain(|&lane| lane != s.lane);
                if s.after.parked == 0 {
                    parked.clear();
                }
            }
            assert_eq!(
                parked.len(),
                s.after.parked,
                "who is asleep, scene {}",
                scene.number
            );
            let names = parked.iter().map(|&lane| string(scene.lanes[lane]));
            step(scene, index, s, list(names))
        })
        .collect();
    format!(
        "{{\"number\": {}, \"part\": {}, \"title\": {}, \"intro\": {}, \"lanes\": {}, \"steps\": {}}}",
        scene.number,
        string(match scene.part {
            Part::Tour => "tour",
            Part::Misuse => "misuse",
        }),
        string(scene.title),
        string(scene.intro),
        list(scene.lanes.iter().map(|l| string(l))),
        list(steps.into_iter()),
    )
}

fn step(scene: &Scene, index: usize, step: &Step, parked_lanes: String) -> String {
    let after = &step.after;
    let go = step.go.iter().map(|line| {
        let rust = if line.file.starts_with("src/") {
            // gosync's own line: it is its own port.
            vec![ported::RustLine {
                file: line.file,
                line: line.line,
                code: line.code.to_owned(),
            }]
        } else {
            ported::rust_lines(line.file, line.line)
        };
        let rust = rust.iter().map(|r| {
            format!(
                "{{\"file\": {}, \"line\": {}, \"code\": {}}}",
                string(r.file),
                r.line,
                string(&r.code)
            )
        });
        format!(
            "{{\"file\": {}, \"line\": {}, \"code\": {}, \"why\": {}, \"rust\": {}}}",
            string(line.file),
            line.line,
            string(line.code),
            string(&line.why),
            list(rust)
        )
    });
    let edges = step.happens_after.iter().map(|(from_step, edge)| {
        format!(
            "{{\"fromStep\": {from_step}, \"from\": {}, \"fromClock\": {}, \"to\": {}, \"toClock\": {}}}",
            edge.from, edge.from_step, edge.to, edge.to_step
        )
    });
    let panic = match step.action {
        crate::record::Action::Panicked { message, .. } => string(message),
        _ => "null".into(),
    };
    format!(
        "\n  {{\"index\": {index}, \"lane\": {}, \"laneName\": {}, \"action\": {}, \"call\": {}, \"work\": {}, \
         \"state\": {}, \"bits\": \"{:064b}\", \"counter\": {}, \"waiters\": {}, \"sema\": {}, \"parked\": {}, \
         \"parkedLanes\": {parked_lanes}, \"panic\": {panic}, \"tokenFrom\": {}, \"go\": {}, \"happensAfter\": {}}}",
        step.lane,
        string(scene.lanes[step.lane]),
        string(step.action.kind()),
        string(&step.action.call()),
        string(&step.work),
        string(&word(after.state)),
        after.state,
        after.counter(),
        after.waiters(),
        after.sema.map_or("null".into(), |n| n.to_string()),
        after.parked,
        step.action.token_from().map_or("null".into(), |n| n.to_string()),
        list(go),
        list(edges),
    )
}

fn list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// A JSON string literal. `<` is escaped too, so the document can sit inside `<script>`.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
