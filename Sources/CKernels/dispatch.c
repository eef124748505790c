// CPU detection, the code path in use and the thread count.
#include "internal.h"

_Atomic int ck_threads_wanted = 1;
static ck_level detected = CK_LEVEL_PORTABLE;
// A level forced by this thread, or -1. Per thread, so a test that forces the portable path
// cannot change the numbers of another test running at the same time.
static _Thread_local int forced = -1;

// Runs before main (and before Swift touches the module), so reads need no synchronisation.
__attribute__((constructor)) static void ck_detect(void)
{
#if CK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        detected = CK_LEVEL_AVX2_FMA;
#endif
}

ck_level ck_detected_level(void) { return detected; }
ck_level ck_active_level(void) { return forced < 0 ? detected : (ck_level)forced; }

ck_level ck_force_level(ck_level level)
{
    ck_level chosen = level > detected ? detected : (level < CK_LEVEL_PORTABLE ? CK_LEVEL_PORTABLE : level);
    forced = (int)chosen;
    return chosen;
}

void ck_set_thread_count(int count)
{
    atomic_store_explicit(&ck_threads_wanted, count < 1 ? 1 : (count > 64 ? 64 : count), memory_order_relaxed);
}
int ck_thread_count(void) { return atomic_load_explicit(&ck_threads_wanted, memory_order_relaxed); }
