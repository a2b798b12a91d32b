/*
 * beamr engine: evaluation of constant expressions (global initialisers,
 * segment offsets and element items) at instantiation.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gc/gc.h"
#include "reader.h"
#include "store.h"

/* Expressions this shallow (nearly all) use a stack on the C stack. */
#define SMALL_STACK 16

typedef struct eval {
    br_instance_t *inst;
    bri_reader_t r;
    br_val_t *stack;
    size_t depth, cap;
} eval_t;

static br_err_t
push(eval_t *ev, br_valkind_t kind, uint64_t bits, br_ref_t ref)
{
    if (ev->depth == ev->cap)
        return BR_ERR_LIMIT_EXCEEDED; /* cannot happen: cap >= size/2 */
    br_val_t *v = &ev->stack[ev->depth++];
    memset(v, 0, sizeof *v);
    v->kind = kind;
    if (bri_valkind_is_ref(kind))
        v->of.ref = ref;
    else
        v->of.u64 = bits;
    return BR_ERR_OK;
}

/* i32/i64 add, sub and mul of the extended-const proposal; wrapping. */
static br_err_t
binop(eval_t *ev, br_op_t op, br_valkind_t kind)
{
    if (ev->depth < 2)
        return BR_ERR_TYPE_MISMATCH;
    br_val_t *a = &ev->stack[ev->depth - 2];
    br_val_t *b = &ev->stack[ev->depth - 1];
    if (a->kind != kind || b->kind != kind)
        return BR_ERR_TYPE_MISMATCH;
    uint64_t x = a->of.u64, y = b->of.u64, r;
    if (op == BR_OP_i32_add || op == BR_OP_i64_add)
        r = x + y;
    else if (op == BR_OP_i32_sub || op == BR_OP_i64_sub)
        r = x - y;
    else
        r = x * y;
    ev->depth -= 2;
    /* i32 values keep their high bits zero (as slots do in code.h) */
    return push(ev, kind, kind == BR_I32 ? (uint32_t)r : r, NULL);
}

static br_err_t
global_get(eval_t *ev, uint32_t idx)
{
    const br_module_t *m = ev->inst->module;
    /* only globals initialised before this one are visible */
    if (idx >= m->global_count || ev->inst->globals[idx] == NULL)
        return BR_ERR_UNKNOWN_GLOBAL;
    if (ev->depth == ev->cap)
        return BR_ERR_LIMIT_EXCEEDED;
    ev->stack[ev->depth++] = ev->inst->globals[idx]->val;
    return BR_ERR_OK;
}

static br_err_t
ref_func(eval_t *ev, uint32_t idx)
{
    if (idx >= ev->inst->module->func_count)
        return BR_ERR_UNKNOWN_FUNC;
    return push(ev, BR_FUNCREF, 0, ev->inst->funcs[idx]);
}

