//! The tour's timeline picture, checked: runs the tour's real scenes through the example's
//! own modules (no `cargo run`), renders the SVG, parses it as XML and reads the run back
//! out of it: the lanes, every mark with its state word, the sleeps, the wake-up arrows and
//! (with `--features race`) the happens-before edges the race checker recorded. The misuse
//! scenes are checked on the record itself, and every picture (the tour's and each scene's
//! on the page) against the layout rules: no arrow through a label or another mark, every
//! caption nearest its own lane (`layout_defects`). The page itself is tested in a browser
//! by `tests/browser/run`.

#[path = "../../examples/tour/branch.rs"]
mod branch;
#[path = "../../examples/tour/director.rs"]
mod director;
#[path = "../../examples/tour/goroutine.rs"]
mod goroutine;
#[path = "../../examples/tour/html.rs"]
mod html;
#[path = "../../examples/tour/json.rs"]
mod json;
#[path = "../../examples/tour/misuse.rs"]
mod misuse;
#[path = "../../examples/tour/narrate.rs"]
mod narrate;
#[cfg(any(feature = "unstable-window-hook", feature = "tracing"))]
#[path = "../../examples/tour/pause.rs"]
mod pause;
#[path = "../../examples/tour/ported.rs"]
mod ported;
#[path = "../../examples/tour/record.rs"]
mod record;
#[path = "../../examples/tour/recorder.rs"]
mod recorder;
#[path = "../../examples/tour/svg.rs"]
mod svg;

use roxmltree::{Document, Node};

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

fn class_is<'a>(class: &'a str) -> impl Fn(&Node<'_, '_>) -> bool + 'a {
    move |node| node.attribute("class") == Some(class)
}

fn lanes(scene: Node<'_, '_>) -> Vec<String> {
    scene
        .descendants()
        .filter(class_is("lane"))
        .map(|lane| {
            lane.attribute("data-lane")
                .expect("a lane names its goroutine")
                .to_owned()
        })
        .collect()
}

/// `(lane, action, state word)` of every mark, in step order.
fn events(scene: Node<'_, '_>) -> Vec<(String, String, String)> {
    let mut marks: Vec<_> = scene
        .descendants()
        .filter(class_is("event"))
        .map(|mark| {
            let attr = |name| {
                mark.attribute(name)
                    .unwrap_or_else(|| panic!("a mark has {name}"))
            };
            let step: usize = attr("data-step").parse().expect("a step number");
            (
                step,
                (
                    attr("data-lane").to_owned(),
                    attr("data-action").to_owned(),
                    attr("data-state").to_owned(),
                ),
            )
        })
        .collect();
    marks.sort_by_key(|(step, _)| *step);
    marks.into_iter().map(|(_, mark)| mark).collect()
}

/// `(from step, to step)` of every arrow of `class`.
fn arrows(scene: Node<'_, '_>, class: &str) -> Vec<(usize, usize)> {
    let mut arrows: Vec<_> = scene
        .descendants()
        .filter(class_is(class))
        .map(|arrow| {
            let end = |name| {
                arrow
                    .attribute(name)
                    .and_then(|n: &str| n.parse().ok())
                    .expect("an arrow's ends")
            };
            (end("data-from"), end("data-to"))
        })
        .collect();
    arrows.sort_unstable();
    arrows
}

