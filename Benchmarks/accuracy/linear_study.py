#!/usr/bin/env python3
"""Sessions 33-34's study: a per-series linear autoregression mixed with the network (offline replay).

The model ("NLinear"-style, direct multi-horizon): for a history y of T points, lookback
L = min(max(K m, 2 H, 8), (T - H) // CAP) (m the seasonal period, K = `--lookback-seasons`, CAP =
`--cap`, 3), rounded down to whole seasons where L >= m (session 34; `--fractional-seasons` keeps
session 33's); every window of L + H points gives inputs y[i:i+L] - y[i+L-1] and targets
y[i+L:i+L+H] - y[i+L-1], both divided by the standard deviation of y's first differences; ridge
weights W (L x H) solve (X'X + 0.01 lam n I) W = X'Y over the n windows; the forecast is
(y[T-L:] - y[T-1]) W, scaled back, plus y[T-1] (`--log`: on log y for positive series). It is
fitted on the history before each validation origin and before the test origin.

Rules replayed (as combination_study.py, on its dumps, seeds 42, 1 and 2, with the window-scaled
ensemble as `fit` mixes it now): `current` (the networks alone); `only linear`; `network =
mean(network, linear)` (session 33's default: the blend then weighs that mean against the best
statistical model as it weighs the network now); `gated M` (the mean only where it validates no
worse than the networks, within M); `weighted P` (the linear share e_net^P / (e_net^P + e_lin^P)
from the validation errors: `weighted 1` is `fit`'s since session 34); `linear as statistical`.
`--show RULE` prints RULE's ratio per dataset beside `current`'s. With `--m4 DIR --m4-second DIR2`
also M4 Hourly validation OWA (dumps of `m4_hourly.py --validate --dump DIR`, default and
`FIT_ARGS=--window-scaling`).

    .venv-bench/bin/python Benchmarks/accuracy/linear_study.py [--lookback-seasons 6] [--show RULE]
        [--m4 DIR --m4-second DIR2]

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


LOG = False
WHOLE = True   # lookback in whole seasons (the default since session 34)


def linear_forecast(y, H, m, lam=1.0, seasons=8, cap=3):
    y = np.asarray(y, float)
    if LOG and len(y) and y.min() > 0:
        return list(np.exp(_linear(np.log(y), H, m, lam, seasons, cap)))
    return list(_linear(y, H, m, lam, seasons, cap))


def _linear(y, H, m, lam, seasons, cap):
    T = len(y)
    L = min(max(seasons * max(m, 1), 2 * H, 8), max(2, (T - H) // cap))
    if WHOLE and m > 1 and L >= m:
        L = max(L // m * m, 2)   # a whole number of seasons
    n = T - L - H + 1
    if n < 4:
        return np.array([float(y[-1])] * H)
    X = y[np.arange(L)[None, :] + np.arange(n)[:, None]]
    last = X[:, -1:]
    Y = y[np.arange(H)[None, :] + (np.arange(n) + L)[:, None]] - last
    X = X - last
    s = float(np.std(np.diff(y))) or 1.0
    X, Y = X / s, Y / s
    W = np.linalg.solve(X.T @ X + 0.01 * lam * n * np.eye(L), X.T @ Y)
    return (y[T - L:] - y[-1]) / s @ W * s + y[-1]


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
    mixed = lambda c: (lambda f: CS.mean([network_of(c)(f), f["linear"]]))

    def gated(margin):
        """The mean only where it validates no worse than the networks alone (within `margin`)."""
        def rule(c):
            net, mix = network_of(c), mixed(c)
            if c.val_actual and c.error(mix) > c.error(net) * (1 + margin):
                return CS.blend(stats, net=net)(c)
            return CS.blend(stats, net=mix)(c)
        return rule
    out["gated 0"] = gated(0.0)
    out["gated 0.05"] = gated(0.05)
    out["gated 0.1"] = gated(0.1)

    def weighted(p):
        """The linear share from the validation errors: (1/e_lin^p) / (1/e_net^p + 1/e_lin^p)."""
        def rule(c):
            net = network_of(c)
            if not c.val_actual:
                return CS.blend(stats, net=mixed(c))(c)
            a, b = c.error(net), c.error(CS.base("linear"))
            if not (math.isfinite(a) and math.isfinite(b)) or a + b == 0:
                w = 0.5
            else:
                w = a ** p / (a ** p + b ** p)
            return CS.blend(stats, net=lambda f: [w * l + (1 - w) * n for n, l in zip(net(f), f["linear"])])(c)
        return rule
    out["weighted 1"] = weighted(1.0)
    out["weighted 2"] = weighted(2.0)
    out["linear as statistical"] = lambda c: CS.blend(stats + ["linear"], net=mixed(c))(c)
    return out


def rolling(seasons, lam, cap=3, show=None):
    rows, perrows = {}, {}
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
                c.test["linear"] = linear_forecast(y, d["H"], m, lam, seasons, cap)
                c.val["linear"] = [linear_forecast(y[:p + shift], d["H"], m, lam, seasons, cap)
                                   for p in o["dump"]["origins"][:len(c.val_actual)]]
        stats = [s for s in CS.STATS if s in next(iter(cases.values()))[0][0].test]
        for name, rule in rules(stats).items():
            sets, per = CS.score_rolling(cases, rule)
            rows.setdefault(name, []).append(sets)
            for key, r in per.items():
                perrows.setdefault((name, key), []).append(r)
    print(f"{'rule':34s} {'bundled (seeds 42, 1, 2)':>26s} {'extra (seeds 42, 1, 2)':>26s}")
    for name, v in rows.items():
        print(f"{name:34s} " + " ".join(f"{s['bundled']:.4f}" for s in v) + "    " + " ".join(f"{s['extra']:.4f}" for s in v))
    for rule in show or []:
        print(f"\nper dataset, {rule} (seeds 42, 1, 2; in brackets `current`)")
        for (name, key), v in sorted(perrows.items(), key=lambda kv: kv[0][1]):
            if name == rule:
                cur = perrows[("current", key)]
                print(f"  {key[0]:8s} {key[1]:40s} " + " ".join(f"{x:.3f}" for x in v) + "   (" + " ".join(f"{x:.3f}" for x in cur) + ")")


def m4(folder, second, seasons, lam, cap=3):
    split, cases = CS.m4_cases(folder)
    for sid, c in CS.m4_cases(second)[1].items():
        cases[sid].val["network_2"], cases[sid].test["network_2"] = c.val.get("network", []), c.test["network"]
    for sid, c in cases.items():
        y = split["train"][sid]
        name = "".join(ch if ch.isalnum() else "_" for ch in sid)
        p = os.path.join(folder, "validation", name + ".json")
        origins = json.load(open(p))["origins"] if os.path.exists(p) else []
        c.test["linear"] = linear_forecast(y, 48, 24, lam, seasons, cap)
        c.val["linear"] = [linear_forecast(y[:o], 48, 24, lam, seasons, cap) for o in origins[:len(c.val_actual)]]
    stats = [s for s in CS.STATS if s in next(iter(cases.values())).test]
    for name, rule in rules(stats).items():
        print(f"M4 Hourly validation OWA, {name:34s} {CS.score_m4(split, cases, rule):.4f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--m4", metavar="DIR")
    ap.add_argument("--m4-second", metavar="DIR2")
    ap.add_argument("--lookback-seasons", type=int, default=8)
    ap.add_argument("--ridge", type=float, default=1.0)
    ap.add_argument("--cap", type=int, default=3, help="lookback at most (T - H) / CAP")
    ap.add_argument("--show", action="append", metavar="RULE", help="per-dataset ratios of RULE")
    ap.add_argument("--log", action="store_true", help="fit positive series on their logarithm")
    ap.add_argument("--fractional-seasons", action="store_true",
                    help="lookback not rounded down to whole seasons (session 33's)")
    a = ap.parse_args()
    global LOG, WHOLE
    LOG, WHOLE = a.log, not a.fractional_seasons
    rolling(a.lookback_seasons, a.ridge, a.cap, a.show)
    if a.m4:
        m4(a.m4, a.m4_second, a.lookback_seasons, a.ridge, a.cap)


if __name__ == "__main__":
    main()
