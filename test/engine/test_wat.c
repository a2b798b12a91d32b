/*
 * beamr tests: the text format. WAT modules encode to binaries that the
 * engine decodes and runs; abbreviations and literal forms give the
 * bytes the spec defines; bad input of every kind is a clear error with
 * its line and column; deep nesting, long names and long functions cost
 * memory, never C stack.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../c_src/engine/text/br_text.h"
#include "check.h"
#include "count_alloc.h"

static br_engine_t *engine;

/* Encodes text; returns the error code (the bytes are released). */
static br_text_err_t
encode(const char *text, size_t len, br_text_error_t *err)
{
    uint8_t *bytes;
    size_t size;
    br_text_err_t code = br_wat_to_wasm(engine, text, len, &bytes, &size, err);
    if (code == BR_TEXT_ERR_OK)
        br_engine_free_buffer(engine, bytes, size);
    return code;
}

static br_text_err_t
encode_str(const char *text, br_text_error_t *err)
{
    return encode(text, strlen(text), err);
}

/* Encodes, decodes and instantiates a module without imports. */
static br_instance_t *
instantiate(br_store_t *store, const char *text, br_module_t **mod)
{
    uint8_t *bytes;
    size_t size;
    br_text_error_t err;
    br_error_t error;
    br_instance_t *inst = NULL;
    br_trap_t trap;
    *mod = NULL;
    if (br_wat_to_wasm(engine, text, strlen(text), &bytes, &size, &err)) {
        fprintf(stderr, "  %u:%u: %s\n", err.line, err.column, err.message);
        return NULL;
    }
    if (br_module_new(engine, bytes, size, mod, &error) == BR_ERR_OK)
        br_instance_new(store, *mod, NULL, 0, &inst, &error, &trap);
    else
        fprintf(stderr, "  module: %s\n", error.message);
    br_engine_free_buffer(engine, bytes, size);
    return inst;
}

static br_val_t
call1(br_store_t *store, br_instance_t *inst, const char *name,
      const br_val_t *args, size_t n)
{
    br_extern_t ext;
    br_val_t result = {0};
    br_trap_t trap;
    if (!br_instance_export(inst, name, strlen(name), &ext) ||
        ext.kind != BR_EXTERN_FUNC)
        return result;
    br_func_call(store, ext.of.func, args, n, &result, 1, &trap);
    return result;
}

/* Byte-exact encodings of small modules (the spec's binary format). */
static void
test_bytes(void)
{
    static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    static const uint8_t add[] = {
        0,    'a', 's',  'm',  1,   0,    0,   0,    1, 7,    1,
        0x60, 2,   0x7F, 0x7F, 1,   0x7F, /* type (i32 i32) -> i32 */
        3,    2,   1,    0,               /* func 0: type 0 */
        7,    7,   1,    3,    'a', 'd',  'd', 0,    0, /* export "add" func 0
                                                         */
        10,   9,   1,    7,    0,   0x20, 0,   0x20, 1, 0x6A, 0x0B,
    };
    static const char *const add_texts[] = {
        "(module (func (export \"add\") (param i32 i32) (result i32)"
        " local.get 0 local.get 1 i32.add))",
        "(func $f (param $a i32) (param $b i32) (result i32)"
        " (i32.add (local.get $a) (local.get $b))) (export \"add\" (func $f))",
        "(module $m (type $t (func (param i32 i32) (result i32)))"
        " (func (export \"add\") (type $t) (i32.add (local.get 0)"
        " (local.get 1))))",
        ";; comment\n(module (; block (; nested ;) ;) (func (export \"add\")"
        " (param i32) (param i32) (result i32) local.get 0 (local.get 1)"
        " (i32.add)))",
    };
    uint8_t *bytes;
    size_t size;
    br_text_error_t err;
    CHECK_EQ(br_wat_to_wasm(engine, "(module)", 8, &bytes, &size, &err), 0);
    CHECK(size == sizeof empty && memcmp(bytes, empty, size) == 0);
    br_engine_free_buffer(engine, bytes, size);
    for (size_t k = 0; k < sizeof add_texts / sizeof add_texts[0]; k++) {
        CHECK_EQ(br_wat_to_wasm(engine, add_texts[k], strlen(add_texts[k]),
                                &bytes, &size, &err),
                 BR_TEXT_ERR_OK);
        CHECK(size == sizeof add && memcmp(bytes, add, size) == 0);
        br_engine_free_buffer(engine, bytes, size);
    }
    CHECK(br_is_binary(add, sizeof add));
    CHECK(!br_is_binary((const uint8_t *)"(module)", 8));
}

