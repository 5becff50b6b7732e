#!/usr/bin/env python3
"""Offline study of combination rules from what `fit`'s combination actually saw.

Inputs (either or both):
- a rolling-origin run made with `scripts/accuracy.py --dump-validation` (its JSON): per dataset and
  test origin, every candidate's forecasts at the validation origins of `fit` (the network's from
  its cross-validation fits, exactly as the combination scored them) and every candidate's
  forecast of the test block;
- `--m4 DIR`, a folder written by `Benchmarks/accuracy/m4_hourly.py --validate --dump DIR` (the
  same for the 414 M4 Hourly series, scored with the shared M4 scorer).

Each rule maps the candidates' forecasts at the validation origins to a forecast of the test block.
A rule is replayed exactly as `fit` would run it, so the rule that beats the current one on the
bundled series, the extra series and M4 Hourly at once can move into `Combination.swift` without
refitting anything. `current` replays the rule `fit` uses now (`blend`, since session 22), `pick
(before session 22)` the one before; on a run made with a rule, its replay matches the run's scores.

    python3 Benchmarks/accuracy/combination_study.py RUN.json [--m4 DIR] [--show RULE]

Stdlib only for the rolling run; `--m4` needs numpy (run with .venv-bench/bin/python).
"""
import argparse, itertools, json, math, os, sys

STATS = ["seasonal_naive", "theta", "damped_ets", "holt_winters", "auto_ets", "seasonal_median"]


def mae(actual, forecast):
    p = [(a, f) for a, f in zip(actual, forecast) if a is not None and not (isinstance(a, float) and math.isnan(a))]
    return sum(abs(a - f) for a, f in p) / len(p) if p else 0.0


def mean(fs, w=None):
    w = w or [1.0] * len(fs)
    return [sum(wi * f[h] for wi, f in zip(w, fs)) / sum(w) for h in range(len(fs[0]))]


def median(fs):
    out = []
    for h in range(len(fs[0])):
        v = sorted(f[h] for f in fs)
        n = len(v)
        out.append(v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2)
    return out


class Case:
    """One series at one test origin: base candidates' forecasts at the validation origins
    (`val[c][k]`, newest first, with `val_actual[k]`) and of the test block (`test[c]`)."""

    def __init__(self, val, val_actual, test):
        self.val, self.val_actual, self.test = val, val_actual, test

    def error(self, derive, origins=None, agg=None):
        """Mean absolute error of a derived candidate over the validation origins (all, or the newest
        `origins`); `agg` maps the per-origin errors to one number instead of their mean."""
        ks = range(len(self.val_actual) if origins is None else min(origins, len(self.val_actual)))
        errs = [mae(self.val_actual[k], derive({c: v[k] for c, v in self.val.items()})) for k in ks]
        if not errs:
            return float("inf")
        return agg(errs) if agg else sum(errs) / len(errs)


def base(name):
    return lambda f: f[name]


def best_stat(case, stats, agg=None):
    """The statistical model of smallest validation error (ties: the listed order) and the errors."""
    e = {s: case.error(base(s), agg=agg) for s in stats}
    best = stats[0]
    for s in stats:
        if e[s] < e[best] * (1 - 1e-9):
            best = s
    return best, e


def two_stage(stats, mix=True, origins=None, combo=None, net=None):
    """`fit`'s rule from session 5 to 21: the best of `stats` (and of the derived candidates `combo`),
    then the network (`net`, default the run's own), it or their mean, whichever has the smallest
    validation error (on all origins, or the newest `origins`)."""
    net = net or base("network")

    def rule(case):
        if not case.val_actual:
            return net(case.test)
        cands = {s: base(s) for s in stats}
        if combo:
            cands.update(combo)
        e = {s: case.error(d, origins) for s, d in cands.items()}
        best = stats[0] if stats else min(e, key=e.get)
        for s in cands:
            if e[s] < e[best] * (1 - 1e-9):
                best = s
        a, b = case.error(net, origins), e[best]
        mixed = lambda f: mean([net(f), cands[best](f)])
        m = case.error(mixed, origins) if mix else float("inf")
        if b < a * (1 - 1e-9) and b <= m:
            return cands[best](case.test)
        return mixed(case.test) if m < a * (1 - 1e-9) else net(case.test)
    return rule


