import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN

/// A deterministic uniform generator for synthetic data.
struct TestNoise {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    /// Roughly standard normal (sum of 12 uniforms).
    mutating func normal() -> Double { (0..<12).reduce(0) { acc, _ in acc + next() } - 6 }
}

/// An integer-indexed series with a daily (24) and a weekly (168) season plus noise.
func twoSeasonSeries(_ n: Int, seed: UInt64 = 1) -> TimeSeries {
    var g = TestNoise(state: seed)
    let y = (0..<n).map { t -> Double in
        let day = sin(2 * .pi * Double(t % 24) / 24), week = (t % 168) / 24 >= 5 ? -3.0 : 1.0
        return 20 + 4 * day + week + 0.5 * g.normal()
    }
    return TimeSeries(target: y)
}

@Suite struct AccuracyFeatureTests {
    @Test func fitDetectsDailyAndWeeklySeasonsOnIntegerSteps() throws {
        var c = ForecasterConfig(horizon: 24)
        c.maxSteps = 20
        let f = try fit([twoSeasonSeries(2_000)], c)
        #expect(f.config.seasonalPeriods == [24, 168])
        #expect(f.config.periodsDetected == true)
        #expect(f.config.seasonalPeriod == 24)
        #expect(f.config.lookback! >= 168)
        #expect(f.network.config.futureSize == 4)       // sin/cos for 24 and 168
        #expect(f.periodsDescription == "24, 168 (detected)")
    }

    @Test func givenPeriodsAreKeptAndTooLongOnesDropped() throws {
        var c = ForecasterConfig(horizon: 12)
        c.seasonalPeriods = [12, 500]
        c.maxSteps = 10
        var w: [String] = []
        let f = try Forecaster.fit([airline()], config: c, warnings: &w)
        #expect(f.config.seasonalPeriods == [12])
        #expect(f.config.periodsDetected == false)
        #expect(w.contains { $0.contains("seasonal period 500 is dropped") })
        c.seasonalPeriods = []
        let none = try fit([airline()], c)
        #expect(none.config.seasonalPeriod == 1 && none.series[0].baselinePeriod == 1)
    }

    @Test func noSeasonOnWhiteNoise() throws {
        var g = TestNoise(state: 9)
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 5
        let f = try fit([TimeSeries(target: (0..<600).map { _ in 10 + g.normal() })], c)
        #expect(f.config.seasonalPeriods == [])
    }

    @Test func stepBudgetIsHonoured() throws {
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 7
        c.patience = 1_000
        let f = try fit([airline()], c)
        #expect(f.summary.steps == 7 && f.summary.maxSteps == 7)
        #expect(ForecasterConfig.defaultSteps(windows: 100, batchSize: 32) == 800)
        #expect(ForecasterConfig.defaultSteps(windows: 1_000_000, batchSize: 32) == ForecasterConfig.stepCap)
    }

    @Test func forecastsOfNonNegativeSeriesAreClippedAtZero() throws {
        // A positive series falling steeply towards zero: an unclipped forecast goes below it.
        var g = TestNoise(state: 3)
        let y = (0..<200).map { t in max(0, 100 - 0.55 * Double(t) + 2 * g.normal()) }
        var c = ForecasterConfig(horizon: 24)
        c.maxSteps = 200
        c.seasonalPeriods = []
        let clipped = try fit([TimeSeries(target: y)], c)
        #expect(clipped.series[0].nonNegative == true)
        let fc = try clipped.predict(horizon: 24, intervals: [0.95])[0]
        #expect(fc.values.allSatisfy { $0 >= 0 })
        #expect(fc.intervals[0].lower.allSatisfy { $0 >= 0 })
        c.allowNegative = true
        let free = try fit([TimeSeries(target: y)], c)
        #expect(free.series[0].nonNegative == false)
        let raw = try free.predict(horizon: 24, intervals: [0.95])[0]
        #expect(raw.intervals[0].lower.contains { $0 < 0 }, "the unclipped model should reach below zero here")
        // A series with a negative value is never clipped.
        var neg = y; neg[5] = -1
        c.allowNegative = nil
        #expect(try fit([TimeSeries(target: neg)], c).series[0].nonNegative == false)
    }

