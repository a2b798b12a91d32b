/*
 * beamr engine: execution contexts: the br_exec_* state machine (calls,
 * runs, results, suspension in host calls and their answers). It picks
 * the tier that runs a call (interp.c) and answers the native imports
 * (invoke.c); the services the tiers share are in runtime.c, below.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "exec.h"
#include "exec_gc.h"
#include "native/native.h"

/* ------------------------------------------------------------------ */
/* Creation and teardown                                               */

br_exec_t *
br_exec_new(br_store_t *store)
{
    if (store == NULL)
        return NULL;
    br_exec_t *exec = bri_alloc(&store->alloc, sizeof *exec);
    if (exec == NULL)
        return NULL;
    memset(exec, 0, sizeof *exec);
    exec->store = store;
    exec->alloc = store->alloc;
    exec->state = BRI_EXEC_IDLE;
    atomic_init(&exec->cancelled, false);
    exec->stack_max = store->limits.max_stack_slots
                          ? store->limits.max_stack_slots
                          : BRI_DEFAULT_STACK_SLOTS;
    exec->frame_max = store->limits.max_call_depth
                          ? store->limits.max_call_depth
                          : BRI_DEFAULT_CALL_DEPTH;
    /* its stack holds GC roots: the store's collector scans it */
    exec->gc_next = store->execs;
    if (store->execs != NULL)
        store->execs->gc_prev = exec;
    store->execs = exec;
    exec->listed = true;
    return exec;
}

static void
unlist(br_exec_t *exec)
{
    if (!exec->listed)
        return;
    if (exec->gc_prev != NULL)
        exec->gc_prev->gc_next = exec->gc_next;
    else
        exec->store->execs = exec->gc_next;
    if (exec->gc_next != NULL)
        exec->gc_next->gc_prev = exec->gc_prev;
    exec->listed = false;
}

static void
free_exceptions(br_exec_t *exec)
{
    bri_exception_t *e = exec->exceptions;
    while (e != NULL) {
        bri_exception_t *next = e->next;
        bri_free(&exec->alloc, e,
                 sizeof *e + e->slot_count * sizeof(br_slot_t));
        e = next;
    }
    exec->exceptions = NULL;
}

void
br_exec_delete(br_exec_t *exec)
{
    if (exec == NULL)
        return;
    unlist(exec);
    free_exceptions(exec);
    bri_invoke_free(exec);
    bri_free(&exec->alloc, exec->stack, exec->stack_cap * sizeof(br_slot_t));
    bri_free(&exec->alloc, exec->frames, exec->frame_cap * sizeof(bri_frame_t));
    bri_free(&exec->alloc, exec->results, exec->result_cap * sizeof(br_val_t));
    bri_free(&exec->alloc, exec->host_args, exec->host_cap * sizeof(br_val_t));
    bri_free(&exec->alloc, exec->host_results,
             exec->host_cap * sizeof(br_val_t));
    bri_allocator_t alloc = exec->alloc;
    bri_free(&alloc, exec, sizeof *exec);
}

/* ------------------------------------------------------------------ */
/* Preparing a call                                                    */

static bool
args_match(const br_functype_t *t, const br_val_t *args, size_t n)
{
    if (n != t->param_count || (n != 0 && args == NULL))
        return false;
    for (size_t i = 0; i < n; i++)
        if (args[i].kind != t->params[i])
            return false;
    return true;
}

/* A wasm function's parameters of non-null reference types ((ref $t),
 * (ref func) ...) take no null from the host, and its GC reference
 * parameters only values of their type (a struct of another type would
 * be read with the wrong layout). */
static bool
args_non_null(const br_func_t *func, const br_val_t *args)
{
    if (func->inst == NULL || func->type->param_count == 0)
        return true;
    const br_module_t *m = func->inst->module;
    if (m->ftypes == NULL) /* a module built by hand (tests) */
        return true;
    const bri_functype_t *ft = &m->ftypes[m->funcs[func->index].type];
    for (uint32_t i = 0; i < ft->param_count; i++) {
        if (!bri_vt_nullable(ft->params[i]) && args[i].of.ref == NULL)
            return false;
        if (args[i].kind == BR_ANYREF &&
            !bri_gc_ref_test(func->inst, args[i].of.ref, ft->params[i]))
            return false;
    }
    return true;
}