/* Literals, control flow, tables, memories: run through the engine. */
static void
test_run(void)
{
    br_store_t *store = br_store_new(engine, NULL);
    br_module_t *mod;
    br_val_t a[2], r;
    br_instance_t *inst = instantiate(
        store,
        "(module\n"
        "  (memory (data \"\\01\\02\\u{263A}hi\"))\n"
        "  (table funcref (elem $seven $nine))\n"
        "  (global $g (mut i64) (i64.const -0x8000_0000_0000_0000))\n"
        "  (func $seven (result i32) i32.const 7)\n"
        "  (func $nine (result i32) (i32.const 0x9))\n"
        "  (func (export \"pick\") (param i32) (result i32)\n"
        "    (call_indirect (result i32) (local.get 0)))\n"
        "  (func (export \"byte\") (param i32) (result i32)\n"
        "    (i32.load8_u offset=0 align=1 (local.get 0)))\n"
        "  (func (export \"loop\") (param $n i32) (result i32)"
        " (local $acc i32)\n"
        "    block $done loop $top\n"
        "      (br_if $done (i32.eqz (local.get $n)))\n"
        "      (local.set $acc (i32.add (local.get $acc) (local.get $n)))\n"
        "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
        "      br $top end end local.get $acc)\n"
        "  (func (export \"sel\") (param i32) (result f64)\n"
        "    (if (result f64) (local.get 0) (then (f64.const 0x1p-2))"
        " (else (f64.const -1.5e+1_0))))\n"
        "  (func (export \"g\") (result i64) global.get $g)\n"
        "  (func (export \"nan\") (result i32)\n"
        "    (i32.reinterpret_f32 (f32.const -nan:0x1234)))\n"
        "  (func (export \"lanes\") (result i32)\n"
        "    (i32x4.extract_lane 2 (v128.const i16x8 1 2 3 -1 5 6 7 8))))\n",
        &mod);
    CHECK(inst != NULL);
    if (inst) {
        a[0].kind = BR_I32;
        a[0].of.i32 = 1;
        CHECK_EQ(call1(store, inst, "pick", a, 1).of.i32, 9);
        a[0].of.i32 = 0;
        CHECK_EQ(call1(store, inst, "pick", a, 1).of.i32, 7);
        a[0].of.i32 = 1;
        CHECK_EQ(call1(store, inst, "byte", a, 1).of.i32, 2);
        a[0].of.i32 = 2; /* U+263A is E2 98 BA */
        CHECK_EQ(call1(store, inst, "byte", a, 1).of.i32, 0xE2);
        a[0].of.i32 = 100;
        CHECK_EQ(call1(store, inst, "loop", a, 1).of.i32, 5050);
        a[0].of.i32 = 1;
        r = call1(store, inst, "sel", a, 1);
        CHECK(r.of.f64 == 0.25);
        a[0].of.i32 = 0;
        r = call1(store, inst, "sel", a, 1);
        CHECK(r.of.f64 == -1.5e10);
        CHECK(call1(store, inst, "g", NULL, 0).of.u64 ==
              UINT64_C(0x8000000000000000));
        CHECK_EQ(call1(store, inst, "nan", NULL, 0).of.u32, 0xFF801234u);
        CHECK_EQ(call1(store, inst, "lanes", NULL, 0).of.u32, 0x00060005u);
    }
    (void)a[1];
    br_store_delete(store);
    br_module_delete(mod);
}

typedef struct bad_case {
    const char *text;
    br_text_err_t code;
    uint32_t line, column;
} bad_case_t;

