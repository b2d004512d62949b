#!/usr/bin/env python3
"""Go's sync.WaitGroup benchmarks beside gosync's, alternately, in one run.

Called by scripts/bench-vs-go (which installs Go and Python first). Each round runs
`go test -run XXX -bench WaitGroup -cpu 2 sync`, then gosync's criterion benches
(dev/benches/waitgroup.rs: default build, then the `tracing` feature-cost check), then in
race mode `go test -race` and gosync's entries of Go's six built with `--features race`.
The table holds the median of the rounds; docs/performance.md gets the tables, the SVG
plot (docs/performance.svg, drawn here by hand) and the machine.

Then the sleeping paths (issue 14), in paired rounds: Go's `ActuallyWait` at `-cpu 1` and
`-cpu 2` and Go's wake-ups (scripts/go), then dev/benches/sleeping.rs (tokio, tasks, threads,
and their floors); the ratios are taken within each pair. dev/benches/allocs.rs counts the
allocations per wait. docs/performance-sleeping.md gets those tables and
docs/wakeups.svg.
"""

import argparse
import datetime
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
CRITERION = TARGET / "criterion"
GO_SIX = ["Uncontended", "AddDone", "AddDoneWork", "Wait", "WaitWork", "ActuallyWait"]
TARGETED = ["Uncontended", "AddDone", "Wait"]  # issue 5: gosync/Go <= 1.0, gosync/floor <= 1.3
# The paired rounds: Go's and ours back to back, only the targeted benchmarks, longer.
PAIRED_FILTER = "^WaitGroup(" + "|".join(TARGETED) + ")/(gosync|floor)$"
PAIRED_ARGS = ["--measurement-time", "2", "--warm-up-time", "0.5", "--noplot"]
# The feature-cost check: gosync's entries of the targeted benchmarks, built with `tracing`.
TRACING_FILTER = "^WaitGroup(" + "|".join(TARGETED) + ")/gosync$"
PEERS = ["gosync", "floor", "crossbeam", "wg", "mutex_condvar"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


NICE = []  # `nice -n N` / `chrt -f N` before every timed command, from --nice / --fifo


def run(cmd, cwd=ROOT, timed=True):
    """Runs `cmd`, under --nice/--fifo when `timed` (builds are not: the Go linker, for
    one, crawls under `chrt -f`)."""
    cmd = (NICE if timed else []) + cmd
    log("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
    return proc.stdout


GO_BINARIES = {}


def go_test_binary(package, race=False, cwd=ROOT):
    """`go test -c` of `package`, built once per run (untimed), under target/go."""
    key = (package, race, str(cwd))
    if key not in GO_BINARIES:
        out = TARGET / "go" / (package.replace("/", "_").strip("._") or "pkg")
        out = out.with_name(out.name + ("-race" if race else "") + ".test")
        out.parent.mkdir(parents=True, exist_ok=True)
        run(["go", "test", "-c", *(["-race"] if race else []), "-o", str(out), package], cwd=cwd,
            timed=False)
        GO_BINARIES[key] = str(out)
    return GO_BINARIES[key]


def go_bench(race, names=GO_SIX):
    """Go's own benchmarks: {'Uncontended': ns/op, ...}."""
    pattern = "WaitGroup" if names == GO_SIX else "WaitGroup(" + "|".join(names) + ")$"
    out = run([go_test_binary("sync", race), "-test.run", "XXX", "-test.bench", pattern,
               "-test.cpu", "2", "-test.count", "1"])
    found = {m[1]: float(m[2]) for m in
             re.finditer(r"^BenchmarkWaitGroup(\w+)-2\s+\d+\s+([\d.]+) ns/op", out, re.M)}
    missing = set(names) - set(found)
    if missing:
        sys.exit(f"go test printed no result for {sorted(missing)}:\n{out}")
    return found


def go_wakeups():
    """Go's side of the wake-up benchmarks (scripts/go): {'WakeWaiters/1': ns, ...}, each
    its `ns/median10` metric: 100 rounds timed one by one, the median of 10 samples' means
    (criterion's estimator for dev/benches/sleeping.rs's flat sampling)."""
    binary = go_test_binary(".", cwd=ROOT / "scripts/go")
    out = run([binary, "-test.run", "XXX", "-test.bench", ".", "-test.cpu", "2",
               "-test.benchtime", "100x", "-test.count", "1"], cwd=ROOT / "scripts/go")
    found = {m[1]: float(m[2]) for m in
             re.finditer(r"^Benchmark(\w+/\d+)-2\s.*?([\d.]+) ns/median10", out, re.M)}
    if not found:
        sys.exit(f"scripts/go printed no ns/median10:\n{out}")
    return found


def go_actually_wait():
    """Go's `ActuallyWait` at -cpu 1 and -cpu 2: {'cpu1': ns/op, 'cpu2': ns/op}."""
    out = run([go_test_binary("sync"), "-test.run", "XXX", "-test.bench", "WaitGroupActuallyWait$",
               "-test.cpu", "1,2", "-test.count", "1"])
    found = {("cpu" + (m[1] or "-1")[1:]): float(m[2]) for m in
             re.finditer(r"^BenchmarkWaitGroupActuallyWait(-\d+)?\s+\d+\s+([\d.]+) ns/op", out, re.M)}
    if set(found) != {"cpu1", "cpu2"}:
        sys.exit(f"go test printed no ActuallyWait result for -cpu 1 and 2:\n{out}")
    return found


# The rounds paired in one process: per benchmark, the example that pairs gosync's rounds
# with its floor's (dev/examples), what that floor is, and how many pairs it times per N
# in each paired round.
PAIRED_IN_PROCESS = {
    "tasks": ("task_wake_pairs", "`Notify`", "alternating on one runtime",
              {1: 20000, 16: 5000, 256: 1000, 4096: 100}),
    "threads": ("thread_wake_timeline", "floor", "alternating on the same N threads",
                {1: 2000, 16: 1000, 64: 500, 256: 300}),
}
# The benchmarks whose N waiters sleep on N groups (the others: on one).
GROUP_PER_WAITER = ("DistinctGroupsTasks", "DistinctGroups")


def paired_in_process(kind, bench, n):
    """The median of the per-pair ratios gosync/floor of `bench`/`n`, from the `--tsv`
    line of `kind`'s example: gosync's rounds and the floor's alternating in one process."""
    example, _, _, pairs = PAIRED_IN_PROCESS[kind]
    groups = n if bench in GROUP_PER_WAITER else 1
    out = run([str(TARGET / "release/examples" / example), "--tsv", str(n), str(pairs[n]),
               str(groups)])
    return float(out.split()[3])


def paired_in_process_note(kind, section):
    """How the rounds paired in one process are taken, for the tables' target line."""
    example, floor, where, pairs = PAIRED_IN_PROCESS[kind]
    return (f"in each paired round, `{example} --tsv` (dev/examples) times "
            + ", ".join(f"{p} pairs at N = {n}" for n, p in pairs.items())
            + f" of one gosync round and one {floor} round, {where}, and takes the median of "
            "the pairs' ratios; the criterion entries time each side for a second on its own, "
            f"and the machine's drift between the two seconds goes into their ratio (see \"{section}\").")


def allocations():
    """dev/benches/allocs.rs's tables and their notes (markdown paragraphs), run once."""
    out = run(["cargo", "bench", "--bench", "allocs"])
    paragraphs = [p.strip() for p in out.split("\n\n")]
    kept = [p for p in paragraphs if p.startswith("|") or re.match(r"\d+ rounds per ", p)]
    return "\n\n".join(kept)


def git_revision():
    """The commit measured, and whether the work tree differed from it."""
    head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip() or "?"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return head + (" (with uncommitted changes)" if dirty else "")


def cargo_bench(bench, features, criterion_args):
    """One criterion run: {'Group/entry[/param]': median ns per iteration}."""
    shutil.rmtree(CRITERION, ignore_errors=True)
    run(["cargo", "bench", "--bench", bench, *features, "--", *criterion_args])
    medians = {}
    for info in CRITERION.glob("**/new/benchmark.json"):
        full_id = json.loads(info.read_text())["full_id"]
        estimates = json.loads((info.parent / "estimates.json").read_text())
        medians[full_id] = estimates["median"]["point_estimate"]
    if not medians:
        sys.exit(f"cargo bench --bench {bench} left no estimates under {CRITERION}")
    return medians


def race_bench():
    """How to time gosync's race mode: (bench target, criterion filter), or None without
    a `race` feature: Go's six from dev/benches/waitgroup.rs (gosync's entries only), built
    with `--features race`."""
    cargo = (ROOT / "Cargo.toml").read_text()
    if re.search(r"^race\s*=", cargo, re.M) is None:
        return None
    return "waitgroup", ["^WaitGroup(" + "|".join(GO_SIX) + ")/gosync$"]


def race_entry(medians, name):
    """The race build's gosync number for Go benchmark `name`: `WaitGroup<name>/gosync`."""
    return medians.get(f"WaitGroup{name}/gosync")


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values):
    values = [v for v in values if v is not None]
    return (min(values), max(values)) if values else None


def fmt(ns):
    if ns is None:
        return "—"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.2f} ns" if ns < 10 else f"{ns:.1f} ns"


