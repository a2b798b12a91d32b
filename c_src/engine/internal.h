/*
 * beamr engine: internal structures shared by the decoder, validator,
 * compiler, instantiation and interpreter. Never included by embedders.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_INTERNAL_H
#define BR_INTERNAL_H

#include <stdatomic.h>
#include <string.h>

#include "beamr.h"
#include "opcodes.h"

#if defined(__GNUC__)
#define BR_LIKELY(x) __builtin_expect(!!(x), 1)
#define BR_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define BR_LIKELY(x) (x)
#define BR_UNLIKELY(x) (x)
#endif

#define BR_PAGE_SIZE 65536u
#define BR_MAX_PAGES32 65536u           /* 4 GiB */
#define BR_MAX_PAGES64 (1ull << 48)     /* 2^64 bytes */
#define BR_PAGE_SHIFT 16u               /* log2 of BR_PAGE_SIZE */

/* log2 of a memory's page size in bytes (custom-page-sizes: 0 or 16). */
static inline unsigned
bri_page_shift(const br_limitstype_t *l)
{
    return l->custom_page ? l->page_log2 : BR_PAGE_SHIFT;
}

/* The spec's largest page count of a memory: 2^32 (i32) or 2^64 (i64)
 * bytes in its pages, capped at UINT64_MAX (i64 with 1-byte pages). */
static inline uint64_t
bri_spec_max_pages(const br_limitstype_t *l)
{
    unsigned bits = (l->is64 ? 64u : 32u) - bri_page_shift(l);
    return bits >= 64 ? UINT64_MAX : (uint64_t)1 << bits;
}
#define BR_NO_INDEX UINT32_MAX

/* ------------------------------------------------------------------ */
/* Allocation (alloc.c): every engine allocation goes through the host. */

typedef struct bri_allocator {
    br_alloc_fn fn;
    void *ud;
} bri_allocator_t;

void *bri_alloc(const bri_allocator_t *a, size_t size);
void *bri_calloc(const bri_allocator_t *a, size_t count, size_t size);
void *bri_realloc(const bri_allocator_t *a, void *ptr, size_t old_size,
                  size_t new_size);
void bri_free(const bri_allocator_t *a, void *ptr, size_t size);

