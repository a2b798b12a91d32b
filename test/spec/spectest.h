/*
 * beamr spec runner: the "spectest" host module the test suite imports
 * (print functions, a table, a memory and four globals), one per store.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_SPEC_SPECTEST_H
#define BR_SPEC_SPECTEST_H

#include "beamr.h"

#define SPECTEST_EXPORTS 14

typedef struct spectest {
    const char *names[SPECTEST_EXPORTS];
    br_extern_t externs[SPECTEST_EXPORTS];
} spectest_t;

/* Creates the host objects in `store` (freed with it). False if the
 * engine refused one of them. */
bool spectest_init(spectest_t *st, br_store_t *store);
/* Finds the export `name` (name_len bytes); false if there is none. */
bool spectest_lookup(const spectest_t *st, const char *name, size_t name_len,
                     br_extern_t *out);

#endif
