/// The heuristic initial state of statsforecast 2.1.1's `initstate` (after R's `forecast::ets`),
/// the optimiser's starting point for [l₀, b₀?, s_{m−1}, …, s₁]:
///
/// - seasonal indices from a classical decomposition (statsmodels' `seasonal_decompose`: centred
///   2×m moving average, per-position means of the detrended series, centred to mean 0 or 1) when
///   n ≥ 3m, otherwise from the residuals of a line plus one Fourier pair fitted by least squares;
/// - the level (and trend) from the first max(10, 2m) values of the seasonally adjusted series: their
///   mean, or the intercept and slope of a least-squares line.
enum ETSInitialState {
    /// The starting states, or nil when there are fewer than 4 values for a seasonal model or the
    /// regression is singular.
    static func compute(_ y: [Double], period m: Int, trend: Bool, season: ETSSpec.Component) -> [Double]? {
        let n = y.count
        guard n >= 2 else { return nil }
        var adjusted = y
        var seasonalStates: [Double] = []
        if season != .none {
            guard n >= 4, m >= 2 else { return nil }
            let mult = season == .multiplicative
            let indices: [Double]
            if n < 3 * m {
                guard let line = fourierTrend(y, period: m) else { return nil }
                indices = (0..<n).map { mult ? y[$0] / line[$0] : y[$0] - line[$0] }
            } else {
                guard let figure = decompose(y, period: m, multiplicative: mult) else { return nil }
                indices = (0..<n).map { figure[$0 % m] }
            }
            guard indices.allSatisfy(\.isFinite) else { return nil }
            seasonalStates = (1..<m).reversed().map { indices[$0] }
            if mult {
                seasonalStates = seasonalStates.map { max($0, 1e-2) }
                let sum = seasonalStates.reduce(0, +)
                if sum > Double(m) {
                    let denominator = seasonalStates.reduce(0) { $0 + $1 + 1e-2 }
                    seasonalStates = seasonalStates.map { $0 / denominator }
                }
                for t in 0..<n { adjusted[t] = y[t] / max(indices[t], 1e-2) }
            } else {
                for t in 0..<n { adjusted[t] = y[t] - indices[t] }
            }
        }
        let first = Array(adjusted.prefix(min(max(10, 2 * (season != .none ? m : 1)), n)))
        guard trend else {
            let l = first.reduce(0, +) / Double(first.count)
            return l.isFinite ? [l] + seasonalStates : nil
        }
        // Least-squares line over t = 1...k.
        let k = Double(first.count)
        let tMean = (k + 1) / 2, yMean = first.reduce(0, +) / k
        var sxy = 0.0, sxx = 0.0
        for (i, v) in first.enumerated() {
            let dt = Double(i + 1) - tMean
            sxy += dt * (v - yMean); sxx += dt * dt
        }
        guard sxx > 0 else { return nil }
        var b = sxy / sxx, l = yMean - b * tMean
        if abs(l + b) < 1e-8 { l *= 1 + 1e-3; b *= 1 - 1e-3 }
        return l.isFinite && b.isFinite ? [l, b] + seasonalStates : nil
    }

    /// Seasonal figure of a classical decomposition (m values, mean 0 or 1); n ≥ 2m assumed.
    static func decompose(_ y: [Double], period m: Int, multiplicative: Bool) -> [Double]? {
        let n = y.count
        let weights: [Double] = m % 2 == 0
            ? [0.5] + [Double](repeating: 1, count: m - 1) + [0.5]
            : [Double](repeating: 1, count: m)
        let half = weights.count / 2
        guard n > 2 * half else { return nil }
        var sums = [Double](repeating: 0, count: m), counts = [Double](repeating: 0, count: m)
        for t in half..<(n - half) {
            var trend = 0.0
            for (i, w) in weights.enumerated() { trend += w * y[t - half + i] }
            trend /= Double(m)
            sums[t % m] += multiplicative ? y[t] / trend : y[t] - trend
            counts[t % m] += 1
        }
        guard !counts.contains(0) else { return nil }
        var figure = zip(sums, counts).map { $0 / $1 }
        let mean = figure.reduce(0, +) / Double(m)
        figure = figure.map { multiplicative ? $0 / mean : $0 - mean }
        return figure.allSatisfy(\.isFinite) ? figure : nil
    }

    /// The intercept-plus-slope part (at t = 1...n) of a least-squares fit of 1, t, cos(2πt/m),
    /// sin(2πt/m) (no sine when m = 2, where it vanishes).
    static func fourierTrend(_ y: [Double], period m: Int) -> [Double]? {
        let n = y.count
        let columns = m == 2 ? 3 : 4
        func row(_ t: Int) -> [Double] {
            let x = 2 * Double.pi * Double(t) / Double(m)
            return Array([1, Double(t), cos(x), sin(x)].prefix(columns))
        }
        // Normal equations, solved by Gaussian elimination with partial pivoting.
        var a = [[Double]](repeating: [Double](repeating: 0, count: columns + 1), count: columns)
        for t in 1...n {
            let r = row(t)
            for i in 0..<columns {
                for j in 0..<columns { a[i][j] += r[i] * r[j] }
                a[i][columns] += r[i] * y[t - 1]
            }
        }
        for c in 0..<columns {
            guard let p = (c..<columns).max(by: { abs(a[$0][c]) < abs(a[$1][c]) }), abs(a[p][c]) > 1e-12 * abs(a[0][0]) else {
                return nil
            }
            a.swapAt(c, p)
            for r in 0..<columns where r != c {
                let f = a[r][c] / a[c][c]
                for j in c...columns { a[r][j] -= f * a[c][j] }
            }
        }
        let c0 = a[0][columns] / a[0][0], c1 = a[1][columns] / a[1][1]
        guard c0.isFinite, c1.isFinite else { return nil }
        return (1...n).map { c0 + c1 * Double($0) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
