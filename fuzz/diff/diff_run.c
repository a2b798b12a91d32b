/*
 * beamr differential fuzzing: runs a module made by `wasm-opt -ttf` the
 * way fuzz/diff/run.js runs it in node, and prints the same transcript:
 * for each exported function (in export order; not hangLimitInitializer,
 * none with a v128 parameter or result, which JS cannot call) the
 * hang-limit reset, the call with zero arguments, each value logged
 * through "fuzzing-support", then its results or its trap; at the end a
 * hash of the exported memory. A call that runs out of fuel or exhausts
 * the call stack ends the transcript with "inconclusive": where those
 * limits lie differs between engines.
 * Usage: diff-run MODULE.wasm
 * DIFF_TIER=native|auto runs it in that tier (test/native_diff.sh
 * compares the transcripts of the tiers).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beamr.h"
#include "fuzz_file.h"

#define FUEL 200000000 /* per call: far beyond what -ttf hang limits allow */
#define MAX_IMPORTS 64

static const char *log_names[] = {"log-i32", "log-i64", "log-f32",
                                  "log-f64", "log-v128"};

/* ------------------------------------------------------------------ */
/* Values, printed as run.js prints them                               */

/* Floats as bits; every NaN as "nan" (JS does not keep NaN payloads). */
static void
print_f32(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, 4);
    if (isnan(f))
        printf("f32:nan");
    else
        printf("f32:%08" PRIx32, bits);
}

static void
print_f64(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, 8);
    if (isnan(d))
        printf("f64:nan");
    else
        printf("f64:%016" PRIx64, bits);
}

static void
print_val(const br_val_t *v)
{
    switch (v->kind) {
    case BR_I32:
        printf("i32:%" PRId32, v->of.i32);
        break;
    case BR_I64:
        printf("i64:%" PRId64, v->of.i64);
        break;
    case BR_F32:
        print_f32(v->of.u32);
        break;
    case BR_F64:
        print_f64(v->of.u64);
        break;
    case BR_V128:
        printf("v128:");
        for (int i = 0; i < 4; i++) {
            uint32_t lane;
            memcpy(&lane, v->of.v128 + 4 * i, 4);
            printf("%s%" PRId32, i ? "," : "", (int32_t)lane);
        }
        break;
    default:
        printf("ref:%s", v->of.ref ? "nonnull" : "null");
        break;
    }
}

/* ------------------------------------------------------------------ */
/* The "fuzzing-support" imports                                       */

static br_host_status_t
log_value(void *env, br_exec_t *exec, const br_val_t *args,
          br_val_t *results)
{
    (void)env;
    (void)exec;
    (void)results;
    printf("log ");
    print_val(&args[0]);
    printf("\n");
    return BR_HOST_OK;
}

