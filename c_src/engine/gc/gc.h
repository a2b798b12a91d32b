/*
 * beamr engine: the garbage-collected heap of WebAssembly 3.0 (GC
 * proposal) and the runtime types its objects carry.
 *
 * This header is the contract between the two halves of GC support:
 *   - the type side (decoder, validator, compiler, interpreter ops,
 *     canonical runtime types: everything outside gc/) builds bri_rtt_t
 *     descriptors and reads and writes object payloads through them;
 *   - the heap side (gc/heap*.c) allocates objects, traces them through
 *     their bri_rtt_t and frees the unreachable ones.
 *
 * References. A GC reference is a br_ref_t (void *) like every reference:
 *   - NULL is null;
 *   - an i31 is tagged: bit 0 set, the 31-bit value in bits 1-31
 *     (bri_gc_i31_make / bri_gc_i31_get_s / _u);
 *   - a struct or array is a pointer to its bri_gc_object_t, 8-aligned,
 *     and inside the store's heap (bri_gc_is_object tells).
 * Host externrefs must therefore never have bit 0 set nor point into a
 * heap, so that any.convert_extern / extern.convert_any can tell them
 * apart from GC references.
 */
#ifndef BEAMR_GC_H
#define BEAMR_GC_H

#include "../internal.h"

/* The runtime kind of a canonical type. */
typedef enum bri_rtt_kind {
    BRI_RTT_FUNC = 0,
    BRI_RTT_STRUCT = 1,
    BRI_RTT_ARRAY = 2,
} bri_rtt_kind_t;

/* How a field (or an array element) is stored in a payload. */
typedef enum bri_storage {
    BRI_ST_I8 = 1,
    BRI_ST_I16,
    BRI_ST_I32,
    BRI_ST_I64,
    BRI_ST_F32,
    BRI_ST_F64,
    BRI_ST_V128,
    BRI_ST_REF, /* a br_ref_t, 8 bytes: traced by the collector */
} bri_storage_t;

/*
 * A canonical runtime type: one per distinct (iso-recursive) type of an
 * engine, shared by every module that defines an equal type, so that a
 * cast is a pointer comparison along `supers`. Owned by the type side;
 * it outlives every object that points to it.
 */
typedef struct bri_rtt {
    uint8_t kind; /* bri_rtt_kind_t */
    bool final_;
    uint32_t depth;                      /* number of proper supertypes */
    const struct bri_rtt *const *supers; /* depth+1 entries, the root
                                    first, supers[depth] is this type */
    /* struct: its fields; array: one entry, the element */
    uint32_t field_count;
    const uint8_t *storage;  /* bri_storage_t per field */
    const uint8_t *mutable_; /* per field */
    const uint32_t *offset;  /* struct: byte offset in the payload */
    uint32_t size;           /* struct: payload bytes; array: bytes
                                per element */
    /* struct only: the offsets of its BRI_ST_REF fields (tracing) */
    uint32_t ref_count;
    const uint32_t *ref_offsets;
} bri_rtt_t;

/* Whether `sub` is `super` or one of its subtypes (constant time). */
static inline bool
bri_rtt_sub(const bri_rtt_t *sub, const bri_rtt_t *super)
{
    return super->depth <= sub->depth && sub->supers[super->depth] == super;
}

/* Bytes of a storage type in a payload. */
static inline uint32_t
bri_storage_size(bri_storage_t st)
{
    static const uint8_t sizes[] = {0, 1, 2, 4, 8, 4, 8, 16, 8};
    return sizes[st];
}

/* A struct or array. The payload follows the header, 8-aligned (a v128
 * field is read with memcpy). An array's payload is `length` elements of
 * rtt->size bytes. */
typedef struct bri_gc_object {
    const bri_rtt_t *rtt;
    uint32_t length;  /* arrays: element count; structs: 0 */
    uint32_t gc_bits; /* the heap's (mark bits ...); others never touch */
} bri_gc_object_t;

static inline uint8_t *
bri_gc_payload(bri_gc_object_t *obj)
{
    return (uint8_t *)(obj + 1);
}

/* i31 references. */
static inline br_ref_t
bri_gc_i31_make(uint32_t value)
{
    return (br_ref_t)(uintptr_t)(((uintptr_t)(value & 0x7FFFFFFFu) << 1) | 1u);
}

