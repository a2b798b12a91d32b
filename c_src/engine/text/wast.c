/*
 * beamr engine, text format: the entry points. br_wat_to_wasm encodes a
 * module; br_wast_parse reads a .wast script into commands, encoding its
 * modules as it goes (each in a context of its own, so that a module the
 * text format refuses becomes an error of that command only, and its
 * working memory is released at once).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "text/text.h"

struct br_wast_script {
    bri_allocator_t alloc;
    tctx_t c;  /* owns the commands, names and modules */
    char *src; /* a copy of the script: names point into it */
    size_t src_len;
    br_wast_command_t *cmds;
    size_t ncmds, cap;
};

/* ------------------------------------------------------------------ */
/* Protected runs (luaD_rawrunprotected's pattern)                     */

typedef void (*protected_fn)(tctx_t *c, void *ud);

static br_text_err_t
run_protected(tctx_t *c, protected_fn fn, void *ud)
{
    jmp_buf jb, *saved = c->unwind;
    br_text_err_t code = BR_TEXT_ERR_OK;
    c->unwind = &jb;
    if (setjmp(jb) == 0)
        fn(c, ud);
    else
        code = c->err->code;
    c->unwind = saved;
    return code;
}

static void
init_ctx(tctx_t *c, const bri_allocator_t *a, const char *src, size_t len,
         br_text_error_t *err)
{
    memset(c, 0, sizeof *c);
    memset(err, 0, sizeof *err);
    c->alloc = a;
    c->src = src;
    c->src_len = len;
    c->err = err;
}

/* ------------------------------------------------------------------ */
/* Modules                                                             */

/* Concatenated string literals [*i, ...) into `out`. */
static void
strings(tctx_t *c, size_t *i, tbuf_t *out)
{
    while (c->toks[*i].kind == TK_STRING) {
        bri_lit_string(c, &c->toks[*i], out);
        (*i)++;
    }
}

static void encode_source(tctx_t *c, void *ud);

/* "(module definition? $id? ...)" at token lp: fields, binary strings
 * or quoted text (encoded in a context of its own). */
static void
encode_module_form(tctx_t *c, size_t lp, tbuf_t *out)
{
    size_t i = lp + 2;
    const tok_t *t;
    if (c->toks[i].kind == TK_KEYWORD &&
        bri_tok_is(c, &c->toks[i], "definition"))
        i++;
    if (c->toks[i].kind == TK_ID)
        i++;
    t = &c->toks[i];
    if (t->kind == TK_KEYWORD && bri_tok_is(c, t, "binary")) {
        i++;
        strings(c, &i, out);
    } else if (t->kind == TK_KEYWORD && bri_tok_is(c, t, "quote")) {
        tbuf_t text = {0}, bytes = {0};
        tctx_t sub;
        br_text_error_t err;
        i++;
        strings(c, &i, &text);
        init_ctx(&sub, c->alloc, (const char *)text.p, text.len, &err);
        sub.ops = c->ops;
        if (run_protected(&sub, encode_source, &bytes) != BR_TEXT_ERR_OK) {
            bri_text_free(&sub);
            *c->err = err; /* line and column within the quoted text */
            longjmp(*c->unwind, 1);
        }
        if (bytes.p)
            bri_text_adopt(c, &sub, bytes.p);
        else
            bri_text_free(&sub);
        bri_tbuf_bytes(c, out, bytes.p, bytes.len);
        return;
    } else {
        bri_wat_encode(c, i, tok_match(&c->toks[lp]), out);
        return;
    }
    if (c->toks[i].kind != TK_RPAREN)
        bri_text_fail(c, BR_TEXT_ERR_UNEXPECTED_TOKEN, c->toks[i].off,
                      "unexpected token (expected a string)");
}

static bool
is_module_form(const tctx_t *c, size_t i)
{
    return c->toks[i].kind == TK_LPAREN && c->toks[i + 1].kind == TK_KEYWORD &&
           bri_tok_is(c, &c->toks[i + 1], "module");
}

/* A whole module text: "(module ...)" alone, or module fields, into
 * `ud` (a buffer of this context). */
