/*
 * beamr engine, text format: the parser context (memory, errors), byte
 * buffers, identifier maps and the lexer. The lexer turns the whole
 * source into a token array in one pass, with each '(' pointing at its
 * ')', so that the parsers can skip any form in O(1) and never recurse
 * to find where a form ends.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>

#include "text/text.h"

/* ------------------------------------------------------------------ */
/* Errors                                                              */

#define TEXT_ERR_MSG(name, msg, atom) msg,
static const char *const text_messages[] = {BR_TEXT_ERRORS(TEXT_ERR_MSG)};
#undef TEXT_ERR_MSG
#define TEXT_ERR_ATOM(name, msg, atom) #atom,
static const char *const text_atoms[] = {BR_TEXT_ERRORS(TEXT_ERR_ATOM)};
#undef TEXT_ERR_ATOM

const char *
br_text_err_message(br_text_err_t code)
{
    return code < BR_TEXT_ERR__COUNT ? text_messages[code] : "unknown error";
}

const char *
br_text_err_atom(br_text_err_t code)
{
    return code < BR_TEXT_ERR__COUNT ? text_atoms[code] : "unknown";
}

bool
br_is_binary(const uint8_t *bytes, size_t size)
{
    return size >= 4 && memcmp(bytes, "\0asm", 4) == 0;
}

void
bri_text_position(const char *src, size_t len, size_t off, uint32_t *line,
                  uint32_t *column)
{
    uint32_t l = 1, col = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)src[i];
        if (ch == '\n') {
            l++;
            col = 1;
        } else if ((ch & 0xC0) != 0x80) {
            col++; /* count characters, not continuation bytes */
        }
    }
    *line = l;
    *column = col;
}

void
bri_text_fail(tctx_t *c, br_text_err_t code, uint32_t off, const char *fmt, ...)
{
    br_text_error_t *e = c->err;
    const char *msg = br_text_err_message(code);
    va_list ap;
    e->code = code;
    bri_text_position(c->src, c->src_len, off, &e->line, &e->column);
    if (fmt && *fmt) {
        char detail[128];
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
        snprintf(e->message, sizeof e->message, "%s", detail);
    } else {
        snprintf(e->message, sizeof e->message, "%s", msg);
    }
    longjmp(*c->unwind, 1);
}

void
bri_text_oom(tctx_t *c)
{
    bri_text_fail(c, BR_TEXT_ERR_OUT_OF_MEMORY, 0, NULL);
}

/* ------------------------------------------------------------------ */
/* Memory: every block is recorded so that a failure frees them all     */

static size_t
find_block(const tctx_t *c, const void *ptr)
{
    for (size_t i = c->nblocks; i-- > 0;)
        if (c->blocks[i].p == ptr)
            return i;
    return SIZE_MAX;
}

static void
record_block(tctx_t *c, void *ptr, size_t size)
{
    if (c->nblocks == c->block_cap) {
        size_t cap = c->block_cap ? c->block_cap * 2 : 32;
        tblock_t *b = bri_realloc(c->alloc, c->blocks, c->block_cap * sizeof *b,
                                  cap * sizeof *b);
        if (!b) {
            bri_free(c->alloc, ptr, size);
            bri_text_oom(c);
        }
        c->blocks = b;
        c->block_cap = cap;
    }
    c->blocks[c->nblocks].p = ptr;
    c->blocks[c->nblocks].size = size;
    c->nblocks++;
}

void *
bri_text_alloc(tctx_t *c, size_t size)
{
    void *p = bri_alloc(c->alloc, size);
    if (!p)
        bri_text_oom(c);
    record_block(c, p, size);
    return p;
}

/* Blocks grow in place in the record (searched from the newest, which
 * is where growing buffers usually are). */
void *
bri_text_grow(tctx_t *c, void *ptr, size_t old_size, size_t new_size)
{
    size_t i;
    void *p;
    if (!ptr)
        return bri_text_alloc(c, new_size);
    i = find_block(c, ptr);
    p = bri_realloc(c->alloc, ptr, old_size, new_size);
    if (!p)
        bri_text_oom(c);
    c->blocks[i].p = p;
    c->blocks[i].size = new_size;
    return p;
}

