/*
 * beamr spec runner: tests of value parsing and matching (raw bits, NaN
 * classes, references, v128 lanes) used by the spec runner.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "check.h"
#include "values.h"

static json_value_t *
doc(const char *text)
{
    json_value_t *v = NULL;
    json_error_t err;
    if (json_parse(text, strlen(text), &v, &err) != JSON_OK)
        return NULL;
    return v;
}

/* Parses `text` as an argument; returns whether it was accepted. */
static bool
arg(const char *text, br_val_t *out)
{
    char why[96];
    json_value_t *v = doc(text);
    bool ok = v && spec_parse_arg(v, out, why);
    json_free(v);
    return ok;
}

static bool
expect(const char *text, spec_expect_t *out)
{
    char why[96];
    json_value_t *v = doc(text);
    bool ok = v && spec_parse_expect(v, out, why);
    json_free(v);
    return ok;
}

static br_val_t
bits32(br_valkind_t kind, uint32_t bits)
{
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = kind;
    v.of.u32 = bits;
    return v;
}

static br_val_t
bits64(br_valkind_t kind, uint64_t bits)
{
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = kind;
    v.of.u64 = bits;
    return v;
}

static void
test_integers(void)
{
    br_val_t v;
    spec_expect_t e;
    br_val_t got;
    CHECK(arg("{\"type\": \"i32\", \"value\": \"4294967295\"}", &v));
    CHECK_EQ(v.kind, BR_I32);
    CHECK_EQ(v.of.u32, 0xFFFFFFFFu);
    CHECK(!arg("{\"type\": \"i32\", \"value\": \"4294967296\"}", &v));
    CHECK(!arg("{\"type\": \"i32\", \"value\": \"12a\"}", &v));
    CHECK(!arg("{\"type\": \"i32\", \"value\": \"\"}", &v));
    CHECK(!arg("{\"type\": \"i32\"}", &v));
    CHECK(!arg("{\"type\": \"i31\", \"value\": \"1\"}", &v));
    CHECK(arg("{\"type\": \"i64\", \"value\": \"18446744073709551615\"}", &v));
    CHECK(v.of.u64 == UINT64_MAX);
    CHECK(!arg("{\"type\": \"i64\", \"value\": \"18446744073709551616\"}", &v));
    CHECK(expect("{\"type\": \"i64\", \"value\": \"5\"}", &e));
    got = bits64(BR_I64, 5);
    CHECK(spec_match(&e, &got));
    got = bits64(BR_I64, 6);
    CHECK(!spec_match(&e, &got));
    got = bits32(BR_I32, 5); /* same bits, wrong kind */
    CHECK(!spec_match(&e, &got));
}

static void
test_nans(void)
{
    spec_expect_t can, ari;
    br_val_t v;
    CHECK(!arg("{\"type\": \"f32\", \"value\": \"nan:canonical\"}", &v));
    CHECK(expect("{\"type\": \"f32\", \"value\": \"nan:canonical\"}", &can));
    CHECK(expect("{\"type\": \"f32\", \"value\": \"nan:arithmetic\"}", &ari));
    v = bits32(BR_F32, 0x7FC00000u);
    CHECK(spec_match(&can, &v) && spec_match(&ari, &v));
    v = bits32(BR_F32, 0xFFC00000u);
    CHECK(spec_match(&can, &v) && spec_match(&ari, &v));
    v = bits32(BR_F32, 0x7FC00001u); /* quiet NaN with payload */
    CHECK(!spec_match(&can, &v) && spec_match(&ari, &v));
    v = bits32(BR_F32, 0x7F800001u); /* signalling NaN */
    CHECK(!spec_match(&can, &v) && !spec_match(&ari, &v));
    v = bits32(BR_F32, 0x7F800000u); /* infinity */
    CHECK(!spec_match(&ari, &v));
    CHECK(expect("{\"type\": \"f64\", \"value\": \"nan:canonical\"}", &can));
    CHECK(expect("{\"type\": \"f64\", \"value\": \"nan:arithmetic\"}", &ari));
    v = bits64(BR_F64, UINT64_C(0xFFF8000000000000));
    CHECK(spec_match(&can, &v) && spec_match(&ari, &v));
    v = bits64(BR_F64, UINT64_C(0x7FF8000000000001));
    CHECK(!spec_match(&can, &v) && spec_match(&ari, &v));
    v = bits64(BR_F64, UINT64_C(0x7FF0000000000001));
    CHECK(!spec_match(&ari, &v));
    v = bits32(BR_F32, 0x7FC00000u); /* an f32 NaN is not an f64 */
    CHECK(!spec_match(&can, &v));
}

