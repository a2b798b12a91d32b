/*
 * beamr engine: validation and compilation of control instructions:
 * blocks, branches (with their value moves and patch chains), calls, and
 * the exception-handling instructions (legacy try/catch/delegate/rethrow
 * and try_table/throw_ref) with their handler table.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "compile.h"

/* The block type byte for "no params, no results". */
#define BLOCKTYPE_EMPTY 0x40u

/* ------------------------------------------------------------------ */
/* Block types and labels                                              */

typedef struct blocktype {
    const bri_valtype_t *params, *results;
    uint32_t nparams, nresults;
} blocktype_t;

/* blocktype -> 0x40 | valtype | s33 type index (>= 0). */
static br_err_t
read_blocktype(bri_compiler_t *c, blocktype_t *bt)
{
    memset(bt, 0, sizeof *bt);
    if (bri_reader_eof(&c->r)) {
        uint8_t b;
        return bri_rd_u8(c, &b); /* reports the end of the body */
    }
    uint8_t b = *c->r.p;
    if (b == BLOCKTYPE_EMPTY) {
        c->r.p++;
        return BR_ERR_OK;
    }
    if (bri_valtype_ref(b) || b == BRI_REF_NULL_FORM || b == BRI_REF_FORM ||
        (b >= BRI_HT_NOEXTERN && b <= BRI_HT_NOEXN)) {
        bri_valtype_t t;
        br_err_t err = bri_rd_valtype(c, false, &t);
        if (err != BR_ERR_OK)
            return err;
        bt->results = bri_valtype_stable(c, t);
        bt->nresults = 1;
        return bt->results ? BR_ERR_OK : BR_ERR_OUT_OF_MEMORY;
    }
    int64_t idx;
    if (!bri_read_sleb(&c->r, 33, &idx))
        return bri_rd_failed(c);
    if (idx < 0)
        return BRI_FAIL(c, BR_ERR_MALFORMED_VALTYPE, "block type %lld",
                        (long long)idx);
    if ((uint64_t)idx >= c->m->type_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_TYPE, "%lld", (long long)idx);
    const bri_functype_t *ft = &c->m->ftypes[idx];
    bt->params = ft->params;
    bt->nparams = ft->param_count;
    bt->results = ft->results;
    bt->nresults = ft->result_count;
    return BR_ERR_OK;
}

/* Reads a label index and checks it names an enclosing block. */
static br_err_t
read_label(bri_compiler_t *c, uint32_t *l)
{
    br_err_t err = bri_rd_u32(c, l);
    if (err == BR_ERR_OK && *l >= c->ctrls.count)
        err = BRI_FAIL(c, BR_ERR_UNKNOWN_LABEL, "%u", (unsigned)*l);
    return err;
}

/* The values a branch to this frame carries. */
static const bri_valtype_t *
label_types(const bri_ctrl_t *f, uint32_t *n, uint32_t *slots)
{
    if (f->kind == BRI_CTRL_LOOP) {
        *n = f->nparams;
        *slots = f->param_slots;
        return f->params;
    }
    *n = f->nresults;
    *slots = f->result_slots;
    return f->results;
}

/* Back-edge fuel: the instructions read since the loop began (>= 1, as
 * the branch itself counts), about the work of one iteration. */
static uint32_t
loop_fuel(const bri_compiler_t *c, const bri_ctrl_t *loop)
{
    uint32_t n = c->insn_count - loop->loop_insn;
    return n ? n : 1;
}

/* ------------------------------------------------------------------ */
/* Branch emission                                                     */

/* [ret, s, n]: results at s.. go to frame slot 0.. */
static void
emit_ret(bri_compiler_t *c, uint32_t s, uint32_t n)
{
    bri_word(c, BR_OP_ret);
    bri_slot_word(c, s);
    bri_word(c, n);
}

/* The jump part of a branch: [jump_back, target, fuel] to a loop, else
 * [jump, target] with the target patched at the frame's end. */
static void
emit_jump(bri_compiler_t *c, bri_ctrl_t *target)
{
    if (target->kind == BRI_CTRL_LOOP) {
        bri_site(c, bri_pc(c)); /* a fuel point */
        bri_word(c, BR_OP_jump_back);
        bri_word(c, target->loop_pc);
        bri_word(c, loop_fuel(c, target));
    } else {
        bri_word(c, BR_OP_jump);
        bri_patch_word(c, &target->patch);
    }
}

/* An unconditional branch whose values sit at src..: [move][jump], or a
 * [ret] for the function's own label. At most 7 words. */
static void
emit_branch(bri_compiler_t *c, bri_ctrl_t *target, uint32_t src)
{
    uint32_t n, slots;
    label_types(target, &n, &slots);
    if (target->kind == BRI_CTRL_FUNC) {
        emit_ret(c, src, slots);
        return;
    }
    if (slots != 0 && src != target->base) {
        bri_word(c, BR_OP_move);
        bri_slot_word(c, target->base);
        bri_slot_word(c, src);
        bri_word(c, slots);
    }
    emit_jump(c, target);
}

br_err_t
bri_op_br(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    uint32_t l, n, slots;
    br_err_t err = read_label(c, &l);
    if (err != BR_ERR_OK)
        return err;
    bri_ctrl_t *target = bri_ctrl_at(c, l);
    const bri_valtype_t *t = label_types(target, &n, &slots);
    if ((err = bri_pop_n(c, t, n)) != BR_ERR_OK)
        return err;
    if (bri_live(c)) {
        if ((err = bri_emit_reserve(c, 7)) != BR_ERR_OK)
            return err;
        emit_branch(c, bri_ctrl_at(c, l), c->height);
    }
    bri_set_unreachable(c);
    return BR_ERR_OK;
}

/* br_if: [jump_if, s, target] / [jump_if_back, s, target, fuel] when no
 * value moves, else [jump_unless, s, L][move][jump] L: (or
 * [jump_unless, s, L][ret] L: for the function's label). */