void
bri_text_adopt(tctx_t *to, tctx_t *from, void *ptr)
{
    size_t i = find_block(from, ptr), size = from->blocks[i].size;
    from->blocks[i] = from->blocks[--from->nblocks];
    bri_text_free(from);
    record_block(to, ptr, size); /* frees ptr if it cannot */
}

void
bri_text_free(tctx_t *c)
{
    for (size_t i = 0; i < c->nblocks; i++)
        bri_free(c->alloc, c->blocks[i].p, c->blocks[i].size);
    bri_free(c->alloc, c->blocks, c->block_cap * sizeof *c->blocks);
    c->blocks = NULL;
    c->nblocks = c->block_cap = 0;
}

/* ------------------------------------------------------------------ */
/* Buffers                                                             */

void
bri_tbuf_reserve(tctx_t *c, tbuf_t *b, size_t more)
{
    size_t cap;
    if (b->cap - b->len >= more)
        return;
    cap = b->cap ? b->cap : 64;
    while (cap - b->len < more) {
        if (cap > SIZE_MAX / 2)
            bri_text_oom(c);
        cap *= 2;
    }
    b->p = bri_text_grow(c, b->p, b->cap, cap);
    b->cap = cap;
}

void
bri_tbuf_bytes(tctx_t *c, tbuf_t *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    bri_tbuf_reserve(c, b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void
bri_tbuf_u32(tctx_t *c, tbuf_t *b, uint64_t v)
{
    bri_tbuf_reserve(c, b, 10);
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        b->p[b->len++] = (uint8_t)(byte | (v ? 0x80 : 0));
    } while (v);
}

void
bri_tbuf_s64(tctx_t *c, tbuf_t *b, int64_t v)
{
    bool more = true;
    bri_tbuf_reserve(c, b, 10);
    while (more) {
        uint8_t byte = (uint8_t)(v & 0x7F);
        v >>= 7; /* arithmetic shift: gcc and clang define it */
        more = !((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40)));
        b->p[b->len++] = (uint8_t)(byte | (more ? 0x80 : 0));
    }
}

/* ------------------------------------------------------------------ */
/* Identifier maps (open addressing, FNV-1a)                           */

