#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer (optimised, in its own build folder).
#   bash scripts/asan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make deps
ARGS=(-c release -Xswiftc -enable-testing --sanitize=address --scratch-path .build-asan)
swift build "${ARGS[@]}" --build-tests
# Leaks inside XCTest's runner and Foundation.Process are suppressed (scripts/lsan.supp); ours are not.
LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0" swift test "${ARGS[@]}" --skip-build
