/*
 * beamr engine: linear memories: creation, growth and the limits that
 * bound them (declared maximum, spec maximum, store limit).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <sys/mman.h>

#include "mem_pool.h"
#include "store.h"
#include "gc/gc.h"

/*
 * Linear memory is reserved virtually and committed lazily. A memory
 * maps `reserved` bytes of address space inaccessible (PROT_NONE) and
 * makes its first `size` bytes readable and writable; the kernel hands
 * out zero pages on first touch, so creating or growing a memory costs
 * only the pages the guest then touches, not its size. Bounds checks
 * stay in software (no signal handlers); the inaccessible tail only
 * turns a bug into a fault instead of silent corruption.
 *
 * MAP_NORESERVE keeps untouched pages out of the commit charge (under
 * the kernel's default overcommit policy; with strict accounting it is
 * ignored and every committed byte counts, as it should).
 *
 * Address space: 100,000 instances per node must fit in the 128 TiB of
 * x86-64 user space, so a memory does not reserve its maximum (4 GiB)
 * up front: it reserves RESERVE_MIN or twice its size (never more than
 * its maximum) and moves to a reservation twice as large when it
 * outgrows it; mremap moves the committed pages' page tables, copying
 * no data. Each memory uses at most two mappings (committed part and
 * reserved tail) of the kernel's vm.max_map_count (65530 by default).
 *
 * Small memories (up to HEAP_MAX bytes) take a slot of the engine's
 * pool instead (mem_pool.c, `reserved` 0): an mmap, mprotect and munmap
 * per instance cost several times a slot, and every mapping counts
 * against vm.max_map_count, which would bound the instances of a node.
 * A slot is zero-filled by the kernel on first touch, so a memory costs
 * only the pages its guest writes; it grows in place up to the slot's
 * size, past it the memory moves into a reservation (one copy of at
 * most HEAP_MAX bytes). Without a pool (an engine built by hand in a
 * test) they come from the host allocator, zeroed at once.
 *
 * The mappings are the one exception to "every allocation goes through
 * the host allocator": a lua_Alloc-style allocator cannot reserve
 * address space. Reservations are released through the pool, which
 * hands them to the host's unmap hook if it has one: unmapping touched
 * pages costs tens of ms per GiB, which a host may not want to spend on
 * the thread that drops the instance.
 */
#define RESERVE_MIN (64ull << 20)
#define HEAP_MAX BRI_SLOT_SIZE

/*
 * A heap memory of 0 pages still gets a small buffer so `data` is never
 * NULL: the interpreter may pass data + 0 to memcpy/memset for
 * zero-length bulk operations, and NULL there is undefined behaviour.
 * All bounds checks use `size`, never the buffer's capacity.
 */
#define MIN_BUFFER 16u

static size_t
heap_bytes(uint64_t bytes)
{
    return bytes == 0 ? MIN_BUFFER : (size_t)bytes;
}

/* Byte size of `pages` of 2^shift bytes (custom-page-sizes), or false
 * if it overflows or exceeds size_t. */
static bool
pages_to_bytes(uint64_t pages, unsigned shift, uint64_t *out)
{
    if (pages > UINT64_MAX >> shift)
        return false;
    uint64_t bytes = pages << shift;
    if (bytes > SIZE_MAX)
        return false;
    *out = bytes;
    return true;
}

/* Reservation for a memory that must hold `need` bytes and may grow to
 * `max_pages`: twice the need (amortised growth), at least RESERVE_MIN,
 * at most the maximum, never less than `need`. */
static uint64_t
reserve_size(uint64_t need, uint64_t max_pages, unsigned shift)
{
    uint64_t max_bytes;
    if (!pages_to_bytes(max_pages, shift, &max_bytes))
        max_bytes = (uint64_t)1 << 47; /* no address space beyond it */
    uint64_t r = need > UINT64_MAX / 2 ? need : 2 * need;
    if (r < RESERVE_MIN)
        r = RESERVE_MIN;
    if (r > max_bytes)
        r = max_bytes;
    return r < need ? need : r;
}

