/*
 * beamr spec runner: the "spectest" host module of the WebAssembly test
 * suite: print functions that do nothing, a funcref table (10..20), a
 * memory (1..2 pages) and the globals 666 / 666.6.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "spectest.h"

#include <string.h>

static const br_valkind_t k_i32[] = {BR_I32};
static const br_valkind_t k_i64[] = {BR_I64};
static const br_valkind_t k_f32[] = {BR_F32};
static const br_valkind_t k_f64[] = {BR_F64};
static const br_valkind_t k_i32_f32[] = {BR_I32, BR_F32};
static const br_valkind_t k_f64_f64[] = {BR_F64, BR_F64};

/* Parameter lists of the print functions, in export order. */
static const struct {
    const char *name;
    br_functype_t type;
} prints[] = {
    {"print", {0, 0, NULL, NULL}},
    {"print_i32", {1, 0, k_i32, NULL}},
    {"print_i64", {1, 0, k_i64, NULL}},
    {"print_f32", {1, 0, k_f32, NULL}},
    {"print_f64", {1, 0, k_f64, NULL}},
    {"print_i32_f32", {2, 0, k_i32_f32, NULL}},
    {"print_f64_f64", {2, 0, k_f64_f64, NULL}},
};
#define PRINT_COUNT (sizeof prints / sizeof prints[0])

/* The suite only checks that the calls link and return; printing would
 * only clutter the runner's output. */
static br_host_status_t
print_nothing(void *env, br_exec_t *exec, const br_val_t *args,
              br_val_t *results)
{
    (void)env;
    (void)exec;
    (void)args;
    (void)results;
    return BR_HOST_OK;
}

static bool
add_globals(spectest_t *st, br_store_t *store, size_t at)
{
    br_val_t v[4];
    memset(v, 0, sizeof v);
    v[0].kind = BR_I32;
    v[0].of.i32 = 666;
    v[1].kind = BR_I64;
    v[1].of.i64 = 666;
    v[2].kind = BR_F32;
    v[2].of.f32 = 666.6f;
    v[3].kind = BR_F64;
    v[3].of.f64 = 666.6;
    static const char *const names[] = {"global_i32", "global_i64",
                                        "global_f32", "global_f64"};
    for (size_t i = 0; i < 4; i++, at++) {
        st->names[at] = names[i];
        st->externs[at].kind = BR_EXTERN_GLOBAL;
        st->externs[at].of.global =
            br_global_new(store, v[i].kind, false, &v[i]);
        if (!st->externs[at].of.global)
            return false;
    }
    return true;
}

bool
spectest_init(spectest_t *st, br_store_t *store)
{
    br_limitstype_t table = {.min = 10, .max = 20, .has_max = true};
    br_limitstype_t table64 = {
        .min = 10, .max = 20, .has_max = true, .is64 = true};
    br_limitstype_t memory = {.min = 1, .max = 2, .has_max = true};
    size_t n = 0;
    memset(st, 0, sizeof *st);
    for (; n < PRINT_COUNT; n++) {
        st->names[n] = prints[n].name;
        st->externs[n].kind = BR_EXTERN_FUNC;
        st->externs[n].of.func =
            br_func_new_host(store, &prints[n].type, print_nothing, NULL);
        if (!st->externs[n].of.func)
            return false;
    }
    st->names[n] = "table";
    st->externs[n].kind = BR_EXTERN_TABLE;
    st->externs[n].of.table = br_table_new(store, BR_FUNCREF, &table, NULL);
    if (!st->externs[n++].of.table)
        return false;
    /* the same with 64-bit indices (WebAssembly 3.0's table64 tests) */
    st->names[n] = "table64";
    st->externs[n].kind = BR_EXTERN_TABLE;
    st->externs[n].of.table =
        br_table_new(store, BR_FUNCREF, &table64, NULL);
    if (!st->externs[n++].of.table)
        return false;
    st->names[n] = "memory";
    st->externs[n].kind = BR_EXTERN_MEMORY;
    st->externs[n].of.memory = br_memory_new(store, &memory);
    if (!st->externs[n++].of.memory)
        return false;
    return add_globals(st, store, n);
}

bool
spectest_lookup(const spectest_t *st, const char *name, size_t name_len,
                br_extern_t *out)
{
    for (size_t i = 0; i < SPECTEST_EXPORTS; i++) {
        if (st->names[i] && strlen(st->names[i]) == name_len &&
            memcmp(st->names[i], name, name_len) == 0) {
            *out = st->externs[i];
            return true;
        }
    }
    return false;
}