/// Every happens-before arrow, checked to be an edge the race checker recorded: its
/// `data-recorded` names the goroutines (and their steps) of the two marks it joins.
fn recorded_arrows(scene: Node<'_, '_>) -> Vec<(usize, usize)> {
    let lane_of = |step: usize| {
        scene
            .descendants()
            .filter(class_is("event"))
            .find(|mark| mark.attribute("data-step") == Some(&step.to_string()))
            .and_then(|mark| mark.attribute("data-lane"))
            .expect("an arrow ends at a mark")
            .to_owned()
    };
    for arrow in scene.descendants().filter(class_is("hb")) {
        let recorded = arrow
            .attribute("data-recorded")
            .expect("a happens-before arrow is an edge the race checker recorded");
        let goroutines: Vec<&str> = recorded
            .split(", ")
            .map(|end| {
                end.strip_prefix("goroutine ")
                    .and_then(|end| end.split(" step ").next())
                    .expect("goroutine N step S")
            })
            .collect();
        for (end, goroutine) in ["data-from", "data-to"].into_iter().zip(goroutines) {
            let step = arrow.attribute(end).unwrap().parse().unwrap();
            assert!(
                lane_of(step).starts_with(&format!("G{goroutine} ")),
                "{recorded}: the arrow's {end} is goroutine {goroutine}'s step"
            );
        }
    }
    arrows(scene, "hb")
}

fn spans(scene: Node<'_, '_>, class: &str) -> Vec<String> {
    scene
        .descendants()
        .filter(class_is(class))
        .map(|span| {
            span.attribute("data-lane")
                .expect("a span's lane")
                .to_owned()
        })
        .collect()
}

