import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// Day-of-week inputs only for data with a weekly cycle (`Forecaster.detectWeeklyCycle`,
/// model format 5): hourly temperature has a daily cycle that makes every multiple of a day,
/// a week too, a peak of its autocorrelation, so the test looks at the change over a day.
@Suite struct WeeklyCycleTests {
    static let hour: Int64 = 3_600, day: Int64 = 86_400
    static let start: Int64 = 1_704_067_200   // 2024-01-01, a Monday

    /// `days` of data at `step` seconds: a daily cycle, AR(1) weather-like noise and, with
    /// `weekend`, a lift on Saturdays and Sundays.
    static func series(days: Int, step: Int64, weekend: Double, seed: UInt64) -> TimeSeries {
        var g = TestNoise(state: seed)
        let perDay = Int(day / step), n = days * perDay
        var ar = 0.0
        let values = (0..<n).map { i -> Double in
            ar = 0.9 * ar + g.normal()
            let weekday = (i / perDay) % 7   // 0 = Monday
            let daily = perDay > 1 ? 5 * sin(2 * Double.pi * Double(i % perDay) / Double(perDay)) : 0
            return 50 + daily + ar + (weekday >= 5 ? weekend : 0)
        }
        return TimeSeries(id: nil, timeColumn: "t", timeFormat: .dateTime(separator: "T", seconds: false, zoneOffset: 0),
                          frequency: .seconds(step), timestamps: (0..<n).map { start + Int64($0) * step }, target: values)
    }

    @Test func weeklyCycleIsFoundWhereThereIsOne() {
        for seed in [1, 2, 3] as [UInt64] {
            #expect(Forecaster.detectWeeklyCycle([Self.series(days: 120, step: Self.hour, weekend: 8, seed: seed)]))
            #expect(!Forecaster.detectWeeklyCycle([Self.series(days: 120, step: Self.hour, weekend: 0, seed: seed)]))
            #expect(Forecaster.detectWeeklyCycle([Self.series(days: 400, step: Self.day, weekend: 8, seed: seed)]))
            #expect(!Forecaster.detectWeeklyCycle([Self.series(days: 400, step: Self.day, weekend: 0, seed: seed)]))
        }
        // Too short to test (under three weeks), or no weekly candidate (monthly): the length rule decides.
        #expect(Forecaster.detectWeeklyCycle([Self.series(days: 15, step: Self.hour, weekend: 0, seed: 1)]))
        let tenHours = TimeSeries(id: nil, timeColumn: "t", timeFormat: .dateTime(separator: "T", seconds: false, zoneOffset: 0),
                                  frequency: .seconds(Self.hour), timestamps: (0..<10).map { Self.start + $0 * Self.hour },
                                  target: (0..<10).map(Double.init))
        #expect(Forecaster.detectWeeklyCycle([tenHours]))   // shorter than a day: it trapped
        let monthly = TimeSeries(id: nil, timeColumn: "t", timeFormat: .yearMonth, frequency: .months(1, monthEnd: false),
                                 timestamps: (0..<60).map { CivilCalendar.timestamp(year: 2000 + $0 / 12, month: $0 % 12 + 1, day: 1) },
                                 target: (0..<60).map { Double($0 % 12) })
        #expect(Forecaster.detectWeeklyCycle([monthly]))
    }

    @Test func modelWithoutAWeeklyCycleHasNoWeekdayInputs() throws {
        let s = Self.series(days: 70, step: Self.hour, weekend: 0, seed: 4)
        var config = ForecasterConfig(horizon: 6)
        config.maxSteps = 3
        config.ensembleSize = 1
        config.hiddenSize = 8
        config.combine = .network
        let f = try Forecaster.fit([s], config: config)
        #expect(f.config.weeklyCycle == false)
        #expect(!f.calendar.dayOfWeek && !f.calendar.names.contains("day of week"))
        // The field survives the file; without it (format 4 and earlier) the length rule gives the weekday.
        let bytes = try ModelFile.encode(f)
        let header = try ModelFile.parse(bytes, path: "memory").header
        #expect(header.config.weeklyCycle == false && header.weekdayLeftOut)
        #expect(header.calendarDescription?.contains("day of week") != true)
        var older = f.config
        older.weeklyCycle = nil
        #expect(CalendarFeatures(frequency: .seconds(Self.hour), periods: older.seasonalPeriods ?? [], enabled: true,
                                 length: s.count, weeklyCycle: older.weeklyCycle).dayOfWeek)
        let back = try ModelFile.decode(bytes, path: "memory")
        #expect(try back.predict(horizon: 6)[0].values == (try f.predict(horizon: 6)[0].values))
        // A weekly cycle keeps the weekday inputs (no weekly period among the detected ones here).
        let weekly = try Forecaster.fit([Self.series(days: 70, step: Self.hour, weekend: 8, seed: 4)], config: config)
        #expect(weekly.config.weeklyCycle == true)
        #expect(weekly.calendar.dayOfWeek || weekly.config.seasonalPeriods?.contains(168) == true)
    }
}
