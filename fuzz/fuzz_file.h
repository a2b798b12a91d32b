/*
 * beamr fuzzing: reading a whole file, for the plain (non-libFuzzer)
 * helpers: seedgen and the differential driver fuzz/diff/diff_run.c.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_FUZZ_FILE_H
#define BR_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The bytes of `path` (malloc'ed, one spare byte so that an empty file
 * still gets a buffer) and their count in *size, or NULL if the file
 * cannot be opened or read whole. */
static inline uint8_t *
fuzz_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) == (size_t)n)
        *size = (size_t)n;
    else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

#endif
