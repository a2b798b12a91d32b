/*
 * beamr tests: store objects (memories, tables, globals, tags, host
 * functions), store cleanup with a counting allocator, and instantiation
 * (import checks, segments, allocation-failure injection).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "../../c_src/engine/internal.h"
#include "check.h"

/* Placeholder trap error of br_instance_new (c_src/engine/store.h). */
#include "../../c_src/engine/store.h"

/* ------------------------------------------------------------------ */
/* A counting allocator with failure injection                         */

#include "count_alloc.h"

static br_limitstype_t
lim(uint64_t min, bool has_max, uint64_t max)
{
    br_limitstype_t l;
    memset(&l, 0, sizeof l);
    l.min = min;
    l.has_max = has_max;
    l.max = max;
    return l;
}

static bool
all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Memories                                                            */

static void
test_memory_basic(br_store_t *s)
{
    br_limitstype_t l = lim(1, true, 3);
    br_memory_t *m = br_memory_new(s, &l);
    CHECK(m != NULL);
    CHECK_EQ(br_memory_size(m), 65536);
    CHECK(all_zero(br_memory_data(m), 65536));
    br_memory_data(m)[100] = 7;
    br_memory_data(m)[65535] = 9;

    uint64_t old = 99;
    CHECK(br_memory_grow(m, 0, &old));
    CHECK_EQ(old, 1);
    CHECK_EQ(br_memory_size(m), 65536);

    CHECK(br_memory_grow(m, 1, &old));
    CHECK_EQ(old, 1);
    CHECK_EQ(br_memory_size(m), 2 * 65536);
    CHECK_EQ(br_memory_data(m)[100], 7);
    CHECK_EQ(br_memory_data(m)[65535], 9);
    CHECK(all_zero(br_memory_data(m) + 65536, 65536));

    br_limitstype_t t;
    br_memory_type(m, &t);
    CHECK_EQ(t.min, 2); /* the instance type follows the size */
    CHECK(t.has_max);
    CHECK_EQ(t.max, 3);

    old = 99;
    CHECK(!br_memory_grow(m, 2, &old)); /* 4 > max 3 */
    CHECK_EQ(old, 99);
    CHECK_EQ(br_memory_size(m), 2 * 65536);
    CHECK(!br_memory_grow(m, UINT64_MAX, NULL));
    CHECK(br_memory_grow(m, 1, NULL));
    CHECK_EQ(br_memory_size(m), 3 * 65536);
    CHECK(!br_memory_grow(m, 1, NULL));
    CHECK(br_memory_grow(m, 0, &old)); /* delta 0 at the max still works */
    CHECK_EQ(old, 3);
}

static void
test_memory_empty_and_invalid(br_store_t *s)
{
    br_limitstype_t l = lim(0, false, 0);
    br_memory_t *m = br_memory_new(s, &l);
    CHECK(m != NULL);
    CHECK_EQ(br_memory_size(m), 0);
    CHECK(br_memory_data(m) != NULL); /* never NULL, even when empty */
    uint64_t old = 99;
    CHECK(br_memory_grow(m, 2, &old));
    CHECK_EQ(old, 0);
    CHECK_EQ(br_memory_size(m), 2 * 65536);
    CHECK(all_zero(br_memory_data(m), 2 * 65536));

    br_limitstype_t bad = lim(2, true, 1);
    CHECK(br_memory_new(s, &bad) == NULL);
    br_limitstype_t big = lim(65537, false, 0);
    CHECK(br_memory_new(s, &big) == NULL); /* above the 32-bit maximum */
    CHECK(br_memory_new(s, NULL) == NULL);
    CHECK(br_memory_new(NULL, &l) == NULL);
}

/* Without a declared max a 32-bit memory stops at 65536 pages. */
static void
test_memory_spec_max(br_store_t *s)
{
    br_limitstype_t l = lim(1, false, 0);
    br_memory_t *m = br_memory_new(s, &l);
    CHECK(m != NULL);
    CHECK(!br_memory_grow(m, 65536, NULL)); /* 65537 pages */
    CHECK_EQ(br_memory_size(m), 65536);
    CHECK(br_memory_grow(m, 0, NULL));
}

/* 64-bit memories: 2^48 pages is the spec maximum; the allocator (which
 * refuses blocks over 1 GiB here) has the last word below that. */
static void
test_memory64(br_store_t *s)
{
    br_limitstype_t l = lim(1, false, 0);
    l.is64 = true;
    br_memory_t *m = br_memory_new(s, &l);
    CHECK(m != NULL);
    br_limitstype_t t;
    br_memory_type(m, &t);
    CHECK(t.is64);
    CHECK(!br_memory_grow(m, (1ull << 48), NULL));
    CHECK(!br_memory_grow(m, UINT64_MAX / 65536, NULL));
    CHECK(!br_memory_grow(m, (1ull << 47), NULL)); /* allocator says no */
    CHECK_EQ(br_memory_size(m), 65536);
    br_memory_data(m)[5] = 5;
    CHECK(br_memory_grow(m, 3, NULL));
    CHECK_EQ(br_memory_size(m), 4 * 65536);
    CHECK_EQ(br_memory_data(m)[5], 5);

    br_limitstype_t over = lim(1, true, (1ull << 48) + 1);
    over.is64 = true;
    br_memory_t *m2 = br_memory_new(s, &over);
    CHECK(m2 != NULL); /* max above the spec max is clipped, not fatal */
    CHECK(!br_memory_grow(m2, 1ull << 48, NULL));
}

/* A small memory is a slot of the engine's pool: it grows in place up
 * to the slot (1 MiB) without the host allocator, the new pages read as
 * zeros; past it, it moves with its contents. A slot given back reads
 * as zeros when it is taken again. */
static void
test_memory_slot(counter_t *c, br_engine_t *e)
{
    br_store_t *s = br_store_new(e, NULL);
    br_limitstype_t l0 = lim(0, false, 0);
    br_memory_t *keep = br_memory_new(s, &l0); /* the pool stays mapped */
    br_memory_t *m0 = br_memory_new(s, &l0);
    CHECK(keep != NULL && m0 != NULL);
    uint8_t *before = br_memory_data(m0);
    c->fail_at = c->calls;
    CHECK(br_memory_grow(m0, 1, NULL));
    CHECK(br_memory_grow(m0, 15, NULL));
    c->fail_at = -1;
    CHECK_EQ(br_memory_size(m0), 16 * 65536);
    CHECK(br_memory_data(m0) == before);
    CHECK(all_zero(br_memory_data(m0), 16 * 65536));
    memset(br_memory_data(m0), 0x5a, 16 * 65536);
    CHECK(br_memory_grow(m0, 1, NULL));
    CHECK_EQ(br_memory_size(m0), 17 * 65536);
    CHECK(br_memory_data(m0) != before);
    CHECK_EQ(br_memory_data(m0)[0], 0x5a);
    CHECK_EQ(br_memory_data(m0)[16 * 65536 - 1], 0x5a);
    CHECK(all_zero(br_memory_data(m0) + 16 * 65536, 65536));
    /* the written slot went back to the pool: the next one reads zeros */
    br_limitstype_t l16 = lim(16, false, 0);
    br_memory_t *m1 = br_memory_new(s, &l16);
    CHECK(m1 != NULL);
    CHECK(br_memory_data(m1) == before);
    CHECK(all_zero(br_memory_data(m1), 16 * 65536));
    br_store_delete(s);
}

