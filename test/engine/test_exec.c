/*
 * beamr tests: the resumable interpreter on hand-built compiled code
 * (code.h): arithmetic, traps and backtraces, calls, fuel and resume,
 * host imports and suspension, cancel, exceptions, memory and tables.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../c_src/engine/exec.h"
#include "../../c_src/engine/numeric.h"
#include "check.h"
#include "wasm_call.h"

/* ------------------------------------------------------------------ */
/* A counting allocator with failure injection                         */

#include "count_alloc.h"

/* ------------------------------------------------------------------ */
/* A hand-built instance: module types, funcs, memories, tables...     */

#define MAXF 24
#define MAXW 256

enum {
    T_V_V,     /* [] -> []          */
    T_I_I,     /* [i32] -> [i32]    */
    T_II_I,    /* [i32 i32] -> [i32] */
    T_L_I,     /* [i64] -> [i32]    */
    T_V_I,     /* [] -> [i32]       */
    T_I_V,     /* [i32] -> []       */
    T_L_L,     /* [i64] -> [i64]    */
    T_I_I_DUP, /* [i32] -> [i32], a distinct but equal type object */
    T_COUNT
};

static const br_valkind_t K_I32[] = {BR_I32, BR_I32};
static const br_valkind_t K_I64[] = {BR_I64};

static const br_functype_t TYPES[T_COUNT] = {
    [T_V_V] = {0, 0, NULL, NULL},    [T_I_I] = {1, 1, K_I32, K_I32},
    [T_II_I] = {2, 1, K_I32, K_I32}, [T_L_I] = {1, 1, K_I64, K_I32},
    [T_V_I] = {0, 1, NULL, K_I32},   [T_I_V] = {1, 0, K_I32, NULL},
    [T_L_L] = {1, 1, K_I64, K_I64},  [T_I_I_DUP] = {1, 1, K_I32, K_I32},
};

typedef struct world {
    counter_t counter;
    br_engine_t *engine;
    br_store_t *store;
    br_module_t mod;
    br_functype_t types[T_COUNT];
    bri_data_t datas[1];
    br_instance_t inst;
    br_func_t *funcs[MAXF];
    br_func_t wasm[MAXF];
    bri_code_t code[MAXF];
    uint32_t words[MAXF][MAXW];
    bri_site_t sites[MAXF][MAXW];
    bri_handler_t handlers[MAXF][4];
    bri_catch_t catches[MAXF][4][2];
    br_memory_t *mems[2];
    br_table_t *tables[2];
    br_global_t *globals[3];
    br_tag_t *tags[2];
    br_ref_t *elem_refs[1];
    uint32_t elem_sizes[1];
    br_ref_t elem0[3];
    uint8_t dropped[1];
} world_t;

static const uint8_t DATA0[] = {1, 2, 3, 4, 5, 6, 7, 8};

static br_limitstype_t
lim(uint64_t min, uint64_t max, bool is64)
{
    br_limitstype_t l;
    memset(&l, 0, sizeof l);
    l.min = min;
    l.max = max;
    l.has_max = true;
    l.is64 = is64;
    return l;
}

static void
world_objects(world_t *w)
{
    br_limitstype_t m0 = lim(1, 4, false), m1 = lim(1, 2, true);
    w->mems[0] = br_memory_new(w->store, &m0);
    w->mems[1] = br_memory_new(w->store, &m1);
    br_limitstype_t t0 = lim(4, 8, false), t1 = lim(2, 100, false);
    w->tables[0] = br_table_new(w->store, BR_FUNCREF, &t0, NULL);
    w->tables[1] = br_table_new(w->store, BR_EXTERNREF, &t1, NULL);
    br_val_t g0 = {.kind = BR_I32, .of.i32 = -7};
    br_val_t g1 = {.kind = BR_I64, .of.i64 = INT64_MIN};
    br_val_t g2 = {.kind = BR_F32, .of.f32 = 1.5f};
    w->globals[0] = br_global_new(w->store, BR_I32, true, &g0);
    w->globals[1] = br_global_new(w->store, BR_I64, true, &g1);
    w->globals[2] = br_global_new(w->store, BR_F32, true, &g2);
    w->tags[0] = br_tag_new(w->store, &TYPES[T_I_V]);
    w->tags[1] = br_tag_new(w->store, &TYPES[T_I_V]);
}

static void
world_module(world_t *w)
{
    memcpy(w->types, TYPES, sizeof TYPES);
    w->mod.engine = w->engine;
    w->mod.type_count = T_COUNT;
    w->mod.types = w->types;
    w->mod.memory_count = 2;
    w->mod.table_count = 2;
    w->mod.global_count = 3;
    w->mod.tag_count = 2;
    w->mod.data_count = 1;
    w->mod.datas = w->datas;
    w->datas[0].mode = BRI_SEG_PASSIVE;
    w->datas[0].bytes = DATA0;
    w->datas[0].size = sizeof DATA0;
    w->mod.elem_count = 1;
}

static world_t *
world_new(const br_limits_t *limits)
{
    world_t *w = calloc(1, sizeof *w);
    w->engine = count_engine_new(&w->counter);
    w->counter.max_single = (size_t)1 << 31;
    w->store = br_store_new(w->engine, limits);
    world_module(w);
    world_objects(w);
    w->inst.store = w->store;
    w->inst.module = &w->mod;
    w->inst.funcs = w->funcs;
    w->inst.tables = w->tables;
    w->inst.memories = w->mems;
    w->inst.globals = w->globals;
    w->inst.tags = w->tags;
    w->inst.elem_refs = w->elem_refs;
    w->inst.elem_sizes = w->elem_sizes;
    w->inst.data_dropped = w->dropped;
    w->elem_refs[0] = w->elem0;
    w->elem_sizes[0] = 3;
    return w;
}

static void
world_delete(world_t *w)
{
    br_store_delete(w->store);
    br_engine_delete(w->engine);
    CHECK_EQ(w->counter.live, 0);
    free(w);
}

/* ------------------------------------------------------------------ */
/* Building functions word by word. Every instruction gets a site whose
 * byte offset is 1000 * (func + 1) + pc, so backtraces are checkable. */

typedef struct fb {
    world_t *w;
    uint32_t idx;
} fb_t;

#define OFFSET(f, pc) (1000u * ((f) + 1u) + (pc))

static fb_t
fn_begin(world_t *w, uint32_t idx, uint32_t type, uint32_t local_slots,
         uint32_t frame_slots)
{
    bri_code_t *c = &w->code[idx];
    memset(c, 0, sizeof *c);
    c->words = w->words[idx];
    c->sites = w->sites[idx];
    c->handlers = w->handlers[idx];
    c->param_slots = bri_param_slots(&w->types[type]);
    c->local_slots = local_slots;
    c->result_slots = bri_result_slots(&w->types[type]);
    c->frame_slots = frame_slots;
    br_func_t *f = &w->wasm[idx];
    memset(f, 0, sizeof *f);
    f->type = &w->types[type];
    f->inst = &w->inst;
    f->index = idx;
    f->code = c;
    w->funcs[idx] = f;
    return (fb_t){w, idx};
}

static uint32_t
here(const fb_t *f)
{
    return f->w->code[f->idx].word_count;
}

static void
emit(fb_t *f, const uint32_t *ws, uint32_t n)
{
    bri_code_t *c = &f->w->code[f->idx];
    c->sites[c->site_count].pc = c->word_count;
    c->sites[c->site_count].offset = OFFSET(f->idx, c->word_count);
    c->site_count++;
    memcpy(c->words + c->word_count, ws, n * sizeof *ws);
    c->word_count += n;
}

#define I(f, ...)                                             \
    emit(&(f), (const uint32_t[]){__VA_ARGS__},               \
         (uint32_t)(sizeof((const uint32_t[]){__VA_ARGS__}) / \
                    sizeof(uint32_t)))

static void
patch(fb_t *f, uint32_t at, uint32_t value)
{
    f->w->code[f->idx].words[at] = value;
}

/* Adds a try region; returns its handler index. */
static int32_t
handler(fb_t *f, uint32_t start, uint32_t end, int32_t parent, uint8_t kind,
        int32_t delegate_to, uint32_t height, uint32_t exn_slot)
{
    bri_code_t *c = &f->w->code[f->idx];
    uint32_t i = c->handler_count++;
    bri_handler_t *h = &c->handlers[i];
    memset(h, 0, sizeof *h);
    h->start = start;
    h->end = end;
    h->parent = parent;
    h->kind = kind;
    h->delegate_to = delegate_to;
    h->height = height;
    h->exn_slot = exn_slot;
    h->catches = f->w->catches[f->idx][i];
    return (int32_t)i;
}

static void
add_catch(fb_t *f, int32_t h, uint32_t tag, uint32_t pc)
{
    bri_handler_t *hd = &f->w->code[f->idx].handlers[h];
    hd->catches[hd->catch_count].tag = tag;
    hd->catches[hd->catch_count].pc = pc;
    hd->catch_count++;
}

#define OP(name) BR_OP_##name
#define LO(x) ((uint32_t)(uint64_t)(x))
#define HI(x) ((uint32_t)((uint64_t)(x) >> 32))

/* ------------------------------------------------------------------ */
/* Calling helpers                                                     */

/* Runs a prepared call to its end with `fuel` per run (< 0: one run). */
static br_status_t
finish(br_exec_t *e, int64_t fuel, int *yields)
{
    br_status_t st;
    *yields = 0;
    while ((st = br_exec_run(e, fuel)) == BR_YIELD)
        ++*yields;
    return st;
}

static br_status_t
call_n(world_t *w, uint32_t fi, const br_val_t *args, size_t n, br_exec_t **out)
{
    br_exec_t *e = br_exec_new(w->store);
    CHECK(br_exec_call(e, w->funcs[fi], args, n) == BR_ERR_OK);
    int yields;
    br_status_t st = finish(e, -1, &yields);
    CHECK_EQ(yields, 0);
    *out = e;
    return st;
}

/* Calls f(arg) and expects an i32 result. */
static int64_t
call_i32(world_t *w, uint32_t fi, br_val_t arg)
{
    br_exec_t *e;
    br_status_t st = call_n(w, fi, &arg, w->funcs[fi]->type->param_count, &e);
    int64_t r = -999999;
    if (st == BR_DONE && br_exec_result_count(e) == 1)
        r = br_exec_results(e)[0].of.i32;
    br_exec_delete(e);
    return r;
}

/* Calls f(arg), expects a trap of `kind`; returns the exec to inspect. */
static br_exec_t *
call_trap(world_t *w, uint32_t fi, br_val_t arg, br_trapkind_t kind)
{
    br_exec_t *e;
    br_status_t st = call_n(w, fi, &arg, w->funcs[fi]->type->param_count, &e);
    CHECK_EQ(st, BR_TRAP);
    const br_trap_t *t = br_exec_trap(e);
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_EQ(t->kind, kind);
        if (t->kind != kind)
            fprintf(stderr, "  got trap %s\n", t->message);
    }
    return e;
}

