/*
 * beamr engine, text format: instructions. Flat and folded forms are
 * read by one loop with an explicit stack of open blocks (never C
 * recursion, so 100,000 nested blocks cost memory, not stack). A folded
 * plain instruction "(op imm* operand*)" is encoded when it opens, kept
 * on a byte stack, and written after its operands when it closes.
 * Opcode names come from the one opcode table (opcodes.h).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "text/wat.h"

typedef enum frame_kind {
    FR_FLAT,       /* block/loop/if/try ... end */
    FR_FOLD_PLAIN, /* (op imm* folded*) */
    FR_FOLD_BLOCK, /* (block ...) / (loop ...) */
    FR_FOLD_IF,    /* (if label bt folded* (then ...) (else ...)?) */
    FR_FOLD_TRY,   /* (try label bt (do ...) (catch ...)* | (delegate l)) */
                   /* (try_table ...) is an FR_FLAT or FR_FOLD_BLOCK */
    FR_CLAUSE,     /* the body of (then) (else) (do) (catch) (catch_all) */
} frame_kind_t;

/* States of FR_FLAT (which block) and the folded if/try. */
enum {
    ST_BLOCK,
    ST_LOOP,
    ST_IF,
    ST_ELSE,
    ST_TRY,
    ST_CATCH,
    ST_CATCH_ALL,
    ST_CONDS,
    ST_THEN_DONE,
    ST_ELSE_DONE,
    ST_TRY_START,
    ST_DO_DONE,
    ST_DELEGATED,
};

/* ------------------------------------------------------------------ */
/* Opcode names                                                        */

static uint32_t
hash_name(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

const wat_ops_t *
bri_wat_ops(tctx_t *c)
{
    wat_ops_t *t;
    if (c->ops)
        return c->ops;
    t = bri_text_alloc(c, sizeof *t);
    memset(t->map, 0, sizeof t->map);
    for (int op = 0; op < BR_OP__COUNT; op++) {
        const char *name = bri_opinfo[op].text;
        size_t n;
        uint32_t h;
        t->name[op] = NULL;
        t->len[op] = 0;
        if (name == NULL || op == BR_OP_select_t ||
            op == BR_OP_ref_test_null || op == BR_OP_ref_cast_null)
            continue; /* internal ops; "select" covers select_t, and
                         ref.test/ref.cast their null forms */
        n = strlen(name);
        t->name[op] = name;
        t->len[op] = (uint8_t)n;
        h = hash_name(name, n) & (WAT_OPMAP_SIZE - 1);
        while (t->map[h])
            h = (h + 1) & (WAT_OPMAP_SIZE - 1);
        t->map[h] = (int16_t)(op + 1);
    }
    c->ops = t;
    return t;
}

/* The opcode a keyword names, or -1. */
static int
lookup_op(const wat_t *w, const tok_t *t)
{
    const wat_ops_t *ops = w->ops;
    const char *s = w->c->src + t->off;
    uint32_t h = hash_name(s, t->len) & (WAT_OPMAP_SIZE - 1);
    while (ops->map[h]) {
        int op = ops->map[h] - 1;
        if (ops->len[op] == t->len && memcmp(ops->name[op], s, t->len) == 0)
            return op;
        h = (h + 1) & (WAT_OPMAP_SIZE - 1);
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Labels and frames                                                   */

static void
push_label(wat_t *w, const tok_t *name)
{
    if (w->nlabels == w->label_cap) {
        uint32_t cap = w->label_cap ? w->label_cap * 2 : 16;
        w->labels =
            bri_text_grow(w->c, w->labels, w->label_cap * sizeof *w->labels,
                          cap * sizeof *w->labels);
        w->label_cap = cap;
    }
    w->labels[w->nlabels].name_off = name ? name->off : 0;
    w->labels[w->nlabels].name_len = name ? name->len : 0;
    w->labels[w->nlabels].shadowed = UINT32_MAX;
    if (name) {
        /* the name now means this label; the one it shadows comes back
         * when this one is popped (lookups stay O(1) at any depth) */
        w->labels[w->nlabels].shadowed =
            bri_tmap_get(w->c, &w->label_names, name->off, name->len);
        bri_tmap_set(w->c, &w->label_names, name->off, name->len, w->nlabels);
    }
    w->nlabels++;
}

/* Pops labels down to `n`, restoring the names they shadowed. */
static void
truncate_labels(wat_t *w, uint32_t n)
{
    while (w->nlabels > n) {
        const wat_label_t *l = &w->labels[--w->nlabels];
        if (l->name_len)
            bri_tmap_set(w->c, &w->label_names, l->name_off, l->name_len,
                         l->shadowed);
    }
}

static wat_frame_t *
push_frame(wat_t *w, frame_kind_t kind, uint8_t state)
{
    wat_frame_t *f;
    if (w->nframes == w->frame_cap) {
        uint32_t cap = w->frame_cap ? w->frame_cap * 2 : 16;
        w->frames =
            bri_text_grow(w->c, w->frames, w->frame_cap * sizeof *w->frames,
                          cap * sizeof *w->frames);
        w->frame_cap = cap;
    }
    f = &w->frames[w->nframes++];
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)kind;
    f->state = state;
    f->label = UINT32_MAX;
    return f;
}

/* An optional label name at token *i: pushes the label. */
static void
open_label(wat_t *w, size_t *i, wat_frame_t *f)
{
    const tok_t *t = wat_tok(w, *i);
    if (t->kind == TK_ID) {
        (*i)++;
        push_label(w, t);
    } else {
        push_label(w, NULL);
    }
    f->label = w->nlabels - 1;
}

/* "end $l" / "else $l": the name must be the block's own label. */
static void
check_end_label(wat_t *w, size_t *i, const wat_frame_t *f)
{
    const tok_t *t = wat_tok(w, *i);
    const wat_label_t *l;
    if (t->kind != TK_ID)
        return;
    l = &w->labels[f->label];
    if (l->name_len != t->len ||
        memcmp(w->c->src + l->name_off, w->c->src + t->off, t->len) != 0)
        bri_text_fail(w->c, BR_TEXT_ERR_MISMATCHING_LABEL, t->off,
                      "mismatching label %.*s",
                      (int)(t->len > 60 ? 60 : t->len), w->c->src + t->off);
    (*i)++;
}

static uint32_t
label_index(wat_t *w, size_t *i)
{
    const tok_t *t = wat_tok(w, *i);
    if (t->kind == TK_NUM)
        return bri_wat_u32(w, i);
    if (t->kind != TK_ID)
        bri_wat_unexpected(w, *i, "a label");
    {
        uint32_t k = bri_tmap_get(w->c, &w->label_names, t->off, t->len);
        if (k != UINT32_MAX && k < w->nlabels) {
            (*i)++;
            return w->nlabels - 1 - k;
        }
    }
    bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_LABEL, t->off, "unknown label %.*s",
                  (int)(t->len > 60 ? 60 : t->len), w->c->src + t->off);
}

static uint32_t
local_index(wat_t *w, size_t *i)
{
    const tok_t *t = wat_tok(w, *i);
    uint32_t v;
    if (t->kind == TK_NUM)
        return bri_wat_u32(w, i);
    if (t->kind != TK_ID)
        bri_wat_unexpected(w, *i, "a local");
    v = bri_tmap_get(w->c, &w->locals, t->off, t->len);
    if (v == UINT32_MAX)
        bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_ID, t->off,
                      "unknown local %.*s", (int)(t->len > 60 ? 60 : t->len),
                      w->c->src + t->off);
    (*i)++;
    return v;
}

