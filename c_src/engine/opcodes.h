/*
 * beamr engine: the one opcode table. Every use is generated from
 * BRI_OPCODE_ROWS / BRI_INTERNAL_ROWS: the enum, names and text names,
 * the readers' immediates, the validator's stack effects, the compiler's
 * handlers, the code layouts the verifier checks, and the interpreter's
 * dispatch. ORDER OP.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_OPCODES_H
#define BR_OPCODES_H

#include <stdbool.h>
#include <stdint.h>

#include "fused_ops.h"

/* The prefix byte of the misc (0xFC) opcodes. */
#define BR_PREFIX_FC 0xFC
/* The prefix byte of the GC (0xFB) opcodes. */
#define BR_PREFIX_FB 0xFB
/* The prefix byte of the SIMD (0xFD) opcodes (BR_SIMD_OPCODES). */
#define BR_PREFIX_FD 0xFD

/*
 * Each row is Y(X, NAME, PREFIX, CODE, IMM, SIG,
 *                  TEXT, LEN, SPAN, HANDLER, FLAGS, LANES, ALIGN):
 *   PREFIX  0x00 for single-byte opcodes, 0xFC for the misc prefix, 0xFD
 *           for SIMD (a u32 LEB sub-opcode follows a prefix byte).
 *   IMM     immediate kind (BR_IMM_*), tells every reader what follows.
 *   SIG     stack effect "params:results" with i=i32 l=i64 f=f32 d=f64
 *           v=v128 a=the memory's address type (e.g. "ii:i"); "*" means
 *           the validator handles it specially.
 *   TEXT    the name in the text format ("local.get", "br_if"; typed
 *           `select` shares its name with `select`).
 *   LEN     words of its compiled instruction (code.h), 0 if the
 *           compiler emits none for it (block, end, br ...).
 *   SPAN    slots from the instruction's first operand word `s` that it
 *           reads or writes: a number, or VAR when the types it names
 *           decide (calls, throw, globals).
 *   HANDLER the compiler's handler (compile.c dispatches through it).
 *   FLAGS   _ none, T it can trap (needs a site for backtraces), C an
 *           integer op whose operands may be swapped (compile_fuse.c).
 *   LANES   lanes of a lane op (extract/replace lane, lane load/store).
 *   ALIGN   log2 of a memory access's width, its maximum alignment.
 *
 * Y is a selector that passes the columns its user needs to X, so that
 * the generated uses are written with the columns they read (the plain
 * BR_OPCODES(X) view gives X the first five); BR_OPCODES_ALL(X) gives all.
 *
 * Simple ops (SIG not "*") compile to [op, s]: operands at slots s, s+1..
 * and the result at slot s (code.h).
 */
#define BRI_OPCOLS_5(X, name, prefix, code, imm, sig, ...)              \
    X(name, prefix, code, imm, sig)
#define BRI_OPCOLS_ALL(X, ...) X(__VA_ARGS__)
#define BR_OPCODES(X) BRI_OPCODE_ROWS(BRI_OPCOLS_5, X)
#define BR_OPCODES_ALL(X) BRI_OPCODE_ROWS(BRI_OPCOLS_ALL, X)
#define BR_SIMD_OPCODES(X) BRI_SIMD_ROWS(BRI_OPCOLS_5, X)

