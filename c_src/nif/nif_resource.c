/*
 * beamr NIF: resource types and the lifecycle of engine objects
 * (engine, module, instance, call, funcref, externref). Children keep
 * their parents; every destructor is safe on a half-built object.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"
#include "wasi/beamr_wasi.h"

/* An engine buffer (a serialized module or snapshot) lent to a binary
 * without a copy; freed through the engine when the binary dies. */
typedef struct bnif_buffer {
    bnif_engine_t *engine; /* kept */
    uint8_t *data;
    size_t size;
} bnif_buffer_t;

/* ------------------------------------------------------------------ */
/* Destructors                                                         */

static void
engine_dtor(ErlNifEnv *env, void *obj)
{
    (void)env;
    bnif_engine_t *e = obj;
    if (e->engine != NULL)
        br_engine_delete(e->engine);
    bnif_reaper_release(e->reaper); /* after the engine's last unmap */
}

static void
module_dtor(ErlNifEnv *env, void *obj)
{
    (void)env;
    bnif_module_t *m = obj;
    if (m->module != NULL)
        br_module_delete(m->module);
    if (m->engine != NULL)
        enif_release_resource(m->engine);
}

/* Live calls and funcrefs keep the instance, so nothing else uses the
 * store when this runs. */
static void
instance_dtor(ErlNifEnv *env, void *obj)
{
    (void)env;
    bnif_instance_t *in = obj;
    if (in->idle_exec != NULL)
        br_exec_delete(in->idle_exec);
    br_exec_delete(in->parked); /* nif_suspend.c */
    if (in->wasi != NULL)
        br_wasi_delete(in->wasi); /* its host functions are never called
                                     again: nothing runs in the store */
    /* Sandboxed NIFs' state (nif_guest.c). */
    bnif_guest_delete(in);
    if (in->store != NULL)
        br_store_delete(in->store);
    if (in->import_types != NULL)
        enif_free(in->import_types);
    for (size_t i = 0; i < in->extern_count; i++)
        enif_release_resource(in->externs[i]);
    if (in->externs != NULL)
        enif_free(in->externs);
    if (in->extern_index != NULL)
        enif_free(in->extern_index);
    bool own_lock = !in->shared_lock;
    bnif_instance_release_extras(in); /* after the store: links last */
    if (in->lock != NULL && own_lock)
        enif_mutex_destroy(in->lock);
    if (in->calls_lock != NULL)
        enif_mutex_destroy(in->calls_lock);
    if (in->module != NULL)
        enif_release_resource(in->module);
}

static void
call_unlink(bnif_call_t *call)
{
    bnif_instance_t *in = call->inst;
    enif_mutex_lock(in->calls_lock);
    if (call->linked) {
        if (call->prev != NULL)
            call->prev->next = call->next;
        else
            in->calls = call->next;
        if (call->next != NULL)
            call->next->prev = call->prev;
        call->linked = false;
    }
    enif_mutex_unlock(in->calls_lock);
}

/* A stopped instance holds no host fds: closed here when a call that
 * was running at the stop ends (see bnif_instance_shutdown). Caller
 * holds inst->lock. */
static void
close_if_stopped(bnif_instance_t *in)
{
    if (atomic_load(&in->stopped))
        bnif_wasi_close_fds(in);
}

/* A call dropped by Erlang (finished, abandoned, or its process died):
 * delete its context under the store lock. Never runs while this thread
 * holds that lock (we release call resources only outside it). */
static void
call_dtor(ErlNifEnv *env, void *obj)
{
    bnif_call_t *call = obj;
    bnif_instance_t *in = call->inst;
    if (in == NULL)
        return;
    enif_mutex_lock(in->lock);
    call_unlink(call);
    if (call->exec != NULL)
        br_exec_delete(call->exec);
    call->exec = NULL;
    if (call->holds_lease) {
        call->holds_lease = false;
        bnif_lease_release(env, in);
    }
    close_if_stopped(in);
    enif_mutex_unlock(in->lock);
    enif_release_resource(in);
}

static void
func_dtor(ErlNifEnv *env, void *obj)
{
    (void)env;
    bnif_func_t *f = obj;
    if (f->inst != NULL)
        enif_release_resource(f->inst);
}

static void
buffer_dtor(ErlNifEnv *env, void *obj)
{
    (void)env;
    bnif_buffer_t *b = obj;
    if (b->engine == NULL)
        return;
    if (b->data != NULL)
        br_engine_free_buffer(b->engine->engine, b->data, b->size);
    enif_release_resource(b->engine);
}

