/*
 * beamr tests: the typed function references' null tests on abstract
 * reference types (ref.as_non_null, br_on_null, br_on_non_null) through
 * the text format, the validator and the interpreter: null and non-null
 * funcref and externref values, the non-null result type where a
 * nullable one is expected, tiny fuel, a compiled-module file (the
 * verifier checks the new code), and what validation refuses; concrete
 * reference types (ref null? $t) in every place a value type goes, their
 * text encoding, ref.func's type and the subtyping of references.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "../../c_src/engine/text/br_text.h"
#include "check.h"
#include "wasm_call.h"
#include "wat_rig.h"

static br_engine_t *engine;

static const char MODULE[] =
    "(module\n"
    "  (table $t 2 funcref)\n"
    "  (elem (table $t) (i32.const 1) func $seven)\n"
    "  (func $seven (result i32) (i32.const 7))\n"
    /* the reference at table[i]: -1 if null, else 7 from a call */
    "  (func (export \"on_null\") (param $i i32) (result i32)\n"
    "    (local $f funcref)\n"
    "    (block $l\n"
    "      (local.set $f (br_on_null $l (table.get $t (local.get $i))))\n"
    "      (return (i32.add (call_indirect (result i32) (local.get $i))\n"
    "                       (ref.is_null (local.get $f)))))\n"
    "    (i32.const -1))\n"
    /* a value passed along to the label with the reference: 100 + i
     * when the reference is null, 200 + i when it is not */
    "  (func (export \"on_null_args\") (param $i i32) (result i32)\n"
    "    (block $l (result i32)\n"
    "      (br_on_null $l (i32.add (local.get $i) (i32.const 100))\n"
    "                     (table.get $t (local.get $i)))\n"
    "      (drop)\n"
    "      (return (i32.add (i32.const 100))))\n"
    "  )\n"
    /* br_on_non_null takes the reference to its label */
    "  (func (export \"on_non_null\") (param $i i32) (result i32)\n"
    "    (block $l (result i32 funcref)\n"
    "      (br_on_non_null $l (i32.const 3) (table.get $t (local.get $i)))\n"
    "      (return (i32.const -1)))\n"
    "    (ref.is_null)\n"
    "    (i32.add))\n"
    "  (func (export \"as_non_null\") (param $i i32) (result i32)\n"
    "    (ref.is_null (ref.as_non_null (table.get $t (local.get $i)))))\n"
    /* a reference data flow through ref.as_non_null into table.set (the
     * compiled-module verifier follows it) */
    "  (func (export \"copy\") (param $i i32) (result i32)\n"
    "    (table.set $t (i32.const 0)\n"
    "      (ref.as_non_null (table.get $t (local.get $i))))\n"
    "    (i32.const 1))\n"
    "  (func (export \"extern\") (param $x externref) (result i32)\n"
    "    (block $l\n"
    "      (return (ref.is_null (br_on_null $l (local.get $x)))))\n"
    "    (i32.const 9))\n"
    ")";

/* Calls `name` with one argument in slices of `fuel`; the status, *out
 * its i32 result, *trap the trap. */
static br_status_t
call(rig_t *r, const char *name, br_val_t arg, int64_t fuel, int32_t *out,
     br_trapkind_t *trap)
{
    br_exec_t *exec = br_exec_new(r->s);
    br_func_t *f = export_func(r->inst, name);
    br_status_t st = BR_ERROR;
    CHECK(f != NULL);
    if (f != NULL && br_exec_call(exec, f, &arg, 1) == BR_ERR_OK)
        st = run_slices(exec, fuel);
    if (st == BR_DONE) {
        const br_val_t *res = br_exec_results(exec);
        CHECK_EQ(res[0].kind, BR_I32);
        *out = res[0].of.i32;
    }
    if (st == BR_TRAP)
        *trap = br_exec_trap(exec)->kind;
    br_exec_delete(exec);
    return st;
}

static int32_t
call_i32(rig_t *r, const char *name, int32_t arg, int64_t fuel)
{
    int32_t out = INT32_MIN;
    br_trapkind_t trap = BR_TRAP_NONE;
    CHECK_EQ(call(r, name, vi32(arg), fuel, &out, &trap), BR_DONE);
    return out;
}

