/*
 * beamr-run: runs a WebAssembly module from the command line: a WASI
 * program's `_start` (stdio inherited, directories preopened), or one
 * export with arguments; loads and writes compiled modules (aot); reads
 * modules in the text format (.wat) too, and runs .wast scripts with
 * the spec runner (--wast).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../c_src/engine/beamr.h"
#include "../c_src/engine/text/br_text.h"
#include "../c_src/engine/wasi/beamr_wasi.h"
#include "../test/spec/runner.h"

/* Exit statuses (a WASI program's own status replaces EXIT_OK). */
#define EXIT_OK 0
#define EXIT_TRAP 1
#define EXIT_USAGE 2

/* Fuel per br_exec_run call: the loop yields at this granularity, which
 * is what lets --fuel stop a run between slices. */
#define FUEL_SLICE (1 << 20)

#define MAX_VALUES 64
#define MAX_DIRS 64
#define MAX_ENV 256

/* The first bytes of a compiled-module file (br_module_serialize). */
#define AOT_MAGIC "BEAMRAOT"

typedef struct options {
    const char *path;
    const char *func; /* NULL: run `_start` as a WASI program */
    char **args;      /* the function's arguments or the program's */
    int arg_count;
    int64_t fuel;       /* < 0: unlimited */
    uint64_t max_pages; /* 0: spec maximum */
    br_wasi_preopen_t dirs[MAX_DIRS];
    size_t dir_count;
    bool no_cwd;
    br_name_t env[MAX_ENV];
    size_t env_count;
    const char *aot_out;
    bool time;
    bool compile_only;
    br_tier_t tier; /* --tier */
} options_t;

typedef struct runner {
    br_engine_t *engine;
    br_module_t *module;
    br_store_t *store;
    br_exec_t *exec;
    br_wasi_t *wasi;
    br_instance_t *inst;
    uint8_t *bytes;
    uint8_t *text; /* the WAT source of `bytes`, or NULL */
    size_t text_size;
    int64_t fuel_left;                      /* < 0: unlimited */
    double t_compile, t_instantiate, t_run; /* seconds */
    bool loaded_aot;
} runner_t;

