import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// The network's intervals without the combination (`--combine network`) and as `predict`'s
/// network source: calibrated on its errors at the combination's origins where they are out of
/// sample, not on the windows early stopping chose its weights on (model format 7).
@Suite struct NetworkIntervalsTests {
    /// A short seasonal series: its held-out part covers the newest origin only, so the three
    /// older ones need cross-validation refits to be out of sample.
    static func shortSeries() -> [Double] {
        var g = TestNoise(state: 3)
        var y = (0..<12).map { 40 + 6 * sin(2 * .pi * Double($0) / 12) }
        for t in 12..<84 { y.append(y[t - 12] + 0.3 * g.normal() + 0.05) }
        return y
    }

    static func networkConfig() -> ForecasterConfig {
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 30; c.seasonalPeriods = [12]; c.ensembleSize = 1; c.combine = .network; c.lookback = 24
        return c
    }

    /// The refits train from fresh weights, so after a warm start they get a fresh fit's default
    /// step budget, not the warm start's fine-tuning one (which left them a few steps from random
    /// weights); without a warm start they keep the budget given.
    @Test func refitsAfterAWarmStartGetAFreshBudget() throws {
        let y = Self.shortSeries()
        var c = Self.networkConfig()
        c.maxSteps = 5
        let s = [TimeSeries(target: y)]
        var stopped = false
        func refits(warmStarted: Bool) throws -> [Forecaster] {
            try Forecaster.crossValidationFits(s, trainCounts: [y.count], given: c, config: c, windows: 100,
                                               warmStarted: warmStarted, hooks: TrainingHooks(), stopped: &stopped)
                .compactMap { $0 }
        }
        let given = try refits(warmStarted: false), fresh = try refits(warmStarted: true)
        #expect(given.count == Forecaster.combinationOrigins && fresh.count == given.count)
        #expect(given.allSatisfy { $0.config.maxSteps == 5 }, "\(given.map(\.config.maxSteps))")
        #expect(fresh.allSatisfy { ($0.config.maxSteps ?? 0) > 5 }, "\(fresh.map(\.config.maxSteps))")
        #expect(!stopped)
    }

