/*
 * beamr tests: a module compiled from WAT text and one instance of it in
 * a store of its own (tests of the WebAssembly 3.0 features write their
 * modules as text).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEST_WAT_RIG_H
#define BR_TEST_WAT_RIG_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../c_src/engine/text/br_text.h"
#include "beamr.h"
#include "check.h"
#include "wasm_call.h"

typedef struct rig {
    br_module_t *mod;
    br_store_t *s;
    br_instance_t *inst;
} rig_t;

/* The module of `text`, or NULL (the error printed). */
static inline br_module_t *
wat_rig_compile(br_engine_t *engine, const char *text)
{
    uint8_t *bytes;
    size_t size;
    br_text_error_t terr;
    br_error_t err;
    br_module_t *mod = NULL;
    if (br_wat_to_wasm(engine, text, strlen(text), &bytes, &size, &terr)) {
        fprintf(stderr, "  %u:%u: %s\n", terr.line, terr.column, terr.message);
        return NULL;
    }
    if (br_module_new(engine, bytes, size, &mod, &err) != BR_ERR_OK)
        fprintf(stderr, "  module: %s\n", err.message);
    br_engine_free_buffer(engine, bytes, size);
    return mod;
}

/* Instantiates `mod` (which the rig then owns) without imports. */
static inline bool
wat_rig_open(br_engine_t *engine, rig_t *r, br_module_t *mod)
{
    br_error_t err;
    br_trap_t trap;
    memset(r, 0, sizeof *r);
    r->mod = mod;
    CHECK(mod != NULL);
    if (mod == NULL)
        return false;
    r->s = br_store_new(engine, NULL);
    CHECK_EQ(br_instance_new(r->s, mod, NULL, 0, &r->inst, &err, &trap),
             BR_ERR_OK);
    return r->inst != NULL;
}

/* The validation result of the module of `text` (which must encode). */
static inline br_err_t
wat_rig_validate(br_engine_t *engine, const char *text)
{
    uint8_t *bytes;
    size_t size;
    br_text_error_t terr;
    br_error_t err;
    br_module_t *mod = NULL;
    CHECK_EQ(br_wat_to_wasm(engine, text, strlen(text), &bytes, &size, &terr),
             BR_TEXT_ERR_OK);
    br_err_t code = br_module_new(engine, bytes, size, &mod, &err);
    br_module_delete(mod);
    br_engine_free_buffer(engine, bytes, size);
    return code;
}

/* `mod` saved as a compiled-module file and loaded back (NULL if it is
 * refused, the reason printed); `mod` itself is deleted. */
static inline br_module_t *
wat_rig_reload(br_engine_t *engine, br_module_t *mod)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    br_error_t err;
    br_module_t *loaded = NULL;
    CHECK_EQ(br_module_serialize(mod, &bytes, &size), BR_ERR_OK);
    CHECK_EQ(br_module_deserialize(engine, bytes, size, &loaded, &err),
             BR_ERR_OK);
    if (loaded == NULL)
        fprintf(stderr, "  deserialize: %s\n", err.message);
    br_engine_free_buffer(engine, bytes, size);
    br_module_delete(mod);
    return loaded;
}

static inline void
rig_close(rig_t *r)
{
    br_store_delete(r->s);
    br_module_delete(r->mod);
}

/* Calls `name` in a new exec (deleted before returning) with slices of
 * `fuel`; the status, *out the first result (if any), *trap the trap. */
static inline br_status_t
wat_rig_call(rig_t *r, const char *name, const br_val_t *args, size_t n,
             int64_t fuel, br_val_t *out, br_trapkind_t *trap)
{
    br_exec_t *exec = br_exec_new(r->s);
    br_func_t *f = export_func(r->inst, name);
    br_status_t st = BR_ERROR;
    CHECK(f != NULL);
    if (f != NULL && br_exec_call(exec, f, args, n) == BR_ERR_OK)
        st = run_slices(exec, fuel);
    if (st == BR_DONE && out != NULL)
        *out = br_exec_results(exec)[0];
    if (st == BR_TRAP && trap != NULL)
        *trap = br_exec_trap(exec)->kind;
    br_exec_delete(exec);
    return st;
}

#endif
