/*
 * beamr engine, native tier: the mappings machine code lives in,
 * included by compile_x64.c (as x64_cache.h is): written while
 * read+write, then sealed read+execute with mprotect, never writable
 * and executable at once (docs/native-tier.md, W^X).
 * SPDX-License-Identifier: Apache-2.0
 */

/* Maps `size` bytes read+write, copies `n` bytes in, then seals them
 * read+execute: never writable and executable at once. NULL if the
 * system refused. */
static uint8_t *
seal(const uint8_t *bytes, size_t n, size_t *size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    *size = (n + page - 1) / page * page;
    void *p = mmap(NULL, *size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memcpy(p, bytes, n);
    if (mprotect(p, *size, PROT_READ | PROT_EXEC) != 0) {
        munmap(p, *size);
        return NULL;
    }
    return p;
}

/* Function starts in a batch's mapping: 16-byte aligned, as a C
 * compiler aligns functions. */
#define TEXT_ALIGN 16u

/* Bytes of machine code a batch's mapping is first made for, per word
 * of internal code, rounded to pages (the 3.5 MiB start-up module takes
 * about 5): only the pages written are ever touched, and the rest is
 * given back before sealing. */
#define TEXT_PER_WORD 16u

/* A batch's text: written straight into a read+write mapping (moved to
 * a larger one when the first guess was short), then sealed in place,
 * instead of a heap buffer grown by doubling and copied into a mapping
 * at the end (two copies and twice the page faults). */
typedef struct textmap {
    uint8_t *p;
    size_t n, cap;
} textmap_t;

static size_t
page_round(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

/* Room for `more` bytes after the first n. */
static bool
textmap_fit(textmap_t *t, size_t more)
{
    if (t->cap - t->n >= more)
        return true;
    size_t want = t->n + more;
    size_t cap = page_round(t->cap * 2 > want ? t->cap * 2 : want);
    void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return false;
#ifdef MADV_HUGEPAGE
    /* a hint: where the kernel allows, 2 MiB pages, so writing the text
     * takes a page fault per 2 MiB instead of per 4 KiB (this was most
     * of the batch's system time); the protection is the same */
    madvise(p, cap, MADV_HUGEPAGE);
#endif
    if (t->p != NULL) {
        memcpy(p, t->p, t->n);
        munmap(t->p, t->cap);
    }
    t->p = p;
    t->cap = cap;
    return true;
}

/* Gives back the pages after the text and seals the rest read+execute
 * (never writable and executable at once); NULL (and unmapped) if the
 * system refused. */
static uint8_t *
textmap_seal(textmap_t *t, size_t *size)
{
    size_t used = page_round(t->n);
    if (used < t->cap)
        munmap(t->p + used, t->cap - used);
    t->cap = used;
    if (mprotect(t->p, used, PROT_READ | PROT_EXEC) != 0) {
        munmap(t->p, used);
        t->p = NULL;
        return NULL;
    }
    *size = used;
    return t->p;
}

/* Appends a function's n bytes of machine code at a 16-byte boundary;
 * its offset in *at. False if no mapping could hold it. */
static bool
textmap_add(textmap_t *t, const uint8_t *bytes, size_t n, size_t *at)
{
    size_t pad = (TEXT_ALIGN - t->n % TEXT_ALIGN) % TEXT_ALIGN;
    if (!textmap_fit(t, pad + n))
        return false;
    memset(t->p + t->n, 0xCC, pad); /* int3 between functions */
    t->n += pad;
    *at = t->n;
    memcpy(t->p + t->n, bytes, n);
    t->n += n;
    return true;
}
