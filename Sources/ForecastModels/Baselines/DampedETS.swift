/// Exponential smoothing with additive errors and an additive damped trend, no seasonal component —
/// ETS(A,Ad,N), Gardner & McKenzie's damped trend in Hyndman et al.'s error-correction form (as in
/// R's `forecast::ets`, statsforecast's `AutoETS(model="AAN", damped=True)` and statsmodels'
/// `ETSModel(error="add", trend="add", damped_trend=True)`):
///
///     ŷ_t = l_{t−1} + φ b_{t−1},   e_t = y_t − ŷ_t
///     l_t = l_{t−1} + φ b_{t−1} + α e_t
///     b_t = φ b_{t−1} + β e_t
///     ŷ_{n+h} = l_n + (φ + φ² + ... + φʰ) b_n
///
/// `forecast` first applies M4's seasonal adjustment (`M4SeasonalAdjustment`: 90% ACF test at lag
/// m, multiplicative classical decomposition, skipped for m ≤ 1, n < 3m or any value ≤ 0) and
/// reseasonalises the forecasts — exactly the M4 "Damped" benchmark (`holt(des_input, damped = TRUE)`
/// times the outgoing indices). Pass `period: 1` to model the raw series.
///
/// Fitting minimises the sum of squared one-step errors (the additive-error likelihood) over
/// α ∈ [10⁻⁴, 0.9999], β ∈ [10⁻⁴, α] and φ ∈ [0.8, 0.98] (the bounds of `forecast`/statsforecast),
/// by Nelder–Mead (the one of ``HoltWinters``) from the best points of a fixed grid. The initial
/// level and trend are concentrated out: the errors are affine in (l₀, b₀), so for each (α, β, φ)
/// they come from a 2×2 least-squares solve rather than the simplex.
///
/// Never traps: an empty history gives `[]`; fewer than 5 values, a constant series or any
/// non-finite value gives the naive forecast. Works on the series rescaled by its largest magnitude,
/// so huge values do not overflow. Deterministic.
package enum DampedETS {
    /// Forecasts `h` steps after `y`, seasonal period `m` (1 or less: no seasonal adjustment).
    package static func forecast(_ y: [Double], period m: Int, horizon h: Int) -> [Double] {
        forecast(y, period: m, horizon: h, known: false)
    }

    /// With `known`, the season is taken as established (see `M4SeasonalAdjustment`).
    static func forecast(_ y: [Double], period m: Int, horizon h: Int, known: Bool) -> [Double] {
        guard h > 0, let last = y.last else { return [] }
        let naive = [Double](repeating: last, count: h)
        guard y.count >= minimumCount, let prep = M4SeasonalAdjustment(y, period: m, horizon: h, known: known) else { return naive }
        let p = fit(prep.centred)
        return prep.restore(p.forecast(horizon: h)) ?? naive
    }

    /// The shortest series that is fitted (five parameters).
    static let minimumCount = 5
    static let alphaBounds = (lower: 1e-4, upper: 0.9999)
    static let betaLower = 1e-4
    static let phiBounds = (lower: 0.8, upper: 0.98)

    /// Fitted parameters and the final state.
    struct Parameters {
        var alpha, beta, phi, level0, trend0: Double
        var sse: Double
        var level: Double, trend: Double

        func forecast(horizon h: Int) -> [Double] {
            var damp = 0.0, p = 1.0
            return (0..<h).map { _ in
                p *= phi; damp += p
                return level + damp * trend
            }
        }
    }

    /// Runs the recursions: SSE of the one-step errors and the final state.
    static func filter(_ x: [Double], alpha: Double, beta: Double, phi: Double,
                       level l0: Double, trend b0: Double) -> (sse: Double, level: Double, trend: Double) {
        var l = l0, b = b0, sse = 0.0
        for v in x {
            let pb = phi * b
            let e = v - (l + pb)
            sse += e * e
            l += pb + alpha * e
            b = pb + beta * e
        }
        return (sse, l, b)
    }

    /// The (l₀, b₀) minimising the SSE for given smoothing parameters. The state follows
    /// `s_t = D s_{t−1} + g y_t` with `D = F − g w'`, so `e_t = e⁰_t − w' D^{t−1} s₀`: a linear
    /// least-squares problem in s₀ (solved with a tiny ridge so collinear columns stay finite).
    static func bestInitialState(_ x: [Double], alpha: Double, beta: Double, phi: Double) -> (Double, Double) {
        var l = 0.0, b = 0.0                      // state driven by the data from s₀ = 0
        var ul = 1.0, ub = 0.0, vl = 0.0, vb = 1.0 // D^t e₁, D^t e₂
        var aLL = 0.0, aLB = 0.0, aBB = 0.0, rL = 0.0, rB = 0.0
        for v in x {
            let pb = phi * b
            let e0 = v - (l + pb)
            // Error sensitivity to l₀ and b₀: e = e0 − cL l₀ − cB b₀.
            let cL = ul + phi * ub, cB = vl + phi * vb
            aLL += cL * cL; aLB += cL * cB; aBB += cB * cB
            rL += cL * e0; rB += cB * e0
            l += pb + alpha * e0; b = pb + beta * e0
            // Homogeneous recursion (y = 0): error −c, state D s.
            let nul = ul + phi * ub - alpha * cL, nub = phi * ub - beta * cL
            let nvl = vl + phi * vb - alpha * cB, nvb = phi * vb - beta * cB
            ul = nul; ub = nub; vl = nvl; vb = nvb
        }
        let ridge = 1e-10 * (aLL + aBB) + 1e-300
        let a11 = aLL + ridge, a22 = aBB + ridge
        let det = a11 * a22 - aLB * aLB
        guard det > 0, det.isFinite else { return (x.first ?? 0, 0) }
        let l0 = (rL * a22 - aLB * rB) / det, b0 = (a11 * rB - aLB * rL) / det
        return l0.isFinite && b0.isFinite ? (l0, b0) : (x.first ?? 0, 0)
    }

    /// Maps unconstrained coordinates onto the admissible box (β ≤ α).
    static func parameters(_ p: [Double]) -> (alpha: Double, beta: Double, phi: Double) {
        func logistic(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        let alpha = alphaBounds.lower + (alphaBounds.upper - alphaBounds.lower) * logistic(p[0])
        let beta = betaLower + (alpha - betaLower) * logistic(p[1])
        let phi = phiBounds.lower + (phiBounds.upper - phiBounds.lower) * logistic(p[2])
        return (alpha, beta, phi)
    }

    static func evaluate(_ x: [Double], alpha: Double, beta: Double, phi: Double) -> Parameters {
        let (l0, b0) = bestInitialState(x, alpha: alpha, beta: beta, phi: phi)
        let f = filter(x, alpha: alpha, beta: beta, phi: phi, level: l0, trend: b0)
        return Parameters(alpha: alpha, beta: beta, phi: phi, level0: l0, trend0: b0,
                          sse: f.sse.isFinite ? f.sse : .greatestFiniteMagnitude, level: f.level, trend: f.trend)
    }

    /// Fits the model to `x` (at least two values).
    static func fit(_ x: [Double]) -> Parameters {
        func logit(_ q: Double) -> Double { log(q / (1 - q)) }
        func objective(_ p: [Double]) -> Double {
            let (a, b, f) = parameters(p)
            return evaluate(x, alpha: a, beta: b, phi: f).sse
        }
        // Coarse grid in the unconstrained coordinates, then Nelder–Mead from its three best points.
        var starts: [([Double], Double)] = []
        for a in [0.05, 0.2, 0.5, 0.9] {
            for r in [0.02, 0.2, 0.7] {
                for f in [0.2, 0.6, 0.9] {
                    let p = [logit(a), logit(r), logit(f)]
                    starts.append((p, objective(p)))
                }
            }
        }
        starts.sort { $0.1 < $1.1 }
        var best = starts[0]
        for (p0, _) in starts.prefix(3) {
            let p = NelderMead.minimize(p0, step: 0.6, iterations: 600, objective)
            let v = objective(p)
            if v < best.1 { best = (p, v) }
        }
        let (a, b, f) = parameters(best.0)
        return evaluate(x, alpha: a, beta: b, phi: f)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
