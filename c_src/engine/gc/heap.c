/*
 * beamr engine: the GC heap's memory: 64 KiB pages of one size class
 * each (allocation and liveness in bitmaps), large objects apart, an
 * exact O(1) object test, host pins and the byte limit. The collector
 * that frees cells is collect.c; docs/gc.md gives the reasons.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "heap_impl.h"

/* ------------------------------------------------------------------ */
/* Creation and teardown                                               */

static void
heap_free_obj(br_store_t *store, bri_object_t *obj)
{
    (void)store;
    bri_gc_heap_free((bri_gc_heap_t *)obj);
}

/* Size classes about 12% apart (16, 24, 32 ... 8192): a cell wastes at
 * most an eighth of itself on average, and there are few classes. */
static void
init_classes(bri_gc_heap_t *heap)
{
    uint32_t n = 0, size = GC_MIN_CELL;
    while (size < GC_SMALL_MAX && n + 1 < GC_CLASS_COUNT) {
        heap->class_size[n++] = size;
        uint32_t step = size / 8 < 8 ? 8 : (size / 8 + 7) & ~7u;
        size += step;
    }
    heap->class_size[n++] = GC_SMALL_MAX;
    for (uint32_t words = 0, c = 0; words <= GC_SMALL_MAX / 8; words++) {
        while (heap->class_size[c] < words * 8)
            c++;
        heap->class_of[words] = (uint8_t)c;
    }
}

/* The store's limit on one linear memory bounds the GC heap too. */
static uint64_t
heap_limit(const br_store_t *store)
{
    uint64_t pages = store->limits.max_memory_pages;
    if (pages == 0)
        pages = BR_DEFAULT_MAX_MEMORY_PAGES;
    if (pages > (1ull << 32))
        pages = 1ull << 32; /* 2^48 bytes: more than any host has */
    return pages << 16;
}

bri_gc_heap_t *
bri_gc_heap_of(br_store_t *store)
{
    if (store->gc != NULL)
        return store->gc;
    bri_gc_heap_t *heap = bri_calloc(&store->alloc, 1, sizeof *heap);
    if (heap == NULL)
        return NULL;
    heap->store = store;
    heap->alloc = store->alloc;
    heap->limit = heap_limit(store);
    heap->trigger = BRI_GC_MIN_TRIGGER;
    init_classes(heap);
    bri_store_adopt(store, &heap->obj, heap_free_obj);
    store->gc = heap;
    return heap;
}

void
bri_gc_heap_free(bri_gc_heap_t *heap)
{
    for (size_t i = 0; i < heap->page_count; i++) {
        bri_free(&heap->alloc, heap->pages[i]->mem, GC_PAGE_BYTES);
        bri_free(&heap->alloc, heap->pages[i], sizeof(gc_page_t));
    }
    bri_free(&heap->alloc, heap->pages, heap->page_cap * sizeof(gc_page_t *));
    for (size_t i = 0; i < heap->large_count; i++)
        bri_free(&heap->alloc, heap->large[i], heap->large[i]->bytes);
    bri_free(&heap->alloc, heap->large, heap->large_cap * sizeof(gc_large_t *));
    bri_free(&heap->alloc, heap->gray, heap->gray_cap * sizeof(gc_gray_t));
    bri_gc_map_free(heap, &heap->granules);
    bri_gc_map_free(heap, &heap->large_map);
    bri_gc_map_free(heap, &heap->pins);
    bri_free(&heap->alloc, heap, sizeof *heap);
}

/* ------------------------------------------------------------------ */
/* Pages                                                               */

/* Grows a pointer vector by doubling; false: out of memory. */
static bool
vec_reserve(bri_gc_heap_t *heap, void *vec, size_t count, size_t *cap)
{
    if (count < *cap)
        return true;
    void **v = *(void ***)vec;
    size_t n = *cap ? *cap * 2 : 16;
    void **bigger =
        bri_realloc(&heap->alloc, v, *cap * sizeof *v, n * sizeof *v);
    if (bigger == NULL)
        return false;
    *(void ***)vec = bigger;
    *cap = n;
    return true;
}

/* Registers the granules a page overlaps (one if it is aligned, else
 * two); a granule is shared by at most two pages, which never overlap. */
static bool
map_granules(bri_gc_heap_t *heap, gc_page_t *page)
{
    uintptr_t first = (uintptr_t)page->mem >> GC_PAGE_SHIFT;
    uintptr_t last =
        ((uintptr_t)page->mem + GC_PAGE_BYTES - 1) >> GC_PAGE_SHIFT;
    for (uintptr_t g = first; g <= last; g++) {
        gc_map_entry_t *e = bri_gc_map_put(heap, &heap->granules, g + 1);
        if (e == NULL)
            return false;
        if (e->a == 0)
            e->a = (uintptr_t)page;
        else
            e->b = (uintptr_t)page;
    }
    return true;
}

/* Whether `more` bytes fit the limit, which the heap's pages and large
 * objects and the store's linear memories share: the GC heap counts
 * against the memory limit. */
