#!/usr/bin/env python3
"""Writes the reference that Tests/ForecastModelsTests/AutoETSTests.swift compares `AutoETS` with:
statsforecast's `AutoETS(season_length=m)` (default model "ZZZ", AICc selection) on a few series.
Run once, by hand, in a project-local venv (not needed by the build):

    python3 -m venv /work/venv-stats
    /work/venv-stats/bin/pip install statsforecast statsmodels pandas numpy
    /work/venv-stats/bin/python scripts/make_autoets_fixture.py

It reads the bundled datasets and ../shared/datasets-extra (target column and m from its
horizons.json) and writes Tests/ForecastModelsTests/Fixtures/autoets.json: per series the input y,
m, h, statsforecast's selected model (`ETS(M,Ad,M)` form), its AICc, smoothing parameters and mean
forecast.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import statsforecast
from statsforecast.models import AutoETS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXTRA = os.path.join(os.path.dirname(ROOT), "shared", "datasets-extra")
OUT = os.path.join(ROOT, "Tests", "ForecastModelsTests", "Fixtures", "autoets.json")


def bundled(file, column):
    return pd.read_csv(os.path.join(ROOT, "datasets", file))[column].to_numpy(float)


def extra(file):
    with open(os.path.join(EXTRA, "horizons.json")) as fh:
        spec = json.load(fh)[file]
    y = pd.read_csv(os.path.join(EXTRA, file))[spec["target"]].to_numpy(float)
    return y, spec["m"], spec["H"]


def series():
    yield "airline", bundled("airline_passengers.csv", "passengers"), 12, 18
    yield "ausbeer", bundled("ausbeer_quarterly.csv", "beer_megalitres"), 4, 8
    yield "nile", bundled("nile_flow_yearly.csv", "volume"), 1, 10
    # Negative values: only additive models are candidates.
    yield "realint", bundled("us_macro_quarterly.csv", "realint"), 4, 8
    # Fewer than 3 seasons: the Fourier initialisation.
    yield "airline_short", bundled("airline_passengers.csv", "passengers")[:30], 12, 12
    for name, file in [("uk_gas", "uk_gas_quarterly.csv"), ("canadian_gas", "canadian_gas_monthly.csv"),
                       ("souvenir", "souvenir_sales_monthly.csv"), ("boston_marathon", "boston_marathon_yearly.csv")]:
        y, m, h = extra(file)
        yield name, y, m, h


def main():
    versions = {"statsforecast": statsforecast.__version__, "numpy": np.__version__,
                "python": sys.version.split()[0]}
    out = []
    for name, y, m, h in series():
        y = y[~np.isnan(y)]
        fit = AutoETS(season_length=m).fit(y)
        model = fit.model_
        par = [None if np.isnan(v) else float(v) for v in model["par"][:4]]  # NaN: not in the model
        forecast = np.asarray(fit.predict(h)["mean"], float)
        out.append({"name": name, "m": m, "h": h, "y": y.tolist(), "model": model["method"],
                    "aicc": float(model["aicc"]),
                    "alpha": par[0], "beta": par[1], "gamma": par[2], "phi": par[3],
                    "forecast": forecast.tolist()})
        print(f"{name}: n={len(y)} m={m} {model['method']} aicc={model['aicc']:.6g} f={forecast[:3]}")
    with open(OUT, "w") as fh:
        json.dump({"versions": versions, "series": out}, fh, indent=1, allow_nan=False)
    print(f"-> {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
