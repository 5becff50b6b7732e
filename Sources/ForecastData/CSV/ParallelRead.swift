import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a large quote-free CSV file as two halves on two cores. Without any quote character a
/// newline always ends a record, so the half starting after the first newline past the middle is a
/// valid CSV body; its line numbers continue from the newlines counted in the first half. Each half
/// has its own libcsv parser and column storage; the second is appended to the first afterwards.
enum ParallelRead {
    /// Returns nil when the file must be read in one stream (one core, quotes, one line, or the
    /// halves disagree on a detected time format). `processors` replaces the count of online cores
    /// (tests pass 2 so that the two-halves path runs on a one-core machine too).
    static func read(_ file: String, size: Int, requested: [String: CSVTable.Kind], delimiter: UInt8?,
                     processors: Int? = nil) throws -> (reader: TableReader, delimiter: UInt8)? {
        guard (processors ?? ProcessInfo.activeProcessors) > 1, let scan = scan(file, size: size) else { return nil }
        let (header, _) = try CSVTable.peek(file, delimiter: delimiter)
        let delim = delimiter ?? scan.delimiter
        let first = Half(TableReader(file: file, requested: requested))
        first.reader.fileSize = size   // reserve for the whole file: the merge then appends in place
        let second = Half(TableReader(file: file, requested: requested))
        second.reader.fileSize = size - scan.split
        try second.reader.setHeader(header, line: 1)
        readHalves(file, size: size, scan: scan, delimiter: delim, first, second)
        if let e = first.error { throw e }
        if let e = second.error { throw e }
        guard first.reader.absorb(&second.reader) else { return nil }
        return (first.reader, delim)
    }

    /// One half of the file and its reader's state, written by the thread that reads it.
    final class Half: @unchecked Sendable {
        var reader: TableReader
        var error: (any Error)?
        init(_ r: TableReader) { reader = r }
    }

    /// Reads the two halves of `file` that `scan` found, into `first` and `second`, on two threads
    /// (each half's error in its `error`).
    static func readHalves(_ file: String, size: Int, scan: Scan, delimiter: UInt8, _ first: Half, _ second: Half) {
        let split = scan.split, secondLine = scan.newlinesBefore + 1
        // Without carriage returns either (quotes and NUL bytes are already excluded), every line is
        // one record and the plain splitter reads it as libcsv would.
        let plain = !scan.carriageReturn
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let half = i == 0 ? first : second
            do {
                try CSVParser.forEachRecord(inFile: file, bytes: i == 0 ? 0..<split : split..<size,
                                            firstLine: i == 0 ? 1 : secondLine, delimiter: delimiter,
                                            plain: plain) { try half.reader.consume($0) }
            } catch { half.error = error }
        }
    }

    /// Where the second half starts, the newlines before it, the delimiter and whether there are
    /// carriage returns (see `scan`).
    typealias Scan = (split: Int, newlinesBefore: Int, delimiter: UInt8, carriageReturn: Bool)

    /// One pass over the file: nil if it holds a quote; else the split offset (just after the first
    /// newline past the middle), the newlines before it, and the delimiter detected from the start.
    static func scan(_ file: String, size: Int) -> Scan? {
        guard let f = fopen(file, "rb") else { return nil }
        defer { fclose(f) }
        let chunkSize = 1 << 20
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var offset = 0, newlines = 0
        var split: Int?
        var carriageReturn = false
        var delimiter: UInt8 = UInt8(ascii: ",")
        let middle = size / 2
        while true {
            let n = fread(chunk, 1, chunkSize, f)
            if n == 0 { break }
            if offset == 0 { delimiter = CSVParser.detectDelimiter(UnsafeBufferPointer(start: chunk, count: n)) }
            if memchr(chunk, Int32(UInt8(ascii: "\"")), n) != nil { return nil }
            if !carriageReturn && memchr(chunk, 13, n) != nil { carriageReturn = true }
            // A NUL byte or a first line over a chunk: the one-pass read refuses the file at once.
            if memchr(chunk, 0, n) != nil || (offset == 0 && memchr(chunk, 10, n) == nil) { return nil }
            if split == nil {
                var p = chunk
                let end = chunk + n
                while p < end, let hit = memchr(p, 10, end - p) {
                    let at = offset + (hit.assumingMemoryBound(to: UInt8.self) - chunk)
                    newlines += 1
                    p = hit.assumingMemoryBound(to: UInt8.self) + 1
                    if at >= middle { split = at + 1; break }
                }
            }
            offset += n
        }
        guard let split, split < size, newlines > 1 else { return nil }
        return (split, newlines, delimiter, carriageReturn)
    }
}

private enum ProcessInfo {
    static var activeProcessors: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

extension ParallelRead {
    /// The machine's online cores.
    static var processors: Int { ProcessInfo.activeProcessors }
}
