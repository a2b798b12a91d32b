/*
 * beamr tests: a tiny WebAssembly binary builder for hand-assembled test
 * modules: the opcodes they use, sections in binary order with computed
 * sizes, LEB128 immediates, and the few entries the tests need.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEST_WASM_BUILD_H
#define BR_TEST_WASM_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beamr.h"

/* Opcodes and types of the tests' hand-assembled bodies. */
enum {
    UNREACHABLE = 0x00,
    BLOCK = 0x02,
    LOOP = 0x03,
    IF = 0x04,
    ELSE = 0x05,
    TRY = 0x06,
    THROW = 0x08,
    END = 0x0B,
    BR_IF = 0x0D,
    CALL = 0x10,
    RETURN_CALL = 0x12,
    RETURN_CALL_INDIRECT = 0x13,
    CATCH_ALL = 0x19,
    DROP = 0x1A,
    LOCAL_GET = 0x20,
    LOCAL_SET = 0x21,
    LOCAL_TEE = 0x22,
    I32_LOAD = 0x28,
    I32_LOAD8_U = 0x2D,
    I32_STORE = 0x36,
    I32_STORE8 = 0x3A,
    MEMORY_SIZE = 0x3F,
    MEMORY_GROW = 0x40,
    I32_CONST = 0x41,
    I64_CONST = 0x42,
    I32_EQZ = 0x45,
    I32_LT_S = 0x48,
    I32_ADD = 0x6A,
    I32_SUB = 0x6B,
    I32_MUL = 0x6C,
    I64_ADD = 0x7C,
    I64_AND = 0x83,
    I64_XOR = 0x85,
    MISC = 0xFC, /* prefix of the sub-opcodes below */
    MEMORY_INIT = 0x08,
    MEMORY_COPY = 0x0A,
    MEMORY_FILL = 0x0B,
    /* block types and memarg flags */
    VOID = 0x40,
    R_I32 = 0x7F,
    R_I64 = 0x7E,
    MEMIDX = 0x40, /* memarg flag: a memory index follows */
};

/* Value types as wm_type strings: wm_type(m, I32 I32, I64). */
#define I32 "\x7f"
#define I64 "\x7e"
/* A body's empty vector of local declarations. */
#define NO_LOCALS 0x00

/* A growable byte buffer (tests abort on allocation failure). */
typedef struct wb {
    uint8_t *p;
    size_t n, cap;
} wb_t;

static inline void
wb_bytes(wb_t *b, const uint8_t *x, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (b->p == NULL)
            abort();
        b->cap = cap;
    }
    if (n != 0)
        memcpy(b->p + b->n, x, n);
    b->n += n;
}

static inline void
wb_byte(wb_t *b, uint8_t x)
{
    wb_bytes(b, &x, 1);
}

/* The listed bytes as two arguments, a pointer and a count:
 * f(WB_LIST(0x20, 0, 0x0B)) calls f(bytes, 3). */
#define WB_LIST(...) \
    (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* Appends the listed bytes: WB(b, 0x20, 0, 0x0B). */
#define WB(b, ...) wb_bytes((b), WB_LIST(__VA_ARGS__))

static inline void
wb_uleb(wb_t *b, uint64_t v)
{
    do {
        uint8_t x = v & 0x7F;
        v >>= 7;
        wb_byte(b, (uint8_t)(x | (v ? 0x80 : 0)));
    } while (v);
}

static inline void
wb_sleb(wb_t *b, int64_t v)
{
    for (;;) {
        uint8_t x = v & 0x7F;
        v >>= 7; /* arithmetic shift on the targets we build for */
        bool done = (v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40));
        wb_byte(b, (uint8_t)(x | (done ? 0 : 0x80)));
        if (done)
            return;
    }
}

static inline void
wb_name(wb_t *b, const char *s)
{
    wb_uleb(b, strlen(s));
    wb_bytes(b, (const uint8_t *)s, strlen(s));
}

