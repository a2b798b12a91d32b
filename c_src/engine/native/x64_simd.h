/*
 * beamr engine, native tier: SIMD (0xFD) instructions in machine code,
 * included by compile_x64.c (it uses its compiler state and emitters).
 * A v128 lives in two frame slots (code.h); each instruction loads its
 * operands with movdqu (slots are only 8-byte aligned, so no SSE
 * memory operands that need 16), computes in xmm0..xmm3 and stores the
 * result with movdqu. Lane semantics are those of numeric_simd.h: each
 * op here maps to the SSE instruction with exactly that lane meaning
 * (wrapping adds, saturating adds, unsigned/signed min and max, packs,
 * IEEE lane arithmetic in the interpreter's operand order). Ops that
 * need SSSE3/SSE4.1 are compiled only when the CPU has them; every op
 * not listed stays with the interpreter.
 * SPDX-License-Identifier: Apache-2.0
 */

/* CPU features beyond x86-64's SSE2. */
static bool
have_sse41(void)
{
    return __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
}

static void
vld(ncomp_t *c, int xmm, x64_rm_t at)
{
    x64_op(&c->b, X_F3, 0x0F6F, xmm, at); /* movdqu xmm, m128 */
}

static void
vst(ncomp_t *c, x64_rm_t at, int xmm)
{
    x64_op(&c->b, X_F3, 0x0F7F, xmm, at); /* movdqu m128, xmm */
}

/* A two-operand SSE op `dst op= src` on registers (66-prefixed unless
 * `flags` says otherwise). */
static void
vop(ncomp_t *c, unsigned flags, uint32_t opc, int dst, int src)
{
    x64_op(&c->b, flags, opc, dst, x64_r((x64_reg_t)src));
}

/* v128 binops [op, s]: a at s, b at s+2, result at s. */
typedef struct vbin {
    uint16_t op;
    uint8_t flags; /* X_66 or 0 (packed single) */
    bool sse41;    /* needs SSE4.1 */
    bool swap;     /* the SSE op computes b OP a (pandn) */
    uint32_t opc;
} vbin_t;

