#!/usr/bin/env bash
# Runs ours and the references interleaved, RUNS times each, and prints a Markdown table of medians;
# also writes it, with the raw measurements, to Benchmarks/reference/results/speed.{md,jsonl}, which
# scripts/readme_tables.py copies into the README.
#   VENV=... RUNS=3 bash Benchmarks/reference/run.sh
# Builds forecast in release first. One thread and all cores; LSTM and GRU; train, infer, latency; CSV ingest.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-$HOME/.cache/forecast-bench-venv}
PY="$VENV/bin/python"
RUNS=${RUNS:-3}
ALL=$(nproc)
# OpenBLAS misdetects some CPUs and falls back to SSE3 kernels without this (shared TECH-NOTES §2).
# SkylakeX kernels need AVX-512 (they die with SIGILL elsewhere); Haswell's need AVX2.
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then default_core=SkylakeX; else default_core=Haswell; fi
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-$default_core}
swift build -c release --product forecast >&2
OUT=$(mktemp)
for r in $(seq "$RUNS"); do
  for cell in lstm gru; do
    for threads in 1 "$ALL"; do
      .build/release/forecast bench --workload train --cell "$cell" --threads "$threads" --json | sed 's/^{/{"impl":"forecast",/' >> "$OUT"
      (cd Benchmarks/reference && "$PY" torch_s2s.py --workload train --cell "$cell" --threads "$threads") >> "$OUT"
      (cd Benchmarks/reference && "$PY" keras_s2s.py --workload train --cell "$cell" --threads "$threads") >> "$OUT"
    done
    for w in infer latency; do
      .build/release/forecast bench --workload "$w" --cell "$cell" --json | sed 's/^{/{"impl":"forecast",/' >> "$OUT"
      (cd Benchmarks/reference && "$PY" torch_s2s.py --workload "$w" --cell "$cell") >> "$OUT"
      (cd Benchmarks/reference && "$PY" keras_s2s.py --workload "$w" --cell "$cell") >> "$OUT"
    done
  done
  .build/release/forecast bench --workload csv --json | sed 's/^{/{"impl":"forecast",/' >> "$OUT"
  "$PY" Benchmarks/reference/csv_pandas.py "${TMPDIR:-/tmp}/forecast-bench-100mb.csv" >> "$OUT"
  "$PY" Benchmarks/reference/peak.py >> "$OUT"
done
mkdir -p Benchmarks/reference/results
cp "$OUT" Benchmarks/reference/results/speed.jsonl
"$PY" Benchmarks/reference/table.py "$OUT" "$(git rev-parse --short HEAD)" | tee Benchmarks/reference/results/speed.md
