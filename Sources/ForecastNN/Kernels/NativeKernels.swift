internal import CForecastKernels

/// The instruction-set variants of the C kernels (CForecastKernels), x86-64 only.
///
/// Each variant computes the same products in the same order as the Swift kernels. The AVX-512 and
/// AVX2 variants fuse every multiply-add, as the Swift kernels' `addProduct` does, so their results
/// are bit-identical to the Swift twins and to each other; the portable variant (for x86-64 CPUs
/// without FMA) rounds products and sums separately and may differ in the last bits.
package enum KernelVariant: Int32, CaseIterable, Sendable {
    case portable = 0
    case avx2 = 1
    case avx512 = 2

    /// Whether this CPU can run the variant (always false on other architectures).
    package var isSupported: Bool { fk_kernels_for(rawValue) != nil }

    /// The variant this process uses by default: the best the CPU supports, or the one named by
    /// the environment variable FORECAST_KERNELS (avx512, avx2, portable); nil where the Swift
    /// kernels run (other architectures).
    package static var selected: KernelVariant? {
        guard let table = fk_selected() else { return nil }
        let name = String(cString: table.pointee.name)
        return allCases.first { String(cString: fk_kernels_for($0.rawValue)!.pointee.name) == name }
    }
}

/// Which implementation the hot kernels run (`Kernels.backend`).
package enum KernelBackend: Sendable, Equatable {
    /// The C variant chosen for this process (`KernelVariant.selected`), or the Swift kernels on
    /// architectures without one.
    case automatic
    /// The Swift kernels (Gemm.swift, FusedSteps.swift, Activations.swift): the readable twins.
    case swift
    /// One C variant; it must be supported by this CPU.
    case variant(KernelVariant)
}

extension Kernels {
    /// The implementation used by `gemm`, `gemmPacked`, `gemmTN`, the fused steps and the activation
    /// passes. Task-local, so a test can run one variant or the Swift twins
    /// (`Kernels.$backend.withValue(.swift) { ... }`) without affecting anything beside it.
    /// `reference` takes precedence.
    @TaskLocal package static var backend: KernelBackend = .automatic

    /// The C kernels to call, or nil when the Swift kernels run.
    @inline(__always)
    static var native: NativeKernels? {
        #if arch(x86_64)
        switch backend {
        case .automatic: return fk_selected().map(NativeKernels.init)
        case .swift: return nil
        case .variant(let v):
            guard let table = fk_kernels_for(v.rawValue) else { preconditionFailure("this CPU cannot run the \(v) kernels") }
            return NativeKernels(table: table)
        }
        #else
        return nil
        #endif
    }
}

/// One C variant's kernels, called through its function table. Arguments are as for the Swift
/// kernels of the same names.
struct NativeKernels {
    let table: UnsafePointer<fk_kernels>

    @inline(__always)
    func gemm(_ M: Int, _ N: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
              _ B: UnsafePointer<Float>, _ ldb: Int, _ C: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool) {
        table.pointee.gemm(M, N, K, A, lda, B, ldb, C, ldc, accumulate ? 1 : 0)
    }

    @inline(__always)
    func gemmPacked(_ M: Int, _ N: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                    _ panels: UnsafePointer<Float>, _ C: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool) {
        table.pointee.gemm_packed(M, N, K, A, lda, panels, C, ldc, accumulate ? 1 : 0)
    }

    @inline(__always)
    func gemmTN(_ M: Int, _ N: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                _ B: UnsafePointer<Float>, _ ldb: Int, _ C: UnsafeMutablePointer<Float>, _ ldc: Int) {
        table.pointee.gemm_tn(M, N, K, A, lda, B, ldb, C, ldc)
    }

    @inline(__always)
    func lstmStep(_ s: LSTMStepOperands) {
        var c = fk_lstm_step(rows: s.rows, hidden: s.hidden, inputs: s.inputs, pre: s.pre, pre_stride: s.preStride,
                             x: s.x, panel: s.panel, h_prev: s.hPrev, c_prev: s.cPrev, h_next: s.hNext, c_next: s.cNext,
                             gates: s.gates, tanh_c: s.tanhC, tile: s.tile)
        table.pointee.lstm_step(&c)
    }

    @inline(__always)
    func gruStep(_ s: GRUStepOperands) {
        var c = fk_gru_step(rows: s.rows, hidden: s.hidden, inputs: s.inputs, a_pre: s.aPre, a_stride: s.aStride,
                            x: s.x, w: s.W, b_rec: s.bRec, panel: s.panel, h_prev: s.hPrev, h_next: s.hNext,
                            u: s.u, gates: s.gates, tile: s.tile)
        table.pointee.gru_step(&c)
    }

    @inline(__always)
    func lstmBackwardStep(_ B: Int, _ H: Int, _ gates: UnsafePointer<Float>, _ tanhC: UnsafePointer<Float>,
                          _ cPrev: UnsafePointer<Float>, _ dOutput: UnsafePointer<Float>?, _ dh: UnsafePointer<Float>,
                          _ dc: UnsafeMutablePointer<Float>, _ dz: UnsafeMutablePointer<Float>) {
        table.pointee.lstm_backward_step(B, H, gates, tanhC, cPrev, dOutput, dh, dc, dz)
    }

    @inline(__always)
    func sigmoid(_ x: UnsafeMutablePointer<Float>, _ n: Int) { table.pointee.sigmoid(x, n) }

    @inline(__always)
    func tanh(_ x: UnsafeMutablePointer<Float>, _ n: Int) { table.pointee.tanh(x, n) }

    @inline(__always)
    func sumOfSquares16(_ x: UnsafePointer<Float>, _ n: Int) -> SIMD16<Float> {
        var lanes = SIMD16<Float>()
        withUnsafeMutableBytes(of: &lanes) { table.pointee.sum_of_squares16(x, n, $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
        return lanes
    }
}
