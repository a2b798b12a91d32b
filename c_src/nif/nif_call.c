/*
 * beamr NIF: calls. A call runs in fuel slices on the caller's normal
 * scheduler, reports its time with enif_consume_timeslice and continues
 * through enif_schedule_nif; imports suspend it and go back to Erlang.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <time.h>

#include "beamr_nif.h"

/* Slices adapt so that one takes about TARGET_NS (a fifth of the 1 ms
 * timeslice the VM expects between reductions checks). */
#define SLICE_INITIAL 20000
#define SLICE_MIN 1000
#define SLICE_MAX 50000000
#define TARGET_NS 200000
#define TIMESLICE_NS 1000000

/* ------------------------------------------------------------------ */
/* Finding the callee                                                  */

/* Export name (binary), index into table 0 (integer), or '$start'. */
static br_func_t *
find_func(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM target)
{
    ErlNifBinary name;
    ErlNifUInt64 index;
    br_extern_t ext;
    br_ref_t ref;
    if (enif_inspect_binary(env, target, &name)) {
        if (!br_instance_export(in->inst, (const char *)name.data, name.size,
                                &ext) ||
            ext.kind != BR_EXTERN_FUNC)
            return NULL;
        return ext.of.func;
    }
    if (enif_get_uint64(env, target, &index)) {
        br_table_t *table = br_instance_table(in->inst, 0);
        if (table == NULL || br_table_elem_kind(table) != BR_FUNCREF ||
            !br_table_get(table, index, &ref))
            return NULL;
        return ref;
    }
    if (enif_is_identical(target, bnif_atoms(env)->start))
        return br_instance_start_func(in->inst);
    return NULL;
}

/* Call options from Erlang: {Fuel, Deadline, Slice}; Fuel < 0 means
 * unlimited, Deadline is `infinity' or Erlang monotonic time in ns (it
 * may be negative), Slice 0 adaptive (else the fuel per slice: the test
 * knob). */
static bool
get_call_opts(ErlNifEnv *env, ERL_NIF_TERM t, bnif_call_t *call)
{
    const ERL_NIF_TERM *el;
    int arity;
    ErlNifSInt64 fuel, deadline = 0, slice;
    if (!enif_get_tuple(env, t, &arity, &el) || arity < 3 || arity > 4 ||
        !enif_get_int64(env, el[0], &fuel) ||
        !enif_get_int64(env, el[2], &slice) || slice < 0)
        return false;
    call->has_deadline = !enif_is_identical(el[1], bnif_atoms(env)->infinity);
    if (call->has_deadline && !enif_get_int64(env, el[1], &deadline))
        return false;
    /* {..., suspend}: a call out of fuel is parked (nif_suspend.c) */
    call->park_on_fuel =
        arity == 4 && enif_is_identical(el[3], bnif_atoms(env)->suspended);
    call->fuel_left = fuel < 0 ? -1 : fuel;
    call->deadline = deadline;
    call->fixed_slice = slice > 0;
    call->slice = slice > 0 ? slice : SLICE_INITIAL;
    return true;
}

/* ------------------------------------------------------------------ */
/* Slices                                                              */

/* Nanoseconds of the OS monotonic clock, for the length of a slice
 * only: enif_monotonic_time takes a VM lock and costs about a tenth of
 * a short call. Deadlines stay in Erlang monotonic time. */
static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Runs one slice; caller holds inst->lock and checked the call. The
 * running env is recorded for host functions that send messages (WASI
 * output streamed to a process). */
static br_status_t
exec_slice(ErlNifEnv *env, bnif_call_t *call, int64_t *elapsed)
{
    bnif_instance_t *in = call->inst;
    int64_t fuel = call->slice;
    if (call->fuel_left >= 0 && call->fuel_left < fuel)
        fuel = call->fuel_left;
    /* A yield on the last of the budget ends it, however exactly the
     * engine counted. */
    bool last = call->fuel_left >= 0 && fuel == call->fuel_left;
    /* The instance's budget (add_fuel) bounds every call as well. */
    int64_t budget = in->fuel_budget;
    if (budget >= 0 && budget < fuel)
        fuel = budget;
    bool last_budget = budget >= 0 && fuel == budget;
    in->run_env = env;
    int64_t t0 = now_ns();
    br_status_t st = br_exec_run(call->exec, fuel);
    *elapsed = now_ns() - t0;
    in->run_env = NULL;
    int64_t used = br_exec_fuel_used(call->exec);
    if (call->fuel_left >= 0) {
        call->fuel_left -= used;
        if (call->fuel_left < 0 || (st == BR_YIELD && last))
            call->fuel_left = 0;
    }
    if (budget >= 0) {
        in->fuel_budget = budget - used;
        if (in->fuel_budget < 0 || (st == BR_YIELD && last_budget))
            in->fuel_budget = 0;
        if (st == BR_YIELD && in->fuel_budget == 0)
            call->fuel_left = 0; /* out of fuel: the call ends */
    }
    return st;
}

