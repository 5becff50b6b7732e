/// Exponential smoothing with automatic model selection, as statsforecast's
/// `AutoETS(season_length=m)` (2.1.1) and R's `forecast::ets`: every admissible ETS(error, trend,
/// season) model of Hyndman et al.'s innovations state space is fitted by maximum likelihood and the
/// one of smallest AICc forecasts (its mean forecast).
///
/// Candidates, in statsforecast's order (ties keep the earlier): error A or M; trend N, Ad or A;
/// season N, A or M. As in statsforecast with `restrict=True`: no multiplicative trend, no
/// additive error with multiplicative season (the unstable ETS(A,N,M), (A,A,M), (A,Ad,M)),
/// multiplicative error or season only when every value is positive, seasonal models only when
/// m > 1 and there are more than m values. Unlike statsforecast (like R), a period above 24 is
/// treated as 1: weekly-of-year (52) or hourly-of-week (168) seasons would need 51 or 167 initial
/// states in the optimiser. A model is fitted only when it has fewer parameters than n − 1.
///
/// Fitting (see `ETSModel`) follows statsforecast step by step — heuristic initial states
/// (`ETSInitialState`), its starting values and bounds, its bounded adaptive Nelder–Mead
/// (`BoundedNelderMead`) over smoothing parameters and initial states jointly — so the selected
/// model and forecasts agree with statsforecast's up to floating-point order; differences: a NaN
/// likelihood counts as +∞ (statsforecast's optimiser counts it as −∞, i.e. best), and series
/// longer than `ETSModel.jointFitLimit` keep the heuristic initial states and optimise only α, β,
/// γ, φ (for speed: 9,000 hourly points in ~0.2 s, 400 series of 1,000 points in seconds).
///
/// Never traps and is deterministic: no values gives `[]`; a non-finite value, or fewer than four
/// values, gives the naive forecast (the last finite value; NaN when there is none); a constant
/// series its value; a series whose forecasts would not be finite falls to the next model, then
/// to naive. Values beyond 10¹⁰⁰ in magnitude (or below 10⁻¹⁰⁰) are rescaled by a power of two.
package enum AutoETS {
    /// The chosen model and its forecasts.
    package struct Fit: Sendable, Equatable {
        /// statsforecast's name of the model, e.g. `ETS(M,Ad,M)`, or `naive` for the fallback.
        package var model: String
        /// The mean forecasts.
        package var forecast: [Double]
        /// The model's AICc (nil for the fallbacks).
        package var aicc: Double?
    }

    /// The mean forecasts `horizon` steps after `y` of the ETS model of smallest AICc, period `m`.
    package static func forecast(_ y: [Double], period m: Int, horizon h: Int) -> [Double] {
        fit(y, period: m, horizon: h).forecast
    }

    /// Selects and fits the model for `y` with period `m` and forecasts `horizon` steps.
    /// `parallel`: long series may fit their candidates on several threads (same result).
    package static func fit(_ y: [Double], period m: Int, horizon h0: Int, parallel: Bool = true) -> Fit {
        let h = max(0, h0)
        guard !y.isEmpty else { return Fit(model: "naive", forecast: [], aicc: nil) }
        let lastFinite = y.last(where: \.isFinite) ?? .nan
        let naive = Fit(model: "naive", forecast: [Double](repeating: lastFinite, count: h), aicc: nil)
        guard y.count >= 4, y.allSatisfy(\.isFinite) else { return naive }
        if y.allSatisfy({ $0 == y[0] }) {
            return Fit(model: "ETS(A,N,N)", forecast: [Double](repeating: y[0], count: h), aicc: nil)
        }
        // Rescale only extreme magnitudes, by a power of two (exact), so ordinary data fit as statsforecast.
        let largest = y.reduce(0) { max($0, abs($1)) }
        let shift = largest > 1e100 || largest < 1e-100 ? -Int(largest.exponent) : 0
        let x = shift == 0 ? y : y.map { Double(sign: .plus, exponent: shift, significand: $0) }
        for candidate in selectAll(x, period: m, parallel: parallel) {
            let f = candidate.forecast(horizon: h)
                .map { shift == 0 ? $0 : Double(sign: .plus, exponent: -shift, significand: $0) }
            if f.allSatisfy(\.isFinite) { return Fit(model: candidate.spec.name, forecast: f, aicc: candidate.aicc) }
        }
        return naive
    }

    /// Longest period that keeps a seasonal component.
    static let maxSeasonalPeriod = 24

    /// The candidates for `y` (finite, non-constant) in statsforecast's fitting order.
    static func candidates(_ y: [Double], period m: Int) -> [ETSSpec] {
        let positive = y.allSatisfy { $0 > 0 }
        let seasonal = m > 1 && m <= maxSeasonalPeriod && y.count > m
        var out: [ETSSpec] = []
        for error in [ETSSpec.Component.additive, .multiplicative] where error == .additive || positive {
            for trend in [ETSSpec.Component.none, .additive] {
                for season in [ETSSpec.Component.none, .additive, .multiplicative] {
                    if season != .none && !seasonal { continue }
                    if season == .multiplicative && (error == .additive || !positive) { continue }
                    for damped in [true, false] where !(damped && trend == .none) {
                        out.append(ETSSpec(error: error, trend: trend, season: season, damped: damped))
                    }
                }
            }
        }
        return out
    }

    /// Series from this length fit their candidates on all cores.
    static let parallelFromCount = 200

    /// Every candidate that could be fitted, best AICc first (stable: ties keep the fitting order).
    /// The shared bounds (``ETSModel/Bounds``) depend only on the candidates before, so they are
    /// set first and the fits are independent: in parallel on long series, with the same result.
    static func selectAll(_ y: [Double], period m: Int, parallel: Bool = true) -> [ETSFitted] {
        let specs = candidates(y, period: m)
        var shared = ETSModel.Bounds()
        let bounds = specs.map { spec -> ETSModel.Bounds in
            ETSModel.tighten(&shared, for: spec, period: m)
            return shared
        }
        let slots = UnsafeMutableBufferPointer<ETSFitted?>.allocate(capacity: specs.count)
        slots.initialize(repeating: nil)
        defer { _ = slots.deinitialize(); slots.deallocate() }   // releases the fits (deallocate alone leaked them)
        nonisolated(unsafe) let out = slots
        let fitOne: @Sendable (Int) -> Void = { i in
            var b = bounds[i]
            out[i] = ETSModel.fit(y, spec: specs[i], period: m, bounds: &b)
        }
        if parallel && y.count >= parallelFromCount {
            DispatchQueue.concurrentPerform(iterations: specs.count, execute: fitOne)
        } else {
            for i in specs.indices { fitOne(i) }
        }
        let fitted = slots.compactMap { $0 }.filter { !$0.aicc.isNaN }
        return fitted.enumerated().sorted { ($0.element.aicc, $0.offset) < ($1.element.aicc, $1.offset) }.map(\.element)
    }
}

import Dispatch
