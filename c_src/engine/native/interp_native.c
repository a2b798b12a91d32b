/*
 * beamr engine, native tier: the interpreter loop compiled a second time
 * with the native hooks, for stores whose tier is `native` or `auto`.
 * At every dispatch it checks whether the current function's machine
 * code may be entered at pc (native.h: entries) and runs it there; the
 * machine code hands back the pc of the next instruction it leaves to
 * the interpreter, which then runs that one instruction's handler
 * without the check (so an instruction whose slow path left machine
 * code cannot bounce back into it).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "native.h"

#if BRI_HAVE_NATIVE

/* Runs machine code from the entry `off` of the frame's function. */
static inline uint32_t
native_enter(const bri_native_t *n, uint32_t off, br_slot_t *S,
             br_exec_t *exec, int64_t *fuel, uint8_t *mb, uint64_t ms,
             br_instance_t *inst)
{
    bri_native_fn fn;
    const uint8_t *text = n->text;
    memcpy(&fn, &text, sizeof fn); /* object to function pointer */
    bri_native_ctx_t ctx = {*fuel, exec};
    uint32_t pc = fn(S, &ctx, mb, ms, inst, text + off);
    *fuel = ctx.fuel;
    return pc;
}

#define BRI_NATIVE_HOOKS 1
#define BRI_INTERP_RUN bri_interp_run_native
/*
 * The locals of the hooks, and the one place that takes over when wasm
 * calls in machine code left frames pushed (the machine code stopped
 * inside a callee): the loop goes on in the top frame, at the pc the
 * machine code returned. It sits in the loop's declarations (a block
 * entered only by goto) so that every handler's NEXT() carries just a
 * jump to it, not a copy of ENTER_FRAME.
 */
#define BRI_NATIVE_LOCALS                                                 \
    const bri_native_t *ncode = NULL;                                     \
    const uint32_t *nmap = NULL;                                          \
    uint32_t native_npc = 0;                                              \
    if (0) {                                                              \
    native_frames:                                                        \
        fr = &exec->frames[exec->frame_count - 1];                        \
        fr->pc = fr->code->words + native_npc;                            \
        ENTER_FRAME();                                                    \
        if (BR_UNLIKELY(fuel < 0))                                        \
            goto out_of_fuel;                                             \
        DISPATCH();                                                       \
    }
#define BRI_NATIVE_SET(hot)                                               \
    (ncode = bri_native_for(exec, fr, (hot)),                             \
     nmap = ncode != NULL ? ncode->entries : NULL)
#define BRI_NATIVE_FRAME() BRI_NATIVE_SET(false)
/* A fuel chunk ran out in this function: tier auto compiles it now. */
#define BRI_NATIVE_REFUEL()                                               \
    do {                                                                  \
        if (nmap == NULL)                                                 \
            BRI_NATIVE_SET(true);                                         \
    } while (0)
/* Wasm calls made in machine code leave their frames pushed when it
 * stops inside a callee: then the loop goes on in the top frame. */
#define BRI_NATIVE_NEXT()                                                 \
    do {                                                                  \
        if (nmap != NULL && nmap[pc - W] != 0) {                          \
            uint32_t depth_ = exec->frame_count;                          \
            uint32_t npc_ = native_enter(ncode, nmap[pc - W], S, exec,    \
                                         &fuel, mb, ms, inst);            \
            if (BR_UNLIKELY(exec->frame_count != depth_)) {               \
                native_npc = npc_;                                        \
                goto native_frames;                                       \
            }                                                             \
            pc = W + npc_;                                                \
            if (BR_UNLIKELY(fuel < 0))                                    \
                goto out_of_fuel;                                         \
            DISPATCH();                                                   \
        }                                                                 \
    } while (0)

#include "../interp.c"

#endif
