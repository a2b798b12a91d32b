/*
 * beamr tests: every instruction bounded. Bulk memory and table
 * operations run in fuel-charged steps (they yield many times, can be
 * cancelled between steps, and end with the memory a single run gives,
 * traps writing nothing); linear memory is reserved and committed
 * lazily (a 4 GiB grow or instantiation costs only touched pages); the
 * default memory cap bounds memory64.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"
#include "wasm_build.h"
#include "wasm_call.h"

#define PAGE 65536ull
#define MIB (1ull << 20)
#define EXTERNREF 0x6F
#define FUNCREF 0x70
#define TABLE_INIT 0x0C
#define TABLE_COPY 0x0E
#define TABLE_GROW 0x0F
#define TABLE_FILL 0x11
#define TABLE_GET 0x25

/* Monotonic time in ms, for the figures printed (never asserted). */
static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Resident set size of this process in bytes (Linux /proc). */
static uint64_t
rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long size = 0, resident = 0;
    if (f != NULL) {
        if (fscanf(f, "%llu %llu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* One instance of a module with memory 0 of `pages` (memory64 if
 * `is64`), an externref table of `table` elements and the bulk
 * functions: fill/copy/init (d, x, n), grow (n), tfill (i, ref, n),
 * tcopy/tinit (d, s, n). `seg` is the passive data segment's bytes, and
 * `elems` function indices form a passive funcref element segment. */
typedef struct world {
    br_engine_t *e;
    br_store_t *s;
    br_module_t *m;
    br_instance_t *inst;
    br_exec_t *x;
} world_t;

static void
put_passive_elems(wmod_t *m, uint32_t n)
{
    wb_t *b = &m->sec[WS_ELEM];
    WB(b, 0x01, 0x00); /* passive, elemkind funcref */
    wb_uleb(b, n);
    for (uint32_t i = 0; i < n; i++)
        wb_byte(b, 0); /* function 0 */
    m->count[WS_ELEM]++;
}

static bool
world_new(world_t *w, const br_limits_t *limits, uint64_t pages, bool is64,
          uint32_t table, const char *seg, uint32_t elems)
{
    memset(w, 0, sizeof *w);
    w->e = br_engine_new(NULL);
    w->s = br_store_new(w->e, limits);
    wmod_t m = {0};
    uint8_t a = is64 ? R_I64 : R_I32;
    char addr[2] = {(char)a, 0};
    char p3[4] = {(char)a, (char)a, (char)a, 0};
    char tfill[4] = {R_I32, EXTERNREF, R_I32, 0};
    char pfill[4] = {(char)a, R_I32, (char)a, 0};
    uint32_t t3 = wm_type(&m, p3, "");
    uint32_t tfl = wm_type(&m, pfill, "");
    uint32_t tg = wm_type(&m, addr, addr);
    uint32_t tf = wm_type(&m, tfill, "");
    uint32_t ti3 = wm_type(&m, I32 I32 I32, "");
    uint32_t tgt = wm_type(&m, I32, "\x6f");
    char pinit[4] = {(char)a, R_I32, R_I32, 0};
    uint32_t tinit = wm_type(&m, pinit, "");
    wm_table(&m, EXTERNREF, table);
    wm_table(&m, FUNCREF, table);
    wm_memory(&m, is64 ? 4 : 0, pages, 0);
    wm_export(&m, "fill", BR_EXTERN_FUNC,
              WM_FUNC(&m, tfl, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, MISC,
                      MEMORY_FILL, 0, END));
    wm_export(&m, "copy", BR_EXTERN_FUNC,
              WM_FUNC(&m, t3, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, MISC,
                      MEMORY_COPY, 0, 0, END));
    wm_export(&m, "init", BR_EXTERN_FUNC,
              WM_FUNC(&m, tinit, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, MISC,
                      MEMORY_INIT, 0, 0, END));
    wm_export(&m, "grow", BR_EXTERN_FUNC,
              WM_FUNC(&m, tg, LOCAL_GET, 0, MEMORY_GROW, 0, END));
    wm_export(&m, "tfill", BR_EXTERN_FUNC,
              WM_FUNC(&m, tf, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, MISC,
                      TABLE_FILL, 0, END));
    wm_export(&m, "tcopy", BR_EXTERN_FUNC,
              WM_FUNC(&m, ti3, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, MISC,
                      TABLE_COPY, 0, 0, END));
    wm_export(&m, "tinit", BR_EXTERN_FUNC,
              WM_FUNC(&m, ti3, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, MISC,
                      TABLE_INIT, 0, 1, END));
    uint32_t tgr = wm_type(&m, "\x6f" I32, I32);
    wm_export(
        &m, "tgrow", BR_EXTERN_FUNC,
        WM_FUNC(&m, tgr, LOCAL_GET, 0, LOCAL_GET, 1, MISC, TABLE_GROW, 0, END));
    wm_export(&m, "tget", BR_EXTERN_FUNC,
              WM_FUNC(&m, tgt, LOCAL_GET, 0, TABLE_GET, 0, END));
    wm_export(&m, "mem", BR_EXTERN_MEMORY, 0);
    /* init/tinit name segment 0: there always is one */
    put_passive_elems(&m, elems != 0 ? elems : 1);
    wm_data(&m, -1, false, 0, seg != NULL ? seg : "x");
    w->m = wm_load(w->e, &m, NULL);
    if (w->m == NULL)
        return false;
    br_error_t err;
    br_trap_t trap;
    if (br_instance_new(w->s, w->m, NULL, 0, &w->inst, &err, &trap) !=
        BR_ERR_OK)
        return false; /* test_memory_caps expects one refusal */
    w->x = br_exec_new(w->s);
    return w->x != NULL;
}

static void
world_delete(world_t *w)
{
    br_exec_delete(w->x);
    br_store_delete(w->s);
    br_module_delete(w->m);
    br_engine_delete(w->e);
}

/* Calls `name` with three args in slices of `fuel`; returns the final
 * status and counts the yields. */
static br_status_t
call3(world_t *w, const char *name, br_val_t a, br_val_t b, br_val_t c,
      int64_t fuel, int *yields)
{
    br_val_t args[3] = {a, b, c};
    br_func_t *f = export_func(w->inst, name);
    if (f == NULL || br_exec_call(w->x, f, args, 3) != BR_ERR_OK)
        return BR_ERROR;
    *yields = 0;
    br_status_t st;
    while ((st = br_exec_run(w->x, fuel)) == BR_YIELD)
        (*yields)++;
    return st;
}

/* True if mem[from, to) all hold `v`. */
static bool
all_bytes(const uint8_t *mem, uint64_t from, uint64_t to, uint8_t v)
{
    for (uint64_t i = from; i < to; i++)
        if (mem[i] != v)
            return false;
    return true;
}

/* Sanitized builds fill less: first-touched pages cost them more. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_FILL (128ull << 20)
#else
#define BIG_FILL (1ull << 30)
#endif

/* A 1 GiB memory.fill with 10,000 fuel per run: it yields on the way
 * (a 64 KiB step costs 8,193 fuel), fills exactly its range, and
 * charges fuel in proportion to its length. */
static void
test_fill_1gib_yields(void)
{
    world_t w;
    uint64_t n = BIG_FILL;
    CHECK(world_new(&w, NULL, n / PAGE + 1, false, 1, NULL, 0));
    uint8_t *mem = br_memory_data(br_instance_memory(w.inst, 0));
    int yields = 0;
    double t0 = now_ms();
    CHECK_EQ(call3(&w, "fill", vi32(7), vi32(0xAB), vi32((int32_t)n), 10000,
                   &yields),
             BR_DONE);
    double t = now_ms() - t0;
    CHECK(yields >= (int)(n / PAGE / 2)); /* 2 steps of 64 KiB a run */
    CHECK(mem[6] == 0 && mem[7] == 0xAB && mem[n + 6] == 0xAB);
    CHECK(mem[n + 7] == 0);
    CHECK(all_bytes(mem, 7, n + 7, 0xAB));
    printf("fill %llu MiB, 10000 fuel per run: %d yields, %.0f ms "
           "(%.3f ms a run)\n",
           (unsigned long long)(n / MIB), yields, t, t / (yields + 1));
    /* The same fill again, over pages touched already: first-touched
     * bytes cost more fuel (interp.c, FRESH_FUEL_PER_BYTE), so it
     * yields less often than the first one. */
    int fresh_yields = yields;
    t0 = now_ms();
    CHECK_EQ(call3(&w, "fill", vi32(7), vi32(0xCD), vi32((int32_t)n), 10000,
                   &yields),
             BR_DONE);
    t = now_ms() - t0;
    printf("fill %llu MiB again, 10000 fuel per run: %d yields, %.0f ms "
           "(%.3f ms a run)\n",
           (unsigned long long)(n / MIB), yields, t, t / (yields + 1));
    CHECK(all_bytes(mem, 7, n + 7, 0xCD));
    CHECK(yields < fresh_yields);

    /* zero length at the very end is fine; one byte past it traps */
    CHECK_EQ(call3(&w, "fill", vi32((int32_t)(n + PAGE)), vi32(1), vi32(0), 100,
                   &yields),
             BR_DONE);
    CHECK_EQ(call3(&w, "fill", vi32((int32_t)(n + PAGE + 1)), vi32(1), vi32(0),
                   100, &yields),
             BR_TRAP);
    world_delete(&w);
}

/* A trap leaves memory untouched: the whole range is checked before
 * the first step writes, even when the range ends a byte too far. */
static void
test_bulk_traps_write_nothing(void)
{
    world_t w;
    CHECK(world_new(&w, NULL, 64, false, 16, "0123456789", 0));
    uint8_t *mem = br_memory_data(br_instance_memory(w.inst, 0));
    uint64_t size = 64 * PAGE;
    int y = 0;
    CHECK_EQ(
        call3(&w, "fill", vi32(1), vi32(0xFF), vi32((int32_t)size), 10, &y),
        BR_TRAP);
    CHECK_EQ(br_exec_trap(w.x)->kind, BR_TRAP_MEMORY_OOB);
    CHECK(all_bytes(mem, 0, size, 0));
    memset(mem, 0x11, 1 * MIB);
    CHECK_EQ(call3(&w, "copy", vi32(1 * MIB), vi32(0), vi32((int32_t)(size)),
                   10, &y),
             BR_TRAP);
    CHECK(all_bytes(mem, 1 * MIB, size, 0));
    CHECK_EQ(call3(&w, "init", vi32(0), vi32(0), vi32(11), 10, &y), BR_TRAP);
    CHECK(all_bytes(mem, 0, 1 * MIB, 0x11));
    world_delete(&w);
}

/* Overlapping copies split into steps keep memmove's result in both
 * directions, whatever the fuel per run. */
static void
test_copy_overlap_steps(void)
{
    world_t w;
    CHECK(world_new(&w, NULL, 128, false, 1, NULL, 0));
    uint8_t *mem = br_memory_data(br_instance_memory(w.inst, 0));
    uint64_t size = 128 * PAGE;
    uint8_t *ref = malloc(size);
    CHECK(ref != NULL);
    for (uint64_t i = 0; i < size; i++)
        mem[i] = (uint8_t)(i * 7 + (i >> 9));
    memcpy(ref, mem, size);
    static const struct {
        uint32_t d, s, n;
        int64_t fuel;
    } cases[] = {
        {1000, 0, 5 * MIB, 50},        /* forward overlap: tail first */
        {0, 333, 6 * MIB, 7},          /* backward overlap */
        {4 * MIB, 0, 3 * MIB + 5, -1}, /* unlimited fuel */
        {12345, 12345, 1 * MIB, 3},    /* onto itself */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int y = 0;
        CHECK_EQ(call3(&w, "copy", vi32((int32_t)cases[i].d),
                       vi32((int32_t)cases[i].s), vi32((int32_t)cases[i].n),
                       cases[i].fuel, &y),
                 BR_DONE);
        memmove(ref + cases[i].d, ref + cases[i].s, cases[i].n);
        CHECK(memcmp(mem, ref, size) == 0);
        if (cases[i].fuel > 0)
            CHECK(y > 0);
    }
    free(ref);
    world_delete(&w);
}

/* memory.init of a 200 KB passive segment in steps. */
static void
test_init_steps(void)
{
    size_t n = 200000;
    char *seg = malloc(n + 1);
    CHECK(seg != NULL);
    for (size_t i = 0; i < n; i++)
        seg[i] = (char)('A' + i % 23);
    seg[n] = 0;
    world_t w;
    CHECK(world_new(&w, NULL, 8, false, 1, seg, 0));
    uint8_t *mem = br_memory_data(br_instance_memory(w.inst, 0));
    int y = 0;
    CHECK_EQ(
        call3(&w, "init", vi32(3), vi32(5), vi32((int32_t)(n - 5)), 100, &y),
        BR_DONE);
    CHECK(y >= 3);
    CHECK(mem[2] == 0 && memcmp(mem + 3, seg + 5, n - 5) == 0);
    CHECK(mem[n - 2] == 0);
    free(seg);
    world_delete(&w);
}

/* br_exec_cancel between steps ends a long fill with CANCELLED; the
 * filled prefix stays (the spec has no rollback), the rest is untouched. */
static void
test_cancel_mid_fill(void)
{
    world_t w;
    CHECK(world_new(&w, NULL, 1024, false, 1, NULL, 0));
    uint8_t *mem = br_memory_data(br_instance_memory(w.inst, 0));
    br_val_t args[3] = {vi32(0), vi32(5), vi32((int32_t)(1024 * PAGE))};
    CHECK_EQ(br_exec_call(w.x, export_func(w.inst, "fill"), args, 3),
             BR_ERR_OK);
    CHECK_EQ(br_exec_run(w.x, 20000), BR_YIELD);
    br_exec_cancel(w.x);
    CHECK_EQ(br_exec_run(w.x, 20000), BR_TRAP);
    CHECK_EQ(br_exec_trap(w.x)->kind, BR_TRAP_CANCELLED);
    CHECK(mem[0] == 5 && mem[1024 * PAGE - 1] == 0);
    world_delete(&w);
}

/* table.fill/copy/init of millions of elements in steps. */
static void
test_table_bulk_steps(void)
{
    uint32_t n = 4000000, e = 20000;
    world_t w;
    CHECK(world_new(&w, NULL, 1, false, n, NULL, e));
    br_table_t *t = br_instance_table(w.inst, 0);
    br_val_t ref;
    memset(&ref, 0, sizeof ref);
    ref.kind = BR_EXTERNREF;
    ref.of.ref = (br_ref_t)(uintptr_t)0x1234;
    int y = 0;
    CHECK_EQ(
        call3(&w, "tfill", vi32(10), ref, vi32((int32_t)(n - 20)), 1000, &y),
        BR_DONE);
    CHECK(y > 100);
    br_ref_t r = NULL;
    bool ok = true;
    for (uint64_t i = 0; i < n; i++) {
        ok = ok && br_table_get(t, i, &r);
        ok = ok && (r == ((i >= 10 && i < n - 10) ? ref.of.ref : NULL));
    }
    CHECK(ok);
    CHECK_EQ(call3(&w, "tfill", vi32(1), ref, vi32((int32_t)n), 1000, &y),
             BR_TRAP);
    CHECK(br_table_get(t, 0, &r) && r == NULL); /* nothing written */

    /* copy up by 5: elements [5, 15) become null, the rest shift */
    CHECK(br_table_set(t, 3, (br_ref_t)(uintptr_t)0x77));
    CHECK_EQ(
        call3(&w, "tcopy", vi32(5), vi32(0), vi32((int32_t)(n - 5)), 500, &y),
        BR_DONE);
    CHECK(y > 10);
    CHECK(br_table_get(t, 8, &r) && r == (br_ref_t)(uintptr_t)0x77);
    CHECK(br_table_get(t, 14, &r) && r == NULL);
    CHECK(br_table_get(t, 15, &r) && r == ref.of.ref);
    CHECK(br_table_get(t, n - 6, &r) && r == ref.of.ref);
    CHECK(br_table_get(t, n - 5, &r) && r == NULL);

    /* table.init of a 20,000-element passive segment into table 1 */
    br_table_t *ft = br_instance_table(w.inst, 1);
    CHECK_EQ(
        call3(&w, "tinit", vi32(100), vi32(1), vi32((int32_t)(e - 1)), 200, &y),
        BR_DONE);
    CHECK(y > 1);
    br_ref_t f0 = export_func(w.inst, "fill");
    ok = true;
    for (uint64_t i = 0; i < 100 + e + 10; i++) {
        ok = ok && br_table_get(ft, i, &r);
        ok = ok && ((r != NULL) == (i >= 100 && i < 100 + e - 1));
        ok = ok && (r == NULL || r == f0);
    }
    CHECK(ok);
    world_delete(&w);
}

/* Starts tgrow(ref, n) on w's exec and runs it for one slice. */
static br_status_t
start_grow(world_t *w, br_ref_t ref, int32_t n, int64_t fuel)
{
    br_val_t args[2];
    memset(args, 0, sizeof args);
    args[0].kind = BR_EXTERNREF;
    args[0].of.ref = ref;
    args[1] = vi32(n);
    if (br_exec_call(w->x, export_func(w->inst, "tgrow"), args, 2) != BR_ERR_OK)
        return BR_ERROR;
    return br_exec_run(w->x, fuel);
}

/* table.grow by millions of elements runs in steps too; it is still all
 * or nothing, and a grow of the table by anyone else in between makes
 * it start over from the new size. */
static void
test_table_grow_steps(void)
{
    world_t w;
    CHECK(world_new(&w, NULL, 1, false, 10, NULL, 0));
    br_table_t *t = br_instance_table(w.inst, 0);
    br_ref_t a = (br_ref_t)(uintptr_t)0xA0, b = (br_ref_t)(uintptr_t)0xB0;
    int32_t n = 3000000;
    CHECK_EQ(start_grow(&w, a, n, 1000), BR_YIELD);
    CHECK_EQ(br_table_size(t), 10); /* nothing visible before the end */
    int y = 1;
    br_status_t st;
    while ((st = br_exec_run(w.x, 1000)) == BR_YIELD)
        y++;
    CHECK_EQ(st, BR_DONE);
    CHECK(y > 100);
    CHECK_EQ(br_exec_results(w.x)[0].of.i32, 10);
    CHECK_EQ(br_table_size(t), 10 + (uint64_t)n);
    br_ref_t r = NULL;
    bool ok = true;
    for (uint64_t i = 0; i < 10 + (uint64_t)n; i++)
        ok = ok && br_table_get(t, i, &r) && r == (i < 10 ? NULL : a);
    CHECK(ok);

    /* over the 10,000,000 default maximum: -1, nothing changes */
    CHECK_EQ(start_grow(&w, a, 8000000, -1), BR_DONE);
    CHECK_EQ(br_exec_results(w.x)[0].of.i32, -1);
    CHECK_EQ(br_table_size(t), 10 + (uint64_t)n);

    /* the host grows the table while a grow is half done */
    uint64_t size = br_table_size(t);
    CHECK_EQ(start_grow(&w, b, 100000, 2000), BR_YIELD);
    CHECK(br_table_grow(t, 5, a, NULL));
    CHECK_EQ(run_slices(w.x, 2000), BR_DONE);
    CHECK_EQ(br_exec_results(w.x)[0].of.i32, (int32_t)(size + 5));
    CHECK_EQ(br_table_size(t), size + 5 + 100000);
    ok = true;
    for (uint64_t i = size; i < size + 5 + 100000; i++)
        ok = ok && br_table_get(t, i, &r) && r == (i < size + 5 ? a : b);
    CHECK(ok);

    /* a cancelled grow leaves the table as it was; the next one works */
    size = br_table_size(t);
    CHECK_EQ(start_grow(&w, b, 100000, 2000), BR_YIELD);
    br_exec_cancel(w.x);
    CHECK_EQ(br_exec_run(w.x, 2000), BR_TRAP);
    CHECK_EQ(br_table_size(t), size);
    CHECK_EQ(start_grow(&w, a, 20000, 500), BR_YIELD);
    CHECK_EQ(run_slices(w.x, 500), BR_DONE);
    CHECK_EQ(br_table_size(t), size + 20000);
    CHECK(br_table_get(t, size, &r) && r == a);
    world_delete(&w);
}

/* Growing by 65535 pages (4 GiB - 64 KiB) commits nothing up front:
 * fast, and RSS grows by the pages touched only; the contents survive
 * the move to a larger reservation. */
static void
test_grow_lazy(void)
{
    world_t w;
    CHECK(world_new(&w, NULL, 1, false, 1, NULL, 0));
    br_memory_t *mem = br_instance_memory(w.inst, 0);
    br_memory_data(mem)[100] = 42;
    uint64_t rss0 = rss_bytes();
    br_val_t arg = vi32(65535);
    br_val_t res;
    br_trap_t trap;
    double t0 = now_ms();
    CHECK_EQ(
        br_func_call(w.s, export_func(w.inst, "grow"), &arg, 1, &res, 1, &trap),
        BR_DONE);
    double t = now_ms() - t0;
    CHECK_EQ(res.of.i32, 1);
    CHECK_EQ(br_memory_size(mem), 65536 * PAGE);
    uint8_t *data = br_memory_data(mem);
    CHECK(data[100] == 42 && data[101] == 0);
    data[65536 * PAGE - 1] = 9; /* the last byte is writable */
    CHECK(data[65536 * PAGE - 2] == 0);
    uint64_t rss1 = rss_bytes();
    printf("grow 65535 pages: %.3f ms, RSS %+lld KiB\n", t,
           (long long)(rss1 - rss0) / 1024);
    CHECK(rss1 < rss0 + 16 * MIB);
    arg = vi32(1); /* past the 4 GiB of memory32 */
    CHECK_EQ(
        br_func_call(w.s, export_func(w.inst, "grow"), &arg, 1, &res, 1, &trap),
        BR_DONE);
    CHECK_EQ(res.of.i32, -1);

    /* many small grows keep the contents through every move */
    world_t v;
    CHECK(world_new(&v, NULL, 0, false, 1, NULL, 0));
    br_memory_t *m2 = br_instance_memory(v.inst, 0);
    bool ok = true;
    for (uint64_t p = 0; p < 3000; p++) {
        ok = ok && br_memory_grow(m2, 1, NULL);
        br_memory_data(m2)[p * PAGE + p % 100] = (uint8_t)(p | 1);
    }
    for (uint64_t p = 0; p < 3000; p++)
        ok = ok && br_memory_data(m2)[p * PAGE + p % 100] == (uint8_t)(p | 1);
    CHECK(ok);
    world_delete(&v);
    world_delete(&w);
}

/* Instantiating (memory 65536) with a data segment at its very end
 * touches only that segment's page. */
static void
test_instantiate_4gib(void)
{
    uint64_t rss0 = rss_bytes();
    br_engine_t *e = br_engine_new(NULL);
    br_store_t *s = br_store_new(e, NULL);
    wmod_t m = {0};
    wm_memory(&m, 0, 65536, 0);
    wb_t *b = &m.sec[WS_DATA];
    WB(b, 0x00, I32_CONST);
    wb_sleb(b, (int32_t)(uint32_t)(65536 * PAGE - 4));
    WB(b, END);
    wb_name(b, "tail");
    m.count[WS_DATA]++;
    br_module_t *mod = wm_load(e, &m, NULL);
    CHECK(mod != NULL);
    br_instance_t *inst = NULL;
    br_error_t err;
    br_trap_t trap;
    double t0 = now_ms();
    CHECK_EQ(br_instance_new(s, mod, NULL, 0, &inst, &err, &trap), BR_ERR_OK);
    double t = now_ms() - t0;
    br_memory_t *mem = br_instance_memory(inst, 0);
    CHECK_EQ(br_memory_size(mem), 65536 * PAGE);
    CHECK(memcmp(br_memory_data(mem) + 65536 * PAGE - 4, "tail", 4) == 0);
    CHECK(br_memory_data(mem)[0] == 0);
    uint64_t rss1 = rss_bytes();
    printf("instantiate (memory 65536): %.3f ms, RSS %+lld KiB\n", t,
           (long long)(rss1 - rss0) / 1024);
    CHECK(rss1 < rss0 + 16 * MIB);
    br_store_delete(s);
    br_module_delete(mod);
    br_engine_delete(e);
}

/* br_module_instantiate_bytes counts what instantiation writes eagerly:
 * tables to their minimum, element segments, active data segments; the
 * memory's size does not count (it is committed lazily). */
static void
test_instantiate_bytes(void)
{
    br_engine_t *e = br_engine_new(NULL);
    wmod_t m = {0};
    wm_type(&m, "", "");
    WM_FUNC(&m, 0, END);
    wm_table(&m, FUNCREF, 100);
    wm_memory(&m, 0, 65536, 0);
    wm_data(&m, 0, false, 10, "hello");
    wm_data(&m, -1, false, 0, "passive, not copied");
    uint32_t f[3] = {0, 0, 0};
    wm_elem(&m, 0, f, 3);
    br_module_t *mod = wm_load(e, &m, NULL);
    CHECK(mod != NULL);
    CHECK_EQ(br_module_instantiate_bytes(mod),
             100 * sizeof(br_ref_t) + 3 * sizeof(br_ref_t) + 5);
    CHECK_EQ(br_module_instantiate_bytes(NULL), 0);
    br_module_delete(mod);
    br_engine_delete(e);
}

/* The default cap (4 GiB) bounds memory64 too; an engine or a store can
 * lower it, or lift it with BR_MEMORY_PAGES_UNLIMITED. */
static void
test_memory_caps(void)
{
    world_t w;
    CHECK(world_new(&w, NULL, 1, true, 1, NULL, 0));
    br_memory_t *mem = br_instance_memory(w.inst, 0);
    CHECK_EQ(mem->max_pages, BR_DEFAULT_MAX_MEMORY_PAGES);
    CHECK(!br_memory_grow(mem, 65536, NULL));
    CHECK(br_memory_grow(mem, 65535, NULL));
    world_delete(&w);

    br_limits_t lim;
    memset(&lim, 0, sizeof lim);
    lim.max_memory_pages = BR_MEMORY_PAGES_UNLIMITED;
    CHECK(world_new(&w, &lim, 1, true, 1, NULL, 0));
    mem = br_instance_memory(w.inst, 0);
    uint64_t rss0 = rss_bytes();
    CHECK(br_memory_grow(mem, 3 * 65536, NULL)); /* 12 GiB, untouched */
    br_memory_data(mem)[3 * 65536 * PAGE] = 1;
    CHECK(rss_bytes() < rss0 + 16 * MIB);
    world_delete(&w);

    lim.max_memory_pages = 4;
    CHECK(!world_new(&w, &lim, 5, false, 1, NULL, 0)); /* min above cap */
    world_delete(&w);

    br_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.limits.max_memory_pages = 2;
    br_engine_t *e = br_engine_new(&cfg);
    br_store_t *s = br_store_new(e, NULL);
    br_limitstype_t l = {.min = 1, .is64 = true};
    br_memory_t *m64 = br_memory_new(s, &l);
    CHECK(m64 != NULL && m64->max_pages == 2);
    CHECK(br_memory_grow(m64, 1, NULL) && !br_memory_grow(m64, 1, NULL));
    br_store_delete(s);
    br_engine_delete(e);
}

int
main(void)
{
    test_fill_1gib_yields();
    test_bulk_traps_write_nothing();
    test_copy_overlap_steps();
    test_init_steps();
    test_cancel_mid_fill();
    test_table_bulk_steps();
    test_table_grow_steps();
    test_grow_lazy();
    test_instantiate_4gib();
    test_instantiate_bytes();
    test_memory_caps();
    fflush(stdout);
    return CHECK_DONE();
}