static const vbin_t vbins[] = {
    {BR_OP_i8x16_add, X_66, false, false, 0x0FFC},
    {BR_OP_i16x8_add, X_66, false, false, 0x0FFD},
    {BR_OP_i32x4_add, X_66, false, false, 0x0FFE},
    {BR_OP_i64x2_add, X_66, false, false, 0x0FD4},
    {BR_OP_i8x16_sub, X_66, false, false, 0x0FF8},
    {BR_OP_i16x8_sub, X_66, false, false, 0x0FF9},
    {BR_OP_i32x4_sub, X_66, false, false, 0x0FFA},
    {BR_OP_i64x2_sub, X_66, false, false, 0x0FFB},
    {BR_OP_i16x8_mul, X_66, false, false, 0x0FD5},
    {BR_OP_i32x4_mul, X_66, true, false, 0x0F3840},
    {BR_OP_v128_and, X_66, false, false, 0x0FDB},
    {BR_OP_v128_or, X_66, false, false, 0x0FEB},
    {BR_OP_v128_xor, X_66, false, false, 0x0FEF},
    {BR_OP_v128_andnot, X_66, false, true, 0x0FDF},
    {BR_OP_i8x16_add_sat_s, X_66, false, false, 0x0FEC},
    {BR_OP_i8x16_add_sat_u, X_66, false, false, 0x0FDC},
    {BR_OP_i16x8_add_sat_s, X_66, false, false, 0x0FED},
    {BR_OP_i16x8_add_sat_u, X_66, false, false, 0x0FDD},
    {BR_OP_i8x16_sub_sat_s, X_66, false, false, 0x0FE8},
    {BR_OP_i8x16_sub_sat_u, X_66, false, false, 0x0FD8},
    {BR_OP_i16x8_sub_sat_s, X_66, false, false, 0x0FE9},
    {BR_OP_i16x8_sub_sat_u, X_66, false, false, 0x0FD9},
    {BR_OP_i8x16_min_u, X_66, false, false, 0x0FDA},
    {BR_OP_i8x16_max_u, X_66, false, false, 0x0FDE},
    {BR_OP_i16x8_min_s, X_66, false, false, 0x0FEA},
    {BR_OP_i16x8_max_s, X_66, false, false, 0x0FEE},
    {BR_OP_i8x16_min_s, X_66, true, false, 0x0F3838},
    {BR_OP_i8x16_max_s, X_66, true, false, 0x0F383C},
    {BR_OP_i16x8_min_u, X_66, true, false, 0x0F383A},
    {BR_OP_i16x8_max_u, X_66, true, false, 0x0F383E},
    {BR_OP_i32x4_min_s, X_66, true, false, 0x0F3839},
    {BR_OP_i32x4_min_u, X_66, true, false, 0x0F383B},
    {BR_OP_i32x4_max_s, X_66, true, false, 0x0F383D},
    {BR_OP_i32x4_max_u, X_66, true, false, 0x0F383F},
    {BR_OP_i8x16_avgr_u, X_66, false, false, 0x0FE0},
    {BR_OP_i16x8_avgr_u, X_66, false, false, 0x0FE3},
    {BR_OP_i8x16_eq, X_66, false, false, 0x0F74},
    {BR_OP_i16x8_eq, X_66, false, false, 0x0F75},
    {BR_OP_i32x4_eq, X_66, false, false, 0x0F76},
    {BR_OP_i8x16_gt_s, X_66, false, false, 0x0F64},
    {BR_OP_i16x8_gt_s, X_66, false, false, 0x0F65},
    {BR_OP_i32x4_gt_s, X_66, false, false, 0x0F66},
    {BR_OP_i8x16_narrow_i16x8_s, X_66, false, false, 0x0F63},
    {BR_OP_i8x16_narrow_i16x8_u, X_66, false, false, 0x0F67},
    {BR_OP_i16x8_narrow_i32x4_s, X_66, false, false, 0x0F6B},
    {BR_OP_i16x8_narrow_i32x4_u, X_66, true, false, 0x0F382B},
    {BR_OP_f32x4_add, 0, false, false, 0x0F58},
    {BR_OP_f32x4_sub, 0, false, false, 0x0F5C},
    {BR_OP_f32x4_mul, 0, false, false, 0x0F59},
    {BR_OP_f32x4_div, 0, false, false, 0x0F5E},
    {BR_OP_f64x2_add, X_66, false, false, 0x0F58},
    {BR_OP_f64x2_sub, X_66, false, false, 0x0F5C},
    {BR_OP_f64x2_mul, X_66, false, false, 0x0F59},
    {BR_OP_f64x2_div, X_66, false, false, 0x0F5E},
};

static bool
emit_vbin(ncomp_t *c, br_op_t op, uint32_t s, bool sse41)
{
    for (size_t i = 0; i < sizeof vbins / sizeof vbins[0]; i++) {
        const vbin_t *v = &vbins[i];
        if (v->op != op)
            continue;
        if (v->sse41 && !sse41)
            return false;
        vld(c, 0, slot(s));
        vld(c, 1, slot(s + 2));
        if (v->swap) {
            vop(c, v->flags, v->opc, 1, 0);
            vst(c, slot(s), 1);
        } else {
            vop(c, v->flags, v->opc, 0, 1);
            vst(c, slot(s), 0);
        }
        return true;
    }
    return false;
}

/* Shifts [op, s]: v128 at s, count (i32) at s+2, taken modulo the lane
 * width as wasm does (SSE would clear the lanes for larger counts). */
