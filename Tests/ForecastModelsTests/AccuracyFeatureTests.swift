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

    /// The day of the year's phase of a feature pair (sine, cosine), in days of 365.2425.
    private func phaseDays(_ sin: Float, _ cos: Float) -> Double {
        let a = atan2(Double(sin), Double(cos))
        return (a < 0 ? a + 2 * .pi : a) / (2 * .pi) * 365.2425
    }

    /// Weekly data with a 52-week season: the season's position comes from the date, so the
    /// same calendar week 40 years apart gets (almost) the same features, where a count of 52-week
    /// steps would have drifted by seven weeks; the month pair is left out. Models of format 3
    /// and earlier (`yearPhaseFromDate` false) keep the step count and the month.
    @Test func yearlySeasonOfWeeklyDataFollowsTheDate() throws {
        let week: Int64 = 604_800
        let new = CalendarFeatures(frequency: .seconds(week), periods: [52], enabled: true, length: 2_300,
                                   yearPhaseFromDate: true)
        let old = CalendarFeatures(frequency: .seconds(week), periods: [52], enabled: true, length: 2_300)
        #expect(new.count == 2 && old.count == 4)
        // 1980-03-02 and 2020-03-01 (both Sundays): 2,087 weeks apart, 40 years and 1 day.
        let t1980: Int64 = 320_803_200, t2020: Int64 = 1_583_020_800
        #expect((t2020 - t1980) % week == 0)
        var a = [Float](repeating: 0, count: 2), b = a
        new.write(t1980, frequency: .seconds(week), to: &a)
        new.write(t2020, frequency: .seconds(week), to: &b)
        let drift = abs(phaseDays(a[0], a[1]) - phaseDays(b[0], b[1]))
        #expect(drift < 2, "the same date 40 years apart is \(drift) days apart in the year")
        var c = [Float](repeating: 0, count: 4), d = c
        old.write(t1980, frequency: .seconds(week), to: &c)
        old.write(t2020, frequency: .seconds(week), to: &d)
        let counted = abs(phaseDays(c[0], c[1]) - phaseDays(d[0], d[1]))
        #expect(counted > 40, "step counting drifts by 2,087 mod 52 = 7 weeks; got \(counted) days")
        // Daily data with a 365-day season and hourly with 8,760 hours are yearly too; 7 days is not.
        #expect(CalendarFeatures.isYearly(365, step: 86_400) && CalendarFeatures.isYearly(8_760, step: 3_600))
        #expect(!CalendarFeatures.isYearly(7, step: 86_400) && !CalendarFeatures.isYearly(Int.max, step: 86_400))
        // Integer steps have no dates: unchanged.
        let steps = CalendarFeatures(frequency: .steps(1), periods: [52], enabled: true, length: 2_300, yearPhaseFromDate: true)
        var e = [Float](repeating: 0, count: 2)
        steps.write(52, frequency: .steps(1), to: &e)
        #expect(abs(e[0]) < 1e-6 && abs(e[1] - 1) < 1e-6)
    }

    /// `fit` records that yearly phases come from the date; a configuration without the field
    /// (model files of format 3 and earlier) reads as step counting, and the field survives a
    /// model file.
    @Test func yearPhaseIsRecordedInTheModel() throws {
        var g = TestNoise(state: 7)
        let week: Int64 = 604_800, start: Int64 = 320_803_200
        let n = 200
        let values = (0..<n).map { i in 10 + 3 * sin(2 * Double.pi * Double(i) / 52.18) + 0.3 * g.normal() }
        let series = TimeSeries(id: "w", timeColumn: "date", timeFormat: .date, frequency: .seconds(week),
                                timestamps: (0..<n).map { start + Int64($0) * week }, target: values)
        var config = ForecasterConfig(horizon: 4)
        config.maxSteps = 20
        config.ensembleSize = 1
        config.seasonalPeriods = [52]
        config.combine = .network
        let f = try Forecaster.fit([series], config: config)
        #expect(f.config.yearPhaseFromDate == true && f.calendar.count == 2)
        let back = try ModelFile.decode(try ModelFile.encode(f), path: "memory")
        #expect(back.config.yearPhaseFromDate == true)
        var notes: [String] = []
        let warm = try Forecaster.fit([series], config: f.config, warmStart: f, warnings: &notes)
        #expect(warm.config.yearPhaseFromDate == true && warm.calendar == f.calendar)
        #expect(try back.predict(horizon: 4)[0].values == (try f.predict(horizon: 4)[0].values))
        let json = try JSONEncoder().encode(config)
        var object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        object["yearPhaseFromDate"] = nil
        let older = try JSONDecoder().decode(ForecasterConfig.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(older.yearPhaseFromDate == nil)
    }
}
