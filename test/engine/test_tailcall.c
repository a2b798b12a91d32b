/*
 * beamr tests: tail calls (return_call, return_call_indirect) through the
 * real decoder, validator and interpreter: constant stack space, fuel and
 * yields, host callees that answer, suspend or trap, backtraces,
 * exceptions and cross-instance callees, and validation.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "../../c_src/engine/exec.h"
#include "check.h"
#include "wasm_build.h"
#include "wasm_call.h"

static br_limits_t
tight_limits(void)
{
    br_limits_t l;
    memset(&l, 0, sizeof l);
    l.max_call_depth = 64;
    l.max_stack_slots = 4096;
    return l;
}

/* A module instantiated in a store of its own, with an executor. */
typedef struct rig {
    br_module_t *mod;
    br_store_t *s;
    br_instance_t *inst;
    br_exec_t *exec;
} rig_t;

/* Takes `mod` (checked: false if it failed to build) and opens a store
 * with `lim` (NULL: the defaults) for it. */
static bool
rig_open(rig_t *r, br_engine_t *e, br_module_t *mod, const br_limits_t *lim)
{
    memset(r, 0, sizeof *r);
    r->mod = mod;
    CHECK(mod != NULL);
    if (mod == NULL)
        return false;
    r->s = br_store_new(e, lim);
    return true;
}

/* Instantiates the module with `imports` (made in r->s before this). */
static void
rig_start(rig_t *r, const br_extern_t *imports, size_t n)
{
    br_error_t err;
    CHECK_EQ(br_instance_new(r->s, r->mod, imports, n, &r->inst, &err, NULL),
             BR_ERR_OK);
    r->exec = br_exec_new(r->s);
}

static void
rig_close(rig_t *r)
{
    br_exec_delete(r->exec);
    br_store_delete(r->s);
    br_module_delete(r->mod);
}

/* Runs func(arg) in slices of `fuel` (< 0: unlimited); returns the final
 * status, *out the i32 result, *yields the number of yields. */
static br_status_t
run_i32(br_exec_t *exec, br_func_t *f, int32_t arg, int64_t fuel, int32_t *out,
        long *yields, int64_t *fuel_used)
{
    br_val_t a = vi32(arg);
    long y = 0;
    int64_t used = 0;
    br_status_t st = BR_ERROR;
    if (br_exec_call(exec, f, &a, 1) != BR_ERR_OK)
        return BR_ERROR;
    do {
        st = br_exec_run(exec, fuel);
        used += br_exec_fuel_used(exec);
        y += st == BR_YIELD;
    } while (st == BR_YIELD);
    if (st == BR_DONE && out)
        *out = br_exec_results(exec)[0].of.i32;
    if (yields)
        *yields = y;
    if (fuel_used)
        *fuel_used = used;
    return st;
}

/* ------------------------------------------------------------------ */
/* Mutual recursion in constant space                                  */

/*
 * (table 2 funcref) (elem (i32.const 0) $even_i $odd_i)
 * $even(n) = n == 0 ? 1 : return_call $odd(n - 1), and $odd likewise;
 * $even_i/$odd_i the same through return_call_indirect; $depth(n) =
 * n == 0 ? 0 : call $depth(n - 1) + 1, the non-tail control.
 */
static void
even_odd_body(wb_t *b, uint8_t base, bool indirect, uint32_t other)
{
    WB(b, NO_LOCALS, LOCAL_GET, 0, I32_EQZ, IF, R_I32, I32_CONST, base, ELSE,
       LOCAL_GET, 0, I32_CONST, 1, I32_SUB);
    if (indirect)
        WB(b, I32_CONST, (uint8_t)other, RETURN_CALL_INDIRECT, 0, 0);
    else
        WB(b, RETURN_CALL, (uint8_t)other);
    WB(b, END, END);
}

