/*
 * Guest NIF functions of test/beamr_nif_guest_tests.erl: the seed's
 * three, one per erl_nif_wasm.h function, and bad guests.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "erl_nif_wasm.h"

static ERL_NIF_TERM
atom(ErlNifEnv *env, const char *name)
{
    return enif_make_atom(env, name);
}

/* ------------------------------------------------------------------ */
/* The seed's functions                                                */

ERL_NIF_WASM_EXPORT(add_terms);
ERL_NIF_TERM
add_terms(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    int a, b;
    if (argc != 2 || !enif_get_int(env, argv[0], &a) ||
        !enif_get_int(env, argv[1], &b))
        return enif_make_badarg(env);
    return enif_make_int(env, a + b);
}

ERL_NIF_WASM_EXPORT(add_list_terms);
ERL_NIF_TERM
add_list_terms(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM list = argv[0], head;
    int sum = 0, x;
    (void)argc;
    while (enif_get_list_cell(env, list, &head, &list)) {
        if (!enif_get_int(env, head, &x))
            return enif_make_badarg(env);
        sum += x;
    }
    if (!enif_is_empty_list(env, list))
        return enif_make_badarg(env);
    return enif_make_int(env, sum);
}

ERL_NIF_WASM_EXPORT(binary_reverse);
ERL_NIF_TERM
binary_reverse(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary in;
    ERL_NIF_TERM out;
    (void)argc;
    if (!enif_inspect_binary(env, argv[0], &in))
        return enif_make_badarg(env);
    unsigned char *p = enif_make_new_binary(env, in.size, &out);
    for (size_t i = 0; i < in.size; i++)
        p[i] = in.data[in.size - 1 - i];
    return out;
}

/* ------------------------------------------------------------------ */
/* Reading: X or `false` when enif_get_* refuses                       */

ERL_NIF_WASM_EXPORT(get_int);
ERL_NIF_TERM
get_int(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    int v;
    (void)argc;
    return enif_get_int(env, argv[0], &v) ? enif_make_int(env, v)
                                          : atom(env, "false");
}

ERL_NIF_WASM_EXPORT(get_uint);
ERL_NIF_TERM
get_uint(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    unsigned v;
    (void)argc;
    return enif_get_uint(env, argv[0], &v) ? enif_make_uint(env, v)
                                           : atom(env, "false");
}

ERL_NIF_WASM_EXPORT(get_int64);
ERL_NIF_TERM
get_int64(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifSInt64 v;
    (void)argc;
    return enif_get_int64(env, argv[0], &v) ? enif_make_int64(env, v)
                                            : atom(env, "false");
}

ERL_NIF_WASM_EXPORT(get_uint64);
ERL_NIF_TERM
get_uint64(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifUInt64 v;
    (void)argc;
    return enif_get_uint64(env, argv[0], &v) ? enif_make_uint64(env, v)
                                             : atom(env, "false");
}

/* Doubles the float, so that the value really went through the guest. */
ERL_NIF_WASM_EXPORT(get_double);
ERL_NIF_TERM
get_double(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    double v;
    (void)argc;
    return enif_get_double(env, argv[0], &v) ? enif_make_double(env, v * 2)
                                             : atom(env, "false");
}

/* {Name as a binary, Length} */
ERL_NIF_WASM_EXPORT(get_atom);
ERL_NIF_TERM
get_atom(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    char buf[256];
    unsigned len;
    ERL_NIF_TERM bin;
    (void)argc;
    int n = enif_get_atom(env, argv[0], buf, sizeof buf, ERL_NIF_LATIN1);
    if (n == 0 || !enif_get_atom_length(env, argv[0], &len, ERL_NIF_LATIN1))
        return atom(env, "false");
    memcpy(enif_make_new_binary(env, (size_t)n - 1, &bin), buf, (size_t)n - 1);
    return enif_make_tuple2(env, bin, enif_make_uint(env, len));
}

/* enif_get_atom into a buffer of argv[1] bytes. */
ERL_NIF_WASM_EXPORT(get_atom_small);
ERL_NIF_TERM
get_atom_small(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    char buf[256];
    unsigned size;
    (void)argc;
    if (!enif_get_uint(env, argv[1], &size) || size > sizeof buf)
        return enif_make_badarg(env);
    return enif_make_int(env, enif_get_atom(env, argv[0], buf, size,
                                            ERL_NIF_LATIN1));
}

