// libFuzzer target for the CSV reader and the series builder: any bytes must give a value or a
// ForecastError, never a crash, a hang or a memory error. Built and run by scripts/fuzz/run.sh.
import ForecastData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // 1. Raw records.
    _ = try? CSVParser.forEachRecord(inBytes: bytes) { r in
        for i in 0..<r.count { _ = r.bytes(at: i).count; _ = r.string(at: i) }
    }
    // 2. A table of the first two header names as time and number, then the series builder.
    var header: [String] = []
    struct Stop: Error {}
    _ = try? CSVParser.forEachRecord(inBytes: bytes) { r in
        header = (0..<r.count).map { r.string(at: $0) ?? "" }
        throw Stop()
    }
    guard header.count >= 2, header[0] != header[1] else { return 0 }
    for fill in [MissingPolicy.error, .interpolate] {
        guard let table = try? CSVTable(bytes: bytes, columns: [header[0]: .time(nil), header[1]: .number]) else { continue }
        var options = SeriesLoader.Options(target: header[1], timeColumn: header[0])
        options.fill = fill
        _ = try? SeriesLoader.build(table, options: options, timeColumn: header[0])
    }
    return 0
}
