/*
 * erl_nif_wasm.h: the erl_nif interface for NIF code compiled to
 * WebAssembly and run sandboxed by beamr (beamr:call_nif/3,4).
 *
 * Terms never live in guest memory: an ERL_NIF_TERM is a 64-bit handle
 * into a term table that beamr keeps for the running call, checked on
 * every use (a forged handle or one kept from an earlier call traps the
 * guest). Binary bytes are copied between the host and guest memory,
 * with bounds checks. The enif_* functions are imports of the module
 * "erl_nif", served natively by beamr.
 *
 * A NIF function keeps its erl_nif signature and is exported by name:
 *
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor -I include \
 *       -Wl,--export=f f.c -o f.wasm
 *
 * or mark it with ERL_NIF_WASM_EXPORT(f) and drop the -Wl,--export.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ERL_NIF_WASM_H
#define ERL_NIF_WASM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t ERL_NIF_TERM;
typedef struct enif_environment_t ErlNifEnv; /* opaque: never dereferenced */
typedef int64_t ErlNifSInt64;
typedef uint64_t ErlNifUInt64;

/* The bytes of a binary in guest memory: enif_inspect_binary copies
 * them in (into memory this header frees during a later NIF call);
 * enif_make_new_binary's bytes are taken when the NIF returns
 * or when another enif_* function first reads the binary. */
typedef struct enif_binary_t {
    size_t size;
    unsigned char *data;
    void *ref_bin;
    void *spare__[2];
} ErlNifBinary;

typedef enum {
    ERL_NIF_LATIN1 = 1,
    ERL_NIF_UTF8 = 2,
} ErlNifCharEncoding;

/* A NIF function as beamr calls it (argv lives in guest memory). */
typedef ERL_NIF_TERM (*ErlNifWasmFunc)(ErlNifEnv *env, int argc,
                                       const ERL_NIF_TERM argv[]);