/* True when the call is over (done, trapped, failed, out of fuel). */
static bool
is_final(const bnif_call_t *call, br_status_t st)
{
    return st != BR_IMPORT && (st != BR_YIELD || call->fuel_left == 0);
}

/* The answer of a call that is over; ends it. Caller holds lock. A
 * proc_exit (WASI) is {error, {exit, Code}}, not a trap. */
static ERL_NIF_TERM
final_outcome(ErlNifEnv *env, bnif_call_t *call, br_status_t st)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    const br_trap_t *trap;
    ERL_NIF_TERM out;
    switch (st) {
    case BR_DONE:
        out = enif_make_tuple2(
            env, a->ok,
            bnif_vals_to_list(env, call->inst, br_exec_results(call->exec),
                              br_exec_result_count(call->exec)));
        bnif_call_finish(env, call, true);
        return out;
    case BR_TRAP:
        trap = br_exec_trap(call->exec);
        if (trap->kind == BR_TRAP_CANCELLED)
            out = bnif_error(env, atomic_load(&call->inst->stopped)
                                      ? a->stopped
                                      : a->cancelled);
        else if (trap->kind == BR_TRAP_EXIT)
            out =
                bnif_error2(env, a->exit, enif_make_int(env, trap->exit_code));
        else
            out = bnif_error2(env, a->trap, bnif_trap_map(env, trap));
        break;
    case BR_ERROR:
        out = bnif_error2(env, a->engine,
                          bnif_err_atom(env, br_exec_error(call->exec)));
        break;
    default: /* BR_YIELD on an empty budget */
        if (call->park_on_fuel) {
            /* kept for beamr:snapshot and beamr:resume */
            bnif_park(call->inst, call->exec);
            call->exec = NULL;
            out = bnif_error(env, a->suspended);
        } else {
            out = bnif_error(env, a->out_of_fuel);
        }
        break;
    }
    bnif_call_finish(env, call, false);
    return out;
}

/* The letter of a value type in hb_beamr's compact signatures. */
static char
sig_letter(br_valkind_t k)
{
    switch (k) {
    case BR_I32:
        return 'i';
    case BR_I64:
        return 'I';
    case BR_F32:
        return 'f';
    case BR_F64:
        return 'F';
    case BR_V128:
        return 'v';
    case BR_FUNCREF:
        return 'r';
    case BR_ANYREF:
        return 'a';
    default:
        return 'e';
    }
}

/* "(ii)i": parameter letters in parentheses, then result letters. */
static ERL_NIF_TERM
sig_string(ErlNifEnv *env, const br_functype_t *t)
{
    ERL_NIF_TERM list = enif_make_list(env, 0);
    for (uint32_t i = t->result_count; i > 0; i--)
        list = enif_make_list_cell(
            env, enif_make_int(env, sig_letter(t->results[i - 1])), list);
    list = enif_make_list_cell(env, enif_make_int(env, ')'), list);
    for (uint32_t i = t->param_count; i > 0; i--)
        list = enif_make_list_cell(
            env, enif_make_int(env, sig_letter(t->params[i - 1])), list);
    return enif_make_list_cell(env, enif_make_int(env, '('), list);
}

/* A WASI read of an empty stdin pipe suspended the call:
 * {stdin_wait, Call, Pipe}; the caller waits for the pipe, then
 * resumes with '$retry'. */
static ERL_NIF_TERM
stdin_wait_term(ErlNifEnv *env, bnif_call_t *call, ERL_NIF_TERM call_term)
{
    call->state = BNIF_CALL_SUSPENDED;
    return enif_make_tuple3(env, bnif_atoms(env)->stdin_wait, call_term,
                            enif_make_resource(env, call->inst->stdin_pipe));
}

