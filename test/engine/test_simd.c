/*
 * beamr tests: SIMD (v128) through the real decoder, validator, compiler
 * and interpreter, on small hand-assembled modules: shuffles, lane ops,
 * saturating arithmetic, NaN lanes, lane loads out of bounds, v128
 * globals, and the validation of lane indices and alignment.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "beamr.h"
#include "check.h"
#include "wasm_build.h"

/* Binary-format bytes used below beside wasm_build.h's (opcode values
 * from the spec). */
enum {
    GLOBAL_GET = 0x23,
    GLOBAL_SET = 0x24,
    SELECT = 0x1B,
    SIMD = 0xFD,
    T_I32 = 0x7F,
    T_I64 = 0x7E,
    T_F32 = 0x7D,
    T_F64 = 0x7C,
    T_V128 = 0x7B,
};

/* SIMD sub-opcodes (one byte each as LEBs when below 0x80; larger ones
 * are written as two LEB bytes by the tests). */
enum {
    V128_LOAD = 0x00,
    V128_STORE = 0x0B,
    V128_CONST = 0x0C,
    I8X16_SHUFFLE = 0x0D,
    I8X16_SWIZZLE = 0x0E,
    I8X16_EXTRACT_LANE_S = 0x15,
    I8X16_EXTRACT_LANE_U = 0x16,
    I32X4_REPLACE_LANE = 0x1C,
    I64X2_EXTRACT_LANE = 0x1D,
    F64X2_EXTRACT_LANE = 0x21,
    V128_LOAD32_LANE = 0x56,
    V128_STORE16_LANE = 0x59,
    I8X16_NARROW_I16X8_S = 0x65,
    I8X16_ADD_SAT_S = 0x6F,
    I8X16_SUB_SAT_U = 0x73,
};
/* Two-byte LEBs of sub-opcodes >= 0x80. */
#define I16X8_ADD_SAT_U 0x90, 0x01
#define F32X4_ABS 0xE0, 0x01
#define F32X4_ADD 0xE4, 0x01
#define F32X4_MIN 0xE8, 0x01
#define F32X4_PMIN 0xEA, 0x01

#define BODY WB_LIST

/* ------------------------------------------------------------------ */
/* The module: one function "f" of the given type, one page of memory, */
/* and optionally one mutable v128 global "g".                          */

static void
assemble(wb_t *out, const char *params, const char *results,
         const uint8_t *global_init, const uint8_t *body, size_t size)
{
    wmod_t m = {0};
    uint32_t t = wm_type(&m, params, results);
    wm_memory(&m, 0, 1, 0);
    wm_export(&m, "f", BR_EXTERN_FUNC, wm_func_code(&m, t, body, size));
    if (global_init) {
        wb_t init = {0};
        WB(&init, SIMD, V128_CONST);
        wb_bytes(&init, global_init, 16);
        wm_global(&m, T_V128, true, init.p, init.n);
        wb_free(&init);
        wm_export(&m, "g", BR_EXTERN_GLOBAL, 0);
    }
    wm_finish(&m, out);
}

/* ------------------------------------------------------------------ */
/* Running                                                             */

typedef struct run {
    br_engine_t *engine;
    br_store_t *store;
    br_module_t *module;
    br_instance_t *inst;
    br_func_t *f;
    br_err_t err; /* of br_module_new */
    br_error_t error;
    br_trap_t trap;
    br_val_t results[2];
} run_t;

static void
run_free(run_t *r)
{
    br_store_delete(r->store);
    br_module_delete(r->module);
    br_engine_delete(r->engine);
}

/* Builds and instantiates a module; false (r->err set) if refused. */
static bool
load(run_t *r, const char *params, const char *results,
     const uint8_t *global_init, const uint8_t *body, size_t size)
{
    wb_t bin = {0};
    memset(r, 0, sizeof *r);
    assemble(&bin, params, results, global_init, body, size);
    r->engine = br_engine_new(NULL);
    r->store = br_store_new(r->engine, NULL);
    r->err = br_module_new(r->engine, bin.p, bin.n, &r->module, &r->error);
    wb_free(&bin);
    if (r->err != BR_ERR_OK)
        return false;
    br_err_t err = br_instance_new(r->store, r->module, NULL, 0, &r->inst,
                                   &r->error, &r->trap);
    CHECK_EQ(err, BR_ERR_OK);
    br_extern_t ex;
    CHECK(br_instance_export(r->inst, "f", 1, &ex));
    r->f = ex.of.func;
    return true;
}