static uint32_t
hash_slice(const char *s, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void
tmap_rehash(tctx_t *c, tmap_t *m)
{
    uint32_t cap = m->slot_cap ? m->slot_cap * 2 : 16;
    uint32_t *slots = bri_text_alloc(c, cap * sizeof *slots);
    memset(slots, 0, cap * sizeof *slots);
    for (uint32_t i = 0; i < m->count; i++) {
        const tmap_entry_t *e = &m->entries[i];
        uint32_t h = hash_slice(c->src + e->off, e->len) & (cap - 1);
        while (slots[h])
            h = (h + 1) & (cap - 1);
        slots[h] = i + 1;
    }
    m->slots = slots; /* the old array stays owned by the context */
    m->slot_cap = cap;
}

bool
bri_tmap_put(tctx_t *c, tmap_t *m, uint32_t off, uint32_t len, uint32_t value)
{
    uint32_t h;
    if (bri_tmap_get(c, m, off, len) != UINT32_MAX)
        return false;
    if ((m->count + 1) * 2 > m->slot_cap)
        tmap_rehash(c, m);
    if (m->count == m->entry_cap) {
        uint32_t cap = m->entry_cap ? m->entry_cap * 2 : 8;
        m->entries =
            bri_text_grow(c, m->entries, m->entry_cap * sizeof *m->entries,
                          cap * sizeof *m->entries);
        m->entry_cap = cap;
    }
    m->entries[m->count] = (tmap_entry_t){off, len, value};
    h = hash_slice(c->src + off, len) & (m->slot_cap - 1);
    while (m->slots[h])
        h = (h + 1) & (m->slot_cap - 1);
    m->slots[h] = ++m->count;
    return true;
}

uint32_t
bri_tmap_get(const tctx_t *c, const tmap_t *m, uint32_t off, uint32_t len)
{
    uint32_t h;
    if (!m->count)
        return UINT32_MAX;
    h = hash_slice(c->src + off, len) & (m->slot_cap - 1);
    while (m->slots[h]) {
        const tmap_entry_t *e = &m->entries[m->slots[h] - 1];
        if (e->len == len && memcmp(c->src + e->off, c->src + off, len) == 0)
            return e->value;
        h = (h + 1) & (m->slot_cap - 1);
    }
    return UINT32_MAX;
}

void
bri_tmap_set(tctx_t *c, tmap_t *m, uint32_t off, uint32_t len, uint32_t value)
{
    uint32_t h;
    if (m->count) {
        h = hash_slice(c->src + off, len) & (m->slot_cap - 1);
        while (m->slots[h]) {
            tmap_entry_t *e = &m->entries[m->slots[h] - 1];
            if (e->len == len &&
                memcmp(c->src + e->off, c->src + off, len) == 0) {
                e->value = value;
                return;
            }
            h = (h + 1) & (m->slot_cap - 1);
        }
    }
    bri_tmap_put(c, m, off, len, value);
}

void
bri_tmap_clear(tmap_t *m)
{
    for (uint32_t i = 0; i < m->slot_cap && m->count; i++)
        m->slots[i] = 0;
    m->count = 0;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */

/* Length of the well-formed UTF-8 sequence at p, or 0. */
static size_t
utf8_seq(const uint8_t *p, size_t n)
{
    uint32_t cp;
    size_t len, i;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2, cp = p[0] & 0x1F;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3, cp = p[0] & 0x0F;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4, cp = p[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    /* overlong forms, surrogates and code points past U+10FFFF */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

/* Offset of the first malformed sequence, or n. */
static size_t
utf8_check(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t len;
        uint64_t word;
        /* ASCII runs eight bytes at a time */
        if (i + 8 <= n) {
            memcpy(&word, p + i, 8);
            if (!(word & UINT64_C(0x8080808080808080))) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        len = utf8_seq(p + i, n - i);
        if (!len)
            return i;
        i += len;
    }
    return n;
}

bool
bri_utf8_valid(const uint8_t *p, size_t n)
{
    return utf8_check(p, n) == n;
}

/* ------------------------------------------------------------------ */
/* Lexer                                                               */

/* The spec's idchar set. */
static const uint8_t idchar[256] = {
    ['0'] = 1, ['1'] = 1,  ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1,  ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1,
    ['C'] = 1, ['D'] = 1,  ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1,  ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1,  ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1,  ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1,  ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1,  ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1,  ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1,  ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,  ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1,
    ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1,
    ['/'] = 1, [':'] = 1,  ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1,
    ['@'] = 1, ['\\'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1,
    ['~'] = 1,
};

typedef struct lexer {
    tctx_t *c;
    const char *s;
    size_t n, i;
    uint32_t *open; /* token indices of unclosed '(' */
    size_t nopen, open_cap;
    size_t atom_end; /* where the last string or idchar run ended */
    /* Annotations "(@id ...)": their tokens are dropped when the
     * outermost one closes (the spec lets a tool ignore them). */
    size_t ann_depth;  /* open annotations */
    size_t ann_first;  /* token index of the outermost one's '(' */
    uint8_t *ann_open; /* per open '(' (parallel to open): 1 = annotation */
} lexer_t;

static void
push_tok(lexer_t *lx, tk_kind_t kind, size_t off, size_t len)
{
    tctx_t *c = lx->c;
    if (c->ntoks == c->tok_cap) {
        size_t cap = c->tok_cap ? c->tok_cap * 2 : lx->n / 4 + 16;
        c->toks = bri_text_grow(c, c->toks, c->tok_cap * sizeof *c->toks,
                                cap * sizeof *c->toks);
        c->tok_cap = cap;
    }
    if (len > TOK_MAX || c->ntoks >= TOK_MAX)
        bri_text_fail(c, BR_TEXT_ERR_TOO_LARGE, (uint32_t)off,
                      "text too large (a token of 256 MiB, or 2^28 tokens)");
    c->toks[c->ntoks].off = (uint32_t)off;
    c->toks[c->ntoks].len = (uint32_t)len;
    c->toks[c->ntoks].kind = (uint32_t)kind;
    c->ntoks++;
}

/* Skips a block comment starting at "(;" (nested comments count). */
static void
skip_block_comment(lexer_t *lx)
{
    size_t start = lx->i, depth = 0;
    while (lx->i + 1 < lx->n) {
        if (lx->s[lx->i] == '(' && lx->s[lx->i + 1] == ';') {
            depth++;
            lx->i += 2;
        } else if (lx->s[lx->i] == ';' && lx->s[lx->i + 1] == ')') {
            lx->i += 2;
            if (--depth == 0)
                return;
        } else {
            lx->i++;
        }
    }
    bri_text_fail(lx->c, BR_TEXT_ERR_UNCLOSED_COMMENT, (uint32_t)start, NULL);
}

static void
lex_open(lexer_t *lx)
{
    tctx_t *c = lx->c;
    if (lx->nopen == lx->open_cap) {
        size_t cap = lx->open_cap ? lx->open_cap * 2 : 64;
        lx->open = bri_text_grow(c, lx->open, lx->open_cap * sizeof *lx->open,
                                 cap * sizeof *lx->open);
        lx->ann_open = bri_text_grow(c, lx->ann_open, lx->open_cap, cap);
        lx->open_cap = cap;
    }
    lx->ann_open[lx->nopen] = 0;
    lx->open[lx->nopen++] = (uint32_t)c->ntoks;
    push_tok(lx, TK_LPAREN, lx->i, 1);
    lx->i++;
}

/* Whether an open '(' starts "(func". */
static bool
opens_func(const lexer_t *lx, uint32_t lparen)
{
    const tok_t *kw = &lx->c->toks[lparen + 1];
    return lparen + 1 < lx->c->ntoks && kw->kind == TK_KEYWORD &&
           bri_tok_is(lx->c, kw, "func");
}

/* Moves the outermost annotation, just closed, out of the token stream
 * into c->anns / c->ann_toks with where it stood (annot.c reads it). */
static void
keep_annotation(lexer_t *lx)
{
    tctx_t *c = lx->c;
    uint32_t first = (uint32_t)lx->ann_first, n = (uint32_t)c->ntoks - first;
    uint32_t base = (uint32_t)(c->ann_toks.len / sizeof(tok_t));
    tann_t a = {c->toks[first].off, first, -1, 0, base, n};
    if (lx->nopen > 0)
        a.parent = (int32_t)lx->open[lx->nopen - 1];
    for (size_t k = 0; k < lx->nopen && !a.in_func; k++)
        a.in_func = opens_func(lx, lx->open[k]);
    for (uint32_t k = 0; k < n; k++) {
        tok_t t = c->toks[first + k];
        if (t.kind == TK_LPAREN)
            t.len = tok_match(&t) - first + base;
        bri_tbuf_bytes(c, &c->ann_toks, &t, sizeof t);
    }
    bri_tbuf_bytes(c, &c->anns, &a, sizeof a);
}

static void
lex_close(lexer_t *lx)
{
    tctx_t *c = lx->c;
    if (lx->nopen == 0)
        bri_text_fail(c, BR_TEXT_ERR_UNEXPECTED_TOKEN, (uint32_t)lx->i,
                      "unexpected token \")\" (unbalanced parentheses)");
    c->toks[lx->open[--lx->nopen]].len = (uint32_t)c->ntoks; /* tok_match */
    push_tok(lx, TK_RPAREN, lx->i, 1);
    lx->i++;
    if (lx->ann_open[lx->nopen] && --lx->ann_depth == 0) {
        keep_annotation(lx);
        c->ntoks = lx->ann_first; /* the parsers never see it */
        lx->atom_end = 0;
    }
}

static void
empty_annotation_id(lexer_t *lx, size_t off)
{
    bri_text_fail(lx->c, BR_TEXT_ERR_UNKNOWN_OPERATOR, (uint32_t)off,
                  "empty annotation id");
}

/* The id of an annotation after "(@": an idchar run or a non-empty
 * string that holds valid UTF-8 (3.0's annotations); returns its end. */
static size_t
annotation_id_end(lexer_t *lx, size_t i)
{
    size_t start = i;
    if (i < lx->n && idchar[(unsigned char)lx->s[i]]) {
        while (i < lx->n && idchar[(unsigned char)lx->s[i]])
            i++;
        return i;
    }
    if (i >= lx->n || lx->s[i] != '"')
        empty_annotation_id(lx, start);
    for (i++; i < lx->n && lx->s[i] != '"'; i++) {
        unsigned char ch = (unsigned char)lx->s[i];
        if (ch < 0x20 || ch == 0x7F)
            empty_annotation_id(lx, start);
        if (ch == '\\')
            i++;
    }
    if (i >= lx->n)
        bri_text_fail(lx->c, BR_TEXT_ERR_MALFORMED_STRING, (uint32_t)start,
                      "unclosed string");
    if (i == start + 1)
        empty_annotation_id(lx, start);
    return i + 1;
}

/* "(@id": opens an annotation; its id is checked (and then ignored). */
static void
lex_annotation(lexer_t *lx)
{
    tctx_t *c = lx->c;
    size_t start = lx->i, end;
    end = annotation_id_end(lx, start + 2);
    if (lx->s[start + 2] == '"') {
        /* its UTF-8 is checked by bri_text_tokens */
        uint32_t at[2] = {(uint32_t)(start + 2), (uint32_t)(end - start - 2)};
        bri_tbuf_bytes(c, &c->ann_names, at, sizeof at);
    }
    if (lx->ann_depth++ == 0)
        lx->ann_first = c->ntoks;
    lex_open(lx);
    lx->ann_open[lx->nopen - 1] = 1;
    lx->i = end;
    lx->atom_end = end;
}

/* Two atoms (strings, idchar runs) must be separated: "a""b" and
 * data"a" are malformed ("unknown operator" in the spec's tests). */
static void
check_separated(lexer_t *lx, size_t start)
{
    if (start != 0 && lx->atom_end == start && lx->ann_depth == 0)
        bri_text_fail(lx->c, BR_TEXT_ERR_UNKNOWN_OPERATOR, (uint32_t)start,
                      "unknown operator (tokens not separated)");
}

static void
lex_string(lexer_t *lx)
{
    size_t start = lx->i;
    check_separated(lx, start);
    lx->i++;
    for (;;) {
        unsigned char ch;
        if (lx->i >= lx->n)
            bri_text_fail(lx->c, BR_TEXT_ERR_MALFORMED_STRING, (uint32_t)start,
                          "unclosed string");
        ch = (unsigned char)lx->s[lx->i];
        if (ch == '"')
            break;
        if (ch < 0x20 || ch == 0x7F)
            bri_text_fail(lx->c, BR_TEXT_ERR_MALFORMED_STRING, (uint32_t)lx->i,
                          "illegal control character in string");
        lx->i += ch == '\\' && lx->i + 1 < lx->n ? 2 : 1;
    }
    lx->i++;
    push_tok(lx, TK_STRING, start, lx->i - start);
    lx->atom_end = lx->i;
}

static void
empty_identifier(lexer_t *lx, size_t off)
{
    bri_text_fail(lx->c, BR_TEXT_ERR_UNKNOWN_OPERATOR, (uint32_t)off,
                  "empty identifier");
}

/* $"..." (3.0): a TK_ID token over the source text; its name (the
 * string's bytes) is decoded and checked by bri_text_tokens. */
static void
lex_quoted_id(lexer_t *lx)
{
    size_t start = lx->i, i = start + 2;
    for (; i < lx->n && lx->s[i] != '"'; i++) {
        unsigned char ch = (unsigned char)lx->s[i];
        if (ch < 0x20 || ch == 0x7F)
            empty_identifier(lx, start);
        if (ch == '\\')
            i++;
    }
    if (i >= lx->n)
        bri_text_fail(lx->c, BR_TEXT_ERR_MALFORMED_STRING, (uint32_t)start,
                      "unclosed string");
    push_tok(lx, TK_ID, start, i + 1 - start);
    lx->i = i + 1;
    lx->atom_end = lx->i;
}

static void
lex_atom(lexer_t *lx)
{
    size_t start = lx->i;
    unsigned char first = (unsigned char)lx->s[start];
    tk_kind_t kind;
    check_separated(lx, start);
    if (first == '$' && start + 1 < lx->n && lx->s[start + 1] == '"' &&
        lx->ann_depth == 0) {
        lex_quoted_id(lx);
        return;
    }
    while (lx->i < lx->n && idchar[(unsigned char)lx->s[lx->i]])
        lx->i++;
    if (first == '$')
        kind = lx->i - start > 1 ? TK_ID : TK_RESERVED;
    else if (first >= 'a' && first <= 'z')
        kind = TK_KEYWORD;
    else if ((first >= '0' && first <= '9') || first == '+' || first == '-')
        kind = TK_NUM;
    else
        kind = TK_RESERVED;
    push_tok(lx, kind, start, lx->i - start);
    lx->atom_end = lx->i;
}

static void
lex_char(lexer_t *lx)
{
    unsigned char ch = (unsigned char)lx->s[lx->i];
    switch (ch) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
        lx->i++;
        return;
    case '(':
        if (lx->i + 1 < lx->n && lx->s[lx->i + 1] == ';')
            skip_block_comment(lx);
        else if (lx->i + 1 < lx->n && lx->s[lx->i + 1] == '@' &&
                 lx->ann_depth == 0)
            lex_annotation(lx); /* inside one, "(@" is plain tokens */
        else
            lex_open(lx);
        return;
    case ')':
        lex_close(lx);
        return;
    case ';':
        if (lx->i + 1 < lx->n && lx->s[lx->i + 1] == ';') {
            /* a line comment ends at a newline or carriage return (3.0) */
            while (lx->i < lx->n && lx->s[lx->i] != '\n' &&
                   lx->s[lx->i] != '\r')
                lx->i++;
            return;
        }
        break;
    case '"':
        lex_string(lx);
        return;
    default:
        if (idchar[ch]) {
            lex_atom(lx);
            return;
        }
        break;
    }
    if (lx->ann_depth && (ch == ',' || ch == ';' || ch == '[' || ch == ']' ||
                          ch == '{' || ch == '}')) {
        /* 3.0's reserved tokens may also hold these; only annotations,
         * whose tokens are dropped, can hold reserved tokens */
        push_tok(lx, TK_RESERVED, lx->i, 1);
        lx->i++;
        return;
    }
    bri_text_fail(lx->c, BR_TEXT_ERR_UNEXPECTED_CHAR, (uint32_t)lx->i,
                  ch >= 0x20 && ch < 0x7F ? "malformed character '%c'"
                                          : "malformed character (byte 0x%02x)",
                  ch);
}

void
bri_text_lex(tctx_t *c)
{
    lexer_t lx = {c, c->src, c->src_len, 0, NULL, 0, 0, 0, 0, 0, NULL};
    size_t bad;
    if (c->src_len >= UINT32_MAX)
        bri_text_fail(c, BR_TEXT_ERR_TOO_LARGE, 0, NULL);
    bad = utf8_check((const uint8_t *)c->src, c->src_len);
    if (bad != c->src_len)
        bri_text_fail(c, BR_TEXT_ERR_MALFORMED_UTF8, (uint32_t)bad, NULL);
    while (lx.i < lx.n)
        lex_char(&lx);
    if (lx.ann_depth)
        bri_text_fail(c, BR_TEXT_ERR_UNEXPECTED_END, c->toks[lx.ann_first].off,
                      "unclosed annotation");
    if (lx.nopen)
        bri_text_fail(c, BR_TEXT_ERR_UNEXPECTED_END,
                      c->toks[lx.open[lx.nopen - 1]].off,
                      "unexpected end of input (unclosed parenthesis)");
    push_tok(&lx, TK_EOF, lx.n, 0);
}
