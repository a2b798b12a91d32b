/*
 * beamr tests: the annotations the text format knows (text/annot.c).
 * @custom annotations become custom sections at their placement, in
 * text order; malformed or misplaced @custom, @name and branch hints are
 * "malformed annotation" errors; unknown annotations are ignored.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "../../c_src/engine/text/br_text.h"
#include "check.h"

static br_engine_t *engine;

/* The module's section ids and, for custom sections, their names and
 * contents, as "1 c:name=bytes 3 ..." (enough for these tests). */
static void
describe(const uint8_t *b, size_t size, char *out, size_t cap)
{
    size_t i = 8, n = 0;
    out[0] = 0;
    while (i < size && n + 64 < cap) {
        uint8_t id = b[i++];
        uint32_t len = 0, shift = 0;
        while (b[i] & 0x80)
            len |= (uint32_t)(b[i++] & 0x7F) << shift, shift += 7;
        len |= (uint32_t)b[i++] << shift;
        if (id == 0) {
            uint8_t nlen = b[i]; /* names below 128 bytes here */
            n += (size_t)snprintf(
                out + n, cap - n, "c:%.*s=%.*s ", nlen, (const char *)b + i + 1,
                (int)(len - 1 - nlen), (const char *)b + i + 1 + nlen);
        } else {
            n += (size_t)snprintf(out + n, cap - n, "%u ", id);
        }
        i += len;
    }
}

/* Encodes `text` and describes its sections ("" and the error code on
 * failure). */
static br_text_err_t
sections(const char *text, char *out, size_t cap)
{
    uint8_t *bytes;
    size_t size;
    br_text_error_t err;
    br_text_err_t code =
        br_wat_to_wasm(engine, text, strlen(text), &bytes, &size, &err);
    out[0] = 0;
    if (code != BR_TEXT_ERR_OK)
        return code;
    describe(bytes, size, out, cap);
    br_engine_free_buffer(engine, bytes, size);
    return code;
}

static void
check_described(const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        printf("  sections: %s, expected %s\n", got, want);
    CHECK(strcmp(got, want) == 0);
}

static void
test_custom_placement(void)
{
    char d[512];
    CHECK_EQ(sections("(module (@custom \"end\" \"e\") (func)"
                      " (@custom \"f\" (before func) \"1\" \"2\")"
                      " (@custom \"h\" (before first) \"\")"
                      " (@custom \"g\" (after type) \"x\")"
                      " (@custom \"d\" (after data) \"y\"))",
                      d, sizeof d),
             BR_TEXT_ERR_OK);
    check_described(d, "c:h= 1 c:g=x c:f=12 3 10 c:d=y c:end=e ");
    /* the bare form of a module, and a custom section alone */
    CHECK_EQ(sections("(@custom \"only\" \"z\")", d, sizeof d), BR_TEXT_ERR_OK);
    check_described(d, "c:only=z ");
    /* an unknown annotation is ignored, anywhere */
    CHECK_EQ(sections("(func (@whatever 1 2 (x)) nop)", d, sizeof d),
             BR_TEXT_ERR_OK);
    check_described(d, "1 3 10 ");
}

/* Each text must fail with "malformed annotation". */
static void
test_malformed(void)
{
    static const char *const bad[] = {
        "(@custom)",
        "(@custom 4)",
        "(@custom \"\\df\")",
        "(@custom \"a\" here)",
        "(@custom \"a\" (after))",
        "(@custom \"a\" (aft type))",
        "(@custom \"a\" (before types))",
        "(type (@custom \"a\") $t (func))",
        "(func (block (@custom \"a\")))",
        "(module (@name \"M1\") (@name \"M2\"))",
        "(module (func) (@name \"M\"))",
        "(module (start $f (@name \"M\")) (func $f))",
        "(@metadata.code.branch_hint \"\\01\")",
        "(func (@metadata.code.branch_hint \"\\01\") nop)",
        "(func i32.const 0 (@metadata.code.branch_hint \"\\01\")"
        " (@metadata.code.branch_hint \"\\01\") if end)",
        "(func i32.const 0 (@metadata.code.branch_hint \"\\02\") if end)",
    };
    char d[64];
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        br_text_err_t code = sections(bad[k], d, sizeof d);
        if (code != BR_TEXT_ERR_MALFORMED_ANNOTATION)
            printf("  accepted or other error (%d): %s\n", (int)code, bad[k]);
        CHECK_EQ(code, BR_TEXT_ERR_MALFORMED_ANNOTATION);
    }
}

/* Well-placed names and hints are accepted (checked, not encoded). */
static void
test_accepted(void)
{
    char d[128];
    CHECK_EQ(sections("(module $m (@name \"Modül\") (func $f (@name \"λ\")"
                      " (param i32) local.get 0"
                      " (@metadata.code.branch_hint \"\\00\") if end"
                      " (block (@metadata.code.branch_hint \"\\01\")"
                      " (br_if 0 (i32.const 1)))))",
                      d, sizeof d),
             BR_TEXT_ERR_OK);
    check_described(d, "1 3 10 ");
}

int
main(void)
{
    engine = br_engine_new(NULL);
    test_custom_placement();
    test_malformed();
    test_accepted();
    br_engine_delete(engine);
    return CHECK_DONE();
}
