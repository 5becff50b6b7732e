import CLibCSV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One record of a CSV file, valid only inside the callback that receives it.
///
/// Fields are NUL-terminated byte runs in a buffer that the parser reuses for the next record,
/// so read what you need (parse a number, copy a string) before returning.
package struct CSVRecord {
    /// The physical line (1-based) on which the record starts.
    package let line: Int
    /// How many fields the record has.
    package let count: Int
    let bytes: UnsafePointer<UInt8>
    let offsets: UnsafePointer<Int>   // count + 1 offsets into `bytes`; field i is [off[i], off[i+1]-1)

    /// The bytes of field `i`, without the terminating NUL.
    @inline(__always)
    package func bytes(at i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes + offsets[i], count: offsets[i + 1] - offsets[i] - 1)
    }

    /// A pointer to field `i` as a NUL-terminated C string (for `strtod`).
    @inline(__always)
    package func cString(at i: Int) -> UnsafePointer<CChar> {
        UnsafeRawPointer(bytes + offsets[i]).assumingMemoryBound(to: CChar.self)
    }

    /// Field `i` decoded as UTF-8, or `nil` when its bytes are not valid UTF-8.
    package func string(at i: Int) -> String? {
        String(validating: bytes(at: i), as: UTF8.self)
    }
}

/// Streams a CSV file through libcsv in strict mode, one record at a time.
///
/// libcsv does the quoting rules (embedded delimiters, doubled quotes, newlines inside quotes, CRLF);
/// this wrapper adds what libcsv leaves to its caller: a UTF-8 byte-order mark is skipped, blank lines
/// are skipped, and every record and every error carries its physical line number, because libcsv
/// reports neither. Memory is bounded by the read chunk (1 MiB) plus the longest record, and a record
/// is bounded too: a NUL byte (a binary or sparse file), a field over `maxFieldBytes` or a record over
/// `maxRecordBytes` stops the read at once with an error, so a hostile file is never read whole.
package enum CSVParser {
    /// The longest field accepted (1 MiB): far beyond any number, date or name.
    package static let maxFieldBytes = 1 << 20
    /// The longest record accepted (16 MiB, e.g. 100,000 columns of 160 bytes).
    package static let maxRecordBytes = 16 << 20

    /// Reads `path` and calls `body` once per non-blank record, header included.
    ///
    /// - Parameters:
    ///   - path: the CSV file.
    ///   - delimiter: the field separator; `nil` detects `,`, `;` or tab from the first line.
    ///   - body: called with each record (its fields and physical line number).
    /// - Returns: the delimiter used.
    /// - Throws: `ForecastError` for unreadable files and malformed CSV, or whatever `body` throws.
    @discardableResult
    package static func forEachRecord(
        inFile path: String, delimiter: UInt8? = nil,
        _ body: (CSVRecord) throws -> Void
    ) throws -> UInt8 {
        try forEachRecord(inFile: path, bytes: nil, firstLine: 1, delimiter: delimiter, body)
    }

    /// Parses only `bytes` of the file (a range that starts at a record boundary, for parallel
    /// reading), numbering lines from `firstLine`. With a range, no byte-order mark is expected and
    /// `delimiter` must be given.
    ///
    /// `plain`: the caller has checked that the whole file holds no quote, carriage return or NUL
    /// and that `delimiter` is `,` or `;` (see `ParallelRead.scan`). Such text is then split on
    /// newlines and delimiters here instead of by libcsv, with the same result: the same records,
    /// fields (spaces and tabs around them trimmed, as libcsv does), line numbers, skipped blank
    /// lines and length limits; libcsv's byte-by-byte state machine and its two callbacks per field
    /// were half the read time of a large panel.
    @discardableResult
    package static func forEachRecord(
        inFile path: String, bytes range: Range<Int>?, firstLine: Int, delimiter: UInt8?, plain: Bool = false,
        _ body: (CSVRecord) throws -> Void
    ) throws -> UInt8 {
        let file = try CSVInput.open(path)
        defer { fclose(file) }
        if let range, range.lowerBound > 0, fseeko(file, off_t(range.lowerBound), SEEK_SET) != 0 {
            throw ForecastError(file: CSVInput.displayName(path), message: "cannot seek in the file")
        }
        return try withoutActuallyEscaping(body) { body in
            let state = RecordState(file: CSVInput.displayName(path), body: body)
            state.line = firstLine
            if plain, let d = delimiter, d == UInt8(ascii: ",") || d == UInt8(ascii: ";") {
                return try state.runPlain(file: file, delimiter: d, limit: range.map { $0.count },
                                          skipBOM: range == nil || range!.lowerBound == 0)
            }
            return try state.run(file: file, delimiter: delimiter, limit: range.map { $0.count },
                                 skipBOM: range == nil || range!.lowerBound == 0)
        }
    }

    /// Parses CSV text held in memory; the same rules as `forEachRecord(inFile:)`.
    @discardableResult
    package static func forEachRecord(
        inText text: String, name: String = "<text>", delimiter: UInt8? = nil,
        _ body: (CSVRecord) throws -> Void
    ) throws -> UInt8 {
        try forEachRecord(inBytes: Array(text.utf8), name: name, delimiter: delimiter, body)
    }

    /// Parses CSV bytes held in memory (any bytes: invalid UTF-8 is reported where it matters).
    @discardableResult
    package static func forEachRecord(
        inBytes input: [UInt8], name: String = "<bytes>", delimiter: UInt8? = nil,
        _ body: (CSVRecord) throws -> Void
    ) throws -> UInt8 {
        var bytes = input.isEmpty ? [0] : input
        let count = input.count
        return try withoutActuallyEscaping(body) { body in
            let state = RecordState(file: name, body: body)
            return try bytes.withUnsafeMutableBytes { raw in
                guard let f = count == 0 ? fopen("/dev/null", "rb") : fmemopen(raw.baseAddress, count, "rb") else {
                    throw ForecastError(file: name, message: "cannot read the text")
                }
                defer { fclose(f) }
                return try state.run(file: f, delimiter: delimiter)
            }
        }
    }

    /// Guesses the delimiter from the first line: the most frequent of `,` `;` tab outside quotes.
    static func detectDelimiter(_ chunk: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, 9: 0]
        var quoted = false
        for b in chunk {
            if b == UInt8(ascii: "\"") { quoted.toggle(); continue }
            if quoted { continue }
            if b == 10 || b == 13 { break }
            if counts[b] != nil { counts[b]! += 1 }
        }
        let best = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!
        return best.value > 0 ? best.key : UInt8(ascii: ",")
    }
}

