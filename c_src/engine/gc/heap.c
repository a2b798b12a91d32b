/*
 * beamr engine: the GC heap, first version: every object is its own
 * allocation on a list, freed with the store. No collection yet (the
 * collector replaces this file); it lets the type side run GC code.
 */
#include "gc.h"

#include <string.h>

/* A heap object: the list link precedes the object the wasm code sees. */
typedef struct heap_cell {
    struct heap_cell *next;
    size_t bytes; /* of the whole cell */
    bri_gc_object_t obj;
} heap_cell_t;

struct bri_gc_heap {
    bri_object_t obj; /* freed with its store */
    bri_allocator_t alloc;
    heap_cell_t *cells;
};

static void
heap_free_obj(br_store_t *store, bri_object_t *obj)
{
    (void)store;
    bri_gc_heap_free((bri_gc_heap_t *)obj);
}

bri_gc_heap_t *
bri_gc_heap_of(br_store_t *store)
{
    if (store->gc != NULL)
        return store->gc;
    bri_gc_heap_t *heap = bri_calloc(&store->alloc, 1, sizeof *heap);
    if (heap == NULL)
        return NULL;
    heap->alloc = store->alloc;
    bri_store_adopt(store, &heap->obj, heap_free_obj);
    store->gc = heap;
    return heap;
}

void
bri_gc_heap_free(bri_gc_heap_t *heap)
{
    heap_cell_t *c = heap->cells;
    while (c != NULL) {
        heap_cell_t *next = c->next;
        bri_free(&heap->alloc, c, c->bytes);
        c = next;
    }
    bri_free(&heap->alloc, heap, sizeof *heap);
}

bri_gc_object_t *
bri_gc_alloc(bri_gc_heap_t *heap, const bri_rtt_t *rtt, uint32_t length)
{
    uint64_t payload = rtt->kind == BRI_RTT_ARRAY
                           ? (uint64_t)rtt->size * length
                           : rtt->size;
    uint64_t bytes = sizeof(heap_cell_t) + ((payload + 7u) & ~7ull);
    if (bytes > (1ull << 32))
        return NULL;
    heap_cell_t *c = bri_calloc(&heap->alloc, 1, (size_t)bytes);
    if (c == NULL)
        return NULL;
    c->bytes = (size_t)bytes;
    c->obj.rtt = rtt;
    c->obj.length = rtt->kind == BRI_RTT_ARRAY ? length : 0;
    c->next = heap->cells;
    heap->cells = c;
    return &c->obj;
}

bool
bri_gc_is_object(const bri_gc_heap_t *heap, br_ref_t ref)
{
    /* a linear search: this version is for correctness, not speed */
    for (const heap_cell_t *c = heap->cells; c != NULL; c = c->next)
        if ((const void *)&c->obj == ref)
            return true;
    return false;
}

void
bri_gc_barrier(bri_gc_heap_t *heap, br_ref_t overwritten)
{
    (void)heap;
    (void)overwritten;
}
