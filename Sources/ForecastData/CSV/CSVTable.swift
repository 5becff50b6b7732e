import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The columns of a CSV file that a caller asked for, each parsed to its type while streaming.
///
/// Only requested columns are kept, so a 100 MB file with five numeric columns costs about
/// the size of those numbers (8 bytes each) plus 4 bytes of line number per row.
///
///     let table = try CSVTable(contentsOf: "sales.csv",
///                              columns: ["date": .time(nil), "units": .number])
///     let units = table.numbers("units")
package struct CSVTable: Sendable {
    /// What to parse a column as.
    package enum Kind: Sendable, Equatable {
        /// A floating-point number; empty, `NA`, `NaN`, `null` and `N/A` are missing (NaN).
        case number
        /// A timestamp in the given format, or detected from the first row when `nil`.
        case time(TimeFormat?)
        /// Text, stored once per distinct value (for series identifiers).
        case text
    }

    /// A parsed column.
    package enum Column: Sendable {
        case numbers([Double])
        case times([Int64], TimeFormat)
        case text(codes: [Int32], values: [String])
    }

    /// The file the table was read from.
    package let file: String
    /// The header's column names, in file order.
    package let header: [String]
    /// The delimiter that was used.
    package let delimiter: UInt8
    /// The requested columns by name.
    package private(set) var columns: [String: Column]
    /// The physical line of each data row, for error messages.
    package let lines: LineNumbers

    /// The number of data rows.
    package var rowCount: Int { lines.count }

    /// The numbers of a `.number` column.
    package func numbers(_ name: String) -> [Double] {
        if case .numbers(let v)? = columns[name] { return v }
        return []
    }

    /// Reads `file`, keeping `columns`. Every other column is checked for its count only.
    ///
    /// - Throws: `ForecastError` naming the line and column of a ragged row, a value that does not
    ///   parse, an unknown or duplicated column name, or an empty file.
    ///
    /// Regular files of 8 MB and more that contain no quote character are read as two halves in
    /// parallel (a newline is then always a record boundary); others, and every stream (`-`,
    /// `/dev/stdin`, a FIFO, `<(...)`), are read once in one pass.
    package init(contentsOf file: String, columns requested: [String: Kind], delimiter: UInt8? = nil) throws {
        try self.init(contentsOf: file, delimiter: delimiter) { _, _, _ in requested }
    }

    /// Chooses the columns to keep from the header and the first data row (given with its line).
    package typealias ColumnChooser = (_ header: [String], _ firstRow: [String], _ line: Int) throws -> [String: Kind]

    /// Reads `file` in one pass, keeping the columns that `choose` picks once it has seen the
    /// header and the first data row; the same rules as `init(contentsOf:columns:delimiter:)`.
    /// This is how a stream is read: it cannot be opened a second time to peek at its header.
    package init(contentsOf file: String, delimiter: UInt8? = nil, choosing choose: @escaping ColumnChooser) throws {
        if let size = CSVInput.regularFileSize(file), size >= 8 << 20 {
            try Self.refuseBinary(file)
            let (header, first, line) = try Self.peekWithLine(file, delimiter: delimiter)
            let requested = try choose(header, first, line)
            if let parallel = try ParallelRead.read(file, size: size, requested: requested, delimiter: delimiter) {
                try self.init(reader: parallel.reader, delimiter: parallel.delimiter)
                return
            }
            var reader = TableReader(file: CSVInput.displayName(file), requested: requested)
            reader.fileSize = size
            let delim = try CSVParser.forEachRecord(inFile: file, delimiter: delimiter) { try reader.consume($0) }
            try self.init(reader: reader, delimiter: delim)
            return
        }
        var reader = TableReader(file: CSVInput.displayName(file), choosing: choose)
        reader.fileSize = CSVInput.regularFileSize(file) ?? 0
        let delim = try CSVParser.forEachRecord(inFile: file, delimiter: delimiter) { try reader.consume($0) }
        try self.init(reader: reader, delimiter: delim)
    }

    /// Refuses a file whose first 64 KiB hold a NUL byte before anything scans the whole file
    /// (a 2 GB sparse file is all NULs).
    static func refuseBinary(_ file: String) throws {
        guard let f = fopen(file, "rb") else { return }   // the read that follows reports why
        defer { fclose(f) }
        var head = [UInt8](repeating: 0, count: 1 << 16)
        let n = fread(&head, 1, head.count, f)
        if let at = head[..<n].firstIndex(of: 0) {
            throw ForecastError(file: file, line: head[..<at].filter { $0 == 10 }.count + 1,
                            message: "the file contains a NUL byte; expected CSV text (is it a binary, compressed or sparse file?)")
        }
    }

    /// Parses CSV text in memory; the same rules as `init(contentsOf:columns:delimiter:)`.
    package init(text: String, name: String = "<text>", columns requested: [String: Kind], delimiter: UInt8? = nil) throws {
        var reader = TableReader(file: name, requested: requested)
        let delim = try CSVParser.forEachRecord(inText: text, name: name, delimiter: delimiter) { try reader.consume($0) }
        try self.init(reader: reader, delimiter: delim)
    }

    /// Parses CSV bytes in memory (the fuzz target's entry); the same rules as `init(contentsOf:)`.
    package init(bytes: [UInt8], name: String = "<bytes>", columns requested: [String: Kind], delimiter: UInt8? = nil) throws {
        var reader = TableReader(file: name, requested: requested)
        let delim = try CSVParser.forEachRecord(inBytes: bytes, name: name, delimiter: delimiter) { try reader.consume($0) }
        try self.init(reader: reader, delimiter: delim)
    }

    /// The table a finished reader holds (internal: `ParallelReadTests` builds one from the two-halves path).
    init(reader: TableReader, delimiter: UInt8) throws {
        guard let header = reader.header else {
            if let pending = reader.pendingHeader {
                throw ForecastError(file: reader.file, line: pending.line, message: "the file has a header but no data rows")
            }
            throw ForecastError(file: reader.file, message: "the file is empty; expected a header row and data rows")
        }
        guard !reader.lines.isEmpty else {
            throw ForecastError(file: reader.file, line: 1, message: "the file has a header but no data rows")
        }
        self.file = reader.file
        self.header = header
        self.delimiter = delimiter
        self.lines = reader.lines
        var cols: [String: Column] = [:]
        for (k, f) in reader.numberFields.enumerated() { cols[reader.slots[f.slot].name] = .numbers(reader.numbers[k]) }
        for (k, f) in reader.timeFields.enumerated() {
            cols[reader.slots[f.slot].name] = .times(reader.times[k], reader.slots[f.slot].timeFormat ?? .index)
        }
        for (k, f) in reader.textFields.enumerated() {
            cols[reader.slots[f.slot].name] = .text(codes: reader.codes[k], values: reader.textValues[k])
        }
        self.columns = cols
    }

    /// Reads only the header and first data row of a regular file (to detect a time column).
    package static func peek(_ file: String, delimiter: UInt8? = nil) throws -> (header: [String], firstRow: [String]) {
        let (header, first, _) = try peekWithLine(file, delimiter: delimiter)
        return (header, first)
    }

    static func peekWithLine(_ file: String, delimiter: UInt8?) throws -> (header: [String], firstRow: [String], line: Int) {
        struct Stop: Error {}
        var rows: [[String]] = []
        var line = 1
        do {
            try CSVParser.forEachRecord(inFile: file, delimiter: delimiter) { r in
                rows.append((0..<r.count).map { r.string(at: $0) ?? "" })
                line = r.line
                if rows.count == 2 { throw Stop() }
            }
        } catch is Stop {}
        let name = CSVInput.displayName(file)
        guard let header = rows.first else {
            throw ForecastError(file: name, message: "the file is empty; expected a header row and data rows")
        }
        guard rows.count > 1 else {
            throw ForecastError(file: name, line: line, message: "the file has a header but no data rows")
        }
        return (header, rows[1], line)
    }
}