/* ------------------------------------------------------------------ */
/* Immediates                                                          */

static void
put_opcode(wat_t *w, int op, tbuf_t *out)
{
    const bri_opinfo_t *info = &bri_opinfo[op];
    if (info->prefix) {
        bri_tbuf_byte(w->c, out, info->prefix);
        bri_tbuf_u32(w->c, out, info->code);
    } else {
        bri_tbuf_byte(w->c, out, info->code);
    }
}

static bool
keyword_prefix(const wat_t *w, const tok_t *t, const char *prefix)
{
    size_t n = strlen(prefix);
    return t->kind == TK_KEYWORD && t->len > n &&
           memcmp(w->c->src + t->off, prefix, n) == 0;
}

/* The number after "offset=" / "align=" as a token of its own. */
static tok_t
suffix_tok(const tok_t *t, size_t skip)
{
    tok_t s = *t;
    s.off += (uint32_t)skip;
    s.len -= (uint32_t)skip;
    s.kind = TK_NUM;
    return s;
}

static void
memarg(wat_t *w, size_t *i, int op, tbuf_t *out, bool lane)
{
    uint32_t mem = 0, align_log = bri_opinfo[op].align;
    uint64_t offset = 0;
    const tok_t *t = wat_tok(w, *i);
    bool is64;
    if (t->kind == TK_ID ||
        (t->kind == TK_NUM &&
         (!lane || wat_tok(w, *i + 1)->kind == TK_NUM ||
          keyword_prefix(w, wat_tok(w, *i + 1), "offset=") ||
          keyword_prefix(w, wat_tok(w, *i + 1), "align="))))
        mem = bri_wat_index(w, i, SP_MEMORY);
    is64 = mem < w->counts[SP_MEMORY] && w->mem64 && w->mem64[mem];
    t = wat_tok(w, *i);
    if (keyword_prefix(w, t, "offset=")) {
        tok_t n = suffix_tok(t, 7);
        if (!bri_lit_uint(w->c, &n, is64 ? 64 : 32, &offset))
            bri_text_fail(w->c, BR_TEXT_ERR_OUT_OF_RANGE, t->off,
                          is64 ? "i64 constant out of range"
                               : "i32 constant out of range");
        t = wat_tok(w, ++*i);
    }
    if (keyword_prefix(w, t, "align=")) {
        tok_t n = suffix_tok(t, 6);
        uint64_t a;
        if (!bri_lit_uint(w->c, &n, 32, &a))
            bri_text_fail(w->c, BR_TEXT_ERR_OUT_OF_RANGE, t->off,
                          "i32 constant out of range");
        if (a == 0 || (a & (a - 1)))
            bri_text_fail(w->c, BR_TEXT_ERR_ALIGNMENT, t->off, NULL);
        for (align_log = 0; (UINT64_C(1) << align_log) < a; align_log++)
            ;
        (*i)++;
    }
    bri_tbuf_u32(w->c, out, align_log | (mem ? 0x40u : 0));
    if (mem)
        bri_tbuf_u32(w->c, out, mem);
    bri_tbuf_u32(w->c, out, offset);
}