static void
encode_source(tctx_t *c, void *ud)
{
    tbuf_t *out = ud;
    size_t eof;
    bri_text_tokens(c);
    eof = c->ntoks - 1;
    if (is_module_form(c, 0)) {
        if (tok_match(&c->toks[0]) + 1 != eof)
            bri_text_fail(c, BR_TEXT_ERR_UNEXPECTED_TOKEN,
                          c->toks[tok_match(&c->toks[0]) + 1].off,
                          "unexpected token after the module");
        encode_module_form(c, 0, out);
    } else {
        bri_wat_encode(c, 0, eof, out);
    }
}

/* Copies bytes out of a context into a plain allocation. */
static uint8_t *
detach(const bri_allocator_t *a, const tbuf_t *b)
{
    uint8_t *p = bri_alloc(a, b->len);
    if (p && b->len)
        memcpy(p, b->p, b->len);
    return p;
}

br_text_err_t
br_wat_to_wasm(br_engine_t *engine, const char *text, size_t len,
               own uint8_t **out, size_t *out_size, br_text_error_t *error)
{
    br_text_error_t local_err;
    br_text_error_t *err = error ? error : &local_err;
    tctx_t c;
    tbuf_t bytes = {0};
    br_text_err_t code;
    *out = NULL;
    *out_size = 0;
    init_ctx(&c, &engine->alloc, text, len, err);
    code = run_protected(&c, encode_source, &bytes);
    if (code == BR_TEXT_ERR_OK) {
        *out = detach(&engine->alloc, &bytes);
        if (*out)
            *out_size = bytes.len;
        else
            code = err->code = BR_TEXT_ERR_OUT_OF_MEMORY;
    }
    bri_text_free(&c);
    return code;
}

/* The source offset of the function whose body holds binary offset
 * `at`, from the bodies encode_source recorded; false if none. */
static bool
body_source(const tlocate_t *loc, uint64_t at, uint32_t *src_off)
{
    size_t n = loc->bodies.len / (2 * sizeof(uint32_t));
    bool found = false;
    if (at < loc->code_start || at >= loc->code_end)
        return false;
    for (size_t k = 0; k < n; k++) {
        uint32_t rec[2];
        memcpy(rec, loc->bodies.p + k * sizeof rec, sizeof rec);
        if (loc->code_start + rec[0] > at)
            break;
        *src_off = rec[1];
        found = true;
    }
    return found;
}

void
br_wat_locate(br_engine_t *engine, const char *text, size_t len,
              br_error_t *error)
{
    br_text_error_t terr;
    tlocate_t loc;
    tctx_t c;
    tbuf_t bytes = {0};
    uint32_t src_off;
    if (engine == NULL || text == NULL || error == NULL)
        return;
    error->line = 0;
    error->column = 0;
    memset(&loc, 0, sizeof loc);
    init_ctx(&c, &engine->alloc, text, len, &terr);
    c.locate = &loc;
    if (run_protected(&c, encode_source, &bytes) == BR_TEXT_ERR_OK &&
        body_source(&loc, error->offset, &src_off))
        bri_text_position(text, len, src_off, &error->line, &error->column);
    bri_text_free(&c);
}

/* ------------------------------------------------------------------ */
/* Script values                                                       */

typedef struct reader {
    br_wast_script_t *s;
    tctx_t *c;
    size_t line_off; /* the line counter is at this offset */
    uint32_t line;
} reader_t;

static const tok_t *
tk(const reader_t *r, size_t i)
{
    return &r->c->toks[i];
}

static bool
is_open(const reader_t *r, size_t i, const char *kw)
{
    return tk(r, i)->kind == TK_LPAREN && tk(r, i + 1)->kind == TK_KEYWORD &&
           bri_tok_is(r->c, tk(r, i + 1), kw);
}

_Noreturn static void
script_error(reader_t *r, size_t i, const char *what)
{
    const tok_t *t = tk(r, i);
    bri_text_fail(r->c,
                  t->kind == TK_EOF ? BR_TEXT_ERR_UNEXPECTED_END
                                    : BR_TEXT_ERR_UNEXPECTED_TOKEN,
                  t->off, "unexpected token (expected %s)", what);
}

static void
expect_close(reader_t *r, size_t *i)
{
    if (tk(r, *i)->kind != TK_RPAREN)
        script_error(r, *i, "\")\"");
    (*i)++;
}

