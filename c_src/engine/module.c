/*
 * beamr engine: module objects (decode, validate, free) and their public
 * descriptions of imports and exports.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "aot.h"
#include "types.h"
#include "native/native.h"

/* ------------------------------------------------------------------ */
/* Freeing                                                             */

static void
free_code(const bri_allocator_t *a, bri_code_t *c)
{
    bri_free(a, c->words, (size_t)c->word_count * sizeof *c->words);
    for (uint32_t h = 0; c->handlers && h < c->handler_count; h++)
        bri_free(a, c->handlers[h].catches,
                 (size_t)c->handlers[h].catch_count * sizeof(bri_catch_t));
    bri_free(a, c->handlers, (size_t)c->handler_count * sizeof *c->handlers);
    bri_free(a, c->sites, (size_t)c->site_count * sizeof *c->sites);
    bri_native_free(a, c);
}

static void
free_funcs(const bri_allocator_t *a, bri_func_t *funcs, uint32_t count)
{
    for (uint32_t i = 0; funcs && i < count; i++) {
        bri_free(a, funcs[i].locals,
                 (size_t)funcs[i].local_count * sizeof *funcs[i].locals);
        free_code(a, &funcs[i].code);
    }
    bri_free(a, funcs, (size_t)count * sizeof *funcs);
}

static void
free_elems(const bri_allocator_t *a, bri_elem_t *elems, uint32_t count)
{
    for (uint32_t i = 0; elems && i < count; i++) {
        bri_elem_t *e = &elems[i];
        bri_free(a, e->func_indices, (size_t)e->count * sizeof(uint32_t));
        bri_free(a, e->exprs, (size_t)e->count * sizeof *e->exprs);
    }
    bri_free(a, elems, (size_t)count * sizeof *elems);
}

/* Frees what the decoder and the compiler allocated and resets those
 * fields, so the module's own bytes stay and a second call is harmless.
 * Every array is freed with the size its count implies: allocators must
 * store arrays at exactly that size. Names point into m->bytes and own
 * nothing. */
void
bri_module_free_parts(br_module_t *m)
{
    const bri_allocator_t *a = &m->engine->alloc;
    bri_free(a, m->types, (size_t)m->type_count * sizeof *m->types);
    bri_free(a, m->ftypes, (size_t)m->type_count * sizeof *m->ftypes);
    bri_free(a, m->type_vals, (size_t)m->type_val_count * sizeof *m->type_vals);
    bri_free(a, m->type_kinds,
             (size_t)m->type_val_count * sizeof *m->type_kinds);
    bri_free(a, m->type_canon, (size_t)m->type_count * sizeof *m->type_canon);
    bri_types_release(m, a);
    bri_free(a, m->imports, (size_t)m->import_count * sizeof *m->imports);
    bri_free(a, m->exports, (size_t)m->export_count * sizeof *m->exports);
    bri_free(a, m->declared_refs, m->func_count);
    free_funcs(a, m->funcs, m->func_count);
    bri_free(a, m->tables, (size_t)m->table_count * sizeof *m->tables);
    bri_free(a, m->memories, (size_t)m->memory_count * sizeof *m->memories);
    bri_free(a, m->globals, (size_t)m->global_count * sizeof *m->globals);
    bri_free(a, m->tags, (size_t)m->tag_count * sizeof *m->tags);
    free_elems(a, m->elems, m->elem_count);
    bri_free(a, m->datas, (size_t)m->data_count * sizeof *m->datas);

    br_engine_t *engine = m->engine;
    uint8_t *bytes = m->bytes;
    size_t size = m->size;
    memset(m, 0, sizeof *m);
    m->engine = engine;
    m->bytes = bytes;
    m->size = size;
    m->start = BR_NO_INDEX;
}

/* ------------------------------------------------------------------ */
/* Creation                                                            */

/* The module object with its own copy of the binary, nothing decoded:
 * br_module_new and br_module_deserialize (serialize.c) go on from it. */
br_err_t
bri_module_create(br_engine_t *engine, const uint8_t *bytes, size_t size,
                  br_module_t **out, br_error_t *error)
{
    *out = NULL;
    /* offsets and sizes inside a module are 32-bit */
    if (size > UINT32_MAX)
        return bri_error(error, BR_ERR_LIMIT_EXCEEDED, 0, -1, "%s",
                         "module larger than 4 GiB");
    const bri_allocator_t *a = &engine->alloc;
    br_module_t *m = bri_calloc(a, 1, sizeof *m);
    if (!m)
        return bri_error(error, BR_ERR_OUT_OF_MEMORY, 0, -1, "%s", "");
    m->engine = engine;
    m->start = BR_NO_INDEX;
    if (size) {
        m->bytes = bri_alloc(a, size);
        if (!m->bytes) {
            br_module_delete(m);
            return bri_error(error, BR_ERR_OUT_OF_MEMORY, 0, -1, "%s", "");
        }
        memcpy(m->bytes, bytes, size);
        m->size = size;
    }
    *out = m;
    return BR_ERR_OK;
}

