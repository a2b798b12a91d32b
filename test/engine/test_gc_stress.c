/*
 * beamr tests: the GC stress test (issue 18). test/gc/stress.wat
 * allocates 2 GiB in lists and arrays (256 MiB under ASan, where each
 * allocation costs ten times more) under a 64 MiB memory limit, run in
 * slices of fuel as the NIF runs it; it must complete with every list
 * intact, the heap never above the limit, no collection run whole, and
 * no collector step above its work bound. Prints the collector's figures.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <time.h>

#include "../../c_src/engine/gc/heap_impl.h"
#include "check.h"
#include "wat_rig.h"

#if defined(__SANITIZE_ADDRESS__)
#define STRESS_MIB 256
#else
#define STRESS_MIB 2048
#endif

static char *
read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (text != NULL && fread(text, 1, (size_t)n, f) == (size_t)n)
        text[n] = '\0';
    fclose(f);
    return text;
}

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(void)
{
    char *text = read_text("test/gc/stress.wat");
    CHECK(text != NULL);
    if (text == NULL)
        return CHECK_DONE();
    br_engine_t *engine = br_engine_new(NULL);
    br_module_t *mod = wat_rig_compile(engine, text);
    free(text);
    CHECK(mod != NULL);
    br_limits_t limits = {.max_memory_pages = 1024}; /* 64 MiB */
    br_store_t *store = br_store_new(engine, &limits);
    br_instance_t *inst = NULL;
    br_error_t err;
    br_trap_t trap;
    CHECK_EQ(br_instance_new(store, mod, NULL, 0, &inst, &err, &trap),
             BR_ERR_OK);
    br_extern_t run;
    CHECK(br_instance_export(inst, "run", 3, &run));
    br_exec_t *exec = br_exec_new(store);
    br_val_t arg = {.kind = BR_I64, .of.i64 = STRESS_MIB};
    CHECK_EQ(br_exec_call(exec, run.of.func, &arg, 1), BR_ERR_OK);
    /* slices of 100,000 units of fuel: a fraction of a millisecond */
    br_status_t st;
    uint64_t slices = 0, worst_slice = 0, t0 = now_ns();
    do {
        uint64_t t = now_ns();
        st = br_exec_run(exec, 100000);
        t = now_ns() - t;
        worst_slice = t > worst_slice ? t : worst_slice;
        slices++;
    } while (st == BR_YIELD);
    uint64_t total = now_ns() - t0;
    CHECK_EQ(st, BR_DONE);
    if (st == BR_DONE)
        CHECK_EQ(br_exec_results(exec)[0].of.i32, 1);
    br_gc_stats_t s;
    br_gc_stats(store, &s);
    CHECK(s.allocated_bytes >= (uint64_t)STRESS_MIB << 20);
    CHECK(s.peak_heap_bytes <= s.limit_bytes);
    CHECK_EQ(s.limit_bytes, 64u << 20);
    CHECK_EQ(s.full_collections, 0);
    CHECK(s.cycles > 10);
    CHECK(s.max_step_work <= GC_STEP_MAX + 16 + GC_ARRAY_CHUNK * 8);
    printf("gc stress: %llu MiB allocated in %llu objects, %.2f s, %llu "
           "slices (worst %.3f ms); heap peak %.1f MiB of %llu MiB; "
           "%llu cycles, %llu steps, worst step %llu units %.3f ms, "
           "largest root scan %llu units, full collections %llu\n",
           (unsigned long long)(s.allocated_bytes >> 20),
           (unsigned long long)s.allocations, (double)total / 1e9,
           (unsigned long long)slices, (double)worst_slice / 1e6,
           (double)s.peak_heap_bytes / (1 << 20),
           (unsigned long long)(s.limit_bytes >> 20),
           (unsigned long long)s.cycles, (unsigned long long)s.steps,
           (unsigned long long)s.max_step_work, (double)s.max_step_ns / 1e6,
           (unsigned long long)s.max_root_work,
           (unsigned long long)s.full_collections);
    br_exec_delete(exec);
    br_store_delete(store);
    br_module_delete(mod);
    br_engine_delete(engine);
    return CHECK_DONE();
}
