/*
 * Engine unit tests: Emscripten's invoke_* and longjmp run in the
 * engine (invoke.c), links to another instance's functions, and
 * br_exec_import_retry for host functions that wait.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdatomic.h>
#include <string.h>

#include "beamr.h"
#include "check.h"

/*
 * MAIN_WASM (wat2wasm):
 * (module
 *   (type $ii (func (param i32) (result i32)))
 *   (import "env" "invoke_ii" (func $invoke_ii (param i32 i32) (result i32)))
 *   (import "env" "_emscripten_throw_longjmp" (func $lj))
 *   (import "env" "linked" (func $linked (param i32) (result i32)))
 *   (import "env" "wait" (func $wait (result i32)))
 *   (table 4 funcref)
 *   (elem (i32.const 0) $double $jumper $wrongtype)
 *   (global $threw (mut i32) (i32.const 0))
 *   (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
 *   (func $jumper (param i32) (result i32) (call $lj) (i32.const 99))
 *   (func $wrongtype (param i64) (result i64) (local.get 0))
 *   (func (export "setThrew") (param i32 i32) (global.set $threw (local.get 0)))
 *   (func (export "call_invoke") (param i32 i32) (result i32)
 *     (call $invoke_ii (local.get 0) (local.get 1)))
 *   (func (export "threw") (result i32) (global.get $threw))
 *   (func (export "direct_lj") (call $lj))
 *   (func (export "call_linked") (param i32) (result i32) (call $linked (local.get 0)))
 *   (func (export "call_wait") (result i32) (i32.add (call $wait) (i32.const 1))))
 */
static const unsigned char MAIN_WASM[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1d, 0x06, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00,
  0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7e, 0x01, 0x7e, 0x60, 0x02,
  0x7f, 0x7f, 0x00, 0x02, 0x49, 0x04, 0x03, 0x65, 0x6e, 0x76, 0x09, 0x69,
  0x6e, 0x76, 0x6f, 0x6b, 0x65, 0x5f, 0x69, 0x69, 0x00, 0x01, 0x03, 0x65,
  0x6e, 0x76, 0x19, 0x5f, 0x65, 0x6d, 0x73, 0x63, 0x72, 0x69, 0x70, 0x74,
  0x65, 0x6e, 0x5f, 0x74, 0x68, 0x72, 0x6f, 0x77, 0x5f, 0x6c, 0x6f, 0x6e,
  0x67, 0x6a, 0x6d, 0x70, 0x00, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6c,
  0x69, 0x6e, 0x6b, 0x65, 0x64, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x04,
  0x77, 0x61, 0x69, 0x74, 0x00, 0x03, 0x03, 0x0a, 0x09, 0x00, 0x00, 0x04,
  0x05, 0x01, 0x03, 0x02, 0x00, 0x03, 0x04, 0x04, 0x01, 0x70, 0x00, 0x04,
  0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x48, 0x06, 0x08,
  0x73, 0x65, 0x74, 0x54, 0x68, 0x72, 0x65, 0x77, 0x00, 0x07, 0x0b, 0x63,
  0x61, 0x6c, 0x6c, 0x5f, 0x69, 0x6e, 0x76, 0x6f, 0x6b, 0x65, 0x00, 0x08,
  0x05, 0x74, 0x68, 0x72, 0x65, 0x77, 0x00, 0x09, 0x09, 0x64, 0x69, 0x72,
  0x65, 0x63, 0x74, 0x5f, 0x6c, 0x6a, 0x00, 0x0a, 0x0b, 0x63, 0x61, 0x6c,
  0x6c, 0x5f, 0x6c, 0x69, 0x6e, 0x6b, 0x65, 0x64, 0x00, 0x0b, 0x09, 0x63,
  0x61, 0x6c, 0x6c, 0x5f, 0x77, 0x61, 0x69, 0x74, 0x00, 0x0c, 0x09, 0x09,
  0x01, 0x00, 0x41, 0x00, 0x0b, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x3f, 0x09,
  0x07, 0x00, 0x20, 0x00, 0x41, 0x02, 0x6c, 0x0b, 0x07, 0x00, 0x10, 0x01,
  0x41, 0xe3, 0x00, 0x0b, 0x04, 0x00, 0x20, 0x00, 0x0b, 0x06, 0x00, 0x20,
  0x00, 0x24, 0x00, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x00,
  0x0b, 0x04, 0x00, 0x23, 0x00, 0x0b, 0x04, 0x00, 0x10, 0x01, 0x0b, 0x06,
  0x00, 0x20, 0x00, 0x10, 0x02, 0x0b, 0x07, 0x00, 0x10, 0x03, 0x41, 0x01,
  0x6a, 0x0b
};


