/*
 * beamr spec runner: a small strict JSON parser (RFC 8259) for the files
 * wast2json writes. Every allocation is checked; errors carry a position.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *text;
    size_t pos, len;
    unsigned depth;
    json_error_t *err;
} parser_t;

static json_status_t parse_value(parser_t *p, json_value_t **out);

/* ------------------------------------------------------------------ */
/* Errors and small helpers                                            */

static json_status_t
fail(parser_t *p, json_status_t status, const char *what)
{
    size_t line = 1;
    for (size_t i = 0; i < p->pos && i < p->len; i++)
        line += p->text[i] == '\n';
    p->err->status = status;
    p->err->offset = p->pos;
    p->err->line = line;
    p->err->what = what;
    return status;
}

static int
peek(const parser_t *p)
{
    return p->pos < p->len ? (unsigned char)p->text[p->pos] : -1;
}

static void
skip_ws(parser_t *p)
{
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        p->pos++;
    }
}

static json_value_t *
new_value(parser_t *p, json_type_t type)
{
    json_value_t *v = calloc(1, sizeof *v);
    if (!v) {
        fail(p, JSON_ERR_NO_MEMORY, "out of memory");
        return NULL;
    }
    v->type = type;
    return v;
}

/* ------------------------------------------------------------------ */
/* Literals and numbers                                                */

static json_status_t
parse_literal(parser_t *p, json_value_t **out)
{
    static const struct {
        const char *word;
        json_type_t type;
    } words[] = {
        {"null", JSON_NULL}, {"true", JSON_TRUE}, {"false", JSON_FALSE}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);
        if (p->len - p->pos >= n &&
            memcmp(p->text + p->pos, words[i].word, n) == 0) {
            p->pos += n;
            *out = new_value(p, words[i].type);
            return *out ? JSON_OK : JSON_ERR_NO_MEMORY;
        }
    }
    return fail(p, JSON_ERR_SYNTAX, "unexpected character");
}

static size_t
skip_digits(parser_t *p)
{
    size_t start = p->pos;
    while (p->pos < p->len && p->text[p->pos] >= '0' && p->text[p->pos] <= '9')
        p->pos++;
    return p->pos - start;
}

