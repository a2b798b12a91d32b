/*
 * beamr tests: the binary decoder and module plumbing (alloc, errors,
 * opcode tables, engine, module descriptions) on hand-built binaries,
 * with allocation-failure injection.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"
#include "reader.h"

/* The decoder is tested alone: validation always succeeds here. */
br_err_t
bri_validate(br_module_t *m, br_error_t *error)
{
    (void)m;
    (void)error;
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* A byte builder for modules                                          */

typedef struct buf {
    uint8_t data[1 << 17];
    size_t len;
} buf_t;

static void
put(buf_t *b, const void *p, size_t n)
{
    if (b->len + n > sizeof b->data)
        abort();
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

#define PUT(b, ...)                        \
    put(b, (const uint8_t[]){__VA_ARGS__}, \
        sizeof((const uint8_t[]){__VA_ARGS__}))

static void
put_leb(buf_t *b, uint64_t v)
{
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        if (v)
            byte |= 0x80;
        put(b, &byte, 1);
    } while (v);
}

static void
put_name(buf_t *b, const char *s)
{
    put_leb(b, strlen(s));
    put(b, s, strlen(s));
}

static void
header(buf_t *b)
{
    b->len = 0;
    PUT(b, 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00);
}

/* Sizes are written as padded 5-byte LEBs (valid: LEBs may be
 * non-minimal) so offsets recorded while building stay final. */
static size_t
begin_sized(buf_t *b)
{
    PUT(b, 0x80, 0x80, 0x80, 0x80, 0x00);
    return b->len;
}

static void
end_sized(buf_t *b, size_t start)
{
    uint32_t n = (uint32_t)(b->len - start);
    uint8_t *p = b->data + start - 5;
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(((n >> (7 * i)) & 0x7F) | 0x80);
    p[4] = (uint8_t)(n >> 28);
}

static size_t
begin_section(buf_t *b, uint8_t id)
{
    put(b, &id, 1);
    return begin_sized(b);
}

static void
custom_section(buf_t *b, const char *name, const char *payload)
{
    size_t s = begin_section(b, 0);
    put_name(b, name);
    put(b, payload, strlen(payload));
    end_sized(b, s);
}

/* ------------------------------------------------------------------ */
/* A counting allocator that can fail the Nth request                   */

#define MAX_BLOCKS 4096

typedef struct test_alloc {
    size_t live;   /* bytes currently allocated */
    long requests; /* allocation and growth requests so far */
    long fail_at;  /* request number to refuse, or -1 */
    int bad_sizes; /* frees or reallocs whose osize was wrong */
    size_t nblocks;
    struct {
        void *p;
        size_t n;
    } blocks[MAX_BLOCKS];
} test_alloc_t;

static size_t
find_block(test_alloc_t *t, void *p)
{
    for (size_t i = 0; i < t->nblocks; i++)
        if (t->blocks[i].p == p)
            return i;
    return MAX_BLOCKS;
}

static void *
test_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    test_alloc_t *t = ud;
    size_t i = MAX_BLOCKS;
    if (ptr) {
        i = find_block(t, ptr);
        if (i == MAX_BLOCKS || t->blocks[i].n != osize)
            t->bad_sizes++;
    }
    if (nsize == 0) {
        if (i < MAX_BLOCKS) {
            t->live -= t->blocks[i].n;
            t->blocks[i] = t->blocks[--t->nblocks];
        }
        free(ptr);
        return NULL;
    }
    if (t->requests++ == t->fail_at)
        return NULL;
    if (!ptr && t->nblocks == MAX_BLOCKS)
        return NULL;
    void *q = realloc(ptr, nsize);
    if (!q)
        return NULL;
    if (i < MAX_BLOCKS) {
        t->live -= t->blocks[i].n;
    } else {
        i = t->nblocks++;
    }
    t->blocks[i].p = q;
    t->blocks[i].n = nsize;
    t->live += nsize;
    return q;
}

static test_alloc_t test_allocator;

static br_engine_t *
counting_engine(long fail_at)
{
    memset(&test_allocator, 0, sizeof test_allocator);
    test_allocator.fail_at = fail_at;
    br_config_t cfg = {0};
    cfg.alloc = test_alloc_fn;
    cfg.alloc_ud = &test_allocator;
    return br_engine_new(&cfg);
}

/* ------------------------------------------------------------------ */
/* A module using every section                                        */

/* Offsets recorded while building, to compare with the decoder's. */
typedef struct marks {
    size_t global0_init;
    size_t elem0_offset;
    size_t body0, body0_end;
    size_t body1;
    size_t data0_bytes;
} marks_t;

static void
full_types_imports(buf_t *b)
{
    size_t s = begin_section(b, 1);
    PUT(b, 3);
    PUT(b, 0x60, 2, BR_I32, BR_I64, 1, BR_F32); /* 0: (i32 i64) -> f32 */
    PUT(b, 0x60, 0, 0);                         /* 1: () -> () */
    PUT(b, 0x60, 1, BR_I32, 0);                 /* 2: (i32) -> () */
    end_sized(b, s);

    s = begin_section(b, 2);
    PUT(b, 5);
    put_name(b, "env");
    put_name(b, "f");
    PUT(b, BR_EXTERN_FUNC, 0);
    put_name(b, "env");
    put_name(b, "t");
    PUT(b, BR_EXTERN_TABLE, BR_FUNCREF, 0x01, 1, 10);
    put_name(b, "m\xc3\xbc");        /* "mü" */
    put_name(b, "\xf0\x9f\x98\x80"); /* U+1F600 */
    PUT(b, BR_EXTERN_MEMORY, 0x00, 1);
    put_name(b, "env");
    put_name(b, "g");
    PUT(b, BR_EXTERN_GLOBAL, BR_I32, 1);
    put_name(b, "env");
    put_name(b, "e");
    PUT(b, BR_EXTERN_TAG, 0, 2);
    end_sized(b, s);
}

static void
full_decls(buf_t *b, marks_t *mk)
{
    size_t s = begin_section(b, 3); /* functions 2 and 3 */
    PUT(b, 2, 1, 0);
    end_sized(b, s);
    custom_section(b, "mid", "");

    s = begin_section(b, 4);
    PUT(b, 1, BR_EXTERNREF, 0x00, 2);
    end_sized(b, s);

    s = begin_section(b, 5); /* memory64 with max 2^32, shared memory */
    PUT(b, 2, 0x05, 1, 0x80, 0x80, 0x80, 0x80, 0x10, 0x03, 1, 2);
    end_sized(b, s);

    s = begin_section(b, 13);
    PUT(b, 1, 0, 2);
    end_sized(b, s);

    s = begin_section(b, 6);
    PUT(b, 3, BR_I64, 0);
    mk->global0_init = b->len;
    PUT(b, 0x42, 0x7B, 0x0B);             /* i64.const -5 */
    PUT(b, BR_FUNCREF, 0, 0xD2, 1, 0x0B); /* ref.func 1 */
    PUT(b, BR_F64, 1, 0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x0B);
    end_sized(b, s);
}

