/*
 * beamr engine: snapshots of a suspended call: its frames, their slots
 * and the pending import as one self-checking buffer, and the restore
 * that rebuilds them on a fresh instance after checking everything.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "aot.h"
#include "exec.h"

/*
 * Layout (integers little-endian; docs/snapshot.md):
 *   header  "BEAMRCAL", u32 format version, u32 flags (0),
 *           u64 module fingerprint, u64 payload size, u64 hash64(payload)
 *   payload u8 state (1 runnable, 2 suspended in an import),
 *           u8 tail (the import was reached by a return_call),
 *           u32 entry function index, u32 frame count, then per frame
 *           from the entry's up: u32 function index, u32 pc (word index
 *           in the compiled code), u32 slot count, the slots; then for
 *           state 2: u32 import function index, u32 slot count, the
 *           argument slots.
 *   slot    u8 tag: 0 zero (null or 0, and dead slots), 1 a number
 *           (u64 follows), 2 a funcref (u32 function index follows).
 * No base, no slot kind and no slot count is taken from the buffer
 * without checking it against the code: a frame's base is where its
 * caller's call put its arguments, its slot count is that call's first
 * slot (below the top) or what the code touches (top), and the kinds
 * come from verify.c's data flow at the frame's pc.
 */
#define MAGIC "BEAMRCAL"
#define FORMAT_VERSION 1u
#define FINGERPRINT_SEED 0x63616c6cu
#define STATE_RUNNABLE 1u
#define STATE_IMPORT 2u
#define TAG_ZERO 0u
#define TAG_NUM 1u
#define TAG_FUNC 2u

static uint64_t
fingerprint(const br_module_t *m)
{
    return bri_hash64(m->bytes, m->size, FINGERPRINT_SEED);
}

/* Shared by capture and restore: the module, its opcode shapes and the
 * last resume point asked for (recursion repeats the same one). */
typedef struct ctx {
    const br_instance_t *inst;
    const br_module_t *m;
    br_error_t *error;
    bri_opshape_t *shapes;
    uint32_t point_func, point_pc;
    bool point_kinds;
    bri_point_t point;
} ctx_t;

static br_err_t
ctx_open(ctx_t *c, const br_instance_t *inst, br_error_t *error)
{
    memset(c, 0, sizeof *c);
    c->inst = inst;
    c->m = inst->module;
    c->error = error;
    c->point_func = BR_NO_INDEX;
    c->shapes =
        bri_alloc(&c->m->engine->alloc, BR_OP__COUNT * sizeof(bri_opshape_t));
    if (c->shapes == NULL)
        return bri_error(error, BR_ERR_OUT_OF_MEMORY, 0, -1, "%s",
                         "call snapshot");
    bri_verify_shapes(c->shapes);
    return BR_ERR_OK;
}

static void
ctx_close(ctx_t *c)
{
    bri_point_free(c->m, &c->point);
    bri_free(&c->m->engine->alloc, c->shapes,
             BR_OP__COUNT * sizeof(bri_opshape_t));
}

/* The resume point of function `f` at `pc` (cached); NOT_FOUND when it
 * is none. */
static br_err_t
point_at(ctx_t *c, uint32_t f, uint32_t pc, bool kinds)
{
    if (c->point_func == f && c->point_pc == pc && c->point_kinds == kinds)
        return BR_ERR_OK;
    c->point_func = BR_NO_INDEX;
    bri_point_free(c->m, &c->point);
    br_error_t scratch;
    br_err_t err =
        bri_code_point(c->m, f, pc, c->shapes, kinds, &c->point, &scratch);
    if (err == BR_ERR_OK) {
        c->point_func = f;
        c->point_pc = pc;
        c->point_kinds = kinds;
    }
    return err;
}

/* The call instruction just before the point, or NULL. */
static const uint32_t *
call_before(const ctx_t *c, uint32_t f, bool tail)
{
    if (c->point.prev == BR_NO_INDEX)
        return NULL;
    const uint32_t *w = c->m->funcs[f].code.words + c->point.prev;
    br_op_t op = (br_op_t)w[0];
    if (tail)
        return op == BR_OP_return_call || op == BR_OP_return_call_indirect ||
                       op == BR_OP_return_call_ref
                   ? w
                   : NULL;
    return op == BR_OP_call || op == BR_OP_call_indirect || op == BR_OP_call_ref
               ? w
               : NULL;
}

