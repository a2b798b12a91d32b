/*
 * Benchmark: SIMD-friendly kernels (a float dot product with four lane
 * accumulators, a 16-bit integer dot product, a saturating byte blend and
 * a 3x3 box filter over a byte image). Built to wasm twice, with and
 * without -msimd128 (simd_dot / simd_dot_scalar): the same source, so the
 * pair measures what v128 instructions buy. argv[1] = vector length in
 * KiB elements (64), argv[2] = repetitions (300).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

/*
 * Four independent partial sums, each in source order: with
 * -ffp-contract=off every build computes the same float result whether
 * the four lanes run as one f32x4 or as four scalars.
 */
static BENCH_NOINLINE float
dot_f32(const float *a, const float *b, uint32_t n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    uint32_t i;

    for (i = 0; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    return (s0 + s1) + (s2 + s3);
}

/* Sum of products of signed 16-bit samples, wrapping in 32 bits. */
static BENCH_NOINLINE uint32_t
dot_i16(const int16_t *a, const int16_t *b, uint32_t n)
{
    uint32_t s = 0, i;

    for (i = 0; i < n; i++)
        s += (uint32_t)((int32_t)a[i] * (int32_t)b[i]);
    return s;
}

/* out = min(255, x + y / 2): a saturating brighten-and-blend of bytes. */
static BENCH_NOINLINE void
blend_u8(uint8_t *restrict out, const uint8_t *restrict x,
         const uint8_t *restrict y, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        uint32_t v = (uint32_t)x[i] + (uint32_t)(y[i] >> 1);
        out[i] = (uint8_t)(v > 255u ? 255u : v);
    }
}

/* 3x3 box filter (sum of the 9 neighbours / 16) of a w x h byte image;
 * the border rows and columns are left as they are. */
static BENCH_NOINLINE void
box3(uint8_t *restrict out, const uint8_t *restrict in, uint32_t w,
     uint32_t h)
{
    uint32_t x, y;

    for (y = 1; y + 1 < h; y++) {
        const uint8_t *r0 = in + (y - 1) * w, *r1 = r0 + w, *r2 = r1 + w;
        uint8_t *o = out + y * w;

        for (x = 1; x + 1 < w; x++) {
            uint32_t s = (uint32_t)r0[x - 1] + r0[x] + r0[x + 1] +
                         r1[x - 1] + r1[x] + r1[x + 1] + r2[x - 1] +
                         r2[x] + r2[x + 1];
            o[x] = (uint8_t)(s >> 4);
        }
    }
}

static uint64_t
mix_bytes(uint64_t h, const uint8_t *p, uint32_t n)
{
    uint64_t acc = 0;
    uint32_t i;

    for (i = 0; i < n; i++)
        acc = acc * 31u + p[i];
    return bench_mix(h, acc);
}

int
main(int argc, char **argv)
{
    uint32_t n = bench_arg(argc, argv, 1, 64) * 1024u;
    uint32_t reps = bench_arg(argc, argv, 2, 300);
    uint32_t w = 256, h = n / w, i, rep;
    float *fa = bench_xmalloc(n * sizeof(float));
    float *fb = bench_xmalloc(n * sizeof(float));
    int16_t *ia = bench_xmalloc(n * sizeof(int16_t));
    int16_t *ib = bench_xmalloc(n * sizeof(int16_t));
    uint8_t *img = bench_xmalloc(n), *tmp = bench_xmalloc(n);
    uint8_t *mid = bench_xmalloc(n);
    bench_rng_t r = { 0x9E3779B97F4A7C15ULL };
    uint64_t hsum = BENCH_FNV_INIT;
    double fsum = 0.0;

    for (i = 0; i < n; i++) {
        uint32_t v = bench_rng_u32(&r);
        fa[i] = (float)(v % 2001u) / 1000.0f - 1.0f;
        fb[i] = (float)((v >> 11) % 2001u) / 1000.0f - 1.0f;
        ia[i] = (int16_t)(v & 0xFFFFu);
        ib[i] = (int16_t)(v >> 16);
        img[i] = (uint8_t)(v >> 8);
    }
    memcpy(tmp, img, n);
    for (rep = 0; rep < reps; rep++) {
        fsum += dot_f32(fa, fb, n);
        hsum = bench_mix(hsum, dot_i16(ia, ib, n));
        /* tmp = box(blend(img, tmp)); img stays the source image */
        blend_u8(mid, img, tmp, n);
        box3(tmp, mid, w, h);
        /* feed back so every repetition does new work */
        fa[rep % n] = fsum > 0.0 ? 0.5f : -0.5f;
        ia[rep % n] = (int16_t)(hsum & 0x7FFFu);
    }
    hsum = mix_bytes(hsum, tmp, n);
    hsum = mix_bytes(hsum, mid, n);
    printf("n=%u reps=%u\ndot_f32: %.6e\nhash: %016llx\n", (unsigned)n,
           (unsigned)reps, fsum, (unsigned long long)hsum);
    free(fa);
    free(fb);
    free(ia);
    free(ib);
    free(img);
    free(tmp);
    free(mid);
    return 0;
}
