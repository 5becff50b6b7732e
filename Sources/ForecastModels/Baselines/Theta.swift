/// The Theta method as the M4 organisers ran it (the "Theta" benchmark of `Benchmarks and
/// Evaluation.R` in github.com/Mcompetitions/M4-methods), in Hyndman & Billah's (2003) equivalent
/// form, the one of R's `forecast::thetaf` and statsmodels' `ThetaModel`:
///
/// 1. If `m > 1`, `n ≥ 3m`, every value is positive and the lag-m autocorrelation passes M4's 90%
///    test, divide by the seasonal indices of R's `decompose(type = "multiplicative")`
///    (`M4SeasonalAdjustment`).
/// 2. Fit simple exponential smoothing `l_t = l_{t−1} + α(y_t − l_{t−1})` to the adjusted series:
///    α ∈ [10⁻⁴, 0.9999] and the initial level minimise the sum of squared one-step errors (the
///    initial level is concentrated out exactly; α by a grid search refined by golden section).
/// 3. Forecast `ŷ_{n+h} = l_n + b/2 · (h − 1 + 1/α − (1 − α)ⁿ/α)`, with `b` the least-squares slope
///    of the adjusted series on time (theta = 2: half the linear trend's slope as drift).
/// 4. Multiply by the seasonal indices of the forecast steps.
///
/// Never traps: an empty history gives `[]`; fewer than 3 values, a constant series or any
/// non-finite value gives the naive forecast (the last value repeated). The series is rescaled by its
/// largest magnitude first, so values near `Double.greatestFiniteMagnitude` do not overflow.
/// Deterministic (no randomness, fixed search).
package enum Theta {
    /// Forecasts `h` steps after `y`, seasonal period `m` (1 or less: no seasonal adjustment).
    package static func forecast(_ y: [Double], period m: Int, horizon h: Int) -> [Double] {
        forecast(y, period: m, horizon: h, initialLevel: .optimal)
    }

    /// As `forecast(_:period:horizon:)`, but with a season known to hold (see
    /// `M4SeasonalAdjustment`'s `known`): adjusted without M4's test.
    static func forecast(_ y: [Double], knownPeriod m: Int, horizon h: Int) -> [Double] {
        forecast(y, period: m, horizon: h, initialLevel: .optimal, known: true)
    }

    /// How SES chooses its initial level: least squares (`forecast::ses`, used by M4), or the first
    /// observation (statsmodels' `ThetaModel`, which fixes `initial_level = y[0]`).
    enum InitialLevel { case optimal, firstObservation }

    static func forecast(_ y: [Double], period m: Int, horizon h: Int, initialLevel: InitialLevel,
                         known: Bool = false) -> [Double] {
        guard h > 0, let last = y.last else { return [] }
        let naive = [Double](repeating: last, count: h)
        guard y.count >= 3, let prep = M4SeasonalAdjustment(y, period: m, horizon: h, known: known) else { return naive }
        let x = prep.centred
        let fit = SES.fit(x, initialLevel: initialLevel)
        let b = olsSlope(x)
        let a = fit.alpha, n = Double(x.count)
        let tail = (1 - pow(1 - a, n)) / a  // 1/α − (1 − α)ⁿ/α
        let out = (0..<h).map { step in fit.level + b / 2 * (Double(step) + tail) }
        return prep.restore(out) ?? naive
    }

    /// Least-squares slope of `x` on 0, 1, ..., n − 1.
    static func olsSlope(_ x: [Double]) -> Double {
        let n = Double(x.count)
        let tBar = (n - 1) / 2
        let xBar = x.reduce(0, +) / n
        var sxy = 0.0, stt = 0.0
        for (t, v) in x.enumerated() {
            let d = Double(t) - tBar
            sxy += d * (v - xBar); stt += d * d
        }
        return stt > 0 ? sxy / stt : 0
    }
}

/// Simple exponential smoothing fitted by least squares on the one-step errors.
enum SES {
    static let alphaBounds = (lower: 1e-4, upper: 0.9999)

    /// Sum of squared one-step errors and the final level, for given α and initial level.
    static func filter(_ x: [Double], alpha: Double, level l0: Double) -> (sse: Double, level: Double) {
        var l = l0, sse = 0.0
        for v in x {
            let e = v - l
            sse += e * e
            l += alpha * e
        }
        return (sse, l)
    }