static void
test_memory_store_limit(counter_t *c, br_engine_t *e)
{
    br_limits_t limits;
    memset(&limits, 0, sizeof limits);
    limits.max_memory_pages = 2;
    br_store_t *s = br_store_new(e, &limits);
    CHECK(s != NULL);
    br_limitstype_t l = lim(1, true, 10);
    br_memory_t *m = br_memory_new(s, &l);
    CHECK(m != NULL);
    CHECK(br_memory_grow(m, 1, NULL));
    CHECK(!br_memory_grow(m, 1, NULL));
    br_limitstype_t t;
    br_memory_type(m, &t);
    CHECK_EQ(t.max, 10); /* the type keeps the declared max */
    br_limitstype_t l3 = lim(3, false, 0);
    CHECK(br_memory_new(s, &l3) == NULL);

    br_store_delete(s);
    test_memory_slot(c, e);
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */

#define REF(n) ((br_ref_t)(uintptr_t)(n))

static void
test_table_basic(br_store_t *s)
{
    br_limitstype_t l = lim(2, true, 4);
    br_table_t *t = br_table_new(s, BR_EXTERNREF, &l, REF(0x10));
    CHECK(t != NULL);
    CHECK_EQ(br_table_elem_kind(t), BR_EXTERNREF);
    CHECK_EQ(br_table_size(t), 2);
    br_ref_t r = NULL;
    CHECK(br_table_get(t, 1, &r));
    CHECK(r == REF(0x10));
    CHECK(br_table_set(t, 0, REF(0x20)));
    CHECK(br_table_get(t, 0, &r));
    CHECK(r == REF(0x20));
    CHECK(!br_table_get(t, 2, &r));
    CHECK(!br_table_set(t, 2, NULL));
    CHECK(!br_table_get(t, UINT64_MAX, &r));

    uint64_t old = 99;
    CHECK(br_table_grow(t, 0, NULL, &old));
    CHECK_EQ(old, 2);
    CHECK(br_table_grow(t, 1, REF(0x30), &old));
    CHECK_EQ(old, 2);
    CHECK_EQ(br_table_size(t), 3);
    CHECK(br_table_get(t, 2, &r));
    CHECK(r == REF(0x30));
    CHECK(br_table_get(t, 0, &r));
    CHECK(r == REF(0x20));
    CHECK(!br_table_grow(t, 2, NULL, &old)); /* 5 > 4 */
    CHECK(!br_table_grow(t, UINT64_MAX, NULL, &old));
    CHECK_EQ(br_table_size(t), 3);
    CHECK(br_table_grow(t, 1, NULL, NULL));
    CHECK_EQ(br_table_size(t), 4);
}

static void
test_table_limits(br_engine_t *e)
{
    br_limits_t limits;
    memset(&limits, 0, sizeof limits);
    limits.max_table_elems = 5;
    br_store_t *s = br_store_new(e, &limits);
    br_limitstype_t l = lim(0, false, 0);
    br_table_t *t = br_table_new(s, BR_FUNCREF, &l, NULL);
    CHECK(t != NULL);
    CHECK_EQ(br_table_size(t), 0);
    CHECK(br_table_grow(t, 5, NULL, NULL));
    CHECK(!br_table_grow(t, 1, NULL, NULL));
    br_limitstype_t l6 = lim(6, false, 0);
    CHECK(br_table_new(s, BR_FUNCREF, &l6, NULL) == NULL);
    CHECK(br_table_new(s, BR_I32, &l, NULL) == NULL);
    br_limitstype_t bad = lim(3, true, 2);
    CHECK(br_table_new(s, BR_FUNCREF, &bad, NULL) == NULL);
    br_table_t *t64 = NULL;
    br_limitstype_t l64 = lim(1, false, 0);
    l64.is64 = true;
    t64 = br_table_new(s, BR_EXTERNREF, &l64, NULL);
    CHECK(t64 != NULL);
    CHECK(!br_table_grow(t64, 5, NULL, NULL));
    CHECK(br_table_grow(t64, 4, NULL, NULL));
    br_store_delete(s);
}

/* ------------------------------------------------------------------ */
/* Globals, tags and host functions                                    */

static void
test_globals(br_store_t *s)
{
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = BR_I32;
    v.of.i32 = -5;
    br_global_t *g = br_global_new(s, BR_I32, true, &v);
    CHECK(g != NULL);
    CHECK(br_global_is_mutable(g));
    br_val_t out;
    br_global_get(g, &out);
    CHECK_EQ(out.kind, BR_I32);
    CHECK_EQ(out.of.i32, -5);
    CHECK_EQ(out.of.u64, 0xFFFFFFFBull); /* upper half zeroed */

    v.of.u64 = 0xDEADBEEF00000007ull; /* junk above the i32 */
    CHECK(br_global_set(g, &v));
    br_global_get(g, &out);
    CHECK_EQ(out.of.u64, 7);

    br_val_t wrong = v;
    wrong.kind = BR_I64;
    CHECK(!br_global_set(g, &wrong));
    br_global_get(g, &out);
    CHECK_EQ(out.kind, BR_I32);
    CHECK_EQ(out.of.i32, 7);

    br_global_t *c = br_global_new(s, BR_F64, false, NULL);
    CHECK(c != NULL);
    CHECK(!br_global_is_mutable(c));
    br_global_get(c, &out);
    CHECK_EQ(out.kind, BR_F64);
    CHECK_EQ(out.of.u64, 0);
    memset(&v, 0, sizeof v);
    v.kind = BR_F64;
    v.of.f64 = 1.5;
    CHECK(!br_global_set(c, &v)); /* immutable */
    CHECK(br_global_new(s, BR_F32, false, &v) == NULL); /* kind mismatch */
    CHECK(br_global_new(s, 0x55, false, NULL) == NULL);

    br_global_t *r = br_global_new(s, BR_EXTERNREF, true, NULL);
    CHECK(r != NULL);
    br_global_get(r, &out);
    CHECK(out.of.ref == NULL);
}

static br_host_status_t
host_add(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *res)
{
    (void)exec;
    res[0].of.i32 = args[0].of.i32 + args[1].of.i32 + *(int32_t *)env;
    return BR_HOST_OK;
}

static void
test_tags_and_host_funcs(br_store_t *s)
{
    br_valkind_t params[2] = {BR_I32, BR_I32};
    br_valkind_t results[1] = {BR_I32};
    br_functype_t ft = {2, 1, params, results};
    int32_t env = 100;
    br_func_t *f = br_func_new_host(s, &ft, host_add, &env);
    CHECK(f != NULL);
    br_tag_t *tag = br_tag_new(s, &ft);
    CHECK(tag != NULL);
    params[0] = BR_F64; /* the objects hold copies */
    results[0] = BR_I64;
    const br_functype_t *got = br_func_type(f);
    CHECK_EQ(got->param_count, 2);
    CHECK_EQ(got->result_count, 1);
    CHECK_EQ(got->params[0], BR_I32);
    CHECK_EQ(got->params[1], BR_I32);
    CHECK_EQ(got->results[0], BR_I32);
    CHECK(got != &ft);
    CHECK(br_func_host_env(f) == &env);

    br_functype_t empty = {0, 0, NULL, NULL};
    br_func_t *f0 = br_func_new_host(s, &empty, host_add, NULL);
    CHECK(f0 != NULL);
    CHECK_EQ(br_func_type(f0)->param_count, 0);
    CHECK(br_tag_new(s, &empty) != NULL);

    br_functype_t broken = {1, 0, NULL, NULL};
    CHECK(br_func_new_host(s, &broken, host_add, NULL) == NULL);
    CHECK(br_tag_new(s, &broken) == NULL);
    CHECK(br_func_new_host(s, &empty, NULL, NULL) == NULL);
    br_valkind_t bad_kind[1] = {0x42};
    br_functype_t bad = {1, 0, bad_kind, NULL};
    CHECK(br_tag_new(s, &bad) == NULL);
}

/* ------------------------------------------------------------------ */
/* Store lifetime and allocation failures                               */

static void
make_one_of_each(br_store_t *s, bool *all_ok)
{
    br_limitstype_t l = lim(1, true, 2);
    br_valkind_t k[1] = {BR_I64};
    br_functype_t ft = {1, 1, k, k};
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = BR_I64;
    bool ok = br_memory_new(s, &l) != NULL;
    ok = br_table_new(s, BR_FUNCREF, &l, NULL) != NULL && ok;
    ok = br_global_new(s, BR_I64, true, &v) != NULL && ok;
    ok = br_tag_new(s, &ft) != NULL && ok;
    ok = br_func_new_host(s, &ft, host_add, NULL) != NULL && ok;
    *all_ok = ok;
}

static void
test_store_frees_everything(void)
{
    counter_t c;
    br_engine_t *e = count_engine_new(&c);
    CHECK(e != NULL);
    size_t engine_bytes = c.live;
    br_store_t *s = br_store_new(e, NULL);
    CHECK(s != NULL);
    for (int i = 0; i < 20; i++) {
        bool ok;
        make_one_of_each(s, &ok);
        CHECK(ok);
    }
    /* (their memories are slots of the engine's pool, not counted) */
    CHECK(c.live > engine_bytes + 20 * sizeof(br_memory_t));
    br_store_delete(s);
    CHECK_EQ(c.live, engine_bytes);
    br_store_delete(NULL);
    br_engine_delete(e);
    CHECK_EQ(c.live, 0);
}

/* Fail the Nth allocation for every N: constructors fail cleanly and the
 * store still frees whatever did get created. */
static void
test_object_alloc_failures(void)
{
    counter_t c;
    br_engine_t *e = count_engine_new(&c);
    size_t engine_bytes = c.live;
    bool ok = false;
    int rounds = 0;
    for (long n = 0; !ok && n < 100; n++) {
        br_store_t *s = br_store_new(e, NULL);
        CHECK(s != NULL);
        c.calls = 0;
        c.fail_at = n;
        make_one_of_each(s, &ok);
        c.fail_at = -1;
        br_store_delete(s);
        CHECK_EQ(c.live, engine_bytes);
        rounds++;
    }
    CHECK(ok);
    CHECK(rounds > 5); /* every constructor allocated at least once */
    br_engine_delete(e);
    CHECK_EQ(c.live, 0);

    e = count_engine_new(&c);
    c.fail_at = 0; /* the store itself */
    c.calls = 0;
    CHECK(br_store_new(e, NULL) == NULL);
    c.fail_at = -1;
    br_engine_delete(e);
    CHECK_EQ(c.live, 0);
}

static void
test_store_limits_merge(br_engine_t *e)
{
    CHECK(br_store_new(NULL, NULL) == NULL);
    br_limits_t limits;
    memset(&limits, 0, sizeof limits);
    limits.max_table_elems = 3;
    br_store_t *s = br_store_new(e, &limits);
    br_limitstype_t big = lim(70000, false, 0);
    /* memory limit left at 0: the engine default (spec max) applies */
    CHECK(br_memory_new(s, &big) == NULL);
    br_limitstype_t small = lim(3, false, 0);
    CHECK(br_table_new(s, BR_FUNCREF, &small, NULL) != NULL);
    small.min = 4;
    CHECK(br_table_new(s, BR_FUNCREF, &small, NULL) == NULL);
    br_store_delete(s);
}

static void
test_objects(void)
{
    counter_t c;
    br_engine_t *e = count_engine_new(&c);
    br_store_t *s = br_store_new(e, NULL);
    test_memory_basic(s);
    test_memory_empty_and_invalid(s);
    test_memory_spec_max(s);
    test_memory64(s);
    test_memory_store_limit(&c, e);
    test_table_basic(s);
    test_table_limits(e);
    test_globals(s);
    test_tags_and_host_funcs(s);
    test_store_limits_merge(e);
    br_store_delete(s);
    br_engine_delete(e);
    CHECK_EQ(c.live, 0);
    test_store_frees_everything();
    test_object_alloc_failures();
}

/* ------------------------------------------------------------------ */
/* Instantiation of hand-built module structures                        */

/* Opcode bytes for hand-assembled constant expressions and binaries. */
enum {
    OP_END = 0x0B,
    OP_GLOBAL_GET = 0x23,
    OP_I32_CONST = 0x41,
    OP_I64_CONST = 0x42,
    OP_F32_CONST = 0x43,
    OP_F64_CONST = 0x44,
    OP_I32_ADD = 0x6A,
    OP_I32_SUB = 0x6B,
    OP_I32_MUL = 0x6C,
    OP_I64_ADD = 0x7C,
    OP_I64_SUB = 0x7D,
    OP_I64_MUL = 0x7E,
    OP_REF_NULL = 0xD0,
    OP_REF_FUNC = 0xD2,
};

static const uint8_t CX_G0_PLUS_5[] = {OP_GLOBAL_GET, 0, OP_I32_CONST, 5,
                                       OP_I32_ADD, OP_END};
static const uint8_t CX_I64_M1[] = {OP_I64_CONST, 0x7F, OP_END};
static const uint8_t CX_REF_FUNC1[] = {OP_REF_FUNC, 1, OP_END};
static const uint8_t CX_REF_FUNC0[] = {OP_REF_FUNC, 0, OP_END};
static const uint8_t CX_F32_1_5[] = {OP_F32_CONST, 0, 0, 0xC0, 0x3F,
                                     OP_END};
static const uint8_t CX_NULL_EXTERN[] = {OP_REF_NULL, BR_EXTERNREF, OP_END};
static const uint8_t CX_NULL_FUNC[] = {OP_REF_NULL, BR_FUNCREF, OP_END};
static const uint8_t CX_G0[] = {OP_GLOBAL_GET, 0, OP_END};
static const uint8_t CX_I32_1[] = {OP_I32_CONST, 1, OP_END};
static const uint8_t CX_I32_3[] = {OP_I32_CONST, 3, OP_END};
static const uint8_t CX_I32_10[] = {OP_I32_CONST, 10, OP_END};
static const uint8_t CX_I32_65535[] = {OP_I32_CONST, 0xFF, 0xFF, 0x03,
                                       OP_END};
static const uint8_t CX_I64_10[] = {OP_I64_CONST, 10, OP_END};

#define CX(bytes) ((bri_constexpr_t){(bytes), sizeof(bytes), 0})
#define NAME(s) ((br_name_t){sizeof(s) - 1, (s)})

static const br_valkind_t K_I32[1] = {BR_I32};

/*
 * Imports: func env.f () -> i32, memory env.mem {1, 2}, global env.g
 * i32 const, table env.tab funcref {2}, tag env.tag (i32).
 * Defines 2 functions, memory 1 {1}, table 1 {4}, globals 1..5, tag 1,
 * element segments (0: active on the imported table at env.g, 1: active
 * on table 1 at 1, 2: passive, 3: declarative), data segments (0: active
 * on the imported memory at env.g, 1: active on memory 1 at 10,
 * 2: passive) and a start function.
 */
typedef struct fixture {
    br_module_t m;
    br_functype_t types[2];
    bri_import_t imports[5];
    bri_func_t funcs[3];
    bri_tabledecl_t tables[2];
    br_limitstype_t memories[2];
    bri_globaldecl_t globals[6];
    uint32_t tags[2];
    bri_elem_t elems[4];
    uint32_t seg0_funcs[1], seg1_funcs[2], seg3_funcs[1];
    bri_constexpr_t seg2_exprs[2];
    bri_data_t datas[3];
    bri_export_t exports[5];
} fixture_t;

static void
fixture_imports(fixture_t *f)
{
    static const br_externkind_t kinds[5] = {
        BR_EXTERN_FUNC, BR_EXTERN_MEMORY, BR_EXTERN_GLOBAL, BR_EXTERN_TABLE,
        BR_EXTERN_TAG};
    static const char *const names[5] = {"f", "mem", "g", "tab", "tag"};
    for (int i = 0; i < 5; i++) {
        f->imports[i].module = NAME("env");
        f->imports[i].name.data = names[i];
        f->imports[i].name.size = strlen(names[i]);
        f->imports[i].kind = kinds[i];
        f->imports[i].index = 0;
    }
}

static void
fixture_globals(fixture_t *f)
{
    bri_globaldecl_t *g = f->globals;
    g[0].kind = BR_I32;
    g[0].type = BR_I32;
    g[1] = (bri_globaldecl_t){BR_I32, true, CX(CX_G0_PLUS_5), BR_I32};
    g[2] = (bri_globaldecl_t){BR_I64, false, CX(CX_I64_M1), BR_I64};
    g[3] = (bri_globaldecl_t){BR_FUNCREF, false, CX(CX_REF_FUNC1),
                              BR_FUNCREF};
    g[4] = (bri_globaldecl_t){BR_F32, true, CX(CX_F32_1_5), BR_F32};
    g[5] = (bri_globaldecl_t){BR_EXTERNREF, true, CX(CX_NULL_EXTERN),
                              BR_EXTERNREF};
}

static void
fixture_elems(fixture_t *f)
{
    bri_elem_t *e = f->elems;
    f->seg0_funcs[0] = 2;
    e[0] = (bri_elem_t){BRI_SEG_ACTIVE, BR_FUNCREF, 0, CX(CX_G0), 1,
                        f->seg0_funcs, NULL, BR_FUNCREF};
    f->seg1_funcs[0] = 1;
    f->seg1_funcs[1] = 2;
    e[1] = (bri_elem_t){BRI_SEG_ACTIVE, BR_FUNCREF, 1, CX(CX_I32_1), 2,
                        f->seg1_funcs, NULL, BR_FUNCREF};
    f->seg2_exprs[0] = CX(CX_REF_FUNC0);
    f->seg2_exprs[1] = CX(CX_NULL_FUNC);
    e[2] = (bri_elem_t){BRI_SEG_PASSIVE, BR_FUNCREF, 0, {0}, 2, NULL,
                        f->seg2_exprs, BR_FUNCREF};
    f->seg3_funcs[0] = 2;
    e[3] = (bri_elem_t){BRI_SEG_DECLARATIVE, BR_FUNCREF, 0, {0}, 1,
                        f->seg3_funcs, NULL, BR_FUNCREF};
}

static void
fixture_datas(fixture_t *f)
{
    bri_data_t *d = f->datas;
    d[0] = (bri_data_t){BRI_SEG_ACTIVE, 0, CX(CX_G0),
                        (const uint8_t *)"ab", 2};
    d[1] = (bri_data_t){BRI_SEG_ACTIVE, 1, CX(CX_I32_10),
                        (const uint8_t *)"hello", 5};
    d[2] = (bri_data_t){BRI_SEG_PASSIVE, 0, {0}, (const uint8_t *)"xyz",
                        3};
}

static void
fixture_exports(fixture_t *f)
{
    bri_export_t *x = f->exports;
    x[0] = (bri_export_t){NAME("run"), BR_EXTERN_FUNC, 2};
    x[1] = (bri_export_t){NAME("mem"), BR_EXTERN_MEMORY, 1};
    x[2] = (bri_export_t){NAME("g1"), BR_EXTERN_GLOBAL, 1};
    x[3] = (bri_export_t){NAME("tab"), BR_EXTERN_TABLE, 1};
    x[4] = (bri_export_t){NAME("tag"), BR_EXTERN_TAG, 1};
}

static void
fixture_init(fixture_t *f, br_engine_t *e)
{
    memset(f, 0, sizeof *f);
    br_module_t *m = &f->m;
    m->engine = e;
    f->types[0] = (br_functype_t){0, 1, NULL, K_I32};
    f->types[1] = (br_functype_t){1, 0, K_I32, NULL};
    fixture_imports(f);
    f->funcs[1].type = 0;
    f->funcs[2].type = 0;
    f->tables[0] = (bri_tabledecl_t){BR_FUNCREF, lim(2, false, 0),
                                      BR_FUNCREF, false, {0}};
    f->tables[1] = (bri_tabledecl_t){BR_FUNCREF, lim(4, false, 0),
                                      BR_FUNCREF, false, {0}};
    f->memories[0] = lim(1, true, 2);
    f->memories[1] = lim(1, false, 0);
    f->tags[0] = 1;
    f->tags[1] = 1;
    fixture_globals(f);
    fixture_elems(f);
    fixture_datas(f);
    fixture_exports(f);
    m->type_count = 2, m->types = f->types;
    m->import_count = 5, m->imports = f->imports;
    m->export_count = 5, m->exports = f->exports;
    m->func_count = 3, m->func_import_count = 1, m->funcs = f->funcs;
    m->table_count = 2, m->table_import_count = 1, m->tables = f->tables;
    m->memory_count = 2, m->memory_import_count = 1;
    m->memories = f->memories;
    m->global_count = 6, m->global_import_count = 1;
    m->globals = f->globals;
    m->tag_count = 2, m->tag_import_count = 1, m->tags = f->tags;
    m->start = 2;
    m->elem_count = 4, m->elems = f->elems;
    m->data_count = 3, m->datas = f->datas;
}

/* Host objects matching the fixture's imports. */
typedef struct host {
    br_func_t *f;
    br_memory_t *mem;
    br_global_t *g;
    br_table_t *tab;
    br_tag_t *tag;
    br_extern_t ext[5];
} host_t;

static br_host_status_t
host_nop(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *res)
{
    (void)env, (void)exec, (void)args, (void)res;
    return BR_HOST_OK;
}

static bool
host_init(host_t *h, br_store_t *s)
{
    br_functype_t ft0 = {0, 1, NULL, K_I32};
    br_functype_t ft1 = {1, 0, K_I32, NULL};
    br_limitstype_t ml = lim(1, true, 2), tl = lim(2, false, 0);
    br_val_t one;
    memset(&one, 0, sizeof one);
    one.kind = BR_I32;
    one.of.i32 = 1;
    h->f = br_func_new_host(s, &ft0, host_nop, NULL);
    h->mem = br_memory_new(s, &ml);
    h->g = br_global_new(s, BR_I32, false, &one);
    h->tab = br_table_new(s, BR_FUNCREF, &tl, NULL);
    h->tag = br_tag_new(s, &ft1);
    h->ext[0] = (br_extern_t){BR_EXTERN_FUNC, {.func = h->f}};
    h->ext[1] = (br_extern_t){BR_EXTERN_MEMORY, {.memory = h->mem}};
    h->ext[2] = (br_extern_t){BR_EXTERN_GLOBAL, {.global = h->g}};
    h->ext[3] = (br_extern_t){BR_EXTERN_TABLE, {.table = h->tab}};
    h->ext[4] = (br_extern_t){BR_EXTERN_TAG, {.tag = h->tag}};
    return h->f && h->mem && h->g && h->tab && h->tag;
}

static void
check_fixture_instance(br_instance_t *inst, const fixture_t *f,
                       const host_t *h)
{
    const br_module_t *m = &f->m;
    CHECK(br_instance_module(inst) == m);
    CHECK(inst->funcs[0] == h->f);
    for (uint32_t i = 1; i < 3; i++) {
        CHECK(inst->funcs[i]->inst == inst);
        CHECK_EQ(inst->funcs[i]->index, i);
        CHECK(inst->funcs[i]->code == &m->funcs[i].code);
        CHECK(inst->funcs[i]->type == &m->types[0]);
        CHECK(inst->funcs[i]->host == NULL);
    }
    CHECK(br_instance_start_func(inst) == inst->funcs[2]);
    CHECK(inst->memories[0] == h->mem);
    CHECK(inst->tables[0] == h->tab);
    CHECK(inst->globals[0] == h->g);
    CHECK(inst->tags[0] == h->tag);
    CHECK(inst->tags[1] != h->tag);
    CHECK(inst->tags[1]->type == &m->types[1]);
    CHECK(br_instance_memory(inst, 0) == h->mem);
    CHECK(br_instance_memory(inst, 2) == NULL);
    CHECK(br_instance_table(inst, 1) == inst->tables[1]);
    CHECK(br_instance_table(inst, 2) == NULL);
}

static void
check_fixture_globals(br_instance_t *inst)
{
    br_val_t v;
    br_global_get(inst->globals[1], &v);
    CHECK_EQ(v.kind, BR_I32);
    CHECK_EQ(v.of.i32, 6); /* env.g (1) + 5 */
    CHECK(br_global_is_mutable(inst->globals[1]));
    br_global_get(inst->globals[2], &v);
    CHECK_EQ(v.kind, BR_I64);
    CHECK_EQ(v.of.i64, -1);
    CHECK(!br_global_is_mutable(inst->globals[2]));
    br_global_get(inst->globals[3], &v);
    CHECK(v.of.ref == inst->funcs[1]);
    br_global_get(inst->globals[4], &v);
    CHECK_EQ(v.of.u32, 0x3FC00000u);
    CHECK(v.of.f32 == 1.5f);
    br_global_get(inst->globals[5], &v);
    CHECK_EQ(v.kind, BR_EXTERNREF);
    CHECK(v.of.ref == NULL);
}

static void
check_fixture_segments(br_instance_t *inst, const host_t *h)
{
    br_ref_t r;
    CHECK(br_table_get(h->tab, 1, &r) && r == inst->funcs[2]);
    CHECK(br_table_get(h->tab, 0, &r) && r == NULL);
    br_table_t *t = inst->tables[1];
    CHECK_EQ(br_table_size(t), 4);
    CHECK(br_table_get(t, 0, &r) && r == NULL);
    CHECK(br_table_get(t, 1, &r) && r == inst->funcs[1]);
    CHECK(br_table_get(t, 2, &r) && r == inst->funcs[2]);
    CHECK(br_table_get(t, 3, &r) && r == NULL);
    CHECK_EQ(inst->elem_sizes[0], 0); /* active: dropped */
    CHECK_EQ(inst->elem_sizes[1], 0);
    CHECK_EQ(inst->elem_sizes[2], 2); /* passive: kept */
    CHECK(inst->elem_refs[2][0] == inst->funcs[0]);
    CHECK(inst->elem_refs[2][1] == NULL);
    CHECK_EQ(inst->elem_sizes[3], 0); /* declarative: dropped */

    CHECK(memcmp(br_memory_data(h->mem) + 1, "ab", 2) == 0);
    br_memory_t *mem = inst->memories[1];
    CHECK(memcmp(br_memory_data(mem) + 10, "hello", 5) == 0);
    CHECK(all_zero(br_memory_data(mem), 10));
    CHECK(all_zero(br_memory_data(mem) + 15, 65536 - 15));
    CHECK_EQ(inst->data_dropped[0], 1);
    CHECK_EQ(inst->data_dropped[1], 1);
    CHECK_EQ(inst->data_dropped[2], 0);
}

static void
check_fixture_exports(br_instance_t *inst)
{
    br_extern_t x;
    CHECK(br_instance_export(inst, "run", 3, &x));
    CHECK(x.kind == BR_EXTERN_FUNC && x.of.func == inst->funcs[2]);
    CHECK(br_instance_export(inst, "mem", 3, &x));
    CHECK(x.kind == BR_EXTERN_MEMORY && x.of.memory == inst->memories[1]);
    CHECK(br_instance_export(inst, "g1", 2, &x));
    CHECK(x.kind == BR_EXTERN_GLOBAL && x.of.global == inst->globals[1]);
    CHECK(br_instance_export(inst, "tab", 3, &x));
    CHECK(x.kind == BR_EXTERN_TABLE && x.of.table == inst->tables[1]);
    CHECK(br_instance_export(inst, "tag", 3, &x));
    CHECK(x.kind == BR_EXTERN_TAG && x.of.tag == inst->tags[1]);
    CHECK(!br_instance_export(inst, "ru", 2, &x));
    CHECK(!br_instance_export(inst, "runx", 4, &x));
    CHECK(!br_instance_export(inst, "run", 2, &x));
    br_instance_export_at(inst, 1, &x);
    CHECK(x.kind == BR_EXTERN_MEMORY && x.of.memory == inst->memories[1]);
    br_instance_export_at(inst, 5, &x);
    CHECK(x.of.func == NULL);
}

static void
test_instantiate_fixture(void)
{
    counter_t c;
    br_engine_t *e = count_engine_new(&c);
    size_t engine_bytes = c.live;
    br_store_t *s = br_store_new(e, NULL);
    fixture_t f;
    fixture_init(&f, e);
    host_t h;
    CHECK(host_init(&h, s));
    br_instance_t *inst = NULL;
    br_error_t err;
    br_trap_t trap;
    memset(&trap, 0x5A, sizeof trap);
    br_err_t rc = br_instance_new(s, &f.m, h.ext, 5, &inst, &err, &trap);
    CHECK_EQ(rc, BR_ERR_OK);
    CHECK(inst != NULL);
    CHECK_EQ(trap.kind, BR_TRAP_NONE);
    if (inst != NULL) {
        check_fixture_instance(inst, &f, &h);
        check_fixture_globals(inst);
        check_fixture_segments(inst, &h);
        check_fixture_exports(inst);
    }
    /* a second instance of the same module is independent */
    br_instance_t *inst2 = NULL;
    rc = br_instance_new(s, &f.m, h.ext, 5, &inst2, NULL, NULL);
    CHECK_EQ(rc, BR_ERR_OK);
    CHECK(inst2 != NULL && inst2 != inst);
    if (inst2 != NULL && inst != NULL)
        CHECK(inst2->memories[1] != inst->memories[1]);
    br_store_delete(s);
    CHECK_EQ(c.live, engine_bytes);
    br_engine_delete(e);
}

/* Returns the error of instantiating `f` against `h` (instance kept in
 * the store when it succeeds). */
static br_err_t
try_instantiate(br_store_t *s, const fixture_t *f, const br_extern_t *ext,
                br_error_t *err)
{
    br_instance_t *inst = (br_instance_t *)1;
    br_trap_t trap;
    br_err_t rc = br_instance_new(s, &f->m, ext, 5, &inst, err, &trap);
    CHECK((rc == BR_ERR_OK) == (inst != NULL));
    return rc;
}

static void
test_import_mismatches(br_engine_t *e)
{
    br_store_t *s = br_store_new(e, NULL);
    fixture_t f;
    fixture_init(&f, e);
    host_t h;
    CHECK(host_init(&h, s));
    br_error_t err;
    br_extern_t x[5];
    bri_object_t *objects = s->objects;

    /* wrong number of imports */
    br_instance_t *inst = NULL;
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 4, &inst, &err, NULL),
             BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_instance_new(s, &f.m, NULL, 5, &inst, &err, NULL),
             BR_ERR_INVALID_ARGUMENT);

    /* wrong kind */
    memcpy(x, h.ext, sizeof x);
    x[0] = h.ext[1];
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);
    CHECK(strstr(err.message, "env.f") != NULL);
    memcpy(x, h.ext, sizeof x);
    x[2].of.global = NULL;
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);
    CHECK(strstr(err.message, "env.g") != NULL);

    /* function and tag types */
    br_functype_t ft1 = {1, 0, K_I32, NULL};
    memcpy(x, h.ext, sizeof x);
    x[0].of.func = br_func_new_host(s, &ft1, host_nop, NULL);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);
    CHECK(strstr(err.message, "env.f") != NULL);
    br_functype_t ft0 = {0, 1, NULL, K_I32};
    memcpy(x, h.ext, sizeof x);
    x[4].of.tag = br_tag_new(s, &ft0);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);
    CHECK(strstr(err.message, "env.tag") != NULL);

    /* globals: kind and mutability */
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = BR_I32;
    memcpy(x, h.ext, sizeof x);
    x[2].of.global = br_global_new(s, BR_I32, true, &v);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);
    v.kind = BR_I64;
    x[2].of.global = br_global_new(s, BR_I64, false, &v);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);

    /* nothing was created by the failed attempts except the host objects
     * made above */
    int extra = 0;
    for (bri_object_t *o = s->objects; o != objects; o = o->next)
        extra++;
    CHECK_EQ(extra, 4);
    br_store_delete(s);
}