/* The declared type of the pending import as the calling instance
 * imports it (NULL: a host function called directly, or not found). */
static const bri_functype_t *
import_decl(const br_exec_t *exec)
{
    if (exec->frame_count == 0)
        return NULL;
    const br_instance_t *inst = exec->frames[exec->frame_count - 1].inst;
    const br_module_t *m = inst->module;
    if (m->ftypes == NULL)
        return NULL;
    for (uint32_t i = 0; i < m->func_import_count; i++)
        if (inst->funcs[i] == exec->import_func)
            return &m->ftypes[m->funcs[i].type];
    return NULL;
}

/* An import's GC reference results must be of the declared types. */
static bool
results_typed(const br_exec_t *exec, const br_val_t *results, size_t count)
{
    const bri_functype_t *ft = NULL;
    for (size_t i = 0; i < count; i++) {
        if (results[i].kind != BR_ANYREF)
            continue;
        if (ft == NULL && (ft = import_decl(exec)) == NULL)
            return true;
        const br_instance_t *inst = exec->frames[exec->frame_count - 1].inst;
        if (!bri_gc_ref_test(inst, results[i].of.ref, ft->results[i]))
            return false;
    }
    return true;
}

static bool
ensure_results(br_exec_t *exec, uint32_t n)
{
    if (n <= exec->result_cap)
        return true;
    br_val_t *r =
        bri_realloc(&exec->alloc, exec->results,
                    exec->result_cap * sizeof(br_val_t), n * sizeof(br_val_t));
    if (r == NULL)
        return false;
    exec->results = r;
    exec->result_cap = n;
    return true;
}

/* Forgets the previous call: its frames, exceptions, pending import. */
static void
reset(br_exec_t *exec)
{
    free_exceptions(exec);
    exec->frame_count = 0;
    exec->result_count = 0;
    exec->entry = NULL;
    exec->import_func = NULL;
    exec->import_tail = false;
    exec->direct_host = false;
    exec->host_trap_set = false;
    exec->fuel_used = 0;
    memset(&exec->trap, 0, sizeof exec->trap);
    atomic_store(&exec->cancelled, false);
}

/* snapshot_call.c: forgets the previous call and sizes the results for
 * a restored call of `entry`; false when out of memory. */
bool
bri_exec_adopt(br_exec_t *exec, br_func_t *entry)
{
    reset(exec);
    exec->error = BR_ERR_OK;
    exec->grow.pc = NULL;
    exec->state = BRI_EXEC_IDLE;
    if (!ensure_results(exec, entry->type->result_count))
        return false;
    exec->entry = entry;
    exec->result_count = entry->type->result_count;
    return true;
}

/* Ends the call before it starts, with a trap br_exec_run reports. */
static br_err_t
trap_at_entry(br_exec_t *exec, br_trapkind_t kind)
{
    exec->frame_count = 0;
    bri_runtime_trap(exec, kind, NULL);
    exec->state = BRI_EXEC_TRAPPED;
    return BR_ERR_OK;
}

static br_err_t
fail(br_exec_t *exec, br_err_t code)
{
    exec->error = code;
    return code;
}

