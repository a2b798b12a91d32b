/*
 * beamr tests: the WebAssembly 3.0 lane and integer helpers on their own:
 * wide arithmetic (numeric_wide.h) against a 128-bit reference on edge
 * values and 20,000 pseudo-random pairs, and the deterministic choice
 * of each relaxed SIMD instruction (numeric_relaxed.h) where the spec
 * allows several results (README.md, "Relaxed SIMD"). The spec files
 * (make spec3) cover them through the whole engine.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "numeric_relaxed.h"
#include "numeric_wide.h"

typedef unsigned __int128 u128;

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t
next_u64(void)
{
    /* xorshift64*: deterministic, so a failure reproduces */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717u;
}

static void
check_wide(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t lo, hi;
    u128 x = ((u128)b << 64) | a, y = ((u128)d << 64) | c, r;
    bri_i64_add128(a, b, c, d, &lo, &hi);
    r = x + y;
    CHECK(lo == (uint64_t)r && hi == (uint64_t)(r >> 64));
    bri_i64_sub128(a, b, c, d, &lo, &hi);
    r = x - y;
    CHECK(lo == (uint64_t)r && hi == (uint64_t)(r >> 64));
    bri_i64_mul_wide_u(a, c, &lo, &hi);
    r = (u128)a * c;
    CHECK(lo == (uint64_t)r && hi == (uint64_t)(r >> 64));
    bri_i64_mul_wide_s(a, c, &lo, &hi);
    r = (u128)((__int128)(int64_t)a * (int64_t)c);
    CHECK(lo == (uint64_t)r && hi == (uint64_t)(r >> 64));
}

static void
test_wide(void)
{
    static const uint64_t edge[] = {0, 1, 2, 0x7FFFFFFFFFFFFFFFu,
                                    0x8000000000000000u, 0xFFFFFFFFu,
                                    0x100000000u, UINT64_MAX};
    size_t n = sizeof edge / sizeof edge[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            check_wide(edge[i], edge[j], edge[j], edge[i]);
    for (int k = 0; k < 20000; k++) {
        uint64_t a = next_u64(), b = next_u64();
        check_wide(a, b, next_u64(), next_u64());
    }
}

static void
test_relaxed_choices(void)
{
    bri_v128_t x, y, z, r;

    /* madd is fused: (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly, where
     * the unfused product rounds to 1 and gives 0 */
    for (int i = 0; i < 4; i++) {
        x.f32[i] = 1.0f + ldexpf(1.0f, -23);
        y.f32[i] = 1.0f - ldexpf(1.0f, -23);
        z.f32[i] = -1.0f;
    }
    bri_v_f32x4_relaxed_madd(&r, &x, &y, &z);
    CHECK(r.f32[0] == -ldexpf(1.0f, -46) && r.f32[3] == r.f32[0]);
    for (int i = 0; i < 4; i++)
        z.f32[i] = 1.0f;
    bri_v_f32x4_relaxed_nmadd(&r, &x, &y, &z);
    CHECK(r.f32[1] == ldexpf(1.0f, -46));
    x.f64[0] = x.f64[1] = 1.0 + ldexp(1.0, -52);
    y.f64[0] = y.f64[1] = 1.0 - ldexp(1.0, -52);
    z.f64[0] = z.f64[1] = -1.0;
    bri_v_f64x2_relaxed_madd(&r, &x, &y, &z);
    CHECK(r.f64[0] == -ldexp(1.0, -104) && r.f64[1] == r.f64[0]);

    /* the i7 dot product: signed second operand, i16 sums wrap */
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    memset(&z, 0, sizeof z);
    x.i8[0] = x.i8[1] = -128;
    y.i8[0] = y.i8[1] = -128;
    x.i8[2] = x.i8[3] = -128;
    y.i8[2] = y.i8[3] = -127;
    bri_v_i16x8_relaxed_dot_i8x16_i7x16_s(&r, &x, &y);
    CHECK_EQ(r.i16[0], -32768);
    CHECK_EQ(r.i16[1], 32512);
    z.i32[0] = 5;
    bri_v_i32x4_relaxed_dot_i8x16_i7x16_add_s(&r, &x, &y, &z);
    CHECK_EQ(r.i32[0], -32768 + 32512 + 5);

    /* q15mulr saturates */
    x.i16[0] = y.i16[0] = -32768;
    bri_v_i16x8_relaxed_q15mulr_s(&r, &x, &y);
    CHECK_EQ(r.i16[0], 32767);

    /* swizzle: indices from 16 up give 0 */
    for (int i = 0; i < 16; i++) {
        x.u8[i] = (uint8_t)(i + 1);
        y.u8[i] = (uint8_t)(i * 17);
    }
    bri_v_i8x16_relaxed_swizzle(&r, &x, &y);
    CHECK_EQ(r.u8[0], 1);
    CHECK_EQ(r.u8[1], 0);
    CHECK_EQ(r.u8[15], 0);

    /* trunc: NaN gives 0, out of range saturates */
    x.f32[0] = NAN;
    x.f32[1] = 3e9f;
    x.f32[2] = -3e9f;
    x.f32[3] = -1.5f;
    bri_v_i32x4_relaxed_trunc_f32x4_s(&r, &x);
    CHECK(r.i32[0] == 0 && r.i32[1] == INT32_MAX && r.i32[2] == INT32_MIN &&
          r.i32[3] == -1);
    bri_v_i32x4_relaxed_trunc_f32x4_u(&r, &x);
    CHECK(r.u32[0] == 0 && r.u32[1] == 3000000000u && r.u32[2] == 0 &&
          r.u32[3] == 0);

    /* laneselect is bitwise whatever the lane width */
    memset(&x, 0xAA, sizeof x);
    memset(&y, 0x55, sizeof y);
    memset(&z, 0, sizeof z);
    z.u8[0] = 0x0F;
    bri_v_i32x4_relaxed_laneselect(&r, &x, &y, &z);
    CHECK_EQ(r.u8[0], 0x5A);
    CHECK_EQ(r.u8[1], 0x55);

    /* min/max: NaN in gives NaN, -0 < +0 */
    x.f32[0] = NAN;
    y.f32[0] = 1.0f;
    x.f32[1] = -0.0f;
    y.f32[1] = 0.0f;
    bri_v_f32x4_relaxed_min(&r, &x, &y);
    CHECK(isnan(r.f32[0]) && signbit(r.f32[1]));
    bri_v_f32x4_relaxed_max(&r, &x, &y);
    CHECK(isnan(r.f32[0]) && !signbit(r.f32[1]));
}

int
main(void)
{
    test_wide();
    test_relaxed_choices();
    return CHECK_DONE();
}
