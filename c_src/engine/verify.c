/*
 * beamr engine: structural verification of compiled code loaded from a
 * file (serialize.c): layouts, slots, indices, jump targets, handlers,
 * sites, fuel on back-edges; the data-flow check of reference slots is
 * verify_flow.c.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "verify.h"

/*
 * Why a loaded function cannot escape (the invariants the interpreter
 * relies on without checking them at run time; see code.h):
 *  - every word at an instruction start is an opcode the compiler emits,
 *    followed by exactly its operands, and the last instruction never
 *    falls through, so pc stays inside the code;
 *  - every slot range an instruction touches lies in [0, frame_slots),
 *    the slot count the frame reserves;
 *  - every index (function, type, table, memory, global, tag, data,
 *    elem) is in range of the module, and typed uses agree with the
 *    module's declarations (call_indirect needs a funcref table, table
 *    copies keep the element kind, global.set needs a mutable global);
 *  - jump targets and catch entries are instruction starts; plain jumps
 *    and exception edges go forward, back-edges charge fuel, so a run
 *    always reaches a fuel check;
 *  - handler chains only point at earlier handlers (no cycles);
 *  - a slot read as a reference (funcref, externref, exnref, the
 *    exception of a rethrow) holds one of that kind on every path
 *    (verify_flow.c),
 *    so no integer is ever used as a pointer.
 * A new opcode or layout needs a case here: unknown ones are refused.
 */

/* Frames above this many slots are refused (the compiler stays far
 * below: BRI_MAX_STACK per part). Keeps all slot sums in 32 bits. */
#define MAX_FRAME_SLOTS (1u << 28)

typedef bri_verifier_t verifier_t;

/* ------------------------------------------------------------------ */
/* Layouts                                                             */

/* Slots of a SIG string's params or results ("ai:" ...), or false for a
 * letter this verifier does not know. */
static bool
sig_slots(const char *sig, uint32_t *params, uint32_t *results)
{
    uint32_t n[2] = {0, 0};
    int side = 0;
    for (const char *p = sig; *p; p++) {
        switch (*p) {
        case ':':
            side = 1;
            break;
        case 'i':
        case 'l':
        case 'f':
        case 'd':
        case 'a':
            n[side] += 1;
            break;
        case 'v':
            n[side] += 2;
            break;
        default:
            return false;
        }
    }
    *params = n[0];
    *results = n[1];
    return side == 1;
}

static uint32_t
max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

static const uint8_t fused_len[] = {
    [F_RR] = 4,    [F_RI] = 4, [F_R] = 3,  [F_BR_RR] = 5,
    [F_BR_RI] = 5, [F_LD] = 6, [F_ST] = 6, [F_JZ] = 4,
};

/* Length in words of instructions of `op` (BRI_LEN_VAR: it depends on
 * the operands), or 0 if the compiler never emits it: the LEN column of
 * the opcode table, or the form of a fused op. */
_Static_assert(BRI_VAR == BRI_LEN_VAR, "LEN's VAR is the verifier's");

static uint32_t
fixed_len(br_op_t op)
{
    if (bri_verify_fused_form[op] != F_NONE)
        return fused_len[bri_verify_fused_form[op]];
    return bri_opinfo[op].len;
}

/* Computed once per load, so the checks of each instruction are table
 * lookups rather than string parsing. */
void
bri_verify_shapes(bri_opshape_t shapes[BR_OP__COUNT])
{
    for (uint32_t op = 0; op < BR_OP__COUNT; op++) {
        bri_opshape_t *sh = &shapes[op];
        uint32_t ps = 0, rs = 0;
        bool sig = bri_opinfo[op].sig[0] != '*';
        sh->len = (uint8_t)fixed_len((br_op_t)op);
        if (sig &&
            (!sig_slots(bri_opinfo[op].sig, &ps, &rs) || ps > 8 || rs > 8))
            sh->len = 0; /* a SIG letter this verifier does not know */
        sh->kind = sig;
        sh->params = (uint8_t)ps;
        sh->results = (uint8_t)rs;
        sh->lanes = bri_opinfo[op].lanes;
        if ((bri_opinfo[op].imm == BR_IMM_LANE ||
             bri_opinfo[op].imm == BR_IMM_MEMARG_LANE) &&
            sh->lanes == 0)
            sh->len = 0; /* a lane op without its LANES column */
    }
}