/* Links every import; false (printed) for one run.js would not provide. */
static bool
link(br_store_t *store, const br_module_t *m, br_extern_t *imports)
{
    uint32_t n = br_module_import_count(m);
    if (n > MAX_IMPORTS)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        br_name_t mod, field;
        br_externtype_t t;
        br_module_import(m, i, &mod, &field, &t);
        bool known = false;
        for (size_t k = 0; k < sizeof log_names / sizeof *log_names; k++)
            known |= field.size == strlen(log_names[k]) &&
                     memcmp(field.data, log_names[k], field.size) == 0;
        if (t.kind != BR_EXTERN_FUNC || !known) {
            printf("unsupported import %.*s.%.*s\n", (int)mod.size,
                   mod.data, (int)field.size, field.data);
            return false;
        }
        imports[i].kind = BR_EXTERN_FUNC;
        imports[i].of.func = br_func_new_host(store, &t.func, log_value,
                                              NULL);
        if (imports[i].of.func == NULL)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

static bool
has_v128(const br_functype_t *t)
{
    for (uint32_t i = 0; i < t->param_count; i++)
        if (t->params[i] == BR_V128)
            return true;
    for (uint32_t i = 0; i < t->result_count; i++)
        if (t->results[i] == BR_V128)
            return true;
    return false;
}

typedef enum outcome { CALL_DONE, CALL_TRAP, CALL_STOP } outcome_t;

/* Calls `f` with zeros; prints its results (if `print`) or its trap.
 * CALL_STOP when the transcript must end (inconclusive). */
static outcome_t
call(br_exec_t *exec, br_func_t *f, bool print)
{
    const br_functype_t *t = br_func_type(f);
    br_val_t args[64];
    if (t->param_count > 64)
        return CALL_STOP;
    memset(args, 0, sizeof args);
    for (uint32_t i = 0; i < t->param_count; i++)
        args[i].kind = t->params[i];
    if (br_exec_call(exec, f, args, t->param_count) != BR_ERR_OK)
        return CALL_STOP;
    br_status_t st = br_exec_run(exec, FUEL);
    if (st == BR_DONE) {
        if (print) {
            printf("result");
            for (size_t i = 0; i < br_exec_result_count(exec); i++) {
                printf(" ");
                print_val(&br_exec_results(exec)[i]);
            }
            printf("\n");
        }
        return CALL_DONE;
    }
    if (st == BR_TRAP) {
        br_trapkind_t k = br_exec_trap(exec)->kind;
        if (k == BR_TRAP_STACK_EXHAUSTED || k == BR_TRAP_OUT_OF_MEMORY) {
            printf("inconclusive %s\n", br_trap_atom(k));
            return CALL_STOP;
        }
        printf("trap %s\n", br_trap_atom(k));
        return CALL_TRAP;
    }
    printf("inconclusive %s\n", st == BR_YIELD ? "fuel" : "error");
    return CALL_STOP;
}

/* FNV-1a over the bytes of the memory export "memory", and its size. */
static void
print_memory(br_instance_t *inst)
{
    br_extern_t x;
    if (!br_instance_export(inst, "memory", 6, &x) ||
        x.kind != BR_EXTERN_MEMORY)
        return;
    const uint8_t *p = br_memory_data(x.of.memory);
    uint64_t n = br_memory_size(x.of.memory);
    uint32_t h = 2166136261u;
    for (uint64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    printf("memory %" PRIu64 " %08" PRIx32 "\n", n, h);
    /* DIFF_DUMP=FILE: the memory's bytes, to find where engines differ */
    const char *dump = getenv("DIFF_DUMP");
    FILE *f = dump != NULL ? fopen(dump, "wb") : NULL;
    if (f != NULL) {
        if (fwrite(p, 1, (size_t)n, f) != (size_t)n)
            perror(dump);
        fclose(f);
    }
}

static int
run(br_store_t *store, br_instance_t *inst)
{
    br_exec_t *exec = br_exec_new(store);
    br_extern_t reset;
    bool has_reset = br_instance_export(inst, "hangLimitInitializer", 20,
                                        &reset) &&
                     reset.kind == BR_EXTERN_FUNC;
    const br_module_t *m = br_instance_module(inst);
    bool go = exec != NULL;
    /* a start function that traps fails the instantiation in JS */
    br_func_t *start = br_instance_start_func(inst);
    if (go && start != NULL)
        go = call(exec, start, false) == CALL_DONE;
    for (uint32_t i = 0; go && i < br_module_export_count(m); i++) {
        br_name_t name;
        br_externtype_t t;
        br_extern_t x;
        br_module_export(m, i, &name, &t);
        br_instance_export_at(inst, i, &x);
        if (x.kind != BR_EXTERN_FUNC || has_v128(&t.func) ||
            (name.size == 20 &&
             memcmp(name.data, "hangLimitInitializer", 20) == 0))
            continue;
        printf("call %.*s\n", (int)name.size, name.data);
        if (has_reset && call(exec, reset.of.func, false) != CALL_DONE) {
            go = false;
            break;
        }
        go = call(exec, x.of.func, true) != CALL_STOP;
    }
    if (go)
        print_memory(inst);
    if (exec != NULL)
        br_exec_delete(exec);
    return 0;
}

int
main(int argc, char **argv)
{
    size_t size = 0;
    uint8_t *bytes = argc == 2 ? fuzz_read_file(argv[1], &size) : NULL;
    if (bytes == NULL) {
        fprintf(stderr, "usage: diff-run MODULE.wasm\n");
        return 2;
    }
    br_config_t cfg = {0};
    const char *tier = getenv("DIFF_TIER");
    if (tier != NULL)
        cfg.tier = strcmp(tier, "native") == 0 ? BR_TIER_NATIVE
                   : strcmp(tier, "auto") == 0 ? BR_TIER_AUTO
                                               : BR_TIER_INTERP;
    br_engine_t *e = br_engine_new(&cfg);
    br_module_t *m = NULL;
    br_store_t *store = NULL;
    br_instance_t *inst = NULL;
    br_extern_t imports[MAX_IMPORTS];
    br_error_t err;
    br_trap_t trap;
    if (br_module_new(e, bytes, size, &m, &err) != BR_ERR_OK)
        printf("invalid %s\n", br_err_atom(err.code));
    else if ((store = br_store_new(e, NULL)) != NULL &&
             link(store, m, imports) &&
             br_instance_new(store, m, imports, br_module_import_count(m),
                             &inst, &err, &trap) == BR_ERR_OK)
        run(store, inst);
    else if (store != NULL)
        printf("uninstantiable\n");
    fflush(stdout);
    if (store != NULL)
        br_store_delete(store);
    if (m != NULL)
        br_module_delete(m);
    br_engine_delete(e);
    free(bytes);
    return 0;
}
