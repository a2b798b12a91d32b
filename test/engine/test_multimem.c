/*
 * beamr tests: multi-memory through the real decoder, validator and
 * interpreter: memarg memory indices, memory.size/grow/fill/copy/init on
 * any memory, data segments and exports of several memories, a memory64
 * beside 32-bit ones, and the validation rules.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "../../c_src/engine/internal.h"
#include "check.h"
#include "wasm_build.h"
#include "wasm_call.h"

#define PAGE 65536u

/* Memories of the test module, in index order. */
enum { M_IMPORTED, M_SMALL, M_BIG, M_64, M_COUNT };

/*
 * (import "env" "m0" (memory 1))          ;; 0, stays all zero
 * (memory 1 2)                            ;; 1 "small"
 * (memory 2)                              ;; 2 "big"
 * (memory i64 1)                          ;; 3 "m64"
 * (data (memory 1) (i32.const 16) "abcd")
 * (data (memory 2) (i32.const 65540) "xyz")
 * (data "PQRS")                           ;; passive, index 2
 * (data (memory 3) (i64.const 8) "!")
 */
static void
declare_memories(wmod_t *m)
{
    wm_import_memory(m, "env", "m0", 0, 1, 0);
    wm_memory(m, 1, 1, 2);
    wm_memory(m, 0, 2, 0);
    wm_memory(m, 4, 1, 0);
    wm_data(m, M_SMALL, false, 16, "abcd");
    wm_data(m, M_BIG, false, PAGE + 4, "xyz");
    wm_data(m, -1, false, 0, "PQRS");
    wm_data(m, M_64, true, 8, "!");
    wm_export(m, "small", BR_EXTERN_MEMORY, M_SMALL);
    wm_export(m, "big", BR_EXTERN_MEMORY, M_BIG);
    wm_export(m, "m64", BR_EXTERN_MEMORY, M_64);
}

/* A function of `type` exported as `name` with `code` after no locals. */
#define FUNC(m, type, name, ...) \
    wm_export(m, name, BR_EXTERN_FUNC, WM_FUNC(m, type, __VA_ARGS__))

static br_module_t *
multi_module_rc(br_engine_t *e, br_err_t *rc)
{
    wmod_t m = {0};
    uint32_t t_i_i = wm_type(&m, I32, I32);
    uint32_t t_ii_v = wm_type(&m, I32 I32, "");
    uint32_t t_iii_v = wm_type(&m, I32 I32 I32, "");
    uint32_t t_v_i = wm_type(&m, "", I32);
    uint32_t t_l_i = wm_type(&m, I64, I32);
    uint32_t t_ili_v = wm_type(&m, I32 I64 I32, "");
    declare_memories(&m);
    FUNC(&m, t_i_i, "load0", LOCAL_GET, 0, I32_LOAD8_U, 0, 0, END);
    FUNC(&m, t_i_i, "load1", LOCAL_GET, 0, I32_LOAD8_U, MEMIDX, 1, 0, END);
    FUNC(&m, t_i_i, "load2", LOCAL_GET, 0, I32_LOAD8_U, MEMIDX, 2, 0, END);
    /* a long LEB128 index and an offset: memory 2 at a + 1 */
    FUNC(&m, t_i_i, "load2b", LOCAL_GET, 0, I32_LOAD8_U, MEMIDX, 0x82, 0x00, 1,
         END);
    FUNC(&m, t_l_i, "load3", LOCAL_GET, 0, I32_LOAD8_U, MEMIDX, 3, 0, END);
    FUNC(&m, t_ii_v, "store1", LOCAL_GET, 0, LOCAL_GET, 1, I32_STORE8, MEMIDX,
         1, 0, END);
    FUNC(&m, t_v_i, "size1", MEMORY_SIZE, 1, END);
    FUNC(&m, t_v_i, "size2", MEMORY_SIZE, 2, END);
    FUNC(&m, t_i_i, "grow1", LOCAL_GET, 0, MEMORY_GROW, 1, END);
    /* grows memory 0 by a, then reads its last byte (cached base) */
    FUNC(&m, t_i_i, "grow0_load", LOCAL_GET, 0, MEMORY_GROW, 0, DROP,
         MEMORY_SIZE, 0, I32_CONST, 0x80, 0x80, 0x04, 0x6C /* i32.mul */,
         I32_CONST, 1, 0x6B /* i32.sub */, I32_LOAD8_U, 0, 0, END);
    FUNC(&m, t_iii_v, "fill1", LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, MISC,
         MEMORY_FILL, 1, END);
    FUNC(&m, t_iii_v, "copy1from2", LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2,
         MISC, MEMORY_COPY, 1, 2, END);
    FUNC(&m, t_iii_v, "init2", LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, MISC,
         MEMORY_INIT, 2, 2, END);
    /* memory.copy 1 3: d i32, s i64, n i32 (the narrower type) */
    FUNC(&m, t_ili_v, "copy1from3", LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2,
         MISC, MEMORY_COPY, 1, 3, END);
    return wm_load(e, &m, rc);
}

