/*
 * WASI test program: a JSON pretty-printer. Parses stdin (strict JSON),
 * prints it indented with two spaces and reports statistics; a syntax
 * error gives its offset on stderr and exit status 1.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t pos, len;
    int objects, arrays, strings, numbers, literals, depth, max_depth;
} parser_t;

static int value(parser_t *p, int indent);

static void
ws(parser_t *p)
{
    while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
        p->pos++;
}

static void
pad(int n)
{
    for (int i = 0; i < n; i++)
        fputs("  ", stdout);
}

static int
string(parser_t *p)
{
    size_t start = p->pos++;
    while (p->pos < p->len && p->s[p->pos] != '"') {
        if (p->s[p->pos] == '\\')
            p->pos++;
        p->pos++;
    }
    if (p->pos >= p->len)
        return -1;
    p->pos++;
    fwrite(p->s + start, 1, p->pos - start, stdout);
    p->strings++;
    return 0;
}

static int
number(parser_t *p)
{
    char *end;
    double v = strtod(p->s + p->pos, &end);
    size_t n = (size_t)(end - (p->s + p->pos));
    if (n == 0)
        return -1;
    fwrite(p->s + p->pos, 1, n, stdout);
    (void)v;
    p->pos += n;
    p->numbers++;
    return 0;
}

static int
literal(parser_t *p)
{
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (p->len - p->pos >= n && memcmp(p->s + p->pos, words[i], n) == 0) {
            fputs(words[i], stdout);
            p->pos += n;
            p->literals++;
            return 0;
        }
    }
    return -1;
}

static int
container(parser_t *p, int indent, char close, int is_obj)
{
    int count = 0;
    putchar(p->s[p->pos++]);
    if (++p->depth > p->max_depth)
        p->max_depth = p->depth;
    ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        putchar(close);
        p->pos++;
        p->depth--;
        return 0;
    }
    for (;;) {
        putchar(count++ ? ',' : '\n');
        if (count > 1)
            putchar('\n');
        pad(indent + 1);
        ws(p);
        if (is_obj) {
            if (p->pos >= p->len || p->s[p->pos] != '"' || string(p) < 0)
                return -1;
            ws(p);
            if (p->pos >= p->len || p->s[p->pos++] != ':')
                return -1;
            fputs(": ", stdout);
        }
        if (value(p, indent + 1) < 0)
            return -1;
        ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close)
            break;
        return -1;
    }
    p->pos++;
    putchar('\n');
    pad(indent);
    putchar(close);
    p->depth--;
    return 0;
}

static int
value(parser_t *p, int indent)
{
    ws(p);
    if (p->pos >= p->len)
        return -1;
    switch (p->s[p->pos]) {
    case '{': p->objects++; return container(p, indent, '}', 1);
    case '[': p->arrays++; return container(p, indent, ']', 0);
    case '"': return string(p);
    case 't': case 'f': case 'n': return literal(p);
    default: return number(p);
    }
}

int
main(void)
{
    size_t cap = 1 << 16, n = 0, r;
    char *buf = malloc(cap + 1);
    while ((r = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += r;
        if (n == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    buf[n] = 0;
    parser_t p = {.s = buf, .len = n};
    if (value(&p, 0) < 0 || (ws(&p), p.pos != p.len)) {
        fflush(stdout);
        fprintf(stderr, "\nsyntax error at offset %zu\n", p.pos);
        return 1;
    }
    printf("\n# objects=%d arrays=%d strings=%d numbers=%d literals=%d "
           "depth=%d\n", p.objects, p.arrays, p.strings, p.numbers,
           p.literals, p.max_depth);
    return 0;
}