/* The callee type of a call instruction of the module's code. */
static const br_functype_t *
callee_type(const br_module_t *m, const uint32_t *w)
{
    br_op_t op = (br_op_t)w[0];
    if (op == BR_OP_call || op == BR_OP_return_call)
        return &m->types[m->funcs[w[2]].type];
    return &m->types[w[2]];
}

static bool
same_results(const br_functype_t *a, const br_functype_t *b)
{
    return a->result_count == b->result_count &&
           (a->result_count == 0 ||
            memcmp(a->results, b->results,
                   a->result_count * sizeof *a->results) == 0);
}

static uint8_t
slot_kind(br_valkind_t k)
{
    return k == BR_FUNCREF     ? BRI_SLOT_FUNC
           : k == BR_EXTERNREF ? BRI_SLOT_EXTERN
           : k == BR_ANYREF    ? BRI_SLOT_EXTERN /* GC: null only */
           : k == BR_EXNREF    ? BRI_SLOT_EXNREF
                               : BRI_SLOT_NUM;
}

/* ------------------------------------------------------------------ */
/* Capture                                                             */

typedef struct cap {
    ctx_t c;
    const br_exec_t *exec;
    bri_writer_t *w;
} cap_t;

static br_err_t
refuse(const ctx_t *c, const char *why, uint32_t frame)
{
    return bri_error(c->error, BR_ERR_SNAPSHOT_CALL, 0, -1, "%s (frame %u)",
                     why, (unsigned)frame);
}

static br_err_t
put_slot(cap_t *k, const br_slot_t *s, uint8_t kind, uint32_t frame)
{
    uint32_t index;
    if (kind == BRI_SLOT_EXN)
        return refuse(&k->c, "a caught exception is live", frame);
    if (kind == BRI_SLOT_DEAD || s->u64 == 0) {
        bri_put_u8(k->w, TAG_ZERO);
        return BR_ERR_OK;
    }
    switch (kind) {
    case BRI_SLOT_NUM:
        bri_put_u8(k->w, TAG_NUM);
        bri_put_u64(k->w, s->u64);
        return BR_ERR_OK;
    case BRI_SLOT_FUNC:
        if (!bri_snapshot_func_index(k->c.inst, s->ref, &index))
            return refuse(&k->c, "a funcref of another instance", frame);
        bri_put_u8(k->w, TAG_FUNC);
        bri_put_u32(k->w, index);
        return BR_ERR_OK;
    case BRI_SLOT_EXTERN:
        return refuse(&k->c, "a non-null externref is live", frame);
    case BRI_SLOT_EXNREF:
        return refuse(&k->c, "a non-null exnref is live", frame);
    default:
        return refuse(&k->c, "a slot disagrees with its kind", frame);
    }
}

static br_err_t
put_slots(cap_t *k, const br_slot_t *s, const uint8_t *kinds, uint32_t n,
          uint32_t frame)
{
    bri_put_u32(k->w, n);
    for (uint32_t i = 0; i < n; i++) {
        br_err_t err = put_slot(k, s + i, kinds[i], frame);
        if (err != BR_ERR_OK)
            return err;
    }
    return BR_ERR_OK;
}

/* The pending import's arguments, typed by its function type. */
static br_err_t
put_args(cap_t *k, const br_functype_t *t, uint32_t frame)
{
    const br_exec_t *exec = k->exec;
    const br_slot_t *s = exec->stack + exec->import_slot;
    bri_put_u32(k->w, bri_param_slots(t));
    for (uint32_t i = 0, j = 0; i < t->param_count; i++) {
        uint32_t n = bri_slots_of(t->params[i]);
        for (uint32_t x = 0; x < n; x++, j++) {
            br_err_t err = put_slot(k, s + j, slot_kind(t->params[i]), frame);
            if (err != BR_ERR_OK)
                return err;
        }
    }
    return BR_ERR_OK;
}

