/*
 * beamr WASI: the guest's stdin, stdout and stderr as the config routes
 * them. The host's own fds 0-2 are used only in "inherit" mode.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Appends to a capture buffer, growing it geometrically up to the
 * configured cap (a guest must not exhaust the host's memory). */
static uint16_t
capture(br_wasi_t *w, bri_wasi_buf_t *b, const uint8_t *data, size_t len)
{
    if (len == 0)
        return BRI_WASI_ESUCCESS;
    if (len > w->max_capture || b->size > w->max_capture - len)
        return BRI_WASI_ENOSPC;
    if (b->size + len > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->size + len)
            cap = cap > SIZE_MAX / 2 ? b->size + len : cap * 2;
        if (cap > w->max_capture)
            cap = w->max_capture;
        uint8_t *p = bri_wasi_realloc(w, b->data, b->cap, cap);
        if (p == NULL)
            return BRI_WASI_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->size, data, len);
    b->size += len;
    return BRI_WASI_ESUCCESS;
}

/* write() to an inherited host fd until done (short writes happen). */
static uint16_t
write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bri_wasi_errno(errno);
        data += n;
        len -= (size_t)n;
    }
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_stream_write(br_wasi_t *w, uint8_t stream, const uint8_t *data,
                      size_t len)
{
    if (stream < 1 || stream > 2)
        return BRI_WASI_EBADF;
    const br_wasi_output_t *o = &w->out[stream - 1];
    switch (o->mode) {
    case BR_WASI_OUT_CAPTURE:
        return capture(w, &w->captured[stream - 1], data, len);
    case BR_WASI_OUT_CALLBACK:
        return o->fn(o->ud, stream, data, len) ? BRI_WASI_ESUCCESS
                                               : BRI_WASI_EIO;
    case BR_WASI_OUT_INHERIT:
        return write_all(stream, data, len);
    default:
        return BRI_WASI_ESUCCESS;
    }
}

/* Stdin from the host's callback (a pipe). A read that finds nothing
 * waits (the host function suspends) unless this call already got
 * bytes: then it is a short read. */
static size_t
callback_read(br_wasi_t *w, uint8_t *buf, size_t len)
{
    size_t n = w->in_fn(w->in_ud, buf, len);
    if (n == BR_WASI_READ_WAIT) {
        w->in_wait = w->in_got == 0;
        return 0;
    }
    w->in_got += n;
    return n;
}

size_t
bri_wasi_stream_read(br_wasi_t *w, uint8_t *buf, size_t len, uint16_t *err)
{
    *err = BRI_WASI_ESUCCESS;
    if (w->in_mode == BR_WASI_IN_CALLBACK)
        return callback_read(w, buf, len);
    if (w->in_mode == BR_WASI_IN_BUFFER) {
        size_t n = w->in_size - w->in_pos;
        if (n > len)
            n = len;
        if (n > 0)
            memcpy(buf, w->in_data + w->in_pos, n);
        w->in_pos += n;
        return n;
    }
    if (w->in_mode != BR_WASI_IN_INHERIT)
        return 0;
    for (;;) {
        ssize_t n = read(0, buf, len);
        if (n >= 0)
            return (size_t)n;
        if (errno != EINTR) {
            *err = bri_wasi_errno(errno);
            return 0;
        }
    }
}

bool
bri_wasi_stream_ready(br_wasi_t *w, uint64_t *nbytes, bool *hangup)
{
    *hangup = false;
    *nbytes = 0;
    if (w->in_mode == BR_WASI_IN_BUFFER) {
        *nbytes = w->in_size - w->in_pos;
        *hangup = *nbytes == 0;
        return true;
    }
    if (w->in_mode == BR_WASI_IN_CALLBACK) {
        size_t n = w->in_fn(w->in_ud, NULL, 0);
        if (n == BR_WASI_READ_WAIT)
            return false;
        *hangup = n == 0;
        *nbytes = n;
        return true;
    }
    if (w->in_mode != BR_WASI_IN_INHERIT) {
        *hangup = true;
        return true;
    }
    /* Inherited stdin: ready only if a read would not block now. */
    struct pollfd p = {.fd = 0, .events = POLLIN};
    if (poll(&p, 1, 0) != 1)
        return false;
    *hangup = (p.revents & POLLHUP) != 0;
    *nbytes = 1;
    return true;
}