    /// The initial level minimising the SSE for this α: the errors are `e⁰_t − (1 − α)ᵗ l₀`, with `e⁰`
    /// the errors from `l₀ = 0`, so `l₀ = Σ e⁰_t (1 − α)ᵗ / Σ (1 − α)²ᵗ`.
    static func bestInitialLevel(_ x: [Double], alpha: Double) -> Double {
        var l = 0.0, w = 1.0, num = 0.0, den = 0.0
        for v in x {
            let e = v - l
            num += e * w; den += w * w
            l += alpha * e
            w *= 1 - alpha
        }
        return den > 0 ? num / den : (x.first ?? 0)
    }

    static func fit(_ x: [Double], initialLevel: Theta.InitialLevel) -> (alpha: Double, level: Double, sse: Double) {
        func level0(_ a: Double) -> Double {
            initialLevel == .optimal ? bestInitialLevel(x, alpha: a) : x[0]
        }
        func sse(_ a: Double) -> Double {
            let s = filter(x, alpha: a, level: level0(a)).sse
            return s.isFinite ? s : .greatestFiniteMagnitude
        }
        let a = minimize1D(sse, lower: alphaBounds.lower, upper: alphaBounds.upper)
        let f = filter(x, alpha: a, level: level0(a))
        return (a, f.level, f.sse)
    }

    /// Minimises `f` on [lower, upper]: the best of 41 evenly spaced points, refined by golden-section
    /// search between its neighbours (deterministic; robust to mild multimodality).
    static func minimize1D(_ f: (Double) -> Double, lower: Double, upper: Double) -> Double {
        let k = 40
        let grid = (0...k).map { lower + (upper - lower) * Double($0) / Double(k) }
        let values = grid.map(f)
        var best = 0
        for i in 1...k where values[i] < values[best] { best = i }
        var lo = grid[max(0, best - 1)], hi = grid[min(k, best + 1)]
        let g = (sqrt(5.0) - 1) / 2
        var c = hi - g * (hi - lo), d = lo + g * (hi - lo)
        var fc = f(c), fd = f(d)
        for _ in 0..<200 where hi - lo > 1e-10 {
            if fc <= fd { hi = d; d = c; fd = fc; c = hi - g * (hi - lo); fc = f(c) }
            else { lo = c; c = d; fc = fd; d = lo + g * (hi - lo); fd = f(d) }
        }
        let candidates = [(grid[best], values[best]), (c, fc), (d, fd)]
        return candidates.min { $0.1 < $1.1 }!.0
    }
}

/// The seasonal adjustment of M4's statistical benchmarks (`Benchmarks and Evaluation.R`, mirrored
/// in shared/benchmarks/m4-hourly/m4metrics.py): when `m > 1`, `n ≥ 3m` and the lag-m
/// autocorrelation exceeds its 90% limit `1.645/√n · √(1 + 2 Σ_{k<m} r_k²)` (R's `acf` with its
/// default `lag.max = ⌊10 log₁₀ n⌋`; no test when m exceeds it), the series is divided by the
/// seasonal indices of R's classical `decompose(type = "multiplicative")`, and forecasts are
/// multiplied by the indices of their steps. Skipped when any value is ≤ 0.
///
/// Also rescales: the working series is `y / max|y|` (adjusted), then centred on its mean; the
/// models used here are equivariant under both, and `restore` undoes them.
struct M4SeasonalAdjustment {
    let scale: Double
    let offset: Double
    /// `y / scale / s_t − offset`.
    let centred: [Double]
    /// Multiplicative seasonal indices of the forecast steps (all 1 when not applied).
    let outgoing: [Double]
    /// Additive seasonal terms of the forecast steps (all 0 unless applied additively).
    let shift: [Double]
    let applied: Bool

    /// `y / scale / s_t − offset` (multiplicative) or `y / scale − s_t − offset` (additive).
    /// nil when the series is unusable for fitting: a non-finite value, or constant.
    ///
    /// With `known` false this is M4's rule: adjust (multiplicatively) only when every value is
    /// positive, n ≥ 3m and the lag-m autocorrelation passes the 90% test. With `known` true the
    /// season was established beforehand (by a test that removes the trend first, which M4's does
    /// not): adjust whenever n ≥ 2m, multiplicatively for positive series, else additively.
    init?(_ y: [Double], period m: Int, horizon h: Int, known: Bool = false) {
        guard !y.isEmpty, y.allSatisfy(\.isFinite) else { return nil }
        let scale = y.map(abs).max()!
        guard scale > 0, y.contains(where: { $0 != y[0] }) else { return nil }
        let z = y.map { $0 / scale }
        var adjusted = z, outgoing = [Double](repeating: 1, count: max(0, h))
        var shift = [Double](repeating: 0, count: max(0, h))
        let positive = z.allSatisfy { $0 > 0 }
        let applied = known ? m > 1 && z.count >= 2 * m : m > 1 && positive && Self.isSeasonal(z, period: m)
        if applied && positive {
            let figure = Self.multiplicativeIndices(z, period: m)
            if figure.allSatisfy({ $0.isFinite && $0 > 0 }) {
                adjusted = z.indices.map { z[$0] / figure[$0 % m] }
                outgoing = (0..<max(0, h)).map { figure[(z.count + $0) % m] }
            }
        } else if applied {
            let figure = Self.additiveIndices(z, period: m)
            if figure.allSatisfy(\.isFinite) {
                adjusted = z.indices.map { z[$0] - figure[$0 % m] }
                shift = (0..<max(0, h)).map { figure[(z.count + $0) % m] }
            }
        }
        let mean = adjusted.reduce(0, +) / Double(adjusted.count)
        self.scale = scale
        self.offset = mean
        self.centred = adjusted.map { $0 - mean }
        self.outgoing = outgoing
        self.shift = shift
        self.applied = applied
    }

