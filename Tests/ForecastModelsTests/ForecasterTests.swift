import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN
import ForecastMetrics

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

func airline() throws -> TimeSeries {
    try SeriesLoader.load("\(repoRoot)/datasets/airline_passengers.csv", options: .init(target: "passengers")).series[0]
}

/// Everything learned, bit for bit: weights and calibration residuals (not the wall-clock time).
func learned(_ f: Forecaster) -> [[UInt32]] {
    f.network.parameters.map { $0.value.array.map(\.bitPattern) } + f.residuals.map { $0.map(\.bitPattern) }
}

func fit(_ s: [TimeSeries], _ config: ForecasterConfig) throws -> Forecaster {
    var w: [String] = []
    return try Forecaster.fit(s, config: config, warnings: &w)
}

@Suite struct ForecasterTests {
    /// Memory amounts in the limit messages: small ones in small units, a need rounded up and a
    /// limit down, so "needs about 1 MB, more than the 1 MB allowed" cannot be printed.
    @Test func memorySizesNeverReadAsTheSameAmount() {
        #expect(Forecaster.memorySize(1_000_000) == "976 KB" && Forecaster.memorySize(1_000_000, roundingUp: true) == "977 KB")
        #expect(Forecaster.memorySize(1 << 20) == "1 MB" && Forecaster.memorySize(1 << 20, roundingUp: true) == "1 MB")
        #expect(Forecaster.memorySize((1 << 20) + 1, roundingUp: true) == "2 MB" && Forecaster.memorySize(100) == "100 bytes")
        #expect(Forecaster.memorySize(3 << 29) == "1.5 GB" && Forecaster.memorySize((3 << 29) + 1, roundingUp: true) == "1.6 GB")
    }

    @Test(arguments: [1, 2])
    func sameSeedSameThreadsBitIdenticalModel(threads: Int) throws {
        var c = ForecasterConfig(horizon: 12)
        c.epochs = 5
        c.threads = threads
        c.dropout = 0
        c.layers = 2
        let a = try fit([airline()], c), b = try fit([airline()], c)
        #expect(learned(a) == learned(b))
        var c2 = c; c2.seed = 7
        #expect(learned(a) != learned(try fit([airline()], c2)))
    }

    @Test(arguments: [CellKind.lstm, .gru])
    func defaultModelBeatsSeasonalNaiveOnAirline(cell: CellKind) throws {
        let s = try airline()
        let train = s.prefix(132), actual = Array(s.target.suffix(12))
        var c = ForecasterConfig(horizon: 12)
        c.encoder = cell; c.decoder = cell
        let f = try fit([train], c)
        let p = try f.predict(horizon: 12)[0].values
        let net = Metrics.mase(actual: actual, predicted: p, insample: train.target, period: 12)!
        let snaive = Metrics.mase(actual: actual, predicted: Baseline.seasonalNaive.forecast(train.target, horizon: 12, period: 12),
                                  insample: train.target, period: 12)!
        #expect(net < snaive, "\(cell): network MASE \(net), seasonal naive \(snaive)")
    }

    /// Leakage: `fit` holds out the last `validationFraction` of each series (for early stopping, the
    /// intervals and the combination's origins), and what it fits on the training part must not see
    /// it: the target scaler. (The seasonal periods are detected on all the data given to `fit`, a
    /// measured choice, see `fit`; so the baseline period, chosen among them, may follow them. Data
    /// not given to `fit`, the test blocks of a backtest, never reach it: `heldOutRowsNeverReachTheModel`.)
    /// Here the held-out part is handed to `fit` and rewritten (to values that would move all
    /// three); the old version rewrote points after a `prefix(132)`, so `fit` never received them
    /// and the test passed whatever `fit` did. A sanity check shows the rewrite did reach `fit`
    /// (its validation-chosen combination errors change).
    ///
    /// Checked against: `SeriesFeatures` fitting the target scaler on the whole series instead of
    /// its training part (`Scaler(fitting: s.target, ...)`): this test failed; restored, it passed.
    /// Its first run found that the seasonal periods follow the held-out part (this rewrite turns
    /// airline's [12] into []); detecting them on the training parts only was then measured and lost
    /// accuracy (Benchmarks/accuracy/results/rolling_all_study_trainparts.md), so it is the policy.
    @Test func heldOutPointsDoNotChangeTheModel() throws {
        let s = try airline()
        var c = ForecasterConfig(horizon: 12); c.maxSteps = 2; c.ensembleSize = 1
        let heldOut = max(12, Int((Double(s.count) * c.validationFraction).rounded()))   // fit's own rule
        var changed = s
        for i in (s.count - heldOut)..<s.count { changed.target[i] = i % 2 == 0 ? 9000 : 1 }
        let a = try fit([s], c), b = try fit([changed], c)
        #expect(a.series[0].validationErrors != b.series[0].validationErrors, "the rewritten points reached fit")
        #expect(a.series[0].targetScaler == b.series[0].targetScaler)
        #expect(a.config.seasonalPeriods == [12])
    }

