#!/usr/bin/env python3
"""The panel benchmark (issue 16, item 3): ingest, fit and predict on synthetic hourly panels.

    python3 Benchmarks/panel/run.py                 # 1,000 and 10,000 series of 1,000 hours
    SIZES=1000,3000,10000 python3 Benchmarks/panel/run.py

For each size, Benchmarks/panel/generate.py writes a panel (`series,time,value`: daily and weekly
seasons, trends, level shifts, empty cells and absent rows, ragged starts) into a temporary directory
(nothing is committed but the results), then the release binary is measured:

  ingest   `forecast fit` is started on the panel and stopped as soon as it writes its first line to
           stderr: the loader's report, printed right after `SeriesLoader.load` returns (CSV parsed,
           rows grouped by series, placed on the hourly grid, gaps filled). The time from the start of
           the process to that line (start-up included) gives MB/s; the process's VmHWM at that moment
           gives the ingest's peak RSS. Median of REPEATS runs.
  fit      one full `forecast fit --max-steps STEPS` with the CLI's defaults otherwise (ensemble of 2
           networks trained in parallel on all cores, `--combine auto`: per series the network against
           six statistical models at four validation origins). Wall time, split by the time stamps of
           its stderr lines into ingest, preparation (to the first progress line), training (to the last
           progress line) and after training (the per-series combination, residuals and the model file).
           Peak RSS from wait4's rusage of that process.
  predict  `forecast predict --model M --horizon H --format csv --output FILE` over the whole panel:
           series per second from the wall time of the process (model read, forecasts, CSV written),
           median of REPEATS runs; peak RSS the largest of them.

Targets (issue 16): ingest >= 100 MB/s; peak RSS of fit <= 2 x the float32 size of the data (4 bytes
per grid point) plus the model file; predict >= 5,000 series/s; fit wall time linear or better in the
series at a fixed step budget (1k -> 10k, with a 100k extrapolation along the 1k -> 10k slope).

Environment (all optional):
  FORECAST   the binary (default: .build/release/forecast under the repo root)
  SIZES      comma-separated series counts (default 1000,10000; the first and last give the slope)
  LENGTH     hours per panel (default 1000)       HORIZON  forecast horizon (default 24)
  STEPS      fit's --max-steps (default 1000)      REPEATS  ingest and predict runs (default 3)
  FIT_ARGS   extra `forecast fit` options          TMPDIR   where the panels are written
  NAME       results file name (default panel: results/panel.json and results/panel.md)
  KEEP       a directory to write the panels' models and forecasts to and keep (the CSV files are removed)
Writes Benchmarks/panel/results/NAME.{json,md} and prints the Markdown. Stdlib only.
"""
import datetime, hashlib, json, math, os, platform, re, shlex, signal, statistics, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
RESULTS = os.path.join(HERE, "results")

BINARY = os.environ.get("FORECAST") or os.path.join(ROOT, ".build", "release", "forecast")
SIZES = [int(x) for x in os.environ.get("SIZES", "1000,10000").split(",") if x.strip()]
LENGTH = int(os.environ.get("LENGTH", "1000"))
HORIZON = int(os.environ.get("HORIZON", "24"))
STEPS = int(os.environ.get("STEPS", "1000"))
REPEATS = int(os.environ.get("REPEATS", "3"))
FIT_ARGS = shlex.split(os.environ.get("FIT_ARGS", ""))
NAME = os.environ.get("NAME", "panel")
EXTRAPOLATE_TO = 100_000

TARGETS = {"ingest_mb_per_s": 100.0, "predict_series_per_s": 5000.0, "rss_factor": 2.0, "fit_exponent": 1.0}


def git(*args):
    return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True).stdout.strip()


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_bytes": mem, "arch": platform.machine(), "kernel": platform.release()}


