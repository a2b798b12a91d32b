/*
 * beamr spec runner: converts wast2json value descriptors (decimal strings
 * of the raw bits) to br_val_t, matches results against expectations
 * (including NaN classes), and prints values for failure reports.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "values.h"

#include "gc/gc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    br_valkind_t kind;
} kind_names[] = {
    {"i32", BR_I32},
    {"i64", BR_I64},
    {"f32", BR_F32},
    {"f64", BR_F64},
    {"v128", BR_V128},
    {"funcref", BR_FUNCREF},
    {"externref", BR_EXTERNREF},
    {"anyref", BR_ANYREF},
    {"exnref", BR_EXNREF},
};

const char *
spec_kind_name(br_valkind_t kind)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (kind_names[i].kind == kind)
            return kind_names[i].name;
    return "?";
}

static bool
parse_kind(const char *name, br_valkind_t *out)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++) {
        if (strcmp(kind_names[i].name, name) == 0) {
            *out = kind_names[i].kind;
            return true;
        }
    }
    return false;
}

/* Decimal digits of at most `bits` bits. A leading '-' is accepted and
 * wraps to two's complement of that width (lanes may be written signed). */
static bool
parse_bits(const char *s, unsigned bits, uint64_t *out)
{
    uint64_t max = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t v = 0;
    bool neg = *s == '-';
    s += neg;
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg)
        v = (0 - v) & max;
    *out = v;
    return true;
}

static spec_match_t
nan_class(const char *s)
{
    if (strcmp(s, "nan:canonical") == 0)
        return SPEC_MATCH_NAN_CANONICAL;
    if (strcmp(s, "nan:arithmetic") == 0)
        return SPEC_MATCH_NAN_ARITHMETIC;
    return SPEC_MATCH_BITS;
}

static bool
parse_lane_type(const char *s, spec_lanes_t *out)
{
    static const struct {
        const char *name;
        unsigned bits;
        bool is_float;
    } shapes[] = {{"i8", 8, false},   {"i16", 16, false}, {"i32", 32, false},
                  {"i64", 64, false}, {"f32", 32, true},  {"f64", 64, true}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (s && strcmp(s, shapes[i].name) == 0) {
            out->bits = shapes[i].bits;
            out->is_float = shapes[i].is_float;
            return true;
        }
    }
    return false;
}

static void
put_lane(uint8_t *v128, unsigned bits, size_t lane, uint64_t value)
{
    for (unsigned b = 0; b < bits / 8; b++)
        v128[lane * (bits / 8) + b] = (uint8_t)(value >> (8 * b));
}

static uint64_t
get_lane(const uint8_t *v128, unsigned bits, size_t lane)
{
    uint64_t value = 0;
    for (unsigned b = 0; b < bits / 8; b++)
        value |= (uint64_t)v128[lane * (bits / 8) + b] << (8 * b);
    return value;
}

/* v128: {"type": "v128", "lane_type": "i32", "value": ["1", ...]} */
static bool
parse_v128(const json_value_t *desc, spec_expect_t *out, bool allow_nan,
           char *why)
{
    const json_value_t *lanes = json_get_array(desc, "value");
    const char *lane_type = json_get_string(desc, "lane_type", NULL);
    if (!parse_lane_type(lane_type, &out->lanes) || !lanes) {
        snprintf(why, 96, "bad v128 descriptor");
        return false;
    }
    size_t count = 128 / out->lanes.bits;
    if (lanes->of.array.count != count) {
        snprintf(why, 96, "v128 needs %zu lanes", count);
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        const json_value_t *lane = lanes->of.array.items[i];
        uint64_t bits = 0;
        if (lane->type != JSON_STRING)
            goto fail;
        out->match[i] = out->lanes.is_float ? nan_class(lane->of.string.data)
                                            : SPEC_MATCH_BITS;
        if (out->match[i] != SPEC_MATCH_BITS && !allow_nan)
            goto fail;
        if (out->match[i] == SPEC_MATCH_BITS &&
            !parse_bits(lane->of.string.data, out->lanes.bits, &bits))
            goto fail;
        put_lane(out->val.of.v128, out->lanes.bits, i, bits);
    }
    return true;
fail:
    snprintf(why, 96, "bad v128 lane value");
    return false;
}

/* A reference: "null", or a host reference number (externref only;
 * an expected funcref that is not null matches any non-null ref). */
