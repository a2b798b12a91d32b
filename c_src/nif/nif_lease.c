/*
 * beamr NIF: the lease, i.e. which process may call into an instance.
 * Uncontended calls take it here without a message to the owner; the
 * owner process queues the others and grants it in order.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

static bool
same_pid(const ErlNifPid *a, const ErlNifPid *b)
{
    return enif_compare_pids(a, b) == 0;
}

/*
 * A call from `env`'s process: nested if it holds the lease, taken if
 * the lease is free and nobody queues at the owner (queued callers go
 * first), busy otherwise.
 */
bnif_lease_take_t
bnif_lease_take(ErlNifEnv *env, bnif_instance_t *in)
{
    ErlNifPid self;
    bnif_lease_take_t r;
    if (enif_self(env, &self) == NULL)
        return BNIF_LEASE_BUSY;
    enif_mutex_lock(in->calls_lock);
    if (in->lease.held) {
        r = same_pid(&in->lease.holder, &self) ? BNIF_LEASE_NESTED
                                               : BNIF_LEASE_BUSY;
    } else if (in->lease.owner_waiting) {
        r = BNIF_LEASE_BUSY;
    } else {
        in->lease.held = true;
        in->lease.holder = self;
        r = BNIF_LEASE_TAKEN;
    }
    enif_mutex_unlock(in->calls_lock);
    return r;
}

/* Tells the owner that the lease is free: {beamr_lease_free, Instance}.
 * Caller holds calls_lock. */
static void
notify_owner(ErlNifEnv *env, bnif_instance_t *in)
{
    ErlNifEnv *msg_env = enif_alloc_env();
    if (msg_env == NULL)
        return;
    ERL_NIF_TERM msg =
        enif_make_tuple2(msg_env, enif_make_atom(msg_env, "beamr_lease_free"),
                         enif_make_resource(msg_env, in));
    enif_send(env, &in->lease.owner, msg_env, msg);
    enif_free_env(msg_env);
}

void
bnif_lease_release(ErlNifEnv *env, bnif_instance_t *in)
{
    enif_mutex_lock(in->calls_lock);
    in->lease.held = false;
    if (in->lease.owner_waiting && in->lease.has_owner)
        notify_owner(env, in);
    enif_mutex_unlock(in->calls_lock);
}

/* lease_grant(Instance, Pid) -> true | false. The owner grants the
 * lease to the first queued caller; if it is held, the owner is told
 * when it is released (and fast callers queue meanwhile). */
ERL_NIF_TERM
bnif_lease_grant(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ErlNifPid pid;
    bool granted;
    if (!enif_get_resource(env, argv[0], bnif_priv(env)->instance_rt,
                           (void **)&in) ||
        !enif_get_local_pid(env, argv[1], &pid))
        return enif_make_badarg(env);
    enif_mutex_lock(in->calls_lock);
    granted = !in->lease.held;
    if (granted) {
        in->lease.held = true;
        in->lease.holder = pid;
    } else {
        in->lease.owner_waiting = true;
    }
    enif_mutex_unlock(in->calls_lock);
    return granted ? bnif_atoms(env)->true_ : bnif_atoms(env)->false_;
}

/* lease_return(Instance, Pid) -> ok: a granted caller is done (or
 * died); frees the lease if that caller still holds it. */
ERL_NIF_TERM
bnif_lease_return(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ErlNifPid pid;
    if (!enif_get_resource(env, argv[0], bnif_priv(env)->instance_rt,
                           (void **)&in) ||
        !enif_get_local_pid(env, argv[1], &pid))
        return enif_make_badarg(env);
    enif_mutex_lock(in->calls_lock);
    if (in->lease.held && same_pid(&in->lease.holder, &pid))
        in->lease.held = false;
    enif_mutex_unlock(in->calls_lock);
    return bnif_atoms(env)->ok;
}

/* lease_idle(Instance) -> ok: the owner's queue is empty again, so
 * callers may take the lease directly. */
ERL_NIF_TERM
bnif_lease_idle(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    if (!enif_get_resource(env, argv[0], bnif_priv(env)->instance_rt,
                           (void **)&in))
        return enif_make_badarg(env);
    enif_mutex_lock(in->calls_lock);
    in->lease.owner_waiting = false;
    enif_mutex_unlock(in->calls_lock);
    return bnif_atoms(env)->ok;
}
