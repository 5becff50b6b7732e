#!/usr/bin/env python3
"""Writes Tests/ForecastModelsTests/Fixtures/linear_ar.json: `LinearAutoregression`'s forecasts as
Benchmarks/accuracy/linear_study.py computes them (numpy, lookback 6 seasons rounded down to whole ones, ridge 1), on three
series: airline passengers (H 12, m 12), Nile flow (H 6, m 1) and a noisy seasonal line (H 8, m 4).

    .venv-bench/bin/python scripts/make_linear_fixture.py
"""
import csv, json, math, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "Benchmarks", "accuracy"))
from linear_study import linear_forecast  # noqa: E402


def column(name, field):
    return [float(r[field]) for r in csv.DictReader(open(os.path.join(ROOT, "datasets", name)))]


cases = {
    "airline": (column("airline_passengers.csv", "passengers"), 12, 12),
    "nile": (column("nile_flow_yearly.csv", "volume"), 6, 1),
    "seasonal_line": ([0.5 * t + 3 * math.sin(2 * math.pi * t / 4) + math.sin(7.3 * t) for t in range(90)], 8, 4),
}
out = {k: {"history": y, "horizon": H, "period": m, "forecast": linear_forecast(y, H, m, 1.0, 6)}
       for k, (y, H, m) in cases.items()}
path = os.path.join(ROOT, "Tests", "ForecastModelsTests", "Fixtures", "linear_ar.json")
json.dump(out, open(path, "w"), indent=1)
print("wrote", path)
