#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Values that mean "missing" in a numeric column (compared case-insensitively).
@inline(__always)
func isMissingToken(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    switch b.count {
    case 0: return true
    case 2: return (b[0] | 0x20) == 0x6E && (b[1] | 0x20) == 0x61                                   // na
    case 3:
        if b[1] == UInt8(ascii: "/") { return (b[0] | 0x20) == 0x6E && (b[2] | 0x20) == 0x61 }     // n/a
        return (b[0] | 0x20) == 0x6E && (b[1] | 0x20) == 0x61 && (b[2] | 0x20) == 0x6E             // nan
    case 4:
        return (b[0] | 0x20) == 0x6E && (b[1] | 0x20) == 0x75 && (b[2] | 0x20) == 0x6C && (b[3] | 0x20) == 0x6C // null
    default: return false
    }
}

/// The streaming state of `CSVTable`. Columns are stored by type in flat arrays, so the per-field
/// loop touches no struct with reference-counted members (copying one per field cost a third of
/// the read time).
struct TableReader {
    struct Slot {
        let name: String
        let kind: CSVTable.Kind
        var index = -1
        var timeFormat: TimeFormat?
    }

    let file: String
    var slots: [Slot]
    var header: [String]?
    var lines = LineNumbers()
    var fileSize = 0
    var bytesSeen = 0
    // Per type: (slot number, field index) and the values.
    var numberFields: [(slot: Int, field: Int)] = []
    var numbers: [[Double]] = []
    var timeFields: [(slot: Int, field: Int)] = []
    var times: [[Int64]] = []
    var textFields: [(slot: Int, field: Int)] = []
    var codes: [[Int32]] = []
    var textValues: [[String]] = []
    var lookup: [[String: Int32]] = []
    /// Per text field: the bytes and code of the previous row's value. A long-format panel repeats
    /// each identifier on consecutive rows, and comparing bytes skips building and hashing a String
    /// per row (which was a quarter of the read time of a 10,000-series panel).
    var lastText: [(bytes: [UInt8], code: Int32)?] = []
    /// Per time field: the date part (`YYYY-MM-DD`, 10 bytes) of the previous date-time value, its
    /// total length and the timestamp of that day's midnight. Consecutive hourly rows share the date,
    /// so only the time of day is read (see `appendTime`).
    var lastDate: [(prefix: [UInt8], count: Int, midnight: Int64)?] = []

    /// Picks the columns at the first data row (a one-pass read); `nil` once they are known.
    var chooser: CSVTable.ColumnChooser?
    /// The header's names and line while the chooser waits for the first data row.
    var pendingHeader: (names: [String], line: Int)?
    /// Hands whole series on as blocks of rows while reading (`CSVTable.stream`); nil keeps every row.
    var splitter: BlockSplitter?

    init(file: String, requested: [String: CSVTable.Kind]) {
        self.file = file
        self.slots = requested.keys.sorted().map { Slot(name: $0, kind: requested[$0]!) }
    }

    init(file: String, choosing chooser: @escaping CSVTable.ColumnChooser) {
        self.file = file
        self.slots = []
        self.chooser = chooser
    }

    mutating func consume(_ r: CSVRecord) throws {
        if header == nil, let choose = chooser {
            guard let pending = pendingHeader else {
                pendingHeader = (try headerNames(r), r.line)
                return
            }
            let requested = try choose(pending.names, (0..<r.count).map { r.string(at: $0) ?? "" }, r.line)
            slots = requested.keys.sorted().map { Slot(name: $0, kind: requested[$0]!) }
            chooser = nil
            try setHeader(pending.names, line: pending.line)
        }
        guard let header else { return try readHeader(r) }
        if r.count != header.count {
            throw ForecastError(file: file, line: r.line,
                            message: "expected \(header.count) fields as in the header, found \(r.count)")
        }
        if lines.count == 1000 && fileSize > 0 && splitter == nil { reserve() }
        for k in 0..<numberFields.count {
            let (s, i) = numberFields[k]
            numbers[k].append(try number(r, i, slot: s))
        }
        for k in 0..<timeFields.count { try appendTime(r, k) }
        for k in 0..<textFields.count { appendText(r, k) }
        if fileSize > 0 && lines.count < 1000 {
            bytesSeen += r.count + (0..<r.count).reduce(0) { $0 + r.bytes(at: $1).count }
        }
        lines.append(Int32(truncatingIfNeeded: r.line))
        if splitter != nil { try splitBlock() }
    }

    /// Reserves capacity from the average size of the first rows, so that a large file's columns
    /// are allocated once instead of growing by doubling (which would hold two copies at a time).
    mutating func reserve() {
        let perRow = max(1, bytesSeen / 1000)
        let estimate = fileSize / perRow + fileSize / perRow / 20 + 16
        for k in numbers.indices { numbers[k].reserveCapacity(estimate) }
        for k in times.indices { times[k].reserveCapacity(estimate) }
        for k in codes.indices { codes[k].reserveCapacity(estimate) }
    }

