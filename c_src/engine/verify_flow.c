/*
 * beamr engine: the verifier's reference data-flow pass (pass 3 of
 * verify.c): a forward data flow over slot kinds that proves no slot read
 * as a reference can hold anything but one of that kind.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "verify.h"

typedef bri_verifier_t verifier_t;
typedef bri_vinsn_t insn_t;

/*
 * Every slot gets a kind at every reachable instruction; a read as a
 * reference must find one of that kind (or a null) on all paths. Kinds
 * only rise (NULL < NUM/FUNC/EXTERN < BAD; EXN < BAD), so passes over
 * the code repeat until no back-edge target changes. A read that fails
 * in any pass fails at the fixpoint too, so checks run in every pass.
 * Numbers may be read from any slot: a stray bit pattern used as an
 * integer or address is still bounds-checked by the interpreter.
 */
enum {
    K_NULL = BRI_SLOT_NULL, /* zero: a null reference or the number 0 */
    K_NUM = BRI_SLOT_NUM,
    K_FUNC = BRI_SLOT_FUNC,
    K_EXTERN = BRI_SLOT_EXTERN,
    K_EXN = BRI_SLOT_EXN,       /* a caught exception (hidden slots) */
    K_EXNREF = BRI_SLOT_EXNREF, /* an exnref value */
    K_BAD = BRI_SLOT_DEAD,      /* anything, e.g. a callee's leftovers */
};

#define MAX_PASSES 100000u

typedef struct flow {
    const verifier_t *v;
    uint32_t fs;     /* frame slots */
    uint32_t *merge; /* per pc: merge-point index or BR_NO_INDEX */
    uint32_t merges;
    uint8_t *states;     /* merges x fs kinds */
    uint8_t *reached;    /* per merge point */
    uint8_t *cur;        /* fs kinds at the current pc */
    uint8_t *edge;       /* scratch for a branch's state */
    const uint32_t *pcs; /* the verifier's instruction starts */
    uint32_t insns;
    bool live;        /* cur is reachable */
    uint32_t restart; /* lowest back-edge target that rose, or NO */
    uint32_t probe;   /* bri_verify_flow_at: the pc whose kinds it wants */
    uint8_t *probed;  /* ... copied here (fs kinds) when reached */
    bool hit;
} flow_t;

static uint8_t
join(uint8_t a, uint8_t b)
{
    if (a == b)
        return a;
    if (a == K_NULL && b != K_EXN && b != K_BAD)
        return b;
    if (b == K_NULL && a != K_EXN && a != K_BAD)
        return a;
    return K_BAD;
}

static uint8_t
kind_of(br_valkind_t k)
{
    switch (k) {
    case BR_FUNCREF:
        return K_FUNC;
    case BR_EXTERNREF:
    case BR_ANYREF: /* GC references: opaque like externrefs here */
        return K_EXTERN;
    case BR_EXNREF:
        return K_EXNREF;
    default:
        return K_NUM;
    }
}

/* Writes typed values at slot s (a v128 takes two number slots). */
static void
put_types(uint8_t *st, uint32_t s, const br_valkind_t *t, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        st[s++] = kind_of(t[i]);
        if (t[i] == BR_V128)
            st[s++] = K_NUM;
    }
}

/* True if typed values can be read at slot s. */
static bool
got_types(const uint8_t *st, uint32_t s, const br_valkind_t *t, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t want = kind_of(t[i]), have = st[s];
        if (want != K_NUM && have != want && have != K_NULL)
            return false;
        s += bri_slots_of(t[i]);
    }
    return true;
}

static void
fill(uint8_t *st, uint32_t from, uint32_t to, uint8_t k)
{
    if (to > from)
        memset(st + from, k, to - from);
}

/* Joins `st` into the state of merge point `mi`; true if it rose. */
static bool
join_into(flow_t *f, uint32_t mi, const uint8_t *st)
{
    uint8_t *dst = f->states + (size_t)mi * f->fs;
    if (!f->reached[mi]) {
        memcpy(dst, st, f->fs);
        f->reached[mi] = 1;
        return true;
    }
    bool changed = false;
    for (uint32_t i = 0; i < f->fs; i++) {
        uint8_t k = join(dst[i], st[i]);
        changed |= k != dst[i];
        dst[i] = k;
    }
    return changed;
}

/* A branch from pc: a back-edge whose target rose needs another pass. */
static void
flow_to(flow_t *f, uint32_t pc, uint32_t target, const uint8_t *st)
{
    if (join_into(f, f->merge[target], st) && target <= pc &&
        target < f->restart)
        f->restart = target;
}

/* Exception edges from pc (a throw, or a call whose callee throws) to
 * every catch the interpreter's search could pick. */
