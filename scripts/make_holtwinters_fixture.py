#!/usr/bin/env python3
"""Writes Tests/ForecastMetricsTests/Fixtures/holtwinters_airline.json: statsmodels' additive Holt-Winters
on the airline series (first 132 months), once with fixed parameters and known initial states (the
recursions must then agree to rounding), and once fitted (our least-squares fit must reach an SSE within
a stated tolerance of statsmodels'). Run by hand in a venv with statsmodels and pandas."""
import csv, json, os
import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing
import statsmodels

ROOT = os.path.join(os.path.dirname(__file__), "..")
y = np.array([float(r["passengers"]) for r in csv.DictReader(open(os.path.join(ROOT, "datasets", "airline_passengers.csv")))])[:132]
m = 12
init_level, init_trend = 126.0, 1.5
init_seasonal = list(y[:m] - y[:m].mean())
fixed = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=m, initialization_method="known",
                             initial_level=init_level, initial_trend=init_trend, initial_seasonal=init_seasonal)
fixed = fixed.fit(smoothing_level=0.3, smoothing_trend=0.05, smoothing_seasonal=0.2, optimized=False)
fitted = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=m, initialization_method="estimated").fit()
out = {
    "statsmodels_version": statsmodels.__version__, "y": y.tolist(), "period": m,
    "fixed": {"alpha": 0.3, "beta": 0.05, "gamma": 0.2, "initial_level": init_level, "initial_trend": init_trend,
              "initial_seasonal": init_seasonal, "forecast": fixed.forecast(12).tolist(), "sse": float(fixed.sse)},
    "fitted": {"forecast": fitted.forecast(12).tolist(), "sse": float(fitted.sse),
               "params": {k: float(v) for k, v in fitted.params.items() if np.isscalar(v) and np.isfinite(v)}},
}
path = os.path.join(ROOT, "Tests", "ForecastMetricsTests", "Fixtures", "holtwinters_airline.json")
json.dump(out, open(path, "w"))
print("wrote", path, "fitted sse", fitted.sse)
