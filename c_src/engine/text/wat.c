/*
 * beamr engine, text format: WAT modules to binary. Two passes over the
 * module fields: the first binds every name and reads the explicit
 * (type) definitions (indices follow text order, since imports must come
 * before definitions); the second encodes each field into its section,
 * expanding the abbreviations (inline imports, exports, elem and data)
 * in place. Sections are then written in binary order.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "text/wat.h"

/* ------------------------------------------------------------------ */
/* Pass 1: names and counts                                            */

typedef struct collect {
    const char *first_def; /* keyword of the first definition, or NULL */
} collect_t;

static wat_space_t
space_of(const wat_t *w, const tok_t *kw, bool *ok)
{
    static const char *const kws[] = {"func", "table", "memory", "global",
                                      "tag"};
    static const wat_space_t sps[] = {SP_FUNC, SP_TABLE, SP_MEMORY, SP_GLOBAL,
                                      SP_TAG};
    for (size_t k = 0; k < 5; k++) {
        if (kw->kind == TK_KEYWORD && bri_tok_is(w->c, kw, kws[k])) {
            *ok = true;
            return sps[k];
        }
    }
    *ok = false;
    return SP_FUNC;
}

static void
check_import_order(wat_t *w, const collect_t *col, size_t i)
{
    if (col->first_def)
        bri_text_fail(w->c, BR_TEXT_ERR_IMPORT_AFTER, wat_tok(w, i)->off,
                      "import after %s", col->first_def);
}

/* Records a memory's or table's index type in pass 1. */
static void
note_index_type(wat_t *w, wat_space_t space, size_t j)
{
    uint8_t **flags = space == SP_MEMORY ? &w->mem64 : &w->table64;
    uint32_t n = w->counts[space];
    /* capacity 4, then doubled whenever a power of two is full */
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0))
        *flags = bri_text_grow(w->c, *flags, n, n ? n * 2 : 4);
    (*flags)[n] = wat_tok(w, j)->kind == TK_KEYWORD &&
                  bri_tok_is(w->c, wat_tok(w, j), "i64");
}

/* An entity field: $id? (export ...)* ((import ...) | definition). */
static void
collect_entity(wat_t *w, size_t i, wat_space_t space, collect_t *col)
{
    const tok_t *kw = wat_tok(w, i + 1);
    size_t j = bri_wat_bind_id(w, i + 2, space, w->counts[space], true);
    bool import = false;
    while (wat_is_open(w, j, "export"))
        j = tok_match(wat_tok(w, j)) + 1;
    if (wat_is_open(w, j, "import")) {
        check_import_order(w, col, i);
        import = true;
        w->imports[space]++;
        j = tok_match(wat_tok(w, j)) + 1;
    } else if (!col->first_def && space != SP_TAG) {
        static const char *const defs[] = {NULL, "function", "table", "memory",
                                           "global"};
        col->first_def = defs[space];
    }
    (void)kw;
    if (space == SP_MEMORY || space == SP_TABLE)
        note_index_type(w, space, j);
    if (!import && space == SP_TABLE) {
        /* types may be named later in the text: skipped, not read */
        size_t k = j;
        if (wat_tok(w, k)->kind == TK_KEYWORD &&
            bri_tok_is(w->c, wat_tok(w, k), "i64"))
            k++;
        k = bri_wat_skip_valtype(w, k);
        if (wat_is_open(w, k, "elem"))
            w->counts[SP_ELEM]++;
    }
    if (!import && space == SP_MEMORY) {
        size_t k = j;
        if (wat_tok(w, k)->kind == TK_KEYWORD &&
            bri_tok_is(w->c, wat_tok(w, k), "i64"))
            k++;
        if (wat_is_open(w, k, "data"))
            w->counts[SP_DATA]++;
    }
    w->counts[space]++;
}

static void
collect_import(wat_t *w, size_t i, collect_t *col)
{
    size_t j = i + 2;
    bool ok;
    wat_space_t space;
    check_import_order(w, col, i);
    if (wat_tok(w, j)->kind != TK_STRING ||
        wat_tok(w, j + 1)->kind != TK_STRING)
        bri_wat_unexpected(w, j, "the import's module and field names");
    j += 2;
    if (wat_tok(w, j)->kind != TK_LPAREN)
        bri_wat_unexpected(w, j, "an import description");
    space = space_of(w, wat_tok(w, j + 1), &ok);
    if (!ok)
        bri_wat_unexpected(w, j + 1, "an import kind");
    bri_wat_bind_id(w, j + 2, space, w->counts[space], true);
    if (space == SP_MEMORY || space == SP_TABLE)
        note_index_type(w, space,
                        wat_tok(w, j + 2)->kind == TK_ID ? j + 3 : j + 2);
    w->imports[space]++;
    w->counts[space]++;
}

