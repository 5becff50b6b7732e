import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastMetrics

@Suite struct BacktestTests {
    /// Typed results: models as `ForecastSource`s (the default forecast first, then the network
    /// alone and every statistical model), metrics as `Metric`s, origins as dates, and the overall
    /// score the mean of the folds'.
    @Test func resultsAreTypedAndAveraged() throws {
        let series = try airline()
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 20
        c.ensembleSize = 1
        let r = try Backtest.run(series, config: c, folds: 2)
        #expect(r.models.prefix(2) == [.combination, .network])
        #expect(r.models.contains(.model(.theta)) && r.models.count == 2 + Baseline.allCases.count)
        #expect(r.folds.map(\.trainCount) == [132, 138])
        #expect(r.folds.map(\.originLabel) == ["1960-01-01", "1960-07-01"])
        let utc = TimeZone(identifier: "UTC")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        #expect(r.folds[0].origin == calendar.date(from: DateComponents(year: 1960, month: 1, day: 1)))
        for model in r.models {
            for metric in Backtest.metrics {
                let perFold = r.folds.compactMap { $0.scores[model]?[metric] }
                #expect(perFold.count == 2, "\(model.name) \(metric)")
                #expect(abs(r.score(metric, of: model)! - perFold.reduce(0, +) / 2) < 1e-12)
            }
        }
        // The seasonal-naive row is the metric of the seasonal-naive forecast, computed here.
        let fold = r.folds[0]
        let actual = Array(series.target[132..<138])
        let snaive = Baseline.seasonalNaive.forecast(Array(series.target[..<132]), horizon: 6, period: 12)
        #expect(fold.scores[.model(.seasonalNaive)]?[.mae] == Metrics.mae(actual: actual, predicted: snaive))
        #expect(fold.forecast.count == 6 && fold.bands.map(\.level) == [0.8, 0.95])
        #expect(r.seasonalPeriod == 12)
    }

    /// A result survives JSON and back unchanged, keyed by names a reader of the JSON knows (models,
    /// metrics, levels); a name that is none of them is a decoding error, not a silent drop.
    /// Points filled in (`unobserved`) are trained on but not scored: a fold's scores are those of
    /// its observed points, and the overall coverage is pooled over the observed points.
    @Test func unobservedPointsAreNotScored() throws {
        let series = try airline()
        var c = ForecasterConfig(horizon: 3)
        c.maxSteps = 10
        c.ensembleSize = 1
        let all = try Backtest.run(series, config: c, folds: 2, refit: true, levels: [0.8], hooks: TrainingHooks())
        // The first fold's first two points (138, 139) and one training point (100) unobserved.
        let gappy = try Backtest.run(series, config: c, folds: 2, refit: true, levels: [0.8], hooks: TrainingHooks(),
                                     unobserved: [100, 138, 139])
        #expect(gappy.folds.map(\.forecast) == all.folds.map(\.forecast))   // same training data
        let fc = gappy.folds[0].scores[.model(.naive)]!
        let naive = Array(repeating: series.target[137], count: 3)
        #expect(fc[.mae] == Metrics.mae(actual: [series.target[140]], predicted: [naive[2]]))
        var insample = Array(series.target[..<138])
        insample[100] = .nan
        #expect(fc[.mase] == Metrics.mase(actual: [series.target[140]], predicted: [naive[2]], insample: insample, period: 12))
        // The second fold's scores: the same but for the scale, which skips the differences with
        // points 100, 138 and 139 (in its training part now).
        var inS = Array(series.target[..<141])
        for p in [100, 138, 139] { inS[p] = .nan }
        let (a1, f1) = (Array(series.target[141..<144]), Array(repeating: series.target[140], count: 3))
        var expected = all.folds[1].scores[.model(.naive)]!
        expected[.mase] = Metrics.mase(actual: a1, predicted: f1, insample: inS, period: 12)
        expected[.rmsse] = Metrics.rmsse(actual: a1, predicted: f1, insample: inS, period: 12)
        #expect(gappy.folds[1].scores[.model(.naive)]! == expected, "\(expected)")
        let c0 = gappy.folds[0].coverage[0.8]!, c1 = gappy.folds[1].coverage[0.8]!
        #expect(abs(gappy.coverage[0.8]! - (c0 * 1 + c1 * 3) / 4) < 1e-12)
    }

    @Test func resultsRoundTripThroughJSON() throws {
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 10; c.ensembleSize = 1
        let r = try Backtest.run(try airline(), config: c, folds: 2)
        let data = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(Backtest.Result.self, from: data) == r)
        let obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(obj["models"] as? [String] == r.models.map(\.name))
        let overall = obj["overall"] as! [String: [String: Double]]
        // JSONSerialization's number parsing may be off in the last bit (the Codable round trip
        // above is exact).
        func close(_ a: Double?, _ b: Double?) -> Bool { a != nil && b != nil && abs(a! - b!) <= 1e-14 * abs(b!) }
        #expect(close(overall["network"]?["mase"], r.score(.mase, of: .network)))
        #expect(close(overall["theta"]?["mae"], r.score(.mae, of: .model(.theta))))
        #expect((obj["coverage"] as! [String: Double]).keys.sorted() == ["0.8", "0.95"])
        let text = String(decoding: data, as: UTF8.self)
        for (bad, why) in [("\"theta\":", "\"thetta\":"), ("\"mase\":", "\"masse\":"), ("\"0.8\":", "\"80\":")] {
            #expect(throws: DecodingError.self, "\(why)") {
                try JSONDecoder().decode(Backtest.Result.self, from: Data(text.replacingOccurrences(of: bad, with: why).utf8))
            }
        }
    }

    /// The statistical rows use the seasons the model uses (given or detected), and MASE is
    /// scaled with its primary period: with no season, seasonal naive is naive.
    @Test func statisticalModelsUseTheModelsSeasons() throws {
        let series = try airline()
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 5; c.ensembleSize = 1; c.seasonalPeriods = []
        let none = try Backtest.run(series, config: c, folds: 1)
        #expect(none.seasonalPeriod == 1)
        let fold = none.folds[0]
        #expect(fold.scores[.model(.seasonalNaive)]?[.mae] == fold.scores[.model(.naive)]?[.mae])
        c.seasonalPeriods = [12]
        let twelve = try Backtest.run(series, config: c, folds: 1)
        #expect(twelve.seasonalPeriod == 12)
        #expect(twelve.folds[0].scores[.model(.seasonalNaive)]?[.mae] != fold.scores[.model(.naive)]?[.mae])
        #expect(twelve.folds[0].scores[.model(.holtWinters)]?[.mae] != fold.scores[.model(.holtWinters)]?[.mae])
    }

    /// The folds' notes from `fit` reach the result, each once (three folds fit three times).
    @Test func foldWarningsAreKeptOnce() throws {
        let series = try airline()
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 5; c.ensembleSize = 1; c.dropout = 0.2
        let r = try Backtest.run(series, config: c, folds: 3)
        #expect(r.warnings.filter { $0.hasPrefix("dropout acts between stacked layers") }.count == 1)
        c.dropout = 0
        #expect(try Backtest.run(series, config: c, folds: 1).warnings.isEmpty)
    }
}
