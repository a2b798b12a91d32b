/*
 * Benchmark: the "larger program". A compression suite that round-trips
 * generated data through several codecs written here: LZ77 + canonical
 * Huffman at several levels and window sizes, LZW, BWT + MTF + Huffman
 * and a context-mixing binary arithmetic coder. argv[1] = input KiB.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bench.h"

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* ================================================================== */
/* CRC-32 (IEEE), table driven                                         */

static uint32_t g_crc_table[256];

static void
crc32_init(void)
{
    uint32_t i, k, c;

    for (i = 0; i < 256; i++) {
        for (c = i, k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        g_crc_table[i] = c;
    }
}

static uint32_t
crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    size_t i;

    for (i = 0; i < n; i++)
        c = g_crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* ================================================================== */
/* Test data: text from a generated vocabulary, CSV-like records and a  */
/* little noise, so every codec has something to find.                 */

#define VOCAB 512

static uint32_t
gen_word(char *w, bench_rng_t *r)
{
    static const char cons[] = "bcdfghklmnprstvwz";
    static const char vow[] = "aeiou";
    uint32_t n = 2 + bench_rng_u32(r) % 9, i;

    for (i = 0; i < n; i++)
        w[i] = i & 1 ? vow[bench_rng_u32(r) % 5] : cons[bench_rng_u32(r) % 17];
    return n;
}

/* Picks a word index with a rough Zipf distribution. */
static uint32_t
zipf_pick(bench_rng_t *r)
{
    uint32_t a = bench_rng_u32(r) % VOCAB, b = bench_rng_u32(r) % VOCAB;

    return (a * b) / VOCAB;
}

static size_t
gen_text(uint8_t *out, size_t n, char words[VOCAB][12],
         const uint32_t *wlen, bench_rng_t *r)
{
    size_t len = 0;
    uint32_t sentence = 0;

    while (len + 16 < n) {
        uint32_t w = zipf_pick(r), i;

        for (i = 0; i < wlen[w]; i++)
            out[len++] = (uint8_t)words[w][i];
        if (sentence == 0 && len > wlen[w])
            out[len - wlen[w]] = (uint8_t)(out[len - wlen[w]] - 32);
        if (++sentence > 6 + bench_rng_u32(r) % 10) {
            out[len++] = '.';
            sentence = 0;
            if (bench_rng_u32(r) % 5 == 0)
                out[len++] = '\n';
        } else if (bench_rng_u32(r) % 9 == 0) {
            out[len++] = ',';
        }
        out[len++] = ' ';
    }
    return len;
}

static size_t
put_uint(uint8_t *out, uint32_t v)
{
    char tmp[12];
    size_t n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        out[i] = (uint8_t)tmp[n - 1 - i];
    return n;
}

static size_t
gen_records(uint8_t *out, size_t n, char words[VOCAB][12],
            const uint32_t *wlen, bench_rng_t *r)
{
    size_t len = 0;
    uint32_t id = 100000, i;

    while (len + 64 < n) {
        uint32_t w = zipf_pick(r);

        len += put_uint(out + len, id++);
        out[len++] = ',';
        for (i = 0; i < wlen[w]; i++)
            out[len++] = (uint8_t)words[w][i];
        out[len++] = ',';
        len += put_uint(out + len, bench_rng_u32(r) % 1000);
        out[len++] = '.';
        len += put_uint(out + len, 10 + bench_rng_u32(r) % 90);
        out[len++] = ',';
        len += put_uint(out + len, 2020 + bench_rng_u32(r) % 6);
        out[len++] = '-';
        out[len++] = '0';
        out[len++] = (uint8_t)('1' + bench_rng_u32(r) % 9);
        out[len++] = '\n';
    }
    return len;
}

static void
gen_input(uint8_t *out, size_t n)
{
    static char words[VOCAB][12];
    uint32_t wlen[VOCAB], i;
    bench_rng_t r = { 0xC0FFEE };
    size_t len = 0, part;

    for (i = 0; i < VOCAB; i++)
        wlen[i] = gen_word(words[i], &r);
    while (len < n) {
        part = n - len < 65536 ? n - len : 65536;
        switch (bench_rng_u32(&r) % 8) {
        case 0:
        case 1:
            part = gen_records(out + len, part, words, wlen, &r);
            break;
        case 2:
            part = part > 2048 ? 2048 : part;
            for (i = 0; i < part; i++)
                out[len + i] = (uint8_t)bench_rng_u32(&r);
            break;
        default:
            part = gen_text(out + len, part, words, wlen, &r);
            break;
        }
        if (part == 0) {
            while (len < n)
                out[len++] = ' ';
        }
        len += part;
    }
}

/* ================================================================== */
/* Bit I/O, LSB first                                                  */

typedef struct bitw {
    uint8_t *buf;
    size_t cap, pos;
    uint64_t acc;
    unsigned nbits;
    int overflow;
} bitw_t;

typedef struct bitr {
    const uint8_t *buf;
    size_t len, pos;
    uint64_t acc;
    unsigned nbits;
} bitr_t;

static void
bitw_init(bitw_t *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->pos = 0;
    w->acc = 0;
    w->nbits = 0;
    w->overflow = 0;
}

static ALWAYS_INLINE void
bitw_put(bitw_t *w, uint32_t v, unsigned n)
{
    w->acc |= (uint64_t)v << w->nbits;
    w->nbits += n;
    while (w->nbits >= 8) {
        if (w->pos < w->cap)
            w->buf[w->pos++] = (uint8_t)w->acc;
        else
            w->overflow = 1;
        w->acc >>= 8;
        w->nbits -= 8;
    }
}

static size_t
bitw_flush(bitw_t *w)
{
    if (w->nbits > 0)
        bitw_put(w, 0, 8 - w->nbits);
    return w->overflow ? 0 : w->pos;
}

static void
bitr_init(bitr_t *r, const uint8_t *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->acc = 0;
    r->nbits = 0;
}

static ALWAYS_INLINE uint32_t
bitr_get(bitr_t *r, unsigned n)
{
    uint32_t v;

    while (r->nbits < n) {
        r->acc |= (uint64_t)(r->pos < r->len ? r->buf[r->pos++] : 0)
                  << r->nbits;
        r->nbits += 8;
    }
    v = (uint32_t)(r->acc & ((1ull << n) - 1));
    r->acc >>= n;
    r->nbits -= n;
    return v;
}

/* ================================================================== */
/* Canonical Huffman codes, lengths limited to HUFF_MAXBITS             */

#define HUFF_MAXBITS 15
#define HUFF_MAXSYMS 320

typedef struct huff_node {
    uint32_t freq;
    int32_t left, right; /* children; -1 for a leaf */
    uint32_t sym;
} huff_node_t;

/* Sorts node indices by frequency (insertion sort: alphabets are small). */
static void
sort_by_freq(uint32_t *idx, uint32_t n, const huff_node_t *nodes)
{
    uint32_t i, j, t;

    for (i = 1; i < n; i++) {
        t = idx[i];
        for (j = i; j > 0 && nodes[idx[j - 1]].freq > nodes[t].freq; j--)
            idx[j] = idx[j - 1];
        idx[j] = t;
    }
}

static uint32_t
tree_depths(const huff_node_t *nodes, int32_t root, uint8_t *len,
            uint32_t depth)
{
    uint32_t a, b;

    if (nodes[root].left < 0) {
        len[nodes[root].sym] = (uint8_t)(depth ? depth : 1);
        return depth ? depth : 1;
    }
    a = tree_depths(nodes, nodes[root].left, len, depth + 1);
    b = tree_depths(nodes, nodes[root].right, len, depth + 1);
    return a > b ? a : b;
}

/*
 * Code lengths for `freq` by the two-queue Huffman construction; when the
 * deepest code is too long, flattens the frequencies and tries again
 * (what many fast encoders do instead of package-merge).
 */
static void
huff_lengths(const uint32_t *freq_in, uint32_t n, uint8_t *len,
             uint32_t maxbits)
{
    static huff_node_t nodes[2 * HUFF_MAXSYMS];
    uint32_t freq[HUFF_MAXSYMS], leaves[HUFF_MAXSYMS];
    uint32_t i, nleaf, shift = 0, maxd;

    for (;;) {
        uint32_t q1 = 0, q2, q2end, nn;

        memset(len, 0, n);
        nleaf = 0;
        for (i = 0; i < n; i++) {
            freq[i] = freq_in[i] ? (freq_in[i] >> shift) | 1u : 0;
            if (freq[i]) {
                nodes[nleaf].freq = freq[i];
                nodes[nleaf].left = nodes[nleaf].right = -1;
                nodes[nleaf].sym = i;
                leaves[nleaf] = nleaf;
                nleaf++;
            }
        }
        if (nleaf == 0)
            return;
        if (nleaf == 1) {
            len[nodes[0].sym] = 1;
            return;
        }
        sort_by_freq(leaves, nleaf, nodes);
        /* Queue 1: sorted leaves; queue 2: internal nodes in order made. */
        nn = nleaf;
        q2 = q2end = nn;
        while ((nleaf - q1) + (q2end - q2) > 1) {
            int32_t pick[2];
            int k;

            for (k = 0; k < 2; k++) {
                if (q1 < nleaf &&
                    (q2 == q2end ||
                     nodes[leaves[q1]].freq <= nodes[q2].freq))
                    pick[k] = (int32_t)leaves[q1++];
                else
                    pick[k] = (int32_t)q2++;
            }
            nodes[nn].freq = nodes[pick[0]].freq + nodes[pick[1]].freq;
            nodes[nn].left = pick[0];
            nodes[nn].right = pick[1];
            nn++;
            q2end = nn;
        }
        maxd = tree_depths(nodes, (int32_t)(nn - 1), len, 0);
        if (maxd <= maxbits)
            return;
        shift++;
    }
}

/* Canonical codes, bit-reversed for LSB-first output. */
static void
huff_codes(const uint8_t *len, uint32_t n, uint16_t *code)
{
    uint32_t count[HUFF_MAXBITS + 1] = { 0 }, next[HUFF_MAXBITS + 1];
    uint32_t i, b, c = 0;

    for (i = 0; i < n; i++)
        count[len[i]]++;
    count[0] = 0;
    for (b = 1; b <= HUFF_MAXBITS; b++) {
        c = (c + count[b - 1]) << 1;
        next[b] = c;
    }
    for (i = 0; i < n; i++) {
        uint32_t l = len[i], v, r = 0;

        if (l == 0)
            continue;
        v = next[l]++;
        for (b = 0; b < l; b++)
            r |= ((v >> b) & 1u) << (l - 1 - b);
        code[i] = (uint16_t)r;
    }
}

typedef struct huff_dec {
    uint16_t count[HUFF_MAXBITS + 1];
    uint16_t symbol[HUFF_MAXSYMS];
} huff_dec_t;

static void
huff_dec_init(huff_dec_t *h, const uint8_t *len, uint32_t n)
{
    uint16_t offs[HUFF_MAXBITS + 2];
    uint32_t i, b;

    memset(h->count, 0, sizeof h->count);
    for (i = 0; i < n; i++)
        h->count[len[i]]++;
    h->count[0] = 0;
    offs[1] = 0;
    for (b = 1; b <= HUFF_MAXBITS; b++)
        offs[b + 1] = (uint16_t)(offs[b] + h->count[b]);
    for (i = 0; i < n; i++)
        if (len[i])
            h->symbol[offs[len[i]]++] = (uint16_t)i;
}

/* Bit-by-bit canonical decode (zlib's puff.c method); -1 if invalid. */
static int32_t
huff_decode(bitr_t *r, const huff_dec_t *h)
{
    int32_t code = 0, first = 0, index = 0, count;
    unsigned b;

    for (b = 1; b <= HUFF_MAXBITS; b++) {
        code |= (int32_t)bitr_get(r, 1);
        count = h->count[b];
        if (code - count < first)
            return h->symbol[index + (code - first)];
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
    }
    return -1;
}

static void
put_lengths(bitw_t *w, const uint8_t *len, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        bitw_put(w, len[i], 4);
}

static void
get_lengths(bitr_t *r, uint8_t *len, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        len[i] = (uint8_t)bitr_get(r, 4);
}

/* ================================================================== */
/* LZ77 + Huffman, deflate-like token alphabet                         */

#define LZ_MIN 3
#define LZ_MAX 258
#define LZ_NLIT 286
#define LZ_NDIST 30
#define LZ_END 256
#define LZ_BLOCK_TOKENS 32768
#define LZ_HBITS 15
#define LZ_MAXWBITS 15

static const uint16_t g_lbase[29] = { 3,  4,  5,  6,  7,  8,  9,  10,
                                      11, 13, 15, 17, 19, 23, 27, 31,
                                      35, 43, 51, 59, 67, 83, 99, 115,
                                      131, 163, 195, 227, 258 };
static const uint8_t g_lext[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
                                    1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                    4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t g_dbase[30] = {
    1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577
};
static const uint8_t g_dext[30] = { 0, 0, 0, 0, 1, 1, 2,  2,  3,  3,
                                    4, 4, 5, 5, 6, 6, 7,  7,  8,  8,
                                    9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

static uint32_t
len_code(uint32_t len)
{
    uint32_t c = 0;

    while (c < 28 && g_lbase[c + 1] <= len)
        c++;
    return c;
}

static uint32_t
dist_code(uint32_t dist)
{
    uint32_t lo = 0, hi = 29;

    /* Binary search: the last base <= dist. */
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;

        if (g_dbase[mid] <= dist)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

typedef struct lz_token {
    uint16_t len; /* 0 = literal */
    uint16_t val; /* literal byte or distance */
} lz_token_t;

typedef struct lz_state {
    int32_t head[1 << LZ_HBITS];
    int32_t prev[1 << LZ_MAXWBITS];
    lz_token_t tokens[LZ_BLOCK_TOKENS];
    uint32_t ntok;
    size_t inserted;
} lz_state_t;

static ALWAYS_INLINE uint32_t
lz_hash(const uint8_t *p)
{
    return ((uint32_t)p[0] << 10 ^ (uint32_t)p[1] << 5 ^ p[2]) &
           ((1u << LZ_HBITS) - 1);
}

static ALWAYS_INLINE void
lz_insert_upto(lz_state_t *s, const uint8_t *in, size_t n, size_t upto,
               uint32_t wmask)
{
    while (s->inserted < upto) {
        size_t p = s->inserted++;

        if (p + 2 < n) {
            uint32_t h = lz_hash(in + p);

            s->prev[p & wmask] = s->head[h];
            s->head[h] = (int32_t)p;
        }
    }
}

/* Longest match for position `pos` among earlier positions. */
static ALWAYS_INLINE uint32_t
lz_find(const lz_state_t *s, const uint8_t *in, size_t n, size_t pos,
        uint32_t *dist, uint32_t wsize, uint32_t chain, uint32_t nice)
{
    uint32_t best = 0, maxlen = n - pos < LZ_MAX ? (uint32_t)(n - pos) : LZ_MAX;
    int32_t cand;

    if (pos + 2 >= n)
        return 0;
    cand = s->head[lz_hash(in + pos)];
    while (cand >= 0 && pos - (size_t)cand <= wsize - 1 && chain-- > 0 &&
           best < maxlen) {
        const uint8_t *a = in + pos, *b = in + cand;
        uint32_t l = 0;
        int32_t next;

        if (b[best] == a[best]) {
            while (l < maxlen && a[l] == b[l])
                l++;
            if (l > best) {
                best = l;
                *dist = (uint32_t)(pos - (size_t)cand);
                if (l >= nice)
                    break;
            }
        }
        next = s->prev[(uint32_t)cand & (wsize - 1)];
        if (next >= cand)
            break;
        cand = next;
    }
    return best >= LZ_MIN ? best : 0;
}

static void
lz_emit_block(bitw_t *w, const lz_token_t *tok, uint32_t ntok, int last)
{
    uint32_t lf[LZ_NLIT] = { 0 }, df[LZ_NDIST] = { 0 }, i;
    uint8_t ll[LZ_NLIT], dl[LZ_NDIST];
    uint16_t lc[LZ_NLIT], dc[LZ_NDIST];

    for (i = 0; i < ntok; i++) {
        if (tok[i].len == 0) {
            lf[tok[i].val]++;
        } else {
            lf[257 + len_code(tok[i].len)]++;
            df[dist_code(tok[i].val)]++;
        }
    }
    lf[LZ_END] = 1;
    huff_lengths(lf, LZ_NLIT, ll, HUFF_MAXBITS);
    huff_lengths(df, LZ_NDIST, dl, HUFF_MAXBITS);
    huff_codes(ll, LZ_NLIT, lc);
    huff_codes(dl, LZ_NDIST, dc);
    bitw_put(w, (uint32_t)last, 1);
    put_lengths(w, ll, LZ_NLIT);
    put_lengths(w, dl, LZ_NDIST);
    for (i = 0; i < ntok; i++) {
        if (tok[i].len == 0) {
            bitw_put(w, lc[tok[i].val], ll[tok[i].val]);
        } else {
            uint32_t lcode = len_code(tok[i].len);
            uint32_t dcode = dist_code(tok[i].val);

            bitw_put(w, lc[257 + lcode], ll[257 + lcode]);
            bitw_put(w, tok[i].len - g_lbase[lcode], g_lext[lcode]);
            bitw_put(w, dc[dcode], dl[dcode]);
            bitw_put(w, tok[i].val - g_dbase[dcode], g_dext[dcode]);
        }
    }
    bitw_put(w, lc[LZ_END], ll[LZ_END]);
}

static ALWAYS_INLINE void
lz_push(lz_state_t *s, bitw_t *w, uint16_t len, uint16_t val)
{
    s->tokens[s->ntok].len = len;
    s->tokens[s->ntok].val = val;
    if (++s->ntok == LZ_BLOCK_TOKENS) {
        lz_emit_block(w, s->tokens, s->ntok, 0);
        s->ntok = 0;
    }
}

/*
 * The compressor body, inlined into one specialised function per
 * (window, chain, lazy, nice) set, the way production compressors
 * instantiate their match finders.
 */
static ALWAYS_INLINE size_t
lz_compress_impl(lz_state_t *s, const uint8_t *in, size_t n, uint8_t *out,
                 size_t cap, uint32_t wbits, uint32_t chain, int lazy,
                 uint32_t nice)
{
    uint32_t wsize = 1u << wbits, len, dist = 0, len2, dist2 = 0;
    size_t pos = 0;
    bitw_t w;

    bitw_init(&w, out, cap);
    memset(s->head, 0xFF, sizeof s->head);
    s->ntok = 0;
    s->inserted = 0;
    while (pos < n) {
        lz_insert_upto(s, in, n, pos, wsize - 1);
        len = lz_find(s, in, n, pos, &dist, wsize, chain, nice);
        if (lazy && len > 0 && len < nice && pos + 1 < n) {
            lz_insert_upto(s, in, n, pos + 1, wsize - 1);
            len2 = lz_find(s, in, n, pos + 1, &dist2, wsize, chain, nice);
            if (len2 > len) {
                lz_push(s, &w, 0, in[pos]);
                pos++;
                len = len2;
                dist = dist2;
            }
        }
        if (len == 0) {
            lz_push(s, &w, 0, in[pos]);
            pos++;
        } else {
            lz_push(s, &w, (uint16_t)len, (uint16_t)dist);
            pos += len;
        }
    }
    lz_emit_block(&w, s->tokens, s->ntok, 1);
    return bitw_flush(&w);
}

#define LZ_DEFINE(name, wbits, chain, lazy, nice)                          \
    static size_t name(lz_state_t *s, const uint8_t *in, size_t n,         \
                       uint8_t *out, size_t cap)                           \
    {                                                                      \
        return lz_compress_impl(s, in, n, out, cap, wbits, chain, lazy,    \
                                nice);                                     \
    }

LZ_DEFINE(lz_l1, 15, 1, 0, 8)
LZ_DEFINE(lz_fast_w12, 12, 4, 0, 16)
LZ_DEFINE(lz_fast_w15, 15, 4, 0, 16)
LZ_DEFINE(lz_normal_w13, 13, 16, 1, 64)
LZ_DEFINE(lz_l4, 15, 8, 1, 32)
LZ_DEFINE(lz_normal_w15, 15, 32, 1, 128)
LZ_DEFINE(lz_l7, 15, 64, 1, 128)
LZ_DEFINE(lz_best_w14, 14, 128, 1, 258)
LZ_DEFINE(lz_best_w15, 15, 256, 1, 258)

typedef size_t (*lz_fn)(lz_state_t *, const uint8_t *, size_t, uint8_t *,
                        size_t);

static size_t
lz_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    static huff_dec_t hl, hd;
    uint8_t ll[LZ_NLIT], dl[LZ_NDIST];
    size_t pos = 0;
    bitr_t r;
    int last;

    bitr_init(&r, in, n);
    do {
        last = (int)bitr_get(&r, 1);
        get_lengths(&r, ll, LZ_NLIT);
        get_lengths(&r, dl, LZ_NDIST);
        huff_dec_init(&hl, ll, LZ_NLIT);
        huff_dec_init(&hd, dl, LZ_NDIST);
        for (;;) {
            int32_t sym = huff_decode(&r, &hl), dsym;
            uint32_t len, dist;

            if (sym < 0)
                return 0;
            if (sym < 256) {
                if (pos >= cap)
                    return 0;
                out[pos++] = (uint8_t)sym;
                continue;
            }
            if (sym == LZ_END)
                break;
            sym -= 257;
            if (sym >= 29)
                return 0;
            len = g_lbase[sym] + bitr_get(&r, g_lext[sym]);
            dsym = huff_decode(&r, &hd);
            if (dsym < 0 || dsym >= LZ_NDIST)
                return 0;
            dist = g_dbase[dsym] + bitr_get(&r, g_dext[dsym]);
            if (dist > pos || pos + len > cap)
                return 0;
            /* Byte by byte: the source may overlap the destination. */
            for (; len > 0; len--, pos++)
                out[pos] = out[pos - dist];
        }
    } while (!last);
    return pos;
}

/* Table-driven decoding: one lookup for codes up to LZF_TBITS bits, the
 * bit-by-bit canonical decoder for the rare longer ones. */
#define LZF_TBITS 10

typedef struct lzf_entry {
    uint16_t sym;
    uint8_t len; /* 0: longer than the table, take the slow path */
} lzf_entry_t;

static void
lzf_build(lzf_entry_t *t, const uint8_t *len, uint32_t n)
{
    uint16_t code[HUFF_MAXSYMS];
    uint32_t s, j;

    huff_codes(len, n, code);
    for (j = 0; j < (1u << LZF_TBITS); j++)
        t[j].len = 0;
    for (s = 0; s < n; s++) {
        if (len[s] == 0 || len[s] > LZF_TBITS)
            continue;
        for (j = code[s]; j < (1u << LZF_TBITS); j += 1u << len[s]) {
            t[j].sym = (uint16_t)s;
            t[j].len = len[s];
        }
    }
}

static ALWAYS_INLINE int32_t
lzf_decode(bitr_t *r, const lzf_entry_t *t, const huff_dec_t *h)
{
    const lzf_entry_t *e;

    while (r->nbits < LZF_TBITS) {
        r->acc |= (uint64_t)(r->pos < r->len ? r->buf[r->pos++] : 0)
                  << r->nbits;
        r->nbits += 8;
    }
    e = &t[r->acc & ((1u << LZF_TBITS) - 1)];
    if (e->len == 0)
        return huff_decode(r, h);
    r->acc >>= e->len;
    r->nbits -= e->len;
    return e->sym;
}

/* The same format as lz_decompress, decoded through lookup tables; the
 * suite checks that both decoders agree. */
static size_t
lz_decompress_fast(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    static huff_dec_t hl, hd;
    static lzf_entry_t tl[1 << LZF_TBITS], td[1 << LZF_TBITS];
    uint8_t ll[LZ_NLIT], dl[LZ_NDIST];
    size_t pos = 0;
    bitr_t r;
    int last;

    bitr_init(&r, in, n);
    do {
        last = (int)bitr_get(&r, 1);
        get_lengths(&r, ll, LZ_NLIT);
        get_lengths(&r, dl, LZ_NDIST);
        huff_dec_init(&hl, ll, LZ_NLIT);
        huff_dec_init(&hd, dl, LZ_NDIST);
        lzf_build(tl, ll, LZ_NLIT);
        lzf_build(td, dl, LZ_NDIST);
        for (;;) {
            int32_t sym = lzf_decode(&r, tl, &hl), dsym;
            uint32_t len, dist;

            if (sym < 256) {
                if (sym < 0 || pos >= cap)
                    return 0;
                out[pos++] = (uint8_t)sym;
                continue;
            }
            if (sym == LZ_END)
                break;
            sym -= 257;
            if (sym >= 29)
                return 0;
            len = g_lbase[sym] + bitr_get(&r, g_lext[sym]);
            dsym = lzf_decode(&r, td, &hd);
            if (dsym < 0 || dsym >= LZ_NDIST)
                return 0;
            dist = g_dbase[dsym] + bitr_get(&r, g_dext[dsym]);
            if (dist > pos || pos + len > cap)
                return 0;
            if (dist >= len) {
                memcpy(out + pos, out + pos - dist, len);
                pos += len;
            } else {
                for (; len > 0; len--, pos++)
                    out[pos] = out[pos - dist];
            }
        }
    } while (!last);
    return pos;
}

/* ================================================================== */
/* LZW with variable code width (9..16 bits) and dictionary reset       */

#define LZW_CLEAR 256
#define LZW_FIRST 257
#define LZW_LIMIT 65535u
#define LZW_HSIZE (1u << 17)

typedef struct lzw_enc {
    uint32_t key[LZW_HSIZE]; /* (prefix << 8 | byte) + 1; 0 = empty */
    uint16_t code[LZW_HSIZE];
} lzw_enc_t;

static unsigned
lzw_width(uint32_t next)
{
    unsigned b = 9;

    while ((1u << b) <= next)
        b++;
    return b;
}

static size_t
lzw_compress(lzw_enc_t *e, const uint8_t *in, size_t n, uint8_t *out,
             size_t cap)
{
    uint32_t next = LZW_FIRST, wcode;
    size_t i;
    bitw_t w;

    bitw_init(&w, out, cap);
    bitw_put(&w, (uint32_t)n, 32);
    if (n == 0)
        return bitw_flush(&w);
    memset(e->key, 0, sizeof e->key);
    wcode = in[0];
    for (i = 1; i < n; i++) {
        uint32_t key = (wcode << 8 | in[i]) + 1;
        uint32_t h = (key * 2654435761u) >> 15;

        while (e->key[h] != 0 && e->key[h] != key)
            h = (h + 1) & (LZW_HSIZE - 1);
        if (e->key[h] == key) {
            wcode = e->code[h];
            continue;
        }
        bitw_put(&w, wcode, lzw_width(next));
        e->key[h] = key;
        e->code[h] = (uint16_t)next++;
        wcode = in[i];
        if (next == LZW_LIMIT) {
            bitw_put(&w, LZW_CLEAR, lzw_width(next));
            memset(e->key, 0, sizeof e->key);
            next = LZW_FIRST;
        }
    }
    bitw_put(&w, wcode, lzw_width(next));
    return bitw_flush(&w);
}

typedef struct lzw_dec {
    uint16_t prefix[LZW_LIMIT + 1];
    uint8_t suffix[LZW_LIMIT + 1];
    uint8_t first[LZW_LIMIT + 1];
    uint32_t len[LZW_LIMIT + 1];
} lzw_dec_t;

/* Writes the string of `code` at out[pos..); returns its length. */
static uint32_t
lzw_expand(const lzw_dec_t *d, uint32_t code, uint8_t *out, size_t pos,
           size_t cap)
{
    uint32_t l = d->len[code], i;

    if (pos + l > cap)
        return 0;
    for (i = l; i > 0; i--) {
        out[pos + i - 1] = d->suffix[code];
        code = d->prefix[code];
    }
    return l;
}

static size_t
lzw_decompress(lzw_dec_t *d, const uint8_t *in, size_t n, uint8_t *out,
               size_t cap)
{
    uint32_t next = LZW_FIRST, prev = 0, i;
    size_t pos = 0, total;
    int fresh = 1;
    bitr_t r;

    bitr_init(&r, in, n);
    total = bitr_get(&r, 32);
    if (total > cap)
        return 0;
    for (i = 0; i < 256; i++) {
        d->suffix[i] = d->first[i] = (uint8_t)i;
        d->len[i] = 1;
    }
    while (pos < total) {
        uint32_t want = fresh ? next : next + 1;
        uint32_t code = bitr_get(&r, lzw_width(want < LZW_LIMIT ? want
                                                               : LZW_LIMIT));

        if (code == LZW_CLEAR) {
            next = LZW_FIRST;
            fresh = 1;
            continue;
        }
        if (fresh) {
            if (code > 255)
                return 0;
            out[pos++] = (uint8_t)code;
            prev = code;
            fresh = 0;
            continue;
        }
        if (code > next || (code == next && next >= LZW_LIMIT))
            return 0;
        if (next < LZW_LIMIT) {
            /* New entry: prev's string plus the first byte of code's
             * (prev's own first byte in the KwKwK case). */
            d->prefix[next] = (uint16_t)prev;
            d->suffix[next] = code == next ? d->first[prev] : d->first[code];
            d->first[next] = d->first[prev];
            d->len[next] = d->len[prev] + 1;
            next++;
        }
        i = lzw_expand(d, code, out, pos, cap);
        if (i == 0)
            return 0;
        pos += i;
        prev = code;
    }
    return pos;
}

/* ================================================================== */
/* BWT + move-to-front + zero-run coding + Huffman (bzip2-like)         */

#define BWT_RUNA 0
#define BWT_RUNB 1
#define BWT_EOB 257
#define BWT_NSYM 258

typedef struct bwt_work {
    uint32_t *sa, *rank, *tmp, *cnt;
    uint8_t *last;
    uint16_t *syms;
} bwt_work_t;

/* Counting sort of sa by key(i) = rank[(sa[i] + k) % n] (+1 so 0 fits). */
static void
bwt_sort_pass(bwt_work_t *w, uint32_t n, uint32_t k, int second)
{
    uint32_t i, maxr = n < 256 ? 256 : n + 1, sum = 0;

    memset(w->cnt, 0, (size_t)(maxr + 1) * sizeof(uint32_t));
    for (i = 0; i < n; i++) {
        uint32_t j = w->sa[i] + (second ? k : 0);

        w->cnt[w->rank[j >= n ? j - n : j]]++;
    }
    for (i = 0; i <= maxr; i++) {
        uint32_t c = w->cnt[i];

        w->cnt[i] = sum;
        sum += c;
    }
    for (i = 0; i < n; i++) {
        uint32_t j = w->sa[i] + (second ? k : 0);

        w->tmp[w->cnt[w->rank[j >= n ? j - n : j]]++] = w->sa[i];
    }
    memcpy(w->sa, w->tmp, (size_t)n * sizeof(uint32_t));
}

/* Sorts the cyclic rotations of blk by prefix doubling (Manber-Myers with
 * radix passes); returns the row of the unrotated block. */
static uint32_t
bwt_forward(bwt_work_t *w, const uint8_t *blk, uint32_t n)
{
    uint32_t i, k, classes, primary = 0;

    for (i = 0; i < n; i++) {
        w->sa[i] = i;
        w->rank[i] = blk[i];
    }
    bwt_sort_pass(w, n, 0, 0);
    for (k = 1; k < n; k <<= 1) {
        /* LSD radix: second key first, then the (stable) first key. */
        bwt_sort_pass(w, n, k, 1);
        bwt_sort_pass(w, n, k, 0);
        w->tmp[w->sa[0]] = 0;
        classes = 1;
        for (i = 1; i < n; i++) {
            uint32_t a = w->sa[i - 1], b = w->sa[i];
            uint32_t a2 = a + k >= n ? a + k - n : a + k;
            uint32_t b2 = b + k >= n ? b + k - n : b + k;

            if (w->rank[a] != w->rank[b] || w->rank[a2] != w->rank[b2])
                classes++;
            w->tmp[b] = classes - 1;
        }
        memcpy(w->rank, w->tmp, (size_t)n * sizeof(uint32_t));
        if (classes == n)
            break;
    }
    for (i = 0; i < n; i++) {
        uint32_t s = w->sa[i];

        w->last[i] = blk[s == 0 ? n - 1 : s - 1];
        if (s == 0)
            primary = i;
    }
    return primary;
}

/* MTF then bzip2's bijective base-2 zero runs (RUNA/RUNB). */
static uint32_t
bwt_mtf_rle(const uint8_t *last, uint32_t n, uint16_t *syms)
{
    uint8_t order[256];
    uint32_t i, nsym = 0, zeros = 0;

    for (i = 0; i < 256; i++)
        order[i] = (uint8_t)i;
    for (i = 0; i <= n; i++) {
        uint32_t v = 0;

        if (i < n) {
            uint8_t c = last[i];

            while (order[v] != c)
                v++;
            memmove(order + 1, order, v);
            order[0] = c;
            if (v == 0) {
                zeros++;
                continue;
            }
        }
        while (zeros > 0) {
            /* zeros = sum of (digit+1) * 2^k, digits RUNA=0, RUNB=1 */
            syms[nsym++] = (uint16_t)((zeros - 1) & 1);
            zeros = (zeros - 1) >> 1;
        }
        if (i < n)
            syms[nsym++] = (uint16_t)(v + 1);
    }
    syms[nsym++] = BWT_EOB;
    return nsym;
}

static size_t
bwt_compress(bwt_work_t *w, const uint8_t *in, size_t n, uint32_t bsize,
             uint8_t *out, size_t cap)
{
    size_t off;
    bitw_t bw;

    bitw_init(&bw, out, cap);
    for (off = 0; off < n; off += bsize) {
        uint32_t blen = n - off < bsize ? (uint32_t)(n - off) : bsize;
        uint32_t primary = bwt_forward(w, in + off, blen), nsym, i;
        uint32_t freq[BWT_NSYM] = { 0 };
        uint8_t len[BWT_NSYM];
        uint16_t code[BWT_NSYM];

        nsym = bwt_mtf_rle(w->last, blen, w->syms);
        for (i = 0; i < nsym; i++)
            freq[w->syms[i]]++;
        huff_lengths(freq, BWT_NSYM, len, HUFF_MAXBITS);
        huff_codes(len, BWT_NSYM, code);
        bitw_put(&bw, blen, 32);
        bitw_put(&bw, primary, 32);
        put_lengths(&bw, len, BWT_NSYM);
        for (i = 0; i < nsym; i++)
            bitw_put(&bw, code[w->syms[i]], len[w->syms[i]]);
    }
    bitw_put(&bw, 0, 32);
    return bitw_flush(&bw);
}

/* Undoes Huffman, runs and MTF into w->last; returns the length. */
static uint32_t
bwt_unmtf(bitr_t *r, const huff_dec_t *h, uint8_t *last, uint32_t blen)
{
    uint8_t order[256];
    uint32_t i, pos = 0, run = 0, bit = 1;

    for (i = 0; i < 256; i++)
        order[i] = (uint8_t)i;
    for (;;) {
        int32_t s = huff_decode(r, h);

        if (s < 0)
            return 0;
        if (s == BWT_RUNA || s == BWT_RUNB) {
            run += (uint32_t)(s + 1) * bit;
            bit <<= 1;
            continue;
        }
        if (pos + run > blen)
            return 0;
        for (; run > 0; run--)
            last[pos++] = order[0];
        bit = 1;
        if (s == BWT_EOB)
            break;
        if (pos >= blen)
            return 0;
        {
            uint32_t v = (uint32_t)s - 1;
            uint8_t c = order[v];

            memmove(order + 1, order, v);
            order[0] = c;
            last[pos++] = c;
        }
    }
    return pos;
}

static size_t
bwt_decompress(bwt_work_t *w, const uint8_t *in, size_t n, uint8_t *out,
               size_t cap)
{
    static huff_dec_t h;
    uint8_t len[BWT_NSYM];
    size_t total = 0;
    bitr_t r;

    bitr_init(&r, in, n);
    for (;;) {
        uint32_t blen = bitr_get(&r, 32), primary, i, c, sum = 0;
        uint32_t counts[256] = { 0 };

        if (blen == 0)
            break;
        primary = bitr_get(&r, 32);
        if (total + blen > cap || primary >= blen)
            return 0;
        get_lengths(&r, len, BWT_NSYM);
        huff_dec_init(&h, len, BWT_NSYM);
        if (bwt_unmtf(&r, &h, w->last, blen) != blen)
            return 0;
        /* LF mapping: row i's predecessor row. */
        for (i = 0; i < blen; i++)
            counts[w->last[i]]++;
        for (c = 0; c < 256; c++) {
            uint32_t t = counts[c];

            counts[c] = sum;
            sum += t;
        }
        for (i = 0; i < blen; i++)
            w->tmp[i] = counts[w->last[i]]++;
        for (i = blen, c = primary; i > 0; i--) {
            out[total + i - 1] = w->last[c];
            c = w->tmp[c];
        }
        total += blen;
    }
    return total;
}

/* ================================================================== */
/* Context mixing: bit-level models of several contexts (order 1 direct, */
/* hashed orders 2-6 and the current word) mixed by an adaptive         */
/* logistic mixer, driving a binary arithmetic coder. Integer           */
/* arithmetic only, so every target produces the same bits. The coder   */
/* loops are specialised per context set, as paq-style levels are.      */

#define CM_HBITS 21
#define CM_MAXIN 6

enum { CMX_O2 = 1, CMX_O3 = 2, CMX_O4 = 4, CMX_O6 = 8, CMX_WORD = 16 };

typedef struct cm_model {
    uint16_t o1[1 << 16];
    uint16_t *tab[CM_MAXIN]; /* hashed tables, 1 << bits entries each */
    int32_t weights[256][CM_MAXIN];
    int16_t stretch_tab[4096];
    int16_t squash_tab[4096];
    uint32_t c0, bits, word;
    uint64_t c8; /* the last 8 bytes */
    uint32_t hash[CM_MAXIN];
    uint32_t idx[CM_MAXIN];
    int32_t st[CM_MAXIN];
    int32_t pr;
} cm_model_t;

/* 4096 / (1 + e^-x/256) by interpolating a 33-point table. */
static int32_t
squash_calc(int32_t d)
{
    static const int32_t t[33] = {
        1,    2,    3,    6,    10,   16,   27,   45,   73,   120,  194,
        310,  488,  747,  1101, 1546, 2047, 2549, 2994, 3348, 3607, 3785,
        3901, 3975, 4024, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094
    };
    int32_t w;

    if (d > 2047)
        return 4095;
    if (d < -2047)
        return 1;
    w = d & 127;
    d = (d >> 7) + 16;
    return (t[d] * (128 - w) + t[d + 1] * w + 64) >> 7;
}

static uint32_t
cm_popcount(uint32_t x)
{
    uint32_t c = 0;

    for (; x; x &= x - 1)
        c++;
    return c;
}

/* Hashed tables scale with the input (up to CM_HBITS) so that small
 * inputs do not pay for clearing megabytes of model. */
static void
cm_init(cm_model_t *m, size_t n, uint32_t ctxmask)
{
    int32_t x, pi = 0, i, k, nin = 1 + (int32_t)cm_popcount(ctxmask);

    m->bits = 16;
    while (m->bits < CM_HBITS && ((size_t)1 << m->bits) < n * 4)
        m->bits++;
    for (i = 0; i < (1 << 16); i++)
        m->o1[i] = 32768;
    for (k = 1; k < nin; k++)
        for (i = 0; i < (1 << m->bits); i++)
            m->tab[k][i] = 32768;
    for (i = 0; i < 256; i++)
        for (k = 0; k < CM_MAXIN; k++)
            m->weights[i][k] = 65536 / nin;
    for (x = -2047; x <= 2047; x++) {
        int32_t v = squash_calc(x);

        m->squash_tab[x + 2048] = (int16_t)v;
        for (i = pi; i <= v; i++)
            m->stretch_tab[i] = (int16_t)x;
        pi = v + 1;
    }
    for (i = pi; i < 4096; i++)
        m->stretch_tab[i] = 2047;
    m->squash_tab[0] = 1;
    m->c0 = 1;
    m->c8 = 0;
    m->word = 0;
    memset(m->hash, 0, sizeof m->hash);
}

static ALWAYS_INLINE int32_t
cm_squash(const cm_model_t *m, int32_t d)
{
    if (d > 2047)
        d = 2047;
    if (d < -2047)
        d = -2047;
    return m->squash_tab[d + 2048];
}

/* Probability (12 bits) that the next bit is 1. */
static ALWAYS_INLINE int32_t
cm_predict(cm_model_t *m, uint32_t ctxmask)
{
    int32_t dot = 0, i, nin = 1 + (int32_t)cm_popcount(ctxmask);
    const int32_t *wt = m->weights[m->c0];

    m->idx[0] = (uint32_t)(m->c8 & 0xFF) << 8 | m->c0;
    m->st[0] = m->stretch_tab[m->o1[m->idx[0]] >> 4];
    for (i = 1; i < nin; i++) {
        m->idx[i] = (m->hash[i] + m->c0 * 0x9E3779B1u) >> (32 - m->bits);
        m->st[i] = m->stretch_tab[m->tab[i][m->idx[i]] >> 4];
    }
    for (i = 0; i < nin; i++)
        dot += m->st[i] * (wt[i] >> 4);
    m->pr = cm_squash(m, dot >> 12);
    return m->pr;
}

static ALWAYS_INLINE void
cm_adapt(uint16_t *p, int bit, int rate)
{
    if (bit)
        *p = (uint16_t)(*p + ((65535 - *p) >> rate));
    else
        *p = (uint16_t)(*p - (*p >> rate));
}

/* Context hashes for the next byte, in the order of the ctxmask bits. */
static ALWAYS_INLINE void
cm_next_byte(cm_model_t *m, uint32_t ctxmask, uint32_t c)
{
    uint32_t k = 1;

    m->c8 = m->c8 << 8 | c;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        m->word = (m->word + (c | 32)) * 0x2F0F1A5Bu;
    else
        m->word = 0;
    if (ctxmask & CMX_O2)
        m->hash[k++] = (uint32_t)(m->c8 & 0xFFFF) * 0x2F0F1A5Bu + 1;
    if (ctxmask & CMX_O3)
        m->hash[k++] = (uint32_t)(m->c8 & 0xFFFFFF) * 0x6F4F2A35u + 2;
    if (ctxmask & CMX_O4)
        m->hash[k++] = (uint32_t)m->c8 * 0x5BD1E995u + 3;
    if (ctxmask & CMX_O6)
        m->hash[k++] = (uint32_t)((m->c8 & 0xFFFFFFFFFFFFull) *
                                  0x9E3779B97F4A7C15ull >> 32) + 4;
    if (ctxmask & CMX_WORD)
        m->hash[k++] = m->word * 0x85EBCA77u + 5;
}

static ALWAYS_INLINE void
cm_update(cm_model_t *m, uint32_t ctxmask, int bit)
{
    int32_t err = ((bit << 12) - m->pr) * 6, i;
    int32_t nin = 1 + (int32_t)cm_popcount(ctxmask);
    int32_t *wt = m->weights[m->c0];

    /* Clamped so the dot product in cm_predict cannot overflow. */
    for (i = 0; i < nin; i++) {
        wt[i] += (m->st[i] * err) >> 14;
        wt[i] = wt[i] > (1 << 21) ? (1 << 21)
                : wt[i] < -(1 << 21) ? -(1 << 21) : wt[i];
    }
    cm_adapt(&m->o1[m->idx[0]], bit, 4);
    for (i = 1; i < nin; i++)
        cm_adapt(&m->tab[i][m->idx[i]], bit, i > 2 ? 3 : 4);
    m->c0 = m->c0 << 1 | (uint32_t)bit;
    if (m->c0 >= 256) {
        cm_next_byte(m, ctxmask, m->c0 & 0xFF);
        m->c0 = 1;
    }
}

typedef struct ac {
    uint32_t x1, x2, x;
    uint8_t *out;
    const uint8_t *in;
    size_t pos, cap, len;
} ac_t;

static ALWAYS_INLINE void
ac_encode_bit(ac_t *a, int32_t p12, int bit)
{
    uint32_t xmid = a->x1 + (uint32_t)(((uint64_t)(a->x2 - a->x1) *
                                        (uint32_t)p12) >> 12);

    if (bit)
        a->x2 = xmid;
    else
        a->x1 = xmid + 1;
    while (((a->x1 ^ a->x2) & 0xFF000000u) == 0) {
        if (a->pos < a->cap)
            a->out[a->pos] = (uint8_t)(a->x2 >> 24);
        a->pos++;
        a->x1 <<= 8;
        a->x2 = a->x2 << 8 | 255;
    }
}

static ALWAYS_INLINE int
ac_decode_bit(ac_t *a, int32_t p12)
{
    uint32_t xmid = a->x1 + (uint32_t)(((uint64_t)(a->x2 - a->x1) *
                                        (uint32_t)p12) >> 12);
    int bit = a->x <= xmid;

    if (bit)
        a->x2 = xmid;
    else
        a->x1 = xmid + 1;
    while (((a->x1 ^ a->x2) & 0xFF000000u) == 0) {
        a->x1 <<= 8;
        a->x2 = a->x2 << 8 | 255;
        a->x = a->x << 8 | (a->pos < a->len ? a->in[a->pos++] : 0);
    }
    return bit;
}

static ALWAYS_INLINE size_t
cm_compress_impl(cm_model_t *m, const uint8_t *in, size_t n, uint8_t *out,
                 size_t cap, uint32_t ctxmask)
{
    ac_t a = { 0, 0xFFFFFFFFu, 0, out, NULL, 4, cap, 0 };
    size_t i;
    int b;

    if (cap < 4)
        return 0;
    for (b = 0; b < 4; b++)
        out[b] = (uint8_t)(n >> (24 - 8 * b));
    cm_init(m, n, ctxmask);
    for (i = 0; i < n; i++)
        for (b = 7; b >= 0; b--) {
            int bit = (in[i] >> b) & 1;

            ac_encode_bit(&a, cm_predict(m, ctxmask), bit);
            cm_update(m, ctxmask, bit);
        }
    for (b = 0; b < 4; b++) {
        if (a.pos < a.cap)
            out[a.pos] = (uint8_t)(a.x1 >> 24);
        a.pos++;
        a.x1 <<= 8;
    }
    return a.pos <= cap ? a.pos : 0;
}

static ALWAYS_INLINE size_t
cm_decompress_impl(cm_model_t *m, const uint8_t *in, size_t n, uint8_t *out,
                   size_t cap, uint32_t ctxmask)
{
    ac_t a = { 0, 0xFFFFFFFFu, 0, NULL, in, 4, 0, n };
    size_t total, i;
    int b;

    if (n < 8)
        return 0;
    total = (size_t)in[0] << 24 | (size_t)in[1] << 16 | (size_t)in[2] << 8 |
            in[3];
    if (total > cap)
        return 0;
    for (b = 0; b < 4; b++)
        a.x = a.x << 8 | in[a.pos++];
    cm_init(m, total, ctxmask);
    for (i = 0; i < total; i++) {
        uint32_t c = 0;

        for (b = 0; b < 8; b++) {
            int bit = ac_decode_bit(&a, cm_predict(m, ctxmask));

            cm_update(m, ctxmask, bit);
            c = c << 1 | (uint32_t)bit;
        }
        out[i] = (uint8_t)c;
    }
    return total;
}

#define CM_DEFINE(name, ctxmask)                                           \
    static size_t name##_compress(cm_model_t *m, const uint8_t *in,        \
                                  size_t n, uint8_t *out, size_t cap)      \
    {                                                                      \
        return cm_compress_impl(m, in, n, out, cap, ctxmask);              \
    }                                                                      \
    static size_t name##_decompress(cm_model_t *m, const uint8_t *in,      \
                                    size_t n, uint8_t *out, size_t cap)    \
    {                                                                      \
        return cm_decompress_impl(m, in, n, out, cap, ctxmask);            \
    }

CM_DEFINE(cm_fast, CMX_O2)
CM_DEFINE(cm_mid, CMX_O2 | CMX_O4)
CM_DEFINE(cm_text, CMX_O2 | CMX_O3 | CMX_WORD)
CM_DEFINE(cm_high, CMX_O2 | CMX_O3 | CMX_O4 | CMX_O6 | CMX_WORD)

typedef size_t (*codec_fn)(cm_model_t *, const uint8_t *, size_t,
                           uint8_t *, size_t);

/* ================================================================== */
/* LZB: byte-aligned LZ77 (LZ4-like sequences, 64 KiB window), fast to  */
/* decode; match finders specialised per level.                         */

#define LZB_MIN 4
#define LZB_WBITS 16
#define LZB_MAXHBITS 16

typedef struct lzb_state {
    int32_t head[1 << LZB_MAXHBITS];
    int32_t prev[1 << LZB_WBITS];
    size_t inserted;
} lzb_state_t;

static ALWAYS_INLINE uint32_t
read32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static ALWAYS_INLINE uint32_t
lzb_hash(const uint8_t *p, uint32_t hbits)
{
    return (read32(p) * 2654435761u) >> (32 - hbits);
}

static ALWAYS_INLINE void
lzb_insert_upto(lzb_state_t *s, const uint8_t *in, size_t n, size_t upto,
                uint32_t hbits)
{
    while (s->inserted < upto) {
        size_t p = s->inserted++;

        if (p + 4 <= n) {
            uint32_t h = lzb_hash(in + p, hbits);

            s->prev[p & ((1u << LZB_WBITS) - 1)] = s->head[h];
            s->head[h] = (int32_t)p;
        }
    }
}

static ALWAYS_INLINE uint32_t
lzb_find(const lzb_state_t *s, const uint8_t *in, size_t n, size_t pos,
         uint32_t *dist, uint32_t hbits, uint32_t chain)
{
    uint32_t best = 0;
    int32_t cand;

    if (pos + 4 > n)
        return 0;
    cand = s->head[lzb_hash(in + pos, hbits)];
    while (cand >= 0 && pos - (size_t)cand < (1u << LZB_WBITS) &&
           chain-- > 0) {
        const uint8_t *a = in + pos, *b = in + cand;
        size_t l = 0, maxlen = n - pos;
        int32_t next;

        if (read32(a) == read32(b)) {
            l = 4;
            while (l < maxlen && a[l] == b[l])
                l++;
            if (l > best) {
                best = (uint32_t)l;
                *dist = (uint32_t)(pos - (size_t)cand);
            }
        }
        next = s->prev[(uint32_t)cand & ((1u << LZB_WBITS) - 1)];
        if (next >= cand)
            break;
        cand = next;
    }
    return best >= LZB_MIN ? best : 0;
}

static ALWAYS_INLINE size_t
lzb_put_len(uint8_t *out, size_t o, size_t cap, uint32_t v)
{
    while (v >= 255) {
        if (o < cap)
            out[o] = 255;
        o++;
        v -= 255;
    }
    if (o < cap)
        out[o] = (uint8_t)v;
    return o + 1;
}

/* One sequence: token, literal length, literals, offset, match length. */
static ALWAYS_INLINE size_t
lzb_sequence(uint8_t *out, size_t o, size_t cap, const uint8_t *lit,
             uint32_t nlit, uint32_t dist, uint32_t mlen)
{
    uint32_t ml = mlen ? mlen - LZB_MIN : 0;
    size_t tok = o++;

    if (tok < cap)
        out[tok] = (uint8_t)((nlit < 15 ? nlit : 15) << 4 |
                             (ml < 15 ? ml : 15));
    if (nlit >= 15)
        o = lzb_put_len(out, o, cap, nlit - 15);
    if (o + nlit <= cap)
        memcpy(out + o, lit, nlit);
    o += nlit;
    if (mlen == 0)
        return o;
    if (o + 2 <= cap) {
        out[o] = (uint8_t)dist;
        out[o + 1] = (uint8_t)(dist >> 8);
    }
    o += 2;
    if (ml >= 15)
        o = lzb_put_len(out, o, cap, ml - 15);
    return o;
}

static ALWAYS_INLINE size_t
lzb_compress_impl(lzb_state_t *s, const uint8_t *in, size_t n,
                  uint8_t *out, size_t cap, uint32_t hbits, uint32_t chain,
                  int lazy)
{
    size_t pos = 0, anchor = 0, o = 4;
    uint32_t len, dist = 0, len2, dist2 = 0;

    if (cap < 4)
        return 0;
    out[0] = (uint8_t)(n >> 24);
    out[1] = (uint8_t)(n >> 16);
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    memset(s->head, 0xFF, sizeof(int32_t) << hbits);
    s->inserted = 0;
    while (pos < n) {
        lzb_insert_upto(s, in, n, pos, hbits);
        len = lzb_find(s, in, n, pos, &dist, hbits, chain);
        if (lazy && len > 0 && pos + 1 < n) {
            lzb_insert_upto(s, in, n, pos + 1, hbits);
            len2 = lzb_find(s, in, n, pos + 1, &dist2, hbits, chain);
            if (len2 > len + 1) {
                pos++;
                len = len2;
                dist = dist2;
            }
        }
        if (len == 0) {
            pos++;
            continue;
        }
        o = lzb_sequence(out, o, cap, in + anchor, (uint32_t)(pos - anchor),
                         dist, len);
        pos += len;
        anchor = pos;
    }
    o = lzb_sequence(out, o, cap, in + anchor, (uint32_t)(n - anchor), 0, 0);
    return o <= cap ? o : 0;
}

static size_t
lzb_get_len(const uint8_t *in, size_t n, size_t *i, uint32_t v)
{
    if (v < 15)
        return v;
    for (;;) {
        uint8_t b = *i < n ? in[(*i)++] : 0;

        v += b;
        if (b != 255 || *i >= n)
            return v;
    }
}

static size_t
lzb_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 4, o = 0, total;

    if (n < 4)
        return 0;
    total = (size_t)in[0] << 24 | (size_t)in[1] << 16 | (size_t)in[2] << 8 |
            in[3];
    if (total > cap)
        return 0;
    while (i < n) {
        uint8_t tok = in[i++];
        size_t nlit = lzb_get_len(in, n, &i, tok >> 4), ml, dist;

        if (nlit > n - i || o + nlit > total)
            return 0;
        memcpy(out + o, in + i, nlit);
        i += nlit;
        o += nlit;
        if (o == total)
            break;
        if (i + 2 > n)
            return 0;
        dist = (size_t)in[i] | (size_t)in[i + 1] << 8;
        i += 2;
        ml = lzb_get_len(in, n, &i, tok & 15) + LZB_MIN;
        if (dist == 0 || dist > o || o + ml > total)
            return 0;
        for (; ml > 0; ml--, o++)
            out[o] = out[o - dist];
    }
    return o;
}

