/*
 * beamr WASI: helpers the calls share, below them: values stored into
 * and read from guest memory (sizes, iovecs, path arguments), the
 * filestat layout and time arguments, clocks.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include "wasi_internal.h"

/* ------------------------------------------------------------------ */
/* Guest memory                                                        */

uint16_t
bri_wasi_store_u32(bri_wasi_call_t *c, uint64_t ptr, uint32_t v)
{
    uint8_t *p = bri_wasi_mem(c, ptr, 4);
    if (p == NULL)
        return BRI_WASI_EFAULT;
    bri_wasi_put32(p, v);
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_store_u64(bri_wasi_call_t *c, uint64_t ptr, uint64_t v)
{
    uint8_t *p = bri_wasi_mem(c, ptr, 8);
    if (p == NULL)
        return BRI_WASI_EFAULT;
    bri_wasi_put64(p, v);
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_store_size(bri_wasi_call_t *c, uint64_t ptr, uint64_t v)
{
    if (c->psize == 8)
        return bri_wasi_store_u64(c, ptr, v);
    if (v > UINT32_MAX)
        return BRI_WASI_EOVERFLOW;
    return bri_wasi_store_u32(c, ptr, (uint32_t)v);
}

uint16_t
bri_wasi_iovec(bri_wasi_call_t *c, uint64_t iovs, uint64_t i, uint8_t **out,
               uint64_t *len)
{
    uint64_t esize = 2 * (uint64_t)c->psize;
    if (i > UINT64_MAX / esize || iovs > UINT64_MAX - i * esize)
        return BRI_WASI_EFAULT;
    const uint8_t *e = bri_wasi_mem(c, iovs + i * esize, esize);
    if (e == NULL)
        return BRI_WASI_EFAULT;
    uint64_t ptr = c->psize == 8 ? bri_wasi_get64(e) : bri_wasi_get32(e);
    *len = c->psize == 8 ? bri_wasi_get64(e + 8) : bri_wasi_get32(e + 4);
    *out = bri_wasi_mem(c, ptr, *len);
    return *out == NULL ? BRI_WASI_EFAULT : BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_path_arg(bri_wasi_call_t *c, uint64_t ptr, uint64_t len,
                  const uint8_t **out)
{
    if (len > BRI_WASI_PATH_MAX)
        return BRI_WASI_ENAMETOOLONG;
    *out = bri_wasi_mem(c, ptr, len);
    return *out == NULL ? BRI_WASI_EFAULT : BRI_WASI_ESUCCESS;
}

/* ------------------------------------------------------------------ */
/* Files and times                                                     */

static uint64_t
ns_of(struct timespec ts)
{
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
bri_wasi_put_filestat(uint8_t *p, const struct stat *st)
{
    memset(p, 0, BRI_WASI_FILESTAT_SIZE);
    bri_wasi_put64(p, (uint64_t)st->st_dev);
    bri_wasi_put64(p + 8, (uint64_t)st->st_ino);
    p[16] = bri_wasi_filetype(st->st_mode);
    bri_wasi_put64(p + 24, (uint64_t)st->st_nlink);
    bri_wasi_put64(p + 32, (uint64_t)st->st_size);
    bri_wasi_put64(p + 40, ns_of(st->st_atim));
    bri_wasi_put64(p + 48, ns_of(st->st_mtim));
    bri_wasi_put64(p + 56, ns_of(st->st_ctim));
}

uint16_t
bri_wasi_times(uint64_t atim, uint64_t mtim, uint64_t flags,
               struct timespec ts[2])
{
    const uint64_t both_a = BRI_WASI_FST_ATIM | BRI_WASI_FST_ATIM_NOW;
    const uint64_t both_m = BRI_WASI_FST_MTIM | BRI_WASI_FST_MTIM_NOW;
    if ((flags & both_a) == both_a || (flags & both_m) == both_m ||
        flags > 15)
        return BRI_WASI_EINVAL;
    uint64_t v[2] = {atim, mtim};
    for (int i = 0; i < 2; i++) {
        uint64_t set = i ? BRI_WASI_FST_MTIM : BRI_WASI_FST_ATIM;
        uint64_t now = i ? BRI_WASI_FST_MTIM_NOW : BRI_WASI_FST_ATIM_NOW;
        ts[i].tv_sec = (time_t)(v[i] / 1000000000u);
        ts[i].tv_nsec = (long)(v[i] % 1000000000u);
        if (flags & now)
            ts[i].tv_nsec = UTIME_NOW;
        else if (!(flags & set))
            ts[i].tv_nsec = UTIME_OMIT;
    }
    return BRI_WASI_ESUCCESS;
}

/* ------------------------------------------------------------------ */
/* Clocks                                                              */

bool
bri_wasi_host_clock(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

uint16_t
bri_wasi_clock_now(br_wasi_t *w, uint32_t id, uint64_t *out)
{
    clockid_t cid;
    struct timespec ts;
    if (w->clock != NULL)
        return w->clock(w->clock_ud, id, out) ? BRI_WASI_ESUCCESS
                                              : BRI_WASI_EINVAL;
    if (!bri_wasi_host_clock(id, &cid))
        return BRI_WASI_EINVAL;
    if (clock_gettime(cid, &ts) != 0)
        return bri_wasi_errno(errno);
    *out = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return BRI_WASI_ESUCCESS;
}
