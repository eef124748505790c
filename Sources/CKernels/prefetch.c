// Software prefetch for the glimpse sensor. Its windows are rows scattered over a batch of
// images larger than L2, so its adds mostly wait for memory; asking for the next sample's
// window while the current one is summed hides much of that wait.
#include "internal.h"

void ck_prefetch_window_f32(const float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t top, ptrdiff_t left,
                            ptrdiff_t size)
{
    ptrdiff_t r0 = top < 0 ? 0 : top, r1 = top + size > height ? height : top + size;
    ptrdiff_t c0 = left < 0 ? 0 : left, c1 = left + size > width ? width : left + size;
    if (c0 >= c1) return;
    for (ptrdiff_t r = r0; r < r1; r++) {
        const char *p = (const char *)(image + r * width + c0), *last = (const char *)(image + r * width + c1 - 1);
        for (; p <= last; p += 64) __builtin_prefetch(p, 0, 3);
        __builtin_prefetch(last, 0, 3);  // the line of the row's last pixel, if the stride skipped it
    }
}
