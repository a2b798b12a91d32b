/*
 * beamr tests: the native tier (docs/native-tier.md) against the
 * interpreter on the same modules: results, memory, fuel used to the
 * unit, yields and resumption (also switching tiers between slices),
 * cancel, traps with their backtraces, suspended imports, call depth,
 * and that machine code was really made and run.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../../c_src/engine/exec.h"
#include "../../c_src/engine/text/br_text.h"
#include "check.h"
#include "native_check.h"

static const char *const WAT =
    "(module\n"
    "  (import \"env\" \"host\" (func $host (param i32) (result i32)))\n"
    "  (memory (export \"mem\") 1)\n"
    "  (global $g (mut i64) (i64.const 7))\n"
    "  (global $gf (mut f64) (f64.const 0.5))\n"
    /* loops over memory with i32/i64/f64 arithmetic, compares, selects,
     * conversions and globals */
    "  (func (export \"mix\") (param $n i32) (result i64)\n"
    "    (local $i i32) (local $acc i64) (local $f f64)\n"
    "    (loop $l\n"
    "      (i32.store (i32.shl (i32.and (local.get $i) (i32.const 1023))\n"
    "                          (i32.const 2))\n"
    "        (i32.xor (i32.mul (local.get $i) (i32.const -1640531535))\n"
    "                 (i32.rotl (local.get $i) (i32.const 7))))\n"
    "      (local.set $acc (i64.add (local.get $acc)\n"
    "        (i64.extend_i32_u (i32.load (i32.shl (i32.and\n"
    "          (i32.mul (local.get $i) (i32.const 31)) (i32.const 1023))\n"
    "          (i32.const 2))))))\n"
    "      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_s\n"
    "        (i32.load8_s offset=3 (i32.and (local.get $i) (i32.const 4095))))))\n"
    "      (local.set $acc (i64.xor (local.get $acc) (i64.shr_u\n"
    "        (local.get $acc) (i64.const 13))))\n"
    "      (local.set $acc (select (i64.rem_s (local.get $acc) (i64.const 1000003))\n"
    "        (i64.div_u (local.get $acc) (i64.const 3))\n"
    "        (i32.lt_u (i32.popcnt (local.get $i)) (i32.clz (local.get $i)))))\n"
    "      (local.set $f (f64.add (f64.mul (local.get $f) (f64.const 0.999))\n"
    "        (f64.convert_i32_s (local.get $i))))\n"
    "      (global.set $g (i64.add (global.get $g) (i64.ctz (local.get $acc))))\n"
    "      (global.set $gf (f64.sqrt (f64.abs (local.get $f))))\n"
    "      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i)\n"
    "        (i32.const 1))) (local.get $n))))\n"
    "    (i64.add (i64.add (local.get $acc) (global.get $g))\n"
    "      (i64.trunc_sat_f64_s (global.get $gf))))\n"
    /* more live values than cache registers, in one block with an
     * exit to the interpreter in its middle (div_s by -1 is a slow
     * path, popcnt has no machine code, by 0 traps): every value the
     * machine code holds in a register is in its slot there */
    "  (func (export \"regs\") (param $n i32) (param $d i32) (result i64)\n"
    "    (local $a i32) (local $b i32) (local $c i32) (local $e i32)\n"
    "    (local $f i32) (local $g i32) (local $h i32) (local $i i32)\n"
    "    (local $x f32) (local $y i64)\n"
    "    (loop $l\n"
    "      (local.set $a (i32.add (local.get $a) (local.get $i)))\n"
    "      (local.set $b (i32.xor (local.get $b) (i32.mul (local.get $a)\n"
    "        (i32.const 3))))\n"
    "      (local.set $c (i32.sub (local.get $c) (local.get $b)))\n"
    "      (local.set $e (i32.add (local.get $e) (i32.shl (local.get $c)\n"
    "        (i32.const 1))))\n"
    "      (local.set $f (i32.or (local.get $f) (local.get $e)))\n"
    "      (local.set $g (i32.add (local.get $g) (i32.div_s (local.get $f)\n"
    "        (local.get $d))))\n"
    "      (local.set $h (i32.add (local.get $h) (i32.popcnt\n"
    "        (local.get $g))))\n"
    "      (local.set $x (f32.add (local.get $x) (f32.convert_i32_s\n"
    "        (local.get $h))))\n"
    "      (i32.store8 (i32.and (local.get $i) (i32.const 255))\n"
    "        (local.get $h))\n"
    "      (local.set $y (i64.add (local.get $y) (i64.extend_i32_u\n"
    "        (i32.load8_u (i32.and (local.get $a) (i32.const 255))))))\n"
    "      (local.set $a (select (local.get $b) (local.get $a)\n"
    "        (i32.and (local.get $i) (i32.const 1))))\n"
    "      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i)\n"
    "        (i32.const 1)))\n"
    "        (local.get $n))))\n"
    "    (i64.add (local.get $y) (i64.extend_i32_u (i32.add\n"
    "      (i32.add (i32.add (local.get $a) (local.get $b))\n"
    "        (i32.add (local.get $c) (local.get $e)))\n"
    "      (i32.add (i32.add (local.get $f) (local.get $g))\n"
    "        (i32.add (local.get $h) (i32.trunc_sat_f32_s\n"
    "          (local.get $x))))))))\n"
    "  (func (export \"spin\") (loop $l (br $l)))\n"
    "  (func (export \"load\") (param i32) (result i32)\n"
    "    (i32.load offset=8 (local.get 0)))\n"
    "  (func $div (export \"div\") (param i32 i32) (result i32)\n"
    "    (i32.div_s (local.get 0) (local.get 1)))\n"
    "  (func (export \"rem\") (param i64 i64) (result i64)\n"
    "    (i64.rem_s (local.get 0) (local.get 1)))\n"
    "  (func (export \"via\") (param i32 i32) (result i32)\n"
    "    (i32.add (i32.const 1) (call $div (local.get 0) (local.get 1))))\n"
    "  (func (export \"imports\") (param $n i32) (result i32)\n"
    "    (local $s i32)\n"
    "    (block $b (loop $l\n"
    "      (br_if $b (i32.eqz (local.get $n)))\n"
    "      (local.set $s (i32.add (local.get $s) (call $host (local.get $n))))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $s))\n"
    "  (func $deep (export \"deep\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))\n"
    "      (else (i32.add (i32.const 1)\n"
    "        (call $deep (i32.sub (local.get 0) (i32.const 1)))))))\n"
    "  (func (export \"fib\") (param i64) (result i64)\n"
    "    (local $a i64) (local $b i64) (local.set $b (i64.const 1))\n"
    "    (block $d (loop $l\n"
    "      (br_if $d (i64.eqz (local.get 0)))\n"
    "      (local.set $b (i64.add (local.get $a) (local.tee $a (local.get $b))))\n"
    "      (local.set 0 (i64.sub (local.get 0) (i64.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $a))\n"
    /* wasm calls made from machine code: direct, indirect (with each
     * trap of call_indirect), zeroed locals (few and many), an import
     * at the bottom of a recursion */
    "  (type $ii (func (param i32) (result i32)))\n"
    "  (table 5 funcref)\n"
    "  (elem (i32.const 0) $sq $twice $div)\n"
    "  (func $sq (param i32) (result i32) (local $z i32)\n"
    "    (i32.add (local.get $z) (i32.mul (local.get 0) (local.get 0))))\n"
    "  (func $twice (param i32) (result i32)\n"
    "    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)\n"
    "    (local.set 11 (i32.add (local.get 11) (local.get 0)))\n"
    "    (i32.add (i32.add (local.get 5) (local.get 11))\n"
    "      (call $sq (local.get 0))))\n"
    "  (func $ind (export \"ind\") (param i32 i32) (result i32)\n"
    "    (i32.add (i32.const 3)\n"
    "      (call_indirect (type $ii) (local.get 1) (local.get 0))))\n"
    "  (func (export \"indloop\") (param $n i32) (result i32) (local $s i32)\n"
    "    (block $b (loop $l\n"
    "      (br_if $b (i32.eqz (local.get $n)))\n"
    "      (local.set $s (i32.add (local.get $s)\n"
    "        (call $ind (i32.and (local.get $n) (i32.const 1))\n"
    "                   (local.get $n))))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $s))\n"
    "  (func $dh (export \"deephost\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.eqz (local.get 0))\n"
    "      (then (call $host (i32.const 21)))\n"
    "      (else (i32.add (local.get 0)\n"
    "        (call $dh (i32.sub (local.get 0) (i32.const 1)))))))\n"
    /* SIMD in machine code (x64_simd.h): results, NaN bits and memory
     * the same as the interpreter's */
    "  (func (export \"simd\") (param $n i32) (result i64)\n"
    "    (local $i i32) (local $v v128) (local $w v128) (local $acc i64)\n"
    "    (loop $l\n"
    "      (local.set $v (v128.load offset=16 (i32.and\n"
    "        (i32.mul (local.get $i) (i32.const 52)) (i32.const 4095))))\n"
    "      (local.set $w (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31\n"
    "        (local.get $v) (v128.load8_splat (local.get $i))))\n"
    "      (local.set $w (i32x4.add (local.get $w)\n"
    "        (v128.const i32x4 1 -2 3 0x7fc00001)))\n"
    "      (local.set $v (i16x8.add_sat_s (local.get $v) (local.get $w)))\n"
    "      (local.set $v (i8x16.sub_sat_u (local.get $v)\n"
    "        (i32x4.mul (local.get $w) (local.get $v))))\n"
    "      (local.set $v (v128.xor (local.get $v)\n"
    "        (i16x8.shl (local.get $w) (local.get $i))))\n"
    "      (local.set $v (i32x4.shr_s (local.get $v)\n"
    "        (i32.add (local.get $i) (i32.const 3))))\n"
    "      (local.set $v (i64x2.add (local.get $v)\n"
    "        (i64x2.shr_u (local.get $w) (local.get $i))))\n"
    "      (local.set $v (i8x16.narrow_i16x8_s (local.get $v) (local.get $w)))\n"
    "      (local.set $v (i16x8.narrow_i32x4_u (local.get $v)\n"
    "        (v128.load16x4_s (local.get $i))))\n"
    "      (local.set $v (i32x4.min_u (local.get $v) (i8x16.max_s (local.get $w)\n"
    "        (v128.load8x8_u offset=5 (local.get $i)))))\n"
    "      (local.set $v (i16x8.avgr_u (local.get $v)\n"
    "        (i32x4.gt_s (local.get $w) (local.get $v))))\n"
    "      (local.set $v (f32x4.add (local.get $v)\n"
    "        (f32x4.mul (local.get $w) (local.get $v))))\n"
    "      (local.set $v (f64x2.div (local.get $v) (local.get $w)))\n"
    "      (local.set $v (v128.andnot (local.get $v) (i32x4.splat (local.get $i))))\n"
    "      (local.set $v (i16x8.sub (local.get $v) (i16x8.splat (local.get $i))))\n"
    "      (local.set $v (i8x16.add (local.get $v) (i8x16.splat (local.get $i))))\n"
    "      (local.set $v (i8x16.shl (local.get $v) (local.get $i)))\n"
    "      (local.set $w (i8x16.shr_u (local.get $w) (i32.add (local.get $i)\n"
    "        (i32.const 2))))\n"
    "      (local.set $w (f32x4.sub (local.get $w) (f32x4.splat (f32.const -0.5))))\n"
    "      (local.set $w (i64x2.sub (local.get $w)\n"
    "        (i64x2.splat (i64.extend_i32_u (local.get $i)))))\n"
    "      (local.set $w (v128.or (local.get $w) (v128.load32_splat (local.get $i))))\n"
    "      (local.set $w (v128.and (local.get $w) (v128.load64_splat (local.get $i))))\n"
    "      (local.set $v (i8x16.replace_lane 5 (local.get $v) (local.get $i)))\n"
    "      (local.set $v (i64x2.replace_lane 1 (local.get $v) (local.get $acc)))\n"
    "      (v128.store offset=8 (i32.and (i32.mul (local.get $i) (i32.const 36))\n"
    "        (i32.const 4095)) (local.get $v))\n"
    "      (local.set $acc (i64.add (i64.rotl (local.get $acc) (i64.const 5))\n"
    "        (i64.add (i64x2.extract_lane 0 (local.get $v))\n"
    "          (i64.extend_i32_u (i32.add (i8x16.extract_lane_s 3 (local.get $v))\n"
    "            (i32.add (i16x8.extract_lane_u 7 (local.get $v))\n"
    "              (i32x4.extract_lane 2 (local.get $w))))))))\n"
    "      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))\n"
    "        (local.get $n))))\n"
    "    (local.get $acc))\n"
    "  (func (export \"vload\") (param i32) (result i32)\n"
    "    (i32x4.extract_lane 1 (v128.load offset=4 (local.get 0))))\n"
    ")\n";

