/*
 * beamr engine, text format: what the module fields (wat.c) and the
 * instructions (wat_instr.c) both read, below both: tokens, indices and
 * names, value types, type uses and block types, the type section.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "text/wat.h"

static const char *const space_names[SP__COUNT] = {
    "type",   "function", "table",        "memory",
    "global", "tag",      "elem segment", "data segment",
};
/* Field keywords of the duplicate-name errors ("duplicate func"). */
static const char *const space_kw[SP__COUNT] = {
    "type", "func", "table", "memory", "global", "tag", "elem", "data",
};

/* ------------------------------------------------------------------ */
/* Tokens                                                              */

void
bri_wat_unexpected(wat_t *w, size_t i, const char *expected)
{
    const tok_t *t = wat_tok(w, i);
    if (t->kind == TK_EOF)
        bri_text_fail(w->c, BR_TEXT_ERR_UNEXPECTED_END, t->off,
                      "unexpected end of input (expected %s)", expected);
    bri_text_fail(w->c, BR_TEXT_ERR_UNEXPECTED_TOKEN, t->off,
                  "unexpected token \"%.*s\" (expected %s)",
                  (int)(tok_len(t) > 40 ? 40 : tok_len(t)), w->c->src + t->off,
                  expected);
}

void
bri_wat_expect_close(wat_t *w, size_t *i)
{
    if (wat_tok(w, *i)->kind != TK_RPAREN)
        bri_wat_unexpected(w, *i, "\")\"");
    (*i)++;
}

void
bri_wat_expect_keyword(wat_t *w, size_t *i, const char *kw)
{
    const tok_t *t = wat_tok(w, *i);
    if (t->kind != TK_KEYWORD || !bri_tok_is(w->c, t, kw))
        bri_wat_unexpected(w, *i, kw);
    (*i)++;
}

uint32_t
bri_wat_u32(wat_t *w, size_t *i)
{
    uint64_t v;
    const tok_t *t = wat_tok(w, *i);
    if (t->kind != TK_NUM)
        bri_wat_unexpected(w, *i, "a number");
    if (!bri_lit_uint(w->c, t, 32, &v)) {
        if (!bri_lit_int_syntax(w->c, t))
            bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_OPERATOR, t->off,
                          "unknown operator (malformed number)");
        bri_text_fail(w->c, BR_TEXT_ERR_OUT_OF_RANGE, t->off,
                      "i32 constant out of range");
    }
    (*i)++;
    return (uint32_t)v;
}

bool
bri_wat_is_index(const wat_t *w, size_t i)
{
    uint8_t k = wat_tok(w, i)->kind;
    return k == TK_ID || k == TK_NUM;
}

uint32_t
bri_wat_index(wat_t *w, size_t *i, wat_space_t space)
{
    const tok_t *t = wat_tok(w, *i);
    uint32_t v;
    if (t->kind == TK_NUM)
        return bri_wat_u32(w, i);
    if (t->kind != TK_ID)
        bri_wat_unexpected(w, *i, "an index");
    v = bri_tmap_get(w->c, &w->names[space], t->off, t->len);
    if (v == UINT32_MAX)
        bri_text_fail(w->c,
                      space == SP_TYPE ? BR_TEXT_ERR_UNKNOWN_TYPE
                                       : BR_TEXT_ERR_UNKNOWN_ID,
                      t->off, "unknown %s %.*s", space_names[space],
                      (int)(t->len > 60 ? 60 : t->len), w->c->src + t->off);
    (*i)++;
    return v;
}

/* An optional $id: bound to `index` in `space` (pass 1 only). */
size_t
bri_wat_bind_id(wat_t *w, size_t i, wat_space_t space, uint32_t index, bool bind)
{
    const tok_t *t = wat_tok(w, i);
    if (t->kind != TK_ID)
        return i;
    if (bind && !bri_tmap_put(w->c, &w->names[space], t->off, t->len, index))
        bri_text_fail(w->c, BR_TEXT_ERR_DUPLICATE_ID, t->off,
                      "duplicate %s %.*s", space_kw[space],
                      (int)(t->len > 60 ? 60 : t->len), w->c->src + t->off);
    return i + 1;
}

