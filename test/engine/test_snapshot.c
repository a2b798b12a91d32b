/*
 * beamr tests: instance snapshots: state changed by running code
 * (memory, globals, tables, dropped segments) restored into a fresh
 * instance that then computes the same results; refusals that change
 * nothing; references that cannot be written down; allocation failures.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "../../c_src/engine/aot.h"
#include "check.h"
#include "count_alloc.h"
#include "reseal.h"

/*
 * SNAP_WASM (wat2wasm):
 * (module
 *   (type $i_i (func (param i32) (result i32)))
 *   (import "host" "f" (func $hf (param i32) (result i32)))
 *   (memory (export "mem") 1 4)
 *   (table $t (export "tab") 2 8 funcref)
 *   (table $x (export "ext") 1 externref)
 *   (global $counter (mut i32) (i32.const 0))
 *   (global $acc (export "acc") (mut i64) (i64.const 1))
 *   (global $f (mut funcref) (ref.null func))
 *   (global $k i32 (i32.const 5))
 *   (elem $pe func $inc $dbl)
 *   (data $pd "abcdefgh")
 *   (elem declare func $hf)
 *   (func $inc (type $i_i) (i32.add (local.get 0) (i32.const 1)))
 *   (func $dbl (type $i_i) (i32.mul (local.get 0) (i32.const 2)))
 *   (func (export "setup")      ;; grows the table to 4: hf inc inc dbl,
 *     ...)                      ;; memory.init + data.drop, grows memory
 *   (func (export "reinit") (result i32)   ;; traps once $pd is dropped
 *     (memory.init $pd (i32.const 0) (i32.const 0) (i32.const 1)) ...)
 *   (func (export "step") (param i32) (result i32)
 *     ;; counter += 1; acc = acc * 3 + counter; calls through the
 *     ;; table; stores into the grown page; returns a mix of it all
 *     ...))
 */

static const uint8_t SNAP_WASM[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x03, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x02,
    0x0a, 0x01, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x01, 0x66, 0x00, 0x00, 0x03,
    0x06, 0x05, 0x00, 0x00, 0x01, 0x02, 0x00, 0x04, 0x08, 0x02, 0x70, 0x01,
    0x02, 0x08, 0x6f, 0x00, 0x01, 0x05, 0x04, 0x01, 0x01, 0x01, 0x04, 0x06,
    0x15, 0x04, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x7e, 0x01, 0x42, 0x01, 0x0b,
    0x70, 0x01, 0xd0, 0x70, 0x0b, 0x7f, 0x00, 0x41, 0x05, 0x0b, 0x07, 0x31,
    0x07, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x03, 0x74, 0x61, 0x62, 0x01,
    0x00, 0x03, 0x65, 0x78, 0x74, 0x01, 0x01, 0x03, 0x61, 0x63, 0x63, 0x03,
    0x01, 0x05, 0x73, 0x65, 0x74, 0x75, 0x70, 0x00, 0x03, 0x06, 0x72, 0x65,
    0x69, 0x6e, 0x69, 0x74, 0x00, 0x04, 0x04, 0x73, 0x74, 0x65, 0x70, 0x00,
    0x05, 0x09, 0x0a, 0x02, 0x01, 0x00, 0x02, 0x01, 0x02, 0x03, 0x00, 0x01,
    0x00, 0x0c, 0x01, 0x01, 0x0a, 0xc8, 0x01, 0x05, 0x07, 0x00, 0x20, 0x00,
    0x41, 0x01, 0x6a, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x41, 0x02, 0x6c, 0x0b,
    0x38, 0x00, 0xd0, 0x70, 0x41, 0x02, 0xfc, 0x0f, 0x00, 0x1a, 0x41, 0x02,
    0x41, 0x00, 0x41, 0x02, 0xfc, 0x0c, 0x00, 0x00, 0x41, 0x00, 0xd2, 0x00,
    0x26, 0x00, 0x41, 0x01, 0xd2, 0x01, 0x26, 0x00, 0x41, 0xfa, 0xff, 0x03,
    0x41, 0x00, 0x41, 0x06, 0xfc, 0x08, 0x00, 0x00, 0xfc, 0x09, 0x00, 0x41,
    0x01, 0x40, 0x00, 0x1a, 0xd2, 0x02, 0x24, 0x02, 0x0b, 0x18, 0x00, 0x41,
    0x00, 0x41, 0x00, 0x41, 0x01, 0xfc, 0x08, 0x00, 0x00, 0x41, 0x00, 0x41,
    0x00, 0x41, 0x01, 0xfc, 0x0c, 0x00, 0x00, 0x41, 0x01, 0x0b, 0x64, 0x01,
    0x02, 0x7f, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x23, 0x00, 0x21,
    0x01, 0x23, 0x01, 0x42, 0x03, 0x7e, 0x20, 0x01, 0xad, 0x7c, 0x24, 0x01,
    0x20, 0x01, 0x20, 0x00, 0x6a, 0x20, 0x01, 0xfc, 0x10, 0x00, 0x70, 0x11,
    0x00, 0x00, 0x21, 0x02, 0x41, 0x80, 0x80, 0x04, 0x20, 0x01, 0x41, 0x04,
    0x6c, 0x6a, 0x20, 0x02, 0x36, 0x02, 0x00, 0x20, 0x02, 0x20, 0x02, 0x41,
    0x03, 0x11, 0x00, 0x00, 0x6a, 0x21, 0x02, 0x20, 0x02, 0x23, 0x01, 0xa7,
    0x6a, 0x41, 0xfc, 0xff, 0x03, 0x28, 0x02, 0x00, 0x41, 0x80, 0x80, 0x04,
    0x20, 0x01, 0x41, 0x01, 0x6b, 0x41, 0x04, 0x6c, 0x6a, 0x28, 0x02, 0x00,
    0x6a, 0x73, 0x0b, 0x0b, 0x0b, 0x01, 0x01, 0x08, 0x61, 0x62, 0x63, 0x64,
    0x65, 0x66, 0x67, 0x68,
};

