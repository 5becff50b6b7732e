#!/usr/bin/env python3
"""Predict-only replay of interval settings on kept rolling-origin models.

`KEEP_MODELS=DIR python3 scripts/accuracy.py --set all` keeps each origin's model file and its test
values in DIR. This script runs `forecast predict --intervals 80,95` on every kept model once per
variant, a variant being environment settings read by a study build of the binary (for instance
`Benchmarks/accuracy/study-patches/s34_interval_knobs.patch`: FORECAST_STUDY_INFLATION,
FORECAST_STUDY_SPREAD, FORECAST_STUDY_RANK), and prints per set the pooled coverage and the Winkler
score scaled like MASE, computed as `scripts/accuracy.py` does. The point forecasts, and so the fits,
are the same in every variant: only the widths change, with no refit.

    python3 Benchmarks/accuracy/interval_replay.py DIR [--variant NAME=K=V,K=V ...] [--jobs 2]

Environment: FORECAST  the (study) binary. Stdlib only.
"""
import argparse, concurrent.futures as cf, glob, json, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import accuracy as A  # noqa: E402


def scored(binary, stem, env):
    meta = json.load(open(stem + ".json"))
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)   # predict() runs the binary with this process's environment
    try:
        rows = A.predict(binary, stem + ".fcm", meta["H"], intervals=True)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return meta, A.interval_scores(meta["actual"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=K=V,K=V")
    a = ap.parse_args()
    binary = os.path.abspath(os.environ.get("FORECAST") or os.path.join(ROOT, ".build", "release", "forecast"))
    stems = sorted(p[:-4] for p in glob.glob(os.path.join(a.folder, "*.fcm")))
    variants = [("current", {})]
    for v in a.variant:
        name, _, rest = v.partition("=")
        variants.append((name, dict(kv.split("=", 1) for kv in rest.split(",") if kv)))
    print(f"| variant | set | 80% coverage | 80% Winkler | 95% coverage | 95% Winkler | origins |")
    print("|---|---|---|---|---|---|---|")
    for name, env in variants:
        # One at a time: the environment is the process's (predicts of one variant run in sequence).
        results = [scored(binary, s, env) for s in stems]
        sets = {}
        for meta, iv in results:
            sets.setdefault(meta["set"], []).append((iv, meta["scale"]))
        for st, ivs in sorted(sets.items()):
            cells = []
            for lv in map(str, A.LEVELS):
                cov = sum(i[lv][0] for i, _ in ivs) / max(1, sum(i[lv][1] for i, _ in ivs))
                wink = sum(i[lv][2] / max(1, i[lv][1]) / sc for i, sc in ivs) / len(ivs)
                cells += [f"{100 * cov:.1f}%", f"{wink:.3f}"]
            print(f"| {name} | {st} | " + " | ".join(cells) + f" | {len(ivs)} |", flush=True)


if __name__ == "__main__":
    main()
