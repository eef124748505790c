// ck_sgemm and ck_dgemm: the blocked driver of gemm_template.h instantiated per type.
#include "internal.h"

enum { CK_MR = 6 };
// Below this many multiply-adds packing costs more than it saves (measured with bench).
#define DIRECT_WORK (16.0 * 16 * 16)
// Below this the wake-up of a second thread costs more than it saves (measured with bench).
#define PARALLEL_WORK (64.0 * 64 * 64)

#define T float
#define NAME(x) s_##x
#define KERNEL ck_skernel
#define KERNEL_AVX2 ck_skernel_avx2
#define KERNEL_PORTABLE ck_skernel_portable
#define NR_AVX2 CK_S_NR_AVX2
#define NR_PORTABLE CK_S_NR_PORTABLE
#define MC 144
#define KC 256
#define NC 3072
#include "gemm_template.h"
#undef T
#undef NAME
#undef KERNEL
#undef KERNEL_AVX2
#undef KERNEL_PORTABLE
#undef NR_AVX2
#undef NR_PORTABLE
#undef MC
#undef KC
#undef NC

#define T double
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
