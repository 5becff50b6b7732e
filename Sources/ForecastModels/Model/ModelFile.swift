import Foundation
import ForecastData
import ForecastNN

/// The `.fcm` model file: one file holding everything `predict` needs.
///
///     offset  size  content
///     0       8     magic "FCSTMDL\0"
///     8       4     format version, UInt32 little-endian (currently 8; versions 1 to 7 still load)
///     12      4     header length N, UInt32 little-endian
///     16      N     header, UTF-8 JSON (format 3: `CompactHeader`: configuration, columns, frequency,
///                   scalers, training summary, tensor list, and the sizes of the blocks below;
///                   formats 1 and 2: `Header`, which also holds the last L observations and the
///                   calibration residuals)
///     16+N    4·P   weights, Float32 little-endian, tensors in the header's order
///     16+N+4P D     format 3 only: the per-series tails, statistical forecasts and calibration
///                   errors, then the calibration residuals, as little-endian blocks (ModelFile+Blocks)
///     end-4   4     CRC-32 (IEEE) of every preceding byte
///
/// Files are written to a temporary file beside the target and renamed into place, so a reader
/// sees the old file or the new one, never a partial one. See docs/model-format.md.
public enum ModelFile {
    /// The format version written; readers refuse newer ones and read every older one.
    /// 1: the first (one network, no per-series baseline period). 2: ensembles, per-series
    /// baselines and combination; everything but the weights in the JSON header. 3: the per-series
    /// arrays and the calibration residuals as binary blocks after the weights, tail times derived
    /// from the first one when regular, calibration residuals capped at `Forecaster.residualCap`
    /// per step. 4: version 3's layout; yearly periods of calendar data are positioned by the
    /// date (`config.yearPhaseFromDate`), which a version-3 reader would ignore. 5: version 4's
    /// layout; day-of-week inputs only for data with a weekly cycle (`config.weeklyCycle`), which
    /// a version-4 reader would ignore. 6: version 5's layout; no position input for a primary
    /// seasonal period shorter than a year on calendar data (`config.primaryPeriodPosition`),
    /// which a version-5 reader would ignore. 7: a per-series block of the
    /// network's errors at the combination's origins (`networkCalibrationErrors`), after the
    /// calibration errors, and with `--combine network` the network's out-of-sample errors there
    /// as calibration errors; a version-6 reader would misread the blocks. 8: version 7's layout;
    /// window-scaled members (`Header.Member.scaled`) and per series `scaleChanged`, which a
    /// version-7 reader would take for plain members and ignore. 9: a per-series block of the
    /// linear autoregression's forecast (`linearForecast`) after the network's errors. 10 (this
    /// version): version 9's layout; per series the linear autoregression's share of the
    /// network's part (`linearWeight`), which a version-9 reader would take for a half.
    public static let formatVersion: UInt32 = 10
    /// The last format whose header is a `Header` holding every field as JSON.
    package static let jsonFormatVersion: UInt32 = 2
    static let magic: [UInt8] = Array("FCSTMDL".utf8) + [0]
    /// The library version recorded in files.
    public static let libraryVersion = "0.2.0"