/* Length in words of the instruction at words[0] (left words remain),
 * or 0 if it is no instruction the compiler emits. */
static uint32_t
insn_len(const bri_opshape_t *shapes, const uint32_t *w, uint32_t left)
{
    if (w[0] >= BR_OP__COUNT)
        return 0;
    uint32_t len = shapes[w[0]].len;
    if (len == BRI_LEN_VAR) {
        /* [jump_table, s, n, src, arity, (n+1) x (target, dst, fuel)] */
        if (left < 8 || w[2] > (left - 5) / 3 - 1)
            return 0;
        len = 5 + 3 * (w[2] + 1);
    }
    return len <= left ? len : 0;
}

/* ------------------------------------------------------------------ */
/* Operand checks (pass 1)                                             */

typedef bri_vinsn_t insn_t;

/* [s, s + n) must lie inside the frame. Notes the highest end: slots
 * above every accepted span are never touched by this code. */
static bool
span_ok(const verifier_t *v, uint32_t s, uint32_t n)
{
    if (s > v->code->frame_slots || n > v->code->frame_slots - s)
        return false;
    if (s + n > *v->span_top)
        *v->span_top = s + n;
    return true;
}

/* Args at s (and the table index after them), results at s. */
static bool
call_ok(const verifier_t *v, uint32_t s, const br_functype_t *ft, bool indirect,
        bool tail)
{
    if (ft == NULL)
        return false;
    uint32_t ps = bri_param_slots(ft) + (indirect ? 1u : 0u);
    if (!span_ok(v, s, max_u32(ps, bri_result_slots(ft))))
        return false;
    if (!tail)
        return true;
    /* the callee's results become this function's results */
    const br_functype_t *self = v->type;
    return ft->result_count == self->result_count &&
           (self->result_count == 0 ||
            memcmp(ft->results, self->results, self->result_count) == 0);
}

static bool
indirect_ok(const verifier_t *v, const uint32_t *w, bool tail)
{
    const br_module_t *m = v->m;
    if (w[2] >= m->type_count || w[3] >= m->table_count ||
        m->tables[w[3]].elem != BR_FUNCREF)
        return false;
    return call_ok(v, w[1], &m->types[w[2]], true, tail);
}

static bool
global_ok(const verifier_t *v, const uint32_t *w, bool set)
{
    const br_module_t *m = v->m;
    if (w[2] >= m->global_count || (set && !m->globals[w[2]].mutable_))
        return false;
    return span_ok(v, w[1], bri_slots_of(m->globals[w[2]].kind));
}

/* table.copy/init keep the element kind: an externref must never land
 * in a funcref table that call_indirect reads. */
static bool
tables_ok(const verifier_t *v, const uint32_t *w)
{
    const br_module_t *m = v->m;
    if (w[3] >= m->table_count)
        return false;
    if (w[0] == BR_OP_table_copy)
        return w[2] < m->table_count &&
               m->tables[w[2]].elem == m->tables[w[3]].elem;
    return w[2] < m->elem_count && m->elems[w[2]].kind == m->tables[w[3]].elem;
}

static bool
memories_ok(const verifier_t *v, const uint32_t *w)
{
    const br_module_t *m = v->m;
    if (w[3] >= m->memory_count)
        return false;
    if (w[0] == BR_OP_memory_copy)
        return w[2] < m->memory_count;
    return w[2] < m->data_count;
}

static bool
jump_table_ok(const verifier_t *v, const uint32_t *w)
{
    uint32_t n = w[2], src = w[3], arity = w[4];
    if (!span_ok(v, w[1], 1) || !span_ok(v, src, arity))
        return false;
    for (uint32_t i = 0; i <= n; i++)
        if (!span_ok(v, w[5 + 3 * i + 1], arity))
            return false;
    return true;
}