static int32_t
c_fib(int32_t n)
{
    return n < 2 ? n : c_fib(n - 1) + c_fib(n - 2);
}

/* fib(n) = n < 2 ? n : fib(n-1) + fib(n-2); params n at slot 0. */
static void
build_fib(world_t *w, uint32_t idx)
{
    fb_t f = fn_begin(w, idx, T_I_I, 1, 4);
    I(f, OP(local_get), 1, 0);
    I(f, OP(i32_const), 2, 2);
    I(f, OP(i32_lt_s), 1);
    uint32_t j = here(&f);
    I(f, OP(jump_unless), 1, 0);
    I(f, OP(ret), 0, 1);
    patch(&f, j + 2, here(&f));
    I(f, OP(local_get), 1, 0);
    I(f, OP(i32_const), 2, 1);
    I(f, OP(i32_sub), 1);
    I(f, OP(call), 1, idx);
    I(f, OP(local_get), 2, 0);
    I(f, OP(i32_const), 3, 2);
    I(f, OP(i32_sub), 2);
    I(f, OP(call), 2, idx);
    I(f, OP(i32_add), 1);
    I(f, OP(ret), 1, 1);
}

/* sum(n) = n == 0 ? 0 : n + sum(n - 1): 2 stack slots per level. */
static void
build_sum(world_t *w, uint32_t idx)
{
    fb_t f = fn_begin(w, idx, T_I_I, 1, 4);
    uint32_t j = here(&f);
    I(f, OP(jump_if), 0, 0);
    I(f, OP(i32_const), 1, 0);
    I(f, OP(ret), 1, 1);
    patch(&f, j + 2, here(&f));
    I(f, OP(local_get), 1, 0);
    I(f, OP(local_get), 2, 0);
    I(f, OP(i32_const), 3, 1);
    I(f, OP(i32_sub), 2);
    I(f, OP(call), 2, idx);
    I(f, OP(i32_add), 1);
    I(f, OP(ret), 1, 1);
}

/* ------------------------------------------------------------------ */
/* Single operations through the interpreter                           */

#define OPF (MAXF - 1) /* the function slot op tests rebuild */

/* Runs [op, 0][ret 0 1] on `args` (kinds from `params`); returns the
 * status and the raw result bits or the trap kind. */
static br_status_t
run_op(world_t *w, br_op_t op, const br_functype_t *t, const uint64_t *args,
       uint64_t *out)
{
    fb_t f = fn_begin(w, OPF, T_V_V, t->param_count, 2);
    w->wasm[OPF].type = t;
    w->code[OPF].param_slots = t->param_count;
    w->code[OPF].result_slots = t->result_count;
    I(f, op, 0);
    I(f, OP(ret), 0, 1);
    br_val_t a[2];
    for (uint32_t i = 0; i < t->param_count; i++) {
        memset(&a[i], 0, sizeof a[i]);
        a[i].kind = t->params[i];
        a[i].of.u64 = args[i];
    }
    br_exec_t *e = br_exec_new(w->store);
    CHECK(br_exec_call(e, w->funcs[OPF], a, t->param_count) == BR_ERR_OK);
    br_status_t st = br_exec_run(e, -1);
    if (st == BR_DONE) {
        const br_val_t *r = br_exec_results(e);
        *out = r[0].kind == BR_I32 || r[0].kind == BR_F32 ? r[0].of.u32
                                                          : r[0].of.u64;
        /* i32/f32 results keep the upper half zero */
        CHECK(r[0].of.u64 == *out);
    } else if (st == BR_TRAP) {
        *out = br_exec_trap(e)->kind;
        CHECK_EQ(br_exec_trap(e)->frame_count, 1);
        CHECK_EQ(br_exec_trap(e)->frames[0].code_offset, OFFSET(OPF, 0));
    }
    br_exec_delete(e);
    return st;
}

static const br_valkind_t K_F32[] = {BR_F32, BR_F32};
static const br_valkind_t K_F64[] = {BR_F64, BR_F64};
static const br_valkind_t K_L2[] = {BR_I64, BR_I64};
static const br_functype_t II_I = {2, 1, K_I32, K_I32};
static const br_functype_t I_I = {1, 1, K_I32, K_I32};
static const br_functype_t LL_L = {2, 1, K_L2, K_L2};
static const br_functype_t L_L = {1, 1, K_L2, K_L2};
static const br_functype_t L_I = {1, 1, K_L2, K_I32};
static const br_functype_t I_L = {1, 1, K_I32, K_L2};
static const br_functype_t FF_F = {2, 1, K_F32, K_F32};
static const br_functype_t F_F = {1, 1, K_F32, K_F32};
static const br_functype_t DD_D = {2, 1, K_F64, K_F64};
static const br_functype_t D_D = {1, 1, K_F64, K_F64};
static const br_functype_t F_I = {1, 1, K_F32, K_I32};
static const br_functype_t D_I = {1, 1, K_F64, K_I32};
static const br_functype_t F_L = {1, 1, K_F32, K_L2};
static const br_functype_t D_L = {1, 1, K_F64, K_L2};
static const br_functype_t L_F = {1, 1, K_L2, K_F32};
static const br_functype_t L_D = {1, 1, K_L2, K_F64};
static const br_functype_t I_F = {1, 1, K_I32, K_F32};
static const br_functype_t F_D = {1, 1, K_F32, K_F64};
static const br_functype_t D_F = {1, 1, K_F64, K_F32};
static const br_functype_t FF_I = {2, 1, K_F32, K_I32};

static uint64_t
op2(world_t *w, br_op_t op, const br_functype_t *t, uint64_t a, uint64_t b)
{
    uint64_t args[2] = {a, b}, r = 0;
    CHECK_EQ(run_op(w, op, t, args, &r), BR_DONE);
    return r;
}

static uint64_t
op1(world_t *w, br_op_t op, const br_functype_t *t, uint64_t a)
{
    return op2(w, op, t, a, 0);
}

/* The trap kind of a trapping op, or -1 if it did not trap. */
static int64_t
op_trap(world_t *w, br_op_t op, const br_functype_t *t, uint64_t a, uint64_t b)
{
    uint64_t args[2] = {a, b}, r = 0;
    return run_op(w, op, t, args, &r) == BR_TRAP ? (int64_t)r : -1;
}

static uint32_t
fb32(float f)
{
    return bri_f32_bits(f);
}

static uint64_t
fb64(double d)
{
    return bri_f64_bits(d);
}

static bool
is_nan32(uint64_t bits)
{
    return (bits & 0x7F800000u) == 0x7F800000u && (bits & 0x7FFFFFu) != 0;
}

static void
test_int_ops(world_t *w)
{
    uint32_t xs[] = {0, 1, 7, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 12345};
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        uint32_t a = xs[i], b = xs[(i + 3) % 7];
        CHECK_EQ(op2(w, OP(i32_add), &II_I, a, b), (uint32_t)(a + b));
        CHECK_EQ(op2(w, OP(i32_sub), &II_I, a, b), (uint32_t)(a - b));
        CHECK_EQ(op2(w, OP(i32_mul), &II_I, a, b), (uint32_t)(a * b));
        CHECK_EQ(op2(w, OP(i32_xor), &II_I, a, b), a ^ b);
        CHECK_EQ(op2(w, OP(i32_lt_s), &II_I, a, b), (int32_t)a < (int32_t)b);
        CHECK_EQ(op2(w, OP(i32_ge_u), &II_I, a, b), a >= b);
    }
    CHECK_EQ(op_trap(w, OP(i32_div_s), &II_I, 0x80000000, 0xFFFFFFFF),
             BR_TRAP_INT_OVERFLOW);
    CHECK_EQ(op_trap(w, OP(i32_div_s), &II_I, 5, 0), BR_TRAP_INT_DIV_ZERO);
    CHECK_EQ(op_trap(w, OP(i32_rem_u), &II_I, 5, 0), BR_TRAP_INT_DIV_ZERO);
    CHECK_EQ(op2(w, OP(i32_rem_s), &II_I, 0x80000000, 0xFFFFFFFF), 0);
    CHECK_EQ(op2(w, OP(i32_div_s), &II_I, (uint32_t)-7, 2), (uint32_t)-3);
    CHECK_EQ(op2(w, OP(i32_rem_s), &II_I, (uint32_t)-7, 2), (uint32_t)-1);
    CHECK_EQ(op2(w, OP(i32_shl), &II_I, 1, 33), 2);
    CHECK_EQ(op2(w, OP(i32_shr_s), &II_I, (uint32_t)-8, 33), (uint32_t)-4);
    CHECK_EQ(op2(w, OP(i32_shr_u), &II_I, 0x80000000, 31), 1);
    CHECK_EQ(op2(w, OP(i32_rotl), &II_I, 0x80000001, 1), 3);
    CHECK_EQ(op2(w, OP(i32_rotr), &II_I, 3, 33), 0x80000001);
    CHECK_EQ(op1(w, OP(i32_clz), &I_I, 0), 32);
    CHECK_EQ(op1(w, OP(i32_ctz), &I_I, 0), 32);
    CHECK_EQ(op1(w, OP(i32_clz), &I_I, 1), 31);
    CHECK_EQ(op1(w, OP(i32_popcnt), &I_I, 0xFF00FF00), 16);
    CHECK_EQ(op1(w, OP(i32_eqz), &I_I, 0), 1);
    CHECK_EQ(op1(w, OP(i32_extend8_s), &I_I, 0x80), 0xFFFFFF80);
    CHECK_EQ(op1(w, OP(i32_extend16_s), &I_I, 0x17FFF), 0x7FFF);

    uint64_t m = 0x8000000000000000u;
    CHECK_EQ(op_trap(w, OP(i64_div_s), &LL_L, m, UINT64_MAX),
             BR_TRAP_INT_OVERFLOW);
    CHECK_EQ(op_trap(w, OP(i64_rem_s), &LL_L, 1, 0), BR_TRAP_INT_DIV_ZERO);
    CHECK(op2(w, OP(i64_rem_s), &LL_L, m, UINT64_MAX) == 0);
    CHECK(op2(w, OP(i64_mul), &LL_L, 0x123456789, 0xABCDEF) ==
          0x123456789ull * 0xABCDEFull);
    CHECK(op2(w, OP(i64_shl), &LL_L, 1, 65) == 2);
    CHECK(op2(w, OP(i64_shr_s), &LL_L, m, 63) == UINT64_MAX);
    CHECK(op2(w, OP(i64_rotl), &LL_L, m | 1, 1) == 3);
    CHECK(op1(w, OP(i64_clz), &L_L, 0) == 64);
    CHECK(op1(w, OP(i64_popcnt), &L_L, UINT64_MAX) == 64);
    CHECK(op1(w, OP(i64_extend32_s), &L_L, 0x80000000u) == 0xFFFFFFFF80000000u);
    CHECK_EQ(op1(w, OP(i64_eqz), &L_I, m), 0);
    CHECK_EQ(op2(w, OP(i64_lt_s), &LL_L, m, 0), 1);
    CHECK_EQ(op1(w, OP(i32_wrap_i64), &L_I, 0x1FFFFFFFFu), 0xFFFFFFFF);
    CHECK(op1(w, OP(i64_extend_i32_s), &I_L, 0xFFFFFFFE) == (uint64_t)-2);
    CHECK(op1(w, OP(i64_extend_i32_u), &I_L, 0xFFFFFFFE) == 0xFFFFFFFEu);
}

