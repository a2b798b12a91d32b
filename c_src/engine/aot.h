/*
 * beamr engine: shared internals of compiled-module files (serialize.c,
 * verify.c) and instance snapshots (snapshot.c): the hash, little-endian
 * byte writers and readers, their common header, and the checks a loaded
 * module must pass.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_AOT_H
#define BR_AOT_H

#include "code.h"

/* ------------------------------------------------------------------ */
/* hash.c: a 64-bit non-cryptographic hash (the XXH64 algorithm), used
 * as checksum and fingerprint. It detects corruption, not forgery.     */

uint64_t bri_hash64(const void *data, size_t size, uint64_t seed);

/* ------------------------------------------------------------------ */
/* module.c and validate.c: a module from its binary without compiling */

/* Allocates a module holding a copy of `bytes` (nothing decoded yet);
 * free it with br_module_delete. */
br_err_t bri_module_create(br_engine_t *engine, const uint8_t *bytes,
                           size_t size, br_module_t **out, br_error_t *error);
/* Validates everything but the function bodies (and fills
 * declared_refs): what a module loaded with precompiled code needs. */
br_err_t bri_validate_decls(br_module_t *m, br_error_t *error);

/* ------------------------------------------------------------------ */
/* verify.c: structural checks of loaded code                           */

/* What the verifier knows of each opcode, computed once per load. */
typedef struct bri_opshape {
    uint8_t len;     /* words; 0: never emitted; BRI_LEN_VAR: jump_table */
    uint8_t kind;    /* verify.c's shape kind */
    uint8_t params;  /* slots a SIG op reads ... */
    uint8_t results; /* ... and writes */
    uint8_t lanes;   /* lane ops: lanes of their shape (lane < lanes) */
} bri_opshape_t;

#define BRI_LEN_VAR 255

void bri_verify_shapes(bri_opshape_t shapes[BR_OP__COUNT]);

/* Checks funcs[index].code against the module so that running it can
 * neither leave its frame, its code or the module's index spaces, use a
 * number as a reference, nor loop without charging fuel
 * (BR_ERR_AOT_CORRUPT otherwise). The module must be decoded and its
 * declarations validated. */
br_err_t bri_code_verify(const br_module_t *m, uint32_t index,
                         const bri_opshape_t *shapes, br_error_t *error);
/* Whether the module has garbage-collected types (struct or array
 * types, anyref values) or GC instructions (br_module.gc_code): the
 * verifier cannot check their code and values, so compiled-module
 * files refuse them (the writer with
 * BR_ERR_AOT_GC, the loader with BR_ERR_AOT_CORRUPT). */
bool bri_module_has_gc(const br_module_t *m);
/* br_module_serialize without its checks: writes any module (tests use
 * it to forge what a hostile writer could). */
br_err_t bri_module_write(const br_module_t *module, uint8_t **out,
                          size_t *out_size);
/* BR_ERR_AOT_CORRUPT if bri_module_has_gc: a file that claims to hold
 * such a module was not written by beamr. */
br_err_t bri_verify_no_gc(const br_module_t *m, br_error_t *error);

/* What a frame suspended at a pc may hold (verify.c's data flow): the
 * kind of each of its first `count` slots, the rest never touched. */
enum {
    BRI_SLOT_NULL = 1, /* zero: a null reference or the number 0 */
    BRI_SLOT_NUM,
    BRI_SLOT_FUNC,
    BRI_SLOT_EXTERN,
    BRI_SLOT_EXN, /* a caught exception (hidden slots) */
    BRI_SLOT_EXNREF, /* an exnref value */
    BRI_SLOT_DEAD /* mixed kinds: never read as a reference */
};

typedef struct bri_point {
    uint32_t prev;  /* start of the instruction before pc, or BR_NO_INDEX */
    uint8_t *kinds; /* BRI_SLOT_* per slot (asked for, pc inside the code) */
    uint32_t count;
} bri_point_t;

/* pc of defined function `index`: an instruction start reached by some
 * path (or, without kinds, also the end of the code); else
 * BR_ERR_NOT_FOUND. Free `out` with bri_point_free. */
br_err_t bri_code_point(const br_module_t *m, uint32_t index, uint32_t pc,
                        const bri_opshape_t *shapes, bool kinds,
                        bri_point_t *out, br_error_t *error);
void bri_point_free(const br_module_t *m, bri_point_t *p);
/* snapshot.c: a function of `inst` as its index in the instance's
 * function space; false for a function of another instance. */
