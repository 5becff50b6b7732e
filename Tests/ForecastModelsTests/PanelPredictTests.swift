import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// `predict` on a panel history: series the model never saw, series too short for it, and the
/// series it knows, in one call.
@Suite struct PanelPredictTests {
    static func wave(_ id: String, _ n: Int, phase: Int, scale: Double = 1, offset: Double = 0) -> TimeSeries {
        TimeSeries(id: id, target: (0..<n).map { offset + scale * (10 + sin(Double($0 + phase) / 2) * 3 + Double($0 % 6)) })
    }

    static let model: Forecaster = {
        var c = ForecasterConfig(horizon: 4); c.lookback = 12; c.maxSteps = 60; c.ensembleSize = 2; c.threads = 1
        c.combine = .network; c.seasonalPeriods = [6]
        var w: [String] = []
        return try! Forecaster.fit([wave("a", 120, phase: 0), wave("b", 100, phase: 3)], config: c, warnings: &w)
    }()

    /// A new series is forecast from its own history: its scaler is fitted on that history, so an
    /// affine copy of a series (x 1000 + 5) gets the affine copy of that series' forecast. Had the
    /// new series borrowed a trained series' scaler (or failed), this would not hold.
    @Test func newSeriesGetTheirOwnScalers() throws {
        let f = Self.model
        let plain = Self.wave("new-1", 90, phase: 5), big = Self.wave("new-2", 90, phase: 5, scale: 1000, offset: 5)
        let fc = try f.predict(horizon: 4, history: [plain, big], intervals: [0.8])
        #expect(fc.map(\.isNewSeries) == [true, true])
        #expect(fc.map(\.id) == ["new-1", "new-2"])
        for h in 0..<4 {
            let expected = 1000 * fc[0].values[h] + 5
            #expect(abs(fc[1].values[h] - expected) <= 1e-3 * abs(expected), "step \(h + 1)")
            #expect(fc[0].intervals[0].lower[h] < fc[0].values[h] && fc[0].values[h] < fc[0].intervals[0].upper[h])
        }
        // A known series keeps its trained state: the same forecast alone or beside new ones.
        let known = Self.wave("a", 120, phase: 0)
        let together = try f.predict(horizon: 4, history: [plain, known])
        #expect(together[1].isNewSeries == false)
        #expect(together[1].values == (try f.predict(horizon: 4, history: [known]))[0].values)
    }

    /// In a panel, a series shorter than the lookback gets seasonal naive (naive under one season)
    /// with a reason, and does not stop the others; alone, it is an error.
    @Test func shortSeriesFallBackToSeasonalNaive() throws {
        let f = Self.model
        let short = TimeSeries(id: "short", target: [5, 7, 9, 4, 6, 8, 5, 8, 9])        // 9 points, lookback 12, period 6
        let tiny = TimeSeries(id: "tiny", target: [3, 4, 2])                            // under one season: naive
        let fc = try f.predict(horizon: 8, history: [short, Self.wave("a", 120, phase: 0), tiny], intervals: [0.8, 0.95])
        #expect(fc.map(\.id) == ["short", "a", "tiny"])
        #expect(fc[0].values == Baseline.seasonalNaive.forecast(short.target, horizon: 8, period: 6))
        #expect(fc[0].fallbackReason?.contains("seasonal naive (period 6)") == true)
        #expect(fc[2].values == [2, 2, 2, 2, 2, 2, 2, 2])
        #expect(fc[2].fallbackReason?.contains("naive") == true)
        #expect(fc[1].fallbackReason == nil && fc[1].isNewSeries == false)
        // Intervals from the series' own seasonal-naive errors: ordered, and wider further ahead.
        let b80 = fc[0].intervals[0], b95 = fc[0].intervals[1]
        #expect(b95.lower[0] <= b80.lower[0] && b80.lower[0] < fc[0].values[0] && b80.upper[0] <= b95.upper[0])
        #expect(b80.upper[7] - b80.lower[7] > b80.upper[0] - b80.lower[0])
        #expect(fc[0].isNewSeries && fc[2].isNewSeries)
        // A single-series model: one series that short is an error. A panel model (fitted with an
        // id column): the same fallback, whichever series come with it (a Spark partition may hold
        // only this one).
        #expect(throws: ForecastError.self) { try f.predict(horizon: 4, history: [short]) }
        var c = f.config; c.lookback = 12; c.ensembleSize = 1
        let panelModel = try Forecaster.fit([Self.wave("a", 120, phase: 0), Self.wave("b", 100, phase: 3)], config: c,
                                            idColumn: "series")
        let alone = try panelModel.predict(horizon: 8, history: [short], intervals: [0.8])[0]
        let together = try panelModel.predict(horizon: 8, history: [Self.wave("a", 120, phase: 0), short], intervals: [0.8])[1]
        #expect(alone.fallbackReason != nil && alone.values == together.values && alone.intervals == together.intervals)
    }
}
