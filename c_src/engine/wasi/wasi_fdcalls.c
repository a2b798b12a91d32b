/*
 * beamr WASI: the fd_* calls other than reading and writing: close,
 * renumber, sync, stat, flags and rights, preopen names, directory
 * listing, sizes, times, advice and allocation.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

#define DIRENT_SIZE 24

/* The host fd of a file or directory entry; streams have none. */
static uint16_t
host_of(bri_wasi_call_t *c, uint64_t need, bri_wasi_fd_t **e)
{
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], need, e);
    if (err == BRI_WASI_ESUCCESS && (*e)->kind == BRI_WASI_FD_STREAM)
        err = BRI_WASI_EINVAL;
    return err;
}

static uint16_t
check_host(int r)
{
    return r == 0 ? BRI_WASI_ESUCCESS : bri_wasi_errno(errno);
}

uint16_t
bri_wasi_fd_close(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], 0, &e);
    if (err == BRI_WASI_ESUCCESS)
        bri_wasi_fdt_release(c->w, e);
    return err;
}

uint16_t
bri_wasi_fd_renumber(bri_wasi_call_t *c)
{
    return bri_wasi_fdt_renumber(c->w, c->a[0], c->a[1]);
}

uint16_t
bri_wasi_fd_sync(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = host_of(c, BRI_R_FD_SYNC, &e);
    return err ? err : check_host(fsync(e->host));
}

uint16_t
bri_wasi_fd_datasync(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = host_of(c, BRI_R_FD_DATASYNC, &e);
    return err ? err : check_host(fdatasync(e->host));
}