static void
full_exports_elems(buf_t *b, marks_t *mk)
{
    size_t s = begin_section(b, 7);
    PUT(b, 5);
    put_name(b, "f1");
    PUT(b, BR_EXTERN_FUNC, 2);
    put_name(b, "mem");
    PUT(b, BR_EXTERN_MEMORY, 1);
    put_name(b, "tab");
    PUT(b, BR_EXTERN_TABLE, 1);
    put_name(b, "glob");
    PUT(b, BR_EXTERN_GLOBAL, 1);
    put_name(b, "tag");
    PUT(b, BR_EXTERN_TAG, 1);
    end_sized(b, s);

    s = begin_section(b, 8);
    PUT(b, 2);
    end_sized(b, s);

    s = begin_section(b, 9);
    PUT(b, 8);
    PUT(b, 0);
    mk->elem0_offset = b->len;
    PUT(b, 0x41, 0, 0x0B, 2, 1, 2);          /* flags 0 */
    PUT(b, 1, 0x00, 1, 0);                   /* flags 1 */
    PUT(b, 2, 1, 0x41, 1, 0x0B, 0x00, 1, 2); /* flags 2 */
    PUT(b, 3, 0x00, 1, 1);                   /* flags 3 */
    PUT(b, 4, 0x41, 2, 0x0B, 2, 0xD2, 0, 0x0B, 0xD0, BR_FUNCREF, 0x0B);
    PUT(b, 5, BR_FUNCREF, 1, 0xD2, 2, 0x0B); /* flags 5 */
    PUT(b, 6, 1, 0x41, 0, 0x0B, BR_EXTERNREF, 1, 0xD0, BR_EXTERNREF,
        0x0B);                               /* flags 6 */
    PUT(b, 7, BR_FUNCREF, 1, 0xD2, 1, 0x0B); /* flags 7 */
    end_sized(b, s);

    s = begin_section(b, 12);
    PUT(b, 3);
    end_sized(b, s);
}

static void
full_code_data(buf_t *b, marks_t *mk)
{
    size_t s = begin_section(b, 10);
    PUT(b, 2);
    size_t f = begin_sized(b);
    PUT(b, 3, 2, BR_I32, 1, BR_F64, 0, BR_I64);
    mk->body0 = b->len;
    PUT(b, 0x01, 0x0B); /* nop end */
    mk->body0_end = b->len;
    end_sized(b, f);
    f = begin_sized(b);
    PUT(b, 0);
    mk->body1 = b->len;
    PUT(b, 0x20, 0, 0x1A, 0x43, 0, 0, 0, 0, 0x0B);
    end_sized(b, f);
    end_sized(b, s);

    s = begin_section(b, 11);
    PUT(b, 3);
    PUT(b, 0, 0x41, 16, 0x0B, 3);
    mk->data0_bytes = b->len;
    PUT(b, 'a', 'b', 'c');
    PUT(b, 1, 2, 'x', 'y');
    PUT(b, 2, 1, 0x42, 0, 0x0B, 0);
    end_sized(b, s);
    custom_section(b, "last", "payload");
}

static void
build_full(buf_t *b, marks_t *mk)
{
    header(b);
    custom_section(b, "first", "\x01\x02");
    full_types_imports(b);
    full_decls(b, mk);
    full_exports_elems(b, mk);
    full_code_data(b, mk);
}

/* ------------------------------------------------------------------ */
/* Checks of the decoded full module                                   */

static bool
name_is(br_name_t n, const char *s)
{
    return n.size == strlen(s) && memcmp(n.data, s, n.size) == 0;
}

static void
check_full_types_imports(const br_module_t *m)
{
    CHECK_EQ(m->type_count, 3);
    CHECK_EQ(m->types[0].param_count, 2);
    CHECK_EQ(m->types[0].params[1], BR_I64);
    CHECK_EQ(m->types[0].result_count, 1);
    CHECK_EQ(m->types[0].results[0], BR_F32);
    CHECK_EQ(m->types[1].param_count + m->types[1].result_count, 0);
    /* the validator's copy: the same types, one word each */
    uint32_t vals = 0;
    for (uint32_t i = 0; i < m->type_count; i++) {
        const br_functype_t *t = &m->types[i];
        vals += t->param_count + t->result_count;
        const bri_functype_t *ft = &m->ftypes[i];
        CHECK_EQ(ft->param_count, t->param_count);
        CHECK_EQ(ft->result_count, t->result_count);
        for (uint32_t k = 0; k < t->param_count; k++)
            CHECK_EQ(ft->params[k], bri_vt_of_kind(t->params[k]));
        for (uint32_t k = 0; k < t->result_count; k++)
            CHECK_EQ(ft->results[k], bri_vt_of_kind(t->results[k]));
    }
    CHECK_EQ(m->type_val_count, vals);
    CHECK_EQ(m->import_count, 5);
    CHECK(name_is(m->imports[2].module, "m\xc3\xbc"));
    CHECK(name_is(m->imports[2].name, "\xf0\x9f\x98\x80"));
    /* names point into the module's own copy */
    CHECK((const uint8_t *)m->imports[0].module.data >= m->bytes &&
          (const uint8_t *)m->imports[0].module.data < m->bytes + m->size);
    for (uint32_t i = 0; i < 5; i++) {
        CHECK_EQ(m->imports[i].kind, i);
        CHECK_EQ(m->imports[i].index, 0);
    }
}

static void
check_full_spaces(const br_module_t *m, const marks_t *mk)
{
    CHECK_EQ(m->func_count, 3);
    CHECK_EQ(m->func_import_count, 1);
    CHECK_EQ(m->funcs[0].type, 0);
    CHECK_EQ(m->funcs[1].type, 1);
    CHECK_EQ(m->funcs[2].type, 0);
    CHECK_EQ(m->table_count, 2);
    CHECK_EQ(m->table_import_count, 1);
    CHECK_EQ(m->tables[0].elem, BR_FUNCREF);
    CHECK(m->tables[0].limits.has_max);
    CHECK_EQ(m->tables[0].limits.max, 10);
    CHECK_EQ(m->tables[1].elem, BR_EXTERNREF);
    CHECK_EQ(m->tables[1].limits.min, 2);
    CHECK(!m->tables[1].limits.has_max);
    CHECK_EQ(m->memory_count, 3);
    CHECK(!m->memories[0].is64);
    CHECK(m->memories[1].is64 && m->memories[1].has_max);
    CHECK_EQ(m->memories[1].max, 1ull << 32);
    CHECK(m->memories[2].shared && !m->memories[2].is64);
    CHECK_EQ(m->tag_count, 2);
    CHECK_EQ(m->tags[0], 2);
    CHECK_EQ(m->tags[1], 2);
    CHECK_EQ(m->global_count, 4);
    CHECK(m->globals[0].mutable_ && m->globals[0].kind == BR_I32);
    CHECK(!m->globals[1].mutable_ && m->globals[1].kind == BR_I64);
    CHECK_EQ(m->globals[1].init.offset, mk->global0_init);
    CHECK_EQ(m->globals[1].init.size, 3);
    CHECK(m->globals[1].init.code == m->bytes + mk->global0_init);
    CHECK_EQ(m->globals[2].kind, BR_FUNCREF);
    CHECK_EQ(m->globals[3].init.size, 10);
    CHECK(m->globals[3].mutable_);
}

