/*
 * beamr engine, text format: what the lexer (lex.c), the literal readers
 * (literal.c), the module parser (wat.c), the instruction parser
 * (wat_instr.c) and the script reader (wast.c) share.
 *
 * Errors unwind with longjmp to the entry point (as Lua's luaD_throw
 * does): every allocation is owned by the parser context, so the entry
 * point frees everything whether parsing finished or not.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEXT_INTERNAL_H
#define BR_TEXT_INTERNAL_H

#include <setjmp.h>

#include "internal.h"
#include "text/br_text.h"

/* ------------------------------------------------------------------ */
/* Tokens (lex.c)                                                      */

typedef enum tk_kind {
    TK_LPAREN,
    TK_RPAREN,
    TK_KEYWORD,  /* starts with a-z (includes inf, nan, nan:0x...) */
    TK_ID,       /* $name */
    TK_NUM,      /* starts with a digit or a sign: checked where used */
    TK_STRING,   /* "..." with the quotes; decoded where used */
    TK_RESERVED, /* any other run of idchars */
    TK_EOF,
} tk_kind_t;

/* 8 bytes a token (the token array is the parser's largest memory). A
 * '(' is one byte long, so its length field holds the index of its ')'
 * instead (tok_match); a token of 256 MiB or more, or 2^28 tokens, is
 * "text too large". */
#define TOK_MAX ((UINT32_C(1) << 28) - 1)

typedef struct tok {
    uint32_t off;      /* byte offset in the source */
    uint32_t len : 28; /* TK_LPAREN: index of its TK_RPAREN */
    uint32_t kind : 4; /* tk_kind_t */
} tok_t;

static inline uint32_t
tok_match(const tok_t *t)
{
    return t->len;
}

/* The length of a token's text (1 for a parenthesis). */
static inline uint32_t
tok_len(const tok_t *t)
{
    return t->kind == TK_LPAREN ? 1 : t->len;
}

/* An annotation "(@id ...)" the lexer took out of the token stream
 * (the parsers never see one); annot.c checks and places those it
 * knows when the module they sit in is encoded. */
typedef struct tann {
    uint32_t off;     /* source offset of its "(@" */
    uint32_t at;      /* index of the token it preceded in c->toks */
    int32_t parent;   /* index of the enclosing '(' in c->toks, or -1 */
    uint32_t in_func; /* 1: some enclosing '(' is "(func" */
    uint32_t first;   /* its tokens in c->ann_toks, '(' to ')' */
    uint32_t count;
} tann_t;

/* A growable byte buffer owned by a parser context. */
typedef struct tbuf {
    uint8_t *p;
    size_t len, cap;
} tbuf_t;

/* A map from source slices (identifiers) to indices. */
typedef struct tmap_entry {
    uint32_t off, len, value;
} tmap_entry_t;

typedef struct tmap {
    uint32_t *slots; /* entry index + 1, 0 = empty; cap is a power of 2 */
    tmap_entry_t *entries;
    uint32_t count, slot_cap, entry_cap;
} tmap_t;

/* Text name -> opcode, built once per top-level parse from the one
 * opcode table (opcodes.h) and shared by every module of a script. */
#define WAT_OPMAP_SIZE 1024 /* power of two, > 2 x the opcode count */

typedef struct wat_ops {
    int16_t map[WAT_OPMAP_SIZE];    /* br_op_t + 1, 0 = empty */
    const char *name[BR_OP__COUNT]; /* the TEXT column, NULL: none */
    uint8_t len[BR_OP__COUNT];
} wat_ops_t;

typedef struct tblock {
    void *p;
    size_t size;
} tblock_t;

/* br_wat_locate: where the function bodies of the module went. */
typedef struct tlocate {
    tbuf_t bodies;     /* per body: uint32 offset in the code section,
                          uint32 source offset of its "(func" */
    size_t code_start; /* the code section's entries in the binary */
    size_t code_end;
} tlocate_t;

/* The state shared by every part of one parse. */
typedef struct tctx {
    const bri_allocator_t *alloc;
    const char *src;
    size_t src_len;
    tok_t *toks;
    size_t ntoks, tok_cap;
    br_text_error_t *err;
    jmp_buf *unwind;
    const wat_ops_t *ops; /* NULL until the first module needs it */
    tlocate_t *locate;    /* non-NULL: br_wat_locate records bodies */
    tbuf_t ann_names;     /* annotations' string ids: uint32 off, len */
    tbuf_t anns;          /* tann_t: every outermost annotation */
    tbuf_t ann_toks;      /* tok_t: their tokens, '(' matches rebased */
    /* Every block this context allocated, freed by bri_text_free. */
    struct tblock *blocks;
    size_t nblocks, block_cap;
} tctx_t;

