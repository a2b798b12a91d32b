/*
 * beamr engine: relaxed SIMD (WebAssembly 3.0) with one deterministic
 * behaviour per instruction, the same on every machine (AO needs
 * reproducible results): each is the non-relaxed instruction it relaxes
 * where there is one, madd/nmadd are fused (one rounding, C's fma, which
 * is correctly rounded on every target), and the i7 dot products read
 * their second operand as signed bytes with wrapping i16 sums. README.md
 * ("Relaxed SIMD") lists the choices.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_NUMERIC_RELAXED_H
#define BR_NUMERIC_RELAXED_H

#include "numeric_simd.h"

/* Out-of-range indices give 0, as i8x16.swizzle. */
static inline void
bri_v_i8x16_relaxed_swizzle(bri_v128_t *r, const bri_v128_t *x,
                            const bri_v128_t *y)
{
    bri_v_i8x16_swizzle(r, x, y);
}

/* NaN gives 0 and out-of-range values saturate, as trunc_sat. */
static inline void
bri_v_i32x4_relaxed_trunc_f32x4_s(bri_v128_t *r, const bri_v128_t *x)
{
    bri_v_i32x4_trunc_sat_f32x4_s(r, x);
}

static inline void
bri_v_i32x4_relaxed_trunc_f32x4_u(bri_v128_t *r, const bri_v128_t *x)
{
    bri_v_i32x4_trunc_sat_f32x4_u(r, x);
}

static inline void
bri_v_i32x4_relaxed_trunc_f64x2_s_zero(bri_v128_t *r, const bri_v128_t *x)
{
    bri_v_i32x4_trunc_sat_f64x2_s_zero(r, x);
}

static inline void
bri_v_i32x4_relaxed_trunc_f64x2_u_zero(bri_v128_t *r, const bri_v128_t *x)
{
    bri_v_i32x4_trunc_sat_f64x2_u_zero(r, x);
}

/* a * b + c and -(a * b) + c, with a single rounding. */
#define BRI_V_MADD(name, F, T, N, fn, sign)                                \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x,   \
                                    const bri_v128_t *y,                   \
                                    const bri_v128_t *z)                   \
    {                                                                      \
        bri_v128_t t_;                                                     \
        for (unsigned i = 0; i < (N); i++)                                 \
            t_.F[i] = fn((T)(sign x->F[i]), y->F[i], z->F[i]);             \
        *r = t_;                                                           \
    }
BRI_V_MADD(f32x4_relaxed_madd, f32, float, 4, fmaf, +)
BRI_V_MADD(f32x4_relaxed_nmadd, f32, float, 4, fmaf, -)
BRI_V_MADD(f64x2_relaxed_madd, f64, double, 2, fma, +)
BRI_V_MADD(f64x2_relaxed_nmadd, f64, double, 2, fma, -)
#undef BRI_V_MADD

/* Every bit chosen by the mask (the third operand), as v128.bitselect,
 * whatever the lane width. */
#define BRI_V_LANESELECT(name)                                             \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x,   \
                                    const bri_v128_t *y,                   \
                                    const bri_v128_t *m)                   \
    {                                                                      \
        bri_v_v128_bitselect(r, x, y, m);                                  \
    }
BRI_V_LANESELECT(i8x16_relaxed_laneselect)
BRI_V_LANESELECT(i16x8_relaxed_laneselect)
BRI_V_LANESELECT(i32x4_relaxed_laneselect)
BRI_V_LANESELECT(i64x2_relaxed_laneselect)
#undef BRI_V_LANESELECT

/* NaN in, canonical NaN out; -0 < +0: as f32x4.min and friends. */
#define BRI_V_RELAXED_AS(name, plain)                                      \
    static inline void bri_v_##name(bri_v128_t *r, const bri_v128_t *x,   \
                                    const bri_v128_t *y)                   \
    {                                                                      \
        bri_v_##plain(r, x, y);                                            \
    }
BRI_V_RELAXED_AS(f32x4_relaxed_min, f32x4_min)
BRI_V_RELAXED_AS(f32x4_relaxed_max, f32x4_max)
BRI_V_RELAXED_AS(f64x2_relaxed_min, f64x2_min)
BRI_V_RELAXED_AS(f64x2_relaxed_max, f64x2_max)
/* -32768 * -32768 saturates to 32767, as q15mulr_sat_s. */
BRI_V_RELAXED_AS(i16x8_relaxed_q15mulr_s, i16x8_q15mulr_sat_s)
#undef BRI_V_RELAXED_AS

/* Lane i of the i16 dot product: both operands signed bytes, the sum of
 * the two products wrapped to 16 bits (only -128 * -128 twice wraps). */
static inline int16_t
bri_relaxed_dot_lane(const bri_v128_t *x, const bri_v128_t *y, unsigned i)
{
    int32_t s = (int32_t)x->i8[2 * i] * y->i8[2 * i] +
                (int32_t)x->i8[2 * i + 1] * y->i8[2 * i + 1];
    return (int16_t)(uint16_t)(uint32_t)s;
}

static inline void
bri_v_i16x8_relaxed_dot_i8x16_i7x16_s(bri_v128_t *r, const bri_v128_t *x,
                                      const bri_v128_t *y)
{
    bri_v128_t t_;
    for (unsigned i = 0; i < 8; i++)
        t_.i16[i] = bri_relaxed_dot_lane(x, y, i);
    *r = t_;
}

/* The i16 dot product above, its pairs added into i32 lanes, plus c
 * (wrapping). */
static inline void
bri_v_i32x4_relaxed_dot_i8x16_i7x16_add_s(bri_v128_t *r, const bri_v128_t *x,
                                          const bri_v128_t *y,
                                          const bri_v128_t *c)
{
    bri_v128_t t_;
    for (unsigned i = 0; i < 4; i++) {
        int32_t s = (int32_t)bri_relaxed_dot_lane(x, y, 2 * i) +
                    bri_relaxed_dot_lane(x, y, 2 * i + 1);
        t_.u32[i] = (uint32_t)s + c->u32[i];
    }
    *r = t_;
}

#endif
