/*
 * beamr engine: links to other instances' functions, and Emscripten's
 * JS-style `invoke_*` and
 * `_emscripten_throw_longjmp` imports, run inside the engine. An
 * invoke calls the function at an index of table 0 as if the caller had
 * called it; a longjmp unwinds to the innermost open invoke, which then
 * returns zeros after `setThrew(1, 0)`, as Emscripten's JS glue does.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "exec.h"

/*
 * An invoke whose callee is running: the callee's frame is at `depth`,
 * its caller at depth - 1 waiting at `ret_pc` with the invoke's results
 * due at slot `slot`. Marks are pushed when an invoke enters a wasm
 * function and are never popped on return (the interpreter's return
 * path knows nothing of them): a mark is valid only while its frames
 * are still the ones it recorded, which is checked when a longjmp needs
 * it.
 */
typedef struct bri_invoke_mark {
    uint32_t depth;
    uint32_t slot;
    const uint32_t *ret_pc;
    const br_func_t *caller;
    const br_func_t *callee;
    const br_func_t *invoke;
    bool host; /* the callee is a host function: no frame of its own */
} bri_invoke_mark_t;

struct bri_invoke {
    uint32_t count, cap;
    bri_invoke_mark_t *marks;
};

/* The three host functions only suspend: br_exec_run answers them
 * (below) before the embedder ever sees the import. They stay three
 * identical functions on purpose: their addresses tell which kind of
 * import suspended (bri_invoke_is_native, bri_invoke_answer), so they
 * must not be folded into one. */
static br_host_status_t
invoke_host(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    (void)env;
    (void)exec;
    (void)args;
    (void)results;
    return BR_HOST_SUSPEND;
}

static br_host_status_t
longjmp_host(void *env, br_exec_t *exec, const br_val_t *args,
             br_val_t *results)
{
    (void)env;
    (void)exec;
    (void)args;
    (void)results;
    return BR_HOST_SUSPEND;
}

static br_host_status_t
link_host(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    (void)env;
    (void)exec;
    (void)args;
    (void)results;
    return BR_HOST_SUSPEND;
}

bool
br_func_is_host(const br_func_t *func)
{
    return func->code == NULL;
}

br_func_t *
br_func_new_link(br_store_t *store, const br_link_t *link)
{
    if (link == NULL || link->target == NULL)
        return NULL;
    return br_func_new_host(store, link->target->type, link_host, (void *)link);
}

br_func_t *
br_func_new_invoke(br_store_t *store, const br_functype_t *type)
{
    if (type->param_count == 0 ||
        (type->params[0] != BR_I32 && type->params[0] != BR_I64))
        return NULL;
    return br_func_new_host(store, type, invoke_host, NULL);
}

br_func_t *
br_func_new_longjmp(br_store_t *store, const br_functype_t *type)
{
    return br_func_new_host(store, type, longjmp_host, NULL);
}

bool
bri_invoke_is_native(const br_func_t *func)
{
    return func != NULL &&
           (func->host == invoke_host || func->host == longjmp_host ||
            func->host == link_host);
}

void
bri_invoke_free(br_exec_t *exec)
{
    struct bri_invoke *iv = exec->invoke;
    if (iv == NULL)
        return;
    bri_free(&exec->alloc, iv->marks, iv->cap * sizeof *iv->marks);
    bri_free(&exec->alloc, iv, sizeof *iv);
    exec->invoke = NULL;
}

/* ------------------------------------------------------------------ */
/* Traps                                                               */

/* Traps the pending import with `kind` and a message of our own. */
static br_status_t
invoke_trap(br_exec_t *exec, br_trapkind_t kind, const char *message)
{
    const uint32_t *pc = NULL;
    if (exec->frame_count != 0)
        pc = exec->frames[exec->frame_count - 1].pc - 1;
    bri_runtime_trap(exec, kind, pc);
    if (message != NULL)
        snprintf(exec->trap.message, sizeof exec->trap.message, "%s", message);
    return BR_TRAP;
}

/* ------------------------------------------------------------------ */
/* Marks                                                               */

static bool
push_mark(br_exec_t *exec, const bri_invoke_mark_t *m)
{
    struct bri_invoke *iv = exec->invoke;
    if (iv == NULL) {
        iv = bri_alloc(&exec->alloc, sizeof *iv);
        if (iv == NULL)
            return false;
        memset(iv, 0, sizeof *iv);
        exec->invoke = iv;
    }
    /* Marks at or above this depth belong to invokes that are over. */
    while (iv->count > 0 && iv->marks[iv->count - 1].depth >= m->depth)
        iv->count--;
    if (iv->count == iv->cap) {
        uint32_t n = iv->cap ? iv->cap * 2 : 8;
        bri_invoke_mark_t *p = bri_realloc(&exec->alloc, iv->marks,
                                           iv->cap * sizeof *p, n * sizeof *p);
        if (p == NULL)
            return false;
        iv->marks = p;
        iv->cap = n;
    }
    iv->marks[iv->count++] = *m;
    return true;
}