#define BRI_OPCODE_ROWS(Y, X)                                           \
    /* control */                                                       \
    Y(X, unreachable, 0x00, 0x00, NONE, "*",                            \
        "unreachable", 1, 0, op_unreachable, _, 0, 0)                   \
    Y(X, nop, 0x00, 0x01, NONE, "*",                                    \
        "nop", 0, 0, op_nop, _, 0, 0)                                   \
    Y(X, block, 0x00, 0x02, BLOCKTYPE, "*",                             \
        "block", 0, 0, bri_op_block, _, 0, 0)                           \
    Y(X, loop, 0x00, 0x03, BLOCKTYPE, "*",                              \
        "loop", 0, 0, bri_op_block, _, 0, 0)                            \
    Y(X, if_, 0x00, 0x04, BLOCKTYPE, "*",                               \
        "if", 0, 0, bri_op_if, _, 0, 0)                                 \
    Y(X, else_, 0x00, 0x05, NONE, "*",                                  \
        "else", 0, 0, bri_op_else, _, 0, 0)                             \
    Y(X, try_, 0x00, 0x06, BLOCKTYPE, "*",                              \
        "try", 0, 0, bri_op_try, _, 0, 0)                               \
    Y(X, catch_, 0x00, 0x07, TAG, "*",                                  \
        "catch", 0, 0, bri_op_catch, _, 0, 0)                           \
    Y(X, throw_, 0x00, 0x08, TAG, "*",                                  \
        "throw", 3, VAR, bri_op_throw, _, 0, 0)                         \
    Y(X, rethrow, 0x00, 0x09, LABEL, "*",                               \
        "rethrow", 2, 1, bri_op_rethrow, _, 0, 0)                       \
    Y(X, throw_ref, 0x00, 0x0A, NONE, "*",                              \
        "throw_ref", 2, 1, bri_op_throw_ref, _, 0, 0)                   \
    Y(X, end, 0x00, 0x0B, NONE, "*",                                    \
        "end", 0, 0, bri_op_end, _, 0, 0)                               \
    Y(X, br, 0x00, 0x0C, LABEL, "*",                                    \
        "br", 0, 0, bri_op_br, _, 0, 0)                                 \
    Y(X, br_if, 0x00, 0x0D, LABEL, "*",                                 \
        "br_if", 0, 0, bri_op_br_if, _, 0, 0)                           \
    Y(X, br_table, 0x00, 0x0E, LABELS, "*",                             \
        "br_table", 0, 0, bri_op_br_table, _, 0, 0)                     \
    Y(X, return_, 0x00, 0x0F, NONE, "*",                                \
        "return", 0, 0, bri_op_return, _, 0, 0)                         \
    Y(X, call, 0x00, 0x10, FUNC, "*",                                   \
        "call", 3, VAR, bri_op_call, _, 0, 0)                           \
    Y(X, call_indirect, 0x00, 0x11, CALL_INDIRECT, "*",                 \
        "call_indirect", 4, VAR, bri_op_call_indirect, _, 0, 0)         \
    Y(X, return_call, 0x00, 0x12, FUNC, "*",                            \
        "return_call", 3, VAR, bri_op_call, _, 0, 0)                    \
    Y(X, return_call_indirect, 0x00, 0x13, CALL_INDIRECT, "*",          \
        "return_call_indirect", 4, VAR, bri_op_call_indirect, _, 0, 0)  \
    Y(X, call_ref, 0x00, 0x14, TYPE, "*",                               \
        "call_ref", 3, VAR, bri_op_call_ref, _, 0, 0)                   \
    Y(X, return_call_ref, 0x00, 0x15, TYPE, "*",                        \
        "return_call_ref", 3, VAR, bri_op_call_ref, _, 0, 0)            \
    Y(X, delegate, 0x00, 0x18, LABEL, "*",                              \
        "delegate", 0, 0, bri_op_delegate, _, 0, 0)                     \
    Y(X, catch_all, 0x00, 0x19, NONE, "*",                              \
        "catch_all", 0, 0, bri_op_catch, _, 0, 0)                       \
    Y(X, try_table, 0x00, 0x1F, TRY_TABLE, "*",                         \
        "try_table", 0, 0, bri_op_try_table, _, 0, 0)                   \
    /* parametric */                                                    \
    Y(X, drop, 0x00, 0x1A, NONE, "*",                                   \
        "drop", 0, 0, op_drop, _, 0, 0)                                 \
    Y(X, select, 0x00, 0x1B, NONE, "*",                                 \
        "select", 2, 3, op_select, _, 0, 0)                             \
    Y(X, select_t, 0x00, 0x1C, SELECT_T, "*",                           \
        "select", 2, 3, op_select, _, 0, 0)                             \
    /* variables */                                                     \
    Y(X, local_get, 0x00, 0x20, LOCAL, "*",                             \
        "local.get", 3, 1, op_local, _, 0, 0)                           \
    Y(X, local_set, 0x00, 0x21, LOCAL, "*",                             \
        "local.set", 3, 1, op_local, _, 0, 0)                           \
    Y(X, local_tee, 0x00, 0x22, LOCAL, "*",                             \
        "local.tee", 3, 1, op_local, _, 0, 0)                           \
    Y(X, global_get, 0x00, 0x23, GLOBAL, "*",                           \
        "global.get", 3, VAR, op_global, _, 0, 0)                       \
    Y(X, global_set, 0x00, 0x24, GLOBAL, "*",                           \
        "global.set", 3, VAR, op_global, _, 0, 0)                       \
    Y(X, table_get, 0x00, 0x25, TABLE, "*",                             \
        "table.get", 3, 1, op_table, _, 0, 0)                           \
    Y(X, table_set, 0x00, 0x26, TABLE, "*",                             \
        "table.set", 3, 2, op_table, _, 0, 0)                           \
    /* memory: SIG gives value types; the address type is the memory's */ \
    Y(X, i32_load, 0x00, 0x28, MEMARG, "a:i",                           \
        "i32.load", 5, 1, bri_op_memarg, _, 0, 2)                       \
    Y(X, i64_load, 0x00, 0x29, MEMARG, "a:l",                           \
        "i64.load", 5, 1, bri_op_memarg, _, 0, 3)                       \
    Y(X, f32_load, 0x00, 0x2A, MEMARG, "a:f",                           \
        "f32.load", 5, 1, bri_op_memarg, _, 0, 2)                       \
    Y(X, f64_load, 0x00, 0x2B, MEMARG, "a:d",                           \
        "f64.load", 5, 1, bri_op_memarg, _, 0, 3)                       \
    Y(X, i32_load8_s, 0x00, 0x2C, MEMARG, "a:i",                        \
        "i32.load8_s", 5, 1, bri_op_memarg, _, 0, 0)                    \
    Y(X, i32_load8_u, 0x00, 0x2D, MEMARG, "a:i",                        \
        "i32.load8_u", 5, 1, bri_op_memarg, _, 0, 0)                    \
    Y(X, i32_load16_s, 0x00, 0x2E, MEMARG, "a:i",                       \
        "i32.load16_s", 5, 1, bri_op_memarg, _, 0, 1)                   \
    Y(X, i32_load16_u, 0x00, 0x2F, MEMARG, "a:i",                       \
        "i32.load16_u", 5, 1, bri_op_memarg, _, 0, 1)                   \
    Y(X, i64_load8_s, 0x00, 0x30, MEMARG, "a:l",                        \
        "i64.load8_s", 5, 1, bri_op_memarg, _, 0, 0)                    \
    Y(X, i64_load8_u, 0x00, 0x31, MEMARG, "a:l",                        \
        "i64.load8_u", 5, 1, bri_op_memarg, _, 0, 0)                    \
    Y(X, i64_load16_s, 0x00, 0x32, MEMARG, "a:l",                       \
        "i64.load16_s", 5, 1, bri_op_memarg, _, 0, 1)                   \
    Y(X, i64_load16_u, 0x00, 0x33, MEMARG, "a:l",                       \
        "i64.load16_u", 5, 1, bri_op_memarg, _, 0, 1)                   \
    Y(X, i64_load32_s, 0x00, 0x34, MEMARG, "a:l",                       \
        "i64.load32_s", 5, 1, bri_op_memarg, _, 0, 2)                   \
    Y(X, i64_load32_u, 0x00, 0x35, MEMARG, "a:l",                       \
        "i64.load32_u", 5, 1, bri_op_memarg, _, 0, 2)                   \
    Y(X, i32_store, 0x00, 0x36, MEMARG, "ai:",                          \
        "i32.store", 5, 2, bri_op_memarg, _, 0, 2)                      \
    Y(X, i64_store, 0x00, 0x37, MEMARG, "al:",                          \
        "i64.store", 5, 2, bri_op_memarg, _, 0, 3)                      \
    Y(X, f32_store, 0x00, 0x38, MEMARG, "af:",                          \
        "f32.store", 5, 2, bri_op_memarg, _, 0, 2)                      \
    Y(X, f64_store, 0x00, 0x39, MEMARG, "ad:",                          \
        "f64.store", 5, 2, bri_op_memarg, _, 0, 3)                      \
    Y(X, i32_store8, 0x00, 0x3A, MEMARG, "ai:",                         \
        "i32.store8", 5, 2, bri_op_memarg, _, 0, 0)                     \
    Y(X, i32_store16, 0x00, 0x3B, MEMARG, "ai:",                        \
        "i32.store16", 5, 2, bri_op_memarg, _, 0, 1)                    \
    Y(X, i64_store8, 0x00, 0x3C, MEMARG, "al:",                         \
        "i64.store8", 5, 2, bri_op_memarg, _, 0, 0)                     \
    Y(X, i64_store16, 0x00, 0x3D, MEMARG, "al:",                        \
        "i64.store16", 5, 2, bri_op_memarg, _, 0, 1)                    \
    Y(X, i64_store32, 0x00, 0x3E, MEMARG, "al:",                        \
        "i64.store32", 5, 2, bri_op_memarg, _, 0, 2)                    \
    Y(X, memory_size, 0x00, 0x3F, MEMIDX, ":a",                         \
        "memory.size", 3, 1, op_memidx, _, 0, 0)                        \
    Y(X, memory_grow, 0x00, 0x40, MEMIDX, "a:a",                        \
        "memory.grow", 3, 1, op_memidx, _, 0, 0)                        \
    /* constants */                                                     \
    Y(X, i32_const, 0x00, 0x41, I32, "*",                               \
        "i32.const", 3, 1, op_const, _, 0, 0)                           \
    Y(X, i64_const, 0x00, 0x42, I64, "*",                               \
        "i64.const", 4, 1, op_const, _, 0, 0)                           \
    Y(X, f32_const, 0x00, 0x43, F32, "*",                               \
        "f32.const", 3, 1, op_const, _, 0, 0)                           \
    Y(X, f64_const, 0x00, 0x44, F64, "*",                               \
        "f64.const", 4, 1, op_const, _, 0, 0)                           \
    /* i32 comparisons */                                               \
    Y(X, i32_eqz, 0x00, 0x45, NONE, "i:i",                              \
        "i32.eqz", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, i32_eq, 0x00, 0x46, NONE, "ii:i",                              \
        "i32.eq", 2, 2, bri_op_simple, C, 0, 0)                         \
    Y(X, i32_ne, 0x00, 0x47, NONE, "ii:i",                              \
        "i32.ne", 2, 2, bri_op_simple, C, 0, 0)                         \
    Y(X, i32_lt_s, 0x00, 0x48, NONE, "ii:i",                            \
        "i32.lt_s", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i32_lt_u, 0x00, 0x49, NONE, "ii:i",                            \
        "i32.lt_u", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i32_gt_s, 0x00, 0x4A, NONE, "ii:i",                            \
        "i32.gt_s", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i32_gt_u, 0x00, 0x4B, NONE, "ii:i",                            \
        "i32.gt_u", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i32_le_s, 0x00, 0x4C, NONE, "ii:i",                            \
        "i32.le_s", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i32_le_u, 0x00, 0x4D, NONE, "ii:i",                            \
        "i32.le_u", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i32_ge_s, 0x00, 0x4E, NONE, "ii:i",                            \
        "i32.ge_s", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i32_ge_u, 0x00, 0x4F, NONE, "ii:i",                            \
        "i32.ge_u", 2, 2, bri_op_simple, _, 0, 0)                       \
    /* i64 comparisons */                                               \
    Y(X, i64_eqz, 0x00, 0x50, NONE, "l:i",                              \
        "i64.eqz", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, i64_eq, 0x00, 0x51, NONE, "ll:i",                              \
        "i64.eq", 2, 2, bri_op_simple, C, 0, 0)                         \
    Y(X, i64_ne, 0x00, 0x52, NONE, "ll:i",                              \
        "i64.ne", 2, 2, bri_op_simple, C, 0, 0)                         \
    Y(X, i64_lt_s, 0x00, 0x53, NONE, "ll:i",                            \
        "i64.lt_s", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i64_lt_u, 0x00, 0x54, NONE, "ll:i",                            \
        "i64.lt_u", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i64_gt_s, 0x00, 0x55, NONE, "ll:i",                            \
        "i64.gt_s", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i64_gt_u, 0x00, 0x56, NONE, "ll:i",                            \
        "i64.gt_u", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i64_le_s, 0x00, 0x57, NONE, "ll:i",                            \
        "i64.le_s", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i64_le_u, 0x00, 0x58, NONE, "ll:i",                            \
        "i64.le_u", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i64_ge_s, 0x00, 0x59, NONE, "ll:i",                            \
        "i64.ge_s", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i64_ge_u, 0x00, 0x5A, NONE, "ll:i",                            \
        "i64.ge_u", 2, 2, bri_op_simple, _, 0, 0)                       \
    /* float comparisons */                                             \
    Y(X, f32_eq, 0x00, 0x5B, NONE, "ff:i",                              \
        "f32.eq", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f32_ne, 0x00, 0x5C, NONE, "ff:i",                              \
        "f32.ne", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f32_lt, 0x00, 0x5D, NONE, "ff:i",                              \
        "f32.lt", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f32_gt, 0x00, 0x5E, NONE, "ff:i",                              \
        "f32.gt", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f32_le, 0x00, 0x5F, NONE, "ff:i",                              \
        "f32.le", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f32_ge, 0x00, 0x60, NONE, "ff:i",                              \
        "f32.ge", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f64_eq, 0x00, 0x61, NONE, "dd:i",                              \
        "f64.eq", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f64_ne, 0x00, 0x62, NONE, "dd:i",                              \
        "f64.ne", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f64_lt, 0x00, 0x63, NONE, "dd:i",                              \
        "f64.lt", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f64_gt, 0x00, 0x64, NONE, "dd:i",                              \
        "f64.gt", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f64_le, 0x00, 0x65, NONE, "dd:i",                              \
        "f64.le", 2, 2, bri_op_simple, _, 0, 0)                         \
    Y(X, f64_ge, 0x00, 0x66, NONE, "dd:i",                              \
        "f64.ge", 2, 2, bri_op_simple, _, 0, 0)                         \
    /* i32 arithmetic */                                                \
    Y(X, i32_clz, 0x00, 0x67, NONE, "i:i",                              \
        "i32.clz", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, i32_ctz, 0x00, 0x68, NONE, "i:i",                              \
        "i32.ctz", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, i32_popcnt, 0x00, 0x69, NONE, "i:i",                           \
        "i32.popcnt", 2, 1, bri_op_simple, _, 0, 0)                     \
    Y(X, i32_add, 0x00, 0x6A, NONE, "ii:i",                             \
        "i32.add", 2, 2, bri_op_simple, C, 0, 0)                        \
    Y(X, i32_sub, 0x00, 0x6B, NONE, "ii:i",                             \
        "i32.sub", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, i32_mul, 0x00, 0x6C, NONE, "ii:i",                             \
        "i32.mul", 2, 2, bri_op_simple, C, 0, 0)                        \
    Y(X, i32_div_s, 0x00, 0x6D, NONE, "ii:i",                           \
        "i32.div_s", 2, 2, bri_op_simple, T, 0, 0)                      \
    Y(X, i32_div_u, 0x00, 0x6E, NONE, "ii:i",                           \
        "i32.div_u", 2, 2, bri_op_simple, T, 0, 0)                      \
    Y(X, i32_rem_s, 0x00, 0x6F, NONE, "ii:i",                           \
        "i32.rem_s", 2, 2, bri_op_simple, T, 0, 0)                      \
    Y(X, i32_rem_u, 0x00, 0x70, NONE, "ii:i",                           \
        "i32.rem_u", 2, 2, bri_op_simple, T, 0, 0)                      \
    Y(X, i32_and, 0x00, 0x71, NONE, "ii:i",                             \
        "i32.and", 2, 2, bri_op_simple, C, 0, 0)                        \
    Y(X, i32_or, 0x00, 0x72, NONE, "ii:i",                              \
        "i32.or", 2, 2, bri_op_simple, C, 0, 0)                         \
    Y(X, i32_xor, 0x00, 0x73, NONE, "ii:i",                             \
        "i32.xor", 2, 2, bri_op_simple, C, 0, 0)                        \
    Y(X, i32_shl, 0x00, 0x74, NONE, "ii:i",                             \
        "i32.shl", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, i32_shr_s, 0x00, 0x75, NONE, "ii:i",                           \
        "i32.shr_s", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i32_shr_u, 0x00, 0x76, NONE, "ii:i",                           \
        "i32.shr_u", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i32_rotl, 0x00, 0x77, NONE, "ii:i",                            \
        "i32.rotl", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i32_rotr, 0x00, 0x78, NONE, "ii:i",                            \
        "i32.rotr", 2, 2, bri_op_simple, _, 0, 0)                       \
    /* i64 arithmetic */                                                \
    Y(X, i64_clz, 0x00, 0x79, NONE, "l:l",                              \
        "i64.clz", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, i64_ctz, 0x00, 0x7A, NONE, "l:l",                              \
        "i64.ctz", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, i64_popcnt, 0x00, 0x7B, NONE, "l:l",                           \
        "i64.popcnt", 2, 1, bri_op_simple, _, 0, 0)                     \
    Y(X, i64_add, 0x00, 0x7C, NONE, "ll:l",                             \
        "i64.add", 2, 2, bri_op_simple, C, 0, 0)                        \
    Y(X, i64_sub, 0x00, 0x7D, NONE, "ll:l",                             \
        "i64.sub", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, i64_mul, 0x00, 0x7E, NONE, "ll:l",                             \
        "i64.mul", 2, 2, bri_op_simple, C, 0, 0)                        \
    Y(X, i64_div_s, 0x00, 0x7F, NONE, "ll:l",                           \
        "i64.div_s", 2, 2, bri_op_simple, T, 0, 0)                      \
    Y(X, i64_div_u, 0x00, 0x80, NONE, "ll:l",                           \
        "i64.div_u", 2, 2, bri_op_simple, T, 0, 0)                      \
    Y(X, i64_rem_s, 0x00, 0x81, NONE, "ll:l",                           \
        "i64.rem_s", 2, 2, bri_op_simple, T, 0, 0)                      \
    Y(X, i64_rem_u, 0x00, 0x82, NONE, "ll:l",                           \
        "i64.rem_u", 2, 2, bri_op_simple, T, 0, 0)                      \
    Y(X, i64_and, 0x00, 0x83, NONE, "ll:l",                             \
        "i64.and", 2, 2, bri_op_simple, C, 0, 0)                        \
    Y(X, i64_or, 0x00, 0x84, NONE, "ll:l",                              \
        "i64.or", 2, 2, bri_op_simple, C, 0, 0)                         \
    Y(X, i64_xor, 0x00, 0x85, NONE, "ll:l",                             \
        "i64.xor", 2, 2, bri_op_simple, C, 0, 0)                        \
    Y(X, i64_shl, 0x00, 0x86, NONE, "ll:l",                             \
        "i64.shl", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, i64_shr_s, 0x00, 0x87, NONE, "ll:l",                           \
        "i64.shr_s", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i64_shr_u, 0x00, 0x88, NONE, "ll:l",                           \
        "i64.shr_u", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i64_rotl, 0x00, 0x89, NONE, "ll:l",                            \
        "i64.rotl", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, i64_rotr, 0x00, 0x8A, NONE, "ll:l",                            \
        "i64.rotr", 2, 2, bri_op_simple, _, 0, 0)                       \
    /* f32 arithmetic */                                                \
    Y(X, f32_abs, 0x00, 0x8B, NONE, "f:f",                              \
        "f32.abs", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, f32_neg, 0x00, 0x8C, NONE, "f:f",                              \
        "f32.neg", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, f32_ceil, 0x00, 0x8D, NONE, "f:f",                             \
        "f32.ceil", 2, 1, bri_op_simple, _, 0, 0)                       \
    Y(X, f32_floor, 0x00, 0x8E, NONE, "f:f",                            \
        "f32.floor", 2, 1, bri_op_simple, _, 0, 0)                      \
    Y(X, f32_trunc, 0x00, 0x8F, NONE, "f:f",                            \
        "f32.trunc", 2, 1, bri_op_simple, _, 0, 0)                      \
    Y(X, f32_nearest, 0x00, 0x90, NONE, "f:f",                          \
        "f32.nearest", 2, 1, bri_op_simple, _, 0, 0)                    \
    Y(X, f32_sqrt, 0x00, 0x91, NONE, "f:f",                             \
        "f32.sqrt", 2, 1, bri_op_simple, _, 0, 0)                       \
    Y(X, f32_add, 0x00, 0x92, NONE, "ff:f",                             \
        "f32.add", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f32_sub, 0x00, 0x93, NONE, "ff:f",                             \
        "f32.sub", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f32_mul, 0x00, 0x94, NONE, "ff:f",                             \
        "f32.mul", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f32_div, 0x00, 0x95, NONE, "ff:f",                             \
        "f32.div", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f32_min, 0x00, 0x96, NONE, "ff:f",                             \
        "f32.min", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f32_max, 0x00, 0x97, NONE, "ff:f",                             \
        "f32.max", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f32_copysign, 0x00, 0x98, NONE, "ff:f",                        \
        "f32.copysign", 2, 2, bri_op_simple, _, 0, 0)                   \
    /* f64 arithmetic */                                                \
    Y(X, f64_abs, 0x00, 0x99, NONE, "d:d",                              \
        "f64.abs", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, f64_neg, 0x00, 0x9A, NONE, "d:d",                              \
        "f64.neg", 2, 1, bri_op_simple, _, 0, 0)                        \
    Y(X, f64_ceil, 0x00, 0x9B, NONE, "d:d",                             \
        "f64.ceil", 2, 1, bri_op_simple, _, 0, 0)                       \
    Y(X, f64_floor, 0x00, 0x9C, NONE, "d:d",                            \
        "f64.floor", 2, 1, bri_op_simple, _, 0, 0)                      \
    Y(X, f64_trunc, 0x00, 0x9D, NONE, "d:d",                            \
        "f64.trunc", 2, 1, bri_op_simple, _, 0, 0)                      \
    Y(X, f64_nearest, 0x00, 0x9E, NONE, "d:d",                          \
        "f64.nearest", 2, 1, bri_op_simple, _, 0, 0)                    \
    Y(X, f64_sqrt, 0x00, 0x9F, NONE, "d:d",                             \
        "f64.sqrt", 2, 1, bri_op_simple, _, 0, 0)                       \
    Y(X, f64_add, 0x00, 0xA0, NONE, "dd:d",                             \
        "f64.add", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f64_sub, 0x00, 0xA1, NONE, "dd:d",                             \
        "f64.sub", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f64_mul, 0x00, 0xA2, NONE, "dd:d",                             \
        "f64.mul", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f64_div, 0x00, 0xA3, NONE, "dd:d",                             \
        "f64.div", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f64_min, 0x00, 0xA4, NONE, "dd:d",                             \
        "f64.min", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f64_max, 0x00, 0xA5, NONE, "dd:d",                             \
        "f64.max", 2, 2, bri_op_simple, _, 0, 0)                        \
    Y(X, f64_copysign, 0x00, 0xA6, NONE, "dd:d",                        \
        "f64.copysign", 2, 2, bri_op_simple, _, 0, 0)                   \
    /* conversions */                                                   \
    Y(X, i32_wrap_i64, 0x00, 0xA7, NONE, "l:i",                         \
        "i32.wrap_i64", 2, 1, bri_op_simple, _, 0, 0)                   \
    Y(X, i32_trunc_f32_s, 0x00, 0xA8, NONE, "f:i",                      \
        "i32.trunc_f32_s", 2, 1, bri_op_simple, T, 0, 0)                \
    Y(X, i32_trunc_f32_u, 0x00, 0xA9, NONE, "f:i",                      \
        "i32.trunc_f32_u", 2, 1, bri_op_simple, T, 0, 0)                \
    Y(X, i32_trunc_f64_s, 0x00, 0xAA, NONE, "d:i",                      \
        "i32.trunc_f64_s", 2, 1, bri_op_simple, T, 0, 0)                \
    Y(X, i32_trunc_f64_u, 0x00, 0xAB, NONE, "d:i",                      \
        "i32.trunc_f64_u", 2, 1, bri_op_simple, T, 0, 0)                \
    Y(X, i64_extend_i32_s, 0x00, 0xAC, NONE, "i:l",                     \
        "i64.extend_i32_s", 2, 1, bri_op_simple, _, 0, 0)               \
    Y(X, i64_extend_i32_u, 0x00, 0xAD, NONE, "i:l",                     \
        "i64.extend_i32_u", 2, 1, bri_op_simple, _, 0, 0)               \
    Y(X, i64_trunc_f32_s, 0x00, 0xAE, NONE, "f:l",                      \
        "i64.trunc_f32_s", 2, 1, bri_op_simple, T, 0, 0)                \
    Y(X, i64_trunc_f32_u, 0x00, 0xAF, NONE, "f:l",                      \
        "i64.trunc_f32_u", 2, 1, bri_op_simple, T, 0, 0)                \
    Y(X, i64_trunc_f64_s, 0x00, 0xB0, NONE, "d:l",                      \
        "i64.trunc_f64_s", 2, 1, bri_op_simple, T, 0, 0)                \
    Y(X, i64_trunc_f64_u, 0x00, 0xB1, NONE, "d:l",                      \
        "i64.trunc_f64_u", 2, 1, bri_op_simple, T, 0, 0)                \
    Y(X, f32_convert_i32_s, 0x00, 0xB2, NONE, "i:f",                    \
        "f32.convert_i32_s", 2, 1, bri_op_simple, _, 0, 0)              \
    Y(X, f32_convert_i32_u, 0x00, 0xB3, NONE, "i:f",                    \
        "f32.convert_i32_u", 2, 1, bri_op_simple, _, 0, 0)              \
    Y(X, f32_convert_i64_s, 0x00, 0xB4, NONE, "l:f",                    \
        "f32.convert_i64_s", 2, 1, bri_op_simple, _, 0, 0)              \
    Y(X, f32_convert_i64_u, 0x00, 0xB5, NONE, "l:f",                    \
        "f32.convert_i64_u", 2, 1, bri_op_simple, _, 0, 0)              \
    Y(X, f32_demote_f64, 0x00, 0xB6, NONE, "d:f",                       \
        "f32.demote_f64", 2, 1, bri_op_simple, _, 0, 0)                 \
    Y(X, f64_convert_i32_s, 0x00, 0xB7, NONE, "i:d",                    \
        "f64.convert_i32_s", 2, 1, bri_op_simple, _, 0, 0)              \
    Y(X, f64_convert_i32_u, 0x00, 0xB8, NONE, "i:d",                    \
        "f64.convert_i32_u", 2, 1, bri_op_simple, _, 0, 0)              \
    Y(X, f64_convert_i64_s, 0x00, 0xB9, NONE, "l:d",                    \
        "f64.convert_i64_s", 2, 1, bri_op_simple, _, 0, 0)              \
    Y(X, f64_convert_i64_u, 0x00, 0xBA, NONE, "l:d",                    \
        "f64.convert_i64_u", 2, 1, bri_op_simple, _, 0, 0)              \
    Y(X, f64_promote_f32, 0x00, 0xBB, NONE, "f:d",                      \
        "f64.promote_f32", 2, 1, bri_op_simple, _, 0, 0)                \
    Y(X, i32_reinterpret_f32, 0x00, 0xBC, NONE, "f:i",                  \
        "i32.reinterpret_f32", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, i64_reinterpret_f64, 0x00, 0xBD, NONE, "d:l",                  \
        "i64.reinterpret_f64", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, f32_reinterpret_i32, 0x00, 0xBE, NONE, "i:f",                  \
        "f32.reinterpret_i32", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, f64_reinterpret_i64, 0x00, 0xBF, NONE, "l:d",                  \
        "f64.reinterpret_i64", 2, 1, bri_op_simple, _, 0, 0)            \
    /* sign extension */                                                \
    Y(X, i32_extend8_s, 0x00, 0xC0, NONE, "i:i",                        \
        "i32.extend8_s", 2, 1, bri_op_simple, _, 0, 0)                  \
    Y(X, i32_extend16_s, 0x00, 0xC1, NONE, "i:i",                       \
        "i32.extend16_s", 2, 1, bri_op_simple, _, 0, 0)                 \
    Y(X, i64_extend8_s, 0x00, 0xC2, NONE, "l:l",                        \
        "i64.extend8_s", 2, 1, bri_op_simple, _, 0, 0)                  \
    Y(X, i64_extend16_s, 0x00, 0xC3, NONE, "l:l",                       \
        "i64.extend16_s", 2, 1, bri_op_simple, _, 0, 0)                 \
    Y(X, i64_extend32_s, 0x00, 0xC4, NONE, "l:l",                       \
        "i64.extend32_s", 2, 1, bri_op_simple, _, 0, 0)                 \
    /* reference types */                                               \
    Y(X, ref_null, 0x00, 0xD0, REFTYPE, "*",                            \
        "ref.null", 2, 1, op_ref_null, _, 0, 0)                         \
    Y(X, ref_is_null, 0x00, 0xD1, NONE, "*",                            \
        "ref.is_null", 2, 1, op_ref_is_null, _, 0, 0)                   \
    Y(X, ref_func, 0x00, 0xD2, FUNC, "*",                               \
        "ref.func", 3, 1, op_ref_func, _, 0, 0)                         \
    /* typed function references */                                     \
    Y(X, ref_as_non_null, 0x00, 0xD4, NONE, "*",                        \
        "ref.as_non_null", 2, 1, op_ref_as_non_null, T, 0, 0)           \
    Y(X, br_on_null, 0x00, 0xD5, LABEL, "*",                            \
        "br_on_null", 0, 0, bri_op_br_on_null, _, 0, 0)                 \
    Y(X, br_on_non_null, 0x00, 0xD6, LABEL, "*",                        \
        "br_on_non_null", 0, 0, bri_op_br_on_null, _, 0, 0)             \
    Y(X, ref_eq, 0x00, 0xD3, NONE, "*",                                 \
        "ref.eq", 2, 2, bri_op_gc, _, 0, 0)                             \
    /* 0xFB prefix: garbage collection (compile_gc.c, interp_gc.h) */   \
    Y(X, struct_new, 0xFB, 0x00, TYPE, "*",                             \
        "struct.new", 3, VAR, bri_op_gc, T, 0, 0)                       \
    Y(X, struct_new_default, 0xFB, 0x01, TYPE, "*",                     \
        "struct.new_default", 3, 1, bri_op_gc, T, 0, 0)                 \
    Y(X, struct_get, 0xFB, 0x02, TYPE_FIELD, "*",                       \
        "struct.get", 4, VAR, bri_op_gc, T, 0, 0)                       \
    Y(X, struct_get_s, 0xFB, 0x03, TYPE_FIELD, "*",                     \
        "struct.get_s", 4, 1, bri_op_gc, T, 0, 0)                       \
    Y(X, struct_get_u, 0xFB, 0x04, TYPE_FIELD, "*",                     \
        "struct.get_u", 4, 1, bri_op_gc, T, 0, 0)                       \
    Y(X, struct_set, 0xFB, 0x05, TYPE_FIELD, "*",                       \
        "struct.set", 4, VAR, bri_op_gc, T, 0, 0)                       \
    Y(X, array_new, 0xFB, 0x06, TYPE, "*",                              \
        "array.new", 3, VAR, bri_op_gc, T, 0, 0)                        \
    Y(X, array_new_default, 0xFB, 0x07, TYPE, "*",                      \
        "array.new_default", 3, 1, bri_op_gc, T, 0, 0)                  \
    Y(X, array_new_fixed, 0xFB, 0x08, TYPE_N, "*",                      \
        "array.new_fixed", 4, VAR, bri_op_gc, T, 0, 0)                  \
    Y(X, array_new_data, 0xFB, 0x09, TYPE_DATA, "*",                    \
        "array.new_data", 4, 2, bri_op_gc, T, 0, 0)                     \
    Y(X, array_new_elem, 0xFB, 0x0A, TYPE_ELEM, "*",                    \
        "array.new_elem", 4, 2, bri_op_gc, T, 0, 0)                     \
    Y(X, array_get, 0xFB, 0x0B, TYPE, "*",                              \
        "array.get", 3, VAR, bri_op_gc, T, 0, 0)                        \
    Y(X, array_get_s, 0xFB, 0x0C, TYPE, "*",                            \
        "array.get_s", 3, 2, bri_op_gc, T, 0, 0)                        \
    Y(X, array_get_u, 0xFB, 0x0D, TYPE, "*",                            \
        "array.get_u", 3, 2, bri_op_gc, T, 0, 0)                        \
    Y(X, array_set, 0xFB, 0x0E, TYPE, "*",                              \
        "array.set", 3, VAR, bri_op_gc, T, 0, 0)                        \
    Y(X, array_len, 0xFB, 0x0F, NONE, "*",                              \
        "array.len", 2, 1, bri_op_gc, T, 0, 0)                          \
    Y(X, array_fill, 0xFB, 0x10, TYPE, "*",                             \
        "array.fill", 3, VAR, bri_op_gc, T, 0, 0)                       \
    Y(X, array_copy, 0xFB, 0x11, TYPE_TYPE, "*",                        \
        "array.copy", 4, 5, bri_op_gc, T, 0, 0)                         \
    Y(X, array_init_data, 0xFB, 0x12, TYPE_DATA, "*",                   \
        "array.init_data", 4, 4, bri_op_gc, T, 0, 0)                    \
    Y(X, array_init_elem, 0xFB, 0x13, TYPE_ELEM, "*",                   \
        "array.init_elem", 4, 4, bri_op_gc, T, 0, 0)                    \
    Y(X, ref_test, 0xFB, 0x14, HEAPTYPE, "*",                           \
        "ref.test", 3, 1, bri_op_gc, _, 0, 0)                           \
    Y(X, ref_test_null, 0xFB, 0x15, REFTYPE, "*",                       \
        "ref.test", 3, 1, bri_op_gc, _, 0, 0)                           \
    Y(X, ref_cast, 0xFB, 0x16, HEAPTYPE, "*",                           \
        "ref.cast", 3, 1, bri_op_gc, T, 0, 0)                           \
    Y(X, ref_cast_null, 0xFB, 0x17, REFTYPE, "*",                       \
        "ref.cast", 3, 1, bri_op_gc, T, 0, 0)                           \
    Y(X, br_on_cast, 0xFB, 0x18, BR_ON_CAST, "*",                       \
        "br_on_cast", 0, 0, bri_op_br_on_cast, _, 0, 0)                 \
    Y(X, br_on_cast_fail, 0xFB, 0x19, BR_ON_CAST, "*",                  \
        "br_on_cast_fail", 0, 0, bri_op_br_on_cast, _, 0, 0)            \
    Y(X, any_convert_extern, 0xFB, 0x1A, NONE, "*",                     \
        "any.convert_extern", 0, 0, bri_op_gc, _, 0, 0)                 \
    Y(X, extern_convert_any, 0xFB, 0x1B, NONE, "*",                     \
        "extern.convert_any", 0, 0, bri_op_gc, _, 0, 0)                 \
    Y(X, ref_i31, 0xFB, 0x1C, NONE, "*",                                \
        "ref.i31", 2, 1, bri_op_gc, _, 0, 0)                            \
    Y(X, i31_get_s, 0xFB, 0x1D, NONE, "*",                              \
        "i31.get_s", 2, 1, bri_op_gc, T, 0, 0)                          \
    Y(X, i31_get_u, 0xFB, 0x1E, NONE, "*",                              \
        "i31.get_u", 2, 1, bri_op_gc, T, 0, 0)                          \
    /* 0xFC prefix: saturating truncation */                            \
    Y(X, i32_trunc_sat_f32_s, 0xFC, 0x00, NONE, "f:i",                  \
        "i32.trunc_sat_f32_s", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, i32_trunc_sat_f32_u, 0xFC, 0x01, NONE, "f:i",                  \
        "i32.trunc_sat_f32_u", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, i32_trunc_sat_f64_s, 0xFC, 0x02, NONE, "d:i",                  \
        "i32.trunc_sat_f64_s", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, i32_trunc_sat_f64_u, 0xFC, 0x03, NONE, "d:i",                  \
        "i32.trunc_sat_f64_u", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, i64_trunc_sat_f32_s, 0xFC, 0x04, NONE, "f:l",                  \
        "i64.trunc_sat_f32_s", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, i64_trunc_sat_f32_u, 0xFC, 0x05, NONE, "f:l",                  \
        "i64.trunc_sat_f32_u", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, i64_trunc_sat_f64_s, 0xFC, 0x06, NONE, "d:l",                  \
        "i64.trunc_sat_f64_s", 2, 1, bri_op_simple, _, 0, 0)            \
    Y(X, i64_trunc_sat_f64_u, 0xFC, 0x07, NONE, "d:l",                  \
        "i64.trunc_sat_f64_u", 2, 1, bri_op_simple, _, 0, 0)            \
    /* 0xFC prefix: bulk memory and tables */                           \
    Y(X, memory_init, 0xFC, 0x08, DATA_MEM, "*",                        \
        "memory.init", 4, 3, op_memory_bulk, _, 0, 0)                   \
    Y(X, data_drop, 0xFC, 0x09, DATA, "*",                              \
        "data.drop", 2, 0, op_drop_segment, _, 0, 0)                    \
    Y(X, memory_copy, 0xFC, 0x0A, MEM_MEM, "*",                         \
        "memory.copy", 4, 3, op_memory_bulk, _, 0, 0)                   \
    Y(X, memory_fill, 0xFC, 0x0B, MEMIDX, "*",                          \
        "memory.fill", 3, 3, op_memory_bulk, _, 0, 0)                   \
    Y(X, table_init, 0xFC, 0x0C, ELEM_TABLE, "*",                       \
        "table.init", 4, 3, op_table_init, _, 0, 0)                     \
    Y(X, elem_drop, 0xFC, 0x0D, ELEM, "*",                              \
        "elem.drop", 2, 0, op_drop_segment, _, 0, 0)                    \
    Y(X, table_copy, 0xFC, 0x0E, TABLE_TABLE, "*",                      \
        "table.copy", 4, 3, op_table_copy, _, 0, 0)                     \
    Y(X, table_grow, 0xFC, 0x0F, TABLE, "*",                            \
        "table.grow", 3, 2, op_table, _, 0, 0)                          \
    Y(X, table_size, 0xFC, 0x10, TABLE, "*",                            \
        "table.size", 3, 1, op_table, _, 0, 0)                          \
    Y(X, table_fill, 0xFC, 0x11, TABLE, "*",                            \
        "table.fill", 3, 3, op_table, _, 0, 0)                          \
    /* wide arithmetic (proposal): 128-bit values as (low, high) i64s */\
    Y(X, i64_add128, 0xFC, 0x13, NONE, "llll:ll",                       \
        "i64.add128", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i64_sub128, 0xFC, 0x14, NONE, "llll:ll",                       \
        "i64.sub128", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i64_mul_wide_s, 0xFC, 0x15, NONE, "ll:ll",                     \
        "i64.mul_wide_s", 2, 2, bri_op_simple, _, 0, 0)                 \
    Y(X, i64_mul_wide_u, 0xFC, 0x16, NONE, "ll:ll",                     \
        "i64.mul_wide_u", 2, 2, bri_op_simple, _, 0, 0)                 \
    /* 0xFD prefix: SIMD, listed apart below */                         \
    BRI_SIMD_ROWS(Y, X)

