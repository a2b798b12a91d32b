/*
 * beamr tests: instructions of the native tier's x64_more.h and the
 * memory64 fast bounds check, against the interpreter: `br_table`
 * (jump_table) with plain entries, entries that move values, loop
 * entries that charge fuel, the default and out-of-range indexes, a
 * trap and a call inside its cases, a bytecode-interpreter loop (the
 * shape of Lua's dispatch in the AO workload); memory64 loads and
 * stores at the end of memory, with wrapping addresses and offsets
 * beyond a displacement. Same results, traps with backtraces, fuel to
 * the unit and memory, in one run and in slices (also switching tiers
 * between slices).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "native_check.h"
#include "wat_rig.h"

static const char *const TABLES =
    "(module\n"
    "  (memory (export \"mem\") 1)\n"
    /* a program for $vm: op bytes 0..5, 6 and above halt */
    "  (data (i32.const 64)\n"
    "    \"\\00\\01\\02\\00\\04\\01\\03\\02\\05\\00\\04\\03\\07\")\n"
    /* plain entries, each a block of its own; the default last */
    "  (func (export \"plain\") (param $i i32) (result i32)\n"
    "    (local.set $i (i32.xor (i32.rotl (local.get $i) (i32.const 7))\n"
    "      (i32.const 0x55)))\n"
    "    (local.set $i (i32.rotr (i32.xor (local.get $i) (i32.const 0x55))\n"
    "      (i32.const 7)))\n"
    "    (block $d (block $c4 (block $c3 (block $c2 (block $c1 (block $c0\n"
    "      (br_table $c0 $c1 $c2 $c3 $c4 $c2 $d (local.get $i)))\n"
    "      (return (i32.const 10)))\n"
    "      (return (i32.const 11)))\n"
    "      (return (i32.const 12)))\n"
    "      (return (i32.const 13)))\n"
    "      (return (i32.const 14)))\n"
    "    (i32.const 99))\n"
    /* values carried: to the outer block they move down past the 7
     * below them (dst != src), two of them (arity 2) past the 77 */
    "  (func (export \"carry\") (param $i i32) (param $x i32) (result i32)\n"
    "    (i32.add (i32.const 1000)\n"
    "      (block $outer (result i32)\n"
    "        (i32.const 7)\n"
    "        (block $inner (result i32)\n"
    "          (i32.mul (local.get $x) (i32.const 3))\n"
    "          (local.get $i)\n"
    "          (br_table $inner $outer $inner $outer))\n"
    "        (i32.add))))\n"
    "  (func (export \"carry2\") (param $i i32) (param $x i64) (result i64)\n"
    "    (local $a i64) (local $b i32)\n"
    "    (i64.const 5)\n"
    "    (block $two (result i64 i32)\n"
    "      (i32.const 77)\n"
    "      (block $one (result i64 i32)\n"
    "        (i64.add (local.get $x) (i64.const 1))\n"
    "        (i32.wrap_i64 (local.get $x))\n"
    "        (local.get $i)\n"
    "        (br_table $one $two $one))\n"
    "      (local.set $b) (local.set $a) (drop)\n"
    "      (i64.mul (local.get $a) (i64.const 2))\n"
    "      (i32.add (local.get $b) (i32.const 1)))\n"
    "    (local.set $b) (local.set $a)\n"
    "    (i64.add (i64.add (local.get $a) (i64.extend_i32_s (local.get $b))))\n"
    "  )\n"
    /* the loop's label in the table: back-edges that charge fuel */
    "  (func (export \"loop\") (param $n i32) (result i64) (local $acc i64)\n"
    "    (block $exit\n"
    "      (loop $l\n"
    "        (local.set $acc (i64.add\n"
    "          (i64.mul (local.get $acc) (i64.const 31))\n"
    "          (i64.extend_i32_u (local.get $n))))\n"
    "        (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "        (br_table $l $l $l $l $exit (select (i32.const 4)\n"
    "          (i32.and (local.get $n) (i32.const 3))\n"
    "          (i32.eqz (local.get $n))))))\n"
    "    (local.get $acc))\n"
    /* an endless loop through a table: yields and cancels */
    "  (func (export \"spin\") (param $i i32)\n"
    "    (loop $l (br_table $l $l (local.get $i))))\n"
    /* a bytecode interpreter, the shape of Lua's luaV_execute: fetch an
     * op byte, dispatch through the table, a case that calls a function
     * with a table of its own, one that traps (divides by zero when its
     * operand is 0), one that jumps back in the program */
    "  (func $kind (param $x i64) (result i32)\n"
    "    (block $big (block $odd (block $even\n"
    "      (br_table $even $odd $big\n"
    "        (select (i32.const 2) (i32.wrap_i64 (i64.and (local.get $x)\n"
    "          (i64.const 1)))\n"
    "          (i64.gt_u (local.get $x) (i64.const 1000000)))))\n"
    "      (return (i32.const 2)))\n"
    "      (return (i32.const 3)))\n"
    "    (i32.const 5))\n"
    "  (func (export \"vm\") (param $rounds i32) (param $d i32) (result i64)\n"
    "    (local $pc i32) (local $acc i64) (local $back i32)\n"
    "    (local.set $pc (i32.const 64))\n"
    "    (block $halt\n"
    "      (loop $fetch\n"
    "        (block $op5 (block $op4 (block $op3 (block $op2 (block $op1\n"
    "          (block $op0\n"
    "            (br_table $op0 $op1 $op2 $op3 $op4 $op5 $halt\n"
    "              (i32.load8_u (local.get $pc))))\n"
    "          (local.set $acc (i64.add (local.get $acc) (i64.const 1)))\n"
    "          (br $op5))\n"
    "          (local.set $acc (i64.mul (local.get $acc) (i64.const 3)))\n"
    "          (br $op5))\n"
    "          (local.set $acc (i64.xor (local.get $acc)\n"
    "            (i64.extend_i32_u (local.get $pc))))\n"
    "          (br $op5))\n"
    "          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u\n"
    "            (call $kind (local.get $acc)))))\n"
    "          (br $op5))\n"
    "          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_s\n"
    "            (i32.div_s (i32.const 1000) (local.get $d)))))\n"
    "          (br $op5))\n"
    /* op 5 and every case's end: next op, or back to the start
     * $rounds times */
    "        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))\n"
    "        (br_if $fetch (i32.lt_u (local.get $pc) (i32.const 76)))\n"
    "        (local.set $pc (i32.const 64))\n"
    "        (br_if $fetch (local.tee $rounds (i32.sub (local.get $rounds)\n"
    "          (i32.const 1))))\n"
    /* then the halt byte after the program */
    "        (local.set $pc (i32.const 76))\n"
    "        (br $fetch)))\n"
    "    (local.get $acc))\n"
    ")\n";

/* Each access sits among other instructions: the interpreter enters
 * machine code only where a run of a few instructions starts. */
static const char *const MEM64 =
    "(module\n"
    "  (memory (export \"mem\") i64 1)\n"
    "  (func (export \"ld\") (param $a i64) (result i64) (local $x i64)\n"
    "    (local.set $x (i64.xor (i64.mul (local.get $a) (i64.const 3))\n"
    "      (i64.const 5)))\n"
    "    (i64.add (local.get $x) (i64.load offset=8 (local.get $a))))\n"
    "  (func (export \"ld8\") (param $a i64) (result i32) (local $x i64)\n"
    "    (local.set $x (i64.xor (i64.mul (local.get $a) (i64.const 3))\n"
    "      (i64.const 5)))\n"
    "    (i32.add (i32.wrap_i64 (local.get $x))\n"
    "      (i32.load8_u (local.get $a))))\n"
    "  (func (export \"ldfar\") (param $a i64) (result i32) (local $x i64)\n"
    "    (local.set $x (i64.xor (i64.mul (local.get $a) (i64.const 3))\n"
    "      (i64.const 5)))\n"
    "    (i32.add (i32.wrap_i64 (local.get $x))\n"
    "      (i32.load16_s offset=0x7fff0000 (local.get $a))))\n"
    "  (func (export \"ldhuge\") (param $a i64) (result i32) (local $x i64)\n"
    "    (local.set $x (i64.xor (i64.mul (local.get $a) (i64.const 3))\n"
    "      (i64.const 5)))\n"
    "    (i32.add (i32.wrap_i64 (local.get $x))\n"
    "      (i32.load offset=0x100000000 (local.get $a))))\n"
    "  (func (export \"st\") (param $a i64) (param $v i64) (result i64)\n"
    "    (local.set $v (i64.xor (i64.mul (local.get $v) (i64.const 3))\n"
    "      (i64.const 5)))\n"
    "    (i64.store32 offset=3 (local.get $a) (local.get $v))\n"
    "    (i64.add (local.get $v) (i64.load offset=3 (local.get $a))))\n"
    /* a check an earlier access of the same address already covers is
     * left out; a new address value is checked again */
    "  (func (export \"fields\") (param $p i64) (result i32)\n"
    "    (i32.add (i32.load offset=8 (local.get $p))\n"
    "      (i32.add (i32.load offset=4 (local.get $p))\n"
    "        (i32.load offset=12 (local.get $p)))))\n"
    "  (func (export \"rebase\") (param $p i64) (param $q i64) (result i32)\n"
    "    (local $x i32)\n"
    "    (local.set $x (i32.load offset=8 (local.get $p)))\n"
    "    (local.set $p (i64.add (local.get $p) (i64.const 16)))\n"
    "    (local.set $x (i32.add (local.get $x)\n"
    "      (i32.load offset=4 (local.get $p))))\n"
    "    (local.set $p (local.get $q))\n"
    "    (i32.add (local.get $x) (i32.load offset=4 (local.get $p))))\n"
    /* the address slot's register gets a new value through rax
     * (global.get, a subtraction into its own operand), or holds another
     * slot after a block boundary */
    "  (global $g (mut i64) (i64.const 0))\n"
    "  (func (export \"reglobal\") (param $p i64) (param $q i64) (result i32)\n"
    "    (local $x i32)\n"
    "    (global.set $g (local.get $q))\n"
    "    (local.set $x (i32.load offset=8 (local.get $p)))\n"
    "    (local.set $p (global.get $g))\n"
    "    (i32.add (local.get $x) (i32.load offset=4 (local.get $p))))\n"
    "  (func (export \"subbase\") (param $p i64) (param $q i64) (result i32)\n"
    "    (local $x i32)\n"
    "    (local.set $x (i32.load offset=8 (local.get $p)))\n"
    "    (local.set $p (i64.sub (local.get $q) (local.get $p)))\n"
    "    (i32.add (local.get $x) (i32.load offset=4 (local.get $p))))\n"
    "  (func (export \"twobase\") (param $p i64) (param $q i64)\n"
    "    (result i32)\n"
    "    (local $x i32)\n"
    "    (local.set $x (i32.load offset=8 (local.get $p)))\n"
    "    (block $b (br_if $b (i32.eqz (local.get $x))))\n"
    "    (i32.add (local.get $x) (i32.load offset=4 (local.get $q))))\n"
    /* a loop of loads and stores: hot, in slices */
    "  (func (export \"sum\") (param $n i64) (result i64)\n"
    "    (local $i i64) (local $acc i64)\n"
    "    (loop $l\n"
    "      (i64.store offset=16\n"
    "        (i64.and (i64.mul (local.get $i) (i64.const 8))\n"
    "        (i64.const 0xFFF8)) (i64.add (local.get $acc) (local.get $i)))\n"
    "      (local.set $acc (i64.add (local.get $acc) (i64.load8_u offset=1\n"
    "        (i64.and (i64.mul (local.get $i) (i64.const 7))\n"
    "          (i64.const 0xFFFF)))))\n"
    "      (br_if $l (i64.lt_u (local.tee $i (i64.add (local.get $i)\n"
    "        (i64.const 1))) (local.get $n))))\n"
    "    (local.get $acc))\n"
    ")\n";

typedef struct tier_rig {
    br_engine_t *engine;
    rig_t r;
    br_exec_t *exec;
} tier_rig_t;

static bool
tier_open(tier_rig_t *t, br_tier_t tier, const char *text)
{
    br_config_t cfg = {0};
    cfg.tier = tier;
    t->engine = br_engine_new(&cfg);
    if (!wat_rig_open(t->engine, &t->r, wat_rig_compile(t->engine, text)))
        return false;
    t->exec = br_exec_new(t->r.s);
    return t->exec != NULL;
}

static void
tier_close(tier_rig_t *t)
{
    br_exec_delete(t->exec);
    rig_close(&t->r);
    br_engine_delete(t->engine);
}

static outcome_t
tier_call(tier_rig_t *t, const char *name, const uint64_t *args, size_t n,
          int64_t slice, bool flip)
{
    return native_check_call(t->exec, t->r.s, export_func(t->r.inst, name),
                             args, n, slice, flip);
}

typedef struct call_case {
    const char *name;
    uint64_t args[2];
    size_t n;
} call_case_t;

/* Every case in both tiers, in one run and in slices (the native one
 * also switching tiers at each slice): the same outcomes and memory;
 * machine code was made. */
static void
same_as_interp(const char *text, const call_case_t *cases, size_t ncases)
{
    static const int64_t slices[] = {-1, 1, 7, 1000};
    tier_rig_t in, nat;
    CHECK(tier_open(&in, BR_TIER_INTERP, text));
    CHECK(tier_open(&nat, BR_TIER_NATIVE, text));
    for (size_t s = 0; s < sizeof slices / sizeof slices[0]; s++) {
        for (size_t i = 0; i < ncases; i++) {
            for (int flip = 0; flip < 2; flip++) {
                const call_case_t *k = &cases[i];
                outcome_t a =
                    tier_call(&in, k->name, k->args, k->n, slices[s], false);
                outcome_t b =
                    tier_call(&nat, k->name, k->args, k->n, slices[s], flip);
                br_store_set_tier(nat.r.s, BR_TIER_NATIVE);
                if (a.st != b.st || a.result != b.result || a.fuel != b.fuel)
                    fprintf(stderr, "  %s(%llu, %llu) slice %lld flip %d\n",
                            k->name, (unsigned long long)k->args[0],
                            (unsigned long long)k->args[1],
                            (long long)slices[s], flip);
                check_same(&a, &b);
            }
        }
    }
    br_memory_t *m1 = br_instance_memory(in.r.inst, 0);
    br_memory_t *m2 = br_instance_memory(nat.r.inst, 0);
    CHECK_EQ(br_memory_size(m1), br_memory_size(m2));
    CHECK(memcmp(br_memory_data(m1), br_memory_data(m2), br_memory_size(m1)) ==
          0);
    uint32_t funcs = 0;
    br_module_native_info(nat.r.mod, &funcs, NULL, NULL);
    CHECK(br_native_available() ? funcs > 0 : funcs == 0);
    tier_close(&in);
    tier_close(&nat);
}

static void
test_tables(void)
{
    static const call_case_t cases[] = {
        {"plain", {0}, 1},
        {"plain", {1}, 1},
        {"plain", {4}, 1},
        {"plain", {5}, 1},
        {"plain", {6}, 1}, /* the default */
        {"plain", {7}, 1},
        {"plain", {0xFFFFFFFFu}, 1},
        {"plain", {0x80000000u}, 1},
        {"carry", {0, 5}, 2},
        {"carry", {1, 5}, 2},
        {"carry", {2, 5}, 2},
        {"carry", {3, 5}, 2},
        {"carry", {100, 5}, 2},
        {"carry2", {0, 40}, 2},
        {"carry2", {1, 40}, 2},
        {"carry2", {9, 0xFFFFFFFFFull}, 2},
        {"loop", {1}, 1},
        {"loop", {2000}, 1},
        {"vm", {300, 7}, 2},
        {"vm", {3, 0}, 2}, /* traps in a case */
        {"vm", {1, 0}, 2},
    };
    same_as_interp(TABLES, cases, sizeof cases / sizeof cases[0]);
}

static void
test_mem64(void)
{
    static const call_case_t cases[] = {
        {"ld", {0}, 1},
        {"ld", {65520}, 1},     /* the last 8 bytes */
        {"ld", {65521}, 1},     /* one past: traps */
        {"ld", {~0ull - 7}, 1}, /* + 8 wraps: traps */
        {"ld", {~0ull}, 1},
        {"ld", {1ull << 32}, 1},
        {"ld8", {65535}, 1},
        {"ld8", {65536}, 1},
        {"ld8", {~0ull}, 1},
        {"ldfar", {0}, 1},                     /* far beyond: traps */
        {"ldfar", {~0ull - 0x7ffeffffull}, 1}, /* wraps to 0: traps */
        {"ldhuge", {0}, 1},
        {"ldhuge", {~0ull - 0xFFFFFFFEull}, 1},
        {"st", {100, 0x123456789ull}, 2},
        {"st", {65529, 0xABCDEF01ull}, 2},
        {"st", {65530, 1}, 2},     /* traps */
        {"st", {~0ull - 2, 1}, 2}, /* wraps: traps */
        {"sum", {5000}, 1},
        {"fields", {0}, 1},
        {"fields", {65520}, 1},
        {"fields", {65524}, 1}, /* the third traps */
        {"fields", {65525}, 1}, /* the first traps */
        {"rebase", {100, 200}, 2},
        {"rebase", {65512, 0}, 2},
        {"rebase", {65516, 0}, 2}, /* p + 16 traps */
        {"rebase", {0, 65532}, 2}, /* q traps */
        {"reglobal", {0, 8}, 2},
        {"reglobal", {0, 65534}, 2},
        {"subbase", {0, 8}, 2},
        {"subbase", {0, 65534}, 2},
        {"subbase", {8, 65542}, 2},
        {"twobase", {0, 8}, 2},
        {"twobase", {0, 65534}, 2},
        {"twobase", {8, 65534}, 2},
    };
    same_as_interp(MEM64, cases, sizeof cases / sizeof cases[0]);
}

/* An endless loop through a jump table in machine code yields at its
 * back-edge fuel and ends at a cancel. */
static void
test_spin(void)
{
    tier_rig_t t;
    CHECK(tier_open(&t, BR_TIER_NATIVE, TABLES));
    br_val_t arg = vi32(1);
    check_spin_cancel(t.exec, export_func(t.r.inst, "spin"), &arg, 1, 50);
    tier_close(&t);
}

int
main(void)
{
    test_tables();
    test_mem64();
    test_spin();
    return CHECK_DONE();
}
