/*
 * beamr engine: module validation (2.0, memory64, multi-memory, legacy
 * exceptions, extended-const, tail calls): types, limits, constant
 * expressions, segments, exports and start; then every function body is
 * compiled (compile.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>

#include "aot.h"
#include "compile.h"
#include "types.h"

typedef struct validator {
    br_module_t *m;
    const bri_allocator_t *alloc;
    br_error_t *error;
    /* constant expression type stack, reused */
    bri_valtype_t *stack;
    uint32_t depth, cap;
    /* globals constant expressions may read: [0, const_globals) */
    uint32_t const_globals;
} validator_t;

#define FAIL_AT(v, code, offset, ...) \
    bri_error((v)->error, (code), (offset), -1, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Constant expressions                                                */

typedef struct constexpr_state {
    validator_t *v;
    const bri_constexpr_t *e;
    bri_reader_t r;
    uint32_t insn_offset;
    br_err_t type_err; /* first type error, reported after constness */
    uint32_t type_err_offset;
} cstate_t;

static br_err_t
cs_reader_failed(cstate_t *s)
{
    br_error_t *e = s->v->error;
    return bri_error(e, e->code, e->offset + s->e->offset, -1, "%s", "");
}

static void
cs_type_error(cstate_t *s)
{
    if (s->type_err == BR_ERR_OK) {
        s->type_err = BR_ERR_TYPE_MISMATCH;
        s->type_err_offset = s->insn_offset;
    }
}

static br_err_t
cs_push(cstate_t *s, bri_valtype_t t)
{
    validator_t *v = s->v;
    if (v->depth == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 16;
        bri_valtype_t *p = bri_realloc(v->alloc, v->stack, v->cap * sizeof *p,
                                       cap * sizeof *p);
        if (p == NULL)
            return FAIL_AT(v, BR_ERR_OUT_OF_MEMORY, s->insn_offset, "%s",
                           "validating");
        v->stack = p;
        v->cap = cap;
    }
    v->stack[v->depth++] = t;
    return BR_ERR_OK;
}

static void
cs_pop(cstate_t *s, bri_valtype_t want)
{
    validator_t *v = s->v;
    if (v->depth == 0 || !bri_vt_match(v->m, v->stack[v->depth - 1], want))
        cs_type_error(s);
    if (v->depth > 0)
        v->depth--;
}

/* global.get: the immutable globals below v->const_globals are visible
 * to constant expressions: the imported ones (2.0, extended-const), or
 * with BR_FEATURE_CONST_GLOBALS (3.0) every global defined before the
 * one being initialised, and all of them in segments. */
static br_err_t
cs_global_get(cstate_t *s, uint32_t x)
{
    const br_module_t *m = s->v->m;
    if (x >= s->v->const_globals)
        return FAIL_AT(s->v, BR_ERR_UNKNOWN_GLOBAL, s->insn_offset, "%u",
                       (unsigned)x);
    if (m->globals[x].mutable_)
        return FAIL_AT(s->v, BR_ERR_CONSTANT_EXPR_REQUIRED, s->insn_offset,
                       "global %u is mutable", (unsigned)x);
    return cs_push(s, m->globals[x].type);
}

/* ref.func x also declares x for ref.func in function bodies (C.refs). */
static br_err_t
cs_ref_func(cstate_t *s, uint32_t x)
{
    br_module_t *m = s->v->m;
    if (x >= m->func_count)
        return FAIL_AT(s->v, BR_ERR_UNKNOWN_FUNC, s->insn_offset, "%u",
                       (unsigned)x);
    m->declared_refs[x] = 1;
    if (m->funcs[x].type >= m->type_count)
        return FAIL_AT(s->v, BR_ERR_UNKNOWN_TYPE, s->insn_offset, "%u",
                       (unsigned)m->funcs[x].type);
    return cs_push(s, bri_vt_func_ref(m, m->funcs[x].type));
}

/* A storage type as the type of its operand: packed ones are i32. */
static bri_valtype_t
cs_unpacked(bri_valtype_t t)
{
    return t == BRI_ST_CODE_I8 || t == BRI_ST_CODE_I16 ? BR_I32 : t;
}

/* struct.new(_default) x and array.new(_default/_fixed) x (n). */
static br_err_t
cs_gc_new(cstate_t *s, br_op_t op, uint32_t x, uint32_t n)
{
    const br_module_t *m = s->v->m;
    bool is_struct = op == BR_OP_struct_new || op == BR_OP_struct_new_default;
    if (x >= m->type_count || m->typedefs == NULL)
        return FAIL_AT(s->v, BR_ERR_UNKNOWN_TYPE, s->insn_offset, "%u",
                       (unsigned)x);
    const bri_typedef_t *td = &m->typedefs[x];
    if (td->kind != (is_struct ? BRI_COMP_STRUCT : BRI_COMP_ARRAY))
        return FAIL_AT(s->v, BR_ERR_TYPE_MISMATCH, s->insn_offset, "type %u",
                       (unsigned)x);
    bool dflt = op == BR_OP_struct_new_default || op == BR_OP_array_new_default;
    for (uint32_t k = 0; dflt && k < td->field_count; k++)
        if (bri_vt_is_ref(td->fields[k]) && !bri_vt_nullable(td->fields[k]))
            cs_type_error(s);
    if (!is_struct && op != BR_OP_array_new_fixed)
        cs_pop(s, BR_I32);
    if (op == BR_OP_struct_new)
        for (uint32_t k = td->field_count; k-- > 0;)
            cs_pop(s, cs_unpacked(td->fields[k]));
    if (op == BR_OP_array_new)
        cs_pop(s, cs_unpacked(td->fields[0]));
    for (uint32_t k = 0; op == BR_OP_array_new_fixed && k < n; k++)
        cs_pop(s, cs_unpacked(td->fields[0]));
    return cs_push(s, bri_vt_canon(m, bri_vt_ref_index(x, false)));
}

/* ref.i31 and the extern/any conversions (nullability kept). */
static br_err_t
cs_convert(cstate_t *s, br_op_t op)
{
    validator_t *v = s->v;
    if (op == BR_OP_ref_i31) {
        cs_pop(s, BR_I32);
        return cs_push(s, BRI_HT_I31 | BRI_VT_NONNULL);
    }
    bool to_any = op == BR_OP_any_convert_extern;
    bri_valtype_t t = v->depth > 0 ? v->stack[v->depth - 1] : BRI_HT_NONE;
    cs_pop(s, to_any ? BRI_HT_EXTERN : BRI_HT_ANY);
    bri_valtype_t r = to_any ? BRI_HT_ANY : BRI_HT_EXTERN;
    if (bri_vt_is_ref(t) && !bri_vt_nullable(t))
        r |= BRI_VT_NONNULL;
    return cs_push(s, r);
}

/* i32/i64 add, sub and mul (extended-const). */
static br_err_t
cs_binop(cstate_t *s, bri_valtype_t t)
{
    cs_pop(s, t);
    cs_pop(s, t);
    return cs_push(s, t);
}

/* A constant instruction with its immediates (read by the one reader). */
static br_err_t
cs_const_op(cstate_t *s, br_op_t op, const bri_imm_t *imm)
{
    switch (op) {
    case BR_OP_i32_const:
    case BR_OP_i64_const:
    case BR_OP_f32_const:
    case BR_OP_f64_const: {
        static const bri_valtype_t types[] = {BR_I32, BR_I64, BR_F32, BR_F64};
        return cs_push(s, types[op - BR_OP_i32_const]); /* ORDER OP */
    }
    case BR_OP_v128_const:
        return cs_push(s, BR_V128);
    case BR_OP_global_get:
        return cs_global_get(s, imm->idx[0]);
    case BR_OP_ref_null:
        if (!bri_vt_known(s->v->m, imm->reftype))
            return FAIL_AT(s->v, BR_ERR_UNKNOWN_TYPE, s->insn_offset, "%u",
                           (unsigned)bri_vt_index(imm->reftype));
        return cs_push(s, bri_vt_canon(s->v->m, imm->reftype));
    case BR_OP_ref_func:
        return cs_ref_func(s, imm->idx[0]);
    case BR_OP_struct_new:
    case BR_OP_struct_new_default:
    case BR_OP_array_new:
    case BR_OP_array_new_default:
    case BR_OP_array_new_fixed:
        return cs_gc_new(s, op, imm->idx[0], imm->idx[1]);
    case BR_OP_ref_i31:
    case BR_OP_any_convert_extern:
    case BR_OP_extern_convert_any:
        return cs_convert(s, op);
    case BR_OP_i32_add:
    case BR_OP_i32_sub:
    case BR_OP_i32_mul:
        return cs_binop(s, BR_I32);
    default: /* i64 add, sub, mul */
        return cs_binop(s, BR_I64);
    }
}

/* One instruction; *done at `end`. A non-constant op is refused before
 * its immediates are read. */
static br_err_t
cs_step(cstate_t *s, bool *done)
{
    uint8_t b;
    uint32_t sub;
    bri_imm_t imm;
    s->insn_offset = s->e->offset + bri_reader_offset(&s->r);
    int op = bri_read_opcode(&s->r, &b, &sub);
    if (op == -2)
        return cs_reader_failed(s);
    if (op == BR_OP_end) {
        *done = true;
        return BR_ERR_OK;
    }
    if (!bri_op_is_const(op))
        return FAIL_AT(s->v, BR_ERR_CONSTANT_EXPR_REQUIRED, s->insn_offset,
                       "%s", op >= 0 ? bri_opinfo[op].name : "");
    if (!bri_read_imm(&s->r, (br_imm_t)bri_opinfo[op].imm, &imm))
        return cs_reader_failed(s);
    return cs_const_op(s, (br_op_t)op, &imm);
}

/* Validates a constant expression of result type `want`. As in the
 * spec, every instruction must be constant before types are checked, so
 * a type error is only reported once the whole expression is read. */
static br_err_t
check_const(validator_t *v, const bri_constexpr_t *e, bri_valtype_t want)
{
    cstate_t s = {
        .v = v,
        .e = e,
        .r = {.base = e->code,
              .p = e->code,
              .end = e->code + e->size,
              .error = v->error},
        .insn_offset = e->offset,
    };
    v->depth = 0;
    bool done = false;
    while (!done) {
        br_err_t err = cs_step(&s, &done);
        if (err != BR_ERR_OK)
            return err;
    }
    if (v->depth != 1 || !bri_vt_match(v->m, v->stack[0], want))
        cs_type_error(&s);
    if (s.type_err != BR_ERR_OK)
        return FAIL_AT(v, s.type_err, s.type_err_offset, "%s",
                       "in constant expression");
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Types, limits and declarations                                      */

static br_err_t
check_type_index(validator_t *v, uint32_t t)
{
    if (t >= v->m->type_count)
        return FAIL_AT(v, BR_ERR_UNKNOWN_TYPE, 0, "%u", (unsigned)t);
    return BR_ERR_OK;
}

/* A value type's type index (if any) names a type. */
static br_err_t
check_vt(validator_t *v, bri_valtype_t t)
{
    if (!bri_vt_known(v->m, t))
        return FAIL_AT(v, BR_ERR_UNKNOWN_TYPE, 0, "%u",
                       (unsigned)bri_vt_index(t));
    return BR_ERR_OK;
}

/* A value or storage type of type i names a type of its recursive
 * group or an earlier one (decode.c made the known ones canonical,
 * which keeps them below the group's end). */
static br_err_t
check_type_refs(validator_t *v, uint32_t i)
{
    const br_module_t *m = v->m;
    const bri_functype_t *ft = &m->ftypes[i];
    const bri_typedef_t *td = m->typedefs ? &m->typedefs[i] : NULL;
    uint32_t end = td ? td->group + td->group_size : i + 1;
    uint32_t total = ft->param_count + ft->result_count;
    uint32_t fields = td ? td->field_count : 0;
    for (uint32_t k = 0; k < total + fields; k++) {
        bri_valtype_t t = k < ft->param_count ? ft->params[k]
                          : k < total         ? ft->results[k - ft->param_count]
                                              : td->fields[k - total];
        if (bri_vt_is_concrete(t) && bri_vt_index(t) >= end)
            return FAIL_AT(v, BR_ERR_UNKNOWN_TYPE, 0, "%u",
                           (unsigned)bri_vt_index(t));
    }
    return BR_ERR_OK;
}

/* Type i's declared supertype: one, earlier, and admitting it. */
static br_err_t
check_super(validator_t *v, uint32_t i)
{
    const bri_typedef_t *td = &v->m->typedefs[i];
    if (td->super == BR_NO_INDEX)
        return BR_ERR_OK;
    if (td->super == BR_NO_INDEX - 1)
        return FAIL_AT(v, BR_ERR_SUB_TYPE, 0, "type %u: %s", (unsigned)i,
                       "more than one supertype");
    if (td->super >= i)
        return FAIL_AT(v, BR_ERR_UNKNOWN_TYPE, 0, "%u", (unsigned)td->super);
    if (!bri_types_sub_ok(v->m, i))
        return FAIL_AT(v, BR_ERR_SUB_TYPE, 0, "type %u does not match %u",
                       (unsigned)i, (unsigned)td->super);
    return BR_ERR_OK;
}

static br_err_t
check_types(validator_t *v)
{
    const br_module_t *m = v->m;
    for (uint32_t i = 0; i < m->type_count; i++) {
        br_err_t err = check_type_refs(v, i);
        if (err == BR_ERR_OK && m->typedefs != NULL)
            err = check_super(v, i);
        if (err != BR_ERR_OK)
            return err;
    }
    for (uint32_t i = 0; i < m->func_count; i++)
        for (uint32_t k = 0; k < m->funcs[i].local_count; k++) {
            br_err_t err = check_vt(v, m->funcs[i].locals[k]);
            if (err != BR_ERR_OK)
                return err;
        }
    return BR_ERR_OK;
}

static br_err_t
check_funcs_and_tags(validator_t *v)
{
    const br_module_t *m = v->m;
    br_err_t terr = check_types(v);
    if (terr != BR_ERR_OK)
        return terr;
    for (uint32_t i = 0; i < m->func_count; i++) {
        br_err_t err = check_type_index(v, m->funcs[i].type);
        if (err != BR_ERR_OK)
            return err;
    }
    for (uint32_t i = 0; i < m->tag_count; i++) {
        br_err_t err = check_type_index(v, m->tags[i]);
        if (err != BR_ERR_OK)
            return err;
        if (m->types[m->tags[i]].result_count != 0)
            return FAIL_AT(v, BR_ERR_INVALID_TAG_TYPE, 0, "tag %u",
                           (unsigned)i);
    }
    return BR_ERR_OK;
}

/* The spec's check_limits: min and max within `range`, min <= max. */
static br_err_t
check_limits(validator_t *v, const br_limitstype_t *l, uint64_t range,
             br_err_t range_err)
{
    if (l->min > range || (l->has_max && l->max > range))
        return FAIL_AT(v, range_err, 0, "%s", "");
    if (l->has_max && l->min > l->max)
        return FAIL_AT(v, BR_ERR_SIZE_MINIMUM, 0, "%s", "");
    return BR_ERR_OK;
}

static br_err_t
check_tables_and_memories(validator_t *v)
{
    const br_module_t *m = v->m;
    for (uint32_t i = 0; i < m->table_count; i++) {
        const bri_tabledecl_t *t = &m->tables[i];
        const br_limitstype_t *l = &t->limits;
        br_err_t err = check_vt(v, t->type);
        if (err == BR_ERR_OK)
            err = check_limits(v, l, l->is64 ? UINT64_MAX : UINT32_MAX,
                               BR_ERR_TABLE_SIZE_LIMIT);
        if (err == BR_ERR_OK && t->has_init) {
            /* the table section comes before the globals: its
             * initializers see the imported globals only */
            uint32_t seen = v->const_globals;
            v->const_globals = m->global_import_count;
            err = check_const(v, &t->init, t->type);
            v->const_globals = seen;
        } else if (err == BR_ERR_OK && !bri_vt_nullable(t->type) &&
                   i >= m->table_import_count)
            /* no null to fill a table of non-null references with */
            err =
                FAIL_AT(v, BR_ERR_TYPE_MISMATCH, 0, "%s",
                        "a table of non-null references needs an initializer");
        if (err != BR_ERR_OK)
            return err;
    }
    if (m->memory_count > 1 &&
        !bri_feature_on(m->engine, BR_FEATURE_MULTI_MEMORY))
        return FAIL_AT(v, BR_ERR_MULTIPLE_MEMORIES, 0, "%u",
                       (unsigned)m->memory_count);
    for (uint32_t i = 0; i < m->memory_count; i++) {
        const br_limitstype_t *l = &m->memories[i];
        if (l->custom_page && l->page_log2 != 0 &&
            l->page_log2 != BR_PAGE_SHIFT)
            return FAIL_AT(v, BR_ERR_INVALID_PAGE_SIZE, 0, "2^%u bytes",
                           (unsigned)l->page_log2);
        br_err_t err =
            check_limits(v, l, bri_spec_max_pages(l), BR_ERR_MEMORY_SIZE_LIMIT);
        if (err != BR_ERR_OK)
            return err;
    }
    return BR_ERR_OK;
}

static br_err_t
check_globals(validator_t *v)
{
    const br_module_t *m = v->m;
    bool later = bri_feature_on(m->engine, BR_FEATURE_CONST_GLOBALS);
    for (uint32_t i = 0; i < m->global_count; i++) {
        br_err_t err = check_vt(v, m->globals[i].type);
        if (err != BR_ERR_OK)
            return err;
        if (i < m->global_import_count)
            continue;
        v->const_globals = later ? i : m->global_import_count;
        err = check_const(v, &m->globals[i].init, m->globals[i].type);
        if (err != BR_ERR_OK)
            return err;
    }
    /* segments are initialised after every global */
    v->const_globals = later ? m->global_count : m->global_import_count;
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Segments                                                            */

static br_err_t
check_elem_items(validator_t *v, const bri_elem_t *e)
{
    br_module_t *m = v->m;
    for (uint32_t j = 0; j < e->count; j++) {
        if (e->exprs) {
            br_err_t err = check_const(v, &e->exprs[j], e->type);
            if (err != BR_ERR_OK)
                return err;
            continue;
        }
        uint32_t x = e->func_indices[j];
        if (x >= m->func_count)
            return FAIL_AT(v, BR_ERR_UNKNOWN_FUNC, 0, "%u", (unsigned)x);
        m->declared_refs[x] = 1;
    }
    return BR_ERR_OK;
}

static br_err_t
check_elems(validator_t *v)
{
    const br_module_t *m = v->m;
    for (uint32_t i = 0; i < m->elem_count; i++) {
        const bri_elem_t *e = &m->elems[i];
        br_err_t err = check_vt(v, e->type);
        if (err == BR_ERR_OK)
            err = check_elem_items(v, e);
        if (err != BR_ERR_OK)
            return err;
        if (e->mode != BRI_SEG_ACTIVE)
            continue;
        if (e->table >= m->table_count)
            return FAIL_AT(v, BR_ERR_UNKNOWN_TABLE, e->offset.offset, "%u",
                           (unsigned)e->table);
        const bri_tabledecl_t *t = &m->tables[e->table];
        err = check_const(v, &e->offset, t->limits.is64 ? BR_I64 : BR_I32);
        if (err != BR_ERR_OK)
            return err;
        if (!bri_vt_match(m, e->type, t->type))
            return FAIL_AT(v, BR_ERR_TYPE_MISMATCH, e->offset.offset, "%s",
                           "element segment type differs from the table's");
    }
    return BR_ERR_OK;
}

static br_err_t
check_datas(validator_t *v)
{
    const br_module_t *m = v->m;
    for (uint32_t i = 0; i < m->data_count; i++) {
        const bri_data_t *d = &m->datas[i];
        if (d->mode != BRI_SEG_ACTIVE)
            continue;
        if (d->memory >= m->memory_count)
            return FAIL_AT(v, BR_ERR_UNKNOWN_MEMORY, d->offset.offset, "%u",
                           (unsigned)d->memory);
        bri_valtype_t t = m->memories[d->memory].is64 ? BR_I64 : BR_I32;
        br_err_t err = check_const(v, &d->offset, t);
        if (err != BR_ERR_OK)
            return err;
    }
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Exports and start                                                   */

static int
cmp_export_names(const void *a, const void *b)
{
    const br_name_t *x = &(*(const bri_export_t *const *)a)->name;
    const br_name_t *y = &(*(const bri_export_t *const *)b)->name;
    size_t n = x->size < y->size ? x->size : y->size;
    int c = n ? memcmp(x->data, y->data, n) : 0;
    if (c != 0)
        return c;
    return (x->size > y->size) - (x->size < y->size);
}

/* Names are sorted (through a pointer array) to find duplicates in
 * O(n log n); many exports are common in real modules. */
static br_err_t
check_export_names(validator_t *v)
{
    const br_module_t *m = v->m;
    if (m->export_count < 2)
        return BR_ERR_OK;
    size_t size = m->export_count * sizeof(bri_export_t *);
    const bri_export_t **sorted = bri_alloc(v->alloc, size);
    if (sorted == NULL)
        return FAIL_AT(v, BR_ERR_OUT_OF_MEMORY, 0, "%s", "validating");
    for (uint32_t i = 0; i < m->export_count; i++)
        sorted[i] = &m->exports[i];
    qsort(sorted, m->export_count, sizeof *sorted, cmp_export_names);
    br_err_t err = BR_ERR_OK;
    for (uint32_t i = 1; i < m->export_count && err == BR_ERR_OK; i++)
        if (cmp_export_names(&sorted[i - 1], &sorted[i]) == 0)
            err = FAIL_AT(
                v, BR_ERR_DUPLICATE_EXPORT, 0, "\"%.*s\"",
                (int)(sorted[i]->name.size > 64 ? 64 : sorted[i]->name.size),
                sorted[i]->name.data);
    bri_free(v->alloc, sorted, size);
    return err;
}

static br_err_t
check_exports(validator_t *v)
{
    br_module_t *m = v->m;
    for (uint32_t i = 0; i < m->export_count; i++) {
        const bri_export_t *e = &m->exports[i];
        static const br_err_t unknown[] = {
            [BR_EXTERN_FUNC] = BR_ERR_UNKNOWN_FUNC,
            [BR_EXTERN_TABLE] = BR_ERR_UNKNOWN_TABLE,
            [BR_EXTERN_MEMORY] = BR_ERR_UNKNOWN_MEMORY,
            [BR_EXTERN_GLOBAL] = BR_ERR_UNKNOWN_GLOBAL,
            [BR_EXTERN_TAG] = BR_ERR_UNKNOWN_TAG,
        };
        const uint32_t counts[] = {
            [BR_EXTERN_FUNC] = m->func_count,
            [BR_EXTERN_TABLE] = m->table_count,
            [BR_EXTERN_MEMORY] = m->memory_count,
            [BR_EXTERN_GLOBAL] = m->global_count,
            [BR_EXTERN_TAG] = m->tag_count,
        };
        if (e->kind > BR_EXTERN_TAG)
            return FAIL_AT(v, BR_ERR_MALFORMED_EXPORT_KIND, 0, "%u",
                           (unsigned)e->kind);
        if (e->index >= counts[e->kind])
            return FAIL_AT(v, unknown[e->kind], 0, "%u", (unsigned)e->index);
        if (e->kind == BR_EXTERN_FUNC)
            m->declared_refs[e->index] = 1;
    }
    return check_export_names(v);
}

static br_err_t
check_start(validator_t *v)
{
    const br_module_t *m = v->m;
    if (m->start == BR_NO_INDEX)
        return BR_ERR_OK;
    if (m->start >= m->func_count)
        return FAIL_AT(v, BR_ERR_UNKNOWN_FUNC, 0, "%u", (unsigned)m->start);
    const br_functype_t *t = &m->types[m->funcs[m->start].type];
    if (t->param_count != 0 || t->result_count != 0)
        return FAIL_AT(v, BR_ERR_START_FUNCTION, 0, "%s",
                       "must have type [] -> []");
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Functions                                                           */

static void
free_code(validator_t *v, uint32_t upto)
{
    br_module_t *m = v->m;
    for (uint32_t i = m->func_import_count; i < upto; i++)
        bri_code_free(v->alloc, &m->funcs[i].code);
}

static br_err_t
compile_funcs(validator_t *v)
{
    br_module_t *m = v->m;
    bri_compiler_t c;
    bri_compiler_init(&c, m, v->error);
    br_err_t err = BR_ERR_OK;
    uint32_t i;
    for (i = m->func_import_count; i < m->func_count; i++)
        if ((err = bri_compile_func(&c, i)) != BR_ERR_OK)
            break;
    bri_compiler_free(&c);
    if (err != BR_ERR_OK)
        free_code(v, i);
    return err;
}

/* The checks run in about the order of the spec's reference validator,
 * so a module with several errors reports the same one. */
static br_err_t
validate_module(validator_t *v, bool compile)
{
    br_err_t err = check_funcs_and_tags(v);
    if (err == BR_ERR_OK)
        err = check_globals(v);
    if (err == BR_ERR_OK)
        err = check_tables_and_memories(v);
    if (err == BR_ERR_OK)
        err = check_elems(v);
    if (err == BR_ERR_OK)
        err = check_datas(v);
    if (err == BR_ERR_OK)
        err = check_start(v);
    if (err == BR_ERR_OK)
        err = check_exports(v);
    if (err == BR_ERR_OK && compile)
        err = compile_funcs(v);
    return err;
}

/* `compile` false: a module whose code is loaded precompiled (aot.h). */
static br_err_t
validate(br_module_t *m, br_error_t *error, bool compile)
{
    br_error_t scratch; /* the compiler reads codes back from the error */
    validator_t v = {
        .m = m,
        .alloc = &m->engine->alloc,
        .error = error ? error : &scratch,
    };
    m->declared_refs = NULL;
    if (m->func_count > 0) {
        m->declared_refs = bri_calloc(v.alloc, m->func_count, 1);
        if (m->declared_refs == NULL)
            return FAIL_AT(&v, BR_ERR_OUT_OF_MEMORY, 0, "%s", "validating");
    }
    br_err_t err = validate_module(&v, compile);
    bri_free(v.alloc, v.stack, v.cap * sizeof *v.stack);
    if (err != BR_ERR_OK) {
        bri_free(v.alloc, m->declared_refs, m->func_count);
        m->declared_refs = NULL;
    }
    return err;
}

br_err_t
bri_validate(br_module_t *m, br_error_t *error)
{
    return validate(m, error, true);
}

br_err_t
bri_validate_decls(br_module_t *m, br_error_t *error)
{
    return validate(m, error, false);
}
