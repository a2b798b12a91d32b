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

/* Externref N of the test suite is the host pointer N + 1, so that
 * externref 0 stays distinct from the null reference. */
static inline br_ref_t
spec_externref(uint64_t n)
{
    return (br_ref_t)(uintptr_t)(n + 1);
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
