#!/bin/sh
# Creates .venv-bench under the repo root (numpy, for the M4 scorer) unless it exists already.
# scripts/accuracy.py needs only the standard library; m4_hourly.py re-runs itself with this venv.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv-bench}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet numpy
fi
"$VENV/bin/python" -c 'import numpy; print("numpy", numpy.__version__, "in '"$VENV"'")'