    /// Forecasts of the centred series back on the original scale; nil if any is not finite.
    func restore(_ f: [Double]) -> [Double]? {
        let out = f.indices.map { ((f[$0] + offset) * outgoing[$0] + shift[$0]) * scale }
        return out.allSatisfy(\.isFinite) ? out : nil
    }

    /// R's `acf(x)$acf[-1]`: lags 1 ... min(⌊10 log₁₀ n⌋, n − 1); empty if the variance is zero.
    static func acf(_ x: [Double]) -> [Double] {
        let n = x.count
        guard n > 1 else { return [] }
        let lagMax = min(Int((10 * log10(Double(n))).rounded(.down)), n - 1)
        let mean = x.reduce(0, +) / Double(n)
        let d = x.map { $0 - mean }
        let c0 = d.reduce(0) { $0 + $1 * $1 }
        guard c0 > 0, lagMax >= 1 else { return [] }
        return (1...lagMax).map { k in
            var s = 0.0
            for i in 0..<(n - k) { s += d[i] * d[i + k] }
            return s / c0
        }
    }

    /// M4's `SeasonalityTest`: 90% one-sided test on the lag-m autocorrelation.
    static func isSeasonal(_ x: [Double], period m: Int) -> Bool {
        let n = x.count
        guard m > 1, n >= 3 * m else { return false }
        let r = acf(x)
        guard m <= r.count else { return false }
        let sumSq = r[0..<(m - 1)].reduce(0) { $0 + $1 * $1 }
        let limit = 1.645 / sqrt(Double(n)) * sqrt(1 + 2 * sumSq)
        return abs(r[m - 1]) > limit
    }

    /// R's `decompose(ts(x, frequency = m), type = "additive")$figure`: the mean difference of `x`
    /// and its centred moving average at each position of the cycle, centred to mean 0. Needs n ≥ 2m.
    static func additiveIndices(_ x: [Double], period m: Int) -> [Double] {
        let figure = seasonalFigure(x, period: m) { $0 - $1 }
        let mean = figure.reduce(0, +) / Double(m)
        return figure.map { $0 - mean }
    }

    /// R's `decompose(ts(x, frequency = m), type = "multiplicative")$figure`: the mean ratio of `x`
    /// to its centred moving average (2×m when m is even) at each position of the cycle, normalised
    /// to mean 1. Index i belongs to positions i, i + m, ... of `x`. Needs n ≥ 2m.
    static func multiplicativeIndices(_ x: [Double], period m: Int) -> [Double] {
        let figure = seasonalFigure(x, period: m) { $0 / $1 }
        let mean = figure.reduce(0, +) / Double(m)
        return figure.map { $0 / mean }
    }

    /// The mean of `detrend(x_i, trend_i)` at each position of the cycle, where `trend` is the centred
    /// moving average (2×m when m is even); NaN for a position without a full window.
    static func seasonalFigure(_ x: [Double], period m: Int, detrend: (Double, Double) -> Double) -> [Double] {
        let n = x.count
        let w: [Double] = m % 2 == 0
            ? [0.5] + [Double](repeating: 1, count: m - 1) + [0.5]
            : [Double](repeating: 1, count: m)
        let k = w.count / 2
        var sums = [Double](repeating: 0, count: m), counts = [Double](repeating: 0, count: m)
        if n - k > k {
            for i in k..<(n - k) {
                var trend = 0.0
                for j in 0..<w.count { trend += w[j] * x[i - k + j] }
                trend /= Double(m)
                sums[i % m] += detrend(x[i], trend)
                counts[i % m] += 1
            }
        }
        return (0..<m).map { counts[$0] > 0 ? sums[$0] / counts[$0] : .nan }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