static bool
emit_vshift(ncomp_t *c, br_op_t op, uint32_t s)
{
    uint32_t opc;
    unsigned mask;
    switch (op) {
    case BR_OP_i16x8_shl: opc = 0x0FF1; mask = 15; break;
    case BR_OP_i16x8_shr_s: opc = 0x0FE1; mask = 15; break;
    case BR_OP_i16x8_shr_u: opc = 0x0FD1; mask = 15; break;
    case BR_OP_i32x4_shl: opc = 0x0FF2; mask = 31; break;
    case BR_OP_i32x4_shr_s: opc = 0x0FE2; mask = 31; break;
    case BR_OP_i32x4_shr_u: opc = 0x0FD2; mask = 31; break;
    case BR_OP_i64x2_shl: opc = 0x0FF3; mask = 63; break;
    case BR_OP_i64x2_shr_u: opc = 0x0FD3; mask = 63; break;
    case BR_OP_i8x16_shl: opc = 0x0FF1; mask = 7; break;
    case BR_OP_i8x16_shr_u: opc = 0x0FD1; mask = 7; break;
    default: return false;
    }
    ld32(c, RAX, s + 2);
    x64_op(&c->b, 0, 0x83, 4, x64_r(RAX)); /* and eax, mask */
    x64_byte(&c->b, (uint8_t)mask);
    x64_op(&c->b, X_66, 0x0F6E, 1, x64_r(RAX)); /* movd xmm1, eax */
    vld(c, 0, slot(s));
    vop(c, X_66, opc, 0, 1);
    if (mask == 7) {
        /* bytes: shift as 16-bit lanes, then clear the bits that
         * crossed from the neighbouring byte (mask 0xFF >> n or
         * 0xFF << n in every byte) */
        x64_op(&c->b, 0, 0x8B, RCX, x64_r(RAX));
        x64_mov_imm(&c->b, RAX, 0xFF);
        x64_op(&c->b, 0, 0xD3, op == BR_OP_i8x16_shl ? 4 : 5, x64_r(RAX));
        x64_op(&c->b, 0, 0x0FB6, RAX, x64_r(RAX)); /* movzx eax, al */
        x64_op(&c->b, 0, 0x69, RAX, x64_r(RAX)); /* imul: every byte */
        x64_u32(&c->b, 0x01010101u);
        x64_op(&c->b, X_66, 0x0F6E, 2, x64_r(RAX));
        x64_op(&c->b, X_66, 0x0F70, 2, x64_r((x64_reg_t)2)); /* pshufd */
        x64_byte(&c->b, 0);
        vop(c, X_66, 0x0FDB, 0, 2); /* pand xmm0, xmm2 */
    }
    vst(c, slot(s), 0);
    return true;
}

/* xmm0 = the scalar in eax (8/16/32 bits) in every lane. */
static void
splat_eax(ncomp_t *c, unsigned width)
{
    if (width == 1) {
        x64_op(&c->b, 0, 0x69, RAX, x64_r(RAX)); /* imul eax, 0x01010101 */
        x64_u32(&c->b, 0x01010101u);
    } else if (width == 2) {
        x64_op(&c->b, 0, 0x69, RAX, x64_r(RAX));
        x64_u32(&c->b, 0x00010001u);
    }
    x64_op(&c->b, X_66, 0x0F6E, 0, x64_r(RAX)); /* movd xmm0, eax */
    x64_op(&c->b, X_66, 0x0F70, 0, x64_r(0));   /* pshufd xmm0, xmm0, 0 */
    x64_byte(&c->b, 0);
}

/* xmm0 = the 64 bits in rax in both lanes. */
static void
splat_rax(ncomp_t *c)
{
    x64_op(&c->b, X_66 | X_W, 0x0F6E, 0, x64_r(RAX)); /* movq xmm0, rax */
    vop(c, X_66, 0x0F6C, 0, 0);                       /* punpcklqdq */
}

/* Loads of memory 0 [op, s, mem, off_lo, off_hi] into the v128 at s. */
static bool
emit_vload(ncomp_t *c, br_op_t op, const uint32_t *w, bool sse41)
{
    unsigned width;
    uint32_t ext = 0; /* pmovsx/zx opcode (SSE4.1) */
    switch (op) {
    case BR_OP_v128_load: width = 16; break;
    case BR_OP_v128_load8x8_s: width = 8; ext = 0x0F3820; break;
    case BR_OP_v128_load8x8_u: width = 8; ext = 0x0F3830; break;
    case BR_OP_v128_load16x4_s: width = 8; ext = 0x0F3823; break;
    case BR_OP_v128_load16x4_u: width = 8; ext = 0x0F3833; break;
    case BR_OP_v128_load32x2_s: width = 8; ext = 0x0F3825; break;
    case BR_OP_v128_load32x2_u: width = 8; ext = 0x0F3835; break;
    case BR_OP_v128_load8_splat: width = 1; break;
    case BR_OP_v128_load16_splat: width = 2; break;
    case BR_OP_v128_load32_splat: width = 4; break;
    case BR_OP_v128_load64_splat: width = 8; break;
    default: return false;
    }
    if ((ext != 0 && !sse41) || w[2] != 0)
        return false;
    x64_rm_t at = emit_ea(c, w[1], w[3] | (uint64_t)w[4] << 32, width);
    if (width == 16) {
        vld(c, 0, at);
    } else if (ext != 0) {
        x64_op(&c->b, X_66, ext, 0, at); /* m64: no alignment needed */
    } else if (width == 8) {
        x64_op(&c->b, X_W, 0x8B, RAX, at);
        splat_rax(c);
    } else {
        x64_op(&c->b, 0, width == 1 ? 0x0FB6 : width == 2 ? 0x0FB7 : 0x8B,
               RAX, at);
        splat_eax(c, width);
    }
    vst(c, slot(w[1]), 0);
    return true;
}

