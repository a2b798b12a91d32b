/*
 * beamr engine: the register-style (3-operand) and fused compare+branch
 * internal ops, as X-macro rows that opcodes.h turns into br_op_t values
 * and that the compiler (compile_fuse.c) and interpreter (interp_fused.h)
 * expand. Layouts are documented in code.h. ORDER OP.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_FUSED_OPS_H
#define BR_FUSED_OPS_H

/*
 * Rows Y(X, NAME, T, OUT, EXPR): the wasm op NAME (a scalar op of the main
 * table) computes EXPR of operands `a` (and `b`) read as T, written as
 * OUT. X is passed through so that one list yields several op names.
 */

/* Integer compares: 3-operand forms, immediate forms, and branches. */
#define BRI_FUSE_ICMP(Y, X)                                            \
    Y(X, i32_eq, i32, i32, a == b)                                     \
    Y(X, i32_ne, i32, i32, a != b)                                     \
    Y(X, i32_lt_s, i32, i32, (int32_t)a < (int32_t)b)                  \
    Y(X, i32_lt_u, i32, i32, a < b)                                    \
    Y(X, i32_gt_s, i32, i32, (int32_t)a > (int32_t)b)                  \
    Y(X, i32_gt_u, i32, i32, a > b)                                    \
    Y(X, i32_le_s, i32, i32, (int32_t)a <= (int32_t)b)                 \
    Y(X, i32_le_u, i32, i32, a <= b)                                   \
    Y(X, i32_ge_s, i32, i32, (int32_t)a >= (int32_t)b)                 \
    Y(X, i32_ge_u, i32, i32, a >= b)                                   \
    Y(X, i64_eq, i64, i32, a == b)                                     \
    Y(X, i64_ne, i64, i32, a != b)                                     \
    Y(X, i64_lt_s, i64, i32, (int64_t)a < (int64_t)b)                  \
    Y(X, i64_lt_u, i64, i32, a < b)                                    \
    Y(X, i64_gt_s, i64, i32, (int64_t)a > (int64_t)b)                  \
    Y(X, i64_gt_u, i64, i32, a > b)                                    \
    Y(X, i64_le_s, i64, i32, (int64_t)a <= (int64_t)b)                 \
    Y(X, i64_le_u, i64, i32, a <= b)                                   \
    Y(X, i64_ge_s, i64, i32, (int64_t)a >= (int64_t)b)                 \
    Y(X, i64_ge_u, i64, i32, a >= b)

/* Integer arithmetic: 3-operand forms and immediate forms. */
#define BRI_FUSE_IARITH(Y, X)                                          \
    Y(X, i32_add, i32, i32, a + b)                                     \
    Y(X, i32_sub, i32, i32, a - b)                                     \
    Y(X, i32_mul, i32, i32, a * b)                                     \
    Y(X, i32_and, i32, i32, a & b)                                     \
    Y(X, i32_or, i32, i32, a | b)                                      \
    Y(X, i32_xor, i32, i32, a ^ b)                                     \
    Y(X, i32_shl, i32, i32, a << (b & 31))                             \
    Y(X, i32_shr_s, i32, i32, bri_i32_shr_s(a, b))                     \
    Y(X, i32_shr_u, i32, i32, a >> (b & 31))                           \
    Y(X, i32_rotl, i32, i32, bri_rotl32(a, b))                         \
    Y(X, i32_rotr, i32, i32, bri_rotr32(a, b))                         \
    Y(X, i64_add, i64, i64, a + b)                                     \
    Y(X, i64_sub, i64, i64, a - b)                                     \
    Y(X, i64_mul, i64, i64, a * b)                                     \
    Y(X, i64_and, i64, i64, a & b)                                     \
    Y(X, i64_or, i64, i64, a | b)                                      \
    Y(X, i64_xor, i64, i64, a ^ b)                                     \
    Y(X, i64_shl, i64, i64, a << (b & 63))                             \
    Y(X, i64_shr_s, i64, i64, bri_i64_shr_s(a, b))                     \
    Y(X, i64_shr_u, i64, i64, a >> (b & 63))                           \
    Y(X, i64_rotl, i64, i64, bri_rotl64(a, b))                         \
    Y(X, i64_rotr, i64, i64, bri_rotr64(a, b))

