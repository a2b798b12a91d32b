/*
 * beamr engine: the execution context (value stack, frames, status)
 * shared by the API side (exec.c), the dispatch loop (interp.c), the
 * native imports (invoke.c) and the runtime services below them all
 * (runtime.c, bulk.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_EXEC_H
#define BR_EXEC_H

#include "code.h"

/* Defaults when the store leaves a limit at 0 (beamr.h). */
#define BRI_DEFAULT_CALL_DEPTH 10000u
#define BRI_DEFAULT_STACK_SLOTS (4u * 1024u * 1024u)

/*
 * The loop runs on a local fuel counter refilled from `fuel_reserve` in
 * chunks of this size, so the cancel flag is read once per chunk (and
 * after every host call) instead of at every fuel point.
 */
#define BRI_FUEL_CHUNK 16384

/* One activation of a wasm function. `base` is a slot index, never a
 * pointer: the stack moves when it grows. */
typedef struct bri_frame {
    const uint32_t *pc; /* top: where to continue; others: return pc */
    const bri_code_t *code;
    br_func_t *func;
    br_instance_t *inst;
    br_memory_t *mem0; /* inst's memory 0, or the exec's empty one */
    uint32_t base;
} bri_frame_t;

/* A table.grow the interpreter runs in steps: the instruction at `pc`
 * of frame `frame` (an index) has initialised `filled` elements. */
typedef struct bri_grow_state {
    const uint32_t *pc;
    uint32_t frame;
    const br_table_t *table;
    uint64_t filled;
} bri_grow_state_t;

typedef enum bri_exec_state {
    BRI_EXEC_IDLE,      /* nothing prepared */
    BRI_EXEC_READY,     /* call prepared or resumed: run continues it */
    BRI_EXEC_RUNNING,   /* inside br_exec_run */
    BRI_EXEC_YIELDED,   /* out of fuel: run continues it */
    BRI_EXEC_SUSPENDED, /* waiting for br_exec_resume / resume_trap */
    BRI_EXEC_DONE,
    BRI_EXEC_TRAPPED,
    BRI_EXEC_FAILED, /* BR_ERROR: see `error` */
} bri_exec_state_t;

struct br_exec {
    br_store_t *store;
    bri_allocator_t alloc;
    bri_exec_state_t state;
    br_err_t error;
    atomic_bool cancelled;

    /* value stack */
    br_slot_t *stack;
    uint32_t stack_cap, stack_max;
    /* frame stack */
    bri_frame_t *frames;
    uint32_t frame_count, frame_cap, frame_max;

    br_func_t *entry; /* function being called */
    br_val_t *results;
    uint32_t result_count, result_cap;
    br_trap_t trap;

    /* host calls: args/results as typed values */
    br_func_t *import_func; /* host function being called or pending */
    br_val_t *host_args, *host_results;
    uint32_t host_cap;
    uint32_t import_slot; /* absolute slot of its args and results */
    bool import_tail;     /* pending import was a return_call */
    bool direct_host;     /* entry is a host func that has not run yet */
    bool host_trap_set;   /* br_exec_host_trap was called */

    bri_exception_t *exceptions; /* every exception of the current call */

    int64_t fuel_reserve; /* budget not yet moved into the loop */
    int64_t fuel_left;    /* the loop's counter when it returned */
    int64_t fuel_used;

    br_memory_t no_memory; /* memory 0 of instances without one */
    bri_grow_state_t grow; /* pc NULL: no table.grow in progress */

    struct bri_invoke *invoke; /* invoke.c: open invoke_* calls, or NULL */

    /* the store's list of execs, whose stacks are GC roots (NULL links
     * and not `listed` once the store is gone) */
    br_exec_t *gc_next, *gc_prev;
    bool listed;
};

/* interp.c: runs the top frame until done, trap, import or yield. */
br_status_t bri_interp_run(br_exec_t *exec, int64_t fuel);

/* runtime.c: the services the tiers (interp.c, a native tier) and the
 * native imports (invoke.c) share, below them and exec.c. */

/* Makes room for a frame whose slots end at `top` and one more frame
 * entry; false after recording STACK_EXHAUSTED or OUT_OF_MEMORY. */
