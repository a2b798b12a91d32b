/*
 * beamr fuzzing: makes seed inputs for the aot and snapshot targets from
 * ordinary modules. `seedgen OUTDIR` reads lines "IN.wasm NAME" from
 * stdin and writes OUTDIR/aot/NAME (the serialized module) and
 * OUTDIR/snapshot/NAME (the snapshot target's input: length, module,
 * snapshot taken after running its exports under the same stubs and
 * limits as the fuzz targets). A module that does not compile or cannot
 * be snapshotted is skipped.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "fuzz_file.h"

static bool
write_all(const char *path, const uint8_t *a, size_t an, const uint8_t *b,
          size_t bn)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return false;
    bool ok = fwrite(a, 1, an, f) == an && fwrite(b, 1, bn, f) == bn;
    return fclose(f) == 0 && ok;
}

static bool
aot_seed(br_engine_t *e, br_module_t *m, const char *out)
{
    uint8_t *buf;
    size_t n;
    if (br_module_serialize(m, &buf, &n) != BR_ERR_OK)
        return false;
    bool ok = write_all(out, buf, n, NULL, 0);
    br_engine_free_buffer(e, buf, n);
    return ok;
}

static bool
snapshot_seed(br_engine_t *e, br_module_t *m, const uint8_t *bytes,
              size_t size, const char *out)
{
    br_store_t *store = br_store_new(e, NULL);
    br_instance_t *inst = store ? fuzz_instantiate(store, m) : NULL;
    bool ok = false;
    uint8_t *snap;
    size_t n;
    if (inst != NULL) {
        fuzz_run_exports(store, inst);
        if (br_instance_snapshot(inst, &snap, &n) == BR_ERR_OK) {
            uint8_t head[4] = {(uint8_t)size, (uint8_t)(size >> 8),
                               (uint8_t)(size >> 16), (uint8_t)(size >> 24)};
            uint8_t *all = malloc(4 + size);
            if (all != NULL) {
                memcpy(all, head, 4);
                memcpy(all + 4, bytes, size);
                ok = write_all(out, all, 4 + size, snap, n);
                free(all);
            }
            br_engine_free_buffer(e, snap, n);
        }
    }
    if (store != NULL)
        br_store_delete(store);
    return ok;
}

/* Both seeds of one module. */
static void
seeds_of(br_engine_t *e, const char *in, const char *dir, const char *name)
{
    size_t size = 0;
    uint8_t *bytes = fuzz_read_file(in, &size);
    br_module_t *m = NULL;
    br_error_t err;
    char out[4096];
    if (bytes != NULL &&
        br_module_new(e, bytes, size, &m, &err) == BR_ERR_OK) {
        snprintf(out, sizeof out, "%s/aot/%s", dir, name);
        aot_seed(e, m, out);
        snprintf(out, sizeof out, "%s/snapshot/%s", dir, name);
        snapshot_seed(e, m, bytes, size, out);
        br_module_delete(m);
    }
    free(bytes);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: seedgen OUTDIR < 'IN.wasm NAME' lines\n");
        return 2;
    }
    br_engine_t *e = fuzz_engine();
    char line[4096], in[4096], name[256];
    while (e != NULL && fgets(line, sizeof line, stdin) != NULL)
        if (sscanf(line, "%4095s %255s", in, name) == 2)
            seeds_of(e, in, argv[1], name);
    if (e != NULL)
        br_engine_delete(e);
    return e != NULL ? 0 : 1;
}