/* One frame: its function, pc and the slots its code may still read. */
static br_err_t
put_frame(cap_t *k, uint32_t i, bool import)
{
    const br_exec_t *exec = k->exec;
    const bri_frame_t *fr = &exec->frames[i];
    bool top = i + 1 == exec->frame_count;
    bool tail = top && import && exec->import_tail;
    uint32_t f = fr->func->index;
    uint32_t pc = (uint32_t)(fr->pc - fr->code->words);
    if (fr->func->inst != k->c.inst || fr->code != &k->c.m->funcs[f].code)
        return refuse(&k->c, "a frame of another instance", i);
    if (point_at(&k->c, f, pc, !tail) != BR_ERR_OK)
        return refuse(&k->c, "a frame outside a resume point", i);
    uint32_t n = k->c.point.count;
    if (!top || import) {
        const uint32_t *w = call_before(&k->c, f, tail);
        uint32_t next = top ? exec->import_slot : exec->frames[i + 1].base;
        if (w == NULL || (uint64_t)fr->base + w[1] != next)
            return refuse(&k->c, "a frame not entered by a call", i);
        n = tail ? 0 : w[1];
        if (n > k->c.point.count)
            return refuse(&k->c, "a call above the slots its code touches", i);
    }
    bri_put_u32(k->w, f);
    bri_put_u32(k->w, pc);
    return put_slots(k, exec->stack + fr->base, k->c.point.kinds, n, i);
}

static br_err_t
put_call(cap_t *k)
{
    const br_exec_t *exec = k->exec;
    bool import = exec->state == BRI_EXEC_SUSPENDED;
    uint32_t entry;
    if (!bri_snapshot_func_index(k->c.inst, exec->entry, &entry) ||
        exec->entry->code == NULL)
        return refuse(&k->c, "the called function is not the instance's", 0);
    bri_put_u8(k->w, import ? STATE_IMPORT : STATE_RUNNABLE);
    bri_put_u8(k->w, import && exec->import_tail);
    bri_put_u32(k->w, entry);
    bri_put_u32(k->w, exec->frame_count);
    for (uint32_t i = 0; i < exec->frame_count; i++) {
        br_err_t err = put_frame(k, i, import);
        if (err != BR_ERR_OK)
            return err;
    }
    if (!import)
        return BR_ERR_OK;
    uint32_t f;
    if (bri_invoke_is_native(exec->import_func) ||
        !bri_snapshot_func_index(k->c.inst, exec->import_func, &f) ||
        f >= k->c.m->func_import_count)
        return refuse(&k->c, "the pending import is not the instance's",
                      exec->frame_count - 1);
    bri_put_u32(k->w, f);
    return put_args(k, exec->import_func->type, exec->frame_count - 1);
}

/* States and parts of a context that cannot be written down. */
static br_err_t
capturable(const ctx_t *c, const br_exec_t *exec)
{
    switch (exec->state) {
    case BRI_EXEC_READY:
    case BRI_EXEC_YIELDED:
    case BRI_EXEC_SUSPENDED:
        break;
    default:
        return refuse(c, "no call is suspended", 0);
    }
    if (exec->direct_host || exec->frame_count == 0)
        return refuse(c, "no wasm frame", 0);
    if (exec->invoke != NULL)
        return refuse(c, "inside an Emscripten invoke_*", 0);
    if (exec->grow.pc != NULL)
        return refuse(c, "a table.grow in progress", exec->grow.frame);
    return BR_ERR_OK;
}

br_err_t
br_exec_snapshot(const br_exec_t *exec, const br_instance_t *inst,
                 uint8_t **out, size_t *out_size, br_error_t *error)
{
    br_error_t scratch;
    error = error ? error : &scratch;
    if (out != NULL)
        *out = NULL;
    if (out_size != NULL)
        *out_size = 0;
    if (exec == NULL || inst == NULL || out == NULL || out_size == NULL)
        return bri_error(error, BR_ERR_INVALID_ARGUMENT, 0, -1, "%s", "NULL");
    if (bri_snapshot_has_gc(inst))
        return bri_error(error, BR_ERR_GC_HEAP_SNAPSHOT, 0, -1, "%s",
                         "the store has GC objects");
    cap_t k = {.exec = exec};
    br_err_t err = ctx_open(&k.c, inst, error);
    if (err == BR_ERR_OK)
        err = capturable(&k.c, exec);
    bri_writer_t sizing = {NULL, 0};
    k.w = &sizing;
    if (err == BR_ERR_OK)
        err = put_call(&k);
    uint8_t *buf = NULL;
    size_t size = BRI_HEADER_SIZE + sizing.n;
    if (err == BR_ERR_OK) {
        buf = bri_alloc(&inst->store->engine->alloc, size);
        if (buf == NULL)
            err = bri_error(error, BR_ERR_OUT_OF_MEMORY, 0, -1, "%s",
                            "call snapshot");
    }
    if (err == BR_ERR_OK) {
        bri_writer_t w = {buf + BRI_HEADER_SIZE, 0};
        k.w = &w;
        put_call(&k);
        bri_put_header(buf, MAGIC, FORMAT_VERSION, fingerprint(inst->module),
                       sizing.n);
        *out = buf;
        *out_size = size;
    }
    if (k.c.shapes != NULL)
        ctx_close(&k.c);
    return err;
}