static br_status_t
call(run_t *r, const br_val_t *args, size_t n)
{
    return br_func_call(r->store, r->f, args, n, r->results, 2, &r->trap);
}

static br_val_t
v128_of(const uint8_t bytes[16])
{
    br_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = BR_V128;
    memcpy(v.of.v128, bytes, 16);
    return v;
}

static uint32_t
lane32(const br_val_t *v, unsigned i)
{
    uint32_t x;
    memcpy(&x, v->of.v128 + 4 * i, 4);
    return x;
}

static uint32_t
f32_bits(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    return x;
}

/* Returns the v128 result of a function [v128 v128] -> [v128] whose body
 * applies `body` to its two params. */
static bool
binary(const uint8_t *body, size_t size, const uint8_t a[16],
       const uint8_t b[16], br_val_t *out)
{
    run_t r;
    bool ok = load(&r, "\x7b\x7b", "\x7b", NULL, body, size);
    CHECK(ok);
    br_val_t args[2] = {v128_of(a), v128_of(b)};
    bool done = ok && call(&r, args, 2) == BR_DONE;
    CHECK(done);
    if (done)
        *out = r.results[0];
    run_free(&r);
    return done;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void
test_shuffle(void)
{
    uint8_t a[16], b[16], idx[16];
    for (int i = 0; i < 16; i++) {
        a[i] = (uint8_t)(i + 1);
        b[i] = (uint8_t)(100 + i);
        idx[i] = (uint8_t)((i * 7 + 3) % 32); /* from both operands */
    }
    /* LOCAL_GET 0 LOCAL_GET 1 SIMD 0x0D idx[16] END */
    uint8_t full[23] = {LOCAL_GET, 0, LOCAL_GET, 1, SIMD, I8X16_SHUFFLE};
    memcpy(full + 6, idx, 16);
    full[22] = END;
    br_val_t out;
    if (binary(full, sizeof full, a, b, &out))
        for (int i = 0; i < 16; i++)
            CHECK_EQ(out.of.v128[i], idx[i] < 16 ? a[idx[i]] : b[idx[i] - 16]);

    /* swizzle: indices >= 16 select zero */
    uint8_t sel[16];
    for (int i = 0; i < 16; i++)
        sel[i] = (uint8_t)(i % 2 ? 15 - i : 16 + i * 9);
    if (binary(BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, I8X16_SWIZZLE, END), a,
               sel, &out))
        for (int i = 0; i < 16; i++)
            CHECK_EQ(out.of.v128[i], sel[i] < 16 ? a[sel[i]] : 0);
}

/* i32 (i8x16.extract_lane_s/u 3 of v128.const), i32x4.replace_lane and
 * f64x2/i64x2 extract on a param. */
static void
test_lanes(void)
{
    run_t r;
    uint8_t body[] = {SIMD, V128_CONST, 0, 0, 0, 0xF0, 0, 0, 0, 0,
                      0, 0, 0, 0, 0, 0, 0, 0, SIMD, I8X16_EXTRACT_LANE_S,
                      3, END};
    CHECK(load(&r, "", "\x7f", NULL, body, sizeof body));
    CHECK_EQ(call(&r, NULL, 0), BR_DONE);
    CHECK_EQ(r.results[0].of.i32, -16);
    run_free(&r);
    body[19] = I8X16_EXTRACT_LANE_U;
    CHECK(load(&r, "", "\x7f", NULL, body, sizeof body));
    CHECK_EQ(call(&r, NULL, 0), BR_DONE);
    CHECK_EQ(r.results[0].of.i32, 0xF0);
    run_free(&r);

    /* replace lane 2 of the param with the i32 param */
    CHECK(load(&r, "\x7b\x7f", "\x7b", NULL,
               BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, I32X4_REPLACE_LANE, 2,
                    END)));
    uint8_t v[16];
    for (int i = 0; i < 16; i++)
        v[i] = (uint8_t)(0xA0 + i);
    br_val_t args[2] = {v128_of(v), {.kind = BR_I32, .of.i32 = 0x12345678}};
    CHECK_EQ(call(&r, args, 2), BR_DONE);
    CHECK_EQ(lane32(&r.results[0], 2), 0x12345678);
    CHECK_EQ(lane32(&r.results[0], 1), lane32(&args[0], 1));
    CHECK_EQ(lane32(&r.results[0], 3), lane32(&args[0], 3));
    run_free(&r);

    double d = -2.5;
    memcpy(v + 8, &d, 8);
    CHECK(load(&r, "\x7b", "\x7c", NULL,
               BODY(LOCAL_GET, 0, SIMD, F64X2_EXTRACT_LANE, 1, END)));
    args[0] = v128_of(v);
    CHECK_EQ(call(&r, args, 1), BR_DONE);
    CHECK(r.results[0].kind == BR_F64 && r.results[0].of.f64 == -2.5);
    run_free(&r);
    CHECK(load(&r, "\x7b", "\x7e", NULL,
               BODY(LOCAL_GET, 0, SIMD, I64X2_EXTRACT_LANE, 0, END)));
    CHECK_EQ(call(&r, args, 1), BR_DONE);
    uint64_t lo;
    memcpy(&lo, v, 8);
    CHECK_EQ(r.results[0].of.u64, lo);
    run_free(&r);
}

