/*
 * beamr NIF: library entry points (load, upgrade, unload), the atom
 * table and the list of NIF functions behind the beamr_nif module.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

static void
make_atoms(ErlNifEnv *env, bnif_atoms_t *atoms)
{
#define BNIF_ATOM_MAKE(c_name, erl_name) \
    atoms->c_name = enif_make_atom(env, erl_name);
    BNIF_ATOMS(BNIF_ATOM_MAKE)
#undef BNIF_ATOM_MAKE
}

/*
 * Builds the private data of one loaded library version: atoms,
 * resource types (opened with takeover so that an upgrade adopts the
 * objects of the previous version) and the engine all modules share.
 */
/* The VM-wide memory cap of the load info (`max_memory_pages', from the
 * application env: pages or `infinity'), or 0 for the engine's default.
 * beamr_nif:init/0 checks the value; anything else is ignored here.
 * (The private data is not set yet: no bnif_atoms.) */
static uint64_t
load_max_pages(ErlNifEnv *env, ERL_NIF_TERM info)
{
    ERL_NIF_TERM key = enif_make_atom(env, "max_memory_pages"), value;
    ErlNifUInt64 pages;
    if (!enif_is_map(env, info) || !enif_get_map_value(env, info, key, &value))
        return 0;
    if (enif_is_identical(value, enif_make_atom(env, "infinity")))
        return BR_MEMORY_PAGES_UNLIMITED;
    return enif_get_uint64(env, value, &pages) ? pages : 0;
}

static bnif_priv_t *
priv_new(ErlNifEnv *env, ERL_NIF_TERM info)
{
    bnif_priv_t *priv = enif_alloc(sizeof *priv);
    if (priv == NULL)
        return NULL;
    memset(priv, 0, sizeof *priv);
    make_atoms(env, &priv->atoms);
    if (!bnif_resources_open(env, priv))
        goto fail;
    priv->reaper = bnif_reaper_new();
    if (priv->reaper == NULL)
        goto fail;
    priv->engine = bnif_engine_create(priv, load_max_pages(env, info));
    if (priv->engine == NULL)
        goto fail;
    return priv;
fail:
    bnif_reaper_stop(priv->reaper);
    bnif_reaper_release(priv->reaper);
    enif_free(priv);
    return NULL;
}

static int
on_load(ErlNifEnv *env, void **priv_data, ERL_NIF_TERM info)
{
    bnif_priv_t *priv = priv_new(env, info);
    if (priv == NULL)
        return 1;
    bnif_wasi_configure(env, info);
    priv->registry = bnif_registry_new();
    if (priv->registry == NULL) {
        enif_release_resource(priv->engine);
        bnif_reaper_stop(priv->reaper);
        bnif_reaper_release(priv->reaper);
        enif_free(priv);
        return 1;
    }
    *priv_data = priv;
    return 0;
}

/* The new version gets its own private data; objects made by the old
 * one stay valid (their types were taken over, their engine is kept
 * alive by the module resources that use it), and it takes over the
 * registry, so that instance pids keep working. */
static int
on_upgrade(ErlNifEnv *env, void **priv_data, void **old_priv_data,
           ERL_NIF_TERM info)
{
    bnif_priv_t *old = *old_priv_data;
    bnif_priv_t *priv = priv_new(env, info);
    if (priv == NULL)
        return 1;
    bnif_wasi_configure(env, info);
    priv->registry = old->registry;
    old->registry = NULL;
    *priv_data = priv;
    return 0;
}

static void
on_unload(ErlNifEnv *env, void *priv_data)
{
    (void)env;
    bnif_priv_t *priv = priv_data;
    if (priv == NULL)
        return;
    if (priv->engine != NULL)
        enif_release_resource(priv->engine);
    /* Everything queued is unmapped or freed before the library goes. */
    bnif_reaper_stop(priv->reaper);
    bnif_reaper_release(priv->reaper);
    bnif_registry_delete(priv->registry);
    enif_free(priv);
}

/* Calls are short (one slice each, then they reschedule themselves);
 * compiling a very large module goes to a dirty scheduler from
 * module_new itself, and the whole-module and whole-memory copies of
 * aot and snapshots run there. */
static ErlNifFunc nif_funcs[] = {
    {"module_new", 1, bnif_module_new, 0},
    {"wat_to_wasm", 1, bnif_wat_to_wasm, 0},
    {"module_imports", 1, bnif_module_imports, 0},
    {"module_exports", 1, bnif_module_exports, 0},
    {"module_native_info", 1, bnif_module_native_info, 0},
    /* The whole module to machine code: bounded, cannot yield. */
    {"module_native_compile", 1, bnif_module_native_compile,
     ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"instance_new", 4, bnif_instance_new, 0},
    {"instance_stop", 1, bnif_instance_stop, 0},
    {"instance_cancel", 1, bnif_instance_cancel, 0},
    {"instance_owner", 2, bnif_instance_owner, 0},
    {"lease_grant", 2, bnif_lease_grant, 0},
    {"lease_return", 2, bnif_lease_return, 0},
    {"lease_idle", 1, bnif_lease_idle, 0},
    {"call_start", 4, bnif_call_start, 0},
    {"call_resume", 2, bnif_call_resume, 0},
    {"call_abort", 1, bnif_call_abort, 0},
    {"memory_size", 1, bnif_memory_size, 0},
    {"gc_stats", 1, bnif_gc_stats, 0},
    {"memory_read", 3, bnif_memory_read, 0},
    {"memory_read_cstring", 3, bnif_memory_read_cstring, 0},
    {"memory_write", 3, bnif_memory_write, 0},
    {"memory_grow", 2, bnif_memory_grow, 0},
    {"global_get", 2, bnif_global_get, 0},
    {"global_set", 3, bnif_global_set, 0},
    {"table_size", 2, bnif_table_size, 0},
    {"table_get", 3, bnif_table_get, 0},
    {"wasi_output", 2, bnif_wasi_output, 0},
    {"guest_bind", 1, bnif_guest_bind, 0},
    {"nif_begin", 4, bnif_nif_begin, 0},
    {"nif_argv", 2, bnif_nif_argv, 0},
    {"nif_end", 2, bnif_nif_end, 0},
    {"instance_set_data", 2, bnif_instance_set_data, 0},
    {"instance_data", 1, bnif_instance_data, 0},
    {"instance_mode", 1, bnif_instance_mode, 0},
    {"fuel_add", 2, bnif_fuel_add, 0},
    {"fuel_remaining", 1, bnif_fuel_remaining, 0},
    {"pipe_new", 0, bnif_pipe_new, 0},
    {"pipe_write", 2, bnif_pipe_write, 0},
    {"pipe_close", 1, bnif_pipe_close, 0},
    {"pipe_wait", 1, bnif_pipe_wait, 0},
    /* Bounded copies of whole modules and memories: dirty CPU. */
    {"module_serialize", 1, bnif_module_serialize, ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"module_deserialize", 1, bnif_module_deserialize,
     ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"instance_snapshot", 1, bnif_instance_snapshot,
     ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"instance_snapshot_call", 1, bnif_instance_snapshot_call,
     ERL_NIF_DIRTY_JOB_CPU_BOUND},
    {"instance_restore_call", 2, bnif_instance_restore_call,
     ERL_NIF_DIRTY_JOB_CPU_BOUND},
};

ERL_NIF_INIT(beamr_nif, nif_funcs, on_load, NULL, on_upgrade, on_unload)