/* LIB_WASM: (module (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))) */
static const unsigned char LIB_WASM[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03,
  0x69, 0x6e, 0x63, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00,
  0x41, 0x01, 0x6a, 0x0b
};


static int wait_calls;

/* Suspends twice, then answers 41. */
static br_host_status_t
wait_host(void *env, br_exec_t *exec, const br_val_t *args,
          br_val_t *results)
{
    (void)env;
    (void)exec;
    (void)args;
    if (++wait_calls < 3)
        return BR_HOST_SUSPEND;
    results[0].of.i32 = 41;
    return BR_HOST_OK;
}

typedef struct fixture {
    br_store_t *store;
    br_module_t *main, *lib;
    br_instance_t *inst, *lib_inst;
    br_link_t link;
    _Atomic bool gone;
} fixture_t;

static void
setup(br_engine_t *e, fixture_t *f)
{
    br_error_t err;
    br_trap_t trap;
    memset(f, 0, sizeof *f);
    atomic_init(&f->gone, false);
    f->store = br_store_new(e, NULL);
    CHECK(br_module_new(e, MAIN_WASM, sizeof MAIN_WASM, &f->main, &err) ==
          BR_ERR_OK);
    CHECK(br_module_new(e, LIB_WASM, sizeof LIB_WASM, &f->lib, &err) ==
          BR_ERR_OK);
    CHECK(br_instance_new(f->store, f->lib, NULL, 0, &f->lib_inst, &err,
                          &trap) == BR_ERR_OK);
    br_extern_t inc;
    CHECK(br_instance_export(f->lib_inst, "inc", 3, &inc));
    f->link.target = inc.of.func;
    f->link.gone = &f->gone;
    br_extern_t imports[4];
    br_name_t mod, name;
    br_externtype_t t[4];
    for (uint32_t i = 0; i < 4; i++) {
        br_module_import(f->main, i, &mod, &name, &t[i]);
        imports[i].kind = BR_EXTERN_FUNC;
    }
    imports[0].of.func = br_func_new_invoke(f->store, &t[0].func);
    imports[1].of.func = br_func_new_longjmp(f->store, &t[1].func);
    imports[2].of.func = br_func_new_link(f->store, &f->link);
    imports[3].of.func = br_func_new_host(f->store, &t[3].func, wait_host,
                                          NULL);
    /* An invoke needs an index parameter. */
    CHECK(br_func_new_invoke(f->store, &t[1].func) == NULL);
    CHECK(br_instance_new(f->store, f->main, imports, 4, &f->inst, &err,
                          &trap) == BR_ERR_OK);
}

static void
teardown(fixture_t *f)
{
    br_store_delete(f->store);
    br_module_delete(f->main);
    br_module_delete(f->lib);
}

/* Calls export `name` with up to two i32 args; returns the status. */
static br_status_t
run(fixture_t *f, br_exec_t *exec, const char *name, int n, int32_t a,
    int32_t b)
{
    br_extern_t fn;
    br_val_t args[2] = {{.kind = BR_I32, .of.i32 = a},
                        {.kind = BR_I32, .of.i32 = b}};
    CHECK(br_instance_export(f->inst, name, strlen(name), &fn));
    CHECK(br_exec_call(exec, fn.of.func, args, (size_t)n) == BR_ERR_OK);
    return br_exec_run(exec, -1);
}

