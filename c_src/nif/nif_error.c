/*
 * beamr NIF: error and trap terms. Atoms and messages come from the one
 * X-macro list in br_errors.h (br_err_atom, br_trap_atom).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

ERL_NIF_TERM
bnif_error(ErlNifEnv *env, ERL_NIF_TERM reason)
{
    return enif_make_tuple2(env, bnif_atoms(env)->error, reason);
}

ERL_NIF_TERM
bnif_error2(ErlNifEnv *env, ERL_NIF_TERM tag, ERL_NIF_TERM detail)
{
    return bnif_error(env, enif_make_tuple2(env, tag, detail));
}

ERL_NIF_TERM
bnif_err_atom(ErlNifEnv *env, br_err_t code)
{
    return enif_make_atom(env, br_err_atom(code));
}

static ERL_NIF_TERM
cstr_binary(ErlNifEnv *env, const char *s, size_t cap)
{
    return bnif_make_binary(env, s, strnlen(s, cap));
}

/*
 * The class of a failure, from the position of its code in the list.
 * ORDER ERR: decoder codes run from MAGIC to MALFORMED_SECTION, the
 * validator's from TYPE_MISMATCH to INVALID_TAG_TYPE, then the linker's
 * UNKNOWN_IMPORT, INCOMPATIBLE_IMPORT and LIMIT_EXCEEDED, then the
 * compiled-module codes AOT_FORMAT to AOT_CORRUPT.
 */
static ERL_NIF_TERM
error_class(ErlNifEnv *env, br_err_t code)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    if (code >= BR_ERR_MAGIC && code <= BR_ERR_MALFORMED_SECTION)
        return a->malformed;
    if (code >= BR_ERR_TYPE_MISMATCH && code <= BR_ERR_INVALID_TAG_TYPE)
        return a->validation;
    if (code >= BR_ERR_UNKNOWN_IMPORT && code <= BR_ERR_LIMIT_EXCEEDED)
        return a->link;
    if (code >= BR_ERR_AOT_FORMAT && code <= BR_ERR_AOT_CORRUPT)
        return a->aot;
    return a->engine;
}

static ERL_NIF_TERM
error_map(ErlNifEnv *env, const br_error_t *err)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    ERL_NIF_TERM keys[] = {a->reason, a->message, a->offset, a->func};
    ERL_NIF_TERM msg = err->message[0] != '\0'
                           ? cstr_binary(env, err->message, sizeof err->message)
                           : cstr_binary(env, br_err_message(err->code), 160);
    ERL_NIF_TERM vals[] = {
        bnif_err_atom(env, err->code),
        msg,
        enif_make_uint64(env, err->offset),
        err->func_index < 0 ? a->undefined
                            : enif_make_int64(env, err->func_index),
    };
    ERL_NIF_TERM map;
    enif_make_map_from_arrays(env, keys, vals, 4, &map);
    return bnif_put_position(env, map, err->line, err->column);
}

ERL_NIF_TERM
bnif_put_position(ErlNifEnv *env, ERL_NIF_TERM map, uint32_t line,
                  uint32_t column)
{
    if (line == 0)
        return map;
    enif_make_map_put(env, map, enif_make_atom(env, "line"),
                      enif_make_uint(env, line), &map);
    enif_make_map_put(env, map, enif_make_atom(env, "column"),
                      enif_make_uint(env, column), &map);
    return map;
}

void
bnif_error_init(br_error_t *err)
{
    memset(err, 0, sizeof *err);
    err->func_index = -1;
}

ERL_NIF_TERM
bnif_error_from(ErlNifEnv *env, const br_error_t *err)
{
    if (err->code == BR_ERR_OUT_OF_MEMORY)
        return bnif_error(env, bnif_err_atom(env, err->code));
    return bnif_error2(env, error_class(env, err->code), error_map(env, err));
}

ERL_NIF_TERM
bnif_error_tagged(ErlNifEnv *env, ERL_NIF_TERM tag, const br_error_t *err)
{
    if (err->code == BR_ERR_OUT_OF_MEMORY)
        return bnif_error(env, bnif_err_atom(env, err->code));
    return bnif_error2(env, tag, error_map(env, err));
}

ERL_NIF_TERM
bnif_trap_map(ErlNifEnv *env, const br_trap_t *trap)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    uint32_t n = trap->frame_count;
    if (n > BR_TRAP_MAX_FRAMES)
        n = BR_TRAP_MAX_FRAMES;
    ERL_NIF_TERM stack = enif_make_list(env, 0);
    for (uint32_t i = n; i > 0; i--) {
        const br_frame_info_t *f = &trap->frames[i - 1];
        ERL_NIF_TERM frame =
            enif_make_tuple2(env, enif_make_uint(env, f->func_index),
                             enif_make_uint(env, f->code_offset));
        stack = enif_make_list_cell(env, frame, stack);
    }
    ERL_NIF_TERM msg =
        trap->message[0] != '\0'
            ? cstr_binary(env, trap->message, sizeof trap->message)
            : cstr_binary(env, br_trap_message(trap->kind), 160);
    ERL_NIF_TERM keys[] = {a->reason, a->message, a->stack};
    ERL_NIF_TERM vals[] = {enif_make_atom(env, br_trap_atom(trap->kind)), msg,
                           stack};
    ERL_NIF_TERM map;
    enif_make_map_from_arrays(env, keys, vals, 3, &map);
    return map;
}
