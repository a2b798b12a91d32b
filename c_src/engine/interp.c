/*
 * beamr engine: the interpreter's dispatch loop over compiled code
 * (code.h): one handler per opcode, switch or computed-goto dispatch.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "exec.h"
#include "exec_gc.h"
#include "gc/gc.h"
#include "store.h"
#include "numeric.h"
#include "numeric_simd.h"
#include "numeric_relaxed.h"
#include "numeric_wide.h"

/* The only in-body toggle: how the loop jumps to the next handler. */
#ifndef BR_USE_COMPUTED_GOTO
#if defined(__GNUC__)
#define BR_USE_COMPUTED_GOTO 1
#else
#define BR_USE_COMPUTED_GOTO 0
#endif
#endif

/* Hooks of the native tier: native/interp_native.c compiles this loop
 * a second time with them defined; here they are empty, so the
 * interpreter tier pays nothing for the native one. */
#ifndef BRI_NATIVE_HOOKS
#define BRI_INTERP_RUN bri_interp_run
#define BRI_NATIVE_LOCALS
#define BRI_NATIVE_FRAME() ((void)0)
#define BRI_NATIVE_NEXT() ((void)0)
#define BRI_NATIVE_REFUEL() ((void)0)
#endif

/* ------------------------------------------------------------------ */
/* Slot access: i32/f32 live zero-extended in the low half (code.h).   */

typedef uint32_t ty_i32;
typedef uint64_t ty_i64;
typedef float ty_f32;
typedef double ty_f64;

static inline uint32_t
rd_i32(const br_slot_t *s)
{
    return (uint32_t)s->u64;
}

static inline uint64_t
rd_i64(const br_slot_t *s)
{
    return s->u64;
}

static inline float
rd_f32(const br_slot_t *s)
{
    return bri_f32_of((uint32_t)s->u64);
}

static inline double
rd_f64(const br_slot_t *s)
{
    return bri_f64_of(s->u64);
}

static inline void
wr_i32(br_slot_t *s, uint32_t v)
{
    s->u64 = v;
}

static inline void
wr_i64(br_slot_t *s, uint64_t v)
{
    s->u64 = v;
}

static inline void
wr_f32(br_slot_t *s, float v)
{
    s->u64 = bri_f32_bits(v);
}

static inline void
wr_f64(br_slot_t *s, double v)
{
    s->u64 = bri_f64_bits(v);
}

static inline void
wr_ref(br_slot_t *s, br_ref_t r)
{
    s->u64 = 0; /* the whole slot is defined even with 4-byte pointers */
    s->ref = r;
}

static inline uint64_t
imm64(const uint32_t *p)
{
    return p[0] | (uint64_t)p[1] << 32;
}

/* ------------------------------------------------------------------ */
/* Memory access                                                       */

/*
 * The effective address of a load/store [op, s, mem, off_lo, off_hi] of
 * `width` bytes, or NULL if any byte is out of bounds. The address slot
 * is read as u64 for both memory types; the sum cannot wrap unnoticed,
 * so a memory64 offset near 2^64 traps. Memory 0 comes from the cached
 * base/size, others from the instance.
 */
