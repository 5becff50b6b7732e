import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// The library's pipeline surface: URLs for files, warnings in the result, dates, async fit.
@Suite struct LibraryAPITests {
    @Test func urlsWarningsAndDates() throws {
        let url = URL(fileURLWithPath: "\(repoRoot)/datasets/airline_passengers.csv")
        let series = try SeriesLoader.load(url, options: .init(target: "passengers")).series[0]
        #expect(series.count == 144)
        var c = ForecasterConfig(horizon: 12); c.maxSteps = 20; c.ensembleSize = 1
        // A panel with one series too short: fit skips it and says so in the result.
        var a = series; a.id = "a"
        let short = TimeSeries(id: "short", target: [1, 2, 3])   // not trained on: its own frequency may differ
        let model = try Forecaster.fit([a, short], config: c)
        #expect(model.warnings.contains { $0.contains("series 'short' has 3 points") }, "\(model.warnings)")
        #expect(model.series.map(\.id) == ["a"])

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("api-\(UUID().uuidString).fcm")
        defer { try? FileManager.default.removeItem(at: file) }
        try ModelFile.write(model, to: file)
        let back = try ModelFile.read(file)
        let fc = try back.predict(horizon: 2)[0]
        #expect(fc.values == (try model.predict(horizon: 2))[0].values)
        #expect(back.warnings.isEmpty)
        // Bytes round-trip without a file; bytes that are not a model are a modelFile error.
        #expect(try ModelFile.decode(try ModelFile.encode(model)).predict(horizon: 2)[0].values == fc.values)
        #expect(throws: ForecastError.self) { try ModelFile.decode([1, 2, 3]) }
        // Calendar series give dates: 1961-01-01 and 1961-02-01, midnight UTC.
        #expect(fc.dates == [Date(timeIntervalSince1970: -283_996_800), Date(timeIntervalSince1970: -281_318_400)])
        #expect(TimeSeries(target: [1, 2, 3]).timeFormat == .index)
        let steps = try Forecaster.fit([TimeSeries(target: (0..<60).map { Double($0 % 7) })], config: {
            var c = ForecasterConfig(horizon: 3); c.maxSteps = 5; c.ensembleSize = 1; return c
        }())
        #expect(try steps.predict(horizon: 3)[0].dates == nil)
        #expect(throws: ForecastError.self) { try ModelFile.read(URL(fileURLWithPath: "/nonexistent/m.fcm")) }
    }

    /// The blocking `fit` (in an async context the async overload is chosen).
    static func blockingFit(_ s: TimeSeries, _ c: ForecasterConfig) throws -> Forecaster {
        try Forecaster.fit([s], config: c)
    }

    /// Cancelling the task of an async fit ends training within a batch and throws `interrupted`;
    /// the budget here (200,000 steps) would otherwise take minutes.
    @Test(.timeLimit(.minutes(1))) func cancellingAnAsyncFitStopsIt() async throws {
        let series = try airline()
        var c = ForecasterConfig(horizon: 12); c.maxSteps = 200_000; c.ensembleSize = 1; c.patience = 1_000_000
        let task = Task { try await Forecaster.fit([series], config: c) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let started = ContinuousClock.now
        do {
            _ = try await task.value
            Issue.record("the cancelled fit returned a model")
        } catch let e as ForecastError {
            #expect(e.kind == .interrupted, "\(e)")
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        // Not cancelled, the async fit returns what the blocking one does.
        var small = c; small.maxSteps = 10
        let a = try await Forecaster.fit([series], config: small)
        let b = try Self.blockingFit(series, small)
        #expect(learned(a) == learned(b))
    }

    /// A backtest refits at every fold: its async form stops on cancellation like `fit`.
    @Test(.timeLimit(.minutes(1))) func cancellingAnAsyncBacktestStopsIt() async throws {
        let series = try airline()
        var c = ForecasterConfig(horizon: 12); c.maxSteps = 200_000; c.ensembleSize = 1; c.patience = 1_000_000
        let task = Task { try await Backtest.run(series, config: c, folds: 3) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("the cancelled backtest returned a result")
        } catch let e as ForecastError {
            #expect(e.kind == .interrupted, "\(e)")
        }
        var small = c; small.maxSteps = 5
        let r = try await Backtest.run(series, config: small, folds: 1)
        #expect(r.folds.count == 1 && r.score(.mase) != nil)
    }
}
