/// One exponential smoothing model in Hyndman et al.'s innovations state-space form, as
/// statsforecast 2.1.1 (`ets.cpp`) and R's `forecast::ets` write it: error A or M, trend N, A or Ad,
/// season N, A or M with period m. With q = l + φb (q = l without a trend), s the seasonal state of
/// one period ago and ŷ = q (+ s or × s):
///
///     e   = y − ŷ  (additive error)        or (y − ŷ)/ŷ  (multiplicative error)
///     l'  = q + α(p − q),                  p = y (− s or / s)
///     b'  = φb + (β/α)(l' − l − φb)
///     s'  = s + γ(y (− q or / q) − s)
///
/// The fitting criterion is statsforecast's `lik`, −2 log-likelihood up to a constant:
/// n·log Σe² for additive errors and n·log Σe² + 2 Σ log|ŷ| for multiplicative ones.
struct ETSSpec: Sendable, Equatable {
    enum Component: Sendable, Equatable { case none, additive, multiplicative }
    var error: Component
    var trend: Component
    var season: Component
    var damped: Bool

    /// statsforecast's and R's name, e.g. `ETS(M,Ad,M)`.
    var name: String {
        func letter(_ c: Component) -> String { c == .none ? "N" : c == .additive ? "A" : "M" }
        return "ETS(\(letter(error)),\(letter(trend))\(damped ? "d" : ""),\(letter(season)))"
    }
    var hasTrend: Bool { trend != .none }
    var hasSeason: Bool { season != .none }
    /// Smoothing parameters estimated: α, and β, γ, φ when present.
    var smoothingCount: Int { 1 + (hasTrend ? 1 : 0) + (hasSeason ? 1 : 0) + (damped ? 1 : 0) }
    /// Initial states estimated: l₀, b₀ and m − 1 seasonal states (the m-th makes them sum to 0 or m).
    func stateCount(period m: Int) -> Int { 1 + (hasTrend ? 1 : 0) + (hasSeason ? m - 1 : 0) }
}

/// The state after the data and what forecasting needs.
struct ETSFitted: Sendable {
    var spec: ETSSpec
    var period: Int
    var alpha: Double, beta: Double, gamma: Double, phi: Double
    /// statsforecast's `lik` and the AICc computed from it.
    var lik: Double, aicc: Double
    var level: Double, trend: Double
    /// Seasonal states: `seasonal[(t) % m]` is the index for time t (counting the first value as 0).
    var seasonal: [Double]
    /// Number of values filtered: the first forecast is for time `count`.
    var count: Int

    /// The mean forecasts 1...h steps after the data.
    func forecast(horizon h: Int) -> [Double] {
        var out = [Double](repeating: 0, count: h)
        var phiStar = phi, power = phi
        let m = max(1, period)
        for i in 0..<h {
            var f = spec.hasTrend ? level + phiStar * trend : level
            if spec.hasSeason {
                let s = seasonal[(count + i) % m]
                f = spec.season == .additive ? f + s : f * s
            }
            out[i] = f
            if abs(phi - 1) < ETSModel.tolerance { phiStar += 1 } else { power *= phi; phiStar += power }
        }
        return out
    }
}

/// The recursions and the likelihood.
enum ETSModel {
    /// statsforecast's guards: `TOL`, `HUGE_N`.
    static let tolerance = 1e-10
    static let huge = 1e10

    /// Runs the model over `y` from the initial state (`seasonal` as in ``ETSFitted``, overwritten
    /// with the final seasonal states); returns `lik` (NaN when the recursions overflow) and the
    /// final level and trend.
    static func run(_ y: [Double], spec: ETSSpec, period m: Int, alpha: Double, beta: Double, gamma: Double,
                    phi: Double, level l0: Double, trend b0: Double, seasonal s: inout [Double])
        -> (lik: Double, level: Double, trend: Double) {
        // One specialised loop per shape: the component tests leave the loop (AutoETS spends most
        // of a panel's combination here), and the arithmetic is the same in every shape.
        let p = Parameters(alpha: alpha, beta: beta, gamma: gamma, phi: phi, level: l0, trend: b0)
        switch (spec.error == .multiplicative, spec.hasTrend, spec.season) {
        case (false, false, .none): return run(y, m, p, &s, Shape<No, No, No, No>.self)
        case (false, false, .additive): return run(y, m, p, &s, Shape<No, No, Yes, No>.self)
        case (false, false, .multiplicative): return run(y, m, p, &s, Shape<No, No, Yes, Yes>.self)
        case (false, true, .none): return run(y, m, p, &s, Shape<No, Yes, No, No>.self)
        case (false, true, .additive): return run(y, m, p, &s, Shape<No, Yes, Yes, No>.self)
        case (false, true, .multiplicative): return run(y, m, p, &s, Shape<No, Yes, Yes, Yes>.self)
        case (true, false, .none): return run(y, m, p, &s, Shape<Yes, No, No, No>.self)
        case (true, false, .additive): return run(y, m, p, &s, Shape<Yes, No, Yes, No>.self)
        case (true, false, .multiplicative): return run(y, m, p, &s, Shape<Yes, No, Yes, Yes>.self)
        case (true, true, .none): return run(y, m, p, &s, Shape<Yes, Yes, No, No>.self)
        case (true, true, .additive): return run(y, m, p, &s, Shape<Yes, Yes, Yes, No>.self)
        case (true, true, .multiplicative): return run(y, m, p, &s, Shape<Yes, Yes, Yes, Yes>.self)
        }
    }

