// GEMM micro-kernels: one MR x NR tile of C from packed panels (see internal.h).
#include "internal.h"
#if CK_X86
#include <immintrin.h>
#endif

// Writes the tile held in `acc` (scaled by alpha) into C, honouring partial tiles and beta.
#define STORE_TILE(T, NR)                                                                 \
    for (int r = 0; r < rows; r++) {                                                      \
        T *cr = c + r * ldc;                                                              \
        if (beta == 0) for (int j = 0; j < cols; j++) cr[j] = alpha * acc[r][j];          \
        else for (int j = 0; j < cols; j++) cr[j] = alpha * acc[r][j] + beta * cr[j];     \
    }

// Portable kernels: fixed trip counts and a 2-D accumulator the compiler keeps in (SSE2)
// registers; the padded panels let every step run the full tile.
void ck_skernel_portable(ptrdiff_t kc, const float *a, const float *b, ptrdiff_t bs, float *c, ptrdiff_t ldc,
                         int rows, int cols, float alpha, float beta)
{
    enum { NR = CK_S_NR_PORTABLE };
    float acc[CK_S_MR][NR] = {{0}};
    for (ptrdiff_t p = 0; p < kc; p++, a += CK_S_MR, b += bs)
        for (int r = 0; r < CK_S_MR; r++)
            for (int j = 0; j < NR; j++) acc[r][j] += a[r] * b[j];
    STORE_TILE(float, NR)
}

void ck_dkernel_portable(ptrdiff_t kc, const double *a, const double *b, ptrdiff_t bs, double *c, ptrdiff_t ldc,
                         int rows, int cols, double alpha, double beta)
{
    enum { NR = CK_D_NR_PORTABLE };
    double acc[CK_D_MR][NR] = {{0}};
    for (ptrdiff_t p = 0; p < kc; p++, a += CK_D_MR, b += bs)
        for (int r = 0; r < CK_D_MR; r++)
            for (int j = 0; j < NR; j++) acc[r][j] += a[r] * b[j];
    STORE_TILE(double, NR)
}

#if CK_X86
// AVX2+FMA: 6 rows x 2 ymm = 12 accumulators, enough independent FMAs to cover the
// 4-cycle latency on two FMA pipes. `rows` is a constant in each instantiation, so short
// edge tiles do only the work they need.
CK_AVX2 static inline __attribute__((always_inline)) void
s_tile(ptrdiff_t kc, const float *a, const float *b, ptrdiff_t bs, float *c, ptrdiff_t ldc,
       const int rows, int cols, float alpha, float beta)
{
    __m256 acc0[CK_S_MR], acc1[CK_S_MR];
    for (int r = 0; r < CK_S_MR; r++) acc0[r] = acc1[r] = _mm256_setzero_ps();
    for (int r = 0; r < rows; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    for (ptrdiff_t p = 0; p < kc; p++, a += CK_S_MR, b += bs) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        for (int r = 0; r < rows; r++) {
            __m256 ar = _mm256_broadcast_ss(a + r);
            acc0[r] = _mm256_fmadd_ps(ar, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(ar, b1, acc1[r]);
        }
    }
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (cols == 16) {
        for (int r = 0; r < rows; r++) {
            float *cr = c + r * ldc;
            __m256 x0 = _mm256_mul_ps(va, acc0[r]), x1 = _mm256_mul_ps(va, acc1[r]);
            if (beta != 0) {
                x0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), x0);
                x1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), x1);
            }
            _mm256_storeu_ps(cr, x0);
            _mm256_storeu_ps(cr + 8, x1);
        }
        return;
    }
    float acc[CK_S_MR][16] __attribute__((aligned(32)));
    for (int r = 0; r < rows; r++) {
        _mm256_store_ps(acc[r], acc0[r]);
        _mm256_store_ps(acc[r] + 8, acc1[r]);
    }
    STORE_TILE(float, 16)
}

CK_AVX2 void ck_skernel_avx2(ptrdiff_t kc, const float *a, const float *b, ptrdiff_t bs, float *c, ptrdiff_t ldc,
                             int rows, int cols, float alpha, float beta)
{
    switch (rows) {
    case 6: s_tile(kc, a, b, bs, c, ldc, 6, cols, alpha, beta); break;
    case 5: s_tile(kc, a, b, bs, c, ldc, 5, cols, alpha, beta); break;
    case 4: s_tile(kc, a, b, bs, c, ldc, 4, cols, alpha, beta); break;
    case 3: s_tile(kc, a, b, bs, c, ldc, 3, cols, alpha, beta); break;
    case 2: s_tile(kc, a, b, bs, c, ldc, 2, cols, alpha, beta); break;
    default: s_tile(kc, a, b, bs, c, ldc, 1, cols, alpha, beta); break;
    }
}

CK_AVX2 static inline __attribute__((always_inline)) void
d_tile(ptrdiff_t kc, const double *a, const double *b, ptrdiff_t bs, double *c, ptrdiff_t ldc,
       const int rows, int cols, double alpha, double beta)
{
    __m256d acc0[CK_D_MR], acc1[CK_D_MR];
    for (int r = 0; r < CK_D_MR; r++) acc0[r] = acc1[r] = _mm256_setzero_pd();
    for (int r = 0; r < rows; r++) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    for (ptrdiff_t p = 0; p < kc; p++, a += CK_D_MR, b += bs) {
        __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
        for (int r = 0; r < rows; r++) {
            __m256d ar = _mm256_broadcast_sd(a + r);
            acc0[r] = _mm256_fmadd_pd(ar, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_pd(ar, b1, acc1[r]);
        }
    }
    __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
    if (cols == 8) {
        for (int r = 0; r < rows; r++) {
            double *cr = c + r * ldc;
            __m256d x0 = _mm256_mul_pd(va, acc0[r]), x1 = _mm256_mul_pd(va, acc1[r]);
            if (beta != 0) {
                x0 = _mm256_fmadd_pd(vb, _mm256_loadu_pd(cr), x0);
                x1 = _mm256_fmadd_pd(vb, _mm256_loadu_pd(cr + 4), x1);
            }
            _mm256_storeu_pd(cr, x0);
            _mm256_storeu_pd(cr + 4, x1);
        }
        return;
    }
    double acc[CK_D_MR][8] __attribute__((aligned(32)));
    for (int r = 0; r < rows; r++) {
        _mm256_store_pd(acc[r], acc0[r]);
        _mm256_store_pd(acc[r] + 4, acc1[r]);
    }
    STORE_TILE(double, 8)
}

CK_AVX2 void ck_dkernel_avx2(ptrdiff_t kc, const double *a, const double *b, ptrdiff_t bs, double *c, ptrdiff_t ldc,
                             int rows, int cols, double alpha, double beta)
{
    switch (rows) {
    case 6: d_tile(kc, a, b, bs, c, ldc, 6, cols, alpha, beta); break;
    case 5: d_tile(kc, a, b, bs, c, ldc, 5, cols, alpha, beta); break;
    case 4: d_tile(kc, a, b, bs, c, ldc, 4, cols, alpha, beta); break;
    case 3: d_tile(kc, a, b, bs, c, ldc, 3, cols, alpha, beta); break;
    case 2: d_tile(kc, a, b, bs, c, ldc, 2, cols, alpha, beta); break;
    default: d_tile(kc, a, b, bs, c, ldc, 1, cols, alpha, beta); break;
    }
}
#endif