static br_module_t *
even_odd_module(br_engine_t *e)
{
    wmod_t m = {0};
    wb_t b = {0};
    uint32_t t = wm_type(&m, I32, I32);
    wm_table(&m, BR_FUNCREF, 2);
    even_odd_body(&b, 1, false, 1);
    wm_func(&m, t, &b); /* 0 $even */
    even_odd_body(&b, 0, false, 0);
    wm_func(&m, t, &b); /* 1 $odd */
    even_odd_body(&b, 1, true, 1);
    wm_func(&m, t, &b); /* 2 $even_i: table slot 1 is $odd_i */
    even_odd_body(&b, 0, true, 0);
    wm_func(&m, t, &b); /* 3 $odd_i */
    WM_FUNC(&m, t, LOCAL_GET, 0, I32_EQZ, IF, R_I32, I32_CONST, 0, ELSE,
            LOCAL_GET, 0, I32_CONST, 1, I32_SUB, CALL, 4, I32_CONST, 1, I32_ADD,
            END, END); /* 4 $depth */
    uint32_t elems[] = {2, 3};
    wm_elem(&m, 0, elems, 2);
    wm_export(&m, "even", BR_EXTERN_FUNC, 0);
    wm_export(&m, "odd", BR_EXTERN_FUNC, 1);
    wm_export(&m, "even_i", BR_EXTERN_FUNC, 2);
    wm_export(&m, "depth", BR_EXTERN_FUNC, 4);
    return wm_load(e, &m, NULL);
}

/* A million mutual tail calls with a 64-frame, 4096-slot limit: neither
 * stack grows, while 1000 plain calls exhaust it. */
static void
test_constant_space(br_engine_t *e)
{
    br_limits_t lim = tight_limits();
    rig_t rig;
    if (!rig_open(&rig, e, even_odd_module(e), &lim))
        return;
    rig_start(&rig, NULL, 0);
    br_exec_t *exec = rig.exec;
    br_instance_t *inst = rig.inst;
    int32_t r = -1;
    CHECK_EQ(
        run_i32(exec, export_func(inst, "even"), 1000000, -1, &r, NULL, NULL),
        BR_DONE);
    CHECK_EQ(r, 1);
    CHECK_EQ(
        run_i32(exec, export_func(inst, "even"), 1000001, -1, &r, NULL, NULL),
        BR_DONE);
    CHECK_EQ(r, 0);
    CHECK(exec->frame_cap <= 16); /* never grew past the first block */
    CHECK(exec->stack_cap <= 256);
    CHECK_EQ(
        run_i32(exec, export_func(inst, "even_i"), 999999, -1, &r, NULL, NULL),
        BR_DONE);
    CHECK_EQ(r, 0);
    CHECK(exec->frame_cap <= 16);

    /* the control: plain calls hit the frame limit */
    CHECK_EQ(run_i32(exec, export_func(inst, "depth"), 50, -1, &r, NULL, NULL),
             BR_DONE);
    CHECK_EQ(r, 50);
    CHECK_EQ(
        run_i32(exec, export_func(inst, "depth"), 1000, -1, &r, NULL, NULL),
        BR_TRAP);
    CHECK_EQ(br_exec_trap(exec)->kind, BR_TRAP_STACK_EXHAUSTED);
    rig_close(&rig);
}

/* Each tail call is a fuel point: tiny budgets yield all along the
 * chain, resuming continues it, and the fuel used covers every call. */
static void
test_fuel_and_yield(br_engine_t *e)
{
    br_limits_t lim = tight_limits();
    rig_t rig;
    if (!rig_open(&rig, e, even_odd_module(e), &lim))
        return;
    rig_start(&rig, NULL, 0);
    br_exec_t *exec = rig.exec;
    static const int64_t budgets[] = {1, 2, 3, 7, 1000};
    const char *names[] = {"even", "even_i"};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++) {
            int32_t r = -1;
            long yields = 0;
            int64_t used = 0;
            int32_t n = 20001;
            CHECK_EQ(run_i32(exec, export_func(rig.inst, names[k]), n,
                             budgets[i], &r, &yields, &used),
                     BR_DONE);
            CHECK_EQ(r, 0);
            CHECK(used >= n); /* one unit per tail call at least */
            /* a run overshoots its budget by at most one call */
            CHECK(yields + 1 >= used / (budgets[i] + 1));
            CHECK(exec->frame_cap <= 16);
        }
    }
    rig_close(&rig);
}

