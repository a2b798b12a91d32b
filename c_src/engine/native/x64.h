/*
 * beamr engine, native tier: a small x86-64 instruction encoder over a
 * growable byte buffer. Only the forms the native compiler uses: ALU,
 * moves and SSE scalar ops with a register or a [base + index + disp]
 * operand, jumps with 32-bit displacements.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_NATIVE_X64_H
#define BR_NATIVE_X64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

typedef enum x64_reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
    R8, R9, R10, R11, R12, R13, R14, R15,
    NOREG = -1,
} x64_reg_t;

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum {
    CC_O = 0x0, CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5,
    CC_BE = 0x6, CC_A = 0x7, CC_S = 0x8, CC_P = 0xA, CC_NP = 0xB,
    CC_L = 0xC, CC_GE = 0xD, CC_LE = 0xE, CC_G = 0xF,
};

/* The output buffer; `failed` once an allocation failed (the compile is
 * then abandoned, nothing half-written is ever run). */
typedef struct x64_buf {
    const bri_allocator_t *alloc;
    uint8_t *p;
    size_t n, cap;
    bool failed;
} x64_buf_t;

bool bri_x64_reserve(x64_buf_t *b, size_t more);

static inline void
x64_byte(x64_buf_t *b, uint8_t v)
{
    if (b->n == b->cap && !bri_x64_reserve(b, 1))
        return;
    b->p[b->n++] = v;
}

static inline void
x64_u32(x64_buf_t *b, uint32_t v)
{
    if (b->cap - b->n < 4 && !bri_x64_reserve(b, 4))
        return;
    memcpy(b->p + b->n, &v, 4); /* x86-64 is little-endian */
    b->n += 4;
}

static inline void
x64_u64(x64_buf_t *b, uint64_t v)
{
    x64_u32(b, (uint32_t)v);
    x64_u32(b, (uint32_t)(v >> 32));
}

/*
 * An operand of the r/m field: a register (base only, `mem` false) or
 * memory [base + index + disp32] (index NOREG for none, scale 1).
 */
typedef struct x64_rm {
    bool mem;
    x64_reg_t base, index;
    int32_t disp;
} x64_rm_t;

static inline x64_rm_t
x64_r(x64_reg_t r)
{
    return (x64_rm_t){false, r, NOREG, 0};
}

static inline x64_rm_t
x64_m(x64_reg_t base, int32_t disp)
{
    return (x64_rm_t){true, base, NOREG, disp};
}

static inline x64_rm_t
x64_mi(x64_reg_t base, x64_reg_t index)
{
    return (x64_rm_t){true, base, index, 0};
}

/* Instruction flags for x64_op: REX.W, a mandatory prefix, and whether
 * the operand is byte-sized (forces a REX so that sil/dil are meant). */
enum {
    X_W = 1,
    X_66 = 2,
    X_F2 = 4,
    X_F3 = 8,
    X_B8 = 16,
};

/*
 * Emits [prefix] [REX] opcode bytes (1..3, `op` read high byte first,
 * e.g. 0x0FAF) then ModRM/SIB/disp for `reg` (a register or an opcode
 * extension /digit) and `rm`. Memory operands take the shortest
 * displacement: none for 0 (except on an rbp/r13 base, whose mod 00
 * form means something else), 8 bits for -128..127 (the frame's first
 * 16 slots), else 32 bits. Nothing patches a displacement afterwards.
 */
/* The longest instruction x64_op emits: 3 prefixes, REX, 3 opcode
 * bytes, ModRM, SIB, disp32. */
#define X64_OP_MAX 15

