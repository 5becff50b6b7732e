import Testing
@testable import ForecastNN
import _ForecastTestSupport

/// NaN must propagate through every activation path and cell step, so that a diverging network
/// shows NaN (and training stops) instead of saturating gates that hide it. The fast exp used to
/// clamp its input with IEEE maxNum/minNum, which return the number when the other operand is NaN:
/// sigmoid(NaN) was 1 and tanh(NaN) was -1.
@Suite struct NaNPropagationTests {
    /// One implementation of the activation passes and fused steps.
    enum Path: Sendable, CustomStringConvertible {
        /// libm (`Kernels.reference`).
        case reference
        /// The Swift twins (Activations.swift, FusedSteps.swift).
        case swift
        /// One C variant (CForecastKernels).
        case variant(KernelVariant)

        var description: String {
            switch self {
            case .reference: return "reference"
            case .swift: return "swift"
            case .variant(let v): return "\(v)"
            }
        }

        /// Whether multiply-adds are fused (all but the portable C variant; libm is its own thing).
        var fused: Bool { if case .variant(.portable) = self { return false } else { return true } }

        func run<T>(_ body: () -> T) -> T {
            switch self {
            case .reference: return Kernels.$reference.withValue(true, operation: body)
            case .swift: return Kernels.$backend.withValue(.swift, operation: body)
            case .variant(let v): return Kernels.$backend.withValue(.variant(v), operation: body)
            }
        }
    }

    static let paths: [Path] = [.reference, .swift] + KernelVariant.allCases.filter(\.isSupported).map { .variant($0) }
    static let fastPaths = paths.filter { if case .reference = $0 { return false } else { return true } }

    func sigmoid(_ x: [Float], _ path: Path) -> [Float] {
        path.run { var y = x; y.withUnsafeMutableBufferPointer { Activations.sigmoid($0.baseAddress!, $0.count) }; return y }
    }

    func tanh(_ x: [Float], _ path: Path) -> [Float] {
        path.run { var y = x; y.withUnsafeMutableBufferPointer { Activations.tanh($0.baseAddress!, $0.count) }; return y }
    }