static void
emit_br_if(bri_compiler_t *c, bri_ctrl_t *target, uint32_t cond, uint32_t src)
{
    uint32_t n, slots;
    label_types(target, &n, &slots);
    bool moves = slots != 0 && src != target->base;
    if (target->kind != BRI_CTRL_FUNC && !moves) {
        if (target->kind == BRI_CTRL_LOOP) {
            bri_site(c, bri_pc(c)); /* a fuel point */
            bri_word(c, BR_OP_jump_if_back);
            bri_slot_word(c, cond);
            bri_word(c, target->loop_pc);
            bri_word(c, loop_fuel(c, target));
        } else {
            bri_word(c, BR_OP_jump_if);
            bri_slot_word(c, cond);
            bri_patch_word(c, &target->patch);
        }
        return;
    }
    bri_word(c, BR_OP_jump_unless);
    bri_slot_word(c, cond);
    uint32_t skip = bri_pc(c);
    bri_word(c, 0);
    emit_branch(c, target, src);
    ((uint32_t *)c->words.data)[skip] = bri_pc(c);
}

br_err_t
bri_op_br_if(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    uint32_t l, n, slots;
    br_err_t err = read_label(c, &l);
    if (err == BR_ERR_OK)
        err = bri_pop(c, BR_I32, NULL);
    if (err != BR_ERR_OK)
        return err;
    uint32_t cond = c->height;
    const bri_valtype_t *t = label_types(bri_ctrl_at(c, l), &n, &slots);
    /* the spec pops the label's values and pushes its types back */
    if ((err = bri_pop_n(c, t, n)) != BR_ERR_OK)
        return err;
    uint32_t src = c->height;
    if ((err = bri_push_n(c, t, n)) != BR_ERR_OK || !bri_live(c))
        return err;
    if ((err = bri_emit_reserve(c, 10)) != BR_ERR_OK)
        return err;
    emit_br_if(c, bri_ctrl_at(c, l), cond, src);
    return BR_ERR_OK;
}

/* The reference at slot `ref` tested into the scratch slot above it:
 * [move, cond, ref, 1][ref_is_null, cond], then [i32_eqz, cond] when
 * the branch is taken on a non-null reference. */
static void
emit_null_test(bri_compiler_t *c, uint32_t ref, uint32_t cond, bool nonnull)
{
    bri_word(c, BR_OP_move);
    bri_slot_word(c, cond);
    bri_slot_word(c, ref);
    bri_word(c, 1);
    bri_word(c, BR_OP_ref_is_null);
    bri_slot_word(c, cond);
    if (nonnull) {
        bri_word(c, BR_OP_i32_eqz);
        bri_slot_word(c, cond);
    }
}

/* Pops the tested reference: any reference type (Unknown in dead code). */
static br_err_t
pop_tested_ref(bri_compiler_t *c, br_op_t op, bri_valtype_t *t)
{
    br_err_t err = bri_pop(c, BRI_UNKNOWN, t);
    if (err != BR_ERR_OK || *t == BRI_UNKNOWN)
        return err;
    if (!bri_vt_is_ref(*t))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s needs a reference",
                        bri_opinfo[op].text);
    *t |= BRI_VT_NONNULL;
    return BR_ERR_OK;
}

/* The stack types of br_on_null l: [t* (ref null ht)] -> [t* (ref ht)],
 * the label taking t*; of br_on_non_null l, whose label types end with a
 * reference type rt: [t* (ref null ht)] -> [t*], with (ref ht) <: rt.
 * Like br_if, the label's values are popped and pushed back (subtyping
 * keeps the stack's own types out of the result). On return *ref is the
 * slot of the tested reference and *src the label values' first slot. */
static br_err_t
br_on_null_types(bri_compiler_t *c, br_op_t op, uint32_t l, uint32_t *ref,
                 uint32_t *src)
{
    uint32_t n, slots;
    bri_valtype_t t;
    const bri_valtype_t *lt = label_types(bri_ctrl_at(c, l), &n, &slots);
    br_err_t err = pop_tested_ref(c, op, &t);
    if (err != BR_ERR_OK)
        return err;
    if (op == BR_OP_br_on_null) {
        if ((err = bri_pop_n(c, lt, n)) != BR_ERR_OK)
            return err;
        *src = c->height;
        if ((err = bri_push_n(c, lt, n)) != BR_ERR_OK)
            return err;
        *ref = c->height;
        return bri_push(c, t);
    }
    if (n == 0 || !bri_vt_is_ref(lt[n - 1]))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "br_on_non_null needs a label ending in a reference");
    if ((err = bri_push(c, t)) != BR_ERR_OK ||
        (err = bri_pop_n(c, lt, n)) != BR_ERR_OK)
        return err;
    *src = c->height;
    if ((err = bri_push_n(c, lt, n - 1)) != BR_ERR_OK)
        return err;
    *ref = c->height;
    return BR_ERR_OK;
}

/* br_on_null / br_on_non_null: the null test into a scratch slot above
 * the reference, then a br_if on it (emit_br_if). */
br_err_t
bri_op_br_on_null(bri_compiler_t *c, br_op_t op)
{
    uint32_t l, ref = 0, src = 0;
    br_err_t err = read_label(c, &l);
    if (err == BR_ERR_OK)
        err = br_on_null_types(c, op, l, &ref, &src);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    /* the scratch slot counts towards the frame: pushed, then popped */
    uint32_t cond = ref + 1;
    uint32_t h = c->height;
    c->height = cond;
    err = bri_push(c, BR_I32);
    c->vals.count--;
    c->height = h;
    if (err != BR_ERR_OK || (err = bri_emit_reserve(c, 18)) != BR_ERR_OK)
        return err;
    emit_null_test(c, ref, cond, op == BR_OP_br_on_non_null);
    emit_br_if(c, bri_ctrl_at(c, l), cond, src);
    return BR_ERR_OK;
}