    /// A model file's header.
    package struct Header: Codable, Sendable {
        package var formatVersion: UInt32
        package var libraryVersion: String
        package var config: ForecasterConfig
        package var network: NetworkConfig
        package var targetName: String
        package var covariateNames: [String]
        package var timeColumn: String
        package var idColumn: String?
        package var series: [SeriesState]
        package var residuals: [[Float]]
        package var summary: TrainingSummary
        package var tensors: [Tensor]
        package var parameterCount: Int
        /// The ensemble's members, first included (absent for a single network and in format 1):
        /// the tensors of member K > 0 follow the first member's, named `member.K.` + its names.
        package var members: [Member]?
        /// The panel series fit left out as too short, whole (absent when there are none, and in
        /// files written before forecast 0.3).
        package var shortSeries: [StoredSeries]?

        /// A whole series as stored: a panel series left out of training (`Forecaster.shortSeries`).
        /// Its time column, target and covariate names are the model's.
        package struct StoredSeries: Codable, Sendable {
            package var id: String?
            package var frequency: Frequency
            package var timeFormat: TimeFormat
            package var times: [Int64]
            /// Values as read (missing ones NaN, stored as the string "nan").
            package var target: [Double]
            package var covariates: [[Double]]
        }

        /// An ensemble member's lookback, seed and training summary, and whether it is a
        /// window-scaled member (`EnsembleMember.scaled`; absent: not, and before format 8).
        package struct Member: Codable, Sendable {
            package var lookback: Int
            package var seed: UInt64
            package var summary: TrainingSummary
            package var scaled: Bool?
            package init(lookback: Int, seed: UInt64, summary: TrainingSummary, scaled: Bool? = nil) {
                self.lookback = lookback; self.seed = seed; self.summary = summary; self.scaled = scaled
            }
        }

        /// One weight tensor's name and shape.
        package struct Tensor: Codable, Sendable {
            package var name: String
            package var shape: [Int]
        }
    }

    /// The header of `f`, as a file of format `version` would describe it.
    static func header(_ f: Forecaster, version: UInt32) -> Header {
        Header(formatVersion: version, libraryVersion: libraryVersion, config: f.config,
               network: f.network.config, targetName: f.targetName, covariateNames: f.covariateNames,
               timeColumn: f.timeColumn, idColumn: f.idColumn, series: f.series, residuals: f.residuals,
               summary: f.summary.withoutTiming, tensors: tensors(f).map { Header.Tensor(name: $0.name, shape: $0.parameter.shape) },
               parameterCount: f.members.reduce(0) { $0 + $1.network.parameterCount },
               members: f.members.count > 1
                   ? f.members.map { Header.Member(lookback: $0.lookback, seed: $0.seed, summary: $0.summary.withoutTiming,
                                                   scaled: $0.scaled ? true : nil) }
                   : nil,
               shortSeries: f.shortSeries.isEmpty ? nil : f.shortSeries.map {
                   Header.StoredSeries(id: $0.id, frequency: $0.frequency, timeFormat: $0.timeFormat, times: Array($0.times),
                                       target: $0.target, covariates: $0.covariates)
               })
    }

    /// Reads a forecaster from the bytes `encode` wrote (from a database or an object store, say),
    /// with every check `read` makes of a file.
    ///
    ///     let model = try ModelFile.decode(try ModelFile.encode(fitted))
    ///
    /// - Throws: `ForecastError` (`modelFile`) for bytes that are not a usable model.
    public static func decode(_ bytes: [UInt8]) throws -> Forecaster {
        try decode(bytes, path: "the model bytes")
    }

    /// Serialises a forecaster (`decode` reads it back).
    public static func encode(_ f: Forecaster) throws -> [UInt8] {
        let (compact, blocks) = Self.compact(header(f, version: formatVersion))
        return file(version: formatVersion, json: try jsonEncoder().encode(compact), f, blocks: blocks)
    }

    /// A format-2 file of `f` (everything in the JSON header), as forecast 0.2.0 wrote: for tests
    /// of the older format's reading.
    package static func encodeFormat2(_ f: Forecaster) throws -> [UInt8] {
        try file(version: jsonFormatVersion, json: jsonEncoder().encode(header(f, version: jsonFormatVersion)), f, blocks: [])
    }

    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// Magic, version, header, weights, blocks and CRC.
    static func file(version: UInt32, json: Data, _ f: Forecaster, blocks: [UInt8]) -> [UInt8] {
        var out = Array(leadingPieces(version: version, json: json, f).joined())
        out += blocks
        append(&out, CRC32.finish(CRC32.update(CRC32.start, out)))
        return out
    }

