/*
 * beamr NIF: the `erl_nif` imports of sandboxed NIFs, served natively.
 * Terms stay in the host: the guest holds handles into the call's term
 * table, checked on every use; bytes cross between the table and guest
 * memory only through bounds-checked copies.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "nif_guest.h"

/* ------------------------------------------------------------------ */
/* The term table                                                      */

static bool
table_grow(bnif_session_t *s)
{
    uint32_t cap = s->cap < 64 ? 64 : s->cap * 2;
    if (cap > s->max_terms)
        cap = s->max_terms;
    ERL_NIF_TERM *terms = enif_realloc(s->terms, cap * sizeof *terms);
    if (terms == NULL)
        return false;
    s->terms = terms;
    uint8_t *pending = enif_realloc(s->pending, cap);
    if (pending == NULL)
        return false;
    s->pending = pending;
    s->cap = cap;
    return true;
}

uint64_t
bnif_session_add(bnif_session_t *s, ERL_NIF_TERM t)
{
    if (s->count >= s->cap && (s->count >= s->max_terms || !table_grow(s)))
        return 0;
    s->terms[s->count] = t;
    s->pending[s->count] = 0;
    return (uint64_t)s->gen << 32 | s->count++;
}

uint8_t *
bnif_guest_mem(br_instance_t *inst, uint64_t ptr, uint64_t len)
{
    br_memory_t *mem = inst != NULL ? br_instance_memory(inst, 0) : NULL;
    if (mem == NULL)
        return NULL;
    uint64_t size = br_memory_size(mem);
    if (ptr > size || len > size - ptr)
        return NULL;
    return br_memory_data(mem) + ptr;
}

/* Copies a pending binary's bytes from guest memory (the guest wrote
 * them after enif_make_new_binary). */
static bool
sync_one(bnif_session_t *s, br_instance_t *inst, size_t k)
{
    struct bnif_pending_bin *b = &s->bins[k];
    const uint8_t *src = bnif_guest_mem(inst, b->guest_ptr, b->size);
    if (src == NULL)
        return false;
    if (b->size > 0)
        memcpy(b->host, src, b->size);
    s->pending[b->index] = 0;
    s->bins[k] = s->bins[--s->bin_count];
    return true;
}

bool
bnif_session_sync(bnif_session_t *s, br_instance_t *inst)
{
    while (s->bin_count > 0)
        if (!sync_one(s, inst, s->bin_count - 1))
            return false;
    return true;
}

/* 0: ok; 1: not a handle of this call; 2: its bytes are out of bounds. */
static int
session_term(bnif_session_t *s, br_instance_t *inst, uint64_t h,
             ERL_NIF_TERM *out)
{
    uint32_t i = (uint32_t)h;
    if ((uint32_t)(h >> 32) != s->gen || i >= s->count)
        return 1;
    if (s->pending[i]) {
        for (size_t k = 0; k < s->bin_count; k++)
            if (s->bins[k].index == i && !sync_one(s, inst, k))
                return 2;
    }
    *out = s->terms[i];
    return 0;
}

bool
bnif_session_term(bnif_session_t *s, br_instance_t *inst, uint64_t h,
                  ERL_NIF_TERM *out)
{
    return session_term(s, inst, h, out) == 0;
}

/* ------------------------------------------------------------------ */
/* Host function plumbing                                              */

/* What every import works with. */
typedef struct ctx {
    br_exec_t *exec;
    struct bnif_guest *g;
    bnif_session_t *s;
    br_instance_t *mi; /* whose memory guest pointers point into */
    unsigned ptr_size; /* 4 (wasm32) or 8 (memory64) */
} ctx_t;

static br_host_status_t
trap(ctx_t *c, const char *msg)
{
    br_exec_host_trap(c->exec, BR_TRAP_HOST, 0, msg);
    return BR_HOST_TRAP;
}

static uint64_t
ptr_of(const br_val_t *v)
{
    return v->kind == BR_I32 ? v->of.u32 : v->of.u64;
}

/* The env pointer (argument 0 of most imports) tells the guest's
 * pointer size; the session is the instance's running one. */