/* {[Head], Tail}: the heads in order and what ends the list. */
ERL_NIF_WASM_EXPORT(list_cells);
ERL_NIF_TERM
list_cells(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM heads[64], list = argv[0];
    unsigned n = 0;
    (void)argc;
    while (n < 64 && enif_get_list_cell(env, list, &heads[n], &list))
        n++;
    return enif_make_tuple2(env, enif_make_list_from_array(env, heads, n),
                            list);
}

ERL_NIF_WASM_EXPORT(list_length);
ERL_NIF_TERM
list_length(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    unsigned n;
    (void)argc;
    return enif_get_list_length(env, argv[0], &n) ? enif_make_uint(env, n)
                                                  : atom(env, "false");
}

/* The elements as a list. */
ERL_NIF_WASM_EXPORT(tuple_to_list);
ERL_NIF_TERM
tuple_to_list(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    int arity;
    const ERL_NIF_TERM *els;
    (void)argc;
    if (!enif_get_tuple(env, argv[0], &arity, &els))
        return atom(env, "false");
    return enif_make_list_from_array(env, els, (unsigned)arity);
}

ERL_NIF_WASM_EXPORT(binary_size);
ERL_NIF_TERM
binary_size(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary bin;
    (void)argc;
    return enif_inspect_binary(env, argv[0], &bin)
               ? enif_make_uint64(env, bin.size)
               : atom(env, "false");
}

/* The iolist's bytes as a new binary built by the guest. */
ERL_NIF_WASM_EXPORT(iolist_copy);
ERL_NIF_TERM
iolist_copy(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary bin;
    ERL_NIF_TERM out;
    (void)argc;
    if (!enif_inspect_iolist_as_binary(env, argv[0], &bin))
        return atom(env, "false");
    unsigned char *p = enif_make_new_binary(env, bin.size, &out);
    memcpy(p, bin.data, bin.size);
    return out;
}

ERL_NIF_WASM_EXPORT(map_get);
ERL_NIF_TERM
map_get(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM v;
    (void)argc;
    return enif_get_map_value(env, argv[0], argv[1], &v) ? v
                                                         : atom(env, "error");
}

ERL_NIF_WASM_EXPORT(map_size);
ERL_NIF_TERM
map_size(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    size_t n;
    (void)argc;
    return enif_get_map_size(env, argv[0], &n) ? enif_make_uint64(env, n)
                                               : atom(env, "false");
}

/* ------------------------------------------------------------------ */
/* Making                                                              */

/* One term of every type, nested. */
ERL_NIF_WASM_EXPORT(make_terms);
ERL_NIF_TERM
make_terms(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM bin, map, els[10];
    (void)argc;
    (void)argv;
    memcpy(enif_make_new_binary(env, 3, &bin), "abc", 3);
    map = enif_make_new_map(env);
    enif_make_map_put(env, map, atom(env, "k"), enif_make_int(env, 1), &map);
    enif_make_map_put(env, map, bin, enif_make_list2(env, bin, bin), &map);
    els[0] = enif_make_int(env, -42);
    els[1] = enif_make_int64(env, INT64_MIN);
    els[2] = enif_make_uint64(env, UINT64_MAX);
    els[3] = enif_make_double(env, 1.5);
    els[4] = enif_make_atom_len(env, "hello", 5);
    els[5] = enif_make_tuple3(env, els[0], els[4], bin);
    els[6] = enif_make_list_cell(env, enif_make_uint(env, 7),
                                 enif_make_int(env, 8));
    els[7] = bin;
    els[8] = map;
    els[9] = enif_make_list_from_array(env, els, 0);
    return enif_make_tuple_from_array(env, els, 10);
}

ERL_NIF_WASM_EXPORT(make_list_cell);
ERL_NIF_TERM
make_list_cell(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    return enif_make_list_cell(env, argv[0], argv[1]);
}

/* Puts each {K, V} of the list argv[1] into the map argv[0]; `false`
 * if argv[0] is not a map. */
