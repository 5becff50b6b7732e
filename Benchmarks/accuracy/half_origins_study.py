#!/usr/bin/env python3
"""Replays of session 25's study: seven validation origins instead of four.

The run (`results/rolling_all_study_s25_half_refit_seeds.json`) was made with
`study-patches/s25_half_origins.patch` applied and `FORECAST_STUDY_HALF=1`: besides the four
non-overlapping blocks of one horizon, `fit` scored three origins half a horizon after each older
block, each with its own cross-validation refit of the network (cut at that origin). Its dumps hold
every candidate's forecasts at all seven origins, blocks first, so the default rule on the blocks
alone (the default model, reproduced exactly) and other uses of the extra origins replay here, for
each seed of the run.

    python3 Benchmarks/accuracy/half_origins_study.py [RUN.json] [--all-rules]

`--all-rules` replays every rule of combination_study.py on the blocks alone, seed by seed: the
default model's validation at three seeds, sorted by the mean over the seeds on the extra series.

Stdlib only.
"""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import combination_study as C  # noqa: E402


def only(case, idx):
    """`case` with the validation origins `idx` alone."""
    return C.Case({c: [v[i] for i in idx] for c, v in case.val.items()}, [case.val_actual[i] for i in idx], case.test)


def blocks(case):
    """The block origins: b blocks come with b - 1 half-shifted origins after them."""
    return range((len(case.val_actual) + 1) // 2)


def stat_on_all_weight_on_blocks(case):
    """The best statistical model chosen on all seven origins, `blend`'s weight on the blocks."""
    best, _ = C.best_stat(case, C.STATS)
    return C.blend([best])(only(case, blocks(case)))


RULES = {
    "4 blocks (the default rule)": lambda c: C.blend(C.STATS)(only(c, blocks(c))),
    "all 7 origins (the run's own)": lambda c: C.blend(C.STATS)(c),
    "all 7, sharpness 24": lambda c: C.blend(C.STATS, p=24.0)(c),
    "all 7, sharpness 48": lambda c: C.blend(C.STATS, p=48.0)(c),
    "3 half-shifted origins alone": lambda c: C.blend(C.STATS)(only(c, range(len(blocks(c)), len(c.val_actual)))),
    "model on 7, weight on 4 blocks": stat_on_all_weight_on_blocks,
}


def all_rules(path, variants):
    res = {}
    for i in range(variants):
        blocks_only = {k: [(only(c, blocks(c)), a, s, m) for c, a, s, m in rows]
                       for k, rows in C.rolling_cases(path, i).items()}
        for name, rule in C.rules().items():
            sets, _ = C.score_rolling(blocks_only, rule)
            res.setdefault(name, []).append((sets["bundled"], sets["extra"]))
    print(f"{'rule (blocks alone)':40s} {'mean bundled / extra':>22s}   per seed")
    for name, v in sorted(res.items(), key=lambda kv: sum(e for _, e in kv[1])):
        mb, me = sum(b for b, _ in v) / len(v), sum(e for _, e in v) / len(v)
        print(f"{name:40s} {mb:10.4f} / {me:.4f}   " + " ".join(f"{b:.3f}/{e:.3f}" for b, e in v))


def main():
    args = [a for a in sys.argv[1:] if a != "--all-rules"]
    path = args[0] if args else os.path.join(HERE, "results", "rolling_all_study_s25_half_refit_seeds.json")
    run = json.load(open(path))
    names = [v["name"] for v in run["variants"]]
    if "--all-rules" in sys.argv:
        return all_rules(path, len(names))
    print(f"{'rule':32s} " + " ".join(f"{n:>22s}" for n in names) + f" {'mean':>14s}")
    per_seed = [C.rolling_cases(path, i) for i in range(len(names))]
    for rule_name, rule in RULES.items():
        scores = [C.score_rolling(cases, rule)[0] for cases in per_seed]
        cells = " ".join(f"{s['bundled']:10.3f} / {s['extra']:.3f}" for s in scores)
        mb = sum(s["bundled"] for s in scores) / len(scores)
        me = sum(s["extra"] for s in scores) / len(scores)
        print(f"{rule_name:32s} {cells}   {mb:.3f} / {me:.3f}")


if __name__ == "__main__":
    main()