static uint8_t
lane_index(wat_t *w, size_t *i)
{
    uint64_t v;
    const tok_t *t = wat_tok(w, *i);
    if (t->kind != TK_NUM || !bri_lit_uint(w->c, t, 32, &v) || v > 255)
        bri_text_fail(w->c, BR_TEXT_ERR_LANE_INDEX, t->off, NULL);
    (*i)++;
    return (uint8_t)v;
}

static void
put_le(wat_t *w, tbuf_t *out, uint64_t v, unsigned bytes)
{
    for (unsigned k = 0; k < bytes; k++)
        bri_tbuf_byte(w->c, out, (uint8_t)(v >> (8 * k)));
}

static uint64_t
int_const(wat_t *w, size_t *i, unsigned bits)
{
    uint64_t v;
    const tok_t *t = wat_tok(w, *i);
    if (t->kind != TK_NUM)
        bri_wat_unexpected(w, *i, "an integer");
    /* the syntax is only checked again to tell why a literal failed */
    if (!bri_lit_int(w->c, t, bits, &v)) {
        if (!bri_lit_int_syntax(w->c, t))
            bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_OPERATOR, t->off,
                          "unknown operator (malformed integer)");
        bri_text_fail(w->c, BR_TEXT_ERR_OUT_OF_RANGE, t->off,
                      "constant out of range (i%u)", bits);
    }
    (*i)++;
    return v;
}

static void
v128_const(wat_t *w, size_t *i, tbuf_t *out)
{
    static const struct {
        const char *name;
        unsigned lanes, bits;
        bool is_float;
    } shapes[] = {{"i8x16", 16, 8, false}, {"i16x8", 8, 16, false},
                  {"i32x4", 4, 32, false}, {"i64x2", 2, 64, false},
                  {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true}};
    const tok_t *t = wat_tok(w, *i);
    size_t s = 0;
    while (s < 6 &&
           !(t->kind == TK_KEYWORD && bri_tok_is(w->c, t, shapes[s].name)))
        s++;
    if (s == 6)
        bri_text_fail(w->c, BR_TEXT_ERR_LANE_SHAPE, t->off, NULL);
    (*i)++;
    for (unsigned k = 0; k < shapes[s].lanes; k++) {
        const tok_t *lt = wat_tok(w, *i);
        uint64_t v;
        if (lt->kind != TK_NUM && lt->kind != TK_KEYWORD)
            bri_text_fail(w->c, BR_TEXT_ERR_LANE_COUNT, lt->off, NULL);
        if (shapes[s].is_float)
            v = shapes[s].bits == 32 ? bri_lit_f32(w->c, lt)
                                     : bri_lit_f64(w->c, lt);
        else
            v = int_const(w, i, shapes[s].bits), (*i)--;
        (*i)++;
        put_le(w, out, v, shapes[s].bits / 8);
    }
}

/* "select (result t)*": select_t when result types are given. */
static void
select_instr(wat_t *w, size_t *i, tbuf_t *out)
{
    size_t mark;
    uint32_t n = 0;
    uint32_t v;
    if (!wat_is_open(w, *i, "result")) {
        put_opcode(w, BR_OP_select, out);
        return;
    }
    w->scratch.len = 0;
    while (wat_is_open(w, *i, "result")) {
        *i += 2;
        while (bri_wat_valtype(w, i, &v)) {
            bri_wat_put_valtype(w, &w->scratch, v);
            n++;
        }
        bri_wat_expect_close(w, i);
    }
    put_opcode(w, BR_OP_select_t, out);
    mark = w->scratch.len;
    bri_tbuf_u32(w->c, out, n);
    bri_tbuf_bytes(w->c, out, w->scratch.p, mark);
}

