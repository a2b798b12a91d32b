/*
 * beamr engine: the runtime layer below the execution tiers: stack
 * growth, traps with backtraces, host calls, exceptions. The interpreter
 * (interp.c), the native imports (invoke.c) and a native tier call these;
 * exec.c, the br_exec_* state machine above them, picks the tier.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "exec.h"
#include "gc/gc.h"

/* First sizes of the stacks; both double up to the store's limits. */
#define INITIAL_SLOTS 256u
#define INITIAL_FRAMES 16u

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
bri_runtime_grow(br_exec_t *exec, uint64_t top)
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
bri_runtime_mem0(br_exec_t *exec, const br_instance_t *inst)
{
    if (inst != NULL && inst->module != NULL && inst->module->memory_count > 0)
        return inst->memories[0];
    return &exec->no_memory;
}

/* ------------------------------------------------------------------ */
/* Traps and backtraces                                                */

void
bri_runtime_trap_message(br_trap_t *trap, const char *msg)
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
bri_runtime_trap(br_exec_t *exec, br_trapkind_t kind, const uint32_t *pc)
{
    exec->trap.kind = kind;
    exec->trap.exit_code = 0;
    bri_runtime_trap_message(&exec->trap, NULL);
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

void
bri_runtime_host_backtrace(br_exec_t *exec)
{
    record_frames(exec, host_call_pc(exec));
}

/* ------------------------------------------------------------------ */
/* Host calls                                                          */

bool
bri_runtime_host_buffers(br_exec_t *exec, uint32_t need)
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

/* A host function answered BR_HOST_TRAP, maybe after br_exec_host_trap
 * chose the kind, exit code and message. */
static void
record_host_trap(br_exec_t *exec)
{
    if (!exec->host_trap_set) {
        exec->trap.kind = BR_TRAP_HOST;
        exec->trap.exit_code = 0;
        bri_runtime_trap_message(&exec->trap, NULL);
    }
    exec->host_trap_set = false;
    record_frames(exec, host_call_pc(exec));
}

br_host_status_t
bri_runtime_host(br_exec_t *exec, br_func_t *func, uint32_t slot)
{
    const br_functype_t *t = func->type;
    uint32_t need =
        t->param_count > t->result_count ? t->param_count : t->result_count;
    if (!bri_runtime_host_buffers(exec, need)) {
        bri_runtime_trap(exec, BR_TRAP_OUT_OF_MEMORY, host_call_pc(exec));
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
        bri_results_to_slots(t, exec->host_results, exec->stack + slot);
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
bri_runtime_exception(br_exec_t *exec, const br_tag_t *tag,
                      const br_slot_t *payload)
{
    uint32_t n = bri_param_slots(tag->type);
    bri_exception_t *e =
        bri_alloc(&exec->alloc, sizeof *e + n * sizeof(br_slot_t));
    if (e == NULL)
        return NULL;
    e->tag = tag;
    e->kept = false;
    e->slot_count = n;
    if (n != 0)
        memcpy(e->payload, payload, n * sizeof(br_slot_t));
    e->prev = NULL;
    e->next = exec->exceptions;
    if (e->next != NULL)
        e->next->prev = e;
    exec->exceptions = e;
    return e;
}

static void
free_kept_exception(br_store_t *store, bri_object_t *obj)
{
    bri_exception_t *e = (bri_exception_t *)obj;
    bri_free(&store->alloc, e, sizeof *e + e->slot_count * sizeof(br_slot_t));
}

/* An exception becomes an exnref value: it leaves the exec's list (which
 * is freed when the next call starts) for the store's. */
static void
keep_exception(br_exec_t *exec, bri_exception_t *e)
{
    if (e->kept)
        return;
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        exec->exceptions = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    e->next = e->prev = NULL;
    e->kept = true;
    bri_store_adopt(exec->store, &e->obj, free_kept_exception);
    e->obj.trace = bri_gc_trace_exception; /* its payload: GC roots */
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
bri_runtime_throw(br_exec_t *exec, bri_exception_t *exn)
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
        uint32_t at = hd->height;
        if (c->tag != BR_NO_INDEX && exn->slot_count != 0) {
            memcpy(s + at, exn->payload, exn->slot_count * sizeof(br_slot_t));
            at += exn->slot_count;
        }
        if (hd->exn_slot != BR_NO_INDEX) {
            s[hd->exn_slot].u64 = 0;
            s[hd->exn_slot].ref = exn;
        }
        if (c->ref) {
            keep_exception(exec, exn);
            s[at].u64 = 0;
            s[at].ref = exn;
        }
        f->pc = f->code->words + c->pc;
        exec->frame_count = i + 1;
        return true;
    }
    bri_runtime_trap(exec, BR_TRAP_UNCAUGHT_EXCEPTION,
                     exec->frames[exec->frame_count - 1].pc);
    return false;
}