/* Malformed text: the code, line and column of each. */
static void
test_errors(void)
{
    static const bad_case_t cases[] = {
        {"(module (func)", BR_TEXT_ERR_UNEXPECTED_END, 1, 1},
        {"(module))", BR_TEXT_ERR_UNEXPECTED_TOKEN, 1, 9},
        {"(module\n  (func (i32.ad)))", BR_TEXT_ERR_UNKNOWN_OPERATOR, 2, 10},
        {"(func (i32.const 0x1_0000_0000))", BR_TEXT_ERR_OUT_OF_RANGE, 1, 18},
        {"(func (i32.const 0x))", BR_TEXT_ERR_UNKNOWN_OPERATOR, 1, 18},
        {"(func (f32.const 1e39))", BR_TEXT_ERR_OUT_OF_RANGE, 1, 18},
        {"(func (f32.const nan:0x80_0000))", BR_TEXT_ERR_OUT_OF_RANGE, 1, 18},
        {"(func (f64.const nan:0x0))", BR_TEXT_ERR_OUT_OF_RANGE, 1, 18},
        {"(func block $a end $b)", BR_TEXT_ERR_MISMATCHING_LABEL, 1, 20},
        {"(func br $x)", BR_TEXT_ERR_UNKNOWN_LABEL, 1, 10},
        {"(func call $nowhere)", BR_TEXT_ERR_UNKNOWN_ID, 1, 12},
        {"(func $f) (func $f)", BR_TEXT_ERR_DUPLICATE_ID, 1, 17},
        {"(func (local $x i32) (local $x i32))", BR_TEXT_ERR_DUPLICATE_ID, 1,
         29},
        {"(func) (import \"a\" \"b\" (func))", BR_TEXT_ERR_IMPORT_AFTER, 1, 8},
        {"(type (func)) (func (type 0) (param i32))", BR_TEXT_ERR_INLINE_TYPE,
         1, 21},
        {"(func) (start 0) (start 0)", BR_TEXT_ERR_MULTIPLE_START, 1, 18},
        {"(func (drop (i32.load align=3 (i32.const 0))))",
         BR_TEXT_ERR_ALIGNMENT, 1, 23},
        {"(func (v128.const i32x4 1 2 3))", BR_TEXT_ERR_LANE_COUNT, 1, 30},
        {"(func (v128.const i32x3 1 2 3))", BR_TEXT_ERR_LANE_SHAPE, 1, 19},
        {"(func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)))",
         BR_TEXT_ERR_LANE_INDEX, 1, 29},
        {"(data \"\\q\")", BR_TEXT_ERR_MALFORMED_STRING, 1, 8},
        {"(data \"abc)", BR_TEXT_ERR_MALFORMED_STRING, 1, 7},
        {"(data\"a\")", BR_TEXT_ERR_UNKNOWN_OPERATOR, 1, 6},
        {"(export \"\\ff\" (func 0)) (func)", BR_TEXT_ERR_MALFORMED_UTF8, 1, 9},
        {"(module (; unclosed", BR_TEXT_ERR_UNCLOSED_COMMENT, 1, 9},
        {"(module\n\t{)", BR_TEXT_ERR_UNEXPECTED_CHAR, 2, 2},
        {"(func (param i32) (result i32) (param i32))",
         BR_TEXT_ERR_UNEXPECTED_TOKEN, 1, 33},
        {"(func (if (i32.const 0) (else)))", BR_TEXT_ERR_UNEXPECTED_TOKEN, 1,
         26},
        {"(func (call_indirect (param $x i32)))", BR_TEXT_ERR_UNEXPECTED_TOKEN,
         1, 29},
        {"(frob)", BR_TEXT_ERR_UNEXPECTED_TOKEN, 1, 2},
        {"", BR_TEXT_ERR_OK, 0, 0},
    };
    br_text_error_t err;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        br_text_err_t code = encode_str(cases[k].text, &err);
        CHECK_EQ(code, cases[k].code);
        if (code != cases[k].code || code == BR_TEXT_ERR_OK)
            continue;
        CHECK_EQ(err.line, cases[k].line);
        CHECK_EQ(err.column, cases[k].column);
        if (err.line != cases[k].line || err.column != cases[k].column)
            fprintf(stderr, "  %s -> %u:%u %s\n", cases[k].text, err.line,
                    err.column, err.message);
        CHECK(err.message[0] != '\0');
    }
    CHECK(strcmp(br_text_err_atom(BR_TEXT_ERR_UNKNOWN_OPERATOR),
                 "unknown_operator") == 0);
    CHECK(strcmp(br_text_err_message(BR_TEXT_ERR_UNEXPECTED_TOKEN),
                 "unexpected token") == 0);
}

