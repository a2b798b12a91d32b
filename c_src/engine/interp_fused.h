/*
 * beamr engine: the interpreter handlers of the register-style and fused
 * ops (fused_ops.h, layouts in code.h), included by interp.c inside its
 * dispatch loop, where OP, NEXT, CHARGE, TRAP and the slot helpers live.
 * SPDX-License-Identifier: Apache-2.0
 */

/* clang-format off */

/* [op, dst, a, b]: every operand is a frame slot (local or stack). */
#define FUSE_H_RR(X, name, T, OUT, expr)                                  \
    OP(name##_rr) {                                                       \
        ty_##T a = rd_##T(S + pc[2]), b = rd_##T(S + pc[3]);              \
        wr_##OUT(S + pc[1], (expr));                                      \
        pc += 4;                                                          \
        NEXT();                                                           \
    }

/* [op, dst, a, imm]: b is the immediate, sign-extended for i64. */
#define FUSE_H_RI(X, name, T, OUT, expr)                                  \
    OP(name##_ri) {                                                       \
        ty_##T a = rd_##T(S + pc[2]);                                     \
        ty_##T b = (ty_##T)(int64_t)(int32_t)pc[3];                       \
        wr_##OUT(S + pc[1], (expr));                                      \
        pc += 4;                                                          \
        NEXT();                                                           \
    }

/* [op, dst, a]. */
#define FUSE_H_R(X, name, T, OUT, expr)                                   \
    OP(name##_r) {                                                        \
        ty_##T a = rd_##T(S + pc[2]);                                     \
        wr_##OUT(S + pc[1], (expr));                                      \
        pc += 3;                                                          \
        NEXT();                                                           \
    }

/* Taken branch: jump to the target word, then charge its fuel word (0
 * for forward branches: never runs out, as fuel stays >= 0 there). */
#define FUSE_TAKE(tw)                                                     \
    do {                                                                  \
        uint32_t cost_ = pc[(tw) + 1];                                    \
        pc = W + pc[tw];                                                  \
        CHARGE(cost_);                                                    \
    } while (0)

/* [br_op, a, b, target, fuel] jumps if EXPR, [brn_op, ...] unless; the
 * _ri forms take b as an immediate. */
#define FUSE_H_BR(X, name, T, OUT, expr)                                  \
    OP(br_##name##_rr) {                                                  \
        ty_##T a = rd_##T(S + pc[1]), b = rd_##T(S + pc[2]);              \
        if (expr) FUSE_TAKE(3); else pc += 5;                             \
        NEXT();                                                           \
    }                                                                     \
    OP(brn_##name##_rr) {                                                 \
        ty_##T a = rd_##T(S + pc[1]), b = rd_##T(S + pc[2]);              \
        if (!(expr)) FUSE_TAKE(3); else pc += 5;                          \
        NEXT();                                                           \
    }                                                                     \
    OP(br_##name##_ri) {                                                  \
        ty_##T a = rd_##T(S + pc[1]);                                     \
        ty_##T b = (ty_##T)(int64_t)(int32_t)pc[2];                       \
        if (expr) FUSE_TAKE(3); else pc += 5;                             \
        NEXT();                                                           \
    }                                                                     \
    OP(brn_##name##_ri) {                                                 \
        ty_##T a = rd_##T(S + pc[1]);                                     \
        ty_##T b = (ty_##T)(int64_t)(int32_t)pc[2];                       \
        if (!(expr)) FUSE_TAKE(3); else pc += 5;                          \
        NEXT();                                                           \
    }

/* [op, dst, addr, mem, off_lo, off_hi]: mem_at reads pc + 1 as the plain
 * layout [op, addr, mem, off_lo, off_hi]. */
#define FUSE_H_LD(X, name, W_, CT, OUT, expr)                             \
    OP(name##_x) {                                                        \
        const uint8_t *p_ = mem_at(pc + 1, S, mb, ms, inst, W_);          \
        if (BR_UNLIKELY(p_ == NULL))                                      \
            TRAP(BR_TRAP_MEMORY_OOB);                                     \
        CT v_;                                                            \
        memcpy(&v_, p_, W_);                                              \
        wr_##OUT(S + pc[1], (expr));                                      \
        pc += 6;                                                          \
        NEXT();                                                           \
    }

/* [op, value, addr, mem, off_lo, off_hi]. */
#define FUSE_H_ST(X, name, W_, CT)                                        \
    OP(name##_x) {                                                        \
        uint8_t *p_ = mem_at(pc + 1, S, mb, ms, inst, W_);                \
        if (BR_UNLIKELY(p_ == NULL))                                      \
            TRAP(BR_TRAP_MEMORY_OOB);                                     \
        CT v_ = (CT)S[pc[1]].u64;                                         \
        memcpy(p_, &v_, W_);                                              \
        pc += 6;                                                          \
        NEXT();                                                           \
    }

    BRI_FUSE_ICMP(FUSE_H_RR, _) BRI_FUSE_ICMP(FUSE_H_RI, _)
    BRI_FUSE_ICMP(FUSE_H_BR, _)
    BRI_FUSE_IARITH(FUSE_H_RR, _) BRI_FUSE_IARITH(FUSE_H_RI, _)
    BRI_FUSE_FBIN(FUSE_H_RR, _) BRI_FUSE_UN(FUSE_H_R, _)
    BRI_FUSE_LOAD(FUSE_H_LD, _) BRI_FUSE_STORE(FUSE_H_ST, _)

    /* [jz, a, target, fuel] / [jnz, ...]: an i32 or i64 slot tested as
     * u64 (an i32's high half is zero). */
    OP(jz) {
        if (S[pc[1]].u64 == 0) FUSE_TAKE(2); else pc += 4;
        NEXT();
    }
    OP(jnz) {
        if (S[pc[1]].u64 != 0) FUSE_TAKE(2); else pc += 4;
        NEXT();
    }

#undef FUSE_H_RR
#undef FUSE_H_RI
#undef FUSE_H_R
#undef FUSE_TAKE
#undef FUSE_H_BR
#undef FUSE_H_LD
#undef FUSE_H_ST
/* clang-format on */