bool bri_snapshot_func_index(const br_instance_t *inst, const br_func_t *f,
                             uint32_t *out);
/* snapshot.c: whether the instance's store holds GC objects after a
 * whole collection (snapshots refuse them: BR_ERR_GC_HEAP_SNAPSHOT). */
bool bri_snapshot_has_gc(const br_instance_t *inst);

/* ------------------------------------------------------------------ */
/* Little-endian writers and readers                                   */

/* A writer that only counts when `p` is NULL (the sizing pass). */
typedef struct bri_writer {
    uint8_t *p;
    size_t n;
} bri_writer_t;

static inline void
bri_put_bytes(bri_writer_t *w, const void *src, size_t size)
{
    if (w->p != NULL && size != 0)
        memcpy(w->p + w->n, src, size);
    w->n += size;
}

static inline void
bri_put_u8(bri_writer_t *w, uint8_t v)
{
    bri_put_bytes(w, &v, 1);
}

static inline void
bri_put_u32(bri_writer_t *w, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    bri_put_bytes(w, b, 4);
}

static inline void
bri_put_u64(bri_writer_t *w, uint64_t v)
{
    bri_put_u32(w, (uint32_t)v);
    bri_put_u32(w, (uint32_t)(v >> 32));
}

/* A bounds-checked reader: once a read fails, `ok` stays false and every
 * later read yields zeros, so callers check once at the end of a part. */
typedef struct bri_breader {
    const uint8_t *p, *end;
    bool ok;
} bri_breader_t;

static inline const uint8_t *
bri_get_bytes(bri_breader_t *r, size_t size)
{
    if (!r->ok || (size_t)(r->end - r->p) < size) {
        r->ok = false;
        return NULL;
    }
    const uint8_t *at = r->p;
    r->p += size;
    return at;
}

static inline uint8_t
bri_get_u8(bri_breader_t *r)
{
    const uint8_t *b = bri_get_bytes(r, 1);
    return b ? b[0] : 0;
}

static inline uint32_t
bri_le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static inline uint64_t
bri_le64(const uint8_t *b)
{
    return bri_le32(b) | (uint64_t)bri_le32(b + 4) << 32;
}

static inline uint32_t
bri_get_u32(bri_breader_t *r)
{
    const uint8_t *b = bri_get_bytes(r, 4);
    return b ? bri_le32(b) : 0;
}

static inline uint64_t
bri_get_u64(bri_breader_t *r)
{
    const uint8_t *b = bri_get_bytes(r, 8);
    return b ? bri_le64(b) : 0;
}

/* Bytes left to read. */
static inline size_t
bri_get_left(const bri_breader_t *r)
{
    return r->ok ? (size_t)(r->end - r->p) : 0;
}

/* ------------------------------------------------------------------ */
/* File headers                                                        */

/* Compiled-module files and snapshots start alike: an 8-byte magic, u32
 * format version, u32 flags (0), u64 identity (the build id or the
 * module's fingerprint), u64 payload size, u64 hash64(payload). */
#define BRI_MAGIC_SIZE 8
#define BRI_HEADER_SIZE 40

typedef struct bri_header {
    uint32_t version, flags;
    uint64_t id, payload, sum;
} bri_header_t;

/* Writes the header of the `payload` bytes that follow it in `buf`. */
static inline void
bri_put_header(uint8_t *buf, const char *magic, uint32_t version, uint64_t id,
               size_t payload)
{
    bri_writer_t h = {buf, 0};
    bri_put_bytes(&h, magic, BRI_MAGIC_SIZE);
    bri_put_u32(&h, version);
    bri_put_u32(&h, 0); /* flags */
    bri_put_u64(&h, id);
    bri_put_u64(&h, payload);
    bri_put_u64(&h, bri_hash64(buf + BRI_HEADER_SIZE, payload, 0));
}

/* The fields after the magic; `bytes` holds at least a whole header. */
static inline bri_header_t
bri_get_header(const uint8_t *bytes)
{
    bri_breader_t r = {bytes + BRI_MAGIC_SIZE, bytes + BRI_HEADER_SIZE, true};
    bri_header_t h;
    h.version = bri_get_u32(&r);
    h.flags = bri_get_u32(&r);
    h.id = bri_get_u64(&r);
    h.payload = bri_get_u64(&r);
    h.sum = bri_get_u64(&r);
    return h;
}

#endif