/* Memory imports: {1, 2} wanted; limits subtyping. */
static void
test_import_limits(br_engine_t *e)
{
    br_store_t *s = br_store_new(e, NULL);
    fixture_t f;
    fixture_init(&f, e);
    host_t h;
    CHECK(host_init(&h, s));
    br_error_t err;
    br_extern_t x[5];
    memcpy(x, h.ext, sizeof x);

    struct { br_limitstype_t l; bool ok; } cases[] = {
        {lim(1, true, 2), true},
        {lim(2, true, 2), true},  /* larger min is fine */
        {lim(1, true, 1), true},  /* smaller max is fine */
        {lim(1, false, 0), false}, /* no max where one is declared */
        {lim(1, true, 3), false},  /* max too large */
        {lim(0, true, 2), false},  /* min too small */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        x[1].of.memory = br_memory_new(s, &cases[i].l);
        br_err_t rc = try_instantiate(s, &f, x, &err);
        CHECK_EQ(rc, cases[i].ok ? BR_ERR_OK : BR_ERR_INCOMPATIBLE_IMPORT);
        if (!cases[i].ok)
            CHECK(strstr(err.message, "env.mem") != NULL);
    }
    br_limitstype_t l64 = lim(1, true, 2);
    l64.is64 = true;
    x[1].of.memory = br_memory_new(s, &l64);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);

    /* a memory that grew matches on its current size */
    f.memories[0] = lim(2, true, 2);
    br_limitstype_t l1 = lim(1, true, 2);
    x[1].of.memory = br_memory_new(s, &l1);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);
    CHECK(br_memory_grow(x[1].of.memory, 1, NULL));
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_OK);
    memcpy(x, h.ext, sizeof x);
    f.memories[0] = lim(1, true, 2);

    /* tables: element kind and size */
    br_limitstype_t t1 = lim(1, false, 0), t2 = lim(3, false, 0);
    x[3].of.table = br_table_new(s, BR_FUNCREF, &t1, NULL);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);
    CHECK(strstr(err.message, "env.tab") != NULL);
    CHECK(br_table_grow(x[3].of.table, 1, NULL, NULL)); /* now {2} */
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_OK);
    x[3].of.table = br_table_new(s, BR_EXTERNREF, &t2, NULL);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_INCOMPATIBLE_IMPORT);
    x[3].of.table = br_table_new(s, BR_FUNCREF, &t2, NULL);
    CHECK_EQ(try_instantiate(s, &f, x, &err), BR_ERR_OK);
    br_store_delete(s);
}

