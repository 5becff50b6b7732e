import Foundation
import Testing
@testable import ForecastNN
import _ForecastTestSupport

/// The C kernels (CForecastKernels) against their Swift twins, for every variant this CPU can run.
/// The FMA variants (AVX-512, AVX2) compute the same fused products in the same order as the
/// Swift kernels, so they must agree bit for bit; the portable variant rounds products and sums
/// separately and must agree to 1e-5 of the magnitude of the terms summed (measured: below 1e-6).
@Suite struct NativeKernelTests {
    static let variants = KernelVariant.allCases.filter(\.isSupported)

    /// Runs `body` on one C variant, then on the Swift twins.
    func both<T>(_ variant: KernelVariant, _ body: () -> T) -> (c: T, swift: T) {
        (Kernels.$backend.withValue(.variant(variant), operation: body), Kernels.$backend.withValue(.swift, operation: body))
    }

    /// Bit-identical for the FMA variants; within `tolerance`·max(1, scale) for the portable one.
    func expectAgreement(_ c: [Float], _ swift: [Float], _ variant: KernelVariant, scale: [Float]? = nil,
                         tolerance: Float = 1e-5, _ what: String) {
        #expect(c.count == swift.count)
        if variant != .portable {
            #expect(c == swift, "\(what): \(variant) differs from the Swift twin")
            return
        }
        var worst: Float = 0
        for i in 0..<min(c.count, swift.count) {
            let s = max(1, scale?[i] ?? abs(swift[i]))
            worst = max(worst, abs(c[i] - swift[i]) / s)
        }
        #expect(worst <= tolerance, "\(what): portable differs by \(worst) of the terms' magnitude")
    }

