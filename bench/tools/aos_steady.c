/*
 * The AO steady message without the BEAM, for profiling the engine's
 * part of it (callgrind, perf): aos-2-pure-xs.wasm driven as
 * test/beamr_aos.erl drives it with native WASI (malloc and write the
 * env and message JSON, handle(Msg, Env), read the NUL-terminated
 * result), the Emscripten syscall imports answered with -ENOSYS as the
 * NIF does. Runs the first message, then N `return 1 + 1` messages, in
 * slices of SLICE fuel (the NIF's first slice, 20,000, by default), and
 * prints the CPU time per steady message.
 *
 *   build/bench/aos_steady [-n N] [-t interp|native|auto] [-s SLICE] AOS.wasm
 * SPDX-License-Identifier: Apache-2.0
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "beamr.h"
#include "beamr_wasi.h"
#include "tool_util.h"

/* The JSON beamr_aos:env_json/0 and msg_json/1 write (keys sorted). */
static const char ENV_JSON[] =
    "{\"Process\":{\"Id\":\"AOS\",\"Owner\":\"FOOBAR\",\"Tags\":[{\"name\":"
    "\"Name\",\"value\":\"Thomas\"},{\"name\":\"Authority\",\"value\":"
    "\"FOOBAR\"}]}}";
static const char MSG_JSON[] =
    "{\"Block-Height\":\"1\",\"Data\":\"return 1 + 1\",\"From\":\"FOOBAR\","
    "\"Id\":\"1\",\"Module\":\"W\",\"Owner\":\"FOOBAR\",\"Tags\":[{\"name\":"
    "\"Action\",\"value\":\"Eval\"}],\"Target\":\"AOS\"}";

typedef struct {
    br_store_t *store;
    br_instance_t *inst;
    br_exec_t *exec;
    br_memory_t *mem;
    br_func_t *malloc_fn, *handle_fn;
    int64_t slice;
} aos_t;

/* Emscripten's syscalls without a WASI counterpart fail with ENOSYS;
 * _emscripten_system(NULL) says there is no shell (nif_wasi.c). */
static br_host_status_t
enosys(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    (void)exec;
    results[0].of.i32 = env != NULL && args[0].of.u64 == 0 ? 0 : -52;
    return BR_HOST_OK;
}

static int
link_env(aos_t *a, const br_module_t *m, br_extern_t *imports, uint32_t n)
{
    static char system_tag;
    for (uint32_t i = 0; i < n; i++) {
        br_name_t mod, name;
        br_externtype_t type;
        br_module_import(m, i, &mod, &name, &type);
        if (br_wasi_is_module(mod))
            continue;
        bool sys =
            name.size == 18 && memcmp(name.data, "_emscripten_system", 18) == 0;
        imports[i].kind = BR_EXTERN_FUNC;
        imports[i].of.func = br_func_new_host(a->store, &type.func, enosys,
                                              sys ? &system_tag : NULL);
        if (imports[i].of.func == NULL)
            return 1;
    }
    return 0;
}

/* Calls f(args) to completion in slices; its i64 result, or -1. */
static int64_t
call(aos_t *a, br_func_t *f, const br_val_t *args, size_t n)
{
    br_status_t st = BR_ERROR;
    if (br_exec_call(a->exec, f, args, n) == BR_ERR_OK)
        do
            st = br_exec_run(a->exec, a->slice);
        while (st == BR_YIELD);
    if (st != BR_DONE) {
        const br_trap_t *tr = br_exec_trap(a->exec);
        fprintf(stderr, "call: status %d %s\n", (int)st,
                tr != NULL ? br_trap_message(tr->kind) : "");
        return -1;
    }
    return br_exec_results(a->exec)[0].of.i64;
}

/* malloc(len + 1) in the guest and the string with its NUL there. */
static int64_t
write_string(aos_t *a, const char *s)
{
    size_t len = strlen(s);
    br_val_t arg = {.kind = BR_I64, .of.i64 = (int64_t)len + 1};
    int64_t p = call(a, a->malloc_fn, &arg, 1);
    if (p <= 0 || (uint64_t)p + len + 1 > br_memory_size(a->mem))
        return -1;
    memcpy(br_memory_data(a->mem) + p, s, len + 1);
    return p;
}