/* ------------------------------------------------------------------ */
/* Host callees                                                        */

typedef enum { HOST_OK, HOST_SUSPEND, HOST_TRAP } host_mode_t;

typedef struct host_state {
    host_mode_t mode;
    int calls;
    int32_t last_arg;
} host_state_t;

static br_host_status_t
host_double(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *res)
{
    host_state_t *h = env;
    (void)exec;
    h->calls++;
    h->last_arg = args[0].of.i32;
    if (h->mode == HOST_TRAP)
        return BR_HOST_TRAP;
    if (h->mode == HOST_SUSPEND)
        return BR_HOST_SUSPEND;
    res[0].of.i32 = args[0].of.i32 * 2;
    return BR_HOST_OK;
}

/*
 * (import "env" "host" (func $host (param i32) (result i32)))
 * (table 1 funcref) (elem (i32.const 0) $host)
 * 1 $tail(n)     = return_call $host(n)
 * 2 $wrap(n)     = call $tail(n) + 1000
 * 3 $tail_ind(n) = return_call_indirect (type 0) (n, 0)
 * 4 $wrap_ind(n) = call $tail_ind(n) + 1000
 */
static br_module_t *
host_module(br_engine_t *e)
{
    wmod_t m = {0};
    uint32_t t = wm_type(&m, I32, I32);
    wm_import_func(&m, "env", "host", t);
    wm_table(&m, BR_FUNCREF, 1);
    WM_FUNC(&m, t, LOCAL_GET, 0, RETURN_CALL, 0, END);
    WM_FUNC(&m, t, LOCAL_GET, 0, CALL, 1, I32_CONST, 0xE8, 0x07, I32_ADD, END);
    WM_FUNC(&m, t, LOCAL_GET, 0, I32_CONST, 0, RETURN_CALL_INDIRECT, 0, 0, END);
    WM_FUNC(&m, t, LOCAL_GET, 0, CALL, 3, I32_CONST, 0xE8, 0x07, I32_ADD, END);
    uint32_t elems[] = {0};
    wm_elem(&m, 0, elems, 1);
    wm_export(&m, "tail", BR_EXTERN_FUNC, 1);
    wm_export(&m, "wrap", BR_EXTERN_FUNC, 2);
    wm_export(&m, "tail_ind", BR_EXTERN_FUNC, 3);
    wm_export(&m, "wrap_ind", BR_EXTERN_FUNC, 4);
    return wm_load(e, &m, NULL);
}

/* The host answers at once: its results are the tail caller's. */
static void
host_answers(br_exec_t *exec, br_instance_t *inst, host_state_t *h)
{
    int32_t r = 0;
    h->mode = HOST_OK;
    CHECK_EQ(run_i32(exec, export_func(inst, "tail"), 21, -1, &r, NULL, NULL),
             BR_DONE);
    CHECK_EQ(r, 42);
    CHECK_EQ(run_i32(exec, export_func(inst, "wrap"), 21, 1, &r, NULL, NULL),
             BR_DONE);
    CHECK_EQ(r, 1042);
    CHECK_EQ(
        run_i32(exec, export_func(inst, "wrap_ind"), 5, -1, &r, NULL, NULL),
        BR_DONE);
    CHECK_EQ(r, 1010);
    CHECK_EQ(h->calls, 3);
}

/* Suspends in a tail-called host function, answers, continues. */
static void
suspend_and_resume(br_exec_t *exec, br_func_t *f, br_func_t *host, int32_t arg,
                   int32_t answer, int32_t expect, int64_t fuel)
{
    br_val_t a = vi32(arg), res = vi32(answer);
    br_status_t st;
    CHECK_EQ(br_exec_call(exec, f, &a, 1), BR_ERR_OK);
    st = run_slices(exec, fuel);
    CHECK_EQ(st, BR_IMPORT);
    if (st != BR_IMPORT)
        return;
    CHECK(br_exec_import_func(exec) == host);
    CHECK_EQ(br_exec_import_args(exec)[0].of.i32, arg);
    CHECK_EQ(br_exec_resume(exec, &res, 1), BR_ERR_OK);
    st = run_slices(exec, fuel);
    CHECK_EQ(st, BR_DONE);
    if (st == BR_DONE)
        CHECK_EQ(br_exec_results(exec)[0].of.i32, expect);
}