#define LZB_DEFINE(name, hbits, chain, lazy)                               \
    static size_t name(lzb_state_t *s, const uint8_t *in, size_t n,        \
                       uint8_t *out, size_t cap)                           \
    {                                                                      \
        return lzb_compress_impl(s, in, n, out, cap, hbits, chain, lazy);  \
    }

LZB_DEFINE(lzb_l1, 12, 1, 0)
LZB_DEFINE(lzb_l2, 14, 1, 0)
LZB_DEFINE(lzb_l3, 16, 4, 0)
LZB_DEFINE(lzb_l4, 16, 8, 0)
LZB_DEFINE(lzb_l5, 16, 8, 1)
LZB_DEFINE(lzb_l6, 16, 16, 1)
LZB_DEFINE(lzb_l7, 16, 32, 1)
LZB_DEFINE(lzb_l8, 16, 64, 1)
LZB_DEFINE(lzb_l9, 16, 128, 1)

typedef size_t (*lzb_fn)(lzb_state_t *, const uint8_t *, size_t, uint8_t *,
                         size_t);

/* ================================================================== */
/* RC: adaptive order-0 / order-1 multi-symbol range coder              */
/* (Subbotin's carry-less coder, 32-bit unsigned arithmetic).           */

#define RC_TOP (1u << 24)
#define RC_BOT (1u << 16)
#define RC_INC 24
#define RC_LIMIT (1u << 16)