/*
 * SIMD (0xFD prefix): the same columns; a v128 takes two slots, operands
 * and results are laid out as for the other simple ops (code.h). Chained
 * at the end of BR_OPCODES, so every generated use includes them.
 */
#define BRI_SIMD_ROWS(Y, X)                                             \
    /* memory */                                                        \
    Y(X, v128_load, 0xFD, 0x00, MEMARG, "a:v",                          \
        "v128.load", 5, 2, bri_op_memarg, _, 0, 4)                      \
    Y(X, v128_load8x8_s, 0xFD, 0x01, MEMARG, "a:v",                     \
        "v128.load8x8_s", 5, 2, bri_op_memarg, _, 0, 3)                 \
    Y(X, v128_load8x8_u, 0xFD, 0x02, MEMARG, "a:v",                     \
        "v128.load8x8_u", 5, 2, bri_op_memarg, _, 0, 3)                 \
    Y(X, v128_load16x4_s, 0xFD, 0x03, MEMARG, "a:v",                    \
        "v128.load16x4_s", 5, 2, bri_op_memarg, _, 0, 3)                \
    Y(X, v128_load16x4_u, 0xFD, 0x04, MEMARG, "a:v",                    \
        "v128.load16x4_u", 5, 2, bri_op_memarg, _, 0, 3)                \
    Y(X, v128_load32x2_s, 0xFD, 0x05, MEMARG, "a:v",                    \
        "v128.load32x2_s", 5, 2, bri_op_memarg, _, 0, 3)                \
    Y(X, v128_load32x2_u, 0xFD, 0x06, MEMARG, "a:v",                    \
        "v128.load32x2_u", 5, 2, bri_op_memarg, _, 0, 3)                \
    Y(X, v128_load8_splat, 0xFD, 0x07, MEMARG, "a:v",                   \
        "v128.load8_splat", 5, 2, bri_op_memarg, _, 0, 0)               \
    Y(X, v128_load16_splat, 0xFD, 0x08, MEMARG, "a:v",                  \
        "v128.load16_splat", 5, 2, bri_op_memarg, _, 0, 1)              \
    Y(X, v128_load32_splat, 0xFD, 0x09, MEMARG, "a:v",                  \
        "v128.load32_splat", 5, 2, bri_op_memarg, _, 0, 2)              \
    Y(X, v128_load64_splat, 0xFD, 0x0A, MEMARG, "a:v",                  \
        "v128.load64_splat", 5, 2, bri_op_memarg, _, 0, 3)              \
    Y(X, v128_store, 0xFD, 0x0B, MEMARG, "av:",                         \
        "v128.store", 5, 3, bri_op_memarg, _, 0, 4)                     \
    /* constant, shuffles, splats and lanes */                          \
    Y(X, v128_const, 0xFD, 0x0C, V128, ":v",                            \
        "v128.const", 6, 2, bri_op_v128_const, _, 0, 0)                 \
    Y(X, i8x16_shuffle, 0xFD, 0x0D, SHUFFLE, "vv:v",                    \
        "i8x16.shuffle", 6, 4, bri_op_shuffle, _, 0, 0)                 \
    Y(X, i8x16_swizzle, 0xFD, 0x0E, NONE, "vv:v",                       \
        "i8x16.swizzle", 2, 4, bri_op_simple, _, 0, 0)                  \
    Y(X, i8x16_splat, 0xFD, 0x0F, NONE, "i:v",                          \
        "i8x16.splat", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, i16x8_splat, 0xFD, 0x10, NONE, "i:v",                          \
        "i16x8.splat", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, i32x4_splat, 0xFD, 0x11, NONE, "i:v",                          \
        "i32x4.splat", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, i64x2_splat, 0xFD, 0x12, NONE, "l:v",                          \
        "i64x2.splat", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, f32x4_splat, 0xFD, 0x13, NONE, "f:v",                          \
        "f32x4.splat", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, f64x2_splat, 0xFD, 0x14, NONE, "d:v",                          \
        "f64x2.splat", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, i8x16_extract_lane_s, 0xFD, 0x15, LANE, "v:i",                 \
        "i8x16.extract_lane_s", 3, 2, bri_op_lane, _, 16, 0)            \
    Y(X, i8x16_extract_lane_u, 0xFD, 0x16, LANE, "v:i",                 \
        "i8x16.extract_lane_u", 3, 2, bri_op_lane, _, 16, 0)            \
    Y(X, i8x16_replace_lane, 0xFD, 0x17, LANE, "vi:v",                  \
        "i8x16.replace_lane", 3, 3, bri_op_lane, _, 16, 0)              \
    Y(X, i16x8_extract_lane_s, 0xFD, 0x18, LANE, "v:i",                 \
        "i16x8.extract_lane_s", 3, 2, bri_op_lane, _, 8, 0)             \
    Y(X, i16x8_extract_lane_u, 0xFD, 0x19, LANE, "v:i",                 \
        "i16x8.extract_lane_u", 3, 2, bri_op_lane, _, 8, 0)             \
    Y(X, i16x8_replace_lane, 0xFD, 0x1A, LANE, "vi:v",                  \
        "i16x8.replace_lane", 3, 3, bri_op_lane, _, 8, 0)               \
    Y(X, i32x4_extract_lane, 0xFD, 0x1B, LANE, "v:i",                   \
        "i32x4.extract_lane", 3, 2, bri_op_lane, _, 4, 0)               \
    Y(X, i32x4_replace_lane, 0xFD, 0x1C, LANE, "vi:v",                  \
        "i32x4.replace_lane", 3, 3, bri_op_lane, _, 4, 0)               \
    Y(X, i64x2_extract_lane, 0xFD, 0x1D, LANE, "v:l",                   \
        "i64x2.extract_lane", 3, 2, bri_op_lane, _, 2, 0)               \
    Y(X, i64x2_replace_lane, 0xFD, 0x1E, LANE, "vl:v",                  \
        "i64x2.replace_lane", 3, 3, bri_op_lane, _, 2, 0)               \
    Y(X, f32x4_extract_lane, 0xFD, 0x1F, LANE, "v:f",                   \
        "f32x4.extract_lane", 3, 2, bri_op_lane, _, 4, 0)               \
    Y(X, f32x4_replace_lane, 0xFD, 0x20, LANE, "vf:v",                  \
        "f32x4.replace_lane", 3, 3, bri_op_lane, _, 4, 0)               \
    Y(X, f64x2_extract_lane, 0xFD, 0x21, LANE, "v:d",                   \
        "f64x2.extract_lane", 3, 2, bri_op_lane, _, 2, 0)               \
    Y(X, f64x2_replace_lane, 0xFD, 0x22, LANE, "vd:v",                  \
        "f64x2.replace_lane", 3, 3, bri_op_lane, _, 2, 0)               \
    /* comparisons */                                                   \
    Y(X, i8x16_eq, 0xFD, 0x23, NONE, "vv:v",                            \
        "i8x16.eq", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, i8x16_ne, 0xFD, 0x24, NONE, "vv:v",                            \
        "i8x16.ne", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, i8x16_lt_s, 0xFD, 0x25, NONE, "vv:v",                          \
        "i8x16.lt_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i8x16_lt_u, 0xFD, 0x26, NONE, "vv:v",                          \
        "i8x16.lt_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i8x16_gt_s, 0xFD, 0x27, NONE, "vv:v",                          \
        "i8x16.gt_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i8x16_gt_u, 0xFD, 0x28, NONE, "vv:v",                          \
        "i8x16.gt_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i8x16_le_s, 0xFD, 0x29, NONE, "vv:v",                          \
        "i8x16.le_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i8x16_le_u, 0xFD, 0x2A, NONE, "vv:v",                          \
        "i8x16.le_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i8x16_ge_s, 0xFD, 0x2B, NONE, "vv:v",                          \
        "i8x16.ge_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i8x16_ge_u, 0xFD, 0x2C, NONE, "vv:v",                          \
        "i8x16.ge_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i16x8_eq, 0xFD, 0x2D, NONE, "vv:v",                            \
        "i16x8.eq", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, i16x8_ne, 0xFD, 0x2E, NONE, "vv:v",                            \
        "i16x8.ne", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, i16x8_lt_s, 0xFD, 0x2F, NONE, "vv:v",                          \
        "i16x8.lt_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i16x8_lt_u, 0xFD, 0x30, NONE, "vv:v",                          \
        "i16x8.lt_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i16x8_gt_s, 0xFD, 0x31, NONE, "vv:v",                          \
        "i16x8.gt_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i16x8_gt_u, 0xFD, 0x32, NONE, "vv:v",                          \
        "i16x8.gt_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i16x8_le_s, 0xFD, 0x33, NONE, "vv:v",                          \
        "i16x8.le_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i16x8_le_u, 0xFD, 0x34, NONE, "vv:v",                          \
        "i16x8.le_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i16x8_ge_s, 0xFD, 0x35, NONE, "vv:v",                          \
        "i16x8.ge_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i16x8_ge_u, 0xFD, 0x36, NONE, "vv:v",                          \
        "i16x8.ge_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i32x4_eq, 0xFD, 0x37, NONE, "vv:v",                            \
        "i32x4.eq", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, i32x4_ne, 0xFD, 0x38, NONE, "vv:v",                            \
        "i32x4.ne", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, i32x4_lt_s, 0xFD, 0x39, NONE, "vv:v",                          \
        "i32x4.lt_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i32x4_lt_u, 0xFD, 0x3A, NONE, "vv:v",                          \
        "i32x4.lt_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i32x4_gt_s, 0xFD, 0x3B, NONE, "vv:v",                          \
        "i32x4.gt_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i32x4_gt_u, 0xFD, 0x3C, NONE, "vv:v",                          \
        "i32x4.gt_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i32x4_le_s, 0xFD, 0x3D, NONE, "vv:v",                          \
        "i32x4.le_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i32x4_le_u, 0xFD, 0x3E, NONE, "vv:v",                          \
        "i32x4.le_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i32x4_ge_s, 0xFD, 0x3F, NONE, "vv:v",                          \
        "i32x4.ge_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i32x4_ge_u, 0xFD, 0x40, NONE, "vv:v",                          \
        "i32x4.ge_u", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, f32x4_eq, 0xFD, 0x41, NONE, "vv:v",                            \
        "f32x4.eq", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f32x4_ne, 0xFD, 0x42, NONE, "vv:v",                            \
        "f32x4.ne", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f32x4_lt, 0xFD, 0x43, NONE, "vv:v",                            \
        "f32x4.lt", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f32x4_gt, 0xFD, 0x44, NONE, "vv:v",                            \
        "f32x4.gt", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f32x4_le, 0xFD, 0x45, NONE, "vv:v",                            \
        "f32x4.le", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f32x4_ge, 0xFD, 0x46, NONE, "vv:v",                            \
        "f32x4.ge", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f64x2_eq, 0xFD, 0x47, NONE, "vv:v",                            \
        "f64x2.eq", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f64x2_ne, 0xFD, 0x48, NONE, "vv:v",                            \
        "f64x2.ne", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f64x2_lt, 0xFD, 0x49, NONE, "vv:v",                            \
        "f64x2.lt", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f64x2_gt, 0xFD, 0x4A, NONE, "vv:v",                            \
        "f64x2.gt", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f64x2_le, 0xFD, 0x4B, NONE, "vv:v",                            \
        "f64x2.le", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, f64x2_ge, 0xFD, 0x4C, NONE, "vv:v",                            \
        "f64x2.ge", 2, 4, bri_op_simple, _, 0, 0)                       \
    /* bitwise */                                                       \
    Y(X, v128_not, 0xFD, 0x4D, NONE, "v:v",                             \
        "v128.not", 2, 2, bri_op_simple, _, 0, 0)                       \
    Y(X, v128_and, 0xFD, 0x4E, NONE, "vv:v",                            \
        "v128.and", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, v128_andnot, 0xFD, 0x4F, NONE, "vv:v",                         \
        "v128.andnot", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, v128_or, 0xFD, 0x50, NONE, "vv:v",                             \
        "v128.or", 2, 4, bri_op_simple, _, 0, 0)                        \
    Y(X, v128_xor, 0xFD, 0x51, NONE, "vv:v",                            \
        "v128.xor", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, v128_bitselect, 0xFD, 0x52, NONE, "vvv:v",                     \
        "v128.bitselect", 2, 6, bri_op_simple, _, 0, 0)                 \
    Y(X, v128_any_true, 0xFD, 0x53, NONE, "v:i",                        \
        "v128.any_true", 2, 2, bri_op_simple, _, 0, 0)                  \
    /* lane loads and stores, zero-extending loads */                   \
    Y(X, v128_load8_lane, 0xFD, 0x54, MEMARG_LANE, "av:v",              \
        "v128.load8_lane", 6, 3, bri_op_memarg_lane, _, 16, 0)          \
    Y(X, v128_load16_lane, 0xFD, 0x55, MEMARG_LANE, "av:v",             \
        "v128.load16_lane", 6, 3, bri_op_memarg_lane, _, 8, 1)          \
    Y(X, v128_load32_lane, 0xFD, 0x56, MEMARG_LANE, "av:v",             \
        "v128.load32_lane", 6, 3, bri_op_memarg_lane, _, 4, 2)          \
    Y(X, v128_load64_lane, 0xFD, 0x57, MEMARG_LANE, "av:v",             \
        "v128.load64_lane", 6, 3, bri_op_memarg_lane, _, 2, 3)          \
    Y(X, v128_store8_lane, 0xFD, 0x58, MEMARG_LANE, "av:",              \
        "v128.store8_lane", 6, 3, bri_op_memarg_lane, _, 16, 0)         \
    Y(X, v128_store16_lane, 0xFD, 0x59, MEMARG_LANE, "av:",             \
        "v128.store16_lane", 6, 3, bri_op_memarg_lane, _, 8, 1)         \
    Y(X, v128_store32_lane, 0xFD, 0x5A, MEMARG_LANE, "av:",             \
        "v128.store32_lane", 6, 3, bri_op_memarg_lane, _, 4, 2)         \
    Y(X, v128_store64_lane, 0xFD, 0x5B, MEMARG_LANE, "av:",             \
        "v128.store64_lane", 6, 3, bri_op_memarg_lane, _, 2, 3)         \
    Y(X, v128_load32_zero, 0xFD, 0x5C, MEMARG, "a:v",                   \
        "v128.load32_zero", 5, 2, bri_op_memarg, _, 0, 2)               \
    Y(X, v128_load64_zero, 0xFD, 0x5D, MEMARG, "a:v",                   \
        "v128.load64_zero", 5, 2, bri_op_memarg, _, 0, 3)               \
    Y(X, f32x4_demote_f64x2_zero, 0xFD, 0x5E, NONE, "v:v",              \
        "f32x4.demote_f64x2_zero", 2, 2, bri_op_simple, _, 0, 0)        \
    Y(X, f64x2_promote_low_f32x4, 0xFD, 0x5F, NONE, "v:v",              \
        "f64x2.promote_low_f32x4", 2, 2, bri_op_simple, _, 0, 0)        \
    /* i8x16 (and the float roundings interleaved with it) */           \
    Y(X, i8x16_abs, 0xFD, 0x60, NONE, "v:v",                            \
        "i8x16.abs", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i8x16_neg, 0xFD, 0x61, NONE, "v:v",                            \
        "i8x16.neg", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i8x16_popcnt, 0xFD, 0x62, NONE, "v:v",                         \
        "i8x16.popcnt", 2, 2, bri_op_simple, _, 0, 0)                   \
    Y(X, i8x16_all_true, 0xFD, 0x63, NONE, "v:i",                       \
        "i8x16.all_true", 2, 2, bri_op_simple, _, 0, 0)                 \
    Y(X, i8x16_bitmask, 0xFD, 0x64, NONE, "v:i",                        \
        "i8x16.bitmask", 2, 2, bri_op_simple, _, 0, 0)                  \
    Y(X, i8x16_narrow_i16x8_s, 0xFD, 0x65, NONE, "vv:v",                \
        "i8x16.narrow_i16x8_s", 2, 4, bri_op_simple, _, 0, 0)           \
    Y(X, i8x16_narrow_i16x8_u, 0xFD, 0x66, NONE, "vv:v",                \
        "i8x16.narrow_i16x8_u", 2, 4, bri_op_simple, _, 0, 0)           \
    Y(X, f32x4_ceil, 0xFD, 0x67, NONE, "v:v",                           \
        "f32x4.ceil", 2, 2, bri_op_simple, _, 0, 0)                     \
    Y(X, f32x4_floor, 0xFD, 0x68, NONE, "v:v",                          \
        "f32x4.floor", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, f32x4_trunc, 0xFD, 0x69, NONE, "v:v",                          \
        "f32x4.trunc", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, f32x4_nearest, 0xFD, 0x6A, NONE, "v:v",                        \
        "f32x4.nearest", 2, 2, bri_op_simple, _, 0, 0)                  \
    Y(X, i8x16_shl, 0xFD, 0x6B, NONE, "vi:v",                           \
        "i8x16.shl", 2, 3, bri_op_simple, _, 0, 0)                      \
    Y(X, i8x16_shr_s, 0xFD, 0x6C, NONE, "vi:v",                         \
        "i8x16.shr_s", 2, 3, bri_op_simple, _, 0, 0)                    \
    Y(X, i8x16_shr_u, 0xFD, 0x6D, NONE, "vi:v",                         \
        "i8x16.shr_u", 2, 3, bri_op_simple, _, 0, 0)                    \
    Y(X, i8x16_add, 0xFD, 0x6E, NONE, "vv:v",                           \
        "i8x16.add", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i8x16_add_sat_s, 0xFD, 0x6F, NONE, "vv:v",                     \
        "i8x16.add_sat_s", 2, 4, bri_op_simple, _, 0, 0)                \
    Y(X, i8x16_add_sat_u, 0xFD, 0x70, NONE, "vv:v",                     \
        "i8x16.add_sat_u", 2, 4, bri_op_simple, _, 0, 0)                \
    Y(X, i8x16_sub, 0xFD, 0x71, NONE, "vv:v",                           \
        "i8x16.sub", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i8x16_sub_sat_s, 0xFD, 0x72, NONE, "vv:v",                     \
        "i8x16.sub_sat_s", 2, 4, bri_op_simple, _, 0, 0)                \
    Y(X, i8x16_sub_sat_u, 0xFD, 0x73, NONE, "vv:v",                     \
        "i8x16.sub_sat_u", 2, 4, bri_op_simple, _, 0, 0)                \
    Y(X, f64x2_ceil, 0xFD, 0x74, NONE, "v:v",                           \
        "f64x2.ceil", 2, 2, bri_op_simple, _, 0, 0)                     \
    Y(X, f64x2_floor, 0xFD, 0x75, NONE, "v:v",                          \
        "f64x2.floor", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, i8x16_min_s, 0xFD, 0x76, NONE, "vv:v",                         \
        "i8x16.min_s", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i8x16_min_u, 0xFD, 0x77, NONE, "vv:v",                         \
        "i8x16.min_u", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i8x16_max_s, 0xFD, 0x78, NONE, "vv:v",                         \
        "i8x16.max_s", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i8x16_max_u, 0xFD, 0x79, NONE, "vv:v",                         \
        "i8x16.max_u", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, f64x2_trunc, 0xFD, 0x7A, NONE, "v:v",                          \
        "f64x2.trunc", 2, 2, bri_op_simple, _, 0, 0)                    \
    Y(X, i8x16_avgr_u, 0xFD, 0x7B, NONE, "vv:v",                        \
        "i8x16.avgr_u", 2, 4, bri_op_simple, _, 0, 0)                   \
    Y(X, i16x8_extadd_pairwise_i8x16_s, 0xFD, 0x7C, NONE, "v:v",        \
        "i16x8.extadd_pairwise_i8x16_s", 2, 2, bri_op_simple, _, 0, 0)  \
    Y(X, i16x8_extadd_pairwise_i8x16_u, 0xFD, 0x7D, NONE, "v:v",        \
        "i16x8.extadd_pairwise_i8x16_u", 2, 2, bri_op_simple, _, 0, 0)  \
    Y(X, i32x4_extadd_pairwise_i16x8_s, 0xFD, 0x7E, NONE, "v:v",        \
        "i32x4.extadd_pairwise_i16x8_s", 2, 2, bri_op_simple, _, 0, 0)  \
    Y(X, i32x4_extadd_pairwise_i16x8_u, 0xFD, 0x7F, NONE, "v:v",        \
        "i32x4.extadd_pairwise_i16x8_u", 2, 2, bri_op_simple, _, 0, 0)  \
    /* i16x8 */                                                         \
    Y(X, i16x8_abs, 0xFD, 0x80, NONE, "v:v",                            \
        "i16x8.abs", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i16x8_neg, 0xFD, 0x81, NONE, "v:v",                            \
        "i16x8.neg", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i16x8_q15mulr_sat_s, 0xFD, 0x82, NONE, "vv:v",                 \
        "i16x8.q15mulr_sat_s", 2, 4, bri_op_simple, _, 0, 0)            \
    Y(X, i16x8_all_true, 0xFD, 0x83, NONE, "v:i",                       \
        "i16x8.all_true", 2, 2, bri_op_simple, _, 0, 0)                 \
    Y(X, i16x8_bitmask, 0xFD, 0x84, NONE, "v:i",                        \
        "i16x8.bitmask", 2, 2, bri_op_simple, _, 0, 0)                  \
    Y(X, i16x8_narrow_i32x4_s, 0xFD, 0x85, NONE, "vv:v",                \
        "i16x8.narrow_i32x4_s", 2, 4, bri_op_simple, _, 0, 0)           \
    Y(X, i16x8_narrow_i32x4_u, 0xFD, 0x86, NONE, "vv:v",                \
        "i16x8.narrow_i32x4_u", 2, 4, bri_op_simple, _, 0, 0)           \
    Y(X, i16x8_extend_low_i8x16_s, 0xFD, 0x87, NONE, "v:v",             \
        "i16x8.extend_low_i8x16_s", 2, 2, bri_op_simple, _, 0, 0)       \
    Y(X, i16x8_extend_high_i8x16_s, 0xFD, 0x88, NONE, "v:v",            \
        "i16x8.extend_high_i8x16_s", 2, 2, bri_op_simple, _, 0, 0)      \
    Y(X, i16x8_extend_low_i8x16_u, 0xFD, 0x89, NONE, "v:v",             \
        "i16x8.extend_low_i8x16_u", 2, 2, bri_op_simple, _, 0, 0)       \
    Y(X, i16x8_extend_high_i8x16_u, 0xFD, 0x8A, NONE, "v:v",            \
        "i16x8.extend_high_i8x16_u", 2, 2, bri_op_simple, _, 0, 0)      \
    Y(X, i16x8_shl, 0xFD, 0x8B, NONE, "vi:v",                           \
        "i16x8.shl", 2, 3, bri_op_simple, _, 0, 0)                      \
    Y(X, i16x8_shr_s, 0xFD, 0x8C, NONE, "vi:v",                         \
        "i16x8.shr_s", 2, 3, bri_op_simple, _, 0, 0)                    \
    Y(X, i16x8_shr_u, 0xFD, 0x8D, NONE, "vi:v",                         \
        "i16x8.shr_u", 2, 3, bri_op_simple, _, 0, 0)                    \
    Y(X, i16x8_add, 0xFD, 0x8E, NONE, "vv:v",                           \
        "i16x8.add", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i16x8_add_sat_s, 0xFD, 0x8F, NONE, "vv:v",                     \
        "i16x8.add_sat_s", 2, 4, bri_op_simple, _, 0, 0)                \
    Y(X, i16x8_add_sat_u, 0xFD, 0x90, NONE, "vv:v",                     \
        "i16x8.add_sat_u", 2, 4, bri_op_simple, _, 0, 0)                \
    Y(X, i16x8_sub, 0xFD, 0x91, NONE, "vv:v",                           \
        "i16x8.sub", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i16x8_sub_sat_s, 0xFD, 0x92, NONE, "vv:v",                     \
        "i16x8.sub_sat_s", 2, 4, bri_op_simple, _, 0, 0)                \
    Y(X, i16x8_sub_sat_u, 0xFD, 0x93, NONE, "vv:v",                     \
        "i16x8.sub_sat_u", 2, 4, bri_op_simple, _, 0, 0)                \
    Y(X, f64x2_nearest, 0xFD, 0x94, NONE, "v:v",                        \
        "f64x2.nearest", 2, 2, bri_op_simple, _, 0, 0)                  \
    Y(X, i16x8_mul, 0xFD, 0x95, NONE, "vv:v",                           \
        "i16x8.mul", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i16x8_min_s, 0xFD, 0x96, NONE, "vv:v",                         \
        "i16x8.min_s", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i16x8_min_u, 0xFD, 0x97, NONE, "vv:v",                         \
        "i16x8.min_u", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i16x8_max_s, 0xFD, 0x98, NONE, "vv:v",                         \
        "i16x8.max_s", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i16x8_max_u, 0xFD, 0x99, NONE, "vv:v",                         \
        "i16x8.max_u", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i16x8_avgr_u, 0xFD, 0x9B, NONE, "vv:v",                        \
        "i16x8.avgr_u", 2, 4, bri_op_simple, _, 0, 0)                   \
    Y(X, i16x8_extmul_low_i8x16_s, 0xFD, 0x9C, NONE, "vv:v",            \
        "i16x8.extmul_low_i8x16_s", 2, 4, bri_op_simple, _, 0, 0)       \
    Y(X, i16x8_extmul_high_i8x16_s, 0xFD, 0x9D, NONE, "vv:v",           \
        "i16x8.extmul_high_i8x16_s", 2, 4, bri_op_simple, _, 0, 0)      \
    Y(X, i16x8_extmul_low_i8x16_u, 0xFD, 0x9E, NONE, "vv:v",            \
        "i16x8.extmul_low_i8x16_u", 2, 4, bri_op_simple, _, 0, 0)       \
    Y(X, i16x8_extmul_high_i8x16_u, 0xFD, 0x9F, NONE, "vv:v",           \
        "i16x8.extmul_high_i8x16_u", 2, 4, bri_op_simple, _, 0, 0)      \
    /* i32x4 */                                                         \
    Y(X, i32x4_abs, 0xFD, 0xA0, NONE, "v:v",                            \
        "i32x4.abs", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i32x4_neg, 0xFD, 0xA1, NONE, "v:v",                            \
        "i32x4.neg", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i32x4_all_true, 0xFD, 0xA3, NONE, "v:i",                       \
        "i32x4.all_true", 2, 2, bri_op_simple, _, 0, 0)                 \
    Y(X, i32x4_bitmask, 0xFD, 0xA4, NONE, "v:i",                        \
        "i32x4.bitmask", 2, 2, bri_op_simple, _, 0, 0)                  \
    Y(X, i32x4_extend_low_i16x8_s, 0xFD, 0xA7, NONE, "v:v",             \
        "i32x4.extend_low_i16x8_s", 2, 2, bri_op_simple, _, 0, 0)       \
    Y(X, i32x4_extend_high_i16x8_s, 0xFD, 0xA8, NONE, "v:v",            \
        "i32x4.extend_high_i16x8_s", 2, 2, bri_op_simple, _, 0, 0)      \
    Y(X, i32x4_extend_low_i16x8_u, 0xFD, 0xA9, NONE, "v:v",             \
        "i32x4.extend_low_i16x8_u", 2, 2, bri_op_simple, _, 0, 0)       \
    Y(X, i32x4_extend_high_i16x8_u, 0xFD, 0xAA, NONE, "v:v",            \
        "i32x4.extend_high_i16x8_u", 2, 2, bri_op_simple, _, 0, 0)      \
    Y(X, i32x4_shl, 0xFD, 0xAB, NONE, "vi:v",                           \
        "i32x4.shl", 2, 3, bri_op_simple, _, 0, 0)                      \
    Y(X, i32x4_shr_s, 0xFD, 0xAC, NONE, "vi:v",                         \
        "i32x4.shr_s", 2, 3, bri_op_simple, _, 0, 0)                    \
    Y(X, i32x4_shr_u, 0xFD, 0xAD, NONE, "vi:v",                         \
        "i32x4.shr_u", 2, 3, bri_op_simple, _, 0, 0)                    \
    Y(X, i32x4_add, 0xFD, 0xAE, NONE, "vv:v",                           \
        "i32x4.add", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i32x4_sub, 0xFD, 0xB1, NONE, "vv:v",                           \
        "i32x4.sub", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i32x4_mul, 0xFD, 0xB5, NONE, "vv:v",                           \
        "i32x4.mul", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i32x4_min_s, 0xFD, 0xB6, NONE, "vv:v",                         \
        "i32x4.min_s", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i32x4_min_u, 0xFD, 0xB7, NONE, "vv:v",                         \
        "i32x4.min_u", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i32x4_max_s, 0xFD, 0xB8, NONE, "vv:v",                         \
        "i32x4.max_s", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i32x4_max_u, 0xFD, 0xB9, NONE, "vv:v",                         \
        "i32x4.max_u", 2, 4, bri_op_simple, _, 0, 0)                    \
    Y(X, i32x4_dot_i16x8_s, 0xFD, 0xBA, NONE, "vv:v",                   \
        "i32x4.dot_i16x8_s", 2, 4, bri_op_simple, _, 0, 0)              \
    Y(X, i32x4_extmul_low_i16x8_s, 0xFD, 0xBC, NONE, "vv:v",            \
        "i32x4.extmul_low_i16x8_s", 2, 4, bri_op_simple, _, 0, 0)       \
    Y(X, i32x4_extmul_high_i16x8_s, 0xFD, 0xBD, NONE, "vv:v",           \
        "i32x4.extmul_high_i16x8_s", 2, 4, bri_op_simple, _, 0, 0)      \
    Y(X, i32x4_extmul_low_i16x8_u, 0xFD, 0xBE, NONE, "vv:v",            \
        "i32x4.extmul_low_i16x8_u", 2, 4, bri_op_simple, _, 0, 0)       \
    Y(X, i32x4_extmul_high_i16x8_u, 0xFD, 0xBF, NONE, "vv:v",           \
        "i32x4.extmul_high_i16x8_u", 2, 4, bri_op_simple, _, 0, 0)      \
    /* i64x2 */                                                         \
    Y(X, i64x2_abs, 0xFD, 0xC0, NONE, "v:v",                            \
        "i64x2.abs", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i64x2_neg, 0xFD, 0xC1, NONE, "v:v",                            \
        "i64x2.neg", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, i64x2_all_true, 0xFD, 0xC3, NONE, "v:i",                       \
        "i64x2.all_true", 2, 2, bri_op_simple, _, 0, 0)                 \
    Y(X, i64x2_bitmask, 0xFD, 0xC4, NONE, "v:i",                        \
        "i64x2.bitmask", 2, 2, bri_op_simple, _, 0, 0)                  \
    Y(X, i64x2_extend_low_i32x4_s, 0xFD, 0xC7, NONE, "v:v",             \
        "i64x2.extend_low_i32x4_s", 2, 2, bri_op_simple, _, 0, 0)       \
    Y(X, i64x2_extend_high_i32x4_s, 0xFD, 0xC8, NONE, "v:v",            \
        "i64x2.extend_high_i32x4_s", 2, 2, bri_op_simple, _, 0, 0)      \
    Y(X, i64x2_extend_low_i32x4_u, 0xFD, 0xC9, NONE, "v:v",             \
        "i64x2.extend_low_i32x4_u", 2, 2, bri_op_simple, _, 0, 0)       \
    Y(X, i64x2_extend_high_i32x4_u, 0xFD, 0xCA, NONE, "v:v",            \
        "i64x2.extend_high_i32x4_u", 2, 2, bri_op_simple, _, 0, 0)      \
    Y(X, i64x2_shl, 0xFD, 0xCB, NONE, "vi:v",                           \
        "i64x2.shl", 2, 3, bri_op_simple, _, 0, 0)                      \
    Y(X, i64x2_shr_s, 0xFD, 0xCC, NONE, "vi:v",                         \
        "i64x2.shr_s", 2, 3, bri_op_simple, _, 0, 0)                    \
    Y(X, i64x2_shr_u, 0xFD, 0xCD, NONE, "vi:v",                         \
        "i64x2.shr_u", 2, 3, bri_op_simple, _, 0, 0)                    \
    Y(X, i64x2_add, 0xFD, 0xCE, NONE, "vv:v",                           \
        "i64x2.add", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i64x2_sub, 0xFD, 0xD1, NONE, "vv:v",                           \
        "i64x2.sub", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i64x2_mul, 0xFD, 0xD5, NONE, "vv:v",                           \
        "i64x2.mul", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, i64x2_eq, 0xFD, 0xD6, NONE, "vv:v",                            \
        "i64x2.eq", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, i64x2_ne, 0xFD, 0xD7, NONE, "vv:v",                            \
        "i64x2.ne", 2, 4, bri_op_simple, _, 0, 0)                       \
    Y(X, i64x2_lt_s, 0xFD, 0xD8, NONE, "vv:v",                          \
        "i64x2.lt_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i64x2_gt_s, 0xFD, 0xD9, NONE, "vv:v",                          \
        "i64x2.gt_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i64x2_le_s, 0xFD, 0xDA, NONE, "vv:v",                          \
        "i64x2.le_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i64x2_ge_s, 0xFD, 0xDB, NONE, "vv:v",                          \
        "i64x2.ge_s", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, i64x2_extmul_low_i32x4_s, 0xFD, 0xDC, NONE, "vv:v",            \
        "i64x2.extmul_low_i32x4_s", 2, 4, bri_op_simple, _, 0, 0)       \
    Y(X, i64x2_extmul_high_i32x4_s, 0xFD, 0xDD, NONE, "vv:v",           \
        "i64x2.extmul_high_i32x4_s", 2, 4, bri_op_simple, _, 0, 0)      \
    Y(X, i64x2_extmul_low_i32x4_u, 0xFD, 0xDE, NONE, "vv:v",            \
        "i64x2.extmul_low_i32x4_u", 2, 4, bri_op_simple, _, 0, 0)       \
    Y(X, i64x2_extmul_high_i32x4_u, 0xFD, 0xDF, NONE, "vv:v",           \
        "i64x2.extmul_high_i32x4_u", 2, 4, bri_op_simple, _, 0, 0)      \
    /* f32x4 */                                                         \
    Y(X, f32x4_abs, 0xFD, 0xE0, NONE, "v:v",                            \
        "f32x4.abs", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, f32x4_neg, 0xFD, 0xE1, NONE, "v:v",                            \
        "f32x4.neg", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, f32x4_sqrt, 0xFD, 0xE3, NONE, "v:v",                           \
        "f32x4.sqrt", 2, 2, bri_op_simple, _, 0, 0)                     \
    Y(X, f32x4_add, 0xFD, 0xE4, NONE, "vv:v",                           \
        "f32x4.add", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f32x4_sub, 0xFD, 0xE5, NONE, "vv:v",                           \
        "f32x4.sub", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f32x4_mul, 0xFD, 0xE6, NONE, "vv:v",                           \
        "f32x4.mul", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f32x4_div, 0xFD, 0xE7, NONE, "vv:v",                           \
        "f32x4.div", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f32x4_min, 0xFD, 0xE8, NONE, "vv:v",                           \
        "f32x4.min", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f32x4_max, 0xFD, 0xE9, NONE, "vv:v",                           \
        "f32x4.max", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f32x4_pmin, 0xFD, 0xEA, NONE, "vv:v",                          \
        "f32x4.pmin", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, f32x4_pmax, 0xFD, 0xEB, NONE, "vv:v",                          \
        "f32x4.pmax", 2, 4, bri_op_simple, _, 0, 0)                     \
    /* f64x2 */                                                         \
    Y(X, f64x2_abs, 0xFD, 0xEC, NONE, "v:v",                            \
        "f64x2.abs", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, f64x2_neg, 0xFD, 0xED, NONE, "v:v",                            \
        "f64x2.neg", 2, 2, bri_op_simple, _, 0, 0)                      \
    Y(X, f64x2_sqrt, 0xFD, 0xEF, NONE, "v:v",                           \
        "f64x2.sqrt", 2, 2, bri_op_simple, _, 0, 0)                     \
    Y(X, f64x2_add, 0xFD, 0xF0, NONE, "vv:v",                           \
        "f64x2.add", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f64x2_sub, 0xFD, 0xF1, NONE, "vv:v",                           \
        "f64x2.sub", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f64x2_mul, 0xFD, 0xF2, NONE, "vv:v",                           \
        "f64x2.mul", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f64x2_div, 0xFD, 0xF3, NONE, "vv:v",                           \
        "f64x2.div", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f64x2_min, 0xFD, 0xF4, NONE, "vv:v",                           \
        "f64x2.min", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f64x2_max, 0xFD, 0xF5, NONE, "vv:v",                           \
        "f64x2.max", 2, 4, bri_op_simple, _, 0, 0)                      \
    Y(X, f64x2_pmin, 0xFD, 0xF6, NONE, "vv:v",                          \
        "f64x2.pmin", 2, 4, bri_op_simple, _, 0, 0)                     \
    Y(X, f64x2_pmax, 0xFD, 0xF7, NONE, "vv:v",                          \
        "f64x2.pmax", 2, 4, bri_op_simple, _, 0, 0)                     \
    /* conversions */                                                   \
    Y(X, i32x4_trunc_sat_f32x4_s, 0xFD, 0xF8, NONE, "v:v",              \
        "i32x4.trunc_sat_f32x4_s", 2, 2, bri_op_simple, _, 0, 0)        \
    Y(X, i32x4_trunc_sat_f32x4_u, 0xFD, 0xF9, NONE, "v:v",              \
        "i32x4.trunc_sat_f32x4_u", 2, 2, bri_op_simple, _, 0, 0)        \
    Y(X, f32x4_convert_i32x4_s, 0xFD, 0xFA, NONE, "v:v",                \
        "f32x4.convert_i32x4_s", 2, 2, bri_op_simple, _, 0, 0)          \
    Y(X, f32x4_convert_i32x4_u, 0xFD, 0xFB, NONE, "v:v",                \
        "f32x4.convert_i32x4_u", 2, 2, bri_op_simple, _, 0, 0)          \
    Y(X, i32x4_trunc_sat_f64x2_s_zero, 0xFD, 0xFC, NONE, "v:v",         \
        "i32x4.trunc_sat_f64x2_s_zero", 2, 2, bri_op_simple, _, 0, 0)   \
    Y(X, i32x4_trunc_sat_f64x2_u_zero, 0xFD, 0xFD, NONE, "v:v",         \
        "i32x4.trunc_sat_f64x2_u_zero", 2, 2, bri_op_simple, _, 0, 0)   \
    Y(X, f64x2_convert_low_i32x4_s, 0xFD, 0xFE, NONE, "v:v",            \
        "f64x2.convert_low_i32x4_s", 2, 2, bri_op_simple, _, 0, 0)      \
    Y(X, f64x2_convert_low_i32x4_u, 0xFD, 0xFF, NONE, "v:v",            \
        "f64x2.convert_low_i32x4_u", 2, 2, bri_op_simple, _, 0, 0)      \
    BRI_RELAXED_SIMD_ROWS(Y, X)

