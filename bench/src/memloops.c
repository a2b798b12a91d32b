/*
 * Benchmark: byte-wise memory loops (copy, fill, compare) written as plain
 * loops; built with -fno-builtin (and, for gcc,
 * -fno-tree-loop-distribute-patterns) so they stay loops of byte loads and
 * stores instead of becoming memcpy/memset calls.
 * argv[1] = buffer size in KiB, argv[2] = passes.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

static BENCH_NOINLINE void
copy_bytes(uint8_t *d, const uint8_t *s, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        d[i] = s[i];
}

static BENCH_NOINLINE void
fill_bytes(uint8_t *d, uint8_t v, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        d[i] = v;
}

/* Counts equal bytes (a compare that must look at every byte). */
static BENCH_NOINLINE uint32_t
count_equal(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    uint32_t i, c = 0;

    for (i = 0; i < n; i++)
        c += a[i] == b[i];
    return c;
}

/* memcmp-style: index of the first difference, or n. */
static BENCH_NOINLINE uint32_t
first_diff(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return i;
    return n;
}

int
main(int argc, char **argv)
{
    uint32_t n = bench_arg(argc, argv, 1, 1024) * 1024u;
    uint32_t passes = bench_arg(argc, argv, 2, 100);
    uint8_t *a = bench_xmalloc(n), *b = bench_xmalloc(n);
    uint8_t *c = bench_xmalloc(n);
    bench_rng_t r = { 42 };
    uint64_t h = BENCH_FNV_INIT;
    uint32_t i, p;

    for (i = 0; i < n; i++)
        a[i] = (uint8_t)(bench_rng_u32(&r) & 3);
    for (p = 0; p < passes; p++) {
        uint32_t at = bench_rng_u32(&r) % n;

        copy_bytes(b, a, n);
        b[at] ^= 0x80;
        fill_bytes(c, (uint8_t)(p & 3), n);
        h = bench_mix(h, first_diff(a, b, n));
        h = bench_mix(h, count_equal(a, c, n));
        a[at] = (uint8_t)p;
    }
    printf("checksum: %016llx\n", (unsigned long long)h);
    free(a);
    free(b);
    free(c);
    return 0;
}