    /// The pieces before the blocks: magic, version and header length, the header, the weights.
    static func leadingPieces(version: UInt32, json: Data, _ f: Forecaster) -> [[UInt8]] {
        var head = magic
        append(&head, version)
        append(&head, UInt32(json.count))
        var weights: [UInt8] = []
        for (_, p) in tensors(f) {
            appendLE(&weights, (0..<p.count).map { p.value[$0].bitPattern })
        }
        return [head, [UInt8](json), weights]
    }

    /// Writes a forecaster to the file `url` atomically (a temporary file beside it, then a rename),
    /// so a reader sees the old file or the new one, never a mix.
    ///
    ///     try ModelFile.write(model, to: URL(fileURLWithPath: "airline.fcm"))
    public static func write(_ f: Forecaster, to url: URL) throws {
        try write(f, to: url.path)
    }

    /// Reads a forecaster from the file `url`.
    ///
    /// - Throws: `ForecastError` (`modelFile`) for a missing, truncated, corrupted, foreign or newer
    ///   file, or one whose header fields disagree, naming the field.
    public static func read(_ url: URL) throws -> Forecaster {
        try read(url.path)
    }

    /// Writes a forecaster to `path` atomically (temporary file, then rename): the bytes of
    /// `encode(_:)`, written piece by piece.
    /// `flushAbove`: the bytes of blocks gathered before they are written (tests use small ones).
    /// `seriesPerPiece`: the series whose header entries are encoded at a time (see `headerJSON`).
    package static func write(_ f: Forecaster, to path: String, flushAbove limit: Int = 1 << 20,
                              seriesPerPiece: Int = 256) throws {
        let h = header(f, version: formatVersion)
        let compact = compactHeader(h)
        let json = try headerJSON(compact, seriesPerPiece: seriesPerPiece)
        try AtomicFile.write(to: path) { sink in
            var crc = CRC32.start
            func emit(_ bytes: inout [UInt8]) throws {
                crc = CRC32.update(crc, bytes)
                try sink.write(bytes)
                bytes.removeAll(keepingCapacity: true)
            }
            for var piece in leadingPieces(version: formatVersion, json: json, f) { try emit(&piece) }
            // The blocks in pieces of about 1 MB (see `appendBlocks`).
            var buffer: [UInt8] = []
            buffer.reserveCapacity(min(limit, 1 << 24) + (1 << 16))
            try appendBlocks(h, compact, to: &buffer, flushAbove: limit, flush: emit)
            try emit(&buffer)
            append(&buffer, CRC32.finish(crc))
            try sink.write(buffer)
        }
    }

