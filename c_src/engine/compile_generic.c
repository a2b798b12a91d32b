/*
 * beamr engine: the function compiler's lower layer, below the dispatcher
 * (compile.c) and the instruction families (compile_ctl.c,
 * compile_fuse.c, compile_simd.c): the immediates' readers with the
 * compiler's errors, and the generic instructions driven by the SIG and
 * IMM columns of the opcode table (simple ops, loads and stores). It
 * calls only emit.c and the reader, so no compiler file calls back up.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "compile.h"

/* ------------------------------------------------------------------ */
/* Immediates                                                          */

/* The reader reports offsets relative to the body; make them offsets in
 * the binary. Running out of body bytes is the spec's "unexpected end of
 * section or function". */
br_err_t
bri_rd_failed(bri_compiler_t *c)
{
    br_error_t *e = c->error;
    br_err_t code = e->code;
    if (code == BR_ERR_UNEXPECTED_END)
        code = BR_ERR_UNEXPECTED_END_SECTION;
    return bri_error(e, code, e->offset + c->body_offset,
                     (int64_t)c->func_index, "%s", "");
}

br_err_t
bri_rd_u32(bri_compiler_t *c, uint32_t *out)
{
    return bri_read_u32_fast(&c->r, out) ? BR_ERR_OK : bri_rd_failed(c);
}

br_err_t
bri_rd_u8(bri_compiler_t *c, uint8_t *out)
{
    return bri_read_u8(&c->r, out) ? BR_ERR_OK : bri_rd_failed(c);
}

/* A value type (reader.c), or with `heap` a heap type as a nullable
 * reference type (ref.null), its type index made canonical and checked. */
br_err_t
bri_rd_valtype(bri_compiler_t *c, bool heap, bri_valtype_t *out)
{
    bool ok = heap ? bri_read_heaptype(&c->r, true, out)
                   : bri_read_valtype(&c->r, out);
    if (!ok)
        return bri_rd_failed(c);
    if (!bri_vt_known(c->m, *out))
        return BRI_FAIL(c, BR_ERR_UNKNOWN_TYPE, "%u",
                        (unsigned)bri_vt_index(*out));
    *out = bri_vt_canon(c->m, *out);
    return BR_ERR_OK;
}

static br_err_t
rd_u64(bri_compiler_t *c, uint64_t *out)
{
    return bri_read_u64(&c->r, out) ? BR_ERR_OK : bri_rd_failed(c);
}

static br_err_t
check_memory(bri_compiler_t *c, uint32_t mem)
{
    if (mem >= c->m->memory_count)
        return BRI_FAIL(c, BR_ERR_UNKNOWN_MEMORY, "%u", (unsigned)mem);
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Generic instructions, driven by the SIG and IMM columns of the table */

static bri_valtype_t
sig_type(char ch, bri_valtype_t addr)
{
    switch (ch) {
    case 'i':
        return BR_I32;
    case 'l':
        return BR_I64;
    case 'f':
        return BR_F32;
    case 'd':
        return BR_F64;
    case 'v':
        return BR_V128;
    default:
        return addr; /* 'a': the memory's address type */
    }
}

/* Pops the params and pushes the results of a SIG string ("ai:" ...);
 * *s gets the slot of the first operand (or of the result). */
br_err_t
bri_apply_sig(bri_compiler_t *c, br_op_t op, bri_valtype_t addr, uint32_t *s)
{
    const char *sig = bri_opinfo[op].sig;
    const char *colon = sig;
    while (*colon != ':')
        colon++;
    for (const char *p = colon; p > sig; p--) {
        br_err_t err = bri_pop(c, sig_type(p[-1], addr), NULL);
        if (err != BR_ERR_OK)
            return err;
    }
    *s = c->height;
    for (const char *p = colon + 1; *p; p++) {
        br_err_t err = bri_push(c, sig_type(*p, addr));
        if (err != BR_ERR_OK)
            return err;
    }
    return BR_ERR_OK;
}

/* Simple ops that can trap need a site for the backtrace (FLAGS T). */
static bool
simple_can_trap(br_op_t op)
{
    return (bri_opinfo[op].flags & BRI_OPF_T) != 0;
}

/* ------------------------------------------------------------------ */
/* Generic instructions, driven by the SIG and IMM columns of the table */

/* [op, s]: numeric instructions. */
br_err_t
bri_op_simple(bri_compiler_t *c, br_op_t op)
{
    uint32_t s;
    br_err_t err = bri_apply_sig(c, op, BR_I32, &s);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    return bri_emit_op_s(c, op, s, simple_can_trap(op));
}

/* A memarg: flags, the memory index if flagged, the offset (a u64 for a
 * 64-bit memory, and for an unknown one, which fails after the read like
 * the reference decoder). The flags left after the memory index bit are
 * the alignment exponent: other high bits make it too large, which is
 * the error the spec reports. */
br_err_t
bri_rd_memarg_full(bri_compiler_t *c, uint32_t natural, bri_memarg_t *out)
{
    uint32_t align = 0, mem = 0;
    uint64_t offset = 0;
    br_err_t err = bri_rd_u32(c, &align);
    /* without multi-memory the flag is an oversized alignment instead */
    if (err == BR_ERR_OK && (align & BRI_MEMARG_HAS_MEMIDX) &&
        bri_multi_memory(c)) {
        align &= ~BRI_MEMARG_HAS_MEMIDX;
        err = bri_rd_u32(c, &mem);
    }
    bool is64 = mem >= c->m->memory_count || c->m->memories[mem].is64;
    if (err == BR_ERR_OK && is64) {
        err = rd_u64(c, &offset);
    } else if (err == BR_ERR_OK) {
        uint32_t off32;
        err = bri_rd_u32(c, &off32);
        offset = off32;
    }
    if (err == BR_ERR_OK)
        err = check_memory(c, mem);
    if (err == BR_ERR_OK && align > natural)
        err = BRI_FAIL(c, BR_ERR_ALIGNMENT, "2^%u", (unsigned)align);
    out->mem = mem;
    out->offset = offset;
    out->addr = bri_addr_type(is64);
    return err;
}

/* [op, s, mem, off_lo, off_hi]: loads and stores. */
br_err_t
bri_op_memarg(bri_compiler_t *c, br_op_t op)
{
    bri_memarg_t ma;
    br_err_t err = bri_rd_memarg(c, bri_opinfo[op].align, &ma);
    if (err != BR_ERR_OK)
        return err;
    uint32_t s;
    err = bri_apply_sig(c, op, ma.addr, &s);
    if (err != BR_ERR_OK || !bri_live(c))
        return err;
    if ((err = bri_emit_reserve(c, 5)) != BR_ERR_OK)
        return err;
    bri_site(c, bri_pc(c));
    bri_word(c, (uint32_t)op);
    bri_slot_word(c, s);
    bri_word(c, ma.mem);
    bri_word(c, (uint32_t)ma.offset);
    bri_word(c, (uint32_t)(ma.offset >> 32));
    return BR_ERR_OK;
}