    struct Parameters { var alpha, beta, gamma, phi, level, trend: Double }

    /// `run` for one shape (`S`'s flags are constants after specialisation); `seasons` has `m`
    /// entries when the shape has a season.
    @inline(__always)
    private static func run<S: ShapeFlags>(_ y: [Double], _ m: Int, _ p: Parameters, _ seasons: inout [Double], _: S.Type)
        -> (lik: Double, level: Double, trend: Double) {
        let hasTrend = S.trend, hasSeason = S.season
        let multSeason = S.multiplicativeSeason, multError = S.multiplicativeError
        let tol = tolerance, big = huge
        let alpha = p.alpha, gamma = p.gamma, phi = p.phi
        let ratio = p.beta / p.alpha
        var l = p.level, b = p.trend, k = 0
        var sse = 0.0, logSum = 0.0
        // Σ log|ŷ| as logs of products of significands plus the exponents: one log per 256 values.
        var mantissa = 1.0, exponents = 0, pending = 0
        seasons.withUnsafeMutableBufferPointer { sp in
            let s = sp.baseAddress!
            y.withUnsafeBufferPointer { yp in
                for v in yp {
                    let phiB = hasTrend ? phi * b : 0
                    let q = l + phiB
                    var f = q, pv = v, old = 0.0
                    if hasSeason {
                        old = s[k]
                        if multSeason {
                            f = q * old
                            pv = abs(old) < tol ? big : v / old
                        } else {
                            f = q + old
                            pv = v - old
                        }
                    }
                    let e: Double
                    if multError {
                        e = (v - f) / (abs(f) < tol ? f + tol : f)
                        let a = abs(f) > 0 ? abs(f) : 1e-8
                        if a.isFinite {
                            mantissa *= a.significand; exponents += Int(a.exponent); pending += 1
                            if pending == 256 { logSum += log(mantissa); mantissa = 1; pending = 0 }
                        } else {
                            logSum = .infinity
                        }
                    } else {
                        e = v - f
                    }
                    sse += e * e
                    let lNew = q + alpha * (pv - q)
                    if hasTrend { b = phiB + ratio * ((lNew - l) - phiB) }
                    if hasSeason {
                        let t = multSeason ? (abs(q) < tol ? big : v / q) : v - q
                        s[k] = old + gamma * (t - old)
                        k += 1
                        if k == m { k = 0 }
                    }
                    l = lNew
                }
            }
        }
        let n = Double(y.count)
        var lik = sse > 0 ? n * log(sse) : n * log(sse + 1e-8)
        if multError { lik += 2 * (logSum + log(mantissa) + Double(exponents) * M_LN2) }
        return (lik, l, b)
    }
}

/// The components of one ETS shape as types, so `ETSModel.run` is compiled once per shape.
protocol ShapeFlags {
    static var multiplicativeError: Bool { get }
    static var trend: Bool { get }
    static var season: Bool { get }
    static var multiplicativeSeason: Bool { get }
}
protocol Flag { static var value: Bool { get } }
enum Yes: Flag { static var value: Bool { true } }
enum No: Flag { static var value: Bool { false } }
enum Shape<E: Flag, T: Flag, S: Flag, M: Flag>: ShapeFlags {
    static var multiplicativeError: Bool { E.value }
    static var trend: Bool { T.value }
    static var season: Bool { S.value }
    static var multiplicativeSeason: Bool { M.value }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
