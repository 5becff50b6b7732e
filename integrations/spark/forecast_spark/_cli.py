"""Running the `forecast` binary on pandas data: CSV in, `--format json` out (full doubles).

Nothing here imports pyspark, so it runs (and can be tested) without Spark.
"""
from __future__ import annotations

import csv
import json
import math
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import pandas as pd


class ForecastError(RuntimeError):
    """A forecast could not be made: a group failed, the binary is missing, a column is absent."""


class BinaryNotFoundError(ForecastError):
    """The `forecast` binary is not where it was said to be (driver or executor)."""


# Options forecast_local sets itself; passing them as fit options would contradict what it writes.
RESERVED_FIT_OPTIONS = {
    "target", "time_column", "id_column", "horizon", "model", "quiet", "holdout", "data",
    "output", "format", "help", "version", "warm_start",
}


def resolve_binary(binary: str | None = None) -> str:
    """The path of the `forecast` binary on this machine: `binary`, else $FORECAST_BIN, else `forecast`
    on PATH. Raises BinaryNotFoundError when it does not exist or cannot be executed."""
    given = binary or os.environ.get("FORECAST_BIN")
    if not given:
        found = shutil.which("forecast")
        if not found:
            raise BinaryNotFoundError(
                "no forecast binary: pass binary='/path/to/forecast' or set FORECAST_BIN "
                "(build a portable one with scripts/build_portable.sh)")
        given = found
    path = os.path.abspath(os.path.expanduser(given))
    if not os.path.isfile(path):
        raise BinaryNotFoundError(f"forecast binary not found: {path} (from binary= or FORECAST_BIN)")
    ensure_executable(path)
    return path


def ensure_executable(path: str) -> None:
    """Files shipped with SparkContext.addFile may arrive without the execute bit: add it."""
    if os.access(path, os.X_OK):
        return
    try:
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    except OSError as e:
        raise BinaryNotFoundError(f"forecast binary {path} is not executable and chmod failed: {e}") from e
    if not os.access(path, os.X_OK):
        raise BinaryNotFoundError(f"forecast binary {path} is not executable")


def option_flags(options: dict, reserved: Iterable[str] = RESERVED_FIT_OPTIONS) -> list[str]:
    """Python keyword options to CLI flags: max_steps=200 -> --max-steps 200; allow_negative=True ->
    --allow-negative; False/None -> left out; a list or tuple -> comma-separated."""
    reserved = set(reserved)
    flags: list[str] = []
    for key, value in options.items():
        if key in reserved:
            raise ValueError(f"option {key!r} is set by forecast_spark itself and cannot be passed")
        name = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            flags.append(name)
        elif isinstance(value, (list, tuple)):
            flags += [name, ",".join(_plain(v) for v in value)]
        else:
            flags += [name, _plain(value)]
    return flags


def _plain(v) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def level_name(level) -> str:
    """How the CLI names an interval level in JSON keys (lower_80, lower_97.5)."""
    f = float(level)
    return str(int(f)) if f.is_integer() else repr(f)


def level_columns(levels: Sequence) -> list[tuple[str, str]]:
    """(JSON key, DataFrame column) pairs, lower then upper per level. Column names carry no dot."""
    cols = []
    for lv in levels:
        n = level_name(lv)
        cols.append((f"lower_{n}", f"lower_{n.replace('.', '_')}"))
        cols.append((f"upper_{n}", f"upper_{n.replace('.', '_')}"))
    return cols


def format_times(values: pd.Series) -> list[str]:
    """Time values as the CLI reads them: integers as integers, date-times as ISO-8601 without zone,
    dates as YYYY-MM-DD, strings unchanged."""
    if pd.api.types.is_datetime64_any_dtype(values):
        v = values
        if getattr(v.dt, "tz", None) is not None:
            v = v.dt.tz_localize(None)
        if (v.dt.normalize() == v).all():
            return list(v.dt.strftime("%Y-%m-%d"))
        return list(v.dt.strftime("%Y-%m-%dT%H:%M:%S"))
    if pd.api.types.is_integer_dtype(values):
        return [str(int(x)) for x in values]
    if pd.api.types.is_float_dtype(values):
        if values.isna().any():
            raise ForecastError("the time column has missing values")
        if all(float(x).is_integer() for x in values):
            return [str(int(x)) for x in values]
        return [repr(float(x)) for x in values]
    out = []
    for x in values:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            raise ForecastError("the time column has missing values")
        out.append(x.isoformat() if hasattr(x, "isoformat") else str(x))
    return out


def format_values(values: pd.Series) -> list[str]:
    """Numbers at full precision (repr: the shortest text that reads back as the same double);
    a missing value is an empty field."""
    out = []
    for x in values:
        if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
            out.append("")
        elif isinstance(x, (int,)) and not isinstance(x, bool):
            out.append(str(x))
        else:
            f = float(x)
            out.append("" if math.isnan(f) else repr(f))
    return out


def write_csv(path: str, frame: pd.DataFrame, columns: list[tuple[str, str, str]]) -> None:
    """Writes `frame` as CSV. columns: (header name, frame column, kind) with kind id|time|value."""
    texts = []
    for _, col, kind in columns:
        s = frame[col]
        if kind == "time":
            texts.append(format_times(s))
        elif kind == "value":
            texts.append(format_values(s))
        else:
            texts.append([str(x) for x in s])
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([h for h, _, _ in columns])
        w.writerows(zip(*texts))


@dataclass
class Run:
    argv: list[str]
    stdout: str
    stderr: str


def run(argv: list[str], what: str) -> Run:
    """Runs the binary; a non-zero exit raises ForecastError with the CLI's own message."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError as e:
        raise BinaryNotFoundError(f"forecast binary not found: {argv[0]}") from e
    except PermissionError as e:
        raise BinaryNotFoundError(f"forecast binary not executable: {argv[0]}") from e
    if p.returncode != 0:
        msg = _tail(p.stderr) or _tail(p.stdout) or "(no message)"
        raise ForecastError(f"{what} failed (exit {p.returncode}): {msg}")
    return Run(argv, p.stdout, p.stderr)


def _tail(text: str, lines: int = 6, chars: int = 1500) -> str:
    kept = [ln for ln in text.strip().splitlines() if ln.strip()][-lines:]
    return " | ".join(kept)[-chars:]


@dataclass
class ForecastRows:
    """Parsed `predict --format json` output, one entry per series and step."""
    ids: list = field(default_factory=list)
    times: list = field(default_factory=list)
    values: list = field(default_factory=list)
    bounds: dict = field(default_factory=dict)        # column -> list
    new_series: list = field(default_factory=list)    # None when the CLI does not say
    fallback: list = field(default_factory=list)


def parse_predict_json(text: str, levels: Sequence) -> ForecastRows:
    doc = json.loads(text)
    if doc.get("schema") != "forecast.predict/1":
        raise ForecastError(f"unexpected output of forecast predict (schema {doc.get('schema')!r})")
    cols = level_columns(levels)
    rows = ForecastRows(bounds={c: [] for _, c in cols})
    for r in doc["forecasts"]:
        rows.ids.append(r.get("id"))
        rows.times.append(r["time"])
        rows.values.append(_num(r["value"]))
        for key, col in cols:
            if key not in r:
                raise ForecastError(f"forecast predict gave no {key}")
            rows.bounds[col].append(_num(r[key]))
        ns = r.get("new_series")
        rows.new_series.append(None if ns is None else bool(ns))
        rows.fallback.append(r.get("fallback"))
    return rows


def _num(x):
    return float("nan") if x is None else float(x)


