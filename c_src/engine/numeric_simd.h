/*
 * beamr engine: WebAssembly SIMD (v128) semantics as static inline lane
 * helpers: plain C11 loops over the lanes of a bri_v128_t (the compiler
 * vectorises them), with the scalar NaN and saturation rules per lane.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_NUMERIC_SIMD_H
#define BR_NUMERIC_SIMD_H

#include "numeric.h"

/* A v128 value viewed as lanes of any shape (lane 0 at the lowest
 * address: values and memory are little-endian, see numeric.h). Union
 * type punning is defined in C11. */
typedef union bri_v128 {
    uint8_t u8[16];
    int8_t i8[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
    float f32[4];
    double f64[2];
} bri_v128_t;

_Static_assert(sizeof(bri_v128_t) == 16, "a v128 is 16 bytes");

/*
 * Stores a v128 built from two 64-bit halves with one 16-byte store.
 * The next SIMD handler loads the value 16 bytes at once; written as two
 * 8-byte stores, that load could not be forwarded from them and would
 * stall for the stores to retire (measured: a quarter of simd_dot's time).
 */
static inline void
bri_v_store_halves(bri_v128_t *r, uint64_t lo, uint64_t hi)
{
#if defined(__GNUC__)
    typedef uint64_t u64x2
        __attribute__((vector_size(16), aligned(8), may_alias));
    *(u64x2 *)(void *)r = (u64x2){lo, hi};
#else
    r->u64[0] = lo;
    r->u64[1] = hi;
#endif
}

/* Every helper writes a fresh value before storing it, so `r` may be
 * the same object as an operand. A comparison lane is all ones or zero:
 * the truncation of 0 - 1 to the lane width. */
#define BRI_MASK(cond) (0 - (uint64_t)(cond))

static inline int32_t
bri_sat(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ------------------------------------------------------------------ */
/* Helper generators. TI/LI: operand lane type and field, LO: result    */
/* field, N: lane count; `a`, `b` (and `k`, the shift count) name the   */
/* operand lanes inside `expr`.                                         */

/* The loop the lane-wise generators share: lane i of the result t_ is
 * `expr` of the operand lanes that `bind` (one statement) declares. */
#define BRI_V_LANES_(LO, N, bind, expr)                                   \
    for (unsigned i = 0; i < (N); i++) {                                  \
        bind;                                                             \
        t_.LO[i] = (expr);                                                \
    }

#define BRI_V_MAP(name, TI, LI, LO, N, expr)                              \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x)   \
    {                                                                     \
        bri_v128_t t_;                                                    \
        BRI_V_LANES_(LO, N, TI a = x->LI[i], expr)                        \
        *r = t_;                                                          \
    }

#define BRI_V_ZIP(name, TI, LI, LO, N, expr)                              \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x,   \
                                    const bri_v128_t *y)                  \
    {                                                                     \
        bri_v128_t t_;                                                    \
        BRI_V_LANES_(LO, N, TI a = x->LI[i]; TI b = y->LI[i], expr)       \
        *r = t_;                                                          \
    }

#define BRI_V_SHIFT(name, TI, LI, LO, N, expr)                            \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x,   \
                                    uint32_t k)                           \
    {                                                                     \
        bri_v128_t t_;                                                    \
        BRI_V_LANES_(LO, N, TI a = x->LI[i], expr)                        \
        *r = t_;                                                          \
    }

/* Lanes [first, first + N) of x into result lanes [0, N); the rest of
 * the result is zero (the "_zero" forms). */
#define BRI_V_CONV(name, TI, LI, LO, N, first, expr)                      \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x)   \
    {                                                                     \
        bri_v128_t t_;                                                    \
        memset(&t_, 0, sizeof t_);                                        \
        BRI_V_LANES_(LO, N, TI a = x->LI[(first) + i], expr)              \
        *r = t_;                                                          \
    }

/* Products of lanes [first, first + N), widened to TW first. */
#define BRI_V_EXTMUL(name, LI, TW, LO, N, first)                          \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x,   \
                                    const bri_v128_t *y)                  \
    {                                                                     \
        bri_v128_t t_;                                                    \
        for (unsigned i = 0; i < (N); i++)                                \
            t_.LO[i] = (TW)x->LI[(first) + i] * (TW)y->LI[(first) + i];   \
        *r = t_;                                                          \
    }

