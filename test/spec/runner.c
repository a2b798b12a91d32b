/*
 * beamr spec runner: runs scripts of the WebAssembly test suite (.wast
 * files, read by the engine's text format reader, or wast2json output)
 * against the engine and prints one line per file and the totals.
 * Usage: spec-runner [--fuel N] [--quiet] [--verbose] file.wast|json...
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

typedef struct totals {
    unsigned long passed, failed, skipped;
    uint64_t calls, yields;
} totals_t;

/* ------------------------------------------------------------------ */
/* Reports                                                             */

spec_result_t
spec_fail(spec_file_t *f, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    if (f->opts->quiet)
        return SPEC_FAIL;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("  %s:%" PRId64 ": %s: %s\n", f->source, f->line, f->label, msg);
    return SPEC_FAIL;
}

spec_result_t
spec_skip(spec_file_t *f, const char *reason)
{
    size_t i = 0;
    if (f->opts->verbose)
        printf("  %s:%" PRId64 ": %s: skipped (%s)\n", f->source, f->line,
               f->label, reason);
    while (i < SPEC_MAX_SKIP_REASONS && f->skip_reasons[i] &&
           strcmp(f->skip_reasons[i], reason) != 0)
        i++;
    if (i < SPEC_MAX_SKIP_REASONS) {
        f->skip_reasons[i] = reason;
        f->skip_counts[i]++;
    }
    return SPEC_SKIP;
}

static void
print_file_summary(const spec_file_t *f)
{
    if (f->opts->quiet && f->failed == 0)
        return;
    printf("%s: %u passed, %u failed, %u skipped\n", f->source, f->passed,
           f->failed, f->skipped);
    for (size_t i = 0; i < SPEC_MAX_SKIP_REASONS && !f->opts->quiet; i++)
        if (f->skip_reasons[i])
            printf("  skipped %u: %s\n", f->skip_counts[i], f->skip_reasons[i]);
}

/* ------------------------------------------------------------------ */
/* One script                                                          */

static char *
read_text(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long len;
    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 &&
        fseek(fp, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)len + 1);
        if (buf && fread(buf, 1, (size_t)len, fp) == (size_t)len) {
            buf[len] = '\0';
            *size = (size_t)len;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(fp);
    return buf;
}

/* The directory part of `path` including its '/', or "" (malloc'd). */
static char *
dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) + 1 : 0;
    char *dir = malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

static bool
open_store(spec_file_t *f)
{
    f->store = br_store_new(f->engine, NULL);
    if (!f->store)
        return false;
    f->exec = br_exec_new(f->store);
    return f->exec && spectest_init(&f->spectest, f->store);
}

/* The store owns every instance; modules go after it (see keep_module). */
static void
close_file(spec_file_t *f)
{
    if (f->exec)
        br_exec_delete(f->exec);
    if (f->store)
        br_store_delete(f->store);
    for (size_t i = 0; i < f->module_count; i++)
        br_module_delete(f->modules[i]);
    free(f->modules);
    free(f->names.items);
    free(f->defs.items);
    free(f->registered.items);
}

static void
run_commands(spec_file_t *f, const json_value_t *commands)
{
    for (size_t i = 0; i < commands->of.array.count; i++) {
        const json_value_t *cmd = commands->of.array.items[i];
        f->line = 0;
        json_get_int(cmd, "line", &f->line);
        switch (spec_run_command(f, cmd)) {
        case SPEC_PASS:
            f->passed++;
            break;
        case SPEC_FAIL:
            f->failed++;
            break;
        case SPEC_SKIP:
            f->skipped++;
            break;
        }
    }
}

/* A file that cannot be read or parsed counts as one failure. */
static void
broken_file(spec_file_t *f, const char *why)
{
    printf("  %s: %s\n", f->source, why);
    f->failed++;
}

static void
run_json(spec_file_t *f, const char *text, size_t len)
{
    json_value_t *doc;
    json_error_t err;
    const json_value_t *commands;
    char why[160];
    if (json_parse(text, len, &doc, &err) != JSON_OK) {
        snprintf(why, sizeof why, "JSON error at line %zu: %s", err.line,
                 err.what);
        broken_file(f, why);
        return;
    }
    if (json_get_string(doc, "source_filename", NULL))
        f->source = json_get_string(doc, "source_filename", NULL);
    commands = json_get_array(doc, "commands");
    if (!commands)
        broken_file(f, "no \"commands\" array");
    else if (!open_store(f))
        broken_file(f, "cannot create the store and spectest module");
    else
        run_commands(f, commands);
    print_file_summary(f);
    close_file(f);
    json_free(doc);
}

/* .wast scripts are read by the engine's text format reader; anything
 * else is a wast2json script. */
static bool
is_wast(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && strcmp(path + n - 5, ".wast") == 0;
}

static void
run_wast(spec_file_t *f, const char *text, size_t len)
{
    if (!open_store(f))
        broken_file(f, "cannot create the store and spectest module");
    else
        spec_run_wast(f, text, len);
    print_file_summary(f);
    close_file(f);
}

