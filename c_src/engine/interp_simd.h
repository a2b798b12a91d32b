/*
 * beamr engine: the SIMD (0xFD) handlers of the dispatch loop. Included
 * inside bri_interp_run (interp.c), so it uses its locals (pc, S, mb, ms,
 * inst), its OP/NEXT/TRAP macros and mem_at; lane semantics are in
 * numeric_simd.h. Layouts: code.h plus compile_simd.c. A v128 takes two
 * slots and is copied in and out with memcpy (slots are 8-byte aligned).
 * SPDX-License-Identifier: Apache-2.0
 */

/* clang-format off */

/* v -> v, vv -> v, vvv -> v, (v, i32 count) -> v, v -> i32: [op, s]. */
#define V_UN(name)                                                        \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        bri_v128_t a_;                                                    \
        memcpy(&a_, x_, 16);                                              \
        bri_v_##name(&a_, &a_);                                           \
        memcpy(x_, &a_, 16);                                              \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

#define V_BIN(name)                                                       \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        bri_v128_t a_, b_;                                                \
        memcpy(&a_, x_, 16);                                              \
        memcpy(&b_, x_ + 2, 16);                                          \
        bri_v_##name(&a_, &a_, &b_);                                      \
        memcpy(x_, &a_, 16);                                              \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

/* vvv -> v: operands at s, s+2, s+4. */
#define V_TERN(name)                                                      \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        bri_v128_t a_, b_, c_;                                            \
        memcpy(&a_, x_, 16);                                              \
        memcpy(&b_, x_ + 2, 16);                                          \
        memcpy(&c_, x_ + 4, 16);                                          \
        bri_v_##name(&a_, &a_, &b_, &c_);                                 \
        memcpy(x_, &a_, 16);                                              \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

#define V_SHIFT(name)                                                     \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        bri_v128_t a_;                                                    \
        memcpy(&a_, x_, 16);                                              \
        bri_v_##name(&a_, &a_, rd_i32(x_ + 2));                           \
        memcpy(x_, &a_, 16);                                              \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

#define V_TEST(name)                                                      \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        bri_v128_t a_;                                                    \
        memcpy(&a_, x_, 16);                                              \
        wr_i32(x_, bri_v_##name(&a_));                                    \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

/* scalar at s -> v128 at s */
#define V_SPLAT(name)                                                     \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        bri_v128_t r_;                                                    \
        bri_v_##name(&r_, x_->u64);                                       \
        memcpy(x_, &r_, 16);                                              \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

/* [op, s, lane]: lane `lane` of W_ bytes of the v128 at s. */
#define V_EXTRACT(name, W_, CT, OUT, expr)                                \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        CT v_;                                                            \
        memcpy(&v_, (const uint8_t *)x_ + (size_t)pc[2] * W_, W_);        \
        wr_##OUT(x_, (expr));                                             \
        pc += 3;                                                          \
        NEXT();                                                           \
    }

/* The low W_ bytes of the scalar at s+2 (little-endian) into the lane. */
#define V_REPLACE(name, W_)                                               \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        memcpy((uint8_t *)x_ + (size_t)pc[2] * W_, x_ + 2, W_);           \
        pc += 3;                                                          \
        NEXT();                                                           \
    }

/* [op, s, mem, off_lo, off_hi]: `load` fills r_ from the W_ bytes at p_. */
#define V_LOAD(name, W_, load)                                            \
    OP(name) {                                                            \
        const uint8_t *p_ = mem_at(pc, S, mb, ms, inst, W_);              \
        if (BR_UNLIKELY(p_ == NULL))                                      \
            TRAP(BR_TRAP_MEMORY_OOB);                                     \
        bri_v128_t r_;                                                    \
        load;                                                             \
        memcpy(S + pc[1], &r_, 16);                                       \
        pc += 5;                                                          \
        NEXT();                                                           \
    }