/* Fills an error (printf-style detail appended to the spec message). */
br_err_t bri_error(br_error_t *error, br_err_t code, uint64_t offset,
                   int64_t func_index, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Slots for small linear memories and the release of mappings
 * (mem_pool.c); shared by every store of an engine, thread-safe. */
typedef struct bri_mempool bri_mempool_t;

struct br_engine {
    bri_allocator_t alloc;
    bri_mempool_t *pool;
    br_limits_t limits; /* every default filled in (none is 0) */
    uint32_t disabled_features; /* br_feature_t bits */
    uint8_t tier;               /* br_tier_t of new stores */
    /* native tier: the opcode shapes (aot.h) its compiler walks code
     * with, computed at the first compile and kept until the engine
     * goes (computing them takes longer than compiling a function) */
    _Atomic(void *) native_shapes;
    /* canonical runtime types of its modules (types.c) */
    struct bri_rttreg *rtt_reg;
};

/* Whether the engine that owns a module enables a proposal. */
static inline bool
bri_feature_on(const br_engine_t *engine, br_feature_t feature)
{
    return (engine->disabled_features & (uint32_t)feature) == 0;
}

/* ------------------------------------------------------------------ */
/* Value types of the validator                                         */

/*
 * A value type as the validator, the function types, the locals and the
 * block types see it: 32 bits, so that a reference type can name a heap
 * type and say whether null is in it. br_valkind_t (beamr.h, 8 bits) stays
 * the kind of a runtime value, which is all the API and the store need.
 *
 *   bits 0-7   the code. Number and vector types and abstract heap types
 *              use their one-byte binary code (0x7F i32, 0x7E i64, 0x7D
 *              f32, 0x7C f64, 0x7B v128; 0x70 func, 0x6F extern, and
 *              later 0x6E any, 0x6D eq, ..., 0x71 none, 0x72 noextern,
 *              0x73 nofunc, 0x69 exn); BRI_VT_CONCRETE for a heap type
 *              that is a type index. 0 is BRI_UNKNOWN (compile.h).
 *   bit 8      BRI_VT_NONNULL: `(ref ht)`; clear for `(ref null ht)` and
 *              for every non-reference type.
 *   bits 9-31  BRI_VT_CONCRETE only: the type index in the module's type
 *              space (below 2^23; the type section's limit is 10^6).
 *
 * So funcref = (ref null func) = 0x70 and externref = (ref null extern)
 * = 0x6F: every type of today's modules has the number of its
 * br_valkind_t, a kind converts by zero-extension (bri_vt_of_kind) and a
 * type stack of these costs what a stack of kinds did (a compare of one
 * word). Type equality within a module is word equality: every function
 * type is its own recursive group, and the decoder maps each type index
 * to its first structurally equal type (m->type_canon, iso-recursive
 * equality) and writes only those canonical indices into value types,
 * the inline fast path of bri_pop. What word inequality does not decide
 * goes to the slow path, bri_vt_match: a non-null type matches its
 * nullable self, a concrete type (a function type, while GC types are
 * not decoded) matches func, and a bottom type (nofunc, noextern, noexn)
 * matches everything of its hierarchy. Across modules (import matching,
 * instance.c) concrete types are compared structurally. Tables, globals
 * and element segments keep their br_valkind_t for the store beside
 * their bri_valtype_t.
 */
typedef uint32_t bri_valtype_t;

/* Abstract heap types by their one-byte code, and the two prefixes of a
 * reference type in the binary: 0x63 ht (ref null ht), 0x64 ht (ref ht). */
enum {
    BRI_HT_EXN = 0x69,
    BRI_HT_ARRAY = 0x6A,
    BRI_HT_STRUCT = 0x6B,
    BRI_HT_I31 = 0x6C,
    BRI_HT_EQ = 0x6D,
    BRI_HT_ANY = 0x6E,
    BRI_HT_EXTERN = 0x6F,
    BRI_HT_FUNC = 0x70,
    BRI_HT_NONE = 0x71,
    BRI_HT_NOEXTERN = 0x72,
    BRI_HT_NOFUNC = 0x73,
    BRI_HT_NOEXN = 0x74,
    BRI_REF_NULL_FORM = 0x63,
    BRI_REF_FORM = 0x64,
    /* packed storage types of struct fields and array elements, kept in
     * a field's bri_valtype_t (they are no value types) */
    BRI_ST_CODE_I8 = 0x78,
    BRI_ST_CODE_I16 = 0x77,
};
/* Type indices a bri_valtype_t can hold: below 2^23. */
#define BRI_VT_MAX_INDEX (1u << 23)

#define BRI_VT_CODE_MASK 0xFFu
#define BRI_VT_NONNULL 0x100u
#define BRI_VT_INDEX_SHIFT 9
#define BRI_VT_CONCRETE 0x01u /* the code of a heap type given by index */
/* A concrete type index as the decoder reads it is BRI_VT_CONCRETE; once
 * canonical (bri_vt_canon) a struct or array type's code says so, so
 * that its hierarchy (any, not func) is known without the module. */
#define BRI_VT_CONCRETE_STRUCT 0x02u
#define BRI_VT_CONCRETE_ARRAY 0x03u

/* Whether a heap type is given by a type index (any of its codes). */
static inline bool
bri_vt_is_concrete(uint32_t t)
{
    uint32_t code = t & 0xFFu;
    return code >= BRI_VT_CONCRETE && code <= BRI_VT_CONCRETE_ARRAY;
}

static inline bri_valtype_t
bri_vt_of_kind(br_valkind_t k)
{
    return (bri_valtype_t)k;
}

/* A reference to the concrete type `index`, nullable or not. */
static inline bri_valtype_t
bri_vt_ref_index(uint32_t index, bool nullable)
{
    return BRI_VT_CONCRETE | (nullable ? 0u : BRI_VT_NONNULL) |
           (index << BRI_VT_INDEX_SHIFT);
}

static inline uint32_t
bri_vt_code(bri_valtype_t t)
{
    return t & BRI_VT_CODE_MASK;
}

static inline bool
bri_vt_is_ref(bri_valtype_t t)
{
    uint32_t code = bri_vt_code(t);
    /* the abstract heap types' codes run from 0x69 (exn) to 0x74 */
    return bri_vt_is_concrete(t) || (code >= 0x69u && code <= 0x74u);
}

static inline bool
bri_vt_nullable(bri_valtype_t t)
{
    return (t & BRI_VT_NONNULL) == 0;
}

/* The type index of a concrete reference type. */
static inline uint32_t
bri_vt_index(bri_valtype_t t)
{
    return t >> BRI_VT_INDEX_SHIFT;
}

/* The runtime kind of a value of this type: number and vector types are
 * their own kind, references are funcref, externref, exnref or anyref
 * (the GC hierarchy: any, eq, i31, struct, array, none and struct and
 * array types) by their heap type. */
static inline br_valkind_t
bri_vt_kind(bri_valtype_t t)
{
    switch (bri_vt_code(t)) {
    case BRI_VT_CONCRETE:
    case BRI_HT_NOFUNC:
        return BR_FUNCREF;
    case BRI_HT_NOEXTERN:
        return BR_EXTERNREF;
    case BRI_HT_NOEXN:
        return BR_EXNREF;
    case BRI_VT_CONCRETE_STRUCT:
    case BRI_VT_CONCRETE_ARRAY:
    case BRI_HT_ANY:
    case BRI_HT_EQ:
    case BRI_HT_I31:
    case BRI_HT_STRUCT:
    case BRI_HT_ARRAY:
    case BRI_HT_NONE:
        return BR_ANYREF;
    default:
        return (br_valkind_t)bri_vt_code(t);
    }
}

/* The top of a reference type's hierarchy: func, extern, exn or any. */
static inline uint32_t
bri_vt_top(bri_valtype_t t)
{
    return bri_vt_kind(t);
}

/* Whether a heap type is the bottom of its hierarchy (nofunc ...). */
static inline bool
bri_vt_is_bottom(bri_valtype_t t)
{
    uint32_t code = bri_vt_code(t);
    return code == BRI_HT_NOFUNC || code == BRI_HT_NOEXTERN ||
           code == BRI_HT_NOEXN || code == BRI_HT_NONE;
}

struct bri_rtt;
/* types.c: whether canonical concrete type a is b or a subtype of it in
 * module m (declared supertypes, through the canonical runtime types). */
bool bri_type_sub(const br_module_t *m, uint32_t a, uint32_t b);

/* Whether abstract or concrete heap type ha is below abstract heap type
 * he of the same hierarchy (eq above i31, struct, array and their
 * types; struct above struct types; array above array types). */
static inline bool
bri_ht_below_abstract(uint32_t ha, uint32_t he)
{
    uint32_t a = bri_vt_code(ha), e = bri_vt_code(he);
    switch (e) {
    case BRI_HT_ANY:
    case BRI_HT_FUNC:
    case BRI_HT_EXTERN:
    case BRI_HT_EXN:
        return true; /* the tops */
    case BRI_HT_EQ:
        return a == BRI_HT_I31 || a == BRI_HT_STRUCT || a == BRI_HT_ARRAY ||
               a == BRI_VT_CONCRETE_STRUCT || a == BRI_VT_CONCRETE_ARRAY;
    case BRI_HT_STRUCT:
        return a == BRI_VT_CONCRETE_STRUCT;
    case BRI_HT_ARRAY:
        return a == BRI_VT_CONCRETE_ARRAY;
    default:
        return false;
    }
}

/* Whether a value of type `actual` may stand where `expect` is wanted
 * (subtyping): number types only as themselves; references when
 * nullability allows and the heap types are in one hierarchy with the
 * bottom under everything, abstract types by their fixed order and
 * concrete types by their declared supertypes (bri_type_sub, through
 * module m: concrete indices are canonical within it, decode.c, so
 * equal types are equal words). */
static inline bool
bri_vt_match(const br_module_t *m, bri_valtype_t actual, bri_valtype_t expect)
{
    if (actual == expect)
        return true;
    if (!bri_vt_is_ref(actual) || !bri_vt_is_ref(expect))
        return false;
    if (bri_vt_nullable(actual) && !bri_vt_nullable(expect))
        return false;
    bri_valtype_t ha = actual & ~BRI_VT_NONNULL;
    bri_valtype_t he = expect & ~BRI_VT_NONNULL;
    if (ha == he)
        return true;
    if (bri_vt_top(ha) != bri_vt_top(he))
        return false;
    if (bri_vt_is_bottom(ha))
        return true;
    if (bri_vt_is_concrete(ha) && bri_vt_is_concrete(he))
        return m != NULL && bri_type_sub(m, bri_vt_index(ha), bri_vt_index(he));
    return !bri_vt_is_concrete(he) && bri_ht_below_abstract(ha, he);
}

/* Number of 8-byte slots a value of this type takes (v128: 2). */
static inline uint32_t
bri_vt_slots(bri_valtype_t t)
{
    return t == BR_V128 ? 2u : 1u;
}

/* A function type as the validator sees it (m->ftypes, parallel to the
 * public m->types). */
typedef struct bri_functype {
    uint32_t param_count;
    uint32_t result_count;
    const bri_valtype_t *params; /* point into m->type_vals */
    const bri_valtype_t *results;
} bri_functype_t;

/* The composite type of a type definition (3.0: a function, struct or
 * array type, in a recursive group, with its declared supertype). */
enum { BRI_COMP_FUNC = 0, BRI_COMP_STRUCT = 1, BRI_COMP_ARRAY = 2 };

typedef struct bri_typedef {
    uint8_t kind;     /* BRI_COMP_* */
    bool final_;      /* `sub final` or no `sub` at all */
    uint32_t super;   /* declared supertype, BR_NO_INDEX if none */
    uint32_t group;   /* first type of its recursive group */
    uint32_t group_size;
    /* struct: its fields; array: one, its element. Storage types are
     * value types or BRI_ST_CODE_I8/I16; they point into m->type_vals
     * and m->field_mut (1: mutable) */
    uint32_t field_count;
    const bri_valtype_t *fields;
    const uint8_t *mut;
} bri_typedef_t;

/* ------------------------------------------------------------------ */
/* Decoded module (decode.c fills it, validate.c/compile.c complete it) */

/* A constant expression: raw bytes from the binary, up to and including
 * its `end`; validated by the validator, evaluated at instantiation. */
typedef struct bri_constexpr {
    const uint8_t *code;
    uint32_t size;
    uint32_t offset; /* of code[0] in the binary */
} bri_constexpr_t;

typedef struct bri_import {
    br_name_t module;
    br_name_t name;
    br_externkind_t kind;
    uint32_t index; /* in the index space of its kind */
} bri_import_t;

typedef struct bri_export {
    br_name_t name;
    br_externkind_t kind;
    uint32_t index;
} bri_export_t;

/* One try/catch region of compiled code (code.h describes the search). */
typedef struct bri_catch {
    uint32_t tag; /* tag index, or BR_NO_INDEX for catch_all */
    uint32_t pc;  /* handler entry */
    uint32_t ref; /* 1: the exnref follows the payload (try_table) */
} bri_catch_t;

enum { BRI_HANDLER_CATCH = 0, BRI_HANDLER_DELEGATE = 1 };

typedef struct bri_handler {
    uint32_t start, end;  /* pc range of the try body: [start, end) */
    int32_t parent;       /* next enclosing handler to try, or -1 */
    int32_t delegate_to;  /* DELEGATE: handler to continue at, or -1 */
    uint8_t kind;
    uint32_t height;      /* slot where the tag's values are written */
    uint32_t exn_slot;    /* slot holding the caught exception (rethrow) */
    uint32_t catch_count;
    bri_catch_t *catches; /* in source order; catch_all has tag NO_INDEX */
} bri_handler_t;

/* Maps a compiled pc back to a byte offset of the binary (backtraces). */
typedef struct bri_site {
    uint32_t pc;
    uint32_t offset;
} bri_site_t;

/* A function compiled to internal code (code.h). */
typedef struct bri_code {
    uint32_t *words;
    uint32_t word_count;
    uint32_t param_slots;  /* params occupy slots [0, param_slots) */
    uint32_t local_slots;  /* params + declared locals */
    uint32_t result_slots;
    uint32_t frame_slots;  /* locals + hidden + max operand height */
    uint32_t handler_count;
    bri_handler_t *handlers; /* sorted by start, outer before inner */
    uint32_t site_count;
    bri_site_t *sites;     /* sorted by pc */
    /* native tier (native/native.h): the machine code once compiled
     * (published once, by whichever thread compiled first) and the
     * calls counted towards tier auto's threshold */
    _Atomic(struct bri_native *) native;
    _Atomic(uint32_t) hot;
} bri_code_t;

typedef struct bri_func {
    uint32_t type;          /* type index */
    /* defined functions only: */
    uint32_t local_count;   /* declared locals (not params) */
    bri_valtype_t *locals;  /* their types */
    const uint8_t *body;    /* first instruction byte (after locals) */
    uint32_t body_size;     /* up to and including the final `end` */
    uint32_t body_offset;   /* of body[0] in the binary */
    bri_code_t code;        /* filled by the compiler */
} bri_func_t;

typedef struct bri_tabledecl {
    br_valkind_t elem;     /* the store's kind of `type` */
    br_limitstype_t limits;
    bri_valtype_t type;
    bool has_init;         /* an initial element expression (3.0) */
    bri_constexpr_t init;
} bri_tabledecl_t;

typedef struct bri_globaldecl {
    br_valkind_t kind;     /* the store's kind of `type` */
    bool mutable_;
    bri_constexpr_t init; /* defined globals only */
    bri_valtype_t type;
} bri_globaldecl_t;

enum { BRI_SEG_ACTIVE = 0, BRI_SEG_PASSIVE = 1, BRI_SEG_DECLARATIVE = 2 };

typedef struct bri_elem {
    uint8_t mode;
    br_valkind_t kind;      /* the store's kind of `type` */
    uint32_t table;
    bri_constexpr_t offset; /* active only */
    uint32_t count;
    uint32_t *func_indices; /* legacy form (flags 0-3): function indices */
    bri_constexpr_t *exprs; /* expression form (flags 4-7) */
    bri_valtype_t type;     /* its reference type */
} bri_elem_t;

typedef struct bri_data {
    uint8_t mode;
    uint32_t memory;
    bri_constexpr_t offset; /* active only */
    const uint8_t *bytes;
    uint32_t size;
} bri_data_t;

struct br_module {
    br_engine_t *engine;
    uint8_t *bytes; /* our own copy of the binary; names point into it */
    size_t size;

    uint32_t type_count;
    br_functype_t *types; /* params/results point into type_kinds */
    bri_functype_t *ftypes;   /* the same types for the validator */
    bri_valtype_t *type_vals; /* every param and result of ftypes */
    br_valkind_t *type_kinds; /* the same as kinds, for `types` */
    uint32_t type_val_count;
    /* per type: the first equal type (decode.c); references in the
     * module's types name canonical indices only */
    uint32_t *type_canon;
    /* per type: kind, group, supertype, fields (decode.c) */
    bri_typedef_t *typedefs;
    uint8_t *field_mut; /* parallel to type_vals */
    /* per type: its canonical runtime type, shared across the modules of
     * the engine (types.c); NULL while the types are invalid */
    const struct bri_rtt **rtts;
    /* the registry's groups this module holds (released when freed) */
    uint32_t rtt_group_count;
    struct bri_rtt_group **rtt_groups;

    uint32_t import_count;
    bri_import_t *imports;
    uint32_t export_count;
    bri_export_t *exports;

    /* index spaces: imported entries first, then defined ones */
    uint32_t func_count, func_import_count;
    bri_func_t *funcs;
    uint32_t table_count, table_import_count;
    bri_tabledecl_t *tables;
    uint32_t memory_count, memory_import_count;
    br_limitstype_t *memories;
    uint32_t global_count, global_import_count;
    bri_globaldecl_t *globals;
    uint32_t tag_count, tag_import_count;
    uint32_t *tags; /* type index per tag */

    uint32_t start; /* BR_NO_INDEX if none */
    uint32_t elem_count;
    bri_elem_t *elems;
    uint32_t data_count;
    bri_data_t *datas;
    bool has_data_count; /* a data count section was present */
    /* some function body has a GC instruction (compile_gc.c,
     * bri_op_br_on_cast): compiled-module files cannot hold it */
    bool gc_code;

    /* functions that ref.func may name (C.refs), one flag per func;
     * filled by the validator */
    uint8_t *declared_refs;
};

/* The code of a concrete reference to type index i of m. */
static inline uint32_t
bri_concrete_code(const br_module_t *m, uint32_t i)
{
    if (m->typedefs == NULL || i >= m->type_count)
        return BRI_VT_CONCRETE;
    static const uint8_t codes[] = {BRI_VT_CONCRETE, BRI_VT_CONCRETE_STRUCT,
                                    BRI_VT_CONCRETE_ARRAY};
    return codes[m->typedefs[i].kind];
}

/* A concrete type index as its canonical one (m->type_canon), so that
 * equal types are equal words, with the code of its kind; an unknown
 * index stays for the validator to report (bri_vt_known). */
static inline bri_valtype_t
bri_vt_canon(const br_module_t *m, bri_valtype_t t)
{
    if (!bri_vt_is_concrete(t) || bri_vt_index(t) >= m->type_count)
        return t;
    uint32_t i = bri_vt_index(t);
    if (m->type_canon != NULL) /* (none: a module built by hand, tests) */
        i = m->type_canon[i];
    return (t & BRI_VT_NONNULL) | bri_concrete_code(m, i) |
           (i << BRI_VT_INDEX_SHIFT);
}

/* Whether a value type's type index (if any) names a type. */
static inline bool
bri_vt_known(const br_module_t *m, bri_valtype_t t)
{
    return !bri_vt_is_concrete(t) || bri_vt_index(t) < m->type_count;
}

/* The type of ref.func of a function of type index `type`: (ref $t). */
static inline bri_valtype_t
bri_vt_func_ref(const br_module_t *m, uint32_t type)
{
    return bri_vt_canon(m, bri_vt_ref_index(type, false));
}

/* decode.c: parse m->bytes into the structure above (not function code). */
br_err_t bri_decode(br_module_t *m, br_error_t *error);
/* validate.c: validate the module and compile every function body. */
br_err_t bri_validate(br_module_t *m, br_error_t *error);
/* module.c: frees everything the decoder and compiler allocated. */
void bri_module_free_parts(br_module_t *m);
bool bri_functype_equal(const br_functype_t *a, const br_functype_t *b);
/* Whether a byte is a value type the engine knows. */
static inline bool
bri_valkind_valid(uint8_t k)
{
    switch (k) {
    case BR_I32:
    case BR_I64:
    case BR_F32:
    case BR_F64:
    case BR_V128:
    case BR_FUNCREF:
    case BR_EXTERNREF:
    case BR_EXNREF:
    case BR_ANYREF:
        return true;
    default:
        return false;
    }
}

/* Whether a value type is a reference type (slots hold pointers, NULL
 * being the null reference). */
static inline bool
bri_valkind_is_ref(br_valkind_t k)
{
    return k == BR_FUNCREF || k == BR_EXTERNREF || k == BR_EXNREF ||
           k == BR_ANYREF;
}

/* Number of 8-byte slots a value of this kind takes (v128: 2). */
static inline uint32_t
bri_slots_of(br_valkind_t k)
{
    return k == BR_V128 ? 2u : 1u;
}

/* ------------------------------------------------------------------ */
/* Store objects (instance.c, memory.c, table.c, global.c)              */

struct bri_gc_heap;

/* Every store object starts with this header so the store can free it. */
typedef struct bri_object {
    struct bri_object *next;
    void (*free)(br_store_t *store, struct bri_object *obj);
    /* NULL, or marks the GC references the object holds (gc/gc.h:
     * bri_gc_mark_*) when a collection takes its roots */
    void (*trace)(struct bri_object *obj, struct bri_gc_heap *heap);
} bri_object_t;

struct br_store {
    br_engine_t *engine;
    bri_allocator_t alloc;
    br_limits_t limits;
    bri_object_t *objects; /* everything created in this store */
    /* native tier: functions above this many words are not compiled at
     * a call (br_store_set_native_lazy_limit); 0: no limit */
    uint32_t native_lazy_max;
    uint8_t tier;          /* br_tier_t its calls run in */
    struct bri_gc_heap *gc; /* its GC heap (gc/gc.h), NULL until used */
    /* Its linear memories (linked through br_memory.store_next), so that
     * the GC heap and the memories share one byte budget. */
    struct br_memory *memories;
    br_exec_t *execs; /* its live execution contexts (GC roots) */
    uint32_t gc_defer; /* non-zero: no collector work (instantiating) */
};

struct br_func {
    bri_object_t obj;
    const br_functype_t *type;
    br_instance_t *inst;     /* defining instance (NULL for host funcs) */
    uint32_t index;          /* in the defining module's func space */
    const bri_code_t *code;  /* NULL for host funcs */
    br_host_fn host;
    void *env;
};

/* `data` is a virtual reservation of `reserved` bytes (memory.c): the
 * first `size` are readable and writable, the rest inaccessible until a
 * grow commits them; or, `reserved` 0, a small memory's slot of the
 * engine's pool (`slot`) or, without a pool, a buffer from the host
 * allocator. Never NULL once initialised, so data + 0 is always a valid
 * argument. */
struct br_memory {
    bri_object_t obj;
    uint8_t *data;
    uint64_t size;      /* bytes */
    uint64_t max_pages; /* declared max clipped to the store's limit */
    br_limitstype_t type;
    bri_allocator_t alloc;
    uint64_t reserved;  /* bytes of address space mapped at data; 0: heap */
    bri_mempool_t *pool; /* the engine's: slots and unmapping (or NULL) */
    bool slot;           /* data is a slot of `pool` */
    /* High-water mark of bytes written: pages above it are presumed
     * never touched, so that a bulk write there pays for the kernel's
     * page faults and zeroing (bri_memory_touch). */
    uint64_t touched;
    /* the store it counts against (bri_memory_init), and its list */
    br_store_t *store;
    struct br_memory *store_next, *store_prev;
};

struct br_table {
    bri_object_t obj;
    br_ref_t *elems;
    uint64_t size;
    uint64_t max; /* declared max clipped to the store's limit */
    br_valkind_t kind;
    br_limitstype_t type;
    bri_allocator_t alloc;
    uint64_t cap;           /* elements allocated (>= size, >= 1) */
    /* A table.grow in steps (bri_table_grow_step): who runs it and the
     * size it started from; any other grow clears `grow_owner`. */
    const void *grow_owner;
    uint64_t grow_base;
    /* its element type, a type index naming a type of `vt_mod` (NULL:
     * a table the host made, whose type is its kind) */
    bri_valtype_t vt;
    const br_module_t *vt_mod;
};

struct br_global {
    bri_object_t obj;
    br_val_t val; /* val.kind is the global's kind */
    bool mutable_;
    /* its value type, as for tables (vt_mod NULL: the host's) */
    bri_valtype_t vt;
    const br_module_t *vt_mod;
};

struct br_tag {
    bri_object_t obj;
    const br_functype_t *type;
    /* its canonical type (types.c); NULL for a tag the host made */
    const struct bri_rtt *rtt;
};

struct br_instance {
    bri_object_t obj;
    br_store_t *store;
    const br_module_t *module;
    br_func_t **funcs;      /* whole func index space */
    br_table_t **tables;
    br_memory_t **memories;
    br_global_t **globals;
    br_tag_t **tags;
    br_ref_t **elem_refs;   /* per elem segment; evaluated at instantiation */
    uint32_t *elem_sizes;   /* 0 once dropped */
    uint8_t *data_dropped;  /* per data segment */
};

/* Bytes of every linear memory of the store. */
static inline uint64_t
bri_store_linear_bytes(const br_store_t *store)
{
    uint64_t sum = 0;
    for (const struct br_memory *m = store->memories; m != NULL;
         m = m->store_next)
        sum += m->size;
    return sum;
}

/* Register an object with its store (freed with the store). */
void bri_store_adopt(br_store_t *store, bri_object_t *obj,
                     void (*free_fn)(br_store_t *, bri_object_t *));

/* Evaluates a validated constant expression in an instance context. */
br_err_t bri_constexpr_eval(br_instance_t *inst, const bri_constexpr_t *e,
                            br_valkind_t kind, br_val_t *out);

#endif