/* i8x16.shuffle picks each byte from the 32 of its two operands. */
static bool
shuffle_ok(const uint32_t *imm)
{
    for (uint32_t i = 0; i < 16; i++)
        if (((imm[i / 4] >> (8 * (i % 4))) & 0xFFu) >= 32)
            return false;
    return true;
}

/* Generic ops (SIG not "*"): [op, s] plus their immediates. */
static bool
sig_op_ok(const verifier_t *v, const insn_t *in)
{
    const bri_opshape_t *sh = &v->shapes[in->op];
    const uint32_t *w = in->w;
    switch (bri_opinfo[in->op].imm) {
    case BR_IMM_MEMIDX:
    case BR_IMM_MEMARG:
        if (w[2] >= v->m->memory_count)
            return false;
        break;
    case BR_IMM_MEMARG_LANE:
        if (w[2] >= v->m->memory_count || w[5] >= sh->lanes)
            return false;
        break;
    case BR_IMM_LANE:
        if (w[2] >= sh->lanes)
            return false;
        break;
    case BR_IMM_SHUFFLE:
        if (!shuffle_ok(w + 2))
            return false;
        break;
    default:
        break;
    }
    return span_ok(v, w[1], bri_opinfo[in->op].span);
}

/* Fused ops: every operand word but immediates and targets is a slot
 * (all scalars: one slot each). */
static bool
fused_ok(const verifier_t *v, const insn_t *in)
{
    const uint32_t *w = in->w;
    switch (bri_verify_fused_form[in->op]) {
    case F_RR:
        return span_ok(v, w[1], 1) && span_ok(v, w[2], 1) &&
               span_ok(v, w[3], 1);
    case F_RI:
    case F_R:
    case F_BR_RR:
        return span_ok(v, w[1], 1) && span_ok(v, w[2], 1);
    case F_BR_RI:
    case F_JZ:
        return span_ok(v, w[1], 1);
    case F_LD:
    case F_ST:
        return span_ok(v, w[1], 1) && span_ok(v, w[2], 1) &&
               w[3] < v->m->memory_count;
    default:
        return false;
    }
}

/* The slots [s, s + SPAN) of an op whose SPAN column is a count. */
static bool
fixed_span_ok(const verifier_t *v, const insn_t *in)
{
    uint32_t span = bri_opinfo[in->op].span;
    return span == 0 || span == BRI_VAR || span_ok(v, in->w[1], span);
}

/* Operands of every instruction but the targets (checked in pass 2):
 * the SPAN column's slots, then what the op's indices must name. */
