/// Fused recurrent steps: the gate product of a block of rows is kept in registers and turned into
/// gates, cell state and output before it ever reaches memory.
///
/// The weights [W; U] are first packed by `packGatePanels` so that, for each block of 16 hidden
/// units, the columns of all gates of those units sit side by side (64 floats per row for an LSTM,
/// 48 for a GRU). A 4-row micro-kernel then holds every gate of 4 rows x 16 units in 16 (LSTM) or
/// 24 (GRU) SIMD16 accumulators across the K loop and finishes the step in registers.
///
/// Each pre-activation is summed in exactly the order of the unfused path (initial value, then the
/// input rows, then the recurrent rows, one fused multiply-add each) and goes through the same
/// activation functions, so the fused and unfused steps give bit-identical results; tests check it.
/// Hidden sizes that are not a multiple of 16 use the unfused path.
///
/// On x86-64 the steps run in C (CForecastKernels; see `Kernels.backend`), with this code as the
/// readable twin.
extension Kernels {
    /// Whether the fused steps serve this hidden size (and are not switched off).
    static func fusesSteps(hidden H: Int) -> Bool { H % 16 == 0 && !reference && fusedSteps }

    /// When false, the cells use the unfused path (gate product, then activation passes) even where
    /// a fused step exists. Task-local, for the tests that compare the two.
    @TaskLocal package static var fusedSteps = true

    /// Packs `gateCount` gate blocks of [W (I, gateCount·H); U (H, gateCount·H)] into panels:
    /// panel c holds, for k in 0..<(I + H), the 16 columns of units 16c..<16c+16 of every gate.
    /// `W` may be nil when I is 0.
    static func packGatePanels(gateCount nG: Int, hidden H: Int, inputs I: Int,
                               W: UnsafePointer<Float>?, U: UnsafePointer<Float>,
                               into dst: UnsafeMutablePointer<Float>) {
        let G = nG * H, K = I + H
        var d = dst
        for c in 0..<(H / 16) {
            for k in 0..<K {
                let row = k < I ? W! + k * G : U + (k - I) * G
                for q in 0..<nG { store(load(row + q * H + c * 16), d + q * 16) }
                d += nG * 16
            }
        }
    }
}

/// The operands of one fused LSTM step over B rows (all row-major):
/// z = pre + x·W + hPrev·U, gates [i f g o], c' = f·c + i·g, h' = o·tanh(c').
struct LSTMStepOperands {
    var rows: Int, hidden: Int, inputs: Int
    /// Initial value of z: the bias (stride 0) or per-row precomputed x·W + b (stride 4H).
    var pre: UnsafePointer<Float>, preStride: Int
    /// Input rows (`inputs` values each); unused when `inputs` is 0.
    var x: UnsafePointer<Float>
    /// `Kernels.packGatePanels(gateCount: 4, ...)` of [W; U] (W only when `inputs` > 0).
    var panel: UnsafePointer<Float>
    var hPrev: UnsafePointer<Float>, cPrev: UnsafePointer<Float>
    /// May equal `cPrev` (each value is read before it is overwritten); must not overlap `hPrev`.
    var hNext: UnsafeMutablePointer<Float>, cNext: UnsafeMutablePointer<Float>
    /// Training trace: activated gates (B, 4H) and tanh(c') (B, H); nil for inference.
    var gates: UnsafeMutablePointer<Float>?, tanhC: UnsafeMutablePointer<Float>?
    /// 384 floats of scratch (6 rows x 4 gates x 16 units).
    var tile: UnsafeMutablePointer<Float>
}

