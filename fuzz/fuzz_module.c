/*
 * beamr fuzz target: decoder, validator and compiler. Any byte string is
 * given to br_module_new; it must return a module or an error, nothing
 * else (no crash, leak, undefined behaviour or hang). A module that
 * compiles must also survive the aot round trip: serialized, it loads
 * back through the verifier (a refusal there is a finding: abort). A
 * module with GC types is refused by the writer (BR_ERR_AOT_GC): no
 * file is written that the loader would refuse.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(br_engine_t *engine, const br_module_t *m)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    br_err_t written = br_module_serialize(m, &buf, &n);
    if (written == BR_ERR_AOT_GC || written == BR_ERR_OUT_OF_MEMORY)
        return;
    if (written != BR_ERR_OK) {
        fprintf(stderr, "aot write refused: %s\n", br_err_atom(written));
        abort();
    }
    br_module_t *back = NULL;
    br_error_t err;
    br_err_t rc = br_module_deserialize(engine, buf, n, &back, &err);
    br_engine_free_buffer(engine, buf, n);
    if (rc != BR_ERR_OK && rc != BR_ERR_OUT_OF_MEMORY) {
        fprintf(stderr, "aot round trip refused: %s (%s)\n",
                br_err_atom(rc), err.message);
        abort();
    }
    if (back != NULL)
        br_module_delete(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static br_engine_t *engine;
    if (engine == NULL)
        engine = fuzz_engine();
    br_module_t *m = NULL;
    br_error_t err;
    if (br_module_new(engine, data, size, &m, &err) == BR_ERR_OK) {
        /* reading the declarations back must be safe for any module */
        br_name_t a, b;
        br_externtype_t t;
        for (uint32_t i = 0; i < br_module_import_count(m); i++)
            br_module_import(m, i, &a, &b, &t);
        for (uint32_t i = 0; i < br_module_export_count(m); i++)
            br_module_export(m, i, &a, &t);
        round_trip(engine, m);
        br_module_delete(m);
    }
    return 0;
}
