import ForecastData

/// A per-series linear autoregression that `fit` averages with the networks' forecast (see
/// `ForecasterConfig.linearMember`): direct multi-step ridge regression of the next `horizon`
/// values on the last `lookback` ones, both taken relative to the window's last value (as NLinear,
/// Zeng et al. 2023) and divided by the standard deviation of the series' first differences.
///
/// Chosen by offline replay (`Benchmarks/accuracy/linear_study.py`): averaged with the network,
/// it took the rolling-origin benchmark from 0.472/0.489/0.481 (bundled) and 0.749/0.748/0.752
/// (extra) at seeds 42, 1 and 2 to 0.469/0.481/0.475 and 0.742/0.744/0.743, and M4 Hourly's
/// validation OWA from 0.440 to 0.419; alone it scores 0.525 and 0.871 (worse than the network's
/// 0.54 and 0.85 on the extra series, better on the bundled ones): the two err differently.
package enum LinearAutoregression {
    /// Seasons of the primary period the lookback spans (at least two horizons and 8 points,
    /// at most a third of the history less a horizon). 4, 6 and 8 all improved the three
    /// benchmarks; 6 is the middle (8: 0.466/0.736 at seed 42 but M4 0.424; 4: 0.479/0.741, 0.418).
    package static let seasons = 6
    /// The ridge penalty per window, relative to the inputs' scale (inputs are in units of the
    /// differences' standard deviation).
    static let ridge = 0.01

    /// The period the lookback counts in seasons: the shortest of the frequency's calendar season
    /// (`natural`, 24 for hourly data, 1 for yearly or integer steps) and the seasonal periods in
    /// use (`periods`, detected or given); 1 without either. (Detection can keep only a longer
    /// season, 168 for hourly temperatures: six weeks of lookback fitted much worse than six days.)
    static func period(natural: Int, periods: [Int]) -> Int {
        (periods.filter { $0 > 1 } + (natural > 1 ? [natural] : [])).min() ?? 1
    }

    /// The lookback for a history of `count` points, `horizon` steps and primary period `m`,
    /// rounded down to whole seasons where it spans one: a lookback of 32 monthly points (the
    /// third of 108) lined up its first inputs with a different month in each window, and fitted
    /// airline passengers much worse than 24 did (replay: 0.644 against 0.582 at seed 42; bundled
    /// 0.469/0.481/0.475 to 0.464/0.475/0.470 at seeds 42, 1, 2, extra 0.742/0.744/0.743 to
    /// 0.742/0.744/0.743, M4 Hourly unchanged: its lookback is six whole days).
    static func lookback(count: Int, horizon H: Int, period m: Int) -> Int {
        let L = min(max(seasons * max(m, 1), 2 * H, 8), max(2, (count - H) / 3))
        return m > 1 && L >= m ? max(2, L / m * m) : L
    }

    /// The linear model's share of the network's part of a forecast, from the validation errors
    /// (mean absolute, at the combination's origins) of the networks alone (`network`) and of the
    /// linear model alone (`linear`): inverse-error weights, `network / (network + linear)`; a
    /// half each without errors to compare (no origin, both exact); all of one side where the
    /// other's error is not finite.
    ///
    /// Chosen by replay (`Benchmarks/accuracy/linear_study.py`, rule `weighted 1`, with whole
    /// seasons of lookback): against a half each, bundled 0.464/0.475/0.470 to 0.461/0.473/0.467
    /// at seeds 42, 1, 2, extra unchanged (0.742-0.744), M4 Hourly validation OWA 0.419 to
    /// 0.410; airline passengers 0.582/0.573/0.598 to 0.569/0.564/0.584. Squared errors'
    /// weights (`weighted 2`) and mixing only where the mean validates better (`gated`) were worse
    /// on the extra series.
    static func share(network a: Double, linear b: Double) -> Double {
        switch (a.isFinite, b.isFinite) {
        case (false, true): return 1
        case (_, false): return 0
        default: return a + b > 0 ? a / (a + b) : 0.5
        }
    }

    /// The forecast of `steps` values after `whole` (its last `Baseline.fitWindow` points; a
    /// history with missing values gets the last value repeated: `fit` fills gaps first): the
    /// fitted `horizon`-step model, run again on its own output past the horizon. Histories too
    /// short for four training windows get the last value repeated. Deterministic: sums run in a
    /// fixed order.
    static func forecast(_ whole: [Double], horizon H: Int, steps: Int, period m: Int) -> [Double] {
        // Bounded like the smoothing models' fits (`Baseline.fitWindow`): O(n) on a long series.
        let history = whole.count > Baseline.fitWindow ? Array(whole.suffix(Baseline.fitWindow)) : whole
        guard let last = history.last else { return [] }
        let T = history.count
        let L = lookback(count: T, horizon: H, period: m)
        let n = T - L - H + 1
        let naive = [Double](repeating: last, count: steps)
        guard n >= 4, H >= 1 else { return naive }
        var mean = 0.0
        for t in 1..<T { mean += history[t] - history[t - 1] }
        mean /= Double(T - 1)
        var variance = 0.0
        for t in 1..<T { let d = history[t] - history[t - 1] - mean; variance += d * d }
        // In units of the differences' spread (1 for a straight line or a constant series).
        let spread = (variance / Double(T - 1)).squareRoot()
        guard spread.isFinite else { return naive }
        let sd = spread > 0 ? spread : 1
        let s = 1 / sd
        // Normal equations: A = X'X + ridge n I (L x L), B = X'Y (L x H), over the n windows.
        var A = [Double](repeating: 0, count: L * L), B = [Double](repeating: 0, count: L * H)
        var x = [Double](repeating: 0, count: L), y = [Double](repeating: 0, count: H)
        A.withUnsafeMutableBufferPointer { a in
            B.withUnsafeMutableBufferPointer { bb in
                x.withUnsafeMutableBufferPointer { x in
                    y.withUnsafeMutableBufferPointer { y in
                        history.withUnsafeBufferPointer { v in
                            for i in 0..<n {
                                let anchor = v[i + L - 1]
                                for k in 0..<L { x[k] = (v[i + k] - anchor) * s }
                                for h in 0..<H { y[h] = (v[i + L + h] - anchor) * s }
                                for r in 0..<(L - 1) {   // the last input is 0 in every window
                                    let xr = x[r], row = a.baseAddress! + r * L, out = bb.baseAddress! + r * H
                                    for c in r..<L { row[c] += xr * x[c] }
                                    for h in 0..<H { out[h] += xr * y[h] }
                                }
                            }
                        }
                    }
                }
            }
        }
        for a in 0..<L {
            for b in 0..<a { A[a * L + b] = A[b * L + a] }
            A[a * L + a] += ridge * Double(n)
        }
        guard let W = solveSymmetric(A, B, size: L, columns: H) else { return naive }
        // Forecast H steps at a time from the last L values (its own output past the horizon).
        var path = Array(history.suffix(L))
        var out: [Double] = []
        out.reserveCapacity(steps)
        while out.count < steps {
            let anchor = path[path.count - 1]
            let window = path.suffix(L)
            var f = [Double](repeating: 0, count: H)
            for (a, v) in window.enumerated() {
                let xa = (v - anchor) * s
                for h in 0..<H { f[h] += xa * W[a * H + h] }
            }
            let block = f.map { $0 * sd + anchor }
            out += block
            path += block
        }
        let result = Array(out.prefix(steps))
        return result.allSatisfy(\.isFinite) ? result : naive
    }

    /// X with A X = B for a symmetric positive definite A (size x size) and B (size x columns), by
    /// Cholesky factorisation; nil if A is not positive definite in floating point.
    static func solveSymmetric(_ A: [Double], _ B: [Double], size N: Int, columns C: Int) -> [Double]? {
        var Lf = [Double](repeating: 0, count: N * N)
        for i in 0..<N {
            for j in 0...i {
                var sum = A[i * N + j]
                for k in 0..<j { sum -= Lf[i * N + k] * Lf[j * N + k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    Lf[i * N + i] = sum.squareRoot()
                } else {
                    Lf[i * N + j] = sum / Lf[j * N + j]
                }
            }
        }
        var X = B
        for c in 0..<C {
            for i in 0..<N {   // L z = b
                var sum = X[i * C + c]
                for k in 0..<i { sum -= Lf[i * N + k] * X[k * C + c] }
                X[i * C + c] = sum / Lf[i * N + i]
            }
            for i in stride(from: N - 1, through: 0, by: -1) {   // L' x = z
                var sum = X[i * C + c]
                for k in (i + 1)..<N { sum -= Lf[k * N + i] * X[k * C + c] }
                X[i * C + c] = sum / Lf[i * N + i]
            }
        }
        return X
    }
}

extension Forecaster {
    /// The linear autoregression's season for a series of `frequency` in this model (`fit` and
    /// `predict` must agree): `LinearAutoregression.period` of its calendar season and the periods
    /// in use.
    func linearPeriod(_ frequency: Frequency) -> Int {
        LinearAutoregression.period(natural: frequency.seasonalPeriod, periods: config.seasonalPeriods ?? [config.seasonalPeriod ?? 1])
    }
}
