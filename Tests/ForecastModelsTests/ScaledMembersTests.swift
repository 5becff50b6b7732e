import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN

/// A seasonal series (period 12) whose swings grow `growth` times over its `n` points.
private func growingSeries(_ n: Int = 240, growth: Double = 4, seed: UInt64 = 3) -> TimeSeries {
    var g = TestNoise(state: seed)
    let y = (0..<n).map { t -> Double in
        let amplitude = 1 + (growth - 1) * Double(t) / Double(n - 1)
        return 50 + amplitude * (5 * sin(2 * .pi * Double(t % 12) / 12) + 0.5 * g.normal())
    }
    return TimeSeries(target: y)
}

/// The window-scaled members: trained only where a series' scale changed, with the plain members'
/// seeds and lookbacks, and mixed into the network's forecast of those series alone.
@Suite struct ScaledMembersTests {
    @Test func scaleChangeComparesTheSpreadOfTheDifferencesInTheFirstAndLastQuarter() {
        // Differences at lag 1 (too short for three seasons of 4): 1, -1, 0, 0, 0, 0, 2, -2; the
        // first quarter deviates from its mean by 1, the last by 2.
        let y: [Double] = [0, 1, 0, 0, 0, 0, 0, 2, 0]
        #expect(abs(Forecaster.scaleChange(y, period: 4) - log(2.0)) < 1e-12)
        // Shrinking is a change too; missing values are left out.
        #expect(abs(Forecaster.scaleChange([0, 2, .nan, 0, 0, 0, 0, 0, 1, 0], period: 1) - log(2.0)) < 1e-12)
        // At the seasonal lag when the series holds more than three seasons: a season of steady
        // size on a trend, even a steepening one, is no change of scale.
        let season = (0..<40).map { Double([1, 5, 2, 7][$0 % 4]) }
        #expect(Forecaster.scaleChange(season, period: 4) == 0)
        #expect(Forecaster.scaleChange(season.indices.map { season[$0] + 0.5 * Double($0) }, period: 4) == 0)
        #expect(Forecaster.scaleChange(season.indices.map { season[$0] + 0.01 * Double($0 * $0) }, period: 4) < 1e-9)
        #expect(Forecaster.scaleChange(season, period: 1) < 0.05)
        #expect(Forecaster.scaleChange([3, 3, 3, 3, 3, 4, 6, 7, 9], period: 1) == .infinity)
        #expect(Forecaster.scaleChange([5], period: 1) == 0 && Forecaster.scaleChange([], period: 12) == 0)
        var c = ForecasterConfig(horizon: 6)
        c.seasonalPeriod = 12
        #expect(Forecaster.scaleChange(growingSeries().target, period: 12) > Forecaster.scaleChangeThreshold + 0.2)
        #expect(Forecaster.scaleChanged(growingSeries(), config: c))
        #expect(!Forecaster.scaleChanged(growingSeries(growth: 1), config: c))
    }