def blend(stats, p=32.0, snap=0.01, net=None, agg=None):
    """`fit`'s rule since session 22 (`Forecaster.blendWeight`): the network, the best of `stats`
    and their mean each weighted (smallest validation error / its error)^p; the statistical
    model's share is the best's weight plus half the mean's, snapped to 0 or 1 within `snap`."""
    net = net or base("network")

    def rule(case):
        if not case.val_actual:
            return net(case.test)
        best, e = best_stat(case, stats, agg)
        a, b = case.error(net, agg=agg), e[best]
        m = case.error(lambda f: mean([net(f), f[best]]), agg=agg)
        finite = [x for x in (a, b, m) if math.isfinite(x)]
        if not math.isfinite(b) or not finite:
            return net(case.test)
        if not math.isfinite(a):
            return case.test[best]
        lo = min(finite)
        W = lambda x: 0.0 if not math.isfinite(x) else 1.0 if x <= lo else (lo / x) ** p
        wa, wb, wm = W(a), W(b), W(m)
        w = (wb + wm / 2) / (wa + wb + wm)
        w = 0.0 if w < snap else 1.0 if w > 1 - snap else w
        if w in (0.0, 1.0):
            return case.test[best] if w == 1.0 else net(case.test)
        return [w * s + (1 - w) * n for n, s in zip(net(case.test), case.test[best])]
    return rule


def fit_rule(stats, net=None):
    """The rule `fit` used up to session 21 (picking the smallest validation error), with the
    statistical pool `stats` and the network `net` (default the run's own): the studies of
    candidates_study.py and validation_study.py compare against it, on runs made with it. `blend`
    is `fit`'s rule now."""
    return two_stage(stats, net=net)


