/*
 * beamr engine: the binary decoder. Parses every section of a module into
 * struct br_module (internal.h); function bodies and constant expressions
 * stay byte spans of the module's own copy for the validator to check.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "reader.h"

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
    uint32_t val_count, val_cap;
    uint32_t *val_start; /* per type: its params' first entry in vals */
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
push_val(decoder_t *d, bri_valtype_t t)
{
    if (d->val_count == d->val_cap) {
        uint32_t cap = d->val_cap ? d->val_cap * 2 : 64;
        bri_valtype_t *p =
            bri_realloc(d->alloc, d->vals, (size_t)d->val_cap * sizeof *p,
                        (size_t)cap * sizeof *p);
        if (p == NULL)
            return fail_oom(d);
        d->vals = p;
        d->val_cap = cap;
    }
    d->vals[d->val_count++] = t;
    return true;
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

/* The form byte is a one-byte signed LEB in the reference decoder, so a
 * continuation bit reads as an overlong integer. */
static bool
read_functype(decoder_t *d, br_functype_t *ft)
{
    uint8_t form;
    if (!read_u8(d, &form))
        return false;
    if (form != FUNCTYPE_FORM) {
        br_err_t code = (form & LEB_CONTINUATION) ? BR_ERR_INTEGER_TOO_LONG
                                                  : BR_ERR_MALFORMED_FUNC_TYPE;
        return fail_at(d, code, d->r.p - 1);
    }
    return read_resulttype(d, &ft->param_count) &&
           read_resulttype(d, &ft->result_count);
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

/* Type canonicalization. Every function type is its own recursive
 * group, so two types are equal when their value types are equal, a
 * reference to the type itself matching the other's reference to
 * itself (iso-recursive equality); earlier types are already canonical.
 * A hash of the canonical types (self references hashed as one marker)
 * finds a type's equal in about one compare. */

/* A value type of type `self` with a reference to `self` as a marker. */
static bri_valtype_t
self_marked(bri_valtype_t t, uint32_t self)
{
    if (bri_vt_code(t) == BRI_VT_CONCRETE && bri_vt_index(t) == self)
        return (t & ((1u << BRI_VT_INDEX_SHIFT) - 1)) |
               ((BRI_VT_MAX_INDEX - 1) << BRI_VT_INDEX_SHIFT);
    return t;
}

static uint32_t
type_hash(const br_module_t *m, uint32_t i)
{
    const bri_functype_t *ft = &m->ftypes[i];
    uint32_t h = 2166136261u ^ ft->param_count;
    for (uint32_t k = 0; k < ft->param_count; k++)
        h = (h ^ self_marked(ft->params[k], i)) * 16777619u;
    h = (h ^ 0xFFFFu ^ ft->result_count) * 16777619u;
    for (uint32_t k = 0; k < ft->result_count; k++)
        h = (h ^ self_marked(ft->results[k], i)) * 16777619u;
    return h;
}

static bool
vals_equal(const bri_valtype_t *a, uint32_t sa, const bri_valtype_t *b,
           uint32_t sb, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if (self_marked(a[k], sa) != self_marked(b[k], sb))
            return false;
    return true;
}

static bool
types_equal(const br_module_t *m, uint32_t a, uint32_t b)
{
    const bri_functype_t *x = &m->ftypes[a], *y = &m->ftypes[b];
    return x->param_count == y->param_count &&
           x->result_count == y->result_count &&
           vals_equal(x->params, a, y->params, b, x->param_count) &&
           vals_equal(x->results, a, y->results, b, x->result_count);
}

/* Rewrites references to earlier types (index < below) to their
 * canonical indices, and references to type `self` to `to`. */
static void
canon_refs(const br_module_t *m, bri_valtype_t *vals, uint32_t n, uint32_t self,
           uint32_t to)
{
    for (uint32_t k = 0; k < n; k++) {
        bri_valtype_t t = vals[k];
        if (bri_vt_code(t) != BRI_VT_CONCRETE || bri_vt_index(t) > self)
            continue; /* a forward reference: the validator refuses it */
        uint32_t x = bri_vt_index(t);
        x = x == self ? to : m->type_canon[x];
        vals[k] =
            (t & ((1u << BRI_VT_INDEX_SHIFT) - 1)) | (x << BRI_VT_INDEX_SHIFT);
    }
}

/* Fills m->type_canon (each type's first equal type) and makes every
 * reference of the types canonical. */
static bool
canonicalize_types(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n = m->type_count;
    if (n == 0)
        return true;
    m->type_canon = new_array(d, n, sizeof *m->type_canon);
    if (!m->type_canon)
        return false;
    uint32_t cap = 16;
    while (cap < 2 * (uint64_t)n)
        cap *= 2;
    uint32_t *slots = new_array(d, cap, sizeof *slots); /* type + 1 */
    if (!slots)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        bri_functype_t *ft = &m->ftypes[i];
        /* the pool is writable: ftypes point into m->type_vals */
        bri_valtype_t *p = (bri_valtype_t *)ft->params;
        bri_valtype_t *r = (bri_valtype_t *)ft->results;
        canon_refs(m, p, ft->param_count, i, i);
        canon_refs(m, r, ft->result_count, i, i);
        uint32_t h = type_hash(m, i) & (cap - 1);
        while (slots[h] && !types_equal(m, slots[h] - 1, i))
            h = (h + 1) & (cap - 1);
        m->type_canon[i] = slots[h] ? slots[h] - 1 : i;
        if (!slots[h])
            slots[h] = i + 1;
        canon_refs(m, p, ft->param_count, i, m->type_canon[i]);
        canon_refs(m, r, ft->result_count, i, m->type_canon[i]);
    }
    bri_free(d->alloc, slots, (size_t)cap * sizeof *slots);
    return true;
}

/* The module's two copies of the function types: the validator's
 * (bri_valtype_t, internal.h) and the public one (br_valkind_t), each
 * in one pool of every param and result. */
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
    m->type_val_count = total;
    if (total && (!m->type_vals || !m->type_kinds))
        return false;
    for (uint32_t i = 0; i < m->type_count; i++) {
        br_functype_t *t = &m->types[i];
        bri_functype_t *ft = &m->ftypes[i];
        uint32_t at = d->val_start[i], np = t->param_count;
        ft->param_count = np;
        ft->result_count = t->result_count;
        /* empty lists point nowhere (the pools are NULL when every
         * type is empty, and NULL + 0 is undefined) */
        ft->params = np ? m->type_vals + at : NULL;
        ft->results = t->result_count ? m->type_vals + at + np : NULL;
        t->params = np ? m->type_kinds + at : NULL;
        t->results = t->result_count ? m->type_kinds + at + np : NULL;
    }
    if (total)
        memcpy(m->type_vals, d->vals, (size_t)total * sizeof *m->type_vals);
    if (!canonicalize_types(d))
        return false;
    for (uint32_t k = 0; k < total; k++)
        m->type_kinds[k] = bri_vt_kind(m->type_vals[k]);
    return true;
}

static bool
sec_type(decoder_t *d)
{
    br_module_t *m = d->m;
    uint32_t n;
    if (!read_len(d, &n))
        return false;
    br_functype_t *types = new_array(d, n, sizeof *types);
    if (n && !types)
        return false;
    m->types = types;
    m->type_count = n;
    d->val_start = new_array(d, n, sizeof *d->val_start);
    if (n && !d->val_start)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        d->val_start[i] = d->val_count;
        if (!read_functype(d, &types[i]))
            return false;
    }
    return make_ftypes(d);
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
    bri_free(d.alloc, d.val_start, (size_t)m->type_count * sizeof *d.val_start);
    if (ok)
        return BR_ERR_OK;
    finish_error(&d);
    if (error)
        *error = d.err;
    return d.err.code;
}