    /// The JSON of `c`, byte for byte as `jsonEncoder()` writes it whole, with the series' entries
    /// encoded `seriesPerPiece` at a time and spliced in: Foundation's encoder builds a tree of the
    /// whole value first, which for the 7 MB header of a 10,000-series panel took 55 MB at the end
    /// of the fit (its peak memory, issue 16).
    static func headerJSON(_ c: CompactHeader, seriesPerPiece: Int = 256) throws -> Data {
        let encoder = jsonEncoder()
        guard c.series.count > seriesPerPiece, seriesPerPiece > 0 else { return try encoder.encode(c) }
        var outer = c
        outer.series = []
        let shell = try encoder.encode(outer)
        // Every quote inside a JSON string is escaped, so this occurs only as the top-level key
        // (no nested object has a "series" key; checked, else the whole value is encoded).
        let marker = Data(#""series":[]"#.utf8)
        guard let r = shell.range(of: marker), shell[r.upperBound...].range(of: marker) == nil else {
            return try encoder.encode(c)
        }
        var out = Data(shell[..<r.lowerBound])
        out.append(contentsOf: Array(#""series":["#.utf8))
        var start = 0
        while start < c.series.count {
            let end = min(c.series.count, start + seriesPerPiece)
            let piece = try encoder.encode(Array(c.series[start..<end]))   // "[a,b,...]"
            if start > 0 { out.append(UInt8(ascii: ",")) }
            out.append(piece[(piece.startIndex + 1)..<(piece.endIndex - 1)])
            start = end
        }
        out.append(UInt8(ascii: "]"))
        out.append(shell[r.upperBound...])
        return out
    }

    /// Reads a forecaster from `path`.
    ///
    /// - Throws: `ForecastError` (`modelFile`) for a missing, truncated, corrupted, foreign or newer file, or one
    ///   whose header fields disagree (see `validate(_:path:)`), naming the field.
    package static func read(_ path: String) throws -> Forecaster {
        try decode(contents(path), path: path)
    }

    /// Reads only the header (for `inspect`), after the same checks as `read`.
    package static func readHeader(_ path: String) throws -> Header {
        try parse(contents(path), path: path).header
    }

    /// The bytes of the model file at `path`, or an error saying why there are none to read: no
    /// such file, a directory, an empty file, or one that cannot be read.
    static func contents(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ForecastError.modelFile(path: path, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw ForecastError.modelFile(path: path, message: "is a directory; expected a model file written by 'forecast fit'")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ForecastError.modelFile(path: path, message: "cannot read the file (check its permissions)")
        }
        guard !data.isEmpty else {
            throw ForecastError.modelFile(path: path, message: "the file is empty; expected a model file written by 'forecast fit'")
        }
        return Array(data)
    }

    static func parse(_ b: [UInt8], path: String) throws -> (header: Header, weights: Int) {
        func fail(_ m: String) -> ForecastError { ForecastError.modelFile(path: path, message: m) }
        guard b.count >= 8, Array(b[0..<8]) == magic else {
            throw fail("not a forecast model file (wrong magic bytes); expected a file written by 'forecast fit'")
        }
        guard b.count >= 20 else { throw fail("the file is truncated (\(b.count) bytes)") }
        let version = readU32(b, 8)
        guard version <= formatVersion else {
            throw fail("the model uses format version \(version), newer than this forecast's \(formatVersion); upgrade forecast to read it")
        }
        guard version >= 1 else { throw fail("unknown format version \(version)") }
        let n = Int(readU32(b, 12))
        guard 16 + n + 4 <= b.count else { throw fail("the file is truncated: the header says \(n) bytes but the file has \(b.count)") }
        let stored = readU32(b, b.count - 4)
        guard CRC32.checksum(b[0..<(b.count - 4)]) == stored else {
            throw fail("the checksum does not match: the file is corrupted or truncated; fit the model again")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        var blocks = 0
        do {
            if version <= jsonFormatVersion {
                header = try decoder.decode(Header.self, from: Data(b[16..<(16 + n)]))
            } else {
                let compact = try decoder.decode(CompactHeader.self, from: Data(b[16..<(16 + n)]))
                func bad(_ field: String, _ problem: String) -> ForecastError {
                    fail("the header field '\(field)' \(problem); the file was edited or damaged, fit the model again")
                }
                // The blocks end where the CRC starts; their size follows from the header's counts,
                // each checked against the bytes there are before it is used.
                blocks = try blockBytes(compact, available: b.count - 20 - n, bad)
                let start = b.count - 4 - blocks
                header = try b.withUnsafeBytes { try expand(compact, blocks: UnsafeRawBufferPointer(rebasing: $0[start..<(b.count - 4)]), bad) }
            }
        } catch let e as ForecastError {
            throw e
        } catch {
            throw fail("the header cannot be read (\(error)); the file is damaged")
        }
        // Every field against the others (sizes, counts, scalers, times, tensor shapes) before the
        // sizes below are multiplied or anything is allocated.
        try validate(header, path: path)
        let expected = header.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) }
        guard 16 + n + 4 * expected + blocks + 4 == b.count else {
            throw fail("the file holds \((b.count - 20 - n - blocks) / 4) weights but the header lists \(expected)")
        }
        return (header, 16 + n)
    }

    /// Every member's parameters, named as in the file.
    static func tensors(_ f: Forecaster) -> [(name: String, parameter: Parameter)] {
        f.members.enumerated().flatMap { k, m in
            m.network.namedParameters.map { (k == 0 ? $0.name : "member.\(k).\($0.name)", $0.parameter) }
        }
    }

    static func decode(_ b: [UInt8], path: String) throws -> Forecaster {
        let (h, offset) = try parse(b, path: path)
        let lookback = h.config.lookback ?? 0
        var members: [EnsembleMember] = []
        for m in h.members ?? [Header.Member(lookback: lookback, seed: h.config.seed, summary: h.summary)] {
            guard m.lookback >= 1 && m.lookback <= lookback else {
                throw ForecastError.modelFile(path: path, message: "an ensemble member's lookback \(m.lookback) is outside 1...\(lookback)")
            }
            members.append(EnsembleMember(network: makeNetwork(h.network, seed: nil), lookback: m.lookback, seed: m.seed, summary: m.summary,
                                          scaled: m.scaled == true))
        }
        guard !members.isEmpty else { throw ForecastError.modelFile(path: path, message: "the header lists an empty ensemble") }
        // Format 1 and single networks: the first member reads the whole stored tail.
        let forecaster = Forecaster(config: h.config, members: members, targetName: h.targetName,
                                    covariateNames: h.covariateNames, timeColumn: h.timeColumn, idColumn: h.idColumn,
                                    series: h.series,
                                    shortSeries: (h.shortSeries ?? []).map {
                                        TimeSeries(id: $0.id, timeColumn: h.timeColumn, timeFormat: $0.timeFormat, frequency: $0.frequency,
                                                   timestamps: $0.times, targetName: h.targetName, target: $0.target,
                                                   covariateNames: h.covariateNames, covariates: $0.covariates)
                                    },
                                    residuals: h.residuals, summary: h.summary)
        let named = tensors(forecaster)
        guard named.count == h.tensors.count, zip(named, h.tensors).allSatisfy({ $0.name == $1.name && $0.parameter.shape == $1.shape }) else {
            throw ForecastError.modelFile(path: path, message: "the weights do not match the network the header describes")
        }
        var o = offset
        b.withUnsafeBytes { raw in
            for (_, p) in named {
                for i in 0..<p.count { p.value[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o + 4 * i, as: UInt32.self))) }
                o += 4 * p.count
            }
        }
        return forecaster
    }

