/*
 * beamr tests: garbage-collection types and instructions (WebAssembly
 * 3.0) where the spec suite does not reach: the engine's registry of
 * canonical runtime types (shared by equal recursive groups of several
 * modules, freed with the last), packed fields, every trap kind of the
 * GC instructions, a GC program run in tiny fuel slices, and compiled
 * module files (refused: the loader's verifier does not check GC code).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>

#include "../../c_src/engine/gc/gc.h"
#include "../../c_src/engine/aot.h"
#include "../../c_src/engine/types.h"
#include "check.h"
#include "wasm_call.h"
#include "wat_rig.h"

static br_engine_t *engine;

/* Two recursive groups and a lone struct; the same text in a second
 * module must give the same canonical types. */
static const char TYPES[] =
    "(module\n"
    "  (rec (type $list (struct (field i32) (field (ref null $list))))\n"
    "       (type $pair (struct (field (ref null $list)) (field i64))))\n"
    "  (type $point (sub (struct (field i32) (field i32))))\n"
    "  (type $point3 (sub final $point (struct (field i32) (field i32)\n"
    "                                          (field i32))))\n"
    "  (type $bytes (array (mut i8))))";

/* The same structure as $list alone: a different group, so a different
 * type (iso-recursive equality is by whole groups). */
static const char OTHER[] =
    "(module (type $list (struct (field i32) (field (ref null $list)))))";

static void
test_registry(void)
{
    uint32_t before = bri_rttreg_count(engine->rtt_reg);
    br_module_t *a = wat_rig_compile(engine, TYPES);
    br_module_t *b = wat_rig_compile(engine, TYPES);
    br_module_t *c = wat_rig_compile(engine, OTHER);
    CHECK(a != NULL && b != NULL && c != NULL);
    if (a == NULL || b == NULL || c == NULL)
        return;
    /* groups: the rec pair, $point, $point3, $bytes; OTHER's one */
    CHECK_EQ(bri_rttreg_count(engine->rtt_reg), before + 5);
    for (uint32_t i = 0; i < a->type_count; i++)
        CHECK(a->rtts[i] == b->rtts[i]);
    CHECK(c->rtts[0] != a->rtts[0]);
    /* $point3 is below $point, not the other way round */
    CHECK(bri_rtt_sub(a->rtts[3], a->rtts[2]));
    CHECK(!bri_rtt_sub(a->rtts[2], a->rtts[3]));
    CHECK_EQ(a->rtts[3]->depth, 1u);
    CHECK(a->rtts[3]->final_);
    /* layout: i32 at 0, the reference 8-aligned at 8 */
    CHECK_EQ(a->rtts[0]->offset[1], 8u);
    CHECK_EQ(a->rtts[0]->ref_count, 1u);
    CHECK_EQ(a->rtts[4]->size, 1u);
    br_module_delete(a);
    CHECK_EQ(bri_rttreg_count(engine->rtt_reg), before + 5);
    br_module_delete(b);
    CHECK_EQ(bri_rttreg_count(engine->rtt_reg), before + 1);
    br_module_delete(c);
    CHECK_EQ(bri_rttreg_count(engine->rtt_reg), before);
}

/* Modules compiled on several threads at once share the registry:
 * each thread compiles TYPES and OTHER over and over and keeps one of
 * each alive; all of them get the same canonical types. */
enum { THREADS = 4, ROUNDS = 40 };

typedef struct worker {
    br_module_t *kept[2];
    bool ok;
} worker_t;

static void *
compile_loop(void *arg)
{
    worker_t *w = arg;
    w->ok = true;
    for (int i = 0; i < ROUNDS; i++) {
        br_module_t *a = wat_rig_compile(engine, TYPES);
        br_module_t *c = wat_rig_compile(engine, OTHER);
        w->ok = w->ok && a != NULL && c != NULL;
        if (i == ROUNDS - 1) {
            w->kept[0] = a;
            w->kept[1] = c;
        } else {
            br_module_delete(a);
            br_module_delete(c);
        }
    }
    return NULL;
}

static void
test_registry_threads(void)
{
    uint32_t before = bri_rttreg_count(engine->rtt_reg);
    pthread_t t[THREADS];
    worker_t w[THREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < THREADS; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, compile_loop, &w[i]), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(bri_rttreg_count(engine->rtt_reg), before + 5);
    for (int i = 0; i < THREADS; i++) {
        CHECK(w[i].ok);
        if (w[i].kept[0] && w[0].kept[0])
            for (uint32_t k = 0; k < w[i].kept[0]->type_count; k++)
                CHECK(w[i].kept[0]->rtts[k] == w[0].kept[0]->rtts[k]);
        if (w[i].kept[1] && w[0].kept[1])
            CHECK(w[i].kept[1]->rtts[0] == w[0].kept[1]->rtts[0]);
    }
    for (int i = 0; i < THREADS; i++) {
        br_module_delete(w[i].kept[0]);
        br_module_delete(w[i].kept[1]);
    }
    CHECK_EQ(bri_rttreg_count(engine->rtt_reg), before);
}

