#!/usr/bin/env python3
"""Per-dataset ratios of two codes over the same seeds, from `scripts/accuracy.py` results.

Each side is one or more result JSONs (their variants in order, e.g. seed 42 from one run and seeds 1
and 2 from a `SEEDS=1,2` run); per dataset it prints each side's ratio to seasonal naive per seed,
their means, and the ratio of the means (above 1.05: more than 5 % worse than the first side).

    python3 Benchmarks/accuracy/seeds_compare.py --before A.json [B.json] --after C.json [D.json] [--set bundled]

Stdlib only.
"""
import argparse, json, os


def ratios(paths, only_set):
    here = os.path.dirname(os.path.abspath(__file__))
    out = {}
    for p in paths:
        J = json.load(open(p if os.path.exists(p) else os.path.join(here, "results", p)))
        for v in J["variants"]:
            for d in v["summary"]["datasets"]:
                if d.get("ratio") is not None and (not only_set or d["set"] == only_set):
                    out.setdefault(d["file"], []).append(d["ratio"])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", nargs="+", required=True)
    ap.add_argument("--after", nargs="+", required=True)
    ap.add_argument("--set", default="", help="only datasets of this set (bundled, extra)")
    a = ap.parse_args()
    b, n = ratios(a.before, a.set), ratios(a.after, a.set)
    print("| dataset | before, per seed | before mean | after, per seed | after mean | after / before |")
    print("|---|---|---|---|---|---|")
    for f in b:
        if f not in n or len(b[f]) != len(n[f]):
            continue
        mb, mn = sum(b[f]) / len(b[f]), sum(n[f]) / len(n[f])
        fmt = lambda xs: ", ".join(f"{x:.3f}" for x in xs)
        print(f"| {f} | {fmt(b[f])} | {mb:.3f} | {fmt(n[f])} | {mn:.3f} | {mn / mb:.3f} |")


if __name__ == "__main__":
    main()