static void
test_float_ops(world_t *w)
{
    CHECK_EQ(op2(w, OP(f32_add), &FF_F, fb32(1.5f), fb32(2.25f)), fb32(3.75f));
    CHECK_EQ(op2(w, OP(f32_min), &FF_F, fb32(0.0f), fb32(-0.0f)), 0x80000000u);
    CHECK_EQ(op2(w, OP(f32_max), &FF_F, fb32(-0.0f), fb32(0.0f)), 0);
    CHECK(is_nan32(op2(w, OP(f32_min), &FF_F, 0x7FC00000, fb32(1.0f))));
    CHECK(is_nan32(op2(w, OP(f32_max), &FF_F, fb32(1.0f), 0xFFA00000)));
    CHECK_EQ(op1(w, OP(f32_nearest), &F_F, fb32(2.5f)), fb32(2.0f));
    CHECK_EQ(op1(w, OP(f32_nearest), &F_F, fb32(-0.5f)), 0x80000000u);
    CHECK_EQ(op1(w, OP(f32_abs), &F_F, 0xFFA00001), 0x7FA00001);
    CHECK_EQ(op1(w, OP(f32_neg), &F_F, 0x7FA00001), 0xFFA00001);
    CHECK_EQ(op2(w, OP(f32_copysign), &FF_F, fb32(2.0f), 0x80000000u),
             fb32(-2.0f));
    CHECK_EQ(op1(w, OP(f32_sqrt), &F_F, fb32(16.0f)), fb32(4.0f));
    CHECK_EQ(op1(w, OP(f32_ceil), &F_F, fb32(-1.5f)), fb32(-1.0f));
    /* rounding a signalling NaN gives a quiet (arithmetic) NaN */
    CHECK_EQ(op1(w, OP(f32_floor), &F_F, 0x7FA00000) & 0x7FC00000, 0x7FC00000);
    CHECK(op1(w, OP(f64_trunc), &D_D, 0xFFF4000000000000u) ==
          0xFFFC000000000000u);
    CHECK_EQ(op2(w, OP(f32_lt), &FF_I, fb32(-1.0f), fb32(1.0f)), 1);
    CHECK_EQ(op2(w, OP(f32_eq), &FF_I, 0x7FC00000, 0x7FC00000), 0);
    /* canonical NaN in, canonical NaN out (sign aside) */
    CHECK_EQ(op2(w, OP(f32_add), &FF_F, 0x7FC00000, fb32(1.0f)) & 0x7FFFFFFF,
             0x7FC00000);
    CHECK(op2(w, OP(f64_min), &DD_D, fb64(0.0), fb64(-0.0)) ==
          0x8000000000000000u);
    CHECK(op1(w, OP(f64_nearest), &D_D, fb64(3.5)) == fb64(4.0));
    CHECK(op1(w, OP(f64_abs), &D_D, 0xFFF8000000000001u) ==
          0x7FF8000000000001u);
    CHECK(op2(w, OP(f64_div), &DD_D, fb64(1.0), fb64(4.0)) == fb64(0.25));
    CHECK(op1(w, OP(f64_trunc), &D_D, fb64(-2.7)) == fb64(-2.0));
    /* reinterpret keeps NaN payloads */
    CHECK_EQ(op1(w, OP(f32_reinterpret_i32), &I_F, 0x7FA00001), 0x7FA00001);
}

static void
test_conversions(world_t *w)
{
    CHECK_EQ(op_trap(w, OP(i32_trunc_f32_s), &F_I, fb32(2147483648.0f), 0),
             BR_TRAP_INT_OVERFLOW);
    CHECK_EQ(op1(w, OP(i32_trunc_f32_s), &F_I, fb32(-2147483648.0f)),
             0x80000000u);
    CHECK_EQ(op_trap(w, OP(i32_trunc_f32_s), &F_I, 0x7FC00000, 0),
             BR_TRAP_INVALID_CONVERSION);
    CHECK_EQ(op1(w, OP(i32_trunc_f64_s), &D_I, fb64(-2147483648.9)),
             0x80000000u);
    CHECK_EQ(op_trap(w, OP(i32_trunc_f64_s), &D_I, fb64(-2147483649.0), 0),
             BR_TRAP_INT_OVERFLOW);
    CHECK_EQ(op1(w, OP(i32_trunc_f64_u), &D_I, fb64(-0.9)), 0);
    CHECK_EQ(op1(w, OP(i32_trunc_f64_u), &D_I, fb64(4294967295.9)),
             0xFFFFFFFFu);
    CHECK_EQ(op_trap(w, OP(i32_trunc_f32_u), &F_I, fb32(-1.0f), 0),
             BR_TRAP_INT_OVERFLOW);
    CHECK_EQ(
        op_trap(w, OP(i64_trunc_f64_s), &D_L, fb64(9223372036854775808.0), 0),
        BR_TRAP_INT_OVERFLOW);
    CHECK(op1(w, OP(i64_trunc_f64_s), &D_L, fb64(-9223372036854775808.0)) ==
          0x8000000000000000u);
    CHECK(op1(w, OP(i64_trunc_f32_u), &F_L, fb32(18446742974197923840.0f)) ==
          18446742974197923840u);
    CHECK_EQ(op_trap(w, OP(i64_trunc_f32_u), &F_L, 0xFFC00000, 0),
             BR_TRAP_INVALID_CONVERSION);
    CHECK_EQ(op1(w, OP(i32_trunc_sat_f32_s), &F_I, 0x7FC00000), 0);
    CHECK_EQ(op1(w, OP(i32_trunc_sat_f32_s), &F_I, fb32(-3e9f)), 0x80000000u);
    CHECK_EQ(op1(w, OP(i32_trunc_sat_f64_u), &D_I, fb64(1e10)), 0xFFFFFFFFu);
    CHECK(op1(w, OP(i64_trunc_sat_f64_s), &D_L, fb64(1e300)) ==
          0x7FFFFFFFFFFFFFFFu);
    CHECK(op1(w, OP(i64_trunc_sat_f32_u), &F_L, fb32(-5.0f)) == 0);
    /* correctly rounded u64/i64 -> f32 (double rounding would differ) */
    CHECK_EQ(op1(w, OP(f32_convert_i64_u), &L_F, 0x8000008000000001u),
             0x5F000001u);
    CHECK_EQ(op1(w, OP(f32_convert_i64_s), &L_F, 0x20000020000001u),
             fb32(9007200328482816.0f));
    CHECK_EQ(op1(w, OP(f32_convert_i64_u), &L_F, UINT64_MAX),
             fb32(18446744073709551616.0f));
    CHECK(op1(w, OP(f64_convert_i64_u), &L_D, UINT64_MAX) ==
          fb64(18446744073709551616.0));
    CHECK_EQ(op1(w, OP(f32_convert_i32_u), &I_F, 0xFFFFFFFF),
             fb32(4294967296.0f));
    CHECK(op1(w, OP(f64_promote_f32), &F_D, fb32(0.1f)) == fb64((double)0.1f));
    CHECK_EQ(op1(w, OP(f32_demote_f64), &D_F, fb64(0.1)), fb32(0.1f));
}

/* numeric.h directly, for edges the op tests above do not reach */
static void
test_numeric_helpers(void)
{
    uint32_t r32 = 0;
    CHECK_EQ(bri_i32_div_u(7, 2, &r32), BR_TRAP_NONE);
    CHECK_EQ(r32, 3);
    CHECK_EQ(bri_rotl64(1, 64), 1);
    CHECK_EQ(bri_rotr64(1, 1), 0x8000000000000000u);
    CHECK_EQ(bri_sext64(0xFF, 8), UINT64_MAX);
    CHECK_EQ(bri_trunc_sat_s64(-1e300), 0x8000000000000000u);
    CHECK_EQ(bri_trunc_sat_u64(1e300), UINT64_MAX);
    CHECK_EQ(bri_f64_bits(bri_f64_max(-0.0, 0.0)), 0);
    CHECK(isnan(bri_f32_min(1.0f, NAN)));
    uint64_t r64 = 0;
    CHECK_EQ(bri_trunc_u64(18446744073709549568.0, &r64), BR_TRAP_NONE);
    CHECK(r64 == 18446744073709549568u);
    CHECK_EQ(bri_trunc_u64(18446744073709551616.0, &r64), BR_TRAP_INT_OVERFLOW);
    CHECK_EQ(bri_trunc_s32(2147483647.9, &r32), BR_TRAP_NONE);
    CHECK_EQ(r32, 0x7FFFFFFF);
}

/* ------------------------------------------------------------------ */
/* Calls, traps and backtraces, recursion, stack limits                */