ERL_NIF_WASM_EXPORT(map_put_all);
ERL_NIF_TERM
map_put_all(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM map = argv[0], list = argv[1], pair;
    (void)argc;
    while (enif_get_list_cell(env, list, &pair, &list)) {
        int arity;
        const ERL_NIF_TERM *kv;
        if (!enif_get_tuple(env, pair, &arity, &kv) || arity != 2)
            return enif_make_badarg(env);
        if (!enif_make_map_put(env, map, kv[0], kv[1], &map))
            return atom(env, "false");
    }
    return map;
}

/* A binary of argv[0] bytes 0, 1, 2, ... */
ERL_NIF_WASM_EXPORT(make_binary);
ERL_NIF_TERM
make_binary(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    unsigned n;
    ERL_NIF_TERM out;
    (void)argc;
    if (!enif_get_uint(env, argv[0], &n))
        return enif_make_badarg(env);
    unsigned char *p = enif_make_new_binary(env, n, &out);
    if (p == NULL)
        return atom(env, "no_memory");
    for (unsigned i = 0; i < n; i++)
        p[i] = (unsigned char)i;
    return out;
}

ERL_NIF_WASM_EXPORT(make_double);
ERL_NIF_TERM
make_double(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    (void)argv;
    return enif_make_double(env, 1.0 / 0.0);
}

/* An atom named by the binary argv[0] (NUL-terminated copy). */
ERL_NIF_WASM_EXPORT(make_atom);
ERL_NIF_TERM
make_atom(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary name;
    char buf[400];
    (void)argc;
    if (!enif_inspect_binary(env, argv[0], &name) || name.size >= sizeof buf)
        return atom(env, "false");
    memcpy(buf, name.data, name.size);
    buf[name.size] = 0;
    return enif_make_atom(env, buf);
}

ERL_NIF_WASM_EXPORT(make_badarg);
ERL_NIF_TERM
make_badarg(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    (void)argv;
    ERL_NIF_TERM e = enif_make_badarg(env);
    ERL_NIF_TERM pending;
    /* Tests has_pending_exception and is_exception; badarg wins. */
    if (!enif_has_pending_exception(env, &pending) ||
        !enif_is_exception(env, e))
        return atom(env, "no_pending_exception");
    return e;
}

ERL_NIF_WASM_EXPORT(raise_exception);
ERL_NIF_TERM
raise_exception(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    return enif_raise_exception(env, argv[0]);
}

/* ------------------------------------------------------------------ */
/* Tests and comparison                                                */

/* The names of the enif_is_* tests the term passes. */
ERL_NIF_WASM_EXPORT(is_types);
ERL_NIF_TERM
is_types(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM t = argv[0], out = enif_make_list_from_array(env, NULL, 0);
    (void)argc;
#define TEST(fn, name)                                          \
    if (fn(env, t))                                             \
        out = enif_make_list_cell(env, atom(env, name), out);
    TEST(enif_is_port, "port")
    TEST(enif_is_fun, "fun")
    TEST(enif_is_ref, "ref")
    TEST(enif_is_pid, "pid")
    TEST(enif_is_number, "number")
    TEST(enif_is_map, "map")
    TEST(enif_is_tuple, "tuple")
    TEST(enif_is_empty_list, "empty_list")
    TEST(enif_is_list, "list")
    TEST(enif_is_binary, "binary")
    TEST(enif_is_atom, "atom")
    TEST(enif_is_exception, "exception")
#undef TEST
    return out;
}

ERL_NIF_WASM_EXPORT(compare);
ERL_NIF_TERM
compare(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    return enif_make_tuple2(
        env, enif_make_int(env, enif_compare(argv[0], argv[1])),
        enif_make_int(env, enif_is_identical(argv[0], argv[1])));
}

/* ------------------------------------------------------------------ */
/* Bad guests                                                          */

ERL_NIF_WASM_EXPORT(forged_handle);
ERL_NIF_TERM
forged_handle(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    /* A plausible handle: the argument's, with another index. */
    return enif_make_list_cell(env, argv[0], argv[0] + 1000);
}

ERL_NIF_WASM_EXPORT(return_forged);
ERL_NIF_TERM
return_forged(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)env;
    (void)argc;
    return argv[0] ^ ((ERL_NIF_TERM)1 << 40);
}

static ERL_NIF_TERM kept;

ERL_NIF_WASM_EXPORT(keep_handle);
ERL_NIF_TERM
keep_handle(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    kept = argv[0];
    return enif_make_int(env, 0);
}