static bool
ctx_open(void *env, br_exec_t *exec, const br_val_t *arg0, ctx_t *c)
{
    c->exec = exec;
    c->g = env;
    c->s = c->g->top;
    c->mi = br_exec_caller_instance(exec);
    if (c->mi == NULL)
        c->mi = c->g->inst->inst;
    c->ptr_size = arg0 != NULL && arg0->kind == BR_I64 ? 8 : 4;
    return c->s != NULL;
}

#define OPEN(arg0)                                          \
    ctx_t c_;                                               \
    ctx_t *c = &c_;                                         \
    if (!ctx_open(env, exec, (arg0), c))                    \
        return trap(c, "erl_nif: no NIF call in progress"); \
    ErlNifEnv *tenv = c->s->tenv;                           \
    (void)tenv

/* Fetches the term of handle argument `v` or traps. */
#define TERM(var, v)                                                 \
    ERL_NIF_TERM var;                                                \
    do {                                                             \
        int r_ = session_term(c->s, c->mi, (v).of.u64, &var);        \
        if (r_ == 1)                                                 \
            return trap(c, "erl_nif: invalid term handle");          \
        if (r_ == 2)                                                 \
            return trap(c, "erl_nif: binary pointer out of bounds"); \
    } while (0)

/* Writes n bytes at guest pointer `ptr` or traps. */
#define PUT(ptr, src, n)                                      \
    do {                                                      \
        uint8_t *d_ = bnif_guest_mem(c->mi, (ptr), (n));      \
        if (d_ == NULL)                                       \
            return trap(c, "erl_nif: pointer out of bounds"); \
        memcpy(d_, (src), (n));                               \
    } while (0)

static br_host_status_t
limit(ctx_t *c, const char *which, const char *msg)
{
    c->s->limit = which;
    return trap(c, msg);
}

/* Adds `t` and returns its handle as the import's result. */
static br_host_status_t
ret_term(ctx_t *c, br_val_t *res, ERL_NIF_TERM t)
{
    uint64_t h = bnif_session_add(c->s, t);
    if (h == 0 && c->s->count >= c->s->max_terms)
        return limit(c, "max_terms", "erl_nif: too many terms (max_terms)");
    if (h == 0)
        return trap(c, "erl_nif: out of memory");
    res[0].of.u64 = h;
    return BR_HOST_OK;
}

static br_host_status_t
ret_int(br_val_t *res, int v)
{
    res[0].of.i32 = v;
    return BR_HOST_OK;
}

/* Adds `t` and writes its handle at guest pointer `ptr`. */
static br_host_status_t
put_term(ctx_t *c, uint64_t ptr, ERL_NIF_TERM t)
{
    br_val_t v;
    br_host_status_t st = ret_term(c, &v, t);
    if (st != BR_HOST_OK)
        return st;
    PUT(ptr, &v.of.u64, 8);
    return BR_HOST_OK;
}

/* Writes a size_t of the guest's width. */
static br_host_status_t
put_size(ctx_t *c, uint64_t ptr, uint64_t v)
{
    uint32_t v32 = (uint32_t)v;
    if (c->ptr_size == 4 && v > UINT32_MAX)
        return trap(c, "erl_nif: size does not fit size_t");
    if (c->ptr_size == 4)
        PUT(ptr, &v32, 4);
    else
        PUT(ptr, &v, 8);
    return BR_HOST_OK;
}

#define HOST(name)                                           \
    static br_host_status_t name(void *env, br_exec_t *exec, \
                                 const br_val_t *a, br_val_t *res)

/* ------------------------------------------------------------------ */
/* Reading terms                                                       */

/* enif_get_<T>(env, term, T *out) for scalar T of `size` bytes. */
#define GETTER(fname, ctype, enif_fn)     \
    HOST(fname)                           \
    {                                     \
        OPEN(&a[0]);                      \
        TERM(t, a[1]);                    \
        ctype v;                          \
        if (!enif_fn(tenv, t, &v))        \
            return ret_int(res, 0);       \
        PUT(ptr_of(&a[2]), &v, sizeof v); \
        return ret_int(res, 1);           \
    }

GETTER(h_get_int, int, enif_get_int)
GETTER(h_get_uint, unsigned, enif_get_uint)
GETTER(h_get_int64, ErlNifSInt64, enif_get_int64)
GETTER(h_get_uint64, ErlNifUInt64, enif_get_uint64)
GETTER(h_get_double, double, enif_get_double)