static void
check_full_elems(const br_module_t *m, const marks_t *mk)
{
    static const uint8_t modes[8] = {
        BRI_SEG_ACTIVE, BRI_SEG_PASSIVE, BRI_SEG_ACTIVE, BRI_SEG_DECLARATIVE,
        BRI_SEG_ACTIVE, BRI_SEG_PASSIVE, BRI_SEG_ACTIVE, BRI_SEG_DECLARATIVE};
    CHECK_EQ(m->elem_count, 8);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ(m->elems[i].mode, modes[i]);
        CHECK((m->elems[i].exprs != NULL) == (i >= 4));
        CHECK((m->elems[i].func_indices != NULL) == (i < 4));
    }
    CHECK_EQ(m->elems[0].offset.offset, mk->elem0_offset);
    CHECK_EQ(m->elems[0].count, 2);
    CHECK_EQ(m->elems[0].func_indices[1], 2);
    CHECK_EQ(m->elems[2].table, 1);
    CHECK_EQ(m->elems[2].func_indices[0], 2);
    CHECK_EQ(m->elems[4].count, 2);
    CHECK_EQ(m->elems[4].exprs[1].size, 3);
    CHECK_EQ(m->elems[6].kind, BR_EXTERNREF);
    CHECK_EQ(m->elems[6].table, 1);
    CHECK_EQ(m->elems[7].kind, BR_FUNCREF);
}

static void
check_full_code_data(const br_module_t *m, const marks_t *mk)
{
    const bri_func_t *f = &m->funcs[1];
    CHECK_EQ(f->local_count, 3);
    CHECK(f->locals[0] == BR_I32 && f->locals[1] == BR_I32);
    CHECK_EQ(f->locals[2], BR_F64);
    CHECK_EQ(f->body_offset, mk->body0);
    CHECK_EQ(f->body_size, mk->body0_end - mk->body0);
    CHECK(f->body == m->bytes + mk->body0);
    CHECK_EQ(f->body[f->body_size - 1], 0x0B);
    CHECK_EQ(m->funcs[2].local_count, 0);
    CHECK_EQ(m->funcs[2].body_offset, mk->body1);
    CHECK(m->funcs[0].body == NULL);
    CHECK(m->has_data_count);
    CHECK_EQ(m->data_count, 3);
    CHECK_EQ(m->datas[0].mode, BRI_SEG_ACTIVE);
    CHECK(m->datas[0].bytes == m->bytes + mk->data0_bytes);
    CHECK_EQ(m->datas[0].size, 3);
    CHECK_EQ(m->datas[1].mode, BRI_SEG_PASSIVE);
    CHECK_EQ(m->datas[1].size, 2);
    CHECK_EQ(m->datas[2].memory, 1);
    CHECK_EQ(m->datas[2].size, 0);
    CHECK_EQ(m->start, 2);
    CHECK_EQ(m->export_count, 5);
    CHECK(name_is(m->exports[3].name, "glob"));
}