static bool
operands_ok(const verifier_t *v, const insn_t *in)
{
    const br_module_t *m = v->m;
    const uint32_t *w = in->w;
    if (bri_opinfo[in->op].sig[0] != '*')
        return sig_op_ok(v, in);
    if (bri_verify_fused_form[in->op] != F_NONE)
        return fused_ok(v, in);
    if (!fixed_span_ok(v, in))
        return false;
    switch (in->op) {
    case BR_OP_unreachable:
    case BR_OP_jump:
    case BR_OP_jump_if:
    case BR_OP_jump_unless:
    case BR_OP_ref_null:
    case BR_OP_ref_is_null:
    case BR_OP_ref_as_non_null:
    case BR_OP_i32_const:
    case BR_OP_f32_const:
    case BR_OP_i64_const:
    case BR_OP_f64_const:
    case BR_OP_select:
    case BR_OP_select_t:
    case BR_OP_rethrow:
    case BR_OP_throw_ref:
        return true;
    case BR_OP_jump_back:
        return w[2] != 0;
    case BR_OP_jump_if_back:
        return w[3] != 0;
    case BR_OP_move:
        return span_ok(v, w[1], w[3]) && span_ok(v, w[2], w[3]);
    case BR_OP_jump_table:
        return jump_table_ok(v, w);
    case BR_OP_ret:
        return w[2] == v->code->result_slots && span_ok(v, w[1], w[2]);
    case BR_OP_call:
    case BR_OP_return_call:
        return call_ok(v, w[1], bri_verify_func_type(m, w[2]), false,
                       in->op == BR_OP_return_call);
    case BR_OP_call_indirect:
    case BR_OP_return_call_indirect:
        return indirect_ok(v, w, in->op == BR_OP_return_call_indirect);
    case BR_OP_call_ref:
    case BR_OP_return_call_ref:
        /* the reference follows the args (the data flow checks it) */
        return w[2] < m->type_count && call_ok(v, w[1], &m->types[w[2]], true,
                                               in->op == BR_OP_return_call_ref);
    case BR_OP_throw_:
        return w[2] < m->tag_count &&
               span_ok(v, w[1], bri_param_slots(&m->types[m->tags[w[2]]]));
    case BR_OP_local_get:
    case BR_OP_local_set:
    case BR_OP_local_tee:
        return w[2] < v->code->local_slots;
    case BR_OP_global_get:
    case BR_OP_global_set:
        return global_ok(v, w, in->op == BR_OP_global_set);
    case BR_OP_ref_func:
        return w[2] < m->func_count;
    case BR_OP_table_get:
    case BR_OP_table_size:
    case BR_OP_table_set:
    case BR_OP_table_grow:
    case BR_OP_table_fill:
        return w[2] < m->table_count;
    case BR_OP_table_copy:
    case BR_OP_table_init:
        return tables_ok(v, w);
    case BR_OP_elem_drop:
        return w[1] < m->elem_count;
    case BR_OP_memory_fill:
        return w[2] < m->memory_count;
    case BR_OP_memory_copy:
    case BR_OP_memory_init:
        return memories_ok(v, w);
    case BR_OP_data_drop:
        return w[1] < m->data_count;
    default:
        return false;
    }
}

static bool
has_ref(const br_valkind_t *t, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (bri_valkind_is_ref(t[i]))
            return true;
    return false;
}

/*
 * Whether an instruction (operands already checked) reads a slot as a
 * reference: exactly the reads bri_verify_refs checks (got_types with a
 * reference kind, rethrow's exception). A function without any cannot
 * fail that check, whatever its slots hold, so the data flow, most of
 * the loader's work, runs only for functions that have one: typical
 * compiled C code (numbers only, call_indirect by index) has none.
 */
static bool
reads_ref(const verifier_t *v, const insn_t *in)
{
    const br_module_t *m = v->m;
    const uint32_t *w = in->w;
    const br_functype_t *t;
    switch (in->op) {
    case BR_OP_table_set:
    case BR_OP_table_fill:
    case BR_OP_table_grow:
    case BR_OP_rethrow:
    case BR_OP_throw_ref:
    case BR_OP_call_ref:
    case BR_OP_return_call_ref:
        return true;
    case BR_OP_global_set:
        return has_ref(&m->globals[w[2]].kind, 1);
    case BR_OP_call:
    case BR_OP_return_call:
        t = bri_verify_func_type(m, w[2]);
        return has_ref(t->params, t->param_count);
    case BR_OP_call_indirect:
    case BR_OP_return_call_indirect:
        t = &m->types[w[2]];
        return has_ref(t->params, t->param_count);
    case BR_OP_ret:
        return has_ref(v->type->results, v->type->result_count);
    case BR_OP_throw_:
        t = &m->types[m->tags[w[2]]];
        return has_ref(t->params, t->param_count);
    default:
        return false;
    }
}

/* Pass 1: walks the instructions, checks their operands, marks the
 * instruction starts and notes whether any reads a reference. */
