/*
 * beamr fuzz target: snapshot restore. The input is a module and a
 * snapshot: a 4-byte little-endian length, that many bytes of module
 * binary, then the snapshot (its checksum recomputed, so that mutations
 * reach the checks behind it). The snapshot is restored into a fresh
 * instance, which then runs its exports: a restore either fails before
 * changing anything or leaves an instance that is safe to run.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "reseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
restore_and_run(br_store_t *store, const br_module_t *m, uint8_t *snap,
                size_t snap_size)
{
    br_instance_t *inst = fuzz_instantiate(store, m);
    if (inst == NULL)
        return;
    if (snap_size >= BRI_HEADER_SIZE)
        reseal(snap, snap_size);
    br_error_t err;
    if (br_instance_restore(inst, snap, snap_size, &err) == BR_ERR_OK)
        fuzz_run_exports(store, inst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static br_engine_t *engine;
    if (engine == NULL)
        engine = fuzz_engine();
    if (size < 4)
        return 0;
    size_t mod_size = (size_t)data[0] | (size_t)data[1] << 8 |
                      (size_t)data[2] << 16 | (size_t)data[3] << 24;
    if (mod_size > size - 4)
        return 0;
    br_module_t *m = NULL;
    br_error_t err;
    if (br_module_new(engine, data + 4, mod_size, &m, &err) != BR_ERR_OK)
        return 0;
    size_t snap_size = size - 4 - mod_size;
    /* an exact-size copy, so that ASan sees any read past the end */
    uint8_t *snap = malloc(snap_size ? snap_size : 1);
    br_store_t *store = br_store_new(engine, NULL);
    if (snap != NULL && store != NULL) {
        memcpy(snap, data + 4 + mod_size, snap_size);
        restore_and_run(store, m, snap, snap_size);
    }
    free(snap);
    if (store != NULL)
        br_store_delete(store);
    br_module_delete(m);
    return 0;
}
