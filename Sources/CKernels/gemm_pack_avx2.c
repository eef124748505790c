// AVX2 packing for sgemm: the two layouts that need a transposition (row-major A into
// 6-row panels, transposed B into 16-column panels) go through 8x8 in-register transposes
// instead of one scalar gather per element.
#include "internal.h"
#if CK_X86
#include <immintrin.h>

CK_AVX2 static inline __attribute__((always_inline)) void transpose8(__m256 r[8])
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

CK_AVX2 void ck_spack_a6_avx2(const float *a, ptrdiff_t lda, ptrdiff_t kc, float *dst)
{
    ptrdiff_t p = 0;
    // Each step stores 8 lanes at a stride of 6: the 2 spare lanes land on the next step's
    // slots and are overwritten by it (the caller leaves 2 floats of slack after the panel).
    for (; p + 8 <= kc; p += 8) {
        __m256 r[8];
        for (int i = 0; i < 6; i++) r[i] = _mm256_loadu_ps(a + i * lda + p);
        r[6] = r[7] = _mm256_setzero_ps();
        transpose8(r);
        for (int j = 0; j < 8; j++) _mm256_storeu_ps(dst + (p + j) * 6, r[j]);
    }
    for (; p < kc; p++)
        for (int i = 0; i < 6; i++) dst[p * 6 + i] = a[i * lda + p];
}

CK_AVX2 void ck_spack_bt16_avx2(const float *b, ptrdiff_t ldb, ptrdiff_t kc, float *dst)
{
    ptrdiff_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        for (int half = 0; half < 2; half++) {
            __m256 r[8];
            for (int j = 0; j < 8; j++) r[j] = _mm256_loadu_ps(b + (half * 8 + j) * ldb + p);
            transpose8(r);
            for (int i = 0; i < 8; i++) _mm256_store_ps(dst + (p + i) * 16 + half * 8, r[i]);
        }
    }
    for (; p < kc; p++)
        for (int j = 0; j < 16; j++) dst[p * 16 + j] = b[j * ldb + p];
}
#endif