def rules():
    R = {}

    R["current"] = blend(STATS)
    R["pick (before session 22)"] = two_stage(STATS)
    R["blend 16"] = blend(STATS, p=16.0)
    R["blend 64"] = blend(STATS, p=64.0)
    # The per-origin errors summarised otherwise than by their mean (session 23): one origin's level
    # shift weighs less under a geometric mean, a median or dropping the worst origin.
    def drop_worst(e):
        v = sorted(e)
        return sum(v[:-1]) / (len(v) - 1) if len(v) > 2 else sum(v) / len(v)
    R["blend, geometric mean of origins"] = blend(STATS, agg=lambda e: math.exp(sum(math.log(max(x, 1e-12)) for x in e) / len(e)))
    R["blend, median of origins"] = blend(STATS, agg=lambda e: median([[x] for x in e])[0])
    R["blend, RMS of origins"] = blend(STATS, agg=lambda e: math.sqrt(sum(x * x for x in e) / len(e)))
    R["blend, worst origin dropped"] = blend(STATS, agg=drop_worst)

    # Sharper or softer with the number of validation points (session 24): short series blend more.
    def blend_by_count(pfun):
        # `blend` itself forecasts with the network when there is no validation origin.
        return lambda case: blend(STATS, p=pfun(sum(len(a) for a in case.val_actual)))(case)
    R["blend, sharpness min(32, n)"] = blend_by_count(lambda n: min(32.0, float(n)))
    R["blend, sharpness min(32, n/2)"] = blend_by_count(lambda n: min(32.0, n / 2))
    R["blend, sharpness min(32, n/4)"] = blend_by_count(lambda n: min(32.0, n / 4))
    for low in (4.0, 8.0, 16.0):
        R[f"blend, sharpness {low:g} below 40 points"] = blend_by_count(lambda n, low=low: low if n < 40 else 32.0)

    def hedged(margin):
        """`current`, but the network and the best statistical model are averaged whenever the
        winner's validation error is within `margin` (relative) of the other's: a near tie on four
        origins says little about which is better, and the mean of two near-equal forecasts is
        usually better than either."""
        def rule(case):
            if not case.val_actual:
                return case.test["network"]
            best, e = best_stat(case, STATS)
            a, b = case.error(net), e[best]
            mixed = lambda f: mean([f["network"], f[best]])
            m = case.error(mixed)
            if abs(a - b) <= margin * min(a, b) or m < min(a, b) * (1 - 1e-9):
                return mixed(case.test)
            return case.test[best] if b < a else case.test["network"]
        return rule

    net = base("network")
    for margin in (0.02, 0.05, 0.1, 0.2):
        R[f"hedged {margin}"] = hedged(margin)
    R["only network"] = lambda c: c.test["network"]
    for s in STATS:
        R["only " + s] = (lambda s: lambda c: c.test[s])(s)
    smooth = ["theta", "damped_ets", "auto_ets"]
    R["only mean(theta,damped,auto)"] = lambda c: mean([c.test[s] for s in smooth])
    R["only median(5 stats)"] = lambda c: median([c.test[s] for s in STATS])
    combos = {
        "mean3": lambda f: mean([f[s] for s in smooth]),
        "median5": lambda f: median([f[s] for s in STATS]),
        "mean4": lambda f: mean([f[s] for s in ["theta", "damped_ets", "auto_ets", "holt_winters"]]),
    }
    for name, d in combos.items():
        R[f"two-stage +{name}"] = two_stage(STATS, combo={name: d})
    R["two-stage +mean3 +median5"] = two_stage(STATS, combo={k: combos[k] for k in ("mean3", "median5")})
    for n in (2, 3):
        R[f"current last{n}"] = two_stage(STATS, origins=n)

    def pick(derived, origins=None):
        def rule(case):
            if not case.val_actual:
                return case.test["network"]
            e = {n: case.error(d, origins) for n, d in derived.items()}
            best = min(derived, key=lambda n: e[n])
            return derived[best](case.test)
        return rule

    net = base("network")
    everything = {"network": net}
    everything.update({s: base(s) for s in STATS})
    for s in STATS:
        everything[f"net+{s}"] = (lambda s: lambda f: mean([f["network"], f[s]]))(s)
    R["pick all pairs with net"] = pick(everything)
    e2 = dict(everything)
    e2["mean3"] = combos["mean3"]
    e2["net+mean3"] = lambda f: mean([f["network"], combos["mean3"](f)])
    R["pick all pairs + mean3"] = pick(e2)

    def top_k(k, pool, origins=None, weighted=False):
        def rule(case):
            if not case.val_actual:
                return case.test["network"]
            e = {n: case.error(base(n), origins) for n in pool}
            order = sorted(pool, key=lambda n: e[n])[:k]
            w = [1 / max(e[n], 1e-12) for n in order] if weighted else None
            return mean([case.test[n] for n in order], w)
        return rule

    pool = ["network"] + STATS
    for k in (2, 3):
        R[f"top{k} mean"] = top_k(k, pool)
        R[f"top{k} inv-MAE"] = top_k(k, pool, weighted=True)

    def net_vs_stat_weights(case):
        """Network and mean3 blended by inverse validation error."""
        if not case.val_actual:
            return case.test["network"]
        a, b = case.error(net), case.error(combos["mean3"])
        w = a / (a + b) if a + b > 0 else 0.5
        return [w * s + (1 - w) * n for n, s in zip(case.test["network"], combos["mean3"](case.test))]
    R["inv-MAE net,mean3"] = net_vs_stat_weights

    def soft(p, pool_all):
        """Weights (smallest error / error)^p over the network and every statistical model
        (`pool_all`), or over the network, the best statistical model and their mean: selection as
        p grows, an equal mean at p = 0."""
        def rule(case):
            if not case.val_actual:
                return case.test["network"]
            cands = {"network": net, **{s: base(s) for s in STATS}}
            e = {n: case.error(d) for n, d in cands.items()}
            if not pool_all:
                best = min(STATS, key=lambda s: e[s])
                cands = {"network": net, best: cands[best], "mix": lambda f: mean([f["network"], f[best]])}
                e["mix"] = case.error(cands["mix"])
            lo = min(e[n] for n in cands)
            return mean([cands[n](case.test) for n in cands], [(lo / max(e[n], 1e-12)) ** p for n in cands])
        return rule
    for p in (2, 8, 32):
        R[f"soft {p} all"] = soft(p, True)
        R[f"soft {p} net,best,mix"] = soft(p, False)

    def bagged(jack=False):
        """`current` averaged over resamplings of the validation origins (session 27): each bootstrap
        draw of them (every multiset of n origins, weighted by its multinomial count), or each set
        that leaves one out (`jack`), gives its own forecast by `current`; the forecast is their
        weighted mean, so a choice that rests on one origin weighs less."""
        def rule(case):
            n = len(case.val_actual)
            if n < 2:
                return R["current"](case)
            if jack:
                draws = [([k for k in range(n) if k != j], 1.0) for j in range(n)]
            else:
                draws = [(list(c), math.factorial(n) / math.prod(math.factorial(c.count(k)) for k in set(c)))
                         for c in itertools.combinations_with_replacement(range(n), n)]
            fs, ws = [], []
            for idx, w in draws:
                sub = Case({c: [v[i] for i in idx] for c, v in case.val.items()}, [case.val_actual[i] for i in idx], case.test)
                fs.append(R["current"](sub))
                ws.append(w)
            return mean(fs, ws)
        return rule
    R["current, bagged over bootstrap draws of the origins"] = bagged()
    R["current, bagged over leave-one-out origins"] = bagged(jack=True)

    def by_segment(n, own_best):
        """`current` run separately on `n` consecutive parts of the horizon (session 29): each part's
        blend weight from the validation errors at those steps only, with the best statistical model
        chosen on the whole horizon, or per part (`own_best`); a network better at the first steps
        and a statistical model at the last would then each forecast their part."""
        def rule(case):
            if not case.val_actual:
                return case.test["network"]
            H = len(case.test["network"])
            bounds = [round(i * H / n) for i in range(n + 1)]
            pool = STATS if own_best else [best_stat(case, STATS)[0]]
            out = []
            for a, b in zip(bounds, bounds[1:]):
                sub = Case({c: [f[a:b] for f in v] for c, v in case.val.items()},
                           [x[a:b] for x in case.val_actual], {c: v[a:b] for c, v in case.test.items()})
                out += blend(pool)(sub)
            return out
        return rule
    for n in (2, 3):
        R[f"current per {n} parts of the horizon"] = by_segment(n, False)
        R[f"current per {n} parts, best per part"] = by_segment(n, True)

    def stat_origins(n):
        """`current`, with the statistical model chosen on up to `n` origins: the four the network
        is scored on and the older ones of a FORECAST_STUDY_STATORIGINS dump (session 31; on other
        dumps the same as `current`). The blend weight still compares the four shared origins."""
        def rule(case):
            older = getattr(case, "older_actual", [])
            if not case.val_actual or not older:
                return R["current"](case)
            k = max(0, min(n - len(case.val_actual), len(older)))
            joined = Case({c: v + case.older.get(c, [])[:k] for c, v in case.val.items() if c in STATS},
                          case.val_actual + older[:k], case.test)
            best, _ = best_stat(joined, STATS)
            return blend([best])(case)
        return rule
    for n in (6, 8, 12, 16):
        R[f"current, statistical model on {n} origins"] = stat_origins(n)
    return R


