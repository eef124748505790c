// Declarations shared by the CKernels translation units; not part of the public module.
#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H

#include "CKernels.h"
#include <stdatomic.h>

#if defined(__x86_64__) || defined(__i386__)
#define CK_X86 1
#define CK_AVX2 __attribute__((target("avx2,fma")))
#else
#define CK_X86 0
#endif

/// The thread count in force. Atomic because it may change while other threads run kernels;
/// a relaxed load compiles to a plain load, so kernels read it on every call. (The level is
/// read with ck_active_level(), once per call on the calling thread; pool workers follow it.)
extern _Atomic int ck_threads_wanted;

/// Runs `task(ctx, i, chunks)` once for each i in 0..<chunks, on the calling thread and up to
/// threads - 1 pool workers. Runs every chunk on the caller when the pool is busy with
/// another caller, so it is safe (if not parallel) under concurrent use.
typedef void (*ck_task)(void *ctx, int index, int count);
void ck_pool_run(int threads, int chunks, ck_task task, void *ctx);

/// A grow-only scratch buffer private to the calling thread, 64-byte aligned.
/// Slot 0 and 1 are independent (packed A, packed B).
void *ck_scratch(int slot, size_t bytes);

/// Micro-kernel: C[0..<rows, 0..<cols] = alpha * (a-panel * b-panel) + beta * C,
/// with `a` holding kc steps of mr values and `b` kc steps of nr values, `bs` apart (nr for a
/// packed, zero-padded panel; ldb when reading full-width rows of B in place).
/// beta == 0 writes C without reading it.
typedef void (*ck_skernel)(ptrdiff_t kc, const float *a, const float *b, ptrdiff_t bs, float *c,
                           ptrdiff_t ldc, int rows, int cols, float alpha, float beta);
typedef void (*ck_dkernel)(ptrdiff_t kc, const double *a, const double *b, ptrdiff_t bs, double *c,
                           ptrdiff_t ldc, int rows, int cols, double alpha, double beta);

void ck_skernel_portable(ptrdiff_t, const float *, const float *, ptrdiff_t, float *, ptrdiff_t, int, int, float, float);
void ck_dkernel_portable(ptrdiff_t, const double *, const double *, ptrdiff_t, double *, ptrdiff_t, int, int, double, double);
#if CK_X86
void ck_skernel_avx2(ptrdiff_t, const float *, const float *, ptrdiff_t, float *, ptrdiff_t, int, int, float, float);
void ck_dkernel_avx2(ptrdiff_t, const double *, const double *, ptrdiff_t, double *, ptrdiff_t, int, int, double, double);
/// Packs 6 rows of row-major A (kc columns) into one panel; writes 2 floats past its end.
void ck_spack_a6_avx2(const float *a, ptrdiff_t lda, ptrdiff_t kc, float *dst);
/// Packs 16 rows of B (kc columns), i.e. 16 columns of op(B) = B^T, into one panel.
void ck_spack_bt16_avx2(const float *b, ptrdiff_t ldb, ptrdiff_t kc, float *dst);
#endif

/// Tile shapes: the AVX2 kernels hold 12 ymm accumulators, the portable ones 12 xmm ones.
enum {
    CK_S_MR = 6, CK_S_NR_AVX2 = 16, CK_S_NR_PORTABLE = 8,
    CK_D_MR = 6, CK_D_NR_AVX2 = 8, CK_D_NR_PORTABLE = 4,
};

#endif