    /// Special values at every position of a vector body and of the scalar tail (n = 37: two full
    /// vectors of 16 and a tail of 5, or nine of 4 and a tail of 1), among ordinary values.
    @Test(arguments: paths)
    func nanPropagatesAndInfinitiesSaturate(path: Path) {
        let nans: [Float] = [.nan, -.nan, .signalingNaN, Float(nan: 0x1234, signaling: false)]
        for special: Float in nans + [.infinity, -.infinity] {
            for at in 0..<37 {
                var x = (0..<37).map { Float($0) * 0.25 - 4 }
                x[at] = special
                let s = sigmoid(x, path), t = tanh(x, path)
                if special.isNaN {
                    #expect(s[at].isNaN, "\(path): sigmoid(NaN) at \(at) is \(s[at])")
                    #expect(t[at].isNaN, "\(path): tanh(NaN) at \(at) is \(t[at])")
                } else {
                    #expect(s[at] == (special > 0 ? 1 : 0), "\(path): sigmoid(\(special)) at \(at) is \(s[at])")
                    #expect(t[at] == (special > 0 ? 1 : -1), "\(path): tanh(\(special)) at \(at) is \(t[at])")
                }
                // The other lanes of the vector are untouched by the special one.
                for i in 0..<37 where i != at { #expect(s[i].isFinite && t[i].isFinite) }
            }
        }
    }

    /// Finite inputs give exactly what the fast kernels gave before NaN propagated: a dense grid
    /// over the approximation's range, the clamp's edges and the extremes of Float.
    @Test(arguments: fastPaths)
    func finiteValuesAreUnchanged(path: Path) {
        var x = stride(from: Float(-100), through: 100, by: 0.01).map { $0 }
        x += [87.3, -87.3, 88.7, -88.7, 44.35, -44.35, 43.65, -43.65, 0, -0.0, 1e-30, -1e-30,
              .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
              1e30, -1e30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        x += (0..<3).map { Float($0) }   // a tail after the vectors
        let s = sigmoid(x, path), t = tanh(x, path)
        var sigmoidDiffs = 0, tanhDiffs = 0
        for (i, v) in x.enumerated() {
            let (ls, lt) = (Self.previousSigmoid(v, fused: path.fused), Self.previousTanh(v, fused: path.fused))
            if s[i].bitPattern != ls.bitPattern { sigmoidDiffs += 1; if sigmoidDiffs < 5 { Issue.record("\(path): sigmoid(\(v)) = \(s[i]), was \(ls)") } }
            if t[i].bitPattern != lt.bitPattern { tanhDiffs += 1; if tanhDiffs < 5 { Issue.record("\(path): tanh(\(v)) = \(t[i]), was \(lt)") } }
        }
        #expect(sigmoidDiffs == 0 && tanhDiffs == 0, "\(path): \(sigmoidDiffs) sigmoid and \(tanhDiffs) tanh values of \(x.count) changed")
    }

    // MARK: - The fast activations as they were (one lane), the reference for finite inputs

    /// e^x as computed before NaN propagated: clamp with maxNum/minNum, Cephes' polynomial,
    /// multiply-adds fused or not as in the path under test.
    static func previousExp(_ x0: Float, fused: Bool) -> Float {
        func madd(_ acc: Float, _ a: Float, _ b: Float) -> Float { fused ? acc.addingProduct(a, b) : acc + a * b }
        let x = Float.minimum(Float.maximum(x0, -87.3), 88.7)
        let magic: Float = 12582912
        let shifted = madd(magic, x, 1.44269504088896341)
        let n = shifted - magic
        let r = madd(madd(x, n, -0.693359375), n, 2.12194440e-4)
        var p: Float = 1.9875691500e-4
        p = madd(1.3981999507e-3, p, r)
        p = madd(8.3334519073e-3, p, r)
        p = madd(4.1665795894e-2, p, r)
        p = madd(1.6666665459e-1, p, r)
        p = madd(5.0000001201e-1, p, r)
        p = madd(r + 1, p, r * r)
        let k = Int32(bitPattern: shifted.bitPattern) &- (0x4B40_0000 - 127)
        return p * Float(bitPattern: UInt32(bitPattern: k &* (1 << 23)))
    }

    static func previousSigmoid(_ x: Float, fused: Bool) -> Float { 1 / (1 + previousExp(-x, fused: fused)) }
    static func previousTanh(_ x: Float, fused: Bool) -> Float { 1 - 2 / (previousExp(x + x, fused: fused) + 1) }

    // MARK: - Cell steps

    /// Forward (training trace) and inference outputs (T, B, H) of a fresh cell whose input holds
    /// one NaN, at step 0 of batch row 0.
    func cellOutputs<C: RecurrentCell>(_ make: (inout SeededGenerator) -> C, fused: Bool, path: Path,
                                       T: Int, B: Int, initial: (Int, Int) -> C.State) -> (trained: [Float], inferred: [Float]) {
        path.run {
            Kernels.$fusedSteps.withValue(fused) {
                var rng = SeededGenerator(seed: 5)
                let cell = make(&rng)
                let I = cell.inputSize, H = cell.hiddenSize
                let x = FloatBuffer(randomFloats(T * B * I, seed: 1))
                x[0] = .nan
                let s0 = initial(B, H)
                _ = cell.forward(x.pointer, steps: T, batch: B, repeated: false, initial: s0)
                let trained = Array(UnsafeBufferPointer(start: cell.outputs, count: T * B * H))
                let w = C.Workspace()
                _ = cell.infer(x.pointer, steps: T, batch: B, repeated: false, initial: s0, workspace: w)
                return (trained, withExtendedLifetime(w) { Array(UnsafeBufferPointer(start: w.outputs, count: T * B * H)) })
            }
        }
    }

    /// Row 0 is NaN in every unit from the NaN step on; the other rows stay finite.
    func expectNaNInRowZeroOnly(_ out: [Float], T: Int, B: Int, H: Int, _ what: String) {
        for t in 0..<T {
            for b in 0..<B {
                let row = out[(t * B + b) * H..<(t * B + b + 1) * H]
                if b == 0 {
                    #expect(row.allSatisfy { $0.isNaN }, "\(what): step \(t) row 0 is \(Array(row.prefix(4)))…, not NaN")
                } else {
                    #expect(row.allSatisfy { $0.isFinite }, "\(what): step \(t) row \(b) is not finite")
                }
            }
        }
    }

    static let cellShapes: [(input: Int, hidden: Int, batch: Int)] = [(1, 16, 3), (3, 32, 7), (12, 16, 5), (2, 20, 2)]

    @Test(arguments: paths, cellShapes)
    func lstmStepWithANaNInputGivesNaN(path: Path, shape: (input: Int, hidden: Int, batch: Int)) {
        let make = { (r: inout SeededGenerator) in LSTMCell(inputSize: shape.input, hiddenSize: shape.hidden, rng: &r) }
        let initial = { (b: Int, h: Int) in LSTMState(h: FloatBuffer(randomFloats(b * h, seed: 8)), c: FloatBuffer(randomFloats(b * h, seed: 9))) }
        for fused in [true, false] {
            let (trained, inferred) = cellOutputs(make, fused: fused, path: path, T: 4, B: shape.batch, initial: initial)
            expectNaNInRowZeroOnly(trained, T: 4, B: shape.batch, H: shape.hidden, "LSTM \(path) \(shape) fused \(fused) forward")
            expectNaNInRowZeroOnly(inferred, T: 4, B: shape.batch, H: shape.hidden, "LSTM \(path) \(shape) fused \(fused) infer")
        }
    }

    @Test(arguments: paths, cellShapes)
    func gruStepWithANaNInputGivesNaN(path: Path, shape: (input: Int, hidden: Int, batch: Int)) {
        let make = { (r: inout SeededGenerator) in GRUCell(inputSize: shape.input, hiddenSize: shape.hidden, rng: &r) }
        let initial = { (b: Int, h: Int) in GRUState(h: FloatBuffer(randomFloats(b * h, seed: 8))) }
        for fused in [true, false] {
            let (trained, inferred) = cellOutputs(make, fused: fused, path: path, T: 4, B: shape.batch, initial: initial)
            expectNaNInRowZeroOnly(trained, T: 4, B: shape.batch, H: shape.hidden, "GRU \(path) \(shape) fused \(fused) forward")
            expectNaNInRowZeroOnly(inferred, T: 4, B: shape.batch, H: shape.hidden, "GRU \(path) \(shape) fused \(fused) infer")
        }
    }

    // MARK: - Gradients and losses

    /// A NaN gradient must reach the clipping norm, and clipping must leave it NaN (never 0).
    @Test(arguments: fastPaths)
    func clippingKeepsANaNGradient(path: Path) {
        let p = Parameter("g", shape: [37])
        for i in 0..<37 { p.grad[i] = Float(i) }
        p.grad[20] = .nan
        let norm = path.run { Adam.clipGlobalNorm([p], maxNorm: 1) }
        #expect(norm.isNaN)
        #expect(p.grad[20].isNaN)
    }

    /// An exploding but finite gradient (its square overflows Float) is clipped to `maxNorm` in
    /// its own direction, with its true norm returned: before, the Float sum of squares became
    /// infinite and training stopped with "diverged" (a GRU on M4 Hourly, at step 4,368).
    @Test(arguments: fastPaths)
    func clippingScalesAnExplodingFiniteGradient(path: Path) {
        let a = Parameter("a", shape: [37]), b = Parameter("b", shape: [5])
        for i in 0..<37 { a.grad[i] = Float(i) * 1e-3 }
        a.grad[3] = 3e20
        b.grad[1] = -4e20
        let norm = path.run { Adam.clipGlobalNorm([a, b], maxNorm: 2) }
        #expect(norm.isFinite)
        #expect(abs(norm / 5e20 - 1) < 1e-6, "norm \(norm)")
        #expect(abs(a.grad[3] - 1.2) < 1e-5 && abs(b.grad[1] + 1.6) < 1e-5, "\(a.grad[3]) \(b.grad[1])")
        var clipped = 0.0
        for p in [a, b] { for i in 0..<p.count { clipped += Double(p.grad[i]) * Double(p.grad[i]) } }
        #expect(abs(clipped.squareRoot() - 2) < 1e-5)
    }

    /// An infinite gradient is still divergence: the norm is infinite and nothing is scaled.
    @Test(arguments: fastPaths)
    func clippingReportsAnInfiniteGradient(path: Path) {
        let p = Parameter("g", shape: [9])
        for i in 0..<9 { p.grad[i] = 1 }
        p.grad[4] = .infinity
        let norm = path.run { Adam.clipGlobalNorm([p], maxNorm: 1) }
        #expect(norm == .infinity)
        #expect(p.grad[0] == 1 && p.grad[4] == .infinity)
    }

    /// Every loss reports NaN, and a NaN gradient, for a NaN prediction.
    @Test(arguments: Loss.allCases)
    func lossesPropagateNaN(loss: Loss) {
        let prediction: [Float] = [0.5, .nan, -2], target: [Float] = [0, 0, 0]
        var grad = [Float](repeating: 0, count: 3)
        let value = loss.evaluate(prediction, target, count: 3, gradient: &grad)
        #expect(value.isNaN, "\(loss)")
        #expect(grad[1].isNaN, "\(loss): gradient \(grad[1]) for a NaN prediction")
        #expect(grad[0].isFinite && grad[2].isFinite)
    }
}
