/*
 * Benchmark: bulk memory, memcpy and memset of large blocks. For wasm it is
 * built with -mbulk-memory so these become memory.copy and memory.fill.
 * argv[1] = arena size in MiB, argv[2] = rounds.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

int
main(int argc, char **argv)
{
    uint32_t mib = bench_arg(argc, argv, 1, 16);
    uint32_t rounds = bench_arg(argc, argv, 2, 1000);
    uint32_t n = mib << 20, half = n / 2, i, k;
    uint8_t *arena = bench_xmalloc(n);
    bench_rng_t r = { 7 };
    uint64_t h = BENCH_FNV_INIT;

    memset(arena, 0x5A, n);
    for (k = 0; k < rounds; k++) {
        /* Block sizes from 1/16 to 1/2 of a half, at odd offsets; memcpy
         * goes from one half to the other (never overlapping), memmove
         * within a half (usually overlapping). */
        uint32_t len = (half >> (1 + k % 4)) - (bench_rng_u32(&r) & 4095);
        uint32_t lo = bench_rng_u32(&r) % (half - len);
        uint32_t hi = half + bench_rng_u32(&r) % (half - len);
        uint32_t mv = bench_rng_u32(&r) % (half - len);
        uint8_t *src = arena + ((k & 1) ? hi : lo);
        uint8_t *dst = arena + ((k & 1) ? lo : hi);

        /* The fill lands in the source half, so it is not a dead store. */
        memset(arena + ((k & 1) ? half : 0) + mv, (int)(k & 0xFF), len);
        src[len / 2] ^= (uint8_t)k;
        memcpy(dst, src, len);
        memmove(arena + ((k & 1) ? 0 : half) + mv, dst, len);
        h = bench_mix(h, dst[0] | (uint32_t)dst[len - 1] << 8);
    }
    /* Sample the arena sparsely: the hashing must not dominate. */
    for (i = 0; i < n; i += 4093)
        h = bench_mix(h, arena[i]);
    printf("checksum: %016llx\n", (unsigned long long)h);
    free(arena);
    return 0;
}