typedef struct rc_model {
    uint16_t freq[256][256];
    uint32_t total[256];
} rc_model_t;

typedef struct rc {
    uint32_t low, range, code;
    uint8_t *out;
    const uint8_t *in;
    size_t pos, cap, len;
} rc_t;

static void
rc_model_init(rc_model_t *m, uint32_t contexts)
{
    uint32_t c, s;

    for (c = 0; c < contexts; c++) {
        for (s = 0; s < 256; s++)
            m->freq[c][s] = 1;
        m->total[c] = 256;
    }
}

static ALWAYS_INLINE void
rc_model_update(rc_model_t *m, uint32_t ctx, uint32_t sym)
{
    uint32_t s;

    m->freq[ctx][sym] = (uint16_t)(m->freq[ctx][sym] + RC_INC);
    m->total[ctx] += RC_INC;
    if (m->total[ctx] > RC_LIMIT - RC_INC) {
        m->total[ctx] = 0;
        for (s = 0; s < 256; s++) {
            m->freq[ctx][s] = (uint16_t)((m->freq[ctx][s] + 1) >> 1);
            m->total[ctx] += m->freq[ctx][s];
        }
    }
}

static ALWAYS_INLINE void
rc_put(rc_t *r, uint8_t b)
{
    if (r->pos < r->cap)
        r->out[r->pos] = b;
    r->pos++;
}

