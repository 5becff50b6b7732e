import Foundation
import Testing
@testable import ForecastData

/// Files of 8 MB and more without quotes are read as two halves in parallel; the result must be the
/// one a single stream gives, and errors in the second half must carry their true line numbers.
///
/// `CSVTable(contentsOf:)` takes the two-halves path only on a machine with more than one online
/// core and falls back to one stream otherwise, so on one core the old tests compared the one-stream
/// reader with itself and passed whatever the parallel reader did. These tests call the two-halves
/// reader with `processors: 2` and require that it took the file (a nil result, the fallback, fails).
@Suite struct ParallelReadTests {
    static func bigText(rows: Int, badLine: Int? = nil) -> String {
        var s = "id,date,v,w\n"
        s.reserveCapacity(rows * 40)
        let ids = ["north", "south", "east"]
        for r in 0..<rows {
            let line = r + 2
            let day = CivilCalendar.timestamp(year: 2000, month: 1, day: 1) + Int64(r / 3) * 86400
            let v = line == badLine ? "oops" : String(Double(r % 1000) * 0.25)
            s += "\(ids[r % 3]),\(TimeFormat.date.format(day)),\(v),\(r % 7 == 0 ? "" : String(r))\n"
        }
        return s
    }

    static let columns: [String: CSVTable.Kind] = ["id": .text, "date": .time(nil), "v": .number, "w": .number]

    /// The file read as two halves, whatever the machine's core count; nil if the reader fell back.
    static func readInHalves(_ path: String) throws -> CSVTable? {
        guard let size = CSVInput.regularFileSize(path),
              let halves = try ParallelRead.read(path, size: size, requested: columns, delimiter: nil, processors: 2) else { return nil }
        return try CSVTable(reader: halves.reader, delimiter: halves.delimiter)
    }

    /// Checked against: `ParallelRead.read` dropping the second half (returning the first reader
    /// without `absorb`): this test failed; restored, it passed.
    @Test func parallelEqualsSequential() throws {
        let text = Self.bigText(rows: 330_000)
        #expect(text.utf8.count >= 8 << 20)
        let path = tempCSV(text)
        let parallel = try #require(try Self.readInHalves(path), "the two-halves reader must take this file")
        let sequential = try CSVTable(text: text, columns: Self.columns)
        #expect(parallel.rowCount == 330_000)
        guard case .times(let t1, let f1)? = parallel.columns["date"], case .times(let t2, let f2)? = sequential.columns["date"],
              case .text(let c1, let v1)? = parallel.columns["id"], case .text(let c2, let v2)? = sequential.columns["id"] else {
            Issue.record("missing columns"); return
        }
        // Compared outside #expect: on a mismatch it would diff the 330 000-element arrays for minutes.
        let same = [
            "lines": parallel.lines == sequential.lines,
            "v": parallel.numbers("v") == sequential.numbers("v"),
            "w": parallel.numbers("w").map(\.bitPattern) == sequential.numbers("w").map(\.bitPattern),
            "date": t1 == t2 && f1 == f2,
            "id": c1.map { v1[Int($0)] } == c2.map { v2[Int($0)] },
        ]
        #expect(same.filter { !$0.value }.keys.sorted() == [], "columns that differ from the one-stream read")
    }

    @Test func errorInTheSecondHalfNamesItsLine() throws {
        let path = tempCSV(Self.bigText(rows: 330_000, badLine: 300_001))
        #expect {
            try Self.readInHalves(path)
        } throws: { e in
            let e = e as! ForecastError
            return e.line == 300_001 && e.column == 3 && e.message == "expected a number, found \"oops\""
        }
        #expect {
            try CSVTable(contentsOf: path, columns: Self.columns)
        } throws: { e in (e as! ForecastError).line == 300_001 }
    }
}

/// Line numbers are stored per row only after the first gap (a blank line or a multi-line field).
@Suite struct LineNumbersTests {
    @Test func regularThenExplicitAndMerged() {
        var a = LineNumbers()
        for l: Int32 in [2, 3, 4] { a.append(l) }
        #expect(Array(a) == [2, 3, 4])
        a.append(7); a.append(8)                       // a blank line or a multi-line field before 7
        #expect(Array(a) == [2, 3, 4, 7, 8])
        var b = LineNumbers()
        for l: Int32 in [10, 11] { b.append(l) }
        a.append(contentsOf: b)
        #expect(Array(a) == [2, 3, 4, 7, 8, 10, 11])
        var c = LineNumbers()
        for l: Int32 in [2, 3] { c.append(l) }
        var d = LineNumbers()
        for l: Int32 in [4, 5, 9] { d.append(l) }
        c.append(contentsOf: d)                        // continues regularly, then a gap
        #expect(Array(c) == [2, 3, 4, 5, 9])
        #expect(c.count == 5 && c[4] == 9)
    }

    @Test func blankLinesAndQuotedNewlinesKeepTrueLines() throws {
        let t = try CSVTable(text: "a,b\n1,2\n\n3,\"x\ny\"\n5,6\n", columns: ["a": .number])
        #expect(Array(t.lines) == [2, 4, 6])
    }
}
