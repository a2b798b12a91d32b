/*
 * beamr engine: the default host allocator (malloc/realloc/free) used when
 * br_config_t.alloc is NULL. The bri_alloc family is declared in internal.h.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_ALLOC_H
#define BR_ALLOC_H

#include "internal.h"

/* lua_Alloc-style function over the C library allocator. */
void *bri_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