static br_module_t *
multi_module(br_engine_t *e)
{
    return multi_module_rc(e, NULL);
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

typedef struct world {
    br_store_t *store;
    br_instance_t *inst;
    br_memory_t *mem[M_COUNT];
    br_trap_t trap;
} world_t;

/* Calls export `name` with up to 3 args of the given kinds; returns the
 * status, the i32 result (if any) in *out. */
static br_status_t
call(world_t *w, const char *name, const char *kinds, int64_t a, int64_t b,
     int64_t c, int32_t *out)
{
    br_extern_t x;
    if (!br_instance_export(w->inst, name, strlen(name), &x))
        return BR_ERROR;
    br_val_t args[3], res[1];
    int64_t v[3] = {a, b, c};
    size_t n = strlen(kinds);
    for (size_t i = 0; i < n; i++)
        args[i] = val(kinds[i] == 'l' ? BR_I64 : BR_I32, v[i]);
    br_status_t st =
        br_func_call(w->store, x.of.func, args, n, res, 1, &w->trap);
    if (st == BR_DONE && out != NULL)
        *out = res[0].of.i32;
    return st;
}

static int32_t
call_i32(world_t *w, const char *name, const char *kinds, int64_t a, int64_t b,
         int64_t c)
{
    int32_t r = INT32_MIN;
    CHECK_EQ(call(w, name, kinds, a, b, c, &r), BR_DONE);
    return r;
}

static void
check_trap(world_t *w, const char *name, const char *kinds, int64_t a,
           int64_t b, int64_t c)
{
    CHECK_EQ(call(w, name, kinds, a, b, c, NULL), BR_TRAP);
    CHECK_EQ(w->trap.kind, BR_TRAP_MEMORY_OOB);
}

static bool
world_new(world_t *w, br_engine_t *e, br_module_t *mod)
{
    memset(w, 0, sizeof *w);
    w->store = br_store_new(e, NULL);
    br_limitstype_t l;
    memset(&l, 0, sizeof l);
    l.min = 1;
    br_memory_t *m0 = br_memory_new(w->store, &l);
    br_extern_t imp = {BR_EXTERN_MEMORY, {.memory = m0}};
    br_error_t err;
    if (br_instance_new(w->store, mod, &imp, 1, &w->inst, &err, NULL) !=
        BR_ERR_OK) {
        fprintf(stderr, "instance: %s\n", err.message);
        return false;
    }
    for (uint32_t i = 0; i < M_COUNT; i++)
        w->mem[i] = br_instance_memory(w->inst, i);
    return w->mem[M_IMPORTED] == m0;
}

/* Segments land in their own memory; exports name each one. */
static void
check_layout(world_t *w)
{
    const char *names[] = {"small", "big", "m64"};
    for (uint32_t i = 0; i < 3; i++) {
        br_extern_t x;
        CHECK(br_instance_export(w->inst, names[i], strlen(names[i]), &x));
        CHECK(x.kind == BR_EXTERN_MEMORY && x.of.memory == w->mem[i + 1]);
    }
    CHECK_EQ(br_memory_size(w->mem[M_IMPORTED]), PAGE);
    CHECK_EQ(br_memory_size(w->mem[M_SMALL]), PAGE);
    CHECK_EQ(br_memory_size(w->mem[M_BIG]), 2 * PAGE);
    CHECK_EQ(br_memory_size(w->mem[M_64]), PAGE);
    CHECK(memcmp(br_memory_data(w->mem[M_SMALL]) + 16, "abcd", 4) == 0);
    CHECK(memcmp(br_memory_data(w->mem[M_BIG]) + PAGE + 4, "xyz", 3) == 0);
    CHECK_EQ(br_memory_data(w->mem[M_64])[8], '!');
    CHECK_EQ(br_memory_data(w->mem[M_IMPORTED])[16], 0);
    br_limitstype_t t;
    br_memory_type(w->mem[M_64], &t);
    CHECK(t.is64);
}

static void
check_loads_and_stores(world_t *w)
{
    CHECK_EQ(call_i32(w, "load1", "i", 16, 0, 0), 'a');
    CHECK_EQ(call_i32(w, "load0", "i", 16, 0, 0), 0);
    CHECK_EQ(call_i32(w, "load2", "i", PAGE + 5, 0, 0), 'y');
    CHECK_EQ(call_i32(w, "load2b", "i", PAGE + 5, 0, 0), 'z');
    CHECK_EQ(call_i32(w, "load3", "l", 8, 0, 0), '!');
    /* each memory has its own bounds */
    check_trap(w, "load1", "i", PAGE, 0, 0);
    CHECK_EQ(call_i32(w, "load2", "i", PAGE, 0, 0), 0);
    check_trap(w, "load2b", "i", 2 * PAGE - 1, 0, 0);
    check_trap(w, "load3", "l", (int64_t)1 << 40, 0, 0);
    check_trap(w, "load3", "l", -1, 0, 0);
    CHECK_EQ(call(w, "store1", "ii", 5, 77, 0, NULL), BR_DONE);
    CHECK_EQ(br_memory_data(w->mem[M_SMALL])[5], 77);
    CHECK_EQ(br_memory_data(w->mem[M_IMPORTED])[5], 0);
    CHECK_EQ(br_memory_data(w->mem[M_BIG])[5], 0);
    check_trap(w, "store1", "ii", PAGE, 1, 0);
}

static void
check_size_and_grow(world_t *w)
{
    CHECK_EQ(call_i32(w, "size1", "", 0, 0, 0), 1);
    CHECK_EQ(call_i32(w, "size2", "", 0, 0, 0), 2);
    CHECK_EQ(call_i32(w, "grow1", "i", 1, 0, 0), 1);
    CHECK_EQ(call_i32(w, "size1", "", 0, 0, 0), 2);
    CHECK_EQ(call_i32(w, "grow1", "i", 1, 0, 0), -1); /* max 2 */
    CHECK_EQ(call_i32(w, "load1", "i", PAGE + 1, 0, 0), 0);
    CHECK_EQ(call_i32(w, "size2", "", 0, 0, 0), 2);
    CHECK_EQ(br_memory_size(w->mem[M_IMPORTED]), PAGE);
    /* memory 0 grown inside the function: the load sees its new end */
    br_memory_data(w->mem[M_SMALL])[2 * PAGE - 1] = 9; /* not memory 0 */
    CHECK_EQ(call_i32(w, "grow0_load", "i", 1, 0, 0), 0);
    CHECK_EQ(br_memory_size(w->mem[M_IMPORTED]), 2 * PAGE);
}

static void
check_bulk(world_t *w)
{
    CHECK_EQ(call(w, "fill1", "iii", 100, 0x55, 10, NULL), BR_DONE);
    const uint8_t *m1 = br_memory_data(w->mem[M_SMALL]);
    CHECK(m1[99] == 0 && m1[100] == 0x55 && m1[109] == 0x55 && m1[110] == 0);
    CHECK_EQ(br_memory_data(w->mem[M_IMPORTED])[100], 0);
    check_trap(w, "fill1", "iii", 2 * PAGE - 5, 1, 6);

    CHECK_EQ(call(w, "copy1from2", "iii", 0, PAGE + 4, 3, NULL), BR_DONE);
    CHECK(memcmp(br_memory_data(w->mem[M_SMALL]), "xyz", 3) == 0);
    check_trap(w, "copy1from2", "iii", 0, 2 * PAGE - 2, 3);

    CHECK_EQ(call(w, "init2", "iii", 10, 1, 3, NULL), BR_DONE);
    CHECK(memcmp(br_memory_data(w->mem[M_BIG]) + 10, "QRS", 3) == 0);
    check_trap(w, "init2", "iii", 10, 2, 3); /* past the segment */
    check_trap(w, "init2", "iii", 2 * PAGE - 1, 0, 2);

    CHECK_EQ(call(w, "copy1from3", "ili", 200, 8, 1, NULL), BR_DONE);
    CHECK_EQ(br_memory_data(w->mem[M_SMALL])[200], '!');
    check_trap(w, "copy1from3", "ili", 200, PAGE, 1);
}

static void
test_multi_memory(br_engine_t *e)
{
    br_module_t *mod = multi_module(e);
    CHECK(mod != NULL);
    if (mod == NULL)
        return;
    world_t w;
    bool ok = world_new(&w, e, mod);
    CHECK(ok);
    if (ok) {
        check_layout(&w);
        check_loads_and_stores(&w);
        check_size_and_grow(&w);
        check_bulk(&w);
    }
    br_store_delete(w.store);
    br_module_delete(mod);
}

/* The compiled load names its memory: [op, s, mem, off_lo, off_hi] (or a
 * fused form with the same last three words). */
static void
test_layout(br_engine_t *e)
{
    br_module_t *mod = multi_module(e);
    CHECK(mod != NULL);
    if (mod == NULL)
        return;
    const br_module_t *m = mod;
    /* functions 0..4: load0, load1, load2, load2b, load3 */
    static const uint32_t mems[] = {0, 1, 2, 2, 3}, offs[] = {0, 0, 0, 1, 0};
    for (uint32_t f = 0; f < 5; f++) {
        const bri_code_t *c = &m->funcs[f].code;
        uint32_t end = c->word_count - 3; /* the final [ret, s, n] */
        CHECK(c->word_count >= 8 && c->words[end] == BR_OP_ret);
        if (c->word_count < 8 || c->words[end] != BR_OP_ret)
            continue;
        CHECK_EQ(c->words[end - 3], mems[f]);
        CHECK_EQ(c->words[end - 2], offs[f]);
        CHECK_EQ(c->words[end - 1], 0);
    }
    br_module_delete(mod);
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */

/* The compile verdict on one [] -> [] function of `code` beside memory 0
 * (i32, 1 page) and, when `multi`, memory 1 (i64) and a passive data
 * segment. */
static br_err_t
body_rc(br_engine_t *e, bool multi, const uint8_t *code, size_t n)
{
    wmod_t m = {0};
    uint32_t t = wm_type(&m, "", "");
    wm_memory(&m, 0, 1, 0);
    if (multi) {
        wm_memory(&m, 4, 1, 0);
        wm_data(&m, -1, false, 0, "x");
    }
    wm_func_code(&m, t, code, n);
    return wm_load_rc(e, &m);
}

/* Two memories, for the multi-memory rules. */
#define BODY_ERR(...) body_rc(e, true, WB_LIST(__VA_ARGS__))

static void
test_validation(br_engine_t *e)
{
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_LOAD, MEMIDX | 2, 0, 0, DROP, END),
             BR_ERR_OK);
    CHECK_EQ(BODY_ERR(I64_CONST, 0, I32_LOAD, MEMIDX | 2, 1, 0, DROP, END),
             BR_ERR_OK);
    /* the address type is the named memory's */
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_LOAD, MEMIDX | 2, 1, 0, DROP, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_LOAD, MEMIDX | 2, 2, 0, DROP, END),
             BR_ERR_UNKNOWN_MEMORY);
    /* alignment: the flags without the index bit; bit 7 is too large */
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_LOAD, MEMIDX | 3, 0, 0, DROP, END),
             BR_ERR_ALIGNMENT);
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_LOAD, 0x80, 0x01, 0, DROP, END),
             BR_ERR_ALIGNMENT);
    /* memory.size/grow/fill take an index (a long zero is fine) */
    CHECK_EQ(BODY_ERR(MEMORY_SIZE, 0x80, 0x00, DROP, END), BR_ERR_OK);
    CHECK_EQ(
        BODY_ERR(MEMORY_SIZE, 1, I32_CONST, 0, MEMORY_GROW, 0, DROP, DROP, END),
        BR_ERR_OK); /* memory 1 answers an i64 */
    CHECK_EQ(BODY_ERR(MEMORY_SIZE, 1, MEMORY_GROW, 1, DROP, END), BR_ERR_OK);
    CHECK_EQ(BODY_ERR(I32_CONST, 0, MEMORY_GROW, 1, DROP, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(BODY_ERR(MEMORY_SIZE, 2, DROP, END), BR_ERR_UNKNOWN_MEMORY);
    CHECK_EQ(BODY_ERR(I64_CONST, 0, I32_CONST, 0, I64_CONST, 0, MISC,
                      MEMORY_FILL, 1, END),
             BR_ERR_OK);
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_CONST, 0, I32_CONST, 0, MISC,
                      MEMORY_FILL, 1, END),
             BR_ERR_TYPE_MISMATCH);
    /* memory.copy d s: each address its memory's type, n the narrower */
    CHECK_EQ(BODY_ERR(I64_CONST, 0, I32_CONST, 0, I32_CONST, 0, MISC,
                      MEMORY_COPY, 1, 0, END),
             BR_ERR_OK);
    CHECK_EQ(BODY_ERR(I64_CONST, 0, I32_CONST, 0, I64_CONST, 0, MISC,
                      MEMORY_COPY, 1, 0, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(BODY_ERR(I64_CONST, 0, I64_CONST, 0, I64_CONST, 0, MISC,
                      MEMORY_COPY, 1, 1, END),
             BR_ERR_OK);
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_CONST, 0, I32_CONST, 0, MISC,
                      MEMORY_COPY, 0, 2, END),
             BR_ERR_UNKNOWN_MEMORY);
    /* memory.init data mem: d is the memory's address type */
    CHECK_EQ(BODY_ERR(I64_CONST, 0, I32_CONST, 0, I32_CONST, 0, MISC,
                      MEMORY_INIT, 0, 1, END),
             BR_ERR_OK);
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_CONST, 0, I32_CONST, 0, MISC,
                      MEMORY_INIT, 0, 1, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(BODY_ERR(I32_CONST, 0, I32_CONST, 0, I32_CONST, 0, MISC,
                      MEMORY_INIT, 0, 2, END),
             BR_ERR_UNKNOWN_MEMORY);
}