/* Maps `bytes` of inaccessible address space, or NULL. */
static uint8_t *
reserve(uint64_t bytes)
{
    if (bytes > SIZE_MAX)
        return NULL;
    void *p = mmap(NULL, (size_t)bytes, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Makes [from, to) of a reservation readable and writable. */
static bool
commit(uint8_t *base, uint64_t from, uint64_t to)
{
    if (to == from)
        return true;
    return mprotect(base + from, (size_t)(to - from), PROT_READ | PROT_WRITE) ==
           0;
}

uint64_t
bri_memory_max_pages(const br_store_t *store, const br_limitstype_t *limits)
{
    uint64_t max = bri_spec_max_pages(limits);
    if (limits->has_max && limits->max < max)
        max = limits->max;
    /* the store's cap counts 64 KiB pages: the same bytes in this
     * memory's pages */
    unsigned up = BR_PAGE_SHIFT - bri_page_shift(limits);
    uint64_t cap = store->limits.max_memory_pages;
    if (cap != 0 && cap <= UINT64_MAX >> up && cap << up < max)
        max = cap << up;
    return max;
}

br_err_t
bri_memory_init(br_memory_t *mem, br_store_t *store,
                const br_limitstype_t *limits)
{
    memset(mem, 0, sizeof *mem);
    /* listed first, so that a failed init is unlisted by its release */
    mem->store = store;
    mem->store_next = store->memories;
    if (store->memories != NULL)
        store->memories->store_prev = mem;
    store->memories = mem;
    mem->alloc = store->alloc;
    mem->type = *limits;
    mem->max_pages = bri_memory_max_pages(store, limits);
    if (limits->has_max && limits->max < limits->min)
        return BR_ERR_INVALID_ARGUMENT;
    if (limits->min > mem->max_pages)
        return BR_ERR_LIMIT_EXCEEDED;
    uint64_t bytes;
    if (!pages_to_bytes(limits->min, bri_page_shift(limits), &bytes))
        return BR_ERR_OUT_OF_MEMORY;
    mem->pool = store->engine->pool;
    if (bytes <= HEAP_MAX && mem->pool != NULL) {
        mem->data = bri_mempool_take(mem->pool);
        if (mem->data == NULL)
            return BR_ERR_OUT_OF_MEMORY;
        mem->slot = true;
        mem->size = bytes; /* `touched` 0: the kernel's fresh pages */
        return BR_ERR_OK;
    }
    if (bytes <= HEAP_MAX) {
        mem->data = bri_calloc(&mem->alloc, 1, heap_bytes(bytes));
        if (mem->data == NULL)
            return BR_ERR_OUT_OF_MEMORY;
        mem->size = bytes;
        mem->touched = bytes; /* calloc wrote it (or reused written pages) */
        return BR_ERR_OK;
    }
    uint64_t reserved =
        reserve_size(bytes, mem->max_pages, bri_page_shift(limits));
    uint8_t *data = reserve(reserved);
    if (data == NULL)
        return BR_ERR_OUT_OF_MEMORY;
    mem->data = data;
    mem->reserved = reserved;
    if (!commit(data, 0, bytes))
        return BR_ERR_OUT_OF_MEMORY; /* released by bri_memory_release */
    mem->size = bytes;
    return BR_ERR_OK;
}

/* Takes a memory off its store's list (bri_memory_init put it there). */
static void
unlist(br_memory_t *mem)
{
    if (mem->store == NULL)
        return;
    if (mem->store_prev != NULL)
        mem->store_prev->store_next = mem->store_next;
    else
        mem->store->memories = mem->store_next;
    if (mem->store_next != NULL)
        mem->store_next->store_prev = mem->store_prev;
    mem->store = NULL;
    mem->store_next = mem->store_prev = NULL;
}

void
bri_memory_release(br_memory_t *mem)
{
    if (mem->reserved != 0)
        bri_mempool_unmap(mem->pool, mem->data, (size_t)mem->reserved);
    else if (mem->slot)
        bri_mempool_give(mem->pool, mem->data, (size_t)mem->size);
    else if (mem->data != NULL)
        bri_free(&mem->alloc, mem->data, heap_bytes(mem->size));
    mem->data = NULL;
    mem->size = 0;
    mem->reserved = 0;
    mem->slot = false;
    unlist(mem);
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
 * Moves the memory to a larger reservation of `reserved` bytes: the
 * committed pages move with mremap (page tables only, no copy), the old
 * reservation's tail is unmapped. False leaves the memory as it was.
 */
static bool
relocate(br_memory_t *memory, uint64_t reserved)
{
    uint8_t *to = reserve(reserved);
    if (to == NULL)
        return false;
    size_t size = (size_t)memory->size;
    if (size != 0 && mremap(memory->data, size, size,
                            MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED) {
        munmap(to, (size_t)reserved);
        return false;
    }
    if (memory->reserved > size)
        munmap(memory->data + size, (size_t)(memory->reserved - size));
    memory->data = to;
    memory->reserved = reserved;
    return true;
}

/* Releases the slot or heap buffer of a memory that moved out of it. */
static void
drop_small(br_memory_t *memory, uint8_t *data)
{
    if (memory->slot)
        bri_mempool_give(memory->pool, data, (size_t)memory->size);
    else
        bri_free(&memory->alloc, data, heap_bytes(memory->size));
    memory->slot = false;
}

/* Growth of a slot or heap memory to `bytes`: in place up to HEAP_MAX
 * (a slot's bytes past `size` are still zero, a heap buffer's new
 * bytes are zeroed), else into a reservation. False leaves it as it
 * was. */
static bool
grow_small(br_memory_t *memory, uint64_t bytes)
{
    size_t old = heap_bytes(memory->size);
    if (bytes <= HEAP_MAX && memory->slot)
        return true;
    if (bytes <= HEAP_MAX) {
        uint8_t *data =
            bri_realloc(&memory->alloc, memory->data, old, (size_t)bytes);
        if (data == NULL)
            return false;
        memset(data + memory->size, 0, (size_t)(bytes - memory->size));
        memory->data = data;
        memory->touched = bytes;
        return true;
    }
    uint64_t reserved =
        reserve_size(bytes, memory->max_pages, bri_page_shift(&memory->type));
    uint8_t *to = reserve(reserved);
    if (to == NULL)
        return false;
    if (!commit(to, 0, bytes)) {
        munmap(to, (size_t)reserved);
        return false;
    }
    memcpy(to, memory->data, (size_t)memory->size);
    memory->touched = memory->size; /* the copy touched just these */
    drop_small(memory, memory->data);
    memory->data = to;
    memory->reserved = reserved;
    return true;
}

/*
 * Growth commits the new pages of the reservation (the kernel supplies
 * them zeroed on first touch), after moving to a larger reservation if
 * needed; its cost does not depend on `delta`. Every failure leaves the
 * memory's size and contents as they were (its base may have moved, as
 * after any grow). `type.min` follows the current size, as the spec's
 * memory instance type does, so that import matching sees the grown
 * memory.
 */
bool
br_memory_grow(br_memory_t *memory, uint64_t delta, uint64_t *old_pages)
{
    unsigned shift = bri_page_shift(&memory->type);
    uint64_t old = memory->size >> shift;
    if (delta > memory->max_pages || old > memory->max_pages - delta)
        return false;
    uint64_t bytes;
    if (!pages_to_bytes(old + delta, shift, &bytes))
        return false;
    /* with a GC heap, the heap and the memories share its budget */
    if (memory->store != NULL && memory->store->gc != NULL &&
        !bri_gc_budget_allows(memory->store->gc, bytes - memory->size))
        return false;
    if (delta != 0 && memory->reserved == 0) {
        if (!grow_small(memory, bytes))
            return false;
        memory->size = bytes;
        memory->type.min = old + delta;
    } else if (delta != 0) {
        if (bytes > memory->reserved &&
            !relocate(memory, reserve_size(bytes, memory->max_pages, shift)))
            return false;
        if (!commit(memory->data, memory->size, bytes))
            return false;
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

/*
 * A reservation's pages cost far more on their first write than later:
 * the kernel faults each one in and zeroes it (measured by test_bounded
 * on the project's machine: a 1 GiB memory.fill into fresh pages took
 * 56 times as long as the same fill again). The mark errs towards
 * "fresh": plain stores do not raise it, and a write that starts more
 * than a wasm page above it leaves it where it is (the pages in between
 * are untouched as far as it knows), so such bytes are charged as fresh
 * until a write reaches them from below. Charging too much only makes
 * slices shorter; charging too little would make them run long.
 */
uint64_t
bri_memory_touch(br_memory_t *mem, uint64_t start, uint64_t n)
{
    uint64_t end = start + n;
    if (end <= mem->touched)
        return 0;
    if (start > mem->touched + BR_PAGE_SIZE)
        return n;
    uint64_t fresh = end - (start > mem->touched ? start : mem->touched);
    mem->touched = end;
    return fresh;
}
