/*
 * beamr tests: exception handling with exnref (try_table, catch_ref,
 * catch_all_ref, throw_ref) through the text format, the validator and
 * the interpreter: an exnref that outlives its call and its exec, null
 * and uncaught throw_refs, traps that no catch takes, tiny fuel, the
 * legacy try inside a try_table, validation, and compiled-module files.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "../../c_src/engine/text/br_text.h"
#include "check.h"
#include "wasm_call.h"
#include "wat_rig.h"

static br_engine_t *engine;

static const char MODULE[] =
    "(module\n"
    "  (tag $e (param i32))\n"
    "  (tag $f)\n"
    "  (global $g (mut exnref) (ref.null exn))\n"
    "  (table $t 1 exnref)\n"
    /* catch_ref: keeps the exception in a global and a table */
    "  (func (export \"keep\") (param i32) (result i32)\n"
    "    (local $x exnref)\n"
    "    (block $h (result i32 exnref)\n"
    "      (try_table (catch_ref $e $h) (throw $e (local.get 0)))\n"
    "      (unreachable))\n"
    "    (local.set $x)\n"
    "    (global.set $g (local.get $x))\n"
    "    (table.set $t (i32.const 0) (local.get $x)))\n"
    /* rethrows what `keep` stored, in a later call */
    "  (func (export \"again\") (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (catch $e $h) (throw_ref (global.get $g)))\n"
    "      (unreachable))\n"
    "    (i32.const 1000) (i32.add))\n"
    "  (func (export \"again_table\") (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (catch $e $h)\n"
    "        (throw_ref (table.get $t (i32.const 0))))\n"
    "      (unreachable))\n"
    "    (i32.const 2000) (i32.add))\n"
    "  (func (export \"null\") (throw_ref (ref.null exn)))\n"
    "  (func (export \"uncaught\") (throw_ref (global.get $g)))\n"
    "  (func (export \"get\") (result exnref) (global.get $g))\n"
    /* a trap is no exception: catch_all does not take it */
    "  (func (export \"trap\") (result i32)\n"
    "    (block $h\n"
    "      (try_table (catch_all $h) (unreachable)))\n"
    "    (i32.const 7))\n"
    /* n rounds of throw, catch_all_ref, throw_ref, catch: sums 1..n */
    "  (func (export \"loop\") (param $n i32) (result i32)\n"
    "    (local $s i32)\n"
    "    (loop $l\n"
    "      (block $c (result i32)\n"
    "        (block $r (result exnref)\n"
    "          (try_table (catch_all_ref $r) (throw $e (local.get $n)))\n"
    "          (unreachable))\n"
    "        (try_table (param exnref) (catch $e $c) (throw_ref))\n"
    "        (unreachable))\n"
    "      (local.get $s) (i32.add) (local.set $s)\n"
    "      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "      (br_if $l))\n"
    "    (local.get $s))\n"
    /* the legacy try inside a try_table, and a try_table inside try */
    "  (func (export \"mixed\") (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (catch $e $h)\n"
    "        (try (do (throw $f)) (catch $f (throw $e (i32.const 5)))))\n"
    "      (i32.const 0))\n"
    "    (try (result i32)\n"
    "      (do (block $k (try_table (catch $f $k) (throw $e (i32.const 6))))\n"
    "          (i32.const 0))\n"
    "      (catch $e))\n"
    "    (i32.add))\n"
    ")";

static int32_t
call_i32(rig_t *r, const char *name, int32_t arg, bool has_arg, int64_t fuel)
{
    br_val_t a = vi32(arg), out;
    memset(&out, 0, sizeof out);
    CHECK_EQ(
        wat_rig_call(r, name, has_arg ? &a : NULL, has_arg, fuel, &out, NULL),
        BR_DONE);
    CHECK_EQ(out.kind, BR_I32);
    return out.of.i32;
}

/* The exception `keep` caught lives in the store: it is rethrown by
 * later calls on other execs (the first exec is gone; ASan would see a
 * use after free, LeakSanitizer a leak when the store goes). */
