/*
 * beamr engine: the one opcode table. Every use (enum, names, decoder
 * immediates, validator stack effects, compiler and interpreter dispatch)
 * is generated from BR_OPCODES / BR_INTERNAL_OPS. ORDER OP.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_OPCODES_H
#define BR_OPCODES_H

#include <stdint.h>

/* The prefix byte of the misc (0xFC) opcodes. */
#define BR_PREFIX_FC 0xFC

/*
 * X(NAME, PREFIX, CODE, IMM, SIG)
 *   PREFIX  0x00 for single-byte opcodes, 0xFC for the misc prefix.
 *   IMM     immediate kind (BR_IMM_*), tells the decoder what follows.
 *   SIG     stack effect "params:results" with i=i32 l=i64 f=f32 d=f64
 *           (e.g. "ii:i"); "*" means the validator handles it specially.
 *
 * Simple ops (SIG not "*") compile to [op, s]: operands at slots s, s+1..
 * and the result at slot s (code.h).
 */
#define BR_OPCODES(X)                                                    \
    /* control */                                                        \
    X(unreachable, 0x00, 0x00, NONE, "*")                                \
    X(nop, 0x00, 0x01, NONE, "*")                                        \
    X(block, 0x00, 0x02, BLOCKTYPE, "*")                                 \
    X(loop, 0x00, 0x03, BLOCKTYPE, "*")                                  \
    X(if_, 0x00, 0x04, BLOCKTYPE, "*")                                   \
    X(else_, 0x00, 0x05, NONE, "*")                                      \
    X(try_, 0x00, 0x06, BLOCKTYPE, "*")                                  \
    X(catch_, 0x00, 0x07, TAG, "*")                                      \
    X(throw_, 0x00, 0x08, TAG, "*")                                      \
    X(rethrow, 0x00, 0x09, LABEL, "*")                                   \
    X(end, 0x00, 0x0B, NONE, "*")                                        \
    X(br, 0x00, 0x0C, LABEL, "*")                                        \
    X(br_if, 0x00, 0x0D, LABEL, "*")                                     \
    X(br_table, 0x00, 0x0E, LABELS, "*")                                 \
    X(return_, 0x00, 0x0F, NONE, "*")                                    \
    X(call, 0x00, 0x10, FUNC, "*")                                       \
    X(call_indirect, 0x00, 0x11, CALL_INDIRECT, "*")                     \
    X(return_call, 0x00, 0x12, FUNC, "*")                                \
    X(return_call_indirect, 0x00, 0x13, CALL_INDIRECT, "*")              \
    X(delegate, 0x00, 0x18, LABEL, "*")                                  \
    X(catch_all, 0x00, 0x19, NONE, "*")                                  \
    /* parametric */                                                     \
    X(drop, 0x00, 0x1A, NONE, "*")                                       \
    X(select, 0x00, 0x1B, NONE, "*")                                     \
    X(select_t, 0x00, 0x1C, SELECT_T, "*")                               \
    /* variables */                                                      \
    X(local_get, 0x00, 0x20, LOCAL, "*")                                 \
    X(local_set, 0x00, 0x21, LOCAL, "*")                                 \
    X(local_tee, 0x00, 0x22, LOCAL, "*")                                 \
    X(global_get, 0x00, 0x23, GLOBAL, "*")                               \
    X(global_set, 0x00, 0x24, GLOBAL, "*")                               \
    X(table_get, 0x00, 0x25, TABLE, "*")                                 \
    X(table_set, 0x00, 0x26, TABLE, "*")                                 \
    /* memory: SIG gives value types; the address type is the memory's */ \
    X(i32_load, 0x00, 0x28, MEMARG, "a:i")                               \
    X(i64_load, 0x00, 0x29, MEMARG, "a:l")                               \
    X(f32_load, 0x00, 0x2A, MEMARG, "a:f")                               \
    X(f64_load, 0x00, 0x2B, MEMARG, "a:d")                               \
    X(i32_load8_s, 0x00, 0x2C, MEMARG, "a:i")                            \
    X(i32_load8_u, 0x00, 0x2D, MEMARG, "a:i")                            \
    X(i32_load16_s, 0x00, 0x2E, MEMARG, "a:i")                           \
    X(i32_load16_u, 0x00, 0x2F, MEMARG, "a:i")                           \
    X(i64_load8_s, 0x00, 0x30, MEMARG, "a:l")                            \
    X(i64_load8_u, 0x00, 0x31, MEMARG, "a:l")                            \
    X(i64_load16_s, 0x00, 0x32, MEMARG, "a:l")                           \
    X(i64_load16_u, 0x00, 0x33, MEMARG, "a:l")                           \
    X(i64_load32_s, 0x00, 0x34, MEMARG, "a:l")                           \
    X(i64_load32_u, 0x00, 0x35, MEMARG, "a:l")                           \
    X(i32_store, 0x00, 0x36, MEMARG, "ai:")                              \
    X(i64_store, 0x00, 0x37, MEMARG, "al:")                              \
    X(f32_store, 0x00, 0x38, MEMARG, "af:")                              \
    X(f64_store, 0x00, 0x39, MEMARG, "ad:")                              \
    X(i32_store8, 0x00, 0x3A, MEMARG, "ai:")                             \
    X(i32_store16, 0x00, 0x3B, MEMARG, "ai:")                            \
    X(i64_store8, 0x00, 0x3C, MEMARG, "al:")                             \
    X(i64_store16, 0x00, 0x3D, MEMARG, "al:")                            \
    X(i64_store32, 0x00, 0x3E, MEMARG, "al:")                            \
    X(memory_size, 0x00, 0x3F, MEMIDX, ":a")                             \
    X(memory_grow, 0x00, 0x40, MEMIDX, "a:a")                            \
    /* constants */                                                      \
    X(i32_const, 0x00, 0x41, I32, "*")                                   \
    X(i64_const, 0x00, 0x42, I64, "*")                                   \
    X(f32_const, 0x00, 0x43, F32, "*")                                   \
    X(f64_const, 0x00, 0x44, F64, "*")                                   \
    /* i32 comparisons */                                                \
    X(i32_eqz, 0x00, 0x45, NONE, "i:i")                                  \
    X(i32_eq, 0x00, 0x46, NONE, "ii:i")                                  \
    X(i32_ne, 0x00, 0x47, NONE, "ii:i")                                  \
    X(i32_lt_s, 0x00, 0x48, NONE, "ii:i")                                \
    X(i32_lt_u, 0x00, 0x49, NONE, "ii:i")                                \
    X(i32_gt_s, 0x00, 0x4A, NONE, "ii:i")                                \
    X(i32_gt_u, 0x00, 0x4B, NONE, "ii:i")                                \
    X(i32_le_s, 0x00, 0x4C, NONE, "ii:i")                                \
    X(i32_le_u, 0x00, 0x4D, NONE, "ii:i")                                \
    X(i32_ge_s, 0x00, 0x4E, NONE, "ii:i")                                \
    X(i32_ge_u, 0x00, 0x4F, NONE, "ii:i")                                \
    /* i64 comparisons */                                                \
    X(i64_eqz, 0x00, 0x50, NONE, "l:i")                                  \
    X(i64_eq, 0x00, 0x51, NONE, "ll:i")                                  \
    X(i64_ne, 0x00, 0x52, NONE, "ll:i")                                  \
    X(i64_lt_s, 0x00, 0x53, NONE, "ll:i")                                \
    X(i64_lt_u, 0x00, 0x54, NONE, "ll:i")                                \
    X(i64_gt_s, 0x00, 0x55, NONE, "ll:i")                                \
    X(i64_gt_u, 0x00, 0x56, NONE, "ll:i")                                \
    X(i64_le_s, 0x00, 0x57, NONE, "ll:i")                                \
    X(i64_le_u, 0x00, 0x58, NONE, "ll:i")                                \
    X(i64_ge_s, 0x00, 0x59, NONE, "ll:i")                                \
    X(i64_ge_u, 0x00, 0x5A, NONE, "ll:i")                                \
    /* float comparisons */                                              \
    X(f32_eq, 0x00, 0x5B, NONE, "ff:i")                                  \
    X(f32_ne, 0x00, 0x5C, NONE, "ff:i")                                  \
    X(f32_lt, 0x00, 0x5D, NONE, "ff:i")                                  \
    X(f32_gt, 0x00, 0x5E, NONE, "ff:i")                                  \
    X(f32_le, 0x00, 0x5F, NONE, "ff:i")                                  \
    X(f32_ge, 0x00, 0x60, NONE, "ff:i")                                  \
    X(f64_eq, 0x00, 0x61, NONE, "dd:i")                                  \
    X(f64_ne, 0x00, 0x62, NONE, "dd:i")                                  \
    X(f64_lt, 0x00, 0x63, NONE, "dd:i")                                  \
    X(f64_gt, 0x00, 0x64, NONE, "dd:i")                                  \
    X(f64_le, 0x00, 0x65, NONE, "dd:i")                                  \
    X(f64_ge, 0x00, 0x66, NONE, "dd:i")                                  \
    /* i32 arithmetic */                                                 \
    X(i32_clz, 0x00, 0x67, NONE, "i:i")                                  \
    X(i32_ctz, 0x00, 0x68, NONE, "i:i")                                  \
    X(i32_popcnt, 0x00, 0x69, NONE, "i:i")                               \
    X(i32_add, 0x00, 0x6A, NONE, "ii:i")                                 \
    X(i32_sub, 0x00, 0x6B, NONE, "ii:i")                                 \
    X(i32_mul, 0x00, 0x6C, NONE, "ii:i")                                 \
    X(i32_div_s, 0x00, 0x6D, NONE, "ii:i")                               \
    X(i32_div_u, 0x00, 0x6E, NONE, "ii:i")                               \
    X(i32_rem_s, 0x00, 0x6F, NONE, "ii:i")                               \
    X(i32_rem_u, 0x00, 0x70, NONE, "ii:i")                               \
    X(i32_and, 0x00, 0x71, NONE, "ii:i")                                 \
    X(i32_or, 0x00, 0x72, NONE, "ii:i")                                  \
    X(i32_xor, 0x00, 0x73, NONE, "ii:i")                                 \
    X(i32_shl, 0x00, 0x74, NONE, "ii:i")                                 \
    X(i32_shr_s, 0x00, 0x75, NONE, "ii:i")                               \
    X(i32_shr_u, 0x00, 0x76, NONE, "ii:i")                               \
    X(i32_rotl, 0x00, 0x77, NONE, "ii:i")                                \
    X(i32_rotr, 0x00, 0x78, NONE, "ii:i")                                \
    /* i64 arithmetic */                                                 \
    X(i64_clz, 0x00, 0x79, NONE, "l:l")                                  \
    X(i64_ctz, 0x00, 0x7A, NONE, "l:l")                                  \
    X(i64_popcnt, 0x00, 0x7B, NONE, "l:l")                               \
    X(i64_add, 0x00, 0x7C, NONE, "ll:l")                                 \
    X(i64_sub, 0x00, 0x7D, NONE, "ll:l")                                 \
    X(i64_mul, 0x00, 0x7E, NONE, "ll:l")                                 \
    X(i64_div_s, 0x00, 0x7F, NONE, "ll:l")                               \
    X(i64_div_u, 0x00, 0x80, NONE, "ll:l")                               \
    X(i64_rem_s, 0x00, 0x81, NONE, "ll:l")                               \
    X(i64_rem_u, 0x00, 0x82, NONE, "ll:l")                               \
    X(i64_and, 0x00, 0x83, NONE, "ll:l")                                 \
    X(i64_or, 0x00, 0x84, NONE, "ll:l")                                  \
    X(i64_xor, 0x00, 0x85, NONE, "ll:l")                                 \
    X(i64_shl, 0x00, 0x86, NONE, "ll:l")                                 \
    X(i64_shr_s, 0x00, 0x87, NONE, "ll:l")                               \
    X(i64_shr_u, 0x00, 0x88, NONE, "ll:l")                               \
    X(i64_rotl, 0x00, 0x89, NONE, "ll:l")                                \
    X(i64_rotr, 0x00, 0x8A, NONE, "ll:l")                                \
    /* f32 arithmetic */                                                 \
    X(f32_abs, 0x00, 0x8B, NONE, "f:f")                                  \
    X(f32_neg, 0x00, 0x8C, NONE, "f:f")                                  \
    X(f32_ceil, 0x00, 0x8D, NONE, "f:f")                                 \
    X(f32_floor, 0x00, 0x8E, NONE, "f:f")                                \
    X(f32_trunc, 0x00, 0x8F, NONE, "f:f")                                \
    X(f32_nearest, 0x00, 0x90, NONE, "f:f")                              \
    X(f32_sqrt, 0x00, 0x91, NONE, "f:f")                                 \
    X(f32_add, 0x00, 0x92, NONE, "ff:f")                                 \
    X(f32_sub, 0x00, 0x93, NONE, "ff:f")                                 \
    X(f32_mul, 0x00, 0x94, NONE, "ff:f")                                 \
    X(f32_div, 0x00, 0x95, NONE, "ff:f")                                 \
    X(f32_min, 0x00, 0x96, NONE, "ff:f")                                 \
    X(f32_max, 0x00, 0x97, NONE, "ff:f")                                 \
    X(f32_copysign, 0x00, 0x98, NONE, "ff:f")                            \
    /* f64 arithmetic */                                                 \
    X(f64_abs, 0x00, 0x99, NONE, "d:d")                                  \
    X(f64_neg, 0x00, 0x9A, NONE, "d:d")                                  \
    X(f64_ceil, 0x00, 0x9B, NONE, "d:d")                                 \
    X(f64_floor, 0x00, 0x9C, NONE, "d:d")                                \
    X(f64_trunc, 0x00, 0x9D, NONE, "d:d")                                \
    X(f64_nearest, 0x00, 0x9E, NONE, "d:d")                              \
    X(f64_sqrt, 0x00, 0x9F, NONE, "d:d")                                 \
    X(f64_add, 0x00, 0xA0, NONE, "dd:d")                                 \
    X(f64_sub, 0x00, 0xA1, NONE, "dd:d")                                 \
    X(f64_mul, 0x00, 0xA2, NONE, "dd:d")                                 \
    X(f64_div, 0x00, 0xA3, NONE, "dd:d")                                 \
    X(f64_min, 0x00, 0xA4, NONE, "dd:d")                                 \
    X(f64_max, 0x00, 0xA5, NONE, "dd:d")                                 \
    X(f64_copysign, 0x00, 0xA6, NONE, "dd:d")                            \
    /* conversions */                                                    \
    X(i32_wrap_i64, 0x00, 0xA7, NONE, "l:i")                             \
    X(i32_trunc_f32_s, 0x00, 0xA8, NONE, "f:i")                          \
    X(i32_trunc_f32_u, 0x00, 0xA9, NONE, "f:i")                          \
    X(i32_trunc_f64_s, 0x00, 0xAA, NONE, "d:i")                          \
    X(i32_trunc_f64_u, 0x00, 0xAB, NONE, "d:i")                          \
    X(i64_extend_i32_s, 0x00, 0xAC, NONE, "i:l")                         \
    X(i64_extend_i32_u, 0x00, 0xAD, NONE, "i:l")                         \
    X(i64_trunc_f32_s, 0x00, 0xAE, NONE, "f:l")                          \
    X(i64_trunc_f32_u, 0x00, 0xAF, NONE, "f:l")                          \
    X(i64_trunc_f64_s, 0x00, 0xB0, NONE, "d:l")                          \
    X(i64_trunc_f64_u, 0x00, 0xB1, NONE, "d:l")                          \
    X(f32_convert_i32_s, 0x00, 0xB2, NONE, "i:f")                        \
    X(f32_convert_i32_u, 0x00, 0xB3, NONE, "i:f")                        \
    X(f32_convert_i64_s, 0x00, 0xB4, NONE, "l:f")                        \
    X(f32_convert_i64_u, 0x00, 0xB5, NONE, "l:f")                        \
    X(f32_demote_f64, 0x00, 0xB6, NONE, "d:f")                           \
    X(f64_convert_i32_s, 0x00, 0xB7, NONE, "i:d")                        \
    X(f64_convert_i32_u, 0x00, 0xB8, NONE, "i:d")                        \
    X(f64_convert_i64_s, 0x00, 0xB9, NONE, "l:d")                        \
    X(f64_convert_i64_u, 0x00, 0xBA, NONE, "l:d")                        \
    X(f64_promote_f32, 0x00, 0xBB, NONE, "f:d")                          \
    X(i32_reinterpret_f32, 0x00, 0xBC, NONE, "f:i")                      \
    X(i64_reinterpret_f64, 0x00, 0xBD, NONE, "d:l")                      \
    X(f32_reinterpret_i32, 0x00, 0xBE, NONE, "i:f")                      \
    X(f64_reinterpret_i64, 0x00, 0xBF, NONE, "l:d")                      \
    /* sign extension */                                                 \
    X(i32_extend8_s, 0x00, 0xC0, NONE, "i:i")                            \
    X(i32_extend16_s, 0x00, 0xC1, NONE, "i:i")                           \
    X(i64_extend8_s, 0x00, 0xC2, NONE, "l:l")                            \
    X(i64_extend16_s, 0x00, 0xC3, NONE, "l:l")                           \
    X(i64_extend32_s, 0x00, 0xC4, NONE, "l:l")                           \
    /* reference types */                                                \
    X(ref_null, 0x00, 0xD0, REFTYPE, "*")                                \
    X(ref_is_null, 0x00, 0xD1, NONE, "*")                                \
    X(ref_func, 0x00, 0xD2, FUNC, "*")                                   \
    /* 0xFC prefix: saturating truncation */                             \
    X(i32_trunc_sat_f32_s, 0xFC, 0x00, NONE, "f:i")                      \
    X(i32_trunc_sat_f32_u, 0xFC, 0x01, NONE, "f:i")                      \
    X(i32_trunc_sat_f64_s, 0xFC, 0x02, NONE, "d:i")                      \
    X(i32_trunc_sat_f64_u, 0xFC, 0x03, NONE, "d:i")                      \
    X(i64_trunc_sat_f32_s, 0xFC, 0x04, NONE, "f:l")                      \
    X(i64_trunc_sat_f32_u, 0xFC, 0x05, NONE, "f:l")                      \
    X(i64_trunc_sat_f64_s, 0xFC, 0x06, NONE, "d:l")                      \
    X(i64_trunc_sat_f64_u, 0xFC, 0x07, NONE, "d:l")                      \
    /* 0xFC prefix: bulk memory and tables */                            \
    X(memory_init, 0xFC, 0x08, DATA_MEM, "*")                            \
    X(data_drop, 0xFC, 0x09, DATA, "*")                                  \
    X(memory_copy, 0xFC, 0x0A, MEM_MEM, "*")                             \
    X(memory_fill, 0xFC, 0x0B, MEMIDX, "*")                              \
    X(table_init, 0xFC, 0x0C, ELEM_TABLE, "*")                           \
    X(elem_drop, 0xFC, 0x0D, ELEM, "*")                                  \
    X(table_copy, 0xFC, 0x0E, TABLE_TABLE, "*")                          \
    X(table_grow, 0xFC, 0x0F, TABLE, "*")                                \
    X(table_size, 0xFC, 0x10, TABLE, "*")                                \
    X(table_fill, 0xFC, 0x11, TABLE, "*")

