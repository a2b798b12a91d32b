/*
 * beamr tests: what one call did in a tier (status, first result, trap
 * with its backtrace, fuel used, yields), run in fuel slices, and the
 * check that two tiers did exactly the same, and an endless loop's
 * yields and cancel (test_native.c, test_native_ops.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEST_NATIVE_CHECK_H
#define BR_TEST_NATIVE_CHECK_H

#include <string.h>

#include "beamr.h"
#include "check.h"

typedef struct outcome {
    br_status_t st;
    uint64_t result;
    br_trap_t trap;
    int64_t fuel;
    uint32_t yields;
} outcome_t;

/* Calls `f` with i32/i64 args (kinds from its type) on `exec` in slices
 * of `slice` fuel (< 0: one run); `flip` switches the store's tier
 * between native and interp at every slice. */
static inline outcome_t
native_check_call(br_exec_t *exec, br_store_t *store, br_func_t *f,
                  const uint64_t *args, size_t n, int64_t slice, bool flip)
{
    outcome_t o;
    memset(&o, 0, sizeof o);
    CHECK(f != NULL && n <= 4);
    if (f == NULL || n > 4)
        return o;
    const br_functype_t *ft = br_func_type(f);
    br_val_t v[4];
    for (size_t i = 0; i < n; i++) {
        v[i].kind = ft->params[i];
        v[i].of.u64 = ft->params[i] == BR_I32 ? (uint32_t)args[i] : args[i];
    }
    CHECK_EQ(br_exec_call(exec, f, v, n), BR_ERR_OK);
    for (;;) {
        o.st = br_exec_run(exec, slice);
        o.fuel += br_exec_fuel_used(exec);
        if (o.st != BR_YIELD)
            break;
        o.yields++;
        if (flip)
            br_store_set_tier(store, br_store_tier(store) == BR_TIER_NATIVE
                                         ? BR_TIER_INTERP
                                         : BR_TIER_NATIVE);
    }
    if (o.st == BR_DONE && br_exec_result_count(exec) > 0)
        o.result = br_exec_results(exec)[0].of.u64;
    if (o.st == BR_TRAP)
        o.trap = *br_exec_trap(exec);
    return o;
}

static inline void
check_same(const outcome_t *a, const outcome_t *b)
{
    CHECK_EQ(a->st, b->st);
    CHECK_EQ(a->result, b->result);
    CHECK_EQ(a->fuel, b->fuel);
    CHECK_EQ(a->yields, b->yields);
    CHECK_EQ(a->trap.kind, b->trap.kind);
    CHECK_EQ(a->trap.frame_count, b->trap.frame_count);
    for (uint32_t i = 0; i < a->trap.frame_count && i < BR_TRAP_MAX_FRAMES;
         i++) {
        CHECK_EQ(a->trap.frames[i].func_index, b->trap.frames[i].func_index);
        CHECK_EQ(a->trap.frames[i].code_offset, b->trap.frames[i].code_offset);
    }
}

/* An endless loop `f` yields at every slice (`rounds` of 100,000 fuel)
 * and ends at a cancel. */
static inline void
check_spin_cancel(br_exec_t *exec, br_func_t *f, const br_val_t *args, size_t n,
                  int rounds)
{
    CHECK_EQ(br_exec_call(exec, f, args, n), BR_ERR_OK);
    for (int i = 0; i < rounds; i++)
        CHECK_EQ(br_exec_run(exec, 100000), BR_YIELD);
    CHECK(br_exec_fuel_used(exec) >= 100000);
    br_exec_cancel(exec);
    CHECK_EQ(br_exec_run(exec, 1000000), BR_TRAP);
    CHECK_EQ(br_exec_trap(exec)->kind, BR_TRAP_CANCELLED);
}

#endif