/* ------------------------------------------------------------------ */
/* Restore                                                             */

typedef struct rest {
    ctx_t c;
    br_exec_t *exec;
    bri_breader_t r;
    bool import, tail;
    const br_functype_t *callee; /* what the previous frame called */
    uint32_t base, call_slot;
    const uint32_t *call; /* the call before the top frame's pc */
} rest_t;

static br_err_t
mismatch(const ctx_t *c, const char *why, uint32_t frame)
{
    return bri_error(c->error, BR_ERR_SNAPSHOT_MISMATCH, 0, -1, "%s (frame %u)",
                     why, (unsigned)frame);
}

/* One slot of `kind`; false for a tag the kind does not allow. */
static bool
get_slot(rest_t *x, br_slot_t *s, uint8_t kind)
{
    uint8_t tag = bri_get_u8(&x->r);
    s->u64 = 0;
    if (tag == TAG_ZERO)
        return kind != BRI_SLOT_EXN && x->r.ok;
    if (tag == TAG_NUM && kind == BRI_SLOT_NUM) {
        s->u64 = bri_get_u64(&x->r);
        return x->r.ok;
    }
    if (tag == TAG_FUNC && kind == BRI_SLOT_FUNC) {
        uint32_t f = bri_get_u32(&x->r);
        if (!x->r.ok || f >= x->c.m->func_count)
            return false;
        s->ref = x->c.inst->funcs[f];
        return true;
    }
    return false;
}

static br_err_t
get_slots(rest_t *x, br_slot_t *s, const uint8_t *kinds, uint32_t want,
          uint32_t frame)
{
    if (bri_get_u32(&x->r) != want || !x->r.ok)
        return mismatch(&x->c, "slot count differs from the code's", frame);
    for (uint32_t i = 0; i < want; i++)
        if (!get_slot(x, s + i, kinds[i]))
            return mismatch(&x->c, "slot does not fit its kind", frame);
    return BR_ERR_OK;
}

/* A defined function of the instance, by index from the buffer. */
static br_func_t *
defined(const rest_t *x, uint32_t f)
{
    const br_module_t *m = x->c.m;
    if (f < m->func_import_count || f >= m->func_count)
        return NULL;
    return x->c.inst->funcs[f];
}

/* The frame's pc must be a resume point; below the top (and at a
 * pending import) just after a call that entered the next frame. */
static br_err_t
check_point(rest_t *x, uint32_t i, uint32_t f, uint32_t pc, bool top,
            uint32_t *want)
{
    bool tail = top && x->import && x->tail;
    if (point_at(&x->c, f, pc, !tail) != BR_ERR_OK)
        return mismatch(&x->c, "pc is not a resume point", i);
    *want = x->c.point.count;
    x->call = NULL;
    if (top && !x->import)
        return BR_ERR_OK;
    x->call = call_before(&x->c, f, tail);
    if (x->call == NULL)
        return mismatch(&x->c, "pc does not follow a call", i);
    x->callee = callee_type(x->c.m, x->call);
    x->call_slot = x->call[1];
    *want = tail ? 0 : x->call_slot;
    if (*want > x->c.point.count)
        return mismatch(&x->c, "call above the slots the code touches", i);
    return BR_ERR_OK;
}

