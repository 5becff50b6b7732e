#!/usr/bin/env python3
"""Writes datasets/m4_hourly_panel.csv: eight M4 Hourly series, the last 300 points of each series'
training part, in long format (series,t,value), t being the position in the M4 series (1-based).

Source: ../shared/benchmarks/m4-hourly/Hourly-train.csv (an unchanged copy of the M4 competition's
Dataset/Train/Hourly-train.csv, see that folder's README.md). Standard library only.

    python3 scripts/make_m4_panel.py [--m4-dir ../shared/benchmarks/m4-hourly] [--out datasets/m4_hourly_panel.csv]
"""
import argparse
import csv
import os

SERIES = ["H1", "H10", "H50", "H100", "H150", "H200", "H350", "H413"]
KEEP = 300

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--m4-dir", default=os.path.join(here, "..", "..", "shared", "benchmarks", "m4-hourly"))
ap.add_argument("--out", default=os.path.join(here, "..", "datasets", "m4_hourly_panel.csv"))
a = ap.parse_args()

wide = {}
with open(os.path.join(a.m4_dir, "Hourly-train.csv"), newline="") as f:
    rows = csv.reader(f)
    next(rows)
    for row in rows:
        if row[0] in SERIES:
            vals = row[1:]
            while vals and vals[-1].strip() in ("", "NA"):
                vals.pop()
            wide[row[0]] = vals

with open(a.out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["series", "t", "value"])
    for sid in SERIES:
        vals = wide[sid]
        n = len(vals)
        for i in range(n - KEEP, n):
            w.writerow([sid, i + 1, vals[i]])   # the text exactly as in the M4 file
print(f"wrote {a.out}: {len(SERIES)} series x {KEEP} points")
