// The blocked GEMM driver, written once and included by gemm.c for float and for double.
// Before inclusion define: T (element type), NAME(x) (prefixes names), KERNEL (micro-kernel
// pointer type), and the block sizes MC, KC, NC.
//
// Loop order follows the usual packed design (Goto and van de Geijn 2008): a KC x NC block of
// op(B) is packed once into NR-wide panels that stay in L3/L2, an MC x KC block of op(A)
// into MR-tall panels that stay in L2, and the micro-kernel streams one B panel from L1.

typedef struct {
    int transA, transB;
    ptrdiff_t m, n, k;
    T alpha, beta;
    const T *A, *B;
    T *C;
    ptrdiff_t lda, ldb, ldc;
    KERNEL kernel;
    int nr;
    int avx2;
} NAME(job);

// op(A)[i0..<i0+mc, p0..<p0+kc] into MR-row panels, each kc steps of MR values, zero padded.
static void NAME(pack_a)(const NAME(job) *g, ptrdiff_t i0, ptrdiff_t mc, ptrdiff_t p0, ptrdiff_t kc, T *dst)
{
    for (ptrdiff_t ir = 0; ir < mc; ir += CK_MR, dst += CK_MR * kc) {
        ptrdiff_t rows = mc - ir < CK_MR ? mc - ir : CK_MR;
#if defined(PACK_A6_AVX2)
        if (g->avx2 && !g->transA && rows == CK_MR) {
            PACK_A6_AVX2(g->A + (i0 + ir) * g->lda + p0, g->lda, kc, dst);
            continue;
        }
#endif
        if (g->transA) {
            const T *src = g->A + p0 * g->lda + i0 + ir;
            for (ptrdiff_t p = 0; p < kc; p++, src += g->lda)
                for (ptrdiff_t r = 0; r < CK_MR; r++) dst[p * CK_MR + r] = r < rows ? src[r] : 0;
        } else {
            for (ptrdiff_t r = 0; r < CK_MR; r++) {
                const T *src = g->A + (i0 + ir + r) * g->lda + p0;
                if (r < rows)
                    for (ptrdiff_t p = 0; p < kc; p++) dst[p * CK_MR + r] = src[p];
                else
                    for (ptrdiff_t p = 0; p < kc; p++) dst[p * CK_MR + r] = 0;
            }
        }
    }
}

// op(B)[p0..<p0+kc, j0..<j0+nc] into nr-column panels, each kc steps of nr values, zero padded.
// nr is a constant at each call site so the copies unroll and vectorise.
static inline __attribute__((always_inline)) void
NAME(pack_b_body)(const NAME(job) *g, ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t nc, T *dst, const int nr)
{
    for (ptrdiff_t jr = 0; jr < nc; jr += nr, dst += nr * kc) {
        ptrdiff_t cols = nc - jr < nr ? nc - jr : nr;
        if (!g->transB) {
            const T *src = g->B + p0 * g->ldb + j0 + jr;
            if (cols == nr) {
                for (ptrdiff_t p = 0; p < kc; p++, src += g->ldb)
                    for (int c = 0; c < nr; c++) dst[p * nr + c] = src[c];
            } else {
                for (ptrdiff_t p = 0; p < kc; p++, src += g->ldb)
                    for (int c = 0; c < nr; c++) dst[p * nr + c] = c < cols ? src[c] : 0;
            }
        } else {
#if defined(PACK_BT16_AVX2)
            if (g->avx2 && nr == 16 && cols == 16) {
                PACK_BT16_AVX2(g->B + (j0 + jr) * g->ldb + p0, g->ldb, kc, dst);
                continue;
            }
#endif
            // op(B)[p][j] = B[j][p]: read each source row contiguously.
            for (int c = 0; c < nr; c++) {
                const T *src = g->B + (j0 + jr + c) * g->ldb + p0;
                if (c < cols)
                    for (ptrdiff_t p = 0; p < kc; p++) dst[p * nr + c] = src[p];
                else
                    for (ptrdiff_t p = 0; p < kc; p++) dst[p * nr + c] = 0;
            }
        }
    }
}

static void NAME(pack_b)(const NAME(job) *g, ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t nc, T *dst)
{
    switch (g->nr) {
    case 16: NAME(pack_b_body)(g, p0, kc, j0, nc, dst, 16); break;
    case 8: NAME(pack_b_body)(g, p0, kc, j0, nc, dst, 8); break;
    default: NAME(pack_b_body)(g, p0, kc, j0, nc, dst, 4); break;
    }
}

// Splits `total` into the fewest blocks of at most `limit`, of equal size rounded up to `unit`.
static ptrdiff_t NAME(block)(ptrdiff_t total, ptrdiff_t limit, ptrdiff_t unit)
{
    ptrdiff_t blocks = (total + limit - 1) / limit;
    ptrdiff_t size = (total + blocks - 1) / blocks;
    return (size + unit - 1) / unit * unit;
}