/* Host import: doubles its argument, or suspends (env non-NULL) so the
 * test answers it through br_exec_resume. */
static br_host_status_t
host_fn(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    (void)exec;
    if (env != NULL)
        return BR_HOST_SUSPEND;
    results[0].of.i32 = args[0].of.i32 * 2;
    return BR_HOST_OK;
}

typedef struct rig {
    br_engine_t *engine;
    br_module_t *mod;
    br_store_t *store;
    br_instance_t *inst;
    br_exec_t *exec;
} rig_t;

static bool
rig_open(rig_t *r, br_tier_t tier, bool suspend, uint32_t depth)
{
    memset(r, 0, sizeof *r);
    br_config_t cfg = {0};
    cfg.tier = tier;
    cfg.limits.max_call_depth = depth;
    r->engine = br_engine_new(&cfg);
    uint8_t *bin = NULL;
    size_t size = 0;
    br_text_error_t terr;
    if (br_wat_to_wasm(r->engine, WAT, strlen(WAT), &bin, &size, &terr) != 0)
        return false;
    br_error_t err;
    br_err_t e = br_module_new(r->engine, bin, size, &r->mod, &err);
    br_engine_free_buffer(r->engine, bin, size);
    if (e != BR_ERR_OK)
        return false;
    r->store = br_store_new(r->engine, NULL);
    br_valkind_t i32 = BR_I32;
    br_functype_t ft = {1, 1, &i32, &i32};
    br_extern_t imp = {BR_EXTERN_FUNC, {0}};
    imp.of.func = br_func_new_host(r->store, &ft, host_fn,
                                   suspend ? (void *)r : NULL);
    if (br_instance_new(r->store, r->mod, &imp, 1, &r->inst, &err, NULL) !=
        BR_ERR_OK)
        return false;
    r->exec = br_exec_new(r->store);
    return r->exec != NULL;
}

