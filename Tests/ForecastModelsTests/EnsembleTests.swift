import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN

/// Every member's weights and the calibration residuals, bit for bit.
func learnedEnsemble(_ f: Forecaster) -> [[UInt32]] {
    f.members.flatMap { m in m.network.parameters.map { $0.value.array.map(\.bitPattern) } } + f.residuals.map { $0.map(\.bitPattern) }
}

@Suite struct EnsembleTests {
    @Test(arguments: [1, 2])
    func sameDataSeedThreadsAndSizeGiveABitIdenticalEnsemble(threads: Int) throws {
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 40; c.threads = threads; c.ensembleSize = 3
        let a = try fit([airline()], c), b = try fit([airline()], c)
        // Airline's scale changed: three plain members and three window-scaled ones.
        #expect(a.members.count == 6 && a.members.map(\.scaled) == [false, false, false, true, true, true])
        #expect(learnedEnsemble(a) == learnedEnsemble(b))
        // The files too, byte for byte: they store no wall-clock time.
        #expect(try ModelFile.encode(a) == ModelFile.encode(b))
        #expect(a.summary.seconds > 0, "the fit itself still reports its time")
        #expect(try ModelFile.decode(try ModelFile.encode(a), path: "m").summary.seconds == 0)
        #expect(a.members.map(\.seed) == [42, 43, 44, 42, 43, 44])
        #expect(a.members.map(\.lookback) == [24, 36, 24, 24, 36, 24])
        #expect(a.series[0].choice == b.series[0].choice)
        // Members train one thread each in parallel, so the thread count does not change them.
        var c1 = c; c1.threads = 3 - threads
        #expect(learnedEnsemble(a) == learnedEnsemble(try fit([airline()], c1)))
        var c2 = c; c2.seed = 7
        #expect(learnedEnsemble(a) != learnedEnsemble(try fit([airline()], c2)))
    }

    /// The default lookbacks (L and 1.5 L) given explicitly give the default model; one lookback
    /// given is every member's.
    @Test func memberLookbacksGivenReproduceTheDefault() throws {
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 20; c.ensembleSize = 2; c.combine = .network
        let byDefault = try fit([airline()], c)
        var given = c; given.memberLookbacks = byDefault.plainMembers.map(\.lookback)
        let explicit = try fit([airline()], given)
        #expect(byDefault.plainMembers.map(\.lookback) == [24, 36])
        #expect(explicit.plainMembers.map(\.lookback) == [24, 36])
        #expect(learnedEnsemble(explicit) == learnedEnsemble(byDefault))
        #expect(try explicit.predict(horizon: 12)[0].values == byDefault.predict(horizon: 12)[0].values)
        var one = c; one.lookback = 24
        #expect(try fit([airline()], one).plainMembers.map(\.lookback) == [24, 24])
        var cycled = c; cycled.ensembleSize = 3; cycled.memberLookbacks = [30, 20]
        let f = try fit([airline()], cycled)
        #expect(f.plainMembers.map(\.lookback) == [30, 20, 30] && f.config.lookback == 30)
        var empty = c; empty.memberLookbacks = []
        #expect(throws: ForecastError.self) { try fit([airline()], empty) }
    }

    @Test func forecastIsTheMembersMedianAndFilesKeepEveryMember() throws {
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 30; c.ensembleSize = 3; c.combine = .network; c.scaledMembers = false
        let f = try fit([airline()], c)
        let together = try f.predict(horizon: 12)[0].values
        // Each member alone, through a one-member forecaster.
        let alone = try f.members.map { m in
            try Forecaster(config: f.config, members: [m], targetName: f.targetName, covariateNames: f.covariateNames,
                           timeColumn: f.timeColumn, idColumn: f.idColumn, series: f.series, residuals: f.residuals,
                           summary: f.summary).predict(horizon: 12)[0].values
        }
        for h in 0..<12 {
            let sorted = alone.map { $0[h] }.sorted()
            #expect(abs(together[h] - sorted[1]) <= 1e-9 * abs(sorted[1]) + 1e-9)
        }
        let back = try ModelFile.decode(try ModelFile.encode(f), path: "memory")
        #expect(back.members.map(\.lookback) == f.members.map(\.lookback))
        #expect(learnedEnsemble(back) == learnedEnsemble(f))
        #expect(try back.predict(horizon: 12)[0].values == together)
    }

