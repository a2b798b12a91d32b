/*
 * beamr NIF: conversion between Erlang terms and wasm values.
 * Integers are range-checked (never wrapped), NaN and infinities are
 * atoms, v128 is a non-negative 128-bit integer, references are opaque.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "beamr_nif.h"

/* External term format tags used to move 128-bit integers across. */
enum { ETF_VERSION = 131, ETF_SMALL_BIG = 110 };

#define F32_CANONICAL_NAN 0x7fc00000u
#define F64_CANONICAL_NAN 0x7ff8000000000000ull

/* The smallest magnitude that rounds to an f32 infinity: FLT_MAX plus
 * half its ulp (the tie rounds to even, which is 2^128). A finite
 * argument at or beyond it is out of range, never coerced to infinity. */
#define F32_OVERFLOW 0x1.ffffffp127

/* ------------------------------------------------------------------ */
/* Erlang -> wasm                                                      */

/* Any number (float or integer up to 64 bits) or nan/infinity atoms. */
static bool
get_number(ErlNifEnv *env, ERL_NIF_TERM t, double *out, bool *is_nan)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    ErlNifSInt64 i;
    ErlNifUInt64 u;
    *is_nan = false;
    if (enif_get_double(env, t, out))
        return true;
    if (enif_get_int64(env, t, &i)) {
        *out = (double)i;
        return true;
    }
    if (enif_get_uint64(env, t, &u)) {
        *out = (double)u;
        return true;
    }
    if (enif_is_identical(t, a->nan)) {
        *is_nan = true;
        return true;
    }
    if (enif_is_identical(t, a->infinity)) {
        *out = INFINITY;
        return true;
    }
    if (enif_is_identical(t, a->neg_infinity)) {
        *out = -INFINITY;
        return true;
    }
    return false;
}

static bool
get_float(ErlNifEnv *env, ERL_NIF_TERM t, br_valkind_t kind, br_val_t *out)
{
    double d;
    bool is_nan;
    if (!get_number(env, t, &d, &is_nan))
        return false;
    if (kind == BR_F32) {
        if (is_nan)
            out->of.u32 = F32_CANONICAL_NAN;
        else if (isfinite(d) && fabs(d) >= F32_OVERFLOW)
            return false;
        else
            out->of.f32 = (float)d;
    } else {
        if (is_nan)
            out->of.u64 = F64_CANONICAL_NAN;
        else
            out->of.f64 = d;
    }
    return true;
}

/* A non-negative integer below 2^128, read through the external term
 * format because erl_nif has no getter wider than 64 bits. */
static bool
get_v128(ErlNifEnv *env, ERL_NIF_TERM t, uint8_t out[16])
{
    ErlNifUInt64 u;
    memset(out, 0, 16);
    if (enif_get_uint64(env, t, &u)) {
        for (int i = 0; i < 8; i++)
            out[i] = (uint8_t)(u >> (8 * i));
        return true;
    }
    if (!enif_is_number(env, t))
        return false;
    ErlNifBinary bin;
    if (!enif_term_to_binary(env, t, &bin))
        return false;
    bool ok = bin.size >= 4 && bin.data[0] == ETF_VERSION &&
              bin.data[1] == ETF_SMALL_BIG && bin.data[3] == 0 &&
              bin.data[2] <= 16 && bin.size == 4u + bin.data[2];
    if (ok)
        memcpy(out, bin.data + 4, bin.data[2]);
    enif_release_binary(&bin);
    return ok;
}

static bool
get_funcref(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM t, br_ref_t *out)
{
    bnif_func_t *f;
    if (enif_is_identical(t, bnif_atoms(env)->null)) {
        *out = NULL;
        return true;
    }
    if (!enif_get_resource(env, t, bnif_priv(env)->func_rt, (void **)&f))
        return false;
    /* A funcref belongs to one store; never let it cross. */
    if (in == NULL || f->inst != in)
        return false;
    *out = f->func;
    return true;
}

/* An externref carries a copy of any Erlang term; the instance keeps
 * the holder alive because wasm may store the pointer in a table. A
 * term identical to one it keeps reuses that holder, so that giving
 * the same terms again and again costs nothing; at most
 * BNIF_MAX_EXTERNS distinct ones (then the value is refused). */
static bool
get_externref(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM t,
              br_ref_t *out)
{
    if (enif_is_identical(t, bnif_atoms(env)->null)) {
        *out = NULL;
        return true;
    }
    if (in == NULL)
        return false;
    ErlNifUInt64 hash = enif_hash(ERL_NIF_INTERNAL_HASH, t, 0);
    bnif_extern_t *x = bnif_instance_find_extern(in, t, hash);
    if (x != NULL) {
        *out = x;
        return true;
    }
    x = enif_alloc_resource(bnif_priv(env)->extern_rt, sizeof *x);
    if (x == NULL)
        return false;
    x->env = enif_alloc_env();
    if (x->env == NULL) {
        enif_release_resource(x);
        return false;
    }
    x->term = enif_make_copy(x->env, t);
    x->hash = hash;
    bool ok = bnif_instance_keep_extern(in, x);
    enif_release_resource(x);
    *out = x;
    return ok;
}

