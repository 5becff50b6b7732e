#!/usr/bin/env python3
"""Session 26's replays: the point forecast as a median (MASE scores absolute errors, so the best
point forecast is the median of what may happen, not its mean).

On the blocks of session 25's three-seed run with dumps (`results/rolling_all_study_s25_half_refit_seeds.json`,
whose blocks alone reproduce the default exactly; see half_origins_study.py), the default rule
(`combination_study.blend`) is replayed with:
- every candidate shifted by the median of its residuals at the validation origins (pooled over the
  steps or per step; each origin scored with the shift of the other origins, or in sample; or half
  the shift), before the combination chooses;
- the combination's forecast shifted by the median residual of the rule's own forecasts at the
  validation origins (each origin forecast by the rule run on the other origins);
- on series whose every value is a non-negative integer (counts: coal disasters, great discoveries,
  London murders, ...), the forecast rounded to an integer, or to the median of a Poisson
  distribution with the forecast as its mean.

    python3 Benchmarks/accuracy/point_median_study.py [RUN.json] [--show=RULE]

Stdlib only.
"""
import json, math, os, statistics, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import combination_study as C  # noqa: E402
import half_origins_study as Hs  # noqa: E402
import median_study as M  # noqa: E402

RUN = os.path.join(HERE, "results", "rolling_all_study_s25_half_refit_seeds.json")


def present(a):
    return a is not None and not (isinstance(a, float) and math.isnan(a))


def residuals(case, v, ks, step=None):
    """actual - forecast of one candidate's validation forecasts `v` at origins `ks` (one step, or all)."""
    out = []
    for k in ks:
        for h, (a, f) in enumerate(zip(case.val_actual[k], v[k])):
            if present(a) and (step is None or h == step):
                out.append(a - f)
    return out


def med(xs):
    return statistics.median(xs) if xs else 0.0


def shifted(case, per_step=False, out_of_sample=True, share=1.0):
    """`case` with every candidate shifted by `share` times its median validation residual."""
    K = len(case.val_actual)
    val, test = {}, {}
    for c, v in case.val.items():
        def shift(ks, h):
            return share * med(residuals(case, v, ks, h if per_step else None))
        test[c] = [x + shift(range(K), h) for h, x in enumerate(case.test[c])]
        val[c] = []
        for k in range(K):
            ks = [j for j in range(K) if j != k] if out_of_sample else range(K)
            val[c].append([x + shift(ks, h) for h, x in enumerate(v[k])])
    return C.Case(val, case.val_actual, test)


def final_shift(rule):
    """The rule's forecast shifted by the median residual of the rule at each validation origin,
    chosen on the other origins."""
    def r(case):
        K, out = len(case.val_actual), rule(case)
        if K < 2:
            return out
        res = []
        for k in range(K):
            others = [j for j in range(K) if j != k]
            sub = C.Case({c: [v[j] for j in others] for c, v in case.val.items()},
                         [case.val_actual[j] for j in others], {c: v[k] for c, v in case.val.items()})
            res += [a - f for a, f in zip(case.val_actual[k], rule(sub)) if present(a)]
        s = med(res)
        return [x + s for x in out]
    return r


def poisson_median(mean):
    """The median of a Poisson distribution of this mean (Choi's approximation, exact below 1e6)."""
    return 0.0 if mean <= 0 else float(math.floor(mean + 1 / 3 - 0.02 / mean))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--show")]
    show = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--show=")]
    path = args[0] if args else RUN
    run = json.load(open(path))
    seeds = len(run["variants"])
    counts = {}
    for d in run["variants"][0]["summary"]["datasets"]:
        y = [x for x in M.series(d["set"], d["file"], d["target"]) if not math.isnan(x)]
        counts[(d["set"], d["file"])] = all(x >= 0 and x == int(x) for x in y)
    print("integer series:", ", ".join(sorted(f.replace(".csv", "") for (s, f), v in counts.items() if v)))
    base = C.blend(C.STATS)
    rules = {
        "default": lambda key, c: base(c),
        "shift each candidate (other origins)": lambda key, c: base(shifted(c)),
        "shift each candidate (in sample)": lambda key, c: base(shifted(c, out_of_sample=False)),
        "shift each candidate per step": lambda key, c: base(shifted(c, per_step=True)),
        "shift each candidate by half": lambda key, c: base(shifted(c, share=0.5)),
        "shift the combination": lambda key, c: final_shift(base)(c),
        "round counts": lambda key, c: [float(round(x)) if counts[key] else x for x in base(c)],
        "Poisson median of counts": lambda key, c: [poisson_median(x) if counts[key] else x for x in base(c)],
    }
    per_seed = []
    for i in range(seeds):
        per_seed.append({k: [(Hs.only(c, Hs.blocks(c)), a, s, m) for c, a, s, m in rows]
                         for k, rows in C.rolling_cases(path, i).items()})
    print(f"{'rule':38s} {'per seed bundled/extra':>36s}   mean")
    for name, rule in rules.items():
        scores = []
        for cases in per_seed:
            per = {}
            for key, rows in cases.items():
                err = sum(C.mae(a, rule(key, c)) / s for c, a, s, _ in rows) / len(rows)
                per[key] = err / (sum(m for *_, m in rows) / len(rows))
            sets = {}
            for (st, _), r in per.items():
                sets.setdefault(st, []).append(r)
            scores.append(({st: C.geomean(v) for st, v in sets.items()}, per))
        mb = sum(s["bundled"] for s, _ in scores) / seeds
        me = sum(s["extra"] for s, _ in scores) / seeds
        print(f"{name:38s} " + " ".join(f"{s['bundled']:.3f}/{s['extra']:.3f}" for s, _ in scores) + f"   {mb:.3f}/{me:.3f}")
        if name in show:
            for key in sorted(scores[0][1]):
                print(f"    {key[1]:45s} " + " ".join(f"{per[key]:.3f}" for _, per in scores))


if __name__ == "__main__":
    main()
