/*
 * Benchmark: dense double-precision matrix multiply, C = A * B, n x n
 * (floating-point loads, multiplies and adds). argv[1] = n (256),
 * argv[2] = repetitions. Build with -ffp-contract=off so no FMA is used.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

static void
fill(double *m, uint32_t n, bench_rng_t *r)
{
    uint32_t i;

    for (i = 0; i < n * n; i++)
        m[i] = (double)(bench_rng_u32(r) % 2001u) / 1000.0 - 1.0;
}

/* i-k-j order: the inner loop streams through rows of B and C. */
static void
matmul(double *c, const double *a, const double *b, uint32_t n)
{
    uint32_t i, j, k;

    for (i = 0; i < n * n; i++)
        c[i] = 0.0;
    for (i = 0; i < n; i++)
        for (k = 0; k < n; k++) {
            double aik = a[i * n + k];
            const double *brow = b + (size_t)k * n;
            double *crow = c + (size_t)i * n;

            for (j = 0; j < n; j++)
                crow[j] += aik * brow[j];
        }
}

int
main(int argc, char **argv)
{
    uint32_t n = bench_arg(argc, argv, 1, 256);
    uint32_t reps = bench_arg(argc, argv, 2, 25);
    size_t bytes = (size_t)n * n * sizeof(double);
    double *a = bench_xmalloc(bytes), *b = bench_xmalloc(bytes);
    double *c = bench_xmalloc(bytes);
    bench_rng_t r = { 0x9E3779B97F4A7C15ULL };
    double trace = 0.0, sum = 0.0;
    uint32_t i, rep;

    fill(a, n, &r);
    fill(b, n, &r);
    for (rep = 0; rep < reps; rep++) {
        matmul(c, a, b, n);
        /* Feed the result back so every repetition does new work. */
        for (i = 0; i < n; i++)
            a[i * n + (i + rep) % n] = c[i * n + i] * 0.001;
        trace += c[(rep * 7u % n) * n + rep % n];
    }
    for (i = 0; i < n * n; i++)
        sum += c[i];
    printf("n=%u reps=%u\nsum: %.6e\ntrace: %.6e\n", (unsigned)n,
           (unsigned)reps, sum, trace);
    free(a);
    free(b);
    free(c);
    return 0;
}