/* A GC term of an instance of the same store (objects never cross
 * stores), or false. */
static bool
get_gcref(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM t, br_ref_t *out)
{
    bnif_gcref_t *g;
    if (!enif_get_resource(env, t, bnif_priv(env)->gcref_rt, (void **)&g) ||
        in == NULL || g->inst == NULL || g->inst->store != in->store)
        return false;
    *out = g->ref;
    return true;
}

/* {i31, N}, N in -2^30 .. 2^31-1 (signed or unsigned 31 bits). */
static bool
get_i31(ErlNifEnv *env, ERL_NIF_TERM t, br_ref_t *out)
{
    int arity;
    const ERL_NIF_TERM *el;
    ErlNifSInt64 n;
    if (!enif_get_tuple(env, t, &arity, &el) || arity != 2 ||
        !enif_is_identical(el[0], bnif_atoms(env)->i31) ||
        !enif_get_int64(env, el[1], &n) || n < -(1 << 30) ||
        n > (ErlNifSInt64)INT32_MAX)
        return false;
    /* the 31 low bits, tagged (gc.h's i31 representation) */
    uintptr_t bits = (uintptr_t)((uint32_t)n & 0x7FFFFFFFu);
    *out = (br_ref_t)((bits << 1) | 1u);
    return true;
}

/* anyref and its subtypes: null, {i31, N}, a GC term, or any other term
 * as a host value made internal (what any.convert_extern gives). The
 * engine checks the value against the parameter's declared type. */
static bool
get_anyref(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM t, br_ref_t *out)
{
    if (enif_is_identical(t, bnif_atoms(env)->null)) {
        *out = NULL;
        return true;
    }
    if (get_i31(env, t, out) || get_gcref(env, in, t, out))
        return true;
    return get_externref(env, in, t, out);
}

bool
bnif_term_to_val(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM t,
                 br_valkind_t kind, br_val_t *out)
{
    ErlNifSInt64 i;
    ErlNifUInt64 u;
    memset(out, 0, sizeof *out);
    out->kind = kind;
    switch (kind) {
    case BR_I32:
        if (!enif_get_int64(env, t, &i) || i < INT32_MIN ||
            i > (ErlNifSInt64)UINT32_MAX)
            return false;
        out->of.u32 = (uint32_t)i;
        return true;
    case BR_I64:
        if (enif_get_int64(env, t, &i)) {
            out->of.i64 = i;
            return true;
        }
        if (!enif_get_uint64(env, t, &u))
            return false;
        out->of.u64 = u;
        return true;
    case BR_F32:
    case BR_F64:
        return get_float(env, t, kind, out);
    case BR_V128:
        return get_v128(env, t, out->of.v128);
    case BR_FUNCREF:
        return get_funcref(env, in, t, &out->of.ref);
    case BR_EXTERNREF:
        /* a GC term: the object made external (extern.convert_any) */
        if (get_gcref(env, in, t, &out->of.ref))
            return true;
        return get_externref(env, in, t, &out->of.ref);
    case BR_ANYREF:
        return get_anyref(env, in, t, &out->of.ref);
    case BR_EXNREF:
        /* only wasm makes exceptions: Erlang can pass the null one */
        out->of.ref = NULL;
        return enif_is_identical(t, bnif_atoms(env)->null);
    default:
        return false;
    }
}

bool
bnif_list_to_vals(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM list,
                  const br_valkind_t *kinds, uint32_t count, br_val_t *out)
{
    ERL_NIF_TERM head;
    for (uint32_t i = 0; i < count; i++) {
        if (!enif_get_list_cell(env, list, &head, &list))
            return false;
        if (!bnif_term_to_val(env, in, head, kinds[i], &out[i]))
            return false;
    }
    return enif_is_empty_list(env, list);
}

/* ------------------------------------------------------------------ */
/* wasm -> Erlang                                                      */

static ERL_NIF_TERM
make_float(ErlNifEnv *env, double d)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    if (isnan(d))
        return a->nan;
    if (isinf(d))
        return d > 0 ? a->infinity : a->neg_infinity;
    return enif_make_double(env, d);
}

static ERL_NIF_TERM
make_v128(ErlNifEnv *env, const uint8_t v[16])
{
    int n = 16;
    while (n > 0 && v[n - 1] == 0)
        n--;
    if (n <= 8) {
        ErlNifUInt64 u = 0;
        for (int i = 0; i < n; i++)
            u |= (ErlNifUInt64)v[i] << (8 * i);
        return enif_make_uint64(env, u);
    }
    unsigned char buf[4 + 16] = {ETF_VERSION, ETF_SMALL_BIG, (uint8_t)n, 0};
    memcpy(buf + 4, v, (size_t)n);
    ERL_NIF_TERM t;
    if (enif_binary_to_term(env, buf, 4u + (unsigned)n, &t, 0) == 0)
        return bnif_atoms(env)->undefined; /* cannot happen */
    return t;
}

