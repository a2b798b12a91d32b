/*
 * beamr engine, text format: numeric and string literals. Integers are
 * read exactly (with underscores between digits, hex, signs); floats are
 * checked against the spec's grammar, then rounded by the C library
 * (strtof/strtod round correctly from decimal and hex); nan:0x payloads
 * and infinities are built from their bits.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdlib.h>

#include "text/text.h"

static int
hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Reads digits of `base` with single underscores between digits from
 * s[*i]; at least one digit. Returns false on a syntax error or when
 * the value exceeds UINT64_MAX (*overflow set). */
static bool
read_digits(const char *s, size_t n, size_t *i, unsigned base, uint64_t *out,
            bool *overflow)
{
    uint64_t v = 0;
    size_t j = *i;
    bool any = false;
    *overflow = false;
    while (j < n) {
        int d = hexval(s[j]);
        if (s[j] == '_') {
            if (!any || j + 1 >= n || hexval(s[j + 1]) < 0 ||
                (unsigned)hexval(s[j + 1]) >= base)
                return false;
            j++;
            continue;
        }
        if (d < 0 || (unsigned)d >= base)
            break;
        if (v > (UINT64_MAX - (unsigned)d) / base)
            *overflow = true;
        v = v * base + (unsigned)d;
        any = true;
        j++;
    }
    *i = j;
    *out = v;
    return any;
}

/* An unsigned integer literal (decimal or 0x hex) covering all of s. */
static bool
read_uint(const char *s, size_t n, uint64_t *out, bool *overflow)
{
    size_t i = 0;
    unsigned base = 10;
    if (n > 2 && s[0] == '0' && s[1] == 'x') {
        base = 16;
        i = 2;
    }
    return read_digits(s, n, &i, base, out, overflow) && i == n;
}

bool
bri_lit_uint(const tctx_t *c, const tok_t *t, unsigned bits, uint64_t *out)
{
    const char *s = c->src + t->off;
    bool overflow;
    uint64_t v;
    if (t->kind != TK_NUM || !read_uint(s, t->len, &v, &overflow) || overflow)
        return false;
    if (bits < 64 && v >> bits)
        return false;
    *out = v;
    return true;
}

bool
bri_lit_int_syntax(const tctx_t *c, const tok_t *t)
{
    const char *s = c->src + t->off;
    size_t n = t->len;
    uint64_t v;
    bool overflow;
    if (t->kind != TK_NUM)
        return false;
    if (s[0] == '+' || s[0] == '-') {
        s++;
        n--;
    }
    return read_uint(s, n, &v, &overflow);
}

bool
bri_lit_int(const tctx_t *c, const tok_t *t, unsigned bits, uint64_t *out)
{
    const char *s = c->src + t->off;
    size_t n = t->len;
    char sign = 0;
    uint64_t v, half = UINT64_C(1) << (bits - 1);
    uint64_t mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    bool overflow;
    if (t->kind != TK_NUM)
        return false;
    if (s[0] == '+' || s[0] == '-') {
        sign = s[0];
        s++;
        n--;
    }
    if (!read_uint(s, n, &v, &overflow) || overflow)
        return false;
    if (sign == 0 && bits < 64 && v >> bits)
        return false;
    if (sign == '+' && v >= half)
        return false;
    if (sign == '-' && v > half)
        return false;
    *out = (sign == '-' ? 0 - v : v) & mask;
    return true;
}

/* ------------------------------------------------------------------ */
/* Floats                                                              */

/* Checks the spec's float grammar (after an optional sign) and copies
 * the literal without underscores to `buf` (NUL-terminated). */
static bool
float_syntax(const char *s, size_t n, char *buf)
{
    size_t i = 0, o = 0;
    bool hex = n > 2 && s[0] == '0' && s[1] == 'x';
    unsigned base = hex ? 16 : 10;
    uint64_t ignored;
    bool overflow;
    size_t mark;
    if (hex)
        i = 2;
    mark = i;
    if (!read_digits(s, n, &i, base, &ignored, &overflow))
        return false;
    if (i < n && s[i] == '.') {
        i++;
        if (i < n && hexval(s[i]) >= 0 && (unsigned)hexval(s[i]) < base &&
            !read_digits(s, n, &i, base, &ignored, &overflow))
            return false;
    }
    if (i < n &&
        (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!read_digits(s, n, &i, 10, &ignored, &overflow))
            return false;
    }
    if (i != n)
        return false;
    (void)mark;
    for (i = 0; i < n; i++)
        if (s[i] != '_')
            buf[o++] = s[i];
    buf[o] = '\0';
    return true;
}