extension CSVTable {
    /// The header's names for a message: quoted, each cut to 80 characters, at most 20 of them.
    static func describeHeader(_ names: [String]) -> String {
        let shown = names.prefix(20).map { "'\(ForecastError.truncated($0))'" }.joined(separator: ", ")
        // One column whose name holds a common delimiter: the file was split on the wrong one.
        if names.count == 1, let d = [",", ";", "\t"].first(where: { names[0].contains($0) }) {
            return shown + " (one column: is the delimiter \(d == "\t" ? "tab" : "'\(d)'")?)"
        }
        return names.count > 20 ? shown + " and \(names.count - 20) more" : shown
    }
}

extension CSVTable {
    /// Reads `file` like `init(contentsOf:delimiter:choosing:)`, handing each block of at least
    /// `rows` rows that hold whole series of the `.text` column (the panel's ids) to `block` as
    /// soon as the next series starts, and returning the rows not handed on, as tables to take in
    /// order after the blocks of the same half: a regular file of `halvesFrom` bytes or more that
    /// the two-halves read accepts (see `ParallelRead`) is read as two halves on two cores, each
    /// handing on its own blocks (`block`'s first argument: 0 or 1) and keeping back the series at
    /// the split; the result is then [the first half's last rows with the second half's first
    /// series, the second half's last series]. Otherwise one pass hands on blocks of half 0 and
    /// returns [the last series]. Each block's ids are its own text values. `block` may be called
    /// from two threads at once.
    ///
    /// - Throws: `RowsNotGrouped` when an id comes back after other ids (or the halves share one
    ///   besides the series at the split, read integer times, or detect different time formats):
    ///   read the file whole instead. Otherwise what the whole read throws.
    static func stream(_ file: String, delimiter: UInt8?, rows: Int, halvesFrom: Int = 8 << 20, processors: Int? = nil,
                       block: @escaping @Sendable (Int, CSVTable) throws -> Void,
                       choosing choose: @escaping ColumnChooser) throws -> [CSVTable] {
        let size = CSVInput.regularFileSize(file) ?? 0
        if size >= 8 << 20 { try refuseBinary(file) }
        // A file without quotes or carriage returns is read by the plain line splitter (as the
        // two-halves read does), about twice as fast as libcsv.
        let scan = size >= min(halvesFrom, 8 << 20) ? ParallelRead.scan(file, size: size) : nil
        if let scan, size >= halvesFrom, (processors ?? ParallelRead.processors) > 1 {
            return try streamHalves(file, size: size, scan: scan, delimiter: delimiter, rows: rows, block: block, choosing: choose)
        }
        var reader = TableReader(file: CSVInput.displayName(file), choosing: choose)
        reader.fileSize = size
        let delim = delimiter ?? scan?.delimiter ?? UInt8(ascii: ",")
        reader.splitter = BlockSplitter(rows: rows) { try block(0, CSVTable(reader: $0, delimiter: delim)) }
        let used: UInt8
        if let scan {
            used = try CSVParser.forEachRecord(inFile: file, bytes: 0..<size, firstLine: 1, delimiter: delim,
                                               plain: !scan.carriageReturn) { try reader.consume($0) }
        } else {
            used = try CSVParser.forEachRecord(inFile: file, delimiter: delimiter) { try reader.consume($0) }
        }
        if reader.splitter?.emitted == true, reader.lines.count > 0 {
            let last = reader.takeBlock(rows: reader.lines.count)   // the last series, its id coded 0 as in the blocks
            reader = last
        }
        reader.splitter = nil
        return [try CSVTable(reader: reader, delimiter: used)]
    }