static void
collect_field(wat_t *w, size_t i, collect_t *col)
{
    const tok_t *kw = wat_tok(w, i + 1);
    bool ok;
    wat_space_t space;
    if (kw->kind != TK_KEYWORD)
        bri_wat_unexpected(w, i + 1, "a module field");
    if (bri_tok_is(w->c, kw, "type") || bri_tok_is(w->c, kw, "rec")) {
        bri_wat_type_field(w, i);
        return;
    }
    if (bri_tok_is(w->c, kw, "import")) {
        collect_import(w, i, col);
        return;
    }
    space = space_of(w, kw, &ok);
    if (ok) {
        collect_entity(w, i, space, col);
    } else if (bri_tok_is(w->c, kw, "elem") || bri_tok_is(w->c, kw, "data")) {
        space = bri_tok_is(w->c, kw, "elem") ? SP_ELEM : SP_DATA;
        bri_wat_bind_id(w, i + 2, space, w->counts[space], true);
        w->counts[space]++;
    } else if (!bri_tok_is(w->c, kw, "export") &&
               !bri_tok_is(w->c, kw, "start")) {
        bri_text_fail(w->c, BR_TEXT_ERR_UNEXPECTED_TOKEN, kw->off,
                      "unexpected token \"%.*s\" (expected a module field)",
                      (int)(kw->len > 40 ? 40 : kw->len), w->c->src + kw->off);
    }
}

/* ------------------------------------------------------------------ */
/* Pass 2: encoding                                                    */

static void
put_name(wat_t *w, tbuf_t *out, size_t *i, bool utf8)
{
    const tok_t *t = wat_tok(w, *i);
    size_t start;
    if (t->kind != TK_STRING)
        bri_wat_unexpected(w, *i, "a string");
    w->scratch.len = 0;
    bri_lit_string(w->c, t, &w->scratch);
    start = w->scratch.len;
    if (utf8 && !bri_utf8_valid(w->scratch.p, start))
        bri_text_fail(w->c, BR_TEXT_ERR_MALFORMED_UTF8, t->off, NULL);
    bri_tbuf_u32(w->c, out, start);
    bri_tbuf_bytes(w->c, out, w->scratch.p, start);
    (*i)++;
}

/* Inline "(export "name")"s of an entity with `index`. */
static size_t
inline_exports(wat_t *w, size_t j, uint8_t kind, uint32_t index)
{
    while (wat_is_open(w, j, "export")) {
        tbuf_t *sec = &w->sec[SEC_EXPORT];
        j += 2;
        put_name(w, sec, &j, true);
        bri_tbuf_byte(w->c, sec, kind);
        bri_tbuf_u32(w->c, sec, index);
        w->sec_count[SEC_EXPORT]++;
        bri_wat_expect_close(w, &j);
    }
    return j;
}

/* "(pagesize N)" (custom-page-sizes): N a power of two, encoded as its
 * log2 (the validator then accepts 1 and 65536 only); -1 if absent. */
static int
opt_pagesize(wat_t *w, size_t *j)
{
    uint64_t n;
    int log2 = 0;
    if (!wat_is_open(w, *j, "pagesize"))
        return -1;
    *j += 2;
    const tok_t *t = wat_tok(w, *j);
    if (t->kind != TK_NUM || !bri_lit_uint(w->c, t, 64, &n))
        bri_wat_unexpected(w, *j, "a page size");
    if (n == 0 || (n & (n - 1)) != 0)
        bri_text_fail(w->c, BR_TEXT_ERR_PAGE_SIZE, t->off, NULL);
    while ((n >>= 1) != 0)
        log2++;
    (*j)++;
    bri_wat_expect_close(w, j);
    return log2;
}

/* Limits "min max? shared? (pagesize N)?" with the flags of the index
 * type, sharing and a custom page size (its log2 follows the limits). */
static void
limits(wat_t *w, size_t *i, tbuf_t *out, bool is64, bool memory)
{
    size_t j = *i;
    uint64_t min, max = 0;
    bool has_max = false, shared = false;
    int page = -1;
    const tok_t *t = wat_tok(w, j);
    if (t->kind != TK_NUM || !bri_lit_uint(w->c, t, is64 ? 64 : 32, &min))
        bri_wat_unexpected(w, j, "limits");
    j++;
    t = wat_tok(w, j);
    if (t->kind == TK_NUM) {
        if (!bri_lit_uint(w->c, t, is64 ? 64 : 32, &max))
            bri_text_fail(w->c, BR_TEXT_ERR_OUT_OF_RANGE, t->off, NULL);
        has_max = true;
        j++;
    }
    if (memory && wat_tok(w, j)->kind == TK_KEYWORD &&
        bri_tok_is(w->c, wat_tok(w, j), "shared")) {
        shared = true;
        j++;
    }
    if (memory)
        page = opt_pagesize(w, &j);
    bri_tbuf_byte(
        w->c, out,
        (uint8_t)(has_max | (shared << 1) | (is64 << 2) | ((page >= 0) << 3)));
    bri_tbuf_u32(w->c, out, min);
    if (has_max)
        bri_tbuf_u32(w->c, out, max);
    if (page >= 0)
        bri_tbuf_u32(w->c, out, (uint32_t)page);
    *i = j;
}