/* br_on_cast(_fail)'s immediates: flags, label, source type rt1 and
 * target type rt2 (canonical), rt2 a subtype of rt1. */
static br_err_t
br_on_cast_imms(bri_compiler_t *c, uint32_t *l, bri_valtype_t *rt1,
                bri_valtype_t *rt2)
{
    uint8_t flags;
    br_err_t err = bri_rd_u8(c, &flags);
    if (err != BR_ERR_OK)
        return err;
    if (flags > 3)
        return BRI_FAIL(c, BR_ERR_MALFORMED_REFTYPE, "%s", "br_on_cast flags");
    if ((err = read_label(c, l)) != BR_ERR_OK ||
        (err = bri_rd_valtype(c, true, rt1)) != BR_ERR_OK ||
        (err = bri_rd_valtype(c, true, rt2)) != BR_ERR_OK)
        return err;
    if (!(flags & 1))
        *rt1 |= BRI_VT_NONNULL;
    if (!(flags & 2))
        *rt2 |= BRI_VT_NONNULL;
    if (!bri_vt_match(c->m, *rt2, *rt1))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "br_on_cast target type is not below its source");
    return BR_ERR_OK;
}

/* The stack types of br_on_cast l rt1 rt2: [t* rt1] -> [t* rt1\rt2], the
 * label taking [t* rt2]; of br_on_cast_fail: [t* rt1] -> [t* rt2], the
 * label taking [t* rt1\rt2] (rt1\rt2: rt1, non-null when rt2 admits
 * null). As for br_on_non_null, *ref is the tested reference's slot and
 * *src the label values' first slot. */
static br_err_t
br_on_cast_types(bri_compiler_t *c, br_op_t op, uint32_t l, bri_valtype_t rt1,
                 bri_valtype_t rt2, uint32_t *ref, uint32_t *src)
{
    uint32_t n, slots;
    const bri_valtype_t *lt = label_types(bri_ctrl_at(c, l), &n, &slots);
    bri_valtype_t diff = bri_vt_nullable(rt2) ? rt1 | BRI_VT_NONNULL : rt1;
    bool fail = op == BR_OP_br_on_cast_fail;
    br_err_t err = bri_pop(c, rt1, NULL);
    if (err != BR_ERR_OK)
        return err;
    if (n == 0 || !bri_vt_is_ref(lt[n - 1]))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "br_on_cast needs a label ending in a reference");
    if ((err = bri_push(c, fail ? diff : rt2)) != BR_ERR_OK ||
        (err = bri_pop_n(c, lt, n)) != BR_ERR_OK)
        return err;
    *src = c->height;
    if ((err = bri_push_n(c, lt, n - 1)) != BR_ERR_OK)
        return err;
    *ref = c->height;
    return bri_push(c, fail ? rt2 : diff);
}

/* br_on_cast / br_on_cast_fail: the cast test into a scratch slot above
 * the reference ([move][ref_test] as ref.test compiles, code.h), then a
 * br_if on it. */
br_err_t
bri_op_br_on_cast(bri_compiler_t *c, br_op_t op)
{
    uint32_t l, ref = 0, src = 0;
    bri_valtype_t rt1, rt2;
    c->m->gc_code = true; /* aot files refuse it (bri_module_has_gc) */
    br_err_t err = br_on_cast_imms(c, &l, &rt1, &rt2);
    if (err == BR_ERR_OK)
        err = br_on_cast_types(c, op, l, rt1, rt2, &ref, &src);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    /* the scratch slot counts towards the frame: pushed, then popped */
    uint32_t cond = ref + 1;
    uint32_t h = c->height;
    uint32_t count = c->vals.count;
    c->height = cond;
    err = bri_push(c, BR_I32);
    c->vals.count = count;
    c->height = h;
    if (err != BR_ERR_OK || (err = bri_emit_reserve(c, 20)) != BR_ERR_OK)
        return err;
    bri_word(c, BR_OP_move);
    bri_slot_word(c, cond);
    bri_slot_word(c, ref);
    bri_word(c, 1);
    bri_word(c, BR_OP_ref_test);
    bri_slot_word(c, cond);
    bri_word(c, rt2);
    if (op == BR_OP_br_on_cast_fail) {
        bri_word(c, BR_OP_i32_eqz);
        bri_slot_word(c, cond);
    }
    emit_br_if(c, bri_ctrl_at(c, l), cond, src);
    return BR_ERR_OK;
}

/* One (target, dst, fuel) entry of a jump_table. The function's label
 * jumps to its final [ret] with the values moved to its base. */
static void
emit_table_entry(bri_compiler_t *c, bri_ctrl_t *target)
{
    if (target->kind == BRI_CTRL_LOOP) {
        bri_word(c, target->loop_pc);
        bri_slot_word(c, target->base);
        bri_word(c, loop_fuel(c, target));
    } else {
        bri_patch_word(c, &target->patch);
        bri_slot_word(c, target->base);
        bri_word(c, 0);
    }
}

/* Checks every label (the default last) for range, arity and the values
 * on the stack, as the spec does, re-reading them from `labels`; in live
 * code emits [jump_table, idx, count, src, slots, entries...]. */