/* A GC term dropped by Erlang: unpin its object under the store lock
 * (never released while this thread holds it: made terms are released
 * by the process's garbage collection, outside NIF calls). */
static void
gcref_dtor(ErlNifEnv *env, void *obj)
{
    (void)env;
    bnif_gcref_t *g = obj;
    bnif_instance_t *in = g->inst;
    if (in == NULL)
        return;
    enif_mutex_lock(in->lock);
    if (in->store != NULL)
        br_gc_unpin(in->store, g->ref);
    enif_mutex_unlock(in->lock);
    enif_release_resource(in);
}

static void
extern_dtor(ErlNifEnv *env, void *obj)
{
    (void)env;
    bnif_extern_t *x = obj;
    if (x->env != NULL)
        enif_free_env(x->env);
}

/* ------------------------------------------------------------------ */
/* Types                                                               */

static ErlNifResourceType *
open_type(ErlNifEnv *env, const char *name, ErlNifResourceDtor *dtor)
{
    return enif_open_resource_type(
        env, NULL, name, dtor, ERL_NIF_RT_CREATE | ERL_NIF_RT_TAKEOVER, NULL);
}

/* The owner process of an instance died (however: even `kill`): the
 * instance stops like on beamr:stop/1. */
static void
instance_down(ErlNifEnv *env, void *obj, ErlNifPid *pid, ErlNifMonitor *mon)
{
    (void)env;
    (void)pid;
    (void)mon;
    bnif_instance_shutdown(obj);
}

static ErlNifResourceType *
open_instance_type(ErlNifEnv *env)
{
    ErlNifResourceTypeInit init;
    memset(&init, 0, sizeof init);
    init.dtor = instance_dtor;
    init.down = instance_down;
    return enif_open_resource_type_x(env, "beamr_instance", &init,
                                     ERL_NIF_RT_CREATE | ERL_NIF_RT_TAKEOVER,
                                     NULL);
}

int
bnif_resources_open(ErlNifEnv *env, bnif_priv_t *priv)
{
    priv->engine_rt = open_type(env, "beamr_engine", engine_dtor);
    priv->module_rt = open_type(env, "beamr_module", module_dtor);
    priv->instance_rt = open_instance_type(env);
    priv->call_rt = open_type(env, "beamr_call", call_dtor);
    priv->func_rt = open_type(env, "beamr_func", func_dtor);
    priv->extern_rt = open_type(env, "beamr_extern", extern_dtor);
    priv->gcref_rt = open_type(env, "beamr_gcref", gcref_dtor);
    priv->buffer_rt = open_type(env, "beamr_buffer", buffer_dtor);
    priv->pipe_rt = bnif_pipe_open_type(env);
    return priv->pipe_rt != NULL && priv->engine_rt != NULL &&
           priv->module_rt != NULL && priv->instance_rt != NULL &&
           priv->call_rt != NULL && priv->func_rt != NULL &&
           priv->extern_rt != NULL && priv->buffer_rt != NULL &&
           priv->gcref_rt != NULL && bnif_guest_open_types(env, priv);
}

bnif_engine_t *
bnif_engine_create(bnif_priv_t *priv, uint64_t max_memory_pages)
{
    bnif_engine_t *e = enif_alloc_resource(priv->engine_rt, sizeof *e);
    if (e == NULL)
        return NULL;
    e->engine = NULL;
    e->reaper = priv->reaper;
    br_config_t config;
    memset(&config, 0, sizeof config);
    config.alloc = bnif_alloc;
    config.limits.max_memory_pages = max_memory_pages;
    if (e->reaper != NULL) {
        bnif_reaper_keep(e->reaper);
        config.alloc_ud = e->reaper;
        config.unmap = bnif_reaper_unmap;
        config.unmap_ud = e->reaper;
    }
    e->engine = br_engine_new(&config);
    if (e->engine == NULL) {
        enif_release_resource(e);
        return NULL;
    }
    return e;
}

