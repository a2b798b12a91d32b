/*
 * beamr engine: validation and compilation of the garbage-collection
 * instructions (WebAssembly 3.0, 0xFB prefix, and ref.eq). Layouts
 * (code.h): every op is [op, s, ...] with its operands from slot s and
 * its result written at s:
 *   struct_new (fields at s..)           [op, s, type]
 *   struct_new_default                   [op, s, type]
 *   struct_get(_s/_u) (ref)              [op, s, type, field]
 *   struct_set (ref, value)              [op, s, type, field]
 *   array_new (value, len)               [op, s, type]
 *   array_new_default (len)              [op, s, type]
 *   array_new_fixed (n values)           [op, s, type, n]
 *   array_new_data/_elem (offset, len)   [op, s, type, data/elem]
 *   array_get(_s/_u) (ref, index)        [op, s, type]
 *   array_set (ref, index, value)        [op, s, type]
 *   array_len (ref)                      [op, s]
 *   array_fill (ref, offset, value, n)   [op, s, type]
 *   array_copy (dst, doff, src, soff, n) [op, s, dst_type, src_type]
 *   array_init_data/_elem (ref, doff, soff, n) [op, s, type, data/elem]
 *   ref_test(_null), ref_cast(_null)     [op, s, target valtype]
 *   ref_i31, i31_get_s/_u, ref_eq        [op, s]
 * any.convert_extern and extern.convert_any emit nothing: a reference
 * keeps its bits across them (exec_gc.c explains why that is enough).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "compile.h"

/* A storage type as the value type of its operand: packed ones are i32. */
static bri_valtype_t
unpacked(bri_valtype_t t)
{
    return t == BRI_ST_CODE_I8 || t == BRI_ST_CODE_I16 ? BR_I32 : t;
}

static bool
packed(bri_valtype_t t)
{
    return t == BRI_ST_CODE_I8 || t == BRI_ST_CODE_I16;
}

/* A type index immediate naming a type of `kind`. */
static br_err_t
rd_type(bri_compiler_t *c, uint8_t kind, uint32_t *x, const bri_typedef_t **td)
{
    br_err_t err = bri_rd_u32(c, x);
    if (err != BR_ERR_OK)
        return err;
    if (*x >= c->m->type_count || c->m->typedefs == NULL)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_TYPE, "%u", (unsigned)*x);
    *td = &c->m->typedefs[*x];
    if ((*td)->kind != kind)
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "type %u is no %s",
                        (unsigned)*x,
                        kind == BRI_COMP_STRUCT ? "struct" : "array");
    return BR_ERR_OK;
}

/* (ref null? $x) as a canonical value type. */
static bri_valtype_t
ref_to(const bri_compiler_t *c, uint32_t x, bool nullable)
{
    return bri_vt_canon(c->m, bri_vt_ref_index(x, nullable));
}

static bool
defaultable(bri_valtype_t t)
{
    return !bri_vt_is_ref(t) || bri_vt_nullable(t);
}

static br_err_t
emit3(bri_compiler_t *c, br_op_t op, uint32_t s, uint32_t a, uint32_t b)
{
    br_err_t err = bri_emit_reserve(c, 4);
    if (err != BR_ERR_OK)
        return err;
    if (bri_opinfo[op].flags & BRI_OPF_T)
        bri_site(c, bri_pc(c));
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    if (bri_opinfo[op].len >= 3)
        bri_word(c, a);
    if (bri_opinfo[op].len >= 4)
        bri_word(c, b);
    return BR_ERR_OK;
}

/* Pushes `t` and emits the op (in live code). */
static br_err_t
finish(bri_compiler_t *c, br_op_t op, uint32_t s, bri_valtype_t t, uint32_t a,
       uint32_t b)
{
    br_err_t err = t == BRI_UNKNOWN ? BR_ERR_OK : bri_push(c, t);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    return emit3(c, op, s, a, b);
}

/* ------------------------------------------------------------------ */
/* Structs                                                              */

