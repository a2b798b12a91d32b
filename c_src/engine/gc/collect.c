/*
 * beamr engine: the GC heap's collector: incremental mark and sweep in
 * bounded steps paid by allocation. Snapshot at the beginning: a cycle
 * marks every object reachable when it took its roots (value stacks,
 * globals, tables, element segments, exception payloads, host pins),
 * objects born during the cycle are black, and bri_gc_barrier shades
 * the old value of every object field that is overwritten while it
 * marks. docs/gc.md gives the reasons.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <time.h>

#include "heap_impl.h"

/* ------------------------------------------------------------------ */
/* Marking                                                             */

static bool
has_refs(const bri_gc_object_t *obj)
{
    const bri_rtt_t *rtt = obj->rtt;
    if (rtt->kind == BRI_RTT_STRUCT)
        return rtt->ref_count != 0;
    return rtt->kind == BRI_RTT_ARRAY && rtt->storage[0] == BRI_ST_REF &&
           obj->length != 0;
}

static void
gray_push(bri_gc_heap_t *heap, bri_gc_object_t *obj, uint32_t pos)
{
    if (heap->gray_count == heap->gray_cap) {
        size_t n = heap->gray_cap ? heap->gray_cap * 2 : 256;
        gc_gray_t *g = bri_realloc(&heap->alloc, heap->gray,
                                   heap->gray_cap * sizeof *g, n * sizeof *g);
        if (g == NULL) {
            heap->gray_failed = true; /* the cycle is given up */
            return;
        }
        heap->gray = g;
        heap->gray_cap = n;
    }
    heap->gray[heap->gray_count++] = (gc_gray_t){obj, pos};
}

/* Shades `ref` if it is a white object: marked, and gray if it has
 * references to trace. */
static void
shade(bri_gc_heap_t *heap, br_ref_t ref)
{
    gc_page_t *page;
    uint32_t cell;
    gc_large_t *large;
    if (!bri_gc_locate(heap, ref, &page, &cell, &large))
        return;
    if (page != NULL) {
        uint64_t bit = 1ull << (cell % 64);
        if (page->mark_bits[cell / 64] & bit)
            return;
        page->mark_bits[cell / 64] |= bit;
    } else {
        if (large->marked)
            return;
        large->marked = true;
    }
    if (has_refs(ref))
        gray_push(heap, (bri_gc_object_t *)ref, 0);
}

/* Traces one gray entry; returns its work units. Arrays of references
 * go in chunks, the rest pushed back, so no entry costs much. */
static uint64_t
trace(bri_gc_heap_t *heap, gc_gray_t g)
{
    bri_gc_object_t *obj = g.obj;
    const bri_rtt_t *rtt = obj->rtt;
    uint8_t *payload = bri_gc_payload(obj);
    br_ref_t ref;
    if (rtt->kind == BRI_RTT_STRUCT) {
        for (uint32_t i = 0; i < rtt->ref_count; i++) {
            memcpy(&ref, payload + rtt->ref_offsets[i], sizeof ref);
            shade(heap, ref);
        }
        return sizeof *obj + rtt->size;
    }
    uint32_t end = obj->length - g.pos > GC_ARRAY_CHUNK ? g.pos + GC_ARRAY_CHUNK
                                                        : obj->length;
    for (uint32_t i = g.pos; i < end; i++) {
        memcpy(&ref, payload + (size_t)i * sizeof ref, sizeof ref);
        shade(heap, ref);
    }
    if (end < obj->length)
        gray_push(heap, obj, end);
    return sizeof *obj + (uint64_t)(end - g.pos) * sizeof ref;
}

void
bri_gc_mark_root(bri_gc_heap_t *heap, br_ref_t ref)
{
    shade(heap, ref);
}

void
bri_gc_mark_slots(bri_gc_heap_t *heap, const br_slot_t *slots, size_t n)
{
    for (size_t i = 0; i < n; i++)
        shade(heap, slots[i].ref);
}

void
bri_gc_mark_table(bri_gc_heap_t *heap, const br_table_t *table)
{
    /* functions and exceptions are not heap objects (kept exceptions
     * are roots of their own) */
    if (table->kind == BR_FUNCREF || table->kind == BR_EXNREF)
        return;
    for (uint64_t i = 0; i < table->size; i++)
        shade(heap, table->elems[i]);
    heap->stats.root_slots += table->size;
}

void
bri_gc_mark_global(bri_gc_heap_t *heap, const br_global_t *global)
{
    if (global->val.kind != BR_V128)
        shade(heap, global->val.of.ref);
}