static inline void
wb_free(wb_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Binary section ids. */
enum {
    WS_TYPE = 1,
    WS_IMPORT,
    WS_FUNC,
    WS_TABLE,
    WS_MEMORY,
    WS_GLOBAL,
    WS_EXPORT,
    WS_START,
    WS_ELEM,
    WS_CODE,
    WS_DATA,
    WS_DATACOUNT,
    WS_TAG,
    WS__COUNT
};

/* A module under construction: one buffer and entry count per section. */
typedef struct wmod {
    wb_t sec[WS__COUNT];
    uint32_t count[WS__COUNT];
    uint32_t types, funcs, memories, globals; /* index spaces so far */
} wmod_t;

static inline uint32_t
wm_type(wmod_t *m, const char *params, const char *results)
{
    wb_t *b = &m->sec[WS_TYPE];
    wb_byte(b, 0x60);
    wb_uleb(b, strlen(params));
    wb_bytes(b, (const uint8_t *)params, strlen(params));
    wb_uleb(b, strlen(results));
    wb_bytes(b, (const uint8_t *)results, strlen(results));
    m->count[WS_TYPE]++;
    return m->types++;
}

static inline void
wm_import_head(wmod_t *m, const char *module, const char *name, uint8_t kind)
{
    wb_t *b = &m->sec[WS_IMPORT];
    wb_name(b, module);
    wb_name(b, name);
    wb_byte(b, kind);
    m->count[WS_IMPORT]++;
}

static inline uint32_t
wm_import_func(wmod_t *m, const char *module, const char *name, uint32_t type)
{
    wm_import_head(m, module, name, BR_EXTERN_FUNC);
    wb_uleb(&m->sec[WS_IMPORT], type);
    return m->funcs++;
}

/* Limits: flags bit 0 has-max, bit 2 memory64. */
static inline void
wb_limits(wb_t *b, uint8_t flags, uint64_t min, uint64_t max)
{
    wb_byte(b, flags);
    wb_uleb(b, min);
    if (flags & 1)
        wb_uleb(b, max);
}

static inline uint32_t
wm_import_memory(wmod_t *m, const char *module, const char *name, uint8_t flags,
                 uint64_t min, uint64_t max)
{
    wm_import_head(m, module, name, BR_EXTERN_MEMORY);
    wb_limits(&m->sec[WS_IMPORT], flags, min, max);
    return m->memories++;
}

static inline uint32_t
wm_memory(wmod_t *m, uint8_t flags, uint64_t min, uint64_t max)
{
    wb_limits(&m->sec[WS_MEMORY], flags, min, max);
    m->count[WS_MEMORY]++;
    return m->memories++;
}

/* A global of value type `type`; `init` is its constant expression
 * without the closing `end`. */
static inline uint32_t
wm_global(wmod_t *m, uint8_t type, bool mutable_, const uint8_t *init, size_t n)
{
    wb_t *b = &m->sec[WS_GLOBAL];
    wb_byte(b, type);
    wb_byte(b, mutable_ ? 1 : 0);
    wb_bytes(b, init, n);
    wb_byte(b, END);
    m->count[WS_GLOBAL]++;
    return m->globals++;
}

static inline void
wm_table(wmod_t *m, uint8_t elem, uint32_t min)
{
    wb_byte(&m->sec[WS_TABLE], elem);
    wb_limits(&m->sec[WS_TABLE], 0, min, 0);
    m->count[WS_TABLE]++;
}

static inline void
wm_tag(wmod_t *m, uint32_t type)
{
    WB(&m->sec[WS_TAG], 0x00);
    wb_uleb(&m->sec[WS_TAG], type);
    m->count[WS_TAG]++;
}

/* A defined function; `body` holds its locals vector and code (ending
 * with `end`) and is consumed. */
static inline uint32_t
wm_func(wmod_t *m, uint32_t type, wb_t *body)
{
    wb_uleb(&m->sec[WS_FUNC], type);
    m->count[WS_FUNC]++;
    wb_uleb(&m->sec[WS_CODE], body->n);
    wb_bytes(&m->sec[WS_CODE], body->p, body->n);
    m->count[WS_CODE]++;
    wb_free(body);
    return m->funcs++;
}

/* A defined function without locals whose body is `code` (ending with
 * `end`). */
static inline uint32_t
wm_func_code(wmod_t *m, uint32_t type, const uint8_t *code, size_t n)
{
    wb_t b = {0};
    wb_byte(&b, NO_LOCALS);
    wb_bytes(&b, code, n);
    return wm_func(m, type, &b);
}

/* wm_func_code with the body's bytes listed:
 * WM_FUNC(m, type, LOCAL_GET, 0, END). */
#define WM_FUNC(m, type, ...) wm_func_code((m), (type), WB_LIST(__VA_ARGS__))

static inline void
wm_export(wmod_t *m, const char *name, uint8_t kind, uint32_t index)
{
    wb_name(&m->sec[WS_EXPORT], name);
    wb_byte(&m->sec[WS_EXPORT], kind);
    wb_uleb(&m->sec[WS_EXPORT], index);
    m->count[WS_EXPORT]++;
}

/* (elem (table 0) (i32.const offset) func ...) */
static inline void
wm_elem(wmod_t *m, uint32_t offset, const uint32_t *funcs, uint32_t n)
{
    wb_t *b = &m->sec[WS_ELEM];
    WB(b, 0x00, 0x41);
    wb_sleb(b, offset);
    WB(b, 0x0B);
    wb_uleb(b, n);
    for (uint32_t i = 0; i < n; i++)
        wb_uleb(b, funcs[i]);
    m->count[WS_ELEM]++;
}

/* An active data segment of memory `mem` at a constant offset (an
 * i64.const one for memory64), or a passive one if mem < 0. */
static inline void
wm_data(wmod_t *m, int mem, bool is64, uint64_t offset, const char *bytes)
{
    wb_t *b = &m->sec[WS_DATA];
    if (mem < 0) {
        WB(b, 0x01);
    } else {
        if (mem == 0) {
            WB(b, 0x00);
        } else {
            WB(b, 0x02);
            wb_uleb(b, (uint32_t)mem);
        }
        wb_byte(b, is64 ? 0x42 : 0x41);
        wb_sleb(b, (int64_t)offset);
        WB(b, 0x0B);
    }
    wb_name(b, bytes);
    m->count[WS_DATA]++;
}

/* The binary, sections in their required order (tag after memory,
 * datacount before code); the module's buffers are freed. */
static inline void
wm_finish(wmod_t *m, wb_t *out)
{
    static const uint8_t order[] = {
        WS_TYPE,      WS_IMPORT, WS_FUNC,   WS_TABLE, WS_MEMORY,
        WS_TAG,       WS_GLOBAL, WS_EXPORT, WS_START, WS_ELEM,
        WS_DATACOUNT, WS_CODE,   WS_DATA};
    WB(out, 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00);
    if (m->count[WS_DATA] != 0)
        m->count[WS_DATACOUNT] = 1; /* memory.init and data.drop need it */
    for (size_t i = 0; i < sizeof order; i++) {
        uint8_t id = order[i];
        if (m->count[id] == 0)
            continue;
        wb_t content = {0};
        if (id == WS_DATACOUNT)
            wb_uleb(&content, m->count[WS_DATA]);
        else
            wb_uleb(&content, m->count[id]);
        wb_bytes(&content, m->sec[id].p, m->sec[id].n);
        wb_byte(out, id);
        wb_uleb(out, content.n);
        wb_bytes(out, content.p, content.n);
        wb_free(&content);
    }
    for (int i = 0; i < WS__COUNT; i++)
        wb_free(&m->sec[i]);
}

/* Builds and compiles the module; NULL (with the error printed) if the
 * engine refuses it. *code gets the error code when not NULL. */
static inline br_module_t *
wm_load(br_engine_t *e, wmod_t *m, br_err_t *code)
{
    wb_t bin = {0};
    br_module_t *mod = NULL;
    br_error_t err;
    wm_finish(m, &bin);
    br_err_t rc = br_module_new(e, bin.p, bin.n, &mod, &err);
    if (code)
        *code = rc;
    else if (rc != BR_ERR_OK)
        fprintf(stderr, "module: %s at %llu\n", err.message,
                (unsigned long long)err.offset);
    wb_free(&bin);
    return rc == BR_ERR_OK ? mod : NULL;
}

/* Builds and compiles the module only for the engine's verdict: the
 * error code (BR_ERR_OK if it compiles; the module is not kept). */
static inline br_err_t
wm_load_rc(br_engine_t *e, wmod_t *m)
{
    br_err_t rc = BR_ERR_OK;
    br_module_delete(wm_load(e, m, &rc));
    return rc;
}

#endif