static void
test_refs(void)
{
    spec_expect_t e;
    br_val_t v;
    CHECK(arg("{\"type\": \"externref\", \"value\": \"0\"}", &v));
    CHECK_EQ(v.kind, BR_EXTERNREF);
    CHECK(v.of.ref == spec_externref(0) && v.of.ref != NULL);
    CHECK(arg("{\"type\": \"externref\", \"value\": \"null\"}", &v));
    CHECK(v.of.ref == NULL);
    CHECK(!arg("{\"type\": \"funcref\", \"value\": \"3\"}", &v));
    CHECK(expect("{\"type\": \"funcref\", \"value\": \"3\"}", &e));
    v.kind = BR_FUNCREF;
    v.of.ref = &e;
    CHECK(spec_match(&e, &v));
    v.of.ref = NULL;
    CHECK(!spec_match(&e, &v));
    CHECK(expect("{\"type\": \"externref\", \"value\": \"7\"}", &e));
    v.kind = BR_EXTERNREF;
    v.of.ref = spec_externref(7);
    CHECK(spec_match(&e, &v));
    v.of.ref = spec_externref(6);
    CHECK(!spec_match(&e, &v));
}

static void
test_v128(void)
{
    spec_expect_t e;
    br_val_t v;
    CHECK(arg("{\"type\": \"v128\", \"lane_type\": \"i32\", \"value\": "
              "[\"1\", \"2\", \"3\", \"4294967295\"]}",
              &v));
    CHECK_EQ(v.kind, BR_V128);
    CHECK_EQ(v.of.v128[0], 1);
    CHECK_EQ(v.of.v128[4], 2);
    CHECK_EQ(v.of.v128[15], 0xFF);
    CHECK(!arg("{\"type\": \"v128\", \"lane_type\": \"i32\", \"value\": "
               "[\"1\", \"2\", \"3\"]}",
               &v));
    CHECK(arg("{\"type\": \"v128\", \"lane_type\": \"i8\", \"value\": "
              "[\"-1\", \"0\", \"0\", \"0\", \"0\", \"0\", \"0\", \"0\","
              " \"0\", \"0\", \"0\", \"0\", \"0\", \"0\", \"0\", \"0\"]}",
              &v));
    CHECK_EQ(v.of.v128[0], 0xFF);
    CHECK(expect("{\"type\": \"v128\", \"lane_type\": \"f32\", \"value\": "
                 "[\"nan:canonical\", \"0\", \"1065353216\", \"0\"]}",
                 &e));
    memset(&v, 0, sizeof v);
    v.kind = BR_V128;
    v.of.v128[2] = 0xC0;
    v.of.v128[3] = 0x7F; /* lane 0: 0x7FC00000 */
    v.of.v128[10] = 0x80;
    v.of.v128[11] = 0x3F; /* lane 2: 1.0f */
    CHECK(spec_match(&e, &v));
    v.of.v128[4] = 1;
    CHECK(!spec_match(&e, &v));
}

static void
test_format(void)
{
    char buf[96];
    spec_expect_t e;
    br_val_t v = bits32(BR_I32, 42);
    spec_format_val(&v, buf, sizeof buf);
    CHECK(strcmp(buf, "i32:42") == 0);
    v = bits32(BR_F32, 0x3F800000u);
    spec_format_val(&v, buf, sizeof buf);
    CHECK(strcmp(buf, "f32:1065353216 (1)") == 0);
    CHECK(expect("{\"type\": \"f64\", \"value\": \"nan:arithmetic\"}", &e));
    spec_format_expect(&e, buf, sizeof buf);
    CHECK(strcmp(buf, "f64:nan:arithmetic") == 0);
    v.kind = BR_EXTERNREF;
    v.of.ref = spec_externref(3);
    spec_format_val(&v, buf, sizeof buf);
    CHECK(strcmp(buf, "externref:3") == 0);
}

int
main(void)
{
    test_integers();
    test_nans();
    test_refs();
    test_v128();
    test_format();
    return CHECK_DONE();
}
