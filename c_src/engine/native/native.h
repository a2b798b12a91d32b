/*
 * beamr engine, native tier (docs/native-tier.md): x86-64 machine code
 * compiled per function from the validated internal code (code.h),
 * entered and left by the interpreter at instruction boundaries. The
 * machine code reads and writes the interpreter's frame slots, so a call
 * can stop, yield, trap or be snapshotted in either tier and go on in
 * the other.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_NATIVE_H
#define BR_NATIVE_H

#include "exec.h"

#if defined(__x86_64__) && !defined(BRI_NO_NATIVE)
#define BRI_HAVE_NATIVE 1
#else
#define BRI_HAVE_NATIVE 0
#endif

/* A mapping shared by the machine code of many functions (compiled in
 * one batch by br_module_native_compile): unmapped with the last of
 * them. */
typedef struct bri_native_map {
    uint8_t *base;
    size_t size;
    _Atomic(uint32_t) refs;
} bri_native_map_t;

/*
 * A function's machine code. `entries[pc]` is the offset in `text` of
 * the machine code of the instruction at word pc when the interpreter
 * may enter there (0: it may not; offset 0 is the entry stub). A
 * function whose compile failed or was refused has entries NULL.
 */
struct bri_native {
    uint8_t *text;      /* mapped read+execute, never writable */
    size_t text_size;   /* its own mapping's bytes (whole pages), or
                         * its share of the batch's mapping */
    bri_native_map_t *map; /* the batch's mapping, or NULL: text is
                            * a mapping of its own */
    size_t code_bytes;  /* bytes of machine code in it */
    uint32_t *entries;  /* word_count offsets, engine allocator */
    uint32_t word_count;
    uint32_t entry_count; /* non-zero entries; 0: the interpreter runs it */
    /* Where a call from machine code enters (charges the call's fuel,
     * then runs from pc 0), or NULL: such calls go through the
     * interpreter (its first instruction has no machine code). */
    const uint8_t *call_text;
    uint32_t call_off; /* call_text - text, 0 while none */
};
typedef struct bri_native bri_native_t;

/* Calls of a function (or fuel chunks spent in it) before tier `auto`
 * compiles it. */
#define BRI_NATIVE_HOT 2u

/* What the machine code reads and writes besides its registers: the
 * fuel counter (written back on leaving) and the exec whose frames a
 * wasm call in machine code pushes and pops. */
typedef struct bri_native_ctx {
    int64_t fuel;
    br_exec_t *exec;
} bri_native_ctx_t;

/*
 * The machine code's calling convention (System V): it runs from
 * `entry` (text + entries[pc]) with the frame's slots S, the context,
 * memory 0's base and size and the instance, until it reaches an
 * instruction it leaves to the interpreter (imports, traps, rare ops, a
 * slow path) or runs out of fuel at a back-edge or a call; it returns
 * the word pc to go on at in the top frame of the exec, which is the
 * entry's frame unless wasm calls in machine code pushed frames above
 * it (their callers' pcs are saved in them as the interpreter saves
 * them), with ctx->fuel updated (< 0: out of fuel at that pc). It never
 * calls back into C.
 */
typedef uint32_t (*bri_native_fn)(br_slot_t *S, bri_native_ctx_t *ctx,
                                  uint8_t *mem_base, uint64_t mem_size,
                                  br_instance_t *inst, const uint8_t *entry);

/* Wasm calls nested in machine code at most (8 bytes of C stack each:
 * the return address); a deeper call leaves to the interpreter, which
 * pushes the frame and enters the callee's machine code afresh. */
#define BRI_NATIVE_NEST 1024u

/* native/interp_native.c: the interpreter loop with the native hooks. */
br_status_t bri_interp_run_native(br_exec_t *exec, int64_t fuel);

/* The machine code of the frame's function if it has some or the
 * store's tier wants it compiled now (tier `native`: at its first call;
 * `auto`: once hot), else NULL. `hot`: the function has just used up a
 * fuel chunk (tier `auto` compiles it at once). */
const bri_native_t *bri_native_slow(br_exec_t *exec, const bri_frame_t *fr,
                                    bool hot);

static inline const bri_native_t *
bri_native_for(br_exec_t *exec, const bri_frame_t *fr, bool hot)
{
    const bri_native_t *n = atomic_load_explicit(
        &((bri_code_t *)fr->code)->native, memory_order_acquire);
    if (BR_LIKELY(n != NULL))
        return n->entry_count != 0 ? n : NULL;
    return bri_native_slow(exec, fr, hot);
}

/* native/compile_x64.c: compiles funcs[index] of `m` into *out (text
 * mapped and sealed read+execute). False if memory ran out. */
bool bri_native_compile(const br_module_t *m, const bri_code_t *code,
                        const bri_allocator_t *alloc, bri_native_t *out);

/* Functions compiled in one batch: their code goes into one mapping,
 * written, then sealed read+execute with a single mprotect. */
#define BRI_NATIVE_BATCH 512u

/* native/compile_x64.c: compiles the n functions `codes` into *out[i]
 * (zeroed by the caller), their code packed into one mapping; *out[i]
 * keeps entries NULL when its compile failed. False if the mapping
 * could not be made (then no *out[i] has code). */
bool bri_native_compile_batch(const br_module_t *m, bri_code_t *const *codes,
                              uint32_t n, const bri_allocator_t *alloc,
                              bri_native_t *const *out);

/* native/text_map.c: `n` bytes of machine code mapped read+execute in
 * *size bytes (whole pages), never writable and executable at once;
 * NULL if the system refused. */
uint8_t *bri_native_text_map(const uint8_t *bytes, size_t n, size_t *size);

/* native/compile_x64.c: frees a function's machine code (module.c,
 * when the module goes). */
void bri_native_free(const bri_allocator_t *alloc, bri_code_t *code);

#endif
