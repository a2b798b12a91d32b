/*
 * beamr engine: structural verification of compiled code loaded from a
 * file (serialize.c): layouts, slots, indices, jump targets, handlers,
 * sites, fuel on back-edges, and a data-flow check of reference slots.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "aot.h"
#include "exec.h"

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
 *  - a slot read as a reference (funcref, externref, the exception of a
 *    rethrow) holds one of that kind on every path (refs_check below),
 *    so no integer is ever used as a pointer.
 * A new opcode or layout needs a case here: unknown ones are refused.
 */

/* Frames above this many slots are refused (the compiler stays far
 * below: BRI_MAX_STACK per part). Keeps all slot sums in 32 bits. */
#define MAX_FRAME_SLOTS (1u << 28)

typedef struct verifier {
    const br_module_t *m;
    const bri_code_t *code;
    const br_functype_t *type;
    uint32_t index;
    uint32_t *span_top; /* the highest slot end span_ok accepted */
    br_error_t *error;
    const bri_opshape_t *shapes;
    uint8_t *starts; /* 1 at every instruction start */
    uint32_t *pcs;   /* the instruction starts in order, then word_count */
    uint32_t insns;
    bool reads_refs; /* some instruction reads a slot as a reference */
} verifier_t;

static br_err_t
corrupt(const verifier_t *v, uint32_t pc, const char *why)
{
    return bri_error(v->error, BR_ERR_AOT_CORRUPT, 0, (int64_t)v->index,
                     "function %u, pc %u: %s", (unsigned)v->index, (unsigned)pc,
                     why);
}

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

/*
 * The register-style and fused ops (fused_ops.h), by layout form; the
 * table is generated from the same rows as the ops themselves.
 */
enum {
    F_NONE,
    F_RR,    /* [op, dst, a, b] */
    F_RI,    /* [op, dst, a, imm] */
    F_R,     /* [op, dst, a] */
    F_BR_RR, /* [op, a, b, target, fuel] */
    F_BR_RI, /* [op, a, imm, target, fuel] */
    F_LD,    /* [op, dst, addr, mem, off_lo, off_hi] */
    F_ST,    /* [op, value, addr, mem, off_lo, off_hi] */
    F_JZ,    /* [op, a, target, fuel] */
};