static void
test_backtrace(void)
{
    world_t *w = world_new(NULL);
    /* f1(x) = x / 0 traps at pc 6; f0(x) = f1(x) calls at pc 0 */
    fb_t f1 = fn_begin(w, 1, T_I_I, 1, 3);
    I(f1, OP(local_get), 1, 0);
    I(f1, OP(i32_const), 2, 0);
    I(f1, OP(i32_div_s), 1);
    I(f1, OP(ret), 1, 1);
    fb_t f0 = fn_begin(w, 0, T_I_I, 1, 1);
    I(f0, OP(call), 0, 1);
    I(f0, OP(ret), 0, 1);
    br_exec_t *e = call_trap(w, 0, vi32(5), BR_TRAP_INT_DIV_ZERO);
    const br_trap_t *t = br_exec_trap(e);
    CHECK_EQ(t->frame_count, 2);
    CHECK_EQ(t->frames[0].func_index, 1);
    CHECK_EQ(t->frames[0].code_offset, OFFSET(1, 6));
    CHECK_EQ(t->frames[1].func_index, 0);
    CHECK_EQ(t->frames[1].code_offset, OFFSET(0, 0));
    CHECK(strcmp(t->message, "integer divide by zero") == 0);
    /* a trapped exec answers the same again, and is reusable */
    CHECK_EQ(br_exec_run(e, -1), BR_TRAP);
    br_val_t a = vi32(1);
    CHECK_EQ(br_exec_call(e, w->funcs[0], &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_TRAP);
    br_exec_delete(e);

    /* unreachable, in the middle of a function */
    fb_t f2 = fn_begin(w, 2, T_V_I, 0, 1);
    I(f2, OP(i32_const), 0, 1);
    I(f2, OP(unreachable));
    I(f2, OP(ret), 0, 1);
    e = call_trap(w, 2, vi32(0), BR_TRAP_UNREACHABLE);
    CHECK_EQ(br_exec_trap(e)->frames[0].code_offset, OFFSET(2, 3));
    br_exec_delete(e);
    world_delete(w);
}

static void
test_args_and_states(void)
{
    world_t *w = world_new(NULL);
    build_fib(w, 0);
    br_exec_t *e = br_exec_new(w->store);
    br_val_t a[2] = {vi32(1), vi32(2)};
    CHECK_EQ(br_exec_run(e, -1), BR_ERROR); /* nothing prepared */
    CHECK_EQ(br_exec_error(e), BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_exec_call(e, w->funcs[0], a, 2), BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_exec_call(e, w->funcs[0], a, 0), BR_ERR_INVALID_ARGUMENT);
    br_val_t l = vi64(3);
    CHECK_EQ(br_exec_call(e, w->funcs[0], &l, 1), BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_exec_call(e, NULL, a, 1), BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_exec_call(e, w->funcs[0], a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_result_count(e), 0); /* not done yet */
    CHECK_EQ(br_exec_run(e, -1), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, c_fib(1));
    CHECK_EQ(br_exec_results(e)[0].kind, BR_I32);
    CHECK_EQ(br_exec_run(e, -1), BR_DONE); /* idempotent */
    CHECK(br_exec_store(e) == w->store);
    /* busy while yielded */
    a[0] = vi32(15);
    CHECK_EQ(br_exec_call(e, w->funcs[0], a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, 1), BR_YIELD);
    CHECK_EQ(br_exec_call(e, w->funcs[0], a, 1), BR_ERR_BUSY);
    CHECK_EQ(br_exec_error(e), BR_ERR_BUSY);
    int y;
    CHECK_EQ(finish(e, 50, &y), BR_DONE);
    CHECK(y > 0);
    CHECK_EQ(br_exec_results(e)[0].of.i32, c_fib(15));
    br_exec_delete(e);

    /* the blocking wrapper */
    br_val_t r[1];
    br_trap_t trap;
    a[0] = vi32(20);
    CHECK_EQ(br_func_call(w->store, w->funcs[0], a, 1, r, 1, &trap), BR_DONE);
    CHECK_EQ(r[0].of.i32, c_fib(20));
    CHECK_EQ(br_func_call(w->store, w->funcs[0], a, 1, r, 0, &trap), BR_ERROR);
    CHECK_EQ(br_func_call(w->store, w->funcs[0], a, 2, r, 1, &trap), BR_ERROR);
    world_delete(w);
}

static void
test_recursion(void)
{
    world_t *w = world_new(NULL);
    build_fib(w, 0);
    build_sum(w, 1);
    for (int32_t n = 0; n < 22; n += 3)
        CHECK_EQ(call_i32(w, 0, vi32(n)), c_fib(n));
    /* 15000 frames deep: all on the heap, none on the C stack */
    CHECK_EQ(call_i32(w, 1, vi32(15000)), 15000 * 15001 / 2);
    world_delete(w);

    br_limits_t lim_depth = {0, 0, 100, 0};
    w = world_new(&lim_depth);
    build_sum(w, 1);
    CHECK_EQ(call_i32(w, 1, vi32(99)), 99 * 100 / 2);
    br_exec_t *e = call_trap(w, 1, vi32(100), BR_TRAP_STACK_EXHAUSTED);
    const br_trap_t *t = br_exec_trap(e);
    CHECK_EQ(t->frame_count, BR_TRAP_MAX_FRAMES);
    CHECK_EQ(t->frames[0].func_index, 1);
    CHECK_EQ(t->frames[0].code_offset, OFFSET(1, 20)); /* the call */
    CHECK_EQ(t->frames[31].code_offset, OFFSET(1, 20));
    CHECK(strcmp(t->message, "call stack exhausted") == 0);
    br_exec_delete(e);
    world_delete(w);

    br_limits_t lim_slots = {0, 0, 0, 300};
    w = world_new(&lim_slots);
    build_sum(w, 1);
    CHECK_EQ(call_i32(w, 1, vi32(100)), 5050);
    e = call_trap(w, 1, vi32(200), BR_TRAP_STACK_EXHAUSTED);
    br_exec_delete(e);
    /* a frame larger than the whole stack traps before running */
    fb_t big = fn_begin(w, 2, T_V_I, 0, 400);
    I(big, OP(i32_const), 0, 1);
    I(big, OP(ret), 0, 1);
    e = call_trap(w, 2, vi32(0), BR_TRAP_STACK_EXHAUSTED);
    CHECK_EQ(br_exec_trap(e)->frame_count, 0);
    br_exec_delete(e);
    world_delete(w);
}

/* Growing the stack fails in the allocator: a trap, never a crash. */
static void
test_stack_oom(void)
{
    world_t *w = world_new(NULL);
    build_sum(w, 1);
    w->counter.max_single = 8192;
    br_exec_t *e = call_trap(w, 1, vi32(3000), BR_TRAP_OUT_OF_MEMORY);
    CHECK(strcmp(br_exec_trap(e)->message, "out of memory") == 0);
    br_exec_delete(e);
    w->counter.max_single = (size_t)1 << 31;
    CHECK_EQ(call_i32(w, 1, vi32(3000)), 3000 * 3001 / 2);

    /* fail each allocation in turn: OOM status or the right answer */
    bool succeeded = false;
    for (long k = 0; k < 40 && !succeeded; k++) {
        w->counter.fail_at = w->counter.calls + k;
        br_exec_t *x = br_exec_new(w->store);
        if (x == NULL)
            continue;
        br_val_t a = vi32(500);
        br_err_t err = br_exec_call(x, w->funcs[1], &a, 1);
        br_status_t st = err == BR_ERR_OK ? br_exec_run(x, -1) : BR_ERROR;
        if (st == BR_DONE) {
            CHECK_EQ(br_exec_results(x)[0].of.i32, 500 * 501 / 2);
            succeeded = w->counter.calls <= w->counter.fail_at;
        } else if (st == BR_TRAP) {
            CHECK_EQ(br_exec_trap(x)->kind, BR_TRAP_OUT_OF_MEMORY);
        } else {
            CHECK(err == BR_ERR_OUT_OF_MEMORY || err == BR_ERR_OK);
        }
        br_exec_delete(x);
    }
    CHECK(succeeded);
    w->counter.fail_at = -1;
    world_delete(w);
}

/* Calls between two instances switch the cached memory. */
static void
test_cross_instance(void)
{
    world_t *a = world_new(NULL), *b = world_new(NULL);
    /* b.get(x) = load32(b.mem0, x) */
    fb_t g = fn_begin(b, 0, T_I_I, 1, 2);
    I(g, OP(i32_load), 0, 0, 0, 0);
    I(g, OP(ret), 0, 1);
    /* a.f(x) = store(a.mem, x, 11); b.get(x) + load(a.mem, x) */
    a->funcs[5] = b->funcs[0];
    fb_t f = fn_begin(a, 0, T_I_I, 1, 4);
    I(f, OP(local_get), 1, 0);
    I(f, OP(i32_const), 2, 11);
    I(f, OP(i32_store), 1, 0, 0, 0);
    I(f, OP(local_get), 1, 0);
    I(f, OP(call), 1, 5);
    I(f, OP(local_get), 2, 0);
    I(f, OP(i32_load), 2, 0, 0, 0);
    I(f, OP(i32_add), 1);
    I(f, OP(ret), 1, 1);
    uint32_t v = 1000;
    memcpy(br_memory_data(b->mems[0]) + 16, &v, 4);
    CHECK_EQ(call_i32(a, 0, vi32(16)), 1011);
    world_delete(a);
    world_delete(b);
}

/* ------------------------------------------------------------------ */
/* Host functions                                                      */

typedef struct host_env {
    int calls;
    int mode;      /* what the host does, see HOST_* */
    int cancel_at; /* HOST_CANCEL: cancel on this call */
    br_instance_t *caller;
} host_env_t;

enum { HOST_OK, HOST_SUSPEND, HOST_TRAP, HOST_EXIT, HOST_CANCEL };

/* [i32] -> [i32]: x * 2 + 1, or suspends/traps by mode. */
static br_host_status_t
host_fn(void *envp, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    host_env_t *env = envp;
    env->calls++;
    env->caller = br_exec_caller_instance(exec);
    switch (env->mode) {
    case HOST_SUSPEND:
        return BR_HOST_SUSPEND;
    case HOST_TRAP:
        return BR_HOST_TRAP;
    case HOST_EXIT:
        br_exec_host_trap(exec, BR_TRAP_EXIT, 3, "bye");
        return BR_HOST_TRAP;
    case HOST_CANCEL:
        if (env->calls == env->cancel_at)
            br_exec_cancel(exec);
        break;
    default:
        break;
    }
    if (args != NULL && results != NULL) {
        CHECK_EQ(results[0].kind, BR_I32);
        results[0].of.i32 = args[0].of.i32 * 2 + 1;
    }
    return BR_HOST_OK;
}

/* Answers every pending import of `e` like host_fn's OK mode. */
static br_status_t
drive(br_exec_t *e, int64_t fuel, int *yields, int *imports)
{
    br_status_t st;
    *yields = *imports = 0;
    for (;;) {
        st = br_exec_run(e, fuel);
        if (st == BR_YIELD) {
            ++*yields;
        } else if (st == BR_IMPORT) {
            ++*imports;
            const br_val_t *a = br_exec_import_args(e);
            br_val_t r = vi32(a[0].of.i32 * 2 + 1);
            CHECK_EQ(br_exec_resume(e, &r, 1), BR_ERR_OK);
        } else {
            return st;
        }
    }
}

/* loop(n): acc = sum over i < n of host(fib(i % 10)); host at `imp`. */
static void
build_loop(world_t *w, uint32_t idx, uint32_t fib, uint32_t imp)
{
    fb_t f = fn_begin(w, idx, T_I_I, 3, 6);
    I(f, OP(local_get), 3, 1);
    I(f, OP(i32_const), 4, 10);
    I(f, OP(i32_rem_u), 3);
    I(f, OP(call), 3, fib);
    I(f, OP(call), 3, imp);
    I(f, OP(local_get), 4, 2);
    I(f, OP(i32_add), 3);
    I(f, OP(local_set), 3, 2);
    I(f, OP(local_get), 3, 1);
    I(f, OP(i32_const), 4, 1);
    I(f, OP(i32_add), 3);
    I(f, OP(local_tee), 3, 1);
    I(f, OP(local_get), 4, 0);
    I(f, OP(i32_lt_u), 3);
    I(f, OP(jump_if_back), 3, 0, 14);
    I(f, OP(local_get), 3, 2);
    I(f, OP(ret), 3, 1);
}

static int32_t
c_loop(int32_t n)
{
    int32_t acc = 0, i = 0;
    do
        acc += c_fib(i % 10) * 2 + 1;
    while (++i < n);
    return acc;
}

static void
test_fuel(void)
{
    world_t *w = world_new(NULL);
    host_env_t ok = {0}, susp = {0};
    susp.mode = HOST_SUSPEND;
    build_fib(w, 0);
    w->funcs[3] = br_func_new_host(w->store, &TYPES[T_I_I], host_fn, &ok);
    w->funcs[4] = br_func_new_host(w->store, &TYPES[T_I_I], host_fn, &susp);
    build_loop(w, 1, 0, 3);
    build_loop(w, 2, 0, 4);
    br_val_t a = vi32(25);
    br_exec_t *e = br_exec_new(w->store);
    int y, imports;
    CHECK_EQ(br_exec_call(e, w->funcs[1], &a, 1), BR_ERR_OK);
    CHECK_EQ(finish(e, -1, &y), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, c_loop(25));
    int64_t unlimited = br_exec_fuel_used(e);
    CHECK(unlimited > 25 * 14);
    int64_t budgets[] = {1, 2, 3, 7};
    for (size_t i = 0; i < 4; i++) {
        CHECK_EQ(br_exec_call(e, w->funcs[1], &a, 1), BR_ERR_OK);
        int64_t total = 0;
        br_status_t st;
        y = 0;
        while ((st = br_exec_run(e, budgets[i])) == BR_YIELD) {
            total += br_exec_fuel_used(e);
            y++;
        }
        total += br_exec_fuel_used(e);
        CHECK_EQ(st, BR_DONE);
        CHECK_EQ(br_exec_results(e)[0].of.i32, c_loop(25));
        CHECK_EQ(total, unlimited); /* every unit charged exactly once */
        CHECK(y >= unlimited / (budgets[i] + 14) - 1);
        /* the suspending import, answered between yields */
        CHECK_EQ(br_exec_call(e, w->funcs[2], &a, 1), BR_ERR_OK);
        CHECK_EQ(drive(e, budgets[i], &y, &imports), BR_DONE);
        CHECK_EQ(br_exec_results(e)[0].of.i32, c_loop(25));
        CHECK_EQ(imports, 25);
        CHECK(y > 0);
    }
    /* budgets larger than the refill chunk */
    CHECK_EQ(br_exec_call(e, w->funcs[1], &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, BRI_FUEL_CHUNK + 5), BR_DONE);
    a = vi32(2000);
    CHECK_EQ(br_exec_call(e, w->funcs[1], &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, 3 * BRI_FUEL_CHUNK), BR_YIELD);
    CHECK(br_exec_fuel_used(e) >= 3 * BRI_FUEL_CHUNK);
    CHECK_EQ(finish(e, 2 * BRI_FUEL_CHUNK + 1, &y), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, c_loop(2000));
    br_exec_delete(e);
    world_delete(w);
}

static void
test_host(void)
{
    world_t *w = world_new(NULL);
    host_env_t env = {0};
    br_func_t *h = br_func_new_host(w->store, &TYPES[T_I_I], host_fn, &env);
    w->funcs[3] = h;
    /* f(x) = host(x) + 1; the call is at pc 3 */
    fb_t f = fn_begin(w, 0, T_I_I, 1, 3);
    I(f, OP(local_get), 1, 0);
    I(f, OP(call), 1, 3);
    I(f, OP(i32_const), 2, 1);
    I(f, OP(i32_add), 1);
    I(f, OP(ret), 1, 1);
    CHECK_EQ(call_i32(w, 0, vi32(20)), 42);
    CHECK(env.caller == &w->inst);

    /* suspended, then answered */
    env.mode = HOST_SUSPEND;
    br_exec_t *e = br_exec_new(w->store);
    br_val_t a = vi32(5), r = vi32(100), bad = vi64(1);
    CHECK_EQ(br_exec_call(e, w->funcs[0], &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_IMPORT);
    CHECK(br_exec_import_func(e) == h);
    CHECK_EQ(br_exec_import_args(e)[0].of.i32, 5);
    CHECK_EQ(br_exec_run(e, -1), BR_ERROR);
    CHECK_EQ(br_exec_error(e), BR_ERR_BUSY);
    CHECK_EQ(br_exec_call(e, w->funcs[0], &a, 1), BR_ERR_BUSY);
    CHECK_EQ(br_exec_resume(e, &bad, 1), BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_exec_resume(e, &r, 0), BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_exec_resume(e, &r, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_resume(e, &r, 1), BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_exec_run(e, -1), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 101);

    /* suspended, then answered with a trap */
    CHECK_EQ(br_exec_call(e, w->funcs[0], &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_IMPORT);
    br_exec_resume_trap(e, "nope");
    CHECK_EQ(br_exec_run(e, -1), BR_TRAP);
    const br_trap_t *t = br_exec_trap(e);
    CHECK_EQ(t->kind, BR_TRAP_HOST);
    CHECK(strcmp(t->message, "nope") == 0);
    CHECK_EQ(t->frame_count, 1);
    CHECK_EQ(t->frames[0].code_offset, OFFSET(0, 3));

    /* traps raised by the host function itself */
    env.mode = HOST_TRAP;
    CHECK_EQ(br_exec_call(e, w->funcs[0], &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_TRAP);
    CHECK_EQ(br_exec_trap(e)->kind, BR_TRAP_HOST);
    CHECK(strcmp(br_exec_trap(e)->message, "host function failed") == 0);
    CHECK_EQ(br_exec_trap(e)->frames[0].code_offset, OFFSET(0, 3));
    env.mode = HOST_EXIT;
    CHECK_EQ(br_exec_call(e, w->funcs[0], &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_TRAP);
    CHECK_EQ(br_exec_trap(e)->kind, BR_TRAP_EXIT);
    CHECK_EQ(br_exec_trap(e)->exit_code, 3);
    CHECK(strcmp(br_exec_trap(e)->message, "bye") == 0);

    /* a host function called directly */
    env.mode = HOST_OK;
    CHECK_EQ(br_exec_call(e, h, &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 11);
    CHECK(env.caller == NULL);
    env.mode = HOST_SUSPEND;
    CHECK_EQ(br_exec_call(e, h, &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_IMPORT);
    CHECK_EQ(br_exec_import_args(e)[0].of.i32, 5);
    CHECK_EQ(br_exec_resume(e, &r, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 100);
    br_exec_delete(e);

    /* the blocking wrapper cannot answer a suspension */
    br_val_t out[1];
    br_trap_t trap;
    CHECK_EQ(br_func_call(w->store, w->funcs[0], &a, 1, out, 1, &trap),
             BR_ERROR);
    env.mode = HOST_OK;
    CHECK_EQ(br_func_call(w->store, h, &a, 1, out, 1, &trap), BR_DONE);
    CHECK_EQ(out[0].of.i32, 11);
    env.mode = HOST_TRAP;
    CHECK_EQ(br_func_call(w->store, w->funcs[0], &a, 1, out, 1, &trap),
             BR_TRAP);
    CHECK_EQ(trap.kind, BR_TRAP_HOST);
    CHECK_EQ(trap.frame_count, 1);
    world_delete(w);
}

/* While suspended, memory grows (and may move): the resumed code must
 * see the new base and size. */
static void
test_grow_while_suspended(void)
{
    world_t *w = world_new(NULL);
    host_env_t env = {0};
    env.mode = HOST_SUSPEND;
    w->funcs[3] = br_func_new_host(w->store, &TYPES[T_I_I], host_fn, &env);
    fb_t f = fn_begin(w, 0, T_V_I, 0, 3);
    I(f, OP(i32_const), 0, 0);
    I(f, OP(i32_load), 0, 0, 0, 0); /* caches memory 0 (1 page) */
    I(f, OP(call), 0, 3);
    I(f, OP(i32_const), 0, 131064);
    I(f, OP(i32_const), 1, 0x5A5A);
    I(f, OP(i32_store), 0, 0, 0, 0);
    I(f, OP(i32_const), 0, 131064);
    I(f, OP(i32_load), 0, 0, 0, 0);
    I(f, OP(ret), 0, 1);
    br_exec_t *e = br_exec_new(w->store);
    CHECK_EQ(br_exec_call(e, w->funcs[0], NULL, 0), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_IMPORT);
    uint64_t old = 0;
    CHECK(br_memory_grow(w->mems[0], 1, &old));
    CHECK_EQ(old, 1);
    br_val_t r = vi32(0);
    CHECK_EQ(br_exec_resume(e, &r, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, -1), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 0x5A5A);
    br_exec_delete(e);
    world_delete(w);
}

static void
test_tail_calls(void)
{
    br_limits_t lim_depth = {0, 0, 50, 0};
    world_t *w = world_new(&lim_depth);
    host_env_t env = {0};
    w->funcs[3] = br_func_new_host(w->store, &TYPES[T_I_I], host_fn, &env);
    /* down(n) = n == 0 ? 42 : return_call down(n - 1) */
    fb_t f = fn_begin(w, 0, T_I_I, 1, 3);
    uint32_t j = here(&f);
    I(f, OP(jump_if), 0, 0);
    I(f, OP(i32_const), 1, 42);
    I(f, OP(ret), 1, 1);
    patch(&f, j + 2, here(&f));
    I(f, OP(local_get), 1, 0);
    I(f, OP(i32_const), 2, 1);
    I(f, OP(i32_sub), 1);
    I(f, OP(return_call), 1, 0);
    CHECK_EQ(call_i32(w, 0, vi32(100000)), 42);
    /* outer(x) = 1000 + mid(x); mid(x) = return_call host(x) */
    fb_t m = fn_begin(w, 1, T_I_I, 1, 2);
    I(m, OP(local_get), 1, 0);
    I(m, OP(return_call), 1, 3);
    fb_t o = fn_begin(w, 2, T_I_I, 1, 3);
    I(o, OP(local_get), 1, 0);
    I(o, OP(call), 1, 1);
    I(o, OP(i32_const), 2, 1000);
    I(o, OP(i32_add), 1);
    I(o, OP(ret), 1, 1);
    CHECK_EQ(call_i32(w, 2, vi32(4)), 1009);
    CHECK_EQ(call_i32(w, 1, vi32(4)), 9);
    env.mode = HOST_SUSPEND;
    int y, imports;
    br_exec_t *e = br_exec_new(w->store);
    br_val_t a = vi32(4);
    CHECK_EQ(br_exec_call(e, w->funcs[2], &a, 1), BR_ERR_OK);
    CHECK_EQ(drive(e, -1, &y, &imports), BR_DONE);
    CHECK_EQ(imports, 1);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 1009);
    CHECK_EQ(br_exec_call(e, w->funcs[1], &a, 1), BR_ERR_OK);
    CHECK_EQ(drive(e, -1, &y, &imports), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 9);
    br_exec_delete(e);
    world_delete(w);
}

typedef struct canceller {
    br_exec_t *exec;
} canceller_t;

static void *
cancel_later(void *arg)
{
    canceller_t *c = arg;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    br_exec_cancel(c->exec);
    return NULL;
}

static void
test_cancel(void)
{
    world_t *w = world_new(NULL);
    host_env_t env = {0};
    env.mode = HOST_CANCEL;
    env.cancel_at = 5;
    w->funcs[3] = br_func_new_host(w->store, &TYPES[T_I_I], host_fn, &env);
    /* forever: host(0); loop */
    fb_t f = fn_begin(w, 0, T_V_V, 0, 1);
    I(f, OP(i32_const), 0, 0);
    I(f, OP(call), 0, 3);
    I(f, OP(jump_back), 0, 2);
    /* spin: a loop without calls */
    fb_t s = fn_begin(w, 1, T_V_V, 0, 1);
    I(s, OP(jump_back), 0, 1);
    br_exec_t *e = call_trap(w, 0, vi32(0), BR_TRAP_CANCELLED);
    CHECK_EQ(env.calls, 5); /* answered right after the host call */
    CHECK(strcmp(br_exec_trap(e)->message, "execution cancelled") == 0);
    /* cancel while yielded */
    CHECK_EQ(br_exec_call(e, w->funcs[1], NULL, 0), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, 1000), BR_YIELD);
    br_exec_cancel(e);
    CHECK_EQ(br_exec_run(e, 1000), BR_TRAP);
    CHECK_EQ(br_exec_trap(e)->kind, BR_TRAP_CANCELLED);
    /* a new call starts uncancelled */
    CHECK_EQ(br_exec_call(e, w->funcs[1], NULL, 0), BR_ERR_OK);
    CHECK_EQ(br_exec_run(e, 1000), BR_YIELD);
    /* from another thread while running with unlimited fuel */
    canceller_t c = {e};
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, cancel_later, &c), 0);
    CHECK_EQ(br_exec_run(e, -1), BR_TRAP);
    pthread_join(th, NULL);
    CHECK_EQ(br_exec_trap(e)->kind, BR_TRAP_CANCELLED);
    br_exec_delete(e);
    world_delete(w);
}

/* ------------------------------------------------------------------ */
/* Exceptions (legacy try/catch/delegate/rethrow)                      */

enum { THROWER = 0 };

/* thrower(x): throw tag0 (x + 1); the throw is at pc 8 */
static void
build_thrower(world_t *w)
{
    fb_t f = fn_begin(w, THROWER, T_I_I, 1, 3);
    I(f, OP(local_get), 1, 0);
    I(f, OP(i32_const), 2, 1);
    I(f, OP(i32_add), 1);
    I(f, OP(throw_), 1, 0);
}

/*
 * A function of one param whose try body [0, 6) calls `callee(x)`, with
 * `hidden` exception slots after the param (operand stack from
 * 1 + hidden). Returns the builder; catch code follows at pc 9.
 */
static fb_t
build_try_call(world_t *w, uint32_t idx, uint32_t callee, uint32_t hidden)
{
    uint32_t sp = 1 + hidden;
    fb_t f = fn_begin(w, idx, T_I_I, 1, sp + 3);
    I(f, OP(local_get), sp, 0);
    I(f, OP(call), sp, callee);
    I(f, OP(ret), sp, 1);
    return f;
}

/* At pc: result = slot sp (the payload) op imm; return it. */
static void
emit_combine(fb_t *f, uint32_t sp, br_op_t op, uint32_t imm)
{
    emit(f, (const uint32_t[]){OP(i32_const), sp + 1, imm}, 3);
    emit(f, (const uint32_t[]){op, sp}, 2);
    emit(f, (const uint32_t[]){OP(ret), sp, 1}, 3);
}

static void
test_exceptions(void)
{
    world_t *w = world_new(NULL);
    build_thrower(w);
    /* 1: catch tag0 v -> v * 10 */
    fb_t f = build_try_call(w, 1, THROWER, 1);
    int32_t h = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 2, 1);
    add_catch(&f, h, 0, here(&f));
    emit_combine(&f, 2, OP(i32_mul), 10);
    CHECK_EQ(call_i32(w, 1, vi32(4)), 50);

    /* 2: catch_all -> 77 (no payload) */
    f = build_try_call(w, 2, THROWER, 1);
    h = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 2, 1);
    add_catch(&f, h, BR_NO_INDEX, here(&f));
    I(f, OP(i32_const), 2, 77);
    I(f, OP(ret), 2, 1);
    CHECK_EQ(call_i32(w, 2, vi32(4)), 77);

    /* 3: inner catches tag1 only; its parent catches tag0 -> v + 100 */
    f = build_try_call(w, 3, THROWER, 2);
    int32_t outer = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 3, 1);
    int32_t inner = handler(&f, 0, 6, outer, BRI_HANDLER_CATCH, -1, 3, 2);
    add_catch(&f, outer, 0, here(&f));
    emit_combine(&f, 3, OP(i32_add), 100);
    add_catch(&f, inner, 1, here(&f));
    emit_combine(&f, 3, OP(i32_add), 555);
    CHECK_EQ(call_i32(w, 3, vi32(4)), 105);

    /* 4: a delegate skips its parent and goes to the far handler */
    f = build_try_call(w, 4, THROWER, 2);
    int32_t far = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 3, 1);
    int32_t mid = handler(&f, 0, 6, far, BRI_HANDLER_CATCH, -1, 3, 2);
    handler(&f, 0, 6, mid, BRI_HANDLER_DELEGATE, far, 3, 2);
    add_catch(&f, far, 0, here(&f));
    emit_combine(&f, 3, OP(i32_add), 300);
    add_catch(&f, mid, 0, here(&f));
    emit_combine(&f, 3, OP(i32_add), 200);
    CHECK_EQ(call_i32(w, 4, vi32(4)), 305);

    /* 5: delegate to the caller (-1) past a catch_all; 6 catches it */
    f = build_try_call(w, 5, THROWER, 1);
    int32_t all = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 2, 1);
    handler(&f, 0, 6, all, BRI_HANDLER_DELEGATE, -1, 2, 1);
    add_catch(&f, all, BR_NO_INDEX, here(&f));
    emit_combine(&f, 2, OP(i32_add), 999);
    f = build_try_call(w, 6, 5, 1);
    h = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 2, 1);
    add_catch(&f, h, 0, here(&f));
    emit_combine(&f, 2, OP(i32_mul), 10);
    CHECK_EQ(call_i32(w, 6, vi32(4)), 50);

    /* 7: catch_all then rethrow; 8 catches the same exception */
    f = build_try_call(w, 7, THROWER, 1);
    h = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 2, 1);
    add_catch(&f, h, BR_NO_INDEX, here(&f));
    I(f, OP(rethrow), 1);
    f = build_try_call(w, 8, 7, 1);
    h = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 2, 1);
    add_catch(&f, h, 0, here(&f));
    emit_combine(&f, 2, OP(i32_mul), 10);
    CHECK_EQ(call_i32(w, 8, vi32(6)), 70);

    /* uncaught: directly, and past a handler for another tag */
    br_exec_t *e = call_trap(w, THROWER, vi32(1), BR_TRAP_UNCAUGHT_EXCEPTION);
    CHECK_EQ(br_exec_trap(e)->frame_count, 1);
    CHECK_EQ(br_exec_trap(e)->frames[0].code_offset, OFFSET(THROWER, 8));
    br_exec_delete(e);
    f = build_try_call(w, 9, THROWER, 1);
    h = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 2, 1);
    add_catch(&f, h, 1, here(&f));
    emit_combine(&f, 2, OP(i32_mul), 10);
    e = call_trap(w, 9, vi32(1), BR_TRAP_UNCAUGHT_EXCEPTION);
    const br_trap_t *t = br_exec_trap(e);
    CHECK_EQ(t->frame_count, 2);
    CHECK_EQ(t->frames[0].func_index, THROWER);
    CHECK_EQ(t->frames[1].func_index, 9);
    CHECK_EQ(t->frames[1].code_offset, OFFSET(9, 3));
    br_exec_delete(e);

    /* 10: throw and catch in one function, n times in a loop */
    f = fn_begin(w, 10, T_I_I, 2, 6);
    I(f, OP(local_get), 3, 1);
    I(f, OP(throw_), 3, 0);
    h = handler(&f, 0, 6, -1, BRI_HANDLER_CATCH, -1, 3, 2);
    add_catch(&f, h, 0, here(&f));
    I(f, OP(i32_const), 4, 1);
    I(f, OP(i32_add), 3);
    I(f, OP(local_tee), 3, 1);
    I(f, OP(local_get), 4, 0);
    I(f, OP(i32_lt_u), 3);
    I(f, OP(jump_if_back), 3, 0, 8);
    I(f, OP(local_get), 3, 1);
    I(f, OP(ret), 3, 1);
    CHECK_EQ(call_i32(w, 10, vi32(1000)), 1000);
    /* and under small fuel budgets */
    e = br_exec_new(w->store);
    br_val_t a = vi32(300);
    int y;
    CHECK_EQ(br_exec_call(e, w->funcs[10], &a, 1), BR_ERR_OK);
    CHECK_EQ(finish(e, 3, &y), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 300);
    CHECK(y > 50);
    a = vi32(4);
    CHECK_EQ(br_exec_call(e, w->funcs[4], &a, 1), BR_ERR_OK);
    CHECK_EQ(finish(e, 1, &y), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 305);
    br_exec_delete(e);
    world_delete(w);
}