uint16_t
bri_wasi_fd_fdstat_get(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], 0, &e);
    uint8_t *p = bri_wasi_mem(c, c->a[1], 24);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (p == NULL)
        return BRI_WASI_EFAULT;
    memset(p, 0, 24);
    p[0] = e->filetype;
    bri_wasi_put16(p + 2, e->fdflags);
    bri_wasi_put64(p + 8, e->rights_base);
    bri_wasi_put64(p + 16, e->rights_inheriting);
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_fd_fdstat_set_flags(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint64_t flags = c->a[1];
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], BRI_R_FD_FDSTAT_SET_FLAGS,
                                   &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    /* Linux cannot change the sync flags of an open file. */
    if (flags & ~(uint64_t)(BRI_WASI_FDFLAG_APPEND | BRI_WASI_FDFLAG_NONBLOCK))
        return BRI_WASI_ENOTSUP;
    if (e->kind != BRI_WASI_FD_STREAM) {
        int fl = fcntl(e->host, F_GETFL);
        if (fl < 0)
            return bri_wasi_errno(errno);
        fl &= ~(O_APPEND | O_NONBLOCK);
        fl |= (flags & BRI_WASI_FDFLAG_APPEND ? O_APPEND : 0) |
              (flags & BRI_WASI_FDFLAG_NONBLOCK ? O_NONBLOCK : 0);
        if (fcntl(e->host, F_SETFL, fl) != 0)
            return bri_wasi_errno(errno);
    }
    e->fdflags = (uint16_t)flags;
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_fd_fdstat_set_rights(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], 0, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    /* rights can only be dropped, never gained */
    if ((c->a[1] & ~e->rights_base) || (c->a[2] & ~e->rights_inheriting))
        return BRI_WASI_ENOTCAPABLE;
    e->rights_base = c->a[1];
    e->rights_inheriting = c->a[2];
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_fd_filestat_get(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    struct stat st;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], BRI_R_FD_FILESTAT_GET,
                                   &e);
    uint8_t *p = bri_wasi_mem(c, c->a[1], BRI_WASI_FILESTAT_SIZE);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (p == NULL)
        return BRI_WASI_EFAULT;
    if (e->kind == BRI_WASI_FD_STREAM) {
        memset(p, 0, BRI_WASI_FILESTAT_SIZE);
        p[16] = e->filetype;
        return BRI_WASI_ESUCCESS;
    }
    if (fstat(e->host, &st) != 0)
        return bri_wasi_errno(errno);
    bri_wasi_put_filestat(p, &st);
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_fd_filestat_set_size(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = host_of(c, BRI_R_FD_FILESTAT_SET_SIZE, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (c->a[1] > INT64_MAX)
        return BRI_WASI_EINVAL;
    return check_host(ftruncate(e->host, (off_t)c->a[1]));
}

uint16_t
bri_wasi_fd_filestat_set_times(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    struct timespec ts[2];
    uint16_t err = host_of(c, BRI_R_FD_FILESTAT_SET_TIMES, &e);
    if (err == BRI_WASI_ESUCCESS)
        err = bri_wasi_times(c->a[1], c->a[2], c->a[3], ts);
    return err ? err : check_host(futimens(e->host, ts));
}

uint16_t
bri_wasi_fd_advise(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = host_of(c, BRI_R_FD_ADVISE, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    /* advice changes nothing the guest can observe: only validated */
    if (c->a[3] > 5 || c->a[1] > INT64_MAX || c->a[2] > INT64_MAX)
        return BRI_WASI_EINVAL;
    return BRI_WASI_ESUCCESS;
}

uint16_t
bri_wasi_fd_allocate(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = host_of(c, BRI_R_FD_ALLOCATE, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (c->a[1] > INT64_MAX || c->a[2] > INT64_MAX - c->a[1])
        return BRI_WASI_EINVAL;
    int r = posix_fallocate(e->host, (off_t)c->a[1], (off_t)c->a[2]);
    return r == 0 ? BRI_WASI_ESUCCESS : bri_wasi_errno(r);
}

/* ------------------------------------------------------------------ */
/* Preopens                                                            */

uint16_t
bri_wasi_fd_prestat_get(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], 0, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    /* open but not preopened: EINVAL (as node:wasi); wasi-libc stops its
     * scan of preopens at the first EBADF */
    if (e->preopen == NULL)
        return BRI_WASI_EINVAL;
    /* {u8 tag; size name_len}: the size is aligned to its own width */
    uint8_t *p = bri_wasi_mem(c, c->a[1], 2 * (uint64_t)c->psize);
    if (p == NULL)
        return BRI_WASI_EFAULT;
    memset(p, 0, 2 * (size_t)c->psize);
    return bri_wasi_store_size(c, c->a[1] + c->psize, e->preopen_len);
}

uint16_t
bri_wasi_fd_prestat_dir_name(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], 0, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (e->preopen == NULL)
        return BRI_WASI_EINVAL;
    uint8_t *p = bri_wasi_mem(c, c->a[1], c->a[2]);
    if (p == NULL)
        return BRI_WASI_EFAULT;
    if (c->a[2] < e->preopen_len)
        return BRI_WASI_ENAMETOOLONG;
    memcpy(p, e->preopen, e->preopen_len);
    return BRI_WASI_ESUCCESS;
}

/* ------------------------------------------------------------------ */
/* fd_readdir                                                          */

/* Positions e->dir so that the next readdir returns entry `cookie`
 * (cookies count entries, "." and ".." excluded). */
static uint16_t
seek_dir(br_wasi_t *w, bri_wasi_fd_t *e, uint64_t cookie)
{
    if (e->dir == NULL) {
        /* The stream is a host fd of its own: counted like any other. */
        if (!bri_wasi_host_acquire(w))
            return BRI_WASI_ENFILE;
        int fd = openat(e->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        e->dir = fd < 0 ? NULL : fdopendir(fd);
        if (e->dir == NULL) {
            uint16_t err = bri_wasi_errno(errno);
            if (fd >= 0)
                close(fd);
            bri_wasi_host_release(w);
            return err;
        }
        e->dir_next = 0;
    }
    if (cookie < e->dir_next) {
        rewinddir(e->dir);
        e->dir_next = 0;
    }
    return BRI_WASI_ESUCCESS;
}

static struct dirent *
next_entry(bri_wasi_fd_t *e)
{
    struct dirent *d;
    while ((d = readdir(e->dir)) != NULL) {
        if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
            return d;
    }
    return NULL;
}

static uint8_t
entry_type(bri_wasi_fd_t *e, const struct dirent *d)
{
    struct stat st;
    if (d->d_type != DT_UNKNOWN)
        return bri_wasi_dtype(d->d_type);
    if (fstatat(e->host, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return BRI_WASI_FT_UNKNOWN;
    return bri_wasi_filetype(st.st_mode);
}

uint16_t
bri_wasi_fd_readdir(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *e;
    uint64_t cookie = c->a[3], used = 0, len = c->a[2];
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], BRI_R_FD_READDIR, &e);
    uint8_t *buf = bri_wasi_mem(c, c->a[1], len);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (e->kind != BRI_WASI_FD_DIR)
        return BRI_WASI_ENOTDIR;
    if (buf == NULL || !bri_wasi_in_bounds(c, c->a[4], c->psize))
        return BRI_WASI_EFAULT;
    if ((err = seek_dir(c->w, e, cookie)) != BRI_WASI_ESUCCESS)
        return err;
    while (used < len) {
        struct dirent *d = next_entry(e);
        if (d == NULL)
            break;
        uint64_t index = e->dir_next++;
        if (index < cookie)
            continue;
        uint8_t head[DIRENT_SIZE] = {0};
        size_t nlen = strlen(d->d_name);
        bri_wasi_put64(head, index + 1);
        bri_wasi_put64(head + 8, (uint64_t)d->d_ino);
        bri_wasi_put32(head + 16, (uint32_t)nlen);
        head[20] = entry_type(e, d);
        /* the last entry may be cut short: the guest retries with a
         * bigger buffer from its cookie */
        uint64_t n = len - used < DIRENT_SIZE ? len - used : DIRENT_SIZE;
        memcpy(buf + used, head, (size_t)n);
        used += n;
        n = len - used < nlen ? len - used : nlen;
        memcpy(buf + used, d->d_name, (size_t)n);
        used += n;
    }
    return bri_wasi_store_size(c, c->a[4], used);
}
