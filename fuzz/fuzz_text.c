/*
 * beamr fuzz target: the text format. Any bytes are read as a WAT module
 * (br_wat_to_wasm) and as a .wast script (br_wast_parse); every module
 * the text encodes goes on to br_module_new. Refusals must be errors
 * with a position, never a crash, leak or hang. Built only when
 * c_src/engine/text/ is in the tree (mk/fuzz.mk).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "text/br_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
compile(br_engine_t *engine, const uint8_t *bytes, size_t size)
{
    br_module_t *m = NULL;
    br_error_t err;
    if (br_module_new(engine, bytes, size, &m, &err) == BR_ERR_OK)
        br_module_delete(m);
}

static void
as_module(br_engine_t *engine, const char *text, size_t size)
{
    uint8_t *wasm = NULL;
    size_t n = 0;
    br_text_error_t err;
    if (br_wat_to_wasm(engine, text, size, &wasm, &n, &err) !=
        BR_TEXT_ERR_OK)
        return;
    compile(engine, wasm, n);
    br_engine_free_buffer(engine, wasm, n);
}

static void
as_script(br_engine_t *engine, const char *text, size_t size)
{
    br_wast_script_t *s = NULL;
    br_text_error_t err;
    if (br_wast_parse(engine, text, size, &s, &err) != BR_TEXT_ERR_OK)
        return;
    for (size_t i = 0; i < br_wast_command_count(s); i++) {
        const br_wast_command_t *c = br_wast_command(s, i);
        if (c->has_module && c->module.bytes != NULL)
            compile(engine, c->module.bytes, c->module.size);
    }
    br_wast_delete(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static br_engine_t *engine;
    if (engine == NULL)
        engine = fuzz_engine();
    /* an exact-size copy, so that ASan sees any read past the end */
    char *text = malloc(size ? size : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    as_module(engine, text, size);
    as_script(engine, text, size);
    free(text);
    return 0;
}