static const char PROGRAM[] =
    "(module\n"
    "  (type $s (struct (field $a (mut i8)) (field $b (mut i16))\n"
    "                   (field $c (mut i64)) (field $r (mut anyref))))\n"
    "  (type $v (array (mut i8)))\n"
    "  (type $w (array (mut i64)))\n"
    "  (type $t (struct (field i32)))\n"
    /* a packed field keeps 8 or 16 bits, read back signed or not */
    "  (func (export \"packed\") (param $x i32) (param $sign i32)\n"
    "        (result i32)\n"
    "    (local $p (ref $s))\n"
    "    (local.set $p (struct.new_default $s))\n"
    "    (struct.set $s $a (local.get $p) (local.get $x))\n"
    "    (struct.set $s $b (local.get $p) (local.get $x))\n"
    "    (if (result i32) (local.get $sign)\n"
    "      (then (i32.add (struct.get_s $s $a (local.get $p))\n"
    "                     (struct.get_s $s $b (local.get $p))))\n"
    "      (else (i32.add (struct.get_u $s $a (local.get $p))\n"
    "                     (struct.get_u $s $b (local.get $p))))))\n"
    "  (func (export \"bytes\") (param $x i32) (result i32)\n"
    "    (local $v (ref $v))\n"
    "    (local.set $v (array.new $v (local.get $x) (i32.const 3)))\n"
    "    (i32.add (array.get_s $v (local.get $v) (i32.const 2))\n"
    "             (array.get_u $v (local.get $v) (i32.const 0))))\n"
    /* sums 1..n through an array of n i64s, filled one by one */
    "  (func (export \"sum\") (param $n i32) (result i64)\n"
    "    (local $a (ref $w)) (local $i i32) (local $s i64)\n"
    "    (local.set $a (array.new_default $w (local.get $n)))\n"
    "    (loop $fill\n"
    "      (array.set $w (local.get $a) (local.get $i)\n"
    "        (i64.extend_i32_u (i32.add (local.get $i) (i32.const 1))))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (loop $add\n"
    "      (local.set $i (i32.sub (local.get $i) (i32.const 1)))\n"
    "      (local.set $s (i64.add (local.get $s)\n"
    "        (array.get $w (local.get $a) (local.get $i))))\n"
    "      (br_if $add (local.get $i)))\n"
    "    (local.get $s))\n"
    /* one function per trap kind */
    "  (func (export \"null_struct\") (result i64)\n"
    "    (struct.get $s $c (ref.null $s)))\n"
    "  (func (export \"null_array\") (result i32)\n"
    "    (array.len (ref.null $v)))\n"
    "  (func (export \"null_i31\") (result i32)\n"
    "    (i31.get_u (ref.null i31)))\n"
    "  (func (export \"oob\") (result i32)\n"
    "    (array.get_u $v (array.new_default $v (i32.const 4))\n"
    "                    (i32.const 4)))\n"
    "  (func (export \"cast\") (result i32)\n"
    "    (ref.cast (ref $t) (ref.i31 (i32.const 1))) (drop) (i32.const 0))\n"
    "  (func (export \"huge\") (result i32)\n"
    "    (array.len (array.new_default $w (i32.const -1))))\n"
    /* i31 values: 31 bits, sign-extended or not */
    "  (func (export \"i31\") (param i32) (result i32)\n"
    "    (i31.get_s (ref.i31 (local.get 0))))\n"
    ")";

static int64_t
call_int(rig_t *r, const char *name, int32_t x, int32_t y, size_t n,
         int64_t fuel)
{
    br_val_t args[2] = {vi32(x), vi32(y)}, out;
    memset(&out, 0, sizeof out);
    CHECK_EQ(wat_rig_call(r, name, args, n, fuel, &out, NULL), BR_DONE);
    return out.kind == BR_I64 ? out.of.i64 : out.of.i32;
}

static br_trapkind_t
trap_of(rig_t *r, const char *name)
{
    br_trapkind_t trap = BR_TRAP_NONE;
    CHECK_EQ(wat_rig_call(r, name, NULL, 0, -1, NULL, &trap), BR_TRAP);
    return trap;
}

