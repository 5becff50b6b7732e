#!/usr/bin/env python3
"""M4 Hourly (414 series, H = 48) with one global `forecast` model, as ../shared/benchmarks/m4-hourly/README.md runs it.

  --validate  fit on each training series without its last 48 points, forecast 48, score those 48
              (sMAPE, MASE with m = 24, OWA against Naive2 of the shortened series; m4metrics.py).
              Choose settings here.
  --test      fit on the full training part, forecast 48, score against Hourly-test.csv with score.py.
              Run once per decision, after choosing on --validate.

Environment: FORECAST  the binary (default .build/release/forecast under the repo root)
             FIT_ARGS  extra `forecast fit` options, e.g. "--seasonal-period 24 --cell gru"
             SEEDS     comma-separated seeds (default: the CLI's default); several give mean and spread
Writes Benchmarks/accuracy/results/m4_hourly_<mode>.{md,json} and prints the Markdown.
Needs numpy (Benchmarks/accuracy/setup.sh makes .venv-bench; this script re-runs itself with it).
"""
import argparse, datetime, hashlib, json, os, shlex, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
M4_DIR = os.path.normpath(os.path.join(ROOT, "..", "shared", "benchmarks", "m4-hourly"))
RESULTS = os.path.join(HERE, "results")
H, SEASON = 48, 24

try:
    import numpy as np
except ImportError:
    venv_py = os.path.join(ROOT, ".venv-bench", "bin", "python")
    if os.path.exists(venv_py) and not os.environ.get("_M4_REEXEC"):
        os.environ["_M4_REEXEC"] = "1"
        os.execv(venv_py, [venv_py] + sys.argv)
    sys.exit("numpy is missing: run Benchmarks/accuracy/setup.sh (creates .venv-bench), then run this again")

sys.path.insert(0, M4_DIR)
import m4metrics as M  # noqa: E402
from prepare import prepare  # noqa: E402


def git(*args):
    return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True).stdout.strip()


