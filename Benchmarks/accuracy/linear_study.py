#!/usr/bin/env python3
"""Session 33's study: a per-series linear autoregression averaged with the network (offline replay).

The model ("NLinear"-style, direct multi-horizon): for a history y of T points, lookback
L = min(max(K m, 2 H, 8), (T - H) // 3) (m the seasonal period, K = `--lookback-seasons`); every
window of L + H points gives inputs y[i:i+L] - y[i+L-1] and targets y[i+L:i+L+H] - y[i+L-1], both
divided by the standard deviation of y's first differences; ridge weights W (L x H) solve
(X'X + 0.01 lam n I) W = X'Y over the n windows; the forecast is (y[T-L:] - y[T-1]) W, scaled back,
plus y[T-1]. It is fitted on the history before each validation origin and before the test origin.

Rules replayed (as combination_study.py, on its dumps, seeds 42, 1 and 2, with the window-scaled
ensemble as `fit` mixes it now): `current`; `only linear`; `network = mean(network, linear)` (the
blend then weighs that mean against the best statistical model as it weighs the network now);
with `--m4 DIR --m4-second DIR2` also M4 Hourly validation OWA (dumps of `m4_hourly.py --validate
--dump DIR`, default and `FIT_ARGS=--window-scaling`).

    .venv-bench/bin/python Benchmarks/accuracy/linear_study.py [--m4 DIR --m4-second DIR2]

Needs numpy.
"""
import argparse, json, math, os, sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import combination_study as CS  # noqa: E402

R = os.path.join(HERE, "results") + "/"
RUNS = [("rolling_all_study_s27_spread.json", "rolling_all_study_s31_ws.json", 0),
        ("rolling_all_study_s27_spread_seed1.json", "rolling_all_study_s31_ws_seeds12.json", 0),
        ("rolling_all_study_s27_spread_seed2.json", "rolling_all_study_s31_ws_seeds12.json", 1)]


def linear_forecast(y, H, m, lam=1.0, seasons=8):
    y = np.asarray(y, float)
    T = len(y)
    L = min(max(seasons * max(m, 1), 2 * H, 8), max(2, (T - H) // 3))
    n = T - L - H + 1
    if n < 4:
        return [float(y[-1])] * H
    X = y[np.arange(L)[None, :] + np.arange(n)[:, None]]
    last = X[:, -1:]
    Y = y[np.arange(H)[None, :] + (np.arange(n) + L)[:, None]] - last
    X = X - last
    s = float(np.std(np.diff(y))) or 1.0
    X, Y = X / s, Y / s
    W = np.linalg.solve(X.T @ X + 0.01 * lam * n * np.eye(L), X.T @ Y)
    return list((y[T - L:] - y[-1]) / s @ W * s + y[-1])


def two(f):
    return CS.mean([f["network"], f["network_2"]]) if "network_2" in f else f["network"]


def network_of(c):
    """The network forecast `fit` uses now: the mean of the two ensembles where the scale changed."""
    return two if getattr(c, "scale_change", 0) > 0.4 else CS.base("network")


def rules(stats):
    out = {"current": lambda c: CS.blend(stats, net=network_of(c))(c),
           "only linear": lambda c: c.test["linear"],
           "network = mean(network, linear)": lambda c: CS.blend(
               stats, net=lambda f: CS.mean([network_of(c)(f), f["linear"]]))(c)}
    return out


def rolling(seasons, lam):
    rows = {}
    for first, second, variant in RUNS:
        cases = CS.rolling_cases(R + first)
        for key, rs in CS.rolling_cases(R + second, variant).items():
            for (c, *_), (d, *_) in zip(cases.get(key, []), rs):
                c.val["network_2"], c.test["network_2"] = d.val["network"], d.test["network"]
        J = json.load(open(R + first))
        for d in J["variants"][0]["summary"]["datasets"]:
            key = (d["set"], d["file"])
            if key not in cases:
                continue
            for (c, *_), o in zip(cases[key], d["origins"]):
                y = CS.training_values(d, o["n_train"])
                shift = len(y) - o["n_train"]   # leading missing values dropped by the interpolation
                m = d.get("m") or 1
                c.test["linear"] = linear_forecast(y, d["H"], m, lam, seasons)
                c.val["linear"] = [linear_forecast(y[:p + shift], d["H"], m, lam, seasons)
                                   for p in o["dump"]["origins"][:len(c.val_actual)]]
        stats = [s for s in CS.STATS if s in next(iter(cases.values()))[0][0].test]
        for name, rule in rules(stats).items():
            sets, _ = CS.score_rolling(cases, rule)
            rows.setdefault(name, []).append(sets)
    print(f"{'rule':34s} {'bundled (seeds 42, 1, 2)':>26s} {'extra (seeds 42, 1, 2)':>26s}")
    for name, v in rows.items():
        print(f"{name:34s} " + " ".join(f"{s['bundled']:.4f}" for s in v) + "    " + " ".join(f"{s['extra']:.4f}" for s in v))


def m4(folder, second, seasons, lam):
    split, cases = CS.m4_cases(folder)
    for sid, c in CS.m4_cases(second)[1].items():
        cases[sid].val["network_2"], cases[sid].test["network_2"] = c.val.get("network", []), c.test["network"]
    for sid, c in cases.items():
        y = split["train"][sid]
        name = "".join(ch if ch.isalnum() else "_" for ch in sid)
        p = os.path.join(folder, "validation", name + ".json")
        origins = json.load(open(p))["origins"] if os.path.exists(p) else []
        c.test["linear"] = linear_forecast(y, 48, 24, lam, seasons)
        c.val["linear"] = [linear_forecast(y[:o], 48, 24, lam, seasons) for o in origins[:len(c.val_actual)]]
    stats = [s for s in CS.STATS if s in next(iter(cases.values())).test]
    for name, rule in rules(stats).items():
        print(f"M4 Hourly validation OWA, {name:34s} {CS.score_m4(split, cases, rule):.4f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--m4", metavar="DIR")
    ap.add_argument("--m4-second", metavar="DIR2")
    ap.add_argument("--lookback-seasons", type=int, default=8)
    ap.add_argument("--ridge", type=float, default=1.0)
    a = ap.parse_args()
    rolling(a.lookback_seasons, a.ridge)
    if a.m4:
        m4(a.m4, a.m4_second, a.lookback_seasons, a.ridge)


if __name__ == "__main__":
    main()