static void
run_all(rig_t *r, int64_t fuel)
{
    /* table[0] starts null, table[1] holds $seven */
    CHECK_EQ(call_i32(r, "on_null", 0, fuel), -1);
    CHECK_EQ(call_i32(r, "on_null", 1, fuel), 7);
    CHECK_EQ(call_i32(r, "on_null_args", 0, fuel), 100);
    CHECK_EQ(call_i32(r, "on_null_args", 1, fuel), 201);
    CHECK_EQ(call_i32(r, "on_non_null", 0, fuel), -1);
    CHECK_EQ(call_i32(r, "on_non_null", 1, fuel), 3);
    CHECK_EQ(call_i32(r, "as_non_null", 1, fuel), 0);
    int32_t out = 0;
    br_trapkind_t trap = BR_TRAP_NONE;
    CHECK_EQ(call(r, "as_non_null", vi32(0), fuel, &out, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_NULL_REFERENCE);
    br_val_t x = {.kind = BR_EXTERNREF, .of.ref = NULL};
    CHECK_EQ(call(r, "extern", x, fuel, &out, &trap), BR_DONE);
    CHECK_EQ(out, 9);
    x.of.ref = &out; /* any host pointer is an externref */
    CHECK_EQ(call(r, "extern", x, fuel, &out, &trap), BR_DONE);
    CHECK_EQ(out, 0);
    trap = BR_TRAP_NONE;
    CHECK_EQ(call(r, "copy", vi32(0), fuel, &out, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_NULL_REFERENCE);
    CHECK_EQ(call_i32(r, "on_null", 0, fuel), -1); /* the trap set nothing */
    CHECK_EQ(call_i32(r, "copy", 1, fuel), 1);
    CHECK_EQ(call_i32(r, "on_null", 0, fuel), 7);
}

static void
test_runs(void)
{
    rig_t r;
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, MODULE)))
        return;
    run_all(&r, -1);
    rig_close(&r);
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, MODULE)))
        return;
    run_all(&r, 1); /* tiny fuel: a yield at every back edge and call */
    rig_close(&r);
}

/* The same through a compiled-module file (the verifier checks it). */
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
    /* the tested operand must be a reference */
    CHECK_EQ(wat_rig_validate(engine, "(func (drop (ref.as_non_null (i32.const 0))))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(func (drop (br_on_null 0 (i32.const 0))))"),
             BR_ERR_TYPE_MISMATCH);
    /* the non-null result goes where its nullable type is expected, not
     * where another reference type is */
    CHECK_EQ(wat_rig_validate(engine, "(func (param funcref) (result funcref)"
                      " (ref.as_non_null (local.get 0)))"),
             BR_ERR_OK);
    CHECK_EQ(wat_rig_validate(engine, "(func (param funcref) (result externref)"
                      " (ref.as_non_null (local.get 0)))"),
             BR_ERR_TYPE_MISMATCH);
    /* a nullable reference is no (ref func) label value */
    CHECK_EQ(wat_rig_validate(engine, "(func (param funcref) (result funcref)"
                      " (block $l (result funcref)"
                      "  (br_on_null $l (local.get 0) (local.get 0))"
                      "  (drop)))"),
             BR_ERR_OK);
    /* br_on_non_null's label ends with the reference */
    CHECK_EQ(wat_rig_validate(engine, "(func (param funcref)"
                      " (block $l (br_on_non_null $l (local.get 0))))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(
        wat_rig_validate(engine, "(func (param funcref)"
                 " (drop (block $l (result externref)"
                 "  (br_on_non_null $l (local.get 0)) (ref.null extern))))"),
        BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(func (param funcref)"
                      " (drop (block $l (result funcref)"
                      "  (br_on_non_null $l (local.get 0)) (ref.null func))))"),
             BR_ERR_OK);
    /* (ref null func|extern|exn) are funcref, externref and exnref */
    CHECK_EQ(wat_rig_validate(engine, "(func (param (ref null func)) (result funcref)"
                      " (local.get 0))"),
             BR_ERR_OK);
    CHECK_EQ(wat_rig_validate(engine, "(func (param $r (ref null extern))"
                      " (drop (br_on_null 0 (local.get $r))))"
                      "(func (result (ref null exn)) (ref.null exn))"),
             BR_ERR_OK);
    CHECK_EQ(wat_rig_validate(engine, "(func (param (ref null extern)) (result funcref)"
                      " (local.get 0))"),
             BR_ERR_TYPE_MISMATCH);
    /* in dead code the operand is Unknown */
    CHECK_EQ(wat_rig_validate(engine, "(func (result i32) unreachable"
                      " (br_on_null 0) (drop))"),
             BR_ERR_OK);
}