/*
 * Relaxed SIMD (WebAssembly 3.0, 0xFD sub-opcodes 0x100..0x113): each has
 * one deterministic behaviour, the same on every machine
 * (numeric_relaxed.h; the table of choices is in README.md).
 */
#define BRI_RELAXED_SIMD_ROWS(Y, X)                                     \
    Y(X, i8x16_relaxed_swizzle, 0xFD, 0x100, NONE, "vv:v",              \
        "i8x16.relaxed_swizzle", 2, 4, bri_op_simple, _, 0, 0)          \
    Y(X, i32x4_relaxed_trunc_f32x4_s, 0xFD, 0x101, NONE, "v:v",         \
        "i32x4.relaxed_trunc_f32x4_s", 2, 2, bri_op_simple, _, 0, 0)    \
    Y(X, i32x4_relaxed_trunc_f32x4_u, 0xFD, 0x102, NONE, "v:v",         \
        "i32x4.relaxed_trunc_f32x4_u", 2, 2, bri_op_simple, _, 0, 0)    \
    Y(X, i32x4_relaxed_trunc_f64x2_s_zero, 0xFD, 0x103, NONE, "v:v",    \
        "i32x4.relaxed_trunc_f64x2_s_zero", 2, 2, bri_op_simple, _, 0, 0) \
    Y(X, i32x4_relaxed_trunc_f64x2_u_zero, 0xFD, 0x104, NONE, "v:v",    \
        "i32x4.relaxed_trunc_f64x2_u_zero", 2, 2, bri_op_simple, _, 0, 0) \
    Y(X, f32x4_relaxed_madd, 0xFD, 0x105, NONE, "vvv:v",                \
        "f32x4.relaxed_madd", 2, 6, bri_op_simple, _, 0, 0)             \
    Y(X, f32x4_relaxed_nmadd, 0xFD, 0x106, NONE, "vvv:v",               \
        "f32x4.relaxed_nmadd", 2, 6, bri_op_simple, _, 0, 0)            \
    Y(X, f64x2_relaxed_madd, 0xFD, 0x107, NONE, "vvv:v",                \
        "f64x2.relaxed_madd", 2, 6, bri_op_simple, _, 0, 0)             \
    Y(X, f64x2_relaxed_nmadd, 0xFD, 0x108, NONE, "vvv:v",               \
        "f64x2.relaxed_nmadd", 2, 6, bri_op_simple, _, 0, 0)            \
    Y(X, i8x16_relaxed_laneselect, 0xFD, 0x109, NONE, "vvv:v",          \
        "i8x16.relaxed_laneselect", 2, 6, bri_op_simple, _, 0, 0)       \
    Y(X, i16x8_relaxed_laneselect, 0xFD, 0x10A, NONE, "vvv:v",          \
        "i16x8.relaxed_laneselect", 2, 6, bri_op_simple, _, 0, 0)       \
    Y(X, i32x4_relaxed_laneselect, 0xFD, 0x10B, NONE, "vvv:v",          \
        "i32x4.relaxed_laneselect", 2, 6, bri_op_simple, _, 0, 0)       \
    Y(X, i64x2_relaxed_laneselect, 0xFD, 0x10C, NONE, "vvv:v",          \
        "i64x2.relaxed_laneselect", 2, 6, bri_op_simple, _, 0, 0)       \
    Y(X, f32x4_relaxed_min, 0xFD, 0x10D, NONE, "vv:v",                  \
        "f32x4.relaxed_min", 2, 4, bri_op_simple, _, 0, 0)              \
    Y(X, f32x4_relaxed_max, 0xFD, 0x10E, NONE, "vv:v",                  \
        "f32x4.relaxed_max", 2, 4, bri_op_simple, _, 0, 0)              \
    Y(X, f64x2_relaxed_min, 0xFD, 0x10F, NONE, "vv:v",                  \
        "f64x2.relaxed_min", 2, 4, bri_op_simple, _, 0, 0)              \
    Y(X, f64x2_relaxed_max, 0xFD, 0x110, NONE, "vv:v",                  \
        "f64x2.relaxed_max", 2, 4, bri_op_simple, _, 0, 0)              \
    Y(X, i16x8_relaxed_q15mulr_s, 0xFD, 0x111, NONE, "vv:v",            \
        "i16x8.relaxed_q15mulr_s", 2, 4, bri_op_simple, _, 0, 0)        \
    Y(X, i16x8_relaxed_dot_i8x16_i7x16_s, 0xFD, 0x112, NONE, "vv:v",    \
        "i16x8.relaxed_dot_i8x16_i7x16_s", 2, 4, bri_op_simple, _, 0, 0)\
    Y(X, i32x4_relaxed_dot_i8x16_i7x16_add_s, 0xFD, 0x113, NONE, "vvv:v", \
        "i32x4.relaxed_dot_i8x16_i7x16_add_s", 2, 6, bri_op_simple, _, 0, 0)