br_err_t
br_module_new(br_engine_t *engine, const uint8_t *bytes, size_t size,
              br_module_t **out, br_error_t *error)
{
    if (out)
        *out = NULL;
    if (!engine || !out || (!bytes && size))
        return bri_error(error, BR_ERR_INVALID_ARGUMENT, 0, -1, "%s",
                         "NULL engine, output or bytes");
    br_module_t *m;
    br_err_t err = bri_module_create(engine, bytes, size, &m, error);
    if (err != BR_ERR_OK)
        return err;
    err = bri_decode(m, error);
    if (err == BR_ERR_OK)
        err = bri_validate(m, error);
    if (err != BR_ERR_OK) {
        br_module_delete(m);
        return err;
    }
    *out = m;
    return BR_ERR_OK;
}

void
br_module_delete(br_module_t *m)
{
    if (!m)
        return;
    bri_module_free_parts(m);
    const bri_allocator_t *a = &m->engine->alloc;
    bri_free(a, m->bytes, m->size);
    bri_free(a, m, sizeof *m);
}

/* ------------------------------------------------------------------ */
/* Descriptions                                                        */

static void
fill_functype(const br_module_t *m, uint32_t type, br_functype_t *out)
{
    if (type < m->type_count)
        *out = m->types[type];
}

/* Describes entry `index` of the index space of `kind`. */
static void
fill_externtype(const br_module_t *m, br_externkind_t kind, uint32_t index,
                br_externtype_t *out)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    switch (kind) {
    case BR_EXTERN_FUNC:
        if (index < m->func_count)
            fill_functype(m, m->funcs[index].type, &out->func);
        break;
    case BR_EXTERN_TABLE:
        if (index < m->table_count) {
            out->limits = m->tables[index].limits;
            out->elem_or_global = m->tables[index].elem;
        }
        break;
    case BR_EXTERN_MEMORY:
        if (index < m->memory_count)
            out->limits = m->memories[index];
        break;
    case BR_EXTERN_GLOBAL:
        if (index < m->global_count) {
            out->elem_or_global = m->globals[index].kind;
            out->mutable_global = m->globals[index].mutable_;
        }
        break;
    case BR_EXTERN_TAG:
        if (index < m->tag_count)
            fill_functype(m, m->tags[index], &out->func);
        break;
    default:
        break;
    }
}

uint32_t
br_module_import_count(const br_module_t *module)
{
    return module ? module->import_count : 0;
}

void
br_module_import(const br_module_t *module, uint32_t index,
                 br_name_t *module_name, br_name_t *field_name,
                 br_externtype_t *type)
{
    static const br_name_t empty = {0, ""};
    bool ok = module && index < module->import_count;
    const bri_import_t *imp = ok ? &module->imports[index] : NULL;
    if (module_name)
        *module_name = imp ? imp->module : empty;
    if (field_name)
        *field_name = imp ? imp->name : empty;
    if (type) {
        if (imp)
            fill_externtype(module, imp->kind, imp->index, type);
        else
            memset(type, 0, sizeof *type);
    }
}

uint32_t
br_module_export_count(const br_module_t *module)
{
    return module ? module->export_count : 0;
}

void
br_module_export(const br_module_t *module, uint32_t index, br_name_t *name,
                 br_externtype_t *type)
{
    static const br_name_t empty = {0, ""};
    bool ok = module && index < module->export_count;
    const bri_export_t *exp = ok ? &module->exports[index] : NULL;
    if (name)
        *name = exp ? exp->name : empty;
    if (type) {
        if (exp)
            fill_externtype(module, exp->kind, exp->index, type);
        else
            memset(type, 0, sizeof *type);
    }
}

bool
bri_functype_equal(const br_functype_t *a, const br_functype_t *b)
{
    if (a->param_count != b->param_count || a->result_count != b->result_count)
        return false;
    if (a->param_count && memcmp(a->params, b->params, a->param_count) != 0)
        return false;
    return !a->result_count ||
           memcmp(a->results, b->results, a->result_count) == 0;
}

/*
 * What instantiation writes eagerly, in bytes: each table the module
 * defines is filled to its minimum, every element segment's references
 * are evaluated, every active data segment is copied. Linear memory is
 * committed lazily (memory.c) and adds nothing.
 */
uint64_t
br_module_instantiate_bytes(const br_module_t *module)
{
    if (module == NULL)
        return 0;
    uint64_t bytes = 0;
    for (uint32_t i = module->table_import_count; i < module->table_count;
         i++) {
        uint64_t min = module->tables[i].limits.min;
        bytes +=
            min > UINT64_MAX / 16 ? UINT64_MAX / 2 : min * sizeof(br_ref_t);
        if (bytes >= UINT64_MAX / 2)
            return UINT64_MAX; /* such a table cannot be made anyway */
    }
    for (uint32_t i = 0; i < module->elem_count; i++)
        bytes += (uint64_t)module->elems[i].count * sizeof(br_ref_t);
    for (uint32_t i = 0; i < module->data_count; i++)
        if (module->datas[i].mode == BRI_SEG_ACTIVE)
            bytes += module->datas[i].size;
    return bytes;
}