/* ------------------------------------------------------------------ */
/* call_indirect                                                       */

static void
test_call_indirect(void)
{
    world_t *w = world_new(NULL);
    host_env_t env = {0};
    build_fib(w, 0);
    /* 1: a function of another type */
    fb_t g = fn_begin(w, 1, T_II_I, 2, 2);
    I(g, OP(ret), 0, 1);
    /* 2: ci(x, i) = table0[i](x), the call_indirect at pc 6 */
    fb_t f = fn_begin(w, 2, T_II_I, 2, 4);
    I(f, OP(local_get), 2, 0);
    I(f, OP(local_get), 3, 1);
    I(f, OP(call_indirect), 2, T_I_I, 0);
    I(f, OP(ret), 2, 1);
    br_table_t *t = w->tables[0];
    CHECK(br_table_set(t, 0, w->funcs[0]));
    CHECK(br_table_set(t, 1, w->funcs[1]));
    CHECK(br_table_set(
        t, 3, br_func_new_host(w->store, &TYPES[T_I_I_DUP], host_fn, &env)));
    br_val_t a[2] = {vi32(10), vi32(0)};
    br_exec_t *e;
    struct {
        int32_t index;
        int64_t want; /* result, or -trap kind */
    } cases[] = {
        {0, 55},
        {3, 21},
        {1, -BR_TRAP_INDIRECT_TYPE_MISMATCH},
        {2, -BR_TRAP_UNINITIALIZED_ELEMENT},
        {4, -BR_TRAP_UNDEFINED_ELEMENT},
        {-1, -BR_TRAP_UNDEFINED_ELEMENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        a[1] = vi32(cases[i].index);
        br_status_t st = call_n(w, 2, a, 2, &e);
        if (cases[i].want >= 0) {
            CHECK_EQ(st, BR_DONE);
            CHECK_EQ(br_exec_results(e)[0].of.i32, cases[i].want);
        } else {
            CHECK_EQ(st, BR_TRAP);
            CHECK_EQ(br_exec_trap(e)->kind, -cases[i].want);
            CHECK_EQ(br_exec_trap(e)->frames[0].code_offset, OFFSET(2, 6));
        }
        br_exec_delete(e);
    }
    /* return_call_indirect replaces the frame */
    fb_t r = fn_begin(w, 3, T_II_I, 2, 4);
    I(r, OP(local_get), 2, 0);
    I(r, OP(local_get), 3, 1);
    I(r, OP(return_call_indirect), 2, T_I_I, 0);
    a[1] = vi32(0);
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 55);
    br_exec_delete(e);
    a[1] = vi32(2);
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_TRAP);
    CHECK_EQ(br_exec_trap(e)->kind, BR_TRAP_UNINITIALIZED_ELEMENT);
    br_exec_delete(e);
    world_delete(w);
}