static void
rig_close(rig_t *r)
{
    br_exec_delete(r->exec);
    br_store_delete(r->store);
    br_module_delete(r->mod);
    br_engine_delete(r->engine);
}

static br_func_t *
export_fn(rig_t *r, const char *name)
{
    br_extern_t ex;
    if (!br_instance_export(r->inst, name, strlen(name), &ex) ||
        ex.kind != BR_EXTERN_FUNC)
        return NULL;
    return ex.of.func;
}

/* Calls `name` in slices of `slice` fuel (native_check.h). */
static outcome_t
call(rig_t *r, const char *name, const uint64_t *args, size_t n,
     int64_t slice, bool flip)
{
    return native_check_call(r->exec, r->store, export_fn(r, name), args, n,
                             slice, flip);
}

/* The same calls in both tiers (and in slices) give the same outcome,
 * fuel and memory; the native tier made machine code: lazily, or for
 * the whole module at once (`batch`: br_module_native_compile packs it
 * into shared mappings, after one function was compiled alone). */
static void
test_same_as_interp(bool batch)
{
    static const struct {
        const char *name;
        uint64_t args[2];
        size_t n;
    } calls[] = {
        {"mix", {20000}, 1},
        {"load", {65528}, 1},        /* 65536 + 4 > size: traps */
        {"load", {65524}, 1},        /* the last 4 bytes: fine */
        {"load", {0xFFFFFFFFu}, 1},  /* traps, no wrap-around */
        {"div", {7, 0}, 2},          /* divide by zero */
        {"div", {0x80000000u, 0xFFFFFFFFu}, 2}, /* overflow */
        {"div", {0xFFFFFFF9u, 2}, 2},
        {"rem", {0x8000000000000000ull, ~0ull}, 2}, /* 0, no trap */
        {"via", {1, 0}, 2},          /* trap one call deep: backtrace */
        {"imports", {300}, 1},
        {"deep", {500}, 1},
        {"fib", {90}, 1},
        {"deep", {5000}, 1},         /* beyond BRI_NATIVE_NEST */
        {"ind", {0, 9}, 2},
        {"ind", {1, 9}, 2},
        {"ind", {2, 9}, 2},          /* indirect call type mismatch */
        {"ind", {3, 9}, 2},          /* uninitialized element */
        {"ind", {5, 9}, 2},          /* undefined element */
        {"indloop", {3000}, 1},
        {"deephost", {1500}, 1},     /* the import below nested calls */
        {"simd", {3000}, 1},
        {"vload", {65516}, 1},       /* the last 16 bytes: fine */
        {"vload", {65520}, 1},       /* one past the end: traps */
        {"regs", {500, 0xFFFFFFFFu}, 2}, /* a slow path every round */
        {"regs", {500, 7}, 2},
        {"regs", {50, 0}, 2},        /* traps mid-block */
    };
    static const int64_t slices[] = {-1, 1, 7, 1000};
    rig_t in, nat;
    CHECK(rig_open(&in, BR_TIER_INTERP, false, 0));
    CHECK(rig_open(&nat, BR_TIER_NATIVE, false, 0));
    if (batch) {
        uint64_t ten = 10;
        CHECK_EQ(call(&nat, "fib", &ten, 1, -1, false).result, 55);
        CHECK(br_module_native_compile(nat.mod));
        uint32_t all = 0;
        br_module_native_info(nat.mod, &all, NULL, NULL);
        /* the module's 17 functions (the import has none) */
        CHECK_EQ(all, br_native_available() ? 17u : 0u);
        CHECK(br_module_native_compile(nat.mod)); /* nothing left */
    }
    for (size_t s = 0; s < sizeof slices / sizeof slices[0]; s++) {
        for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
            outcome_t a = call(&in, calls[i].name, calls[i].args, calls[i].n,
                               slices[s], false);
            outcome_t b = call(&nat, calls[i].name, calls[i].args,
                               calls[i].n, slices[s], false);
            if (a.st != b.st || a.result != b.result || a.fuel != b.fuel)
                fprintf(stderr, "  %s slice %lld\n", calls[i].name,
                        (long long)slices[s]);
            check_same(&a, &b);
        }
    }
    br_memory_t *m1 = br_instance_memory(in.inst, 0);
    br_memory_t *m2 = br_instance_memory(nat.inst, 0);
    CHECK(memcmp(br_memory_data(m1), br_memory_data(m2), 65536) == 0);
    uint32_t funcs = 0;
    size_t bytes = 0, mapped = 0;
    br_module_native_info(nat.mod, &funcs, &bytes, &mapped);
    if (br_native_available()) {
        CHECK(funcs >= 8);
        CHECK(bytes > 0 && mapped >= bytes);
    } else {
        CHECK_EQ(funcs, 0); /* the interpreter ran it all */
    }
    br_module_native_info(in.mod, &funcs, &bytes, &mapped);
    CHECK_EQ(funcs, 0);
    rig_close(&in);
    rig_close(&nat);
}

