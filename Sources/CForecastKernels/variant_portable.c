// The portable variant of the kernels: baseline x86-64 (SSE2), 16 registers of 4 floats, no FMA, so
// products and sums are rounded separately and results may differ from the other variants in the last bits.
#if defined(__x86_64__)
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "CForecastKernels.h"

#define FK(name) name##_portable
#define FK_NAME "portable"
#define FKW 4
#define GEMM_R 6
#define GEMM_C 2
#define TN_R 6
#define TN_C 2
#define LSTM_R 3
#define GRU_R 4
#define FK_FUSED 0
#include "kernels_body.h"
#endif
