/*
 * beamr WASI: the import table. Binds "wasi_snapshot_preview1" names to
 * their implementations and picks the ABI (wasm32, or wasm64 pointers and
 * sizes) from the signature the module imports.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "wasi_internal.h"

static const char WASI_MODULE[] = "wasi_snapshot_preview1";

typedef struct func_row {
    const char *name;
    const char *params;
    const char *results;
    bri_wasi_impl_t fn;
} func_row_t;

#define ROW(name, params, results) {#name, params, results, bri_wasi_##name},
static const func_row_t funcs[BRI_WASI_FUNC_COUNT] = {BRI_WASI_FUNCS(ROW)};
#undef ROW

static const br_valkind_t errno_result[1] = {BR_I32};

void
bri_wasi_build_sigs(br_wasi_t *w)
{
    for (int f = 0; f < BRI_WASI_FUNC_COUNT; f++) {
        for (int abi = 0; abi < 2; abi++) {
            bri_wasi_sig_t *s = &w->sigs[f][abi];
            const char *p = funcs[f].params;
            uint32_t n = 0;
            for (; p[n] != 0; n++)
                s->params[n] = p[n] == 'i' || (p[n] == 'p' && abi == 0)
                                   ? BR_I32
                                   : BR_I64;
            s->type.param_count = n;
            s->type.params = s->params;
            s->type.result_count = funcs[f].results[0] ? 1 : 0;
            s->type.results = errno_result;
            w->bindings[f][abi].wasi = w;
            w->bindings[f][abi].func = (uint16_t)f;
            w->bindings[f][abi].psize = abi ? 8 : 4;
        }
    }
}

/* Memory for this call: the configured one, else memory 0 of the
 * instance that called. Re-read every call: memory.grow may move it. */
static void
bind_memory(bri_wasi_call_t *c)
{
    br_memory_t *m = c->w->memory;
    if (m == NULL) {
        br_instance_t *inst = br_exec_caller_instance(c->exec);
        if (inst != NULL)
            m = br_instance_memory(inst, 0);
    }
    c->mem = m != NULL ? br_memory_data(m) : NULL;
    c->mem_size = m != NULL ? br_memory_size(m) : 0;
}

/* The one host function behind every WASI import. */
static br_host_status_t
call_wasi(void *env, br_exec_t *exec, const br_val_t *args,
          br_val_t *results)
{
    const bri_wasi_binding_t *b = env;
    br_wasi_t *w = b->wasi;
    const br_functype_t *t = &w->sigs[b->func][b->psize == 8].type;
    bri_wasi_call_t c;
    memset(&c, 0, sizeof c);
    c.w = w;
    c.exec = exec;
    c.psize = b->psize;
    for (uint32_t i = 0; i < t->param_count; i++)
        c.a[i] = t->params[i] == BR_I32 ? (uint64_t)args[i].of.u32
                                        : args[i].of.u64;
    bind_memory(&c);
    w->in_got = 0;
    w->in_wait = false;
    uint16_t err = funcs[b->func].fn(&c);
    if (w->in_wait) {
        /* stdin has nothing yet: wait, and be called again */
        w->in_wait = false;
        return BR_HOST_SUSPEND;
    }
    if (c.exit) {
        w->exited = true;
        w->exit_code = c.exit_code;
        br_exec_host_trap(exec, BR_TRAP_EXIT, c.exit_code, NULL);
        return BR_HOST_TRAP;
    }
    if (t->result_count == 1) {
        results[0].kind = BR_I32;
        results[0].of.i32 = err;
    }
    return BR_HOST_OK;
}

static bool
name_is(br_name_t n, const char *s)
{
    size_t len = strlen(s);
    return n.size == len && (len == 0 || memcmp(n.data, s, len) == 0);
}

static bool
same_type(const br_functype_t *a, const br_functype_t *b)
{
    return a->param_count == b->param_count &&
           a->result_count == b->result_count &&
           (a->param_count == 0 ||
            memcmp(a->params, b->params, a->param_count) == 0) &&
           (a->result_count == 0 ||
            memcmp(a->results, b->results, a->result_count) == 0);
}

static int
find_func(br_name_t field)
{
    for (int f = 0; f < BRI_WASI_FUNC_COUNT; f++)
        if (name_is(field, funcs[f].name))
            return f;
    return -1;
}

bool
br_wasi_is_module(br_name_t module)
{
    return name_is(module, WASI_MODULE);
}

bool
br_wasi_import(br_wasi_t *w, br_name_t module, br_name_t field,
               const br_functype_t *type, br_extern_t *out)
{
    int f = br_wasi_is_module(module) ? find_func(field) : -1;
    if (f < 0 || type == NULL)
        return false;
    /* wasm32 first: functions without pointers fit both and any will do */
    for (int abi = 0; abi < 2; abi++) {
        if (!same_type(type, &w->sigs[f][abi].type))
            continue;
        br_func_t *fn = br_func_new_host(w->store, &w->sigs[f][abi].type,
                                         call_wasi, &w->bindings[f][abi]);
        if (fn == NULL)
            return false;
        out->kind = BR_EXTERN_FUNC;
        out->of.func = fn;
        return true;
    }
    return false;
}

static br_err_t
link_error(br_error_t *error, br_err_t code, br_name_t field)
{
    if (error != NULL) {
        memset(error, 0, sizeof *error);
        error->code = code;
        error->func_index = -1;
        int len = field.size > 100 ? 100 : (int)field.size;
        snprintf(error->message, sizeof error->message, "%s: %s.%.*s",
                 br_err_message(code), WASI_MODULE, len, field.data);
    }
    return code;
}

br_err_t
br_wasi_link(br_wasi_t *w, const br_module_t *module, br_extern_t *imports,
             size_t import_count, br_error_t *error)
{
    uint32_t n = br_module_import_count(module);
    for (uint32_t i = 0; i < n && i < import_count; i++) {
        br_name_t mod, field;
        br_externtype_t type;
        br_module_import(module, i, &mod, &field, &type);
        if (!br_wasi_is_module(mod))
            continue;
        if (find_func(field) < 0)
            return link_error(error, BR_ERR_UNKNOWN_IMPORT, field);
        if (type.kind != BR_EXTERN_FUNC ||
            !br_wasi_import(w, mod, field, &type.func, &imports[i]))
            return link_error(error, BR_ERR_INCOMPATIBLE_IMPORT, field);
    }
    return BR_ERR_OK;
}
