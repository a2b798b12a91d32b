/*
 * beamr engine: WebAssembly numeric semantics as static inline helpers:
 * trapping integer division, shifts and bit counts, float min/max/nearest
 * and sign ops with the wasm NaN rules, checked and saturating truncation.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_NUMERIC_H
#define BR_NUMERIC_H

#include <math.h>

#include "internal.h"

/* Slots and memory are accessed little-endian through plain memcpy. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "beamr: big-endian hosts are not supported"
#endif
#endif

/* ------------------------------------------------------------------ */
/* Float <-> bits                                                      */

static inline float
bri_f32_of(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint32_t
bri_f32_bits(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    return bits;
}

static inline double
bri_f64_of(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static inline uint64_t
bri_f64_bits(double d)
{
    uint64_t bits;
    memcpy(&bits, &d, 8);
    return bits;
}

/* ------------------------------------------------------------------ */
/* Integer division: the trap kind, or NONE with the result in *out.    */

static inline br_trapkind_t
bri_i32_div_s(uint32_t a, uint32_t b, uint32_t *out)
{
    if (BR_UNLIKELY(b == 0))
        return BR_TRAP_INT_DIV_ZERO;
    if (BR_UNLIKELY(a == 0x80000000u && b == 0xFFFFFFFFu))
        return BR_TRAP_INT_OVERFLOW;
    *out = (uint32_t)((int32_t)a / (int32_t)b);
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_i32_div_u(uint32_t a, uint32_t b, uint32_t *out)
{
    if (BR_UNLIKELY(b == 0))
        return BR_TRAP_INT_DIV_ZERO;
    *out = a / b;
    return BR_TRAP_NONE;
}

/* INT_MIN % -1 is 0 in wasm but undefined in C: answered up front. */
static inline br_trapkind_t
bri_i32_rem_s(uint32_t a, uint32_t b, uint32_t *out)
{
    if (BR_UNLIKELY(b == 0))
        return BR_TRAP_INT_DIV_ZERO;
    *out = b == 0xFFFFFFFFu ? 0 : (uint32_t)((int32_t)a % (int32_t)b);
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_i32_rem_u(uint32_t a, uint32_t b, uint32_t *out)
{
    if (BR_UNLIKELY(b == 0))
        return BR_TRAP_INT_DIV_ZERO;
    *out = a % b;
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_i64_div_s(uint64_t a, uint64_t b, uint64_t *out)
{
    if (BR_UNLIKELY(b == 0))
        return BR_TRAP_INT_DIV_ZERO;
    if (BR_UNLIKELY(a == 0x8000000000000000u && b == UINT64_MAX))
        return BR_TRAP_INT_OVERFLOW;
    *out = (uint64_t)((int64_t)a / (int64_t)b);
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_i64_div_u(uint64_t a, uint64_t b, uint64_t *out)
{
    if (BR_UNLIKELY(b == 0))
        return BR_TRAP_INT_DIV_ZERO;
    *out = a / b;
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_i64_rem_s(uint64_t a, uint64_t b, uint64_t *out)
{
    if (BR_UNLIKELY(b == 0))
        return BR_TRAP_INT_DIV_ZERO;
    *out = b == UINT64_MAX ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_i64_rem_u(uint64_t a, uint64_t b, uint64_t *out)
{
    if (BR_UNLIKELY(b == 0))
        return BR_TRAP_INT_DIV_ZERO;
    *out = a % b;
    return BR_TRAP_NONE;
}

/* ------------------------------------------------------------------ */
/* Shifts, rotates, bit counts (shift counts are taken mod the width)  */

static inline uint32_t
bri_i32_shr_s(uint32_t a, uint32_t k)
{
    /* Right shift of a negative value is implementation-defined in C;
     * this form is exact everywhere and compiles to one `sar`. */
    k &= 31;
    return (a & 0x80000000u) ? ~(~a >> k) : a >> k;
}

static inline uint64_t
bri_i64_shr_s(uint64_t a, uint64_t k)
{
    k &= 63;
    return (a >> 63) ? ~(~a >> k) : a >> k;
}

static inline uint32_t
bri_rotl32(uint32_t a, uint32_t k)
{
    k &= 31;
    return (a << k) | (a >> ((32 - k) & 31));
}

static inline uint32_t
bri_rotr32(uint32_t a, uint32_t k)
{
    k &= 31;
    return (a >> k) | (a << ((32 - k) & 31));
}

static inline uint64_t
bri_rotl64(uint64_t a, uint64_t k)
{
    k &= 63;
    return (a << k) | (a >> ((64 - k) & 63));
}

static inline uint64_t
bri_rotr64(uint64_t a, uint64_t k)
{
    k &= 63;
    return (a >> k) | (a << ((64 - k) & 63));
}

#if defined(__GNUC__)
static inline uint32_t
bri_clz32(uint32_t a)
{
    return a ? (uint32_t)__builtin_clz(a) : 32;
}
static inline uint32_t
bri_ctz32(uint32_t a)
{
    return a ? (uint32_t)__builtin_ctz(a) : 32;
}
static inline uint32_t
bri_popcnt32(uint32_t a)
{
    return (uint32_t)__builtin_popcount(a);
}
static inline uint64_t
bri_clz64(uint64_t a)
{
    return a ? (uint64_t)__builtin_clzll(a) : 64;
}
static inline uint64_t
bri_ctz64(uint64_t a)
{
    return a ? (uint64_t)__builtin_ctzll(a) : 64;
}
static inline uint64_t
bri_popcnt64(uint64_t a)
{
    return (uint64_t)__builtin_popcountll(a);
}
#else
static inline uint64_t
bri_clz64(uint64_t a)
{
    uint64_t n = 0;
    for (uint64_t bit = 1ull << 63; bit && !(a & bit); bit >>= 1)
        n++;
    return n;
}
static inline uint64_t
bri_ctz64(uint64_t a)
{
    uint64_t n = 0;
    for (uint64_t bit = 1; bit && !(a & bit); bit <<= 1)
        n++;
    return n;
}
static inline uint64_t
bri_popcnt64(uint64_t a)
{
    uint64_t n = 0;
    for (; a; a &= a - 1)
        n++;
    return n;
}
static inline uint32_t
bri_clz32(uint32_t a)
{
    return (uint32_t)bri_clz64(a) - 32;
}
static inline uint32_t
bri_ctz32(uint32_t a)
{
    return a ? (uint32_t)bri_ctz64(a) : 32;
}
static inline uint32_t
bri_popcnt32(uint32_t a)
{
    return (uint32_t)bri_popcnt64(a);
}
#endif

/* ------------------------------------------------------------------ */
/* Float sign ops: pure bit operations, NaN payloads untouched          */

static inline uint32_t
bri_f32_abs(uint32_t a)
{
    return a & 0x7FFFFFFFu;
}

static inline uint32_t
bri_f32_neg(uint32_t a)
{
    return a ^ 0x80000000u;
}

static inline uint32_t
bri_f32_copysign(uint32_t a, uint32_t b)
{
    return (a & 0x7FFFFFFFu) | (b & 0x80000000u);
}

static inline uint64_t
bri_f64_abs(uint64_t a)
{
    return a & 0x7FFFFFFFFFFFFFFFu;
}

static inline uint64_t
bri_f64_neg(uint64_t a)
{
    return a ^ 0x8000000000000000u;
}

static inline uint64_t
bri_f64_copysign(uint64_t a, uint64_t b)
{
    return (a & 0x7FFFFFFFFFFFFFFFu) | (b & 0x8000000000000000u);
}

/* ------------------------------------------------------------------ */
/* min/max: NaN if either is NaN (a + b propagates a quieted input NaN,
 * canonical when the inputs are); -0 < +0, which C comparisons miss.   */

static inline float
bri_f32_min(float a, float b)
{
    if (BR_UNLIKELY(a != a || b != b))
        return a + b;
    if (BR_UNLIKELY(a == b)) /* equal, or -0 vs +0: OR keeps a sign */
        return bri_f32_of(bri_f32_bits(a) | bri_f32_bits(b));
    return a < b ? a : b;
}

static inline float
bri_f32_max(float a, float b)
{
    if (BR_UNLIKELY(a != a || b != b))
        return a + b;
    if (BR_UNLIKELY(a == b))
        return bri_f32_of(bri_f32_bits(a) & bri_f32_bits(b));
    return a > b ? a : b;
}

static inline double
bri_f64_min(double a, double b)
{
    if (BR_UNLIKELY(a != a || b != b))
        return a + b;
    if (BR_UNLIKELY(a == b))
        return bri_f64_of(bri_f64_bits(a) | bri_f64_bits(b));
    return a < b ? a : b;
}

static inline double
bri_f64_max(double a, double b)
{
    if (BR_UNLIKELY(a != a || b != b))
        return a + b;
    if (BR_UNLIKELY(a == b))
        return bri_f64_of(bri_f64_bits(a) & bri_f64_bits(b));
    return a > b ? a : b;
}

/*
 * Rounding to integral values. libm returns a signalling NaN unchanged,
 * but wasm wants an arithmetic (quiet) NaN: `a + a` quiets it. Nearest
 * rounds half to even; the default rounding mode is never changed.
 */
#define BRI_ROUND_F(name, T, libm_fn) \
    static inline T name(T a)         \
    {                                 \
        if (BR_UNLIKELY(a != a))      \
            return a + a;             \
        return libm_fn(a);            \
    }

BRI_ROUND_F(bri_f32_ceil, float, ceilf)
BRI_ROUND_F(bri_f32_floor, float, floorf)
BRI_ROUND_F(bri_f32_trunc, float, truncf)
BRI_ROUND_F(bri_f32_nearest, float, nearbyintf)
BRI_ROUND_F(bri_f64_ceil, double, ceil)
BRI_ROUND_F(bri_f64_floor, double, floor)
BRI_ROUND_F(bri_f64_trunc, double, trunc)
BRI_ROUND_F(bri_f64_nearest, double, nearbyint)
#undef BRI_ROUND_F

/* ------------------------------------------------------------------ */
/* Truncation. f32 inputs are promoted to double exactly, so one bound  */
/* set per target type serves both. The bounds are exact in double and  */
/* open where truncation toward zero still lands in range.              */

static inline br_trapkind_t
bri_trunc_s32(double a, uint32_t *out)
{
    if (BR_UNLIKELY(a != a))
        return BR_TRAP_INVALID_CONVERSION;
    if (BR_UNLIKELY(!(a > -2147483649.0 && a < 2147483648.0)))
        return BR_TRAP_INT_OVERFLOW;
    *out = (uint32_t)(int32_t)a;
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_trunc_u32(double a, uint32_t *out)
{
    if (BR_UNLIKELY(a != a))
        return BR_TRAP_INVALID_CONVERSION;
    if (BR_UNLIKELY(!(a > -1.0 && a < 4294967296.0)))
        return BR_TRAP_INT_OVERFLOW;
    *out = (uint32_t)a;
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_trunc_s64(double a, uint64_t *out)
{
    if (BR_UNLIKELY(a != a))
        return BR_TRAP_INVALID_CONVERSION;
    if (BR_UNLIKELY(
            !(a >= -9223372036854775808.0 && a < 9223372036854775808.0)))
        return BR_TRAP_INT_OVERFLOW;
    *out = (uint64_t)(int64_t)a;
    return BR_TRAP_NONE;
}

static inline br_trapkind_t
bri_trunc_u64(double a, uint64_t *out)
{
    if (BR_UNLIKELY(a != a))
        return BR_TRAP_INVALID_CONVERSION;
    if (BR_UNLIKELY(!(a > -1.0 && a < 18446744073709551616.0)))
        return BR_TRAP_INT_OVERFLOW;
    *out = (uint64_t)a;
    return BR_TRAP_NONE;
}

/* Saturating truncation: NaN -> 0, out of range -> the nearest bound. */
static inline uint32_t
bri_trunc_sat_s32(double a)
{
    if (a != a)
        return 0;
    if (!(a > -2147483649.0))
        return 0x80000000u;
    if (!(a < 2147483648.0))
        return 0x7FFFFFFFu;
    return (uint32_t)(int32_t)a;
}

static inline uint32_t
bri_trunc_sat_u32(double a)
{
    if (a != a || !(a > -1.0))
        return 0;
    if (!(a < 4294967296.0))
        return UINT32_MAX;
    return (uint32_t)a;
}

static inline uint64_t
bri_trunc_sat_s64(double a)
{
    if (a != a)
        return 0;
    if (!(a >= -9223372036854775808.0))
        return 0x8000000000000000u;
    if (!(a < 9223372036854775808.0))
        return 0x7FFFFFFFFFFFFFFFu;
    return (uint64_t)(int64_t)a;
}

static inline uint64_t
bri_trunc_sat_u64(double a)
{
    if (a != a || !(a > -1.0))
        return 0;
    if (!(a < 18446744073709551616.0))
        return UINT64_MAX;
    return (uint64_t)a;
}

/* ------------------------------------------------------------------ */
/* Conversions. C requires int -> float casts to round to a neighbour  */
/* in the current (nearest-even) mode and GCC/clang round correctly;    */
/* u64/i64 -> f32 must not go through double (double rounding).         */

static inline float
bri_f32_from_u64(uint64_t a)
{
    return (float)a;
}

static inline float
bri_f32_from_s64(uint64_t a)
{
    return (float)(int64_t)a;
}

static inline double
bri_f64_from_u64(uint64_t a)
{
    return (double)a;
}

static inline double
bri_f64_from_s64(uint64_t a)
{
    return (double)(int64_t)a;
}

/* Sign extension of the low bits. */
static inline uint32_t
bri_sext32(uint32_t a, unsigned bits)
{
    uint32_t m = 1u << (bits - 1);
    a &= (m << 1) - 1;
    return (a ^ m) - m;
}

static inline uint64_t
bri_sext64(uint64_t a, unsigned bits)
{
    uint64_t m = 1ull << (bits - 1);
    a &= (m << 1) - 1;
    return (a ^ m) - m;
}

#endif