    @Test func aNetworkThatValidatesWorseThanSeasonalNaiveIsNotUsed() throws {
        // y[t] = y[t-12] + noise: the seasonal-naive forecast is the best there is, and a network
        // trained for five steps at a learning rate of 1 only adds noise to it.
        var g = TestNoise(state: 11)
        var y = (0..<12).map { 100 + 10 * sin(2 * .pi * Double($0) / 12) }
        for t in 12..<600 { y.append(y[t - 12] + g.normal()) }
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 5; c.learningRate = 1; c.seasonalPeriods = [12]; c.validationFraction = 0.12
        let f = try fit([TimeSeries(target: y)], c)
        let e = try #require(f.series[0].validationErrors)
        #expect(e["network"]! > e["seasonal_naive"]!, "the setting should make the network worse: \(e)")
        let choice = try #require(f.series[0].choice)
        #expect(choice != "network")
        #expect(e[choice]! == e.values.min()!)
        // The forecast is then the chosen model's, refitted on the whole series.
        let model = try #require(Baseline(rawValue: choice))
        let expected = f.statisticalForecast(model, history: y, horizon: 12, state: f.series[0])
        let fc = try f.predict(horizon: 12)[0].values
        for (a, b) in zip(fc, expected) { #expect(abs(a - b) <= 1e-9 * abs(b)) }
        // With `network` the same fit keeps the network.
        c.combine = .network
        #expect(try fit([TimeSeries(target: y)], c).series[0].choice == nil)
    }

    /// Intervals are calibrated on the chosen forecast's own errors at the combination's origins:
    /// recomputed here from the validation part, their conformal quantile widened by
    /// `selectionInflation` gives the half-widths `predict` uses.
    @Test func intervalsComeFromTheChosenForecastsValidationErrors() throws {
        var g = TestNoise(state: 5)
        var y = (0..<24).map { 50 + 8 * sin(2 * .pi * Double($0) / 12) }
        for t in 24..<400 { y.append(y[t - 12] + 0.2 * (y[t - 1] - y[t - 13]) + g.normal()) }
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 60; c.seasonalPeriods = [12]; c.ensembleSize = 1
        let f = try fit([TimeSeries(target: y)], c)
        let state = f.series[0]
        let scores = try #require(state.calibrationErrors)
        #expect(scores.count == Forecaster.combinationOrigins * 6 && scores == scores.sorted())
        // Recompute the chosen forecast's errors at the 4 newest origins.
        var expected: [Double] = []
        for k in 0..<Forecaster.combinationOrigins {
            let o = y.count - (k + 1) * 6
            let history = TimeSeries(target: Array(y[..<o]))
            let net = try f.predict(horizon: 6, history: [history], source: .network)[0].values
            var stat = net
            if let choice = state.choice, let model = Baseline(rawValue: choice) {
                stat = f.statisticalForecast(model, history: Array(y[..<o]), horizon: 6, state: state)
            }
            let w = state.choice == nil ? 0 : state.statWeight ?? 1
            for h in 0..<6 { expected.append(abs(y[o + h] - (w * stat[h] + (1 - w) * net[h]))) }
        }
        #expect(zip(expected.sorted(), scores).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($0)) })
        let fc = try f.predict(horizon: 8, intervals: [0.8, 0.95])[0]
        for (band, level) in zip(fc.intervals, [0.8, 0.95]) {
            let q = Forecaster.conformalQuantile(scores, level: level) * Forecaster.selectionInflation
            for h in 0..<8 {
                let w = q * (h < 6 ? 1 : (Double(h + 1) / 6).squareRoot())
                #expect(abs(band.upper[h] - fc.values[h] - w) <= 1e-9 * max(1, w))
                #expect(abs(fc.values[h] - band.lower[h] - w) <= 1e-9 * max(1, w))
            }
        }
        // --method network is calibrated on the network's own errors at the same origins (those
        // of the combination when the network forecasts alone; NetworkIntervalsTests).
        let net = try f.predict(horizon: 2, intervals: [0.8], source: .network)[0]
        let own = state.choice.flatMap(Baseline.init(rawValue:)) == nil ? scores : try #require(state.networkCalibrationErrors)
        let q = Forecaster.conformalQuantile(own, level: 0.8) * Forecaster.selectionInflation
        #expect(abs(net.intervals[0].upper[0] - net.values[0] - q) <= 1e-9 * max(1, q))
    }

    /// The `auto` blend: a clear winner forecasts alone, a tie is split, a near tie is blended
    /// towards the smaller error; the mean counts half for each side.
    @Test func blendWeightFollowsTheValidationErrors() {
        let w = Forecaster.blendWeight
        #expect(w(1, 1, 1) == 0.5)
        #expect(w(1, 2, 1.5) == 0 && w(2, 1, 1.5) == 1)   // 2^-32: snapped
        let near = w(1.02, 1, 1.01)
        #expect(near > 0.5 && near < 0.99, "\(near)")
        // Only the mean wins: it takes all, half for each side.
        #expect(w(2, 2, 1) == 0.5)
        // The mean of two near-equal forecasts that beats both pulls the share towards a half.
        #expect(abs(w(1.1, 1, 0.9) - 0.5) < abs(w(1.1, 1, 1.2) - 0.5))
        // A side without a finite error gets nothing.
        #expect(w(.nan, 1, .nan) == 1 && w(1, .infinity, .infinity) == 0 && w(.nan, .nan, .nan) == 0)
        // ... and its NaN forecast does not leak into the other side's through 0 × NaN.
        #expect(Forecaster.blend(1, 5, .nan) == 5 && Forecaster.blend(0, .nan, 3) == 3 && Forecaster.blend(0.25, 4, 8) == 7)
    }

    @Test func combinationKeepsTheNetworkOnPatternsOnlyItCanLearn() throws {
        // Pulses of a fixed shape start at irregular times; once one has started the network can
        // read its onset in the lookback and finish it, which no statistical model can.
        var g = TestNoise(state: 21)
        let shape: [Double] = (0..<18).map { 30 * sin(.pi * Double($0) / 18) }
        var y = [Double](repeating: 0, count: 1_600)
        var t = 5
        while t < y.count {
            for (k, v) in shape.enumerated() where t + k < y.count { y[t + k] += v }
            t += 20 + Int(g.next() * 12)
        }
        for i in y.indices { y[i] += 10 + 0.3 * g.normal() }
        var c = ForecasterConfig(horizon: 8)
        c.maxSteps = 1_500; c.seasonalPeriods = []; c.lookback = 24; c.hiddenSize = 32
        c.validationFraction = 0.1
        let f = try fit([TimeSeries(target: y)], c)
        let e = try #require(f.series[0].validationErrors)
        #expect(f.series[0].choice == "network", "validation errors \(e)")
        #expect(e["network"]! < 0.6 * e["seasonal_naive"]!)
    }

    /// On a short series the held-out part covers one origin of the four; the network's errors at
    /// the others come from the same fit on the data cut at each origin (out of sample), never from
    /// the final network, which trained on them.
    @Test func shortSeriesScoreTheNetworkOutOfSampleAtEveryOrigin() throws {
        let s = try airline(), H = 12
        var c = ForecasterConfig(horizon: H)
        c.maxSteps = 40; c.ensembleSize = 1
        let f = try fit([s], c)
        var cv = c
        cv.combine = .network; cv.seasonalPeriods = f.config.seasonalPeriods; cv.seasonalPeriod = f.config.seasonalPeriod
        var outside = 0.0, inside = 0.0
        for k in 0..<Forecaster.combinationOrigins {
            let o = s.count - (k + 1) * H
            // The newest block lies in the held-out part (14 points): the final network scores it.
            // (Forecast as the fit forecasts the series: with its scale-change flag.)
            var notes: [String] = []
            let model = k == 0 ? f : try Forecaster.fit([s.prefix(o)], config: cv,
                                                        scaleChanges: ["": f.series[0].scaleChanged == true], warnings: &notes)
            let a = try networkPart(model, of: f, history: s.prefix(o), horizon: H)
            let b = try f.predict(horizon: H, history: [s.prefix(o)], source: .network)[0].values
            for h in 0..<H { outside += abs(s.target[o + h] - a[h]); inside += abs(s.target[o + h] - b[h]) }
        }
        let n = Double(Forecaster.combinationOrigins * H)
        let e = try #require(f.series[0].validationErrors?["network"])
        #expect(abs(e - outside / n) <= 1e-9 * e, "validation \(e), cut fits \(outside / n), final fit \(inside / n)")
        #expect(abs(e - inside / n) > 1e-6 * e)
        // The refits never reach the final network: same weights as without a combination.
        var plain = c
        plain.combine = .network
        #expect(learnedEnsemble(try fit([s], plain)) == learnedEnsemble(f))
    }
}
