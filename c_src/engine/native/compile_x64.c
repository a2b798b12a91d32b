/*
 * beamr engine, native tier: the single-pass compiler from internal code
 * (code.h) to x86-64. Every instruction it knows becomes machine code
 * that reads and writes the frame's slots exactly as the interpreter's
 * handler does; every other one, and every slow path of a known one (a
 * bounds check that fails, a divisor of zero or -1), leaves the machine
 * code with that instruction's pc so the interpreter runs it. The
 * interpreter therefore owns calls, returns, traps, imports, exceptions
 * and bulk operations, and they behave and report exactly as in the
 * interpreter tier (same trap kinds, same backtraces).
 *
 * Registers while in machine code:
 *   rbx  S, the frame's slot 0        r13  the fuel counter
 *   r12  rsp at entry (emit_stubs)    r14  memory 0's base
 *   rbp  the instance                 r15  memory 0's size in bytes
 *   rsi, rdi, r8-r11: the slot cache (x64_cache.h): frame slots kept
 *   in registers within a straight line of code (scratch only inside
 *   a call sequence, which empties the cache first)
 *   rax, rcx, rdx, xmm0-xmm3: scratch within one instruction.
 * Every register value is written back to its slot before a jump, an
 * exit, a call or a return, so every place the interpreter may enter
 * or take over sees the interpreter's frame layout. Wasm calls
 * to functions of the module with machine code stay in it (emit_call):
 * they push the interpreter's frame, so the interpreter can take over
 * in any frame.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "native.h"

#if BRI_HAVE_NATIVE

#include <sys/mman.h>
#include <unistd.h>

#include "aot.h"
#include "x64.h"

bool
bri_x64_reserve(x64_buf_t *b, size_t more)
{
    if (b->failed)
        return false;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->n < more)
        cap *= 2;
    uint8_t *p = bri_realloc(b->alloc, b->p, b->cap, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

/*
 * The machine stack of a run of machine code: the entry stub saves the
 * callee-saved registers, then keeps three words at r12 = rsp: the
 * context, the exec and the lowest rsp a nested wasm call may reach.
 * A wasm call in machine code pushes only its return address, so any
 * exit, at whatever nesting, leaves through one sequence that resets
 * rsp from r12.
 */
enum { CTX_AT = 0, EXEC_AT = 8, LIMIT_AT = 16, LOCALS = 24 };

/* ------------------------------------------------------------------ */
/* The compiler's state                                                */

/* Registers that cache frame slots across instructions (see "The slot
 * cache" below): no instruction uses them as scratch, except calls,
 * which empty the cache first. */
#define NCACHE 6
static const x64_reg_t cache_regs[NCACHE] = {RSI, RDI, R8, R9, R10, R11};

/* A cache register: the slot it holds (-1: none) and when it was last
 * used (the least recently used one is evicted). Whether the slot's
 * memory is stale (its value only in the register) is a bit of
 * ncomp_t.dirty. */
typedef struct creg {
    int64_t slot;
    uint32_t used;
    /* the bytes from its value on that an access in this straight line
     * already proved inside memory 0 (emit_ea); 0 once the value
     * changes or the register holds another slot */
    uint32_t checked;
} creg_t;

/* A rel32 to patch: to the code of word `pc` (jumps), or to a stub that
 * leaves at `pc` (exits). An exit's stub first stores the cache
 * registers that were dirty where it was taken (nd of them). */
typedef struct fixup {
    size_t at;
    uint32_t pc;
    bool exit;
    uint8_t nd;
    uint8_t dreg[NCACHE];
    uint32_t dslot[NCACHE];
} fixup_t;

typedef struct ncomp {
    x64_buf_t b;
    const br_module_t *m;
    const bri_code_t *code;
    const uint32_t *w;   /* the instruction being compiled */
    uint32_t pc;         /* its word index */
    uint32_t *at;        /* per word: offset of its code (instructions) */
    uint32_t *insns;     /* the pcs of the instructions, in order */
    uint32_t ninsns;
    uint8_t *flags;      /* per word: NF_* */
    fixup_t *fix;
    size_t fix_n, fix_cap;
    size_t epilogue;     /* offset of the shared exit sequence */
    size_t call_entry;   /* offset of the call entry (emit_stubs) */
    bool mem64;          /* memory 0 is a memory64 */
    bool sse41;          /* the CPU has SSSE3 and SSE4.1 (x64_simd.h) */
    /* The slot whose value rax holds on every path into the current
     * point (-1: none): an instruction that reads the slot its
     * predecessor just wrote skips the load. Reset at jump targets and
     * after instructions that leave rax otherwise. */
    int64_t rax_slot;
    /* The slot cache: which frame slots the cache registers hold. Empty
     * wherever the interpreter may enter or control arrives from
     * elsewhere; written back before every jump, exit and call. */
    creg_t cache[NCACHE];
    unsigned dirty; /* bit k: cache[k] is newer than its slot */
    uint32_t tick;
    /* where[s]: the cache register holding slot s, or -1 (slots below
     * nwhere, the frame's; others are searched) */
    int8_t *where;
    uint32_t nwhere;
} ncomp_t;

enum {
    NF_INSN = 1,   /* an instruction starts here */
    NF_NATIVE = 2, /* ... and has machine code of its own */
    NF_TARGET = 4, /* ... and a jump lands here */
};

static void
add_fixup(ncomp_t *c, size_t at, uint32_t pc, bool exit)
{
    if (c->fix_n == c->fix_cap) {
        size_t cap = c->fix_cap ? c->fix_cap * 2 : 64;
        fixup_t *f = bri_realloc(c->b.alloc, c->fix, c->fix_cap * sizeof *f,
                                 cap * sizeof *f);
        if (f == NULL) {
            c->b.failed = true;
            return;
        }
        c->fix = f;
        c->fix_cap = cap;
    }
    fixup_t *f = &c->fix[c->fix_n++];
    *f = (fixup_t){.at = at, .pc = pc, .exit = exit};
    if (!exit)
        return; /* jumps are taken with the cache written back */
    for (unsigned m = c->dirty; m != 0; m &= m - 1) {
        int k = __builtin_ctz(m);
        f->dreg[f->nd] = (uint8_t)cache_regs[k];
        f->dslot[f->nd++] = (uint32_t)c->cache[k].slot;
    }
}

/* ------------------------------------------------------------------ */
/* Small emitters                                                      */

/* The slot's memory. Only for reads after flush_slot/cache_reset, or
 * writes followed by cache_drop (see src() for ordinary reads). */
static x64_rm_t
slot(uint32_t s)
{
    return x64_m(RBX, (int32_t)(s * 8u));
}

#include "x64_cache.h"

/* Leaves the machine code at word `pc` (inline: mov eax, pc; jmp). */
static void
exit_at(ncomp_t *c, uint32_t pc)
{
    x64_mov_imm(&c->b, RAX, pc);
    x64_patch(&c->b, x64_jmp(&c->b), c->epilogue);
}

/* A conditional exit at the current instruction (its slow path): the
 * stub is placed after the function's code. */
static void
exit_if(ncomp_t *c, int cc)
{
    add_fixup(c, x64_jcc(&c->b, cc), c->pc, true);
}

static void
jump_to(ncomp_t *c, uint32_t target)
{
    cache_flush(c);
    add_fixup(c, x64_jmp(&c->b), target, false);
}

static void
jcc_to(ncomp_t *c, int cc, uint32_t target)
{
    cache_flush(c);
    add_fixup(c, x64_jcc(&c->b, cc), target, false);
}

/* A taken branch to `target` that charges `fuel` (a back-edge): out of
 * fuel it leaves at the target, as the interpreter's CHARGE does after
 * its jump. */
static void
take(ncomp_t *c, uint32_t target, uint32_t fuel)
{
    cache_flush(c); /* both the jump and the exit need the slots */
    if (fuel > INT32_MAX) {
        /* never emitted (fuel is a loop body's size); an imm32 could
         * not hold it: let the interpreter charge it */
        exit_at(c, c->pc);
        return;
    }
    if (fuel != 0) {
        x64_op(&c->b, X_W, 0x81, 5, x64_r(R13)); /* sub r13, fuel */
        x64_u32(&c->b, fuel);
        size_t j = x64_jcc(&c->b, CC_L);
        jump_to(c, target);
        /* out of fuel: a stub of our own (the exit is not at c->pc) */
        x64_patch(&c->b, j, c->b.n);
        exit_at(c, target);
        return;
    }
    jump_to(c, target);
}

/* Branch to target if condition `cc` holds (flags already set). */
static void
branch_if(ncomp_t *c, int cc, uint32_t target, uint32_t fuel)
{
    cache_flush(c); /* movs: the flags of the compare survive */
    if (fuel == 0) {
        jcc_to(c, cc, target);
        return;
    }
    size_t skip = x64_jcc(&c->b, cc ^ 1);
    take(c, target, fuel);
    x64_patch(&c->b, skip, c->b.n);
}

/* ------------------------------------------------------------------ */
/* Operand forms                                                       */

/* An operand: a frame slot or (fused _ri forms) an immediate. */
typedef struct opnd {
    bool imm;
    uint32_t v; /* slot index or the immediate word */
} opnd_t;

static opnd_t
in_slot(uint32_t s)
{
    return (opnd_t){false, s};
}

static opnd_t
in_imm(uint32_t v)
{
    return (opnd_t){true, v};
}

/* Forms of the fused ops (fused_ops.h), and each fused op's base op. */
enum {
    F_NONE, F_RR, F_RI, F_R, F_BR_RR, F_BRN_RR, F_BR_RI, F_BRN_RI, F_LDX,
    F_STX,
};

typedef struct fused_of {
    uint16_t base;
    uint8_t form;
} fused_of_t;