/* A trap in segment initialisation keeps earlier writes and leaves the
 * instance alive for the references those writes made. */
static void
test_segment_traps(br_engine_t *e)
{
    br_store_t *s = br_store_new(e, NULL);
    fixture_t f;
    fixture_init(&f, e);
    host_t h;
    CHECK(host_init(&h, s));
    br_error_t err;
    br_trap_t trap;
    br_instance_t *inst = (br_instance_t *)1;

    f.elems[1].offset = CX(CX_I32_3); /* 3 + 2 > 4 */
    br_err_t rc = br_instance_new(s, &f.m, h.ext, 5, &inst, &err, &trap);
    CHECK_EQ(rc, BRI_ERR_TRAP);
    CHECK(inst == NULL);
    CHECK_EQ(trap.kind, BR_TRAP_TABLE_OOB);
    CHECK(strcmp(trap.message, "out of bounds table access") == 0);
    CHECK(strstr(err.message, "out of bounds table access") != NULL);
    br_ref_t r = NULL;
    CHECK(br_table_get(h.tab, 1, &r));
    CHECK(r != NULL); /* written by segment 0 before the trap */
    if (r != NULL) {
        br_func_t *fn = r;
        CHECK_EQ(fn->index, 2);
        CHECK(fn->inst != NULL && fn->inst->module == &f.m);
        CHECK(br_func_type(fn) == &f.types[0]);
    }
    /* data segments did not run */
    CHECK(all_zero(br_memory_data(h.mem), 65536));

    f.elems[1].offset = CX(CX_I32_1);
    f.datas[1].offset = CX(CX_I32_65535); /* 65535 + 5 > 65536 */
    CHECK(br_table_set(h.tab, 1, NULL));
    rc = br_instance_new(s, &f.m, h.ext, 5, &inst, &err, NULL);
    CHECK_EQ(rc, BRI_ERR_TRAP);
    CHECK(strstr(err.message, "out of bounds memory access") != NULL);
    rc = br_instance_new(s, &f.m, h.ext, 5, &inst, NULL, &trap);
    CHECK_EQ(trap.kind, BR_TRAP_MEMORY_OOB);
    CHECK(memcmp(br_memory_data(h.mem) + 1, "ab", 2) == 0);
    CHECK(br_table_get(h.tab, 1, &r) && r != NULL);

    /* empty segments at exactly the end are fine, one past is not */
    static const uint8_t at_end[] = {OP_I32_CONST, 0x80, 0x80, 0x04, OP_END};
    static const uint8_t past[] = {OP_I32_CONST, 0x81, 0x80, 0x04, OP_END};
    f.datas[1] = (bri_data_t){BRI_SEG_ACTIVE, 1, CX(at_end), NULL, 0};
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 5, &inst, &err, &trap),
             BR_ERR_OK);
    f.datas[1].offset = CX(past);
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 5, &inst, &err, &trap),
             BRI_ERR_TRAP);
    f.datas[1].offset = CX(at_end);
    f.elems[1].count = 0;
    static const uint8_t t4[] = {OP_I32_CONST, 4, OP_END};
    static const uint8_t t5[] = {OP_I32_CONST, 5, OP_END};
    f.elems[1].offset = CX(t4);
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 5, &inst, &err, &trap),
             BR_ERR_OK);
    f.elems[1].offset = CX(t5);
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 5, &inst, &err, &trap),
             BRI_ERR_TRAP);
    CHECK_EQ(trap.kind, BR_TRAP_TABLE_OOB);
    br_store_delete(s);
}

