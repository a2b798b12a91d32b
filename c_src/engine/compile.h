/*
 * beamr engine: the function compiler's shared state (compile.c,
 * compile_ctl.c, emit.c): validation of a body and emission of internal
 * code (code.h) in one pass.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_COMPILE_H
#define BR_COMPILE_H

#include "code.h"
#include "compile_fuse.h"
#include "reader.h"

/* The misc prefix byte of the binary format (opcodes.h PREFIX 0xFC) and
 * the SIMD prefix (0xFD). */
#define BRI_PREFIX_MISC 0xFCu
#define BRI_PREFIX_SIMD 0xFDu

/* A value type on the validation stack; 0 is the spec's "Unknown" (the
 * polymorphic type of values popped in unreachable code). */
#define BRI_UNKNOWN ((br_valkind_t)0)

/* A value stack deeper than this is refused (keeps slot arithmetic far
 * from 32-bit overflow). */
#define BRI_MAX_STACK (1u << 26)

typedef enum bri_ctrl_kind {
    BRI_CTRL_FUNC,
    BRI_CTRL_BLOCK,
    BRI_CTRL_LOOP,
    BRI_CTRL_IF,
    BRI_CTRL_ELSE,
    BRI_CTRL_TRY,       /* in the try body */
    BRI_CTRL_CATCH,     /* in a `catch x` clause */
    BRI_CTRL_CATCH_ALL, /* in the `catch_all` clause */
} bri_ctrl_kind_t;

/* A control frame of the spec's validation algorithm plus what emission
 * needs. Types point into the module or a static table, never into the
 * frame itself, so frames may move when the stack grows. */
typedef struct bri_ctrl {
    uint8_t kind;     /* bri_ctrl_kind_t */
    bool unreachable; /* the spec's flag: rest of frame is dead */
    bool dead;        /* opened in dead code: emit nothing */
    uint32_t nparams, nresults;
    const br_valkind_t *params, *results;
    uint32_t param_slots, result_slots;
    uint32_t height;     /* value count at entry, below the params */
    uint32_t base;       /* operand slot height at entry (relative) */
    uint32_t patch;      /* chain of words to patch with the end pc */
    uint32_t else_patch; /* IF: the jump_unless target word */
    uint32_t loop_pc;    /* LOOP: back-edge target */
    uint32_t loop_insn;  /* LOOP: instruction count at entry */
    int32_t handler;     /* TRY/CATCH*: handler index, -1 if dead */
    uint32_t exn_depth;  /* TRY/CATCH*: its hidden slot index */
} bri_ctrl_t;

/* A growable array through the host allocator. */
typedef struct bri_buf {
    void *data;
    uint32_t count, cap; /* in elements */
} bri_buf_t;

struct bri_compiler {
    br_module_t *m;
    const bri_allocator_t *alloc;
    br_error_t *error;

    /* the function being compiled */
    uint32_t func_index;
    const bri_func_t *func;
    const br_functype_t *type;
    const uint8_t *body;
    uint32_t body_offset;
    bri_reader_t r;
    uint32_t insn_offset; /* binary offset of the current instruction */
    uint32_t insn_count;  /* instructions read so far (loop fuel) */

    /* locals: slot of each local when a v128 shifts them (else NULL) */
    uint32_t local_count;
    uint32_t local_slots;
    uint32_t *local_slot; /* NULL or local_slot_buf */
    uint32_t *local_slot_buf;
    uint32_t local_slot_cap;

    /* validation state */
    bri_buf_t vals;  /* br_valkind_t */
    bri_buf_t ctrls; /* bri_ctrl_t */
    uint32_t height; /* operand stack height in slots */
    uint32_t max_height;
    uint32_t max_try; /* hidden exception slots needed */

    /* output */
    bri_buf_t words;    /* uint32_t */
    bri_buf_t relocs;   /* uint32_t: words holding operand slots */
    bri_buf_t sites;    /* bri_site_t */
    bri_buf_t handlers; /* bri_handler_t (catches owned) */

    /* register-style emission state (compile_fuse.c) */
    bri_fuse_t fuse;
};

/* ------------------------------------------------------------------ */
/* compile.c: entry points used by validate.c                           */

void bri_compiler_init(bri_compiler_t *c, br_module_t *m, br_error_t *error);
/* Validates funcs[func_index] and fills its `code`. On failure the
 * function's code stays empty and nothing is leaked. */
br_err_t bri_compile_func(bri_compiler_t *c, uint32_t func_index);
void bri_compiler_free(bri_compiler_t *c);
/* Frees what bri_compile_func put in a bri_code_t (module.c uses it). */
void bri_code_free(const bri_allocator_t *a, bri_code_t *code);

/* ------------------------------------------------------------------ */
/* emit.c: buffers, the value and control stacks, words and patches     */

br_err_t bri_buf_reserve(bri_compiler_t *c, bri_buf_t *b, size_t elem,
                         uint32_t more);
void bri_buf_free(bri_compiler_t *c, bri_buf_t *b, size_t elem);

/* Records an error at the current instruction (detail is printf-style). */
#define BRI_FAIL(c, code, ...)                                                \
    bri_error((c)->error, (code), (c)->insn_offset, (int64_t)(c)->func_index, \
              __VA_ARGS__)

br_err_t bri_push(bri_compiler_t *c, br_valkind_t t);
br_err_t bri_push_n(bri_compiler_t *c, const br_valkind_t *t, uint32_t n);
/* Pops one value that must have type `expect` (BRI_UNKNOWN: any); the
 * actual type (maybe BRI_UNKNOWN) goes to *out if out is not NULL. */
