/*
 * Benchmark: branchy code. A small stack-based bytecode VM (a switch in a
 * loop) runs a Collatz program, then a tokenizer scans generated source
 * text. argv[1] = Collatz limit, argv[2] = tokenizer text size in KiB.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

enum {
    OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_AND,
    OP_SHR, OP_LT, OP_EQ, OP_JMP, OP_JZ, OP_DUP, OP_POP, OP_INC,
};

/* Runs `code` on a fresh VM; returns the top of stack at OP_HALT. */
static uint32_t
vm_run(const uint32_t *code, uint32_t arg)
{
    uint32_t stack[64], vars[8] = { arg };
    uint32_t sp = 0, pc = 0, a;

    for (;;) {
        uint32_t op = code[pc++];

        switch (op) {
        case OP_HALT:
            return sp ? stack[sp - 1] : 0;
        case OP_PUSH:
            stack[sp++] = code[pc++];
            break;
        case OP_LOAD:
            stack[sp++] = vars[code[pc++] & 7];
            break;
        case OP_STORE:
            vars[code[pc++] & 7] = stack[--sp];
            break;
        case OP_ADD:
            a = stack[--sp];
            stack[sp - 1] += a;
            break;
        case OP_SUB:
            a = stack[--sp];
            stack[sp - 1] -= a;
            break;
        case OP_MUL:
            a = stack[--sp];
            stack[sp - 1] *= a;
            break;
        case OP_AND:
            a = stack[--sp];
            stack[sp - 1] &= a;
            break;
        case OP_SHR:
            a = stack[--sp];
            stack[sp - 1] >>= a & 31;
            break;
        case OP_LT:
            a = stack[--sp];
            stack[sp - 1] = stack[sp - 1] < a;
            break;
        case OP_EQ:
            a = stack[--sp];
            stack[sp - 1] = stack[sp - 1] == a;
            break;
        case OP_JMP:
            pc = code[pc];
            break;
        case OP_JZ:
            pc = stack[--sp] ? pc + 1 : code[pc];
            break;
        case OP_DUP:
            stack[sp] = stack[sp - 1];
            sp++;
            break;
        case OP_POP:
            sp--;
            break;
        case OP_INC:
            vars[code[pc++] & 7]++;
            break;
        default:
            return 0xDEADu;
        }
        sp &= 63;
    }
}

/*
 * total = 0; i = 1;
 * while (i < n) { x = i; while (x != 1) { x = x&1 ? 3x+1 : x>>1; total++ }
 *                 i++ }
 * vars: 0 = n, 1 = total, 2 = i, 3 = x.
 */
static const uint32_t g_collatz[] = {
    /*  0 */ OP_PUSH, 0, OP_STORE, 1, OP_PUSH, 1, OP_STORE, 2,
    /*  8 */ OP_LOAD, 2, OP_LOAD, 0, OP_LT, OP_JZ, 60,
    /* 15 */ OP_LOAD, 2, OP_STORE, 3,
    /* 19 */ OP_LOAD, 3, OP_PUSH, 1, OP_EQ, OP_JZ, 28, OP_JMP, 56,
    /* 28 */ OP_LOAD, 3, OP_PUSH, 1, OP_AND, OP_JZ, 45,
    /* 35 */ OP_LOAD, 3, OP_PUSH, 3, OP_MUL, OP_PUSH, 1, OP_ADD, OP_JMP, 50,
    /* 45 */ OP_LOAD, 3, OP_PUSH, 1, OP_SHR,
    /* 50 */ OP_STORE, 3, OP_INC, 1, OP_JMP, 19,
    /* 56 */ OP_INC, 2, OP_JMP, 8,
    /* 60 */ OP_LOAD, 1, OP_HALT,
};

enum { TK_IDENT, TK_NUMBER, TK_STRING, TK_PUNCT, TK_KEYWORD, TK_COMMENT,
       TK__COUNT };