/* Store limits and index types are applied at instantiation. */
static void
test_instance_limits(counter_t *c, br_engine_t *e)
{
    size_t before = c->live;
    br_limits_t limits;
    memset(&limits, 0, sizeof limits);
    limits.max_memory_pages = 1;
    br_store_t *s = br_store_new(e, &limits);
    fixture_t f;
    fixture_init(&f, e);
    host_t h;
    CHECK(host_init(&h, s));
    br_error_t err;
    br_instance_t *inst = (br_instance_t *)1;
    f.memories[1] = lim(2, false, 0);
    bri_object_t *objects = s->objects;
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 5, &inst, &err, NULL),
             BR_ERR_LIMIT_EXCEEDED);
    CHECK(inst == NULL);
    CHECK(s->objects == objects); /* nothing left behind */

    /* a 64-bit memory needs i64 offsets */
    f.memories[1] = lim(1, false, 0);
    f.memories[1].is64 = true;
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 5, &inst, &err, NULL),
             BR_ERR_TYPE_MISMATCH);
    f.datas[1].offset = CX(CX_I64_10);
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 5, &inst, &err, NULL),
             BR_ERR_OK);
    if (inst != NULL)
        CHECK(memcmp(br_memory_data(inst->memories[1]) + 10, "hello", 5) ==
              0);
    br_store_delete(s);
    CHECK_EQ(c->live, before);
}