/* Lane reads [op, s, lane] (to a zero-extended i32 or an i64 slot) and
 * writes [op, s, lane] (the scalar at s+2 into the lane): plain loads
 * and stores on the slots' bytes. */
static bool
emit_vlane(ncomp_t *c, br_op_t op, const uint32_t *w)
{
    unsigned width;
    bool write = false;
    uint32_t opc;
    switch (op) {
    case BR_OP_i8x16_extract_lane_s: width = 1; opc = 0x0FBE; break;
    case BR_OP_i8x16_extract_lane_u: width = 1; opc = 0x0FB6; break;
    case BR_OP_i16x8_extract_lane_s: width = 2; opc = 0x0FBF; break;
    case BR_OP_i16x8_extract_lane_u: width = 2; opc = 0x0FB7; break;
    case BR_OP_i32x4_extract_lane:
    case BR_OP_f32x4_extract_lane: width = 4; opc = 0x8B; break;
    case BR_OP_i64x2_extract_lane:
    case BR_OP_f64x2_extract_lane: width = 8; opc = 0x8B; break;
    case BR_OP_i8x16_replace_lane: width = 1; opc = 0x88; write = true; break;
    case BR_OP_i16x8_replace_lane: width = 2; opc = 0x89; write = true; break;
    case BR_OP_i32x4_replace_lane:
    case BR_OP_f32x4_replace_lane: width = 4; opc = 0x89; write = true; break;
    case BR_OP_i64x2_replace_lane:
    case BR_OP_f64x2_replace_lane: width = 8; opc = 0x89; write = true; break;
    default: return false;
    }
    uint32_t s = w[1], lane = w[2];
    if (lane >= 16 / width)
        return false; /* never for validated code */
    x64_rm_t v = slot(s);
    v.disp += (int32_t)(lane * width);
    unsigned flags = width == 8 ? X_W : width == 2 && write ? X_66 : 0;
    if (write && c->sse41) {
        /* insert in a register and store all 16 bytes: a partial store
         * would stall the next 16-byte load of the vector */
        static const uint32_t pinsr[] = {0, 0x0F3A20, 0x0FC4, 0, 0x0F3A22,
                                         0, 0, 0, 0x0F3A22};
        vld(c, 0, slot(s));
        x64_op(&c->b, X_66 | (width == 8 ? X_W : 0), pinsr[width], 0,
               slot(s + 2));
        x64_byte(&c->b, (uint8_t)lane);
        vst(c, slot(s), 0);
        return true;
    }
    if (write) {
        ld64(c, RAX, s + 2);
        x64_op(&c->b, flags | (width == 1 ? X_B8 : 0), opc, RAX, v);
        return true;
    }
    x64_op(&c->b, flags, opc, RAX, v);
    c->rax_slot = -1;
    st64(c, s, RAX);
    return true;
}