static br_name_t
slice(const reader_t *r, const tok_t *t)
{
    br_name_t n = {t->len, r->c->src + t->off};
    return n;
}

/* A string literal decoded into script memory. */
static br_name_t
string_name(reader_t *r, size_t *i)
{
    tbuf_t b = {0};
    br_name_t n;
    if (tk(r, *i)->kind != TK_STRING)
        script_error(r, *i, "a string");
    bri_lit_string(r->c, tk(r, *i), &b);
    (*i)++;
    n.size = b.len;
    n.data = (const char *)b.p;
    return n;
}

static uint8_t
nan_pattern(const reader_t *r, const tok_t *t)
{
    if (t->kind != TK_KEYWORD)
        return BR_WAST_MATCH_BITS;
    if (bri_tok_is(r->c, t, "nan:canonical"))
        return BR_WAST_MATCH_NAN_CANONICAL;
    if (bri_tok_is(r->c, t, "nan:arithmetic"))
        return BR_WAST_MATCH_NAN_ARITHMETIC;
    return BR_WAST_MATCH_BITS;
}

static uint64_t
lane_value(reader_t *r, size_t *i, unsigned bits, bool is_float, uint8_t *match,
           bool pattern)
{
    const tok_t *t = tk(r, *i);
    uint64_t v = 0;
    *match = pattern && is_float ? nan_pattern(r, t) : BR_WAST_MATCH_BITS;
    (*i)++;
    if (*match != BR_WAST_MATCH_BITS)
        return 0;
    if (is_float)
        return bits == 32 ? bri_lit_f32(r->c, t) : bri_lit_f64(r->c, t);
    if (!bri_lit_int(r->c, t, bits, &v))
        bri_text_fail(r->c, BR_TEXT_ERR_OUT_OF_RANGE, t->off, NULL);
    return v;
}

static void
v128_value(reader_t *r, size_t *i, br_wast_value_t *v, bool pattern)
{
    static const struct {
        const char *name;
        unsigned bits;
        bool is_float;
    } shapes[] = {{"i8x16", 8, false},  {"i16x8", 16, false},
                  {"i32x4", 32, false}, {"i64x2", 64, false},
                  {"f32x4", 32, true},  {"f64x2", 64, true}};
    size_t s = 0;
    while (s < 6 && !bri_tok_is(r->c, tk(r, *i), shapes[s].name))
        s++;
    if (s == 6)
        bri_text_fail(r->c, BR_TEXT_ERR_LANE_SHAPE, tk(r, *i)->off, NULL);
    (*i)++;
    v->val.kind = BR_V128;
    v->lane_bits = (uint8_t)shapes[s].bits;
    v->lane_float = shapes[s].is_float;
    for (unsigned k = 0; k < 128 / shapes[s].bits; k++) {
        uint64_t x = lane_value(r, i, shapes[s].bits, shapes[s].is_float,
                                &v->match[k], pattern);
        memcpy(v->val.of.v128 + k * (shapes[s].bits / 8), &x,
               shapes[s].bits / 8); /* little-endian hosts only */
    }
}

/* "(ref.null ht)": a null of ht's kind (a bottom type's: nofunc is a
 * null funcref); in a result "(ref.null)" matches a null of any kind. */
static void
null_value(reader_t *r, size_t *i, br_wast_value_t *v, bool pattern)
{
    static const struct {
        const char *name;
        br_valkind_t kind;
    } heaps[] = {
        {"func", BR_FUNCREF},     {"nofunc", BR_FUNCREF},
        {"extern", BR_EXTERNREF}, {"noextern", BR_EXTERNREF},
        {"exn", BR_EXNREF},       {"noexn", BR_EXNREF},
        {"any", BR_ANYREF},       {"eq", BR_ANYREF},
        {"i31", BR_ANYREF},       {"struct", BR_ANYREF},
        {"array", BR_ANYREF},     {"none", BR_ANYREF},
    };
    const tok_t *ht = tk(r, *i);
    v->is_null = true;
    if (pattern && ht->kind == TK_RPAREN) {
        v->val.kind = BR_FUNCREF;
        v->match[0] = BR_WAST_MATCH_ANY_NULL;
        return;
    }
    for (size_t k = 0; k < sizeof heaps / sizeof heaps[0]; k++) {
        if (ht->kind == TK_KEYWORD && bri_tok_is(r->c, ht, heaps[k].name)) {
            v->val.kind = heaps[k].kind;
            (*i)++;
            return;
        }
    }
    script_error(r, *i, "a heap type");
}

