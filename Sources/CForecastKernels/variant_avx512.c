// The AVX-512 variant of the kernels (avx512f, avx512vl, fma): 32 registers of 16 floats.
#if defined(__x86_64__)
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "CForecastKernels.h"

#define FK(name) name##_avx512
#define FK_NAME "avx512"
#define FKW 16
#define GEMM_R 8
#define GEMM_C 2
#define TN_R 4
#define TN_C 2
#define LSTM_R 6
#define GRU_R 8
#define FK_FUSED 1
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,fma"))), apply_to = function)
#include "kernels_body.h"
#pragma clang attribute pop
#endif
