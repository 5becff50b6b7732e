// Gives freed heap memory back to the system, where the C library keeps it.
#include <stdlib.h>
#include "CForecastKernels.h"

#if defined(__GLIBC__)
#include <malloc.h>
int fk_release_free_memory(void) { return malloc_trim(0); }
#else
int fk_release_free_memory(void) { return 0; }
#endif
