// Portable reference implementations. (A fast AVX2/FMA path replaces the hot ones.)
#include "CKernels.h"
#include <math.h>

static ck_level forced = CK_LEVEL_PORTABLE;
static int threads = 1;

ck_level ck_detected_level(void) { return CK_LEVEL_PORTABLE; }
ck_level ck_active_level(void) { return forced; }
ck_level ck_force_level(ck_level level) { forced = CK_LEVEL_PORTABLE; (void)level; return forced; }
void ck_set_thread_count(int count) { threads = count < 1 ? 1 : count; }
int ck_thread_count(void) { return threads; }

#define GEMM(NAME, T)                                                                        \
void NAME(int transA, int transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,           \
          const T *A, ptrdiff_t lda, const T *B, ptrdiff_t ldb, T beta, T *C, ptrdiff_t ldc) \
{                                                                                            \
    for (ptrdiff_t i = 0; i < m; i++) {                                                      \
        for (ptrdiff_t j = 0; j < n; j++) {                                                  \
            T acc = 0;                                                                       \
            for (ptrdiff_t p = 0; p < k; p++) {                                              \
                T a = transA ? A[p * lda + i] : A[i * lda + p];                              \
                T b = transB ? B[j * ldb + p] : B[p * ldb + j];                              \
                acc += a * b;                                                                \
            }                                                                                \
            C[i * ldc + j] = alpha * acc + (beta == 0 ? 0 : beta * C[i * ldc + j]);          \
        }                                                                                    \
    }                                                                                        \
}
GEMM(ck_sgemm, float)
GEMM(ck_dgemm, double)

void ck_vexp_f32(ptrdiff_t n, const float *x, float *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = expf(x[i]); }
void ck_vlog_f32(ptrdiff_t n, const float *x, float *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = logf(x[i]); }
void ck_vtanh_f32(ptrdiff_t n, const float *x, float *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = tanhf(x[i]); }
void ck_vsigmoid_f32(ptrdiff_t n, const float *x, float *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i])); }
void ck_vexp_f64(ptrdiff_t n, const double *x, double *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = exp(x[i]); }
void ck_vlog_f64(ptrdiff_t n, const double *x, double *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = log(x[i]); }
void ck_vtanh_f64(ptrdiff_t n, const double *x, double *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = tanh(x[i]); }
void ck_vsigmoid_f64(ptrdiff_t n, const double *x, double *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = 1.0 / (1.0 + exp(-x[i])); }
