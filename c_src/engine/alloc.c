/*
 * beamr engine: every engine allocation goes through the host's
 * lua_Alloc-style function; this file is the only caller of it.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void *
bri_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

/* A zero-byte request is rounded up to one byte: the host function reads
 * nsize == 0 as "free", and callers need a distinct non-NULL pointer for
 * an empty array. bri_free applies the same rounding so the sizes the host
 * sees always match. */
static size_t
host_size(size_t size)
{
    return size ? size : 1;
}

void *
bri_alloc(const bri_allocator_t *a, size_t size)
{
    return a->fn(a->ud, NULL, 0, host_size(size));
}

void *
bri_calloc(const bri_allocator_t *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = bri_alloc(a, count * size);
    if (p)
        memset(p, 0, host_size(count * size));
    return p;
}

/* Like realloc, but on failure the old block stays valid and owned by the
 * caller (lua_Alloc guarantees this), so callers can still free it. */
void *
bri_realloc(const bri_allocator_t *a, void *ptr, size_t old_size,
            size_t new_size)
{
    if (!ptr)
        return bri_alloc(a, new_size);
    return a->fn(a->ud, ptr, host_size(old_size), host_size(new_size));
}

void
bri_free(const bri_allocator_t *a, void *ptr, size_t size)
{
    if (ptr)
        a->fn(a->ud, ptr, host_size(size), 0);
}