    @Test func selectionPrefersTheWidestSupportedVariant() {
        #if arch(x86_64)
        #expect(KernelVariant.portable.isSupported)
        let best = KernelVariant.allCases.reversed().first(where: \.isSupported)
        let selected = KernelVariant.selected
        #expect(selected != nil && selected!.isSupported)
        if ProcessInfo.processInfo.environment["FORECAST_KERNELS"] == nil { #expect(selected == best) }
        #else
        #expect(KernelVariant.selected == nil, "other architectures run the Swift kernels")
        #endif
    }

    static let gemmShapes = [(1, 1, 1), (3, 5, 2), (4, 32, 7), (5, 48, 65), (8, 256, 64), (33, 17, 3), (2, 192, 64),
                             (7, 70, 1), (11, 86, 9), (32, 256, 128), (19, 64, 256), (13, 40, 300), (6, 8, 3), (9, 15, 4)]

    @Test(arguments: variants, gemmShapes)
    func gemmMatchesSwiftTwin(variant: KernelVariant, shape: (Int, Int, Int)) {
        let (M, N, K) = shape
        let lda = K + 3, ldb = N + 5, ldc = N + 2   // leading dimensions wider than the rows
        let a = randomFloats(M * lda, seed: 1), b = randomFloats(K * ldb, seed: 2), c0 = randomFloats(M * ldc, seed: 3)
        for accumulate in [false, true] {
            let (c, swift) = both(variant) {
                var out = c0
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer {
                    Kernels.gemm(M, N, K, ap.baseAddress!, lda, bp.baseAddress!, ldb, $0.baseAddress!, ldc, accumulate: accumulate)
                } } }
                return out
            }
            let scale = (0..<(M * ldc)).map { e -> Float in
                let i = e / ldc, j = e % ldc
                guard j < N else { return 0 }
                return (accumulate ? abs(c0[e]) : 0) + (0..<K).reduce(0) { $0 + abs(a[i * lda + $1] * b[$1 * ldb + j]) }
            }
            expectAgreement(c, swift, variant, scale: scale, "gemm \(shape) accumulate \(accumulate)")
        }
    }

    @Test(arguments: variants, [(1, 1, 1), (4, 32, 7), (5, 48, 65), (64, 256, 32), (3, 17, 2), (1, 192, 1536), (13, 72, 9), (7, 23, 40)])
    func gemmTNMatchesSwiftTwin(variant: KernelVariant, shape: (Int, Int, Int)) {
        let (M, N, K) = shape
        let a = randomFloats(K * M, seed: 1), b = randomFloats(K * N, seed: 2), c0 = randomFloats(M * N, seed: 3)
        let (c, swift) = both(variant) {
            var out = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer {
                Kernels.gemmTN(M, N, K, ap.baseAddress!, M, bp.baseAddress!, N, $0.baseAddress!, N)
            } } }
            return out
        }
        let scale = (0..<(M * N)).map { e -> Float in
            abs(c0[e]) + (0..<K).reduce(0) { $0 + abs(a[$1 * M + e / N] * b[$1 * N + e % N]) }
        }
        expectAgreement(c, swift, variant, scale: scale, "gemmTN \(shape)")
    }

    @Test(arguments: variants, [(1, 32, 5), (7, 64, 256), (8, 32, 1), (13, 96, 65), (32, 64, 192)])
    func packedGemmMatchesSwiftTwin(variant: KernelVariant, shape: (Int, Int, Int)) {
        let (M, N, K) = shape
        let a = randomFloats(M * K, seed: 1), b = randomFloats(K * N, seed: 2), c0 = randomFloats(M * N, seed: 3)
        var panels = [Float](repeating: 0, count: K * N)
        b.withUnsafeBufferPointer { bp in panels.withUnsafeMutableBufferPointer { Kernels.packPanels(K, N, bp.baseAddress!, N, into: $0.baseAddress!) } }
        for accumulate in [false, true] {
            let (c, swift) = both(variant) {
                var out = c0
                a.withUnsafeBufferPointer { ap in panels.withUnsafeBufferPointer { pp in out.withUnsafeMutableBufferPointer {
                    Kernels.gemmPacked(M, N, K, ap.baseAddress!, K, panels: pp.baseAddress!, $0.baseAddress!, N, accumulate: accumulate)
                } } }
                return out
            }
            let scale = (0..<(M * N)).map { e -> Float in
                (accumulate ? abs(c0[e]) : 0) + (0..<K).reduce(0) { $0 + abs(a[(e / N) * K + $1] * b[$1 * N + e % N]) }
            }
            expectAgreement(c, swift, variant, scale: scale, "gemmPacked \(shape) accumulate \(accumulate)")
        }
    }

    @Test(arguments: variants)
    func activationsAndSumsMatchSwiftTwins(variant: KernelVariant) {
        for n in [0, 1, 5, 15, 16, 17, 31, 33, 64, 100] {
            let x = randomFloats(n, seed: UInt64(n)).map { $0 * 40 } + [-100, 100, 0, 1e-30, .infinity, -.infinity]
            let (s, sSwift) = both(variant) { var y = x; y.withUnsafeMutableBufferPointer { Activations.sigmoid($0.baseAddress!, $0.count) }; return y }
            let (t, tSwift) = both(variant) { var y = x; y.withUnsafeMutableBufferPointer { Activations.tanh($0.baseAddress!, $0.count) }; return y }
            let (q, qSwift) = both(variant) { x.withUnsafeBufferPointer { p in let v = Kernels.sumOfSquares16(p.baseAddress!, n); return (0..<16).map { v[$0] } } }
            expectAgreement(s, sSwift, variant, "sigmoid n=\(n)")
            expectAgreement(t, tSwift, variant, "tanh n=\(n)")
            expectAgreement(q, qSwift, variant, "sum of squares n=\(n)")
        }
    }

    /// Forward (fused and unfused), backward and inference of a fresh cell: every product, fused
    /// step and activation pass of a training step.
    func cellRun<C: RecurrentCell>(_ make: (inout SeededGenerator) -> C, T: Int, B: Int, repeated: Bool, fused: Bool,
                                   initial: (Int, Int) -> C.State, state: (C.State) -> [FloatBuffer]) -> [Float] {
        Kernels.$fusedSteps.withValue(fused) {
            var rng = SeededGenerator(seed: 5)
            let cell = make(&rng)
            let I = cell.inputSize, H = cell.hiddenSize
            let x = FloatBuffer(randomFloats((repeated ? 1 : T) * B * I, seed: 1))
            let s0 = initial(B, H)
            let f = cell.forward(x.pointer, steps: T, batch: B, repeated: repeated, initial: s0)
            var out = Array(UnsafeBufferPointer(start: cell.outputs, count: T * B * H)) + state(f).flatMap(\.array)
            let dOut = randomFloats(T * B * H, seed: 2)
            let dx = FloatBuffer(count: x.count)
            let d0 = cell.backward(dOutputs: dOut, dFinal: nil, dInput: dx.pointer)
            out += cell.parameters.flatMap(\.grad.array) + state(d0).flatMap(\.array) + dx.array
            let w = C.Workspace()
            _ = cell.infer(x.pointer, steps: T, batch: B, repeated: repeated, initial: s0, workspace: w)
            return withExtendedLifetime(w) { out + Array(UnsafeBufferPointer(start: w.outputs, count: T * B * H)) }
        }
    }

    static let cellShapes: [(input: Int, hidden: Int, batch: Int)] = [(1, 16, 1), (1, 32, 7), (3, 16, 8), (12, 16, 5), (1, 64, 9), (2, 16, 17), (1, 48, 13), (2, 20, 3)]

    @Test(arguments: variants, cellShapes)
    func lstmCellMatchesSwiftTwin(variant: KernelVariant, shape: (input: Int, hidden: Int, batch: Int)) {
        let make = { (r: inout SeededGenerator) in LSTMCell(inputSize: shape.input, hiddenSize: shape.hidden, rng: &r) }
        let initial = { (b: Int, h: Int) in LSTMState(h: FloatBuffer(randomFloats(b * h, seed: 8)), c: FloatBuffer(randomFloats(b * h, seed: 9))) }
        for repeated in [false, true] {
            for fused in [true, false] {
                let (c, swift) = both(variant) {
                    cellRun(make, T: 5, B: shape.batch, repeated: repeated, fused: fused, initial: initial, state: { [$0.h, $0.c] })
                }
                expectAgreement(c, swift, variant, tolerance: 1e-5, "LSTM \(shape) repeated \(repeated) fused \(fused)")
            }
        }
    }

    @Test(arguments: variants, cellShapes)
    func gruCellMatchesSwiftTwin(variant: KernelVariant, shape: (input: Int, hidden: Int, batch: Int)) {
        let make = { (r: inout SeededGenerator) in GRUCell(inputSize: shape.input, hiddenSize: shape.hidden, rng: &r) }
        let initial = { (b: Int, h: Int) in GRUState(h: FloatBuffer(randomFloats(b * h, seed: 8))) }
        for repeated in [false, true] {
            for fused in [true, false] {
                let (c, swift) = both(variant) {
                    cellRun(make, T: 5, B: shape.batch, repeated: repeated, fused: fused, initial: initial, state: { [$0.h] })
                }
                expectAgreement(c, swift, variant, tolerance: 1e-5, "GRU \(shape) repeated \(repeated) fused \(fused)")
            }
        }
    }
}
