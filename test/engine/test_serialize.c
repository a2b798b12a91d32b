/*
 * beamr tests: compiled-module files: round trips of real modules with
 * identical results, rejection of truncated, flipped, foreign, other-
 * version and crafted files, and allocation-failure injection.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../../c_src/engine/aot.h"
#include "../../c_src/engine/compile.h"
#include "check.h"
#include "count_alloc.h"
#include "reseal.h"
#include "wasm_call.h"

/*
 * RT_WASM (wat2wasm --enable-exceptions) exercises calls, loops,
 * br_table, call_indirect, tables, references, globals, bulk memory,
 * exceptions (catch, catch_all, rethrow, delegate) and multi-value:
 *
 * (module
 *   (type $ii_i (func (param i32 i32) (result i32)))
 *   (tag $e (param i32))
 *   (memory 1 10)
 *   (table $t 4 funcref)
 *   (table $x 2 externref)
 *   (global $g (mut i64) (i64.const 7))
 *   (global $gf (mut funcref) (ref.null func))
 *   (elem (table $t) (i32.const 0) func $add $sub $mul)
 *   (elem declare func $fib)
 *   (data (i32.const 16) "hello beamr")
 *   (func $add (type $ii_i) (i32.add (local.get 0) (local.get 1)))
 *   (func $sub (type $ii_i) (i32.sub (local.get 0) (local.get 1)))
 *   (func $mul (type $ii_i) (i32.mul (local.get 0) (local.get 1)))
 *   (func $fib (export "fib") (param i32) (result i32) ...recursive...)
 *   (func (export "loop_sum") (param i32) (result i64) ...block/loop...)
 *   (func (export "dispatch") (param i32 i32 i32) (result i32)
 *     (call_indirect $t (type $ii_i) (local.get 1) (local.get 2)
 *                                    (local.get 0)))
 *   (func (export "switch") (param i32) (result i32) ...br_table...)
 *   (func (export "mem") (param i32) (result i32) ...fill/copy/grow...)
 *   (func (export "globals") (param i64) (result i64) ...)
 *   (func (export "refs") (param i32) (result i32) ...table.get/set...)
 *   (func $thrower (param i32) (throw $e (local.get 0)))
 *   (func (export "exc") (param i32) (result i32) ...try/catch...)
 *   (func (export "exc2") (param i32) (result i32) ...rethrow...)
 *   (func (export "deleg") (param i32) (result i32) ...delegate...)
 *   (func (export "multi") (param i32) (result i32 i64) ...)
 *   (func (export "floats") (param f64) (result f64) ...))
 */

