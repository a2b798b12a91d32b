/*
 * beamr engine: execution contexts: the br_exec_* state machine, stack
 * growth, traps with backtraces, host calls and suspension, exceptions.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "exec.h"

/* First sizes of the stacks; both double up to the store's limits. */
#define INITIAL_SLOTS 256u
#define INITIAL_FRAMES 16u

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
    return exec;
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
/* Stack growth                                                        */

static uint64_t
grown(uint64_t cap, uint64_t need, uint64_t first, uint64_t max)
{
    uint64_t n = cap ? cap * 2 : first;
    if (n < need)
        n = need;
    return n > max ? max : n;
}

static br_trapkind_t
grow_stack(br_exec_t *exec, uint64_t top)
{
    if (top > exec->stack_max)
        return BR_TRAP_STACK_EXHAUSTED;
    uint64_t n = grown(exec->stack_cap, top, INITIAL_SLOTS, exec->stack_max);
    br_slot_t *s = bri_realloc(&exec->alloc, exec->stack,
                               exec->stack_cap * sizeof(br_slot_t),
                               (size_t)n * sizeof(br_slot_t));
    if (s == NULL)
        return BR_TRAP_OUT_OF_MEMORY;
    exec->stack = s;
    exec->stack_cap = (uint32_t)n;
    return BR_TRAP_NONE;
}

static br_trapkind_t
grow_frames(br_exec_t *exec)
{
    if (exec->frame_cap >= exec->frame_max)
        return BR_TRAP_STACK_EXHAUSTED;
    uint64_t n = grown(exec->frame_cap, exec->frame_cap + 1ull, INITIAL_FRAMES,
                       exec->frame_max);
    bri_frame_t *f = bri_realloc(&exec->alloc, exec->frames,
                                 exec->frame_cap * sizeof(bri_frame_t),
                                 (size_t)n * sizeof(bri_frame_t));
    if (f == NULL)
        return BR_TRAP_OUT_OF_MEMORY;
    exec->frames = f;
    exec->frame_cap = (uint32_t)n;
    return BR_TRAP_NONE;
}

/*
 * Both limits are traps, never crashes: a frame beyond max_call_depth or
 * slots beyond max_stack_slots is STACK_EXHAUSTED, a refused allocation
 * OUT_OF_MEMORY. Only the kind is stored here; the caller records the
 * trap with the pc it knows.
 */
bool
bri_exec_grow(br_exec_t *exec, uint64_t top)
{
    br_trapkind_t k = BR_TRAP_NONE;
    if (top > exec->stack_cap)
        k = grow_stack(exec, top);
    if (k == BR_TRAP_NONE && exec->frame_count == exec->frame_cap)
        k = grow_frames(exec);
    exec->trap.kind = k;
    return k == BR_TRAP_NONE;
}

br_memory_t *
bri_exec_mem0(br_exec_t *exec, const br_instance_t *inst)
{
    if (inst != NULL && inst->module != NULL && inst->module->memory_count > 0)
        return inst->memories[0];
    return &exec->no_memory;
}

/* ------------------------------------------------------------------ */
/* Traps and backtraces                                                */

static void
set_message(br_trap_t *trap, const char *msg)
{
    snprintf(trap->message, sizeof trap->message, "%s",
             msg != NULL ? msg : br_trap_message(trap->kind));
}