static ALWAYS_INLINE void
rc_encode(rc_t *r, uint32_t cum, uint32_t freq, uint32_t tot)
{
    r->range /= tot;
    r->low += cum * r->range;
    r->range *= freq;
    for (;;) {
        if ((r->low ^ (r->low + r->range)) >= RC_TOP) {
            if (r->range >= RC_BOT)
                break;
            r->range = (0u - r->low) & (RC_BOT - 1);
        }
        rc_put(r, (uint8_t)(r->low >> 24));
        r->low <<= 8;
        r->range <<= 8;
    }
}

static ALWAYS_INLINE uint32_t
rc_decode_freq(rc_t *r, uint32_t tot)
{
    uint32_t v;

    r->range /= tot;
    v = (r->code - r->low) / r->range;
    return v < tot ? v : tot - 1;
}

static ALWAYS_INLINE void
rc_decode_update(rc_t *r, uint32_t cum, uint32_t freq)
{
    r->low += cum * r->range;
    r->range *= freq;
    for (;;) {
        if ((r->low ^ (r->low + r->range)) >= RC_TOP) {
            if (r->range >= RC_BOT)
                break;
            r->range = (0u - r->low) & (RC_BOT - 1);
        }
        r->code = r->code << 8 | (r->pos < r->len ? r->in[r->pos++] : 0);
        r->low <<= 8;
        r->range <<= 8;
    }
}