def rolling_cases(path, variant=0):
    """{(set, file): [(case, actual, scale, snaive_mase)]} from an accuracy.py --dump-validation run
    (its first variant, or the `variant`-th: one per seed of a SEEDS run)."""
    J = json.load(open(path))
    out = {}
    for d in J["variants"][variant]["summary"]["datasets"]:
        if "error" in d or not d.get("mase_snaive"):
            continue
        rows = []
        for o in d["origins"]:
            if "dump" not in o or "forecasts" not in o:
                rows = None
                break
            dump = o["dump"]
            # Only the candidates (study dumps may add other series, such as the members' spread).
            val = {c: v for c, v in dump["forecasts"].items() if c in o["forecasts"]}
            case = Case(val, dump["actual"], o["forecasts"])
            # Study dumps made with FORECAST_STUDY_STATORIGINS (session 31) add the statistical
            # models' forecasts at older origins, as "x_<model>" with "x_actual".
            case.older_actual = dump["forecasts"].get("x_actual", [])
            case.older = {c[2:]: v for c, v in dump["forecasts"].items() if c.startswith("x_") and c != "x_actual"}
            case.scale_change = scale_change(training_values(d, o["n_train"]), d.get("m") or 1)
            rows.append((case, o["actual"], o["scale"], o["mase_snaive"]))
        if rows:
            out[(d["set"], d["file"])] = rows
    return out


