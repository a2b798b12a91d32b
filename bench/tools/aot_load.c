/*
 * Compile versus load of compiled modules: for each .wasm file, the best
 * of N times of br_module_new (decode, validate, compile) and of
 * br_module_deserialize on its serialized form (checksum, decode,
 * declarations, code verification), and their ratio. One line per file,
 * then a JSON line per file for scripts.
 *
 *   cc -O2 -Ic_src/engine bench/tools/aot_load.c build/libbeamr.a -lm
 *   ./a.out [-n RUNS] FILE.wasm...
 * SPDX-License-Identifier: Apache-2.0
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "beamr.h"
#include "tool_util.h"

/* Best time of `runs` compiles; the last module is kept in *out. */
static double
best_compile(br_engine_t *e, const unsigned char *wasm, size_t size, int runs,
             br_module_t **out)
{
    double best = 1e30;
    for (int i = 0; i < runs; i++) {
        br_module_t *m = NULL;
        br_error_t err;
        double t0 = now_ms();
        br_err_t rc = br_module_new(e, wasm, size, &m, &err);
        double t = now_ms() - t0;
        if (rc != BR_ERR_OK) {
            fprintf(stderr, "compile: %s\n", err.message);
            return -1;
        }
        if (t < best)
            best = t;
        if (i + 1 < runs)
            br_module_delete(m);
        else
            *out = m;
    }
    return best;
}

static double
best_load(br_engine_t *e, const uint8_t *aot, size_t size, int runs)
{
    double best = 1e30;
    for (int i = 0; i < runs; i++) {
        br_module_t *m = NULL;
        br_error_t err;
        double t0 = now_ms();
        br_err_t rc = br_module_deserialize(e, aot, size, &m, &err);
        double t = now_ms() - t0;
        if (rc != BR_ERR_OK) {
            fprintf(stderr, "load: %s\n", err.message);
            return -1;
        }
        if (t < best)
            best = t;
        br_module_delete(m);
    }
    return best;
}

static int
measure(br_engine_t *e, const char *path, int runs)
{
    size_t size;
    unsigned char *wasm = read_file(path, &size);
    if (wasm == NULL) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    br_module_t *m = NULL;
    double compile = best_compile(e, wasm, size, runs, &m);
    uint8_t *aot = NULL;
    size_t aot_size = 0;
    double load = -1;
    if (compile >= 0 && br_module_serialize(m, &aot, &aot_size) == BR_ERR_OK)
        load = best_load(e, aot, aot_size, runs);
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int rc = compile < 0 || load < 0;
    if (!rc) {
        printf("%-28s %9zu B  compile %8.2f ms  load %8.2f ms  "
               "(aot %zu B)  compile/load %.2fx\n",
               name, size, compile, load, aot_size, compile / load);
        printf("{\"module\":\"%s\",\"bytes\":%zu,\"aot_bytes\":%zu,"
               "\"compile_ms\":%.3f,\"load_ms\":%.3f,\"ratio\":%.3f}\n",
               name, size, aot_size, compile, load, compile / load);
    }
    br_engine_free_buffer(e, aot, aot_size);
    br_module_delete(m);
    free(wasm);
    return rc;
}

int
main(int argc, char **argv)
{
    int runs = 5, first = 1, rc = 0;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        runs = atoi(argv[2]);
        first = 3;
    }
    if (first >= argc || runs < 1) {
        fprintf(stderr, "usage: %s [-n RUNS] FILE.wasm...\n", argv[0]);
        return 2;
    }
    br_engine_t *e = br_engine_new(NULL);
    for (int i = first; i < argc; i++)
        rc |= measure(e, argv[i], runs);
    br_engine_delete(e);
    return rc;
}
