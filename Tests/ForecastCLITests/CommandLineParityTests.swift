import Foundation
import Testing
import ForecastKit

/// `forecast fit` loads the data its own way (targets packed, skipped series kept for the report,
/// `--holdout` cutting each series) and hands the series to `Forecaster.fit` by moving them. The same
/// file, settings and seed through the library must give the same model: the same weights, the same
/// choice per series and the same forecasts, to the bit. A row lost, reordered or cut differently on
/// the way fails here.
@Suite struct CommandLineParityTests {
    /// The library's model for `file`, loaded as a pipeline would load it.
    static func libraryModel(_ file: String, target: String, idColumn: String? = nil, holdout: Int = 0,
                             configure: (inout ForecasterConfig) -> Void) throws -> Forecaster {
        var series = try SeriesLoader.load(URL(fileURLWithPath: file), options: .init(target: target, idColumn: idColumn)).series
        if holdout > 0 { series = series.map { $0.prefix($0.count - holdout) } }
        var config = ForecasterConfig(horizon: 1)
        configure(&config)
        return try Forecaster.fit(series, config: config, idColumn: idColumn)
    }

    /// Weights, choices and forecasts of the two models are identical.
    static func expectSameModel(_ cli: Forecaster, _ lib: Forecaster, horizon: Int) throws {
        let weights = { (f: Forecaster) in f.members.flatMap { $0.network.parameters.flatMap { $0.value.array } } }
        #expect(cli.members.count == lib.members.count)
        #expect(weights(cli) == weights(lib), "the command line trained other weights than the library")
        #expect(cli.choiceSummary == lib.choiceSummary, "\(cli.choiceSummary) against \(lib.choiceSummary)")
        #expect(cli.series == lib.series, "per-series state (scalers, tails, choices) differs")
        #expect(cli.residuals == lib.residuals, "calibration residuals differ")
        let a = try cli.predict(horizon: horizon), b = try lib.predict(horizon: horizon)
        #expect(a.map(\.id) == b.map(\.id))
        #expect(a.map(\.timestamps) == b.map(\.timestamps))
        #expect(a.map(\.values) == b.map(\.values), "forecasts differ")
    }

    @Test func oneSeriesWithHeldOutRows() throws {
        let dir = tempDir()
        let fit = try forecast(["fit", airline, "--target", "passengers", "--horizon", "12", "--holdout", "12",
                                "--max-steps", "60", "--threads", "1", "--quiet", "--model", "\(dir)/m.fcm"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let lib = try Self.libraryModel(airline, target: "passengers", holdout: 12) {
            $0.horizon = 12; $0.maxSteps = 60; $0.threads = 1
        }
        let cli = try ModelFile.read(URL(fileURLWithPath: "\(dir)/m.fcm"))
        #expect(lib.series.first?.count == 132, "the library's series is 144 points less the 12 held out")
        try Self.expectSameModel(cli, lib, horizon: 12)
    }

    /// A panel whose rows are interleaved across series, with one series too short to train on
    /// (skipped by both, with a warning).
    @Test func panelWithInterleavedRowsAndAShortSeries() throws {
        let dir = tempDir()
        var csv = "store,week,units\n"
        let lengths = ["north": 90, "south": 80, "tiny": 5, "east": 85]
        for t in 0..<90 {
            for id in ["south", "north", "tiny", "east"] where t < lengths[id]! {
                let phase = Double(id.count)
                let v = 50 + 10 * sin((Double(t) + phase) * 2 * .pi / 13) + Double((t * 7 + id.count) % 5)
                csv += "\(id),\(t),\(v)\n"
            }
        }
        let file = write(csv, "panel.csv", in: dir)
        let fit = try forecast(["fit", file, "--id-column", "store", "--target", "units", "--horizon", "4",
                                "--lookback", "16", "--max-steps", "40", "--threads", "2", "--quiet", "--model", "\(dir)/m.fcm"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let lib = try Self.libraryModel(file, target: "units", idColumn: "store") {
            $0.horizon = 4; $0.lookback = 16; $0.maxSteps = 40; $0.threads = 2
        }
        let cli = try ModelFile.read(URL(fileURLWithPath: "\(dir)/m.fcm"))
        #expect(Set(lib.series.compactMap(\.id)) == ["north", "south", "east"], "the short series is left out")
        try Self.expectSameModel(cli, lib, horizon: 4)
    }
}