/* An optional index of `space` (table.get, memory.size ...), default 0. */
static uint32_t
opt_index(wat_t *w, size_t *i, wat_space_t space)
{
    return bri_wat_is_index(w, *i) ? bri_wat_index(w, i, space) : 0;
}

/* "x? y" instructions: table.init, memory.init (first index optional). */
static void
two_indices(wat_t *w, size_t *i, wat_space_t first, wat_space_t second,
            tbuf_t *out)
{
    uint32_t a = 0, b;
    if (bri_wat_is_index(w, *i + 1)) {
        a = bri_wat_index(w, i, first);
    }
    b = bri_wat_index(w, i, second);
    bri_tbuf_u32(w->c, out, b);
    bri_tbuf_u32(w->c, out, a);
}

static void
call_indirect(wat_t *w, size_t *i, tbuf_t *out)
{
    uint32_t table = opt_index(w, i, SP_TABLE);
    uint32_t type = bri_wat_typeuse(w, i, TU_ANON);
    bri_tbuf_u32(w->c, out, type);
    bri_tbuf_u32(w->c, out, table);
}

static void
br_table(wat_t *w, size_t *i, tbuf_t *out)
{
    size_t start = *i;
    uint32_t n = 0;
    w->scratch.len = 0;
    while (bri_wat_is_index(w, *i)) {
        bri_tbuf_u32(w->c, &w->scratch, label_index(w, i));
        n++;
    }
    if (n == 0)
        bri_wat_unexpected(w, start, "a label");
    bri_tbuf_u32(w->c, out, n - 1);
    bri_tbuf_bytes(w->c, out, w->scratch.p, w->scratch.len);
}

/* A reference type immediate (ref.test, ref.cast, br_on_cast). */
static uint32_t
reftype_imm(wat_t *w, size_t *i)
{
    uint32_t t;
    if (!bri_wat_reftype(w, i, &t))
        bri_wat_unexpected(w, *i, "a reference type");
    return t;
}

/* ref.test / ref.cast rt: the null form when rt is nullable. */
static void
test_cast_instr(wat_t *w, size_t *i, int op, tbuf_t *out)
{
    uint32_t t = reftype_imm(w, i);
    if (bri_vt_nullable(t))
        op = op == BR_OP_ref_test ? BR_OP_ref_test_null : BR_OP_ref_cast_null;
    put_opcode(w, op, out);
    bri_wat_put_heaptype(w, out, t);
}

/* br_on_cast(_fail) l rt1 rt2: flags say which types admit null. */
static void
br_on_cast_instr(wat_t *w, size_t *i, int op, tbuf_t *out)
{
    uint32_t l = label_index(w, i);
    uint32_t a = reftype_imm(w, i), b = reftype_imm(w, i);
    put_opcode(w, op, out);
    bri_tbuf_byte(w->c, out,
                  (uint8_t)(bri_vt_nullable(a) | (bri_vt_nullable(b) << 1)));
    bri_tbuf_u32(w->c, out, l);
    bri_wat_put_heaptype(w, out, a);
    bri_wat_put_heaptype(w, out, b);
}

/* GC immediates: a type, then a field (of that type), a data or elem
 * segment, a count or a second type. */
static void
gc_imms(wat_t *w, size_t *i, br_imm_t imm, tbuf_t *out)
{
    uint32_t x = bri_wat_index(w, i, SP_TYPE);
    bri_tbuf_u32(w->c, out, x);
    switch (imm) {
    case BR_IMM_TYPE_FIELD:
        bri_tbuf_u32(w->c, out, bri_wat_field(w, i, x));
        return;
    case BR_IMM_TYPE_DATA:
        w->uses_data_count = true;
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_DATA));
        return;
    case BR_IMM_TYPE_ELEM:
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_ELEM));
        return;
    case BR_IMM_TYPE_N:
        bri_tbuf_u32(w->c, out, bri_wat_u32(w, i));
        return;
    default: /* TYPE_TYPE */
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_TYPE));
        return;
    }
}

