/*
 * beamr engine: instance snapshots: the mutable state an instance owns
 * (defined memories, mutable defined globals, defined tables, dropped
 * segments) as one self-checking buffer, and its all-or-nothing restore.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "aot.h"
#include "gc/gc.h"
#include "store.h"

/*
 * Layout (all integers little-endian):
 *   header   "BEAMRSNP", u32 format version, u32 flags (0),
 *            u64 module fingerprint (hash64 of the module's binary),
 *            u64 payload size, u64 hash64(payload)
 *   payload  u32 counts: defined memories, mutable defined globals,
 *            defined tables, elem segments, data segments; then
 *            memories: u64 pages, pages x the page size (65536 bytes,
 *                      or 1 with custom-page-sizes) bytes
 *            globals:  u8 kind, the value (i32/f32: u32, i64/f64: u64,
 *                      v128: 16 bytes, references: u32 ref)
 *            tables:   u8 element kind, u64 size, size x u32 ref
 *            u8 per elem segment, u8 per data segment: 1 = dropped
 * A ref is 0 for null, else 1 + an index of the instance's function
 * space: only what a fresh instance of the same module can name again.
 */
#define MAGIC "BEAMRSNP"
#define FORMAT_VERSION 1u
#define FINGERPRINT_SEED 0x736e6170u

static uint64_t
fingerprint(const br_module_t *m)
{
    return bri_hash64(m->bytes, m->size, FINGERPRINT_SEED);
}

/* Index counts of what the instance itself defines. */
typedef struct counts {
    uint32_t memories, globals, tables, elems, datas;
} counts_t;

static counts_t
count_parts(const br_module_t *m)
{
    counts_t n = {
        .memories = m->memory_count - m->memory_import_count,
        .tables = m->table_count - m->table_import_count,
        .elems = m->elem_count,
        .datas = m->data_count,
    };
    for (uint32_t i = m->global_import_count; i < m->global_count; i++)
        n.globals += m->globals[i].mutable_;
    return n;
}

/* ------------------------------------------------------------------ */
/* Taking a snapshot                                                   */

/* A function of the instance as its index in the function space
 * (defined functions know their index; imports are searched); false for
 * a function of another instance. */
bool
bri_snapshot_func_index(const br_instance_t *inst, const br_func_t *f,
                        uint32_t *out)
{
    const br_module_t *m = inst->module;
    if (f->inst == inst && f->index < m->func_count &&
        inst->funcs[f->index] == f) {
        *out = f->index;
        return true;
    }
    for (uint32_t i = 0; i < m->func_import_count; i++)
        if (inst->funcs[i] == f) {
            *out = i;
            return true;
        }
    return false;
}

/* A funcref as a ref code: its index in the instance's function space
 * plus one (0 is null). */
static bool
ref_code(const br_instance_t *inst, br_valkind_t kind, br_ref_t ref,
         uint32_t *out)
{
    *out = 0;
    if (ref == NULL)
        return true;
    if (kind != BR_FUNCREF)
        return false; /* host externrefs and exceptions cannot be
                       * written down (only their null) */
    uint32_t index;
    if (!bri_snapshot_func_index(inst, ref, &index))
        return false;
    *out = index + 1;
    return true;
}

static bool
put_global(bri_writer_t *w, const br_instance_t *inst, const br_val_t *v)
{
    bri_put_u8(w, v->kind);
    switch (v->kind) {
    case BR_I32:
    case BR_F32:
        bri_put_u32(w, v->of.u32);
        return true;
    case BR_V128:
        bri_put_bytes(w, v->of.v128, 16);
        return true;
    case BR_FUNCREF:
    case BR_EXTERNREF:
    case BR_EXNREF:
    case BR_ANYREF: { /* GC references: only null (the heap is not kept) */
        uint32_t code;
        bool ok = ref_code(inst, v->kind, v->of.ref, &code);
        bri_put_u32(w, code);
        return ok;
    }
    default:
        bri_put_u64(w, v->of.u64);
        return true;
    }
}

static bool
put_table(bri_writer_t *w, const br_instance_t *inst, const br_table_t *t)
{
    bri_put_u8(w, t->kind);
    bri_put_u64(w, t->size);
    for (uint64_t i = 0; i < t->size; i++) {
        uint32_t code;
        if (!ref_code(inst, t->kind, t->elems[i], &code))
            return false;
        bri_put_u32(w, code);
    }
    return true;
}

