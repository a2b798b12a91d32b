/*
 * beamr engine: the binary decoder. Parses every section of a module into
 * struct br_module (internal.h); function bodies and constant expressions
 * stay byte spans of the module's own copy for the validator to check.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "reader.h"
#include "types.h"

/*
 * How errors are worded. The spec suite matches messages by prefix against
 * the reference interpreter's decoder, which reads every section from one
 * stream bounded only by the end of the file and checks a section's size
 * after parsing it. We do the same: section contents are read with the
 * reader bounded by the file, not by the section, so truncated or
 * overlong sections fail with the reference's words ("length out of
 * bounds", "section size mismatch", "unexpected end of section or
 * function"). Only function bodies get a reader bounded by their size.
 */

/* Section ids of the binary format. */
enum section_id {
    SEC_CUSTOM = 0,
    SEC_TYPE = 1,
    SEC_IMPORT = 2,
    SEC_FUNCTION = 3,
    SEC_TABLE = 4,
    SEC_MEMORY = 5,
    SEC_GLOBAL = 6,
    SEC_EXPORT = 7,
    SEC_START = 8,
    SEC_ELEMENT = 9,
    SEC_CODE = 10,
    SEC_DATA = 11,
    SEC_DATACOUNT = 12,
    SEC_TAG = 13,
    SEC__COUNT
};

#define WASM_MAGIC 0x6d736100u /* "\0asm" read little-endian */
#define WASM_VERSION 1u
#define FUNCTYPE_FORM 0x60
#define STRUCTTYPE_FORM 0x5F
#define ARRAYTYPE_FORM 0x5E
#define SUB_FORM 0x50
#define SUB_FINAL_FORM 0x4F
#define REC_FORM 0x4E
#define ELEMKIND_FUNCREF 0x00
#define TAG_ATTR_EXCEPTION 0x00
#define TABLE_INIT_FORM 0x40
#define MAX_FUNC_LOCALS 50000u
/* The continuation bit of a LEB128 byte. */
#define LEB_CONTINUATION 0x80u

enum {
    LIMITS_HAS_MAX = 0x01,
    LIMITS_SHARED = 0x02,
    LIMITS_IS64 = 0x04,
    LIMITS_PAGE = 0x08, /* custom-page-sizes: a page size log2 follows */
};
/* element segment flags: bit 0 passive or declarative, bit 1 explicit
 * table (active) or declarative, bit 2 expressions instead of indices */
enum { ELEM_NOT_ACTIVE = 1, ELEM_TABLE_OR_DECL = 2, ELEM_EXPRS = 4 };
enum { ELEM_MAX_FLAGS = 7 };
enum { DATA_ACTIVE = 0, DATA_PASSIVE = 1, DATA_ACTIVE_MEMIDX = 2 };

/* An import's description until its index space is allocated. */
typedef union import_desc {
    uint32_t type; /* functions and tags */
    bri_tabledecl_t table;
    br_limitstype_t memory;
    bri_globaldecl_t global;
} import_desc_t;

enum { EXTERN_KINDS = BR_EXTERN_TAG + 1 };

typedef struct decoder {
    br_module_t *m;
    const bri_allocator_t *alloc;
    bri_reader_t r;
    br_error_t err;
    bool past_header;
    int64_t cur_func;     /* function being decoded, or -1 */
    import_desc_t *idesc; /* one per import */
    uint32_t idesc_count;
    bool space_done[EXTERN_KINDS];
    uint32_t defined_funcs; /* function section count */
    uint32_t code_count;
    uint32_t datacount; /* data count section value */
    /* the type section's value types as read, before they are copied
     * into the module's pools (make_ftypes) */
    bri_valtype_t *vals;
    uint8_t *muts; /* parallel to vals: a field's mutability */
    uint32_t val_count, val_cap;
    uint32_t *val_start; /* per type: its params' first entry in vals */
    uint32_t type_cap;   /* types and typedefs allocated */
    uint32_t vs_cap;     /* val_start allocated */
} decoder_t;

/* ------------------------------------------------------------------ */
/* Primitive reads                                                     */

static bool
fail_at(decoder_t *d, br_err_t code, const uint8_t *at)
{
    bri_error(&d->err, code, (uint64_t)(at - d->r.base), -1, "%s", "");
    return false;
}

static bool
fail_oom(decoder_t *d)
{
    return fail_at(d, BR_ERR_OUT_OF_MEMORY, d->r.p);
}

/* Allocates a zeroed array; a count of 0 gives NULL, which callers must
 * not mistake for a failure (they test `count && !ptr`). */
static void *
new_array(decoder_t *d, uint64_t count, size_t size)
{
    if (count == 0)
        return NULL;
    void *p = NULL;
    if (count <= SIZE_MAX / size)
        p = bri_calloc(d->alloc, (size_t)count, size);
    if (!p)
        fail_oom(d);
    return p;
}

static bool
read_u8(decoder_t *d, uint8_t *out)
{
    return bri_read_u8(&d->r, out);
}

static bool
read_u32(decoder_t *d, uint32_t *out)
{
    return bri_read_u32(&d->r, out);
}

/* A length or vector count. Like the reference decoder, it may not exceed
 * the bytes left counted from the start of its own encoding: this rejects
 * absurd counts before anything is allocated for them. */
static bool
read_len(decoder_t *d, uint32_t *out)
{
    const uint8_t *start = d->r.p;
    uint32_t n;
    if (!read_u32(d, &n))
        return false;
    if (n > (size_t)(d->r.end - start))
        return fail_at(d, BR_ERR_LENGTH_OUT_OF_BOUNDS, start);
    *out = n;
    return true;
}

