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
br_trapkind_t bri_gc_exec(br_instance_t *inst, const uint32_t *pc,
                          br_slot_t *S, int64_t *cost);
/* Whether reference r is in reference type vt (canonical in the
 * instance's module): ref.test, ref.cast, br_on_cast. */
bool bri_gc_ref_test(const br_instance_t *inst, br_ref_t r, bri_valtype_t vt);

#endif
