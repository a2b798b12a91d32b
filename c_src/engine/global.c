/*
 * beamr engine: host-created globals, tags and host functions (the store
 * objects that carry a value or a function type).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gc/gc.h"
#include "store.h"


/* ------------------------------------------------------------------ */
/* Globals                                                             */

/*
 * i32 and f32 values keep the upper half of the 64-bit union zero: the
 * interpreter copies globals into slots as whole 64-bit words (code.h).
 */
static br_val_t
normalise(br_val_t v)
{
    if (v.kind == BR_I32 || v.kind == BR_F32)
        v.of.u64 = v.of.u32;
    return v;
}

static void
free_global(br_store_t *store, bri_object_t *obj)
{
    bri_free(&store->alloc, obj, sizeof(br_global_t));
}

/* `init` NULL means the kind's zero value (null for references). */
br_global_t *
br_global_new(br_store_t *store, br_valkind_t kind, bool mutable_,
              const br_val_t *init)
{
    if (store == NULL || !bri_valkind_valid(kind))
        return NULL;
    if (init != NULL && init->kind != kind)
        return NULL;
    br_global_t *g = bri_alloc(&store->alloc, sizeof *g);
    if (g == NULL)
        return NULL;
    memset(g, 0, sizeof *g);
    if (init != NULL)
        g->val = normalise(*init);
    g->val.kind = kind;
    g->mutable_ = mutable_;
    g->vt = bri_vt_of_kind(kind);
    bri_store_adopt(store, &g->obj, free_global);
    g->obj.trace = bri_gc_trace_global; /* its ref is a GC root */
    return g;
}

void
br_global_get(const br_global_t *global, br_val_t *out)
{
    *out = global->val;
}

/*
 * What the host may store in a GC-typed global without knowing the
 * store's heap: null where the type is nullable, an i31 where it is i31,
 * eq or any, and anything where it is any. Structs and arrays of a
 * narrower type are refused (their type is not checked here).
 */
static bool
gc_value_fits(const br_global_t *global, br_ref_t ref)
{
    uint32_t code = bri_vt_code(global->vt);
    if (ref == NULL)
        return bri_vt_nullable(global->vt);
    if (code == BRI_HT_ANY)
        return true;
    return bri_gc_is_i31(ref) && (code == BRI_HT_EQ || code == BRI_HT_I31);
}

bool
br_global_set(br_global_t *global, const br_val_t *val)
{
    if (!global->mutable_ || val->kind != global->val.kind)
        return false;
    if (val->kind == BR_ANYREF && !gc_value_fits(global, val->of.ref))
        return false;
    global->val = normalise(*val);
    return true;
}

bool
br_global_is_mutable(const br_global_t *global)
{
    return global->mutable_;
}

/* ------------------------------------------------------------------ */
/* Function types copied into store-owned memory                        */

/*
 * A tag or host function and its copied type share one allocation: the
 * object, a br_functype_t, then the param and result kinds. The caller's
 * type may be freed as soon as the constructor returns.
 */
static size_t
typed_size(size_t head, const br_functype_t *type)
{
    return head + sizeof(br_functype_t) + (size_t)type->param_count +
           (size_t)type->result_count;
}

static bool
type_ok(const br_functype_t *type)
{
    if (type == NULL)
        return false;
    if ((type->param_count != 0 && type->params == NULL) ||
        (type->result_count != 0 && type->results == NULL))
        return false;
    for (uint32_t i = 0; i < type->param_count; i++)
        if (!bri_valkind_valid(type->params[i]))
            return false;
    for (uint32_t i = 0; i < type->result_count; i++)
        if (!bri_valkind_valid(type->results[i]))
            return false;
    return true;
}

/* Copies `type` to `block + head` and returns the copy. */
static const br_functype_t *
copy_type(uint8_t *block, size_t head, const br_functype_t *type)
{
    br_functype_t *copy = (br_functype_t *)(block + head);
    br_valkind_t *kinds = (br_valkind_t *)(copy + 1);
    if (type->param_count != 0)
        memcpy(kinds, type->params, type->param_count);
    if (type->result_count != 0)
        memcpy(kinds + type->param_count, type->results,
               type->result_count);
    copy->param_count = type->param_count;
    copy->result_count = type->result_count;
    copy->params = kinds;
    copy->results = kinds + type->param_count;
    return copy;
}

/* Head sizes rounded up so the copied br_functype_t is aligned. */
#define ALIGNED_HEAD(T)                                                  \
    ((sizeof(T) + _Alignof(br_functype_t) - 1) /                         \
     _Alignof(br_functype_t) * _Alignof(br_functype_t))

/* ------------------------------------------------------------------ */
/* Tags                                                                */

static void
free_tag(br_store_t *store, bri_object_t *obj)
{
    br_tag_t *tag = (br_tag_t *)obj;
    bri_free(&store->alloc, tag, typed_size(ALIGNED_HEAD(br_tag_t),
                                            tag->type));
}

br_tag_t *
br_tag_new(br_store_t *store, const br_functype_t *type)
{
    if (store == NULL || !type_ok(type))
        return NULL;
    size_t head = ALIGNED_HEAD(br_tag_t);
    uint8_t *block = bri_alloc(&store->alloc, typed_size(head, type));
    if (block == NULL)
        return NULL;
    br_tag_t *tag = (br_tag_t *)block;
    memset(tag, 0, sizeof *tag);
    tag->type = copy_type(block, head, type);
    bri_store_adopt(store, &tag->obj, free_tag);
    return tag;
}

/* ------------------------------------------------------------------ */
/* Host functions                                                      */

static void
free_host_func(br_store_t *store, bri_object_t *obj)
{
    br_func_t *f = (br_func_t *)obj;
    bri_free(&store->alloc, f, typed_size(ALIGNED_HEAD(br_func_t),
                                          f->type));
}

br_func_t *
br_func_new_host(br_store_t *store, const br_functype_t *type,
                 br_host_fn fn, void *env)
{
    if (store == NULL || fn == NULL || !type_ok(type))
        return NULL;
    size_t head = ALIGNED_HEAD(br_func_t);
    uint8_t *block = bri_alloc(&store->alloc, typed_size(head, type));
    if (block == NULL)
        return NULL;
    br_func_t *f = (br_func_t *)block;
    memset(f, 0, sizeof *f);
    f->type = copy_type(block, head, type);
    f->index = BR_NO_INDEX;
    f->host = fn;
    f->env = env;
    bri_store_adopt(store, &f->obj, free_host_func);
    return f;
}

const br_functype_t *
br_func_type(const br_func_t *func)
{
    return func->type;
}

void *
br_func_host_env(const br_func_t *func)
{
    return func->env;
}