br_err_t bri_pop(bri_compiler_t *c, br_valkind_t expect, br_valkind_t *out);
br_err_t bri_pop_n(bri_compiler_t *c, const br_valkind_t *t, uint32_t n);
/* Checks that the top of the stack matches `t` without popping. */
br_err_t bri_peek_n(bri_compiler_t *c, const br_valkind_t *t, uint32_t n);
void bri_set_unreachable(bri_compiler_t *c);
uint32_t bri_slots_sum(const br_valkind_t *t, uint32_t n);
/* A value type byte as a pointer into a static one-type array (block
 * types need stable storage), or NULL if the byte is no value type. */
const br_valkind_t *bri_valtype_ref(uint8_t byte);

static inline bri_ctrl_t *
bri_ctrl_top(bri_compiler_t *c)
{
    return (bri_ctrl_t *)c->ctrls.data + c->ctrls.count - 1;
}

static inline bri_ctrl_t *
bri_ctrl_at(bri_compiler_t *c, uint32_t depth)
{
    return (bri_ctrl_t *)c->ctrls.data + c->ctrls.count - 1 - depth;
}

/* True while emitted code is reachable (else emission is skipped). */
static inline bool
bri_live(bri_compiler_t *c)
{
    const bri_ctrl_t *f = bri_ctrl_top(c);
    return !f->unreachable && !f->dead;
}

static inline uint32_t
bri_pc(const bri_compiler_t *c)
{
    return c->words.count;
}

/* Reserves room for an instruction of up to n words (and its slot
 * relocations and site), so the appends that follow cannot fail. */
br_err_t bri_emit_grow(bri_compiler_t *c, uint32_t n);

static inline br_err_t
bri_emit_reserve(bri_compiler_t *c, uint32_t n)
{
    if (BR_LIKELY(c->words.cap - c->words.count >= n &&
                  c->relocs.cap - c->relocs.count >= n &&
                  c->sites.cap > c->sites.count))
        return BR_ERR_OK;
    return bri_emit_grow(c, n);
}

/* Appends a word; room must have been reserved. */
static inline void
bri_word(bri_compiler_t *c, uint32_t w)
{
    ((uint32_t *)c->words.data)[c->words.count++] = w;
}

/* Appends an operand-stack slot (relative height) as a frame slot. */
void bri_slot_word(bri_compiler_t *c, uint32_t rel);
/* Records a trap/call/throw site for the instruction starting at pc. */
void bri_site(bri_compiler_t *c, uint32_t pc);
/* Emits [op, s] (plus a site if `site`). */
br_err_t bri_emit_op_s(bri_compiler_t *c, br_op_t op, uint32_t s, bool site);
/* Appends a forward target word linked into *chain. */
void bri_patch_word(bri_compiler_t *c, uint32_t *chain);
/* Writes `target` into every word of a chain. */
void bri_patch_resolve(bri_compiler_t *c, uint32_t chain, uint32_t target);

br_err_t bri_ctrl_push(bri_compiler_t *c, bri_ctrl_kind_t kind,
                       const br_valkind_t *params, uint32_t nparams,
                       const br_valkind_t *results, uint32_t nresults);
/* The spec's pop_ctrl: checks the results and the height, then pops the
 * frame into *out (which the caller may inspect). */
br_err_t bri_ctrl_pop(bri_compiler_t *c, bri_ctrl_t *out);

/* ------------------------------------------------------------------ */
/* compile_ctl.c: control instructions, calls and exceptions            */

typedef br_err_t (*bri_op_fn)(bri_compiler_t *c, br_op_t op);

br_err_t bri_op_block(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_if(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_else(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_end(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_br(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_br_if(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_br_table(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_return(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_try(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_catch(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_delegate(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_throw(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_rethrow(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_call(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_call_indirect(bri_compiler_t *c, br_op_t op);

/* compile.c: immediates shared with compile_ctl.c */
br_err_t bri_rd_u32(bri_compiler_t *c, uint32_t *out);
br_err_t bri_rd_u8(bri_compiler_t *c, uint8_t *out);
/* Completes an error the reader recorded (binary offset, function). */
br_err_t bri_rd_failed(bri_compiler_t *c);
/* compile.c: a load/store with its memarg ([op, s, mem, off_lo, off_hi])
 * and a simple op's SIG applied (*s: its first operand slot). */
br_err_t bri_op_memarg(bri_compiler_t *c, br_op_t op);
br_err_t bri_apply_sig(bri_compiler_t *c, br_op_t op, uint32_t *s);

/* ------------------------------------------------------------------ */
/* compile_simd.c: SIMD ops with immediates (the others are simple ops) */

br_err_t bri_op_v128_const(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_shuffle(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_lane(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_memarg_lane(bri_compiler_t *c, br_op_t op);
/* log2 of the bytes a SIMD load/store accesses (its maximum alignment). */
uint32_t bri_simd_natural_align(br_op_t op);

/* A decoded memarg: memory index (multi-memory), offset, and the
 * memory's address type (i32 or i64) for the address operand. */
typedef struct bri_memarg {
    uint32_t mem;
    uint64_t offset;
    br_valkind_t addr;
} bri_memarg_t;
/* Reads and checks a memarg of an access whose natural alignment is
 * 2^natural (every load/store, scalar or vector, goes through it). */
br_err_t bri_rd_memarg(bri_compiler_t *c, uint32_t natural, bri_memarg_t *out);

#endif