static br_err_t
check_insns(verifier_t *v)
{
    const bri_code_t *c = v->code;
    br_op_t last = BR_OP_unreachable;
    for (uint32_t pc = 0; pc < c->word_count;) {
        insn_t in = {.w = c->words + pc, .pc = pc};
        in.len = insn_len(v->shapes, in.w, c->word_count - pc);
        if (in.len == 0)
            return bri_verify_corrupt(v, pc,
                                      "bad opcode or truncated instruction");
        in.op = (br_op_t)in.w[0];
        if (!operands_ok(v, &in))
            return bri_verify_corrupt(v, pc, "operand out of range");
        if (!v->reads_refs && !v->shapes[in.op].kind)
            v->reads_refs = reads_ref(v, &in);
        v->starts[pc] = 1;
        v->pcs[v->insns++] = pc;
        last = in.op;
        pc += in.len;
    }
    v->pcs[v->insns] = c->word_count;
    if (c->word_count == 0 || !bri_verify_is_terminator(last))
        return bri_verify_corrupt(v, c->word_count, "code runs off its end");
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Targets, handlers and sites (pass 2)                                */

static bool
is_start(const verifier_t *v, uint32_t pc)
{
    return pc < v->code->word_count && v->starts[pc];
}

/* A plain jump must go forward; a back-edge must charge fuel. */
static bool
target_ok(const verifier_t *v, uint32_t pc, uint32_t target, uint32_t fuel)
{
    return is_start(v, target) && (target > pc || fuel != 0);
}

static bool
targets_ok(const verifier_t *v, const insn_t *in)
{
    const uint32_t *w = in->w;
    uint32_t target, fuel;
    if (bri_verify_fused_target(w, &target, &fuel))
        return target_ok(v, in->pc, target, fuel);
    switch (in->op) {
    case BR_OP_jump:
        return target_ok(v, in->pc, w[1], 0);
    case BR_OP_jump_back:
        return target_ok(v, in->pc, w[1], w[2]);
    case BR_OP_jump_if:
    case BR_OP_jump_unless:
        return target_ok(v, in->pc, w[2], 0);
    case BR_OP_jump_if_back:
        return target_ok(v, in->pc, w[2], w[3]);
    case BR_OP_jump_table:
        for (uint32_t i = 0; i <= w[2]; i++)
            if (!target_ok(v, in->pc, w[5 + 3 * i], w[5 + 3 * i + 2]))
                return false;
        return true;
    default:
        return true;
    }
}

/* Catch entries write the payload at `height` and the exception at
 * exn_slot (if any) and, for a `ref` catch, after the payload; they
 * follow the try body, so exception edges go forward. */
static br_err_t
check_handler(const verifier_t *v, uint32_t i)
{
    const bri_code_t *c = v->code;
    const bri_handler_t *h = &c->handlers[i];
    if (h->start > h->end || h->end > c->word_count ||
        (h->start < c->word_count && !v->starts[h->start]) ||
        (h->end < c->word_count && !v->starts[h->end]) ||
        (i > 0 && h->start < c->handlers[i - 1].start))
        return bri_verify_corrupt(v, h->start, "bad handler range");
    if (h->parent < -1 || h->parent >= (int32_t)i || h->delegate_to < -1 ||
        h->delegate_to >= (int32_t)i || h->kind > BRI_HANDLER_DELEGATE ||
        (h->kind == BRI_HANDLER_DELEGATE && h->catch_count != 0) ||
        (h->exn_slot != BR_NO_INDEX && !span_ok(v, h->exn_slot, 1)) ||
        !span_ok(v, h->height, 0))
        return bri_verify_corrupt(v, h->start, "bad handler");
    for (uint32_t k = 0; k < h->catch_count; k++) {
        const bri_catch_t *ct = &h->catches[k];
        uint32_t payload = 0;
        if (ct->tag != BR_NO_INDEX) {
            if (ct->tag >= v->m->tag_count)
                return bri_verify_corrupt(v, ct->pc, "unknown catch tag");
            payload = bri_param_slots(&v->m->types[v->m->tags[ct->tag]]);
        }
        if (!is_start(v, ct->pc) || ct->pc < h->end || ct->ref > 1 ||
            !span_ok(v, h->height, payload + ct->ref))
            return bri_verify_corrupt(v, ct->pc, "bad catch");
    }
    return BR_ERR_OK;
}

static br_err_t
check_sites(const verifier_t *v)
{
    const bri_code_t *c = v->code;
    for (uint32_t i = 0; i < c->site_count; i++)
        if (c->sites[i].pc >= c->word_count ||
            (i > 0 && c->sites[i].pc <= c->sites[i - 1].pc) ||
            c->sites[i].offset > v->m->size)
            return bri_verify_corrupt(v, c->sites[i].pc, "bad site");
    return BR_ERR_OK;
}

static br_err_t
check_targets(const verifier_t *v)
{
    const bri_code_t *c = v->code;
    for (uint32_t i = 0; i < v->insns; i++) {
        uint32_t pc = v->pcs[i];
        insn_t in = {.w = c->words + pc, .pc = pc};
        in.len = v->pcs[i + 1] - pc;
        in.op = (br_op_t)in.w[0];
        if (!targets_ok(v, &in))
            return bri_verify_corrupt(v, pc, "bad jump target");
    }
    for (uint32_t i = 0; i < c->handler_count; i++) {
        br_err_t err = check_handler(v, i);
        if (err != BR_ERR_OK)
            return err;
    }
    return check_sites(v);
}

/* ------------------------------------------------------------------ */
/* The frame                                                           */

static br_err_t
check_frame(const verifier_t *v)
{
    const bri_code_t *c = v->code;
    const bri_func_t *f = &v->m->funcs[v->index];
    uint64_t locals = bri_param_slots(v->type);
    for (uint32_t i = 0; i < f->local_count; i++)
        locals += bri_vt_slots(f->locals[i]);
    if (c->param_slots != bri_param_slots(v->type) ||
        c->result_slots != bri_result_slots(v->type) ||
        c->local_slots != locals || c->frame_slots < c->local_slots ||
        c->frame_slots > MAX_FRAME_SLOTS)
        return bri_verify_corrupt(v, 0,
                                  "frame does not fit the function's type");
    if ((c->handler_count != 0 && c->handlers == NULL) ||
        (c->site_count != 0 && c->sites == NULL) || c->words == NULL)
        return bri_verify_corrupt(v, 0, "missing code");
    return BR_ERR_OK;
}

br_err_t
bri_code_verify(const br_module_t *m, uint32_t index,
                const bri_opshape_t *shapes, br_error_t *error)
{
    const bri_func_t *f = &m->funcs[index];
    uint32_t span_top = 0;
    verifier_t v = {
        .m = m,
        .code = &f->code,
        .type = &m->types[f->type],
        .index = index,
        .span_top = &span_top,
        .error = error,
        .shapes = shapes,
    };
    br_err_t err = check_frame(&v);
    if (err != BR_ERR_OK)
        return err;
    const bri_allocator_t *a = &m->engine->alloc;
    size_t words = f->code.word_count;
    v.starts = bri_calloc(a, words, 1);
    v.pcs = bri_alloc(a, (words + 1) * sizeof *v.pcs);
    if (v.starts == NULL || v.pcs == NULL)
        err = bri_error(error, BR_ERR_OUT_OF_MEMORY, 0, (int64_t)index, "%s",
                        "verifying");
    if (err == BR_ERR_OK)
        err = check_insns(&v);
    if (err == BR_ERR_OK)
        err = check_targets(&v);
    if (err == BR_ERR_OK && v.reads_refs)
        err = bri_verify_refs(&v);
    bri_free(a, v.pcs, (words + 1) * sizeof *v.pcs);
    bri_free(a, v.starts, words);
    return err;
}

/* ------------------------------------------------------------------ */
/* Resume points (snapshot_call.c)                                     */

/* The instruction before `pc` (an instruction start or the end of the
 * code), or BR_NO_INDEX; false if pc is neither. */
static bool
insn_before(const verifier_t *v, uint32_t pc, uint32_t *prev)
{
    uint32_t lo = 0, hi = v->insns + 1; /* pcs[insns] is the end */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->pcs[mid] <= pc)
            lo = mid;
        else
            hi = mid;
    }
    if (v->pcs[lo] != pc)
        return false;
    *prev = lo == 0 ? BR_NO_INDEX : v->pcs[lo - 1];
    return true;
}