static void
test_program(int64_t fuel)
{
    rig_t r;
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, PROGRAM)))
        return;
    /* 0x1FF: i8 keeps 0xFF (-1 signed), i16 keeps 0x1FF */
    CHECK_EQ(call_int(&r, "packed", 0x1FF, 0, 2, fuel), 0xFF + 0x1FF);
    CHECK_EQ(call_int(&r, "packed", 0x1FF, 1, 2, fuel), -1 + 0x1FF);
    CHECK_EQ(call_int(&r, "packed", 0x18000, 1, 2, fuel), 0 + -32768);
    CHECK_EQ(call_int(&r, "bytes", 0x80, 0, 1, fuel), -128 + 128);
    CHECK_EQ(call_int(&r, "sum", 1000, 0, 1, fuel), 500500);
    CHECK_EQ(call_int(&r, "i31", 0x40000000, 0, 1, fuel), -0x40000000);
    CHECK_EQ(call_int(&r, "i31", 0x3FFFFFFF, 0, 1, fuel), 0x3FFFFFFF);
    CHECK_EQ(call_int(&r, "i31", -1, 0, 1, fuel), -1);
    rig_close(&r);
}

static void
test_traps(void)
{
    rig_t r;
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, PROGRAM)))
        return;
    CHECK_EQ(trap_of(&r, "null_struct"), BR_TRAP_NULL_STRUCT);
    CHECK_EQ(trap_of(&r, "null_array"), BR_TRAP_NULL_ARRAY);
    CHECK_EQ(trap_of(&r, "null_i31"), BR_TRAP_NULL_I31);
    CHECK_EQ(trap_of(&r, "oob"), BR_TRAP_ARRAY_OOB);
    CHECK_EQ(trap_of(&r, "cast"), BR_TRAP_CAST_FAILURE);
    /* 2^32 - 1 elements of 8 bytes: the heap refuses, a clean trap */
    CHECK_EQ(trap_of(&r, "huge"), BR_TRAP_OUT_OF_MEMORY);
    CHECK(strcmp(br_trap_message(BR_TRAP_CAST_FAILURE), "cast failure") == 0);
    CHECK(strcmp(br_trap_message(BR_TRAP_NULL_STRUCT),
                 "null structure reference") == 0);
    rig_close(&r);
}

static void
test_validation(void)
{
    /* struct.set on an immutable field, a final supertype, a packed
     * field read without sign */
    CHECK_EQ(wat_rig_validate(engine, "(module (type $t (struct (field i32)))\n"
                                      "  (func (param (ref $t))\n"
                                      "    (struct.set $t 0 (local.get 0)"
                                      " (i32.const 1))))"),
             BR_ERR_IMMUTABLE_FIELD);
    CHECK_EQ(wat_rig_validate(engine, "(module (type $a (struct))\n"
                                      "  (type $b (sub $a (struct))))"),
             BR_ERR_SUB_TYPE);
    CHECK_EQ(wat_rig_validate(engine, "(module (type $t (struct (field i8)))\n"
                                      "  (func (param (ref $t)) (result i32)\n"
                                      "    (struct.get $t 0 (local.get 0))))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine,
                              "(module (type $t (array i8))\n"
                              "  (func (param (ref $t))\n"
                              "    (array.set $t (local.get 0) (i32.const 0)"
                              " (i32.const 0))))"),
             BR_ERR_IMMUTABLE_ARRAY);
}

/* The loader's verifier cannot prove what a slot holds for GC code, so
 * the writer refuses a module with GC types (BR_ERR_AOT_GC) and the
 * loader a forged file that holds one, cleanly. */