static void
run_all(rig_t *r, int64_t fuel)
{
    br_val_t out;
    br_trapkind_t trap = BR_TRAP_NONE;
    CHECK_EQ(wat_rig_call(r, "get", NULL, 0, fuel, &out, NULL), BR_DONE);
    CHECK(out.kind == BR_EXNREF && out.of.ref == NULL);
    CHECK_EQ(wat_rig_call(r, "uncaught", NULL, 0, fuel, NULL, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_NULL_EXCEPTION);
    CHECK_EQ(call_i32(r, "keep", 42, true, fuel), 42);
    CHECK_EQ(call_i32(r, "again", 0, false, fuel), 1042);
    CHECK_EQ(call_i32(r, "again_table", 0, false, fuel), 2042);
    CHECK_EQ(call_i32(r, "keep", 43, true, fuel), 43);
    CHECK_EQ(call_i32(r, "again", 0, false, fuel), 1043);
    CHECK_EQ(wat_rig_call(r, "get", NULL, 0, fuel, &out, NULL), BR_DONE);
    CHECK(out.kind == BR_EXNREF && out.of.ref != NULL);
    trap = BR_TRAP_NONE;
    CHECK_EQ(wat_rig_call(r, "uncaught", NULL, 0, fuel, NULL, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_UNCAUGHT_EXCEPTION);
    trap = BR_TRAP_NONE;
    CHECK_EQ(wat_rig_call(r, "null", NULL, 0, fuel, NULL, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_NULL_EXCEPTION);
    trap = BR_TRAP_NONE;
    CHECK_EQ(wat_rig_call(r, "trap", NULL, 0, fuel, NULL, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_UNREACHABLE);
    CHECK_EQ(call_i32(r, "loop", 100, true, fuel), 5050);
    CHECK_EQ(call_i32(r, "mixed", 0, false, fuel), 11);
}

/* A snapshot cannot write down an exception: a null exnref is fine, a
 * kept one is refused. */
static void
test_snapshot(void)
{
    rig_t r;
    uint8_t *snap = NULL;
    size_t size = 0;
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, MODULE)))
        return;
    CHECK_EQ(br_instance_snapshot(r.inst, &snap, &size), BR_ERR_OK);
    br_engine_free_buffer(engine, snap, size);
    CHECK_EQ(call_i32(&r, "keep", 1, true, -1), 1);
    snap = NULL;
    CHECK_EQ(br_instance_snapshot(r.inst, &snap, &size),
             BR_ERR_SNAPSHOT_MISMATCH);
    CHECK(snap == NULL);
    rig_close(&r);
}

static void
test_runs(void)
{
    rig_t r;
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, MODULE)))
        return;
    run_all(&r, -1);
    rig_close(&r);
    /* tiny fuel: every yield lands somewhere else, same results */
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, MODULE)))
        return;
    run_all(&r, 1);
    rig_close(&r);
}

/* The same through a compiled-module file (the verifier checks the
 * catch pads, the exnref slots and throw_ref). */
static void
test_serialized(void)
{
    br_module_t *mod = wat_rig_compile(engine, MODULE);
    rig_t r;
    CHECK(mod != NULL);
    if (mod == NULL)
        return;
    br_module_t *loaded = wat_rig_reload(engine, mod);
    if (wat_rig_open(engine, &r, loaded)) {
        run_all(&r, -1);
        rig_close(&r);
    }
}

static void
test_validation(void)
{
    /* the label must take the tag's values (and the exnref for _ref) */
    CHECK_EQ(wat_rig_validate(
                 engine, "(tag $e (param i32))"
                         "(func (block $h (result i32)"
                         " (try_table (catch_ref $e $h)) unreachable) drop)"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine,
                              "(tag $e (param i32))"
                              "(func (block $h (result i64)"
                              " (try_table (catch $e $h)) unreachable) drop)"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine,
                              "(func (block $h (result exnref)"
                              " (try_table (catch_all $h)) unreachable) drop)"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(func (throw_ref (i32.const 0)))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(
                 engine, "(func (block $h (result exnref)"
                         " (try_table (catch_all_ref $h)) unreachable) drop)"),
             BR_ERR_OK);
    /* a catch label counts from outside the try_table */
    CHECK_EQ(wat_rig_validate(engine, "(func (try_table (catch_all 1)))"),
             BR_ERR_UNKNOWN_LABEL);
    CHECK_EQ(wat_rig_validate(engine, "(func (try_table (catch_all 0)))"),
             BR_ERR_OK);
}

int
main(void)
{
    engine = br_engine_new(NULL);
    test_runs();
    test_serialized();
    test_snapshot();
    test_validation();
    br_engine_delete(engine);
    return CHECK_DONE();
}
