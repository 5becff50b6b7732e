// Gives freed heap memory back to the system, where the C library keeps it.
#include <stdlib.h>
#include "CForecastKernels.h"

// Under a sanitizer the sanitizer's allocator serves the program and glibc's arenas are not its
// heap: malloc_trim has nothing to give back, and walking arenas the sanitizer does not set up
// crashed under ThreadSanitizer (SEGV in mtrim, scripts/tsan_predict.sh).
#if defined(__has_feature)
#  if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#    define FK_SANITIZED 1
#  endif
#endif

#if defined(__GLIBC__) && !defined(FK_SANITIZED)
#include <malloc.h>
int fk_release_free_memory(void) { return malloc_trim(0); }
#else
int fk_release_free_memory(void) { return 0; }
#endif
