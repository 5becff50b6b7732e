#!/usr/bin/env python3
"""Offline study of how the combination's intervals are calibrated.

`fit` calibrates a series' intervals on the chosen forecast's absolute errors at the combination's
validation origins, pooled over the steps: the half-width at level l is the ceil((n+1)·l)-th
smallest of those n errors, times `Forecaster.selectionInflation`. This script replays calibration
rules on runs of `scripts/accuracy.py --dump-validation` (which store every candidate's forecasts at
`fit`'s origins and of the test block) and prints, per run and rule, the pooled coverage and the
Winkler score (scaled like MASE, mean per point) on the bundled and the extra series. The choice of
forecast is the one `fit` makes (`combination_study.py`'s `current` rule); only the widths change.
A bound is clipped at zero where the series' validation values are all >= 0, as `fit` clips a series
whose training values are.

Rules:
- `pooled`: the conformal quantile of the pooled errors, unwidened (before session 19);
- `inflate F`: that quantile times F;
- `growth P`: errors divided by ((h+1)/H)^P before pooling, the quantile multiplied back per step;
- `leave-one-out`: each origin's score comes from the forecast chosen on the other origins, so
  that no score is one the choice was made on.

    python3 Benchmarks/accuracy/interval_study.py RUN.json [RUN.json ...] [--markdown]

Stdlib only.
"""
import argparse, math, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import combination_study as cs  # noqa: E402


def chosen(case, target, ks=None):
    """The forecast `fit`'s rule (`combination_study.blend`, the `current` rule) makes on the
    validation origins `ks` (all by default), for the candidates' forecasts `target`: the test block's,
    or those at one validation origin, to score the choice there. (results/interval_study.md was
    made with the rule of sessions 5 to 21, `combination_study.two_stage`, which picked one.)"""
    ks = list(range(len(case.val_actual))) if ks is None else ks
    sub = cs.Case({c: [v[k] for k in ks] for c, v in case.val.items()}, [case.val_actual[k] for k in ks], target)
    return cs.blend(cs.STATS)(sub)


def rank(n, level):
    return max(0, min(n, math.ceil((n + 1) * level)) - 1)


def quantile(scores, level):
    s = sorted(x for x in scores if math.isfinite(x))
    return s[rank(len(s), level)] if s else float("nan")


def at(case, k):
    """Every candidate's forecast at validation origin `k`."""
    return {c: v[k] for c, v in case.val.items()}


def scores_of(case, k, ks=None, growth=None):
    """Absolute errors at origin `k` of the forecast chosen on the origins `ks` (all by default)."""
    f = chosen(case, at(case, k), ks)
    return [abs(a - f[h]) / (growth[h] if growth else 1) for h, a in enumerate(case.val_actual[k]) if a is not None]


def widths(case, level, rule):
    """Half-widths per test step of the series' interval at `level` under `rule` ((name, parameter))."""
    name, p = rule
    H, K = len(case.test["network"]), len(case.val_actual)
    if name in ("pooled", "inflate"):
        q = quantile([x for k in range(K) for x in scores_of(case, k)], level)
        return [q * (p if name == "inflate" else 1)] * H
    if name == "growth":
        g = [((h + 1) / H) ** p for h in range(H)]
        q = quantile([x for k in range(K) for x in scores_of(case, k, growth=g)], level)
        return [q * gh for gh in g]
    if name == "leave-one-out":
        s = []
        for k in range(K):
            rest = [j for j in range(K) if j != k]
            s += scores_of(case, k, rest or None)
        return [quantile(s, level)] * H
    raise ValueError(name)


def score(cases, rule):
    """{(set, level): (coverage %, Winkler per point)}."""
    tot = {}
    for (st, _), rows in cases.items():
        for case, actual, scale, _ in rows:
            point = chosen(case, case.test)
            nonneg = all(x >= 0 for r in case.val_actual for x in r if x is not None)
            for lv in (0.8, 0.95):
                t = tot.setdefault((st, lv), [0, 0, 0.0])
                for y, f, w in zip(actual, point, widths(case, lv, rule)):
                    if y is None:
                        continue
                    lo, hi = f - w, f + w
                    if nonneg:
                        lo, hi = max(lo, 0.0), max(hi, 0.0)
                    t[0] += lo <= y <= hi
                    t[1] += 1
                    t[2] += ((hi - lo) + (2 / (1 - lv)) * (lo - y if y < lo else y - hi if y > hi else 0)) / scale
    return {k: (100 * c / n, w / n) for k, (c, n, w) in tot.items()}


RULES = [("pooled", None)] + [("inflate", f) for f in (1.05, 1.1, 1.15, 1.2)] + \
        [("growth", p) for p in (0.3, 0.5)] + [("leave-one-out", None)]


def label(rule):
    return rule[0] if rule[1] is None else f"{rule[0]} {rule[1]}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="JSON of scripts/accuracy.py --dump-validation")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    a = ap.parse_args()
    cols = [(st, lv) for st in ("bundled", "extra") for lv in (0.8, 0.95)]
    if a.markdown:
        print("| run | rule | " + " | ".join(f"{st} {int(lv * 100)}% coverage / Winkler" for st, lv in cols) + " |")
        print("|---|---|" + "---|" * len(cols))
    for path in a.runs:
        cases = cs.rolling_cases(path)
        first = next(iter(cases.values()))[0][0]
        cs.STATS[:] = [s for s in ["seasonal_naive", "theta", "damped_ets", "holt_winters", "auto_ets",
                                   "seasonal_median"] if s in first.test]
        if not a.markdown:
            print("==", os.path.basename(path))
        for rule in RULES:
            r = score(cases, rule)
            cells = [f"{r[c][0]:.1f}% / {r[c][1]:.3f}" if c in r else "-" for c in cols]
            if a.markdown:
                print(f"| {os.path.basename(path)} | {label(rule)} | " + " | ".join(cells) + " |")
            else:
                print(f"  {label(rule):16s} " + "  ".join(f"{c:>16s}" for c in cells))


if __name__ == "__main__":
    main()
