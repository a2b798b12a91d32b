/*
 * beamr tests: small helpers for calling into instances: argument values
 * of a kind, exported functions found by name, and running a call in
 * fuel slices.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEST_WASM_CALL_H
#define BR_TEST_WASM_CALL_H

#include <stdint.h>
#include <string.h>

#include "beamr.h"

/* A value of kind `k`: an i32 keeps the low 32 bits of `v`, any other
 * kind all 64 (the unused bytes are zero so results compare whole). */
static inline br_val_t
val(br_valkind_t k, int64_t v)
{
    br_val_t x;
    memset(&x, 0, sizeof x);
    x.kind = k;
    if (k == BR_I32)
        x.of.i32 = (int32_t)v;
    else
        x.of.i64 = v;
    return x;
}

static inline br_val_t
vi32(int32_t v)
{
    return val(BR_I32, v);
}

static inline br_val_t
vi64(int64_t v)
{
    return val(BR_I64, v);
}

/* The exported function `name`; NULL if there is none of that kind. */
static inline br_func_t *
export_func(br_instance_t *inst, const char *name)
{
    br_extern_t x;
    if (!br_instance_export(inst, name, strlen(name), &x) ||
        x.kind != BR_EXTERN_FUNC)
        return NULL;
    return x.of.func;
}

/* Runs a prepared call in slices of `fuel` (< 0: unlimited) until it
 * stops for anything but a yield. */
static inline br_status_t
run_slices(br_exec_t *exec, int64_t fuel)
{
    br_status_t st;
    do
        st = br_exec_run(exec, fuel);
    while (st == BR_YIELD);
    return st;
}

#endif
