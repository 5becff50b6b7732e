import ForecastData
import ForecastNN

/// One series prepared for the network: target and covariates scaled with scalers fitted on the
/// training part only, as Float, channel-interleaved (t, F) with the target first.
struct SeriesFeatures {
    let values: [Float]        // (n, F): [target, covariates...] per step
    let count: Int
    let features: Int
    let targetScaler: Scaler
    let covariateScalers: [Scaler]

    init(_ s: TimeSeries, fitOn trainCount: Int, kind: ScalerKind) {
        self.init(s, targetScaler: Scaler(fitting: s.target.prefix(trainCount), kind: kind),
                  covariateScalers: s.covariates.map { Scaler(fitting: $0.prefix(trainCount), kind: kind) })
    }

    init(_ s: TimeSeries, targetScaler: Scaler, covariateScalers: [Scaler]) {
        self.targetScaler = targetScaler
        self.covariateScalers = covariateScalers
        features = 1 + s.covariates.count
        count = s.count
        var v = [Float](repeating: 0, count: s.count * features)
        for t in 0..<s.count {
            v[t * features] = Float(targetScaler.transform(s.target[t]))
            for (k, c) in s.covariates.enumerated() { v[t * features + 1 + k] = Float(covariateScalers[k].transform(c[t])) }
        }
        values = v
    }
}

/// How windows become network inputs and targets, and how outputs become forecasts.
///
/// Inputs are the scaled window with its last target value subtracted from the target channel
/// (per-window level normalisation), so a level shift looks familiar to the network. Targets are
/// the scaled future minus the baseline forecast from the same window; a forecast is the baseline
/// plus the network's output.
struct WindowEncoding {
    let lookback: Int
    let horizon: Int
    let features: Int
    let baseline: BaselineKind
    let period: Int

    /// The baseline for step h (0-based) of a window whose inputs are `x[0..<L]` (target channel).
    @inline(__always)
    func base(_ target: (Int) -> Float, step h: Int) -> Float {
        switch baseline {
        case .naive: return target(lookback - 1)
        case .seasonal:
            let m = period
            guard m > 1 && m <= lookback else { return target(lookback - 1) }
            let back = m * ((h / m) + 1)          // the same season in the last observed cycle
            return target(lookback + h - back)
        }
    }

    /// Fills x (L, B, F) time-major for batch slot b from `values` starting at `start`.
    func fillInput(_ x: UnsafeMutablePointer<Float>, batch B: Int, slot b: Int, values: UnsafePointer<Float>, start: Int) {
        let F = features
        let level = values[(start + lookback - 1) * F]
        for t in 0..<lookback {
            let src = values + (start + t) * F
            let dst = x + (t * B + b) * F
            dst[0] = src[0] - level
            for k in 1..<max(F, 1) where k < F { dst[k] = src[k] }
        }
    }

    /// The baselines of one window, per step.
    func baselines(values: UnsafePointer<Float>, start: Int) -> [Float] {
        let F = features
        return (0..<horizon).map { h in base({ values[(start + $0) * F] }, step: h) }
    }
}