    @Test func futureCovariateMovesTheForecastExactlyWhereItIsSet() throws {
        // Daily-like integer series with a season of 7 and a large spike on "holidays".
        let n = 1_400
        var g = TestNoise(state: 5)
        var holiday = [Double](repeating: 0, count: n + 30)
        for t in 0..<(n + 30) where g.next() < 0.06 { holiday[t] = 1 }
        let y = (0..<n).map { t in 50 + 5 * sin(2 * .pi * Double(t % 7) / 7) + 40 * holiday[t] + g.normal() }
        let train = TimeSeries(target: y, covariateNames: ["holiday"], covariates: [Array(holiday.prefix(n))])
        var c = ForecasterConfig(horizon: 14)
        c.futureCovariates = ["holiday"]
        c.seasonalPeriods = [7]
        c.maxSteps = 1_500
        c.threads = 2
        let f = try fit([train], c)
        #expect(f.network.config.futureSize == 2 + 1)   // sin/cos of the 7-step season, then the holiday
        func future(spikeAt k: Int?) -> TimeSeries {
            var h = [Double](repeating: 0, count: 14)
            if let k { h[k] = 1 }
            return TimeSeries(timestamps: (0..<14).map { Int64(n + $0) }, targetName: "holiday", target: h,
                              covariateNames: ["holiday"], covariates: [h])
        }
        let plain = try f.predict(horizon: 14, future: [future(spikeAt: nil)])[0].values
        let spiked = try f.predict(horizon: 14, future: [future(spikeAt: 5)])[0].values
        let d = zip(plain, spiked).map { abs($0 - $1) }
        #expect(d[5] > 20, "the spike should lift step 6 by about 40, moved \(d[5])")
        for h in 0..<5 { #expect(d[h] == 0, "steps before the spike cannot change (causal decoder)") }
        for h in 6..<14 { #expect(d[h] < d[5] / 4, "step \(h + 1) moved \(d[h]) against \(d[5]) at the spike") }
        // Without the future rows the forecast is refused, naming the column.
        #expect(throws: ForecastError.self) { try f.predict(horizon: 14) }
        let short = TimeSeries(timestamps: [Int64(n)], targetName: "holiday", target: [0], covariateNames: ["holiday"], covariates: [[0]])
        do { _ = try f.predict(horizon: 14, future: [short]); Issue.record("expected an error") } catch let e as ForecastError where e.kind == .configuration {
            #expect(e.message.contains("'holiday'") && e.message.contains("\(n + 1)"))
        }
    }

    @Test func modelFileOfFormatOneStillLoadsAndForecastsAsBefore() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let f = try ModelFile.read(dir.appendingPathComponent("airline-format1.fcm").path)
        #expect(f.network.config.futureSize == 0)
        #expect(f.config.seasonalPeriod == 12 && f.series[0].baselinePeriod == nil && f.series[0].nonNegative == nil)
        let expected = try String(contentsOf: dir.appendingPathComponent("airline-format1-forecast.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[1])! }
        let got = try f.predict(horizon: 12)[0].values
        for (a, b) in zip(got, expected) { #expect(abs(a - b) < 1e-3 * abs(b)) }
        // Written again, it is a format-2 file that reads back the same.
        let again = try ModelFile.decode(try ModelFile.encode(f), path: "memory")
        #expect(try again.predict(horizon: 12)[0].values == got)
    }

    @Test func calendarFeaturesFollowTheClock() {
        let hourly = CalendarFeatures(frequency: .seconds(3_600), periods: [24, 168], enabled: true, length: 20_000)
        #expect(hourly.count == 4 + 2)          // 24, 168, month (the weekday is covered by 168)
        let daily = CalendarFeatures(frequency: .seconds(86_400), periods: [7], enabled: true, length: 1_000)
        #expect(daily.count == 2 + 2)           // 7, month
        #expect(CalendarFeatures(frequency: .seconds(86_400), periods: [], enabled: true, length: 100).count == 2)  // weekday only
        #expect(CalendarFeatures(frequency: .seconds(86_400), periods: [], enabled: true, length: 28).count == 0)
        let steps = CalendarFeatures(frequency: .steps(1), periods: [24], enabled: true, length: 1_000)
        #expect(steps.count == 2)
        #expect(CalendarFeatures(frequency: .seconds(3_600), periods: [24], enabled: false, length: 20_000).count == 0)
        var a = [Float](repeating: 0, count: 6), b = a
        hourly.write(0, frequency: .seconds(3_600), to: &a)
        hourly.write(86_400 * 7, frequency: .seconds(3_600), to: &b)
        #expect(Array(a[0..<4]) == Array(b[0..<4]))  // same hour of day and of week a week later
    }
}
