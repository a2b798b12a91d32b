/*
 * beamr NIF: leaf helpers every other file may use and that call no
 * other file of the NIF: binaries from bytes, the engine's allocator.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

ERL_NIF_TERM
bnif_make_binary(ErlNifEnv *env, const void *data, size_t size)
{
    ERL_NIF_TERM t;
    unsigned char *p = enif_make_new_binary(env, size, &t);
    if (size > 0)
        memcpy(p, data, size);
    return t;
}

/* ------------------------------------------------------------------ */
/* Allocator                                                           */

/* Over enif_alloc, so that engine memory shows up in erlang:memory()
 * and obeys the VM's allocator settings. `ud` is the engine's reaper
 * (or NULL): big blocks are freed on its thread, since freeing one
 * unmaps every page it touched (a snapshot, a huge table). */
void *
bnif_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    if (nsize == 0) {
        if (ptr != NULL && !bnif_reaper_free(ud, ptr, osize))
            enif_free(ptr);
        return NULL;
    }
    return ptr == NULL ? enif_alloc(nsize) : enif_realloc(ptr, nsize);
}