/* The pending import: {import, Call, {Module, Name, Signature}, Args}. */
static ERL_NIF_TERM
import_term(ErlNifEnv *env, bnif_call_t *call, ERL_NIF_TERM call_term)
{
    if (call->inst->stdin_pipe != NULL &&
        bnif_pipe_take_blocked(call->inst->stdin_pipe))
        return stdin_wait_term(env, call, call_term);
    br_func_t *func = br_exec_import_func(call->exec);
    const br_functype_t *type = br_func_type(func);
    uint32_t index = (uint32_t)(uintptr_t)br_func_host_env(func);
    br_name_t mod, name;
    br_externtype_t itype;
    br_module_import(call->inst->module->module, index, &mod, &name, &itype);
    ERL_NIF_TERM info = enif_make_tuple3(
        env, bnif_make_binary(env, mod.data, mod.size),
        bnif_make_binary(env, name.data, name.size), sig_string(env, type));
    ERL_NIF_TERM args = bnif_vals_to_list(
        env, call->inst, br_exec_import_args(call->exec), type->param_count);
    call->state = BNIF_CALL_SUSPENDED;
    return enif_make_tuple4(env, bnif_atoms(env)->import, call_term, info,
                            args);
}

/* Stop, timeout and misuse checks before a slice; caller holds lock. */
static bool
precheck(ErlNifEnv *env, bnif_call_t *call, ERL_NIF_TERM *out)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    if (call->state != BNIF_CALL_RUNNING || call->exec == NULL) {
        *out = enif_make_badarg(env);
        return true;
    }
    if (atomic_load(&call->inst->stopped)) {
        *out = bnif_error(env, a->stopped);
    } else if (call->has_deadline &&
               enif_monotonic_time(ERL_NIF_NSEC) >= call->deadline) {
        *out = bnif_error(env, a->timeout);
    } else if (call->inst->fuel_budget == 0) {
        /* The instance's budget is spent: nothing runs until add_fuel. */
        *out = bnif_error(env, a->out_of_fuel);
    } else {
        return false;
    }
    bnif_call_finish(env, call, false);
    return true;
}

static void
adapt_slice(bnif_call_t *call, int64_t elapsed)
{
    if (call->fixed_slice)
        return;
    if (elapsed < TARGET_NS / 2 && call->slice < SLICE_MAX)
        call->slice *= 2;
    else if (elapsed > TARGET_NS * 2 && call->slice > SLICE_MIN)
        call->slice /= 2;
}

/* Reports `elapsed` ns as its share of the 1 ms timeslice; true if the
 * process should yield. Calls shorter than 10 us report nothing, so a
 * stream of tiny calls is not charged a whole percent each. */
static bool
report_time(ErlNifEnv *env, int64_t elapsed)
{
    if (elapsed < TIMESLICE_NS / 100)
        return false;
    int pct = (int)(elapsed * 100 / TIMESLICE_NS);
    return enif_consume_timeslice(env, pct > 100 ? 100 : pct);
}

/* ------------------------------------------------------------------ */
/* Running a call that has a resource                                  */

static ERL_NIF_TERM run(ErlNifEnv *env, bnif_call_t *call,
                        ERL_NIF_TERM call_term);

static ERL_NIF_TERM
run_nif(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_call_t *call;
    if (!bnif_get_call(env, argv[0], &call))
        return enif_make_badarg(env);
    return run(env, call, argv[0]);
}

/* One slice under the store lock; true with *out when the call is over
 * or suspended. */
static bool
run_slice(ErlNifEnv *env, bnif_call_t *call, ERL_NIF_TERM call_term,
          int64_t *elapsed, ERL_NIF_TERM *out)
{
    bnif_instance_t *in = call->inst;
    bool over = true;
    enif_mutex_lock(in->lock);
    if (!precheck(env, call, out)) {
        br_status_t st = exec_slice(env, call, elapsed);
        if (st == BR_IMPORT)
            *out = import_term(env, call, call_term);
        else if (is_final(call, st))
            *out = final_outcome(env, call, st);
        else
            over = false;
    }
    enif_mutex_unlock(in->lock);
    return over;
}