static bool
opt_i64(wat_t *w, size_t *j)
{
    if (wat_tok(w, *j)->kind == TK_KEYWORD &&
        bri_tok_is(w->c, wat_tok(w, *j), "i64")) {
        (*j)++;
        return true;
    }
    if (wat_tok(w, *j)->kind == TK_KEYWORD &&
        bri_tok_is(w->c, wat_tok(w, *j), "i32"))
        (*j)++;
    return false;
}

static void
tabletype(wat_t *w, size_t *i, tbuf_t *out)
{
    size_t j = *i;
    uint32_t rt;
    bool is64 = opt_i64(w, &j);
    tbuf_t lim = {0};
    limits(w, &j, &lim, is64, false);
    if (!bri_wat_reftype(w, &j, &rt))
        bri_wat_unexpected(w, j, "a reference type");
    bri_wat_put_valtype(w, out, rt);
    bri_tbuf_bytes(w->c, out, lim.p, lim.len);
    *i = j;
}

static void
memtype(wat_t *w, size_t *i, tbuf_t *out)
{
    bool is64 = opt_i64(w, i);
    limits(w, i, out, is64, true);
}

static void
globaltype(wat_t *w, size_t *i, tbuf_t *out)
{
    size_t j = *i;
    uint32_t v;
    bool mut = false;
    if (wat_is_open(w, j, "mut")) {
        j += 2;
        mut = true;
    }
    if (!bri_wat_valtype(w, &j, &v))
        bri_wat_unexpected(w, j, "a value type");
    if (mut)
        bri_wat_expect_close(w, &j);
    bri_wat_put_valtype(w, out, v);
    bri_tbuf_byte(w->c, out, mut);
    *i = j;
}

/* The description of an import of `space` at token j (after the $id). */
static void
import_desc(wat_t *w, size_t *j, wat_space_t space, tbuf_t *out)
{
    static const uint8_t kinds[] = {[SP_FUNC] = 0,
                                    [SP_TABLE] = 1,
                                    [SP_MEMORY] = 2,
                                    [SP_GLOBAL] = 3,
                                    [SP_TAG] = 4};
    bri_tbuf_byte(w->c, out, kinds[space]);
    switch (space) {
    case SP_FUNC:
        bri_tbuf_u32(w->c, out, bri_wat_typeuse(w, j, TU_NAMED));
        break;
    case SP_TAG:
        bri_tbuf_byte(w->c, out, 0);
        bri_tbuf_u32(w->c, out, bri_wat_typeuse(w, j, TU_NAMED));
        break;
    case SP_TABLE:
        tabletype(w, j, out);
        break;
    case SP_MEMORY:
        memtype(w, j, out);
        break;
    default:
        globaltype(w, j, out);
        break;
    }
}

static void
import_field(wat_t *w, size_t i, uint32_t *next)
{
    size_t j = i + 2;
    tbuf_t *sec = &w->sec[SEC_IMPORT];
    bool ok;
    wat_space_t space;
    put_name(w, sec, &j, true);
    put_name(w, sec, &j, true);
    space = space_of(w, wat_tok(w, j + 1), &ok);
    next[space]++;
    j += 2;
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    import_desc(w, &j, space, sec);
    bri_wat_expect_close(w, &j);
    bri_wat_expect_close(w, &j);
    w->sec_count[SEC_IMPORT]++;
}

/* "(import "m" "n")" inside an entity field, then the description. */
static void
inline_import(wat_t *w, size_t *j, wat_space_t space)
{
    tbuf_t *sec = &w->sec[SEC_IMPORT];
    *j += 2;
    put_name(w, sec, j, true);
    put_name(w, sec, j, true);
    bri_wat_expect_close(w, j);
    import_desc(w, j, space, sec);
    w->sec_count[SEC_IMPORT]++;
}