void
bri_gc_trace_instance(bri_object_t *obj, bri_gc_heap_t *heap)
{
    const br_instance_t *inst = (const br_instance_t *)obj;
    const br_module_t *m = inst->module;
    /* imported tables and globals come again: marking twice is free */
    for (uint32_t i = 0; i < m->table_count; i++)
        if (inst->tables[i] != NULL)
            bri_gc_mark_table(heap, inst->tables[i]);
    for (uint32_t i = 0; i < m->global_count; i++)
        if (inst->globals[i] != NULL)
            bri_gc_mark_global(heap, inst->globals[i]);
    for (uint32_t i = 0; i < m->elem_count; i++) {
        if (inst->elem_refs[i] == NULL || m->elems[i].kind == BR_FUNCREF)
            continue;
        for (uint32_t j = 0; j < inst->elem_sizes[i]; j++)
            shade(heap, inst->elem_refs[i][j]);
        heap->stats.root_slots += inst->elem_sizes[i];
    }
}

void
bri_gc_trace_table(bri_object_t *obj, bri_gc_heap_t *heap)
{
    bri_gc_mark_table(heap, (const br_table_t *)obj);
}

void
bri_gc_trace_global(bri_object_t *obj, bri_gc_heap_t *heap)
{
    bri_gc_mark_global(heap, (const br_global_t *)obj);
}

void
bri_gc_trace_exception(bri_object_t *obj, bri_gc_heap_t *heap)
{
    const bri_exception_t *e = (const bri_exception_t *)obj;
    bri_gc_mark_slots(heap, e->payload, e->slot_count);
}

void
bri_gc_barrier(bri_gc_heap_t *heap, br_ref_t overwritten)
{
    if (heap != NULL && heap->phase == GC_MARK)
        shade(heap, overwritten);
}

/* ------------------------------------------------------------------ */
/* Roots                                                               */

/* The live part of an exec's value stack, its results, its host call's
 * values and its exceptions' payloads. The stack is untyped: every
 * slot that holds the address of an object counts (conservative). */
static void
mark_exec(bri_gc_heap_t *heap, const br_exec_t *exec)
{
    uint64_t top = 0;
    if (exec->frame_count != 0) {
        const bri_frame_t *fr = &exec->frames[exec->frame_count - 1];
        top = (uint64_t)fr->base + fr->code->frame_slots;
    }
    if (exec->entry != NULL) {
        uint64_t ends = bri_param_slots(exec->entry->type);
        uint64_t rs = bri_result_slots(exec->entry->type);
        top = top > ends ? top : ends;
        top = top > rs ? top : rs;
    }
    if (top > exec->stack_cap)
        top = exec->stack_cap;
    bri_gc_mark_slots(heap, exec->stack, (size_t)top);
    heap->stats.root_slots += top;
    for (uint32_t i = 0; i < exec->result_count && exec->results; i++)
        shade(heap, exec->results[i].of.ref);
    for (uint32_t i = 0; i < exec->host_cap; i++) {
        shade(heap, exec->host_args[i].of.ref);
        shade(heap, exec->host_results[i].of.ref);
    }
    for (const bri_exception_t *e = exec->exceptions; e != NULL; e = e->next)
        bri_gc_mark_slots(heap, e->payload, e->slot_count);
}

static void
mark_roots(bri_gc_heap_t *heap)
{
    br_store_t *store = heap->store;
    for (const br_exec_t *e = store->execs; e != NULL; e = e->gc_next)
        mark_exec(heap, e);
    for (bri_object_t *obj = store->objects; obj != NULL; obj = obj->next)
        if (obj->trace != NULL)
            obj->trace(obj, heap);
    for (size_t i = 0; i < heap->pins.cap; i++)
        if (heap->pins.slots[i].key != 0)
            shade(heap, (br_ref_t)heap->pins.slots[i].key);
}

/* ------------------------------------------------------------------ */
/* Cycles                                                              */

/* Takes the roots (all at once: they have no barrier) and starts
 * marking; returns the work units. */
static uint64_t
start_cycle(bri_gc_heap_t *heap)
{
    heap->phase = GC_MARK;
    heap->gray_failed = false;
    heap->gray_count = 0;
    for (size_t i = 0; i < heap->page_count; i++)
        heap->pages[i]->swept = false;
    uint64_t before = heap->stats.root_slots;
    mark_roots(heap);
    uint64_t work = (heap->stats.root_slots - before) * 8 +
                    heap->page_count * 8 + heap->pins.cap * 8;
    if (work > heap->stats.max_root_work)
        heap->stats.max_root_work = work;
    return work;
}