/* The class an expected "(ref.struct)", "(ref.array)", "(ref.i31)",
 * "(ref.eq)" or "(ref.any)" stands for; 0 for other keywords. */
static uint8_t
gc_class(reader_t *r, const tok_t *op)
{
    static const struct {
        const char *name;
        uint8_t match;
    } classes[] = {
        {"ref.struct", BR_WAST_MATCH_REF_STRUCT},
        {"ref.array", BR_WAST_MATCH_REF_ARRAY},
        {"ref.i31", BR_WAST_MATCH_REF_I31},
        {"ref.eq", BR_WAST_MATCH_REF_EQ},
        {"ref.any", BR_WAST_MATCH_REF_ANY},
    };
    for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++)
        if (bri_tok_is(r->c, op, classes[k].name))
            return classes[k].match;
    return 0;
}

/* One "(t.const ...)" / "(ref.null t)" / "(ref.extern N)" / "(ref.func)". */
static void
value(reader_t *r, size_t *i, br_wast_value_t *v, bool pattern)
{
    const tok_t *op;
    uint64_t x;
    memset(v, 0, sizeof *v);
    if (tk(r, *i)->kind != TK_LPAREN || tk(r, *i + 1)->kind != TK_KEYWORD)
        script_error(r, *i, "a value");
    op = tk(r, *i + 1);
    *i += 2;
    if (bri_tok_is(r->c, op, "i32.const") ||
        bri_tok_is(r->c, op, "i64.const")) {
        unsigned bits = bri_tok_is(r->c, op, "i32.const") ? 32 : 64;
        v->val.kind = bits == 32 ? BR_I32 : BR_I64;
        x = lane_value(r, i, bits, false, &v->match[0], false);
        if (bits == 32)
            v->val.of.u32 = (uint32_t)x;
        else
            v->val.of.u64 = x;
    } else if (bri_tok_is(r->c, op, "f32.const") ||
               bri_tok_is(r->c, op, "f64.const")) {
        unsigned bits = bri_tok_is(r->c, op, "f32.const") ? 32 : 64;
        v->val.kind = bits == 32 ? BR_F32 : BR_F64;
        x = lane_value(r, i, bits, true, &v->match[0], pattern);
        if (bits == 32)
            v->val.of.u32 = (uint32_t)x;
        else
            v->val.of.u64 = x;
    } else if (bri_tok_is(r->c, op, "v128.const")) {
        v128_value(r, i, v, pattern);
    } else if (bri_tok_is(r->c, op, "ref.null")) {
        null_value(r, i, v, pattern);
    } else if (pattern && gc_class(r, op) != 0) {
        v->val.kind = BR_ANYREF;
        v->match[0] = gc_class(r, op);
    } else if (bri_tok_is(r->c, op, "ref.extern") ||
               bri_tok_is(r->c, op, "ref.host") ||
               bri_tok_is(r->c, op, "ref.func")) {
        v->val.kind = bri_tok_is(r->c, op, "ref.extern") ? BR_EXTERNREF
                      : bri_tok_is(r->c, op, "ref.host") ? BR_ANYREF
                                                         : BR_FUNCREF;
        if (tk(r, *i)->kind == TK_NUM && v->val.kind != BR_FUNCREF) {
            if (!bri_lit_uint(r->c, tk(r, *i), 64, &v->val.of.u64))
                script_error(r, *i, "a host reference number");
            (*i)++;
        } else {
            if (!pattern)
                script_error(r, *i, "a host reference number");
            v->match[0] = BR_WAST_MATCH_ANY_REF;
            if (tk(r, *i)->kind == TK_NUM || tk(r, *i)->kind == TK_ID)
                (*i)++; /* (ref.func $f): any function reference */
        }
    } else {
        script_error(r, *i - 1, "a constant");
    }
    expect_close(r, i);
}

static void either(reader_t *r, size_t *i, br_wast_value_t *v);