/* ------------------------------------------------------------------ */
/* Memory                                                              */

/* ld(addr) = i32.load offset=off from memory `mem`; type by mem. */
static void
build_load(world_t *w, uint32_t idx, uint32_t mem, uint64_t off)
{
    fb_t f = fn_begin(w, idx, mem == 1 ? T_L_I : T_I_I, 1, 2);
    I(f, OP(i32_load), 0, mem, LO(off), HI(off));
    I(f, OP(ret), 0, 1);
}

/* Traps (MEMORY_OOB) or returns the loaded value. */
static int64_t
load_at(world_t *w, uint32_t idx, uint64_t addr)
{
    br_val_t a = w->funcs[idx]->type->params[0] == BR_I64 ? vi64((int64_t)addr)
                                                          : vi32((int32_t)addr);
    br_exec_t *e;
    br_status_t st = call_n(w, idx, &a, 1, &e);
    int64_t r = st == BR_DONE ? br_exec_results(e)[0].of.i32 : -1;
    if (st == BR_TRAP) {
        CHECK_EQ(br_exec_trap(e)->kind, BR_TRAP_MEMORY_OOB);
        r = -2;
    }
    br_exec_delete(e);
    return r;
}

static void
test_memory_bounds(void)
{
    world_t *w = world_new(NULL);
    uint8_t *m = br_memory_data(w->mems[0]);
    uint32_t v = 0xA1B2C3D4;
    memcpy(m + 65532, &v, 4);
    build_load(w, 0, 0, 0);
    CHECK_EQ(load_at(w, 0, 65532), (int32_t)v);
    CHECK_EQ(load_at(w, 0, 65533), -2);
    CHECK_EQ(load_at(w, 0, 65536), -2);
    CHECK_EQ(load_at(w, 0, 0xFFFFFFFF), -2);
    build_load(w, 1, 0, 65532);
    CHECK_EQ(load_at(w, 1, 0), (int32_t)v);
    CHECK_EQ(load_at(w, 1, 1), -2);
    build_load(w, 2, 0, 0xFFFFFFFF);
    CHECK_EQ(load_at(w, 2, 0), -2);
    CHECK_EQ(load_at(w, 2, 0xFFFFFFFF), -2);

    /* memory64 (memory 1): offsets up to 2^64-1 trap, never wrap */
    uint8_t *m1 = br_memory_data(w->mems[1]);
    memcpy(m1, &v, 4);
    build_load(w, 3, 1, 0);
    CHECK_EQ(load_at(w, 3, 0), (int32_t)v);
    CHECK_EQ(load_at(w, 3, 1ull << 63), -2);
    CHECK_EQ(load_at(w, 3, UINT64_MAX), -2);
    CHECK_EQ(load_at(w, 3, UINT64_MAX - 2), -2);
    build_load(w, 4, 1, UINT64_MAX);
    CHECK_EQ(load_at(w, 4, 0), -2);
    CHECK_EQ(load_at(w, 4, 1), -2); /* 1 + (2^64 - 1) wraps to 0 */
    build_load(w, 5, 1, UINT64_MAX - 3);
    CHECK_EQ(load_at(w, 5, 4), -2);
    build_load(w, 6, 1, 1ull << 32);
    CHECK_EQ(load_at(w, 6, 0), -2);

    /* narrow loads and stores */
    fb_t f = fn_begin(w, 7, T_II_I, 2, 4);
    I(f, OP(local_get), 2, 0);
    I(f, OP(local_get), 3, 1);
    I(f, OP(i32_store16), 2, 0, 1, 0);
    I(f, OP(local_get), 2, 0);
    I(f, OP(i32_load8_s), 2, 0, 2, 0);
    I(f, OP(ret), 2, 1);
    br_val_t a[2] = {vi32(100), vi32(0x1F280)};
    br_exec_t *e;
    CHECK_EQ(call_n(w, 7, a, 2, &e), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, (int8_t)0xF2);
    CHECK_EQ(m[101], 0x80);
    CHECK_EQ(m[102], 0xF2);
    CHECK_EQ(m[103], 0);
    br_exec_delete(e);
    a[0] = vi32(65534); /* the store covers 65535..65536: out of bounds */
    CHECK_EQ(call_n(w, 7, a, 2, &e), BR_TRAP);
    CHECK_EQ(br_exec_trap(e)->frames[0].code_offset, OFFSET(7, 6));
    CHECK_EQ(m[65535], (uint8_t)(v >> 24)); /* nothing written */
    br_exec_delete(e);

    /* i64 loads sign/zero-extend; f32 bits pass unchanged */
    fb_t g = fn_begin(w, 8, T_L_L, 1, 2);
    I(g, OP(i32_wrap_i64), 0);
    I(g, OP(i64_load32_s), 0, 0, 0, 0);
    I(g, OP(ret), 0, 1);
    br_val_t x = vi64(65532);
    CHECK_EQ(call_n(w, 8, &x, 1, &e), BR_DONE);
    CHECK(br_exec_results(e)[0].of.i64 == (int64_t)(int32_t)v);
    br_exec_delete(e);
    world_delete(w);
}