/* Locals, compressed into runs of one type. */
static void
encode_locals(wat_t *w, uint32_t first, tbuf_t *out)
{
    uint32_t runs = 0;
    for (uint32_t k = first; k < w->nlocals; k++)
        if (k == first || w->local_types[k] != w->local_types[k - 1])
            runs++;
    bri_tbuf_u32(w->c, out, runs);
    for (uint32_t k = first; k < w->nlocals;) {
        uint32_t n = 1;
        while (k + n < w->nlocals && w->local_types[k + n] == w->local_types[k])
            n++;
        bri_tbuf_u32(w->c, out, n);
        bri_wat_put_valtype(w, out, w->local_types[k]);
        k += n;
    }
}

static void
local_decls(wat_t *w, size_t *j)
{
    while (wat_is_open(w, *j, "local")) {
        size_t k = *j + 2;
        uint32_t v;
        if (wat_tok(w, k)->kind == TK_ID) {
            const tok_t *name = wat_tok(w, k++);
            if (!bri_wat_valtype(w, &k, &v))
                bri_wat_unexpected(w, k, "a value type");
            bri_wat_bind_local(w, name, v);
        } else {
            while (bri_wat_valtype(w, &k, &v))
                bri_wat_bind_local(w, NULL, v);
        }
        bri_wat_expect_close(w, &k);
        *j = k;
    }
}

static void
func_field(wat_t *w, size_t i, uint32_t index)
{
    size_t j = i + 2;
    uint32_t type, nparams;
    tbuf_t *code = &w->sec[SEC_CODE];
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    j = inline_exports(w, j, 0, index);
    if (wat_is_open(w, j, "import")) {
        inline_import(w, &j, SP_FUNC);
        bri_wat_expect_close(w, &j);
        return;
    }
    bri_tmap_clear(&w->locals);
    w->nlocals = 0;
    type = bri_wat_typeuse(w, &j, TU_BIND);
    nparams = w->nlocals;
    bri_tbuf_u32(w->c, &w->sec[SEC_FUNC], type);
    w->sec_count[SEC_FUNC]++;
    local_decls(w, &j);
    w->body.len = 0;
    encode_locals(w, nparams, &w->body);
    bri_wat_instrs(w, &j, &w->body);
    bri_tbuf_byte(w->c, &w->body, 0x0B);
    bri_wat_expect_close(w, &j);
    if (w->c->locate != NULL) {
        uint32_t at[2] = {(uint32_t)code->len, wat_tok(w, i)->off};
        bri_tbuf_bytes(w->c, &w->c->locate->bodies, at, sizeof at);
    }
    bri_tbuf_u32(w->c, code, w->body.len);
    bri_tbuf_bytes(w->c, code, w->body.p, w->body.len);
    w->sec_count[SEC_CODE]++;
}

/* An active segment's offset: "(offset instr*)" or one folded
 * instruction. */
static void
offset_expr(wat_t *w, size_t *j, tbuf_t *out)
{
    if (wat_is_open(w, *j, "offset")) {
        size_t close = tok_match(wat_tok(w, *j));
        *j += 2;
        bri_wat_const_expr(w, j, out);
        if (*j != close)
            bri_wat_unexpected(w, *j, "\")\"");
        (*j)++;
        return;
    }
    if (wat_tok(w, *j)->kind != TK_LPAREN)
        bri_wat_unexpected(w, *j, "an offset expression");
    {
        /* one folded instruction: parse it as the only instruction of
         * an expression that ends at its own ')' */
        size_t close = tok_match(wat_tok(w, *j));
        size_t k = *j;
        bri_wat_instrs_one(w, &k, out);
        if (k != close + 1)
            bri_wat_unexpected(w, k, "\")\"");
        bri_tbuf_byte(w->c, out, 0x0B);
        *j = k;
    }
}

static void
const_i32_zero(wat_t *w, tbuf_t *out, bool is64)
{
    bri_tbuf_byte(w->c, out, is64 ? 0x42 : 0x41);
    bri_tbuf_byte(w->c, out, 0);
    bri_tbuf_byte(w->c, out, 0x0B);
}

/* Elem items: function indices ("func x*") into `out` as indices, or
 * expressions ("(item e*)" or one folded instruction). */
static uint32_t
elem_indices(wat_t *w, size_t *j, tbuf_t *out)
{
    uint32_t n = 0;
    while (bri_wat_is_index(w, *j)) {
        bri_tbuf_u32(w->c, out, bri_wat_index(w, j, SP_FUNC));
        n++;
    }
    return n;
}