/* number -> '-'? int frac? exp?  (no leading zeros, no '+', no '.5') */
static json_status_t
parse_number(parser_t *p, json_value_t **out)
{
    size_t start = p->pos;
    char buf[64];
    if (peek(p) == '-')
        p->pos++;
    if (peek(p) == '0')
        p->pos++;
    else if (skip_digits(p) == 0)
        return fail(p, JSON_ERR_SYNTAX, "malformed number");
    if (peek(p) == '.') {
        p->pos++;
        if (skip_digits(p) == 0)
            return fail(p, JSON_ERR_SYNTAX, "malformed fraction");
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-')
            p->pos++;
        if (skip_digits(p) == 0)
            return fail(p, JSON_ERR_SYNTAX, "malformed exponent");
    }
    if (p->pos - start >= sizeof buf)
        return fail(p, JSON_ERR_SYNTAX, "number too long");
    memcpy(buf, p->text + start, p->pos - start);
    buf[p->pos - start] = '\0';
    *out = new_value(p, JSON_NUMBER);
    if (!*out)
        return JSON_ERR_NO_MEMORY;
    (*out)->of.number = strtod(buf, NULL);
    return JSON_OK;
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */

static int
hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t
put_utf8(char *dst, uint32_t cp)
{
    if (cp < 0x80) {
        dst[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (char)(0xC0 | (cp >> 6));
        dst[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12));
        dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (cp >> 18));
    dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    dst[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads a \uXXXX escape (p->pos at the 'u'), joining surrogate pairs. */
static bool
read_unicode_escape(parser_t *p, uint32_t *cp)
{
    if (p->len - p->pos < 5)
        return false;
    int hi = hex4(p->text + p->pos + 1);
    if (hi < 0)
        return false;
    p->pos += 5;
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return false; /* lone low surrogate */
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = (uint32_t)hi;
        return true;
    }
    if (p->len - p->pos < 6 || p->text[p->pos] != '\\' ||
        p->text[p->pos + 1] != 'u')
        return false;
    int lo = hex4(p->text + p->pos + 2);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return false;
    p->pos += 6;
    *cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
    return true;
}

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0. */
static size_t
utf8_length(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp, min;
    if (s[0] < 0xC2 || s[0] > 0xF4)
        return 0;
    len = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
    if (n < len)
        return 0;
    cp = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static bool
read_escape(parser_t *p, char *dst, size_t *n)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    char c = p->pos < p->len ? p->text[p->pos] : '\0';
    const char *hit = c ? strchr(from, c) : NULL;
    uint32_t cp;
    if (hit) {
        dst[(*n)++] = to[hit - from];
        p->pos++;
        return true;
    }
    if (c != 'u' || !read_unicode_escape(p, &cp))
        return false;
    *n += put_utf8(dst + *n, cp);
    return true;
}

/* Decodes the string at p->pos (just past the opening quote) into dst,
 * which has room for the raw length (escapes never grow the text). */
static json_status_t
decode_string(parser_t *p, char *dst, size_t *out_len)
{
    size_t n = 0;
    for (;;) {
        if (p->pos >= p->len)
            return fail(p, JSON_ERR_SYNTAX, "unterminated string");
        unsigned char c = (unsigned char)p->text[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20)
            return fail(p, JSON_ERR_SYNTAX, "control character in string");
        if (c == '\\') {
            p->pos++;
            if (!read_escape(p, dst, &n))
                return fail(p, JSON_ERR_SYNTAX, "bad escape");
            continue;
        }
        size_t k = c < 0x80
                       ? 1
                       : utf8_length((const unsigned char *)p->text + p->pos,
                                     p->len - p->pos);
        if (k == 0)
            return fail(p, JSON_ERR_SYNTAX, "invalid UTF-8");
        memcpy(dst + n, p->text + p->pos, k);
        n += k;
        p->pos += k;
    }
    dst[n] = '\0';
    *out_len = n;
    return JSON_OK;
}

/* Upper bound of the decoded size: bytes up to the closing quote. */
static size_t
raw_string_length(const parser_t *p)
{
    size_t i = p->pos;
    while (i < p->len && p->text[i] != '"')
        i += p->text[i] == '\\' ? 2 : 1;
    return (i < p->len ? i : p->len) - p->pos;
}

/* Parses a string (p->pos at the opening quote) into a fresh buffer. */
static json_status_t
parse_raw_string(parser_t *p, char **out, size_t *out_len)
{
    json_status_t st;
    char *buf;
    p->pos++;
    buf = malloc(raw_string_length(p) + 1);
    if (!buf)
        return fail(p, JSON_ERR_NO_MEMORY, "out of memory");
    st = decode_string(p, buf, out_len);
    if (st != JSON_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    return JSON_OK;
}

static json_status_t
parse_string(parser_t *p, json_value_t **out)
{
    json_value_t *v = new_value(p, JSON_STRING);
    json_status_t st;
    if (!v)
        return JSON_ERR_NO_MEMORY;
    st = parse_raw_string(p, &v->of.string.data, &v->of.string.len);
    if (st != JSON_OK) {
        free(v);
        return st;
    }
    *out = v;
    return JSON_OK;
}

/* ------------------------------------------------------------------ */
/* Arrays and objects                                                  */

/* Grows *items (of `size`-byte elements) to hold count + 1 entries. */
static bool
reserve(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 4;
    if (ncap > SIZE_MAX / size)
        return false;
    void *n = realloc(*items, ncap * size);
    if (!n)
        return false;
    *items = n;
    *cap = ncap;
    return true;
}

/* Consumes ',' (returns 1) or the closing bracket (returns 0), else -1. */
static int
list_separator(parser_t *p, char close)
{
    skip_ws(p);
    if (peek(p) == ',') {
        p->pos++;
        return 1;
    }
    if (peek(p) == close) {
        p->pos++;
        return 0;
    }
    return -1;
}

/* array -> '[' ( value ( ',' value )* )? ']' */
static json_status_t
parse_array(parser_t *p, json_value_t *v)
{
    size_t cap = 0;
    p->pos++;
    skip_ws(p);
    if (peek(p) == ']') {
        p->pos++;
        return JSON_OK;
    }
    for (;;) {
        json_value_t *item = NULL;
        void *items = v->of.array.items;
        if (!reserve(&items, &cap, v->of.array.count, sizeof item))
            return fail(p, JSON_ERR_NO_MEMORY, "out of memory");
        v->of.array.items = items;
        json_status_t st = parse_value(p, &item);
        if (st != JSON_OK)
            return st;
        v->of.array.items[v->of.array.count++] = item;
        int sep = list_separator(p, ']');
        if (sep < 0)
            return fail(p, JSON_ERR_SYNTAX, "expected ',' or ']'");
        if (sep == 0)
            return JSON_OK;
    }
}

/* member -> string ':' value */
static json_status_t
parse_member(parser_t *p, json_member_t *m)
{
    json_status_t st;
    skip_ws(p);
    if (peek(p) != '"')
        return fail(p, JSON_ERR_SYNTAX, "expected a member name");
    st = parse_raw_string(p, &m->key, &m->key_len);
    if (st != JSON_OK)
        return st;
    skip_ws(p);
    if (peek(p) != ':')
        return fail(p, JSON_ERR_SYNTAX, "expected ':'");
    p->pos++;
    return parse_value(p, &m->value);
}

/* object -> '{' ( member ( ',' member )* )? '}' */
static json_status_t
parse_object(parser_t *p, json_value_t *v)
{
    size_t cap = 0;
    p->pos++;
    skip_ws(p);
    if (peek(p) == '}') {
        p->pos++;
        return JSON_OK;
    }
    for (;;) {
        void *members = v->of.object.members;
        if (!reserve(&members, &cap, v->of.object.count, sizeof(json_member_t)))
            return fail(p, JSON_ERR_NO_MEMORY, "out of memory");
        v->of.object.members = members;
        json_member_t *m = &v->of.object.members[v->of.object.count];
        memset(m, 0, sizeof *m);
        /* counted before parsing so json_free releases a partial member */
        v->of.object.count++;
        json_status_t st = parse_member(p, m);
        if (st != JSON_OK)
            return st;
        int sep = list_separator(p, '}');
        if (sep < 0)
            return fail(p, JSON_ERR_SYNTAX, "expected ',' or '}'");
        if (sep == 0)
            return JSON_OK;
    }
}

static json_status_t
parse_container(parser_t *p, json_type_t type, json_value_t **out)
{
    json_value_t *v;
    json_status_t st;
    if (p->depth >= JSON_MAX_DEPTH)
        return fail(p, JSON_ERR_DEPTH, "nesting too deep");
    v = new_value(p, type);
    if (!v)
        return JSON_ERR_NO_MEMORY;
    p->depth++;
    st = type == JSON_ARRAY ? parse_array(p, v) : parse_object(p, v);
    p->depth--;
    if (st != JSON_OK) {
        json_free(v);
        return st;
    }
    *out = v;
    return JSON_OK;
}

static json_status_t
parse_value(parser_t *p, json_value_t **out)
{
    int c;
    skip_ws(p);
    c = peek(p);
    if (c == '{')
        return parse_container(p, JSON_OBJECT, out);
    if (c == '[')
        return parse_container(p, JSON_ARRAY, out);
    if (c == '"')
        return parse_string(p, out);
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(p, out);
    if (c < 0)
        return fail(p, JSON_ERR_SYNTAX, "unexpected end of input");
    return parse_literal(p, out);
}

/* ------------------------------------------------------------------ */
/* Public entry points                                                 */

json_status_t
json_parse(const char *text, size_t len, json_value_t **out, json_error_t *err)
{
    parser_t p = {text, 0, len, 0, err};
    json_value_t *v = NULL;
    json_status_t st;
    *out = NULL;
    memset(err, 0, sizeof *err);
    st = parse_value(&p, &v);
    if (st != JSON_OK)
        return st;
    skip_ws(&p);
    if (p.pos != p.len) {
        json_free(v);
        return fail(&p, JSON_ERR_SYNTAX, "trailing characters");
    }
    *out = v;
    return JSON_OK;
}

void
json_free(json_value_t *value)
{
    if (!value)
        return;
    if (value->type == JSON_STRING) {
        free(value->of.string.data);
    } else if (value->type == JSON_ARRAY) {
        for (size_t i = 0; i < value->of.array.count; i++)
            json_free(value->of.array.items[i]);
        free(value->of.array.items);
    } else if (value->type == JSON_OBJECT) {
        for (size_t i = 0; i < value->of.object.count; i++) {
            free(value->of.object.members[i].key);
            json_free(value->of.object.members[i].value);
        }
        free(value->of.object.members);
    }
    free(value);
}

const json_value_t *
json_get(const json_value_t *obj, const char *key)
{
    size_t n = strlen(key);
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->of.object.count; i++) {
        const json_member_t *m = &obj->of.object.members[i];
        if (m->key_len == n && memcmp(m->key, key, n) == 0)
            return m->value;
    }
    return NULL;
}

const char *
json_get_string(const json_value_t *obj, const char *key, size_t *len)
{
    const json_value_t *v = json_get(obj, key);
    if (!v || v->type != JSON_STRING)
        return NULL;
    if (len)
        *len = v->of.string.len;
    return v->of.string.data;
}

const json_value_t *
json_get_array(const json_value_t *obj, const char *key)
{
    const json_value_t *v = json_get(obj, key);
    return v && v->type == JSON_ARRAY ? v : NULL;
}

bool
json_get_int(const json_value_t *obj, const char *key, int64_t *out)
{
    const json_value_t *v = json_get(obj, key);
    double d;
    if (!v || v->type != JSON_NUMBER)
        return false;
    d = v->of.number;
    if (d != floor(d) || d < -9007199254740992.0 || d > 9007199254740992.0)
        return false;
    *out = (int64_t)d;
    return true;
}