/* A call yields and resumes across tiers: slices alternate between the
 * native tier and the interpreter on the same frames. */
static void
test_switch_tiers(void)
{
    rig_t in, nat;
    CHECK(rig_open(&in, BR_TIER_INTERP, false, 0));
    CHECK(rig_open(&nat, BR_TIER_NATIVE, false, 0));
    uint64_t n = 5000;
    outcome_t a = call(&in, "mix", &n, 1, 333, false);
    outcome_t b = call(&nat, "mix", &n, 1, 333, true);
    CHECK(a.yields > 10);
    check_same(&a, &b);
    rig_close(&in);
    rig_close(&nat);
}

/* An endless loop in machine code yields at its back-edge fuel and
 * ends at a cancel. */
static void
test_spin_cancel(void)
{
    rig_t r;
    CHECK(rig_open(&r, BR_TIER_NATIVE, false, 0));
    check_spin_cancel(r.exec, export_fn(&r, "spin"), NULL, 0, 100);
    rig_close(&r);
}

/* Imports suspend the native call; answers resume it. */
static void
test_suspend(void)
{
    rig_t r;
    CHECK(rig_open(&r, BR_TIER_NATIVE, true, 0));
    br_func_t *f = export_fn(&r, "imports");
    br_val_t arg = {BR_I32, {.i32 = 50}};
    CHECK_EQ(br_exec_call(r.exec, f, &arg, 1), BR_ERR_OK);
    int64_t expect = 0;
    int rounds = 0;
    br_status_t st;
    while ((st = br_exec_run(r.exec, -1)) == BR_IMPORT) {
        int32_t x = br_exec_import_args(r.exec)[0].of.i32;
        br_val_t res = {BR_I32, {.i32 = x * 3}};
        expect += x * 3;
        CHECK_EQ(br_exec_resume(r.exec, &res, 1), BR_ERR_OK);
        rounds++;
    }
    CHECK_EQ(st, BR_DONE);
    CHECK_EQ(rounds, 50);
    CHECK_EQ(br_exec_results(r.exec)[0].of.i32, expect);
    /* an import under 1,500 calls made in machine code suspends the
     * whole call and resumes it, the frames intact */
    arg.of.i32 = 1500;
    CHECK_EQ(br_exec_call(r.exec, export_fn(&r, "deephost"), &arg, 1),
             BR_ERR_OK);
    CHECK_EQ(br_exec_run(r.exec, -1), BR_IMPORT);
    CHECK_EQ(br_exec_import_args(r.exec)[0].of.i32, 21);
    br_val_t res = {BR_I32, {.i32 = 1000}};
    CHECK_EQ(br_exec_resume(r.exec, &res, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(r.exec, -1), BR_DONE);
    CHECK_EQ(br_exec_results(r.exec)[0].of.i32, 1000 + 1500 * 1501 / 2);
    rig_close(&r);
}

/* Deep recursion traps at the call depth limit in native code too. */
static void
test_depth(void)
{
    rig_t r;
    CHECK(rig_open(&r, BR_TIER_NATIVE, false, 1000));
    uint64_t n = 100000;
    outcome_t o = call(&r, "deep", &n, 1, -1, false);
    CHECK_EQ(o.st, BR_TRAP);
    CHECK_EQ(o.trap.kind, BR_TRAP_STACK_EXHAUSTED);
    n = 900;
    o = call(&r, "deep", &n, 1, -1, false);
    CHECK_EQ(o.st, BR_DONE);
    CHECK_EQ(o.result, 900);
    /* the same limit in slices (calls in machine code resume in the
     * interpreter and back) */
    n = 100000;
    o = call(&r, "deep", &n, 1, 50, true);
    CHECK_EQ(o.st, BR_TRAP);
    CHECK_EQ(o.trap.kind, BR_TRAP_STACK_EXHAUSTED);
    rig_close(&r);
}

/* Tier auto compiles what runs hot and leaves the rest. */
static void
test_auto(void)
{
    rig_t r;
    CHECK(rig_open(&r, BR_TIER_AUTO, false, 0));
    uint64_t n = 10;
    outcome_t o = call(&r, "fib", &n, 1, -1, false);
    CHECK_EQ(o.result, 55);
    uint32_t funcs = 0;
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK_EQ(funcs, 0); /* one short call: not hot yet */
    for (int i = 0; i < 3; i++)
        o = call(&r, "fib", &n, 1, -1, false);
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK_EQ(funcs, 1);
    CHECK_EQ(o.result, 55);
    /* an endless loop called once is compiled when it uses up a fuel
     * chunk (BRI_FUEL_CHUNK) */
    CHECK_EQ(br_exec_call(r.exec, export_fn(&r, "spin"), NULL, 0), BR_ERR_OK);
    CHECK_EQ(br_exec_run(r.exec, 100000), BR_YIELD);
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK_EQ(funcs, 2);
    br_exec_cancel(r.exec);
    CHECK_EQ(br_exec_run(r.exec, 100000), BR_TRAP);
    rig_close(&r);
}

/* Tier auto compiles a function that turns hot together with the warm
 * ones (entered once, no code yet) in one mapping, and nothing that
 * never ran; the lazy limit bounds the batch. */
static void
test_auto_warm(void)
{
    rig_t r;
    CHECK(rig_open(&r, BR_TIER_AUTO, false, 0));
    uint64_t n = 1, f = 10;
    CHECK_EQ(call(&r, "mix", &n, 1, -1, false).st, BR_DONE);
    uint32_t funcs = 1;
    size_t mapped = 0;
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK_EQ(funcs, 0); /* mix is warm */
    CHECK_EQ(call(&r, "fib", &f, 1, -1, false).result, 55);
    CHECK_EQ(call(&r, "fib", &f, 1, -1, false).result, 55);
    br_module_native_info(r.mod, &funcs, NULL, &mapped);
    CHECK_EQ(funcs, 2); /* fib (hot) and mix (warm), not the others */
    CHECK(mapped > 0);
    CHECK_EQ(call(&r, "fib", &f, 1, -1, false).result, 55);
    rig_close(&r);
    /* a lazy limit of fib's size or less leaves the warm one out */
    CHECK(rig_open(&r, BR_TIER_AUTO, false, 0));
    br_store_set_native_lazy_limit(r.store, 1);
    CHECK_EQ(call(&r, "mix", &n, 1, -1, false).st, BR_DONE);
    CHECK_EQ(call(&r, "fib", &f, 1, -1, false).result, 55);
    CHECK_EQ(call(&r, "fib", &f, 1, -1, false).result, 55);
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK_EQ(funcs, 0);
    rig_close(&r);
}

/* Counts the process's mappings (Linux: /proc/self/maps) that are
 * writable and executable at once, and those of text_map.c's memfds.
 * False if the file cannot be read. */
static bool
scan_maps(int *wx, int *memfd)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return false;
    char line[512];
    *wx = *memfd = 0;
    while (fgets(line, sizeof line, maps) != NULL) {
        char perms[5] = {0};
        if (sscanf(line, "%*s %4s", perms) == 1 && perms[1] == 'w' &&
            perms[2] == 'x')
            (*wx)++;
        if (strstr(line, "beamr-code") != NULL)
            (*memfd)++;
    }
    fclose(maps);
    return true;
}

