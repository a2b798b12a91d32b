/*
 * beamr engine: bulk memory and table operations (memory.fill/copy/init,
 * table.fill/copy/init/grow) in bounded steps with their fuel, and
 * memory.grow: runtime services the tiers share (interp.c calls them
 * from its handlers; a native tier calls the same).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "exec.h"
#include "store.h"

/* True if [start, start + n) lies within `size` (no wrap-around). */
static inline bool
in_range(uint64_t start, uint64_t n, uint64_t size)
{
    return n <= size && start <= size - n;
}

/*
 * Bulk operations (memory.fill/copy/init, table.fill/copy/init) run in
 * steps of at most BULK_STEP bytes, charged one unit of fuel per
 * BULK_BYTES_PER_FUEL bytes: between the cost of cached memory (memset
 * near 9 bytes/ns on the project's machine) and of first-touched pages
 * (0.3 bytes/ns there, page faults included), an interpreted instruction
 * taking about 1 ns. The step size bounds the time between two fuel
 * checks whatever the fuel price: 64 KiB of fresh pages took 0.22 ms
 * there. A step checks the whole remaining range first, as the spec
 * requires before any write, then does its part and leaves the rest in
 * its operand slots (they are the operand stack's, dead after the
 * instruction): the loop re-executes the same instruction until the
 * length is 0, so a long operation yields, times out and is cancelled
 * between steps like a loop does. The remaining range lies inside the
 * checked one, so no later step can trap after a write (memories and
 * tables never shrink).
 *
 * Bytes written above a memory's high-water mark (bri_memory_touch)
 * land on pages the kernel must fault in and zero first: they cost
 * FRESH_FUEL_PER_BYTE more, so that a slice of the same fuel takes about
 * the same time in fresh memory as in touched memory (3 ns a byte at
 * 0.3 bytes/ns, an instruction about 1 ns). Without it a slice sized for
 * touched memory ran 50 times longer once it reached fresh pages.
 */
#define BULK_STEP (64u * 1024u)
#define BULK_BYTES_PER_FUEL 8u
#define FRESH_FUEL_PER_BYTE 3u

/* Fuel of a step of `bytes` (at least 1, so a zero-length op counts). */
static inline int64_t
bulk_cost(uint64_t bytes)
{
    return 1 + (int64_t)(bytes / BULK_BYTES_PER_FUEL);
}

/* The extra fuel of writing m[d, d + k): its first-touched bytes. */
static inline int64_t
fresh_cost(br_memory_t *m, uint64_t d, uint64_t k)
{
    return (int64_t)(bri_memory_touch(m, d, k) * FRESH_FUEL_PER_BYTE);
}

/* Length of the next step of `n` units of `unit` bytes. */
static inline uint64_t
bulk_step(uint64_t n, uint64_t unit)
{
    uint64_t max = BULK_STEP / unit;
    return n < max ? n : max;
}

br_trapkind_t
bri_bulk_memory_fill(br_memory_t *m, br_slot_t *s, int64_t *cost)
{
    uint64_t d = s[0].u64, n = s[2].u64;
    if (!in_range(d, n, m->size))
        return BR_TRAP_MEMORY_OOB;
    uint64_t k = bulk_step(n, 1);
    if (k != 0)
        memset(m->data + d, (int)(uint8_t)s[1].u64, (size_t)k);
    s[0].u64 = d + k;
    s[2].u64 = n - k;
    *cost = bulk_cost(k) + fresh_cost(m, d, k);
    return BR_TRAP_NONE;
}

/*
 * Overlapping copies keep memmove's meaning across steps: a copy to a
 * higher address moves the last step first, one to a lower address the
 * first step first, so no step reads bytes an earlier step overwrote.
 * Shared by memory.copy and table.copy (`unit`: element size).
 */
static void
copy_step(uint8_t *dst, const uint8_t *src, br_slot_t *s, uint64_t unit)
{
    uint64_t d = s[0].u64, from = s[1].u64, n = s[2].u64;
    uint64_t k = bulk_step(n, unit);
    if (d > from) {
        d += n - k;
        from += n - k;
    } else {
        s[0].u64 = d + k;
        s[1].u64 = from + k;
    }
    if (k != 0)
        memmove(dst + d * unit, src + from * unit, (size_t)(k * unit));
    s[2].u64 = n - k;
}

br_trapkind_t
bri_bulk_memory_copy(br_memory_t *dm, br_memory_t *sm, br_slot_t *s,
                     int64_t *cost)
{
    uint64_t d = s[0].u64, src = s[1].u64, n = s[2].u64;
    if (!in_range(d, n, dm->size) || !in_range(src, n, sm->size))
        return BR_TRAP_MEMORY_OOB;
    copy_step(dm->data, sm->data, s, 1);
    uint64_t k = n - s[2].u64;
    /* The step wrote the range's last k bytes if it copied upwards. */
    uint64_t at = d > src ? d + n - k : d;
    *cost = bulk_cost(k) + fresh_cost(dm, at, k);
    return BR_TRAP_NONE;
}