/// The operands of one fused GRU step (reset_after) over B rows:
/// a = aPre + x·W, u = bRec + hPrev·U, z = σ(a_z + u_z), r = σ(a_r + u_r), ĥ = tanh(a_h + r·u_h),
/// h' = z·h + (1 − z)·ĥ. The input part a is kept apart from u (r multiplies u_h only), so only u
/// is a register-blocked product; the few input terms of a narrow input are added per row.
struct GRUStepOperands {
    var rows: Int, hidden: Int, inputs: Int
    /// Initial value of a: the input bias (stride 0) or per-row precomputed x·W + b_in (stride 3H).
    var aPre: UnsafePointer<Float>, aStride: Int
    /// Input rows (`inputs` values each) and W (inputs, 3H); unused when `inputs` is 0.
    var x: UnsafePointer<Float>, W: UnsafePointer<Float>
    /// The recurrent bias (3H).
    var bRec: UnsafePointer<Float>
    /// `Kernels.packGatePanels(gateCount: 3, inputs: 0, ...)` of U.
    var panel: UnsafePointer<Float>
    var hPrev: UnsafePointer<Float>
    var hNext: UnsafeMutablePointer<Float>
    /// Training trace: u (B, 3H) and the gates [z r ĥ] (B, 3H); nil for inference.
    var u: UnsafeMutablePointer<Float>?, gates: UnsafeMutablePointer<Float>?
    /// 384 floats of scratch (8 rows x 3 gates x 16 units).
    var tile: UnsafeMutablePointer<Float>
}

extension Kernels {
    /// One fused LSTM step. Panels outside (one stays in L1), blocks of 4 rows inside.
    static func lstmStep(_ s: LSTMStepOperands) {
        if let native { return native.lstmStep(s) }
        let K = s.inputs + s.hidden
        for c in 0..<(s.hidden / 16) {
            let panel = s.panel + c * K * 64
            var r = 0
            while r + 6 <= s.rows { lstmRows6(s, r, c * 16, panel); r += 6 }
            while r + 4 <= s.rows { lstmRows4(s, r, c * 16, panel); r += 4 }
            while r < s.rows { lstmRow(s, r, c * 16, panel); r += 1 }
        }
    }

    /// Rows r0..<r0+6: 24 accumulators, so each panel load serves six rows.
    @inline(never)
    static func lstmRows6(_ s: LSTMStepOperands, _ r0: Int, _ j: Int, _ panel: UnsafePointer<Float>) {
        let H = s.hidden, I = s.inputs, ps = s.preStride
        let p0 = s.pre + r0 * ps + j, p1 = p0 + ps, p2 = p1 + ps, p3 = p2 + ps, p4 = p3 + ps, p5 = p4 + ps
        var z00 = load(p0), z01 = load(p0 + H), z02 = load(p0 + 2 * H), z03 = load(p0 + 3 * H)
        var z10 = load(p1), z11 = load(p1 + H), z12 = load(p1 + 2 * H), z13 = load(p1 + 3 * H)
        var z20 = load(p2), z21 = load(p2 + H), z22 = load(p2 + 2 * H), z23 = load(p2 + 3 * H)
        var z30 = load(p3), z31 = load(p3 + H), z32 = load(p3 + 2 * H), z33 = load(p3 + 3 * H)
        var z40 = load(p4), z41 = load(p4 + H), z42 = load(p4 + 2 * H), z43 = load(p4 + 3 * H)
        var z50 = load(p5), z51 = load(p5 + H), z52 = load(p5 + 2 * H), z53 = load(p5 + 3 * H)
        var w = panel
        for part in 0..<2 {
            let n = part == 0 ? I : H
            let a0 = part == 0 ? s.x + r0 * I : s.hPrev + r0 * H
            let a1 = a0 + n, a2 = a1 + n, a3 = a2 + n, a4 = a3 + n, a5 = a4 + n
            for k in 0..<n {
                let b0 = load(w), b1 = load(w + 16), b2 = load(w + 32), b3 = load(w + 48)
                var q = V(repeating: a0[k])
                z00.addProduct(q, b0); z01.addProduct(q, b1); z02.addProduct(q, b2); z03.addProduct(q, b3)
                q = V(repeating: a1[k])
                z10.addProduct(q, b0); z11.addProduct(q, b1); z12.addProduct(q, b2); z13.addProduct(q, b3)
                q = V(repeating: a2[k])
                z20.addProduct(q, b0); z21.addProduct(q, b1); z22.addProduct(q, b2); z23.addProduct(q, b3)
                q = V(repeating: a3[k])
                z30.addProduct(q, b0); z31.addProduct(q, b1); z32.addProduct(q, b2); z33.addProduct(q, b3)
                q = V(repeating: a4[k])
                z40.addProduct(q, b0); z41.addProduct(q, b1); z42.addProduct(q, b2); z43.addProduct(q, b3)
                q = V(repeating: a5[k])
                z50.addProduct(q, b0); z51.addProduct(q, b1); z52.addProduct(q, b2); z53.addProduct(q, b3)
                w += 64
            }
        }
        let t = s.tile
        store(z00, t); store(z01, t + 16); store(z02, t + 32); store(z03, t + 48)
        store(z10, t + 64); store(z11, t + 80); store(z12, t + 96); store(z13, t + 112)
        store(z20, t + 128); store(z21, t + 144); store(z22, t + 160); store(z23, t + 176)
        store(z30, t + 192); store(z31, t + 208); store(z32, t + 224); store(z33, t + 240)
        store(z40, t + 256); store(z41, t + 272); store(z42, t + 288); store(z43, t + 304)
        store(z50, t + 320); store(z51, t + 336); store(z52, t + 352); store(z53, t + 368)
        lstmFinish(s, r0, 6, j)
    }