    mutating func readHeader(_ r: CSVRecord) throws {
        try setHeader(try headerNames(r), line: r.line)
    }

    func headerNames(_ r: CSVRecord) throws -> [String] {
        try (0..<r.count).map { i in
            guard let name = r.string(at: i) else {
                throw ForecastError(file: file, line: r.line, column: i + 1, message: "the column name is not valid UTF-8 text")
            }
            return name
        }
    }

    /// Sets up the columns from header names (the second half of a parallel read starts here).
    mutating func setHeader(_ given: [String], line: Int) throws {
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (i, name) in given.enumerated() {
            if let j = seen[name], !name.isEmpty {
                throw ForecastError(file: file, line: line, column: i + 1, columnName: name,
                                message: "the column name is used twice (also column \(j + 1)); rename one of them")
            }
            seen[name] = i
            names.append(name)
        }
        for s in slots.indices {
            guard let i = seen[slots[s].name] else {
                let available = CSVTable.describeHeader(names)
                throw ForecastError(file: file, line: line, columnName: slots[s].name,
                                message: "no such column; the header has \(available)")
            }
            slots[s].index = i
            switch slots[s].kind {
            case .number: numberFields.append((s, i)); numbers.append([])
            case .time(let given):
                timeFields.append((s, i)); times.append([]); lastDate.append(nil); slots[s].timeFormat = given
            case .text: textFields.append((s, i)); codes.append([]); textValues.append([]); lookup.append([:]); lastText.append(nil)
            }
        }
        header = names
    }

    /// Appends another reader's rows (the second half of the file) and frees them column by column.
    /// Returns false when the halves disagree on a detected time format.
    mutating func absorb(_ other: inout TableReader) -> Bool {
        for k in timeFields.indices where slots[timeFields[k].slot].timeFormat != other.slots[other.timeFields[k].slot].timeFormat {
            guard times[k].isEmpty || other.times[k].isEmpty else { return false }
        }
        lines.append(contentsOf: other.lines); other.lines = LineNumbers()
        for k in numbers.indices { numbers[k].append(contentsOf: other.numbers[k]); other.numbers[k] = [] }
        for k in times.indices { times[k].append(contentsOf: other.times[k]); other.times[k] = [] }
        for k in codes.indices {
            let remap: [Int32] = other.textValues[k].map { value in
                if let c = lookup[k][value] { return c }
                let c = Int32(textValues[k].count)
                lookup[k][value] = c
                textValues[k].append(value)
                return c
            }
            codes[k].append(contentsOf: other.codes[k].map { remap[Int($0)] })
            other.codes[k] = []
        }
        return true
    }

    func number(_ r: CSVRecord, _ i: Int, slot: Int) throws -> Double {
        let b = r.bytes(at: i)
        if isMissingToken(b) { return .nan }
        if let v = FastFloat.parse(b) {
            guard abs(v) <= Double(Float.greatestFiniteMagnitude) else { return try tooLarge(r, i, slot: slot) }
            return v
        }
        var end: UnsafeMutablePointer<CChar>?
        let start = r.cString(at: i)
        let v = strtod(start, &end)
        // strtod also reads C's hexadecimal numbers (0x1F as 31): a CSV number is decimal.
        guard let end, UnsafePointer(end) == start + b.count, b[0] > 0x20, !b.contains(where: { $0 | 0x20 == 0x78 }) else {
            let shown = r.string(at: i).map(ForecastError.excerpt) ?? "bytes that are not UTF-8 text"
            throw ForecastError(file: file, line: r.line, column: i + 1, columnName: slots[slot].name,
                            message: "expected a number, found \(shown)")
        }
        guard v.isFinite, abs(v) <= Double(Float.greatestFiniteMagnitude) else { return try tooLarge(r, i, slot: slot) }
        return v
    }

    func tooLarge(_ r: CSVRecord, _ i: Int, slot: Int) throws -> Double {
        throw ForecastError(file: file, line: r.line, column: i + 1, columnName: slots[slot].name,
                        message: "the value \(ForecastError.truncated(r.string(at: i) ?? "")) is infinite or too large for single precision; expected a finite number below 3.4e38")
    }

    mutating func appendTime(_ r: CSVRecord, _ k: Int) throws {
        let (s, i) = timeFields[k]
        let b = r.bytes(at: i)
        if slots[s].timeFormat == nil {
            guard let (f, _) = TimeParsing.detect(b) else {
                throw timeError(r, i, s, expected: "a date or time such as 2024-03-01, 2024-03-01T13:00, 2024-03, 2024-Q1, a year or an integer step (or give `timeFormat`)")
            }
            slots[s].timeFormat = f
        }
        if let t = sameDayTime(b, k) {
            times[k].append(t)
            return
        }
        let format = slots[s].timeFormat!
        if let t = format.parse(b) {
            times[k].append(t)
        } else if case .dateTime(_, _, let zone) = format, let (f, t) = TimeParsing.detect(b),
                  case .dateTime(_, _, let z) = f, (z == nil) == (zone == nil) {
            // Seconds present on some rows only, or another zone: the same instant. A time without
            // a zone among zoned ones (or the reverse) is ambiguous and refused below.
            times[k].append(t)
        } else {
            // The first row itself: the format was given (or its shape is odd), so show the format.
            let example = format == .index ? "an integer step" : "a time such as \(format.format(1_709_298_000))"   // 2024-03-01T13:00Z
            throw timeError(r, i, s, expected: times[k].isEmpty ? "\(example), as the time format says"
                                                                   : "a time written like the first row (\(format.format(times[k][0])))")
        }
        if case .dateTime = format { rememberDate(b, t: times[k][times[k].count - 1], k) }
    }