/* The payload; false if a reference cannot be written down. */
static bool
put_payload(bri_writer_t *w, const br_instance_t *inst)
{
    const br_module_t *m = inst->module;
    counts_t n = count_parts(m);
    bri_put_u32(w, n.memories);
    bri_put_u32(w, n.globals);
    bri_put_u32(w, n.tables);
    bri_put_u32(w, n.elems);
    bri_put_u32(w, n.datas);
    for (uint32_t i = m->memory_import_count; i < m->memory_count; i++) {
        const br_memory_t *mem = inst->memories[i];
        bri_put_u64(w, mem->size >> bri_page_shift(&mem->type));
        if (w->p != NULL) /* the writer's memcpy, with batched faults */
            bri_copy_pages(w->p + w->n, mem->data, (size_t)mem->size);
        w->n += (size_t)mem->size;
    }
    for (uint32_t i = m->global_import_count; i < m->global_count; i++)
        if (m->globals[i].mutable_ &&
            !put_global(w, inst, &inst->globals[i]->val))
            return false;
    for (uint32_t i = m->table_import_count; i < m->table_count; i++)
        if (!put_table(w, inst, inst->tables[i]))
            return false;
    for (uint32_t i = 0; i < m->elem_count; i++)
        bri_put_u8(w, inst->elem_sizes[i] == 0);
    for (uint32_t i = 0; i < m->data_count; i++)
        bri_put_u8(w, inst->data_dropped[i] != 0);
    return true;
}

/* Snapshots do not hold the GC heap (docs/gc.md): a store with live GC
 * objects (after a whole collection) refuses to be captured. */
bool
bri_snapshot_has_gc(const br_instance_t *inst)
{
    bri_gc_heap_t *heap = inst->store->gc;
    if (heap == NULL)
        return false;
    br_gc_stats_t s;
    bri_gc_stats(heap, &s);
    if (s.live_bytes == 0)
        return false;
    bri_gc_collect(heap);
    bri_gc_stats(heap, &s);
    return s.live_bytes != 0;
}

br_err_t
br_instance_snapshot(br_instance_t *inst, uint8_t **out, size_t *out_size)
{
    if (out != NULL)
        *out = NULL;
    if (out_size != NULL)
        *out_size = 0;
    if (inst == NULL || out == NULL || out_size == NULL)
        return BR_ERR_INVALID_ARGUMENT;
    if (bri_snapshot_has_gc(inst))
        return BR_ERR_GC_HEAP_SNAPSHOT;
    bri_writer_t sizing = {NULL, 0};
    if (!put_payload(&sizing, inst))
        return BR_ERR_SNAPSHOT_MISMATCH;
    if (sizing.n > SIZE_MAX - BRI_HEADER_SIZE)
        return BR_ERR_OUT_OF_MEMORY;
    size_t size = BRI_HEADER_SIZE + sizing.n;
    uint8_t *buf = bri_alloc(&inst->store->engine->alloc, size);
    if (buf == NULL)
        return BR_ERR_OUT_OF_MEMORY;
    bri_writer_t w = {buf + BRI_HEADER_SIZE, 0};
    put_payload(&w, inst);
    bri_put_header(buf, MAGIC, FORMAT_VERSION, fingerprint(inst->module),
                   sizing.n);
    *out = buf;
    *out_size = size;
    return BR_ERR_OK;
}

/* ------------------------------------------------------------------ */
/* Restoring: check everything, grow, then write                       */

/* Where each part of a checked snapshot starts (pointers into it). */
typedef struct plan {
    const br_instance_t *inst;
    br_error_t *error;
    bri_breader_t r;
    const uint8_t *memories, *globals, *tables, *flags;
} plan_t;

static br_err_t
mismatch(plan_t *p, const char *what)
{
    return bri_error(p->error, BR_ERR_SNAPSHOT_MISMATCH, 0, -1, "%s", what);
}

/* A ref code the instance can resolve, for a slot of `kind`. */
static bool
ref_ok(const plan_t *p, br_valkind_t kind, uint32_t code)
{
    if (code == 0)
        return true;
    return kind == BR_FUNCREF && code - 1 < p->inst->module->func_count;
}

static br_ref_t
ref_of(const br_instance_t *inst, uint32_t code)
{
    return code == 0 ? NULL : inst->funcs[code - 1];
}