static bool
read_bytes(decoder_t *d, uint32_t n, const uint8_t **out)
{
    if (n > (size_t)(d->r.end - d->r.p)) {
        d->r.p = d->r.end;
        return bri_reader_fail(&d->r, BR_ERR_UNEXPECTED_END);
    }
    *out = d->r.p;
    d->r.p += n;
    return true;
}

/* Length of the UTF-8 sequence led by `c` (0 if `c` cannot lead one) and
 * the smallest code point that sequence length may encode. */
static unsigned
utf8_lead(uint8_t c, uint32_t *cp, uint32_t *min)
{
    if ((c & 0xE0) == 0xC0) {
        *cp = c & 0x1Fu;
        *min = 0x80;
        return 2;
    }
    if ((c & 0xF0) == 0xE0) {
        *cp = c & 0x0Fu;
        *min = 0x800;
        return 3;
    }
    if ((c & 0xF8) == 0xF0) {
        *cp = c & 0x07u;
        *min = 0x10000;
        return 4;
    }
    return 0;
}

/* Names must be well-formed UTF-8: no overlong forms, no surrogates, no
 * code points above U+10FFFF. */
static bool
utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp, min;
        unsigned len = utf8_lead(s[i], &cp, &min);
        if (len == 0 || n - i < len)
            return false;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static bool
read_name(decoder_t *d, br_name_t *out)
{
    const uint8_t *start = d->r.p;
    uint32_t n;
    const uint8_t *bytes;
    if (!read_len(d, &n) || !read_bytes(d, n, &bytes))
        return false;
    if (!utf8_valid(bytes, n))
        return fail_at(d, BR_ERR_MALFORMED_UTF8, start);
    out->size = n;
    out->data = (const char *)bytes;
    return true;
}

/* ------------------------------------------------------------------ */
/* Types                                                               */

static bool
read_valtype(decoder_t *d, bri_valtype_t *out)
{
    if (!bri_read_valtype(&d->r, out))
        return false;
    *out = bri_vt_canon(d->m, *out);
    return true;
}

static bool
read_reftype(decoder_t *d, bri_valtype_t *out)
{
    const uint8_t *at = d->r.p;
    if (!read_valtype(d, out))
        return false;
    if (!bri_vt_is_ref(*out))
        return fail_at(d, BR_ERR_MALFORMED_REFTYPE, at);
    return true;
}

/* Appends a type section value type to d->vals. */
static bool
push_field(decoder_t *d, bri_valtype_t t, uint8_t mut)
{
    if (d->val_count == d->val_cap) {
        /* both grown or neither: they are freed at d->val_cap */
        uint32_t old = d->val_cap, cap = old ? old * 2 : 64;
        bri_valtype_t *p = bri_alloc(d->alloc, (size_t)cap * sizeof *p);
        uint8_t *q = bri_alloc(d->alloc, cap);
        if (p == NULL || q == NULL) {
            bri_free(d->alloc, p, (size_t)cap * sizeof *p);
            bri_free(d->alloc, q, cap);
            return fail_oom(d);
        }
        if (old != 0) {
            memcpy(p, d->vals, (size_t)old * sizeof *p);
            memcpy(q, d->muts, old);
        }
        bri_free(d->alloc, d->vals, (size_t)old * sizeof *p);
        bri_free(d->alloc, d->muts, old);
        d->vals = p;
        d->muts = q;
        d->val_cap = cap;
    }
    d->muts[d->val_count] = mut;
    d->vals[d->val_count++] = t;
    return true;
}

static bool
push_val(decoder_t *d, bri_valtype_t t)
{
    return push_field(d, t, 0);
}

/* A result type, appended to d->vals (raw type indices: make_ftypes
 * makes them canonical). Every value type takes at least one byte, so
 * the section's size bounds the count. */
static bool
read_resulttype(decoder_t *d, uint32_t *count)
{
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        bri_valtype_t t;
        if (!bri_read_valtype(&d->r, &t) || !push_val(d, t))
            return false;
    }
    *count = n;
    return true;
}

static bool
read_limit_value(decoder_t *d, bool is64, uint64_t *out)
{
    if (is64)
        return bri_read_u64(&d->r, out);
    uint32_t v;
    if (!read_u32(d, &v))
        return false;
    *out = v;
    return true;
}

/* A custom page size's log2: a page must fit a u64 (the validator
 * accepts 0 and 16 only). */
static bool
read_page_log2(decoder_t *d, br_limitstype_t *out)
{
    const uint8_t *at = d->r.p;
    uint32_t p;
    if (!read_u32(d, &p))
        return false;
    if (p >= 64)
        return fail_at(d, BR_ERR_INVALID_PAGE_SIZE, at);
    out->page_log2 = (uint8_t)p;
    return true;
}

/* Limits flags: bit 0 has-max, bit 1 shared, bit 2 64-bit index. Wasm
 * 2.0 encodes the flag as a one-bit LEB, so the core suite expects
 * "integer representation too long" for a continuation bit and "integer
 * too large" for a set shared bit where sharing is impossible (tables,
 * memories without a maximum); other unknown bits are the memory64
 * suite's "malformed limits flags". Range checks belong to the validator.
 */
