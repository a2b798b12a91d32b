/*
 * beamr engine: instantiation (import checks, creation of the defined
 * objects, global and segment initialisation) and instance accessors.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "gc/gc.h"
#include "store.h"

/*
 * An instance is one allocation: this header, the index-space arrays,
 * the objects the module defines (functions, tables, memories, globals,
 * tags) and the evaluated element segments. Instantiation is then one
 * allocation plus one buffer per defined memory and table, and freeing
 * it needs nothing from the module (which may already be gone).
 */
typedef struct inst_block {
    br_instance_t inst; /* first: the store frees through inst.obj */
    size_t size;        /* bytes of the whole allocation */
    uint32_t memory_count, table_count; /* defined ones, to release */
    br_memory_t *memories;
    br_table_t *tables;
} inst_block_t;

/* Byte offsets of each part of the block (inst_block_t at 0). */
typedef struct parts {
    size_t funcs, tables, memories, globals, tags;  /* index spaces */
    size_t elem_refs, elem_sizes, data_dropped;
    size_t def_funcs, def_tables, def_memories, def_globals, def_tags;
    size_t refs; /* the element items of every segment */
    size_t ref_count;
    size_t size;
    bool overflow;
} parts_t;

/* Reserves `count` items of `elem` bytes aligned to `align`. */
static size_t
take(parts_t *p, size_t count, size_t elem, size_t align)
{
    size_t off = p->size + (align - p->size % align) % align;
    if (off < p->size || (elem != 0 && count > (SIZE_MAX - off) / elem)) {
        p->overflow = true;
        return 0;
    }
    p->size = off + count * elem;
    return off;
}

#define TAKE(p, n, T) take((p), (n), sizeof(T), _Alignof(T))

static bool
layout(const br_module_t *m, parts_t *p)
{
    memset(p, 0, sizeof *p);
    uint64_t refs = 0;
    for (uint32_t i = 0; i < m->elem_count; i++)
        refs += m->elems[i].count; /* < 2^32 segments of < 2^32 items */
    if (refs > SIZE_MAX)
        return false;
    p->ref_count = (size_t)refs;
    p->size = sizeof(inst_block_t);
    p->funcs = TAKE(p, m->func_count, br_func_t *);
    p->tables = TAKE(p, m->table_count, br_table_t *);
    p->memories = TAKE(p, m->memory_count, br_memory_t *);
    p->globals = TAKE(p, m->global_count, br_global_t *);
    p->tags = TAKE(p, m->tag_count, br_tag_t *);
    p->elem_refs = TAKE(p, m->elem_count, br_ref_t *);
    p->elem_sizes = TAKE(p, m->elem_count, uint32_t);
    p->data_dropped = TAKE(p, m->data_count, uint8_t);
    p->def_funcs = TAKE(p, m->func_count - m->func_import_count, br_func_t);
    p->def_tables =
        TAKE(p, m->table_count - m->table_import_count, br_table_t);
    p->def_memories =
        TAKE(p, m->memory_count - m->memory_import_count, br_memory_t);
    p->def_globals =
        TAKE(p, m->global_count - m->global_import_count, br_global_t);
    p->def_tags = TAKE(p, m->tag_count - m->tag_import_count, br_tag_t);
    p->refs = TAKE(p, p->ref_count, br_ref_t);
    return !p->overflow;
}

/* ------------------------------------------------------------------ */
/* Import checks                                                       */

static bool
limits_match(const br_limitstype_t *have, const br_limitstype_t *want)
{
    if (have->is64 != want->is64 || have->shared != want->shared ||
        bri_page_shift(have) != bri_page_shift(want))
        return false;
    if (have->min < want->min)
        return false;
    return !want->has_max || (have->has_max && have->max <= want->max);
}

/*
 * Reference types across modules. Every module of an engine shares the
 * canonical runtime types of its types (types.c), so concrete types of
 * two modules compare as pointers and subtyping is bri_rtt_sub. A module
 * without them (one built by hand, in the tests) matches only itself.
 */
static bool
type_sub_across(const br_module_t *ma, uint32_t i, const br_module_t *mb,
                uint32_t j)
{
    if (ma == NULL || mb == NULL || i >= ma->type_count ||
        j >= mb->type_count)
        return false;
    if (ma->rtts != NULL && mb->rtts != NULL && ma->rtts[i] != NULL &&
        mb->rtts[j] != NULL)
        return bri_rtt_sub(ma->rtts[i], mb->rtts[j]);
    return ma == mb && bri_type_sub(ma, i, j);
}