/* ------------------------------------------------------------------ */
/* Types                                                               */

static const struct {
    const char *name;
    uint8_t code;
} valtypes[] = {
    {"i32", BR_I32},
    {"i64", BR_I64},
    {"f32", BR_F32},
    {"f64", BR_F64},
    {"v128", BR_V128},
    {"funcref", BR_FUNCREF},
    {"externref", BR_EXTERNREF},
    {"exnref", BR_EXNREF},
    {"nullfuncref", BRI_HT_NOFUNC},
    {"nullexternref", BRI_HT_NOEXTERN},
    {"nullexnref", BRI_HT_NOEXN},
    {"anyref", BRI_HT_ANY},
    {"eqref", BRI_HT_EQ},
    {"i31ref", BRI_HT_I31},
    {"structref", BRI_HT_STRUCT},
    {"arrayref", BRI_HT_ARRAY},
    {"nullref", BRI_HT_NONE},
};

static const struct {
    const char *name;
    uint8_t code;
} heaptypes[] = {
    {"func", BRI_HT_FUNC},     {"extern", BRI_HT_EXTERN},
    {"exn", BRI_HT_EXN},       {"nofunc", BRI_HT_NOFUNC},
    {"noextern", BRI_HT_NOEXTERN}, {"noexn", BRI_HT_NOEXN},
    {"any", BRI_HT_ANY},       {"eq", BRI_HT_EQ},
    {"i31", BRI_HT_I31},       {"struct", BRI_HT_STRUCT},
    {"array", BRI_HT_ARRAY},   {"none", BRI_HT_NONE},
};

/* A heap type at token *i: an abstract keyword, or a type index, as
 * the nullable reference type to it; false (nothing read) if neither. */
static bool
heaptype_at(wat_t *w, size_t *i, uint32_t *out)
{
    const tok_t *t = wat_tok(w, *i);
    if (t->kind == TK_KEYWORD) {
        for (size_t k = 0; k < sizeof heaptypes / sizeof heaptypes[0]; k++) {
            if (bri_tok_is(w->c, t, heaptypes[k].name)) {
                *out = heaptypes[k].code;
                (*i)++;
                return true;
            }
        }
        return false;
    }
    if (!bri_wat_is_index(w, *i))
        return false;
    uint32_t x = bri_wat_index(w, i, SP_TYPE);
    if (x >= BRI_VT_MAX_INDEX)
        bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_TYPE, t->off,
                      "unknown type %u", x);
    *out = bri_vt_ref_index(x, true);
    return true;
}

/* "(ref null? ht)". */
static bool
ref_type(wat_t *w, size_t *i, uint32_t *out)
{
    size_t j = *i;
    if (!wat_is_open(w, j, "ref"))
        return false;
    j += 2;
    bool nullable = wat_tok(w, j)->kind == TK_KEYWORD &&
                    bri_tok_is(w->c, wat_tok(w, j), "null");
    if (nullable)
        j++;
    uint32_t t;
    if (!heaptype_at(w, &j, &t) || wat_tok(w, j)->kind != TK_RPAREN)
        return false;
    *out = nullable ? t : (t | BRI_VT_NONNULL);
    *i = j + 1;
    return true;
}

bool
bri_wat_valtype(wat_t *w, size_t *i, uint32_t *out)
{
    const tok_t *t = wat_tok(w, *i);
    if (t->kind == TK_LPAREN)
        return ref_type(w, i, out);
    if (t->kind != TK_KEYWORD)
        return false;
    for (size_t k = 0; k < sizeof valtypes / sizeof valtypes[0]; k++) {
        if (bri_tok_is(w->c, t, valtypes[k].name)) {
            *out = valtypes[k].code;
            (*i)++;
            return true;
        }
    }
    return false;
}

