/*
 * beamr engine: validation and compilation of the SIMD instructions that
 * carry immediates (v128.const, i8x16.shuffle, lane ops, lane loads and
 * stores). Lane counts and access widths are the opcode table's LANES
 * and ALIGN columns.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "compile.h"

/*
 * Layouts (code.h's simple-op rules otherwise: a v128 takes two slots):
 *   v128_const (-> s)                   [op, s, w0, w1, w2, w3]
 *   i8x16_shuffle (a, b -> s)           [op, s, w0, w1, w2, w3]
 *      w0..w3 hold the 16 immediate bytes, little-endian
 *   extract_lane (v -> s)               [op, s, lane]
 *   replace_lane (v, x -> s)            [op, s, lane]
 *   load/store lane (addr, v)           [op, s, mem, off_lo, off_hi, lane]
 */

/* The words a v128 immediate (BRI_V128_BYTES, reader.h) is emitted as. */
#define V128_WORDS 4u
/* i8x16.shuffle picks from the 32 lanes of its two operands. */
#define SHUFFLE_LANES 32u

static br_err_t
invalid_lane(bri_compiler_t *c, uint32_t lane)
{
    return BRI_FAIL(c, BR_ERR_INVALID_LANE, "%u", (unsigned)lane);
}

/* Reads 16 immediate bytes as four little-endian words. */
static br_err_t
rd_v128(bri_compiler_t *c, uint32_t w[V128_WORDS])
{
    for (uint32_t i = 0; i < V128_WORDS; i++) {
        uint64_t v;
        if (!bri_read_fixed(&c->r, 4, &v))
            return bri_rd_failed(c);
        w[i] = (uint32_t)v;
    }
    return BR_ERR_OK;
}

static br_err_t
emit_s_v128(bri_compiler_t *c, br_op_t op, uint32_t s,
            const uint32_t w[V128_WORDS])
{
    br_err_t err = bri_emit_reserve(c, 2 + V128_WORDS);
    if (err != BR_ERR_OK)
        return err;
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    for (uint32_t i = 0; i < V128_WORDS; i++)
        bri_word(c, w[i]);
    return BR_ERR_OK;
}

br_err_t
bri_op_v128_const(bri_compiler_t *c, br_op_t op)
{
    uint32_t w[V128_WORDS], s;
    br_err_t err = rd_v128(c, w);
    if (err == BR_ERR_OK)
        err = bri_apply_sig(c, op, BR_I32, &s);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    return emit_s_v128(c, op, s, w);
}

/* Every one of the 16 lane indices must pick one of the 32 lanes. */
br_err_t
bri_op_shuffle(bri_compiler_t *c, br_op_t op)
{
    uint32_t w[V128_WORDS], s;
    br_err_t err = rd_v128(c, w);
    if (err != BR_ERR_OK)
        return err;
    for (uint32_t i = 0; i < BRI_V128_BYTES; i++) {
        uint32_t lane = (w[i / 4] >> (8 * (i % 4))) & 0xFFu;
        if (lane >= SHUFFLE_LANES)
            return invalid_lane(c, lane);
    }
    if ((err = bri_apply_sig(c, op, BR_I32, &s)) != BR_ERR_OK || !bri_live(c))
        return err;
    return emit_s_v128(c, op, s, w);
}

/* extract_lane and replace_lane: [op, s, lane]. */
br_err_t
bri_op_lane(bri_compiler_t *c, br_op_t op)
{
    uint8_t lane;
    uint32_t s;
    br_err_t err = bri_rd_u8(c, &lane);
    if (err != BR_ERR_OK)
        return err;
    if (lane >= bri_opinfo[op].lanes)
        return invalid_lane(c, lane);
    if ((err = bri_apply_sig(c, op, BR_I32, &s)) != BR_ERR_OK || !bri_live(c))
        return err;
    if ((err = bri_emit_reserve(c, 3)) != BR_ERR_OK)
        return err;
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    bri_word(c, lane);
    return BR_ERR_OK;
}

/* v128.loadN_lane / storeN_lane: a load/store plus the lane word. The
 * memarg part emits nothing in dead code, and neither does this. */
br_err_t
bri_op_memarg_lane(bri_compiler_t *c, br_op_t op)
{
    uint8_t lane;
    br_err_t err = bri_op_memarg(c, op);
    if (err == BR_ERR_OK)
        err = bri_rd_u8(c, &lane);
    if (err != BR_ERR_OK)
        return err;
    if (lane >= bri_opinfo[op].lanes)
        return invalid_lane(c, lane);
    if (!bri_live(c))
        return BR_ERR_OK;
    if ((err = bri_emit_reserve(c, 1)) != BR_ERR_OK)
        return err;
    bri_word(c, lane);
    return BR_ERR_OK;
}
