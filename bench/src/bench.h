/*
 * Shared helpers for the benchmark programs: argument parsing, a
 * deterministic PRNG and checksum mixing. Header-only, no clock, no files.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep a function out of line and out of interprocedural analysis, so the
 * measured calls really happen on both compilers. */
#if defined(__clang__)
#define BENCH_NOINLINE __attribute__((noinline))
#else
#define BENCH_NOINLINE __attribute__((noinline, noipa))
#endif

/* argv[i] as an unsigned integer, or `dflt` when absent. Parsed by hand so
 * that the programs need nothing beyond printf/malloc/memcpy/memset. */
static inline uint32_t
bench_arg(int argc, char **argv, int i, uint32_t dflt)
{
    uint32_t v = 0;
    const char *p;

    if (argc <= i)
        return dflt;
    for (p = argv[i]; *p >= '0' && *p <= '9'; p++)
        v = v * 10u + (uint32_t)(*p - '0');
    return v;
}

/* xorshift64*: small, fast, identical on every target. */
typedef struct bench_rng {
    uint64_t s;
} bench_rng_t;

static inline uint64_t
bench_rng_next(bench_rng_t *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

static inline uint32_t
bench_rng_u32(bench_rng_t *r)
{
    return (uint32_t)(bench_rng_next(r) >> 32);
}

/* Mixes a 64-bit value into a running checksum (FNV-1a over its bytes). */
static inline uint64_t
bench_mix(uint64_t h, uint64_t v)
{
    int i;

    for (i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xFF;
        h *= 0x100000001B3ULL;
    }
    return h;
}

#define BENCH_FNV_INIT 0xCBF29CE484222325ULL

static inline void *
bench_xmalloc(size_t n)
{
    void *p = malloc(n);

    if (p == NULL) {
        printf("out of memory (%lu bytes)\n", (unsigned long)n);
        exit(2);
    }
    return p;
}

#endif