/* Fail the Nth allocation of instantiation for every N until it works:
 * each failure reports OUT_OF_MEMORY, leaves the store's object list
 * as it was, and the store still frees down to zero. */
static void
test_instance_alloc_failures(void)
{
    counter_t c;
    br_engine_t *e = count_engine_new(&c);
    size_t engine_bytes = c.live;
    fixture_t f;
    fixture_init(&f, e);
    /* deep enough to make the evaluator allocate its stack */
    static const uint8_t deep[] = {
        OP_I32_CONST, 1, OP_I32_CONST, 2, OP_I32_CONST, 3, OP_I32_CONST, 4,
        OP_I32_CONST, 5, OP_I32_CONST, 6, OP_I32_CONST, 7, OP_I32_CONST, 8,
        OP_I32_CONST, 9, OP_I32_CONST, 10, OP_I32_CONST, 11,
        OP_I32_CONST, 12, OP_I32_CONST, 13, OP_I32_CONST, 14,
        OP_I32_CONST, 15, OP_I32_CONST, 16, OP_I32_CONST, 17,
        OP_I32_ADD, OP_I32_ADD, OP_I32_ADD, OP_I32_ADD, OP_I32_ADD,
        OP_I32_ADD, OP_I32_ADD, OP_I32_ADD, OP_I32_ADD, OP_I32_ADD,
        OP_I32_ADD, OP_I32_ADD, OP_I32_ADD, OP_I32_ADD, OP_I32_ADD,
        OP_I32_ADD, OP_END};
    f.globals[1].init = CX(deep);
    bool done = false;
    long n;
    for (n = 0; !done && n < 1000; n++) {
        br_store_t *s = br_store_new(e, NULL);
        host_t h;
        CHECK(host_init(&h, s));
        bri_object_t *objects = s->objects;
        br_instance_t *inst = (br_instance_t *)1;
        br_error_t err;
        c.calls = 0;
        c.fail_at = n;
        br_err_t rc = br_instance_new(s, &f.m, h.ext, 5, &inst, &err, NULL);
        c.fail_at = -1;
        if (rc == BR_ERR_OK) {
            done = true;
            br_val_t v;
            br_global_get(inst->globals[1], &v);
            CHECK_EQ(v.of.i32, 17 * 18 / 2);
        } else {
            CHECK_EQ(rc, BR_ERR_OUT_OF_MEMORY);
            CHECK_EQ(err.code, BR_ERR_OUT_OF_MEMORY);
            CHECK(inst == NULL);
            CHECK(s->objects == objects);
        }
        br_store_delete(s);
        CHECK_EQ(c.live, engine_bytes);
    }
    CHECK(done);
    CHECK(n >= 4); /* block, memory, table, evaluator stack */
    br_engine_delete(e);
    CHECK_EQ(c.live, 0);
}

