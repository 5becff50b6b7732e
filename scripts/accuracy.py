#!/usr/bin/env python3
"""Accuracy table of the README: on every bundled dataset, hold out the last horizon, fit the default
LSTM and GRU on the rest (`forecast fit --holdout H`, all other options at their defaults) and score
them with `forecast evaluate` against the baselines. Prints a Markdown table; the last rows give the
geometric mean of MASE relative to seasonal naive per cell (below 1 beats it).

    python3 scripts/accuracy.py [path/to/forecast]     # default .build/release/forecast
"""
import json, math, os, subprocess, sys, tempfile, time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "forecast")
# (file, target, horizon by frequency: 12 monthly, 8 quarterly, 6 yearly, 14 daily, 13 weekly, 24 hourly)
DATASETS = [
    ("airline_passengers.csv", "passengers", 12),
    ("elnino_sst_monthly.csv", "sst_celsius", 12),
    ("ausbeer_quarterly.csv", "beer_megalitres", 8),
    ("us_macro_quarterly.csv", "realgdp", 8),
    ("sunspots_yearly.csv", "sunspots", 6),
    ("nile_flow_yearly.csv", "volume", 6),
    ("seattle_weather_daily.csv", "temp_max_c", 14),
    ("co2_mauna_loa_weekly.csv", "co2_ppm", 13),
    ("seattle_temp_hourly.csv", "temp_f", 24),
]


def run(args):
    return subprocess.run([BIN] + args, check=True, capture_output=True, text=True, cwd=ROOT).stdout


def main():
    rel = {"lstm": [], "gru": []}
    print("| dataset | H | seasonal naive MASE | LSTM MASE | GRU MASE | LSTM / snaive | GRU / snaive | fit s (LSTM, GRU) |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for f, target, h in DATASETS:
            path = os.path.join("datasets", f)
            row, secs = {}, []
            for cell in ["lstm", "gru"]:
                model = os.path.join(d, f"{cell}.fcm")
                t0 = time.time()
                run(["fit", path, "--target", target, "--horizon", str(h), "--holdout", str(h), "--cell", cell,
                     "--fill", "interpolate", "--quiet", "--model", model])
                secs.append(time.time() - t0)
                m = {r["model"]: r for r in json.loads(run(["evaluate", path, "--model", model, "--holdout", str(h),
                                                              "--fill", "interpolate", "--json"]))["metrics"]}
                row[cell] = m["network"]["mase"]
                row["snaive"] = m["seasonal_naive"]["mase"]
                rel[cell].append(row[cell] / row["snaive"])
            print(f"| {f} | {h} | {row['snaive']:.3f} | {row['lstm']:.3f} | {row['gru']:.3f} | "
                  f"{row['lstm'] / row['snaive']:.3f} | {row['gru'] / row['snaive']:.3f} | {secs[0]:.1f}, {secs[1]:.1f} |")
            sys.stdout.flush()
    for cell in ["lstm", "gru"]:
        g = math.exp(sum(math.log(x) for x in rel[cell]) / len(rel[cell]))
        print(f"\nGeometric mean of {cell.upper()} MASE / seasonal-naive MASE over {len(rel[cell])} datasets: **{g:.3f}**")


if __name__ == "__main__":
    main()
