/*
 * beamr fuzzing: what the libFuzzer targets share: an engine with small
 * limits (so a hostile module cannot make one input take seconds or
 * gigabytes) and imports stubbed from their declared types.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_FUZZ_COMMON_H
#define BR_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "beamr.h"

/* Limits for every target: 16 MiB per memory, 10,000 table elements, a
 * shallow call stack. Anything larger only slows the fuzzer down. */
#define FUZZ_MAX_PAGES 256
#define FUZZ_MAX_ELEMS 10000
#define FUZZ_MAX_DEPTH 500
#define FUZZ_MAX_SLOTS (1u << 16)
/* Fuel for one call (start function or export): enough for real work,
 * little enough that an infinite loop ends fast. */
#define FUZZ_FUEL 20000

static inline br_engine_t *
fuzz_engine(void)
{
    br_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.limits.max_memory_pages = FUZZ_MAX_PAGES;
    cfg.limits.max_table_elems = FUZZ_MAX_ELEMS;
    cfg.limits.max_call_depth = FUZZ_MAX_DEPTH;
    cfg.limits.max_stack_slots = FUZZ_MAX_SLOTS;
    return br_engine_new(&cfg);
}

/* Every stubbed function import returns zeros of its result kinds (the
 * engine presets the kinds; the payload is cleared here). */
static inline br_host_status_t
fuzz_stub_fn(void *env, br_exec_t *exec, const br_val_t *args,
             br_val_t *results)
{
    const br_functype_t *t = env;
    (void)exec;
    (void)args;
    for (uint32_t i = 0; t != NULL && i < t->result_count; i++) {
        br_valkind_t k = results[i].kind;
        memset(&results[i], 0, sizeof results[i]);
        results[i].kind = k;
    }
    return BR_HOST_OK;
}

/* A zero value of `kind` (null for references). */
static inline br_val_t
fuzz_zero(br_valkind_t kind)
{
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = kind;
    return v;
}

/* Limits for a stubbed table or memory: the declared minimum (capped so
 * the stub itself stays small), the declared maximum. */
static inline br_limitstype_t
fuzz_stub_limits(const br_limitstype_t *want, uint64_t cap)
{
    br_limitstype_t l = *want;
    if (l.min > cap)
        l.min = cap;
    return l;
}

/* One extern for import `index` of `m`; false if the engine refuses
 * (a limit, an allocation). A host function does not see its own type,
 * so the stub's env is the type of a first function the store copied
 * it into (it lives as long as the store). */
static inline bool
fuzz_stub_import(br_store_t *store, const br_module_t *m, uint32_t index,
                 br_extern_t *out)
{
    br_name_t mod, field;
    br_externtype_t t;
    br_module_import(m, index, &mod, &field, &t);
    memset(out, 0, sizeof *out);
    out->kind = t.kind;
    switch (t.kind) {
    case BR_EXTERN_FUNC: {
        br_func_t *f = br_func_new_host(store, &t.func, fuzz_stub_fn, NULL);
        if (f == NULL)
            return false;
        out->of.func = br_func_new_host(store, br_func_type(f),
                                        fuzz_stub_fn,
                                        (void *)br_func_type(f));
        return out->of.func != NULL;
    }
    case BR_EXTERN_TABLE: {
        br_limitstype_t l = fuzz_stub_limits(&t.limits, FUZZ_MAX_ELEMS);
        out->of.table = br_table_new(store, t.elem_or_global, &l, NULL);
        return out->of.table != NULL;
    }
    case BR_EXTERN_MEMORY: {
        br_limitstype_t l = fuzz_stub_limits(&t.limits, FUZZ_MAX_PAGES);
        out->of.memory = br_memory_new(store, &l);
        return out->of.memory != NULL;
    }
    case BR_EXTERN_GLOBAL: {
        br_val_t v = fuzz_zero(t.elem_or_global);
        out->of.global =
            br_global_new(store, t.elem_or_global, t.mutable_global, &v);
        return out->of.global != NULL;
    }
    case BR_EXTERN_TAG:
        out->of.tag = br_tag_new(store, &t.func);
        return out->of.tag != NULL;
    default:
        return false;
    }
}

/* Instantiates `m` with every import stubbed; NULL if linking or
 * instantiation fails (a value, not a finding). */
static inline br_instance_t *
fuzz_instantiate(br_store_t *store, const br_module_t *m)
{
    uint32_t n = br_module_import_count(m);
    br_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    br_instance_t *inst = NULL;
    if (imports == NULL)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!fuzz_stub_import(store, m, i, &imports[i]))
            goto done;
    br_error_t err;
    br_trap_t trap;
    br_instance_new(store, m, imports, n, &inst, &err, &trap);
done:
    free(imports);
    return inst;
}

/* Runs `f` with zero arguments for at most FUZZ_FUEL, in a few slices
 * (so that yielding and resuming are exercised too). */
static inline br_status_t
fuzz_call(br_exec_t *exec, br_func_t *f)
{
    const br_functype_t *t = br_func_type(f);
    br_val_t args[64];
    if (t->param_count > 64)
        return BR_ERROR;
    for (uint32_t i = 0; i < t->param_count; i++)
        args[i] = fuzz_zero(t->params[i]);
    if (br_exec_call(exec, f, args, t->param_count) != BR_ERR_OK)
        return BR_ERROR;
    br_status_t st = BR_YIELD;
    for (int slice = 0; slice < 4 && st == BR_YIELD; slice++)
        st = br_exec_run(exec, FUZZ_FUEL / 4);
    if (st == BR_YIELD) { /* out of fuel: end it the way stop/1 does */
        br_exec_cancel(exec);
        st = br_exec_run(exec, 1);
    }
    return st;
}

/* Calls the start function, then every exported function once. */
static inline void
fuzz_run_exports(br_store_t *store, br_instance_t *inst)
{
    br_exec_t *exec = br_exec_new(store);
    if (exec == NULL)
        return;
    br_func_t *start = br_instance_start_func(inst);
    if (start == NULL || fuzz_call(exec, start) == BR_DONE) {
        const br_module_t *m = br_instance_module(inst);
        uint32_t n = br_module_export_count(m);
        for (uint32_t i = 0; i < n; i++) {
            br_extern_t x;
            br_instance_export_at(inst, i, &x);
            if (x.kind == BR_EXTERN_FUNC)
                fuzz_call(exec, x.of.func);
        }
    }
    br_exec_delete(exec);
}

/* The run and aot targets' common end: instantiates `m` in a fresh store,
 * runs it (fuzz_run_exports), then deletes the store and `m`. */
static inline void
fuzz_run_module(br_engine_t *engine, br_module_t *m)
{
    br_store_t *store = br_store_new(engine, NULL);
    if (store != NULL) {
        br_instance_t *inst = fuzz_instantiate(store, m);
        if (inst != NULL)
            fuzz_run_exports(store, inst);
        br_store_delete(store);
    }
    br_module_delete(m);
}

#endif