/* Whether a value kind is of the GC hierarchy (anyref). */
static bool
any_kind(const br_valkind_t *k, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (k[i] == BR_ANYREF)
            return true;
    return false;
}

/*
 * Compiled-module files with garbage-collected types are refused: the
 * data flow checks kinds of values, not their concrete types, so it
 * could not keep a forged file from passing an i31 or a host value
 * where another module's code expects a struct of some type. A module
 * that declares no struct or array type and no value of the any
 * hierarchy (in types, globals, tables or locals) and whose code has no
 * GC instruction (ref.eq, ref.test on funcrefs, ...: the compiler notes
 * them) has nothing of the kind.
 */
bool
bri_module_has_gc(const br_module_t *m)
{
    bool gc = m->gc_code || any_kind(m->type_kinds, m->type_val_count);
    for (uint32_t i = 0; !gc && m->typedefs && i < m->type_count; i++)
        gc = m->typedefs[i].kind != BRI_COMP_FUNC;
    for (uint32_t i = 0; !gc && i < m->global_count; i++)
        gc = m->globals[i].kind == BR_ANYREF;
    for (uint32_t i = 0; !gc && i < m->table_count; i++)
        gc = m->tables[i].elem == BR_ANYREF;
    for (uint32_t i = 0; !gc && i < m->func_count; i++)
        for (uint32_t k = 0; !gc && k < m->funcs[i].local_count; k++)
            gc = bri_vt_kind(m->funcs[i].locals[k]) == BR_ANYREF;
    return gc;
}

