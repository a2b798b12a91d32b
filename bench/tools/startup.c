/*
 * Start-up probe for the beamr engine: times br_module_new (compile) and
 * br_instance_new plus a call of `_start`, and counts the bytes each idle
 * instance holds through a counting allocator. Prints one JSON line.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beamr.h"
#include "tool_util.h"

typedef struct counter {
    long long live; /* bytes currently allocated through the engine */
} counter_t;

/* lua_Alloc-style allocator that keeps a running total of live bytes. */
static void *
count_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter_t *c = ud;
    void *p;

    if (nsize == 0) {
        free(ptr);
        c->live -= (long long)osize;
        return NULL;
    }
    p = realloc(ptr, nsize);
    if (p != NULL)
        c->live += (long long)nsize - (long long)(ptr ? osize : 0);
    return p;
}

/* Instantiates once and calls `_start` if the module exports it. */
static int
instantiate(br_store_t *store, const br_module_t *module,
            br_instance_t **out)
{
    br_error_t err;
    br_trap_t trap;
    br_extern_t ext;

    if (br_instance_new(store, module, NULL, 0, out, &err, &trap) !=
        BR_ERR_OK) {
        fprintf(stderr, "instantiate: %s\n", err.message);
        return 0;
    }
    if (br_instance_export(*out, "_start", 6, &ext) &&
        ext.kind == BR_EXTERN_FUNC &&
        br_func_call(store, ext.of.func, NULL, 0, NULL, 0, &trap) !=
            BR_DONE) {
        fprintf(stderr, "_start trapped\n");
        return 0;
    }
    return 1;
}

int
main(int argc, char **argv)
{
    counter_t c = { 0 };
    br_config_t cfg;
    br_engine_t *engine = NULL;
    br_module_t *module = NULL;
    br_store_t *store = NULL;
    br_instance_t *inst;
    br_error_t err;
    unsigned char *bytes;
    size_t size = 0;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    int count = argc > 3 ? atoi(argv[3]) : 200, i, status = 1;
    double best_compile = 1e30, best_inst = 1e30, t;
    long long module_bytes = 0, before;

    if (argc < 2 || (bytes = read_file(argv[1], &size)) == NULL) {
        fprintf(stderr, "usage: startup FILE.wasm [reps] [instances]\n");
        return 2;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = count_alloc;
    cfg.alloc_ud = &c;
    engine = br_engine_new(&cfg);
    if (engine == NULL)
        goto fail;
    for (i = 0; i < reps; i++) {
        if (module != NULL)
            br_module_delete(module);
        before = c.live;
        t = now_ms();
        if (br_module_new(engine, bytes, size, &module, &err) != BR_ERR_OK) {
            fprintf(stderr, "compile: %s\n", err.message);
            goto fail;
        }
        t = now_ms() - t;
        best_compile = t < best_compile ? t : best_compile;
        module_bytes = c.live - before;
        store = br_store_new(engine, NULL);
        if (store == NULL)
            goto fail;
        t = now_ms();
        if (!instantiate(store, module, &inst))
            goto fail;
        t = now_ms() - t;
        best_inst = t < best_inst ? t : best_inst;
        br_store_delete(store);
        store = NULL;
    }
    store = br_store_new(engine, NULL);
    if (store == NULL)
        goto fail;
    before = c.live;
    for (i = 0; i < count; i++)
        if (!instantiate(store, module, &inst))
            goto fail;
    printf("{\"compile_ms\":%.4f,\"instantiate_ms\":%.4f,"
           "\"module_bytes\":%lld,\"bytes_per_instance\":%.1f,"
           "\"instances\":%d}\n",
           best_compile, best_inst, module_bytes,
           (double)(c.live - before) / count, count);
    status = 0;
fail:
    if (store != NULL)
        br_store_delete(store);
    if (module != NULL)
        br_module_delete(module);
    if (engine != NULL)
        br_engine_delete(engine);
    free(bytes);
    return status;
}
