/*
 * Benchmark: a call-heavy loop, direct calls and indirect calls through a
 * table of function pointers (call_indirect in wasm).
 * argv[1] = iterations in thousands.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

typedef uint32_t (*op_fn)(uint32_t, uint32_t);

static BENCH_NOINLINE uint32_t
op_add(uint32_t a, uint32_t b)
{
    return a + b;
}

static BENCH_NOINLINE uint32_t
op_xor(uint32_t a, uint32_t b)
{
    return (a ^ b) * 3u;
}

static BENCH_NOINLINE uint32_t
op_rot(uint32_t a, uint32_t b)
{
    return (a << 5 | a >> 27) + b;
}

static BENCH_NOINLINE uint32_t
op_mul(uint32_t a, uint32_t b)
{
    return a * (b | 1u);
}

/* A direct call chain three deep per iteration. */
static BENCH_NOINLINE uint32_t
leaf(uint32_t x, uint32_t i)
{
    return x * 2654435761u + i;
}

static BENCH_NOINLINE uint32_t
middle(uint32_t x, uint32_t i)
{
    return leaf(x, i) ^ (x >> 7);
}

static BENCH_NOINLINE uint32_t
top(uint32_t x, uint32_t i)
{
    return middle(x, i) + 1u;
}

/* The table is filled at run time so no compiler can devirtualise it. */
static op_fn g_ops[4];

static BENCH_NOINLINE uint32_t
run_direct(uint32_t n)
{
    uint32_t x = 1, i;

    for (i = 0; i < n; i++)
        x = top(x, i);
    return x;
}

static BENCH_NOINLINE uint32_t
run_indirect(uint32_t n)
{
    uint32_t x = 1, i;

    for (i = 0; i < n; i++)
        x = g_ops[(x >> 13) & 3](x, i);
    return x;
}

int
main(int argc, char **argv)
{
    uint32_t n = bench_arg(argc, argv, 1, 30000) * 1000u;

    g_ops[0] = op_add;
    g_ops[1] = argc > 99 ? op_add : op_xor;
    g_ops[2] = op_rot;
    g_ops[3] = op_mul;
    printf("direct: %08x\n", (unsigned)run_direct(n));
    printf("indirect: %08x\n", (unsigned)run_indirect(n));
    return 0;
}
