#!/usr/bin/env bash
# Writes the seed corpus of the model-file fuzz target: small model files of different shapes
# (LSTM/GRU, ensembles, covariates, future covariates, integer steps) and their JSON headers.
#   bash scripts/fuzz/make-model-seeds.sh [path/to/forecast]   (default .build/release/forecast)
# The committed seeds without a suffix are format 2 (written before format 3, kept so the fuzzer
# exercises the format-2 reader; their .json headers are `ModelFile.Header`s); airline-lstm-v3 and
# weather-covariates-v3 are the first and fourth fits below written in format 3 (their .json
# headers are `ModelFile.CompactHeader`s); panel-short-v3 is the panel fit below (format 3, with
# `shortSeries`). Run with SUFFIX=-v3 to write current-format seeds beside them.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.build/release/forecast}
OUT=scripts/fuzz/model-corpus
TMP=$(mktemp -d)
mkdir -p "$OUT"
small=(--epochs 1 --hidden 2 --quiet)
"$BIN" fit datasets/airline_passengers.csv --target passengers --horizon 3 "${small[@]}" --model "$OUT/airline-lstm${SUFFIX:-}.fcm"
"$BIN" fit datasets/airline_passengers.csv --target passengers --horizon 2 --cell gru --ensemble 1 --combine network "${small[@]}" --model "$OUT/airline-gru${SUFFIX:-}.fcm"
"$BIN" fit datasets/nile_flow_yearly.csv --target volume --horizon 2 --encoder gru --decoder lstm --layers 2 --seasonal-period none "${small[@]}" --model "$OUT/nile-mixed${SUFFIX:-}.fcm"
head -200 datasets/seattle_weather_daily.csv > "$TMP/weather.csv"
"$BIN" fit "$TMP/weather.csv" --target temp_max_c --covariates temp_min_c --future-covariates wind_ms --horizon 2 --lookback 8 "${small[@]}" --model "$OUT/weather-covariates${SUFFIX:-}.fcm"
printf 't,v\n' > "$TMP/index.csv"; for i in $(seq 0 59); do echo "$((i * 5)),$((i % 7))" >> "$TMP/index.csv"; done
"$BIN" fit "$TMP/index.csv" --target v --horizon 2 --lookback 6 --ensemble 3 "${small[@]}" --model "$OUT/index-ensemble${SUFFIX:-}.fcm"
# A panel with two series too short to train on (kept whole in the model's shortSeries), one with a gap.
printf 'id,t,v\n' > "$TMP/panel.csv"; for s in a b; do for i in $(seq 0 39); do echo "$s,$i,$((i % 5 + 1))" >> "$TMP/panel.csv"; done; done
printf 'c,0,1\nc,1,\nc,2,3\nd,0,2\nd,1,4\n' >> "$TMP/panel.csv"
"$BIN" fit "$TMP/panel.csv" --target v --id-column id --horizon 2 --lookback 6 --fill interpolate "${small[@]}" --model "$OUT/panel-short${SUFFIX:-}.fcm" 2>/dev/null
# The headers alone: the target wraps a header into a file with zero weights.
for f in "$OUT"/*.fcm; do
  python3 - "$f" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<I', b[12:16])[0]
open(sys.argv[1][:-4] + '.json', 'wb').write(b[16:16 + n])
PY
done
rm -rf "$TMP"
ls -l "$OUT"
