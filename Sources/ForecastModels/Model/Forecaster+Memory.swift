import Foundation
import ForecastData

extension Forecaster {
    /// The bytes `predict` may use, checked before it allocates: `FORECAST_MEMORY_LIMIT` when set
    /// (bytes), else half the machine's physical memory. A setting that is not a positive whole
    /// number of bytes is a configuration error, not silently ignored.
    static func memoryLimit() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["FORECAST_MEMORY_LIMIT"] else {
            return Int(ProcessInfo.processInfo.physicalMemory / 2)
        }
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)), v > 0 else {
            throw ForecastError.configuration("FORECAST_MEMORY_LIMIT must be a positive whole number of bytes, like 8000000000; got '\(text)'")
        }
        return v
    }

    /// A generous estimate of what a forecast of `steps` steps for `series` series holds at once:
    /// per series and step, the known-future row (4·Ff bytes), the scaled and unscaled forecast,
    /// its timestamp and interval bounds, and the text a caller prints (about 32 bytes a number).
    static func predictionBytes(series B: Int, steps: Int, futureSize Ff: Int, levels: Int) -> Int {
        let perStep = 4 * Ff + 4 + 4 + 8 + 8 + 2 * levels * 8 + 32 * (2 + 2 * levels)
        let (a, o1) = B.multipliedReportingOverflow(by: steps)
        let (b, o2) = a.multipliedReportingOverflow(by: perStep)
        return o1 || o2 ? Int.max : b
    }

    /// "1.5 GB", "20 MB".
    static func gigabytes(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) : "\(max(1, bytes >> 20)) MB"
    }
}