static void
check_full(const br_module_t *m, const marks_t *mk)
{
    check_full_types_imports(m);
    check_full_spaces(m, mk);
    check_full_elems(m, mk);
    check_full_code_data(m, mk);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static buf_t b;

static void
test_full_module(void)
{
    marks_t mk;
    build_full(&b, &mk);
    br_engine_t *e = counting_engine(-1);
    br_module_t *m = NULL;
    br_error_t err;
    br_err_t rc = br_module_new(e, b.data, b.len, &m, &err);
    CHECK_EQ(rc, BR_ERR_OK);
    if (rc != BR_ERR_OK) {
        fprintf(stderr, "full module: %s at %llu\n", err.message,
                (unsigned long long)err.offset);
        br_engine_delete(e);
        return;
    }
    /* the module keeps its own copy of the bytes */
    CHECK(m->bytes != b.data);
    memset(b.data, 0xEE, b.len);
    check_full(m, &mk);
    br_module_delete(m);
    br_engine_delete(e);
    CHECK_EQ(test_allocator.live, 0);
    CHECK_EQ(test_allocator.bad_sizes, 0);
}

static void
test_descriptions(void)
{
    marks_t mk;
    build_full(&b, &mk);
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = NULL;
    CHECK_EQ(br_module_new(e, b.data, b.len, &m, NULL), BR_ERR_OK);
    if (!m) {
        br_engine_delete(e);
        return;
    }
    br_name_t mod, name;
    br_externtype_t t;
    CHECK_EQ(br_module_import_count(m), 5);
    br_module_import(m, 0, &mod, &name, &t);
    CHECK(name_is(mod, "env") && name_is(name, "f"));
    CHECK_EQ(t.kind, BR_EXTERN_FUNC);
    CHECK_EQ(t.func.param_count, 2);
    CHECK_EQ(t.func.results[0], BR_F32);
    br_module_import(m, 1, NULL, NULL, &t);
    CHECK(t.kind == BR_EXTERN_TABLE && t.elem_or_global == BR_FUNCREF);
    CHECK(t.limits.has_max && t.limits.min == 1 && t.limits.max == 10);
    br_module_import(m, 3, NULL, NULL, &t);
    CHECK(t.elem_or_global == BR_I32 && t.mutable_global);
    br_module_import(m, 4, NULL, NULL, &t);
    CHECK(t.kind == BR_EXTERN_TAG && t.func.param_count == 1);
    br_module_import(m, 99, &mod, &name, &t);
    CHECK(mod.size == 0 && name.size == 0 && t.kind == 0);

    CHECK_EQ(br_module_export_count(m), 5);
    br_module_export(m, 1, &name, &t);
    CHECK(name_is(name, "mem") && t.kind == BR_EXTERN_MEMORY);
    CHECK(t.limits.is64 && t.limits.max == 1ull << 32);
    br_module_export(m, 2, &name, &t);
    CHECK(t.elem_or_global == BR_EXTERNREF && t.limits.min == 2);
    br_module_export(m, 3, &name, &t);
    CHECK(t.elem_or_global == BR_I64 && !t.mutable_global);
    br_module_export(m, 0, &name, &t);
    CHECK(t.func.param_count == 2 && t.func.result_count == 1);

    CHECK(bri_functype_equal(&m->types[0], &m->types[0]));
    CHECK(!bri_functype_equal(&m->types[0], &m->types[1]));
    CHECK(!bri_functype_equal(&m->types[1], &m->types[2]));
    br_valkind_t p[2] = {BR_I32, BR_I64}, r[1] = {BR_F32};
    br_functype_t same = {2, 1, p, r};
    CHECK(bri_functype_equal(&same, &m->types[0]));
    r[0] = BR_F64;
    CHECK(!bri_functype_equal(&same, &m->types[0]));
    br_module_delete(m);
    br_engine_delete(e);
}

/* Every allocation request of a realistic decode fails once in turn;
 * each failure must be reported as out of memory and leak nothing. */
static void
test_alloc_failures(void)
{
    marks_t mk;
    build_full(&b, &mk);
    int failures = 0;
    for (long n = 0; n < 10000; n++) {
        br_engine_t *e = counting_engine(n);
        if (!e) {
            CHECK_EQ(test_allocator.live, 0);
            failures++;
            continue;
        }
        br_module_t *m = (br_module_t *)&b; /* must be reset to NULL */
        br_error_t err;
        br_err_t rc = br_module_new(e, b.data, b.len, &m, &err);
        if (rc == BR_ERR_OK)
            check_full(m, &mk);
        else
            CHECK_EQ(rc, BR_ERR_OUT_OF_MEMORY);
        CHECK(rc == BR_ERR_OK ? m != NULL : m == NULL);
        br_module_delete(m);
        br_engine_delete(e);
        CHECK_EQ(test_allocator.live, 0);
        CHECK_EQ(test_allocator.bad_sizes, 0);
        if (rc == BR_ERR_OK)
            break;
        CHECK_EQ(err.code, BR_ERR_OUT_OF_MEMORY);
        failures++;
    }
    /* engine, module, bytes, and a dozen decoder arrays */
    CHECK(failures > 15);
}

/* Decodes b and expects failure with `code` (and its message). */
static void
expect_code(int line, br_err_t code)
{
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = NULL;
    br_error_t err;
    memset(&err, 0, sizeof err);
    br_err_t rc = br_module_new(e, b.data, b.len, &m, &err);
    if (rc != code || m != NULL ||
        strncmp(err.message, br_err_message(code),
                strlen(br_err_message(code))) != 0) {
        fprintf(stderr, "line %d: expected '%s', got %d '%s'\n", line,
                br_err_message(code), rc, err.message);
        check_failed++;
    } else {
        check_passed++;
    }
    br_module_delete(m);
    br_engine_delete(e);
}

#define EXPECT(code) expect_code(__LINE__, BR_ERR_##code)

static void
expect_ok(int line)
{
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = NULL;
    br_error_t err;
    br_err_t rc = br_module_new(e, b.data, b.len, &m, &err);
    if (rc != BR_ERR_OK) {
        fprintf(stderr, "line %d: expected success, got '%s'\n", line,
                err.message);
        check_failed++;
    } else {
        check_passed++;
    }
    br_module_delete(m);
    br_engine_delete(e);
}

#define EXPECT_OK() expect_ok(__LINE__)

/* A module with one section holding exactly the given bytes. */
#define SECTION(id, ...)                   \
    do {                                   \
        header(&b);                        \
        size_t s_ = begin_section(&b, id); \
        PUT(&b, __VA_ARGS__);              \
        end_sized(&b, s_);                 \
    } while (0)

static void
test_header(void)
{
    b.len = 0;
    EXPECT(UNEXPECTED_END);
    PUT(&b, 0x00, 0x61, 0x73);
    EXPECT(UNEXPECTED_END);
    b.len = 0;
    PUT(&b, 0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00);
    EXPECT(MAGIC);
    b.len = 0;
    PUT(&b, 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00);
    EXPECT(UNEXPECTED_END);
    b.len = 0;
    PUT(&b, 0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00);
    EXPECT(VERSION);
    header(&b);
    EXPECT_OK();
}

static void
test_section_structure(void)
{
    header(&b);
    PUT(&b, 14, 0);
    EXPECT(MALFORMED_SECTION_ID);
    header(&b);
    PUT(&b, 1, 7, 2, 0x60, 0, 0); /* size beyond the file */
    EXPECT(LENGTH_OUT_OF_BOUNDS);
    header(&b);
    PUT(&b, 1, 5, 1, 0x60, 0, 0, 0x60); /* size larger than content */
    EXPECT(SECTION_SIZE_MISMATCH);
    header(&b);
    PUT(&b, 1, 7, 1, 0x60, 0, 0, 0x60, 0, 0); /* a second type */
    EXPECT(SECTION_SIZE_MISMATCH);
    header(&b);
    PUT(&b, 6, 6, 2, BR_I32, 0, 0x41, 0, 0x0B); /* truncated in section */
    EXPECT(UNEXPECTED_END_SECTION);
    header(&b);
    PUT(&b, 1, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F); /* absurd count */
    EXPECT(LENGTH_OUT_OF_BOUNDS);
    header(&b);
    PUT(&b, 1, 1, 0, 1, 1, 0); /* duplicate */
    EXPECT(DUPLICATE_SECTION);
    header(&b);
    PUT(&b, 5, 1, 0, 4, 1, 0); /* table after memory */
    EXPECT(DUPLICATE_SECTION);
    header(&b);
    PUT(&b, 6, 1, 0, 13, 1, 0); /* tag after global */
    EXPECT(DUPLICATE_SECTION);
    header(&b);
    PUT(&b, 13, 1, 0, 6, 1, 0, 12, 1, 0, 10, 1, 0, 11, 1, 0);
    EXPECT_OK(); /* memory < tag < global, datacount < code < data */
    header(&b);
    PUT(&b, 10, 1, 0, 12, 1, 0); /* datacount after code */
    EXPECT(DUPLICATE_SECTION);
}

static void
test_custom_sections(void)
{
    header(&b);
    custom_section(&b, "a", "");
    PUT(&b, 1, 1, 0);
    custom_section(&b, "b", "xyz");
    custom_section(&b, "", "");
    EXPECT_OK();
    header(&b);
    PUT(&b, 0);
    EXPECT(UNEXPECTED_END_SECTION);
    header(&b);
    PUT(&b, 0, 0); /* size 0 cannot hold the name's length */
    EXPECT(UNEXPECTED_END_SECTION);
    header(&b);
    PUT(&b, 0, 2, 3, 'a', 'b', 'c'); /* name overruns the section */
    EXPECT(UNEXPECTED_END_SECTION);
    header(&b);
    PUT(&b, 0, 0x26, 0x10); /* size beyond the file */
    EXPECT(LENGTH_OUT_OF_BOUNDS);
}

static void
test_leb(void)
{
    SECTION(5, 1, 0x00, 0x82, 0x80, 0x80, 0x80, 0x00);
    EXPECT_OK(); /* non-minimal but within 5 bytes */
    SECTION(5, 1, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00);
    EXPECT(INTEGER_TOO_LONG);
    SECTION(5, 1, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70);
    EXPECT(INTEGER_TOO_LARGE);
    SECTION(6, 1, BR_I32, 0, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x0B);
    EXPECT(INTEGER_TOO_LARGE);
    SECTION(6, 1, BR_I32, 0, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x0B);
    EXPECT_OK();
    SECTION(6, 1, BR_I64, 0, 0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0x7F, 0x0B);
    EXPECT(INTEGER_TOO_LONG);
    SECTION(1, 1, 0xE0, 0x7F, 0, 0); /* the form as a 2-byte LEB */
    EXPECT(INTEGER_TOO_LONG);
}

/* A custom section named by `len` raw bytes. */
static void
custom_raw_name(const uint8_t *name, size_t len)
{
    header(&b);
    size_t s = begin_section(&b, 0);
    put_leb(&b, len);
    put(&b, name, len);
    end_sized(&b, s);
}

static void
test_utf8(void)
{
    static const struct {
        const char *bytes;
        bool valid;
    } cases[] = {
        {"plain", true},
        {"\xc3\xa9", true},              /* U+00E9 */
        {"\xe2\x82\xac", true},          /* U+20AC */
        {"\xf4\x8f\xbf\xbf", true},      /* U+10FFFF */
        {"\xed\x9f\xbf", true},          /* U+D7FF */
        {"\xc0\x80", false},             /* overlong NUL */
        {"\xc1\xbf", false},             /* overlong */
        {"\xe0\x9f\xbf", false},         /* overlong 3-byte */
        {"\xf0\x8f\xbf\xbf", false},     /* overlong 4-byte */
        {"\xed\xa0\x80", false},         /* surrogate U+D800 */
        {"\xed\xbf\xbf", false},         /* surrogate U+DFFF */
        {"\xf4\x90\x80\x80", false},     /* U+110000 */
        {"\xf8\x88\x80\x80\x80", false}, /* 5-byte form */
        {"\x80", false},                 /* lone continuation */
        {"\xe2\x82", false},             /* truncated */
        {"\xe2\x28\xa1", false},         /* bad continuation */
        {"\xff", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        custom_raw_name((const uint8_t *)cases[i].bytes,
                        strlen(cases[i].bytes));
        if (cases[i].valid)
            EXPECT_OK();
        else
            EXPECT(MALFORMED_UTF8);
    }
    custom_raw_name((const uint8_t *)"a\0b", 3); /* NUL is a code point */
    EXPECT_OK();
    SECTION(2, 1, 2, 0xC0, 0x80, 1, 'f', 0, 0);
    EXPECT(MALFORMED_UTF8);
    SECTION(7, 1, 1, 0xFF, 0, 0);
    EXPECT(MALFORMED_UTF8);
}

static void
test_limits(void)
{
    SECTION(5, 1, 0x10, 0);
    EXPECT(MALFORMED_LIMITS);
    SECTION(5, 1, 0x08, 0, 0); /* custom-page-sizes: log2 0, 1-byte pages */
    EXPECT_OK();
    SECTION(5, 1, 0x08, 0, 64); /* a page of 2^64 bytes */
    EXPECT(INVALID_PAGE_SIZE);
    SECTION(5, 1, 0x81, 0x00, 0, 0);
    EXPECT(INTEGER_TOO_LONG);
    SECTION(5, 1, 0x02, 0); /* shared without maximum */
    EXPECT(INTEGER_TOO_LARGE);
    SECTION(5, 1, 0x03, 1, 2);
    EXPECT_OK();
    SECTION(4, 1, BR_FUNCREF, 0x02, 0); /* tables are never shared */
    EXPECT(INTEGER_TOO_LARGE);
    SECTION(4, 1, BR_FUNCREF, 0x03, 0, 1);
    EXPECT(INTEGER_TOO_LARGE);
    SECTION(4, 1, 0x7F, 0x00, 0); /* not a reference type */
    EXPECT(MALFORMED_REFTYPE);
    /* 32-bit limits are u32; 64-bit ones u64 */
    SECTION(5, 1, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10);
    EXPECT(INTEGER_TOO_LARGE);
    SECTION(5, 1, 0x04, 0x80, 0x80, 0x80, 0x80, 0x10);
    EXPECT_OK();
    SECTION(5, 1, 0x05, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0x02);
    EXPECT(INTEGER_TOO_LARGE);
    /* ranges are the validator's: 65537 pages decodes */
    SECTION(5, 1, 0x01, 0, 0x81, 0x80, 0x04);
    EXPECT_OK();
    SECTION(4, 1, BR_FUNCREF, 0x04, 1); /* table64 */
    EXPECT_OK();
}

static void
test_types_and_kinds(void)
{
    SECTION(1, 1, 0x61, 0, 0);
    EXPECT(MALFORMED_FUNC_TYPE);
    SECTION(1, 1, 0x60, 1, 0x40, 0);
    EXPECT(MALFORMED_VALTYPE);
    SECTION(1, 1, 0x60, 7, BR_I32, BR_I64, BR_F32, BR_F64, BR_V128, BR_FUNCREF,
            BR_EXTERNREF, 0);
    EXPECT_OK();
    SECTION(2, 1, 0, 0, 5, 0);
    EXPECT(MALFORMED_IMPORT_KIND);
    SECTION(2, 1, 0, 0, 0x80, 0);
    EXPECT(MALFORMED_IMPORT_KIND);
    SECTION(7, 1, 0, 5, 0);
    EXPECT(MALFORMED_EXPORT_KIND);
    SECTION(6, 1, BR_I32, 2, 0x41, 0, 0x0B);
    EXPECT(MALFORMED_MUTABILITY);
    SECTION(13, 1, 1, 0); /* tag attribute must be 0 */
    EXPECT(ZERO_BYTE_EXPECTED);
    SECTION(2, 1, 0, 0, BR_EXTERN_TAG, 0, 0);
    EXPECT_OK();
    SECTION(6, 1, BR_I32, 0, 0x41, 0); /* constant without end */
    EXPECT(UNEXPECTED_END_SECTION);
    SECTION(6, 1, BR_I32, 0, 0xF3, 0x0B);
    EXPECT(ILLEGAL_OPCODE);
    SECTION(6, 1, BR_I32, 0, 0xFC, 0x40, 0x0B);
    EXPECT(ILLEGAL_OPCODE);
    /* immediates of every kind are skipped, up to the first end */
    SECTION(6, 1, BR_I32, 0, 0x02, 0x40, 0x0E, 2, 0, 1, 2, 0x28, 0x42, 1, 0x80,
            0x01, 0x44, 1, 2, 3, 4, 5, 6, 7, 8, 0x1C, 1, BR_I32, 0xFC, 0x0C, 1,
            2, 0xD0, BR_EXTERNREF, 0x0B);
    EXPECT_OK();
    SECTION(6, 1, BR_I32, 0, 0xD0, BR_I32, 0x0B);
    EXPECT(MALFORMED_REFTYPE);
}

static void
test_segments(void)
{
    SECTION(9, 1, 8, 0);
    EXPECT(MALFORMED_ELEM_SEGMENT);
    SECTION(9, 1, 1, 0x01, 0);
    EXPECT(MALFORMED_ELEM_KIND);
    SECTION(9, 1, 5, 0x7F, 1, 0xD2, 0, 0x0B);
    EXPECT(MALFORMED_REFTYPE);
    SECTION(9, 1, 0x80, 0x00, 0x41, 0, 0x0B, 0); /* 2-byte flags */
    EXPECT_OK();
    SECTION(11, 1, 3, 0);
    EXPECT(MALFORMED_DATA_SEGMENT);
    SECTION(11, 1, 1, 4, 'a', 'b', 'c'); /* bytes beyond the file */
    EXPECT(UNEXPECTED_END_SECTION);
    SECTION(11, 1, 1, 9, 'a', 'b', 'c');
    EXPECT(LENGTH_OUT_OF_BOUNDS);
    header(&b);
    PUT(&b, 12, 1, 2, 11, 3, 1, 1, 0);
    EXPECT(DATA_COUNT_MISMATCH);
    header(&b);
    PUT(&b, 12, 1, 1); /* no data section means 0 segments */
    EXPECT(DATA_COUNT_MISMATCH);
    header(&b);
    PUT(&b, 12, 1, 1, 11, 3, 1, 1, 0);
    EXPECT_OK();
}

/* Type 0 () -> (), one function, and a code section with `body`. */
static void
one_function(const uint8_t *body, size_t len)
{
    header(&b);
    PUT(&b, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0);
    size_t s = begin_section(&b, 10);
    PUT(&b, 1);
    put_leb(&b, len);
    put(&b, body, len);
    end_sized(&b, s);
}

#define FUNC(...)                                \
    one_function((const uint8_t[]){__VA_ARGS__}, \
                 sizeof((const uint8_t[]){__VA_ARGS__}))

static void
test_code(void)
{
    FUNC(1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, BR_I32, 0x0B);
    EXPECT(TOO_MANY_LOCALS);
    FUNC(2, 0x80, 0x80, 0x80, 0x80, 0x08, BR_I32, 0x80, 0x80, 0x80, 0x80, 0x08,
         BR_I64, 0x0B); /* the sum overflows u32 */
    EXPECT(TOO_MANY_LOCALS);
    FUNC(1, 0xD1, 0x86, 0x03, BR_I32, 0x0B); /* 50001 */
    EXPECT(TOO_MANY_LOCALS);
    FUNC(2, 0xD0, 0x86, 0x03, BR_I32, 0, BR_F32, 0x0B); /* 50000 */
    EXPECT_OK();
    FUNC(1, 1, 0x40, 0x0B);
    EXPECT(MALFORMED_VALTYPE);
    FUNC(0, 0x01); /* no end at the end of the file */
    EXPECT(UNEXPECTED_END_SECTION);
    FUNC(0);
    EXPECT(UNEXPECTED_END_SECTION);
    FUNC(3, 1, BR_I32); /* locals overrun the function */
    EXPECT(UNEXPECTED_END_SECTION);

    /* body missing its end with more bytes after the section */
    FUNC(0, 0x41, 0x01, 0x1A);
    PUT(&b, 11, 1, 0); /* the next byte is `end` (a data section id) */
    EXPECT(SECTION_SIZE_MISMATCH);
    FUNC(0, 0x41, 0x01, 0x1A);
    PUT(&b, 5, 1, 0); /* `else` at function level */
    EXPECT(END_OPCODE_EXPECTED);
    FUNC(0, 0x41, 0x01, 0x1A);
    PUT(&b, 0xF3); /* not an opcode */
    EXPECT(ILLEGAL_OPCODE);

    header(&b);
    PUT(&b, 1, 4, 1, 0x60, 0, 0, 3, 3, 2, 0, 0, 10, 4, 1, 2, 0, 0x0B);
    EXPECT(FUNC_CODE_MISMATCH);
    header(&b);
    PUT(&b, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0);
    EXPECT(FUNC_CODE_MISMATCH);
    header(&b);
    PUT(&b, 10, 4, 1, 2, 0, 0x0B);
    EXPECT(FUNC_CODE_MISMATCH);
    header(&b);
    PUT(&b, 3, 1, 0, 10, 1, 0);
    EXPECT_OK();
}

/* Locals groups of count 0 are valid; when every group is empty the
 * locals array is NULL and the decoder must not memset it (UBSan
 * reported memset on NULL for this 26-byte module). */
static void
test_empty_locals_groups(void)
{
    header(&b);
    PUT(&b, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 6, 1, 4, 1, 0, BR_I32,
        0x0B);
    CHECK_EQ(b.len, 26);
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = NULL;
    br_error_t err;
    CHECK_EQ(br_module_new(e, b.data, b.len, &m, &err), BR_ERR_OK);
    CHECK(m && m->funcs[0].local_count == 0);
    br_module_delete(m);
    m = NULL;

    /* (0 i32) (2 i64) (0 f32) (1 f64): only the non-empty groups count */
    header(&b);
    PUT(&b, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 12, 1, 10, 4, 0, BR_I32,
        2, BR_I64, 0, BR_F32, 1, BR_F64, 0x0B);
    CHECK_EQ(br_module_new(e, b.data, b.len, &m, &err), BR_ERR_OK);
    CHECK(m && m->funcs[0].local_count == 3);
    CHECK(m && m->funcs[0].locals[0] == BR_I64 &&
          m->funcs[0].locals[1] == BR_I64 && m->funcs[0].locals[2] == BR_F64);
    br_module_delete(m);
    br_engine_delete(e);
}

static void
test_params_count_as_locals(void)
{
    header(&b);
    PUT(&b, 1, 6, 1, 0x60, 2, BR_I32, BR_I32, 0, 3, 2, 1, 0);
    size_t s = begin_section(&b, 10);
    PUT(&b, 1, 6, 1, 0xCF, 0x86, 0x03, BR_I32, 0x0B); /* 49999 + 2 */
    end_sized(&b, s);
    EXPECT(TOO_MANY_LOCALS);
}

static void
test_error_details(void)
{
    br_engine_t *e = br_engine_new(NULL);
    br_module_t *m = NULL;
    br_error_t err;
    header(&b);
    PUT(&b, 1, 1, 0, 0x42, 0);
    CHECK_EQ(br_module_new(e, b.data, b.len, &m, &err),
             BR_ERR_MALFORMED_SECTION_ID);
    CHECK_EQ(err.offset, 11);
    CHECK_EQ(err.func_index, -1);
    /* an error inside function 2 (after one imported function) */
    header(&b);
    PUT(&b, 1, 4, 1, 0x60, 0, 0, 2, 7, 1, 1, 'm', 1, 'f', 0, 0);
    PUT(&b, 3, 3, 2, 0, 0, 10, 9, 2, 2, 0, 0x0B, 4, 1, 1, 0x40, 0x0B);
    CHECK_EQ(br_module_new(e, b.data, b.len, &m, &err),
             BR_ERR_MALFORMED_VALTYPE);
    CHECK_EQ(err.func_index, 2);
    CHECK(m == NULL);
    /* NULL error pointer and NULL arguments */
    CHECK_EQ(br_module_new(e, b.data, b.len, &m, NULL),
             BR_ERR_MALFORMED_VALTYPE);
    CHECK_EQ(br_module_new(NULL, b.data, b.len, &m, &err),
             BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_module_new(e, NULL, 3, &m, &err), BR_ERR_INVALID_ARGUMENT);
    CHECK_EQ(br_module_new(e, b.data, b.len, NULL, &err),
             BR_ERR_INVALID_ARGUMENT);
    br_engine_delete(e);
}

static void
test_errors_table(void)
{
    CHECK(strcmp(br_err_message(BR_ERR_OK), "ok") == 0);
    CHECK(strcmp(br_err_atom(BR_ERR_TYPE_MISMATCH), "type_mismatch") == 0);
    CHECK(strcmp(br_err_message(BR_ERR_LENGTH_OUT_OF_BOUNDS),
                 "length out of bounds") == 0);
    CHECK(strcmp(br_err_message(BR_ERR__COUNT), "unknown error") == 0);
    CHECK(strcmp(br_trap_message(BR_TRAP_INT_DIV_ZERO),
                 "integer divide by zero") == 0);
    CHECK(strcmp(br_trap_atom(BR_TRAP_CANCELLED), "cancelled") == 0);
    CHECK(strcmp(br_trap_atom(BR_TRAP__COUNT), "unknown_trap") == 0);
    for (int c = 0; c < BR_ERR__COUNT; c++)
        CHECK(br_err_message(c) != NULL && br_err_atom(c) != NULL);
    for (int k = 0; k < BR_TRAP__COUNT; k++)
        CHECK(br_trap_message(k) != NULL && br_trap_atom(k) != NULL);

    br_error_t err;
    CHECK_EQ(bri_error(&err, BR_ERR_UNKNOWN_LOCAL, 7, 3, "local %d", 12),
             BR_ERR_UNKNOWN_LOCAL);
    CHECK(strcmp(err.message, "unknown local: local 12") == 0);
    CHECK(err.offset == 7 && err.func_index == 3);
    bri_error(&err, BR_ERR_TYPE_MISMATCH, 0, -1, "%s", "");
    CHECK(strcmp(err.message, "type mismatch") == 0);
    char longer[400];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    bri_error(&err, BR_ERR_TYPE_MISMATCH, 0, -1, "%s", longer);
    CHECK_EQ(strlen(err.message), sizeof err.message - 1);
    CHECK(strncmp(err.message, "type mismatch: xxx", 18) == 0);
    CHECK_EQ(bri_error(NULL, BR_ERR_BUSY, 0, -1, "%s", "x"), BR_ERR_BUSY);
}

static void
test_opcode_tables(void)
{
    int legal_bytes = 0, legal_fc = 0, legal_fd = 0, single = 0, fc = 0;
    int fd = 0, fb = 0, legal_fb = 0;
    for (int i = 0; i < 32; i++)
        legal_fb += bri_op_by_fb[i] >= 0;
    for (int i = 0; i < 256; i++)
        legal_bytes += bri_op_by_byte[i] >= 0;
    for (int i = 0; i < BRI_FD_COUNT; i++)
        legal_fd += bri_op_by_fd[i] >= 0;
    for (int i = 0; i < 32; i++)
        legal_fc += bri_op_by_fc[i] >= 0;
    for (int op = 0; op < BR_OP__COUNT; op++) {
        const bri_opinfo_t *info = &bri_opinfo[op];
        CHECK(info->name != NULL && info->sig != NULL);
        if (info->prefix == 0x00) {
            CHECK_EQ(bri_op_by_byte[info->code], op);
            single++;
        } else if (info->prefix == 0xFC) {
            CHECK_EQ(bri_op_by_fc[info->code], op);
            fc++;
        } else if (info->prefix == 0xFD) {
            CHECK_EQ(bri_op_by_fd[info->code], op);
            fd++;
        } else if (info->prefix == 0xFB) {
            CHECK_EQ(bri_op_by_fb[info->code], op);
            fb++;
        } else {
            CHECK_EQ(info->prefix, 0xFF);
            CHECK(strcmp(info->sig, "*") == 0);
        }
    }
    CHECK_EQ(legal_bytes, single);
    CHECK_EQ(legal_fc, fc);
    CHECK_EQ(legal_fd, fd);
    /* the GC instructions: 0xFB 0x00 to 0x1E */
    CHECK_EQ(legal_fb, fb);
    CHECK_EQ(fb, 31);
    /* the whole fixed-width SIMD instruction set and relaxed SIMD */
    CHECK_EQ(fd, 236 + 20);
    CHECK_EQ(bri_op_by_fd[0x100], BR_OP_i8x16_relaxed_swizzle);
    CHECK_EQ(bri_op_by_fd[0x113], BR_OP_i32x4_relaxed_dot_i8x16_i7x16_add_s);
    CHECK_EQ(bri_op_by_fd[0x0C], BR_OP_v128_const);
    CHECK_EQ(bri_op_by_fd[0x9A], -1);
    CHECK_EQ(bri_op_by_byte[0x0B], BR_OP_end);
    CHECK_EQ(bri_op_by_byte[0xFC], -1);
    CHECK_EQ(bri_op_by_fc[0x08], BR_OP_memory_init);
    CHECK(strcmp(bri_opinfo[BR_OP_i32_add].sig, "ii:i") == 0);
    CHECK(strcmp(bri_opinfo[BR_OP_jump].name, "jump") == 0);
    CHECK_EQ(bri_opinfo[BR_OP_i64_load].imm, BR_IMM_MEMARG);
}

/* Slots of one side of a SIG string (v128: 2). */
static uint32_t
sig_side_slots(const char *p, const char *end)
{
    uint32_t n = 0;
    for (; p < end; p++)
        n += *p == 'v' ? 2 : 1;
    return n;
}

/* Words of a simple (SIG) op by its immediates, as code.h lays them. */
static uint32_t
sig_op_words(uint8_t imm)
{
    switch (imm) {
    case BR_IMM_MEMIDX:
    case BR_IMM_LANE:
        return 3;
    case BR_IMM_MEMARG:
        return 5;
    case BR_IMM_MEMARG_LANE:
    case BR_IMM_V128:
    case BR_IMM_SHUFFLE:
        return 6;
    default:
        return 2;
    }
}

#define ALIGN_OF_LOAD(X, name, W, CT, OUT, e) \
    CHECK_EQ(1u << bri_opinfo[BR_OP_##name].align, W);
#define ALIGN_OF_STORE(X, name, W, CT) \
    CHECK_EQ(1u << bri_opinfo[BR_OP_##name].align, W);

/* The table's columns (opcodes.h) agree with the SIG and IMM columns and
 * with the fused rows, and the text names are the spec's. */
static void
test_opcode_columns(void)
{
    for (int op = 0; op < BR_OP__COUNT; op++) {
        const bri_opinfo_t *info = &bri_opinfo[op];
        if (info->prefix == 0xFF) {
            CHECK(info->text == NULL);
            continue;
        }
        CHECK(info->text != NULL && strchr(info->text, '_') != info->text);
        if (info->sig[0] == '*')
            continue;
        const char *colon = strchr(info->sig, ':');
        uint32_t ps = sig_side_slots(info->sig, colon);
        uint32_t rs = sig_side_slots(colon + 1, colon + strlen(colon));
        CHECK_EQ(info->span, ps > rs ? ps : rs);
        CHECK_EQ(info->len, sig_op_words(info->imm));
        bool lane_op =
            info->imm == BR_IMM_LANE || info->imm == BR_IMM_MEMARG_LANE;
        CHECK(lane_op ? info->lanes >= 2 && info->lanes <= 16
                      : info->lanes == 0);
    }
    /* every text name names one op (typed select reads as select, the
     * null forms of ref.test and ref.cast by their type) */
    for (int x = 0; x < BR_OP__COUNT; x++)
        for (int y = x + 1; y < BR_OP__COUNT; y++)
            if (bri_opinfo[x].text && bri_opinfo[y].text &&
                y != BR_OP_select_t && y != BR_OP_ref_test_null &&
                y != BR_OP_ref_cast_null)
                CHECK(strcmp(bri_opinfo[x].text, bri_opinfo[y].text) != 0);
    CHECK(strcmp(bri_opinfo[BR_OP_local_get].text, "local.get") == 0);
    CHECK(strcmp(bri_opinfo[BR_OP_br_if].text, "br_if") == 0);
    CHECK(strcmp(bri_opinfo[BR_OP_if_].text, "if") == 0);
    CHECK(strcmp(bri_opinfo[BR_OP_select_t].text, "select") == 0);
    CHECK(strcmp(bri_opinfo[BR_OP_ref_is_null].text, "ref.is_null") == 0);
    CHECK(strcmp(bri_opinfo[BR_OP_i32_trunc_sat_f32_s].text,
                 "i32.trunc_sat_f32_s") == 0);
    CHECK(strcmp(bri_opinfo[BR_OP_v128_load8x8_s].text,
                 "v128.load8x8_s") == 0);
    CHECK(bri_opinfo[BR_OP_i32_div_s].flags & BRI_OPF_T);
    CHECK(bri_opinfo[BR_OP_i64_trunc_f64_u].flags & BRI_OPF_T);
    CHECK(!(bri_opinfo[BR_OP_i32_add].flags & BRI_OPF_T));
    CHECK(!(bri_opinfo[BR_OP_i32_trunc_sat_f32_s].flags & BRI_OPF_T));
    CHECK(bri_opinfo[BR_OP_i64_xor].flags & BRI_OPF_C);
    CHECK(!(bri_opinfo[BR_OP_i32_sub].flags & BRI_OPF_C));
    CHECK(!(bri_opinfo[BR_OP_f32_add].flags & BRI_OPF_C));
    CHECK_EQ(bri_opinfo[BR_OP_i8x16_extract_lane_s].lanes, 16);
    CHECK_EQ(bri_opinfo[BR_OP_f64x2_replace_lane].lanes, 2);
    CHECK_EQ(bri_opinfo[BR_OP_v128_load32_lane].lanes, 4);
    CHECK_EQ(bri_opinfo[BR_OP_v128_store8_lane].lanes, 16);
    BRI_FUSE_LOAD(ALIGN_OF_LOAD, _)
    BRI_FUSE_STORE(ALIGN_OF_STORE, _)
    CHECK_EQ(bri_opinfo[BR_OP_v128_load].align, 4);
    CHECK_EQ(bri_opinfo[BR_OP_v128_load16x4_u].align, 3);
    CHECK_EQ(bri_opinfo[BR_OP_v128_load16_splat].align, 1);
    CHECK_EQ(bri_opinfo[BR_OP_v128_store64_lane].align, 3);
    CHECK_EQ(bri_opinfo[BR_OP_call].len, 3);
    CHECK_EQ(bri_opinfo[BR_OP_call].span, BRI_VAR);
    CHECK_EQ(bri_opinfo[BR_OP_block].len, 0);
    CHECK_EQ(bri_opinfo[BR_OP_jump_table].len, BRI_VAR);
    CHECK_EQ(bri_opinfo[BR_OP_move].len, 4);
}

/* The one instruction reader (reader.h): opcodes with and without a
 * prefix, and immediates by the IMM column. */
static void
test_instruction_reader(void)
{
    static const uint8_t code[] = {
        0x0E, 0x02, 0x00, 0x01, 0x02,             /* br_table 0 1 (2) */
        0x28, 0x42, 0x01, 0x80, 0x01,             /* i32.load mem 1 +128 */
        0xFC, 0x0A, 0x00, 0x01,                   /* memory.copy 0 1 */
        0x1C, 0x01, 0x7E,                         /* select (result i64) */
        0xFD, 0x0C, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        0xFD, 0x16, 0x05,                         /* i8x16.extract_lane_u 5 */
        0xD0, 0x6F,                               /* ref.null extern */
        0x42, 0x7F,                               /* i64.const -1 */
        0xFD, 0x9A, 0x01,                         /* no such SIMD op */
        0xFC,                                     /* a prefix, then nothing */
    };
    br_error_t err;
    bri_reader_t r = {code, code, code + sizeof code, &err};
    uint8_t byte;
    uint32_t sub;
    bri_imm_t imm;
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), BR_OP_br_table);
    CHECK(bri_read_imm(&r, BR_IMM_LABELS, &imm) && imm.count == 2);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), BR_OP_i32_load);
    CHECK(bri_read_imm(&r, BR_IMM_MEMARG, &imm));
    CHECK(imm.flags == 0x42 && imm.idx[0] == 1 && imm.u == 128);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), BR_OP_memory_copy);
    CHECK(byte == BR_PREFIX_FC && sub == 0x0A);
    CHECK(bri_read_imm(&r, BR_IMM_MEM_MEM, &imm));
    CHECK(imm.idx[0] == 0 && imm.idx[1] == 1);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), BR_OP_select_t);
    CHECK(bri_read_imm(&r, BR_IMM_SELECT_T, &imm) && imm.count == 1);
    CHECK_EQ(imm.bytes[0], BR_I64);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), BR_OP_v128_const);
    CHECK(bri_read_imm(&r, BR_IMM_V128, &imm));
    CHECK(imm.bytes[0] == 1 && imm.bytes[15] == 16);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), BR_OP_i8x16_extract_lane_u);
    CHECK(bri_read_imm(&r, BR_IMM_LANE, &imm) && imm.lane == 5);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), BR_OP_ref_null);
    CHECK(bri_read_imm(&r, BR_IMM_REFTYPE, &imm));
    CHECK_EQ(imm.reftype, BR_EXTERNREF);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), BR_OP_i64_const);
    CHECK(bri_read_imm(&r, BR_IMM_I64, &imm) && imm.s == -1);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), -1);
    CHECK(byte == BR_PREFIX_FD && sub == 0x9A);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), -2);
    CHECK_EQ(err.code, BR_ERR_UNEXPECTED_END);
    CHECK_EQ(bri_read_opcode(&r, &byte, &sub), -2);
    /* a bad reference type is reported at its byte */
    static const uint8_t bad[] = {0xD0, 0x7F};
    r = (bri_reader_t){bad, bad + 1, bad + sizeof bad, &err};
    CHECK(!bri_read_imm(&r, BR_IMM_REFTYPE, &imm));
    CHECK(err.code == BR_ERR_MALFORMED_REFTYPE && err.offset == 1);
}

