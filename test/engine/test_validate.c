/*
 * beamr tests: the validator and compiler (validate.c, compile*.c,
 * emit.c) on hand-built modules: emitted code words, handlers and sites,
 * every class of validation error, and allocation-failure injection.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile.h"

/* Opcode bytes used in the hand-written bodies below. */
enum {
    UNREACHABLE = 0x00,
    NOP = 0x01,
    BLOCK = 0x02,
    LOOP = 0x03,
    IF = 0x04,
    ELSE = 0x05,
    TRY = 0x06,
    CATCH = 0x07,
    THROW = 0x08,
    RETHROW = 0x09,
    END = 0x0B,
    BR = 0x0C,
    BR_IF = 0x0D,
    BR_TABLE = 0x0E,
    RETURN = 0x0F,
    CALL = 0x10,
    CALL_INDIRECT = 0x11,
    RETURN_CALL = 0x12,
    DELEGATE = 0x18,
    CATCH_ALL = 0x19,
    DROP = 0x1A,
    SELECT = 0x1B,
    SELECT_T = 0x1C,
    LOCAL_GET = 0x20,
    LOCAL_SET = 0x21,
    LOCAL_TEE = 0x22,
    GLOBAL_GET = 0x23,
    GLOBAL_SET = 0x24,
    TABLE_GET = 0x25,
    I32_LOAD = 0x28,
    I64_LOAD = 0x29,
    I32_STORE = 0x36,
    MEMORY_SIZE = 0x3F,
    MEMORY_GROW = 0x40,
    I32_CONST = 0x41,
    I64_CONST = 0x42,
    F32_CONST = 0x43,
    I32_EQZ = 0x45,
    I32_CTZ = 0x68,
    I32_ADD = 0x6A,
    I32_DIV_S = 0x6D,
    I64_ADD = 0x7C,
    I64_EXTEND_I32_U = 0xAD,
    REF_NULL = 0xD0,
    REF_IS_NULL = 0xD1,
    REF_FUNC = 0xD2,
    MISC = 0xFC,
    SIMD = 0xFD,
    EMPTY = 0x40,
    T_I32 = 0x7F,
    T_I64 = 0x7E,
    T_F32 = 0x7D,
    T_V128 = 0x7B,
    T_FUNCREF = 0x70,
    T_EXTERNREF = 0x6F,
};

/* ------------------------------------------------------------------ */
/* A counting allocator with failure injection                          */

typedef struct counter {
    long live;       /* bytes currently allocated */
    long fail_after; /* allocations left before one fails; < 0: never */
} counter_t;

static void *
test_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter_t *ctr = ud;
    if (nsize == 0) {
        if (ptr)
            ctr->live -= (long)osize;
        free(ptr);
        return NULL;
    }
    if (ctr->fail_after == 0)
        return NULL;
    if (ctr->fail_after > 0)
        ctr->fail_after--;
    void *p = realloc(ptr, nsize);
    if (p)
        ctr->live += (long)nsize - (ptr ? (long)osize : 0);
    return p;
}

/* ------------------------------------------------------------------ */
/* Hand-built modules                                                  */

#define MAX 8

typedef struct tmod {
    counter_t ctr;
    br_engine_t engine;
    br_module_t m;
    br_functype_t types[MAX];
    br_valkind_t kinds[MAX][2][8];
    bri_functype_t ftypes[MAX]; /* the validator's copy of `types` */
    bri_valtype_t vtypes[MAX][2][8];
    bri_func_t funcs[MAX];
    bri_valtype_t locals[MAX][8];
    bri_globaldecl_t globals[MAX];
    bri_tabledecl_t tables[MAX];
    br_limitstype_t memories[MAX];
    uint32_t tags[MAX];
    bri_export_t exports[MAX];
    bri_elem_t elems[MAX];
    uint32_t elem_funcs[MAX];
    bri_data_t datas[MAX];
    br_error_t err;
} tmod_t;

static void
tm_init(tmod_t *t)
{
    memset(t, 0, sizeof *t);
    t->ctr.fail_after = -1;
    t->engine.alloc = (bri_allocator_t){test_alloc, &t->ctr};
    t->m.engine = &t->engine;
    t->m.types = t->types;
    t->m.ftypes = t->ftypes;
    t->m.funcs = t->funcs;
    t->m.globals = t->globals;
    t->m.tables = t->tables;
    t->m.memories = t->memories;
    t->m.tags = t->tags;
    t->m.exports = t->exports;
    t->m.elems = t->elems;
    t->m.datas = t->datas;
    t->m.start = BR_NO_INDEX;
}

/* A type from strings of kind bytes, e.g. tm_type(t, "\x7f\x7f", "\x7f"). */
static uint32_t
tm_type(tmod_t *t, const char *params, const char *results)
{
    uint32_t i = t->m.type_count++;
    br_valkind_t *p = t->kinds[i][0], *r = t->kinds[i][1];
    size_t np = strlen(params), nr = strlen(results);
    memcpy(p, params, np);
    memcpy(r, results, nr);
    t->types[i] = (br_functype_t){(uint32_t)np, (uint32_t)nr, p, r};
    bri_valtype_t *vp = t->vtypes[i][0], *vr = t->vtypes[i][1];
    for (size_t k = 0; k < np; k++)
        vp[k] = bri_vt_of_kind(p[k]);
    for (size_t k = 0; k < nr; k++)
        vr[k] = bri_vt_of_kind(r[k]);
    t->ftypes[i] = (bri_functype_t){(uint32_t)np, (uint32_t)nr, vp, vr};
    return i;
}

static uint32_t
tm_import_func(tmod_t *t, uint32_t type)
{
    uint32_t i = t->m.func_count++;
    t->m.func_import_count++;
    t->funcs[i].type = type;
    return i;
}

/* A defined function; `locals` is a string of kind bytes. The body is
 * copied behind a fake 16-byte prefix so offsets are non-trivial. */
static uint8_t bodies[MAX][512];

