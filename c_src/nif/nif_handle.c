/*
 * beamr NIF: handles: the engine objects behind resource terms and
 * owner pids, and the externref objects an instance keeps. Below the
 * lifecycle (nif_resource.c) and the calls.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

/* ------------------------------------------------------------------ */
/* Resources by term                                                   */

bool
bnif_get_module(ErlNifEnv *env, ERL_NIF_TERM t, bnif_module_t **out)
{
    return enif_get_resource(env, t, bnif_priv(env)->module_rt, (void **)out);
}

bool
bnif_hold_instance(ErlNifEnv *env, ERL_NIF_TERM t, bnif_instance_t **out)
{
    bnif_priv_t *priv = bnif_priv(env);
    ErlNifPid pid;
    if (enif_get_resource(env, t, priv->instance_rt, (void **)out)) {
        enif_keep_resource(*out);
        return true;
    }
    if (!enif_get_local_pid(env, t, &pid))
        return false;
    *out = bnif_registry_find(priv->registry, &pid);
    return *out != NULL;
}

bool
bnif_get_instance(ErlNifEnv *env, ERL_NIF_TERM t, bnif_instance_t **out)
{
    bnif_priv_t *priv = bnif_priv(env);
    ErlNifPid pid;
    if (enif_get_resource(env, t, priv->instance_rt, (void **)out))
        return true;
    if (!enif_get_local_pid(env, t, &pid))
        return false;
    *out = bnif_registry_find(priv->registry, &pid);
    if (*out == NULL)
        return false;
    (void)enif_make_resource(env, *out); /* keeps it for this call */
    enif_release_resource(*out);
    return true;
}

bool
bnif_get_call(ErlNifEnv *env, ERL_NIF_TERM t, bnif_call_t **out)
{
    return enif_get_resource(env, t, bnif_priv(env)->call_rt, (void **)out);
}

ERL_NIF_TERM
bnif_no_instance(ErlNifEnv *env, ERL_NIF_TERM t)
{
    return enif_is_pid(env, t) ? bnif_error(env, bnif_atoms(env)->stopped)
                               : enif_make_badarg(env);
}

/* ------------------------------------------------------------------ */
/* Externrefs kept by an instance                                      */

/* Open addressing, linear probing, no removal (externs live as long
 * as the instance). Kept at most half full. */
static void
index_put(bnif_extern_t **index, size_t cap, bnif_extern_t *ext)
{
    size_t i = (size_t)ext->hash & (cap - 1);
    while (index[i] != NULL)
        i = (i + 1) & (cap - 1);
    index[i] = ext;
}

static bool
index_grow(bnif_instance_t *in)
{
    size_t cap = in->extern_index_cap ? in->extern_index_cap * 2 : 16;
    bnif_extern_t **index = enif_alloc(cap * sizeof *index);
    if (index == NULL)
        return false;
    memset(index, 0, cap * sizeof *index);
    for (size_t i = 0; i < in->extern_count; i++)
        index_put(index, cap, in->externs[i]);
    if (in->extern_index != NULL)
        enif_free(in->extern_index);
    in->extern_index = index;
    in->extern_index_cap = cap;
    return true;
}

bnif_extern_t *
bnif_instance_find_extern(bnif_instance_t *in, ERL_NIF_TERM t,
                          ErlNifUInt64 hash)
{
    size_t cap = in->extern_index_cap;
    if (cap == 0)
        return NULL;
    for (size_t i = (size_t)hash & (cap - 1); in->extern_index[i] != NULL;
         i = (i + 1) & (cap - 1)) {
        bnif_extern_t *x = in->extern_index[i];
        if (x->hash == hash && enif_is_identical(x->term, t))
            return x;
    }
    return NULL;
}

bool
bnif_instance_keep_extern(bnif_instance_t *in, bnif_extern_t *ext)
{
    if (in->extern_count >= BNIF_MAX_EXTERNS)
        return false;
    if (2 * (in->extern_count + 1) > in->extern_index_cap && !index_grow(in))
        return false;
    if (in->extern_count == in->extern_cap) {
        size_t cap = in->extern_cap == 0 ? 8 : in->extern_cap * 2;
        void *p = enif_realloc(in->externs, cap * sizeof *in->externs);
        if (p == NULL)
            return false;
        in->externs = p;
        in->extern_cap = cap;
    }
    enif_keep_resource(ext);
    in->externs[in->extern_count++] = ext;
    index_put(in->extern_index, in->extern_index_cap, ext);
    return true;
}