static bool
fits_limit(const bri_gc_heap_t *heap, uint64_t more)
{
    uint64_t used = heap->bytes + bri_store_linear_bytes(heap->store);
    return used <= heap->limit && more <= heap->limit - used;
}

bool
bri_gc_budget_allows(const bri_gc_heap_t *heap, uint64_t more)
{
    return fits_limit(heap, more);
}

/* A new free page (counted against the limit); NULL if refused. */
static gc_page_t *
new_page(bri_gc_heap_t *heap)
{
    if (!fits_limit(heap, GC_PAGE_BYTES) ||
        !vec_reserve(heap, &heap->pages, heap->page_count, &heap->page_cap))
        return NULL;
    gc_page_t *page = bri_calloc(&heap->alloc, 1, sizeof *page);
    if (page == NULL)
        return NULL;
    page->mem = bri_alloc(&heap->alloc, GC_PAGE_BYTES);
    if (page->mem == NULL || ((uintptr_t)page->mem & 7u) != 0 ||
        !map_granules(heap, page)) {
        /* a granule entry already added points at a page whose mem
         * lookups never match once it is gone: harmless, and rare */
        bri_free(&heap->alloc, page->mem, GC_PAGE_BYTES);
        bri_free(&heap->alloc, page, sizeof *page);
        return NULL;
    }
    heap->pages[heap->page_count++] = page;
    heap->bytes += GC_PAGE_BYTES;
    heap->stats.pages = heap->page_count;
    if (heap->bytes > heap->stats.peak_heap_bytes)
        heap->stats.peak_heap_bytes = heap->bytes;
    return page;
}

static void
avail_push(bri_gc_heap_t *heap, gc_page_t *page)
{
    if (page->avail)
        return;
    page->avail = true;
    page->prev_avail = NULL;
    page->next_avail = heap->avail[page->cls];
    if (page->next_avail != NULL)
        page->next_avail->prev_avail = page;
    heap->avail[page->cls] = page;
}

static void
avail_remove(bri_gc_heap_t *heap, gc_page_t *page)
{
    if (!page->avail)
        return;
    page->avail = false;
    if (page->prev_avail != NULL)
        page->prev_avail->next_avail = page->next_avail;
    else
        heap->avail[page->cls] = page->next_avail;
    if (page->next_avail != NULL)
        page->next_avail->prev_avail = page->prev_avail;
}

/* Cuts a free page into cells of class `cls`. */
static void
format_page(bri_gc_heap_t *heap, gc_page_t *page, uint8_t cls)
{
    page->cls = cls;
    page->cell = heap->class_size[cls];
    page->ncells = GC_PAGE_BYTES / page->cell;
    page->nlive = 0;
    page->cursor = 0;
    memset(page->alloc_bits, 0, sizeof page->alloc_bits);
    memset(page->mark_bits, 0, sizeof page->mark_bits);
    /* bits past the last cell stay set, so they are never handed out */
    for (uint32_t i = page->ncells; i < GC_MAX_CELLS; i++)
        page->alloc_bits[i / 64] |= 1ull << (i % 64);
    /* formatted while marking: its cells are born black and the sweep
     * clears them; while sweeping: the sweep has passed or will skip it */
    page->swept = heap->phase == GC_SWEEP;
    avail_push(heap, page);
}

/* A page of class `cls` with a free cell: from the class's list, a free
 * page, or a new one. */
static gc_page_t *
page_for(bri_gc_heap_t *heap, uint8_t cls)
{
    if (heap->avail[cls] != NULL)
        return heap->avail[cls];
    gc_page_t *page = heap->free_list;
    if (page != NULL) {
        heap->free_list = page->next_avail;
        format_page(heap, page, cls);
        return page;
    }
    page = new_page(heap);
    if (page != NULL)
        format_page(heap, page, cls);
    return page;
}

void
bri_gc_page_swept(bri_gc_heap_t *heap, gc_page_t *page, uint32_t live)
{
    page->nlive = live;
    page->cursor = 0;
    if (live == page->ncells)
        return;
    if (live != 0) {
        avail_push(heap, page);
        return;
    }
    avail_remove(heap, page);
    page->cell = 0;
    page->next_avail = heap->free_list;
    heap->free_list = page;
}

/* The first free cell of a page at or after its cursor, or -1. */
static int64_t
take_cell(gc_page_t *page)
{
    for (uint32_t w = page->cursor; w < GC_BITMAP_WORDS; w++) {
        uint64_t free_bits = ~page->alloc_bits[w];
        if (free_bits != 0) {
            page->cursor = w;
            uint32_t bit = (uint32_t)__builtin_ctzll(free_bits);
            page->alloc_bits[w] |= 1ull << bit;
            return (int64_t)(w * 64 + bit);
        }
    }
    page->cursor = GC_BITMAP_WORDS;
    return -1;
}

static bri_gc_object_t *
alloc_small(bri_gc_heap_t *heap, uint32_t bytes)
{
    uint8_t cls = heap->class_of[(bytes + 7) / 8];
    for (;;) {
        gc_page_t *page = page_for(heap, cls);
        if (page == NULL)
            return NULL;
        int64_t cell = take_cell(page);
        if (cell < 0) {
            avail_remove(heap, page); /* full: look at the next one */
            continue;
        }
        page->nlive++;
        if (gc_born_black(heap, page))
            page->mark_bits[cell / 64] |= 1ull << (cell % 64);
        uint8_t *p = page->mem + (size_t)cell * page->cell;
        memset(p, 0, page->cell);
        heap->live_bytes += page->cell;
        return (bri_gc_object_t *)p;
    }
}