static uint32_t
tm_func(tmod_t *t, uint32_t type, const char *locals, const uint8_t *body,
        size_t size)
{
    uint32_t i = t->m.func_count++;
    bri_func_t *f = &t->funcs[i];
    f->type = type;
    f->local_count = (uint32_t)strlen(locals);
    for (uint32_t k = 0; k < f->local_count; k++)
        t->locals[i][k] = bri_vt_of_kind((br_valkind_t)locals[k]);
    f->locals = t->locals[i];
    memcpy(bodies[i] + 16, body, size);
    f->body = bodies[i] + 16;
    f->body_size = (uint32_t)size;
    f->body_offset = 100 * (i + 1);
    return i;
}

static void
tm_memory(tmod_t *t, uint64_t min, uint64_t max, bool is64)
{
    t->memories[t->m.memory_count++] = (br_limitstype_t){
        .min = min, .max = max, .has_max = true, .is64 = is64};
}

static void
tm_table(tmod_t *t, br_valkind_t elem, uint64_t min)
{
    t->tables[t->m.table_count++] =
        (bri_tabledecl_t){elem, {.min = min}, bri_vt_of_kind(elem), false, {0}};
}

static uint32_t
tm_global(tmod_t *t, br_valkind_t kind, bool mut, const uint8_t *init,
          size_t size)
{
    uint32_t i = t->m.global_count++;
    t->globals[i] =
        (bri_globaldecl_t){kind, mut, {init, (uint32_t)size, 1000 + i * 10},
                           bri_vt_of_kind(kind)};
    return i;
}

static void
tm_import_global(tmod_t *t, br_valkind_t kind, bool mut)
{
    tm_global(t, kind, mut, NULL, 0);
    t->m.global_import_count++;
}

static void
tm_tag(tmod_t *t, uint32_t type)
{
    t->tags[t->m.tag_count++] = type;
}

static void
tm_export(tmod_t *t, const char *name, br_externkind_t kind, uint32_t idx)
{
    t->exports[t->m.export_count++] =
        (bri_export_t){{strlen(name), name}, kind, idx};
}

static br_err_t
tm_validate(tmod_t *t)
{
    return bri_validate(&t->m, &t->err);
}

/* Frees what validation allocated and checks nothing is left. */
static void
tm_free(tmod_t *t)
{
    for (uint32_t i = t->m.func_import_count; i < t->m.func_count; i++)
        bri_code_free(&t->engine.alloc, &t->funcs[i].code);
    bri_free(&t->engine.alloc, t->m.declared_refs, t->m.func_count);
    t->m.declared_refs = NULL;
    CHECK_EQ(t->ctr.live, 0);
}