/* Values until ')' into script memory. */
static br_wast_value_t *
values(reader_t *r, size_t *i, size_t *count, bool pattern)
{
    size_t n = 0, cap = 0;
    br_wast_value_t *vals = NULL;
    while (tk(r, *i)->kind == TK_LPAREN) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 4;
            vals = bri_text_grow(r->c, vals, cap * sizeof *vals,
                                 nc * sizeof *vals);
            cap = nc;
        }
        if (pattern && bri_tok_is(r->c, tk(r, *i + 1), "either"))
            either(r, i, &vals[n++]);
        else
            value(r, i, &vals[n++], pattern);
    }
    *count = n;
    return vals;
}

/* An expected "(either v1 v2 ...)": one result, several acceptable
 * values (relaxed SIMD). */
static void
either(reader_t *r, size_t *i, br_wast_value_t *v)
{
    memset(v, 0, sizeof *v);
    *i += 2;
    v->alts = values(r, i, &v->alt_count, true);
    if (v->alt_count == 0)
        script_error(r, *i, "a value");
    v->val.kind = v->alts[0].val.kind;
    expect_close(r, i);
}

/* ------------------------------------------------------------------ */
/* Script commands                                                     */

static br_wast_command_t *
new_command(reader_t *r, br_wast_kind_t kind, size_t at)
{
    br_wast_script_t *s = r->s;
    br_wast_command_t *cmd;
    uint32_t off = tk(r, at)->off;
    if (s->ncmds == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        s->cmds = bri_text_grow(r->c, s->cmds, s->cap * sizeof *cmd,
                                cap * sizeof *cmd);
        s->cap = cap;
    }
    while (r->line_off < off) {
        const char *nl =
            memchr(r->c->src + r->line_off, '\n', off - r->line_off);
        if (!nl)
            break;
        r->line++;
        r->line_off = (size_t)(nl - r->c->src) + 1;
    }
    cmd = &s->cmds[s->ncmds++];
    memset(cmd, 0, sizeof *cmd);
    cmd->kind = kind;
    cmd->line = r->line;
    return cmd;
}

typedef struct module_job {
    size_t lp;
    size_t bare_end; /* > 0: bare module fields [lp, bare_end) */
    tbuf_t bytes;
} module_job_t;

static void
encode_job(tctx_t *c, void *ud)
{
    module_job_t *job = ud;
    if (job->bare_end)
        bri_wat_encode(c, job->lp, job->bare_end, &job->bytes);
    else
        encode_module_form(c, job->lp, &job->bytes);
}

/* The module at token lp, encoded in a context of its own whose memory
 * is released as soon as the bytes are copied to the script. */
static void
read_module(reader_t *r, size_t lp, size_t bare_end, br_wast_module_t *m)
{
    tctx_t sub;
    module_job_t job = {lp, bare_end, {0}};
    size_t i = lp + 2;
    const tok_t *t;
    if (bare_end)
        i = lp; /* no "(module": nothing below matches */
    if (tk(r, i)->kind == TK_KEYWORD &&
        bri_tok_is(r->c, tk(r, i), "definition")) {
        m->definition = true;
        i++;
    }
    if (tk(r, i)->kind == TK_ID)
        m->name = slice(r, tk(r, i++));
    t = tk(r, i);
    m->form = t->kind != TK_KEYWORD           ? BR_WAST_TEXT
              : bri_tok_is(r->c, t, "binary") ? BR_WAST_BINARY
              : bri_tok_is(r->c, t, "quote")  ? BR_WAST_QUOTE
                                              : BR_WAST_TEXT;
    init_ctx(&sub, r->c->alloc, r->c->src, r->c->src_len, &m->error);
    sub.toks = r->c->toks; /* borrowed: not recorded in sub */
    sub.ntoks = r->c->ntoks;
    sub.ops = bri_wat_ops(r->c);
    switch (run_protected(&sub, encode_job, &job)) {
    case BR_TEXT_ERR_OK:
        m->size = job.bytes.len;
        if (job.bytes.p) {
            bri_text_adopt(r->c, &sub, job.bytes.p);
            m->bytes = job.bytes.p;
        } else {
            bri_text_free(&sub);
            m->bytes = bri_text_alloc(r->c, 1);
        }
        return;
    case BR_TEXT_ERR_OUT_OF_MEMORY:
        /* not the module's fault: the whole script fails */
        bri_text_free(&sub);
        bri_text_oom(r->c);
    default:
        bri_text_free(&sub); /* the module's own error, in its command */
        return;
    }
}

