/// The simple forecasters every model must beat, as in darts' `baselines.py`. Each maps a history
/// to the next `horizon` values.
public enum Baseline: String, Sendable, CaseIterable, Codable {
    /// The last value, repeated.
    case naive
    /// The value one season earlier.
    case seasonalNaive = "seasonal_naive"
    /// The median of the values at the same point of the season in the last five seasons (of the
    /// last five values when there is no season): the forecast of least absolute error for a stable
    /// seasonal pattern, robust to outliers, and the usual best guess for small counts.
    case seasonalMedian = "seasonal_median"
    /// The line through the first and last values, extended.
    case drift
    /// The historical mean.
    case mean
    /// Holt-Winters with additive trend and seasonality, fitted by least squares.
    case holtWinters = "holt_winters"
    /// The M4 Theta benchmark: SES with drift on the seasonally adjusted series.
    case theta
    /// Damped-trend exponential smoothing, ETS(A,Ad,N), on the seasonally adjusted series.
    case dampedETS = "damped_ets"
    /// Exponential smoothing with the ETS model of smallest AICc, as statsforecast's `AutoETS`.
    case autoETS = "auto_ets"

    /// As `forecast(_:horizon:period:)`, for a series whose season `m` was established by the
    /// forecaster's own test (which removes the trend first): Theta and damped ETS then adjust for
    /// it without M4's autocorrelation test, additively when the series has values <= 0.
    /// `parallelFits`: AutoETS may fit its candidates on several threads (same result).
    func forecast(_ history: [Double], horizon: Int, knownPeriod m: Int, parallelFits: Bool = true) -> [Double] {
        let history = Self.fitted(history, by: self)
        switch self {
        case .theta: return Theta.forecast(history, knownPeriod: m, horizon: horizon)
        case .dampedETS: return DampedETS.forecast(history, period: m, horizon: horizon, known: true)
        default: return forecast(history, horizon: horizon, period: m, parallelFits: parallelFits)
        }
    }

    /// The most recent points the smoothing models (Holt-Winters, Theta, damped ETS, AutoETS) are
    /// fitted on. Their optimisers evaluate the likelihood a few thousand times, each a pass over the
    /// data, so on the whole of a long series fitting would cost thousands of passes; on a bounded
    /// window it costs a constant, and a forecast of a series of n points takes one O(n) pass (the
    /// copy of the window). Ten thousand points are many seasons of any supported period (M4's
    /// longest series have 9,919), so shorter series are fitted on all of their points as before.
    package static let fitWindow = 10_000

    /// `history`, or its last `fitWindow` points for a smoothing model.
    static func fitted(_ history: [Double], by model: Baseline) -> [Double] {
        switch model {
        case .holtWinters, .theta, .dampedETS, .autoETS:
            return history.count > fitWindow ? Array(history.suffix(fitWindow)) : history
        case .naive, .seasonalNaive, .seasonalMedian, .drift, .mean:
            return history
        }
    }

    /// Forecasts `horizon` steps after `history` with seasonal period `m` (used by seasonal naive).
    /// The smoothing models are fitted on the last `fitWindow` points.
    ///
    /// - Complexity: O(n + horizon) for n points of history: one pass for naive, seasonal naive,
    ///   seasonal median, drift and mean; a copy of at most `fitWindow` points and a bounded fit for the others.
    public func forecast(_ history: [Double], horizon: Int, period m: Int) -> [Double] {
        forecast(history, horizon: horizon, period: m, parallelFits: true)
    }

    /// As `forecast(_:horizon:period:)`; `parallelFits`: AutoETS may fit its candidates on several
    /// threads (same result; off when the caller already runs series in parallel).
    func forecast(_ history: [Double], horizon: Int, period m: Int, parallelFits: Bool) -> [Double] {
        let history = Self.fitted(history, by: self)
        guard let last = history.last else { return [] }
        switch self {
        case .naive:
            return Array(repeating: last, count: horizon)
        case .seasonalNaive:
            guard m > 1, history.count >= m else { return Array(repeating: last, count: horizon) }
            return (0..<horizon).map { h in history[history.count - m + h % m] }
        case .seasonalMedian:
            return Self.seasonalMedian(history, horizon: horizon, period: m)
        case .drift:
            guard history.count > 1 else { return Array(repeating: last, count: horizon) }
            let slope = (last - history[0]) / Double(history.count - 1)
            return (1...horizon).map { last + slope * Double($0) }
        case .mean:
            let mu = history.reduce(0, +) / Double(history.count)
            return Array(repeating: mu, count: horizon)
        case .holtWinters:
            return HoltWinters.fit(history, period: m).forecast(history, horizon: horizon)
        case .theta:
            return Theta.forecast(history, period: m, horizon: horizon)
        case .dampedETS:
            return DampedETS.forecast(history, period: m, horizon: horizon)
        case .autoETS:
            return AutoETS.fit(history, period: m, horizon: horizon, parallel: parallelFits).forecast
        }
    }
}

extension Baseline {
    /// Seasons (or, without a season, values) whose median `seasonalMedian` takes. Chosen by an
    /// offline replay of the combination (Benchmarks/accuracy/median_study.py): with 3, 5 and 8 the
    /// geometric-mean MASE ratios were 0.510, 0.510, 0.511 (bundled), 0.760, 0.761, 0.763 (extra)
    /// and M4 Hourly validation OWA 0.464, 0.459, 0.455, against 0.530, 0.772, 0.460 without the
    /// candidate; 5 is the one that improves all three.
    static let medianSeasons = 5

    /// Per step h, the median of the last `medianSeasons` values at h's point of the season
    /// (period `m`, or 1 when `m` <= 1 or longer than the history); non-finite values are skipped.
    static func seasonalMedian(_ history: [Double], horizon: Int, period m: Int) -> [Double] {
        let n = history.count
        let p = m > 1 && n >= m ? m : 1
        var values: [Double] = []
        values.reserveCapacity(medianSeasons)
        return (0..<horizon).map { h in
            values.removeAll(keepingCapacity: true)
            var i = n - p + h % p
            while i >= 0 && values.count < medianSeasons {
                if history[i].isFinite { values.append(history[i]) }
                i -= p
            }
            guard !values.isEmpty else { return history[n - 1] }
            values.sort()
            let k = values.count
            return k % 2 == 1 ? values[k / 2] : (values[k / 2 - 1] + values[k / 2]) / 2
        }
    }
}