static void
test_engine_and_alloc(void)
{
    br_engine_t *e = counting_engine(-1);
    CHECK(e != NULL);
    CHECK_EQ(e->limits.max_memory_pages, BR_DEFAULT_MAX_MEMORY_PAGES);
    CHECK_EQ(e->limits.max_table_elems, 10000000);
    CHECK_EQ(e->limits.max_call_depth, 20000);
    CHECK_EQ(e->limits.max_stack_slots, 4u << 20);
    CHECK(test_allocator.live > 0);

    void *p = bri_alloc(&e->alloc, 0); /* a distinct non-NULL pointer */
    CHECK(p != NULL);
    bri_free(&e->alloc, p, 0);
    uint32_t *q = bri_calloc(&e->alloc, 4, sizeof *q);
    CHECK(q && q[0] == 0 && q[3] == 0);
    q = bri_realloc(&e->alloc, q, 4 * sizeof *q, 8 * sizeof *q);
    CHECK(q != NULL);
    bri_free(&e->alloc, q, 8 * sizeof *q);
    CHECK(bri_calloc(&e->alloc, SIZE_MAX / 2, 4) == NULL);
    bri_free(&e->alloc, NULL, 12);
    br_engine_delete(e);
    CHECK_EQ(test_allocator.live, 0);
    CHECK_EQ(test_allocator.bad_sizes, 0);

    br_config_t cfg = {0};
    cfg.limits.max_call_depth = 7;
    cfg.limits.max_memory_pages = 16;
    e = br_engine_new(&cfg);
    CHECK(e && e->limits.max_call_depth == 7);
    CHECK(e && e->limits.max_memory_pages == 16);
    br_engine_delete(e);
    br_engine_delete(NULL);
    br_module_delete(NULL);
}

