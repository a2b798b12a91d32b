/*
 * beamr NIF: calls. A call runs in fuel slices on the caller's normal
 * scheduler, reports its time with enif_consume_timeslice and continues
 * through enif_schedule_nif; imports suspend it and go back to Erlang.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

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
    if (!enif_get_tuple(env, t, &arity, &el) || arity != 3 ||
        !enif_get_int64(env, el[0], &fuel) ||
        !enif_get_int64(env, el[2], &slice) || slice < 0)
        return false;
    call->has_deadline = !enif_is_identical(el[1], bnif_atoms(env)->infinity);
    if (call->has_deadline && !enif_get_int64(env, el[1], &deadline))
        return false;
    call->fuel_left = fuel < 0 ? -1 : fuel;
    call->deadline = deadline;
    call->fixed_slice = slice > 0;
    call->slice = slice > 0 ? slice : SLICE_INITIAL;
    return true;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

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

/* The pending import: {import, Call, ImportIndex, Args}. */
static ERL_NIF_TERM
import_term(ErlNifEnv *env, bnif_call_t *call, ERL_NIF_TERM call_term)
{
    br_func_t *func = br_exec_import_func(call->exec);
    const br_functype_t *type = br_func_type(func);
    uintptr_t index = (uintptr_t)br_func_host_env(func);
    ERL_NIF_TERM args = bnif_vals_to_list(
        env, call->inst, br_exec_import_args(call->exec), type->param_count);
    call->state = BNIF_CALL_SUSPENDED;
    return enif_make_tuple4(env, bnif_atoms(env)->import, call_term,
                            enif_make_uint64(env, index), args);
}

/* Turns a finished slice into its Erlang answer (NULL term: keep going).
 * Caller holds inst->lock. */
static bool
slice_outcome(ErlNifEnv *env, bnif_call_t *call, br_status_t st,
              ERL_NIF_TERM call_term, ERL_NIF_TERM *out)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    const br_trap_t *trap;
    switch (st) {
    case BR_DONE:
        *out = enif_make_tuple2(
            env, a->ok,
            bnif_vals_to_list(env, call->inst, br_exec_results(call->exec),
                              br_exec_result_count(call->exec)));
        bnif_call_finish(call, true);
        return true;
    case BR_IMPORT:
        *out = import_term(env, call, call_term);
        return true;
    case BR_TRAP:
        trap = br_exec_trap(call->exec);
        if (trap->kind == BR_TRAP_CANCELLED)
            *out = bnif_error(env, atomic_load(&call->inst->stopped)
                                       ? a->stopped
                                       : a->cancelled);
        else
            *out = bnif_error2(env, a->trap, bnif_trap_map(env, trap));
        bnif_call_finish(call, false);
        return true;
    case BR_ERROR:
        *out = bnif_error2(env, a->engine,
                           bnif_err_atom(env, br_exec_error(call->exec)));
        bnif_call_finish(call, false);
        return true;
    default: /* BR_YIELD */
        if (call->fuel_left != 0)
            return false;
        *out = bnif_error(env, a->out_of_fuel);
        bnif_call_finish(call, false);
        return true;
    }
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
    } else {
        return false;
    }
    bnif_call_finish(call, false);
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

/* One slice under the store lock; true with *out when the call is over
 * or suspended. */
static bool
run_slice(ErlNifEnv *env, bnif_call_t *call, ERL_NIF_TERM call_term,
          int64_t *elapsed, ERL_NIF_TERM *out)
{
    bnif_instance_t *in = call->inst;
    bool over;
    enif_mutex_lock(in->lock);
    if (precheck(env, call, out)) {
        enif_mutex_unlock(in->lock);
        return true;
    }
    int64_t fuel = call->slice;
    if (call->fuel_left >= 0 && call->fuel_left < fuel)
        fuel = call->fuel_left;
    /* A yield on the last of the budget ends it, however exactly the
     * engine counted. */
    bool last = call->fuel_left >= 0 && fuel == call->fuel_left;
    ErlNifTime t0 = enif_monotonic_time(ERL_NIF_NSEC);
    br_status_t st = br_exec_run(call->exec, fuel);
    *elapsed = enif_monotonic_time(ERL_NIF_NSEC) - t0;
    if (call->fuel_left >= 0) {
        call->fuel_left -= br_exec_fuel_used(call->exec);
        if (call->fuel_left < 0 || (st == BR_YIELD && last))
            call->fuel_left = 0;
    }
    over = slice_outcome(env, call, st, call_term, out);
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
        int pct = (int)(elapsed * 100 / TIMESLICE_NS);
        bool spent = used >= TIMESLICE_NS;
        if (enif_consume_timeslice(env, spent       ? 100
                                        : pct < 1   ? 1
                                        : pct > 100 ? 100
                                                    : pct) ||
            spent)
            return enif_schedule_nif(env, "call_run", 0, run_nif, 1,
                                     &call_term);
    }
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

