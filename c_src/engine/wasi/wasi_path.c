/*
 * beamr WASI: guest path resolution beneath a directory fd. Walks the
 * path one component at a time with openat(O_NOFOLLOW | O_DIRECTORY) and
 * expands symlinks itself, so nothing ever leaves the sandbox.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "wasi_internal.h"

#ifndef O_PATH
#define O_PATH 0 /* not Linux: a plain read-only open serves */
#endif

#define MAX_DEPTH 256  /* directories held open during one walk */
#define MAX_LINKS 32   /* symlink expansions per walk (Linux: 40) */

/* The walk: directories entered so far (each an fd we own) and what is
 * left of the path. ".." pops an entry, so it can never go above the
 * base: a guest cannot name anything the base does not contain. */
typedef struct walk {
    int base;
    int fds[MAX_DEPTH];
    int depth;
    char rest[2 * BRI_WASI_PATH_MAX + 2];
    size_t rest_len;
    int links;
} walk_t;

static int
walk_cur(const walk_t *wk)
{
    return wk->depth > 0 ? wk->fds[wk->depth - 1] : wk->base;
}

static void
walk_close(walk_t *wk, int keep)
{
    for (int i = 0; i < wk->depth; i++)
        if (wk->fds[i] != keep)
            close(wk->fds[i]);
    wk->depth = 0;
}

/* Splits the next component off `rest`: its bytes go to comp (NUL-ended),
 * *last says nothing but slashes follows, *slash that a slash did. */
static size_t
next_component(walk_t *wk, char *comp, bool *last, bool *slash)
{
    size_t i = 0, n;
    while (i < wk->rest_len && wk->rest[i] == '/')
        i++;
    size_t start = i;
    while (i < wk->rest_len && wk->rest[i] != '/')
        i++;
    n = i - start;
    /* comp holds BRI_WASI_PATH_MAX + 1 bytes; longer is refused later */
    memcpy(comp, wk->rest + start, n > BRI_WASI_PATH_MAX ? 0 : n);
    comp[n > BRI_WASI_PATH_MAX ? 0 : n] = 0;
    *slash = i < wk->rest_len;
    while (i < wk->rest_len && wk->rest[i] == '/')
        i++;
    *last = i == wk->rest_len;
    memmove(wk->rest, wk->rest + i, wk->rest_len - i);
    wk->rest_len -= i;
    return n;
}

/* If `comp` in the current directory is a symlink, puts its target in
 * front of the rest of the path and returns true (with *err set if that
 * is not allowed). Absolute targets leave the sandbox: NOTCAPABLE. */
static bool
expand_link(walk_t *wk, const char *comp, bool slash, uint16_t *err)
{
    char target[BRI_WASI_PATH_MAX + 1];
    ssize_t n = readlinkat(walk_cur(wk), comp, target, sizeof target);
    *err = BRI_WASI_ESUCCESS;
    if (n < 0)
        return false;
    if ((size_t)n >= sizeof target)
        *err = BRI_WASI_ENAMETOOLONG;
    else if (++wk->links > MAX_LINKS)
        *err = BRI_WASI_ELOOP;
    else if (n == 0)
        *err = BRI_WASI_ENOENT;
    else if (target[0] == '/')
        *err = BRI_WASI_ENOTCAPABLE;
    else if ((size_t)n + 1 + wk->rest_len > sizeof wk->rest)
        *err = BRI_WASI_ENAMETOOLONG;
    if (*err != BRI_WASI_ESUCCESS)
        return true;
    bool sep = slash || wk->rest_len > 0;
    memmove(wk->rest + n + sep, wk->rest, wk->rest_len);
    memcpy(wk->rest, target, (size_t)n);
    if (sep)
        wk->rest[n] = '/';
    wk->rest_len += (size_t)n + sep;
    return true;
}

/* Enters directory `comp` (not a symlink: O_NOFOLLOW). */
static uint16_t
enter(walk_t *wk, const char *comp)
{
    if (wk->depth == MAX_DEPTH)
        return BRI_WASI_ENAMETOOLONG;
    int fd = openat(walk_cur(wk), comp,
                    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return bri_wasi_errno(errno);
    wk->fds[wk->depth++] = fd;
    return BRI_WASI_ESUCCESS;
}

/* One step of the walk; *done once `out->name` holds the final name. */
static uint16_t
step(walk_t *wk, bool follow, bri_wasi_resolved_t *out, bool *done)
{
    char *comp = out->name;
    bool last, slash;
    size_t n = next_component(wk, comp, &last, &slash);
    uint16_t err;
    if (n > BRI_WASI_PATH_MAX)
        return BRI_WASI_ENAMETOOLONG;
    if (n == 0 || (n == 1 && comp[0] == '.')) {
        *done = last;
        strcpy(comp, ".");
        return BRI_WASI_ESUCCESS;
    }
    if (n == 2 && comp[0] == '.' && comp[1] == '.') {
        if (wk->depth == 0)
            return BRI_WASI_ENOTCAPABLE;
        close(wk->fds[--wk->depth]);
        *done = last;
        strcpy(comp, ".");
        return BRI_WASI_ESUCCESS;
    }
    if (last && !follow && !slash) {
        *done = true;
        return BRI_WASI_ESUCCESS;
    }
    if (expand_link(wk, comp, slash, &err))
        return err;
    if (last) {
        out->trailing_slash = slash;
        *done = true;
        return BRI_WASI_ESUCCESS;
    }
    return enter(wk, comp);
}

uint16_t
bri_wasi_resolve(int base, const uint8_t *path, size_t len, bool follow,
                 bri_wasi_resolved_t *out)
{
    walk_t wk;
    uint16_t err = BRI_WASI_ESUCCESS;
    bool done = false;
    out->dirfd = base;
    out->owned = false;
    out->trailing_slash = false;
    out->name[0] = 0;
    if (len == 0)
        return BRI_WASI_ENOENT;
    if (len > BRI_WASI_PATH_MAX)
        return BRI_WASI_ENAMETOOLONG;
    if (memchr(path, 0, len) != NULL)
        return BRI_WASI_EINVAL;
    if (path[0] == '/')
        return BRI_WASI_ENOTCAPABLE;
    wk.base = base;
    wk.depth = 0;
    wk.links = 0;
    memcpy(wk.rest, path, len);
    wk.rest_len = len;
    while (!done && err == BRI_WASI_ESUCCESS)
        err = step(&wk, follow, out, &done);
    if (err != BRI_WASI_ESUCCESS) {
        walk_close(&wk, -1);
        return err;
    }
    out->dirfd = walk_cur(&wk);
    out->owned = wk.depth > 0;
    walk_close(&wk, out->dirfd);
    return BRI_WASI_ESUCCESS;
}

void
bri_wasi_resolved_close(bri_wasi_resolved_t *r)
{
    if (r->owned)
        close(r->dirfd);
    r->owned = false;
    r->dirfd = -1;
}