    /// The calibration errors are the network's at the four newest origins: the final fit's at
    /// the origin its held-out part covers, and at the older ones a fit on the data cut there,
    /// recomputed here. With the final fit's forecasts at the older origins (in sample) or with
    /// the residuals of the early-stopping windows, they differ.
    @Test func combineNetworkCalibratesOnOutOfSampleOrigins() throws {
        let y = Self.shortSeries(), c = Self.networkConfig(), H = 6
        let f = try fit([TimeSeries(target: y)], c)
        let trainCount = y.count - Forecaster.validationCount(y.count, config: f.config)
        #expect(y.count - H >= trainCount && y.count - 2 * H < trainCount, "one origin held out, three to refit")
        let scores = try #require(f.series[0].calibrationErrors)
        #expect(f.series[0].choice == nil && f.series[0].networkCalibrationErrors == nil)
        var expected: [Double] = [], inSample: [Double] = []
        for j in 0..<Forecaster.combinationOrigins {
            let o = y.count - (j + 1) * H
            let own = try f.predict(horizon: H, history: [TimeSeries(target: Array(y[..<o]))], source: .network)[0].values
            // The refits forecast the series as the fit will: with its scale-change flag.
            var notes: [String] = []
            let model = j == 0 ? f : try Forecaster.fit([TimeSeries(target: Array(y[..<o]))], config: c,
                                                        scaleChanges: ["": f.series[0].scaleChanged == true], warnings: &notes)
            let fc = try networkPart(model, of: f, history: TimeSeries(target: Array(y[..<o])), horizon: H)
            for h in 0..<H {
                expected.append(abs(y[o + h] - fc[h]))
                inSample.append(abs(y[o + h] - own[h]))
            }
        }
        #expect(scores.count == expected.count)
        #expect(zip(expected.sorted(), scores).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, $0) })
        #expect(inSample.sorted() != scores, "the older origins must come from the refits")
        // predict: the conformal quantile of those errors, widened as the combination's are (one
        // member: no spread term), the same for the default source and the network's.
        for source in [ForecastSource.combination, .network] {
            let fc = try f.predict(horizon: H, intervals: [0.8, 0.95], source: source)[0]
            for (band, level) in zip(fc.intervals, [0.8, 0.95]) {
                let w = Forecaster.conformalQuantile(scores, level: level) * Forecaster.selectionInflation
                for h in 0..<H { #expect(abs(band.upper[h] - fc.values[h] - w) <= 1e-9 * max(1, w)) }
                let perStep = f.intervalHalfWidth(step: 0, level: level) * abs(f.series[0].targetScaler.scale)
                #expect(abs(w - perStep) > 1e-6, "not the early-stopping residuals")
            }
        }
        // Bit-identical again, and kept by the model file.
        let again = try fit([TimeSeries(target: y)], c)
        #expect(again.series == f.series)
        #expect(try ModelFile.decode(try ModelFile.encode(f), path: "m").series == f.series)
    }

    /// Where a statistical model forecasts a series, the network's own errors at the origins are
    /// stored beside the combination's, and `predict`'s network source is calibrated on them; the
    /// chosen model asked for by name keeps the combination's; another model, which has no errors
    /// stored, is scored at the same origins of the history given.
    @Test func networkSourceUsesTheNetworksOwnErrors() throws {
        var g = TestNoise(state: 11)
        var y = (0..<12).map { 100 + 10 * sin(2 * .pi * Double($0) / 12) }
        for t in 12..<600 { y.append(y[t - 12] + g.normal()) }
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 5; c.learningRate = 1; c.seasonalPeriods = [12]; c.validationFraction = 0.12; c.ensembleSize = 1
        let f = try fit([TimeSeries(target: y)], c)
        let state = f.series[0]
        let choice = try #require(state.choice.flatMap(Baseline.init(rawValue:)))
        #expect(state.statWeight == nil, "the statistical model alone")
        let own = try #require(state.networkCalibrationErrors)
        // The held-out part (72 points) covers the four origins, so nothing is refitted; early
        // stopping watched all but the last horizon's windows, so only the newest origin counts:
        // the final network's forecast there.
        let trainCount = y.count - Forecaster.validationCount(y.count, config: f.config)
        #expect(y.count - trainCount >= 4 * 12)
        #expect((0..<4).map { Forecaster.isOutOfSample(origin: y.count - ($0 + 1) * 12, count: y.count, trained: trainCount,
                                                      refitted: false, horizon: 12) } == [true, false, false, false])
        let o = y.count - 12
        let newest = try f.predict(horizon: 12, history: [TimeSeries(target: Array(y[..<o]))], source: .network)[0].values
        let expected = (0..<12).map { abs(y[o + $0] - newest[$0]) }.sorted()
        #expect(own.count == 12 && zip(expected, own).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, $0) })
        func halfWidths(_ source: ForecastSource) throws -> [Double] {
            let history = [TimeSeries(target: y)]
            let fc = try f.predict(horizon: 12, history: history, intervals: [0.8], source: source)[0]
            return zip(fc.intervals[0].upper, fc.values).map { $0 - $1 }
        }
        func close(_ a: [Double], _ w: Double) -> Bool { a.allSatisfy { abs($0 - w) <= 1e-9 * max(1, w) } }
        let q = { (e: [Double]) in Forecaster.conformalQuantile(e, level: 0.8) * Forecaster.selectionInflation }
        #expect(close(try halfWidths(.network), q(own)))
        #expect(close(try halfWidths(.model(choice)), q(try #require(state.calibrationErrors))))
        // Another model is scored at the same origins of the history given, as the combination
        // scores its candidates.
        let other: Baseline = choice == .theta ? .drift : .theta
        var otherErrors: [Double] = []
        for j in 0..<Forecaster.combinationOrigins {
            let o = y.count - (j + 1) * 12
            let fc = f.statisticalForecast(other, history: Array(y[..<o]), horizon: 12, state: state)
            for h in 0..<12 { otherErrors.append(abs(y[o + h] - fc[h])) }
        }
        #expect(close(try halfWidths(.model(other)), q(otherErrors.sorted())))
        #expect(try ModelFile.decode(try ModelFile.encode(f), path: "m").series[0].networkCalibrationErrors == own)

        // A blend (`weights`): the network's own errors for it, and the blended model by name has
        // no errors of its own stored (the combination's are the blend's).
        var cw = c
        cw.combine = .weights
        let b = try fit([TimeSeries(target: y)], cw)
        let blendedState = b.series[0]
        let share = try #require(blendedState.statWeight)
        #expect(share > 0 && share < 1)
        let bOwn = try #require(blendedState.networkCalibrationErrors)
        #expect(bOwn != blendedState.calibrationErrors)
        func bandOf(_ source: ForecastSource) throws -> [Double] {
            let fc = try b.predict(horizon: 12, history: [TimeSeries(target: y)], intervals: [0.8], source: source)[0]
            return zip(fc.intervals[0].upper, fc.values).map { $0 - $1 }
        }
        #expect(close(try bandOf(.network), q(bOwn)))
        let blendedModel = try #require(blendedState.choice.flatMap(Baseline.init(rawValue:)))
        let alone = try #require(b.statisticalCalibration(blendedModel, y, state: blendedState))
        #expect(alone != blendedState.calibrationErrors)
        #expect(close(try bandOf(.model(blendedModel)), q(alone)))
    }

    /// Which of the network's forecasts at the origins count as out of sample.
    @Test func outOfSampleOrigins() {
        // 100 points, 80 trained on (two horizons of 10 held out): early stopping watched the
        // older held-out horizon; the newest is clean; an origin in the training part only when refitted.
        let f = { (o: Int, r: Bool) in Forecaster.isOutOfSample(origin: o, count: 100, trained: 80, refitted: r, horizon: 10) }
        #expect(f(90, false) && !f(80, false) && !f(70, false) && f(70, true))
        // One horizon and a half held out: the same windows stop and calibrate; both origins in it count.
        let g = { (o: Int) in Forecaster.isOutOfSample(origin: o, count: 100, trained: 85, refitted: false, horizon: 10) }
        #expect(g(90) && !g(80))
        #expect(Forecaster.isOutOfSample(origin: 85, count: 100, trained: 85, refitted: false, horizon: 10))
    }

    /// A model file whose network errors are not a sorted list of non-negative values is refused,
    /// naming the field.
    @Test func unsortedNetworkErrorsAreRefused() throws {
        var f = try fit([TimeSeries(target: Self.shortSeries())], Self.networkConfig())
        var s = f.series
        s[0].networkCalibrationErrors = [2, 1]
        f = f.with(series: s)
        let bytes = try ModelFile.encode(f)
        let error = #expect(throws: ForecastError.self) { try ModelFile.decode(bytes, path: "m") }
        #expect(error.map { "\($0)".contains("series[0].networkCalibrationErrors") } == true, "\(String(describing: error))")
    }
}