/* Float binops: 3-operand forms only (sign ops work on raw bits). */
#define BRI_FUSE_FBIN(Y, X)                                            \
    Y(X, f32_eq, f32, i32, a == b)                                     \
    Y(X, f32_ne, f32, i32, a != b)                                     \
    Y(X, f32_lt, f32, i32, a < b)                                      \
    Y(X, f32_gt, f32, i32, a > b)                                      \
    Y(X, f32_le, f32, i32, a <= b)                                     \
    Y(X, f32_ge, f32, i32, a >= b)                                     \
    Y(X, f32_add, f32, f32, a + b)                                     \
    Y(X, f32_sub, f32, f32, a - b)                                     \
    Y(X, f32_mul, f32, f32, a * b)                                     \
    Y(X, f32_div, f32, f32, a / b)                                     \
    Y(X, f32_min, f32, f32, bri_f32_min(a, b))                         \
    Y(X, f32_max, f32, f32, bri_f32_max(a, b))                         \
    Y(X, f32_copysign, i32, i32, bri_f32_copysign(a, b))               \
    Y(X, f64_eq, f64, i32, a == b)                                     \
    Y(X, f64_ne, f64, i32, a != b)                                     \
    Y(X, f64_lt, f64, i32, a < b)                                      \
    Y(X, f64_gt, f64, i32, a > b)                                      \
    Y(X, f64_le, f64, i32, a <= b)                                     \
    Y(X, f64_ge, f64, i32, a >= b)                                     \
    Y(X, f64_add, f64, f64, a + b)                                     \
    Y(X, f64_sub, f64, f64, a - b)                                     \
    Y(X, f64_mul, f64, f64, a * b)                                     \
    Y(X, f64_div, f64, f64, a / b)                                     \
    Y(X, f64_min, f64, f64, bri_f64_min(a, b))                         \
    Y(X, f64_max, f64, f64, bri_f64_max(a, b))                         \
    Y(X, f64_copysign, i64, i64, bri_f64_copysign(a, b))

/* Unary ops that cannot trap: 2-operand forms [op, dst, a]. */
#define BRI_FUSE_UN(Y, X)                                              \
    Y(X, i32_eqz, i32, i32, a == 0)                                    \
    Y(X, i64_eqz, i64, i32, a == 0)                                    \
    Y(X, i32_clz, i32, i32, bri_clz32(a))                              \
    Y(X, i32_ctz, i32, i32, bri_ctz32(a))                              \
    Y(X, i32_popcnt, i32, i32, bri_popcnt32(a))                        \
    Y(X, i64_clz, i64, i64, bri_clz64(a))                              \
    Y(X, i64_ctz, i64, i64, bri_ctz64(a))                              \
    Y(X, i64_popcnt, i64, i64, bri_popcnt64(a))                        \
    Y(X, i32_wrap_i64, i64, i32, (uint32_t)a)                          \
    Y(X, i64_extend_i32_s, i32, i64, (uint64_t)(int64_t)(int32_t)a)    \
    Y(X, i64_extend_i32_u, i32, i64, a)                                \
    Y(X, i32_extend8_s, i32, i32, bri_sext32(a, 8))                    \
    Y(X, i32_extend16_s, i32, i32, bri_sext32(a, 16))                  \
    Y(X, i64_extend8_s, i64, i64, bri_sext64(a, 8))                    \
    Y(X, i64_extend16_s, i64, i64, bri_sext64(a, 16))                  \
    Y(X, i64_extend32_s, i64, i64, bri_sext64(a, 32))                  \
    Y(X, f32_abs, i32, i32, bri_f32_abs(a))                            \
    Y(X, f32_neg, i32, i32, bri_f32_neg(a))                            \
    Y(X, f64_abs, i64, i64, bri_f64_abs(a))                            \
    Y(X, f64_neg, i64, i64, bri_f64_neg(a))                            \
    Y(X, f32_sqrt, f32, f32, sqrtf(a))                                 \
    Y(X, f64_sqrt, f64, f64, sqrt(a))                                  \
    Y(X, f32_convert_i32_s, i32, f32, (float)(int32_t)a)               \
    Y(X, f32_convert_i32_u, i32, f32, (float)a)                        \
    Y(X, f64_convert_i32_s, i32, f64, (double)(int32_t)a)              \
    Y(X, f64_convert_i32_u, i32, f64, (double)a)                       \
    Y(X, f64_convert_i64_s, i64, f64, bri_f64_from_s64(a))             \
    Y(X, f64_convert_i64_u, i64, f64, bri_f64_from_u64(a))             \
    Y(X, f32_demote_f64, f64, f32, (float)a)                           \
    Y(X, f64_promote_f32, f32, f64, (double)a)                         \
    Y(X, i32_reinterpret_f32, i64, i64, a)                             \
    Y(X, i64_reinterpret_f64, i64, i64, a)                             \
    Y(X, f32_reinterpret_i32, i64, i64, a)                             \
    Y(X, f64_reinterpret_i64, i64, i64, a)