static bool
read_limits(decoder_t *d, bool memory, br_limitstype_t *out)
{
    const uint8_t *at = d->r.p;
    uint8_t flags;
    if (!read_u8(d, &flags))
        return false;
    if (flags & LEB_CONTINUATION)
        return fail_at(d, BR_ERR_INTEGER_TOO_LONG, at);
    uint8_t known = LIMITS_HAS_MAX | LIMITS_SHARED | LIMITS_IS64 |
                    (memory ? LIMITS_PAGE : 0);
    if (flags & ~known)
        return fail_at(d, BR_ERR_MALFORMED_LIMITS, at);
    if ((flags & LIMITS_SHARED) && (!memory || !(flags & LIMITS_HAS_MAX)))
        return fail_at(d, BR_ERR_INTEGER_TOO_LARGE, at);
    out->has_max = flags & LIMITS_HAS_MAX;
    out->shared = flags & LIMITS_SHARED;
    out->is64 = flags & LIMITS_IS64;
    out->max = 0;
    out->custom_page = flags & LIMITS_PAGE;
    out->page_log2 = 0;
    if (!read_limit_value(d, out->is64, &out->min) ||
        (out->has_max && !read_limit_value(d, out->is64, &out->max)))
        return false;
    return !out->custom_page || read_page_log2(d, out);
}

static bool
read_tabletype(decoder_t *d, bri_tabledecl_t *out)
{
    if (!read_reftype(d, &out->type))
        return false;
    out->elem = bri_vt_kind(out->type);
    return read_limits(d, false, &out->limits);
}

static bool
read_globaltype(decoder_t *d, bri_globaldecl_t *out)
{
    uint8_t mut;
    if (!read_valtype(d, &out->type) || !read_u8(d, &mut))
        return false;
    out->kind = bri_vt_kind(out->type);
    if (mut > 1)
        return fail_at(d, BR_ERR_MALFORMED_MUTABILITY, d->r.p - 1);
    out->mutable_ = mut == 1;
    return true;
}

/* Tag type: an attribute byte (0 = exception) and a function type index. */
static bool
read_tagtype(decoder_t *d, uint32_t *type)
{
    uint8_t attr;
    if (!read_u8(d, &attr))
        return false;
    if (attr != TAG_ATTR_EXCEPTION)
        return fail_at(d, BR_ERR_ZERO_BYTE_EXPECTED, d->r.p - 1);
    return read_u32(d, type);
}

/* ------------------------------------------------------------------ */
/* Index spaces: imported entries first, then the defined ones          */

static uint32_t *
import_counter(br_module_t *m, br_externkind_t kind)
{
    switch (kind) {
    case BR_EXTERN_FUNC:
        return &m->func_import_count;
    case BR_EXTERN_TABLE:
        return &m->table_import_count;
    case BR_EXTERN_MEMORY:
        return &m->memory_import_count;
    case BR_EXTERN_GLOBAL:
        return &m->global_import_count;
    default:
        return &m->tag_import_count;
    }
}

static size_t
space_elem_size(br_externkind_t kind)
{
    switch (kind) {
    case BR_EXTERN_FUNC:
        return sizeof(bri_func_t);
    case BR_EXTERN_TABLE:
        return sizeof(bri_tabledecl_t);
    case BR_EXTERN_MEMORY:
        return sizeof(br_limitstype_t);
    case BR_EXTERN_GLOBAL:
        return sizeof(bri_globaldecl_t);
    default:
        return sizeof(uint32_t);
    }
}

/* Stores a freshly allocated space; its count is set together with it so
 * bri_module_free_parts always frees what was allocated. */
static void
set_space(br_module_t *m, br_externkind_t kind, void *arr, uint32_t count)
{
    switch (kind) {
    case BR_EXTERN_FUNC:
        m->funcs = arr;
        m->func_count = count;
        break;
    case BR_EXTERN_TABLE:
        m->tables = arr;
        m->table_count = count;
        break;
    case BR_EXTERN_MEMORY:
        m->memories = arr;
        m->memory_count = count;
        break;
    case BR_EXTERN_GLOBAL:
        m->globals = arr;
        m->global_count = count;
        break;
    default:
        m->tags = arr;
        m->tag_count = count;
        break;
    }
}

static void
place_import(br_module_t *m, const bri_import_t *imp, const import_desc_t *desc)
{
    switch (imp->kind) {
    case BR_EXTERN_FUNC:
        m->funcs[imp->index].type = desc->type;
        break;
    case BR_EXTERN_TABLE:
        m->tables[imp->index] = desc->table;
        break;
    case BR_EXTERN_MEMORY:
        m->memories[imp->index] = desc->memory;
        break;
    case BR_EXTERN_GLOBAL:
        m->globals[imp->index] = desc->global;
        break;
    default:
        m->tags[imp->index] = desc->type;
        break;
    }
}

/* Allocates the index space of `kind` once its defined count is known
 * (its section, or the end of the module), then copies the imports in. */
static bool
alloc_space(decoder_t *d, br_externkind_t kind, uint32_t defined)
{
    br_module_t *m = d->m;
    uint64_t total = (uint64_t)*import_counter(m, kind) + defined;
    if (total > UINT32_MAX)
        return fail_at(d, BR_ERR_LENGTH_OUT_OF_BOUNDS, d->r.p);
    void *arr = new_array(d, total, space_elem_size(kind));
    if (total && !arr)
        return false;
    set_space(m, kind, arr, (uint32_t)total);
    for (uint32_t i = 0; i < d->idesc_count; i++)
        if (m->imports[i].kind == kind)
            place_import(m, &m->imports[i], &d->idesc[i]);
    d->space_done[kind] = true;
    return true;
}

