/*
 * beamr engine: the opcode tables generated from BR_OPCODES and
 * BR_INTERNAL_OPS (opcodes.h): descriptions and byte -> op lookups.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "internal.h"

/* The PREFIX column's values besides BR_PREFIX_FC/FD (opcodes.h). */
#define PREFIX_NONE 0x00
#define PREFIX_INTERNAL 0xFF

/* clang-format off */
#define OPINFO(n, pf, cd, im, sg, tx, ln, sp, h, fl, la, al)              \
    [BR_OP_##n] = {.name = #n, .prefix = pf, .code = cd,                  \
                   .imm = BR_IMM_##im, .sig = sg, .text = tx,             \
                   .len = BRI_NUM(ln), .span = BRI_NUM(sp),               \
                   .flags = BRI_OPF(fl), .lanes = la, .align = al},
/* Internal ops: the basic ones have a layout row; the fused ones' layouts
 * follow from their forms (fused_ops.h, verify.c). */
#define IOPINFO(X, n, ln, sp)                                             \
    [BR_OP_##n] = {.name = #n, .prefix = PREFIX_INTERNAL,                 \
                   .imm = BR_IMM_NONE, .sig = "*",                        \
                   .len = BRI_NUM(ln), .span = BRI_NUM(sp)},
#define FUSEDINFO(n)                                                      \
    [BR_OP_##n] = {.name = #n, .prefix = PREFIX_INTERNAL,                 \
                   .imm = BR_IMM_NONE, .sig = "*"},
const bri_opinfo_t bri_opinfo[BR_OP__COUNT] = {
    BR_OPCODES_ALL(OPINFO) BRI_INTERNAL_ROWS(IOPINFO, _)
    BRI_FUSED_OPS(FUSEDINFO)};
/* clang-format on */
#undef OPINFO
#undef IOPINFO
#undef FUSEDINFO

/* The lookup tables start from "illegal" (-1) everywhere and then name
 * each opcode's slot, so overriding initializers are intended here. An
 * opcode of the other prefix writes -1 into a slot that never holds an
 * opcode (the 0xFC prefix byte itself, or the unassigned 0xFC sub-opcode
 * FC_SPARE) to keep the generated list free of conditionals; 0xFD opcodes
 * do the same in the first two tables. */
#define FC_SPARE 31

#define FC_FITS(name, prefix, code, imm, sig)                 \
    _Static_assert(prefix != BR_PREFIX_FC || code < FC_SPARE, \
                   "0xFC sub-opcode of " #name " does not fit the table");
BR_OPCODES(FC_FITS)
#undef FC_FITS

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#endif

#define BY_BYTE(name, prefix, code, imm, sig)       \
    [prefix == PREFIX_NONE ? code : BR_PREFIX_FC] = \
        prefix == PREFIX_NONE ? BR_OP_##name : -1,
const int16_t bri_op_by_byte[256] = {[0 ... 255] = -1, BR_OPCODES(BY_BYTE)};
#undef BY_BYTE

#define BY_FC(name, prefix, code, imm, sig)      \
    [prefix == BR_PREFIX_FC ? code : FC_SPARE] = \
        prefix == BR_PREFIX_FC ? BR_OP_##name : -1,
const int16_t bri_op_by_fc[32] = {[0 ... 31] = -1, BR_OPCODES(BY_FC)};
#undef BY_FC

#define BY_FB(name, prefix, code, imm, sig)      \
    [prefix == BR_PREFIX_FB ? code : FC_SPARE] = \
        prefix == BR_PREFIX_FB ? BR_OP_##name : -1,
const int16_t bri_op_by_fb[32] = {[0 ... 31] = -1, BR_OPCODES(BY_FB)};
#undef BY_FB

/* The SIMD list holds only 0xFD opcodes (test_decode checks that each
 * sub-opcode maps back to its own op). */
#define FD_ONLY(name, prefix, code, imm, sig) \
    _Static_assert(prefix == BR_PREFIX_FD, #name " is not a 0xFD opcode");
BR_SIMD_OPCODES(FD_ONLY)
#undef FD_ONLY

#define BY_FD(name, prefix, code, imm, sig) [code] = BR_OP_##name,
const int16_t bri_op_by_fd[BRI_FD_COUNT] = {[0 ... BRI_FD_COUNT - 1] = -1,
                                            BR_SIMD_OPCODES(BY_FD)};
#undef BY_FD

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