/* Whether a value of type a (of module ma) may stand for type b (of mb):
 * bri_vt_match's rules with concrete types compared across modules. */
static bool
vt_sub_across(const br_module_t *ma, bri_valtype_t a, const br_module_t *mb,
              bri_valtype_t b)
{
    if (!bri_vt_is_ref(a) || !bri_vt_is_ref(b))
        return a == b;
    if (bri_vt_nullable(a) && !bri_vt_nullable(b))
        return false;
    bri_valtype_t ha = a & ~BRI_VT_NONNULL, hb = b & ~BRI_VT_NONNULL;
    bool ca = bri_vt_is_concrete(ha);
    bool cb = bri_vt_is_concrete(hb);
    if (ca && cb)
        return type_sub_across(ma, bri_vt_index(ha), mb, bri_vt_index(hb));
    /* otherwise no module is needed: concrete against abstract goes by
     * the concrete type's kind, which its code tells */
    return bri_vt_match(NULL, ha, hb);
}

/* A function's type as its module declares it: a subtype of the
 * import's, compared across modules; a host function has kinds only. */
static bool
func_type_matches(const br_func_t *f, const br_module_t *m, uint32_t type)
{
    if (f->inst == NULL)
        return bri_functype_equal(f->type, &m->types[type]);
    const br_module_t *fm = f->inst->module;
    return type_sub_across(fm, fm->funcs[f->index].type, m, type);
}

/* NULL if `ext` matches import `imp`, else why not. */
static const char *
import_mismatch(const br_module_t *m, const bri_import_t *imp,
                const br_extern_t *ext)
{
    if (ext->kind != imp->kind)
        return "wrong kind of extern";
    if (ext->of.func == NULL) /* any member: they share the pointer */
        return "NULL extern";
    switch (imp->kind) {
    case BR_EXTERN_FUNC: {
        return func_type_matches(ext->of.func, m, m->funcs[imp->index].type)
                   ? NULL : "function type mismatch";
    }
    case BR_EXTERN_TABLE: {
        const bri_tabledecl_t *want = &m->tables[imp->index];
        const br_table_t *t = ext->of.table;
        /* tables are read and written: equal element types */
        if (!vt_sub_across(t->vt_mod, t->vt, m, want->type) ||
            !vt_sub_across(m, want->type, t->vt_mod, t->vt))
            return "element type mismatch";
        return limits_match(&ext->of.table->type, &want->limits)
                   ? NULL : "table limits mismatch";
    }
    case BR_EXTERN_MEMORY:
        return limits_match(&ext->of.memory->type, &m->memories[imp->index])
                   ? NULL : "memory limits mismatch";
    case BR_EXTERN_GLOBAL: {
        const bri_globaldecl_t *want = &m->globals[imp->index];
        const br_global_t *g = ext->of.global;
        /* a mutable global's type is equal, a constant's a subtype */
        bool ok = g->mutable_ == want->mutable_ &&
                  vt_sub_across(g->vt_mod, g->vt, m, want->type) &&
                  (!g->mutable_ || vt_sub_across(m, want->type, g->vt_mod,
                                                 g->vt));
        return ok ? NULL : "global type mismatch";
    }
    case BR_EXTERN_TAG: {
        const br_functype_t *want = &m->types[m->tags[imp->index]];
        const struct bri_rtt *rtt = ext->of.tag->rtt;
        /* tag types are equal: canonical types as pointers */
        if (rtt != NULL && m->rtts != NULL)
            return rtt == m->rtts[m->tags[imp->index]]
                       ? NULL : "tag type mismatch";
        return bri_functype_equal(ext->of.tag->type, want)
                   ? NULL : "tag type mismatch";
    }
    default:
        return "unknown extern kind";
    }
}

