import Testing
@testable import ForecastData

@Suite struct TimeFormatTests {
    @Test func civilCalendarRoundTrips() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let d = CivilCalendar.date(days: days)
            #expect(CivilCalendar.days(year: d.year, month: d.month, day: d.day) == days)
        }
        #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.days(year: 2000, month: 3, day: 1) - CivilCalendar.days(year: 2000, month: 2, day: 28) == 2)
        #expect(CivilCalendar.days(year: 1900, month: 3, day: 1) - CivilCalendar.days(year: 1900, month: 2, day: 28) == 1)
    }

    @Test func detectsEachBuiltInFormat() throws {
        let day = CivilCalendar.timestamp(year: 2024, month: 3, day: 1)
        #expect(TimeFormat.detect("2024-03-01")! == (.date, day))
        #expect(TimeFormat.detect("2024-03-01T13:30:05")! == (.dateTime(separator: "T", seconds: true, zoneOffset: nil), day + 13 * 3600 + 30 * 60 + 5))
        #expect(TimeFormat.detect("2024-03-01 13:30")! == (.dateTime(separator: " ", seconds: false, zoneOffset: nil), day + 13 * 3600 + 30 * 60))
        #expect(TimeFormat.detect("2024-03-01T13:30:05Z")!.1 == day + 13 * 3600 + 30 * 60 + 5)
        #expect(TimeFormat.detect("2024-03-01T13:30:05+02:00")!.1 == day + 11 * 3600 + 30 * 60 + 5)
        #expect(TimeFormat.detect("2024-03-01T13:30:05.000-0130")!.1 == day + 15 * 3600 + 5)
        #expect(TimeFormat.detect("2024-03-01T13:30:05.250-0130") == nil)   // finer than a second
        #expect(TimeFormat.detect("2024-03")! == (.yearMonth, day))
        #expect(TimeFormat.detect("2024-Q2")! == (.yearQuarter, CivilCalendar.timestamp(year: 2024, month: 4, day: 1)))
        #expect(TimeFormat.detect("2024Q4")!.1 == CivilCalendar.timestamp(year: 2024, month: 10, day: 1))
        #expect(TimeFormat.detect("17")! == (.index, 17))
        #expect(TimeFormat.year.parse("1949") == CivilCalendar.timestamp(year: 1949, month: 1, day: 1))
    }

    @Test func patternsMustRunFromTheYearDown() {
        // `%H` alone wrapped at midnight: each day's hours read as the same 24 times.
        #expect(TimeFormat.pattern("%H").patternProblem?.hasPrefix("has no %Y or %y") == true)
        #expect(TimeFormat.pattern("%m/%d").patternProblem?.hasPrefix("has no %Y or %y") == true)
        #expect(TimeFormat.pattern("%Y %H").patternProblem?.hasPrefix("has no %m or %b") == true)
        #expect(TimeFormat.pattern("%Y-%m-%d %M").patternProblem?.hasPrefix("has no %H") == true)
        #expect(TimeFormat.pattern("literal").patternProblem?.hasPrefix("has no date or time field") == true)
        for ok in ["%d/%m/%Y", "%Y-%m", "%b %Y", "%y%m%d %H:%M:%S", "%Y"] {
            #expect(TimeFormat.pattern(ok).patternProblem == nil, "\(ok)")
        }
        #expect(TimeFormat.date.patternProblem == nil)
    }

    @Test func rejectsImpossibleDates() {
        #expect(TimeFormat.detect("2023-02-29") == nil)
        #expect(TimeFormat.detect("2024-13-01") == nil)
        #expect(TimeFormat.detect("2024-01-01T25:00") == nil)
        #expect(TimeFormat.detect("yesterday") == nil)
        #expect(TimeFormat.detect("2024-Q5") == nil)
        #expect(TimeFormat.detect("2024-02-29") != nil)
    }

    @Test func customPatterns() {
        let f = TimeFormat(argument: "%d/%m/%Y")!
        #expect(f.parse("31/12/1999") == CivilCalendar.timestamp(year: 1999, month: 12, day: 31))
        #expect(f.parse("31/02/1999") == nil)
        #expect(f.format(CivilCalendar.timestamp(year: 2001, month: 2, day: 3)) == "03/02/2001")
        let g = TimeFormat(argument: "%b %Y")!
        #expect(g.parse("Mar 2020") == CivilCalendar.timestamp(year: 2020, month: 3, day: 1))
        #expect(TimeFormat(argument: "index") == .index)
        #expect(TimeFormat(argument: "garbage") == nil)
    }

    @Test func formattingRoundTrips() {
        let samples = ["2024-03-01", "2024-03-01T13:30:05", "2024-03-01 13:30", "2024-03", "2024-Q3", "2024-03-01T13:30:05+02:00", "42"]
        for s in samples {
            let (f, t) = TimeFormat.detect(s)!
            #expect(f.format(t) == s)
        }
    }
}

private func == (a: (TimeFormat, Int64), b: (TimeFormat, Int64)) -> Bool { a.0 == b.0 && a.1 == b.1 }
