// The blocked GEMM driver, written once and included by gemm.c for float and for double.
// Before inclusion define: T (element type), NAME(x) (prefixes names), KERNEL (micro-kernel
// pointer type), ARGS (the public argument struct of the *_many entry), and the block sizes
// MC, KC, NC.
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
            // Each step's MR values are contiguous in op(A)^T = A: a copy, vectorised where
            // the panel is full (a per-element test kept it scalar).
            const T *src = g->A + p0 * g->lda + i0 + ir;
            if (rows == CK_MR)
                for (ptrdiff_t p = 0; p < kc; p++, src += g->lda) memcpy(dst + p * CK_MR, src, sizeof(T) * CK_MR);
            else
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
            if (cols == nr) {  // memcpy: the compiler, unsure the two do not overlap, copied by element
                for (ptrdiff_t p = 0; p < kc; p++, src += g->ldb) memcpy(dst + p * nr, src, sizeof(T) * (size_t)nr);
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

// Part `index` of `count` of one product: a slab of C, columns when m < n (each part then
// packs all of A, the smaller operand), rows otherwise.
static void NAME(slab)(const NAME(job) *g, int index, int count)
{
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

static void NAME(task)(void *ctx, int index, int count) { NAME(slab)(ctx, index, count); }

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

// How a product is computed: nothing left to do, a direct loop, or packed panels.
enum { NAME(done), NAME(direct), NAME(packed) };

// Fills *g for C = alpha op(A) op(B) + beta C and says how to compute it; products with
// nothing to multiply are finished here (C = beta C; beta == 0 clears without reading).
static int NAME(prepare)(NAME(job) *g, int transA, int transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,
                         const T *A, ptrdiff_t lda, const T *B, ptrdiff_t ldb, T beta, T *C, ptrdiff_t ldc)
{
    if (m <= 0 || n <= 0) return NAME(done);
    if (k <= 0 || alpha == 0) {
        for (ptrdiff_t i = 0; i < m; i++)
            for (ptrdiff_t j = 0; j < n; j++)
                C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
        return NAME(done);
    }
    int avx2 = ck_active_level() == CK_LEVEL_AVX2_FMA;
    *g = (NAME(job)){ transA, transB, m, n, k, alpha, beta, A, B, C, lda, ldb, ldc, 0, 0, avx2 };
#if CK_X86
    if (avx2) { g->kernel = KERNEL_AVX2; g->nr = NR_AVX2; }
    else
#endif
    { g->kernel = KERNEL_PORTABLE; g->nr = NR_PORTABLE; }
    return (double)m * (double)n * (double)k <= DIRECT_WORK ? NAME(direct) : NAME(packed);
}

static void NAME(run_direct)(const NAME(job) *g)
{
#if CK_X86
    if (g->avx2) { NAME(direct_avx2)(g); return; }
#endif
    NAME(direct_portable)(g);
}

static double NAME(work)(const NAME(job) *g) { return (double)g->m * (double)g->n * (double)g->k; }

// The most parts a product may be cut into: one per MR rows or NR columns of its slab axis.
static int NAME(max_parts)(const NAME(job) *g)
{
    ptrdiff_t units = g->m < g->n ? (g->n + g->nr - 1) / g->nr : (g->m + CK_MR - 1) / CK_MR;
    return units > 64 ? 64 : (int)units;
}

// A prepared packed product, split over the pool when it is large enough.
static void NAME(run_packed)(NAME(job) *g)
{
    int threads = atomic_load_explicit(&ck_threads_wanted, memory_order_relaxed);
    // Two chunks per thread let the caller absorb a worker that starts late.
    int chunks = NAME(work)(g) < PARALLEL_WORK || threads < 2 ? 1 : 2 * threads;
    if (chunks > NAME(max_parts)(g)) chunks = NAME(max_parts)(g);
    if (chunks > 1) ck_pool_run(threads, chunks, NAME(task), g);
    else NAME(blocked)(g, 0, g->m, 0, g->n);
}

static void NAME(gemm)(int transA, int transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,
                       const T *A, ptrdiff_t lda, const T *B, ptrdiff_t ldb, T beta, T *C, ptrdiff_t ldc)
{
    NAME(job) g;
    switch (NAME(prepare)(&g, transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc)) {
    case NAME(done): return;
    case NAME(direct): NAME(run_direct)(&g); return;
    }
    NAME(run_packed)(&g);
}

// MARK: Independent products at once

// Up to many_max products; product i is cut into the chunks first[i] ..< first[i + 1].
enum { NAME(many_max) = 16 };
typedef struct {
    NAME(job) jobs[NAME(many_max)];
    int direct[NAME(many_max)], first[NAME(many_max) + 1];
} NAME(many_job);

static void NAME(many_task)(void *ctx, int index, int count)
{
    (void)count;
    const NAME(many_job) *w = ctx;
    int p = 0;
    while (index >= w->first[p + 1]) p++;
    if (w->direct[p]) NAME(run_direct)(&w->jobs[p]);
    else NAME(slab)(&w->jobs[p], index - w->first[p], w->first[p + 1] - w->first[p]);
}

// Runs up to many_max prepared products: each whole on one thread where that balances (a
// whole product packs its operands once and runs at the single-thread rate, where a split one
// shares packing and waits), cut in parts only to balance the load.
static void NAME(many_group)(int count, const NAME(job) *jobs, const int *direct, int threads)
{
    NAME(many_job) w;
    double total = 0, largest = 0;
    for (int i = 0; i < count; i++) {
        w.jobs[i] = jobs[i];
        w.direct[i] = direct[i];
        double work = NAME(work)(&jobs[i]);
        total += work;
        if (work > largest) largest = work;
    }
    if (threads < 2 || total < PARALLEL_WORK) {
        for (int i = 0; i < count; i++) {
            if (direct[i]) NAME(run_direct)(&jobs[i]);
            else NAME(blocked)(&jobs[i], 0, jobs[i].m, 0, jobs[i].n);
        }
        return;
    }
    // Whole products balance when there are as many as threads (or a multiple) of about
    // equal size; otherwise each is cut into parts of at most about total / (2 threads), so
    // that the chunks, claimed in turn, even out.
    int whole = count % threads == 0 && largest <= 1.25 * total / count;
    double target = total / (2.0 * threads);
    w.first[0] = 0;
    for (int i = 0; i < count; i++) {
        int parts = 1;
        if (!direct[i] && !whole) {
            double cut = NAME(work)(&jobs[i]) / target;
            parts = cut <= 1 ? 1 : (int)cut + (cut > (int)cut);
            if (parts > NAME(max_parts)(&jobs[i])) parts = NAME(max_parts)(&jobs[i]);
        }
        w.first[i + 1] = w.first[i] + parts;
    }
    ck_pool_run(threads, w.first[count], NAME(many_task), &w);
}

static void NAME(many)(int count, const ARGS *products)
{
    int threads = atomic_load_explicit(&ck_threads_wanted, memory_order_relaxed);
    NAME(job) jobs[NAME(many_max)];
    int direct[NAME(many_max)], ready = 0;
    for (int i = 0; i < count; i++) {
        const ARGS *p = &products[i];
        int how = NAME(prepare)(&jobs[ready], p->transA, p->transB, p->m, p->n, p->k, p->alpha, p->A, p->lda,
                                p->B, p->ldb, p->beta, p->C, p->ldc);
        if (how == NAME(done)) continue;
        direct[ready++] = how == NAME(direct);
        if (ready == NAME(many_max)) {
            NAME(many_group)(ready, jobs, direct, threads);
            ready = 0;
        }
    }
    if (ready == 1 && !direct[0]) {  // one product: split as ck_sgemm splits it
        NAME(run_packed)(&jobs[0]);
    } else if (ready > 0) {
        NAME(many_group)(ready, jobs, direct, threads);
    }
}