/* Invalid UTF-8, a NUL inside, truncation at every byte, huge literals
 * and 1 MB identifiers: each a clear error, never a crash. */
static void
test_bad_input(void)
{
    static const char good[] =
        "(module (func $f (export \"f\") (param i32) (result i32)\n"
        "  (if (result i32) (local.get 0) (then (i32.const 1))\n"
        "    (else (f64.const 0x1.8p3) drop (i32.const 2)))))";
    br_text_error_t err;
    char buf[sizeof good];
    size_t n = 2u << 20;
    char *big = malloc(n + 64);
    CHECK_EQ(encode("(module \xC3\x28)", 11, &err), BR_TEXT_ERR_MALFORMED_UTF8);
    CHECK_EQ(err.column, 9);
    CHECK_EQ(encode("(module\0)", 9, &err), BR_TEXT_ERR_UNEXPECTED_CHAR);
    CHECK_EQ(err.column, 8);
    CHECK_EQ(encode_str(good, &err), BR_TEXT_ERR_OK);
    /* every proper prefix fails cleanly (a few are valid: none here) */
    for (size_t k = 0; k + 1 < sizeof good; k++) {
        memcpy(buf, good, k);
        CHECK(encode(buf, k, &err) != BR_TEXT_ERR_OK || k == 0);
    }
    if (!big)
        return;
    /* a 1 MB identifier */
    memcpy(big, "(func $", 7);
    memset(big + 7, 'x', 1u << 20);
    memcpy(big + 7 + (1u << 20), ")", 2);
    CHECK_EQ(encode_str(big, &err), BR_TEXT_ERR_OK);
    /* a 1 MB integer literal */
    memcpy(big, "(func (i64.const ", 17);
    memset(big + 17, '9', 1u << 20);
    memcpy(big + 17 + (1u << 20), "))", 3);
    CHECK_EQ(encode_str(big, &err), BR_TEXT_ERR_OUT_OF_RANGE);
    /* a 1 MB float literal rounds like a short one */
    memcpy(big, "(func (f64.const 1.", 19);
    memset(big + 19, '0', 1u << 20);
    memcpy(big + 19 + (1u << 20), "))", 3);
    CHECK_EQ(encode_str(big, &err), BR_TEXT_ERR_OK);
    free(big);
}

/* Annotations "(@id ...)" are dropped wherever they stand (any tokens
 * inside, balanced); a module with them encodes to the same bytes as
 * without, and malformed ones stay errors. */
static void
test_annotations(void)
{
    static const char plain[] =
        "(module (func (export \"f\") (result i32) (i32.const 7)))";
    static const char annotated[] =
        "((@a) module (@x y-z$q\"s\"-2 , ; [ ] { }) (@\"na me\" (@) (x))\n"
        "  (func (@a) (export \"f\") (result i32) (@b (c (d)))\n"
        "    (i32.const (@n) 7)))";
    static const char *const bad[] = {
        "(module (@))",     "(module (@ x))",
        "(module (@\"\"))", "(module (@x ())",
        "(module (@x)))",   "(module (@\"\\ef\"))",
        "(module ( @a))",   "(module (@a [))" /* ok: [ inside */,
    };
    br_text_error_t err;
    uint8_t *b1, *b2;
    size_t n1, n2;
    CHECK_EQ(br_wat_to_wasm(engine, plain, strlen(plain), &b1, &n1, &err), 0);
    CHECK_EQ(
        br_wat_to_wasm(engine, annotated, strlen(annotated), &b2, &n2, &err),
        0);
    CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
    br_engine_free_buffer(engine, b1, n1);
    br_engine_free_buffer(engine, b2, n2);
    for (size_t k = 0; k + 1 < sizeof bad / sizeof *bad; k++)
        CHECK(encode_str(bad[k], &err) != BR_TEXT_ERR_OK);
    CHECK_EQ(encode_str(bad[7], &err), BR_TEXT_ERR_OK);
    /* outside annotations, ',' and unseparated tokens stay malformed */
    CHECK(encode_str("(module ,)", &err) != BR_TEXT_ERR_OK);
    CHECK(encode_str("(module (func \"a\"\"b\"))", &err) != BR_TEXT_ERR_OK);
}

