/*
 * beamr engine: internal helpers shared by the store objects (store.c,
 * memory.c, table.c, global.c) and instantiation (instance.c, const.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_STORE_H
#define BR_STORE_H

#include "internal.h"

/*
 * The error br_instance_new returns when segment initialisation traps
 * (the trap kind goes to its `trap` argument).
 */
#define BRI_ERR_TRAP BR_ERR_TRAP

/* Spec maximum of a table's size by index type. */
#define BRI_MAX_TABLE32 UINT32_MAX
#define BRI_MAX_TABLE64 UINT64_MAX

/*
 * Memories and tables defined by an instance live inside the instance's
 * own allocation, so they are initialised in place and released (their
 * buffers only) by the instance. Host-created ones (br_memory_new,
 * br_table_new) wrap the same functions and are adopted by the store.
 * Both init functions return OK, OUT_OF_MEMORY, LIMIT_EXCEEDED (minimum
 * above the effective maximum) or INVALID_ARGUMENT, and leave the object
 * releasable in every case.
 */
br_err_t bri_memory_init(br_memory_t *mem, br_store_t *store,
                         const br_limitstype_t *limits);
void bri_memory_release(br_memory_t *mem);
/* Bytes of [start, start + n) above the memory's high-water mark of
 * written bytes (first-touched pages, costlier to write); raises the
 * mark past the range if the range reaches it. The range must lie
 * within the memory. */
uint64_t bri_memory_touch(br_memory_t *mem, uint64_t start, uint64_t n);
/* memcpy of n bytes that takes the page faults of large copies in a
 * few batches (page_copy.c says why). */
void bri_copy_pages(void *dst, const void *src, size_t n);
br_err_t bri_table_init(br_table_t *table, br_store_t *store,
                        br_valkind_t elem, const br_limitstype_t *limits,
                        br_ref_t init);
void bri_table_release(br_table_t *table);

/*
 * One step of a table.grow run by the interpreter, so that growing by
 * millions of elements yields like a loop. `owner` identifies the grow
 * (its exec); *filled counts the elements past the size that earlier
 * steps initialised (0 for a new grow), *remaining those still to fill;
 * a step fills at most `step`. The size changes only at the last step,
 * so a grow is still all or nothing; limits and the allocation are
 * checked at the first. If another grow of the table ran in between,
 * the grow starts over. Returns true when the grow is over, with
 * *result the old size or UINT64_MAX if it was refused.
 */
bool bri_table_grow_step(br_table_t *table, const void *owner, br_ref_t init,
                         uint64_t *filled, uint64_t *remaining, uint64_t step,
                         uint64_t *result);

/* Effective maxima (declared or spec maximum, clipped by the store). */
uint64_t bri_memory_max_pages(const br_store_t *store,
                              const br_limitstype_t *limits);
uint64_t bri_table_max_elems(const br_store_t *store,
                             const br_limitstype_t *limits);

#endif