static br_err_t
br_table_labels(bri_compiler_t *c, const uint8_t *labels, uint32_t count,
                uint32_t def, uint32_t idx)
{
    uint32_t n, slots;
    label_types(bri_ctrl_at(c, def), &n, &slots);
    const uint8_t *after = c->r.p;
    bool live = bri_live(c);
    br_err_t err = BR_ERR_OK;
    if (live) {
        if ((err = bri_emit_reserve(c, 5 + 3 * (count + 1))) != BR_ERR_OK)
            return err;
        bri_site(c, bri_pc(c)); /* a fuel point */
        bri_word(c, BR_OP_jump_table);
        bri_slot_word(c, idx);
        bri_word(c, count);
        bri_slot_word(c, idx - slots);
        bri_word(c, slots);
    }
    c->r.p = labels;
    for (uint32_t i = 0; i <= count && err == BR_ERR_OK; i++) {
        uint32_t l = def, ln, lslots;
        if (i < count && (err = read_label(c, &l)) != BR_ERR_OK)
            break;
        const bri_valtype_t *lt = label_types(bri_ctrl_at(c, l), &ln, &lslots);
        if (ln != n)
            err = BRI_FAIL(c, BR_ERR_TYPE_MISMATCH,
                           "br_table label %u "
                           "has arity %u, the default %u",
                           (unsigned)l, (unsigned)ln, (unsigned)n);
        if (err == BR_ERR_OK)
            err = bri_peek_n(c, lt, ln);
        if (err == BR_ERR_OK && live)
            emit_table_entry(c, bri_ctrl_at(c, l));
    }
    c->r.p = after;
    return err;
}

br_err_t
bri_op_br_table(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    uint32_t count, def, skip;
    br_err_t err = bri_rd_u32(c, &count);
    if (err != BR_ERR_OK)
        return err;
    if (count > (UINT32_MAX - 16) / 3 ||
        count > (size_t)(c->r.end - c->r.p)) /* each label takes a byte */
        return BRI_FAIL(c, BR_ERR_UNEXPECTED_END_SECTION, "%s", "br_table");
    const uint8_t *labels = c->r.p;
    for (uint32_t i = 0; i < count && err == BR_ERR_OK; i++)
        err = bri_rd_u32(c, &skip);
    if (err == BR_ERR_OK)
        err = bri_rd_u32(c, &def);
    if (err == BR_ERR_OK)
        err = bri_pop(c, BR_I32, NULL);
    if (err == BR_ERR_OK && def >= c->ctrls.count)
        err = BRI_FAIL(c, BR_ERR_UNKNOWN_LABEL, "%u", (unsigned)def);
    if (err != BR_ERR_OK)
        return err;
    uint32_t n, slots;
    const bri_valtype_t *t = label_types(bri_ctrl_at(c, def), &n, &slots);
    /* the default's values first: in live code they then surely sit
     * right below the index */
    err = bri_peek_n(c, t, n);
    if (err == BR_ERR_OK)
        err = br_table_labels(c, labels, count, def, c->height);
    if (err == BR_ERR_OK)
        err = bri_pop_n(c, t, n);
    if (err == BR_ERR_OK)
        bri_set_unreachable(c);
    return err;
}