bool
bri_wat_reftype(wat_t *w, size_t *i, uint32_t *out)
{
    size_t j = *i;
    uint32_t v;
    if (!bri_wat_valtype(w, &j, &v) || !bri_vt_is_ref(v))
        return false;
    *out = v;
    *i = j;
    return true;
}

uint32_t
bri_wat_heaptype(wat_t *w, size_t *i)
{
    uint32_t t;
    if (!heaptype_at(w, i, &t))
        bri_wat_unexpected(w, *i, "a heap type");
    return t;
}

size_t
bri_wat_skip_valtype(const wat_t *w, size_t i)
{
    const tok_t *t = wat_tok(w, i);
    return t->kind == TK_LPAREN ? tok_match(t) + 1 : i + 1;
}

void
bri_wat_put_heaptype(wat_t *w, tbuf_t *out, uint32_t t)
{
    if (bri_vt_is_concrete(t))
        bri_tbuf_s64(w->c, out, bri_vt_index(t));
    else
        bri_tbuf_byte(w->c, out, (uint8_t)bri_vt_code(t));
}

/* Nullable abstract reference types have their one-byte short form;
 * the others are 0x63 (ref null) or 0x64 (ref) and the heap type. */
void
bri_wat_put_valtype(wat_t *w, tbuf_t *out, uint32_t t)
{
    if (!bri_vt_is_concrete(t) && bri_vt_nullable(t)) {
        bri_tbuf_byte(w->c, out, (uint8_t)t);
        return;
    }
    bri_tbuf_byte(w->c, out,
                  bri_vt_nullable(t) ? BRI_REF_NULL_FORM : BRI_REF_FORM);
    bri_wat_put_heaptype(w, out, t);
}

static bool
same_types(const wat_t *w, const wat_type_t *t, const uint8_t *params,
           uint32_t np, const uint8_t *results, uint32_t nr)
{
    /* (empty lists may have no storage at all: no memcmp on NULL) */
    return t->nparams == np && t->nresults == nr &&
           (np == 0 ||
            memcmp(w->valtypes.p + t->params, params, (size_t)np * 4) == 0) &&
           (nr == 0 ||
            memcmp(w->valtypes.p + t->results, results, (size_t)nr * 4) == 0);
}

static uint32_t
sig_hash(const uint8_t *params, uint32_t np, const uint8_t *results,
         uint32_t nr)
{
    uint32_t h = 2166136261u ^ np;
    for (uint32_t k = 0; k < np; k++)
        h = (h ^ wat_vt_at(params, k)) * 16777619u;
    h = (h ^ 0xFFu ^ nr) * 16777619u;
    for (uint32_t k = 0; k < nr; k++)
        h = (h ^ wat_vt_at(results, k)) * 16777619u;
    return h;
}

/* The slot of a signature in the type hash: its first type, or the
 * empty slot where it goes. */
static uint32_t *
type_slot(wat_t *w, const uint8_t *params, uint32_t np, const uint8_t *results,
          uint32_t nr)
{
    uint32_t mask = w->type_slot_cap - 1;
    uint32_t h = sig_hash(params, np, results, nr) & mask;
    while (w->type_slots[h] && !same_types(w, &w->types[w->type_slots[h] - 1],
                                           params, np, results, nr))
        h = (h + 1) & mask;
    return &w->type_slots[h];
}

/* Whether an inline type use may name type k: a function type alone in
 * its group, final and without supertype (3.0). */
static bool
plain_func(const wat_type_t *t)
{
    return t->kind == BRI_COMP_FUNC && t->final_ && t->super == UINT32_MAX &&
           !t->rec;
}

/* Keeps the hash at most half full (rebuilt from the type list, first
 * occurrences first). */
