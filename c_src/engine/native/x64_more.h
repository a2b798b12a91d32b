/*
 * beamr engine, native tier: instructions that left the machine code
 * in the hot loops of real programs (the AO steady message: Lua's
 * dispatch `switch`), included by compile_x64.c (it uses its compiler
 * state and emitters): `jump_table` (br_table).
 * SPDX-License-Identifier: Apache-2.0
 */

/* Slots [dst, dst + n) = [src, src + n) in memmove's order, through
 * rax; the slot cache must be empty. */
static void
emit_slot_move(ncomp_t *c, uint32_t dst, uint32_t src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = dst <= src ? i : n - 1 - i;
        x64_op(&c->b, X_W, 0x8B, RAX, slot(src + k));
        x64_op(&c->b, X_W, 0x89, RAX, slot(dst + k));
    }
}

/* An entry that needs more than a jump (its values move, or it is a
 * back-edge that charges fuel): the moves, then the taken branch. */
static void
emit_table_stub(ncomp_t *c, const uint32_t *e, uint32_t src, uint32_t arity)
{
    if (arity != 0 && e[1] != src)
        emit_slot_move(c, e[1], src, arity);
    take(c, e[0], e[2]);
}

static bool
table_entry_plain(const uint32_t *e, uint32_t src, uint32_t arity)
{
    return (arity == 0 || e[1] == src) && e[2] == 0;
}

/*
 * jump_table [jump_table, s, n, src, arity, (n+1) x (target, dst, fuel)]
 * as the interpreter's handler: i = S[s] as u32, entry min(i, n); its
 * values move from src to dst (arity slots), it charges its fuel, and
 * control goes to its target. Machine code: the index clamped with a
 * cmov, then an indirect jump into a table of `jmp rel32` (5 bytes
 * each, so no data sits among the instructions and the jumps are
 * ordinary fixups); an entry that moves values or charges fuel jumps
 * to a stub of its own after the table.
 */
static bool
emit_jump_table(ncomp_t *c, const uint32_t *w)
{
    uint32_t n = w[2], src = w[3], arity = w[4];
    const uint32_t *e0 = w + 5;
    if (n >= (UINT32_MAX - 16u) / 5u || arity > 16)
        return false;
    for (uint32_t i = 0; i <= n; i++)
        if (e0[3 * i] >= c->code->word_count || e0[3 * i + 2] > INT32_MAX)
            return false; /* not compiler output: never for verified code,
                           * and fuel is a loop body's size */
    x64_buf_t *b = &c->b;
    ld32(c, RAX, w[1]); /* eax = i, before the cache is forgotten */
    cache_reset(c);     /* every target starts with the slots current */
    c->rax_slot = -1;
    x64_op(b, 0, 0x81, 7, x64_r(RAX)); /* cmp eax, n */
    x64_u32(b, n);
    x64_mov_imm(b, RCX, n);
    x64_op(b, 0, 0x0F47, RAX, x64_r(RCX)); /* cmova eax, ecx */
    x64_op(b, 0, 0x69, RAX, x64_r(RAX));   /* imul eax, eax, 5 */
    x64_u32(b, 5);
    x64_byte(b, 0x48); /* lea rcx, [rip + table] */
    x64_byte(b, 0x8D);
    x64_byte(b, 0x0D);
    size_t lea = b->n;
    x64_u32(b, 0);
    x64_op(b, X_W, 0x03, RAX, x64_r(RCX)); /* add rax, rcx */
    x64_op(b, 0, 0xFF, 4, x64_r(RAX));     /* jmp rax */
    x64_patch(b, lea, b->n);
    size_t table = b->n;
    for (uint32_t i = 0; i <= n; i++) {
        size_t j = x64_jmp(b);
        if (table_entry_plain(e0 + 3 * i, src, arity))
            add_fixup(c, j, e0[3 * i], false);
    }
    for (uint32_t i = 0; i <= n; i++) {
        if (table_entry_plain(e0 + 3 * i, src, arity))
            continue;
        x64_patch(b, table + 5u * i + 1u, b->n);
        emit_table_stub(c, e0 + 3 * i, src, arity);
    }
    return !b->failed;
}