static void
throw_edges(flow_t *f, uint32_t pc, const uint8_t *st)
{
    const bri_code_t *c = f->v->code;
    const br_module_t *m = f->v->m;
    int32_t h = -1;
    for (uint32_t i = 0; i < c->handler_count && c->handlers[i].start <= pc;
         i++)
        if (pc < c->handlers[i].end)
            h = (int32_t)i;
    while (h >= 0) {
        const bri_handler_t *hd = &c->handlers[h];
        if (hd->kind == BRI_HANDLER_DELEGATE) {
            h = hd->delegate_to;
            continue;
        }
        for (uint32_t k = 0; k < hd->catch_count; k++) {
            const bri_catch_t *ct = &hd->catches[k];
            memcpy(f->edge, st, f->fs);
            uint32_t at = hd->height;
            if (ct->tag != BR_NO_INDEX) {
                const br_functype_t *t = &m->types[m->tags[ct->tag]];
                put_types(f->edge, hd->height, t->params, t->param_count);
                at += bri_param_slots(t);
            }
            if (hd->exn_slot != BR_NO_INDEX)
                f->edge[hd->exn_slot] = K_EXN;
            if (ct->ref)
                f->edge[at] = K_EXNREF;
            flow_to(f, pc, ct->pc, f->edge);
        }
        h = hd->parent;
    }
}

/* A call: args checked; the callee's frame starts at s, so everything
 * from s up is its leftovers after it returns or throws. */
static bool
flow_call(flow_t *f, const insn_t *in, const br_functype_t *ft, bool tail)
{
    uint32_t s = in->w[1];
    if (!got_types(f->cur, s, ft->params, ft->param_count))
        return false;
    if (tail)
        return true;
    fill(f->cur, s, f->fs, K_BAD);
    throw_edges(f, in->pc, f->cur);
    put_types(f->cur, s, ft->results, ft->result_count);
    return true;
}

static void
flow_jump_table(flow_t *f, const insn_t *in)
{
    const uint32_t *w = in->w;
    uint32_t src = w[3], arity = w[4];
    for (uint32_t i = 0; i <= w[2]; i++) {
        const uint32_t *e = w + 5 + 3 * i;
        memcpy(f->edge, f->cur, f->fs);
        if (arity != 0)
            memmove(f->edge + e[1], f->cur + src, arity);
        flow_to(f, in->pc, e[0], f->edge);
    }
}

static const bri_tabledecl_t *
table_of(const flow_t *f, uint32_t t)
{
    return &f->v->m->tables[t];
}

/* Tables and globals: the reference kinds they hold. */
static bool
flow_tables(flow_t *f, const insn_t *in)
{
    const uint32_t *w = in->w;
    uint8_t *st = f->cur;
    switch (in->op) {
    case BR_OP_table_get:
        st[w[1]] = kind_of(table_of(f, w[2])->elem);
        return true;
    case BR_OP_table_set:
    case BR_OP_table_fill:
        return got_types(st, w[1] + 1, &table_of(f, w[2])->elem, 1);
    case BR_OP_table_grow:
        if (!got_types(st, w[1], &table_of(f, w[2])->elem, 1))
            return false;
        st[w[1]] = K_NUM;
        return true;
    case BR_OP_table_size:
        st[w[1]] = K_NUM;
        return true;
    case BR_OP_global_get:
        put_types(st, w[1], &f->v->m->globals[w[2]].kind, 1);
        return true;
    case BR_OP_global_set:
        return got_types(st, w[1], &f->v->m->globals[w[2]].kind, 1);
    default:
        return true; /* copies and inits keep kinds (tables_ok) */
    }
}

/* Branches; false only for a failed read. */
static bool
flow_branch(flow_t *f, const insn_t *in)
{
    const uint32_t *w = in->w;
    switch (in->op) {
    case BR_OP_jump:
    case BR_OP_jump_back:
        flow_to(f, in->pc, w[1], f->cur);
        break;
    case BR_OP_jump_if:
    case BR_OP_jump_unless:
    case BR_OP_jump_if_back:
        flow_to(f, in->pc, w[2], f->cur);
        break;
    case BR_OP_jump_table:
        flow_jump_table(f, in);
        break;
    case BR_OP_ret:
        return got_types(f->cur, w[1], f->v->type->results,
                         f->v->type->result_count);
    case BR_OP_throw_: {
        const br_functype_t *t = &f->v->m->types[f->v->m->tags[w[2]]];
        if (!got_types(f->cur, w[1], t->params, t->param_count))
            return false;
        throw_edges(f, in->pc, f->cur);
        break;
    }
    case BR_OP_rethrow:
        if (f->cur[w[1]] != K_EXN)
            return false;
        throw_edges(f, in->pc, f->cur);
        break;
    case BR_OP_throw_ref:
        if (f->cur[w[1]] != K_EXNREF && f->cur[w[1]] != K_NULL)
            return false;
        throw_edges(f, in->pc, f->cur);
        break;
    default:
        break;
    }
    return true;
}