typedef struct float_fmt {
    unsigned mant_bits; /* 23 or 52 */
    uint64_t exp_mask;  /* all-ones exponent, in place */
    uint64_t sign_bit;
} float_fmt_t;

static const float_fmt_t f32_fmt = {23, 0x7F800000u, 0x80000000u};
static const float_fmt_t f64_fmt = {52, UINT64_C(0x7FF0000000000000),
                                    UINT64_C(0x8000000000000000)};

/* inf, nan, nan:0x...: true if the magnitude was one of them. */
static bool
special_float(tctx_t *c, const tok_t *t, const char *s, size_t n,
              const float_fmt_t *f, uint64_t *bits)
{
    uint64_t payload, quiet = UINT64_C(1) << (f->mant_bits - 1);
    bool overflow;
    if (n == 3 && memcmp(s, "inf", 3) == 0) {
        *bits = f->exp_mask;
        return true;
    }
    if (n == 3 && memcmp(s, "nan", 3) == 0) {
        *bits = f->exp_mask | quiet;
        return true;
    }
    if (n > 6 && memcmp(s, "nan:0x", 6) == 0) {
        size_t i = 6;
        if (!read_digits(s, n, &i, 16, &payload, &overflow) || i != n)
            bri_text_fail(c, BR_TEXT_ERR_UNKNOWN_OPERATOR, t->off,
                          "unknown operator (malformed NaN payload)");
        if (overflow || payload == 0 || payload >> f->mant_bits)
            bri_text_fail(c, BR_TEXT_ERR_OUT_OF_RANGE, t->off,
                          "constant out of range (NaN payload)");
        *bits = f->exp_mask | payload;
        return true;
    }
    return false;
}

/* Raw bits of a float literal of either width. */
static uint64_t
lit_float(tctx_t *c, const tok_t *t, const float_fmt_t *f)
{
    const char *s = c->src + t->off;
    size_t n = t->len;
    bool neg = false;
    uint64_t bits;
    char small[128], *buf = small;
    if (t->kind != TK_NUM && t->kind != TK_KEYWORD)
        bri_text_fail(c, BR_TEXT_ERR_UNEXPECTED_TOKEN, t->off,
                      "unexpected token (expected a float)");
    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (special_float(c, t, s, n, f, &bits))
        return bits | (neg ? f->sign_bit : 0);
    if (n + 1 > sizeof small)
        buf = bri_text_alloc(c, n + 1);
    if (!float_syntax(s, n, buf))
        bri_text_fail(c, BR_TEXT_ERR_UNKNOWN_OPERATOR, t->off,
                      "unknown operator (malformed float literal)");
    if (f->mant_bits == 23) {
        float v = strtof(buf, NULL);
        uint32_t u;
        memcpy(&u, &v, 4);
        bits = u & 0x7FFFFFFFu;
    } else {
        double v = strtod(buf, NULL);
        memcpy(&bits, &v, 8);
        bits &= ~f->sign_bit;
    }
    if (bits == f->exp_mask) /* rounded to infinity */
        bri_text_fail(c, BR_TEXT_ERR_OUT_OF_RANGE, t->off, NULL);
    return bits | (neg ? f->sign_bit : 0);
}

uint32_t
bri_lit_f32(tctx_t *c, const tok_t *t)
{
    return (uint32_t)lit_float(c, t, &f32_fmt);
}

uint64_t
bri_lit_f64(tctx_t *c, const tok_t *t)
{
    return lit_float(c, t, &f64_fmt);
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */

static void
put_utf8(tctx_t *c, tbuf_t *out, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | (cp >> 6));
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | (cp >> 12));
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | (cp >> 18));
        b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    bri_tbuf_bytes(c, out, b, n);
}

