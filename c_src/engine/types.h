/*
 * beamr engine: canonical runtime types of an engine (types.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TYPES_H
#define BR_TYPES_H

#include "internal.h"

typedef struct bri_rttreg bri_rttreg_t;
typedef struct bri_rtt_group bri_rtt_group_t;

/* The registry of an engine (NULL if out of memory) and its end. */
bri_rttreg_t *bri_rttreg_new(const bri_allocator_t *alloc);
void bri_rttreg_delete(bri_rttreg_t *reg);
/* Groups interned now (tests: sharing and freeing). */
uint32_t bri_rttreg_count(bri_rttreg_t *reg);

/* After the type section: interns the module's groups (m->rtts), fills
 * m->type_canon and makes every type's references canonical. False if
 * out of memory. */
bool bri_types_canonicalize(br_module_t *m, const bri_allocator_t *a);
/* Releases the module's groups and frees its type descriptions. */
void bri_types_release(br_module_t *m, const bri_allocator_t *a);

/* Whether type i's declared supertype (if any) admits it: not final,
 * the same kind, and its fields (or params and results) matching. */
bool bri_types_sub_ok(const br_module_t *m, uint32_t i);

#endif
