import Foundation
import Testing
@testable import ForecastData

/// Files of 8 MB and more without quotes are read as two halves in parallel; the result must be the
/// one a single stream gives, and errors in the second half must carry their true line numbers.
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

    @Test func parallelEqualsSequential() throws {
        let text = Self.bigText(rows: 330_000)
        #expect(text.utf8.count >= 8 << 20)
        let path = tempCSV(text)
        let parallel = try CSVTable(contentsOf: path, columns: Self.columns)
        let sequential = try CSVTable(text: text, columns: Self.columns)
        #expect(parallel.rowCount == 330_000)
        #expect(parallel.lines == sequential.lines)
        #expect(parallel.numbers("v") == sequential.numbers("v"))
        #expect(parallel.numbers("w").map(\.bitPattern) == sequential.numbers("w").map(\.bitPattern))
        guard case .times(let t1, let f1)? = parallel.columns["date"], case .times(let t2, let f2)? = sequential.columns["date"],
              case .text(let c1, let v1)? = parallel.columns["id"], case .text(let c2, let v2)? = sequential.columns["id"] else {
            Issue.record("missing columns"); return
        }
        #expect(t1 == t2 && f1 == f2)
        #expect(c1.map { v1[Int($0)] } == c2.map { v2[Int($0)] })
    }

    @Test func errorInTheSecondHalfNamesItsLine() throws {
        let path = tempCSV(Self.bigText(rows: 330_000, badLine: 300_001))
        #expect {
            try CSVTable(contentsOf: path, columns: Self.columns)
        } throws: { e in
            let e = e as! DataError
            return e.line == 300_001 && e.column == 3 && e.message == "expected a number, found \"oops\""
        }
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