br_err_t
br_exec_call(br_exec_t *exec, br_func_t *func, const br_val_t *args,
             size_t arg_count)
{
    if (exec == NULL)
        return BR_ERR_INVALID_ARGUMENT;
    if (exec->state == BRI_EXEC_RUNNING || exec->state == BRI_EXEC_YIELDED ||
        exec->state == BRI_EXEC_SUSPENDED)
        return fail(exec, BR_ERR_BUSY);
    if (func == NULL || !args_match(func->type, args, arg_count) ||
        !args_non_null(func, args))
        return fail(exec, BR_ERR_INVALID_ARGUMENT);
    reset(exec);
    exec->error = BR_ERR_OK;
    exec->grow.pc = NULL; /* a grow left by a trap or cancel is over */
    const br_functype_t *t = func->type;
    if (!ensure_results(exec, t->result_count))
        return fail(exec, BR_ERR_OUT_OF_MEMORY);
    uint32_t ps = bri_param_slots(t), rs = bri_result_slots(t);
    uint64_t need = func->code ? func->code->frame_slots : 0;
    need = need > ps ? need : ps;
    need = need > rs ? need : rs;
    exec->entry = func;
    exec->result_count = t->result_count;
    if (!bri_runtime_grow(exec, need < 1 ? 1 : need))
        return trap_at_entry(exec, exec->trap.kind);
    for (uint32_t i = 0, j = 0; i < t->param_count; i++)
        j += bri_val_to_slot(t->params[i], &args[i], exec->stack + j);
    if (func->code != NULL)
        bri_frame_push(exec, func, 0, NULL, NULL); /* room ensured */
    else
        exec->direct_host = true;
    exec->state = BRI_EXEC_READY;
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

/* Entry frame returned (or a direct host call answered): the results
 * are in slots 0.. */
static void
collect_results(br_exec_t *exec)
{
    const br_functype_t *t = exec->entry->type;
    for (uint32_t i = 0, j = 0; i < t->result_count; i++)
        j += bri_slot_to_val(t->results[i], exec->stack + j, &exec->results[i]);
}

static br_status_t
run_direct_host(br_exec_t *exec)
{
    exec->direct_host = false;
    br_host_status_t st = bri_runtime_host(exec, exec->entry, 0);
    if (st == BR_HOST_OK)
        return BR_DONE;
    return st == BR_HOST_SUSPEND ? BR_IMPORT : BR_TRAP;
}

static br_status_t
run_fail(br_exec_t *exec, br_err_t code)
{
    exec->error = code;
    return BR_ERROR;
}

/* What br_exec_run answers for a context that cannot run now. */
static bool
not_runnable(br_exec_t *exec, br_status_t *out)
{
    switch (exec->state) {
    case BRI_EXEC_READY:
    case BRI_EXEC_YIELDED:
        return false;
    case BRI_EXEC_DONE:
        *out = BR_DONE;
        return true;
    case BRI_EXEC_TRAPPED:
        *out = BR_TRAP;
        return true;
    case BRI_EXEC_FAILED:
        *out = BR_ERROR;
        return true;
    case BRI_EXEC_IDLE:
        *out = run_fail(exec, BR_ERR_INVALID_ARGUMENT);
        return true;
    default: /* running (re-entered) or waiting for an answer */
        *out = run_fail(exec, BR_ERR_BUSY);
        return true;
    }
}

static br_status_t
run_steps(br_exec_t *exec, int64_t budget)
{
    exec->fuel_left = budget;
    exec->fuel_reserve = 0;
    if (atomic_load(&exec->cancelled)) {
        const uint32_t *pc =
            exec->frame_count ? exec->frames[exec->frame_count - 1].pc : NULL;
        bri_runtime_trap(exec, BR_TRAP_CANCELLED, pc);
        return BR_TRAP;
    }
    if (exec->direct_host)
        return run_direct_host(exec);
    if (exec->frame_count == 0)
        return BR_DONE; /* an answered import finished the call */
#if BRI_HAVE_NATIVE
    /* the tier (docs/native-tier.md): the interpreter's loop with the
     * native hooks, entering machine code where it has some */
    if (exec->store->tier != BR_TIER_INTERP)
        return bri_interp_run_native(exec, budget);
#endif
    return bri_interp_run(exec, budget);
}

static bri_exec_state_t
state_after(br_status_t st)
{
    switch (st) {
    case BR_DONE:
        return BRI_EXEC_DONE;
    case BR_YIELD:
        return BRI_EXEC_YIELDED;
    case BR_TRAP:
        return BRI_EXEC_TRAPPED;
    case BR_IMPORT:
        return BRI_EXEC_SUSPENDED;
    default:
        return BRI_EXEC_FAILED;
    }
}

br_status_t
br_exec_run(br_exec_t *exec, int64_t fuel)
{
    br_status_t st;
    if (exec == NULL)
        return BR_ERROR;
    if (not_runnable(exec, &st))
        return st;
    int64_t budget = fuel < 0 ? INT64_MAX : fuel;
    exec->state = BRI_EXEC_RUNNING;
    st = run_steps(exec, budget);
    /* Emscripten's invoke_* and longjmp run on in the engine (invoke.c):
     * the rest of the budget goes on. */
    while (st == BR_IMPORT && bri_invoke_is_native(exec->import_func)) {
        st = bri_invoke_answer(exec);
        int64_t left = exec->fuel_reserve + exec->fuel_left;
        if (st == BR_YIELD)
            st = run_steps(exec, left > 0 ? left : 0);
    }
    exec->fuel_used = budget - exec->fuel_reserve - exec->fuel_left;
    if (st == BR_DONE)
        collect_results(exec);
    if (st == BR_TRAP && exec->trap.kind == BR_TRAP_CANCELLED)
        atomic_store(&exec->cancelled, false);
    if (st == BR_DONE || st == BR_TRAP || st == BR_ERROR)
        free_exceptions(exec);
    exec->state = state_after(st);
    return st;
}

/* ------------------------------------------------------------------ */
/* Results, traps, imports                                             */

size_t
br_exec_result_count(const br_exec_t *exec)
{
    return exec->state == BRI_EXEC_DONE ? exec->result_count : 0;
}

const br_val_t *
br_exec_results(const br_exec_t *exec)
{
    return exec->state == BRI_EXEC_DONE ? exec->results : NULL;
}

const br_trap_t *
br_exec_trap(const br_exec_t *exec)
{
    return exec->state == BRI_EXEC_TRAPPED ? &exec->trap : NULL;
}

br_err_t
br_exec_error(const br_exec_t *exec)
{
    return exec->error;
}

br_func_t *
br_exec_import_func(const br_exec_t *exec)
{
    return exec->state == BRI_EXEC_SUSPENDED ? exec->import_func : NULL;
}

const br_val_t *
br_exec_import_args(const br_exec_t *exec)
{
    return exec->state == BRI_EXEC_SUSPENDED ? exec->host_args : NULL;
}

br_instance_t *
br_exec_caller_instance(const br_exec_t *exec)
{
    if (exec->frame_count == 0)
        return NULL;
    return exec->frames[exec->frame_count - 1].inst;
}

/*
 * The answer of a return_call to a host function is also the tail
 * caller's answer: move it to the frame's slot 0 and pop the frame.
 */
static void
finish_tail_import(br_exec_t *exec, uint32_t n)
{
    bri_frame_t *f = &exec->frames[exec->frame_count - 1];
    memmove(exec->stack + f->base, exec->stack + exec->import_slot,
            n * sizeof(br_slot_t));
    exec->frame_count--;
}

br_err_t
br_exec_resume(br_exec_t *exec, const br_val_t *results, size_t count)
{
    if (exec->state != BRI_EXEC_SUSPENDED)
        return fail(exec, BR_ERR_INVALID_ARGUMENT);
    const br_functype_t *t = exec->import_func->type;
    if (count != t->result_count || (count != 0 && results == NULL))
        return fail(exec, BR_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < count; i++)
        if (results[i].kind != t->results[i])
            return fail(exec, BR_ERR_INVALID_ARGUMENT);
    if (!results_typed(exec, results, count))
        return fail(exec, BR_ERR_INVALID_ARGUMENT);
    bri_results_to_slots(t, results, exec->stack + exec->import_slot);
    if (exec->import_tail)
        finish_tail_import(exec, bri_result_slots(t));
    exec->import_tail = false;
    exec->state = BRI_EXEC_READY;
    return BR_ERR_OK;
}

static void
trap_pending_import(br_exec_t *exec)
{
    bri_runtime_host_backtrace(exec);
    free_exceptions(exec);
    exec->state = BRI_EXEC_TRAPPED;
}

void
br_exec_resume_trap(br_exec_t *exec, const char *message)
{
    if (exec->state != BRI_EXEC_SUSPENDED) {
        exec->error = BR_ERR_INVALID_ARGUMENT;
        return;
    }
    exec->trap.kind = BR_TRAP_HOST;
    exec->trap.exit_code = 0;
    bri_runtime_trap_message(&exec->trap, message);
    trap_pending_import(exec);
}

/* Inside a host call: chooses the trap its BR_HOST_TRAP will raise.
 * While suspended it answers the import with that trap at once. */
void
br_exec_host_trap(br_exec_t *exec, br_trapkind_t kind, int32_t exit_code,
                  const char *message)
{
    exec->trap.kind = kind;
    exec->trap.exit_code = exit_code;
    bri_runtime_trap_message(&exec->trap, message);
    exec->host_trap_set = true;
    if (exec->state == BRI_EXEC_SUSPENDED) {
        exec->host_trap_set = false;
        trap_pending_import(exec);
    }
}

/*
 * Calls the pending host function again (it suspended to wait for
 * something, WASI stdin from a pipe say): its answer resumes the call,
 * or it suspends again (*waiting), or it traps.
 */
br_err_t
br_exec_import_retry(br_exec_t *exec, bool *waiting)
{
    *waiting = false;
    if (exec->state != BRI_EXEC_SUSPENDED || exec->import_func == NULL ||
        exec->import_func->host == NULL)
        return BR_ERR_INVALID_ARGUMENT;
    br_func_t *f = exec->import_func;
    exec->host_trap_set = false;
    br_host_status_t st =
        f->host(f->env, exec, exec->host_args, exec->host_results);
    if (st == BR_HOST_SUSPEND) {
        *waiting = true;
        return BR_ERR_OK;
    }
    if (st == BR_HOST_TRAP) {
        if (exec->state == BRI_EXEC_SUSPENDED) /* no br_exec_host_trap */
            br_exec_resume_trap(exec, NULL);
        return BR_ERR_OK;
    }
    return br_exec_resume(exec, exec->host_results, f->type->result_count);
}

void
br_exec_cancel(br_exec_t *exec)
{
    atomic_store(&exec->cancelled, true);
}

int64_t
br_exec_fuel_used(const br_exec_t *exec)
{
    return exec->fuel_used;
}

br_store_t *
br_exec_store(const br_exec_t *exec)
{
    return exec->store;
}

/* ------------------------------------------------------------------ */
/* Blocking wrapper                                                    */

static br_status_t
call_to_end(br_exec_t *exec, br_func_t *func, const br_val_t *args,
            size_t arg_count)
{
    if (br_exec_call(exec, func, args, arg_count) != BR_ERR_OK)
        return BR_ERROR;
    br_status_t st;
    do
        st = br_exec_run(exec, -1);
    while (st == BR_YIELD);
    return st == BR_IMPORT ? BR_ERROR : st; /* nobody can answer it */
}

br_status_t
br_func_call(br_store_t *store, br_func_t *func, const br_val_t *args,
             size_t arg_count, br_val_t *results, size_t result_cap,
             br_trap_t *trap)
{
    if (store == NULL || func == NULL ||
        result_cap < func->type->result_count ||
        (result_cap != 0 && results == NULL))
        return BR_ERROR;
    br_exec_t *exec = br_exec_new(store);
    if (exec == NULL)
        return BR_ERROR;
    br_status_t st = call_to_end(exec, func, args, arg_count);
    if (st == BR_DONE && exec->result_count != 0)
        memcpy(results, exec->results, exec->result_count * sizeof *results);
    if (st == BR_TRAP && trap != NULL)
        *trap = exec->trap;
    br_exec_delete(exec);
    return st;
}