/*
 * Internal operations: emitted by the compiler only, never decoded.
 * X(NAME) -- their layouts are documented in code.h. ORDER OP.
 */
#define BR_INTERNAL_OPS(X)                                               \
    X(move)          /* [move, dst, src, n]                          */  \
    X(jump)          /* [jump, target]                               */  \
    X(jump_back)     /* [jump_back, target, fuel]                    */  \
    X(jump_if)       /* [jump_if, s, target]                         */  \
    X(jump_if_back)  /* [jump_if_back, s, target, fuel]              */  \
    X(jump_unless)   /* [jump_unless, s, target]                     */  \
    X(jump_table)    /* [jump_table, s, n, src, arity, n+1 x (target, dst, fuel)] */ \
    X(ret)           /* [ret, s, n]                                  */

/* Immediate kinds for the decoder and validator. */
#define BR_IMM_KINDS(X)                                                  \
    X(NONE) X(BLOCKTYPE) X(LABEL) X(LABELS) X(FUNC) X(CALL_INDIRECT)     \
    X(LOCAL) X(GLOBAL) X(TABLE) X(MEMARG) X(MEMIDX) X(I32) X(I64)        \
    X(F32) X(F64) X(REFTYPE) X(SELECT_T) X(TAG) X(DATA) X(DATA_MEM)      \
    X(MEM_MEM) X(ELEM) X(ELEM_TABLE) X(TABLE_TABLE)

