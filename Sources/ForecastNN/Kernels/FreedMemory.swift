internal import CForecastKernels

/// Returns the memory of freed heap blocks to the system where the C library keeps it mapped
/// (glibc's per-thread arenas, after many threads allocated and freed large buffers); a no-op
/// elsewhere. Called between the phases of a large fit, so that one phase's freed buffers do not
/// count in the next one's peak memory.
package func releaseFreedMemory() {
    _ = fk_release_free_memory()
}