    @Test func straightLineForecastContinuesFromTheLastObservation() throws {
        // y = 2t + 5, integer index; the naive baseline plus a learned slope must continue the line.
        let n = 200
        let s = TimeSeries(timeFormat: .index, frequency: .steps(1), targetName: "y", target: (0..<n).map { 2 * Double($0) + 5 })
        // The network alone (a statistical model chosen alone forecasts every step directly).
        var c = ForecasterConfig(horizon: 4); c.lookback = 8; c.baseline = .naive; c.seed = 1; c.combine = .network
        let f = try fit([s], c)
        for h in [4, 10] {   // direct, then fed back past the trained horizon
            let fc = try f.predict(horizon: h)[0]
            #expect(fc.timestamps == (n..<(n + h)).map { Int64($0) })
            #expect(fc.recursive == (h > 4))
            for (k, v) in fc.values.enumerated() {
                let expected = 2 * Double(n + k) + 5
                #expect(abs(v - expected) < 0.02 * Double(k + 1) * 2, "step \(k + 1): \(v) vs \(expected)")
            }
        }
    }

    @Test func pureSeasonalSeriesIsRepeatedExactlyInPhase() throws {
        // A period-4 pattern with no trend: the seasonal baseline is exact, so must be the forecast.
        let pattern: [Double] = [10, 20, 15, 5]
        let n = 120
        let start = CivilCalendar.timestamp(year: 2000, month: 1, day: 1)
        let f3 = Frequency.months(3, monthEnd: false)
        let s = TimeSeries(timeColumn: "date", timeFormat: .date, frequency: f3,
                           timestamps: (0..<n).map { f3.advance(start, by: $0) }, targetName: "y",
                           target: (0..<n).map { pattern[$0 % 4] })
        var c = ForecasterConfig(horizon: 4); c.epochs = 30
        let f = try fit([s], c)
        let fc = try f.predict(horizon: 6)[0]
        #expect(fc.timeFormat.format(fc.timestamps[0]) == "2030-01-01")
        for (k, v) in fc.values.enumerated() { #expect(abs(v - pattern[(n + k) % 4]) < 0.5, "step \(k + 1)") }
    }

    @Test func panelTrainsOneGlobalModelAndSkipsShortSeries() throws {
        let a = TimeSeries(id: "a", target: (0..<80).map { sin(Double($0) / 3) })
        let b = TimeSeries(id: "b", target: (0..<60).map { cos(Double($0) / 3) })
        let short = TimeSeries(id: "c", target: [1, 2, 3])
        var c = ForecasterConfig(horizon: 3); c.lookback = 6; c.epochs = 3
        var warnings: [String] = []
        let f = try Forecaster.fit([a, b, short], config: c, warnings: &warnings)
        #expect(f.series.map(\.id) == ["a", "b"])
        #expect(warnings.contains { $0.contains("series 'c' has 3 points") })
        #expect(throws: ForecastError.self) { try Forecaster.fit([a, short], config: c, skipShortSeries: false, warnings: &warnings) }
        // The short series is kept whole and still forecast (by naive: 3 points, no season).
        let all = try f.predict(horizon: 3, intervals: [0.8])
        #expect(all.map(\.id) == ["a", "b", "c"])
        #expect(all[2].values == [3, 3, 3] && all[2].fallbackReason != nil && all[0].fallbackReason == nil)
        // A pipeline stores forecasts as JSON and reads back the same values, bands and notes.
        let json = try JSONEncoder().encode(all)
        #expect(try JSONDecoder().decode([Forecast].self, from: json) == all)
        #expect(try JSONDecoder().decode([Forecast].self, from: json)[0].interval(level: 0.8) == all[0].intervals[0])
    }

    /// Panel series too short to train on stay in the model: a plain `predict` forecasts them after
    /// the trained series exactly as `predict(history:)` would, before and after a model file round
    /// trip (a baseline below the lookback; the network, as a new series, from the lookback on).
    ///
    /// Checked against: `fit` without storing the short series: the forecasts of 'c' and 'd' were
    /// missing and this test failed.
    @Test func seriesLeftOutOfTrainingAreStillForecast() throws {
        let a = TimeSeries(id: "a", target: (0..<80).map { sin(Double($0) / 3) + 2 })
        let b = TimeSeries(id: "b", target: (0..<60).map { cos(Double($0) / 3) + 2 })
        let c = TimeSeries(id: "c", target: [1, 2, .nan, 4])
        let d = TimeSeries(id: "d", target: (0..<7).map { Double($0) / 2 + 1 })
        var config = ForecasterConfig(horizon: 3); config.lookback = 6; config.epochs = 2; config.ensembleSize = 1
        var warnings: [String] = []
        let f = try Forecaster.fit([a, b, c, d], config: config, warnings: &warnings)
        #expect(f.series.map(\.id) == ["a", "b"] && f.shortSeries.map(\.id) == ["c", "d"])
        #expect(warnings.filter { $0.contains("left out of training") }.count == 2)
        let read = try ModelFile.decode(try ModelFile.encode(f), path: "m.fcm")
        #expect("\(read.shortSeries)" == "\(f.shortSeries)")   // NaN-aware: NaN != NaN
        for model in [f, read] {
            let all = try model.predict(horizon: 4, intervals: [0.9])
            #expect(all.map(\.id) == ["a", "b", "c", "d"])
            let given = try model.predict(horizon: 4, history: [c, d], intervals: [0.9])
            #expect(all[2].values == given[0].values && all[2].fallbackReason != nil)
            #expect(all[3].values == given[1].values && all[3].fallbackReason == nil && all[3].isNewSeries)
            #expect(all[3].intervals.map(\.upper) == given[1].intervals.map(\.upper))
        }
    }

    /// A panel's model does not depend on the order its series come in (a file's row order, or a
    /// Spark partition's): every member's weights, the calibration and each series' state are the
    /// same bit for bit, and the series come out in id order.
    ///
    /// Checked against: `fit` without its sort by id: this test failed (weights differ, as the
    /// training windows are visited in another order); restored, it passed.
    @Test func panelModelIsIndependentOfSeriesOrder() throws {
        let ids = ["b", "c", "a"]
        let panel = ids.enumerated().map { k, id in
            TimeSeries(id: id, target: (0..<90).map { sin(Double($0 + 7 * k) / 3) * Double(k + 1) + Double($0) / 30 })
        }
        var c = ForecasterConfig(horizon: 4); c.lookback = 8; c.maxSteps = 30; c.ensembleSize = 2; c.threads = 1
        let a = try fit(panel, c), b = try fit(panel.reversed(), c)
        func everything(_ f: Forecaster) -> [[UInt32]] {
            f.members.flatMap { m in m.network.parameters.map { $0.value.array.map(\.bitPattern) } }
                + f.residuals.map { $0.map(\.bitPattern) }
        }
        #expect(everything(a) == everything(b))
        #expect(a.series == b.series)
        #expect(a.series.map(\.id) == ["a", "b", "c"])
    }

    @Test func tooShortSeriesIsAClearError() throws {
        var c = ForecasterConfig(horizon: 5); c.lookback = 10
        #expect {
            try fit([TimeSeries(target: (0..<12).map(Double.init))], c)
        } throws: { ($0 as! ForecastError).message.contains("fewer than lookback + horizon = 10 + 5 = 15") }
    }

