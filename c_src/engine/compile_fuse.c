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
    uint16_t rr, ri, r, x;       /* 3-operand, immediate, unary, memory */
    uint16_t br, brn, bri, brni; /* compare + branch */
    bool store;                  /* x: a store (else a load) */
} fuse_info_t;

/* The tables read best with one fused_ops.h list per row. */
/* clang-format off */
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
#define INFO_ST(X, name, W, CT)                                           \
    [BR_OP_##name] = {.x = BR_OP_##name##_x, .store = true},

static const fuse_info_t infos[BR_OP__COUNT] = {
    BRI_FUSE_ICMP(INFO_CMP, _) BRI_FUSE_IARITH(INFO_IAR, _)
    BRI_FUSE_FBIN(INFO_FBIN, _) BRI_FUSE_UN(INFO_UN, _)
    BRI_FUSE_LOAD(INFO_LD, _) BRI_FUSE_STORE(INFO_ST, _)};
/* clang-format on */

/* ------------------------------------------------------------------ */
/* Words                                                               */

/* An operand: a frame slot word, relocated if on the operand stack
 * (OPND_SLOT) and not if a local's (OPND_LOCAL), or an integer constant
 * not materialised yet (OPND_CONST). Kept small and passed by value so
 * that it lives in registers. */
typedef struct opnd {
    uint64_t v;   /* the slot word, or the constant's bits */
    uint8_t kind; /* OPND_* */
    uint8_t type; /* OPND_CONST: a scalar type (one byte) */
} opnd_t;

/* OPND_LOCAL and OPND_CONST are the deferred kinds of compile_fuse.h. */
enum {
    OPND_SLOT = 0,
    OPND_LOCAL = BRI_FUSE_LOCAL,
    OPND_CONST = BRI_FUSE_CONST
};

static uint32_t
opnd_word(opnd_t o)
{
    return (uint32_t)o.v;
}

static bool
opnd_rel(opnd_t o)
{
    return o.kind == OPND_SLOT;
}

static bool
opnd_const(opnd_t o)
{
    return o.kind == OPND_CONST;
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

static bri_valtype_t
local_kind(const bri_compiler_t *c, uint32_t x)
{
    uint32_t np = c->type->param_count;
    return x < np ? c->type->params[x] : c->func->locals[x - np];
}

static bool
scalar(bri_valtype_t t)
{
    return t == BR_I32 || t == BR_I64 || t == BR_F32 || t == BR_F64;
}

/* Pops one operand (two if `bin`) of scalar type `ta` and pushes a
 * result of scalar type `tr`: in place when the operands are there (the
 * height only falls, so max_height stays), else pop by pop. */
static inline br_err_t
pop_push(bri_compiler_t *c, bri_valtype_t ta, bool bin, bri_valtype_t tr)
{
    bri_valtype_t *v = c->vals.data;
    uint32_t n = c->vals.count, k = bin ? 2 : 1;
    if (BR_LIKELY(n >= c->floor + k && v[n - 1] == ta && v[n - k] == ta)) {
        v[n - k] = tr;
        c->vals.count = n - k + 1;
        c->height -= k - 1;
        return BR_ERR_OK;
    }
    br_err_t err = bin ? bri_pop(c, ta, NULL) : BR_ERR_OK;
    if (err == BR_ERR_OK)
        err = bri_pop(c, ta, NULL);
    return err == BR_ERR_OK ? bri_push(c, tr) : err;
}

/* (`end` and the rest mean nothing while the form is NONE) */
static void
forget_last(bri_compiler_t *c)
{
    c->fuse.last.form = BRI_FUSE_NONE;
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
store_into(bri_compiler_t *c, uint32_t dst, bool dst_rel, opnd_t o)
{
    br_err_t err = bri_emit_reserve(c, 4);
    if (err != BR_ERR_OK)
        return err;
    bri_out_t e = bri_out_begin(c);
    if (opnd_const(o)) {
        bool wide = o.type == BR_I64 || o.type == BR_F64;
        bri_out_word(&e, wide ? BR_OP_i64_const : BR_OP_i32_const);
        bri_out_slot(&e, dst, dst_rel);
        bri_out_word(&e, (uint32_t)o.v);
        if (wide)
            bri_out_word(&e, (uint32_t)(o.v >> 32));
        bri_out_end(c, &e);
        forget_last(c);
        return BR_ERR_OK;
    }
    bri_out_word(&e, BR_OP_local_get);
    bri_out_slot(&e, dst, dst_rel);
    bri_out_slot(&e, opnd_word(o), opnd_rel(o));
    bri_out_end(c, &e);
    c->fuse.last = (bri_fuse_last_t){.form = BRI_FUSE_COPY,
                                     .a_rel = opnd_rel(o),
                                     .start = e.pc,
                                     .end = e.pc + e.n,
                                     .dst = dst,
                                     .a = opnd_word(o)};
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Deferred operands                                                   */

static opnd_t
pend_opnd(const bri_fuse_pend_t *p)
{
    return (opnd_t){.v = p->value, .kind = p->kind, .type = p->type};
}

static br_err_t
materialize(bri_compiler_t *c, const bri_fuse_pend_t *p)
{
    return store_into(c, slot_of(c, p->rel), true, pend_opnd(p));
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
    br_err_t err = c->fuse.npend != 0 ? flush_all(c) : BR_ERR_OK;
    forget_last(c);
    return err;
}

br_err_t
bri_fuse_flush(bri_compiler_t *c)
{
    return flush_forget(c);
}

/* An op to compile the stack-slot way, with every operand in its slot:
 * the dispatcher flushes and runs the generic handler (compile.h). */
static br_err_t
generic(bri_compiler_t *c, br_op_t op)
{
    (void)c;
    (void)op;
    return BRI_NOT_MINE;
}

static inline br_err_t
defer(bri_compiler_t *c, bri_fuse_pend_t p)
{
    bri_fuse_t *f = &c->fuse;
    if (BR_UNLIKELY(f->npend == BRI_FUSE_PENDING)) {
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
take(bri_compiler_t *c, uint32_t rel)
{
    bri_fuse_t *f = &c->fuse;
    if (f->npend > 0 && f->pend[f->npend - 1].rel == rel)
        return pend_opnd(&f->pend[--f->npend]);
    return (opnd_t){.v = slot_of(c, rel), .kind = OPND_SLOT};
}

/* A constant operand goes into its own slot when a form has no room:
 * *o becomes that slot (the caller tests opnd_const first). */
static br_err_t
to_slot(bri_compiler_t *c, opnd_t *o, uint32_t rel)
{
    br_err_t err = store_into(c, slot_of(c, rel), true, *o);
    *o = (opnd_t){.v = slot_of(c, rel), .kind = OPND_SLOT};
    return err;
}

/* ------------------------------------------------------------------ */
/* Variables and constants                                             */

/* local.get of a scalar: deferred (generic: flushed, then [local_get]). */
static br_err_t
fuse_local_get(bri_compiler_t *c, br_op_t op)
{
    const uint8_t *p0 = c->r.p;
    uint32_t x;
    if (!bri_read_u32_fast(&c->r, &x) || x >= c->local_count || !bri_live(c) ||
        !scalar(local_kind(c, x))) {
        c->r.p = p0; /* the generic handler reads (and reports) it */
        return generic(c, op);
    }
    bri_valtype_t t = local_kind(c, x);
    uint32_t rel = c->height;
    br_err_t err = bri_push(c, t);
    if (err != BR_ERR_OK)
        return err;
    forget_last(c);
    return defer(c, (bri_fuse_pend_t){.rel = rel,
                                      .kind = BRI_FUSE_LOCAL,
                                      .type = t,
                                      .value = frame_slot(c, x)});
}

/* i32.const / i64.const: deferred. */
static br_err_t
fuse_const(bri_compiler_t *c, br_op_t op)
{
    const uint8_t *p0 = c->r.p;
    int64_t v;
    bool i32 = op == BR_OP_i32_const;
    if (!bri_read_sleb_fast(&c->r, i32 ? 32 : 64, &v) || !bri_live(c)) {
        c->r.p = p0;
        return generic(c, op);
    }
    bri_valtype_t t = i32 ? BR_I32 : BR_I64;
    uint32_t rel = c->height;
    br_err_t err = bri_push(c, t);
    if (err != BR_ERR_OK)
        return err;
    forget_last(c);
    uint64_t bits = i32 ? (uint32_t)v : (uint64_t)v;
    return defer(
        c, (bri_fuse_pend_t){
               .rel = rel, .kind = BRI_FUSE_CONST, .type = t, .value = bits});
}

/* Points the last op's result at frame slot `fs` instead of its operand
 * slot (drops the relocation of that word, one of the last few: the
 * relocations are in word order). */
static void
retarget(bri_compiler_t *c, uint32_t fs)
{
    uint32_t pos = c->fuse.last.start + 1;
    uint32_t *rel = c->relocs.data;
    uint32_t n = c->relocs.count;
    for (uint32_t i = n; i > 0 && rel[i - 1] >= pos; i--)
        if (rel[i - 1] == pos) {
            for (uint32_t k = i; k < n; k++)
                rel[k - 1] = rel[k];
            c->relocs.count = n - 1;
            break;
        }
    ((uint32_t *)c->words.data)[pos] = fs;
}

static br_err_t
set_from(bri_compiler_t *c, br_op_t op, uint32_t fs, uint32_t rel, bool pending,
         opnd_t o)
{
    if (pending) {
        if (opnd_const(o) || opnd_word(o) != fs)
            return store_into(c, fs, false, o);
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
    bri_out_t e = bri_out_begin(c);
    bri_out_word(&e, (uint32_t)op);
    bri_out_slot(&e, slot_of(c, rel), true);
    bri_out_word(&e, fs);
    bri_out_end(c, &e);
    return BR_ERR_OK;
}

/* local.set/tee: a deferred value is copied (or stored) straight into
 * the local; a value the last op just computed is retargeted. */
static br_err_t
fuse_local_set(bri_compiler_t *c, br_op_t op)
{
    const uint8_t *p0 = c->r.p;
    uint32_t x;
    if (!bri_read_u32_fast(&c->r, &x) || x >= c->local_count || !bri_live(c) ||
        !scalar(local_kind(c, x))) {
        c->r.p = p0;
        return generic(c, op);
    }
    bri_valtype_t t = local_kind(c, x);
    br_err_t err = bri_pop(c, t, NULL);
    if (err != BR_ERR_OK)
        return err;
    uint32_t rel = c->height, fs = frame_slot(c, x);
    bri_fuse_t *f = &c->fuse;
    bool pending = f->npend > 0 && f->pend[f->npend - 1].rel == rel;
    bri_fuse_pend_t p = pending ? f->pend[f->npend - 1] : (bri_fuse_pend_t){0};
    opnd_t o = take(c, rel);
    if ((err = flush_local(c, fs)) == BR_ERR_OK)
        err = set_from(c, op, fs, rel, pending, o);
    forget_last(c);
    if (err != BR_ERR_OK || op != BR_OP_local_tee)
        return err;
    if ((err = bri_push(c, t)) != BR_ERR_OK)
        return err;
    if (!pending) /* the value is in the local (and maybe its slot) */
        p = (bri_fuse_pend_t){.kind = BRI_FUSE_LOCAL, .type = t, .value = fs};
    p.rel = rel;
    return defer(c, p);
}

/* drop of a deferred value emits nothing at all. */
static br_err_t
fuse_drop(bri_compiler_t *c, br_op_t op)
{
    bri_fuse_t *f = &c->fuse;
    forget_last(c);
    if (!bri_live(c) || f->npend == 0 ||
        f->pend[f->npend - 1].rel + 1 != c->height)
        return generic(c, op);
    br_err_t err = bri_pop(c, BRI_UNKNOWN, NULL);
    if (err == BR_ERR_OK)
        f->npend--;
    return err;
}

/* global.get, f32/f64.const, ref.null, ref.func: they read no operand,
 * no local and end no block, so deferred values below them stay
 * deferred. */
static br_err_t
fuse_push_only(bri_compiler_t *c, br_op_t op)
{
    (void)op;
    forget_last(c);
    return BRI_NOT_MINE_KEEP;
}

/* ------------------------------------------------------------------ */
/* Numeric ops                                                         */

/* The value type of a SIG letter of a scalar op. */
static bri_valtype_t
sig_kind(char ch)
{
    static const bri_valtype_t kinds[128] = {
        ['i'] = BR_I32, ['l'] = BR_I64, ['f'] = BR_F32, ['d'] = BR_F64};
    return kinds[ch & 0x7F];
}

static bool
fits_imm(opnd_t o)
{
    return o.type == BR_I32 || (int64_t)o.v == (int32_t)o.v;
}

/* Integer ops whose operands may be swapped (FLAGS C). */
static bool
commutes(br_op_t op)
{
    return (bri_opinfo[op].flags & BRI_OPF_C) != 0;
}

/* Emits [op, dst, a, b] (bin) or [op, dst, a] and records it as `last`
 * (b may be an immediate). */
static br_err_t
emit_numeric(bri_compiler_t *c, const fuse_info_t *in, br_op_t op, uint32_t s,
             opnd_t a, opnd_t b)
{
    bool bin = in->rr != 0, imm = opnd_const(b);
    br_err_t err = bri_emit_reserve(c, 4);
    if (err != BR_ERR_OK)
        return err;
    uint32_t bw = opnd_word(b), dst = slot_of(c, s);
    bool b_rel = opnd_rel(b);
    bri_out_t e = bri_out_begin(c);
    bri_out_word(&e, bin ? (imm ? in->ri : in->rr) : in->r);
    bri_out_slot(&e, dst, true);
    bri_out_slot(&e, opnd_word(a), opnd_rel(a));
    if (bin)
        bri_out_slot(&e, bw, b_rel);
    bri_out_end(c, &e);
    c->fuse.last = (bri_fuse_last_t){.form = bin ? BRI_FUSE_BIN : BRI_FUSE_UN,
                                     .b_imm = imm,
                                     .a_rel = opnd_rel(a),
                                     .b_rel = bin && b_rel,
                                     .wasm_op = (uint16_t)op,
                                     .start = e.pc,
                                     .end = e.pc + e.n,
                                     .dst = dst,
                                     .a = opnd_word(a),
                                     .b = bin ? bw : 0};
    return BR_ERR_OK;
}

/* The operands of a binary op with constants where the form has no
 * room for them materialised: `C op x` becomes `x op C` if op commutes;
 * a constant b stays an immediate if the op has that form and it fits. */
static br_err_t
bin_operands(bri_compiler_t *c, const fuse_info_t *in, br_op_t op, uint32_t s,
             opnd_t *a, opnd_t *b)
{
    uint32_t a_home = s, b_home = s + 1; /* where each operand sits */
    if (opnd_const(*a) && !opnd_const(*b) && commutes(op)) {
        opnd_t t = *a;
        *a = *b;
        *b = t;
        a_home = s + 1;
        b_home = s;
    }
    br_err_t err = BR_ERR_OK;
    if (opnd_const(*b) && (in->ri == 0 || !fits_imm(*b)))
        err = to_slot(c, b, b_home);
    if (err == BR_ERR_OK && opnd_const(*a))
        err = to_slot(c, a, a_home);
    return err;
}

/* [op_rr, dst, a, b], [op_ri, dst, a, imm] or [op_r, dst, a]. */
static br_err_t
fuse_numeric(bri_compiler_t *c, br_op_t op)
{
    const fuse_info_t *in = &infos[op];
    const char *sig = bri_opinfo[op].sig;
    bool bin = in->rr != 0;
    bri_valtype_t ta = sig_kind(sig[0]), tr = sig_kind(sig[bin ? 3 : 2]);
    br_err_t err = pop_push(c, ta, bin, tr);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    uint32_t s = c->height - 1;
    opnd_t b = {.kind = OPND_SLOT}, a;
    if (bin) {
        b = take(c, s + 1);
        a = take(c, s);
        err = bin_operands(c, in, op, s, &a, &b);
    } else {
        a = take(c, s);
        if (opnd_const(a))
            err = to_slot(c, &a, s);
    }
    return err != BR_ERR_OK ? err : emit_numeric(c, in, op, s, a, b);
}

/* ------------------------------------------------------------------ */
/* Loads and stores: [op_x, dst|value, addr, mem, lo, hi] with the      */
/* deferred operands as its slots.                                      */

/* Pops the operands of a load/store and pushes a load's result. */
static br_err_t
mem_types(bri_compiler_t *c, br_op_t op, bool store, bri_valtype_t addr)
{
    const char *sig = bri_opinfo[op].sig; /* "ai:" or "a:i" */
    if (!store)
        return pop_push(c, addr, false, sig_kind(sig[2]));
    br_err_t err = bri_pop(c, sig_kind(sig[1]), NULL);
    return err == BR_ERR_OK ? bri_pop(c, addr, NULL) : err;
}

static br_err_t
fuse_mem(bri_compiler_t *c, br_op_t op)
{
    const fuse_info_t *in = &infos[op];
    bool store = in->store;
    forget_last(c);
    if (!bri_live(c) || c->height < (store ? 2u : 1u))
        return generic(c, op);
    bri_memarg_t ma;
    br_err_t err = bri_rd_memarg(c, bri_opinfo[op].align, &ma);
    if (err == BR_ERR_OK)
        err = mem_types(c, op, store, ma.addr);
    if (err != BR_ERR_OK)
        return err;
    uint32_t a_rel = store ? c->height : c->height - 1;
    opnd_t v = {.v = slot_of(c, a_rel), .kind = OPND_SLOT};
    if (store && (v = take(c, a_rel + 1), opnd_const(v)))
        err = to_slot(c, &v, a_rel + 1); /* a stored constant needs a slot */
    opnd_t a = take(c, a_rel);
    if (err == BR_ERR_OK && opnd_const(a))
        err = to_slot(c, &a, a_rel);
    if (err == BR_ERR_OK)
        err = bri_emit_reserve(c, 6);
    if (err != BR_ERR_OK)
        return err;
    bri_site(c, bri_pc(c));
    bri_out_t e = bri_out_begin(c);
    bri_out_word(&e, in->x);
    bri_out_slot(&e, opnd_word(v), opnd_rel(v)); /* a load's result */
    bri_out_slot(&e, opnd_word(a), opnd_rel(a));
    bri_out_word(&e, ma.mem);
    bri_out_word(&e, (uint32_t)ma.offset);
    bri_out_word(&e, (uint32_t)(ma.offset >> 32));
    bri_out_end(c, &e);
    if (store)
        forget_last(c);
    else /* its result can be retargeted like an op's */
        c->fuse.last = (bri_fuse_last_t){.form = BRI_FUSE_UN,
                                         .wasm_op = (uint16_t)op,
                                         .start = e.pc,
                                         .end = e.pc + e.n,
                                         .dst = slot_of(c, a_rel)};
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
    bri_out_t e = bri_out_begin(c);
    bri_out_word(&e, op);
    bri_out_slot(&e, l.a, l.a_rel);
    if (l.form == BRI_FUSE_BIN)
        bri_out_slot(&e, l.b, l.b_rel);
    uint32_t target_pc = e.pc + e.n;
    bri_out_word(&e, target);
    if (op != BR_OP_jump_if && op != BR_OP_jump_unless)
        bri_out_word(&e, fuel);
    bri_out_end(c, &e);
    if (j != BR_OP_jump_if_back)
        move_chain_head(c, start + 2, target_pc);
    return BR_ERR_OK;
}

/* br_if and if: the generic handler emits the jump on the slot, which is
 * then fused with the instruction that computed it. */
static br_err_t
fuse_branch(bri_compiler_t *c, br_op_t op)
{
    br_err_t err = flush_all(c); /* keeps `last` for fuse_branch_post */
    if (err != BR_ERR_OK)
        return err;
    uint32_t start = bri_pc(c);
    err = op == BR_OP_br_if ? bri_op_br_if(c, op) : bri_op_if(c, op);
    return err != BR_ERR_OK ? err : fuse_branch_post(c, start);
}

/* ------------------------------------------------------------------ */
/* Dispatch (compile.c calls the handler of every op listed here)       */

void
bri_fuse_reset(bri_compiler_t *c)
{
    c->fuse.npend = 0;
    forget_last(c);
}

/* clang-format off */
#define FN_NUM(X, name, T, OUT, e) [BR_OP_##name] = fuse_numeric,
#define FN_LD(X, name, W, CT, OUT, e) [BR_OP_##name] = fuse_mem,
#define FN_ST(X, name, W, CT) [BR_OP_##name] = fuse_mem,

const bri_op_fn bri_fuse_ops[BR_OP__COUNT] = {
    [BR_OP_local_get] = fuse_local_get,
    [BR_OP_local_set] = fuse_local_set,
    [BR_OP_local_tee] = fuse_local_set,
    [BR_OP_i32_const] = fuse_const,
    [BR_OP_i64_const] = fuse_const,
    [BR_OP_drop] = fuse_drop,
    [BR_OP_br_if] = fuse_branch,
    [BR_OP_if_] = fuse_branch,
    [BR_OP_global_get] = fuse_push_only,
    [BR_OP_f32_const] = fuse_push_only,
    [BR_OP_f64_const] = fuse_push_only,
    [BR_OP_ref_null] = fuse_push_only,
    [BR_OP_ref_func] = fuse_push_only,
    BRI_FUSE_ICMP(FN_NUM, _) BRI_FUSE_IARITH(FN_NUM, _)
    BRI_FUSE_FBIN(FN_NUM, _) BRI_FUSE_UN(FN_NUM, _)
    BRI_FUSE_LOAD(FN_LD, _) BRI_FUSE_STORE(FN_ST, _)};
/* clang-format on */