/* 0xFD sub-opcodes below this have a row in bri_op_by_fd. */
#define BRI_FD_COUNT 0x114

/*
 * Internal operations: emitted by the compiler only, never decoded.
 * Y(X, NAME, LEN, SPAN) -- their layouts are documented in code.h; LEN
 * and SPAN as above (jump_table's LEN is VAR: it depends on its count).
 * The fused ops' layouts follow from their forms (fused_ops.h). ORDER OP.
 */
#define BRI_INTERNAL_ROWS(Y, X)                                         \
    Y(X, move, 4, VAR)         /* [move, dst, src, n]             */    \
    Y(X, jump, 2, 0)           /* [jump, target]                  */    \
    Y(X, jump_back, 3, 0)      /* [jump_back, target, fuel]       */    \
    Y(X, jump_if, 3, 1)        /* [jump_if, s, target]            */    \
    Y(X, jump_if_back, 4, 1)   /* [jump_if_back, s, target, fuel] */    \
    Y(X, jump_unless, 3, 1)    /* [jump_unless, s, target]        */    \
    Y(X, jump_table, VAR, VAR) /* [jump_table, s, n, src, arity,        \
                                   n+1 x (target, dst, fuel)]     */    \
    Y(X, ret, 3, VAR)          /* [ret, s, n]                     */
