/*
 * beamr engine: the instruction reader's out-of-line parts (reader.h):
 * the full LEB128 readers behind the inline fast ones, and the
 * immediates of every instruction, driven by the IMM column of the
 * opcode table. The decoder skips constant expressions and bodies with
 * it, the validator and the evaluator read constant expressions with it.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "reader.h"

bool
bri_read_u32_full(bri_reader_t *r, uint32_t *out)
{
    return bri_read_u32(r, out);
}

bool
bri_read_sleb_full(bri_reader_t *r, unsigned bits, int64_t *out)
{
    return bri_read_sleb(r, bits, out);
}

/* The rest of bri_read_op_after (reader.h): a prefix byte's sub-opcode. */
int
bri_read_prefixed_op(bri_reader_t *r, uint8_t b, uint32_t *sub)
{
    if (!bri_read_u32_fast(r, sub))
        return -2;
    if (b == BR_PREFIX_FC)
        return *sub < 32 ? bri_op_by_fc[*sub] : -1;
    if (b == BR_PREFIX_FB)
        return *sub < 32 ? bri_op_by_fb[*sub] : -1;
    return *sub < BRI_FD_COUNT ? bri_op_by_fd[*sub] : -1;
}

static bool
read_indices(bri_reader_t *r, unsigned n, bri_imm_t *out)
{
    for (unsigned i = 0; i < n; i++)
        if (!bri_read_u32(r, &out->idx[i]))
            return false;
    return true;
}

/* br_table: the count, then count + 1 labels (the last is the default). */
static bool
read_labels(bri_reader_t *r, bri_imm_t *out)
{
    uint32_t n, label;
    if (!bri_read_len(r, &n))
        return false;
    out->count = n;
    out->bytes = r->p;
    for (uint64_t i = 0; i <= n; i++)
        if (!bri_read_u32(r, &label))
            return false;
    return true;
}

/* Flags, a memory index if flagged, and the offset (read as a u64 here:
 * the validator applies the memory's address type). */
static bool
read_memarg(bri_reader_t *r, bri_imm_t *out)
{
    if (!bri_read_u32(r, &out->flags))
        return false;
    out->idx[0] = 0;
    if ((out->flags & BRI_MEMARG_HAS_MEMIDX) && !bri_read_u32(r, &out->idx[0]))
        return false;
    return bri_read_u64(r, &out->u);
}

/* The abstract heap types the engine knows, by their one-byte code:
 * func, extern, exn and their bottom types nofunc, noextern, noexn. */
static bool
known_abstract(uint8_t code)
{
    switch (code) {
    case BRI_HT_FUNC:
    case BRI_HT_EXTERN:
    case BRI_HT_EXN:
    case BRI_HT_NOFUNC:
    case BRI_HT_NOEXTERN:
    case BRI_HT_NOEXN:
    case BRI_HT_ANY:
    case BRI_HT_EQ:
    case BRI_HT_I31:
    case BRI_HT_STRUCT:
    case BRI_HT_ARRAY:
    case BRI_HT_NONE:
        return true;
    default:
        return false;
    }
}

/* A heap type is an s33: an abstract one is a negative one-byte LEB
 * (its code), a concrete one a type index (>= 0). */
bool
bri_read_heaptype(bri_reader_t *r, bool nullable, bri_valtype_t *out)
{
    const uint8_t *at = r->p;
    if (r->p < r->end && (*r->p & 0xC0u) == 0x40u) {
        uint8_t code = *r->p++;
        if (!known_abstract(code))
            return bri_reader_fail_at(r, BR_ERR_MALFORMED_REFTYPE, at);
        *out = code | (nullable ? 0u : BRI_VT_NONNULL);
        return true;
    }
    int64_t idx;
    if (!bri_read_sleb(r, 33, &idx))
        return false;
    if (idx < 0)
        return bri_reader_fail_at(r, BR_ERR_MALFORMED_REFTYPE, at);
    /* the last index is decode.c's self-reference marker */
    if (idx >= (int64_t)BRI_VT_MAX_INDEX - 1)
        return bri_reader_fail_at(r, BR_ERR_UNKNOWN_TYPE, at);
    *out = bri_vt_ref_index((uint32_t)idx, nullable);
    return true;
}

bool
bri_read_valtype(bri_reader_t *r, bri_valtype_t *out)
{
    uint8_t b;
    if (!bri_read_u8(r, &b))
        return false;
    if (b == BRI_REF_NULL_FORM || b == BRI_REF_FORM)
        return bri_read_heaptype(r, b == BRI_REF_NULL_FORM, out);
    if (!bri_valkind_valid(b) && !known_abstract(b))
        return bri_reader_fail_at(r, BR_ERR_MALFORMED_VALTYPE, r->p - 1);
    *out = b;
    return true;
}

static bool
read_valtype_byte(bri_reader_t *r)
{
    bri_valtype_t t;
    return bri_read_valtype(r, &t);
}

/* A block type: an s33, except that a reference type written with its
 * prefix (0x63/0x64 ht) is longer than its first byte. */
