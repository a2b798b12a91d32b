/*
 * beamr NIF: pipes, a WASI stdin that Erlang writes to while the program
 * runs. A guest read that finds the pipe empty suspends the wasm call
 * (the WASI host function waits, nif_call.c answers {stdin_wait, ...});
 * the caller's process waits in a receive, never a scheduler, and
 * retries the read when the pipe tells it that data came or it closed.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"
#include "wasi/beamr_wasi.h"

struct bnif_pipe {
    ErlNifMutex *lock;
    uint8_t *data; /* unread bytes: data[head .. size) */
    size_t head, size, cap;
    bool closed;
    bool blocked;     /* a guest read found it empty (lock) */
    bool has_waiter;  /* tell `waiter' when data comes or it closes */
    ErlNifPid waiter;
};

static void
pipe_dtor(ErlNifEnv *env, void *obj)
{
    (void)env;
    bnif_pipe_t *p = obj;
    if (p->data != NULL)
        enif_free(p->data);
    if (p->lock != NULL)
        enif_mutex_destroy(p->lock);
}

ErlNifResourceType *
bnif_pipe_open_type(ErlNifEnv *env)
{
    return enif_open_resource_type(env, NULL, "beamr_pipe", pipe_dtor,
                                   ERL_NIF_RT_CREATE | ERL_NIF_RT_TAKEOVER,
                                   NULL);
}

bool
bnif_get_pipe(ErlNifEnv *env, ERL_NIF_TERM t, bnif_pipe_t **out)
{
    return enif_get_resource(env, t, bnif_priv(env)->pipe_rt, (void **)out);
}

/* Tells the waiting caller (once) that a retry may now get somewhere.
 * Caller holds p->lock. */
static void
wake(ErlNifEnv *env, bnif_pipe_t *p, ERL_NIF_TERM self)
{
    if (!p->has_waiter)
        return;
    p->has_waiter = false;
    ErlNifEnv *msg_env = enif_alloc_env();
    if (msg_env == NULL)
        return;
    ERL_NIF_TERM msg = enif_make_tuple2(
        msg_env, enif_make_atom(msg_env, "beamr_pipe"),
        enif_make_copy(msg_env, self));
    enif_send(env, &p->waiter, msg_env, msg);
    enif_free_env(msg_env);
}

/* pipe_new() -> Pipe */
ERL_NIF_TERM
bnif_pipe_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    (void)argv;
    bnif_pipe_t *p = enif_alloc_resource(bnif_priv(env)->pipe_rt, sizeof *p);
    if (p == NULL)
        return enif_make_badarg(env);
    memset(p, 0, sizeof *p);
    p->lock = enif_mutex_create("beamr_pipe");
    if (p->lock == NULL) {
        enif_release_resource(p);
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    }
    ERL_NIF_TERM t = enif_make_resource(env, p);
    enif_release_resource(p);
    return t;
}

/* Appends `bin' (moving the unread bytes to the front first). Caller
 * holds p->lock. */
static bool
append(bnif_pipe_t *p, const ErlNifBinary *bin)
{
    if (p->head > 0) {
        memmove(p->data, p->data + p->head, p->size - p->head);
        p->size -= p->head;
        p->head = 0;
    }
    if (p->size + bin->size > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->size + bin->size)
            cap *= 2;
        uint8_t *d = enif_realloc(p->data, cap);
        if (d == NULL)
            return false;
        p->data = d;
        p->cap = cap;
    }
    memcpy(p->data + p->size, bin->data, bin->size);
    p->size += bin->size;
    return true;
}

/* pipe_write(Pipe, Binary) -> ok | {error, closed} */
ERL_NIF_TERM
bnif_pipe_write(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_pipe_t *p;
    ErlNifBinary bin;
    if (!bnif_get_pipe(env, argv[0], &p) ||
        !enif_inspect_binary(env, argv[1], &bin))
        return enif_make_badarg(env);
    ERL_NIF_TERM out = bnif_atoms(env)->ok;
    enif_mutex_lock(p->lock);
    if (p->closed)
        out = bnif_error(env, enif_make_atom(env, "closed"));
    else if (!append(p, &bin))
        out = bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    else if (bin.size > 0)
        wake(env, p, argv[0]);
    enif_mutex_unlock(p->lock);
    return out;
}

/* pipe_close(Pipe) -> ok: readers get what is left, then end of file. */
ERL_NIF_TERM
bnif_pipe_close(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_pipe_t *p;
    if (!bnif_get_pipe(env, argv[0], &p))
        return enif_make_badarg(env);
    enif_mutex_lock(p->lock);
    p->closed = true;
    wake(env, p, argv[0]);
    enif_mutex_unlock(p->lock);
    return bnif_atoms(env)->ok;
}

/* pipe_wait(Pipe) -> ready | wait: `ready' if a retry can read now (data
 * or end of file); else the caller gets {beamr_pipe, Pipe} when it can. */
ERL_NIF_TERM
bnif_pipe_wait(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_pipe_t *p;
    if (!bnif_get_pipe(env, argv[0], &p))
        return enif_make_badarg(env);
    bool ready;
    enif_mutex_lock(p->lock);
    ready = p->closed || p->size > p->head;
    if (!ready) {
        p->has_waiter = enif_self(env, &p->waiter) != NULL;
    }
    enif_mutex_unlock(p->lock);
    return enif_make_atom(env, ready ? "ready" : "wait");
}

/* The WASI stdin callback (br_wasi_read_fn), run under the instance's
 * store lock while a call runs. */
static size_t
pipe_read(void *ud, uint8_t *buf, size_t size)
{
    bnif_pipe_t *p = ud;
    size_t n;
    enif_mutex_lock(p->lock);
    size_t avail = p->size - p->head;
    if (avail == 0) {
        n = p->closed ? 0 : BR_WASI_READ_WAIT;
        p->blocked = !p->closed && size > 0;
    } else if (size == 0) {
        n = avail; /* poll: how much a read would get */
    } else {
        n = avail < size ? avail : size;
        memcpy(buf, p->data + p->head, n);
        p->head += n;
        p->blocked = false;
    }
    enif_mutex_unlock(p->lock);
    return n;
}

bool
bnif_pipe_stdin(ErlNifEnv *env, ERL_NIF_TERM t, struct br_wasi_config *cfg)
{
    bnif_pipe_t *p;
    if (!bnif_get_pipe(env, t, &p))
        return false;
    cfg->stdin_mode = BR_WASI_IN_CALLBACK;
    cfg->stdin_fn = pipe_read;
    cfg->stdin_ud = p;
    return true;
}

/* True (once) if the last guest read found the pipe empty: the call is
 * suspended waiting for it, not in an Erlang import. */
bool
bnif_pipe_take_blocked(bnif_pipe_t *p)
{
    enif_mutex_lock(p->lock);
    bool b = p->blocked;
    p->blocked = false;
    enif_mutex_unlock(p->lock);
    return b;
}
