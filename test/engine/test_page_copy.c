/*
 * beamr engine tests: bri_copy_pages (page_copy.c), the copy of large
 * memories for snapshots and restores: every size, alignment and source
 * gives the bytes memcpy would, including untouched (zero-page) sources
 * and chunk boundaries.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../../c_src/engine/store.h"
#include "check.h"

#define MIB ((size_t)1 << 20)

/* A fresh anonymous mapping: untouched, so its pages read as zeros. */
static uint8_t *
fresh(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(p != MAP_FAILED);
    return p == MAP_FAILED ? NULL : p;
}

/* Copies n bytes between the given offsets of a patterned source and a
 * destination full of 0xee; the copy and the bytes around it are exact. */
static void
copy_case(size_t n, size_t src_off, size_t dst_off)
{
    size_t span = n + 2 * 4096;
    uint8_t *src = fresh(span), *dst = fresh(span);
    if (src == NULL || dst == NULL)
        return;
    for (size_t i = 0; i < span; i += 4093) /* sparse: most pages zero */
        src[i] = (uint8_t)(i * 31 + 7);
    memset(dst, 0xee, span);
    bri_copy_pages(dst + dst_off, src + src_off, n);
    CHECK(memcmp(dst + dst_off, src + src_off, n) == 0);
    CHECK(dst_off == 0 || dst[dst_off - 1] == 0xee);
    CHECK(dst[dst_off + n] == 0xee);
    munmap(src, span);
    munmap(dst, span);
}

/* An untouched source copies as zeros over a dirty destination. */
static void
test_untouched_source(void)
{
    size_t n = 40 * MIB;
    uint8_t *src = fresh(n), *dst = fresh(n);
    if (src == NULL || dst == NULL)
        return;
    memset(dst, 0x5a, n);
    bri_copy_pages(dst, src, n);
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i++)
        nonzero += dst[i] != 0;
    CHECK_EQ(nonzero, 0);
    munmap(src, n);
    munmap(dst, n);
}

static void
test_sizes(void)
{
    copy_case(0, 0, 0);
    copy_case(1, 3, 5);
    copy_case(4 * MIB - 1, 1, 0);   /* below the batched size */
    copy_case(4 * MIB, 0, 0);       /* the smallest batched copy */
    copy_case(32 * MIB, 4095, 17);  /* one chunk, unaligned both sides */
    copy_case(65 * MIB + 3, 8, 4096); /* chunk boundaries, a short tail */
}

int
main(void)
{
    test_sizes();
    test_untouched_source();
    return CHECK_DONE();
}