/* A host trap under $wrap: the backtrace is $tail, $wrap (the tail
 * caller's frame is still on it). */
static void
check_host_backtrace(const br_trap_t *t)
{
    CHECK(t != NULL);
    if (t == NULL)
        return;
    CHECK_EQ(t->kind, BR_TRAP_HOST);
    CHECK_EQ(t->frame_count, 2);
    CHECK_EQ(t->frames[0].func_index, 1);
    CHECK_EQ(t->frames[1].func_index, 2);
}

static void
host_suspends(br_exec_t *exec, br_instance_t *inst, host_state_t *h,
              br_func_t *host)
{
    h->mode = HOST_SUSPEND;
    /* the entry function itself is the tail caller */
    suspend_and_resume(exec, export_func(inst, "tail"), host, 3, 9, 9, -1);
    suspend_and_resume(exec, export_func(inst, "wrap"), host, 4, 7, 1007, -1);
    suspend_and_resume(exec, export_func(inst, "wrap"), host, 4, 8, 1008, 1);
    suspend_and_resume(exec, export_func(inst, "wrap_ind"), host, 6, 5, 1005,
                       -1);
    /* a trap answer: the tail caller's frame is still on the backtrace */
    br_val_t a = vi32(1);
    CHECK_EQ(br_exec_call(exec, export_func(inst, "wrap"), &a, 1), BR_ERR_OK);
    CHECK_EQ(br_exec_run(exec, -1), BR_IMPORT);
    br_exec_resume_trap(exec, "no");
    check_host_backtrace(br_exec_trap(exec));
}

static void
host_traps(br_exec_t *exec, br_instance_t *inst, host_state_t *h)
{
    h->mode = HOST_TRAP;
    CHECK_EQ(run_i32(exec, export_func(inst, "wrap"), 1, -1, NULL, NULL, NULL),
             BR_TRAP);
    check_host_backtrace(br_exec_trap(exec));
}

static void
test_host_tail_calls(br_engine_t *e)
{
    rig_t rig;
    if (!rig_open(&rig, e, host_module(e), NULL))
        return;
    host_state_t h = {HOST_OK, 0, 0};
    static const br_valkind_t k[] = {BR_I32};
    br_functype_t ft = {1, 1, k, k};
    br_func_t *host = br_func_new_host(rig.s, &ft, host_double, &h);
    br_extern_t imp = {BR_EXTERN_FUNC, {.func = host}};
    rig_start(&rig, &imp, 1);
    host_answers(rig.exec, rig.inst, &h);
    host_suspends(rig.exec, rig.inst, &h, host);
    host_traps(rig.exec, rig.inst, &h);
    rig_close(&rig);
}

static br_host_status_t
host_eight(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *res)
{
    (void)env, (void)exec, (void)args;
    for (int i = 0; i < 8; i++)
        res[i].of.i32 = 100 + i;
    return BR_HOST_OK;
}

/* A host callee with more results than the tail caller has operand
 * slots left: they are written at the call's first operand slot, which
 * the caller's frame must have room for (here past 300 locals, where
 * the value stack ends). */
static void
test_host_results_room(br_engine_t *e)
{
    wmod_t m = {0};
    wb_t b = {0};
    uint32_t t = wm_type(&m, "", I32 I32 I32 I32 I32 I32 I32 I32);
    wm_import_func(&m, "env", "eight", t);
    WB(&b, 1, 0xAC, 0x02, R_I64, RETURN_CALL, 0, END); /* 300 locals */
    wm_func(&m, t, &b);
    wm_export(&m, "f", BR_EXTERN_FUNC, 1);
    rig_t rig;
    if (!rig_open(&rig, e, wm_load(e, &m, NULL), NULL))
        return;
    static const br_valkind_t k[8] = {BR_I32, BR_I32, BR_I32, BR_I32,
                                      BR_I32, BR_I32, BR_I32, BR_I32};
    br_functype_t ft = {0, 8, NULL, k};
    br_extern_t imp = {
        BR_EXTERN_FUNC,
        {.func = br_func_new_host(rig.s, &ft, host_eight, NULL)}};
    rig_start(&rig, &imp, 1);
    br_val_t r[8];
    br_trap_t trap;
    CHECK_EQ(
        br_func_call(rig.s, export_func(rig.inst, "f"), NULL, 0, r, 8, &trap),
        BR_DONE);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(r[i].of.i32, 100 + i);
    rig_close(&rig);
}