static void
grow_type_slots(wat_t *w)
{
    uint32_t cap = w->type_slot_cap ? w->type_slot_cap * 2 : 64;
    w->type_slots = bri_text_alloc(w->c, cap * sizeof *w->type_slots);
    memset(w->type_slots, 0, cap * sizeof *w->type_slots);
    w->type_slot_cap = cap;
    for (uint32_t k = 0; k < w->ntypes; k++) {
        const wat_type_t *t = &w->types[k];
        const uint8_t *p = w->valtypes.p;
        if (!plain_func(t))
            continue;
        uint32_t *slot = type_slot(w, p + t->params, t->nparams, p + t->results,
                                   t->nresults);
        if (!*slot)
            *slot = k + 1;
    }
}

/* Hashes type k once complete (if an inline type use may name it). */
static void
hash_type(wat_t *w, uint32_t k)
{
    const wat_type_t *t = &w->types[k];
    if (w->ntypes * 2 > w->type_slot_cap) {
        grow_type_slots(w);
        return;
    }
    if (!plain_func(t))
        return;
    const uint8_t *p = w->valtypes.p;
    uint32_t *slot = type_slot(w, p + t->params, t->nparams, p + t->results,
                               t->nresults);
    if (!*slot)
        *slot = k + 1;
}

/* Appends a function type (a plain one unless the caller changes it
 * before hashing it). */
static uint32_t
new_type(wat_t *w, const uint8_t *params, uint32_t np, const uint8_t *results,
         uint32_t nr)
{
    wat_type_t *t;
    if (w->ntypes == w->type_cap) {
        uint32_t cap = w->type_cap ? w->type_cap * 2 : 16;
        w->types = bri_text_grow(w->c, w->types, w->type_cap * sizeof *t,
                                 cap * sizeof *t);
        w->type_cap = cap;
    }
    t = &w->types[w->ntypes];
    memset(t, 0, sizeof *t);
    t->kind = BRI_COMP_FUNC;
    t->final_ = true;
    t->super = UINT32_MAX;
    t->group_size = 1;
    t->fields = (uint32_t)w->muts.len;
    t->params = (uint32_t)w->valtypes.len;
    t->nparams = np;
    bri_tbuf_bytes(w->c, &w->valtypes, params, (size_t)np * 4);
    t->results = (uint32_t)w->valtypes.len;
    t->nresults = nr;
    bri_tbuf_bytes(w->c, &w->valtypes, results, (size_t)nr * 4);
    return w->ntypes++;
}

static uint32_t
add_type(wat_t *w, const uint8_t *params, uint32_t np, const uint8_t *results,
         uint32_t nr)
{
    uint32_t k = new_type(w, params, np, results, nr);
    hash_type(w, k);
    return k;
}

/* The first type equal to the given one (hashed: no quadratic cost with
 * many types), added at the end if none. */
static uint32_t
find_or_add_type(wat_t *w, const uint8_t *params, uint32_t np,
                 const uint8_t *results, uint32_t nr)
{
    if (w->type_slot_cap) {
        uint32_t slot = *type_slot(w, params, np, results, nr);
        if (slot)
            return slot - 1;
    }
    return add_type(w, params, np, results, nr);
}

void
bri_wat_bind_local(wat_t *w, const tok_t *name, uint32_t type)
{
    if (w->nlocals == w->local_cap) {
        uint32_t cap = w->local_cap ? w->local_cap * 2 : 32;
        w->local_types =
            bri_text_grow(w->c, w->local_types, w->local_cap * sizeof(uint32_t),
                          cap * sizeof(uint32_t));
        w->local_cap = cap;
    }
    if (name &&
        !bri_tmap_put(w->c, &w->locals, name->off, name->len, w->nlocals))
        bri_text_fail(
            w->c, BR_TEXT_ERR_DUPLICATE_ID, name->off, "duplicate local %.*s",
            (int)(name->len > 60 ? 60 : name->len), w->c->src + name->off);
    w->local_types[w->nlocals++] = type;
}