/* Marking failed for want of memory: forget every mark; the objects it
 * would have freed wait for the next cycle. */
static void
abandon_cycle(bri_gc_heap_t *heap)
{
    for (size_t i = 0; i < heap->page_count; i++)
        memset(heap->pages[i]->mark_bits, 0, sizeof heap->pages[i]->mark_bits);
    for (size_t i = 0; i < heap->large_count; i++)
        heap->large[i]->marked = false;
    heap->gray_count = 0;
    heap->phase = GC_IDLE;
    heap->stats.abandoned++;
}

static void
start_sweep(bri_gc_heap_t *heap)
{
    heap->phase = GC_SWEEP;
    heap->sweep_page = 0;
    heap->sweep_large = heap->large_count;
}

/* The bits of bitmap word `w` past a page's last cell (kept set in
 * alloc_bits so that they are never handed out). */
static uint64_t
pad_bits(uint32_t ncells, uint32_t w)
{
    uint32_t lo = w * 64;
    if (lo >= ncells)
        return ~0ull;
    if (ncells - lo >= 64)
        return 0;
    return ~0ull << (ncells - lo);
}

/* Frees a page's white cells and whitens the black ones. */
static uint64_t
sweep_page(bri_gc_heap_t *heap, gc_page_t *page)
{
    /* formatted during this sweep (a new page, or a free one taken
     * again): its cells were born white and are all live */
    if (page->swept || page->cell == 0) {
        page->swept = true;
        return 8;
    }
    page->swept = true;
    uint32_t live = 0;
    for (uint32_t w = 0; w < GC_BITMAP_WORDS; w++) {
        uint64_t pad = pad_bits(page->ncells, w);
        uint64_t kept = page->alloc_bits[w] & page->mark_bits[w] & ~pad;
        page->alloc_bits[w] = kept | pad;
        page->mark_bits[w] = 0;
        live += (uint32_t)__builtin_popcountll(kept);
    }
    heap->live_bytes -= (uint64_t)(page->nlive - live) * page->cell;
    bri_gc_page_swept(heap, page, live);
    return 2 * GC_BITMAP_WORDS * 8;
}

/* One unit of sweeping; false when the sweep is over. */
static bool
sweep_some(bri_gc_heap_t *heap, uint64_t *work)
{
    if (heap->sweep_page < heap->page_count) {
        *work += sweep_page(heap, heap->pages[heap->sweep_page++]);
        return true;
    }
    if (heap->sweep_large > 0) {
        gc_large_t *l = heap->large[--heap->sweep_large];
        if (l->marked)
            l->marked = false;
        else {
            heap->live_bytes -= l->bytes;
            bri_gc_large_release(heap, l);
        }
        *work += 64;
        return true;
    }
    return false;
}

/* The sweep is over: the next cycle starts when the heap doubles. */
static void
end_cycle(bri_gc_heap_t *heap)
{
    heap->phase = GC_IDLE;
    heap->stats.cycles++;
    uint64_t trigger = heap->live_bytes * 2;
    if (trigger < BRI_GC_MIN_TRIGGER)
        trigger = BRI_GC_MIN_TRIGGER;
    if (trigger > heap->limit / 2)
        trigger = heap->limit / 2;
    heap->trigger = trigger;
}

/* Runs the collector for about `budget` work units (the whole rest of
 * the cycle if budget is UINT64_MAX); returns the units done. */
static uint64_t
run(bri_gc_heap_t *heap, uint64_t budget)
{
    uint64_t work = 0;
    while (work < budget && heap->phase != GC_IDLE) {
        if (heap->phase == GC_MARK) {
            if (heap->gray_failed)
                abandon_cycle(heap);
            else if (heap->gray_count == 0)
                start_sweep(heap);
            else
                work += trace(heap, heap->gray[--heap->gray_count]);
        } else if (!sweep_some(heap, &work))
            end_cycle(heap);
    }
    return work;
}

/* ------------------------------------------------------------------ */
/* Pacing                                                              */

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
record_step(bri_gc_heap_t *heap, uint64_t work, uint64_t t0)
{
    uint64_t ns = now_ns() - t0;
    heap->stats.steps++;
    if (work > heap->stats.max_step_work)
        heap->stats.max_step_work = work;
    if (ns > heap->stats.max_step_ns)
        heap->stats.max_step_ns = ns;
}

