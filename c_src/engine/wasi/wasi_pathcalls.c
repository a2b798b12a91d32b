/*
 * beamr WASI: the path_* calls. Each resolves its guest path beneath a
 * directory fd (wasi_path.c) and then acts on (parent dir, name) with the
 * *at() host calls, never following a symlink on the host side.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Rights that decide the host open mode (as wasi-libc computes them). */
#define WRITE_RIGHTS                                                      \
    (BRI_R_FD_WRITE | BRI_R_FD_DATASYNC | BRI_R_FD_ALLOCATE |             \
     BRI_R_FD_FILESTAT_SET_SIZE)
#define READ_RIGHTS (BRI_R_FD_READ | BRI_R_FD_READDIR)

/* Directory fd `fd` with rights `need`, and `path` resolved beneath it. */
static uint16_t
resolve_at(bri_wasi_call_t *c, uint64_t fd, uint64_t need, uint64_t ptr,
           uint64_t len, bool follow, bri_wasi_resolved_t *r)
{
    bri_wasi_fd_t *e;
    const uint8_t *path;
    r->owned = false;
    uint16_t err = bri_wasi_fdt_get(c->w, fd, need, &e);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (e->kind != BRI_WASI_FD_DIR)
        return BRI_WASI_ENOTDIR;
    if ((err = bri_wasi_path_arg(c, ptr, len, &path)) != BRI_WASI_ESUCCESS)
        return err;
    return bri_wasi_resolve(e->host, path, (size_t)len, follow, r);
}

