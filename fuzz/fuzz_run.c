/*
 * beamr fuzz target: instantiate and run. A module that compiles is
 * instantiated with stubbed imports under small limits, then its start
 * function and every exported function run with zero arguments and a
 * little fuel. Traps, limits and exhaustion are values; only crashes,
 * sanitizer reports, leaks and hangs are findings.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static br_engine_t *engine;
    if (engine == NULL)
        engine = fuzz_engine();
    br_module_t *m = NULL;
    br_error_t err;
    if (br_module_new(engine, data, size, &m, &err) != BR_ERR_OK)
        return 0;
    fuzz_run_module(engine, m);
    return 0;
}