static int32_t
result0(br_exec_t *exec)
{
    return br_exec_results(exec)[0].of.i32;
}

static void
test_invoke(br_engine_t *e)
{
    fixture_t f;
    setup(e, &f);
    br_exec_t *exec = br_exec_new(f.store);
    /* table[0] = double: called in place of the invoke */
    CHECK(run(&f, exec, "call_invoke", 2, 0, 21) == BR_DONE);
    CHECK_EQ(result0(exec), 42);
    /* table[1] longjmps: the invoke answers 0 after setThrew(1, 0) */
    CHECK(run(&f, exec, "call_invoke", 2, 1, 5) == BR_DONE);
    CHECK_EQ(result0(exec), 0);
    CHECK(run(&f, exec, "threw", 0, 0, 0) == BR_DONE);
    CHECK_EQ(result0(exec), 1);
    /* wrong type, null entry, out of the table: traps */
    CHECK(run(&f, exec, "call_invoke", 2, 2, 1) == BR_TRAP);
    CHECK(br_exec_trap(exec)->kind == BR_TRAP_INDIRECT_TYPE_MISMATCH);
    CHECK(run(&f, exec, "call_invoke", 2, 3, 1) == BR_TRAP);
    CHECK(br_exec_trap(exec)->kind == BR_TRAP_UNINITIALIZED_ELEMENT);
    CHECK(run(&f, exec, "call_invoke", 2, 10, 1) == BR_TRAP);
    CHECK(br_exec_trap(exec)->kind == BR_TRAP_UNDEFINED_ELEMENT);
    /* a longjmp with no invoke to catch it */
    CHECK(run(&f, exec, "direct_lj", 0, 0, 0) == BR_TRAP);
    CHECK(br_exec_trap(exec)->kind == BR_TRAP_HOST);
    /* the context still works, with fuel slices */
    CHECK(run(&f, exec, "call_invoke", 2, 0, 4) == BR_DONE);
    CHECK_EQ(result0(exec), 8);
    br_exec_delete(exec);
    teardown(&f);
}

static void
test_link_and_retry(br_engine_t *e)
{
    fixture_t f;
    setup(e, &f);
    br_exec_t *exec = br_exec_new(f.store);
    CHECK(run(&f, exec, "call_linked", 1, 41, 0) == BR_DONE);
    CHECK_EQ(result0(exec), 42);
    atomic_store(&f.gone, true);
    CHECK(run(&f, exec, "call_linked", 1, 41, 0) == BR_TRAP);
    CHECK(br_exec_trap(exec)->kind == BR_TRAP_HOST);
    CHECK(strcmp(br_exec_trap(exec)->message, "linked instance stopped") == 0);
    /* a waiting host function: suspended, retried, answered */
    bool waiting = false;
    wait_calls = 0;
    CHECK(run(&f, exec, "call_wait", 0, 0, 0) == BR_IMPORT);
    CHECK(br_exec_import_retry(exec, &waiting) == BR_ERR_OK);
    CHECK(waiting);
    CHECK(br_exec_import_retry(exec, &waiting) == BR_ERR_OK);
    CHECK(!waiting);
    CHECK(br_exec_run(exec, -1) == BR_DONE);
    CHECK_EQ(result0(exec), 42);
    CHECK(br_exec_import_retry(exec, &waiting) == BR_ERR_INVALID_ARGUMENT);
    /* an answer by unwinding needs an open invoke: a trap here */
    wait_calls = 0;
    CHECK(run(&f, exec, "call_wait", 0, 0, 0) == BR_IMPORT);
    CHECK(br_exec_resume_unwind(exec) == BR_ERR_OK);
    CHECK(br_exec_run(exec, -1) == BR_TRAP);
    br_exec_delete(exec);
    teardown(&f);
}

int
main(void)
{
    br_engine_t *e = br_engine_new(NULL);
    test_invoke(e);
    test_link_and_retry(e);
    br_engine_delete(e);
    return CHECK_DONE();
}
