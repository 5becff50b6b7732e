/// Nelder–Mead in a box, the variant statsforecast 2.1.1 fits ETS with (`nelder_mead.h`): adaptive
/// coefficients (Gao & Han: expansion 1 + 2/d, contraction 3/4 − 1/(2d), shrink 1 − 1/d), the
/// initial simplex x₀ plus one vertex per coordinate scaled by 1.05 (or set to 10⁻⁴ when zero),
/// every trial point clamped into the box, and a stop when the population standard deviation of the
/// simplex values falls below `tolerance`.
///
/// Two details are kept as statsforecast has them so fits agree: a shrink moves the vertices in rows
/// 1...d towards the best one (row 0 stays), and the result is the vertex that was best at the
/// start of the last iteration. Deterministic.
enum BoundedNelderMead {
    /// Minimises `f` from `x0` within `lower...upper` (per coordinate; ±∞ for none), for at most
    /// `iterations` iterations and `evaluations` evaluations of `f`. Returns the point and its value.
    /// `steps`, when given, replaces the relative initial simplex by x₀ + stepᵢ·eᵢ (− when that leaves the box).
    static func minimize(_ x0: [Double], lower: [Double], upper: [Double], iterations: Int, evaluations: Int,
                         tolerance: Double, steps: [Double]? = nil,
                         _ f: ([Double]) -> Double) -> (x: [Double], value: Double) {
        let d = x0.count
        guard d > 0 else { return (x0, f(x0)) }
        func clamp(_ x: inout [Double]) { for j in 0..<d { x[j] = min(max(x[j], lower[j]), upper[j]) } }
        let nd = Double(d)
        let expand = 1 + 2 / nd, contract = 0.75 - 1 / (2 * nd), shrink = 1 - 1 / nd
        var start = x0
        clamp(&start)
        var simplex = [[Double]](repeating: start, count: d + 1)
        for i in 0..<d {
            let v = simplex[i][i]
            if let steps {
                simplex[i][i] = v + steps[i] <= upper[i] ? v + steps[i] : max(v - steps[i], lower[i])
            } else {
                simplex[i][i] = min(max(v == 0 ? 1e-4 : v * 1.05, lower[i]), upper[i])
            }
        }
        var values = simplex.map(f)
        var used = d + 1
        var best = 0
        var order = Array(0...d)
        var centroid = [Double](repeating: 0, count: d), trial = centroid, second = centroid
        for _ in 0..<iterations {
            if standardDeviation(values) < tolerance || used >= evaluations { break }
            order.sort { values[$0] < values[$1] }
            best = order[0]
            let worst = order[d], nextWorst = order[d - 1]
            // Centroid of all but the worst as statsforecast (Eigen) forms it: (Σ all − worst) / d.
            for j in 0..<d {
                var sum = 0.0
                for i in 0...d { sum += simplex[i][j] }
                centroid[j] = (sum - simplex[worst][j]) / nd
            }
            // Reflection.
            for j in 0..<d { trial[j] = centroid[j] + (centroid[j] - simplex[worst][j]) }
            clamp(&trial)
            let fr = f(trial); used += 1
            if values[best] <= fr && fr < values[nextWorst] {
                simplex[worst] = trial; values[worst] = fr
                continue
            }
            if fr < values[best] {   // expansion
                for j in 0..<d { second[j] = centroid[j] + expand * (trial[j] - centroid[j]) }
                clamp(&second)
                let fe = f(second); used += 1
                if fe < fr { simplex[worst] = second; values[worst] = fe } else { simplex[worst] = trial; values[worst] = fr }
                continue
            }
            if values[nextWorst] <= fr && fr < values[worst] {   // outside contraction
                for j in 0..<d { second[j] = centroid[j] + contract * (trial[j] - centroid[j]) }
                clamp(&second)
                let fc = f(second); used += 1
                if fc <= fr { simplex[worst] = second; values[worst] = fc; continue }
            } else {                                              // inside contraction
                for j in 0..<d { second[j] = centroid[j] - contract * (trial[j] - centroid[j]) }
                clamp(&second)
                let fc = f(second); used += 1
                if fc < values[worst] { simplex[worst] = second; values[worst] = fc; continue }
            }
            for i in 1...d {   // shrink
                for j in 0..<d { simplex[i][j] = simplex[best][j] + shrink * (simplex[i][j] - simplex[best][j]) }
                clamp(&simplex[i])
                values[i] = f(simplex[i])
            }
            used += d
        }
        return (simplex[best], values[best])
    }

    /// Population standard deviation (NaN when a value is infinite, so the search goes on).
    static func standardDeviation(_ v: [Double]) -> Double {
        let mean = v.reduce(0, +) / Double(v.count)
        var s = 0.0
        for x in v { s += (x - mean) * (x - mean) }
        return (s / Double(v.count)).squareRoot()
    }
}