/* A host callee (an import that throws, say) is live while it is the
 * pending import of its caller, still waiting at the invoke. */
static bool
mark_is_live(const br_exec_t *exec, const bri_invoke_mark_t *m)
{
    if (m->depth == 0 || m->depth > exec->frame_count)
        return false;
    const bri_frame_t *caller = &exec->frames[m->depth - 1];
    if (caller->func != m->caller || caller->pc != m->ret_pc)
        return false;
    if (m->host)
        return m->depth == exec->frame_count &&
               exec->import_func == m->callee && exec->import_slot == m->slot;
    const bri_frame_t *callee = &exec->frames[m->depth];
    return m->depth < exec->frame_count && callee->func == m->callee &&
           callee->base == m->slot;
}

/* The innermost live mark (dropping the dead ones above it), or NULL. */
static const bri_invoke_mark_t *
live_mark(br_exec_t *exec)
{
    struct bri_invoke *iv = exec->invoke;
    while (iv != NULL && iv->count > 0) {
        const bri_invoke_mark_t *m = &iv->marks[iv->count - 1];
        if (mark_is_live(exec, m))
            return m;
        iv->count--;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* invoke_*(Index, Args...)                                            */

/* Empty kind lists may be NULL: no memcmp on them. */
static bool
same_kinds(const br_valkind_t *a, const br_valkind_t *b, uint32_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

/* The callee at table 0[index] of the caller's instance, of the
 * invoke's type less its index; NULL with the trap recorded. */
static br_func_t *
invoke_callee(br_exec_t *exec, const br_functype_t *t, br_status_t *st)
{
    const bri_frame_t *top = &exec->frames[exec->frame_count - 1];
    br_table_t *table = br_instance_table(top->inst, 0);
    const br_val_t *index = &exec->host_args[0];
    uint64_t i = t->params[0] == BR_I32 ? index->of.u32 : index->of.u64;
    br_ref_t ref = NULL;
    if (table == NULL || br_table_elem_kind(table) != BR_FUNCREF ||
        !br_table_get(table, i, &ref)) {
        *st = invoke_trap(exec, BR_TRAP_UNDEFINED_ELEMENT, NULL);
        return NULL;
    }
    if (ref == NULL) {
        *st = invoke_trap(exec, BR_TRAP_UNINITIALIZED_ELEMENT, NULL);
        return NULL;
    }
    br_func_t *f = ref;
    const br_functype_t *ft = f->type;
    bool same = ft->param_count + 1 == t->param_count &&
                ft->result_count == t->result_count &&
                same_kinds(ft->params, t->params + 1, ft->param_count) &&
                same_kinds(ft->results, t->results, ft->result_count);
    if (!same) {
        *st = invoke_trap(exec, BR_TRAP_INDIRECT_TYPE_MISMATCH, NULL);
        return NULL;
    }
    return f;
}

/*
 * Calls the callee in place of the invoke: its arguments move down over
 * the index, so that its frame starts at the invoke's slot and its
 * results land where the caller expects the invoke's results.
 */
static br_status_t
enter_invoke(br_exec_t *exec)
{
    br_status_t st = BR_TRAP;
    if (exec->frame_count == 0)
        return invoke_trap(exec, BR_TRAP_HOST,
                           "invoke_* called from outside wasm code");
    if (exec->import_tail)
        return invoke_trap(exec, BR_TRAP_HOST,
                           "invoke_* as a tail call is not supported");
    const br_func_t *inv = exec->import_func;
    br_func_t *f = invoke_callee(exec, inv->type, &st);
    if (f == NULL)
        return st;
    uint32_t slot = exec->import_slot;
    memmove(exec->stack + slot, exec->stack + slot + 1,
            bri_param_slots(f->type) * sizeof(br_slot_t));
    bri_frame_t *caller = &exec->frames[exec->frame_count - 1];
    bri_invoke_mark_t m = {exec->frame_count, slot, caller->pc,
                           caller->func,      f,    inv,
                           f->code == NULL};
    if (!push_mark(exec, &m))
        return invoke_trap(exec, BR_TRAP_OUT_OF_MEMORY, NULL);
    if (f->code == NULL) {
        br_host_status_t hs = bri_runtime_host(exec, f, slot);
        if (hs == BR_HOST_OK)
            return BR_YIELD;
        return hs == BR_HOST_SUSPEND ? BR_IMPORT : BR_TRAP;
    }
    if (bri_frame_push(exec, f, slot, caller->mem0, caller->inst) == NULL)
        return BR_TRAP; /* trap recorded */
    return BR_YIELD;
}

/* ------------------------------------------------------------------ */
/* _emscripten_throw_longjmp()                                          */

/* setThrew(1, 0) of `inst`, its frame pushed at slot `base`. */
static br_status_t
call_set_threw(br_exec_t *exec, br_instance_t *inst, uint32_t base)
{
    br_extern_t ext;
    if (!br_instance_export(inst, "setThrew", 8, &ext) ||
        ext.kind != BR_EXTERN_FUNC || ext.of.func->code == NULL)
        return invoke_trap(exec, BR_TRAP_HOST,
                           "longjmp: the module exports no setThrew");
    br_func_t *f = ext.of.func;
    const br_functype_t *t = f->type;
    if (t->param_count != 2 || t->result_count != 0)
        return invoke_trap(exec, BR_TRAP_HOST,
                           "longjmp: setThrew has an unexpected type");
    br_val_t args[2];
    for (uint32_t i = 0; i < 2; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].kind = t->params[i];
    }
    if (t->params[0] == BR_I64)
        args[0].of.i64 = 1;
    else
        args[0].of.i32 = 1;
    if (!bri_runtime_grow(exec, (uint64_t)base + 2))
        return BR_TRAP;
    for (uint32_t i = 0, j = 0; i < 2; i++)
        j += bri_val_to_slot(t->params[i], &args[i], exec->stack + base + j);
    bri_frame_t *caller = &exec->frames[exec->frame_count - 1];
    if (bri_frame_push(exec, f, base, caller->mem0, caller->inst) == NULL)
        return BR_TRAP;
    return BR_YIELD;
}

/*
 * Unwinds to the innermost open invoke: its callee and everything above
 * end, the invoke answers zeros, and setThrew(1, 0) runs before the
 * caller goes on (it then sees the longjmp through __THREW__). Without
 * an open invoke the longjmp has nowhere to go: a trap, as an uncaught
 * JS exception would be.
 */
static br_status_t
do_longjmp(br_exec_t *exec)
{
    const bri_invoke_mark_t *m = live_mark(exec);
    if (m == NULL)
        return invoke_trap(exec, BR_TRAP_HOST,
                           "longjmp without an enclosing invoke_*");
    bri_invoke_mark_t mark = *m;
    exec->invoke->count--;
    exec->frame_count = mark.depth;
    const br_functype_t *t = mark.invoke->type;
    uint32_t rn = bri_result_slots(t);
    memset(exec->stack + mark.slot, 0, rn * sizeof(br_slot_t));
    return call_set_threw(exec, exec->frames[mark.depth - 1].inst,
                          mark.slot + rn);
}

/*
 * Answers a pending import (an Erlang `__cxa_throw', say) with a throw
 * that invoke_* catches: the same unwinding as a longjmp. Without an
 * open invoke the call traps.
 */
br_err_t
br_exec_resume_unwind(br_exec_t *exec)
{
    if (exec->state != BRI_EXEC_SUSPENDED)
        return BR_ERR_INVALID_ARGUMENT;
    exec->import_tail = false;
    br_status_t st = do_longjmp(exec);
    exec->state = st == BR_YIELD ? BRI_EXEC_READY : BRI_EXEC_TRAPPED;
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Links                                                               */

/* Calls the linked function in place of the import: its arguments are
 * already where its frame starts. */
static br_status_t
enter_link(br_exec_t *exec)
{
    const br_link_t *link = exec->import_func->env;
    if (atomic_load(link->gone))
        return invoke_trap(exec, BR_TRAP_HOST, "linked instance stopped");
    if (exec->frame_count == 0 || exec->import_tail)
        return invoke_trap(exec, BR_TRAP_HOST,
                           "a linked function as a tail call or entry "
                           "point is not supported");
    br_func_t *f = link->target;
    uint32_t slot = exec->import_slot;
    if (f->code == NULL) {
        br_host_status_t hs = bri_runtime_host(exec, f, slot);
        if (hs == BR_HOST_OK)
            return BR_YIELD;
        return hs == BR_HOST_SUSPEND ? BR_IMPORT : BR_TRAP;
    }
    bri_frame_t *caller = &exec->frames[exec->frame_count - 1];
    if (bri_frame_push(exec, f, slot, caller->mem0, caller->inst) == NULL)
        return BR_TRAP; /* trap recorded */
    return BR_YIELD;
}

br_status_t
bri_invoke_answer(br_exec_t *exec)
{
    if (exec->import_func->host == link_host)
        return enter_link(exec);
    if (exec->import_func->host == longjmp_host)
        return do_longjmp(exec);
    return enter_invoke(exec);
}
