/*
 * beamr engine: validation of a function body and its compilation to
 * internal code (code.h) in one pass: entry points, the dispatch loop and
 * every instruction that is not control flow (compile_ctl.c), SIMD with
 * immediates (compile_simd.c) or generic (compile_generic.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "compile.h"

/* ------------------------------------------------------------------ */
/* Immediates                                                          */

/* A memory index immediate. The 2.0 encoding reserved a zero byte here;
 * multi-memory reads it as a u32 index (so 0x00 is still memory 0, and
 * so is a long LEB128 zero, which 2.0 refuses). */
static br_err_t
rd_memidx(bri_compiler_t *c, uint32_t *mem)
{
    uint8_t byte;
    br_err_t err;
    if (!bri_multi_memory(c)) {
        *mem = 0;
        err = bri_rd_u8(c, &byte);
        if (err == BR_ERR_OK && byte != 0)
            err = BRI_FAIL(c, BR_ERR_ZERO_BYTE_EXPECTED, "%u", (unsigned)byte);
        if (err == BR_ERR_OK && c->m->memory_count == 0)
            err = BRI_FAIL(c, BR_ERR_UNKNOWN_MEMORY, "%u", 0u);
        return err;
    }
    err = bri_rd_u32(c, mem);
    if (err == BR_ERR_OK && *mem >= c->m->memory_count)
        err = BRI_FAIL(c, BR_ERR_UNKNOWN_MEMORY, "%u", (unsigned)*mem);
    return err;
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

static bri_valtype_t
local_type(const bri_compiler_t *c, uint32_t x)
{
    uint32_t np = c->type->param_count;
    return x < np ? c->type->params[x] : c->func->locals[x - np];
}

static uint32_t
local_slot(const bri_compiler_t *c, uint32_t x)
{
    return c->local_slot ? c->local_slot[x] : x;
}

static br_err_t
check_table(bri_compiler_t *c, uint32_t t)
{
    if (t >= c->m->table_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_TABLE, "%u", (unsigned)t);
    return BR_ERR_OK;
}

static br_err_t
check_elem(bri_compiler_t *c, uint32_t e)
{
    if (e >= c->m->elem_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_ELEM, "%u", (unsigned)e);
    return BR_ERR_OK;
}

/* [op, s, mem]: memory.size and memory.grow (which never trap). */
static br_err_t
op_memidx(bri_compiler_t *c, br_op_t op)
{
    uint32_t mem = 0, s;
    br_err_t err = rd_memidx(c, &mem);
    if (err == BR_ERR_OK)
        err = bri_apply_sig(c, op, bri_addr_type(c->m->memories[mem].is64), &s);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    if ((err = bri_emit_reserve(c, 3)) != BR_ERR_OK)
        return err;
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    bri_word(c, mem);
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Parametric instructions                                             */

static br_err_t
op_unreachable(bri_compiler_t *c, br_op_t op)
{
    if (bri_live(c)) {
        br_err_t err = bri_emit_reserve(c, 1);
        if (err != BR_ERR_OK)
            return err;
        bri_site(c, bri_pc(c));
        bri_word(c, (uint32_t)op);
    }
    bri_set_unreachable(c);
    return BR_ERR_OK;
}

static br_err_t
op_nop(bri_compiler_t *c, br_op_t op)
{
    (void)c;
    (void)op;
    return BR_ERR_OK;
}

static br_err_t
op_drop(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    return bri_pop(c, BRI_UNKNOWN, NULL);
}

static bool
is_num(bri_valtype_t t)
{
    return t == BR_I32 || t == BR_I64 || t == BR_F32 || t == BR_F64 ||
           t == BRI_UNKNOWN;
}

static bool
is_vec(bri_valtype_t t)
{
    return t == BR_V128 || t == BRI_UNKNOWN;
}

static bool
is_ref(bri_valtype_t t)
{
    return bri_vt_is_ref(t) || t == BRI_UNKNOWN;
}

/* The operand types of select: typed (select_t, exactly one type) or
 * untyped (numeric or vector operands of one type). */
static br_err_t
select_types(bri_compiler_t *c, br_op_t op, bri_valtype_t *out)
{
    bri_valtype_t t1, t2;
    br_err_t err;
    if (op == BR_OP_select_t) {
        uint32_t n;
        bri_valtype_t b;
        if ((err = bri_rd_u32(c, &n)) != BR_ERR_OK)
            return err;
        if (n != 1)
            return BRI_FAIL(c, BR_ERR_INVALID_RESULT_ARITY, "%u types",
                            (unsigned)n);
        if ((err = bri_rd_valtype(c, false, &b)) != BR_ERR_OK)
            return err;
        *out = b;
        if ((err = bri_pop(c, BR_I32, NULL)) != BR_ERR_OK ||
            (err = bri_pop(c, b, NULL)) != BR_ERR_OK)
            return err;
        return bri_pop(c, b, NULL);
    }
    if ((err = bri_pop(c, BR_I32, NULL)) != BR_ERR_OK ||
        (err = bri_pop(c, BRI_UNKNOWN, &t1)) != BR_ERR_OK ||
        (err = bri_pop(c, BRI_UNKNOWN, &t2)) != BR_ERR_OK)
        return err;
    if (!((is_num(t1) && is_num(t2)) || (is_vec(t1) && is_vec(t2))))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "select needs numeric or vector operands");
    if (t1 != t2 && t1 != BRI_UNKNOWN && t2 != BRI_UNKNOWN)
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "select operands differ");
    *out = t1 == BRI_UNKNOWN ? t2 : t1;
    return BR_ERR_OK;
}