/* Data segments name a memory that must exist. */
static void
test_data_segments(br_engine_t *e)
{
    wmod_t m = {0};
    wm_memory(&m, 0, 1, 0);
    wm_data(&m, 1, false, 0, "x");
    CHECK_EQ(wm_load_rc(e, &m), BR_ERR_UNKNOWN_MEMORY);
    memset(&m, 0, sizeof m);
    wm_memory(&m, 0, 1, 0);
    wm_memory(&m, 4, 1, 0);
    wm_data(&m, 1, false, 0, "x"); /* i32.const for an i64 memory */
    CHECK_EQ(wm_load_rc(e, &m), BR_ERR_TYPE_MISMATCH);
}

/* One memory, as 2.0 allows. */
#define ONE_MEMORY_ERR(e, ...) body_rc(e, false, WB_LIST(__VA_ARGS__))

/* With multi-memory disabled the engine follows 2.0: one memory, and
 * memory index immediates are a plain zero byte; the default engine
 * accepts what 2.0 refuses. */
static void
test_strict_2_0(br_engine_t *full)
{
    br_config_t config = {.disabled_features = BR_FEATURE_MULTI_MEMORY};
    br_engine_t *strict = br_engine_new(&config);
    br_err_t rc = BR_ERR_OK;
    br_module_delete(multi_module_rc(strict, &rc));
    CHECK_EQ(rc, BR_ERR_MULTIPLE_MEMORIES);
    CHECK_EQ(ONE_MEMORY_ERR(strict, MEMORY_SIZE, 0x80, 0x00, DROP, END),
             BR_ERR_ZERO_BYTE_EXPECTED);
    CHECK_EQ(ONE_MEMORY_ERR(full, MEMORY_SIZE, 0x80, 0x00, DROP, END),
             BR_ERR_OK);
    CHECK_EQ(ONE_MEMORY_ERR(strict, MEMORY_SIZE, 0x00, DROP, END), BR_ERR_OK);
    CHECK_EQ(ONE_MEMORY_ERR(strict, I32_CONST, 0, I32_CONST, 0, I32_CONST, 0,
                            MISC, MEMORY_FILL, 1, END),
             BR_ERR_ZERO_BYTE_EXPECTED);
    /* the memory index flag is an oversized alignment in 2.0 */
    CHECK_EQ(ONE_MEMORY_ERR(strict, I32_CONST, 0, I32_LOAD, MEMIDX | 2, 0, 0,
                            DROP, END),
             BR_ERR_ALIGNMENT);
    CHECK_EQ(ONE_MEMORY_ERR(full, I32_CONST, 0, I32_LOAD, MEMIDX | 2, 0, 0,
                            DROP, END),
             BR_ERR_OK);
    br_engine_delete(strict);
}

int
main(void)
{
    br_engine_t *e = br_engine_new(NULL);
    test_multi_memory(e);
    test_layout(e);
    test_validation(e);
    test_data_segments(e);
    test_strict_2_0(e);
    br_engine_delete(e);
    return CHECK_DONE();
}