static int
clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void
test_saturating(void)
{
    uint8_t a[16], b[16];
    for (int i = 0; i < 16; i++) {
        a[i] = (uint8_t)(i * 37 + 100); /* spread over the signed range */
        b[i] = (uint8_t)(i * 53 + 7);
    }
    br_val_t out;
    if (binary(BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, I8X16_ADD_SAT_S, END),
               a, b, &out))
        for (int i = 0; i < 16; i++)
            CHECK_EQ((int8_t)out.of.v128[i],
                     clamp((int8_t)a[i] + (int8_t)b[i], -128, 127));
    if (binary(BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, I8X16_SUB_SAT_U, END),
               a, b, &out))
        for (int i = 0; i < 16; i++)
            CHECK_EQ(out.of.v128[i], clamp(a[i] - b[i], 0, 255));
    if (binary(BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, I16X8_ADD_SAT_U, END),
               a, b, &out))
        for (int i = 0; i < 8; i++) {
            int x = a[2 * i] | a[2 * i + 1] << 8;
            int y = b[2 * i] | b[2 * i + 1] << 8;
            int z = out.of.v128[2 * i] | out.of.v128[2 * i + 1] << 8;
            CHECK_EQ(z, clamp(x + y, 0, 65535));
        }
    /* narrowing: i16 lanes of a then b, saturated to i8 */
    if (binary(BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, I8X16_NARROW_I16X8_S,
                    END),
               a, b, &out))
        for (int i = 0; i < 16; i++) {
            const uint8_t *src = i < 8 ? a : b;
            int k = i % 8;
            int16_t x = (int16_t)(src[2 * k] | src[2 * k + 1] << 8);
            CHECK_EQ((int8_t)out.of.v128[i], clamp(x, -128, 127));
        }
}

static bool
is_canonical_nan(uint32_t bits)
{
    return (bits & 0x7FFFFFFFu) == 0x7FC00000u;
}

/* Per-lane NaN rules: min gives a canonical NaN where an operand lane is
 * a canonical NaN, abs keeps the payload, pmin returns operand bits. */
