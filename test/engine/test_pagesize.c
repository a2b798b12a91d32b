/*
 * beamr tests: memories of the custom-page-sizes proposal ((pagesize 1))
 * through the text format, the decoder, the validator and the
 * interpreter: size and growth in 1-byte pages, bounds, the store's
 * memory cap (counted in 64 KiB pages) applied in bytes, import matching
 * by page size, host-made memories, snapshots of sizes that are no
 * multiple of 64 KiB, and the binary checks.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "../../c_src/engine/text/br_text.h"
#include "check.h"
#include "wasm_call.h"

static br_engine_t *engine;

static const char MODULE[] =
    "(module\n"
    "  (memory (export \"mem\") 3 (pagesize 1))\n"
    "  (data (i32.const 0) \"abc\")\n"
    "  (func (export \"size\") (result i32) (memory.size))\n"
    "  (func (export \"grow\") (param i32) (result i32)\n"
    "    (memory.grow (local.get 0)))\n"
    "  (func (export \"load\") (param i32) (result i32)\n"
    "    (i32.load8_u (local.get 0)))\n"
    "  (func (export \"store\") (param i32 i32)\n"
    "    (i32.store8 (local.get 0) (local.get 1))))";

static br_err_t
compile(const char *text, br_module_t **out)
{
    uint8_t *bytes;
    size_t size;
    br_text_error_t terr;
    br_error_t err;
    *out = NULL;
    if (br_wat_to_wasm(engine, text, strlen(text), &bytes, &size, &terr)) {
        fprintf(stderr, "  %u:%u: %s\n", terr.line, terr.column, terr.message);
        return BR_ERR_INVALID_ARGUMENT;
    }
    br_err_t code = br_module_new(engine, bytes, size, out, &err);
    br_engine_free_buffer(engine, bytes, size);
    return code;
}

/* Calls name(args) to completion; *trap gets the trap kind if any. */
static br_status_t
call(br_store_t *s, br_instance_t *inst, const char *name, int32_t a, int32_t b,
     size_t n, int32_t *out, br_trapkind_t *trap)
{
    br_exec_t *exec = br_exec_new(s);
    br_val_t args[2] = {vi32(a), vi32(b)};
    br_func_t *f = export_func(inst, name);
    br_status_t st = BR_ERROR;
    CHECK(f != NULL);
    if (f != NULL && br_exec_call(exec, f, args, n) == BR_ERR_OK)
        st = run_slices(exec, -1);
    if (st == BR_DONE && out != NULL)
        *out = br_exec_results(exec)[0].of.i32;
    if (st == BR_TRAP && trap != NULL)
        *trap = br_exec_trap(exec)->kind;
    br_exec_delete(exec);
    return st;
}

static int32_t
call_i32(br_store_t *s, br_instance_t *inst, const char *name, int32_t a,
         size_t n)
{
    int32_t r = -999;
    CHECK_EQ(call(s, inst, name, a, 0, n, &r, NULL), BR_DONE);
    return r;
}

/* A store capped at `cap` 64 KiB pages (0: the default), with MODULE. */
static br_instance_t *
start(br_module_t *mod, uint64_t cap, br_store_t **s)
{
    br_limits_t lim;
    br_error_t err;
    br_trap_t trap;
    br_instance_t *inst = NULL;
    memset(&lim, 0, sizeof lim);
    lim.max_memory_pages = cap;
    *s = br_store_new(engine, &lim);
    CHECK_EQ(br_instance_new(*s, mod, NULL, 0, &inst, &err, &trap), BR_ERR_OK);
    return inst;
}

