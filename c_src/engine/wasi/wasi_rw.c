/*
 * beamr WASI: reading, writing and seeking through guest fds (fd_read,
 * fd_write, fd_pread, fd_pwrite, fd_seek, fd_tell). Every iovec is
 * checked against guest memory before any byte moves.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <unistd.h>

#include "wasi_internal.h"

enum { DIR_READ, DIR_WRITE };

/* Checks every iovec first so a bad one fails the call cleanly. */
static uint16_t
check_iovecs(bri_wasi_call_t *c, uint64_t iovs, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        uint8_t *p;
        uint64_t len;
        uint16_t err = bri_wasi_iovec(c, iovs, i, &p, &len);
        if (err != BRI_WASI_ESUCCESS)
            return err;
    }
    return BRI_WASI_ESUCCESS;
}

/* One transfer on a host fd; `pos` < 0: at the current offset. */
static ssize_t
host_io(int fd, int dir, uint8_t *p, size_t len, int64_t pos)
{
    ssize_t n;
    do {
        if (dir == DIR_READ)
            n = pos < 0 ? read(fd, p, len) : pread(fd, p, len, pos);
        else
            n = pos < 0 ? write(fd, p, len) : pwrite(fd, p, len, pos);
    } while (n < 0 && errno == EINTR);
    return n;
}

/* One buffer through a stream (stdin or stdout/stderr). */
static size_t
stream_io(bri_wasi_call_t *c, bri_wasi_fd_t *e, int dir, uint8_t *p,
          size_t len, uint16_t *err)
{
    if (dir == DIR_READ) {
        if (e->stream != 0) {
            *err = BRI_WASI_EBADF;
            return 0;
        }
        return bri_wasi_stream_read(c->w, p, len, err);
    }
    *err = bri_wasi_stream_write(c->w, e->stream, p, len);
    return *err ? 0 : len;
}

/* Moves bytes for every iovec in turn; stops at a short transfer. A
 * failure after some bytes moved reports the bytes (as readv does). */
static uint16_t
transfer(bri_wasi_call_t *c, bri_wasi_fd_t *e, int dir, uint64_t iovs,
         uint64_t count, int64_t pos, uint64_t *done)
{
    uint16_t err = check_iovecs(c, iovs, count);
    *done = 0;
    for (uint64_t i = 0; i < count && err == BRI_WASI_ESUCCESS; i++) {
        uint8_t *p;
        uint64_t len;
        size_t n;
        /* Read again, not trusted from check_iovecs: a read into an
         * earlier buffer may have overwritten this iovec (found by
         * fuzz_wasi: a NULL buffer reached memcpy). */
        err = bri_wasi_iovec(c, iovs, i, &p, &len);
        if (err != BRI_WASI_ESUCCESS)
            break;
        if (e->kind == BRI_WASI_FD_STREAM) {
            n = stream_io(c, e, dir, p, (size_t)len, &err);
        } else {
            ssize_t r = host_io(e->host, dir, p, (size_t)len,
                                pos < 0 ? pos : pos + (int64_t)*done);
            err = r < 0 ? bri_wasi_errno(errno) : BRI_WASI_ESUCCESS;
            n = r < 0 ? 0 : (size_t)r;
        }
        *done += n;
        if (n < len)
            break;
    }
    return *done > 0 ? BRI_WASI_ESUCCESS : err;
}

static uint16_t
rw_call(bri_wasi_call_t *c, int dir, bool positioned)
{
    bri_wasi_fd_t *e;
    uint64_t need = dir == DIR_READ ? BRI_R_FD_READ : BRI_R_FD_WRITE;
    uint64_t done, result_ptr = positioned ? c->a[4] : c->a[3];
    int64_t pos = -1;
    if (positioned)
        need |= BRI_R_FD_SEEK;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], need, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (!bri_wasi_in_bounds(c, result_ptr, c->psize))
        return BRI_WASI_EFAULT;
    if (positioned) {
        if (e->kind == BRI_WASI_FD_STREAM)
            return BRI_WASI_ESPIPE;
        if (c->a[3] > INT64_MAX)
            return BRI_WASI_EINVAL;
        pos = (int64_t)c->a[3];
    }
    err = transfer(c, e, dir, c->a[1], c->a[2], pos, &done);
    return err ? err : bri_wasi_store_size(c, result_ptr, done);
}

uint16_t
bri_wasi_fd_read(bri_wasi_call_t *c)
{
    return rw_call(c, DIR_READ, false);
}

uint16_t
bri_wasi_fd_write(bri_wasi_call_t *c)
{
    return rw_call(c, DIR_WRITE, false);
}

uint16_t
bri_wasi_fd_pread(bri_wasi_call_t *c)
{
    return rw_call(c, DIR_READ, true);
}

uint16_t
bri_wasi_fd_pwrite(bri_wasi_call_t *c)
{
    return rw_call(c, DIR_WRITE, true);
}

uint16_t
bri_wasi_fd_seek(bri_wasi_call_t *c)
{
    static const int whence[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
    bri_wasi_fd_t *e;
    int64_t off = (int64_t)c->a[1];
    /* asking for the position only needs the "tell" right */
    uint64_t need = off == 0 && c->a[2] == 1 ? BRI_R_FD_TELL : BRI_R_FD_SEEK;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], need, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (c->a[2] > 2)
        return BRI_WASI_EINVAL;
    if (!bri_wasi_in_bounds(c, c->a[3], 8))
        return BRI_WASI_EFAULT;
    if (e->kind == BRI_WASI_FD_STREAM)
        return BRI_WASI_ESPIPE;
    off_t r = lseek(e->host, (off_t)off, whence[c->a[2]]);
    if (r < 0)
        return bri_wasi_errno(errno);
    return bri_wasi_store_u64(c, c->a[3], (uint64_t)r);
}

uint16_t
bri_wasi_fd_tell(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], BRI_R_FD_TELL, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (e->kind == BRI_WASI_FD_STREAM)
        return BRI_WASI_ESPIPE;
    off_t r = lseek(e->host, 0, SEEK_CUR);
    if (r < 0)
        return bri_wasi_errno(errno);
    return bri_wasi_store_u64(c, c->a[1], (uint64_t)r);
}
