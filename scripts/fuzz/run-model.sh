#!/usr/bin/env bash
# Builds the model-file fuzz target with libFuzzer and AddressSanitizer and runs it.
#   bash scripts/fuzz/run-model.sh [seconds]     (default 600)
# Crashes are written to .build-fuzz/model/crash-*; the corpus grows in .build-fuzz/model/corpus.
# The seeds in scripts/fuzz/model-corpus are small model files and their headers (make-seeds.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-600}
OUT=.build-fuzz/model
mkdir -p "$OUT/corpus" "$OUT/include" "$OUT/obj"
cp scripts/fuzz/model-corpus/* "$OUT/corpus/" 2>/dev/null || true
# The C kernels, instrumented, and a module map for them.
for c in Sources/CForecastKernels/*.c; do
  clang -O2 -fsanitize=address,fuzzer-no-link -I Sources/CForecastKernels/include -c "$c" -o "$OUT/obj/$(basename "$c" .c).o"
done
cat > "$OUT/include/module.modulemap" <<MAP
module CForecastKernels {
  header "$PWD/Sources/CForecastKernels/include/CForecastKernels.h"
  export *
}
MAP
# The four library modules are compiled as one module with the target, so their imports of each
# other go (as the CSV target does with ForecastData).
mkdir -p "$OUT/src"
rm -f "$OUT/src"/*.swift "$OUT/model-fuzzer"   # a failed build must not leave an older fuzzer to run
for f in $(find Sources/ForecastData Sources/ForecastNN Sources/ForecastMetrics Sources/ForecastModels -name '*.swift') scripts/fuzz/ModelFileFuzzer.swift; do
  grep -vE '^import (ForecastData|ForecastNN|ForecastMetrics|ForecastModels)$' "$f" > "$OUT/src/$(echo "$f" | tr / _)"
done
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name ModelFileFuzzer -package-name forecast \
  -I Sources/CLibCSV -I "$OUT/include" -lcsv \
  "$OUT/src"/*.swift "$OUT/obj"/*.o \
  -o "$OUT/model-fuzzer" 2>&1 | grep -v warning || true
test -x "$OUT/model-fuzzer"
"$OUT/model-fuzzer" "$OUT/corpus" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
  -artifact_prefix="$OUT/" -print_final_stats=1