static void
test_memory_ops(void)
{
    world_t *w = world_new(NULL);
    uint8_t *m = br_memory_data(w->mems[0]);
    /* 0: grow(d) then load at the last word of page 2 */
    fb_t f = fn_begin(w, 0, T_I_I, 1, 3);
    I(f, OP(local_get), 1, 0);
    I(f, OP(memory_grow), 1, 0);
    I(f, OP(memory_size), 2, 0);
    I(f, OP(i32_const), 2, 131068);
    I(f, OP(i32_load), 2, 0, 0, 0);
    I(f, OP(i32_add), 1);
    I(f, OP(ret), 1, 1);
    CHECK_EQ(call_i32(w, 0, vi32(1)), 1); /* old size 1 + zero loaded */
    CHECK_EQ(br_memory_size(w->mems[0]), 2 * 65536);
    CHECK_EQ(call_i32(w, 0, vi32(0)), 2);
    br_exec_t *e;
    /* 1: grow(d) -> old pages or -1 */
    f = fn_begin(w, 1, T_I_I, 1, 1);
    I(f, OP(memory_grow), 0, 0);
    I(f, OP(ret), 0, 1);
    CHECK_EQ(call_i32(w, 1, vi32(3)), -1); /* max is 4 */
    CHECK_EQ(call_i32(w, 1, vi32(-1)), -1);
    CHECK_EQ(call_i32(w, 1, vi32(2)), 2);
    /* memory64 grow answers -1 as i64 */
    f = fn_begin(w, 2, T_L_L, 1, 1);
    I(f, OP(memory_grow), 0, 1);
    I(f, OP(ret), 0, 1);
    br_val_t d = vi64(1ll << 40);
    CHECK_EQ(call_n(w, 2, &d, 1, &e), BR_DONE);
    CHECK(br_exec_results(e)[0].of.i64 == -1);
    br_exec_delete(e);

    /* 3: fill(d, n) with 0xAB; 4: copy(d, s) of 4 bytes; 5: init(d, n) */
    f = fn_begin(w, 3, T_II_I, 2, 5);
    I(f, OP(local_get), 2, 0);
    I(f, OP(i32_const), 3, 0x1AB);
    I(f, OP(local_get), 4, 1);
    I(f, OP(memory_fill), 2, 0);
    I(f, OP(i32_const), 2, 0);
    I(f, OP(ret), 2, 1);
    f = fn_begin(w, 4, T_II_I, 2, 5);
    I(f, OP(local_get), 2, 0);
    I(f, OP(local_get), 3, 1);
    I(f, OP(i32_const), 4, 4);
    I(f, OP(memory_copy), 2, 0, 0);
    I(f, OP(i32_const), 2, 0);
    I(f, OP(ret), 2, 1);
    f = fn_begin(w, 5, T_II_I, 2, 5);
    I(f, OP(local_get), 2, 0);
    I(f, OP(i32_const), 3, 2);
    I(f, OP(local_get), 4, 1);
    I(f, OP(memory_init), 2, 0, 0);
    I(f, OP(i32_const), 2, 0);
    I(f, OP(ret), 2, 1);
    fb_t dd = fn_begin(w, 6, T_V_I, 0, 1);
    I(dd, OP(data_drop), 0);
    I(dd, OP(i32_const), 0, 0);
    I(dd, OP(ret), 0, 1);
    uint64_t size = br_memory_size(w->mems[0]);
    br_val_t a[2] = {vi32(10), vi32(5)};
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_DONE);
    br_exec_delete(e);
    m = br_memory_data(w->mems[0]);
    CHECK_EQ(m[9], 0);
    CHECK_EQ(m[10], 0xAB);
    CHECK_EQ(m[14], 0xAB);
    CHECK_EQ(m[15], 0);
    a[0] = vi32((int32_t)size);
    a[1] = vi32(0);
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_DONE); /* n = 0 at the end: ok */
    br_exec_delete(e);
    a[0] = vi32((int32_t)size - 4);
    a[1] = vi32(5);
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_TRAP);
    CHECK_EQ(m[size - 4], 0); /* nothing written */
    br_exec_delete(e);
    a[0] = vi32(12); /* overlapping copy 10..13 -> 12..15 */
    a[1] = vi32(10);
    m[10] = 1, m[11] = 2, m[12] = 3, m[13] = 4;
    CHECK_EQ(call_n(w, 4, a, 2, &e), BR_DONE);
    br_exec_delete(e);
    CHECK(m[12] == 1 && m[13] == 2 && m[14] == 3 && m[15] == 4);
    a[1] = vi32((int32_t)size - 3);
    CHECK_EQ(call_n(w, 4, a, 2, &e), BR_TRAP);
    br_exec_delete(e);
    a[0] = vi32(200); /* init 200.. from data[2..] */
    a[1] = vi32(6);
    CHECK_EQ(call_n(w, 5, a, 2, &e), BR_DONE);
    br_exec_delete(e);
    CHECK(memcmp(m + 200, DATA0 + 2, 6) == 0);
    a[1] = vi32(7); /* past the segment's end */
    CHECK_EQ(call_n(w, 5, a, 2, &e), BR_TRAP);
    br_exec_delete(e);
    CHECK_EQ(call_i32(w, 6, vi32(0)), 0);
    CHECK_EQ(w->dropped[0], 1);
    /* a dropped segment has length 0: even n = 0 traps at source 2 */
    a[1] = vi32(0);
    CHECK_EQ(call_n(w, 5, a, 2, &e), BR_TRAP);
    CHECK_EQ(br_exec_trap(e)->kind, BR_TRAP_MEMORY_OOB);
    br_exec_delete(e);
    world_delete(w);
}

