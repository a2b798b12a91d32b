/*
 * Native tier compile speed: for each .wasm file, the best of N times of
 * br_module_native_compile (machine code for every function, after
 * br_module_new), as MB of wasm per second, in wall time and in CPU
 * time of the process (user + system: what other load on the machine
 * does not inflate), beside the time of br_module_new itself, and the
 * machine code's size.
 *
 *   cc -O2 -Ic_src/engine bench/tools/native_compile.c build/libbeamr.a -lm
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

/* CPU time of this process (user + system), in ms. */
static double
cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
bench_file(br_engine_t *e, const char *path, int runs)
{
    size_t size = 0;
    unsigned char *wasm = read_file(path, &size);
    if (wasm == NULL) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    double best_new = 1e30, best_native = 1e30, best_cpu = 1e30;
    uint32_t funcs = 0;
    size_t code = 0, mapped = 0;
    for (int i = 0; i < runs; i++) {
        br_module_t *m = NULL;
        br_error_t err;
        double t0 = now_ms();
        if (br_module_new(e, wasm, size, &m, &err) != BR_ERR_OK) {
            fprintf(stderr, "%s: %s\n", path, err.message);
            free(wasm);
            return 1;
        }
        double t1 = now_ms(), c1 = cpu_ms();
        bool ok = br_module_native_compile(m);
        double t2 = now_ms(), c2 = cpu_ms();
        if (!ok) {
            fprintf(stderr, "%s: native compile failed\n", path);
            br_module_delete(m);
            free(wasm);
            return 1;
        }
        best_new = t1 - t0 < best_new ? t1 - t0 : best_new;
        best_native = t2 - t1 < best_native ? t2 - t1 : best_native;
        best_cpu = c2 - c1 < best_cpu ? c2 - c1 : best_cpu;
        br_module_native_info(m, &funcs, &code, &mapped);
        br_module_delete(m);
    }
    double mb = (double)size / 1e6;
    printf("%-40s %8.2f MB  module_new %8.2f ms (%6.1f MB/s)  native "
           "%8.2f ms (%6.1f MB/s), cpu %8.2f ms (%6.1f MB/s)  %u functions, "
           "%zu bytes of code (%.1fx the wasm), %zu mapped\n",
           path, mb, best_new, mb / (best_new / 1e3), best_native,
           mb / (best_native / 1e3), best_cpu, mb / (best_cpu / 1e3), funcs,
           code, (double)code / (double)size, mapped);
    free(wasm);
    return 0;
}

int
main(int argc, char **argv)
{
    int runs = 5, i = 1, rc = 0;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        runs = atoi(argv[2]);
        i = 3;
    }
    if (i >= argc || runs < 1) {
        fprintf(stderr, "usage: native_compile [-n RUNS] FILE.wasm...\n");
        return 2;
    }
    if (!br_native_available()) {
        printf("no native tier on this host\n");
        return 0;
    }
    br_engine_t *e = br_engine_new(NULL);
    for (; i < argc; i++)
        rc |= bench_file(e, argv[i], runs);
    br_engine_delete(e);
    return rc;
}
