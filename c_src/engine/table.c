/*
 * beamr engine: tables of references: creation, growth, element access
 * and the limits that bound them (declared, spec and store maxima).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gc/gc.h"
#include "store.h"

/*
 * Like memories, an empty table keeps a one-element buffer so `elems` is
 * never NULL (zero-length memmove in table.copy/init stays defined).
 */
static size_t
buffer_elems(uint64_t size)
{
    return size == 0 ? 1u : (size_t)size;
}

uint64_t
bri_table_max_elems(const br_store_t *store, const br_limitstype_t *limits)
{
    uint64_t max = limits->is64 ? BRI_MAX_TABLE64 : BRI_MAX_TABLE32;
    if (limits->has_max && limits->max < max)
        max = limits->max;
    uint64_t cap = store->limits.max_table_elems;
    if (cap != 0 && cap < max)
        max = cap;
    return max;
}

/* True if `count` references fit in a size_t byte count. */
static bool
elems_fit(uint64_t count)
{
    return count <= SIZE_MAX / sizeof(br_ref_t);
}

static void
fill(br_ref_t *elems, uint64_t from, uint64_t to, br_ref_t init)
{
    for (uint64_t i = from; i < to; i++)
        elems[i] = init;
}

br_err_t
bri_table_init(br_table_t *table, br_store_t *store, br_valkind_t elem,
               const br_limitstype_t *limits, br_ref_t init)
{
    memset(table, 0, sizeof *table);
    table->alloc = store->alloc;
    table->kind = elem;
    table->vt = bri_vt_of_kind(elem);
    table->type = *limits;
    table->max = bri_table_max_elems(store, limits);
    if (!bri_valkind_is_ref(elem))
        return BR_ERR_INVALID_ARGUMENT;
    if (limits->has_max && limits->max < limits->min)
        return BR_ERR_INVALID_ARGUMENT;
    if (limits->min > table->max)
        return BR_ERR_LIMIT_EXCEEDED;
    if (!elems_fit(limits->min))
        return BR_ERR_OUT_OF_MEMORY;
    size_t n = buffer_elems(limits->min);
    table->elems = bri_alloc(&table->alloc, n * sizeof(br_ref_t));
    if (table->elems == NULL)
        return BR_ERR_OUT_OF_MEMORY;
    table->cap = n;
    fill(table->elems, 0, n, init);
    table->size = limits->min;
    return BR_ERR_OK;
}

void
bri_table_release(br_table_t *table)
{
    if (table->elems != NULL)
        bri_free(&table->alloc, table->elems,
                 (size_t)table->cap * sizeof(br_ref_t));
    table->elems = NULL;
    table->size = 0;
    table->cap = 0;
}

/* Room for `need` elements; false (table unchanged) if the allocator
 * refuses. Capacity only grows; elements past the size are never read. */
static bool
ensure_cap(br_table_t *table, uint64_t need)
{
    if (need <= table->cap)
        return true;
    if (!elems_fit(need))
        return false;
    br_ref_t *elems = bri_realloc(&table->alloc, table->elems,
                                  (size_t)table->cap * sizeof(br_ref_t),
                                  (size_t)need * sizeof(br_ref_t));
    if (elems == NULL)
        return false;
    table->elems = elems;
    table->cap = need;
    return true;
}

/* Whether `delta` more elements stay within the table's maximum. */
static bool
may_grow(const br_table_t *table, uint64_t delta)
{
    return delta <= table->max && table->size <= table->max - delta &&
           elems_fit(table->size + delta);
}

static void
free_table(br_store_t *store, bri_object_t *obj)
{
    br_table_t *table = (br_table_t *)obj;
    bri_table_release(table);
    bri_free(&store->alloc, table, sizeof *table);
}

br_table_t *
br_table_new(br_store_t *store, br_valkind_t elem,
             const br_limitstype_t *limits, br_ref_t init)
{
    if (store == NULL || limits == NULL)
        return NULL;
    br_table_t *table = bri_alloc(&store->alloc, sizeof *table);
    if (table == NULL)
        return NULL;
    if (bri_table_init(table, store, elem, limits, init) != BR_ERR_OK) {
        bri_table_release(table);
        bri_free(&store->alloc, table, sizeof *table);
        return NULL;
    }
    bri_store_adopt(store, &table->obj, free_table);
    table->obj.trace = bri_gc_trace_table; /* its refs are GC roots */
    return table;
}

uint64_t
br_table_size(const br_table_t *table)
{
    return table->size;
}

bool
br_table_get(const br_table_t *table, uint64_t index, br_ref_t *out)
{
    if (index >= table->size)
        return false;
    *out = table->elems[index];
    return true;
}

bool
br_table_set(br_table_t *table, uint64_t index, br_ref_t ref)
{
    if (index >= table->size)
        return false;
    table->elems[index] = ref;
    return true;
}

/* Same contract as br_memory_grow: all or nothing, type.min follows. A
 * table.grow in steps (bri_table_grow_step) that this interrupts starts
 * over. */
bool
br_table_grow(br_table_t *table, uint64_t delta, br_ref_t init,
              uint64_t *old_size)
{
    uint64_t old = table->size;
    if (!may_grow(table, delta))
        return false;
    if (delta != 0) {
        if (!ensure_cap(table, old + delta))
            return false;
        fill(table->elems, old, old + delta, init);
        table->size = old + delta;
        table->type.min = old + delta;
        table->grow_owner = NULL;
    }
    if (old_size != NULL)
        *old_size = old;
    return true;
}

bool
bri_table_grow_step(br_table_t *table, const void *owner, br_ref_t init,
                    uint64_t *filled, uint64_t *remaining, uint64_t step,
                    uint64_t *result)
{
    if (*filled != 0 &&
        (table->grow_owner != owner || table->grow_base != table->size)) {
        *remaining += *filled; /* another grow ran: start over */
        *filled = 0;
    }
    if (*filled == 0) {
        uint64_t delta = *remaining;
        if (!may_grow(table, delta) ||
            !ensure_cap(table, table->size + delta)) {
            *result = UINT64_MAX;
            return true;
        }
        table->grow_owner = owner;
        table->grow_base = table->size;
    }
    uint64_t k = *remaining < step ? *remaining : step;
    uint64_t from = table->size + *filled;
    fill(table->elems, from, from + k, init);
    *filled += k;
    *remaining -= k;
    if (*remaining != 0)
        return false;
    *result = table->size;
    table->size += *filled;
    table->type.min = table->size;
    table->grow_owner = NULL;
    *filled = 0;
    return true;
}

br_valkind_t
br_table_elem_kind(const br_table_t *table)
{
    return table->kind;
}
