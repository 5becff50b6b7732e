#!/usr/bin/env python3
"""How the window-scaled ensemble's rule (`Forecaster.scaleChange` above 0.4, session 32) does per
dataset and on held-out halves, replayed at seeds 42, 1 and 2 on the session-27/31 dumps (as
`combination_study.py ... --second ...`, rules `current` and `current, scale change above T`).

Prints, per flagged dataset, the ratio of its MASE ratio with the rule to without it at each seed
and their geometric mean; then the geometric-mean ratio on two halves of the 42 datasets (alternate
names in sorted order) for thresholds T, so a threshold chosen on one half can be read on the other.

    python3 Benchmarks/accuracy/scale_change_check.py

Stdlib only.
"""
import math, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import combination_study as CS  # noqa: E402

R = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results") + "/"
RUNS = [("rolling_all_study_s27_spread.json", "rolling_all_study_s31_ws.json", 0),
        ("rolling_all_study_s27_spread_seed1.json", "rolling_all_study_s31_ws_seeds12.json", 0),
        ("rolling_all_study_s27_spread_seed2.json", "rolling_all_study_s31_ws_seeds12.json", 1)]


def load(first, second, variant):
    cases = CS.rolling_cases(R + first)
    for key, rows in CS.rolling_cases(R + second, variant).items():
        for (c, *_), (d, *_) in zip(cases.get(key, []), rows):
            c.val["network_2"], c.test["network_2"] = d.val["network"], d.test["network"]
    return cases


def main():
    seeds = [load(*r) for r in RUNS]
    first = next(iter(seeds[0].values()))[0][0]
    stats = [s for s in CS.STATS if s in first.test]
    two = lambda f: CS.mean([f["network"], f["network_2"]]) if "network_2" in f else f["network"]

    def rule(t):
        if t is None:
            return lambda c: CS.blend(stats)(c)
        return lambda c: CS.blend(stats, net=two if getattr(c, "scale_change", 0) > t else CS.base("network"))(c)

    per = {t: [CS.score_rolling(cases, rule(t))[1] for cases in seeds] for t in (None, 0.2, 0.3, 0.4, 0.5, 0.6)}
    keys = sorted(per[None][0])
    print("Flagged datasets (T = 0.4): MASE ratio with the rule / without, seeds 42, 1, 2, and their geometric mean")
    rows = []
    for k in keys:
        flagged = max(sum(1 for c, *_ in cases[k] if getattr(c, "scale_change", 0) > 0.4) for cases in seeds)
        if flagged:
            r = [per[0.4][s][k] / per[None][s][k] for s in range(3)]
            rows.append((math.exp(sum(map(math.log, r)) / 3), k, r, flagged))
    for g, k, r, n in sorted(rows):
        print(f"  {k[0]:8s} {k[1]:42s} {n} of 3 origins  {' '.join(f'{x:.3f}' for x in r)}  {g:.3f}")
    print(f"  better by over 0.5 %: {sum(g < 0.995 for g, *_ in rows)}, worse by over 0.5 %: {sum(g > 1.005 for g, *_ in rows)}, of {len(rows)}")
    halves = {"A": keys[0::2], "B": keys[1::2]}
    print("\nGeometric-mean ratio on two halves of the datasets (sorted names, alternate), seeds 42, 1, 2 and mean")
    for t, p in per.items():
        line = []
        for h, ks in halves.items():
            v = [math.exp(sum(math.log(p[s][k]) for k in ks) / len(ks)) for s in range(3)]
            line.append(f"{h}: {' '.join(f'{x:.4f}' for x in v)} mean {sum(v) / 3:.4f}")
        print(f"  {'none' if t is None else f'T = {t}':8s} " + "   ".join(line))


if __name__ == "__main__":
    main()