static inline bool
bri_gc_is_i31(br_ref_t ref)
{
    return ((uintptr_t)ref & 1u) != 0;
}

static inline uint32_t
bri_gc_i31_get_u(br_ref_t ref)
{
    return (uint32_t)((uintptr_t)ref >> 1) & 0x7FFFFFFFu;
}

static inline int32_t
bri_gc_i31_get_s(br_ref_t ref)
{
    uint32_t u = bri_gc_i31_get_u(ref);
    return (int32_t)(u << 1) >> 1; /* sign-extend bit 30 */
}

/* ------------------------------------------------------------------ */
/* The heap: one per store (br_store_t.gc, created on first use).       */

typedef struct bri_gc_heap bri_gc_heap_t;
union br_slot; /* code.h */

/* The heap of a store, created on first use; NULL if out of memory. */
bri_gc_heap_t *bri_gc_heap_of(br_store_t *store);

/* Frees every object (the store is going away). */
void bri_gc_heap_free(bri_gc_heap_t *heap);

/* A new struct (length ignored) or array of `length` elements with a
 * zeroed payload, or NULL if the store's limit or the allocator refuses
 * (the caller traps with BR_TRAP_OUT_OF_MEMORY or similar). May run a
 * bounded step of collection first: every reference the caller still
 * needs must be reachable from a root (the value stack of a live exec,
 * globals, tables, element segments, host handles). */
bri_gc_object_t *bri_gc_alloc(bri_gc_heap_t *heap, const bri_rtt_t *rtt,
                              uint32_t length);

/* Whether `ref` is a struct or array of this heap (not i31, not null,
 * not a host externref, not a function). */
bool bri_gc_is_object(const bri_gc_heap_t *heap, br_ref_t ref);

/* Must be called with the old value before a reference field of an
 * object, a global or a table element is overwritten (an incremental
 * collector's write barrier; a no-op while it is not marking). */
void bri_gc_barrier(bri_gc_heap_t *heap, br_ref_t overwritten);

/* Whether the heap's byte budget, which the store's linear memories
 * share, leaves room for `more` bytes of linear memory (memory.grow). */
bool bri_gc_budget_allows(const bri_gc_heap_t *heap, uint64_t more);

/* ------------------------------------------------------------------ */
/* Added by the collector (gc/collect.c): roots, pins, statistics.      */

/* What the collector counts (br_gc_stats, beamr.h). */
typedef br_gc_stats_t bri_gc_stats_t;
void bri_gc_stats(const bri_gc_heap_t *heap, bri_gc_stats_t *out);

/* A host reference: the object stays alive until as many unpins
 * (counted; a no-op for anything that is not an object of the heap). */
br_err_t bri_gc_pin(bri_gc_heap_t *heap, br_ref_t ref);
void bri_gc_unpin(bri_gc_heap_t *heap, br_ref_t ref);

/* Runs the current cycle, then a whole new one, to the end. */
void bri_gc_collect(bri_gc_heap_t *heap);

/* For the store objects' trace functions (bri_object_t.trace), called
 * when a cycle takes its roots: marks a value that may be an object
 * (anything else is ignored), 8-byte slots, a table's elements, a
 * global's value. */
void bri_gc_mark_root(bri_gc_heap_t *heap, br_ref_t ref);
void bri_gc_mark_slots(bri_gc_heap_t *heap, const union br_slot *slots,
                       size_t n);
void bri_gc_mark_table(bri_gc_heap_t *heap, const br_table_t *table);
void bri_gc_mark_global(bri_gc_heap_t *heap, const br_global_t *global);
/* The trace functions of store objects (bri_object_t.trace) that may
 * hold GC references: instances (their tables, globals and element
 * segments), host tables and globals, kept exceptions. */
void bri_gc_trace_instance(bri_object_t *obj, bri_gc_heap_t *heap);
void bri_gc_trace_table(bri_object_t *obj, bri_gc_heap_t *heap);
void bri_gc_trace_global(bri_object_t *obj, bri_gc_heap_t *heap);
void bri_gc_trace_exception(bri_object_t *obj, bri_gc_heap_t *heap);

#endif