    @inline(never)
    static func lstmRows4(_ s: LSTMStepOperands, _ r0: Int, _ j: Int, _ panel: UnsafePointer<Float>) {
        let H = s.hidden, I = s.inputs
        let p0 = s.pre + r0 * s.preStride + j, p1 = p0 + s.preStride, p2 = p1 + s.preStride, p3 = p2 + s.preStride
        var z00 = load(p0), z01 = load(p0 + H), z02 = load(p0 + 2 * H), z03 = load(p0 + 3 * H)
        var z10 = load(p1), z11 = load(p1 + H), z12 = load(p1 + 2 * H), z13 = load(p1 + 3 * H)
        var z20 = load(p2), z21 = load(p2 + H), z22 = load(p2 + 2 * H), z23 = load(p2 + 3 * H)
        var z30 = load(p3), z31 = load(p3 + H), z32 = load(p3 + 2 * H), z33 = load(p3 + 3 * H)
        var w = panel
        // Two runs over the panel: the input rows (x, I values), then the recurrent rows (h, H values).
        for part in 0..<2 {
            let n = part == 0 ? I : H
            let a0 = part == 0 ? s.x + r0 * I : s.hPrev + r0 * H, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n
            for k in 0..<n {
                let b0 = load(w), b1 = load(w + 16), b2 = load(w + 32), b3 = load(w + 48)
                let s0 = V(repeating: a0[k]), s1 = V(repeating: a1[k])
                let s2 = V(repeating: a2[k]), s3 = V(repeating: a3[k])
                z00.addProduct(s0, b0); z01.addProduct(s0, b1); z02.addProduct(s0, b2); z03.addProduct(s0, b3)
                z10.addProduct(s1, b0); z11.addProduct(s1, b1); z12.addProduct(s1, b2); z13.addProduct(s1, b3)
                z20.addProduct(s2, b0); z21.addProduct(s2, b1); z22.addProduct(s2, b2); z23.addProduct(s2, b3)
                z30.addProduct(s3, b0); z31.addProduct(s3, b1); z32.addProduct(s3, b2); z33.addProduct(s3, b3)
                w += 64
            }
        }
        // Through a 4 x 64 tile in L1 to the activation pass (cheaper than passing 16 registers).
        let t = s.tile
        store(z00, t); store(z01, t + 16); store(z02, t + 32); store(z03, t + 48)
        store(z10, t + 64); store(z11, t + 80); store(z12, t + 96); store(z13, t + 112)
        store(z20, t + 128); store(z21, t + 144); store(z22, t + 160); store(z23, t + 176)
        store(z30, t + 192); store(z31, t + 208); store(z32, t + 224); store(z33, t + 240)
        lstmFinish(s, r0, 4, j)
    }