br_err_t
bri_op_return(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    bri_ctrl_t *fn = (bri_ctrl_t *)c->ctrls.data;
    br_err_t err = bri_pop_n(c, fn->results, fn->nresults);
    if (err != BR_ERR_OK)
        return err;
    if (bri_live(c)) {
        if ((err = bri_emit_reserve(c, 3)) != BR_ERR_OK)
            return err;
        emit_ret(c, c->height, ((bri_ctrl_t *)c->ctrls.data)->result_slots);
    }
    bri_set_unreachable(c);
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Blocks                                                              */

/* block and loop emit nothing; a loop remembers where back-edges go. */
br_err_t
bri_op_block(bri_compiler_t *c, br_op_t op)
{
    blocktype_t bt;
    br_err_t err = read_blocktype(c, &bt);
    if (err == BR_ERR_OK)
        err = bri_pop_n(c, bt.params, bt.nparams);
    if (err == BR_ERR_OK)
        err =
            bri_ctrl_push(c, op == BR_OP_loop ? BRI_CTRL_LOOP : BRI_CTRL_BLOCK,
                          bt.params, bt.nparams, bt.results, bt.nresults);
    if (err != BR_ERR_OK)
        return err;
    bri_ctrl_t *f = bri_ctrl_top(c);
    f->loop_pc = bri_pc(c);
    f->loop_insn = c->insn_count;
    return BR_ERR_OK;
}

/* if: [jump_unless, cond, else-or-end]. */
br_err_t
bri_op_if(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    blocktype_t bt;
    br_err_t err = read_blocktype(c, &bt);
    if (err == BR_ERR_OK)
        err = bri_pop(c, BR_I32, NULL);
    uint32_t cond = c->height;
    if (err == BR_ERR_OK)
        err = bri_pop_n(c, bt.params, bt.nparams);
    if (err == BR_ERR_OK)
        err = bri_ctrl_push(c, BRI_CTRL_IF, bt.params, bt.nparams, bt.results,
                            bt.nresults);
    if (err != BR_ERR_OK || bri_ctrl_top(c)->dead)
        return err;
    if ((err = bri_emit_reserve(c, 3)) != BR_ERR_OK)
        return err;
    bri_word(c, BR_OP_jump_unless);
    bri_slot_word(c, cond);
    bri_patch_word(c, &bri_ctrl_top(c)->else_patch);
    return BR_ERR_OK;
}

/* Ends the current clause of an if or try and starts the next one with
 * `params` on the stack: a live clause end jumps to the block's end. */
static br_err_t
next_clause(bri_compiler_t *c, bri_ctrl_kind_t kind,
            const bri_valtype_t *params, uint32_t nparams, bri_ctrl_t *old)
{
    br_err_t err = bri_ctrl_pop(c, old);
    if (err == BR_ERR_OK)
        err = bri_ctrl_push(c, kind, params, nparams, old->results,
                            old->nresults);
    if (err == BR_ERR_OK && !old->dead && !old->unreachable)
        err = bri_emit_reserve(c, 2);
    if (err != BR_ERR_OK)
        return err;
    bri_ctrl_t *f = bri_ctrl_top(c);
    f->patch = old->patch;
    f->handler = old->handler;
    f->exn_depth = old->exn_depth;
    if (!old->dead && !old->unreachable) {
        bri_word(c, BR_OP_jump);
        bri_patch_word(c, &f->patch);
    }
    return BR_ERR_OK;
}

/* Misplaced else/catch/delegate: the spec's decoder stops the enclosing
 * block there and then wants its `end`. */
static br_err_t
misplaced(bri_compiler_t *c, br_op_t op)
{
    return BRI_FAIL(c, BR_ERR_END_OPCODE_EXPECTED, "misplaced %s",
                    bri_opinfo[op].name);
}

br_err_t
bri_op_else(bri_compiler_t *c, br_op_t op)
{
    bri_ctrl_t *f = bri_ctrl_top(c);
    if (f->kind != BRI_CTRL_IF)
        return misplaced(c, op);
    bri_ctrl_t old;
    br_err_t err = next_clause(c, BRI_CTRL_ELSE, f->params, f->nparams, &old);
    if (err == BR_ERR_OK)
        bri_patch_resolve(c, old.else_patch, bri_pc(c));
    return err;
}

/* An if without else passes its params on as its results. */
static bool
same_types(const bri_ctrl_t *f)
{
    if (f->nparams != f->nresults)
        return false;
    for (uint32_t i = 0; i < f->nparams; i++)
        if (f->params[i] != f->results[i])
            return false;
    return true;
}

/*
 * The end of a live try_table: its handler's range ends here, then come
 * its catches' landing pads (code.h), behind a jump for the body's
 * fall-through. Until now each catch's pc held its label depth; the
 * labels are the frames outside the try_table, which is popped.
 */
static br_err_t
end_try_table(bri_compiler_t *c, bri_ctrl_t *f, bool live)
{
    bri_handler_t *h = (bri_handler_t *)c->handlers.data + f->handler;
    h->end = bri_pc(c);
    br_err_t err = bri_emit_reserve(c, 2);
    if (err != BR_ERR_OK)
        return err;
    if (live && h->catch_count != 0) {
        bri_word(c, BR_OP_jump);
        bri_patch_word(c, &f->patch);
    }
    for (uint32_t k = 0; k < h->catch_count; k++) {
        if ((err = bri_emit_reserve(c, 7)) != BR_ERR_OK)
            return err;
        bri_catch_t *ct = &h->catches[k];
        bri_ctrl_t *target = bri_ctrl_at(c, ct->pc);
        ct->pc = bri_pc(c);
        emit_branch(c, target, f->base);
    }
    bri_patch_resolve(c, f->patch, bri_pc(c));
    return bri_push_n(c, f->results, f->nresults);
}

/* end: the end of a function emits its [ret]; block ends resolve their
 * patch chains (and an if without else its jump_unless). */
br_err_t
bri_op_end(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    bri_ctrl_t f;
    bool live = bri_live(c);
    br_err_t err = bri_ctrl_pop(c, &f);
    if (err != BR_ERR_OK)
        return err;
    if (f.kind == BRI_CTRL_IF && !same_types(&f))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "if without else must not change the stack types");
    if (f.kind == BRI_CTRL_FUNC) {
        if (live || f.patch != BR_NO_INDEX) {
            if ((err = bri_emit_reserve(c, 3)) != BR_ERR_OK)
                return err;
            bri_patch_resolve(c, f.patch, bri_pc(c));
            emit_ret(c, f.base, f.result_slots);
        }
        return BR_ERR_OK;
    }
    if (f.kind == BRI_CTRL_TRY_TABLE && f.handler >= 0)
        return end_try_table(c, &f, live);
    if (f.kind == BRI_CTRL_TRY && f.handler >= 0)
        ((bri_handler_t *)c->handlers.data)[f.handler].end = bri_pc(c);
    bri_patch_resolve(c, f.else_patch, bri_pc(c));
    bri_patch_resolve(c, f.patch, bri_pc(c));
    return bri_push_n(c, f.results, f.nresults);
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

/* Pops the params and pushes the results of a call; *s gets the slot of
 * the first argument (results are written from there). */
static br_err_t
call_types(bri_compiler_t *c, const bri_functype_t *ft, uint32_t *s)
{
    br_err_t err = bri_pop_n(c, ft->params, ft->param_count);
    if (err != BR_ERR_OK)
        return err;
    *s = c->height;
    return bri_push_n(c, ft->results, ft->result_count);
}

/* Whether a tail callee's results may stand for the function's own
 * (each a subtype of the function's). */
static bool
tail_results_match(const br_module_t *m, const bri_functype_t *ft,
                   const bri_ctrl_t *fn)
{
    if (ft->result_count != fn->nresults)
        return false;
    for (uint32_t i = 0; i < fn->nresults; i++)
        if (!bri_vt_match(m, ft->results[i], fn->results[i]))
            return false;
    return true;
}

/* A tail call pops its params and pushes nothing: the callee's results
 * are the function's own, so they must match them (subtypes of them). */
static br_err_t
tail_call_types(bri_compiler_t *c, const bri_functype_t *ft, uint32_t *s)
{
    const bri_ctrl_t *fn = (const bri_ctrl_t *)c->ctrls.data;
    if (!tail_results_match(c->m, ft, fn))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "tail call results differ from the function's");
    br_err_t err = bri_pop_n(c, ft->params, ft->param_count);
    *s = c->height;
    /* a host callee writes its results from s before they leave the
     * frame: reserve their slots as if they were pushed */
    uint64_t top =
        (uint64_t)c->height + bri_slots_sum(ft->results, ft->result_count);
    if (err == BR_ERR_OK && top > BRI_MAX_STACK)
        err =
            BRI_FAIL(c, BR_ERR_LIMIT_EXCEEDED, "%s", "operand stack too deep");
    if (err == BR_ERR_OK && top > c->max_height)
        c->max_height = (uint32_t)top;
    return err;
}

static br_err_t
emit_call(bri_compiler_t *c, br_op_t op, uint32_t s, uint32_t a, uint32_t b)
{
    br_err_t err = bri_emit_reserve(c, 4);
    if (err != BR_ERR_OK)
        return err;
    bri_site(c, bri_pc(c));
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    bri_word(c, a);
    if (b != BR_NO_INDEX)
        bri_word(c, b);
    return BR_ERR_OK;
}