    /// The two-halves `stream` (see there).
    private static func streamHalves(_ file: String, size: Int, scan: ParallelRead.Scan,
                                     delimiter: UInt8?, rows: Int, block: @escaping @Sendable (Int, CSVTable) throws -> Void,
                                     choosing choose: ColumnChooser) throws -> [CSVTable] {
        let (header, firstRow, line) = try peekWithLine(file, delimiter: delimiter)
        let requested = try choose(header, firstRow, line)
        let delim = delimiter ?? scan.delimiter, name = CSVInput.displayName(file)
        let one = ParallelRead.Half(TableReader(file: name, requested: requested))
        let two = ParallelRead.Half(TableReader(file: name, requested: requested))
        try two.reader.setHeader(header, line: 1)
        one.reader.splitter = BlockSplitter(rows: rows) { try block(0, CSVTable(reader: $0, delimiter: delim)) }
        two.reader.splitter = BlockSplitter(rows: rows, emit: { try block(1, CSVTable(reader: $0, delimiter: delim)) }, holdsFirst: true)
        ParallelRead.readHalves(file, size: size, scan: scan, delimiter: delim, one, two)
        if let e = one.error, !(e is RowsNotGrouped) { throw e }
        if let e = two.error, !(e is RowsNotGrouped) { throw e }
        // Both halves grouped (a splitter is dropped on an id that comes back, or integer times),
        // on the same time format, sharing no series but the one at the split.
        guard one.error == nil, two.error == nil, let first = one.reader.splitter, let second = two.reader.splitter,
              one.reader.textValues.count == 1, two.reader.textValues.count == 1,
              zip(one.reader.timeFields, two.reader.timeFields).allSatisfy({
                  one.reader.slots[$0.slot].timeFormat == two.reader.slots[$1.slot].timeFormat }) else {
            throw RowsNotGrouped()
        }
        let ids = Set(one.reader.textValues[0])
        for (k, id) in two.reader.textValues[0].enumerated() where ids.contains(id) {
            guard k == 0, id == one.reader.textValues[0].last else { throw RowsNotGrouped() }
        }
        var middle = one.reader
        middle.splitter = nil
        if first.emitted {
            let rest = middle.takeBlock(rows: middle.lines.count)
            middle = rest
        }
        middle.rebuildLookups()
        var rest = two.reader
        rest.splitter = nil
        guard var head = second.head else {
            // The second half handed nothing on: all of it follows the first half's rows.
            guard middle.absorb(&rest) else { throw RowsNotGrouped() }
            return [try CSVTable(reader: middle, delimiter: delim)]
        }
        guard middle.absorb(&head) else { throw RowsNotGrouped() }
        let last = rest.takeBlock(rows: rest.lines.count)
        return [try CSVTable(reader: middle, delimiter: delim), try CSVTable(reader: last, delimiter: delim)]
    }
}
