/*
 * beamr NIF: memory, globals and tables of an instance. Every access is
 * bounds-checked with 64-bit arithmetic under the instance's store lock.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Looks up the instance and takes its lock; NULL term on success. */
static ERL_NIF_TERM
enter(ErlNifEnv *env, ERL_NIF_TERM t, bnif_instance_t **out)
{
    if (!bnif_get_instance(env, t, out))
        return bnif_no_instance(env, t);
    if (atomic_load(&(*out)->stopped))
        return bnif_error(env, bnif_atoms(env)->stopped);
    enif_mutex_lock((*out)->lock);
    return 0;
}

static ERL_NIF_TERM
leave(bnif_instance_t *in, ERL_NIF_TERM result)
{
    enif_mutex_unlock(in->lock);
    return result;
}

/* A non-negative offset or length; a negative integer (or one above
 * 2^64) is out of bounds, anything else a programmer error. */
static int
get_index(ErlNifEnv *env, ERL_NIF_TERM t, uint64_t *out)
{
    ErlNifUInt64 u;
    *out = 0;
    if (enif_get_uint64(env, t, &u)) {
        *out = u;
        return 1;
    }
    return enif_is_number(env, t) ? 0 : -1;
}

static bool
in_bounds(uint64_t size, uint64_t offset, uint64_t len)
{
    return offset <= size && len <= size - offset;
}

/* ------------------------------------------------------------------ */
/* Memory 0                                                            */

ERL_NIF_TERM
bnif_memory_size(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    br_memory_t *mem = br_instance_memory(in->inst, 0);
    if (mem == NULL)
        return leave(in, bnif_error(env, bnif_atoms(env)->no_memory));
    return leave(in,
                 enif_make_tuple2(env, bnif_atoms(env)->ok,
                                  enif_make_uint64(env, br_memory_size(mem))));
}

/* Memory 0 and a checked (offset, length) range in it; false with *err
 * set. `o` and `l` are the get_index results for offset and length. */
static bool
check_range(ErlNifEnv *env, bnif_instance_t *in, int o, uint64_t off, int l,
            uint64_t len, br_memory_t **mem, ERL_NIF_TERM *err)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    *mem = br_instance_memory(in->inst, 0);
    if (*mem == NULL) {
        *err = bnif_error(env, a->no_memory);
        return false;
    }
    if (o == 0 || l == 0 || !in_bounds(br_memory_size(*mem), off, len)) {
        *err = bnif_error(env, a->out_of_bounds);
        return false;
    }
    return true;
}

/* memory_read(Instance, Offset, Length) -> {ok, Binary} | {error, _} */
ERL_NIF_TERM
bnif_memory_read(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    br_memory_t *mem;
    uint64_t off, len;
    ERL_NIF_TERM err, bin;
    int o = get_index(env, argv[1], &off);
    int l = get_index(env, argv[2], &len);
    if (o < 0 || l < 0)
        return enif_make_badarg(env);
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    if (!check_range(env, in, o, off, l, len, &mem, &err))
        return leave(in, err);
    unsigned char *p = enif_make_new_binary(env, len, &bin);
    if (p == NULL)
        return leave(in, enif_make_badarg(env));
    memcpy(p, br_memory_data(mem) + off, len);
    return leave(in, enif_make_tuple2(env, bnif_atoms(env)->ok, bin));
}

/* memory_read_cstring(Instance, Offset, MaxLen | infinity): the bytes up
 * to the first NUL; {error, out_of_bounds} if none before the limit. */
ERL_NIF_TERM
bnif_memory_read_cstring(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    br_memory_t *mem;
    uint64_t off, max = UINT64_MAX;
    ERL_NIF_TERM err;
    int o = get_index(env, argv[1], &off);
    if (o < 0 || (!enif_is_identical(argv[2], bnif_atoms(env)->infinity) &&
                  get_index(env, argv[2], &max) != 1))
        return enif_make_badarg(env);
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    if (!check_range(env, in, o, off, 1, 0, &mem, &err))
        return leave(in, err);
    uint64_t avail = br_memory_size(mem) - off;
    uint64_t scan = max < avail ? max : avail;
    const uint8_t *start = br_memory_data(mem) + off;
    const uint8_t *nul = scan > 0 ? memchr(start, 0, scan) : NULL;
    if (nul == NULL)
        return leave(in, bnif_error(env, bnif_atoms(env)->out_of_bounds));
    return leave(in, enif_make_tuple2(
                         env, bnif_atoms(env)->ok,
                         bnif_make_binary(env, start, (size_t)(nul - start))));
}

/* memory_write(Instance, Offset, Binary) -> ok | {error, _} */
ERL_NIF_TERM
bnif_memory_write(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    br_memory_t *mem;
    ErlNifBinary data;
    uint64_t off, len;
    ERL_NIF_TERM err;
    if (!enif_inspect_binary(env, argv[2], &data))
        return enif_make_badarg(env);
    int o = get_index(env, argv[1], &off);
    if (o < 0)
        return enif_make_badarg(env);
    len = data.size;
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    if (!check_range(env, in, o, off, 1, len, &mem, &err))
        return leave(in, err);
    if (len > 0)
        memcpy(br_memory_data(mem) + off, data.data, len);
    return leave(in, bnif_atoms(env)->ok);
}