/* (invoke $M? "name" arg*) / (get $M? "name") */
static void
read_action(reader_t *r, size_t *i, br_wast_action_t *a)
{
    const tok_t *kw = tk(r, *i + 1);
    if (tk(r, *i)->kind != TK_LPAREN || kw->kind != TK_KEYWORD ||
        !(bri_tok_is(r->c, kw, "invoke") || bri_tok_is(r->c, kw, "get")))
        script_error(r, *i, "an action");
    a->is_get = bri_tok_is(r->c, kw, "get");
    *i += 2;
    if (tk(r, *i)->kind == TK_ID)
        a->module = slice(r, tk(r, (*i)++));
    a->field = string_name(r, i);
    if (!a->is_get)
        a->args = values(r, i, &a->arg_count, false);
    expect_close(r, i);
}

static bool
at_module(const reader_t *r, size_t i)
{
    return is_open(r, i, "module");
}

/* An assertion's module or action, then its message (optional for
 * assert_exception). */
static void
module_or_action(reader_t *r, size_t *i, br_wast_command_t *cmd)
{
    if (at_module(r, *i)) {
        cmd->has_module = true;
        read_module(r, *i, 0, &cmd->module);
        *i = tok_match(tk(r, *i)) + 1;
    } else {
        read_action(r, i, &cmd->action);
    }
    if (tk(r, *i)->kind == TK_STRING)
        cmd->text = string_name(r, i);
}

static const struct {
    const char *name;
    br_wast_kind_t kind;
} assertions[] = {
    {"assert_return", BR_WAST_ASSERT_RETURN},
    {"assert_trap", BR_WAST_ASSERT_TRAP},
    {"assert_exhaustion", BR_WAST_ASSERT_EXHAUSTION},
    {"assert_exception", BR_WAST_ASSERT_EXCEPTION},
    {"assert_invalid", BR_WAST_ASSERT_INVALID},
    {"assert_malformed", BR_WAST_ASSERT_MALFORMED},
    {"assert_unlinkable", BR_WAST_ASSERT_UNLINKABLE},
    {"assert_malformed_custom", BR_WAST_ASSERT_MALFORMED_CUSTOM},
    {"assert_invalid_custom", BR_WAST_ASSERT_INVALID_CUSTOM},
};

static void
read_assertion(reader_t *r, size_t lp, br_wast_kind_t kind)
{
    br_wast_command_t *cmd = new_command(r, kind, lp);
    size_t i = lp + 2;
    if (kind == BR_WAST_ASSERT_RETURN) {
        read_action(r, &i, &cmd->action);
        cmd->expected = values(r, &i, &cmd->expected_count, true);
    } else {
        module_or_action(r, &i, cmd);
    }
    expect_close(r, &i);
}

static void
read_register(reader_t *r, size_t lp)
{
    br_wast_command_t *cmd = new_command(r, BR_WAST_REGISTER, lp);
    size_t i = lp + 2;
    cmd->register_as = string_name(r, &i);
    if (tk(r, i)->kind == TK_ID)
        cmd->module.name = slice(r, tk(r, i++));
    expect_close(r, &i);
}

/* (module instance $I? $M?) or a module. */
static void
read_module_cmd(reader_t *r, size_t lp)
{
    br_wast_command_t *cmd;
    size_t i = lp + 2;
    if (tk(r, i)->kind == TK_KEYWORD &&
        bri_tok_is(r->c, tk(r, i), "instance")) {
        cmd = new_command(r, BR_WAST_INSTANCE, lp);
        i++;
        /* (module instance $I $M) or (module instance $M) */
        if (tk(r, i)->kind == TK_ID && tk(r, i + 1)->kind == TK_ID)
            cmd->module.name = slice(r, tk(r, i++));
        if (tk(r, i)->kind == TK_ID)
            cmd->module.instance_of = slice(r, tk(r, i++));
        expect_close(r, &i);
        return;
    }
    cmd = new_command(r, BR_WAST_MODULE, lp);
    cmd->has_module = true;
    read_module(r, lp, 0, &cmd->module);
}