/* Types and code of a call once its immediates are read: [op, s, a] or
 * [op, s, a, b]. A tail call (return_call*) then ends the block like
 * `return`: the callee replaces the frame (code.h). */
static br_err_t
finish_call(bri_compiler_t *c, br_op_t op, const bri_functype_t *ft, uint32_t a,
            uint32_t b)
{
    bool tail = op == BR_OP_return_call || op == BR_OP_return_call_indirect ||
                op == BR_OP_return_call_ref;
    uint32_t s = 0;
    br_err_t err = tail ? tail_call_types(c, ft, &s) : call_types(c, ft, &s);
    if (err == BR_ERR_OK && bri_live(c))
        err = emit_call(c, op, s, a, b);
    if (err == BR_ERR_OK && tail)
        bri_set_unreachable(c);
    return err;
}

/* call x: [call, s, func]; return_call x: [return_call, s, func]. */
br_err_t
bri_op_call(bri_compiler_t *c, br_op_t op)
{
    uint32_t x;
    br_err_t err = bri_rd_u32(c, &x);
    if (err != BR_ERR_OK)
        return err;
    if (x >= c->m->func_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_FUNC, "%u", (unsigned)x);
    return finish_call(c, op, &c->m->ftypes[c->m->funcs[x].type], x,
                       BR_NO_INDEX);
}

/* call_indirect y x: [call_indirect, s, type, table]; the same for
 * return_call_indirect. */
br_err_t
bri_op_call_indirect(bri_compiler_t *c, br_op_t op)
{
    uint32_t y, x;
    br_err_t err = bri_rd_u32(c, &y);
    if (err == BR_ERR_OK)
        err = bri_rd_u32(c, &x);
    if (err != BR_ERR_OK)
        return err;
    if (x >= c->m->table_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_TABLE, "%u", (unsigned)x);
    if (y >= c->m->type_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_TYPE, "%u", (unsigned)y);
    const bri_tabledecl_t *t = &c->m->tables[x];
    if (t->elem != BR_FUNCREF)
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "call_indirect needs a funcref table");
    err = bri_pop(c, t->limits.is64 ? BR_I64 : BR_I32, NULL);
    if (err != BR_ERR_OK)
        return err;
    return finish_call(c, op, &c->m->ftypes[y], y, x);
}

/* call_ref $t: the callee is a (ref null $t) after the args:
 * [call_ref, s, type], the reference at s + the params' slots (a null
 * traps null_function_reference); the same for return_call_ref. */
br_err_t
bri_op_call_ref(bri_compiler_t *c, br_op_t op)
{
    uint32_t y;
    br_err_t err = bri_rd_u32(c, &y);
    if (err != BR_ERR_OK)
        return err;
    if (y >= c->m->type_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_TYPE, "%u", (unsigned)y);
    bri_valtype_t want = bri_vt_canon(c->m, bri_vt_ref_index(y, true));
    if ((err = bri_pop(c, want, NULL)) != BR_ERR_OK)
        return err;
    return finish_call(c, op, &c->m->ftypes[y], y, BR_NO_INDEX);
}

/* ------------------------------------------------------------------ */
/* Exceptions                                                          */

/* Try/catch frames around the top one: the hidden exception slot index
 * of a new try is their count. */
static uint32_t
try_depth(bri_compiler_t *c)
{
    uint32_t d = 0;
    for (uint32_t i = 1; i < c->ctrls.count; i++) {
        uint8_t k = bri_ctrl_at(c, i)->kind;
        d +=
            k == BRI_CTRL_TRY || k == BRI_CTRL_CATCH || k == BRI_CTRL_CATCH_ALL;
    }
    return d;
}

/* The handler of the innermost try, from label depth `from` outwards,
 * whose body (not a catch) encloses the current position; or -1. */
static int32_t
enclosing_try(bri_compiler_t *c, uint32_t from)
{
    for (uint32_t i = from; i < c->ctrls.count; i++) {
        const bri_ctrl_t *f = bri_ctrl_at(c, i);
        if (f->kind == BRI_CTRL_TRY || f->kind == BRI_CTRL_TRY_TABLE)
            return f->handler;
    }
    return -1;
}

/* try: emits nothing; opens a handler whose range starts here. */
br_err_t
bri_op_try(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    blocktype_t bt;
    br_err_t err = read_blocktype(c, &bt);
    if (err == BR_ERR_OK)
        err = bri_pop_n(c, bt.params, bt.nparams);
    if (err == BR_ERR_OK)
        err = bri_ctrl_push(c, BRI_CTRL_TRY, bt.params, bt.nparams, bt.results,
                            bt.nresults);
    if (err != BR_ERR_OK)
        return err;
    uint32_t depth = try_depth(c);
    bri_ctrl_top(c)->exn_depth = depth;
    if (depth + 1 > c->max_try)
        c->max_try = depth + 1;
    if (bri_ctrl_top(c)->dead)
        return BR_ERR_OK;
    err = bri_buf_reserve(c, &c->handlers, sizeof(bri_handler_t), 1);
    if (err != BR_ERR_OK)
        return err;
    bri_ctrl_t *f = bri_ctrl_top(c);
    f->handler = (int32_t)c->handlers.count;
    ((bri_handler_t *)c->handlers.data)[c->handlers.count++] = (bri_handler_t){
        .start = bri_pc(c),
        .end = bri_pc(c),
        .parent = enclosing_try(c, 1),
        .delegate_to = -1,
        .kind = BRI_HANDLER_CATCH,
        .height = f->base, /* made absolute in finish() */
        .exn_slot = c->local_slots + depth,
    };
    return BR_ERR_OK;
}