/* \u{...}: returns the index after '}'. */
static size_t
unicode_escape(tctx_t *c, const char *s, size_t i, size_t n, uint32_t off,
               tbuf_t *out)
{
    uint64_t cp = 0;
    bool overflow;
    if (i >= n || s[i] != '{')
        bri_text_fail(c, BR_TEXT_ERR_MALFORMED_STRING, off,
                      "malformed string (illegal escape)");
    i++;
    if (!read_digits(s, n, &i, 16, &cp, &overflow) || i >= n || s[i] != '}' ||
        overflow || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        bri_text_fail(c, BR_TEXT_ERR_MALFORMED_STRING, off,
                      "malformed string (illegal unicode escape)");
    put_utf8(c, out, (uint32_t)cp);
    return i + 1;
}

void
bri_lit_string(tctx_t *c, const tok_t *t, tbuf_t *out)
{
    const char *s = c->src + t->off + 1;
    size_t n = t->len - 2, i = 0;
    if (t->kind != TK_STRING)
        bri_text_fail(c, BR_TEXT_ERR_UNEXPECTED_TOKEN, t->off,
                      "unexpected token (expected a string)");
    bri_tbuf_reserve(c, out, n);
    while (i < n) {
        size_t run = i;
        int h1, h2;
        while (run < n && s[run] != '\\')
            run++;
        bri_tbuf_bytes(c, out, s + i, run - i);
        i = run;
        if (i >= n)
            break;
        switch (s[i + 1]) {
        case 't':
            bri_tbuf_byte(c, out, '\t');
            i += 2;
            continue;
        case 'n':
            bri_tbuf_byte(c, out, '\n');
            i += 2;
            continue;
        case 'r':
            bri_tbuf_byte(c, out, '\r');
            i += 2;
            continue;
        case '"':
            bri_tbuf_byte(c, out, '"');
            i += 2;
            continue;
        case '\'':
            bri_tbuf_byte(c, out, '\'');
            i += 2;
            continue;
        case '\\':
            bri_tbuf_byte(c, out, '\\');
            i += 2;
            continue;
        case 'u':
            i = unicode_escape(c, s, i + 2, n, t->off + (uint32_t)i + 1, out);
            continue;
        default:
            break;
        }
        h1 = i + 2 < n + 1 ? hexval(s[i + 1]) : -1;
        h2 = i + 2 < n ? hexval(s[i + 2]) : -1;
        if (h1 < 0 || h2 < 0)
            bri_text_fail(c, BR_TEXT_ERR_MALFORMED_STRING,
                          t->off + (uint32_t)i + 1,
                          "malformed string (illegal escape)");
        bri_tbuf_byte(c, out, (uint8_t)(h1 * 16 + h2));
        i += 3;
    }
}

/* ------------------------------------------------------------------ */
/* Names of annotations and quoted identifiers (3.0)                   */

/* The string at [off, off + len) decoded into `out` (emptied first);
 * fails unless it is valid UTF-8. */
static void
utf8_name(tctx_t *c, uint32_t off, uint32_t len, tbuf_t *out, const char *what)
{
    tok_t t = {off, len, TK_STRING};
    out->len = 0;
    bri_lit_string(c, &t, out);
    if (!bri_utf8_valid(out->p, out->len))
        bri_text_fail(c, BR_TEXT_ERR_MALFORMED_UTF8, off,
                      "malformed UTF-8 encoding in %s", what);
}

void
bri_text_tokens(tctx_t *c)
{
    tbuf_t name = {0}, names = {0};
    size_t n = c->src_len;
    const uint32_t *ann;
    bri_text_lex(c);
    ann = (const uint32_t *)(void *)c->ann_names.p;
    for (size_t k = 0; k + 1 < c->ann_names.len / 4; k += 2)
        utf8_name(c, ann[k], ann[k + 1], &name, "an annotation id");
    for (size_t k = 0; k < c->ntoks; k++) {
        tok_t *t = &c->toks[k];
        size_t at = n + names.len;
        if (t->kind != TK_ID || c->src[t->off + 1] != '"')
            continue;
        utf8_name(c, t->off + 1, t->len - 1, &name, "an identifier");
        if (name.len == 0)
            bri_text_fail(c, BR_TEXT_ERR_UNKNOWN_OPERATOR, t->off,
                          "empty identifier");
        if (at + name.len + 1 >= UINT32_MAX)
            bri_text_fail(c, BR_TEXT_ERR_TOO_LARGE, t->off, NULL);
        bri_tbuf_byte(c, &names, '$');
        bri_tbuf_bytes(c, &names, name.p, name.len);
        t->off = (uint32_t)at;
        t->len = (uint32_t)(name.len + 1);
    }
    if (names.len) {
        char *all = bri_text_alloc(c, n + names.len);
        memcpy(all, c->src, n);
        memcpy(all + n, names.p, names.len);
        c->src = all;
    }
}
