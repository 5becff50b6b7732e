// libFuzzer target for the model-file reader: any bytes must give a forecaster, which then
// forecasts, or a ForecastError (kind modelFile) — never a crash, a hang or a memory error. Built and run by
// scripts/fuzz/run-model.sh.
//
// A CRC-32 guards every file, so almost every mutation would be refused before its header is
// read. The target therefore does what an editor of a file would: an input that starts with the
// magic bytes is a whole file whose CRC is recomputed; any other input is a header (JSON), wrapped
// into a file with as many zero weights as its tensor list asks for (when that is small): a
// format-2 header (`ModelFile.Header`, every field) into a format-2 file, a format-3 one
// (`ModelFile.CompactHeader`) into a format-3 file with zero-filled blocks of the size its counts give.
import Foundation
import ForecastModels

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let file = input.starts(with: ModelFile.magic) ? rechecksummed(input) : wrapped(header: input)
    guard let file, let f = try? ModelFile.decode(file, path: "fuzz") else { return 0 }
    // A file the reader accepts must forecast without trapping, past its horizon and with intervals.
    _ = try? f.predict(horizon: 1, intervals: [0.8])
    _ = try? f.predict(horizon: 2 * f.config.horizon + 1, intervals: [0.5, 0.95], source: .network)
    return 0
}

func rechecksummed(_ b: [UInt8]) -> [UInt8]? {
    guard b.count >= 20 else { return b }
    var out = Array(b[0..<(b.count - 4)])
    ModelFile.append(&out, CRC32.checksum(out))
    return out
}

func wrapped(header json: [UInt8]) -> [UInt8]? {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    // A format-2 header (every field), or a format-3 one (with zero-filled blocks of the size its
    // counts give, when that is small).
    let version: UInt32, tensors: [ModelFile.Header.Tensor], blocks: Int
    if let h = try? decoder.decode(ModelFile.Header.self, from: Data(json)) {
        (version, tensors, blocks) = (ModelFile.jsonFormatVersion, h.tensors, 0)
    } else if let c = try? decoder.decode(ModelFile.CompactHeader.self, from: Data(json)),
              let n = try? ModelFile.blockBytes(c, available: 1 << 22, { f, p in ForecastError.modelFile(path: "fuzz", message: "\(f) \(p)") }) {
        (version, tensors, blocks) = (ModelFile.formatVersion, c.tensors, n)
    } else {
        return nil
    }
    var count = 0
    for t in tensors {
        var n = 1
        for d in t.shape {
            guard d >= 0, case let (p, overflow) = n.multipliedReportingOverflow(by: d), !overflow else { return nil }
            n = p
        }
        count += n
        guard count <= 1 << 20 else { return nil }
    }
    var out = ModelFile.magic
    ModelFile.append(&out, version)
    ModelFile.append(&out, UInt32(json.count))
    out += json
    out += [UInt8](repeating: 0, count: 4 * count + blocks)
    ModelFile.append(&out, CRC32.checksum(out))
    return out
}