/* select (a, b, cond -> s) is [select, s] for both encodings. A v128
 * (two slots each) is lowered to [jump_if cond, L][move s, s+2, 2] L:. */
static br_err_t
op_select(bri_compiler_t *c, br_op_t op)
{
    bri_valtype_t t = BRI_UNKNOWN;
    br_err_t err = select_types(c, op, &t);
    if (err != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    if ((err = bri_push(c, t)) != BR_ERR_OK || !bri_live(c))
        return err;
    if (t != BR_V128)
        return bri_emit_op_s(c, BR_OP_select, s, false);
    if ((err = bri_emit_reserve(c, 7)) != BR_ERR_OK)
        return err;
    bri_word(c, BR_OP_jump_if);
    bri_slot_word(c, s + 4);
    bri_word(c, bri_pc(c) + 5);
    bri_word(c, BR_OP_move);
    bri_slot_word(c, s);
    bri_slot_word(c, s + 2);
    bri_word(c, 2);
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Variables                                                           */

/* [op, s, local_slot]; a v128 local is copied with [move] instead. */
static br_err_t
emit_local(bri_compiler_t *c, br_op_t op, uint32_t s, uint32_t x)
{
    br_err_t err = bri_emit_reserve(c, 4);
    if (err != BR_ERR_OK)
        return err;
    if (local_type(c, x) != BR_V128) {
        bri_word(c, (uint32_t)op);
        bri_slot_word(c, s);
        bri_word(c, local_slot(c, x));
        return BR_ERR_OK;
    }
    bri_word(c, BR_OP_move);
    if (op == BR_OP_local_get) {
        bri_slot_word(c, s);
        bri_word(c, local_slot(c, x));
    } else {
        bri_word(c, local_slot(c, x));
        bri_slot_word(c, s);
    }
    bri_word(c, 2);
    return BR_ERR_OK;
}

/* The initialization of locals without a default value: a get needs a
 * set before it in an enclosing block, a first set is recorded. */
static br_err_t
track_local(bri_compiler_t *c, br_op_t op, uint32_t x)
{
    uint8_t *unset = c->unset.data;
    if (!unset[x])
        return BR_ERR_OK;
    if (op == BR_OP_local_get)
        return BRI_FAIL(c, BR_ERR_UNINITIALIZED_LOCAL, "%u", (unsigned)x);
    br_err_t err = bri_buf_reserve(c, &c->inits, sizeof(uint32_t), 1);
    if (err != BR_ERR_OK)
        return err;
    ((uint32_t *)c->inits.data)[c->inits.count++] = x;
    unset[x] = 0;
    return BR_ERR_OK;
}

static br_err_t
op_local(bri_compiler_t *c, br_op_t op)
{
    uint32_t x;
    br_err_t err = bri_rd_u32(c, &x);
    if (err != BR_ERR_OK)
        return err;
    if (x >= c->local_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_LOCAL, "%u", (unsigned)x);
    bri_valtype_t t = local_type(c, x);
    if (op != BR_OP_local_get && (err = bri_pop(c, t, NULL)) != BR_ERR_OK)
        return err;
    if (c->track_init && (err = track_local(c, op, x)) != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    if (op != BR_OP_local_set && (err = bri_push(c, t)) != BR_ERR_OK)
        return err;
    return bri_live(c) ? emit_local(c, op, s, x) : BR_ERR_OK;
}

/* Emits [op, s, a] or [op, s, a, b] (b == BR_NO_INDEX: absent). */
static br_err_t
emit_s_ab(bri_compiler_t *c, br_op_t op, uint32_t s, uint32_t a, uint32_t b,
          bool site)
{
    br_err_t err = bri_emit_reserve(c, 4);
    if (err != BR_ERR_OK)
        return err;
    if (site)
        bri_site(c, bri_pc(c));
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    bri_word(c, a);
    if (b != BR_NO_INDEX)
        bri_word(c, b);
    return BR_ERR_OK;
}

static br_err_t
op_global(bri_compiler_t *c, br_op_t op)
{
    uint32_t x;
    br_err_t err = bri_rd_u32(c, &x);
    if (err != BR_ERR_OK)
        return err;
    if (x >= c->m->global_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_GLOBAL, "%u", (unsigned)x);
    const bri_globaldecl_t *g = &c->m->globals[x];
    if (op == BR_OP_global_set) {
        if (!g->mutable_)
            return BRI_FAIL(c, BR_ERR_GLOBAL_IMMUTABLE, "%u", (unsigned)x);
        err = bri_pop(c, g->type, NULL);
    } else {
        err = bri_push(c, g->type);
    }
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    uint32_t s =
        op == BR_OP_global_set ? c->height : c->height - bri_vt_slots(g->kind);
    return emit_s_ab(c, op, s, x, BR_NO_INDEX, false);
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */

/* Pops `n` operand types given as a string of 'a' (the table's index
 * type), 'i' (i32) and 'r' (its element type), last operand first. */
static br_err_t
pop_table_ops(bri_compiler_t *c, const char *ops, uint32_t t)
{
    const bri_tabledecl_t *td = &c->m->tables[t];
    for (size_t i = strlen(ops); i > 0; i--) {
        char ch = ops[i - 1];
        bri_valtype_t k = ch == 'a'   ? bri_addr_type(td->limits.is64)
                          : ch == 'r' ? td->type
                                      : BR_I32;
        br_err_t err = bri_pop(c, k, NULL);
        if (err != BR_ERR_OK)
            return err;
    }
    return BR_ERR_OK;
}

/* table.get/set/size/grow/fill: [op, s, table]. */
static br_err_t
op_table(bri_compiler_t *c, br_op_t op)
{
    static const struct {
        br_op_t op;
        const char *pops;
        char push; /* 'a', 'r' or 0 */
        bool site;
    } forms[] = {
        {BR_OP_table_get, "a", 'r', true},
        {BR_OP_table_set, "ar", 0, true},
        {BR_OP_table_size, "", 'a', false},
        {BR_OP_table_grow, "ra", 'a', false},
        {BR_OP_table_fill, "ara", 0, true},
    };
    size_t i = 0;
    while (forms[i].op != op)
        i++;
    uint32_t x;
    br_err_t err = bri_rd_u32(c, &x);
    if (err == BR_ERR_OK)
        err = check_table(c, x);
    if (err == BR_ERR_OK)
        err = pop_table_ops(c, forms[i].pops, x);
    if (err != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    const bri_tabledecl_t *td = &c->m->tables[x];
    if (forms[i].push == 'a')
        err = bri_push(c, bri_addr_type(td->limits.is64));
    else if (forms[i].push == 'r')
        err = bri_push(c, td->type);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    return emit_s_ab(c, op, s, x, BR_NO_INDEX, forms[i].site);
}

/* table.copy d s: [table_copy, s, dst, src]; with table64 the length is
 * i64 only when both tables are 64-bit. */
static br_err_t
op_table_copy(bri_compiler_t *c, br_op_t op)
{
    uint32_t dst, src;
    br_err_t err = bri_rd_u32(c, &dst);
    if (err == BR_ERR_OK)
        err = bri_rd_u32(c, &src);
    if (err == BR_ERR_OK)
        err = check_table(c, dst);
    if (err == BR_ERR_OK)
        err = check_table(c, src);
    if (err != BR_ERR_OK)
        return err;
    const bri_tabledecl_t *d = &c->m->tables[dst], *s = &c->m->tables[src];
    if (d->elem != s->elem)
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "table element types differ");
    bool both64 = d->limits.is64 && s->limits.is64;
    if ((err = bri_pop(c, bri_addr_type(both64), NULL)) != BR_ERR_OK ||
        (err = bri_pop(c, bri_addr_type(s->limits.is64), NULL)) != BR_ERR_OK ||
        (err = bri_pop(c, bri_addr_type(d->limits.is64), NULL)) != BR_ERR_OK)
        return err;
    if (!bri_live(c))
        return BR_ERR_OK;
    return emit_s_ab(c, op, c->height, dst, src, true);
}

/* table.init e t: [table_init, s, elem, table]. */
static br_err_t
op_table_init(bri_compiler_t *c, br_op_t op)
{
    uint32_t e, t;
    br_err_t err = bri_rd_u32(c, &e);
    if (err == BR_ERR_OK)
        err = bri_rd_u32(c, &t);
    if (err == BR_ERR_OK)
        err = check_table(c, t);
    if (err == BR_ERR_OK)
        err = check_elem(c, e);
    if (err != BR_ERR_OK)
        return err;
    if (c->m->tables[t].elem != c->m->elems[e].kind)
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "element segment type differs from the table's");
    if ((err = pop_table_ops(c, "aii", t)) != BR_ERR_OK || !bri_live(c))
        return err;
    return emit_s_ab(c, op, c->height, e, t, true);
}

/* elem.drop e: [elem_drop, e]; data.drop d: [data_drop, d]. */
static br_err_t
op_drop_segment(bri_compiler_t *c, br_op_t op)
{
    uint32_t x;
    br_err_t err = bri_rd_u32(c, &x);
    if (err == BR_ERR_OK)
        err = op == BR_OP_elem_drop ? check_elem(c, x) : bri_check_data(c, x);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    if ((err = bri_emit_reserve(c, 2)) != BR_ERR_OK)
        return err;
    bri_word(c, (uint32_t)op);
    bri_word(c, x);
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Bulk memory                                                         */

/* memory.init d x: [memory_init, s, data, mem]; memory.copy x y:
 * [memory_copy, s, dst_mem, src_mem]; memory.fill x: [memory_fill, s,
 * mem]. The memory indices were reserved zero bytes in 2.0. */
static br_err_t
op_memory_bulk(bri_compiler_t *c, br_op_t op)
{
    uint32_t data = 0, mem = 0, src = 0;
    br_err_t err = BR_ERR_OK;
    if (op == BR_OP_memory_init)
        err = bri_rd_u32(c, &data);
    if (err == BR_ERR_OK)
        err = rd_memidx(c, &mem);
    src = mem;
    if (err == BR_ERR_OK && op == BR_OP_memory_copy)
        err = rd_memidx(c, &src);
    if (err == BR_ERR_OK && op == BR_OP_memory_init)
        err = bri_check_data(c, data);
    if (err != BR_ERR_OK)
        return err;
    /* copy: d and s take their memory's address type, n the narrower */
    bri_valtype_t a = bri_addr_type(c->m->memories[mem].is64);
    bri_valtype_t as = bri_addr_type(c->m->memories[src].is64);
    bri_valtype_t n = op == BR_OP_memory_init   ? BR_I32
                      : op == BR_OP_memory_copy ? (a == as ? a : BR_I32)
                                                : a;
    bri_valtype_t mid = op == BR_OP_memory_copy ? as : BR_I32;
    if ((err = bri_pop(c, n, NULL)) != BR_ERR_OK ||
        (err = bri_pop(c, mid, NULL)) != BR_ERR_OK ||
        (err = bri_pop(c, a, NULL)) != BR_ERR_OK || !bri_live(c))
        return err;
    if (op == BR_OP_memory_init)
        return emit_s_ab(c, op, c->height, data, mem, true);
    return emit_s_ab(c, op, c->height, mem,
                     op == BR_OP_memory_copy ? src : BR_NO_INDEX, true);
}

/* ------------------------------------------------------------------ */
/* Constants and references                                            */

/* [op, s, bits] or [op, s, lo, hi]. */
static br_err_t
op_const(bri_compiler_t *c, br_op_t op)
{
    uint64_t bits;
    bri_valtype_t t;
    bool ok;
    if (op == BR_OP_i32_const) {
        int64_t v;
        ok = bri_read_sleb(&c->r, 32, &v);
        bits = (uint32_t)v;
        t = BR_I32;
    } else if (op == BR_OP_i64_const) {
        int64_t v;
        ok = bri_read_s64(&c->r, &v);
        bits = (uint64_t)v;
        t = BR_I64;
    } else {
        t = op == BR_OP_f32_const ? BR_F32 : BR_F64;
        ok = bri_read_fixed(&c->r, t == BR_F32 ? 4 : 8, &bits);
    }
    if (!ok)
        return bri_rd_failed(c);
    uint32_t s = c->height;
    br_err_t err = bri_push(c, t);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    if ((err = bri_emit_reserve(c, 4)) != BR_ERR_OK)
        return err;
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    bri_word(c, (uint32_t)bits);
    if (t == BR_I64 || t == BR_F64)
        bri_word(c, (uint32_t)(bits >> 32));
    return BR_ERR_OK;
}

static br_err_t
op_ref_null(bri_compiler_t *c, br_op_t op)
{
    bri_valtype_t t = 0;
    br_err_t err = bri_rd_valtype(c, true, &t);
    if (err != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    if ((err = bri_push(c, t)) != BR_ERR_OK || !bri_live(c))
        return err;
    return bri_emit_op_s(c, op, s, false);
}

/* Pops the operand of `name`, which must be a reference (or unknown). */
static br_err_t
pop_ref(bri_compiler_t *c, const char *name, bri_valtype_t *t)
{
    br_err_t err = bri_pop(c, BRI_UNKNOWN, t);
    if (err != BR_ERR_OK)
        return err;
    if (!is_ref(*t))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s needs a reference", name);
    return BR_ERR_OK;
}

static br_err_t
op_ref_is_null(bri_compiler_t *c, br_op_t op)
{
    bri_valtype_t t;
    br_err_t err = pop_ref(c, "ref.is_null", &t);
    if (err != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    if ((err = bri_push(c, BR_I32)) != BR_ERR_OK || !bri_live(c))
        return err;
    return bri_emit_op_s(c, op, s, false);
}

/* ref.as_non_null: the same reference, now of its non-null type; a null
 * traps (null_reference) in [ref_as_non_null, s]. */
static br_err_t
op_ref_as_non_null(bri_compiler_t *c, br_op_t op)
{
    bri_valtype_t t;
    br_err_t err = pop_ref(c, "ref.as_non_null", &t);
    if (err != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    if (t != BRI_UNKNOWN)
        t |= BRI_VT_NONNULL;
    if ((err = bri_push(c, t)) != BR_ERR_OK || !bri_live(c))
        return err;
    return bri_emit_op_s(c, op, s, true);
}

/* ref.func x needs x in C.refs (functions referenced outside bodies). */
static br_err_t
op_ref_func(bri_compiler_t *c, br_op_t op)
{
    uint32_t x;
    br_err_t err = bri_rd_u32(c, &x);
    if (err != BR_ERR_OK)
        return err;
    if (x >= c->m->func_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_FUNC, "%u", (unsigned)x);
    if (!c->m->declared_refs[x])
        return BRI_FAIL(c, BR_ERR_UNDECLARED_FUNC_REF, "%u", (unsigned)x);
    uint32_t s = c->height;
    bri_valtype_t t = bri_vt_func_ref(c->m, c->m->funcs[x].type);
    if ((err = bri_push(c, t)) != BR_ERR_OK || !bri_live(c))
        return err;
    return emit_s_ab(c, op, s, x, BR_NO_INDEX, false);
}

static br_err_t
op_illegal(bri_compiler_t *c, br_op_t op)
{
    return BRI_FAIL(c, BR_ERR_ILLEGAL_OPCODE, "%s (not supported yet)",
                    bri_opinfo[op].name);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

/* The HANDLER column of the opcode table; internal ops have none. */
#define HANDLER(name, prefix, code, imm, sig, text, len, span, handler, flags, \
                lanes, align)                                                  \
    [BR_OP_##name] = handler,
static const bri_op_fn op_handlers[BR_OP__COUNT] = {BR_OPCODES_ALL(HANDLER)};
#undef HANDLER

static bri_op_fn
handler_of(br_op_t op)
{
    return op_handlers[op] ? op_handlers[op] : op_illegal;
}

/* An op without a register-style handler, or that its handler left to
 * the generic one (compile.h): BRI_NOT_MINE flushes the deferred
 * operands first, BRI_NOT_MINE_KEEP keeps them. Any other status is the
 * handler's error, returned as it is. */
static br_err_t
not_fused(bri_compiler_t *c, br_op_t op, br_err_t why)
{
    br_err_t err = BR_ERR_OK;
    if (why == BRI_NOT_MINE)
        err = bri_fuse_flush(c);
    else if (why != BRI_NOT_MINE_KEEP)
        return why;
    return err != BR_ERR_OK ? err : handler_of(op)(c, op);
}

/* An opcode with a 0xFC or 0xFD prefix, read by the instruction reader
 * (reader.h: bri_read_prefixed_op). */
static br_err_t
read_prefixed_op(bri_compiler_t *c, uint8_t b, br_op_t *out)
{
    uint32_t sub = 0;
    int op = bri_read_prefixed_op(&c->r, b, &sub);
    if (op == -2)
        return bri_rd_failed(c);
    if (op < 0)
        return BRI_FAIL(c, BR_ERR_ILLEGAL_OPCODE, "0x%02x 0x%x", b,
                        (unsigned)sub);
    *out = (br_op_t)op;
    return BR_ERR_OK;
}

/* Reads an opcode as bri_read_op_after does (reader.h), with the compiler's
 * errors; the caller has checked that a byte is left. */
static inline br_err_t
read_op(bri_compiler_t *c, br_op_t *out)
{
    uint8_t b = *c->r.p++;
    if (BR_UNLIKELY(b == BR_PREFIX_FC || b == BR_PREFIX_FD ||
                    b == BR_PREFIX_FB))
        return read_prefixed_op(c, b, out);
    int op = bri_op_by_byte[b];
    if (BR_UNLIKELY(op < 0))
        return BRI_FAIL(c, BR_ERR_ILLEGAL_OPCODE, "0x%02x", b);
    *out = (br_op_t)op;
    return BR_ERR_OK;
}

/* The body ended with blocks still open. The spec's decoder reads on into
 * whatever follows, so it reports a missing `end` as such unless the
 * body ran into the end of the binary. */
static br_err_t
missing_end(bri_compiler_t *c)
{
    uint64_t body_end = (uint64_t)c->body_offset + c->func->body_size;
    br_err_t code = c->m->size != 0 && body_end >= c->m->size
                        ? BR_ERR_UNEXPECTED_END_SECTION
                        : BR_ERR_END_OPCODE_EXPECTED;
    return bri_error(c->error, code, body_end, (int64_t)c->func_index, "%s",
                     "");
}

static br_err_t
compile_body(bri_compiler_t *c)
{
    while (c->ctrls.count > 0) {
        if (bri_reader_eof(&c->r))
            return missing_end(c);
        c->insn = c->r.p;
        br_op_t op = BR_OP_nop;
        br_err_t err = read_op(c, &op);
        if (err != BR_ERR_OK)
            return err;
        c->insn_count++;
        bri_op_fn fused = bri_fuse_ops[op];
        err = fused != NULL ? fused(c, op) : BRI_NOT_MINE;
        if (BR_UNLIKELY(err != BR_ERR_OK)) {
            err = not_fused(c, op, err);
            if (err != BR_ERR_OK)
                return err;
        }
    }
    if (!bri_reader_eof(&c->r)) /* bytes after the final `end` */
        return bri_error(c->error, BR_ERR_SECTION_SIZE_MISMATCH,
                         c->body_offset + bri_reader_offset(&c->r),
                         (int64_t)c->func_index, "%s", "");
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Function setup and result                                           */

/* Slots of params and locals; a v128 takes two, which shifts the slots
 * of the locals after it (then a per-local table is built). */
/* Marks the declared locals of non-null reference types as not set
 * (parameters always are); no tracking without one. */
static br_err_t
setup_init(bri_compiler_t *c)
{
    uint32_t np = c->type->param_count;
    c->inits.count = 0;
    c->track_init = false;
    for (uint32_t x = np; x < c->local_count && !c->track_init; x++)
        c->track_init = !bri_vt_nullable(local_type(c, x));
    if (!c->track_init)
        return BR_ERR_OK;
    c->unset.count = 0;
    br_err_t err = bri_buf_reserve(c, &c->unset, 1, c->local_count);
    if (err != BR_ERR_OK)
        return err;
    uint8_t *unset = c->unset.data;
    for (uint32_t x = 0; x < c->local_count; x++)
        unset[x] = x >= np && !bri_vt_nullable(local_type(c, x));
    return BR_ERR_OK;
}

static br_err_t
setup_locals(bri_compiler_t *c)
{
    const bri_functype_t *t = c->type;
    uint64_t count = (uint64_t)t->param_count + c->func->local_count;
    uint64_t slots = 0;
    bool shifted = false;
    for (uint32_t x = 0; x < count; x++) {
        bri_valtype_t k = local_type(c, x);
        slots += bri_vt_slots(k);
        shifted |= k == BR_V128;
    }
    if (count > BRI_MAX_STACK || slots > BRI_MAX_STACK)
        return BRI_FAIL(c, BR_ERR_TOO_MANY_LOCALS, "%llu",
                        (unsigned long long)count);
    c->local_count = (uint32_t)count;
    c->local_slots = (uint32_t)slots;
    c->local_slot = NULL;
    br_err_t ierr = setup_init(c);
    if (ierr != BR_ERR_OK || !shifted)
        return ierr;
    bri_buf_t b = {c->local_slot_buf, 0, c->local_slot_cap};
    br_err_t err = bri_buf_reserve(c, &b, sizeof(uint32_t), (uint32_t)count);
    c->local_slot_buf = b.data;
    c->local_slot_cap = b.cap;
    if (err != BR_ERR_OK)
        return err;
    c->local_slot = c->local_slot_buf;
    for (uint32_t x = 0, s = 0; x < count; x++) {
        c->local_slot[x] = s;
        s += bri_vt_slots(local_type(c, x));
    }
    return BR_ERR_OK;
}

static void
free_handlers(bri_compiler_t *c)
{
    bri_handler_t *h = c->handlers.data;
    for (uint32_t i = 0; i < c->handlers.count; i++)
        bri_free(c->alloc, h[i].catches,
                 h[i].catch_count * sizeof(bri_catch_t));
    c->handlers.count = 0;
}

/* Adds the hidden exception slots (known only now) to every operand-slot
 * word and handler height. */
static void
relocate(bri_compiler_t *c)
{
    uint32_t t = c->max_try;
    uint32_t *w = c->words.data;
    const uint32_t *rel = c->relocs.data;
    if (t != 0)
        for (uint32_t i = 0; i < c->relocs.count; i++)
            w[rel[i]] += t;
    bri_handler_t *h = c->handlers.data;
    for (uint32_t i = 0; i < c->handlers.count; i++)
        h[i].height += c->local_slots + t;
}

/* Copies a buffer into an exact-size block (NULL when empty). */
static br_err_t
copy_out(bri_compiler_t *c, const bri_buf_t *b, size_t elem, void **out)
{
    *out = NULL;
    if (b->count == 0)
        return BR_ERR_OK;
    *out = bri_alloc(c->alloc, (size_t)b->count * elem);
    if (*out == NULL)
        return BRI_FAIL(c, BR_ERR_OUT_OF_MEMORY, "%s", "compiling");
    memcpy(*out, b->data, (size_t)b->count * elem);
    return BR_ERR_OK;
}

static br_err_t
finish(bri_compiler_t *c, bri_code_t *out)
{
    relocate(c);
    bri_code_t code = {
        .word_count = c->words.count,
        .param_slots = bri_slots_sum(c->type->params, c->type->param_count),
        .local_slots = c->local_slots,
        .result_slots = bri_slots_sum(c->type->results, c->type->result_count),
        .frame_slots = c->local_slots + c->max_try + c->max_height,
        .handler_count = c->handlers.count,
        .site_count = c->sites.count,
    };
    void *words, *sites, *handlers;
    br_err_t err = copy_out(c, &c->words, sizeof(uint32_t), &words);
    if (err == BR_ERR_OK)
        err = copy_out(c, &c->sites, sizeof(bri_site_t), &sites);
    else
        sites = NULL;
    if (err == BR_ERR_OK)
        err = copy_out(c, &c->handlers, sizeof(bri_handler_t), &handlers);
    else
        handlers = NULL;
    if (err != BR_ERR_OK) {
        bri_free(c->alloc, words, code.word_count * sizeof(uint32_t));
        bri_free(c->alloc, sites, code.site_count * sizeof(bri_site_t));
        return err;
    }
    code.words = words;
    code.sites = sites;
    code.handlers = handlers;
    c->handlers.count = 0; /* the catches now belong to the code */
    *out = code;
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

void
bri_compiler_init(bri_compiler_t *c, br_module_t *m, br_error_t *error)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->alloc = &m->engine->alloc;
    c->error = error;
}

void
bri_compiler_free(bri_compiler_t *c)
{
    free_handlers(c);
    bri_buf_free(c, &c->vals, sizeof(bri_valtype_t));
    bri_buf_free(c, &c->ctrls, sizeof(bri_ctrl_t));
    bri_buf_free(c, &c->words, sizeof(uint32_t));
    bri_buf_free(c, &c->relocs, sizeof(uint32_t));
    bri_buf_free(c, &c->sites, sizeof(bri_site_t));
    bri_buf_free(c, &c->handlers, sizeof(bri_handler_t));
    bri_free(c->alloc, c->local_slot_buf,
             (size_t)c->local_slot_cap * sizeof(uint32_t));
    bri_buf_free(c, &c->unset, 1);
    bri_buf_free(c, &c->inits, sizeof(uint32_t));
    bri_free(c->alloc, c->ref_vts,
             (size_t)c->m->type_count * 2 * sizeof *c->ref_vts);
    c->ref_vts = NULL;
    c->local_slot_buf = c->local_slot = NULL;
    c->local_slot_cap = 0;
}

void
bri_code_free(const bri_allocator_t *a, bri_code_t *code)
{
    for (uint32_t i = 0; i < code->handler_count; i++)
        bri_free(a, code->handlers[i].catches,
                 code->handlers[i].catch_count * sizeof(bri_catch_t));
    bri_free(a, code->handlers, code->handler_count * sizeof(bri_handler_t));
    bri_free(a, code->words, code->word_count * sizeof(uint32_t));
    bri_free(a, code->sites, code->site_count * sizeof(bri_site_t));
    memset(code, 0, sizeof *code);
}

static void
reset(bri_compiler_t *c, uint32_t func_index)
{
    br_module_t *m = c->m;
    free_handlers(c);
    c->vals.count = c->ctrls.count = 0;
    c->words.count = c->relocs.count = c->sites.count = 0;
    c->height = c->max_height = c->max_try = 0;
    c->insn_count = 0;
    bri_fuse_reset(c);
    c->func_index = func_index;
    c->func = &m->funcs[func_index];
    c->type = &m->ftypes[c->func->type];
    c->body = c->func->body;
    c->body_offset = c->func->body_offset;
    c->insn = c->body;
    c->r = (bri_reader_t){
        .base = c->body,
        .p = c->body,
        .end = c->body + c->func->body_size,
        .error = c->error,
    };
}

br_err_t
bri_compile_func(bri_compiler_t *c, uint32_t func_index)
{
    reset(c, func_index);
    bri_func_t *f = &c->m->funcs[func_index];
    memset(&f->code, 0, sizeof f->code);
    br_err_t err = setup_locals(c);
    if (err == BR_ERR_OK)
        err = bri_ctrl_push(c, BRI_CTRL_FUNC, NULL, 0, c->type->results,
                            c->type->result_count);
    if (err == BR_ERR_OK)
        err = compile_body(c);
    if (err == BR_ERR_OK)
        err = finish(c, &f->code);
    if (err != BR_ERR_OK)
        free_handlers(c);
    return err;
}
