/// Forecast accuracy metrics as free functions. Each returns `nil` where it is undefined (a zero
/// denominator, no points) rather than NaN, so callers must say what they print instead.
/// The compared arrays must have the same length: a mismatch is a programming error and stops
/// the program with a message naming both lengths (it never pairs values silently).
///
///     Metrics.mase(actual: [3, 4], predicted: [2.5, 4], insample: [1, 2, 3], period: 1)  // 0.25
public enum Metrics {
    /// Mean absolute error.
    public static func mae(actual: [Double], predicted: [Double]) -> Double? {
        sameLength("mae", actual, predicted)
        return mean(zip(actual, predicted).map { abs($0 - $1) })
    }

    /// Root mean squared error.
    public static func rmse(actual: [Double], predicted: [Double]) -> Double? {
        sameLength("rmse", actual, predicted)
        return mean(zip(actual, predicted).map { ($0 - $1) * ($0 - $1) }).map { $0.squareRoot() }
    }

    /// Mean absolute percentage error, in percent. Undefined when any actual value is 0.
    public static func mape(actual: [Double], predicted: [Double]) -> Double? {
        sameLength("mape", actual, predicted)
        guard !actual.contains(0) else { return nil }
        return mean(zip(actual, predicted).map { abs(($0 - $1) / $0) }).map { $0 * 100 }
    }

    /// Symmetric MAPE (M4 definition: 200·|a−p|/(|a|+|p|)), in percent; pairs with both values 0 count as 0 error.
    public static func smape(actual: [Double], predicted: [Double]) -> Double? {
        sameLength("smape", actual, predicted)
        return mean(zip(actual, predicted).map { a, p in
            let d = abs(a) + abs(p)
            return d == 0 ? 0 : 200 * abs(a - p) / d
        })
    }

    /// Mean error (predicted − actual): positive means forecasts run high.
    public static func bias(actual: [Double], predicted: [Double]) -> Double? {
        sameLength("bias", actual, predicted)
        return mean(zip(actual, predicted).map { $1 - $0 })
    }

    /// The in-sample MAE of the seasonal-naive forecast with period `m` (MASE's denominator);
    /// differences with a missing (NaN) value are skipped, as are they in RMSSE's.
    public static func seasonalNaiveMAE(_ insample: [Double], period m: Int) -> Double? {
        guard insample.count > m else { return nil }
        return mean((m..<insample.count).compactMap { abs(insample[$0] - insample[$0 - m]).nanAsNil })
    }

    /// Mean absolute scaled error: MAE over the in-sample seasonal-naive MAE (period `m`; 1 where
    /// the series has none). Below 1 beats the naive forecast on the training data.
    /// Undefined when the in-sample naive error is zero (a constant or perfectly periodic history).
    public static func mase(actual: [Double], predicted: [Double], insample: [Double], period m: Int) -> Double? {
        guard let scale = seasonalNaiveMAE(insample, period: m), scale > 0, let e = mae(actual: actual, predicted: predicted) else { return nil }
        return e / scale
    }

    /// Root mean squared scaled error (M5): RMSE over the in-sample seasonal-naive RMSE.
    public static func rmsse(actual: [Double], predicted: [Double], insample: [Double], period m: Int) -> Double? {
        guard insample.count > m,
              let scale = mean((m..<insample.count).compactMap { ((insample[$0] - insample[$0 - m]) * (insample[$0] - insample[$0 - m])).nanAsNil }),
              scale > 0, let e = rmse(actual: actual, predicted: predicted) else { return nil }
        return e / scale.squareRoot()
    }

    /// Share of actual values inside [lower, upper], in [0, 1].
    public static func coverage(actual: [Double], lower: [Double], upper: [Double]) -> Double? {
        sameLength("coverage", actual, lower, "lower"); sameLength("coverage", actual, upper, "upper")
        return mean(zip(actual, zip(lower, upper)).map { a, b in a >= b.0 && a <= b.1 ? 1 : 0 })
    }