static void
test_nan_lanes(void)
{
    float fa[4] = {1.0f, NAN, -0.0f, 3.0f};
    float fb[4] = {2.0f, 5.0f, 0.0f, NAN};
    uint8_t a[16], b[16];
    memcpy(a, fa, 16);
    memcpy(b, fb, 16);
    br_val_t out;
    if (binary(BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, F32X4_MIN, END), a, b,
               &out)) {
        CHECK_EQ(lane32(&out, 0), f32_bits(1.0f));
        CHECK(is_canonical_nan(lane32(&out, 1)));
        CHECK_EQ(lane32(&out, 2), f32_bits(-0.0f)); /* -0 < +0 */
        CHECK(is_canonical_nan(lane32(&out, 3)));
    }
    if (binary(BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, F32X4_ADD, END), a, b,
               &out)) {
        CHECK_EQ(lane32(&out, 0), f32_bits(3.0f));
        CHECK((lane32(&out, 1) & 0x7FC00000u) == 0x7FC00000u);
        CHECK((lane32(&out, 3) & 0x7FC00000u) == 0x7FC00000u);
    }
    /* a negative NaN with a payload: abs clears only the sign */
    uint32_t payload = 0xFFA00001u;
    memcpy(a + 4, &payload, 4);
    if (binary(BODY(LOCAL_GET, 0, SIMD, F32X4_ABS, END), a, b, &out)) {
        CHECK_EQ(lane32(&out, 1), 0x7FA00001u);
        CHECK_EQ(lane32(&out, 2), f32_bits(0.0f));
    }
    /* pmin(a, b) = b < a ? b : a, bit for bit */
    if (binary(BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, F32X4_PMIN, END), a, b,
               &out)) {
        CHECK_EQ(lane32(&out, 1), payload); /* NaN a: a */
        CHECK_EQ(lane32(&out, 2), f32_bits(-0.0f));
        CHECK_EQ(lane32(&out, 3), f32_bits(3.0f)); /* NaN b: a */
    }
}

/* v128.load32_lane / store16_lane at the end of the one-page memory. */
static void
test_lane_bounds(void)
{
    run_t r;
    CHECK(load(&r, "\x7f\x7b", "\x7b", NULL,
               BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, V128_LOAD32_LANE, 2, 0,
                    3, END)));
    br_memory_t *mem = br_instance_memory(r.inst, 0);
    uint8_t *data = br_memory_data(mem);
    const uint8_t tail[4] = {0xDE, 0xAD, 0xBE, 0xEF};
    memcpy(data + 65532, tail, 4);
    uint8_t v[16] = {0};
    br_val_t args[2] = {{.kind = BR_I32, .of.i32 = 65532}, v128_of(v)};
    CHECK_EQ(call(&r, args, 2), BR_DONE);
    CHECK(memcmp(r.results[0].of.v128 + 12, tail, 4) == 0);
    CHECK_EQ(lane32(&r.results[0], 0), 0);
    args[0].of.i32 = 65533; /* one byte past the end */
    CHECK_EQ(call(&r, args, 2), BR_TRAP);
    CHECK_EQ(r.trap.kind, BR_TRAP_MEMORY_OOB);
    args[0].of.i32 = -1; /* address wraps nowhere: still out of bounds */
    CHECK_EQ(call(&r, args, 2), BR_TRAP);
    CHECK_EQ(r.trap.kind, BR_TRAP_MEMORY_OOB);
    run_free(&r);

    CHECK(load(&r, "\x7f\x7b", "", NULL,
               BODY(LOCAL_GET, 0, LOCAL_GET, 1, SIMD, V128_STORE16_LANE, 1, 0,
                    7, END)));
    data = br_memory_data(br_instance_memory(r.inst, 0));
    for (int i = 0; i < 16; i++)
        v[i] = (uint8_t)i;
    args[0].of.i32 = 65534;
    args[1] = v128_of(v);
    CHECK_EQ(call(&r, args, 2), BR_DONE);
    CHECK(data[65534] == 14 && data[65535] == 15);
    args[0].of.i32 = 65535;
    CHECK_EQ(call(&r, args, 2), BR_TRAP);
    CHECK_EQ(r.trap.kind, BR_TRAP_MEMORY_OOB);
    CHECK_EQ(data[65535], 15); /* nothing written */
    run_free(&r);
}

/* A v128 global initialised by a constant expression, read and written;
 * select on v128 values; v128.load/store round trip. */
