/*
 * Benchmark: sieve of Eratosthenes over a byte array (memory stores and
 * simple loops). argv[1] = limit, argv[2] = passes.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

/* Counts the primes <= limit and folds them into a checksum. */
static uint64_t
sieve(uint8_t *flags, uint32_t limit, uint32_t *count)
{
    uint64_t h = BENCH_FNV_INIT;
    uint32_t i, j, c = 0;

    memset(flags, 1, (size_t)limit + 1);
    flags[0] = flags[1] = 0;
    for (i = 2; (uint64_t)i * i <= limit; i++)
        if (flags[i])
            for (j = i * i; j <= limit; j += i)
                flags[j] = 0;
    for (i = 2; i <= limit; i++)
        if (flags[i]) {
            c++;
            if ((c & 1023) == 0)
                h = bench_mix(h, i);
        }
    *count = c;
    return h;
}

int
main(int argc, char **argv)
{
    uint32_t limit = bench_arg(argc, argv, 1, 8000000);
    uint32_t passes = bench_arg(argc, argv, 2, 10);
    uint8_t *flags = bench_xmalloc((size_t)limit + 1);
    uint64_t h = BENCH_FNV_INIT;
    uint32_t p, count = 0;

    /* Each pass sieves a slightly different limit so no pass is redundant. */
    for (p = 0; p < passes; p++)
        h = bench_mix(h, sieve(flags, limit - p, &count) ^ count);
    printf("primes <= %u: %u\nchecksum: %016llx\n", (unsigned)(limit - passes + 1),
           (unsigned)count, (unsigned long long)h);
    free(flags);
    return 0;
}
