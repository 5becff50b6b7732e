import Foundation
import Testing
@testable import ForecastData

/// The library side of the input promises: streams read in one pass, hostile bytes stopped at
/// once, short escaped messages, time columns that must be times, compact dates.
@Suite struct InputHygieneTests {
    func error(_ body: () throws -> Any) -> ForecastError? {
        do { _ = try body(); return nil } catch let e as ForecastError { return e } catch { return nil }
    }

    @Test func excerptsAreShortAndEscaped() {
        #expect(ForecastError.excerpt("12,5x") == "\"12,5x\"")
        #expect(ForecastError.excerpt("\u{1B}[2J\r\n\t\u{9B}") == "\"\\u{1B}[2J\\r\\n\\t\\u{9B}\"")
        let long = ForecastError.excerpt(String(repeating: "é", count: 500))
        #expect(long == "\"" + String(repeating: "é", count: 80) + "... (1000 bytes)\"")
        #expect(ForecastError(file: "a\u{1B}.csv", columnName: "x\u{07}", message: "m").description == "a\\u{1B}.csv, column 'x\\u{7}': m")
    }

    @Test func nulBytesAndEndlessFieldsStopTheRead() {
        let nul = error { try CSVTable(bytes: Array("date,v\n2024-01-01,1\n".utf8) + [0, 0], columns: ["v": .number]) }
        #expect(nul?.description == "<bytes>, line 3: the file contains a NUL byte; expected CSV text (is it a binary, compressed or sparse file?)")
        let field = Array("date,v\n2024-01-01,".utf8) + [UInt8](repeating: 55, count: CSVParser.maxFieldBytes + 10) + [10]
        #expect(error { try CSVTable(bytes: field, columns: ["v": .number]) }?.description.hasPrefix("<bytes>, line 2: a field longer than 1 MiB") == true)
        let quoted = Array("date,v\n2024-01-01,\"".utf8) + [UInt8](repeating: 10, count: 3 << 20)
        #expect(error { try CSVTable(bytes: quoted, columns: ["v": .number]) }?.description.hasPrefix("<bytes>, line 2: a field longer than 1 MiB") == true)
    }

    /// The command line refuses such a `--delimiter`; the library's option gets the same rule.
    @Test func delimitersThatCannotSeparateFieldsAreRefused() throws {
        let path = tempCSV("date;v\n2024-01-01;1\n2024-01-02;2\n2024-01-03;3\n2024-01-04;4\n", name: "delim")
        for d in ["\"", "\n", "\r", "é"] {
            var o = SeriesLoader.Options(target: "v")
            o.delimiter = Array(d.utf8)[0]
            // `read` too: `predict --data` reads the table itself.
            for e in [error { try SeriesLoader.load(path, options: o) }, error { try SeriesLoader.read(path, options: o) }] {
                #expect(e?.kind == .configuration && e?.description.contains("one ASCII character other than a quote or a line break") == true, "\(d.debugDescription)")
            }
        }
        var o = SeriesLoader.Options(target: "v")
        o.delimiter = UInt8(ascii: ";")
        #expect(try SeriesLoader.load(path, options: o).series[0].count == 4)
    }

    @Test func aFIFOIsReadOnceInOnePass() throws {
        let path = tempCSV("", name: "fifo")
        try FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Thread {
            let text = "month,v\n" + (1...24).map { "20\(10 + ($0 - 1) / 12)-\(String(format: "%02d", ($0 - 1) % 12 + 1)),\($0)" }.joined(separator: "\n") + "\n"
            let fd = open(path, O_WRONLY)
            var bytes = Array(text.utf8)
            _ = write(fd, &bytes, bytes.count)
            close(fd)
        }
        writer.start()
        let r = try SeriesLoader.load(path, options: .init(target: "v"))
        #expect(r.series[0].count == 24 && r.series[0].frequency == .months(1, monthEnd: false))
    }