static bool
read_blocktype(bri_reader_t *r, bri_imm_t *out)
{
    if (r->p < r->end &&
        (*r->p == BRI_REF_NULL_FORM || *r->p == BRI_REF_FORM)) {
        bri_valtype_t t;
        out->s = (int64_t)*r->p - 0x80; /* the s33 of its first byte */
        return bri_read_valtype(r, &t);
    }
    return bri_read_sleb(r, 33, &out->s);
}

static bool
read_select_types(bri_reader_t *r, bri_imm_t *out)
{
    uint32_t n;
    if (!bri_read_len(r, &n))
        return false;
    out->count = n;
    out->bytes = r->p;
    for (uint32_t i = 0; i < n; i++)
        if (!read_valtype_byte(r))
            return false;
    return true;
}

/* ref.null's heap type: the nullable reference type it makes. */
static bool
read_reftype(bri_reader_t *r, bri_imm_t *out)
{
    return bri_read_heaptype(r, true, &out->reftype);
}

/* try_table: its block type, then (kind, [tag,] label) per catch clause;
 * kinds 0 and 1 (catch, catch_ref) name a tag. The compiler reads the
 * clauses again itself (compile_ctl.c). */
static bool
read_catches(bri_reader_t *r, bri_imm_t *out)
{
    uint32_t n, x;
    if (!read_blocktype(r, out) || !bri_read_len(r, &n))
        return false;
    out->count = n;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t kind;
        if (!bri_read_u8(r, &kind))
            return false;
        if (kind > 3)
            return bri_reader_fail_at(r, BR_ERR_MALFORMED_CATCH_KIND, r->p - 1);
        if ((kind < 2 && !bri_read_u32(r, &x)) || !bri_read_u32(r, &x))
            return false;
    }
    return true;
}

/* br_on_cast(_fail): flags (bit 0: the source type is nullable, bit 1:
 * the target type), a label, then the two heap types. */
static bool
read_br_on_cast(bri_reader_t *r, bri_imm_t *out)
{
    uint8_t flags;
    if (!bri_read_u8(r, &flags))
        return false;
    if (flags > 3)
        return bri_reader_fail_at(r, BR_ERR_MALFORMED_REFTYPE, r->p - 1);
    out->flags = flags;
    return bri_read_u32(r, &out->idx[0]) &&
           bri_read_heaptype(r, flags & 1, &out->reftype) &&
           bri_read_heaptype(r, flags & 2, &out->reftype2);
}

static bool
read_bytes(bri_reader_t *r, uint32_t n, bri_imm_t *out)
{
    if ((size_t)(r->end - r->p) < n) {
        r->p = r->end;
        return bri_reader_fail(r, BR_ERR_UNEXPECTED_END);
    }
    out->bytes = r->p;
    r->p += n;
    return true;
}

bool
bri_read_imm(bri_reader_t *r, br_imm_t imm, bri_imm_t *out)
{
    switch (imm) {
    case BR_IMM_NONE:
        return true;
    case BR_IMM_BLOCKTYPE:
        return read_blocktype(r, out);
    case BR_IMM_LABEL:
    case BR_IMM_FUNC:
    case BR_IMM_LOCAL:
    case BR_IMM_GLOBAL:
    case BR_IMM_TABLE:
    case BR_IMM_MEMIDX:
    case BR_IMM_TAG:
    case BR_IMM_DATA:
    case BR_IMM_ELEM:
    case BR_IMM_TYPE:
        return read_indices(r, 1, out);
    case BR_IMM_TYPE_FIELD:
    case BR_IMM_TYPE_DATA:
    case BR_IMM_TYPE_ELEM:
    case BR_IMM_TYPE_N:
    case BR_IMM_TYPE_TYPE:
    case BR_IMM_CALL_INDIRECT:
    case BR_IMM_DATA_MEM:
    case BR_IMM_MEM_MEM:
    case BR_IMM_ELEM_TABLE:
    case BR_IMM_TABLE_TABLE:
        return read_indices(r, 2, out);
    case BR_IMM_LABELS:
        return read_labels(r, out);
    case BR_IMM_TRY_TABLE:
        return read_catches(r, out);
    case BR_IMM_MEMARG:
        return read_memarg(r, out);
    case BR_IMM_I32:
        return bri_read_sleb(r, 32, &out->s);
    case BR_IMM_I64:
        return bri_read_sleb(r, 64, &out->s);
    case BR_IMM_F32:
        return bri_read_fixed(r, 4, &out->u);
    case BR_IMM_F64:
        return bri_read_fixed(r, 8, &out->u);
    case BR_IMM_REFTYPE:
        return read_reftype(r, out);
    case BR_IMM_HEAPTYPE:
        return bri_read_heaptype(r, false, &out->reftype);
    case BR_IMM_BR_ON_CAST:
        return read_br_on_cast(r, out);
    case BR_IMM_SELECT_T:
        return read_select_types(r, out);
    case BR_IMM_V128:
    case BR_IMM_SHUFFLE:
        return read_bytes(r, BRI_V128_BYTES, out);
    case BR_IMM_LANE:
        return bri_read_u8(r, &out->lane);
    case BR_IMM_MEMARG_LANE:
        return read_memarg(r, out) && bri_read_u8(r, &out->lane);
    case BR_IMM__COUNT:
        break;
    }
    return bri_reader_fail(r, BR_ERR_ILLEGAL_OPCODE);
}
