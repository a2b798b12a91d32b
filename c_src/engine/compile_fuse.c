/*
 * beamr engine: register-style emission. local.get and integer constants
 * stay deferred on the compiler's operand stack and become operands of
 * 3-operand ops; a local.set right after an op retargets its result; a
 * compare or eqz right before br_if/if becomes one fused jump.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "compile.h"

/* ------------------------------------------------------------------ */
/* The fused forms of each wasm op, generated from fused_ops.h          */

typedef struct fuse_info {
    uint16_t rr, ri, r, x;        /* 3-operand, immediate, unary, memory */
    uint16_t br, brn, bri, brni; /* compare + branch */
} fuse_info_t;

#define INFO_CMP(X, name, T, OUT, e)                                      \
    [BR_OP_##name] = {.rr = BR_OP_##name##_rr, .ri = BR_OP_##name##_ri,   \
                      .br = BR_OP_br_##name##_rr,                         \
                      .brn = BR_OP_brn_##name##_rr,                       \
                      .bri = BR_OP_br_##name##_ri,                        \
                      .brni = BR_OP_brn_##name##_ri},
#define INFO_IAR(X, name, T, OUT, e)                                      \
    [BR_OP_##name] = {.rr = BR_OP_##name##_rr, .ri = BR_OP_##name##_ri},
#define INFO_FBIN(X, name, T, OUT, e)                                     \
    [BR_OP_##name] = {.rr = BR_OP_##name##_rr},
#define INFO_UN(X, name, T, OUT, e) [BR_OP_##name] = {.r = BR_OP_##name##_r},
#define INFO_LD(X, name, W, CT, OUT, e)                                   \
    [BR_OP_##name] = {.x = BR_OP_##name##_x},
#define INFO_ST(X, name, W, CT) [BR_OP_##name] = {.x = BR_OP_##name##_x},

static const fuse_info_t infos[BR_OP__COUNT] = {
    BRI_FUSE_ICMP(INFO_CMP, _) BRI_FUSE_IARITH(INFO_IAR, _)
    BRI_FUSE_FBIN(INFO_FBIN, _) BRI_FUSE_UN(INFO_UN, _)
    BRI_FUSE_LOAD(INFO_LD, _) BRI_FUSE_STORE(INFO_ST, _)};

/* ------------------------------------------------------------------ */
/* Words                                                               */

/* An operand: a frame slot word (relocated if on the operand stack) or
 * an integer constant not materialised yet. */
typedef struct opnd {
    uint32_t w;
    bool rel, is_const;
    uint8_t type;
    uint64_t bits;
} opnd_t;

static void
put(bri_compiler_t *c, uint32_t w, bool rel)
{
    if (rel)
        ((uint32_t *)c->relocs.data)[c->relocs.count++] = c->words.count;
    bri_word(c, w);
}

static uint32_t
slot_of(const bri_compiler_t *c, uint32_t rel)
{
    return c->local_slots + rel;
}

static uint32_t
frame_slot(const bri_compiler_t *c, uint32_t x)
{
    return c->local_slot ? c->local_slot[x] : x;
}

static br_valkind_t
local_kind(const bri_compiler_t *c, uint32_t x)
{
    uint32_t np = c->type->param_count;
    return x < np ? c->type->params[x] : c->func->locals[x - np];
}

static bool
scalar(br_valkind_t t)
{
    return t == BR_I32 || t == BR_I64 || t == BR_F32 || t == BR_F64;
}

/* bri_pop / bri_push with an inline fast path for the common case (a
 * scalar of the expected type above the frame's height; room left). */
static inline br_err_t
pop_fast(bri_compiler_t *c, br_valkind_t expect)
{
    const bri_ctrl_t *f = bri_ctrl_top(c);
    const br_valkind_t *v = c->vals.data;
    uint32_t n = c->vals.count;
    if (BR_LIKELY(n > f->height && v[n - 1] == expect && scalar(expect))) {
        c->vals.count = n - 1;
        c->height--;
        return BR_ERR_OK;
    }
    return bri_pop(c, expect, NULL);
}

static inline br_err_t
push_fast(bri_compiler_t *c, br_valkind_t t)
{
    uint32_t n = c->vals.count;
    if (BR_LIKELY(n < c->vals.cap && n < BRI_MAX_STACK && scalar(t))) {
        ((br_valkind_t *)c->vals.data)[n] = t;
        c->vals.count = n + 1;
        if (++c->height > c->max_height)
            c->max_height = c->height;
        return BR_ERR_OK;
    }
    return bri_push(c, t);
}

static void
forget_last(bri_compiler_t *c)
{
    c->fuse.last.form = BRI_FUSE_NONE;
    c->fuse.last.end = UINT32_MAX;
}

static bool
last_is_live(const bri_compiler_t *c)
{
    return c->fuse.last.form != BRI_FUSE_NONE &&
           c->fuse.last.end == c->words.count;
}

/* Removes the words from `q` on, with their relocations and sites. */
static void
unemit(bri_compiler_t *c, uint32_t q)
{
    const uint32_t *rel = c->relocs.data;
    const bri_site_t *st = c->sites.data;
    while (c->relocs.count > 0 && rel[c->relocs.count - 1] >= q)
        c->relocs.count--;
    while (c->sites.count > 0 && st[c->sites.count - 1].pc >= q)
        c->sites.count--;
    c->words.count = q;
}

/* Writes `o` into the operand slot `rel` (a constant or a local) with a
 * [i32_const|i64_const|local_get, slot, ...] instruction. */
static br_err_t
store_into(bri_compiler_t *c, uint32_t dst, bool dst_rel, const opnd_t *o)
{
    br_err_t err = bri_emit_reserve(c, 4);
    if (err != BR_ERR_OK)
        return err;
    uint32_t start = bri_pc(c);
    if (o->is_const) {
        bool wide = o->type == BR_I64 || o->type == BR_F64;
        bri_word(c, wide ? BR_OP_i64_const : BR_OP_i32_const);
        put(c, dst, dst_rel);
        bri_word(c, (uint32_t)o->bits);
        if (wide)
            bri_word(c, (uint32_t)(o->bits >> 32));
        forget_last(c);
        return BR_ERR_OK;
    }
    bri_word(c, BR_OP_local_get);
    put(c, dst, dst_rel);
    put(c, o->w, o->rel);
    c->fuse.last = (bri_fuse_last_t){
        .form = BRI_FUSE_COPY, .a_rel = o->rel, .start = start,
        .end = bri_pc(c), .dst = dst, .a = o->w};
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Deferred operands                                                   */

static opnd_t
pend_opnd(const bri_compiler_t *c, const bri_fuse_pend_t *p)
{
    opnd_t o = {.type = p->type};
    if (p->kind == BRI_FUSE_CONST) {
        o.is_const = true;
        o.bits = p->value;
    } else {
        o.w = (uint32_t)p->value;
    }
    (void)c;
    return o;
}

static br_err_t
materialize(bri_compiler_t *c, const bri_fuse_pend_t *p)
{
    opnd_t o = pend_opnd(c, p);
    return store_into(c, slot_of(c, p->rel), true, &o);
}

/* Materialises every deferred operand (before an instruction that reads
 * the operand stack by itself). */
static br_err_t
flush_all(bri_compiler_t *c)
{
    bri_fuse_t *f = &c->fuse;
    for (uint32_t i = 0; i < f->npend; i++) {
        br_err_t err = materialize(c, &f->pend[i]);
        if (err != BR_ERR_OK)
            return err;
    }
    f->npend = 0;
    return BR_ERR_OK;
}

/* Materialises the deferred reads of frame slot `fs` (before a write). */
static br_err_t
flush_local(bri_compiler_t *c, uint32_t fs)
{
    bri_fuse_t *f = &c->fuse;
    uint32_t keep = 0;
    for (uint32_t i = 0; i < f->npend; i++) {
        bri_fuse_pend_t p = f->pend[i];
        if (p.kind == BRI_FUSE_LOCAL && p.value == fs) {
            br_err_t err = materialize(c, &p);
            if (err != BR_ERR_OK)
                return err;
        } else {
            f->pend[keep++] = p;
        }
    }
    f->npend = keep;
    return BR_ERR_OK;
}

/* Before an instruction that may be (or end at) a branch target: no
 * later rewrite may reach back across it. */
static br_err_t
flush_forget(bri_compiler_t *c)
{
    br_err_t err = flush_all(c);
    forget_last(c);
    return err;
}

static inline br_err_t
defer(bri_compiler_t *c, bri_fuse_pend_t p)
{
    bri_fuse_t *f = &c->fuse;
    if (f->npend == BRI_FUSE_PENDING) {
        br_err_t err = materialize(c, &f->pend[0]);
        if (err != BR_ERR_OK)
            return err;
        memmove(f->pend, f->pend + 1, (f->npend - 1) * sizeof f->pend[0]);
        f->npend--;
    }
    f->pend[f->npend++] = p;
    return BR_ERR_OK;
}

/* Takes the operand at slot `rel` (the top of the deferred list if it
 * is there, else the slot itself). */
static inline opnd_t
take(bri_compiler_t *c, uint32_t rel, uint8_t type)
{
    bri_fuse_t *f = &c->fuse;
    if (f->npend > 0 && f->pend[f->npend - 1].rel == rel)
        return pend_opnd(c, &f->pend[--f->npend]);
    return (opnd_t){.w = slot_of(c, rel), .rel = true, .type = type};
}

/* A constant operand goes into its own slot when a form has no room. */
static br_err_t
to_slot(bri_compiler_t *c, opnd_t *o, uint32_t rel)
{
    if (!o->is_const)
        return BR_ERR_OK;
    br_err_t err = store_into(c, slot_of(c, rel), true, o);
    *o = (opnd_t){.w = slot_of(c, rel), .rel = true, .type = o->type};
    return err;
}

/* ------------------------------------------------------------------ */
/* Variables and constants                                             */

static br_err_t
fuse_local_get(bri_compiler_t *c, bool *done)
{
    const uint8_t *p0 = c->r.p;
    uint32_t x;
    if (!bri_read_u32(&c->r, &x) || x >= c->local_count || !bri_live(c) ||
        !scalar(local_kind(c, x))) {
        c->r.p = p0; /* the generic handler reads (and reports) it */
        return flush_forget(c);
    }
    br_valkind_t t = local_kind(c, x);
    uint32_t rel = c->height;
    br_err_t err = push_fast(c, t);
    if (err != BR_ERR_OK)
        return err;
    *done = true;
    forget_last(c);
    return defer(c, (bri_fuse_pend_t){.rel = rel, .kind = BRI_FUSE_LOCAL,
                                      .type = t,
                                      .value = frame_slot(c, x)});
}

static br_err_t
fuse_const(bri_compiler_t *c, br_op_t op, bool *done)
{
    const uint8_t *p0 = c->r.p;
    int64_t v;
    bool ok = op == BR_OP_i32_const ? bri_read_sleb(&c->r, 32, &v)
                                    : bri_read_s64(&c->r, &v);
    if (!ok || !bri_live(c)) {
        c->r.p = p0;
        return flush_forget(c);
    }
    br_valkind_t t = op == BR_OP_i32_const ? BR_I32 : BR_I64;
    uint32_t rel = c->height;
    br_err_t err = push_fast(c, t);
    if (err != BR_ERR_OK)
        return err;
    *done = true;
    forget_last(c);
    uint64_t bits = t == BR_I32 ? (uint32_t)v : (uint64_t)v;
    return defer(c, (bri_fuse_pend_t){.rel = rel, .kind = BRI_FUSE_CONST,
                                      .type = t, .value = bits});
}

/* Points the last op's result at frame slot `fs` instead of its operand
 * slot (drops the relocation of that word). */
static void
retarget(bri_compiler_t *c, uint32_t fs)
{
    uint32_t pos = c->fuse.last.start + 1;
    uint32_t *rel = c->relocs.data;
    for (uint32_t i = c->relocs.count; i > 0; i--)
        if (rel[i - 1] == pos) {
            memmove(rel + i - 1, rel + i,
                    (c->relocs.count - i) * sizeof(uint32_t));
            c->relocs.count--;
            break;
        }
    ((uint32_t *)c->words.data)[pos] = fs;
}

static br_err_t
set_from(bri_compiler_t *c, br_op_t op, uint32_t fs, uint32_t rel,
         bool pending, opnd_t o)
{
    if (pending) {
        if (o.is_const || o.w != fs)
            return store_into(c, fs, false, &o);
        return BR_ERR_OK;
    }
    const bri_fuse_last_t *l = &c->fuse.last;
    if (last_is_live(c) && l->form != BRI_FUSE_COPY &&
        l->dst == slot_of(c, rel)) {
        retarget(c, fs);
        return BR_ERR_OK;
    }
    br_err_t err = bri_emit_reserve(c, 3);
    if (err != BR_ERR_OK)
        return err;
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, rel);
    bri_word(c, fs);
    return BR_ERR_OK;
}

/* local.set/tee: a deferred value is copied (or stored) straight into
 * the local; a value the last op just computed is retargeted. */
static br_err_t
fuse_local_set(bri_compiler_t *c, br_op_t op, bool *done)
{
    const uint8_t *p0 = c->r.p;
    uint32_t x;
    if (!bri_read_u32(&c->r, &x) || x >= c->local_count || !bri_live(c) ||
        !scalar(local_kind(c, x))) {
        c->r.p = p0;
        return flush_forget(c);
    }
    br_valkind_t t = local_kind(c, x);
    br_err_t err = pop_fast(c, t);
    if (err != BR_ERR_OK)
        return err;
    *done = true;
    uint32_t rel = c->height, fs = frame_slot(c, x);
    bri_fuse_t *f = &c->fuse;
    bool pending = f->npend > 0 && f->pend[f->npend - 1].rel == rel;
    bri_fuse_pend_t p = pending ? f->pend[f->npend - 1] : (bri_fuse_pend_t){0};
    opnd_t o = take(c, rel, t);
    if ((err = flush_local(c, fs)) == BR_ERR_OK)
        err = set_from(c, op, fs, rel, pending, o);
    forget_last(c);
    if (err != BR_ERR_OK || op != BR_OP_local_tee)
        return err;
    if ((err = push_fast(c, t)) != BR_ERR_OK)
        return err;
    if (!pending) /* the value is in the local (and maybe its slot) */
        p = (bri_fuse_pend_t){.kind = BRI_FUSE_LOCAL, .type = t, .value = fs};
    p.rel = rel;
    return defer(c, p);
}

/* drop of a deferred value emits nothing at all. */
static br_err_t
fuse_drop(bri_compiler_t *c, bool *done)
{
    bri_fuse_t *f = &c->fuse;
    if (!bri_live(c) || f->npend == 0 ||
        f->pend[f->npend - 1].rel + 1 != c->height)
        return flush_forget(c);
    br_err_t err = bri_pop(c, BRI_UNKNOWN, NULL);
    if (err == BR_ERR_OK) {
        f->npend--;
        *done = true;
    }
    return err;
}

/* ------------------------------------------------------------------ */
/* Numeric ops                                                         */

static br_valkind_t
sig_kind(char ch)
{
    return ch == 'i' ? BR_I32 : ch == 'l' ? BR_I64 : ch == 'f' ? BR_F32
                                                                : BR_F64;
}

static bool
fits_imm(const opnd_t *o)
{
    return o->type == BR_I32 || (int64_t)o->bits == (int32_t)o->bits;
}

/* Integer ops whose operands may be swapped. */
static bool
commutes(br_op_t op)
{
    switch (op) {
    case BR_OP_i32_add:
    case BR_OP_i32_mul:
    case BR_OP_i32_and:
    case BR_OP_i32_or:
    case BR_OP_i32_xor:
    case BR_OP_i32_eq:
    case BR_OP_i32_ne:
    case BR_OP_i64_add:
    case BR_OP_i64_mul:
    case BR_OP_i64_and:
    case BR_OP_i64_or:
    case BR_OP_i64_xor:
    case BR_OP_i64_eq:
    case BR_OP_i64_ne:
        return true;
    default:
        return false;
    }
}

/* [op_rr, dst, a, b], [op_ri, dst, a, imm] or [op_r, dst, a]. */
static br_err_t
fuse_numeric(bri_compiler_t *c, br_op_t op, bool *done)
{
    const fuse_info_t *in = &infos[op];
    const char *sig = bri_opinfo[op].sig;
    bool bin = in->rr != 0;
    br_valkind_t ta = sig_kind(sig[0]), tr = sig_kind(sig[bin ? 3 : 2]);
    br_err_t err = bin ? pop_fast(c, ta) : BR_ERR_OK;
    if (err == BR_ERR_OK)
        err = pop_fast(c, ta);
    uint32_t s = c->height;
    if (err == BR_ERR_OK)
        err = push_fast(c, tr);
    *done = true;
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    opnd_t b = bin ? take(c, s + 1, ta) : (opnd_t){0};
    opnd_t a = take(c, s, ta);
    uint32_t a_home = s, b_home = s + 1; /* where each operand sits */
    if (bin && a.is_const && !b.is_const && commutes(op)) {
        opnd_t t = a; /* `C op x` as `x op C`: the immediate form */
        a = b;
        b = t;
        a_home = s + 1;
        b_home = s;
    }
    bool imm = bin && b.is_const && in->ri != 0 && fits_imm(&b);
    if (bin && !imm)
        err = to_slot(c, &b, b_home);
    if (err == BR_ERR_OK)
        err = to_slot(c, &a, a_home);
    if (err == BR_ERR_OK)
        err = bri_emit_reserve(c, 4);
    if (err != BR_ERR_OK)
        return err;
    uint32_t start = bri_pc(c);
    bri_word(c, bin ? (imm ? in->ri : in->rr) : in->r);
    bri_slot_word(c, s);
    put(c, a.w, a.rel);
    if (bin)
        put(c, imm ? (uint32_t)b.bits : b.w, !imm && b.rel);
    c->fuse.last = (bri_fuse_last_t){
        .form = bin ? BRI_FUSE_BIN : BRI_FUSE_UN, .b_imm = imm,
        .a_rel = a.rel, .b_rel = !imm && b.rel, .wasm_op = (uint16_t)op,
        .start = start, .end = bri_pc(c), .dst = slot_of(c, s), .a = a.w,
        .b = imm ? (uint32_t)b.bits : b.w};
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Loads and stores: the generic handler emits [op, s, mem, lo, hi];    */
/* afterwards it becomes [op_x, dst|value, addr, mem, lo, hi] with the  */
/* deferred operands (taken here) as its slots.                         */

static br_err_t
fuse_mem_pre(bri_compiler_t *c, br_op_t op)
{
    bri_fuse_t *f = &c->fuse;
    forget_last(c);
    f->mem_armed = false;
    bool store = bri_opinfo[op].sig[1] != ':'; /* "ai:" vs "a:i" */
    if (!bri_live(c) || c->height < (store ? 2u : 1u))
        return flush_forget(c);
    uint32_t a_rel = c->height - (store ? 2 : 1);
    opnd_t v = {0};
    if (store && (v = take(c, a_rel + 1, BR_I64), v.is_const)) {
        br_err_t err = to_slot(c, &v, a_rel + 1);
        if (err != BR_ERR_OK)
            return err;
    }
    opnd_t a = take(c, a_rel, BR_I64);
    br_err_t err = to_slot(c, &a, a_rel);
    f->mem_a = a.w;
    f->mem_a_rel = a.rel;
    f->mem_b = v.w;
    f->mem_b_rel = v.rel;
    f->mem_armed = true;
    forget_last(c);
    return err;
}

static br_err_t
fuse_mem_post(bri_compiler_t *c, br_op_t op, uint32_t start)
{
    bri_fuse_t *f = &c->fuse;
    if (!f->mem_armed)
        return BR_ERR_OK;
    f->mem_armed = false;
    uint32_t *w = c->words.data;
    if (c->words.count != start + 5 || w[start] != (uint32_t)op)
        return BRI_FAIL(c, BR_ERR_INVALID_ARGUMENT, "%s",
                        "fuse: unexpected load/store layout");
    bool store = bri_opinfo[op].sig[1] != ':';
    uint32_t s = w[start + 1], mem = w[start + 2];
    uint32_t lo = w[start + 3], hi = w[start + 4];
    /* the site at start stays: the new instruction starts there too */
    const uint32_t *rel = c->relocs.data;
    while (c->relocs.count > 0 && rel[c->relocs.count - 1] >= start)
        c->relocs.count--;
    c->words.count = start;
    br_err_t err = bri_emit_reserve(c, 6);
    if (err != BR_ERR_OK)
        return err;
    bri_word(c, infos[op].x);
    if (store)
        put(c, f->mem_b, f->mem_b_rel);
    else
        put(c, s, true);
    put(c, f->mem_a, f->mem_a_rel);
    bri_word(c, mem);
    bri_word(c, lo);
    bri_word(c, hi);
    if (!store) /* its result can be retargeted like an op's */
        c->fuse.last = (bri_fuse_last_t){.form = BRI_FUSE_UN,
                                         .wasm_op = (uint16_t)op,
                                         .start = start, .end = bri_pc(c),
                                         .dst = s};
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Compare + branch                                                    */

static bool
is_jump(uint32_t op)
{
    return op == BR_OP_jump_if || op == BR_OP_jump_if_back ||
           op == BR_OP_jump_unless;
}

/* The head of a patch chain that starts at word `old` moves to `pos`. */
static void
move_chain_head(bri_compiler_t *c, uint32_t old, uint32_t pos)
{
    for (uint32_t i = 0; i < c->ctrls.count; i++) {
        bri_ctrl_t *f = bri_ctrl_at(c, i);
        if (f->patch == old)
            f->patch = pos;
        if (f->else_patch == old)
            f->else_patch = pos;
    }
}

/* The fused op for the last instruction and jump `j`, or 0. */
static uint32_t
fused_jump(const bri_fuse_last_t *l, uint32_t j)
{
    bool neg = j == BR_OP_jump_unless;
    const fuse_info_t *in = &infos[l->wasm_op];
    if (l->form == BRI_FUSE_COPY)
        return j;
    if (l->form == BRI_FUSE_BIN && in->br != 0)
        return l->b_imm ? (neg ? in->brni : in->bri) : (neg ? in->brn : in->br);
    if (l->form == BRI_FUSE_UN &&
        (l->wasm_op == BR_OP_i32_eqz || l->wasm_op == BR_OP_i64_eqz))
        return neg ? BR_OP_jnz : BR_OP_jz;
    return 0;
}

/* [cmp, dst, a, b][jump_if dst, T] -> [br_cmp, a, b, T, fuel]; likewise
 * eqz -> jz/jnz and a materialised local -> the jump on the local. */
static br_err_t
fuse_branch_post(bri_compiler_t *c, uint32_t start)
{
    const uint32_t *w = c->words.data;
    bri_fuse_last_t l = c->fuse.last;
    forget_last(c);
    if (l.form == BRI_FUSE_NONE || l.end != start || start >= c->words.count)
        return BR_ERR_OK;
    uint32_t j = w[start];
    uint32_t len = j == BR_OP_jump_if_back ? 4 : 3;
    if (!is_jump(j) || c->words.count != start + len || w[start + 1] != l.dst)
        return BR_ERR_OK;
    uint32_t op = fused_jump(&l, j);
    if (op == 0)
        return BR_ERR_OK;
    uint32_t target = w[start + 2];
    uint32_t fuel = j == BR_OP_jump_if_back ? w[start + 3] : 0;
    bool site = c->sites.count > 0 &&
                ((bri_site_t *)c->sites.data)[c->sites.count - 1].pc == start;
    unemit(c, l.start);
    br_err_t err = bri_emit_reserve(c, 5);
    if (err != BR_ERR_OK)
        return err;
    if (site)
        bri_site(c, l.start);
    bri_word(c, op);
    put(c, l.a, l.a_rel);
    if (l.form == BRI_FUSE_BIN)
        put(c, l.b, l.b_rel);
    if (j != BR_OP_jump_if_back)
        move_chain_head(c, start + 2, bri_pc(c));
    bri_word(c, target);
    if (op != BR_OP_jump_if && op != BR_OP_jump_unless)
        bri_word(c, fuel);
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Entry points (compile.c calls them around every instruction)         */

void
bri_fuse_reset(bri_compiler_t *c)
{
    c->fuse.npend = 0;
    c->fuse.mem_armed = false;
    forget_last(c);
}

br_err_t
bri_fuse_pre(bri_compiler_t *c, br_op_t op, bool *done)
{
    *done = false;
    switch (op) {
    case BR_OP_local_get:
        return fuse_local_get(c, done);
    case BR_OP_local_set:
    case BR_OP_local_tee:
        return fuse_local_set(c, op, done);
    case BR_OP_i32_const:
    case BR_OP_i64_const:
        return fuse_const(c, op, done);
    case BR_OP_drop:
        forget_last(c);
        return fuse_drop(c, done);
    case BR_OP_br_if:
    case BR_OP_if_:
        return flush_all(c); /* keeps `last` for fuse_branch_post */
    case BR_OP_global_get:
    case BR_OP_f32_const:
    case BR_OP_f64_const:
    case BR_OP_ref_null:
    case BR_OP_ref_func:
        /* push-only: they read no operand, no local and end no block, so
         * deferred values below them stay deferred */
        forget_last(c);
        return BR_ERR_OK;
    default:
        break;
    }
    if (infos[op].rr != 0 || infos[op].r != 0)
        return fuse_numeric(c, op, done);
    if (infos[op].x != 0)
        return fuse_mem_pre(c, op);
    return flush_forget(c);
}

br_err_t
bri_fuse_post(bri_compiler_t *c, br_op_t op, uint32_t start)
{
    if (op == BR_OP_br_if || op == BR_OP_if_)
        return fuse_branch_post(c, start);
    if (infos[op].x != 0)
        return fuse_mem_post(c, op, start);
    return BR_ERR_OK;
}
