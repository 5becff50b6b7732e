/// A long short-term memory layer with Keras' equations, gate order, initialisers and defaults.
///
/// Per step, with z = x·W + h·U + b split into four (B, H) blocks in Keras' order [i f c o]:
///
///     i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
///     c' = f ⊙ c + i ⊙ g        h' = o ⊙ tanh(c')
///
/// `kernel` W is (I, 4H), glorot-uniform; `recurrent_kernel` U is (H, 4H), orthogonal; `bias` b is
/// (4H), zeros except the forget block, which is 1 (`unit_forget_bias=True`). Weights exported
/// from Keras load as they are. The state is `LSTMState` (h, c); swapping in a GRU is one word:
///
///     let encoder = LSTMCell(inputSize: 1, hiddenSize: 64, rng: &rng)
///     let decoder = GRUCell(inputSize: 64, hiddenSize: 64, rng: &rng)
///     let model = Seq2Seq(encoder: [encoder], decoder: [decoder], bridge: LSTMToGRUBridge(), ...)
///
/// - Complexity: forward 2·B·(I + H)·4H flops per step (the input part once per sequence when the
///   input is repeated); backward about twice that.
package final class LSTMCell: RecurrentCell {
    package typealias State = LSTMState
    package typealias Workspace = LSTMWorkspace
    package let inputSize: Int
    package let hiddenSize: Int
    /// W, (I, 4H).
    package let kernel: Parameter
    /// U, (H, 4H).
    package let recurrentKernel: Parameter
    /// b, (4H).
    package let bias: Parameter
    package var parameters: [Parameter] { [kernel, recurrentKernel, bias] }

    // Trace of the last forward pass (training only; `infer` writes to the caller's workspace).
    private let trace = LSTMWorkspace()
    private var dz = TraceBuffer()      // (T, B, 4H)
    private var panels = TraceBuffer()  // Uᵀ packed for the backward products

    package convenience init(inputSize: Int, hiddenSize: Int, rng: inout SeededGenerator) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize)
        let H = hiddenSize
        Initializer.glorotUniform(rows: inputSize, cols: 4 * H, into: kernel.value, rng: &rng)
        Initializer.orthogonal(rows: H, cols: 4 * H, into: recurrentKernel.value, rng: &rng)
        for j in H..<(2 * H) { bias.value[j] = 1 }
    }

    package init(inputSize: Int, hiddenSize: Int) {
        precondition(inputSize >= 1 && hiddenSize >= 1, "LSTM sizes must be >= 1")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let H = hiddenSize
        kernel = Parameter("kernel", shape: [inputSize, 4 * H])
        recurrentKernel = Parameter("recurrent_kernel", shape: [H, 4 * H])
        bias = Parameter("bias", shape: [4 * H])
    }

    private init(sharing other: LSTMCell) {
        inputSize = other.inputSize
        hiddenSize = other.hiddenSize
        kernel = Parameter(sharing: other.kernel)
        recurrentKernel = Parameter(sharing: other.recurrentKernel)
        bias = Parameter(sharing: other.bias)
    }

    package func replica() -> LSTMCell { LSTMCell(sharing: self) }

    package var outputs: UnsafePointer<Float> { trace.outputs }

    package func forward(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: LSTMState?) -> LSTMState {
        run(input, T, B, repeated, initial, into: trace, keepTrace: true)
    }

    package func infer(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: LSTMState?,
                      workspace: LSTMWorkspace) -> LSTMState {
        run(input, T, B, repeated, initial, into: workspace, keepTrace: false)
    }

    package func inferFinal(_ input: UnsafePointer<Float>, steps T: Int, batch B: Int, repeated: Bool, initial: LSTMState?,
                           workspace: LSTMWorkspace) -> LSTMState {
        run(input, T, B, repeated, initial, into: workspace, keepTrace: false, finalOnly: true)
    }

    /// The fused path where it serves this hidden size, else the unfused one (which always keeps the
    /// trace). Writes only to `w` (and reads the weights).
    private func run(_ input: UnsafePointer<Float>, _ T: Int, _ B: Int, _ repeated: Bool,
                     _ initial: LSTMState?, into w: LSTMWorkspace, keepTrace: Bool, finalOnly: Bool = false) -> LSTMState {
        w.T = T; w.B = B; w.H = hiddenSize; w.repeated = repeated
        return Kernels.fusesSteps(hidden: hiddenSize)
            ? fused(input, T, B, repeated, initial, w, keepTrace: keepTrace, finalOnly: finalOnly && !keepTrace)
            : unfused(input, T, B, repeated, initial, w)
    }

    /// Writes the initial state (zeros when nil) into h and c.
    private static func start(_ h: UnsafeMutablePointer<Float>, _ c: UnsafeMutablePointer<Float>, from initial: LSTMState?, count n: Int) {
        if let initial {
            h.update(from: initial.h.pointer, count: n)
            c.update(from: initial.c.pointer, count: n)
        } else {
            h.update(repeating: 0, count: n)
            c.update(repeating: 0, count: n)
        }
    }

    /// The fused path (`Kernels.lstmStep`); without `keepTrace`, c is updated in place and neither
    /// gates nor tanh(c) are stored.
    private func fused(_ input: UnsafePointer<Float>, _ T: Int, _ B: Int, _ repeated: Bool,
                       _ initial: LSTMState?, _ w: LSTMWorkspace, keepTrace: Bool, finalOnly: Bool = false) -> LSTMState {
        let I = inputSize, H = hiddenSize, G = 4 * H
        var x = input
        if keepTrace {
            let nx = (repeated ? 1 : T) * B * I
            x = UnsafePointer(w.xs.ensure(nx))
            w.xs.pointer.update(from: input, count: nx)
        }
        // Slot k of h holds h_k; with finalOnly, h_t and h_t+1 alternate between two slots.
        let h = w.hs.ensure((finalOnly ? 2 : T + 1) * B * H)
        let slot = { (t: Int) in finalOnly ? t & 1 : t }
        let c = w.cs.ensure((keepTrace ? T + 1 : 1) * B * H)
        Self.start(h, c, from: initial, count: B * H)
        let kx = repeated ? 0 : I
        let s = w.scratch.ensure((kx + H) * G + 384 + (repeated ? B * G : 0))
        Kernels.packGatePanels(gateCount: 4, hidden: H, inputs: kx, W: kernel.value.pointer,
                               U: recurrentKernel.value.pointer, into: s)
        var step = LSTMStepOperands(rows: B, hidden: H, inputs: kx, pre: bias.value.pointer, preStride: 0,
                                    x: x, panel: s, hPrev: h, cPrev: c, hNext: h + B * H, cNext: c,
                                    gates: nil, tanhC: nil, tile: s + (kx + H) * G)
        if repeated {
            // x·W + b once for the whole sequence.
            let xw = s + (kx + H) * G + 384
            for r in 0..<B { (xw + r * G).update(from: bias.value.pointer, count: G) }
            Kernels.gemm(B, G, I, x, I, kernel.value.pointer, G, xw, G, accumulate: true)
            step.pre = UnsafePointer(xw); step.preStride = G
        }
        let gate = keepTrace ? w.gates.ensure(T * B * G) : nil
        let tc = keepTrace ? w.tcs.ensure(T * B * H) : nil
        for t in 0..<T {
            step.hPrev = UnsafePointer(h + slot(t) * B * H)
            step.hNext = h + slot(t + 1) * B * H
            if !repeated { step.x = x + t * B * I }
            if keepTrace {
                step.cPrev = UnsafePointer(c + t * B * H)
                step.cNext = c + (t + 1) * B * H
                step.gates = gate! + t * B * G
                step.tanhC = tc! + t * B * H
            }
            Kernels.lstmStep(step)
        }
        let final = LSTMState.zeros(batch: B, hidden: H)
        final.h.pointer.update(from: h + slot(T) * B * H, count: B * H)
        final.c.pointer.update(from: keepTrace ? c + T * B * H : c, count: B * H)
        return final
    }

    /// The unfused path: one gate product per step, then activation passes. Serves every hidden
    /// size and is the fused path's twin.
    private func unfused(_ input: UnsafePointer<Float>, _ T: Int, _ B: Int, _ repeated: Bool, _ initial: LSTMState?,
                         _ w: LSTMWorkspace) -> LSTMState {
        let I = inputSize, H = hiddenSize, G = 4 * H
        let nx = (repeated ? 1 : T) * B * I
        let x = w.xs.ensure(nx)
        x.update(from: input, count: nx)
        let gate = w.gates.ensure(T * B * G)
        let c = w.cs.ensure((T + 1) * B * H)
        let h = w.hs.ensure((T + 1) * B * H)
        let tc = w.tcs.ensure(T * B * H)
        let xw = w.scratch.ensure(B * G)
        Self.start(h, c, from: initial, count: B * H)
        // Input projection + bias: once for a repeated input, else for all T·B rows in one product.
        let rows = repeated ? B : T * B
        let dst = repeated ? xw : gate
        for r in 0..<rows { (dst + r * G).update(from: bias.value.pointer, count: G) }
        Kernels.gemm(rows, G, I, x, I, kernel.value.pointer, G, dst, G, accumulate: true)

        let U = recurrentKernel.value.pointer
        for t in 0..<T {
            let z = gate + t * B * G                      // (B, 4H)
            if repeated { z.update(from: xw, count: B * G) }
            Kernels.gemm(B, G, H, h + t * B * H, H, U, G, z, G, accumulate: true)
            let cPrev = c + t * B * H, cNext = c + (t + 1) * B * H
            let hNext = h + (t + 1) * B * H, tct = tc + t * B * H
            for b in 0..<B {
                let zb = z + b * G
                Activations.sigmoid(zb, 2 * H)             // i, f
                Activations.tanh(zb + 2 * H, H)            // g
                Activations.sigmoid(zb + 3 * H, H)         // o
                let cp = cPrev + b * H, cn = cNext + b * H, hn = hNext + b * H, tcb = tct + b * H
                for j in 0..<H {
                    cn[j] = zb[H + j] * cp[j] + zb[j] * zb[2 * H + j]
                }
                (tcb).update(from: cn, count: H)
                Activations.tanh(tcb, H)
                for j in 0..<H { hn[j] = zb[3 * H + j] * tcb[j] }
            }
        }
        let final = LSTMState.zeros(batch: B, hidden: H)
        final.h.pointer.update(from: h + T * B * H, count: B * H)
        final.c.pointer.update(from: c + T * B * H, count: B * H)
        return final
    }

    @discardableResult
    package func backward(dOutputs: UnsafePointer<Float>?, dFinal: LSTMState?, dInput: UnsafeMutablePointer<Float>?) -> LSTMState {
        let I = inputSize, H = hiddenSize, G = 4 * H
        let T = trace.T, B = trace.B, repeated = trace.repeated
        let gate = trace.gates.pointer, c = trace.cs.pointer, h = trace.hs.pointer, tc = trace.tcs.pointer, x = trace.xs.pointer
        let dZ = dz.ensure(T * B * G)
        // scratch: Uᵀ (4H, H) | dh (B, H) | dc (B, H) | larger transposes after the loop
        let need = G * H + 2 * B * H + max(H, I) * T * B + B * G + G * I
        let s = trace.scratch.ensure(need)
        let UT = s, dh = s + G * H, dc = dh + B * H
        Kernels.transpose(H, G, recurrentKernel.value.pointer, G, UT)
        // Uᵀ serves every step: pack it once (H a multiple of 32) instead of in each product.
        let packed = H % 32 == 0 ? panels.ensure(G * H) : nil
        if let packed { Kernels.packPanels(G, H, UT, H, into: packed) }
        if let dFinal { dh.update(from: dFinal.h.pointer, count: B * H); dc.update(from: dFinal.c.pointer, count: B * H) }
        else { dh.update(repeating: 0, count: B * H); dc.update(repeating: 0, count: B * H) }

        for t in stride(from: T - 1, through: 0, by: -1) {
            let dzt = dZ + t * B * G
            Kernels.lstmBackwardStep(rows: B, hidden: H, gates: gate + t * B * G, tanhC: tc + t * B * H, cPrev: c + t * B * H,
                                     dOutput: dOutputs.map { $0 + t * B * H }, dh: dh, dc: dc, dz: dzt)
            // dU += h_{t-1}ᵀ·dz_t while dz_t is still in cache; then dh_{t-1} = dz_t · Uᵀ.
            Kernels.gemmTN(H, G, B, h + t * B * H, H, dzt, G, recurrentKernel.grad.pointer, G)
            if let packed { Kernels.gemmPacked(B, H, G, dzt, G, panels: packed, dh, H, accumulate: false) }
            else { Kernels.gemm(B, H, G, dzt, G, UT, H, dh, H, accumulate: false) }
        }
        // Input weights over all steps at once: dW += Xᵀ·dZ, db += Σ dZ.
        let big = s + G * H + 2 * B * H
        let WT = big + max(H, I) * T * B + B * G   // Wᵀ, (4H, I)
        Kernels.transpose(I, G, kernel.value.pointer, G, WT)
        if repeated {
            let sum = big + max(H, I) * T * B   // (B, 4H): Σ_t dZ_t
            Kernels.sumOverSteps(T, B * G, dZ, sum)
            Kernels.gemmTN(I, G, B, x, I, sum, G, kernel.grad.pointer, G)
            Kernels.addColumnSums(B, G, sum, bias.grad.pointer)
            if let dInput { Kernels.gemm(B, I, G, sum, G, WT, I, dInput, I, accumulate: false) }
        } else {
            Kernels.gemmTN(I, G, T * B, x, I, dZ, G, kernel.grad.pointer, G)
            Kernels.addColumnSums(T * B, G, dZ, bias.grad.pointer)
            if let dInput { Kernels.gemm(T * B, I, G, dZ, G, WT, I, dInput, I, accumulate: false) }
        }
        let d0 = LSTMState.zeros(batch: B, hidden: H)
        d0.h.pointer.update(from: dh, count: B * H)
        d0.c.pointer.update(from: dc, count: B * H)
        return d0
    }
}

/// What one run of an `LSTMCell` writes (see `CellWorkspace`), time-major.
package final class LSTMWorkspace: CellWorkspace {
    var T = 0, B = 0, H = 0, repeated = false
    var xs = TraceBuffer()      // (T, B, I) or (B, I); training only
    var gates = TraceBuffer()   // (T, B, 4H) activated [i f g o]; training only
    var cs = TraceBuffer()      // (T+1, B, H), c_0 first; one (B, H) block, updated in place, when inferring
    var hs = TraceBuffer()      // (T+1, B, H), h_0 first
    var tcs = TraceBuffer()     // (T, B, H) tanh(c_t); training only
    var scratch = TraceBuffer() // packed panels, transposes, xw, sums

    package init() {}

    package var outputs: UnsafePointer<Float> { UnsafePointer(hs.pointer + B * H) }
}