static uint32_t
elem_exprs(wat_t *w, size_t *j, tbuf_t *out)
{
    uint32_t n = 0;
    while (wat_tok(w, *j)->kind == TK_LPAREN) {
        if (wat_is_open(w, *j, "item")) {
            size_t close = tok_match(wat_tok(w, *j));
            *j += 2;
            bri_wat_const_expr(w, j, out);
            if (*j != close)
                bri_wat_unexpected(w, *j, "\")\"");
            (*j)++;
        } else {
            size_t close = tok_match(wat_tok(w, *j));
            bri_wat_instrs_one(w, j, out);
            if (*j != close + 1)
                bri_wat_unexpected(w, *j, "\")\"");
            bri_tbuf_byte(w->c, out, 0x0B);
        }
        n++;
    }
    return n;
}

typedef enum seg_mode { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARE } seg_mode_t;

/* The LEB128 function indices of `items` as (ref.func x) expressions. */
static void
indices_to_exprs(wat_t *w, const tbuf_t *items, tbuf_t *out)
{
    size_t k = 0;
    while (k < items->len) {
        size_t start = k;
        while (k < items->len && (items->p[k] & 0x80))
            k++;
        k++; /* the last byte of the index */
        bri_tbuf_byte(w->c, out, 0xD2);
        bri_tbuf_bytes(w->c, out, items->p + start, k - start);
        bri_tbuf_byte(w->c, out, 0x0B);
    }
}

/* Writes an elem segment. `exprs`: items are expressions of `rt`. */
static void
put_elem(wat_t *w, seg_mode_t mode, uint32_t table, bool explicit_table,
         const tbuf_t *offset, bool exprs, uint32_t rt, uint32_t n,
         const tbuf_t *items)
{
    tbuf_t *sec = &w->sec[SEC_ELEM];
    tbuf_t indices = {0};
    uint8_t flags;
    (void)explicit_table;
    /* 3.0: an index list holds (ref func); a table's inline list of
     * another type becomes (ref.func x) expressions of its type, and
     * funcref expressions stay expressions (their type is funcref) */
    if (!exprs && rt != BR_FUNCREF) {
        indices_to_exprs(w, items, &indices);
        exprs = true;
        items = &indices;
    }
    flags = exprs ? 4 : 0;
    if (mode == SEG_PASSIVE)
        flags |= 1;
    else if (mode == SEG_DECLARE)
        flags |= 3;
    else if (table != 0 || (exprs && rt != BR_FUNCREF))
        flags |= 2;
    bri_tbuf_byte(w->c, sec, flags);
    if (mode == SEG_ACTIVE && (flags & 2))
        bri_tbuf_u32(w->c, sec, table);
    if (mode == SEG_ACTIVE)
        bri_tbuf_bytes(w->c, sec, offset->p, offset->len);
    if ((flags & 3) && exprs)
        bri_wat_put_valtype(w, sec, rt);
    else if (flags & 3)
        bri_tbuf_byte(w->c, sec, 0x00); /* elemkind funcref */
    bri_tbuf_u32(w->c, sec, n);
    bri_tbuf_bytes(w->c, sec, items->p, items->len);
    w->sec_count[SEC_ELEM]++;
}

static void
elem_field(wat_t *w, size_t i)
{
    size_t j = i + 2;
    seg_mode_t mode = SEG_PASSIVE;
    uint32_t table = 0, n;
    bool explicit_table = false, exprs = false;
    uint32_t rt = BR_FUNCREF;
    tbuf_t offset = {0}, items = {0};
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    if (wat_tok(w, j)->kind == TK_KEYWORD &&
        bri_tok_is(w->c, wat_tok(w, j), "declare")) {
        mode = SEG_DECLARE;
        j++;
    } else {
        if (wat_is_open(w, j, "table")) {
            j += 2;
            table = bri_wat_index(w, &j, SP_TABLE);
            bri_wat_expect_close(w, &j);
            explicit_table = true;
            mode = SEG_ACTIVE;
        }
        /* "(ref ...)" is the passive segment's type, not an offset */
        if (wat_tok(w, j)->kind == TK_LPAREN && !wat_is_open(w, j, "ref")) {
            offset_expr(w, &j, &offset);
            mode = SEG_ACTIVE;
        } else if (explicit_table) {
            bri_wat_unexpected(w, j, "an offset expression");
        }
    }
    if (wat_tok(w, j)->kind == TK_KEYWORD &&
        bri_tok_is(w->c, wat_tok(w, j), "func")) {
        j++;
        n = elem_indices(w, &j, &items);
    } else if (bri_wat_reftype(w, &j, &rt)) {
        exprs = true;
        n = elem_exprs(w, &j, &items);
    } else if (mode == SEG_ACTIVE && !explicit_table) {
        n = elem_indices(w, &j, &items); /* the 1.0 abbreviation */
    } else {
        bri_wat_unexpected(w, j, "an element list");
    }
    bri_wat_expect_close(w, &j);
    put_elem(w, mode, table, explicit_table, &offset, exprs, rt, n, &items);
}