/* ------------------------------------------------------------------ */
/* Tables, globals, select, jump tables                                */

static void
test_tables(void)
{
    world_t *w = world_new(NULL);
    build_fib(w, 0);
    br_table_t *t0 = w->tables[0], *t1 = w->tables[1];
    /* 1: fill(i, n) table0 with ref.func 0 */
    fb_t f = fn_begin(w, 1, T_II_I, 2, 5);
    I(f, OP(local_get), 2, 0);
    I(f, OP(ref_func), 3, 0);
    I(f, OP(local_get), 4, 1);
    I(f, OP(table_fill), 2, 0);
    I(f, OP(table_size), 2, 0);
    I(f, OP(ret), 2, 1);
    br_val_t a[2] = {vi32(1), vi32(2)};
    br_exec_t *e;
    CHECK_EQ(call_n(w, 1, a, 2, &e), BR_DONE);
    CHECK_EQ(br_exec_results(e)[0].of.i32, 4);
    br_exec_delete(e);
    br_ref_t r = NULL;
    CHECK(br_table_get(t0, 0, &r) && r == NULL);
    CHECK(br_table_get(t0, 1, &r) && r == w->funcs[0]);
    CHECK(br_table_get(t0, 2, &r) && r == w->funcs[0]);
    CHECK(br_table_get(t0, 3, &r) && r == NULL);
    a[0] = vi32(3);
    CHECK_EQ(call_n(w, 1, a, 2, &e), BR_TRAP);
    CHECK_EQ(br_exec_trap(e)->kind, BR_TRAP_TABLE_OOB);
    br_exec_delete(e);
    CHECK(br_table_get(t0, 3, &r) && r == NULL);

    /* 2: copy(d, s) of 2; 3: init(d, n) from elem 0; 4: elem.drop */
    f = fn_begin(w, 2, T_II_I, 2, 5);
    I(f, OP(local_get), 2, 0);
    I(f, OP(local_get), 3, 1);
    I(f, OP(i32_const), 4, 2);
    I(f, OP(table_copy), 2, 0, 0);
    I(f, OP(i32_const), 2, 0);
    I(f, OP(ret), 2, 1);
    a[0] = vi32(2);
    a[1] = vi32(1);
    CHECK_EQ(call_n(w, 2, a, 2, &e), BR_DONE);
    br_exec_delete(e);
    CHECK(br_table_get(t0, 3, &r) && r == w->funcs[0]);
    a[0] = vi32(3);
    CHECK_EQ(call_n(w, 2, a, 2, &e), BR_TRAP);
    br_exec_delete(e);
    w->elem0[0] = w->funcs[1];
    w->elem0[2] = w->funcs[2];
    f = fn_begin(w, 3, T_II_I, 2, 5);
    I(f, OP(local_get), 2, 0);
    I(f, OP(i32_const), 3, 0);
    I(f, OP(local_get), 4, 1);
    I(f, OP(table_init), 2, 0, 0);
    I(f, OP(i32_const), 2, 0);
    I(f, OP(ret), 2, 1);
    a[0] = vi32(1);
    a[1] = vi32(3);
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_DONE);
    br_exec_delete(e);
    CHECK(br_table_get(t0, 1, &r) && r == w->funcs[1]);
    CHECK(br_table_get(t0, 2, &r) && r == NULL);
    CHECK(br_table_get(t0, 3, &r) && r == w->funcs[2]);
    a[1] = vi32(4);
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_TRAP);
    br_exec_delete(e);
    f = fn_begin(w, 4, T_V_I, 0, 1);
    I(f, OP(elem_drop), 0);
    I(f, OP(i32_const), 0, 0);
    I(f, OP(ret), 0, 1);
    CHECK_EQ(call_i32(w, 4, vi32(0)), 0);
    a[1] = vi32(0);
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_DONE);
    br_exec_delete(e);
    a[1] = vi32(1);
    CHECK_EQ(call_n(w, 3, a, 2, &e), BR_TRAP);
    br_exec_delete(e);

    /* 5: grow(d) table1 with null: old size or -1 */
    f = fn_begin(w, 5, T_I_I, 1, 3);
    I(f, OP(ref_null), 1);
    I(f, OP(local_get), 2, 0);
    I(f, OP(table_grow), 1, 1);
    I(f, OP(ret), 1, 1);
    CHECK_EQ(call_i32(w, 5, vi32(3)), 2);
    CHECK_EQ(br_table_size(t1), 5);
    CHECK_EQ(call_i32(w, 5, vi32(1000)), -1);
    /* 6: is_null(table1[i]) after table.set(i, ref.null); 7: get only */
    CHECK(br_table_set(t1, 4, (br_ref_t)&e));
    f = fn_begin(w, 6, T_I_I, 1, 3);
    I(f, OP(local_get), 1, 0);
    I(f, OP(table_get), 1, 1);
    I(f, OP(ref_is_null), 1);
    I(f, OP(ret), 1, 1);
    CHECK_EQ(call_i32(w, 6, vi32(4)), 0);
    CHECK_EQ(call_i32(w, 6, vi32(3)), 1);
    e = call_trap(w, 6, vi32(5), BR_TRAP_TABLE_OOB);
    CHECK_EQ(br_exec_trap(e)->frames[0].code_offset, OFFSET(6, 3));
    br_exec_delete(e);
    f = fn_begin(w, 7, T_I_I, 1, 3);
    I(f, OP(local_get), 1, 0);
    I(f, OP(ref_null), 2);
    I(f, OP(table_set), 1, 1);
    I(f, OP(i32_const), 1, 9);
    I(f, OP(ret), 1, 1);
    CHECK_EQ(call_i32(w, 7, vi32(4)), 9);
    CHECK(br_table_get(t1, 4, &r) && r == NULL);
    e = call_trap(w, 7, vi32(5), BR_TRAP_TABLE_OOB);
    br_exec_delete(e);
    world_delete(w);
}

static const br_functype_t V_L = {0, 1, NULL, K_L2};
static const br_functype_t V_F = {0, 1, NULL, K_F32};

static void
test_globals_select(void)
{
    world_t *w = world_new(NULL);
    /* 0: g0 += 1; return g0 */
    fb_t f = fn_begin(w, 0, T_V_I, 0, 2);
    I(f, OP(global_get), 0, 0);
    I(f, OP(i32_const), 1, 1);
    I(f, OP(i32_add), 0);
    I(f, OP(global_set), 0, 0);
    I(f, OP(global_get), 0, 0);
    I(f, OP(ret), 0, 1);
    CHECK_EQ(call_i32(w, 0, vi32(0)), -6);
    br_val_t g;
    br_global_get(w->globals[0], &g);
    CHECK_EQ(g.kind, BR_I32);
    CHECK(g.of.u64 == (uint32_t)-6); /* upper half stays zero */
    /* 1: g1 (i64) and 2: g2 (f32) round trips */
    f = fn_begin(w, 1, T_V_V, 0, 1);
    w->wasm[1].type = &V_L;
    I(f, OP(global_get), 0, 1);
    I(f, OP(i64_const), 0, 5, 1); /* 2^32 + 5 */
    I(f, OP(global_set), 0, 1);
    I(f, OP(global_get), 0, 1);
    I(f, OP(ret), 0, 1);
    br_exec_t *e;
    CHECK_EQ(call_n(w, 1, NULL, 0, &e), BR_DONE);
    CHECK(br_exec_results(e)[0].of.i64 == (1ll << 32) + 5);
    CHECK_EQ(br_exec_results(e)[0].kind, BR_I64);
    br_exec_delete(e);
    br_global_get(w->globals[1], &g);
    CHECK_EQ(g.kind, BR_I64);
    f = fn_begin(w, 2, T_V_V, 0, 2);
    w->wasm[2].type = &V_F;
    I(f, OP(global_get), 0, 2);
    I(f, OP(f32_const), 1, fb32(2.0f));
    I(f, OP(f32_mul), 0);
    I(f, OP(ret), 0, 1);
    CHECK_EQ(call_n(w, 2, NULL, 0, &e), BR_DONE);
    CHECK(br_exec_results(e)[0].of.f32 == 3.0f);
    br_exec_delete(e);

    /* 3: select(c) = c ? 10 : 20 */
    f = fn_begin(w, 3, T_I_I, 1, 4);
    I(f, OP(i32_const), 1, 10);
    I(f, OP(i32_const), 2, 20);
    I(f, OP(local_get), 3, 0);
    I(f, OP(select), 1);
    I(f, OP(ret), 1, 1);
    CHECK_EQ(call_i32(w, 3, vi32(7)), 10);
    CHECK_EQ(call_i32(w, 3, vi32(0)), 20);

    /* 4: br_table: 111 moved to slot 3 for entries 0/1, default keeps
     * it in slot 2: x=0 -> 112, x=1 -> 113, else -> 111 */
    f = fn_begin(w, 4, T_I_I, 1, 5);
    I(f, OP(local_get), 1, 0);
    I(f, OP(i32_const), 2, 111);
    uint32_t jt = here(&f);
    I(f, OP(jump_table), 1, 2, 2, 1, 0, 3, 0, 0, 3, 0, 0, 2, 1);
    patch(&f, jt + 5, here(&f));
    I(f, OP(i32_const), 4, 1);
    I(f, OP(i32_add), 3);
    I(f, OP(ret), 3, 1);
    patch(&f, jt + 8, here(&f));
    I(f, OP(i32_const), 4, 2);
    I(f, OP(i32_add), 3);
    I(f, OP(ret), 3, 1);
    patch(&f, jt + 11, here(&f));
    I(f, OP(ret), 2, 1);
    CHECK_EQ(call_i32(w, 4, vi32(0)), 112);
    CHECK_EQ(call_i32(w, 4, vi32(1)), 113);
    CHECK_EQ(call_i32(w, 4, vi32(2)), 111);
    CHECK_EQ(call_i32(w, 4, vi32(-1)), 111);
    /* a bad opcode word is an error, not a crash */
    f = fn_begin(w, 5, T_V_V, 0, 0);
    I(f, OP(nop));
    CHECK_EQ(call_n(w, 5, NULL, 0, &e), BR_ERROR);
    br_exec_delete(e);
    world_delete(w);
}

int
main(void)
{
    world_t *w = world_new(NULL);
    test_int_ops(w);
    test_float_ops(w);
    test_conversions(w);
    world_delete(w);
    test_numeric_helpers();
    test_backtrace();
    test_args_and_states();
    test_recursion();
    test_stack_oom();
    test_cross_instance();
    test_fuel();
    test_host();
    test_grow_while_suspended();
    test_tail_calls();
    test_cancel();
    test_exceptions();
    test_call_indirect();
    test_memory_bounds();
    test_memory_ops();
    test_tables();
    test_globals_select();
    return CHECK_DONE();
}
