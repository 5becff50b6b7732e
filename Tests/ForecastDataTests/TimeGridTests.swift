import Foundation
import Testing
@testable import ForecastData

private func ts(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0) -> Int64 { CivilCalendar.timestamp(year: y, month: m, day: d, hour: h) }

/// Times on a frequency's grid are computed, not stored, and read back exactly as given.
@Suite struct TimeGridTests {
    @Test func gridTimesAreComputedAndReadBackExactly() {
        let hourly = (0..<1000).map { ts(2024, 1, 1) + 3600 * Int64($0) }
        let monthEnds = [ts(2023, 11, 30), ts(2023, 12, 31), ts(2024, 1, 31), ts(2024, 2, 29), ts(2024, 3, 31)]
        for (times, f) in [(hourly, Frequency.seconds(3600)), (monthEnds, .months(1, monthEnd: true)),
                           ([5, 7, 9], .steps(2))] {
            let g = TimeGrid(times, frequency: f)
            #expect(!g.isStored)
            #expect(Array(g) == times)
            #expect(g.count == times.count && g.last == times.last)
            let r = 1..<(times.count - 1)
            #expect(Array(g.slice(r)) == Array(times[r]))
            #expect(!g.slice(r).isStored)
            #expect(Array(g.slice(r).slice(0..<1)) == [times[1]])
        }
    }

    @Test func timesOffTheGridAreStored() {
        let jittered: [Int64] = [0, 3600, 7201, 10_800]
        let g = TimeGrid(jittered, frequency: .seconds(3600))
        #expect(g.isStored)
        #expect(Array(g) == jittered)
        #expect(Array(g.slice(2..<4)) == [7201, 10_800])
        // Days of the month that a month-end grid would move are kept as given.
        let days = [ts(2024, 1, 30), ts(2024, 2, 29), ts(2024, 3, 30)]
        #expect(Array(TimeGrid(days, frequency: .months(1, monthEnd: false))) == days)
        #expect(Array(TimeGrid([], frequency: .steps(1))) == [])
    }

    @Test func equalityComparesTimesNotStorage() {
        let computed = TimeGrid([0, 10, 20], frequency: .steps(10))
        let stored = TimeGrid([0, 10, 20], frequency: .steps(7))
        #expect(!computed.isStored && stored.isStored)
        #expect(computed == stored)
        #expect(computed != TimeGrid([0, 10], frequency: .steps(10)))
        #expect(TimeSeries(frequency: .steps(10), timestamps: [0, 10, 20], target: [1, 2, 3])
                == TimeSeries(frequency: .steps(10), timestamps: [0, 10, 20], target: [1, 2, 3]))
    }

    @Test func loadedSeriesStoreNoTimes() throws {
        let csv = "series,time,value\na,2024-01-01T00:00,1\na,2024-01-01T02:00,3\na,2024-01-01T03:00,4\n"
            + "b,2024-01-01T01:00,5\nb,2024-01-01T02:00,6\n"
        let r = try SeriesLoader.load(tempCSV(csv), options: .init(target: "value", idColumn: "series", fill: .interpolate))
        #expect(r.series.allSatisfy { !$0.times.isStored })
        let a = r.series.first { $0.id == "a" }!
        #expect(Array(a.times) == (0..<4).map { ts(2024, 1, 1, $0) })
        #expect(Array(a.suffix(2).times) == [ts(2024, 1, 1, 2), ts(2024, 1, 1, 3)])
        // The public view reads and writes the same times.
        var b = a
        #expect(b.timestamps == Array(a.times))
        b.timestamps = [1, 2, 4, 8]
        #expect(b.times.isStored && Array(b.times) == [1, 2, 4, 8] && b != a)
    }

    /// A loaded series (times on the grid, covariates, an id) and one with times off the grid
    /// survive JSON and back, a packed target as its values; arrays that do not fit together are a
    /// decoding error.
    @Test func seriesRoundTripThroughJSON() throws {
        let csv = "series,time,value,temp\na,2024-01-01T00:00,1,5\na,2024-01-01T01:00,3,6\na,2024-01-01T02:00,4,7\n"
        let a = try SeriesLoader.load(tempCSV(csv), options: .init(target: "value", idColumn: "series", covariates: ["temp"])).series[0]
        var off = a
        off.timestamps = [1, 2, 4]
        for s in [a, off] {
            #expect(try JSONDecoder().decode(TimeSeries.self, from: JSONEncoder().encode(s)) == s)
        }
        var packed = a
        packed.packTarget()
        #expect(try JSONDecoder().decode(TimeSeries.self, from: JSONEncoder().encode(packed)) == a)
        let text = String(decoding: try JSONEncoder().encode(a), as: UTF8.self)
        for bad in [text.replacingOccurrences(of: "[1,3,4]", with: "[1,3]"),
                    text.replacingOccurrences(of: "[5,6,7]", with: "[5,6]")] {
            #expect(bad != text)
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(TimeSeries.self, from: Data(bad.utf8)) }
        }
    }
}