/* What the text format refuses in reference types: a heap type that is
 * neither abstract nor a type, and a type name that is not defined. */
static void
test_text_refused(void)
{
    static const char *const texts[] = {
        "(func (param (ref null i32)))",
        "(func (param (ref $nope)))",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        uint8_t *bytes = NULL;
        size_t size = 0;
        br_text_error_t terr;
        CHECK(br_wat_to_wasm(engine, texts[k], strlen(texts[k]), &bytes, &size,
                             &terr) != BR_TEXT_ERR_OK);
        CHECK(bytes == NULL);
    }
}

/* Whether the encoding of `text` contains `want` (n bytes). */
static bool
encodes(const char *text, const uint8_t *want, size_t n)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    br_text_error_t terr;
    bool found = false;
    CHECK_EQ(br_wat_to_wasm(engine, text, strlen(text), &bytes, &size, &terr),
             BR_TEXT_ERR_OK);
    for (size_t i = 0; bytes && i + n <= size && !found; i++)
        found = memcmp(bytes + i, want, n) == 0;
    br_engine_free_buffer(engine, bytes, size);
    return found;
}

/* Concrete reference types (ref null? $t) as the binary has them: 0x63
 * (ref null) or 0x64 (ref) and the type index; the non-null abstract
 * ones as 0x64 and the heap type. */
static void
test_text_encoding(void)
{
    static const uint8_t ref_null_t1[] = {0x01, 0x63, 0x01}; /* 1 param */
    static const uint8_t ref_t0[] = {0x01, 0x64, 0x00};
    static const uint8_t ref_func[] = {0x01, 0x64, 0x70};
    static const uint8_t ref_null_func[] = {0x01, 0x70};
    CHECK(encodes("(type (func)) (type $u (func))"
                  " (func (param (ref null $u)))",
                  ref_null_t1, sizeof ref_null_t1));
    CHECK(encodes("(type $t (func)) (func (result (ref $t)) unreachable)",
                  ref_t0, sizeof ref_t0));
    CHECK(encodes("(func (param (ref func)))", ref_func, sizeof ref_func));
    CHECK(encodes("(func (param (ref null func)))", ref_null_func,
                  sizeof ref_null_func));
}

/* Concrete types in every place a value type goes: params, results,
 * locals, globals, tables (one with an initializer), block types and
 * select; ref.func is (ref $t) of its function's type. */
static const char TYPED[] =
    "(module\n"
    "  (type $t (func (result i32)))\n"
    "  (func $five (type $t) (i32.const 5))\n"
    "  (func $six (type $t) (i32.const 6))\n"
    "  (global $g (mut (ref null $t)) (ref.null $t))\n"
    "  (global $h (ref $t) (ref.func $six))\n"
    "  (table $init 3 (ref $t) (ref.func $five))\n"
    "  (table $plain 2 (ref null $t))\n"
    "  (elem declare func $five)\n"
    /* table $init is full of $five: call element i */
    "  (func (export \"init\") (param $i i32) (result i32)\n"
    "    (call_indirect $init (type $t) (local.get $i)))\n"
    /* a typed local and block: 0 null, else the function's result */
    "  (func (export \"plain\") (param $i i32) (result i32)\n"
    "    (local $r (ref null $t))\n"
    "    (local.set $r (table.get $plain (local.get $i)))\n"
    "    (if (result i32) (ref.is_null (local.get $r))\n"
    "      (then (i32.const 0))\n"
    "      (else (call_indirect $plain (type $t) (local.get $i)))))\n"
    "  (func (export \"fill\") (param $i i32) (result i32)\n"
    "    (table.set $plain (local.get $i)\n"
    "      (block (result (ref $t)) (ref.func $five)))\n"
    "    (table.set $plain (i32.const 1)\n"
    "      (select (result (ref null $t)) (global.get $g) (global.get $h)\n"
    "        (local.get $i)))\n"
    "    (i32.const 1))\n"
    "  (func (export \"set_g\") (param $i i32) (result i32)\n"
    "    (global.set $g (ref.func $five)) (i32.const 1))\n"
    ")";

