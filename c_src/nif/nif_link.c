/*
 * beamr NIF: linking an instance's imports to another instance's
 * exports ({link, Instance, Name} import specs). Linked instances share
 * one store lock, so that a call running in one never races with the
 * other; the importer keeps its exporters (their stores) alive.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

/* {error, {link, #{reason, message, module, name}}} for import `index'. */
static ERL_NIF_TERM
link_error(ErlNifEnv *env, const bnif_instance_t *in, uint32_t index,
           const char *reason, const char *msg)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    br_name_t mod, name;
    br_externtype_t type;
    br_module_import(in->module->module, index, &mod, &name, &type);
    ERL_NIF_TERM keys[] = {a->reason, a->message, a->module_, a->name};
    ERL_NIF_TERM vals[] = {
        enif_make_atom(env, reason),
        bnif_make_binary(env, msg, strlen(msg)),
        bnif_make_binary(env, mod.data, mod.size),
        bnif_make_binary(env, name.data, name.size),
    };
    ERL_NIF_TERM map;
    enif_make_map_from_arrays(env, keys, vals, 4, &map);
    return bnif_error2(env, a->link, map);
}

/* Joins the exporter's lock group: our own lock (nobody uses it yet)
 * gives way to the exporter's. All exporters must share one group. */
static bool
join_lock(bnif_instance_t *in, bnif_instance_t *ex)
{
    if (in->shared_lock)
        return in->lock == ex->lock;
    enif_mutex_destroy(in->lock);
    in->lock = ex->lock;
    in->shared_lock = true;
    return true;
}

static bool
keep_exporter(bnif_instance_t *in, bnif_instance_t *ex)
{
    for (size_t i = 0; i < in->link_count; i++)
        if (in->links[i] == ex)
            return true;
    bnif_instance_t **p =
        enif_realloc(in->links, (in->link_count + 1) * sizeof *p);
    if (p == NULL)
        return false;
    in->links = p;
    in->links[in->link_count++] = ex;
    enif_keep_resource(ex);
    return true;
}

/* A function export is wrapped in a link that traps once the exporter
 * stops; memories, tables and globals are shared as they are. */
static bool
link_extern(bnif_instance_t *in, bnif_instance_t *ex, const br_extern_t *got,
            br_extern_t *out)
{
    *out = *got;
    if (got->kind != BR_EXTERN_FUNC)
        return true;
    br_link_t *link = enif_alloc(sizeof *link);
    if (link == NULL)
        return false;
    link->target = got->of.func;
    link->gone = &ex->stopped;
    out->of.func = br_func_new_link(in->store, link);
    if (out->of.func == NULL || !bnif_instance_keep_link(in, link)) {
        enif_free(link);
        return false;
    }
    return true;
}

bool
bnif_link_import(ErlNifEnv *env, bnif_instance_t *in, uint32_t index,
                 ERL_NIF_TERM spec, br_extern_t *out, ERL_NIF_TERM *err)
{
    const ERL_NIF_TERM *el;
    int arity;
    ErlNifBinary name;
    bnif_instance_t *ex;
    br_extern_t got;
    if (!enif_get_tuple(env, spec, &arity, &el) || arity != 3 ||
        !enif_inspect_binary(env, el[2], &name)) {
        *err = enif_make_badarg(env);
        return false;
    }
    if (!bnif_get_instance(env, el[1], &ex) || atomic_load(&ex->stopped)) {
        *err = link_error(env, in, index, "instance_stopped",
                          "the exporting instance is not running");
        return false;
    }
    if (!br_instance_export(ex->inst, (const char *)name.data, name.size,
                            &got)) {
        *err = link_error(env, in, index, "unknown_export",
                          "the instance has no export of that name");
        return false;
    }
    if (got.kind != in->import_types[index].kind) {
        *err = link_error(env, in, index, "incompatible_import_type",
                          "the export is of another kind");
        return false;
    }
    if (!join_lock(in, ex)) {
        *err = link_error(env, in, index, "link_conflict",
                          "the exporters of one instance must be linked "
                          "to each other (one lock group)");
        return false;
    }
    if (!keep_exporter(in, ex) || !link_extern(in, ex, &got, out)) {
        *err = bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
        return false;
    }
    return true;
}

bool
bnif_instance_keep_link(bnif_instance_t *in, br_link_t *link)
{
    br_link_t **p =
        enif_realloc(in->link_envs, (in->link_env_count + 1) * sizeof *p);
    if (p == NULL)
        return false;
    in->link_envs = p;
    in->link_envs[in->link_env_count++] = link;
    return true;
}
