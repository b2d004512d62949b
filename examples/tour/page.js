// The tour's page (examples/tour/html.rs): shows the recorded run embedded as JSON, step
// by step. It computes nothing about the WaitGroup: every value shown is the recorder's.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("tour-data").textContent);
  const scenes = data.scenes;
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-") || key.startsWith("aria-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) node.append(child);
    return node;
  };
  const race = data.features.includes("race");
  let sceneIndex = 0;
  let stepIndex = 0;
  let player = null;

  const hashOf = (s, k) => `#scene-${scenes[s].number}/step-${k + 1}`;

  function fromHash() {
    const m = /^#scene-(\d+)\/step-(\d+)$/.exec(location.hash);
    if (!m) return null;
    const s = scenes.findIndex((scene) => scene.number === Number(m[1]));
    if (s < 0) return null;
    const n = scenes[s].steps.length;
    return [s, Math.min(Math.max(Number(m[2]), 1), n) - 1];
  }

  function show(s, k) {
    sceneIndex = s;
    stepIndex = k;
    const hash = hashOf(s, k);
    if (location.hash !== hash) history.replaceState(null, "", hash);
    render();
  }

  function next() {
    const n = scenes[sceneIndex].steps.length;
    if (stepIndex + 1 < n) show(sceneIndex, stepIndex + 1);
    else if (sceneIndex + 1 < scenes.length) show(sceneIndex + 1, 0);
    else stop();
  }

  function previous() {
    if (stepIndex > 0) show(sceneIndex, stepIndex - 1);
    else if (sceneIndex > 0) show(sceneIndex - 1, scenes[sceneIndex - 1].steps.length - 1);
  }

  function stop() {
    if (player !== null) clearInterval(player);
    player = null;
    $("play").setAttribute("aria-pressed", "false");
  }

  function play() {
    if (player !== null) return stop();
    $("play").setAttribute("aria-pressed", "true");
    if (stepIndex + 1 >= scenes[sceneIndex].steps.length) show(sceneIndex, 0);
    player = setInterval(() => {
      if (stepIndex + 1 >= scenes[sceneIndex].steps.length) stop();
      else show(sceneIndex, stepIndex + 1);
    }, 1500);
  }

  function renderBits(step, before) {
    const box = $("bits");
    box.replaceChildren();
    const changed = [];
    for (const [name, from, label] of [["counter", 0, "counter, bits 63\u201332"], ["waiters", 32, "waiters, bits 31\u20130"]]) {
      const half = el("div", { class: `half ${name}`, "aria-hidden": "true" }, el("span", { class: "label" }, label));
      for (let byte = 0; byte < 4; byte++) {
        for (let i = 0; i < 8; i++) {
          const at = from + byte * 8 + i;
          const bitNumber = 63 - at;
          const bit = el("span", { class: "bit", "data-bit": String(bitNumber), title: `bit ${bitNumber}` }, step.bits[at]);
          if (step.bits[at] === "1") bit.classList.add("one");
          if (step.bits[at] !== before[at]) {
            bit.classList.add("changed");
            changed.push(bitNumber);
          }
          half.append(bit);
        }
      }
      box.append(half);
    }
    const what = changed.length ? `bits changed by this step: ${changed.join(", ")}` : "no bit changed";
    box.setAttribute("aria-label", `State word ${step.state}: counter ${step.counter} in bits 63 to 32, waiters ${step.waiters} in bits 31 to 0; ${what}.`);
  }

  function renderPicture(scene, k) {
    for (const picture of document.querySelectorAll(".picture")) {
      picture.hidden = Number(picture.dataset.scene) !== scene.number;
    }
    const picture = document.querySelector(`.picture[data-scene="${scene.number}"]`);
    let current = null;
    for (const mark of picture.querySelectorAll(".event")) {
      const at = Number(mark.dataset.step);
      mark.classList.toggle("future", at > k);
      mark.classList.toggle("current", at === k);
      if (at === k) current = mark;
    }
    for (const arrow of picture.querySelectorAll(".wake, .hb")) {
      arrow.classList.toggle("future", Number(arrow.dataset.to) > k);
    }
    for (const span of picture.querySelectorAll(".asleep, .registered")) {
      span.classList.toggle("future", Number(span.dataset.from) > k);
    }
    if (current) {
      const box = $("timeline");
      const at = current.querySelector("circle, rect").getBoundingClientRect();
      const left = box.getBoundingClientRect().left;
      box.scrollLeft = Math.max(0, box.scrollLeft + at.left - left - box.clientWidth / 2);
    }
    const list = $("timeline-text");
    list.replaceChildren();
    scene.steps.slice(0, k + 1).forEach((step, i) => {
      const sema = step.sema === null ? "?" : step.sema;
      const item = el("li", {}, `${step.laneName}: ${step.call}${step.work ? ` (${step.work})` : ""}; then ${step.state}, counter ${step.counter}, waiters ${step.waiters}, sema ${sema}, parked ${step.parked}`);
      if (i === k) item.classList.add("current");
      list.append(item);
    });
  }

  function renderEdges(scene, k) {
    $("edges-box").hidden = !race;
    if (!race) return;
    const list = $("edges");
    list.replaceChildren();
    let any = false;
    scene.steps.slice(0, k + 1).forEach((step) => {
      for (const edge of step.happensAfter) {
        any = true;
        const from = scene.steps[edge.fromStep];
        const item = el("li", { "data-from": String(edge.fromStep + 1), "data-to": String(step.index + 1) },
          `step ${edge.fromStep + 1} (${from.laneName}: ${from.call}) \u2192 step ${step.index + 1} (${step.laneName}: ${step.call}): goroutine ${edge.from}'s release of the WaitGroup at its clock ${edge.fromClock} happens before goroutine ${edge.to}'s acquire at its clock ${edge.toClock}`);
        if (step.index === k) item.classList.add("current");
        list.append(item);
      }
    });
    if (!any) list.append(el("li", {}, "none yet: an edge is recorded when a wait acquires the WaitGroup"));
  }

  function renderLines(step) {
    const body = document.querySelector("#lines tbody");
    body.replaceChildren();
    for (const line of step.go) {
      const own = line.file.startsWith("src/");
      const go = el("td", { "data-label": "Go 1.19.8" });
      if (own) go.append(el("span", { class: "where" }, "no Go counterpart"), "gosync's own");
      else go.append(el("span", { class: "where" }, `${line.file}:${line.line}`), el("code", {}, line.code));
      const rust = el("td", { "data-label": "gosync" });
      if (line.rust.length === 0) rust.append(el("span", { class: "where" }, "no marker for this line"));
      for (const r of line.rust) rust.append(el("span", { class: "where" }, `${r.file}:${r.line}`), el("code", {}, r.code));
      const row = el("tr", { "data-file": line.file, "data-line": String(line.line) }, go, rust, el("td", { class: "why", "data-label": "why" }, line.why));
      body.append(row);
    }
    for (const ran of document.querySelectorAll(".src-line.ran")) ran.classList.remove("ran");
    for (const pre of document.querySelectorAll(".go-src")) {
      const ran = step.go.filter((line) => line.file === pre.dataset.file);
      for (const line of ran) {
        pre.querySelector(`.src-line[data-line="${line.line}"]`).classList.add("ran");
      }
      if (ran.length) {
        pre.parentElement.open = true;
        const first = pre.querySelector(".src-line.ran");
        pre.scrollTop = Math.max(0, first.offsetTop - 48);
      }
    }
  }

  function render() {
    const scene = scenes[sceneIndex];
    const k = stepIndex;
    const step = scene.steps[k];
    const n = scene.steps.length;
    $("scene-title").textContent = `Scene ${scene.number}: ${scene.title}`;
    $("scene-intro").textContent = scene.intro;
    for (const link of document.querySelectorAll("#scenes a")) {
      link.setAttribute("aria-current", String(Number(link.dataset.scene) === scene.number));
    }
    const slider = $("slider");
    slider.max = String(n);
    slider.value = String(k + 1);
    slider.setAttribute("aria-valuetext", `step ${k + 1} of ${n}: ${step.laneName}, ${step.call}`);
    $("position").textContent = `step ${k + 1} of ${n}`;
    $("announce").textContent = `Scene ${scene.number}, step ${k + 1} of ${n}: ${step.laneName}, ${step.call}. State word ${step.state}, counter ${step.counter}, waiters ${step.waiters}.${step.panic === null ? "" : ` Panic: ${step.panic}.`}`;
    $("permalink").href = hashOf(sceneIndex, k);
    $("prev").disabled = sceneIndex === 0 && k === 0;
    $("next").disabled = sceneIndex === scenes.length - 1 && k === n - 1;
    $("step-lane").textContent = step.laneName;
    $("step-call").textContent = step.call;
    $("step-work").textContent = step.work ? `Around the call: ${step.work}` : "";
    $("step-panic").hidden = step.panic === null;
    $("step-panic").textContent = step.panic === null ? "" : `panic: ${step.panic}`;
    $("state-hex").textContent = step.state;
    const before = k > 0 ? scene.steps[k - 1].bits : "0".repeat(64);
    renderBits(step, before);
    $("counter").textContent = String(step.counter);
    $("waiters").textContent = String(step.waiters);
    $("sema").textContent = step.sema === null ? "?" : String(step.sema);
    $("sema-note").hidden = step.sema !== null;
    $("parked").textContent = step.parkedLanes.length ? step.parkedLanes.join(", ") : "nobody";
    $("parked-count").textContent = String(step.parked);
    renderPicture(scene, k);
    renderEdges(scene, k);
    renderLines(step);
    // Which step the page now shows, for a reader (or a test) that changed the hash: the
    // page renders on `hashchange`, which comes after the navigation.
    document.body.dataset.shown = hashOf(sceneIndex, k);
  }

  $("next").addEventListener("click", () => { stop(); next(); });
  $("prev").addEventListener("click", () => { stop(); previous(); });
  $("play").addEventListener("click", play);
  $("slider").addEventListener("input", (event) => { stop(); show(sceneIndex, Number(event.target.value) - 1); });
  window.addEventListener("hashchange", () => {
    const at = fromHash();
    if (at) show(...at);
  });
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.target instanceof HTMLInputElement) return; // the slider moves itself
    const n = scenes[sceneIndex].steps.length;
    const keys = {
      ArrowRight: next,
      ArrowLeft: previous,
      Home: () => show(sceneIndex, 0),
      End: () => show(sceneIndex, n - 1),
    };
    const act = keys[event.key];
    if (!act) return;
    event.preventDefault();
    stop();
    act();
  });
  const at = fromHash() || [0, 0];
  show(...at);
})();
