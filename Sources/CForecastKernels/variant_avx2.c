// The AVX2 variant of the kernels (avx2, fma; x86-64-v3, Haswell and later): 16 registers of 8 floats.
#if defined(__x86_64__)
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "CForecastKernels.h"

#define FK(name) name##_avx2
#define FK_NAME "avx2"
#define FKW 8
#define GEMM_R 3
#define GEMM_C 4
#define TN_R 3
#define TN_C 4
#define LSTM_R 3
#define GRU_R 4
#define FK_FUSED 1
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#include "kernels_body.h"
#pragma clang attribute pop
#endif
