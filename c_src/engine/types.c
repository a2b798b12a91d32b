/*
 * beamr engine: canonical runtime types (WebAssembly 3.0 type
 * canonicalization). Every recursive group of a module is interned in
 * its engine's registry, keyed by its structure with references inside
 * the group as relative indices and references outside as the
 * canonical types they name; equal groups (iso-recursive equality) of
 * every module of an engine share one set of bri_rtt_t (gc/gc.h), so
 * type equality is pointer equality and subtyping a bri_rtt_sub check,
 * in a module and across modules. A group is freed with the last module
 * that holds it. The registry is shared by every thread that compiles
 * modules of the engine: one spinlock guards it (interning is short).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "types.h"

#include "gc/gc.h"

/* One interned recursive group. */
struct bri_rtt_group {
    struct bri_rtt_group *next; /* in its hash bucket */
    uint32_t hash;
    uint32_t refs; /* modules' holds (guarded by the registry's lock) */
    uint32_t count;
    uint32_t key_len;
    uint64_t *key;
    bri_rtt_t *rtts; /* count of them */
};

struct bri_rttreg {
    bri_allocator_t alloc;
    atomic_flag lock;
    uint32_t cap; /* buckets, a power of two */
    uint32_t count;
    bri_rtt_group_t **buckets;
};

bri_rttreg_t *
bri_rttreg_new(const bri_allocator_t *alloc)
{
    bri_rttreg_t *reg = bri_calloc(alloc, 1, sizeof *reg);
    if (reg == NULL)
        return NULL;
    reg->alloc = *alloc;
    atomic_flag_clear(&reg->lock);
    reg->cap = 64;
    reg->buckets = bri_calloc(alloc, reg->cap, sizeof *reg->buckets);
    if (reg->buckets == NULL) {
        bri_free(alloc, reg, sizeof *reg);
        return NULL;
    }
    return reg;
}

static void
lock(bri_rttreg_t *reg)
{
    while (atomic_flag_test_and_set_explicit(&reg->lock, memory_order_acquire))
        ;
}

static void
unlock(bri_rttreg_t *reg)
{
    atomic_flag_clear_explicit(&reg->lock, memory_order_release);
}

static void
free_rtt(const bri_allocator_t *a, bri_rtt_t *t)
{
    bri_free(a, (void *)t->supers, (t->depth + 1) * sizeof *t->supers);
    bri_free(a, (void *)t->storage, t->field_count);
    bri_free(a, (void *)t->mutable_, t->field_count);
    bri_free(a, (void *)t->offset, t->field_count * sizeof *t->offset);
    bri_free(a, (void *)t->ref_offsets, t->ref_count * sizeof *t->ref_offsets);
}

static void
free_group(const bri_allocator_t *a, bri_rtt_group_t *g)
{
    for (uint32_t i = 0; g->rtts != NULL && i < g->count; i++)
        free_rtt(a, &g->rtts[i]);
    bri_free(a, g->rtts, (size_t)g->count * sizeof *g->rtts);
    bri_free(a, g->key, (size_t)g->key_len * sizeof *g->key);
    bri_free(a, g, sizeof *g);
}

void
bri_rttreg_delete(bri_rttreg_t *reg)
{
    if (reg == NULL)
        return;
    /* every module is gone by now: whatever is left leaked a hold */
    for (uint32_t b = 0; b < reg->cap; b++)
        for (bri_rtt_group_t *g = reg->buckets[b], *n; g != NULL; g = n) {
            n = g->next;
            free_group(&reg->alloc, g);
        }
    bri_free(&reg->alloc, reg->buckets, reg->cap * sizeof *reg->buckets);
    bri_allocator_t a = reg->alloc;
    bri_free(&a, reg, sizeof *reg);
}

/* ------------------------------------------------------------------ */
/* Keys                                                                 */

typedef struct keybuf {
    const bri_allocator_t *a;
    uint64_t *w;
    uint32_t len, cap;
    bool oom;
} keybuf_t;

