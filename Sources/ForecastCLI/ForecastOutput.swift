import Foundation
import ForecastKit

/// Machine-readable forecast output: stable column order, one row per step.
enum ForecastOutput {
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "" }
        return String(format: "%.7g", v)
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
        for fc in forecasts {
            for i in 0..<fc.values.count {
                var row: [String] = []
                if f.idColumn != nil { row.append(csvField(fc.id ?? "")) }
                row += [csvField(fc.timeFormat.format(fc.timestamps[i])), number(fc.values[i])]
                for band in fc.intervals { row += [number(band.lower[i]), number(band.upper[i])] }
                out += row.joined(separator: ",") + "\n"
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
                var r: [String: Any] = ["time": fc.timeFormat.format(fc.timestamps[i]), "value": fc.values[i], "step": i + 1]
                if let id = fc.id { r["id"] = id }
                r["new_series"] = fc.isNewSeries
                if let why = fc.fallbackReason { r["fallback"] = why }
                for band in fc.intervals {
                    r["lower_\(percent(band.level))"] = band.lower[i]
                    r["upper_\(percent(band.level))"] = band.upper[i]
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
