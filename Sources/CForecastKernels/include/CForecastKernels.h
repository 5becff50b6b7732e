// The hot numeric kernels of ForecastNN in C, compiled once per x86-64 instruction-set variant
// (AVX-512, AVX2 + FMA, portable SSE2) through function attributes, so the package needs no
// compiler flags and stays usable as a versioned dependency. One variant is chosen at run time
// from the CPU's features. Each kernel is the twin of a Swift kernel in Sources/ForecastNN/Kernels
// (same products, same order, same formulas); see that directory for the readable version.
//
// Internal to the forecast package: ForecastNN imports this module with `internal import`.
#ifndef CFORECASTKERNELS_H
#define CFORECASTKERNELS_H

#include <stddef.h>

#pragma clang assume_nonnull begin

/// Operands of one fused LSTM step (the twin of ForecastNN's `LSTMStepOperands`).
typedef struct fk_lstm_step {
    ptrdiff_t rows, hidden, inputs;
    const float *pre;
    ptrdiff_t pre_stride;
    const float *x;
    const float *panel;
    const float *h_prev;
    const float *c_prev;
    float *h_next;
    float *c_next;
    float *_Nullable gates;
    float *_Nullable tanh_c;
    float *tile;
} fk_lstm_step;

/// Operands of one fused GRU step (the twin of ForecastNN's `GRUStepOperands`).
typedef struct fk_gru_step {
    ptrdiff_t rows, hidden, inputs;
    const float *a_pre;
    ptrdiff_t a_stride;
    const float *x;
    const float *w;
    const float *b_rec;
    const float *panel;
    const float *h_prev;
    float *h_next;
    float *_Nullable u;
    float *_Nullable gates;
    float *tile;
} fk_gru_step;

/// One variant's kernels. Every function is the twin of the Swift kernel of the same name.
typedef struct fk_kernels {
    /// "avx512", "avx2" or "portable".
    const char *name;
    /// C[M,N] = A·B (or += when accumulate != 0); row-major with leading dimensions.
    void (*gemm)(ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float *A, ptrdiff_t lda,
                 const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc, int accumulate);
    /// C[M,N] = A·B (or +=) with B packed as N/32 contiguous (K x 32) panels.
    void (*gemm_packed)(ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float *A, ptrdiff_t lda,
                        const float *panels, float *C, ptrdiff_t ldc, int accumulate);
    /// C[M,N] += Aᵀ·B with A stored (K, M).
    void (*gemm_tn)(ptrdiff_t M, ptrdiff_t N, ptrdiff_t K, const float *A, ptrdiff_t lda,
                    const float *B, ptrdiff_t ldb, float *C, ptrdiff_t ldc);
    /// One fused LSTM step (hidden a multiple of 16).
    void (*lstm_step)(const fk_lstm_step *step);
    /// One fused GRU step (hidden a multiple of 16).
    void (*gru_step)(const fk_gru_step *step);
    /// One step of LSTM backpropagation through time over `rows` rows (Kernels.lstmBackwardStep).
    void (*lstm_backward_step)(ptrdiff_t rows, ptrdiff_t hidden, const float *gates, const float *tanh_c,
                               const float *c_prev, const float *_Nullable d_output, const float *dh,
                               float *dc, float *dz);
    /// x[i] = sigmoid(x[i]) for i < n.
    void (*sigmoid)(float *x, ptrdiff_t n);
    /// x[i] = tanh(x[i]) for i < n.
    void (*tanh)(float *x, ptrdiff_t n);
    /// lanes[l] = Σ x[16q + l]² over the 16-float blocks of x (fused, in order; zeros past n).
    void (*sum_of_squares16)(const float *x, ptrdiff_t n, float *lanes);
} fk_kernels;

/// Variant numbers for `fk_kernels_for`.
enum { FK_VARIANT_PORTABLE = 0, FK_VARIANT_AVX2 = 1, FK_VARIANT_AVX512 = 2 };

/// The kernels of one variant, or NULL when this CPU (or architecture) cannot run it.
const fk_kernels *_Nullable fk_kernels_for(int variant);

/// The variant chosen for this process: the best one the CPU supports, unless the environment
/// variable FORECAST_KERNELS names another supported one (avx512, avx2 or portable). Chosen on the
/// first call and then fixed; safe to call from any thread. NULL on non-x86-64 architectures.
const fk_kernels *_Nullable fk_selected(void);

/// Returns the memory that freed heap blocks still hold to the system (glibc's `malloc_trim`:
/// glibc keeps freed blocks of its per-thread arenas mapped); does nothing with other C libraries.
/// Returns 1 when some memory was released.
int fk_release_free_memory(void);

#pragma clang assume_nonnull end

#endif
