/*
 * beamr spec runner: tests of the strict JSON parser, including every
 * allocation failing in turn (linked with -Wl,--wrap=malloc,calloc,realloc).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"

/* Allocation failure injection: the n-th allocation (1-based) fails. */
static long alloc_calls, alloc_fail_at;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static int
should_fail(void)
{
    return alloc_fail_at > 0 && ++alloc_calls == alloc_fail_at;
}

void *
__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *
__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}

static json_status_t
parse(const char *text, json_value_t **out)
{
    json_error_t err;
    return json_parse(text, strlen(text), out, &err);
}

static void
test_document(void)
{
    const char *text =
        "{\"source_filename\": \"core/i32.wast\",\n \"commands\": [\n"
        "  {\"type\": \"module\", \"line\": 3, \"filename\": \"a.wasm\"},\n"
        "  {\"type\": \"assert_return\", \"line\": 37, \"action\": "
        "{\"type\": \"invoke\", \"field\": \"add\", \"args\": []}, "
        "\"expected\": [{\"type\": \"i32\", \"value\": \"2\"}]}]}";
    json_value_t *doc;
    const json_value_t *cmds, *cmd;
    int64_t line = 0;
    size_t len = 0;
    CHECK_EQ(parse(text, &doc), JSON_OK);
    CHECK(doc != NULL && doc->type == JSON_OBJECT);
    CHECK(strcmp(json_get_string(doc, "source_filename", &len),
                 "core/i32.wast") == 0);
    CHECK_EQ(len, 13);
    cmds = json_get_array(doc, "commands");
    CHECK(cmds != NULL && cmds->of.array.count == 2);
    cmd = cmds->of.array.items[1];
    CHECK(json_get_int(cmd, "line", &line) && line == 37);
    CHECK(json_get_string(json_get(cmd, "action"), "field", NULL) != NULL);
    CHECK(json_get(cmd, "missing") == NULL);
    CHECK(json_get_array(cmd, "line") == NULL);
    CHECK(!json_get_int(cmd, "type", &line));
    json_free(doc);
}

static void
test_strings(void)
{
    json_value_t *v;
    /* escapes, an embedded NUL, a surrogate pair, raw UTF-8 */
    CHECK_EQ(parse("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u00e9"
                   "\\ud83d\\ude00\xc3\xa9\"",
                   &v),
             JSON_OK);
    CHECK(v && v->type == JSON_STRING);
    CHECK_EQ(v->of.string.len, 18);
    CHECK(memcmp(v->of.string.data,
                 "a\"\\/\b\f\n\r\t\0\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9",
                 18) == 0);
    json_free(v);
    CHECK_EQ(parse("\"\\ud83d\"", &v), JSON_ERR_SYNTAX);      /* lone high */
    CHECK_EQ(parse("\"\\ude00\"", &v), JSON_ERR_SYNTAX);      /* lone low */
    CHECK_EQ(parse("\"\\x41\"", &v), JSON_ERR_SYNTAX);        /* bad escape */
    CHECK_EQ(parse("\"\\u12g4\"", &v), JSON_ERR_SYNTAX);      /* bad hex */
    CHECK_EQ(parse("\"a\nb\"", &v), JSON_ERR_SYNTAX);         /* control */
    CHECK_EQ(parse("\"\xc3\"", &v), JSON_ERR_SYNTAX);         /* truncated */
    CHECK_EQ(parse("\"\xc0\xaf\"", &v), JSON_ERR_SYNTAX);     /* overlong */
    CHECK_EQ(parse("\"\xed\xa0\x80\"", &v), JSON_ERR_SYNTAX); /* UTF-16 */
    CHECK_EQ(parse("\"abc", &v), JSON_ERR_SYNTAX);
    CHECK(v == NULL);
}

static void
test_numbers_and_literals(void)
{
    json_value_t *v;
    CHECK_EQ(parse(" [0, -1, 12.5e1, 1E-2, true, false, null] ", &v), JSON_OK);
    CHECK(v && v->of.array.count == 7);
    CHECK(v->of.array.items[0]->of.number == 0.0);
    CHECK(v->of.array.items[1]->of.number == -1.0);
    CHECK(v->of.array.items[2]->of.number == 125.0);
    CHECK(v->of.array.items[3]->of.number == 0.01);
    CHECK_EQ(v->of.array.items[4]->type, JSON_TRUE);
    CHECK_EQ(v->of.array.items[5]->type, JSON_FALSE);
    CHECK_EQ(v->of.array.items[6]->type, JSON_NULL);
    json_free(v);
    CHECK_EQ(parse("01", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("+1", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse(".5", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("1.", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("1e", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("-", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("nul", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("True", &v), JSON_ERR_SYNTAX);
}

static void
test_structure_errors(void)
{
    json_value_t *v;
    json_error_t err;
    char deep[2 * JSON_MAX_DEPTH + 8];
    CHECK_EQ(parse("", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("[1,]", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("{\"a\":1,}", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("{\"a\" 1}", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("{1:1}", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("[1 2]", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("[1] x", &v), JSON_ERR_SYNTAX);
    CHECK_EQ(parse("{\"a\": [1, {\"b\": ", &v), JSON_ERR_SYNTAX);
    CHECK(v == NULL);
    CHECK_EQ(json_parse("[\n\n  x]", 7, &v, &err), JSON_ERR_SYNTAX);
    CHECK_EQ(err.line, 3);
    CHECK_EQ(err.offset, 5);
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    CHECK_EQ(parse(deep, &v), JSON_ERR_DEPTH);
    CHECK_EQ(parse("[[[[]]]]", &v), JSON_OK);
    json_free(v);
}

/* Every allocation of a parse fails in turn: the parser must report
 * JSON_ERR_NO_MEMORY and leak nothing (ASan's leak check verifies it). */
static void
test_allocation_failures(void)
{
    const char *text = "{\"a\": [1, \"two\", {\"three\": [null, true]}],"
                       " \"b\": \"\\u00e9\", \"c\": [[], {}]}";
    long n;
    int ok = 0, oom = 0, other = 0;
    for (n = 1; n < 1000; n++) {
        json_value_t *v = NULL;
        json_status_t st;
        alloc_calls = 0;
        alloc_fail_at = n;
        st = parse(text, &v);
        alloc_fail_at = 0;
        if (st == JSON_OK) {
            json_free(v);
            ok++;
            break;
        }
        if (st == JSON_ERR_NO_MEMORY && v == NULL)
            oom++;
        else
            other++;
    }
    CHECK_EQ(ok, 1);
    CHECK(oom > 10);
    CHECK_EQ(other, 0);
}

int
main(void)
{
    test_document();
    test_strings();
    test_numbers_and_literals();
    test_structure_errors();
    test_allocation_failures();
    return CHECK_DONE();
}
