/*
 * beamr engine: the function compiler's shared state: validation of a
 * body and emission of internal code (code.h) in one pass. Its files call
 * downwards only (no cross-file cycle; `nm` of the objects shows it):
 *   compile.c          entry points, the dispatch loop, plain handlers
 *   compile_fuse.c     register-style handlers (BRI_NOT_MINE: not theirs)
 *   compile_ctl.c      control flow, calls, exceptions
 *   compile_simd.c     SIMD ops with immediates
 *   compile_generic.c  immediates' readers, SIG-driven simple ops, memargs
 *   emit.c             buffers, the value and control stacks, words
 * and below them the instruction reader (reader.h) and the opcode table.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_COMPILE_H
#define BR_COMPILE_H

#include "code.h"
#include "compile_fuse.h"
#include "reader.h"

/* A value type on the validation stack; 0 is the spec's "Unknown" (the
 * polymorphic type of values popped in unreachable code). */
#define BRI_UNKNOWN ((bri_valtype_t)0)

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
    BRI_CTRL_TRY_TABLE, /* in a try_table body (a block with a handler) */
} bri_ctrl_kind_t;

/* A control frame of the spec's validation algorithm plus what emission
 * needs. Types point into the module or a static table, never into the
 * frame itself, so frames may move when the stack grows. */
typedef struct bri_ctrl {
    uint8_t kind;     /* bri_ctrl_kind_t */
    bool unreachable; /* the spec's flag: rest of frame is dead */
    bool dead;        /* opened in dead code: emit nothing */
    uint32_t nparams, nresults;
    const bri_valtype_t *params, *results;
    uint32_t param_slots, result_slots;
    uint32_t height;     /* value count at entry, below the params */
    uint32_t base;       /* operand slot height at entry (relative) */
    uint32_t patch;      /* chain of words to patch with the end pc */
    uint32_t else_patch; /* IF: the jump_unless target word */
    uint32_t loop_pc;    /* LOOP: back-edge target */
    uint32_t loop_insn;  /* LOOP: instruction count at entry */
    int32_t handler;     /* TRY, CATCH*, TRY_TABLE: handler index, -1
                          * if dead */
    uint32_t exn_depth;  /* TRY/CATCH*: its hidden slot index */
    uint32_t init_top;   /* locals set before the frame (c->inits) */
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
    const bri_functype_t *type;
    const uint8_t *body;
    uint32_t body_offset;
    bri_reader_t r;
    const uint8_t *insn; /* the current instruction (bri_insn_offset) */
    uint32_t insn_count; /* instructions read so far (loop fuel) */

    /* locals: slot of each local when a v128 shifts them (else NULL) */
    uint32_t local_count;
    uint32_t local_slots;
    uint32_t *local_slot; /* NULL or local_slot_buf */
    uint32_t *local_slot_buf;
    uint32_t local_slot_cap;
    /* stable storage of single block types (*) that name a type:
     * 2 * type_count entries, (ref null $t) then (ref $t) per type,
     * allocated at the first such block type */
    bri_valtype_t *ref_vts;
    /* locals of non-null reference types (no default value) must be
     * set before they are read, and a set lasts to the end of its
     * block: `unset` has a byte per local (1: not set yet), `inits` the
     * locals set since, innermost block last; only when such a local
     * exists (track_init) */
    bool track_init;
    bri_buf_t unset; /* uint8_t */
    bri_buf_t inits; /* uint32_t */

    /* validation state */
    bri_buf_t vals;  /* bri_valtype_t */
    bri_buf_t ctrls; /* bri_ctrl_t */
    uint32_t height; /* operand stack height in slots */
    uint32_t max_height;
    /* of the top control frame, kept by bri_ctrl_push/bri_ctrl_pop and
     * bri_set_unreachable (read on every instruction) */
    bool live;        /* reachable and not opened in dead code */
    uint32_t floor;   /* its `height`: values below belong to outer frames */
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
/* compile.c: entry points used by validate.c (and the dispatch loop)   */

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

/* The binary offset of the current instruction (kept as a pointer: the
 * offset is needed only for sites and errors). */
static inline uint32_t
bri_insn_offset(const bri_compiler_t *c)
{
    return c->body_offset + (uint32_t)(c->insn - c->body);
}

/* Records an error at the current instruction (detail is printf-style). */
#define BRI_FAIL(c, code, ...)                        \
    bri_error((c)->error, (code), bri_insn_offset(c), \
              (int64_t)(c)->func_index, __VA_ARGS__)

/* The slow paths of bri_push and bri_pop (growth, limits, errors, the
 * polymorphic stack of unreachable code). */
br_err_t bri_push_slow(bri_compiler_t *c, bri_valtype_t t);
br_err_t bri_pop_slow(bri_compiler_t *c, bri_valtype_t expect,
                      bri_valtype_t *out);

static inline br_err_t
bri_push(bri_compiler_t *c, bri_valtype_t t)
{
    uint32_t n = c->vals.count;
    if (BR_UNLIKELY(n >= c->vals.cap || n >= BRI_MAX_STACK))
        return bri_push_slow(c, t);
    ((bri_valtype_t *)c->vals.data)[n] = t;
    c->vals.count = n + 1;
    c->height += bri_vt_slots(t);
    if (c->height > c->max_height)
        c->max_height = c->height;
    return BR_ERR_OK;
}

/* Pops one value that must have type `expect` (BRI_UNKNOWN: any); the
 * actual type (maybe BRI_UNKNOWN) goes to *out if out is not NULL. */
static inline br_err_t
bri_pop(bri_compiler_t *c, bri_valtype_t expect, bri_valtype_t *out)
{
    uint32_t n = c->vals.count;
    bri_valtype_t actual = n > 0 ? ((bri_valtype_t *)c->vals.data)[n - 1] : 0;
    if (BR_UNLIKELY(n <= c->floor ||
                    (actual != expect && expect != BRI_UNKNOWN)))
        return bri_pop_slow(c, expect, out);
    c->vals.count = n - 1;
    c->height -= bri_vt_slots(actual);
    if (out)
        *out = actual;
    return BR_ERR_OK;
}

static inline br_err_t
bri_push_n(bri_compiler_t *c, const bri_valtype_t *t, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        br_err_t err = bri_push(c, t[i]);
        if (err != BR_ERR_OK)
            return err;
    }
    return BR_ERR_OK;
}

