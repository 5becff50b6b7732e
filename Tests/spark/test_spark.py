"""forecast_spark on a real Spark (local[2]) against the CLI, on the bundled M4 Hourly panel.

Every forecast and interval bound that Spark returns must equal, as a double, what `forecast` prints
with --format json for the same series, seed and options. Run by `make spark-test` (which sets
FORECAST_BIN, PYSPARK_PYTHON and PYTHONPATH); directly:

    FORECAST_BIN=.build/release/forecast PYSPARK_PYTHON=.venv-spark/bin/python \
      PYTHONPATH=integrations/spark .venv-spark/bin/python -m pytest -q Tests/spark
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
from collections import defaultdict

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "integrations", "spark"))

from forecast_spark import (BinaryNotFoundError, ForecastError, fit_global,  # noqa: E402
                            forecast_global, forecast_local, read_model_header)
from forecast_spark._cli import format_values, option_flags  # noqa: E402

PANEL = os.path.join(ROOT, "datasets", "m4_hourly_panel.csv")
BIN = os.path.abspath(os.environ.get("FORECAST_BIN", os.path.join(ROOT, ".build", "release", "forecast")))
H = 24
LEVELS = (80, 95)
SEED = 7
# Small and fast, and the same for Spark and the reference CLI runs.
FIT = dict(ensemble=1, max_steps=150, hidden=16)
FIT_FLAGS = ["--ensemble", "1", "--max-steps", "150", "--hidden", "16", "--seed", str(SEED), "--threads", "1"]
BOUNDS = ["lower_80", "upper_80", "lower_95", "upper_95"]
# The global model is trained on all series but this one, which it must forecast as a new series.
UNSEEN = "H413"


def read_panel():
    """{series: [(t text, value text), ...]} exactly as in the file."""
    panel = defaultdict(list)
    with open(PANEL, newline="") as f:
        for row in csv.DictReader(f):
            panel[row["series"]].append((row["t"], row["value"]))
    return dict(panel)


def write_series(path, rows, sid=None):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow((["series"] if sid else []) + ["t", "value"])
        for t, v in rows:
            w.writerow(([sid] if sid else []) + [t, v])


def cli(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"forecast {' '.join(args)} failed: {p.stderr}")
    return p.stdout


def cli_forecasts(*args):
    doc = json.loads(cli(*args, "--format", "json"))
    assert doc["schema"] == "forecast.predict/1"
    return doc["forecasts"]


def timed(label, fn):
    start = time.perf_counter()
    out = fn()
    print(f"\n[timing] {label}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return out


class SparkForecastTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(BIN, os.X_OK):
            raise RuntimeError(f"no forecast binary at {BIN} (set FORECAST_BIN)")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession
        cls.spark = (SparkSession.builder.master("local[2]").appName("forecast-spark-tests")
                     .config("spark.ui.enabled", "false")
                     .config("spark.ui.showConsoleProgress", "false")
                     .config("spark.sql.shuffle.partitions", "4")
                     .config("spark.sql.session.timeZone", "UTC")
                     .getOrCreate())
        cls.spark.sparkContext.setLogLevel("ERROR")
        cls.tmp = tempfile.mkdtemp(prefix="forecast-spark-test-")
        cls.panel = read_panel()
        cls.df = cls.spark.read.csv(PANEL, header=True, schema="series string, t long, value double")
        cls._local = None
        cls._model = None

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()

    # ---- references from the CLI ------------------------------------------------------------------

    def cli_local(self, sid):
        """forecast fit + predict on one series' rows, as a user would run them by hand."""
        data = os.path.join(self.tmp, f"local-{sid}.csv")
        model = os.path.join(self.tmp, f"local-{sid}.fcm")
        write_series(data, self.panel[sid])
        cli("fit", data, "--target", "value", "--time-column", "t", "--horizon", str(H), "--model", model,
            "--quiet", *FIT_FLAGS)
        return cli_forecasts("predict", "--model", model, "--horizon", str(H), "--intervals", "80,95")

    def global_model(self):
        """One model fitted once by the CLI on the panel without UNSEEN (rows shuffled in the file:
        forecast sorts them)."""
        if SparkForecastTests._model is None:
            data = os.path.join(self.tmp, "panel-train.csv")
            with open(data, "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(["series", "t", "value"])
                for sid in sorted(self.panel):
                    if sid != UNSEEN:
                        for t, v in self.panel[sid]:
                            w.writerow([sid, t, v])
            model = os.path.join(self.tmp, "global.fcm")
            timed("CLI global fit (7 series)", lambda: cli(
                "fit", data, "--target", "value", "--time-column", "t", "--id-column", "series",
                "--horizon", str(H), "--model", model, "--quiet", *FIT_FLAGS))
            SparkForecastTests._model = model
        return SparkForecastTests._model

    def cli_global(self, sid, rows=None, beside=()):
        """`forecast predict --data` on a file holding series sid (and the series `beside`), its rows."""
        data = os.path.join(self.tmp, f"global-{sid}.csv")
        with open(data, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["series", "t", "value"])
            for s, rs in [(sid, rows or self.panel[sid])] + [(b, self.panel[b]) for b in beside]:
                w.writerows([s, t, v] for t, v in rs)
        got = cli_forecasts("predict", "--model", self.global_model(), "--horizon", str(H), "--data", data,
                            "--intervals", "80,95")
        return [f for f in got if f["id"] == sid]

    # ---- comparison -------------------------------------------------------------------------------

    def assert_equal_to_cli(self, rows, reference, sid):
        """rows: Spark Rows of one series; reference: the CLI's JSON forecasts. Exact equality."""
        self.assertEqual(len(rows), H, f"{sid}: {len(rows)} rows from Spark")
        self.assertEqual(len(reference), H)
        by_time = {r["t"]: r for r in rows}
        self.assertEqual(sorted(by_time), sorted(int(f["time"]) for f in reference), sid)
        for f in reference:
            r = by_time[int(f["time"])]
            self.assertEqual(r["forecast"], f["value"], f"{sid} t={f['time']}: {r['forecast']!r} != {f['value']!r}")
            for b in BOUNDS:
                self.assertEqual(r[b], f[b], f"{sid} t={f['time']} {b}: {r[b]!r} != {f[b]!r}")

    @staticmethod
    def by_series(rows):
        out = defaultdict(list)
        for r in rows:
            out[r["series"]].append(r.asDict())
        return out

    def local_result(self):
        if SparkForecastTests._local is None:
            res = timed("forecast_local, 8 series, local[2]", lambda: forecast_local(
                self.df, "series", "t", "value", H, intervals=LEVELS, seed=SEED, **FIT).collect())
            SparkForecastTests._local = self.by_series(res)
        return SparkForecastTests._local

    # ---- forecast_local ---------------------------------------------------------------------------

    def test_local_equals_cli_for_every_series(self):
        got = self.local_result()
        self.assertEqual(sorted(got), sorted(self.panel))
        self.assertNotIn("error", next(iter(got.values()))[0])
        for sid in sorted(self.panel):
            self.assert_equal_to_cli(got[sid], self.cli_local(sid), sid)

    def test_local_ignores_row_order(self):
        from pyspark.sql import functions as F
        shuffled = self.df.orderBy(F.rand(seed=3)).repartition(3)
        res = self.by_series(forecast_local(shuffled, "series", "t", "value", H, intervals=LEVELS, seed=SEED,
                                            **FIT).collect())
        expected = self.local_result()
        self.assertEqual(sorted(res), sorted(expected))
        for sid in expected:
            key = lambda r: r["t"]  # noqa: E731
            self.assertEqual(sorted(res[sid], key=key), sorted(expected[sid], key=key), sid)

    def test_local_seed_is_passed(self):
        # A different seed gives a different network, so the comparisons above are not vacuous.
        one = self.df.where("series = 'H10'")
        other = forecast_local(one, "series", "t", "value", H, intervals=(), seed=SEED + 1,
                               combine="network", **FIT).collect()
        same = forecast_local(one, "series", "t", "value", H, intervals=(), seed=SEED,
                              combine="network", **FIT).collect()
        self.assertNotEqual(sorted((r["t"], r["forecast"]) for r in other),
                            sorted((r["t"], r["forecast"]) for r in same))

    def short_df(self):
        """H1 plus a series of 5 points, far too short to fit."""
        short = self.spark.createDataFrame([("SHORT", t, float(t % 3)) for t in range(1, 6)],
                                           "series string, t long, value double")
        return self.df.where("series = 'H1'").unionByName(short)

    def test_local_failing_group_raises_naming_it(self):
        with self.assertRaises(ForecastError) as cm:
            forecast_local(self.short_df(), "series", "t", "value", H, intervals=LEVELS, seed=SEED, **FIT)
        msg = str(cm.exception)
        self.assertIn("'SHORT'", msg)
        self.assertIn("1 series failed", msg)
        self.assertIn("forecast fit failed", msg)
        self.assertNotIn("'H1'", msg)

    def test_local_failing_group_reported(self):
        res = forecast_local(self.short_df(), "series", "t", "value", H, intervals=LEVELS, seed=SEED,
                             errors="report", **FIT).collect()
        got = self.by_series(res)
        self.assertEqual(sorted(got), ["H1", "SHORT"])
        self.assertEqual(len(got["SHORT"]), 1)
        bad = got["SHORT"][0]
        self.assertIn("'SHORT'", bad["error"])
        self.assertIsNone(bad["forecast"])
        self.assertIsNone(bad["t"])
        self.assertTrue(all(r["error"] is None for r in got["H1"]))
        self.assertEqual(sorted((r["t"], r["forecast"]) for r in got["H1"]),
                         sorted((r["t"], r["forecast"]) for r in self.local_result()["H1"]))

    def test_missing_binary(self):
        with self.assertRaises(BinaryNotFoundError) as cm:
            forecast_local(self.df, "series", "t", "value", H, binary="/nonexistent/forecast")
        self.assertIn("/nonexistent/forecast", str(cm.exception))
        saved = os.environ.pop("FORECAST_BIN", None)
        path = os.environ.get("PATH", "")
        os.environ["PATH"] = "/nonexistent"
        try:
            with self.assertRaises(BinaryNotFoundError) as cm:
                forecast_local(self.df, "series", "t", "value", H)
            self.assertIn("FORECAST_BIN", str(cm.exception))
        finally:
            os.environ["PATH"] = path
            if saved is not None:
                os.environ["FORECAST_BIN"] = saved

    def test_binary_missing_on_executors(self):
        # ship_binary=False: the path is taken as valid on the executors; there it is not.
        with self.assertRaises(Exception) as cm:
            forecast_local(self.df.where("series = 'H1'"), "series", "t", "value", H,
                           binary="/nonexistent/forecast", ship_binary=False)
        self.assertIn("is not on this executor", str(cm.exception))

    def test_missing_id_column(self):
        with self.assertRaises(ForecastError) as cm:
            forecast_local(self.df.drop("series"), "series", "t", "value", H)
        self.assertIn("'series'", str(cm.exception))
        with self.assertRaises(ForecastError) as cm:
            forecast_global(self.df.drop("series"), self.global_model(), H)
        self.assertIn("'series'", str(cm.exception))

    # ---- forecast_global --------------------------------------------------------------------------

    def test_global_equals_cli_for_every_series(self):
        model = self.global_model()
        self.assertEqual(read_model_header(model)["idColumn"], "series")
        seen = self.df.where(f"series != '{UNSEEN}'")
        res = self.by_series(timed("forecast_global, 7 series, local[2]",
                                   lambda: forecast_global(seen, model, H, intervals=LEVELS).collect()))
        self.assertEqual(sorted(res), sorted(s for s in self.panel if s != UNSEEN))
        for sid in sorted(res):
            self.assert_equal_to_cli(res[sid], self.cli_global(sid), sid)
            self.assertTrue(all(r["new_series"] is False and r["fallback"] is None for r in res[sid]), sid)
        # Shuffled rows and another partitioning: the same forecasts.
        from pyspark.sql import functions as F
        shuffled = seen.orderBy(F.rand(seed=11))
        again = self.by_series(forecast_global(shuffled, model, H, intervals=LEVELS, partitions=3).collect())
        key = lambda r: r["t"]  # noqa: E731
        for sid in res:
            self.assertEqual(sorted(again[sid], key=key), sorted(res[sid], key=key), sid)

    def test_global_new_series_forecast_and_marked(self):
        # UNSEEN is not in the model: forecast from its own history, marked new_series, and equal to
        # `forecast predict --data` on that series alone; the same partition holds trained series.
        model = self.global_model()
        self.assertNotIn(UNSEEN, [s["id"] for s in read_model_header(model)["series"]])
        res = self.by_series(forecast_global(self.df, model, H, intervals=LEVELS, partitions=2).collect())
        self.assertEqual(sorted(res), sorted(self.panel))
        self.assertTrue(all(r["new_series"] is True for r in res[UNSEEN]))
        self.assertTrue(all(r["new_series"] is False for s in res if s != UNSEEN for r in res[s]))
        self.assert_equal_to_cli(res[UNSEEN], self.cli_global(UNSEEN), UNSEEN)

    def test_global_short_series_gets_marked_fallback(self):
        # 30 points, fewer than the model's lookback: a seasonal-naive fallback, said in `fallback`.
        model = self.global_model()
        self.assertGreater(read_model_header(model)["config"]["lookback"], 30)
        rows = self.panel["H1"][-30:]
        short = self.spark.createDataFrame([("H1TAIL", int(t), float(v)) for t, v in rows],
                                           "series string, t long, value double")
        res = forecast_global(short.unionByName(self.df.where("series = 'H10'")), model, H,
                              intervals=LEVELS, partitions=1).collect()
        got = self.by_series(res)
        self.assertEqual(sorted(got), ["H10", "H1TAIL"])
        self.assertTrue(all(r["fallback"] for r in got["H1TAIL"]))
        self.assertTrue(all(r["fallback"] is None for r in got["H10"]))
        # Compared with the CLI on a file holding both series, as the partition did, and on the short
        # series alone: a panel model gives the same fallback either way.
        self.assert_equal_to_cli(got["H1TAIL"], self.cli_global("H1TAIL", rows, beside=["H10"]), "H1TAIL")
        self.assert_equal_to_cli(got["H1TAIL"], self.cli_global("H1TAIL", rows), "H1TAIL")
        self.assert_equal_to_cli(got["H10"], self.cli_global("H10"), "H10")

    def test_fit_global_equals_cli_fit(self):
        # fit_global on shuffled rows: the same model as the CLI's fit of the sorted file, so the same
        # forecasts after the training data.
        from pyspark.sql import functions as F
        path = os.path.join(self.tmp, "fit_global.fcm")
        seen = self.df.where(f"series != '{UNSEEN}'").orderBy(F.rand(seed=5))
        timed("fit_global, 7 series", lambda: fit_global(seen, "series", "t", "value", H, path, seed=SEED,
                                                         threads=1, **FIT))
        mine = cli_forecasts("predict", "--model", path, "--horizon", str(H), "--intervals", "80,95")
        ref = cli_forecasts("predict", "--model", self.global_model(), "--horizon", str(H), "--intervals", "80,95")
        self.assertEqual(len(mine), 7 * H)
        self.assertEqual(mine, ref)

    def test_global_bad_series_reported_others_kept(self):
        # Two series in one partition; one has a duplicated time stamp, which forecast refuses.
        model = self.global_model()
        dup = self.spark.createDataFrame([("DUP", t, float(t)) for t in list(range(1, 200)) + [199]],
                                         "series string, t long, value double")
        df = self.df.where("series = 'H1'").unionByName(dup)
        res = self.by_series(forecast_global(df, model, H, intervals=LEVELS, errors="report",
                                             partitions=1).collect())
        self.assertEqual(sorted(res), ["DUP", "H1"])
        self.assertEqual(len(res["DUP"]), 1)
        self.assertIn("'DUP'", res["DUP"][0]["error"])
        self.assertIsNone(res["DUP"][0]["forecast"])
        self.assert_equal_to_cli(res["H1"], self.cli_global("H1"), "H1")
        with self.assertRaises(ForecastError) as cm:
            forecast_global(df, model, H, intervals=LEVELS, partitions=1)
        self.assertIn("'DUP'", str(cm.exception))


class HelperTests(unittest.TestCase):
    """The pieces that need no Spark."""

    def test_option_flags(self):
        self.assertEqual(option_flags(dict(max_steps=200, allow_negative=True, fill=None, quiet_x=False,
                                           seasonal_period=[24, 168], learning_rate=0.001)),
                         ["--max-steps", "200", "--allow-negative", "--seasonal-period", "24,168",
                          "--learning-rate", "0.001"])
        with self.assertRaises(ValueError):
            option_flags(dict(horizon=3))

    def test_values_keep_full_precision(self):
        import pandas as pd
        xs = [0.1 + 0.2, 1e-17, 123456789.123456789, 2.0 / 3.0]
        texts = format_values(pd.Series(xs + [float("nan")]))
        self.assertEqual([float(t) for t in texts[:-1]], xs)
        self.assertEqual(texts[-1], "")


if __name__ == "__main__":
    unittest.main()
