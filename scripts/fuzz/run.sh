#!/usr/bin/env bash
# Builds the CSV fuzz target with libFuzzer and AddressSanitizer and runs it.
#   bash scripts/fuzz/run.sh [seconds]     (default 600)
# Crashes are written to .build-fuzz/crash-*; the corpus grows in .build-fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-600}
OUT=.build-fuzz
mkdir -p "$OUT/corpus"
cp scripts/fuzz/corpus/* "$OUT/corpus/" 2>/dev/null || true
cp datasets/airline_passengers.csv "$OUT/corpus/" 2>/dev/null || true
# The target is compiled in one module with ForecastData's sources, so its import line goes.
grep -v '^import ForecastData' scripts/fuzz/CSVFuzzer.swift > "$OUT/CSVFuzzer.swift"
# A failed build must not leave an older fuzzer to run (compiler errors are shown, warnings not).
rm -f "$OUT/csv-fuzzer"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name CSVFuzzer -package-name forecast \
  -I Sources/CLibCSV -lcsv \
  $(find Sources/ForecastData -name '*.swift') "$OUT/CSVFuzzer.swift" \
  -o "$OUT/csv-fuzzer" 2>&1 | grep -v warning || true
test -x "$OUT/csv-fuzzer"
"$OUT/csv-fuzzer" "$OUT/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 -artifact_prefix="$OUT/" -print_final_stats=1