static void
test_typed_places(int64_t fuel)
{
    rig_t r;
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, TYPED)))
        return;
    CHECK_EQ(call_i32(&r, "init", 0, fuel), 5);
    CHECK_EQ(call_i32(&r, "init", 2, fuel), 5);
    CHECK_EQ(call_i32(&r, "plain", 0, fuel), 0);
    CHECK_EQ(call_i32(&r, "plain", 1, fuel), 0);
    /* $i = 0: table[0] = $five, table[1] = $h ($six) */
    CHECK_EQ(call_i32(&r, "fill", 0, fuel), 1);
    CHECK_EQ(call_i32(&r, "plain", 0, fuel), 5);
    CHECK_EQ(call_i32(&r, "plain", 1, fuel), 6);
    /* $i = 1: table[1] = $g, null until set_g */
    CHECK_EQ(call_i32(&r, "fill", 1, fuel), 1);
    CHECK_EQ(call_i32(&r, "plain", 1, fuel), 0);
    CHECK_EQ(call_i32(&r, "set_g", 0, fuel), 1);
    CHECK_EQ(call_i32(&r, "fill", 1, fuel), 1);
    CHECK_EQ(call_i32(&r, "plain", 1, fuel), 5);
    rig_close(&r);
}

/* Subtyping of references: (ref $t) <: (ref null $t) <: funcref,
 * nofunc under every function reference, and equal function types are
 * one type; what is not a subtype is refused. */
static void
test_subtyping(void)
{
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func)) (func $f) (elem declare func $f)"
                      " (func (result funcref) (ref.func $f))"
                      " (func (result (ref null $t)) (ref.func $f))"
                      " (func (result (ref func)) (ref.func $f))"
                      " (func (result (ref null $t)) (ref.null nofunc))"),
             BR_ERR_OK);
    /* funcref is no (ref null $t), (ref null $t) no (ref $t) */
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func)) (func (param funcref)"
                      " (result (ref null $t)) (local.get 0))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func)) (func (param (ref null $t))"
                      " (result (ref $t)) (local.get 0))"),
             BR_ERR_TYPE_MISMATCH);
    /* another function type is another type */
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func)) (type $u (func (param i32)))"
                      " (func (param (ref $u)) (result (ref $t))"
                      " (local.get 0))"),
             BR_ERR_TYPE_MISMATCH);
    /* equal definitions are one type (canonical), self references too */
    CHECK_EQ(
        wat_rig_validate(engine, "(type $t (func (param i32))) (type $u (func (param i32)))"
                 " (func (param (ref $u)) (result (ref $t))"
                 " (local.get 0))"),
        BR_ERR_OK);
    CHECK_EQ(wat_rig_validate(engine, "(type $a (func (param (ref null $a))))"
                      " (type $b (func (param (ref null $b))))"
                      " (func (param (ref $a)) (result (ref $b))"
                      " (local.get 0))"),
             BR_ERR_OK);
    /* externref is another hierarchy */
    CHECK_EQ(wat_rig_validate(engine, "(func (result externref) (ref.null nofunc))"),
             BR_ERR_TYPE_MISMATCH);
    /* in constant expressions too */
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func)) (type $u (func (param i32)))"
                      " (func $f (type $u))"
                      " (global (ref null $t) (ref.func $f))"),
             BR_ERR_TYPE_MISMATCH);
    /* a table of non-null references needs an initializer of its type */
    CHECK_EQ(wat_rig_validate(engine, "(table 1 (ref func))"), BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(func $f) (table 1 (ref func) (ref.null func))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(func $f) (table 1 (ref func) (ref.func $f))"),
             BR_ERR_OK);
    /* a table initializer sees the imported globals only */
    CHECK_EQ(wat_rig_validate(engine, "(global $g funcref (ref.null func))"
                      " (table 10 funcref (global.get $g))"),
             BR_ERR_UNKNOWN_GLOBAL);
    CHECK_EQ(wat_rig_validate(engine, "(global $g (import \"m\" \"g\") funcref)"
                      " (table 10 funcref (global.get $g))"),
             BR_ERR_OK);
    /* an element segment's type must fit its table's */
    CHECK_EQ(wat_rig_validate(engine, "(func $f) (table 1 (ref func) (ref.func $f))"
                      " (elem (i32.const 0) funcref (ref.func $f))"),
             BR_ERR_TYPE_MISMATCH);
}