/* ------------------------------------------------------------------ */
/* A world: engine, module, store and instances of SNAP_WASM           */

typedef struct world {
    counter_t c;
    br_engine_t *e;
    br_module_t *m;
    br_store_t *s;
    br_func_t *host;
} world_t;

static br_host_status_t
host_f(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    (void)env;
    (void)exec;
    results[0].of.u64 = (uint32_t)(args[0].of.i32 * 7 + 3);
    return BR_HOST_OK;
}

static void
world_init(world_t *w)
{
    memset(w, 0, sizeof *w);
    w->e = count_engine_new(&w->c);
    br_error_t err;
    CHECK_EQ(br_module_new(w->e, SNAP_WASM, sizeof SNAP_WASM, &w->m, &err),
             BR_ERR_OK);
    w->s = br_store_new(w->e, NULL);
    static const br_valkind_t i32[] = {BR_I32};
    br_functype_t t = {1, 1, i32, i32};
    w->host = br_func_new_host(w->s, &t, host_f, NULL);
}

static void
world_free(world_t *w)
{
    br_store_delete(w->s);
    br_module_delete(w->m);
    br_engine_delete(w->e);
    CHECK_EQ(w->c.live, 0);
}

static br_instance_t *
instance(world_t *w)
{
    br_extern_t imp = {.kind = BR_EXTERN_FUNC, .of.func = w->host};
    br_instance_t *inst = NULL;
    br_error_t err;
    CHECK_EQ(br_instance_new(w->s, w->m, &imp, 1, &inst, &err, NULL),
             BR_ERR_OK);
    return inst;
}

/* Calls an export; the i32 result, or -1 after a trap. */
static int64_t
call(world_t *w, br_instance_t *inst, const char *name, int32_t arg)
{
    br_extern_t ext;
    if (!br_instance_export(inst, name, strlen(name), &ext))
        return -2;
    const br_functype_t *t = br_func_type(ext.of.func);
    br_val_t a, r;
    memset(&a, 0, sizeof a);
    memset(&r, 0, sizeof r);
    a.kind = BR_I32;
    a.of.u64 = (uint32_t)arg;
    br_trap_t trap;
    br_status_t st =
        br_func_call(w->s, ext.of.func, &a, t->param_count, &r, 1, &trap);
    if (st != BR_DONE)
        return -1;
    return t->result_count ? r.of.i32 : 0;
}

static br_memory_t *
memory_of(br_instance_t *inst)
{
    br_extern_t ext;
    br_instance_export(inst, "mem", 3, &ext);
    return ext.of.memory;
}

/* A new instance after "setup" and one "step" with `arg` (unchecked:
 * the state they leave is what matters). */