/* Byte offset of the last site at or before `pc` (binary search). */
static uint32_t
site_offset(const bri_code_t *code, uint32_t pc)
{
    uint32_t lo = 0, hi = code->site_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (code->sites[mid].pc <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? 0 : code->sites[lo - 1].offset;
}

/* Innermost frame first; callers are inside their call instruction. */
static void
record_frames(br_exec_t *exec, const uint32_t *top_pc)
{
    br_trap_t *t = &exec->trap;
    t->frame_count = 0;
    for (uint32_t i = exec->frame_count; i-- > 0;) {
        if (t->frame_count == BR_TRAP_MAX_FRAMES)
            break;
        const bri_frame_t *f = &exec->frames[i];
        const uint32_t *pc = i + 1 == exec->frame_count ? top_pc : f->pc - 1;
        br_frame_info_t *info = &t->frames[t->frame_count++];
        info->func_index = f->func->index;
        info->code_offset =
            site_offset(f->code, (uint32_t)(pc - f->code->words));
    }
}

void
bri_exec_trap(br_exec_t *exec, br_trapkind_t kind, const uint32_t *pc)
{
    exec->trap.kind = kind;
    exec->trap.exit_code = 0;
    set_message(&exec->trap, NULL);
    record_frames(exec, pc);
}

/* The pc of the top frame while it waits in a host call: inside the
 * call instruction (its saved pc is the return pc). */
static const uint32_t *
host_call_pc(const br_exec_t *exec)
{
    if (exec->frame_count == 0)
        return NULL;
    return exec->frames[exec->frame_count - 1].pc - 1;
}

/* ------------------------------------------------------------------ */
/* Host calls                                                          */

bool
bri_exec_host_buffers(br_exec_t *exec, uint32_t need)
{
    if (need <= exec->host_cap)
        return true;
    uint32_t n = need < 8 ? 8 : need;
    br_val_t *a = bri_alloc(&exec->alloc, n * sizeof(br_val_t));
    br_val_t *r = bri_alloc(&exec->alloc, n * sizeof(br_val_t));
    if (a == NULL || r == NULL) {
        bri_free(&exec->alloc, a, n * sizeof(br_val_t));
        bri_free(&exec->alloc, r, n * sizeof(br_val_t));
        return false;
    }
    bri_free(&exec->alloc, exec->host_args, exec->host_cap * sizeof *a);
    bri_free(&exec->alloc, exec->host_results, exec->host_cap * sizeof *a);
    exec->host_args = a;
    exec->host_results = r;
    exec->host_cap = n;
    return true;
}

static void
results_to_slots(const br_functype_t *t, const br_val_t *vals, br_slot_t *out)
{
    for (uint32_t i = 0, j = 0; i < t->result_count; i++)
        j += bri_val_to_slot(t->results[i], &vals[i], out + j);
}

/* A host function answered BR_HOST_TRAP, maybe after br_exec_host_trap
 * chose the kind, exit code and message. */
static void
record_host_trap(br_exec_t *exec)
{
    if (!exec->host_trap_set) {
        exec->trap.kind = BR_TRAP_HOST;
        exec->trap.exit_code = 0;
        set_message(&exec->trap, NULL);
    }
    exec->host_trap_set = false;
    record_frames(exec, host_call_pc(exec));
}

br_host_status_t
bri_exec_host(br_exec_t *exec, br_func_t *func, uint32_t slot)
{
    const br_functype_t *t = func->type;
    uint32_t need =
        t->param_count > t->result_count ? t->param_count : t->result_count;
    if (!bri_exec_host_buffers(exec, need)) {
        bri_exec_trap(exec, BR_TRAP_OUT_OF_MEMORY, host_call_pc(exec));
        return BR_HOST_TRAP;
    }
    br_slot_t *s = exec->stack + slot;
    for (uint32_t i = 0, j = 0; i < t->param_count; i++)
        j += bri_slot_to_val(t->params[i], s + j, &exec->host_args[i]);
    for (uint32_t i = 0; i < t->result_count; i++) {
        memset(&exec->host_results[i], 0, sizeof(br_val_t));
        exec->host_results[i].kind = t->results[i];
    }
    exec->import_func = func;
    exec->import_slot = slot;
    exec->import_tail = false;
    exec->host_trap_set = false;
    br_host_status_t st =
        func->host(func->env, exec, exec->host_args, exec->host_results);
    if (st == BR_HOST_OK) {
        results_to_slots(t, exec->host_results, exec->stack + slot);
        return BR_HOST_OK;
    }
    if (st == BR_HOST_SUSPEND)
        return BR_HOST_SUSPEND;
    record_host_trap(exec);
    return BR_HOST_TRAP;
}

/* ------------------------------------------------------------------ */
/* Exceptions                                                          */

bri_exception_t *
bri_exec_exception(br_exec_t *exec, const br_tag_t *tag,
                   const br_slot_t *payload)
{
    uint32_t n = bri_param_slots(tag->type);
    bri_exception_t *e =
        bri_alloc(&exec->alloc, sizeof *e + n * sizeof(br_slot_t));
    if (e == NULL)
        return NULL;
    e->tag = tag;
    e->slot_count = n;
    if (n != 0)
        memcpy(e->payload, payload, n * sizeof(br_slot_t));
    e->next = exec->exceptions;
    exec->exceptions = e;
    return e;
}

/* The innermost handler whose try body contains `pc`, or -1. Handlers
 * are sorted by start, so the last containing one is the innermost. */
static int32_t
innermost_handler(const bri_code_t *code, uint32_t pc)
{
    int32_t found = -1;
    for (uint32_t i = 0; i < code->handler_count; i++) {
        const bri_handler_t *h = &code->handlers[i];
        if (h->start > pc)
            break;
        if (pc < h->end)
            found = (int32_t)i;
    }
    return found;
}

/* The catch of handler chain starting at `h` that takes `exn`, or NULL;
 * *out_h is the handler it belongs to. */
static const bri_catch_t *
find_catch(const bri_frame_t *f, int32_t h, const bri_exception_t *exn,
           const bri_handler_t **out_h)
{
    while (h >= 0) {
        const bri_handler_t *hd = &f->code->handlers[h];
        if (hd->kind == BRI_HANDLER_DELEGATE) {
            h = hd->delegate_to;
            continue;
        }
        for (uint32_t i = 0; i < hd->catch_count; i++) {
            const bri_catch_t *c = &hd->catches[i];
            if (c->tag == BR_NO_INDEX || f->inst->tags[c->tag] == exn->tag) {
                *out_h = hd;
                return c;
            }
        }
        h = hd->parent;
    }
    return NULL;
}

/*
 * The search runs over the frames without changing them, so an uncaught
 * exception gets the full backtrace. A catch_all receives no payload: its
 * frame was sized for the values its own block pushes, not the tag's.
 */
bool
bri_exec_throw(br_exec_t *exec, bri_exception_t *exn)
{
    for (uint32_t i = exec->frame_count; i-- > 0;) {
        bri_frame_t *f = &exec->frames[i];
        const uint32_t *pc = i + 1 == exec->frame_count ? f->pc : f->pc - 1;
        int32_t h = innermost_handler(f->code, (uint32_t)(pc - f->code->words));
        const bri_handler_t *hd = NULL;
        const bri_catch_t *c = find_catch(f, h, exn, &hd);
        if (c == NULL)
            continue;
        br_slot_t *s = exec->stack + f->base;
        if (c->tag != BR_NO_INDEX && exn->slot_count != 0)
            memcpy(s + hd->height, exn->payload,
                   exn->slot_count * sizeof(br_slot_t));
        s[hd->exn_slot].u64 = 0;
        s[hd->exn_slot].ref = exn;
        f->pc = f->code->words + c->pc;
        exec->frame_count = i + 1;
        return true;
    }
    bri_exec_trap(exec, BR_TRAP_UNCAUGHT_EXCEPTION,
                  exec->frames[exec->frame_count - 1].pc);
    return false;
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
    bri_exec_trap(exec, kind, NULL);
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
    if (func == NULL || !args_match(func->type, args, arg_count))
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
    if (!bri_exec_grow(exec, need < 1 ? 1 : need))
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
    br_host_status_t st = bri_exec_host(exec, exec->entry, 0);
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
        bri_exec_trap(exec, BR_TRAP_CANCELLED, pc);
        return BR_TRAP;
    }
    if (exec->direct_host)
        return run_direct_host(exec);
    if (exec->frame_count == 0)
        return BR_DONE; /* an answered import finished the call */
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
    results_to_slots(t, results, exec->stack + exec->import_slot);
    if (exec->import_tail)
        finish_tail_import(exec, bri_result_slots(t));
    exec->import_tail = false;
    exec->state = BRI_EXEC_READY;
    return BR_ERR_OK;
}

static void
trap_pending_import(br_exec_t *exec)
{
    record_frames(exec, host_call_pc(exec));
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
    set_message(&exec->trap, message);
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
    set_message(&exec->trap, message);
    exec->host_trap_set = true;
    if (exec->state == BRI_EXEC_SUSPENDED) {
        exec->host_trap_set = false;
        trap_pending_import(exec);
    }
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