/*
 * Runs slices until the call ends, suspends in an import, or has used
 * its share of the scheduler; then reschedules itself so that other
 * processes run (DESIGN, execution model point 2). Each slice reports
 * its share of a 1 ms timeslice; a whole millisecond in this NIF call
 * ends the process's timeslice outright, so that the process yields
 * even when the reductions it was charged for earlier were fewer.
 */
static ERL_NIF_TERM
run(ErlNifEnv *env, bnif_call_t *call, ERL_NIF_TERM call_term)
{
    ERL_NIF_TERM out;
    int64_t used = 0;
    for (;;) {
        int64_t elapsed = 0;
        if (run_slice(env, call, call_term, &elapsed, &out))
            return out;
        adapt_slice(call, elapsed);
        used += elapsed;
        bool spent = used >= TIMESLICE_NS;
        if (spent)
            enif_consume_timeslice(env, 100);
        if (report_time(env, elapsed) || spent)
            return enif_schedule_nif(env, "call_run", 0, run_nif, 1,
                                     &call_term);
    }
}

/* ------------------------------------------------------------------ */
/* Starting a call                                                     */

/* Arguments for up to this many parameters live on the C stack. */
#define STACK_ARGS 16

/* Finds the callee and converts the arguments; false with *err set.
 * Caller holds the store lock (externrefs are kept by the instance). */
static bool
prepare(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM target,
        ERL_NIF_TERM list, br_func_t **func, br_val_t *stack_args,
        br_val_t **args, uint32_t *count, ERL_NIF_TERM *err)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    *func = find_func(env, in, target);
    if (*func == NULL) {
        *err = bnif_error(env, a->function_not_found);
        return false;
    }
    const br_functype_t *type = br_func_type(*func);
    *count = type->param_count;
    *args =
        *count <= STACK_ARGS ? stack_args : enif_alloc(*count * sizeof **args);
    if (*args == NULL ||
        !bnif_list_to_vals(env, in, list, type->params, *count, *args)) {
        *err = bnif_error2(env, a->invalid_args, list);
        return false;
    }
    return true;
}

/* A context for a new call: the instance's idle one, or a new one. */
static br_exec_t *
take_exec(bnif_instance_t *in)
{
    br_exec_t *exec = in->idle_exec;
    in->idle_exec = NULL;
    return exec != NULL ? exec : br_exec_new(in->store);
}

/* Gives the first-slice call a resource so that it can outlive this
 * NIF call (it yielded or waits for an import). Caller holds lock. */
static bnif_call_t *
promote(ErlNifEnv *env, const bnif_call_t *tmp, ERL_NIF_TERM *term)
{
    bnif_instance_t *in = tmp->inst;
    bnif_call_t *call =
        enif_alloc_resource(bnif_priv(env)->call_rt, sizeof *call);
    if (call == NULL)
        return NULL;
    *call = *tmp;
    enif_keep_resource(in);
    enif_mutex_lock(in->calls_lock);
    call->prev = NULL;
    call->next = in->calls;
    if (in->calls != NULL)
        in->calls->prev = call;
    in->calls = call;
    call->linked = true;
    enif_mutex_unlock(in->calls_lock);
    *term = enif_make_resource(env, call);
    enif_release_resource(call);
    return call;
}

/* The first slice's result when the call goes on: a suspended import,
 * or the rest of the run. Caller holds lock; unlocks. */
static ERL_NIF_TERM
continue_call(ErlNifEnv *env, bnif_call_t *tmp, br_status_t st, int64_t elapsed)
{
    bnif_instance_t *in = tmp->inst;
    ERL_NIF_TERM term, out;
    bnif_call_t *call = promote(env, tmp, &term);
    if (call == NULL) {
        out = bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
        bnif_call_finish(env, tmp, false);
        enif_mutex_unlock(in->lock);
        return out;
    }
    if (st == BR_IMPORT) {
        out = import_term(env, call, term);
        enif_mutex_unlock(in->lock);
        report_time(env, elapsed);
        return out;
    }
    enif_mutex_unlock(in->lock);
    adapt_slice(call, elapsed);
    if (report_time(env, elapsed))
        return enif_schedule_nif(env, "call_run", 0, run_nif, 1, &term);
    return run(env, call, term);
}

