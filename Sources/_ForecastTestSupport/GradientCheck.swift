import ForecastNN

/// The worst disagreement between analytic gradients and central finite differences.
package struct GradientReport: CustomStringConvertible {
    /// Largest |analytic - numeric| / max(scale, |analytic|, |numeric|) over single entries.
    package var worstEntry: Double = 0
    /// Where it happened.
    package var worstName = ""
    /// Relative error of the directional derivative along one random direction over all parameters.
    package var directional: Double = 0
    /// Entries checked.
    package var entries = 0
    package var description: String {
        "worst entry \(worstEntry) at \(worstName); directional \(directional); \(entries) entries"
    }
}

/// Checks `gradients` (which must fill each parameter's `grad` from zero) against central finite
/// differences of `loss`, entry by entry and along a random direction.
///
/// The network runs in Float, so differences carry rounding noise of about ulp(loss)/ε: with
/// ε = 1e-2 relative steps the truncation error (O(ε²)) and the noise (~1e-5) both stay well below
/// the tolerances the tests use; `scale` sets the floor under which gradients count as zero.
package func checkGradients(_ parameters: [(name: String, parameter: Parameter)], scale: Double = 1e-2,
                           epsilon: Float = 1e-2, loss: () -> Double, gradients: () -> Void) -> GradientReport {
    for (_, p) in parameters { p.grad.zero() }
    gradients()
    var report = GradientReport()
    for (name, p) in parameters {
        for i in 0..<p.count {
            let saved = p.value[i]
            p.value[i] = saved + epsilon
            let up = loss()
            p.value[i] = saved - epsilon
            let down = loss()
            p.value[i] = saved
            let numeric = (up - down) / (2 * Double(epsilon))
            let analytic = Double(p.grad[i])
            let err = abs(numeric - analytic) / max(scale, abs(numeric), abs(analytic))
            if err > report.worstEntry { report.worstEntry = err; report.worstName = "\(name)[\(i)] analytic \(analytic) numeric \(numeric)" }
            report.entries += 1
        }
    }
    // Directional derivative along a fixed pseudo-random ±1 direction.
    var rng = SeededGenerator(seed: 99)
    let dirs = parameters.map { (_, p) in (0..<p.count).map { _ in Float(rng.unit() < 0.5 ? -1 : 1) } }
    var expected = 0.0
    for ((_, p), d) in zip(parameters, dirs) { for i in 0..<p.count { expected += Double(p.grad[i] * d[i]) } }
    let h: Float = 2e-3
    func shift(_ s: Float) { for ((_, p), d) in zip(parameters, dirs) { for i in 0..<p.count { p.value[i] += s * d[i] } } }
    let saved = parameters.map { $0.parameter.value.array }
    shift(h); let up = loss()
    for ((_, p), v) in zip(parameters, saved) { p.value.copy(from: FloatBuffer(v)) }
    shift(-h); let down = loss()
    for ((_, p), v) in zip(parameters, saved) { p.value.copy(from: FloatBuffer(v)) }
    let numeric = (up - down) / (2 * Double(h))
    report.directional = abs(numeric - expected) / max(1e-6, abs(expected))
    return report
}

/// Fixed pseudo-random Floats in [-1, 1).
package func randomFloats(_ n: Int, seed: UInt64) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<n).map { _ in Float(rng.unit() * 2 - 1) }
}
