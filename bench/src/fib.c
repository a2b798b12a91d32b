/*
 * Benchmark: naive doubly recursive Fibonacci (call and return overhead).
 * argv[1] = n. Prints fib(n) mod 2^32.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

/* Kept out of line so both compilers really recurse. */
static BENCH_NOINLINE uint32_t
fib(uint32_t n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

int
main(int argc, char **argv)
{
    uint32_t n = bench_arg(argc, argv, 1, 39);
    uint32_t r = fib(n);

    printf("fib(%u) = %u\n", (unsigned)n, (unsigned)r);
    return 0;
}