/* Pushes frame i: function, pc and slots all checked first. */
static br_err_t
get_frame(rest_t *x, uint32_t i, uint32_t count)
{
    br_exec_t *exec = x->exec;
    uint32_t f = bri_get_u32(&x->r), pc = bri_get_u32(&x->r), want = 0;
    br_func_t *func = x->r.ok ? defined(x, f) : NULL;
    if (func == NULL)
        return mismatch(&x->c, "not a function of the module", i);
    if (!same_results(func->type, x->callee))
        return mismatch(&x->c, "result types differ from the call's", i);
    br_err_t err = check_point(x, i, f, pc, i + 1 == count, &want);
    if (err != BR_ERR_OK)
        return err;
    const bri_code_t *code = func->code;
    uint64_t top = (uint64_t)x->base + code->frame_slots;
    if (top > exec->stack_max || !bri_runtime_grow(exec, top))
        return mismatch(&x->c, "frame beyond the stack limit", i);
    br_slot_t *s = exec->stack + x->base;
    memset(s, 0, (size_t)code->frame_slots * sizeof *s);
    err = get_slots(x, s, x->c.point.kinds, want, i);
    if (err != BR_ERR_OK)
        return err;
    bri_frame_t *fr = &exec->frames[exec->frame_count++];
    *fr = (bri_frame_t){code->words + pc,
                        code,
                        func,
                        func->inst,
                        bri_runtime_mem0(exec, func->inst),
                        x->base};
    x->base += x->call ? x->call_slot : 0;
    return BR_ERR_OK;
}

/* The pending import: one of the instance's host imports, the callee of
 * the top frame's call, its argument slots typed by its params. */
static br_err_t
get_import(rest_t *x, uint32_t frame)
{
    const br_module_t *m = x->c.m;
    br_exec_t *exec = x->exec;
    uint32_t f = bri_get_u32(&x->r);
    if (!x->r.ok || f >= m->func_import_count)
        return mismatch(&x->c, "pending import is not an import", frame);
    br_func_t *func = x->c.inst->funcs[f];
    br_op_t op = (br_op_t)x->call[0];
    bool direct = op == BR_OP_call || op == BR_OP_return_call;
    if (func->code != NULL || bri_invoke_is_native(func) ||
        (direct ? x->call[2] != f : !bri_functype_equal(func->type, x->callee)))
        return mismatch(&x->c, "pending import is not the call's", frame);
    const br_functype_t *t = func->type;
    uint32_t ps = bri_param_slots(t), rs = bri_result_slots(t);
    uint32_t slot = exec->frames[frame].base + x->call_slot;
    uint8_t kinds[2 * 256]; /* a v128 takes two slots */
    if (ps > sizeof kinds || !bri_runtime_grow(exec, (uint64_t)slot + ps + rs))
        return mismatch(&x->c, "pending import too large", frame);
    for (uint32_t i = 0, j = 0; i < t->param_count && j < ps; i++)
        for (uint32_t n = bri_slots_of(t->params[i]); n > 0; n--)
            kinds[j++] = slot_kind(t->params[i]);
    br_err_t err = get_slots(x, exec->stack + slot, kinds, ps, frame);
    if (err != BR_ERR_OK)
        return err;
    uint32_t need =
        t->param_count > t->result_count ? t->param_count : t->result_count;
    if (!bri_runtime_host_buffers(exec, need))
        return bri_error(x->c.error, BR_ERR_OUT_OF_MEMORY, 0, -1, "%s",
                         "pending import");
    for (uint32_t i = 0, j = 0; i < t->param_count; i++)
        j += bri_slot_to_val(t->params[i], exec->stack + slot + j,
                             &exec->host_args[i]);
    for (uint32_t i = 0; i < t->result_count; i++) {
        memset(&exec->host_results[i], 0, sizeof(br_val_t));
        exec->host_results[i].kind = t->results[i];
    }
    exec->import_func = func;
    exec->import_slot = slot;
    exec->import_tail = x->tail;
    return BR_ERR_OK;
}