static void
run_file(const spec_options_t *opts, br_engine_t *engine, const char *path,
         totals_t *t)
{
    spec_file_t f;
    size_t len;
    char *text = read_text(path, &len);
    char *dir = dir_of(path);
    memset(&f, 0, sizeof f);
    f.opts = opts;
    f.engine = engine;
    f.source = path;
    f.dir = dir ? dir : "";
    if (!text || !dir) {
        broken_file(&f, "cannot read file");
        print_file_summary(&f);
    } else if (is_wast(path)) {
        run_wast(&f, text, len);
    } else {
        run_json(&f, text, len);
    }
    t->passed += f.passed;
    t->failed += f.failed;
    t->skipped += f.skipped;
    t->calls += f.calls;
    t->yields += f.yields;
    free(text);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */

static int
usage(void)
{
    fprintf(stderr, "usage: spec-runner [--fuel N] [--quiet] [--verbose] "
                    "[--wasm3] [--tier interp|native|auto] "
                    "file.wast|file.json...\n");
    return 2;
}

static bool
parse_fuel(const char *s, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0' || v <= 0)
        return false;
    *out = v;
    return true;
}

/* --tier's argument. */
static bool
parse_tier(const char *s, br_tier_t *out)
{
    static const char *const names[] = {"interp", "native", "auto"};
    for (int k = 0; k < 3; k++) {
        if (strcmp(s, names[k]) == 0) {
            *out = (br_tier_t)k;
            return true;
        }
    }
    return false;
}

/* Returns the index of the first file argument, or -1 on a bad option. */
static int
parse_options(int argc, char **argv, spec_options_t *opts)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--quiet") == 0)
            opts->quiet = true;
        else if (strcmp(argv[i], "--verbose") == 0)
            opts->verbose = true;
        else if (strcmp(argv[i], "--wasm3") == 0)
            opts->wasm3 = true;
        else if (strcmp(argv[i], "--fuel") == 0 && i + 1 < argc &&
                 parse_fuel(argv[i + 1], &opts->fuel))
            i++;
        else if (strcmp(argv[i], "--tier") == 0 && i + 1 < argc &&
                 parse_tier(argv[i + 1], &opts->tier))
            i++;
        else
            return -1;
    }
    return i < argc ? i : -1;
}

/* With --fuel the point is to exercise suspension and resumption: a run
 * that made calls but never yielded tested nothing, so it fails. */
static bool
report_fuel(const spec_options_t *opts, const totals_t *t)
{
    if (opts->fuel <= 0)
        return true;
    printf("fuel %" PRId64 ": %" PRIu64 " calls, %" PRIu64 " yields\n",
           opts->fuel, t->calls, t->yields);
    if (t->calls > 0 && t->yields == 0) {
        printf("error: --fuel %" PRId64 " never yielded\n", opts->fuel);
        return false;
    }
    return true;
}

/* The engines a file may run on: WebAssembly 3.0 (every feature), 2.0
 * with multi-memory (the multi-memory proposal's files), strict 2.0. */
typedef struct engines {
    br_engine_t *wasm3, *multi, *strict;
} engines_t;

/* The engine a file runs on. Multi-memory lifts two rules of 2.0 (one
 * memory per module; memory.size/grow/... take a zero byte, not an index)
 * and 3.0's constant expressions one more (global.get of defined
 * globals), which the 2.0 scripts and the other proposals' still assert:
 * the multi-memory proposal's files run with multi-memory alone, and the
 * files of the WebAssembly 3.0 suite with everything (those named by a
 * wasm-3.0/ path, or all of them with --wasm3 as run3.sh passes), but
 * for the threads proposal's, which still assert the 2.0 rules. */
static br_engine_t *
engine_for(const spec_options_t *opts, const char *path, const engines_t *e)
{
    if (strstr(path, "proposals/multi-memory/"))
        return e->multi;
    if (strstr(path, "proposals/threads/"))
        return e->strict;
    return opts->wasm3 || strstr(path, "wasm-3.0/") ? e->wasm3 : e->strict;
}

static void
engines_delete(engines_t *e)
{
    br_engine_delete(e->wasm3);
    br_engine_delete(e->multi);
    br_engine_delete(e->strict);
}

int
spec_main(int argc, char **argv)
{
    spec_options_t opts = {0, false, false, false, BR_TIER_INTERP};
    totals_t t = {0, 0, 0, 0, 0};
    br_config_t wasm3_config = {0}, multi_config = {0}, strict_config = {0};
    engines_t e;
    bool fuel_ok;
    int first = parse_options(argc, argv, &opts);
    if (first < 0)
        return usage();
    /* line-buffered so a crash still shows the reports before it */
    setvbuf(stdout, NULL, _IOLBF, 0);
    multi_config.disabled_features = BR_FEATURE_CONST_GLOBALS;
    strict_config.disabled_features =
        BR_FEATURE_MULTI_MEMORY | BR_FEATURE_CONST_GLOBALS;
    wasm3_config.tier = multi_config.tier = strict_config.tier = opts.tier;
    e.wasm3 = br_engine_new(&wasm3_config);
    e.multi = br_engine_new(&multi_config);
    e.strict = br_engine_new(&strict_config);
    if (!e.wasm3 || !e.multi || !e.strict) {
        fprintf(stderr, "spec-runner: cannot create an engine\n");
        engines_delete(&e);
        return 1;
    }
    for (int i = first; i < argc; i++)
        run_file(&opts, engine_for(&opts, argv[i], &e), argv[i], &t);
    engines_delete(&e);
    fuel_ok = report_fuel(&opts, &t);
    printf("%lu passed, %lu failed, %lu skipped\n", t.passed, t.failed,
           t.skipped);
    return t.failed == 0 && fuel_ok ? 0 : 1;
}
