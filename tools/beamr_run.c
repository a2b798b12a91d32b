/*
 * beamr-run: loads a module without imports, runs its start function and
 * one export with arguments from the command line, and prints results.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../c_src/engine/beamr.h"

/* Exit statuses. */
#define EXIT_OK 0
#define EXIT_TRAP 1
#define EXIT_USAGE 2

/* Fuel per br_exec_run call: the loop yields at this granularity, which
 * is what lets --fuel stop a run between slices. */
#define FUEL_SLICE (1 << 20)

#define MAX_VALUES 64

typedef struct options {
    const char *path;
    const char *func;
    char **args;
    int arg_count;
    int64_t fuel;          /* < 0: unlimited */
    uint64_t max_pages;    /* 0: spec maximum */
} options_t;

typedef struct runner {
    br_engine_t *engine;
    br_module_t *module;
    br_store_t *store;
    br_exec_t *exec;
    uint8_t *bytes;
    int64_t fuel_left;     /* < 0: unlimited */
} runner_t;

static void
usage(void)
{
    fprintf(stderr,
            "usage: beamr-run [--fuel N] [--max-pages N] module.wasm "
            "function [arg...]\n"
            "  args: i32/i64 in decimal or 0x hex, f32/f64 in decimal "
            "(nan, inf), refs as null\n");
}

/* ------------------------------------------------------------------ */
/* Command line and file                                               */

static bool
parse_u64(const char *s, uint64_t *out)
{
    if (*s == '\0' || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* Options first, then the module path, the function and its args. */
static bool
parse_options(int argc, char **argv, options_t *o)
{
    memset(o, 0, sizeof *o);
    o->fuel = -1;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        uint64_t v;
        if (i + 1 >= argc || !parse_u64(argv[i + 1], &v))
            return false;
        if (strcmp(argv[i], "--fuel") == 0 && v <= INT64_MAX)
            o->fuel = (int64_t)v;
        else if (strcmp(argv[i], "--max-pages") == 0 && v != 0)
            o->max_pages = v;
        else
            return false;
    }
    if (argc - i < 2)
        return false;
    o->path = argv[i];
    o->func = argv[i + 1];
    o->args = argv + i + 2;
    o->arg_count = argc - i - 2;
    return true;
}

static uint8_t *
read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *bigger = realloc(buf, cap);
            if (bigger == NULL)
                break;
            buf = bigger;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            bool ok = !ferror(f);
            fclose(f);
            if (!ok) {
                free(buf);
                return NULL;
            }
            *size = len;
            return buf ? buf : malloc(1);
        }
    }
    fclose(f);
    free(buf);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

/* i32/i64: decimal or 0x hex, optionally negative; the range is the
 * union of the signed and unsigned ranges of `bits`. */
static bool
parse_int(const char *s, unsigned bits, uint64_t *out)
{
    bool neg = *s == '-';
    const char *p = neg ? s + 1 : s;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (*p == '\0' || *p == '-' || *p == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, base);
    if (errno != 0 || *end != '\0')
        return false;
    uint64_t umax = bits == 32 ? UINT32_MAX : UINT64_MAX;
    uint64_t nmax = (uint64_t)1 << (bits - 1); /* |most negative| */
    if ((!neg && v > umax) || (neg && v > nmax))
        return false;
    *out = neg ? (uint64_t)0 - v : v;
    if (bits == 32)
        *out &= UINT32_MAX;
    return true;
}

static bool
parse_value(const char *s, br_valkind_t kind, br_val_t *out)
{
    char *end;
    memset(out, 0, sizeof *out);
    out->kind = kind;
    switch (kind) {
    case BR_I32:
        return parse_int(s, 32, &out->of.u64);
    case BR_I64:
        return parse_int(s, 64, &out->of.u64);
    case BR_F32:
        out->of.f32 = strtof(s, &end);
        return *s != '\0' && *end == '\0';
    case BR_F64:
        out->of.f64 = strtod(s, &end);
        return *s != '\0' && *end == '\0';
    case BR_FUNCREF:
    case BR_EXTERNREF:
        return strcmp(s, "null") == 0;
    default:
        return false; /* v128 arguments are not supported */
    }
}