static void
usage(void)
{
    fprintf(stderr,
            "usage: beamr-run [options] prog.wasm [-- arg...]\n"
            "       beamr-run [options] module.wasm function [arg...]\n"
            "       beamr-run --wast script.wast...   run spec scripts; "
            "prints each\n"
            "                     failure and \"N passed, M failed\"\n"
            "  -- arg...          run _start as a WASI program with these "
            "arguments\n"
            "                     (also the default when the module "
            "imports WASI)\n"
            "  --dir GUEST=HOST   preopen HOST as GUEST (repeatable)\n"
            "  --dir-ro GUEST=HOST  the same, read-only\n"
            "  --no-cwd           do not preopen the current directory "
            "as \".\"\n"
            "  --env NAME=VALUE   add to the program's environment "
            "(repeatable)\n"
            "  --fuel N           stop (exit 1) after about N "
            "instructions\n"
            "  --max-pages N      limit every memory to N pages\n"
            "  --aot-out FILE     write the compiled module to FILE and "
            "exit\n"
            "  --compile-only     compile (or load) and exit\n"
            "  --tier T           auto (default: machine code for hot "
            "functions),\n"
            "                     native (x86-64 machine code) or "
            "interp\n"
            "  --time             print compile/instantiate/run times to "
            "stderr\n"
            "  function args: i32/i64 in decimal or 0x hex, f32/f64 in "
            "decimal (nan, inf), refs as null\n"
            "  a file starting with " AOT_MAGIC " is loaded as a compiled "
            "module,\n"
            "  one without the binary magic is read as WAT text\n");
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */

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

static br_name_t
name_of(const char *s, size_t n)
{
    br_name_t name = {n, s};
    return name;
}

/* GUEST=HOST, or one path serving as both. */
static bool
add_dir(options_t *o, const char *spec, bool read_only)
{
    if (o->dir_count == MAX_DIRS || *spec == '\0')
        return false;
    br_wasi_preopen_t *d = &o->dirs[o->dir_count++];
    const char *eq = strchr(spec, '=');
    d->guest_path = name_of(spec, eq ? (size_t)(eq - spec) : strlen(spec));
    d->host_path = eq ? name_of(eq + 1, strlen(eq + 1)) : d->guest_path;
    d->read_only = read_only;
    return d->guest_path.size != 0 && d->host_path.size != 0;
}

static bool
add_env(options_t *o, const char *spec)
{
    if (o->env_count == MAX_ENV || strchr(spec, '=') == NULL || spec[0] == '=')
        return false;
    o->env[o->env_count++] = name_of(spec, strlen(spec));
    return true;
}

/* An option taking a value; false if it is unknown or malformed. */
static bool
value_option(options_t *o, const char *opt, const char *v)
{
    uint64_t n;
    if (strcmp(opt, "--fuel") == 0)
        return parse_u64(v, &n) && n <= INT64_MAX &&
               (o->fuel = (int64_t)n, true);
    if (strcmp(opt, "--max-pages") == 0)
        return parse_u64(v, &n) && n != 0 && (o->max_pages = n, true);
    if (strcmp(opt, "--dir") == 0 || strcmp(opt, "--dir-ro") == 0)
        return add_dir(o, v, opt[5] == '-');
    if (strcmp(opt, "--env") == 0)
        return add_env(o, v);
    if (strcmp(opt, "--aot-out") == 0)
        return (o->aot_out = v, true);
    if (strcmp(opt, "--tier") == 0) {
        static const char *const tiers[] = {"interp", "native", "auto"};
        for (int k = 0; k < 3; k++)
            if (strcmp(v, tiers[k]) == 0)
                return (o->tier = (br_tier_t)k, true);
    }
    return false;
}

static bool
flag_option(options_t *o, const char *opt)
{
    if (strcmp(opt, "--no-cwd") == 0)
        o->no_cwd = true;
    else if (strcmp(opt, "--time") == 0)
        o->time = true;
    else if (strcmp(opt, "--compile-only") == 0)
        o->compile_only = true;
    else
        return false;
    return true;
}

/* Options first, then the module path, then `-- args` (a WASI
 * program), `function args`, or nothing. */
static bool
parse_options(int argc, char **argv, options_t *o)
{
    memset(o, 0, sizeof *o);
    o->fuel = -1;
    o->tier = BR_TIER_AUTO; /* machine code for what runs hot */
    int i = 1;
    while (i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]) {
        if (flag_option(o, argv[i]))
            i += 1;
        else if (i + 1 < argc && value_option(o, argv[i], argv[i + 1]))
            i += 2;
        else
            return false;
    }
    if (i >= argc)
        return false;
    o->path = argv[i++];
    if (i < argc && strcmp(argv[i], "--") == 0) {
        i++;
    } else if (i < argc) {
        o->func = argv[i++];
    }
    o->args = argv + i;
    o->arg_count = argc - i;
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

static bool
write_file(const char *path, const uint8_t *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return false;
    bool ok = fwrite(bytes, 1, size, f) == size;
    return fclose(f) == 0 && ok;
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
    case BR_EXNREF:
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
    default: {
        const char *k = v->kind == BR_FUNCREF  ? "funcref"
                        : v->kind == BR_EXNREF ? "exnref"
                                               : "externref";
        if (v->of.ref == NULL)
            printf("%s:null\n", k);
        else
            printf("%s:%p\n", k, v->of.ref);
        break;
    }
    }
}

