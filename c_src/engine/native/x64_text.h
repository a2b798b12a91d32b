/*
 * beamr engine, native tier: the mappings machine code lives in,
 * included by compile_x64.c (as x64_cache.h is). A lazily compiled
 * function goes through a memfd (text_map.c); a batch is written in a
 * read+write mapping and sealed read+execute in place with one
 * mprotect. Never writable and executable at once (docs/native-tier.md,
 * W^X).
 * SPDX-License-Identifier: Apache-2.0
 */

/* One function's `n` bytes mapped read+execute from a memfd
 * (text_map.c: no mprotect, whose TLB shootdown cost more than the
 * compile of a lazily compiled function), never writable and
 * executable at once. NULL if the system refused. */
static uint8_t *
seal(const uint8_t *bytes, size_t n, size_t *size)
{
    return bri_native_text_map(bytes, n, size);
}

/* Function starts in a batch's mapping: 16-byte aligned, as a C
 * compiler aligns functions. */
#define TEXT_ALIGN 16u

/* Bytes of machine code a batch's mapping is first made for, per word
 * of internal code, rounded to pages (the 3.5 MiB start-up module takes
 * about 5): only the pages written are ever touched, and the rest is
 * given back before sealing. */
#define TEXT_PER_WORD 16u

/* Batches whose guessed text is under this are built in heap memory
 * and mapped from a memfd like a single function (tier auto's warm
 * batches on a normal scheduler: an mprotect's TLB shootdown would cost
 * more than their compile); larger ones (whole-module compiles, on a
 * dirty scheduler) are written in place into their mapping. */
#define TEXT_HEAP_MAX (1u << 20)

/* A batch's text: written straight into a read+write mapping (moved to
 * a larger one when the first guess was short), then sealed in place,
 * instead of a heap buffer grown by doubling and copied into a mapping
 * at the end (two copies and twice the page faults); or, for a small
 * batch, in heap memory of `heap` (non-NULL), then mapped by seal. */
typedef struct textmap {
    uint8_t *p;
    size_t n, cap;
    const bri_allocator_t *heap;
} textmap_t;

static size_t
page_round(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

/* A read+write mapping of `cap` bytes, or NULL. */
static uint8_t *
textmap_fresh(size_t cap)
{
    void *p = mmap(NULL, cap, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* a hint: where the kernel allows, 2 MiB pages, so writing the text
     * takes a page fault per 2 MiB instead of per 4 KiB (this was most
     * of the batch's system time); the protection is the same */
    madvise(p, cap, MADV_HUGEPAGE);
#endif
    return p;
}

/* Gives the text's memory back. */
static void
textmap_release(textmap_t *t)
{
    if (t->heap != NULL)
        bri_free(t->heap, t->p, t->cap);
    else if (t->p != NULL)
        munmap(t->p, t->cap);
    t->p = NULL;
}

/* Room for `more` bytes after the first n. */
static bool
textmap_fit(textmap_t *t, size_t more)
{
    if (t->cap - t->n >= more)
        return true;
    size_t want = t->n + more;
    size_t cap = page_round(t->cap * 2 > want ? t->cap * 2 : want);
    uint8_t *p = t->heap != NULL ? bri_alloc(t->heap, cap)
                                 : textmap_fresh(cap);
    if (p == NULL)
        return false;
    if (t->p != NULL) {
        memcpy(p, t->p, t->n);
        textmap_release(t);
    }
    t->p = p;
    t->cap = cap;
    return true;
}

/* Gives back the pages after the text and seals the rest read+execute
 * (never writable and executable at once); NULL (and released) if the
 * system refused. */
static uint8_t *
textmap_seal(textmap_t *t, size_t *size)
{
    if (t->heap != NULL) {
        uint8_t *text = seal(t->p, t->n, size);
        textmap_release(t);
        return text;
    }
    size_t used = page_round(t->n);
    if (used < t->cap)
        munmap(t->p + used, t->cap - used);
    t->cap = used;
    if (mprotect(t->p, used, PROT_READ | PROT_EXEC) != 0) {
        textmap_release(t);
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