#define VF_RR(X, name, T, OUT, e) [BR_OP_##name##_rr] = F_RR,
#define VF_RI(X, name, T, OUT, e) [BR_OP_##name##_ri] = F_RI,
#define VF_R(X, name, T, OUT, e) [BR_OP_##name##_r] = F_R,
#define VF_BR(X, name, T, OUT, e)                                        \
    [BR_OP_br_##name##_rr] = F_BR_RR, [BR_OP_brn_##name##_rr] = F_BR_RR, \
    [BR_OP_br_##name##_ri] = F_BR_RI, [BR_OP_brn_##name##_ri] = F_BR_RI,
#define VF_LD(X, name, W, CT, OUT, e) [BR_OP_##name##_x] = F_LD,
#define VF_ST(X, name, W, CT) [BR_OP_##name##_x] = F_ST,
/* clang-format off */
static const uint8_t fused_form[BR_OP__COUNT] = {
    BRI_FUSE_ICMP(VF_RR, _) BRI_FUSE_ICMP(VF_RI, _) BRI_FUSE_ICMP(VF_BR, _)
    BRI_FUSE_IARITH(VF_RR, _) BRI_FUSE_IARITH(VF_RI, _)
    BRI_FUSE_FBIN(VF_RR, _) BRI_FUSE_UN(VF_R, _)
    BRI_FUSE_LOAD(VF_LD, _) BRI_FUSE_STORE(VF_ST, _)
    [BR_OP_jz] = F_JZ, [BR_OP_jnz] = F_JZ,
};
/* clang-format on */
#undef VF_RR
#undef VF_RI
#undef VF_R
#undef VF_BR
#undef VF_LD
#undef VF_ST

static const uint8_t fused_len[] = {
    [F_RR] = 4,    [F_RI] = 4, [F_R] = 3,  [F_BR_RR] = 5,
    [F_BR_RI] = 5, [F_LD] = 6, [F_ST] = 6, [F_JZ] = 4,
};

/* A fused conditional branch's target and fuel words, or false. */
static bool
fused_target(const uint32_t *w, uint32_t *target, uint32_t *fuel)
{
    switch (fused_form[w[0]]) {
    case F_BR_RR:
    case F_BR_RI:
        *target = w[3];
        *fuel = w[4];
        return true;
    case F_JZ:
        *target = w[2];
        *fuel = w[3];
        return true;
    default:
        return false;
    }
}

/* Length in words of instructions of `op` (BRI_LEN_VAR: it depends on
 * the operands), or 0 if the compiler never emits it. */
static uint32_t
fixed_len(br_op_t op)
{
    const bri_opinfo_t *info = &bri_opinfo[op];
    if (info->sig[0] != '*') {
        switch (info->imm) {
        case BR_IMM_NONE:
            return 2; /* [op, s] */
        case BR_IMM_MEMIDX:
            return 3; /* [op, s, mem] */
        case BR_IMM_LANE:
            return 3; /* [op, s, lane] */
        case BR_IMM_MEMARG:
            return 5; /* [op, s, mem, off_lo, off_hi] */
        case BR_IMM_MEMARG_LANE:
            return 6; /* ... lane */
        case BR_IMM_V128:
        case BR_IMM_SHUFFLE:
            return 6; /* [op, s, 16 bytes] */
        default:
            return 0;
        }
    }
    if (fused_form[op] != F_NONE)
        return fused_len[fused_form[op]];
    switch (op) {
    case BR_OP_unreachable:
        return 1;
    case BR_OP_ref_null:
    case BR_OP_ref_is_null:
    case BR_OP_select:
    case BR_OP_select_t:
    case BR_OP_rethrow:
    case BR_OP_data_drop:
    case BR_OP_elem_drop:
    case BR_OP_jump:
        return 2;
    case BR_OP_call:
    case BR_OP_return_call:
    case BR_OP_throw_:
    case BR_OP_local_get:
    case BR_OP_local_set:
    case BR_OP_local_tee:
    case BR_OP_global_get:
    case BR_OP_global_set:
    case BR_OP_table_get:
    case BR_OP_table_set:
    case BR_OP_table_size:
    case BR_OP_table_grow:
    case BR_OP_table_fill:
    case BR_OP_memory_fill:
    case BR_OP_i32_const:
    case BR_OP_f32_const:
    case BR_OP_ref_func:
    case BR_OP_jump_back:
    case BR_OP_jump_if:
    case BR_OP_jump_unless:
    case BR_OP_ret:
        return 3;
    case BR_OP_call_indirect:
    case BR_OP_return_call_indirect:
    case BR_OP_table_copy:
    case BR_OP_table_init:
    case BR_OP_memory_copy:
    case BR_OP_memory_init:
    case BR_OP_i64_const:
    case BR_OP_f64_const:
    case BR_OP_move:
    case BR_OP_jump_if_back:
        return 4;
    case BR_OP_jump_table:
        return BRI_LEN_VAR;
    default:
        return 0; /* block, end, br...: never emitted (code.h) */
    }
}

/* Lanes of a lane op from its name: "i16x8_..." has 8, and a lane load
 * or store "v128_load32_lane" of 32-bit lanes has 4 (0: no lane op). */
static uint8_t
lanes_of(const bri_opinfo_t *info)
{
    const char *p = info->name;
    if (info->imm == BR_IMM_MEMARG_LANE) {
        p = strstr(p, "load") ? strstr(p, "load") + 4 : strstr(p, "store") + 5;
    } else if (info->imm == BR_IMM_LANE) {
        p++; /* the i or f of the shape */
    } else {
        return 0;
    }
    unsigned bits = 0;
    while (*p >= '0' && *p <= '9')
        bits = bits * 10 + (unsigned)(*p++ - '0');
    return bits == 8 || bits == 16 || bits == 32 || bits == 64
               ? (uint8_t)(128 / bits)
               : 0;
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
        sh->lanes = lanes_of(&bri_opinfo[op]);
        if ((bri_opinfo[op].imm == BR_IMM_LANE ||
             bri_opinfo[op].imm == BR_IMM_MEMARG_LANE) &&
            sh->lanes == 0)
            sh->len = 0; /* a lane op whose shape the name does not tell */
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

/* True for instructions after which execution never falls through. */
static bool
is_terminator(br_op_t op)
{
    switch (op) {
    case BR_OP_unreachable:
    case BR_OP_jump:
    case BR_OP_jump_back:
    case BR_OP_jump_table:
    case BR_OP_ret:
    case BR_OP_throw_:
    case BR_OP_rethrow:
    case BR_OP_return_call:
    case BR_OP_return_call_indirect:
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------ */
/* Operand checks (pass 1)                                             */

typedef struct insn {
    const uint32_t *w;
    uint32_t pc, len;
    br_op_t op;
} insn_t;

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

static const br_functype_t *
func_type(const br_module_t *m, uint32_t f)
{
    return f < m->func_count ? &m->types[m->funcs[f].type] : NULL;
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
    if (w[3] >= m->table_count || !span_ok(v, w[1], 3))
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
    if (w[3] >= m->memory_count || !span_ok(v, w[1], 3))
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
    return span_ok(v, w[1], max_u32(sh->params, sh->results));
}

/* Fused ops: every operand word but immediates and targets is a slot
 * (all scalars: one slot each). */
static bool
fused_ok(const verifier_t *v, const insn_t *in)
{
    const uint32_t *w = in->w;
    switch (fused_form[in->op]) {
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

/* Operands of every instruction but the targets (checked in pass 2). */
static bool
operands_ok(const verifier_t *v, const insn_t *in)
{
    const br_module_t *m = v->m;
    const uint32_t *w = in->w;
    if (bri_opinfo[in->op].sig[0] != '*')
        return sig_op_ok(v, in);
    if (fused_form[in->op] != F_NONE)
        return fused_ok(v, in);
    switch (in->op) {
    case BR_OP_unreachable:
    case BR_OP_jump:
        return true;
    case BR_OP_jump_back:
        return w[2] != 0;
    case BR_OP_jump_if_back:
        return span_ok(v, w[1], 1) && w[3] != 0;
    case BR_OP_jump_if:
    case BR_OP_jump_unless:
    case BR_OP_ref_null:
    case BR_OP_ref_is_null:
    case BR_OP_i32_const:
    case BR_OP_f32_const:
    case BR_OP_i64_const:
    case BR_OP_f64_const:
        return span_ok(v, w[1], 1);
    case BR_OP_select:
    case BR_OP_select_t:
        return span_ok(v, w[1], 3);
    case BR_OP_move:
        return span_ok(v, w[1], w[3]) && span_ok(v, w[2], w[3]);
    case BR_OP_jump_table:
        return jump_table_ok(v, w);
    case BR_OP_ret:
        return w[2] == v->code->result_slots && span_ok(v, w[1], w[2]);
    case BR_OP_call:
    case BR_OP_return_call:
        return call_ok(v, w[1], func_type(m, w[2]), false,
                       in->op == BR_OP_return_call);
    case BR_OP_call_indirect:
    case BR_OP_return_call_indirect:
        return indirect_ok(v, w, in->op == BR_OP_return_call_indirect);
    case BR_OP_throw_:
        return w[2] < m->tag_count &&
               span_ok(v, w[1], bri_param_slots(&m->types[m->tags[w[2]]]));
    case BR_OP_rethrow:
        return span_ok(v, w[1], 1);
    case BR_OP_local_get:
    case BR_OP_local_set:
    case BR_OP_local_tee:
        return span_ok(v, w[1], 1) && w[2] < v->code->local_slots;
    case BR_OP_global_get:
    case BR_OP_global_set:
        return global_ok(v, w, in->op == BR_OP_global_set);
    case BR_OP_ref_func:
        return span_ok(v, w[1], 1) && w[2] < m->func_count;
    case BR_OP_table_get:
    case BR_OP_table_size:
        return w[2] < m->table_count && span_ok(v, w[1], 1);
    case BR_OP_table_set:
    case BR_OP_table_grow:
        return w[2] < m->table_count && span_ok(v, w[1], 2);
    case BR_OP_table_fill:
        return w[2] < m->table_count && span_ok(v, w[1], 3);
    case BR_OP_table_copy:
    case BR_OP_table_init:
        return tables_ok(v, w);
    case BR_OP_elem_drop:
        return w[1] < m->elem_count;
    case BR_OP_memory_fill:
        return w[2] < m->memory_count && span_ok(v, w[1], 3);
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
        if (t[i] == BR_FUNCREF || t[i] == BR_EXTERNREF)
            return true;
    return false;
}

/*
 * Whether an instruction (operands already checked) reads a slot as a
 * reference: exactly the reads refs_check checks (got_types with a
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
        return true;
    case BR_OP_global_set:
        return has_ref(&m->globals[w[2]].kind, 1);
    case BR_OP_call:
    case BR_OP_return_call:
        t = func_type(m, w[2]);
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
            return corrupt(v, pc, "bad opcode or truncated instruction");
        in.op = (br_op_t)in.w[0];
        if (!operands_ok(v, &in))
            return corrupt(v, pc, "operand out of range");
        if (!v->reads_refs && !v->shapes[in.op].kind)
            v->reads_refs = reads_ref(v, &in);
        v->starts[pc] = 1;
        v->pcs[v->insns++] = pc;
        last = in.op;
        pc += in.len;
    }
    v->pcs[v->insns] = c->word_count;
    if (c->word_count == 0 || !is_terminator(last))
        return corrupt(v, c->word_count, "code runs off its end");
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
    if (fused_target(w, &target, &fuel))
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
 * exn_slot; they follow the try body, so exception edges go forward. */
static br_err_t
check_handler(const verifier_t *v, uint32_t i)
{
    const bri_code_t *c = v->code;
    const bri_handler_t *h = &c->handlers[i];
    if (h->start > h->end || h->end > c->word_count ||
        (h->start < c->word_count && !v->starts[h->start]) ||
        (h->end < c->word_count && !v->starts[h->end]) ||
        (i > 0 && h->start < c->handlers[i - 1].start))
        return corrupt(v, h->start, "bad handler range");
    if (h->parent < -1 || h->parent >= (int32_t)i || h->delegate_to < -1 ||
        h->delegate_to >= (int32_t)i || h->kind > BRI_HANDLER_DELEGATE ||
        (h->kind == BRI_HANDLER_DELEGATE && h->catch_count != 0) ||
        !span_ok(v, h->exn_slot, 1) || !span_ok(v, h->height, 0))
        return corrupt(v, h->start, "bad handler");
    for (uint32_t k = 0; k < h->catch_count; k++) {
        const bri_catch_t *ct = &h->catches[k];
        uint32_t payload = 0;
        if (ct->tag != BR_NO_INDEX) {
            if (ct->tag >= v->m->tag_count)
                return corrupt(v, ct->pc, "unknown catch tag");
            payload = bri_param_slots(&v->m->types[v->m->tags[ct->tag]]);
        }
        if (!is_start(v, ct->pc) || ct->pc < h->end ||
            !span_ok(v, h->height, payload))
            return corrupt(v, ct->pc, "bad catch");
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
            return corrupt(v, c->sites[i].pc, "bad site");
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
            return corrupt(v, pc, "bad jump target");
    }
    for (uint32_t i = 0; i < c->handler_count; i++) {
        br_err_t err = check_handler(v, i);
        if (err != BR_ERR_OK)
            return err;
    }
    return check_sites(v);
}

/* ------------------------------------------------------------------ */
/* Reference slots (pass 3): a forward data flow over slot kinds       */

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
    K_EXN = BRI_SLOT_EXN,  /* a caught exception (hidden slots) */
    K_BAD = BRI_SLOT_DEAD, /* anything, e.g. a callee's leftovers */
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
    uint32_t probe;   /* bri_code_point: the pc whose kinds it wants */
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
    return k == BR_FUNCREF ? K_FUNC : k == BR_EXTERNREF ? K_EXTERN : K_NUM;
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
            if (ct->tag != BR_NO_INDEX) {
                const br_functype_t *t = &m->types[m->tags[ct->tag]];
                put_types(f->edge, hd->height, t->params, t->param_count);
            }
            f->edge[hd->exn_slot] = K_EXN;
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
    if (fused_target(w, &target, &fuel)) {
        flow_to(f, in->pc, target, st);
        return true;
    }
    if (fused_form[in->op] != F_NONE) {
        if (fused_form[in->op] != F_ST)
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
        return flow_call(f, in, func_type(m, w[2]),
                         in->op == BR_OP_return_call);
    case BR_OP_call_indirect:
    case BR_OP_return_call_indirect:
        return flow_call(f, in, &m->types[w[2]],
                         in->op == BR_OP_return_call_indirect);
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
            return corrupt(f->v, pc, "slot read with the wrong kind");
        f->live = f->live && !is_terminator(in.op);
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
        if (fused_target(w, &target, &fuel))
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
    return corrupt(f->v, 0, "reference check does not settle");
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

static br_err_t
refs_check(const verifier_t *v)
{
    return flow_check(v, BR_NO_INDEX, NULL, NULL);
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
        locals += bri_slots_of(f->locals[i]);
    if (c->param_slots != bri_param_slots(v->type) ||
        c->result_slots != bri_result_slots(v->type) ||
        c->local_slots != locals || c->frame_slots < c->local_slots ||
        c->frame_slots > MAX_FRAME_SLOTS)
        return corrupt(v, 0, "frame does not fit the function's type");
    if ((c->handler_count != 0 && c->handlers == NULL) ||
        (c->site_count != 0 && c->sites == NULL) || c->words == NULL)
        return corrupt(v, 0, "missing code");
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
        err = refs_check(&v);
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
        out->count = flow_slots(&v);
        out->kinds = bri_alloc(a, out->count);
        bool hit = false;
        err = out->kinds == NULL ? BR_ERR_OUT_OF_MEMORY
                                 : flow_check(&v, pc, out->kinds, &hit);
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