static inline br_err_t
bri_pop_n(bri_compiler_t *c, const bri_valtype_t *t, uint32_t n)
{
    for (uint32_t i = n; i > 0; i--) {
        br_err_t err = bri_pop(c, t[i - 1], NULL);
        if (err != BR_ERR_OK)
            return err;
    }
    return BR_ERR_OK;
}
/* Checks that the top of the stack matches `t` without popping. */
br_err_t bri_peek_n(bri_compiler_t *c, const bri_valtype_t *t, uint32_t n);
void bri_set_unreachable(bri_compiler_t *c);
static inline uint32_t
bri_slots_sum(const bri_valtype_t *t, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += bri_vt_slots(t[i]);
    return sum;
}
/* A value type byte as a pointer into a static one-type array (block
 * types need stable storage), or NULL if the byte is no value type. */
const bri_valtype_t *bri_valtype_ref(uint8_t byte);
/* Any value type as such a pointer (a concrete reference type's in
 * c->ref_vts); NULL when out of memory (the error is set). */
const bri_valtype_t *bri_valtype_stable(bri_compiler_t *c, bri_valtype_t t);

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
bri_live(const bri_compiler_t *c)
{
    return c->live;
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

/* Appends the words of one instruction through local pointers: stores
 * through the word array may alias the compiler's counters, so appending
 * with bri_word reloads them after every word. Room must have been
 * reserved (bri_emit_reserve); bri_out_end commits the words. */
typedef struct bri_out {
    uint32_t *w;   /* the instruction's first word */
    uint32_t *rel; /* its next relocation entry */
    uint32_t pc;   /* pc of w[0] */
    uint32_t n;    /* words written */
    uint32_t nrel; /* relocations written */
} bri_out_t;

static inline bri_out_t
bri_out_begin(bri_compiler_t *c)
{
    uint32_t pc = c->words.count;
    return (bri_out_t){.w = (uint32_t *)c->words.data + pc,
                       .rel = (uint32_t *)c->relocs.data + c->relocs.count,
                       .pc = pc};
}

static inline void
bri_out_word(bri_out_t *o, uint32_t w)
{
    o->w[o->n++] = w;
}

/* A frame slot word; `rel` marks an operand-stack slot, whose word gets
 * the hidden exception slots added at the end. The relocation entry is
 * written either way (there is room for one per word) and kept if rel. */
static inline void
bri_out_slot(bri_out_t *o, uint32_t w, bool rel)
{
    o->rel[o->nrel] = o->pc + o->n;
    o->nrel += rel;
    o->w[o->n++] = w;
}

static inline void
bri_out_end(bri_compiler_t *c, const bri_out_t *o)
{
    c->words.count = o->pc + o->n;
    c->relocs.count += o->nrel;
}

/* Appends an operand-stack slot (relative height) as a frame slot. */
void bri_slot_word(bri_compiler_t *c, uint32_t rel);
/* Records a trap/call/throw site for the instruction starting at pc. */
static inline void
bri_site(bri_compiler_t *c, uint32_t pc)
{
    bri_site_t *s = (bri_site_t *)c->sites.data + c->sites.count++;
    s->pc = pc;
    s->offset = bri_insn_offset(c);
}
/* Emits [op, s] (plus a site if `site`). */
br_err_t bri_emit_op_s(bri_compiler_t *c, br_op_t op, uint32_t s, bool site);
/* Appends a forward target word linked into *chain. */
void bri_patch_word(bri_compiler_t *c, uint32_t *chain);
/* Writes `target` into every word of a chain. */
static inline void
bri_patch_resolve(bri_compiler_t *c, uint32_t chain, uint32_t target)
{
    uint32_t *w = c->words.data;
    while (chain != BR_NO_INDEX) {
        uint32_t next = w[chain];
        w[chain] = target;
        chain = next;
    }
}

br_err_t bri_ctrl_push(bri_compiler_t *c, bri_ctrl_kind_t kind,
                       const bri_valtype_t *params, uint32_t nparams,
                       const bri_valtype_t *results, uint32_t nresults);
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
br_err_t bri_op_br_on_null(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_br_table(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_return(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_try(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_catch(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_delegate(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_throw(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_rethrow(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_try_table(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_throw_ref(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_call(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_call_indirect(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_call_ref(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_br_on_cast(bri_compiler_t *c, br_op_t op);
/* compile_gc.c: struct, array, i31, cast and conversion ops, ref.eq */
br_err_t bri_op_gc(bri_compiler_t *c, br_op_t op);

/* ------------------------------------------------------------------ */
/* compile_fuse.c: register-style emission (dispatch entry points)      */

/* Handlers of the ops compiled register-style (NULL: the generic handler
 * after bri_fuse_flush). A handler that finds the op is not its to
 * compile returns BRI_NOT_MINE (compile.c then flushes and runs the
 * generic handler) or BRI_NOT_MINE_KEEP (the generic handler runs with
 * the deferred operands kept: the op reads none of them); it never
 * calls back into the dispatcher. */
extern const bri_op_fn bri_fuse_ops[BR_OP__COUNT];
#define BRI_NOT_MINE ((br_err_t)-1)
#define BRI_NOT_MINE_KEEP ((br_err_t)-2)
/* Materialises every deferred operand and forgets the last instruction
 * (before a generic handler reads the operand stack). */
br_err_t bri_fuse_flush(bri_compiler_t *c);

/* ------------------------------------------------------------------ */
/* compile_generic.c: the layer below the instruction families          */

/* Immediates with the compiler's errors. */
br_err_t bri_rd_u32(bri_compiler_t *c, uint32_t *out);
br_err_t bri_rd_u8(bri_compiler_t *c, uint8_t *out);
br_err_t bri_rd_valtype(bri_compiler_t *c, bool heap, bri_valtype_t *out);
/* Completes an error the reader recorded (binary offset, function). */
br_err_t bri_rd_failed(bri_compiler_t *c);
/* Pops the params and pushes the results of the op's SIG ('a' is
 * `addr`); *s gets the slot of the first operand (or of the result). */
br_err_t bri_apply_sig(bri_compiler_t *c, br_op_t op, bri_valtype_t addr,
                       uint32_t *s);
/* The generic handlers: [op, s] simple ops, and loads and stores with
 * their memarg ([op, s, mem, off_lo, off_hi]). */
br_err_t bri_op_simple(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_memarg(bri_compiler_t *c, br_op_t op);

/* Whether the module may name memories other than 0 (multi-memory). */
static inline bool
bri_multi_memory(const bri_compiler_t *c)
{
    return bri_feature_on(c->m->engine, BR_FEATURE_MULTI_MEMORY);
}

/* The type of an address into a memory or table of this index type. */
static inline bri_valtype_t
bri_addr_type(bool is64)
{
    return is64 ? BR_I64 : BR_I32;
}

/* ------------------------------------------------------------------ */
/* compile_simd.c: SIMD ops with immediates (the others are simple ops) */

br_err_t bri_op_v128_const(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_shuffle(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_lane(bri_compiler_t *c, br_op_t op);
br_err_t bri_op_memarg_lane(bri_compiler_t *c, br_op_t op);

/* A decoded memarg: memory index (multi-memory), offset, and the
 * memory's address type (i32 or i64) for the address operand. */
typedef struct bri_memarg {
    uint32_t mem;
    uint64_t offset;
    bri_valtype_t addr;
} bri_memarg_t;
/* Reads and checks a memarg of an access whose natural alignment is
 * 2^natural (every load/store, scalar or vector, goes through it). */
br_err_t bri_rd_memarg_full(bri_compiler_t *c, uint32_t natural,
                            bri_memarg_t *out);

/* bri_rd_memarg_full with the common case inline: memory 0, a valid
 * alignment byte and a short offset (a byte <= natural has neither the
 * memory index flag nor an oversized exponent). */
static inline br_err_t
bri_rd_memarg(bri_compiler_t *c, uint32_t natural, bri_memarg_t *out)
{
    const uint8_t *p0 = c->r.p;
    uint32_t off;
    unsigned n;
    if (BR_LIKELY(c->r.end - p0 > (ptrdiff_t)BRI_LEB_FAST_BYTES &&
                  p0[0] <= natural && c->m->memory_count > 0 &&
                  (n = bri_leb_short(p0 + 1, &off)) != 0)) {
        c->r.p = p0 + 1 + n;
        *out = (bri_memarg_t){.mem = 0,
                              .offset = off,
                              .addr = c->m->memories[0].is64 ? BR_I64 : BR_I32};
        return BR_ERR_OK;
    }
    return bri_rd_memarg_full(c, natural, out);
}

/* memory.init, data.drop, array.new_data and array.init_data need the
 * data count section (the binary is malformed without it), then a valid
 * data index (inline: compile.c and compile_gc.c both ask). */
static inline br_err_t
bri_check_data(bri_compiler_t *c, uint32_t d)
{
    if (!c->m->has_data_count)
        return BRI_FAIL(c, BR_ERR_DATA_COUNT_REQUIRED, "%s", "");
    if (d >= c->m->data_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_DATA, "%u", (unsigned)d);
    return BR_ERR_OK;
}

#endif