static void
print_value(const br_val_t *v)
{
    switch (v->kind) {
    case BR_I32:
        printf("i32:%" PRId32 "\n", v->of.i32);
        break;
    case BR_I64:
        printf("i64:%" PRId64 "\n", v->of.i64);
        break;
    case BR_F32:
        if (isnan(v->of.f32))
            printf("f32:nan (0x%08" PRIx32 ")\n", v->of.u32);
        else
            printf("f32:%.17g\n", (double)v->of.f32);
        break;
    case BR_F64:
        if (isnan(v->of.f64))
            printf("f64:nan (0x%016" PRIx64 ")\n", v->of.u64);
        else
            printf("f64:%.17g\n", v->of.f64);
        break;
    case BR_V128:
        printf("v128:0x");
        for (int i = 15; i >= 0; i--)
            printf("%02x", v->of.v128[i]);
        printf("\n");
        break;
    default:
        if (v->of.ref == NULL)
            printf("%s:null\n", v->kind == BR_FUNCREF ? "funcref"
                                                     : "externref");
        else
            printf("%s:%p\n", v->kind == BR_FUNCREF ? "funcref"
                                                   : "externref",
                   v->of.ref);
        break;
    }
}

static int
print_trap(const br_trap_t *trap)
{
    const char *msg = trap->message[0] ? trap->message
                                       : br_trap_message(trap->kind);
    fprintf(stderr, "trap: %s\n", msg);
    uint32_t n = trap->frame_count;
    if (n > BR_TRAP_MAX_FRAMES)
        n = BR_TRAP_MAX_FRAMES;
    for (uint32_t i = 0; i < n; i++)
        fprintf(stderr, "  at func[%" PRIu32 "]+0x%" PRIx32 "\n",
                trap->frames[i].func_index, trap->frames[i].code_offset);
    return EXIT_TRAP;
}

/* ------------------------------------------------------------------ */
/* Loading and running                                                 */

static int
load_error(const char *path, const br_error_t *err)
{
    fprintf(stderr, "beamr-run: %s: %s", path, err->message);
    fprintf(stderr, " (offset 0x%" PRIx64, err->offset);
    if (err->func_index >= 0)
        fprintf(stderr, ", function %" PRId64, err->func_index);
    fprintf(stderr, ")\n");
    return EXIT_USAGE;
}

/* Runs `func` to completion in fuel slices; returns an exit status. */
static int
run_call(runner_t *r, br_func_t *func, const br_val_t *args, size_t n,
         bool print)
{
    br_err_t err = br_exec_call(r->exec, func, args, n);
    if (err != BR_ERR_OK) {
        fprintf(stderr, "beamr-run: call failed: %s\n",
                br_err_message(err));
        return EXIT_USAGE;
    }
    br_status_t st;
    do {
        int64_t slice = FUEL_SLICE;
        if (r->fuel_left >= 0 && r->fuel_left < slice)
            slice = r->fuel_left;
        st = br_exec_run(r->exec, slice);
        if (r->fuel_left >= 0) {
            r->fuel_left -= br_exec_fuel_used(r->exec);
            if (r->fuel_left < 0)
                r->fuel_left = 0;
        }
    } while (st == BR_YIELD && r->fuel_left != 0);
    switch (st) {
    case BR_DONE:
        for (size_t i = 0; print && i < br_exec_result_count(r->exec); i++)
            print_value(&br_exec_results(r->exec)[i]);
        return EXIT_OK;
    case BR_TRAP:
        return print_trap(br_exec_trap(r->exec));
    case BR_YIELD:
        fprintf(stderr, "trap: out of fuel\n");
        return EXIT_TRAP;
    default:
        fprintf(stderr, "beamr-run: execution failed: %s\n",
                br_err_message(br_exec_error(r->exec)));
        return EXIT_USAGE;
    }
}

