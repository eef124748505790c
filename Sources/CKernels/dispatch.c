// CPU detection and the process-wide settings (level, thread count).
#include "internal.h"

_Atomic int ck_level_in_use = CK_LEVEL_PORTABLE;
_Atomic int ck_threads_wanted = 1;
static ck_level detected = CK_LEVEL_PORTABLE;

// Runs before main (and before Swift touches the module), so reads need no synchronisation.
__attribute__((constructor)) static void ck_detect(void)
{
#if CK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        detected = CK_LEVEL_AVX2_FMA;
#endif
    atomic_store_explicit(&ck_level_in_use, detected, memory_order_relaxed);
}

ck_level ck_detected_level(void) { return detected; }
ck_level ck_active_level(void) { return (ck_level)atomic_load_explicit(&ck_level_in_use, memory_order_relaxed); }

ck_level ck_force_level(ck_level level)
{
    ck_level chosen = level > detected ? detected : (level < CK_LEVEL_PORTABLE ? CK_LEVEL_PORTABLE : level);
    atomic_store_explicit(&ck_level_in_use, chosen, memory_order_relaxed);
    return chosen;
}

void ck_set_thread_count(int count)
{
    atomic_store_explicit(&ck_threads_wanted, count < 1 ? 1 : (count > 64 ? 64 : count), memory_order_relaxed);
}
int ck_thread_count(void) { return atomic_load_explicit(&ck_threads_wanted, memory_order_relaxed); }
