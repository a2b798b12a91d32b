/*
 * Kernel driver for interpreter measurements: compiles a WASI bench
 * program with libbeamr.a, links the engine's WASI imports, runs _start
 * and reports compile and run times on stderr (guest output to stdout).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beamr.h"
#include "beamr_wasi.h"
#include "tool_util.h"

/* usage: kernel_driver prog.wasm [args...]  (BR_FUEL env: fuel per run) */
int
main(int argc, char **argv)
{
    size_t size = 0;
    br_error_t err;
    br_trap_t trap;
    if (argc < 2) {
        fprintf(stderr, "usage: %s prog.wasm [args...]\n", argv[0]);
        return 2;
    }
    unsigned char *bytes = read_file(argv[1], &size);
    if (bytes == NULL)
        return 2;
    br_engine_t *engine = br_engine_new(NULL);
    br_module_t *module = NULL;
    double t0 = now_ms();
    if (br_module_new(engine, bytes, size, &module, &err) != BR_ERR_OK) {
        fprintf(stderr, "compile: %s\n", err.message);
        return 1;
    }
    double t1 = now_ms();
    br_store_t *store = br_store_new(engine, NULL);
    br_name_t args[64];
    int nargs = argc - 1 < 64 ? argc - 1 : 64;
    for (int i = 0; i < nargs; i++) {
        args[i].data = argv[i + 1];
        args[i].size = strlen(argv[i + 1]);
    }
    br_wasi_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.arg_count = (size_t)nargs;
    cfg.args = args;
    cfg.out[0].mode = BR_WASI_OUT_INHERIT;
    cfg.out[1].mode = BR_WASI_OUT_INHERIT;
    br_wasi_t *wasi = br_wasi_new(store, &cfg, &err);
    if (wasi == NULL) {
        fprintf(stderr, "wasi: %s\n", err.message);
        return 1;
    }
    uint32_t n = br_module_import_count(module);
    br_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    if (br_wasi_link(wasi, module, imports, n, &err) != BR_ERR_OK) {
        fprintf(stderr, "link: %s\n", err.message);
        return 1;
    }
    br_instance_t *inst = NULL;
    if (br_instance_new(store, module, imports, n, &inst, &err, &trap) !=
        BR_ERR_OK) {
        fprintf(stderr, "instantiate: %s\n", err.message);
        return 1;
    }
    br_extern_t start;
    if (!br_instance_export(inst, "_start", 6, &start)) {
        fprintf(stderr, "no _start\n");
        return 1;
    }
    const char *fuel_env = getenv("BR_FUEL");
    int64_t fuel = fuel_env ? atoll(fuel_env) : -1;
    br_exec_t *exec = br_exec_new(store);
    double t2 = now_ms();
    br_status_t st = BR_ERROR;
    if (br_exec_call(exec, start.of.func, NULL, 0) == BR_ERR_OK)
        do
            st = br_exec_run(exec, fuel);
        while (st == BR_YIELD);
    double t3 = now_ms();
    int code = 0;
    int32_t exit_code = 0;
    if (br_wasi_exited(wasi, &exit_code))
        code = exit_code;
    else if (st != BR_DONE) {
        const br_trap_t *tr = br_exec_trap(exec);
        fprintf(stderr, "run: status %d trap %s\n", (int)st,
                tr ? br_trap_message(tr->kind) : "?");
        code = 1;
    }
    fprintf(stderr, "compile %.2f ms (%.1f MB/s) run %.1f ms\n", t1 - t0,
            (double)size / 1e3 / (t1 - t0), t3 - t2);
    fflush(stdout);
    br_exec_delete(exec);
    free(imports);
    br_wasi_delete(wasi);
    br_store_delete(store);
    br_module_delete(module);
    br_engine_delete(engine);
    free(bytes);
    return code;
}