/* Encodes a plain instruction (its opcode keyword already consumed). */
static void
plain_instr(wat_t *w, size_t *i, int op, tbuf_t *out)
{
    const bri_opinfo_t *info = &bri_opinfo[op];
    if (op == BR_OP_select) {
        select_instr(w, i, out);
        return;
    }
    if (op == BR_OP_ref_test || op == BR_OP_ref_cast) {
        test_cast_instr(w, i, op, out);
        return;
    }
    if (op == BR_OP_br_on_cast || op == BR_OP_br_on_cast_fail) {
        br_on_cast_instr(w, i, op, out);
        return;
    }
    put_opcode(w, op, out);
    switch ((br_imm_t)info->imm) {
    case BR_IMM_NONE:
        return;
    case BR_IMM_LABEL:
        bri_tbuf_u32(w->c, out, label_index(w, i));
        return;
    case BR_IMM_LABELS:
        br_table(w, i, out);
        return;
    case BR_IMM_FUNC:
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_FUNC));
        return;
    case BR_IMM_CALL_INDIRECT:
        call_indirect(w, i, out);
        return;
    case BR_IMM_LOCAL:
        bri_tbuf_u32(w->c, out, local_index(w, i));
        return;
    case BR_IMM_GLOBAL:
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_GLOBAL));
        return;
    case BR_IMM_TABLE:
        bri_tbuf_u32(w->c, out, opt_index(w, i, SP_TABLE));
        return;
    case BR_IMM_TAG:
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_TAG));
        return;
    case BR_IMM_TYPE:
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_TYPE));
        return;
    case BR_IMM_MEMARG:
        memarg(w, i, op, out, false);
        return;
    case BR_IMM_MEMARG_LANE:
        memarg(w, i, op, out, true);
        bri_tbuf_byte(w->c, out, lane_index(w, i));
        return;
    case BR_IMM_MEMIDX:
        bri_tbuf_u32(w->c, out, opt_index(w, i, SP_MEMORY));
        return;
    case BR_IMM_I32:
        bri_tbuf_s64(w->c, out, (int32_t)(uint32_t)int_const(w, i, 32));
        return;
    case BR_IMM_I64:
        bri_tbuf_s64(w->c, out, (int64_t)int_const(w, i, 64));
        return;
    case BR_IMM_F32:
        put_le(w, out, bri_lit_f32(w->c, wat_tok(w, *i)), 4);
        (*i)++;
        return;
    case BR_IMM_F64:
        put_le(w, out, bri_lit_f64(w->c, wat_tok(w, *i)), 8);
        (*i)++;
        return;
    case BR_IMM_REFTYPE:
        bri_wat_put_heaptype(w, out, bri_wat_heaptype(w, i));
        return;
    case BR_IMM_DATA:
        w->uses_data_count = true;
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_DATA));
        return;
    case BR_IMM_DATA_MEM:
        w->uses_data_count = true;
        two_indices(w, i, SP_MEMORY, SP_DATA, out);
        return;
    case BR_IMM_ELEM:
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_ELEM));
        return;
    case BR_IMM_ELEM_TABLE:
        two_indices(w, i, SP_TABLE, SP_ELEM, out);
        return;
    case BR_IMM_MEM_MEM:
    case BR_IMM_TABLE_TABLE: {
        wat_space_t sp = info->imm == BR_IMM_MEM_MEM ? SP_MEMORY : SP_TABLE;
        uint32_t a = 0, b = 0;
        if (bri_wat_is_index(w, *i)) {
            a = bri_wat_index(w, i, sp);
            b = bri_wat_index(w, i, sp);
        }
        bri_tbuf_u32(w->c, out, a);
        bri_tbuf_u32(w->c, out, b);
        return;
    }
    case BR_IMM_V128:
        v128_const(w, i, out);
        return;
    case BR_IMM_SHUFFLE:
        for (int k = 0; k < 16; k++) {
            if (wat_tok(w, *i)->kind != TK_NUM)
                bri_text_fail(w->c, BR_TEXT_ERR_LANE_INDEX, wat_tok(w, *i)->off,
                              "invalid lane length (16 lane indices)");
            bri_tbuf_byte(w->c, out, lane_index(w, i));
        }
        return;
    case BR_IMM_LANE:
        bri_tbuf_byte(w->c, out, lane_index(w, i));
        return;
    case BR_IMM_TYPE_FIELD:
    case BR_IMM_TYPE_DATA:
    case BR_IMM_TYPE_ELEM:
    case BR_IMM_TYPE_N:
    case BR_IMM_TYPE_TYPE:
        gc_imms(w, i, (br_imm_t)info->imm, out);
        return;
    default:
        bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_OPERATOR, wat_tok(w, *i)->off,
                      "unknown operator");
    }
}

/* ------------------------------------------------------------------ */
/* The instruction loop                                                */

static bool
is_block_op(int op)
{
    return op == BR_OP_block || op == BR_OP_loop || op == BR_OP_if_ ||
           op == BR_OP_try_;
}

