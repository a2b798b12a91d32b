/*
 * beamr WASI: poll_oneoff. Files are always ready; stdin is ready per its
 * config; a clock wait sleeps at most max_sleep_ns (the BEAM runs us on a
 * normal scheduler), after which the earliest clock reports as fired.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"

#define SUB_SIZE 48
#define EVENT_SIZE 32
#define CLOCKS 4 /* realtime, monotonic, process and thread cputime */

enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
enum { ABSTIME = 1, HANGUP = 1 };

typedef struct poll_state {
    bri_wasi_call_t *c;
    const uint8_t *subs;
    uint8_t *events;
    uint64_t nsubs;
    uint64_t nevents;
    uint64_t start[CLOCKS]; /* clock values when the call began */
    bool start_ok[CLOCKS];
    bool have_clock;
    bool stdin_waits;       /* an inherited stdin that was not ready */
    uint64_t min_wait;      /* ns until the earliest clock deadline */
} poll_state_t;

static void
emit(poll_state_t *ps, const uint8_t *sub, uint16_t err, uint64_t nbytes,
     uint16_t flags)
{
    uint8_t *ev = ps->events + ps->nevents++ * EVENT_SIZE;
    memset(ev, 0, EVENT_SIZE);
    memcpy(ev, sub, 8); /* userdata */
    bri_wasi_put16(ev + 8, err);
    ev[10] = sub[8];
    bri_wasi_put64(ev + 16, nbytes);
    bri_wasi_put16(ev + 24, flags);
}

/* Bytes left to read in a regular file (the event's nbytes). */
static uint64_t
file_remaining(int fd)
{
    struct stat st;
    off_t pos = lseek(fd, 0, SEEK_CUR);
    if (fstat(fd, &st) != 0 || pos < 0 || st.st_size < pos)
        return 0;
    return (uint64_t)(st.st_size - pos);
}

/* An fd subscription: emits its event if ready (or failing). */
static void
check_fd(poll_state_t *ps, const uint8_t *sub)
{
    bri_wasi_fd_t *e;
    uint64_t nbytes = 0;
    bool hangup = false;
    uint16_t err = bri_wasi_fdt_get(ps->c->w, bri_wasi_get32(sub + 16),
                                   BRI_R_POLL_FD_READWRITE, &e);
    if (err != BRI_WASI_ESUCCESS) {
        emit(ps, sub, err, 0, 0);
        return;
    }
    if (e->kind == BRI_WASI_FD_STREAM && e->stream == 0 &&
        sub[8] == EV_FD_READ) {
        if (!bri_wasi_stream_ready(ps->c->w, &nbytes, &hangup)) {
            ps->stdin_waits = true;
            return;
        }
    } else if (e->kind == BRI_WASI_FD_FILE && sub[8] == EV_FD_READ) {
        nbytes = file_remaining(e->host);
    }
    emit(ps, sub, 0, nbytes, hangup ? HANGUP : 0);
}

/* A clock subscription's deadline on its clock; false for unknown ids. */
static bool
deadline(const poll_state_t *ps, const uint8_t *sub, uint32_t *id,
         uint64_t *out)
{
    *id = bri_wasi_get32(sub + 16);
    if (*id >= CLOCKS || !ps->start_ok[*id])
        return false;
    uint64_t timeout = bri_wasi_get64(sub + 24);
    if (bri_wasi_get16(sub + 40) & ABSTIME)
        *out = timeout;
    else
        *out = ps->start[*id] + timeout < ps->start[*id]
                   ? UINT64_MAX
                   : ps->start[*id] + timeout;
    return true;
}

/* First pass: fd events, clock errors, the time to the next deadline. */
static void
scan(poll_state_t *ps)
{
    ps->min_wait = UINT64_MAX;
    for (uint64_t i = 0; i < ps->nsubs; i++) {
        const uint8_t *sub = ps->subs + i * SUB_SIZE;
        uint32_t id;
        uint64_t due;
        if (sub[8] == EV_FD_READ || sub[8] == EV_FD_WRITE) {
            check_fd(ps, sub);
        } else if (sub[8] != EV_CLOCK) {
            emit(ps, sub, BRI_WASI_EINVAL, 0, 0);
        } else if (!deadline(ps, sub, &id, &due)) {
            emit(ps, sub, BRI_WASI_EINVAL, 0, 0);
        } else {
            uint64_t left = due > ps->start[id] ? due - ps->start[id] : 0;
            ps->have_clock = true;
            if (left < ps->min_wait)
                ps->min_wait = left;
        }
    }
}

/* Emits the clocks whose deadline has passed; `force` the earliest one
 * if none has (the wait was cut short by the cap). */
static void
fire_clocks(poll_state_t *ps, bool force)
{
    uint64_t now[CLOCKS];
    const uint8_t *earliest = NULL;
    uint64_t best = UINT64_MAX;
    for (uint32_t k = 0; k < CLOCKS; k++)
        if (ps->start_ok[k] &&
            bri_wasi_clock_now(ps->c->w, k, &now[k]) != BRI_WASI_ESUCCESS)
            now[k] = ps->start[k];
    uint64_t before = ps->nevents;
    for (uint64_t i = 0; i < ps->nsubs; i++) {
        const uint8_t *sub = ps->subs + i * SUB_SIZE;
        uint32_t id;
        uint64_t due;
        if (sub[8] != EV_CLOCK || !deadline(ps, sub, &id, &due))
            continue;
        if (due <= now[id])
            emit(ps, sub, 0, 0, 0);
        else if (due - now[id] < best) {
            best = due - now[id];
            earliest = sub;
        }
    }
    if (force && ps->nevents == before && earliest != NULL)
        emit(ps, earliest, 0, 0, 0);
}

static void
wait_ns(br_wasi_t *w, uint64_t ns)
{
    if (w->sleep != NULL) {
        w->sleep(w->sleep_ud, ns);
        return;
    }
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

uint16_t
bri_wasi_poll_oneoff(bri_wasi_call_t *c)
{
    poll_state_t ps;
    memset(&ps, 0, sizeof ps);
    ps.c = c;
    ps.nsubs = c->a[2];
    if (ps.nsubs == 0)
        return BRI_WASI_EINVAL;
    if (ps.nsubs > UINT64_MAX / SUB_SIZE)
        return BRI_WASI_EFAULT;
    ps.subs = bri_wasi_mem(c, c->a[0], ps.nsubs * SUB_SIZE);
    ps.events = bri_wasi_mem(c, c->a[1], ps.nsubs * EVENT_SIZE);
    if (ps.subs == NULL || ps.events == NULL ||
        !bri_wasi_in_bounds(c, c->a[3], c->psize))
        return BRI_WASI_EFAULT;
    for (uint32_t k = 0; k < CLOCKS; k++)
        ps.start_ok[k] = bri_wasi_clock_now(c->w, k, &ps.start[k]) == 0;
    scan(&ps);
    uint64_t cap = c->w->max_sleep_ns;
    if (ps.nevents == 0 && ps.have_clock) {
        wait_ns(c->w, ps.min_wait < cap ? ps.min_wait : cap);
        fire_clocks(&ps, true);
    } else if (ps.nevents == 0 && ps.stdin_waits) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        poll(&p, 1, (int)(cap / 1000000u));
        scan(&ps);
    } else if (ps.have_clock) {
        fire_clocks(&ps, false);
    }
    return bri_wasi_store_size(c, c->a[3], ps.nevents);
}