fn owned(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

#[test]
fn the_tour_draws_a_well_formed_timeline_of_its_run() {
    let mut narration = narrate::preface();
    let mut narrator = narrate::Narrator::default();
    let tour = director::run(&mut |scene, step| match step {
        None => narration += &narrate::scene(scene),
        Some(step) => narration += &narrator.step(scene, step),
    });
    narration += &narrate::summary(&tour);
    // The tour is correct use: with the `race` feature the checker must find no race in it.
    assert_eq!(
        tour.races_found.unwrap_or(0),
        0,
        "the race checker found a race in the tour's correct-use scenes"
    );
    if cfg!(all(feature = "race", feature = "unstable-window-hook")) {
        // Scene 6's add lands while a waiter is counted: Go's annotations make that a race
        // (Add's read of the semaphore against Wait's write), and the checker reports it.
        assert!(
            gosync::race::errors() > 0,
            "the race checker missed scene 6's Add concurrent with Wait"
        );
    }
    let picture = svg::render(&tour);
    // The layout rules hold in the picture and in each scene's picture on the page.
    let mut defects = layout_defects(&picture);
    for scene in &tour.scenes {
        defects.extend(layout_defects(&svg::render_scene(scene)));
    }
    assert!(defects.is_empty(), "layout defects: {defects:#?}");
    // The page is self-contained: it embeds the record `--json` writes and fetches nothing.
    let page = html::render(&tour);
    assert!(
        page.contains(&json::render(&tour)),
        "the page embeds the record"
    );
    for fetch in [
        "src=",
        "href=\"http",
        "@import",
        "url(http",
        "url(//",
        "<link",
    ] {
        assert!(!page.contains(fetch), "the page fetches something: {fetch}");
    }
    for plural in ["1 waiters", "1 tokens", "1 times"] {
        assert!(!narration.contains(plural), "the narration says {plural:?}");
    }

    let doc = Document::parse(&picture).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(
        (root.tag_name().namespace(), root.tag_name().name()),
        (Some(SVG_NAMESPACE), "svg")
    );
    let scenes: Vec<_> = root.descendants().filter(class_is("scene")).collect();
    let expected_scenes = if cfg!(feature = "unstable-window-hook") {
        3
    } else {
        2
    };
    assert_eq!(scenes.len(), expected_scenes, "one panel per scene");

    let first = scenes[0];
    assert_eq!(
        lanes(first),
        ["G1 main", "G2 worker 1", "G3 worker 2", "G4 waiter"]
    );
    assert_eq!(
        events(first),
        owned(&[
            ("G1 main", "add", "0x00000002_00000000"),
            ("G4 waiter", "wait-asleep", "0x00000002_00000001"),
            ("G2 worker 1", "done", "0x00000001_00000001"),
            ("G3 worker 2", "done", "0x00000000_00000000"),
            ("G4 waiter", "wait-woken", "0x00000000_00000000"),
            ("G1 main", "wait-fast", "0x00000000_00000000"),
        ])
    );
    assert_eq!(
        spans(first, "asleep"),
        ["G4 waiter"],
        "the waiter's sleep is drawn"
    );
    assert_eq!(
        arrows(first, "wake"),
        [(3, 4)],
        "worker 2's token wakes the waiter"
    );
    let happens_before = recorded_arrows(first);
    if cfg!(feature = "race") {
        // The checker recorded an edge from each done (steps 2, 3) to each wait return
        // (4, 5), as Go's ReleaseMerge in done and Acquire in wait state.
        assert_eq!(happens_before, [(2, 4), (2, 5), (3, 4), (3, 5)]);
    } else {
        assert_eq!(
            happens_before,
            [],
            "edges are drawn only with the race feature"
        );
    }

    let second = scenes[1];
    assert_eq!(
        lanes(second),
        ["G1 main", "G5 worker", "G6 waiter A", "G7 waiter B"]
    );
    assert_eq!(
        events(second),
        owned(&[
            ("G1 main", "add", "0x00000001_00000000"),
            ("G6 waiter A", "wait-asleep", "0x00000001_00000001"),
            ("G7 waiter B", "wait-asleep", "0x00000001_00000002"),
            ("G5 worker", "done", "0x00000000_00000000"),
            ("G6 waiter A", "wait-woken", "0x00000000_00000000"),
            ("G7 waiter B", "wait-woken", "0x00000000_00000000"),
        ])
    );
    assert_eq!(spans(second, "asleep"), ["G6 waiter A", "G7 waiter B"]);
    assert_eq!(
        arrows(second, "wake"),
        [(3, 4), (3, 5)],
        "one done, two tokens"
    );
    let expected: &[(usize, usize)] = if cfg!(feature = "race") {
        &[(3, 4), (3, 5)] // the done before both wait returns; not the director's cues
    } else {
        &[]
    };
    assert_eq!(recorded_arrows(second), expected);

    // The misuse scenes, from the record: each panics where Go does, with Go's text.
    let misuse = |number: usize| {
        let scene = tour
            .scenes
            .iter()
            .find(|s| s.number == number)
            .unwrap_or_else(|| panic!("scene {number} ran"));
        scene
            .steps
            .iter()
            .map(|step| {
                let panic = match step.action {
                    record::Action::Panicked { message, .. } => message,
                    _ => "",
                };
                (step.action.kind(), branch::word(step.after.state), panic)
            })
            .collect::<Vec<_>>()
    };
    let negative = "sync: negative WaitGroup counter";
    let reused = "sync: WaitGroup is reused before previous Wait has returned";
    assert_eq!(
        misuse(4),
        [
            ("add", "0x00000001_00000000".to_owned(), ""),
            ("done", "0x00000000_00000000".to_owned(), ""),
            ("panic", "0xffffffff_00000000".to_owned(), negative),
            ("add", "0x00000000_00000000".to_owned(), ""),
            ("wait-fast", "0x00000000_00000000".to_owned(), ""),
        ]
    );
    assert_eq!(
        misuse(5),
        [
            ("add", "0x00000001_00000000".to_owned(), ""),
            ("wait-asleep", "0x00000001_00000001".to_owned(), ""),
            ("done", "0x00000000_00000000".to_owned(), ""),
            ("add", "0x00000001_00000000".to_owned(), ""),
            ("panic", "0x00000001_00000000".to_owned(), reused),
            ("done", "0x00000000_00000000".to_owned(), ""),
        ]
    );
    #[cfg(feature = "unstable-window-hook")]
    {
        let during = "sync: WaitGroup misuse: Add called concurrently with Wait";
        assert_eq!(
            misuse(6),
            [
                ("add", "0x00000001_00000000".to_owned(), ""),
                ("wait-asleep", "0x00000001_00000001".to_owned(), ""),
                ("done-held", "0x00000000_00000001".to_owned(), ""),
                ("panic", "0x00000001_00000001".to_owned(), during),
                ("panic", "0x00000001_00000001".to_owned(), during),
                ("done", "0x00000000_00000000".to_owned(), ""),
                ("wait-woken", "0x00000000_00000000".to_owned(), ""),
            ]
        );
    }
    #[cfg(feature = "tracing")]
    {
        assert_eq!(
            misuse(7),
            [
                ("add", "0x00000001_00000000".to_owned(), ""),
                ("wait-timeout-asleep", "0x00000001_00000001".to_owned(), ""),
                ("wait-timed-out", "0x00000001_00000000".to_owned(), ""),
                ("done", "0x00000000_00000000".to_owned(), ""),
                ("wait-fast", "0x00000000_00000000".to_owned(), ""),
            ]
        );
    }

    // The narration tells the same run: the last Done takes the release path.
    let last_done = narration
        .split("\n[")
        .find(|step| step.starts_with("4] G3 worker 2: wg.done()"))
        .expect("step 4 is worker 2's done");
    for line in [
        "waitgroup.go:96",
        "waitgroup.go:100",
        "waitgroup.go:102",
        "sema.go:184",
    ] {
        assert!(
            last_done.contains(line),
            "the last done runs {line}:\n{last_done}"
        );
    }

    #[cfg(feature = "unstable-window-hook")]
    {
        let third = scenes[2];
        assert_eq!(lanes(third), ["G1 main", "G8 worker", "G9 waiter"]);
        assert_eq!(
            events(third),
            owned(&[
                ("G1 main", "add", "0x00000001_00000000"),
                ("G9 waiter", "wait-registered", "0x00000001_00000001"),
                ("G8 worker", "done", "0x00000000_00000000"),
                (
                    "G9 waiter",
                    "wait-token-before-sleep",
                    "0x00000000_00000000"
                ),
            ])
        );
        assert_eq!(spans(third, "registered"), ["G9 waiter"]);
        assert_eq!(
            spans(third, "asleep"),
            Vec::<String>::new(),
            "the waiter never slept"
        );
        assert_eq!(arrows(third, "wake"), [(2, 3)]);
        let expected: &[(usize, usize)] = if cfg!(feature = "race") {
            &[(2, 3)]
        } else {
            &[]
        };
        assert_eq!(recorded_arrows(third), expected);

        // The pictures in docs/img/ are this run's. The tour is deterministic (the director
        // fixes the order; the one racy count is drawn as `?`), so a difference is a change.
        // (In this one test: the pause is process-wide, two tours at once would share it.)
        let name = if cfg!(feature = "race") {
            "docs/img/tour-race.svg"
        } else {
            "docs/img/tour.svg"
        };
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(name);
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == picture,
            "{name} is stale: run scripts/regen-docs and commit it"
        );
    }
}