static void
test_constexprs(br_engine_t *e)
{
    br_store_t *s = br_store_new(e, NULL);
    fixture_t f;
    fixture_init(&f, e);
    host_t h;
    CHECK(host_init(&h, s));
    br_instance_t *inst = NULL;
    CHECK_EQ(br_instance_new(s, &f.m, h.ext, 5, &inst, NULL, NULL),
             BR_ERR_OK);
    if (inst == NULL) {
        br_store_delete(s);
        return;
    }
    struct { const uint8_t *code; uint32_t size; br_valkind_t kind;
             uint64_t bits; br_err_t err; } cases[] = {
#define CASE(kind, bits, err, ...)                                        \
    {(const uint8_t[]){__VA_ARGS__},                                      \
     sizeof((const uint8_t[]){__VA_ARGS__}), kind, bits, err}
        CASE(BR_I32, 0xFFFFFFFFu, BR_ERR_OK, OP_I32_CONST, 0x7F, OP_END),
        CASE(BR_I32, 0x80000000u, BR_ERR_OK, OP_I32_CONST, 0x80, 0x80,
             0x80, 0x80, 0x78, OP_END),
        CASE(BR_I64, 1ull << 63, BR_ERR_OK, OP_I64_CONST, 0x80, 0x80, 0x80,
             0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F, OP_END),
        CASE(BR_F64, 0x3FF0000000000000ull, BR_ERR_OK, OP_F64_CONST, 0, 0,
             0, 0, 0, 0, 0xF0, 0x3F, OP_END),
        CASE(BR_I32, 0xFFFFFFFEu, BR_ERR_OK, OP_I32_CONST, 1, OP_I32_CONST,
             3, OP_I32_SUB, OP_END),
        CASE(BR_I32, 0xC0000000u, BR_ERR_OK, OP_I32_CONST, 0x80, 0x80, 0x80,
             0x80, 0x04, OP_I32_CONST, 3, OP_I32_MUL, OP_END),
        CASE(BR_I64, 0ull - 3, BR_ERR_OK, OP_I64_CONST, 0x7F, OP_I64_CONST,
             3, OP_I64_MUL, OP_END),
        CASE(BR_I64, 5, BR_ERR_OK, OP_I64_CONST, 2, OP_I64_CONST, 3,
             OP_I64_ADD, OP_END),
        CASE(BR_I64, 0ull - 1, BR_ERR_OK, OP_I64_CONST, 2, OP_I64_CONST, 3,
             OP_I64_SUB, OP_END),
        CASE(BR_I32, 0, BR_ERR_TYPE_MISMATCH, OP_I64_CONST, 2, OP_END),
        CASE(BR_I32, 0, BR_ERR_TYPE_MISMATCH, OP_I32_CONST, 2,
             OP_I32_CONST, 2, OP_END),
        CASE(BR_I32, 0, BR_ERR_TYPE_MISMATCH, OP_I32_ADD, OP_END),
        CASE(BR_I32, 0, BR_ERR_CONSTANT_EXPR_REQUIRED, 0x01, OP_END),
        CASE(BR_I32, 0, BR_ERR_UNEXPECTED_END, OP_I32_CONST, 2),
        CASE(BR_I32, 0, BR_ERR_UNKNOWN_GLOBAL, OP_GLOBAL_GET, 9, OP_END),
        CASE(BR_FUNCREF, 0, BR_ERR_UNKNOWN_FUNC, OP_REF_FUNC, 9, OP_END),
#undef CASE
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bri_constexpr_t cx = {cases[i].code, cases[i].size, 0};
        br_val_t v;
        memset(&v, 0, sizeof v);
        br_err_t rc = bri_constexpr_eval(inst, &cx, cases[i].kind, &v);
        CHECK_EQ(rc, cases[i].err);
        if (rc == BR_ERR_OK) {
            CHECK_EQ(v.kind, cases[i].kind);
            CHECK_EQ(v.of.u64, cases[i].bits);
        }
    }
    br_store_delete(s);
}

static void
test_instances(void)
{
    test_instantiate_fixture();
    counter_t c;
    br_engine_t *e = count_engine_new(&c);
    test_import_mismatches(e);
    test_import_limits(e);
    test_segment_traps(e);
    test_instance_limits(&c, e);
    test_constexprs(e);
    br_engine_delete(e);
    CHECK_EQ(c.live, 0);
    test_instance_alloc_failures();
}

/* ------------------------------------------------------------------ */
/* Instantiation of hand-assembled binaries (decoder + validator)       */

#define WASM_HEADER 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00
enum {
    SEC_TYPE = 1, SEC_IMPORT, SEC_FUNC, SEC_TABLE, SEC_MEMORY, SEC_GLOBAL,
    SEC_EXPORT, SEC_START, SEC_ELEM, SEC_CODE, SEC_DATA,
    T_FUNC = 0x60, T_I32 = 0x7F, T_I64 = 0x7E, T_FUNCREF = 0x70,
    OP_CALL = 0x10, OP_GLOBAL_SET = 0x24,
};

/*
 * (import "env" "f" (func (result i32)))  (import "env" "g" (global i32))
 * (import "env" "tab" (table 2 funcref))  (memory 1 2) (table $t 3 funcref)
 * (global $h (mut i64) (i64.const 7))
 * (global $k i32 (i32.add (global.get $g) (i32.const 3)))
 * func 1 $one: i32.const 1; func 2 "two": call $f + global.get $k;
 * func 3 $start: global.set $h (i64.const 9)
 * (elem (table $t) (i32.const 1) func $one $two)
 * (elem (table 0) (global.get $g) func $two)
 * (elem func $one) (elem declare func $start)
 * (data (i32.const 8) "hi!") (data "pass")
 * exports two, mem, h, t; (start $start)
 */
static const uint8_t MOD_A[] = {
    WASM_HEADER,
    SEC_TYPE, 8, 2, T_FUNC, 0, 1, T_I32, T_FUNC, 0, 0,
    SEC_IMPORT, 30, 3,
    3, 'e', 'n', 'v', 1, 'f', BR_EXTERN_FUNC, 0,
    3, 'e', 'n', 'v', 1, 'g', BR_EXTERN_GLOBAL, T_I32, 0,
    3, 'e', 'n', 'v', 3, 't', 'a', 'b', BR_EXTERN_TABLE, T_FUNCREF, 0, 2,
    SEC_FUNC, 4, 3, 0, 0, 1,
    SEC_TABLE, 4, 1, T_FUNCREF, 0, 3,
    SEC_MEMORY, 4, 1, 1, 1, 2,
    SEC_GLOBAL, 14, 2,
    T_I64, 1, OP_I64_CONST, 7, OP_END,
    T_I32, 0, OP_GLOBAL_GET, 0, OP_I32_CONST, 3, OP_I32_ADD, OP_END,
    SEC_EXPORT, 21, 4,
    3, 't', 'w', 'o', BR_EXTERN_FUNC, 2,
    3, 'm', 'e', 'm', BR_EXTERN_MEMORY, 0,
    1, 'h', BR_EXTERN_GLOBAL, 1,
    1, 't', BR_EXTERN_TABLE, 1,
    SEC_START, 1, 3,
    SEC_ELEM, 24, 4,
    2, 1, OP_I32_CONST, 1, OP_END, 0, 2, 1, 2,
    0, OP_GLOBAL_GET, 0, OP_END, 1, 2,
    1, 0, 1, 1,
    3, 0, 1, 3,
    SEC_CODE, 21, 3,
    4, 0, OP_I32_CONST, 1, OP_END,
    7, 0, OP_CALL, 0, OP_GLOBAL_GET, 2, OP_I32_ADD, OP_END,
    6, 0, OP_I64_CONST, 9, OP_GLOBAL_SET, 1, OP_END,
    SEC_DATA, 15, 2,
    0, OP_I32_CONST, 8, OP_END, 3, 'h', 'i', '!',
    1, 4, 'p', 'a', 's', 's',
};

/* (memory 1) (data (i32.const 65535) "ab") */
static const uint8_t MOD_DATA_OOB[] = {
    WASM_HEADER,
    SEC_MEMORY, 3, 1, 0, 1,
    SEC_DATA, 10, 1, 0, OP_I32_CONST, 0xFF, 0xFF, 0x03, OP_END, 2, 'a', 'b',
};

/*
 * (import "env" "tab" (table 1 funcref)) (import "env" "mem" (memory 1))
 * (func $f (result i32) (i32.const 42))
 * (elem (table 0) (i32.const 0) func $f)   ;; fits
 * (elem (table 0) (i32.const 1) func $f)   ;; traps
 * (data (i32.const 0) "x")                 ;; never runs
 */