    @inline(__always)
    static func lstmRow(_ s: LSTMStepOperands, _ r: Int, _ j: Int, _ panel: UnsafePointer<Float>) {
        let H = s.hidden, I = s.inputs
        let p = s.pre + r * s.preStride + j
        var z0 = load(p), z1 = load(p + H), z2 = load(p + 2 * H), z3 = load(p + 3 * H)
        var w = panel
        for part in 0..<2 {
            let n = part == 0 ? I : H
            let a = part == 0 ? s.x + r * I : s.hPrev + r * H
            for k in 0..<n {
                let s0 = V(repeating: a[k])
                z0.addProduct(s0, load(w)); z1.addProduct(s0, load(w + 16))
                z2.addProduct(s0, load(w + 32)); z3.addProduct(s0, load(w + 48))
                w += 64
            }
        }
        let t = s.tile
        store(z0, t); store(z1, t + 16); store(z2, t + 32); store(z3, t + 48)
        lstmFinish(s, r, 1, j)
    }

    /// Gates, cell and output of rows r0..<r0+n, units j..<j+16, from the pre-activations in the tile.
    @inline(__always)
    static func lstmFinish(_ s: LSTMStepOperands, _ r0: Int, _ n: Int, _ j: Int) {
        let H = s.hidden
        for k in 0..<n {
            let r = r0 + k, z = s.tile + k * 64
            let i = Activations.sigmoid(load(z)), f = Activations.sigmoid(load(z + 16))
            let g = Activations.tanh(load(z + 32)), o = Activations.sigmoid(load(z + 48))
            let at = r * H + j
            let c = f * load(s.cPrev + at) + i * g
            let tc = Activations.tanh(c)
            store(c, s.cNext + at)
            store(o * tc, s.hNext + at)
            if let gates = s.gates {
                let gr = gates + r * 4 * H + j
                store(i, gr); store(f, gr + H); store(g, gr + 2 * H); store(o, gr + 3 * H)
            }
            if let t = s.tanhC { store(tc, t + at) }
        }
    }

    /// One fused GRU step. Panels outside, blocks of 4 rows inside.
    static func gruStep(_ s: GRUStepOperands) {
        if let native { return native.gruStep(s) }
        for c in 0..<(s.hidden / 16) {
            let panel = s.panel + c * s.hidden * 48
            var r = 0
            while r + 8 <= s.rows { gruRows8(s, r, c * 16, panel); r += 8 }
            while r + 4 <= s.rows { gruRows4(s, r, c * 16, panel); r += 4 }
            while r < s.rows { gruRow(s, r, c * 16, panel); r += 1 }
        }
    }