static int
keyword_op(wat_t *w, size_t i)
{
    const tok_t *t = wat_tok(w, i);
    int op;
    if (t->kind != TK_KEYWORD)
        bri_wat_unexpected(w, i, "an instruction");
    op = lookup_op(w, t);
    /* a declaration out of place ("(param" after "(result") is a
     * misplaced token, not an unknown instruction (spec wording) */
    if (op < 0 &&
        (bri_tok_is(w->c, t, "param") || bri_tok_is(w->c, t, "result") ||
         bri_tok_is(w->c, t, "local") || bri_tok_is(w->c, t, "type")))
        bri_wat_unexpected(w, i, "an instruction");
    if (op < 0)
        bri_text_fail(w->c, BR_TEXT_ERR_UNKNOWN_OPERATOR, t->off,
                      "unknown operator %.*s", (int)(t->len > 40 ? 40 : t->len),
                      w->c->src + t->off);
    return op;
}

static void
pop_label(wat_t *w, const wat_frame_t *f)
{
    if (f->label != UINT32_MAX)
        truncate_labels(w, f->label);
}

/* One try_table clause "(catch x l)", "(catch_ref x l)", "(catch_all l)"
 * or "(catch_all_ref l)" into out (binary kinds 0-3); false if the
 * tokens at *i start none. */
static bool
catch_clause(wat_t *w, size_t *i, tbuf_t *out)
{
    static const char *const kinds[] = {"catch", "catch_ref", "catch_all",
                                        "catch_all_ref"};
    for (uint8_t k = 0; k < 4; k++) {
        if (!wat_is_open(w, *i, kinds[k]))
            continue;
        *i += 2;
        bri_tbuf_byte(w->c, out, k);
        if (k < 2)
            bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_TAG));
        bri_tbuf_u32(w->c, out, label_index(w, i));
        bri_wat_expect_close(w, i);
        return true;
    }
    return false;
}

/* "try_table label? bt catch*" (flat, or folded after its '('): the
 * catch labels count from outside the try_table, so its own label is
 * pushed after them. */
static void
try_table_header(wat_t *w, size_t *i, wat_frame_t *f, tbuf_t *out)
{
    const tok_t *name = wat_tok(w, *i)->kind == TK_ID ? wat_tok(w, *i) : NULL;
    uint32_t n = 0;
    if (name)
        (*i)++;
    put_opcode(w, BR_OP_try_table, out);
    bri_wat_blocktype(w, i, out);
    w->scratch.len = 0;
    while (catch_clause(w, i, &w->scratch))
        n++;
    bri_tbuf_u32(w->c, out, n);
    if (n != 0) /* the scratch buffer may still be NULL */
        bri_tbuf_bytes(w->c, out, w->scratch.p, w->scratch.len);
    push_label(w, name);
    f->label = w->nlabels - 1;
}

/* Flat "block/loop/if/try label? bt". */
static void
open_flat(wat_t *w, size_t *i, int op, tbuf_t *out)
{
    wat_frame_t *f;
    static const uint8_t states[] = {ST_BLOCK, ST_LOOP, ST_IF, ST_TRY};
    uint8_t st = states[op == BR_OP_block  ? 0
                        : op == BR_OP_loop ? 1
                        : op == BR_OP_if_  ? 2
                                           : 3];
    f = push_frame(w, FR_FLAT, st);
    open_label(w, i, f);
    put_opcode(w, op, out);
    bri_wat_blocktype(w, i, out);
}

static wat_frame_t *
top_flat(wat_t *w, size_t base, size_t i, const char *what)
{
    wat_frame_t *f = w->nframes > base ? &w->frames[w->nframes - 1] : NULL;
    if (!f || f->kind != FR_FLAT)
        bri_text_fail(w->c, BR_TEXT_ERR_UNEXPECTED_TOKEN, wat_tok(w, i)->off,
                      "unexpected token \"%s\"", what);
    return f;
}

/* An else with nothing after it is left out (as wat2wasm does): "if
 * ... else end" and "if ... end" mean the same. */
static void
drop_empty_else(const wat_frame_t *f, tbuf_t *out)
{
    if (f->state == ST_ELSE && out->len == f->pending)
        out->len--;
}

/* else / catch / catch_all / delegate / end in flat form. Returns false
 * if op is none of them. */
static bool
flat_clause(wat_t *w, size_t *i, int op, size_t base, tbuf_t *out)
{
    size_t at = *i - 1;
    wat_frame_t *f;
    switch (op) {
    case BR_OP_end:
        f = top_flat(w, base, at, "end");
        check_end_label(w, i, f);
        drop_empty_else(f, out);
        bri_tbuf_byte(w->c, out, 0x0B);
        pop_label(w, f);
        w->nframes--;
        return true;
    case BR_OP_else_:
        f = top_flat(w, base, at, "else");
        if (f->state != ST_IF)
            bri_wat_unexpected(w, at, "\"end\"");
        check_end_label(w, i, f);
        f->state = ST_ELSE;
        put_opcode(w, op, out);
        f->pending = out->len; /* an empty else is dropped at end */
        return true;
    case BR_OP_catch_:
    case BR_OP_catch_all:
        f = top_flat(w, base, at, "catch");
        if (f->state != ST_TRY && f->state != ST_CATCH)
            bri_wat_unexpected(w, at, "\"end\"");
        f->state = op == BR_OP_catch_ ? ST_CATCH : ST_CATCH_ALL;
        put_opcode(w, op, out);
        if (op == BR_OP_catch_)
            bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_TAG));
        return true;
    case BR_OP_delegate:
        f = top_flat(w, base, at, "delegate");
        if (f->state != ST_TRY)
            bri_wat_unexpected(w, at, "\"end\"");
        pop_label(w, f); /* the label counts from outside the try */
        put_opcode(w, op, out);
        bri_tbuf_u32(w->c, out, label_index(w, i));
        w->nframes--;
        return true;
    default:
        return false;
    }
}

