/*
 * beamr WASI test driver: runs every case of test/wasi/cases.txt through
 * the engine (same argv, env, stdin and preopened directories as
 * record.sh gives node:wasi) and compares stdout, stderr and exit code.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beamr.h"
#include "beamr_wasi.h"

#define MAX_WORDS 16
#define MAX_PREOPENS 4

typedef struct buf {
    uint8_t *data;
    size_t size;
} buf_t;

typedef struct test_case {
    char line[1024];
    char *name, *prog, *argv, *env, *in, *preopens, *source;
} test_case_t;

typedef struct result {
    buf_t out, err;
    int exit_code;
    char problem[200]; /* non-empty: the run itself failed */
} result_t;

static int passed, failed;

static bool
read_file(const char *path, buf_t *b)
{
    FILE *f = fopen(path, "rb");
    b->data = NULL;
    b->size = 0;
    if (f == NULL)
        return false;
    size_t cap = 0;
    for (;;) {
        if (b->size == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *p = realloc(b->data, cap);
            if (p == NULL)
                break;
            b->data = p;
        }
        size_t n = fread(b->data + b->size, 1, cap - b->size, f);
        if (n == 0)
            break;
        b->size += n;
    }
    fclose(f);
    return true;
}

/* Splits on spaces into br_name_t words (pointing into `s`). */
static size_t
split_words(char *s, br_name_t *out)
{
    size_t n = 0;
    for (char *w = strtok(s, " "); w && n < MAX_WORDS; w = strtok(NULL, " "))
        out[n++] = (br_name_t){strlen(w), w};
    return n;
}

static bool
parse_case(char *line, test_case_t *c)
{
    char **fields[7] = {&c->name, &c->prog, &c->argv, &c->env, &c->in,
                        &c->preopens, &c->source};
    line[strcspn(line, "\n")] = 0;
    if (line[0] == '#' || line[0] == 0)
        return false;
    snprintf(c->line, sizeof c->line, "%s", line);
    char *p = c->line;
    for (int i = 0; i < 7; i++) {
        *fields[i] = p;
        p = p ? strchr(p, '|') : NULL;
        if (p)
            *p++ = 0;
    }
    return c->source != NULL;
}

/* ------------------------------------------------------------------ */
/* Directories: the same layout record.sh makes                        */

static bool
write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return false;
    fputs(text, f);
    return fclose(f) == 0;
}