def ratio(a, b):
    return None if a is None or b is None else a / b


def fmt_ratio(r, limit=None):
    if r is None:
        return "—"
    mark = "" if limit is None else (" ✓" if r <= limit else " ✗")
    return f"{r:.2f}{mark}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine():
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    field = lambda name: next((l.split(":", 1)[1].strip() for l in lscpu.splitlines()
                               if l.startswith(name + ":")), "?")
    versions = [subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
                for cmd in (["go", "version"], ["rustc", "--version"])]
    return {"model": field("Model name"), "cpus": field("CPU(s)"),
            "threads_per_core": field("Thread(s) per core"), "go": versions[0], "rustc": versions[1]}


def load():
    return os.getloadavg()


COLOURS = {"Go": "#00add8", "gosync": "#dea584", "floor": "#888888", "mutex_condvar": "#6a5acd",
           "Go -race": "#007d9c", "gosync race": "#b7410e", "Notify": "#2e8b57"}


def fmt_decade(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3), ("ns", 1)):
        if ns >= scale:
            return f"{ns / scale:g} {unit}"
    return f"{ns:g} ns"


def svg_plot(rows, path, title, axis):
    """Horizontal grouped bars on a log scale: one group per benchmark, one bar per
    contender. rows: [(label, [(series, ns or None), ...]), ...]."""
    colours = COLOURS
    bar, gap, left, width = 14, 12, 190, 560
    values = [v for _, bars in rows for _, v in bars if v]
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = max(10 ** math.ceil(math.log10(max(values))), lo * 10)
    x = lambda v: left + width * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
    height = 60 + sum(len(b) * bar + gap for _, b in rows) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 120}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">{title}</text>']
    decade = lo
    while decade <= hi:
        out.append(f'<line x1="{x(decade):.1f}" y1="35" x2="{x(decade):.1f}" y2="{height - 35}" stroke="#ddd"/>')
        out.append(f'<text x="{x(decade):.1f}" y="{height - 20}" text-anchor="middle">{fmt_decade(decade)}</text>')
        decade *= 10
    out.append(f'<text x="{left + width / 2}" y="{height - 5}" text-anchor="middle">{axis}</text>')
    y = 45
    for label, bars in rows:
        out.append(f'<text x="{left - 8}" y="{y + len(bars) * bar / 2 + 4}" text-anchor="end">{label}</text>')
        for series, v in bars:
            if v:
                out.append(f'<rect x="{left}" y="{y}" width="{x(v) - left:.1f}" height="{bar - 2}" fill="{colours[series]}"/>')
                out.append(f'<text x="{x(v) + 4:.1f}" y="{y + bar - 4}" font-size="10">{series} {fmt(v)}</text>')
            y += bar
        y += gap
    legend_x = left
    for series, colour in colours.items():
        if any(s == series for _, b in rows for s, _ in b):
            out.append(f'<rect x="{legend_x}" y="27" width="10" height="10" fill="{colour}"/>')
            out.append(f'<text x="{legend_x + 14}" y="36">{series}</text>')
            legend_x += 14 + 8 * len(series) + 16
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