// C[i0..<i1, j0..<j1] through packed panels.
static void NAME(blocked)(const NAME(job) *g, ptrdiff_t i0, ptrdiff_t i1, ptrdiff_t j0, ptrdiff_t j1)
{
    const int nr = g->nr;
    ptrdiff_t kcb = NAME(block)(g->k, KC, 1);
    ptrdiff_t mcb = NAME(block)(i1 - i0, MC, CK_MR);
    ptrdiff_t ncb = NAME(block)(j1 - j0, NC, nr);
    T *ap = ck_scratch(0, sizeof(T) * (size_t)(mcb * kcb + 8));   // + slack for PACK_A6_AVX2
    T *bp = ck_scratch(1, sizeof(T) * (size_t)(ncb * kcb));
    int direct_b = !g->transB && i1 - i0 <= DIRECT_B_ROWS;
    for (ptrdiff_t jc = j0; jc < j1; jc += ncb) {
        ptrdiff_t nc = j1 - jc < ncb ? j1 - jc : ncb;
        for (ptrdiff_t pc = 0; pc < g->k; pc += kcb) {
            ptrdiff_t kc = g->k - pc < kcb ? g->k - pc : kcb;
            T beta = pc == 0 ? g->beta : 1;   // later k-blocks accumulate
            // With few rows of A, each B panel serves few tiles: read full-width panels of
            // row-major B in place and pack only the ragged last one.
            ptrdiff_t packed_from = direct_b ? nc / nr * nr : 0;
            if (packed_from < nc) NAME(pack_b)(g, pc, kc, jc + packed_from, nc - packed_from, bp + packed_from * kc);
            for (ptrdiff_t ic = i0; ic < i1; ic += mcb) {
                ptrdiff_t mc = i1 - ic < mcb ? i1 - ic : mcb;
                NAME(pack_a)(g, ic, mc, pc, kc, ap);
                for (ptrdiff_t jr = 0; jr < nc; jr += nr) {
                    int cols = (int)(nc - jr < nr ? nc - jr : nr);
                    const T *b = jr < packed_from ? g->B + pc * g->ldb + jc + jr : bp + jr * kc;
                    ptrdiff_t bs = jr < packed_from ? g->ldb : nr;
                    for (ptrdiff_t ir = 0; ir < mc; ir += CK_MR) {
                        int rows = (int)(mc - ir < CK_MR ? mc - ir : CK_MR);
                        g->kernel(kc, ap + ir * kc, b, bs, g->C + (ic + ir) * g->ldc + jc + jr,
                                  g->ldc, rows, cols, g->alpha, beta);
                    }
                }
            }
        }
    }
}

// Thread `index` of `count` takes a slab of C: columns when m < n (each thread then packs
// all of A, the smaller operand), rows otherwise.
static void NAME(task)(void *ctx, int index, int count)
{
    const NAME(job) *g = ctx;
    int by_columns = g->m < g->n;
    ptrdiff_t total = by_columns ? g->n : g->m;
    ptrdiff_t unit = by_columns ? g->nr : CK_MR;
    ptrdiff_t units = (total + unit - 1) / unit;
    ptrdiff_t lo = units * index / count * unit, hi = units * (index + 1) / count * unit;
    if (hi > total) hi = total;
    if (lo >= hi) return;
    if (by_columns) NAME(blocked)(g, 0, g->m, lo, hi);
    else NAME(blocked)(g, lo, hi, 0, g->n);
}

// Small products: a direct loop, cheaper than packing. The body is inlined into a portable
// and an AVX2+FMA wrapper so each is vectorised for its own instruction set.
static inline __attribute__((always_inline)) void NAME(direct_body)(const NAME(job) *g)
{
    for (ptrdiff_t i = 0; i < g->m; i++) {
        T *c = g->C + i * g->ldc;
        if (g->beta == 0) for (ptrdiff_t j = 0; j < g->n; j++) c[j] = 0;
        else if (g->beta != 1) for (ptrdiff_t j = 0; j < g->n; j++) c[j] *= g->beta;
        for (ptrdiff_t p = 0; p < g->k; p++) {
            T a = g->alpha * (g->transA ? g->A[p * g->lda + i] : g->A[i * g->lda + p]);
            if (!g->transB) {
                const T *b = g->B + p * g->ldb;
                for (ptrdiff_t j = 0; j < g->n; j++) c[j] += a * b[j];
            } else {
                const T *b = g->B + p;
                for (ptrdiff_t j = 0; j < g->n; j++) c[j] += a * b[j * g->ldb];
            }
        }
    }
}
static void NAME(direct_portable)(const NAME(job) *g) { NAME(direct_body)(g); }
#if CK_X86
CK_AVX2 static void NAME(direct_avx2)(const NAME(job) *g) { NAME(direct_body)(g); }
#endif

static void NAME(gemm)(int transA, int transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,
                       const T *A, ptrdiff_t lda, const T *B, ptrdiff_t ldb, T beta, T *C, ptrdiff_t ldc)
{
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) {
        // Nothing to multiply: C = beta * C, and beta == 0 clears without reading.
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++)
                C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
        return;
    }
    int avx2 = ck_active_level() == CK_LEVEL_AVX2_FMA;
    NAME(job) g = { transA, transB, m, n, k, alpha, beta, A, B, C, lda, ldb, ldc, 0, 0, avx2 };
    double work = (double)m * (double)n * (double)k;
    if (work <= DIRECT_WORK) {
#if CK_X86
        if (avx2) { NAME(direct_avx2)(&g); return; }
#endif
        NAME(direct_portable)(&g);
        return;
    }
#if CK_X86
    if (avx2) { g.kernel = KERNEL_AVX2; g.nr = NR_AVX2; }
    else
#endif
    { g.kernel = KERNEL_PORTABLE; g.nr = NR_PORTABLE; }
    int threads = atomic_load_explicit(&ck_threads_wanted, memory_order_relaxed);
    ptrdiff_t units = m < n ? (n + g.nr - 1) / g.nr : (m + CK_MR - 1) / CK_MR;
    // Two chunks per thread let the caller absorb a worker that starts late.
    ptrdiff_t chunks = work < PARALLEL_WORK || threads < 2 ? 1 : 2 * (ptrdiff_t)threads;
    if (chunks > units) chunks = units;
    if (chunks > 1) ck_pool_run(threads, (int)chunks, NAME(task), &g);
    else NAME(blocked)(&g, 0, m, 0, n);
}
