/*
 * beamr spec runner: wast2json value descriptors -> br_val_t arguments and
 * expected results (exact bits, NaN classes, references), comparison and
 * printing.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_SPEC_VALUES_H
#define BR_SPEC_VALUES_H

#include "beamr.h"
#include "json.h"

/* How one scalar (or one v128 lane) must match. */
typedef enum spec_match {
    SPEC_MATCH_BITS = 0,       /* exactly these bits */
    SPEC_MATCH_NAN_CANONICAL,  /* sign-free canonical NaN */
    SPEC_MATCH_NAN_ARITHMETIC, /* any NaN with the quiet bit set */
    SPEC_MATCH_ANY_REF,        /* any non-null reference */
    SPEC_MATCH_ANY_NULL,       /* a null reference of any kind */
    /* a non-null anyref (GC, 3.0) that is a struct, an array, an i31,
     * one of the three (eq), or anything */
    SPEC_MATCH_REF_STRUCT,
    SPEC_MATCH_REF_ARRAY,
    SPEC_MATCH_REF_I31,
    SPEC_MATCH_REF_EQ,
    SPEC_MATCH_REF_ANY,
} spec_match_t;

/* A v128 lane shape: lane width in bits and whether lanes are floats. */
typedef struct spec_lanes {
    unsigned bits; /* 8, 16, 32 or 64 (0 for scalars) */
    bool is_float;
} spec_lanes_t;

typedef struct spec_expect {
    br_val_t val;           /* kind and exact bits (when matched by bits) */
    spec_lanes_t lanes;     /* v128 only */
    spec_match_t match[16]; /* [0] for scalars, one per lane for v128 */
} spec_expect_t;

/* Externref N of the test suite is the host pointer 8 * (N + 1): not
 * null for N = 0, and 8-aligned like every host reference must be, so
 * that it is never taken for an i31 once made internal (gc/gc.h). The
 * runner tells such values from heap objects by their size: below
 * SPEC_HOST_LIMIT (no object of the heap lies there). */
#define SPEC_HOST_LIMIT ((uintptr_t)1 << 24)
static inline br_ref_t
spec_externref(uint64_t n)
{
    return (br_ref_t)(uintptr_t)((n + 1) * 8);
}

/* The suite's number of host reference r (spec_externref's inverse). */
static inline uint64_t
spec_extern_number(br_ref_t r)
{
    return (uint64_t)((uintptr_t)r / 8 - 1);
}

/* Parses an argument ({"type": "i32", "value": "42"} ...). On failure
 * returns false and writes a reason to `why` (at least 96 bytes). */
bool spec_parse_arg(const json_value_t *desc, br_val_t *out, char *why);
/* Parses an expected result; NaN classes and reference forms allowed. */
bool spec_parse_expect(const json_value_t *desc, spec_expect_t *out, char *why);
bool spec_match(const spec_expect_t *expect, const br_val_t *actual);

/* Human-readable forms for failure reports. */
void spec_format_val(const br_val_t *val, char *buf, size_t size);
void spec_format_expect(const spec_expect_t *expect, char *buf, size_t size);
const char *spec_kind_name(br_valkind_t kind);

#endif