static const uint8_t RT_WASM[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x31, 0x09, 0x60,
    0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f,
    0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x03, 0x7f, 0x7f, 0x7f,
    0x01, 0x7f, 0x60, 0x01, 0x7e, 0x01, 0x7e, 0x60, 0x01, 0x7f, 0x02, 0x7f,
    0x7e, 0x60, 0x00, 0x02, 0x7f, 0x7e, 0x60, 0x01, 0x7c, 0x01, 0x7c, 0x03,
    0x11, 0x10, 0x00, 0x00, 0x00, 0x02, 0x03, 0x04, 0x02, 0x02, 0x05, 0x02,
    0x01, 0x02, 0x02, 0x02, 0x06, 0x08, 0x04, 0x07, 0x02, 0x70, 0x00, 0x04,
    0x6f, 0x00, 0x02, 0x05, 0x04, 0x01, 0x01, 0x01, 0x0a, 0x0d, 0x03, 0x01,
    0x00, 0x01, 0x06, 0x0b, 0x02, 0x7e, 0x01, 0x42, 0x07, 0x0b, 0x70, 0x01,
    0xd0, 0x70, 0x0b, 0x07, 0x63, 0x0c, 0x03, 0x66, 0x69, 0x62, 0x00, 0x03,
    0x08, 0x6c, 0x6f, 0x6f, 0x70, 0x5f, 0x73, 0x75, 0x6d, 0x00, 0x04, 0x08,
    0x64, 0x69, 0x73, 0x70, 0x61, 0x74, 0x63, 0x68, 0x00, 0x05, 0x06, 0x73,
    0x77, 0x69, 0x74, 0x63, 0x68, 0x00, 0x06, 0x03, 0x6d, 0x65, 0x6d, 0x00,
    0x07, 0x07, 0x67, 0x6c, 0x6f, 0x62, 0x61, 0x6c, 0x73, 0x00, 0x08, 0x04,
    0x72, 0x65, 0x66, 0x73, 0x00, 0x09, 0x03, 0x65, 0x78, 0x63, 0x00, 0x0b,
    0x04, 0x65, 0x78, 0x63, 0x32, 0x00, 0x0c, 0x05, 0x64, 0x65, 0x6c, 0x65,
    0x67, 0x00, 0x0d, 0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x00, 0x0e, 0x06,
    0x66, 0x6c, 0x6f, 0x61, 0x74, 0x73, 0x00, 0x0f, 0x09, 0x0d, 0x02, 0x00,
    0x41, 0x00, 0x0b, 0x03, 0x00, 0x01, 0x02, 0x03, 0x00, 0x01, 0x03, 0x0a,
    0xe0, 0x02, 0x10, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x6b, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20,
    0x01, 0x6c, 0x0b, 0x1c, 0x00, 0x20, 0x00, 0x41, 0x02, 0x49, 0x04, 0x7f,
    0x20, 0x00, 0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x03, 0x20, 0x00,
    0x41, 0x02, 0x6b, 0x10, 0x03, 0x6a, 0x0b, 0x0b, 0x22, 0x01, 0x01, 0x7e,
    0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01, 0x20, 0x01, 0x20,
    0x00, 0xad, 0x7c, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00,
    0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b, 0x0b, 0x00, 0x20, 0x01, 0x20,
    0x02, 0x20, 0x00, 0x11, 0x00, 0x00, 0x0b, 0x26, 0x00, 0x02, 0x7f, 0x02,
    0x7f, 0x02, 0x7f, 0x02, 0x7f, 0x41, 0xe4, 0x00, 0x20, 0x00, 0x0e, 0x03,
    0x00, 0x01, 0x02, 0x03, 0x0b, 0x41, 0x01, 0x6a, 0x0c, 0x02, 0x0b, 0x41,
    0x02, 0x6a, 0x0c, 0x01, 0x0b, 0x41, 0x03, 0x6a, 0x0b, 0x0b, 0x38, 0x00,
    0x41, 0xe4, 0x00, 0x20, 0x00, 0x41, 0x08, 0xfc, 0x0b, 0x00, 0x41, 0xc8,
    0x01, 0x41, 0x10, 0x41, 0x0b, 0xfc, 0x0a, 0x00, 0x00, 0x41, 0xac, 0x02,
    0x41, 0xc8, 0x01, 0x2d, 0x00, 0x00, 0x41, 0xe8, 0x00, 0x2d, 0x00, 0x00,
    0x6a, 0x36, 0x02, 0x00, 0x41, 0x01, 0x40, 0x00, 0x1a, 0x41, 0xac, 0x02,
    0x28, 0x02, 0x00, 0x3f, 0x00, 0x6a, 0x0b, 0x0f, 0x00, 0x23, 0x00, 0x20,
    0x00, 0x7e, 0x24, 0x00, 0xd2, 0x03, 0x24, 0x01, 0x23, 0x00, 0x0b, 0x28,
    0x00, 0x41, 0x03, 0xd2, 0x03, 0x26, 0x00, 0x41, 0x01, 0xd0, 0x6f, 0x26,
    0x01, 0x20, 0x00, 0x20, 0x00, 0x41, 0x02, 0x11, 0x00, 0x00, 0x41, 0x7f,
    0x41, 0x03, 0x25, 0x00, 0xd1, 0x45, 0x1b, 0x20, 0x00, 0x41, 0x03, 0x11,
    0x02, 0x00, 0x6a, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x08, 0x00, 0x0b, 0x19,
    0x00, 0x06, 0x7f, 0x20, 0x00, 0x04, 0x40, 0x20, 0x00, 0x08, 0x00, 0x0b,
    0x41, 0x01, 0x07, 0x00, 0x41, 0xe8, 0x07, 0x6a, 0x19, 0x41, 0x7f, 0x0b,
    0x0b, 0x13, 0x00, 0x06, 0x7f, 0x06, 0x7f, 0x20, 0x00, 0x10, 0x0a, 0x41,
    0x00, 0x19, 0x09, 0x00, 0x0b, 0x07, 0x00, 0x0b, 0x0b, 0x14, 0x00, 0x06,
    0x7f, 0x06, 0x40, 0x20, 0x00, 0x10, 0x0a, 0x18, 0x00, 0x41, 0x00, 0x07,
    0x00, 0x41, 0x07, 0x6a, 0x0b, 0x0b, 0x09, 0x00, 0x02, 0x07, 0x20, 0x00,
    0x42, 0x05, 0x0b, 0x0b, 0x0d, 0x00, 0x20, 0x00, 0x9f, 0x43, 0x00, 0x00,
    0x20, 0x40, 0xa8, 0xb7, 0xa0, 0x0b, 0x0b, 0x11, 0x01, 0x00, 0x41, 0x10,
    0x0b, 0x0b, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x62, 0x65, 0x61, 0x6d,
    0x72,
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static uint8_t *
read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *bigger = realloc(buf, cap);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n != 0);
    fclose(f);
    *size = len;
    return buf;
}

static br_module_t *
compile(br_engine_t *e, const uint8_t *bytes, size_t size)
{
    br_module_t *m = NULL;
    br_error_t err;
    if (br_module_new(e, bytes, size, &m, &err) != BR_ERR_OK)
        fprintf(stderr, "compile: %s\n", err.message);
    return m;
}

/* Serializes and loads back; NULL (with a note) if either step fails. */
static br_module_t *
round_trip(br_engine_t *e, const br_module_t *m, uint8_t **bytes, size_t *size)
{
    br_module_t *back = NULL;
    br_error_t err;
    if (br_module_serialize(m, bytes, size) != BR_ERR_OK)
        return NULL;
    if (br_module_deserialize(e, *bytes, *size, &back, &err) != BR_ERR_OK)
        fprintf(stderr, "deserialize: %s\n", err.message);
    return back;
}

/* An engine counting its allocations, RT_WASM compiled in it, and room
 * for serialized bytes (freed with it). */
typedef struct rig {
    counter_t c;
    br_engine_t *e;
    br_module_t *m;
    uint8_t *bytes;
    size_t size;
} rig_t;

