/*
 * beamr engine: the GC heap's own structures, shared by its allocator
 * (heap.c), its lookup tables (ptrmap.c) and its collector (collect.c).
 * Nothing outside gc/ includes this file; docs/gc.md explains the design.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BRI_GC_HEAP_IMPL_H
#define BRI_GC_HEAP_IMPL_H

#include "../exec.h"
#include "gc.h"

/* Small objects live in pages of 64 KiB cut into cells of one size
 * class; larger ones are each their own allocation. */
#define GC_PAGE_SHIFT 16u
#define GC_PAGE_BYTES (1u << GC_PAGE_SHIFT)
#define GC_MIN_CELL 16u
#define GC_MAX_CELLS (GC_PAGE_BYTES / GC_MIN_CELL)
#define GC_BITMAP_WORDS (GC_MAX_CELLS / 64u)
#define GC_SMALL_MAX 8192u
#define GC_CLASS_COUNT 48u

/* Pacing (collect.c). A cycle starts when the bytes in allocated cells
 * reach twice what the last cycle left alive (at least
 * BRI_GC_MIN_TRIGGER, at most half the limit); while it runs, each byte
 * allocated pays GC_PACE work units, in steps of GC_STEP_MIN to
 * GC_STEP_MAX units (a unit is about one byte traced or swept). */
#define BRI_GC_MIN_TRIGGER (1u << 20)
#define GC_PACE 2
#define GC_STEP_MIN (16 * 1024)
#define GC_STEP_MAX (256 * 1024)
/* Array elements traced per gray entry before the rest goes back. */
#define GC_ARRAY_CHUNK 2048u

typedef struct gc_page {
    uint8_t *mem;  /* GC_PAGE_BYTES from the host allocator */
    uint32_t cell; /* bytes per cell; 0: a free page */
    uint32_t ncells;
    uint32_t nlive;  /* allocated cells (exact after a sweep) */
    uint32_t cursor; /* first bitmap word that may have a free cell */
    uint8_t cls;
    bool swept; /* swept in the current cycle (or formatted in
                   its sweep phase): allocation leaves it white */
    bool avail; /* on its class's list of pages with free cells */
    struct gc_page *next_avail, *prev_avail;
    uint64_t alloc_bits[GC_BITMAP_WORDS];
    uint64_t mark_bits[GC_BITMAP_WORDS];
} gc_page_t;

/* A large object: this header, then the object the wasm code sees. */
typedef struct gc_large {
    size_t bytes; /* of the whole allocation */
    bool marked;
    uint32_t index; /* in heap->large */
    uint64_t pad_;  /* keeps the object 16-aligned after the header */
} gc_large_t;

/* Open-addressing map from a non-zero key to two words (linear probing,
 * deletion by backward shift). Granules use both values as page
 * pointers; large objects and pins use the first. */
typedef struct gc_map_entry {
    uintptr_t key;
    uintptr_t a, b;
} gc_map_entry_t;

typedef struct gc_map {
    gc_map_entry_t *slots;
    size_t cap; /* a power of two, or 0 */
    size_t count;
} gc_map_t;

/* A unit of marking work: an object whose references from `pos` on are
 * still to trace (arrays are traced in chunks). */
typedef struct gc_gray {
    bri_gc_object_t *obj;
    uint32_t pos;
} gc_gray_t;

typedef enum gc_phase {
    GC_IDLE = 0,
    GC_MARK,
    GC_SWEEP,
} gc_phase_t;

struct bri_gc_heap {
    bri_object_t obj; /* freed with its store */
    br_store_t *store;
    bri_allocator_t alloc;
    uint64_t limit; /* bytes of pages and large objects */
    uint64_t bytes; /* pages (in use or free) and large objects */

    /* pages */
    gc_page_t **pages; /* every page, formatted or free */
    size_t page_count, page_cap;
    gc_page_t *avail[GC_CLASS_COUNT]; /* pages with free cells per class */
    gc_page_t *free_list; /* empty pages (cell 0), through next_avail */
    uint32_t class_size[GC_CLASS_COUNT];
    uint8_t class_of[GC_SMALL_MAX / 8 + 1]; /* by size in 8-byte words */
    gc_map_t granules; /* 64 KiB address granule -> up to two pages */

    /* large objects */
    gc_large_t **large;
    size_t large_count, large_cap;
    gc_map_t large_map; /* object address -> its gc_large_t */

    gc_map_t pins; /* object address -> pin count (host references) */

    /* the collector */
    gc_phase_t phase;
    gc_gray_t *gray;
    size_t gray_count, gray_cap;
    bool gray_failed;    /* the gray stack could not grow: cycle abandoned */
    size_t sweep_page;   /* next page to sweep */
    size_t sweep_large;  /* large objects [0, sweep_large) left to sweep */
    uint64_t live_bytes; /* estimate: bytes in live cells and large */
    uint64_t trigger;    /* start a cycle when live_bytes reaches it */
    int64_t debt;        /* work owed by allocation, in work units */
    bri_gc_stats_t stats;
};

/* heap.c */
void *bri_gc_host_alloc(bri_gc_heap_t *heap, size_t bytes);
/* Where an object starts: its page and cell, or its large header. */
bool bri_gc_locate(const bri_gc_heap_t *heap, const void *ref, gc_page_t **page,
                   uint32_t *cell, gc_large_t **large);
/* After a sweep left `live` cells: the page goes back to its class's
 * list if it has room, or to the free pages if it is empty. */
void bri_gc_page_swept(bri_gc_heap_t *heap, gc_page_t *page, uint32_t live);
void bri_gc_large_release(bri_gc_heap_t *heap, gc_large_t *l);

/* ptrmap.c */
gc_map_entry_t *bri_gc_map_find(const gc_map_t *map, uintptr_t key);
gc_map_entry_t *bri_gc_map_put(bri_gc_heap_t *heap, gc_map_t *map,
                               uintptr_t key);
void bri_gc_map_remove(gc_map_t *map, uintptr_t key);
void bri_gc_map_free(bri_gc_heap_t *heap, gc_map_t *map);

/* collect.c: the work allocation pays for `bytes` (runs a bounded
 * step), and a full collection when the limit is reached. */
void bri_gc_pay(bri_gc_heap_t *heap, uint64_t bytes);
void bri_gc_full(bri_gc_heap_t *heap);
/* Whether a cell allocated now must be born marked (black). */
static inline bool
gc_born_black(const bri_gc_heap_t *heap, const gc_page_t *page)
{
    return heap->phase == GC_MARK ||
           (heap->phase == GC_SWEEP && page != NULL && !page->swept);
}

/* heap.c: the cells of a new object of `bytes` (header included), from
 * a page of its size class or apart if large; NULL past the limit. */
bri_gc_object_t *bri_gc_alloc_cells(bri_gc_heap_t *heap, uint64_t bytes);

#endif
