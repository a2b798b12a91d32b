/*
 * beamr engine: stores, which own every instance and host object created
 * in them and free them all at once.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "exec.h"
#include "store.h"

/* Non-zero fields of `over` replace the engine's defaults. */
static void
merge_limits(br_limits_t *out, const br_limits_t *over)
{
    if (over == NULL)
        return;
    if (over->max_memory_pages != 0)
        out->max_memory_pages = over->max_memory_pages;
    if (over->max_table_elems != 0)
        out->max_table_elems = over->max_table_elems;
    if (over->max_call_depth != 0)
        out->max_call_depth = over->max_call_depth;
    if (over->max_stack_slots != 0)
        out->max_stack_slots = over->max_stack_slots;
}

br_store_t *
br_store_new(br_engine_t *engine, const br_limits_t *limits)
{
    if (engine == NULL)
        return NULL;
    br_store_t *store = bri_alloc(&engine->alloc, sizeof *store);
    if (store == NULL)
        return NULL;
    store->engine = engine;
    store->alloc = engine->alloc;
    store->limits = engine->limits;
    merge_limits(&store->limits, limits);
    store->objects = NULL;
    store->native_lazy_max = 0;
    store->tier = engine->tier;
    store->gc = NULL; /* created on first use (gc/gc.h) */
    store->execs = NULL;
    store->memories = NULL; /* memory.c lists them */
    store->gc_defer = 0;
    return store;
}

/*
 * Objects sit in the list newest first, so walking it frees them in
 * reverse creation order. No free function reads another object, so the
 * order is only a courtesy to allocators that like LIFO frees.
 */
void
br_store_delete(br_store_t *store)
{
    if (store == NULL)
        return;
    /* execs may outlive their store (deleting one then touches only
     * itself): they leave the list */
    for (br_exec_t *e = store->execs; e != NULL; e = e->gc_next)
        e->listed = false;
    bri_object_t *obj = store->objects;
    while (obj != NULL) {
        bri_object_t *next = obj->next;
        obj->free(store, obj);
        obj = next;
    }
    bri_allocator_t alloc = store->alloc;
    bri_free(&alloc, store, sizeof *store);
}

void
bri_store_adopt(br_store_t *store, bri_object_t *obj,
                void (*free_fn)(br_store_t *, bri_object_t *))
{
    obj->free = free_fn;
    obj->trace = NULL;
    obj->next = store->objects;
    store->objects = obj;
}
