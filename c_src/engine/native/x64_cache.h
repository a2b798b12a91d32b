/*
 * beamr engine, native tier: the slot cache (register caching of the
 * operand stack), included by compile_x64.c (it uses its compiler state
 * and encoder): which frame slots the cache registers hold, reads that
 * take a register instead of the slot, results computed in their
 * destination's register, and the write-backs that keep the frame
 * layout the interpreter's wherever anything else can look.
 * SPDX-License-Identifier: Apache-2.0
 */

/*
 * Values stay in the cache registers across instructions of a straight
 * line of code: an instruction's result goes to a cache register
 * (dirty: its slot is written later) and a later read of that slot
 * takes the register instead of loading the slot. The frame layout is
 * the interpreter's wherever anything else can look, because the dirty
 * registers are written back to their slots:
 * - before every jump and branch (so a jump target starts with an empty
 *   cache, as does every place the interpreter may enter),
 * - in the stub of every exit to the interpreter (a slow path, an
 *   instruction without machine code, out of fuel), so the interpreter
 *   (its traps, backtraces, imports, yields, the collector's scan of
 *   the value stack) sees every slot,
 * - before calls and returns (the callee's frame overlaps this one's
 *   slots) and before SIMD ops (they read and write slots as memory).
 */

static int
cache_find(const ncomp_t *c, uint32_t s)
{
    if (s < c->nwhere)
        return c->where[s];
    for (int k = 0; k < NCACHE; k++)
        if (c->cache[k].slot == (int64_t)s)
            return k;
    return -1;
}

/* The operand reading slot s for an integer instruction: its cache
 * register, or its memory. */
static x64_rm_t
src(ncomp_t *c, uint32_t s)
{
    int k = cache_find(c, s);
    if (k < 0)
        return slot(s);
    c->cache[k].used = ++c->tick;
    return x64_r(cache_regs[k]);
}

/* Cache register k now holds slot s (-1: nothing). */
static void
cache_set(ncomp_t *c, int k, int64_t s)
{
    int64_t old = c->cache[k].slot;
    if (old >= 0 && old < (int64_t)c->nwhere)
        c->where[old] = -1;
    c->cache[k].slot = s;
    c->cache[k].checked = 0;
    if (s >= 0 && s < (int64_t)c->nwhere)
        c->where[s] = (int8_t)k;
}

static void
cache_store(ncomp_t *c, int k)
{
    x64_op(&c->b, X_W, 0x89, cache_regs[k], slot((uint32_t)c->cache[k].slot));
    c->dirty &= ~(1u << k);
}

/* Writes every dirty register back (movs only: flags survive, so this
 * may sit between a compare and its branch). */
static void
cache_flush(ncomp_t *c)
{
    while (c->dirty != 0)
        cache_store(c, __builtin_ctz(c->dirty));
}

/* Writes back and forgets everything (before calls, SIMD, exits). */
static void
cache_reset(ncomp_t *c)
{
    cache_flush(c);
    for (int k = 0; k < NCACHE; k++)
        cache_set(c, k, -1);
}

/* Slot s's memory is current (for reads that need memory). */
static x64_rm_t
flush_slot(ncomp_t *c, uint32_t s)
{
    int k = cache_find(c, s);
    if (k >= 0 && (c->dirty & (1u << k)))
        cache_store(c, k);
    return slot(s);
}

/* Slots [s, s + n) were written in memory: their registers are stale. */
static void
cache_drop(ncomp_t *c, uint32_t s, uint32_t n)
{
    for (int k = 0; k < NCACHE; k++) {
        if (c->cache[k].slot >= (int64_t)s &&
            c->cache[k].slot < (int64_t)s + (int64_t)n) {
            cache_set(c, k, -1);
            c->dirty &= ~(1u << k);
        }
    }
    if (c->rax_slot >= (int64_t)s && c->rax_slot < (int64_t)s + (int64_t)n)
        c->rax_slot = -1;
}

/* The register that will hold slot s: its own, a free one, or the
 * least recently used one (written back if dirty). */
static int
cache_take(ncomp_t *c, uint32_t s)
{
    int k = cache_find(c, s);
    if (k >= 0)
        return k;
    int best = 0;
    for (k = 0; k < NCACHE; k++) {
        if (c->cache[k].slot < 0) {
            best = k;
            break;
        }
        if (c->cache[k].used < c->cache[best].used)
            best = k;
    }
    if (c->dirty & (1u << best))
        cache_store(c, best);
    cache_set(c, best, s);
    return best;
}

static void
ld64(ncomp_t *c, x64_reg_t r, uint32_t s)
{
    x64_op(&c->b, X_W, 0x8B, r, src(c, s));
    if (r == RAX)
        c->rax_slot = s;
}

static void
ld32(ncomp_t *c, x64_reg_t r, uint32_t s)
{
    x64_op(&c->b, 0, 0x8B, r, src(c, s));
    if (r == RAX)
        c->rax_slot = -1;
}

/* Slot s = register r (all 64 bits): into s's cache register, dirty. */
static void
st64(ncomp_t *c, uint32_t s, x64_reg_t r)
{
    int k = cache_take(c, s);
    x64_op(&c->b, X_W, 0x8B, cache_regs[k], x64_r(r));
    c->cache[k].checked = 0; /* a new value */
    c->dirty |= 1u << k;
    c->cache[k].used = ++c->tick;
    if (r == RAX)
        c->rax_slot = s;
    else if (c->rax_slot == (int64_t)s)
        c->rax_slot = -1;
}

/* The cache register slot s's new value is computed in, marked dirty.
 * Only after the instruction's last exit: an exit's stub writes the
 * dirty registers back, and this one does not hold the value yet. */
static x64_reg_t
dst_reg(ncomp_t *c, uint32_t s)
{
    int k = cache_take(c, s);
    c->dirty |= 1u << k;
    c->cache[k].used = ++c->tick;
    c->cache[k].checked = 0; /* a new value */
    if (c->rax_slot == (int64_t)s)
        c->rax_slot = -1;
    return cache_regs[k];
}

/* rax = slot s for an operation of width W (X_W: 64 bits, 0: 32 bits
 * on eax, whose result the CPU zero-extends): no load if rax holds it. */
static void
ld_rax(ncomp_t *c, uint32_t s, unsigned W)
{
    if (c->rax_slot == (int64_t)s)
        return;
    x64_op(&c->b, W, 0x8B, RAX, src(c, s));
    c->rax_slot = -1; /* a 32-bit load is not the whole slot */
    if (W)
        c->rax_slot = s;
}

