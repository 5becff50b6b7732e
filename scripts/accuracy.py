#!/usr/bin/env python3
"""Rolling-origin accuracy of the default model against seasonal naive (the README's accuracy table).

For every dataset and origin k = 1..3 the last k*H points are cut off: the model is fitted on
y[:n-k*H] (a truncated copy of the CSV, so the test block is never in the file it reads), forecasts H
steps with `forecast predict --format json`, and is scored here on y[n-k*H : n-(k-1)*H]. MASE is scaled
by the in-sample seasonal-naive MAE of that training part (period m); the seasonal-naive forecast
(repeat the last m training values) is scored the same way. Per dataset: MASE averaged over the
origins; summary: geometric mean over datasets of network MASE / seasonal-naive MASE (below 1 beats
it), separately for the bundled and the extra datasets, and how many datasets the network loses.

    python3 scripts/accuracy.py [--set bundled|extra|all] [--cells lstm,gru] [--jobs N]

Environment: FORECAST  the binary (default .build/release/forecast under the repo root)
             FIT_ARGS  extra options for every `forecast fit`, e.g. "--seasonal-period 24 --epochs 50"
             SEEDS     comma-separated seeds, one run each (default: the CLI's default seed)
             KEEP_MODELS  a folder: each origin's model file and its test values are kept there (a study:
                          `Benchmarks/accuracy/interval_replay.py` predicts them again with other settings)
             TARGET_TRANSFORM  "log" (a study): series whose training part is positive are fitted on
                       log(y) and every forecast, bound and combination dump is exponentiated back
                       (not with --validation-origins)
             AUGMENT=K  (a study, session 28, not adopted) series of at most AUGMENT_MAX (600) training
                       points are fitted as a panel with K block-bootstrapped siblings (`siblings`)
                       and scored on the original; default forecast only; needs numpy and statsmodels
Writes Benchmarks/accuracy/results/rolling_<set>.{md,json} and prints the Markdown. Stdlib only (but AUGMENT).
Missing values: every fit gets `--fill interpolate`; the Python side interpolates the training part
linearly the same way for the baseline and the scale, and scores only the test points that are present.
"""
import argparse, concurrent.futures as cf, csv, datetime, hashlib, json, math, os, shlex, shutil, subprocess, sys, tempfile, time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
EXTRA_DIR = os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets-extra"))
RESULTS = os.path.join(ROOT, "Benchmarks", "accuracy", "results")
ORIGINS = 3
# (file, target, horizon, seasonal period): H 12 monthly, 8 quarterly, 6 yearly, 14 daily, 13 weekly,
# 24 hourly; m 12, 4, 1, 7, 52, 24.
BUNDLED = [
    ("airline_passengers.csv", "passengers", 12, 12),
    ("elnino_sst_monthly.csv", "sst_celsius", 12, 12),
    ("ausbeer_quarterly.csv", "beer_megalitres", 8, 4),
    ("us_macro_quarterly.csv", "realgdp", 8, 4),
    ("sunspots_yearly.csv", "sunspots", 6, 1),
    ("nile_flow_yearly.csv", "volume", 6, 1),
    ("seattle_weather_daily.csv", "temp_max_c", 14, 7),
    ("co2_mauna_loa_weekly.csv", "co2_ppm", 13, 52),
    ("seattle_temp_hourly.csv", "temp_f", 24, 24),
]