def provenance(binary):
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--", "Sources", "Package.swift"):
        commit += "+dirty"
    with open(binary, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()[:12]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    return {"commit": commit, "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "binary": binary, "binary_version": version, "binary_sha256": sha, "load_avg_1min": round(os.getloadavg()[0], 2),
            "fit_args": os.environ.get("FIT_ARGS", "")}


def write_long(path, series):
    """series,t,value with t = 1..n, written like prepare.py does."""
    with open(path, "w") as f:
        f.write("series,t,value\n")
        for sid, vals in series.items():
            for i, v in enumerate(vals, start=1):
                f.write(f"{sid},{i},{repr(v) if v != int(v) else int(v)}\n")


def fit_predict(binary, data, seed, fit_args, tmp, dump=None):
    model = os.path.join(tmp, f"m-{seed or 'default'}.fcm")
    cmd = [binary, "fit", data, "--id-column", "series", "--target", "value", "--horizon", str(H),
           "--quiet", "--model", model] + (["--seed", seed] if seed is not None else []) + fit_args
    print("$ " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    env = None
    if dump:
        os.makedirs(os.path.join(dump, "validation"), exist_ok=True)
        env = dict(os.environ, FORECAST_COMBINATION_DUMP=os.path.join(dump, "validation"))
    subprocess.run(cmd, check=True, env=env)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = subprocess.run([binary, "predict", "--model", model, "--horizon", str(H), "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    predict_s = time.perf_counter() - t0
    fc = {}
    for r in json.loads(out)["forecasts"]:
        fc.setdefault(r["id"], []).append(float(r["value"]))
    if dump:   # every candidate's forecast alone, for Benchmarks/accuracy/combination_study.py
        alone = {"combination": fc}
        for c in ["network", "seasonal_naive", "theta", "damped_ets", "holt_winters", "auto_ets", "seasonal_median"]:
            out = subprocess.run([binary, "predict", "--model", model, "--horizon", str(H), "--format", "json",
                                  "--method", c, "--data", data], check=True, capture_output=True, text=True).stdout
            alone[c] = {}
            for r in json.loads(out)["forecasts"]:
                alone[c].setdefault(r["id"], []).append(float(r["value"]))
        with open(os.path.join(dump, "test_forecasts.json"), "w") as f:
            json.dump(alone, f)
    info = subprocess.run([binary, "inspect", model], capture_output=True, text=True).stdout
    used_seed = next((ln.split("seed")[1].split(",")[0].strip() for ln in info.splitlines()
                      if ln.startswith("optimizer") and "seed" in ln), seed)
    return fc, fit_s, predict_s, used_seed


def score_validation(ids, train, test, fc):
    """m4metrics on the validation split: train = training part minus 48, test = its last 48."""
    fc = {s: np.asarray(fc[s][:H]) for s in ids}
    bench = {"sNaive": {s: M.seasonal_naive(np.asarray(train[s]), H, SEASON) for s in ids},
             "Naive2": {s: M.naive2(np.asarray(train[s]), H, SEASON)[0] for s in ids}}
    res = {}
    for name, f in [("forecasts", fc)] + list(bench.items()):
        sm, ms, per = M.score(ids, train, test, f, SEASON)
        res[name] = {"smape": sm, "mase": ms, "per": per}
    n2 = res["Naive2"]
    out = {k: {"smape": round(v["smape"], 4), "mase": round(v["mase"], 4),
               "owa": round(M.owa(v["smape"], v["mase"], n2["smape"], n2["mase"]), 4)} for k, v in res.items()}
    out["share_beating_snaive"] = round(float(np.mean(
        [res["forecasts"]["per"][s]["mase"] < res["sNaive"]["per"][s]["mase"] for s in ids])), 4)
    out["series_with_negative_forecasts"] = sum(bool((fc[s] < 0).any()) for s in ids)
    out["series_with_nonfinite_forecasts"] = sum(not np.isfinite(fc[s]).all() for s in ids)
    return out


def score_test(fc, tmp):
    """score.py on the competition's test file (needs all 414 series)."""
    path = os.path.join(tmp, "forecasts.csv")
    with open(path, "w") as f:
        f.write("series,t,value\n")
        for sid, vals in fc.items():
            for i, v in enumerate(vals, start=1):
                f.write(f"{sid},{i},{float(v)!r}\n")
    p = subprocess.run([sys.executable, os.path.join(M4_DIR, "score.py"), path, "--json"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"score.py failed: {p.stderr.strip()[-500:]}")
    return json.loads(p.stdout)


def markdown(meta, runs, summary):
    what = ("validation: each training series minus its last 48 points, scored on those 48"
            if meta["mode"] == "validate" else "test: full training part, scored on Hourly-test.csv (score.py)")
    out = [f"### M4 Hourly, {what}", "",
           f"commit `{meta['commit']}`, {meta['date']}, binary `{meta['binary']}` ({meta['binary_version']}, "
           f"sha256 {meta['binary_sha256']}), FIT_ARGS `{meta['fit_args'] or '(none)'}`, "
           f"{meta['series']} series, one global model, load average at start {meta['load_avg_1min']}.", "",
           "| seed | sMAPE | MASE | OWA | fit s | predict s | series with a negative forecast | beats sNaive (share) |",
           "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        f = r["scores"]["forecasts"]
        out.append(f"| {r['seed']} | {f['smape']:.3f} | {f['mase']:.3f} | **{f['owa']:.3f}** | {r['fit_s']:.1f} | "
                   f"{r['predict_s']:.2f} | {r['scores']['series_with_negative_forecasts']} | "
                   f"{r['scores']['share_beating_snaive']:.3f} |")
    if len(runs) > 1:
        for label in ("mean", "sd", "spread"):
            s = summary[label]
            out.append(f"| {label} | {s['smape']:.3f} | {s['mase']:.3f} | {s['owa']:.3f} | {s['fit_s']:.1f} | "
                       f"{s['predict_s']:.2f} | {s['negative']:.1f} | |")
    b = runs[0]["scores"]
    out += ["", "Baselines on the same split: " + "; ".join(
        f"{k} sMAPE {b[k]['smape']:.3f}, MASE {b[k]['mase']:.3f}, OWA {b[k]['owa']:.3f}"
        for k in ("sNaive", "Naive2") if k in b) + "."]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--validate", action="store_true")
    mode.add_argument("--test", action="store_true")
    ap.add_argument("--dump", metavar="DIR", help="--validate only: store what fit's combination saw at its "
                    "validation origins and every candidate's forecast in DIR (for combination_study.py)")
    ap.add_argument("--limit", type=int, help="first N series only (smoke test; --validate only, results not written)")
    a = ap.parse_args()
    if a.limit and a.test:
        sys.exit("--limit only with --validate: the test score needs all 414 series")
    binary = os.path.abspath(os.environ.get("FORECAST") or os.path.join(ROOT, ".build", "release", "forecast"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"no executable forecast at {binary} (set FORECAST)")
    fit_args = shlex.split(os.environ.get("FIT_ARGS", ""))
    seeds = [s.strip() for s in os.environ.get("SEEDS", "").split(",") if s.strip()] or [None]
    if seeds != [None] and "--seed" in fit_args:
        print("warning: both SEEDS and --seed in FIT_ARGS; FIT_ARGS comes last", file=sys.stderr)
    meta = provenance(binary)
    meta["mode"] = "validate" if a.validate else "test"

    runs = []
    with tempfile.TemporaryDirectory(prefix="m4-hourly-") as tmp:
        long_path, _, data = prepare("Hourly", M4_DIR, tmp, a.limit)
        ids = data["ids"]
        if a.validate:
            train = {s: data["train"][s][:-H] for s in ids}
            test = {s: data["train"][s][-H:] for s in ids}
            long_path = os.path.join(tmp, "validation-train-long.csv")
            write_long(long_path, train)
        meta["series"] = len(ids)
        for seed in seeds:
            fc, fit_s, predict_s, used = fit_predict(binary, long_path, seed, fit_args, tmp,
                                                     a.dump if a.validate else None)
            if a.dump and a.validate:
                with open(os.path.join(a.dump, "split.json"), "w") as f:
                    json.dump({k: {s: [float(x) for x in v[s]] for s in ids} for k, v in (("train", train), ("test", test))}, f)
            missing = [s for s in ids if len(fc.get(s, [])) < H]
            if missing:
                sys.exit(f"forecasts missing or short for {len(missing)} series, e.g. {missing[:3]}")
            scores = score_validation(ids, train, test, fc) if a.validate else score_test(fc, tmp)
            runs.append({"seed": used if seed is None else seed, "seed_given": seed, "fit_s": round(fit_s, 2),
                         "predict_s": round(predict_s, 3), "scores": scores})
            f = scores["forecasts"]
            print(f"seed {runs[-1]['seed']}: sMAPE {f['smape']:.3f} MASE {f['mase']:.3f} OWA {f['owa']:.3f}, "
                  f"fit {fit_s:.1f} s, predict {predict_s:.2f} s", file=sys.stderr, flush=True)

    def col(key):
        return [r["scores"]["forecasts"][key] for r in runs]
    cols = {"smape": col("smape"), "mase": col("mase"), "owa": col("owa"), "fit_s": [r["fit_s"] for r in runs],
            "predict_s": [r["predict_s"] for r in runs],
            "negative": [r["scores"]["series_with_negative_forecasts"] for r in runs]}
    summary = {"mean": {k: statistics.mean(v) for k, v in cols.items()},
               "sd": {k: statistics.stdev(v) if len(v) > 1 else 0.0 for k, v in cols.items()},
               "spread": {k: max(v) - min(v) for k, v in cols.items()}}
    meta["seeds"] = [r["seed"] for r in runs]
    md = markdown(meta, runs, summary)
    print(md)
    if a.limit:
        print("(--limit: results not written)", file=sys.stderr)
        return
    os.makedirs(RESULTS, exist_ok=True)
    stem = os.path.join(RESULTS, f"m4_hourly_{meta['mode']}")
    with open(stem + ".json", "w") as f:
        json.dump({"meta": meta, "runs": runs, "summary": summary}, f, indent=1)
        f.write("\n")
    with open(stem + ".md", "w") as f:
        f.write(md)
    print(f"wrote {os.path.relpath(stem)}.md and .json", file=sys.stderr)


if __name__ == "__main__":
    main()