static bool
make_dirs(const char *root)
{
    char p[512], q[512];
    const char *sub[] = {"sandbox", "ro", "outside"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", root, sub[i]);
        if (mkdir(p, 0755) != 0)
            return false;
    }
    snprintf(p, sizeof p, "%s/ro/data.txt", root);
    snprintf(q, sizeof q, "%s/outside/secret.txt", root);
    if (!write_text(p, "read only data\n") || !write_text(q, "top secret\n"))
        return false;
    snprintf(p, sizeof p, "%s/sandbox/out_rel", root);
    snprintf(q, sizeof q, "%s/outside", root);
    char r[512];
    snprintf(r, sizeof r, "%s/sandbox/out_abs", root);
    return symlink("../outside", p) == 0 && symlink(q, r) == 0;
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
             struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
remove_tree(const char *root)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* "/sandbox=sandbox,/ro=ro:ro" -> preopens with host paths under root */
static size_t
parse_preopens(char *spec, const char *root, br_wasi_preopen_t *out,
               char paths[][512])
{
    size_t n = 0;
    for (char *p = strtok(spec, ","); p && n < MAX_PREOPENS;
         p = strtok(NULL, ",")) {
        char *eq = strchr(p, '=');
        if (eq == NULL)
            continue;
        *eq = 0;
        char *dir = eq + 1, *ro = strstr(dir, ":ro");
        out[n].read_only = ro != NULL;
        if (ro)
            *ro = 0;
        snprintf(paths[n], 512, "%s/%s", root, dir);
        out[n].guest_path = (br_name_t){strlen(p), p};
        out[n].host_path = (br_name_t){strlen(paths[n]), paths[n]};
        n++;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Running one program                                                 */

static void
copy_output(br_wasi_t *w, uint32_t stream, buf_t *out)
{
    size_t n;
    const uint8_t *d = br_wasi_output(w, stream, &n);
    out->data = malloc(n ? n : 1);
    out->size = n;
    if (n)
        memcpy(out->data, d, n);
}

/* Calls _start to completion; sets the exit code or a problem. */
static void
run_start(br_store_t *store, br_instance_t *inst, result_t *res)
{
    br_extern_t start;
    if (!br_instance_export(inst, "_start", 6, &start) ||
        start.kind != BR_EXTERN_FUNC) {
        snprintf(res->problem, sizeof res->problem, "no _start export");
        return;
    }
    br_exec_t *exec = br_exec_new(store);
    br_status_t st = BR_ERROR;
    if (exec && br_exec_call(exec, start.of.func, NULL, 0) == BR_ERR_OK) {
        do
            st = br_exec_run(exec, 1000000);
        while (st == BR_YIELD);
    }
    if (st == BR_DONE) {
        res->exit_code = 0;
    } else if (st == BR_TRAP && br_exec_trap(exec)->kind == BR_TRAP_EXIT) {
        res->exit_code = br_exec_trap(exec)->exit_code;
    } else if (st == BR_TRAP) {
        snprintf(res->problem, sizeof res->problem, "trap: %s",
                 br_exec_trap(exec)->message);
    } else {
        snprintf(res->problem, sizeof res->problem, "exec status %d", st);
    }
    br_exec_delete(exec);
}

static void
instantiate_and_run(br_store_t *store, br_module_t *mod, br_wasi_t *wasi,
                    result_t *res)
{
    br_error_t err;
    br_trap_t trap;
    br_instance_t *inst = NULL;
    size_t n = br_module_import_count(mod);
    br_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    if (br_wasi_link(wasi, mod, imports, n, &err) != BR_ERR_OK) {
        snprintf(res->problem, sizeof res->problem, "link: %s", err.message);
    } else if (br_instance_new(store, mod, imports, n, &inst, &err, &trap) !=
               BR_ERR_OK) {
        snprintf(res->problem, sizeof res->problem, "instantiate: %s",
                 err.message);
    } else {
        br_wasi_set_memory(wasi, br_instance_memory(inst, 0));
        run_start(store, inst, res);
    }
    free(imports);
}

static void
run_case(test_case_t *c, const char *build, const char *tdir,
         const char *root, result_t *res)
{
    char path[512], env_copy[512], argv_copy[512], pre_copy[256];
    char host_paths[MAX_PREOPENS][512];
    br_name_t args[MAX_WORDS], env[MAX_WORDS];
    br_wasi_preopen_t pre[MAX_PREOPENS];
    buf_t wasm, in = {0};
    br_wasi_config_t cfg = {0};
    br_error_t err;
    memset(res, 0, sizeof *res);
    snprintf(path, sizeof path, "%s/%s.wasm", build, c->prog);
    if (!read_file(path, &wasm)) {
        snprintf(res->problem, sizeof res->problem, "cannot read %.150s",
                 path);
        return;
    }
    snprintf(argv_copy, sizeof argv_copy, "%s", c->argv);
    snprintf(env_copy, sizeof env_copy, "%s", c->env);
    snprintf(pre_copy, sizeof pre_copy, "%s", c->preopens);
    cfg.args = args;
    cfg.arg_count = split_words(argv_copy, args);
    cfg.env = env;
    cfg.env_count = split_words(env_copy, env);
    cfg.preopens = pre;
    cfg.preopen_count = parse_preopens(pre_copy, root, pre, host_paths);
    if (strcmp(c->in, "-") != 0) {
        snprintf(path, sizeof path, "%s/%s", tdir, c->in);
        read_file(path, &in);
        cfg.stdin_mode = BR_WASI_IN_BUFFER;
        cfg.stdin_data = (br_name_t){in.size, (const char *)in.data};
    }
    cfg.out[0].mode = BR_WASI_OUT_CAPTURE;
    cfg.out[1].mode = BR_WASI_OUT_CAPTURE;

    br_engine_t *engine = br_engine_new(NULL);
    br_store_t *store = engine ? br_store_new(engine, NULL) : NULL;
    br_module_t *mod = NULL;
    br_wasi_t *wasi = store ? br_wasi_new(store, &cfg, &err) : NULL;
    if (wasi == NULL) {
        snprintf(res->problem, sizeof res->problem, "setup failed");
    } else if (br_module_new(engine, wasm.data, wasm.size, &mod, &err) !=
               BR_ERR_OK) {
        snprintf(res->problem, sizeof res->problem, "module: %s",
                 err.message);
    } else {
        instantiate_and_run(store, mod, wasi, res);
        copy_output(wasi, 1, &res->out);
        copy_output(wasi, 2, &res->err);
    }
    br_wasi_delete(wasi);
    br_store_delete(store);
    br_module_delete(mod);
    br_engine_delete(engine);
    free(wasm.data);
    free(in.data);
}

/* ------------------------------------------------------------------ */
/* Comparing                                                           */

/* Line number of the first difference (for the failure message). */
static int
first_diff_line(const buf_t *a, const buf_t *b)
{
    int line = 1;
    for (size_t i = 0; i < a->size && i < b->size; i++) {
        if (a->data[i] != b->data[i])
            return line;
        line += a->data[i] == '\n';
    }
    return line;
}

static void
save_actual(const char *build, const char *name, const char *ext,
            const buf_t *b)
{
    char path[512];
    snprintf(path, sizeof path, "%s/actual", build);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/actual/%s.%s", build, name, ext);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(b->data, 1, b->size, f);
        fclose(f);
    }
}

static bool
same_stream(const char *tdir, const char *build, const char *name,
            const char *ext, const buf_t *got)
{
    char path[512];
    buf_t want;
    snprintf(path, sizeof path, "%s/expected/%s.%s", tdir, name, ext);
    if (!read_file(path, &want)) {
        printf("FAIL %s: no %s (actual in %s/actual/)\n", name, path, build);
        save_actual(build, name, ext, got);
        return false;
    }
    bool same = want.size == got->size &&
                (want.size == 0 ||
                 memcmp(want.data, got->data, want.size) == 0);
    if (!same) {
        printf("FAIL %s: %s differs from line %d (got %zu bytes, want %zu;"
               " actual in %s/actual/)\n", name, ext,
               first_diff_line(&want, got), got->size, want.size, build);
        save_actual(build, name, ext, got);
    }
    free(want.data);
    return same;
}

static void
check_case(test_case_t *c, const char *tdir, const char *build)
{
    char root[] = "/tmp/beamr-wasi-XXXXXX", path[512];
    result_t res;
    buf_t want_exit;
    if (mkdtemp(root) == NULL || !make_dirs(root)) {
        printf("FAIL %s: cannot make directories (%s)\n", c->name,
               strerror(errno));
        failed++;
        return;
    }
    run_case(c, build, tdir, root, &res);
    remove_tree(root);
    bool ok = res.problem[0] == 0;
    if (!ok)
        printf("FAIL %s: %s\n", c->name, res.problem);
    ok = same_stream(tdir, build, c->name, "stdout", &res.out) && ok;
    ok = same_stream(tdir, build, c->name, "stderr", &res.err) && ok;
    snprintf(path, sizeof path, "%s/expected/%s.exit", tdir, c->name);
    int want = read_file(path, &want_exit) && want_exit.size
                   ? atoi((const char *)want_exit.data)
                   : -1;
    if (res.problem[0] == 0 && want != res.exit_code) {
        printf("FAIL %s: exit code %d, want %d\n", c->name, res.exit_code,
               want);
        ok = false;
    }
    if (ok)
        printf("ok   %s\n", c->name);
    ok ? passed++ : failed++;
    free(want_exit.data);
    free(res.out.data);
    free(res.err.data);
}

/* Every WASI import of a real wasm64 module (Emscripten, HyperBEAM's
 * fixtures) must resolve to the 64-bit ABI. Skipped without fixtures. */
static void
check_fixture_imports(const char *file)
{
    char path[512];
    buf_t wasm;
    br_error_t err;
    br_module_t *mod = NULL;
    snprintf(path, sizeof path, "../shared/fixtures/hyperbeam/%s", file);
    if (!read_file(path, &wasm)) {
        printf("skip %s (no fixture)\n", file);
        return;
    }
    br_engine_t *engine = br_engine_new(NULL);
    br_store_t *store = br_store_new(engine, NULL);
    br_wasi_config_t cfg = {0};
    br_wasi_t *wasi = br_wasi_new(store, &cfg, &err);
    bool ok = br_module_new(engine, wasm.data, wasm.size, &mod, &err) ==
              BR_ERR_OK;
    size_t n = ok ? br_module_import_count(mod) : 0, wasi_count = 0;
    br_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    if (ok)
        ok = br_wasi_link(wasi, mod, imports, n, &err) == BR_ERR_OK;
    for (size_t i = 0; ok && i < n; i++) {
        br_name_t m, field;
        br_externtype_t t;
        br_module_import(mod, (uint32_t)i, &m, &field, &t);
        if (!br_wasi_is_module(m))
            continue;
        wasi_count++;
        ok = imports[i].kind == BR_EXTERN_FUNC && imports[i].of.func &&
             br_func_type(imports[i].of.func)->param_count ==
                 t.func.param_count;
    }
    printf("%s %s: %zu WASI imports%s%s\n", ok ? "ok  " : "FAIL", file,
           wasi_count, ok ? "" : ": ", ok ? "" : err.message);
    if (ok && wasi_count > 0)
        passed++;
    else
        failed++;
    free(imports);
    br_module_delete(mod);
    br_wasi_delete(wasi);
    br_store_delete(store);
    br_engine_delete(engine);
    free(wasm.data);
}

int
main(int argc, char **argv)
{
    const char *tdir = argc > 1 ? argv[1] : "test/wasi";
    const char *build = argc > 2 ? argv[2] : "build/wasi";
    const char *only = argc > 3 ? argv[3] : NULL;
    char path[512], line[1024];
    snprintf(path, sizeof path, "%s/cases.txt", tdir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 2;
    }
    while (fgets(line, sizeof line, f)) {
        test_case_t c;
        if (parse_case(line, &c) && (only == NULL || !strcmp(only, c.name)))
            check_case(&c, tdir, build);
    }
    fclose(f);
    if (only == NULL) {
        check_fixture_imports("test-calling.wasm");
        check_fixture_imports("aos-2-pure-xs.wasm");
    }
    printf("wasi: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
