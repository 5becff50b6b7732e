import Testing
@testable import ForecastNN
import _ForecastTestSupport

@Suite struct KernelTests {
    @Test(arguments: [(1, 1, 1), (3, 5, 2), (4, 32, 7), (5, 48, 65), (8, 256, 64), (33, 17, 3), (2, 192, 64), (7, 70, 1), (11, 86, 9), (32, 256, 128), (19, 64, 256)])
    func gemmMatchesNaiveTwin(shape: (Int, Int, Int)) {
        let (M, N, K) = shape
        let a = randomFloats(M * K, seed: 1), b = randomFloats(K * N, seed: 2), c0 = randomFloats(M * N, seed: 3)
        for accumulate in [false, true] {
            var fast = c0, slow = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                fast.withUnsafeMutableBufferPointer { Kernels.gemm(M, N, K, ap.baseAddress!, K, bp.baseAddress!, N, $0.baseAddress!, N, accumulate: accumulate) }
                slow.withUnsafeMutableBufferPointer { Kernels.gemmNaive(M, N, K, ap.baseAddress!, K, bp.baseAddress!, N, $0.baseAddress!, N, accumulate: accumulate) }
            } }
            // Same products, same k order, fused: bit-identical.
            #expect(fast == slow)
        }
    }

    @Test(arguments: [(1, 1, 1), (4, 32, 7), (5, 48, 65), (64, 256, 32), (3, 17, 2), (1, 192, 1536), (13, 72, 9)])
    func gemmTNMatchesNaiveTwin(shape: (Int, Int, Int)) {
        let (M, N, K) = shape
        let a = randomFloats(K * M, seed: 1), b = randomFloats(K * N, seed: 2), c0 = randomFloats(M * N, seed: 3)
        var fast = c0, slow = c0
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
            fast.withUnsafeMutableBufferPointer { Kernels.gemmTN(M, N, K, ap.baseAddress!, M, bp.baseAddress!, N, $0.baseAddress!, N) }
            slow.withUnsafeMutableBufferPointer { Kernels.gemmTNNaive(M, N, K, ap.baseAddress!, M, bp.baseAddress!, N, $0.baseAddress!, N) }
        } }
        #expect(fast == slow)
    }

    @Test(arguments: [(1, 32, 5), (7, 64, 256), (8, 32, 1), (13, 96, 65), (32, 64, 192)])
    func packedGemmMatchesNaiveTwin(shape: (Int, Int, Int)) {
        let (M, N, K) = shape
        let a = randomFloats(M * K, seed: 1), b = randomFloats(K * N, seed: 2), c0 = randomFloats(M * N, seed: 3)
        var panels = [Float](repeating: 0, count: K * N)
        b.withUnsafeBufferPointer { bp in panels.withUnsafeMutableBufferPointer { Kernels.packPanels(K, N, bp.baseAddress!, N, into: $0.baseAddress!) } }
        for accumulate in [false, true] {
            var packed = c0, slow = c0, reference = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in panels.withUnsafeBufferPointer { pp in
                packed.withUnsafeMutableBufferPointer { Kernels.gemmPacked(M, N, K, ap.baseAddress!, K, panels: pp.baseAddress!, $0.baseAddress!, N, accumulate: accumulate) }
                slow.withUnsafeMutableBufferPointer { Kernels.gemmNaive(M, N, K, ap.baseAddress!, K, bp.baseAddress!, N, $0.baseAddress!, N, accumulate: accumulate) }
                reference.withUnsafeMutableBufferPointer { c in
                    Kernels.$reference.withValue(true) { Kernels.gemmPacked(M, N, K, ap.baseAddress!, K, panels: pp.baseAddress!, c.baseAddress!, N, accumulate: accumulate) }
                }
            } } }
            #expect(packed == slow)
            #expect(reference == slow)
        }
    }

    @Test func transposeAndColumnSums() {
        let x = randomFloats(5 * 7, seed: 4)
        var t = [Float](repeating: 0, count: 35)
        x.withUnsafeBufferPointer { xp in t.withUnsafeMutableBufferPointer { Kernels.transpose(5, 7, xp.baseAddress!, 7, $0.baseAddress!) } }
        for i in 0..<5 { for j in 0..<7 { #expect(t[j * 5 + i] == x[i * 7 + j]) } }
        var sums = [Float](repeating: 1, count: 7)
        x.withUnsafeBufferPointer { xp in sums.withUnsafeMutableBufferPointer { Kernels.addColumnSums(5, 7, xp.baseAddress!, $0.baseAddress!) } }
        for j in 0..<7 { #expect(abs(sums[j] - (1 + (0..<5).map { x[$0 * 7 + j] }.reduce(0, +))) < 1e-6) }
    }

    @Test func activationsMatchLibm() {
        var xs: [Float] = stride(from: -30, through: 30, by: 0.0173).map { Float($0) } + [-100, 100, 0, 1e-6, -1e-6]
        let original = xs
        xs.withUnsafeMutableBufferPointer { Activations.sigmoid($0.baseAddress!, $0.count) }
        for (x, y) in zip(original, xs) { #expect(abs(y - Activations.sigmoidNaive(x)) <= 2e-7, "sigmoid(\(x))") }
        xs = original
        xs.withUnsafeMutableBufferPointer { Activations.tanh($0.baseAddress!, $0.count) }
        for (x, y) in zip(original, xs) { #expect(abs(y - Activations.tanhNaive(x)) <= 2e-7, "tanh(\(x))") }
    }

    @Test func initializersFollowKeras() {
        var rng = SeededGenerator(seed: 7)
        let w = FloatBuffer(count: 6 * 24)
        Initializer.orthogonal(rows: 6, cols: 24, into: w, rng: &rng)
        // Rows are orthonormal: W·Wᵀ = I.
        for i in 0..<6 { for j in 0..<6 {
            var dot: Float = 0
            for k in 0..<24 { dot += w[i * 24 + k] * w[j * 24 + k] }
            #expect(abs(dot - (i == j ? 1 : 0)) < 1e-5)
        } }
        let g = FloatBuffer(count: 10 * 30)
        Initializer.glorotUniform(rows: 10, cols: 30, into: g, rng: &rng)
        let limit = Float((6.0 / 40).squareRoot())
        #expect(g.array.allSatisfy { abs($0) <= limit })
        #expect(g.array.map(abs).max()! > limit * 0.9)
        var r = SeededGenerator(seed: 1)
        let lstm = LSTMCell(inputSize: 2, hiddenSize: 3, rng: &r)
        #expect(lstm.bias.value.array == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0], "unit forget bias")
        #expect(GRUCell(inputSize: 2, hiddenSize: 3, rng: &r).bias.shape == [2, 9])
    }
}

/// Training on the fast kernels follows the same loss curve as on their naive twins (bit-identical
/// products; libm activations differ by about 1e-7, so the curves agree to float tolerance).
@Suite(.serialized) struct FastAgainstNaiveTrainingTests {
    func lossCurve(_ cell: CellKind, reference: Bool) -> [Double] {
        Kernels.$reference.withValue(reference) { lossCurve(cell) }
    }

    func lossCurve(_ cell: CellKind) -> [Double] {
        let net = makeNetwork(NetworkConfig(inputSize: 2, horizon: 4, hiddenSize: 32, layers: 2, encoder: cell, decoder: cell), seed: 3)
        let adam = Adam(parameters: net.parameters, learningRate: 3e-3)
        let L = 12, B = 16
        var losses: [Double] = []
        let dY = FloatBuffer(count: 4 * B)
        // One fixed batch, learned repeatedly: the loss must fall.
        let x = FloatBuffer(randomFloats(L * B * 2, seed: 1))
        let y = FloatBuffer(randomFloats(4 * B, seed: 2))
        for _ in 0..<25 {
            net.zeroGradients()
            let out = net.forward(x.pointer, lookback: L, batch: B, dropout: nil)
            losses.append(Loss.mse.evaluate(out, y.pointer, count: 4 * B, gradient: dY.pointer))
            net.backward(dY.pointer)
            adam.update(net.parameters)
        }
        return losses
    }

    @Test(arguments: CellKind.allCases)
    func sameLossCurve(cell: CellKind) {
        let fast = lossCurve(cell, reference: false), naive = lossCurve(cell, reference: true)
        for (step, (a, b)) in zip(fast, naive).enumerated() {
            #expect(abs(a - b) <= 1e-4 * abs(b), "step \(step): fast \(a), naive \(b)")
        }
        #expect(fast.last! < fast.first!, "the curve goes down")
    }
}
