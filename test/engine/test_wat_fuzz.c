/*
 * beamr tests: mutation fuzzing of the text format. Takes module texts
 * from the spec suite's scripts (../shared/spec, or SPEC_DIR), mutates
 * them (bytes, parentheses, deletions, duplications, truncation) and
 * feeds them to br_wat_to_wasm, br_wast_parse and, when the text
 * encodes, to br_module_new. Under ASan any overflow or leak fails the
 * run; every refusal must be a well-formed error. Runs for a fixed
 * number of mutations or BEAMR_FUZZ_SECONDS (default 2) seconds.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../c_src/engine/text/br_text.h"
#include "check.h"

#define MAX_SEEDS 4096
#define MAX_ITERATIONS 200000

static const char *const fallback_seeds[] = {
    "(module (func $f (param i32) (result i32) (if (result i32) (local.get 0)"
    " (then (i32.const 1)) (else (i32.const 2)))) (export \"f\" (func $f)))",
    "(module (memory 1) (data (i32.const 0) \"\\00\\ff\") (table 1 funcref)"
    " (elem (i32.const 0) $g) (func $g (result f64) (f64.const 0x1.8p3)))",
};

static const char *const files[] = {
    "core/block.wast", "core/const.wast", "core/data.wast", "core/elem.wast",
    "core/if.wast", "core/float_literals.wast", "core/simd_const.wast",
    "core/br_table.wast", "core/tokens.wast", "core/names.wast",
    "proposals/exception-handling/try_catch.wast",
    "proposals/multi-memory/memory.wast",
};

typedef struct seeds {
    char *texts[MAX_SEEDS];
    size_t lens[MAX_SEEDS];
    size_t count;
} seeds_t;

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t
next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static char *
read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 &&
        fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
        fread(buf, 1, (size_t)n, fp) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

/* Every "(module" at the start of a line, up to its balancing ')'
 * (strings and comments are not special: a mutation source need not be
 * exact). */
static void
add_modules(seeds_t *s, const char *text, size_t len)
{
    for (size_t i = 0; i + 7 < len && s->count < MAX_SEEDS; i++) {
        size_t depth = 0, j = i;
        if ((i > 0 && text[i - 1] != '\n') || memcmp(text + i, "(module", 7))
            continue;
        for (; j < len; j++) {
            depth += text[j] == '(';
            if (text[j] == ')' && --depth == 0)
                break;
        }
        if (j >= len || j - i > 8192)
            continue;
        s->lens[s->count] = j + 1 - i;
        s->texts[s->count] = malloc(j + 1 - i);
        if (!s->texts[s->count])
            return;
        memcpy(s->texts[s->count++], text + i, j + 1 - i);
    }
}

static void
load_seeds(seeds_t *s)
{
    const char *dir = getenv("SPEC_DIR");
    char path[1024];
    if (!dir)
        dir = "../shared/spec";
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        size_t len;
        char *text;
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        text = read_all(path, &len);
        if (text)
            add_modules(s, text, len);
        free(text);
    }
    for (size_t k = 0; k < 2 && s->count < MAX_SEEDS; k++) {
        s->lens[s->count] = strlen(fallback_seeds[k]);
        s->texts[s->count] = malloc(s->lens[s->count]);
        if (s->texts[s->count])
            memcpy(s->texts[s->count], fallback_seeds[k], s->lens[s->count]);
        s->count += s->texts[s->count] != NULL;
    }
}

/* One mutation of buf[0..*len) (capacity cap). */
static void
mutate(char *buf, size_t *len, size_t cap)
{
    static const char interesting[] = "()$\";0x.-+_ \\\n=pPeE:nan9inf";
    size_t n = *len, at = n ? next_rand() % n : 0;
    size_t span = 1 + next_rand() % 16;
    switch (next_rand() % 6) {
    case 0: /* replace a byte */
        if (n)
            buf[at] = next_rand() % 4 ? interesting[next_rand() %
                                                    (sizeof interesting - 1)]
                                      : (char)next_rand();
        break;
    case 1: /* delete a span */
        if (at + span > n)
            span = n - at;
        memmove(buf + at, buf + at + span, n - at - span);
        *len = n - span;
        break;
    case 2: /* duplicate a span */
        if (at + span > n)
            span = n - at;
        if (n + span <= cap) {
            memmove(buf + at + span, buf + at, n - at);
            *len = n + span;
        }
        break;
    case 3: /* insert a parenthesis */
        if (n + 1 <= cap) {
            memmove(buf + at + 1, buf + at, n - at);
            buf[at] = next_rand() % 2 ? '(' : ')';
            *len = n + 1;
        }
        break;
    case 4: /* truncate */
        *len = at;
        break;
    default: /* swap two bytes */
        if (n) {
            size_t b = next_rand() % n;
            char t = buf[at];
            buf[at] = buf[b];
            buf[b] = t;
        }
        break;
    }
}

static bool
well_formed_error(br_text_err_t code, const br_text_error_t *err)
{
    return code > BR_TEXT_ERR_OK && code < BR_TEXT_ERR__COUNT &&
           err->code == code && err->line >= 1 && err->column >= 1 &&
           err->message[0] != '\0';
}

static void
feed(br_engine_t *e, const char *text, size_t len, unsigned long *encoded,
     unsigned long *bad_errors)
{
    uint8_t *bytes;
    size_t size;
    br_text_error_t err;
    br_text_err_t code = br_wat_to_wasm(e, text, len, &bytes, &size, &err);
    br_wast_script_t *script;
    if (code == BR_TEXT_ERR_OK) {
        br_module_t *m;
        br_error_t error;
        (*encoded)++;
        if (br_module_new(e, bytes, size, &m, &error) == BR_ERR_OK)
            br_module_delete(m);
        br_engine_free_buffer(e, bytes, size);
    } else if (!well_formed_error(code, &err)) {
        (*bad_errors)++;
    }
    code = br_wast_parse(e, text, len, &script, &err);
    if (code == BR_TEXT_ERR_OK)
        br_wast_delete(script);
    else if (!well_formed_error(code, &err))
        (*bad_errors)++;
}

int
main(void)
{
    br_engine_t *e = br_engine_new(NULL);
    seeds_t *s = calloc(1, sizeof *s);
    const char *env = getenv("BEAMR_FUZZ_SECONDS");
    double seconds = env ? atof(env) : 2.0;
    clock_t start = clock();
    unsigned long runs = 0, encoded = 0, bad_errors = 0;
    char *buf = malloc(16384);
    if (!e || !s || !buf)
        return 1;
    load_seeds(s);
    CHECK(s->count > 0);
    while (runs < MAX_ITERATIONS &&
           (double)(clock() - start) / CLOCKS_PER_SEC < seconds) {
        size_t k = next_rand() % s->count, len = s->lens[k];
        unsigned mutations = 1 + (unsigned)(next_rand() % 4);
        memcpy(buf, s->texts[k], len);
        for (unsigned m = 0; m < mutations; m++)
            mutate(buf, &len, 16384);
        feed(e, buf, len, &encoded, &bad_errors);
        runs++;
    }
    printf("test_wat_fuzz: %zu seeds, %lu mutants, %lu encoded\n", s->count,
           runs, encoded);
    CHECK(runs >= 100);
    CHECK_EQ(bad_errors, 0);
    for (size_t k = 0; k < s->count; k++)
        free(s->texts[k]);
    free(s);
    free(buf);
    br_engine_delete(e);
    return CHECK_DONE();
}
