#!/usr/bin/env python3
"""Writes the reference forecasts that Tests/ForecastModelsTests/StatisticalModelTests.swift compares
`Theta` and `DampedETS` with. Run once, by hand, in a project-local venv (not needed by the build):

    python3 -m venv /work/venv-stats
    /work/venv-stats/bin/pip install statsforecast statsmodels pandas numpy
    /work/venv-stats/bin/python scripts/make_stat_fixtures.py

For each series it writes Tests/ForecastModelsTests/Fixtures/stat_<name>.json with the input, m, h,
the M4 seasonality decision and seasonal indices (M4 `Benchmarks and Evaluation.R`: 90% ACF test,
R's decompose(type = "multiplicative"), mirrored from shared/benchmarks/m4-hourly/m4metrics.py), and:

theta
  statsmodels_thetamodel   statsmodels ThetaModel(period=m, deseasonalize=<M4 test>, use_test=False,
                           method="multiplicative").fit().forecast(h): Hyndman-Billah SES-with-drift,
                           SES initial level fixed at the first observation (initial_level=y[0]).
  statsmodels_ses_drift    the formulation of forecast::thetaf / M4's Theta benchmark: SES with
                           *estimated* alpha and initial level (statsmodels ETSModel(error="add"),
                           i.e. least squares on the one-step errors) plus b/2 (h-1+1/a-(1-a)^n/a) on
                           the seasonally adjusted series, reseasonalised.
  statsforecast_theta      statsforecast Theta (Fiorucci et al.'s STM state space, theta = 2, alpha in
                           [0.1, 0.99]) on the seasonally adjusted series, reseasonalised. A different
                           in-sample model; kept as a looser cross-check.
ets (ETS(A,Ad,N) on the M4-seasonally-adjusted series, reseasonalised; the M4 "Damped" benchmark)
  statsforecast_autoets    statsforecast AutoETS(season_length=1, model="AAN", damped=True)
  statsmodels_etsmodel     statsmodels ETSModel(error="add", trend="add", damped_trend=True)
  each with its forecast, parameters and in-sample SSE of one-step errors on the adjusted series.
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd
import statsforecast
import statsmodels
from statsforecast.models import AutoETS, Theta
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.forecasting.theta import ThetaModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ForecastModelsTests", "Fixtures")

SERIES = [  # name, file, column, m, h
    ("airline", "airline_passengers.csv", "passengers", 12, 18),
    ("nile", "nile_flow_yearly.csv", "volume", 1, 10),
    ("ausbeer", "ausbeer_quarterly.csv", "beer_megalitres", 4, 8),
    ("realgdp", "us_macro_quarterly.csv", "realgdp", 4, 8),
]


# --- M4 `Benchmarks and Evaluation.R` (as in shared/benchmarks/m4-hourly/m4metrics.py) -------------
def r_acf(x):
    x = np.asarray(x, float)
    n = len(x)
    lag_max = min(int(math.floor(10 * math.log10(n))), n - 1)
    d = x - x.mean()
    c0 = np.dot(d, d) / n
    return np.array([np.dot(d[:n - k], d[k:]) / n / c0 for k in range(1, lag_max + 1)])


def seasonality_test(x, m):
    n = len(x)
    if m <= 1 or n < 3 * m:
        return False
    xacf = r_acf(x)
    if m > len(xacf):
        return False
    clim = 1.645 / math.sqrt(n) * np.sqrt(np.cumsum(np.concatenate([[1.0], 2 * xacf ** 2])))
    return bool(abs(xacf[m - 1]) > clim[m - 1])


def decompose_multiplicative(x, m):
    x = np.asarray(x, float)
    n = len(x)
    w = np.concatenate([[0.5], np.ones(m - 1), [0.5]]) / m if m % 2 == 0 else np.ones(m) / m
    k = len(w) // 2
    trend = np.full(n, np.nan)
    for i in range(k, n - k):
        trend[i] = np.dot(w, x[i - k:i + k + 1])
    season = x / trend
    figure = np.array([np.nanmean(season[i::m]) for i in range(m)])
    return figure / figure.mean()


def ets_sse(y, alpha, beta, phi, l0, b0):
    l, b, sse = l0, b0, 0.0
    for v in y:
        e = v - (l + phi * b)
        sse += e * e
        l, b = l + phi * b + alpha * e, phi * b + beta * e
    return sse


def main():
    os.makedirs(OUT, exist_ok=True)
    versions = {"statsforecast": statsforecast.__version__, "statsmodels": statsmodels.__version__,
                "numpy": np.__version__, "python": sys.version.split()[0]}
    for name, file, column, m, h in SERIES:
        y = pd.read_csv(os.path.join(ROOT, "datasets", file))[column].to_numpy(float)
        n = len(y)
        seasonal = m > 1 and seasonality_test(y, m) and bool(np.all(y > 0))
        if seasonal:
            figure = decompose_multiplicative(y, m)
            si_in = np.resize(figure, n)
            si_out = np.array([figure[(n + i) % m] for i in range(h)])
        else:
            figure = np.ones(max(m, 1))
            si_in, si_out = np.ones(n), np.ones(h)
        des = y / si_in

        # Theta -----------------------------------------------------------------------------------
        tm = ThetaModel(y, period=max(m, 2), deseasonalize=seasonal, use_test=False,
                        method="multiplicative").fit()
        sm_theta = np.asarray(tm.forecast(h))
        ses = ETSModel(des, error="add", trend=None).fit(disp=False)
        a, l_n = float(ses.params[0]), float(ses.level[-1])
        slope = float(np.polyfit(np.arange(n, dtype=float), des, 1)[0])
        steps = np.arange(h, dtype=float)
        ses_drift = (l_n + slope / 2 * (steps + (1 - (1 - a) ** n) / a)) * si_out
        sf_t = Theta(season_length=1).fit(des)
        sf_theta = np.asarray(sf_t.predict(h)["mean"]) * si_out

        # Damped ETS ------------------------------------------------------------------------------
        sf_e = AutoETS(season_length=1, model="AAN", damped=True).fit(des)
        p = sf_e.model_["par"]  # alpha, beta, gamma, phi, l0, b0
        sf_par = dict(alpha=float(p[0]), beta=float(p[1]), phi=float(p[3]), l0=float(p[4]), b0=float(p[5]))
        sf_ets = np.asarray(sf_e.predict(h)["mean"]) * si_out
        sm_e = ETSModel(des, error="add", trend="add", damped_trend=True).fit(disp=False)
        q = [float(v) for v in sm_e.params]
        sm_par = dict(alpha=q[0], beta=q[1], phi=q[2], l0=q[3], b0=q[4])
        sm_ets = np.asarray(sm_e.forecast(h)) * si_out

        fixture = {
            "name": name, "source": f"datasets/{file}", "column": column, "m": m, "h": h,
            "y": y.tolist(), "seasonal": seasonal, "seasonal_indices": figure.tolist(),
            "seasonal_out": si_out.tolist(),
            "theta": {
                "ols_slope": slope,
                "statsmodels_thetamodel": {"forecast": sm_theta.tolist(),
                                           "alpha": float(tm.params["alpha"]), "b0": float(tm.params["b0"])},
                "statsmodels_ses_drift": {"forecast": ses_drift.tolist(), "alpha": a,
                                          "l0": float(ses.params[1]),
                                          "sse": float(np.sum(np.asarray(ses.resid) ** 2))},
                "statsforecast_theta": {"forecast": sf_theta.tolist(),
                                        "alpha": float(sf_t.model_["par"]["alpha"])},
            },
            "ets": {
                "statsforecast_autoets": {"forecast": sf_ets.tolist(), **sf_par,
                                          "sse": ets_sse(des, **sf_par)},
                "statsmodels_etsmodel": {"forecast": sm_ets.tolist(), **sm_par,
                                         "sse": ets_sse(des, **sm_par)},
            },
            "versions": versions,
        }
        path = os.path.join(OUT, f"stat_{name}.json")
        with open(path, "w") as fh:
            json.dump(fixture, fh, indent=1)
        print(f"{name}: n={n} m={m} seasonal={seasonal} -> {os.path.relpath(path, ROOT)}")
        print(f"  theta  sm={sm_theta[:3]} ses_drift={ses_drift[:3]} sf={sf_theta[:3]}")
        print(f"  ets    sf={sf_ets[:3]} sse={fixture['ets']['statsforecast_autoets']['sse']:.6g}"
              f"  sm={sm_ets[:3]} sse={fixture['ets']['statsmodels_etsmodel']['sse']:.6g}")


if __name__ == "__main__":
    main()
