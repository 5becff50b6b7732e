import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// No position input for a primary seasonal period shorter than a year on calendar data
/// (`ForecasterConfig.primaryPeriodPosition`, model format 6): the seasonal-naive baseline already
/// repeats that cycle.
@Suite struct PrimaryPositionTests {
    static let hour: Int64 = 3_600, day: Int64 = 86_400, week: Int64 = 604_800

    func features(_ frequency: Frequency, _ periods: [Int], length: Int, yearPhaseFromDate: Bool = false) -> CalendarFeatures {
        CalendarFeatures(frequency: frequency, periods: periods, enabled: true, length: length,
                         yearPhaseFromDate: yearPhaseFromDate, primaryPosition: false)
    }

    @Test func thePrimaryPeriodsPairIsLeftOutButTheOthersStay() {
        // Hourly with a daily and a weekly season: the week's pair stays, and since a period
        // spans a week, still no weekday.
        let hourly = features(.seconds(Self.hour), [24, 168], length: 5_000)
        #expect(hourly.periods == [168] && !hourly.dayOfWeek && hourly.count == 2)
        #expect(hourly.names == ["position in the 168-step season"])
        // One season: no position input; the weekday rule is unchanged (eight weeks, no weekly period).
        let one = features(.seconds(Self.hour), [24], length: 5_000)
        #expect(one.periods.isEmpty && one.dayOfWeek && one.count == 2)
        // Daily data whose primary period is the week: no pair and no weekday (the baseline repeats the week).
        let daily = features(.seconds(Self.day), [7], length: 1_000)
        #expect(daily.periods.isEmpty && !daily.dayOfWeek && daily.monthOfYear)
        // A yearly primary season keeps its pair: months, quarters, 52 weeks (by date or by steps),
        // 365 days; so do integer steps, whose calendar is unknown.
        #expect(features(.months(1, monthEnd: false), [12], length: 200).periods == [12])
        #expect(features(.months(3, monthEnd: false), [4], length: 200).periods == [4])
        #expect(features(.seconds(Self.week), [52], length: 2_300, yearPhaseFromDate: true).periods == [52])
        #expect(features(.seconds(Self.week), [52], length: 2_300, yearPhaseFromDate: false).periods == [52])
        #expect(features(.seconds(Self.day), [365, 7], length: 3_000).periods == [365, 7])
        #expect(features(.steps(1), [24, 168], length: 1_000).periods == [24, 168])
        // With the switch on (models of format 5 and earlier) every period has its pair.
        #expect(CalendarFeatures(frequency: .seconds(Self.hour), periods: [24, 168], enabled: true, length: 20_000).periods == [24, 168])
    }

    @Test func fitLeavesItOutAndOlderModelsKeepIt() throws {
        var g = TestNoise(state: 9)
        let n = 24 * 40
        let y = (0..<n).map { 50 + 5 * sin(2 * Double.pi * Double($0 % 24) / 24) + g.normal() }
        let s = TimeSeries(id: nil, timeColumn: "t", timeFormat: .dateTime(separator: "T", seconds: false, zoneOffset: 0),
                           frequency: .seconds(Self.hour), timestamps: (0..<n).map { 1_704_067_200 + Int64($0) * Self.hour }, target: y)
        var config = ForecasterConfig(horizon: 6)
        config.maxSteps = 3; config.ensembleSize = 1; config.hiddenSize = 8; config.combine = .network
        config.seasonalPeriods = [24]
        let f = try Forecaster.fit([s], config: config)
        #expect(f.config.primaryPeriodPosition == false)
        #expect(!f.calendar.periods.contains(24))
        let bytes = try ModelFile.encode(f)
        let header = try ModelFile.parse(bytes, path: "memory").header
        #expect(header.config.primaryPeriodPosition == false && header.primaryPositionLeftOut == 24)
        #expect(header.calendarDescription?.contains("24-step") != true)
        let back = try ModelFile.decode(bytes, path: "memory")
        #expect(try back.predict(horizon: 6)[0].values == (try f.predict(horizon: 6)[0].values))
        // A model of format 5 and earlier has no field: the pair is there.
        var older = f.config
        older.primaryPeriodPosition = nil
        #expect(CalendarFeatures(config: older, frequency: .seconds(Self.hour), length: n).periods == [24])
        // Asked for without calendar features, nothing is said to be left out.
        config.calendarFeatures = false
        let none = try ModelFile.parse(try ModelFile.encode(try Forecaster.fit([s], config: config)), path: "memory").header
        #expect(none.primaryPositionLeftOut == nil && none.calendarDescription == nil)
    }
}
