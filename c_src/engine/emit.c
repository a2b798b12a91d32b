/*
 * beamr engine: the compiler's machinery: growable buffers, the operand
 * type stack and control stack of the spec's validation algorithm, and
 * emission of words, slots, sites and forward-branch patch chains.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "compile.h"

/* ------------------------------------------------------------------ */
/* Buffers                                                             */

/* Grows geometrically so appends are amortised O(1). The old block stays
 * valid if the allocator refuses, so cleanup can still free it. */
br_err_t
bri_buf_reserve(bri_compiler_t *c, bri_buf_t *b, size_t elem, uint32_t more)
{
    uint64_t need = (uint64_t)b->count + more;
    if (need <= b->cap)
        return BR_ERR_OK;
    uint64_t cap = b->cap ? (uint64_t)b->cap * 2 : 16;
    if (cap < need)
        cap = need;
    if (cap > UINT32_MAX || cap * elem > SIZE_MAX / 2)
        return BRI_FAIL(c, BR_ERR_OUT_OF_MEMORY, "%s", "code too large");
    void *p = bri_realloc(c->alloc, b->data, (size_t)b->cap * elem,
                          (size_t)cap * elem);
    if (p == NULL)
        return BRI_FAIL(c, BR_ERR_OUT_OF_MEMORY, "%s", "compiling");
    b->data = p;
    b->cap = (uint32_t)cap;
    return BR_ERR_OK;
}

void
bri_buf_free(bri_compiler_t *c, bri_buf_t *b, size_t elem)
{
    bri_free(c->alloc, b->data, (size_t)b->cap * elem);
    b->data = NULL;
    b->count = b->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Operand type stack                                                  */

static const char *
type_name(bri_valtype_t t)
{
    switch (t) {
    case BR_I32:
        return "i32";
    case BR_I64:
        return "i64";
    case BR_F32:
        return "f32";
    case BR_F64:
        return "f64";
    case BR_V128:
        return "v128";
    case BR_FUNCREF:
        return "funcref";
    case BR_EXTERNREF:
        return "externref";
    case BR_EXNREF:
        return "exnref";
    case BR_FUNCREF | BRI_VT_NONNULL:
        return "(ref func)";
    case BR_EXTERNREF | BRI_VT_NONNULL:
        return "(ref extern)";
    case BR_EXNREF | BRI_VT_NONNULL:
        return "(ref exn)";
    default:
        return "any";
    }
}

br_err_t
bri_push_slow(bri_compiler_t *c, bri_valtype_t t)
{
    if (BR_UNLIKELY(c->vals.count >= BRI_MAX_STACK))
        return BRI_FAIL(c, BR_ERR_LIMIT_EXCEEDED, "%s",
                        "operand stack too deep");
    if (BR_UNLIKELY(c->vals.count == c->vals.cap)) {
        br_err_t err = bri_buf_reserve(c, &c->vals, sizeof(bri_valtype_t), 1);
        if (err != BR_ERR_OK)
            return err;
    }
    ((bri_valtype_t *)c->vals.data)[c->vals.count++] = t;
    c->height += bri_vt_slots(t);
    if (c->height > c->max_height)
        c->max_height = c->height;
    return BR_ERR_OK;
}

/* The spec's pop_val/pop_val(expect): below the frame's height only an
 * unreachable frame yields the polymorphic Unknown. */
br_err_t
bri_pop_slow(bri_compiler_t *c, bri_valtype_t expect, bri_valtype_t *out)
{
    const bri_ctrl_t *f = bri_ctrl_top(c);
    bri_valtype_t actual = BRI_UNKNOWN;
    if (c->vals.count == f->height) {
        if (!f->unreachable)
            return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH,
                            "expected %s but the stack is empty",
                            type_name(expect));
    } else {
        actual = ((bri_valtype_t *)c->vals.data)[--c->vals.count];
        c->height -= bri_vt_slots(actual);
    }
    if (!bri_vt_match(c->m, actual, expect) && actual != BRI_UNKNOWN &&
        expect != BRI_UNKNOWN)
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "expected %s, got %s",
                        type_name(expect), type_name(actual));
    if (out)
        *out = actual;
    return BR_ERR_OK;
}

