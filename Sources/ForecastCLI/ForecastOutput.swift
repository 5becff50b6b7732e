import Foundation
import ForecastKit

/// Machine-readable forecast output: stable column order, one row per step.
enum ForecastOutput {
    static func number(_ v: Double) -> String {
        var out = ""
        append(v, to: &out)
        return out
    }

    /// Appends `v` as `String(format: "%.7g", v)` would (the same C formatting, without
    /// Foundation's format parsing per call), or nothing when it is not finite.
    static func append(_ v: Double, to out: inout String) {
        guard v.isFinite else { return }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buf in
            let n = withVaList([v]) { vsnprintf(buf.baseAddress!, 32, "%.7g", $0) }
            buf.withMemoryRebound(to: UInt8.self) { out += String(decoding: UnsafeBufferPointer(rebasing: $0[0..<Int(n)]), as: UTF8.self) }
        }
    }

    static func percent(_ level: Double) -> String {
        let p = level * 100
        return p == p.rounded() ? String(Int(p)) : String(p)
    }

    /// `[id,]time,target[,target_lower_p,target_upper_p...]`.
    static func csv(_ forecasts: [Forecast], model f: Forecaster) -> String {
        var header: [String] = []
        if let id = f.idColumn { header.append(id) }
        header += [f.timeColumn, f.targetName]
        for band in forecasts.first?.intervals ?? [] {
            header += ["\(f.targetName)_lower_\(percent(band.level))", "\(f.targetName)_upper_\(percent(band.level))"]
        }
        var out = header.map(csvField).joined(separator: ",") + "\n"
        // The rows of 64 series at a time, formatted on all cores, joined in order.
        let per = 64
        let chunks = stride(from: 0, to: forecasts.count, by: per).map { $0..<min(forecasts.count, $0 + per) }
        var parts = [String](repeating: "", count: chunks.count)
        parts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                slots[c] = rows(forecasts[chunks[c]], id: f.idColumn != nil)
            }
        }
        out.reserveCapacity(out.utf8.count + parts.reduce(0) { $0 + $1.utf8.count })
        for part in parts { out += part }
        return out
    }

    /// The CSV rows of `forecasts`.
    static func rows(_ forecasts: ArraySlice<Forecast>, id withId: Bool) -> String {
        var out = ""
        let widths = 24 + 16 * (1 + 2 * (forecasts.first?.intervals.count ?? 0))
        out.reserveCapacity(forecasts.reduce(0) { $0 + $1.values.count } * widths)
        for fc in forecasts {
            let id = withId ? csvField(fc.id ?? "") + "," : ""
            for i in 0..<fc.values.count {
                out += id
                out += csvField(fc.timeFormat.format(fc.timestamps[i]))
                out += ","
                append(fc.values[i], to: &out)
                for band in fc.intervals {
                    out += ","
                    append(band.lower[i], to: &out)
                    out += ","
                    append(band.upper[i], to: &out)
                }
                out += "\n"
            }
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// `{"schema": "forecast.predict/1", "model": {...}, "forecasts": [{"id", "time", "value", "lower_80", "upper_80"}...]}`.
    static func json(_ forecasts: [Forecast], model f: Forecaster) -> String {
        var rows: [[String: Any]] = []
        for fc in forecasts {
            for i in 0..<fc.values.count {
                // JSON has no NaN: a missing value (a series without data) is null.
                func json(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
                var r: [String: Any] = ["time": fc.timeFormat.format(fc.timestamps[i]), "value": json(fc.values[i]), "step": i + 1]
                if let id = fc.id { r["id"] = id }
                r["new_series"] = fc.isNewSeries
                if let why = fc.fallbackReason { r["fallback"] = why }
                for band in fc.intervals {
                    r["lower_\(percent(band.level))"] = json(band.lower[i])
                    r["upper_\(percent(band.level))"] = json(band.upper[i])
                }
                rows.append(r)
            }
        }
        let meta: [String: Any] = [
            "target": f.targetName, "time_column": f.timeColumn, "covariates": f.covariateNames,
            "encoder": f.config.encoder.rawValue, "decoder": f.config.decoder.rawValue,
            "lookback": f.config.lookback!, "trained_horizon": f.config.horizon,
            "frequency": f.series.first?.frequency.name ?? "", "recursive": forecasts.first?.recursive ?? false,
            "format_version": Int(ModelFile.formatVersion), "library_version": ModelFile.libraryVersion,
        ]
        let obj: [String: Any] = ["schema": schema("predict"), "model": meta, "forecasts": rows]
        let data = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension String {
    /// The string without trailing spaces (table rows pad every column but the last).
    var trimmingSuffixSpaces: String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}

/// Prints rows as a table: columns padded to their widest cell, two spaces apart, no trailing spaces.
func printTable(_ rows: [[String]]) throws {
    guard let first = rows.first else { return }
    let widths = (0..<first.count).map { c in rows.map { $0[c].count }.max()! }
    for row in rows {
        try say(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingSuffixSpaces)
    }
}