def provenance():
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--", "Sources", "Package.swift"):
        commit += "+dirty"
    with open(BINARY, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()[:12]
    version = subprocess.run([BINARY, "--version"], capture_output=True, text=True).stdout.strip()
    return {"commit": commit, "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "binary": BINARY, "binary_version": version, "binary_sha256": sha, "machine": machine(),
            "load_avg_start": [round(x, 2) for x in os.getloadavg()]}


def vm_hwm(pid):
    """Peak resident set size of a running process (bytes), from /proc."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class Run:
    """A child process whose stderr lines are time-stamped as they arrive; `wait` returns wait4's rusage."""

    def __init__(self, args, stdout=subprocess.DEVNULL, sample_rss=False):
        self.start = time.monotonic()
        self.p = subprocess.Popen(args, stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.lines = []            # (seconds since start, text)
        self.rss = []              # (seconds since start, VmRSS bytes), every 0.1 s when sample_rss
        self.first = threading.Event()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        if sample_rss:
            threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        path = f"/proc/{self.p.pid}/status"
        while self.p.returncode is None:
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.rss.append((time.monotonic() - self.start, int(line.split()[1]) * 1024))
                            break
            except (OSError, ValueError):
                return
            time.sleep(0.1)

    def rss_between(self, a, b):
        """The largest sampled RSS between a and b seconds (None without samples there)."""
        xs = [r for t, r in self.rss if a <= t <= b]
        return max(xs) if xs else None

    def _read(self):
        for raw in self.p.stderr:
            self.lines.append((time.monotonic() - self.start, raw.decode("utf-8", "replace").rstrip("\n")))
            self.first.set()
        self.first.set()

    def wait(self):
        """(exit status, wall seconds, peak RSS bytes) of the child; its CPU seconds in `self.cpu`."""
        _, status, usage = os.wait4(self.p.pid, 0)
        wall = time.monotonic() - self.start
        self.p.returncode = os.waitstatus_to_exitcode(status)
        self.cpu = usage.ru_utime + usage.ru_stime
        self.t.join()
        return self.p.returncode, wall, usage.ru_maxrss * 1024   # Linux: kilobytes


def fit_args(data, model, steps):
    return [BINARY, "fit", data, "--target", "value", "--time-column", "time", "--id-column", "series",
            "--fill", "interpolate", "--horizon", str(HORIZON), "--max-steps", str(steps), "--model", model] + FIT_ARGS


def measure_ingest(data, model, size_bytes):
    """Seconds and peak RSS from the start of `forecast fit` to its first stderr line, then it is killed."""
    seconds, peaks, cpu = [], [], []
    for _ in range(REPEATS):
        r = Run(fit_args(data, model, STEPS))
        r.first.wait()
        t = r.lines[0][0] if r.lines else time.monotonic() - r.start
        peak = vm_hwm(r.p.pid)
        r.p.send_signal(signal.SIGKILL)
        r.wait()
        seconds.append(t)
        peaks.append(peak or 0)
        cpu.append(r.cpu)   # to the kill, a few milliseconds after the line
    med = statistics.median(seconds)
    return {"seconds": [round(s, 3) for s in seconds], "seconds_median": round(med, 3),
            "cpu_seconds_median": round(statistics.median(cpu), 2),
            "mb_per_s": round(size_bytes / 1e6 / med, 1), "peak_rss_bytes": max(peaks)}


STEP_LINE = re.compile(r"step (\d+)/(\d+)")


def measure_fit(data, model):
    r = Run(fit_args(data, model, STEPS), sample_rss=True)
    status, wall, rss = r.wait()
    if status != 0:
        sys.exit(f"forecast fit failed ({status}):\n" + "\n".join(l for _, l in r.lines[-20:]))
    lines = r.lines
    first = lines[0][0]
    data_line = next(t for t, l in lines if l.startswith("data:"))
    progress = [(t, l) for t, l in lines if STEP_LINE.search(l)]
    train_start = progress[0][0] if progress else data_line
    train_end = progress[-1][0] if progress else data_line
    text = {k: next((l for _, l in lines if l.startswith(k)), "") for k in ("data:", "fitted", "combination", "ensemble", "seasonal periods")}
    steps = re.search(r"(\d+) of at most (\d+) steps", text["fitted"])
    skipped = sum(1 for _, l in lines if l.startswith("warning:") and "skipped" in l)
    return {"wall_seconds": round(wall, 2), "cpu_seconds": round(r.cpu, 1), "peak_rss_bytes": rss,
            "phases_seconds": {
                "ingest": round(first, 2),
                # scalers, baseline periods, season detection, calendar features, windows; the first
                # progress line comes after the first round of training, so this also holds one round
                "to_first_round": round(train_start - data_line, 2),
                "training_after_first_round": round(train_end - train_start, 2),
                "after_training": round(wall - train_end, 2)},
            # the largest RSS sampled (every 0.1 s) in each phase: where the peak is reached
            "phase_peak_rss_bytes": {
                "ingest": r.rss_between(0, first),
                "to_first_round": r.rss_between(first, train_start),
                "training_after_first_round": r.rss_between(train_start, train_end),
                "after_training": r.rss_between(train_end, wall)},
            "steps": int(steps.group(1)) if steps else None, "max_steps": int(steps.group(2)) if steps else None,
            "rounds_reported": len(progress), "series_skipped": skipped,
            "summary": {k.rstrip(":"): v for k, v in text.items()}}


def measure_predict(model, out):
    walls, peaks, cpu = [], [], []
    for _ in range(REPEATS):
        r = Run([BINARY, "predict", "--model", model, "--horizon", str(HORIZON), "--format", "csv", "--output", out])
        status, wall, rss = r.wait()
        if status != 0:
            sys.exit(f"forecast predict failed ({status}):\n" + "\n".join(l for _, l in r.lines[-20:]))
        walls.append(wall)
        peaks.append(rss)
        cpu.append(r.cpu)
    with open(out) as f:
        rows = sum(1 for _ in f) - 1
    return {"seconds": [round(w, 3) for w in walls], "seconds_median": round(statistics.median(walls), 3),
            "cpu_seconds_median": round(statistics.median(cpu), 3), "forecast_rows": rows, "peak_rss_bytes": max(peaks)}


def baseline_rss():
    """Peak RSS of the binary doing almost nothing (`forecast --version`): the runtime's own share."""
    r = Run([BINARY, "--version"])
    return r.wait()[2]


def one_size(n, tmp):
    data = os.path.join(tmp, f"panel-{n}.csv")
    model = os.path.join(tmp, f"panel-{n}.fcm")
    t0 = time.monotonic()
    g = subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--series", str(n), "--length", str(LENGTH),
                        "--out", data], capture_output=True, text=True, check=True)
    gen = json.loads(g.stderr.strip().splitlines()[-1])
    gen["seconds"] = round(time.monotonic() - t0, 1)
    size = os.path.getsize(data)
    print(f"[{n} series] generated {size / 1e6:.1f} MB in {gen['seconds']} s; ingest...", file=sys.stderr, flush=True)
    ingest = measure_ingest(data, model, size)
    print(f"[{n} series] ingest {ingest['mb_per_s']} MB/s; fit...", file=sys.stderr, flush=True)
    fit = measure_fit(data, model)
    print(f"[{n} series] fit {fit['wall_seconds']} s; predict...", file=sys.stderr, flush=True)
    model_bytes = os.path.getsize(model)
    predict = measure_predict(model, os.path.join(tmp, f"forecast-{n}.csv"))
    series_in_model = predict["forecast_rows"] // HORIZON
    predict["series_per_s"] = round(series_in_model / predict["seconds_median"], 1)
    f32 = 4 * gen["points"]
    rss_target = TARGETS["rss_factor"] * f32 + model_bytes
    os.remove(data)
    return {"series": n, "generated": gen, "file_bytes": size, "float32_data_bytes": f32, "model_bytes": model_bytes,
            "series_in_model": series_in_model, "ingest": ingest, "fit": fit, "predict": predict,
            "fit_rss_target_bytes": int(rss_target),
            "pass": {"ingest": ingest["mb_per_s"] >= TARGETS["ingest_mb_per_s"],
                     "fit_rss": fit["peak_rss_bytes"] <= rss_target,
                     "predict": predict["series_per_s"] >= TARGETS["predict_series_per_s"]}}


