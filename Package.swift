// swift-tools-version: 6.1
import PackageDescription
import Foundation

// Numeric kernels are compiled for the build machine's vector units: without `-target-cpu`, Swift
// lowers SIMD fused multiply-add to a libm call and runs ~30x slower (see shared TECH-NOTES §2).
// Set FORECAST_TARGET_CPU=haswell (AVX2 + FMA) for a binary that runs on other x86-64 machines.
let targetCPU = ProcessInfo.processInfo.environment["FORECAST_TARGET_CPU"] ?? "native"
#if arch(x86_64)
let cpuFlags: [String] = ["-target-cpu", targetCPU]
#else
let cpuFlags: [String] = []
#endif
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + cpuFlags, .when(configuration: .release)),
]
let dataSettings: [SwiftSetting] = [
    .unsafeFlags(cpuFlags, .when(configuration: .release)),
]

let package = Package(
    name: "forecast",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ForecastKit", targets: ["ForecastKit"]),
        .executable(name: "forecast", targets: ["ForecastCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - Public API
        .target(name: "ForecastData", dependencies: ["CLibCSV"], swiftSettings: dataSettings),
        .target(name: "ForecastNN", swiftSettings: kernelSettings),
        .target(name: "ForecastMetrics", swiftSettings: dataSettings),
        .target(name: "ForecastModels",
                dependencies: ["ForecastData", "ForecastNN", "ForecastMetrics"],
                swiftSettings: dataSettings),
        .target(name: "ForecastKit",
                dependencies: ["ForecastData", "ForecastNN", "ForecastMetrics", "ForecastModels"]),
        .executableTarget(name: "ForecastCLI",
                          dependencies: ["ForecastKit",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: dataSettings),
        .executableTarget(name: "PipelineExample", dependencies: ["ForecastKit"],
                          path: "Sources/Examples/PipelineExample"),

        // MARK: - Implementation details
        .systemLibrary(name: "CLibCSV", path: "Sources/CLibCSV", providers: [.apt(["libcsv-dev"])]),
        .target(name: "_ForecastTestSupport", dependencies: ["ForecastNN"]),

        // MARK: - Unit test bundles
        .testTarget(name: "ForecastDataTests", dependencies: ["ForecastData"]),
        .testTarget(name: "ForecastNNTests", dependencies: ["ForecastNN", "_ForecastTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ForecastMetricsTests", dependencies: ["ForecastMetrics", "ForecastModels"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ForecastModelsTests", dependencies: ["ForecastModels", "_ForecastTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ForecastCLITests", dependencies: ["ForecastKit"]),
    ]
)