static const uint8_t MOD_ELEM_OOB[] = {
    WASM_HEADER,
    SEC_TYPE, 5, 1, T_FUNC, 0, 1, T_I32,
    SEC_IMPORT, 24, 2,
    3, 'e', 'n', 'v', 3, 't', 'a', 'b', BR_EXTERN_TABLE, T_FUNCREF, 0, 1,
    3, 'e', 'n', 'v', 3, 'm', 'e', 'm', BR_EXTERN_MEMORY, 0, 1,
    SEC_FUNC, 2, 1, 0,
    SEC_ELEM, 13, 2,
    0, OP_I32_CONST, 0, OP_END, 1, 0,
    0, OP_I32_CONST, 1, OP_END, 1, 0,
    SEC_CODE, 6, 1, 4, 0, OP_I32_CONST, 42, OP_END,
    SEC_DATA, 7, 1, 0, OP_I32_CONST, 0, OP_END, 1, 'x',
};

static br_host_status_t
host_forty(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *res)
{
    (void)env, (void)exec, (void)args;
    res[0].of.i32 = 40;
    return BR_HOST_OK;
}

typedef struct host_a {
    br_func_t *f;
    br_global_t *g;
    br_table_t *tab;
    br_extern_t ext[3];
} host_a_t;

static bool
host_a_init(host_a_t *h, br_store_t *s, int32_t g)
{
    br_functype_t ft = {0, 1, NULL, K_I32};
    br_limitstype_t tl = lim(2, false, 0);
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = BR_I32;
    v.of.i32 = g;
    h->f = br_func_new_host(s, &ft, host_forty, NULL);
    h->g = br_global_new(s, BR_I32, false, &v);
    h->tab = br_table_new(s, BR_FUNCREF, &tl, NULL);
    h->ext[0] = (br_extern_t){BR_EXTERN_FUNC, {.func = h->f}};
    h->ext[1] = (br_extern_t){BR_EXTERN_GLOBAL, {.global = h->g}};
    h->ext[2] = (br_extern_t){BR_EXTERN_TABLE, {.table = h->tab}};
    return h->f && h->g && h->tab;
}

static void
check_binary_a(br_store_t *s, br_instance_t *inst, const host_a_t *h)
{
    br_extern_t x;
    CHECK(br_instance_export(inst, "mem", 3, &x));
    br_memory_t *mem = x.of.memory;
    CHECK_EQ(br_memory_size(mem), 65536);
    CHECK(memcmp(br_memory_data(mem) + 8, "hi!", 3) == 0);
    CHECK(all_zero(br_memory_data(mem), 8));
    CHECK(br_instance_export(inst, "t", 1, &x));
    br_ref_t r;
    CHECK(br_table_get(x.of.table, 1, &r) && r == inst->funcs[1]);
    CHECK(br_table_get(x.of.table, 2, &r) && r == inst->funcs[2]);
    CHECK(br_table_get(h->tab, 1, &r) && r == inst->funcs[2]);
    CHECK_EQ(inst->elem_sizes[2], 1);
    CHECK(inst->elem_refs[2][0] == inst->funcs[1]);
    CHECK_EQ(inst->elem_sizes[3], 0);
    CHECK_EQ(inst->data_dropped[0], 1);
    CHECK_EQ(inst->data_dropped[1], 0);

    /* the start function is returned, not run */
    br_func_t *start = br_instance_start_func(inst);
    CHECK(start == inst->funcs[3]);
    br_val_t v;
    CHECK(br_instance_export(inst, "h", 1, &x));
    br_global_get(x.of.global, &v);
    CHECK_EQ(v.of.i64, 7);
    br_trap_t trap;
    br_val_t res[1];
    CHECK_EQ(br_func_call(s, start, NULL, 0, res, 1, &trap), BR_DONE);
    br_global_get(x.of.global, &v);
    CHECK_EQ(v.of.i64, 9);
    CHECK(br_instance_export(inst, "two", 3, &x));
    CHECK_EQ(br_func_call(s, x.of.func, NULL, 0, res, 1, &trap), BR_DONE);
    CHECK_EQ(res[0].of.i32, 40 + 1 + 3);
}

static br_module_t *
load_module(br_engine_t *e, const uint8_t *bytes, size_t size)
{
    br_module_t *m = NULL;
    br_error_t err;
    if (br_module_new(e, bytes, size, &m, &err) != BR_ERR_OK) {
        fprintf(stderr, "module: %s at %llu\n", err.message,
                (unsigned long long)err.offset);
        return NULL;
    }
    return m;
}

static void
test_binary_a(void)
{
    counter_t c;
    br_engine_t *e = count_engine_new(&c);
    br_module_t *m = load_module(e, MOD_A, sizeof MOD_A);
    CHECK(m != NULL);
    if (m == NULL) {
        br_engine_delete(e);
        return;
    }
    size_t base = c.live;
    bool done = false;
    for (long n = 0; !done && n < 1000; n++) {
        br_store_t *s = br_store_new(e, NULL);
        host_a_t h;
        CHECK(host_a_init(&h, s, 1));
        bri_object_t *objects = s->objects;
        br_instance_t *inst = NULL;
        br_error_t err;
        c.calls = 0;
        c.fail_at = n;
        br_err_t rc = br_instance_new(s, m, h.ext, 3, &inst, &err, NULL);
        c.fail_at = -1;
        if (rc == BR_ERR_OK) {
            done = true;
            check_binary_a(s, inst, &h);
        } else {
            CHECK_EQ(rc, BR_ERR_OUT_OF_MEMORY);
            CHECK(s->objects == objects);
        }
        br_store_delete(s);
        CHECK_EQ(c.live, base);
    }
    CHECK(done);

    /* env.g = 2 puts the second segment past the imported table */
    br_store_t *s = br_store_new(e, NULL);
    host_a_t h;
    CHECK(host_a_init(&h, s, 2));
    br_instance_t *inst = NULL;
    br_error_t err;
    br_trap_t trap;
    CHECK_EQ(br_instance_new(s, m, h.ext, 3, &inst, &err, &trap),
             BRI_ERR_TRAP);
    CHECK_EQ(trap.kind, BR_TRAP_TABLE_OOB);
    /* a mutable global where a constant one is expected */
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = BR_I32;
    h.ext[1].of.global = br_global_new(s, BR_I32, true, &v);
    CHECK_EQ(br_instance_new(s, m, h.ext, 3, &inst, &err, &trap),
             BR_ERR_INCOMPATIBLE_IMPORT);
    CHECK(strstr(err.message, "env.g") != NULL);
    br_store_delete(s);
    br_module_delete(m);
    br_engine_delete(e);
    CHECK_EQ(c.live, 0);
}

static void
test_binary_traps(void)
{
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m1 = load_module(e, MOD_DATA_OOB, sizeof MOD_DATA_OOB);
    br_module_t *m2 = load_module(e, MOD_ELEM_OOB, sizeof MOD_ELEM_OOB);
    CHECK(m1 != NULL && m2 != NULL);
    br_store_t *s = br_store_new(e, NULL);
    br_instance_t *inst = (br_instance_t *)1;
    br_error_t err;
    br_trap_t trap;
    if (m1 != NULL) {
        CHECK_EQ(br_instance_new(s, m1, NULL, 0, &inst, &err, &trap),
                 BRI_ERR_TRAP);
        CHECK(inst == NULL);
        CHECK_EQ(trap.kind, BR_TRAP_MEMORY_OOB);
    }
    br_limitstype_t l1 = lim(1, false, 0);
    br_table_t *tab = br_table_new(s, BR_FUNCREF, &l1, NULL);
    br_memory_t *mem = br_memory_new(s, &l1);
    br_extern_t ext[2] = {{BR_EXTERN_TABLE, {.table = tab}},
                          {BR_EXTERN_MEMORY, {.memory = mem}}};
    if (m2 != NULL) {
        CHECK_EQ(br_instance_new(s, m2, ext, 2, &inst, &err, &trap),
                 BRI_ERR_TRAP);
        CHECK_EQ(trap.kind, BR_TRAP_TABLE_OOB);
        CHECK_EQ(br_memory_data(mem)[0], 0); /* data never ran */
        br_ref_t r = NULL;
        CHECK(br_table_get(tab, 0, &r) && r != NULL);
        /* the failed instance's function stays callable */
        br_val_t res[1];
        if (r != NULL) {
            CHECK_EQ(br_func_call(s, r, NULL, 0, res, 1, &trap), BR_DONE);
            CHECK_EQ(res[0].of.i32, 42);
        }
    }
    br_store_delete(s);
    if (m1 != NULL)
        br_module_delete(m1);
    if (m2 != NULL)
        br_module_delete(m2);
    br_engine_delete(e);
}

int
main(void)
{
    test_objects();
    test_instances();
    test_binary_a();
    test_binary_traps();
    return CHECK_DONE();
}