/* "(param $x t)" or "(param t*)" / "(result t*)": appends the types to
 * `out`; binds parameter names as locals when `names`. */
static void
param_list(wat_t *w, size_t *i, tbuf_t *out, bool named_ok, bool names)
{
    size_t j = *i + 2;
    uint32_t v;
    if (named_ok && wat_tok(w, j)->kind == TK_ID) {
        const tok_t *name = wat_tok(w, j++);
        if (!bri_wat_valtype(w, &j, &v))
            bri_wat_unexpected(w, j, "a value type");
        wat_vt_push(w, out, v);
        if (names)
            bri_wat_bind_local(w, name, v);
    } else {
        while (bri_wat_valtype(w, &j, &v)) {
            wat_vt_push(w, out, v);
            if (names)
                bri_wat_bind_local(w, NULL, v);
        }
    }
    bri_wat_expect_close(w, &j);
    *i = j;
}

typedef struct sig {
    bool has_type;
    uint32_t type;
    uint32_t np, nr;
    size_t at; /* token of the type use, for errors */
} sig_t;

/* Reads "(type x)? (param ...)* (result ...)*" into w->scratch (params
 * then results). */
static void
read_sig(wat_t *w, size_t *i, sig_t *s, bool named, bool names)
{
    size_t j = *i;
    s->has_type = false;
    s->at = j;
    w->scratch.len = 0;
    if (wat_is_open(w, j, "type")) {
        j += 2;
        s->type = bri_wat_index(w, &j, SP_TYPE);
        s->has_type = true;
        bri_wat_expect_close(w, &j);
    }
    while (wat_is_open(w, j, "param"))
        param_list(w, &j, &w->scratch, named, names);
    s->np = (uint32_t)(w->scratch.len / 4);
    while (wat_is_open(w, j, "result"))
        param_list(w, &j, &w->scratch, false, false);
    s->nr = (uint32_t)(w->scratch.len / 4) - s->np;
    *i = j;
}

/* Resolves a signature to a type index (checking an explicit one
 * against the inline declarations). */
static uint32_t
sig_type(wat_t *w, const sig_t *s)
{
    const uint8_t *p = w->scratch.p;
    /* the scratch buffer is NULL until something is read into it, and
     * NULL + 0 is undefined behaviour */
    const uint8_t *results = p != NULL ? p + (size_t)s->np * 4 : p;
    if (!s->has_type)
        return find_or_add_type(w, p, s->np, results, s->nr);
    /* without inline declarations the validator reports an unknown
     * type; with them the text cannot be checked: malformed */
    if (s->type >= w->ntypes && !s->np && !s->nr)
        return s->type;
    if (s->type >= w->ntypes)
        bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_TYPE, wat_tok(w, s->at)->off,
                      "unknown type %u", s->type);
    if ((s->np || s->nr) &&
        !same_types(w, &w->types[s->type], p, s->np, results, s->nr))
        bri_text_fail(w->c, BR_TEXT_ERR_INLINE_TYPE, wat_tok(w, s->at)->off,
                      NULL);
    return s->type;
}

uint32_t
bri_wat_typeuse(wat_t *w, size_t *i, wat_names_t mode)
{
    sig_t s;
    uint32_t type;
    bool names = mode == TU_BIND;
    read_sig(w, i, &s, mode != TU_ANON, names);
    type = sig_type(w, &s);
    /* parameters of an explicit type without inline ones are locals too */
    if (names && s.has_type && s.np == 0 && type < w->ntypes) {
        const wat_type_t *t = &w->types[type];
        for (uint32_t k = 0; k < t->nparams; k++)
            bri_wat_bind_local(w, NULL,
                               wat_vt_at(w->valtypes.p + t->params, k));
    }
    return type;
}

