/*
 * WASI test program: a small LZ77 compressor. Reads stdin, compresses it
 * to /sandbox/out.lz, reads that back, decompresses and checks the round
 * trip; prints sizes and checksums.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 4095
#define MIN_MATCH 3
#define MAX_MATCH 18
#define HASH_BITS 12

static uint32_t
fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Format: groups of 8 items led by a flag byte (bit set: a match of two
 * bytes, 12-bit distance and 4-bit length - MIN_MATCH; clear: a literal). */
static size_t
compress(const uint8_t *in, size_t n, uint8_t *out)
{
    int32_t head[1 << HASH_BITS];
    int32_t *prev = malloc(n * sizeof *prev);
    for (int i = 0; i < (1 << HASH_BITS); i++)
        head[i] = -1;
    size_t o = 0, i = 0, flag_at = 0;
    int bit = 8;
    while (i < n) {
        if (bit == 8) {
            flag_at = o++;
            out[flag_at] = 0;
            bit = 0;
        }
        size_t best = 0, dist = 0;
        if (i + MIN_MATCH <= n) {
            uint32_t h = (in[i] * 2654435761u ^ in[i + 1] * 40503u ^
                          in[i + 2]) & ((1 << HASH_BITS) - 1);
            for (int32_t c = head[h], tries = 0; c >= 0 && tries < 64;
                 c = prev[c], tries++) {
                if (i - (size_t)c > WINDOW)
                    break;
                size_t l = 0;
                while (l < MAX_MATCH && i + l < n && in[c + l] == in[i + l])
                    l++;
                if (l > best) {
                    best = l;
                    dist = i - (size_t)c;
                }
            }
            prev[i] = head[h];
            head[h] = (int32_t)i;
        }
        if (best >= MIN_MATCH) {
            out[flag_at] |= (uint8_t)(1 << bit);
            uint16_t code = (uint16_t)(dist << 4 | (best - MIN_MATCH));
            out[o++] = (uint8_t)(code >> 8);
            out[o++] = (uint8_t)code;
            for (size_t k = 1; k < best; k++) {
                size_t j = i + k;
                if (j + MIN_MATCH <= n) {
                    uint32_t h = (in[j] * 2654435761u ^ in[j + 1] * 40503u ^
                                  in[j + 2]) & ((1 << HASH_BITS) - 1);
                    prev[j] = head[h];
                    head[h] = (int32_t)j;
                }
            }
            i += best;
        } else {
            out[o++] = in[i++];
        }
        bit++;
    }
    free(prev);
    return o;
}

static size_t
decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t flags = in[i++];
        for (int bit = 0; bit < 8 && i < n; bit++) {
            if (flags & (1 << bit)) {
                uint16_t code = (uint16_t)(in[i] << 8 | in[i + 1]);
                i += 2;
                size_t dist = code >> 4, len = (code & 15u) + MIN_MATCH;
                if (dist == 0 || dist > o || o + len > cap)
                    return (size_t)-1;
                for (size_t k = 0; k < len; k++, o++)
                    out[o] = out[o - dist];
            } else {
                if (o == cap)
                    return (size_t)-1;
                out[o++] = in[i++];
            }
        }
    }
    return o;
}

int
main(void)
{
    size_t cap = 1 << 20, n = 0, r;
    uint8_t *in = malloc(cap);
    while ((r = fread(in + n, 1, cap - n, stdin)) > 0)
        n += r;
    uint8_t *packed = malloc(n + n / 8 + 16);
    size_t m = compress(in, n, packed);
    printf("input: %zu bytes, fnv %08x\n", n, fnv1a(in, n));
    printf("compressed: %zu bytes (%.1f%%)\n", m, n ? 100.0 * m / n : 0.0);

    FILE *f = fopen("/sandbox/out.lz", "wb");
    if (f == NULL || fwrite(packed, 1, m, f) != m || fclose(f) != 0) {
        perror("write out.lz");
        return 1;
    }
    memset(packed, 0, m);
    f = fopen("/sandbox/out.lz", "rb");
    size_t back = fread(packed, 1, m + 100, f);
    fclose(f);
    printf("read back: %zu bytes, fnv %08x\n", back, fnv1a(packed, back));

    uint8_t *un = malloc(n + 1);
    size_t u = decompress(packed, back, un, n);
    printf("decompressed: %zu bytes, fnv %08x\n", u, fnv1a(un, u));
    int ok = u == n && memcmp(in, un, n) == 0;
    printf("round trip: %s\n", ok ? "ok" : "MISMATCH");
    remove("/sandbox/out.lz");
    return ok ? 0 : 1;
}