static void
rig_init(rig_t *r)
{
    r->e = count_engine_new(&r->c);
    r->m = compile(r->e, RT_WASM, sizeof RT_WASM);
    r->bytes = NULL;
    r->size = 0;
}

/* Frees it all; every allocated byte must have come back. */
static void
rig_free(rig_t *r)
{
    br_engine_free_buffer(r->e, r->bytes, r->size);
    br_module_delete(r->m);
    br_engine_delete(r->e);
    CHECK_EQ(r->c.live, 0);
}

static bool
same_code(const bri_code_t *a, const bri_code_t *b)
{
    if (a->word_count != b->word_count || a->frame_slots != b->frame_slots ||
        a->local_slots != b->local_slots ||
        a->handler_count != b->handler_count || a->site_count != b->site_count)
        return false;
    if (memcmp(a->words, b->words, a->word_count * sizeof *a->words) != 0)
        return false;
    for (uint32_t i = 0; i < a->handler_count; i++) {
        const bri_handler_t *x = &a->handlers[i], *y = &b->handlers[i];
        if (x->start != y->start || x->end != y->end ||
            x->parent != y->parent || x->height != y->height ||
            x->catch_count != y->catch_count ||
            (x->catch_count != 0 &&
             memcmp(x->catches, y->catches,
                    x->catch_count * sizeof *x->catches) != 0))
            return false;
    }
    return a->site_count == 0 ||
           memcmp(a->sites, b->sites, a->site_count * sizeof *a->sites) == 0;
}

