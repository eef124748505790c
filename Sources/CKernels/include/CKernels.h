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

/// Runs task(ctx, i, chunks) once for each i in 0..<chunks, on the calling thread and up to
/// ck_thread_count() - 1 pool workers, and returns when all have run. Chunks are claimed in
/// turn, so a late worker only means the caller runs more of them; when the pool is busy
/// with another caller, the caller runs them all. Tasks must not write the same memory.
void ck_parallel_for(int chunks, void (*task)(void *ctx, int index, int chunks), void *ctx);

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

/// One product for ck_sgemm_many: the arguments of ck_sgemm, with the same meaning.
typedef struct {
    int transA, transB;
    ptrdiff_t m, n, k;
    float alpha;
    const float *A;
    ptrdiff_t lda;
    const float *B;
    ptrdiff_t ldb;
    float beta;
    float *C;
    ptrdiff_t ldc;
} ck_sgemm_args;
/// One product for ck_dgemm_many.
typedef struct {
    int transA, transB;
    ptrdiff_t m, n, k;
    double alpha;
    const double *A;
    ptrdiff_t lda;
    const double *B;
    ptrdiff_t ldb;
    double beta;
    double *C;
    ptrdiff_t ldc;
} ck_dgemm_args;

/// Computes `count` independent products, as ck_sgemm would one after another and with the
/// same results, but spread over the threads at once: each product whole on one thread where
/// that balances (no packing shared, no waiting inside a product), cut into slabs where not.
/// No product's C may overlap another product's A, B or C.
void ck_sgemm_many(int count, const ck_sgemm_args *products);
/// The double-precision ck_sgemm_many.
void ck_dgemm_many(int count, const ck_dgemm_args *products);

/// The fused linear op's forward epilogue over a rows x n output:
/// out = act((out + bias) + (second + second_bias)), each NULL term left out (with no second
/// product, (out + bias) + second_bias), the biases rows of n broadcast down; act is ReLU
/// when `relu` is set, else the identity. No contraction
/// into fused multiply-adds: the numbers equal separate additions.
void ck_linear_epilogue_f32(ptrdiff_t rows, ptrdiff_t n, int relu, float *out, const float *bias,
                            const float *second, const float *second_bias);
/// The fused linear op's first backward pass: dz = g * act'(y) for activation 1 (ReLU:
/// y > 0 ? g : 0) or 2 (tanh: g (1 - y^2)); for 0 (identity) dz is not written and g is
/// used. Then db and db2 (when not NULL) += the column sums of dz, added row by row.
void ck_linear_backward_f32(ptrdiff_t rows, ptrdiff_t n, int activation, const float *y, const float *g,
                            float *dz, float *db, float *db2);

/// Asks the caches for the part inside a height x width image of the size x size window whose
/// top-left pixel is (top, left): the glimpse sensor calls it for the next sample's window
/// while it sums this one's. Reads nothing and changes nothing.
void ck_prefetch_window_f32(const float *image, ptrdiff_t height, ptrdiff_t width, ptrdiff_t top, ptrdiff_t left,
                            ptrdiff_t size);

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
