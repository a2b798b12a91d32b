/*
 * beamr fuzz target: the compiled-module (aot) loader and its verifier.
 * The input is a serialized module; its checksum is recomputed first, so
 * that mutations reach the decoder and the code verifier instead of
 * stopping at the checksum. A module that loads is then instantiated and
 * run: the verifier promises that crafted code cannot leave its frame.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "reseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static br_engine_t *engine;
    if (engine == NULL)
        engine = fuzz_engine();
    /* an exact-size copy, so that ASan sees any read past the end */
    uint8_t *bytes = malloc(size ? size : 1);
    if (bytes == NULL)
        return 0;
    memcpy(bytes, data, size);
    if (size >= BRI_HEADER_SIZE)
        reseal(bytes, size);
    br_module_t *m = NULL;
    br_error_t err;
    br_err_t rc = br_module_deserialize(engine, bytes, size, &m, &err);
    free(bytes);
    if (rc != BR_ERR_OK)
        return 0;
    fuzz_run_module(engine, m);
    return 0;
}