/* Sums of adjacent lane pairs, widened. */
#define BRI_V_PAIRWISE(name, LI, LO, N)                                   \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x)   \
    {                                                                     \
        bri_v128_t t_;                                                    \
        for (unsigned i = 0; i < (N); i++)                                \
            t_.LO[i] = x->LI[2 * i] + x->LI[2 * i + 1];                   \
        *r = t_;                                                          \
    }

/* Saturating narrowing: x gives the low half of the result, y the high. */
#define BRI_V_NARROW(name, LI, LO, N, lo, hi)                             \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x,   \
                                    const bri_v128_t *y)                  \
    {                                                                     \
        bri_v128_t t_;                                                    \
        for (unsigned i = 0; i < (N) / 2; i++) {                          \
            t_.LO[i] = bri_sat(x->LI[i], (lo), (hi));                     \
            t_.LO[(N) / 2 + i] = bri_sat(y->LI[i], (lo), (hi));           \
        }                                                                 \
        *r = t_;                                                          \
    }

#define BRI_V_SPLAT(name, T, L, N)                                        \
    static inline void bri_v_##name(bri_v128_t *r, uint64_t bits)         \
    {                                                                     \
        for (unsigned i = 0; i < (N); i++)                                \
            r->L[i] = (T)bits;                                            \
    }

#define BRI_V_ALL_TRUE(name, LI, N)                                       \
    static inline uint32_t bri_v_##name(const bri_v128_t *x)              \
    {                                                                     \
        uint32_t all = 1;                                                 \
        for (unsigned i = 0; i < (N); i++)                                \
            all &= x->LI[i] != 0;                                         \
        return all;                                                       \
    }

#define BRI_V_BITMASK(name, LI, N)                                        \
    static inline uint32_t bri_v_##name(const bri_v128_t *x)              \
    {                                                                     \
        uint32_t mask = 0;                                                \
        for (unsigned i = 0; i < (N); i++)                                \
            mask |= (uint32_t)(x->LI[i] < 0) << i;                        \
        return mask;                                                      \
    }

/* Extending loads: N lanes of TI from 8 bytes of memory. */
#define BRI_V_LOAD_EXT(name, TI, LO, N)                                   \
    static inline void bri_v_##name(bri_v128_t *r, const uint8_t *p)      \
    {                                                                     \
        TI in[N];                                                         \
        memcpy(in, p, sizeof in);                                         \
        for (unsigned i = 0; i < (N); i++)                                \
            r->LO[i] = in[i];                                             \
    }

/* ------------------------------------------------------------------ */
/* Bitwise                                                             */

BRI_V_MAP(v128_not, uint64_t, u64, u64, 2, ~a)
BRI_V_ZIP(v128_and, uint64_t, u64, u64, 2, a & b)
BRI_V_ZIP(v128_andnot, uint64_t, u64, u64, 2, a & ~b)
BRI_V_ZIP(v128_or, uint64_t, u64, u64, 2, a | b)
BRI_V_ZIP(v128_xor, uint64_t, u64, u64, 2, a ^ b)

static inline void
bri_v_v128_bitselect(bri_v128_t *r, const bri_v128_t *x, const bri_v128_t *y,
                     const bri_v128_t *c)
{
    bri_v128_t t_;
    for (unsigned i = 0; i < 2; i++)
        t_.u64[i] = (x->u64[i] & c->u64[i]) | (y->u64[i] & ~c->u64[i]);
    *r = t_;
}

static inline uint32_t
bri_v_v128_any_true(const bri_v128_t *x)
{
    return (x->u64[0] | x->u64[1]) != 0;
}

/* ------------------------------------------------------------------ */
/* Integer lanes: wrapping arithmetic on unsigned lanes, signed          */
/* comparisons and shifts through the signed views. u16 products are    */
/* taken in uint32_t (int would overflow).                               */