static bool
same_module(const br_module_t *a, const br_module_t *b)
{
    if (a->size != b->size || memcmp(a->bytes, b->bytes, a->size) != 0 ||
        a->func_count != b->func_count)
        return false;
    for (uint32_t i = a->func_import_count; i < a->func_count; i++)
        if (!same_code(&a->funcs[i].code, &b->funcs[i].code))
            return false;
    for (uint32_t i = 0; i < a->func_count; i++)
        if (a->declared_refs[i] != b->declared_refs[i])
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Running the RT module                                               */

typedef struct outcome {
    br_status_t status;
    br_trapkind_t trap;
    size_t count;
    br_val_t results[2];
} outcome_t;

/* Runs an export for at most 10^6 units of fuel (mutated code may loop
 * forever; it must still charge fuel). */
static outcome_t
call(br_store_t *s, br_instance_t *inst, const char *name, const br_val_t *args,
     size_t n)
{
    outcome_t o;
    memset(&o, 0, sizeof o);
    br_extern_t ext;
    br_exec_t *x = br_exec_new(s);
    if (x == NULL || !br_instance_export(inst, name, strlen(name), &ext) ||
        br_exec_call(x, ext.of.func, args, n) != BR_ERR_OK) {
        o.status = BR_ERROR;
        br_exec_delete(x);
        return o;
    }
    o.status = br_exec_run(x, 1000000);
    o.trap = o.status == BR_TRAP ? br_exec_trap(x)->kind : BR_TRAP_NONE;
    o.count = br_exec_result_count(x);
    for (size_t i = 0; o.status == BR_DONE && i < o.count && i < 2; i++)
        o.results[i] = br_exec_results(x)[i];
    br_exec_delete(x);
    return o;
}

/* Every export of RT_WASM with a range of arguments, in a fixed order;
 * returns the number of outcomes written. */
static size_t
run_rt(br_engine_t *e, const br_module_t *m, outcome_t *out, size_t cap)
{
    br_store_t *s = br_store_new(e, NULL);
    br_instance_t *inst = NULL;
    br_error_t err;
    size_t n = 0;
    if (s == NULL ||
        br_instance_new(s, m, NULL, 0, &inst, &err, NULL) != BR_ERR_OK) {
        br_store_delete(s);
        return 0;
    }
    for (uint32_t i = 0; i < 16 && n < cap; i++) {
        br_val_t a = val(BR_I32, i);
        out[n++] = call(s, inst, "fib", &a, 1);
        out[n++] = call(s, inst, "switch", &a, 1);
        out[n++] = call(s, inst, "exc", &a, 1);
        out[n++] = call(s, inst, "exc2", &a, 1);
        out[n++] = call(s, inst, "deleg", &a, 1);
        out[n++] = call(s, inst, "multi", &a, 1);
        out[n++] = call(s, inst, "mem", &a, 1);
        br_val_t d[3] = {val(BR_I32, i % 5), val(BR_I32, 3 * i),
                         val(BR_I32, i)};
        out[n++] = call(s, inst, "dispatch", d, 3);
        a = val(BR_I32, i * 37);
        out[n++] = call(s, inst, "loop_sum", &a, 1);
        a = val(BR_I64, i + 2);
        out[n++] = call(s, inst, "globals", &a, 1);
        a = val(BR_I32, i);
        out[n++] = call(s, inst, "refs", &a, 1);
        double x = 3.5 * i;
        a = val(BR_F64, 0);
        memcpy(&a.of.f64, &x, sizeof x);
        out[n++] = call(s, inst, "floats", &a, 1);
    }
    br_store_delete(s);
    return n;
}

static bool
same_outcome(const outcome_t *a, const outcome_t *b)
{
    if (a->status != b->status || a->trap != b->trap || a->count != b->count)
        return false;
    for (size_t i = 0; a->status == BR_DONE && i < a->count; i++)
        if (a->results[i].kind != b->results[i].kind ||
            a->results[i].of.u64 != b->results[i].of.u64)
            return false;
    return true;
}

#define RT_RUNS 256

static void
test_rt_round_trip(void)
{
    rig_t r;
    rig_init(&r);
    br_module_t *back = r.m ? round_trip(r.e, r.m, &r.bytes, &r.size) : NULL;
    CHECK(back != NULL);
    if (back != NULL) {
        CHECK(same_module(r.m, back));
        static outcome_t a[RT_RUNS], b[RT_RUNS];
        size_t na = run_rt(r.e, r.m, a, RT_RUNS);
        size_t nb = run_rt(r.e, back, b, RT_RUNS);
        CHECK(na > 100);
        CHECK_EQ(na, nb);
        size_t same = 0, done = 0, trapped = 0;
        for (size_t i = 0; i < na && i < nb; i++) {
            same += same_outcome(&a[i], &b[i]);
            done += a[i].status == BR_DONE;
            trapped += a[i].status == BR_TRAP;
        }
        CHECK_EQ(same, na);
        CHECK(done > 150);  /* mostly real answers ... */
        CHECK(trapped > 0); /* ... and traps (uncaught, null element) */
        CHECK_EQ(a[0].results[0].of.i32, 0);        /* fib(0) */
        CHECK_EQ(a[12 * 10].results[0].of.i32, 55); /* fib(10) */
        /* a loaded module serializes to the same bytes */
        uint8_t *again = NULL;
        size_t again_size = 0;
        CHECK_EQ(br_module_serialize(back, &again, &again_size), BR_ERR_OK);
        CHECK(again_size == r.size && memcmp(again, r.bytes, r.size) == 0);
        br_engine_free_buffer(r.e, again, again_size);
    }
    br_module_delete(back);
    rig_free(&r);
}

/* ------------------------------------------------------------------ */
/* Real modules from files                                             */

/* Round-trips one file if it compiles; returns 1 if it did. */
static int
file_round_trip(br_engine_t *e, const char *path, bool quiet)
{
    size_t size = 0;
    uint8_t *wasm = read_file(path, &size);
    if (wasm == NULL)
        return 0;
    br_module_t *m = NULL;
    br_error_t err;
    int done = 0;
    if (br_module_new(e, wasm, size, &m, &err) == BR_ERR_OK) {
        uint8_t *bytes = NULL;
        size_t n = 0;
        br_module_t *back = round_trip(e, m, &bytes, &n);
        if (back == NULL || !same_module(m, back)) {
            fprintf(stderr, "%s: round trip failed\n", path);
            CHECK(back != NULL && same_module(m, back));
        } else {
            check_passed++;
        }
        br_engine_free_buffer(e, bytes, n);
        br_module_delete(back);
        br_module_delete(m);
        done = 1;
    } else if (!quiet) {
        fprintf(stderr, "%s: %s (skipped)\n", path, err.message);
    }
    free(wasm);
    return done;
}

/* Every .wasm file of a directory that compiles must round-trip. */
static int
dir_round_trip(br_engine_t *e, const char *dir, bool quiet)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *ent;
    char path[4096];
    while ((ent = readdir(d)) != NULL) {
        size_t len = strlen(ent->d_name);
        if (len < 5 || strcmp(ent->d_name + len - 5, ".wasm") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        n += file_round_trip(e, path, quiet);
    }
    closedir(d);
    return n;
}

#define FIXTURES "../shared/fixtures"

static void
test_files(void)
{
    counter_t c;
    br_engine_t *e = count_engine_new(&c);
    int hb = dir_round_trip(e, FIXTURES "/hyperbeam", false);
    int wx = dir_round_trip(e, FIXTURES "/wasmex", false);
    int wasi = dir_round_trip(e, "build/wasi", true);
    printf("test_serialize: round trips: %d hyperbeam, %d wasmex, %d "
           "build/wasi modules\n",
           hb, wx, wasi);
    if (hb == 0)
        printf("test_serialize: note: %s not found (run from the repo "
               "root)\n",
               FIXTURES);
    br_engine_delete(e);
    CHECK_EQ(c.live, 0);
}

/* fac(5.0) of the HyperBEAM fixture, compiled and loaded. */
static void
test_fixture_runs(void)
{
    size_t size = 0;
    uint8_t *wasm = read_file(FIXTURES "/hyperbeam/test.wasm", &size);
    if (wasm == NULL)
        return;
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = compile(e, wasm, size);
    uint8_t *bytes = NULL;
    size_t n = 0;
    br_module_t *back = m ? round_trip(e, m, &bytes, &n) : NULL;
    CHECK(back != NULL);
    const br_module_t *mods[2] = {m, back};
    for (int k = 0; k < 2 && back != NULL; k++) {
        br_store_t *s = br_store_new(e, NULL);
        br_instance_t *inst = NULL;
        CHECK_EQ(br_instance_new(s, mods[k], NULL, 0, &inst, NULL, NULL),
                 BR_ERR_OK);
        br_val_t a = val(BR_F64, 0);
        a.of.f64 = 5.0;
        outcome_t o = call(s, inst, "fac", &a, 1);
        CHECK_EQ(o.status, BR_DONE);
        CHECK(o.results[0].of.f64 == 120.0);
        br_store_delete(s);
    }
    br_engine_free_buffer(e, bytes, n);
    br_module_delete(back);
    br_module_delete(m);
    br_engine_delete(e);
    free(wasm);
}

/* ------------------------------------------------------------------ */
/* Damaged files                                                       */

static br_err_t
load(br_engine_t *e, const uint8_t *bytes, size_t size)
{
    br_module_t *m = NULL;
    br_error_t err;
    br_err_t rc = br_module_deserialize(e, bytes, size, &m, &err);
    if (rc == BR_ERR_OK)
        br_module_delete(m);
    else if (rc != err.code)
        return BR_ERR__COUNT; /* the error must describe the code */
    return rc;
}

#define HEADER 40

static void
test_damage(void)
{
    rig_t r;
    rig_init(&r);
    CHECK_EQ(br_module_serialize(r.m, &r.bytes, &r.size), BR_ERR_OK);
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_OK);

    /* every truncation */
    size_t rejected = 0;
    for (size_t len = 0; len < r.size; len++) {
        br_err_t rc = load(r.e, r.bytes, len);
        rejected += rc != BR_ERR_OK;
        if (len < 8)
            CHECK_EQ(rc, BR_ERR_AOT_FORMAT);
        else if (len >= HEADER && rc != BR_ERR_AOT_CHECKSUM)
            CHECK_EQ(rc, BR_ERR_AOT_CHECKSUM);
    }
    CHECK_EQ(rejected, r.size);

    /* every single-byte flip */
    size_t flips = 0, payload_checksum = 0;
    for (size_t i = 0; i < r.size; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            r.bytes[i] ^= (uint8_t)(1u << bit);
            br_err_t rc = load(r.e, r.bytes, r.size);
            r.bytes[i] ^= (uint8_t)(1u << bit);
            flips += rc != BR_ERR_OK;
            if (i >= HEADER)
                payload_checksum += rc == BR_ERR_AOT_CHECKSUM;
        }
    }
    CHECK_EQ(flips, r.size * 3);
    CHECK_EQ(payload_checksum, (r.size - HEADER) * 3);

    /* magic, version, flags and build id */
    r.bytes[0] ^= 1;
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_AOT_FORMAT);
    r.bytes[0] ^= 1;
    r.bytes[8] ^= 1; /* format version */
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_AOT_VERSION);
    r.bytes[8] ^= 1;
    r.bytes[12] ^= 1; /* flags */
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_AOT_VERSION);
    r.bytes[12] ^= 1;
    r.bytes[20] ^= 0x80; /* build id */
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_AOT_VERSION);
    r.bytes[20] ^= 0x80;
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_OK);
    /* a plain wasm binary is no compiled module */
    CHECK_EQ(load(r.e, RT_WASM, sizeof RT_WASM), BR_ERR_AOT_FORMAT);

    /* a resealed payload with a broken embedded module */
    r.bytes[HEADER + 4] ^= 0xFF; /* the wasm magic */
    reseal(r.bytes, r.size);
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_AOT_CORRUPT);
    r.bytes[HEADER + 4] ^= 0xFF;
    reseal(r.bytes, r.size);
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_OK);
    /* ... or a function count that disagrees */
    size_t fcount = HEADER + 4 + sizeof RT_WASM;
    r.bytes[fcount] ^= 1;
    reseal(r.bytes, r.size);
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_AOT_CORRUPT);
    r.bytes[fcount] ^= 1;
    /* ... or a word count larger than the file */
    r.bytes[fcount + 4 + 3] = 0x7F;
    reseal(r.bytes, r.size);
    CHECK_EQ(load(r.e, r.bytes, r.size), BR_ERR_AOT_CORRUPT);

    rig_free(&r);
}

