/*
 * beamr engine, native tier: tier selection, lazy per-function
 * compilation and the machine code's lifetime (docs/native-tier.md).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "native.h"


bool
br_native_available(void)
{
    return BRI_HAVE_NATIVE;
}

void
br_store_set_tier(br_store_t *store, br_tier_t tier)
{
    if (store != NULL && (unsigned)tier <= BR_TIER_AUTO)
        store->tier = (uint8_t)tier;
}

br_tier_t
br_store_tier(const br_store_t *store)
{
    return store != NULL ? (br_tier_t)store->tier : BR_TIER_INTERP;
}

void
br_store_set_native_lazy_limit(br_store_t *store, uint32_t words)
{
    if (store != NULL)
        store->native_lazy_max = words;
}

#if BRI_HAVE_NATIVE

/* What a function whose compile failed points to: no entries, so it
 * stays interpreted, and no second attempt. Never written. */
static const bri_native_t no_native;

/* Frees machine code that was not published. */
static void
release(const bri_allocator_t *alloc, bri_native_t *n)
{
    bri_code_t tmp = {0};
    atomic_store(&tmp.native, n);
    bri_native_free(alloc, &tmp);
}

/* Compiles a function of `m` and publishes its code; when another
 * thread published first, keeps theirs. NULL if it has none. */
static const bri_native_t *
publish(const br_module_t *m, bri_code_t *code)
{
    const bri_allocator_t *alloc = &m->engine->alloc;
    bri_native_t *n = bri_calloc(alloc, 1, sizeof *n);
    if (n != NULL && !bri_native_compile(m, code, alloc, n)) {
        bri_free(alloc, n, sizeof *n);
        n = NULL;
    }
    bri_native_t *want = n != NULL ? n : (bri_native_t *)&no_native;
    bri_native_t *expected = NULL;
    if (!atomic_compare_exchange_strong(&code->native, &expected, want)) {
        if (n != NULL)
            release(alloc, n);
        want = expected;
    }
    return want->entry_count != 0 ? want : NULL;
}

/* The frame's function (the native field is the only one written). */
static const bri_native_t *
compile_now(br_exec_t *exec, const bri_frame_t *fr)
{
    (void)exec;
    return publish(fr->inst->module, (bri_code_t *)fr->code);
}

/* Compiles the n functions `codes` together (one mapping, one
 * mprotect: native.h) and publishes each, keeping another thread's
 * code where it published first. False if any compile failed. */
static bool
publish_batch(const br_module_t *m, bri_code_t *const *codes, uint32_t n)
{
    const bri_allocator_t *alloc = &m->engine->alloc;
    bri_native_t *outs[BRI_NATIVE_BATCH];
    uint32_t made = 0;
    for (; made < n; made++) {
        outs[made] = bri_calloc(alloc, 1, sizeof *outs[made]);
        if (outs[made] == NULL)
            break;
    }
    bool ok = made == n && bri_native_compile_batch(m, codes, n, alloc, outs);
    for (uint32_t i = 0; i < made; i++) {
        bri_native_t *want = outs[i];
        if (!ok || want->entries == NULL) {
            ok = false;
            bri_free(alloc, want, sizeof *want);
            want = (bri_native_t *)&no_native;
        }
        bri_native_t *expected = NULL;
        if (!atomic_compare_exchange_strong(&codes[i]->native, &expected,
                                            want) &&
            want != &no_native)
            release(alloc, want);
    }
    return ok;
}

bool
br_module_native_compile(const br_module_t *m)
{
    bool ok = true;
    bri_code_t *codes[BRI_NATIVE_BATCH];
    uint32_t i = m != NULL ? m->func_import_count : 0;
    while (m != NULL && i < m->func_count) {
        uint32_t n = 0;
        for (; i < m->func_count && n < BRI_NATIVE_BATCH; i++) {
            bri_code_t *code = (bri_code_t *)&m->funcs[i].code;
            if (atomic_load(&code->native) == NULL)
                codes[n++] = code;
        }
        if (n > 0 && !publish_batch(m, codes, n))
            ok = false;
    }
    return ok;
}

/*
 * Tier auto compiles a function that turned hot together with the
 * module's warm ones (entered once, not compiled yet), in one mapping:
 * each mapping costs an mmap and an mprotect whose TLB shootdown
 * reaches every CPU that runs the VM, which cost more than compiling on
 * Lua's start-up (bench/README.md, AO first message). A warm function
 * is likely to be entered again. The batch stops at `max` words of
 * internal code in all (the lazy limit, so a slice stays bounded) and
 * BRI_NATIVE_BATCH functions. The function's code, or NULL if it has
 * none.
 */
/* Entered, and no code yet (nor a failed compile). */
static bool
is_warm(bri_code_t *c)
{
    return atomic_load_explicit(&c->hot, memory_order_relaxed) != 0 &&
           atomic_load(&c->native) == NULL;
}

static const bri_native_t *
compile_warm(const br_module_t *m, bri_code_t *code, uint32_t max)
{
    bri_code_t *codes[BRI_NATIVE_BATCH];
    uint32_t n = 0, words = code->word_count;
    codes[n++] = code;
    for (uint32_t i = m->func_import_count;
         i < m->func_count && n < BRI_NATIVE_BATCH; i++) {
        bri_code_t *c = (bri_code_t *)&m->funcs[i].code;
        if (c == code || !is_warm(c))
            continue;
        if (max != 0 && words + c->word_count > max)
            continue;
        words += c->word_count;
        codes[n++] = c;
    }
    if (n == 1)
        return publish(m, code);
    (void)publish_batch(m, codes, n); /* a failed one keeps no code */
    const bri_native_t *got = atomic_load(&code->native);
    return got != NULL && got->entry_count != 0 ? got : NULL;
}

/* bri_native_for when the function has no machine code yet. */
const bri_native_t *
bri_native_slow(br_exec_t *exec, const bri_frame_t *fr, bool hot)
{
    bri_code_t *code = (bri_code_t *)fr->code;
    uint32_t max = exec->store->native_lazy_max;
    if (max != 0 && code->word_count > max)
        return NULL; /* too long to compile here: br_module_native_compile */
    switch (exec->store->tier) {
    case BR_TIER_NATIVE:
        return compile_now(exec, fr);
    case BR_TIER_AUTO:
        if (hot || atomic_fetch_add_explicit(&code->hot, 1,
                                             memory_order_relaxed) +
                           1 >=
                       BRI_NATIVE_HOT)
            return compile_warm(fr->inst->module, code, max);
        return NULL;
    default:
        return NULL;
    }
}

#else

bool
br_module_native_compile(const br_module_t *m)
{
    (void)m;
    return true;
}

#endif

void
br_module_native_info(const br_module_t *m, uint32_t *functions,
                      size_t *code_bytes, size_t *mapped_bytes)
{
    uint32_t count = 0;
    size_t bytes = 0, mapped = 0;
    for (uint32_t i = m != NULL ? m->func_import_count : 0;
         m != NULL && i < m->func_count; i++) {
        bri_code_t *code = (bri_code_t *)&m->funcs[i].code;
        const bri_native_t *n = atomic_load(&code->native);
        if (n == NULL || n->entries == NULL)
            continue;
        count++;
        bytes += n->code_bytes;
        mapped += n->text_size;
    }
    if (functions)
        *functions = count;
    if (code_bytes)
        *code_bytes = bytes;
    if (mapped_bytes)
        *mapped_bytes = mapped;
}
