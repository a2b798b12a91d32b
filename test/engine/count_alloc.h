/*
 * beamr tests: a counting allocator with failure injection, shared by the
 * engine's C unit tests (live bytes must return to zero; request N fails),
 * and an engine that allocates through it.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEST_COUNT_ALLOC_H
#define BR_TEST_COUNT_ALLOC_H

#include <stdlib.h>
#include <string.h>

#include "beamr.h"

typedef struct counter {
    size_t live;       /* bytes currently allocated */
    long calls;        /* allocation requests seen (not frees) */
    long fail_at;      /* fail the request with this number; -1: never */
    size_t max_single; /* refuse any single block larger than this */
} counter_t;

static void *
count_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter_t *c = ud;
    if (nsize == 0) {
        if (ptr != NULL) {
            c->live -= osize;
            free(ptr);
        }
        return NULL;
    }
    if (c->calls++ == c->fail_at || nsize > c->max_single)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p == NULL)
        return NULL;
    c->live += nsize - (ptr != NULL ? osize : 0);
    return p;
}

static inline void
counter_init(counter_t *c)
{
    memset(c, 0, sizeof *c);
    c->fail_at = -1;
    c->max_single = (size_t)1 << 30;
}

/* An engine whose every allocation goes through `c` (reset here). */
static inline br_engine_t *
count_engine_new(counter_t *c)
{
    counter_init(c);
    br_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = count_alloc;
    cfg.alloc_ud = c;
    return br_engine_new(&cfg);
}

#endif
