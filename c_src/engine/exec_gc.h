/*
 * beamr engine: the garbage-collection instructions at run time
 * (exec_gc.c), for the interpreter's handlers (interp_gc.h).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_EXEC_GC_H
#define BR_EXEC_GC_H

#include "code.h"

/* Runs the GC instruction at pc (layouts: compile_gc.c) on the frame's
 * slots S; BR_TRAP_NONE or its trap. *cost gets the fuel of its work
 * beyond one instruction (bulk array ops, large allocations). */
br_trapkind_t bri_gc_exec(br_instance_t *inst, const uint32_t *pc, br_slot_t *S,
                          int64_t *cost);
/* Whether reference r is in reference type vt (canonical in the
 * instance's module): ref.test, ref.cast, br_on_cast. */
bool bri_gc_ref_test(const br_instance_t *inst, br_ref_t r, bri_valtype_t vt);
/* Whether function f may be called as type `type` of the instance's
 * module (call_indirect, call_ref): its type or a subtype of it; a host
 * function's type by its kinds. */
bool bri_gc_func_matches(const br_instance_t *inst, const br_func_t *f,
                         uint32_t type);

#endif