#define BRI_V_INT_COMMON(S, N, US, IS, UT, IT, MASKBITS)                     \
    BRI_V_MAP(S##_neg, UT, US, US, N, 0u - a)                                \
    BRI_V_ZIP(S##_add, UT, US, US, N, a + b)                                 \
    BRI_V_ZIP(S##_sub, UT, US, US, N, a - b)                                 \
    BRI_V_ZIP(S##_eq, UT, US, US, N, BRI_MASK(a == b))                       \
    BRI_V_ZIP(S##_ne, UT, US, US, N, BRI_MASK(a != b))                       \
    BRI_V_ZIP(S##_lt_s, IT, IS, US, N, BRI_MASK(a < b))                      \
    BRI_V_ZIP(S##_gt_s, IT, IS, US, N, BRI_MASK(a > b))                      \
    BRI_V_ZIP(S##_le_s, IT, IS, US, N, BRI_MASK(a <= b))                     \
    BRI_V_ZIP(S##_ge_s, IT, IS, US, N, BRI_MASK(a >= b))                     \
    BRI_V_MAP(S##_abs, IT, IS, US, N, a < 0 ? 0u - (UT)a : (UT)a)            \
    BRI_V_SHIFT(S##_shl, UT, US, US, N, a << (k & (MASKBITS)))               \
    BRI_V_SHIFT(S##_shr_u, UT, US, US, N, a >> (k & (MASKBITS)))             \
    BRI_V_ALL_TRUE(S##_all_true, US, N)                                      \
    BRI_V_BITMASK(S##_bitmask, IS, N)                                        \
    BRI_V_SPLAT(S##_splat, UT, US, N)

/* The narrow shapes: unsigned comparisons, min/max, saturating add/sub
 * and the rounding average. */
#define BRI_V_INT_NARROW(S, N, US, IS, UT, IT, SMIN, SMAX, UMAX)             \
    BRI_V_ZIP(S##_lt_u, UT, US, US, N, BRI_MASK(a < b))                      \
    BRI_V_ZIP(S##_gt_u, UT, US, US, N, BRI_MASK(a > b))                      \
    BRI_V_ZIP(S##_le_u, UT, US, US, N, BRI_MASK(a <= b))                     \
    BRI_V_ZIP(S##_ge_u, UT, US, US, N, BRI_MASK(a >= b))                     \
    BRI_V_ZIP(S##_min_s, IT, IS, IS, N, a < b ? a : b)                       \
    BRI_V_ZIP(S##_min_u, UT, US, US, N, a < b ? a : b)                       \
    BRI_V_ZIP(S##_max_s, IT, IS, IS, N, a > b ? a : b)                       \
    BRI_V_ZIP(S##_max_u, UT, US, US, N, a > b ? a : b)                       \
    BRI_V_ZIP(S##_add_sat_s, IT, IS, IS, N, bri_sat(a + b, SMIN, SMAX))      \
    BRI_V_ZIP(S##_add_sat_u, UT, US, US, N, bri_sat(a + b, 0, UMAX))         \
    BRI_V_ZIP(S##_sub_sat_s, IT, IS, IS, N, bri_sat(a - b, SMIN, SMAX))      \
    BRI_V_ZIP(S##_sub_sat_u, UT, US, US, N, bri_sat(a - b, 0, UMAX))         \
    BRI_V_ZIP(S##_avgr_u, UT, US, US, N, ((uint32_t)a + b + 1) >> 1)

BRI_V_INT_COMMON(i8x16, 16, u8, i8, uint8_t, int8_t, 7)
BRI_V_INT_COMMON(i16x8, 8, u16, i16, uint16_t, int16_t, 15)
BRI_V_INT_COMMON(i32x4, 4, u32, i32, uint32_t, int32_t, 31)
BRI_V_INT_COMMON(i64x2, 2, u64, i64, uint64_t, int64_t, 63)
BRI_V_INT_NARROW(i8x16, 16, u8, i8, uint8_t, int8_t, -128, 127, 255)
BRI_V_INT_NARROW(i16x8, 8, u16, i16, uint16_t, int16_t, -32768, 32767, 65535)

/* Arithmetic right shifts of the sign-extended lane (numeric.h). */
BRI_V_SHIFT(i8x16_shr_s, int8_t, i8, u8, 16,
            bri_i32_shr_s((uint32_t)(int32_t)a, k & 7))
BRI_V_SHIFT(i16x8_shr_s, int16_t, i16, u16, 8,
            bri_i32_shr_s((uint32_t)(int32_t)a, k & 15))
BRI_V_SHIFT(i32x4_shr_s, uint32_t, u32, u32, 4, bri_i32_shr_s(a, k))
BRI_V_SHIFT(i64x2_shr_s, uint64_t, u64, u64, 2, bri_i64_shr_s(a, k))

BRI_V_MAP(i8x16_popcnt, uint8_t, u8, u8, 16, bri_popcnt32(a))
BRI_V_ZIP(i16x8_mul, uint16_t, u16, u16, 8, (uint32_t)a * b)
BRI_V_ZIP(i32x4_mul, uint32_t, u32, u32, 4, a * b)
BRI_V_ZIP(i64x2_mul, uint64_t, u64, u64, 2, a * b)
BRI_V_ZIP(i32x4_lt_u, uint32_t, u32, u32, 4, BRI_MASK(a < b))
BRI_V_ZIP(i32x4_gt_u, uint32_t, u32, u32, 4, BRI_MASK(a > b))
BRI_V_ZIP(i32x4_le_u, uint32_t, u32, u32, 4, BRI_MASK(a <= b))
BRI_V_ZIP(i32x4_ge_u, uint32_t, u32, u32, 4, BRI_MASK(a >= b))
BRI_V_ZIP(i32x4_min_s, int32_t, i32, i32, 4, a < b ? a : b)
BRI_V_ZIP(i32x4_min_u, uint32_t, u32, u32, 4, a < b ? a : b)
BRI_V_ZIP(i32x4_max_s, int32_t, i32, i32, 4, a > b ? a : b)
BRI_V_ZIP(i32x4_max_u, uint32_t, u32, u32, 4, a > b ? a : b)

/* (a * b + 2^14) >> 15, saturated: only -32768 * -32768 overflows. */
static inline int16_t
bri_q15mulr(int16_t a, int16_t b)
{
    int32_t p = (int32_t)a * b + 0x4000;
    return (int16_t)bri_sat((int32_t)bri_i32_shr_s((uint32_t)p, 15), -32768,
                            32767);
}

BRI_V_ZIP(i16x8_q15mulr_sat_s, int16_t, i16, i16, 8, bri_q15mulr(a, b))

/* Sums of two adjacent products; 2 * (-32768)^2 wraps, so add unsigned. */
static inline void
bri_v_i32x4_dot_i16x8_s(bri_v128_t *r, const bri_v128_t *x,
                        const bri_v128_t *y)
{
    bri_v128_t t_;
    for (unsigned i = 0; i < 4; i++)
        t_.u32[i] = (uint32_t)(x->i16[2 * i] * y->i16[2 * i]) +
                    (uint32_t)(x->i16[2 * i + 1] * y->i16[2 * i + 1]);
    *r = t_;
}

BRI_V_NARROW(i8x16_narrow_i16x8_s, i16, i8, 16, -128, 127)
BRI_V_NARROW(i8x16_narrow_i16x8_u, i16, u8, 16, 0, 255)
BRI_V_NARROW(i16x8_narrow_i32x4_s, i32, i16, 8, -32768, 32767)
BRI_V_NARROW(i16x8_narrow_i32x4_u, i32, u16, 8, 0, 65535)

BRI_V_CONV(i16x8_extend_low_i8x16_s, int8_t, i8, i16, 8, 0, a)
BRI_V_CONV(i16x8_extend_high_i8x16_s, int8_t, i8, i16, 8, 8, a)
BRI_V_CONV(i16x8_extend_low_i8x16_u, uint8_t, u8, u16, 8, 0, a)
BRI_V_CONV(i16x8_extend_high_i8x16_u, uint8_t, u8, u16, 8, 8, a)
BRI_V_CONV(i32x4_extend_low_i16x8_s, int16_t, i16, i32, 4, 0, a)
BRI_V_CONV(i32x4_extend_high_i16x8_s, int16_t, i16, i32, 4, 4, a)
BRI_V_CONV(i32x4_extend_low_i16x8_u, uint16_t, u16, u32, 4, 0, a)
BRI_V_CONV(i32x4_extend_high_i16x8_u, uint16_t, u16, u32, 4, 4, a)
BRI_V_CONV(i64x2_extend_low_i32x4_s, int32_t, i32, i64, 2, 0, a)
BRI_V_CONV(i64x2_extend_high_i32x4_s, int32_t, i32, i64, 2, 2, a)
BRI_V_CONV(i64x2_extend_low_i32x4_u, uint32_t, u32, u64, 2, 0, a)
BRI_V_CONV(i64x2_extend_high_i32x4_u, uint32_t, u32, u64, 2, 2, a)

BRI_V_EXTMUL(i16x8_extmul_low_i8x16_s, i8, int32_t, i16, 8, 0)
BRI_V_EXTMUL(i16x8_extmul_high_i8x16_s, i8, int32_t, i16, 8, 8)
BRI_V_EXTMUL(i16x8_extmul_low_i8x16_u, u8, uint32_t, u16, 8, 0)
BRI_V_EXTMUL(i16x8_extmul_high_i8x16_u, u8, uint32_t, u16, 8, 8)
BRI_V_EXTMUL(i32x4_extmul_low_i16x8_s, i16, int32_t, i32, 4, 0)
BRI_V_EXTMUL(i32x4_extmul_high_i16x8_s, i16, int32_t, i32, 4, 4)
BRI_V_EXTMUL(i32x4_extmul_low_i16x8_u, u16, uint32_t, u32, 4, 0)
BRI_V_EXTMUL(i32x4_extmul_high_i16x8_u, u16, uint32_t, u32, 4, 4)
BRI_V_EXTMUL(i64x2_extmul_low_i32x4_s, i32, int64_t, i64, 2, 0)
BRI_V_EXTMUL(i64x2_extmul_high_i32x4_s, i32, int64_t, i64, 2, 2)
BRI_V_EXTMUL(i64x2_extmul_low_i32x4_u, u32, uint64_t, u64, 2, 0)
BRI_V_EXTMUL(i64x2_extmul_high_i32x4_u, u32, uint64_t, u64, 2, 2)

BRI_V_PAIRWISE(i16x8_extadd_pairwise_i8x16_s, i8, i16, 8)
BRI_V_PAIRWISE(i16x8_extadd_pairwise_i8x16_u, u8, u16, 8)
BRI_V_PAIRWISE(i32x4_extadd_pairwise_i16x8_s, i16, i32, 4)
BRI_V_PAIRWISE(i32x4_extadd_pairwise_i16x8_u, u16, u32, 4)

/* Lanes picked from a (swizzle: out-of-range indices give 0) or from
 * the 32 lanes of a then b (shuffle; `both` is a and b side by side, the
 * compiler checked idx < 32). The shuffle assembles each half in a
 * register: no byte stores for a wide load to wait on. */
static inline void
bri_v_i8x16_swizzle(bri_v128_t *r, const bri_v128_t *x, const bri_v128_t *y)
{
    bri_v128_t t_;
    for (unsigned i = 0; i < 16; i++)
        t_.u8[i] = y->u8[i] < 16 ? x->u8[y->u8[i]] : 0;
    *r = t_;
}

/* Byte idx[i] of both, moved to byte i % 8 of a half (unrolled by hand:
 * -O2 keeps a loop here, and its overhead is half the cost). */
#define BRI_PICK(i) ((uint64_t)both[idx[i] & 31] << (8 * ((i) % 8)))

#if defined(__GNUC__)
__attribute__((always_inline)) /* large for the inliner, used once */
#endif
static inline void
bri_v_shuffle_portable(bri_v128_t *r, const uint8_t both[32],
                       const uint8_t idx[16])
{
    uint64_t lo = BRI_PICK(0) | BRI_PICK(1) | BRI_PICK(2) | BRI_PICK(3) |
                  BRI_PICK(4) | BRI_PICK(5) | BRI_PICK(6) | BRI_PICK(7);
    uint64_t hi = BRI_PICK(8) | BRI_PICK(9) | BRI_PICK(10) | BRI_PICK(11) |
                  BRI_PICK(12) | BRI_PICK(13) | BRI_PICK(14) | BRI_PICK(15);
    bri_v_store_halves(r, lo, hi);
}

#undef BRI_PICK

/*
 * x86-64 guarantees only SSE2, whose shuffles take fixed patterns; the
 * byte shuffle with a pattern in a register (pshufb) came with SSSE3,
 * which every x86-64 CPU since about 2006 has. It does in a few
 * instructions what the portable version does in sixteen loads: worth a
 * call into a function compiled for SSSE3 and a check of the CPU.
 * Builds with BRI_PORTABLE_SIMD=1 (the switch-dispatch test build) keep
 * to the portable code, so the test suite runs both.
 */
#if !defined(BRI_PORTABLE_SIMD)
#define BRI_PORTABLE_SIMD 0
#endif
#if !BRI_PORTABLE_SIMD && defined(__GNUC__) && defined(__x86_64__)
#include <tmmintrin.h>
#define BRI_HAVE_PSHUFB 1

/* Each operand's bytes picked by the indices; pshufb gives 0 for an
 * index byte with its top bit set, which masks the other operand's. */
__attribute__((target("ssse3"))) static void
bri_v_shuffle_pshufb(bri_v128_t *r, const uint8_t both[32],
                     const uint8_t idx[16])
{
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)both);
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(both + 16));
    __m128i i = _mm_loadu_si128((const __m128i *)(const void *)idx);
    /* indices are 0..31 (validated): a keeps 0..15, b gets i - 16 */
    __m128i from_a = _mm_or_si128(i, _mm_cmpgt_epi8(i, _mm_set1_epi8(15)));
    __m128i from_b = _mm_sub_epi8(i, _mm_set1_epi8(16));
    _mm_storeu_si128((__m128i *)(void *)r,
                     _mm_or_si128(_mm_shuffle_epi8(a, from_a),
                                  _mm_shuffle_epi8(b, from_b)));
}
#else
#define BRI_HAVE_PSHUFB 0
#endif

static inline void
bri_v_i8x16_shuffle(bri_v128_t *r, const uint8_t both[32],
                    const uint8_t idx[16])
{
#if BRI_HAVE_PSHUFB
    if (__builtin_cpu_supports("ssse3")) {
        bri_v_shuffle_pshufb(r, both, idx);
        return;
    }
#endif
    bri_v_shuffle_portable(r, both, idx);
}

/* ------------------------------------------------------------------ */
/* Float lanes: the scalar helpers of numeric.h per lane; abs, neg and */
/* the pseudo-min/max work on the bits so NaN payloads pass unchanged. */

#define BRI_V_FLOAT(S, N, F, U, T, UT, BITS, OF)                             \
    BRI_V_MAP(S##_abs, UT, U, U, N, bri_##BITS##_abs(a))                     \
    BRI_V_MAP(S##_neg, UT, U, U, N, bri_##BITS##_neg(a))                     \
    BRI_V_MAP(S##_ceil, T, F, F, N, bri_##BITS##_ceil(a))                    \
    BRI_V_MAP(S##_floor, T, F, F, N, bri_##BITS##_floor(a))                  \
    BRI_V_MAP(S##_trunc, T, F, F, N, bri_##BITS##_trunc(a))                  \
    BRI_V_MAP(S##_nearest, T, F, F, N, bri_##BITS##_nearest(a))              \
    BRI_V_ZIP(S##_add, T, F, F, N, a + b)                                    \
    BRI_V_ZIP(S##_sub, T, F, F, N, a - b)                                    \
    BRI_V_ZIP(S##_mul, T, F, F, N, a * b)                                    \
    BRI_V_ZIP(S##_div, T, F, F, N, a / b)                                    \
    BRI_V_ZIP(S##_min, T, F, F, N, bri_##BITS##_min(a, b))                   \
    BRI_V_ZIP(S##_max, T, F, F, N, bri_##BITS##_max(a, b))                   \
    BRI_V_ZIP(S##_pmin, UT, U, U, N, OF(b) < OF(a) ? b : a)                  \
    BRI_V_ZIP(S##_pmax, UT, U, U, N, OF(a) < OF(b) ? b : a)                  \
    BRI_V_ZIP(S##_eq, T, F, U, N, BRI_MASK(a == b))                          \
    BRI_V_ZIP(S##_ne, T, F, U, N, BRI_MASK(a != b))                          \
    BRI_V_ZIP(S##_lt, T, F, U, N, BRI_MASK(a < b))                           \
    BRI_V_ZIP(S##_gt, T, F, U, N, BRI_MASK(a > b))                           \
    BRI_V_ZIP(S##_le, T, F, U, N, BRI_MASK(a <= b))                          \
    BRI_V_ZIP(S##_ge, T, F, U, N, BRI_MASK(a >= b))                          \
    BRI_V_SPLAT(S##_splat, UT, U, N)

BRI_V_FLOAT(f32x4, 4, f32, u32, float, uint32_t, f32, bri_f32_of)
BRI_V_FLOAT(f64x2, 2, f64, u64, double, uint64_t, f64, bri_f64_of)
BRI_V_MAP(f32x4_sqrt, float, f32, f32, 4, sqrtf(a))
BRI_V_MAP(f64x2_sqrt, double, f64, f64, 2, sqrt(a))

/* ------------------------------------------------------------------ */
/* Conversions                                                         */

BRI_V_MAP(i32x4_trunc_sat_f32x4_s, float, f32, u32, 4, bri_trunc_sat_s32(a))
BRI_V_MAP(i32x4_trunc_sat_f32x4_u, float, f32, u32, 4, bri_trunc_sat_u32(a))
BRI_V_MAP(f32x4_convert_i32x4_s, int32_t, i32, f32, 4, (float)a)
BRI_V_MAP(f32x4_convert_i32x4_u, uint32_t, u32, f32, 4, (float)a)
BRI_V_CONV(i32x4_trunc_sat_f64x2_s_zero, double, f64, u32, 2, 0,
           bri_trunc_sat_s32(a))
BRI_V_CONV(i32x4_trunc_sat_f64x2_u_zero, double, f64, u32, 2, 0,
           bri_trunc_sat_u32(a))
BRI_V_CONV(f64x2_convert_low_i32x4_s, int32_t, i32, f64, 2, 0, (double)a)
BRI_V_CONV(f64x2_convert_low_i32x4_u, uint32_t, u32, f64, 2, 0, (double)a)
BRI_V_CONV(f32x4_demote_f64x2_zero, double, f64, f32, 2, 0, (float)a)
BRI_V_CONV(f64x2_promote_low_f32x4, float, f32, f64, 2, 0, (double)a)

/* ------------------------------------------------------------------ */
/* Loads from memory (bounds already checked)                          */

BRI_V_LOAD_EXT(v128_load8x8_s, int8_t, i16, 8)
BRI_V_LOAD_EXT(v128_load8x8_u, uint8_t, u16, 8)
BRI_V_LOAD_EXT(v128_load16x4_s, int16_t, i32, 4)
BRI_V_LOAD_EXT(v128_load16x4_u, uint16_t, u32, 4)
BRI_V_LOAD_EXT(v128_load32x2_s, int32_t, i64, 2)
BRI_V_LOAD_EXT(v128_load32x2_u, uint32_t, u64, 2)

/* The first `width` bytes of p, zero-extended to a whole v128. */
static inline void
bri_v_load_zero(bri_v128_t *r, const uint8_t *p, unsigned width)
{
    memset(r, 0, sizeof *r);
    memcpy(r, p, width);
}

/* A lane of `width` bytes at p, repeated. */
static inline void
bri_v_load_splat(bri_v128_t *r, const uint8_t *p, unsigned width)
{
    for (unsigned i = 0; i < 16; i += width)
        memcpy(r->u8 + i, p, width);
}

#undef BRI_V_MAP
#undef BRI_V_ZIP
#undef BRI_V_SHIFT
#undef BRI_V_CONV
#undef BRI_V_EXTMUL
#undef BRI_V_PAIRWISE
#undef BRI_V_NARROW
#undef BRI_V_SPLAT
#undef BRI_V_ALL_TRUE
#undef BRI_V_BITMASK
#undef BRI_V_LOAD_EXT
#undef BRI_V_INT_COMMON
#undef BRI_V_INT_NARROW
#undef BRI_V_FLOAT

#endif