static br_err_t
check_memories(plan_t *p)
{
    const br_module_t *m = p->inst->module;
    for (uint32_t i = m->memory_import_count; i < m->memory_count; i++) {
        const br_memory_t *mem = p->inst->memories[i];
        unsigned shift = bri_page_shift(&mem->type);
        uint64_t pages = bri_get_u64(&p->r);
        if (!p->r.ok || pages > mem->max_pages || pages < mem->size >> shift)
            return mismatch(p, "memory size out of the instance's range");
        if (pages > bri_get_left(&p->r) >> shift ||
            !bri_get_bytes(&p->r, (size_t)(pages << shift)))
            return mismatch(p, "memory contents truncated");
    }
    return BR_ERR_OK;
}

static br_err_t
check_globals(plan_t *p)
{
    const br_module_t *m = p->inst->module;
    for (uint32_t i = m->global_import_count; i < m->global_count; i++) {
        if (!m->globals[i].mutable_)
            continue;
        br_valkind_t kind = m->globals[i].kind;
        if (bri_get_u8(&p->r) != kind)
            return mismatch(p, "global kind differs");
        if (kind == BR_I32 || kind == BR_F32)
            bri_get_u32(&p->r);
        else if (kind == BR_I64 || kind == BR_F64)
            bri_get_u64(&p->r);
        else if (kind == BR_V128)
            bri_get_bytes(&p->r, 16);
        else if (!ref_ok(p, kind, bri_get_u32(&p->r)))
            return mismatch(p, "global reference not in the instance");
        if (!p->r.ok)
            return mismatch(p, "globals truncated");
    }
    return BR_ERR_OK;
}

static br_err_t
check_tables(plan_t *p)
{
    const br_module_t *m = p->inst->module;
    for (uint32_t i = m->table_import_count; i < m->table_count; i++) {
        const br_table_t *t = p->inst->tables[i];
        uint8_t kind = bri_get_u8(&p->r);
        uint64_t size = bri_get_u64(&p->r);
        if (!p->r.ok || kind != t->kind || size > t->max || size < t->size)
            return mismatch(p, "table kind or size out of range");
        if (size > bri_get_left(&p->r) / 4)
            return mismatch(p, "table truncated");
        for (uint64_t k = 0; k < size; k++)
            if (!ref_ok(p, t->kind, bri_get_u32(&p->r)))
                return mismatch(p, "table reference not in the instance");
    }
    return BR_ERR_OK;
}

static br_err_t
check_flags(plan_t *p)
{
    const br_module_t *m = p->inst->module;
    size_t n = (size_t)m->elem_count + m->data_count;
    const uint8_t *flags = bri_get_bytes(&p->r, n);
    if (flags == NULL)
        return mismatch(p, "segment flags truncated");
    for (size_t i = 0; i < n; i++)
        if (flags[i] > 1)
            return mismatch(p, "bad segment flag");
    if (bri_get_left(&p->r) != 0)
        return mismatch(p, "bytes after the last part");
    return BR_ERR_OK;
}

/* Walks the whole payload once, remembering where each part starts. */
static br_err_t
check_payload(plan_t *p)
{
    counts_t want = count_parts(p->inst->module);
    counts_t have;
    have.memories = bri_get_u32(&p->r);
    have.globals = bri_get_u32(&p->r);
    have.tables = bri_get_u32(&p->r);
    have.elems = bri_get_u32(&p->r);
    have.datas = bri_get_u32(&p->r);
    if (!p->r.ok || memcmp(&have, &want, sizeof have) != 0)
        return mismatch(p, "part counts differ from the instance's");
    p->memories = p->r.p;
    br_err_t err = check_memories(p);
    p->globals = p->r.p;
    if (err == BR_ERR_OK)
        err = check_globals(p);
    p->tables = p->r.p;
    if (err == BR_ERR_OK)
        err = check_tables(p);
    p->flags = p->r.p;
    if (err == BR_ERR_OK)
        err = check_flags(p);
    return err;
}

static br_err_t
check_header(plan_t *p, const uint8_t *bytes, size_t size)
{
    if (size < BRI_HEADER_SIZE || memcmp(bytes, MAGIC, BRI_MAGIC_SIZE) != 0)
        return mismatch(p, "not a beamr snapshot");
    bri_header_t h = bri_get_header(bytes);
    if (h.version != FORMAT_VERSION || h.flags != 0)
        return mismatch(p, "snapshot format version differs");
    if (h.id != fingerprint(p->inst->module))
        return mismatch(p, "snapshot of another module");
    size_t payload = size - BRI_HEADER_SIZE;
    if (h.payload != payload ||
        bri_hash64(bytes + BRI_HEADER_SIZE, payload, 0) != h.sum)
        return bri_error(p->error, BR_ERR_AOT_CHECKSUM, 0, -1, "%s",
                         "snapshot truncated or corrupt");
    return BR_ERR_OK;
}

