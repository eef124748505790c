// The fused linear op's elementwise passes, in float: the forward epilogue (biases, the
// second product, ReLU) and the backward pass that masks the cotangent and sums it into the
// bias gradients. Written as plain loops that the compiler vectorises, once for the
// portable level and once for AVX2; ReLU as a select, so it needs no branch per element.
//
// The arithmetic must equal the Swift kernels' (and the unfused ops') bit for bit: no
// contraction into fused multiply-adds, and the additions in the same order.
#include "internal.h"
#pragma clang fp contract(off)

#define RELU(v) (relu ? ((v) > 0 ? (v) : 0) : (v))

static inline __attribute__((always_inline)) void
epilogue_body(ptrdiff_t rows, ptrdiff_t n, int relu, float *restrict out, const float *restrict bias,
              const float *restrict second, const float *restrict second_bias)
{
    // One loop per combination of terms, so no loop tests a pointer (the compiler would
    // otherwise mask every load).
    for (ptrdiff_t r = 0; r < rows; r++) {
        float *restrict o = out + r * n;
        const float *restrict s = second ? second + r * n : NULL;
        if (!s && !bias && !second_bias)
            for (ptrdiff_t j = 0; j < n; j++) o[j] = RELU(o[j]);
        else if (!s && !second_bias)
            for (ptrdiff_t j = 0; j < n; j++) o[j] = RELU(o[j] + bias[j]);
        else if (!s && !bias)
            for (ptrdiff_t j = 0; j < n; j++) o[j] = RELU(o[j] + second_bias[j]);
        else if (!s)
            for (ptrdiff_t j = 0; j < n; j++) o[j] = RELU((o[j] + bias[j]) + second_bias[j]);
        else if (!bias && !second_bias)
            for (ptrdiff_t j = 0; j < n; j++) o[j] = RELU(o[j] + s[j]);
        else if (!bias)
            for (ptrdiff_t j = 0; j < n; j++) o[j] = RELU(o[j] + (s[j] + second_bias[j]));
        else if (!second_bias)
            for (ptrdiff_t j = 0; j < n; j++) o[j] = RELU((o[j] + bias[j]) + s[j]);
        else
            for (ptrdiff_t j = 0; j < n; j++) o[j] = RELU((o[j] + bias[j]) + (s[j] + second_bias[j]));
    }
}
#undef RELU

static inline __attribute__((always_inline)) void
backward_body(ptrdiff_t rows, ptrdiff_t n, int activation, const float *restrict y, const float *restrict g,
              float *restrict dz, float *restrict db, float *restrict db2)
{
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *restrict yr = y + r * n, *restrict gr = g + r * n;
        float *restrict d = dz + r * n;
        if (activation == 1)
            for (ptrdiff_t j = 0; j < n; j++) d[j] = yr[j] > 0 ? gr[j] : 0;
        else if (activation == 2)
            for (ptrdiff_t j = 0; j < n; j++) d[j] = gr[j] * (1 - yr[j] * yr[j]);
        const float *row = activation == 0 ? gr : d;
        if (db) for (ptrdiff_t j = 0; j < n; j++) db[j] += row[j];
        if (db2) for (ptrdiff_t j = 0; j < n; j++) db2[j] += row[j];
    }
}

// Each loop is instantiated with its flags constant, so every variant is a straight loop.
#define EPILOGUE_VARIANTS(suffix, attributes)                                                          \
    attributes static void epilogue_##suffix(ptrdiff_t rows, ptrdiff_t n, int relu, float *out,          \
                                             const float *bias, const float *second, const float *sb)    \
    {                                                                                                  \
        if (relu) epilogue_body(rows, n, 1, out, bias, second, sb);                                    \
        else epilogue_body(rows, n, 0, out, bias, second, sb);                                         \
    }                                                                                                  \
    attributes static void backward_##suffix(ptrdiff_t rows, ptrdiff_t n, int activation, const float *y, \
                                             const float *g, float *dz, float *db, float *db2)          \
    {                                                                                                  \
        switch (activation) {                                                                          \
        case 1: backward_body(rows, n, 1, y, g, dz, db, db2); break;                                   \
        case 2: backward_body(rows, n, 2, y, g, dz, db, db2); break;                                   \
        default: backward_body(rows, n, 0, y, g, dz, db, db2); break;                                  \
        }                                                                                              \
    }

EPILOGUE_VARIANTS(portable, )
#if CK_X86
EPILOGUE_VARIANTS(avx2, CK_AVX2)
#endif

void ck_linear_epilogue_f32(ptrdiff_t rows, ptrdiff_t n, int relu, float *out, const float *bias,
                            const float *second, const float *second_bias)
{
#if CK_X86
    if (ck_active_level() == CK_LEVEL_AVX2_FMA) {
        epilogue_avx2(rows, n, relu, out, bias, second, second_bias);
        return;
    }
#endif
    epilogue_portable(rows, n, relu, out, bias, second, second_bias);
}

void ck_linear_backward_f32(ptrdiff_t rows, ptrdiff_t n, int activation, const float *y, const float *g,
                            float *dz, float *db, float *db2)
{
#if CK_X86
    if (ck_active_level() == CK_LEVEL_AVX2_FMA) {
        backward_avx2(rows, n, activation, y, g, dz, db, db2);
        return;
    }
#endif
    backward_portable(rows, n, activation, y, g, dz, db, db2);
}
