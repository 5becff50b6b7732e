import Testing
import ForecastData
@testable import ForecastModels

/// A panel's series on one time grid share one table of calendar features (`CalendarTable`)
/// instead of a copy each: the rows a series reads there must be bit for bit the rows it would
/// compute for itself, and a series off the grid must keep its own.
///
/// Checked against: the table's rows computed one grid step late: this test failed (3 issues).
@Suite struct CalendarTableTests {
    static let hour = Frequency.seconds(3_600)
    static let start = CivilCalendar.timestamp(year: 2024, month: 2, day: 27)

    static func series(_ id: String, from k: Int, count n: Int, jitter: Int64 = 0) -> TimeSeries {
        TimeSeries(id: id, timeColumn: "time", timeFormat: .dateTime(separator: "T", seconds: true, zoneOffset: nil), frequency: hour,
                   timestamps: (0..<n).map { hour.advance(start, by: k + $0) + ($0 == 3 ? jitter : 0) },
                   target: (0..<n).map { Double($0 % 24) })
    }

    @Test func sharedRowsEqualEachSeriesOwn() {
        let panel = [Self.series("a", from: 5, count: 300), Self.series("b", from: 0, count: 200),
                     Self.series("c", from: 40, count: 500), Self.series("off", from: 2, count: 100, jitter: 60)]
        let calendar = CalendarFeatures(frequency: Self.hour, periods: [24, 168], enabled: true, length: 500)
        #expect(calendar.count > 0)
        guard let table = CalendarTable(panel, calendar: calendar, frequency: Self.hour) else {
            Issue.record("no table for a panel on one grid")
            return
        }
        #expect(table.offsets == [5, 0, 40, nil])
        let C = calendar.count
        for (i, s) in panel.enumerated() {
            let own = SeriesFeatures(s, fitOn: s.count, kind: .standard, period: 24, calendar: calendar, futureColumns: 0)
            #expect(own.futureOffset == 0 && own.future.count == s.count * C)
            guard let k = table.offsets[i] else { continue }
            let shared = SeriesFeatures(s, fitOn: s.count, kind: .standard, period: 24, calendar: calendar, futureColumns: 0,
                                        shared: (table.rows, k))
            let rows = Array(shared.future[(k * C)..<((k + s.count) * C)])
            #expect(rows.map(\.bitPattern) == own.future.map(\.bitPattern), "series \(s.id!)")
            #expect(shared.values == own.values)
        }
    }

    @Test func spansFarApartKeepTheirOwnRows() {
        let calendar = CalendarFeatures(frequency: Self.hour, periods: [24], enabled: true, length: 100)
        let panel = [Self.series("a", from: 0, count: 100), Self.series("b", from: 100_000, count: 100)]
        #expect(CalendarTable(panel, calendar: calendar, frequency: Self.hour) == nil)
        #expect(CalendarTable([panel[0]], calendar: calendar, frequency: Self.hour) == nil)
    }
}