def scaling(runs):
    """Fit time from the smallest to the largest panel: the exponent b of t ~ n^b, the marginal seconds
    per series, and the 100k extrapolation along that line (per phase too)."""
    a, b = runs[0], runs[-1]
    if a["series"] == b["series"]:
        return None
    ratio = b["series"] / a["series"]
    def line(ta, tb):
        slope = (tb - ta) / (b["series"] - a["series"])
        return slope, tb + slope * (EXTRAPOLATE_TO - b["series"])
    ta, tb = a["fit"]["wall_seconds"], b["fit"]["wall_seconds"]
    slope, t100k = line(ta, tb)
    exponent = math.log(tb / ta) / math.log(ratio)
    phases = {}
    for k in b["fit"]["phases_seconds"]:
        s, e = line(a["fit"]["phases_seconds"][k], b["fit"]["phases_seconds"][k])
        phases[k] = {"seconds_per_1k_series": round(1000 * s, 3), "extrapolated_seconds": round(e, 1)}
    rs, r100k = line(a["fit"]["peak_rss_bytes"], b["fit"]["peak_rss_bytes"])
    return {"from": a["series"], "to": b["series"], "exponent": round(exponent, 3),
            "seconds_per_1k_series": round(1000 * slope, 2),
            "extrapolated_to": EXTRAPOLATE_TO, "extrapolated_fit_seconds": round(t100k, 1),
            "extrapolated_phases": phases,
            "extrapolated_fit_peak_rss_bytes": int(r100k),
            "extrapolated_fit_rss_target_bytes": int(TARGETS["rss_factor"] * b["float32_data_bytes"] * EXTRAPOLATE_TO / b["series"]
                                                      + b["model_bytes"] * EXTRAPOLATE_TO / b["series"]),
            "pass": exponent <= TARGETS["fit_exponent"] + 0.02}   # 2% tolerance for timing noise