/* Splats [op, s]: the scalar at s into every lane of the v128 at s. */
static bool
emit_vsplat(ncomp_t *c, br_op_t op, uint32_t s)
{
    switch (op) {
    case BR_OP_i8x16_splat:
    case BR_OP_i16x8_splat:
    case BR_OP_i32x4_splat:
    case BR_OP_f32x4_splat:
        x64_op(&c->b, 0, op == BR_OP_i8x16_splat    ? 0x0FB6
                         : op == BR_OP_i16x8_splat ? 0x0FB7
                                                   : 0x8B,
               RAX, slot(s));
        splat_eax(c, op == BR_OP_i8x16_splat    ? 1
                     : op == BR_OP_i16x8_splat ? 2
                                               : 4);
        break;
    case BR_OP_i64x2_splat:
    case BR_OP_f64x2_splat:
        x64_op(&c->b, X_W, 0x8B, RAX, slot(s));
        splat_rax(c);
        break;
    default:
        return false;
    }
    vst(c, slot(s), 0);
    return true;
}

/* xmm`x` = the 16 bytes of two immediate words pairs (lo, hi). */
static void
vconst(ncomp_t *c, int x, uint64_t lo, uint64_t hi)
{
    x64_mov_imm(&c->b, RAX, lo);
    x64_op(&c->b, X_66 | X_W, 0x0F6E, x, x64_r(RAX)); /* movq */
    x64_mov_imm(&c->b, RAX, hi);
    x64_op(&c->b, X_66 | X_W, 0x0F6E, 3, x64_r(RAX));
    vop(c, X_66, 0x0F6C, x, 3); /* punpcklqdq xmm`x`, xmm3 */
}

/* i8x16.shuffle [op, s, 4 words of lane indices]: a at s, b at s+2.
 * pshufb of each with a mask that keeps its own lanes (index < 16 of
 * a, >= 16 of b) and zeroes the others (bit 7), then por. */
static bool
emit_vshuffle(ncomp_t *c, const uint32_t *w)
{
    uint8_t idx[16], ma[16], mb[16];
    memcpy(idx, w + 2, 16);
    for (int i = 0; i < 16; i++) {
        if (idx[i] >= 32)
            return false; /* never for validated code */
        ma[i] = idx[i] < 16 ? idx[i] : 0x80;
        mb[i] = idx[i] >= 16 ? (uint8_t)(idx[i] - 16) : 0x80;
    }
    uint64_t a_lo, a_hi, b_lo, b_hi;
    memcpy(&a_lo, ma, 8);
    memcpy(&a_hi, ma + 8, 8);
    memcpy(&b_lo, mb, 8);
    memcpy(&b_hi, mb + 8, 8);
    uint32_t s = w[1];
    vconst(c, 2, a_lo, a_hi);
    vld(c, 0, slot(s));
    vop(c, X_66, 0x0F3800, 0, 2); /* pshufb xmm0, xmm2 */
    vconst(c, 2, b_lo, b_hi);
    vld(c, 1, slot(s + 2));
    vop(c, X_66, 0x0F3800, 1, 2);
    vop(c, X_66, 0x0FEB, 0, 1); /* por */
    vst(c, slot(s), 0);
    return true;
}

/* The SIMD instruction at c->w, or false: the interpreter runs it. */
static bool
emit_simd(ncomp_t *c, br_op_t op)
{
    const uint32_t *w = c->w;
    bool sse41 = c->sse41;
    bool done;
    switch (op) {
    case BR_OP_v128_const:
        /* one 16-byte store: the op that reads it next loads 16 bytes,
         * which two 8-byte stores could not forward to */
        vconst(c, 0, w[2] | (uint64_t)w[3] << 32, w[4] | (uint64_t)w[5] << 32);
        vst(c, slot(w[1]), 0);
        done = true;
        break;
    case BR_OP_v128_store:
        if (w[2] != 0)
            return false;
        x64_rm_t at = emit_ea(c, w[1], w[3] | (uint64_t)w[4] << 32, 16);
        vld(c, 0, slot(w[1] + 1));
        vst(c, at, 0);
        done = true;
        break;
    case BR_OP_i8x16_shuffle:
        done = sse41 && emit_vshuffle(c, w);
        break;
    default:
        done = emit_vbin(c, op, w[1], sse41) || emit_vshift(c, op, w[1]) ||
               emit_vload(c, op, w, sse41) || emit_vlane(c, op, w) ||
               emit_vsplat(c, op, w[1]);
        break;
    }
    c->rax_slot = -1; /* a v128 result covers two slots */
    return done;
}
