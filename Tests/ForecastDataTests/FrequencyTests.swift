import Testing
@testable import ForecastData

private func ts(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0) -> Int64 { CivilCalendar.timestamp(year: y, month: m, day: d, hour: h) }

@Suite struct FrequencyTests {
    @Test func monthlyQuarterlyYearly() {
        #expect(Frequency.infer([ts(2020, 1, 1), ts(2020, 2, 1), ts(2020, 3, 1)], isIndex: false) == .months(1, monthEnd: false))
        #expect(Frequency.infer([ts(2020, 1, 1), ts(2020, 4, 1), ts(2020, 7, 1)], isIndex: false) == .months(3, monthEnd: false))
        #expect(Frequency.infer([ts(2019, 1, 1), ts(2020, 1, 1), ts(2021, 1, 1)], isIndex: false) == .months(12, monthEnd: false))
        #expect(Frequency.months(3, monthEnd: false).name == "quarterly")
        #expect(Frequency.months(1, monthEnd: false).seasonalPeriod == 12)
        #expect(Frequency.months(3, monthEnd: false).seasonalPeriod == 4)
        #expect(Frequency.months(12, monthEnd: false).seasonalPeriod == 1)
    }

    @Test func monthEndsAndLeapYears() {
        let f = Frequency.infer([ts(2023, 12, 31), ts(2024, 1, 31), ts(2024, 2, 29), ts(2024, 3, 31)], isIndex: false)
        #expect(f == .months(1, monthEnd: true))
        #expect(f!.advance(ts(2024, 3, 31), by: 1) == ts(2024, 4, 30))
        #expect(f!.advance(ts(2024, 1, 31), by: 13) == ts(2025, 2, 28))
        #expect(f!.advance(ts(2027, 1, 31), by: 1) == ts(2027, 2, 28))
        #expect(f!.advance(ts(2028, 1, 31), by: 1) == ts(2028, 2, 29))
        #expect(Frequency.months(1, monthEnd: false).advance(ts(2024, 1, 15), by: -2) == ts(2023, 11, 15))
    }

    @Test func fixedSteps() {
        #expect(Frequency.infer([ts(2020, 1, 1), ts(2020, 1, 2), ts(2020, 1, 3)], isIndex: false) == .seconds(86_400))
        #expect(Frequency.infer([ts(2020, 1, 4), ts(2020, 1, 11), ts(2020, 1, 18)], isIndex: false) == .seconds(604_800))
        #expect(Frequency.infer([ts(2020, 1, 1, 0), ts(2020, 1, 1, 1), ts(2020, 1, 1, 2)], isIndex: false) == .seconds(3_600))
        #expect(Frequency.seconds(86_400).seasonalPeriod == 7)
        #expect(Frequency.seconds(3_600).seasonalPeriod == 24)
        #expect(Frequency.seconds(1_800).seasonalPeriod == 48)
        #expect(Frequency.seconds(604_800).seasonalPeriod == 52)
        #expect(Frequency.infer([3, 5, 7, 11], isIndex: true) == .steps(2))
        #expect(Frequency.steps(2).steps(from: 3, to: 11) == 4)
        #expect(Frequency.steps(2).steps(from: 3, to: 10) == nil)
    }

    @Test func dailyDataInsideOneMonthIsNotMonthly() {
        // Different days of the month: not calendar months.
        #expect(Frequency.infer([ts(2020, 1, 1), ts(2020, 1, 2)], isIndex: false) == .seconds(86_400))
    }
}