static void
put_data(wat_t *w, bool active, uint32_t mem, const tbuf_t *offset,
         const tbuf_t *bytes)
{
    tbuf_t *sec = &w->sec[SEC_DATA];
    if (!active) {
        bri_tbuf_byte(w->c, sec, 1);
    } else if (mem == 0) {
        bri_tbuf_byte(w->c, sec, 0);
    } else {
        bri_tbuf_byte(w->c, sec, 2);
        bri_tbuf_u32(w->c, sec, mem);
    }
    if (active)
        bri_tbuf_bytes(w->c, sec, offset->p, offset->len);
    bri_tbuf_u32(w->c, sec, bytes->len);
    bri_tbuf_bytes(w->c, sec, bytes->p, bytes->len);
    w->sec_count[SEC_DATA]++;
}

static void
data_strings(wat_t *w, size_t *j, tbuf_t *out)
{
    while (wat_tok(w, *j)->kind == TK_STRING) {
        bri_lit_string(w->c, wat_tok(w, *j), out);
        (*j)++;
    }
}

static void
data_field(wat_t *w, size_t i)
{
    size_t j = i + 2;
    uint32_t mem = 0;
    bool active = false;
    tbuf_t offset = {0}, bytes = {0};
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    if (wat_is_open(w, j, "memory")) {
        j += 2;
        mem = bri_wat_index(w, &j, SP_MEMORY);
        bri_wat_expect_close(w, &j);
        if (wat_tok(w, j)->kind != TK_LPAREN)
            bri_wat_unexpected(w, j, "an offset expression");
    }
    if (wat_tok(w, j)->kind == TK_LPAREN) {
        offset_expr(w, &j, &offset);
        active = true;
    }
    data_strings(w, &j, &bytes);
    bri_wat_expect_close(w, &j);
    put_data(w, active, mem, &offset, &bytes);
}

static void
table_field(wat_t *w, size_t i, uint32_t index)
{
    size_t j = i + 2;
    uint32_t rt;
    tbuf_t *sec = &w->sec[SEC_TABLE];
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    j = inline_exports(w, j, 1, index);
    size_t k = j;
    bool is64 = opt_i64(w, &k); /* (table i64 reftype (elem ...)) */
    if (wat_is_open(w, j, "import")) {
        inline_import(w, &j, SP_TABLE);
    } else if (bri_wat_reftype(w, &k, &rt)) {
        /* (table i64? reftype (elem ...)): sized to the list */
        tbuf_t items = {0}, offset = {0};
        uint32_t n;
        bool exprs;
        j = k;
        if (!wat_is_open(w, j, "elem"))
            bri_wat_unexpected(w, j, "\"(elem\"");
        j += 2;
        exprs = wat_tok(w, j)->kind == TK_LPAREN;
        n = exprs ? elem_exprs(w, &j, &items) : elem_indices(w, &j, &items);
        bri_wat_expect_close(w, &j);
        bri_wat_put_valtype(w, sec, rt);
        bri_tbuf_byte(w->c, sec, (uint8_t)(1 | (is64 << 2)));
        bri_tbuf_u32(w->c, sec, n);
        bri_tbuf_u32(w->c, sec, n);
        const_i32_zero(w, &offset, is64);
        put_elem(w, SEG_ACTIVE, index, false, &offset, exprs, rt, n, &items);
        w->sec_count[SEC_TABLE]++;
    } else {
        /* "limits reftype expr?": with an initializer expression (3.0)
         * the table is 0x40 0x00 tabletype expr */
        tbuf_t tt = {0};
        tabletype(w, &j, &tt);
        if (wat_tok(w, j)->kind == TK_LPAREN) {
            bri_tbuf_byte(w->c, sec, 0x40);
            bri_tbuf_byte(w->c, sec, 0x00);
            bri_tbuf_bytes(w->c, sec, tt.p, tt.len);
            bri_wat_const_expr(w, &j, sec);
        } else {
            bri_tbuf_bytes(w->c, sec, tt.p, tt.len);
        }
        w->sec_count[SEC_TABLE]++;
    }
    bri_wat_expect_close(w, &j);
}