/* Applies one reachable instruction to f->cur; false if it reads a slot
 * of the wrong kind. */
static bool
flow_insn(flow_t *f, const insn_t *in)
{
    const br_module_t *m = f->v->m;
    const uint32_t *w = in->w;
    uint8_t *st = f->cur;
    if (f->v->shapes[in->op].kind) { /* a SIG op: numbers only */
        fill(st, w[1], w[1] + f->v->shapes[in->op].results, K_NUM);
        return true;
    }
    uint32_t target, fuel;
    if (bri_verify_fused_target(w, &target, &fuel)) {
        flow_to(f, in->pc, target, st);
        return true;
    }
    if (bri_verify_fused_form[in->op] != F_NONE) {
        if (bri_verify_fused_form[in->op] != F_ST)
            st[w[1]] = K_NUM; /* the result */
        return true;
    }
    switch (in->op) {
    case BR_OP_move:
        memmove(st + w[1], st + w[2], w[3]);
        return true;
    case BR_OP_select:
    case BR_OP_select_t:
        st[w[1]] = join(st[w[1]], st[w[1] + 1]);
        return true;
    case BR_OP_local_get:
        st[w[1]] = st[w[2]];
        return true;
    case BR_OP_local_set:
    case BR_OP_local_tee:
        st[w[2]] = st[w[1]];
        return true;
    case BR_OP_ref_null:
        st[w[1]] = K_NULL;
        return true;
    case BR_OP_ref_func:
        st[w[1]] = K_FUNC;
        return true;
    case BR_OP_ref_is_null:
    case BR_OP_i32_const:
    case BR_OP_f32_const:
    case BR_OP_i64_const:
    case BR_OP_f64_const:
        st[w[1]] = K_NUM;
        return true;
    case BR_OP_call:
    case BR_OP_return_call:
        return flow_call(f, in, bri_verify_func_type(m, w[2]),
                         in->op == BR_OP_return_call);
    case BR_OP_call_indirect:
    case BR_OP_return_call_indirect:
        return flow_call(f, in, &m->types[w[2]],
                         in->op == BR_OP_return_call_indirect);
    case BR_OP_call_ref:
    case BR_OP_return_call_ref: {
        /* the callee: a function reference or null after the args */
        const br_functype_t *t = &m->types[w[2]];
        uint8_t k = st[w[1] + bri_param_slots(t)];
        if (k != K_FUNC && k != K_NULL)
            return false;
        return flow_call(f, in, t, in->op == BR_OP_return_call_ref);
    }
    default:
        break;
    }
    return flow_tables(f, in) && flow_branch(f, in);
}

/* One pass in pc order from instruction `from`, whose state is the
 * entry state (from 0) or its merge point's; false after recording a
 * failed read. */
static br_err_t
flow_pass(flow_t *f, uint32_t from)
{
    const bri_code_t *c = f->v->code;
    f->restart = BR_NO_INDEX;
    f->live = true;
    for (uint32_t i = from; i < f->insns; i++) {
        uint32_t pc = f->pcs[i];
        insn_t in = {.w = c->words + pc, .pc = pc, .len = f->pcs[i + 1] - pc};
        in.op = (br_op_t)in.w[0];
        uint32_t mi = f->merge[pc];
        if (mi != BR_NO_INDEX) {
            if (f->live && i != from)
                join_into(f, mi, f->cur); /* falling into it */
            f->live = f->reached[mi];
            if (f->live)
                memcpy(f->cur, f->states + (size_t)mi * f->fs, f->fs);
        }
        if (f->live && pc == f->probe) {
            /* the last pass over pc sees its fixpoint state */
            memcpy(f->probed, f->cur, f->fs);
            f->hit = true;
        }
        if (f->live && !flow_insn(f, &in))
            return bri_verify_corrupt(f->v, pc,
                                      "slot read with the wrong kind");
        f->live = f->live && !bri_verify_is_terminator(in.op);
    }
    return BR_ERR_OK;
}

static void
mark_merge(flow_t *f, uint32_t pc)
{
    if (f->merge[pc] == BR_NO_INDEX)
        f->merge[pc] = f->merges++;
}

