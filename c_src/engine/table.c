/*
 * beamr engine: tables of references: creation, growth, element access
 * and the limits that bound them (declared, spec and store maxima).
 * SPDX-License-Identifier: Apache-2.0
 */
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
    table->type = *limits;
    table->max = bri_table_max_elems(store, limits);
    if (elem != BR_FUNCREF && elem != BR_EXTERNREF)
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
    fill(table->elems, 0, n, init);
    table->size = limits->min;
    return BR_ERR_OK;
}

void
bri_table_release(br_table_t *table)
{
    if (table->elems != NULL)
        bri_free(&table->alloc, table->elems,
                 buffer_elems(table->size) * sizeof(br_ref_t));
    table->elems = NULL;
    table->size = 0;
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

/* Same contract as br_memory_grow: all or nothing, type.min follows. */
bool
br_table_grow(br_table_t *table, uint64_t delta, br_ref_t init,
              uint64_t *old_size)
{
    uint64_t old = table->size;
    if (delta > table->max || old > table->max - delta)
        return false;
    uint64_t size = old + delta;
    if (!elems_fit(size))
        return false;
    if (delta != 0) {
        br_ref_t *elems = bri_realloc(
            &table->alloc, table->elems,
            buffer_elems(old) * sizeof(br_ref_t),
            buffer_elems(size) * sizeof(br_ref_t));
        if (elems == NULL)
            return false;
        fill(elems, old, size, init);
        table->elems = elems;
        table->size = size;
        table->type.min = size;
    }
    if (old_size != NULL)
        *old_size = old;
    return true;
}

br_valkind_t
br_table_elem_kind(const br_table_t *table)
{
    return table->kind;
}