    /// The plain members are the ones a fit without scaled members trains, bit for bit; the scaled
    /// ones repeat their seeds and lookbacks; and the network's forecast of the series is the mean
    /// of the two ensembles' medians.
    @Test func aSeriesWhoseScaleChangedGetsTheMeanOfBothEnsembles() throws {
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 30; c.combine = .network; c.seasonalPeriods = [12]
        let f = try fit([growingSeries()], c)
        #expect(f.members.map(\.scaled) == [false, false, true, true])
        #expect(f.members.map(\.seed) == [42, 43, 42, 43])
        #expect(f.members.map(\.lookback) == [24, 36, 24, 36])
        #expect(f.series[0].scaleChanged == true)
        var off = c; off.scaledMembers = false
        let plain = try fit([growingSeries()], off)
        #expect(!plain.hasScaledMembers && plain.series[0].scaleChanged == nil)
        #expect(learnedEnsemble(plain) == learnedEnsemble(Forecaster(config: f.config, members: f.plainMembers, targetName: f.targetName,
            covariateNames: [], timeColumn: f.timeColumn, idColumn: nil, series: f.series, residuals: f.residuals, summary: f.summary)))

        // Each ensemble alone: the plain members without the flag, the scaled ones as a model
        // whose every member scales its windows.
        var unflagged = f.series
        unflagged[0].scaleChanged = nil
        let plainOnly = Forecaster(config: f.config, members: f.plainMembers, targetName: f.targetName, covariateNames: [],
                                   timeColumn: f.timeColumn, idColumn: nil, series: unflagged, residuals: f.residuals, summary: f.summary)
        var scaledConfig = f.config
        scaledConfig.windowScaling = true
        let scaledOnly = Forecaster(config: scaledConfig,
                                    members: f.members.filter(\.scaled).map {
                                        EnsembleMember(network: $0.network, lookback: $0.lookback, seed: $0.seed, summary: $0.summary)
                                    },
                                    targetName: f.targetName, covariateNames: [], timeColumn: f.timeColumn, idColumn: nil,
                                    series: unflagged, residuals: f.residuals, summary: f.summary)
        let both = try f.predict(horizon: 6, source: .network)[0].values
        let a = try plainOnly.predict(horizon: 6, source: .network)[0].values
        let b = try scaledOnly.predict(horizon: 6, source: .network)[0].values
        #expect(a != b)
        for h in 0..<6 {
            #expect(abs(both[h] - (a[h] + b[h]) / 2) < 1e-4 * (1 + abs(both[h])), "step \(h): \(both[h]) vs \(a[h]) and \(b[h])")
        }
        // Given as history, the series keeps its state; a series new to the model is flagged on
        // its own history.
        #expect(try f.predict(horizon: 6, history: [growingSeries()], source: .network)[0].values == both)
        #expect(f.newSeriesState(growingSeries(seed: 9)).scaleChanged == true)
        #expect(f.newSeriesState(growingSeries(growth: 1, seed: 5)).scaleChanged == nil)

        // The model file keeps which members scale and which series mix them in.
        let back = try ModelFile.decode(try ModelFile.encode(f), path: "memory")
        #expect(back.members.map(\.scaled) == f.members.map(\.scaled) && back.series[0].scaleChanged == true)
        #expect(try back.predict(horizon: 6, source: .network)[0].values == both)
        #expect(try back.predict(horizon: 6, intervals: [0.8])[0] == f.predict(horizon: 6, intervals: [0.8])[0])

        // A warm start keeps the scaled members (and their weights).
        var notes: [String] = []
        var resume = f.config
        resume.memberLookbacks = f.plainMembers.map(\.lookback)
        resume.maxSteps = 1
        let warm = try Forecaster.fit([growingSeries()], config: resume, warmStart: f, warnings: &notes)
        #expect(warm.members.map(\.scaled) == f.members.map(\.scaled))
        // ... also on data whose scale did not change (the scaled members then train on it all,
        // and no series mixes them in).
        let steady = try Forecaster.fit([growingSeries(growth: 1, seed: 5)], config: resume, warmStart: f, warnings: &notes)
        #expect(steady.members.map(\.scaled) == f.members.map(\.scaled) && steady.series[0].scaleChanged == nil)
        #expect(steady.members[2].summary.trainWindows == steady.members[0].summary.trainWindows)
    }

    /// No series whose scale changed, `scaledMembers` false, or every member window-scaled: no
    /// scaled members, and the model is the one without the feature.
    @Test func nothingIsAddedWhereNoScaleChangedOrWhenTurnedOff() throws {
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 20; c.combine = .network; c.seasonalPeriods = [12]
        let steady = try fit([growingSeries(growth: 1)], c)
        #expect(steady.members.count == 2 && !steady.hasScaledMembers && steady.series[0].scaleChanged == nil)
        var scaling = c; scaling.windowScaling = true
        let all = try fit([growingSeries()], scaling)
        #expect(all.members.count == 2 && !all.hasScaledMembers && all.encoding(lookback: 24).scaled)
        // A panel: the flag per series, and the scaled members train on the flagged series alone
        // (half the windows here), with a step budget of their own when none is given.
        var a = growingSeries(), b = growingSeries(growth: 1, seed: 5)
        a.id = "a"; b.id = "b"
        var byDefault = c
        byDefault.maxSteps = nil
        byDefault.patience = 1
        let panel = try fit([a, b], byDefault)
        #expect(panel.members.map(\.scaled) == [false, false, true, true])
        #expect(panel.series.map(\.scaleChanged) == [true, nil])
        let (plain, scaled) = (panel.members[0].summary, panel.members[2].summary)
        #expect(scaled.trainWindows * 2 == plain.trainWindows && scaled.validationWindows * 2 == plain.validationWindows)
        #expect(scaled.maxSteps! < plain.maxSteps!, "\(scaled.maxSteps!) steps against \(plain.maxSteps!)")
    }

    /// A file whose scaled members are not one per plain member after them, or that claims them in
    /// an older format, is refused.
    @Test func malformedScaledMembersAreRefused() throws {
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 10; c.combine = .network; c.seasonalPeriods = [12]
        let f = try fit([growingSeries()], c)
        var h = ModelFile.header(f, version: ModelFile.formatVersion)
        h.members![1].scaled = true
        h.members![2].scaled = nil
        #expect(throws: ForecastError.self) { try ModelFile.validate(h, path: "m") }
        var old = ModelFile.header(f, version: 7)
        old.formatVersion = 7
        #expect(throws: ForecastError.self) { try ModelFile.validate(old, path: "m") }
        try ModelFile.validate(ModelFile.header(f, version: ModelFile.formatVersion), path: "m")
    }
}
