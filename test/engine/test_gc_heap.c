/*
 * beamr tests: the GC heap and its collector (c_src/engine/gc/), with
 * runtime types built by hand: a linked-list struct, an array of
 * references, a packed i8 array. Roots are host globals, pins and an
 * exec's value stack; cycles run in steps while the test mutates the
 * graph (the write barrier), and the allocator must end at 0 bytes.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>

#include "../../c_src/engine/gc/heap_impl.h"
#include "check.h"
#include "count_alloc.h"

/* ------------------------------------------------------------------ */
/* Hand-built runtime types                                            */

/* node: (struct (field i32) (field (ref null node))), next at 8 */
static const uint8_t node_storage[] = {BRI_ST_I32, BRI_ST_REF};
static const uint8_t node_mut[] = {1, 1};
static const uint32_t node_offset[] = {0, 8};
static const uint32_t node_refs[] = {8};
static const bri_rtt_t node_rtt;
static const bri_rtt_t *const node_supers[] = {&node_rtt};
static const bri_rtt_t node_rtt = {
    .kind = BRI_RTT_STRUCT,
    .depth = 0,
    .supers = node_supers,
    .field_count = 2,
    .storage = node_storage,
    .mutable_ = node_mut,
    .offset = node_offset,
    .size = 16,
    .ref_count = 1,
    .ref_offsets = node_refs,
};

/* refs: (array (mut (ref null any))) */
static const uint8_t refs_storage[] = {BRI_ST_REF};
static const uint8_t one_mut[] = {1};
static const bri_rtt_t refs_rtt;
static const bri_rtt_t *const refs_supers[] = {&refs_rtt};
static const bri_rtt_t refs_rtt = {
    .kind = BRI_RTT_ARRAY,
    .supers = refs_supers,
    .field_count = 1,
    .storage = refs_storage,
    .mutable_ = one_mut,
    .size = 8,
};

/* bytes: (array (mut i8)) */
static const uint8_t bytes_storage[] = {BRI_ST_I8};
static const bri_rtt_t bytes_rtt;
static const bri_rtt_t *const bytes_supers[] = {&bytes_rtt};
static const bri_rtt_t bytes_rtt = {
    .kind = BRI_RTT_ARRAY,
    .supers = bytes_supers,
    .field_count = 1,
    .storage = bytes_storage,
    .mutable_ = one_mut,
    .size = 1,
};

static br_ref_t
get_ref(bri_gc_object_t *obj, size_t offset)
{
    br_ref_t r;
    memcpy(&r, bri_gc_payload(obj) + offset, sizeof r);
    return r;
}

/* A field store the way the instructions do it: barrier, then write. */
static void
set_ref(bri_gc_heap_t *heap, bri_gc_object_t *obj, size_t offset, br_ref_t r)
{
    bri_gc_barrier(heap, get_ref(obj, offset));
    memcpy(bri_gc_payload(obj) + offset, &r, sizeof r);
}

static int32_t
node_val(bri_gc_object_t *n)
{
    int32_t v;
    memcpy(&v, bri_gc_payload(n), sizeof v);
    return v;
}

/* A list of `n` nodes valued base .. base+n-1 from the head. Each new
 * node is the head, kept in `root`'s field 0 (so it is reachable at
 * every allocation, as the instructions guarantee with stack slots). */
static bri_gc_object_t *
make_list(bri_gc_heap_t *heap, bri_gc_object_t *root, size_t field,
          int32_t base, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        bri_gc_object_t *node = bri_gc_alloc(heap, &node_rtt, 0);
        if (node == NULL)
            return NULL;
        int32_t v = base + i;
        memcpy(bri_gc_payload(node), &v, sizeof v);
        set_ref(heap, node, 8, get_ref(root, field));
        set_ref(heap, root, field, node);
    }
    return get_ref(root, field);
}

/* Whether a list is intact: n live nodes valued base, base+1 ... */
static bool
list_ok(const bri_gc_heap_t *heap, bri_gc_object_t *head, int32_t base, int n)
{
    for (int i = 0; i < n; i++) {
        if (!bri_gc_is_object(heap, head) || head->rtt != &node_rtt ||
            node_val(head) != base + i)
            return false;
        head = get_ref(head, 8);
    }
    return head == NULL;
}

typedef struct rig {
    counter_t counter;
    br_engine_t *engine;
    br_store_t *store;
    bri_gc_heap_t *heap;
} rig_t;