/* Appends a catch clause starting at the current pc. */
static br_err_t
add_catch(bri_compiler_t *c, int32_t handler, uint32_t tag)
{
    bri_handler_t *h = (bri_handler_t *)c->handlers.data + handler;
    bri_catch_t *p =
        bri_realloc(c->alloc, h->catches, h->catch_count * sizeof(bri_catch_t),
                    (h->catch_count + 1) * sizeof(bri_catch_t));
    if (p == NULL)
        return BRI_FAIL(c, BR_ERR_OUT_OF_MEMORY, "%s", "compiling");
    h->catches = p;
    p[h->catch_count++] = (bri_catch_t){.tag = tag, .pc = bri_pc(c)};
    return BR_ERR_OK;
}

/* catch x / catch_all: the clause starts with the tag's values, written
 * by the interpreter at the try's base slot. */
br_err_t
bri_op_catch(bri_compiler_t *c, br_op_t op)
{
    bri_ctrl_t *f = bri_ctrl_top(c);
    if (f->kind != BRI_CTRL_TRY && f->kind != BRI_CTRL_CATCH)
        return misplaced(c, op);
    uint32_t tag = BR_NO_INDEX;
    const bri_functype_t *ft = NULL;
    if (op == BR_OP_catch_) {
        br_err_t err = bri_rd_u32(c, &tag);
        if (err != BR_ERR_OK)
            return err;
        if (tag >= c->m->tag_count)
            return BRI_FAIL(c, BR_ERR_UNKNOWN_TAG, "%u", (unsigned)tag);
        ft = &c->m->ftypes[c->m->tags[tag]];
    }
    bool first = f->kind == BRI_CTRL_TRY;
    uint32_t pc = bri_pc(c);
    bri_ctrl_t old;
    br_err_t err =
        next_clause(c, op == BR_OP_catch_ ? BRI_CTRL_CATCH : BRI_CTRL_CATCH_ALL,
                    ft ? ft->params : NULL, ft ? ft->param_count : 0, &old);
    if (err != BR_ERR_OK || old.handler < 0)
        return err;
    if (first)
        ((bri_handler_t *)c->handlers.data)[old.handler].end = pc;
    return add_catch(c, old.handler, tag);
}

/* try ... delegate l: the handler passes exceptions to the innermost try
 * (in its body) at label depth >= l after this try is popped. */
br_err_t
bri_op_delegate(bri_compiler_t *c, br_op_t op)
{
    if (bri_ctrl_top(c)->kind != BRI_CTRL_TRY)
        return misplaced(c, op);
    uint32_t l;
    bri_ctrl_t f;
    br_err_t err = bri_rd_u32(c, &l);
    if (err == BR_ERR_OK)
        err = bri_ctrl_pop(c, &f);
    if (err == BR_ERR_OK && l >= c->ctrls.count)
        err = BRI_FAIL(c, BR_ERR_UNKNOWN_LABEL, "%u", (unsigned)l);
    if (err != BR_ERR_OK)
        return err;
    if (f.handler >= 0) {
        bri_handler_t *h = (bri_handler_t *)c->handlers.data + f.handler;
        h->end = bri_pc(c);
        h->kind = BRI_HANDLER_DELEGATE;
        h->delegate_to = enclosing_try(c, l);
    }
    bri_patch_resolve(c, f.patch, bri_pc(c));
    return bri_push_n(c, f.results, f.nresults);
}

/* throw x: [throw, s, tag] with the payload at s.. */
br_err_t
bri_op_throw(bri_compiler_t *c, br_op_t op)
{
    uint32_t x;
    br_err_t err = bri_rd_u32(c, &x);
    if (err != BR_ERR_OK)
        return err;
    if (x >= c->m->tag_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_TAG, "%u", (unsigned)x);
    const bri_functype_t *ft = &c->m->ftypes[c->m->tags[x]];
    if ((err = bri_pop_n(c, ft->params, ft->param_count)) != BR_ERR_OK)
        return err;
    if (bri_live(c) &&
        (err = emit_call(c, op, c->height, x, BR_NO_INDEX)) != BR_ERR_OK)
        return err;
    bri_set_unreachable(c);
    return BR_ERR_OK;
}