/* call_ref and return_call_ref: through a typed local, a table and a
 * select; a null callee traps null_function_reference; a deep tail
 * recursion through return_call_ref runs in one frame. */
static const char CALLS[] =
    "(module\n"
    "  (type $un (func (param i32) (result i32)))\n"
    "  (table $fs 3 (ref null $un))\n"
    "  (elem (table $fs) (i32.const 0) (ref null $un)\n"
    "    (ref.func $inc) (ref.func $dbl))\n"
    "  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))\n"
    "  (func $dbl (type $un) (i32.mul (local.get 0) (i32.const 2)))\n"
    /* table[i] applied to 10 (table[2] is null) */
    "  (func (export \"apply\") (param $i i32) (result i32)\n"
    "    (call_ref $un (i32.const 10) (table.get $fs (local.get $i))))\n"
    /* count down to 0 by tail calls: $i steps, one frame */
    "  (func $down (export \"down\") (type $un)\n"
    "    (if (result i32) (i32.eqz (local.get 0))\n"
    "      (then (i32.const 77))\n"
    "      (else (return_call_ref $un\n"
    "              (i32.sub (local.get 0) (i32.const 1))\n"
    "              (ref.func $down)))))\n"
    "  (func (export \"pick\") (param $i i32) (result i32)\n"
    "    (local $f (ref null $un))\n"
    "    (local.set $f (select (result (ref null $un))\n"
    "      (ref.func $inc) (ref.func $dbl) (local.get $i)))\n"
    "    (call_ref $un (i32.const 5) (local.get $f)))\n"
    "  (func (export \"tail_null\") (param $i i32) (result i32)\n"
    "    (return_call_ref $un (local.get $i) (ref.null $un)))\n"
    ")";

static void
run_calls(rig_t *r, int64_t fuel)
{
    int32_t out = 0;
    br_trapkind_t trap = BR_TRAP_NONE;
    CHECK_EQ(call_i32(r, "apply", 0, fuel), 11);
    CHECK_EQ(call_i32(r, "apply", 1, fuel), 20);
    CHECK_EQ(call(r, "apply", vi32(2), fuel, &out, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_NULL_FUNC_REFERENCE);
    CHECK_EQ(call_i32(r, "pick", 1, fuel), 6);
    CHECK_EQ(call_i32(r, "pick", 0, fuel), 10);
    /* far deeper than the call stack allows without tail calls */
    CHECK_EQ(call_i32(r, "down", 1000000, fuel < 0 ? fuel : 1000), 77);
    trap = BR_TRAP_NONE;
    CHECK_EQ(call(r, "tail_null", vi32(1), fuel, &out, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_NULL_FUNC_REFERENCE);
}

/* The host cannot pass a null where a parameter is non-null. */
static void
test_non_null_args(void)
{
    rig_t r;
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, "(module (type $t (func))"
                              " (func (export \"f\") (param (ref $t))"
                              "  (result i32) (i32.const 1))"
                              " (func (export \"g\") (param (ref null $t))"
                              "  (result i32) (i32.const 2)))")))
        return;
    br_exec_t *exec = br_exec_new(r.s);
    br_val_t null = {.kind = BR_FUNCREF, .of.ref = NULL};
    br_val_t some = {.kind = BR_FUNCREF, .of.ref = export_func(r.inst, "g")};
    CHECK_EQ(br_exec_call(exec, export_func(r.inst, "f"), &null, 1),
             BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_exec_call(exec, export_func(r.inst, "g"), &null, 1), BR_ERR_OK);
    CHECK_EQ(run_slices(exec, -1), BR_DONE);
    CHECK_EQ(br_exec_call(exec, export_func(r.inst, "f"), &some, 1), BR_ERR_OK);
    CHECK_EQ(run_slices(exec, -1), BR_DONE);
    CHECK_EQ(br_exec_results(exec)[0].of.i32, 1);
    br_exec_delete(exec);
    rig_close(&r);
}

