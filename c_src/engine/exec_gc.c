/*
 * beamr engine: the garbage-collection instructions at run time (the
 * interpreter's handlers in interp_gc.h call in here; layouts in
 * compile_gc.c). Objects are allocated in the store's heap (gc/gc.h)
 * before anything is written, while every operand still sits in its
 * value-stack slot (the slots are the collector's roots), and a
 * reference field is only overwritten after bri_gc_barrier saw its old
 * value.
 *
 * Externalized and internalized references keep their bits:
 * any.convert_extern of a host reference is the host pointer itself,
 * an "any" value that is neither an i31 (bit 0 set) nor an object of
 * the heap (bri_gc_is_object), so that it matches only `any` in a cast;
 * extern.convert_any gives it back unchanged, and a struct, array or
 * i31 made external stays what it was. Host externrefs are never odd
 * and never inside a heap (gc.h), so the three kinds stay apart.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "exec_gc.h"

#include "gc/gc.h"

/* ------------------------------------------------------------------ */
/* Fields                                                               */

/* Slots a value of storage type st takes on the stack. */
static uint32_t
st_slots(uint8_t st)
{
    return st == BRI_ST_V128 ? 2u : 1u;
}

/* Reads storage at p into slot(s) x; packed values extend by `sign`. */
static void
load(uint8_t st, const uint8_t *p, br_slot_t *x, bool sign)
{
    switch (st) {
    case BRI_ST_I8: {
        uint8_t v = *p;
        x->u64 = sign ? (uint32_t)(int32_t)(int8_t)v : v;
        return;
    }
    case BRI_ST_I16: {
        uint16_t v;
        memcpy(&v, p, 2);
        x->u64 = sign ? (uint32_t)(int32_t)(int16_t)v : v;
        return;
    }
    case BRI_ST_I32:
    case BRI_ST_F32: {
        uint32_t v;
        memcpy(&v, p, 4);
        x->u64 = v;
        return;
    }
    case BRI_ST_V128:
        memcpy(x, p, 16);
        return;
    default: /* i64, f64, references: 8 bytes */
        memcpy(&x->u64, p, 8);
        return;
    }
}

/* Writes slot(s) x as storage type st at p (packed: truncated). */
static void
store(uint8_t st, uint8_t *p, const br_slot_t *x)
{
    switch (st) {
    case BRI_ST_I8:
        *p = (uint8_t)x->u64;
        return;
    case BRI_ST_I16: {
        uint16_t v = (uint16_t)x->u64;
        memcpy(p, &v, 2);
        return;
    }
    case BRI_ST_I32:
    case BRI_ST_F32: {
        uint32_t v = (uint32_t)x->u64;
        memcpy(p, &v, 4);
        return;
    }
    case BRI_ST_V128:
        memcpy(p, x, 16);
        return;
    default:
        memcpy(p, &x->u64, 8);
        return;
    }
}

/* Before a reference at p is overwritten: the collector's barrier. */
static void
barrier(br_instance_t *inst, uint8_t st, const uint8_t *p)
{
    if (st != BRI_ST_REF || inst->store->gc == NULL)
        return;
    br_ref_t old;
    memcpy(&old, p, sizeof old);
    if (old != NULL)
        bri_gc_barrier(inst->store->gc, old);
}

static const bri_rtt_t *
rtt_of(const br_instance_t *inst, uint32_t type)
{
    return inst->module->rtts[type];
}

static bri_gc_object_t *
alloc(br_instance_t *inst, const bri_rtt_t *rtt, uint32_t length)
{
    bri_gc_heap_t *heap = bri_gc_heap_of(inst->store);
    return heap != NULL ? bri_gc_alloc(heap, rtt, length) : NULL;
}

static void
put_ref(br_slot_t *x, const void *r)
{
    x->u64 = 0;
    x->ref = (br_ref_t)r;
}

/* ------------------------------------------------------------------ */
/* Structs                                                              */

static br_trapkind_t
struct_new(br_instance_t *inst, const uint32_t *pc, br_slot_t *S, bool dflt)
{
    const bri_rtt_t *rtt = rtt_of(inst, pc[2]);
    bri_gc_object_t *obj = alloc(inst, rtt, 0);
    if (obj == NULL)
        return BR_TRAP_OUT_OF_MEMORY;
    br_slot_t *x = S + pc[1];
    if (!dflt)
        for (uint32_t k = 0; k < rtt->field_count; k++) {
            store(rtt->storage[k], bri_gc_payload(obj) + rtt->offset[k], x);
            x += st_slots(rtt->storage[k]);
        }
    put_ref(S + pc[1], obj);
    return BR_TRAP_NONE;
}

