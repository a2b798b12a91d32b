/*
 * beamr engine: the decoder's instruction skipping (decode.c reads the
 * sections): constant expressions are found by skipping instructions to
 * their `end`, and a body without its final `end` is read on to the
 * error the reference decoder reports. Both read instructions with the
 * one instruction reader (reader.h).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "reader.h"

/* An opcode, through the one instruction reader (reader.h). */
static bool
read_opcode(bri_reader_t *r, br_op_t *out)
{
    const uint8_t *at = r->p;
    uint8_t b;
    uint32_t sub;
    int op = bri_read_opcode(r, &b, &sub);
    if (op == -2)
        return false;
    if (op < 0) {
        uint64_t offset = (uint64_t)(at - r->base);
        if (b == BR_PREFIX_FC || b == BR_PREFIX_FD || b == BR_PREFIX_FB)
            bri_error(r->error, BR_ERR_ILLEGAL_OPCODE, offset, -1,
                      "0x%02x 0x%02x", b, (unsigned)sub);
        else
            bri_error(r->error, BR_ERR_ILLEGAL_OPCODE, offset, -1, "0x%02x", b);
        return false;
    }
    *out = (br_op_t)op;
    return true;
}

/* Skips the immediates of one instruction (their meaning is checked by
 * the validator). */
static bool
skip_immediates(bri_reader_t *r, br_op_t op)
{
    bri_imm_t imm;
    return bri_read_imm(r, (br_imm_t)bri_opinfo[op].imm, &imm);
}

bool
bri_decode_constexpr(bri_reader_t *r, bri_constexpr_t *out)
{
    const uint8_t *start = r->p;
    for (;;) {
        br_op_t op;
        if (!read_opcode(r, &op))
            return false;
        if (op == BR_OP_end)
            break;
        if (!skip_immediates(r, op))
            return false;
    }
    out->code = start;
    out->size = (uint32_t)(r->p - start);
    out->offset = (uint32_t)(start - r->base);
    return true;
}

/* Block nesting change of an opcode, for bri_decode_bad_body. */
static int
depth_change(br_op_t op)
{
    switch (op) {
    case BR_OP_block:
    case BR_OP_loop:
    case BR_OP_if_:
    case BR_OP_try_:
    case BR_OP_try_table:
        return 1;
    case BR_OP_end:
    case BR_OP_delegate:
        return -1;
    default:
        return 0;
    }
}

/* Runs only for a body that does not end with `end` (always an error).
 * The reference decoder reads instructions on past the declared size, so
 * decode on like it to report what it would: a bad immediate or opcode,
 * the end of the file, a stray `else`, or, once the function's final
 * `end` is found beyond its size, a size mismatch. Returns false. */
bool
bri_decode_bad_body(bri_reader_t *r, const uint8_t *body)
{
    uint64_t depth = 0;
    r->p = body;
    for (;;) {
        const uint8_t *at = r->p;
        br_op_t op;
        if (!read_opcode(r, &op))
            return false;
        int delta = depth_change(op);
        if (depth == 0 && (op == BR_OP_else_ || op == BR_OP_delegate))
            return bri_reader_fail_at(r, BR_ERR_END_OPCODE_EXPECTED, at);
        if (depth == 0 && delta < 0)
            return bri_reader_fail_at(r, BR_ERR_SECTION_SIZE_MISMATCH, body);
        depth += (uint64_t)(int64_t)delta;
        if (!skip_immediates(r, op))
            return false;
    }
}