/* Quoted identifiers $"..." (3.0): $"abc", $abc and $"\61bc" are one
 * name; an empty one or one that is not UTF-8 is malformed. */
static void
test_quoted_ids(void)
{
    static const char text[] =
        "(module (func $\"a b\" (result i32) (i32.const 5))\n"
        "  (func $g (result i32) (i32.const 6))\n"
        "  (func (export \"f\") (result i32)\n"
        "    block $\"l\" (result i32) (br $l (call $\"a\\u{20}b\")) end\n"
        "    (call $\"\\67\") i32.add))";
    br_store_t *store = br_store_new(engine, NULL);
    br_module_t *mod;
    br_instance_t *inst = instantiate(store, text, &mod);
    br_text_error_t err;
    CHECK(inst != NULL);
    if (inst)
        CHECK_EQ(call1(store, inst, "f", NULL, 0).of.i32, 11);
    br_store_delete(store);
    br_module_delete(mod);
    CHECK(encode_str("(module (func $\"\"))", &err) != BR_TEXT_ERR_OK);
    CHECK(encode_str("(module (func $\"\\ef\"))", &err) ==
          BR_TEXT_ERR_MALFORMED_UTF8);
    CHECK(encode_str("(module (func $\"a\tb\"))", &err) != BR_TEXT_ERR_OK);
    CHECK(encode_str("(module (func $\"x\") (func $x))", &err) !=
          BR_TEXT_ERR_OK); /* the same name bound twice */
}

/* 100,000 nested blocks, folded and flat: no C recursion in the text
 * format, so it succeeds; the engine then decides about the module. */
static void
test_deep_nesting(void)
{
    size_t depth = 100000, n = 0;
    char *text = malloc(depth * 12 + 64);
    br_text_error_t err;
    uint8_t *bytes;
    size_t size;
    if (!text)
        return;
    n += (size_t)sprintf(text + n, "(func ");
    for (size_t k = 0; k < depth; k++)
        n += (size_t)sprintf(text + n, "(block ");
    for (size_t k = 0; k < depth; k++)
        text[n++] = ')';
    n += (size_t)sprintf(text + n, ")");
    CHECK_EQ(br_wat_to_wasm(engine, text, n, &bytes, &size, &err),
             BR_TEXT_ERR_OK);
    if (size) {
        br_module_t *mod = NULL;
        br_error_t error;
        CHECK(size > depth * 3); /* block 0x40 ... end */
        if (br_module_new(engine, bytes, size, &mod, &error) == BR_ERR_OK)
            br_module_delete(mod);
        br_engine_free_buffer(engine, bytes, size);
    }
    n = (size_t)sprintf(text, "(func ");
    for (size_t k = 0; k < depth; k++)
        n += (size_t)sprintf(text + n, "block ");
    for (size_t k = 0; k < depth; k++)
        n += (size_t)sprintf(text + n, "end ");
    n += (size_t)sprintf(text + n, ")");
    CHECK_EQ(encode(text, n, &err), BR_TEXT_ERR_OK);
    /* unbalanced at depth: a clear error */
    CHECK_EQ(encode(text, n - 5, &err), BR_TEXT_ERR_UNEXPECTED_END);
    free(text);
}

/* Label names: the innermost wins, and a shadowed name comes back when
 * the inner block ends; 100,000 nested named blocks that all branch to
 * the outermost one are looked up in constant time each. */
