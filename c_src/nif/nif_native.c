/*
 * beamr NIF: the native tier's options and figures
 * (docs/native-tier.md): the `tier' start option read from the limits
 * map beamr:start passes to instance_new, module_native_info and
 * module_native_compile.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "beamr_nif.h"

/* The `tier' key of instance_new's limits map: interp (also when
 * absent), native or auto. False for any other value. */
bool
bnif_native_tier(ErlNifEnv *env, ERL_NIF_TERM map, br_tier_t *out)
{
    ERL_NIF_TERM v;
    *out = BR_TIER_INTERP;
    if (!enif_is_map(env, map) ||
        !enif_get_map_value(env, map, enif_make_atom(env, "tier"), &v))
        return true;
    static const char *const names[] = {"interp", "native", "auto"};
    for (int k = 0; k < 3; k++) {
        if (enif_is_identical(v, enif_make_atom(env, names[k]))) {
            *out = (br_tier_t)k;
            return true;
        }
    }
    return false;
}

/* module_native_info(Module) -> #{native_available, native_functions,
 * code_bytes, mapped_bytes}: the module's machine code so far, shared
 * by all its instances. */
ERL_NIF_TERM
bnif_module_native_info(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_module_t *m;
    if (!bnif_get_module(env, argv[0], &m))
        return enif_make_badarg(env);
    uint32_t funcs = 0;
    size_t code = 0, mapped = 0;
    br_module_native_info(m->module, &funcs, &code, &mapped);
    ERL_NIF_TERM keys[] = {
        enif_make_atom(env, "native_available"),
        enif_make_atom(env, "native_functions"),
        enif_make_atom(env, "code_bytes"),
        enif_make_atom(env, "mapped_bytes"),
    };
    ERL_NIF_TERM vals[] = {
        enif_make_atom(env, br_native_available() ? "true" : "false"),
        enif_make_uint(env, funcs),
        enif_make_uint64(env, code),
        enif_make_uint64(env, mapped),
    };
    ERL_NIF_TERM map;
    if (!enif_make_map_from_arrays(env, keys, vals, 4, &map))
        return enif_make_badarg(env);
    return map;
}

/* module_native_compile(Module) -> ok | {error, out_of_memory}: machine
 * code for every function of the module that has none yet, shared by
 * all its instances (running ones pick it up at their next call of each
 * function). Registered as a dirty CPU job: a large module takes tens
 * of milliseconds. */
ERL_NIF_TERM
bnif_module_native_compile(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_module_t *m;
    if (!bnif_get_module(env, argv[0], &m))
        return enif_make_badarg(env);
    if (!br_module_native_compile(m->module))
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    return enif_make_atom(env, "ok");
}
