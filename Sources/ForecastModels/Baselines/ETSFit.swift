/// Fitting one ``ETSSpec`` by maximum likelihood, as statsforecast 2.1.1's `etsmodel` does.
extension ETSModel {
    /// statsforecast's default ("both") parameter region: 10⁻⁴ ≤ α, β, γ ≤ 0.9999, 0.8 ≤ φ ≤ 0.98.
    static let smoothingLower = 1e-4, smoothingUpper = 0.9999
    static let phiLower = 0.8, phiUpper = 0.98

    /// The upper bounds of β and γ, shared by the candidates of one selection. statsforecast's
    /// `initparam` enforces β ≤ α and γ ≤ 1 − α with α at its starting value 10⁻⁴ + 0.2·(0.9998)/m,
    /// and writes the tightened bound back into the array the whole model loop shares, so each later
    /// candidate inherits it (e.g. with m = 12, β ≤ 0.0168 after the first seasonal trend model).
    /// The optimiser itself only clamps to the box. Kept this way because selection and forecasts
    /// follow it.
    struct Bounds: Sendable {
        var betaUpper = ETSModel.smoothingUpper
        var gammaUpper = ETSModel.smoothingUpper
    }

    /// Optimiser limits: statsforecast's 1,000 Nelder–Mead iterations and 10⁻⁴ tolerance on `lik`.
    static let maxIterations = 1000
    static let stopTolerance = 1e-4
    /// Longest series fitted as statsforecast does (α, β, γ, φ and the initial states jointly, about
    /// 1,000–2,000 likelihood evaluations per model). Longer series keep the heuristic initial
    /// states and optimise only the smoothing parameters, in at most ``fastEvaluations`` evaluations:
    /// there the initial states are estimated from many seasons and matter less, and a joint
    /// simplex in up to 29 dimensions would cost ~10× more (400 series of 1,000 points: minutes).
    static let jointFitLimit = 600
    static let fastEvaluations = 200

    /// statsforecast's starting α: 10⁻⁴ + 0.2·(0.9999 − 10⁻⁴)/m (m = 1 without a season).
    static func startingAlpha(_ spec: ETSSpec, period m: Int) -> Double {
        smoothingLower + 0.2 * (smoothingUpper - smoothingLower) / Double(spec.hasSeason ? m : 1)
    }

    /// Applies `spec`'s β ≤ α₀ and γ ≤ 1 − α₀ to the shared bounds (idempotent).
    static func tighten(_ bounds: inout Bounds, for spec: ETSSpec, period m: Int) {
        let alpha0 = startingAlpha(spec, period: m)
        if spec.hasTrend { bounds.betaUpper = min(bounds.betaUpper, alpha0) }
        if spec.hasSeason { bounds.gammaUpper = min(bounds.gammaUpper, 1 - alpha0) }
    }