static ERL_NIF_TERM
make_funcref(ErlNifEnv *env, bnif_instance_t *in, br_ref_t ref)
{
    if (ref == NULL || in == NULL)
        return bnif_atoms(env)->null;
    bnif_func_t *f = enif_alloc_resource(bnif_priv(env)->func_rt, sizeof *f);
    if (f == NULL)
        return bnif_atoms(env)->null;
    f->inst = in;
    enif_keep_resource(in);
    f->func = ref;
    ERL_NIF_TERM t = enif_make_resource(env, f);
    enif_release_resource(f);
    return t;
}

/* A struct or array: a term that pins it while it lives. */
static ERL_NIF_TERM
make_gcref(ErlNifEnv *env, bnif_instance_t *in, br_ref_t ref)
{
    bnif_gcref_t *g = enif_alloc_resource(bnif_priv(env)->gcref_rt, sizeof *g);
    if (g == NULL)
        return bnif_atoms(env)->null;
    g->inst = NULL; /* until pinned: the destructor has nothing to do */
    g->ref = ref;
    if (br_gc_pin(in->store, ref) != BR_ERR_OK) {
        enif_release_resource(g);
        return bnif_atoms(env)->null;
    }
    g->inst = in;
    enif_keep_resource(in);
    ERL_NIF_TERM t = enif_make_resource(env, g);
    enif_release_resource(g);
    return t;
}

/* A GC reference or a null: null, {i31, N} (N signed) or a GC term;
 * false for anything else (a host value). */
static bool
make_gc(ErlNifEnv *env, bnif_instance_t *in, br_ref_t ref, ERL_NIF_TERM *out)
{
    uintptr_t bits = (uintptr_t)ref;
    if (ref == NULL) {
        *out = bnif_atoms(env)->null;
        return true;
    }
    if (bits & 1u) {
        int32_t n = (int32_t)((uint32_t)(bits >> 1) << 1) >> 1;
        *out =
            enif_make_tuple2(env, bnif_atoms(env)->i31, enif_make_int(env, n));
        return true;
    }
    if (in == NULL || !br_gc_is_object(in->store, ref))
        return false;
    *out = make_gcref(env, in, ref);
    return true;
}

/* Every other non-null externref in a store was made by get_externref;
 * a GC reference made external comes out as the GC value it is. */
static ERL_NIF_TERM
make_externref(ErlNifEnv *env, bnif_instance_t *in, br_ref_t ref)
{
    ERL_NIF_TERM t;
    if (make_gc(env, in, ref, &t))
        return t;
    const bnif_extern_t *x = ref;
    return enif_make_copy(env, x->term);
}

ERL_NIF_TERM
bnif_val_to_term(ErlNifEnv *env, bnif_instance_t *in, const br_val_t *v)
{
    switch (v->kind) {
    case BR_I32:
        return enif_make_int(env, v->of.i32);
    case BR_I64:
        return enif_make_int64(env, v->of.i64);
    case BR_F32:
        return make_float(env, (double)v->of.f32);
    case BR_F64:
        return make_float(env, v->of.f64);
    case BR_V128:
        return make_v128(env, v->of.v128);
    case BR_FUNCREF:
        return make_funcref(env, in, v->of.ref);
    case BR_EXTERNREF:
    case BR_ANYREF: /* a host value made internal: the term it was */
        return make_externref(env, in, v->of.ref);
    case BR_EXNREF:
        /* opaque: the atom exnref stands for any caught exception */
        return v->of.ref == NULL ? bnif_atoms(env)->null
                                 : bnif_atoms(env)->exnref;
    default:
        return bnif_atoms(env)->undefined;
    }
}

ERL_NIF_TERM
bnif_vals_to_list(ErlNifEnv *env, bnif_instance_t *in, const br_val_t *vals,
                  size_t count)
{
    ERL_NIF_TERM list = enif_make_list(env, 0);
    for (size_t i = count; i > 0; i--)
        list = enif_make_list_cell(env, bnif_val_to_term(env, in, &vals[i - 1]),
                                   list);
    return list;
}

ERL_NIF_TERM
bnif_kind_atom(ErlNifEnv *env, br_valkind_t kind)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    switch (kind) {
    case BR_I32:
        return a->i32;
    case BR_I64:
        return a->i64;
    case BR_F32:
        return a->f32;
    case BR_F64:
        return a->f64;
    case BR_V128:
        return a->v128;
    case BR_FUNCREF:
        return a->funcref;
    case BR_EXTERNREF:
        return a->externref;
    case BR_EXNREF:
        return a->exnref;
    case BR_ANYREF:
        return a->anyref;
    default:
        return a->undefined;
    }
}

ERL_NIF_TERM
bnif_kinds_list(ErlNifEnv *env, const br_valkind_t *kinds, uint32_t count)
{
    ERL_NIF_TERM list = enif_make_list(env, 0);
    for (uint32_t i = count; i > 0; i--)
        list =
            enif_make_list_cell(env, bnif_kind_atom(env, kinds[i - 1]), list);
    return list;
}