/// A box on the picture, in its user units.
#[derive(Debug, Clone, Copy)]
struct Box2 {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

fn number(node: Node<'_, '_>, name: &str) -> f64 {
    node.attribute(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("<{}> has a numeric {name}", node.tag_name().name()))
}

/// An attribute of the node or the nearest ancestor that sets it.
fn inherited<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.ancestors().find_map(|n| n.attribute(name))
}

/// A text's box, from its anchor and an upper bound on glyph widths (0.6 em for the
/// monospace font, 0.62 em for bold, 0.56 em otherwise), its height from ascent to descent.
fn text_box(text: Node<'_, '_>) -> Box2 {
    let size: f64 = inherited(text, "font-size").map_or(13.0, |s| s.parse().unwrap());
    let mono = inherited(text, "font-family").is_some_and(|f| f.contains("monospace"));
    let bold = text.attribute("font-weight") == Some("bold");
    let em = if mono {
        0.6
    } else if bold {
        0.62
    } else {
        0.56
    };
    let chars = text.text().unwrap_or("").chars().count() as f64;
    let width = chars * em * size;
    let (x, y) = (number(text, "x"), number(text, "y"));
    let x0 = match text.attribute("text-anchor") {
        Some("middle") => x - width / 2.0,
        Some("end") => x - width,
        _ => x,
    };
    Box2 {
        x0,
        y0: y - 0.8 * size,
        x1: x0 + width,
        y1: y + 0.25 * size,
    }
}

