/*
 * beamr engine: the compiler state of register-style emission
 * (compile_fuse.c): deferred operands and the last fusable instruction.
 * Included by compile.h (which embeds a bri_fuse_t in the compiler).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_COMPILE_FUSE_H
#define BR_COMPILE_FUSE_H

#include "code.h"

/* Deferred operands kept at once; more are materialised oldest first. */
#define BRI_FUSE_PENDING 16

/* An operand-stack value that is not in its slot yet: "local X" (its
 * frame slot) or a constant, materialised only when something needs the
 * slot itself. */
typedef struct bri_fuse_pend {
    uint32_t rel;   /* operand slot (relative height) */
    uint8_t kind;   /* BRI_FUSE_LOCAL or BRI_FUSE_CONST */
    uint8_t type;   /* a scalar type (i32, i64, f32, f64: one byte) */
    uint64_t value; /* local's frame slot, or the constant's bits */
} bri_fuse_pend_t;

enum { BRI_FUSE_LOCAL = 1, BRI_FUSE_CONST = 2 };

/* Forms of the last instruction (what a following branch or local.set
 * may rewrite). */
enum {
    BRI_FUSE_NONE = 0,
    BRI_FUSE_COPY, /* [local_get, dst, local] from materialisation */
    BRI_FUSE_BIN,  /* [op_rr, dst, a, b] or [op_ri, dst, a, imm] */
    BRI_FUSE_UN,   /* [op_r, dst, a] */
};

typedef struct bri_fuse_last {
    uint8_t form;
    bool b_imm;          /* BIN: b is an immediate */
    bool a_rel, b_rel;   /* operand words that need relocation */
    uint16_t wasm_op;    /* br_op_t of the wasm instruction */
    uint32_t start, end; /* its words; end == words.count while last */
    uint32_t dst;        /* dst word value (local_slots + rel) */
    uint32_t a, b;       /* operand word values */
} bri_fuse_last_t;

typedef struct bri_fuse {
    bri_fuse_pend_t pend[BRI_FUSE_PENDING];
    uint32_t npend;
    bri_fuse_last_t last;
} bri_fuse_t;

/* compile_fuse.c: the state at the start of a function. Its handlers
 * (compile.h: bri_fuse_ops) compile the ops they list, and leave to the
 * dispatcher's generic handler (BRI_NOT_MINE) those they cannot. */
void bri_fuse_reset(bri_compiler_t *c);

#endif
