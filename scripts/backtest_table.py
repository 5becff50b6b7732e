#!/usr/bin/env python3
"""Backtest table of the README: `forecast backtest` (3 folds, default LSTM, refit per fold) on every
bundled dataset; mean MASE of the network and each baseline, and the network's interval coverage.

    python3 scripts/backtest_table.py [path/to/forecast]
"""
import json, os, subprocess, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "forecast")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy import DATASETS

MODELS = ["network", "seasonal_naive", "naive", "drift", "mean", "holt_winters"]
print("| dataset | H | " + " | ".join(MODELS) + " | 80% coverage | 95% coverage |")
print("|---|---|" + "---|" * (len(MODELS) + 2))
for f, target, h in DATASETS:
    out = subprocess.run([BIN, "backtest", os.path.join("datasets", f), "--target", target, "--horizon", str(h), "--folds", "3",
                          "--fill", "interpolate", "--quiet", "--json"], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    r = json.loads(out)
    cells = []
    best = min((r["overall"][m]["mase"] for m in MODELS if r["overall"][m]["mase"] is not None), default=None)
    for m in MODELS:
        v = r["overall"][m]["mase"]
        cells.append("undefined" if v is None else (f"**{v:.3f}**" if v == best else f"{v:.3f}"))
    cov = r["coverage"]
    print(f"| {f} | {h} | " + " | ".join(cells) + f" | {cov.get('80', 0) * 100:.0f}% | {cov.get('95', 0) * 100:.0f}% |")
    sys.stdout.flush()