#define ERL_NIF_WASM_IMPORT(name) \
    __attribute__((import_module("erl_nif"), import_name(#name)))

/* Exports a NIF function under its own name (no -Wl,--export needed). */
#define ERL_NIF_WASM_EXPORT(f) \
    __attribute__((export_name(#f))) ERL_NIF_TERM f(ErlNifEnv *, int, \
                                                    const ERL_NIF_TERM[])

/* ------------------------------------------------------------------ */
/* Reading terms: false (0) when the term has another type             */

ERL_NIF_WASM_IMPORT(enif_get_int)
int enif_get_int(ErlNifEnv *env, ERL_NIF_TERM term, int *ip);
ERL_NIF_WASM_IMPORT(enif_get_uint)
int enif_get_uint(ErlNifEnv *env, ERL_NIF_TERM term, unsigned *ip);
ERL_NIF_WASM_IMPORT(enif_get_int64)
int enif_get_int64(ErlNifEnv *env, ERL_NIF_TERM term, ErlNifSInt64 *ip);
ERL_NIF_WASM_IMPORT(enif_get_uint64)
int enif_get_uint64(ErlNifEnv *env, ERL_NIF_TERM term, ErlNifUInt64 *ip);
ERL_NIF_WASM_IMPORT(enif_get_double)
int enif_get_double(ErlNifEnv *env, ERL_NIF_TERM term, double *dp);
/* Writes the atom's name and a NUL into buf[0..len); returns its length
 * plus one, or 0 (not an atom, or too long). */
ERL_NIF_WASM_IMPORT(enif_get_atom)
int enif_get_atom(ErlNifEnv *env, ERL_NIF_TERM term, char *buf, unsigned len,
                  ErlNifCharEncoding encoding);
ERL_NIF_WASM_IMPORT(enif_get_atom_length)
int enif_get_atom_length(ErlNifEnv *env, ERL_NIF_TERM term, unsigned *len,
                         ErlNifCharEncoding encoding);
ERL_NIF_WASM_IMPORT(enif_get_list_cell)
int enif_get_list_cell(ErlNifEnv *env, ERL_NIF_TERM list, ERL_NIF_TERM *head,
                       ERL_NIF_TERM *tail);
ERL_NIF_WASM_IMPORT(enif_get_list_length)
int enif_get_list_length(ErlNifEnv *env, ERL_NIF_TERM term, unsigned *len);
ERL_NIF_WASM_IMPORT(enif_get_map_value)
int enif_get_map_value(ErlNifEnv *env, ERL_NIF_TERM map, ERL_NIF_TERM key,
                       ERL_NIF_TERM *value);
ERL_NIF_WASM_IMPORT(enif_get_map_size)
int enif_get_map_size(ErlNifEnv *env, ERL_NIF_TERM map, size_t *size);

/* Host helpers behind the inline functions below (not erl_nif names). */
ERL_NIF_WASM_IMPORT(erl_nif_wasm_tuple_arity)
int erl_nif_wasm_tuple_arity(ErlNifEnv *env, ERL_NIF_TERM tuple, int *arity);
ERL_NIF_WASM_IMPORT(erl_nif_wasm_tuple_elements)
int erl_nif_wasm_tuple_elements(ErlNifEnv *env, ERL_NIF_TERM tuple,
                                ERL_NIF_TERM *out, int arity);
ERL_NIF_WASM_IMPORT(erl_nif_wasm_binary_size)
int erl_nif_wasm_binary_size(ErlNifEnv *env, ERL_NIF_TERM bin, size_t *size);
ERL_NIF_WASM_IMPORT(erl_nif_wasm_binary_copy)
int erl_nif_wasm_binary_copy(ErlNifEnv *env, ERL_NIF_TERM bin,
                             unsigned char *out, size_t size);
ERL_NIF_WASM_IMPORT(erl_nif_wasm_iolist_to_binary)
int erl_nif_wasm_iolist_to_binary(ErlNifEnv *env, ERL_NIF_TERM iolist,
                                  ERL_NIF_TERM *bin);
ERL_NIF_WASM_IMPORT(erl_nif_wasm_new_binary)
ERL_NIF_TERM erl_nif_wasm_new_binary(ErlNifEnv *env, unsigned char *data,
                                     size_t size);

/* ------------------------------------------------------------------ */
/* Making terms                                                        */

ERL_NIF_WASM_IMPORT(enif_make_int)
ERL_NIF_TERM enif_make_int(ErlNifEnv *env, int i);
ERL_NIF_WASM_IMPORT(enif_make_uint)
ERL_NIF_TERM enif_make_uint(ErlNifEnv *env, unsigned i);
ERL_NIF_WASM_IMPORT(enif_make_int64)
ERL_NIF_TERM enif_make_int64(ErlNifEnv *env, ErlNifSInt64 i);
ERL_NIF_WASM_IMPORT(enif_make_uint64)
ERL_NIF_TERM enif_make_uint64(ErlNifEnv *env, ErlNifUInt64 i);
ERL_NIF_WASM_IMPORT(enif_make_double)
ERL_NIF_TERM enif_make_double(ErlNifEnv *env, double d);
/* name: NUL-terminated, at most 255 bytes (else badarg). */
ERL_NIF_WASM_IMPORT(enif_make_atom)
ERL_NIF_TERM enif_make_atom(ErlNifEnv *env, const char *name);
ERL_NIF_WASM_IMPORT(enif_make_atom_len)
ERL_NIF_TERM enif_make_atom_len(ErlNifEnv *env, const char *name, size_t len);
ERL_NIF_WASM_IMPORT(enif_make_tuple_from_array)
ERL_NIF_TERM enif_make_tuple_from_array(ErlNifEnv *env,
                                        const ERL_NIF_TERM arr[], unsigned cnt);
ERL_NIF_WASM_IMPORT(enif_make_list_from_array)
ERL_NIF_TERM enif_make_list_from_array(ErlNifEnv *env, const ERL_NIF_TERM arr[],
                                       unsigned cnt);
ERL_NIF_WASM_IMPORT(enif_make_list_cell)
ERL_NIF_TERM enif_make_list_cell(ErlNifEnv *env, ERL_NIF_TERM car,
                                 ERL_NIF_TERM cdr);
ERL_NIF_WASM_IMPORT(enif_make_new_map)
ERL_NIF_TERM enif_make_new_map(ErlNifEnv *env);
ERL_NIF_WASM_IMPORT(enif_make_map_put)
int enif_make_map_put(ErlNifEnv *env, ERL_NIF_TERM map_in, ERL_NIF_TERM key,
                      ERL_NIF_TERM value, ERL_NIF_TERM *map_out);
/* The NIF call fails with {error, badarg} when it returns. */
ERL_NIF_WASM_IMPORT(enif_make_badarg)
ERL_NIF_TERM enif_make_badarg(ErlNifEnv *env);
/* The NIF call fails with {error, {exception, Reason}} when it returns. */
ERL_NIF_WASM_IMPORT(enif_raise_exception)
ERL_NIF_TERM enif_raise_exception(ErlNifEnv *env, ERL_NIF_TERM reason);
ERL_NIF_WASM_IMPORT(enif_has_pending_exception)
int enif_has_pending_exception(ErlNifEnv *env, ERL_NIF_TERM *reason);

/* ------------------------------------------------------------------ */
/* Tests and comparison                                                */

ERL_NIF_WASM_IMPORT(enif_is_atom)
int enif_is_atom(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_binary)
int enif_is_binary(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_list)
int enif_is_list(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_empty_list)
int enif_is_empty_list(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_tuple)
int enif_is_tuple(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_map)
int enif_is_map(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_number)
int enif_is_number(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_pid)
int enif_is_pid(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_ref)
int enif_is_ref(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_fun)
int enif_is_fun(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_port)
int enif_is_port(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_exception)
int enif_is_exception(ErlNifEnv *env, ERL_NIF_TERM term);
ERL_NIF_WASM_IMPORT(enif_is_identical)
int enif_is_identical(ERL_NIF_TERM lhs, ERL_NIF_TERM rhs);
/* < 0, 0, > 0 in the standard term order. */
ERL_NIF_WASM_IMPORT(enif_compare)
int enif_compare(ERL_NIF_TERM lhs, ERL_NIF_TERM rhs);

/* ------------------------------------------------------------------ */
/* Guest-side parts (weak: one copy however many files include this)   */

ERL_NIF_WASM_IMPORT(erl_nif_wasm_call_id)
ErlNifUInt64 erl_nif_wasm_call_id(ErlNifEnv *env);

void *erl_nif_wasm_scratch(ErlNifEnv *env, size_t size);
ERL_NIF_TERM *erl_nif_wasm_argv(int argc);

/* Memory for a NIF call's binaries and tuple elements: freed when a
 * later NIF call first asks for some (never while its own call runs;
 * a call nested in it, through an import, shares it). */
__attribute__((weak)) void *
erl_nif_wasm_scratch(ErlNifEnv *env, size_t size)
{
    typedef union chunk {
        union chunk *next;
        max_align_t align;
    } chunk;
    static chunk *head;
    static ErlNifUInt64 owner;
    ErlNifUInt64 id = erl_nif_wasm_call_id(env);
    if (id != owner) {
        while (head != NULL) {
            chunk *next = head->next;
            free(head);
            head = next;
        }
        owner = id;
    }
    if (size > SIZE_MAX - sizeof(chunk))
        return NULL;
    chunk *c = (chunk *)malloc(sizeof(chunk) + size);
    if (c == NULL)
        return NULL;
    c->next = head;
    head = c;
    return c + 1;
}

/* Where beamr writes argv (asked once per instance: the address must
 * not change). */
__attribute__((weak, export_name("erl_nif_wasm_argv"))) ERL_NIF_TERM *
erl_nif_wasm_argv(int argc)
{
    static ERL_NIF_TERM argv[256];
    return argc >= 0 && argc <= 255 ? argv : NULL;
}

static inline int
enif_get_tuple(ErlNifEnv *env, ERL_NIF_TERM tpl, int *arity,
               const ERL_NIF_TERM **array)
{
    int n;
    if (!erl_nif_wasm_tuple_arity(env, tpl, &n))
        return 0;
    ERL_NIF_TERM *els =
        (ERL_NIF_TERM *)erl_nif_wasm_scratch(env, (size_t)n * sizeof *els);
    if (els == NULL || !erl_nif_wasm_tuple_elements(env, tpl, els, n))
        return 0;
    *arity = n;
    *array = els;
    return 1;
}

static inline int
enif_inspect_binary(ErlNifEnv *env, ERL_NIF_TERM bin_term, ErlNifBinary *bin)
{
    size_t size;
    if (!erl_nif_wasm_binary_size(env, bin_term, &size))
        return 0;
    unsigned char *data = (unsigned char *)erl_nif_wasm_scratch(env, size);
    if (data == NULL || !erl_nif_wasm_binary_copy(env, bin_term, data, size))
        return 0;
    bin->size = size;
    bin->data = data;
    bin->ref_bin = NULL;
    return 1;
}

static inline int
enif_inspect_iolist_as_binary(ErlNifEnv *env, ERL_NIF_TERM term,
                              ErlNifBinary *bin)
{
    ERL_NIF_TERM b;
    return erl_nif_wasm_iolist_to_binary(env, term, &b) &&
           enif_inspect_binary(env, b, bin);
}

/* The bytes are the guest's to write until the NIF returns or another
 * enif_* function reads the binary; then beamr copies them. */
static inline unsigned char *
enif_make_new_binary(ErlNifEnv *env, size_t size, ERL_NIF_TERM *termp)
{
    unsigned char *data = (unsigned char *)erl_nif_wasm_scratch(env, size);
    if (data == NULL)
        return NULL;
    *termp = erl_nif_wasm_new_binary(env, data, size);
    return data;
}

/* At most 16 elements (badarg beyond): use the _from_array forms. */
static inline ERL_NIF_TERM
enif_make_tuple(ErlNifEnv *env, unsigned cnt, ...)
{
    ERL_NIF_TERM els[16];
    va_list ap;
    if (cnt > 16)
        return enif_make_badarg(env);
    va_start(ap, cnt);
    for (unsigned i = 0; i < cnt; i++)
        els[i] = va_arg(ap, ERL_NIF_TERM);
    va_end(ap);
    return enif_make_tuple_from_array(env, els, cnt);
}

static inline ERL_NIF_TERM
enif_make_list(ErlNifEnv *env, unsigned cnt, ...)
{
    ERL_NIF_TERM els[16];
    va_list ap;
    if (cnt > 16)
        return enif_make_badarg(env);
    va_start(ap, cnt);
    for (unsigned i = 0; i < cnt; i++)
        els[i] = va_arg(ap, ERL_NIF_TERM);
    va_end(ap);
    return enif_make_list_from_array(env, els, cnt);
}

#define enif_make_tuple2(env, a, b) enif_make_tuple(env, 2, a, b)
#define enif_make_tuple3(env, a, b, c) enif_make_tuple(env, 3, a, b, c)
#define enif_make_list2(env, a, b) enif_make_list(env, 2, a, b)
#define enif_make_list3(env, a, b, c) enif_make_list(env, 3, a, b, c)

#ifdef __cplusplus
}
#endif

#endif