    static func append(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }

    static func readU32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}

/// CRC-32 (IEEE 802.3, the zlib/PNG polynomial).
package enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1 }
        return c
    }
    /// Slicing-by-8 tables: `tables[k][b]` is the CRC of byte b followed by k zero bytes.
    static let tables: [UInt32] = {
        var t = table + [UInt32](repeating: 0, count: 7 * 256)
        for k in 1..<8 { for i in 0..<256 { let p = t[(k - 1) * 256 + i]; t[k * 256 + i] = table[Int(p & 0xFF)] ^ (p >> 8) } }
        return t
    }()

    /// The checksum of `bytes`.
    package static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        if let c = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0)) }) { return c }
        return checksum(Array(bytes))
    }

    /// The running value before any byte (see `update`).
    static let start: UInt32 = 0xFFFFFFFF

    /// The running value `c` after `bytes`: the checksum of pieces is
    /// `finish(update(update(start, a), b))`, the same as `checksum(a + b)`.
    static func update(_ c: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(c, $0) }
    }

    /// The checksum from the running value after the last byte.
    static func finish(_ c: UInt32) -> UInt32 { c ^ 0xFFFFFFFF }

    /// The checksum of `bytes`, eight bytes per step (the same result as one byte per step).
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        finish(update(start, bytes))
    }

    /// `update` over raw bytes, eight bytes per step.
    static func update(_ start: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = start
        let n = bytes.count
        var i = 0
        tables.withUnsafeBufferPointer { t in
            while i + 8 <= n {
                let lo = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ c
                let hi = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                  ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                  ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                  ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n { c = t[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8); i += 1 }
        }
        return c
    }
}
