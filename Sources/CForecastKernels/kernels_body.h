// The kernels' bodies, included once per variant by variant_*.c. The includer includes
// <stdint.h>, <stdlib.h>, <string.h> and CForecastKernels.h, then defines
//   FK(name), FK_NAME  the variant's function names (name_avx2, ...) and its name
//   FK_FUSED           1 when the variant has FMA: every multiply-add that the Swift twin writes as
//                      `addProduct`/`addingProduct` is then one fused operation, so results are
//                      bit-identical to the Swift twin; 0 for the portable variant (rounded twice, so
//                      the last bits may differ)
//   FKW                floats per vector register (16, 8 or 4)
//   GEMM_R, GEMM_C     gemm's register tile: GEMM_R rows x GEMM_C vectors (GEMM_C·FKW divides 32)
//   TN_R, TN_C         gemm_tn's register tile
//   LSTM_R, GRU_R      rows per block of a fused step (one vector per gate and row; at most 6 and 8)
// and wraps the include in `#pragma clang attribute push(__attribute__((target(...))), ...)`, which
// applies the instruction set to every function here, helpers included.
//
// Every output value is computed as in the Swift kernels (Gemm.swift, FusedSteps.swift,
// Activations.swift): the same initial value, the same products in the same k order, the same
// formulas lane by lane. Tiles only decide which values are computed together, so they are chosen
// per variant to fit its register file (32 registers of 16 floats for AVX-512, 16 of 8 for AVX2) and
// do not change results. Contraction of a*b+c into FMA is off, as in Swift.

#pragma clang fp contract(off)
// Helpers pass vectors by value; they are always inlined, so no call ever uses that ABI.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float V __attribute__((ext_vector_type(FKW)));
typedef uint32_t VU __attribute__((ext_vector_type(FKW)));

#if FK_FUSED
#define MADD(acc, a, b) __builtin_elementwise_fma((a), (b), (acc))
#define MADDS(acc, a, b) __builtin_fmaf((a), (b), (acc))
#else
#define MADD(acc, a, b) ((acc) + (a) * (b))
#define MADDS(acc, a, b) ((acc) + (a) * (b))
#endif

#define INL static inline __attribute__((always_inline))
#define MAXR 8
#define MAXC 4

INL V ld(const float *p) { V v; memcpy(&v, p, sizeof v); return v; }
INL void st(float *p, V v) { memcpy(p, &v, sizeof v); }
INL V splat(float x) { return (V)x; }
INL V zero(void) { return (V)0.0f; }

/// The first n floats at p (n <= FKW; none when n <= 0), zeros above.
INL V ldn(const float *p, ptrdiff_t n) {
    if (n >= FKW) return ld(p);
    V v = zero();
    for (ptrdiff_t k = 0; k < n; k++) v[k] = p[k];
    return v;
}

INL void stn(float *p, V v, ptrdiff_t n) {
    if (n >= FKW) { st(p, v); return; }
    for (ptrdiff_t k = 0; k < n; k++) p[k] = v[k];
}

// MARK: - Activations (Activations.swift)

/// e^x, inputs clamped to [-87.3, 88.7]; Cephes' polynomial after range reduction. NaN gives NaN.
///
/// Trap: the clamp must not be __builtin_elementwise_max/min. Those are IEEE maxNum/minNum, which
/// return the number when the other operand is NaN, so NaN became -87.3 and sigmoid(NaN) was 1,
/// tanh(NaN) -1: a diverging network looked saturated. The selects below are false for NaN and keep
/// it (each is still one maxps/minps, with x as the operand returned on NaN); from there every step
/// of the polynomial is NaN. ±inf are clamped as before.
INL V fk_exp(V x0) {
    V lo = splat(-87.3f), hi = splat(88.7f);
    V x = x0 < lo ? lo : x0;
    x = x > hi ? hi : x;
    V magic = splat(12582912.0f);                          // 1.5 * 2^23
    V shifted = MADD(magic, x, splat(1.44269504088896341f));
    V n = shifted - magic;
    V r = MADD(MADD(x, n, splat(-0.693359375f)), n, splat(2.12194440e-4f));
    V p = splat(1.9875691500e-4f);
    p = MADD(splat(1.3981999507e-3f), p, r);
    p = MADD(splat(8.3334519073e-3f), p, r);
    p = MADD(splat(4.1665795894e-2f), p, r);
    p = MADD(splat(1.6666665459e-1f), p, r);
    p = MADD(splat(5.0000001201e-1f), p, r);
    p = MADD(r + 1.0f, p, r * r);
    VU k = (VU)shifted - (VU)(0x4B400000u - 127u);
    return p * (V)(k * (VU)(1u << 23));
}