static inline uint8_t *
mem_at(const uint32_t *pc, const br_slot_t *S, uint8_t *mb, uint64_t ms,
       const br_instance_t *inst, uint64_t width)
{
    if (BR_UNLIKELY(pc[2] != 0)) {
        const br_memory_t *m = inst->memories[pc[2]];
        mb = m->data;
        ms = m->size;
    }
    uint64_t addr = S[pc[1]].u64;
    uint64_t ea = addr + imm64(pc + 3);
    if (BR_UNLIKELY(ea < addr || ea > ms || ms - ea < width))
        return NULL;
    return mb + ea;
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

/*
 * call_indirect's callee: element `index` of the table, checked for
 * bounds, null and type (pointer equality first: same-module types are
 * usually the same object; then a subtype, exec_gc.c). NULL with *trap set when it traps.
 */
static inline br_func_t *
indirect_callee(const br_instance_t *inst, const uint32_t *pc,
                const br_slot_t *S, br_trapkind_t *trap)
{
    const br_table_t *t = inst->tables[pc[3]];
    const br_functype_t *ft = &inst->module->types[pc[2]];
    uint64_t i = S[pc[1] + bri_param_slots(ft)].u64;
    if (BR_UNLIKELY(i >= t->size)) {
        *trap = BR_TRAP_UNDEFINED_ELEMENT;
        return NULL;
    }
    br_func_t *f = t->elems[i];
    if (BR_UNLIKELY(f == NULL)) {
        *trap = BR_TRAP_UNINITIALIZED_ELEMENT;
        return NULL;
    }
    if (BR_UNLIKELY(f->type != ft && !bri_gc_func_matches(inst, f, pc[2]))) {
        *trap = BR_TRAP_INDIRECT_TYPE_MISMATCH;
        return NULL;
    }
    return f;
}

/*
 * call_ref's callee: the reference after the args. Validation typed it;
 * the type is checked again (pointer equality first) because compiled
 * module files only prove that the slot holds a function reference.
 */
static inline br_func_t *
ref_callee(const br_instance_t *inst, const uint32_t *pc, const br_slot_t *S,
           br_trapkind_t *trap)
{
    const br_functype_t *ft = &inst->module->types[pc[2]];
    br_func_t *f = S[pc[1] + bri_param_slots(ft)].ref;
    if (BR_UNLIKELY(f == NULL)) {
        *trap = BR_TRAP_NULL_FUNC_REFERENCE;
        return NULL;
    }
    if (BR_UNLIKELY(f->type != ft && !bri_gc_func_matches(inst, f, pc[2]))) {
        *trap = BR_TRAP_INDIRECT_TYPE_MISMATCH;
        return NULL;
    }
    return f;
}

/*
 * return_call into wasm: the callee replaces the top frame. Its args
 * move from `s` to slot 0; the frame must fit its larger or smaller
 * slot count. False after recording the growth failure's kind.
 */
static bool
tail_enter(br_exec_t *exec, br_func_t *f, uint32_t s)
{
    bri_frame_t *fr = &exec->frames[exec->frame_count - 1];
    const bri_code_t *code = f->code;
    uint64_t top = (uint64_t)fr->base + code->frame_slots;
    if (top > exec->stack_cap) {
        exec->frame_count--; /* a tail call needs no new frame entry */
        bool ok = bri_runtime_grow(exec, top);
        exec->frame_count++;
        if (!ok)
            return false;
        fr = &exec->frames[exec->frame_count - 1];
    }
    br_slot_t *S = exec->stack + fr->base;
    memmove(S, S + s, (size_t)code->param_slots * sizeof(br_slot_t));
    if (code->local_slots > code->param_slots)
        memset(S + code->param_slots, 0,
               (size_t)(code->local_slots - code->param_slots) *
                   sizeof(br_slot_t));
    if (f->inst != fr->inst)
        fr->mem0 = bri_runtime_mem0(exec, f->inst);
    fr->inst = f->inst;
    fr->func = f;
    fr->code = code;
    fr->pc = code->words;
    return true;
}

/* ------------------------------------------------------------------ */
/* Handler macros                                                      */

/* clang-format off */
#if BR_USE_COMPUTED_GOTO
#define OP(name) L_##name:
#define DISPATCH() goto *labels[*pc]
#define NEXT() do { BRI_NATIVE_NEXT(); DISPATCH(); } while (0)
#define DISPATCH_BEGIN NEXT();
#define DISPATCH_END
#define LABEL_OF(name, prefix, code, imm, sig) &&L_##name,
#define ILABEL_OF(name) &&L_##name,
/* ORDER OP: one label per br_op_t, generated from the opcode table. */
#define DECLARE_LABELS                                                    \
    static const void *const labels[BR_OP__COUNT] = {                     \
        BR_OPCODES(LABEL_OF) BR_INTERNAL_OPS(ILABEL_OF)};
#else
#define OP(name) case BR_OP_##name:
#define DISPATCH() goto dispatch
#define NEXT() do { BRI_NATIVE_NEXT(); DISPATCH(); } while (0)
#define DISPATCH_BEGIN                                                    \
    dispatch:                                                             \
    switch ((br_op_t)*pc) {
#define DISPATCH_END                                                      \
    default:                                                              \
        goto bad_op;                                                      \
        }
#define DECLARE_LABELS
#endif

#define TRAP(k)                                                           \
    do {                                                                  \
        trap_kind = (k);                                                  \
        goto trap;                                                        \
    } while (0)

/* Fuel is charged after the jump or call, so the saved pc is where a
 * resumed run continues; an over-budget loop body still progresses. */
#define CHARGE(n)                                                         \
    do {                                                                  \
        if (BR_UNLIKELY((fuel -= (int64_t)(n)) < 0))                      \
            goto out_of_fuel;                                             \
    } while (0)

#define RELOAD_MEM() (mb = fr->mem0->data, ms = fr->mem0->size)

#define ENTER_FRAME()                                                     \
    do {                                                                  \
        pc = fr->pc;                                                      \
        W = fr->code->words;                                              \
        S = exec->stack + fr->base;                                       \
        inst = fr->inst;                                                  \
        RELOAD_MEM();                                                     \
        BRI_NATIVE_FRAME();                                               \
    } while (0)

/* Simple ops [op, s]: operands from slot s, result to slot s. */
#define UNOP(IN, OUT, expr)                                               \
    {                                                                     \
        br_slot_t *x_ = S + pc[1];                                        \
        ty_##IN a = rd_##IN(x_);                                          \
        wr_##OUT(x_, (expr));                                             \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

#define BINOP(T, OUT, expr)                                               \
    {                                                                     \
        br_slot_t *x_ = S + pc[1];                                        \
        ty_##T a = rd_##T(x_), b = rd_##T(x_ + 1);                        \
        wr_##OUT(x_, (expr));                                             \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

#define UNOP_TRAP(IN, OUT, fn)                                            \
    {                                                                     \
        br_slot_t *x_ = S + pc[1];                                        \
        ty_##OUT r_ = 0;                                                  \
        br_trapkind_t k_ = fn(rd_##IN(x_), &r_);                          \
        if (BR_UNLIKELY(k_ != BR_TRAP_NONE))                              \
            TRAP(k_);                                                     \
        wr_##OUT(x_, r_);                                                 \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

#define BINOP_TRAP(T, fn)                                                 \
    {                                                                     \
        br_slot_t *x_ = S + pc[1];                                        \
        ty_##T r_ = 0;                                                    \
        br_trapkind_t k_ = fn(rd_##T(x_), rd_##T(x_ + 1), &r_);           \
        if (BR_UNLIKELY(k_ != BR_TRAP_NONE))                              \
            TRAP(k_);                                                     \
        wr_##T(x_, r_);                                                   \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

/* [op, s, mem, off_lo, off_hi]; `expr` converts the loaded v_. */
#define LOAD(W_, CT, OUT, expr)                                           \
    {                                                                     \
        const uint8_t *p_ = mem_at(pc, S, mb, ms, inst, W_);              \
        if (BR_UNLIKELY(p_ == NULL))                                      \
            TRAP(BR_TRAP_MEMORY_OOB);                                     \
        CT v_;                                                            \
        memcpy(&v_, p_, W_);                                              \
        wr_##OUT(S + pc[1], (expr));                                      \
        pc += 5;                                                          \
        NEXT();                                                           \
    }

/* Address at s, value at s+1 (its low W_ bytes are stored). */
#define STORE(W_, CT)                                                     \
    {                                                                     \
        uint8_t *p_ = mem_at(pc, S, mb, ms, inst, W_);                    \
        if (BR_UNLIKELY(p_ == NULL))                                      \
            TRAP(BR_TRAP_MEMORY_OOB);                                     \
        CT v_ = (CT)S[pc[1] + 1].u64;                                     \
        memcpy(p_, &v_, W_);                                              \
        pc += 5;                                                          \
        NEXT();                                                           \
    }

/* Bulk ops: a helper doing one step (see BULK_STEP) and returning a
 * trap kind and the step's fuel; the instruction is done when its length
 * operand (slot s+2) is 0, else it runs again, after a yield if the step
 * used up the fuel. */
#define BULK(call, len)                                                   \
    {                                                                     \
        int64_t cost_ = 0;                                                \
        br_trapkind_t k_ = (call);                                        \
        if (BR_UNLIKELY(k_ != BR_TRAP_NONE))                              \
            TRAP(k_);                                                     \
        if (BR_LIKELY(S[pc[1] + 2].u64 == 0))                             \
            pc += (len);                                                  \
        CHARGE(cost_);                                                    \
        NEXT();                                                           \
    }

#define I32S(x) ((int32_t)(x))
#define I64S(x) ((int64_t)(x))
/* clang-format on */

/* ------------------------------------------------------------------ */
/* The loop                                                            */

/*
 * Runs the top frame of `exec` from its saved pc. pc, the frame's slots
 * S, the code base W, the instance and memory 0's base/size live in
 * locals; memory is reloaded after calls, returns, memory.grow and
 * host calls (another context may grow it meanwhile). Fuel is charged
 * at calls and back-edges only.
 */
br_status_t
BRI_INTERP_RUN(br_exec_t *exec, int64_t budget)
{
    DECLARE_LABELS
    int64_t fuel = bri_fuel_first(exec, budget);

    bri_frame_t *fr = &exec->frames[exec->frame_count - 1];
    const uint32_t *pc, *W, *npc = NULL;
    br_slot_t *S;
    br_instance_t *inst;
    uint8_t *mb;
    uint64_t ms;
    br_trapkind_t trap_kind = BR_TRAP_NONE;
    br_status_t status = BR_DONE;
    br_func_t *cf = NULL;
    uint32_t cs = 0, rs = 0, rn = 0;
    bri_exception_t *exn = NULL;
    br_host_status_t hs;
    BRI_NATIVE_LOCALS
    ENTER_FRAME();

    /* One handler per opcode, laid out by hand. */
    /* clang-format off */
    DISPATCH_BEGIN

    /* ---- control ---- */
    OP(unreachable) TRAP(BR_TRAP_UNREACHABLE);

    OP(nop) OP(block) OP(loop) OP(if_) OP(else_) OP(try_) OP(catch_)
    OP(end) OP(br) OP(br_if) OP(br_table) OP(return_) OP(delegate)
    OP(catch_all) OP(try_table) OP(drop) OP(br_on_null) OP(br_on_non_null)
        goto bad_op; /* never emitted (code.h) */

    OP(move) {
        uint32_t n = pc[3];
        if (BR_LIKELY(n == 1)) {
            S[pc[1]] = S[pc[2]];
        } else if (n == 2) {
            /* A v128, copied whole: the SIMD handler that reads it next
             * loads 16 bytes at once, and two 8-byte stores there would
             * stall that load (no store forwarding across them). */
            bri_v128_t v;
            memcpy(&v, S + pc[2], 16);
            memcpy(S + pc[1], &v, 16);
        } else {
            memmove(S + pc[1], S + pc[2], (size_t)n * sizeof(br_slot_t));
        }
        pc += 4;
        NEXT();
    }
    OP(jump) {
        pc = W + pc[1];
        NEXT();
    }
    OP(jump_back) {
        uint32_t cost = pc[2];
        pc = W + pc[1];
        CHARGE(cost);
        NEXT();
    }
    OP(jump_if) {
        pc = rd_i32(S + pc[1]) ? W + pc[2] : pc + 3;
        NEXT();
    }
    OP(jump_if_back) {
        if (rd_i32(S + pc[1])) {
            uint32_t cost = pc[3];
            pc = W + pc[2];
            CHARGE(cost);
        } else {
            pc += 4;
        }
        NEXT();
    }
    OP(jump_unless) {
        pc = rd_i32(S + pc[1]) ? pc + 3 : W + pc[2];
        NEXT();
    }
    OP(jump_table) {
        uint32_t i = rd_i32(S + pc[1]), n = pc[2];
        const uint32_t *e = pc + 5 + 3 * (size_t)(i < n ? i : n);
        uint32_t src = pc[3], arity = pc[4], cost = e[2];
        if (arity != 0 && e[1] != src)
            memmove(S + e[1], S + src, (size_t)arity * sizeof(br_slot_t));
        pc = W + e[0];
        if (cost != 0)
            CHARGE(cost);
        NEXT();
    }
    OP(ret) {
        rs = pc[1];
        rn = pc[2];
        goto do_ret;
    }
    OP(call) {
        cf = inst->funcs[pc[2]];
        cs = pc[1];
        npc = pc + 3;
        goto do_call;
    }
    OP(call_indirect) {
        cf = indirect_callee(inst, pc, S, &trap_kind);
        if (BR_UNLIKELY(cf == NULL))
            goto trap;
        cs = pc[1];
        npc = pc + 4;
        goto do_call;
    }
    OP(return_call) {
        cf = inst->funcs[pc[2]];
        cs = pc[1];
        npc = pc + 3;
        goto do_tail_call;
    }
    OP(return_call_indirect) {
        cf = indirect_callee(inst, pc, S, &trap_kind);
        if (BR_UNLIKELY(cf == NULL))
            goto trap;
        cs = pc[1];
        npc = pc + 4;
        goto do_tail_call;
    }
    OP(call_ref) {
        cf = ref_callee(inst, pc, S, &trap_kind);
        if (BR_UNLIKELY(cf == NULL))
            goto trap;
        cs = pc[1];
        npc = pc + 3;
        goto do_call;
    }
    OP(return_call_ref) {
        cf = ref_callee(inst, pc, S, &trap_kind);
        if (BR_UNLIKELY(cf == NULL))
            goto trap;
        cs = pc[1];
        npc = pc + 3;
        goto do_tail_call;
    }
    OP(throw_) {
        exn = bri_runtime_exception(exec, inst->tags[pc[2]], S + pc[1]);
        if (BR_UNLIKELY(exn == NULL))
            TRAP(BR_TRAP_OUT_OF_MEMORY);
        goto do_throw;
    }
    OP(rethrow) {
        exn = S[pc[1]].ref;
        goto do_throw;
    }
    OP(throw_ref) {
        exn = S[pc[1]].ref;
        if (BR_UNLIKELY(exn == NULL))
            TRAP(BR_TRAP_NULL_EXCEPTION);
        goto do_throw;
    }

    /* ---- parametric and variables ---- */
    OP(select) OP(select_t) {
        br_slot_t *x = S + pc[1];
        if (!rd_i32(x + 2))
            x[0] = x[1];
        pc += 2;
        NEXT();
    }
    OP(local_get) {
        S[pc[1]] = S[pc[2]];
        pc += 3;
        NEXT();
    }
    OP(local_set) OP(local_tee) {
        S[pc[2]] = S[pc[1]];
        pc += 3;
        NEXT();
    }
    OP(global_get) {
        const br_global_t *g = inst->globals[pc[2]];
        bri_val_to_slot(g->val.kind, &g->val, S + pc[1]);
        pc += 3;
        NEXT();
    }
    OP(global_set) {
        br_global_t *g = inst->globals[pc[2]];
        bri_slot_to_val(g->val.kind, S + pc[1], &g->val);
        pc += 3;
        NEXT();
    }

    /* ---- tables ---- */
    OP(table_get) {
        const br_table_t *t = inst->tables[pc[2]];
        uint64_t i = S[pc[1]].u64;
        if (BR_UNLIKELY(i >= t->size))
            TRAP(BR_TRAP_TABLE_OOB);
        wr_ref(S + pc[1], t->elems[i]);
        pc += 3;
        NEXT();
    }
    OP(table_set) {
        br_table_t *t = inst->tables[pc[2]];
        uint64_t i = S[pc[1]].u64;
        if (BR_UNLIKELY(i >= t->size))
            TRAP(BR_TRAP_TABLE_OOB);
        t->elems[i] = S[pc[1] + 1].ref;
        pc += 3;
        NEXT();
    }
    OP(table_size) {
        wr_i64(S + pc[1], inst->tables[pc[2]]->size);
        pc += 3;
        NEXT();
    }
    OP(table_grow) {
        int64_t cost = 0;
        if (bri_bulk_table_grow(exec, pc, inst->tables[pc[2]], S + pc[1],
                                &cost))
            pc += 3;
        CHARGE(cost);
        NEXT();
    }
    OP(table_fill)
        BULK(bri_bulk_table_fill(inst->tables[pc[2]], S + pc[1], &cost_), 3)
    OP(table_copy)
        BULK(bri_bulk_table_copy(inst->tables[pc[2]], inst->tables[pc[3]],
                                 S + pc[1], &cost_), 4)
    OP(table_init)
        BULK(bri_bulk_table_init(inst, pc[2], inst->tables[pc[3]], S + pc[1],
                                 &cost_), 4)
    OP(elem_drop) {
        inst->elem_sizes[pc[1]] = 0;
        pc += 2;
        NEXT();
    }

    /* ---- memory ---- */
    OP(i32_load) LOAD(4, uint32_t, i32, v_)
    OP(i64_load) LOAD(8, uint64_t, i64, v_)
    OP(f32_load) LOAD(4, uint32_t, i32, v_)
    OP(f64_load) LOAD(8, uint64_t, i64, v_)
    OP(i32_load8_s) LOAD(1, int8_t, i32, (uint32_t)(int32_t)v_)
    OP(i32_load8_u) LOAD(1, uint8_t, i32, v_)
    OP(i32_load16_s) LOAD(2, int16_t, i32, (uint32_t)(int32_t)v_)
    OP(i32_load16_u) LOAD(2, uint16_t, i32, v_)
    OP(i64_load8_s) LOAD(1, int8_t, i64, (uint64_t)(int64_t)v_)
    OP(i64_load8_u) LOAD(1, uint8_t, i64, v_)
    OP(i64_load16_s) LOAD(2, int16_t, i64, (uint64_t)(int64_t)v_)
    OP(i64_load16_u) LOAD(2, uint16_t, i64, v_)
    OP(i64_load32_s) LOAD(4, int32_t, i64, (uint64_t)(int64_t)v_)
    OP(i64_load32_u) LOAD(4, uint32_t, i64, v_)
    OP(i32_store) STORE(4, uint32_t)
    OP(i64_store) STORE(8, uint64_t)
    OP(f32_store) STORE(4, uint32_t)
    OP(f64_store) STORE(8, uint64_t)
    OP(i32_store8) STORE(1, uint8_t)
    OP(i32_store16) STORE(2, uint16_t)
    OP(i64_store8) STORE(1, uint8_t)
    OP(i64_store16) STORE(2, uint16_t)
    OP(i64_store32) STORE(4, uint32_t)
    OP(memory_size) {
        const br_memory_t *m = inst->memories[pc[2]];
        wr_i64(S + pc[1], m->size >> bri_page_shift(&m->type));
        pc += 3;
        NEXT();
    }
    OP(memory_grow) {
        br_slot_t *x = S + pc[1];
        wr_i64(x, bri_bulk_memory_grow(inst->memories[pc[2]], x->u64));
        RELOAD_MEM();
        pc += 3;
        NEXT();
    }
    OP(memory_fill)
        BULK(bri_bulk_memory_fill(inst->memories[pc[2]], S + pc[1], &cost_), 3)
    OP(memory_copy)
        BULK(bri_bulk_memory_copy(inst->memories[pc[2]], inst->memories[pc[3]],
                                  S + pc[1], &cost_), 4)
    OP(memory_init)
        BULK(bri_bulk_memory_init(inst, pc[2], inst->memories[pc[3]],
                                  S + pc[1], &cost_), 4)
    OP(data_drop) {
        inst->data_dropped[pc[1]] = 1;
        pc += 2;
        NEXT();
    }

    /* ---- constants and references ---- */
    OP(i32_const) OP(f32_const) {
        wr_i32(S + pc[1], pc[2]);
        pc += 3;
        NEXT();
    }
    OP(i64_const) OP(f64_const) {
        wr_i64(S + pc[1], imm64(pc + 2));
        pc += 4;
        NEXT();
    }
    OP(ref_null) {
        wr_ref(S + pc[1], NULL);
        pc += 2;
        NEXT();
    }
    OP(ref_is_null) {
        wr_i32(S + pc[1], S[pc[1]].ref == NULL);
        pc += 2;
        NEXT();
    }
    OP(ref_as_non_null) {
        if (BR_UNLIKELY(S[pc[1]].ref == NULL))
            TRAP(BR_TRAP_NULL_REFERENCE);
        pc += 2;
        NEXT();
    }
    OP(ref_func) {
        wr_ref(S + pc[1], inst->funcs[pc[2]]);
        pc += 3;
        NEXT();
    }

    /* ---- i32 ---- */
    OP(i32_eqz) UNOP(i32, i32, a == 0)
    OP(i32_eq) BINOP(i32, i32, a == b)
    OP(i32_ne) BINOP(i32, i32, a != b)
    OP(i32_lt_s) BINOP(i32, i32, I32S(a) < I32S(b))
    OP(i32_lt_u) BINOP(i32, i32, a < b)
    OP(i32_gt_s) BINOP(i32, i32, I32S(a) > I32S(b))
    OP(i32_gt_u) BINOP(i32, i32, a > b)
    OP(i32_le_s) BINOP(i32, i32, I32S(a) <= I32S(b))
    OP(i32_le_u) BINOP(i32, i32, a <= b)
    OP(i32_ge_s) BINOP(i32, i32, I32S(a) >= I32S(b))
    OP(i32_ge_u) BINOP(i32, i32, a >= b)
    OP(i32_clz) UNOP(i32, i32, bri_clz32(a))
    OP(i32_ctz) UNOP(i32, i32, bri_ctz32(a))
    OP(i32_popcnt) UNOP(i32, i32, bri_popcnt32(a))
    OP(i32_add) BINOP(i32, i32, a + b)
    OP(i32_sub) BINOP(i32, i32, a - b)
    OP(i32_mul) BINOP(i32, i32, a * b)
    OP(i32_div_s) BINOP_TRAP(i32, bri_i32_div_s)
    OP(i32_div_u) BINOP_TRAP(i32, bri_i32_div_u)
    OP(i32_rem_s) BINOP_TRAP(i32, bri_i32_rem_s)
    OP(i32_rem_u) BINOP_TRAP(i32, bri_i32_rem_u)
    OP(i32_and) BINOP(i32, i32, a & b)
    OP(i32_or) BINOP(i32, i32, a | b)
    OP(i32_xor) BINOP(i32, i32, a ^ b)
    OP(i32_shl) BINOP(i32, i32, a << (b & 31))
    OP(i32_shr_s) BINOP(i32, i32, bri_i32_shr_s(a, b))
    OP(i32_shr_u) BINOP(i32, i32, a >> (b & 31))
    OP(i32_rotl) BINOP(i32, i32, bri_rotl32(a, b))
    OP(i32_rotr) BINOP(i32, i32, bri_rotr32(a, b))

    /* ---- i64 ---- */
    OP(i64_eqz) UNOP(i64, i32, a == 0)
    OP(i64_eq) BINOP(i64, i32, a == b)
    OP(i64_ne) BINOP(i64, i32, a != b)
    OP(i64_lt_s) BINOP(i64, i32, I64S(a) < I64S(b))
    OP(i64_lt_u) BINOP(i64, i32, a < b)
    OP(i64_gt_s) BINOP(i64, i32, I64S(a) > I64S(b))
    OP(i64_gt_u) BINOP(i64, i32, a > b)
    OP(i64_le_s) BINOP(i64, i32, I64S(a) <= I64S(b))
    OP(i64_le_u) BINOP(i64, i32, a <= b)
    OP(i64_ge_s) BINOP(i64, i32, I64S(a) >= I64S(b))
    OP(i64_ge_u) BINOP(i64, i32, a >= b)
    OP(i64_clz) UNOP(i64, i64, bri_clz64(a))
    OP(i64_ctz) UNOP(i64, i64, bri_ctz64(a))
    OP(i64_popcnt) UNOP(i64, i64, bri_popcnt64(a))
    OP(i64_add) BINOP(i64, i64, a + b)
    OP(i64_sub) BINOP(i64, i64, a - b)
    OP(i64_mul) BINOP(i64, i64, a * b)
    OP(i64_div_s) BINOP_TRAP(i64, bri_i64_div_s)
    OP(i64_div_u) BINOP_TRAP(i64, bri_i64_div_u)
    OP(i64_rem_s) BINOP_TRAP(i64, bri_i64_rem_s)
    OP(i64_rem_u) BINOP_TRAP(i64, bri_i64_rem_u)
    OP(i64_and) BINOP(i64, i64, a & b)
    OP(i64_or) BINOP(i64, i64, a | b)
    OP(i64_xor) BINOP(i64, i64, a ^ b)
    OP(i64_shl) BINOP(i64, i64, a << (b & 63))
    OP(i64_shr_s) BINOP(i64, i64, bri_i64_shr_s(a, b))
    OP(i64_shr_u) BINOP(i64, i64, a >> (b & 63))
    OP(i64_rotl) BINOP(i64, i64, bri_rotl64(a, b))
    OP(i64_rotr) BINOP(i64, i64, bri_rotr64(a, b))

    /* ---- f32 (sign ops on raw bits) ---- */
    OP(f32_eq) BINOP(f32, i32, a == b)
    OP(f32_ne) BINOP(f32, i32, a != b)
    OP(f32_lt) BINOP(f32, i32, a < b)
    OP(f32_gt) BINOP(f32, i32, a > b)
    OP(f32_le) BINOP(f32, i32, a <= b)
    OP(f32_ge) BINOP(f32, i32, a >= b)
    OP(f32_abs) UNOP(i32, i32, bri_f32_abs(a))
    OP(f32_neg) UNOP(i32, i32, bri_f32_neg(a))
    OP(f32_ceil) UNOP(f32, f32, bri_f32_ceil(a))
    OP(f32_floor) UNOP(f32, f32, bri_f32_floor(a))
    OP(f32_trunc) UNOP(f32, f32, bri_f32_trunc(a))
    OP(f32_nearest) UNOP(f32, f32, bri_f32_nearest(a))
    OP(f32_sqrt) UNOP(f32, f32, sqrtf(a))
    OP(f32_add) BINOP(f32, f32, a + b)
    OP(f32_sub) BINOP(f32, f32, a - b)
    OP(f32_mul) BINOP(f32, f32, a * b)
    OP(f32_div) BINOP(f32, f32, a / b)
    OP(f32_min) BINOP(f32, f32, bri_f32_min(a, b))
    OP(f32_max) BINOP(f32, f32, bri_f32_max(a, b))
    OP(f32_copysign) BINOP(i32, i32, bri_f32_copysign(a, b))

    /* ---- f64 ---- */
    OP(f64_eq) BINOP(f64, i32, a == b)
    OP(f64_ne) BINOP(f64, i32, a != b)
    OP(f64_lt) BINOP(f64, i32, a < b)
    OP(f64_gt) BINOP(f64, i32, a > b)
    OP(f64_le) BINOP(f64, i32, a <= b)
    OP(f64_ge) BINOP(f64, i32, a >= b)
    OP(f64_abs) UNOP(i64, i64, bri_f64_abs(a))
    OP(f64_neg) UNOP(i64, i64, bri_f64_neg(a))
    OP(f64_ceil) UNOP(f64, f64, bri_f64_ceil(a))
    OP(f64_floor) UNOP(f64, f64, bri_f64_floor(a))
    OP(f64_trunc) UNOP(f64, f64, bri_f64_trunc(a))
    OP(f64_nearest) UNOP(f64, f64, bri_f64_nearest(a))
    OP(f64_sqrt) UNOP(f64, f64, sqrt(a))
    OP(f64_add) BINOP(f64, f64, a + b)
    OP(f64_sub) BINOP(f64, f64, a - b)
    OP(f64_mul) BINOP(f64, f64, a * b)
    OP(f64_div) BINOP(f64, f64, a / b)
    OP(f64_min) BINOP(f64, f64, bri_f64_min(a, b))
    OP(f64_max) BINOP(f64, f64, bri_f64_max(a, b))
    OP(f64_copysign) BINOP(i64, i64, bri_f64_copysign(a, b))

    /* ---- conversions ---- */
    OP(i32_wrap_i64) UNOP(i64, i32, (uint32_t)a)
    OP(i32_trunc_f32_s) UNOP_TRAP(f32, i32, bri_trunc_s32)
    OP(i32_trunc_f32_u) UNOP_TRAP(f32, i32, bri_trunc_u32)
    OP(i32_trunc_f64_s) UNOP_TRAP(f64, i32, bri_trunc_s32)
    OP(i32_trunc_f64_u) UNOP_TRAP(f64, i32, bri_trunc_u32)
    OP(i64_extend_i32_s) UNOP(i32, i64, (uint64_t)(int64_t)I32S(a))
    OP(i64_extend_i32_u) UNOP(i32, i64, a)
    OP(i64_trunc_f32_s) UNOP_TRAP(f32, i64, bri_trunc_s64)
    OP(i64_trunc_f32_u) UNOP_TRAP(f32, i64, bri_trunc_u64)
    OP(i64_trunc_f64_s) UNOP_TRAP(f64, i64, bri_trunc_s64)
    OP(i64_trunc_f64_u) UNOP_TRAP(f64, i64, bri_trunc_u64)
    OP(f32_convert_i32_s) UNOP(i32, f32, (float)I32S(a))
    OP(f32_convert_i32_u) UNOP(i32, f32, (float)a)
    OP(f32_convert_i64_s) UNOP(i64, f32, bri_f32_from_s64(a))
    OP(f32_convert_i64_u) UNOP(i64, f32, bri_f32_from_u64(a))
    OP(f32_demote_f64) UNOP(f64, f32, (float)a)
    OP(f64_convert_i32_s) UNOP(i32, f64, (double)I32S(a))
    OP(f64_convert_i32_u) UNOP(i32, f64, (double)a)
    OP(f64_convert_i64_s) UNOP(i64, f64, bri_f64_from_s64(a))
    OP(f64_convert_i64_u) UNOP(i64, f64, bri_f64_from_u64(a))
    OP(f64_promote_f32) UNOP(f32, f64, (double)a)
    /* a float and its bits share the slot representation */
    OP(i32_reinterpret_f32) OP(i64_reinterpret_f64)
    OP(f32_reinterpret_i32) OP(f64_reinterpret_i64) {
        pc += 2;
        NEXT();
    }
    OP(i32_extend8_s) UNOP(i32, i32, bri_sext32(a, 8))
    OP(i32_extend16_s) UNOP(i32, i32, bri_sext32(a, 16))
    OP(i64_extend8_s) UNOP(i64, i64, bri_sext64(a, 8))
    OP(i64_extend16_s) UNOP(i64, i64, bri_sext64(a, 16))
    OP(i64_extend32_s) UNOP(i64, i64, bri_sext64(a, 32))
    OP(i32_trunc_sat_f32_s) UNOP(f32, i32, bri_trunc_sat_s32(a))
    OP(i32_trunc_sat_f32_u) UNOP(f32, i32, bri_trunc_sat_u32(a))
    OP(i32_trunc_sat_f64_s) UNOP(f64, i32, bri_trunc_sat_s32(a))
    OP(i32_trunc_sat_f64_u) UNOP(f64, i32, bri_trunc_sat_u32(a))
    OP(i64_trunc_sat_f32_s) UNOP(f32, i64, bri_trunc_sat_s64(a))
    OP(i64_trunc_sat_f32_u) UNOP(f32, i64, bri_trunc_sat_u64(a))
    OP(i64_trunc_sat_f64_s) UNOP(f64, i64, bri_trunc_sat_s64(a))
    OP(i64_trunc_sat_f64_u) UNOP(f64, i64, bri_trunc_sat_u64(a))

    /* ---- register-style and fused ops ---- */
#include "interp_fused.h"

    /* ---- SIMD (0xFD) ---- */
#include "interp_simd.h"

    /* ---- wide arithmetic (0xFC 0x13..0x16) ---- */
#include "interp_wide.h"

    /* ---- garbage collection (0xFB, ref.eq) ---- */
#include "interp_gc.h"

    DISPATCH_END
                                                    /* clang-format on */

                                                    /* ---- shared paths ---- */
                                                    do_call : fr->pc = npc;
    if (BR_LIKELY(cf->code != NULL)) {
        bri_frame_t *nf =
            bri_frame_push(exec, cf, fr->base + cs, fr->mem0, inst);
        if (BR_UNLIKELY(nf == NULL))
            TRAP(exec->trap.kind); /* pc is still the call's */
        fr = nf;
        ENTER_FRAME();
    } else {
        hs = bri_runtime_host(exec, cf, fr->base + cs);
        if (BR_UNLIKELY(hs != BR_HOST_OK))
            goto host_stopped;
        pc = npc;
        S = exec->stack + fr->base;
        RELOAD_MEM();
        if (BR_UNLIKELY(
                atomic_load_explicit(&exec->cancelled, memory_order_relaxed)))
            goto out_of_fuel; /* answers the cancel at once */
    }
    CHARGE(1);
    NEXT();

do_tail_call:
    if (BR_LIKELY(cf->code != NULL)) {
        if (BR_UNLIKELY(!tail_enter(exec, cf, cs)))
            TRAP(exec->trap.kind);
        fr = &exec->frames[exec->frame_count - 1];
        ENTER_FRAME();
        CHARGE(1);
        NEXT();
    }
    fr->pc = npc;
    hs = bri_runtime_host(exec, cf, fr->base + cs);
    if (BR_UNLIKELY(hs != BR_HOST_OK)) {
        exec->import_tail = hs == BR_HOST_SUSPEND;
        goto host_stopped;
    }
    S = exec->stack + fr->base;
    fuel -= 1; /* the next fuel point sees it */
    rs = cs;
    rn = bri_result_slots(cf->type);
    goto do_ret;

do_ret:
    for (uint32_t i = 0; i < rn; i++) /* rs >= i: copying down is safe */
        S[i] = S[rs + i];
    if (BR_UNLIKELY(--exec->frame_count == 0)) {
        status = BR_DONE;
        goto leave;
    }
    fr--;
    ENTER_FRAME();
    NEXT();

do_throw:
    fr->pc = pc;
    if (!bri_runtime_throw(exec, exn)) {
        status = BR_TRAP;
        goto leave;
    }
    fr = &exec->frames[exec->frame_count - 1];
    ENTER_FRAME();
    NEXT();

host_stopped:
    status = hs == BR_HOST_SUSPEND ? BR_IMPORT : BR_TRAP;
    goto leave;

out_of_fuel:
    /* pc is the next instruction to run: save it before anything else */
    fr->pc = pc;
    if (atomic_load_explicit(&exec->cancelled, memory_order_relaxed))
        TRAP(BR_TRAP_CANCELLED);
    fuel = bri_fuel_refill(exec, fuel);
    BRI_NATIVE_REFUEL();
    if (fuel >= 0)
        NEXT();
    status = BR_YIELD;
    goto leave;

trap:
    bri_runtime_trap(exec, trap_kind, pc);
    status = BR_TRAP;
    goto leave;

bad_op:
    fr->pc = pc;
    exec->error = BR_ERR_INVALID_ARGUMENT;
    status = BR_ERROR;
    goto leave;

leave:
    exec->fuel_left = fuel;
    return status;
}
