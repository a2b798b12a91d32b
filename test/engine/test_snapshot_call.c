/*
 * beamr tests: snapshots of a suspended call (snapshot_call.c): a call
 * captured in a host import or at a yield, restored on a fresh instance,
 * finishes with the result of an uninterrupted run; what cannot be
 * captured is refused; damaged and hostile snapshots are rejected or
 * stay harmless (run this under ASan too).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "../../c_src/engine/aot.h"
#include "../../c_src/engine/text/br_text.h"
#include "check.h"
#include "count_alloc.h"
#include "reseal.h"

/* rec(d, x) recurses d deep, keeping a funcref, an i64 and an i32 live
 * across each call; the innermost asks the host. run(n) loops n times
 * over rec and memory/global updates. */
static const char WAT[] =
    "(module\n"
    " (type $i_i (func (param i32) (result i32)))\n"
    " (import \"host\" \"get\" (func $get (param i32 i64) (result i32)))\n"
    " (import \"host\" \"ext\" (func $ext (param externref) (result i32)))\n"
    " (memory 1)\n"
    " (table $t 2 funcref)\n"
    " (elem (table $t) (i32.const 0) func $sq $inc)\n"
    " (global $g (mut i32) (i32.const 7))\n"
    " (func $sq (type $i_i) (i32.mul (local.get 0) (local.get 0)))\n"
    " (func $inc (type $i_i) (i32.add (local.get 0) (i32.const 1)))\n"
    " (func $rec (param $d i32) (param $x i64) (result i32)\n"
    "  (local $f funcref) (local $v i32)\n"
    "  (local.set $f (ref.func $sq))\n"
    "  (if (i32.eqz (local.get $d))\n"
    "   (then (return (call $get (global.get $g) (local.get $x)))))\n"
    "  (local.set $v (call $rec (i32.sub (local.get $d) (i32.const 1))\n"
    "   (i64.add (local.get $x) (i64.extend_i32_u (local.get $d)))))\n"
    "  (table.set $t (i32.const 1) (local.get $f))\n"
    "  (i32.add (i32.mul (local.get $v) (i32.const 3))\n"
    "   (call_indirect $t (type $i_i) (local.get $d) (i32.const 1))))\n"
    " (func (export \"run\") (param $n i32) (result i32)\n"
    "  (local $i i32) (local $acc i32)\n"
    "  (loop $l\n"
    "   (local.set $acc (i32.xor (i32.rotl (local.get $acc) (i32.const 5))\n"
    "    (call $rec (i32.rem_u (local.get $i) (i32.const 5))\n"
    "     (i64.extend_i32_u (local.get $i)))))\n"
    "   (i32.store (i32.mul (i32.rem_u (local.get $i) (i32.const 100))\n"
    "     (i32.const 4)) (local.get $acc))\n"
    "   (global.set $g (i32.add (global.get $g) (i32.load (i32.const 8))))\n"
    "   (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "   (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "  (local.get $acc))\n"
    " (func (export \"tail\") (param i32) (result i32)\n"
    "  (return_call $get (local.get 0) (i64.const 5)))\n"
    " (func (export \"hold_ext\") (param externref) (result i32)\n"
    "  (i32.add (call $get (i32.const 1) (i64.const 2))\n"
    "   (call $ext (local.get 0)))))\n";

#define ITERS 40

typedef struct world {
    counter_t c;
    br_engine_t *e;
    br_module_t *m;
    br_store_t *s;
    br_func_t *host[2];
} world_t;

/* Every import suspends: the test answers it (host_answer). */
static br_host_status_t
suspend(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    (void)env;
    (void)exec;
    (void)args;
    (void)results;
    return BR_HOST_SUSPEND;
}

static void
world_init(world_t *w)
{
    memset(w, 0, sizeof *w);
    w->e = count_engine_new(&w->c);
    uint8_t *bin = NULL;
    size_t size = 0;
    br_text_error_t terr;
    CHECK_EQ(br_wat_to_wasm(w->e, WAT, strlen(WAT), &bin, &size, &terr), 0);
    br_error_t err;
    CHECK_EQ(br_module_new(w->e, bin, size, &w->m, &err), BR_ERR_OK);
    br_engine_free_buffer(w->e, bin, size);
    w->s = br_store_new(w->e, NULL);
    static const br_valkind_t get_p[] = {BR_I32, BR_I64}, i32[] = {BR_I32},
                              ext_p[] = {BR_EXTERNREF};
    br_functype_t get_t = {2, 1, get_p, i32}, ext_t = {1, 1, ext_p, i32};
    w->host[0] = br_func_new_host(w->s, &get_t, suspend, NULL);
    w->host[1] = br_func_new_host(w->s, &ext_t, suspend, NULL);
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
    br_extern_t imp[2] = {{.kind = BR_EXTERN_FUNC, .of.func = w->host[0]},
                          {.kind = BR_EXTERN_FUNC, .of.func = w->host[1]}};
    br_instance_t *inst = NULL;
    br_error_t err;
    CHECK_EQ(br_instance_new(w->s, w->m, imp, 2, &inst, &err, NULL), BR_ERR_OK);
    return inst;
}

static br_func_t *export(br_instance_t *inst, const char *name)
{
    br_extern_t ext;
    CHECK(br_instance_export(inst, name, strlen(name), &ext));
    return ext.of.func;
}

/* The host's answer to get(a, x): depends on both arguments. */
static void
host_answer(br_exec_t *exec)
{
    const br_val_t *a = br_exec_import_args(exec);
    br_val_t r;
    memset(&r, 0, sizeof r);
    r.kind = BR_I32;
    r.of.i32 = (int32_t)((a[0].of.u32 * 2654435761u) ^ (uint32_t)a[1].of.u64);
    CHECK_EQ(br_exec_resume(exec, &r, 1), BR_ERR_OK);
}

/* Fuel a drive may use in all (a hostile restore may loop long). */
static int64_t drive_budget = INT64_MAX;

/* Runs until the call ends or stops (`stop_import`-th import, or
 * `stop_yield`-th yield of `fuel`-sized runs; 0: never). Returns the
 * status it stopped at; *result on BR_DONE. */
static br_status_t
drive(br_exec_t *exec, int64_t fuel, int stop_import, int stop_yield,
      int32_t *result)
{
    int imports = 0, yields = 0;
    int64_t budget = drive_budget; /* a hostile restore may loop */
    for (;;) {
        br_status_t st = br_exec_run(exec, fuel);
        budget -= fuel < 0 ? 1 : fuel;
        if (st == BR_DONE) {
            *result = br_exec_results(exec)[0].of.i32;
            return st;
        }
        if (st == BR_IMPORT) {
            if (++imports == stop_import || budget <= 0)
                return st;
            host_answer(exec);
        } else if (st == BR_YIELD) {
            if (++yields == stop_yield || budget <= 0)
                return st;
        } else {
            return st;
        }
    }
}

static int32_t
reference(world_t *w)
{
    br_instance_t *inst = instance(w);
    br_exec_t *exec = br_exec_new(w->s);
    br_val_t n = {.kind = BR_I32, .of.i32 = ITERS};
    CHECK_EQ(br_exec_call(exec, export(inst, "run"), &n, 1), BR_ERR_OK);
    int32_t r = 0;
    CHECK_EQ(drive(exec, -1, 0, 0, &r), BR_DONE);
    br_exec_delete(exec);
    return r;
}

/* A snapshot of both parts, instance then call. */
typedef struct snap {
    uint8_t *state, *call;
    size_t state_size, call_size;
} snap_t;

static snap_t
take(world_t *w, br_instance_t *inst, br_exec_t *exec)
{
    snap_t s;
    br_error_t err;
    CHECK_EQ(br_instance_snapshot(inst, &s.state, &s.state_size), BR_ERR_OK);
    CHECK_EQ(br_exec_snapshot(exec, inst, &s.call, &s.call_size, &err),
             BR_ERR_OK);
    CHECK_EQ(br_snapshot_part_size(s.state, s.state_size), s.state_size);
    CHECK_EQ(br_snapshot_part_size(s.call, s.call_size), s.call_size);
    (void)w;
    return s;
}

static void
drop(world_t *w, snap_t *s)
{
    br_engine_free_buffer(w->e, s->state, s->state_size);
    br_engine_free_buffer(w->e, s->call, s->call_size);
}

/* A fresh instance with the snapshot in it; the exec holds the call. */
static br_err_t
restore(world_t *w, const snap_t *s, br_exec_t *exec, br_instance_t **out)
{
    br_error_t err;
    *out = instance(w);
    CHECK_EQ(br_instance_restore(*out, s->state, s->state_size, &err),
             BR_ERR_OK);
    return br_exec_restore(exec, *out, s->call, s->call_size, &err);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* Stopped at the k-th import (deep in rec, a funcref live in every
 * frame), moved, answered there: the same result. */
static void
test_import_moves(world_t *w, int32_t want)
{
    for (int k = 1; k <= ITERS; k += 7) {
        br_instance_t *a = instance(w);
        br_exec_t *ea = br_exec_new(w->s);
        br_val_t n = {.kind = BR_I32, .of.i32 = ITERS};
        CHECK_EQ(br_exec_call(ea, export(a, "run"), &n, 1), BR_ERR_OK);
        int32_t r = 0;
        CHECK_EQ(drive(ea, -1, k, 0, &r), BR_IMPORT);
        snap_t s = take(w, a, ea);
        br_exec_t *eb = br_exec_new(w->s);
        br_instance_t *b;
        CHECK_EQ(restore(w, &s, eb, &b), BR_ERR_OK);
        CHECK(br_exec_import_func(eb) == w->host[0]);
        for (int i = 0; i < 2; i++) {
            CHECK_EQ(br_exec_import_args(eb)[i].kind,
                     br_exec_import_args(ea)[i].kind);
            CHECK_EQ(br_exec_import_args(eb)[i].of.u64,
                     br_exec_import_args(ea)[i].of.u64);
        }
        host_answer(eb);
        CHECK_EQ(drive(eb, -1, 0, 0, &r), BR_DONE);
        CHECK_EQ(r, want);
        host_answer(ea); /* the original goes on too */
        CHECK_EQ(drive(ea, -1, 0, 0, &r), BR_DONE);
        CHECK_EQ(r, want);
        drop(w, &s);
        br_exec_delete(ea);
        br_exec_delete(eb);
    }
}

/* Stopped by fuel at the k-th yield (any back-edge or call), moved and
 * continued in small runs: the same result. */
static void
test_yield_moves(world_t *w, int32_t want)
{
    for (int k = 1;; k += 5) {
        br_instance_t *a = instance(w);
        br_exec_t *ea = br_exec_new(w->s);
        br_val_t n = {.kind = BR_I32, .of.i32 = ITERS};
        CHECK_EQ(br_exec_call(ea, export(a, "run"), &n, 1), BR_ERR_OK);
        int32_t r = 0;
        if (drive(ea, 7, 0, k, &r) == BR_DONE) { /* past the last yield */
            CHECK(k > 20);
            br_exec_delete(ea);
            break;
        }
        snap_t s = take(w, a, ea);
        br_exec_t *eb = br_exec_new(w->s);
        br_instance_t *b;
        CHECK_EQ(restore(w, &s, eb, &b), BR_ERR_OK);
        CHECK(br_exec_import_func(eb) == NULL);
        CHECK_EQ(drive(eb, 5, 0, 0, &r), BR_DONE);
        CHECK_EQ(r, want);
        drop(w, &s);
        br_exec_delete(ea);
        br_exec_delete(eb);
    }
}

/* A return_call into the import: its answer is the caller's. */
static void
test_tail_import(world_t *w)
{
    br_instance_t *a = instance(w);
    br_exec_t *ea = br_exec_new(w->s);
    br_val_t x = {.kind = BR_I32, .of.i32 = 99};
    CHECK_EQ(br_exec_call(ea, export(a, "tail"), &x, 1), BR_ERR_OK);
    int32_t want = 0, r = 0;
    CHECK_EQ(drive(ea, -1, 1, 0, &r), BR_IMPORT);
    snap_t s = take(w, a, ea);
    host_answer(ea);
    CHECK_EQ(drive(ea, -1, 0, 0, &want), BR_DONE);
    br_exec_t *eb = br_exec_new(w->s);
    br_instance_t *b;
    CHECK_EQ(restore(w, &s, eb, &b), BR_ERR_OK);
    CHECK_EQ(br_exec_import_args(eb)[0].of.i32, 99);
    host_answer(eb);
    CHECK_EQ(drive(eb, -1, 0, 0, &r), BR_DONE);
    CHECK_EQ(r, want);
    drop(w, &s);
    br_exec_delete(ea);
    br_exec_delete(eb);
}

/* A live non-null externref cannot be written down; a null one can;
 * a finished call has nothing to capture. */
static void
test_refusals(world_t *w)
{
    br_instance_t *a = instance(w);
    br_exec_t *ea = br_exec_new(w->s);
    static int host_object;
    br_val_t e = {.kind = BR_EXTERNREF, .of.ref = &host_object};
    CHECK_EQ(br_exec_call(ea, export(a, "hold_ext"), &e, 1), BR_ERR_OK);
    int32_t r = 0;
    CHECK_EQ(drive(ea, -1, 1, 0, &r), BR_IMPORT);
    uint8_t *buf = NULL;
    size_t size = 0;
    br_error_t err;
    CHECK_EQ(br_exec_snapshot(ea, a, &buf, &size, &err), BR_ERR_SNAPSHOT_CALL);
    CHECK(buf == NULL && strstr(err.message, "externref") != NULL);
    e.of.ref = NULL;
    CHECK_EQ(br_exec_call(ea, export(a, "hold_ext"), &e, 1), BR_ERR_BUSY);
    br_exec_resume_trap(ea, "abandoned");
    CHECK_EQ(br_exec_call(ea, export(a, "hold_ext"), &e, 1), BR_ERR_OK);
    CHECK_EQ(drive(ea, -1, 1, 0, &r), BR_IMPORT);
    CHECK_EQ(br_exec_snapshot(ea, a, &buf, &size, &err), BR_ERR_OK);
    br_engine_free_buffer(w->e, buf, size);
    br_exec_resume_trap(ea, "abandoned");
    CHECK_EQ(br_exec_snapshot(ea, a, &buf, &size, &err), BR_ERR_SNAPSHOT_CALL);
    /* another instance's call is not this one's */
    br_instance_t *other = instance(w);
    br_val_t n = {.kind = BR_I32, .of.i32 = 3};
    CHECK_EQ(br_exec_call(ea, export(a, "run"), &n, 1), BR_ERR_OK);
    CHECK_EQ(drive(ea, -1, 1, 0, &r), BR_IMPORT);
    CHECK_EQ(br_exec_snapshot(ea, other, &buf, &size, &err),
             BR_ERR_SNAPSHOT_CALL);
    br_exec_delete(ea);
}

/* Field offsets in the payload of a call snapshot (snapshot_call.c). */
#define OFF_STATE (BRI_HEADER_SIZE + 0)
#define OFF_ENTRY (BRI_HEADER_SIZE + 2)
#define OFF_COUNT (BRI_HEADER_SIZE + 6)
#define OFF_F0 (BRI_HEADER_SIZE + 10)
#define OFF_PC0 (BRI_HEADER_SIZE + 14)
#define OFF_N0 (BRI_HEADER_SIZE + 18)

static void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get32(const uint8_t *p)
{
    return bri_le32(p);
}

/* One change, resealed; the restore must give `want`. */
static void
refused(world_t *w, const snap_t *s, size_t at, uint32_t v, bool word,
        br_err_t want)
{
    snap_t bad = *s;
    bad.call = malloc(s->call_size);
    memcpy(bad.call, s->call, s->call_size);
    if (word)
        put32(bad.call + at, v);
    else
        bad.call[at] = (uint8_t)v;
    reseal(bad.call, bad.call_size);
    br_exec_t *eb = br_exec_new(w->s);
    br_instance_t *b;
    CHECK_EQ(restore(w, &bad, eb, &b), want);
    CHECK(br_exec_import_func(eb) == NULL);
    CHECK_EQ(br_exec_run(eb, 10), BR_ERROR); /* left idle */
    br_exec_delete(eb);
    free(bad.call);
}

/* A call stopped in an import (3 frames deep) and its snapshot. */
static snap_t
deep_snapshot(world_t *w, br_exec_t **exec)
{
    br_instance_t *a = instance(w);
    *exec = br_exec_new(w->s);
    br_val_t n = {.kind = BR_I32, .of.i32 = ITERS};
    CHECK_EQ(br_exec_call(*exec, export(a, "run"), &n, 1), BR_ERR_OK);
    int32_t r = 0;
    CHECK_EQ(drive(*exec, -1, 4, 0, &r), BR_IMPORT); /* rec depth 3 */
    return take(w, a, *exec);
}

/* Each field that the code decides, changed: refused before anything is
 * built. Damage without a new checksum: refused as such. */
static void
test_hostile_fields(world_t *w)
{
    br_exec_t *ea;
    snap_t s = deep_snapshot(w, &ea);
    CHECK(get32(s.call + OFF_COUNT) == 5); /* run, rec x3, rec(0) */
    uint32_t pc0 = get32(s.call + OFF_PC0);
    refused(w, &s, OFF_STATE, 7, false, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_STATE, 1, false, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_ENTRY, 0, true, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_ENTRY, 1u << 30, true, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_COUNT, 0, true, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_COUNT, UINT32_MAX, true, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_F0, 4, true, BR_ERR_SNAPSHOT_MISMATCH); /* rec */
    refused(w, &s, OFF_PC0, pc0 + 1, true, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_PC0, 0, true, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_PC0, UINT32_MAX, true, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_N0, get32(s.call + OFF_N0) + 1, true,
            BR_ERR_SNAPSHOT_MISMATCH);
    /* the first slot of run's frame is $n, a number: a funcref tag there
     * would make the code read a pointer as an integer */
    refused(w, &s, OFF_N0 + 4, 2, false, BR_ERR_SNAPSHOT_MISMATCH);
    refused(w, &s, OFF_N0 + 4, 9, false, BR_ERR_SNAPSHOT_MISMATCH);
    /* truncated, or damaged without resealing */
    snap_t cut = s;
    cut.call_size -= 3;
    br_exec_t *eb = br_exec_new(w->s);
    br_instance_t *b;
    CHECK_EQ(restore(w, &cut, eb, &b), BR_ERR_AOT_CHECKSUM);
    s.call[s.call_size - 1] ^= 1;
    CHECK_EQ(restore(w, &s, eb, &b), BR_ERR_AOT_CHECKSUM);
    s.call[s.call_size - 1] ^= 1;
    /* the instance part is not a call part */
    snap_t swapped = {s.state, s.state, s.state_size, s.state_size};
    CHECK_EQ(restore(w, &swapped, eb, &b), BR_ERR_SNAPSHOT_MISMATCH);
    CHECK_EQ(br_snapshot_part_size(s.call, 10), 0);
    br_exec_delete(eb);
    br_exec_delete(ea);
    drop(w, &s);
}

/* Every byte of the payload flipped three ways, resealed: each restore
 * is refused or runs to an end (a result, a trap) without harm. */
static void
test_hostile_bytes(world_t *w)
{
    br_exec_t *ea;
    snap_t s = deep_snapshot(w, &ea);
    static const uint8_t flips[] = {0x01, 0x80, 0xff};
    int refusals = 0, runs = 0;
    drive_budget = 200000;
    uint8_t *copy = malloc(s.call_size);
    for (size_t i = BRI_HEADER_SIZE; i < s.call_size; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(copy, s.call, s.call_size);
            copy[i] ^= flips[f];
            reseal(copy, s.call_size);
            snap_t bad = {s.state, copy, s.state_size, s.call_size};
            br_exec_t *eb = br_exec_new(w->s);
            br_instance_t *b;
            if (restore(w, &bad, eb, &b) != BR_ERR_OK) {
                refusals++;
            } else {
                int32_t r;
                if (br_exec_import_func(eb) != NULL)
                    host_answer(eb);
                drive(eb, 50000, 0, 0, &r);
                runs++;
            }
            br_exec_delete(eb);
        }
    }
    CHECK(refusals > 0 && runs > 0);
    free(copy);
    br_exec_delete(ea);
    drop(w, &s);
}

int
main(void)
{
    world_t w;
    world_init(&w);
    int32_t want = reference(&w);
    test_import_moves(&w, want);
    test_yield_moves(&w, want);
    test_tail_import(&w);
    test_refusals(&w);
    test_hostile_fields(&w);
    test_hostile_bytes(&w);
    world_free(&w);
    return CHECK_DONE();
}