static void
put(keybuf_t *k, uint64_t w)
{
    if (k->len == k->cap) {
        uint32_t cap = k->cap ? k->cap * 2 : 32;
        uint64_t *p = bri_realloc(k->a, k->w, k->cap * sizeof *p,
                                  (size_t)cap * sizeof *p);
        if (p == NULL) {
            k->oom = true;
            return;
        }
        k->w = p;
        k->cap = cap;
    }
    k->w[k->len++] = w;
}

/* A type index as a key word: inside the group [g, g+n) its relative
 * index (odd), outside the canonical type's address (even, non-zero). */
static uint64_t
type_word(const br_module_t *m, uint32_t x, uint32_t g)
{
    if (x >= g)
        return ((uint64_t)(x - g) << 1) | 1u;
    return (uint64_t)(uintptr_t)m->rtts[x];
}

/* A value or storage type and its mutability as two words. */
static void
put_val(keybuf_t *k, const br_module_t *m, bri_valtype_t t, uint8_t mut,
        uint32_t g)
{
    if (bri_vt_is_concrete(t)) {
        put(k, BRI_VT_CONCRETE | (t & BRI_VT_NONNULL) | ((uint64_t)mut << 9));
        put(k, type_word(m, bri_vt_index(t), g));
    } else {
        put(k, (t & 0x1FFu) | ((uint64_t)mut << 9));
        put(k, 0);
    }
}

static void
put_type(keybuf_t *k, const br_module_t *m, uint32_t i, uint32_t g)
{
    const bri_typedef_t *td = &m->typedefs[i];
    const bri_functype_t *ft = &m->ftypes[i];
    put(k, td->kind | ((uint64_t)td->final_ << 8));
    put(k, td->super == BR_NO_INDEX ? 0 : type_word(m, td->super, g));
    put(k, ft->param_count | ((uint64_t)ft->result_count << 32));
    put(k, td->field_count);
    for (uint32_t j = 0; j < ft->param_count; j++)
        put_val(k, m, ft->params[j], 0, g);
    for (uint32_t j = 0; j < ft->result_count; j++)
        put_val(k, m, ft->results[j], 0, g);
    for (uint32_t j = 0; j < td->field_count; j++)
        put_val(k, m, td->fields[j], td->mut[j], g);
}

static uint32_t
key_hash(const uint64_t *w, uint32_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ w[i]) * 1099511628211ull;
    return (uint32_t)(h ^ (h >> 32));
}

/* Whether group [g, g+n) only names types before its end and declares
 * only earlier supertypes (the validator refuses the others: such a
 * group is never interned). */
