/// A gated recurrent unit layer in Keras' default variant (`reset_after=True`, the cuDNN one).
///
/// Per step, with the input part a = x·W + b_in and the recurrent part u = h·U + b_rec, each split
/// into three (B, H) blocks in Keras' order [z r h]:
///
///     z = σ(a_z + u_z)   r = σ(a_r + u_r)   ĥ = tanh(a_h + r ⊙ u_h)
///     h' = z ⊙ h + (1 − z) ⊙ ĥ
///
/// The reset gate multiplies the recurrent part *after* the product with U (reset_after), which is
/// why there are two bias rows. `kernel` W is (I, 3H), glorot-uniform; `recurrent_kernel` U is
/// (H, 3H), orthogonal; `bias` is (2, 3H) = [b_in; b_rec], zeros. The state is `GRUState` (h only).
///
/// - Complexity: forward 2·B·(I + H)·3H flops per step; backward about twice that.
package final class GRUCell: RecurrentCell {
    package typealias State = GRUState
    package typealias Workspace = GRUWorkspace
    package let inputSize: Int
    package let hiddenSize: Int
    /// W, (I, 3H).
    package let kernel: Parameter
    /// U, (H, 3H).
    package let recurrentKernel: Parameter
    /// [b_in; b_rec], (2, 3H).
    package let bias: Parameter
    package var parameters: [Parameter] { [kernel, recurrentKernel, bias] }

    // Trace of the last forward pass (training only; `infer` writes to the caller's workspace).
    private let trace = GRUWorkspace()
    private var dxw = TraceBuffer()     // (T, B, 3H)
    private var dhu = TraceBuffer()     // (T, B, 3H)
    private var panels = TraceBuffer()  // Uᵀ packed for the backward products

    package convenience init(inputSize: Int, hiddenSize: Int, rng: inout SeededGenerator) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize)
        let H = hiddenSize
        Initializer.glorotUniform(rows: inputSize, cols: 3 * H, into: kernel.value, rng: &rng)
        Initializer.orthogonal(rows: H, cols: 3 * H, into: recurrentKernel.value, rng: &rng)
    }

    package init(inputSize: Int, hiddenSize: Int) {
        precondition(inputSize >= 1 && hiddenSize >= 1, "GRU sizes must be >= 1")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let H = hiddenSize
        kernel = Parameter("kernel", shape: [inputSize, 3 * H])
        recurrentKernel = Parameter("recurrent_kernel", shape: [H, 3 * H])
        bias = Parameter("bias", shape: [2, 3 * H])
    }

    private init(sharing other: GRUCell) {
        inputSize = other.inputSize
        hiddenSize = other.hiddenSize
        kernel = Parameter(sharing: other.kernel)
        recurrentKernel = Parameter(sharing: other.recurrentKernel)
        bias = Parameter(sharing: other.bias)
    }

    package func replica() -> GRUCell { GRUCell(sharing: self) }

    /// Inputs up to this width are projected inside the fused step instead of by a separate product.
    static let inlineInputs = 8

    package var outputs: UnsafePointer<Float> { trace.outputs }

    package func forward(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: GRUState?) -> GRUState {
        run(input, T, B, repeated, initial, into: trace, keepTrace: true)
    }

    package func infer(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: GRUState?,
                      workspace: GRUWorkspace) -> GRUState {
        run(input, T, B, repeated, initial, into: workspace, keepTrace: false)
    }

    package func inferFinal(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: GRUState?,
                           workspace: GRUWorkspace) -> GRUState {
        run(input, T, B, repeated, initial, into: workspace, keepTrace: false, finalOnly: true)
    }

    /// The fused path where it serves this hidden size, else the unfused one (which always keeps the
    /// trace). Writes only to `w` (and reads the weights).
    private func run(_ input: UnsafePointer<Float>, _ T: Int, _ B: Int, _ repeated: Bool,
                     _ initial: GRUState?, into w: GRUWorkspace, keepTrace: Bool, finalOnly: Bool = false) -> GRUState {
        w.T = T; w.B = B; w.H = hiddenSize; w.repeated = repeated
        return Kernels.fusesSteps(hidden: hiddenSize)
            ? fused(input, T, B, repeated, initial, w, keepTrace: keepTrace, finalOnly: finalOnly && !keepTrace)
            : unfused(input, T, B, repeated, initial, w)
    }

    /// The fused path (`Kernels.gruStep`); without `keepTrace`, neither u nor the gates are stored.
    private func fused(_ input: UnsafePointer<Float>, _ T: Int, _ B: Int, _ repeated: Bool,
                       _ initial: GRUState?, _ w: GRUWorkspace, keepTrace: Bool, finalOnly: Bool = false) -> GRUState {
        let I = inputSize, H = hiddenSize, G = 3 * H
        var x = input
        if keepTrace {
            let nx = (repeated ? 1 : T) * B * I
            x = UnsafePointer(w.xs.ensure(nx))
            w.xs.pointer.update(from: input, count: nx)
        }
        // Slot k of h holds h_k; with finalOnly, h_t and h_t+1 alternate between two slots.
        let h = w.hs.ensure((finalOnly ? 2 : T + 1) * B * H)
        let slot = { (t: Int) in finalOnly ? t & 1 : t }
        if let initial { h.update(from: initial.h.pointer, count: B * H) } else { h.update(repeating: 0, count: B * H) }
        // The input part a = x·W + b_in: per row inside the step for a narrow input; otherwise one
        // product before the loop (over all steps, or once for a repeated input).
        let inline = !repeated && I <= Self.inlineInputs
        let s = w.scratch.ensure(H * G + 384)
        Kernels.packGatePanels(gateCount: 3, hidden: H, inputs: 0, W: nil, U: recurrentKernel.value.pointer, into: s)
        let bIn = bias.value.pointer, bRec = bias.value.pointer + G
        var step = GRUStepOperands(rows: B, hidden: H, inputs: inline ? I : 0, aPre: bIn, aStride: 0,
                                   x: x, W: kernel.value.pointer, bRec: bRec,
                                   panel: s, hPrev: h, hNext: h + B * H, u: nil, gates: nil, tile: s + H * G)
        if !inline {
            let rows = repeated ? B : T * B
            let a = w.xw.ensure(rows * G)
            for r in 0..<rows { (a + r * G).update(from: bIn, count: G) }
            Kernels.gemm(rows, G, I, x, I, kernel.value.pointer, G, a, G, accumulate: true)
            step.aPre = UnsafePointer(a); step.aStride = G
        }
        let a = w.xw.pointer
        let u = keepTrace ? w.hu.ensure(T * B * G) : nil
        let gate = keepTrace ? w.gates.ensure(T * B * G) : nil
        for t in 0..<T {
            step.hPrev = UnsafePointer(h + slot(t) * B * H)
            step.hNext = h + slot(t + 1) * B * H
            if inline { step.x = x + t * B * I } else if !repeated { step.aPre = UnsafePointer(a + t * B * G) }
            if keepTrace {
                step.u = u! + t * B * G
                step.gates = gate! + t * B * G
            }
            Kernels.gruStep(step)
        }
        let final = GRUState.zeros(batch: B, hidden: H)
        final.h.pointer.update(from: h + slot(T) * B * H, count: B * H)
        return final
    }

    /// The unfused path: one gate product per step, then activation passes. Serves every hidden
    /// size and is the fused path's twin.
    private func unfused(_ input: UnsafePointer<Float>, _ T: Int, _ B: Int, _ repeated: Bool, _ initial: GRUState?,
                         _ w: GRUWorkspace) -> GRUState {
        let I = inputSize, H = hiddenSize, G = 3 * H
        let rows = repeated ? B : T * B
        let x = w.xs.ensure(rows * I)
        x.update(from: input, count: rows * I)
        let a = w.xw.ensure(rows * G)
        let u = w.hu.ensure(T * B * G)
        let gate = w.gates.ensure(T * B * G)
        let h = w.hs.ensure((T + 1) * B * H)
        if let initial { h.update(from: initial.h.pointer, count: B * H) } else { h.update(repeating: 0, count: B * H) }
        let bIn = bias.value.pointer, bRec = bias.value.pointer + G
        for r in 0..<rows { (a + r * G).update(from: bIn, count: G) }
        Kernels.gemm(rows, G, I, x, I, kernel.value.pointer, G, a, G, accumulate: true)

        let U = recurrentKernel.value.pointer
        for t in 0..<T {
            let ut = u + t * B * G, gt = gate + t * B * G
            for b in 0..<B { (ut + b * G).update(from: bRec, count: G) }
            Kernels.gemm(B, G, H, h + t * B * H, H, U, G, ut, G, accumulate: true)
            let at = repeated ? a : a + t * B * G
            let hPrev = h + t * B * H, hNext = h + (t + 1) * B * H
            for b in 0..<B {
                let ab = at + b * G, ub = ut + b * G, gb = gt + b * G
                for j in 0..<(2 * H) { gb[j] = ab[j] + ub[j] }
                Activations.sigmoid(gb, 2 * H)                                 // z, r
                for j in 0..<H { gb[2 * H + j] = ab[2 * H + j] + gb[H + j] * ub[2 * H + j] }
                Activations.tanh(gb + 2 * H, H)                                // ĥ
                let hp = hPrev + b * H, hn = hNext + b * H
                for j in 0..<H {
                    let z = gb[j]
                    hn[j] = z * hp[j] + (1 - z) * gb[2 * H + j]
                }
            }
        }
        let final = GRUState.zeros(batch: B, hidden: H)
        final.h.pointer.update(from: h + T * B * H, count: B * H)
        return final
    }

    @discardableResult
    package func backward(dOutputs: UnsafePointer<Float>?, dFinal: GRUState?, dInput: UnsafeMutablePointer<Float>?) -> GRUState {
        let I = inputSize, H = hiddenSize, G = 3 * H
        let T = trace.T, B = trace.B, repeated = trace.repeated
        let gate = trace.gates.pointer, u = trace.hu.pointer, h = trace.hs.pointer, x = trace.xs.pointer
        let dA = dxw.ensure(T * B * G), dU = dhu.ensure(T * B * G)
        let s = trace.scratch.ensure(G * H + 2 * B * H + max(H, I) * T * B + B * G + G * I)
        let UT = s, dh = s + G * H, dhDirect = dh + B * H
        Kernels.transpose(H, G, recurrentKernel.value.pointer, G, UT)
        // Uᵀ serves every step: pack it once (H a multiple of 32) instead of in each product.
        let packed = H % 32 == 0 ? panels.ensure(G * H) : nil
        if let packed { Kernels.packPanels(G, H, UT, H, into: packed) }
        if let dFinal { dh.update(from: dFinal.h.pointer, count: B * H) } else { dh.update(repeating: 0, count: B * H) }

        for t in stride(from: T - 1, through: 0, by: -1) {
            if let dOutputs {
                let d = dOutputs + t * B * H
                for k in 0..<(B * H) { dh[k] += d[k] }
            }
            let gt = gate + t * B * G, ut = u + t * B * G
            let dat = dA + t * B * G, dut = dU + t * B * G, hPrev = h + t * B * H
            for b in 0..<B {
                let gb = gt + b * G, ub = ut + b * G, da = dat + b * G, du = dut + b * G
                let hp = hPrev + b * H, dhb = dh + b * H, dd = dhDirect + b * H
                var j = 0
                while j < H {   // 16 units at a time; the same lane-wise arithmetic for a short tail
                    let n = min(16, H - j)
                    let z = Kernels.load(gb + j, n), r = Kernels.load(gb + H + j, n), hh = Kernels.load(gb + 2 * H + j, n)
                    let d = Kernels.load(dhb + j, n)
                    let dah = d * (1 - z) * (1 - hh * hh)   // pre-activation of ĥ
                    let daz = d * (Kernels.load(hp + j, n) - hh) * z * (1 - z)
                    let dar = dah * Kernels.load(ub + 2 * H + j, n) * r * (1 - r)
                    Kernels.store(daz, da + j, n); Kernels.store(dar, da + H + j, n); Kernels.store(dah, da + 2 * H + j, n)
                    Kernels.store(daz, du + j, n); Kernels.store(dar, du + H + j, n); Kernels.store(dah * r, du + 2 * H + j, n)
                    Kernels.store(d * z, dd + j, n)          // h' = z·h + ...
                    j += 16
                }
            }
            // dU += h_{t-1}ᵀ·du_t while du_t is in cache; dh_{t-1} = z ⊙ dh + du_t · Uᵀ.
            Kernels.gemmTN(H, G, B, hPrev, H, dut, G, recurrentKernel.grad.pointer, G)
            dh.update(from: dhDirect, count: B * H)
            if let packed { Kernels.gemmPacked(B, H, G, dut, G, panels: packed, dh, H, accumulate: true) }
            else { Kernels.gemm(B, H, G, dut, G, UT, H, dh, H, accumulate: true) }
        }
        let big = s + G * H + 2 * B * H
        Kernels.addColumnSums(T * B, G, dU, bias.grad.pointer + G)
        let WT = big + max(H, I) * T * B + B * G
        Kernels.transpose(I, G, kernel.value.pointer, G, WT)
        var rows = T * B
        var dAin = dA
        if repeated {
            let sum = big + max(H, I) * T * B
            Kernels.sumOverSteps(T, B * G, dA, sum)
            rows = B
            dAin = sum
        }
        Kernels.gemmTN(I, G, rows, x, I, dAin, G, kernel.grad.pointer, G)
        Kernels.addColumnSums(rows, G, dAin, bias.grad.pointer)
        if let dInput { Kernels.gemm(rows, I, G, dAin, G, WT, I, dInput, I, accumulate: false) }
        let d0 = GRUState.zeros(batch: B, hidden: H)
        d0.h.pointer.update(from: dh, count: B * H)
        return d0
    }
}

/// What one run of a `GRUCell` writes (see `CellWorkspace`), time-major.
package final class GRUWorkspace: CellWorkspace {
    var T = 0, B = 0, H = 0, repeated = false
    var xs = TraceBuffer()      // (T, B, I) or (B, I); training only
    var xw = TraceBuffer()      // (T, B, 3H) or (B, 3H): x·W + b_in
    var hu = TraceBuffer()      // (T, B, 3H): h·U + b_rec; training only
    var gates = TraceBuffer()   // (T, B, 3H): [z r ĥ]; training only
    var hs = TraceBuffer()      // (T+1, B, H), h_0 first
    var scratch = TraceBuffer() // packed panels, tiles, transposes

    package init() {}

    package var outputs: UnsafePointer<Float> { UnsafePointer(hs.pointer + B * H) }
}
