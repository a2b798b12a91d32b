/*
 * beamr engine: compiled modules as files: the module's binary plus the
 * compiled code of every function, behind a magic, a version, a build id
 * and a checksum. Loading decodes the binary but does not recompile.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "aot.h"

/*
 * Layout (all integers little-endian):
 *   header   "BEAMRAOT", u32 format version, u32 flags (0),
 *            u64 build id, u64 payload size, u64 hash64(payload)
 *   payload  u32 binary size, the module's binary,
 *            u32 defined function count, then per function:
 *              u32 word_count, param_slots, local_slots, result_slots,
 *                  frame_slots, handler_count, site_count
 *              word_count x u32 words
 *              handler_count x (u32 start, end, parent, delegate_to,
 *                  kind, height, exn_slot, catch_count,
 *                  catch_count x (u32 tag, pc, ref))
 *              site_count x (u32 pc, offset)
 * The build id hashes the opcode table and the code format version, so
 * a file from a build whose internal code differs is refused before its
 * words are read (opcode numbers shift when the table changes).
 */
#define MAGIC "BEAMRAOT"
#define FORMAT_VERSION 1u
/* Bump when code.h's layouts change without the opcode table changing. */
#define CODE_FORMAT "beamr code format 2"

static uint64_t
build_id(void)
{
    uint64_t h = bri_hash64(CODE_FORMAT, sizeof CODE_FORMAT - 1, BR_OP__COUNT);
    for (uint32_t op = 0; op < BR_OP__COUNT; op++) {
        const bri_opinfo_t *i = &bri_opinfo[op];
        uint8_t fixed[4] = {i->prefix, (uint8_t)i->code,
                            (uint8_t)(i->code >> 8), i->imm};
        h = bri_hash64(fixed, sizeof fixed, h);
        h = bri_hash64(i->name, strlen(i->name), h);
        h = bri_hash64(i->sig, strlen(i->sig), h);
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static void
put_handler(bri_writer_t *w, const bri_handler_t *h)
{
    bri_put_u32(w, h->start);
    bri_put_u32(w, h->end);
    bri_put_u32(w, (uint32_t)h->parent);
    bri_put_u32(w, (uint32_t)h->delegate_to);
    bri_put_u32(w, h->kind);
    bri_put_u32(w, h->height);
    bri_put_u32(w, h->exn_slot);
    bri_put_u32(w, h->catch_count);
    for (uint32_t k = 0; k < h->catch_count; k++) {
        bri_put_u32(w, h->catches[k].tag);
        bri_put_u32(w, h->catches[k].pc);
        bri_put_u32(w, h->catches[k].ref);
    }
}

static void
put_code(bri_writer_t *w, const bri_code_t *c)
{
    bri_put_u32(w, c->word_count);
    bri_put_u32(w, c->param_slots);
    bri_put_u32(w, c->local_slots);
    bri_put_u32(w, c->result_slots);
    bri_put_u32(w, c->frame_slots);
    bri_put_u32(w, c->handler_count);
    bri_put_u32(w, c->site_count);
    for (uint32_t i = 0; i < c->word_count; i++)
        bri_put_u32(w, c->words[i]);
    for (uint32_t i = 0; i < c->handler_count; i++)
        put_handler(w, &c->handlers[i]);
    for (uint32_t i = 0; i < c->site_count; i++) {
        bri_put_u32(w, c->sites[i].pc);
        bri_put_u32(w, c->sites[i].offset);
    }
}

static void
put_payload(bri_writer_t *w, const br_module_t *m)
{
    bri_put_u32(w, (uint32_t)m->size);
    bri_put_bytes(w, m->bytes, m->size);
    bri_put_u32(w, m->func_count - m->func_import_count);
    for (uint32_t i = m->func_import_count; i < m->func_count; i++)
        put_code(w, &m->funcs[i].code);
}

br_err_t
br_module_serialize(const br_module_t *module, uint8_t **out, size_t *out_size)
{
    if (out != NULL)
        *out = NULL;
    if (out_size != NULL)
        *out_size = 0;
    if (module == NULL || out == NULL || out_size == NULL)
        return BR_ERR_INVALID_ARGUMENT;
    /* never write a file that no beamr would load (get_funcs) */
    if (bri_module_has_gc(module))
        return BR_ERR_AOT_GC;
    return bri_module_write(module, out, out_size);
}

br_err_t
bri_module_write(const br_module_t *module, uint8_t **out, size_t *out_size)
{
    bri_writer_t sizing = {NULL, 0};
    put_payload(&sizing, module);
    size_t size = BRI_HEADER_SIZE + sizing.n;
    uint8_t *buf = bri_alloc(&module->engine->alloc, size);
    if (buf == NULL)
        return BR_ERR_OUT_OF_MEMORY;
    bri_writer_t w = {buf + BRI_HEADER_SIZE, 0};
    put_payload(&w, module);
    bri_put_header(buf, MAGIC, FORMAT_VERSION, build_id(), sizing.n);
    *out = buf;
    *out_size = size;
    return BR_ERR_OK;
}

void
br_engine_free_buffer(br_engine_t *engine, void *buffer, size_t size)
{
    if (engine != NULL)
        bri_free(&engine->alloc, buffer, size);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

typedef struct loader {
    br_module_t *m;
    bri_breader_t r;
    br_error_t *error;
    bri_opshape_t shapes[BR_OP__COUNT];
} loader_t;

static br_err_t
truncated(loader_t *l)
{
    return bri_error(l->error, BR_ERR_AOT_CORRUPT, 0, -1, "%s",
                     "compiled code truncated or oversized");
}

static br_err_t
no_memory(loader_t *l)
{
    return bri_error(l->error, BR_ERR_OUT_OF_MEMORY, 0, -1, "%s",
                     "loading compiled code");
}

/* An array of `count` items of `item` bytes each encoded in `encoded`
 * file bytes; refused before allocating if the file cannot hold it.
 * Zeroed unless `raw` (the caller then writes every item before any
 * failure can leave the array to br_module_delete). */
static br_err_t
alloc_array(loader_t *l, uint32_t count, size_t item, size_t encoded, bool raw,
            void **out)
{
    *out = NULL;
    if (count == 0)
        return BR_ERR_OK;
    if (count > bri_get_left(&l->r) / encoded)
        return truncated(l);
    if (raw)
        *out = bri_alloc(&l->m->engine->alloc, (size_t)count * item);
    else
        *out = bri_calloc(&l->m->engine->alloc, count, item);
    return *out ? BR_ERR_OK : no_memory(l);
}

/* `n` little-endian words (the caller checked that they are there): one
 * copy on a little-endian host, where the file's layout is the array's. */
static void
get_words(bri_breader_t *r, uint32_t *out, uint32_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint8_t *b = bri_get_bytes(r, (size_t)n * 4);
    if (b != NULL && n != 0)
        memcpy(out, b, (size_t)n * 4);
#else
    for (uint32_t i = 0; i < n; i++)
        out[i] = bri_get_u32(r);
#endif
}

static br_err_t
get_handler(loader_t *l, bri_handler_t *h)
{
    bri_breader_t *r = &l->r;
    h->start = bri_get_u32(r);
    h->end = bri_get_u32(r);
    h->parent = (int32_t)bri_get_u32(r);
    h->delegate_to = (int32_t)bri_get_u32(r);
    uint32_t kind = bri_get_u32(r);
    h->kind = kind > UINT8_MAX ? UINT8_MAX : (uint8_t)kind;
    h->height = bri_get_u32(r);
    h->exn_slot = bri_get_u32(r);
    uint32_t n = bri_get_u32(r);
    if (!r->ok)
        return truncated(l);
    void *catches;
    br_err_t err = alloc_array(l, n, sizeof(bri_catch_t), 12, false, &catches);
    if (err != BR_ERR_OK)
        return err;
    h->catches = catches;
    h->catch_count = n;
    for (uint32_t k = 0; k < n; k++) {
        h->catches[k].tag = bri_get_u32(r);
        h->catches[k].pc = bri_get_u32(r);
        h->catches[k].ref = bri_get_u32(r);
    }
    return r->ok ? BR_ERR_OK : truncated(l);
}

/* The arrays of one function; every count is set only together with
 * its array, so br_module_delete frees exactly what was allocated. */
static br_err_t
get_arrays(loader_t *l, bri_code_t *c, uint32_t words, uint32_t handlers,
           uint32_t sites)
{
    bri_breader_t *r = &l->r;
    void *p;
    br_err_t err = alloc_array(l, words, sizeof(uint32_t), 4, true, &p);
    if (err != BR_ERR_OK)
        return err;
    c->words = p;
    c->word_count = words;
    get_words(r, c->words, words);
    err = alloc_array(l, handlers, sizeof(bri_handler_t), 32, false, &p);
    if (err != BR_ERR_OK)
        return err;
    c->handlers = p;
    c->handler_count = handlers;
    for (uint32_t i = 0; i < handlers && err == BR_ERR_OK; i++)
        err = get_handler(l, &c->handlers[i]);
    if (err == BR_ERR_OK)
        err = alloc_array(l, sites, sizeof(bri_site_t), 8, true, &p);
    if (err != BR_ERR_OK)
        return err;
    c->sites = p;
    c->site_count = sites;
    for (uint32_t i = 0; i < sites; i++) {
        c->sites[i].pc = bri_get_u32(r);
        c->sites[i].offset = bri_get_u32(r);
    }
    return r->ok ? BR_ERR_OK : truncated(l);
}

static br_err_t
get_code(loader_t *l, bri_code_t *c)
{
    bri_breader_t *r = &l->r;
    uint32_t words = bri_get_u32(r);
    c->param_slots = bri_get_u32(r);
    c->local_slots = bri_get_u32(r);
    c->result_slots = bri_get_u32(r);
    c->frame_slots = bri_get_u32(r);
    uint32_t handlers = bri_get_u32(r);
    uint32_t sites = bri_get_u32(r);
    if (!r->ok)
        return truncated(l);
    return get_arrays(l, c, words, handlers, sites);
}

/* Loads and verifies the code of every defined function. */
static br_err_t
get_funcs(loader_t *l)
{
    br_module_t *m = l->m;
    uint32_t n = bri_get_u32(&l->r);
    if (!l->r.ok || n != m->func_count - m->func_import_count)
        return bri_error(l->error, BR_ERR_AOT_CORRUPT, 0, -1, "%s",
                         "function count differs from the module's");
    br_err_t gc = bri_verify_no_gc(m, l->error);
    if (gc != BR_ERR_OK)
        return gc;
    for (uint32_t i = m->func_import_count; i < m->func_count; i++) {
        br_err_t err = get_code(l, &m->funcs[i].code);
        if (err == BR_ERR_OK)
            err = bri_code_verify(m, i, l->shapes, l->error);
        if (err != BR_ERR_OK)
            return err;
    }
    if (bri_get_left(&l->r) != 0)
        return bri_error(l->error, BR_ERR_AOT_CORRUPT, 0, -1, "%s",
                         "bytes after the last function");
    return BR_ERR_OK;
}

/* The embedded binary must decode and validate (all but the bodies,
 * whose compiled code is verified instead); its own errors become
 * AOT_CORRUPT with their message kept. */
static br_err_t
get_module(loader_t *l, br_engine_t *engine)
{
    uint32_t size = bri_get_u32(&l->r);
    const uint8_t *bytes = bri_get_bytes(&l->r, size);
    if (bytes == NULL)
        return truncated(l);
    br_err_t err = bri_module_create(engine, bytes, size, &l->m, l->error);
    if (err != BR_ERR_OK)
        return err;
    err = bri_decode(l->m, l->error);
    if (err == BR_ERR_OK)
        err = bri_validate_decls(l->m, l->error);
    if (err == BR_ERR_OK || err == BR_ERR_OUT_OF_MEMORY)
        return err;
    char why[sizeof l->error->message];
    snprintf(why, sizeof why, "%s", l->error->message);
    return bri_error(l->error, BR_ERR_AOT_CORRUPT, l->error->offset, -1,
                     "embedded module: %s", why);
}

/* Magic, then version and build, then length and checksum. */
static br_err_t
check_header(const uint8_t *bytes, size_t size, br_error_t *error)
{
    if (size < BRI_MAGIC_SIZE || memcmp(bytes, MAGIC, BRI_MAGIC_SIZE) != 0)
        return bri_error(error, BR_ERR_AOT_FORMAT, 0, -1, "%s",
                         "no BEAMRAOT magic");
    if (size < BRI_HEADER_SIZE)
        return bri_error(error, BR_ERR_AOT_CHECKSUM, 0, -1, "%s",
                         "truncated header");
    bri_header_t h = bri_get_header(bytes);
    if (h.version != FORMAT_VERSION || h.flags != 0 || h.id != build_id())
        return bri_error(error, BR_ERR_AOT_VERSION, 0, -1,
                         "format %u, this build reads format %u with its "
                         "own build id",
                         (unsigned)h.version, (unsigned)FORMAT_VERSION);
    size_t payload = size - BRI_HEADER_SIZE;
    if (h.payload != payload)
        return bri_error(error, BR_ERR_AOT_CHECKSUM, 0, -1,
                         "%llu payload bytes announced, %llu present",
                         (unsigned long long)h.payload,
                         (unsigned long long)payload);
    if (bri_hash64(bytes + BRI_HEADER_SIZE, payload, 0) != h.sum)
        return bri_error(error, BR_ERR_AOT_CHECKSUM, 0, -1, "%s", "");
    return BR_ERR_OK;
}

br_err_t
br_module_deserialize(br_engine_t *engine, const uint8_t *bytes, size_t size,
                      br_module_t **out, br_error_t *error)
{
    br_error_t scratch;
    if (error == NULL)
        error = &scratch;
    if (out != NULL)
        *out = NULL;
    if (engine == NULL || out == NULL || (bytes == NULL && size != 0))
        return bri_error(error, BR_ERR_INVALID_ARGUMENT, 0, -1, "%s",
                         "NULL engine, output or bytes");
    br_err_t err = check_header(bytes, size, error);
    if (err != BR_ERR_OK)
        return err;
    loader_t l = {
        .r = {bytes + BRI_HEADER_SIZE, bytes + size, true},
        .error = error,
    };
    bri_verify_shapes(l.shapes);
    err = get_module(&l, engine);
    if (err == BR_ERR_OK)
        err = get_funcs(&l);
    if (err != BR_ERR_OK) {
        br_module_delete(l.m);
        return err;
    }
    *out = l.m;
    return BR_ERR_OK;
}
