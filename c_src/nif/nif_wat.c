/*
 * beamr NIF: the text format. beamr:wat_to_wasm/1 returns the binary
 * encoding of WAT text; module_new hands text (told from binary by the
 * "\0asm" magic) here to be encoded and then compiled. Large texts are
 * encoded on a dirty CPU scheduler, as large binaries are compiled.
 * Text errors are {error, {malformed, #{reason, message, line,
 * column}}} with the reasons of BR_TEXT_ERRORS (br_text.h).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"
#include "text/br_text.h"

/* Texts above this size are encoded on a dirty CPU scheduler (as
 * nif_module.c does for compiling). */
#define DIRTY_TEXT_BYTES (64u * 1024u)

bool
bnif_is_text(const uint8_t *bytes, size_t size)
{
    size_t i = 0;
    if (br_is_binary(bytes, size))
        return false;
    /* WAT starts with a form or a comment after optional whitespace;
     * anything else stays "not a module" (magic header not detected) */
    while (i < size && (bytes[i] == ' ' || bytes[i] == '\t' ||
                        bytes[i] == '\n' || bytes[i] == '\r'))
        i++;
    return i < size && (bytes[i] == '(' || bytes[i] == ';');
}

static ERL_NIF_TERM
text_error(ErlNifEnv *env, const br_text_error_t *err)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    ERL_NIF_TERM keys[] = {a->reason, a->message, enif_make_atom(env, "line"),
                           enif_make_atom(env, "column")};
    ERL_NIF_TERM vals[] = {
        enif_make_atom(env, br_text_err_atom(err->code)),
        bnif_make_binary(env, err->message,
                         strnlen(err->message, sizeof err->message)),
        enif_make_uint(env, err->line),
        enif_make_uint(env, err->column),
    };
    ERL_NIF_TERM map;
    if (err->code == BR_TEXT_ERR_OUT_OF_MEMORY)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    enif_make_map_from_arrays(env, keys, vals, 4, &map);
    return bnif_error2(env, a->malformed, map);
}

/* Encodes argv[0]; on success *out is a new binary term. */
static bool
encode(ErlNifEnv *env, ERL_NIF_TERM text, ERL_NIF_TERM *out)
{
    br_engine_t *engine = bnif_priv(env)->engine->engine;
    ErlNifBinary bin;
    br_text_error_t err;
    uint8_t *bytes;
    size_t size;
    if (!enif_inspect_binary(env, text, &bin)) {
        *out = enif_make_badarg(env);
        return false;
    }
    if (br_wat_to_wasm(engine, (const char *)bin.data, bin.size, &bytes, &size,
                       &err) != BR_TEXT_ERR_OK) {
        *out = text_error(env, &err);
        return false;
    }
    *out = bnif_make_binary(env, bytes, size);
    br_engine_free_buffer(engine, bytes, size);
    return true;
}

static ERL_NIF_TERM
wat_to_wasm(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM out;
    (void)argc;
    if (!encode(env, argv[0], &out))
        return out;
    return enif_make_tuple2(env, bnif_atoms(env)->ok, out);
}

/* A compile error of the text's encoding, {error, {Class, Map}}, with
 * the line and column of its function in the text added to Map
 * (br_wat_locate); other results unchanged. */
static ERL_NIF_TERM
place_in_text(ErlNifEnv *env, ERL_NIF_TERM text, ERL_NIF_TERM result)
{
    const ERL_NIF_TERM *outer, *inner;
    int n;
    ErlNifBinary bin;
    ErlNifUInt64 offset;
    ERL_NIF_TERM off_term;
    br_error_t err;
    if (!enif_get_tuple(env, result, &n, &outer) || n != 2 ||
        outer[0] != bnif_atoms(env)->error ||
        !enif_get_tuple(env, outer[1], &n, &inner) || n != 2 ||
        !enif_get_map_value(env, inner[1], bnif_atoms(env)->offset,
                            &off_term) ||
        !enif_get_uint64(env, off_term, &offset) ||
        !enif_inspect_binary(env, text, &bin))
        return result;
    bnif_error_init(&err);
    err.offset = offset;
    br_wat_locate(bnif_priv(env)->engine->engine, (const char *)bin.data,
                  bin.size, &err);
    if (err.line == 0)
        return result;
    return bnif_error2(env, inner[0],
                       bnif_put_position(env, inner[1], err.line, err.column));
}

static ERL_NIF_TERM
wat_module_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM wasm;
    (void)argc;
    if (!encode(env, argv[0], &wasm))
        return wasm;
    return place_in_text(
        env, argv[0],
        bnif_module_load(env, wasm, br_module_new, bnif_error_from));
}

/* Runs `fn` now, or on a dirty scheduler for a large text. */
static ERL_NIF_TERM
maybe_dirty(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[],
            const char *name,
            ERL_NIF_TERM (*fn)(ErlNifEnv *, int, const ERL_NIF_TERM[]))
{
    ErlNifBinary bin;
    if (!enif_inspect_binary(env, argv[0], &bin))
        return enif_make_badarg(env);
    if (bin.size > DIRTY_TEXT_BYTES)
        return enif_schedule_nif(env, name, ERL_NIF_DIRTY_JOB_CPU_BOUND, fn,
                                 argc, argv);
    return fn(env, argc, argv);
}

ERL_NIF_TERM
bnif_wat_to_wasm(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    return maybe_dirty(env, argc, argv, "wat_to_wasm", wat_to_wasm);
}

ERL_NIF_TERM
bnif_wat_module_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    return maybe_dirty(env, argc, argv, "module_new", wat_module_new);
}