static int
print_trap(const br_trap_t *trap)
{
    const char *msg =
        trap->message[0] ? trap->message : br_trap_message(trap->kind);
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
/* Loading                                                             */

static int
load_error(const char *path, const br_error_t *err)
{
    if (err->line != 0) /* from text: where, as for text errors */
        fprintf(stderr, "beamr-run: %s:%u:%u: %s", path, err->line, err->column,
                err->message);
    else
        fprintf(stderr, "beamr-run: %s: %s", path, err->message);
    fprintf(stderr, " (offset 0x%" PRIx64, err->offset);
    if (err->func_index >= 0)
        fprintf(stderr, ", function %" PRId64, err->func_index);
    fprintf(stderr, ")\n");
    return EXIT_USAGE;
}

static int
out_of_memory(void)
{
    fprintf(stderr, "beamr-run: out of memory\n");
    return EXIT_USAGE;
}

/* Text (no binary or aot magic): replaces the bytes by their binary
 * encoding, keeping the text (r->text) to place compile errors in it.
 * Returns an exit status, or -1 when the bytes are binary. */
static int
text_to_binary(runner_t *r, const options_t *o, size_t *size)
{
    br_text_error_t terr;
    uint8_t *bin;
    size_t bin_size;
    if (br_is_binary(r->bytes, *size) ||
        (*size >= 8 && memcmp(r->bytes, AOT_MAGIC, 8) == 0))
        return -1;
    if (br_wat_to_wasm(r->engine, (const char *)r->bytes, *size, &bin,
                       &bin_size, &terr) != BR_TEXT_ERR_OK) {
        fprintf(stderr, "beamr-run: %s:%u:%u: %s\n", o->path, terr.line,
                terr.column, terr.message);
        return EXIT_USAGE;
    }
    r->text = r->bytes;
    r->text_size = *size;
    r->bytes = malloc(bin_size ? bin_size : 1);
    if (r->bytes)
        memcpy(r->bytes, bin, bin_size);
    br_engine_free_buffer(r->engine, bin, bin_size);
    *size = bin_size;
    return r->bytes ? -1 : out_of_memory();
}

/* Compiles the binary (or the text's encoding), or loads it if it is a
 * compiled module. */
static int
load_module(runner_t *r, const options_t *o)
{
    size_t size = 0;
    r->bytes = read_file(o->path, &size);
    if (r->bytes == NULL) {
        fprintf(stderr, "beamr-run: cannot read %s: %s\n", o->path,
                strerror(errno));
        return EXIT_USAGE;
    }
    r->engine = br_engine_new(NULL);
    if (r->engine == NULL)
        return out_of_memory();
    int text_status = text_to_binary(r, o, &size);
    if (text_status >= 0)
        return text_status;
    br_error_t err;
    memset(&err, 0, sizeof err);
    r->loaded_aot = size >= 8 && memcmp(r->bytes, AOT_MAGIC, 8) == 0;
    double t0 = now();
    br_err_t rc =
        r->loaded_aot
            ? br_module_deserialize(r->engine, r->bytes, size, &r->module, &err)
            : br_module_new(r->engine, r->bytes, size, &r->module, &err);
    r->t_compile = now() - t0;
    if (rc != BR_ERR_OK && r->text != NULL)
        br_wat_locate(r->engine, (const char *)r->text, r->text_size, &err);
    return rc == BR_ERR_OK ? -1 : load_error(o->path, &err);
}

static int
write_aot(const runner_t *r, const char *path)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    if (br_module_serialize(r->module, &bytes, &size) != BR_ERR_OK)
        return out_of_memory();
    bool ok = write_file(path, bytes, size);
    br_engine_free_buffer(r->engine, bytes, size);
    if (!ok) {
        fprintf(stderr, "beamr-run: cannot write %s: %s\n", path,
                strerror(errno));
        return EXIT_USAGE;
    }
    return -1;
}

static bool
imports_wasi(const br_module_t *m)
{
    for (uint32_t i = 0; i < br_module_import_count(m); i++) {
        br_name_t mod;
        br_module_import(m, i, &mod, NULL, NULL);
        if (br_wasi_is_module(mod))
            return true;
    }
    return false;
}

/* The WASI environment: argv[0] is the module path; stdio inherited;
 * "." is the current directory unless --no-cwd. */
static int
make_wasi(runner_t *r, const options_t *o)
{
    br_name_t args[MAX_VALUES + 1];
    size_t n = 0;
    args[n++] = name_of(o->path, strlen(o->path));
    for (int i = 0; i < o->arg_count && n <= MAX_VALUES; i++)
        args[n++] = name_of(o->args[i], strlen(o->args[i]));
    if ((size_t)o->arg_count + 1 > n) {
        fprintf(stderr, "beamr-run: at most %d arguments\n", MAX_VALUES);
        return EXIT_USAGE;
    }
    br_wasi_preopen_t dirs[MAX_DIRS + 1];
    size_t nd = 0;
    if (!o->no_cwd)
        dirs[nd++] =
            (br_wasi_preopen_t){name_of(".", 1), name_of(".", 1), false};
    for (size_t i = 0; i < o->dir_count; i++)
        dirs[nd++] = o->dirs[i];
    br_wasi_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.arg_count = n;
    cfg.args = args;
    cfg.env_count = o->env_count;
    cfg.env = o->env;
    cfg.preopen_count = nd;
    cfg.preopens = dirs;
    cfg.stdin_mode = BR_WASI_IN_INHERIT;
    cfg.out[0].mode = BR_WASI_OUT_INHERIT;
    cfg.out[1].mode = BR_WASI_OUT_INHERIT;
    br_error_t err;
    r->wasi = br_wasi_new(r->store, &cfg, &err);
    if (r->wasi == NULL)
        return load_error(o->path, &err);
    return -1;
}