static br_trapkind_t
struct_access(br_instance_t *inst, br_op_t op, const uint32_t *pc, br_slot_t *S)
{
    br_slot_t *x = S + pc[1];
    bri_gc_object_t *obj = x->ref;
    if (obj == NULL)
        return BR_TRAP_NULL_STRUCT;
    const bri_rtt_t *rtt = obj->rtt;
    uint32_t f = pc[3];
    uint8_t *p = bri_gc_payload(obj) + rtt->offset[f];
    if (op == BR_OP_struct_set) {
        barrier(inst, rtt->storage[f], p);
        store(rtt->storage[f], p, x + 1);
    } else {
        load(rtt->storage[f], p, x, op == BR_OP_struct_get_s);
    }
    return BR_TRAP_NONE;
}

/* ------------------------------------------------------------------ */
/* Arrays                                                               */

static uint8_t *
elem_at(bri_gc_object_t *a, uint64_t i)
{
    return bri_gc_payload(a) + (size_t)(i * a->rtt->size);
}

/* Fills n elements from `from` with the value at x. */
static void
fill(bri_gc_object_t *a, uint64_t from, uint64_t n, const br_slot_t *x,
     br_instance_t *inst)
{
    uint8_t st = a->rtt->storage[0];
    for (uint64_t i = 0; i < n; i++) {
        barrier(inst, st, elem_at(a, from + i));
        store(st, elem_at(a, from + i), x);
    }
}

/* Copies n elements of data segment d from byte soff to element doff;
 * the bounds are checked by the caller. */
static br_trapkind_t
data_range(const br_instance_t *inst, uint32_t d, uint64_t soff, uint64_t n,
           uint32_t esize, const uint8_t **src)
{
    const bri_data_t *data = &inst->module->datas[d];
    uint64_t size = inst->data_dropped[d] ? 0 : data->size;
    uint64_t bytes = n * esize;
    if (soff > size || bytes > size - soff)
        return BR_TRAP_MEMORY_OOB;
    *src = data->bytes + soff;
    return BR_TRAP_NONE;
}

static br_trapkind_t
elem_range(const br_instance_t *inst, uint32_t e, uint64_t soff, uint64_t n,
           br_ref_t **src)
{
    uint64_t size = inst->elem_sizes[e];
    if (soff > size || n > size - soff)
        return BR_TRAP_TABLE_OOB;
    *src = inst->elem_refs[e] + soff;
    return BR_TRAP_NONE;
}

static br_trapkind_t
array_new(br_instance_t *inst, br_op_t op, const uint32_t *pc, br_slot_t *S,
          int64_t *cost)
{
    const bri_rtt_t *rtt = rtt_of(inst, pc[2]);
    br_slot_t *x = S + pc[1];
    uint8_t st = rtt->storage[0];
    uint32_t n;
    const uint8_t *bytes = NULL;
    br_ref_t *refs = NULL;
    br_trapkind_t k = BR_TRAP_NONE;
    switch (op) {
    case BR_OP_array_new:
        n = (uint32_t)x[st_slots(st)].u64;
        break;
    case BR_OP_array_new_fixed:
        n = pc[3];
        break;
    case BR_OP_array_new_data:
        n = (uint32_t)x[1].u64;
        k = data_range(inst, pc[3], (uint32_t)x[0].u64, n, rtt->size, &bytes);
        break;
    case BR_OP_array_new_elem:
        n = (uint32_t)x[1].u64;
        k = elem_range(inst, pc[3], (uint32_t)x[0].u64, n, &refs);
        break;
    default: /* array_new_default */
        n = (uint32_t)x[0].u64;
        break;
    }
    if (k != BR_TRAP_NONE)
        return k;
    bri_gc_object_t *a = alloc(inst, rtt, n);
    if (a == NULL)
        return BR_TRAP_OUT_OF_MEMORY;
    /* the sources are read again after the allocation: a collection
     * step may have run in it (segments never move) */
    if (op == BR_OP_array_new_data)
        bytes = inst->module->datas[pc[3]].bytes + (uint32_t)x[0].u64;
    if (op == BR_OP_array_new_elem)
        refs = inst->elem_refs[pc[3]] + (uint32_t)x[0].u64;
    switch (op) {
    case BR_OP_array_new:
        fill(a, 0, n, x, inst);
        break;
    case BR_OP_array_new_fixed:
        for (uint32_t i = 0; i < n; i++)
            store(st, elem_at(a, i), x + (size_t)i * st_slots(st));
        break;
    case BR_OP_array_new_data:
        if (n != 0)
            memcpy(bri_gc_payload(a), bytes, (size_t)n * rtt->size);
        break;
    case BR_OP_array_new_elem:
        if (n != 0)
            memcpy(bri_gc_payload(a), refs, (size_t)n * sizeof *refs);
        break;
    default:
        break;
    }
    put_ref(x, a);
    *cost = n / 8;
    return BR_TRAP_NONE;
}