static br_err_t
check_imports(const br_module_t *m, const br_extern_t *imports,
              size_t count, br_error_t *error)
{
    if (count != m->import_count || (count != 0 && imports == NULL))
        return bri_error(error, BR_ERR_INVALID_ARGUMENT, 0, -1,
                         "module has %u imports, %zu given",
                         m->import_count, count);
    for (uint32_t i = 0; i < m->import_count; i++) {
        const bri_import_t *imp = &m->imports[i];
        const char *why = import_mismatch(m, imp, &imports[i]);
        if (why != NULL)
            return bri_error(error, BR_ERR_INCOMPATIBLE_IMPORT, 0, -1,
                             "%.*s.%.*s: %s", (int)imp->module.size,
                             imp->module.data, (int)imp->name.size,
                             imp->name.data, why);
    }
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Building the instance                                               */

static void
free_instance(br_store_t *store, bri_object_t *obj)
{
    inst_block_t *b = (inst_block_t *)obj;
    for (uint32_t i = 0; i < b->memory_count; i++)
        bri_memory_release(&b->memories[i]);
    for (uint32_t i = 0; i < b->table_count; i++)
        bri_table_release(&b->tables[i]);
    bri_free(&store->alloc, b, b->size);
}

/* Points the arrays of `b` at their parts and fills in the imports. */
static void
link_imports(inst_block_t *b, const parts_t *p, const br_module_t *m,
     const br_extern_t *imports)
{
    uint8_t *base = (uint8_t *)b;
    br_instance_t *inst = &b->inst;
    inst->funcs = (br_func_t **)(base + p->funcs);
    inst->tables = (br_table_t **)(base + p->tables);
    inst->memories = (br_memory_t **)(base + p->memories);
    inst->globals = (br_global_t **)(base + p->globals);
    inst->tags = (br_tag_t **)(base + p->tags);
    inst->elem_refs = (br_ref_t **)(base + p->elem_refs);
    inst->elem_sizes = (uint32_t *)(base + p->elem_sizes);
    inst->data_dropped = base + p->data_dropped;
    b->memories = (br_memory_t *)(base + p->def_memories);
    b->tables = (br_table_t *)(base + p->def_tables);
    for (uint32_t i = 0; i < m->import_count; i++) {
        const br_extern_t *e = &imports[i];
        uint32_t at = m->imports[i].index;
        switch (e->kind) {
        case BR_EXTERN_FUNC: inst->funcs[at] = e->of.func; break;
        case BR_EXTERN_TABLE: inst->tables[at] = e->of.table; break;
        case BR_EXTERN_MEMORY: inst->memories[at] = e->of.memory; break;
        case BR_EXTERN_GLOBAL: inst->globals[at] = e->of.global; break;
        default: inst->tags[at] = e->of.tag; break;
        }
    }
}

static void
make_funcs(inst_block_t *b, const parts_t *p, const br_module_t *m)
{
    br_func_t *def = (br_func_t *)((uint8_t *)b + p->def_funcs);
    for (uint32_t i = m->func_import_count; i < m->func_count; i++) {
        br_func_t *f = def++;
        f->type = &m->types[m->funcs[i].type];
        f->inst = &b->inst;
        f->index = i;
        f->code = &m->funcs[i].code;
        b->inst.funcs[i] = f;
    }
}

static void
make_tags(inst_block_t *b, const parts_t *p, const br_module_t *m)
{
    br_tag_t *def = (br_tag_t *)((uint8_t *)b + p->def_tags);
    for (uint32_t i = m->tag_import_count; i < m->tag_count; i++) {
        def->type = &m->types[m->tags[i]];
        def->rtt = m->rtts != NULL ? m->rtts[m->tags[i]] : NULL;
        b->inst.tags[i] = def++;
    }
}

/* Memories and tables; the count is bumped first so that a failed one
 * is still released (its init leaves it releasable). */
static br_err_t
make_storage(inst_block_t *b, br_store_t *s, const br_module_t *m,
             br_error_t *error)
{
    for (uint32_t i = m->memory_import_count; i < m->memory_count; i++) {
        br_memory_t *mem = &b->memories[b->memory_count++];
        br_err_t err = bri_memory_init(mem, s, &m->memories[i]);
        if (err != BR_ERR_OK)
            return bri_error(error, err, 0, -1,
                             "memory %u: %llu pages, maximum %llu", i,
                             (unsigned long long)m->memories[i].min,
                             (unsigned long long)mem->max_pages);
        b->inst.memories[i] = mem;
    }
    for (uint32_t i = m->table_import_count; i < m->table_count; i++) {
        const bri_tabledecl_t *d = &m->tables[i];
        br_table_t *t = &b->tables[b->table_count++];
        br_err_t err = bri_table_init(t, s, d->elem, &d->limits, NULL);
        if (err != BR_ERR_OK)
            return bri_error(error, err, 0, -1,
                             "table %u: %llu elements, maximum %llu", i,
                             (unsigned long long)d->limits.min,
                             (unsigned long long)t->max);
        t->vt = d->type;
        t->vt_mod = m;
        b->inst.tables[i] = t;
    }
    return BR_ERR_OK;
}

static br_err_t
eval_error(br_error_t *error, br_err_t err, const bri_constexpr_t *e,
           const char *what, uint32_t index)
{
    return bri_error(error, err, e->offset, -1, "%s %u initialiser", what,
                     index);
}

/* Globals in order: an initialiser may read the ones before it. */
static br_err_t
init_globals(inst_block_t *b, const parts_t *p, const br_module_t *m,
             br_error_t *error)
{
    br_global_t *def = (br_global_t *)((uint8_t *)b + p->def_globals);
    for (uint32_t i = m->global_import_count; i < m->global_count; i++) {
        const bri_globaldecl_t *d = &m->globals[i];
        br_global_t *g = def++;
        br_err_t err = bri_constexpr_eval(&b->inst, &d->init, d->kind,
                                          &g->val);
        if (err != BR_ERR_OK)
            return eval_error(error, err, &d->init, "global", i);
        g->mutable_ = d->mutable_;
        g->vt = d->type;
        g->vt_mod = m;
        b->inst.globals[i] = g;
    }
    return BR_ERR_OK;
}

/* Tables with an initializer expression (3.0), once the globals it may
 * read are set: every element gets its value. */
static br_err_t
fill_tables(inst_block_t *b, const br_module_t *m, br_error_t *error)
{
    for (uint32_t i = m->table_import_count; i < m->table_count; i++) {
        const bri_tabledecl_t *d = &m->tables[i];
        if (!d->has_init)
            continue;
        br_val_t v;
        br_err_t err = bri_constexpr_eval(&b->inst, &d->init, d->elem, &v);
        if (err != BR_ERR_OK)
            return eval_error(error, err, &d->init, "table", i);
        br_table_t *t = b->inst.tables[i];
        for (uint64_t k = 0; k < t->size; k++)
            t->elems[k] = v.of.ref;
    }
    return BR_ERR_OK;
}

static br_err_t
eval_item(br_instance_t *inst, const bri_elem_t *seg, uint32_t j,
          br_ref_t *out, br_error_t *error)
{
    if (seg->exprs == NULL) {
        uint32_t f = seg->func_indices[j];
        if (f >= inst->module->func_count)
            return bri_error(error, BR_ERR_UNKNOWN_FUNC, 0, -1, "%u", f);
        *out = inst->funcs[f];
        return BR_ERR_OK;
    }
    br_val_t v;
    br_err_t err = bri_constexpr_eval(inst, &seg->exprs[j], seg->kind, &v);
    if (err != BR_ERR_OK)
        return eval_error(error, err, &seg->exprs[j], "element", j);
    *out = v.of.ref;
    return BR_ERR_OK;
}

/* Evaluates every element segment into its slice of the block. */
static br_err_t
eval_elems(inst_block_t *b, const parts_t *p, const br_module_t *m,
           br_error_t *error)
{
    br_ref_t *refs = (br_ref_t *)((uint8_t *)b + p->refs);
    for (uint32_t i = 0; i < m->elem_count; i++) {
        const bri_elem_t *seg = &m->elems[i];
        b->inst.elem_refs[i] = refs;
        b->inst.elem_sizes[i] = seg->count;
        for (uint32_t j = 0; j < seg->count; j++) {
            br_err_t err = eval_item(&b->inst, seg, j, refs++, error);
            if (err != BR_ERR_OK)
                return err;
        }
    }
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Active segments                                                     */

static br_err_t
seg_trap(br_error_t *error, br_trap_t *trap, br_trapkind_t kind,
         uint32_t offset)
{
    if (trap != NULL) {
        memset(trap, 0, sizeof *trap);
        trap->kind = kind;
        snprintf(trap->message, sizeof trap->message, "%s",
                 br_trap_message(kind));
    }
    memset(error, 0, sizeof *error);
    error->code = BRI_ERR_TRAP;
    error->offset = offset;
    error->func_index = -1;
    snprintf(error->message, sizeof error->message, "%s",
             br_trap_message(kind));
    return BRI_ERR_TRAP;
}

/* An offset expression, as an index of a 32- or 64-bit space. */
static br_err_t
eval_offset(br_instance_t *inst, const bri_constexpr_t *e, bool is64,
            uint64_t *out, br_error_t *error)
{
    br_val_t v;
    br_err_t err = bri_constexpr_eval(inst, e, is64 ? BR_I64 : BR_I32, &v);
    if (err != BR_ERR_OK)
        return bri_error(error, err, e->offset, -1, "segment offset");
    *out = is64 ? v.of.u64 : v.of.u32;
    return BR_ERR_OK;
}

/* table.init + elem.drop for active segments, elem.drop for
 * declarative ones, in segment order (spec 2.0 instantiation). */
static br_err_t
init_tables(br_instance_t *inst, br_error_t *error, br_trap_t *trap)
{
    const br_module_t *m = inst->module;
    for (uint32_t i = 0; i < m->elem_count; i++) {
        const bri_elem_t *seg = &m->elems[i];
        if (seg->mode == BRI_SEG_ACTIVE) {
            br_table_t *t = inst->tables[seg->table];
            uint64_t off, n = inst->elem_sizes[i];
            br_err_t err = eval_offset(inst, &seg->offset, t->type.is64,
                                       &off, error);
            if (err != BR_ERR_OK)
                return err;
            if (off > t->size || n > t->size - off)
                return seg_trap(error, trap, BR_TRAP_TABLE_OOB,
                                seg->offset.offset);
            if (n != 0)
                memcpy(t->elems + off, inst->elem_refs[i],
                       (size_t)n * sizeof(br_ref_t));
        }
        if (seg->mode != BRI_SEG_PASSIVE)
            inst->elem_sizes[i] = 0;
    }
    return BR_ERR_OK;
}

/* memory.init + data.drop for active data segments, in order. */
static br_err_t
init_memories(br_instance_t *inst, br_error_t *error, br_trap_t *trap)
{
    const br_module_t *m = inst->module;
    for (uint32_t i = 0; i < m->data_count; i++) {
        const bri_data_t *seg = &m->datas[i];
        if (seg->mode != BRI_SEG_ACTIVE)
            continue;
        br_memory_t *mem = inst->memories[seg->memory];
        uint64_t off;
        br_err_t err = eval_offset(inst, &seg->offset, mem->type.is64,
                                   &off, error);
        if (err != BR_ERR_OK)
            return err;
        if (off > mem->size || seg->size > mem->size - off)
            return seg_trap(error, trap, BR_TRAP_MEMORY_OOB,
                            seg->offset.offset);
        if (seg->size != 0)
            memcpy(mem->data + off, seg->bytes, seg->size);
        inst->data_dropped[i] = 1;
    }
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* br_instance_new                                                     */

/* Everything that allocates; on failure the caller frees the block. */
static br_err_t
build(inst_block_t *b, const parts_t *p, br_store_t *store,
      const br_module_t *m, const br_extern_t *imports, br_error_t *error)
{
    b->size = p->size;
    b->inst.store = store;
    b->inst.module = m;
    link_imports(b, p, m, imports);
    make_funcs(b, p, m);
    make_tags(b, p, m);
    br_err_t err = make_storage(b, store, m, error);
    if (err == BR_ERR_OK)
        err = init_globals(b, p, m, error);
    if (err == BR_ERR_OK)
        err = fill_tables(b, m, error);
    if (err == BR_ERR_OK)
        err = eval_elems(b, p, m, error);
    return err;
}

/*
 * All allocation happens before the instance is adopted by the store, so
 * an allocation or evaluation failure frees everything and leaves no
 * trace. Once segments start writing (possibly into imported tables
 * that then refer to this instance's functions), the instance must live
 * on: a trap there keeps it in the store, unreachable to the caller but
 * alive for whatever references it (spec 2.0 semantics).
 */
static br_err_t
instance_new(br_store_t *store, const br_module_t *module,
             const br_extern_t *imports, size_t import_count,
             br_instance_t **out, br_error_t *error, br_trap_t *trap)
{
    br_error_t scratch;
    if (error == NULL)
        error = &scratch;
    if (out != NULL)
        *out = NULL;
    if (trap != NULL) { /* BR_TRAP_NONE unless a segment traps */
        trap->kind = BR_TRAP_NONE;
        trap->frame_count = 0;
        trap->message[0] = '\0';
    }
    if (store == NULL || module == NULL || out == NULL)
        return bri_error(error, BR_ERR_INVALID_ARGUMENT, 0, -1,
                         "NULL store, module or out");
    br_err_t err = check_imports(module, imports, import_count, error);
    if (err != BR_ERR_OK)
        return err;
    parts_t p;
    if (!layout(module, &p))
        return bri_error(error, BR_ERR_OUT_OF_MEMORY, 0, -1, "instance");
    inst_block_t *b = bri_calloc(&store->alloc, 1, p.size);
    if (b == NULL)
        return bri_error(error, BR_ERR_OUT_OF_MEMORY, 0, -1, "instance");
    err = build(b, &p, store, module, imports, error);
    if (err != BR_ERR_OK) {
        free_instance(store, &b->inst.obj);
        return err;
    }
    bri_store_adopt(store, &b->inst.obj, free_instance);
    b->inst.obj.trace = bri_gc_trace_instance; /* its refs are GC roots */
    err = init_tables(&b->inst, error, trap);
    if (err == BR_ERR_OK)
        err = init_memories(&b->inst, error, trap);
    if (err != BR_ERR_OK)
        return err;
    *out = &b->inst;
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */

const br_module_t *
br_instance_module(const br_instance_t *inst)
{
    return inst->module;
}

br_func_t *
br_instance_start_func(br_instance_t *inst)
{
    uint32_t start = inst->module->start;
    return start == BR_NO_INDEX ? NULL : inst->funcs[start];
}

static void
export_of(br_instance_t *inst, const bri_export_t *e, br_extern_t *out)
{
    out->kind = e->kind;
    switch (e->kind) {
    case BR_EXTERN_FUNC: out->of.func = inst->funcs[e->index]; break;
    case BR_EXTERN_TABLE: out->of.table = inst->tables[e->index]; break;
    case BR_EXTERN_MEMORY: out->of.memory = inst->memories[e->index]; break;
    case BR_EXTERN_GLOBAL: out->of.global = inst->globals[e->index]; break;
    default: out->of.tag = inst->tags[e->index]; break;
    }
}

bool
br_instance_export(br_instance_t *inst, const char *name, size_t name_len,
                   br_extern_t *out)
{
    const br_module_t *m = inst->module;
    for (uint32_t i = 0; i < m->export_count; i++) {
        const br_name_t *n = &m->exports[i].name;
        if (n->size == name_len &&
            (name_len == 0 || memcmp(n->data, name, name_len) == 0)) {
            export_of(inst, &m->exports[i], out);
            return true;
        }
    }
    return false;
}

/* Out of range: a NULL function extern. */
void
br_instance_export_at(br_instance_t *inst, uint32_t index, br_extern_t *out)
{
    if (index >= inst->module->export_count) {
        out->kind = BR_EXTERN_FUNC;
        out->of.func = NULL;
        return;
    }
    export_of(inst, &inst->module->exports[index], out);
}

br_memory_t *
br_instance_memory(br_instance_t *inst, uint32_t index)
{
    return index < inst->module->memory_count ? inst->memories[index]
                                              : NULL;
}

br_table_t *
br_instance_table(br_instance_t *inst, uint32_t index)
{
    return index < inst->module->table_count ? inst->tables[index] : NULL;
}

/* GC objects that constant expressions allocate are referenced only
 * from the half-built instance (and its evaluator's own stack), no GC
 * root: the collector waits until instantiation is over. */
br_err_t
br_instance_new(br_store_t *store, const br_module_t *module,
                const br_extern_t *imports, size_t import_count,
                br_instance_t **out, br_error_t *error, br_trap_t *trap)
{
    if (store != NULL)
        store->gc_defer++;
    br_err_t err =
        instance_new(store, module, imports, import_count, out, error, trap);
    if (store != NULL)
        store->gc_defer--;
    return err;
}