def git(*args):
    try:
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def provenance(binary):
    """Commit (+dirty when Sources or Package.swift differ from it), date, binary and its version."""
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--", "Sources", "Package.swift"):
        commit += "+dirty"
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        version = "?"
    try:
        with open(binary, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()[:12]
    except OSError:
        sha = "?"
    return {"commit": commit, "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "binary": binary, "binary_version": version, "binary_sha256": sha,
            "load_avg_1min": round(os.getloadavg()[0], 2), "fit_args": os.environ.get("FIT_ARGS", "")}


def read_series(path, target):
    """(time column name, [(time string, target value string)]) of a CSV file; delimiter from the header."""
    with open(path, newline="") as f:
        first = f.readline()
        delim = max([",", ";", "\t"], key=first.count)
        f.seek(0)
        rows = csv.reader(f, delimiter=delim)
        header = next(rows)
        col = header.index(target)
        return header[0], [(r[0], r[col].strip()) for r in rows if r]


def to_float(s):
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def interpolate(xs):
    """Linear interpolation of None gaps; the ends take the nearest present value."""
    idx = [i for i, v in enumerate(xs) if v is not None]
    if not idx:
        raise ValueError("no values")
    out = list(xs)
    for i in range(idx[0]):
        out[i] = xs[idx[0]]
    for i in range(idx[-1] + 1, len(xs)):
        out[i] = xs[idx[-1]]
    for a, b in zip(idx, idx[1:]):
        for i in range(a + 1, b):
            out[i] = xs[a] + (xs[b] - xs[a]) * (i - a) / (b - a)
    return out


def seasonal_naive_mae(x, m):
    return sum(abs(x[i] - x[i - m]) for i in range(m, len(x))) / (len(x) - m) if len(x) > m else None


def mase(actual, forecast, scale):
    pairs = [(a, f) for a, f in zip(actual, forecast) if a is not None]
    if not pairs or not scale:
        return None
    return sum(abs(a - f) for a, f in pairs) / len(pairs) / scale


CANDIDATES = ["network", "seasonal_naive", "theta", "damped_ets", "holt_winters", "auto_ets", "seasonal_median", "naive", "drift"]
LEVELS = (80, 95)


def predict(binary, model, h, data=None, method=None, intervals=False, series=None):
    """The forecast rows of `forecast predict --format json`, or raises RuntimeError."""
    cmd = [binary, "predict", "--model", model, "--horizon", str(h), "--format", "json"]
    cmd += ["--series", series] if series else []
    cmd += (["--data", data, "--fill", "interpolate"] if data else []) + (["--method", method] if method else [])
    cmd += ["--intervals", ",".join(map(str, LEVELS))] if intervals else []
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"predict exit {p.returncode}: " + (p.stderr.strip().splitlines() or ["?"])[-1][:300])
    rows = json.loads(p.stdout)["forecasts"]
    if len(rows) != h or not all(math.isfinite(float(r["value"])) for r in rows):
        raise RuntimeError(f"forecast has {len(rows)} rows or non-finite values")
    return rows


def unlog(v):
    """exp(v) of a value forecast on the log scale (TARGET_TRANSFORM=log), kept finite; non-numbers pass."""
    return math.exp(min(float(v), 700)) if isinstance(v, (int, float, str)) else v