#define BRI_IOPCOLS_1(X, name, len, span) X(name)
#define BR_INTERNAL_OPS(X)                                              \
    BRI_INTERNAL_ROWS(BRI_IOPCOLS_1, X)                                 \
    BRI_FUSED_OPS(X) /* register-style and fused ops (fused_ops.h) */

/* LEN and SPAN values: a count, or VAR (BRI_VAR) when the operands
 * decide; the table's tokens become numbers through BRI_NUM. */
#define BRI_VAR 255
#define BRI_NUM(x) BRI_NUM_##x
#define BRI_NUM_0 0
#define BRI_NUM_1 1
#define BRI_NUM_2 2
#define BRI_NUM_3 3
#define BRI_NUM_4 4
#define BRI_NUM_5 5
#define BRI_NUM_6 6
#define BRI_NUM_VAR BRI_VAR

/* FLAGS values (bri_opinfo_t.flags bits). */
#define BRI_OPF_T 1u /* can trap */
#define BRI_OPF_C 2u /* commutes */
#define BRI_OPF__ 0u
#define BRI_OPF(x) BRI_OPF_##x

/* Immediate kinds for the decoder and validator. */
#define BR_IMM_KINDS(X)                                                 \
    X(NONE) X(BLOCKTYPE) X(LABEL) X(LABELS) X(FUNC) X(CALL_INDIRECT)    \
    X(LOCAL) X(GLOBAL) X(TABLE) X(MEMARG) X(MEMIDX) X(I32) X(I64)       \
    X(F32) X(F64) X(REFTYPE) X(SELECT_T) X(TAG) X(DATA) X(DATA_MEM)     \
    X(MEM_MEM) X(ELEM) X(ELEM_TABLE) X(TABLE_TABLE)                     \
    /* try_table: blocktype, then a vector of catch clauses */          \
    X(TRY_TABLE)                                                        \
    /* SIMD: 16 bytes, 16 lane indices, a lane index, memarg + lane */  \
    X(V128) X(SHUFFLE) X(LANE) X(MEMARG_LANE)                           \
    /* call_ref: a type index */                                        \
    X(TYPE)                                                             \
    /* GC: a type and a field, data segment, element segment, count or  \
       second type; a heap type (non-null); br_on_cast's flags, label   \
       and two heap types */                                            \
    X(TYPE_FIELD) X(TYPE_DATA) X(TYPE_ELEM) X(TYPE_N) X(TYPE_TYPE)      \
    X(HEAPTYPE) X(BR_ON_CAST)

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

