/*
 * beamr tests: register-style emission (compile_fuse.c): deferred
 * local.get/constants against later writes of the same local, retargeted
 * results, swapped constant operands, fused compare+branch, fused loads
 * and stores with exact traps, all run with and without tiny fuel.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "check.h"
#include "wasm_build.h"
#include "wasm_call.h"

/* Calls `name` with two args in fuel slices (< 0: unlimited); the status,
 * and the result or trap kind in *out. */
static br_status_t
run(br_store_t *s, br_instance_t *inst, const char *name, br_val_t a,
    br_val_t b, int64_t fuel, int64_t *out)
{
    br_func_t *f = export_func(inst, name);
    br_exec_t *exec = br_exec_new(s);
    br_val_t args[2] = {a, b};
    br_status_t st = BR_ERROR;
    size_t n = f ? br_func_type(f)->param_count : 0;
    if (f && br_exec_call(exec, f, args, n) == BR_ERR_OK)
        st = run_slices(exec, fuel);
    if (st == BR_DONE)
        *out = br_exec_results(exec)[0].kind == BR_I32
                   ? br_exec_results(exec)[0].of.i32
                   : br_exec_results(exec)[0].of.i64;
    else if (st == BR_TRAP)
        *out = br_exec_trap(exec)->kind;
    br_exec_delete(exec);
    return st;
}

/* The functions, each (x, y) -> result; see `cases` for the answers. */
static br_module_t *
fuse_module(br_engine_t *e)
{
    wmod_t m = {0};
    wb_t b = {0};
    uint32_t t2 = wm_type(&m, I32 I32, I32);
    uint32_t tl = wm_type(&m, I64 I64, I64);
    wm_memory(&m, 0, 1, 1);
    /* 0: x read, then x overwritten: (old x) + 7 */
    WM_FUNC(&m, t2, LOCAL_GET, 0, I32_CONST, 7, LOCAL_SET, 0, LOCAL_GET, 0,
            I32_ADD, END);
    /* 1: x * (x + 1) with the sum retargeted into x under a read of x */
    WM_FUNC(&m, t2, LOCAL_GET, 0, LOCAL_GET, 0, I32_CONST, 1, I32_ADD,
            LOCAL_SET, 0, LOCAL_GET, 0, I32_MUL, END);
    /* 2: x * (x + 3) + (x + 3) through local.tee */
    WM_FUNC(&m, t2, LOCAL_GET, 0, LOCAL_GET, 0, I32_CONST, 3, I32_ADD,
            LOCAL_TEE, 0, I32_MUL, LOCAL_GET, 0, I32_ADD, END);
    /* 3: 5 - x (a constant first operand of a non-commutative op) */
    WM_FUNC(&m, t2, I32_CONST, 5, LOCAL_GET, 0, I32_SUB, END);
    /* 4: i = 0; do i = i + 1 while (i < y); i */
    WB(&b, 0x01, 0x01, R_I32, LOOP, VOID, LOCAL_GET, 2, I32_CONST, 1, I32_ADD,
       LOCAL_TEE, 2, LOCAL_GET, 1, I32_LT_S, BR_IF, 0, END, LOCAL_GET, 2, END);
    wm_func(&m, t2, &b);
    /* 5: x == 0 ? 10 : 20 */
    WM_FUNC(&m, t2, LOCAL_GET, 0, I32_EQZ, IF, R_I32, I32_CONST, 10, ELSE,
            I32_CONST, 20, END, END);
    /* 6: mem[x + 4] = y; y = mem[x + 4]; y (traps out of bounds) */
    WM_FUNC(&m, t2, LOCAL_GET, 0, LOCAL_GET, 1, I32_STORE, 2, 4, LOCAL_GET, 0,
            I32_LOAD, 2, 4, LOCAL_SET, 1, LOCAL_GET, 1, END);
    /* 7: x != 0 ? x : 9 through br_if with a value */
    WM_FUNC(&m, t2, BLOCK, R_I32, LOCAL_GET, 0, LOCAL_GET, 0, BR_IF, 0, DROP,
            I32_CONST, 9, END, END);
    /* 8: (0x500000003 + (x + y)) ^ (y & -2): a wide constant first */
    WB(&b, NO_LOCALS, I64_CONST);
    wb_sleb(&b, 0x500000003LL);
    WB(&b, LOCAL_GET, 0, LOCAL_GET, 1, I64_ADD, I64_ADD, LOCAL_GET, 1,
       I64_CONST, 0x7E, I64_AND, I64_XOR, END);
    wm_func(&m, tl, &b);
    /* 9: x dropped unread, then x set to itself: x */
    WM_FUNC(&m, t2, LOCAL_GET, 0, DROP, LOCAL_GET, 0, LOCAL_SET, 0, LOCAL_GET,
            0, END);
    const char *names[] = {"set", "retarget", "tee", "sub", "loop",
                           "eqz", "mem", "br_if", "i64", "drop"};
    for (uint32_t i = 0; i < 10; i++)
        wm_export(&m, names[i], BR_EXTERN_FUNC, i);
    return wm_load(e, &m, NULL);
}

typedef struct fuse_case {
    const char *name;
    int64_t x, y;
    br_status_t status;
    int64_t want; /* result, or trap kind */
} fuse_case_t;

static void
run_cases(br_store_t *s, br_instance_t *inst, int64_t fuel)
{
    const fuse_case_t cases[] = {
        {"set", 35, 0, BR_DONE, 42},
        {"retarget", 6, 0, BR_DONE, 42},
        {"tee", 4, 0, BR_DONE, 7 * 4 + 7},
        {"sub", 9, 0, BR_DONE, -4},
        {"loop", 0, 1000, BR_DONE, 1000},
        {"loop", 0, -5, BR_DONE, 1},
        {"eqz", 0, 0, BR_DONE, 10},
        {"eqz", 3, 0, BR_DONE, 20},
        {"mem", 100, 77, BR_DONE, 77},
        {"mem", 65532, 1, BR_TRAP, BR_TRAP_MEMORY_OOB},
        {"br_if", 5, 0, BR_DONE, 5},
        {"br_if", 0, 0, BR_DONE, 9},
        {"i64", 10, 0x13, BR_DONE, (0x500000003LL + 10 + 0x13) ^ 0x12},
        {"drop", 123, 0, BR_DONE, 123},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const fuse_case_t *k = &cases[i];
        br_valkind_t kind = strcmp(k->name, "i64") == 0 ? BR_I64 : BR_I32;
        int64_t out = -1;
        br_status_t st = run(s, inst, k->name, val(kind, k->x),
                             val(kind, k->y), fuel, &out);
        CHECK_EQ(st, k->status);
        if (st != k->status || out != k->want)
            fprintf(stderr, "case %s(%lld, %lld) fuel %lld\n", k->name,
                    (long long)k->x, (long long)k->y, (long long)fuel);
        CHECK_EQ(out, k->want);
    }
}

int
main(void)
{
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = fuse_module(e);
    CHECK(m != NULL);
    if (m != NULL) {
        br_store_t *s = br_store_new(e, NULL);
        br_instance_t *inst = NULL;
        br_error_t err;
        br_trap_t trap;
        CHECK_EQ(br_instance_new(s, m, NULL, 0, &inst, &err, &trap),
                 BR_ERR_OK);
        if (inst != NULL) {
            run_cases(s, inst, -1);
            run_cases(s, inst, 1); /* yields at every fuel point */
            run_cases(s, inst, 3);
        }
        br_store_delete(s);
        br_module_delete(m);
    }
    br_engine_delete(e);
    return CHECK_DONE();
}
