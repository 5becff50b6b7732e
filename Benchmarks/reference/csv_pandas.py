#!/usr/bin/env python3
"""CSV-INGEST reference: pandas.read_csv of the file `forecast bench --workload csv` generates.
Prints one JSON line like forecast bench: mb_per_second (median of 3), peak_rss_bytes."""
import json, os, resource, statistics, sys, time
import pandas as pd

path = sys.argv[1]
size = os.path.getsize(path)
times = []
for _ in range(3):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    times.append(time.perf_counter() - t0)
    del df
print(json.dumps({"workload": "csv", "impl": "pandas " + pd.__version__, "mb_per_second": size / 1e6 / statistics.median(times),
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