/* Runs a prepared call's first slice: answered at once when it ends
 * there, else handed to continue_call. Caller holds the store lock; it
 * is released here. */
static ERL_NIF_TERM
run_first_slice(ErlNifEnv *env, bnif_call_t *tmp)
{
    bnif_instance_t *in = tmp->inst;
    int64_t elapsed = 0;
    ERL_NIF_TERM out;
    if (precheck(env, tmp, &out)) { /* it finished the call */
        enif_mutex_unlock(in->lock);
        return out;
    }
    br_status_t st = exec_slice(env, tmp, &elapsed);
    if (!is_final(tmp, st))
        return continue_call(env, tmp, st, elapsed);
    out = final_outcome(env, tmp, st);
    enif_mutex_unlock(in->lock);
    report_time(env, elapsed);
    return out;
}

/*
 * Prepares the call and runs its first slice without a call resource:
 * most calls end there, and then cost no allocation and no message.
 * Only a call that yields or suspends gets a resource. Caller holds
 * the store lock; it is released here.
 */
static ERL_NIF_TERM
first_slice(ErlNifEnv *env, bnif_call_t *tmp, ERL_NIF_TERM target,
            ERL_NIF_TERM list)
{
    bnif_instance_t *in = tmp->inst;
    br_val_t stack_args[STACK_ARGS];
    br_val_t *args = NULL;
    br_func_t *func;
    uint32_t count = 0;
    ERL_NIF_TERM out;
    br_err_t e = BR_ERR_OK;
    if (!prepare(env, in, target, list, &func, stack_args, &args, &count, &out))
        goto fail;
    tmp->exec = take_exec(in);
    e = tmp->exec == NULL ? BR_ERR_OUT_OF_MEMORY
                          : br_exec_call(tmp->exec, func, args, count);
    if (e == BR_ERR_INVALID_ARGUMENT)
        out = bnif_error2(env, bnif_atoms(env)->invalid_args, list);
    else if (e != BR_ERR_OK)
        out = bnif_error2(env, bnif_atoms(env)->engine, bnif_err_atom(env, e));
    if (e != BR_ERR_OK)
        goto fail;
    if (args != stack_args)
        enif_free(args);
    return run_first_slice(env, tmp);
fail:
    if (args != NULL && args != stack_args)
        enif_free(args);
    bnif_call_finish(env, tmp, false);
    enif_mutex_unlock(in->lock);
    return out;
}

/* The parked call (nif_suspend.c) continued as a new call: answered
 * as call_start answers, its pending import first. Caller holds the
 * store lock; it is released here. */
static ERL_NIF_TERM
parked_slice(ErlNifEnv *env, bnif_call_t *tmp)
{
    bnif_instance_t *in = tmp->inst;
    ERL_NIF_TERM out;
    tmp->exec = bnif_take_parked(in);
    if (tmp->exec == NULL) {
        out = bnif_error(env, enif_make_atom(env, "no_suspended_call"));
        bnif_call_finish(env, tmp, false);
        enif_mutex_unlock(in->lock);
        return out;
    }
    if (in->fuel_budget == 0) {
        /* Nothing can run until add_fuel: the call stays parked rather
         * than ending in precheck, so a later resume still finds it. */
        bnif_park(in, tmp->exec);
        tmp->exec = NULL;
        out = bnif_error(env, bnif_atoms(env)->out_of_fuel);
        bnif_call_finish(env, tmp, false);
        enif_mutex_unlock(in->lock);
        return out;
    }
    if (br_exec_import_func(tmp->exec) != NULL)
        return continue_call(env, tmp, BR_IMPORT, 0);
    return run_first_slice(env, tmp);
}

/* call_start(Instance, Target, Args, {Fuel, Deadline, Slice}) ->
 *     {ok, Results} | {import, Call, {Module, Name, Sig}, Args} |
 *     {error, _} |
 *     busy (another process holds the instance: queue at its owner) */
