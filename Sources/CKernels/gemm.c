// ck_sgemm and ck_dgemm: the blocked driver of gemm_template.h instantiated per type.
#include "internal.h"
#include <string.h>

enum { CK_MR = 6 };
// Below this many multiply-adds (about 6x6x6) packing costs more than it saves; measured:
// at 8x8x8 the packed path is already twice as fast as the direct loop.
#define DIRECT_WORK (256.0)
// Below this a second thread costs more than it saves; measured on an idle machine:
// 1.6x at 128x128x64 (1M multiply-adds), and little or nothing below.
// Up to this many rows of A, full-width panels of row-major B are read in place: packing
// them cost more than it saved (measured: 20x256x256 went from 38 to 58 GFLOP/s, 32x128x64
// from 23 to 57; at 128 rows packing is as fast or faster).
#define DIRECT_B_ROWS 64
#define PARALLEL_WORK (1024.0 * 1024)

#define T float
#define ARGS ck_sgemm_args
#define NAME(x) s_##x
#define KERNEL ck_skernel
#define KERNEL_AVX2 ck_skernel_avx2
#define KERNEL_PORTABLE ck_skernel_portable
#define NR_AVX2 CK_S_NR_AVX2
#define NR_PORTABLE CK_S_NR_PORTABLE
#define MC 144
#define KC 256
#define NC 3072
#if CK_X86
#define PACK_A6_AVX2 ck_spack_a6_avx2
#define PACK_BT16_AVX2 ck_spack_bt16_avx2
#endif
#include "gemm_template.h"
#undef T
#undef ARGS
#undef NAME
#undef KERNEL
#undef KERNEL_AVX2
#undef KERNEL_PORTABLE
#undef NR_AVX2
#undef NR_PORTABLE
#undef MC
#undef KC
#undef NC
#undef PACK_A6_AVX2
#undef PACK_BT16_AVX2

#define T double
#define ARGS ck_dgemm_args
#define NAME(x) d_##x
#define KERNEL ck_dkernel
#define KERNEL_AVX2 ck_dkernel_avx2
#define KERNEL_PORTABLE ck_dkernel_portable
#define NR_AVX2 CK_D_NR_AVX2
#define NR_PORTABLE CK_D_NR_PORTABLE
#define MC 96
#define KC 256
#define NC 1536
#include "gemm_template.h"

void ck_sgemm(int transA, int transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
              float alpha, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
              float beta, float *C, ptrdiff_t ldc)
{
    s_gemm(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void ck_dgemm(int transA, int transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
              double alpha, const double *A, ptrdiff_t lda, const double *B, ptrdiff_t ldb,
              double beta, double *C, ptrdiff_t ldc)
{
    d_gemm(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void ck_sgemm_many(int count, const ck_sgemm_args *products) { s_many(count, products); }
void ck_dgemm_many(int count, const ck_dgemm_args *products) { d_many(count, products); }