/* memory_grow(Instance, DeltaPages) -> {ok, OldPages} | {error, limit} */
ERL_NIF_TERM
bnif_memory_grow(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    uint64_t delta, old;
    int d = get_index(env, argv[1], &delta);
    if (d < 0)
        return enif_make_badarg(env);
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    br_memory_t *mem = br_instance_memory(in->inst, 0);
    if (mem == NULL)
        return leave(in, bnif_error(env, bnif_atoms(env)->no_memory));
    if (d == 0 || !br_memory_grow(mem, delta, &old))
        return leave(in, bnif_error(env, bnif_atoms(env)->limit));
    return leave(in, enif_make_tuple2(env, bnif_atoms(env)->ok,
                                      enif_make_uint64(env, old)));
}

/* ------------------------------------------------------------------ */
/* Globals                                                             */

static br_global_t *
find_global(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM name)
{
    ErlNifBinary bin;
    br_extern_t ext;
    if (!enif_inspect_binary(env, name, &bin) ||
        !br_instance_export(in->inst, (const char *)bin.data, bin.size, &ext) ||
        ext.kind != BR_EXTERN_GLOBAL)
        return NULL;
    return ext.of.global;
}

/* global_get(Instance, ExportName) -> {ok, Value} | {error, not_found} */
ERL_NIF_TERM
bnif_global_get(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    br_val_t val;
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    br_global_t *g = find_global(env, in, argv[1]);
    if (g == NULL)
        return leave(in, bnif_error(env, bnif_atoms(env)->not_found));
    br_global_get(g, &val);
    return leave(in, enif_make_tuple2(env, bnif_atoms(env)->ok,
                                      bnif_val_to_term(env, in, &val)));
}

/* global_set(Instance, ExportName, Value) -> ok | {error, _} */
ERL_NIF_TERM
bnif_global_set(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    const bnif_atoms_t *a = bnif_atoms(env);
    bnif_instance_t *in;
    br_val_t cur, val;
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    br_global_t *g = find_global(env, in, argv[1]);
    if (g == NULL)
        return leave(in, bnif_error(env, a->not_found));
    if (!br_global_is_mutable(g))
        return leave(in, bnif_error(env, a->immutable));
    br_global_get(g, &cur);
    if (!bnif_term_to_val(env, in, argv[2], cur.kind, &val) ||
        !br_global_set(g, &val))
        return leave(in, bnif_error2(env, a->invalid_args,
                                     enif_make_list1(env, argv[2])));
    return leave(in, a->ok);
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */

/* By export name (binary) or by index in the table index space. */
static br_table_t *
find_table(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM t)
{
    ErlNifBinary bin;
    br_extern_t ext;
    unsigned index;
    if (enif_get_uint(env, t, &index))
        return br_instance_table(in->inst, index);
    if (!enif_inspect_binary(env, t, &bin) ||
        !br_instance_export(in->inst, (const char *)bin.data, bin.size, &ext) ||
        ext.kind != BR_EXTERN_TABLE)
        return NULL;
    return ext.of.table;
}

/* table_size(Instance, Table) -> {ok, Size} | {error, no_table} */
ERL_NIF_TERM
bnif_table_size(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    br_table_t *t = find_table(env, in, argv[1]);
    if (t == NULL)
        return leave(in, bnif_error(env, bnif_atoms(env)->no_table));
    return leave(in, enif_make_tuple2(env, bnif_atoms(env)->ok,
                                      enif_make_uint64(env, br_table_size(t))));
}

/* table_get(Instance, Table, Index) -> {ok, Ref} | {error, _} */
ERL_NIF_TERM
bnif_table_get(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    const bnif_atoms_t *a = bnif_atoms(env);
    bnif_instance_t *in;
    uint64_t index;
    br_val_t val;
    int i = get_index(env, argv[2], &index);
    if (i < 0)
        return enif_make_badarg(env);
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    br_table_t *t = find_table(env, in, argv[1]);
    if (t == NULL)
        return leave(in, bnif_error(env, a->no_table));
    memset(&val, 0, sizeof val);
    val.kind = br_table_elem_kind(t);
    if (i == 0 || !br_table_get(t, index, &val.of.ref))
        return leave(in, bnif_error(env, a->out_of_bounds));
    return leave(in,
                 enif_make_tuple2(env, a->ok, bnif_val_to_term(env, in, &val)));
}

/* ------------------------------------------------------------------ */
/* The GC heap                                                         */

/* gc_stats(Instance) -> {ok, #{heap_bytes => N, ...}} | {error, _} */
ERL_NIF_TERM
bnif_gc_stats(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ERL_NIF_TERM early = enter(env, argv[0], &in);
    if (early != 0)
        return early;
    br_gc_stats_t s;
    br_gc_stats(in->store, &s);
    const char *keys[] = {
        "heap_bytes",      "peak_heap_bytes", "limit_bytes", "live_bytes",
        "allocated_bytes", "allocations",     "cycles",      "full_collections",
        "steps",           "max_step_work",   "max_step_ns", "max_root_work",
        "pages",           "large_objects",   "pinned",
    };
    const uint64_t vals[] = {
        s.heap_bytes,      s.peak_heap_bytes, s.limit_bytes, s.live_bytes,
        s.allocated_bytes, s.allocations,     s.cycles,      s.full_collections,
        s.steps,           s.max_step_work,   s.max_step_ns, s.max_root_work,
        s.pages,           s.large_objects,   s.pinned,
    };
    ERL_NIF_TERM map = enif_make_new_map(env);
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        enif_make_map_put(env, map, enif_make_atom(env, keys[i]),
                          enif_make_uint64(env, vals[i]), &map);
    return leave(in, enif_make_tuple2(env, bnif_atoms(env)->ok, map));
}
