import Foundation
import ForecastData
import ForecastNN

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

    /// "1.5 GB", "20 MB", "300 KB", "100 bytes": small amounts in small units, so that a need and
    /// a tiny limit do not both read "1 MB". A need is rounded up (`roundingUp`) and a limit down,
    /// so a need over the limit never prints as the same amount.
    static func memorySize(_ bytes: Int, roundingUp: Bool = false) -> String {
        let bytes = max(0, bytes)
        func whole(_ shift: Int) -> Int {
            roundingUp ? Int((UInt64(bytes) + (1 << UInt64(shift)) - 1) >> UInt64(shift)) : bytes >> shift
        }
        if bytes >= 1 << 30 {
            let g = Double(bytes) / Double(1 << 30)
            return String(format: "%.1f GB", roundingUp ? (g * 10).rounded(.up) / 10 : (g * 10).rounded(.down) / 10)
        }
        if bytes >= 1 << 20 { return "\(whole(20)) MB" }
        if bytes >= 1 << 10 { return "\(whole(10)) KB" }
        return "\(bytes) bytes"
    }
}

extension Forecaster {
    /// A generous estimate of the bytes `fit` holds at once for `members` networks of `config`
    /// trained on batches of `batch` windows of `steps` (lookback plus horizon) steps: per
    /// parameter, 16 Floats per member (the weights, their gradient, Adam's two moments and the
    /// best weights of the members and of the cross-validation refits that train beside their
    /// copies: measured peaks of `fit` on airline with hidden 1024 × 2 layers, 512 × 4 and
    /// 256 × 8 × 4 members were 3.9, 2.2 and 2.2 GB, this estimate 4.1, 2.4 and 3.1); per batch,
    /// every cell's gates and states at every step, kept for the backward pass, and their gradients.
    static func trainingBytes(_ config: NetworkConfig, members: Int, batch: Int, steps: Int) -> Int {
        func gates(_ kind: CellKind) -> Int { kind == .lstm ? 4 : 3 }
        let h = config.hiddenSize
        var parameters = (h + 1) * config.outputSize
        var perStep = 0
        for layer in 0..<config.layers {
            let encoderIn = layer == 0 ? config.inputSize : h
            let decoderIn = layer == 0 ? h + config.futureSize : h
            parameters += gates(config.encoder) * h * (encoderIn + h + 1) + gates(config.decoder) * h * (decoderIn + h + 1)
            perStep += (gates(config.encoder) + gates(config.decoder) + 4) * h
        }
        let weights = parameters.multipliedReportingOverflow(by: 4 * 16)
        let activations = perStep.multipliedReportingOverflow(by: 4 * 2 * batch)
        guard !weights.overflow, !activations.overflow else { return Int.max }
        let perMember = weights.partialValue.addingReportingOverflow(activations.partialValue.multipliedReportingOverflow(by: steps).partialValue)
        let total = perMember.partialValue.multipliedReportingOverflow(by: members)
        return perMember.overflow || total.overflow ? Int.max : total.partialValue
    }
}