    /// Every band holds the point forecast strictly inside, and the wider level holds the narrower
    /// strictly inside, at every step up to the trained horizon and past it (recursive), with the
    /// bands in the order asked (here widest first). The old version asked for 80 % and 95 % in
    /// increasing order over the trained horizon only and accepted equal bounds, so a band of width
    /// 0 or two levels given the same width passed.
    ///
    /// Checked against: (1) `predict` building each band as (value + w, value - w), lower and upper
    /// swapped: this test failed (the old one too); (2) `predict` ignoring the level (every band
    /// given the 95 % width): this test failed, the old one passed. Restored, it passed.
    @Test func intervalsAreOrderedAndWidenWithLevel() throws {
        var c = ForecasterConfig(horizon: 12); c.epochs = 20
        let f = try fit([airline()], c)
        let n = 18
        let fc = try f.predict(horizon: n, intervals: [0.95, 0.5])[0]
        #expect(fc.intervals.map(\.level) == [0.95, 0.5])
        let wide = fc.intervals[0], narrow = fc.intervals[1]
        #expect(fc.values.count == n && wide.lower.count == n && narrow.upper.count == n)
        for i in 0..<n {
            #expect(narrow.lower[i] < fc.values[i] && fc.values[i] < narrow.upper[i], "step \(i + 1)")
            #expect(wide.lower[i] < narrow.lower[i] && narrow.upper[i] < wide.upper[i], "step \(i + 1)")
        }
    }
}