/* ------------------------------------------------------------------ */
/* Sections before the code                                             */

/* A storage type: a value type or a packed i8/i16, then its
 * mutability (0 or 1). */
static bool
read_field(decoder_t *d)
{
    bri_valtype_t t;
    if (d->r.p < d->r.end &&
        (*d->r.p == BRI_ST_CODE_I8 || *d->r.p == BRI_ST_CODE_I16))
        t = *d->r.p++;
    else if (!bri_read_valtype(&d->r, &t))
        return false;
    uint8_t mut;
    if (!read_u8(d, &mut))
        return false;
    if (mut > 1)
        return fail_at(d, BR_ERR_MALFORMED_MUTABILITY, d->r.p - 1);
    return push_field(d, t, mut);
}

/* A composite type: func (0x60), struct (0x5F) or array (0x5E). The form
 * byte is a one-byte signed LEB in the reference decoder, so a
 * continuation bit reads as an overlong integer. */
static bool
read_comptype(decoder_t *d, br_functype_t *ft, bri_typedef_t *td)
{
    uint8_t form;
    if (!read_u8(d, &form))
        return false;
    ft->param_count = ft->result_count = 0;
    switch (form) {
    case FUNCTYPE_FORM:
        td->kind = BRI_COMP_FUNC;
        return read_resulttype(d, &ft->param_count) &&
               read_resulttype(d, &ft->result_count);
    case STRUCTTYPE_FORM: {
        td->kind = BRI_COMP_STRUCT;
        uint32_t n;
        if (!read_len(d, &n))
            return false;
        for (uint32_t i = 0; i < n; i++)
            if (!read_field(d))
                return false;
        td->field_count = n;
        return true;
    }
    case ARRAYTYPE_FORM:
        td->kind = BRI_COMP_ARRAY;
        td->field_count = 1;
        return read_field(d);
    default: {
        br_err_t code = (form & LEB_CONTINUATION) ? BR_ERR_INTEGER_TOO_LONG
                                                  : BR_ERR_MALFORMED_FUNC_TYPE;
        return fail_at(d, code, d->r.p - 1);
    }
    }
}

/* Room for one more type in the section's growing arrays, grown all
 * three or none (they are freed at d->type_cap entries). */
static bool
grow_types(decoder_t *d)
{
    br_module_t *m = d->m;
    if (m->type_count < d->type_cap)
        return true;
    uint32_t old = d->type_cap, cap = old ? old * 2 : 16;
    size_t st = sizeof *m->types, sd = sizeof *m->typedefs;
    size_t sv = sizeof *d->val_start;
    br_functype_t *t = bri_alloc(d->alloc, cap * st);
    bri_typedef_t *td = bri_alloc(d->alloc, cap * sd);
    uint32_t *vs = bri_alloc(d->alloc, cap * sv);
    if (t == NULL || td == NULL || vs == NULL) {
        bri_free(d->alloc, t, cap * st);
        bri_free(d->alloc, td, cap * sd);
        bri_free(d->alloc, vs, cap * sv);
        return fail_oom(d);
    }
    if (old != 0) {
        memcpy(t, m->types, old * st);
        memcpy(td, m->typedefs, old * sd);
        memcpy(vs, d->val_start, old * sv);
    }
    bri_free(d->alloc, m->types, old * st);
    bri_free(d->alloc, m->typedefs, old * sd);
    bri_free(d->alloc, d->val_start, old * sv);
    m->types = t;
    m->typedefs = td;
    d->val_start = vs;
    d->vs_cap = cap;
    d->type_cap = cap;
    return true;
}

/* One subtype of a recursive group starting at type `group`:
 * 0x50 (sub) or 0x4F (sub final) with its supertypes, or a bare
 * composite type (final, no supertype). More than one supertype is
 * kept as BR_NO_INDEX - 1 for the validator to refuse. */
static bool
read_subtype(decoder_t *d, uint32_t group)
{
    br_module_t *m = d->m;
    if (!grow_types(d))
        return false;
    uint32_t i = m->type_count;
    br_functype_t *ft = &m->types[i];
    bri_typedef_t *td = &m->typedefs[i];
    memset(ft, 0, sizeof *ft);
    memset(td, 0, sizeof *td);
    td->super = BR_NO_INDEX;
    td->final_ = true;
    td->group = group;
    d->val_start[i] = d->val_count;
    m->type_count = i + 1; /* counted now: the arrays are the module's */
    if (d->r.p < d->r.end && (*d->r.p == SUB_FORM || *d->r.p == SUB_FINAL_FORM)) {
        td->final_ = *d->r.p++ == SUB_FINAL_FORM;
        uint32_t n;
        if (!read_len(d, &n))
            return false;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t x;
            if (!read_u32(d, &x))
                return false;
            td->super = k == 0 ? x : BR_NO_INDEX - 1;
        }
    }
    return read_comptype(d, ft, td);
}

/* A recursive group (0x4E and its subtypes) or one subtype alone. */
static bool
read_rectype(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t group = m->type_count, n = 1;
    bool rec = d->r.p < d->r.end && *d->r.p == REC_FORM;
    if (rec) {
        d->r.p++;
        if (!read_len(d, &n))
            return false;
    }
    for (uint32_t k = 0; k < n; k++)
        if (!read_subtype(d, group))
            return false;
    for (uint32_t k = group; k < m->type_count; k++)
        m->typedefs[k].group_size = n;
    return true;
}