static void
memory_field(wat_t *w, size_t i, uint32_t index)
{
    size_t j = i + 2;
    tbuf_t *sec = &w->sec[SEC_MEMORY];
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    j = inline_exports(w, j, 2, index);
    if (wat_is_open(w, j, "import")) {
        inline_import(w, &j, SP_MEMORY);
    } else {
        size_t k = j;
        bool is64 = opt_i64(w, &k);
        int page = opt_pagesize(w, &k);
        if (wat_is_open(w, k, "data")) {
            tbuf_t bytes = {0}, offset = {0};
            uint64_t pages,
                size = page >= 0 ? (uint64_t)1 << page : BR_PAGE_SIZE;
            k += 2;
            data_strings(w, &k, &bytes);
            bri_wat_expect_close(w, &k);
            pages = (bytes.len + size - 1) / size;
            bri_tbuf_byte(w->c, sec,
                          (uint8_t)(1 | (is64 << 2) | ((page >= 0) << 3)));
            bri_tbuf_u32(w->c, sec, pages);
            bri_tbuf_u32(w->c, sec, pages);
            if (page >= 0)
                bri_tbuf_u32(w->c, sec, (uint32_t)page);
            const_i32_zero(w, &offset, is64);
            put_data(w, true, index, &offset, &bytes);
            j = k;
        } else {
            memtype(w, &j, sec);
        }
        w->sec_count[SEC_MEMORY]++;
    }
    bri_wat_expect_close(w, &j);
}

static void
global_field(wat_t *w, size_t i, uint32_t index)
{
    size_t j = i + 2;
    tbuf_t *sec = &w->sec[SEC_GLOBAL];
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    j = inline_exports(w, j, 3, index);
    if (wat_is_open(w, j, "import")) {
        inline_import(w, &j, SP_GLOBAL);
    } else {
        globaltype(w, &j, sec);
        bri_wat_const_expr(w, &j, sec);
        w->sec_count[SEC_GLOBAL]++;
    }
    bri_wat_expect_close(w, &j);
}

static void
tag_field(wat_t *w, size_t i, uint32_t index)
{
    size_t j = i + 2;
    tbuf_t *sec = &w->sec[SEC_TAG];
    if (wat_tok(w, j)->kind == TK_ID)
        j++;
    j = inline_exports(w, j, 4, index);
    if (wat_is_open(w, j, "import")) {
        inline_import(w, &j, SP_TAG);
    } else {
        bri_tbuf_byte(w->c, sec, 0);
        bri_tbuf_u32(w->c, sec, bri_wat_typeuse(w, &j, TU_NAMED));
        w->sec_count[SEC_TAG]++;
    }
    bri_wat_expect_close(w, &j);
}

static void
export_field(wat_t *w, size_t i)
{
    size_t j = i + 2;
    tbuf_t *sec = &w->sec[SEC_EXPORT];
    bool ok;
    wat_space_t space;
    static const uint8_t kinds[] = {[SP_FUNC] = 0,
                                    [SP_TABLE] = 1,
                                    [SP_MEMORY] = 2,
                                    [SP_GLOBAL] = 3,
                                    [SP_TAG] = 4};
    put_name(w, sec, &j, true);
    if (wat_tok(w, j)->kind != TK_LPAREN)
        bri_wat_unexpected(w, j, "an export description");
    space = space_of(w, wat_tok(w, j + 1), &ok);
    if (!ok)
        bri_wat_unexpected(w, j + 1, "an export kind");
    j += 2;
    bri_tbuf_byte(w->c, sec, kinds[space]);
    bri_tbuf_u32(w->c, sec, bri_wat_index(w, &j, space));
    bri_wat_expect_close(w, &j);
    bri_wat_expect_close(w, &j);
    w->sec_count[SEC_EXPORT]++;
}

static void
start_field(wat_t *w, size_t i)
{
    size_t j = i + 2;
    if (w->has_start)
        bri_text_fail(w->c, BR_TEXT_ERR_MULTIPLE_START, wat_tok(w, i)->off,
                      NULL);
    w->has_start = true;
    bri_tbuf_u32(w->c, &w->sec[SEC_START], bri_wat_index(w, &j, SP_FUNC));
    bri_wat_expect_close(w, &j);
}

static void
encode_field(wat_t *w, size_t i, uint32_t *next)
{
    const tok_t *kw = wat_tok(w, i + 1);
    if (bri_tok_is(w->c, kw, "type") || bri_tok_is(w->c, kw, "rec"))
        return;
    if (bri_tok_is(w->c, kw, "import"))
        import_field(w, i, next);
    else if (bri_tok_is(w->c, kw, "func"))
        func_field(w, i, next[SP_FUNC]++);
    else if (bri_tok_is(w->c, kw, "table"))
        table_field(w, i, next[SP_TABLE]++);
    else if (bri_tok_is(w->c, kw, "memory"))
        memory_field(w, i, next[SP_MEMORY]++);
    else if (bri_tok_is(w->c, kw, "global"))
        global_field(w, i, next[SP_GLOBAL]++);
    else if (bri_tok_is(w->c, kw, "tag"))
        tag_field(w, i, next[SP_TAG]++);
    else if (bri_tok_is(w->c, kw, "export"))
        export_field(w, i);
    else if (bri_tok_is(w->c, kw, "start"))
        start_field(w, i);
    else if (bri_tok_is(w->c, kw, "elem"))
        elem_field(w, i);
    else if (bri_tok_is(w->c, kw, "data"))
        data_field(w, i);
}

