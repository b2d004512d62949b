// The tour's page in a real browser: headless Chromium (the system's, /usr/bin/chromium)
// driven by Playwright. Run by tests/browser/run, which writes the page and the record:
//
//   node tests/browser/tour.test.mjs PAGE.html RECORD.json SCREENSHOT_DIR
//
// RECORD.json is the tour's `--json` output, written by the same run as the page: the test
// compares what the page shows against it, not against the page's own embedded copy.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [pagePath, recordPath, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node tour.test.mjs PAGE.html RECORD.json SCREENSHOT_DIR");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const record = JSON.parse(readFileSync(recordPath, "utf8"));
const race = record.features.includes("race");
const url = pathToFileURL(path.resolve(pagePath)).href;
const steps = record.scenes.flatMap((scene) => scene.steps.map((step, k) => ({ scene, step, k })));

// The record is self-consistent: its bits are its word, its halves its counter and waiters.
for (const { scene, step } of steps) {
  const word = BigInt(`0x${step.state.slice(2).replace("_", "")}`);
  assert.equal(word.toString(2).padStart(64, "0"), step.bits, `scene ${scene.number}: bits of ${step.state}`);
  assert.equal(Number(BigInt.asIntN(32, word >> 32n)), step.counter);
  assert.equal(Number(word & 0xffffffffn), step.waiters);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const failures = [];
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.on("pageerror", (error) => failures.push(`page error: ${error.message}`));
page.on("console", (message) => {
  if (message.type() === "error") failures.push(`console error: ${message.text()}`);
});
page.on("request", (request) => {
  if (!request.url().startsWith("file:")) failures.push(`the page fetched ${request.url()}`);
});

/** What the page shows now, read from the DOM, once it has rendered the step its address
 * names (a scene link changes the address first; the page renders on `hashchange`, after
 * the click has returned: reading at once saw the old scene now and then). */
const shown = async () => {
  await page.waitForFunction(() => document.body.dataset.shown === location.hash);
  return page.evaluate(() => {
    const all = (selector) => [...document.querySelectorAll(selector)];
    const picture = document.querySelector(".picture:not([hidden])");
    return {
      hash: location.hash,
      title: document.getElementById("scene-title").textContent,
      lane: document.getElementById("step-lane").textContent,
      call: document.getElementById("step-call").textContent,
      hex: document.getElementById("state-hex").textContent,
      bits: all("#bits .bit").map((bit) => bit.textContent).join(""),
      changed: all("#bits .bit.changed").map((bit) => Number(bit.dataset.bit)),
      counter: document.getElementById("counter").textContent,
      waiters: document.getElementById("waiters").textContent,
      sema: document.getElementById("sema").textContent,
      parked: document.getElementById("parked-count").textContent,
      parkedLanes: document.getElementById("parked").textContent,
      panic: document.getElementById("step-panic").hidden ? null : document.getElementById("step-panic").textContent,
      ran: all(".src-line.ran").map((line) => `${line.dataset.file}:${line.dataset.line}`),
      rows: all("#lines tbody tr").map((row) => `${row.dataset.file}:${row.dataset.line}`),
      rust: all("#lines tbody tr").map((row) => row.children[1].textContent),
      pictures: all(".picture:not([hidden])").length,
      scene: picture && Number(picture.dataset.scene),
      current: all(".picture:not([hidden]) .event.current").map((mark) => Number(mark.dataset.step)),
      drawn: all(".picture:not([hidden]) .event:not(.future)").length,
      hbDrawn: all(".picture:not([hidden]) .hb:not(.future)").length,
      edgesListed: all("#edges li[data-from]").length,
      slider: document.getElementById("slider").value,
      sliderMax: document.getElementById("slider").max,
    };
  });
};

let checked = 0;
/** Checks the page shows step `k` of `scene` as the record has it. */
async function check(scene, k, how) {
  const step = scene.steps[k];
  const now = await shown();
  const where = `scene ${scene.number} step ${k + 1} (${how})`;
  assert.equal(now.hash, `#scene-${scene.number}/step-${k + 1}`, `${where}: link`);
  assert.equal(now.title, `Scene ${scene.number}: ${scene.title}`, where);
  assert.equal(now.lane, step.laneName, `${where}: goroutine`);
  assert.equal(now.call, step.call, `${where}: call`);
  assert.equal(now.hex, step.state, `${where}: state word`);
  assert.equal(now.bits, step.bits, `${where}: bits`);
  const before = k > 0 ? scene.steps[k - 1].bits : "0".repeat(64);
  const changed = [...step.bits].flatMap((bit, i) => (bit !== before[i] ? [63 - i] : []));
  assert.deepEqual(now.changed, changed, `${where}: changed bits`);
  assert.equal(now.counter, String(step.counter), `${where}: counter`);
  assert.equal(now.waiters, String(step.waiters), `${where}: waiters`);
  assert.equal(now.sema, step.sema === null ? "?" : String(step.sema), `${where}: sema`);
  assert.equal(now.parked, String(step.parked), `${where}: parked`);
  assert.equal(now.parkedLanes, step.parkedLanes.length ? step.parkedLanes.join(", ") : "nobody", `${where}: who is parked`);
  assert.equal(now.panic, step.panic === null ? null : `panic: ${step.panic}`, `${where}: panic`);
  const goLines = step.go.filter((line) => !line.file.startsWith("src/")).map((line) => `${line.file}:${line.line}`);
  assert.deepEqual([...now.ran].sort(), [...new Set(goLines)].sort(), `${where}: highlighted Go lines`);
  assert.deepEqual(now.rows, step.go.map((line) => `${line.file}:${line.line}`), `${where}: the lines that ran, in order`);
  step.go.forEach((line, i) => {
    for (const rust of line.rust) assert.ok(now.rust[i].includes(`${rust.file}:${rust.line}`), `${where}: Rust line beside ${line.file}:${line.line}`);
  });
  assert.equal(now.pictures, 1, `${where}: one timeline shown`);
  assert.equal(now.scene, scene.number, `${where}: the scene's timeline`);
  assert.deepEqual(now.current, [k], `${where}: the current step highlighted`);
  assert.equal(now.drawn, k + 1, `${where}: the timeline so far`);
  assert.equal(now.slider, String(k + 1), `${where}: slider`);
  assert.equal(now.sliderMax, String(scene.steps.length), `${where}: slider range`);
  const edges = scene.steps.slice(0, k + 1).reduce((n, s) => n + s.happensAfter.length, 0);
  assert.equal(now.edgesListed, race ? edges : 0, `${where}: happens-before edges listed`);
  assert.equal(now.hbDrawn, race ? edges : 0, `${where}: happens-before edges drawn`);
  checked += 1;
}

await page.goto(`${url}#scene-${record.scenes[0].number}/step-1`);

// 1. The keyboard alone: → through every step of every scene, one screenshot per scene.
await check(steps[0].scene, 0, "first load");
for (let i = 1; i < steps.length; i++) {
  await page.keyboard.press("ArrowRight");
  await check(steps[i].scene, steps[i].k, "ArrowRight");
  const last = i + 1 === steps.length || steps[i + 1].scene !== steps[i].scene;
  if (last) await page.screenshot({ path: path.join(shots, `scene-${steps[i].scene.number}.png`), fullPage: true });
}
// ... and ← all the way back.
for (let i = steps.length - 2; i >= 0; i--) {
  await page.keyboard.press("ArrowLeft");
  await check(steps[i].scene, steps[i].k, "ArrowLeft");
}

// 2. The buttons: Next through every step, Previous back.
for (let i = 1; i < steps.length; i++) {
  await page.click("#next");
  await check(steps[i].scene, steps[i].k, "Next button");
}
assert.ok(await page.isDisabled("#next"), "Next is disabled at the last step");
for (let i = steps.length - 2; i >= 0; i--) {
  await page.click("#prev");
  await check(steps[i].scene, steps[i].k, "Previous button");
}
assert.ok(await page.isDisabled("#prev"), "Previous is disabled at the first step");

// 3. Each scene from its link in the list, End and Home, and the slider by keyboard.
for (const scene of record.scenes) {
  await page.click(`#scenes a[data-scene="${scene.number}"]`);
  await check(scene, 0, "scene link");
  await page.keyboard.press("End");
  await check(scene, scene.steps.length - 1, "End");
  await page.keyboard.press("Home");
  await check(scene, 0, "Home");
  await page.focus("#slider");
  await page.keyboard.press("ArrowRight");
  await check(scene, Math.min(1, scene.steps.length - 1), "slider");
  await page.keyboard.press("End");
  await check(scene, scene.steps.length - 1, "slider End");
}

// 4. A link to a step opens that step; Play moves on by itself, and stops when asked.
const deep = steps[Math.floor(steps.length / 2)];
const fresh = await context.newPage();
await fresh.goto(`${url}#scene-${deep.scene.number}/step-${deep.k + 1}`);
const checkOn = async (p, scene, k, how) => {
  const hash = await p.evaluate(() => location.hash);
  assert.equal(hash, `#scene-${scene.number}/step-${k + 1}`, how);
  assert.equal(await p.textContent("#state-hex"), scene.steps[k].state, `${how}: state word`);
};
await checkOn(fresh, deep.scene, deep.k, "deep link");
await fresh.goto(`${url}#scene-1/step-1`);
await fresh.click("#play");
assert.equal(await fresh.getAttribute("#play", "aria-pressed"), "true");
await fresh.waitForFunction(() => location.hash === "#scene-1/step-2");
await fresh.click("#play");
assert.equal(await fresh.getAttribute("#play", "aria-pressed"), "false");
await checkOn(fresh, record.scenes[0], 1, "after Play");

// 5. Text alternatives, and readable on a phone and at 200% zoom: nothing wider than the
// viewport but the timeline, which scrolls inside its own box.
const labels = await fresh.evaluate(() => ({
  pictures: [...document.querySelectorAll(".picture svg")].map((svg) => svg.getAttribute("role") === "img" && !!svg.getAttribute("aria-label") && !!svg.querySelector("title")),
  bits: document.getElementById("bits").getAttribute("aria-label"),
  unnamed: [...document.querySelectorAll("button, a, input")].filter((e) => !(e.textContent.trim() || e.labels?.length || e.getAttribute("aria-label"))).length,
}));
assert.ok(labels.pictures.length === record.scenes.length && labels.pictures.every(Boolean), "every timeline has a text alternative");
assert.match(labels.bits, /^State word 0x/, "the bits have a text alternative");
assert.equal(labels.unnamed, 0, "every control has a name");
for (const [name, viewport, scale] of [["phone", { width: 375, height: 740 }, 1], ["zoom-200", { width: 640, height: 450 }, 2]]) {
  const small = await browser.newContext({ viewport, deviceScaleFactor: scale });
  const p = await small.newPage();
  await p.goto(`${url}#scene-2/step-4`);
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the viewport`);
  await p.keyboard.press("ArrowRight");
  assert.equal(await p.evaluate(() => location.hash), "#scene-2/step-5", `${name}: keys work`);
  await p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await small.close();
}

await browser.close();
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`browser test: ${record.scenes.length} scenes, ${steps.length} steps, ${checked} step checks passed; screenshots in ${shots}`);