/* Converts the arguments under the store lock (externrefs are kept by
 * the instance). */
static bool
prepare_args(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM target,
             ERL_NIF_TERM list, br_func_t **func, br_val_t **args,
             uint32_t *count, ERL_NIF_TERM *err)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    enif_mutex_lock(in->lock);
    *func = find_func(env, in, target);
    bool ok = *func != NULL;
    if (!ok) {
        *err = bnif_error(env, a->function_not_found);
    } else {
        const br_functype_t *type = br_func_type(*func);
        *count = type->param_count;
        *args = enif_alloc((*count > 0 ? *count : 1) * sizeof **args);
        ok = *args != NULL &&
             bnif_list_to_vals(env, in, list, type->params, *count, *args);
        if (!ok)
            *err = bnif_error2(env, a->invalid_args, list);
    }
    enif_mutex_unlock(in->lock);
    return ok;
}

static ERL_NIF_TERM
start_call(ErlNifEnv *env, bnif_instance_t *in, br_func_t *func,
           const br_val_t *args, uint32_t count, ERL_NIF_TERM opts,
           ERL_NIF_TERM arg_list)
{
    bnif_call_t *call = bnif_call_create(env, in);
    if (call == NULL)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    ERL_NIF_TERM call_term = enif_make_resource(env, call);
    enif_release_resource(call);
    if (!get_call_opts(env, opts, call)) {
        enif_mutex_lock(in->lock);
        bnif_call_finish(call, true);
        enif_mutex_unlock(in->lock);
        return enif_make_badarg(env);
    }
    enif_mutex_lock(in->lock);
    br_err_t e = br_exec_call(call->exec, func, args, count);
    if (e != BR_ERR_OK)
        bnif_call_finish(call, false);
    enif_mutex_unlock(in->lock);
    if (e == BR_ERR_INVALID_ARGUMENT)
        return bnif_error2(env, bnif_atoms(env)->invalid_args, arg_list);
    if (e != BR_ERR_OK)
        return bnif_error2(env, bnif_atoms(env)->engine, bnif_err_atom(env, e));
    return run(env, call, call_term);
}

/* call_start(Instance, Target, Args, {Fuel, Deadline, Slice}) ->
 *     {ok, Results} | {import, Call, ImportIndex, Args} | {error, _} */
ERL_NIF_TERM
bnif_call_start(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    br_func_t *func;
    br_val_t *args = NULL;
    uint32_t count = 0;
    ERL_NIF_TERM out;
    if (!bnif_get_instance(env, argv[0], &in))
        return enif_make_badarg(env);
    if (atomic_load(&in->stopped))
        return bnif_error(env, bnif_atoms(env)->stopped);
    if (prepare_args(env, in, argv[1], argv[2], &func, &args, &count, &out))
        out = start_call(env, in, func, args, count, argv[3], argv[2]);
    if (args != NULL)
        enif_free(args);
    return out;
}

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
    br_val_t *vals = enif_alloc((n > 0 ? n : 1) * sizeof *vals);
    if (vals == NULL) {
        br_exec_resume_trap(call->exec, "out of memory");
    } else if (!take_results(env, call->inst, results, type, vals) ||
               br_exec_resume(call->exec, vals, n) != BR_ERR_OK) {
        br_exec_resume_trap(call->exec, "import returned invalid results");
    }
    if (vals != NULL)
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
    if (suspended)
        answer_import(env, call, argv[1]);
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
        bnif_call_finish(call, false);
    enif_mutex_unlock(call->inst->lock);
    return bnif_atoms(env)->ok;
}