/* Loads and stores with separate operand slots. */
#define BRI_FUSE_LOAD(Y, X)                                            \
    Y(X, i32_load, 4, uint32_t, i32, v_)                               \
    Y(X, i64_load, 8, uint64_t, i64, v_)                               \
    Y(X, f32_load, 4, uint32_t, i32, v_)                               \
    Y(X, f64_load, 8, uint64_t, i64, v_)                               \
    Y(X, i32_load8_s, 1, int8_t, i32, (uint32_t)(int32_t)v_)           \
    Y(X, i32_load8_u, 1, uint8_t, i32, v_)                             \
    Y(X, i32_load16_s, 2, int16_t, i32, (uint32_t)(int32_t)v_)         \
    Y(X, i32_load16_u, 2, uint16_t, i32, v_)                           \
    Y(X, i64_load8_s, 1, int8_t, i64, (uint64_t)(int64_t)v_)           \
    Y(X, i64_load8_u, 1, uint8_t, i64, v_)                             \
    Y(X, i64_load16_s, 2, int16_t, i64, (uint64_t)(int64_t)v_)         \
    Y(X, i64_load16_u, 2, uint16_t, i64, v_)                           \
    Y(X, i64_load32_s, 4, int32_t, i64, (uint64_t)(int64_t)v_)         \
    Y(X, i64_load32_u, 4, uint32_t, i64, v_)

#define BRI_FUSE_STORE(Y, X)                                           \
    Y(X, i32_store, 4, uint32_t)                                       \
    Y(X, i64_store, 8, uint64_t)                                       \
    Y(X, f32_store, 4, uint32_t)                                       \
    Y(X, f64_store, 8, uint64_t)                                       \
    Y(X, i32_store8, 1, uint8_t)                                       \
    Y(X, i32_store16, 2, uint16_t)                                     \
    Y(X, i64_store8, 1, uint8_t)                                       \
    Y(X, i64_store16, 2, uint16_t)                                     \
    Y(X, i64_store32, 4, uint32_t)

/* Name generators: one op per row and form. */
#define BRI_FUSE_N_RR(X, name, T, OUT, e) X(name##_rr)
#define BRI_FUSE_N_RI(X, name, T, OUT, e) X(name##_ri)
#define BRI_FUSE_N_R(X, name, T, OUT, e) X(name##_r)
#define BRI_FUSE_N_BR(X, name, T, OUT, e)                              \
    X(br_##name##_rr) X(brn_##name##_rr) X(br_##name##_ri)             \
    X(brn_##name##_ri)
#define BRI_FUSE_N_LD(X, name, W, CT, OUT, e) X(name##_x)
#define BRI_FUSE_N_ST(X, name, W, CT) X(name##_x)

/* Every fused op, appended to BR_INTERNAL_OPS (opcodes.h). */
#define BRI_FUSED_OPS(X)                                               \
    BRI_FUSE_ICMP(BRI_FUSE_N_RR, X) BRI_FUSE_ICMP(BRI_FUSE_N_RI, X)    \
    BRI_FUSE_ICMP(BRI_FUSE_N_BR, X)                                    \
    BRI_FUSE_IARITH(BRI_FUSE_N_RR, X) BRI_FUSE_IARITH(BRI_FUSE_N_RI, X) \
    BRI_FUSE_FBIN(BRI_FUSE_N_RR, X) BRI_FUSE_UN(BRI_FUSE_N_R, X)       \
    BRI_FUSE_LOAD(BRI_FUSE_N_LD, X) BRI_FUSE_STORE(BRI_FUSE_N_ST, X)   \
    X(jz) X(jnz)

#endif