def mb(x):
    return f"{x / 1e6:,.0f} MB"


def verdict(ok):
    return "**pass**" if ok else "**FAIL**"


def markdown(res):
    p, runs, sc = res["provenance"], res["runs"], res["scaling"]
    m = p["machine"]
    sizes = ", ".join(f"{r['series']:,}" for r in runs)
    out = [f"### Panel benchmark: {sizes} hourly series of up to {LENGTH:,} points (`python3 Benchmarks/panel/run.py`)", ""]
    out.append(f"commit `{p['commit']}`, {p['date']}, binary `{p['binary']}` ({p['binary_version']}, sha256 {p['binary_sha256']}), "
               f"{m['cpu']}, {m['cores']} cores, {m['memory_bytes'] / 2**30:.0f} GiB; load average at start "
               f"{p['load_avg_start'][0]}, at end {p['load_avg_end'][0]} (wall times on a busy machine are long; CPU seconds are steadier). "
               f"`forecast fit --horizon {HORIZON} --max-steps {STEPS} --fill interpolate`"
               f"{(' ' + ' '.join(FIT_ARGS)) if FIT_ARGS else ''}, defaults otherwise (an ensemble of 2 networks trained in parallel, "
               f"`--combine auto`, all cores); `forecast predict --horizon {HORIZON} --format csv` over every series. "
               f"Ingest and predict: median of {REPEATS} runs. The process alone (`forecast --version`) peaks at {mb(res['baseline_rss_bytes'])}.")
    out += ["", "| series | rows | file | ingest | predict | fit | fit peak RSS | RSS target: 2 x float32 data + model |",
            "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        f, i, q = r["fit"], r["ingest"], r["predict"]
        out.append(f"| {r['series']:,} | {r['generated']['rows']:,} | {mb(r['file_bytes'])} "
                   f"| {i['mb_per_s']:.0f} MB/s ({i['seconds_median']:.2f} s, {i['cpu_seconds_median']:.2f} CPU s, {mb(i['peak_rss_bytes'])} peak) "
                   f"| {q['series_per_s']:,.0f} series/s ({q['seconds_median']:.2f} s, {q['cpu_seconds_median']:.2f} CPU s, {mb(q['peak_rss_bytes'])} peak) "
                   f"| {f['wall_seconds']:.1f} s ({f['cpu_seconds']:.0f} CPU s) | {mb(f['peak_rss_bytes'])} "
                   f"| {mb(r['fit_rss_target_bytes'])} ({mb(r['float32_data_bytes'])} x 2 + {mb(r['model_bytes'])}) |")
    if sc:
        out.append(f"| {sc['extrapolated_to']:,} (extrapolated) | | | | | {sc['extrapolated_fit_seconds']:.0f} s "
                   f"| {mb(sc['extrapolated_fit_peak_rss_bytes'])} | {mb(sc['extrapolated_fit_rss_target_bytes'])} |")
    out += ["", "Fit by phase, from the time stamps of its stderr lines: wall seconds (largest RSS sampled in the phase). "
            "Ingest: to the loader's report; preparation: to the first progress line (seasons, scalers, features, windows, "
            "and the first round of training); training: the other rounds; after training: calibration residuals, the per-series "
            "combination (the network and six statistical models at four origins) and the model file.", "",
            "| series | ingest | preparation + first round | training | after training |", "|---|---|---|---|---|"]
    keys = ["ingest", "to_first_round", "training_after_first_round", "after_training"]
    for r in runs:
        ph, pr = r["fit"]["phases_seconds"], r["fit"]["phase_peak_rss_bytes"]
        out.append(f"| {r['series']:,} | " + " | ".join(
            f"{ph[k]:.1f} s ({mb(pr[k]) if pr[k] else '-'})" for k in keys) + " |")
    if sc:
        ex = sc["extrapolated_phases"]
        out.append(f"| {sc['extrapolated_to']:,} (extrapolated) | " + " | ".join(f"{ex[k]['extrapolated_seconds']:.0f} s" for k in keys) + " |")
    big = runs[-1]
    out += ["", f"| target (issue 16) | measured, {big['series']:,} series | |", "|---|---|---|",
            f"| ingest >= {TARGETS['ingest_mb_per_s']:.0f} MB/s | {big['ingest']['mb_per_s']:.0f} MB/s | {verdict(big['pass']['ingest'])} |",
            f"| peak RSS of fit <= 2 x float32 data ({mb(big['float32_data_bytes'])}) + model ({mb(big['model_bytes'])}) "
            f"| {mb(big['fit']['peak_rss_bytes'])} of {mb(big['fit_rss_target_bytes'])} | {verdict(big['pass']['fit_rss'])} |",
            f"| predict >= {TARGETS['predict_series_per_s']:,.0f} series/s | {big['predict']['series_per_s']:,.0f} series/s | {verdict(big['pass']['predict'])} |"]
    if sc:
        out.append(f"| fit wall time linear or better in the series ({sc['from']:,} -> {sc['to']:,}: t ~ n^b, b <= 1) "
                   f"| b = {sc['exponent']:.2f}; {sc['seconds_per_1k_series']:.1f} s per 1,000 more series; "
                   f"{sc['extrapolated_fit_seconds']:.0f} s for {sc['extrapolated_to']:,} | {verdict(sc['pass'])} |")
    out += ["", f"Fit of {big['series']:,} series: {big['fit']['summary'].get('fitted', '')}; {big['fit']['summary'].get('combination', '')}."]
    return "\n".join(out) + "\n"


def main():
    if not os.access(BINARY, os.X_OK):
        sys.exit(f"{BINARY} not found: build it (swift build -c release --product forecast) or set FORECAST")
    prov = provenance()
    runs = []
    keep = os.environ.get("KEEP")   # a directory: the models and forecasts stay there (for profiling)
    with tempfile.TemporaryDirectory(prefix="forecast-panel-") as scratch:
        tmp = keep or scratch
        if keep:
            os.makedirs(keep, exist_ok=True)
        base = baseline_rss()
        for n in SIZES:
            runs.append(one_size(n, tmp))
    prov["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    res = {"schema": "forecast.panel-benchmark/1", "provenance": prov, "settings": {
               "length": LENGTH, "horizon": HORIZON, "max_steps": STEPS, "repeats": REPEATS, "fit_args": FIT_ARGS,
               "sizes": SIZES, "targets": TARGETS},
           "baseline_rss_bytes": base, "runs": runs, "scaling": scaling(runs) if len(runs) > 1 else None}
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"{NAME}.json"), "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    md = markdown(res)
    with open(os.path.join(RESULTS, f"{NAME}.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