    /// Rows r0..<r0+8: 24 accumulators, so each panel load serves eight rows.
    @inline(never)
    static func gruRows8(_ s: GRUStepOperands, _ r0: Int, _ j: Int, _ panel: UnsafePointer<Float>) {
        let H = s.hidden
        let q = s.bRec + j
        var u00 = load(q), u01 = load(q + H), u02 = load(q + 2 * H)
        var u10 = load(q), u11 = load(q + H), u12 = load(q + 2 * H)
        var u20 = load(q), u21 = load(q + H), u22 = load(q + 2 * H)
        var u30 = load(q), u31 = load(q + H), u32 = load(q + 2 * H)
        var u40 = load(q), u41 = load(q + H), u42 = load(q + 2 * H)
        var u50 = load(q), u51 = load(q + H), u52 = load(q + 2 * H)
        var u60 = load(q), u61 = load(q + H), u62 = load(q + 2 * H)
        var u70 = load(q), u71 = load(q + H), u72 = load(q + 2 * H)
        let h0 = s.hPrev + r0 * H, h1 = h0 + H, h2 = h1 + H, h3 = h2 + H
        let h4 = h3 + H, h5 = h4 + H, h6 = h5 + H, h7 = h6 + H
        var w = panel
        for k in 0..<H {
            let b0 = load(w), b1 = load(w + 16), b2 = load(w + 32)
            var a = V(repeating: h0[k]); u00.addProduct(a, b0); u01.addProduct(a, b1); u02.addProduct(a, b2)
            a = V(repeating: h1[k]); u10.addProduct(a, b0); u11.addProduct(a, b1); u12.addProduct(a, b2)
            a = V(repeating: h2[k]); u20.addProduct(a, b0); u21.addProduct(a, b1); u22.addProduct(a, b2)
            a = V(repeating: h3[k]); u30.addProduct(a, b0); u31.addProduct(a, b1); u32.addProduct(a, b2)
            a = V(repeating: h4[k]); u40.addProduct(a, b0); u41.addProduct(a, b1); u42.addProduct(a, b2)
            a = V(repeating: h5[k]); u50.addProduct(a, b0); u51.addProduct(a, b1); u52.addProduct(a, b2)
            a = V(repeating: h6[k]); u60.addProduct(a, b0); u61.addProduct(a, b1); u62.addProduct(a, b2)
            a = V(repeating: h7[k]); u70.addProduct(a, b0); u71.addProduct(a, b1); u72.addProduct(a, b2)
            w += 48
        }
        let t = s.tile
        store(u00, t); store(u01, t + 16); store(u02, t + 32)
        store(u10, t + 48); store(u11, t + 64); store(u12, t + 80)
        store(u20, t + 96); store(u21, t + 112); store(u22, t + 128)
        store(u30, t + 144); store(u31, t + 160); store(u32, t + 176)
        store(u40, t + 192); store(u41, t + 208); store(u42, t + 224)
        store(u50, t + 240); store(u51, t + 256); store(u52, t + 272)
        store(u60, t + 288); store(u61, t + 304); store(u62, t + 320)
        store(u70, t + 336); store(u71, t + 352); store(u72, t + 368)
        gruFinish(s, r0, 8, j)
    }

    @inline(never)
    static func gruRows4(_ s: GRUStepOperands, _ r0: Int, _ j: Int, _ panel: UnsafePointer<Float>) {
        let H = s.hidden
        let q = s.bRec + j
        var u00 = load(q), u01 = load(q + H), u02 = load(q + 2 * H)
        var u10 = load(q), u11 = load(q + H), u12 = load(q + 2 * H)
        var u20 = load(q), u21 = load(q + H), u22 = load(q + 2 * H)
        var u30 = load(q), u31 = load(q + H), u32 = load(q + 2 * H)
        let h0 = s.hPrev + r0 * H, h1 = h0 + H, h2 = h1 + H, h3 = h2 + H
        var w = panel
        for k in 0..<H {
            let b0 = load(w), b1 = load(w + 16), b2 = load(w + 32)
            let s0 = V(repeating: h0[k]), s1 = V(repeating: h1[k])
            let s2 = V(repeating: h2[k]), s3 = V(repeating: h3[k])
            u00.addProduct(s0, b0); u01.addProduct(s0, b1); u02.addProduct(s0, b2)
            u10.addProduct(s1, b0); u11.addProduct(s1, b1); u12.addProduct(s1, b2)
            u20.addProduct(s2, b0); u21.addProduct(s2, b1); u22.addProduct(s2, b2)
            u30.addProduct(s3, b0); u31.addProduct(s3, b1); u32.addProduct(s3, b2)
            w += 48
        }
        let t = s.tile
        store(u00, t); store(u01, t + 16); store(u02, t + 32)
        store(u10, t + 48); store(u11, t + 64); store(u12, t + 80)
        store(u20, t + 96); store(u21, t + 112); store(u22, t + 128)
        store(u30, t + 144); store(u31, t + 160); store(u32, t + 176)
        gruFinish(s, r0, 4, j)
    }

    @inline(__always)
    static func gruRow(_ s: GRUStepOperands, _ r: Int, _ j: Int, _ panel: UnsafePointer<Float>) {
        let H = s.hidden
        let q = s.bRec + j
        var u0 = load(q), u1 = load(q + H), u2 = load(q + 2 * H)
        let h = s.hPrev + r * H
        var w = panel
        for k in 0..<H {
            let s0 = V(repeating: h[k])
            u0.addProduct(s0, load(w)); u1.addProduct(s0, load(w + 16)); u2.addProduct(s0, load(w + 32))
            w += 48
        }
        let t = s.tile
        store(u0, t); store(u1, t + 16); store(u2, t + 32)
        gruFinish(s, r, 1, j)
    }