static br_err_t
get_call(rest_t *x)
{
    uint8_t state = bri_get_u8(&x->r), tail = bri_get_u8(&x->r);
    uint32_t entry = bri_get_u32(&x->r), count = bri_get_u32(&x->r);
    br_func_t *func = x->r.ok ? defined(x, entry) : NULL;
    if ((state != STATE_RUNNABLE && state != STATE_IMPORT) || tail > 1 ||
        (tail && state != STATE_IMPORT))
        return mismatch(&x->c, "bad call state", 0);
    if (func == NULL)
        return mismatch(&x->c, "entry is not a function of the module", 0);
    if (count == 0 || count > x->exec->frame_max)
        return mismatch(&x->c, "frame count out of range", 0);
    x->import = state == STATE_IMPORT;
    x->tail = tail;
    if (!bri_exec_adopt(x->exec, func))
        return bri_error(x->c.error, BR_ERR_OUT_OF_MEMORY, 0, -1, "%s",
                         "restoring a call");
    x->callee = func->type;
    for (uint32_t i = 0; i < count; i++) {
        br_err_t err = get_frame(x, i, count);
        if (err != BR_ERR_OK)
            return err;
    }
    br_err_t err = x->import ? get_import(x, count - 1) : BR_ERR_OK;
    if (err == BR_ERR_OK && bri_get_left(&x->r) != 0)
        err = mismatch(&x->c, "bytes after the last part", count);
    return err;
}

static br_err_t
check_header(const ctx_t *c, const uint8_t *bytes, size_t size)
{
    if (size < BRI_HEADER_SIZE || memcmp(bytes, MAGIC, BRI_MAGIC_SIZE) != 0)
        return mismatch(c, "not a beamr call snapshot", 0);
    bri_header_t h = bri_get_header(bytes);
    if (h.version != FORMAT_VERSION || h.flags != 0)
        return mismatch(c, "call snapshot format version differs", 0);
    if (h.id != fingerprint(c->m))
        return mismatch(c, "call snapshot of another module", 0);
    size_t payload = size - BRI_HEADER_SIZE;
    if (h.payload != payload ||
        bri_hash64(bytes + BRI_HEADER_SIZE, payload, 0) != h.sum)
        return bri_error(c->error, BR_ERR_AOT_CHECKSUM, 0, -1, "%s",
                         "call snapshot truncated or corrupt");
    return BR_ERR_OK;
}

static bool
restorable(const br_exec_t *exec, const br_instance_t *inst)
{
    if (exec->store != inst->store)
        return false;
    switch (exec->state) {
    case BRI_EXEC_IDLE:
    case BRI_EXEC_DONE:
    case BRI_EXEC_TRAPPED:
    case BRI_EXEC_FAILED:
        return true;
    default:
        return false;
    }
}

br_err_t
br_exec_restore(br_exec_t *exec, br_instance_t *inst, const uint8_t *bytes,
                size_t size, br_error_t *error)
{
    br_error_t scratch;
    error = error ? error : &scratch;
    if (exec == NULL || inst == NULL || (bytes == NULL && size != 0) ||
        !restorable(exec, inst))
        return bri_error(error, BR_ERR_INVALID_ARGUMENT, 0, -1, "%s",
                         "NULL, another store's context, or one in a call");
    rest_t x = {.exec = exec};
    br_err_t err = ctx_open(&x.c, inst, error);
    if (err == BR_ERR_OK)
        err = check_header(&x.c, bytes, size);
    if (err == BR_ERR_OK) {
        x.r = (bri_breader_t){bytes + BRI_HEADER_SIZE, bytes + size, true};
        err = get_call(&x);
    }
    if (err == BR_ERR_OK) {
        exec->state = x.import ? BRI_EXEC_SUSPENDED : BRI_EXEC_READY;
    } else {
        exec->frame_count = 0;
        exec->import_func = NULL;
        exec->state = BRI_EXEC_IDLE;
    }
    if (x.c.shapes != NULL)
        ctx_close(&x.c);
    return err;
}

size_t
br_snapshot_part_size(const uint8_t *bytes, size_t size)
{
    if (bytes == NULL || size < BRI_HEADER_SIZE ||
        (memcmp(bytes, "BEAMRSNP", BRI_MAGIC_SIZE) != 0 &&
         memcmp(bytes, MAGIC, BRI_MAGIC_SIZE) != 0))
        return 0;
    bri_header_t h = bri_get_header(bytes);
    if (h.payload > size - BRI_HEADER_SIZE)
        return 0;
    return BRI_HEADER_SIZE + (size_t)h.payload;
}