static void
test_byte_pages(void)
{
    br_module_t *mod;
    br_store_t *s;
    br_trapkind_t trap = BR_TRAP_NONE;
    CHECK_EQ(compile(MODULE, &mod), BR_ERR_OK);
    if (mod == NULL)
        return;
    br_instance_t *inst = start(mod, 0, &s);
    CHECK_EQ(call_i32(s, inst, "size", 0, 0), 3);
    CHECK_EQ(call_i32(s, inst, "load", 2, 1), 'c');
    CHECK_EQ(call(s, inst, "load", 3, 0, 1, NULL, &trap), BR_TRAP);
    CHECK_EQ(trap, BR_TRAP_MEMORY_OOB);
    CHECK_EQ(call_i32(s, inst, "grow", 5, 1), 3);
    CHECK_EQ(call_i32(s, inst, "size", 0, 0), 8);
    CHECK_EQ(call(s, inst, "store", 7, 42, 2, NULL, NULL), BR_DONE);
    CHECK_EQ(call_i32(s, inst, "load", 7, 1), 42);
    br_extern_t x;
    CHECK(br_instance_export(inst, "mem", 3, &x));
    CHECK_EQ(br_memory_size(x.of.memory), 8);
    /* a snapshot of 8 bytes restores into a fresh instance */
    uint8_t *snap = NULL;
    size_t snap_size = 0;
    br_error_t err;
    CHECK_EQ(br_instance_snapshot(inst, &snap, &snap_size), BR_ERR_OK);
    br_store_t *s2;
    br_instance_t *fresh = start(mod, 0, &s2);
    CHECK_EQ(br_instance_restore(fresh, snap, snap_size, &err), BR_ERR_OK);
    CHECK_EQ(call_i32(s2, fresh, "size", 0, 0), 8);
    CHECK_EQ(call_i32(s2, fresh, "load", 7, 1), 42);
    br_engine_free_buffer(engine, snap, snap_size);
    br_store_delete(s2);
    br_store_delete(s);
    /* the store's cap of one 64 KiB page is 65536 one-byte pages */
    inst = start(mod, 1, &s);
    CHECK_EQ(call_i32(s, inst, "grow", 65533, 1), 3);
    CHECK_EQ(call_i32(s, inst, "grow", 1, 1), -1);
    CHECK_EQ(call_i32(s, inst, "size", 0, 0), 65536);
    br_store_delete(s);
    br_module_delete(mod);
}

/* Imports match only a memory of the same page size; a host memory
 * made with a custom page size counts in its pages. */
static void
test_imports(void)
{
    br_module_t *small, *large;
    br_error_t err;
    br_trap_t trap;
    CHECK_EQ(compile("(memory (import \"m\" \"m\") 1 (pagesize 1))", &small),
             BR_ERR_OK);
    CHECK_EQ(compile("(memory (import \"m\" \"m\") 1)", &large), BR_ERR_OK);
    br_store_t *s = br_store_new(engine, NULL);
    br_limitstype_t lim = {.min = 100, .custom_page = true, .page_log2 = 0};
    br_memory_t *mem = br_memory_new(s, &lim);
    CHECK(mem != NULL);
    CHECK_EQ(br_memory_size(mem), 100);
    uint64_t old = 0;
    CHECK(br_memory_grow(mem, 1, &old));
    CHECK_EQ(old, 100);
    CHECK_EQ(br_memory_size(mem), 101);
    br_extern_t imp = {.kind = BR_EXTERN_MEMORY, .of.memory = mem};
    br_instance_t *inst = NULL;
    CHECK_EQ(br_instance_new(s, small, &imp, 1, &inst, &err, &trap), BR_ERR_OK);
    inst = NULL;
    CHECK_EQ(br_instance_new(s, large, &imp, 1, &inst, &err, &trap),
             BR_ERR_INCOMPATIBLE_IMPORT);
    br_store_delete(s);
    br_module_delete(small);
    br_module_delete(large);
}

static void
test_checks(void)
{
    br_module_t *mod = NULL;
    br_error_t err;
    /* page sizes other than 1 and 65536 are invalid */
    CHECK_EQ(compile("(memory 1 (pagesize 4096))", &mod),
             BR_ERR_INVALID_PAGE_SIZE);
    /* at most 2^32 bytes for an i32 memory, in its pages */
    CHECK_EQ(compile("(memory 65537 (pagesize 65536))", &mod),
             BR_ERR_MEMORY_SIZE_LIMIT);
    CHECK_EQ(compile("(memory 0xFFFFFFFF (pagesize 1))", &mod), BR_ERR_OK);
    br_module_delete(mod);
    /* binary: flag 0x08 then the log2; 2^64 does not fit a page */
    static const uint8_t huge[] = {0, 'a', 's', 'm', 1,    0, 0,
                                   0, 5,   4,   1,   0x08, 0, 64};
    mod = NULL;
    CHECK_EQ(br_module_new(engine, huge, sizeof huge, &mod, &err),
             BR_ERR_INVALID_PAGE_SIZE);
    /* a table takes no page size */
    static const uint8_t table[] = {0, 'a', 's', 'm',  1,    0, 0, 0,
                                    4, 5,   1,   0x70, 0x08, 0, 0};
    CHECK_EQ(br_module_new(engine, table, sizeof table, &mod, &err),
             BR_ERR_MALFORMED_LIMITS);
    /* the text format wants a power of two */
    uint8_t *bytes;
    size_t size;
    br_text_error_t terr;
    static const char three[] = "(memory 0 (pagesize 3))";
    CHECK_EQ(br_wat_to_wasm(engine, three, strlen(three), &bytes, &size, &terr),
             BR_TEXT_ERR_PAGE_SIZE);
}

int
main(void)
{
    engine = br_engine_new(NULL);
    test_byte_pages();
    test_imports();
    test_checks();
    br_engine_delete(engine);
    return CHECK_DONE();
}