/* Shrinks the section's arrays to their counts: every module array is
 * freed at exactly the size its count implies (both or neither). */
static bool
trim_types(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n = m->type_count, cap = d->type_cap;
    size_t st = sizeof *m->types, sd = sizeof *m->typedefs;
    if (n == cap)
        return true;
    br_functype_t *t = NULL;
    bri_typedef_t *td = NULL;
    if (n != 0) {
        t = bri_alloc(d->alloc, n * st);
        td = bri_alloc(d->alloc, n * sd);
        if (t == NULL || td == NULL) {
            bri_free(d->alloc, t, n * st);
            bri_free(d->alloc, td, n * sd);
            return fail_oom(d);
        }
        memcpy(t, m->types, n * st);
        memcpy(td, m->typedefs, n * sd);
    }
    bri_free(d->alloc, m->types, cap * st);
    bri_free(d->alloc, m->typedefs, cap * sd);
    m->types = t;
    m->typedefs = td;
    d->type_cap = n;
    return true;
}

/* The module's two copies of the function types: the validator's
 * (bri_valtype_t, internal.h) and the public one (br_valkind_t), each
 * in one pool of every param and result (and of struct and array
 * fields, with their mutability in m->field_mut). */
static bool
make_ftypes(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t total = d->val_count;
    m->ftypes = new_array(d, m->type_count, sizeof *m->ftypes);
    if (m->type_count && !m->ftypes)
        return false;
    m->type_vals = new_array(d, total, sizeof *m->type_vals);
    m->type_kinds = new_array(d, total, sizeof *m->type_kinds);
    m->field_mut = new_array(d, total, 1);
    m->type_val_count = total;
    if (total && (!m->type_vals || !m->type_kinds || !m->field_mut))
        return false;
    for (uint32_t i = 0; i < m->type_count; i++) {
        br_functype_t *t = &m->types[i];
        bri_functype_t *ft = &m->ftypes[i];
        bri_typedef_t *td = &m->typedefs[i];
        uint32_t at = d->val_start[i], np = t->param_count;
        ft->param_count = np;
        ft->result_count = t->result_count;
        /* empty lists point nowhere (the pools are NULL when every
         * type is empty, and NULL + 0 is undefined) */
        ft->params = np ? m->type_vals + at : NULL;
        ft->results = t->result_count ? m->type_vals + at + np : NULL;
        t->params = np ? m->type_kinds + at : NULL;
        t->results = t->result_count ? m->type_kinds + at + np : NULL;
        td->fields = td->field_count ? m->type_vals + at : NULL;
        td->mut = td->field_count ? m->field_mut + at : NULL;
    }
    if (total) {
        memcpy(m->type_vals, d->vals, (size_t)total * sizeof *m->type_vals);
        memcpy(m->field_mut, d->muts, total);
    }
    if (!bri_types_canonicalize(m, d->alloc))
        return fail_oom(d);
    for (uint32_t k = 0; k < total; k++)
        m->type_kinds[k] = bri_vt_kind(m->type_vals[k]);
    return true;
}

static bool
sec_type(decoder_t *d)
{
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!read_rectype(d))
            return false;
    if (d->m->type_count >= BRI_VT_MAX_INDEX - 1)
        return fail_at(d, BR_ERR_LENGTH_OUT_OF_BOUNDS, d->r.p);
    return trim_types(d) && make_ftypes(d);
}

static bool
read_import_desc(decoder_t *d, uint8_t kind, import_desc_t *desc)
{
    switch (kind) {
    case BR_EXTERN_FUNC:
        return read_u32(d, &desc->type);
    case BR_EXTERN_TABLE:
        return read_tabletype(d, &desc->table);
    case BR_EXTERN_MEMORY:
        return read_limits(d, true, &desc->memory);
    case BR_EXTERN_GLOBAL:
        return read_globaltype(d, &desc->global);
    case BR_EXTERN_TAG:
        return read_tagtype(d, &desc->type);
    default:
        return fail_at(d, BR_ERR_MALFORMED_IMPORT_KIND, d->r.p - 1);
    }
}

static bool
read_import(decoder_t *d, bri_import_t *imp, import_desc_t *desc)
{
    uint8_t kind;
    if (!read_name(d, &imp->module) || !read_name(d, &imp->name) ||
        !read_u8(d, &kind) || !read_import_desc(d, kind, desc))
        return false;
    uint32_t *counter = import_counter(d->m, kind);
    imp->kind = kind;
    imp->index = (*counter)++;
    return true;
}

static bool
sec_import(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    m->imports = new_array(d, n, sizeof *m->imports);
    if (n && !m->imports)
        return false;
    m->import_count = n;
    d->idesc = new_array(d, n, sizeof *d->idesc);
    if (n && !d->idesc)
        return false;
    d->idesc_count = n;
    for (uint32_t i = 0; i < n; i++)
        if (!read_import(d, &m->imports[i], &d->idesc[i]))
            return false;
    return true;
}

static bool
sec_function(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n) || !alloc_space(d, BR_EXTERN_FUNC, n))
        return false;
    d->defined_funcs = n;
    for (uint32_t i = 0; i < n; i++)
        if (!read_u32(d, &m->funcs[m->func_import_count + i].type))
            return false;
    return true;
}

/* A defined table: its type, or (3.0) 0x40 0x00, its type and an
 * expression giving every element's initial value. */