fn mark_box(shape: Node<'_, '_>) -> Box2 {
    match shape.tag_name().name() {
        "circle" => {
            let (x, y, r) = (number(shape, "cx"), number(shape, "cy"), number(shape, "r"));
            Box2 {
                x0: x - r,
                y0: y - r,
                x1: x + r,
                y1: y + r,
            }
        }
        _ => {
            let (x, y) = (number(shape, "x"), number(shape, "y"));
            Box2 {
                x0: x,
                y0: y,
                x1: x + number(shape, "width"),
                y1: y + number(shape, "height"),
            }
        }
    }
}

/// A path's `d` as a polyline: `M`, `L` and (sampled) `C` commands, absolute.
fn polyline(d: &str) -> Vec<(f64, f64)> {
    let spaced: String = d
        .chars()
        .flat_map(|c| match c {
            'M' | 'L' | 'C' => vec![' ', c, ' '],
            ',' => vec![' '],
            c => vec![c],
        })
        .collect();
    let mut tokens = spaced.split_whitespace().peekable();
    let mut points: Vec<(f64, f64)> = Vec::new();
    let next = |tokens: &mut std::iter::Peekable<std::str::SplitWhitespace<'_>>| -> (f64, f64) {
        let x = tokens.next().unwrap().parse().unwrap();
        let y = tokens.next().unwrap().parse().unwrap();
        (x, y)
    };
    while let Some(command) = tokens.next() {
        match command {
            "M" | "L" => {
                let p = next(&mut tokens);
                points.push(p);
            }
            "C" => {
                let p0 = *points.last().expect("C after a point");
                let (p1, p2, p3) = (next(&mut tokens), next(&mut tokens), next(&mut tokens));
                for i in 1..=24 {
                    let t = f64::from(i) / 24.0;
                    let u = 1.0 - t;
                    let at = |a: f64, b: f64, c: f64, d: f64| {
                        u * u * u * a + 3.0 * u * u * t * b + 3.0 * u * t * t * c + t * t * t * d
                    };
                    points.push((at(p0.0, p1.0, p2.0, p3.0), at(p0.1, p1.1, p2.1, p3.1)));
                }
            }
            other => panic!("path command {other} is not drawn by the tour"),
        }
    }
    points
}