/* rethrow l: [rethrow, exn_slot] of the catch clause labelled l. */
br_err_t
bri_op_rethrow(bri_compiler_t *c, br_op_t op)
{
    uint32_t l;
    br_err_t err = read_label(c, &l);
    if (err != BR_ERR_OK)
        return err;
    const bri_ctrl_t *f = bri_ctrl_at(c, l);
    if (f->kind != BRI_CTRL_CATCH && f->kind != BRI_CTRL_CATCH_ALL)
        return BRI_FAIL(c, BR_ERR_INVALID_RETHROW_LABEL, "%u", (unsigned)l);
    uint32_t slot = c->local_slots + f->exn_depth;
    if (bri_live(c)) {
        if ((err = bri_emit_reserve(c, 2)) != BR_ERR_OK)
            return err;
        bri_site(c, bri_pc(c));
        bri_word(c, (uint32_t)op);
        bri_word(c, slot);
    }
    bri_set_unreachable(c);
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* try_table and throw_ref                                             */

/* try_table catch clause kinds (their binary encoding). */
enum { CATCH_TAG, CATCH_TAG_REF, CATCH_ALL, CATCH_ALL_REF };

/* A clause's label must take exactly its values: the tag's params, then
 * an exnref for the _ref kinds (the spec's `(ref exn)`, which a nullable
 * or non-null exn label takes). */
static br_err_t
check_catch_label(bri_compiler_t *c, uint32_t l, const bri_functype_t *ft,
                  bool ref)
{
    uint32_t n, slots;
    const bri_valtype_t *t = label_types(bri_ctrl_at(c, l), &n, &slots);
    uint32_t np = ft ? ft->param_count : 0;
    bool ok = n == np + ref && (!ref || bri_vt_code(t[np]) == BR_EXNREF);
    /* the tag's values go to the label: subtypes of its types */
    for (uint32_t i = 0; ok && i < np; i++)
        ok = bri_vt_match(c->m, ft->params[i], t[i]);
    return ok ? BR_ERR_OK
              : BRI_FAIL(c, BR_ERR_TYPE_MISMATCH,
                         "catch clause values differ from label %u's",
                         (unsigned)l);
}

/* One clause: kind, [tag,] label, checked outside the try_table (whose
 * frame is not pushed yet). Its pc holds the label depth until
 * end_try_table; *slots gets the slots the interpreter writes for it. */
static br_err_t
read_catch(bri_compiler_t *c, bri_catch_t *out, uint32_t *slots)
{
    uint8_t kind;
    uint32_t tag = BR_NO_INDEX, l = 0;
    br_err_t err = bri_rd_u8(c, &kind);
    if (err == BR_ERR_OK && kind > CATCH_ALL_REF)
        err = BRI_FAIL(c, BR_ERR_MALFORMED_CATCH_KIND, "0x%02x", kind);
    if (err == BR_ERR_OK && kind <= CATCH_TAG_REF)
        err = bri_rd_u32(c, &tag);
    if (err == BR_ERR_OK && tag != BR_NO_INDEX && tag >= c->m->tag_count)
        err = BRI_FAIL(c, BR_ERR_UNKNOWN_TAG, "%u", (unsigned)tag);
    if (err == BR_ERR_OK)
        err = read_label(c, &l);
    if (err != BR_ERR_OK)
        return err;
    const bri_functype_t *ft =
        tag != BR_NO_INDEX ? &c->m->ftypes[c->m->tags[tag]] : NULL;
    bool ref = kind == CATCH_TAG_REF || kind == CATCH_ALL_REF;
    *slots = (ft ? bri_slots_sum(ft->params, ft->param_count) : 0) + ref;
    *out = (bri_catch_t){.tag = tag, .pc = l, .ref = ref};
    return check_catch_label(c, l, ft, ref);
}

/* Reads and checks the clause vector into a new array (*out, NULL when
 * empty); *slots gets the most slots any clause's values take. */
static br_err_t
read_catches(bri_compiler_t *c, bri_catch_t **out, uint32_t *n, uint32_t *slots)
{
    *out = NULL;
    *slots = 0;
    br_err_t err = bri_rd_u32(c, n);
    if (err != BR_ERR_OK || *n == 0)
        return err;
    if (*n > (size_t)(c->r.end - c->r.p) / 2) /* a clause takes 2+ bytes */
        return BRI_FAIL(c, BR_ERR_UNEXPECTED_END_SECTION, "%s", "try_table");
    *out = bri_alloc(c->alloc, *n * sizeof(bri_catch_t));
    if (*out == NULL)
        return BRI_FAIL(c, BR_ERR_OUT_OF_MEMORY, "%s", "compiling");
    for (uint32_t i = 0; i < *n && err == BR_ERR_OK; i++) {
        uint32_t s = 0;
        err = read_catch(c, &(*out)[i], &s);
        if (s > *slots)
            *slots = s;
    }
    return err;
}

/* Opens the try_table's frame and, in live code, its handler (which owns
 * `catches` from then on). */
static br_err_t
open_try_table(bri_compiler_t *c, const blocktype_t *bt, bri_catch_t *catches,
               uint32_t n, uint32_t slots)
{
    br_err_t err = bri_pop_n(c, bt->params, bt->nparams);
    uint32_t base = c->height;
    if (err == BR_ERR_OK)
        err = bri_ctrl_push(c, BRI_CTRL_TRY_TABLE, bt->params, bt->nparams,
                            bt->results, bt->nresults);
    if (err == BR_ERR_OK && !bri_ctrl_top(c)->dead)
        err = bri_buf_reserve(c, &c->handlers, sizeof(bri_handler_t), 1);
    if (err != BR_ERR_OK || bri_ctrl_top(c)->dead) {
        bri_free(c->alloc, catches, n * sizeof(bri_catch_t));
        return err;
    }
    /* the pads read the values the interpreter writes at base.. */
    if ((uint64_t)base + slots > c->max_height)
        c->max_height = base + slots;
    bri_ctrl_t *f = bri_ctrl_top(c);
    f->handler = (int32_t)c->handlers.count;
    ((bri_handler_t *)c->handlers.data)[c->handlers.count++] = (bri_handler_t){
        .start = bri_pc(c),
        .end = bri_pc(c),
        .parent = enclosing_try(c, 1),
        .delegate_to = -1,
        .kind = BRI_HANDLER_CATCH,
        .height = base, /* made absolute in finish() */
        .exn_slot = BR_NO_INDEX,
        .catch_count = n,
        .catches = catches,
    };
    return BR_ERR_OK;
}

/* try_table bt (catch*): a block whose handler's catches branch to their
 * labels (code.h); emits nothing here. */
br_err_t
bri_op_try_table(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    blocktype_t bt;
    bri_catch_t *catches = NULL;
    uint32_t n = 0, slots = 0;
    br_err_t err = read_blocktype(c, &bt);
    if (err == BR_ERR_OK)
        err = read_catches(c, &catches, &n, &slots);
    if (err != BR_ERR_OK) {
        bri_free(c->alloc, catches, n * sizeof(bri_catch_t));
        return err;
    }
    return open_try_table(c, &bt, catches, n, slots);
}

/* throw_ref: [throw_ref, s] rethrows the exnref at s (null traps). */
br_err_t
bri_op_throw_ref(bri_compiler_t *c, br_op_t op)
{
    br_err_t err = bri_pop(c, BR_EXNREF, NULL);
    if (err != BR_ERR_OK)
        return err;
    if (bri_live(c)) {
        if ((err = bri_emit_reserve(c, 2)) != BR_ERR_OK)
            return err;
        bri_site(c, bri_pc(c));
        bri_word(c, (uint32_t)op);
        bri_slot_word(c, c->height);
    }
    bri_set_unreachable(c);
    return BR_ERR_OK;
}