static void
read_command(reader_t *r, size_t lp)
{
    const tok_t *kw = tk(r, lp + 1);
    size_t i = lp;
    if (tk(r, lp)->kind != TK_LPAREN || kw->kind != TK_KEYWORD)
        script_error(r, lp, "a command");
    if (bri_tok_is(r->c, kw, "module")) {
        read_module_cmd(r, lp);
        return;
    }
    if (bri_tok_is(r->c, kw, "register")) {
        read_register(r, lp);
        return;
    }
    if (bri_tok_is(r->c, kw, "invoke") || bri_tok_is(r->c, kw, "get")) {
        br_wast_command_t *cmd = new_command(r, BR_WAST_ACTION, lp);
        read_action(r, &i, &cmd->action);
        return;
    }
    for (size_t k = 0; k < sizeof assertions / sizeof assertions[0]; k++) {
        if (bri_tok_is(r->c, kw, assertions[k].name)) {
            read_assertion(r, lp, assertions[k].kind);
            return;
        }
    }
    bri_text_fail(r->c, BR_TEXT_ERR_BAD_SCRIPT, kw->off,
                  "unknown script command %.*s",
                  (int)(kw->len > 40 ? 40 : kw->len), r->c->src + kw->off);
}

static bool
bare_fields(const tctx_t *c)
{
    static const char *const fields[] = {
        "type", "import", "func",  "table", "memory", "global",
        "tag",  "export", "start", "elem",  "data",
    };
    if (c->ntoks < 3 || c->toks[0].kind != TK_LPAREN ||
        c->toks[1].kind != TK_KEYWORD)
        return false;
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        if (bri_tok_is(c, &c->toks[1], fields[k]))
            return true;
    return false;
}

static void
read_script(tctx_t *c, void *ud)
{
    reader_t *r = ud;
    size_t i = 0;
    bri_text_tokens(c);
    if (bare_fields(c)) {
        /* a script that is a bare module: one module command */
        br_wast_command_t *cmd = new_command(r, BR_WAST_MODULE, 0);
        cmd->has_module = true;
        read_module(r, 0, c->ntoks - 1, &cmd->module);
        return;
    }
    while (c->toks[i].kind != TK_EOF) {
        read_command(r, i);
        i = tok_match(&c->toks[i]) + 1;
    }
}

br_text_err_t
br_wast_parse(br_engine_t *engine, const char *text, size_t len,
              own br_wast_script_t **out, br_text_error_t *error)
{
    br_text_error_t local_err;
    br_text_error_t *err = error ? error : &local_err;
    br_wast_script_t *s;
    reader_t r;
    br_text_err_t code;
    *out = NULL;
    s = bri_calloc(&engine->alloc, 1, sizeof *s);
    if (!s) {
        memset(err, 0, sizeof *err);
        return err->code = BR_TEXT_ERR_OUT_OF_MEMORY;
    }
    s->alloc = engine->alloc;
    s->src = bri_alloc(&s->alloc, len);
    if (!s->src) {
        bri_free(&s->alloc, s, sizeof *s);
        memset(err, 0, sizeof *err);
        return err->code = BR_TEXT_ERR_OUT_OF_MEMORY;
    }
    if (len)
        memcpy(s->src, text, len);
    s->src_len = len;
    init_ctx(&s->c, &s->alloc, s->src, len, err);
    r.s = s;
    r.c = &s->c;
    r.line_off = 0;
    r.line = 1;
    code = run_protected(&s->c, read_script, &r);
    if (code != BR_TEXT_ERR_OK) {
        br_wast_delete(s);
        return code;
    }
    *out = s;
    return BR_TEXT_ERR_OK;
}

size_t
br_wast_command_count(const br_wast_script_t *script)
{
    return script->ncmds;
}

const br_wast_command_t *
br_wast_command(const br_wast_script_t *script, size_t index)
{
    return index < script->ncmds ? &script->cmds[index] : NULL;
}

void
br_wast_delete(br_wast_script_t *script)
{
    bri_allocator_t a;
    if (!script)
        return;
    a = script->alloc;
    bri_text_free(&script->c);
    bri_free(&a, script->src, script->src_len);
    bri_free(&a, script, sizeof *script);
}