static br_err_t
struct_new(bri_compiler_t *c, br_op_t op)
{
    uint32_t x;
    const bri_typedef_t *td;
    br_err_t err = rd_type(c, BRI_COMP_STRUCT, &x, &td);
    if (err != BR_ERR_OK)
        return err;
    if (op == BR_OP_struct_new) {
        for (uint32_t k = td->field_count; k-- > 0;)
            if ((err = bri_pop(c, unpacked(td->fields[k]), NULL)) != BR_ERR_OK)
                return err;
    } else {
        for (uint32_t k = 0; k < td->field_count; k++)
            if (!defaultable(td->fields[k]))
                return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH,
                                "field %u has no default", (unsigned)k);
    }
    uint32_t s = c->height;
    return finish(c, op, s, ref_to(c, x, false), x, 0);
}

/* A field immediate of struct type td. */
static br_err_t
rd_field(bri_compiler_t *c, const bri_typedef_t *td, uint32_t *f)
{
    br_err_t err = bri_rd_u32(c, f);
    if (err == BR_ERR_OK && *f >= td->field_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_FIELD, "%u", (unsigned)*f);
    return err;
}

/* get_s/_u exactly for packed storage; set only on mutable fields. */
static br_err_t
check_access(bri_compiler_t *c, br_op_t op, bri_valtype_t st, bool mut)
{
    bool ext = op == BR_OP_struct_get_s || op == BR_OP_struct_get_u ||
               op == BR_OP_array_get_s || op == BR_OP_array_get_u;
    bool plain = op == BR_OP_struct_get || op == BR_OP_array_get;
    if ((ext && !packed(st)) || (plain && packed(st)))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s on a %s field",
                        bri_opinfo[op].text, packed(st) ? "packed" : "plain");
    bool set = op == BR_OP_struct_set || op == BR_OP_array_set ||
               op == BR_OP_array_fill || op == BR_OP_array_copy ||
               op == BR_OP_array_init_data || op == BR_OP_array_init_elem;
    if (set && !mut)
        return BRI_FAIL(c,
                        op == BR_OP_struct_set ? BR_ERR_IMMUTABLE_FIELD
                                               : BR_ERR_IMMUTABLE_ARRAY,
                        "%s", bri_opinfo[op].text);
    return BR_ERR_OK;
}

static br_err_t
struct_access(bri_compiler_t *c, br_op_t op)
{
    uint32_t x, f;
    const bri_typedef_t *td;
    br_err_t err = rd_type(c, BRI_COMP_STRUCT, &x, &td);
    if (err == BR_ERR_OK)
        err = rd_field(c, td, &f);
    if (err == BR_ERR_OK)
        err = check_access(c, op, td->fields[f], td->mut[f]);
    if (err != BR_ERR_OK)
        return err;
    bri_valtype_t vt = unpacked(td->fields[f]);
    if (op == BR_OP_struct_set && (err = bri_pop(c, vt, NULL)) != BR_ERR_OK)
        return err;
    if ((err = bri_pop(c, ref_to(c, x, true), NULL)) != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    return finish(c, op, s, op == BR_OP_struct_set ? BRI_UNKNOWN : vt, x, f);
}

/* ------------------------------------------------------------------ */
/* Arrays                                                               */

/* Whether element segment e's type suits array elements of type st. */
static br_err_t
check_elem(bri_compiler_t *c, uint32_t e, bri_valtype_t st)
{
    if (e >= c->m->elem_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_ELEM, "%u", (unsigned)e);
    if (!bri_vt_match(c->m, c->m->elems[e].type, st))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "element segment type differs from the array's");
    return BR_ERR_OK;
}

static br_err_t
check_data(bri_compiler_t *c, uint32_t d, bri_valtype_t st)
{
    if (bri_vt_is_ref(st))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "array of references from a data segment");
    return bri_check_data(c, d);
}

/* The second immediate of array.new_data/_elem, array.init_data/_elem
 * and array.new_fixed, checked against element type st. */