    @Test func timeColumnsThatAreNotTimesAreErrors() {
        let someday = tempCSV("date,v\nsomeday,1\nsomeday,2\nsomeday,3\n")
        #expect(error { try SeriesLoader.load(someday, options: .init(target: "v")) }?.description.hasSuffix(
            "line 2, column 1 ('date'): expected a date or time such as 2024-03-01, 2024-03-01T13:00, 2024-03, 2024-Q1, 20240301 or a year (or give `timeFormat`), found \"someday\"") == true)
        var o = SeriesLoader.Options(target: "v")
        o.timeFormat = TimeFormat(argument: "%d/%m/%Y")
        let other = tempCSV("when,v\n2024-03-01,1\n2024-03-02,2\n2024-03-03,3\n")
        #expect(error { try SeriesLoader.load(other, options: o) }?.description.hasSuffix(
            "line 2: no column holds a time in the `timeFormat` given (%d/%m/%Y); name the time column with `timeColumn`") == true)
        // Without a time-like name or a format, rows are still numbered.
        #expect((try? SeriesLoader.load(tempCSV("x,v\na,1\nb,2\nc,3\n"), options: .init(target: "v")))?.series[0].timeFormat == .index)
    }

    @Test func compactDatesAreDates() throws {
        let r = try SeriesLoader.load(tempCSV("date,v\n20240228,1\n20240229,2\n20240301,3\n"), options: .init(target: "v"))
        #expect(r.series[0].timeFormat == SeriesLoader.compactDate && r.series[0].frequency == .seconds(86_400))
        #expect(r.series[0].formattedTime(2) == "20240301")
        #expect(r.report == ["'date': values such as 20240228 read as dates (YYYYMMDD); use `timeFormat = .index` to keep them as integers"])
        #expect(SeriesLoader.calendarTimes([20240230, 20240301], format: .index) == nil)   // not a date: an index
        var o = SeriesLoader.Options(target: "v")
        o.timeFormat = .index
        #expect(try SeriesLoader.load(tempCSV("date,v\n20240101,1\n20240102,2\n20240103,3\n"), options: o).series[0].timeFormat == .index)
    }

    /// Six-digit months (194901) are months, not integer steps with 88 missing between years
    /// (which `fill` would have filled with made-up values); a typo among them is an error at its line.
    @Test func compactMonthsAreMonths() throws {
        let r = try SeriesLoader.load(tempCSV("date,v\n194911,1\n194912,2\n195001,3\n195002,4\n"), options: .init(target: "v"))
        #expect(r.series[0].timeFormat == SeriesLoader.compactMonth && r.series[0].frequency == .months(1, monthEnd: false))
        #expect(r.series[0].count == 4 && r.series[0].formattedTime(2) == "195001")
        #expect(r.report == ["'date': values such as 194911 read as months (YYYYMM); use `timeFormat = .index` to keep them as integers"])
        // 195013 for 195003, among months that turn a year.
        let months = ["194906", "194907", "194908", "194909", "194910", "194911", "194912", "195001", "195002", "195013", "195004"]
        #expect(error { try SeriesLoader.load(tempCSV("date,v\n" + months.map { "\($0),1" }.joined(separator: "\n") + "\n"), options: .init(target: "v")) }?
            .description.hasSuffix("line 11, column 'date': expected a month written YYYYMM like the other values (194906), found 195013; give `timeFormat = .index` to read the column as integer steps") == true)
        // Without a December followed by the next January, six-digit values stay integers: week
        // codes 202401...202412 (and a 13th), or consecutive steps.
        #expect(SeriesLoader.calendarTimes((202401...202412).map { Int64($0) }, format: .index) == nil)
        #expect(SeriesLoader.compactDateMisfit((202401...202413).map { Int64($0) }) == nil)
        #expect(SeriesLoader.calendarTimes((195001...195030).map { Int64($0) }, format: .index) == nil)
        var o = SeriesLoader.Options(target: "v")
        o.timeFormat = .index
        // Read as integer steps when asked: then 88 steps are missing between the two years.
        #expect(error { try SeriesLoader.load(tempCSV("date,v\n194911,1\n194912,2\n195001,3\n"), options: o) }?
            .description.contains("the missing timestamp 194913 leaves a gap inside the series") == true)
    }

    /// A missing timestamp is reported at the row after it, with the row before it named: the
    /// error gave the column alone, so the user searched the file for the gap.
    @Test func gapsNameTheRowsAroundThem() {
        let gap = tempCSV("date,v\n2024-01-01,1\n2024-02-01,2\n2024-04-01,4\n2024-05-01,5\n")
        #expect(error { try SeriesLoader.load(gap, options: .init(target: "v")) }?.description.hasSuffix(
            "line 4, column 'date': the missing timestamp 2024-03-01 leaves a gap inside the series (no row between 2024-02-01 on line 3 and 2024-04-01 on line 4); to fill gaps, use `fill = .interpolate` or `fill = .ffill`") == true)
    }
}