static void
test_global_select_memory(void)
{
    uint8_t init[16];
    for (int i = 0; i < 16; i++)
        init[i] = (uint8_t)(0x11 * i);
    run_t r;
    /* g := param 0 if param 1 else g; return old g */
    CHECK(load(&r, "\x7b\x7f", "\x7b", init,
               BODY(GLOBAL_GET, 0, LOCAL_GET, 0, GLOBAL_GET, 0, LOCAL_GET, 1,
                    SELECT, GLOBAL_SET, 0, END)));
    br_val_t args[2] = {v128_of((const uint8_t[16]){7, 7, 7}),
                        {.kind = BR_I32, .of.i32 = 0}};
    CHECK_EQ(call(&r, args, 2), BR_DONE);
    CHECK(memcmp(r.results[0].of.v128, init, 16) == 0);
    args[1].of.i32 = 1;
    CHECK_EQ(call(&r, args, 2), BR_DONE);
    CHECK(memcmp(r.results[0].of.v128, init, 16) == 0); /* unchanged */
    CHECK_EQ(call(&r, args, 2), BR_DONE);
    CHECK(memcmp(r.results[0].of.v128, args[0].of.v128, 16) == 0);
    br_extern_t ex;
    CHECK(br_instance_export(r.inst, "g", 1, &ex));
    br_val_t g;
    br_global_get(ex.of.global, &g);
    CHECK(g.kind == BR_V128 && memcmp(g.of.v128, args[0].of.v128, 16) == 0);
    run_free(&r);

    /* store the param at 16, load it back from 16 */
    CHECK(load(&r, "\x7b", "\x7b", NULL,
               BODY(I32_CONST, 16, LOCAL_GET, 0, SIMD, V128_STORE, 4, 0,
                    I32_CONST, 16, SIMD, V128_LOAD, 4, 0, END)));
    args[0] = v128_of(init);
    CHECK_EQ(call(&r, args, 1), BR_DONE);
    CHECK(memcmp(r.results[0].of.v128, init, 16) == 0);
    CHECK(memcmp(br_memory_data(br_instance_memory(r.inst, 0)) + 16, init,
                 16) == 0);
    run_free(&r);
}

static br_err_t
load_error(const uint8_t *body, size_t size, br_error_t *error)
{
    run_t r;
    bool ok = load(&r, "\x7b\x7b", "\x7b", NULL, body, size);
    (void)ok; /* the error code tells */
    br_err_t err = r.err;
    *error = r.error;
    run_free(&r);
    return err;
}

static void
test_invalid(void)
{
    br_error_t e;
    /* i8x16.extract_lane_s 16: lanes are 0..15 */
    CHECK_EQ(load_error(BODY(LOCAL_GET, 0, SIMD, I8X16_EXTRACT_LANE_S, 16,
                             END),
                        &e),
             BR_ERR_INVALID_LANE);
    CHECK(strstr(e.message, "invalid lane index") != NULL);
    /* load32_lane lane 4 of 0..3 */
    CHECK_EQ(load_error(BODY(I32_CONST, 0, LOCAL_GET, 0, SIMD,
                             V128_LOAD32_LANE, 2, 0, 4, END),
                        &e),
             BR_ERR_INVALID_LANE);
    CHECK(strstr(e.message, "invalid lane index") != NULL);
    /* shuffle index 32 */
    uint8_t shuf[23] = {LOCAL_GET, 0, LOCAL_GET, 1, SIMD, I8X16_SHUFFLE};
    shuf[6 + 5] = 32;
    shuf[22] = END;
    CHECK_EQ(load_error(shuf, sizeof shuf, &e), BR_ERR_INVALID_LANE);
    CHECK(strstr(e.message, "invalid lane index") != NULL);
    shuf[6 + 5] = 31; /* the largest index is fine */
    CHECK_EQ(load_error(shuf, sizeof shuf, &e), BR_ERR_OK);
    /* v128.load's natural alignment is 2^4 */
    CHECK_EQ(load_error(BODY(I32_CONST, 0, SIMD, V128_LOAD, 5, 0, END), &e),
             BR_ERR_ALIGNMENT);
    CHECK_EQ(load_error(BODY(I32_CONST, 0, SIMD, V128_LOAD, 4, 0, END), &e),
             BR_ERR_OK);
    /* lane op on an i32 */
    CHECK_EQ(load_error(BODY(I32_CONST, 0, SIMD, F64X2_EXTRACT_LANE, 0, END),
                        &e),
             BR_ERR_TYPE_MISMATCH);
    /* an unassigned sub-opcode (0x9A) */
    CHECK_EQ(load_error(BODY(LOCAL_GET, 0, SIMD, 0x9A, 0x01, END), &e),
             BR_ERR_ILLEGAL_OPCODE);
}

int
main(void)
{
    test_shuffle();
    test_lanes();
    test_saturating();
    test_nan_lanes();
    test_lane_bounds();
    test_global_select_memory();
    test_invalid();
    return CHECK_DONE();
}
