#!/usr/bin/env bash
# Times `forecast evaluate` on one series of 10^5 ... 10^6 rows (a daily-seasonal sine with noise),
# to check that it grows linearly in the rows: seconds per million rows should stay about flat.
#   bash Benchmarks/evaluate_rows.sh [path/to/forecast] [rows...]   (default .build/release/forecast)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/forecast}
shift || true
ROWS=("${@:-100000 300000 1000000}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
make_csv() {
  awk -v n="$1" 'BEGIN { srand(1); print "t,v"; for (t = 0; t < n; t++) printf "%d,%.4f\n", t, 10 + sin(t * 0.2618) + 0.1 * rand() }' > "$2"
}
make_csv 3000 "$TMP/train.csv"
"$BIN" fit "$TMP/train.csv" --target v --horizon 24 --epochs 1 --hidden 8 --ensemble 1 --quiet --model "$TMP/m.fcm"
printf '%10s %10s %16s\n' rows seconds "s per 1M rows"
for n in ${ROWS[*]}; do
  make_csv "$n" "$TMP/e.csv"
  start=$(date +%s.%N)
  "$BIN" evaluate "$TMP/e.csv" --model "$TMP/m.fcm" --holdout 24 > /dev/null 2>&1
  end=$(date +%s.%N)
  awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%10d %10.2f %16.2f\n", n, e - s, (e - s) / n * 1e6 }'
done