static void
test_labels(void)
{
    static const char text[] =
        "(func (block $a (block $a (br $a)) (br $a) (block $b) (br $a)))";
    static const uint8_t body[] = {0x02, 0x40, 0x02, 0x40, 0x0C, 0x00,
                                   0x0B, 0x0C, 0x00, 0x02, 0x40, 0x0B,
                                   0x0C, 0x00, 0x0B, 0x0B};
    size_t depth = 100000, n = 0;
    char *deep = malloc(depth * 32 + 64);
    uint8_t *bytes;
    size_t size;
    br_text_error_t err;
    CHECK_EQ(br_wat_to_wasm(engine, text, sizeof text - 1, &bytes, &size, &err),
             BR_TEXT_ERR_OK);
    CHECK(size > sizeof body &&
          memcmp(bytes + size - sizeof body, body, sizeof body) == 0);
    br_engine_free_buffer(engine, bytes, size);
    if (!deep)
        return;
    n += (size_t)sprintf(deep + n, "(func ");
    for (size_t k = 0; k < depth; k++)
        n += (size_t)sprintf(deep + n, "(block $b%zu (br $b0) ", k);
    for (size_t k = 0; k < depth; k++)
        deep[n++] = ')';
    n += (size_t)sprintf(deep + n, ")");
    CHECK_EQ(encode(deep, n, &err), BR_TEXT_ERR_OK);
    free(deep);
}

/* Type uses find the first equal type (explicit duplicates included),
 * through a hash: 16,384 distinct signatures, then all of them again. */
static void
test_types(void)
{
    static const char text[] =
        "(type (func)) (type (func)) (func (type 1)) (func)"
        " (func (param i32)) (func (param i32))";
    static const uint8_t funcs[] = {3, 5, 4, 1, 0, 2, 2};
    static const char *const vt[] = {"i32", "i64", "f32", "f64"};
    uint8_t *bytes;
    size_t size, n = 0, cap = 16384 * 2 * 64;
    br_text_error_t err;
    char *many = malloc(cap);
    CHECK_EQ(br_wat_to_wasm(engine, text, sizeof text - 1, &bytes, &size, &err),
             BR_TEXT_ERR_OK);
    CHECK(size > 20 && memmem(bytes, size, funcs, sizeof funcs) != NULL);
    br_engine_free_buffer(engine, bytes, size);
    if (!many)
        return;
    for (int round = 0; round < 2; round++) {
        for (unsigned k = 0; k < 16384; k++) {
            n += (size_t)sprintf(many + n, "(func (param");
            for (unsigned d = 0; d < 7; d++)
                n += (size_t)sprintf(many + n, " %s", vt[(k >> (2 * d)) & 3]);
            n += (size_t)sprintf(many + n, "))\n");
        }
    }
    CHECK_EQ(br_wat_to_wasm(engine, many, n, &bytes, &size, &err),
             BR_TEXT_ERR_OK);
    if (size) {
        /* type section: id, size (3 bytes), count 16384 (3 bytes) */
        CHECK(bytes[8] == 1 && bytes[12] == 0x80 && bytes[13] == 0x80 &&
              bytes[14] == 0x01);
        br_engine_free_buffer(engine, bytes, size);
    }
    free(many);
}