static void
flat_instr(wat_t *w, size_t *i, size_t base, tbuf_t *out)
{
    int op = keyword_op(w, *i);
    (*i)++;
    if (op == BR_OP_try_table)
        try_table_header(w, i, push_frame(w, FR_FLAT, ST_BLOCK), out);
    else if (is_block_op(op))
        open_flat(w, i, op, out);
    else if (!flat_clause(w, i, op, base, out))
        plain_instr(w, i, op, out);
}

/* "(op ..." of a folded instruction. */
static void
open_folded(wat_t *w, size_t *i, tbuf_t *out)
{
    size_t at = *i + 1;
    int op = keyword_op(w, at);
    wat_frame_t *f;
    *i += 2;
    if (op == BR_OP_block || op == BR_OP_loop) {
        f = push_frame(w, FR_FOLD_BLOCK, 0);
        open_label(w, i, f);
        put_opcode(w, op, out);
        bri_wat_blocktype(w, i, out);
    } else if (op == BR_OP_if_) {
        /* the condition operands come before the if opcode and are
         * outside its label: keep the header until "(then" */
        const tok_t *name =
            wat_tok(w, *i)->kind == TK_ID ? wat_tok(w, *i) : NULL;
        size_t start = w->pending.len;
        if (name)
            (*i)++;
        put_opcode(w, op, &w->pending);
        bri_wat_blocktype(w, i, &w->pending);
        f = push_frame(w, FR_FOLD_IF, ST_CONDS);
        f->pending = start;
        f->pending_len = w->pending.len - start;
        f->name = name ? (uint32_t)(name - w->c->toks) : UINT32_MAX;
    } else if (op == BR_OP_try_table) {
        try_table_header(w, i, push_frame(w, FR_FOLD_BLOCK, 0), out);
    } else if (op == BR_OP_try_) {
        f = push_frame(w, FR_FOLD_TRY, ST_TRY_START);
        open_label(w, i, f);
        put_opcode(w, op, out);
        bri_wat_blocktype(w, i, out);
    } else if (op == BR_OP_end || op == BR_OP_else_ || op == BR_OP_catch_ ||
               op == BR_OP_catch_all || op == BR_OP_delegate) {
        bri_wat_unexpected(w, at, "an instruction");
    } else {
        size_t start = w->pending.len;
        plain_instr(w, i, op, &w->pending);
        f = push_frame(w, FR_FOLD_PLAIN, 0);
        f->pending = start;
        f->pending_len = w->pending.len - start;
    }
}

/* A '(' inside a folded if or try: its clauses. Returns false if the
 * form is an ordinary folded instruction. */
static bool
open_clause(wat_t *w, size_t *i, wat_frame_t *f, tbuf_t *out)
{
    if (f->kind == FR_FOLD_IF) {
        if (f->state == ST_CONDS && wat_is_open(w, *i, "then")) {
            const tok_t *name =
                f->name != UINT32_MAX ? wat_tok(w, f->name) : NULL;
            bri_tbuf_bytes(w->c, out, w->pending.p + f->pending,
                           f->pending_len);
            w->pending.len = f->pending;
            push_label(w, name);
            f->label = w->nlabels - 1;
            f->state = ST_THEN_DONE;
        } else if (f->state == ST_THEN_DONE && wat_is_open(w, *i, "else")) {
            put_opcode(w, BR_OP_else_, out);
            f->state = ST_ELSE_DONE;
            *i += 2;
            push_frame(w, FR_CLAUSE, ST_ELSE)->pending = out->len;
            return true;
        } else if (f->state == ST_CONDS) {
            return false;
        } else {
            bri_wat_unexpected(w, *i, "\")\"");
        }
        *i += 2;
        push_frame(w, FR_CLAUSE, 0);
        return true;
    }
    if (f->kind != FR_FOLD_TRY)
        return false;
    if (f->state == ST_TRY_START && wat_is_open(w, *i, "do")) {
        f->state = ST_DO_DONE;
        *i += 2;
    } else if ((f->state == ST_DO_DONE || f->state == ST_CATCH) &&
               wat_is_open(w, *i, "catch")) {
        f->state = ST_CATCH;
        *i += 2;
        put_opcode(w, BR_OP_catch_, out);
        bri_tbuf_u32(w->c, out, bri_wat_index(w, i, SP_TAG));
    } else if ((f->state == ST_DO_DONE || f->state == ST_CATCH) &&
               wat_is_open(w, *i, "catch_all")) {
        f->state = ST_CATCH_ALL;
        *i += 2;
        put_opcode(w, BR_OP_catch_all, out);
    } else if (f->state == ST_DO_DONE && wat_is_open(w, *i, "delegate")) {
        *i += 2;
        pop_label(w, f);
        f->label = UINT32_MAX;
        put_opcode(w, BR_OP_delegate, out);
        bri_tbuf_u32(w->c, out, label_index(w, i));
        bri_wat_expect_close(w, i);
        f->state = ST_DELEGATED;
        return true;
    } else {
        bri_wat_unexpected(
            w, *i, f->state == ST_TRY_START ? "\"(do\"" : "a catch clause");
    }
    push_frame(w, FR_CLAUSE, 0);
    return true;
}

