"""Forecasting Spark DataFrames with the `forecast` binary.

forecast_local:  one model per series: groupBy(id).applyInPandas, each group fitted and forecast by
                 the binary on the executor that holds it.
forecast_global: one model (fitted once, e.g. with fit_global or the CLI) shipped to the executors with
                 SparkContext.addFile and applied per partition with mapInPandas.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from ._cli import (
    BinaryNotFoundError, ForecastError, ForecastRows, ensure_executable, level_columns, level_name,
    option_flags, parse_predict_json, resolve_binary, run, write_csv,
)

ERROR_MODES = ("raise", "report")
_MAX_LISTED = 5


# ----------------------------------------------------------------------------------------------------
# Files shipped to the executors


@dataclass(frozen=True)
class _Shipped:
    """A file the executors reach: through SparkFiles (name) or at a fixed path (name None)."""
    name: str | None
    path: str
    kind: str

    def local_path(self) -> str:
        if self.name is None:
            p = self.path
        else:
            from pyspark import SparkFiles
            p = SparkFiles.get(self.name)
        if not os.path.isfile(p):
            how = "shipped with SparkContext.addFile" if self.name else "expected at this path on every executor"
            cls = BinaryNotFoundError if self.kind == "forecast binary" else ForecastError
            raise cls(f"{self.kind} {self.name or self.path!r} is not on this executor (looked at {p}; {how})")
        return p


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _ship(spark, path: str, kind: str, ship: bool) -> _Shipped:
    """SparkContext.addFile(path); executors then find it with SparkFiles.get(basename).
    ship=False: the path is valid on every executor as it is (a container image, a shared mount)."""
    if not ship:
        return _Shipped(None, path, kind)
    if not os.path.isfile(path):
        raise (BinaryNotFoundError if kind == "forecast binary" else ForecastError)(f"{kind} not found: {path}")
    name = os.path.basename(path)
    try:
        spark.sparkContext.addFile(path)
    except Exception as e:  # py4j error from the JVM
        if "already registered" not in str(e) and "does not match contents" not in str(e):
            raise ForecastError(f"could not ship {kind} {path} with SparkContext.addFile: {e}") from e
        # Another file of the same name was shipped before (spark-submit --files, or an earlier call):
        # the executors would get that one. Accept it only when it is byte-for-byte the same file.
        from pyspark import SparkFiles
        shipped = SparkFiles.get(name)
        if not (os.path.isfile(shipped) and _sha256(shipped) == _sha256(path)):
            raise ForecastError(
                f"a different file named {name!r} was already shipped to this Spark application, so the "
                f"executors would not get {path}: give the {kind} another file name") from e
    return _Shipped(name, path, kind)


def _binary(spark, binary: str | None, ship_binary: bool) -> _Shipped:
    if ship_binary:
        return _ship(spark, resolve_binary(binary), "forecast binary", True)
    path = binary or os.environ.get("FORECAST_BIN")
    if not path:
        raise BinaryNotFoundError("ship_binary=False needs binary= (or FORECAST_BIN): the binary's path on the executors")
    return _Shipped(None, path, "forecast binary")


_SHIPPED_PACKAGE: set = set()


def _ship_package(spark) -> None:
    """The executors unpickle the per-group functions, which live in this package: ship it (a zip of
    forecast_spark, SparkContext.addPyFile) once per SparkContext, so a plain `import forecast_spark`
    on the driver is enough (no --py-files, no install on the executors)."""
    sc = spark.sparkContext
    key = (sc.applicationId, id(sc))
    if key in _SHIPPED_PACKAGE:
        return
    import zipfile
    pkg = os.path.dirname(os.path.abspath(__file__))
    if not os.path.isdir(pkg):
        # Imported from an archive: that is --py-files (or a zip on sys.path), already on the executors.
        _SHIPPED_PACKAGE.add(key)
        return
    tmp = tempfile.mkdtemp(prefix="forecast-spark-pkg-")
    zpath = os.path.join(tmp, "forecast_spark.zip")
    with zipfile.ZipFile(zpath, "w") as z:
        for name in sorted(os.listdir(pkg)):
            if name.endswith(".py"):
                z.write(os.path.join(pkg, name), f"forecast_spark/{name}")
    try:
        sc.addPyFile(zpath)
    except Exception as e:
        if "already registered" not in str(e) and "does not match contents" not in str(e):
            raise
    _SHIPPED_PACKAGE.add(key)


def _executor_binary(b: _Shipped) -> str:
    p = b.local_path()
    ensure_executable(p)
    return p


# ----------------------------------------------------------------------------------------------------
# Checks and schemas


def _check_errors(errors: str) -> None:
    if errors not in ERROR_MODES:
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")


def _require_columns(df, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ForecastError(f"{what}: the DataFrame has no column {', '.join(repr(c) for c in missing)} "
                            f"(its columns: {', '.join(df.columns)})")


def _field(df, col):
    return df.schema[col]


def _time_parser(dtype):
    """Turns the CLI's time texts back into values of the input's time type."""
    from pyspark.sql import types as T
    if isinstance(dtype, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return lambda xs: pd.Series([int(x) for x in xs], dtype="int64")
    if isinstance(dtype, (T.FloatType, T.DoubleType)):
        return lambda xs: pd.Series([float(x) for x in xs], dtype="float64")
    if isinstance(dtype, T.DateType):
        return lambda xs: pd.Series([pd.Timestamp(x).date() for x in xs], dtype="object")
    if isinstance(dtype, T.TimestampType) or type(dtype).__name__ == "TimestampNTZType":
        return lambda xs: pd.Series(pd.to_datetime(list(xs)))
    if isinstance(dtype, T.StringType):
        return lambda xs: pd.Series(list(xs), dtype="object")
    raise ForecastError(f"unsupported type of the time column: {dtype.simpleString()}")


def _out_schema(df, id_col, time_col, levels, extra):
    from pyspark.sql import types as T
    fields = [T.StructField(id_col, _field(df, id_col).dataType, True),
              T.StructField(time_col, _field(df, time_col).dataType, True),
              T.StructField("forecast", T.DoubleType(), True)]
    fields += [T.StructField(c, T.DoubleType(), True) for _, c in level_columns(levels)]
    fields += extra
    names = [f.name for f in fields]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ForecastError(f"output column name clash: {sorted(dup)} (rename the id or time column)")
    return T.StructType(fields)


def _rows_frame(gid, rows: ForecastRows, id_col, time_col, parse_time, levels, with_notes) -> pd.DataFrame:
    n = len(rows.values)
    d = {id_col: [gid] * n, time_col: parse_time(rows.times), "forecast": rows.values}
    for _, c in level_columns(levels):
        d[c] = rows.bounds[c]
    if with_notes:
        d["new_series"] = pd.Series(rows.new_series, dtype="object")
        d["fallback"] = pd.Series(rows.fallback, dtype="object")
    d["error"] = pd.Series([None] * n, dtype="object")
    return pd.DataFrame(d)


def _error_frame(gid, message, id_col, time_col, levels, with_notes) -> pd.DataFrame:
    d = {id_col: [gid], time_col: pd.Series([None], dtype="object"), "forecast": [None]}
    for _, c in level_columns(levels):
        d[c] = [None]
    if with_notes:
        d["new_series"] = pd.Series([None], dtype="object")
        d["fallback"] = pd.Series([None], dtype="object")
    d["error"] = [message]
    return pd.DataFrame(d)


def _finish(out, errors: str, id_col: str, what: str):
    """raise: compute (and cache) everything now, and raise naming the failed groups, so a bad group
    neither fails the job through Spark's task retries nor goes missing silently. report: lazy, with
    the `error` column."""
    if errors == "report":
        return out
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    out = out.persist(StorageLevel.MEMORY_AND_DISK)
    out.count()
    failed = out.where(F.col("error").isNotNull()).select(id_col, "error")
    n_failed = failed.count()
    if n_failed:
        listed = failed.orderBy(id_col).limit(_MAX_LISTED).collect()
        out.unpersist()
        lines = [f"  {r[id_col]!r}: {r['error']}" for r in listed]
        more = f"\n  ... and {n_failed - len(listed)} more" if n_failed > len(listed) else ""
        raise ForecastError(f"{what}: {n_failed} series failed (errors='report' returns one row per failed "
                            f"series instead):\n" + "\n".join(lines) + more)
    return out.drop("error")


# ----------------------------------------------------------------------------------------------------
# forecast_local: one model per series


def forecast_local(df, id_col: str, time_col: str, target: str, horizon: int, *,
                   intervals: Sequence = (80, 95), errors: str = "raise", binary: str | None = None,
                   ship_binary: bool = True, seed: int = 42, threads: int = 1, **fit_options):
    """Fits one model per series (group of `id_col`) and forecasts `horizon` steps after its end.

    Each group's rows (sorted by time; Spark keeps no order) are written to a temporary CSV on the
    executor, then `forecast fit --model` and `forecast predict --format json` run on it. A group's
    forecast depends only on its rows, the options, `seed` and `threads` (1 by default: Spark already
    runs one task per core; the same thread count is needed for bit-identical models).

    fit_options are `forecast fit` options in Python spelling: ensemble=1, max_steps=200,
    cell="gru", seasonal_period=[24, 168], allow_negative=True...

    Returns a DataFrame: id_col, time_col, forecast, lower_P/upper_P per level of `intervals`, and with
    errors="report" an `error` column (one row per failed series, forecasts null). errors="raise"
    computes the result at once (cached) and raises ForecastError naming the failed series.
    The binary: `binary`, else $FORECAST_BIN, else `forecast` on PATH; shipped with
    SparkContext.addFile (ship_binary=False: the path is valid on every executor as it is).
    """
    _check_errors(errors)
    _require_columns(df, [id_col, time_col, target], "forecast_local")
    horizon = int(horizon)
    if horizon < 1:
        raise ValueError("horizon must be >= 1")
    levels = list(intervals or ())
    flags = option_flags(fit_options)
    flags += ["--seed", str(int(seed)), "--threads", str(int(threads))]
    from pyspark.sql import types as T
    schema = _out_schema(df, id_col, time_col, levels, [T.StructField("error", T.StringType(), True)])
    exe = _binary(df.sparkSession, binary, ship_binary)
    _ship_package(df.sparkSession)
    parse_time = _time_parser(_field(df, time_col).dataType)
    interval_flags = ["--intervals", ",".join(level_name(v) for v in levels)] if levels else []

    def one_series(pdf: pd.DataFrame) -> pd.DataFrame:
        gid = pdf[id_col].iloc[0]
        path = _executor_binary(exe)           # a missing binary fails the job: it is not the group's fault
        try:
            pdf = pdf.sort_values(time_col, kind="mergesort")
            with tempfile.TemporaryDirectory(prefix="forecast-spark-") as tmp:
                data = os.path.join(tmp, "series.csv")
                model = os.path.join(tmp, "model.fcm")
                write_csv(data, pdf, [(time_col, time_col, "time"), (target, target, "value")])
                run([path, "fit", data, "--target", target, "--time-column", time_col,
                     "--horizon", str(horizon), "--model", model, "--quiet", *flags], "forecast fit")
                out = run([path, "predict", "--model", model, "--horizon", str(horizon),
                           "--format", "json", *interval_flags], "forecast predict")
            rows = parse_predict_json(out.stdout, levels)
            if len(rows.values) != horizon:
                raise ForecastError(f"forecast predict gave {len(rows.values)} rows, expected {horizon}")
            return _rows_frame(gid, rows, id_col, time_col, parse_time, levels, False)
        except BinaryNotFoundError:
            raise
        except Exception as e:
            return _error_frame(gid, f"series {gid!r}: {e}", id_col, time_col, levels, False)

    out = df.select(id_col, time_col, target).groupBy(id_col).applyInPandas(one_series, schema=schema)
    return _finish(out, errors, id_col, "forecast_local")


# ----------------------------------------------------------------------------------------------------
# forecast_global: one model, applied per partition


def read_model_header(path: str) -> dict:
    """The JSON header of a .fcm model file (docs/model-format.md), read without the binary."""
    with open(path, "rb") as f:
        head = f.read(16)
        if len(head) < 16 or head[:8] != b"FCSTMDL\0":
            raise ForecastError(f"{path} is not a forecast model file")
        (n,) = struct.unpack("<I", head[12:16])
        return json.loads(f.read(n).decode("utf-8"))


def fit_global(df, id_col: str, time_col: str, target: str, horizon: int, model_path: str, *,
               binary: str | None = None, seed: int = 42, threads: int | None = None, **fit_options) -> str:
    """Fits one global model over every series of `df` on the driver (one machine: the data is
    collected with toPandas) and writes it to model_path. Returns model_path."""
    _require_columns(df, [id_col, time_col, target], "fit_global")
    exe = resolve_binary(binary)
    flags = option_flags(fit_options) + ["--seed", str(int(seed))]
    if threads:
        flags += ["--threads", str(int(threads))]
    pdf = df.select(id_col, time_col, target).toPandas().sort_values([id_col, time_col], kind="mergesort")
    with tempfile.TemporaryDirectory(prefix="forecast-spark-") as tmp:
        data = os.path.join(tmp, "panel.csv")
        write_csv(data, pdf, [(id_col, id_col, "id"), (time_col, time_col, "time"), (target, target, "value")])
        run([exe, "fit", data, "--target", target, "--time-column", time_col, "--id-column", id_col,
             "--horizon", str(int(horizon)), "--model", model_path, "--quiet", *flags], "forecast fit (global)")
    return model_path


def forecast_global(df, model_path: str, horizon: int, *, id_col: str | None = None,
                    time_col: str | None = None, target: str | None = None,
                    intervals: Sequence = (80, 95), errors: str = "raise", binary: str | None = None,
                    ship_binary: bool = True, partitions: int | None = None):
    """Forecasts every series of `df` with one fitted model file (e.g. from fit_global or
    `forecast fit --id-column`). The model and the binary go to the executors with
    SparkContext.addFile; rows are repartitioned by series id so each series is whole in one
    partition, and each partition is forecast by one `forecast predict --data ... --format json`.

    Column names default to the model's (its id, time and target columns); covariates the model
    uses must be present under their own names. A series the model was not trained on is forecast
    from its own history when the binary supports it (the `new_series` column says so).

    Returns id_col, time_col, forecast, lower_P/upper_P, new_series, fallback (why a short series got
    a statistical forecast), plus `error` with errors="report". errors="raise" computes the result at
    once (cached) and raises ForecastError naming the failed series.
    """
    _check_errors(errors)
    if not os.path.isfile(model_path):
        raise ForecastError(f"forecast_global: model file not found: {model_path}")
    header = read_model_header(model_path)
    m_id, m_time, m_target = header.get("idColumn"), header.get("timeColumn"), header.get("targetName")
    covs = list(header.get("covariateNames") or [])
    covs += [c for c in (header.get("config", {}).get("futureCovariates") or []) if c not in covs]
    id_col = id_col or m_id
    time_col = time_col or m_time
    target = target or m_target
    if not id_col:
        raise ForecastError("forecast_global: the model was fitted without --id-column; pass id_col")
    if not time_col:
        raise ForecastError("forecast_global: the model names no time column; pass time_col")
    _require_columns(df, [id_col, time_col, target, *covs], "forecast_global")
    horizon = int(horizon)
    if horizon < 1:
        raise ValueError("horizon must be >= 1")
    levels = list(intervals or ())
    from pyspark.sql import types as T
    schema = _out_schema(df, id_col, time_col, levels, [
        T.StructField("new_series", T.BooleanType(), True),
        T.StructField("fallback", T.StringType(), True),
        T.StructField("error", T.StringType(), True)])
    spark = df.sparkSession
    exe = _binary(spark, binary, ship_binary)
    model = _ship(spark, os.path.abspath(model_path), "model file", True)
    _ship_package(spark)
    parse_time = _time_parser(_field(df, time_col).dataType)
    interval_flags = ["--intervals", ",".join(level_name(v) for v in levels)] if levels else []
    # The CSV given to predict uses the model's column names.
    csv_cols = ([(m_id, id_col, "id")] if m_id else []) + [
        (m_time or time_col, time_col, "time"), (m_target or target, target, "value")] + [
        (c, c, "value") for c in covs]

    def predict(path, model_file, pdf):
        with tempfile.TemporaryDirectory(prefix="forecast-spark-") as tmp:
            data = os.path.join(tmp, "data.csv")
            write_csv(data, pdf, csv_cols)
            out = run([path, "predict", "--model", model_file, "--horizon", str(horizon), "--data", data,
                       "--format", "json", *interval_flags], "forecast predict")
        return parse_predict_json(out.stdout, levels)

    def split(rows: ForecastRows, ids) -> dict:
        """Rows of the JSON per series id of the partition (the CLI prints ids as text)."""
        by_text = {str(g): g for g in ids}
        parts: dict = {g: [] for g in ids}
        for i, rid in enumerate(rows.ids):
            key = by_text.get(str(rid)) if rid is not None else (ids[0] if len(ids) == 1 else None)
            if key is None:
                raise ForecastError(f"forecast predict returned series {rid!r}, which was not in its input")
            parts[key].append(i)
        return parts

    def frame_of(rows: ForecastRows, idx, gid) -> pd.DataFrame:
        sub = ForecastRows(
            ids=[rows.ids[i] for i in idx], times=[rows.times[i] for i in idx],
            values=[rows.values[i] for i in idx],
            bounds={c: [v[i] for i in idx] for c, v in rows.bounds.items()},
            new_series=[rows.new_series[i] for i in idx], fallback=[rows.fallback[i] for i in idx])
        if len(sub.values) != horizon:
            raise ForecastError(f"forecast predict gave {len(sub.values)} rows for it, expected {horizon}")
        return _rows_frame(gid, sub, id_col, time_col, parse_time, levels, True)

    def one_partition(batches):
        frames = [b for b in batches if len(b)]
        if not frames:
            return
        pdf = pd.concat(frames, ignore_index=True).sort_values([id_col, time_col], kind="mergesort")
        ids = list(pd.unique(pdf[id_col]))
        path = _executor_binary(exe)
        model_file = model.local_path()
        if m_id:   # one call for the whole partition
            try:
                rows = predict(path, model_file, pdf)
                parts = split(rows, ids)
                yield pd.concat([frame_of(rows, parts[g], g) for g in ids], ignore_index=True)
                return
            except BinaryNotFoundError:
                raise
            except Exception as e:
                if len(ids) == 1:
                    yield _error_frame(ids[0], f"series {ids[0]!r}: {e}", id_col, time_col, levels, True)
                    return
        # Series by series: a model without an id column, or a partition that failed as a whole
        # (so that one bad series is named and the others still get their forecasts).
        for g in ids:
            sub = pdf[pdf[id_col] == g]
            try:
                rows = predict(path, model_file, sub)
                yield frame_of(rows, split(rows, [g])[g], g)
            except BinaryNotFoundError:
                raise
            except Exception as e:
                yield _error_frame(g, f"series {g!r}: {e}", id_col, time_col, levels, True)

    cols = [id_col, time_col, target, *[c for c in covs if c not in (id_col, time_col, target)]]
    src = df.select(*cols)
    src = src.repartition(partitions, id_col) if partitions else src.repartition(id_col)
    out = src.mapInPandas(one_partition, schema=schema)
    return _finish(out, errors, id_col, "forecast_global")