static bool
read_table(decoder_t *d, bri_tabledecl_t *t)
{
    if (d->r.p < d->r.end && *d->r.p == TABLE_INIT_FORM) {
        uint8_t zero;
        d->r.p++;
        if (!read_u8(d, &zero))
            return false;
        if (zero != 0)
            return fail_at(d, BR_ERR_MALFORMED_REFTYPE, d->r.p - 1);
        t->has_init = true;
        return read_tabletype(d, t) && bri_decode_constexpr(&d->r, &t->init);
    }
    return read_tabletype(d, t);
}

static bool
sec_table(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n) || !alloc_space(d, BR_EXTERN_TABLE, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!read_table(d, &m->tables[m->table_import_count + i]))
            return false;
    return true;
}

static bool
sec_memory(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n) || !alloc_space(d, BR_EXTERN_MEMORY, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!read_limits(d, true, &m->memories[m->memory_import_count + i]))
            return false;
    return true;
}

static bool
sec_tag(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n) || !alloc_space(d, BR_EXTERN_TAG, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!read_tagtype(d, &m->tags[m->tag_import_count + i]))
            return false;
    return true;
}

static bool
sec_global(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n) || !alloc_space(d, BR_EXTERN_GLOBAL, n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        bri_globaldecl_t *g = &m->globals[m->global_import_count + i];
        if (!read_globaltype(d, g) || !bri_decode_constexpr(&d->r, &g->init))
            return false;
    }
    return true;
}

static bool
read_export(decoder_t *d, bri_export_t *e)
{
    uint8_t kind;
    if (!read_name(d, &e->name) || !read_u8(d, &kind))
        return false;
    if (kind > BR_EXTERN_TAG)
        return fail_at(d, BR_ERR_MALFORMED_EXPORT_KIND, d->r.p - 1);
    e->kind = kind;
    return read_u32(d, &e->index);
}

static bool
sec_export(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    m->exports = new_array(d, n, sizeof *m->exports);
    if (n && !m->exports)
        return false;
    m->export_count = n;
    for (uint32_t i = 0; i < n; i++)
        if (!read_export(d, &m->exports[i]))
            return false;
    return true;
}

static bool
sec_start(decoder_t *d)
{
    return read_u32(d, &d->m->start);
}

static bool
sec_datacount(decoder_t *d)
{
    d->m->has_data_count = true;
    return read_u32(d, &d->datacount);
}

/* ------------------------------------------------------------------ */
/* Element and data segments                                            */

static bool
read_elem_funcs(decoder_t *d, bri_elem_t *e)
{
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    e->func_indices = new_array(d, n, sizeof *e->func_indices);
    if (n && !e->func_indices)
        return false;
    e->count = n;
    for (uint32_t i = 0; i < n; i++)
        if (!read_u32(d, &e->func_indices[i]))
            return false;
    return true;
}

static bool
read_elem_exprs(decoder_t *d, bri_elem_t *e)
{
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    e->exprs = new_array(d, n, sizeof *e->exprs);
    if (n && !e->exprs)
        return false;
    e->count = n;
    for (uint32_t i = 0; i < n; i++)
        if (!bri_decode_constexpr(&d->r, &e->exprs[i]))
            return false;
    return true;
}

/* The element kind of the index forms: only 0x00 (funcref) exists. */
static bool
read_elemkind(decoder_t *d)
{
    uint8_t b;
    if (!read_u8(d, &b))
        return false;
    if (b != ELEMKIND_FUNCREF)
        return fail_at(d, BR_ERR_MALFORMED_ELEM_KIND, d->r.p - 1);
    return true;
}

static bool
read_elem_mode(decoder_t *d, uint32_t flags, bri_elem_t *e)
{
    if (flags & ELEM_NOT_ACTIVE) {
        e->mode = (flags & ELEM_TABLE_OR_DECL) ? BRI_SEG_DECLARATIVE
                                               : BRI_SEG_PASSIVE;
        return true;
    }
    e->mode = BRI_SEG_ACTIVE;
    if ((flags & ELEM_TABLE_OR_DECL) && !read_u32(d, &e->table))
        return false;
    return bri_decode_constexpr(&d->r, &e->offset);
}

static bool
read_elem(decoder_t *d, bri_elem_t *e)
{
    const uint8_t *at = d->r.p;
    uint32_t flags;
    if (!read_u32(d, &flags))
        return false;
    if (flags > ELEM_MAX_FLAGS)
        return fail_at(d, BR_ERR_MALFORMED_ELEM_SEGMENT, at);
    e->kind = BR_FUNCREF;
    /* the function index forms hold (ref func), the expression forms
     * without a type funcref (3.0) */
    e->type =
        (flags & ELEM_EXPRS) ? BRI_HT_FUNC : (BRI_HT_FUNC | BRI_VT_NONNULL);
    e->table = 0;
    if (!read_elem_mode(d, flags, e))
        return false;
    /* flags 0 and 4 (active, table 0) leave the kind implicit */
    if (flags & (ELEM_NOT_ACTIVE | ELEM_TABLE_OR_DECL)) {
        bool ok =
            (flags & ELEM_EXPRS) ? read_reftype(d, &e->type) : read_elemkind(d);
        if (!ok)
            return false;
        e->kind = bri_vt_kind(e->type);
    }
    return (flags & ELEM_EXPRS) ? read_elem_exprs(d, e) : read_elem_funcs(d, e);
}

static bool
sec_element(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    m->elems = new_array(d, n, sizeof *m->elems);
    if (n && !m->elems)
        return false;
    m->elem_count = n;
    for (uint32_t i = 0; i < n; i++)
        if (!read_elem(d, &m->elems[i]))
            return false;
    return true;
}

