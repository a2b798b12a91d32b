/*
 * beamr engine: the engine's pool of slots for small linear memories,
 * and the release of memory mappings (through the host's unmap hook).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_MEM_POOL_H
#define BR_MEM_POOL_H

#include "internal.h"

/* Bytes of one slot: a memory of at most this size lives in a slot. */
#define BRI_SLOT_SIZE (1u << 20)

/* A pool releasing mappings through `unmap` (NULL: munmap), or NULL if
 * the host allocator fails. */
bri_mempool_t *bri_mempool_new(const bri_allocator_t *alloc, br_unmap_fn unmap,
                               void *unmap_ud);
/* Unmaps every region; no slot may be in use any more. */
void bri_mempool_delete(bri_mempool_t *pool);

/* Releases a mapping: the host's unmap hook, or munmap (pool NULL or
 * without a hook). */
void bri_mempool_unmap(bri_mempool_t *pool, void *addr, size_t size);

/* A slot of BRI_SLOT_SIZE zero bytes, readable and writable, or NULL if
 * no address space or host memory is left. */
uint8_t *bri_mempool_take(bri_mempool_t *pool);
/* Gives a slot back; its first `used` bytes may have been written (the
 * rest must still be zero). The pages go back to the kernel now, and
 * the slot reads as zeros again. */
void bri_mempool_give(bri_mempool_t *pool, uint8_t *slot, size_t used);

#endif
