#!/usr/bin/env bash
# Runs the concurrent-prediction test (Tests/ForecastModelsTests/ConcurrentPredictTests.swift:
# several tasks predicting with one model, compared bit for bit with sequential forecasts) under
# ThreadSanitizer, in a debug build of its own. Fails on any reported data race.
#   bash scripts/tsan_predict.sh             (build folder .build-tsan)
#   TSAN_SCRATCH=/tmp/tsan bash scripts/tsan_predict.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make deps
ARGS=(--sanitize=thread --scratch-path "${TSAN_SCRATCH:-.build-tsan}")
swift build "${ARGS[@]}" --build-tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# halt_on_error: the first race fails the run at once, with its report.
status=0
TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}" \
    swift test "${ARGS[@]}" --skip-build --filter ConcurrentPredictTests 2>&1 | tee "$log" || status=$?
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    echo "tsan_predict: ThreadSanitizer reported a race" >&2
    exit 1
fi
[ "$status" -eq 0 ] || { echo "tsan_predict: the test failed (exit $status)" >&2; exit "$status"; }
echo "tsan_predict: clean"