/* Engine, module, store and exec; exit status on failure, else -1. */
static int
load(runner_t *r, const options_t *o)
{
    size_t size = 0;
    r->bytes = read_file(o->path, &size);
    if (r->bytes == NULL) {
        fprintf(stderr, "beamr-run: cannot read %s: %s\n", o->path,
                strerror(errno));
        return EXIT_USAGE;
    }
    br_limits_t limits;
    memset(&limits, 0, sizeof limits);
    limits.max_memory_pages = o->max_pages;
    br_error_t err;
    memset(&err, 0, sizeof err);
    r->engine = br_engine_new(NULL);
    if (r->engine == NULL) {
        fprintf(stderr, "beamr-run: out of memory\n");
        return EXIT_USAGE;
    }
    if (br_module_new(r->engine, r->bytes, size, &r->module, &err) !=
        BR_ERR_OK)
        return load_error(o->path, &err);
    if (br_module_import_count(r->module) != 0) {
        br_name_t mod, name;
        br_externtype_t type;
        br_module_import(r->module, 0, &mod, &name, &type);
        fprintf(stderr, "beamr-run: unknown import %.*s.%.*s\n",
                (int)mod.size, mod.data, (int)name.size, name.data);
        return EXIT_USAGE;
    }
    r->store = br_store_new(r->engine, &limits);
    r->exec = r->store ? br_exec_new(r->store) : NULL;
    if (r->exec == NULL) {
        fprintf(stderr, "beamr-run: out of memory\n");
        return EXIT_USAGE;
    }
    return -1;
}

/* Instantiates, runs the start function, then the requested export. */
static int
run(runner_t *r, const options_t *o)
{
    br_instance_t *inst;
    br_error_t err;
    br_trap_t trap;
    memset(&trap, 0, sizeof trap);
    if (br_instance_new(r->store, r->module, NULL, 0, &inst, &err,
                        &trap) != BR_ERR_OK) {
        if (trap.kind != BR_TRAP_NONE)
            return print_trap(&trap);
        return load_error(o->path, &err);
    }
    br_func_t *start = br_instance_start_func(inst);
    if (start != NULL) {
        int status = run_call(r, start, NULL, 0, false);
        if (status != EXIT_OK)
            return status;
    }
    br_extern_t ext;
    if (!br_instance_export(inst, o->func, strlen(o->func), &ext) ||
        ext.kind != BR_EXTERN_FUNC) {
        fprintf(stderr, "beamr-run: no exported function %s\n", o->func);
        return EXIT_USAGE;
    }
    const br_functype_t *type = br_func_type(ext.of.func);
    if ((uint32_t)o->arg_count != type->param_count ||
        o->arg_count > MAX_VALUES) {
        fprintf(stderr, "beamr-run: %s takes %" PRIu32 " arguments, %d "
                "given\n", o->func, type->param_count, o->arg_count);
        return EXIT_USAGE;
    }
    br_val_t args[MAX_VALUES];
    for (int i = 0; i < o->arg_count; i++) {
        if (!parse_value(o->args[i], type->params[i], &args[i])) {
            fprintf(stderr, "beamr-run: bad argument %d: %s\n", i + 1,
                    o->args[i]);
            return EXIT_USAGE;
        }
    }
    return run_call(r, ext.of.func, args, (size_t)o->arg_count, true);
}

static void
cleanup(runner_t *r)
{
    if (r->exec != NULL)
        br_exec_delete(r->exec);
    br_store_delete(r->store);
    if (r->module != NULL)
        br_module_delete(r->module);
    if (r->engine != NULL)
        br_engine_delete(r->engine);
    free(r->bytes);
}

int
main(int argc, char **argv)
{
    options_t o;
    if (!parse_options(argc, argv, &o)) {
        usage();
        return EXIT_USAGE;
    }
    runner_t r;
    memset(&r, 0, sizeof r);
    r.fuel_left = o.fuel;
    int status = load(&r, &o);
    if (status < 0)
        status = run(&r, &o);
    cleanup(&r);
    fflush(stdout);
    return status;
}
