/*
 * beamr engine: the engine object, holding the host allocator and the
 * default resource limits every store starts from.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "alloc.h"
#include "aot.h" /* bri_opshape_t, for the native tier's cache */
#include "mem_pool.h"
#include "types.h"

#define DEFAULT_MAX_TABLE_ELEMS 10000000u
#define DEFAULT_MAX_CALL_DEPTH 20000u
#define DEFAULT_MAX_STACK_SLOTS (4u << 20)

/* A memory's cap is the smaller of this and the spec maximum of its
 * index type (65536 pages for i32, BR_MAX_PAGES64 for i64), resolved
 * when the memory is created. */
static void
fill_default_limits(br_limits_t *limits)
{
    if (limits->max_memory_pages == 0)
        limits->max_memory_pages = BR_DEFAULT_MAX_MEMORY_PAGES;
    if (limits->max_table_elems == 0)
        limits->max_table_elems = DEFAULT_MAX_TABLE_ELEMS;
    if (limits->max_call_depth == 0)
        limits->max_call_depth = DEFAULT_MAX_CALL_DEPTH;
    if (limits->max_stack_slots == 0)
        limits->max_stack_slots = DEFAULT_MAX_STACK_SLOTS;
}

br_engine_t *
br_engine_new(const br_config_t *config)
{
    br_config_t cfg = {0};
    if (config)
        cfg = *config;
    bri_allocator_t alloc = {cfg.alloc, cfg.alloc_ud};
    if (!alloc.fn) {
        alloc.fn = bri_default_alloc;
        alloc.ud = NULL;
    }
    br_engine_t *engine = bri_alloc(&alloc, sizeof *engine);
    if (!engine)
        return NULL;
    engine->alloc = alloc;
    engine->pool = bri_mempool_new(&alloc, cfg.unmap, cfg.unmap_ud);
    if (!engine->pool) {
        bri_free(&alloc, engine, sizeof *engine);
        return NULL;
    }
    engine->limits = cfg.limits;
    fill_default_limits(&engine->limits);
    engine->disabled_features = cfg.disabled_features;
    atomic_init(&engine->native_shapes, NULL);
    engine->rtt_reg = bri_rttreg_new(&alloc);
    if (!engine->rtt_reg) {
        bri_mempool_delete(engine->pool);
        bri_free(&alloc, engine, sizeof *engine);
        return NULL;
    }
    engine->tier = cfg.tier <= BR_TIER_AUTO ? (uint8_t)cfg.tier : BR_TIER_INTERP;
    return engine;
}

void
br_engine_delete(br_engine_t *engine)
{
    if (!engine)
        return;
    bri_allocator_t alloc = engine->alloc;
    bri_free(&alloc, atomic_load(&engine->native_shapes),
             sizeof(bri_opshape_t) * BR_OP__COUNT);
    bri_mempool_delete(engine->pool);
    bri_rttreg_delete(engine->rtt_reg);
    bri_free(&alloc, engine, sizeof *engine);
}
