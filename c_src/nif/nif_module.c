/*
 * beamr NIF: compiling modules, describing their imports and exports,
 * and instantiating them (imports, limits, stop and cancel).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

/* Modules above this size are compiled on a dirty CPU scheduler:
 * bounded work that cannot yield (DESIGN: dirty only for that). */
#define DIRTY_COMPILE_BYTES (64u * 1024u)
/* Instantiations that write more than this up front (about 0.2 ms of
 * copying into fresh pages) run on a dirty CPU scheduler. */
#define DIRTY_INSTANTIATE_BYTES (1024u * 1024u)

/* ------------------------------------------------------------------ */
/* Compiling                                                           */

static ERL_NIF_TERM
module_compile(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    return bnif_module_load(env, argv[0], br_module_new, bnif_error_from);
}

ERL_NIF_TERM
bnif_module_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary bin;
    if (!enif_inspect_binary(env, argv[0], &bin))
        return enif_make_badarg(env);
    if (bnif_is_text(bin.data, bin.size))
        return bnif_wat_module_new(env, argc, argv);
    if (bin.size > DIRTY_COMPILE_BYTES)
        return enif_schedule_nif(env, "module_new", ERL_NIF_DIRTY_JOB_CPU_BOUND,
                                 module_compile, argc, argv);
    return module_compile(env, argc, argv);
}

/* ------------------------------------------------------------------ */
/* Describing                                                          */

/* A memory's map also has its page size in bytes (65536, or 1 with
 * custom-page-sizes): its min and max count those pages. */
static ERL_NIF_TERM
limits_term(ErlNifEnv *env, const br_limitstype_t *l, bool memory)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    unsigned shift = l->custom_page ? l->page_log2 : 16u;
    ERL_NIF_TERM keys[] = {a->min, a->max, a->is64, a->shared, a->page_size};
    ERL_NIF_TERM vals[] = {
        enif_make_uint64(env, l->min),
        l->has_max ? enif_make_uint64(env, l->max) : a->undefined,
        l->is64 ? a->true_ : a->false_,
        l->shared ? a->true_ : a->false_,
        enif_make_uint64(env, (ErlNifUInt64)1 << shift),
    };
    ERL_NIF_TERM map;
    enif_make_map_from_arrays(env, keys, vals, memory ? 5 : 4, &map);
    return map;
}

/* {func, Params, Results} | {table, Elem, Limits} | {memory, Limits} |
 * {global, Kind, const | var} | {tag, Params} */
static ERL_NIF_TERM
externtype_term(ErlNifEnv *env, const br_externtype_t *t)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    switch (t->kind) {
    case BR_EXTERN_FUNC:
        return enif_make_tuple3(
            env, a->func,
            bnif_kinds_list(env, t->func.params, t->func.param_count),
            bnif_kinds_list(env, t->func.results, t->func.result_count));
    case BR_EXTERN_TABLE:
        return enif_make_tuple3(env, a->table,
                                bnif_kind_atom(env, t->elem_or_global),
                                limits_term(env, &t->limits, false));
    case BR_EXTERN_MEMORY:
        return enif_make_tuple2(env, a->memory,
                                limits_term(env, &t->limits, true));
    case BR_EXTERN_GLOBAL:
        return enif_make_tuple3(env, a->global,
                                bnif_kind_atom(env, t->elem_or_global),
                                t->mutable_global ? a->var : a->const_);
    default:
        return enif_make_tuple2(
            env, a->tag,
            bnif_kinds_list(env, t->func.params, t->func.param_count));
    }
}

static ERL_NIF_TERM
name_term(ErlNifEnv *env, const br_name_t *n)
{
    return bnif_make_binary(env, n->data, n->size);
}

ERL_NIF_TERM
bnif_module_imports(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_module_t *m;
    if (!bnif_get_module(env, argv[0], &m))
        return enif_make_badarg(env);
    ERL_NIF_TERM list = enif_make_list(env, 0);
    for (uint32_t i = br_module_import_count(m->module); i > 0; i--) {
        br_name_t mod, name;
        br_externtype_t type;
        br_module_import(m->module, i - 1, &mod, &name, &type);
        ERL_NIF_TERM item =
            enif_make_tuple3(env, name_term(env, &mod), name_term(env, &name),
                             externtype_term(env, &type));
        list = enif_make_list_cell(env, item, list);
    }
    return list;
}

