// swift-tools-version: 6.1
import PackageDescription

// No target carries compiler flags (`unsafeFlags`), so other packages can depend on ForecastKit by
// URL and version, and one binary runs on every x86-64 CPU. The hot numeric kernels live in the C
// target CForecastKernels: each is compiled for AVX-512, AVX2 + FMA and baseline x86-64 through
// function attributes, and the best variant for the CPU is chosen at run time (see that target's
// header and ForecastNN/Kernels/NativeKernels.swift). The Swift kernels are their readable twins
// and serve other architectures.

let package = Package(
    name: "forecast",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ForecastKit", targets: ["ForecastKit"]),
        .executable(name: "forecast", targets: ["ForecastCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `make docs` (DocC): the plugin adds a command, nothing to the library's build.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Public API
        .target(name: "ForecastData", dependencies: ["CLibCSV"]),
        .target(name: "ForecastNN", dependencies: ["CForecastKernels"]),
        .target(name: "ForecastMetrics"),
        .target(name: "ForecastModels",
                dependencies: ["ForecastData", "ForecastNN", "ForecastMetrics"]),
        .target(name: "ForecastKit",
                dependencies: ["ForecastData", "ForecastNN", "ForecastMetrics", "ForecastModels"]),
        .executableTarget(name: "ForecastCLI",
                          dependencies: ["ForecastKit",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "PipelineExample", dependencies: ["ForecastKit"],
                          path: "Sources/Examples/PipelineExample"),

        // MARK: - Implementation details
        .target(name: "CForecastKernels"),
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