    /// Gates and output of rows r0..<r0+n, units j..<j+16, from u in the tile and a.
    @inline(__always)
    static func gruFinish(_ s: GRUStepOperands, _ r0: Int, _ n: Int, _ j: Int) {
        let H = s.hidden, G = 3 * H, I = s.inputs
        for k in 0..<n {
            let r = r0 + k, t = s.tile + k * 48
            let uz = load(t), ur = load(t + 16), uh = load(t + 32)
            let p = s.aPre + r * s.aStride + j
            var az = load(p), ar = load(p + H), ah = load(p + 2 * H)
            let x = s.x + r * I
            for k in 0..<I {
                let xk = V(repeating: x[k]), wk = s.W + k * G + j
                az.addProduct(xk, load(wk)); ar.addProduct(xk, load(wk + H)); ah.addProduct(xk, load(wk + 2 * H))
            }
            let z = Activations.sigmoid(az + uz), rr = Activations.sigmoid(ar + ur)
            let hh = Activations.tanh(ah + rr * uh)
            let at = r * H + j
            store(z * load(s.hPrev + at) + (1 - z) * hh, s.hNext + at)
            if let u = s.u {
                let ur0 = u + r * G + j
                store(uz, ur0); store(ur, ur0 + H); store(uh, ur0 + 2 * H)
            }
            if let g = s.gates {
                let gr = g + r * G + j
                store(z, gr); store(rr, gr + H); store(hh, gr + 2 * H)
            }
        }
    }
}

extension Kernels {
    /// One step of LSTM backpropagation through time, lane by lane over B rows of H units, from
    /// the trace of the forward step (activated gates [i f g o] (B, 4H), tanh(c_t) and c_{t-1}
    /// (B, H)): with dh = dh_t + dOutput (when given),
    /// dc ← dc·… + dh·o·(1 − tanh²c_t), dz = [dc·g·i(1−i), dc·c_{t−1}·f(1−f), dc·i(1−g²), dh·tanh c_t·o(1−o)],
    /// and dc ← dc·f, the cell gradient passed to step t − 1. `dh` is read only.
    static func lstmBackwardStep(rows B: Int, hidden H: Int, gates: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
                                 cPrev: UnsafePointer<Float>, dOutput: UnsafePointer<Float>?, dh: UnsafePointer<Float>,
                                 dc: UnsafeMutablePointer<Float>, dz: UnsafeMutablePointer<Float>) {
        if let native { return native.lstmBackwardStep(B, H, gates, tanhC, cPrev, dOutput, dh, dc, dz) }
        let G = 4 * H
        for b in 0..<B {
            let zb = gates + b * G, db = dz + b * G, at = b * H
            var j = 0
            while j < H {   // 16 units at a time; the same lane-wise arithmetic for a short tail
                let n = min(16, H - j)
                let i = load(zb + j, n), f = load(zb + H + j, n)
                let g = load(zb + 2 * H + j, n), o = load(zb + 3 * H + j, n)
                let tcj = load(tanhC + at + j, n)
                var dhj = load(dh + at + j, n)
                if let dOutput { dhj += load(dOutput + at + j, n) }
                let dcj = load(dc + at + j, n) + dhj * o * (1 - tcj * tcj)     // through h = o·tanh(c)
                store(dcj * g * i * (1 - i), db + j, n)                        // d z_i
                store(dcj * load(cPrev + at + j, n) * f * (1 - f), db + H + j, n)  // d z_f
                store(dcj * i * (1 - g * g), db + 2 * H + j, n)                // d z_c
                store(dhj * tcj * o * (1 - o), db + 3 * H + j, n)              // d z_o
                store(dcj * f, dc + at + j, n)                                 // to c_{t-1}
                j += 16
            }
        }
    }
}