ERL_NIF_TERM
bnif_module_exports(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_module_t *m;
    if (!bnif_get_module(env, argv[0], &m))
        return enif_make_badarg(env);
    ERL_NIF_TERM list = enif_make_list(env, 0);
    for (uint32_t i = br_module_export_count(m->module); i > 0; i--) {
        br_name_t name;
        br_externtype_t type;
        br_module_export(m->module, i - 1, &name, &type);
        ERL_NIF_TERM item = enif_make_tuple2(env, name_term(env, &name),
                                             externtype_term(env, &type));
        list = enif_make_list_cell(env, item, list);
    }
    return list;
}

/* ------------------------------------------------------------------ */
/* Instantiating                                                       */

/* Every function import suspends: the Erlang caller answers it. The
 * env is the import's index in the module's import list. */
static br_host_status_t
suspend_host(void *env, br_exec_t *exec, const br_val_t *args,
             br_val_t *results)
{
    (void)env;
    (void)exec;
    (void)args;
    (void)results;
    return BR_HOST_SUSPEND;
}

static bool
get_u64_opt(ErlNifEnv *env, ERL_NIF_TERM map, ERL_NIF_TERM key, uint64_t *out)
{
    ERL_NIF_TERM v;
    ErlNifUInt64 u;
    if (!enif_get_map_value(env, map, key, &v))
        return true;
    if (!enif_get_uint64(env, v, &u))
        return false;
    *out = u;
    return true;
}

bool
bnif_get_max_pages(ErlNifEnv *env, ERL_NIF_TERM t, uint64_t *out)
{
    ErlNifUInt64 u;
    if (enif_is_identical(t, bnif_atoms(env)->infinity)) {
        *out = BR_MEMORY_PAGES_UNLIMITED;
        return true;
    }
    /* 0 would mean "the default" to the engine: not a cap one can ask. */
    if (!enif_get_uint64(env, t, &u) || u == 0)
        return false;
    *out = u;
    return true;
}

static bool
get_limits(ErlNifEnv *env, ERL_NIF_TERM map, br_limits_t *out)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    uint64_t depth = 0, slots = 0;
    ERL_NIF_TERM pages;
    memset(out, 0, sizeof *out);
    if (!enif_is_map(env, map) ||
        (enif_get_map_value(env, map, a->max_memory_pages, &pages) &&
         !bnif_get_max_pages(env, pages, &out->max_memory_pages)) ||
        !get_u64_opt(env, map, a->max_table_size, &out->max_table_elems) ||
        !get_u64_opt(env, map, a->max_call_depth, &depth) ||
        !get_u64_opt(env, map, a->max_stack_slots, &slots) ||
        depth > UINT32_MAX || slots > UINT32_MAX)
        return false;
    out->max_call_depth = (uint32_t)depth;
    out->max_stack_slots = (uint32_t)slots;
    return true;
}

/* {Tag, Min, Max | undefined} overrides a memory or table import's
 * declared limits; `default` keeps them. */
static bool
get_import_limits(ErlNifEnv *env, ERL_NIF_TERM spec, ERL_NIF_TERM tag,
                  br_limitstype_t *limits)
{
    const ERL_NIF_TERM *el;
    int arity;
    ErlNifUInt64 min, max;
    if (enif_is_identical(spec, bnif_atoms(env)->default_))
        return true;
    if (!enif_get_tuple(env, spec, &arity, &el) || arity != 3 ||
        !enif_is_identical(el[0], tag) || !enif_get_uint64(env, el[1], &min))
        return false;
    limits->min = min;
    if (enif_is_identical(el[2], bnif_atoms(env)->undefined))
        return true;
    if (!enif_get_uint64(env, el[2], &max))
        return false;
    limits->max = max;
    limits->has_max = true;
    return true;
}

static bool
get_global_init(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM spec,
                const br_externtype_t *type, br_val_t *val)
{
    const ERL_NIF_TERM *el;
    int arity;
    memset(val, 0, sizeof *val);
    val->kind = type->elem_or_global;
    if (enif_is_identical(spec, bnif_atoms(env)->default_))
        return true;
    return enif_get_tuple(env, spec, &arity, &el) && arity == 2 &&
           enif_is_identical(el[0], bnif_atoms(env)->global) &&
           bnif_term_to_val(env, in, el[1], type->elem_or_global, val);
}