/* WASI imports (if any); any other import is an error. */
static int
link_imports(runner_t *r, const options_t *o, br_extern_t *imports,
             uint32_t count)
{
    memset(imports, 0, count * sizeof *imports);
    if (imports_wasi(r->module)) {
        int status = make_wasi(r, o);
        if (status >= 0)
            return status;
        br_error_t err;
        if (br_wasi_link(r->wasi, r->module, imports, count, &err) != BR_ERR_OK)
            return load_error(o->path, &err);
    }
    for (uint32_t i = 0; i < count; i++) {
        if (imports[i].of.func != NULL)
            continue;
        br_name_t mod, name;
        br_module_import(r->module, i, &mod, &name, NULL);
        fprintf(stderr, "beamr-run: unknown import %.*s.%.*s\n", (int)mod.size,
                mod.data, (int)name.size, name.data);
        return EXIT_USAGE;
    }
    return -1;
}

/* Store, exec, imports and the instance. */
static int
instantiate(runner_t *r, const options_t *o)
{
    br_limits_t limits;
    memset(&limits, 0, sizeof limits);
    limits.max_memory_pages = o->max_pages;
    r->store = br_store_new(r->engine, &limits);
    if (r->store != NULL)
        br_store_set_tier(r->store, o->tier);
    r->exec = r->store ? br_exec_new(r->store) : NULL;
    uint32_t count = br_module_import_count(r->module);
    br_extern_t *imports = calloc(count ? count : 1, sizeof *imports);
    if (r->exec == NULL || imports == NULL) {
        free(imports);
        return out_of_memory();
    }
    double t0 = now();
    int status = link_imports(r, o, imports, count);
    br_error_t err;
    br_trap_t trap;
    memset(&trap, 0, sizeof trap);
    if (status < 0 && br_instance_new(r->store, r->module, imports, count,
                                      &r->inst, &err, &trap) != BR_ERR_OK)
        status = trap.kind != BR_TRAP_NONE ? print_trap(&trap)
                                           : load_error(o->path, &err);
    free(imports);
    r->t_instantiate = now() - t0;
    if (status < 0 && r->wasi != NULL)
        br_wasi_set_memory(r->wasi, br_instance_memory(r->inst, 0));
    return status;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

/* The status of a finished run: a WASI exit is the program's own. */
static int
run_outcome(runner_t *r, br_status_t st, bool print)
{
    switch (st) {
    case BR_DONE:
        for (size_t i = 0; print && i < br_exec_result_count(r->exec); i++)
            print_value(&br_exec_results(r->exec)[i]);
        return EXIT_OK;
    case BR_TRAP:
        if (br_exec_trap(r->exec)->kind == BR_TRAP_EXIT)
            return br_exec_trap(r->exec)->exit_code;
        return print_trap(br_exec_trap(r->exec));
    case BR_YIELD:
        fprintf(stderr, "trap: out of fuel\n");
        return EXIT_TRAP;
    case BR_IMPORT:
        fprintf(stderr, "beamr-run: a host function suspended\n");
        return EXIT_USAGE;
    default:
        fprintf(stderr, "beamr-run: execution failed: %s\n",
                br_err_message(br_exec_error(r->exec)));
        return EXIT_USAGE;
    }
}

/* Runs `func` to completion in fuel slices; returns an exit status. */
static int
run_call(runner_t *r, br_func_t *func, const br_val_t *args, size_t n,
         bool print)
{
    br_err_t err = br_exec_call(r->exec, func, args, n);
    if (err != BR_ERR_OK) {
        fprintf(stderr, "beamr-run: call failed: %s\n", br_err_message(err));
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
    return run_outcome(r, st, print);
}

static br_func_t *
export_func(runner_t *r, const char *name)
{
    br_extern_t ext;
    if (!br_instance_export(r->inst, name, strlen(name), &ext) ||
        ext.kind != BR_EXTERN_FUNC)
        return NULL;
    return ext.of.func;
}

/* The named export with arguments parsed by its type. */
static int
run_export(runner_t *r, const options_t *o)
{
    br_func_t *func = export_func(r, o->func);
    if (func == NULL) {
        fprintf(stderr, "beamr-run: no exported function %s\n", o->func);
        return EXIT_USAGE;
    }
    const br_functype_t *type = br_func_type(func);
    if ((uint32_t)o->arg_count != type->param_count ||
        o->arg_count > MAX_VALUES) {
        fprintf(stderr,
                "beamr-run: %s takes %" PRIu32 " arguments, %d "
                "given\n",
                o->func, type->param_count, o->arg_count);
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
    return run_call(r, func, args, (size_t)o->arg_count, true);
}

/* The start function, then the named export or a WASI `_start`. */
static int
run(runner_t *r, const options_t *o)
{
    double t0 = now();
    int status = EXIT_OK;
    br_func_t *start = br_instance_start_func(r->inst);
    if (start != NULL)
        status = run_call(r, start, NULL, 0, false);
    if (status == EXIT_OK && o->func != NULL) {
        status = run_export(r, o);
    } else if (status == EXIT_OK) {
        br_func_t *entry = export_func(r, "_start");
        if (entry == NULL) {
            fprintf(stderr,
                    "beamr-run: %s exports no _start; name a "
                    "function to call\n",
                    o->path);
            status = EXIT_USAGE;
        } else {
            status = run_call(r, entry, NULL, 0, false);
        }
    }
    r->t_run = now() - t0;
    return status;
}

static void
print_times(const runner_t *r, const options_t *o)
{
    fprintf(stderr, "beamr-run: %s %.3f ms", r->loaded_aot ? "load" : "compile",
            r->t_compile * 1e3);
    if (!o->compile_only && o->aot_out == NULL)
        fprintf(stderr, ", instantiate %.3f ms, run %.3f ms",
                r->t_instantiate * 1e3, r->t_run * 1e3);
    if (r->module != NULL && o->tier != BR_TIER_INTERP) {
        uint32_t funcs = 0;
        size_t code = 0, mapped = 0;
        br_module_native_info(r->module, &funcs, &code, &mapped);
        fprintf(stderr, ", native: %u functions, %zu bytes of code",
                funcs, code);
    }
    fprintf(stderr, "\n");
}

static void
cleanup(runner_t *r)
{
    if (r->exec != NULL)
        br_exec_delete(r->exec);
    if (r->wasi != NULL)
        br_wasi_delete(r->wasi);
    br_store_delete(r->store);
    if (r->module != NULL)
        br_module_delete(r->module);
    if (r->engine != NULL)
        br_engine_delete(r->engine);
    free(r->bytes);
    free(r->text);
}

int
main(int argc, char **argv)
{
    options_t o;
    /* scripts: the spec runner's own command line after --wast */
    if (argc >= 3 && strcmp(argv[1], "--wast") == 0) {
        argv[1] = argv[0];
        return spec_main(argc - 1, argv + 1);
    }
    if (!parse_options(argc, argv, &o)) {
        usage();
        return EXIT_USAGE;
    }
    runner_t r;
    memset(&r, 0, sizeof r);
    r.fuel_left = o.fuel;
    int status = load_module(&r, &o);
    if (status < 0 && o.aot_out != NULL)
        status = write_aot(&r, o.aot_out);
    bool only = o.compile_only || o.aot_out != NULL;
    if (status < 0 && !only)
        status = instantiate(&r, &o);
    if (status < 0 && !only)
        status = run(&r, &o);
    if (status < 0)
        status = EXIT_OK;
    if (o.time && r.module != NULL)
        print_times(&r, &o);
    fflush(stdout);
    cleanup(&r);
    return status;
}
