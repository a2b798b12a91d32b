/*
 * beamr WASI: arguments, environment, clocks, random bytes, process
 * control and the socket calls (which a sandbox without sockets refuses).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"

/* ------------------------------------------------------------------ */
/* Arguments and environment                                           */

/* Writes `count` pointers into `buf` (at vec) and the strings (at buf). */
static uint16_t
strings_get(bri_wasi_call_t *c, const uint8_t *data, size_t size,
            size_t count, uint64_t vec, uint64_t buf)
{
    if (count > UINT64_MAX / c->psize)
        return BRI_WASI_EFAULT;
    uint8_t *v = bri_wasi_mem(c, vec, count * c->psize);
    uint8_t *b = bri_wasi_mem(c, buf, size);
    if (v == NULL || b == NULL)
        return BRI_WASI_EFAULT;
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
        if (c->psize == 8)
            bri_wasi_put64(v + 8 * i, buf + off);
        else
            bri_wasi_put32(v + 4 * i, (uint32_t)(buf + off));
        off += strlen((const char *)data + off) + 1;
    }
    if (size > 0)
        memcpy(b, data, size);
    return BRI_WASI_ESUCCESS;
}

static uint16_t
sizes_get(bri_wasi_call_t *c, size_t count, size_t size)
{
    uint16_t err = bri_wasi_store_size(c, c->a[0], count);
    return err ? err : bri_wasi_store_size(c, c->a[1], size);
}

uint16_t
bri_wasi_args_get(bri_wasi_call_t *c)
{
    br_wasi_t *w = c->w;
    return strings_get(c, w->args, w->args_size, w->arg_count, c->a[0],
                       c->a[1]);
}

uint16_t
bri_wasi_args_sizes_get(bri_wasi_call_t *c)
{
    return sizes_get(c, c->w->arg_count, c->w->args_size);
}

uint16_t
bri_wasi_environ_get(bri_wasi_call_t *c)
{
    br_wasi_t *w = c->w;
    return strings_get(c, w->env, w->env_size, w->env_count, c->a[0],
                       c->a[1]);
}

uint16_t
bri_wasi_environ_sizes_get(bri_wasi_call_t *c)
{
    return sizes_get(c, c->w->env_count, c->w->env_size);
}

/* ------------------------------------------------------------------ */
/* Clocks and random bytes                                             */

uint16_t
bri_wasi_clock_res_get(bri_wasi_call_t *c)
{
    clockid_t cid;
    struct timespec ts;
    uint64_t res = 1, now;
    if (c->w->clock != NULL) {
        /* a hooked clock: known ids have nanosecond resolution */
        if (bri_wasi_clock_now(c->w, (uint32_t)c->a[0], &now) != 0)
            return BRI_WASI_EINVAL;
    } else {
        if (!bri_wasi_host_clock((uint32_t)c->a[0], &cid))
            return BRI_WASI_EINVAL;
        if (clock_getres(cid, &ts) != 0)
            return bri_wasi_errno(errno);
        res = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    }
    return bri_wasi_store_u64(c, c->a[1], res ? res : 1);
}

uint16_t
bri_wasi_clock_time_get(bri_wasi_call_t *c)
{
    uint64_t now;
    if (!bri_wasi_in_bounds(c, c->a[2], 8))
        return BRI_WASI_EFAULT;
    uint16_t err = bri_wasi_clock_now(c->w, (uint32_t)c->a[0], &now);
    return err ? err : bri_wasi_store_u64(c, c->a[2], now);
}

uint16_t
bri_wasi_random_get(bri_wasi_call_t *c)
{
    uint8_t *p = bri_wasi_mem(c, c->a[0], c->a[1]);
    uint64_t len = c->a[1];
    if (p == NULL)
        return BRI_WASI_EFAULT;
    if (c->w->random != NULL)
        return c->w->random(c->w->random_ud, p, (size_t)len)
                   ? BRI_WASI_ESUCCESS
                   : BRI_WASI_EIO;
    /* getentropy gives at most 256 bytes per call */
    while (len > 0) {
        size_t n = len > 256 ? 256 : (size_t)len;
        if (getentropy(p, n) != 0)
            return bri_wasi_errno(errno);
        p += n;
        len -= n;
    }
    return BRI_WASI_ESUCCESS;
}

/* ------------------------------------------------------------------ */
/* Process control                                                     */

uint16_t
bri_wasi_proc_exit(bri_wasi_call_t *c)
{
    c->exit = true;
    c->exit_code = (int32_t)(uint32_t)c->a[0];
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_proc_raise(bri_wasi_call_t *c)
{
    (void)c; /* no signals in the sandbox (wasi-libc's abort() traps) */
    return BRI_WASI_ENOSYS;
}

uint16_t
bri_wasi_sched_yield(bri_wasi_call_t *c)
{
    (void)c; /* the interpreter yields by fuel; nothing to do here */
    return BRI_WASI_ESUCCESS;
}

/* ------------------------------------------------------------------ */
/* Sockets: the sandbox never holds one                                */

/* A socket call on a guest fd: it needs the call's right (so stdio and
 * files get NOTCAPABLE, a closed fd BADF), and then is not supported. */
static uint16_t
no_sockets(bri_wasi_call_t *c, uint64_t right)
{
    bri_wasi_fd_t *e;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], right, &e);
    return err ? err : BRI_WASI_ENOTSUP;
}

uint16_t
bri_wasi_sock_accept(bri_wasi_call_t *c)
{
    return no_sockets(c, BRI_R_SOCK_ACCEPT);
}

uint16_t
bri_wasi_sock_recv(bri_wasi_call_t *c)
{
    return no_sockets(c, BRI_R_FD_READ);
}

uint16_t
bri_wasi_sock_send(bri_wasi_call_t *c)
{
    return no_sockets(c, BRI_R_FD_WRITE);
}

uint16_t
bri_wasi_sock_shutdown(bri_wasi_call_t *c)
{
    return no_sockets(c, BRI_R_SOCK_SHUTDOWN);
}