private func isSpace(_ c: UInt8) -> Int32 { c == 0x20 ? 1 : 0 }

private func fieldCallback(_ data: UnsafeMutableRawPointer?, _ len: Int, _ ctx: UnsafeMutableRawPointer?) {
    // The state outlives the parse; borrowing it avoids a retain/release pair per field.
    Unmanaged<RecordState>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { $0.appendField(data, len) }
}

private func rowCallback(_ terminator: Int32, _ ctx: UnsafeMutableRawPointer?) {
    Unmanaged<RecordState>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { $0.endRecord(terminator) }
}

/// The parser's per-file state, handed to the C callbacks as their context pointer.
private final class RecordState {
    let file: String
    let body: (CSVRecord) throws -> Void
    var bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    var byteCapacity = 4096
    var byteCount = 0
    var offsets = UnsafeMutablePointer<Int>.allocate(capacity: 64)
    var offsetCapacity = 64
    var fieldCount = 0
    var line = 1                 // physical line where the next record starts (set before run)
    var newlinesInRecord = 0     // newlines inside quoted fields of the current record
    var failure: (any Error)?

    init(file: String, body: @escaping (CSVRecord) throws -> Void) {
        self.file = file
        self.body = body
        offsets[0] = 0
    }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
    }

    func appendField(_ data: UnsafeMutableRawPointer?, _ len: Int) {
        if failure != nil { return }
        if len > CSVParser.maxFieldBytes || byteCount + len + 1 > CSVParser.maxRecordBytes {
            failure = tooLong(field: len > CSVParser.maxFieldBytes)
            return
        }
        if byteCount + len + 1 > byteCapacity {
            var cap = byteCapacity * 2
            while cap < byteCount + len + 1 { cap *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
            grown.update(from: bytes, count: byteCount)
            bytes.deallocate()
            bytes = grown
            byteCapacity = cap
        }
        if fieldCount + 2 > offsetCapacity {
            let cap = offsetCapacity * 2
            let grown = UnsafeMutablePointer<Int>.allocate(capacity: cap)
            grown.update(from: offsets, count: fieldCount + 1)
            offsets.deallocate()
            offsets = grown
            offsetCapacity = cap
        }
        if len > 0, let src = data?.assumingMemoryBound(to: UInt8.self) {
            (bytes + byteCount).update(from: src, count: len)
            var p = src
            let end = src + len
            while let hit = memchr(p, 10, end - p) {
                newlinesInRecord += 1
                p = hit.assumingMemoryBound(to: UInt8.self) + 1
            }
        }
        bytes[byteCount + len] = 0
        byteCount += len + 1
        fieldCount += 1
        offsets[fieldCount] = byteCount
    }

    func endRecord(_ terminator: Int32) {
        defer {
            line += newlinesInRecord + (terminator == 10 ? 1 : 0)
            newlinesInRecord = 0
            fieldCount = 0
            byteCount = 0
        }
        if failure != nil { return }
        // A blank line (libcsv reports it as a record of no fields, or of one empty field) is skipped.
        if fieldCount == 0 || (fieldCount == 1 && byteCount == 1) { return }
        let record = CSVRecord(line: line, count: fieldCount, bytes: bytes, offsets: offsets)
        do { try body(record) } catch { failure = error }
    }

    func run(file handle: UnsafeMutablePointer<FILE>, delimiter: UInt8?, limit: Int? = nil, skipBOM: Bool = true) throws -> UInt8 {
        var left = limit ?? Int.max
        var parser = csv_parser()
        let options = CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL
        guard csv_init(&parser, UInt8(options)) == 0 else {
            throw ForecastError(file: file, message: "cannot initialise the CSV parser")
        }
        defer { csv_free(&parser) }
        let chunkSize = 1 << 20
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        let ctx = Unmanaged.passUnretained(self).toOpaque()
        var delim = delimiter ?? UInt8(ascii: ",")
        var first = true
        var newlinesBefore = line - 1   // physical newlines before this chunk (a range may start mid-file)
        while true {
            let n = try readChunk(handle, into: chunk, size: chunkSize, left: &left)
            if n == 0 { break }
            var start = UnsafePointer(chunk)
            var count = n
            if first {
                first = false
                if skipBOM, count >= 3, start[0] == 0xEF, start[1] == 0xBB, start[2] == 0xBF {
                    start += 3; count -= 3
                }
                if delimiter == nil {
                    delim = CSVParser.detectDelimiter(UnsafeBufferPointer(start: start, count: count))
                }
                csv_set_delim(&parser, delim)
                // libcsv trims spaces and tabs by default; a tab delimiter must not be trimmed away.
                if delim == 9 { csv_set_space_func(&parser, isSpace) }
            }
            if let nul = memchr(start, 0, count) {
                let at = UnsafePointer<UInt8>(nul.assumingMemoryBound(to: UInt8.self)) - start
                throw ForecastError(file: file, line: newlinesBefore + countNewlines(start, at) + 1,
                                message: "the file contains a NUL byte; expected CSV text (is it a binary, compressed or sparse file?)")
            }
            let used = csv_parse(&parser, start, count, fieldCallback, rowCallback, ctx)
            if let failure { throw failure }
            // libcsv buffers the field in progress itself: stop a field that never ends.
            if parser.entry_pos > CSVParser.maxFieldBytes { throw tooLong(field: true) }
            if used != count {
                throw syntaxError(chunk: start, used: used, newlinesBefore: newlinesBefore,
                                  code: csv_error(&parser))
            }
            newlinesBefore += countNewlines(start, count)
        }
        if csv_fini(&parser, fieldCallback, rowCallback, ctx) != 0 {
            throw ForecastError(file: file, line: line,
                            message: "a quoted field that starts on this line is never closed (missing \")")
        }
        if let failure { throw failure }
        return delim
    }

    /// `run` for text without quotes, carriage returns or NUL bytes and a `,` or `;` delimiter:
    /// each line is a record and each delimiter ends a field. Fields reach `appendField` and lines
    /// `endRecord` exactly as libcsv hands them over for such text (spaces and tabs at either end of
    /// a field trimmed; the last line may lack its newline), so every check stays where it is.
    func runPlain(file handle: UnsafeMutablePointer<FILE>, delimiter delim: UInt8, limit: Int?, skipBOM: Bool) throws -> UInt8 {
        var left = limit ?? Int.max
        let chunkSize = 1 << 20
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var pending: [UInt8] = []     // a field cut by the end of a chunk
        var inRecord = false          // a record has begun (fields or pending bytes) and not ended
        var first = true
        var newlinesBefore = line - 1
        // libcsv's default space test: space and tab are trimmed around unquoted fields.
        @inline(__always) func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 9 }
        func submit(_ start: UnsafePointer<UInt8>, _ count: Int) {
            var a = start, n = count
            while n > 0 && isBlank(a[0]) { a += 1; n -= 1 }
            while n > 0 && isBlank(a[n - 1]) { n -= 1 }
            appendField(UnsafeMutableRawPointer(mutating: a), n)
        }
        func submitPending(_ start: UnsafePointer<UInt8>, _ count: Int) {
            if pending.isEmpty { return submit(start, count) }
            pending.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
            pending.withUnsafeBufferPointer { submit($0.baseAddress!, $0.count) }
            pending.removeAll(keepingCapacity: true)
        }
        while true {
            let n = try readChunk(handle, into: chunk, size: chunkSize, left: &left)
            if n == 0 { break }
            var p = UnsafePointer(chunk)
            let end = p + n
            if first {
                first = false
                if skipBOM, n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { p += 3 }
            }
            if let nul = memchr(p, 0, end - p) {
                let at = UnsafePointer<UInt8>(nul.assumingMemoryBound(to: UInt8.self)) - p
                throw ForecastError(file: file, line: newlinesBefore + countNewlines(p, at) + 1,
                                message: "the file contains a NUL byte; expected CSV text (is it a binary, compressed or sparse file?)")
            }
            while p < end {
                let lineEnd = memchr(p, 10, end - p).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) }
                let stop = lineEnd ?? end
                var f = p
                while f < stop, let hit = memchr(f, Int32(delim), stop - f) {
                    let d = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self))
                    submitPending(f, d - f)
                    if let failure { throw failure }
                    inRecord = true
                    f = d + 1
                }
                if let lineEnd {
                    submitPending(f, lineEnd - f)
                    endRecord(10)
                    if let failure { throw failure }
                    inRecord = false
                    newlinesBefore += 1
                    p = lineEnd + 1
                } else {
                    // The field goes on in the next chunk.
                    pending.append(contentsOf: UnsafeBufferPointer(start: f, count: stop - f))
                    if !pending.isEmpty { inRecord = true }
                    if pending.count > CSVParser.maxFieldBytes { throw tooLong(field: true) }
                    p = stop
                }
            }
        }
        // The last line without a newline: libcsv's csv_fini submits its last field and the row.
        if inRecord {
            pending.withUnsafeBufferPointer { submit($0.baseAddress ?? UnsafePointer(chunk), $0.count) }
            endRecord(-1)
        }
        if let failure { throw failure }
        return delim
    }

    /// Reads the next chunk (at most `size` of the `left` bytes still to read) into `chunk`: its
    /// length, 0 at the end. A read error throws.
    private func readChunk(_ handle: UnsafeMutablePointer<FILE>, into chunk: UnsafeMutablePointer<UInt8>, size: Int,
                           left: inout Int) throws -> Int {
        let n = left > 0 ? fread(chunk, 1, min(size, left), handle) : 0
        left -= n
        if n == 0, ferror(handle) != 0 {
            throw ForecastError(file: file, message: "read error (\(String(cString: strerror(errno))))")
        }
        return n
    }

    private func tooLong(field: Bool) -> ForecastError {
        let limit = field ? "a field longer than \(CSVParser.maxFieldBytes >> 20) MiB" : "a record longer than \(CSVParser.maxRecordBytes >> 20) MiB"
        return ForecastError(file: file, line: line, message: "\(limit) starts on this line; expected CSV text with short fields (is it a CSV file?)")
    }

    private func countNewlines(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var total = 0
        var cur = p
        let end = p + n
        while cur < end, let hit = memchr(cur, 10, end - cur) {
            total += 1
            cur = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return total
    }

    private func syntaxError(chunk: UnsafePointer<UInt8>, used: Int, newlinesBefore: Int, code: Int32) -> ForecastError {
        if code != CSV_EPARSE {
            return ForecastError(file: file, message: String(cString: csv_strerror(code)))
        }
        // libcsv stops at the offending byte; line and column are counted from the bytes before it.
        let lineNo = newlinesBefore + countNewlines(chunk, used) + 1
        var col = 1
        var p = used - 1
        while p >= 0 && chunk[p] != 10 { col += 1; p -= 1 }
        if p < 0 && newlinesBefore > 0 { col = used + 1 }  // line began in an earlier chunk: best effort
        return ForecastError(file: file, line: lineNo, byteColumn: col,
                         message: "malformed quoting: a quote must open a field and be followed by a delimiter or the end of the line (write a literal quote as \"\" inside a quoted field)")
    }
}