void
bri_wat_blocktype(wat_t *w, size_t *i, tbuf_t *out)
{
    sig_t s;
    uint32_t type;
    const wat_type_t *t;
    read_sig(w, i, &s, false, false);
    if (!s.has_type && s.np == 0 && s.nr <= 1) {
        if (s.nr)
            bri_wat_put_valtype(w, out, wat_vt_at(w->scratch.p, 0));
        else
            bri_tbuf_byte(w->c, out, 0x40);
        return;
    }
    type = sig_type(w, &s);
    /* a type without parameters and at most one result has the short
     * encoding, whichever way it was written (as wat2wasm does) */
    t = type < w->ntypes ? &w->types[type] : NULL;
    if (t && t->nparams == 0 && t->nresults <= 1) {
        if (t->nresults)
            bri_wat_put_valtype(w, out,
                                wat_vt_at(w->valtypes.p + t->results, 0));
        else
            bri_tbuf_byte(w->c, out, 0x40);
        return;
    }
    bri_tbuf_s64(w->c, out, type);
}

/* ------------------------------------------------------------------ */
/* Type definitions (3.0: rec groups, sub, struct and array types)      */

/* A storage type: i8, i16 or a value type. */
static bool
storage_type(wat_t *w, size_t *j, uint32_t *out)
{
    const tok_t *t = wat_tok(w, *j);
    if (t->kind == TK_KEYWORD && bri_tok_is(w->c, t, "i8")) {
        *out = BRI_ST_CODE_I8;
        (*j)++;
        return true;
    }
    if (t->kind == TK_KEYWORD && bri_tok_is(w->c, t, "i16")) {
        *out = BRI_ST_CODE_I16;
        (*j)++;
        return true;
    }
    return bri_wat_valtype(w, j, out);
}

/* A field type: a storage type or "(mut st)"; false if neither. */
static bool
field_type(wat_t *w, size_t *j, uint32_t name_tok)
{
    uint32_t t;
    uint8_t mut = 0;
    if (wat_is_open(w, *j, "mut")) {
        size_t k = *j + 2;
        if (!storage_type(w, &k, &t))
            bri_wat_unexpected(w, k, "a storage type");
        bri_wat_expect_close(w, &k);
        *j = k;
        mut = 1;
    } else if (!storage_type(w, j, &t)) {
        return false;
    }
    wat_vt_push(w, &w->scratch, t);
    bri_tbuf_byte(w->c, &w->muts, mut);
    uint8_t nb[4];
    memcpy(nb, &name_tok, 4);
    bri_tbuf_bytes(w->c, &w->fnames, nb, 4);
    return true;
}

/* A field name must differ from the struct's earlier ones (from
 * fnames offset `first` on). */
static void
check_field_name(wat_t *w, uint32_t first, size_t k)
{
    const tok_t *t = wat_tok(w, k);
    for (size_t at = first; at + 4 <= w->fnames.len; at += 4) {
        uint32_t name;
        memcpy(&name, w->fnames.p + at, 4);
        if (name == UINT32_MAX)
            continue;
        const tok_t *n = wat_tok(w, name);
        if (n->len == t->len &&
            memcmp(w->c->src + n->off, w->c->src + t->off, t->len) == 0)
            bri_text_fail(w->c, BR_TEXT_ERR_DUPLICATE_ID, t->off,
                          "duplicate field %.*s",
                          (int)(t->len > 60 ? 60 : t->len),
                          w->c->src + t->off);
    }
}

/* "(struct (field $x? ft*)*)": its fields into scratch, muts, fnames. */
static void
struct_fields(wat_t *w, size_t *j)
{
    uint32_t first = (uint32_t)w->fnames.len;
    while (wat_is_open(w, *j, "field")) {
        size_t k = *j + 2;
        if (wat_tok(w, k)->kind == TK_ID) {
            check_field_name(w, first, k);
            uint32_t name = (uint32_t)k++;
            if (!field_type(w, &k, name))
                bri_wat_unexpected(w, k, "a field type");
        } else {
            while (field_type(w, &k, UINT32_MAX))
                ;
        }
        bri_wat_expect_close(w, &k);
        *j = k;
    }
}