static ALWAYS_INLINE size_t
rc_compress_impl(rc_model_t *m, const uint8_t *in, size_t n, uint8_t *out,
                 size_t cap, int order)
{
    rc_t r = { 0, 0xFFFFFFFFu, 0, out, NULL, 4, cap, 0 };
    uint32_t ctx = 0, cum, s;
    size_t i;
    int b;

    if (cap < 4)
        return 0;
    for (b = 0; b < 4; b++)
        out[b] = (uint8_t)(n >> (24 - 8 * b));
    rc_model_init(m, order ? 256 : 1);
    for (i = 0; i < n; i++) {
        uint32_t sym = in[i];

        for (cum = 0, s = 0; s < sym; s++)
            cum += m->freq[ctx][s];
        rc_encode(&r, cum, m->freq[ctx][sym], m->total[ctx]);
        rc_model_update(m, ctx, sym);
        if (order)
            ctx = sym;
    }
    for (b = 0; b < 4; b++) {
        rc_put(&r, (uint8_t)(r.low >> 24));
        r.low <<= 8;
    }
    return r.pos <= cap ? r.pos : 0;
}

static ALWAYS_INLINE size_t
rc_decompress_impl(rc_model_t *m, const uint8_t *in, size_t n, uint8_t *out,
                   size_t cap, int order)
{
    rc_t r = { 0, 0xFFFFFFFFu, 0, NULL, in, 4, 0, n };
    uint32_t ctx = 0;
    size_t total, i;
    int b;

    if (n < 8)
        return 0;
    total = (size_t)in[0] << 24 | (size_t)in[1] << 16 | (size_t)in[2] << 8 |
            in[3];
    if (total > cap)
        return 0;
    for (b = 0; b < 4; b++)
        r.code = r.code << 8 | in[r.pos++];
    rc_model_init(m, order ? 256 : 1);
    for (i = 0; i < total; i++) {
        uint32_t target = rc_decode_freq(&r, m->total[ctx]), cum = 0, s = 0;

        while (cum + m->freq[ctx][s] <= target)
            cum += m->freq[ctx][s++];
        rc_decode_update(&r, cum, m->freq[ctx][s]);
        rc_model_update(m, ctx, s);
        out[i] = (uint8_t)s;
        if (order)
            ctx = s;
    }
    return total;
}