/* ------------------------------------------------------------------ */
/* Assembly                                                            */

static void
put_section(wat_t *w, tbuf_t *out, uint8_t id, bool counted)
{
    tbuf_t *sec = &w->sec[id];
    uint8_t lenbuf[10];
    tbuf_t cnt = {lenbuf, 0, sizeof lenbuf};
    if (counted && w->sec_count[id] == 0)
        return;
    if (counted)
        bri_tbuf_u32(w->c, &cnt, w->sec_count[id]);
    bri_tbuf_byte(w->c, out, id);
    bri_tbuf_u32(w->c, out, cnt.len + sec->len);
    bri_tbuf_bytes(w->c, out, cnt.p, cnt.len);
    if (id == SEC_CODE && w->c->locate != NULL) {
        w->c->locate->code_start = out->len;
        w->c->locate->code_end = out->len + sec->len;
    }
    bri_tbuf_bytes(w->c, out, sec->p, sec->len);
}

/* The @custom sections placed at `position` (text/annot.c). */
static void
put_customs(wat_t *w, tbuf_t *out, uint32_t position)
{
    bri_annot_customs(w->c, w->first, w->end, position, out);
}

/* A section with the custom sections placed before and after it. */
static void
place_section(wat_t *w, tbuf_t *out, uint8_t id, bool counted, bool present)
{
    put_customs(w, out, bri_annot_position(id, false));
    if (present)
        put_section(w, out, id, counted);
    put_customs(w, out, bri_annot_position(id, true));
}

static void
assemble(wat_t *w, tbuf_t *out)
{
    static const uint8_t order[] = {SEC_TYPE,   SEC_IMPORT, SEC_FUNC,
                                    SEC_TABLE,  SEC_MEMORY, SEC_TAG,
                                    SEC_GLOBAL, SEC_EXPORT};
    static const uint8_t order2[] = {SEC_ELEM, SEC_DATACOUNT, SEC_CODE,
                                     SEC_DATA};
    bri_wat_type_section(w);
    bri_tbuf_bytes(w->c, out, "\0asm\1\0\0\0", 8);
    put_customs(w, out, 0); /* (before first) */
    for (size_t k = 0; k < sizeof order; k++)
        place_section(w, out, order[k], true, true);
    place_section(w, out, SEC_START, false, w->has_start);
    /* the data count section only where memory.init or data.drop need
     * it (as the reference encoder does) */
    if (w->uses_data_count)
        bri_tbuf_u32(w->c, &w->sec[SEC_DATACOUNT], w->counts[SP_DATA]);
    for (size_t k = 0; k < sizeof order2; k++)
        place_section(w, out, order2[k], order2[k] != SEC_DATACOUNT,
                      order2[k] != SEC_DATACOUNT || w->uses_data_count);
    put_customs(w, out, bri_annot_last());
}

void
bri_wat_encode(tctx_t *c, size_t first, size_t end, tbuf_t *out)
{
    wat_t *w = bri_text_alloc(c, sizeof *w);
    collect_t col = {NULL};
    uint32_t next[SP__COUNT];
    size_t i;
    memset(w, 0, sizeof *w);
    w->c = c;
    w->first = first;
    w->end = end;
    w->ops = bri_wat_ops(c);
    bri_annot_check(c, first, end);
    /* type lists are addressed as pool + offset, also when empty: keep
     * the pools allocated so that this is never NULL + 0 (undefined) */
    bri_tbuf_reserve(c, &w->valtypes, 1);
    bri_tbuf_reserve(c, &w->scratch, 1);
    /* type names first: a recursive group names later types */
    uint32_t ntypes = 0;
    for (i = first; i < end && c->toks[i].kind == TK_LPAREN;
         i = tok_match(&c->toks[i]) + 1) /* (the next loop reports junk) */
        if (wat_is_open(w, i, "type") || wat_is_open(w, i, "rec"))
            ntypes += bri_wat_bind_types(w, i, ntypes);
    for (i = first; i < end; i = tok_match(&c->toks[i]) + 1) {
        if (c->toks[i].kind != TK_LPAREN)
            bri_wat_unexpected(w, i, "a module field");
        collect_field(w, i, &col);
    }
    w->explicit_types = w->ntypes;
    /* imports come first in text order (checked in pass 1), so text
     * order is index order in every space */
    memset(next, 0, sizeof next);
    for (i = first; i < end; i = tok_match(&c->toks[i]) + 1)
        encode_field(w, i, next);
    assemble(w, out);
}
