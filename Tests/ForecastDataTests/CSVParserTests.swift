import Testing
@testable import ForecastData

private func records(_ text: String, delimiter: UInt8? = nil) throws -> (rows: [[String]], lines: [Int], delimiter: UInt8) {
    var rows: [[String]] = []
    var lines: [Int] = []
    let d = try CSVParser.forEachRecord(inText: text, delimiter: delimiter) { r in
        rows.append((0..<r.count).map { r.string(at: $0)! })
        lines.append(r.line)
    }
    return (rows, lines, d)
}

@Suite struct CSVParserTests {
    @Test func plainRows() throws {
        let r = try records("a,b\n1,2\n3,4\n")
        #expect(r.rows == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(r.lines == [1, 2, 3])
    }

    @Test func quotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let r = try records("name,note\n\"x,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\nlast,row\n")
        #expect(r.rows[1] == ["x,1", "say \"hi\""])
        #expect(r.rows[2] == ["multi\nline", "z"])
        #expect(r.lines == [1, 2, 3, 5], "a record after an embedded newline starts one line later")
    }

    @Test func crlfAndNoFinalNewline() throws {
        let r = try records("a,b\r\n1,2\r\n3,4")
        #expect(r.rows == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(r.lines == [1, 2, 3])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let path = tempFile(bytes: [0xEF, 0xBB, 0xBF] + Array("date,v\n2020-01-01,1\n".utf8))
        var header: [String] = []
        try CSVParser.forEachRecord(inFile: path) { r in
            if header.isEmpty { header = (0..<r.count).map { r.string(at: $0)! } }
        }
        #expect(header == ["date", "v"])
    }

    @Test(arguments: [(",", UInt8(ascii: ",")), (";", UInt8(ascii: ";")), ("\t", UInt8(9))])
    func delimiterDetection(sep: String, code: UInt8) throws {
        let r = try records("a\(sep)b\(sep)c\n1\(sep) 2\(sep)3\n")
        #expect(r.delimiter == code)
        #expect(r.rows[1] == ["1", "2", "3"])
    }

    @Test func tabDelimitedKeepsEmptyFields() throws {
        let r = try records("a\tb\tc\n1\t\t3\n")
        #expect(r.rows[1] == ["1", "", "3"])
    }

    @Test func explicitDelimiterOverridesDetection() throws {
        let r = try records("a;b,c\n1;2,3\n", delimiter: UInt8(ascii: ";"))
        #expect(r.rows[1] == ["1", "2,3"])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let r = try records("a,b\n\n1,2\n\n\n3,4\n")
        #expect(r.rows.count == 3)
        #expect(r.lines == [1, 3, 6])
    }

    @Test func strayQuoteIsASyntaxErrorWithLineAndColumn() {
        #expect {
            try records("a,b\n1,2\n\"ab\"c,1\n3,4\n")
        } throws: { e in
            let e = e as! ForecastError
            return e.line == 3 && e.byteColumn == 5 && e.message.contains("quot")
        }
    }

    @Test func unterminatedQuoteAtEndOfFile() {
        #expect {
            try records("a,b\n1,2\n\"open,3\n")
        } throws: { e in
            let e = e as! ForecastError
            return e.line == 3 && e.message.contains("never closed")
        }
    }
}

@Suite struct FastFloatTests {
    private func fast(_ s: String) -> Double? {
        var s = s
        return s.withUTF8 { FastFloat.parse($0) }
    }

    @Test func agreesWithStrtodBitForBit() {
        var rng = SystemRandomNumberGenerator()
        var samples = ["0", "-0", "1", "3.14159", "-2.5e-3", "1e22", "123456789012345", "0.000001", "+7", "42.", ".5", "1E5", "9007199254740993"]
        for _ in 0..<20_000 {
            let v = Double.random(in: -1e6...1e6, using: &rng)
            samples.append(String(format: "%.\(Int.random(in: 0...9, using: &rng))f", v))
            samples.append(String(format: "%.\(Int.random(in: 1...14, using: &rng))e", v))
        }
        for s in samples {
            let reference = strtod(s, nil)
            if let f = fast(s) { #expect(f.bitPattern == reference.bitPattern, "\(s)") }
        }
        #expect(fast("123456789012345") != nil)
        #expect(fast("1234567890123456789") == nil, "over 15 digits goes to strtod")
        #expect(fast("1e300") == nil && fast("inf") == nil && fast("0x10") == nil && fast("1e") == nil && fast("-") == nil)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