#define BODY(...) \
    (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* Validates a module with one function of type `type` and returns the
 * error code; the module is freed. */
static br_err_t
one_func(const char *params, const char *results, const char *locals,
         const uint8_t *body, size_t size)
{
    tmod_t *t = malloc(sizeof *t);
    tm_init(t);
    tm_func(t, tm_type(t, params, results), locals, body, size);
    br_err_t err = tm_validate(t);
    tm_free(t);
    free(t);
    return err;
}

#define FUNC_ERR(params, results, locals, ...) \
    one_func(params, results, locals, BODY(__VA_ARGS__))

static void
check_words(const bri_code_t *code, const uint32_t *expect, size_t n, int line)
{
    if (code->word_count != n) {
        fprintf(stderr, "line %d: %u words, expected %zu\n", line,
                (unsigned)code->word_count, n);
        CHECK(code->word_count == n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (code->words[i] != expect[i])
            fprintf(stderr, "line %d: word %zu is %u, expected %u\n", line, i,
                    (unsigned)code->words[i], (unsigned)expect[i]);
        CHECK_EQ(code->words[i], expect[i]);
    }
}

#define CHECK_WORDS(code, ...)                                              \
    check_words(code, (const uint32_t[]){__VA_ARGS__},                      \
                sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t), \
                __LINE__)

/* ------------------------------------------------------------------ */
/* Emitted code                                                        */

static void
test_add(void)
{
    tmod_t t;
    tm_init(&t);
    tm_func(&t, tm_type(&t, "\x7f\x7f", "\x7f"), "",
            BODY(LOCAL_GET, 0, LOCAL_GET, 1, I32_ADD, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    const bri_code_t *c = &t.funcs[0].code;
    /* register-style: the locals are the operands (compile_fuse.c) */
    CHECK_WORDS(c, BR_OP_i32_add_rr, 2, 0, 1, BR_OP_ret, 2, 1);
    CHECK_EQ(c->param_slots, 2);
    CHECK_EQ(c->local_slots, 2);
    CHECK_EQ(c->result_slots, 1);
    CHECK_EQ(c->frame_slots, 4);
    CHECK_EQ(c->site_count, 0);
    CHECK_EQ(c->handler_count, 0);
    tm_free(&t);
}

/* A branch out of a block with a value that is not at the block's base
 * moves it: [move][jump]; the jump is patched to the block's end. */
static void
test_block_br(void)
{
    tmod_t t;
    tm_init(&t);
    tm_func(&t, tm_type(&t, "", "\x7f"), "\x7e",
            BODY(BLOCK, T_I32, I32_CONST, 1, I32_CONST, 2, BR, 0, END, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    const bri_code_t *c = &t.funcs[0].code;
    /* one declared i64 local: the operand stack starts at slot 1 */
    CHECK_WORDS(c, BR_OP_i32_const, 1, 1, BR_OP_i32_const, 2, 2, BR_OP_move, 1,
                2, 1, BR_OP_jump, 12, BR_OP_ret, 1, 1);
    CHECK_EQ(c->local_slots, 1);
    CHECK_EQ(c->frame_slots, 3);
    tm_free(&t);
}

/* A loop back-edge without moves is a jump_if_back with fuel. */
static void
test_loop(void)
{
    tmod_t t;
    tm_init(&t);
    tm_func(&t, tm_type(&t, "\x7f", ""), "",
            BODY(LOOP, EMPTY, LOCAL_GET, 0, BR_IF, 0, END, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    const bri_code_t *c = &t.funcs[0].code;
    /* the branch tests the local itself */
    CHECK_WORDS(c, BR_OP_jump_if_back, 0, 0, 2, BR_OP_ret, 1, 0);
    CHECK_EQ(c->site_count, 1); /* the back-edge is a fuel point */
    CHECK_EQ(c->sites[0].pc, 0);
    CHECK_EQ(c->sites[0].offset, 100 + 4);
    tm_free(&t);
}

/* An unconditional back-edge with a loop param moves the value. */
static void
test_loop_params(void)
{
    tmod_t t;
    tm_init(&t);
    uint32_t lt = tm_type(&t, "\x7f", "\x7f");
    tm_func(&t, tm_type(&t, "", ""), "",
            BODY(I32_CONST, 5, LOOP, (uint8_t)lt, I32_CONST, 1, BR, 0, END,
                 DROP, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    const bri_code_t *c = &t.funcs[0].code;
    CHECK_WORDS(c, BR_OP_i32_const, 0, 5, BR_OP_i32_const, 1, 1, BR_OP_move, 0,
                1, 1, BR_OP_jump_back, 3, 2, BR_OP_ret, 0, 0);
    tm_free(&t);
}

static void
test_if_else(void)
{
    tmod_t t;
    tm_init(&t);
    tm_func(&t, tm_type(&t, "\x7f", "\x7f"), "",
            BODY(LOCAL_GET, 0, IF, T_I32, I32_CONST, 1, ELSE, I32_CONST, 2, END,
                 END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    CHECK_WORDS(&t.funcs[0].code, BR_OP_jump_unless, 0, 8, BR_OP_i32_const,
                1, 1, BR_OP_jump, 11, BR_OP_i32_const, 1, 2, BR_OP_ret, 1, 1);
    tm_free(&t);
}

/* br_if with a value to move: [jump_unless][move][jump]. */
static void
test_br_if_move(void)
{
    tmod_t t;
    tm_init(&t);
    tm_func(&t, tm_type(&t, "\x7f", "\x7f"), "",
            BODY(BLOCK, T_I32, I32_CONST, 7, I32_CONST, 9, LOCAL_GET, 0, BR_IF,
                 0, DROP, END, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    /* block base = slot 1; 7 at 1, 9 at 2, cond at 3 */
    CHECK_WORDS(&t.funcs[0].code, BR_OP_i32_const, 1, 7, BR_OP_i32_const, 2, 9,
                BR_OP_local_get, 3, 0, BR_OP_jump_unless, 3, 18, BR_OP_move, 1,
                2, 1, BR_OP_jump, 18, BR_OP_ret, 1, 1);
    tm_free(&t);
}

/* br_table: entries to a block (patched), a loop (fuel) and the
 * function's label (its final ret). */
static void
test_br_table(void)
{
    tmod_t t;
    tm_init(&t);
    tm_func(&t, tm_type(&t, "\x7f", ""), "",
            BODY(LOOP, EMPTY, BLOCK, EMPTY, LOCAL_GET, 0, BR_TABLE, 2, 0, 1, 2,
                 END, END, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    CHECK_WORDS(&t.funcs[0].code, BR_OP_local_get, 1, 0, BR_OP_jump_table, 1, 2,
                1, 0, 17, 1, 0, /* block: end of block = pc 17 */
                0, 1, 3,        /* loop: pc 0, fuel 3 */
                17, 1, 0,       /* function: its ret */
                BR_OP_ret, 1, 0);
    tm_free(&t);
}

static void
test_return_and_dead_code(void)
{
    tmod_t t;
    tm_init(&t);
    /* dead code after return is validated but not emitted */
    tm_func(
        &t, tm_type(&t, "", "\x7f"), "",
        BODY(I32_CONST, 3, RETURN, I32_CONST, 4, BLOCK, EMPTY, NOP, END, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    CHECK_WORDS(&t.funcs[0].code, BR_OP_i32_const, 0, 3, BR_OP_ret, 0, 1);
    tm_free(&t);
}

static void
test_calls_and_sites(void)
{
    tmod_t t;
    tm_init(&t);
    uint32_t ty = tm_type(&t, "\x7f\x7f", "\x7f");
    tm_import_func(&t, ty);
    tm_table(&t, BR_FUNCREF, 1);
    tm_memory(&t, 1, 2, false);
    tm_func(&t, tm_type(&t, "", "\x7f"), "",
            BODY(I32_CONST, 1, I32_CONST, 2, CALL, 0, I32_CONST, 3, I32_CONST,
                 0, CALL_INDIRECT, 0, 0, I32_LOAD, 2, 8, I32_CONST, 1,
                 I32_DIV_S, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    const bri_code_t *c = &t.funcs[1].code;
    CHECK_WORDS(c, BR_OP_i32_const, 0, 1, BR_OP_i32_const, 1, 2, BR_OP_call, 0,
                0, BR_OP_i32_const, 1, 3, BR_OP_i32_const, 2, 0,
                BR_OP_call_indirect, 0, 0, 0, BR_OP_i32_load_x, 0, 0, 0, 8, 0,
                BR_OP_i32_const, 1, 1, BR_OP_i32_div_s, 0, BR_OP_ret, 0, 1);
    CHECK_EQ(c->site_count, 4);
    CHECK_EQ(c->sites[0].pc, 6);
    CHECK_EQ(c->sites[0].offset, 200 + 4);
    CHECK_EQ(c->sites[1].pc, 15);
    CHECK_EQ(c->sites[2].pc, 19);
    CHECK_EQ(c->sites[3].pc, 28);
    tm_free(&t);
}

/* v128 locals take two slots and are copied with [move]. */
static void
test_v128_locals(void)
{
    tmod_t t;
    tm_init(&t);
    tm_func(&t, tm_type(&t, "\x7b\x7f", ""), "\x7b",
            BODY(LOCAL_GET, 0, LOCAL_SET, 2, LOCAL_GET, 1, DROP, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    const bri_code_t *c = &t.funcs[0].code;
    CHECK_EQ(c->param_slots, 3);
    CHECK_EQ(c->local_slots, 5);
    /* the dropped local.get 1 emits nothing */
    CHECK_WORDS(c, BR_OP_move, 5, 0, 2, BR_OP_move, 3, 5, 2, BR_OP_ret, 5, 0);
    tm_free(&t);
}

/* try/catch: one hidden exception slot shifts the operand stack. */
static void
test_try_catch(void)
{
    tmod_t t;
    tm_init(&t);
    tm_tag(&t, tm_type(&t, "\x7f", ""));
    tm_func(&t, tm_type(&t, "", "\x7f"), "",
            BODY(TRY, T_I32, I32_CONST, 1, THROW, 0, CATCH, 0, CATCH_ALL,
                 I32_CONST, 2, END, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    const bri_code_t *c = &t.funcs[0].code;
    CHECK_WORDS(c, BR_OP_i32_const, 1, 1, BR_OP_throw_, 1, 0, BR_OP_jump, 11,
                BR_OP_i32_const, 1, 2, BR_OP_ret, 1, 1);
    CHECK_EQ(c->local_slots, 0);
    CHECK_EQ(c->frame_slots, 2);
    CHECK_EQ(c->handler_count, 1);
    const bri_handler_t *h = &c->handlers[0];
    CHECK_EQ(h->start, 0);
    CHECK_EQ(h->end, 6);
    CHECK_EQ(h->parent, -1);
    CHECK_EQ(h->kind, BRI_HANDLER_CATCH);
    CHECK_EQ(h->height, 1);
    CHECK_EQ(h->exn_slot, 0);
    CHECK_EQ(h->catch_count, 2);
    CHECK_EQ(h->catches[0].tag, 0);
    CHECK_EQ(h->catches[0].pc, 6);
    CHECK_EQ(h->catches[1].tag, BR_NO_INDEX);
    CHECK_EQ(h->catches[1].pc, 8);
    CHECK_EQ(c->site_count, 1);
    CHECK_EQ(c->sites[0].pc, 3);
    tm_free(&t);
}

/* Nested tries: parent links, delegate targets, rethrow slots. */
static void
test_try_nesting(void)
{
    tmod_t t;
    tm_init(&t);
    tm_tag(&t, tm_type(&t, "", ""));
    tm_func(&t, tm_type(&t, "", ""), "\x7f",
            /* clang-format off */
            BODY(TRY, EMPTY,                   /* h0 */
                   TRY, EMPTY,                 /* h1, delegates to h0 */
                     THROW, 0,
                   DELEGATE, 0,
                   TRY, EMPTY,                 /* h2, delegates to caller */
                     NOP,
                   DELEGATE, 1,
                 CATCH_ALL,
                   TRY, EMPTY,                 /* h3: parent -1 */
                     THROW, 0,
                   CATCH, 0,
                     RETHROW, 1,               /* h0's exception */
                   END,
                 END,
                 END));
    /* clang-format on */
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    const bri_code_t *c = &t.funcs[0].code;
    CHECK_EQ(c->local_slots, 1);
    CHECK_EQ(c->frame_slots, 3); /* two exception slots, empty stack */
    CHECK_WORDS(c, BR_OP_throw_, 3, 0, BR_OP_jump, 10, BR_OP_throw_, 3, 0,
                BR_OP_rethrow, 1, BR_OP_ret, 3, 0);
    CHECK_EQ(c->handler_count, 4);
    const bri_handler_t *h = c->handlers;
    CHECK_EQ(h[0].start, 0);
    CHECK_EQ(h[0].end, 3);
    CHECK_EQ(h[0].exn_slot, 1);
    CHECK_EQ(h[0].catches[0].pc, 5);
    CHECK_EQ(h[1].kind, BRI_HANDLER_DELEGATE);
    CHECK_EQ(h[1].parent, 0);
    CHECK_EQ(h[1].delegate_to, 0);
    CHECK_EQ(h[1].start, 0);
    CHECK_EQ(h[1].end, 3);
    CHECK_EQ(h[2].kind, BRI_HANDLER_DELEGATE);
    CHECK_EQ(h[2].delegate_to, -1);
    CHECK_EQ(h[3].parent, -1);
    CHECK_EQ(h[3].exn_slot, 2);
    CHECK_EQ(h[3].start, 5);
    CHECK_EQ(h[3].end, 8);
    CHECK_EQ(h[3].catches[0].pc, 8);
    CHECK_EQ(h[3].height, 3);
    tm_free(&t);
}

/* ------------------------------------------------------------------ */
/* Function body errors                                                */

static void
test_body_errors(void)
{
    /* type mismatch */
    CHECK_EQ(
        FUNC_ERR("", "", "", I32_CONST, 0, I64_CONST, 0, I32_ADD, DROP, END),
        BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(FUNC_ERR("", "\x7f", "", END), BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(FUNC_ERR("", "", "", I32_CONST, 0, END), BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(FUNC_ERR("", "", "", BLOCK, T_I32, END, DROP, END),
             BR_ERR_TYPE_MISMATCH);
    /* if without else must keep the types */
    CHECK_EQ(FUNC_ERR("", "", "", I32_CONST, 0, IF, T_I32, I32_CONST, 1, END,
                      DROP, END),
             BR_ERR_TYPE_MISMATCH);
    /* unknown indices */
    CHECK_EQ(FUNC_ERR("\x7f", "", "\x7e", LOCAL_GET, 2, DROP, END),
             BR_ERR_UNKNOWN_LOCAL);
    CHECK_EQ(FUNC_ERR("", "", "", GLOBAL_GET, 0, DROP, END),
             BR_ERR_UNKNOWN_GLOBAL);
    CHECK_EQ(FUNC_ERR("", "", "", CALL, 1, END), BR_ERR_UNKNOWN_FUNC);
    CHECK_EQ(FUNC_ERR("", "", "", BR, 1, END), BR_ERR_UNKNOWN_LABEL);
    CHECK_EQ(FUNC_ERR("", "", "", BLOCK, 5, END, END), BR_ERR_UNKNOWN_TYPE);
    CHECK_EQ(FUNC_ERR("", "", "", I32_CONST, 0, CALL_INDIRECT, 0, 0, END),
             BR_ERR_UNKNOWN_TABLE);
    CHECK_EQ(FUNC_ERR("", "", "", I32_CONST, 0, TABLE_GET, 0, DROP, END),
             BR_ERR_UNKNOWN_TABLE);
    CHECK_EQ(FUNC_ERR("", "", "", I32_CONST, 0, I32_LOAD, 2, 0, DROP, END),
             BR_ERR_UNKNOWN_MEMORY);
    CHECK_EQ(FUNC_ERR("", "", "", MEMORY_SIZE, 0, DROP, END),
             BR_ERR_UNKNOWN_MEMORY);
    CHECK_EQ(FUNC_ERR("", "", "", THROW, 0, END), BR_ERR_UNKNOWN_TAG);
    /* malformed: illegal opcodes, missing end, junk after it */
    /* 0xFD 0x9A (LEB 0x9A 0x01) is an unassigned SIMD sub-opcode */
    CHECK_EQ(FUNC_ERR("", "", "", SIMD, 0x9A, 0x01, END),
             BR_ERR_ILLEGAL_OPCODE);
    CHECK_EQ(FUNC_ERR("", "", "", 0xFF, END), BR_ERR_ILLEGAL_OPCODE);
    CHECK_EQ(FUNC_ERR("", "", "", MISC, 40, END), BR_ERR_ILLEGAL_OPCODE);
    CHECK_EQ(FUNC_ERR("", "", "", RETURN_CALL, 5, END), BR_ERR_UNKNOWN_FUNC);
    CHECK_EQ(FUNC_ERR("", "", "", BLOCK, EMPTY, END),
             BR_ERR_END_OPCODE_EXPECTED);
    CHECK_EQ(FUNC_ERR("", "", "", END, END), BR_ERR_SECTION_SIZE_MISMATCH);
    CHECK_EQ(FUNC_ERR("", "", "", ELSE, END), BR_ERR_END_OPCODE_EXPECTED);
    CHECK_EQ(FUNC_ERR("", "", "", I32_CONST), BR_ERR_UNEXPECTED_END_SECTION);
    /* select */
    CHECK_EQ(FUNC_ERR("", "", "", SELECT_T, 0, END),
             BR_ERR_INVALID_RESULT_ARITY);
    CHECK_EQ(FUNC_ERR("", "", "", REF_NULL, T_FUNCREF, REF_NULL, T_FUNCREF,
                      I32_CONST, 1, SELECT, DROP, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(FUNC_ERR("", "", "", REF_NULL, T_FUNCREF, REF_NULL, T_FUNCREF,
                      I32_CONST, 1, SELECT_T, 1, T_FUNCREF, DROP, END),
             BR_ERR_OK);
    /* br_table arity mismatch */
    CHECK_EQ(FUNC_ERR("", "", "", BLOCK, T_I32, BLOCK, EMPTY, I32_CONST, 0,
                      I32_CONST, 0, BR_TABLE, 1, 0, 1, END, I32_CONST, 0, END,
                      DROP, END),
             BR_ERR_TYPE_MISMATCH);
    /* ref.is_null needs a reference */
    CHECK_EQ(FUNC_ERR("", "", "", I32_CONST, 0, REF_IS_NULL, DROP, END),
             BR_ERR_TYPE_MISMATCH);
}

/* The stack is polymorphic after unreachable/br/return, but br_if still
 * leaves its label's types, and values pushed later are real. */
static void
test_unreachable_polymorphism(void)
{
    CHECK_EQ(FUNC_ERR("", "\x7f", "", UNREACHABLE, I32_ADD, END), BR_ERR_OK);
    CHECK_EQ(FUNC_ERR("", "\x7e", "", UNREACHABLE, SELECT, END), BR_ERR_OK);
    CHECK_EQ(FUNC_ERR("", "", "", BR, 0, I32_CONST, 0, BR_TABLE, 0, 0, END),
             BR_ERR_OK);
    CHECK_EQ(FUNC_ERR("", "\x7f", "", I32_CONST, 0, RETURN, BR_IF, 0, END),
             BR_ERR_OK);
    CHECK_EQ(FUNC_ERR("", "\x7f", "", RETURN, END), BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(
        FUNC_ERR("", "\x7e", "", UNREACHABLE, BR_IF, 0, I64_EXTEND_I32_U, END),
        BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(
        FUNC_ERR("", "", "", UNREACHABLE, I32_CONST, 0, I64_ADD, DROP, END),
        BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(FUNC_ERR("", "", "", UNREACHABLE, I64_CONST, 0, END),
             BR_ERR_TYPE_MISMATCH);
    /* select of two different known types stays an error */
    CHECK_EQ(FUNC_ERR("", "", "", UNREACHABLE, I32_CONST, 0, I64_CONST, 0,
                      I32_CONST, 0, SELECT, DROP, END),
             BR_ERR_TYPE_MISMATCH);
    /* blocks inside dead code are validated normally */
    CHECK_EQ(FUNC_ERR("", "", "", UNREACHABLE, BLOCK, EMPTY, I32_ADD, END, END),
             BR_ERR_TYPE_MISMATCH);
}

static void
test_memory_rules(void)
{
    tmod_t t;
    /* alignment larger than natural */
    tm_init(&t);
    tm_memory(&t, 1, 1, false);
    tm_func(&t, tm_type(&t, "", ""), "",
            BODY(I32_CONST, 0, I32_LOAD, 3, 0, DROP, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_ALIGNMENT);
    CHECK_EQ(t.err.func_index, 0);
    CHECK_EQ(t.err.offset, 100 + 2);
    tm_free(&t);
    /* natural alignment of i64.load is 3; memory.grow's byte is 0 */
    tm_init(&t);
    tm_memory(&t, 1, 1, false);
    tm_func(&t, tm_type(&t, "", ""), "",
            BODY(I32_CONST, 0, I64_LOAD, 3, 0, DROP, I32_CONST, 1, MEMORY_GROW,
                 1, DROP, END));
    /* multi-memory: the 2.0 reserved byte is a memory index */
    CHECK_EQ(tm_validate(&t), BR_ERR_UNKNOWN_MEMORY);
    tm_free(&t);
    /* memory64: addresses are i64, offsets u64 */
    tm_init(&t);
    tm_memory(&t, 1, 1, true);
    tm_func(&t, tm_type(&t, "", ""), "",
            BODY(I64_CONST, 0, I32_LOAD, 2, 0x80, 0x80, 0x80, 0x80, 0x10, DROP,
                 END));
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    CHECK_WORDS(&t.funcs[0].code, BR_OP_i64_const, 0, 0, 0, BR_OP_i32_load_x,
                0, 0, 0, 0, 1, BR_OP_ret, 0, 0);
    tm_free(&t);
    tm_init(&t);
    tm_memory(&t, 1, 1, true);
    tm_func(&t, tm_type(&t, "", ""), "",
            BODY(I32_CONST, 0, I32_LOAD, 2, 0, DROP, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_TYPE_MISMATCH);
    tm_free(&t);
    /* memory.init needs the data count section */
    tm_init(&t);
    tm_memory(&t, 1, 1, false);
    t.m.data_count = 1;
    t.datas[0].mode = BRI_SEG_PASSIVE;
    tm_func(&t, tm_type(&t, "", ""), "",
            BODY(I32_CONST, 0, I32_CONST, 0, I32_CONST, 0, MISC, 8, 0, 0, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_DATA_COUNT_REQUIRED);
    tm_free(&t);
    t.m.has_data_count = true;
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    CHECK_WORDS(&t.funcs[0].code, BR_OP_i32_const, 0, 0, BR_OP_i32_const, 1, 0,
                BR_OP_i32_const, 2, 0, BR_OP_memory_init, 0, 0, 0, BR_OP_ret, 0,
                0);
    tm_free(&t);
}

static void
test_globals(void)
{
    tmod_t t;
    static const uint8_t c42[] = {I32_CONST, 42, END};
    tm_init(&t);
    tm_global(&t, BR_I32, false, c42, sizeof c42);
    tm_func(&t, tm_type(&t, "", ""), "",
            BODY(I32_CONST, 1, GLOBAL_SET, 0, END));
    CHECK_EQ(tm_validate(&t), BR_ERR_GLOBAL_IMMUTABLE);
    tm_free(&t);
    t.globals[0].mutable_ = true;
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    CHECK_WORDS(&t.funcs[0].code, BR_OP_i32_const, 0, 1, BR_OP_global_set, 0, 0,
                BR_OP_ret, 0, 0);
    tm_free(&t);
}

/* ------------------------------------------------------------------ */
/* Module-level rules                                                  */

/* Globals: imported immutable i32 (0), imported mutable i32 (1),
 * defined i32 (2), then the one initialised by `init` (3). */
static br_err_t
global_init_with(br_valkind_t kind, const uint8_t *init, size_t size,
                 uint32_t disabled)
{
    tmod_t t;
    tm_init(&t);
    t.engine.disabled_features = disabled;
    tm_import_global(&t, BR_I32, false);
    tm_import_global(&t, BR_I32, true);
    tm_global(&t, BR_I32, false, (const uint8_t[]){I32_CONST, 0, END}, 3);
    tm_import_func(&t, tm_type(&t, "", ""));
    tm_global(&t, kind, false, init, size);
    br_err_t err = tm_validate(&t);
    tm_free(&t);
    return err;
}

static br_err_t
global_init(br_valkind_t kind, const uint8_t *init, size_t size)
{
    return global_init_with(kind, init, size, 0);
}

#define INIT(kind, ...) global_init(kind, BODY(__VA_ARGS__))
/* The same with 2.0's constant expressions (imported globals only). */
#define INIT20(kind, ...) \
    global_init_with(kind, BODY(__VA_ARGS__), BR_FEATURE_CONST_GLOBALS)

static void
test_constant_exprs(void)
{
    CHECK_EQ(INIT(BR_I32, I32_CONST, 1, END), BR_ERR_OK);
    CHECK_EQ(INIT(BR_I32, GLOBAL_GET, 0, I32_CONST, 1, I32_ADD, END),
             BR_ERR_OK);
    CHECK_EQ(INIT(BR_I64, I64_CONST, 1, I64_CONST, 2, 0x7E, END), BR_ERR_OK);
    CHECK_EQ(INIT(BR_FUNCREF, REF_FUNC, 0, END), BR_ERR_OK);
    CHECK_EQ(INIT(BR_EXTERNREF, REF_NULL, T_EXTERNREF, END), BR_ERR_OK);
    CHECK_EQ(INIT(BR_I32, I32_CONST, 0, NOP, END),
             BR_ERR_CONSTANT_EXPR_REQUIRED);
    CHECK_EQ(INIT(BR_I32, I32_CONST, 0, I32_CTZ, END),
             BR_ERR_CONSTANT_EXPR_REQUIRED);
    /* constness is checked before types */
    CHECK_EQ(INIT(BR_I32, I64_CONST, 0, I32_CTZ, END),
             BR_ERR_CONSTANT_EXPR_REQUIRED);
    CHECK_EQ(INIT(BR_I32, GLOBAL_GET, 1, END),
             BR_ERR_CONSTANT_EXPR_REQUIRED); /* mutable */
    /* 3.0: a defined global before this one; 2.0: imported only */
    CHECK_EQ(INIT(BR_I32, GLOBAL_GET, 2, END), BR_ERR_OK);
    CHECK_EQ(INIT(BR_I32, GLOBAL_GET, 3, END), BR_ERR_UNKNOWN_GLOBAL);
    CHECK_EQ(INIT20(BR_I32, GLOBAL_GET, 2, END), BR_ERR_UNKNOWN_GLOBAL);
    CHECK_EQ(INIT20(BR_I32, GLOBAL_GET, 0, END), BR_ERR_OK);
    CHECK_EQ(INIT(BR_I32, GLOBAL_GET, 9, END), BR_ERR_UNKNOWN_GLOBAL);
    CHECK_EQ(INIT(BR_I32, REF_FUNC, 7, END), BR_ERR_UNKNOWN_FUNC);
    CHECK_EQ(INIT(BR_I32, END), BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(INIT(BR_I32, F32_CONST, 0, 0, 0, 0, END), BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(INIT(BR_I32, I32_CONST, 0, I32_CONST, 0, END),
             BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(INIT(BR_I32, I32_CONST, 0, I64_ADD, END), BR_ERR_TYPE_MISMATCH);
}

static void
test_func_refs(void)
{
    tmod_t t;
    uint8_t body[] = {REF_FUNC, 0, DROP, END};
    tm_init(&t);
    tm_func(&t, tm_type(&t, "", ""), "", body, sizeof body);
    CHECK_EQ(tm_validate(&t), BR_ERR_UNDECLARED_FUNC_REF);
    tm_free(&t);
    /* an export declares it */
    tm_export(&t, "f", BR_EXTERN_FUNC, 0);
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    CHECK_WORDS(&t.funcs[0].code, BR_OP_ref_func, 0, 0, BR_OP_ret, 0, 0);
    tm_free(&t);
    /* so does a declarative element segment */
    t.m.export_count = 0;
    t.m.elem_count = 1;
    t.elem_funcs[0] = 0;
    t.elems[0] = (bri_elem_t){.mode = BRI_SEG_DECLARATIVE,
                              .kind = BR_FUNCREF,
                              .count = 1,
                              .func_indices = t.elem_funcs};
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    tm_free(&t);
    t.elem_funcs[0] = 3;
    CHECK_EQ(tm_validate(&t), BR_ERR_UNKNOWN_FUNC);
    tm_free(&t);
}

static void
test_exports_and_start(void)
{
    tmod_t t;
    tm_init(&t);
    tm_func(&t, tm_type(&t, "", ""), "", BODY(END));
    tm_memory(&t, 0, 1, false);
    tm_export(&t, "b", BR_EXTERN_FUNC, 0);
    tm_export(&t, "a", BR_EXTERN_MEMORY, 0);
    tm_export(&t, "ab", BR_EXTERN_FUNC, 0);
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    tm_free(&t);
    tm_export(&t, "b", BR_EXTERN_MEMORY, 0);
    CHECK_EQ(tm_validate(&t), BR_ERR_DUPLICATE_EXPORT);
    tm_free(&t);
    t.exports[3].name = (br_name_t){1, "c"};
    t.exports[3].kind = BR_EXTERN_GLOBAL;
    CHECK_EQ(tm_validate(&t), BR_ERR_UNKNOWN_GLOBAL);
    tm_free(&t);
    t.m.export_count = 0;
    t.m.start = 0;
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    tm_free(&t);
    t.m.start = 1;
    CHECK_EQ(tm_validate(&t), BR_ERR_UNKNOWN_FUNC);
    tm_free(&t);
    /* start must be [] -> [] */
    tm_init(&t);
    tm_func(&t, tm_type(&t, "\x7f", ""), "", BODY(END));
    t.m.start = 0;
    CHECK_EQ(tm_validate(&t), BR_ERR_START_FUNCTION);
    tm_free(&t);
}

static void
test_limits_and_types(void)
{
    tmod_t t;
    tm_init(&t);
    tm_memory(&t, 2, 1, false);
    CHECK_EQ(tm_validate(&t), BR_ERR_SIZE_MINIMUM);
    t.memories[0] = (br_limitstype_t){.min = 65537};
    CHECK_EQ(tm_validate(&t), BR_ERR_MEMORY_SIZE_LIMIT);
    t.memories[0].is64 = true;
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    t.memories[0].min = (1ull << 48) + 1;
    CHECK_EQ(tm_validate(&t), BR_ERR_MEMORY_SIZE_LIMIT);
    t.memories[0].min = 1;
    tm_memory(&t, 1, 1, false);
    CHECK_EQ(tm_validate(&t), BR_ERR_OK); /* multi-memory */
    t.m.memory_count = 0;
    tm_table(&t, BR_FUNCREF, 3);
    t.tables[0].limits.has_max = true;
    t.tables[0].limits.max = 2;
    CHECK_EQ(tm_validate(&t), BR_ERR_SIZE_MINIMUM);
    t.m.table_count = 0;
    /* tags: results must be empty; types must exist */
    tm_tag(&t, tm_type(&t, "", "\x7f"));
    CHECK_EQ(tm_validate(&t), BR_ERR_INVALID_TAG_TYPE);
    t.tags[0] = 5;
    CHECK_EQ(tm_validate(&t), BR_ERR_UNKNOWN_TYPE);
    t.m.tag_count = 0;
    tm_import_func(&t, 9);
    CHECK_EQ(tm_validate(&t), BR_ERR_UNKNOWN_TYPE);
    tm_free(&t);
}

static void
test_segments(void)
{
    tmod_t t;
    static const uint8_t off32[] = {I32_CONST, 0, END};
    static const uint8_t off64[] = {I64_CONST, 0, END};
    tm_init(&t);
    tm_memory(&t, 1, 1, false);
    t.m.data_count = 1;
    t.datas[0] = (bri_data_t){
        .mode = BRI_SEG_ACTIVE, .memory = 0, .offset = {off32, 3, 500}};
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    t.datas[0].offset.code = off64;
    CHECK_EQ(tm_validate(&t), BR_ERR_TYPE_MISMATCH);
    CHECK_EQ(t.err.offset, 500 + 2);
    t.memories[0].is64 = true;
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    t.datas[0].memory = 1;
    CHECK_EQ(tm_validate(&t), BR_ERR_UNKNOWN_MEMORY);
    t.m.data_count = 0;
    /* element segments: table, offset type, element type */
    tm_table(&t, BR_EXTERNREF, 1);
    t.m.elem_count = 1;
    t.elems[0] = (bri_elem_t){.mode = BRI_SEG_ACTIVE,
                              .kind = BR_FUNCREF,
                              .table = 0,
                              .offset = {off32, 3, 600},
                              .type = BR_FUNCREF};
    CHECK_EQ(tm_validate(&t), BR_ERR_TYPE_MISMATCH);
    t.tables[0].elem = BR_FUNCREF;
    t.tables[0].type = BR_FUNCREF;
    CHECK_EQ(tm_validate(&t), BR_ERR_OK);
    t.elems[0].table = 1;
    CHECK_EQ(tm_validate(&t), BR_ERR_UNKNOWN_TABLE);
    tm_free(&t);
}

static void
test_exception_rules(void)
{
    tmod_t t;
    tm_init(&t);
    tm_tag(&t, tm_type(&t, "\x7f", ""));
    uint32_t ty = tm_type(&t, "", "");
    struct {
        uint8_t body[16];
        size_t size;
        br_err_t want;
    } cases[] = {
        {{CATCH_ALL, END}, 2, BR_ERR_END_OPCODE_EXPECTED},
        {{CATCH, 0, END}, 3, BR_ERR_END_OPCODE_EXPECTED},
        {{TRY, EMPTY, CATCH_ALL, CATCH, 0, DROP, END, END},
         8,
         BR_ERR_END_OPCODE_EXPECTED},
        {{TRY, EMPTY, CATCH_ALL, DELEGATE, 0, END},
         6,
         BR_ERR_END_OPCODE_EXPECTED},
        {{TRY, EMPTY, DELEGATE, 0, END}, 5, BR_ERR_OK},
        {{TRY, EMPTY, DELEGATE, 1, END}, 5, BR_ERR_UNKNOWN_LABEL},
        {{RETHROW, 0, END}, 3, BR_ERR_INVALID_RETHROW_LABEL},
        {{BLOCK, EMPTY, RETHROW, 0, END, END}, 6, BR_ERR_INVALID_RETHROW_LABEL},
        {{TRY, EMPTY, RETHROW, 0, DELEGATE, 0, END},
         7,
         BR_ERR_INVALID_RETHROW_LABEL},
        {{TRY, EMPTY, CATCH_ALL, RETHROW, 2, END, END},
         7,
         BR_ERR_UNKNOWN_LABEL},
        {{TRY, EMPTY, CATCH_ALL, BLOCK, EMPTY, RETHROW, 1, END, END, END},
         10,
         BR_ERR_OK},
        {{TRY, EMPTY, CATCH, 0, END, END}, 6, BR_ERR_TYPE_MISMATCH},
        {{TRY, EMPTY, CATCH, 0, DROP, END, END}, 7, BR_ERR_OK},
        {{TRY, EMPTY, CATCH, 1, END, END}, 6, BR_ERR_UNKNOWN_TAG},
        {{TRY, EMPTY, CATCH_ALL, I32_CONST, 1, END, END},
         7,
         BR_ERR_TYPE_MISMATCH},
        {{I64_CONST, 5, THROW, 0, END}, 5, BR_ERR_TYPE_MISMATCH},
        {{TRY, EMPTY, END, END}, 4, BR_ERR_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t.m.func_count = 0;
        tm_func(&t, ty, "", cases[i].body, cases[i].size);
        br_err_t err = tm_validate(&t);
        if (err != cases[i].want)
            fprintf(stderr, "exception case %zu: %d\n", i, (int)err);
        CHECK_EQ(err, cases[i].want);
        tm_free(&t);
    }
}

/* ------------------------------------------------------------------ */
/* Allocation failures                                                 */

static void
build_big(tmod_t *t)
{
    tm_init(t);
    tm_tag(t, tm_type(t, "\x7f", ""));
    uint32_t ty = tm_type(t, "\x7f", "\x7f");
    /* clang-format off */
    static const uint8_t body[] = {
        BLOCK, T_I32,
          LOOP, EMPTY,
            LOCAL_GET, 0, I32_EQZ, BR_IF, 0,
            TRY, EMPTY,
              LOCAL_GET, 0, THROW, 0,
            CATCH, 0,
              LOCAL_SET, 0,
              TRY, EMPTY,
                BLOCK, EMPTY, BR, 0, END,
              CATCH_ALL,
                RETHROW, 0,
              END,
            CATCH_ALL,
              RETHROW, 0,
            END,
            LOCAL_GET, 0, LOCAL_GET, 0, BR_TABLE, 1, 1, 2,
          END,
          I32_CONST, 1,
        END,
        END,
    };
    /* clang-format on */
    tm_func(t, ty, "\x7e\x7b", body, sizeof body);
    tm_func(t, ty, "", BODY(LOCAL_GET, 0, CALL, 0, END));
    tm_export(t, "x", BR_EXTERN_FUNC, 0);
    tm_export(t, "y", BR_EXTERN_FUNC, 1);
    tm_export(t, "z", BR_EXTERN_TAG, 0);
}

static void
test_alloc_failures(void)
{
    tmod_t *t = malloc(sizeof *t);
    build_big(t);
    CHECK_EQ(tm_validate(t), BR_ERR_OK);
    CHECK_EQ(t->funcs[0].code.handler_count, 2);
    tm_free(t);
    int failures = 0;
    for (long n = 0; n < 10000; n++) {
        build_big(t);
        t->ctr.fail_after = n;
        br_err_t err = tm_validate(t);
        if (err == BR_ERR_OK) {
            tm_free(t);
            break;
        }
        failures++;
        CHECK_EQ(err, BR_ERR_OUT_OF_MEMORY);
        CHECK_EQ(t->ctr.live, 0); /* nothing leaked */
        CHECK(t->m.declared_refs == NULL);
        CHECK(t->funcs[0].code.words == NULL);
    }
    CHECK(failures > 5);
    free(t);
}

int
main(void)
{
    test_add();
    test_block_br();
    test_loop();
    test_loop_params();
    test_if_else();
    test_br_if_move();
    test_br_table();
    test_return_and_dead_code();
    test_calls_and_sites();
    test_v128_locals();
    test_try_catch();
    test_try_nesting();
    test_body_errors();
    test_unreachable_polymorphism();
    test_memory_rules();
    test_globals();
    test_constant_exprs();
    test_func_refs();
    test_exports_and_start();
    test_limits_and_types();
    test_segments();
    test_exception_rules();
    test_alloc_failures();
    return CHECK_DONE();
}