static br_instance_t *
stepped(world_t *w, int32_t arg)
{
    br_instance_t *inst = instance(w);
    call(w, inst, "setup", 0);
    call(w, inst, "step", arg);
    return inst;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

#define STEPS 6

static void
test_continue(void)
{
    world_t w;
    world_init(&w);
    br_instance_t *a = instance(&w);
    CHECK_EQ(call(&w, a, "setup", 0), 0);
    for (int i = 0; i < STEPS; i++)
        CHECK(call(&w, a, "step", i) != -1);
    uint8_t *snap = NULL;
    size_t size = 0;
    CHECK_EQ(br_instance_snapshot(a, &snap, &size), BR_ERR_OK);
    CHECK(size > 2 * 65536);
    int64_t expect[STEPS];
    for (int i = 0; i < STEPS; i++)
        expect[i] = call(&w, a, "step", 100 + i);
    CHECK_EQ(call(&w, a, "reinit", 0), -1); /* $pd was dropped */

    /* a fresh instance continues where the snapshot left off */
    br_instance_t *b = instance(&w);
    CHECK_EQ(br_memory_size(memory_of(b)), 65536);
    CHECK_EQ(br_instance_restore(b, snap, size, NULL), BR_ERR_OK);
    CHECK_EQ(br_memory_size(memory_of(b)), 2 * 65536);
    for (int i = 0; i < STEPS; i++)
        CHECK_EQ(call(&w, b, "step", 100 + i), expect[i]);
    CHECK_EQ(call(&w, b, "reinit", 0), -1); /* the drop came along */
    /* while a fresh one without the snapshot computes otherwise */
    br_instance_t *c = instance(&w);
    CHECK_EQ(call(&w, c, "reinit", 0), 1); /* its segments are alive */
    CHECK_EQ(call(&w, c, "setup", 0), 0);
    CHECK(call(&w, c, "step", 100) != expect[0]);

    /* restoring into the instance that made it rolls it back */
    CHECK_EQ(br_instance_restore(a, snap, size, NULL), BR_ERR_OK);
    CHECK_EQ(call(&w, a, "step", 100), expect[0]);
    /* ... and a snapshot of the restored instance is the same bytes */
    uint8_t *again = NULL;
    size_t again_size = 0;
    CHECK_EQ(br_instance_restore(b, snap, size, NULL), BR_ERR_OK);
    CHECK_EQ(br_instance_snapshot(b, &again, &again_size), BR_ERR_OK);
    CHECK(again_size == size && memcmp(again, snap, size) == 0);
    br_engine_free_buffer(w.e, again, again_size);
    br_engine_free_buffer(w.e, snap, size);
    world_free(&w);
}

/* Restoring `bytes` fails with `code` and leaves `inst` as it was. */
static void
refused(world_t *w, br_instance_t *inst, uint8_t *bytes, size_t size,
        br_err_t code)
{
    uint8_t *before = NULL, *after = NULL;
    size_t nb = 0, na = 0;
    br_instance_snapshot(inst, &before, &nb);
    br_error_t err;
    CHECK_EQ(br_instance_restore(inst, bytes, size, &err), code);
    br_instance_snapshot(inst, &after, &na);
    CHECK(nb == na && memcmp(before, after, nb) == 0);
    br_engine_free_buffer(w->e, before, nb);
    br_engine_free_buffer(w->e, after, na);
}

static void
test_refusals(void)
{
    world_t w;
    world_init(&w);
    br_instance_t *a = stepped(&w, 1);
    uint8_t *snap = NULL;
    size_t size = 0;
    CHECK_EQ(br_instance_snapshot(a, &snap, &size), BR_ERR_OK);
    br_instance_t *b = stepped(&w, 5);

    /* truncations and flips: refused, nothing changed */
    refused(&w, b, snap, 0, BR_ERR_SNAPSHOT_MISMATCH);
    refused(&w, b, snap, 39, BR_ERR_SNAPSHOT_MISMATCH);
    refused(&w, b, snap, size - 1, BR_ERR_AOT_CHECKSUM);
    for (size_t i = 0; i < size; i += size / 97 + 1) {
        snap[i] ^= 0x10;
        refused(&w, b, snap, size,
                i < 32 ? BR_ERR_SNAPSHOT_MISMATCH : BR_ERR_AOT_CHECKSUM);
        snap[i] ^= 0x10;
    }
    /* resealed but out of range: a table entry naming no function */
    size_t last = size - 2 - 4; /* last table ref, before the 2 flags */
    uint8_t keep = snap[last];
    snap[last] = 0x63;
    reseal(snap, size);
    refused(&w, b, snap, size, BR_ERR_SNAPSHOT_MISMATCH);
    snap[last] = keep;
    /* a bad flag, a memory larger than its maximum */
    snap[size - 1] = 2;
    reseal(snap, size);
    refused(&w, b, snap, size, BR_ERR_SNAPSHOT_MISMATCH);
    snap[size - 1] = 1;
    snap[40 + 20 + 7] = 0x40; /* memory 0's page count */
    reseal(snap, size);
    refused(&w, b, snap, size, BR_ERR_SNAPSHOT_MISMATCH);
    snap[40 + 20 + 7] = 0;
    reseal(snap, size);
    CHECK_EQ(br_instance_restore(b, snap, size, NULL), BR_ERR_OK);

    /* another module's instance */
    br_module_t *other = NULL;
    static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    CHECK_EQ(br_module_new(w.e, empty, sizeof empty, &other, NULL), BR_ERR_OK);
    br_instance_t *o = NULL;
    CHECK_EQ(br_instance_new(w.s, other, NULL, 0, &o, NULL, NULL), BR_ERR_OK);
    refused(&w, o, snap, size, BR_ERR_SNAPSHOT_MISMATCH);

    /* an instance whose memory grew past the snapshot's */
    br_instance_t *big = instance(&w);
    CHECK(br_memory_grow(memory_of(big), 3, NULL));
    refused(&w, big, snap, size, BR_ERR_SNAPSHOT_MISMATCH);

    br_engine_free_buffer(w.e, snap, size);
    br_store_delete(w.s); /* its instances first, then their modules */
    w.s = NULL;
    br_module_delete(other);
    world_free(&w);
}

/* References that a fresh instance could not name again. */
static void
test_foreign_refs(void)
{
    world_t w;
    world_init(&w);
    br_instance_t *a = instance(&w);
    call(&w, a, "setup", 0);
    uint8_t *snap = (uint8_t *)1;
    size_t size = 1;
    br_extern_t ext;
    br_instance_export(a, "ext", 3, &ext);
    CHECK(br_table_set(ext.of.table, 0, &w));
    CHECK_EQ(br_instance_snapshot(a, &snap, &size), BR_ERR_SNAPSHOT_MISMATCH);
    CHECK(snap == NULL && size == 0);
    CHECK(br_table_set(ext.of.table, 0, NULL));
    /* a host function that is not the instance's import */
    static const br_valkind_t i32[] = {BR_I32};
    br_functype_t t = {1, 1, i32, i32};
    br_func_t *stranger = br_func_new_host(w.s, &t, host_f, NULL);
    br_instance_export(a, "tab", 3, &ext);
    CHECK(br_table_set(ext.of.table, 1, stranger));
    CHECK_EQ(br_instance_snapshot(a, &snap, &size), BR_ERR_SNAPSHOT_MISMATCH);
    /* the import itself is fine: it is function 0 of the instance */
    CHECK(br_table_set(ext.of.table, 1, w.host));
    CHECK_EQ(br_instance_snapshot(a, &snap, &size), BR_ERR_OK);
    br_instance_t *b = instance(&w);
    CHECK_EQ(br_instance_restore(b, snap, size, NULL), BR_ERR_OK);
    br_instance_export(b, "tab", 3, &ext);
    br_ref_t r = NULL;
    CHECK(br_table_get(ext.of.table, 1, &r) && r == w.host);
    CHECK(br_table_get(ext.of.table, 2, &r) && r != NULL &&
          ((br_func_t *)r)->inst == b);
    br_engine_free_buffer(w.e, snap, size);
    world_free(&w);
}

static void
test_alloc_failures(void)
{
    world_t w;
    world_init(&w);
    br_instance_t *a = stepped(&w, 3);
    uint8_t *snap = NULL;
    size_t size = 0;
    w.c.fail_at = w.c.calls;
    CHECK_EQ(br_instance_snapshot(a, &snap, &size), BR_ERR_OUT_OF_MEMORY);
    w.c.fail_at = -1;
    CHECK_EQ(br_instance_snapshot(a, &snap, &size), BR_ERR_OK);
    int failures = 0;
    bool done = false;
    for (long k = 0; !done && k < 100; k++) {
        br_instance_t *b = instance(&w);
        uint8_t *before = NULL;
        size_t nb = 0;
        br_instance_snapshot(b, &before, &nb);
        w.c.fail_at = w.c.calls + k;
        br_err_t rc = br_instance_restore(b, snap, size, NULL);
        w.c.fail_at = -1;
        if (rc == BR_ERR_OK) {
            done = true;
            CHECK_EQ(call(&w, b, "step", 9), call(&w, a, "step", 9));
        } else {
            failures++;
            CHECK_EQ(rc, BR_ERR_OUT_OF_MEMORY);
            /* contents untouched (the memory may have grown) */
            CHECK(memcmp(br_memory_data(memory_of(b)), before + 40 + 28,
                         65536) == 0);
        }
        br_engine_free_buffer(w.e, before, nb);
    }
    CHECK(done);
    CHECK(failures >= 1);
    br_engine_free_buffer(w.e, snap, size);
    world_free(&w);
}

static void
test_arguments(void)
{
    uint8_t *out = (uint8_t *)1;
    size_t size = 1;
    CHECK_EQ(br_instance_snapshot(NULL, &out, &size), BR_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL && size == 0);
    CHECK_EQ(br_instance_restore(NULL, NULL, 0, NULL), BR_ERR_INVALID_ARGUMENT);
}

int
main(void)
{
    test_arguments();
    test_continue();
    test_refusals();
    test_foreign_refs();
    test_alloc_failures();
    return CHECK_DONE();
}