    /// Fits `spec` to `y` (all finite; positive for multiplicative components), period `m` (≥ 2 when
    /// seasonal). Returns nil when the model has too many parameters for the data, its initial
    /// state cannot be computed, or the likelihood is not finite.
    static func fit(_ y: [Double], spec: ETSSpec, period m0: Int, bounds: inout Bounds) -> ETSFitted? {
        let n = y.count
        let m = spec.hasSeason ? m0 : 1
        // Starting values (statsforecast `initparam`), tightening the shared bounds.
        tighten(&bounds, for: spec, period: m0)
        let alpha0 = startingAlpha(spec, period: m0)
        var start = [alpha0], lower = [smoothingLower], upper = [smoothingUpper]
        if spec.hasTrend {
            var beta0 = smoothingLower + 0.1 * (bounds.betaUpper - smoothingLower)
            if beta0 < 0 || beta0 > alpha0 { beta0 = alpha0 - 1e-3 }
            start.append(beta0); lower.append(smoothingLower); upper.append(bounds.betaUpper)
        }
        if spec.hasSeason {
            var gamma0 = smoothingLower + 0.05 * (bounds.gammaUpper - smoothingLower)
            if gamma0 < 0 || gamma0 > 1 - alpha0 { gamma0 = 1 - alpha0 - 1e-3 }
            start.append(gamma0); lower.append(smoothingLower); upper.append(bounds.gammaUpper)
        }
        if spec.damped {
            start.append(phiLower + 0.99 * (phiUpper - phiLower)); lower.append(phiLower); upper.append(phiUpper)
        }
        guard spec.smoothingCount + spec.stateCount(period: m) < n - 1,
              let state = ETSInitialState.compute(y, period: m, trend: spec.hasTrend, season: spec.season) else { return nil }
        start += state
        lower += [Double](repeating: -.infinity, count: state.count)
        upper += [Double](repeating: .infinity, count: state.count)

        var seasonal = [Double](repeating: spec.season == .multiplicative ? 1 : 0, count: m)
        func objective(_ p: [Double]) -> Double {
            guard let r = evaluate(y, spec: spec, period: m, parameters: p, seasonal: &seasonal) else { return .infinity }
            return r.lik.isNaN ? .infinity : max(r.lik, -1e10)
        }
        let best: [Double]
        if n <= jointFitLimit {
            best = BoundedNelderMead.minimize(start, lower: lower, upper: upper, iterations: maxIterations,
                                              evaluations: .max, tolerance: stopTolerance, objective).x
        } else {
            // Smoothing parameters only, from mid-range values with steps of a quarter of each range.
            let k = spec.smoothingCount
            let lo = Array(lower.prefix(k)), hi = Array(upper.prefix(k))
            var x0 = [0.2, 0.05, 0.05, 0.95].enumerated().filter { i, _ in
                i == 0 || (i == 1 && spec.hasTrend) || (i == 2 && spec.hasSeason) || (i == 3 && spec.damped)
            }.map(\.element)
            for i in 0..<k { x0[i] = min(max(x0[i], lo[i]), hi[i]) }
            let steps = (0..<k).map { 0.25 * (hi[$0] - lo[$0]) }
            let smoothing = BoundedNelderMead.minimize(x0, lower: lo, upper: hi, iterations: maxIterations,
                                                       evaluations: fastEvaluations, tolerance: stopTolerance,
                                                       steps: steps) { objective($0 + state) }
            best = smoothing.x + state
        }
        guard let r = evaluate(y, spec: spec, period: m, parameters: best, seasonal: &seasonal), r.lik.isFinite else {
            return nil
        }
        // AICc with statsforecast's parameter count: smoothing parameters, free states and σ².
        let k = Double(spec.smoothingCount + spec.stateCount(period: m) + 1)
        let aic = r.lik + 2 * k
        let aicc = Double(n) - k - 1 != 0 ? aic + 2 * k * (k + 1) / (Double(n) - k - 1) : .infinity
        return ETSFitted(spec: spec, period: m, alpha: r.alpha, beta: r.beta, gamma: r.gamma, phi: r.phi,
                         lik: r.lik, aicc: aicc, level: r.level, trend: r.trend, seasonal: seasonal, count: n)
    }

    /// Unpacks statsforecast's parameter vector [α, β?, γ?, φ?, l₀, b₀?, s_{m−1}, …, s₁] (s₀ makes
    /// the seasonal states sum to 0, or to m when multiplicative) and runs the model; `seasonal` is
    /// left with the final seasonal states. Nil when a multiplicative seasonal state is negative.
    static func evaluate(_ y: [Double], spec: ETSSpec, period m: Int, parameters p: [Double], seasonal: inout [Double])
        -> (lik: Double, alpha: Double, beta: Double, gamma: Double, phi: Double, level: Double, trend: Double)? {
        var j = 0
        func next() -> Double { defer { j += 1 }; return p[j] }
        let alpha = next()
        let beta = spec.hasTrend ? next() : 0
        let gamma = spec.hasSeason ? next() : 0
        let phi = spec.damped ? next() : 1
        let l0 = next()
        let b0 = spec.hasTrend ? next() : 0
        if spec.hasSeason {
            var sum = 0.0
            for i in 0..<(m - 1) { seasonal[m - 1 - i] = p[j + i]; sum += p[j + i] }
            seasonal[0] = (spec.season == .multiplicative ? Double(m) : 0) - sum
            if spec.season == .multiplicative, seasonal.contains(where: { $0 < 0 }) { return nil }
        }
        let r = run(y, spec: spec, period: m, alpha: alpha, beta: beta, gamma: gamma, phi: phi,
                    level: l0, trend: b0, seasonal: &seasonal)
        return (r.lik, alpha, beta, gamma, phi, r.level, r.trend)
    }
}
