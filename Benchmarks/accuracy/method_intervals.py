#!/usr/bin/env python3
"""Interval coverage and Winkler score of every candidate asked for by name (`predict --method NAME
--intervals 80,95`), pooled per set, from a `scripts/accuracy.py --candidates` run (its
`candidate_intervals`), scored as the accuracy tables score the default forecast: coverage over
every scored point, Winkler score per origin divided by the scale, averaged over the origins.

    python3 Benchmarks/accuracy/method_intervals.py RUN.json [BEFORE.json]

With BEFORE, each figure is printed as before -> after.
Stdlib only.
"""
import json, sys


def pooled(path):
    out = {}
    for d in json.load(open(path))["variants"][0]["summary"]["datasets"]:
        for o in d["origins"]:
            for c, lv_scores in (o.get("candidate_intervals") or {}).items():
                for lv, (cov, n, wink) in lv_scores.items():
                    acc = out.setdefault((d["set"], c, lv), [0, 0, 0.0, 0])
                    acc[0] += cov
                    acc[1] += n
                    acc[2] += wink / max(1, n) / o["scale"]
                    acc[3] += 1
    return {k: (100 * a[0] / max(1, a[1]), a[2] / max(1, a[3])) for k, a in out.items()}


def main():
    after = pooled(sys.argv[1])
    before = pooled(sys.argv[2]) if len(sys.argv) > 2 else None
    keys = sorted({(s, c) for s, c, _ in after})
    print(f"{'set':8s} {'candidate':16s} {'80% coverage':>18s} {'80% Winkler':>18s} {'95% coverage':>18s} {'95% Winkler':>18s}")
    for s, c in keys:
        cells = []
        for lv in ("80", "95"):
            cov, w = after[(s, c, lv)]
            if before and (s, c, lv) in before:
                bc, bw = before[(s, c, lv)]
                cells += [f"{bc:5.1f} -> {cov:5.1f}", f"{bw:6.3f} -> {w:6.3f}"]
            else:
                cells += [f"{cov:5.1f}", f"{w:6.3f}"]
        print(f"{s:8s} {c:16s} " + " ".join(f"{x:>18s}" for x in cells))


if __name__ == "__main__":
    main()
