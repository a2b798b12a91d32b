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

/* Records a failure at byte `at` (a byte already read); returns false. */
static inline bool
bri_reader_fail_at(bri_reader_t *r, br_err_t code, const uint8_t *at)
{
    bri_error(r->error, code, (uint64_t)(at - r->base), -1, "%s", "");
    return false;
}

/* A length or vector count. Like the reference decoder, it may not exceed
 * the bytes left counted from the start of its own encoding: this rejects
 * absurd counts before anything is allocated for them. */
static inline bool
bri_read_len(bri_reader_t *r, uint32_t *out)
{
    const uint8_t *start = r->p;
    uint32_t n;
    if (!bri_read_u32(r, &n))
        return false;
    if (n > (size_t)(r->end - start))
        return bri_reader_fail_at(r, BR_ERR_LENGTH_OUT_OF_BOUNDS, start);
    *out = n;
    return true;
}

/* ------------------------------------------------------------------ */
/* Instructions: the one reader of opcodes and immediates               */

/* memarg alignment flag announcing an explicit memory index
 * (multi-memory); without it the access is to memory 0. */
#define BRI_MEMARG_HAS_MEMIDX 0x40u
/* Bytes of a v128.const value and of an i8x16.shuffle's lane list. */
#define BRI_V128_BYTES 16u

/* Readers with encodings of up to four bytes inline (indices, offsets
 * and constants are mostly short). Four bytes never reach the last byte
 * of a u32/s32/s64 encoding, which is where the full readers check for
 * overlong or out-of-range values, so only the end of the body needs
 * checking, once. */
#define BRI_LEB_FAST_BYTES 4u

/* reader.c: the full readers, out of line (keeps the fast ones small
 * enough to inline). */
bool bri_read_u32_full(bri_reader_t *r, uint32_t *out);
bool bri_read_sleb_full(bri_reader_t *r, unsigned bits, int64_t *out);

/* Decodes an LEB128 of at most BRI_LEB_FAST_BYTES bytes at p (that many
 * readable) into its 7-bit groups *v; returns its length, 0 if longer. */
static inline unsigned
bri_leb_short(const uint8_t *p, uint32_t *v)
{
    uint32_t x = p[0] & 0x7Fu;
    if (p[0] < 0x80) {
        *v = x;
        return 1;
    }
    x |= (p[1] & 0x7Fu) << 7;
    if (p[1] < 0x80) {
        *v = x;
        return 2;
    }
    x |= (p[2] & 0x7Fu) << 14;
    if (p[2] < 0x80) {
        *v = x;
        return 3;
    }
    x |= (p[3] & 0x7Fu) << 21;
    *v = x;
    return p[3] < 0x80 ? 4 : 0;
}

static inline bool
bri_read_u32_fast(bri_reader_t *r, uint32_t *out)
{
    uint32_t v;
    unsigned n;
    if (BR_LIKELY(r->end - r->p >= (ptrdiff_t)BRI_LEB_FAST_BYTES &&
                  (n = bri_leb_short(r->p, &v)) != 0)) {
        *out = v;
        r->p += n;
        return true;
    }
    return bri_read_u32_full(r, out);
}

/* `bits` is 32 or 64 (i32.const, i64.const). */
static inline bool
bri_read_sleb_fast(bri_reader_t *r, unsigned bits, int64_t *out)
{
    uint32_t v;
    unsigned n;
    if (BR_LIKELY(r->end - r->p >= (ptrdiff_t)BRI_LEB_FAST_BYTES &&
                  (n = bri_leb_short(r->p, &v)) != 0)) {
        int64_t sign = (int64_t)1 << (7 * n - 1); /* sign-extend 7n bits */
        *out = ((int64_t)v ^ sign) - sign;
        r->p += n;
        return true;
    }
    return bri_read_sleb_full(r, bits, out);
}

/* The op of opcode byte `b`, already read: the byte itself, or a prefix
 * byte (BR_PREFIX_FC/FD) whose LEB sub-opcode is read from r into *sub
 * (set only then). Returns its br_op_t; -1 if it names none; -2 if the
 * reader failed (r->error filled). */
int bri_read_prefixed_op(bri_reader_t *r, uint8_t b, uint32_t *sub);

static inline int
bri_read_op_after(bri_reader_t *r, uint8_t b, uint32_t *sub)
{
    if (BR_LIKELY(b != BR_PREFIX_FC && b != BR_PREFIX_FD && b != BR_PREFIX_FB))
        return bri_op_by_byte[b];
    return bri_read_prefixed_op(r, b, sub); /* out of line: rarer */
}

/* The opcode at r (bri_read_op_after); *byte and *sub (0 without a prefix)
 * tell the caller what was read, for its message when the result is -1. */
static inline int
bri_read_opcode(bri_reader_t *r, uint8_t *byte, uint32_t *sub)
{
    if (BR_UNLIKELY(!bri_read_u8(r, byte)))
        return -2;
    *sub = 0;
    return bri_read_op_after(r, *byte, sub);
}

/* The immediates of one instruction as its IMM column says, read without
 * checking what they name (the validator does). */
typedef struct bri_imm {
    uint32_t idx[2];      /* indices: label, func, local, global, table,
                             memory, tag, data, elem (two for the pairs:
                             type+table, data+mem, dst+src ...) */
    int64_t s;            /* BLOCKTYPE (s33), I32, I64 */
    uint64_t u;           /* F32/F64 bits, a memarg's offset */
    uint32_t flags;       /* a memarg's alignment flags */
    uint32_t count;       /* LABELS: targets before the default, SELECT_T */
    uint8_t lane;         /* LANE, MEMARG_LANE */
    const uint8_t *bytes; /* V128/SHUFFLE: 16 bytes; LABELS, SELECT_T:
                             their vector's first entry */
    /* REFTYPE: ref.null's (nullable) reference type; HEAPTYPE: a
     * non-null one; BR_ON_CAST: the source type, reftype2 the target */
    bri_valtype_t reftype;
    bri_valtype_t reftype2;
} bri_imm_t;

/* reader.c: a value type (one byte, or 0x63/0x64 and a heap type) and a
 * heap type as a reference type, nullable or not (internal.h,
 * bri_valtype_t). Type indices are checked by the validator. */
bool bri_read_valtype(bri_reader_t *r, bri_valtype_t *out);
bool bri_read_heaptype(bri_reader_t *r, bool nullable, bri_valtype_t *out);

/* reader.c: reads the immediates of kind `imm` (br_imm_t). */
bool bri_read_imm(bri_reader_t *r, br_imm_t imm, bri_imm_t *out);

/* decode_insn.c: the decoder's instruction skipping. A constant
 * expression up to and including its `end` (its bytes and offset go to
 * *out); and the error of a body that does not end with `end`, read on
 * from `body` past its size as the reference decoder does (returns
 * false). Errors go to r->error. */
bool bri_decode_constexpr(bri_reader_t *r, bri_constexpr_t *out);
bool bri_decode_bad_body(bri_reader_t *r, const uint8_t *body);

#endif