/// Whether the segment from `a` to `b` passes through the box (Liang-Barsky clipping).
fn crosses(a: (f64, f64), b: (f64, f64), r: Box2) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-dx, a.0 - r.x0),
        (dx, r.x1 - a.0),
        (-dy, a.1 - r.y0),
        (dy, r.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

/// The layout rules the pictures keep, one scene panel at a time: no arrow crosses a label
/// (anyone's) or a mark (but the two it joins), and every caption of a lane is nearer its
/// own lane than any other. Returns the defects found, one line each.
fn layout_defects(picture: &str) -> Vec<String> {
    let doc = Document::parse(picture).expect("the SVG is well-formed XML");
    let mut defects = Vec::new();
    for scene in doc.descendants().filter(class_is("scene")) {
        let title = scene.attribute("data-title").unwrap_or("?");
        let lane_y: Vec<(String, f64)> = scene
            .descendants()
            .filter(class_is("lane"))
            .map(|lane| {
                let line = lane.children().find(|n| n.has_tag_name("line")).unwrap();
                (
                    lane.attribute("data-lane").unwrap().to_owned(),
                    number(line, "y1"),
                )
            })
            .collect();
        for lane in scene.descendants().filter(class_is("lane")) {
            let name = lane.children().find(|n| n.has_tag_name("text")).unwrap();
            let line = lane.children().find(|n| n.has_tag_name("line")).unwrap();
            if text_box(name).x1 > number(line, "x1") {
                defects.push(format!(
                    "{title}: the lane name {:?} runs into its line",
                    name.text().unwrap()
                ));
            }
        }
        let marks: Vec<(String, Box2)> = scene
            .descendants()
            .filter(class_is("event"))
            .map(|event| {
                let shape = event
                    .children()
                    .find(|n| n.has_tag_name("circle") || n.has_tag_name("rect"))
                    .expect("a mark has a shape");
                (
                    event.attribute("data-step").unwrap().to_owned(),
                    mark_box(shape),
                )
            })
            .collect();
        let texts: Vec<(Node<'_, '_>, Box2)> = scene
            .descendants()
            .filter(|n| n.has_tag_name("text") && !n.text().unwrap_or("").trim().is_empty())
            .map(|t| (t, text_box(t)))
            .collect();
        for arrow in scene
            .descendants()
            .filter(|n| matches!(n.attribute("class"), Some("wake" | "hb")))
        {
            let ends = [
                arrow.attribute("data-from").unwrap(),
                arrow.attribute("data-to").unwrap(),
            ];
            let name = format!(
                "{title}: {} arrow {} -> {}",
                arrow.attribute("class").unwrap(),
                ends[0],
                ends[1]
            );
            let path = arrow.children().find(|n| n.has_tag_name("path")).unwrap();
            let points = polyline(path.attribute("d").unwrap());
            for segment in points.windows(2) {
                for (step, mark) in &marks {
                    if !ends.contains(&step.as_str()) && crosses(segment[0], segment[1], *mark) {
                        defects.push(format!("{name} crosses the mark of step {step}"));
                    }
                }
                for (text, b) in &texts {
                    let own = text.ancestors().any(|a| a == arrow);
                    if !own && crosses(segment[0], segment[1], *b) {
                        defects.push(format!(
                            "{name} crosses the label {:?}",
                            text.text().unwrap()
                        ));
                    }
                }
            }
        }
        for group in scene.descendants().filter(|n| {
            matches!(
                n.attribute("class"),
                Some("event" | "asleep" | "registered")
            )
        }) {
            let own = group.attribute("data-lane").unwrap();
            let own_y = lane_y.iter().find(|(name, _)| name == own).unwrap().1;
            for text in group.children().filter(|n| n.has_tag_name("text")) {
                let b = text_box(text);
                let middle = (b.y0 + b.y1) / 2.0;
                for (other, y) in &lane_y {
                    if other != own && (middle - y).abs() <= (middle - own_y).abs() {
                        defects.push(format!(
                            "{title}: {own}'s caption {:?} is nearer {other}'s lane",
                            text.text().unwrap()
                        ));
                    }
                }
            }
        }
        for (text, _) in &texts {
            let t = text.text().unwrap();
            if t.contains("1 waiters") || t.contains("1 tokens") {
                defects.push(format!("{title}: {t:?} (one waiter, one token)"));
            }
        }
    }
    defects.sort();
    defects.dedup();
    defects
}

/// The checker itself: the pictures committed before the arrows were routed (curves across
/// the columns) are caught, so a clean result means something.
#[test]
fn the_layout_check_catches_arrows_across_labels_and_marks() {
    let old = include_str!("tour_svg/curved-arrows.svg");
    let defects = layout_defects(old);
    assert!(
        defects
            .iter()
            .any(|d| d.contains("two waiters: wake arrow") && d.contains("crosses the label")),
        "{defects:#?}"
    );
    assert!(
        defects
            .iter()
            .any(|d| d.contains("hb arrow 2 -> 4 crosses the mark of step 3")),
        "the G2 -> G4 edge through G3's done: {defects:#?}"
    );
    assert!(
        defects.iter().any(|d| d.contains("is nearer")),
        "the span captions near the next lane: {defects:#?}"
    );
}