ERL_NIF_TERM
bnif_module_load(ErlNifEnv *env, ERL_NIF_TERM bin,
                 bnif_module_loader_t *load,
                 ERL_NIF_TERM (*fail)(ErlNifEnv *env, const br_error_t *err))
{
    bnif_priv_t *priv = bnif_priv(env);
    ErlNifBinary bytes;
    br_error_t err;
    if (!enif_inspect_binary(env, bin, &bytes))
        return enif_make_badarg(env);
    bnif_module_t *m = enif_alloc_resource(priv->module_rt, sizeof *m);
    if (m == NULL)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    m->module = NULL;
    m->engine = priv->engine;
    enif_keep_resource(m->engine);
    bnif_error_init(&err);
    if (load(priv->engine->engine, bytes.data, bytes.size, &m->module,
             &err) != BR_ERR_OK) {
        enif_release_resource(m);
        return fail(env, &err);
    }
    ERL_NIF_TERM t = enif_make_resource(env, m);
    enif_release_resource(m);
    return enif_make_tuple2(env, bnif_atoms(env)->ok, t);
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

/*
 * Ends a call: gives a reusable context back to the instance (or
 * deletes it), unregisters it and releases the lease it took. A
 * context is reused only after a clean finish that no cancel reached
 * (a pending cancel flag would stop the next call at once). Safe to
 * call twice.
 */
void
bnif_call_finish(ErlNifEnv *env, bnif_call_t *call, bool reusable)
{
    bnif_instance_t *in = call->inst;
    call->state = BNIF_CALL_FINISHED;
    if (call->linked) {
        enif_mutex_lock(in->calls_lock);
        reusable = reusable && !call->cancel_requested;
        enif_mutex_unlock(in->calls_lock);
        call_unlink(call);
    }
    br_exec_t *exec = call->exec;
    call->exec = NULL;
    if (exec != NULL) {
        if (reusable && in->idle_exec == NULL)
            in->idle_exec = exec;
        else
            br_exec_delete(exec);
    }
    if (call->holds_lease) {
        call->holds_lease = false;
        bnif_lease_release(env, in);
    }
    close_if_stopped(in);
}

static bool
has_live_calls(bnif_instance_t *in)
{
    enif_mutex_lock(in->calls_lock);
    bool live = in->calls != NULL;
    enif_mutex_unlock(in->calls_lock);
    return live;
}

/*
 * Releases the WASI host fds of a stopping instance at once, not at
 * garbage collection. They are closed under the store lock. If a
 * cancelled call's slice holds it, that call ends at its next fuel
 * check and bnif_call_finish closes them (no waiting here); any other
 * holder (a memory access, the first slice of a call) is short, so we
 * wait for it. Never called with the store lock held.
 */
static void
close_fds_now(bnif_instance_t *in)
{
    if (in->wasi == NULL)
        return;
    if (enif_mutex_trylock(in->lock) != 0) {
        if (has_live_calls(in))
            return;
        enif_mutex_lock(in->lock);
    }
    bnif_wasi_close_fds(in);
    enif_mutex_unlock(in->lock);
}

void
bnif_instance_shutdown(bnif_instance_t *in)
{
    atomic_store(&in->stopped, true);
    bnif_instance_cancel_calls(in);
    enif_mutex_lock(in->calls_lock);
    bnif_registry_t *reg = in->lease.registry;
    ErlNifPid owner = in->lease.owner;
    in->lease.registry = NULL;
    enif_mutex_unlock(in->calls_lock);
    if (reg != NULL)
        bnif_registry_remove(reg, &owner, in);
    close_fds_now(in);
}

void
bnif_instance_cancel_calls(bnif_instance_t *in)
{
    enif_mutex_lock(in->calls_lock);
    for (bnif_call_t *c = in->calls; c != NULL; c = c->next) {
        c->cancel_requested = true;
        if (c->exec != NULL)
            br_exec_cancel(c->exec);
    }
    enif_mutex_unlock(in->calls_lock);
}

ERL_NIF_TERM
bnif_buffer_binary(ErlNifEnv *env, bnif_engine_t *engine, uint8_t *data,
                   size_t size)
{
    bnif_buffer_t *b =
        enif_alloc_resource(bnif_priv(env)->buffer_rt, sizeof *b);
    if (b == NULL) {
        ERL_NIF_TERM t = bnif_make_binary(env, data, size);
        br_engine_free_buffer(engine->engine, data, size);
        return t;
    }
    b->engine = engine;
    enif_keep_resource(engine);
    b->data = data;
    b->size = size;
    ERL_NIF_TERM t = enif_make_resource_binary(env, b, data, size);
    enif_release_resource(b);
    return t;
}