/* Only Latin-1 names (OTP 25's erl_nif reads no other encoding). */
HOST(h_get_atom)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    char name[256];
    uint32_t len = a[3].of.u32;
    if (a[4].of.i32 != 1)
        return ret_int(res, 0);
    int n = enif_get_atom(tenv, t, name, sizeof name, ERL_NIF_LATIN1);
    if (n <= 0 || (uint32_t)n > len)
        return ret_int(res, 0);
    PUT(ptr_of(&a[2]), name, (size_t)n);
    return ret_int(res, n);
}

HOST(h_get_atom_length)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    unsigned len;
    if (a[3].of.i32 != 1 ||
        !enif_get_atom_length(tenv, t, &len, ERL_NIF_LATIN1))
        return ret_int(res, 0);
    PUT(ptr_of(&a[2]), &len, 4);
    return ret_int(res, 1);
}

HOST(h_get_list_cell)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    ERL_NIF_TERM hd, tl;
    uint64_t ph = ptr_of(&a[2]), pt = ptr_of(&a[3]);
    if (!enif_get_list_cell(tenv, t, &hd, &tl))
        return ret_int(res, 0);
    if (bnif_guest_mem(c->mi, ph, 8) == NULL ||
        bnif_guest_mem(c->mi, pt, 8) == NULL)
        return trap(c, "erl_nif: pointer out of bounds");
    br_host_status_t st = put_term(c, ph, hd);
    if (st == BR_HOST_OK)
        st = put_term(c, pt, tl);
    return st != BR_HOST_OK ? st : ret_int(res, 1);
}

HOST(h_get_list_length)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    unsigned len;
    if (!enif_get_list_length(tenv, t, &len))
        return ret_int(res, 0);
    PUT(ptr_of(&a[2]), &len, 4);
    return ret_int(res, 1);
}

HOST(h_get_map_value)
{
    OPEN(&a[0]);
    TERM(map, a[1]);
    TERM(key, a[2]);
    ERL_NIF_TERM v;
    if (!enif_get_map_value(tenv, map, key, &v))
        return ret_int(res, 0);
    br_host_status_t st = put_term(c, ptr_of(&a[3]), v);
    return st != BR_HOST_OK ? st : ret_int(res, 1);
}

HOST(h_get_map_size)
{
    OPEN(&a[0]);
    TERM(map, a[1]);
    size_t n;
    if (!enif_get_map_size(tenv, map, &n))
        return ret_int(res, 0);
    br_host_status_t st = put_size(c, ptr_of(&a[2]), n);
    return st != BR_HOST_OK ? st : ret_int(res, 1);
}

HOST(h_tuple_arity)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    int arity;
    const ERL_NIF_TERM *els;
    if (!enif_get_tuple(tenv, t, &arity, &els))
        return ret_int(res, 0);
    PUT(ptr_of(&a[2]), &arity, 4);
    return ret_int(res, 1);
}

/* Writes the tuple's `arity` element handles at `out`. */
HOST(h_tuple_elements)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    int arity;
    const ERL_NIF_TERM *els;
    uint64_t out = ptr_of(&a[2]);
    if (!enif_get_tuple(tenv, t, &arity, &els) || arity != a[3].of.i32)
        return ret_int(res, 0);
    if (bnif_guest_mem(c->mi, out, (uint64_t)arity * 8) == NULL)
        return trap(c, "erl_nif: pointer out of bounds");
    for (int i = 0; i < arity; i++) {
        br_host_status_t st = put_term(c, out + (uint64_t)i * 8, els[i]);
        if (st != BR_HOST_OK)
            return st;
    }
    return ret_int(res, 1);
}

HOST(h_binary_size)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    ErlNifBinary bin;
    if (!enif_inspect_binary(tenv, t, &bin))
        return ret_int(res, 0);
    br_host_status_t st = put_size(c, ptr_of(&a[2]), bin.size);
    return st != BR_HOST_OK ? st : ret_int(res, 1);
}

/* Copies up to `size` bytes of the binary to guest memory. */
HOST(h_binary_copy)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    ErlNifBinary bin;
    uint64_t size = ptr_of(&a[3]);
    if (!enif_inspect_binary(tenv, t, &bin))
        return ret_int(res, 0);
    if (size > bin.size)
        size = bin.size;
    if (size > 0)
        PUT(ptr_of(&a[2]), bin.data, size);
    return ret_int(res, 1);
}