#define RC_DEFINE(name, order)                                             \
    static size_t name##_compress(rc_model_t *m, const uint8_t *in,        \
                                  size_t n, uint8_t *out, size_t cap)      \
    {                                                                      \
        return rc_compress_impl(m, in, n, out, cap, order);                \
    }                                                                      \
    static size_t name##_decompress(rc_model_t *m, const uint8_t *in,      \
                                    size_t n, uint8_t *out, size_t cap)    \
    {                                                                      \
        return rc_decompress_impl(m, in, n, out, cap, order);              \
    }

RC_DEFINE(rc_o0, 0)
RC_DEFINE(rc_o1, 1)

/* ================================================================== */
/* HUF: block Huffman (order 0) with a table-driven decoder             */

#define HUF_BLOCK 65536
#define HUF_TBITS 11

typedef struct huf_entry {
    uint16_t sym;
    uint8_t len;
} huf_entry_t;

static size_t
huf_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t off;
    bitw_t w;

    bitw_init(&w, out, cap);
    bitw_put(&w, (uint32_t)n, 32);
    for (off = 0; off < n; off += HUF_BLOCK) {
        size_t blen = n - off < HUF_BLOCK ? n - off : HUF_BLOCK, i;
        uint32_t freq[256] = { 0 };
        uint8_t len[256];
        uint16_t code[256];

        for (i = 0; i < blen; i++)
            freq[in[off + i]]++;
        huff_lengths(freq, 256, len, HUF_TBITS);
        huff_codes(len, 256, code);
        put_lengths(&w, len, 256);
        for (i = 0; i < blen; i++)
            bitw_put(&w, code[in[off + i]], len[in[off + i]]);
    }
    return bitw_flush(&w);
}