def go_six_part(args):
    """Go's six, the targets' paired rounds, the peers, `tracing`, race mode:
    docs/performance.md and docs/performance.svg."""
    criterion_args = ["--measurement-time", args.measurement_time,
                      "--warm-up-time", args.warm_up_time, "--noplot"]
    race = None if args.no_race else race_bench()
    started, load_before, revision = datetime.datetime.now(datetime.timezone.utc), load(), git_revision()
    log("==> building the benchmarks")
    run(["cargo", "bench", "--bench", "waitgroup", "--no-run"], timed=False)
    # `gosync/tracing`, as a dependent enables it: the workspace's `--features tracing` also
    # turns on the unstable window hook (dev/Cargo.toml), which no shipped build has.
    run(["cargo", "bench", "--features", "gosync/tracing", "--bench", "waitgroup", "--no-run"], timed=False)
    if race:
        run(["cargo", "bench", "--features", "race", "--bench", race[0], "--no-run"], timed=False)

    rounds = []
    for r in range(args.rounds):
        log(f"==> round {r + 1}/{args.rounds} (load {load()[0]:.2f})")
        result = {"go": go_bench(race=False),
                  "gosync": cargo_bench("waitgroup", [], criterion_args),
                  "tracing": cargo_bench("waitgroup", ["--features", "gosync/tracing"],
                                         criterion_args + [TRACING_FILTER])}
        if race:
            result["go_race"] = go_bench(race=True)
            result["gosync_race"] = cargo_bench(race[0], ["--features", "race"], criterion_args + race[1])
        rounds.append(result)
    paired = []
    for r in range(args.paired_rounds):
        log(f"==> paired round {r + 1}/{args.paired_rounds}: {', '.join(TARGETED)}")
        paired.append({"go": go_bench(race=False, names=TARGETED),
                       "gosync": cargo_bench("waitgroup", [], PAIRED_ARGS + [PAIRED_FILTER])})
    load_after = load()

    def ours(key):
        return [r["gosync"].get(key) for r in rounds]

    def go(name, kind="go"):
        return [r[kind][name] for r in rounds]

    main_rows, peer_rows, plot_rows = [], [], []
    for name in GO_SIX:
        g, s, f = (median(go(name)), median(ours(f"WaitGroup{name}/gosync")),
                   median(ours(f"WaitGroup{name}/floor")))
        limit = name in TARGETED
        rng = spread(ours(f"WaitGroup{name}/gosync"))
        main_rows.append([name, fmt(g), fmt(s), fmt_ratio(ratio(s, g), 1.0 if limit else None),
                          fmt(f), fmt_ratio(ratio(s, f), 1.3 if limit else None),
                          f"{fmt(rng[0])} – {fmt(rng[1])}" if rng else "—"])
        peer_rows.append([name] + [fmt(median(ours(f"WaitGroup{name}/{p}"))) for p in PEERS])
        plot_rows.append((name, [("Go", g), ("gosync", s), ("floor", f)]))

    paired_rows = []
    for name in TARGETED:
        go_ns = [p["go"][name] for p in paired]
        ours_ns = [p["gosync"].get(f"WaitGroup{name}/gosync") for p in paired]
        floor_ns = [p["gosync"].get(f"WaitGroup{name}/floor") for p in paired]
        vs_go = [ratio(o, g) for o, g in zip(ours_ns, go_ns)]
        vs_floor = [ratio(o, f) for o, f in zip(ours_ns, floor_ns)]
        paired_rows.append([name, fmt(median(go_ns)), fmt(median(ours_ns)), fmt(median(floor_ns)),
                            fmt_ratio(median(vs_go), 1.0), fmt_ratio(median(vs_floor), 1.3),
                            ", ".join(fmt_ratio(v) for v in vs_go),
                            ", ".join(fmt_ratio(v) for v in vs_floor)])

    tracing_rows = []
    for name in TARGETED:
        off = median(ours(f"WaitGroup{name}/gosync"))
        on = median([r["tracing"].get(f"WaitGroup{name}/gosync") for r in rounds])
        tracing_rows.append([name, fmt(off), fmt(on), fmt_ratio(ratio(on, off))])

    race_rows = []
    if race:
        for name in GO_SIX:
            g = median(go(name, "go_race"))
            s = median([race_entry(r["gosync_race"], name) for r in rounds])
            race_rows.append([name, fmt(g), fmt(s), fmt_ratio(ratio(s, g), 1.0)])
            plot_rows.append((f"{name} (race)", [("Go -race", g), ("gosync race", s)]))

    tables = [
        "### Go's six, 2 threads (GOMAXPROCS=2)\n\n" + table(
            ["benchmark", "Go ns/op", "gosync ns/op", "gosync/Go", "floor ns/op", "gosync/floor",
             "gosync range over rounds"], main_rows),
        f"### The targets, in {args.paired_rounds} paired rounds (Go, then gosync and floor at 2 s each)\n\n"
        "Ratios are taken within each pair, then their median; the per-pair ratios show the spread.\n\n"
        + table(["benchmark", "Go ns/op", "gosync ns/op", "floor ns/op", "gosync/Go", "gosync/floor",
                 "gosync/Go per pair", "gosync/floor per pair"], paired_rows),
        "### Peers on Go's workloads (ns/op)\n\n" + table(["benchmark"] + PEERS, peer_rows),
        "### Feature cost: `tracing` compiled in, no subscriber installed\n\n" + table(
            ["benchmark", "default build", "`--features tracing`", "ratio"], tracing_rows),
    ]
    if race:
        tables.append(f"### Race mode: `go test -race` vs `cargo bench --features race --bench {race[0]}`\n\n"
                      + table(["benchmark", "Go -race ns/op", "gosync race ns/op", "gosync/Go"], race_rows))
    else:
        tables.append("### Race mode\n\nNot measured in this run: "
                      + ("skipped with --no-race." if args.no_race else
                         "this tree has no `race` feature."))
    body = "\n\n".join(tables)
    print(body)

    if args.no_docs:
        return
    m = machine()
    svg_plot(plot_rows, ROOT / "docs/performance.svg",
             f"gosync vs Go 1.19, median of {args.rounds} rounds, {m['model']}, GOMAXPROCS=2",
             "ns/op (log scale, shorter is faster)")
    run_info = (f"- Run: {started:%Y-%m-%d %H:%M} UTC, commit {revision}, {args.rounds} rounds, criterion "
                f"{args.measurement_time} s measurement + {args.warm_up_time} s warm-up per entry "
                f"(Go: its default `-benchtime 1s`)"
                + (f", both sides under `nice -n {args.nice}`" if args.nice is not None else "") + ".\n"
                f"- Machine: {m['model']}, {m['cpus']} CPUs ({m['threads_per_core']} thread(s) per core); "
                f"{m['go']}; {m['rustc']}.\n"
                f"- Load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}. "
                f"The machine is shared: anything above ~0.5 means other work ran beside the benchmarks.")
    template = (ROOT / "docs/performance.md").read_text()
    start, end = "<!-- bench-vs-go:begin -->", "<!-- bench-vs-go:end -->"
    head, rest = template.split(start, 1)
    _, tail = rest.split(end, 1)
    (ROOT / "docs/performance.md").write_text(
        f"{head}{start}\n{run_info}\n\n![gosync vs Go](performance.svg)\n\n{body}\n{end}{tail}")
    log("==> wrote docs/performance.md and docs/performance.svg")

