/// Adam with Keras' defaults and update rule (β1 0.9, β2 0.999, ε 1e-7 added to √v after bias
/// correction folded into the step size), optional decoupled weight decay (AdamW), and
/// gradient clipping by global norm (Keras' `global_clipnorm`).
///
///     m ← m + (g − m)(1 − β1)      v ← v + (g² − v)(1 − β2)
///     α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ)  θ ← θ − α·m/(√v + ε)
package final class Adam {
    /// The step size; change it between steps (plateau schedules do).
    package var learningRate: Double
    package let beta1: Double
    package let beta2: Double
    package let epsilon: Double
    /// Decoupled weight decay: θ ← θ − lr·decay·θ before each step. 0 is plain Adam.
    package let weightDecay: Double
    /// The steps taken so far.
    package private(set) var step = 0
    private var m: [FloatBuffer]
    private var v: [FloatBuffer]

    /// An optimiser for `parameters` (their order must stay the same between steps).
    package init(parameters: [Parameter], learningRate: Double = 1e-3, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-7, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        m = parameters.map { FloatBuffer(count: $0.count) }
        v = parameters.map { FloatBuffer(count: $0.count) }
    }

    /// The optimiser's moment estimates and step, for checkpoints.
    package var state: (step: Int, m: [[Float]], v: [[Float]]) { (step, m.map(\.array), v.map(\.array)) }

    /// Restores a saved state (from `state`).
    package func restore(step: Int, m: [[Float]], v: [[Float]]) {
        precondition(m.count == self.m.count && v.count == self.v.count, "optimizer state does not match the parameters")
        self.step = step
        for (b, a) in zip(self.m, m) where a.count == b.count { b.copy(from: FloatBuffer(a)) }
        for (b, a) in zip(self.v, v) where a.count == b.count { b.copy(from: FloatBuffer(a)) }
    }

    /// Applies one update from the parameters' gradients.
    package func update(_ parameters: [Parameter]) {
        step += 1
        let t = Double(step)
        let alpha = Float(learningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
        let b1 = Float(1 - beta1), b2 = Float(1 - beta2), eps = Float(epsilon)
        let decay = Float(learningRate * weightDecay)
        for (k, p) in parameters.enumerated() {
            let w = p.value.pointer, g = p.grad.pointer, mk = m[k].pointer, vk = v[k].pointer
            var i = 0
            while i < p.count {   // 16 at a time; the same lane-wise arithmetic for the tail
                let n = min(16, p.count - i)
                var wi = Kernels.load(w + i, n)
                if decay != 0 { wi -= wi * decay }
                let gi = Kernels.load(g + i, n)
                var mi = Kernels.load(mk + i, n), vi = Kernels.load(vk + i, n)
                mi += (gi - mi) * b1
                vi += (gi * gi - vi) * b2
                wi -= alpha * mi / (vi.squareRoot() + eps)
                Kernels.store(wi, w + i, n); Kernels.store(mi, mk + i, n); Kernels.store(vi, vk + i, n)
                i += 16
            }
        }
    }

    /// Scales all gradients so that their global L2 norm is at most `maxNorm`; returns the norm
    /// before clipping (NaN or infinite when a gradient is).
    ///
    /// An exploding but finite gradient is clipped, not reported as divergence: the squares are
    /// summed in Float lanes, which overflow once a gradient passes about 1.8e19, so an infinite
    /// Float sum is summed again in Double (finite up to gradients of about 1e154). A GRU on the
    /// 414 M4 Hourly series hit exactly this at step 4,368 of a member, and the fit failed.
    @discardableResult
    package static func clipGlobalNorm(_ parameters: [Parameter], maxNorm: Double) -> Double {
        // Sixteen running sums per parameter, added in a fixed order: deterministic and vectorised.
        var sum = 0.0
        for p in parameters {
            sum += Double(Kernels.sumOfSquares16(p.grad.pointer, p.count).sum())
        }
        if sum == .infinity {
            sum = 0
            for p in parameters {
                let g = p.grad.pointer
                for i in 0..<p.count { let v = Double(g[i]); sum += v * v }
            }
        }
        let norm = sum.squareRoot()
        if norm.isFinite && norm > maxNorm && maxNorm > 0 {
            let f = Float(maxNorm / norm)
            for p in parameters { let g = p.grad.pointer; for i in 0..<p.count { g[i] *= f } }
        }
        return norm
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