    /// The timestamp of a zone-less date-time value `YYYY-MM-DD?HH:MM` or `YYYY-MM-DD?HH:MM:SS` (as
    /// many bytes as the previous row's) whose date part and separator are the previous row's:
    /// that day's midnight plus the time of day, exactly what `TimeParsing.detect` gives for it.
    /// `nil` sends the value to the full parser (another day, another shape, or not a time).
    @inline(__always)
    func sameDayTime(_ b: UnsafeBufferPointer<UInt8>, _ k: Int) -> Int64? {
        guard let last = lastDate[k], b.count == last.count else { return nil }
        let same = last.prefix.withUnsafeBufferPointer { p in memcmp(p.baseAddress!, b.baseAddress!, 11) == 0 }
        guard same, b[13] == UInt8(ascii: ":"), let hh = TimeParsing.number(b, 11, 2), let mm = TimeParsing.number(b, 14, 2),
              hh < 24, mm < 60 else { return nil }
        var ss = 0
        if b.count == 19 {
            guard b[16] == UInt8(ascii: ":"), let v = TimeParsing.number(b, 17, 2), v < 61 else { return nil }
            ss = v
        }
        return last.midnight + Int64(hh * 3600 + mm * 60 + ss)
    }

    /// Keeps the date part of a zone-less date-time value of 16 or 19 bytes that parsed to `t`, for
    /// `sameDayTime`; any other value forgets it.
    mutating func rememberDate(_ b: UnsafeBufferPointer<UInt8>, t: Int64, _ k: Int) {
        lastDate[k] = nil
        guard b.count == 16 || b.count == 19, b[13] == UInt8(ascii: ":"),
              let hh = TimeParsing.number(b, 11, 2), let mm = TimeParsing.number(b, 14, 2) else { return }
        var ss = 0
        if b.count == 19 {
            guard b[16] == UInt8(ascii: ":"), let v = TimeParsing.number(b, 17, 2) else { return }
            ss = v
        }
        // The value parsed as a whole, so without a zone t is midnight plus the time of day.
        guard let (f, parsed) = TimeParsing.detect(b), case .dateTime(_, _, nil) = f, parsed == t else { return }
        lastDate[k] = (Array(b[0..<11]), b.count, t - Int64(hh * 3600 + mm * 60 + ss))
    }

    func timeError(_ r: CSVRecord, _ i: Int, _ s: Int, expected: String) -> ForecastError {
        let shown = r.string(at: i).map(ForecastError.excerpt) ?? "bytes that are not UTF-8 text"
        let subsecond = r.string(at: i).map(Self.hasFractionOfASecond) ?? false
        return ForecastError(file: file, line: r.line, column: i + 1, columnName: slots[s].name,
                             message: subsecond ? Self.fractionOfASecondMessage(found: shown)
                                                : "expected \(expected), found \(shown)")
    }

    /// The error for a time with a fraction of a second; `shown` is the value as quoted in errors.
    static func fractionOfASecondMessage(found shown: String) -> String {
        "expected a time in whole seconds (steps finer than a second are not supported), found \(shown)"
    }

    /// Whether `text` looks like a time with a nonzero fraction of a second (`12:00:00.250`).
    static func hasFractionOfASecond(_ text: String) -> Bool {
        let b = Array(text.utf8)
        for k in b.indices where (b[k] == UInt8(ascii: ".") || b[k] == UInt8(ascii: ",")) && k >= 3 && b[k - 3] == UInt8(ascii: ":") {
            let digits = b[(k + 1)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            if digits.contains(where: { $0 != UInt8(ascii: "0") }) { return true }
        }
        return false
    }

    mutating func appendText(_ r: CSVRecord, _ k: Int) {
        let i = textFields[k].field
        let b = r.bytes(at: i)
        if let last = lastText[k], last.bytes.count == b.count,
           b.isEmpty || last.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, b.baseAddress!, b.count) == 0 }) {
            codes[k].append(last.code)
            return
        }
        let value = r.string(at: i) ?? String(decoding: b, as: UTF8.self)
        let code: Int32
        if let c = lookup[k][value] {
            code = c
        } else {
            code = Int32(textValues[k].count)
            lookup[k][value] = code
            textValues[k].append(value)
        }
        codes[k].append(code)
        lastText[k] = (Array(b), code)
    }
}