static void
test_call_ref(void)
{
    rig_t r;
    if (wat_rig_open(engine, &r, wat_rig_compile(engine, CALLS))) {
        run_calls(&r, -1);
        rig_close(&r);
    }
    if (wat_rig_open(engine, &r, wat_rig_compile(engine, CALLS))) {
        run_calls(&r, 1);
        rig_close(&r);
    }
    /* through a compiled-module file: the verifier checks the callee */
    br_module_t *mod = wat_rig_compile(engine, CALLS);
    CHECK(mod != NULL);
    if (mod == NULL)
        return;
    if (wat_rig_open(engine, &r, wat_rig_reload(engine, mod))) {
        run_calls(&r, -1);
        rig_close(&r);
    }
    /* the callee's type: (ref null $t) of the immediate's type, and a
     * tail callee's results must fit the function's */
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func)) (func (param funcref)"
                      " (call_ref $t (local.get 0)))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func)) (type $u (func (param i32)))"
                      " (func (param (ref $u)) (call_ref $t (local.get 0)))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func (result (ref func))))"
                      " (func (param (ref $t)) (result funcref)"
                      " (return_call_ref $t (local.get 0)))"),
             BR_ERR_OK);
    CHECK_EQ(wat_rig_validate(engine, "(type $t (func (result funcref)))"
                      " (func (param (ref $t)) (result (ref func))"
                      " (return_call_ref $t (local.get 0)))"),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(wat_rig_validate(engine, "(func (call_ref 7 (ref.null func)))"),
             BR_ERR_UNKNOWN_TYPE);
}

/* Locals of non-null reference types: set before read, and a set in a
 * block lasts to that block's end (else and catch start again). */
static void
test_local_init(void)
{
    static const char *const ok[] = {
        "(func $f) (elem declare func $f)"
        " (func (local $r (ref func)) (local.set $r (ref.func $f))"
        "  (drop (local.get $r)))",
        /* set in a block, read in it; set again after it */
        "(func $f) (elem declare func $f)"
        " (func (local $r (ref func))"
        "  (block (local.set $r (ref.func $f)) (drop (local.get $r)))"
        "  (drop (local.tee $r (ref.func $f))) (drop (local.get $r)))",
        /* parameters and nullable locals need nothing */
        "(func (param $p (ref func)) (local $n funcref)"
        " (drop (local.get $p)) (drop (local.get $n)))",
    };
    static const char *const bad[] = {
        "(func (local $r (ref func)) (drop (local.get $r)))",
        /* the set ended with its block */
        "(func $f) (elem declare func $f)"
        " (func (local $r (ref func))"
        "  (block (local.set $r (ref.func $f))) (drop (local.get $r)))",
        /* a then-branch's set is not the else-branch's */
        "(func $f) (elem declare func $f)"
        " (func (param i32) (local $r (ref func))"
        "  (if (local.get 0) (then (local.set $r (ref.func $f)))"
        "   (else (drop (local.get $r)))))",
    };
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
        CHECK_EQ(wat_rig_validate(engine, ok[k]), BR_ERR_OK);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        CHECK_EQ(wat_rig_validate(engine, bad[k]), BR_ERR_UNINITIALIZED_LOCAL);
}

/* Import matching with reference types across modules: a constant
 * global's type is a subtype of the import's, a mutable global's and a
 * table's are equal, a function's type is equal (compared across the
 * modules, whatever their indices). */
static br_err_t
link_one(br_store_t *s, br_instance_t *ex, const char *name,
         const char *importer)
{
    br_module_t *mod = wat_rig_compile(engine, importer);
    br_extern_t ext;
    br_instance_t *inst = NULL;
    br_error_t err;
    br_trap_t trap;
    CHECK(mod != NULL);
    CHECK(br_instance_export(ex, name, strlen(name), &ext));
    if (mod == NULL)
        return BR_ERR_INVALID_ARGUMENT;
    br_err_t code = br_instance_new(s, mod, &ext, 1, &inst, &err, &trap);
    br_module_delete(mod);
    return code;
}

