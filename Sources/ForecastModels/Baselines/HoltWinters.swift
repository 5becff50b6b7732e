/// Holt-Winters exponential smoothing with additive trend and additive seasonality, in the
/// error-correction form statsmodels' `ExponentialSmoothing(trend="add", seasonal="add")` uses:
///
///     l_t = α(y_t − s_{t−m}) + (1 − α)(l_{t−1} + b_{t−1})
///     b_t = β(l_t − l_{t−1}) + (1 − β) b_{t−1}
///     s_t = γ(y_t − l_{t−1} − b_{t−1}) + (1 − γ) s_{t−m}
///     ŷ_{t+h} = l_t + h·b_t + s_{t+h−m⌈h/m⌉}
///
/// `fit` chooses α, β, γ and the initial level and trend by least squares on the one-step-ahead
/// errors (Nelder–Mead over a logistic reparameterisation that keeps the smoothing weights in (0, 1));
/// the initial seasonal indices are the first cycle's deviations from its mean.
package struct HoltWinters: Sendable, Equatable {
    package var alpha: Double
    package var beta: Double
    package var gamma: Double
    package var initialLevel: Double
    package var initialTrend: Double
    /// Initial seasonal indices s_{1−m}...s_0.
    package var initialSeasonal: [Double]
    package var period: Int

    /// A model with given parameters.
    package init(alpha: Double, beta: Double, gamma: Double, initialLevel: Double, initialTrend: Double,
                initialSeasonal: [Double], period: Int) {
        self.alpha = alpha; self.beta = beta; self.gamma = gamma
        self.initialLevel = initialLevel; self.initialTrend = initialTrend
        self.initialSeasonal = initialSeasonal; self.period = period
    }

    /// Runs the recursions over `y`; returns the sum of squared one-step errors and the final state.
    package func filter(_ y: [Double]) -> (sse: Double, level: Double, trend: Double, seasonal: [Double]) {
        var l = initialLevel, b = initialTrend
        var s = initialSeasonal
        let m = period
        var sse = 0.0
        for (t, v) in y.enumerated() {
            let st = s[t % m]
            let e = v - (l + b + st)
            sse += e * e
            let lNew = alpha * (v - st) + (1 - alpha) * (l + b)
            let bNew = beta * (lNew - l) + (1 - beta) * b
            s[t % m] = gamma * (v - l - b) + (1 - gamma) * st
            l = lNew; b = bNew
        }
        // Rotate so that seasonal[0] belongs to the step after the data.
        let n = y.count
        let rotated = (0..<m).map { s[(n + $0) % m] }
        return (sse, l, b, rotated)
    }

    /// Forecasts `horizon` steps after `y`.
    package func forecast(_ y: [Double], horizon: Int) -> [Double] {
        let f = filter(y)
        return (1...max(1, horizon)).prefix(horizon).map { h in f.level + Double(h) * f.trend + f.seasonal[(h - 1) % period] }
    }

    /// Fits a model to `y` (at least two full seasons).
    package static func fit(_ y: [Double], period m0: Int) -> HoltWinters {
        let m = max(1, m0)
        guard y.count >= 2 * m, y.count >= 4 else {
            let last = y.last ?? 0
            return HoltWinters(alpha: 0.5, beta: 0.1, gamma: 0.1, initialLevel: last, initialTrend: 0,
                               initialSeasonal: Array(repeating: 0, count: m), period: m)
        }
        let first = y[0..<m].reduce(0, +) / Double(m)
        let second = y[m..<(2 * m)].reduce(0, +) / Double(m)
        let seasonal = m > 1 ? y[0..<m].map { $0 - first } : [0]
        let level0 = first - (m > 1 ? (second - first) / Double(m) * Double(m - 1) / 2 : 0)
        let trend0 = m > 1 ? (second - first) / Double(m) : y[1] - y[0]
        let scale = max(1e-9, (y.map { abs($0 - first) }.reduce(0, +) / Double(y.count)))
        func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        func make(_ p: [Double]) -> HoltWinters {
            HoltWinters(alpha: logistic(p[0]), beta: logistic(p[1]), gamma: m > 1 ? logistic(p[2]) : 0,
                        initialLevel: level0 + p[3] * scale, initialTrend: trend0 + p[4] * scale / Double(m),
                        initialSeasonal: seasonal, period: m)
        }
        let start = [0.0, -2.0, -2.0, 0, 0]
        let best = NelderMead.minimize(start, step: 0.5, iterations: 2000) { make($0).filter(y).sse }
        return make(best)
    }
}

/// A small Nelder–Mead simplex minimiser for the smoothing models (deterministic).
enum NelderMead {
    static func minimize(_ x0: [Double], step: Double, iterations: Int, _ f: ([Double]) -> Double) -> [Double] {
        let n = x0.count
        var simplex = [x0] + (0..<n).map { i in var x = x0; x[i] += step; return x }
        var values = simplex.map(f)
        for _ in 0..<iterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }; values = order.map { values[$0] }
            if abs(values[n] - values[0]) <= 1e-12 * (abs(values[0]) + 1e-12) { break }
            let centroid = (0..<n).map { j in simplex[0..<n].map { $0[j] }.reduce(0, +) / Double(n) }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let r = along(-1), fr = f(r)
            if fr < values[0] {
                let e = along(-2), fe = f(e)
                if fe < fr { simplex[n] = e; values[n] = fe } else { simplex[n] = r; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = r; values[n] = fr
            } else {
                let c = along(fr < values[n] ? -0.5 : 0.5), fc = f(c)
                if fc < min(fr, values[n]) { simplex[n] = c; values[n] = fc } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        values[i] = f(simplex[i])
                    }
                }
            }
        }
        return simplex[values.indices.min { values[$0] < values[$1] }!]
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
