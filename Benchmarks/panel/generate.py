#!/usr/bin/env python3
"""Writes a synthetic panel of hourly series in long format (`series,time,value`) for the panel benchmark.

    python3 Benchmarks/panel/generate.py --series 10000 --length 1000 --out /tmp/panel.csv

Deterministic and stdlib-only: series i depends only on (--seed, i), so the first 1,000 series of a
10,000-series panel are the 1,000-series panel. Every series is hourly and has
  - a daily (24) and a weekly (168) season with their own amplitudes and phases,
  - a linear trend (slope drawn per series, some flat),
  - level shifts: 0 to 2 steps at random times, of 1 to 4 noise standard deviations,
  - Gaussian noise, and a positive level (values stay mostly positive, as loads and sales do),
  - missing values as empty cells: isolated points (about 1%) and a few short runs (2-6 hours),
    and a few absent rows (about 0.2%: the timestamp is not in the file, which the loader also reads as
    a missing value); never the first or last point, so `forecast fit --fill interpolate` fills every
    gap and trims nothing,
  - a ragged start: all series end at the same hour; 60% start at the panel's first hour, the others
    up to 40% of --length later (so they hold between 60% and 100% of --length points).
Rows are written series by series, in time order (the usual layout of a long-format export).
"""
import argparse, datetime, json, math, random, sys

START = datetime.datetime(2024, 1, 1)
ABSENT = "absent"   # a grid point without a row


def series_values(seed, i, length):
    """(offset, values): the series' first hour after the panel start and its values (None: an empty
    cell; ABSENT: no row)."""
    r = random.Random(seed * 1_000_003 + i)
    offset = 0 if r.random() < 0.6 else r.randint(1, int(0.4 * length))
    n = length - offset
    level = r.uniform(20, 200)
    noise = level * r.uniform(0.01, 0.06)
    daily = level * r.uniform(0.0, 0.3)
    weekly = level * r.uniform(0.0, 0.15)
    pd, pw = r.uniform(0, 2 * math.pi), r.uniform(0, 2 * math.pi)
    slope = 0.0 if r.random() < 0.3 else level * r.uniform(-0.2, 0.4) / length
    shifts = sorted((r.randint(n // 10, n - n // 10), r.choice((-1, 1)) * r.uniform(1, 4) * noise)
                    for _ in range(r.choice((0, 0, 1, 2))))
    values = []
    shift = 0.0
    k = 0
    for t in range(n):
        while k < len(shifts) and shifts[k][0] == t:
            shift += shifts[k][1]
            k += 1
        h = offset + t   # hours since the panel start: seasons are aligned with the calendar
        y = (level + slope * t + shift + daily * math.sin(2 * math.pi * h / 24 + pd)
             + weekly * math.sin(2 * math.pi * h / 168 + pw) + r.gauss(0, noise))
        values.append(y)
    # Missing values: isolated points and a few short runs, never at either end.
    for t in range(1, n - 1):
        if r.random() < 0.01:
            values[t] = None
    for _ in range(r.choice((0, 0, 1, 2))):
        a = r.randint(1, n - 8)
        for t in range(a, a + r.randint(2, 6)):
            values[t] = None
    for t in range(1, n - 1):
        if r.random() < 0.002:
            values[t] = ABSENT
    return offset, values


def stamps(length):
    """The panel's hourly timestamps, ISO 8601 without seconds (2024-01-01T00:00)."""
    step = datetime.timedelta(hours=1)
    return [(START + k * step).strftime("%Y-%m-%dT%H:%M") for k in range(length)]


def write(out, n_series, length, seed):
    times = stamps(length)
    width = max(5, len(str(n_series - 1)))   # fixed up to 100,000 series: a smaller panel is a prefix of a larger one
    rows = 0
    missing = 0   # empty cells and absent rows: the grid points without a value
    points = 0    # grid points, from each series' first to its last row
    buf = []
    out.write("series,time,value\n")
    for i in range(n_series):
        offset, values = series_values(seed, i, length)
        sid = f"s{i:0{width}d}"
        for t, v in enumerate(values):
            if v is ABSENT:
                missing += 1
                continue
            if v is None:
                buf.append(f"{sid},{times[offset + t]},\n")
                missing += 1
            else:
                buf.append(f"{sid},{times[offset + t]},{v:.3f}\n")
        rows += sum(1 for v in values if v is not ABSENT)
        points += len(values)
        if len(buf) > 200_000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    return rows, points, missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--series", type=int, default=10_000, help="number of series (default 10000)")
    ap.add_argument("--length", type=int, default=1_000, help="hours from the panel's first to its last point (default 1000)")
    ap.add_argument("--seed", type=int, default=16, help="random seed (default 16)")
    ap.add_argument("--out", default="-", help="output file (default: standard output)")
    a = ap.parse_args()
    if a.series < 1 or a.length < 50:
        sys.exit("--series must be >= 1 and --length >= 50")
    if a.out == "-":
        rows, points, missing = write(sys.stdout, a.series, a.length, a.seed)
    else:
        with open(a.out, "w", newline="\n") as f:
            rows, points, missing = write(f, a.series, a.length, a.seed)
    # One JSON line on stderr, for run.py.
    print(json.dumps({"series": a.series, "length": a.length, "seed": a.seed, "rows": rows, "points": points,
                      "missing": missing}), file=sys.stderr)


if __name__ == "__main__":
    main()