def scale_change(y, m):
    """`Forecaster.scaleChange`: |log| of the ratio of the mean absolute deviations of the lag-m
    differences from their mean, last quarter over first (lag 1 unless y holds more than 3 m)."""
    y = [v for v in y if v == v]
    lag = m if len(y) > 3 * m else 1
    if len(y) <= lag:
        return 0.0
    d = [y[i] - y[i - lag] for i in range(lag, len(y))]
    q = max(1, len(d) // 4)

    def dev(part):
        mu = sum(part) / len(part)
        return sum(abs(x - mu) for x in part) / len(part)
    a, b = dev(d[:q]), dev(d[-q:])
    if a == 0 and b == 0:
        return 0.0
    if a == 0 or b == 0:
        return float("inf")
    return abs(math.log(b / a))


def training_values(d, n_train):
    """The first n_train values of a rolling run's dataset as `fit --fill interpolate` reads them:
    missing values inside linearly interpolated, missing ones at either end left out."""
    import csv
    here = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(here, "..", "..", "datasets") if d["set"] == "bundled" \
        else os.path.join(here, "..", "..", "..", "shared", "datasets-extra")
    rows = list(csv.DictReader(open(os.path.join(folder, d["file"]))))[:n_train]
    column = d.get("target") if d.get("target") in rows[0] else list(rows[0])[-1]
    y = []
    for r in rows:
        try:
            y.append(float(r[column]))
        except ValueError:
            y.append(float("nan"))
    seen = [i for i, v in enumerate(y) if v == v]
    for a, b in zip(seen, seen[1:]):
        for i in range(a + 1, b):
            y[i] = y[a] + (y[b] - y[a]) * (i - a) / (b - a)
    return y[seen[0]:seen[-1] + 1] if seen else []


def geomean(xs):
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def score_rolling(cases, rule):
    per = {}
    for key, rows in cases.items():
        net = sum(mae(a, rule(c)) / s for c, a, s, _ in rows) / len(rows)
        sn = sum(m for *_, m in rows) / len(rows)
        per[key] = net / sn
    sets = {}
    for (st, f), r in per.items():
        sets.setdefault(st, []).append(r)
    return {st: geomean(v) for st, v in sets.items()}, per


def m4_cases(folder):
    split = json.load(open(os.path.join(folder, "split.json")))
    test = json.load(open(os.path.join(folder, "test_forecasts.json")))
    cases = {}
    for sid in split["test"]:
        name = "".join(ch if ch.isalnum() else "_" for ch in sid)
        p = os.path.join(folder, "validation", name + ".json")
        val = json.load(open(p)) if os.path.exists(p) else {"forecasts": {}, "actual": []}
        cases[sid] = Case(val["forecasts"], val["actual"], {c: v[sid] for c, v in test.items()})
        cases[sid].scale_change = scale_change(split["train"][sid], 24)
    return split, cases


def score_m4(split, cases, rule):
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "..", "shared", "benchmarks", "m4-hourly"))
    import numpy as np
    import m4metrics as M
    ids = list(split["test"])
    train = {s: np.asarray(split["train"][s]) for s in ids}
    test = {s: np.asarray(split["test"][s]) for s in ids}
    fc = {s: np.asarray(rule(cases[s])) for s in ids}
    n2 = {s: M.naive2(train[s], 48, 24)[0] for s in ids}
    sm, ms, _ = M.score(ids, train, test, fc, 24)
    sm2, ms2, _ = M.score(ids, train, test, n2, 24)
    return M.owa(sm, ms, sm2, ms2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="JSON of scripts/accuracy.py --dump-validation")
    ap.add_argument("--m4", metavar="DIR", help="folder of m4_hourly.py --validate --dump DIR")
    ap.add_argument("--show", action="append", default=[], help="print per-dataset ratios of RULE")
    ap.add_argument("--second", metavar="RUN2", help="a second --dump-validation run of the same series and seed, "
                    "whose network is offered as a second one (rules 'second network', 'mean of the two networks')")
    ap.add_argument("--variant", type=int, default=0, help="the variant (seed) of RUN to replay")
    ap.add_argument("--second-variant", type=int, default=0, help="the variant (seed) of RUN2")
    ap.add_argument("--m4-second", metavar="DIR2", help="a second M4 dump (as --m4) whose network is the second one")
    a = ap.parse_args()
    cases = rolling_cases(a.run, a.variant)
    m4 = m4_cases(a.m4) if a.m4 else None
    if m4 and a.m4_second:
        for sid, c in m4_cases(a.m4_second)[1].items():
            m4[1][sid].val["network_2"], m4[1][sid].test["network_2"] = c.val.get("network", []), c.test["network"]
    # Runs made before a candidate existed (seasonal_median came in session 8) replay without it.
    first = next(iter(cases.values()))[0][0] if cases else next(iter(m4[1].values()))
    STATS[:] = [s for s in STATS if s in first.test]
    R = rules()
    if a.second:
        # The second run's network joins each case as "network_2"; the statistical forecasts are the
        # first run's (the same code gives the same ones).
        for key, rows in rolling_cases(a.second, a.second_variant).items():
            for (c, *_), (d, *_) in zip(cases.get(key, []), rows):
                c.val["network_2"], c.test["network_2"] = d.val["network"], d.test["network"]
    if a.second or a.m4_second:
        two = lambda f: mean([f["network"], f["network_2"]]) if "network_2" in f else f["network"]
        R["current, second network"] = blend(STATS, net=lambda f: f.get("network_2", f["network"]))
        R["current, mean of the two networks"] = blend(STATS, net=two)
        R["only mean of the two networks"] = lambda c: two(c.test)
        # Session 32: the mean of the two only where the series' scale changed (`scale_change`
        # above T on the data given to fit), as `fit` now does with its window-scaled members.
        for t in (0.2, 0.3, 0.4, 0.5):
            R[f"current, scale change above {t}"] = lambda c, t=t: blend(
                STATS, net=two if getattr(c, "scale_change", 0) > t else base("network"))(c)
        scaled = lambda c: two if getattr(c, "scale_change", 0) > 0.4 else base("network")

        # Session 33: more derived candidates beside the network, the best statistical model and
        # their mean, weighted as `blend` weighs its three ((smallest error / error)^32).
        def wider(extra):
            def rule(c):
                if not c.val_actual:
                    return c.test["network"]
                net = scaled(c)
                e = {s: c.error(base(s)) for s in STATS}
                b1, b2 = sorted(STATS, key=lambda s: e[s])[:2]
                cands = {"net": net, "best": base(b1), "mix": lambda f: mean([net(f), f[b1]]),
                         "median3": lambda f: median([net(f), f[b1], f[b2]]),
                         "mean3": lambda f: mean([net(f), f[b1], f[b2]]),
                         "stat2": lambda f: mean([f[b1], f[b2]])}
                cands = {k: d for k, d in cands.items() if k in ("net", "best", "mix") + extra}
                err = {k: c.error(d) for k, d in cands.items()}
                lo = min(err.values())
                w = [1.0 if err[k] <= lo else (lo / err[k]) ** 32 for k in cands]
                return mean([d(c.test) for d in cands.values()], w)
            return rule
        for extra in (("median3",), ("mean3",), ("stat2",)):
            R[f"current, also {extra[0]}"] = wider(extra)

        # Session 33: the network or the mean of the two chosen per series on the validation
        # origins (the window-scaled members trained on every series), where the scale did not change.
        def per_series(margin):
            def rule(c):
                if getattr(c, "scale_change", 0) > 0.4 or not c.val_actual or "network_2" not in c.val:
                    return blend(STATS, net=scaled(c))(c)
                a, m = c.error(base("network")), c.error(two)
                return blend(STATS, net=two if m < a * (1 - margin) else base("network"))(c)
            return rule
        for margin in (0.05, 0.1):
            R[f"current, else the two networks if {margin} better"] = per_series(margin)
    print(f"{'rule':34s} {'bundled':>8s} {'extra':>8s} {'M4 OWA':>8s}")
    for name, rule in R.items():
        sets, per = score_rolling(cases, rule)
        owa = score_m4(*m4, rule) if m4 else float("nan")
        print(f"{name:34s} {sets.get('bundled', float('nan')):8.4f} {sets.get('extra', float('nan')):8.4f} {owa:8.4f}")
        if name in a.show:
            for (st, f), r in sorted(per.items()):
                print(f"    {st:8s} {f:45s} {r:.3f}")


if __name__ == "__main__":
    main()