INL V sigm(V x) { return 1.0f / (1.0f + fk_exp(-x)); }
INL V tanhv(V x) { return 1.0f - 2.0f / (fk_exp(x + x) + 1.0f); }

static void FK(sigmoid)(float *x, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + FKW <= n; i += FKW) st(x + i, sigm(ld(x + i)));
    if (i < n) stn(x + i, sigm(ldn(x + i, n - i)), n - i);
}

static void FK(tanh)(float *x, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + FKW <= n; i += FKW) st(x + i, tanhv(ld(x + i)));
    if (i < n) stn(x + i, tanhv(ldn(x + i, n - i)), n - i);
}

static void FK(sum_of_squares16)(const float *x, ptrdiff_t n, float *lanes) {
    V acc[16 / FKW];
    for (int v = 0; v < 16 / FKW; v++) acc[v] = zero();
    for (ptrdiff_t i = 0; i < n; i += 16)
        for (int v = 0; v < 16 / FKW; v++) {
            V g = ldn(x + i + v * FKW, n - i - v * FKW);
            acc[v] = MADD(acc[v], g, g);
        }
    for (int v = 0; v < 16 / FKW; v++) st(lanes + v * FKW, acc[v]);
}

// MARK: - Matrix products (Gemm.swift)

/// C[0..<R, 0..<C·FKW] (+)= Σ_k a(r, k)·B[k, ·] with a(r, k) = A[r·ars + k·aks]: R·C accumulators
/// held in registers across the K loop. R and C are constants at every call.
INL void micro(const int R, const int C, ptrdiff_t K, const float *A, ptrdiff_t ars, ptrdiff_t aks,
               const float *B, ptrdiff_t ldb, float *Cp, ptrdiff_t ldc, int acc) {
    V x[MAXR][MAXC];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) x[r][c] = acc ? ld(Cp + r * ldc + c * FKW) : zero();
    const float *b = B, *a = A;
    // Per k, the fewer of the R broadcasts and the C vectors of B are held while the other kind is
    // loaded one at a time: R·C + min(R, C) + 1 live vectors (16 for AVX2's 6 x 2 and 3 x 4 tiles).
    for (ptrdiff_t k = 0; k < K; k++, b += ldb, a += aks) {
        if (R <= C) {
            V s[MAXR];
            for (int r = 0; r < R; r++) s[r] = splat(a[r * ars]);
            for (int c = 0; c < C; c++) {
                V bk = ld(b + c * FKW);
                for (int r = 0; r < R; r++) x[r][c] = MADD(x[r][c], s[r], bk);
            }
        } else {
            V bk[MAXC];
            for (int c = 0; c < C; c++) bk[c] = ld(b + c * FKW);
            for (int r = 0; r < R; r++) {
                V s = splat(a[r * ars]);
                for (int c = 0; c < C; c++) x[r][c] = MADD(x[r][c], s, bk[c]);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) st(Cp + r * ldc + c * FKW, x[r][c]);
}

/// Rows 0..<M of one column block, R rows at a time, then the remaining rows together.
INL void rows(const int R, const int C, ptrdiff_t M, ptrdiff_t K, const float *A, ptrdiff_t ars, ptrdiff_t aks,
              const float *B, ptrdiff_t ldb, float *Cp, ptrdiff_t ldc, int acc) {
    ptrdiff_t i = 0;
    for (; i + R <= M; i += R) micro(R, C, K, A + i * ars, ars, aks, B, ldb, Cp + i * ldc, ldc, acc);
    const float *a = A + i * ars;
    float *c = Cp + i * ldc;
    switch (M - i) {
    case 7: if (R > 7) micro(7, C, K, a, ars, aks, B, ldb, c, ldc, acc); break;
    case 6: if (R > 6) micro(6, C, K, a, ars, aks, B, ldb, c, ldc, acc); break;
    case 5: if (R > 5) micro(5, C, K, a, ars, aks, B, ldb, c, ldc, acc); break;
    case 4: if (R > 4) micro(4, C, K, a, ars, aks, B, ldb, c, ldc, acc); break;
    case 3: if (R > 3) micro(3, C, K, a, ars, aks, B, ldb, c, ldc, acc); break;
    case 2: if (R > 2) micro(2, C, K, a, ars, aks, B, ldb, c, ldc, acc); break;
    case 1: if (R > 1) micro(1, C, K, a, ars, aks, B, ldb, c, ldc, acc); break;
    default: break;
    }
}

/// C[i, from..<N] one value at a time, in k order, for every row i < M.
static void FK(tail)(ptrdiff_t M, ptrdiff_t from, ptrdiff_t N, ptrdiff_t K, const float *A, ptrdiff_t ars,
                     ptrdiff_t aks, const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int acc) {
    for (ptrdiff_t i = 0; i < M; i++)
        for (ptrdiff_t j = from; j < N; j++) {
            float s = acc ? C[i * ldc + j] : 0.0f;
            for (ptrdiff_t k = 0; k < K; k++) s = MADDS(s, A[i * ars + k * aks], B[k * ldb + j]);
            C[i * ldc + j] = s;
        }
}

/// All columns of B (unpacked) from column j on: wide blocks, single vectors, then one by one.
INL void columns(ptrdiff_t j, ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float *A, ptrdiff_t ars, ptrdiff_t aks,
                 const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int acc, const int R, const int CV) {
    for (; j + CV * FKW <= N; j += CV * FKW) rows(R, CV, M, K, A, ars, aks, B + j, ldb, C + j, ldc, acc);
    for (; j + FKW <= N; j += FKW) rows(R, 1, M, K, A, ars, aks, B + j, ldb, C + j, ldc, acc);
    if (j < N) FK(tail)(M, j, N, K, A, ars, aks, B, ldb, C, ldc, acc);
}

/// C[0..<M, 0..<32] from one packed (K x 32) panel.
static void FK(panel)(ptrdiff_t M, ptrdiff_t K, const float *A, ptrdiff_t lda, const float *panel,
                      float *C, ptrdiff_t ldc, int acc) {
    for (ptrdiff_t h = 0; h < 32; h += GEMM_C * FKW)
        rows(GEMM_R, GEMM_C, M, K, A, lda, 1, panel + h, 32, C + h, ldc, acc);
}

static void FK(gemm)(ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float *A, ptrdiff_t lda,
                     const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int acc) {
    ptrdiff_t j = 0;
    if (N >= 32 && M >= 8) {
        // Each (K x 32) slice of B packed contiguously (see Gemm.swift); small panels on the stack.
        float onStack[8192] __attribute__((aligned(64)));
        float *pk = K * 32 <= 8192 ? onStack : malloc((size_t)(K * 32) * sizeof(float));
        if (!pk) abort();
        for (; j + 32 <= N; j += 32) {
            float *d = pk;
            for (ptrdiff_t k = 0; k < K; k++, d += 32) memcpy(d, B + k * ldb + j, 32 * sizeof(float));
            FK(panel)(M, K, A, lda, pk, C + j, ldc, acc);
        }
        if (pk != onStack) free(pk);
    }
    columns(j, M, N, K, A, lda, 1, B, ldb, C, ldc, acc, GEMM_R, GEMM_C);
}

static void FK(gemm_packed)(ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float *A, ptrdiff_t lda,
                            const float *panels, float *C, ptrdiff_t ldc, int acc) {
    for (ptrdiff_t p = 0; p < N / 32; p++) FK(panel)(M, K, A, lda, panels + p * K * 32, C + p * 32, ldc, acc);
}

static void FK(gemm_tn)(ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float *A, ptrdiff_t lda,
                        const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc) {
    // a(i, k) = A[k·lda + i]: the transpose is read in place. B's 32-column slices are packed as in
    // gemm: read in place, a slice's K rows lie a whole row of B apart (1 KB for a 4H = 256 gate
    // row), fall into a few L1 sets and evict each other between row blocks.
    ptrdiff_t j = 0;
    if (N >= 32 && M >= 2 * TN_R && ldb > 32 && K * 32 <= 8192) {
        float pk[8192] __attribute__((aligned(64)));
        for (; j + 32 <= N; j += 32) {
            float *d = pk;
            for (ptrdiff_t k = 0; k < K; k++, d += 32) memcpy(d, B + k * ldb + j, 32 * sizeof(float));
            for (ptrdiff_t h = 0; h < 32; h += TN_C * FKW)
                rows(TN_R, TN_C, M, K, A, 1, lda, pk + h, 32, C + j + h, ldc, 1);
        }
    }
    columns(j, M, N, K, A, 1, lda, B, ldb, C, ldc, 1, TN_R, TN_C);
}

// MARK: - Fused LSTM step (FusedSteps.swift)

/// Pre-activations of rows r0..<r0+R, units j+u0..<j+u0+FKW of every gate, into the tile (64 floats
/// a row: 16 units of each gate).
INL void lstm_micro(const int R, const fk_lstm_step *s, ptrdiff_t r0, ptrdiff_t j, const float *panel, ptrdiff_t u0) {
    ptrdiff_t H = s->hidden, I = s->inputs, ps = s->pre_stride;
    V z[MAXR][4];
    for (int r = 0; r < R; r++) {
        const float *p = s->pre + (r0 + r) * ps + j + u0;
        for (int q = 0; q < 4; q++) z[r][q] = ld(p + q * H);
    }
    const float *w = panel + u0;
    // Two runs over the panel: the input rows (x, I values), then the recurrent rows (h, H values).
    for (int part = 0; part < 2; part++) {
        ptrdiff_t n = part == 0 ? I : H;
        const float *a = part == 0 ? s->x + r0 * I : s->h_prev + r0 * H;
        // The R broadcasts first, then one gate's weights at a time: R·4 accumulators + R + 1 live
        // vectors (16 for AVX2's 3 rows). Holding the 4 gates' weights instead needs 17 and spilled
        // two accumulators to the stack, a store-to-load round trip on their chains every k.
        for (ptrdiff_t k = 0; k < n; k++, w += 64) {
            V x[MAXR];
            for (int r = 0; r < R; r++) x[r] = splat(a[r * n + k]);
            for (int q = 0; q < 4; q++) {
                V b = ld(w + q * 16);
                for (int r = 0; r < R; r++) z[r][q] = MADD(z[r][q], x[r], b);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int q = 0; q < 4; q++) st(s->tile + r * 64 + q * 16 + u0, z[r][q]);
}

/// Gates, cell and output of rows r0..<r0+n, units j..<j+16, from the pre-activations in the tile.
///
/// In three passes over the block, each a run of independent vectors: the gates in place in the
/// tile, then c', then tanh(c') and h'. One vector's chain through an activation, c' and tanh(c') is
/// some 130 cycles of latency and more instructions than the out-of-order window holds, so doing it
/// vector by vector left the core waiting; short independent iterations overlap. Lane by lane the
/// arithmetic is unchanged (the Swift twin's `lstmFinish`), so results are bit-identical.
static void FK(lstm_finish)(const fk_lstm_step *s, ptrdiff_t r0, ptrdiff_t n, ptrdiff_t j) {
    ptrdiff_t H = s->hidden;
    for (ptrdiff_t k = 0; k < n; k++) {   // [i f g o] = [σ σ tanh σ] of the tile, in place
        float *z = s->tile + k * 64;
        for (ptrdiff_t u = 0; u < 32; u += FKW) st(z + u, sigm(ld(z + u)));
        for (ptrdiff_t u = 32; u < 48; u += FKW) st(z + u, tanhv(ld(z + u)));
        for (ptrdiff_t u = 48; u < 64; u += FKW) st(z + u, sigm(ld(z + u)));
    }
    for (ptrdiff_t k = 0; k < n; k++)     // c' = f·c + i·g (c_next may be c_prev: read, then written)
        for (ptrdiff_t u0 = 0; u0 < 16; u0 += FKW) {
            ptrdiff_t r = r0 + k, at = r * H + j + u0;
            const float *z = s->tile + k * 64 + u0;
            V i = ld(z), f = ld(z + 16), g = ld(z + 32), o = ld(z + 48);
            st(s->c_next + at, f * ld(s->c_prev + at) + i * g);
            if (s->gates) {
                float *gr = s->gates + r * 4 * H + j + u0;
                st(gr, i); st(gr + H, f); st(gr + 2 * H, g); st(gr + 3 * H, o);
            }
        }
    for (ptrdiff_t k = 0; k < n; k++)     // h' = o·tanh(c')
        for (ptrdiff_t u0 = 0; u0 < 16; u0 += FKW) {
            ptrdiff_t at = (r0 + k) * H + j + u0;
            V tc = tanhv(ld(s->c_next + at));
            st(s->h_next + at, ld(s->tile + k * 64 + 48 + u0) * tc);
            if (s->tanh_c) st(s->tanh_c + at, tc);
        }
}

INL void lstm_block(const int R, const fk_lstm_step *s, ptrdiff_t r0, ptrdiff_t j, const float *panel) {
    for (ptrdiff_t u0 = 0; u0 < 16; u0 += FKW) lstm_micro(R, s, r0, j, panel, u0);
    FK(lstm_finish)(s, r0, R, j);
}

static void FK(lstm_step)(const fk_lstm_step *s) {
    ptrdiff_t K = s->inputs + s->hidden;
    for (ptrdiff_t c = 0; c < s->hidden / 16; c++) {
        const float *panel = s->panel + c * K * 64;
        ptrdiff_t r = 0, j = c * 16;
        for (; r + LSTM_R <= s->rows; r += LSTM_R) lstm_block(LSTM_R, s, r, j, panel);
        switch (s->rows - r) {
        case 5: if (LSTM_R > 5) lstm_block(5, s, r, j, panel); break;
        case 4: if (LSTM_R > 4) lstm_block(4, s, r, j, panel); break;
        case 3: if (LSTM_R > 3) lstm_block(3, s, r, j, panel); break;
        case 2: if (LSTM_R > 2) lstm_block(2, s, r, j, panel); break;
        case 1: if (LSTM_R > 1) lstm_block(1, s, r, j, panel); break;
        default: break;
        }
    }
}

/// One step of LSTM backpropagation through time, lane by lane (Kernels.lstmBackwardStep): the
/// Swift twin's products in the same order, so every variant is bit-identical to it.
static void FK(lstm_backward_step)(ptrdiff_t B, ptrdiff_t H, const float *gates, const float *tanh_c,
                                   const float *c_prev, const float *d_output, const float *dh,
                                   float *dc, float *dz) {
    ptrdiff_t G = 4 * H;
    for (ptrdiff_t b = 0; b < B; b++) {
        const float *zb = gates + b * G;
        float *db = dz + b * G;
        ptrdiff_t at = b * H;
        for (ptrdiff_t j = 0; j < H; j += FKW) {
            ptrdiff_t n = H - j;
            V i = ldn(zb + j, n), f = ldn(zb + H + j, n), g = ldn(zb + 2 * H + j, n), o = ldn(zb + 3 * H + j, n);
            V tc = ldn(tanh_c + at + j, n), d = ldn(dh + at + j, n);
            if (d_output) d = d + ldn(d_output + at + j, n);
            V c = ldn(dc + at + j, n) + d * o * (1.0f - tc * tc);
            stn(db + j, c * g * i * (1.0f - i), n);
            stn(db + H + j, c * ldn(c_prev + at + j, n) * f * (1.0f - f), n);
            stn(db + 2 * H + j, c * i * (1.0f - g * g), n);
            stn(db + 3 * H + j, d * tc * o * (1.0f - o), n);
            stn(dc + at + j, c * f, n);
        }
    }
}

// MARK: - Fused GRU step (FusedSteps.swift)

/// u = b_rec + h·U for rows r0..<r0+R, units j+u0..<j+u0+FKW of every gate, into the tile (48
/// floats a row).
INL void gru_micro(const int R, const fk_gru_step *s, ptrdiff_t r0, ptrdiff_t j, const float *panel, ptrdiff_t u0) {
    ptrdiff_t H = s->hidden;
    V u[MAXR][3];
    for (int r = 0; r < R; r++)
        for (int q = 0; q < 3; q++) u[r][q] = ld(s->b_rec + j + u0 + q * H);
    const float *w = panel + u0, *h = s->h_prev + r0 * H;
    for (ptrdiff_t k = 0; k < H; k++, w += 48) {
        V b[3];
        for (int q = 0; q < 3; q++) b[q] = ld(w + q * 16);
        for (int r = 0; r < R; r++) {
            V a = splat(h[r * H + k]);
            for (int q = 0; q < 3; q++) u[r][q] = MADD(u[r][q], a, b[q]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int q = 0; q < 3; q++) st(s->tile + r * 48 + q * 16 + u0, u[r][q]);
}

/// Gates and output of rows r0..<r0+n, units j..<j+16, from u in the tile and a.
static void FK(gru_finish)(const fk_gru_step *s, ptrdiff_t r0, ptrdiff_t n, ptrdiff_t j) {
    ptrdiff_t H = s->hidden, G = 3 * H, I = s->inputs;
    for (ptrdiff_t k = 0; k < n; k++)
        for (ptrdiff_t u0 = 0; u0 < 16; u0 += FKW) {
            ptrdiff_t r = r0 + k, at = r * H + j + u0;
            const float *t = s->tile + k * 48 + u0;
            V uz = ld(t), ur = ld(t + 16), uh = ld(t + 32);
            const float *p = s->a_pre + r * s->a_stride + j + u0;
            V az = ld(p), ar = ld(p + H), ah = ld(p + 2 * H);
            const float *x = s->x + r * I;
            for (ptrdiff_t q = 0; q < I; q++) {
                V xq = splat(x[q]);
                const float *wq = s->w + q * G + j + u0;
                az = MADD(az, xq, ld(wq)); ar = MADD(ar, xq, ld(wq + H)); ah = MADD(ah, xq, ld(wq + 2 * H));
            }
            V z = sigm(az + uz), rr = sigm(ar + ur);
            V hh = tanhv(ah + rr * uh);
            st(s->h_next + at, z * ld(s->h_prev + at) + (1.0f - z) * hh);
            if (s->u) {
                float *ur0 = s->u + r * G + j + u0;
                st(ur0, uz); st(ur0 + H, ur); st(ur0 + 2 * H, uh);
            }
            if (s->gates) {
                float *gr = s->gates + r * G + j + u0;
                st(gr, z); st(gr + H, rr); st(gr + 2 * H, hh);
            }
        }
}

INL void gru_block(const int R, const fk_gru_step *s, ptrdiff_t r0, ptrdiff_t j, const float *panel) {
    for (ptrdiff_t u0 = 0; u0 < 16; u0 += FKW) gru_micro(R, s, r0, j, panel, u0);
    FK(gru_finish)(s, r0, R, j);
}

static void FK(gru_step)(const fk_gru_step *s) {
    for (ptrdiff_t c = 0; c < s->hidden / 16; c++) {
        const float *panel = s->panel + c * s->hidden * 48;
        ptrdiff_t r = 0, j = c * 16;
        for (; r + GRU_R <= s->rows; r += GRU_R) gru_block(GRU_R, s, r, j, panel);
        switch (s->rows - r) {
        case 7: if (GRU_R > 7) gru_block(7, s, r, j, panel); break;
        case 6: if (GRU_R > 6) gru_block(6, s, r, j, panel); break;
        case 5: if (GRU_R > 5) gru_block(5, s, r, j, panel); break;
        case 4: if (GRU_R > 4) gru_block(4, s, r, j, panel); break;
        case 3: if (GRU_R > 3) gru_block(3, s, r, j, panel); break;
        case 2: if (GRU_R > 2) gru_block(2, s, r, j, panel); break;
        case 1: if (GRU_R > 1) gru_block(1, s, r, j, panel); break;
        default: break;
        }
    }
}

// MARK: - The variant's table

const fk_kernels FK(fk_kernels) = {
    .name = FK_NAME,
    .gemm = FK(gemm),
    .gemm_packed = FK(gemm_packed),
    .gemm_tn = FK(gemm_tn),
    .lstm_step = FK(lstm_step),
    .gru_step = FK(gru_step),
    .lstm_backward_step = FK(lstm_backward_step),
    .sigmoid = FK(sigmoid),
    .tanh = FK(tanh),
    .sum_of_squares16 = FK(sum_of_squares16),
};