/* The array at slot x and whether [off, off + n) is inside it. */
static br_trapkind_t
array_range(const br_slot_t *x, uint64_t off, uint64_t n, bri_gc_object_t **out)
{
    bri_gc_object_t *a = x->ref;
    if (a == NULL)
        return BR_TRAP_NULL_ARRAY;
    if (off > a->length || n > a->length - off)
        return BR_TRAP_ARRAY_OOB;
    *out = a;
    return BR_TRAP_NONE;
}

static br_trapkind_t
array_access(br_instance_t *inst, br_op_t op, const uint32_t *pc, br_slot_t *S)
{
    br_slot_t *x = S + pc[1];
    bri_gc_object_t *a;
    uint32_t i = (uint32_t)x[1].u64;
    br_trapkind_t k = array_range(x, i, 1, &a);
    if (k != BR_TRAP_NONE)
        return k;
    uint8_t st = a->rtt->storage[0];
    if (op == BR_OP_array_set) {
        barrier(inst, st, elem_at(a, i));
        store(st, elem_at(a, i), x + 2);
    } else {
        load(st, elem_at(a, i), x, op == BR_OP_array_get_s);
    }
    return BR_TRAP_NONE;
}

static br_trapkind_t
array_fill(br_instance_t *inst, const uint32_t *pc, br_slot_t *S, int64_t *cost)
{
    br_slot_t *x = S + pc[1];
    const bri_rtt_t *rtt = rtt_of(inst, pc[2]);
    uint32_t off = (uint32_t)x[1].u64;
    uint32_t n = (uint32_t)x[2 + st_slots(rtt->storage[0])].u64;
    bri_gc_object_t *a;
    br_trapkind_t k = array_range(x, off, n, &a);
    if (k != BR_TRAP_NONE)
        return k;
    fill(a, off, n, x + 2, inst);
    *cost = n / 8;
    return BR_TRAP_NONE;
}

static br_trapkind_t
array_copy(br_instance_t *inst, br_slot_t *x, int64_t *cost)
{
    uint32_t doff = (uint32_t)x[1].u64, soff = (uint32_t)x[3].u64;
    uint32_t n = (uint32_t)x[4].u64;
    bri_gc_object_t *d, *s;
    if (x[0].ref == NULL || x[2].ref == NULL)
        return BR_TRAP_NULL_ARRAY;
    br_trapkind_t k = array_range(x, doff, n, &d);
    if (k == BR_TRAP_NONE)
        k = array_range(x + 2, soff, n, &s);
    if (k != BR_TRAP_NONE)
        return k;
    uint8_t st = d->rtt->storage[0];
    for (uint32_t i = 0; st == BRI_ST_REF && i < n; i++)
        barrier(inst, st, elem_at(d, doff + i));
    if (n != 0)
        memmove(elem_at(d, doff), elem_at(s, soff), (size_t)n * d->rtt->size);
    *cost = n / 8;
    return BR_TRAP_NONE;
}

static br_trapkind_t
array_init(br_instance_t *inst, br_op_t op, const uint32_t *pc, br_slot_t *S,
           int64_t *cost)
{
    br_slot_t *x = S + pc[1];
    uint32_t doff = (uint32_t)x[1].u64, soff = (uint32_t)x[2].u64;
    uint32_t n = (uint32_t)x[3].u64;
    bri_gc_object_t *a;
    br_trapkind_t k = array_range(x, doff, n, &a);
    if (k != BR_TRAP_NONE)
        return k;
    if (op == BR_OP_array_init_data) {
        const uint8_t *bytes;
        k = data_range(inst, pc[3], soff, n, a->rtt->size, &bytes);
        if (k == BR_TRAP_NONE && n != 0)
            memcpy(elem_at(a, doff), bytes, (size_t)n * a->rtt->size);
    } else {
        br_ref_t *refs;
        k = elem_range(inst, pc[3], soff, n, &refs);
        for (uint32_t i = 0; k == BR_TRAP_NONE && i < n; i++) {
            barrier(inst, BRI_ST_REF, elem_at(a, doff + i));
            memcpy(elem_at(a, doff + i), &refs[i], sizeof refs[i]);
        }
    }
    *cost = n / 8;
    return k;
}

/* ------------------------------------------------------------------ */
/* Casts                                                                */

/* A function's canonical type, NULL for a host function. */
static const bri_rtt_t *
func_rtt(const br_func_t *f)
{
    if (f->inst == NULL || f->inst->module->rtts == NULL)
        return NULL;
    const br_module_t *m = f->inst->module;
    return m->rtts[m->funcs[f->index].type];
}