/* A composite type at *j: (func ...), (struct ...) or (array ...);
 * appends it as a new type. */
static uint32_t
comp_type(wat_t *w, size_t *j)
{
    size_t k = *j;
    uint32_t idx;
    if (wat_is_open(w, k, "func")) {
        sig_t s;
        k += 2;
        read_sig(w, &k, &s, true, false);
        if (s.has_type)
            bri_wat_unexpected(w, s.at, "a parameter or result");
        idx = new_type(w, w->scratch.p, s.np, w->scratch.p + (size_t)s.np * 4,
                       s.nr);
    } else if (wat_is_open(w, k, "struct") || wat_is_open(w, k, "array")) {
        bool array = wat_is_open(w, k, "array");
        uint32_t fields = (uint32_t)w->muts.len;
        w->scratch.len = 0;
        k += 2;
        if (array) {
            if (!field_type(w, &k, UINT32_MAX))
                bri_wat_unexpected(w, k, "a field type");
        } else {
            struct_fields(w, &k);
        }
        uint32_t n = (uint32_t)(w->scratch.len / 4);
        idx = new_type(w, w->scratch.p, n, NULL, 0);
        w->types[idx].kind = array ? BRI_COMP_ARRAY : BRI_COMP_STRUCT;
        w->types[idx].fields = fields;
    } else {
        bri_wat_unexpected(w, k, "\"(func\", \"(struct\" or \"(array\"");
    }
    bri_wat_expect_close(w, &k);
    *j = k;
    return idx;
}

/* "(type $t? (sub final? $super? comptype))" or "(type $t? comptype)";
 * its name is bound already (bri_wat_bind_types). */
static void
one_type(wat_t *w, size_t i, bool rec)
{
    size_t j = i + 2;
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    uint32_t idx;
    if (wat_is_open(w, j, "sub")) {
        size_t k = j + 2;
        bool final_ = false;
        uint32_t super = UINT32_MAX;
        if (wat_tok(w, k)->kind == TK_KEYWORD &&
            bri_tok_is(w->c, wat_tok(w, k), "final")) {
            final_ = true;
            k++;
        }
        if (bri_wat_is_index(w, k))
            super = bri_wat_index(w, &k, SP_TYPE);
        idx = comp_type(w, &k);
        bri_wat_expect_close(w, &k);
        w->types[idx].final_ = final_;
        w->types[idx].super = super;
        j = k;
    } else {
        idx = comp_type(w, &j);
    }
    w->types[idx].rec = rec;
    bri_wat_expect_close(w, &j);
}

uint32_t
bri_wat_bind_types(wat_t *w, size_t i, uint32_t first)
{
    if (wat_is_open(w, i, "type")) {
        bri_wat_bind_id(w, i + 2, SP_TYPE, first, true);
        return 1;
    }
    uint32_t n = 0;
    for (size_t j = i + 2; wat_is_open(w, j, "type");
         j = tok_match(wat_tok(w, j)) + 1)
        bri_wat_bind_id(w, j + 2, SP_TYPE, first + n++, true);
    return n;
}

/* "(type ...)" or "(rec (type ...)*)" (pass 1). */
void
bri_wat_type_field(wat_t *w, size_t i)
{
    uint32_t first = w->ntypes;
    w->defining = true;
    if (wat_is_open(w, i, "type")) {
        one_type(w, i, false);
    } else {
        size_t j = i + 2;
        while (wat_is_open(w, j, "type")) {
            one_type(w, j, true);
            j = tok_match(wat_tok(w, j)) + 1;
        }
        if (wat_tok(w, j)->kind != TK_RPAREN)
            bri_wat_unexpected(w, j, "\"(type\"");
    }
    w->defining = false;
    if (first < w->ntypes) {
        w->types[first].group_size = w->ntypes - first;
        for (uint32_t k = first; k < w->ntypes; k++)
            hash_type(w, k);
    } else {
        /* an empty (rec): a group of no types */
        w->empty_recs++;
    }
}