/* ------------------------------------------------------------------ */
/* Backtraces and exceptions                                           */

/*
 * (tag $e)
 * 0 $h:  unreachable                     1 $g: return_call $h
 * 2 $f:  call $g + 1
 * 3 $thrower: throw $e
 * 4 $g2: try (result i32) return_call $thrower catch_all 7 end
 * 5 $f2: try (result i32) call $g2 catch_all 99 end
 */
static br_module_t *
trap_module(br_engine_t *e)
{
    wmod_t m = {0};
    wb_t b = {0};
    uint32_t t = wm_type(&m, "", I32);
    uint32_t tv = wm_type(&m, "", "");
    wm_tag(&m, tv);
    WM_FUNC(&m, t, UNREACHABLE, END);
    WM_FUNC(&m, t, RETURN_CALL, 0, END);
    WM_FUNC(&m, t, CALL, 1, I32_CONST, 1, I32_ADD, END);
    WM_FUNC(&m, t, THROW, 0, END);
    WM_FUNC(&m, t, TRY, R_I32, RETURN_CALL, 3, CATCH_ALL, I32_CONST, 7, END,
            END);
    WB(&b, NO_LOCALS, TRY, R_I32, CALL, 4, CATCH_ALL, I32_CONST, 0xE3, 0x00,
       END, END); /* 99 as a signed LEB128 */
    wm_func(&m, t, &b);
    wm_export(&m, "f", BR_EXTERN_FUNC, 2);
    wm_export(&m, "f2", BR_EXTERN_FUNC, 5);
    wm_export(&m, "g2", BR_EXTERN_FUNC, 4);
    return wm_load(e, &m, NULL);
}

static void
test_traps_and_exceptions(br_engine_t *e)
{
    rig_t rig;
    if (!rig_open(&rig, e, trap_module(e), NULL))
        return;
    rig_start(&rig, NULL, 0);
    br_store_t *s = rig.s;
    br_instance_t *inst = rig.inst;
    br_val_t r;
    br_trap_t trap;
    /* $g's frame was taken over by $h: the backtrace is h, f */
    CHECK_EQ(br_func_call(s, export_func(inst, "f"), NULL, 0, &r, 1, &trap),
             BR_TRAP);
    CHECK_EQ(trap.kind, BR_TRAP_UNREACHABLE);
    CHECK_EQ(trap.frame_count, 2);
    CHECK_EQ(trap.frames[0].func_index, 0);
    CHECK_EQ(trap.frames[1].func_index, 2);
    /* $g2's try ended with its frame: $f2's catch_all takes the throw */
    CHECK_EQ(br_func_call(s, export_func(inst, "f2"), NULL, 0, &r, 1, &trap),
             BR_DONE);
    CHECK_EQ(r.of.i32, 99);
    CHECK_EQ(br_func_call(s, export_func(inst, "g2"), NULL, 0, &r, 1, &trap),
             BR_TRAP);
    CHECK_EQ(trap.kind, BR_TRAP_UNCAUGHT_EXCEPTION);
    rig_close(&rig);
}

/* ------------------------------------------------------------------ */
/* A callee in another instance                                        */

/* A: (memory 1) (data (i32.const 0) "*") peek(a) = i32.load8-ish */
static br_module_t *
peek_module(br_engine_t *e, const char *byte0)
{
    wmod_t m = {0};
    uint32_t t = wm_type(&m, I32, I32);
    wm_memory(&m, 0, 1, 0);
    wm_data(&m, 0, false, 0, byte0);
    WM_FUNC(&m, t, LOCAL_GET, 0, I32_LOAD, 0, 0, END);
    wm_export(&m, "peek", BR_EXTERN_FUNC, 0);
    return wm_load(e, &m, NULL);
}

