/*
 * A small NIF library, built two ways from this one file: as a real NIF
 * (gcc -shared against erl_nif.h) and as a sandboxed NIF (clang
 * --target=wasm32-wasi against erl_nif_wasm.h, run by beamr:call_nif).
 * The NIF functions are the same code in both builds.
 *
 *   distance(A, B)        the Levenshtein distance of two binaries
 *   closest(Word, Words)  {Best, Distance}: the nearest binary of a list
 *   add(A, B)             A + B (to measure the call overhead)
 * SPDX-License-Identifier: Apache-2.0
 */
#ifdef __wasm__
#include "erl_nif_wasm.h"
#else
#include <erl_nif.h>
#endif

#include <stdlib.h>

/* Edit distance with one row of the table (insert, delete, replace all
 * cost 1); -1 if out of memory. */
static long
levenshtein(const unsigned char *a, size_t n, const unsigned char *b, size_t m)
{
    size_t *row = malloc((m + 1) * sizeof *row);
    if (row == NULL)
        return -1;
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    long d = (long)row[m];
    free(row);
    return d;
}

ERL_NIF_TERM
distance(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary a, b;
    if (argc != 2 || !enif_inspect_binary(env, argv[0], &a) ||
        !enif_inspect_binary(env, argv[1], &b))
        return enif_make_badarg(env);
    long d = levenshtein(a.data, a.size, b.data, b.size);
    if (d < 0)
        return enif_raise_exception(env, enif_make_atom(env, "no_memory"));
    return enif_make_int64(env, d);
}

ERL_NIF_TERM
closest(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    ErlNifBinary word, cand;
    ERL_NIF_TERM list, head, best = enif_make_atom(env, "none");
    long best_d = -1;
    if (argc != 2 || !enif_inspect_binary(env, argv[0], &word))
        return enif_make_badarg(env);
    list = argv[1];
    while (enif_get_list_cell(env, list, &head, &list)) {
        if (!enif_inspect_binary(env, head, &cand))
            return enif_make_badarg(env);
        long d = levenshtein(word.data, word.size, cand.data, cand.size);
        if (d >= 0 && (best_d < 0 || d < best_d)) {
            best_d = d;
            best = head;
        }
    }
    if (!enif_is_empty_list(env, list))
        return enif_make_badarg(env);
    return enif_make_tuple2(env, best, enif_make_int64(env, best_d));
}

ERL_NIF_TERM
add(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    int a, b;
    if (argc != 2 || !enif_get_int(env, argv[0], &a) ||
        !enif_get_int(env, argv[1], &b))
        return enif_make_badarg(env);
    return enif_make_int(env, a + b);
}

#ifdef __wasm__
/* A plain wasm function, for beamr:call/3 in the benchmark. */
__attribute__((export_name("add_i32"))) int
add_i32(int a, int b)
{
    return a + b;
}
#else
static ErlNifFunc funcs[] = {
    {"distance", 2, distance, 0},
    {"closest", 2, closest, 0},
    {"add", 2, add, 0},
};

ERL_NIF_INIT(levenshtein, funcs, NULL, NULL, NULL, NULL)
#endif
