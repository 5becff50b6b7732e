#!/usr/bin/env bash
# Proves that another package can depend on ForecastKit by URL and version, as Swift users consume
# libraries: SwiftPM refuses such a dependency if any target of the product carries unsafeFlags.
#
# Clones this repository's committed HEAD into a temporary directory and tags it there (9999.0.0, a
# version no release will reach, so `from:` cannot pick an older tag), creates a tiny package that
# declares `.package(url: "file://<clone>", from: "9999.0.0")` and uses the ForecastKit product,
# builds it in release mode and forecasts the bundled airline series with it.
#
#   bash scripts/check_versioned_dependency.sh [revision]   # default HEAD; about 3 minutes on 2 cores
#
# Called by .ci/run. Any other revision of this repository can be checked the same way.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/forecast-dependency.XXXXXX")
trap 'rm -rf "$work"' EXIT

commit=$(git -C "$repo" rev-parse --verify "${1:-HEAD}^{commit}")
git clone -q "$repo" "$work/forecast"
git -C "$work/forecast" checkout -q --detach "$commit"
git -C "$work/forecast" tag 9999.0.0 "$commit"

mkdir -p "$work/consumer/Sources/Consumer"
cat > "$work/consumer/Package.swift" <<SWIFT
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v13)],
    dependencies: [.package(url: "file://$work/forecast", from: "9999.0.0")],
    targets: [.executableTarget(name: "Consumer", dependencies: [.product(name: "ForecastKit", package: "forecast")])]
)
SWIFT
cat > "$work/consumer/Sources/Consumer/main.swift" <<'SWIFT'
import ForecastKit
import Foundation

// Fit on all but the last 12 months of the airline series, forecast them, and check the result.
let loaded = try SeriesLoader.load(URL(fileURLWithPath: CommandLine.arguments[1]), options: .init(target: "passengers"))
let series = loaded.series[0]
var config = ForecasterConfig(horizon: 12)
config.epochs = 30
let model = try Forecaster.fit([series.prefix(series.count - 12)], config: config)
let forecast = try model.predict(horizon: 12)[0]
let actual: [Double] = Array(series.target.suffix(12))
guard forecast.values.count == 12, forecast.values.allSatisfy({ $0.isFinite && $0 > 0 }) else {
    print("unexpected forecast: \(forecast.values)")
    exit(1)
}
var errors: [Double] = []
for (a, f) in zip(actual, forecast.values) { errors.append(abs(a - f) / a) }
let mape: Double = errors.reduce(0, +) / 12 * 100
print("forecast of the last 12 months through ForecastKit: MAPE \(Int(mape.rounded())) %")
SWIFT

cd "$work/consumer"
if ! swift build -c release > build.log 2>&1; then
    cat build.log
    echo "FAILED: a package depending on ForecastKit $commit by URL and version does not build" >&2
    exit 1
fi
tail -n 1 build.log
.build/release/Consumer "$repo/datasets/airline_passengers.csv"
echo "ok: a package depending on ForecastKit by URL and version builds in release mode and forecasts"