static bool
parse_ref(const char *text, spec_expect_t *out, bool is_expect, char *why)
{
    uint64_t n;
    if (strcmp(text, "null") == 0) {
        out->val.of.ref = NULL;
        return true;
    }
    if (out->val.kind == BR_FUNCREF) {
        if (!is_expect) {
            snprintf(why, 96, "funcref argument must be null");
            return false;
        }
        out->match[0] = SPEC_MATCH_ANY_REF;
        return true;
    }
    if (!parse_bits(text, 63, &n)) {
        snprintf(why, 96, "bad externref value \"%.40s\"", text);
        return false;
    }
    out->val.of.ref = spec_externref(n);
    return true;
}

static bool
parse_scalar(const char *text, spec_expect_t *out, bool is_expect, char *why)
{
    br_valkind_t k = out->val.kind;
    uint64_t bits;
    if (k == BR_FUNCREF || k == BR_EXTERNREF || k == BR_EXNREF ||
        k == BR_ANYREF)
        return parse_ref(text, out, is_expect, why);
    if (k == BR_F32 || k == BR_F64) {
        out->match[0] = nan_class(text);
        if (out->match[0] != SPEC_MATCH_BITS) {
            if (is_expect)
                return true;
            snprintf(why, 96, "NaN class \"%s\" as an argument", text);
            return false;
        }
    }
    if (!parse_bits(text, k == BR_I32 || k == BR_F32 ? 32 : 64, &bits)) {
        snprintf(why, 96, "bad %s value \"%.40s\"", spec_kind_name(k), text);
        return false;
    }
    if (k == BR_I32 || k == BR_F32)
        out->val.of.u32 = (uint32_t)bits;
    else
        out->val.of.u64 = bits;
    return true;
}

static bool
parse_desc(const json_value_t *desc, spec_expect_t *out, bool is_expect,
           char *why)
{
    const char *type = json_get_string(desc, "type", NULL);
    const char *text;
    memset(out, 0, sizeof *out);
    if (!type || !parse_kind(type, &out->val.kind)) {
        snprintf(why, 96, "unknown value type \"%.40s\"", type ? type : "");
        return false;
    }
    if (out->val.kind == BR_V128)
        return parse_v128(desc, out, is_expect, why);
    text = json_get_string(desc, "value", NULL);
    if (!text) {
        snprintf(why, 96, "%s value missing", type);
        return false;
    }
    return parse_scalar(text, out, is_expect, why);
}

bool
spec_parse_arg(const json_value_t *desc, br_val_t *out, char *why)
{
    spec_expect_t e;
    if (!parse_desc(desc, &e, false, why))
        return false;
    *out = e.val;
    return true;
}