static inline void
x64_op(x64_buf_t *b, unsigned flags, uint32_t op, int reg, x64_rm_t rm)
{
    /* room for the longest form once, then bytes without checks: this
     * is the compiler's innermost loop */
    if (b->cap - b->n < X64_OP_MAX && !bri_x64_reserve(b, X64_OP_MAX))
        return;
    uint8_t *q = b->p + b->n;
    if (flags & X_66)
        *q++ = 0x66;
    if (flags & X_F2)
        *q++ = 0xF2;
    if (flags & X_F3)
        *q++ = 0xF3;
    unsigned rex = 0x40 | ((flags & X_W) ? 8u : 0u) | ((reg & 8) ? 4u : 0u) |
                   ((rm.mem && rm.index != NOREG && (rm.index & 8)) ? 2u : 0u) |
                   ((rm.base & 8) ? 1u : 0u);
    if (rex != 0x40 || (flags & X_B8))
        *q++ = (uint8_t)rex;
    if (op > 0xFFFF)
        *q++ = (uint8_t)(op >> 16);
    if (op > 0xFF)
        *q++ = (uint8_t)(op >> 8);
    *q++ = (uint8_t)op;
    if (!rm.mem) {
        *q++ = (uint8_t)(0xC0 | ((reg & 7) << 3) | (rm.base & 7));
        b->n = (size_t)(q - b->p);
        return;
    }
    unsigned mod = 0x80;
    if (rm.disp == 0 && (rm.base & 7) != RBP)
        mod = 0x00;
    else if (rm.disp >= -128 && rm.disp <= 127)
        mod = 0x40;
    if (rm.index != NOREG || (rm.base & 7) == RSP) {
        *q++ = (uint8_t)(mod | ((reg & 7) << 3) | 4);
        unsigned idx = rm.index != NOREG ? (unsigned)(rm.index & 7) : 4u;
        *q++ = (uint8_t)((idx << 3) | (rm.base & 7));
    } else {
        *q++ = (uint8_t)(mod | ((reg & 7) << 3) | (rm.base & 7));
    }
    if (mod == 0x40) {
        *q++ = (uint8_t)(int8_t)rm.disp;
    } else if (mod == 0x80) {
        uint32_t d = (uint32_t)rm.disp;
        memcpy(q, &d, 4);
        q += 4;
    }
    b->n = (size_t)(q - b->p);
}

/* mov r32/r64, imm (zero-extended for 32 bits). */
static inline void
x64_mov_imm(x64_buf_t *b, x64_reg_t r, uint64_t v)
{
    if (v <= UINT32_MAX) {
        if (r & 8)
            x64_byte(b, 0x41);
        x64_byte(b, (uint8_t)(0xB8 | (r & 7)));
        x64_u32(b, (uint32_t)v);
        return;
    }
    x64_byte(b, (uint8_t)(0x48 | ((r & 8) ? 1 : 0)));
    x64_byte(b, (uint8_t)(0xB8 | (r & 7)));
    x64_u64(b, v);
}

/* Jumps: return the offset of their rel32 for later patching. */
static inline size_t
x64_jmp(x64_buf_t *b)
{
    x64_byte(b, 0xE9);
    size_t at = b->n;
    x64_u32(b, 0);
    return at;
}

static inline size_t
x64_jcc(x64_buf_t *b, int cc)
{
    x64_byte(b, 0x0F);
    x64_byte(b, (uint8_t)(0x80 | cc));
    size_t at = b->n;
    x64_u32(b, 0);
    return at;
}

/* Points the rel32 at `at` to `target` (both buffer offsets). */
static inline void
x64_patch(x64_buf_t *b, size_t at, size_t target)
{
    if (b->failed)
        return;
    int32_t rel = (int32_t)((int64_t)target - (int64_t)(at + 4));
    memcpy(b->p + at, &rel, 4);
}

/* setcc r8 then movzx r32, r8: a 0/1 result in a full register. */
static inline void
x64_setcc(x64_buf_t *b, int cc, x64_reg_t r)
{
    x64_op(b, X_B8, 0x0F90u | (uint32_t)cc, 0, x64_r(r));
    x64_op(b, X_B8, 0x0FB6, r, x64_r(r));
}

#endif
