// CKernels: the few numeric kernels where the machine's vector units decide the speed.
//
// Every function is row-major and takes raw pointers; shapes are checked by the Swift caller.
// The implementation picks an AVX2+FMA path at run time when the CPU has it, and a portable
// path otherwise, so the package builds with a plain `swift build` and runs everywhere.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which code path the kernels use.
typedef enum {
    CK_LEVEL_PORTABLE = 0,   ///< plain C, any CPU
    CK_LEVEL_AVX2_FMA = 1,   ///< x86-64 with AVX2 and FMA
} ck_level;

/// The best level this CPU supports.
ck_level ck_detected_level(void);
/// The level the calling thread uses (the detected one unless it forced another).
ck_level ck_active_level(void);
/// Forces a level for the calling thread only (tests use it to exercise the portable path;
/// a matrix product's pool workers follow the thread that called it). A level above the
/// detected one is lowered to the detected one. Returns the level now in use.
ck_level ck_force_level(ck_level level);

/// Number of threads large matrix products may use (1 = single-threaded). Default 1.
/// Products of at least 2^20 multiply-adds are then split over a persistent pool; a caller
/// that finds the pool busy (another thread's product) computes alone.
void ck_set_thread_count(int count);
/// The thread count set by ck_set_thread_count.
int ck_thread_count(void);

/// C = alpha * op(A) * op(B) + beta * C, row-major, where op(X) is X or its transpose.
/// op(A) is m x k, op(B) is k x n, C is m x n. lda, ldb, ldc are row strides in elements.
/// beta == 0 overwrites C without reading it (NaNs in C do not propagate).
void ck_sgemm(int transA, int transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
              float alpha, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
              float beta, float *C, ptrdiff_t ldc);
/// The double-precision ck_sgemm, with the same semantics.
void ck_dgemm(int transA, int transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
              double alpha, const double *A, ptrdiff_t lda, const double *B, ptrdiff_t ldb,
              double beta, double *C, ptrdiff_t ldc);

/// y[i] = f(x[i]) for n elements; x and y may be the same pointer.
/// Float: AVX2 polynomials within 2 ulp over the normal range (libm on the portable level);
/// exp overflows to +inf and underflows to 0, tanh saturates at +-1, sigmoid(-large) = 0,
/// log(0) = -inf, log(negative) = NaN. Double: libm, for gradient checks.
void ck_vexp_f32(ptrdiff_t n, const float *x, float *y);
void ck_vlog_f32(ptrdiff_t n, const float *x, float *y);
void ck_vtanh_f32(ptrdiff_t n, const float *x, float *y);
void ck_vsigmoid_f32(ptrdiff_t n, const float *x, float *y);
void ck_vexp_f64(ptrdiff_t n, const double *x, double *y);
void ck_vlog_f64(ptrdiff_t n, const double *x, double *y);
void ck_vtanh_f64(ptrdiff_t n, const double *x, double *y);
void ck_vsigmoid_f64(ptrdiff_t n, const double *x, double *y);

#ifdef __cplusplus
}
#endif
#endif