/* [op, s, mem, off_lo, off_hi, lane]: address at s, v128 at s+1. */
#define V_LOAD_LANE(name, W_)                                             \
    OP(name) {                                                            \
        const uint8_t *p_ = mem_at(pc, S, mb, ms, inst, W_);              \
        if (BR_UNLIKELY(p_ == NULL))                                      \
            TRAP(BR_TRAP_MEMORY_OOB);                                     \
        bri_v128_t r_;                                                    \
        memcpy(&r_, S + pc[1] + 1, 16);                                   \
        memcpy(r_.u8 + (size_t)pc[5] * W_, p_, W_);                       \
        memcpy(S + pc[1], &r_, 16);                                       \
        pc += 6;                                                          \
        NEXT();                                                           \
    }

#define V_STORE_LANE(name, W_)                                            \
    OP(name) {                                                            \
        uint8_t *p_ = mem_at(pc, S, mb, ms, inst, W_);                    \
        if (BR_UNLIKELY(p_ == NULL))                                      \
            TRAP(BR_TRAP_MEMORY_OOB);                                     \
        memcpy(p_, (const uint8_t *)(S + pc[1] + 1) + (size_t)pc[5] * W_, \
               W_);                                                       \
        pc += 6;                                                          \
        NEXT();                                                           \
    }

    /* ---- SIMD memory ---- */
    V_LOAD(v128_load, 16, memcpy(&r_, p_, 16))
    V_LOAD(v128_load8x8_s, 8, bri_v_v128_load8x8_s(&r_, p_))
    V_LOAD(v128_load8x8_u, 8, bri_v_v128_load8x8_u(&r_, p_))
    V_LOAD(v128_load16x4_s, 8, bri_v_v128_load16x4_s(&r_, p_))
    V_LOAD(v128_load16x4_u, 8, bri_v_v128_load16x4_u(&r_, p_))
    V_LOAD(v128_load32x2_s, 8, bri_v_v128_load32x2_s(&r_, p_))
    V_LOAD(v128_load32x2_u, 8, bri_v_v128_load32x2_u(&r_, p_))
    V_LOAD(v128_load8_splat, 1, bri_v_load_splat(&r_, p_, 1))
    V_LOAD(v128_load16_splat, 2, bri_v_load_splat(&r_, p_, 2))
    V_LOAD(v128_load32_splat, 4, bri_v_load_splat(&r_, p_, 4))
    V_LOAD(v128_load64_splat, 8, bri_v_load_splat(&r_, p_, 8))
    V_LOAD(v128_load32_zero, 4, bri_v_load_zero(&r_, p_, 4))
    V_LOAD(v128_load64_zero, 8, bri_v_load_zero(&r_, p_, 8))
    OP(v128_store) {
        uint8_t *p_ = mem_at(pc, S, mb, ms, inst, 16);
        if (BR_UNLIKELY(p_ == NULL))
            TRAP(BR_TRAP_MEMORY_OOB);
        memcpy(p_, S + pc[1] + 1, 16);
        pc += 5;
        NEXT();
    }
    V_LOAD_LANE(v128_load8_lane, 1)
    V_LOAD_LANE(v128_load16_lane, 2)
    V_LOAD_LANE(v128_load32_lane, 4)
    V_LOAD_LANE(v128_load64_lane, 8)
    V_STORE_LANE(v128_store8_lane, 1)
    V_STORE_LANE(v128_store16_lane, 2)
    V_STORE_LANE(v128_store32_lane, 4)
    V_STORE_LANE(v128_store64_lane, 8)

    /* ---- constant, shuffles, splats, lanes ---- */
    OP(v128_const) {
        memcpy(S + pc[1], pc + 2, 16);
        pc += 6;
        NEXT();
    }
    OP(i8x16_shuffle) { /* a and b are the 32 bytes at s */
        br_slot_t *x_ = S + pc[1];
        bri_v128_t r_;
        bri_v_i8x16_shuffle(&r_, (const uint8_t *)x_,
                            (const uint8_t *)(pc + 2));
        memcpy(x_, &r_, 16);
        pc += 6;
        NEXT();
    }
    V_BIN(i8x16_swizzle)
    V_SPLAT(i8x16_splat)
    V_SPLAT(i16x8_splat)
    V_SPLAT(i32x4_splat)
    V_SPLAT(i64x2_splat)
    V_SPLAT(f32x4_splat)
    V_SPLAT(f64x2_splat)
    V_EXTRACT(i8x16_extract_lane_s, 1, int8_t, i32, (uint32_t)(int32_t)v_)
    V_EXTRACT(i8x16_extract_lane_u, 1, uint8_t, i32, v_)
    V_EXTRACT(i16x8_extract_lane_s, 2, int16_t, i32, (uint32_t)(int32_t)v_)
    V_EXTRACT(i16x8_extract_lane_u, 2, uint16_t, i32, v_)
    V_EXTRACT(i32x4_extract_lane, 4, uint32_t, i32, v_)
    V_EXTRACT(i64x2_extract_lane, 8, uint64_t, i64, v_)
    V_EXTRACT(f32x4_extract_lane, 4, uint32_t, i32, v_)
    V_EXTRACT(f64x2_extract_lane, 8, uint64_t, i64, v_)
    V_REPLACE(i8x16_replace_lane, 1)
    V_REPLACE(i16x8_replace_lane, 2)
    V_REPLACE(i32x4_replace_lane, 4)
    V_REPLACE(i64x2_replace_lane, 8)
    V_REPLACE(f32x4_replace_lane, 4)
    V_REPLACE(f64x2_replace_lane, 8)

    /* ---- bitwise ---- */
    V_UN(v128_not)
    V_BIN(v128_and)
    V_BIN(v128_andnot)
    V_BIN(v128_or)
    V_BIN(v128_xor)
    OP(v128_bitselect) {
        br_slot_t *x_ = S + pc[1];
        bri_v128_t a_, b_, c_;
        memcpy(&a_, x_, 16);
        memcpy(&b_, x_ + 2, 16);
        memcpy(&c_, x_ + 4, 16);
        bri_v_v128_bitselect(&a_, &a_, &b_, &c_);
        memcpy(x_, &a_, 16);
        pc += 2;
        NEXT();
    }
    V_TEST(v128_any_true)

    /* ---- i8x16 ---- */
    V_BIN(i8x16_eq) V_BIN(i8x16_ne)
    V_BIN(i8x16_lt_s) V_BIN(i8x16_lt_u) V_BIN(i8x16_gt_s) V_BIN(i8x16_gt_u)
    V_BIN(i8x16_le_s) V_BIN(i8x16_le_u) V_BIN(i8x16_ge_s) V_BIN(i8x16_ge_u)
    V_UN(i8x16_abs) V_UN(i8x16_neg) V_UN(i8x16_popcnt)
    V_TEST(i8x16_all_true) V_TEST(i8x16_bitmask)
    V_BIN(i8x16_narrow_i16x8_s) V_BIN(i8x16_narrow_i16x8_u)
    V_SHIFT(i8x16_shl) V_SHIFT(i8x16_shr_s) V_SHIFT(i8x16_shr_u)
    V_BIN(i8x16_add) V_BIN(i8x16_add_sat_s) V_BIN(i8x16_add_sat_u)
    V_BIN(i8x16_sub) V_BIN(i8x16_sub_sat_s) V_BIN(i8x16_sub_sat_u)
    V_BIN(i8x16_min_s) V_BIN(i8x16_min_u)
    V_BIN(i8x16_max_s) V_BIN(i8x16_max_u)
    V_BIN(i8x16_avgr_u)

    /* ---- i16x8 ---- */
    V_BIN(i16x8_eq) V_BIN(i16x8_ne)
    V_BIN(i16x8_lt_s) V_BIN(i16x8_lt_u) V_BIN(i16x8_gt_s) V_BIN(i16x8_gt_u)
    V_BIN(i16x8_le_s) V_BIN(i16x8_le_u) V_BIN(i16x8_ge_s) V_BIN(i16x8_ge_u)
    V_UN(i16x8_extadd_pairwise_i8x16_s) V_UN(i16x8_extadd_pairwise_i8x16_u)
    V_UN(i16x8_abs) V_UN(i16x8_neg)
    V_BIN(i16x8_q15mulr_sat_s)
    V_TEST(i16x8_all_true) V_TEST(i16x8_bitmask)
    V_BIN(i16x8_narrow_i32x4_s) V_BIN(i16x8_narrow_i32x4_u)
    V_UN(i16x8_extend_low_i8x16_s) V_UN(i16x8_extend_high_i8x16_s)
    V_UN(i16x8_extend_low_i8x16_u) V_UN(i16x8_extend_high_i8x16_u)
    V_SHIFT(i16x8_shl) V_SHIFT(i16x8_shr_s) V_SHIFT(i16x8_shr_u)
    V_BIN(i16x8_add) V_BIN(i16x8_add_sat_s) V_BIN(i16x8_add_sat_u)
    V_BIN(i16x8_sub) V_BIN(i16x8_sub_sat_s) V_BIN(i16x8_sub_sat_u)
    V_BIN(i16x8_mul)
    V_BIN(i16x8_min_s) V_BIN(i16x8_min_u)
    V_BIN(i16x8_max_s) V_BIN(i16x8_max_u)
    V_BIN(i16x8_avgr_u)
    V_BIN(i16x8_extmul_low_i8x16_s) V_BIN(i16x8_extmul_high_i8x16_s)
    V_BIN(i16x8_extmul_low_i8x16_u) V_BIN(i16x8_extmul_high_i8x16_u)

    /* ---- i32x4 ---- */
    V_BIN(i32x4_eq) V_BIN(i32x4_ne)
    V_BIN(i32x4_lt_s) V_BIN(i32x4_lt_u) V_BIN(i32x4_gt_s) V_BIN(i32x4_gt_u)
    V_BIN(i32x4_le_s) V_BIN(i32x4_le_u) V_BIN(i32x4_ge_s) V_BIN(i32x4_ge_u)
    V_UN(i32x4_extadd_pairwise_i16x8_s) V_UN(i32x4_extadd_pairwise_i16x8_u)
    V_UN(i32x4_abs) V_UN(i32x4_neg)
    V_TEST(i32x4_all_true) V_TEST(i32x4_bitmask)
    V_UN(i32x4_extend_low_i16x8_s) V_UN(i32x4_extend_high_i16x8_s)
    V_UN(i32x4_extend_low_i16x8_u) V_UN(i32x4_extend_high_i16x8_u)
    V_SHIFT(i32x4_shl) V_SHIFT(i32x4_shr_s) V_SHIFT(i32x4_shr_u)
    V_BIN(i32x4_add) V_BIN(i32x4_sub) V_BIN(i32x4_mul)
    V_BIN(i32x4_min_s) V_BIN(i32x4_min_u)
    V_BIN(i32x4_max_s) V_BIN(i32x4_max_u)
    V_BIN(i32x4_dot_i16x8_s)
    V_BIN(i32x4_extmul_low_i16x8_s) V_BIN(i32x4_extmul_high_i16x8_s)
    V_BIN(i32x4_extmul_low_i16x8_u) V_BIN(i32x4_extmul_high_i16x8_u)

    /* ---- i64x2 ---- */
    V_BIN(i64x2_eq) V_BIN(i64x2_ne)
    V_BIN(i64x2_lt_s) V_BIN(i64x2_gt_s) V_BIN(i64x2_le_s) V_BIN(i64x2_ge_s)
    V_UN(i64x2_abs) V_UN(i64x2_neg)
    V_TEST(i64x2_all_true) V_TEST(i64x2_bitmask)
    V_UN(i64x2_extend_low_i32x4_s) V_UN(i64x2_extend_high_i32x4_s)
    V_UN(i64x2_extend_low_i32x4_u) V_UN(i64x2_extend_high_i32x4_u)
    V_SHIFT(i64x2_shl) V_SHIFT(i64x2_shr_s) V_SHIFT(i64x2_shr_u)
    V_BIN(i64x2_add) V_BIN(i64x2_sub) V_BIN(i64x2_mul)
    V_BIN(i64x2_extmul_low_i32x4_s) V_BIN(i64x2_extmul_high_i32x4_s)
    V_BIN(i64x2_extmul_low_i32x4_u) V_BIN(i64x2_extmul_high_i32x4_u)

    /* ---- f32x4 ---- */
    V_BIN(f32x4_eq) V_BIN(f32x4_ne) V_BIN(f32x4_lt) V_BIN(f32x4_gt)
    V_BIN(f32x4_le) V_BIN(f32x4_ge)
    V_UN(f32x4_ceil) V_UN(f32x4_floor) V_UN(f32x4_trunc) V_UN(f32x4_nearest)
    V_UN(f32x4_abs) V_UN(f32x4_neg) V_UN(f32x4_sqrt)
    V_BIN(f32x4_add) V_BIN(f32x4_sub) V_BIN(f32x4_mul) V_BIN(f32x4_div)
    V_BIN(f32x4_min) V_BIN(f32x4_max) V_BIN(f32x4_pmin) V_BIN(f32x4_pmax)

    /* ---- f64x2 ---- */
    V_BIN(f64x2_eq) V_BIN(f64x2_ne) V_BIN(f64x2_lt) V_BIN(f64x2_gt)
    V_BIN(f64x2_le) V_BIN(f64x2_ge)
    V_UN(f64x2_ceil) V_UN(f64x2_floor) V_UN(f64x2_trunc) V_UN(f64x2_nearest)
    V_UN(f64x2_abs) V_UN(f64x2_neg) V_UN(f64x2_sqrt)
    V_BIN(f64x2_add) V_BIN(f64x2_sub) V_BIN(f64x2_mul) V_BIN(f64x2_div)
    V_BIN(f64x2_min) V_BIN(f64x2_max) V_BIN(f64x2_pmin) V_BIN(f64x2_pmax)

    /* ---- conversions ---- */
    V_UN(f32x4_demote_f64x2_zero) V_UN(f64x2_promote_low_f32x4)
    V_UN(i32x4_trunc_sat_f32x4_s) V_UN(i32x4_trunc_sat_f32x4_u)
    V_UN(f32x4_convert_i32x4_s) V_UN(f32x4_convert_i32x4_u)
    V_UN(i32x4_trunc_sat_f64x2_s_zero) V_UN(i32x4_trunc_sat_f64x2_u_zero)
    V_UN(f64x2_convert_low_i32x4_s) V_UN(f64x2_convert_low_i32x4_u)

    /* ---- relaxed SIMD (numeric_relaxed.h) ---- */
    V_BIN(i8x16_relaxed_swizzle)
    V_UN(i32x4_relaxed_trunc_f32x4_s) V_UN(i32x4_relaxed_trunc_f32x4_u)
    V_UN(i32x4_relaxed_trunc_f64x2_s_zero)
    V_UN(i32x4_relaxed_trunc_f64x2_u_zero)
    V_TERN(f32x4_relaxed_madd) V_TERN(f32x4_relaxed_nmadd)
    V_TERN(f64x2_relaxed_madd) V_TERN(f64x2_relaxed_nmadd)
    V_TERN(i8x16_relaxed_laneselect) V_TERN(i16x8_relaxed_laneselect)
    V_TERN(i32x4_relaxed_laneselect) V_TERN(i64x2_relaxed_laneselect)
    V_BIN(f32x4_relaxed_min) V_BIN(f32x4_relaxed_max)
    V_BIN(f64x2_relaxed_min) V_BIN(f64x2_relaxed_max)
    V_BIN(i16x8_relaxed_q15mulr_s)
    V_BIN(i16x8_relaxed_dot_i8x16_i7x16_s)
    V_TERN(i32x4_relaxed_dot_i8x16_i7x16_add_s)

#undef V_UN
#undef V_BIN
#undef V_TERN
#undef V_SHIFT
#undef V_TEST
#undef V_SPLAT
#undef V_EXTRACT
#undef V_REPLACE
#undef V_LOAD
#undef V_LOAD_LANE
#undef V_STORE_LANE
/* clang-format on */