@Suite struct ModelFileTests {
    func model() throws -> Forecaster {
        var c = ForecasterConfig(horizon: 6); c.epochs = 2; c.encoder = .lstm; c.decoder = .gru
        return try fit([airline()], c)
    }

    @Test func roundTripPredictsTheSame() throws {
        let f = try model()
        let g = try ModelFile.decode(ModelFile.encode(f), path: "m")
        #expect(try f.predict(horizon: 8)[0].values == g.predict(horizon: 8)[0].values)
        #expect(g.config == f.config)
    }

    @Test func truncatedFlippedForeignAndFutureFilesAreRefused() throws {
        let bytes = try ModelFile.encode(model())
        func message(_ b: [UInt8]) -> String? {
            do { _ = try ModelFile.decode(b, path: "m.fcm"); return nil } catch let e as ForecastError where e.kind == .modelFile { return e.message } catch { return "\(error)" }
        }
        #expect(message(Array(bytes.prefix(bytes.count / 2)))?.contains("truncated") == true)
        #expect(message(Array(bytes.prefix(10)))?.contains("truncated") == true)
        for position in [20, bytes.count / 2, bytes.count - 10] {
            var flipped = bytes; flipped[position] ^= 0x10
            #expect(message(flipped)?.contains("checksum") == true, "flip at \(position)")
        }
        #expect(message(Array("date,value\n1,2\n".utf8))?.contains("not a forecast model file") == true)
        var future = bytes; future[8] = 99
        #expect(message(future)?.contains("newer") == true)
    }
}

/// Series whose targets arrive packed (as the command line's loader gives them) train the same
/// model, bit for bit, as the same series given as Double.
@Suite struct PackedTrainingTests {
    @Test func packedTargetsTrainTheSameModel() throws {
        func value(_ k: Int, _ t: Int) -> Double {
            let x: Double = 20 + Double(k) + 3 * sin(Double(t) / 2) + Double(t % 7) / 3
            return (x * 100).rounded() / 100
        }
        let panel: [TimeSeries] = (0..<4).map { k in
            TimeSeries(id: "s\(k)", frequency: .steps(1), target: (0..<160).map { value(k, $0) })
        }
        var packed = panel
        for i in packed.indices { packed[i].packTarget() }
        #expect(packed.allSatisfy { $0.packedTarget?.isPacked == true && $0.target.isEmpty })
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 40
        let a = try fit(panel, c), b = try fit(packed, c)
        #expect(learned(a) == learned(b))
        #expect(a.series == b.series)
        let fa = try a.predict(horizon: 6, intervals: [0.8]), fb = try b.predict(horizon: 6, intervals: [0.8])
        func bits(_ f: [Forecast]) -> [[UInt64]] {
            f.flatMap { x -> [[UInt64]] in [x.values.map { $0.bitPattern }, x.intervals[0].upper.map { $0.bitPattern }] }
        }
        #expect(bits(fa) == bits(fb))
    }
}