/* Equivalent to the spec's push_vals(pop_vals(t)) used by br_table and
 * br_if: values below the frame's height count as Unknown when the frame
 * is unreachable, which is what popping and pushing back would give. */
br_err_t
bri_peek_n(bri_compiler_t *c, const bri_valtype_t *t, uint32_t n)
{
    const bri_ctrl_t *f = bri_ctrl_top(c);
    const bri_valtype_t *vals = c->vals.data;
    uint32_t avail = c->vals.count - f->height;
    for (uint32_t k = 0; k < n; k++) {
        bri_valtype_t expect = t[n - 1 - k];
        if (k >= avail) {
            if (f->unreachable)
                return BR_ERR_OK;
            return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH,
                            "expected %s but the stack is empty",
                            type_name(expect));
        }
        bri_valtype_t actual = vals[c->vals.count - 1 - k];
        if (!bri_vt_match(c->m, actual, expect) && actual != BRI_UNKNOWN)
            return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "expected %s, got %s",
                            type_name(expect), type_name(actual));
    }
    return BR_ERR_OK;
}

void
bri_set_unreachable(bri_compiler_t *c)
{
    bri_ctrl_t *f = bri_ctrl_top(c);
    c->vals.count = f->height;
    c->height = f->base;
    f->unreachable = true;
    c->live = false;
}

/* ------------------------------------------------------------------ */
/* Control stack                                                       */

/* The spec's push_ctrl; the caller has already popped (checked) the
 * params, which are pushed back here on top of the new frame's height. */
br_err_t
bri_ctrl_push(bri_compiler_t *c, bri_ctrl_kind_t kind,
              const bri_valtype_t *params, uint32_t nparams,
              const bri_valtype_t *results, uint32_t nresults)
{
    bool dead = c->ctrls.count > 0 && !c->live;
    if (BR_UNLIKELY(c->ctrls.count == c->ctrls.cap)) {
        br_err_t err = bri_buf_reserve(c, &c->ctrls, sizeof(bri_ctrl_t), 1);
        if (err != BR_ERR_OK)
            return err;
    }
    bri_ctrl_t *f = (bri_ctrl_t *)c->ctrls.data + c->ctrls.count++;
    *f = (bri_ctrl_t){
        .kind = (uint8_t)kind,
        .dead = dead,
        .nparams = nparams,
        .nresults = nresults,
        .params = params,
        .results = results,
        .param_slots = bri_slots_sum(params, nparams),
        .result_slots = bri_slots_sum(results, nresults),
        .height = c->vals.count,
        .base = c->height,
        .patch = BR_NO_INDEX,
        .else_patch = BR_NO_INDEX,
        .handler = -1,
        .init_top = c->inits.count,
    };
    c->live = !dead;
    c->floor = f->height;
    return bri_push_n(c, params, nparams);
}

br_err_t
bri_ctrl_pop(bri_compiler_t *c, bri_ctrl_t *out)
{
    bri_ctrl_t *f = bri_ctrl_top(c);
    br_err_t err = bri_pop_n(c, f->results, f->nresults);
    if (err != BR_ERR_OK)
        return err;
    if (c->vals.count != f->height)
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH,
                        "%u extra value(s) at "
                        "the end of the block",
                        (unsigned)(c->vals.count - f->height));
    *out = *f;
    c->height = f->base;
    if (c->track_init) { /* the block's sets end with it */
        uint8_t *unset = c->unset.data;
        const uint32_t *inits = c->inits.data;
        while (c->inits.count > f->init_top)
            unset[inits[--c->inits.count]] = 1;
    }
    if (--c->ctrls.count > 0) {
        const bri_ctrl_t *top = bri_ctrl_top(c);
        c->live = !top->unreachable && !top->dead;
        c->floor = top->height;
    } else {
        c->live = false;
    }
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Emission                                                            */

/* Every slot of the operand stack is emitted as local_slots + height and
 * recorded, because the hidden exception slots that sit between the
 * locals and the operand stack are only counted at the end. */
