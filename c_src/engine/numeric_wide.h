/*
 * beamr engine: the wide-arithmetic proposal (i64.add128, i64.sub128,
 * i64.mul_wide_s/u): 128-bit integers as (low, high) i64 pairs, in plain
 * C11 (no __int128, so every compiler gives the same code path).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_NUMERIC_WIDE_H
#define BR_NUMERIC_WIDE_H

#include <stdint.h>

/* (lo, hi) = (alo, ahi) + (blo, bhi) mod 2^128 */
static inline void
bri_i64_add128(uint64_t alo, uint64_t ahi, uint64_t blo, uint64_t bhi,
               uint64_t *lo, uint64_t *hi)
{
    uint64_t l = alo + blo;
    *hi = ahi + bhi + (l < alo); /* the carry out of the low half */
    *lo = l;
}

/* (lo, hi) = (alo, ahi) - (blo, bhi) mod 2^128 */
static inline void
bri_i64_sub128(uint64_t alo, uint64_t ahi, uint64_t blo, uint64_t bhi,
               uint64_t *lo, uint64_t *hi)
{
    *hi = ahi - bhi - (alo < blo); /* the borrow out of the low half */
    *lo = alo - blo;
}

/* The full 128-bit product of two unsigned 64-bit numbers, from four
 * 32 x 32 -> 64 products. */
static inline void
bri_i64_mul_wide_u(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32;
    uint64_t b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    /* the middle column: cannot overflow (3 numbers below 2^32 each
     * times at most 2^32 - 1, summed) */
    uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    *lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* Signed: the unsigned product, minus b * 2^64 when a < 0 and minus
 * a * 2^64 when b < 0 (two's complement). */
static inline void
bri_i64_mul_wide_s(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    bri_i64_mul_wide_u(a, b, lo, hi);
    if ((int64_t)a < 0)
        *hi -= b;
    if ((int64_t)b < 0)
        *hi -= a;
}

#endif