ERL_NIF_TERM
bnif_call_start(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    bnif_call_t tmp;
    if (!bnif_get_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    memset(&tmp, 0, sizeof tmp);
    tmp.inst = in;
    tmp.state = BNIF_CALL_RUNNING;
    if (!get_call_opts(env, argv[3], &tmp))
        return enif_make_badarg(env);
    if (atomic_load(&in->stopped))
        return bnif_error(env, bnif_atoms(env)->stopped);
    if (!bnif_guest_may_call(env, in)) /* process_bound (nif_guest.c) */
        return bnif_error(env, enif_make_atom(env, "wrong_process"));
    bnif_lease_take_t lease = bnif_lease_take(env, in);
    if (lease == BNIF_LEASE_BUSY)
        return bnif_atoms(env)->busy;
    tmp.holds_lease = lease == BNIF_LEASE_TAKEN;
    enif_mutex_lock(in->lock);
    if (enif_is_identical(argv[1], bnif_atoms(env)->parked))
        return parked_slice(env, &tmp);
    return first_slice(env, &tmp, argv[1], argv[2]);
}

/* ------------------------------------------------------------------ */
/* Answering imports                                                   */

/* The first `count` elements of `list` (extra answers are ignored, so
 * that a catch-all fun such as hb_beamr:stub/3 fits every import). */
static bool
take_results(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM list,
             const br_functype_t *type, br_val_t *out)
{
    ERL_NIF_TERM head;
    for (uint32_t i = 0; i < type->result_count; i++) {
        if (!enif_get_list_cell(env, list, &head, &list) ||
            !bnif_term_to_val(env, in, head, type->results[i], &out[i]))
            return false;
    }
    return enif_is_list(env, list);
}

/* Answers the pending import; results that do not fit its type trap the
 * wasm code (host_error) rather than being coerced. Caller holds lock. */
static void
answer_import(ErlNifEnv *env, bnif_call_t *call, ERL_NIF_TERM results)
{
    const br_functype_t *type = br_func_type(br_exec_import_func(call->exec));
    uint32_t n = type->result_count;
    br_val_t stack_vals[STACK_ARGS];
    br_val_t *vals =
        n <= STACK_ARGS ? stack_vals : enif_alloc(n * sizeof *vals);
    if (enif_is_identical(results, bnif_atoms(env)->unwind)) {
        /* The import fun threw (Emscripten's C++ exceptions): unwind to
         * the innermost invoke_*. */
        br_exec_resume_unwind(call->exec);
    } else if (vals == NULL) {
        br_exec_resume_trap(call->exec, "out of memory");
    } else if (!take_results(env, call->inst, results, type, vals) ||
               br_exec_resume(call->exec, vals, n) != BR_ERR_OK) {
        br_exec_resume_trap(call->exec, "import returned invalid results");
    }
    if (vals != NULL && vals != stack_vals)
        enif_free(vals);
    call->state = BNIF_CALL_RUNNING;
}

/* call_resume(Call, Results) -> same answers as call_start. */
ERL_NIF_TERM
bnif_call_resume(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_call_t *call;
    if (!bnif_get_call(env, argv[0], &call))
        return enif_make_badarg(env);
    enif_mutex_lock(call->inst->lock);
    bool suspended = call->state == BNIF_CALL_SUSPENDED && call->exec != NULL;
    if (suspended && enif_is_identical(argv[1], bnif_atoms(env)->retry)) {
        /* The stdin pipe may have data now: read again. */
        bool waiting = false;
        call->state = BNIF_CALL_RUNNING;
        br_exec_import_retry(call->exec, &waiting);
        if (waiting) {
            if (call->inst->stdin_pipe != NULL)
                (void)bnif_pipe_take_blocked(call->inst->stdin_pipe);
            ERL_NIF_TERM out = stdin_wait_term(env, call, argv[0]);
            enif_mutex_unlock(call->inst->lock);
            return out;
        }
    } else if (suspended) {
        answer_import(env, call, argv[1]);
    }
    enif_mutex_unlock(call->inst->lock);
    if (!suspended)
        return bnif_error(env, bnif_atoms(env)->not_suspended);
    return run(env, call, argv[0]);
}

/* Abandons a call (its import fun raised, or it timed out in Erlang);
 * the instance stays usable. */
ERL_NIF_TERM
bnif_call_abort(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_call_t *call;
    if (!bnif_get_call(env, argv[0], &call))
        return enif_make_badarg(env);
    enif_mutex_lock(call->inst->lock);
    if (call->state != BNIF_CALL_FINISHED)
        bnif_call_finish(env, call, false);
    enif_mutex_unlock(call->inst->lock);
    return bnif_atoms(env)->ok;
}