# ---- The sleeping paths (issue 14) -----------------------------------------------------

TOKIO = [("current-thread", "cpu1"), ("multi-thread", "cpu2")]
TASK_SIZES = (1, 16, 256, 4096)
THREAD_SIZES = (1, 16, 64, 256)
# Each task and thread benchmark beside Go's goroutine benchmark of the same shape.
GO_SHAPE = {"WakeTasks": "WakeWaiters", "DistinctGroupsTasks": "DistinctGroups",
            "WakeWaiters": "WakeWaiters", "DistinctGroups": "DistinctGroups"}


def paired(ours, theirs):
    """Ratios within each pair, and their median."""
    per = [ratio(o, t) for o, t in zip(ours, theirs)]
    return median(per), per


def per_pair(values):
    return ", ".join(fmt_ratio(v) for v in values)


def mark(ok):
    return "—" if ok is None else ("✓" if ok else "✗")


def sleeping_part(args):
    """Paired rounds of the sleeping paths: docs/performance-sleeping.md, docs/wakeups.svg."""
    criterion_args = ["--measurement-time", args.measurement_time,
                      "--warm-up-time", args.warm_up_time, "--noplot"]
    if args.sleeping_filter:
        criterion_args.append(args.sleeping_filter)
    started, load_before, revision = datetime.datetime.now(datetime.timezone.utc), load(), git_revision()
    log("==> building dev/benches/sleeping.rs and dev/benches/allocs.rs")
    run(["cargo", "bench", "--bench", "sleeping", "--bench", "allocs", "--no-run"], timed=False)
    run(["cargo", "build", "--release", "-p", "gosync-dev", "--example", "thread_wake_timeline",
         "--example", "task_wake_pairs"], timed=False)
    allocs = allocations()
    pairs, loads = [], []
    for r in range(args.sleeping_rounds):
        loads.append(load()[0])
        log(f"==> sleeping paths, paired round {r + 1}/{args.sleeping_rounds} (load {loads[-1]:.2f})")
        pairs.append({"go_aw": go_actually_wait(), "go_wake": go_wakeups(),
                      "ours": cargo_bench("sleeping", [], criterion_args),
                      "one_pool": {(b, n): paired_in_process("threads", b, n)
                                   for b in ("WakeWaiters", "DistinctGroups") for n in THREAD_SIZES},
                      "one_runtime": {(b, n): paired_in_process("tasks", b, n)
                                      for b in ("WakeTasks", "DistinctGroupsTasks") for n in TASK_SIZES}})
    load_after = load()

    def ours(key):
        return [p["ours"].get(key) for p in pairs]

    aw_rows = []
    for flavor, cpu in TOKIO:
        g = [p["go_aw"][cpu] for p in pairs]
        o, sj, os_ = (ours(f"ActuallyWaitTokio/{flavor}/{e}") for e in ("gosync", "spawn-join", "oneshot"))
        (r_sj, per_sj), (r_os, per_os), (r_go, per_go) = paired(o, sj), paired(o, os_), paired(o, g)
        aw_rows.append([f"{flavor} (Go `-cpu {cpu[-1]}`)", fmt(median(g)), fmt(median(o)), fmt(median(sj)),
                        fmt(median(os_)), fmt_ratio(r_sj, 1.1), fmt_ratio(r_os, 1.0), fmt_ratio(r_go),
                        per_pair(per_sj), per_pair(per_os)])

    o, os_, nt = (ours(f"HandOff/{e}") for e in ("gosync", "oneshot", "notify"))
    (r_os, per_os), (r_nt, per_nt) = paired(o, os_), paired(o, nt)
    hand_off_row = [fmt(median(o)), fmt(median(os_)), fmt(median(nt)), fmt_ratio(r_os),
                    fmt_ratio(r_nt), per_pair(per_os), per_pair(per_nt)]

    task_tables, plot = {}, []
    for bench in ("WakeTasks", "DistinctGroupsTasks"):
        rows = []
        for n in TASK_SIZES:
            g = [p["go_wake"].get(f"{GO_SHAPE[bench]}/{n}") for p in pairs]
            o, nt = ours(f"{bench}/gosync/{n}"), ours(f"{bench}/notify/{n}")
            (r_go, per_go), (r_nt, per_nt), (nt_go, _) = paired(o, g), paired(o, nt), paired(nt, g)
            one_runtime = [p["one_runtime"][(bench, n)] for p in pairs]
            r_rt = median(one_runtime)
            ok = None
            if r_go is not None and nt_go is not None:
                ok = r_go <= 1.0 or (nt_go > 1.0 and r_rt <= 1.0)
                if bench == "DistinctGroupsTasks":
                    ok = ok and r_rt <= 1.05
            rows.append([str(n), fmt(median(g)), fmt(median(o)), fmt(median(nt)), fmt_ratio(r_go),
                         fmt_ratio(r_nt), fmt_ratio(r_rt), fmt_ratio(nt_go), mark(ok), per_pair(per_go),
                         per_pair(per_nt), per_pair(one_runtime)])
            per = lambda v: None if v is None else v / n
            plot.append((f"{bench}/{n}", [("Go", per(median(g))), ("gosync", per(median(o))),
                                          ("Notify", per(median(nt)))]))
        task_tables[bench] = rows

    thread_tables = {}
    for bench in ("WakeWaiters", "DistinctGroups"):
        rows = []
        for n in THREAD_SIZES:
            g = [p["go_wake"].get(f"{GO_SHAPE[bench]}/{n}") for p in pairs]
            o, f = ours(f"{bench}/gosync/{n}"), ours(f"{bench}/floor/{n}")
            (r_f, per_f), (r_go, _), (f_go, _) = paired(o, f), paired(o, g), paired(f, g)
            one_pool = [p["one_pool"][(bench, n)] for p in pairs]
            rows.append([str(n), fmt(median(g)), fmt(median(o)), fmt(median(f)), fmt_ratio(r_f),
                         fmt_ratio(median(one_pool), 1.1), fmt_ratio(r_go), fmt_ratio(f_go),
                         per_pair(per_f), per_pair(one_pool)])
            per = lambda v: None if v is None else v / n
            plot.append((f"{bench}/{n}", [("Go", per(median(g))), ("gosync", per(median(o))),
                                          ("floor", per(median(f)))]))
        thread_tables[bench] = rows

    k = args.sleeping_rounds
    task_header = ["N", "Go (goroutines)", "gosync", "`Notify`", "gosync/Go", "gosync/`Notify`",
                   "gosync/`Notify`, rounds paired", "`Notify`/Go", "target", "gosync/Go per pair",
                   "gosync/`Notify` per pair", "gosync/`Notify`, rounds paired, per pair"]
    thread_header = ["N", "Go (goroutines)", "gosync", "floor (direct unpark)", "gosync/floor",
                     "gosync/floor, rounds paired", "gosync/Go", "floor/Go", "gosync/floor per pair",
                     "gosync/floor, rounds paired, per pair"]
    tables = [
        f"### ActuallyWait on tokio, {k} paired rounds (ns per iteration)\n\n"
        "Target: gosync/spawn-join ≤ 1.1 and gosync/oneshot ≤ 1.0.\n\n" + table(
            ["runtime", "Go ActuallyWait", "gosync", "spawn-join", "oneshot", "gosync/spawn-join",
             "gosync/oneshot", "gosync/Go", "gosync/spawn-join per pair", "gosync/oneshot per pair"],
            aw_rows),
        f"### HandOff: ActuallyWait's hand-off without an executor ({k} paired rounds, ns per iteration)\n\n"
        "A fresh group, `add(1)`, its future polled asleep, `done`, polled ready; beside the same "
        "hand-off through a `oneshot` and a `Notify` (what ActuallyWait adds to spawn-join; "
        "see \"One hand-off\").\n\n" + table(
            ["gosync", "oneshot", "`Notify`", "gosync/oneshot", "gosync/`Notify`",
             "gosync/oneshot per pair", "gosync/`Notify` per pair"], [hand_off_row]),
        f"### WakeTasks/N: N tasks asleep on one group, one `done` ({k} paired rounds, time per round)\n\n"
        "Target: gosync/Go ≤ 1.0, or where `Notify` itself is slower than Go, gosync/`Notify` ≤ 1.0, "
        "against `Notify` judged on the rounds paired: "
        + paired_in_process_note("tasks", "Task wake-ups, rounds paired against `Notify`")
        + " Go's side runs in its own process: gosync/Go is the criterion entries' ratio.\n\n"
        + table(task_header, task_tables["WakeTasks"]),
        f"### DistinctGroupsTasks/N: N groups, one task asleep on each, all released ({k} paired rounds)\n\n"
        "Target: as WakeTasks, and gosync/`Notify` ≤ 1.05 (on the rounds paired).\n\n"
        + table(task_header, task_tables["DistinctGroupsTasks"]),
        f"### WakeWaiters/N: N threads asleep on one group, one `done` ({k} paired rounds)\n\n"
        "Target: gosync/floor ≤ 1.1, judged on the rounds paired: "
        + paired_in_process_note("threads", "Thread wake-ups, rounds paired on one pool") + "\n\n"
        + table(thread_header, thread_tables["WakeWaiters"]),
        f"### DistinctGroups/N: N groups, one thread asleep on each, all released ({k} paired rounds)\n\n"
        "Target: gosync/floor ≤ 1.1, judged on the rounds paired (as WakeWaiters).\n\n"
        + table(thread_header, thread_tables["DistinctGroups"]),
        "### Allocations per wait and per release (`cargo bench --bench allocs`)\n\n"
        "Target: 0 per wait and per release; a release of more than 32 waiters at once: 1.\n\n" + allocs,
    ]
    body = "\n\n".join(tables)
    print(body)
    if args.no_docs:
        return
    m = machine()
    svg_plot(plot, ROOT / "docs/wakeups.svg",
             f"Wake-ups: time per released waiter, median of {k} paired rounds, {m['model']}",
             "time per waiter, release to last return, criterion medians (log scale); targets: the tables' paired rounds")
    run_info = (f"- Run: {started:%Y-%m-%d %H:%M} UTC, commit {revision}, {k} paired rounds "
                f"(Go's side, then `cargo bench --bench sleeping`), criterion {args.measurement_time} s "
                f"measurement + {args.warm_up_time} s warm-up per entry"
                + (f", both sides under `nice -n {args.nice}`" if args.nice is not None else "")
                + (f", both sides under `chrt -f {args.fifo}` (real-time FIFO)" if args.fifo is not None else "")
                + ".\n"
                f"- Machine: {m['model']}, {m['cpus']} CPUs ({m['threads_per_core']} thread(s) per core); "
                f"{m['go']}; {m['rustc']}.\n"
                f"- Load average (1 min) before each pair: {', '.join(f'{l:.2f}' for l in loads)}; "
                f"after: {load_after[0]:.2f} (before the run: {load_before[0]:.2f}). Anything above ~0.5 "
                f"means other work ran beside the benchmarks; read the per-pair ratios for the spread.")
    path = ROOT / "docs/performance-sleeping.md"
    template = path.read_text()
    start, end = "<!-- bench-vs-go:sleeping:begin -->", "<!-- bench-vs-go:sleeping:end -->"
    head, rest = template.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{run_info}\n\n![wake-ups](wakeups.svg)\n\n{body}\n{end}{tail}")
    log("==> wrote docs/performance-sleeping.md and docs/wakeups.svg")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measurement-time", default="1", help="criterion seconds per entry")
    parser.add_argument("--warm-up-time", default="0.5", help="criterion seconds per entry")
    parser.add_argument("--paired-rounds", type=int, default=5,
                        help="extra back-to-back Go/gosync rounds of the targeted benchmarks")
    parser.add_argument("--no-race", action="store_true", help="skip the race-mode pair")
    parser.add_argument("--sleeping-rounds", type=int, default=5,
                        help="paired rounds of the sleeping paths (0: skip them)")
    parser.add_argument("--only-sleeping", action="store_true",
                        help="only the sleeping paths (docs/performance-sleeping.md)")
    parser.add_argument("--sleeping-filter", metavar="REGEX",
                        help="criterion filter for dev/benches/sleeping.rs (a quick look at some entries)")
    parser.add_argument("--nice", type=int, metavar="N",
                        help="run both sides under `nice -n N` (e.g. -10 as root on a shared machine)")
    parser.add_argument("--fifo", type=int, metavar="PRIO",
                        help="run both sides under `chrt -f PRIO` (real-time FIFO, as root): on a "
                             "loaded machine, a woken waiter then runs at once instead of queueing "
                             "behind other work; the sleeping paths' numbers need it there")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/ alone")
    args = parser.parse_args()

    if args.fifo is not None:
        NICE.extend(["chrt", "-f", str(args.fifo)])
    if args.nice is not None:
        NICE.extend(["nice", "-n", str(args.nice)])
    if not args.only_sleeping:
        go_six_part(args)
    if args.sleeping_rounds > 0:
        sleeping_part(args)


if __name__ == "__main__":
    main()
