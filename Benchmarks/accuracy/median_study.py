#!/usr/bin/env python3
"""Offline study that chose the seasonal-median candidate (session 8) before it was built.

Adds a candidate computed from each series' own data, the median of the last K values at the same
point of the season (of the last K values without a season), at exactly the validation origins and
test cuts of a run made with `scripts/accuracy.py --dump-validation` (and, with `--m4 DIR`, of
`Benchmarks/accuracy/m4_hourly.py --validate --dump DIR`), and replays `fit`'s combination rule with
it as a sixth statistical model (`combination_study.py`'s `current`).

    python3 Benchmarks/accuracy/median_study.py Benchmarks/accuracy/results/rolling_all_study_dump.json [--m4 DIR]

The period is the dataset's m from horizons.json (M4 Hourly: 24), where `fit` uses each series'
baseline period; the fitted run is the check (README, Accuracy). `--m4` needs numpy.
"""
import argparse, csv, json, math, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import combination_study as S  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))


def series(set_name, file, target):
    """The dataset's target column as floats (NaN for empty cells)."""
    for folder in ([os.path.join(SHARED, "datasets-extra")] if set_name == "extra"
                   else [os.path.join(ROOT, "datasets"), os.path.join(SHARED, "datasets")]):
        path = os.path.join(folder, file)
        if os.path.exists(path):
            out = []
            for row in csv.DictReader(open(path)):
                try:
                    out.append(float(row[target]))
                except (KeyError, ValueError):
                    out.append(float("nan"))
            return out
    raise SystemExit(f"{file}: not found")


def seasonal_median(y, H, m, K):
    """Per step, the median of the last K finite values at its point of the season."""
    n = len(y)
    p = m if m > 1 and n >= m else 1
    out = []
    for h in range(H):
        i, vals = n - p + h % p, []
        while i >= 0 and len(vals) < K:
            if not math.isnan(y[i]):
                vals.append(y[i])
            i -= p
        vals.sort()
        k = len(vals)
        out.append(y[-1] if k == 0 else vals[k // 2] if k % 2 else (vals[k // 2 - 1] + vals[k // 2]) / 2)
    return out


def add(case, y, origins, n_test, H, m, K):
    case.val["median"] = [seasonal_median(y[:o], H, m, K) for o in origins]
    case.test["median"] = seasonal_median(y[:n_test], H, m, K)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--m4", metavar="DIR")
    a = ap.parse_args()
    J = json.load(open(a.run))
    stats = [s for s in S.STATS if s != "seasonal_median"]
    print(f"{'rule':24s} {'bundled':>8s} {'extra':>8s} {'M4 OWA':>8s}")
    for K in (None, 3, 5, 8):
        cases = {}
        for d in J["variants"][0]["summary"]["datasets"]:
            if "error" in d or not d.get("mase_snaive"):
                continue
            y = series(d["set"], d["file"], d["target"])
            rows = []
            for o in d["origins"]:
                dump = o["dump"]
                case = S.Case({k: list(v) for k, v in dump["forecasts"].items()}, dump["actual"], dict(o["forecasts"]))
                if K:
                    add(case, y, dump["origins"], o["n_train"], d["H"], d["m"], K)
                rows.append((case, o["actual"], o["scale"], o["mase_snaive"]))
            cases[(d["set"], d["file"])] = rows
        rule = two_stage(stats + (["median"] if K else []))
        sets, _ = S.score_rolling(cases, rule)
        owa = float("nan")
        if a.m4:
            split, m4 = S.m4_cases(a.m4)
            if K:
                for sid, c in m4.items():
                    name = "".join(ch if ch.isalnum() else "_" for ch in sid)
                    p = os.path.join(a.m4, "validation", name + ".json")
                    origins = json.load(open(p))["origins"] if os.path.exists(p) else []
                    add(c, split["train"][sid], origins, len(split["train"][sid]), 48, 24, K)
            owa = S.score_m4(split, m4, rule)
        label = f"+ median of {K} seasons" if K else "without the median"
        print(f"{label:24s} {sets['bundled']:8.3f} {sets['extra']:8.3f} {owa:8.3f}")


two_stage = S.fit_rule


if __name__ == "__main__":
    main()