/* Result of building one import. */
enum { IMPORT_OK, IMPORT_BAD_SPEC, IMPORT_NO_MEMORY };

static int
make_import(ErlNifEnv *env, bnif_instance_t *in, uint32_t index,
            ERL_NIF_TERM spec, br_extern_t *out)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    const br_externtype_t *type = &in->import_types[index];
    br_limitstype_t limits = type->limits;
    br_val_t init;
    void *obj = NULL;
    out->kind = type->kind;
    switch (type->kind) {
    case BR_EXTERN_FUNC:
        if (enif_is_identical(spec, a->wasi) ||
            enif_is_identical(spec, a->emscripten))
            return bnif_wasi_import(env, in, index, spec, out)
                       ? IMPORT_OK
                       : IMPORT_BAD_SPEC;
        if (enif_is_identical(spec, a->erl_nif)) /* sandboxed NIFs */
            return bnif_guest_import(env, in, index, out) ? IMPORT_OK
                                                          : IMPORT_BAD_SPEC;
        if (enif_is_identical(spec, a->invoke))
            obj = out->of.func = br_func_new_invoke(in->store, &type->func);
        else if (enif_is_identical(spec, a->longjmp))
            obj = out->of.func = br_func_new_longjmp(in->store, &type->func);
        else
            obj = out->of.func = br_func_new_host(
                in->store, &type->func, suspend_host, (void *)(uintptr_t)index);
        if (obj == NULL && enif_is_identical(spec, a->invoke))
            return IMPORT_BAD_SPEC; /* no index parameter */
        break;
    case BR_EXTERN_MEMORY:
        if (!get_import_limits(env, spec, a->memory, &limits))
            return IMPORT_BAD_SPEC;
        obj = out->of.memory = br_memory_new(in->store, &limits);
        break;
    case BR_EXTERN_TABLE:
        if (!get_import_limits(env, spec, a->table, &limits))
            return IMPORT_BAD_SPEC;
        obj = out->of.table =
            br_table_new(in->store, type->elem_or_global, &limits, NULL);
        break;
    case BR_EXTERN_GLOBAL:
        if (!get_global_init(env, in, spec, type, &init))
            return IMPORT_BAD_SPEC;
        obj = out->of.global = br_global_new(in->store, type->elem_or_global,
                                             type->mutable_global, &init);
        break;
    default:
        obj = out->of.tag = br_tag_new(in->store, &type->func);
        break;
    }
    return obj == NULL ? IMPORT_NO_MEMORY : IMPORT_OK;
}

static ERL_NIF_TERM
bad_import_error(ErlNifEnv *env, const bnif_module_t *m, uint32_t index)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    br_name_t mod, name;
    br_externtype_t type;
    br_module_import(m->module, index, &mod, &name, &type);
    ERL_NIF_TERM keys[] = {a->reason, a->message, a->module_, a->name};
    const char *msg = "import value does not fit the import's type";
    ERL_NIF_TERM vals[] = {
        bnif_err_atom(env, BR_ERR_INCOMPATIBLE_IMPORT),
        bnif_make_binary(env, msg, strlen(msg)),
        name_term(env, &mod),
        name_term(env, &name),
    };
    ERL_NIF_TERM map;
    enif_make_map_from_arrays(env, keys, vals, 4, &map);
    return bnif_error2(env, a->link, map);
}

static bool
is_link_spec(ErlNifEnv *env, ERL_NIF_TERM spec)
{
    const ERL_NIF_TERM *el;
    int arity;
    return enif_get_tuple(env, spec, &arity, &el) && arity == 3 &&
           enif_is_identical(el[0], bnif_atoms(env)->link);
}

/* Builds every import in the instance's store; on failure returns
 * false with the error term in *err. */