static void
test_serialized(void)
{
    br_module_t *m = wat_rig_compile(engine, PROGRAM);
    uint8_t *bytes = NULL;
    size_t size = 0;
    br_error_t err;
    br_module_t *loaded = NULL;
    CHECK(m != NULL);
    if (m == NULL)
        return;
    CHECK_EQ(br_module_serialize(m, &bytes, &size), BR_ERR_AOT_GC);
    CHECK(bytes == NULL && size == 0);
    CHECK_EQ(bri_module_write(m, &bytes, &size), BR_ERR_OK);
    CHECK_EQ(br_module_deserialize(engine, bytes, size, &loaded, &err),
             BR_ERR_AOT_CORRUPT);
    CHECK(loaded == NULL);
    br_engine_free_buffer(engine, bytes, size);
    br_module_delete(m);
    /* no GC instruction, only an anyref global and parameter */
    m = wat_rig_compile(engine, "(module (global (export \"g\") (mut anyref)"
                                " (ref.null any))\n"
                                "  (func (export \"f\") (param anyref)"
                                " (global.set 0 (local.get 0))))");
    CHECK(m != NULL);
    if (m == NULL)
        return;
    CHECK_EQ(br_module_serialize(m, &bytes, &size), BR_ERR_AOT_GC);
    CHECK_EQ(bri_module_write(m, &bytes, &size), BR_ERR_OK);
    CHECK_EQ(br_module_deserialize(engine, bytes, size, &loaded, &err),
             BR_ERR_AOT_CORRUPT);
    CHECK(strstr(err.message, "garbage-collected") != NULL);
    br_engine_free_buffer(engine, bytes, size);
    br_module_delete(m);
    /* GC instructions alone, on values of no GC type (the verifier does
     * not know them either; found by fuzz_module on type-subtyping.wast) */
    static const char *const code_only[] = {
        "(module (func (result i32) (ref.eq (ref.null eq) (ref.null eq))))",
        "(module (func (param funcref) (result i32)"
        " (ref.test (ref func) (local.get 0))))",
        "(module (func (param funcref) (result funcref)"
        " (block (result funcref)"
        " (br_on_cast 0 funcref (ref func) (local.get 0)))))",
    };
    for (size_t i = 0; i < sizeof code_only / sizeof *code_only; i++) {
        m = wat_rig_compile(engine, code_only[i]);
        CHECK(m != NULL);
        if (m == NULL)
            continue;
        CHECK_EQ(br_module_serialize(m, &bytes, &size), BR_ERR_AOT_GC);
        br_module_delete(m);
    }
}

static br_host_status_t
host_nop(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    (void)env, (void)exec, (void)args, (void)results;
    return BR_HOST_OK;
}

/* A host function has no canonical type: casts and call_ref compare its
 * kinds with the concrete type's. */
static void
test_host_func_cast(void)
{
    br_module_t *m =
        wat_rig_compile(engine, "(module (type $t (func (param i32)))\n"
                                "  (type $u (func (param i64)))\n"
                                "  (import \"h\" \"f\" (func $f (type $t)))\n"
                                "  (elem declare func $f)\n"
                                "  (func (export \"t\") (result i32)\n"
                                "    (ref.test (ref $t) (ref.func $f)))\n"
                                "  (func (export \"u\") (result i32)\n"
                                "    (ref.test (ref $u) (ref.func $f))))");
    CHECK(m != NULL);
    if (m == NULL)
        return;
    rig_t r = {.mod = m, .s = br_store_new(engine, NULL)};
    br_valkind_t p = BR_I32;
    br_functype_t ft = {.param_count = 1, .params = &p};
    br_extern_t imp = {.kind = BR_EXTERN_FUNC};
    imp.of.func = br_func_new_host(r.s, &ft, host_nop, NULL);
    br_error_t err;
    CHECK_EQ(br_instance_new(r.s, m, &imp, 1, &r.inst, &err, NULL), BR_ERR_OK);
    if (r.inst != NULL) {
        CHECK_EQ(call_int(&r, "t", 0, 0, 0, -1), 1);
        CHECK_EQ(call_int(&r, "u", 0, 0, 0, -1), 0);
    }
    rig_close(&r);
}

/* A snapshot keeps no GC heap: a non-null anyref global refuses it, a
 * null one is written down. */
static void
test_snapshot(void)
{
    rig_t r;
    if (!wat_rig_open(engine, &r,
                      wat_rig_compile(
                          engine, "(module (global (mut anyref)"
                                  " (ref.null any))\n"
                                  "  (func (export \"set\")"
                                  " (global.set 0 (ref.i31 (i32.const 5)))))")))
        return;
    uint8_t *bytes = NULL;
    size_t size = 0;
    CHECK_EQ(br_instance_snapshot(r.inst, &bytes, &size), BR_ERR_OK);
    br_engine_free_buffer(engine, bytes, size);
    CHECK_EQ(wat_rig_call(&r, "set", NULL, 0, -1, NULL, NULL), BR_DONE);
    bytes = NULL;
    CHECK_EQ(br_instance_snapshot(r.inst, &bytes, &size),
             BR_ERR_SNAPSHOT_MISMATCH);
    CHECK(bytes == NULL);
    rig_close(&r);
}

int
main(void)
{
    engine = br_engine_new(NULL);
    test_registry();
    test_registry_threads();
    test_program(-1);
    test_program(3);
    test_traps();
    test_validation();
    test_serialized();
    test_snapshot();
    test_host_func_cast();
    br_engine_delete(engine);
    return CHECK_DONE();
}
