/*
 * wat-bench: the text format's speed, in-process. For each file, the
 * best of N runs of br_wat_to_wasm (.wat) or br_wast_parse (.wast, which
 * encodes every module of the script), in ms of CPU time (user + system:
 * on a shared machine wall time mostly measures the neighbours) and MB/s
 * of text.
 *   wat-bench [--runs N] [--emit OUT.wasm] FILE...
 *   wat-bench --dump DIR FILE.wast   writes the binary of every module
 *                                    command, in order, as DIR/N.wasm
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <time.h>

#include "../../c_src/engine/text/br_text.h"
#include "tool_util.h"

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
write_file(const char *path, const uint8_t *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(bytes, 1, size, f) == size;
    if (f)
        fclose(f);
    return ok;
}

/* One run; returns 0 on success. */
static int
run_once(br_engine_t *e, const char *text, size_t len, int wast,
         const char *emit)
{
    br_text_error_t err;
    if (wast) {
        br_wast_script_t *s;
        if (br_wast_parse(e, text, len, &s, &err) != BR_TEXT_ERR_OK) {
            fprintf(stderr, "%u:%u: %s\n", err.line, err.column, err.message);
            return 1;
        }
        br_wast_delete(s);
    } else {
        uint8_t *out;
        size_t size;
        if (br_wat_to_wasm(e, text, len, &out, &size, &err) != BR_TEXT_ERR_OK) {
            fprintf(stderr, "%u:%u: %s\n", err.line, err.column, err.message);
            return 1;
        }
        if (emit && !write_file(emit, out, size))
            fprintf(stderr, "wat-bench: cannot write %s\n", emit);
        br_engine_free_buffer(e, out, size);
    }
    return 0;
}

static int
dump(br_engine_t *e, const char *dir, const char *path)
{
    size_t len, n = 0;
    char *text = (char *)read_file(path, &len);
    br_wast_script_t *s;
    br_text_error_t err;
    char out[4096];
    if (!text || br_wast_parse(e, text, len, &s, &err) != BR_TEXT_ERR_OK) {
        fprintf(stderr, "wat-bench: cannot read %s\n", path);
        free(text);
        return 1;
    }
    for (size_t i = 0; i < br_wast_command_count(s); i++) {
        const br_wast_command_t *c = br_wast_command(s, i);
        if (c->kind != BR_WAST_MODULE)
            continue;
        snprintf(out, sizeof out, "%s/%zu.wasm", dir, n++);
        if (c->module.bytes)
            write_file(out, c->module.bytes, c->module.size);
    }
    printf("%zu modules\n", n);
    br_wast_delete(s);
    free(text);
    return 0;
}

int
main(int argc, char **argv)
{
    br_engine_t *e = br_engine_new(NULL);
    int runs = 5, i = 1, status = 0;
    const char *emit = NULL;
    if (argc >= 4 && strcmp(argv[1], "--dump") == 0)
        return dump(e, argv[2], argv[3]);
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "--runs") == 0)
            runs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--emit") == 0)
            emit = argv[i + 1];
    }
    for (; i < argc; i++) {
        size_t len;
        char *text = (char *)read_file(argv[i], &len);
        double best = 1e30;
        int wast = ends_with(argv[i], ".wast");
        if (!text) {
            fprintf(stderr, "wat-bench: cannot read %s\n", argv[i]);
            return 2;
        }
        for (int r = 0; r < runs; r++) {
            double t0 = cpu_ms();
            status |= run_once(e, text, len, wast, r == 0 ? emit : NULL);
            double t = cpu_ms() - t0;
            if (t < best)
                best = t;
        }
        printf("%s\t%zu\t%.3f\t%.1f\n", argv[i], len, best,
               (double)len / 1e6 / (best / 1e3));
        free(text);
    }
    br_engine_delete(e);
    return status;
}