static br_err_t
rd_second(bri_compiler_t *c, br_op_t op, bri_valtype_t st, uint32_t *y)
{
    br_err_t err = bri_rd_u32(c, y);
    if (err != BR_ERR_OK)
        return err;
    switch (op) {
    case BR_OP_array_new_data:
    case BR_OP_array_init_data:
        return check_data(c, *y, st);
    case BR_OP_array_new_elem:
    case BR_OP_array_init_elem:
        return check_elem(c, *y, st);
    default:
        return BR_ERR_OK;
    }
}

/* Pops the operands of an array op on type x (element st), after the
 * immediates; the i32 operands are `ints` before the value (if any). */
static br_err_t
pop_array_operands(bri_compiler_t *c, br_op_t op, uint32_t x, bri_valtype_t st,
                   uint32_t y)
{
    bri_valtype_t v = unpacked(st), r = ref_to(c, x, true);
    const bri_valtype_t I = BR_I32;
    bri_valtype_t ops[5];
    uint32_t n = 0;
    switch (op) {
    case BR_OP_array_new:
        ops[n++] = v, ops[n++] = I;
        break;
    case BR_OP_array_new_default:
        ops[n++] = I;
        break;
    case BR_OP_array_new_data:
    case BR_OP_array_new_elem:
        ops[n++] = I, ops[n++] = I;
        break;
    case BR_OP_array_get:
    case BR_OP_array_get_s:
    case BR_OP_array_get_u:
        ops[n++] = r, ops[n++] = I;
        break;
    case BR_OP_array_set:
        ops[n++] = r, ops[n++] = I, ops[n++] = v;
        break;
    case BR_OP_array_fill:
        ops[n++] = r, ops[n++] = I, ops[n++] = v, ops[n++] = I;
        break;
    case BR_OP_array_init_data:
    case BR_OP_array_init_elem:
        ops[n++] = r, ops[n++] = I, ops[n++] = I, ops[n++] = I;
        break;
    case BR_OP_array_copy:
        ops[n++] = r, ops[n++] = I, ops[n++] = ref_to(c, y, true);
        ops[n++] = I, ops[n++] = I;
        break;
    default: /* array_new_fixed */
        for (uint32_t k = 0; k < y; k++) {
            br_err_t err = bri_pop(c, v, NULL);
            if (err != BR_ERR_OK)
                return err;
        }
        return BR_ERR_OK;
    }
    return bri_pop_n(c, ops, n);
}

static br_err_t
array_op(bri_compiler_t *c, br_op_t op)
{
    uint32_t x, y = 0;
    const bri_typedef_t *td;
    br_err_t err = rd_type(c, BRI_COMP_ARRAY, &x, &td);
    if (err != BR_ERR_OK)
        return err;
    bri_valtype_t st = td->fields[0];
    if ((err = check_access(c, op, st, td->mut[0])) != BR_ERR_OK)
        return err;
    if (op == BR_OP_array_copy) {
        const bri_typedef_t *src;
        if ((err = rd_type(c, BRI_COMP_ARRAY, &y, &src)) != BR_ERR_OK)
            return err;
        bri_valtype_t ss = src->fields[0];
        bool ok =
            packed(st) || packed(ss) ? ss == st : bri_vt_match(c->m, ss, st);
        if (!ok)
            return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                            "array.copy between unrelated element types");
    } else if (bri_opinfo[op].len == 4 &&
               (err = rd_second(c, op, st, &y)) != BR_ERR_OK) {
        return err;
    }
    if (op == BR_OP_array_new_default && !defaultable(st))
        return BRI_FAIL(c, BR_ERR_TYPE_MISMATCH, "%s",
                        "array element type has no default");
    if ((err = pop_array_operands(c, op, x, st, y)) != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    bri_valtype_t res = BRI_UNKNOWN;
    switch (op) {
    case BR_OP_array_new:
    case BR_OP_array_new_default:
    case BR_OP_array_new_fixed:
    case BR_OP_array_new_data:
    case BR_OP_array_new_elem:
        res = ref_to(c, x, false);
        break;
    case BR_OP_array_get:
    case BR_OP_array_get_s:
    case BR_OP_array_get_u:
        res = unpacked(st);
        break;
    default:
        break;
    }
    return finish(c, op, s, res, x, y);
}

