/*
 * beamr engine: linear memories: creation, growth and the limits that
 * bound them (declared maximum, spec maximum, store limit).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store.h"

/*
 * A memory of 0 pages still gets a small buffer so `data` is never NULL:
 * the interpreter may pass data + 0 to memcpy/memset for zero-length bulk
 * operations, and NULL there is undefined behaviour. All bounds checks
 * use `size`, never the buffer's capacity.
 */
#define MIN_BUFFER 16u

static size_t
buffer_size(uint64_t bytes)
{
    return bytes == 0 ? MIN_BUFFER : (size_t)bytes;
}

uint64_t
bri_memory_max_pages(const br_store_t *store, const br_limitstype_t *limits)
{
    uint64_t max = limits->is64 ? BR_MAX_PAGES64 : BR_MAX_PAGES32;
    if (limits->has_max && limits->max < max)
        max = limits->max;
    uint64_t cap = store->limits.max_memory_pages;
    if (cap != 0 && cap < max)
        max = cap;
    return max;
}

/* Byte size of `pages`, or false if it overflows or exceeds size_t. */
static bool
pages_to_bytes(uint64_t pages, uint64_t *out)
{
    if (pages > UINT64_MAX / BR_PAGE_SIZE)
        return false;
    uint64_t bytes = pages * BR_PAGE_SIZE;
    if (bytes > SIZE_MAX)
        return false;
    *out = bytes;
    return true;
}

br_err_t
bri_memory_init(br_memory_t *mem, br_store_t *store,
                const br_limitstype_t *limits)
{
    memset(mem, 0, sizeof *mem);
    mem->alloc = store->alloc;
    mem->type = *limits;
    mem->max_pages = bri_memory_max_pages(store, limits);
    if (limits->has_max && limits->max < limits->min)
        return BR_ERR_INVALID_ARGUMENT;
    if (limits->min > mem->max_pages)
        return BR_ERR_LIMIT_EXCEEDED;
    uint64_t bytes;
    if (!pages_to_bytes(limits->min, &bytes))
        return BR_ERR_OUT_OF_MEMORY;
    mem->data = bri_calloc(&mem->alloc, 1, buffer_size(bytes));
    if (mem->data == NULL)
        return BR_ERR_OUT_OF_MEMORY;
    mem->size = bytes;
    return BR_ERR_OK;
}

void
bri_memory_release(br_memory_t *mem)
{
    if (mem->data != NULL)
        bri_free(&mem->alloc, mem->data, buffer_size(mem->size));
    mem->data = NULL;
    mem->size = 0;
}

static void
free_memory(br_store_t *store, bri_object_t *obj)
{
    br_memory_t *mem = (br_memory_t *)obj;
    bri_memory_release(mem);
    bri_free(&store->alloc, mem, sizeof *mem);
}

br_memory_t *
br_memory_new(br_store_t *store, const br_limitstype_t *limits)
{
    if (store == NULL || limits == NULL)
        return NULL;
    br_memory_t *mem = bri_alloc(&store->alloc, sizeof *mem);
    if (mem == NULL)
        return NULL;
    if (bri_memory_init(mem, store, limits) != BR_ERR_OK) {
        bri_memory_release(mem);
        bri_free(&store->alloc, mem, sizeof *mem);
        return NULL;
    }
    bri_store_adopt(store, &mem->obj, free_memory);
    return mem;
}

uint8_t *
br_memory_data(br_memory_t *memory)
{
    return memory->data;
}

uint64_t
br_memory_size(const br_memory_t *memory)
{
    return memory->size;
}

/*
 * Growth re-allocates the buffer (moving it) and zeroes the new pages.
 * Every failure leaves the memory exactly as it was. `type.min` follows
 * the current size, as the spec's memory instance type does, so that
 * import matching sees the grown memory.
 */
bool
br_memory_grow(br_memory_t *memory, uint64_t delta, uint64_t *old_pages)
{
    uint64_t old = memory->size / BR_PAGE_SIZE;
    if (delta > memory->max_pages || old > memory->max_pages - delta)
        return false;
    uint64_t bytes;
    if (!pages_to_bytes(old + delta, &bytes))
        return false;
    if (delta != 0) {
        uint8_t *data = bri_realloc(&memory->alloc, memory->data,
                                    buffer_size(memory->size),
                                    buffer_size(bytes));
        if (data == NULL)
            return false;
        memset(data + memory->size, 0, (size_t)(bytes - memory->size));
        memory->data = data;
        memory->size = bytes;
        memory->type.min = old + delta;
    }
    if (old_pages != NULL)
        *old_pages = old;
    return true;
}

void
br_memory_type(const br_memory_t *memory, br_limitstype_t *out)
{
    *out = memory->type;
}