/* Grows memories and tables to the snapshot's sizes: the only step that
 * can still fail (the allocator), so it runs before anything is
 * written; a failure leaves the contents as they were. */
static br_err_t
grow_all(plan_t *p)
{
    const br_module_t *m = p->inst->module;
    bri_breader_t r = {p->memories, p->globals, true};
    for (uint32_t i = m->memory_import_count; i < m->memory_count; i++) {
        br_memory_t *mem = p->inst->memories[i];
        unsigned shift = bri_page_shift(&mem->type);
        uint64_t pages = bri_get_u64(&r);
        bri_get_bytes(&r, (size_t)(pages << shift));
        if (!br_memory_grow(mem, pages - (mem->size >> shift), NULL))
            return bri_error(p->error, BR_ERR_OUT_OF_MEMORY, 0, -1,
                             "growing memory %u", (unsigned)i);
    }
    r = (bri_breader_t){p->tables, p->flags, true};
    for (uint32_t i = m->table_import_count; i < m->table_count; i++) {
        br_table_t *t = p->inst->tables[i];
        bri_get_u8(&r);
        uint64_t size = bri_get_u64(&r);
        bri_get_bytes(&r, (size_t)size * 4);
        if (!br_table_grow(t, size - t->size, NULL, NULL))
            return bri_error(p->error, BR_ERR_OUT_OF_MEMORY, 0, -1,
                             "growing table %u", (unsigned)i);
    }
    return BR_ERR_OK;
}

static void
write_global(const br_instance_t *inst, br_global_t *g, bri_breader_t *r)
{
    br_valkind_t kind = bri_get_u8(r);
    memset(&g->val.of, 0, sizeof g->val.of);
    if (kind == BR_I32 || kind == BR_F32)
        g->val.of.u64 = bri_get_u32(r);
    else if (kind == BR_I64 || kind == BR_F64)
        g->val.of.u64 = bri_get_u64(r);
    else if (kind == BR_V128)
        memcpy(g->val.of.v128, bri_get_bytes(r, 16), 16);
    else
        g->val.of.ref = ref_of(inst, bri_get_u32(r));
}

/* Writes the checked snapshot; nothing here can fail. */
static void
write_all(const plan_t *p)
{
    const br_instance_t *inst = p->inst;
    const br_module_t *m = inst->module;
    bri_breader_t r = {p->memories, p->flags, true};
    for (uint32_t i = m->memory_import_count; i < m->memory_count; i++) {
        br_memory_t *mem = inst->memories[i];
        uint64_t pages = bri_get_u64(&r);
        size_t bytes = (size_t)(pages << bri_page_shift(&mem->type));
        if (bytes != 0)
            bri_copy_pages(mem->data, bri_get_bytes(&r, bytes), bytes);
    }
    for (uint32_t i = m->global_import_count; i < m->global_count; i++)
        if (m->globals[i].mutable_)
            write_global(inst, inst->globals[i], &r);
    for (uint32_t i = m->table_import_count; i < m->table_count; i++) {
        br_table_t *t = inst->tables[i];
        bri_get_u8(&r);
        uint64_t size = bri_get_u64(&r);
        for (uint64_t k = 0; k < size; k++)
            t->elems[k] = ref_of(inst, bri_get_u32(&r));
    }
    const uint8_t *flags = p->flags;
    for (uint32_t i = 0; i < m->elem_count; i++)
        inst->elem_sizes[i] = flags[i] ? 0 : m->elems[i].count;
    for (uint32_t i = 0; i < m->data_count; i++)
        inst->data_dropped[i] = flags[m->elem_count + i];
}

br_err_t
br_instance_restore(br_instance_t *inst, const uint8_t *bytes, size_t size,
                    br_error_t *error)
{
    br_error_t scratch;
    plan_t p = {.inst = inst, .error = error ? error : &scratch};
    if (inst == NULL || (bytes == NULL && size != 0))
        return bri_error(p.error, BR_ERR_INVALID_ARGUMENT, 0, -1, "%s",
                         "NULL instance or bytes");
    br_err_t err = check_header(&p, bytes, size);
    if (err != BR_ERR_OK)
        return err;
    p.r = (bri_breader_t){bytes + BRI_HEADER_SIZE, bytes + size, true};
    err = check_payload(&p);
    if (err == BR_ERR_OK)
        err = grow_all(&p);
    if (err == BR_ERR_OK)
        write_all(&p);
    return err;
}