static bool
make_imports(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM specs,
             br_extern_t *externs, uint32_t count, ERL_NIF_TERM *err)
{
    ERL_NIF_TERM spec;
    for (uint32_t i = 0; i < count; i++) {
        if (!enif_get_list_cell(env, specs, &spec, &specs)) {
            *err = enif_make_badarg(env);
            return false;
        }
        if (enif_is_tuple(env, spec) && is_link_spec(env, spec)) {
            if (!bnif_link_import(env, in, i, spec, &externs[i], err))
                return false;
            continue;
        }
        int r = make_import(env, in, i, spec, &externs[i]);
        if (r == IMPORT_BAD_SPEC) {
            *err = bad_import_error(env, in->module, i);
            return false;
        }
        if (r == IMPORT_NO_MEMORY) {
            *err = bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
            return false;
        }
    }
    return true;
}

static bnif_instance_t *
instance_alloc(ErlNifEnv *env, bnif_module_t *m, const br_limits_t *limits)
{
    bnif_instance_t *in =
        enif_alloc_resource(bnif_priv(env)->instance_rt, sizeof *in);
    if (in == NULL)
        return NULL;
    memset(in, 0, sizeof *in);
    atomic_init(&in->stopped, false);
    in->fuel_budget = -1; /* unmetered until add_fuel */
    in->module = m;
    enif_keep_resource(m);
    uint32_t n = br_module_import_count(m->module);
    in->import_types = enif_alloc((n > 0 ? n : 1) * sizeof(br_externtype_t));
    in->lock = enif_mutex_create("beamr_instance");
    in->calls_lock = enif_mutex_create("beamr_calls");
    in->store = br_store_new(m->engine->engine, limits);
    if (in->import_types == NULL || in->lock == NULL ||
        in->calls_lock == NULL || in->store == NULL) {
        enif_release_resource(in);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        br_name_t mod, name;
        br_module_import(m->module, i, &mod, &name, &in->import_types[i]);
    }
    return in;
}

static ERL_NIF_TERM
instantiate(ErlNifEnv *env, bnif_instance_t *in, br_extern_t *externs,
            uint32_t count)
{
    br_error_t err;
    br_trap_t trap;
    bnif_error_init(&err);
    memset(&trap, 0, sizeof trap);
    trap.kind = BR_TRAP_NONE;
    if (br_instance_new(in->store, in->module->module, externs, count,
                        &in->inst, &err, &trap) != BR_ERR_OK) {
        if (trap.kind != BR_TRAP_NONE)
            return bnif_error2(env, bnif_atoms(env)->trap,
                               bnif_trap_map(env, &trap));
        return bnif_error_from(env, &err);
    }
    const bnif_atoms_t *a = bnif_atoms(env);
    bool has_start = br_instance_start_func(in->inst) != NULL;
    return enif_make_tuple3(env, a->ok, enif_make_resource(env, in),
                            has_start ? a->true_ : a->false_);
}

/* A pipe as WASI stdin (4th element of the config tuple) lives as long
 * as the instance: its WASI reads it. */
static void
keep_stdin_pipe(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM wasi)
{
    const ERL_NIF_TERM *el;
    int arity;
    bnif_pipe_t *p;
    if (enif_get_tuple(env, wasi, &arity, &el) && arity >= 4 &&
        bnif_get_pipe(env, el[3], &p)) {
        enif_keep_resource(p);
        in->stdin_pipe = p;
    }
}

/* Sets up native WASI if asked, builds the imports, instantiates. */
static ERL_NIF_TERM
link_and_instantiate(ErlNifEnv *env, bnif_instance_t *in,
                     const ERL_NIF_TERM argv[], uint32_t count)
{
    ERL_NIF_TERM result;
    keep_stdin_pipe(env, in, argv[3]);
    if (!enif_is_identical(argv[3], bnif_atoms(env)->undefined) &&
        !bnif_wasi_setup(env, in, argv[3], &result))
        return result;
    br_extern_t *externs =
        enif_alloc((count > 0 ? count : 1) * sizeof *externs);
    if (externs == NULL)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    if (make_imports(env, in, argv[2], externs, count, &result)) {
        /* Linked: the exporters' objects are written (segments) under
         * their lock, which is now ours. */
        if (in->shared_lock)
            enif_mutex_lock(in->lock);
        result = instantiate(env, in, externs, count);
        if (in->shared_lock)
            enif_mutex_unlock(in->lock);
    }
    enif_free(externs);
    return result;
}