/*
 * B: (import "a" "peek") (memory 1) (data (i32.const 0) "\05")
 * 1 $tail(a) = return_call $peek(a)      (A's memory)
 * 2 $sum(a)  = call $tail(a) + i32.load (i32.const 0)   (B's memory)
 */
static br_module_t *
tail_peek_module(br_engine_t *e)
{
    wmod_t m = {0};
    uint32_t t = wm_type(&m, I32, I32);
    wm_import_func(&m, "a", "peek", t);
    wm_memory(&m, 0, 1, 0);
    wm_data(&m, 0, false, 0, "\x05");
    WM_FUNC(&m, t, LOCAL_GET, 0, RETURN_CALL, 0, END);
    WM_FUNC(&m, t, LOCAL_GET, 0, CALL, 1, I32_CONST, 0, I32_LOAD, 0, 0, I32_ADD,
            END);
    wm_export(&m, "tail", BR_EXTERN_FUNC, 1);
    wm_export(&m, "sum", BR_EXTERN_FUNC, 2);
    return wm_load(e, &m, NULL);
}

static void
test_cross_instance(br_engine_t *e)
{
    br_module_t *ma = peek_module(e, "*"), *mb = tail_peek_module(e);
    CHECK(ma != NULL && mb != NULL);
    if (ma == NULL || mb == NULL) {
        br_module_delete(ma);
        br_module_delete(mb);
        return;
    }
    br_store_t *s = br_store_new(e, NULL);
    br_instance_t *a = NULL, *b = NULL;
    br_error_t err;
    CHECK_EQ(br_instance_new(s, ma, NULL, 0, &a, &err, NULL), BR_ERR_OK);
    br_extern_t imp = {BR_EXTERN_FUNC, {.func = export_func(a, "peek")}};
    CHECK_EQ(br_instance_new(s, mb, &imp, 1, &b, &err, NULL), BR_ERR_OK);
    br_exec_t *exec = br_exec_new(s);
    int32_t r = 0;
    CHECK_EQ(run_i32(exec, export_func(b, "tail"), 0, -1, &r, NULL, NULL),
             BR_DONE);
    CHECK_EQ(r, '*'); /* read through A's memory */
    CHECK_EQ(run_i32(exec, export_func(b, "sum"), 0, 1, &r, NULL, NULL),
             BR_DONE);
    CHECK_EQ(r, '*' + 5); /* and B's again after the return */
    CHECK_EQ(run_i32(exec, export_func(b, "tail"), 65535, -1, &r, NULL, NULL),
             BR_TRAP);
    const br_trap_t *t = br_exec_trap(exec);
    CHECK(t != NULL && t->kind == BR_TRAP_MEMORY_OOB);
    br_exec_delete(exec);
    br_store_delete(s);
    br_module_delete(ma);
    br_module_delete(mb);
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */

/* One function of type `caller` whose body is `code` (after no locals),
 * next to $callee of type `callee` and a funcref table; returns the
 * error code of compiling it. */
static br_err_t
validate_tail(br_engine_t *e, const char *cp, const char *cr, const char *tp,
              const char *tr, const uint8_t *code, size_t n)
{
    wmod_t m = {0};
    uint32_t tcallee = wm_type(&m, tp, tr);
    uint32_t tcaller = wm_type(&m, cp, cr);
    wm_table(&m, BR_FUNCREF, 1);
    wm_func_code(&m, tcallee, WB_LIST(UNREACHABLE, END)); /* 0 $callee */
    wm_func_code(&m, tcaller, code, n);                   /* 1 */
    return wm_load_rc(e, &m);
}

#define TAIL_ERR(cp, cr, tp, tr, ...) \
    validate_tail(e, cp, cr, tp, tr, WB_LIST(__VA_ARGS__))

static void
test_validation(br_engine_t *e)
{
    /* results must be the caller's own */
    CHECK_EQ(TAIL_ERR("", I32, "", I32, RETURN_CALL, 0, END), BR_ERR_OK);
    CHECK_EQ(TAIL_ERR("", I32, "", I64, RETURN_CALL, 0, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(TAIL_ERR("", "", "", I32, RETURN_CALL, 0, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(TAIL_ERR("", I32 I32, "", I32, RETURN_CALL, 0, END),
             BR_ERR_TYPE_MISMATCH);
    /* params come from the stack, which is polymorphic afterwards */
    CHECK_EQ(TAIL_ERR(I32, I64, I32, I64, LOCAL_GET, 0, RETURN_CALL, 0, I64_ADD,
                      END),
             BR_ERR_OK);
    CHECK_EQ(TAIL_ERR("", I32, I32, I32, RETURN_CALL, 0, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(TAIL_ERR(I64, I32, I32, I32, LOCAL_GET, 0, RETURN_CALL, 0, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(TAIL_ERR("", I32, "", I32, RETURN_CALL, 5, END),
             BR_ERR_UNKNOWN_FUNC);
    /* return_call_indirect: type y, table x, index on top */
    CHECK_EQ(TAIL_ERR("", I32, "", I32, I32_CONST, 0, RETURN_CALL_INDIRECT, 0,
                      0, END),
             BR_ERR_OK);
    CHECK_EQ(TAIL_ERR("", I64, "", I32, I32_CONST, 0, RETURN_CALL_INDIRECT, 0,
                      0, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(TAIL_ERR("", I32, "", I32, RETURN_CALL_INDIRECT, 0, 0, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(TAIL_ERR("", I32, "", I32, I32_CONST, 0, RETURN_CALL_INDIRECT, 0,
                      1, END),
             BR_ERR_UNKNOWN_TABLE);
    CHECK_EQ(TAIL_ERR("", I32, "", I32, I32_CONST, 0, RETURN_CALL_INDIRECT, 9,
                      0, END),
             BR_ERR_UNKNOWN_TYPE);
}

/* The compiled layouts of code.h: [return_call, s, func] and
 * [return_call_indirect, s, type, table], with a site each. */
static void
test_layout(br_engine_t *e)
{
    wmod_t m = {0};
    uint32_t t = wm_type(&m, I32, I32);
    wm_table(&m, BR_FUNCREF, 1);
    WM_FUNC(&m, t, LOCAL_GET, 0, RETURN_CALL, 0, END);
    WM_FUNC(&m, t, LOCAL_GET, 0, I32_CONST, 0, RETURN_CALL_INDIRECT, 0, 0, END);
    br_module_t *mod = wm_load(e, &m, NULL);
    CHECK(mod != NULL);
    if (mod == NULL)
        return;
    for (uint32_t f = 0; f < 2; f++) {
        const bri_code_t *c = &mod->funcs[f].code;
        const uint32_t *w = c->words;
        uint32_t pc = 0;
        while (pc < c->word_count && w[pc] != BR_OP_return_call &&
               w[pc] != BR_OP_return_call_indirect)
            pc++; /* skip the argument set-up, whatever its form */
        CHECK(pc < c->word_count);
        if (pc >= c->word_count)
            continue;
        CHECK_EQ(w[pc],
                 f == 0 ? BR_OP_return_call : BR_OP_return_call_indirect);
        CHECK_EQ(w[pc + 1], c->local_slots); /* the first operand slot */
        CHECK_EQ(w[pc + 2], 0);
        if (f == 1)
            CHECK_EQ(w[pc + 3], 0);
        bool site = false;
        for (uint32_t i = 0; i < c->site_count; i++)
            site |= c->sites[i].pc == pc;
        CHECK(site);
    }
    br_module_delete(mod);
}

int
main(void)
{
    br_engine_t *e = br_engine_new(NULL);
    test_constant_space(e);
    test_fuel_and_yield(e);
    test_host_tail_calls(e);
    test_host_results_room(e);
    test_traps_and_exceptions(e);
    test_cross_instance(e);
    test_validation(e);
    test_layout(e);
    br_engine_delete(e);
    return CHECK_DONE();
}