/* Every jump target and catch entry is a merge point. */
static void
find_merges(flow_t *f)
{
    const bri_code_t *c = f->v->code;
    for (uint32_t pc = 0; pc < c->word_count; pc++)
        f->merge[pc] = BR_NO_INDEX;
    for (uint32_t i = 0; i < f->insns; i++) {
        const uint32_t *w = c->words + f->pcs[i];
        uint32_t target, fuel;
        if (bri_verify_fused_target(w, &target, &fuel))
            mark_merge(f, target);
        switch ((br_op_t)w[0]) {
        case BR_OP_jump:
        case BR_OP_jump_back:
            mark_merge(f, w[1]);
            break;
        case BR_OP_jump_if:
        case BR_OP_jump_unless:
        case BR_OP_jump_if_back:
            mark_merge(f, w[2]);
            break;
        case BR_OP_jump_table:
            for (uint32_t k = 0; k <= w[2]; k++)
                mark_merge(f, w[5 + 3 * k]);
            break;
        default:
            break;
        }
    }
    for (uint32_t i = 0; i < c->handler_count; i++)
        for (uint32_t k = 0; k < c->handlers[i].catch_count; k++)
            mark_merge(f, c->handlers[i].catches[k].pc);
}

/* The entry state: params typed, declared locals zeroed, the rest
 * (hidden and operand slots) whatever the stack held. */
static void
entry_state(flow_t *f)
{
    const bri_code_t *c = f->v->code;
    const br_functype_t *t = f->v->type;
    fill(f->cur, 0, f->fs, K_BAD);
    put_types(f->cur, 0, t->params, t->param_count);
    fill(f->cur, c->param_slots, c->local_slots, K_NULL);
}

/* The instruction index of pc (a known instruction start). */
static uint32_t
insn_index(const flow_t *f, uint32_t pc)
{
    uint32_t lo = 0, hi = f->insns;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->pcs[mid] <= pc)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Passes until no back-edge target rises; each later pass starts at the
 * lowest target that rose (everything before it is settled). */
static br_err_t
flow_run(flow_t *f)
{
    entry_state(f);
    if (f->merge[0] != BR_NO_INDEX)
        join_into(f, f->merge[0], f->cur);
    uint32_t from = 0;
    for (uint32_t n = 0; n < MAX_PASSES; n++) {
        br_err_t err = flow_pass(f, from);
        if (err != BR_ERR_OK || f->restart == BR_NO_INDEX)
            return err;
        from = insn_index(f, f->restart);
        memcpy(f->cur, f->states + (size_t)f->merge[f->restart] * f->fs, f->fs);
    }
    return bri_verify_corrupt(f->v, 0, "reference check does not settle");
}

/* The slots the data flow tracks: the locals and every slot an
 * instruction touches. A crafted file may declare a frame far larger
 * (up to MAX_FRAME_SLOTS) than its code uses; tracking all of it would
 * make a few-kilobyte file cost seconds and gigabytes to load. */
static uint32_t
flow_slots(const verifier_t *v)
{
    uint32_t top = *v->span_top;
    return top > v->code->local_slots ? top : v->code->local_slots;
}

uint32_t
bri_verify_flow_slots(const verifier_t *v)
{
    return flow_slots(v);
}

/* The data flow to its fixpoint; with `probe` != BR_NO_INDEX the
 * kinds at that pc are copied to `probed` (fs bytes) and *hit set. */
static br_err_t
flow_check(const verifier_t *v, uint32_t probe, uint8_t *probed, bool *hit)
{
    const bri_allocator_t *a = &v->m->engine->alloc;
    const bri_code_t *c = v->code;
    br_err_t err = BR_ERR_OK;
    flow_t f = {.v = v,
                .fs = flow_slots(v),
                .pcs = v->pcs,
                .insns = v->insns,
                .probe = probe,
                .probed = probed};
    f.merge = bri_calloc(a, c->word_count, sizeof *f.merge);
    f.cur = bri_alloc(a, f.fs);
    f.edge = bri_alloc(a, f.fs);
    if (f.merge != NULL && f.cur != NULL && f.edge != NULL) {
        find_merges(&f);
        f.reached = bri_calloc(a, f.merges, 1);
        f.states = bri_calloc(a, f.merges, f.fs);
    }
    if (f.states == NULL || f.reached == NULL)
        err = bri_error(v->error, BR_ERR_OUT_OF_MEMORY, 0, (int64_t)v->index,
                        "%s", "verifying");
    else
        err = flow_run(&f);
    bri_free(a, f.states, (size_t)f.merges * f.fs);
    bri_free(a, f.reached, f.merges);
    bri_free(a, f.edge, f.fs);
    bri_free(a, f.cur, f.fs);
    bri_free(a, f.merge, (size_t)c->word_count * sizeof *f.merge);
    if (hit != NULL)
        *hit = f.hit;
    return err;
}

br_err_t
bri_verify_refs(const verifier_t *v)
{
    return flow_check(v, BR_NO_INDEX, NULL, NULL);
}

br_err_t
bri_verify_flow_at(const verifier_t *v, uint32_t pc, uint8_t *kinds, bool *hit)
{
    return flow_check(v, pc, kinds, hit);
}