static bool
read_data(decoder_t *d, bri_data_t *s)
{
    const uint8_t *at = d->r.p;
    uint32_t flags, n;
    if (!read_u32(d, &flags))
        return false;
    if (flags > DATA_ACTIVE_MEMIDX)
        return fail_at(d, BR_ERR_MALFORMED_DATA_SEGMENT, at);
    s->memory = 0;
    if (flags == DATA_PASSIVE) {
        s->mode = BRI_SEG_PASSIVE;
    } else {
        s->mode = BRI_SEG_ACTIVE;
        if (flags == DATA_ACTIVE_MEMIDX && !read_u32(d, &s->memory))
            return false;
        if (!bri_decode_constexpr(&d->r, &s->offset))
            return false;
    }
    if (!read_len(d, &n) || !read_bytes(d, n, &s->bytes))
        return false;
    s->size = n;
    return true;
}

static bool
sec_data(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    m->datas = new_array(d, n, sizeof *m->datas);
    if (n && !m->datas)
        return false;
    m->data_count = n;
    for (uint32_t i = 0; i < n; i++)
        if (!read_data(d, &m->datas[i]))
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Code section                                                        */

/* Declared locals, plus the parameters when the type index is known: the
 * limit bounds the frame the interpreter allocates per call. */
static bool
check_local_total(decoder_t *d, const bri_func_t *f, uint64_t total,
                  const uint8_t *at)
{
    const br_module_t *m = d->m;
    if (f->type < m->type_count)
        total += m->types[f->type].param_count;
    if (total > MAX_FUNC_LOCALS)
        return fail_at(d, BR_ERR_TOO_MANY_LOCALS, at);
    return true;
}

/* Locals come as (count, valtype) groups: a first pass checks them and
 * sums the counts so no allocation is sized by an unchecked count; the
 * second pass expands them into one kind per local. */
static bool
read_locals(decoder_t *d, bri_func_t *f)
{
    const uint8_t *at = d->r.p;
    uint32_t groups, count;
    bri_valtype_t kind;
    uint64_t total = 0;
    if (!read_len(d, &groups))
        return false;
    const uint8_t *first = d->r.p;
    for (uint32_t g = 0; g < groups; g++) {
        if (!read_u32(d, &count) || !read_valtype(d, &kind))
            return false;
        total += count;
    }
    if (!check_local_total(d, f, total, at))
        return false;
    f->locals = new_array(d, total, sizeof *f->locals);
    if (total && !f->locals)
        return false;
    f->local_count = (uint32_t)total;
    d->r.p = first;
    uint32_t k = 0;
    for (uint32_t g = 0; g < groups; g++) {
        if (!read_u32(d, &count) || !read_valtype(d, &kind))
            return false;
        for (uint32_t i = 0; i < count; i++)
            f->locals[k + i] = kind;
        k += count;
    }
    return true;
}

/* The body is the rest of the function; it must end with `end`, and the
 * validator checks everything before it. */
static bool
read_body(decoder_t *d, bri_func_t *f)
{
    uint32_t size;
    if (!read_len(d, &size))
        return false;
    if (size > (size_t)(d->r.end - d->r.p))
        return bri_reader_fail(&d->r, BR_ERR_UNEXPECTED_END);
    const uint8_t *fend = d->r.p + size;
    const uint8_t *outer_end = d->r.end;
    d->r.end = fend; /* a function is the one bounded read */
    bool ok = read_locals(d, f);
    d->r.end = outer_end;
    if (!ok)
        return false;
    const uint8_t *body = d->r.p;
    if (fend == body || fend[-1] != bri_opinfo[BR_OP_end].code)
        return bri_decode_bad_body(&d->r, body);
    f->body = body;
    f->body_size = (uint32_t)(fend - body);
    f->body_offset = (uint32_t)(body - d->r.base);
    d->r.p = fend;
    return true;
}

static bool
sec_code(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    if (n != d->defined_funcs)
        return fail_at(d, BR_ERR_FUNC_CODE_MISMATCH, d->r.p);
    d->code_count = n;
    for (uint32_t i = 0; i < n; i++) {
        d->cur_func = (int64_t)m->func_import_count + i;
        if (!read_body(d, &m->funcs[m->func_import_count + i]))
            return false;
    }
    d->cur_func = -1;
    return true;
}

/* ------------------------------------------------------------------ */
/* Module structure                                                    */

typedef bool (*section_fn)(decoder_t *d);

static const section_fn section_parsers[SEC__COUNT] = {
    [SEC_TYPE] = sec_type,         [SEC_IMPORT] = sec_import,
    [SEC_FUNCTION] = sec_function, [SEC_TABLE] = sec_table,
    [SEC_MEMORY] = sec_memory,     [SEC_GLOBAL] = sec_global,
    [SEC_EXPORT] = sec_export,     [SEC_START] = sec_start,
    [SEC_ELEMENT] = sec_element,   [SEC_CODE] = sec_code,
    [SEC_DATA] = sec_data,         [SEC_DATACOUNT] = sec_datacount,
    [SEC_TAG] = sec_tag,
};

/* Required order of the non-custom sections (ids are not in order:
 * datacount comes before code, tag between memory and global). */
static const uint8_t section_rank[SEC__COUNT] = {
    [SEC_TYPE] = 1,     [SEC_IMPORT] = 2,     [SEC_FUNCTION] = 3,
    [SEC_TABLE] = 4,    [SEC_MEMORY] = 5,     [SEC_TAG] = 6,
    [SEC_GLOBAL] = 7,   [SEC_EXPORT] = 8,     [SEC_START] = 9,
    [SEC_ELEMENT] = 10, [SEC_DATACOUNT] = 11, [SEC_CODE] = 12,
    [SEC_DATA] = 13,
};

/* A custom section: a valid name, then bytes we do not interpret. */
static bool
read_custom(decoder_t *d, const uint8_t *start, uint32_t size)
{
    br_name_t name;
    if (!read_name(d, &name))
        return false;
    size_t used = (size_t)(d->r.p - start);
    if (used > size || size - used > (size_t)(d->r.end - d->r.p)) {
        d->r.p = d->r.end;
        return bri_reader_fail(&d->r, BR_ERR_UNEXPECTED_END);
    }
    d->r.p += size - used;
    return true;
}

static bool
read_section(decoder_t *d, unsigned *last_rank)
{
    const uint8_t *at = d->r.p;
    uint8_t id;
    uint32_t size;
    if (!read_u8(d, &id))
        return false;
    if (id >= SEC__COUNT)
        return fail_at(d, BR_ERR_MALFORMED_SECTION_ID, at);
    if (!read_len(d, &size))
        return false;
    const uint8_t *start = d->r.p;
    if (id == SEC_CUSTOM)
        return read_custom(d, start, size);
    if (section_rank[id] <= *last_rank)
        return fail_at(d, BR_ERR_DUPLICATE_SECTION, at);
    *last_rank = section_rank[id];
    /* the size may still overrun the file by its own LEB's length (see
     * read_len): then parsing runs out of bytes or the check below fails */
    if (!section_parsers[id](d))
        return false;
    if ((size_t)(d->r.p - start) != size)
        return fail_at(d, BR_ERR_SECTION_SIZE_MISMATCH, start);
    return true;
}

static bool
read_header(decoder_t *d)
{
    uint64_t magic, version;
    if (!bri_read_fixed(&d->r, 4, &magic))
        return false;
    if (magic != WASM_MAGIC)
        return fail_at(d, BR_ERR_MAGIC, d->r.base);
    if (!bri_read_fixed(&d->r, 4, &version))
        return false;
    if (version != WASM_VERSION)
        return fail_at(d, BR_ERR_VERSION, d->r.base + 4);
    d->past_header = true;
    return true;
}

/* Checks that need the whole module, in the reference decoder's order. */
static bool
finish(decoder_t *d)
{
    br_module_t *m = d->m;
    if (d->defined_funcs != d->code_count)
        return fail_at(d, BR_ERR_FUNC_CODE_MISMATCH, d->r.p);
    if (m->has_data_count && d->datacount != m->data_count)
        return fail_at(d, BR_ERR_DATA_COUNT_MISMATCH, d->r.p);
    for (unsigned k = 0; k < EXTERN_KINDS; k++)
        if (!d->space_done[k] && !alloc_space(d, (br_externkind_t)k, 0))
            return false;
    return true;
}

static bool
decode_module(decoder_t *d)
{
    unsigned last_rank = 0;
    if (!read_header(d))
        return false;
    while (!bri_reader_eof(&d->r))
        if (!read_section(d, &last_rank))
            return false;
    return finish(d);
}

/* Running out of bytes inside a section or function reads "unexpected end
 * of section or function" (the suite's "unexpected end" is its prefix). */
static void
finish_error(decoder_t *d)
{
    if (d->err.code == BR_ERR_UNEXPECTED_END && d->past_header)
        bri_error(&d->err, BR_ERR_UNEXPECTED_END_SECTION, d->err.offset, -1,
                  "%s", "");
    d->err.func_index = d->cur_func;
}

br_err_t
bri_decode(br_module_t *m, br_error_t *error)
{
    decoder_t d;
    memset(&d, 0, sizeof d);
    d.m = m;
    d.alloc = &m->engine->alloc;
    d.cur_func = -1;
    d.r.error = &d.err;
    m->start = BR_NO_INDEX;
    bool ok;
    if (m->size > 0 && m->bytes) {
        d.r.base = m->bytes;
        d.r.p = m->bytes;
        d.r.end = m->bytes + m->size;
        ok = decode_module(&d);
    } else {
        /* no pointer arithmetic on an empty (possibly NULL) buffer */
        bri_error(&d.err, BR_ERR_UNEXPECTED_END, 0, -1, "%s", "");
        ok = false;
    }
    bri_free(d.alloc, d.idesc, (size_t)d.idesc_count * sizeof *d.idesc);
    bri_free(d.alloc, d.vals, (size_t)d.val_cap * sizeof *d.vals);
    bri_free(d.alloc, d.muts, d.val_cap);
    bri_free(d.alloc, d.val_start, (size_t)d.vs_cap * sizeof *d.val_start);
    if (!ok && d.type_cap != m->type_count) {
        /* a failed type section: its arrays at the size freed later */
        m->type_count = 0;
        bri_free(d.alloc, m->types, (size_t)d.type_cap * sizeof *m->types);
        bri_free(d.alloc, m->typedefs,
                 (size_t)d.type_cap * sizeof *m->typedefs);
        m->types = NULL;
        m->typedefs = NULL;
    }
    if (ok)
        return BR_ERR_OK;
    finish_error(&d);
    if (error)
        *error = d.err;
    return d.err.code;
}
