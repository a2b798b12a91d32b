/*
 * beamr engine: a 64-bit hash for checksums of compiled-module files and
 * snapshots and for module fingerprints (the XXH64 algorithm: fast over
 * large memories, good avalanche; not a defence against forgery).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "aot.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t
rotl(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t
round64(uint64_t acc, uint64_t input)
{
    acc += input * P2;
    return rotl(acc, 31) * P1;
}

static inline uint64_t
merge(uint64_t acc, uint64_t v)
{
    acc ^= round64(0, v);
    return acc * P1 + P4;
}

/* The four-lane loop over 32-byte stripes; returns the bytes consumed. */
static size_t
stripes(const uint8_t *p, size_t size, uint64_t seed, uint64_t *h)
{
    uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
    size_t i = 0;
    for (; size - i >= 32; i += 32) {
        v1 = round64(v1, bri_le64(p + i));
        v2 = round64(v2, bri_le64(p + i + 8));
        v3 = round64(v3, bri_le64(p + i + 16));
        v4 = round64(v4, bri_le64(p + i + 24));
    }
    uint64_t acc = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    acc = merge(acc, v1);
    acc = merge(acc, v2);
    acc = merge(acc, v3);
    *h = merge(acc, v4);
    return i;
}

uint64_t
bri_hash64(const void *data, size_t size, uint64_t seed)
{
    const uint8_t *p = data;
    uint64_t h = seed + P5;
    size_t i = 0;
    if (size >= 32)
        i = stripes(p, size, seed, &h);
    h += (uint64_t)size;
    for (; size - i >= 8; i += 8) {
        h ^= round64(0, bri_le64(p + i));
        h = rotl(h, 27) * P1 + P4;
    }
    if (size - i >= 4) {
        h ^= (uint64_t)bri_le32(p + i) * P1;
        h = rotl(h, 23) * P2 + P3;
        i += 4;
    }
    for (; i < size; i++) {
        h ^= p[i] * P5;
        h = rotl(h, 11) * P1;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    return h ^ (h >> 32);
}
