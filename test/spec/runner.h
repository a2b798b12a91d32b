/*
 * beamr spec runner: the state of one script (one wast2json file) shared
 * by the command interpreter (commands.c) and the driver (runner.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_SPEC_RUNNER_H
#define BR_SPEC_RUNNER_H

#include "beamr.h"
#include "json.h"
#include "spectest.h"

typedef struct spec_options {
    int64_t fuel; /* > 0: run every call in slices of this much fuel */
    bool quiet;   /* only failing files and the totals */
    bool verbose; /* list every skipped command */
    bool wasm3;   /* every file is of the 3.0 suite (multi-memory on) */
    br_tier_t tier; /* --tier: the engines' execution tier */
} spec_options_t;

/* A name bound to an instance: "$M" of a module command, or the "as"
 * name of a register command. Names point into the JSON document. */
typedef struct spec_binding {
    const char *name;
    size_t len;
    br_instance_t *inst;
} spec_binding_t;

typedef struct spec_bindings {
    spec_binding_t *items;
    size_t count, cap;
} spec_bindings_t;

/* Modules compiled by (module definition $M ...), for (module instance
 * $I $M); the modules themselves are kept in spec_file_t.modules. */
typedef struct spec_def {
    const char *name;
    size_t len;
    br_module_t *mod;
} spec_def_t;

typedef struct spec_defs {
    spec_def_t *items;
    size_t count, cap;
} spec_defs_t;

#define SPEC_MAX_SKIP_REASONS 4

typedef struct spec_file {
    const spec_options_t *opts;
    br_engine_t *engine;
    br_store_t *store;
    br_exec_t *exec;
    spectest_t spectest;
    const char *dir;    /* directory of the JSON file, "" or ending in / */
    const char *source; /* the .wast name printed in reports */
    int64_t line;       /* line of the command being run */
    char label[128];    /* its type and invoked export, for reports */

    br_module_t **modules; /* deleted after the store */
    size_t module_count, module_cap;
    spec_bindings_t names;      /* $name -> instance */
    spec_defs_t defs;           /* (module definition $name) -> module */
    spec_bindings_t registered; /* register "as" -> instance */
    br_instance_t *current;     /* the last module instantiated */

    unsigned passed, failed, skipped;
    const char *skip_reasons[SPEC_MAX_SKIP_REASONS];
    unsigned skip_counts[SPEC_MAX_SKIP_REASONS];
    uint64_t calls, yields;
    char scratch[512]; /* room for describing results in reports */
} spec_file_t;

typedef enum spec_result {
    SPEC_PASS,
    SPEC_FAIL,
    SPEC_SKIP,
} spec_result_t;

/* What running a call, an action or an instantiation produced. */
typedef struct outcome {
    br_status_t status; /* BR_DONE, BR_TRAP or BR_ERROR */
    br_trapkind_t trap;
    const br_val_t *vals;
    size_t count;
    br_val_t global; /* storage for the value of a "get" action */
    char msg[256];
} outcome_t;

typedef enum load_status {
    LOAD_OK,
    LOAD_REJECTED, /* br_module_new refused the binary */
    LOAD_HARNESS,  /* the runner could not even try (missing file ...) */
} load_status_t;

typedef enum inst_status {
    INST_OK,
    INST_LINK,  /* unknown import or incompatible import type */
    INST_TRAP,  /* segment initialisation or the start function trapped */
    INST_ERROR, /* anything else */
} inst_status_t;

/* commands.c: helpers shared with the .wast command runner (wast.c). */
const char *spec_quote(const char *name, size_t len, char *buf, size_t size);
bool spec_str_eq(const char *s, const char *lit);
bool spec_add_binding(spec_bindings_t *b, const char *name, size_t len,
                      br_instance_t *inst);
br_instance_t *spec_find_binding(const spec_bindings_t *b, const char *name,
                                 size_t len);
br_trapkind_t spec_trap_kind_for(const char *text);
const char *spec_describe(const outcome_t *o, char *buf, size_t size);
void spec_call_func(spec_file_t *f, br_func_t *fn, const br_val_t *args,
                    size_t n, outcome_t *o);
load_status_t spec_compile(spec_file_t *f, const uint8_t *bytes, size_t len,
                           br_module_t **out, char *msg, size_t size);
inst_status_t spec_instantiate(spec_file_t *f, const br_module_t *m,
                               br_instance_t **out, outcome_t *o);

/* commands.c: runs one command object of the "commands" array. */
spec_result_t spec_run_command(spec_file_t *f, const json_value_t *cmd);

/* wast.c: runs one script (a .wast file) read by the engine's text
 * format reader; counts and reports like a JSON script. */
void spec_run_wast(spec_file_t *f, const char *text, size_t len);

/* runner.c: the whole runner (main.c calls it; so does beamr-run
 * --wast): options, then files; returns the exit status. */
int spec_main(int argc, char **argv);

/* runner.c: report a failure (printed with file and line unless quiet)
 * or a skip (recorded with its reason); both return their result. */
spec_result_t spec_fail(spec_file_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
spec_result_t spec_skip(spec_file_t *f, const char *reason);

#endif