static void
test_import_matching(void)
{
    rig_t r;
    if (!wat_rig_open(engine, &r, wat_rig_compile(engine, "(module (type (func (param i32)))"
                              " (type $t (func)) (func $f)"
                              " (elem declare func $f)"
                              " (global (export \"g\") (ref $t) (ref.func $f))"
                              " (global (export \"gm\") (mut (ref null $t))"
                              "  (ref.null $t))"
                              " (table (export \"tab\") 1 (ref null $t))"
                              " (func (export \"f\") (param (ref null $t))))")))
        return;
    static const struct {
        const char *name, *importer;
        br_err_t want;
    } cases[] = {
        {"g", "(module (global (import \"m\" \"g\") (ref null func)))",
         BR_ERR_OK},
        {"g", "(module (global (import \"m\" \"g\") (ref func)))", BR_ERR_OK},
        /* an equal type at another index of another module */
        {"g",
         "(module (type $u (func)) (global (import \"m\" \"g\") (ref $u)))",
         BR_ERR_OK},
        {"g",
         "(module (type $u (func (param i32)))"
         " (global (import \"m\" \"g\") (ref $u)))",
         BR_ERR_INCOMPATIBLE_IMPORT},
        {"g", "(module (global (import \"m\" \"g\") externref))",
         BR_ERR_INCOMPATIBLE_IMPORT},
        {"gm",
         "(module (type $u (func))"
         " (global (import \"m\" \"gm\") (mut (ref null $u))))",
         BR_ERR_OK},
        /* mutable: a supertype is not enough */
        {"gm", "(module (global (import \"m\" \"gm\") (mut funcref)))",
         BR_ERR_INCOMPATIBLE_IMPORT},
        {"gm",
         "(module (type $u (func))"
         " (global (import \"m\" \"gm\") (ref null $u)))",
         BR_ERR_INCOMPATIBLE_IMPORT},
        {"tab",
         "(module (type $u (func)) (table (import \"m\" \"tab\") 1"
         " (ref null $u)))",
         BR_ERR_OK},
        {"tab", "(module (table (import \"m\" \"tab\") 1 funcref))",
         BR_ERR_INCOMPATIBLE_IMPORT},
        {"f",
         "(module (type $u (func))"
         " (func (import \"m\" \"f\") (param (ref null $u))))",
         BR_ERR_OK},
        {"f", "(module (func (import \"m\" \"f\") (param funcref)))",
         BR_ERR_INCOMPATIBLE_IMPORT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        br_err_t got = link_one(r.s, r.inst, cases[k].name, cases[k].importer);
        if (got != cases[k].want)
            fprintf(stderr, "  case %zu: %d\n", k, (int)got);
        CHECK_EQ(got, cases[k].want);
    }
    rig_close(&r);
}

/* The binary decoder: a type index in a value type must name a type
 * (a later one is refused in the type section too). */
static void
test_binary(void)
{
    static const uint8_t unknown_local[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,             /* type () -> () */
        0x03, 0x02, 0x01, 0x00,                         /* func 0: type 0 */
        0x0a, 0x07, 0x01, 0x05, 0x01, 0x01, 0x63, 0x05, /* local (ref null 5) */
        0x0b};
    static const uint8_t forward[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x09, 0x02, 0x60, 0x01, 0x63, 0x01, 0x00, /* type 0: (ref null 1) -> ()
                                                   */
        0x60, 0x00, 0x00};                        /* type 1 */
    br_module_t *mod = NULL;
    br_error_t err;
    CHECK_EQ(
        br_module_new(engine, unknown_local, sizeof unknown_local, &mod, &err),
        BR_ERR_UNKNOWN_TYPE);
    CHECK_EQ(br_module_new(engine, forward, sizeof forward, &mod, &err),
             BR_ERR_UNKNOWN_TYPE);
    CHECK(mod == NULL);
}

int
main(void)
{
    engine = br_engine_new(NULL);
    test_runs();
    test_serialized();
    test_validation();
    test_text_refused();
    test_text_encoding();
    test_typed_places(-1);
    test_typed_places(1);
    test_subtyping();
    test_binary();
    test_call_ref();
    test_local_init();
    test_import_matching();
    test_non_null_args();
    br_engine_delete(engine);
    return CHECK_DONE();
}