/* One message; 0 if its response holds "data":"2". */
static int
message(aos_t *a)
{
    br_val_t args[2] = {{.kind = BR_I64}, {.kind = BR_I64}};
    args[1].of.i64 = write_string(a, ENV_JSON);
    args[0].of.i64 = write_string(a, MSG_JSON);
    if (args[0].of.i64 < 0 || args[1].of.i64 < 0)
        return 1;
    int64_t r = call(a, a->handle_fn, args, 2);
    uint64_t size = br_memory_size(a->mem);
    if (r <= 0 || (uint64_t)r >= size)
        return 1;
    const char *out = (const char *)br_memory_data(a->mem) + r;
    size_t len = strnlen(out, size - (uint64_t)r);
    return len < size - (uint64_t)r && strstr(out, "\"data\":\"2\"") != NULL
               ? 0
               : 1;
}

/* n steady messages (a function of its own for callgrind's
 * --toggle-collect=steady); 0 if all answered. */
__attribute__((noinline)) static int
steady(aos_t *a, int n)
{
    for (int k = 0; k < n; k++)
        if (message(a) != 0)
            return fprintf(stderr, "message %d failed\n", k), 1;
    return 0;
}

static int
start(aos_t *a, br_engine_t *e, br_module_t *m, br_wasi_t **wasi)
{
    br_error_t err;
    br_trap_t trap;
    br_wasi_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    *wasi = br_wasi_new(a->store, &cfg, &err);
    uint32_t n = br_module_import_count(m);
    br_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    int bad = *wasi == NULL || imports == NULL ||
              br_wasi_link(*wasi, m, imports, n, &err) != BR_ERR_OK ||
              link_env(a, m, imports, n) != 0 ||
              br_instance_new(a->store, m, imports, n, &a->inst, &err, &trap) !=
                  BR_ERR_OK;
    free(imports);
    (void)e;
    if (bad)
        return 1;
    br_extern_t x;
    if (!br_instance_export(a->inst, "malloc", 6, &x))
        return 1;
    a->malloc_fn = x.of.func;
    if (!br_instance_export(a->inst, "handle", 6, &x))
        return 1;
    a->handle_fn = x.of.func;
    a->mem = br_instance_memory(a->inst, 0);
    a->exec = br_exec_new(a->store);
    return a->mem == NULL || a->exec == NULL;
}

static int
parse_tier(const char *s, br_tier_t *out)
{
    static const char *names[] = {"interp", "native", "auto"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (br_tier_t)i;
            return 0;
        }
    return 1;
}

int
main(int argc, char **argv)
{
    int n = 200, i = 1;
    br_tier_t tier = BR_TIER_AUTO;
    aos_t a = {.slice = 20000};
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-n") == 0)
            n = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-s") == 0)
            a.slice = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "-t") != 0 || parse_tier(argv[i + 1], &tier))
            break;
    }
    if (i + 1 != argc) {
        fprintf(stderr,
                "usage: %s [-n N] [-t interp|native|auto] "
                "[-s SLICE] aos.wasm\n",
                argv[0]);
        return 2;
    }
    size_t size = 0;
    unsigned char *bytes = read_file(argv[i], &size);
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = NULL;
    br_error_t err;
    br_wasi_t *wasi = NULL;
    if (bytes == NULL || br_module_new(e, bytes, size, &m, &err) != BR_ERR_OK)
        return fprintf(stderr, "%s: cannot load\n", argv[i]), 1;
    a.store = br_store_new(e, NULL);
    br_store_set_tier(a.store, tier);
    double t0 = cpu_ms(), w0 = now_ms();
    if (start(&a, e, m, &wasi) != 0 || message(&a) != 0)
        return fprintf(stderr, "first message failed\n"), 1;
    double t1 = cpu_ms(), w1 = now_ms();
    if (steady(&a, n) != 0)
        return 1;
    double t2 = cpu_ms(), w2 = now_ms();
    printf("start + first message %.1f ms CPU (%.1f wall); %d steady "
           "messages %.3f ms CPU each (%.3f wall)\n",
           t1 - t0, w1 - w0, n, n > 0 ? (t2 - t1) / n : 0.0,
           n > 0 ? (w2 - w1) / n : 0.0);
    br_exec_delete(a.exec);
    br_wasi_delete(wasi);
    br_store_delete(a.store);
    br_module_delete(m);
    br_engine_delete(e);
    free(bytes);
    return 0;
}
