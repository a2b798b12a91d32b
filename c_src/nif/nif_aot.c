/*
 * beamr NIF: compiled modules saved as binaries (aot mode) and
 * snapshots of an instance's state. Bounded copies that cannot yield:
 * they run on dirty CPU schedulers (see nif_main.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "beamr_nif.h"

/* An engine status without a br_error_t: {error, {Tag, #{reason, ...}}}
 * with the engine's message. */
static ERL_NIF_TERM
code_error(ErlNifEnv *env, ERL_NIF_TERM tag, br_err_t code)
{
    br_error_t err;
    bnif_error_init(&err);
    err.code = code;
    return bnif_error_tagged(env, tag, &err);
}

/* {ok, Binary} lending the engine's buffer, or the error for `code`. */
static ERL_NIF_TERM
buffer_result(ErlNifEnv *env, ERL_NIF_TERM tag, br_err_t code,
              bnif_engine_t *engine, uint8_t *buf, size_t size)
{
    if (code != BR_ERR_OK)
        return code_error(env, tag, code);
    return enif_make_tuple2(env, bnif_atoms(env)->ok,
                            bnif_buffer_binary(env, engine, buf, size));
}

/* {error, {aot, Detail}} for a file the engine refused. */
static ERL_NIF_TERM
aot_error(ErlNifEnv *env, const br_error_t *err)
{
    return bnif_error_tagged(env, bnif_atoms(env)->aot, err);
}

/* module_serialize(Module) -> {ok, Binary} | {error, _} */
ERL_NIF_TERM
bnif_module_serialize(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_module_t *m;
    uint8_t *buf = NULL;
    size_t size = 0;
    if (!bnif_get_module(env, argv[0], &m))
        return enif_make_badarg(env);
    br_err_t e = br_module_serialize(m->module, &buf, &size);
    return buffer_result(env, bnif_atoms(env)->aot, e, m->engine, buf, size);
}

/* module_deserialize(Binary) -> {ok, Module} | {error, {aot, Detail}}.
 * Whatever the bytes are, they are checked by the engine before any of
 * them is used; nothing here trusts them. */
ERL_NIF_TERM
bnif_module_deserialize(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    return bnif_module_load(env, argv[0], br_module_deserialize, aot_error);
}

/* instance_snapshot(Instance) -> {ok, Binary} | {error, _}. Taken under
 * the store lock: between two slices of a running call at worst. */
ERL_NIF_TERM
bnif_instance_snapshot(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    uint8_t *buf = NULL;
    size_t size = 0;
    ERL_NIF_TERM out;
    if (!bnif_hold_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    enif_mutex_lock(in->lock);
    br_err_t e = atomic_load(&in->stopped)
                     ? BR_ERR_OK
                     : br_instance_snapshot(in->inst, &buf, &size);
    enif_mutex_unlock(in->lock);
    if (atomic_load(&in->stopped) && buf == NULL)
        out = bnif_error(env, bnif_atoms(env)->stopped);
    else
        out = buffer_result(env, bnif_atoms(env)->snapshot, e,
                            in->module->engine, buf, size);
    enif_release_resource(in);
    return out;
}