uint32_t
bri_wat_field(wat_t *w, size_t *i, uint32_t type)
{
    const tok_t *t = wat_tok(w, *i);
    if (t->kind != TK_ID)
        return bri_wat_u32(w, i);
    if (type < w->ntypes) {
        const wat_type_t *ty = &w->types[type];
        for (uint32_t k = 0; ty->kind == BRI_COMP_STRUCT && k < ty->nparams;
             k++) {
            uint32_t name;
            memcpy(&name, w->fnames.p + (size_t)(ty->fields + k) * 4, 4);
            if (name == UINT32_MAX)
                continue;
            const tok_t *n = wat_tok(w, name);
            if (n->len == t->len &&
                memcmp(w->c->src + n->off, w->c->src + t->off, t->len) == 0) {
                (*i)++;
                return k;
            }
        }
    }
    bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_ID, t->off, "unknown field %.*s",
                  (int)(t->len > 60 ? 60 : t->len), w->c->src + t->off);
}

static void
put_fields(wat_t *w, tbuf_t *sec, const wat_type_t *t)
{
    if (t->kind == BRI_COMP_STRUCT) {
        bri_tbuf_byte(w->c, sec, 0x5F);
        bri_tbuf_u32(w->c, sec, t->nparams);
    } else {
        bri_tbuf_byte(w->c, sec, 0x5E);
    }
    for (uint32_t x = 0; x < t->nparams; x++) {
        uint32_t v = wat_vt_at(w->valtypes.p + t->params, x);
        if (v == BRI_ST_CODE_I8 || v == BRI_ST_CODE_I16)
            bri_tbuf_byte(w->c, sec, (uint8_t)v);
        else
            bri_wat_put_valtype(w, sec, v);
        bri_tbuf_byte(w->c, sec, w->muts.p[t->fields + x]);
    }
}

static void
put_type(wat_t *w, tbuf_t *sec, const wat_type_t *t)
{
    if (!t->final_ || t->super != UINT32_MAX) {
        bri_tbuf_byte(w->c, sec, t->final_ ? 0x4F : 0x50);
        bri_tbuf_u32(w->c, sec, t->super != UINT32_MAX);
        if (t->super != UINT32_MAX)
            bri_tbuf_u32(w->c, sec, t->super);
    }
    if (t->kind != BRI_COMP_FUNC) {
        put_fields(w, sec, t);
        return;
    }
    bri_tbuf_byte(w->c, sec, 0x60);
    bri_tbuf_u32(w->c, sec, t->nparams);
    for (uint32_t x = 0; x < t->nparams; x++)
        bri_wat_put_valtype(w, sec, wat_vt_at(w->valtypes.p + t->params, x));
    bri_tbuf_u32(w->c, sec, t->nresults);
    for (uint32_t x = 0; x < t->nresults; x++)
        bri_wat_put_valtype(w, sec, wat_vt_at(w->valtypes.p + t->results, x));
}

void
bri_wat_type_section(wat_t *w)
{
    tbuf_t *sec = &w->sec[SEC_TYPE];
    uint32_t entries = 0;
    for (uint32_t k = 0; k < w->ntypes;) {
        const wat_type_t *t = &w->types[k];
        uint32_t n = k < w->explicit_types ? t->group_size : 1;
        if (t->rec) {
            bri_tbuf_byte(w->c, sec, 0x4E);
            bri_tbuf_u32(w->c, sec, n);
        }
        for (uint32_t x = 0; x < n; x++)
            put_type(w, sec, &w->types[k + x]);
        entries++;
        k += n;
    }
    for (uint32_t k = 0; k < w->empty_recs; k++) {
        bri_tbuf_byte(w->c, sec, 0x4E);
        bri_tbuf_u32(w->c, sec, 0);
        entries++;
    }
    w->sec_count[SEC_TYPE] = entries;
}