bool bri_runtime_grow(br_exec_t *exec, uint64_t top);
/* Records a trap; the top frame traps at `pc`, callers at their call. */
void bri_runtime_trap(br_exec_t *exec, br_trapkind_t kind, const uint32_t *pc);
/* Calls host `func` with args at absolute slot `slot`; on BR_HOST_OK the
 * results are in the slots. SUSPEND leaves the exec waiting for resume;
 * TRAP has recorded the trap. */
br_host_status_t bri_runtime_host(br_exec_t *exec, br_func_t *func,
                                  uint32_t slot);
/* A new exception of `tag` with its payload copied from `payload`. */
bri_exception_t *bri_runtime_exception(br_exec_t *exec, const br_tag_t *tag,
                                       const br_slot_t *payload);
/* Unwinds to the handler of `exn` thrown at the top frame's pc (saved in
 * the frame). True: the top frame is the handler's, at the catch. False:
 * the uncaught-exception trap is recorded. */
bool bri_runtime_throw(br_exec_t *exec, bri_exception_t *exn);
/* Host argument and result buffers for `need` values; false when out
 * of memory. */
bool bri_runtime_host_buffers(br_exec_t *exec, uint32_t need);
/* snapshot_call.c: a context made ready to take a restored call of
 * `entry` (previous call forgotten, state IDLE); false: out of memory. */
bool bri_exec_adopt(br_exec_t *exec, br_func_t *entry);
/* Memory 0 of `inst`, or the exec's empty memory. */
br_memory_t *bri_runtime_mem0(br_exec_t *exec, const br_instance_t *inst);
/* Writes `msg` (NULL: the kind's own message) as the trap's message. */
void bri_runtime_trap_message(br_trap_t *trap, const char *msg);
/* Records the backtrace of a trap in the pending host call. */
void bri_runtime_host_backtrace(br_exec_t *exec);

/* bulk.c: bulk memory and table operations, one bounded step per call
 * (the tier runs the instruction again while the length slot s[2] is not
 * 0); *cost is the step's fuel. BR_TRAP_NONE, or the trap before any
 * write. The operands are the instruction's slots from `s`. */
br_trapkind_t bri_bulk_memory_fill(br_memory_t *m, br_slot_t *s,
                                   int64_t *cost);
br_trapkind_t bri_bulk_memory_copy(br_memory_t *dm, br_memory_t *sm,
                                   br_slot_t *s, int64_t *cost);
br_trapkind_t bri_bulk_memory_init(const br_instance_t *inst, uint32_t seg,
                                   br_memory_t *m, br_slot_t *s,
                                   int64_t *cost);
br_trapkind_t bri_bulk_table_fill(br_table_t *t, br_slot_t *s, int64_t *cost);
br_trapkind_t bri_bulk_table_copy(br_table_t *dt, const br_table_t *st,
                                  br_slot_t *s, int64_t *cost);
br_trapkind_t bri_bulk_table_init(const br_instance_t *inst, uint32_t seg,
                                  br_table_t *t, br_slot_t *s, int64_t *cost);
/* table.grow at `pc` in steps (progress in exec->grow): true when over,
 * with the answer in x[0]. */
bool bri_bulk_table_grow(br_exec_t *exec, const uint32_t *pc, br_table_t *t,
                         br_slot_t *x, int64_t *cost);
/* memory.grow's answer: the old size in pages, or -1 of the address
 * type. */
uint64_t bri_bulk_memory_grow(br_memory_t *m, uint64_t delta);

/* invoke.c: Emscripten's invoke_* and longjmp imports, answered inside
 * br_exec_run. True for the host functions br_func_new_invoke and
 * br_func_new_longjmp made. */
bool bri_invoke_is_native(const br_func_t *func);
/* Answers the pending native import: BR_YIELD when the context can run
 * on, BR_IMPORT when the invoked host function suspended, BR_TRAP. */
br_status_t bri_invoke_answer(br_exec_t *exec);
void bri_invoke_free(br_exec_t *exec);

/* Fuel bookkeeping every tier shares: a run's loop counts down a local
 * counter of at most BRI_FUEL_CHUNK; the rest of the budget waits in
 * exec->fuel_reserve (read by exec.c when the run returns). The first
 * chunk of `budget`: */