/* Every table slot whose low `len` bits are a code maps to its symbol. */
static int
huf_build_table(huf_entry_t *t, const uint8_t *len)
{
    uint16_t code[256];
    uint32_t s, j;

    huff_codes(len, 256, code);
    for (j = 0; j < (1u << HUF_TBITS); j++)
        t[j].len = 0;
    for (s = 0; s < 256; s++) {
        if (len[s] == 0)
            continue;
        if (len[s] > HUF_TBITS)
            return 0;
        for (j = code[s]; j < (1u << HUF_TBITS); j += 1u << len[s]) {
            t[j].sym = (uint16_t)s;
            t[j].len = len[s];
        }
    }
    return 1;
}

static size_t
huf_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    static huf_entry_t table[1 << HUF_TBITS];
    size_t total, off;
    bitr_t r;

    bitr_init(&r, in, n);
    total = bitr_get(&r, 32);
    if (total > cap)
        return 0;
    for (off = 0; off < total; off += HUF_BLOCK) {
        size_t blen = total - off < HUF_BLOCK ? total - off : HUF_BLOCK, i;
        uint8_t len[256];

        get_lengths(&r, len, 256);
        if (!huf_build_table(table, len))
            return 0;
        for (i = 0; i < blen; i++) {
            const huf_entry_t *e;

            while (r.nbits < HUF_TBITS) {
                r.acc |= (uint64_t)(r.pos < r.len ? r.buf[r.pos++] : 0)
                         << r.nbits;
                r.nbits += 8;
            }
            e = &table[r.acc & ((1u << HUF_TBITS) - 1)];
            if (e->len == 0)
                return 0;
            out[off + i] = (uint8_t)e->sym;
            r.acc >>= e->len;
            r.nbits -= e->len;
        }
    }
    return total;
}

/* ================================================================== */
/* Integrity checks for the container: CRC-32, CRC-64 (ECMA-182, as xz */
/* uses), Adler-32, xxHash32 and SHA-256.                               */

static uint64_t g_crc64_table[256];

static void
crc64_init(void)
{
    uint64_t c;
    uint32_t i, k;

    for (i = 0; i < 256; i++) {
        for (c = i, k = 0; k < 8; k++)
            c = c & 1 ? 0xC96C5795D7870F42ull ^ (c >> 1) : c >> 1;
        g_crc64_table[i] = c;
    }
}

static uint64_t
crc64(const uint8_t *p, size_t n)
{
    uint64_t c = ~0ull;
    size_t i;

    for (i = 0; i < n; i++)
        c = g_crc64_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}

static uint32_t
adler32(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    size_t i = 0;

    while (i < n) {
        /* 5552 bytes is the most that cannot overflow before the mod. */
        size_t end = n - i > 5552 ? i + 5552 : n;

        for (; i < end; i++) {
            a += p[i];
            b += a;
        }
        a %= 65521u;
        b %= 65521u;
    }
    return b << 16 | a;
}

#define XXH_P1 2654435761u
#define XXH_P2 2246822519u
#define XXH_P3 3266489917u
#define XXH_P4 668265263u
#define XXH_P5 374761393u

static ALWAYS_INLINE uint32_t
rotl32(uint32_t x, unsigned r)
{
    return (x << r) | (x >> (32 - r));
}

static ALWAYS_INLINE uint32_t
xxh_round(uint32_t acc, uint32_t v)
{
    return rotl32(acc + v * XXH_P2, 13) * XXH_P1;
}

static uint32_t
xxh32(const uint8_t *p, size_t n, uint32_t seed)
{
    size_t i = 0;
    uint32_t h;

    if (n >= 16) {
        uint32_t v1 = seed + XXH_P1 + XXH_P2, v2 = seed + XXH_P2;
        uint32_t v3 = seed, v4 = seed - XXH_P1;

        for (; i + 16 <= n; i += 16) {
            v1 = xxh_round(v1, read32(p + i));
            v2 = xxh_round(v2, read32(p + i + 4));
            v3 = xxh_round(v3, read32(p + i + 8));
            v4 = xxh_round(v4, read32(p + i + 12));
        }
        h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
    } else {
        h = seed + XXH_P5;
    }
    h += (uint32_t)n;
    for (; i + 4 <= n; i += 4)
        h = rotl32(h + read32(p + i) * XXH_P3, 17) * XXH_P4;
    for (; i < n; i++)
        h = rotl32(h + p[i] * XXH_P5, 11) * XXH_P1;
    h ^= h >> 15;
    h *= XXH_P2;
    h ^= h >> 13;
    h *= XXH_P3;
    h ^= h >> 16;
    return h;
}