/* ------------------------------------------------------------------ */
/* Crafted code with a valid checksum                                  */

/* Replaces the code of function `fi` (slot counts kept from its type)
 * with `n` words, `frame` slots and an optional handler. */
static void
set_code(br_module_t *m, uint32_t fi, const uint32_t *w, uint32_t n,
         uint32_t frame, const bri_handler_t *handler)
{
    const bri_allocator_t *a = &m->engine->alloc;
    bri_code_t *c = &m->funcs[fi].code;
    bri_code_t keep = *c;
    memset(&keep.words, 0, sizeof keep.words);
    c->handler_count = keep.handler_count;
    bri_code_free(a, c);
    c->param_slots = keep.param_slots;
    c->local_slots = keep.local_slots;
    c->result_slots = keep.result_slots;
    c->frame_slots = frame;
    c->words = bri_alloc(a, n * sizeof *w);
    memcpy(c->words, w, n * sizeof *w);
    c->word_count = n;
    if (handler != NULL) {
        c->handlers = bri_alloc(a, sizeof *handler);
        *c->handlers = *handler;
        c->handlers->catches = NULL;
        c->handlers->catch_count = 0;
        if (handler->catch_count == 1) {
            c->handlers->catches = bri_alloc(a, sizeof(bri_catch_t));
            *c->handlers->catches = *handler->catches;
            c->handlers->catch_count = 1;
        }
        c->handler_count = 1;
    }
}

/* Loads RT with $add (function 0: (i32, i32) -> i32, 2 local slots)
 * replaced; returns the load result and, when it loads, what
 * dispatch(0, 20, 22) (a call_indirect of $add) returns. */