static const char *const g_words[] = {
    "if", "while", "return", "static", "uint32_t", "count", "value",
    "next", "table", "for", "x", "buffer_length", "struct", "node", "i",
};

/* Appends pseudo C source of about `n` bytes to `out`. */
static uint32_t
gen_source(char *out, uint32_t n, bench_rng_t *r)
{
    static const char punct[] = "{}()[];,+-*/=<>&|!";
    uint32_t len = 0;

    while (len + 64 < n) {
        uint32_t k = bench_rng_u32(r) % 16, j;

        if (k < 7) {
            const char *w = g_words[bench_rng_u32(r) % 15];

            while (*w)
                out[len++] = *w++;
        } else if (k < 10) {
            uint32_t v = bench_rng_u32(r) % 100000;

            do {
                out[len++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
        } else if (k < 14) {
            out[len++] = punct[bench_rng_u32(r) % 18];
        } else if (k == 14) {
            out[len++] = '"';
            for (j = bench_rng_u32(r) % 20; j > 0; j--)
                out[len++] = (char)('a' + j);
            out[len++] = '"';
        } else {
            out[len++] = '/';
            out[len++] = '*';
            for (j = bench_rng_u32(r) % 30; j > 0; j--)
                out[len++] = (char)(j % 7 ? 'c' : ' ');
            out[len++] = '*';
            out[len++] = '/';
        }
        out[len++] = bench_rng_u32(r) % 8 ? ' ' : '\n';
    }
    return len;
}

static int
is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (c >= '0' && c <= '9');
}

static int
is_keyword(const char *s, uint32_t n)
{
    static const char *const kw[] = { "if", "while", "return", "static",
                                      "for", "struct" };
    uint32_t i, j;

    for (i = 0; i < 6; i++) {
        for (j = 0; j < n && kw[i][j] == s[j]; j++)
            ;
        if (j == n && kw[i][j] == '\0')
            return 1;
    }
    return 0;
}

/* Tokenizes src[0..n); counts tokens per kind, hashes their lengths. */
static uint64_t
tokenize(const char *s, uint32_t n, uint32_t counts[TK__COUNT])
{
    uint64_t h = BENCH_FNV_INIT;
    uint32_t i = 0, start, kind;

    while (i < n) {
        char c = s[i];

        if (c == ' ' || c == '\n' || c == '\t') {
            i++;
            continue;
        }
        start = i;
        if (c >= '0' && c <= '9') {
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
            kind = TK_NUMBER;
        } else if (is_ident_char(c)) {
            while (i < n && is_ident_char(s[i]))
                i++;
            kind = is_keyword(s + start, i - start) ? TK_KEYWORD : TK_IDENT;
        } else if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                ;
            i++;
            kind = TK_STRING;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            for (i += 2; i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'); i++)
                ;
            i += 2;
            kind = TK_COMMENT;
        } else {
            i++;
            kind = TK_PUNCT;
        }
        counts[kind]++;
        h = (h ^ (kind * 131u + (i - start))) * 0x100000001B3ULL;
    }
    return h;
}

int
main(int argc, char **argv)
{
    uint32_t limit = bench_arg(argc, argv, 1, 60000);
    uint32_t kib = bench_arg(argc, argv, 2, 16384);
    uint32_t counts[TK__COUNT] = { 0 }, n, k;
    bench_rng_t r = { 12345 };
    char *text = bench_xmalloc((size_t)kib * 1024u + 64);
    uint64_t h;

    printf("collatz steps below %u: %u\n", (unsigned)limit,
           (unsigned)vm_run(g_collatz, limit));
    n = gen_source(text, kib * 1024u, &r);
    h = tokenize(text, n, counts);
    printf("tokens:");
    for (k = 0; k < TK__COUNT; k++)
        printf(" %u", (unsigned)counts[k]);
    printf("\nchecksum: %016llx\n", (unsigned long long)h);
    free(text);
    return 0;
}