/* Fails at the token (or at the byte offset for the lexer). */
_Noreturn void bri_text_fail(tctx_t *c, br_text_err_t code, uint32_t off,
                             const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
_Noreturn void bri_text_oom(tctx_t *c);

/* Memory owned by the context (freed all at once by bri_text_free). */
void *bri_text_alloc(tctx_t *c, size_t size);
void *bri_text_grow(tctx_t *c, void *ptr, size_t old_size, size_t new_size);
void bri_text_free(tctx_t *c);
/* Frees context `from` except for `ptr`, which `to` then owns (so that
 * an allocation failure in `to` cannot leak what `from` holds). */
void bri_text_adopt(tctx_t *to, tctx_t *from, void *ptr);

/* Splits the source into tokens, checks UTF-8 and balances parentheses.
 * Tokens [first, ntoks) are appended to c->toks, ending with TK_EOF. */
void bri_text_lex(tctx_t *c);

/* bri_text_lex, then the names of quoted identifiers $"..." decoded
 * (literal.c): each such token then points at "$" + its name, copied
 * after the source (c->src changes; positions still count in the
 * source), so that $"abc" and $abc are one name for every map. */
void bri_text_tokens(tctx_t *c);

/* 1-based line and column (characters) of a byte offset. */
void bri_text_position(const char *src, size_t len, size_t off, uint32_t *line,
                       uint32_t *column);

/* ------------------------------------------------------------------ */
/* Buffers and maps                                                    */

void bri_tbuf_reserve(tctx_t *c, tbuf_t *b, size_t more);
void bri_tbuf_bytes(tctx_t *c, tbuf_t *b, const void *p, size_t n);
void bri_tbuf_u32(tctx_t *c, tbuf_t *b, uint64_t v); /* unsigned LEB */
void bri_tbuf_s64(tctx_t *c, tbuf_t *b, int64_t v);  /* signed LEB */

static inline void
bri_tbuf_byte(tctx_t *c, tbuf_t *b, uint8_t v)
{
    if (BR_UNLIKELY(b->len == b->cap))
        bri_tbuf_reserve(c, b, 1);
    b->p[b->len++] = v;
}

/* Returns false (and does nothing) if the name is already bound. */
bool bri_tmap_put(tctx_t *c, tmap_t *m, uint32_t off, uint32_t len,
                  uint32_t value);
/* The value bound to the slice, or UINT32_MAX. */
uint32_t bri_tmap_get(const tctx_t *c, const tmap_t *m, uint32_t off,
                      uint32_t len);
void bri_tmap_clear(tmap_t *m);
/* Binds or rebinds a name (UINT32_MAX reads back as unbound). */
void bri_tmap_set(tctx_t *c, tmap_t *m, uint32_t off, uint32_t len,
                  uint32_t value);

/* ------------------------------------------------------------------ */
/* Literals (literal.c)                                                */

/* Token text equality with a C string. */
static inline bool
bri_tok_is(const tctx_t *c, const tok_t *t, const char *s)
{
    size_t n = strlen(s);
    return tok_len(t) == n && memcmp(c->src + t->off, s, n) == 0;
}

/* Integers: `bits` 32 or 64. bri_lit_uint accepts unsigned forms only,
 * bri_lit_int signed or unsigned (wrapping to the width). Return false
 * if the token is no integer of that width. */
bool bri_lit_uint(const tctx_t *c, const tok_t *t, unsigned bits,
                  uint64_t *out);
bool bri_lit_int(const tctx_t *c, const tok_t *t, unsigned bits, uint64_t *out);
/* Whether the token has integer syntax (whatever its size): tells a
 * malformed literal ("unknown operator") from one out of range. */
bool bri_lit_int_syntax(const tctx_t *c, const tok_t *t);
/* Floats as raw bits; fails with "constant out of range" on overflow,
 * "unknown operator" for no float at all (spec wording). */
uint32_t bri_lit_f32(tctx_t *c, const tok_t *t);
uint64_t bri_lit_f64(tctx_t *c, const tok_t *t);
/* A string's bytes (escapes decoded), appended to `out`. */
void bri_lit_string(tctx_t *c, const tok_t *t, tbuf_t *out);
/* Whether bytes are well-formed UTF-8. */
bool bri_utf8_valid(const uint8_t *p, size_t n);

/* ------------------------------------------------------------------ */
/* Module encoding (wat.c, wat_instr.c)                                */

/* Encodes the module whose fields lie between tokens [first, end) (the
 * inside of "(module ...)" after its optional $id). */
void bri_wat_encode(tctx_t *c, size_t first, size_t end, tbuf_t *out);
/* Annotations (annot.c). Checks those the module whose fields are
 * tokens [first, end) holds (fails on a malformed or misplaced one). */
void bri_annot_check(tctx_t *c, size_t first, size_t end);
/* Appends the module's @custom sections placed at `position`. */
void bri_annot_customs(tctx_t *c, size_t first, size_t end,
                       uint32_t position, tbuf_t *out);
/* The position just before (after false) or after a section id; and
 * the position after the last section. */
uint32_t bri_annot_position(uint8_t section_id, bool after);
uint32_t bri_annot_last(void);
/* The opcode names (built in the context on first use; a script builds
 * them once and lends them to the contexts of its modules). */
const wat_ops_t *bri_wat_ops(tctx_t *c);

#endif
