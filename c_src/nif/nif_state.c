/*
 * beamr NIF: state the Erlang side keeps on an instance: a term (bound
 * import funs, the hb_beamr mode), read without a message to the owner
 * process, and the instance's fuel budget, which its calls draw from.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "beamr_nif.h"

/* instance_set_data(Instance, Term) -> ok */
ERL_NIF_TERM
bnif_instance_set_data(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    if (!bnif_get_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    ErlNifEnv *data_env = enif_alloc_env();
    if (data_env == NULL)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    ERL_NIF_TERM data = enif_make_copy(data_env, argv[1]);
    ERL_NIF_TERM mode;
    if (enif_get_map_value(env, argv[1], enif_make_atom(env, "$hb_mode"),
                           &mode) &&
        enif_is_atom(env, mode))
        in->hb_mode = mode; /* atoms are valid in every env */
    enif_mutex_lock(in->lock);
    ErlNifEnv *old = in->data_env;
    in->data_env = data_env;
    in->data = data;
    enif_mutex_unlock(in->lock);
    if (old != NULL)
        enif_free_env(old);
    return bnif_atoms(env)->ok;
}

/* instance_data(Instance) -> Term | undefined | {error, stopped} */
ERL_NIF_TERM
bnif_instance_data(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    if (!bnif_get_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    ERL_NIF_TERM out = bnif_atoms(env)->undefined;
    enif_mutex_lock(in->lock);
    if (in->data_env != NULL)
        out = enif_make_copy(env, in->data);
    enif_mutex_unlock(in->lock);
    return out;
}

/* instance_mode(Instance) -> seed | hyperbeam: read on every hb_beamr
 * call, so it is an atom of its own (no copy of the data). */
ERL_NIF_TERM
bnif_instance_mode(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    if (!bnif_get_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    return in->hb_mode != 0 ? in->hb_mode : enif_make_atom(env, "seed");
}

/* fuel_add(Instance, N) -> ok: the budget grows by N (an unmetered
 * instance starts from zero). */
ERL_NIF_TERM
bnif_fuel_add(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ErlNifSInt64 n;
    if (!enif_get_int64(env, argv[1], &n) || n < 0)
        return enif_make_badarg(env);
    if (!bnif_get_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    if (atomic_load(&in->stopped))
        return bnif_error(env, bnif_atoms(env)->stopped);
    enif_mutex_lock(in->lock);
    int64_t b = in->fuel_budget < 0 ? 0 : in->fuel_budget;
    in->fuel_budget = b > INT64_MAX - n ? INT64_MAX : b + n;
    enif_mutex_unlock(in->lock);
    return bnif_atoms(env)->ok;
}

/* fuel_remaining(Instance) -> {ok, N | infinity} */
ERL_NIF_TERM
bnif_fuel_remaining(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    if (!bnif_get_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    if (atomic_load(&in->stopped))
        return bnif_error(env, bnif_atoms(env)->stopped);
    enif_mutex_lock(in->lock);
    int64_t b = in->fuel_budget;
    enif_mutex_unlock(in->lock);
    return enif_make_tuple2(env, bnif_atoms(env)->ok,
                            b < 0 ? bnif_atoms(env)->infinity
                                  : enif_make_int64(env, b));
}

void
bnif_instance_release_extras(bnif_instance_t *in)
{
    if (in->stdin_pipe != NULL)
        enif_release_resource(in->stdin_pipe);
    in->stdin_pipe = NULL;
    if (in->data_env != NULL)
        enif_free_env(in->data_env);
    in->data_env = NULL;
    for (size_t i = 0; i < in->link_env_count; i++)
        enif_free(in->link_envs[i]);
    if (in->link_envs != NULL)
        enif_free(in->link_envs);
    in->link_envs = NULL;
    in->link_env_count = 0;
    for (size_t i = 0; i < in->link_count; i++)
        enif_release_resource(in->links[i]);
    if (in->links != NULL)
        enif_free(in->links);
    in->links = NULL;
    in->link_count = 0;
}