static bool
refs_ok(const br_module_t *m, uint32_t g, uint32_t n)
{
    for (uint32_t i = g; i < g + n; i++) {
        const bri_typedef_t *td = &m->typedefs[i];
        if (td->super != BR_NO_INDEX && td->super >= i)
            return false;
        const bri_functype_t *ft = &m->ftypes[i];
        uint32_t total = ft->param_count + ft->result_count;
        for (uint32_t j = 0; j < total + td->field_count; j++) {
            bri_valtype_t t = j < ft->param_count ? ft->params[j]
                              : j < total ? ft->results[j - ft->param_count]
                                          : td->fields[j - total];
            if (bri_vt_is_concrete(t) && bri_vt_index(t) >= g + n)
                return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Building a group's runtime types                                     */

static uint8_t
storage_of(bri_valtype_t t)
{
    switch (t) {
    case BRI_ST_CODE_I8:
        return BRI_ST_I8;
    case BRI_ST_CODE_I16:
        return BRI_ST_I16;
    case BR_I32:
        return BRI_ST_I32;
    case BR_I64:
        return BRI_ST_I64;
    case BR_F32:
        return BRI_ST_F32;
    case BR_F64:
        return BRI_ST_F64;
    case BR_V128:
        return BRI_ST_V128;
    default:
        return BRI_ST_REF;
    }
}

/* Fields of a struct at their natural alignment (at most 8: the payload
 * is 8-aligned and v128 fields are copied with memcpy). */
static bool
build_fields(const bri_allocator_t *a, bri_rtt_t *t, const bri_typedef_t *td)
{
    uint32_t n = td->field_count;
    if (n == 0)
        return true;
    uint8_t *st = bri_alloc(a, n);
    uint8_t *mu = bri_alloc(a, n);
    uint32_t *off = bri_alloc(a, n * sizeof *off);
    t->storage = st;
    t->mutable_ = mu;
    t->offset = off;
    t->field_count = n;
    if (st == NULL || mu == NULL || off == NULL)
        return false;
    uint32_t at = 0, refs = 0;
    for (uint32_t i = 0; i < n; i++) {
        st[i] = storage_of(td->fields[i]);
        mu[i] = td->mut[i];
        uint32_t size = bri_storage_size(st[i]);
        uint32_t align = size > 8 ? 8 : size;
        at = (at + align - 1) & ~(align - 1);
        off[i] = at;
        at += size;
        refs += st[i] == BRI_ST_REF;
    }
    if (td->kind == BRI_COMP_ARRAY) {
        t->size = bri_storage_size(st[0]);
        return true;
    }
    t->size = (at + 7u) & ~7u;
    if (refs == 0)
        return true;
    uint32_t *ro = bri_alloc(a, refs * sizeof *ro);
    if (ro == NULL)
        return false;
    t->ref_offsets = ro;
    t->ref_count = refs;
    for (uint32_t i = 0, k = 0; i < n; i++)
        if (st[i] == BRI_ST_REF)
            ro[k++] = off[i];
    return true;
}

static bool
build_rtt(const bri_allocator_t *a, bri_rtt_group_t *grp, const br_module_t *m,
          uint32_t i, uint32_t g)
{
    const bri_typedef_t *td = &m->typedefs[i];
    bri_rtt_t *t = &grp->rtts[i - g];
    const bri_rtt_t *super = NULL;
    if (td->super != BR_NO_INDEX)
        super = td->super >= g ? &grp->rtts[td->super - g] : m->rtts[td->super];
    t->kind = td->kind;
    t->final_ = td->final_;
    t->depth = super ? super->depth + 1 : 0;
    const bri_rtt_t **sup = bri_alloc(a, (t->depth + 1) * sizeof *sup);
    if (sup == NULL) {
        t->depth = 0; /* free_rtt frees what is there */
        return false;
    }
    for (uint32_t k = 0; k < t->depth; k++)
        sup[k] = super->supers[k];
    sup[t->depth] = t;
    t->supers = sup;
    return build_fields(a, t, td);
}

static bri_rtt_group_t *
new_group(bri_rttreg_t *reg, const br_module_t *m, uint32_t g, uint32_t n,
          keybuf_t *k, uint32_t hash)
{
    const bri_allocator_t *a = &reg->alloc;
    bri_rtt_group_t *grp = bri_calloc(a, 1, sizeof *grp);
    if (grp == NULL)
        return NULL;
    grp->hash = hash;
    grp->count = n;
    grp->key = bri_alloc(a, (size_t)k->len * sizeof *grp->key);
    grp->key_len = grp->key ? k->len : 0;
    grp->rtts = bri_calloc(a, n, sizeof *grp->rtts);
    if (grp->key == NULL || grp->rtts == NULL) {
        free_group(a, grp);
        return NULL;
    }
    memcpy(grp->key, k->w, (size_t)k->len * sizeof *k->w);
    for (uint32_t i = g; i < g + n; i++)
        if (!build_rtt(a, grp, m, i, g)) {
            free_group(a, grp);
            return NULL;
        }
    return grp;
}

/* The registry's group equal to [g, g+n) of m, one more hold on it. */
static bri_rtt_group_t *
intern(bri_rttreg_t *reg, const br_module_t *m, uint32_t g, uint32_t n,
       const bri_allocator_t *a)
{
    keybuf_t k = {.a = a};
    for (uint32_t i = g; i < g + n; i++)
        put_type(&k, m, i, g);
    if (k.oom) {
        bri_free(a, k.w, k.cap * sizeof *k.w);
        return NULL;
    }
    uint32_t h = key_hash(k.w, k.len);
    lock(reg);
    bri_rtt_group_t **slot = &reg->buckets[h & (reg->cap - 1)];
    bri_rtt_group_t *grp = *slot;
    while (grp != NULL &&
           (grp->hash != h || grp->count != n || grp->key_len != k.len ||
            memcmp(grp->key, k.w, (size_t)k.len * sizeof *k.w) != 0))
        grp = grp->next;
    if (grp == NULL) {
        grp = new_group(reg, m, g, n, &k, h);
        if (grp != NULL) {
            grp->next = *slot;
            *slot = grp;
            reg->count++;
        }
    }
    if (grp != NULL)
        grp->refs++;
    unlock(reg);
    bri_free(a, k.w, k.cap * sizeof *k.w);
    return grp;
}

static void
release(bri_rttreg_t *reg, bri_rtt_group_t *grp)
{
    lock(reg);
    if (--grp->refs == 0) {
        bri_rtt_group_t **p = &reg->buckets[grp->hash & (reg->cap - 1)];
        while (*p != grp)
            p = &(*p)->next;
        *p = grp->next;
        reg->count--;
        free_group(&reg->alloc, grp);
    }
    unlock(reg);
}

/* ------------------------------------------------------------------ */
/* Modules                                                              */

/* m->type_canon from the runtime types: each type's first type with the
 * same canonical runtime type (identity where there is none). */
static bool
fill_canon(br_module_t *m, const bri_allocator_t *a)
{
    uint32_t n = m->type_count;
    uint32_t cap = 16;
    while (cap < 2 * (uint64_t)n)
        cap *= 2;
    uint32_t *slots = bri_calloc(a, cap, sizeof *slots); /* type + 1 */
    if (slots == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        m->type_canon[i] = i;
        const bri_rtt_t *t = m->rtts ? m->rtts[i] : NULL;
        if (t == NULL)
            continue;
        uint32_t h = (uint32_t)(((uintptr_t)t >> 3) * 2654435761u) & (cap - 1);
        while (slots[h] && m->rtts[slots[h] - 1] != t)
            h = (h + 1) & (cap - 1);
        if (slots[h])
            m->type_canon[i] = slots[h] - 1;
        else
            slots[h] = i + 1;
    }
    bri_free(a, slots, (size_t)cap * sizeof *slots);
    return true;
}

/* The recursive groups of the type section; a section the decoder left
 * half read (a group size still 0) counts up to there (its groups were
 * never interned). */
static uint32_t
count_groups(const br_module_t *m)
{
    uint32_t groups = 0;
    for (uint32_t i = 0; m->typedefs != NULL && i < m->type_count;
         i += m->typedefs[i].group_size) {
        if (m->typedefs[i].group_size == 0)
            break;
        groups++;
    }
    return groups;
}

/* Interns each group in order; stops at the first group the validator
 * will refuse (its types and the later ones keep no runtime type). */
static bool
intern_groups(br_module_t *m, const bri_allocator_t *a)
{
    bri_rttreg_t *reg = m->engine->rtt_reg;
    uint32_t groups = count_groups(m);
    m->rtts = bri_calloc(a, m->type_count, sizeof *m->rtts);
    m->rtt_groups = bri_calloc(a, groups, sizeof *m->rtt_groups);
    if (m->rtts == NULL || m->rtt_groups == NULL)
        return false;
    for (uint32_t g = 0; g < m->type_count;) {
        uint32_t n = m->typedefs[g].group_size;
        if (!refs_ok(m, g, n))
            break;
        bri_rtt_group_t *grp = intern(reg, m, g, n, a);
        if (grp == NULL)
            return false;
        m->rtt_groups[m->rtt_group_count++] = grp;
        for (uint32_t i = 0; i < n; i++)
            m->rtts[g + i] = &grp->rtts[i];
        g += n;
    }
    return true;
}

/* Rewrites the concrete references of the types to canonical indices
 * with the code of their kind (bri_vt_canon). */
static void
canon_vals(br_module_t *m)
{
    for (uint32_t k = 0; k < m->type_val_count; k++)
        m->type_vals[k] = bri_vt_canon(m, m->type_vals[k]);
}

bool
bri_types_canonicalize(br_module_t *m, const bri_allocator_t *a)
{
    if (m->type_count == 0)
        return true;
    m->type_canon = bri_calloc(a, m->type_count, sizeof *m->type_canon);
    if (m->type_canon == NULL)
        return false;
    if (m->engine->rtt_reg != NULL && !intern_groups(m, a))
        return false;
    if (!fill_canon(m, a))
        return false;
    canon_vals(m);
    return true;
}

void
bri_types_release(br_module_t *m, const bri_allocator_t *a)
{
    for (uint32_t i = 0; i < m->rtt_group_count; i++)
        release(m->engine->rtt_reg, m->rtt_groups[i]);
    bri_free(a, m->rtt_groups, count_groups(m) * sizeof *m->rtt_groups);
    bri_free(a, (void *)m->rtts, m->type_count * sizeof *m->rtts);
    bri_free(a, m->typedefs, m->type_count * sizeof *m->typedefs);
    bri_free(a, m->field_mut, m->type_val_count);
    m->rtt_groups = NULL;
    m->rtts = NULL;
    m->typedefs = NULL;
    m->field_mut = NULL;
    m->rtt_group_count = 0;
}

uint32_t
bri_rttreg_count(bri_rttreg_t *reg)
{
    lock(reg);
    uint32_t n = reg->count;
    unlock(reg);
    return n;
}

bool
bri_type_sub(const br_module_t *m, uint32_t a, uint32_t b)
{
    if (a == b)
        return true;
    if (m->rtts == NULL || a >= m->type_count || b >= m->type_count ||
        m->rtts[a] == NULL || m->rtts[b] == NULL)
        return false;
    return bri_rtt_sub(m->rtts[a], m->rtts[b]);
}

/* ------------------------------------------------------------------ */
/* Validation of `sub` declarations                                     */

/* A storage type under another: packed types only as themselves. */
static bool
storage_sub(const br_module_t *m, bri_valtype_t a, bri_valtype_t b)
{
    if (a == BRI_ST_CODE_I8 || a == BRI_ST_CODE_I16 || b == BRI_ST_CODE_I8 ||
        b == BRI_ST_CODE_I16)
        return a == b;
    return bri_vt_match(m, a, b);
}

/* A field of a subtype under its supertype's: the same mutability, and
 * a mutable field's type equal both ways. */
static bool
field_sub(const br_module_t *m, bri_valtype_t a, uint8_t ma, bri_valtype_t b,
          uint8_t mb)
{
    if (ma != mb || !storage_sub(m, a, b))
        return false;
    return !ma || storage_sub(m, b, a);
}

static bool
func_sub(const br_module_t *m, const bri_functype_t *a, const bri_functype_t *b)
{
    if (a->param_count != b->param_count || a->result_count != b->result_count)
        return false;
    for (uint32_t k = 0; k < a->param_count; k++)
        if (!bri_vt_match(m, b->params[k], a->params[k]))
            return false;
    for (uint32_t k = 0; k < a->result_count; k++)
        if (!bri_vt_match(m, a->results[k], b->results[k]))
            return false;
    return true;
}

bool
bri_types_sub_ok(const br_module_t *m, uint32_t i)
{
    const bri_typedef_t *a = &m->typedefs[i];
    if (a->super == BR_NO_INDEX)
        return true;
    const bri_typedef_t *b = &m->typedefs[a->super];
    if (b->final_ || a->kind != b->kind)
        return false;
    if (a->kind == BRI_COMP_FUNC)
        return func_sub(m, &m->ftypes[i], &m->ftypes[a->super]);
    if (a->field_count < b->field_count)
        return false;
    if (a->kind == BRI_COMP_ARRAY && a->field_count != b->field_count)
        return false;
    for (uint32_t k = 0; k < b->field_count; k++)
        if (!field_sub(m, a->fields[k], a->mut[k], b->fields[k], b->mut[k]))
            return false;
    return true;
}
