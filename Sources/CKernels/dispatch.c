// CPU detection and the process-wide settings (level, thread count).
#include "internal.h"

ck_level ck_level_in_use = CK_LEVEL_PORTABLE;
int ck_threads_wanted = 1;
static ck_level detected = CK_LEVEL_PORTABLE;

// Runs before main (and before Swift touches the module), so reads need no synchronisation.
__attribute__((constructor)) static void ck_detect(void)
{
#if CK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        detected = CK_LEVEL_AVX2_FMA;
#endif
    ck_level_in_use = detected;
}

ck_level ck_detected_level(void) { return detected; }
ck_level ck_active_level(void) { return ck_level_in_use; }

ck_level ck_force_level(ck_level level)
{
    ck_level_in_use = level > detected ? detected : (level < CK_LEVEL_PORTABLE ? CK_LEVEL_PORTABLE : level);
    return ck_level_in_use;
}

void ck_set_thread_count(int count) { ck_threads_wanted = count < 1 ? 1 : (count > 64 ? 64 : count); }
int ck_thread_count(void) { return ck_threads_wanted; }
