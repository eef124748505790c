// Element-wise exp, log, tanh and sigmoid.
//
// Float on AVX2+FMA: range reduction plus minimax polynomials (the Cephes single-precision
// coefficients), about 1-2 ulp over the normal range. Float elsewhere and all of Double use
// libm: Double feeds gradient checks, where accuracy matters more than speed.
#include "internal.h"
#include <math.h>
#if CK_X86
#include <immintrin.h>

#define SPLAT(v) _mm256_set1_ps(v)
#define INLINE CK_AVX2 static inline __attribute__((always_inline))

// exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln 2 / 2. Scaling by 2^n in two halves
// keeps both factors normal, so results round correctly into overflow (+inf) and underflow.
INLINE __m256 exp8(__m256 x)
{
    __m256 xc = _mm256_min_ps(_mm256_max_ps(x, SPLAT(-104.0f)), SPLAT(89.0f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, SPLAT(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, SPLAT(0.693359375f), xc);     // ln 2 split hi + lo
    r = _mm256_fnmadd_ps(n, SPLAT(-2.12194440e-4f), r);
    __m256 p = SPLAT(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, SPLAT(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, SPLAT(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, SPLAT(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, SPLAT(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, SPLAT(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, SPLAT(1.0f)));
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, _mm256_set1_epi32(127)), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, _mm256_set1_epi32(127)), 23));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));   // NaN stays NaN
}

// log(x) = e ln 2 + log(1 + f), x = 2^e (1 + f), 1 + f in [sqrt(1/2), sqrt(2)).
INLINE __m256 log8(__m256 x)
{
    __m256 tiny = _mm256_cmp_ps(x, SPLAT(1.17549435e-38f), _CMP_LT_OQ);
    __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, SPLAT(8388608.0f)), tiny);   // subnormals * 2^23
    __m256i bits = _mm256_castps_si256(xs);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
    e = _mm256_sub_ps(e, _mm256_and_ps(tiny, SPLAT(23.0f)));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)),
                                                   _mm256_set1_epi32(0x3f800000)));
    __m256 big = _mm256_cmp_ps(m, SPLAT(1.41421356f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, SPLAT(0.5f)), big);
    e = _mm256_add_ps(e, _mm256_and_ps(big, SPLAT(1.0f)));
    __m256 f = _mm256_sub_ps(m, SPLAT(1.0f));
    __m256 z = _mm256_mul_ps(f, f);
    __m256 p = SPLAT(7.0376836292e-2f);
    p = _mm256_fmadd_ps(p, f, SPLAT(-1.1514610310e-1f));
    p = _mm256_fmadd_ps(p, f, SPLAT(1.1676998740e-1f));
    p = _mm256_fmadd_ps(p, f, SPLAT(-1.2420140846e-1f));
    p = _mm256_fmadd_ps(p, f, SPLAT(1.4249322787e-1f));
    p = _mm256_fmadd_ps(p, f, SPLAT(-1.6668057665e-1f));
    p = _mm256_fmadd_ps(p, f, SPLAT(2.0000714765e-1f));
    p = _mm256_fmadd_ps(p, f, SPLAT(-2.4999993993e-1f));
    p = _mm256_fmadd_ps(p, f, SPLAT(3.3333331174e-1f));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, f), z);
    y = _mm256_fmadd_ps(e, SPLAT(-2.12194440e-4f), y);
    y = _mm256_fnmadd_ps(z, SPLAT(0.5f), y);
    y = _mm256_add_ps(f, y);
    y = _mm256_fmadd_ps(e, SPLAT(0.693359375f), y);
    // log(0) = -inf, log(+inf) = +inf, log(negative or NaN) = NaN.
    y = _mm256_blendv_ps(y, SPLAT(-INFINITY), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
    y = _mm256_blendv_ps(y, SPLAT(INFINITY), _mm256_cmp_ps(x, SPLAT(INFINITY), _CMP_EQ_OQ));
    return _mm256_blendv_ps(y, SPLAT(NAN), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ));
}