static br_err_t
crafted(const uint32_t *w, uint32_t n, uint32_t frame,
        const bri_handler_t *handler, int64_t *result)
{
    rig_t r;
    rig_init(&r);
    set_code(r.m, 0, w, n, frame, handler);
    br_module_t *back = round_trip(r.e, r.m, &r.bytes, &r.size);
    br_error_t err;
    br_err_t rc =
        back ? BR_ERR_OK
             : br_module_deserialize(r.e, r.bytes, r.size, &back, &err);
    *result = -1;
    if (back != NULL) {
        br_store_t *s = br_store_new(r.e, NULL);
        br_instance_t *inst = NULL;
        br_instance_new(s, back, NULL, 0, &inst, NULL, NULL);
        br_val_t d[3] = {val(BR_I32, 0), val(BR_I32, 20), val(BR_I32, 22)};
        outcome_t o = call(s, inst, "dispatch", d, 3);
        *result = o.status == BR_DONE ? o.results[0].of.i32 : -2;
        br_store_delete(s);
    }
    br_module_delete(back);
    rig_free(&r);
    return rc;
}

#define OP(name) ((uint32_t)BR_OP_##name)
#define CRAFT(frame, ...)                                               \
    crafted((const uint32_t[]){__VA_ARGS__},                            \
            sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t), \
            (frame), NULL, &r)