/* Machine code is never writable and executable at once: with the
 * whole module compiled, no mapping of the process is both. */
static void
test_no_wx(void)
{
    rig_t r;
    CHECK(rig_open(&r, BR_TIER_NATIVE, false, 0));
    CHECK(br_module_native_compile(r.mod));
    uint64_t f = 10;
    CHECK_EQ(call(&r, "fib", &f, 1, -1, false).result, 55);
    int wx = 0, memfd = 0;
    if (scan_maps(&wx, &memfd))
        CHECK_EQ(wx, 0);
    rig_close(&r);
}

/* Without a file descriptor for the memfd (text_map.c), machine code
 * goes through a read+write mapping sealed with mprotect: same results,
 * and still no mapping writable and executable. */
static void
test_text_fallback(void)
{
    struct rlimit old;
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    struct rlimit none = {0, old.rlim_max};
    rig_t r;
    CHECK(rig_open(&r, BR_TIER_NATIVE, false, 0));
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &none), 0);
    bool compiled = br_module_native_compile(r.mod);
    uint64_t f = 20;
    outcome_t o = call(&r, "fib", &f, 1, -1, false);
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
    CHECK(compiled);
    CHECK_EQ(o.result, 6765);
    uint32_t funcs = 0;
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK(funcs > 10);
    int wx = 0, memfd = 0;
    if (scan_maps(&wx, &memfd)) {
        CHECK_EQ(wx, 0);
        CHECK_EQ(memfd, 0); /* the earlier rigs' code is unmapped */
    }
    rig_close(&r);
}

