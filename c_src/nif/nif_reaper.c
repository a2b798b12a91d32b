/*
 * beamr NIF: the reaper, one thread per loaded library that unmaps the
 * big memory mappings and frees the big blocks of dead instances, so
 * that no scheduler blocks on it.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "beamr_nif.h"

/*
 * Why: an instance dies on whatever scheduler drops its last reference
 * (its owner process exiting, a garbage collection). Unmapping a linear
 * memory costs in proportion to the pages its guest touched: 54-62 ms
 * for 1 GiB on the project's machine, all that time with the scheduler
 * blocked. The engine hands such mappings to its unmap hook
 * (br_config_t.unmap) and the engine's allocator hands big frees here
 * (bnif_alloc): both only queue the work (a short lock and a small
 * allocation), and this thread does it.
 *
 * Lifetime: the library version's private data and its engine each hold
 * a reference. At unload the thread finishes the queue and ends (its
 * code must not outlive the library); later requests (objects of this
 * version that die after an upgrade) are done at once by the caller.
 * The struct goes with its last reference.
 */

/* Blocks smaller than this are freed at once: below it a free is cheap
 * (the allocator keeps or unmaps at most a few pages). */
#define BIG_FREE (4u << 20)

typedef struct reap_item {
    struct reap_item *next;
    void *addr;
    size_t size;
    bool is_free; /* enif_free(addr), else munmap(addr, size) */
} reap_item_t;

struct bnif_reaper {
    ErlNifMutex *lock;
    ErlNifCond *cond;
    ErlNifTid tid;
    bool running;             /* the thread takes requests (lock) */
    reap_item_t *head, *tail; /* queued requests, oldest first (lock) */
    atomic_int refs;
};

/*
 * Not one munmap: Linux holds the process's mmap lock for writing while
 * munmap frees the pages, and every thread that maps or unmaps memory
 * waits for it meanwhile (the VM's allocators do so all the time): 1 GiB
 * of touched pages blocked a prober thread's 64 KiB mmap for 400-580 ms
 * on the project's machine (loaded), 28-56 ms when the same pages were
 * first dropped with MADV_DONTNEED in 2 MiB steps, which take the lock
 * only for reading, one step at a time. The munmap that follows has no
 * pages left to free.
 */
#define DROP_STEP (2u << 20)

/* Drops the whole pages inside [addr, addr + size) step by step. The
 * memory is ours and dead: it may read as zeros from here on. */
static void
drop_pages(void *addr, size_t size)
{
    long ps = sysconf(_SC_PAGESIZE);
    size_t page = ps > 0 ? (size_t)ps : 4096;
    uintptr_t from = ((uintptr_t)addr + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t to = ((uintptr_t)addr + size) & ~(uintptr_t)(page - 1);
    for (uintptr_t p = from; p < to; p += DROP_STEP) {
        size_t n = to - p < DROP_STEP ? to - p : DROP_STEP;
        (void)madvise((void *)p, n, MADV_DONTNEED);
    }
}

/* A big block from enif_alloc is the allocator's: only its inside is
 * dropped (the allocator's headers lie before it), then it is freed. */
static void
reap(const reap_item_t *item)
{
    drop_pages(item->addr, item->size);
    if (item->is_free)
        enif_free(item->addr);
    else
        munmap(item->addr, item->size);
}

/* Pops the oldest request, waiting for one; NULL once stopped and the
 * queue is empty. */
static reap_item_t *
next_item(bnif_reaper_t *r)
{
    enif_mutex_lock(r->lock);
    while (r->head == NULL && r->running)
        enif_cond_wait(r->cond, r->lock);
    reap_item_t *item = r->head;
    if (item != NULL) {
        r->head = item->next;
        if (r->head == NULL)
            r->tail = NULL;
    }
    enif_mutex_unlock(r->lock);
    return item;
}

/* The reaper's work is never urgent, the schedulers' always is: on a
 * machine with few cores it must not take a core from them. Linux
 * gives each thread its own nice value; elsewhere this is a no-op
 * request for the calling process, which we skip. */
static void
lower_priority(void)
{
#ifdef __linux__
    (void)setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
#endif
}

static void *
reaper_main(void *arg)
{
    bnif_reaper_t *r = arg;
    reap_item_t *item;
    lower_priority();
    while ((item = next_item(r)) != NULL) {
        reap(item);
        enif_free(item);
    }
    return NULL;
}

static void
reaper_free(bnif_reaper_t *r)
{
    if (r->cond != NULL)
        enif_cond_destroy(r->cond);
    if (r->lock != NULL)
        enif_mutex_destroy(r->lock);
    enif_free(r);
}

bnif_reaper_t *
bnif_reaper_new(void)
{
    bnif_reaper_t *r = enif_alloc(sizeof *r);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof *r);
    atomic_init(&r->refs, 1);
    r->lock = enif_mutex_create("beamr_reaper");
    r->cond = enif_cond_create("beamr_reaper");
    if (r->lock == NULL || r->cond == NULL)
        goto fail;
    r->running = true;
    if (enif_thread_create("beamr_reaper", &r->tid, reaper_main, r, NULL) != 0)
        goto fail;
    return r;
fail:
    reaper_free(r);
    return NULL;
}

void
bnif_reaper_keep(bnif_reaper_t *r)
{
    atomic_fetch_add(&r->refs, 1);
}

void
bnif_reaper_release(bnif_reaper_t *r)
{
    if (r != NULL && atomic_fetch_sub(&r->refs, 1) == 1)
        reaper_free(r);
}

void
bnif_reaper_stop(bnif_reaper_t *r)
{
    if (r == NULL)
        return;
    enif_mutex_lock(r->lock);
    bool was = r->running;
    r->running = false;
    enif_cond_signal(r->cond);
    enif_mutex_unlock(r->lock);
    if (was)
        enif_thread_join(r->tid, NULL);
}

/* Queues a request; true if the thread will do it. */
static bool
submit(bnif_reaper_t *r, void *addr, size_t size, bool is_free)
{
    reap_item_t *item = enif_alloc(sizeof *item);
    if (item == NULL)
        return false;
    item->next = NULL;
    item->addr = addr;
    item->size = size;
    item->is_free = is_free;
    enif_mutex_lock(r->lock);
    bool queued = r->running;
    if (queued) {
        if (r->tail != NULL)
            r->tail->next = item;
        else
            r->head = item;
        r->tail = item;
        enif_cond_signal(r->cond);
    }
    enif_mutex_unlock(r->lock);
    if (!queued)
        enif_free(item);
    return queued;
}

/* br_unmap_fn: `ud` is the reaper. Done at once if it cannot queue. */
void
bnif_reaper_unmap(void *ud, void *addr, size_t size)
{
    if (!submit(ud, addr, size, false))
        munmap(addr, size);
}

bool
bnif_reaper_free(bnif_reaper_t *r, void *ptr, size_t size)
{
    return r != NULL && size >= BIG_FREE && submit(r, ptr, size, true);
}
