import Foundation
import ForecastData
import ForecastNN

/// The `.fcm` model file: one file holding everything `predict` needs.
///
///     offset  size  content
///     0       8     magic "FCSTMDL\0"
///     8       4     format version, UInt32 little-endian (currently 2; version 1 files still load)
///     12      4     header length N, UInt32 little-endian
///     16      N     header, UTF-8 JSON (`ModelHeader`: configuration, columns, frequency, scalers,
///                   the last L observations, training summary, calibration residuals, tensor list)
///     16+N    4·P   weights, Float32 little-endian, tensors in the header's order
///     end-4   4     CRC-32 (IEEE) of every preceding byte
///
/// Files are written to a temporary file beside the target and renamed into place, so a reader
/// sees the old file or the new one, never a partial one. See docs/model-format.md.
public enum ModelFile {
    /// The current format version; readers refuse newer ones.
    public static let formatVersion: UInt32 = 2
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

        /// An ensemble member's lookback, seed and training summary.
        package struct Member: Codable, Sendable {
            package var lookback: Int
            package var seed: UInt64
            package var summary: TrainingSummary
            package init(lookback: Int, seed: UInt64, summary: TrainingSummary) {
                self.lookback = lookback; self.seed = seed; self.summary = summary
            }
        }

        /// One weight tensor's name and shape.
        package struct Tensor: Codable, Sendable {
            package var name: String
            package var shape: [Int]
        }
    }

    /// Serialises a forecaster.
    public static func encode(_ f: Forecaster) throws -> [UInt8] {
        let named = tensors(f)
        let header = Header(formatVersion: formatVersion, libraryVersion: libraryVersion, config: f.config,
                            network: f.network.config, targetName: f.targetName, covariateNames: f.covariateNames,
                            timeColumn: f.timeColumn, idColumn: f.idColumn, series: f.series, residuals: f.residuals,
                            summary: f.summary, tensors: named.map { Header.Tensor(name: $0.name, shape: $0.parameter.shape) },
                            parameterCount: f.members.reduce(0) { $0 + $1.network.parameterCount },
                            members: f.members.count > 1
                                ? f.members.map { Header.Member(lookback: $0.lookback, seed: $0.seed, summary: $0.summary) }
                                : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = Array(try encoder.encode(header))
        var out = magic
        append(&out, formatVersion)
        append(&out, UInt32(json.count))
        out += json
        for (_, p) in named {
            for i in 0..<p.count { append(&out, p.value[i].bitPattern) }
        }
        append(&out, CRC32.checksum(out))
        return out
    }

    /// Writes a forecaster to `path` atomically (temporary file, then rename).
    public static func write(_ f: Forecaster, to path: String) throws {
        try AtomicFile.write(try encode(f), to: path)
    }

    /// Reads a forecaster from `path`.
    ///
    /// - Throws: `ForecastError` (`modelFile`) for a missing, truncated, corrupted, foreign or newer file, or one
    ///   whose header fields disagree (see `validate(_:path:)`), naming the field.
    public static func read(_ path: String) throws -> Forecaster {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ForecastError.modelFile(path: path, message: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try decode(Array(data), path: path)
    }

    /// Reads only the header (for `inspect`), after the same checks as `read`.
    package static func readHeader(_ path: String) throws -> Header {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ForecastError.modelFile(path: path, message: "no such file")
        }
        return try parse(Array(data), path: path).header
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
        do { header = try decoder.decode(Header.self, from: Data(b[16..<(16 + n)])) } catch {
            throw fail("the header cannot be read (\(error)); the file is damaged")
        }
        // Every field against the others (sizes, counts, scalers, times, tensor shapes) before the
        // sizes below are multiplied or anything is allocated.
        try validate(header, path: path)
        let expected = header.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) }
        guard 16 + n + 4 * expected + 4 == b.count else {
            throw fail("the file holds \((b.count - 20 - n) / 4) weights but the header lists \(expected)")
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
            members.append(EnsembleMember(network: makeNetwork(h.network, seed: 0), lookback: m.lookback, seed: m.seed, summary: m.summary))
        }
        guard !members.isEmpty else { throw ForecastError.modelFile(path: path, message: "the header lists an empty ensemble") }
        // Format 1 and single networks: the first member reads the whole stored tail.
        let forecaster = Forecaster(config: h.config, members: members, targetName: h.targetName,
                                    covariateNames: h.covariateNames, timeColumn: h.timeColumn, idColumn: h.idColumn,
                                    series: h.series, residuals: h.residuals, summary: h.summary)
        let named = tensors(forecaster)
        guard named.count == h.tensors.count, zip(named, h.tensors).allSatisfy({ $0.name == $1.name && $0.parameter.shape == $1.shape }) else {
            throw ForecastError.modelFile(path: path, message: "the weights do not match the network the header describes")
        }
        var o = offset
        for (_, p) in named {
            for i in 0..<p.count { p.value[i] = Float(bitPattern: readU32(b, o)); o += 4 }
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

    /// The checksum of `bytes`.
    package static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFFFFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFFFFFF
    }
}
