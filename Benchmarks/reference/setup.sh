#!/usr/bin/env bash
# Creates the virtual environment the reference benchmarks run in (not part of CI): PyTorch (the
# registry's Linux wheel is the CUDA build, several GB; it runs on the CPU), TensorFlow CPU with Keras,
# numpy and pandas.
set -euo pipefail
VENV=${VENV:-$HOME/.cache/forecast-bench-venv}
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q torch tensorflow-cpu numpy pandas
echo "$VENV"