    /// Mean interval (Winkler) score at coverage `level`: width plus 2/α times any miss, α = 1 − level.
    /// Lower is better.
    public static func winkler(actual: [Double], lower: [Double], upper: [Double], level: Double) -> Double? {
        sameLength("winkler", actual, lower, "lower"); sameLength("winkler", actual, upper, "upper")
        let alpha = 1 - level
        return mean(zip(actual, zip(lower, upper)).map { a, b in
            let (l, u) = b
            var s = u - l
            if a < l { s += 2 / alpha * (l - a) }
            if a > u { s += 2 / alpha * (a - u) }
            return s
        })
    }

    /// The geometric mean of positive values (for averaging relative errors across series).
    public static func geometricMean(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty, xs.allSatisfy({ $0 > 0 }) else { return nil }
        return exp(xs.map { log($0) }.reduce(0, +) / Double(xs.count))
    }

    /// Stops with a message when `other` differs in length from `actual`
    /// ("Metrics.mae: actual has 3 values, predicted 1").
    static func sameLength(_ function: String, _ actual: [Double], _ other: [Double], _ name: String = "predicted") {
        precondition(other.count == actual.count,
                     "Metrics.\(function): actual has \(actual.count) values, \(name) \(other.count)")
    }

    static func mean(_ xs: [Double]) -> Double? {
        xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
    }
}

/// A point-forecast metric by name; the raw values are the keys of evaluation and backtest output.
///
///     Metric.mase.value(actual: [3, 4], predicted: [2.5, 4], insample: [1, 2, 3], period: 1)  // 0.25
public enum Metric: String, CaseIterable, Sendable, Codable {
    /// Mean absolute error (`Metrics.mae`).
    case mae
    /// Root mean squared error (`Metrics.rmse`).
    case rmse
    /// Mean absolute percentage error, in percent (`Metrics.mape`).
    case mape
    /// Symmetric MAPE as M4 defines it, in percent (`Metrics.smape`).
    case smape
    /// Mean absolute scaled error (`Metrics.mase`).
    case mase
    /// Root mean squared scaled error (`Metrics.rmsse`).
    case rmsse
    /// Mean of predicted minus actual (`Metrics.bias`).
    case bias

    /// This metric of `predicted` against `actual` (see `Metrics`); MASE and RMSSE scale by the
    /// seasonal-naive error of `insample` with period `period`, the others ignore both.
    public func value(actual: [Double], predicted: [Double], insample: [Double] = [], period: Int = 1) -> Double? {
        switch self {
        case .mae: Metrics.mae(actual: actual, predicted: predicted)
        case .rmse: Metrics.rmse(actual: actual, predicted: predicted)
        case .mape: Metrics.mape(actual: actual, predicted: predicted)
        case .smape: Metrics.smape(actual: actual, predicted: predicted)
        case .mase: Metrics.mase(actual: actual, predicted: predicted, insample: insample, period: period)
        case .rmsse: Metrics.rmsse(actual: actual, predicted: predicted, insample: insample, period: period)
        case .bias: Metrics.bias(actual: actual, predicted: predicted)
        }
    }

    /// `value(actual:predicted:insample:period:)` where it is finite, nil otherwise: how reports
    /// score a forecast (a NaN forecast has no score, and no report shows one as a number).
    /// `skippingMissing`: steps whose actual value is NaN (missing, not observed) are left out of
    /// the score, the other steps kept in order.
    package func finiteValue(actual: [Double], predicted: [Double], insample: [Double] = [], period: Int = 1,
                             skippingMissing: Bool = false) -> Double? {
        var (a, p) = (actual, predicted)
        if skippingMissing && actual.contains(where: \.isNaN) {
            let kept = actual.indices.filter { !actual[$0].isNaN && $0 < predicted.count }
            (a, p) = (kept.map { actual[$0] }, kept.map { predicted[$0] })
        }
        return value(actual: a, predicted: p, insample: insample, period: period).flatMap { $0.isFinite ? $0 : nil }
    }
}

extension Double {
    /// nil for NaN (a difference with a missing value), the value otherwise.
    fileprivate var nanAsNil: Double? { isNaN ? nil : self }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