static void
test_crafted(void)
{
    int64_t r;
    /* the controls: hand-written code that is fine loads and runs */
    CHECK_EQ(CRAFT(2, OP(i32_add), 0, OP(ret), 0, 1), BR_ERR_OK);
    CHECK_EQ(r, 42);
    CHECK_EQ(CRAFT(3, OP(jump), 2, OP(i32_const), 2, 1, OP(i32_add), 0, OP(ret),
                   0, 1),
             BR_ERR_OK);
    CHECK_EQ(r, 42);
    CHECK_EQ(CRAFT(2, OP(i32_const), 0, 3, OP(ref_null), 1, OP(table_set), 0, 0,
                   OP(i32_const), 0, 42, OP(ret), 0, 1),
             BR_ERR_OK);
    CHECK_EQ(r, 42);

    /* operands outside the frame */
    CHECK_EQ(CRAFT(2, OP(i32_add), 1, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(i32_add), 0, OP(ret), 2, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(move), 0, 1, 5, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(local_get), 1, 7, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(1, OP(i32_add), 0, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    /* a result count that is not the function's */
    CHECK_EQ(CRAFT(2, OP(i32_add), 0, OP(ret), 0, 2), BR_ERR_AOT_CORRUPT);
    /* bad opcodes, ops never emitted, running off the end */
    CHECK_EQ(CRAFT(2, BR_OP__COUNT, 0, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(block), 0, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(i32_add), 0), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(ret), 0), BR_ERR_AOT_CORRUPT);
    /* jumps into an operand, out of the code, backwards without fuel */
    CHECK_EQ(CRAFT(2, OP(jump), 1, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(jump), 5, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(jump), 0), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(jump_back), 0, 0), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(jump_if), 0, 0, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(jump_table), 0, 0, 0, 0, 99, 0, 0, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(jump_table), 0, 0, 0, 1, 9, 5, 0, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(jump_table), 0, 7, 0, 0, 8, 0, 0), /* n too big */
             BR_ERR_AOT_CORRUPT);
    /* indices out of the module's spaces, wrong kinds of tables */
    CHECK_EQ(CRAFT(2, OP(call), 0, 9999, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(global_get), 0, 99, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(i32_load), 0, 5, 0, 0, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(data_drop), 3, OP(ret), 0, 1), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(3, OP(call_indirect), 0, 0, 1, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT); /* table 1 holds externrefs */
    CHECK_EQ(CRAFT(4, OP(table_copy), 0, 0, 1, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT); /* funcref <- externref */
    /* an integer used as a reference or as an exception */
    CHECK_EQ(CRAFT(2, OP(i32_const), 0, 3, OP(i32_const), 1, 0xBAD,
                   OP(table_set), 0, 0, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(rethrow), 0), BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(3, OP(rethrow), 2), BR_ERR_AOT_CORRUPT);
    /* a reference slot that holds garbage on one path only */
    CHECK_EQ(CRAFT(3, OP(ref_null), 2, OP(jump_if), 0, 8, OP(i32_const), 2, 5,
                   OP(i32_const), 0, 1, OP(table_set), 1, 0, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(3, OP(ref_null), 2, OP(jump_if), 0, 7, OP(ref_null), 2,
                   OP(move), 1, 2, 1, OP(i32_const), 0, 1, OP(table_set), 0, 0,
                   OP(ret), 0, 1),
             BR_ERR_OK);
}

/* SIMD immediates: lanes and shuffle indices index fixed arrays. */
static void
test_crafted_simd(void)
{
    int64_t r;
    CHECK_EQ(CRAFT(2, OP(v128_const), 0, 1, 2, 3, 4, OP(i32x4_extract_lane), 0,
                   2, OP(ret), 0, 1),
             BR_ERR_OK);
    CHECK_EQ(r, 3);
    CHECK_EQ(CRAFT(2, OP(v128_const), 0, 1, 2, 3, 4, OP(i32x4_extract_lane), 0,
                   4, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(4, OP(v128_const), 0, 1, 2, 3, 4, OP(v128_const), 2, 5, 6, 7,
                   8, OP(i8x16_shuffle), 0, 0x1F1E1D1C, 0, 0, 0,
                   OP(i32x4_extract_lane), 0, 0, OP(ret), 0, 1),
             BR_ERR_OK);
    CHECK_EQ(r, 8);
    CHECK_EQ(CRAFT(4, OP(v128_const), 0, 1, 2, 3, 4, OP(v128_const), 2, 5, 6, 7,
                   8, OP(i8x16_shuffle), 0, 0x201E1D1C, 0, 0, 0,
                   OP(i32x4_extract_lane), 0, 0, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
    CHECK_EQ(CRAFT(2, OP(v128_const), 0, 1, 2, 3, 4, OP(i32x4_replace_lane), 0,
                   1, OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT); /* [v, x] needs 3 slots */
    CHECK_EQ(CRAFT(3, OP(i32_const), 0, 0, OP(v128_load32_lane), 0, 0, 0, 0, 9,
                   OP(ret), 0, 1),
             BR_ERR_AOT_CORRUPT);
}

static void
test_crafted_handlers(void)
{
    int64_t r;
    bri_catch_t ct = {BR_NO_INDEX, 2, 0};
    bri_handler_t h = {
        .start = 0,
        .end = 2,
        .parent = -1,
        .delegate_to = -1,
        .kind = BRI_HANDLER_CATCH,
        .height = 2,
        .exn_slot = 2,
        .catch_count = 1,
        .catches = &ct,
    };
    /* control: [rethrow exn] inside a catch_all clause */
    const uint32_t w[] = {OP(unreachable), OP(unreachable), OP(rethrow), 2};
    CHECK_EQ(crafted(w, 4, 3, &h, &r), BR_ERR_OK);
    bri_handler_t bad = h;
    bad.parent = 0; /* itself: the search would never end */
    CHECK_EQ(crafted(w, 4, 3, &bad, &r), BR_ERR_AOT_CORRUPT);
    bad = h;
    bad.exn_slot = 3;
    CHECK_EQ(crafted(w, 4, 3, &bad, &r), BR_ERR_AOT_CORRUPT);
    bad = h;
    bad.end = 3; /* inside the rethrow */
    CHECK_EQ(crafted(w, 4, 3, &bad, &r), BR_ERR_AOT_CORRUPT);
    bri_catch_t back = {BR_NO_INDEX, 0, 0}; /* a catch before the body */
    bad = h;
    bad.catches = &back;
    CHECK_EQ(crafted(w, 4, 3, &bad, &r), BR_ERR_AOT_CORRUPT);
    bri_catch_t tagged = {0, 2, 0}; /* tag 0's payload beyond the frame */
    bad = h;
    bad.catches = &tagged;
    bad.height = 3;
    CHECK_EQ(crafted(w, 4, 3, &bad, &r), BR_ERR_AOT_CORRUPT);
    tagged.tag = 7;
    bad.height = 1;
    CHECK_EQ(crafted(w, 4, 3, &bad, &r), BR_ERR_AOT_CORRUPT);
}

/* try_table's catches: no hidden slot, the exnref of a catch_all_ref
 * right at `height`; throw_ref reads an exnref (or null) slot. */
static void
test_crafted_exnref(void)
{
    int64_t r;
    bri_catch_t ct = {BR_NO_INDEX, 2, 1};
    bri_handler_t h = {
        .start = 0,
        .end = 2,
        .parent = -1,
        .delegate_to = -1,
        .kind = BRI_HANDLER_CATCH,
        .height = 2,
        .exn_slot = BR_NO_INDEX,
        .catch_count = 1,
        .catches = &ct,
    };
    const uint32_t w[] = {OP(unreachable), OP(unreachable), OP(throw_ref), 2};
    CHECK_EQ(crafted(w, 4, 3, &h, &r), BR_ERR_OK);
    h.height = 3; /* the exnref beyond the frame */
    CHECK_EQ(crafted(w, 4, 3, &h, &r), BR_ERR_AOT_CORRUPT);
    h.height = 2;
    ct.ref = 2;
    CHECK_EQ(crafted(w, 4, 3, &h, &r), BR_ERR_AOT_CORRUPT);
    /* a null exnref traps when run; a number is never used as one */
    CHECK_EQ(CRAFT(3, OP(ref_null), 2, OP(throw_ref), 2), BR_ERR_OK);
    CHECK_EQ(r, -2);
    CHECK_EQ(CRAFT(3, OP(throw_ref), 0), BR_ERR_AOT_CORRUPT);
}

/* ------------------------------------------------------------------ */
/* Mutations with a valid checksum                                     */

static uint64_t
xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Found by fuzz_aot: a few-kilobyte file declaring a frame of millions
 * of slots (the verifier accepts up to 2^28) made the loader's data flow
 * allocate and sweep that many bytes per merge point: seconds and
 * gigabytes. The flow now tracks only the slots the code touches, so
 * the load fits in a 16 MiB allocation cap; running the function still
 * fails cleanly (its frame does not fit the stack). */
static void
test_huge_frame(void)
{
    static const uint32_t w[] = {OP(i32_const), 0, 3, OP(ref_null), 1,
                                 OP(table_set), 0, 0, OP(i32_const), 0,
                                 42, OP(ret), 0, 1};
    rig_t r;
    rig_init(&r);
    set_code(r.m, 0, w, sizeof w / sizeof *w, 1u << 27, NULL);
    r.c.max_single = (size_t)16 << 20;
    br_module_t *back = round_trip(r.e, r.m, &r.bytes, &r.size);
    CHECK(back != NULL);
    if (back != NULL) {
        br_store_t *s = br_store_new(r.e, NULL);
        br_instance_t *inst = NULL;
        br_instance_new(s, back, NULL, 0, &inst, NULL, NULL);
        br_val_t d[3] = {val(BR_I32, 0), val(BR_I32, 20), val(BR_I32, 22)};
        outcome_t o = call(s, inst, "dispatch", d, 3);
        CHECK_EQ(o.status, BR_TRAP);
        br_store_delete(s);
    }
    br_module_delete(back);
    rig_free(&r);
}

/* Random word changes in the compiled code, resealed: whatever the
 * verifier accepts must run (under ASan in unit-asan) without touching
 * memory outside the engine's objects. */
static void
test_mutations(void)
{
    rig_t r;
    rig_init(&r);
    CHECK_EQ(br_module_serialize(r.m, &r.bytes, &r.size), BR_ERR_OK);
    size_t code = HEADER + 4 + sizeof RT_WASM + 4;
    size_t words = (r.size - code) / 4;
    uint8_t *copy = malloc(r.size);
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    int accepted = 0, ran = 0;
    static outcome_t out[RT_RUNS];
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(copy, r.bytes, r.size);
        int n = 1 + (int)(xorshift(&seed) % 3);
        for (int k = 0; k < n; k++) {
            size_t at = code + 4 * (size_t)(xorshift(&seed) % words);
            uint64_t x = xorshift(&seed);
            uint32_t v = x % 4 == 0   ? (uint32_t)(x >> 32)
                         : x % 4 == 1 ? (uint32_t)((x >> 32) % BR_OP__COUNT)
                                      : (uint32_t)((x >> 32) % 16);
            for (int b = 0; b < 4; b++)
                copy[at + b] = (uint8_t)(v >> (8 * b));
        }
        reseal(copy, r.size);
        br_module_t *back = NULL;
        if (br_module_deserialize(r.e, copy, r.size, &back, NULL) ==
            BR_ERR_OK) {
            accepted++;
            ran += run_rt(r.e, back, out, RT_RUNS) != 0;
            br_module_delete(back);
        }
    }
    printf("test_serialize: mutations: %d of 3000 accepted and run\n",
           accepted);
    CHECK(accepted > 0); /* slot and immediate changes often stay valid */
    CHECK_EQ(ran, accepted);
    free(copy);
    rig_free(&r);
}

/* ------------------------------------------------------------------ */
/* Allocation failures                                                 */

static void
test_alloc_failures(void)
{
    rig_t r;
    rig_init(&r);
    r.c.fail_at = r.c.calls;
    CHECK_EQ(br_module_serialize(r.m, &r.bytes, &r.size), BR_ERR_OUT_OF_MEMORY);
    CHECK(r.bytes == NULL);
    r.c.fail_at = -1;
    CHECK_EQ(br_module_serialize(r.m, &r.bytes, &r.size), BR_ERR_OK);
    size_t base = r.c.live;
    bool done = false;
    int failures = 0;
    for (long k = 0; !done && k < 100000; k++) {
        br_module_t *back = NULL;
        br_error_t err;
        r.c.fail_at = r.c.calls + k;
        br_err_t rc = br_module_deserialize(r.e, r.bytes, r.size, &back, &err);
        r.c.fail_at = -1;
        if (rc == BR_ERR_OK) {
            done = true;
            CHECK(same_module(r.m, back));
            br_module_delete(back);
        } else {
            failures++;
            if (rc != BR_ERR_OUT_OF_MEMORY)
                CHECK_EQ(rc, BR_ERR_OUT_OF_MEMORY);
            CHECK(back == NULL);
        }
        if (r.c.live != base)
            CHECK_EQ(r.c.live, base);
    }
    CHECK(done);
    CHECK(failures > 20);
    rig_free(&r);
}

static void
test_arguments(void)
{
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = NULL;
    uint8_t *out = (uint8_t *)1;
    size_t size = 1;
    CHECK_EQ(br_module_serialize(NULL, &out, &size), BR_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL && size == 0);
    CHECK_EQ(br_module_deserialize(NULL, RT_WASM, 8, &m, NULL),
             BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_module_deserialize(e, NULL, 0, &m, NULL), BR_ERR_AOT_FORMAT);
    CHECK(m == NULL);
    br_engine_free_buffer(e, NULL, 0);
    br_engine_delete(e);
}

int
main(int argc, char **argv)
{
    if (argc > 1) { /* round-trip every .wasm of the given directories */
        br_engine_t *e = br_engine_new(NULL);
        int n = 0;
        for (int i = 1; i < argc; i++)
            n += dir_round_trip(e, argv[i], true);
        printf("test_serialize: %d modules round-tripped\n", n);
        br_engine_delete(e);
        return CHECK_DONE();
    }
    test_arguments();
    test_rt_round_trip();
    test_files();
    test_fixture_runs();
    test_damage();
    test_crafted();
    test_crafted_simd();
    test_crafted_handlers();
    test_crafted_exnref();
    test_huge_frame();
    test_mutations();
    test_alloc_failures();
    return CHECK_DONE();
}