/* A script: commands, values and patterns, module errors per command. */
static void
test_wast(void)
{
    static const char script[] =
        "(module $M (func (export \"id\") (param f32) (result f32)"
        " local.get 0))\n"
        "(register \"m\" $M)\n"
        "(assert_return (invoke $M \"id\" (f32.const -0x1p1))"
        " (f32.const -2))\n"
        "(assert_return (invoke \"id\" (f32.const nan)) (f32.const"
        " nan:canonical))\n"
        "(assert_malformed (module quote \"(func\" \")\") \"x\")\n"
        "(assert_malformed (module quote \"(func (i32.const\") \"x\")\n"
        "(assert_trap (invoke \"id\" (ref.extern 7)) \"t\")\n"
        "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
        "(assert_malformed_custom (module quote \"(@custom)\") \"x\")\n"
        "(assert_invalid_custom (module (@a b)) \"x\")\n";
    br_wast_script_t *s;
    br_text_error_t err;
    const br_wast_command_t *c;
    CHECK_EQ(br_wast_parse(engine, script, sizeof script - 1, &s, &err),
             BR_TEXT_ERR_OK);
    if (!s)
        return;
    CHECK_EQ(br_wast_command_count(s), 10);
    c = br_wast_command(s, 0);
    CHECK(c->kind == BR_WAST_MODULE && c->module.bytes && c->line == 1);
    CHECK(c->module.name.size == 2);
    c = br_wast_command(s, 1);
    CHECK(c->kind == BR_WAST_REGISTER && c->register_as.size == 1);
    c = br_wast_command(s, 2);
    CHECK(c->kind == BR_WAST_ASSERT_RETURN && c->action.arg_count == 1);
    CHECK_EQ(c->action.args[0].val.of.u32, 0xC0000000u);
    CHECK_EQ(c->expected[0].val.of.u32, 0xC0000000u);
    c = br_wast_command(s, 3);
    CHECK_EQ(c->expected[0].match[0], BR_WAST_MATCH_NAN_CANONICAL);
    c = br_wast_command(s, 4);
    CHECK(c->kind == BR_WAST_ASSERT_MALFORMED && c->module.bytes != NULL);
    c = br_wast_command(s, 5);
    CHECK(c->module.bytes == NULL &&
          c->module.error.code == BR_TEXT_ERR_UNEXPECTED_END);
    c = br_wast_command(s, 6);
    CHECK(c->action.args[0].val.kind == BR_EXTERNREF &&
          c->action.args[0].val.of.u64 == 7);
    /* the custom assertions: a malformed @custom is an error of its
     * module; an unknown annotation is dropped, so the module encodes */
    c = br_wast_command(s, 8);
    CHECK(c->kind == BR_WAST_ASSERT_MALFORMED_CUSTOM &&
          c->module.bytes == NULL &&
          c->module.error.code == BR_TEXT_ERR_MALFORMED_ANNOTATION);
    c = br_wast_command(s, 9);
    CHECK(c->kind == BR_WAST_ASSERT_INVALID_CUSTOM && c->module.bytes);
    br_wast_delete(s);
    /* a broken script structure is an error of the script */
    CHECK_EQ(
        br_wast_parse(engine, "(assert_return (invoke \"f\")", 27, &s, &err),
        BR_TEXT_ERR_UNEXPECTED_END);
    CHECK_EQ(br_wast_parse(engine, "(frobnicate)", 12, &s, &err),
             BR_TEXT_ERR_BAD_SCRIPT);
}

/* Every allocation of the text format failing in turn: an
 * out-of-memory error (never a crash), and no byte left allocated. */
static void
test_alloc_failures(void)
{
    static const char text[] =
        "(module (type $t (func (param i32)))\n"
        " (import \"a\" \"b\" (func $i (type $t)))\n"
        " (memory i64 1) (memory $m 1) (table 2 funcref) (table 1 externref)\n"
        " (global $g (mut i32) (i32.const 1))\n"
        " (func $f (export \"f\") (param $x i32) (result i32)"
        " (local $y i64)\n"
        "  (block $b (br_if $b (local.get $x)))\n"
        "  (if (result i32) (local.get 0) (then (i32.const 1))\n"
        "   (else (f32.const 1.5) drop (call $f (i32.const 0)))))\n"
        " (elem (i32.const 0) $f $f) (data (i32.const 0) \"abc\"))";
    static const char script[] =
        "(module $m (func (export \"f\") (result i32) (i32.const 1)))\n"
        "(assert_return (invoke $m \"f\") (i32.const 1))\n"
        "(assert_malformed (module quote \"(func (nop)\" \")\") \"x\")\n"
        "(assert_malformed (module quote \"(func\") \"x\")\n";
    counter_t cnt;
    br_engine_t *e = count_engine_new(&cnt);
    size_t base = cnt.live;
    bool wat_done = false, wast_done = false;
    for (long n = 0; n < 100000 && !(wat_done && wast_done); n++) {
        br_text_error_t err;
        uint8_t *bytes;
        size_t size;
        br_wast_script_t *s;
        br_text_err_t code;
        if (!wat_done) {
            cnt.calls = 0;
            cnt.fail_at = n;
            code =
                br_wat_to_wasm(e, text, sizeof text - 1, &bytes, &size, &err);
            CHECK(code == BR_TEXT_ERR_OK || code == BR_TEXT_ERR_OUT_OF_MEMORY);
            if (code != BR_TEXT_ERR_OK && code != BR_TEXT_ERR_OUT_OF_MEMORY) {
                fprintf(stderr, "  %u:%u: %s\n", err.line, err.column,
                        err.message);
                break;
            }
            if (code == BR_TEXT_ERR_OK) {
                br_engine_free_buffer(e, bytes, size);
                wat_done = true;
            }
            CHECK_EQ(cnt.live, base);
        }
        if (!wast_done) {
            cnt.calls = 0;
            cnt.fail_at = n;
            code = br_wast_parse(e, script, sizeof script - 1, &s, &err);
            CHECK(code == BR_TEXT_ERR_OK || code == BR_TEXT_ERR_OUT_OF_MEMORY);
            if (code == BR_TEXT_ERR_OK) {
                /* a module's own error stays its own, never OOM */
                CHECK(br_wast_command(s, 3)->module.error.code ==
                      BR_TEXT_ERR_UNEXPECTED_END);
                CHECK(br_wast_command(s, 2)->module.bytes != NULL);
                br_wast_delete(s);
                wast_done = true;
            }
            CHECK_EQ(cnt.live, base);
        }
    }
    CHECK(wat_done && wast_done);
    br_engine_delete(e);
}