/* Binary bytes the call makes count against max_binary. */
static bool
charge_binary(bnif_session_t *s, uint64_t size)
{
    if (size > s->max_binary - s->binary_bytes)
        return false;
    s->binary_bytes += size;
    return true;
}

HOST(h_iolist_to_binary)
{
    OPEN(&a[0]);
    TERM(t, a[1]);
    ErlNifBinary bin;
    ERL_NIF_TERM out = t;
    if (!enif_inspect_iolist_as_binary(tenv, t, &bin))
        return ret_int(res, 0);
    if (!enif_is_binary(tenv, t)) {
        if (!charge_binary(c->s, bin.size))
            return limit(c, "max_binary", "erl_nif: binary limit (max_binary)");
        unsigned char *p = enif_make_new_binary(tenv, bin.size, &out);
        if (p == NULL)
            return trap(c, "erl_nif: out of memory");
        memcpy(p, bin.data, bin.size);
    }
    br_host_status_t st = put_term(c, ptr_of(&a[2]), out);
    return st != BR_HOST_OK ? st : ret_int(res, 1);
}

/* ------------------------------------------------------------------ */
/* Making terms                                                        */

/* A binary whose bytes the guest writes at `data` until it returns or
 * the binary is first read: checked now, copied then. */
HOST(h_new_binary)
{
    OPEN(&a[0]);
    uint64_t data = ptr_of(&a[1]), size = ptr_of(&a[2]);
    bnif_session_t *s = c->s;
    if (bnif_guest_mem(c->mi, data, size) == NULL)
        return trap(c, "erl_nif: binary pointer out of bounds");
    if (!charge_binary(s, size))
        return limit(c, "max_binary", "erl_nif: binary limit (max_binary)");
    if (s->bin_count == s->bin_cap) {
        size_t cap = s->bin_cap < 8 ? 8 : s->bin_cap * 2;
        void *bins = enif_realloc(s->bins, cap * sizeof *s->bins);
        if (bins == NULL)
            return trap(c, "erl_nif: out of memory");
        s->bins = bins;
        s->bin_cap = cap;
    }
    ERL_NIF_TERM t;
    uint8_t *host = enif_make_new_binary(tenv, size, &t);
    if (host == NULL)
        return trap(c, "erl_nif: out of memory");
    br_host_status_t st = ret_term(c, res, t);
    if (st != BR_HOST_OK)
        return st;
    uint32_t index = s->count - 1;
    s->pending[index] = 1;
    s->bins[s->bin_count++] =
        (struct bnif_pending_bin){index, data, host, size};
    return BR_HOST_OK;
}

HOST(h_make_int)
{
    OPEN(&a[0]);
    return ret_term(c, res, enif_make_int(tenv, a[1].of.i32));
}

HOST(h_make_uint)
{
    OPEN(&a[0]);
    return ret_term(c, res, enif_make_uint(tenv, a[1].of.u32));
}

HOST(h_make_int64)
{
    OPEN(&a[0]);
    return ret_term(c, res, enif_make_int64(tenv, a[1].of.i64));
}

HOST(h_make_uint64)
{
    OPEN(&a[0]);
    return ret_term(c, res, enif_make_uint64(tenv, a[1].of.u64));
}

/* The exception a NIF raises when it returns (erl_nif's semantics: the
 * return value is then ignored). */
static br_host_status_t
set_raised(ctx_t *c, br_val_t *res, int kind, ERL_NIF_TERM reason)
{
    br_host_status_t st = ret_term(c, res, reason);
    if (st != BR_HOST_OK)
        return st;
    c->s->raised = kind;
    c->s->raised_index = c->s->count - 1;
    return BR_HOST_OK;
}

/* A NaN or an infinity raises badarg, as in erl_nif. */
HOST(h_make_double)
{
    OPEN(&a[0]);
    if (!isfinite(a[1].of.f64))
        return set_raised(c, res, BNIF_RAISED_BADARG,
                          enif_make_atom(tenv, "badarg"));
    return ret_term(c, res, enif_make_double(tenv, a[1].of.f64));
}

