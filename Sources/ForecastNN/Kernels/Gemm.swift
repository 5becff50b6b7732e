/// Matrix products for the recurrent layers. Every product in forward and backward passes goes
/// through `gemm`, a register-blocked SIMD kernel (4 rows x 32 columns, 8 accumulators held in
/// registers across the K loop, fused multiply-add). `gemmNaive` is its reference twin; tests
/// check that both agree on every edge shape.
///
/// On x86-64 the products run in C (CForecastKernels, chosen for the CPU at run time; see
/// `Kernels.backend`): the Swift code here is their readable twin and runs on other architectures.
/// Swift compiled for baseline x86-64 (no `-target-cpu`, which a versioned dependency cannot set)
/// would lower `addProduct` to calls to libm's `fmaf`, ~30x slower with the same results.
package enum Kernels {
    /// When true, every product and activation uses its naive reference twin (libm for the
    /// activations). Task-local, so a test can run a whole training with the twins
    /// (`Kernels.$reference.withValue(true) { ... }`) without affecting anything running beside it.
    @TaskLocal package static var reference = false

    /// C[M,N] = A[M,K] · B[K,N] (or `+=` when `accumulate`), all row-major with leading dimensions.
    ///
    /// - Complexity: 2·M·N·K flops.
    package static func gemm(_ M: Int, _ N: Int, _ K: Int,
                            _ A: UnsafePointer<Float>, _ lda: Int,
                            _ B: UnsafePointer<Float>, _ ldb: Int,
                            _ C: UnsafeMutablePointer<Float>, _ ldc: Int, accumulate: Bool) {
        if reference { return gemmNaive(M, N, K, A, lda, B, ldb, C, ldc, accumulate: accumulate) }
        if let native { return native.gemm(M, N, K, A, lda, B, ldb, C, ldc, accumulate) }
        gemmSIMD(M, N, K, A, lda, B, ldb, C, ldc, accumulate: accumulate)
    }

    /// The Swift twin of the C `gemm`.
    static func gemmSIMD(_ M: Int, _ N: Int, _ K: Int,
                         _ A: UnsafePointer<Float>, _ lda: Int,
                         _ B: UnsafePointer<Float>, _ ldb: Int,
                         _ C: UnsafeMutablePointer<Float>, _ ldc: Int, accumulate: Bool) {
        // Column blocks outside, rows inside: a (K x 32) slice of B stays in L1 while every row of A
        // streams past it (rows outside would re-read all of B, often larger than L1, per 4 rows).
        var j = 0
        if N >= 32 && M >= 8 {
            // Pack each (K x 32) slice of B contiguously: with a power-of-two row stride its rows would
            // share a few L1 sets and evict each other (what BLAS packing avoids). Same products, same order.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: K * 32) { panel in
                let pk = panel.baseAddress!
                while j + 32 <= N {
                    packPanels(K, 32, B + j, ldb, into: pk)
                    gemmPanel(M, K, A, lda, UnsafePointer(pk), C + j, ldc, accumulate)
                    j += 32
                }
            }
        }
        while j + 32 <= N {
            var i = 0
            while i + 4 <= M { block4x32(i, j, K, A, lda, B, ldb, C, ldc, accumulate); i += 4 }
            while i < M { block1x16(i, j, K, A, lda, B, ldb, C, ldc, accumulate); block1x16(i, j + 16, K, A, lda, B, ldb, C, ldc, accumulate); i += 1 }
            j += 32
        }
        if j + 16 <= N {
            var i = 0
            while i + 4 <= M { block4x16(i, j, K, A, lda, B, ldb, C, ldc, accumulate); i += 4 }
            while i < M { block1x16(i, j, K, A, lda, B, ldb, C, ldc, accumulate); i += 1 }
            j += 16
        }
        if j < N {
            for i in 0..<M { gemmTail(i, j, N, K, A, lda, B, ldb, C, ldc, accumulate) }
        }
    }

    /// Packs B (K, N), N a multiple of 32, as N/32 contiguous (K x 32) panels: the layout
    /// `gemmPacked` reads. Packing a matrix used by many products (a recurrent kernel over all
    /// steps) once saves repacking it in each `gemm`.
    package static func packPanels(_ K: Int, _ N: Int, _ B: UnsafePointer<Float>, _ ldb: Int, into dst: UnsafeMutablePointer<Float>) {
        precondition(N % 32 == 0, "packPanels needs N to be a multiple of 32")
        var d = dst
        for j in stride(from: 0, to: N, by: 32) {
            for k in 0..<K {
                let src = B + k * ldb + j
                store(load(src), d); store(load(src + 16), d + 16)
                d += 32
            }
        }
    }

    /// C[M,N] = A · B (or `+=`) with B given by `packPanels`: the same products, in the same
    /// order, as `gemm`.
    package static func gemmPacked(_ M: Int, _ N: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                                  panels: UnsafePointer<Float>, _ C: UnsafeMutablePointer<Float>, _ ldc: Int, accumulate: Bool) {
        if reference {   // the textbook loop, reading B from the panels
            for p in 0..<(N / 32) {
                gemmNaive(M, 32, K, A, lda, panels + p * K * 32, 32, C + p * 32, ldc, accumulate: accumulate)
            }
            return
        }
        if let native { return native.gemmPacked(M, N, K, A, lda, panels, C, ldc, accumulate) }
        for p in 0..<(N / 32) { gemmPanel(M, K, A, lda, panels + p * K * 32, C + p * 32, ldc, accumulate) }
    }

    /// C[0..<M, 0..<32] from one packed (K x 32) panel.
    @inline(__always)
    static func gemmPanel(_ M: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int, _ panel: UnsafePointer<Float>,
                          _ C: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool) {
        var i = 0
        while i + 8 <= M { block8x32(i, 0, K, A, lda, panel, 32, C, ldc, accumulate); i += 8 }
        while i + 4 <= M { block4x32(i, 0, K, A, lda, panel, 32, C, ldc, accumulate); i += 4 }
        while i < M {
            block1x16(i, 0, K, A, lda, panel, 32, C, ldc, accumulate)
            block1x16(i, 16, K, A, lda, panel, 32, C, ldc, accumulate)
            i += 1
        }
    }

    /// C[i..<i+8, j..<j+32]: 16 accumulators held in registers across the K loop (enough
    /// independent chains to cover the fused multiply-add latency on both FMA ports).
    @inline(never)
    static func block8x32(_ i: Int, _ j: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                          _ B: UnsafePointer<Float>, _ ldb: Int,
                          _ C: UnsafeMutablePointer<Float>, _ ldc: Int, _ acc: Bool) {
        let a0 = A + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
        let a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda
        let c0 = C + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
        let c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc
        var x00 = acc ? load(c0) : V(), x01 = acc ? load(c0 + 16) : V()
        var x10 = acc ? load(c1) : V(), x11 = acc ? load(c1 + 16) : V()
        var x20 = acc ? load(c2) : V(), x21 = acc ? load(c2 + 16) : V()
        var x30 = acc ? load(c3) : V(), x31 = acc ? load(c3 + 16) : V()
        var x40 = acc ? load(c4) : V(), x41 = acc ? load(c4 + 16) : V()
        var x50 = acc ? load(c5) : V(), x51 = acc ? load(c5 + 16) : V()
        var x60 = acc ? load(c6) : V(), x61 = acc ? load(c6 + 16) : V()
        var x70 = acc ? load(c7) : V(), x71 = acc ? load(c7 + 16) : V()
        var b = B + j
        for k in 0..<K {
            let b0 = load(b), b1 = load(b + 16)
            var s = V(repeating: a0[k]); x00.addProduct(s, b0); x01.addProduct(s, b1)
            s = V(repeating: a1[k]); x10.addProduct(s, b0); x11.addProduct(s, b1)
            s = V(repeating: a2[k]); x20.addProduct(s, b0); x21.addProduct(s, b1)
            s = V(repeating: a3[k]); x30.addProduct(s, b0); x31.addProduct(s, b1)
            s = V(repeating: a4[k]); x40.addProduct(s, b0); x41.addProduct(s, b1)
            s = V(repeating: a5[k]); x50.addProduct(s, b0); x51.addProduct(s, b1)
            s = V(repeating: a6[k]); x60.addProduct(s, b0); x61.addProduct(s, b1)
            s = V(repeating: a7[k]); x70.addProduct(s, b0); x71.addProduct(s, b1)
            b += ldb
        }
        store(x00, c0); store(x01, c0 + 16)
        store(x10, c1); store(x11, c1 + 16)
        store(x20, c2); store(x21, c2 + 16)
        store(x30, c3); store(x31, c3 + 16)
        store(x40, c4); store(x41, c4 + 16)
        store(x50, c5); store(x51, c5 + 16)
        store(x60, c6); store(x61, c6 + 16)
        store(x70, c7); store(x71, c7 + 16)
    }

    /// C[i..<i+4, j..<j+32]: 8 accumulators held in registers across the K loop.
    @inline(__always)
    static func block4x32(_ i: Int, _ j: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                          _ B: UnsafePointer<Float>, _ ldb: Int,
                          _ C: UnsafeMutablePointer<Float>, _ ldc: Int, _ acc: Bool) {
        let a0 = A + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
        let c0 = C + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
        var x00 = acc ? load(c0) : V(), x01 = acc ? load(c0 + 16) : V()
        var x10 = acc ? load(c1) : V(), x11 = acc ? load(c1 + 16) : V()
        var x20 = acc ? load(c2) : V(), x21 = acc ? load(c2 + 16) : V()
        var x30 = acc ? load(c3) : V(), x31 = acc ? load(c3 + 16) : V()
        var b = B + j
        for k in 0..<K {
            let b0 = load(b), b1 = load(b + 16)
            let s0 = V(repeating: a0[k]), s1 = V(repeating: a1[k])
            let s2 = V(repeating: a2[k]), s3 = V(repeating: a3[k])
            x00.addProduct(s0, b0); x01.addProduct(s0, b1)
            x10.addProduct(s1, b0); x11.addProduct(s1, b1)
            x20.addProduct(s2, b0); x21.addProduct(s2, b1)
            x30.addProduct(s3, b0); x31.addProduct(s3, b1)
            b += ldb
        }
        store(x00, c0); store(x01, c0 + 16)
        store(x10, c1); store(x11, c1 + 16)
        store(x20, c2); store(x21, c2 + 16)
        store(x30, c3); store(x31, c3 + 16)
    }

    /// C[i..<i+4, j..<j+16].
    @inline(__always)
    static func block4x16(_ i: Int, _ j: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                          _ B: UnsafePointer<Float>, _ ldb: Int,
                          _ C: UnsafeMutablePointer<Float>, _ ldc: Int, _ acc: Bool) {
        let a0 = A + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
        let c0 = C + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
        var x0 = acc ? load(c0) : V(), x1 = acc ? load(c1) : V()
        var x2 = acc ? load(c2) : V(), x3 = acc ? load(c3) : V()
        var b = B + j
        for k in 0..<K {
            let b0 = load(b)
            x0.addProduct(V(repeating: a0[k]), b0); x1.addProduct(V(repeating: a1[k]), b0)
            x2.addProduct(V(repeating: a2[k]), b0); x3.addProduct(V(repeating: a3[k]), b0)
            b += ldb
        }
        store(x0, c0); store(x1, c1); store(x2, c2); store(x3, c3)
    }

    /// C[i, j..<j+16].
    @inline(__always)
    static func block1x16(_ i: Int, _ j: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                          _ B: UnsafePointer<Float>, _ ldb: Int,
                          _ C: UnsafeMutablePointer<Float>, _ ldc: Int, _ acc: Bool) {
        let a = A + i * lda, c = C + i * ldc + j
        var x = acc ? load(c) : V()
        var b = B + j
        for k in 0..<K {
            x.addProduct(V(repeating: a[k]), load(b))
            b += ldb
        }
        store(x, c)
    }

    /// C[M,N] += Aᵀ·B where A is stored (K, M) row-major: the weight-gradient product xᵀ·dz.
    /// Four rows of C take their four A values from one contiguous run of A per k, so no
    /// transpose is needed. Results are bit-identical to `gemmTNNaive`.
    ///
    /// - Complexity: 2·M·N·K flops.
    package static func gemmTN(_ M: Int, _ N: Int, _ K: Int,
                              _ A: UnsafePointer<Float>, _ lda: Int,
                              _ B: UnsafePointer<Float>, _ ldb: Int,
                              _ C: UnsafeMutablePointer<Float>, _ ldc: Int) {
        if reference { return gemmTNNaive(M, N, K, A, lda, B, ldb, C, ldc) }
        if let native { return native.gemmTN(M, N, K, A, lda, B, ldb, C, ldc) }
        gemmTNSIMD(M, N, K, A, lda, B, ldb, C, ldc)
    }

    /// The Swift twin of the C `gemmTN`.
    static func gemmTNSIMD(_ M: Int, _ N: Int, _ K: Int,
                           _ A: UnsafePointer<Float>, _ lda: Int,
                           _ B: UnsafePointer<Float>, _ ldb: Int,
                           _ C: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var i = 0
        while i + 4 <= M {
            let c0 = C + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
            var j = 0
            while j + 32 <= N {
                var x00 = load(c0 + j), x01 = load(c0 + j + 16)
                var x10 = load(c1 + j), x11 = load(c1 + j + 16)
                var x20 = load(c2 + j), x21 = load(c2 + j + 16)
                var x30 = load(c3 + j), x31 = load(c3 + j + 16)
                var a = A + i
                var b = B + j
                for _ in 0..<K {
                    let b0 = load(b), b1 = load(b + 16)
                    let s0 = V(repeating: a[0]), s1 = V(repeating: a[1])
                    let s2 = V(repeating: a[2]), s3 = V(repeating: a[3])
                    x00.addProduct(s0, b0); x01.addProduct(s0, b1)
                    x10.addProduct(s1, b0); x11.addProduct(s1, b1)
                    x20.addProduct(s2, b0); x21.addProduct(s2, b1)
                    x30.addProduct(s3, b0); x31.addProduct(s3, b1)
                    a += lda; b += ldb
                }
                store(x00, c0 + j); store(x01, c0 + j + 16)
                store(x10, c1 + j); store(x11, c1 + j + 16)
                store(x20, c2 + j); store(x21, c2 + j + 16)
                store(x30, c3 + j); store(x31, c3 + j + 16)
                j += 32
            }
            for r in 0..<4 { gemmTNRow(i + r, j, N, K, A, lda, B, ldb, C, ldc) }
            i += 4
        }
        while i < M { gemmTNRow(i, 0, N, K, A, lda, B, ldb, C, ldc); i += 1 }
    }

    /// Columns `from..<N` of row `i` of `gemmTN`, 16 lanes at a time, then one by one.
    @inline(__always)
    static func gemmTNRow(_ i: Int, _ from: Int, _ N: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                          _ B: UnsafePointer<Float>, _ ldb: Int, _ C: UnsafeMutablePointer<Float>, _ ldc: Int) {
        let c = C + i * ldc
        var j = from
        while j + 16 <= N {
            var x = load(c + j)
            for k in 0..<K { x.addProduct(V(repeating: A[k * lda + i]), load(B + k * ldb + j)) }
            store(x, c + j)
            j += 16
        }
        while j < N {
            var s = c[j]
            for k in 0..<K { s = s.addingProduct(A[k * lda + i], B[k * ldb + j]) }
            c[j] = s
            j += 1
        }
    }

    /// The reference twin of `gemmTN`.
    package static func gemmTNNaive(_ M: Int, _ N: Int, _ K: Int,
                                   _ A: UnsafePointer<Float>, _ lda: Int,
                                   _ B: UnsafePointer<Float>, _ ldb: Int,
                                   _ C: UnsafeMutablePointer<Float>, _ ldc: Int) {
        for i in 0..<M {
            for j in 0..<N {
                var s = C[i * ldc + j]
                for k in 0..<K { s = s.addingProduct(A[k * lda + i], B[k * ldb + j]) }
                C[i * ldc + j] = s
            }
        }
    }

    typealias V = SIMD16<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// The first n ≤ 16 floats at p in the low lanes, zeros above (for row tails).
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ n: Int) -> V {
        if n == 16 { return load(p) }
        var v = V()
        for k in 0..<n { v[k] = p[k] }
        return v
    }

    /// Stores the first n ≤ 16 lanes of v at p.
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 16 { return store(v, p) }
        for k in 0..<n { p[k] = v[k] }
    }

    /// Columns `from..<N` of row `i`, one at a time, in the same k order as the SIMD lanes
    /// (so results do not depend on where a column falls).
    @inline(never)
    static func gemmTail(_ i: Int, _ from: Int, _ N: Int, _ K: Int, _ A: UnsafePointer<Float>, _ lda: Int,
                         _ B: UnsafePointer<Float>, _ ldb: Int,
                         _ C: UnsafeMutablePointer<Float>, _ ldc: Int, _ acc: Bool) {
        for j in from..<N {
            var s: Float = acc ? C[i * ldc + j] : 0
            for k in 0..<K { s = s.addingProduct(A[i * lda + k], B[k * ldb + j]) }
            C[i * ldc + j] = s
        }
    }

    /// The reference twin of `gemm`: the textbook triple loop, fused multiply-add in k order.
    package static func gemmNaive(_ M: Int, _ N: Int, _ K: Int,
                                 _ A: UnsafePointer<Float>, _ lda: Int,
                                 _ B: UnsafePointer<Float>, _ ldb: Int,
                                 _ C: UnsafeMutablePointer<Float>, _ ldc: Int, accumulate: Bool) {
        for i in 0..<M {
            for j in 0..<N {
                var s: Float = accumulate ? C[i * ldc + j] : 0
                for k in 0..<K { s = s.addingProduct(A[i * lda + k], B[k * ldb + j]) }
                C[i * ldc + j] = s
            }
        }
    }

    /// dst[N,M] = srcᵀ for src[M,N] with leading dimension `lds`.
    package static func transpose(_ M: Int, _ N: Int, _ src: UnsafePointer<Float>, _ lds: Int,
                                 _ dst: UnsafeMutablePointer<Float>) {
        // Blocked so both sides stay in cache for large M.
        let bs = 32
        var i0 = 0
        while i0 < M {
            var j0 = 0
            while j0 < N {
                for i in i0..<min(i0 + bs, M) {
                    for j in j0..<min(j0 + bs, N) { dst[j * M + i] = src[i * lds + j] }
                }
                j0 += bs
            }
            i0 += bs
        }
    }

    /// dst[n] = Σ_t src[t, n] over `steps` blocks of `n` values, summed in time order (the gradient
    /// of an input repeated at every step).
    package static func sumOverSteps(_ steps: Int, _ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        dst.update(from: src, count: n)
        for t in 1..<max(steps, 1) {
            let d = src + t * n
            for k in 0..<n { dst[k] += d[k] }
        }
    }

    /// Sixteen running sums of squares: lane l is Σ_q x[16q + l]², one fused multiply-add each, in
    /// order (zeros past n). Deterministic and vectorised; the gradient norm adds the lanes.
    static func sumOfSquares16(_ x: UnsafePointer<Float>, _ n: Int) -> SIMD16<Float> {
        if let native { return native.sumOfSquares16(x, n) }
        var acc = V()
        var i = 0
        while i < n {
            let g = load(x + i, min(16, n - i))
            acc.addProduct(g, g)
            i += 16
        }
        return acc
    }

    /// out[N] += Σ_rows x[rows, N] (column sums, for bias gradients), rows summed in order.
    package static func addColumnSums(_ rows: Int, _ N: Int, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * N
            var j = 0
            while j + 16 <= N { store(load(out + j) + load(row + j), out + j); j += 16 }
            while j < N { out[j] += row[j]; j += 1 }
        }
    }
}