// tanh: an odd polynomial near 0, where 1 - 2 / (e^2|x| + 1) would cancel; that form elsewhere
// (it reaches exactly +-1 once e^2|x| overflows, without NaN).
INLINE __m256 tanh8(__m256 x)
{
    __m256 sign = _mm256_and_ps(x, SPLAT(-0.0f));
    __m256 ax = _mm256_andnot_ps(SPLAT(-0.0f), x);
    __m256 z = _mm256_mul_ps(x, x);
    __m256 p = SPLAT(-5.70498872745e-3f);
    p = _mm256_fmadd_ps(p, z, SPLAT(2.06390887954e-2f));
    p = _mm256_fmadd_ps(p, z, SPLAT(-5.37397155531e-2f));
    p = _mm256_fmadd_ps(p, z, SPLAT(1.33314422036e-1f));
    p = _mm256_fmadd_ps(p, z, SPLAT(-3.33332819422e-1f));
    __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
    __m256 e = exp8(_mm256_add_ps(ax, ax));
    __m256 large = _mm256_sub_ps(SPLAT(1.0f), _mm256_div_ps(SPLAT(2.0f), _mm256_add_ps(e, SPLAT(1.0f))));
    large = _mm256_or_ps(large, sign);
    return _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, SPLAT(0.625f), _CMP_LT_OQ));
}

// sigmoid(x) = 1 / (1 + e^-x): e^-x overflows to +inf for very negative x, giving 0 exactly.
INLINE __m256 sigmoid8(__m256 x)
{
    __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(SPLAT(1.0f), _mm256_add_ps(SPLAT(1.0f), e));
}

// Full vectors, then the tail through a small buffer so no lane reads past the end.
#define AVX2_LOOP(NAME, F)                                                              \
    CK_AVX2 static void NAME(ptrdiff_t n, const float *x, float *y)                     \
    {                                                                                   \
        ptrdiff_t i = 0;                                                                \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));  \
        if (i < n) {                                                                    \
            float buf[8] = {0};                                                         \
            for (ptrdiff_t j = i; j < n; j++) buf[j - i] = x[j];                        \
            _mm256_storeu_ps(buf, F(_mm256_loadu_ps(buf)));                             \
            for (ptrdiff_t j = i; j < n; j++) y[j] = buf[j - i];                        \
        }                                                                               \
    }
AVX2_LOOP(vexp_avx2, exp8)
AVX2_LOOP(vlog_avx2, log8)
AVX2_LOOP(vtanh_avx2, tanh8)
AVX2_LOOP(vsigmoid_avx2, sigmoid8)
#define DISPATCH(NAME) if (ck_active_level() == CK_LEVEL_AVX2_FMA) { NAME(n, x, y); return; }
#else
#define DISPATCH(NAME)
#endif

static inline float sigmoidf(float v) { return 1.0f / (1.0f + expf(-v)); }
static inline double sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }

void ck_vexp_f32(ptrdiff_t n, const float *x, float *y) { DISPATCH(vexp_avx2) for (ptrdiff_t i = 0; i < n; i++) y[i] = expf(x[i]); }
void ck_vlog_f32(ptrdiff_t n, const float *x, float *y) { DISPATCH(vlog_avx2) for (ptrdiff_t i = 0; i < n; i++) y[i] = logf(x[i]); }
void ck_vtanh_f32(ptrdiff_t n, const float *x, float *y) { DISPATCH(vtanh_avx2) for (ptrdiff_t i = 0; i < n; i++) y[i] = tanhf(x[i]); }
void ck_vsigmoid_f32(ptrdiff_t n, const float *x, float *y) { DISPATCH(vsigmoid_avx2) for (ptrdiff_t i = 0; i < n; i++) y[i] = sigmoidf(x[i]); }
void ck_vexp_f64(ptrdiff_t n, const double *x, double *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = exp(x[i]); }
void ck_vlog_f64(ptrdiff_t n, const double *x, double *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = log(x[i]); }
void ck_vtanh_f64(ptrdiff_t n, const double *x, double *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = tanh(x[i]); }
void ck_vsigmoid_f64(ptrdiff_t n, const double *x, double *y) { for (ptrdiff_t i = 0; i < n; i++) y[i] = sigmoid(x[i]); }
