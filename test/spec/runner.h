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

/* commands.c: runs one command object of the "commands" array. */
spec_result_t spec_run_command(spec_file_t *f, const json_value_t *cmd);

/* runner.c: report a failure (printed with file and line unless quiet)
 * or a skip (recorded with its reason); both return their result. */
spec_result_t spec_fail(spec_file_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
spec_result_t spec_skip(spec_file_t *f, const char *reason);

#endif
