/*
 * beamr engine: copies of many pages (a snapshot of a large memory, its
 * restore) with the page faults taken in batches.
 *
 * Why: copying 1 GiB into a fresh buffer faults in 262,144 pages one at
 * a time, on both sides (an untouched wasm memory maps the zero page on
 * read). On the project's virtual machines each fault is costly, and a
 * storm of them on a dirty scheduler delayed the VM's normal scheduler
 * by 20 to 300 ms (the latency suite's snapshot ticker). Asking the
 * kernel to populate each range first (MADV_POPULATE_READ/WRITE, Linux
 * 5.14+) takes the same faults inside one system call per chunk: the
 * copy of 1 GiB took 4 s instead of 6.5 s there, and the ticker's worst
 * delay fell to 7-22 ms (test/beamr_latency_tests.erl). Where the advice
 * is unknown the call fails harmlessly and the copy faults as before.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Populated and copied per chunk: big enough for few system calls,
 * small enough that the kernel holds the address-space lock briefly and
 * the copy still finds the pages in the TLB. */
#define CHUNK ((size_t)32 << 20)
/* Below this, the plain copy's faults are too few to matter. */
#define MIN_BATCHED ((size_t)4 << 20)

/* Advice over the whole pages inside [p, p + n); errors are ignored
 * (the advice only moves faults earlier). */
static void
populate(const void *p, size_t n, int advice)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)p + n) & ~(page - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, advice);
}

void
bri_copy_pages(void *dst, const void *src, size_t n)
{
    if (n < MIN_BATCHED) {
        memcpy(dst, src, n);
        return;
    }
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (size_t i = 0; i < n; i += CHUNK) {
        size_t k = n - i < CHUNK ? n - i : CHUNK;
        populate(s + i, k, MADV_POPULATE_READ);
        populate(d + i, k, MADV_POPULATE_WRITE);
        memcpy(d + i, s + i, k);
    }
}