/* The encoding of bri_valtype_t (internal.h): today's types are their
 * kinds; a concrete reference keeps its index and nullability. */
static void
test_valtype_encoding(void)
{
    CHECK_EQ(bri_vt_of_kind(BR_I32), 0x7F);
    CHECK_EQ(bri_vt_of_kind(BR_FUNCREF), 0x70);
    CHECK(bri_vt_is_ref(BR_FUNCREF) && bri_vt_is_ref(BR_EXTERNREF));
    CHECK(!bri_vt_is_ref(BR_I32) && !bri_vt_is_ref(BR_V128));
    CHECK(bri_vt_nullable(BR_FUNCREF));
    CHECK_EQ(bri_vt_slots(BR_V128), 2);
    CHECK_EQ(bri_vt_slots(BR_F64), 1);
    bri_valtype_t r = bri_vt_ref_index(999999, false);
    bri_valtype_t rn = bri_vt_ref_index(999999, true);
    CHECK(bri_vt_is_ref(r) && bri_vt_is_ref(rn));
    CHECK(!bri_vt_nullable(r) && bri_vt_nullable(rn));
    CHECK_EQ(bri_vt_index(r), 999999);
    CHECK_EQ(bri_vt_index(rn), 999999);
    CHECK(r != rn && r != BR_FUNCREF);
    CHECK_EQ(bri_vt_kind(r), BR_FUNCREF);
    CHECK_EQ(bri_vt_kind(BR_EXTERNREF), BR_EXTERNREF);
    CHECK_EQ(bri_vt_slots(r), 1);
}

int
main(void)
{
    test_header();
    test_valtype_encoding();
    test_opcode_columns();
    test_instruction_reader();
    test_section_structure();
    test_custom_sections();
    test_leb();
    test_utf8();
    test_limits();
    test_types_and_kinds();
    test_segments();
    test_code();
    test_params_count_as_locals();
    test_empty_locals_groups();
    test_error_details();
    test_full_module();
    test_descriptions();
    test_alloc_failures();
    test_errors_table();
    test_opcode_tables();
    test_engine_and_alloc();
    return CHECK_DONE();
}