def write_csv(path, ds, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([ds["time_column"], ds["target"]])
        w.writerows(rows)


def write_panel(path, ds, train, sibs):
    """The training part as series "0" and each sibling as series "1", "2", ... (long format)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", ds["time_column"], ds["target"]])
        w.writerows(["0", t, v] for t, v in train)
        for i, sib in enumerate(sibs, 1):
            w.writerows([str(i), t, repr(float(v))] for (t, _), v in zip(train, sib))


def siblings(x, m, count, seed):
    """Study (AUGMENT=K): K series like x, as Bergmeir, Hyndman and Benitez (2016) bag ETS: STL (or a
    lowess trend when there is no season), the remainder resampled in moving blocks of 2m (8 without
    a season), added back; kept non-negative where x is. Needs numpy and statsmodels."""
    import numpy as np
    from statsmodels.tsa.seasonal import STL
    from statsmodels.nonparametric.smoothers_lowess import lowess
    y = np.asarray(x, float)
    n = len(y)
    if m > 1 and n >= 2 * m + 1:
        r = STL(y, period=m, robust=True).fit()
        fitted = r.trend + r.seasonal
    else:
        fitted = lowess(y, np.arange(n), frac=float(os.environ.get("AUGMENT_FRAC", "0.2")), return_sorted=False)
    rem = y - fitted
    b = min(2 * m if m > 1 else 8, max(1, n // 2))
    rng = np.random.default_rng(1000 + seed)
    out = []
    for _ in range(count):
        starts = rng.integers(0, n - b + 1, n // b + 2)
        boot = np.concatenate([rem[s:s + b] for s in starts])
        off = int(rng.integers(0, b))
        sib = fitted + boot[off:off + n]
        if y.min() >= 0:
            sib = np.maximum(sib, 0)
        out.append(sib)
    return out


def interval_scores(actual, rows):
    """Per level: (points covered, points scored, Winkler score sum)."""
    out = {}
    for lv in LEVELS:
        a = 1 - lv / 100
        cov = n = 0
        wink = 0.0
        for y, r in zip(actual, rows):
            if y is None:
                continue
            lo, hi = float(r[f"lower_{lv}"]), float(r[f"upper_{lv}"])
            n += 1
            cov += lo <= y <= hi
            wink += (hi - lo) + (2 / a) * (lo - y if y < lo else y - hi if y > hi else 0)
        out[str(lv)] = [cov, n, wink]
    return out


def run_origin(binary, fit_extra, ds, k, tmp, candidates=False, val_origins=0, dump=False):
    """Fit on the series without its last k*H points, forecast H, score network and seasonal naive.
    With `candidates`, also every candidate's forecast (`predict --method`), scored; with
    `val_origins` V, also every candidate's raw forecasts at the V origins before the cut (H apart),
    for studying combination rules offline. With `dump`, also what `fit`'s combination saw: every
    candidate's forecasts at its validation origins (FORECAST_COMBINATION_DUMP), and every
    candidate's forecast of the test block."""
    h, m, target = ds["H"], ds["m"], ds["target"]
    rows = ds["rows"]
    cut = len(rows) - k * h
    train, test = rows[:cut], rows[cut:cut + h]
    res = {"k": k, "n_train": cut}
    # the baseline and the scale first: they are reported even when the fit fails
    x = interpolate([to_float(v) for _, v in train])
    actual = [to_float(v) for _, v in test]
    snaive = [x[len(x) - m + (i % m)] for i in range(h)]
    scale = seasonal_naive_mae(x, m)
    res["mase_snaive"] = mase(actual, snaive, scale)
    d = tempfile.mkdtemp(dir=tmp)
    path, model = os.path.join(d, "train.csv"), os.path.join(d, "m.fcm")
    logged = os.environ.get("TARGET_TRANSFORM") == "log" and min(x) > 0
    if logged:
        train = [(t, repr(math.log(float(v))) if to_float(v) is not None else v) for t, v in train]
    augment = int(os.environ.get("AUGMENT", "0") or 0)
    if augment and cut <= int(os.environ.get("AUGMENT_MAX", "600")):
        # study: train one global model on the series and `augment` block-bootstrapped siblings
        write_panel(path, ds, train, siblings(x, m, augment, k))
        fit_extra = fit_extra + ["--id-column", "id"]
        res["augmented"] = augment
    else:
        write_csv(path, ds, train)
    fit = [binary, "fit", path, "--target", target, "--horizon", str(h), "--fill", "interpolate", "--quiet",
           "--model", model] + fit_extra
    env = None
    if dump:
        env = dict(os.environ, FORECAST_COMBINATION_DUMP=d)
    t0 = time.perf_counter()
    p = subprocess.run(fit, capture_output=True, text=True, env=env)
    res["fit_s"] = round(time.perf_counter() - t0, 3)
    if p.returncode != 0:
        res["error"] = f"fit exit {p.returncode}: " + (p.stderr.strip().splitlines() or ["?"])[-1][:300]
        return res
    t0 = time.perf_counter()
    try:
        rows = predict(binary, model, h, intervals=True, series="0" if res.get("augmented") else None)
    except (RuntimeError, ValueError, KeyError, TypeError) as e:
        res["error"] = str(e)
        return res
    res["predict_s"] = round(time.perf_counter() - t0, 3)
    if logged:
        res["logged"] = True
        rows = [{k: (unlog(v) if k == "value" or k.startswith(("lower_", "upper_")) else v) for k, v in r.items()}
                for r in rows]
    fc = [float(r["value"]) for r in rows]
    res["mase_net"] = mase(actual, fc, scale)
    if res["mase_net"] is None:
        res["error"] = "MASE undefined (zero in-sample seasonal-naive error or no test values)"
        return res
    res["intervals"] = interval_scores(actual, rows)
    res["scale"] = scale
    keep = os.environ.get("KEEP_MODELS")
    if keep and not logged and not res.get("augmented"):
        # study: the model and what scores it, for predict-only replays (interval_replay.py)
        os.makedirs(keep, exist_ok=True)
        tag = "".join(c if c.isalnum() else "-" for c in " ".join(fit_extra)).strip("-")
        stem = os.path.join(keep, f"{ds['set']}__{ds['file']}__k{k}" + (f"__{tag}" if tag else ""))
        shutil.copyfile(model, stem + ".fcm")
        with open(stem + ".json", "w") as f:
            json.dump({"set": ds["set"], "file": ds["file"], "k": k, "H": h, "actual": actual, "scale": scale}, f)
    if dump:
        files = [f for f in os.listdir(d) if f.endswith(".json")]
        if files:
            with open(os.path.join(d, files[0])) as f:
                res["dump"] = json.load(f)
            if logged:
                ex = lambda fs: [unlog(v) for v in fs]
                res["dump"]["actual"] = [ex(a) for a in res["dump"]["actual"]]
                res["dump"]["forecasts"] = {c: [ex(f) for f in v] for c, v in res["dump"]["forecasts"].items()}
    if candidates or val_origins or dump:
        try:
            rows_alone = {c: predict(binary, model, h, path, c, intervals=True) for c in CANDIDATES}
            alone = {c: [float(r["value"]) for r in rows_alone[c]] for c in CANDIDATES}
            if not logged:
                res["candidate_intervals"] = {c: interval_scores(actual, rows_alone[c]) for c in CANDIDATES}
            if logged:
                alone = {c: [unlog(v) for v in f] for c, f in alone.items()}
            res["candidates"] = {c: mase(actual, f, scale) for c, f in alone.items()}
            if dump and not val_origins:
                res["actual"], res["forecasts"] = actual, dict(alone, combination=fc)
            if val_origins:
                res["actual"], res["forecasts"] = actual, {c: [] for c in CANDIDATES}
                res["forecasts"]["combination"] = fc
                for c in CANDIDATES:
                    res["forecasts"][c] = [float(r["value"]) for r in predict(binary, model, h, path, c)]
                res["validation"] = []
                for j in range(1, val_origins + 1):
                    vcut = cut - j * h
                    vpath = os.path.join(d, f"val{j}.csv")
                    write_csv(vpath, ds, train[:vcut])
                    try:
                        fcs = {c: [float(r["value"]) for r in predict(binary, model, h, vpath, c)] for c in CANDIDATES}
                    except RuntimeError:
                        break   # history shorter than the lookback
                    res["validation"].append({"j": j, "cut": vcut, "actual": x[vcut:vcut + h], "forecasts": fcs})
        except (RuntimeError, ValueError, KeyError, TypeError) as e:
            res["candidate_error"] = str(e)
    return res


def load_datasets(which):
    out = []
    if which in ("bundled", "all"):
        for f, target, h, m in BUNDLED:
            out.append({"set": "bundled", "file": f, "path": os.path.join(ROOT, "datasets", f),
                        "target": target, "H": h, "m": m})
    if which in ("extra", "all"):
        spec_path = os.path.join(EXTRA_DIR, "horizons.json")
        if not os.path.exists(spec_path):
            sys.exit(f"{spec_path} not found (the shared folder is expected at ../shared from the repo root)")
        with open(spec_path) as f:
            spec = json.load(f)
        for f_name in sorted(spec):
            s = spec[f_name]
            out.append({"set": "extra", "file": f_name, "path": os.path.join(EXTRA_DIR, f_name),
                        "target": s["target"], "H": int(s["H"]), "m": int(s["m"])})
    for ds in out:
        ds["time_column"], ds["rows"] = read_series(ds["path"], ds["target"])
        ds["n"] = len(ds["rows"])
    return out


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def summarize(datasets, results):
    """Per-dataset means over origins and per-set summaries for one variant."""
    per, sets = [], {}
    for ds in datasets:
        origins = sorted(results[ds["file"]], key=lambda r: r["k"])
        errors = [f"k={r['k']}: {r['error']}" for r in origins if "error" in r]
        row = {"set": ds["set"], "file": ds["file"], "target": ds["target"], "H": ds["H"], "m": ds["m"],
               "n": ds["n"], "origins": origins, "fit_s": round(sum(r.get("fit_s", 0) for r in origins), 2)}
        if errors:
            row["error"] = "; ".join(errors)
        if all(r.get("mase_snaive") is not None for r in origins):
            row["mase_snaive"] = sum(r["mase_snaive"] for r in origins) / len(origins)
        if not errors:
            row["mase_net"] = sum(r["mase_net"] for r in origins) / len(origins)
            row["ratio"] = row["mase_net"] / row["mase_snaive"] if row.get("mase_snaive") else None
            if all(r.get("candidates") and None not in r["candidates"].values() for r in origins):
                row["candidates"] = {c: sum(r["candidates"][c] for r in origins) / len(origins) for c in CANDIDATES}
        per.append(row)
    for name in ("bundled", "extra"):
        rows = [r for r in per if r["set"] == name]
        if not rows:
            continue
        ok = [r["ratio"] for r in rows if r.get("ratio")]
        sets[name] = {"geomean_ratio": geomean(ok), "datasets": len(rows), "scored": len(ok),
                      "worse_than_snaive": sum(x > 1 for x in ok),
                      "failed": [r["file"] for r in rows if "error" in r],
                      "fit_s": round(sum(r["fit_s"] for r in rows), 1)}
        # Interval coverage pooled over every scored point; Winkler score scaled like MASE.
        ivs = [(o["intervals"], o["scale"]) for r in rows if "error" not in r for o in r["origins"] if "intervals" in o]
        if ivs:
            sets[name]["intervals"] = {lv: {"coverage": sum(i[lv][0] for i, _ in ivs) / max(1, sum(i[lv][1] for i, _ in ivs)),
                                            "scaled_winkler": sum(i[lv][2] / max(1, i[lv][1]) / sc for i, sc in ivs) / len(ivs)}
                                       for lv in map(str, LEVELS)}
        full = [r for r in rows if r.get("candidates") and r.get("mase_snaive")]
        if full and len(full) == len(ok):
            sets[name]["candidates"] = {c: {"geomean_ratio": geomean([r["candidates"][c] / r["mase_snaive"] for r in full]),
                                            "worse_than_snaive": sum(r["candidates"][c] > r["mase_snaive"] for r in full)}
                                        for c in CANDIDATES}
    return {"datasets": per, "sets": sets, "fit_s_total": round(sum(r["fit_s"] for r in per), 1)}


def fmt(x, nd=3):
    return "n/a" if x is None else f"{x:.{nd}f}"


def markdown(meta, variants, datasets):
    out = [f"### Rolling-origin accuracy, set `{meta['set']}` ({ORIGINS} origins of H points each)", "",
           f"commit `{meta['commit']}`, {meta['date']}, binary `{meta['binary']}` ({meta['binary_version']}, sha256 {meta['binary_sha256']}), "
           f"FIT_ARGS `{meta['fit_args'] or '(none)'}`, jobs {meta['jobs']}, wall {meta['wall_s']:.0f} s, load average at start {meta['load_avg_1min']}.",
           "MASE scaled by the in-sample seasonal-naive MAE (period m) of each training part, averaged over "
           "the origins; ratio = network / seasonal naive (below 1 beats it).", "",
           "| variant | set | geo-mean ratio | worse than snaive | scored / datasets | failed | fit s |",
           "|---|---|---|---|---|---|---|"]
    for v in variants:
        for name, s in v["summary"]["sets"].items():
            out.append(f"| {v['name']} | {name} | **{fmt(s['geomean_ratio'])}** | {s['worse_than_snaive']} | "
                       f"{s['scored']} / {s['datasets']} | {', '.join(s['failed']) or '-'} | {s['fit_s']:.1f} |")
    ivl = [(v, name, s) for v in variants for name, s in v["summary"]["sets"].items() if s.get("intervals")]
    if ivl:
        out += ["", "Prediction intervals of the default forecast, pooled over every scored point "
                "(Winkler score scaled like MASE, lower is better):", "",
                "| variant | set |" + "".join(f" {lv}% coverage | {lv}% Winkler |" for lv in LEVELS), "|---|---|" + "---|---|" * len(LEVELS)]
        for v, name, s in ivl:
            out.append(f"| {v['name']} | {name} |" + "".join(
                f" {100 * s['intervals'][str(lv)]['coverage']:.1f}% | {fmt(s['intervals'][str(lv)]['scaled_winkler'])} |" for lv in LEVELS))
    cand = [(v, name, s) for v in variants for name, s in v["summary"]["sets"].items() if s.get("candidates")]
    if cand:
        out += ["", "Every candidate alone (`forecast predict --method NAME`, same fits): geometric-mean MASE ratio "
                "vs seasonal naive, and datasets where it loses to seasonal naive:", "",
                "| variant | set | default |" + "".join(f" {c} |" for c in CANDIDATES), "|---|---|---|" + "---|" * len(CANDIDATES)]
        for v, name, s in cand:
            out.append(f"| {v['name']} | {name} | **{fmt(s['geomean_ratio'])}** ({s['worse_than_snaive']}) |" + "".join(
                f" {fmt(s['candidates'][c]['geomean_ratio'])} ({s['candidates'][c]['worse_than_snaive']}) |" for c in CANDIDATES))
    cells = sorted({v["cell"] for v in variants}, key=str)
    if len({v["seed"] for v in variants}) > 1:
        out += ["", "Across seeds (mean, max - min of the geometric means):", ""]
        for c in cells:
            for name in ("bundled", "extra"):
                g = [v["summary"]["sets"][name]["geomean_ratio"] for v in variants
                     if v["cell"] == c and name in v["summary"]["sets"]]
                g = [x for x in g if x is not None]
                if g:
                    out.append(f"- {c or 'default'} / {name}: mean {fmt(sum(g) / len(g))}, spread {fmt(max(g) - min(g))}")
    head = "| set | dataset | H | m | n | snaive MASE |" + "".join(f" {v['name']} MASE | ratio | fit s |" for v in variants)
    out += ["", head, "|" + "---|" * (6 + 3 * len(variants))]
    for i, ds in enumerate(datasets):
        base = next((v["summary"]["datasets"][i].get("mase_snaive") for v in variants
                     if v["summary"]["datasets"][i].get("mase_snaive") is not None), None)
        line = f"| {ds['set']} | {ds['file']} | {ds['H']} | {ds['m']} | {ds['n']} | {fmt(base)} |"
        for v in variants:
            r = v["summary"]["datasets"][i]
            line += (f" error |  | {r['fit_s']:.1f} |" if "error" in r
                     else f" {fmt(r['mase_net'])} | {fmt(r['ratio'])} | {r['fit_s']:.1f} |")
        out.append(line)
    errs = [f"- {v['name']} {r['file']}: {r['error']}" for v in variants for r in v["summary"]["datasets"] if "error" in r]
    if errs:
        out += ["", "Errors:", ""] + errs
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=["bundled", "extra", "all"], default="all")
    ap.add_argument("--cells", default="", help="comma-separated cells, each run with --cell (default: the default model)")
    ap.add_argument("--jobs", type=int, default=1, help="fits in parallel (default 1, so timings are clean)")
    ap.add_argument("--candidates", action="store_true",
                    help="also score every candidate (predict --method) and add their table")
    ap.add_argument("--validation-origins", type=int, default=0, metavar="V",
                    help="also store every candidate's forecasts at V origins before each cut (for offline study)")
    ap.add_argument("--dump-validation", action="store_true",
                    help="also store what fit's combination saw at its validation origins and every candidate's "
                         "test forecast (for Benchmarks/accuracy/combination_study.py)")
    ap.add_argument("--name", default="", help="suffix of the result files (rolling_<set><name>.md)")
    ap.add_argument("--only", default="", metavar="SUBSTRINGS",
                    help="comma-separated substrings: keep only the datasets whose file name contains one (for studies)")
    ap.add_argument("--max-length", type=int, default=0, metavar="N",
                    help="keep only the series of at most N points (for quick studies)")
    a = ap.parse_args()
    if os.environ.get("TARGET_TRANSFORM") == "log" and a.validation_origins:
        sys.exit("TARGET_TRANSFORM=log does not transform --validation-origins forecasts back; use --dump-validation")
    if os.environ.get("AUGMENT") and (a.candidates or a.validation_origins or a.dump_validation):
        sys.exit("AUGMENT scores the default forecast only (not with --candidates, --validation-origins or --dump-validation)")
    binary = os.path.abspath(os.environ.get("FORECAST") or os.path.join(ROOT, ".build", "release", "forecast"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"no executable forecast at {binary} (set FORECAST)")
    fit_args = shlex.split(os.environ.get("FIT_ARGS", ""))
    seeds = [s.strip() for s in os.environ.get("SEEDS", "").split(",") if s.strip()] or [None]
    if seeds != [None] and "--seed" in fit_args:
        print("warning: both SEEDS and --seed in FIT_ARGS; FIT_ARGS comes last", file=sys.stderr)
    cells = [c.strip() for c in a.cells.split(",") if c.strip()] or [None]
    meta = provenance(binary)
    meta.update({"set": a.set, "jobs": a.jobs, "origins": ORIGINS, "seeds": seeds, "cells": cells})
    datasets = load_datasets(a.set)
    if a.only:
        keys = [k.strip() for k in a.only.split(",") if k.strip()]
        datasets = [ds for ds in datasets if any(k in ds["file"] for k in keys)]
    if a.max_length:
        datasets = [ds for ds in datasets if ds["n"] <= a.max_length]
    if not datasets:
        sys.exit("no dataset matches --only/--max-length")

    variants = []
    for c in cells:
        for s in seeds:
            name = "/".join(x for x in [c or "default", s and f"seed {s}"] if x)
            extra = (["--cell", c] if c else []) + (["--seed", s] if s else []) + fit_args
            variants.append({"name": name, "cell": c, "seed": s, "extra": extra,
                             "results": {ds["file"]: [] for ds in datasets}})
    tasks = [(v, ds, k) for v in variants for ds in datasets for k in range(1, ORIGINS + 1)]
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="accuracy-") as tmp, cf.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        futures = {pool.submit(run_origin, binary, v["extra"], ds, k, tmp, a.candidates, a.validation_origins, a.dump_validation): (v, ds, k) for v, ds, k in tasks}
        for i, fut in enumerate(cf.as_completed(futures), 1):
            v, ds, k = futures[fut]
            try:
                r = fut.result()
            except Exception as e:  # a broken dataset must not stop the run
                r = {"k": k, "error": f"{type(e).__name__}: {e}"}
            v["results"][ds["file"]].append(r)
            msg = r.get("error") or f"MASE {fmt(r['mase_net'])} (snaive {fmt(r['mase_snaive'])})"
            print(f"[{i}/{len(tasks)}] {v['name']} {ds['file']} k={k}: {msg}, fit {r.get('fit_s', 0):.1f} s",
                  file=sys.stderr, flush=True)
    meta["wall_s"] = round(time.perf_counter() - t_start, 1)
    for v in variants:
        v["summary"] = summarize(datasets, v.pop("results"))
        v.pop("extra")
    md = markdown(meta, variants, datasets)
    os.makedirs(RESULTS, exist_ok=True)
    stem = os.path.join(RESULTS, f"rolling_{a.set}{a.name}")
    with open(stem + ".json", "w") as f:
        json.dump({"meta": meta, "variants": variants}, f, indent=1)
        f.write("\n")
    with open(stem + ".md", "w") as f:
        f.write(md)
    print(md)
    print(f"wrote {os.path.relpath(stem)}.md and .json", file=sys.stderr)


if __name__ == "__main__":
    main()