bool
spec_parse_expect(const json_value_t *desc, spec_expect_t *out, char *why)
{
    return parse_desc(desc, out, true, why);
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

static bool
match_bits(spec_match_t m, unsigned width, uint64_t expect, uint64_t got)
{
    /* quiet bit and exponent mask of the float format */
    uint64_t quiet = width == 32 ? 0x00400000u : UINT64_C(1) << 51;
    uint64_t exp = width == 32 ? 0x7F800000u : UINT64_C(0x7FF) << 52;
    uint64_t sign = width == 32 ? 0x80000000u : UINT64_C(1) << 63;
    switch (m) {
    case SPEC_MATCH_BITS:
        return expect == got;
    case SPEC_MATCH_NAN_CANONICAL:
        return (got & ~sign) == (exp | quiet);
    case SPEC_MATCH_NAN_ARITHMETIC:
        return (got & (exp | quiet)) == (exp | quiet);
    default: /* reference matches (spec_match) */
        return false;
    }
}

static bool
match_v128(const spec_expect_t *e, const br_val_t *got)
{
    size_t count = 128 / e->lanes.bits;
    for (size_t i = 0; i < count; i++) {
        uint64_t want = get_lane(e->val.of.v128, e->lanes.bits, i);
        uint64_t have = get_lane(got->of.v128, e->lanes.bits, i);
        if (!match_bits(e->match[i], e->lanes.bits, want, have))
            return false;
    }
    return true;
}

/* The class of a non-null anyref: an i31 (bit 0), a host value made
 * internal (spec_externref's small numbers) or a heap object, struct or
 * array by its runtime type (gc/gc.h). */
static spec_match_t
gc_class(br_ref_t r)
{
    if (bri_gc_is_i31(r))
        return SPEC_MATCH_REF_I31;
    if ((uintptr_t)r < SPEC_HOST_LIMIT)
        return SPEC_MATCH_REF_ANY;
    return ((const bri_gc_object_t *)r)->rtt->kind == BRI_RTT_STRUCT
               ? SPEC_MATCH_REF_STRUCT
               : SPEC_MATCH_REF_ARRAY;
}

static bool
match_gc(spec_match_t want, const br_val_t *got)
{
    if (got->kind != BR_ANYREF || got->of.ref == NULL)
        return false;
    spec_match_t have = gc_class(got->of.ref);
    if (want == SPEC_MATCH_REF_ANY || want == have)
        return true;
    return want == SPEC_MATCH_REF_EQ && have != SPEC_MATCH_REF_ANY;
}

bool
spec_match(const spec_expect_t *e, const br_val_t *got)
{
    if (e->match[0] == SPEC_MATCH_ANY_NULL)
        return (got->kind == BR_FUNCREF || got->kind == BR_EXTERNREF ||
                got->kind == BR_EXNREF || got->kind == BR_ANYREF) &&
               got->of.ref == NULL;
    if (e->match[0] >= SPEC_MATCH_REF_STRUCT)
        return match_gc(e->match[0], got);
    if (got->kind != e->val.kind)
        return false;
    switch (e->val.kind) {
    case BR_I32:
    case BR_F32:
        return match_bits(e->match[0], 32, e->val.of.u32, got->of.u32);
    case BR_I64:
    case BR_F64:
        return match_bits(e->match[0], 64, e->val.of.u64, got->of.u64);
    case BR_V128:
        return match_v128(e, got);
    default:
        if (e->match[0] == SPEC_MATCH_ANY_REF)
            return got->of.ref != NULL;
        return got->of.ref == e->val.of.ref;
    }
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */

static void
format_ref(const br_val_t *v, char *buf, size_t size)
{
    const char *kind = spec_kind_name(v->kind);
    if (!v->of.ref)
        snprintf(buf, size, "%s:null", kind);
    else if (v->kind == BR_EXTERNREF ||
             (v->kind == BR_ANYREF && (uintptr_t)v->of.ref < SPEC_HOST_LIMIT &&
              !bri_gc_is_i31(v->of.ref)))
        snprintf(buf, size, "%s:%" PRIu64, kind,
                 spec_extern_number(v->of.ref));
    else
        snprintf(buf, size, "%s:%p", kind, v->of.ref);
}

static void
format_v128(const br_val_t *v, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "v128:0x");
    for (int i = 15; i >= 0 && used < size; i--)
        used +=
            (size_t)snprintf(buf + used, size - used, "%02x", v->of.v128[i]);
}

void
spec_format_val(const br_val_t *v, char *buf, size_t size)
{
    switch (v->kind) {
    case BR_I32:
        snprintf(buf, size, "i32:%" PRIu32, v->of.u32);
        break;
    case BR_I64:
        snprintf(buf, size, "i64:%" PRIu64, v->of.u64);
        break;
    case BR_F32:
        snprintf(buf, size, "f32:%" PRIu32 " (%.9g)", v->of.u32,
                 (double)v->of.f32);
        break;
    case BR_F64:
        snprintf(buf, size, "f64:%" PRIu64 " (%.17g)", v->of.u64, v->of.f64);
        break;
    case BR_V128:
        format_v128(v, buf, size);
        break;
    case BR_FUNCREF:
    case BR_EXTERNREF:
    case BR_EXNREF:
    case BR_ANYREF:
        format_ref(v, buf, size);
        break;
    default:
        snprintf(buf, size, "<kind 0x%02x>", v->kind);
        break;
    }
}

void
spec_format_expect(const spec_expect_t *e, char *buf, size_t size)
{
    static const char *const names[] = {
        "",       "nan:canonical", "nan:arithmetic", "non-null", "null",
        "struct", "array",         "i31",            "eq",       "any"};
    if (e->val.kind != BR_V128 && e->match[0] != SPEC_MATCH_BITS)
        snprintf(buf, size, "%s:%s", spec_kind_name(e->val.kind),
                 names[e->match[0]]);
    else
        spec_format_val(&e->val, buf, size);
}