static bool
test_any(const br_instance_t *inst, br_ref_t r, bri_valtype_t vt)
{
    uint32_t code = bri_vt_code(vt);
    if (code == BRI_HT_ANY)
        return true;
    if (bri_gc_is_i31(r))
        return code == BRI_HT_EQ || code == BRI_HT_I31;
    const bri_gc_heap_t *heap = inst->store->gc;
    if (heap == NULL || !bri_gc_is_object(heap, r))
        return false; /* a host value made internal: only `any` */
    const bri_rtt_t *rtt = ((const bri_gc_object_t *)r)->rtt;
    switch (code) {
    case BRI_HT_EQ:
        return true;
    case BRI_HT_STRUCT:
        return rtt->kind == BRI_RTT_STRUCT;
    case BRI_HT_ARRAY:
        return rtt->kind == BRI_RTT_ARRAY;
    case BRI_VT_CONCRETE_STRUCT:
    case BRI_VT_CONCRETE_ARRAY:
        return bri_rtt_sub(rtt, rtt_of(inst, bri_vt_index(vt)));
    default: /* i31, none */
        return false;
    }
}

bool
bri_gc_ref_test(const br_instance_t *inst, br_ref_t r, bri_valtype_t vt)
{
    if (r == NULL)
        return bri_vt_nullable(vt);
    if (bri_vt_is_bottom(vt))
        return false;
    switch (bri_vt_kind(vt)) {
    case BR_ANYREF:
        return test_any(inst, r, vt);
    case BR_FUNCREF:
        /* a host function matches a concrete type by its kinds */
        return bri_vt_code(vt) == BRI_HT_FUNC ||
               bri_gc_func_matches(inst, r, bri_vt_index(vt));
    default: /* extern, exn: their tops */
        return true;
    }
}

bool
bri_gc_func_matches(const br_instance_t *inst, const br_func_t *f,
                    uint32_t type)
{
    const bri_rtt_t *rtt = func_rtt(f);
    const br_module_t *m = inst->module;
    if (rtt == NULL || m->rtts == NULL) /* a host function: kinds only */
        return bri_functype_equal(f->type, &m->types[type]);
    return bri_rtt_sub(rtt, m->rtts[type]);
}

br_trapkind_t
bri_gc_exec(br_instance_t *inst, const uint32_t *pc, br_slot_t *S,
            int64_t *cost)
{
    br_op_t op = (br_op_t)pc[0];
    br_slot_t *x = S + pc[1];
    switch (op) {
    case BR_OP_struct_new:
    case BR_OP_struct_new_default:
        return struct_new(inst, pc, S, op == BR_OP_struct_new_default);
    case BR_OP_struct_get:
    case BR_OP_struct_get_s:
    case BR_OP_struct_get_u:
    case BR_OP_struct_set:
        return struct_access(inst, op, pc, S);
    case BR_OP_array_new:
    case BR_OP_array_new_default:
    case BR_OP_array_new_fixed:
    case BR_OP_array_new_data:
    case BR_OP_array_new_elem:
        return array_new(inst, op, pc, S, cost);
    case BR_OP_array_get:
    case BR_OP_array_get_s:
    case BR_OP_array_get_u:
    case BR_OP_array_set:
        return array_access(inst, op, pc, S);
    case BR_OP_array_len:
        if (x->ref == NULL)
            return BR_TRAP_NULL_ARRAY;
        x->u64 = ((bri_gc_object_t *)x->ref)->length;
        return BR_TRAP_NONE;
    case BR_OP_array_fill:
        return array_fill(inst, pc, S, cost);
    case BR_OP_array_copy:
        return array_copy(inst, x, cost);
    case BR_OP_array_init_data:
    case BR_OP_array_init_elem:
        return array_init(inst, op, pc, S, cost);
    case BR_OP_ref_test:
    case BR_OP_ref_test_null:
        x->u64 = bri_gc_ref_test(inst, x->ref, pc[2]);
        return BR_TRAP_NONE;
    case BR_OP_ref_cast:
    case BR_OP_ref_cast_null:
        return bri_gc_ref_test(inst, x->ref, pc[2]) ? BR_TRAP_NONE
                                                    : BR_TRAP_CAST_FAILURE;
    case BR_OP_i31_get_s:
    case BR_OP_i31_get_u:
        if (x->ref == NULL)
            return BR_TRAP_NULL_I31;
        x->u64 = op == BR_OP_i31_get_s ? (uint32_t)bri_gc_i31_get_s(x->ref)
                                       : bri_gc_i31_get_u(x->ref);
        return BR_TRAP_NONE;
    default:
        return BR_TRAP_UNREACHABLE; /* never emitted */
    }
}
