#!/usr/bin/env python3
"""Offline study (session 27): intervals that use the ensemble members' spread with the conformal scores.

The runs (`results/rolling_all_study_s27_spread*.json`, seeds 42, 1 and 2) were made with
`study-patches/s27_member_spread.patch` applied (no environment variable: the patch only adds to the
dumps) and `scripts/accuracy.py --set all --dump-validation`: besides every candidate's forecasts at
`fit`'s validation origins, each dump holds half the range of the two members' forecasts per step
at those origins (`network_spread`, from the cross-validation refits, as the
network's forecasts there) and at the test origin (`network_spread_test`, from the final model). The
point forecasts are the default's, exactly.

Each rule maps the calibration evidence to a half-width per test step; the choice of forecast is
`fit`'s (`interval_study.chosen`), w its statistical model's share, s the members' half-range:
- `conformal × 1.15`: the conformal quantile of the chosen forecast's errors at the origins, times
  1.15 (`fit` before session 27);
- `quadrature L`: that half-width and L × z × (1 − w) × s added in quadrature, z the normal quantile of
  the level (`fit` since session 27 with L = 2: for two members, z times their distance apart);
- `normalised L`: conformal scores divided by (1 − w) × s + L × the median s over the origins, their
  quantile × 1.15 multiplied back by the test step's (normalised conformal prediction).

Printed per run: pooled coverage and the Winkler score (scaled like MASE, mean per origin, as
`scripts/accuracy.py` reports it: the replay of the adopted rule on seed 42 gives the committed
`results/rolling_all.md` coverage exactly and its Winkler scores to 0.003, the replay clipping at
zero where the validation values, not all training values, are non-negative) at 80% and 95% on the bundled and the extra series, then the mean
over the runs.

    python3 Benchmarks/accuracy/spread_study.py [RUN.json ...]
    python3 Benchmarks/accuracy/spread_study.py --point [RUN.json ...]

`--point` replays a use of the spread for the point forecast instead: the network's share of the
blend cut by (mean spread at the test origin / mean spread at the validation origins)^-p where that
ratio exceeds 1 (geometric-mean MASE ratios vs seasonal naive, bundled/extra, per run and mean;
p = 0 reproduces the default).

Stdlib only.
"""
import json, math, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import combination_study as cs  # noqa: E402
import interval_study as I  # noqa: E402

RUNS = [os.path.join(HERE, "results", f"rolling_all_study_s27_spread{s}.json") for s in ("", "_seed1", "_seed2")]
Z = {0.8: 1.2815515655446004, 0.95: 1.959963984540054}


def load(path):
    """{(set, file): [(case, actual, scale, spreads at the origins, spread at the test origin)]}."""
    out = {}
    for d in json.load(open(path))["variants"][0]["summary"]["datasets"]:
        if "error" in d or not d.get("mase_snaive"):
            continue
        rows = []
        for o in d["origins"]:
            f = dict(o["dump"]["forecasts"])
            spread, test = f.pop("network_spread"), f.pop("network_spread_test")[0]
            rows.append((cs.Case(f, o["dump"]["actual"], o["forecasts"]), o["actual"], o["scale"], spread, test))
        out[(d["set"], d["file"])] = rows
    return out


def stat_share(case):
    """The statistical model's share of `fit`'s forecast (`combination_study.blend`'s weight)."""
    if not case.val_actual:
        return 0.0
    best, e = cs.best_stat(case, cs.STATS)
    net = cs.base("network")
    a, b = case.error(net), e[best]
    m = case.error(lambda f: cs.mean([net(f), f[best]]))
    finite = [x for x in (a, b, m) if math.isfinite(x)]
    if not math.isfinite(b) or not finite:
        return 0.0
    if not math.isfinite(a):
        return 1.0
    lo = min(finite)
    W = lambda x: 0.0 if not math.isfinite(x) else 1.0 if x <= lo else (lo / x) ** 32.0
    wa, wb, wm = W(a), W(b), W(m)
    w = (wb + wm / 2) / (wa + wb + wm)
    return 0.0 if w < 0.01 else 1.0 if w > 0.99 else w


