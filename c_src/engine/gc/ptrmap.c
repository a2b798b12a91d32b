/*
 * beamr engine: the GC heap's address maps (address granule -> pages,
 * large object -> header, pinned object -> count): open addressing with
 * linear probing, so a lookup is a hash and a few compares.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "heap_impl.h"

/* Fibonacci hashing: multiplies out the low zero bits of addresses. */
static size_t
slot_of(const gc_map_t *map, uintptr_t key)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (map->cap - 1);
}

gc_map_entry_t *
bri_gc_map_find(const gc_map_t *map, uintptr_t key)
{
    if (map->cap == 0)
        return NULL;
    for (size_t i = slot_of(map, key);; i = (i + 1) & (map->cap - 1)) {
        gc_map_entry_t *e = &map->slots[i];
        if (e->key == key)
            return e;
        if (e->key == 0)
            return NULL;
    }
}

/* Doubles the table (kept at most half full, so probes stay short). */
static bool
map_grow(bri_gc_heap_t *heap, gc_map_t *map)
{
    size_t cap = map->cap ? map->cap * 2 : 64;
    gc_map_entry_t *slots = bri_calloc(&heap->alloc, cap, sizeof *slots);
    if (slots == NULL)
        return false;
    gc_map_t bigger = {slots, cap, 0};
    for (size_t i = 0; i < map->cap; i++) {
        gc_map_entry_t *e = &map->slots[i];
        if (e->key == 0)
            continue;
        size_t j = slot_of(&bigger, e->key);
        while (slots[j].key != 0)
            j = (j + 1) & (cap - 1);
        slots[j] = *e;
        bigger.count++;
    }
    bri_gc_map_free(heap, map);
    *map = bigger;
    return true;
}

/* The entry of `key`, added (values 0) if absent; NULL: out of memory. */
gc_map_entry_t *
bri_gc_map_put(bri_gc_heap_t *heap, gc_map_t *map, uintptr_t key)
{
    gc_map_entry_t *e = bri_gc_map_find(map, key);
    if (e != NULL)
        return e;
    if ((map->count + 1) * 2 > map->cap && !map_grow(heap, map))
        return NULL;
    size_t i = slot_of(map, key);
    while (map->slots[i].key != 0)
        i = (i + 1) & (map->cap - 1);
    map->slots[i] = (gc_map_entry_t){key, 0, 0};
    map->count++;
    return &map->slots[i];
}

/*
 * Deletion without tombstones: entries after the hole that probed past
 * it move back into it, so every lookup still ends at an empty slot.
 */
void
bri_gc_map_remove(gc_map_t *map, uintptr_t key)
{
    gc_map_entry_t *e = bri_gc_map_find(map, key);
    if (e == NULL)
        return;
    size_t mask = map->cap - 1;
    size_t hole = (size_t)(e - map->slots);
    for (size_t i = (hole + 1) & mask; map->slots[i].key != 0;
         i = (i + 1) & mask) {
        size_t home = slot_of(map, map->slots[i].key);
        /* moves back iff its home is not in (hole, i] cyclically */
        bool stays =
            hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
        if (!stays) {
            map->slots[hole] = map->slots[i];
            hole = i;
        }
    }
    map->slots[hole].key = 0;
    map->count--;
}

void
bri_gc_map_free(bri_gc_heap_t *heap, gc_map_t *map)
{
    bri_free(&heap->alloc, map->slots, map->cap * sizeof *map->slots);
    map->slots = NULL;
    map->cap = map->count = 0;
}