/* instance_new(Module, Limits, ImportSpecs, Wasi) ->
 *     {ok, Instance, HasStart} | {error, _}
 * ImportSpecs has one entry per import, in import order: for a function
 * `default' (answered by Erlang), `wasi' or `emscripten' (native; Wasi
 * is then the WASI config tuple, else `undefined'), `invoke' or
 * `longjmp' (Emscripten's invoke_* and _emscripten_throw_longjmp, run
 * in the engine), or `{link, Instance, Name}' (an export of another
 * instance: nif_link.c). The start function
 * is not run here: Erlang calls it like any export, so that the imports
 * it uses are answered the usual way. */
ERL_NIF_TERM
bnif_instance_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    bnif_module_t *m;
    br_limits_t limits;
    br_tier_t tier;
    unsigned spec_len;
    if (!bnif_get_module(env, argv[0], &m) ||
        !get_limits(env, argv[1], &limits) ||
        !bnif_native_tier(env, argv[1], &tier) ||
        !enif_get_list_length(env, argv[2], &spec_len) ||
        spec_len != br_module_import_count(m->module))
        return enif_make_badarg(env);
    /* Instantiation cannot yield: when it writes much (data segments,
     * tables filled to their minimum), it runs again, whole, on a dirty
     * CPU scheduler, so that no normal scheduler waits for it. */
    if (br_module_instantiate_bytes(m->module) > DIRTY_INSTANTIATE_BYTES &&
        enif_thread_type() == ERL_NIF_THR_NORMAL_SCHEDULER)
        return enif_schedule_nif(env, "instance_new",
                                 ERL_NIF_DIRTY_JOB_CPU_BOUND,
                                 bnif_instance_new, argc, argv);
    bnif_instance_t *in = instance_alloc(env, m, &limits);
    if (in == NULL)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    br_store_set_tier(in->store, tier);
    br_store_set_native_lazy_limit(in->store, BNIF_NATIVE_LAZY_WORDS);
    ERL_NIF_TERM result = link_and_instantiate(env, in, argv, spec_len);
    enif_release_resource(in);
    return result;
}

/*
 * instance_owner(Instance, Pid) -> ok | {error, stopped}: registers the
 * owner process, through which every NIF finds the instance; it queues
 * callers and receives lease notices. If it dies, however it dies, the
 * instance stops (a monitor held by the resource).
 */
ERL_NIF_TERM
bnif_instance_owner(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_priv_t *priv = bnif_priv(env);
    bnif_instance_t *in;
    ErlNifPid pid;
    if (!enif_get_resource(env, argv[0], priv->instance_rt, (void **)&in) ||
        !enif_get_local_pid(env, argv[1], &pid))
        return enif_make_badarg(env);
    enif_mutex_lock(in->calls_lock);
    bool had = in->lease.has_owner;
    if (!had) {
        in->lease.owner = pid;
        in->lease.has_owner = true;
        in->lease.registry = priv->registry;
    }
    enif_mutex_unlock(in->calls_lock);
    if (had)
        return enif_make_badarg(env);
    if (!bnif_registry_put(priv->registry, &pid, in)) {
        enif_mutex_lock(in->calls_lock);
        in->lease.registry = NULL;
        enif_mutex_unlock(in->calls_lock);
        bnif_instance_shutdown(in);
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    }
    if (enif_monitor_process(env, in, &pid, &in->lease.owner_mon) != 0) {
        bnif_instance_shutdown(in); /* the owner is gone already */
        return bnif_error(env, bnif_atoms(env)->stopped);
    }
    return bnif_atoms(env)->ok;
}

/* Marks the instance stopped and cancels its running calls at their next
 * fuel check; safe from any process while another one runs a call. */
ERL_NIF_TERM
bnif_instance_stop(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    if (!bnif_get_instance(env, argv[0], &in))
        return enif_is_pid(env, argv[0]) ? bnif_atoms(env)->ok
                                         : enif_make_badarg(env);
    bnif_instance_shutdown(in);
    return bnif_atoms(env)->ok;
}

/* Cancels the live calls (their caller died) but keeps the instance. */
ERL_NIF_TERM
bnif_instance_cancel(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    if (!bnif_get_instance(env, argv[0], &in))
        return enif_is_pid(env, argv[0]) ? bnif_atoms(env)->ok
                                         : enif_make_badarg(env);
    bnif_instance_cancel_calls(in);
    return bnif_atoms(env)->ok;
}