def widths(case, spread, test, level, rule):
    name, lam = rule
    K = len(case.val_actual)
    conformal = I.quantile([x for k in range(K) for x in I.scores_of(case, k)], level) * 1.15
    share = 1 - stat_share(case)
    if name == "conformal":
        return [conformal] * len(test)
    if name == "quadrature":
        return [math.sqrt(conformal ** 2 + (lam * Z[level] * share * s) ** 2) for s in test]
    pooled = sorted(x for k in range(K) for x in spread[k])
    eps = lam * pooled[len(pooled) // 2] if pooled else 0.0
    norm = lambda s: share * s + eps
    scores = []
    for k in range(K):
        f = I.chosen(case, I.at(case, k))
        for h, a in enumerate(case.val_actual[k]):
            if a is not None:
                e, d = abs(a - f[h]), norm(spread[k][h])
                scores.append(e / d if d > 0 else 0.0 if e == 0 else math.inf)
    q = I.quantile(scores, level) * 1.15
    return [q * norm(s) for s in test]


def score(cases, rule):
    """{(set, level): (coverage %, Winkler score)}: coverage pooled over every scored point, the
    Winkler score scaled like MASE and averaged per origin, then over origins, as
    `scripts/accuracy.py` reports them."""
    tot = {}
    for (st, _), rows in cases.items():
        for case, actual, scale, spread, test in rows:
            point = I.chosen(case, case.test)
            nonneg = all(x >= 0 for r in case.val_actual for x in r if x is not None)
            for lv in (0.8, 0.95):
                t = tot.setdefault((st, lv), [0, 0, []])
                covered = n = 0
                winkler = 0.0
                for y, f, w in zip(actual, point, widths(case, spread, test, lv, rule)):
                    if y is None:
                        continue
                    lo, hi = f - w, f + w
                    if nonneg:
                        lo, hi = max(lo, 0.0), max(hi, 0.0)
                    covered += lo <= y <= hi
                    n += 1
                    winkler += (hi - lo) + (2 / (1 - lv)) * (lo - y if y < lo else y - hi if y > hi else 0)
                t[0] += covered
                t[1] += n
                t[2].append(winkler / max(1, n) / scale)
    return {k: (100 * c / n, sum(w) / len(w)) for k, (c, n, w) in tot.items()}


RULES = [("conformal", None)] + [("quadrature", l) for l in (1.0, 1.5, 2.0, 3.0)] + \
        [("normalised", l) for l in (0.5, 1.0, 2.0, 4.0, 8.0)]
COLS = [(st, lv) for st in ("bundled", "extra") for lv in (0.8, 0.95)]


def label(rule):
    return "conformal x 1.15" if rule[1] is None else f"{rule[0]} {rule[1]:g}"


def spread_aware_point(path, p):
    """{(set, file): MASE ratio} of `fit`'s forecast with the network's share cut where its members
    disagree more at the test origin than at the validation origins: by (ratio of mean spreads)^-p
    when that ratio exceeds 1 (p = 0 is `fit`'s forecast)."""
    d = {(x["set"], x["file"]): x for x in json.load(open(path))["variants"][0]["summary"]["datasets"]}
    out = {}
    for key, rows in load(path).items():
        err = 0.0
        for case, actual, scale, spread, test in rows:
            fc = I.chosen(case, case.test)
            w = stat_share(case)
            if p > 0 and case.val_actual and w < 1:
                best, _ = cs.best_stat(case, cs.STATS)
                pooled = [x for k in range(len(spread)) for x in spread[k]]
                before = sum(pooled) / len(pooled) if pooled else 0.0
                ratio = (sum(test) / len(test)) / before if before > 0 else 1.0
                if ratio > 1:
                    w = 1 - (1 - w) * ratio ** -p
                    fc = [w * b + (1 - w) * a for a, b in zip(case.test["network"], case.test[best])]
            err += cs.mae(actual, fc) / scale
        snaive = sum(o["mase_snaive"] for o in d[key]["origins"]) / len(d[key]["origins"])
        out[key] = err / len(rows) / snaive
    return out


def main():
    if "--point" in sys.argv:
        # The point forecast: the network trusted less where its members disagree more than usual.
        runs = [a for a in sys.argv[1:] if a != "--point"] or RUNS
        for p in (0, 0.5, 1, 2):
            cells = []
            for path in runs:
                per = spread_aware_point(path, p)
                cells.append(tuple(cs.geomean([v for k, v in per.items() if k[0] == st]) for st in ("bundled", "extra")))
            print(f"  p = {p:<4g} " + "  ".join(f"{b:.4f}/{e:.4f}" for b, e in cells)
                  + f"   mean {sum(b for b, _ in cells) / len(cells):.4f}/{sum(e for _, e in cells) / len(cells):.4f}")
        return
    runs = sys.argv[1:] or RUNS
    head = "  ".join(f"{st} {int(lv * 100)}%: cover / Winkler" for st, lv in COLS)
    means = {}
    for path in runs:
        cases = load(path)
        print(f"== {os.path.basename(path)}\n  {'rule':18s} {head}")
        for rule in RULES:
            r = score(cases, rule)
            means.setdefault(label(rule), []).append(r)
            print(f"  {label(rule):18s} " + "  ".join(f"{r[c][0]:9.1f}% / {r[c][1]:7.3f}" for c in COLS))
    if len(runs) > 1:
        print(f"== mean over the {len(runs)} runs\n  {'rule':18s} {head}")
        for name, rs in means.items():
            print(f"  {name:18s} " + "  ".join(
                f"{sum(r[c][0] for r in rs) / len(rs):9.1f}% / {sum(r[c][1] for r in rs) / len(rs):7.3f}" for c in COLS))


if __name__ == "__main__":
    main()