static br_host_status_t
make_atom(ctx_t *c, br_val_t *res, const uint8_t *name, size_t len)
{
    if (len > 255)
        return set_raised(c, res, BNIF_RAISED_BADARG,
                          enif_make_atom(c->s->tenv, "badarg"));
    return ret_term(c, res,
                    enif_make_atom_len(c->s->tenv, (const char *)name, len));
}

/* A NUL-terminated name, looked for in at most 256 bytes. */
HOST(h_make_atom)
{
    OPEN(&a[0]);
    uint64_t p = ptr_of(&a[1]);
    const uint8_t *name = bnif_guest_mem(c->mi, p, 0);
    if (name == NULL)
        return trap(c, "erl_nif: pointer out of bounds");
    br_memory_t *mem = br_instance_memory(c->mi, 0);
    uint64_t avail = br_memory_size(mem) - p;
    size_t scan = avail < 256 ? (size_t)avail : 256;
    const uint8_t *nul = memchr(name, 0, scan);
    if (nul == NULL && scan < 256)
        return trap(c, "erl_nif: pointer out of bounds");
    return make_atom(c, res, name, nul != NULL ? (size_t)(nul - name) : 256);
}

HOST(h_make_atom_len)
{
    OPEN(&a[0]);
    uint64_t len = ptr_of(&a[2]);
    const uint8_t *name = bnif_guest_mem(c->mi, ptr_of(&a[1]), len);
    if (name == NULL)
        return trap(c, "erl_nif: pointer out of bounds");
    return make_atom(c, res, name, len);
}

/* The terms of `n` handles at guest pointer `arr`, in a host array the
 * caller frees; NULL after a trap or a badarg (then *st and *res say
 * what the import answers). More than BNIF_GUEST_MAX_ARRAY elements
 * are badarg: one import's work stays bounded (a longer list is built
 * with enif_make_list_cell, whose loop yields). */
