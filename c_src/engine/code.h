/*
 * beamr engine: the internal code format, the contract between the
 * compiler (compile.c) and the interpreter (interp.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_CODE_H
#define BR_CODE_H

#include "internal.h"

/*
 * A compiled function is an array of 32-bit words. Each instruction is an
 * opcode word (br_op_t) followed by its operand words. `pc` values are word
 * indices into the function's array.
 *
 * Frame layout (all in 8-byte slots, indices relative to the frame base):
 *   [0, param_slots)               parameters
 *   [param_slots, local_slots)     declared locals (zeroed at entry)
 *   [local_slots, local_slots+T)   hidden exception slots, one per try
 *                                  nesting depth (T = max try depth)
 *   [local_slots+T, frame_slots)   the operand stack
 * The validator knows the operand stack height at every instruction, so
 * the compiler turns every operand into a fixed slot: an instruction names
 * `s`, the slot of its first operand (or of its result if it has no
 * operand). The interpreter keeps no stack pointer.
 *
 * Slot contents: i32 and f32 values sit in the low 32 bits with the high
 * 32 bits ZERO (so a memory address can always be read as u64, for 32-
 * and 64-bit memories alike); i64/f64 use all 64 bits; references are
 * pointers (NULL = null); a v128 takes two consecutive slots holding its
 * 16 bytes in memory order (interp_simd.h copies them with memcpy).
 *
 * Layouts ("s" = first operand slot, results written from s):
 *   simple ops (SIG != "*" in opcodes.h)   [op, s]
 *   loads and stores                       [op, s, mem, off_lo, off_hi]
 *                                          (store: address s, value s+1)
 *      `mem` is any memory index (multi-memory); memory 0 is the fast
 *      path (base and size cached by the interpreter).
 *   memory_size, memory_grow               [op, s, mem]
 *   memory_fill (d, val, n)                [op, s, mem]
 *   memory_copy (d, src, n)                [op, s, dst_mem, src_mem]
 *   memory_init (d, src, n)                [op, s, data, mem]
 *   data_drop                              [op, data]
 *   table_get (i) / table_set (i, ref)     [op, s, table]
 *   table_size / table_grow (init, delta)  [op, s, table]
 *   table_fill (i, ref, n)                 [op, s, table]
 *   table_copy (d, src, n)                 [op, s, dst_table, src_table]
 *   table_init (d, src, n)                 [op, s, elem, table]
 *   elem_drop                              [op, elem]
 *   i32_const, f32_const                   [op, s, bits]
 *   i64_const, f64_const                   [op, s, lo, hi]
 *   local_get (local -> s)                 [op, s, local_slot]
 *   local_set, local_tee (s -> local)      [op, s, local_slot]
 *   global_get, global_set                 [op, s, global]
 *   ref_null, ref_is_null                  [op, s]
 *   ref_func                               [op, s, func]
 *   select, select_t (a, b, cond -> s)     [op, s]
 *   unreachable                            [op]
 *   call (args at s.., results to s..)     [op, s, func]
 *   call_indirect (args, then index)       [op, s, type, table]
 *   return_call (args at s..)              [op, s, func]
 *   return_call_indirect (args, index)     [op, s, type, table]
 *      a tail call: a wasm callee replaces the top frame (same base, its
 *      args moved from s to slot 0, its locals zeroed, the frame grown
 *      or shrunk to its frame_slots), so a chain of tail calls runs in
 *      constant frame and slot space. A host callee runs with its args
 *      at s and writes its results there (the frame reserves their
 *      slots); they then leave the frame as a `ret` would (also when it
 *      suspends: br_exec_resume pops the frame).
 *   throw (payload at s..)                 [op, s, tag]
 *   rethrow                                [op, exn_slot]
 *   throw_ref (exnref at s; null traps)    [op, s]
 *   move (copy n slots, memmove)           [move, dst, src, n]
 *   jump                                   [jump, target]
 *   jump_back (loop back-edge)             [jump_back, target, fuel]
 *   jump_if (taken if s != 0)              [jump_if, s, target]
 *   jump_if_back                           [jump_if_back, s, target, fuel]
 *   jump_unless (taken if s == 0; `if`)    [jump_unless, s, target]
 *   jump_table (index at s)                [jump_table, s, n, src, arity,
 *                                           (n+1) x (target, dst, fuel)]
 *      entry min(index, n) is taken: move `arity` slots from src to dst
 *      (if they differ), charge fuel if non-zero, jump to target.
 *   ret (results at s.. -> frame slot 0..) [ret, s, n]
 * Register-style and fused forms (fused_ops.h; compile_fuse.c emits them
 * for scalar ops, the generic [op, s] forms stay valid for every op).
 * Here every operand word is a frame slot of any kind (parameter, local
 * or operand stack), so local.get and integer constants cost nothing:
 *   <binop>_rr  (i32/i64/f32/f64 ops)      [op, dst, a, b]
 *   <binop>_ri  (i32/i64 ops)              [op, dst, a, imm]  (b = imm,
 *                                           sign-extended for i64)
 *   <unop>_r                               [op, dst, a]
 *   <load>_x                               [op, dst, addr, mem, off_lo,
 *                                           off_hi]
 *   <store>_x                              [op, value, addr, mem,
 *                                           off_lo, off_hi]
 *   br_<icmp>_rr / brn_<icmp>_rr           [op, a, b, target, fuel]
 *   br_<icmp>_ri / brn_<icmp>_ri           [op, a, imm, target, fuel]
 *      br_ jumps if the compare holds, brn_ if it does not; then the
 *      fuel word (0 for forward branches) is charged as for jump_back.
 *   jz / jnz (i32 or i64 slot read as u64)  [op, a, target, fuel]
 * local_get/local_set/local_tee/i32_const/i64_const and the jump_if,
 * jump_if_back and jump_unless ops may also name a local's slot where a
 * stack slot is shown above (the interpreter does not care which).
 * block, loop, nop, drop, end, else, try, catch, catch_all, delegate and
 * try_table emit no instruction of their own; a branch that needs values moved
 * is compiled as [move ...][jump ...], or [jump_unless][move][jump] for br_if.
 * The end of a function body is a `ret`.
 *
 * Fuel: every call, call_indirect, return_call, return_call_indirect,
 * jump_back, jump_if_back (when taken), taken fused branch (br_*, brn_*,
 * jz, jnz) and jump_table entry with fuel != 0 subtracts its fuel
 * (calls: 1); the back-edge fuel is the number of instructions in the
 * loop body, so fuel is about one unit per instruction executed.
 *
 * Traps and backtraces: the compiler records a site (pc of the opcode
 * word, byte offset in the binary) for every instruction that can trap,
 * call or throw. The interpreter maps any pc inside an instruction to the
 * last site with site.pc <= pc. A tail-called function shows in place of
 * its caller (whose frame it took over), as in other engines.
 *
 * Exceptions: bri_code_t.handlers lists the try bodies, sorted by start.
 * A throw at pc p (for a callee's exception: the caller's pc inside the
 * call instruction, i.e. return pc - 1) starts at the innermost handler
 * whose [start, end) contains p (the containing one with the greatest
 * start), then:
 *   CATCH:    the first catch whose tag is BR_NO_INDEX (catch_all) or
 *             whose instance tag is the exception's tag object matches:
 *             write the payload at slots [height..), store the exception
 *             pointer in slot exn_slot (legacy try; BR_NO_INDEX for a
 *             try_table), and for a catch with `ref` set (catch_ref,
 *             catch_all_ref) also right after the payload, as an exnref;
 *             jump to catch.pc. No match: go to `parent`.
 *   DELEGATE: go to `delegate_to`.
 * At -1 the frame is popped and the search continues in the caller; past
 * the entry frame the run ends with BR_TRAP_UNCAUGHT_EXCEPTION.
 * `parent` is the innermost try that encloses this try while in its body
 * (not in one of its catches). For `try ... delegate l`, `delegate_to` is
 * the innermost try-in-body among the blocks at label depth >= l counted
 * after the delegating try is popped (l = the function's depth: -1).
 * try_table: its catch entries are landing pads the compiler emits right
 * after the try_table's `end` (behind a jump for the fall-through), each
 * a branch to the clause's label with the values at `height` ([move]
 * [jump], [jump_back] or [ret]), so exception edges still go forward.
 */

typedef union br_slot {
    uint64_t u64;
    int64_t i64;
    uint32_t u32;
    int32_t i32;
    float f32;
    double f64;
    br_ref_t ref;
} br_slot_t;

/*
 * An exception in flight or caught. The exec owns the exceptions of its
 * current call (a doubly linked list, freed when the next call starts)
 * until a try_table's catch_ref or catch_all_ref hands one to wasm as an
 * exnref: that value may be stored in a global or table or returned, so
 * the exception then leaves the exec's list for the store's objects and
 * lives as long as the store (runtime.c, keep_exception).
 */
typedef struct bri_exception {
    bri_object_t obj;                  /* the store's list, once kept */
    struct bri_exception *next, *prev; /* the exec's list, until kept */
    const br_tag_t *tag;
    bool kept;
    uint32_t slot_count;
    br_slot_t payload[]; /* slot_count slots */
} bri_exception_t;

/* compile.c entry point, called by the validator per function. */
typedef struct bri_compiler bri_compiler_t;

#endif
