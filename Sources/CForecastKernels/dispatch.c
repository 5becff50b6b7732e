// Chooses the kernels' variant for this CPU once, at the first call.
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "CForecastKernels.h"

#if defined(__x86_64__)
extern const fk_kernels fk_kernels_avx512, fk_kernels_avx2, fk_kernels_portable;

const fk_kernels *fk_kernels_for(int variant) {
    __builtin_cpu_init();
    switch (variant) {
    case FK_VARIANT_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("fma") ? &fk_kernels_avx512 : NULL;
    case FK_VARIANT_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &fk_kernels_avx2 : NULL;
    case FK_VARIANT_PORTABLE:
        return &fk_kernels_portable;
    default:
        return NULL;
    }
}

static const fk_kernels *choose(void) {
    const char *wanted = getenv("FORECAST_KERNELS");
    const int order[] = {FK_VARIANT_AVX512, FK_VARIANT_AVX2, FK_VARIANT_PORTABLE};
    if (wanted && *wanted)
        for (int i = 0; i < 3; i++) {
            const fk_kernels *k = fk_kernels_for(order[i]);
            if (k && strcmp(k->name, wanted) == 0) return k;
        }
    for (int i = 0; i < 3; i++) {
        const fk_kernels *k = fk_kernels_for(order[i]);
        if (k) return k;
    }
    return NULL;
}

const fk_kernels *fk_selected(void) {
    // Every thread that races here computes the same answer, so a plain atomic cache is enough.
    static _Atomic(const fk_kernels *) cached = NULL;
    const fk_kernels *k = atomic_load_explicit(&cached, memory_order_acquire);
    if (!k) {
        k = choose();
        atomic_store_explicit(&cached, k, memory_order_release);
    }
    return k;
}
#else
const fk_kernels *fk_kernels_for(int variant) { (void)variant; return NULL; }
const fk_kernels *fk_selected(void) { return NULL; }
#endif