/* The ')' of the innermost folded form. */
static void
close_folded(wat_t *w, size_t *i, tbuf_t *out)
{
    wat_frame_t *f = &w->frames[w->nframes - 1];
    switch ((frame_kind_t)f->kind) {
    case FR_FLAT:
        bri_wat_unexpected(w, *i, "\"end\"");
    case FR_FOLD_PLAIN:
        bri_tbuf_bytes(w->c, out, w->pending.p + f->pending, f->pending_len);
        w->pending.len = f->pending;
        break;
    case FR_FOLD_BLOCK:
        bri_tbuf_byte(w->c, out, 0x0B);
        break;
    case FR_FOLD_IF:
        if (f->state == ST_CONDS)
            bri_wat_unexpected(w, *i, "\"(then\"");
        bri_tbuf_byte(w->c, out, 0x0B);
        break;
    case FR_FOLD_TRY:
        if (f->state == ST_TRY_START)
            bri_wat_unexpected(w, *i, "\"(do\"");
        if (f->state != ST_DELEGATED)
            bri_tbuf_byte(w->c, out, 0x0B);
        break;
    case FR_CLAUSE:
        drop_empty_else(f, out);
        break;
    }
    pop_label(w, f);
    w->nframes--;
    (*i)++;
}

/* Instructions until the ')' that closes the frame at `base` (or, with
 * `one`, exactly one folded instruction). */
static void
instr_loop(wat_t *w, size_t *i, tbuf_t *out, bool one)
{
    size_t base = w->nframes;
    for (;;) {
        const tok_t *t = wat_tok(w, *i);
        if (t->kind == TK_RPAREN) {
            if (w->nframes == base)
                return;
            close_folded(w, i, out);
            if (one && w->nframes == base)
                return;
        } else if (t->kind == TK_LPAREN) {
            wat_frame_t *f =
                w->nframes > base ? &w->frames[w->nframes - 1] : NULL;
            if (!f || !open_clause(w, i, f, out))
                open_folded(w, i, out);
        } else if (t->kind == TK_KEYWORD && w->nframes > base &&
                   w->frames[w->nframes - 1].kind == FR_FOLD_IF &&
                   w->frames[w->nframes - 1].state == ST_CONDS) {
            /* a folded if's condition is folded instructions only */
            bri_wat_unexpected(w, *i, "\"(\"");
        } else if (t->kind == TK_KEYWORD && !(one && w->nframes == base)) {
            flat_instr(w, i, base, out);
        } else if (t->kind == TK_EOF) {
            bri_wat_unexpected(w, *i, "\")\"");
        } else {
            bri_text_fail(w->c, BR_TEXT_ERR_UNEXPECTED_TOKEN, t->off,
                          "unexpected token \"%.*s\"",
                          (int)(t->len > 40 ? 40 : t->len), w->c->src + t->off);
        }
    }
}

void
bri_wat_instrs(wat_t *w, size_t *i, tbuf_t *out)
{
    uint32_t labels = w->nlabels;
    instr_loop(w, i, out, false);
    truncate_labels(w, labels);
}

void
bri_wat_instrs_one(wat_t *w, size_t *i, tbuf_t *out)
{
    if (wat_tok(w, *i)->kind != TK_LPAREN)
        bri_wat_unexpected(w, *i, "\"(\"");
    instr_loop(w, i, out, true);
}

void
bri_wat_const_expr(wat_t *w, size_t *i, tbuf_t *out)
{
    bri_wat_instrs(w, i, out);
    bri_tbuf_byte(w->c, out, 0x0B);
}
