"""forecast_spark: forecast Spark DataFrames with the `forecast` binary (see integrations/spark/README.md).

    from forecast_spark import forecast_local, forecast_global, fit_global
"""
from ._cli import BinaryNotFoundError, ForecastError, resolve_binary
from .spark import fit_global, forecast_global, forecast_local, read_model_header

__all__ = ["forecast_local", "forecast_global", "fit_global", "read_model_header", "resolve_binary",
           "ForecastError", "BinaryNotFoundError"]
__version__ = "0.1.0"