/* A store's lazy limit: a function longer than it is not compiled at a
 * call (it runs in the interpreter, same result) until
 * br_module_native_compile compiles it. */
static void
test_lazy_limit(void)
{
    rig_t r;
    CHECK(rig_open(&r, BR_TIER_NATIVE, false, 0));
    br_store_set_native_lazy_limit(r.store, 1); /* every function */
    uint64_t n = 20;
    CHECK_EQ(call(&r, "fib", &n, 1, -1, false).result, 6765);
    uint32_t funcs = 1;
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK_EQ(funcs, 0);
    CHECK(br_module_native_compile(r.mod));
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK_EQ(funcs, 17);
    CHECK_EQ(call(&r, "fib", &n, 1, -1, false).result, 6765);
    rig_close(&r);
    /* a limit above the function's size: compiled at its call */
    CHECK(rig_open(&r, BR_TIER_NATIVE, false, 0));
    br_store_set_native_lazy_limit(r.store, 100000);
    CHECK_EQ(call(&r, "fib", &n, 1, -1, false).result, 6765);
    br_module_native_info(r.mod, &funcs, NULL, NULL);
    CHECK_EQ(funcs, 1);
    rig_close(&r);
}

int
main(void)
{
    if (!br_native_available()) {
        /* the tiers still run (the interpreter): same outcomes */
        printf("test_native: no native tier on this host\n");
    }
    test_same_as_interp(false);
    test_same_as_interp(true);
    test_switch_tiers();
    test_spin_cancel();
    test_suspend();
    test_depth();
    if (br_native_available()) {
        test_auto();
        test_auto_warm();
        test_no_wx();
        test_text_fallback();
        test_lazy_limit();
    }
    return CHECK_DONE();
}
