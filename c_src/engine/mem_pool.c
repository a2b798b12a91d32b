/*
 * beamr engine: the engine's pool of slots for small linear memories,
 * and the release of memory mappings through the host's unmap hook.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <sys/mman.h>

#include "mem_pool.h"

/*
 * Why a pool: a node may hold 100,000 instances, each with a small
 * memory (often one 64 KiB page it barely touches). From the host
 * allocator each would cost its whole size at once (the allocator hands
 * out written memory, so it must be zeroed), and one mapping each would
 * exceed the kernel's vm.max_map_count (65530 by default). So small
 * memories are slots of BRI_SLOT_SIZE bytes carved out of large shared
 * regions, mapped readable and writable with MAP_NORESERVE: a fresh
 * slot is zero-filled by the kernel page by page on first touch, and a
 * slot given back has its written pages dropped with MADV_DONTNEED, so
 * it reads as zeros again and costs nothing until reused. A memory that
 * grows past its slot moves to a mapping of its own (memory.c).
 *
 * Regions stay mapped while any slot is in use (free slots hold no
 * pages, only address space: 1 MiB per slot, 100 GiB for 100,000
 * memories of the 128 TiB of x86-64 user space); when the last slot
 * comes back, the pool unmaps them and frees its bookkeeping, so an
 * engine without memories holds nothing. The stack of free slots
 * always has room for every slot carved, so giving a slot back never
 * fails.
 *
 * Stores of one engine run on several threads at once: one mutex
 * guards the pool; it is held only to push or pop a pointer (or to map
 * a new region), never across madvise.
 */
#define REGION_SLOTS 256u
#define REGION_SIZE ((size_t)REGION_SLOTS * BRI_SLOT_SIZE)

struct bri_mempool {
    bri_allocator_t alloc;
    br_unmap_fn unmap;
    void *unmap_ud;
    pthread_mutex_t lock;
    uint8_t **regions;
    size_t region_count, region_cap;
    uint8_t *next, *end;  /* never-used slots of the newest region */
    uint8_t **free_slots; /* given back, pages dropped */
    size_t free_count, free_cap;
    size_t live; /* slots in use */
};

bri_mempool_t *
bri_mempool_new(const bri_allocator_t *alloc, br_unmap_fn unmap, void *unmap_ud)
{
    bri_mempool_t *pool = bri_calloc(alloc, 1, sizeof *pool);
    if (pool == NULL)
        return NULL;
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        bri_free(alloc, pool, sizeof *pool);
        return NULL;
    }
    pool->alloc = *alloc;
    pool->unmap = unmap;
    pool->unmap_ud = unmap_ud;
    return pool;
}

void
bri_mempool_unmap(bri_mempool_t *pool, void *addr, size_t size)
{
    if (pool != NULL && pool->unmap != NULL)
        pool->unmap(pool->unmap_ud, addr, size);
    else
        munmap(addr, size);
}

/* Unmaps every region and frees the bookkeeping: back to the state of
 * a new pool. No slot may be in use. */
static void
empty(bri_mempool_t *pool)
{
    for (size_t i = 0; i < pool->region_count; i++)
        bri_mempool_unmap(pool, pool->regions[i], REGION_SIZE);
    bri_free(&pool->alloc, pool->regions,
             pool->region_cap * sizeof *pool->regions);
    bri_free(&pool->alloc, pool->free_slots,
             pool->free_cap * sizeof *pool->free_slots);
    pool->regions = pool->free_slots = NULL;
    pool->region_count = pool->region_cap = 0;
    pool->free_count = pool->free_cap = 0;
    pool->next = pool->end = NULL;
}

void
bri_mempool_delete(bri_mempool_t *pool)
{
    if (pool == NULL)
        return;
    empty(pool);
    bri_allocator_t alloc = pool->alloc;
    pthread_mutex_destroy(&pool->lock);
    bri_free(&alloc, pool, sizeof *pool);
}

/* Grows an array of pointers to hold `need`; false leaves it as it was. */
static bool
reserve_ptrs(const bri_allocator_t *alloc, uint8_t ***array, size_t *cap,
             size_t need)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    uint8_t **p =
        bri_realloc(alloc, *array, *cap * sizeof **array, n * sizeof **array);
    if (p == NULL)
        return false;
    *array = p;
    *cap = n;
    return true;
}

/* Maps one more region and makes it the source of fresh slots; first
 * makes room to record it and every slot it holds. Caller holds lock. */
static bool
add_region(bri_mempool_t *pool)
{
    size_t n = pool->region_count + 1;
    if (!reserve_ptrs(&pool->alloc, &pool->regions, &pool->region_cap, n) ||
        !reserve_ptrs(&pool->alloc, &pool->free_slots, &pool->free_cap,
                      n * REGION_SLOTS))
        return false;
    void *p = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return false;
    pool->regions[pool->region_count++] = p;
    pool->next = p;
    pool->end = pool->next + REGION_SIZE;
    return true;
}

uint8_t *
bri_mempool_take(bri_mempool_t *pool)
{
    uint8_t *slot = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->free_count != 0) {
        slot = pool->free_slots[--pool->free_count];
    } else if (pool->next != pool->end || add_region(pool)) {
        slot = pool->next;
        pool->next += BRI_SLOT_SIZE;
    }
    if (slot != NULL)
        pool->live++;
    else if (pool->live == 0)
        empty(pool); /* what a failed add_region allocated */
    pthread_mutex_unlock(&pool->lock);
    return slot;
}

void
bri_mempool_give(bri_mempool_t *pool, uint8_t *slot, size_t used)
{
    /* The kernel rounds the length up to whole pages; the slot starts
     * on one. The next memory must read zeros: should the kernel
     * refuse, they are written. */
    if (used != 0 && madvise(slot, used, MADV_DONTNEED) != 0)
        memset(slot, 0, used);
    pthread_mutex_lock(&pool->lock);
    pool->free_slots[pool->free_count++] = slot;
    if (--pool->live == 0)
        empty(pool);
    pthread_mutex_unlock(&pool->lock);
}
