/*
 * beamr NIF: the registry from an instance's owner pid to the instance,
 * so that every NIF takes the pid `beamr:start' returned and no call
 * needs a message to the owner to find its instance.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"

typedef struct reg_entry {
    ErlNifPid pid;
    bnif_instance_t *inst; /* kept while registered */
    struct reg_entry *next;
} reg_entry_t;

/* A chained hash table; buckets double when entries outnumber them. */
struct bnif_registry {
    ErlNifMutex *lock;
    size_t count;
    size_t bucket_count; /* a power of two */
    reg_entry_t **buckets;
};

#define INITIAL_BUCKETS 64

bnif_registry_t *
bnif_registry_new(void)
{
    bnif_registry_t *r = enif_alloc(sizeof *r);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof *r);
    r->lock = enif_mutex_create("beamr_registry");
    r->bucket_count = INITIAL_BUCKETS;
    r->buckets = enif_alloc(INITIAL_BUCKETS * sizeof *r->buckets);
    if (r->lock == NULL || r->buckets == NULL) {
        bnif_registry_delete(r);
        return NULL;
    }
    memset(r->buckets, 0, INITIAL_BUCKETS * sizeof *r->buckets);
    return r;
}

/* Only at unload, when no instance of this library remains registered
 * that anyone could still reach. */
void
bnif_registry_delete(bnif_registry_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; r->buckets != NULL && i < r->bucket_count; i++) {
        reg_entry_t *e = r->buckets[i];
        while (e != NULL) {
            reg_entry_t *next = e->next;
            enif_release_resource(e->inst);
            enif_free(e);
            e = next;
        }
    }
    if (r->buckets != NULL)
        enif_free(r->buckets);
    if (r->lock != NULL)
        enif_mutex_destroy(r->lock);
    enif_free(r);
}

static size_t
bucket_of(const bnif_registry_t *r, const ErlNifPid *pid)
{
    /* A local pid is an immediate term: hashing it needs no env. */
    ErlNifUInt64 h = enif_hash(ERL_NIF_INTERNAL_HASH, pid->pid, 0);
    return (size_t)h & (r->bucket_count - 1);
}

/* Doubles the buckets; on allocation failure the chains just grow. */
static void
grow(bnif_registry_t *r)
{
    size_t n = r->bucket_count * 2;
    reg_entry_t **b = enif_alloc(n * sizeof *b);
    if (b == NULL)
        return;
    memset(b, 0, n * sizeof *b);
    reg_entry_t **old = r->buckets;
    size_t old_n = r->bucket_count;
    r->buckets = b;
    r->bucket_count = n;
    for (size_t i = 0; i < old_n; i++) {
        reg_entry_t *e = old[i];
        while (e != NULL) {
            reg_entry_t *next = e->next;
            size_t k = bucket_of(r, &e->pid);
            e->next = b[k];
            b[k] = e;
            e = next;
        }
    }
    enif_free(old);
}

bool
bnif_registry_put(bnif_registry_t *r, const ErlNifPid *pid, bnif_instance_t *in)
{
    reg_entry_t *e = enif_alloc(sizeof *e);
    if (e == NULL)
        return false;
    e->pid = *pid;
    e->inst = in;
    enif_keep_resource(in);
    enif_mutex_lock(r->lock);
    if (r->count >= r->bucket_count)
        grow(r);
    size_t k = bucket_of(r, pid);
    e->next = r->buckets[k];
    r->buckets[k] = e;
    r->count++;
    enif_mutex_unlock(r->lock);
    return true;
}

/* Unregisters `in` (if it is registered under `pid`). */
void
bnif_registry_remove(bnif_registry_t *r, const ErlNifPid *pid,
                     bnif_instance_t *in)
{
    reg_entry_t *found = NULL;
    enif_mutex_lock(r->lock);
    for (reg_entry_t **p = &r->buckets[bucket_of(r, pid)]; *p != NULL;
         p = &(*p)->next) {
        if ((*p)->inst == in) {
            found = *p;
            *p = found->next;
            r->count--;
            break;
        }
    }
    enif_mutex_unlock(r->lock);
    if (found != NULL) {
        enif_release_resource(found->inst);
        enif_free(found);
    }
}

/* The instance owned by `pid`, kept for the caller (who releases it),
 * or NULL. */
bnif_instance_t *
bnif_registry_find(bnif_registry_t *r, const ErlNifPid *pid)
{
    bnif_instance_t *in = NULL;
    enif_mutex_lock(r->lock);
    for (reg_entry_t *e = r->buckets[bucket_of(r, pid)]; e != NULL;
         e = e->next) {
        if (enif_compare_pids(&e->pid, pid) == 0) {
            in = e->inst;
            enif_keep_resource(in);
            break;
        }
    }
    enif_mutex_unlock(r->lock);
    return in;
}
