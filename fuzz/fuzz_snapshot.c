/*
 * beamr fuzz target: snapshot restore. The input is a module and a
 * snapshot: a 4-byte little-endian length, that many bytes of module
 * binary, then the snapshot (its checksum recomputed, so that mutations
 * reach the checks behind it). The snapshot is restored into a fresh
 * instance, which then runs its exports: a restore either fails before
 * changing anything or leaves an instance that is safe to run. A
 * restored instance's own snapshot must restore into another fresh
 * instance and snapshot to the same bytes (abort otherwise).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "reseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static br_engine_t *engine; /* one for the whole run */

/* Snapshot of `inst` restored into a fresh instance of the same module
 * must give the same snapshot again. */
static void
check_stable(br_store_t *store, const br_module_t *m, br_instance_t *inst)
{
    uint8_t *a = NULL, *b = NULL;
    size_t an = 0, bn = 0;
    if (br_instance_snapshot(inst, &a, &an) != BR_ERR_OK)
        return; /* e.g. a reference it cannot name: an error, not a bug */
    br_instance_t *other = fuzz_instantiate(store, m);
    br_error_t err;
    if (other != NULL) {
        br_err_t rc = br_instance_restore(other, a, an, &err);
        if (rc != BR_ERR_OK && rc != BR_ERR_OUT_OF_MEMORY) {
            fprintf(stderr, "own snapshot refused: %s\n", err.message);
            abort();
        }
        if (rc == BR_ERR_OK &&
            br_instance_snapshot(other, &b, &bn) == BR_ERR_OK &&
            (an != bn || memcmp(a, b, an) != 0)) {
            fprintf(stderr, "snapshot changed by a restore\n");
            abort();
        }
    }
    if (b != NULL)
        br_engine_free_buffer(engine, b, bn);
    br_engine_free_buffer(engine, a, an);
}

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
    if (br_instance_restore(inst, snap, snap_size, &err) == BR_ERR_OK) {
        check_stable(store, m, inst);
        fuzz_run_exports(store, inst);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
