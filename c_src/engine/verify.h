/*
 * beamr engine: what the two passes of the compiled-code verifier share:
 * verify.c (layouts, operands, targets, handlers, sites: the structure)
 * and verify_flow.c (the reference data flow). Internal to them.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_VERIFY_H
#define BR_VERIFY_H

#include "aot.h"
#include "exec.h"

typedef struct bri_verifier {
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
} bri_verifier_t;

/* One instruction of the code being verified. */
typedef struct bri_vinsn {
    const uint32_t *w;
    uint32_t pc, len;
    br_op_t op;
} bri_vinsn_t;

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

/* A failure at pc (always returns BR_ERR_AOT_CORRUPT). */
static inline br_err_t
bri_verify_corrupt(const bri_verifier_t *v, uint32_t pc, const char *why)
{
    return bri_error(v->error, BR_ERR_AOT_CORRUPT, 0, (int64_t)v->index,
                     "function %u, pc %u: %s", (unsigned)v->index, (unsigned)pc,
                     why);
}

/* Each fused op's form, generated from the same rows as the ops (one
 * small copy per verifier file keeps the two passes free of calls into
 * each other). */
#define VF_RR(X, name, T, OUT, e) [BR_OP_##name##_rr] = F_RR,
#define VF_RI(X, name, T, OUT, e) [BR_OP_##name##_ri] = F_RI,
#define VF_R(X, name, T, OUT, e) [BR_OP_##name##_r] = F_R,
#define VF_BR(X, name, T, OUT, e)                                        \
    [BR_OP_br_##name##_rr] = F_BR_RR, [BR_OP_brn_##name##_rr] = F_BR_RR, \
    [BR_OP_br_##name##_ri] = F_BR_RI, [BR_OP_brn_##name##_ri] = F_BR_RI,
#define VF_LD(X, name, W, CT, OUT, e) [BR_OP_##name##_x] = F_LD,
#define VF_ST(X, name, W, CT) [BR_OP_##name##_x] = F_ST,
/* clang-format off */
static const uint8_t bri_verify_fused_form[BR_OP__COUNT] = {
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

/* A fused conditional branch's target and fuel words, or false. */
static inline bool
bri_verify_fused_target(const uint32_t *w, uint32_t *target, uint32_t *fuel)
{
    switch (bri_verify_fused_form[w[0]]) {
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

/* True for instructions after which execution never falls through. */
static inline bool
bri_verify_is_terminator(br_op_t op)
{
    switch (op) {
    case BR_OP_unreachable:
    case BR_OP_jump:
    case BR_OP_jump_back:
    case BR_OP_jump_table:
    case BR_OP_ret:
    case BR_OP_throw_:
    case BR_OP_rethrow:
    case BR_OP_throw_ref:
    case BR_OP_return_call:
    case BR_OP_return_call_indirect:
    case BR_OP_return_call_ref:
        return true;
    default:
        return false;
    }
}

/* The type of function f, or NULL if f is out of range. */
static inline const br_functype_t *
bri_verify_func_type(const br_module_t *m, uint32_t f)
{
    return f < m->func_count ? &m->types[m->funcs[f].type] : NULL;
}

/* verify_flow.c: pass 3, for functions that read a slot as a reference. */
br_err_t bri_verify_refs(const bri_verifier_t *v);
/* The slots the data flow tracks (the locals and every slot touched). */
uint32_t bri_verify_flow_slots(const bri_verifier_t *v);
/* The data flow to its fixpoint, copying the kinds at `pc` (flow_slots
 * bytes) to `kinds`; *hit is false if no path reaches pc. */
br_err_t bri_verify_flow_at(const bri_verifier_t *v, uint32_t pc,
                            uint8_t *kinds, bool *hit);

#endif