static void
rig_open(rig_t *r, uint64_t pages)
{
    r->engine = count_engine_new(&r->counter);
    br_limits_t limits = {.max_memory_pages = pages};
    r->store = br_store_new(r->engine, &limits);
    r->heap = bri_gc_heap_of(r->store);
}

/* Closes the rig; every byte the heap took must have come back. */
static void
rig_close(rig_t *r)
{
    br_store_delete(r->store);
    br_engine_delete(r->engine);
    CHECK_EQ(r->counter.live, 0);
}

/* A pinned array of `n` references: the tests' root set. */
static bri_gc_object_t *
pinned_roots(rig_t *r, uint32_t n)
{
    bri_gc_object_t *roots = bri_gc_alloc(r->heap, &refs_rtt, n);
    CHECK(roots != NULL);
    CHECK_EQ(bri_gc_pin(r->heap, roots), BR_ERR_OK);
    return roots;
}

/* Runs the cycle under way to its end in small steps. */
static void
finish_in_steps(bri_gc_heap_t *heap)
{
    while (heap->phase != GC_IDLE)
        bri_gc_pay(heap, GC_STEP_MIN);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void
test_unreachable_freed(void)
{
    rig_t r;
    rig_open(&r, 0);
    bri_gc_object_t *first = NULL;
    int made = 0;
    for (int i = 0; i < 20000; i++) {
        bri_gc_object_t *n = bri_gc_alloc(r.heap, &node_rtt, 0);
        made += n != NULL;
        if (first == NULL)
            first = n;
    }
    CHECK_EQ(made, 20000);
    br_gc_stats_t s;
    bri_gc_stats(r.heap, &s);
    CHECK(s.live_bytes >= 20000 * 32);
    br_gc_collect(r.store);
    bri_gc_stats(r.heap, &s);
    CHECK_EQ(s.live_bytes, 0);
    CHECK(!bri_gc_is_object(r.heap, first));
    CHECK(s.cycles >= 1);
    rig_close(&r);
}

static void
test_reachable_survive(void)
{
    rig_t r;
    rig_open(&r, 0);
    bri_gc_object_t *roots = pinned_roots(&r, 4);
    make_list(r.heap, roots, 0, 100, 1000);
    for (int i = 0; i < 5000; i++) /* garbage between */
        bri_gc_alloc(r.heap, &node_rtt, 0);
    br_gc_collect(r.store);
    CHECK(list_ok(r.heap, get_ref(roots, 0), 100, 1000));
    br_gc_stats_t s;
    bri_gc_stats(r.heap, &s);
    /* the list and the root array, nothing more */
    CHECK(s.live_bytes < 1000 * 32 + 200); /* 16 + 16 bytes a node */
    bri_gc_object_t *head = get_ref(roots, 0);
    set_ref(r.heap, roots, 0, NULL);
    br_gc_collect(r.store);
    CHECK(!bri_gc_is_object(r.heap, head));
    CHECK(bri_gc_is_object(r.heap, roots));
    bri_gc_unpin(r.heap, roots);
    br_gc_collect(r.store);
    CHECK(!bri_gc_is_object(r.heap, roots));
    rig_close(&r);
}

/* A host global of kind externref that holds an object is a root. */
static void
test_global_root(void)
{
    rig_t r;
    rig_open(&r, 0);
    bri_gc_object_t *a = bri_gc_alloc(r.heap, &bytes_rtt, 100);
    br_val_t v = {.kind = BR_EXTERNREF};
    v.of.ref = a;
    br_global_t *g = br_global_new(r.store, BR_EXTERNREF, true, &v);
    br_gc_collect(r.store);
    CHECK(bri_gc_is_object(r.heap, a));
    v.of.ref = NULL;
    CHECK(br_global_set(g, &v));
    br_gc_collect(r.store);
    CHECK(!bri_gc_is_object(r.heap, a));
    rig_close(&r);
}

/*
 * Snapshot at the beginning: while a cycle marks, the list moves from a
 * gray root to an object born black, and the old field is cleared. The
 * barrier on the cleared field is what keeps the list; without it the
 * list is lost (the control run shows the test can fail).
 */
static void
move_during_mark(bool barrier)
{
    rig_t r;
    rig_open(&r, 0);
    bri_gc_object_t *roots = pinned_roots(&r, 2);
    make_list(r.heap, roots, 0, 7, 500);
    bri_gc_object_t *holder = bri_gc_alloc(r.heap, &refs_rtt, 1);
    set_ref(r.heap, roots, 8, holder);
    /* start a cycle: it takes the roots, the roots array is gray */
    bri_gc_pay(r.heap, r.heap->trigger);
    CHECK(r.heap->phase == GC_MARK);
    /* a new black object takes the list; the roots let go of it */
    bri_gc_object_t *black = bri_gc_alloc(r.heap, &refs_rtt, 1);
    bri_gc_object_t *head = get_ref(roots, 0);
    memcpy(bri_gc_payload(black), &head, sizeof head);
    memcpy(bri_gc_payload(holder), &black, sizeof black);
    if (barrier)
        set_ref(r.heap, roots, 0, NULL);
    else
        memset(bri_gc_payload(roots), 0, 8);
    finish_in_steps(r.heap);
    if (barrier)
        CHECK(list_ok(r.heap, head, 7, 500));
    else
        CHECK(!bri_gc_is_object(r.heap, head));
    rig_close(&r);
}

static void
test_barrier(void)
{
    move_during_mark(true);
    move_during_mark(false);
}

/*
 * Objects allocated while the sweep runs, in a page the sweep has not
 * reached yet (a new one: the old pages are still full of garbage), are
 * live: the sweep must not free them when it gets there.
 */
static void
test_alloc_during_sweep(void)
{
    rig_t r;
    rig_open(&r, 0);
    bri_gc_object_t *roots = pinned_roots(&r, 1);
    /* 200 pages of 40-byte garbage, one pinned cell in 1000 so that no
     * page empties (no free page for the list below to reuse) */
    r.heap->trigger = UINT64_MAX;
    for (int i = 0; i < 200 * 1638; i++) {
        bri_gc_object_t *a = bri_gc_alloc(r.heap, &bytes_rtt, 20);
        if (i % 1000 == 0)
            bri_gc_pin(r.heap, a);
    }
    r.heap->trigger = 0;
    bri_gc_pay(r.heap, 1);
    while (r.heap->phase == GC_MARK)
        bri_gc_pay(r.heap, GC_STEP_MIN / GC_PACE);
    CHECK(r.heap->phase == GC_SWEEP);
    CHECK(r.heap->sweep_page < r.heap->page_count / 2);
    make_list(r.heap, roots, 0, 5, 400); /* new pages ahead of the sweep */
    finish_in_steps(r.heap);
    CHECK(list_ok(r.heap, get_ref(roots, 0), 5, 400));
    rig_close(&r);
}

/*
 * Many cycles in small steps while the mutator keeps rewiring the graph:
 * 64 lists whose nodes move between lists (barriered stores) and new
 * nodes are pushed, all the while garbage is made. Each list's node
 * count and checksum are kept on the side and must match at the end.
 */
static void
test_mutate_while_marking(void)
{
    rig_t r;
    rig_open(&r, 0);
    enum { LISTS = 64 };
    bri_gc_object_t *roots = pinned_roots(&r, LISTS);
    int count[LISTS] = {0};
    int64_t sum[LISTS] = {0};
    srand(18);
    uint64_t cycles_before = r.heap->stats.cycles;
    for (int it = 0; it < 200000; it++) {
        int a = rand() % LISTS, b = rand() % LISTS;
        if (rand() % 3 == 0 && count[a] != 0) {
            /* move the head of list a to list b */
            bri_gc_object_t *n = get_ref(roots, (size_t)a * 8);
            set_ref(r.heap, roots, (size_t)a * 8, get_ref(n, 8));
            set_ref(r.heap, n, 8, get_ref(roots, (size_t)b * 8));
            set_ref(r.heap, roots, (size_t)b * 8, n);
            count[a]--, count[b]++;
            sum[a] -= node_val(n), sum[b] += node_val(n);
        } else if (rand() % 2 == 0) {
            bri_gc_object_t *n = bri_gc_alloc(r.heap, &node_rtt, 0);
            int32_t v = it;
            memcpy(bri_gc_payload(n), &v, sizeof v);
            set_ref(r.heap, n, 8, get_ref(roots, (size_t)a * 8));
            set_ref(r.heap, roots, (size_t)a * 8, n);
            count[a]++, sum[a] += v;
        } else if (count[a] > 200) {
            set_ref(r.heap, roots, (size_t)a * 8, NULL); /* drop a list */
            count[a] = 0, sum[a] = 0;
        }
        bri_gc_alloc(r.heap, &bytes_rtt, (uint32_t)(rand() % 600));
    }
    CHECK(r.heap->stats.cycles > cycles_before + 5);
    finish_in_steps(r.heap);
    br_gc_collect(r.store);
    bool ok = true;
    for (int l = 0; l < LISTS; l++) {
        int n = 0;
        int64_t s = 0;
        for (bri_gc_object_t *p = get_ref(roots, (size_t)l * 8); p != NULL;
             p = get_ref(p, 8)) {
            if (!bri_gc_is_object(r.heap, p) || n > count[l]) {
                ok = false;
                break;
            }
            n++, s += node_val(p);
        }
        ok = ok && n == count[l] && s == sum[l];
    }
    CHECK(ok);
    rig_close(&r);
}

static br_host_status_t
no_host(void *env, br_exec_t *exec, const br_val_t *args, br_val_t *results)
{
    (void)env, (void)exec, (void)args, (void)results;
    return BR_HOST_OK;
}

/* The value stack is scanned conservatively: a slot holding an object's
 * address keeps it; an address inside an object keeps nothing. */
static void
test_stack_roots(void)
{
    rig_t r;
    rig_open(&r, 0);
    br_valkind_t params[3] = {BR_EXTERNREF, BR_EXTERNREF, BR_I64};
    br_functype_t type = {.param_count = 3, .params = params};
    br_func_t *f = br_func_new_host(r.store, &type, no_host, NULL);
    br_exec_t *exec = br_exec_new(r.store);
    bri_gc_object_t *kept = bri_gc_alloc(r.heap, &node_rtt, 0);
    bri_gc_object_t *inner = bri_gc_alloc(r.heap, &bytes_rtt, 64);
    bri_gc_object_t *as_int = bri_gc_alloc(r.heap, &node_rtt, 0);
    /* as a direct host call with these arguments would have them */
    exec->stack = bri_calloc(&exec->alloc, 4, sizeof(br_slot_t));
    exec->stack_cap = 4;
    exec->entry = f;
    exec->stack[0].ref = kept;
    exec->stack[1].ref = (uint8_t *)inner + 8;
    exec->stack[2].u64 = (uint64_t)(uintptr_t)as_int; /* an i64 */
    br_gc_collect(r.store);
    CHECK(bri_gc_is_object(r.heap, kept));
    CHECK(!bri_gc_is_object(r.heap, inner));
    CHECK(bri_gc_is_object(r.heap, as_int)); /* conservative: kept */
    exec->entry = NULL;
    br_exec_delete(exec);
    br_gc_collect(r.store);
    CHECK(!bri_gc_is_object(r.heap, kept));
    rig_close(&r);
}

/* Only the start of a live object is an object. */
static void
test_is_object_exact(void)
{
    rig_t r;
    rig_open(&r, 0);
    bri_gc_object_t *small = bri_gc_alloc(r.heap, &node_rtt, 0);
    bri_gc_object_t *big = bri_gc_alloc(r.heap, &bytes_rtt, 100000);
    CHECK(bri_gc_is_object(r.heap, small));
    CHECK(bri_gc_is_object(r.heap, big));
    CHECK(!bri_gc_is_object(r.heap, (uint8_t *)small + 8));
    CHECK(!bri_gc_is_object(r.heap, (uint8_t *)small + 24)); /* next cell */
    CHECK(!bri_gc_is_object(r.heap, (uint8_t *)big + 16));
    CHECK(!bri_gc_is_object(r.heap, NULL));
    CHECK(!bri_gc_is_object(r.heap, bri_gc_i31_make(12345)));
    void *host = malloc(64);
    CHECK(!bri_gc_is_object(r.heap, host));
    free(host);
    br_functype_t type = {0};
    br_func_t *f = br_func_new_host(r.store, &type, no_host, NULL);
    CHECK(!bri_gc_is_object(r.heap, f));
    CHECK(!br_gc_is_object(r.store, (void *)&test_is_object_exact));
    rig_close(&r);
}

/* Large arrays: zeroed, kept while pinned, freed after, bytes back. */
static void
test_large(void)
{
    rig_t r;
    rig_open(&r, 0);
    bri_gc_object_t *a = bri_gc_alloc(r.heap, &bytes_rtt, 3u << 20);
    CHECK(a != NULL && a->length == 3u << 20);
    bool zero = true;
    for (uint32_t i = 0; i < a->length; i += 4093)
        zero = zero && bri_gc_payload(a)[i] == 0;
    CHECK(zero);
    CHECK_EQ(bri_gc_pin(r.heap, a), BR_ERR_OK);
    br_gc_collect(r.store);
    CHECK(bri_gc_is_object(r.heap, a));
    CHECK(r.heap->bytes >= 3u << 20);
    bri_gc_unpin(r.heap, a);
    br_gc_collect(r.store);
    CHECK(!bri_gc_is_object(r.heap, a));
    CHECK(r.heap->bytes < 1u << 20);
    /* an array of 100,000 references to nodes, traced in chunks */
    bri_gc_object_t *roots = pinned_roots(&r, 1);
    bri_gc_object_t *arr = bri_gc_alloc(r.heap, &refs_rtt, 100000);
    set_ref(r.heap, roots, 0, arr);
    for (uint32_t i = 0; i < arr->length; i++) {
        bri_gc_object_t *n = bri_gc_alloc(r.heap, &node_rtt, 0);
        int32_t v = (int32_t)i;
        memcpy(bri_gc_payload(n), &v, sizeof v);
        set_ref(r.heap, arr, (size_t)i * 8, n);
    }
    br_gc_collect(r.store);
    bool ok = true;
    for (uint32_t i = 0; i < arr->length; i++) {
        bri_gc_object_t *n = get_ref(arr, (size_t)i * 8);
        ok = ok && bri_gc_is_object(r.heap, n) && node_val(n) == (int32_t)i;
    }
    CHECK(ok);
    rig_close(&r);
}

/* The limit: allocation stops at max_memory_pages * 64 KiB (NULL, the
 * instruction traps), and garbage is collected before it refuses. */
static void
test_limit(void)
{
    rig_t r;
    rig_open(&r, 64); /* 4 MiB */
    bri_gc_object_t *roots = pinned_roots(&r, 1000);
    uint32_t kept = 0;
    for (; kept < 1000; kept++) {
        bri_gc_object_t *a = bri_gc_alloc(r.heap, &bytes_rtt, 100000);
        if (a == NULL)
            break;
        set_ref(r.heap, roots, (size_t)kept * 8, a);
    }
    CHECK(kept > 30 && kept < 42); /* 4 MiB / ~100 KB */
    CHECK(r.heap->bytes <= r.heap->limit);
    CHECK(bri_gc_alloc(r.heap, &bytes_rtt, 1u << 20) == NULL);
    for (uint32_t i = 0; i < kept; i++)
        set_ref(r.heap, roots, (size_t)i * 8, NULL);
    /* all garbage now: allocation goes on past the limit's worth */
    int made = 0;
    for (int i = 0; i < 200; i++)
        made += bri_gc_alloc(r.heap, &bytes_rtt, 100000) != NULL;
    CHECK_EQ(made, 200);
    CHECK(r.heap->bytes <= r.heap->limit);
    rig_close(&r);
}

/* The heap and the store's linear memories share the one budget: a
 * memory of 3 MiB leaves about 1 MiB of a 4 MiB limit to the heap, and a
 * heap holding 2 MiB lets that memory grow by no more than what is
 * left. */
static void
test_limit_shared_with_memory(void)
{
    rig_t r;
    rig_open(&r, 64);                  /* 4 MiB */
    br_limitstype_t lim = {.min = 48}; /* 3 MiB */
    br_memory_t *mem = br_memory_new(r.store, &lim);
    CHECK(mem != NULL);
    bri_gc_object_t *roots = pinned_roots(&r, 1000);
    uint32_t kept = 0;
    for (; kept < 1000; kept++) {
        bri_gc_object_t *a = bri_gc_alloc(r.heap, &bytes_rtt, 100000);
        if (a == NULL)
            break;
        set_ref(r.heap, roots, (size_t)kept * 8, a);
    }
    CHECK(kept > 4 && kept < 11); /* about 1 MiB / ~100 KB */
    CHECK(r.heap->bytes + br_memory_size(mem) <= r.heap->limit);
    /* what the heap holds is not there for the memory */
    uint64_t old;
    CHECK(!br_memory_grow(mem, 16, &old));
    for (uint32_t i = 0; i < kept; i++)
        set_ref(r.heap, roots, (size_t)i * 8, NULL);
    bri_gc_collect(r.heap);
    /* freed: the pages may stay with the heap, but not more than fits */
    CHECK(br_memory_grow(mem, 1, &old) ==
          (r.heap->bytes + br_memory_size(mem) + 65536 <= r.heap->limit));
    CHECK(r.heap->bytes + br_memory_size(mem) <= r.heap->limit);
    rig_close(&r);
}

/*
 * Steps stay bounded: 256 MB allocated under a 16 MiB limit with a
 * small live set never needs a full collection, and no step does more
 * than GC_STEP_MAX work units plus one unit of work (an array chunk).
 */
static void
test_bounded_steps(void)
{
    rig_t r;
    rig_open(&r, 256);
    bri_gc_object_t *roots = pinned_roots(&r, 64);
    srand(7);
    uint64_t total = 0;
    bool all = true;
    while (total < (256u << 20)) {
        uint32_t len = (uint32_t)(rand() % 4000);
        bri_gc_object_t *a = bri_gc_alloc(r.heap, &refs_rtt, len);
        if (a == NULL) {
            all = false;
            break;
        }
        total += 16 + (uint64_t)len * 8;
        if (rand() % 16 == 0)
            set_ref(r.heap, roots, (size_t)(rand() % 64) * 8, a);
        if (len > 0)
            make_list(r.heap, a, 0, 0, 3);
    }
    CHECK(all);
    br_gc_stats_t s;
    bri_gc_stats(r.heap, &s);
    CHECK(s.cycles >= 10);
    CHECK_EQ(s.full_collections, 0);
    CHECK(s.max_step_work <= GC_STEP_MAX + 16 + GC_ARRAY_CHUNK * 8);
    CHECK(s.heap_bytes <= s.limit_bytes);
    printf("bounded steps: %llu cycles, %llu steps, worst step %llu units "
           "%llu ns, root scan %llu units, heap %llu KiB\n",
           (unsigned long long)s.cycles, (unsigned long long)s.steps,
           (unsigned long long)s.max_step_work,
           (unsigned long long)s.max_step_ns,
           (unsigned long long)s.max_root_work,
           (unsigned long long)(s.heap_bytes >> 10));
    rig_close(&r);
}

/* The allocator refuses: NULL, and nothing leaks. */
static void
test_alloc_failures(void)
{
    for (long n = 0; n < 40; n++) {
        rig_t r;
        rig_open(&r, 0);
        r.counter.fail_at = r.counter.calls + n;
        bri_gc_object_t *roots = bri_gc_alloc(r.heap, &refs_rtt, 4);
        if (roots != NULL && bri_gc_pin(r.heap, roots) == BR_ERR_OK) {
            make_list(r.heap, roots, 0, 0, 3000);
            bri_gc_alloc(r.heap, &bytes_rtt, 20000);
            br_gc_collect(r.store);
        }
        r.counter.fail_at = -1;
        rig_close(&r);
    }
}

/* Snapshots refuse a store with live GC objects (gc_heap_not_
 * snapshotable); garbage alone does not stop them. */
static void
test_snapshot_refused(void)
{
    rig_t r;
    rig_open(&r, 0);
    static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    br_module_t *m = NULL;
    br_instance_t *inst = NULL;
    CHECK_EQ(br_module_new(r.engine, empty, sizeof empty, &m, NULL), BR_ERR_OK);
    CHECK_EQ(br_instance_new(r.store, m, NULL, 0, &inst, NULL, NULL),
             BR_ERR_OK);
    bri_gc_object_t *obj = bri_gc_alloc(r.heap, &node_rtt, 0);
    CHECK_EQ(bri_gc_pin(r.heap, obj), BR_ERR_OK);
    uint8_t *snap = NULL;
    size_t size = 0;
    CHECK_EQ(br_instance_snapshot(inst, &snap, &size), BR_ERR_GC_HEAP_SNAPSHOT);
    CHECK(snap == NULL);
    CHECK(strcmp(br_err_atom(BR_ERR_GC_HEAP_SNAPSHOT),
                 "gc_heap_not_snapshotable") == 0);
    bri_gc_unpin(r.heap, obj);
    CHECK_EQ(br_instance_snapshot(inst, &snap, &size), BR_ERR_OK);
    br_engine_free_buffer(r.engine, snap, size);
    br_store_delete(r.store);
    br_module_delete(m);
    br_engine_delete(r.engine);
    CHECK_EQ(r.counter.live, 0);
}

int
main(void)
{
    test_unreachable_freed();
    test_reachable_survive();
    test_global_root();
    test_barrier();
    test_alloc_during_sweep();
    test_mutate_while_marking();
    test_stack_roots();
    test_is_object_exact();
    test_large();
    test_limit();
    test_limit_shared_with_memory();
    test_bounded_steps();
    test_alloc_failures();
    test_snapshot_refused();
    return CHECK_DONE();
}