static ERL_NIF_TERM *
read_array(ctx_t *c, br_val_t *res, uint64_t arr, uint32_t n,
           br_host_status_t *st)
{
    const uint8_t *src = bnif_guest_mem(c->mi, arr, (uint64_t)n * 8);
    if (src == NULL) {
        *st = trap(c, "erl_nif: pointer out of bounds");
        return NULL;
    }
    if (n > BNIF_GUEST_MAX_ARRAY) {
        *st = set_raised(c, res, BNIF_RAISED_BADARG,
                         enif_make_atom(c->s->tenv, "badarg"));
        return NULL;
    }
    ERL_NIF_TERM *terms = enif_alloc((n > 0 ? n : 1) * sizeof *terms);
    if (terms == NULL) {
        *st = trap(c, "erl_nif: out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t h;
        memcpy(&h, src + (size_t)i * 8, 8);
        int r = session_term(c->s, c->mi, h, &terms[i]);
        if (r != 0) {
            enif_free(terms);
            *st = trap(c, r == 1 ? "erl_nif: invalid term handle"
                                 : "erl_nif: binary pointer out of bounds");
            return NULL;
        }
    }
    return terms;
}

/* enif_make_<T>_from_array(env, arr, n) for T tuple and list: both read
 * the guest's array of handles the same way. */
typedef ERL_NIF_TERM (*from_array_fn)(ErlNifEnv *, const ERL_NIF_TERM[],
                                      unsigned);

static br_host_status_t
make_from_array(void *env, br_exec_t *exec, const br_val_t *a, br_val_t *res,
                from_array_fn make)
{
    OPEN(&a[0]);
    br_host_status_t st;
    uint32_t n = a[2].of.u32;
    ERL_NIF_TERM *terms = read_array(c, res, ptr_of(&a[1]), n, &st);
    if (terms == NULL)
        return st;
    ERL_NIF_TERM t = make(tenv, terms, n);
    enif_free(terms);
    return ret_term(c, res, t);
}

HOST(h_make_tuple_from_array)
{
    return make_from_array(env, exec, a, res, enif_make_tuple_from_array);
}

HOST(h_make_list_from_array)
{
    return make_from_array(env, exec, a, res, enif_make_list_from_array);
}

HOST(h_make_list_cell)
{
    OPEN(&a[0]);
    TERM(car, a[1]);
    TERM(cdr, a[2]);
    return ret_term(c, res, enif_make_list_cell(tenv, car, cdr));
}

HOST(h_make_new_map)
{
    OPEN(&a[0]);
    return ret_term(c, res, enif_make_new_map(tenv));
}

HOST(h_make_map_put)
{
    OPEN(&a[0]);
    TERM(map, a[1]);
    TERM(key, a[2]);
    TERM(val, a[3]);
    ERL_NIF_TERM out;
    if (!enif_make_map_put(tenv, map, key, val, &out))
        return ret_int(res, 0);
    br_host_status_t st = put_term(c, ptr_of(&a[4]), out);
    return st != BR_HOST_OK ? st : ret_int(res, 1);
}

HOST(h_make_badarg)
{
    OPEN(&a[0]);
    return set_raised(c, res, BNIF_RAISED_BADARG,
                      enif_make_atom(tenv, "badarg"));
}

HOST(h_raise_exception)
{
    OPEN(&a[0]);
    TERM(reason, a[1]);
    return set_raised(c, res, BNIF_RAISED_EXC, reason);
}

HOST(h_has_pending_exception)
{
    OPEN(&a[0]);
    uint64_t p = ptr_of(&a[1]);
    if (c->s->raised == BNIF_RAISED_NONE)
        return ret_int(res, 0);
    if (p != 0) {
        uint64_t h = (uint64_t)c->s->gen << 32 | c->s->raised_index;
        PUT(p, &h, 8);
    }
    return ret_int(res, 1);
}

/* Call id for the header's scratch memory: the generation of the
 * outermost running NIF call, so that a nested call (from an import fun)
 * does not free what the outer call still uses. */
HOST(h_call_id)
{
    OPEN(&a[0]);
    bnif_session_t *root = c->s;
    while (root->parent != NULL)
        root = root->parent;
    res[0].of.u64 = root->gen;
    return BR_HOST_OK;
}

/* ------------------------------------------------------------------ */
/* Tests and comparison                                                */

#define IS(fname, enif_fn)                             \
    HOST(fname)                                        \
    {                                                  \
        OPEN(&a[0]);                                   \
        TERM(t, a[1]);                                 \
        return ret_int(res, enif_fn(tenv, t) ? 1 : 0); \
    }

IS(h_is_atom, enif_is_atom)
IS(h_is_binary, enif_is_binary)
IS(h_is_list, enif_is_list)
IS(h_is_empty_list, enif_is_empty_list)
IS(h_is_tuple, enif_is_tuple)
IS(h_is_map, enif_is_map)
IS(h_is_number, enif_is_number)
IS(h_is_pid, enif_is_pid)
IS(h_is_ref, enif_is_ref)
IS(h_is_fun, enif_is_fun)
IS(h_is_port, enif_is_port)

HOST(h_is_exception)
{
    OPEN(&a[0]);
    uint64_t h = a[1].of.u64;
    TERM(t, a[1]);
    (void)t;
    return ret_int(res, c->s->raised != BNIF_RAISED_NONE &&
                            (uint32_t)h == c->s->raised_index);
}

/* enif_is_identical and enif_compare take no env: two handles. */
HOST(h_is_identical)
{
    OPEN(NULL);
    TERM(x, a[0]);
    TERM(y, a[1]);
    return ret_int(res, enif_is_identical(x, y) ? 1 : 0);
}

HOST(h_compare)
{
    OPEN(NULL);
    TERM(x, a[0]);
    TERM(y, a[1]);
    int r = enif_compare(x, y);
    return ret_int(res, r < 0 ? -1 : r > 0 ? 1 : 0);
}

/* ------------------------------------------------------------------ */
/* Linking                                                             */

/* Types: p = pointer (i32, or i64 for memory64 guests), i = i32,
 * I = i64 (terms, 64-bit integers), F = f64. */
static const struct hostdef {
    const char *name, *params, *results;
    br_host_fn fn;
} HOSTS[] = {
    {"enif_get_int", "pIp", "i", h_get_int},
    {"enif_get_uint", "pIp", "i", h_get_uint},
    {"enif_get_int64", "pIp", "i", h_get_int64},
    {"enif_get_uint64", "pIp", "i", h_get_uint64},
    {"enif_get_double", "pIp", "i", h_get_double},
    {"enif_get_atom", "pIpii", "i", h_get_atom},
    {"enif_get_atom_length", "pIpi", "i", h_get_atom_length},
    {"enif_get_list_cell", "pIpp", "i", h_get_list_cell},
    {"enif_get_list_length", "pIp", "i", h_get_list_length},
    {"enif_get_map_value", "pIIp", "i", h_get_map_value},
    {"enif_get_map_size", "pIp", "i", h_get_map_size},
    {"erl_nif_wasm_tuple_arity", "pIp", "i", h_tuple_arity},
    {"erl_nif_wasm_tuple_elements", "pIpi", "i", h_tuple_elements},
    {"erl_nif_wasm_binary_size", "pIp", "i", h_binary_size},
    {"erl_nif_wasm_binary_copy", "pIpp", "i", h_binary_copy},
    {"erl_nif_wasm_iolist_to_binary", "pIp", "i", h_iolist_to_binary},
    {"erl_nif_wasm_new_binary", "ppp", "I", h_new_binary},
    {"erl_nif_wasm_call_id", "p", "I", h_call_id},
    {"enif_make_int", "pi", "I", h_make_int},
    {"enif_make_uint", "pi", "I", h_make_uint},
    {"enif_make_int64", "pI", "I", h_make_int64},
    {"enif_make_uint64", "pI", "I", h_make_uint64},
    {"enif_make_double", "pF", "I", h_make_double},
    {"enif_make_atom", "pp", "I", h_make_atom},
    {"enif_make_atom_len", "ppp", "I", h_make_atom_len},
    {"enif_make_tuple_from_array", "ppi", "I", h_make_tuple_from_array},
    {"enif_make_list_from_array", "ppi", "I", h_make_list_from_array},
    {"enif_make_list_cell", "pII", "I", h_make_list_cell},
    {"enif_make_new_map", "p", "I", h_make_new_map},
    {"enif_make_map_put", "pIIIp", "i", h_make_map_put},
    {"enif_make_badarg", "p", "I", h_make_badarg},
    {"enif_raise_exception", "pI", "I", h_raise_exception},
    {"enif_has_pending_exception", "pp", "i", h_has_pending_exception},
    {"enif_is_atom", "pI", "i", h_is_atom},
    {"enif_is_binary", "pI", "i", h_is_binary},
    {"enif_is_list", "pI", "i", h_is_list},
    {"enif_is_empty_list", "pI", "i", h_is_empty_list},
    {"enif_is_tuple", "pI", "i", h_is_tuple},
    {"enif_is_map", "pI", "i", h_is_map},
    {"enif_is_number", "pI", "i", h_is_number},
    {"enif_is_pid", "pI", "i", h_is_pid},
    {"enif_is_ref", "pI", "i", h_is_ref},
    {"enif_is_fun", "pI", "i", h_is_fun},
    {"enif_is_port", "pI", "i", h_is_port},
    {"enif_is_exception", "pI", "i", h_is_exception},
    {"enif_is_identical", "II", "i", h_is_identical},
    {"enif_compare", "II", "i", h_compare},
};

static bool
kind_fits(char letter, br_valkind_t k)
{
    switch (letter) {
    case 'p':
        return k == BR_I32 || k == BR_I64;
    case 'i':
        return k == BR_I32;
    case 'I':
        return k == BR_I64;
    default:
        return k == BR_F64;
    }
}

static bool
kinds_fit(const char *letters, const br_valkind_t *kinds, uint32_t count)
{
    if (strlen(letters) != count)
        return false;
    for (uint32_t i = 0; i < count; i++)
        if (!kind_fits(letters[i], kinds[i]))
            return false;
    return true;
}

bool
bnif_terms_import(bnif_instance_t *in, struct bnif_guest *g, br_name_t name,
                  const br_functype_t *type, br_extern_t *out)
{
    for (size_t i = 0; i < sizeof HOSTS / sizeof HOSTS[0]; i++) {
        const struct hostdef *h = &HOSTS[i];
        if (strlen(h->name) != name.size ||
            memcmp(h->name, name.data, name.size) != 0)
            continue;
        if (!kinds_fit(h->params, type->params, type->param_count) ||
            !kinds_fit(h->results, type->results, type->result_count))
            return false;
        out->kind = BR_EXTERN_FUNC;
        out->of.func = br_func_new_host(in->store, type, h->fn, g);
        return out->of.func != NULL;
    }
    return false;
}
