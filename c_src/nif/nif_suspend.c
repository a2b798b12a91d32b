/*
 * beamr NIF: mid-call snapshots. An instance's snapshot with the call
 * that waits in it (suspended in an import, between slices, or parked
 * after running out of fuel), and the restore that parks such a call in
 * a fresh instance until beamr:resume continues it (nif_call.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

/* {error, {snapshot, #{reason := call_not_capturable, ...}}} */
static ERL_NIF_TERM
not_capturable(ErlNifEnv *env, const char *why)
{
    br_error_t err;
    bnif_error_init(&err);
    err.code = BR_ERR_SNAPSHOT_CALL;
    snprintf(err.message, sizeof err.message, "%s: %s",
             br_err_message(BR_ERR_SNAPSHOT_CALL), why);
    return bnif_error_tagged(env, bnif_atoms(env)->snapshot, &err);
}

/*
 * The call a snapshot takes along: the only live call (waiting in an
 * import, or between two slices: the store lock is held, so no slice
 * runs), else the parked one, else none. Two live calls are a call
 * nested in an import fun of another: the outer one waits in a host
 * call the engine cannot write down. Caller holds inst->lock.
 */
static br_exec_t *
waiting_call(bnif_instance_t *in, const char **why)
{
    br_exec_t *found = NULL;
    int live = 0;
    enif_mutex_lock(in->calls_lock);
    for (bnif_call_t *c = in->calls; c != NULL; c = c->next)
        if (c->exec != NULL && c->state != BNIF_CALL_FINISHED) {
            live++;
            found = c->exec;
        }
    enif_mutex_unlock(in->calls_lock);
    *why = NULL;
    if (live > 1)
        *why = "a call nested in an import fun of another call";
    else if (live == 0)
        found = in->parked;
    if (found != NULL && in->wasi != NULL)
        *why = "native WASI holds host state (open fds)";
    return *why != NULL ? NULL : found;
}

/* One binary of both parts (the engine's buffers are freed). */
static ERL_NIF_TERM
joined(ErlNifEnv *env, bnif_instance_t *in, uint8_t *a, size_t na, uint8_t *b,
       size_t nb)
{
    br_engine_t *engine = in->module->engine->engine;
    ERL_NIF_TERM bin;
    unsigned char *p = enif_make_new_binary(env, na + nb, &bin);
    if (p != NULL) {
        memcpy(p, a, na);
        memcpy(p + na, b, nb);
    }
    br_engine_free_buffer(engine, a, na);
    br_engine_free_buffer(engine, b, nb);
    if (p == NULL)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    return enif_make_tuple2(env, bnif_atoms(env)->ok, bin);
}

/* Both parts under the store lock; the answer term. */
static ERL_NIF_TERM
snapshot_locked(ErlNifEnv *env, bnif_instance_t *in)
{
    const char *why;
    br_error_t err;
    uint8_t *state = NULL, *call = NULL;
    size_t nstate = 0, ncall = 0;
    bnif_error_init(&err);
    br_exec_t *exec = waiting_call(in, &why);
    if (why != NULL)
        return not_capturable(env, why);
    br_err_t e = br_instance_snapshot(in->inst, &state, &nstate);
    if (e == BR_ERR_OK && exec != NULL)
        e = br_exec_snapshot(exec, in->inst, &call, &ncall, &err);
    if (e == BR_ERR_OK && exec == NULL) /* lent, not copied (large) */
        return enif_make_tuple2(
            env, bnif_atoms(env)->ok,
            bnif_buffer_binary(env, in->module->engine, state, nstate));
    if (e == BR_ERR_OK)
        return joined(env, in, state, nstate, call, ncall);
    br_engine_free_buffer(in->module->engine->engine, state, nstate);
    if (err.code == BR_ERR_OK) {
        err.code = e;
        snprintf(err.message, sizeof err.message, "%s", br_err_message(e));
    }
    return bnif_error_tagged(env, bnif_atoms(env)->snapshot, &err);
}

/* instance_snapshot_call(Instance) -> {ok, Binary} | {error, _}: the
 * instance's state followed by its waiting call, if any. */
ERL_NIF_TERM
bnif_instance_snapshot_call(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ERL_NIF_TERM out;
    if (!bnif_hold_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    enif_mutex_lock(in->lock);
    if (atomic_load(&in->stopped))
        out = bnif_error(env, bnif_atoms(env)->stopped);
    else
        out = snapshot_locked(env, in);
    enif_mutex_unlock(in->lock);
    enif_release_resource(in);
    return out;
}

/*
 * Restores both parts: the call is rebuilt (and checked) in a new
 * context first, the state written only then, so a refused snapshot
 * changes nothing. The call replaces any parked one. Caller holds lock.
 */
static br_err_t
restore_locked(bnif_instance_t *in, const ErlNifBinary *bin, br_error_t *err)
{
    size_t first = br_snapshot_part_size(bin->data, bin->size);
    size_t rest = first != 0 ? bin->size - first : 0;
    br_exec_t *exec = NULL;
    br_err_t e = BR_ERR_OK;
    if (rest != 0) {
        exec = br_exec_new(in->store);
        e = exec == NULL
                ? BR_ERR_OUT_OF_MEMORY
                : br_exec_restore(exec, in->inst, bin->data + first, rest, err);
    }
    if (e == BR_ERR_OK)
        e = br_instance_restore(in->inst, bin->data,
                                rest != 0 ? first : bin->size, err);
    if (e != BR_ERR_OK) {
        br_exec_delete(exec);
        return e;
    }
    if (exec != NULL) {
        br_exec_delete(in->parked);
        in->parked = exec;
    }
    return BR_ERR_OK;
}

/* instance_restore_call(Instance, Binary) -> ok | {error, _} */
ERL_NIF_TERM
bnif_instance_restore_call(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ErlNifBinary bin;
    br_error_t err;
    ERL_NIF_TERM out = bnif_atoms(env)->ok;
    if (!enif_inspect_binary(env, argv[1], &bin))
        return enif_make_badarg(env);
    if (!bnif_hold_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    bnif_error_init(&err);
    enif_mutex_lock(in->lock);
    bool stopped = atomic_load(&in->stopped);
    br_err_t e = stopped ? BR_ERR_OK : restore_locked(in, &bin, &err);
    enif_mutex_unlock(in->lock);
    if (stopped) {
        out = bnif_error(env, bnif_atoms(env)->stopped);
    } else if (e != BR_ERR_OK) {
        if (err.code == BR_ERR_OK)
            err.code = e;
        out = bnif_error_tagged(env, bnif_atoms(env)->snapshot, &err);
    }
    enif_release_resource(in);
    return out;
}

/* The parked call, taken out of the instance (NULL if none). Caller
 * holds lock. */
br_exec_t *
bnif_take_parked(bnif_instance_t *in)
{
    br_exec_t *exec = in->parked;
    in->parked = NULL;
    return exec;
}

/* Parks a call's context that ran out of fuel; replaces any parked
 * one. Caller holds lock. */
void
bnif_park(bnif_instance_t *in, br_exec_t *exec)
{
    br_exec_delete(in->parked);
    in->parked = exec;
}
