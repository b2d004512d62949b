//! The tour's timeline picture, checked: runs the tour's real scenes through the example's
//! own modules (no `cargo run`), renders the SVG, parses it as XML and reads the run back
//! out of it: the lanes, every mark with its state word, the sleeps, the wake-up arrows and
//! (with `--features race`) the happens-before edges the race checker recorded.

#[path = "../../examples/tour/branch.rs"]
mod branch;
#[path = "../../examples/tour/director.rs"]
mod director;
#[path = "../../examples/tour/goroutine.rs"]
mod goroutine;
#[path = "../../examples/tour/narrate.rs"]
mod narrate;
#[cfg(feature = "tracing")]
#[path = "../../examples/tour/pause.rs"]
mod pause;
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
    narration += &narrate::summary(tour.scenes.len());
    // The tour is correct use: with the `race` feature the checker must find no race in it.
    assert_eq!(
        gosync::race::errors(),
        0,
        "the race checker found a race in the tour"
    );
    let picture = svg::render(&tour);

    let doc = Document::parse(&picture).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(
        (root.tag_name().namespace(), root.tag_name().name()),
        (Some(SVG_NAMESPACE), "svg")
    );
    let scenes: Vec<_> = root.descendants().filter(class_is("scene")).collect();
    let expected_scenes = if cfg!(feature = "tracing") { 3 } else { 2 };
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

    #[cfg(feature = "tracing")]
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