/* ------------------------------------------------------------------ */
/* Casts, i31, conversions, ref.eq                                      */

/* The top of a reference type's hierarchy, nullable: what ref.test and
 * ref.cast accept. */
static bri_valtype_t
top_of(bri_valtype_t t)
{
    return bri_vt_top(t);
}

static br_err_t
rd_target(bri_compiler_t *c, br_op_t op, bri_valtype_t *t)
{
    bool nullable = op == BR_OP_ref_test_null || op == BR_OP_ref_cast_null;
    br_err_t err = bri_rd_valtype(c, true, t);
    if (err != BR_ERR_OK)
        return err;
    if (!nullable)
        *t |= BRI_VT_NONNULL;
    return BR_ERR_OK;
}

static br_err_t
ref_test_cast(bri_compiler_t *c, br_op_t op)
{
    bri_valtype_t t;
    br_err_t err = rd_target(c, op, &t);
    if (err == BR_ERR_OK)
        err = bri_pop(c, top_of(t), NULL);
    if (err != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    bool test = op == BR_OP_ref_test || op == BR_OP_ref_test_null;
    return finish(c, op, s, test ? BR_I32 : t, t, 0);
}

/* any.convert_extern / extern.convert_any: the nullability stays. */
static br_err_t
convert(bri_compiler_t *c, br_op_t op)
{
    bool to_any = op == BR_OP_any_convert_extern;
    bri_valtype_t t;
    br_err_t err = bri_pop(c, to_any ? BRI_HT_EXTERN : BRI_HT_ANY, &t);
    if (err != BR_ERR_OK)
        return err;
    bri_valtype_t r = to_any ? BRI_HT_ANY : BRI_HT_EXTERN;
    if (t != BRI_UNKNOWN && !bri_vt_nullable(t))
        r |= BRI_VT_NONNULL;
    return bri_push(c, r);
}

static br_err_t
simple_gc(bri_compiler_t *c, br_op_t op)
{
    br_err_t err;
    bri_valtype_t res = BR_I32;
    switch (op) {
    case BR_OP_ref_i31:
        err = bri_pop(c, BR_I32, NULL);
        res = BRI_HT_I31 | BRI_VT_NONNULL;
        break;
    case BR_OP_i31_get_s:
    case BR_OP_i31_get_u:
        err = bri_pop(c, BRI_HT_I31, NULL);
        break;
    case BR_OP_array_len:
        err = bri_pop(c, BRI_HT_ARRAY, NULL);
        break;
    default: /* ref_eq */
        err = bri_pop(c, BRI_HT_EQ, NULL);
        if (err == BR_ERR_OK)
            err = bri_pop(c, BRI_HT_EQ, NULL);
        break;
    }
    if (err != BR_ERR_OK)
        return err;
    uint32_t s = c->height;
    return finish(c, op, s, res, 0, 0);
}

br_err_t
bri_op_gc(bri_compiler_t *c, br_op_t op)
{
    c->m->gc_code = true; /* aot files refuse it (bri_module_has_gc) */
    switch (op) {
    case BR_OP_struct_new:
    case BR_OP_struct_new_default:
        return struct_new(c, op);
    case BR_OP_struct_get:
    case BR_OP_struct_get_s:
    case BR_OP_struct_get_u:
    case BR_OP_struct_set:
        return struct_access(c, op);
    case BR_OP_ref_test:
    case BR_OP_ref_test_null:
    case BR_OP_ref_cast:
    case BR_OP_ref_cast_null:
        return ref_test_cast(c, op);
    case BR_OP_any_convert_extern:
    case BR_OP_extern_convert_any:
        return convert(c, op);
    case BR_OP_ref_i31:
    case BR_OP_i31_get_s:
    case BR_OP_i31_get_u:
    case BR_OP_array_len:
    case BR_OP_ref_eq:
        return simple_gc(c, op);
    default:
        return array_op(c, op);
    }
}