/* "name/" must be a directory (if it exists at all). */
static uint16_t
check_trailing(const bri_wasi_resolved_t *r)
{
    struct stat st;
    if (!r->trailing_slash ||
        fstatat(r->dirfd, r->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return BRI_WASI_ESUCCESS;
    return S_ISDIR(st.st_mode) ? BRI_WASI_ESUCCESS : BRI_WASI_ENOTDIR;
}

/* Finishes a call: closes the resolution, maps a host failure. */
static uint16_t
done(bri_wasi_resolved_t *r, int host_result)
{
    uint16_t err = host_result == 0 ? BRI_WASI_ESUCCESS
                                    : bri_wasi_errno(errno);
    bri_wasi_resolved_close(r);
    return err;
}

/* ------------------------------------------------------------------ */
/* path_open                                                           */

static int
host_open_flags(uint64_t oflags, uint64_t fdflags, uint64_t rights,
                bool trailing)
{
    int fl = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
    bool rd = (rights & READ_RIGHTS) != 0, wr = (rights & WRITE_RIGHTS) != 0;
    fl |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
    fl |= oflags & BRI_WASI_O_CREAT ? O_CREAT : 0;
    fl |= oflags & BRI_WASI_O_EXCL ? O_EXCL : 0;
    fl |= oflags & BRI_WASI_O_TRUNC ? O_TRUNC : 0;
    fl |= oflags & BRI_WASI_O_DIRECTORY || trailing ? O_DIRECTORY : 0;
    fl |= fdflags & BRI_WASI_FDFLAG_APPEND ? O_APPEND : 0;
    fl |= fdflags & BRI_WASI_FDFLAG_NONBLOCK ? O_NONBLOCK : 0;
    fl |= fdflags & BRI_WASI_FDFLAG_DSYNC ? O_DSYNC : 0;
    fl |= fdflags & BRI_WASI_FDFLAG_SYNC ? O_SYNC : 0;
    fl |= fdflags & BRI_WASI_FDFLAG_RSYNC ? O_RSYNC : 0;
    return fl;
}

/* Rights for the new fd: what was asked, within what the directory may
 * hand down. Asking for a mutating right the directory cannot give is
 * refused, and so is opening for writing under a read-only preopen;
 * other unknown bits are dropped. */
static uint16_t
open_rights(const bri_wasi_fd_t *dir, uint64_t *base, uint64_t *inh)
{
    if ((*base | *inh) & BRI_R_MUTATING & ~dir->rights_inheriting)
        return BRI_WASI_ENOTCAPABLE;
    if (dir->read_only && (*base & BRI_R_WRITE_INTENT))
        return BRI_WASI_ENOTCAPABLE;
    *base &= dir->rights_inheriting;
    *inh &= dir->rights_inheriting;
    return BRI_WASI_ESUCCESS;
}

/* Installs the opened host fd (counted by bri_wasi_host_acquire) as a
 * guest fd; closes it on failure. */
static uint16_t
install(bri_wasi_call_t *c, const bri_wasi_fd_t *dir, int host,
        uint64_t base, uint64_t inh, uint64_t fdflags)
{
    struct stat st;
    bri_wasi_fd_t e = {0};
    uint32_t fd;
    uint16_t err = BRI_WASI_ESUCCESS;
    if (fstat(host, &st) != 0)
        err = bri_wasi_errno(errno);
    if (err == BRI_WASI_ESUCCESS) {
        e.filetype = bri_wasi_filetype(st.st_mode);
        e.kind = S_ISDIR(st.st_mode) ? BRI_WASI_FD_DIR : BRI_WASI_FD_FILE;
        e.read_only = dir->read_only;
        e.host = host;
        e.fdflags = (uint16_t)fdflags;
        e.rights_base = base & bri_wasi_rights_for(e.filetype);
        e.rights_inheriting = e.kind == BRI_WASI_FD_DIR ? inh : 0;
        err = bri_wasi_fdt_add(c->w, &e, &fd);
    }
    if (err != BRI_WASI_ESUCCESS) {
        close(host);
        bri_wasi_host_release(c->w);
        return err;
    }
    return bri_wasi_store_u32(c, c->a[8], fd);
}

uint16_t
bri_wasi_path_open(bri_wasi_call_t *c)
{
    bri_wasi_fd_t *dir;
    bri_wasi_resolved_t r;
    uint64_t oflags = c->a[4], base = c->a[5], inh = c->a[6];
    uint64_t fdflags = c->a[7];
    uint64_t need = BRI_R_PATH_OPEN;
    need |= oflags & BRI_WASI_O_CREAT ? BRI_R_PATH_CREATE_FILE : 0;
    need |= oflags & BRI_WASI_O_TRUNC ? BRI_R_PATH_FILESTAT_SET_SIZE : 0;
    uint16_t err = bri_wasi_fdt_get(c->w, c->a[0], need, &dir);
    if (err == BRI_WASI_ESUCCESS)
        err = open_rights(dir, &base, &inh);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (!bri_wasi_in_bounds(c, c->a[8], 4))
        return BRI_WASI_EFAULT;
    err = resolve_at(c, c->a[0], need, c->a[2], c->a[3],
                     c->a[1] & BRI_WASI_LOOKUP_FOLLOW, &r);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    /* The limits before the host sees the open: a full table (EMFILE)
     * or the embedder's cap on host fds (ENFILE). */
    if (!bri_wasi_fdt_has_room(c->w) || !bri_wasi_host_acquire(c->w)) {
        bri_wasi_resolved_close(&r);
        return bri_wasi_fdt_has_room(c->w) ? BRI_WASI_ENFILE
                                           : BRI_WASI_EMFILE;
    }
    int fl = host_open_flags(oflags, fdflags, base, r.trailing_slash);
    int host = openat(r.dirfd, r.name, fl, 0666);
    if (host < 0) {
        bri_wasi_host_release(c->w);
        return done(&r, -1);
    }
    bri_wasi_resolved_close(&r);
    return install(c, dir, host, base, inh, fdflags);
}

/* ------------------------------------------------------------------ */
/* Directories, files, links                                           */

uint16_t
bri_wasi_path_create_directory(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r;
    uint16_t err = resolve_at(c, c->a[0], BRI_R_PATH_CREATE_DIRECTORY,
                              c->a[1], c->a[2], false, &r);
    return err ? err : done(&r, mkdirat(r.dirfd, r.name, 0777));
}

uint16_t
bri_wasi_path_remove_directory(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r;
    uint16_t err = resolve_at(c, c->a[0], BRI_R_PATH_REMOVE_DIRECTORY,
                              c->a[1], c->a[2], false, &r);
    return err ? err : done(&r, unlinkat(r.dirfd, r.name, AT_REMOVEDIR));
}

uint16_t
bri_wasi_path_unlink_file(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r;
    uint16_t err = resolve_at(c, c->a[0], BRI_R_PATH_UNLINK_FILE, c->a[1],
                              c->a[2], false, &r);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (r.trailing_slash) {
        err = check_trailing(&r);
        bri_wasi_resolved_close(&r);
        return err ? err : BRI_WASI_EISDIR;
    }
    return done(&r, unlinkat(r.dirfd, r.name, 0));
}

uint16_t
bri_wasi_path_filestat_get(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r;
    struct stat st;
    uint8_t *p = bri_wasi_mem(c, c->a[4], BRI_WASI_FILESTAT_SIZE);
    uint16_t err = resolve_at(c, c->a[0], BRI_R_PATH_FILESTAT_GET, c->a[2],
                              c->a[3], c->a[1] & BRI_WASI_LOOKUP_FOLLOW, &r);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (p == NULL) {
        bri_wasi_resolved_close(&r);
        return BRI_WASI_EFAULT;
    }
    if ((err = check_trailing(&r)) != BRI_WASI_ESUCCESS) {
        bri_wasi_resolved_close(&r);
        return err;
    }
    if (fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return done(&r, -1);
    bri_wasi_put_filestat(p, &st);
    return done(&r, 0);
}

uint16_t
bri_wasi_path_filestat_set_times(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r;
    struct timespec ts[2];
    uint16_t err = bri_wasi_times(c->a[4], c->a[5], c->a[6], ts);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    err = resolve_at(c, c->a[0], BRI_R_PATH_FILESTAT_SET_TIMES, c->a[2],
                     c->a[3], c->a[1] & BRI_WASI_LOOKUP_FOLLOW, &r);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    return done(&r, utimensat(r.dirfd, r.name, ts, AT_SYMLINK_NOFOLLOW));
}

uint16_t
bri_wasi_path_readlink(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r;
    char target[BRI_WASI_PATH_MAX + 1];
    uint8_t *buf = bri_wasi_mem(c, c->a[3], c->a[4]);
    if (buf == NULL || !bri_wasi_in_bounds(c, c->a[5], c->psize))
        return BRI_WASI_EFAULT;
    uint16_t err = resolve_at(c, c->a[0], BRI_R_PATH_READLINK, c->a[1],
                              c->a[2], false, &r);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    ssize_t n = readlinkat(r.dirfd, r.name, target, sizeof target);
    if (n < 0)
        return done(&r, -1);
    bri_wasi_resolved_close(&r);
    /* like readlink(2): silently truncated to the buffer */
    uint64_t len = (uint64_t)n < c->a[4] ? (uint64_t)n : c->a[4];
    memcpy(buf, target, (size_t)len);
    return bri_wasi_store_size(c, c->a[5], len);
}

/* Walks the '/'-separated components of [p, p + n), moving *depth
 * down on "..", up on a name; false if it ever goes below zero. `skip_last`
 * leaves out the last component (the link's own name). */
static bool
walk_depth(const uint8_t *p, size_t n, bool skip_last, long *depth)
{
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && p[i] != '/')
            i++;
        size_t len = i - start;
        while (i < n && p[i] == '/')
            i++;
        if (skip_last && i == n)
            break;
        if (len == 2 && p[start] == '.' && p[start + 1] == '.')
            (*depth)--;
        else if (len > 0 && !(len == 1 && p[start] == '.'))
            (*depth)++;
        if (*depth < 0)
            return false;
    }
    return true;
}

uint16_t
bri_wasi_path_symlink(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r;
    const uint8_t *old, *link;
    char target[BRI_WASI_PATH_MAX + 1];
    long depth = 0;
    uint16_t err = bri_wasi_path_arg(c, c->a[0], c->a[1], &old);
    if (err == BRI_WASI_ESUCCESS)
        err = bri_wasi_path_arg(c, c->a[3], c->a[4], &link);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    if (c->a[1] == 0 || memchr(old, 0, (size_t)c->a[1]) != NULL)
        return c->a[1] == 0 ? BRI_WASI_ENOENT : BRI_WASI_EINVAL;
    /* Refuse links that name something outside, as node:wasi does (an
     * absolute one with EPERM). Following a link is confined anyway
     * (wasi_path.c); this only keeps such links from being made. */
    if (old[0] == '/')
        return BRI_WASI_EPERM;
    if (!walk_depth(link, (size_t)c->a[4], true, &depth) ||
        !walk_depth(old, (size_t)c->a[1], false, &depth))
        return BRI_WASI_ENOTCAPABLE;
    memcpy(target, old, (size_t)c->a[1]);
    target[c->a[1]] = 0;
    err = resolve_at(c, c->a[2], BRI_R_PATH_SYMLINK, c->a[3], c->a[4], false,
                     &r);
    return err ? err : done(&r, symlinkat(target, r.dirfd, r.name));
}

/* Two-path calls: the source beneath fd1, the target beneath fd2. */
static uint16_t
resolve_pair(bri_wasi_call_t *c, uint64_t fd1, uint64_t need1, uint64_t p1,
             uint64_t l1, uint64_t fd2, uint64_t need2, uint64_t p2,
             uint64_t l2, bri_wasi_resolved_t *r1, bri_wasi_resolved_t *r2)
{
    uint16_t err = resolve_at(c, fd1, need1, p1, l1, false, r1);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    err = resolve_at(c, fd2, need2, p2, l2, false, r2);
    if (err != BRI_WASI_ESUCCESS)
        bri_wasi_resolved_close(r1);
    return err;
}

uint16_t
bri_wasi_path_rename(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r1, r2;
    uint16_t err = resolve_pair(c, c->a[0], BRI_R_PATH_RENAME_SOURCE, c->a[1],
                                c->a[2], c->a[3], BRI_R_PATH_RENAME_TARGET,
                                c->a[4], c->a[5], &r1, &r2);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    int res = renameat(r1.dirfd, r1.name, r2.dirfd, r2.name);
    int saved = errno;
    bri_wasi_resolved_close(&r1);
    errno = saved;
    return done(&r2, res);
}

uint16_t
bri_wasi_path_link(bri_wasi_call_t *c)
{
    bri_wasi_resolved_t r1, r2;
    /* a[1] (follow the source) is honoured by resolving it that way */
    uint16_t err = resolve_at(c, c->a[0], BRI_R_PATH_LINK_SOURCE, c->a[2],
                              c->a[3], c->a[1] & BRI_WASI_LOOKUP_FOLLOW, &r1);
    if (err != BRI_WASI_ESUCCESS)
        return err;
    err = resolve_at(c, c->a[4], BRI_R_PATH_LINK_TARGET, c->a[5], c->a[6],
                     false, &r2);
    if (err != BRI_WASI_ESUCCESS) {
        bri_wasi_resolved_close(&r1);
        return err;
    }
    int res = linkat(r1.dirfd, r1.name, r2.dirfd, r2.name, 0);
    int saved = errno;
    bri_wasi_resolved_close(&r1);
    errno = saved;
    return done(&r2, res);
}