static br_err_t
v128_const(eval_t *ev, const uint8_t *bytes)
{
    if (ev->depth == ev->cap)
        return BR_ERR_LIMIT_EXCEEDED;
    br_val_t *v = &ev->stack[ev->depth++];
    memset(v, 0, sizeof *v);
    v->kind = BR_V128;
    memcpy(v->of.v128, bytes, sizeof v->of.v128);
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* GC constant instructions (3.0). The new object's operands are popped
 * only once it is allocated; until then they are on this evaluation's
 * own stack (see bri_constexpr_eval on collection). */

/* Writes value v as storage type st at p (packed: truncated). */
static void
store_val(uint8_t st, uint8_t *p, const br_val_t *v)
{
    switch (st) {
    case BRI_ST_I8:
        *p = (uint8_t)v->of.u32;
        return;
    case BRI_ST_I16: {
        uint16_t x = (uint16_t)v->of.u32;
        memcpy(p, &x, 2);
        return;
    }
    case BRI_ST_I32:
    case BRI_ST_F32:
        memcpy(p, &v->of.u32, 4);
        return;
    case BRI_ST_V128:
        memcpy(p, v->of.v128, 16);
        return;
    case BRI_ST_REF:
        memcpy(p, &v->of.ref, sizeof v->of.ref);
        return;
    default:
        memcpy(p, &v->of.u64, 8);
        return;
    }
}

static bri_gc_object_t *
gc_alloc(eval_t *ev, const bri_rtt_t *rtt, uint32_t length)
{
    bri_gc_heap_t *heap = bri_gc_heap_of(ev->inst->store);
    return heap != NULL ? bri_gc_alloc(heap, rtt, length) : NULL;
}

/* struct.new(_default) x: n field values (or none) -> the struct. */
static br_err_t
struct_new(eval_t *ev, uint32_t x, bool dflt)
{
    const br_module_t *m = ev->inst->module;
    if (x >= m->type_count || m->rtts == NULL || m->rtts[x] == NULL)
        return BR_ERR_UNKNOWN_TYPE;
    const bri_rtt_t *rtt = m->rtts[x];
    uint32_t n = dflt ? 0 : rtt->field_count;
    if (ev->depth < n)
        return BR_ERR_TYPE_MISMATCH;
    bri_gc_object_t *obj = gc_alloc(ev, rtt, 0);
    if (obj == NULL)
        return BR_ERR_OUT_OF_MEMORY;
    const br_val_t *vals = ev->stack + ev->depth - n;
    for (uint32_t k = 0; k < n; k++)
        store_val(rtt->storage[k], bri_gc_payload(obj) + rtt->offset[k],
                  &vals[k]);
    ev->depth -= n;
    return push(ev, BR_ANYREF, 0, obj);
}

/* array.new x (value, len), array.new_default x (len), array.new_fixed
 * x n (n values). */
static br_err_t
array_new(eval_t *ev, br_op_t op, uint32_t x, uint32_t fixed)
{
    const br_module_t *m = ev->inst->module;
    if (x >= m->type_count || m->rtts == NULL || m->rtts[x] == NULL)
        return BR_ERR_UNKNOWN_TYPE;
    const bri_rtt_t *rtt = m->rtts[x];
    uint32_t pops = op == BR_OP_array_new         ? 2
                    : op == BR_OP_array_new_fixed ? fixed
                                                  : 1;
    if (ev->depth < pops)
        return BR_ERR_TYPE_MISMATCH;
    const br_val_t *vals = ev->stack + ev->depth - pops;
    uint32_t len = op == BR_OP_array_new_fixed ? fixed : vals[pops - 1].of.u32;
    bri_gc_object_t *a = gc_alloc(ev, rtt, len);
    if (a == NULL)
        return BR_ERR_OUT_OF_MEMORY;
    for (uint32_t i = 0; op != BR_OP_array_new_default && i < len; i++)
        store_val(rtt->storage[0], bri_gc_payload(a) + (size_t)i * rtt->size,
                  op == BR_OP_array_new ? &vals[0] : &vals[i]);
    ev->depth -= pops;
    return push(ev, BR_ANYREF, 0, a);
}

/* ref.i31, any.convert_extern, extern.convert_any on the top value. */
static br_err_t
convert_top(eval_t *ev, br_op_t op)
{
    if (ev->depth == 0)
        return BR_ERR_TYPE_MISMATCH;
    br_val_t *v = &ev->stack[ev->depth - 1];
    if (op == BR_OP_ref_i31) {
        br_ref_t r = bri_gc_i31_make(v->of.u32);
        memset(v, 0, sizeof *v);
        v->of.ref = r;
    }
    /* conversions keep the reference's bits (exec_gc.c) */
    v->kind = op == BR_OP_extern_convert_any ? BR_EXTERNREF : BR_ANYREF;
    return BR_ERR_OK;
}

/* A constant instruction with its immediates. */
static br_err_t
apply(eval_t *ev, br_op_t op, const bri_imm_t *imm)
{
    switch (op) {
    case BR_OP_v128_const:
        return v128_const(ev, imm->bytes);
    case BR_OP_i32_const:
        return push(ev, BR_I32, (uint32_t)imm->s, NULL);
    case BR_OP_i64_const:
        return push(ev, BR_I64, (uint64_t)imm->s, NULL);
    case BR_OP_f32_const:
        return push(ev, BR_F32, imm->u, NULL);
    case BR_OP_f64_const:
        return push(ev, BR_F64, imm->u, NULL);
    case BR_OP_ref_null:
        return push(ev,
                    bri_vt_kind(bri_vt_canon(ev->inst->module, imm->reftype)),
                    0, NULL);
    case BR_OP_struct_new:
    case BR_OP_struct_new_default:
        return struct_new(ev, imm->idx[0], op == BR_OP_struct_new_default);
    case BR_OP_array_new:
    case BR_OP_array_new_default:
    case BR_OP_array_new_fixed:
        return array_new(ev, op, imm->idx[0], imm->idx[1]);
    case BR_OP_ref_i31:
    case BR_OP_any_convert_extern:
    case BR_OP_extern_convert_any:
        return convert_top(ev, op);
    case BR_OP_ref_func:
        return ref_func(ev, imm->idx[0]);
    case BR_OP_global_get:
        return global_get(ev, imm->idx[0]);
    case BR_OP_i32_add:
    case BR_OP_i32_sub:
    case BR_OP_i32_mul:
        return binop(ev, op, BR_I32);
    default: /* i64 add, sub, mul */
        return binop(ev, op, BR_I64);
    }
}

/* One instruction, read by the one instruction reader (reader.h); sets
 * *done at `end`. */
static br_err_t
step(eval_t *ev, bool *done)
{
    uint8_t byte;
    uint32_t sub;
    bri_imm_t imm;
    int op = bri_read_opcode(&ev->r, &byte, &sub);
    if (op == -2)
        return BR_ERR_UNEXPECTED_END;
    if (op == BR_OP_end) {
        *done = true;
        return BR_ERR_OK;
    }
    if (!bri_op_is_const(op))
        return BR_ERR_CONSTANT_EXPR_REQUIRED;
    if (!bri_read_imm(&ev->r, (br_imm_t)bri_opinfo[op].imm, &imm))
        return ev->r.error->code == BR_ERR_MALFORMED_REFTYPE
                   ? BR_ERR_MALFORMED_REFTYPE
                   : BR_ERR_UNEXPECTED_END;
    return apply(ev, (br_op_t)op, &imm);
}

static br_err_t
run(eval_t *ev, br_valkind_t kind, br_val_t *out)
{
    bool done = false;
    while (!done) {
        br_err_t err = step(ev, &done);
        if (err != BR_ERR_OK)
            return err;
    }
    if (ev->depth != 1 || ev->stack[0].kind != kind)
        return BR_ERR_TYPE_MISMATCH;
    *out = ev->stack[0];
    return BR_ERR_OK;
}

/*
 * The validator has checked the expression; the checks here only keep a
 * malformed expression from reading or writing out of bounds. GC values
 * made here live on this evaluation's stack until the expression ends;
 * the instance is not running, so no collection step may free them (a
 * collector must not collect inside bri_gc_alloc while an instance is
 * being instantiated, or must treat this stack as roots). Every
 * value-pushing instruction takes at least two bytes, so size / 2 + 1
 * bounds the stack depth.
 */
br_err_t
bri_constexpr_eval(br_instance_t *inst, const bri_constexpr_t *e,
                   br_valkind_t kind, br_val_t *out)
{
    br_val_t small[SMALL_STACK];
    br_error_t scratch; /* the reader's detail is not needed here */
    if (e->code == NULL)
        return BR_ERR_CONSTANT_EXPR_REQUIRED;
    eval_t ev = {
        .inst = inst,
        .r = {.base = e->code,
              .p = e->code,
              .end = e->code + e->size,
              .error = &scratch},
        .stack = small,
        .depth = 0,
        .cap = (size_t)e->size / 2 + 1,
    };
    if (ev.cap <= SMALL_STACK) {
        ev.cap = SMALL_STACK;
    } else {
        ev.stack = bri_alloc(&inst->store->alloc, ev.cap * sizeof(br_val_t));
        if (ev.stack == NULL)
            return BR_ERR_OUT_OF_MEMORY;
    }
    br_err_t err = run(&ev, kind, out);
    if (ev.stack != small)
        bri_free(&inst->store->alloc, ev.stack, ev.cap * sizeof(br_val_t));
    return err;
}