static inline int64_t
bri_fuel_first(br_exec_t *exec, int64_t budget)
{
    int64_t fuel = budget < BRI_FUEL_CHUNK ? budget : BRI_FUEL_CHUNK;
    exec->fuel_reserve = budget - fuel;
    return fuel;
}

/* The local counter `fuel` (negative: spent) refilled from the reserve
 * in chunks; still negative when the budget is spent (the run yields). */
static inline int64_t
bri_fuel_refill(br_exec_t *exec, int64_t fuel)
{
    while (fuel < 0 && exec->fuel_reserve > 0) {
        int64_t take = exec->fuel_reserve < BRI_FUEL_CHUNK ? exec->fuel_reserve
                                                           : BRI_FUEL_CHUNK;
        exec->fuel_reserve -= take;
        fuel += take;
    }
    return fuel;
}

/* Slots a function type's params take. */
static inline uint32_t
bri_param_slots(const br_functype_t *t)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->param_count; i++)
        n += bri_slots_of(t->params[i]);
    return n;
}

static inline uint32_t
bri_result_slots(const br_functype_t *t)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->result_count; i++)
        n += bri_slots_of(t->results[i]);
    return n;
}

/* Typed value -> slot(s); i32/f32 zero-extended (code.h). Returns the
 * number of slots written. */
static inline uint32_t
bri_val_to_slot(br_valkind_t kind, const br_val_t *v, br_slot_t *out)
{
    switch (kind) {
    case BR_I32:
    case BR_F32:
        out->u64 = v->of.u32;
        return 1;
    case BR_FUNCREF:
    case BR_EXTERNREF:
    case BR_EXNREF:
        out->u64 = 0;
        out->ref = v->of.ref;
        return 1;
    case BR_V128:
        memcpy(out, v->of.v128, 16);
        return 2;
    default:
        out->u64 = v->of.u64;
        return 1;
    }
}

/* A function type's results, typed values -> slots from `out`. */
static inline void
bri_results_to_slots(const br_functype_t *t, const br_val_t *vals,
                     br_slot_t *out)
{
    for (uint32_t i = 0, j = 0; i < t->result_count; i++)
        j += bri_val_to_slot(t->results[i], &vals[i], out + j);
}

/* Slot(s) -> typed value; keeps the upper half of i32/f32 zero. */
static inline uint32_t
bri_slot_to_val(br_valkind_t kind, const br_slot_t *in, br_val_t *out)
{
    memset(&out->of, 0, sizeof out->of);
    out->kind = kind;
    switch (kind) {
    case BR_I32:
    case BR_F32:
        out->of.u64 = (uint32_t)in->u64;
        return 1;
    case BR_FUNCREF:
    case BR_EXTERNREF:
    case BR_EXNREF:
        out->of.ref = in->ref;
        return 1;
    case BR_V128:
        memcpy(out->of.v128, in, 16);
        return 2;
    default:
        out->of.u64 = in->u64;
        return 1;
    }
}

/* Pushes a frame for wasm `func` whose params sit at slot `base`. The
 * fast path is inline; growing the stacks is not. NULL: trap recorded
 * (the caller's frame must have its pc saved). */
static inline bri_frame_t *
bri_frame_push(br_exec_t *exec, br_func_t *func, uint32_t base,
               br_memory_t *caller_mem0, const br_instance_t *caller_inst)
{
    const bri_code_t *code = func->code;
    uint64_t top = (uint64_t)base + code->frame_slots;
    if (BR_UNLIKELY(top > exec->stack_cap ||
                    exec->frame_count == exec->frame_cap)) {
        if (!bri_runtime_grow(exec, top))
            return NULL;
    }
    bri_frame_t *fr = &exec->frames[exec->frame_count++];
    fr->pc = code->words;
    fr->code = code;
    fr->func = func;
    fr->inst = func->inst;
    fr->mem0 = func->inst == caller_inst ? caller_mem0
                                         : bri_runtime_mem0(exec, func->inst);
    fr->base = base;
    br_slot_t *s = exec->stack + base;
    if (code->local_slots > code->param_slots)
        memset(s + code->param_slots, 0,
               (size_t)(code->local_slots - code->param_slots) *
                   sizeof(br_slot_t));
    return fr;
}

#endif