/* Compiles `text`'s encoding; on a compile error, br_wat_locate adds
 * its text position. Returns the compile error code. */
static br_err_t
compile_located(const char *text, br_error_t *error)
{
    uint8_t *bytes;
    size_t size;
    br_text_error_t terr;
    br_module_t *mod = NULL;
    br_err_t rc;
    memset(error, 0, sizeof *error);
    if (br_wat_to_wasm(engine, text, strlen(text), &bytes, &size, &terr))
        return BR_ERR_INVALID_ARGUMENT;
    rc = br_module_new(engine, bytes, size, &mod, error);
    if (rc != BR_ERR_OK)
        br_wat_locate(engine, text, strlen(text), error);
    br_module_delete(mod);
    br_engine_free_buffer(engine, bytes, size);
    return rc;
}

/* Validation errors of a text module carry the line and column of the
 * function that holds them; errors outside function bodies none. */
static void
test_error_position(void)
{
    br_error_t error;
    /* the second function (line 3, column 3) returns an i64 as i32 */
    CHECK(compile_located("(module\n"
                          "  (func (result i32) i32.const 1)\n"
                          "  (func (result i32)\n"
                          "    i64.const 2))\n",
                          &error) == BR_ERR_TYPE_MISMATCH);
    CHECK(error.line == 3 && error.column == 3);
    /* the first of two functions, after a tab (one character) */
    CHECK(compile_located("(module (type (func))\n"
                          "\t(func (drop))\n"
                          "  (func))",
                          &error) == BR_ERR_TYPE_MISMATCH);
    CHECK(error.line == 2 && error.column == 2);
    /* an error outside every body: no position */
    CHECK(compile_located("(module (start 0) (func (param i32)))", &error) ==
          BR_ERR_START_FUNCTION);
    CHECK(error.line == 0 && error.column == 0);
    /* one line: the column of "(func" */
    CHECK(compile_located("(module (func (result i32) i64.const 0))", &error) ==
          BR_ERR_TYPE_MISMATCH);
    CHECK(error.line == 1 && error.column == 9);
    /* the engine's own errors carry no position (left over ones are
     * cleared) */
    static const uint8_t bad[] = {0, 'a', 's', 'm', 2, 0, 0, 0};
    br_module_t *mod = NULL;
    error.line = error.column = 77;
    CHECK(br_module_new(engine, bad, sizeof bad, &mod, &error) ==
          BR_ERR_VERSION);
    CHECK(error.line == 0 && error.column == 0 && mod == NULL);
    br_wat_locate(engine, "(module", 7, &error); /* does not encode */
    CHECK(error.line == 0 && error.column == 0);
    br_wat_locate(engine, NULL, 0, NULL); /* no crash */
}

int
main(void)
{
    engine = br_engine_new(NULL);
    test_alloc_failures();
    test_bytes();
    test_run();
    test_errors();
    test_bad_input();
    test_annotations();
    test_quoted_ids();
    test_deep_nesting();
    test_labels();
    test_types();
    test_wast();
    test_error_position();
    br_engine_delete(engine);
    return CHECK_DONE();
}