static const uint32_t g_sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void
sha256_block(uint32_t *h, const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
    int i;

    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (i = 16; i < 64; i++)
        w[i] = w[i - 16] + w[i - 7] +
               (rotl32(w[i - 15], 25) ^ rotl32(w[i - 15], 14) ^
                (w[i - 15] >> 3)) +
               (rotl32(w[i - 2], 15) ^ rotl32(w[i - 2], 13) ^
                (w[i - 2] >> 10));
    a = h[0], b = h[1], c = h[2], d = h[3];
    e = h[4], f = h[5], g = h[6], hh = h[7];
    for (i = 0; i < 64; i++) {
        t1 = hh + (rotl32(e, 26) ^ rotl32(e, 21) ^ rotl32(e, 7)) +
             ((e & f) ^ (~e & g)) + g_sha_k[i] + w[i];
        t2 = (rotl32(a, 30) ^ rotl32(a, 19) ^ rotl32(a, 10)) +
             ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1;
        d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
    h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

static void
sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                    0xa54ff53a, 0x510e527f, 0x9b05688c,
                                    0x1f83d9ab, 0x5be0cd19 };
    uint32_t h[8];
    uint8_t tail[128];
    size_t i, rest = n % 64, tlen = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;

    memcpy(h, iv, sizeof h);
    for (i = 0; i + 64 <= n; i += 64)
        sha256_block(h, p + i);
    memset(tail, 0, sizeof tail);
    memcpy(tail, p + n - rest, rest);
    tail[rest] = 0x80;
    for (i = 0; i < 8; i++)
        tail[tlen - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha256_block(h, tail);
    if (tlen == 128)
        sha256_block(h, tail + 64);
    for (i = 0; i < 32; i++)
        out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}

/* ================================================================== */
/* Container: magic, method, check kind, sizes, payload, check value.   */

enum { CHECK_CRC32, CHECK_CRC64, CHECK_ADLER32, CHECK_XXH32, CHECK_SHA256,
       CHECK__COUNT };

static const char *const g_check_names[CHECK__COUNT] = {
    "crc32", "crc64", "adler32", "xxh32", "sha256"
};

/* Writes the check of data[0..n) as bytes; returns its size. */
static size_t
check_compute(int kind, const uint8_t *data, size_t n, uint8_t *out)
{
    uint64_t v;
    size_t i, sz = kind == CHECK_CRC64 ? 8 : 4;

    switch (kind) {
    case CHECK_SHA256:
        sha256(data, n, out);
        return 32;
    case CHECK_CRC64:
        v = crc64(data, n);
        break;
    case CHECK_ADLER32:
        v = adler32(data, n);
        break;
    case CHECK_XXH32:
        v = xxh32(data, n, 0x5EED);
        break;
    default:
        v = crc32(data, n);
        break;
    }
    for (i = 0; i < sz; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    return sz;
}

static void
put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t
get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

#define FRAME_HDR 14

/* Frames `payload` (the compressed form of `orig`); returns frame size. */
static size_t
frame_wrap(uint8_t *frame, size_t cap, uint8_t method, int check,
           const uint8_t *orig, size_t n, const uint8_t *payload,
           size_t plen)
{
    uint8_t sum[32];
    size_t slen = check_compute(check, orig, n, sum);

    if (FRAME_HDR + plen + slen > cap)
        return 0;
    memcpy(frame, "BRZ1", 4);
    frame[4] = method;
    frame[5] = (uint8_t)check;
    put_u32le(frame + 6, (uint32_t)n);
    put_u32le(frame + 10, (uint32_t)plen);
    memcpy(frame + FRAME_HDR, payload, plen);
    memcpy(frame + FRAME_HDR + plen, sum, slen);
    return FRAME_HDR + plen + slen;
}

typedef struct frame_info {
    uint8_t method;
    int check;
    size_t orig_size, payload_size;
    const uint8_t *payload, *sum;
} frame_info_t;

static int
frame_parse(const uint8_t *frame, size_t len, frame_info_t *fi)
{
    size_t slen;

    if (len < FRAME_HDR || memcmp(frame, "BRZ1", 4) != 0)
        return 0;
    fi->method = frame[4];
    fi->check = frame[5];
    if (fi->check >= CHECK__COUNT)
        return 0;
    fi->orig_size = get_u32le(frame + 6);
    fi->payload_size = get_u32le(frame + 10);
    slen = fi->check == CHECK_SHA256 ? 32 : fi->check == CHECK_CRC64 ? 8 : 4;
    if (FRAME_HDR + fi->payload_size + slen != len)
        return 0;
    fi->payload = frame + FRAME_HDR;
    fi->sum = fi->payload + fi->payload_size;
    return 1;
}

/* Does data match the frame's check value? */
static int
frame_verify(const frame_info_t *fi, const uint8_t *data, size_t n)
{
    uint8_t sum[32];
    size_t slen = check_compute(fi->check, data, n, sum);

    return n == fi->orig_size && memcmp(sum, fi->sum, slen) == 0;
}

/* ================================================================== */
/* Driver                                                              */

typedef struct suite {
    uint8_t *in, *comp, *back, *frame;
    size_t n, cap, frame_len;
    uint8_t method;
    frame_info_t fi;
    uint64_t h;
    int failures;
} suite_t;

/* Seals the compressed data in s->comp into a container frame with the
 * next method number and check kind, parses the frame back, and returns
 * the payload to decode (its size in *clen); NULL if the frame is bad. */
static const uint8_t *
seal(suite_t *s, size_t *clen)
{
    uint8_t method = s->method++;

    s->frame_len = frame_wrap(s->frame, s->cap + 64, method,
                              method % CHECK__COUNT, s->in, s->n, s->comp,
                              *clen);
    if (!frame_parse(s->frame, s->frame_len, &s->fi) ||
        s->fi.method != method) {
        *clen = 0;
        return s->comp;
    }
    *clen = s->fi.payload_size;
    return s->fi.payload;
}

static void
report(suite_t *s, const char *name, size_t clen, size_t dlen)
{
    int ok = clen > 0 && dlen == s->n && memcmp(s->in, s->back, s->n) == 0 &&
             frame_verify(&s->fi, s->back, dlen);
    uint32_t fcrc = crc32(s->frame, s->frame_len);

    printf("%-14s %9lu -> %8lu  %-7s frame crc %08x  %s\n", name,
           (unsigned long)s->n, (unsigned long)clen,
           g_check_names[s->fi.check], (unsigned)fcrc,
           ok ? "ok" : "MISMATCH");
    s->h = bench_mix(s->h, clen);
    s->h = bench_mix(s->h, fcrc);
    s->failures += !ok;
}

static void
run_lz(suite_t *s, lz_state_t *st)
{
    static const struct {
        const char *name;
        lz_fn fn;
    } levels[] = {
        { "lz-1", lz_l1 },
        { "lz-fast-4k", lz_fast_w12 },   { "lz-fast-32k", lz_fast_w15 },
        { "lz-4", lz_l4 }, { "lz-7", lz_l7 },
        { "lz-normal-8k", lz_normal_w13 }, { "lz-normal-32k", lz_normal_w15 },
        { "lz-best-16k", lz_best_w14 },  { "lz-best-32k", lz_best_w15 },
    };
    const uint8_t *p;
    size_t i, c, d;

    for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        memset(s->back, 0, s->n);
        c = levels[i].fn(st, s->in, s->n, s->comp, s->cap);
        p = seal(s, &c);
        d = lz_decompress(p, c, s->back, s->n);
        /* Decode again with the table-driven decoder: both must agree. */
        if (d == s->n && crc32(s->back, d) != crc32(s->in, s->n))
            d = 0;
        memset(s->back, 0, s->n);
        if (d > 0 && lz_decompress_fast(p, c, s->back, s->n) != d)
            d = 0;
        report(s, levels[i].name, c, d);
    }
}

static void
run_cm(suite_t *s, cm_model_t *cm)
{
    static const struct {
        const char *name;
        codec_fn enc, dec;
    } levels[] = {
        { "cm-fast", cm_fast_compress, cm_fast_decompress },
        { "cm-mid", cm_mid_compress, cm_mid_decompress },
        { "cm-text", cm_text_compress, cm_text_decompress },
        { "cm-high", cm_high_compress, cm_high_decompress },
    };
    const uint8_t *p;
    size_t i, k, c, d;

    for (k = 1; k < CM_MAXIN; k++) {
        cm->tab[k] = bench_xmalloc(sizeof(uint16_t) << CM_HBITS);
    }
    for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        c = levels[i].enc(cm, s->in, s->n, s->comp, s->cap);
        memset(s->back, 0, s->n);
        p = seal(s, &c);
        d = levels[i].dec(cm, p, c, s->back, s->n);
        report(s, levels[i].name, c, d);
    }
    for (k = 1; k < CM_MAXIN; k++)
        free(cm->tab[k]);
}

static void
run_lzb(suite_t *s)
{
    static const struct {
        const char *name;
        lzb_fn fn;
    } levels[] = {
        { "lzb-1", lzb_l1 }, { "lzb-2", lzb_l2 }, { "lzb-3", lzb_l3 },
        { "lzb-4", lzb_l4 }, { "lzb-5", lzb_l5 }, { "lzb-6", lzb_l6 },
        { "lzb-7", lzb_l7 }, { "lzb-8", lzb_l8 }, { "lzb-9", lzb_l9 },
    };
    lzb_state_t *st = bench_xmalloc(sizeof *st);
    const uint8_t *p;
    size_t i, c, d;

    for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        c = levels[i].fn(st, s->in, s->n, s->comp, s->cap);
        memset(s->back, 0, s->n);
        p = seal(s, &c);
        d = lzb_decompress(p, c, s->back, s->n);
        report(s, levels[i].name, c, d);
    }
    free(st);
}

static void
run_entropy(suite_t *s)
{
    static const struct {
        const char *name;
        size_t (*enc)(rc_model_t *, const uint8_t *, size_t, uint8_t *,
                      size_t);
        size_t (*dec)(rc_model_t *, const uint8_t *, size_t, uint8_t *,
                      size_t);
    } rcs[] = {
        { "rc-o0", rc_o0_compress, rc_o0_decompress },
        { "rc-o1", rc_o1_compress, rc_o1_decompress },
    };
    rc_model_t *m = bench_xmalloc(sizeof *m);
    const uint8_t *p;
    size_t i, c, d;

    for (i = 0; i < sizeof rcs / sizeof rcs[0]; i++) {
        c = rcs[i].enc(m, s->in, s->n, s->comp, s->cap);
        p = seal(s, &c);
        memset(s->back, 0, s->n);
        d = rcs[i].dec(m, p, c, s->back, s->n);
        report(s, rcs[i].name, c, d);
    }
    c = huf_compress(s->in, s->n, s->comp, s->cap);
    p = seal(s, &c);
    memset(s->back, 0, s->n);
    d = huf_decompress(p, c, s->back, s->n);
    report(s, "huf", c, d);
    free(m);
}

static void
run_others(suite_t *s)
{
    const uint8_t *p;
    size_t n = s->n, c, d;
    lzw_enc_t *le = bench_xmalloc(sizeof *le);
    lzw_dec_t *ld = bench_xmalloc(sizeof *ld);
    cm_model_t *cm = bench_xmalloc(sizeof *cm);
    uint32_t bsize = n < 262144 ? (uint32_t)n : 262144;
    bwt_work_t w;

    c = lzw_compress(le, s->in, n, s->comp, s->cap);
    memset(s->back, 0, n);
    p = seal(s, &c);
    d = lzw_decompress(ld, p, c, s->back, n);
    report(s, "lzw", c, d);

    w.sa = bench_xmalloc((size_t)bsize * 4);
    w.rank = bench_xmalloc((size_t)bsize * 4);
    w.tmp = bench_xmalloc((size_t)bsize * 4);
    w.cnt = bench_xmalloc(((size_t)bsize + 260) * 4);
    w.last = bench_xmalloc(bsize);
    w.syms = bench_xmalloc(((size_t)bsize + 2) * 2);
    c = bwt_compress(&w, s->in, n, bsize, s->comp, s->cap);
    memset(s->back, 0, n);
    p = seal(s, &c);
    d = bwt_decompress(&w, p, c, s->back, n);
    report(s, "bwt", c, d);

    run_cm(s, cm);
    run_lzb(s);
    run_entropy(s);

    free(w.sa);
    free(w.rank);
    free(w.tmp);
    free(w.cnt);
    free(w.last);
    free(w.syms);
    free(le);
    free(ld);
    free(cm);
}

int
main(int argc, char **argv)
{
    uint32_t kib = bench_arg(argc, argv, 1, 128);
    lz_state_t *st = bench_xmalloc(sizeof *st);
    suite_t s;

    crc32_init();
    crc64_init();
    s.n = (size_t)kib * 1024u;
    s.cap = s.n + s.n / 2 + 4096;
    s.in = bench_xmalloc(s.n);
    s.comp = bench_xmalloc(s.cap);
    s.back = bench_xmalloc(s.n);
    s.frame = bench_xmalloc(s.cap + 64);
    s.method = 0;
    s.frame_len = 0;
    s.h = BENCH_FNV_INIT;
    s.failures = 0;
    gen_input(s.in, s.n);
    printf("input crc %08x\n", (unsigned)crc32(s.in, s.n));
    run_lz(&s, st);
    run_others(&s);
    printf("checksum: %016llx, %d failures\n", (unsigned long long)s.h,
           s.failures);
    free(s.in);
    free(s.comp);
    free(s.back);
    free(s.frame);
    free(st);
    return s.failures ? 1 : 0;
}