#define BR_IMM_ENUM(name) BR_IMM_##name,
typedef enum br_imm { BR_IMM_KINDS(BR_IMM_ENUM) BR_IMM__COUNT } br_imm_t;
#undef BR_IMM_ENUM

/* Internal opcode numbers: wasm ops first, then internal ops. ORDER OP */
#define BR_OP_ENUM(name, prefix, code, imm, sig) BR_OP_##name,
#define BR_IOP_ENUM(name) BR_OP_##name,
typedef enum br_op {
    BR_OPCODES(BR_OP_ENUM) BR_INTERNAL_OPS(BR_IOP_ENUM) BR_OP__COUNT
} br_op_t;
#undef BR_OP_ENUM
#undef BR_IOP_ENUM

/* Static description of a wasm opcode (generated in opcodes.c). */
typedef struct bri_opinfo {
    const char *name;
    uint8_t prefix;
    uint8_t code;
    uint8_t imm;     /* br_imm_t */
    const char *sig; /* "params:results" or "*" */
} bri_opinfo_t;

extern const bri_opinfo_t bri_opinfo[BR_OP__COUNT];
/* Maps a single-byte opcode to br_op_t, or -1 if illegal. */
extern const int16_t bri_op_by_byte[256];
/* Maps a 0xFC-prefixed sub-opcode (< 32) to br_op_t, or -1. */
extern const int16_t bri_op_by_fc[32];

#endif