br_trapkind_t
bri_bulk_memory_init(const br_instance_t *inst, uint32_t seg, br_memory_t *m,
                     br_slot_t *s, int64_t *cost)
{
    const bri_data_t *data = &inst->module->datas[seg];
    uint64_t size = inst->data_dropped[seg] ? 0 : data->size;
    uint64_t d = s[0].u64, src = s[1].u64, n = s[2].u64;
    if (!in_range(d, n, m->size) || !in_range(src, n, size))
        return BR_TRAP_MEMORY_OOB;
    uint64_t k = bulk_step(n, 1);
    if (k != 0)
        memcpy(m->data + d, data->bytes + src, (size_t)k);
    s[0].u64 = d + k;
    s[1].u64 = src + k;
    s[2].u64 = n - k;
    *cost = bulk_cost(k) + fresh_cost(m, d, k);
    return BR_TRAP_NONE;
}

/* memory.grow's answer: the old size in pages, or -1 of the address
 * type (zero-extended for memory32). */
uint64_t
bri_bulk_memory_grow(br_memory_t *m, uint64_t delta)
{
    uint64_t old;
    if (br_memory_grow(m, delta, &old))
        return old;
    return m->type.is64 ? UINT64_MAX : UINT32_MAX;
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */

br_trapkind_t
bri_bulk_table_fill(br_table_t *t, br_slot_t *s, int64_t *cost)
{
    uint64_t i = s[0].u64, n = s[2].u64;
    if (!in_range(i, n, t->size))
        return BR_TRAP_TABLE_OOB;
    uint64_t k = bulk_step(n, sizeof(br_ref_t));
    for (uint64_t j = 0; j < k; j++)
        t->elems[i + j] = s[1].ref;
    s[0].u64 = i + k;
    s[2].u64 = n - k;
    *cost = bulk_cost(k * sizeof(br_ref_t));
    return BR_TRAP_NONE;
}

br_trapkind_t
bri_bulk_table_copy(br_table_t *dt, const br_table_t *st, br_slot_t *s,
                    int64_t *cost)
{
    uint64_t d = s[0].u64, src = s[1].u64, n = s[2].u64;
    if (!in_range(d, n, dt->size) || !in_range(src, n, st->size))
        return BR_TRAP_TABLE_OOB;
    copy_step((uint8_t *)dt->elems, (const uint8_t *)st->elems, s,
              sizeof(br_ref_t));
    *cost = bulk_cost((n - s[2].u64) * sizeof(br_ref_t));
    return BR_TRAP_NONE;
}

br_trapkind_t
bri_bulk_table_init(const br_instance_t *inst, uint32_t seg, br_table_t *t,
                    br_slot_t *s, int64_t *cost)
{
    uint64_t d = s[0].u64, src = s[1].u64, n = s[2].u64;
    if (!in_range(d, n, t->size) || !in_range(src, n, inst->elem_sizes[seg]))
        return BR_TRAP_TABLE_OOB;
    uint64_t k = bulk_step(n, sizeof(br_ref_t));
    if (k != 0)
        memcpy(t->elems + d, inst->elem_refs[seg] + src,
               (size_t)k * sizeof(br_ref_t));
    s[0].u64 = d + k;
    s[1].u64 = src + k;
    s[2].u64 = n - k;
    *cost = bulk_cost(k * sizeof(br_ref_t));
    return BR_TRAP_NONE;
}

/*
 * table.grow in steps of BULK_STEP bytes of elements (its work is the
 * fill of the new elements): the instruction runs again until the grow
 * is over, its progress in exec->grow, the count left in the delta slot.
 * True when over, with the answer (old size, or -1 of the index type) in
 * the slot of `init`.
 */
bool
bri_bulk_table_grow(br_exec_t *exec, const uint32_t *pc, br_table_t *t,
                    br_slot_t *x, int64_t *cost)
{
    bri_grow_state_t *g = &exec->grow;
    uint64_t filled = 0, left = x[1].u64, result;
    if (g->pc == pc && g->frame == exec->frame_count && g->table == t)
        filled = g->filled;
    uint64_t before = left;
    bool over = bri_table_grow_step(t, exec, x[0].ref, &filled, &left,
                                    bulk_step(left, sizeof(br_ref_t)), &result);
    *cost = bulk_cost((before > left ? before - left : 0) * sizeof(br_ref_t));
    if (!over) {
        x[1].u64 = left;
        *g = (bri_grow_state_t){pc, exec->frame_count, t, filled};
        return false;
    }
    g->pc = NULL;
    if (result == UINT64_MAX && !t->type.is64)
        result = UINT32_MAX;
    x->u64 = result;
    return true;
}