/* ------------------------------------------------------------------ */
/* Large objects                                                       */

static bri_gc_object_t *
alloc_large(bri_gc_heap_t *heap, uint64_t bytes)
{
    uint64_t total = sizeof(gc_large_t) + bytes;
    if (!fits_limit(heap, total) || total > SIZE_MAX ||
        !vec_reserve(heap, &heap->large, heap->large_count, &heap->large_cap))
        return NULL;
    gc_large_t *l = bri_calloc(&heap->alloc, 1, (size_t)total);
    if (l == NULL)
        return NULL;
    if (bri_gc_map_put(heap, &heap->large_map, (uintptr_t)(l + 1)) == NULL) {
        bri_free(&heap->alloc, l, (size_t)total);
        return NULL;
    }
    bri_gc_map_find(&heap->large_map, (uintptr_t)(l + 1))->a = (uintptr_t)l;
    l->bytes = (size_t)total;
    l->marked = gc_born_black(heap, NULL);
    l->index = (uint32_t)heap->large_count;
    heap->large[heap->large_count++] = l;
    heap->bytes += total;
    heap->live_bytes += total;
    if (heap->bytes > heap->stats.peak_heap_bytes)
        heap->stats.peak_heap_bytes = heap->bytes;
    return (bri_gc_object_t *)(l + 1);
}

/* Frees a dead large object (swapping the last one into its place). */
void
bri_gc_large_release(bri_gc_heap_t *heap, gc_large_t *l)
{
    bri_gc_map_remove(&heap->large_map, (uintptr_t)(l + 1));
    gc_large_t *last = heap->large[--heap->large_count];
    heap->large[l->index] = last;
    last->index = l->index;
    heap->bytes -= l->bytes;
    bri_free(&heap->alloc, l, l->bytes);
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

bri_gc_object_t *
bri_gc_alloc_cells(bri_gc_heap_t *heap, uint64_t bytes)
{
    if (bytes <= GC_SMALL_MAX)
        return alloc_small(heap, (uint32_t)bytes);
    return alloc_large(heap, bytes);
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

/* A cell of a page that may hold `p`, or false. */
static bool
locate_small(const gc_page_t *page, uintptr_t p, uint32_t *cell)
{
    uintptr_t base = (uintptr_t)page->mem;
    if (page->cell == 0 || p < base || p >= base + GC_PAGE_BYTES)
        return false;
    uintptr_t off = p - base;
    if (off % page->cell != 0)
        return false;
    uint32_t i = (uint32_t)(off / page->cell);
    if (i >= page->ncells || !(page->alloc_bits[i / 64] & (1ull << (i % 64))))
        return false;
    *cell = i;
    return true;
}

bool
bri_gc_locate(const bri_gc_heap_t *heap, const void *ref, gc_page_t **page,
              uint32_t *cell, gc_large_t **large)
{
    uintptr_t p = (uintptr_t)ref;
    *page = NULL;
    *large = NULL;
    if (p == 0 || (p & 7u) != 0)
        return false; /* null, i31 or not 8-aligned: never an object */
    const gc_map_entry_t *g =
        bri_gc_map_find(&heap->granules, (p >> GC_PAGE_SHIFT) + 1);
    if (g != NULL) {
        gc_page_t *a = (gc_page_t *)g->a, *b = (gc_page_t *)g->b;
        if (a != NULL && locate_small(a, p, cell)) {
            *page = a;
            return true;
        }
        if (b != NULL && locate_small(b, p, cell)) {
            *page = b;
            return true;
        }
    }
    const gc_map_entry_t *l = bri_gc_map_find(&heap->large_map, p);
    if (l == NULL)
        return false;
    *large = (gc_large_t *)l->a;
    return true;
}

bool
bri_gc_is_object(const bri_gc_heap_t *heap, br_ref_t ref)
{
    gc_page_t *page;
    uint32_t cell;
    gc_large_t *large;
    return heap != NULL && bri_gc_locate(heap, ref, &page, &cell, &large);
}

/* ------------------------------------------------------------------ */
/* Host pins and statistics                                            */

void
bri_gc_unpin(bri_gc_heap_t *heap, br_ref_t ref)
{
    gc_map_entry_t *e = bri_gc_map_find(&heap->pins, (uintptr_t)ref);
    if (e != NULL && --e->a == 0)
        bri_gc_map_remove(&heap->pins, (uintptr_t)ref);
}

void
bri_gc_stats(const bri_gc_heap_t *heap, bri_gc_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (heap == NULL)
        return;
    *out = heap->stats;
    out->heap_bytes = heap->bytes;
    out->limit_bytes = heap->limit;
    out->live_bytes = heap->live_bytes;
    out->pinned = heap->pins.count;
    out->large_objects = heap->large_count;
}