#define B_RR(X, name, T, OUT, e) [BR_OP_##name##_rr] = {BR_OP_##name, F_RR},
#define B_RI(X, name, T, OUT, e) [BR_OP_##name##_ri] = {BR_OP_##name, F_RI},
#define B_R(X, name, T, OUT, e) [BR_OP_##name##_r] = {BR_OP_##name, F_R},
#define B_BR(X, name, T, OUT, e)                                       \
    [BR_OP_br_##name##_rr] = {BR_OP_##name, F_BR_RR},                  \
    [BR_OP_brn_##name##_rr] = {BR_OP_##name, F_BRN_RR},                \
    [BR_OP_br_##name##_ri] = {BR_OP_##name, F_BR_RI},                  \
    [BR_OP_brn_##name##_ri] = {BR_OP_##name, F_BRN_RI},
#define B_LD(X, name, W_, CT, OUT, e) [BR_OP_##name##_x] = {BR_OP_##name, F_LDX},
#define B_ST(X, name, W_, CT) [BR_OP_##name##_x] = {BR_OP_##name, F_STX},

static const fused_of_t fused_of[BR_OP__COUNT] = {
    BRI_FUSE_ICMP(B_RR, _) BRI_FUSE_ICMP(B_RI, _) BRI_FUSE_ICMP(B_BR, _)
    BRI_FUSE_IARITH(B_RR, _) BRI_FUSE_IARITH(B_RI, _)
    BRI_FUSE_FBIN(B_RR, _) BRI_FUSE_UN(B_R, _)
    BRI_FUSE_LOAD(B_LD, _) BRI_FUSE_STORE(B_ST, _)
};

/* ------------------------------------------------------------------ */
/* Integer operations                                                  */

/* The condition code of an integer compare op, or -1. */
static int
icmp_cc(br_op_t op)
{
    switch (op) {
    case BR_OP_i32_eq: case BR_OP_i64_eq: return CC_E;
    case BR_OP_i32_ne: case BR_OP_i64_ne: return CC_NE;
    case BR_OP_i32_lt_s: case BR_OP_i64_lt_s: return CC_L;
    case BR_OP_i32_lt_u: case BR_OP_i64_lt_u: return CC_B;
    case BR_OP_i32_gt_s: case BR_OP_i64_gt_s: return CC_G;
    case BR_OP_i32_gt_u: case BR_OP_i64_gt_u: return CC_A;
    case BR_OP_i32_le_s: case BR_OP_i64_le_s: return CC_LE;
    case BR_OP_i32_le_u: case BR_OP_i64_le_u: return CC_BE;
    case BR_OP_i32_ge_s: case BR_OP_i64_ge_s: return CC_GE;
    case BR_OP_i32_ge_u: case BR_OP_i64_ge_u: return CC_AE;
    default: return -1;
    }
}

static bool
is_i64_op(br_op_t op)
{
    return bri_opinfo[op].name[1] == '6'; /* "i64_..." */
}

/* Loads operand `a` into rax and compares it with `b` (flags set). */
static void
emit_cmp(ncomp_t *c, bool w64, uint32_t a, opnd_t b)
{
    unsigned W = w64 ? X_W : 0;
    if (!b.imm && b.v != a && c->rax_slot == (int64_t)b.v &&
        c->rax_slot != -1) {
        x64_op(&c->b, W, 0x39, RAX, src(c, a)); /* cmp [a], rax: a - b */
        return;
    }
    ld_rax(c, a, W);
    if (b.imm) {
        x64_op(&c->b, W, 0x81, 7, x64_r(RAX));
        x64_u32(&c->b, b.v);
    } else {
        x64_op(&c->b, W, 0x3B, RAX, src(c, b.v));
    }
}

/* ALU ops of the `op r, r/m` (slot) and `81 /digit` (immediate) forms. */
typedef struct alu {
    br_op_t i32, i64;
    uint8_t opc, digit;
} alu_t;

static const alu_t alu_ops[] = {
    {BR_OP_i32_add, BR_OP_i64_add, 0x03, 0},
    {BR_OP_i32_or, BR_OP_i64_or, 0x0B, 1},
    {BR_OP_i32_and, BR_OP_i64_and, 0x23, 4},
    {BR_OP_i32_sub, BR_OP_i64_sub, 0x2B, 5},
    {BR_OP_i32_xor, BR_OP_i64_xor, 0x33, 6},
};

/* Shift and rotate ops: their /digit of C1 (imm8) and D3 (cl). */
static int
shift_digit(br_op_t op)
{
    switch (op) {
    case BR_OP_i32_rotl: case BR_OP_i64_rotl: return 0;
    case BR_OP_i32_rotr: case BR_OP_i64_rotr: return 1;
    case BR_OP_i32_shl: case BR_OP_i64_shl: return 4;
    case BR_OP_i32_shr_u: case BR_OP_i64_shr_u: return 5;
    case BR_OP_i32_shr_s: case BR_OP_i64_shr_s: return 7;
    default: return -1;
    }
}

/* Division: leaves for the interpreter on a zero divisor (trap) and,
 * signed, on -1 (INT_MIN / -1 traps, x % -1 is 0; idiv would fault). */
static bool
emit_div(ncomp_t *c, br_op_t op, uint32_t dst, uint32_t a, opnd_t b)
{
    bool w64 = is_i64_op(op);
    unsigned W = w64 ? X_W : 0;
    bool sgn, rem;
    switch (op) {
    case BR_OP_i32_div_s: case BR_OP_i64_div_s: sgn = true; rem = false; break;
    case BR_OP_i32_div_u: case BR_OP_i64_div_u: sgn = false; rem = false; break;
    case BR_OP_i32_rem_s: case BR_OP_i64_rem_s: sgn = true; rem = true; break;
    case BR_OP_i32_rem_u: case BR_OP_i64_rem_u: sgn = false; rem = true; break;
    default: return false;
    }
    if (b.imm)
        return false; /* no _ri form of division exists */
    ld_rax(c, a, W);
    x64_op(&c->b, W, 0x8B, RCX, src(c, b.v));
    x64_op(&c->b, W, 0x85, RCX, x64_r(RCX)); /* test rcx, rcx */
    exit_if(c, CC_E);
    if (sgn) {
        x64_op(&c->b, W, 0x83, 7, x64_r(RCX)); /* cmp rcx, -1 */
        x64_byte(&c->b, 0xFF);
        exit_if(c, CC_E);
        if (w64)
            x64_byte(&c->b, 0x48);
        x64_byte(&c->b, 0x99); /* cdq / cqo */
        x64_op(&c->b, W, 0xF7, 7, x64_r(RCX));
    } else {
        x64_op(&c->b, 0, 0x33, RDX, x64_r(RDX)); /* xor edx, edx */
        x64_op(&c->b, W, 0xF7, 6, x64_r(RCX));
    }
    c->rax_slot = -1; /* the division replaced it */
    st64(c, dst, rem ? RDX : RAX);
    return true;
}

/* The operand reading slot s: its cache register, rax when rax holds
 * it, else its memory. */
static x64_rm_t
opnd_rm(ncomp_t *c, uint32_t s)
{
    if (cache_find(c, s) < 0 && c->rax_slot == (int64_t)s)
        return x64_r(RAX);
    return src(c, s);
}

/* dst = a, 64 bits (W) or 32 zero-extended, into register d. */
static void
mov_to(ncomp_t *c, unsigned W, x64_reg_t d, x64_rm_t a)
{
    if (a.mem || a.base != d)
        x64_op(&c->b, W, 0x8B, d, a);
}

/*
 * dst = a OP b for add/sub/and/or/xor, mul and shifts, computed in
 * dst's cache register (no exit can follow, so it may be taken now);
 * false when b's slot is dst but a's is not (a would overwrite b) or
 * the op is not one of these.
 */
static bool
emit_ibin_reg(ncomp_t *c, br_op_t op, uint32_t dst, uint32_t a, opnd_t b)
{
    bool w64 = is_i64_op(op);
    unsigned W = w64 ? X_W : 0;
    if (!b.imm && b.v == dst && a != dst)
        return false;
    x64_buf_t *bf = &c->b;
    for (size_t i = 0; i < sizeof alu_ops / sizeof alu_ops[0]; i++) {
        if (op != alu_ops[i].i32 && op != alu_ops[i].i64)
            continue;
        x64_rm_t ra = opnd_rm(c, a);
        x64_rm_t rb = b.imm ? ra : opnd_rm(c, b.v);
        x64_reg_t d = dst_reg(c, dst);
        mov_to(c, W, d, ra);
        if (b.imm) {
            x64_op(bf, W, 0x81, alu_ops[i].digit, x64_r(d));
            x64_u32(bf, b.v);
        } else {
            x64_op(bf, W, alu_ops[i].opc, d, rb);
        }
        return true;
    }
    if (op == BR_OP_i32_mul || op == BR_OP_i64_mul) {
        x64_rm_t ra = opnd_rm(c, a);
        x64_rm_t rb = b.imm ? ra : opnd_rm(c, b.v);
        x64_reg_t d = dst_reg(c, dst);
        if (b.imm) {
            x64_op(bf, W, 0x69, d, ra); /* imul d, a, imm */
            x64_u32(bf, b.v);
        } else {
            mov_to(c, W, d, ra);
            x64_op(bf, W, 0x0FAF, d, rb);
        }
        return true;
    }
    int dg = shift_digit(op);
    if (dg < 0)
        return false;
    /* the CPU masks the count to 5 or 6 bits, as wasm does */
    x64_rm_t ra = opnd_rm(c, a);
    if (!b.imm)
        x64_op(bf, 0, 0x8B, RCX, opnd_rm(c, b.v));
    x64_reg_t d = dst_reg(c, dst);
    mov_to(c, W, d, ra);
    if (b.imm) {
        x64_op(bf, W, 0xC1, dg, x64_r(d));
        x64_byte(bf, (uint8_t)(b.v & (w64 ? 63u : 31u)));
    } else {
        x64_op(bf, W, 0xD3, dg, x64_r(d));
    }
    return true;
}

/* An integer binop dst = a OP b; false if it is not one. */
static bool
emit_ibin(ncomp_t *c, br_op_t op, uint32_t dst, uint32_t a, opnd_t b)
{
    int cc = icmp_cc(op);
    bool w64 = is_i64_op(op);
    unsigned W = w64 ? X_W : 0;
    if (cc >= 0) {
        emit_cmp(c, w64, a, b);
        x64_setcc(&c->b, cc, dst_reg(c, dst));
        return true;
    }
    if (emit_ibin_reg(c, op, dst, a, b))
        return true;
    for (size_t i = 0; i < sizeof alu_ops / sizeof alu_ops[0]; i++) {
        if (op != alu_ops[i].i32 && op != alu_ops[i].i64)
            continue;
        ld_rax(c, a, W);
        if (b.imm) {
            x64_op(&c->b, W, 0x81, alu_ops[i].digit, x64_r(RAX));
            x64_u32(&c->b, b.v);
        } else {
            x64_op(&c->b, W, alu_ops[i].opc, RAX, src(c, b.v));
        }
        c->rax_slot = -1;
        st64(c, dst, RAX);
        return true;
    }
    if (op == BR_OP_i32_mul || op == BR_OP_i64_mul) {
        ld_rax(c, a, W);
        x64_op(&c->b, W, 0x0FAF, RAX, src(c, b.v));
        c->rax_slot = -1;
        st64(c, dst, RAX);
        return true;
    }
    int d = shift_digit(op);
    if (d >= 0) {
        ld_rax(c, a, W);
        x64_op(&c->b, 0, 0x8B, RCX, src(c, b.v));
        x64_op(&c->b, W, 0xD3, d, x64_r(RAX));
        c->rax_slot = -1;
        st64(c, dst, RAX);
        return true;
    }
    return emit_div(c, op, dst, a, b);
}

/* Integer unary ops dst = OP a; false if it is not one. */
static bool
emit_iun(ncomp_t *c, br_op_t op, uint32_t dst, uint32_t a)
{
    x64_buf_t *b = &c->b;
    switch (op) {
    case BR_OP_i32_eqz:
    case BR_OP_i64_eqz:
        x64_op(b, op == BR_OP_i64_eqz ? X_W : 0, 0x83, 7, src(c, a));
        x64_byte(b, 0); /* cmp [a], 0 */
        x64_setcc(b, CC_E, RAX);
        break;
    case BR_OP_i32_clz:
    case BR_OP_i64_clz: {
        /* bsr leaves ZF set for 0: then 2w-1 xor (w-1) = w */
        unsigned W = op == BR_OP_i64_clz ? X_W : 0;
        x64_op(b, W, 0x0FBD, RAX, src(c, a));
        x64_mov_imm(b, RCX, W ? 127 : 63);
        x64_op(b, W, 0x0F44, RAX, x64_r(RCX)); /* cmovz */
        x64_op(b, W, 0x83, 6, x64_r(RAX));
        x64_byte(b, W ? 63 : 31); /* xor */
        break;
    }
    case BR_OP_i32_ctz:
    case BR_OP_i64_ctz: {
        unsigned W = op == BR_OP_i64_ctz ? X_W : 0;
        x64_op(b, W, 0x0FBC, RAX, src(c, a));
        x64_mov_imm(b, RCX, W ? 64 : 32);
        x64_op(b, W, 0x0F44, RAX, x64_r(RCX));
        break;
    }
    case BR_OP_i32_wrap_i64:
    case BR_OP_i64_extend_i32_u:
        ld32(c, RAX, a);
        break;
    case BR_OP_i64_extend_i32_s:
    case BR_OP_i64_extend32_s:
        x64_op(b, X_W, 0x63, RAX, src(c, a)); /* movsxd */
        break;
    case BR_OP_i32_extend8_s:
        /* X_B8: from a cache register, sil/dil, not dh/bh */
        x64_op(b, X_B8, 0x0FBE, RAX, src(c, a));
        break;
    case BR_OP_i32_extend16_s:
        x64_op(b, 0, 0x0FBF, RAX, src(c, a));
        break;
    case BR_OP_i64_extend8_s:
        x64_op(b, X_W, 0x0FBE, RAX, src(c, a));
        break;
    case BR_OP_i64_extend16_s:
        x64_op(b, X_W, 0x0FBF, RAX, src(c, a));
        break;
    case BR_OP_f32_abs:
    case BR_OP_f32_neg:
        ld32(c, RAX, a);
        x64_op(b, 0, 0x81, op == BR_OP_f32_abs ? 4 : 6, x64_r(RAX));
        x64_u32(b, op == BR_OP_f32_abs ? 0x7FFFFFFFu : 0x80000000u);
        break;
    case BR_OP_f64_abs:
    case BR_OP_f64_neg:
        ld64(c, RAX, a);
        x64_op(b, X_W, 0x0FBA, op == BR_OP_f64_abs ? 6 : 7, x64_r(RAX));
        x64_byte(b, 63); /* btr / btc rax, 63 */
        break;
    case BR_OP_i32_reinterpret_f32:
    case BR_OP_i64_reinterpret_f64:
    case BR_OP_f32_reinterpret_i32:
    case BR_OP_f64_reinterpret_i64:
        if (dst == a)
            return true;
        ld64(c, RAX, a);
        break;
    default:
        return false;
    }
    st64(c, dst, RAX);
    return true;
}

/* ------------------------------------------------------------------ */
/* Floating point (SSE2; the same instructions the C compiler uses for
 * the interpreter's handlers, so NaN bits come out the same)           */

typedef struct fop {
    br_op_t f32, f64;
    uint32_t opc;
} fop_t;

static const fop_t farith[] = {
    {BR_OP_f32_add, BR_OP_f64_add, 0x0F58},
    {BR_OP_f32_mul, BR_OP_f64_mul, 0x0F59},
    {BR_OP_f32_sub, BR_OP_f64_sub, 0x0F5C},
    {BR_OP_f32_div, BR_OP_f64_div, 0x0F5E},
};

/* Slot dst = xmm0 (f32: its low 32 bits, zero-extended). */
static void
st_xmm0(ncomp_t *c, uint32_t dst, bool f64)
{
    x64_reg_t d = dst_reg(c, dst);
    x64_op(&c->b, X_66 | (f64 ? X_W : 0), 0x0F7E, 0, x64_r(d)); /* movd/q */
}

/* The operand reading slot s for an SSE instruction: its memory, or
 * xmm `x` loaded from its cache register (movq; an f32 slot's upper
 * bits are zero, and scalar ops read the low lane only). */
static x64_rm_t
xsrc(ncomp_t *c, uint32_t s, int x)
{
    int k = cache_find(c, s);
    if (k < 0)
        return slot(s);
    c->cache[k].used = ++c->tick;
    x64_op(&c->b, X_66 | X_W, 0x0F6E, x, x64_r(cache_regs[k]));
    return x64_r((x64_reg_t)x);
}

static void
ld_xmm0(ncomp_t *c, uint32_t s, bool f64)
{
    x64_rm_t at = xsrc(c, s, 0);
    if (at.mem)
        x64_op(&c->b, f64 ? X_F2 : X_F3, 0x0F10, 0, at); /* movss/sd */
}

static bool
emit_fbin(ncomp_t *c, br_op_t op, uint32_t dst, uint32_t a, uint32_t b)
{
    for (size_t i = 0; i < sizeof farith / sizeof farith[0]; i++) {
        if (op != farith[i].f32 && op != farith[i].f64)
            continue;
        bool f64 = op == farith[i].f64;
        ld_xmm0(c, a, f64);
        x64_op(&c->b, f64 ? X_F2 : X_F3, farith[i].opc, 0, xsrc(c, b, 1));
        st_xmm0(c, dst, f64);
        return true;
    }
    /* compares: ucomis sets ZF, PF and CF all for unordered */
    bool f64 = bri_opinfo[op].name[1] == '6';
    bool swap = false;
    int cc;
    switch (op) {
    case BR_OP_f32_eq: case BR_OP_f64_eq: cc = CC_E; break;
    case BR_OP_f32_ne: case BR_OP_f64_ne: cc = CC_NE; break;
    case BR_OP_f32_gt: case BR_OP_f64_gt: cc = CC_A; break;
    case BR_OP_f32_ge: case BR_OP_f64_ge: cc = CC_AE; break;
    case BR_OP_f32_lt: case BR_OP_f64_lt: cc = CC_A; swap = true; break;
    case BR_OP_f32_le: case BR_OP_f64_le: cc = CC_AE; swap = true; break;
    default: return false;
    }
    ld_xmm0(c, swap ? b : a, f64);
    x64_op(&c->b, f64 ? X_66 : 0, 0x0F2E, 0, xsrc(c, swap ? a : b, 1));
    x64_setcc(&c->b, cc, RAX);
    if (cc == CC_E || cc == CC_NE) {
        /* eq: ZF and not PF; ne: not ZF or PF */
        x64_setcc(&c->b, cc == CC_E ? CC_NP : CC_P, RCX);
        x64_op(&c->b, 0, cc == CC_E ? 0x23 : 0x0B, RAX, x64_r(RCX));
    }
    st64(c, dst, RAX);
    return true;
}

static bool
emit_fun(ncomp_t *c, br_op_t op, uint32_t dst, uint32_t a)
{
    x64_buf_t *b = &c->b;
    switch (op) {
    case BR_OP_f32_sqrt:
        x64_op(b, X_F3, 0x0F51, 0, xsrc(c, a, 0));
        st_xmm0(c, dst, false);
        return true;
    case BR_OP_f64_sqrt:
        x64_op(b, X_F2, 0x0F51, 0, xsrc(c, a, 0));
        st_xmm0(c, dst, true);
        return true;
    case BR_OP_f32_convert_i32_s:
    case BR_OP_f64_convert_i32_s:
        /* clear xmm0 first: cvtsi2s* only writes its low lane */
        x64_op(b, 0, 0x0F57, 0, x64_r(0)); /* xorps xmm0, xmm0 */
        x64_op(b, op == BR_OP_f32_convert_i32_s ? X_F3 : X_F2, 0x0F2A, 0,
               src(c, a));
        st_xmm0(c, dst, op == BR_OP_f64_convert_i32_s);
        return true;
    case BR_OP_f32_convert_i32_u:
    case BR_OP_f64_convert_i32_u:
    case BR_OP_f64_convert_i64_s:
        /* a u32 converts exactly as the i64 it zero-extends to */
        x64_op(b, 0, 0x0F57, 0, x64_r(0));
        if (op == BR_OP_f64_convert_i64_s)
            ld64(c, RAX, a);
        else
            ld32(c, RAX, a);
        x64_op(b, (op == BR_OP_f32_convert_i32_u ? X_F3 : X_F2) | X_W, 0x0F2A,
               0, x64_r(RAX));
        st_xmm0(c, dst, op != BR_OP_f32_convert_i32_u);
        return true;
    case BR_OP_f32_demote_f64:
        x64_op(b, X_F2, 0x0F5A, 0, xsrc(c, a, 0));
        st_xmm0(c, dst, false);
        return true;
    case BR_OP_f64_promote_f32:
        x64_op(b, X_F3, 0x0F5A, 0, xsrc(c, a, 0));
        st_xmm0(c, dst, true);
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------ */
/* Memory                                                              */

/* Width, signedness and result width of a load op (0: not a load). */
static unsigned
load_width(br_op_t op, bool *sgn, bool *to64)
{
    *sgn = false;
    *to64 = bri_opinfo[op].name[1] == '6';
    switch (op) {
    case BR_OP_i32_load8_s: case BR_OP_i64_load8_s: *sgn = true; return 1;
    case BR_OP_i32_load8_u: case BR_OP_i64_load8_u: return 1;
    case BR_OP_i32_load16_s: case BR_OP_i64_load16_s: *sgn = true; return 2;
    case BR_OP_i32_load16_u: case BR_OP_i64_load16_u: return 2;
    case BR_OP_i64_load32_s: *sgn = true; return 4;
    case BR_OP_i32_load: case BR_OP_f32_load: case BR_OP_i64_load32_u:
        return 4;
    case BR_OP_i64_load: case BR_OP_f64_load: return 8;
    default: return 0;
    }
}

static unsigned
store_width(br_op_t op)
{
    switch (op) {
    case BR_OP_i32_store8: case BR_OP_i64_store8: return 1;
    case BR_OP_i32_store16: case BR_OP_i64_store16: return 2;
    case BR_OP_i32_store: case BR_OP_f32_store: case BR_OP_i64_store32:
        return 4;
    case BR_OP_i64_store: case BR_OP_f64_store: return 8;
    default: return 0;
    }
}

/*
 * The operand of a `width`-byte access at slot `addr` plus `off`,
 * leaving for the interpreter (which traps) unless all of it lies in
 * memory 0, exactly mem_at's test. A memory32 address and offset are
 * below 2^32, so their sum plus the width cannot wrap (a memory64 sum
 * is checked for the carry); when the offset fits a displacement it
 * goes into the operand ([r14 + rax + off]) and rax keeps the address
 * slot's value. Clobbers rcx, rdx.
 */
static bool
ea_fast(const ncomp_t *c, uint64_t off, unsigned width)
{
    (void)c;
    return off + width <= (uint64_t)INT32_MAX;
}

/* [r14 + a + off]: memory 0 at the address in a plus the offset. */
static x64_rm_t
ea_operand(x64_reg_t a, uint64_t off)
{
    x64_rm_t at = x64_mi(R14, a);
    at.disp = (int32_t)off;
    return at;
}

static x64_rm_t
emit_ea(ncomp_t *c, uint32_t addr, uint64_t off, unsigned width)
{
    x64_buf_t *b = &c->b;
    if (ea_fast(c, off, width)) {
        /* the address from its cache register, else from rax when it
         * holds it, else loaded into a cache register (clean): base
         * addresses are read again and again */
        x64_reg_t a = RAX;
        int k = cache_find(c, addr);
        if (k < 0 && c->rax_slot != (int64_t)addr) {
            k = cache_take(c, addr); /* clean: cache_take cleared it */
            x64_op(b, X_W, 0x8B, cache_regs[k], slot(addr));
        }
        if (k >= 0) {
            a = cache_regs[k];
            c->cache[k].used = ++c->tick;
            if (c->cache[k].checked >= off + width)
                return ea_operand(a, off); /* in bounds: proved above */
        }
        if (c->mem64) {
            /* rdx = a + off + width, leaving when it wraps */
            x64_op(b, X_W, 0x8B, RDX, x64_r(a));
            x64_op(b, X_W, 0x81, 0, x64_r(RDX)); /* add rdx, imm32 */
            x64_u32(b, (uint32_t)(off + width));
            exit_if(c, CC_B);
        } else {
            x64_op(b, X_W, 0x8D, RDX, x64_m(a, (int32_t)(off + width)));
        }
        x64_op(b, X_W, 0x3B, RDX, x64_r(R15)); /* cmp rdx, r15 */
        exit_if(c, CC_A);
        if (k >= 0)
            c->cache[k].checked = (uint32_t)(off + width);
        return ea_operand(a, off);
    }
    ld_rax(c, addr, X_W);
    c->rax_slot = -1; /* becomes the address */
    if (!c->mem64) {
        x64_mov_imm(b, RCX, off);
        x64_op(b, X_W, 0x03, RAX, x64_r(RCX)); /* add rax, rcx */
        x64_op(b, X_W, 0x8D, RDX, x64_m(RAX, (int32_t)width)); /* lea */
        x64_op(b, X_W, 0x3B, RDX, x64_r(R15));                 /* cmp */
        exit_if(c, CC_A);
        return x64_mi(R14, RAX);
    }
    if (off != 0) {
        x64_mov_imm(b, RCX, off);
        x64_op(b, X_W, 0x03, RAX, x64_r(RCX));
        exit_if(c, CC_B); /* carry: the sum wrapped */
    }
    x64_op(b, X_W, 0x8B, RDX, x64_r(R15)); /* rdx = ms - ea */
    x64_op(b, X_W, 0x2B, RDX, x64_r(RAX));
    exit_if(c, CC_B);
    x64_op(b, X_W, 0x83, 7, x64_r(RDX));
    x64_byte(b, (uint8_t)width);
    exit_if(c, CC_B);
    return x64_mi(R14, RAX);
}

static bool
emit_load(ncomp_t *c, br_op_t op, uint32_t dst, uint32_t addr, uint32_t mem,
          uint64_t off)
{
    bool sgn, to64;
    unsigned width = load_width(op, &sgn, &to64);
    if (width == 0 || mem != 0)
        return false;
    x64_rm_t at = emit_ea(c, addr, off, width);
    unsigned W = to64 ? X_W : 0;
    /* straight into dst's cache register, after the bounds check */
    x64_reg_t d = dst_reg(c, dst);
    switch (width) {
    case 1:
        x64_op(&c->b, sgn ? W : 0, sgn ? 0x0FBE : 0x0FB6, d, at);
        break;
    case 2:
        x64_op(&c->b, sgn ? W : 0, sgn ? 0x0FBF : 0x0FB7, d, at);
        break;
    case 4:
        if (sgn)
            x64_op(&c->b, X_W, 0x63, d, at);
        else
            x64_op(&c->b, 0, 0x8B, d, at);
        break;
    default:
        x64_op(&c->b, X_W, 0x8B, d, at);
        break;
    }
    return true;
}

static bool
emit_store(ncomp_t *c, br_op_t op, uint32_t val, uint32_t addr, uint32_t mem,
           uint64_t off)
{
    unsigned width = store_width(op);
    if (width == 0 || mem != 0)
        return false;
    /* the value from its cache register (emit_ea leaves those alone),
     * else from rcx: kept from rax when the value was just computed
     * there (emit_ea's fast path leaves rcx alone), or loaded */
    x64_reg_t v = RCX;
    int k = cache_find(c, val);
    bool in_rax = c->rax_slot == (int64_t)val && ea_fast(c, off, width);
    if (k >= 0) {
        v = cache_regs[k];
        c->cache[k].used = ++c->tick;
    } else if (in_rax) {
        x64_op(&c->b, X_W, 0x8B, RCX, x64_r(RAX));
    }
    x64_rm_t at = emit_ea(c, addr, off, width);
    if (k < 0 && !in_rax)
        ld64(c, RCX, val);
    switch (width) {
    case 1:
        x64_op(&c->b, X_B8, 0x88, v, at);
        break;
    case 2:
        x64_op(&c->b, X_66, 0x89, v, at);
        break;
    case 4:
        x64_op(&c->b, 0, 0x89, v, at);
        break;
    default:
        x64_op(&c->b, X_W, 0x89, v, at);
        break;
    }
    return true; /* rax_slot: as emit_ea left it */
}

#include "x64_simd.h"
#include "x64_more.h"

/* ------------------------------------------------------------------ */
/* Variables, constants, control                                       */

static bool
emit_global(ncomp_t *c, bool set, uint32_t s, uint32_t index)
{
    br_valkind_t k = c->m->globals[index].kind;
    if (k != BR_I32 && k != BR_F32 && k != BR_I64 && k != BR_F64)
        return false; /* references and v128: the interpreter */
    bool w32 = k == BR_I32 || k == BR_F32;
    x64_buf_t *b = &c->b;
    x64_op(b, X_W, 0x8B, RDX,
           x64_m(RBP, (int32_t)offsetof(br_instance_t, globals)));
    x64_op(b, X_W, 0x8B, RDX, x64_m(RDX, (int32_t)(index * 8u)));
    x64_rm_t v = x64_m(RDX, (int32_t)offsetof(br_global_t, val.of));
    if (set) {
        /* as bri_slot_to_val: the value's u64 holds the zero-extended
         * i32/f32 bits, or all 64 */
        if (w32)
            ld32(c, RAX, s);
        else
            ld64(c, RAX, s);
        x64_op(b, X_W, 0x89, RAX, v);
        c->rax_slot = -1;
    } else {
        x64_op(b, w32 ? 0 : X_W, 0x8B, RAX, v);
        st64(c, s, RAX);
    }
    return true;
}

static void
emit_copy(ncomp_t *c, uint32_t dst, uint32_t from)
{
    if (dst == from)
        return;
    x64_rm_t v = opnd_rm(c, from);
    mov_to(c, X_W, dst_reg(c, dst), v);
}

/* move [move, dst, src, n]: slot by slot in memmove's order. */
static bool
emit_move(ncomp_t *c, uint32_t dst, uint32_t src, uint32_t n)
{
    if (n > 16)
        return false;
    if (n == 2) {
        /* a v128 moves whole (movdqu): two 8-byte stores would stall
         * the 16-byte load of the SIMD handler that reads it next */
        flush_slot(c, src + 1);
        x64_op(&c->b, X_F3, 0x0F6F, 0, flush_slot(c, src));
        x64_op(&c->b, X_F3, 0x0F7F, 0, slot(dst));
        cache_drop(c, dst, 2);
        return true;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = dst <= src ? i : n - 1 - i;
        emit_copy(c, dst + k, src + k);
    }
    return true;
}

static bool
emit_const(ncomp_t *c, uint32_t s, uint64_t v)
{
    x64_mov_imm(&c->b, dst_reg(c, s), v);
    return true;
}

/* ------------------------------------------------------------------ */
/* Wasm calls and returns                                              */

#define FRAME_SIZE ((int32_t)sizeof(bri_frame_t))
#define FR(field) ((int32_t)offsetof(bri_frame_t, field))
#define EX(field) ((int32_t)offsetof(br_exec_t, field))

/* The registers a call sequence hands the callee's call entry
 * (emit_callee_frame): r11 the entry, r10 the callee's br_func_t, eax
 * the call's own pc (where a refused call leaves: the interpreter then
 * makes it), rcx the caller's return pc (a pointer into its words). */

/* r11 = the callee's bri_native_t (or NULL): r11 = its call entry, or
 * leave for the interpreter when it has no machine code (yet) or no
 * call entry. */
static void
emit_call_text_or_exit(ncomp_t *c)
{
    x64_buf_t *b = &c->b;
    x64_op(b, X_W, 0x85, R11, x64_r(R11));
    exit_if(c, CC_E);
    x64_op(b, X_W, 0x8B, R11,
           x64_m(R11, (int32_t)offsetof(bri_native_t, call_text)));
    x64_op(b, X_W, 0x85, R11, x64_r(R11));
    exit_if(c, CC_E);
}

/* Runs the callee's call entry (r11, r10 its func) with rbx at its
 * slots; `len` is the call instruction's length in words. */
static void
emit_call_entry(ncomp_t *c, uint32_t cs, uint32_t len)
{
    x64_buf_t *b = &c->b;
    x64_mov_imm(b, RAX, c->pc);
    x64_mov_imm(b, RCX, (uint64_t)(uintptr_t)(c->code->words + c->pc + len));
    x64_op(b, X_W, 0x81, 0, x64_r(RBX)); /* add rbx, cs*8 */
    x64_u32(b, cs * 8u);
    x64_op(b, 0, 0xFF, 2, x64_r(R11));   /* call r11 */
    x64_op(b, X_W, 0x81, 5, x64_r(RBX)); /* sub rbx, cs*8 */
    x64_u32(b, cs * 8u);
    c->rax_slot = -1;
}

/*
 * call [call, cs, func] of a function of this module whose machine code
 * starts at pc 0: calls its call entry, which pushes its frame exactly
 * as bri_frame_push does (emit_callee_frame: the part every call of it
 * would repeat is written once, there). Anything unusual leaves for the
 * interpreter before a byte of state is written: an import or a callee
 * without machine code yet here, the nesting limit or a full frame
 * array or value stack in the call entry (the interpreter grows them or
 * traps). The callee returns here only through emit_ret, with its frame
 * popped.
 */
static bool
emit_call(ncomp_t *c, uint32_t cs, uint32_t idx)
{
    const br_module_t *m = c->m;
    if (idx < m->func_import_count || idx >= m->func_count ||
        idx > (uint32_t)INT32_MAX / 8u || cs > (uint32_t)INT32_MAX / 8u)
        return false;
    const bri_code_t *callee = &m->funcs[idx].code;
    x64_buf_t *b = &c->b;
    cache_reset(c); /* the callee's frame overlaps this one's slots */
    /* r11 = the callee's call entry */
    x64_mov_imm(b, R11, (uint64_t)(uintptr_t)&callee->native);
    x64_op(b, X_W, 0x8B, R11, x64_m(R11, 0));
    emit_call_text_or_exit(c);
    x64_op(b, X_W, 0x8B, R10,
           x64_m(RBP, (int32_t)offsetof(br_instance_t, funcs)));
    x64_op(b, X_W, 0x8B, R10, x64_m(R10, (int32_t)(idx * 8u)));
    emit_call_entry(c, cs, 3);
    return true;
}

/* Locals beyond the parameters start at zero (bri_frame_push); rbx at
 * the frame's slots. */
static void
emit_zero_locals(ncomp_t *c, uint32_t from, uint32_t n)
{
    x64_buf_t *b = &c->b;
    if (n <= 8) {
        x64_op(b, 0, 0x33, R8, x64_r(R8)); /* xor r8d, r8d */
        for (uint32_t i = 0; i < n; i++)
            x64_op(b, X_W, 0x89, R8, slot(from + i));
        return;
    }
    x64_op(b, X_W, 0x8D, RDI, slot(from)); /* lea rdi, [rbx + from*8] */
    x64_mov_imm(b, RCX, n);
    x64_op(b, 0, 0x33, RAX, x64_r(RAX));
    x64_byte(b, 0xF3); /* rep stosq */
    x64_byte(b, 0x48);
    x64_byte(b, 0xAB);
}

/* Whether this function's frame push fits the call entry's encodings
 * (32-bit displacements); else calls of it go through the interpreter. */
static bool
callee_frame_fits(const bri_code_t *code)
{
    return code->frame_slots <= (uint32_t)INT32_MAX &&
           code->local_slots <= (uint32_t)INT32_MAX / 8u;
}

/* A refused call leaves from the call entry at the caller's pc (eax),
 * in the caller's frame: nothing is written yet. */
static void
leave_if(ncomp_t *c, int cc)
{
    x64_patch(&c->b, x64_jcc(&c->b, cc), c->epilogue);
}

/*
 * The start of the call entry (emit_stubs): the frame push of a wasm
 * call from machine code, once per callee instead of at every call
 * site. With rbx at the new frame's slots (the caller added its cs),
 * it checks the nesting limit, the frame array and the value stack
 * (leaving with the caller's pc in eax when one is full), then writes
 * the caller's return pc (rcx) and this function's frame exactly as
 * bri_frame_push does (func from r10, rbp the instance, memory 0 the
 * caller's) and zeroes its locals.
 */
static void
emit_callee_frame(ncomp_t *c)
{
    x64_buf_t *b = &c->b;
    const bri_code_t *code = c->code;
    x64_op(b, X_W, 0x3B, RSP, x64_m(R12, LIMIT_AT)); /* nesting */
    leave_if(c, CC_BE);
    x64_op(b, X_W, 0x8B, RDX, x64_m(R12, EXEC_AT));
    x64_op(b, 0, 0x8B, R8, x64_m(RDX, EX(frame_count)));
    x64_op(b, 0, 0x3B, R8, x64_m(RDX, EX(frame_cap)));
    leave_if(c, CC_AE);
    /* rdi = base = (rbx - stack) / 8; base + frame_slots <= stack_cap */
    x64_op(b, X_W, 0x8B, RDI, x64_r(RBX));
    x64_op(b, X_W, 0x2B, RDI, x64_m(RDX, EX(stack)));
    x64_op(b, X_W, 0xC1, 5, x64_r(RDI)); /* shr rdi, 3 */
    x64_byte(b, 3);
    x64_op(b, X_W, 0x8D, R9, x64_m(RDI, (int32_t)code->frame_slots));
    x64_op(b, 0, 0x8B, R11, x64_m(RDX, EX(stack_cap)));
    x64_op(b, X_W, 0x3B, R9, x64_r(R11));
    leave_if(c, CC_A);
    /* rsi = &frames[frame_count]: from here on it is the call */
    x64_op(b, 0, 0x69, RSI, x64_r(R8)); /* imul esi, r8d, size */
    x64_u32(b, (uint32_t)FRAME_SIZE);
    x64_op(b, X_W, 0x03, RSI, x64_m(RDX, EX(frames)));
    x64_op(b, X_W, 0x89, RCX, x64_m(RSI, FR(pc) - FRAME_SIZE));
    x64_op(b, 0, 0x89, RDI, x64_m(RSI, FR(base)));
    x64_op(b, X_W, 0x8B, R9, x64_m(RSI, FR(mem0) - FRAME_SIZE));
    x64_op(b, X_W, 0x89, R9, x64_m(RSI, FR(mem0)));
    x64_op(b, X_W, 0x89, RBP, x64_m(RSI, FR(inst)));
    x64_op(b, X_W, 0x89, R10, x64_m(RSI, FR(func)));
    x64_mov_imm(b, R9, (uint64_t)(uintptr_t)code);
    x64_op(b, X_W, 0x89, R9, x64_m(RSI, FR(code)));
    x64_mov_imm(b, R9, (uint64_t)(uintptr_t)code->words);
    x64_op(b, X_W, 0x89, R9, x64_m(RSI, FR(pc)));
    x64_op(b, 0, 0xFF, 0, x64_r(R8)); /* inc r8d */
    x64_op(b, 0, 0x89, R8, x64_m(RDX, EX(frame_count)));
    emit_zero_locals(c, code->param_slots,
                     code->local_slots - code->param_slots);
}

/*
 * call_indirect [op, s, type, table], as indirect_callee checks it,
 * when the element is a function of this instance with machine code at
 * pc 0 and the very type object expected; every other case (traps
 * included) leaves for the interpreter, which decides.
 */
static bool
emit_call_indirect(ncomp_t *c, uint32_t cs, uint32_t type, uint32_t table)
{
    const br_module_t *m = c->m;
    if (type >= m->type_count || table > (uint32_t)INT32_MAX / 8u ||
        cs > (uint32_t)INT32_MAX / 16u)
        return false;
    const br_functype_t *ft = &m->types[type];
    x64_buf_t *b = &c->b;
    cache_reset(c); /* the callee's frame overlaps this one's slots */
    /* r10 = tables[table]->elems[S[cs + params]] */
    x64_op(b, X_W, 0x8B, R10,
           x64_m(RBP, (int32_t)offsetof(br_instance_t, tables)));
    x64_op(b, X_W, 0x8B, R10, x64_m(R10, (int32_t)(table * 8u)));
    ld64(c, RAX, cs + bri_param_slots(ft));
    x64_op(b, X_W, 0x3B, RAX,
           x64_m(R10, (int32_t)offsetof(br_table_t, size)));
    exit_if(c, CC_AE);
    x64_op(b, X_W, 0x8B, R10,
           x64_m(R10, (int32_t)offsetof(br_table_t, elems)));
    x64_op(b, X_W, 0xC1, 4, x64_r(RAX)); /* shl rax, 3 */
    x64_byte(b, 3);
    c->rax_slot = -1;
    x64_op(b, X_W, 0x8B, R10, x64_mi(R10, RAX));
    x64_op(b, X_W, 0x85, R10, x64_r(R10));
    exit_if(c, CC_E);
    x64_mov_imm(b, RAX, (uint64_t)(uintptr_t)ft);
    x64_op(b, X_W, 0x3B, RAX, x64_m(R10, (int32_t)offsetof(br_func_t, type)));
    exit_if(c, CC_NE);
    x64_op(b, X_W, 0x3B, RBP, x64_m(R10, (int32_t)offsetof(br_func_t, inst)));
    exit_if(c, CC_NE);
    /* r11 = its code's call entry */
    x64_op(b, X_W, 0x8B, R11, x64_m(R10, (int32_t)offsetof(br_func_t, code)));
    x64_op(b, X_W, 0x8B, R11,
           x64_m(R11, (int32_t)offsetof(bri_code_t, native)));
    emit_call_text_or_exit(c);
    emit_call_entry(c, cs, 4);
    return true;
}

/*
 * ret [ret, rs, rn]: in a frame that a call in machine code pushed,
 * moves the results down to slot 0, pops the frame and returns to the
 * caller's machine code (as the interpreter's return does, which reloads
 * nothing a callee in machine code can change). In the frame the
 * interpreter entered, it leaves: the interpreter returns.
 */
static bool
emit_ret(ncomp_t *c, uint32_t rs, uint32_t rn)
{
    if (rn > 16)
        return false;
    x64_buf_t *b = &c->b;
    x64_op(b, X_W, 0x3B, RSP, x64_r(R12));
    exit_if(c, CC_E);
    for (uint32_t i = 0; i < rn; i++)
        emit_copy(c, i, rs + i);
    cache_flush(c); /* the caller reads the results from the slots */
    x64_op(b, X_W, 0x8B, RDX, x64_m(R12, EXEC_AT));
    x64_op(b, 0, 0x83, 5, x64_m(RDX, EX(frame_count))); /* sub [], 1 */
    x64_byte(b, 1);
    x64_byte(b, 0xC3); /* ret */
    c->rax_slot = -1;
    return true;
}

/* Fused compare-and-branch ops and jz/jnz. */
static bool
emit_fused_branch(ncomp_t *c, br_op_t base, int form, const uint32_t *w)
{
    int cc = icmp_cc(base);
    if (cc < 0)
        return false;
    opnd_t b = form == F_BR_RR || form == F_BRN_RR ? in_slot(w[2])
                                                   : in_imm(w[2]);
    emit_cmp(c, is_i64_op(base), w[1], b);
    if (form == F_BRN_RR || form == F_BRN_RI)
        cc ^= 1;
    branch_if(c, cc, w[3], w[4]);
    return true;
}

static bool
emit_fused(ncomp_t *c, br_op_t op, const uint32_t *w)
{
    br_op_t base = (br_op_t)fused_of[op].base;
    switch (fused_of[op].form) {
    case F_RR:
        if (emit_ibin(c, base, w[1], w[2], in_slot(w[3])))
            return true;
        return emit_fbin(c, base, w[1], w[2], w[3]);
    case F_RI:
        return emit_ibin(c, base, w[1], w[2], in_imm(w[3]));
    case F_R:
        return emit_iun(c, base, w[1], w[2]) || emit_fun(c, base, w[1], w[2]);
    case F_BR_RR:
    case F_BRN_RR:
    case F_BR_RI:
    case F_BRN_RI:
        return emit_fused_branch(c, base, fused_of[op].form, w);
    case F_LDX:
        return emit_load(c, base, w[1], w[2], w[3],
                         w[4] | (uint64_t)w[5] << 32);
    case F_STX:
        return emit_store(c, base, w[1], w[2], w[3],
                          w[4] | (uint64_t)w[5] << 32);
    default:
        return false;
    }
}

/* The instruction at c->w; false: the interpreter runs it. */
static bool
emit_insn(ncomp_t *c)
{
    const uint32_t *w = c->w;
    br_op_t op = (br_op_t)w[0];
    x64_buf_t *b = &c->b;
    if (fused_of[op].form != F_NONE)
        return emit_fused(c, op, w);
    switch (op) {
    case BR_OP_move:
        return emit_move(c, w[1], w[2], w[3]);
    case BR_OP_local_get:
        emit_copy(c, w[1], w[2]);
        return true;
    case BR_OP_local_set:
    case BR_OP_local_tee:
        emit_copy(c, w[2], w[1]);
        return true;
    case BR_OP_i32_const:
    case BR_OP_f32_const:
        return emit_const(c, w[1], w[2]);
    case BR_OP_i64_const:
    case BR_OP_f64_const:
        return emit_const(c, w[1], w[2] | (uint64_t)w[3] << 32);
    case BR_OP_ref_null:
        return emit_const(c, w[1], 0);
    case BR_OP_ref_is_null:
        x64_op(b, X_W, 0x83, 7, src(c, w[1]));
        x64_byte(b, 0);
        x64_setcc(b, CC_E, RAX);
        st64(c, w[1], RAX);
        return true;
    case BR_OP_global_get:
        return emit_global(c, false, w[1], w[2]);
    case BR_OP_global_set:
        return emit_global(c, true, w[1], w[2]);
    case BR_OP_select:
    case BR_OP_select_t: {
        /* without a branch, so the slot cache is the same after it */
        ld_rax(c, w[1], X_W);
        x64_op(b, 0, 0x83, 7, src(c, w[1] + 2));
        x64_byte(b, 0);
        x64_op(b, X_W, 0x0F44, RAX, src(c, w[1] + 1)); /* cmove */
        c->rax_slot = -1;
        st64(c, w[1], RAX);
        return true;
    }
    case BR_OP_call:
        return emit_call(c, w[1], w[2]);
    case BR_OP_call_indirect:
        return emit_call_indirect(c, w[1], w[2], w[3]);
    case BR_OP_ret:
        return emit_ret(c, w[1], w[2]);
    case BR_OP_jump:
        jump_to(c, w[1]);
        return true;
    case BR_OP_jump_back:
        take(c, w[1], w[2]);
        return true;
    case BR_OP_jump_table:
        return emit_jump_table(c, w);
    case BR_OP_jump_if:
    case BR_OP_jump_unless:
    case BR_OP_jump_if_back:
        x64_op(b, 0, 0x83, 7, src(c, w[1]));
        x64_byte(b, 0);
        branch_if(c, op == BR_OP_jump_unless ? CC_E : CC_NE, w[2],
                  op == BR_OP_jump_if_back ? w[3] : 0);
        return true;
    case BR_OP_jz:
    case BR_OP_jnz:
        x64_op(b, X_W, 0x83, 7, src(c, w[1]));
        x64_byte(b, 0);
        branch_if(c, op == BR_OP_jz ? CC_E : CC_NE, w[2], w[3]);
        return true;
    default:
        break;
    }
    const bri_opinfo_t *info = &bri_opinfo[op];
    if (info->prefix == 0xFD) {
        cache_reset(c); /* SIMD ops read and write slots as memory */
        return emit_simd(c, op);
    }
    if (info->sig[0] == '*')
        return false;
    /* simple ops [op, s] and plain loads/stores [op, s, mem, off] */
    uint32_t s = w[1];
    if (info->imm == BR_IMM_MEMARG) {
        uint64_t off = w[3] | (uint64_t)w[4] << 32;
        if (load_width(op, &(bool){0}, &(bool){0}) != 0)
            return emit_load(c, op, s, s, w[2], off);
        return emit_store(c, op, s + 1, s, w[2], off);
    }
    if (info->imm != BR_IMM_NONE)
        return false;
    return emit_ibin(c, op, s, s, in_slot(s + 1)) ||
           emit_iun(c, op, s, s) || emit_fbin(c, op, s, s, s + 1) ||
           emit_fun(c, op, s, s);
}

/* ------------------------------------------------------------------ */
/* Function layout                                                     */

/* Entry stub (offset 0), the shared exit sequence after it, then the
 * call entry (bri_native_t.call_text): a wasm call from machine code
 * pushes this function's frame there (emit_callee_frame), charges its
 * unit of fuel, as the interpreter does after it pushed the frame, and
 * goes on at pc 0 (or leaves there when out). */
static void
emit_stubs(ncomp_t *c)
{
    x64_buf_t *b = &c->b;
    static const uint8_t push[] = {
        0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57,
    };
    for (size_t i = 0; i < sizeof push; i++)
        x64_byte(b, push[i]);
    x64_op(b, X_W, 0x83, 5, x64_r(RSP)); /* sub rsp, LOCALS */
    x64_byte(b, LOCALS);
    x64_op(b, X_W, 0x8B, RBX, x64_r(RDI));           /* rbx = S */
    x64_op(b, X_W, 0x8B, R12, x64_r(RSP));           /* r12 = rsp */
    x64_op(b, X_W, 0x89, RSI, x64_m(RSP, CTX_AT));   /* the context */
    x64_op(b, X_W, 0x8B, RAX, x64_m(RSI, 8));        /* ctx->exec */
    x64_op(b, X_W, 0x89, RAX, x64_m(RSP, EXEC_AT));
    /* the callee's call entry checks it, below the return address its
     * call pushed: one word lower than BRI_NATIVE_NEST return addresses */
    x64_op(b, X_W, 0x8D, RAX,
           x64_m(RSP, -(int32_t)(BRI_NATIVE_NEST * 8u + 8u))); /* lea */
    x64_op(b, X_W, 0x89, RAX, x64_m(RSP, LIMIT_AT));
    x64_op(b, X_W, 0x8B, R13, x64_m(RSI, 0));        /* ctx->fuel */
    x64_op(b, X_W, 0x8B, R14, x64_r(RDX));
    x64_op(b, X_W, 0x8B, R15, x64_r(RCX));
    x64_op(b, X_W, 0x8B, RBP, x64_r(R8));
    x64_op(b, 0, 0xFF, 4, x64_r(R9)); /* jmp r9 */
    c->epilogue = b->n;
    x64_op(b, X_W, 0x8B, RSP, x64_r(R12));
    x64_op(b, X_W, 0x8B, RCX, x64_m(RSP, CTX_AT));
    x64_op(b, X_W, 0x89, R13, x64_m(RCX, 0)); /* ctx->fuel = r13 */
    x64_op(b, X_W, 0x83, 0, x64_r(RSP));      /* add rsp, LOCALS */
    x64_byte(b, LOCALS);
    static const uint8_t pop[] = {
        0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3,
    };
    for (size_t i = 0; i < sizeof pop; i++)
        x64_byte(b, pop[i]);
    c->call_entry = b->n;
    if (callee_frame_fits(c->code))
        emit_callee_frame(c);
    x64_op(b, X_W, 0x83, 5, x64_r(R13)); /* sub r13, 1 */
    x64_byte(b, 1);
    add_fixup(c, x64_jcc(b, CC_L), 0, true); /* out: leave at pc 0 */
}

/* Instruction lengths from the verifier's shape table. */
static uint32_t
insn_len(const bri_opshape_t *shapes, const uint32_t *w, uint32_t left)
{
    if (w[0] >= BR_OP__COUNT)
        return 0;
    uint32_t len = shapes[w[0]].len;
    if (len == BRI_LEN_VAR)
        len = left >= 3 ? 5 + 3 * (w[2] + 1) : 0; /* jump_table */
    return len <= left ? len : 0;
}

/* Marks jump_table targets (the interpreter takes them, then may enter
 * the machine code there). */
static void
mark_table_targets(ncomp_t *c, const uint32_t *w)
{
    for (uint32_t e = 0; e <= w[2]; e++) {
        uint32_t t = w[5 + 3 * e];
        if (t < c->code->word_count)
            c->flags[t] |= NF_TARGET;
    }
}

/* The jump target of a branch instruction, or false. */
static bool
branch_target(const uint32_t *w, uint32_t *t)
{
    br_op_t op = (br_op_t)w[0];
    switch (fused_of[op].form) {
    case F_BR_RR: case F_BRN_RR: case F_BR_RI: case F_BRN_RI:
        *t = w[3];
        return true;
    default:
        break;
    }
    switch (op) {
    case BR_OP_jump:
    case BR_OP_jump_back:
        *t = w[1];
        return true;
    case BR_OP_jump_if:
    case BR_OP_jump_unless:
    case BR_OP_jump_if_back:
    case BR_OP_jz:
    case BR_OP_jnz:
        *t = w[2];
        return true;
    default:
        return false;
    }
}

/* Marks every jump target before emitting, so that the register cache
 * (rax_slot) starts empty wherever control can arrive from elsewhere. */
static bool
mark_targets(ncomp_t *c, const bri_opshape_t *shapes)
{
    const bri_code_t *code = c->code;
    for (uint32_t pc = 0; pc < code->word_count;) {
        const uint32_t *w = code->words + pc;
        uint32_t len = insn_len(shapes, w, code->word_count - pc);
        if (len == 0)
            return false;
        uint32_t t;
        if (branch_target(w, &t) && t < code->word_count)
            c->flags[t] |= NF_TARGET;
        if (w[0] == BR_OP_jump_table)
            mark_table_targets(c, w);
        pc += len;
    }
    return true;
}

static bool
emit_body(ncomp_t *c, const bri_opshape_t *shapes)
{
    const bri_code_t *code = c->code;
    for (uint32_t pc = 0; pc < code->word_count;) {
        const uint32_t *w = code->words + pc;
        uint32_t len = insn_len(shapes, w, code->word_count - pc);
        if (len == 0)
            return false; /* not compiler output: never for verified code */
        c->w = w;
        c->pc = pc;
        c->at[pc] = (uint32_t)c->b.n;
        c->flags[pc] |= NF_INSN;
        c->insns[c->ninsns++] = pc;
        if (c->flags[pc] & NF_TARGET) {
            /* reached from elsewhere too: written back, then empty */
            cache_reset(c);
            c->rax_slot = -1;
            c->at[pc] = (uint32_t)c->b.n;
        }
        creg_t before[NCACHE];
        memcpy(before, c->cache, sizeof before);
        unsigned dirty_before = c->dirty;
        if (emit_insn(c)) {
            c->flags[pc] |= NF_NATIVE;
        } else {
            c->rax_slot = -1;
            c->b.n = c->at[pc]; /* drop a partial attempt */
            size_t keep = c->fix_n;
            while (keep > 0 && c->fix[keep - 1].at >= c->b.n)
                keep--;
            c->fix_n = keep;
            for (int k = 0; k < NCACHE; k++) {
                cache_set(c, k, -1);
                c->cache[k].used = before[k].used;
            }
            for (int k = 0; k < NCACHE; k++)
                cache_set(c, k, before[k].slot);
            c->dirty = dirty_before;
            cache_reset(c);
            exit_at(c, pc);
        }
        pc += len;
    }
    return !c->b.failed;
}

/* Two exits that leave at the same pc with the same registers to
 * write back: they can share one stub. */
static bool
same_exit(const fixup_t *a, const fixup_t *b)
{
    return a->pc == b->pc && a->nd == b->nd &&
           memcmp(a->dreg, b->dreg, a->nd) == 0 &&
           memcmp(a->dslot, b->dslot, a->nd * sizeof a->dslot[0]) == 0;
}

/* Exit stubs and jump targets; marks the instructions jumped to. An
 * exit like the previous one (the checks of one call sequence or
 * division, all leaving at its pc with the same dirty registers)
 * jumps to that one's stub instead of a stub of its own. */
static void
resolve(ncomp_t *c)
{
    const fixup_t *last = NULL;
    size_t last_stub = 0;
    for (size_t i = 0; i < c->fix_n; i++) {
        fixup_t *f = &c->fix[i];
        if (f->exit && last != NULL && same_exit(f, last)) {
            x64_patch(&c->b, f->at, last_stub);
        } else if (f->exit) {
            last = f;
            last_stub = c->b.n;
            x64_patch(&c->b, f->at, c->b.n);
            for (uint8_t k = 0; k < f->nd; k++) /* the cache, written back */
                x64_op(&c->b, X_W, 0x89, f->dreg[k], slot(f->dslot[k]));
            exit_at(c, f->pc);
        } else if (f->pc < c->code->word_count && (c->flags[f->pc] & NF_INSN)) {
            x64_patch(&c->b, f->at, c->at[f->pc]);
            c->flags[f->pc] |= NF_TARGET;
        } else {
            c->b.failed = true; /* a jump into no instruction: never for
                                 * validated or verified code */
        }
    }
}

/* Entering and leaving machine code costs about as much as a few
 * interpreted instructions: an entry must lead to at least this many
 * instructions of machine code (a backward branch counts as that many:
 * a loop may stay in machine code), or the interpreter runs on instead.
 * That keeps code that mixes rare and common ops (SIMD loops, or calls
 * in a small recursive function) from bouncing between the tiers. */
#define MIN_RUN 4u

/*
 * Where the interpreter may enter: instructions with machine code that
 * start the function, are jumped to, or follow one the interpreter runs
 * (after a call returns, after a slow path), when a run of machine code
 * of at least MIN_RUN instructions starts there. Elsewhere it keeps
 * interpreting until such a place.
 */
static uint32_t
fill_entries(const ncomp_t *c, uint32_t *entries)
{
    uint32_t count = 0, run = 0;
    /* backwards: run = native instructions from here to the next exit */
    for (uint32_t i = c->ninsns; i-- > 0;) {
        uint32_t pc = c->insns[i], t;
        if (!(c->flags[pc] & NF_NATIVE))
            run = 0;
        else if (branch_target(c->code->words + pc, &t) && t <= pc)
            run = MIN_RUN;
        else
            run = run < MIN_RUN ? run + 1 : MIN_RUN;
        c->at[pc] |= run >= MIN_RUN ? 0x80000000u : 0;
    }
    bool after_exit = true;
    for (uint32_t i = 0; i < c->ninsns; i++) {
        uint32_t pc = c->insns[i];
        uint8_t f = c->flags[pc];
        bool native = (f & NF_NATIVE) != 0;
        bool long_run = (c->at[pc] & 0x80000000u) != 0;
        if (native && long_run && (after_exit || (f & NF_TARGET))) {
            entries[pc] = c->at[pc] & 0x7FFFFFFFu;
            count++;
        }
        /* a call's return site: the interpreter returns there when the
         * call went through it (or the callee stopped) */
        after_exit = !native || c->code->words[pc] == BR_OP_call ||
                     c->code->words[pc] == BR_OP_call_indirect;
    }
    return count;
}

#include "x64_text.h"

/* Points a compiled function at its place in sealed text. */
static void
place(bri_native_t *out, uint8_t *text)
{
    out->text = text;
    out->call_text = out->call_off != 0 ? text + out->call_off : NULL;
}

/* The engine's opcode shapes, computed once (the first of two racing
 * threads to publish wins; the other frees its copy). */
static const bri_opshape_t *
engine_shapes(br_engine_t *e)
{
    const bri_opshape_t *s = atomic_load_explicit(&e->native_shapes,
                                                  memory_order_acquire);
    if (s != NULL)
        return s;
    size_t size = sizeof(bri_opshape_t) * BR_OP__COUNT;
    bri_opshape_t *mine = bri_alloc(&e->alloc, size);
    if (mine == NULL)
        return NULL;
    bri_verify_shapes(mine);
    void *expected = NULL;
    if (atomic_compare_exchange_strong(&e->native_shapes, &expected, mine))
        return mine;
    bri_free(&e->alloc, mine, size);
    return expected;
}

/* The buffers a batch reuses from one function to the next: the
 * code, the fixups and the per-word tables (grown, never shrunk: a
 * calloc and a free of each per function cost more than clearing). */
typedef struct scratch {
    x64_buf_t b;
    fixup_t *fix;
    size_t fix_cap;
    uint32_t *at;    /* words_cap */
    uint32_t *insns; /* words_cap: the instruction starts, in order */
    uint8_t *flags;  /* words_cap */
    size_t words_cap;
    int8_t *where; /* where_cap */
    size_t where_cap;
} scratch_t;

static void
scratch_free(scratch_t *sc)
{
    const bri_allocator_t *a = sc->b.alloc;
    bri_free(a, sc->b.p, sc->b.cap);
    bri_free(a, sc->fix, sc->fix_cap * sizeof *sc->fix);
    bri_free(a, sc->at, sc->words_cap * sizeof *sc->at);
    bri_free(a, sc->insns, sc->words_cap * sizeof *sc->insns);
    bri_free(a, sc->flags, sc->words_cap);
    bri_free(a, sc->where, sc->where_cap);
}

/* Room for a function of `words` words and `slots` frame slots. */
static bool
scratch_fit(scratch_t *sc, size_t words, size_t slots)
{
    const bri_allocator_t *a = sc->b.alloc;
    if (words > sc->words_cap || sc->at == NULL) {
        size_t cap = words < 1024 ? 1024 : words;
        bri_free(a, sc->at, sc->words_cap * sizeof *sc->at);
        bri_free(a, sc->insns, sc->words_cap * sizeof *sc->insns);
        bri_free(a, sc->flags, sc->words_cap);
        sc->at = bri_alloc(a, cap * sizeof *sc->at);
        sc->insns = bri_alloc(a, cap * sizeof *sc->insns);
        sc->flags = bri_alloc(a, cap);
        sc->words_cap = cap;
        if (sc->at == NULL || sc->insns == NULL || sc->flags == NULL) {
            bri_free(a, sc->at, cap * sizeof *sc->at);
            bri_free(a, sc->insns, cap * sizeof *sc->insns);
            bri_free(a, sc->flags, cap);
            sc->at = sc->insns = NULL;
            sc->flags = NULL;
            sc->words_cap = 0;
            return false;
        }
    }
    if (slots > sc->where_cap || sc->where == NULL) {
        size_t cap = slots < 256 ? 256 : slots;
        bri_free(a, sc->where, sc->where_cap);
        sc->where = bri_alloc(a, cap);
        sc->where_cap = sc->where != NULL ? cap : 0;
    }
    return true;
}

/*
 * Compiles `code` into sc->b (emptied first) and fills out's entries,
 * word_count, code_bytes and call_off; the caller places the bytes
 * (place). False if memory ran out or the code is not compiler output.
 */
static bool
compile_one(const br_module_t *m, const bri_code_t *code,
            const bri_opshape_t *shapes, scratch_t *sc, bri_native_t *out)
{
    const bri_allocator_t *alloc = sc->b.alloc;
    size_t n = code->word_count;
    if (!scratch_fit(sc, n, code->frame_slots))
        return false;
    sc->b.n = 0;
    ncomp_t c = {.b = sc->b,
                 .m = m,
                 .code = code,
                 .rax_slot = -1,
                 .fix = sc->fix,
                 .fix_cap = sc->fix_cap,
                 .at = sc->at,
                 .insns = sc->insns,
                 .flags = sc->flags};
    for (int k = 0; k < NCACHE; k++)
        c.cache[k].slot = -1;
    if (sc->where != NULL && sc->where_cap >= code->frame_slots) {
        c.where = sc->where;
        c.nwhere = code->frame_slots;
        memset(c.where, -1, c.nwhere);
    } /* else searched instead */
    c.mem64 = m->memory_count > 0 && m->memories[0].is64;
    c.sse41 = have_sse41();
    memset(c.flags, 0, n); /* at[] is read only where NF_INSN is set */
    uint32_t *entries = bri_calloc(alloc, n ? n : 1, sizeof *entries);
    bool ok = entries != NULL;
    if (ok) {
        emit_stubs(&c);
        ok = mark_targets(&c, shapes) && emit_body(&c, shapes);
    }
    if (ok) {
        resolve(&c);
        /* offsets must fit 31 bits (fill_entries marks with bit 31) */
        ok = !c.b.failed && c.b.n < 0x80000000u;
    }
    if (ok) {
        out->entry_count = fill_entries(&c, entries);
        out->entries = entries;
        out->word_count = code->word_count;
        out->code_bytes = c.b.n;
        /* a call from machine code enters wherever pc 0 has machine
         * code: it stays in machine code, so the interpreter's rule
         * against short runs does not apply (leaf functions) */
        out->call_off = (c.flags[0] & NF_NATIVE) && callee_frame_fits(code)
                            ? (uint32_t)c.call_entry
                            : 0;
    } else {
        bri_free(alloc, entries, (n ? n : 1) * sizeof *entries);
    }
    sc->b = c.b; /* keeps the grown buffers */
    sc->b.failed = false;
    sc->fix = c.fix;
    sc->fix_cap = c.fix_cap;
    return ok;
}

static void
free_entries(const bri_allocator_t *alloc, bri_native_t *n)
{
    bri_free(alloc, n->entries, (size_t)n->word_count * sizeof *n->entries);
    n->entries = NULL;
}

bool
bri_native_compile(const br_module_t *m, const bri_code_t *code,
                   const bri_allocator_t *alloc, bri_native_t *out)
{
    const bri_opshape_t *shapes = engine_shapes(m->engine);
    if (shapes == NULL)
        return false;
    scratch_t sc = {.b = {.alloc = alloc}};
    bool ok = compile_one(m, code, shapes, &sc, out);
    uint8_t *text = ok ? seal(sc.b.p, sc.b.n, &out->text_size) : NULL;
    if (ok && text == NULL) {
        free_entries(alloc, out);
        ok = false;
    }
    if (ok)
        place(out, text);
    scratch_free(&sc);
    return ok;
}

/* The first guess at a batch's text size. */
static size_t
text_guess(bri_code_t *const *codes, uint32_t n)
{
    size_t words = 0;
    for (uint32_t i = 0; i < n; i++)
        words += codes[i]->word_count;
    return page_round(words * TEXT_PER_WORD + 4096);
}

bool
bri_native_compile_batch(const br_module_t *m, bri_code_t *const *codes,
                         uint32_t n, const bri_allocator_t *alloc,
                         bri_native_t *const *out)
{
    const bri_opshape_t *shapes = engine_shapes(m->engine);
    bri_native_map_t *map = bri_calloc(alloc, 1, sizeof *map);
    if (shapes == NULL || map == NULL) {
        bri_free(alloc, map, sizeof *map);
        return false;
    }
    /* every function's bytes appended to `all`, then sealed at once */
    scratch_t sc = {.b = {.alloc = alloc}};
    size_t guess = text_guess(codes, n);
    textmap_t all = {NULL, 0, 0, guess < TEXT_HEAP_MAX ? alloc : NULL};
    size_t *at = bri_calloc(alloc, n ? n : 1, sizeof *at);
    uint32_t placed = 0, todo = n;
    if (at == NULL || !textmap_fit(&all, guess))
        todo = 0; /* nothing placed: every out[i] keeps entries NULL */
    for (uint32_t i = 0; i < todo; i++) {
        if (!compile_one(m, codes[i], shapes, &sc, out[i]))
            continue;
        if (!textmap_add(&all, sc.b.p, sc.b.n, &at[i])) {
            free_entries(alloc, out[i]);
            continue;
        }
        placed++;
    }
    uint8_t *text = NULL;
    if (placed > 0)
        text = textmap_seal(&all, &map->size);
    else
        textmap_release(&all);
    for (uint32_t i = 0; i < n; i++) {
        if (out[i]->entries == NULL)
            continue;
        if (text == NULL) {
            free_entries(alloc, out[i]);
            continue;
        }
        out[i]->map = map;
        out[i]->text_size = (out[i]->code_bytes + TEXT_ALIGN - 1) /
                           TEXT_ALIGN * TEXT_ALIGN;
        place(out[i], text + at[i]);
    }
    if (text != NULL) {
        map->base = text;
        atomic_store(&map->refs, placed);
    } else {
        bri_free(alloc, map, sizeof *map);
    }
    bri_free(alloc, at, (n ? n : 1) * sizeof *at);
    scratch_free(&sc);
    return text != NULL || placed == 0;
}

void
bri_native_free(const bri_allocator_t *alloc, bri_code_t *code)
{
    bri_native_t *n = atomic_load(&code->native);
    atomic_store(&code->native, NULL);
    if (n == NULL || n->entries == NULL) /* none, or a failed compile */
        return;
    if (n->map == NULL) {
        munmap(n->text, n->text_size);
    } else if (atomic_fetch_sub(&n->map->refs, 1) == 1) {
        munmap(n->map->base, n->map->size);
        bri_free(alloc, n->map, sizeof *n->map);
    }
    free_entries(alloc, n);
    bri_free(alloc, n, sizeof *n);
}

#else

void
bri_native_free(const bri_allocator_t *alloc, bri_code_t *code)
{
    (void)alloc;
    (void)code;
}

#endif