/* Static description of an opcode (generated in opcodes.c): the columns
 * of its row (the compile handler is compile.c's own column). */
typedef struct bri_opinfo {
    const char *name;
    uint8_t prefix;
    uint16_t code; /* 0xFD sub-opcodes go up to BRI_FD_COUNT - 1 */
    uint8_t imm;     /* br_imm_t */
    const char *sig; /* "params:results" or "*" */
    const char *text; /* text-format name; NULL for internal ops */
    uint8_t len;      /* LEN: words, 0 never emitted, BRI_VAR */
    uint8_t span;     /* SPAN: slots from s, or BRI_VAR */
    uint8_t flags;    /* BRI_OPF_* */
    uint8_t lanes;    /* LANES */
    uint8_t align;    /* ALIGN */
} bri_opinfo_t;

extern const bri_opinfo_t bri_opinfo[BR_OP__COUNT];
/* Maps a single-byte opcode to br_op_t, or -1 if illegal. */
extern const int16_t bri_op_by_byte[256];
/* Maps a 0xFC-prefixed sub-opcode (< 32) to br_op_t, or -1. */
extern const int16_t bri_op_by_fc[32];
/* Maps a 0xFB-prefixed (GC) sub-opcode (< 32) to br_op_t, or -1. */
extern const int16_t bri_op_by_fb[32];
/* Maps a 0xFD-prefixed (SIMD) sub-opcode (< BRI_FD_COUNT) to br_op_t,
 * or -1. */
extern const int16_t bri_op_by_fd[BRI_FD_COUNT];

/* Whether an op may appear in a constant expression (`end` aside): the
 * validator (validate.c) and the evaluator (const.c) ask the same. */
static inline bool
bri_op_is_const(int op)
{
    switch (op) {
    case BR_OP_i32_const:
    case BR_OP_i64_const:
    case BR_OP_f32_const:
    case BR_OP_f64_const:
    case BR_OP_v128_const:
    case BR_OP_global_get:
    case BR_OP_ref_null:
    case BR_OP_ref_func:
    case BR_OP_i32_add:
    case BR_OP_i32_sub:
    case BR_OP_i32_mul:
    case BR_OP_i64_add:
    case BR_OP_i64_sub:
    case BR_OP_i64_mul:
    case BR_OP_struct_new:
    case BR_OP_struct_new_default:
    case BR_OP_array_new:
    case BR_OP_array_new_default:
    case BR_OP_array_new_fixed:
    case BR_OP_ref_i31:
    case BR_OP_any_convert_extern:
    case BR_OP_extern_convert_any:
        return true;
    default:
        return false;
    }
}

#endif