/*
 * Allocation of `bytes` pays for the collector: a cycle starts when the
 * allocated cells reach the trigger, and while one runs each byte owes
 * GC_PACE units, paid in steps of at most GC_STEP_MAX (the step a
 * program waits for; its root scan comes on top, once per cycle).
 */
void
bri_gc_pay(bri_gc_heap_t *heap, uint64_t bytes)
{
    if (heap->store->gc_defer != 0)
        return;
    if (heap->phase == GC_IDLE) {
        if (heap->live_bytes + bytes < heap->trigger)
            return;
        uint64_t t0 = now_ns();
        uint64_t work = start_cycle(heap);
        heap->debt = 0;
        record_step(heap, work, t0);
        return;
    }
    heap->debt += (int64_t)(bytes * GC_PACE);
    if (heap->debt < GC_STEP_MIN)
        return;
    uint64_t budget =
        heap->debt > GC_STEP_MAX ? GC_STEP_MAX : (uint64_t)heap->debt;
    uint64_t t0 = now_ns();
    uint64_t work = run(heap, budget);
    heap->debt -= (int64_t)work;
    if (heap->debt > 4 * GC_STEP_MAX)
        heap->debt = 4 * GC_STEP_MAX; /* behind: the limit will tell */
    record_step(heap, work, t0);
}

/* The limit is reached: finish the cycle that runs, then run a whole
 * one (its roots may have let go of much since the last). */
void
bri_gc_full(bri_gc_heap_t *heap)
{
    if (heap->store->gc_defer != 0)
        return;
    run(heap, UINT64_MAX);
    start_cycle(heap);
    run(heap, UINT64_MAX);
    heap->debt = 0;
    heap->stats.full_collections++;
}

void
bri_gc_collect(bri_gc_heap_t *heap)
{
    if (heap != NULL)
        bri_gc_full(heap);
}

/* ------------------------------------------------------------------ */
/* Public API (beamr.h)                                                */

void
br_gc_stats(const br_store_t *store, br_gc_stats_t *out)
{
    bri_gc_stats(store != NULL ? store->gc : NULL, out);
}

bool
br_gc_is_object(const br_store_t *store, br_ref_t ref)
{
    return store != NULL && bri_gc_is_object(store->gc, ref);
}

br_err_t
br_gc_pin(br_store_t *store, br_ref_t ref)
{
    if (store == NULL || store->gc == NULL)
        return BR_ERR_OK; /* no heap: nothing is an object */
    return bri_gc_pin(store->gc, ref);
}

void
br_gc_unpin(br_store_t *store, br_ref_t ref)
{
    if (store != NULL && store->gc != NULL)
        bri_gc_unpin(store->gc, ref);
}

void
br_gc_collect(br_store_t *store)
{
    if (store != NULL)
        bri_gc_collect(store->gc);
}

/* ------------------------------------------------------------------ */
/* Allocation and pins: the heap's cells (heap.c) with the collector's
 * pacing and barrier, here so that heap.c never calls up into this
 * file (make layers). */

bri_gc_object_t *
bri_gc_alloc(bri_gc_heap_t *heap, const bri_rtt_t *rtt, uint32_t length)
{
    bool array = rtt->kind == BRI_RTT_ARRAY;
    uint64_t payload = array ? (uint64_t)rtt->size * length : rtt->size;
    uint64_t bytes = sizeof(bri_gc_object_t) + ((payload + 7u) & ~7ull);
    if (bytes > heap->limit)
        return NULL;
    bri_gc_pay(heap, bytes);
    bri_gc_object_t *obj = bri_gc_alloc_cells(heap, bytes);
    if (obj == NULL) {
        /* at the limit: what a whole collection frees, then refuse */
        bri_gc_full(heap);
        obj = bri_gc_alloc_cells(heap, bytes);
        if (obj == NULL)
            return NULL;
    }
    obj->rtt = rtt;
    obj->length = array ? length : 0;
    obj->gc_bits = 0;
    heap->stats.allocated_bytes += bytes;
    heap->stats.allocations++;
    return obj;
}

br_err_t
bri_gc_pin(bri_gc_heap_t *heap, br_ref_t ref)
{
    if (!bri_gc_is_object(heap, ref))
        return BR_ERR_OK; /* null, i31, functions ...: nothing to keep */
    gc_map_entry_t *e = bri_gc_map_put(heap, &heap->pins, (uintptr_t)ref);
    if (e == NULL)
        return BR_ERR_OUT_OF_MEMORY;
    e->a++;
    /* pinned while marking: a root the cycle's snapshot did not see */
    bri_gc_barrier(heap, ref);
    return BR_ERR_OK;
}