/* Uses the handle kept by an earlier call. */
ERL_NIF_WASM_EXPORT(use_kept);
ERL_NIF_TERM
use_kept(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    int v;
    (void)argc;
    (void)argv;
    return enif_get_int(env, kept, &v) ? enif_make_int(env, v)
                                       : atom(env, "false");
}

ERL_NIF_WASM_EXPORT(return_kept);
ERL_NIF_TERM
return_kept(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)env;
    (void)argc;
    (void)argv;
    return kept;
}

/* A binary whose bytes would be past the end of memory. */
ERL_NIF_WASM_EXPORT(binary_out_of_bounds);
ERL_NIF_TERM
binary_out_of_bounds(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    (void)argv;
    return erl_nif_wasm_new_binary(env, (unsigned char *)0xfffffff0u, 64);
}

/* enif_inspect_binary's copy aimed past the end of memory. */
ERL_NIF_WASM_EXPORT(copy_out_of_bounds);
ERL_NIF_TERM
copy_out_of_bounds(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    return enif_make_int(
        env, erl_nif_wasm_binary_copy(env, argv[0],
                                      (unsigned char *)0xfffffff0u, 64));
}

/* enif_get_int writing through a pointer past the end of memory. */
ERL_NIF_WASM_EXPORT(get_int_out_of_bounds);
ERL_NIF_TERM
get_int_out_of_bounds(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    return enif_make_int(env, enif_get_int(env, argv[0], (int *)0xfffffffeu));
}

/* Conses onto a list for ever (stopped by timeout or max_terms). */
ERL_NIF_WASM_EXPORT(endless_list);
ERL_NIF_TERM
endless_list(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ERL_NIF_TERM list = argv[0];
    (void)argc;
    for (;;)
        list = enif_make_list_cell(env, argv[0], list);
}

/* [N-1, ..., 1, 0] with enif_make_list_cell: 2N terms. */
ERL_NIF_WASM_EXPORT(build_list);
ERL_NIF_TERM
build_list(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    unsigned n;
    (void)argc;
    if (!enif_get_uint(env, argv[0], &n))
        return enif_make_badarg(env);
    ERL_NIF_TERM list = enif_make_list_from_array(env, NULL, 0);
    for (unsigned i = 0; i < n; i++)
        list = enif_make_list_cell(env, enif_make_uint(env, i), list);
    return list;
}

/* A wasm function without a NIF's type. */
__attribute__((export_name("not_a_nif"))) int
not_a_nif(int x)
{
    return x + 1;
}

ERL_NIF_WASM_EXPORT(identity);
ERL_NIF_TERM
identity(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)env;
    (void)argc;
    return argv[0];
}

/* [0, 1, ..., N-1] with one enif_make_list_from_array. */
ERL_NIF_WASM_EXPORT(from_array);
ERL_NIF_TERM
from_array(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    unsigned n;
    (void)argc;
    if (!enif_get_uint(env, argv[0], &n))
        return enif_make_badarg(env);
    ERL_NIF_TERM *els = malloc((n > 0 ? n : 1) * sizeof *els);
    if (els == NULL)
        return atom(env, "no_memory");
    for (unsigned i = 0; i < n; i++)
        els[i] = enif_make_uint(env, i);
    ERL_NIF_TERM list = enif_make_list_from_array(env, els, n);
    free(els);
    return list;
}

/* An import answered by the test's import fun, which makes a nested
 * NIF call on the same instance. */
__attribute__((import_module("env"), import_name("callback"))) int
callback(int n);

/* {callback(size), argv[0], a copy of the bytes inspected before the
 * callback}: argv and those bytes must survive the nested call. */
ERL_NIF_WASM_EXPORT(nested);
ERL_NIF_TERM
nested(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary before, after;
    ERL_NIF_TERM copy;
    (void)argc;
    if (!enif_inspect_binary(env, argv[0], &before))
        return enif_make_badarg(env);
    int r = callback((int)before.size);
    if (!enif_inspect_binary(env, argv[0], &after))
        return atom(env, "false");
    unsigned char *p = enif_make_new_binary(env, before.size, &copy);
    memcpy(p, before.data, before.size);
    return enif_make_tuple3(env, enif_make_int(env, r), argv[0], copy);
}