br_err_t
bri_verify_no_gc(const br_module_t *m, br_error_t *error)
{
    if (!bri_module_has_gc(m))
        return BR_ERR_OK;
    return bri_error(error, BR_ERR_AOT_CORRUPT, 0, -1, "%s",
                     "garbage-collected types cannot be loaded from a "
                     "compiled module");
}

/*
 * The same walk as bri_code_verify over code the engine compiled (or
 * verified), to learn what a suspended frame at `pc` may hold: the
 * instruction before pc and, if asked, every slot's kind there by the
 * reference data flow. A pc that is no instruction start (nor the end),
 * or that no path reaches, is BR_ERR_NOT_FOUND.
 */
br_err_t
bri_code_point(const br_module_t *m, uint32_t index, uint32_t pc,
               const bri_opshape_t *shapes, bool kinds, bri_point_t *out,
               br_error_t *error)
{
    const bri_func_t *f = &m->funcs[index];
    const bri_allocator_t *a = &m->engine->alloc;
    uint32_t span_top = 0;
    verifier_t v = {.m = m,
                    .code = &f->code,
                    .type = &m->types[f->type],
                    .index = index,
                    .span_top = &span_top,
                    .error = error,
                    .shapes = shapes};
    memset(out, 0, sizeof *out);
    size_t words = f->code.word_count;
    v.starts = bri_calloc(a, words, 1);
    v.pcs = bri_alloc(a, (words + 1) * sizeof *v.pcs);
    br_err_t err = v.starts == NULL || v.pcs == NULL
                       ? bri_error(error, BR_ERR_OUT_OF_MEMORY, 0, index, "%s",
                                   "resume point")
                       : check_insns(&v);
    if (err == BR_ERR_OK && (pc > words || !insn_before(&v, pc, &out->prev)))
        err = BR_ERR_NOT_FOUND;
    if (err == BR_ERR_OK && kinds && pc < words) {
        out->count = bri_verify_flow_slots(&v);
        out->kinds = bri_alloc(a, out->count);
        bool hit = false;
        err = out->kinds == NULL ? BR_ERR_OUT_OF_MEMORY
                                 : bri_verify_flow_at(&v, pc, out->kinds, &hit);
        if (err == BR_ERR_OK && !hit)
            err = BR_ERR_NOT_FOUND;
    }
    if (err != BR_ERR_OK)
        bri_point_free(m, out);
    bri_free(a, v.pcs, (words + 1) * sizeof *v.pcs);
    bri_free(a, v.starts, words);
    return err;
}

void
bri_point_free(const br_module_t *m, bri_point_t *p)
{
    bri_free(&m->engine->alloc, p->kinds, p->count);
    p->kinds = NULL;
    p->count = 0;
}
