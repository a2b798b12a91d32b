/*
 * beamr engine: a bounds-checked byte reader with LEB128 decoding, used by
 * the decoder and by the validator for instruction immediates.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_READER_H
#define BR_READER_H

#include "internal.h"

typedef struct bri_reader {
    const uint8_t *base; /* start of the whole binary (for offsets) */
    const uint8_t *p;    /* next byte */
    const uint8_t *end;  /* one past the last readable byte */
    br_error_t *error;   /* filled on failure */
} bri_reader_t;

static inline uint32_t
bri_reader_offset(const bri_reader_t *r)
{
    return (uint32_t)(r->p - r->base);
}

static inline bool
bri_reader_eof(const bri_reader_t *r)
{
    return r->p >= r->end;
}

/* Records a failure at the current offset; always returns false. */
static inline bool
bri_reader_fail(bri_reader_t *r, br_err_t code)
{
    bri_error(r->error, code, bri_reader_offset(r), -1, "%s", "");
    return false;
}

static inline bool
bri_read_u8(bri_reader_t *r, uint8_t *out)
{
    if (BR_UNLIKELY(r->p >= r->end))
        return bri_reader_fail(r, BR_ERR_UNEXPECTED_END);
    *out = *r->p++;
    return true;
}

/* Unsigned LEB128 of at most `bits` bits (32 or 64). Rejects encodings
 * longer than ceil(bits/7) bytes and unused bits that are set, as the
 * spec requires. */
static inline bool
bri_read_uleb(bri_reader_t *r, unsigned bits, uint64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0; i < max_bytes; i++) {
        uint8_t byte;
        if (!bri_read_u8(r, &byte))
            return false;
        if (i == max_bytes - 1) {
            if (byte & 0x80)
                return bri_reader_fail(r, BR_ERR_INTEGER_TOO_LONG);
            /* bits beyond `bits` in the last byte must be zero */
            unsigned used = bits - shift;
            if (used < 7 && (byte >> used) != 0)
                return bri_reader_fail(r, BR_ERR_INTEGER_TOO_LARGE);
        }
        result |= (uint64_t)(byte & 0x7F) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
            *out = result;
            return true;
        }
    }
    return bri_reader_fail(r, BR_ERR_INTEGER_TOO_LONG);
}

/* Signed LEB128 of at most `bits` bits (32, 33 or 64): the unused bits
 * of the last byte must all equal the sign bit. */
static inline bool
bri_read_sleb(bri_reader_t *r, unsigned bits, int64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0; i < max_bytes; i++) {
        uint8_t byte;
        if (!bri_read_u8(r, &byte))
            return false;
        if (i == max_bytes - 1) {
            if (byte & 0x80)
                return bri_reader_fail(r, BR_ERR_INTEGER_TOO_LONG);
            unsigned used = bits - shift; /* value bits in this byte */
            if (used < 7) {
                /* bits [used-1, 6] must be all zeros or all ones */
                unsigned top = (byte & 0x7Fu) >> (used - 1);
                unsigned mask = 0x7Fu >> (used - 1);
                if (top != 0 && top != mask)
                    return bri_reader_fail(r, BR_ERR_INTEGER_TOO_LARGE);
            }
        }
        result |= (uint64_t)(byte & 0x7F) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
            if (shift < 64 && (byte & 0x40))
                result |= ~(uint64_t)0 << shift;
            *out = (int64_t)result;
            return true;
        }
    }
    return bri_reader_fail(r, BR_ERR_INTEGER_TOO_LONG);
}

static inline bool
bri_read_u32(bri_reader_t *r, uint32_t *out)
{
    uint64_t v;
    if (!bri_read_uleb(r, 32, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

static inline bool
bri_read_u64(bri_reader_t *r, uint64_t *out)
{
    return bri_read_uleb(r, 64, out);
}

static inline bool
bri_read_s32(bri_reader_t *r, int32_t *out)
{
    int64_t v;
    if (!bri_read_sleb(r, 32, &v))
        return false;
    *out = (int32_t)v;
    return true;
}

static inline bool
bri_read_s64(bri_reader_t *r, int64_t *out)
{
    return bri_read_sleb(r, 64, out);
}

/* Little-endian fixed-width values (float constants). */
static inline bool
bri_read_fixed(bri_reader_t *r, unsigned bytes, uint64_t *out)
{
    if (BR_UNLIKELY((size_t)(r->end - r->p) < bytes)) {
        r->p = r->end;
        return bri_reader_fail(r, BR_ERR_UNEXPECTED_END);
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += bytes;
    *out = v;
    return true;
}

#endif
