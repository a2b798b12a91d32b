/*
 * beamr engine: the wide-arithmetic handlers of the dispatch loop
 * (numeric_wide.h). Included inside bri_interp_run (interp.c). Simple
 * ops [op, s]: the i64 operands at slots s.., the two i64 results (low
 * half first) at s and s+1.
 * SPDX-License-Identifier: Apache-2.0
 */

/* clang-format off */
#define WIDE_4(name)                                                      \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        uint64_t lo_, hi_;                                                \
        bri_##name(rd_i64(x_), rd_i64(x_ + 1), rd_i64(x_ + 2),            \
                   rd_i64(x_ + 3), &lo_, &hi_);                           \
        wr_i64(x_, lo_);                                                  \
        wr_i64(x_ + 1, hi_);                                              \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

#define WIDE_2(name)                                                      \
    OP(name) {                                                            \
        br_slot_t *x_ = S + pc[1];                                        \
        uint64_t lo_, hi_;                                                \
        bri_##name(rd_i64(x_), rd_i64(x_ + 1), &lo_, &hi_);               \
        wr_i64(x_, lo_);                                                  \
        wr_i64(x_ + 1, hi_);                                              \
        pc += 2;                                                          \
        NEXT();                                                           \
    }

    WIDE_4(i64_add128)
    WIDE_4(i64_sub128)
    WIDE_2(i64_mul_wide_s)
    WIDE_2(i64_mul_wide_u)

#undef WIDE_4
#undef WIDE_2
/* clang-format on */