void
bri_slot_word(bri_compiler_t *c, uint32_t rel)
{
    ((uint32_t *)c->relocs.data)[c->relocs.count++] = c->words.count;
    bri_word(c, c->local_slots + rel);
}

/* The slow path of bri_emit_reserve: grows the words, relocations and
 * sites so an instruction of up to n words can be appended. */
br_err_t
bri_emit_grow(bri_compiler_t *c, uint32_t n)
{
    br_err_t err = bri_buf_reserve(c, &c->words, sizeof(uint32_t), n);
    if (err == BR_ERR_OK)
        err = bri_buf_reserve(c, &c->relocs, sizeof(uint32_t), n);
    if (err == BR_ERR_OK)
        err = bri_buf_reserve(c, &c->sites, sizeof(bri_site_t), 1);
    return err;
}

br_err_t
bri_emit_op_s(bri_compiler_t *c, br_op_t op, uint32_t s, bool site)
{
    br_err_t err = bri_emit_reserve(c, 2);
    if (err != BR_ERR_OK)
        return err;
    if (site)
        bri_site(c, bri_pc(c));
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    return BR_ERR_OK;
}

/* Forward targets are unknown when a branch is emitted: the target words
 * of one label form a linked list through the words themselves (each
 * holds the index of the previous one), resolved when the label's end is
 * reached. No allocation is needed. */
void
bri_patch_word(bri_compiler_t *c, uint32_t *chain)
{
    uint32_t pos = c->words.count;
    bri_word(c, *chain);
    *chain = pos;
}

static const bri_valtype_t valtypes[] = {
    BR_I32,
    BR_I64,
    BR_F32,
    BR_F64,
    BR_V128,
    BR_FUNCREF,
    BR_EXTERNREF,
    BR_EXNREF,
    BRI_HT_NOFUNC,
    BRI_HT_NOEXTERN,
    BRI_HT_NOEXN,
    BRI_HT_FUNC | BRI_VT_NONNULL,
    BRI_HT_EXTERN | BRI_VT_NONNULL,
    BRI_HT_EXN | BRI_VT_NONNULL,
    BRI_HT_NOFUNC | BRI_VT_NONNULL,
    BRI_HT_NOEXTERN | BRI_VT_NONNULL,
    BRI_HT_NOEXN | BRI_VT_NONNULL,
    BRI_HT_ANY,
    BRI_HT_EQ,
    BRI_HT_I31,
    BRI_HT_STRUCT,
    BRI_HT_ARRAY,
    BRI_HT_NONE,
    BRI_HT_ANY | BRI_VT_NONNULL,
    BRI_HT_EQ | BRI_VT_NONNULL,
    BRI_HT_I31 | BRI_VT_NONNULL,
    BRI_HT_STRUCT | BRI_VT_NONNULL,
    BRI_HT_ARRAY | BRI_VT_NONNULL,
    BRI_HT_NONE | BRI_VT_NONNULL,
};

const bri_valtype_t *
bri_valtype_stable(bri_compiler_t *c, bri_valtype_t t)
{
    if (!bri_vt_is_concrete(t)) {
        for (size_t i = 0; i < sizeof valtypes / sizeof valtypes[0]; i++)
            if (valtypes[i] == t)
                return &valtypes[i];
        return NULL; /* the reader accepts no other type */
    }
    if (c->ref_vts == NULL) {
        c->ref_vts = bri_calloc(c->alloc, (size_t)c->m->type_count * 2,
                                sizeof *c->ref_vts);
        if (c->ref_vts == NULL) {
            BRI_FAIL(c, BR_ERR_OUT_OF_MEMORY, "%s", "block types");
            return NULL;
        }
    }
    bri_valtype_t *p =
        &c->ref_vts[bri_vt_index(t) * 2 + (bri_vt_nullable(t) ? 0 : 1)];
    *p = t;
    return p;
}

const bri_valtype_t *
bri_valtype_ref(uint8_t byte)
{
    for (size_t i = 0; i < sizeof valtypes / sizeof valtypes[0]; i++)
        if (valtypes[i] == byte)
            return &valtypes[i];
    return NULL;
}
