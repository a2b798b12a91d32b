/*
 * beamr WASI: the per-environment fd table and its rights. Guest fds are
 * indices into our own table; they never alias host fds.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Guest fds per environment: enough for real programs, few enough that
 * a guest opening files in a loop cannot hold many host fds. */
#define DEFAULT_MAX_FDS 128u

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

void *
bri_wasi_realloc(br_wasi_t *w, void *p, size_t osize, size_t nsize)
{
    if (w->alloc != NULL)
        return w->alloc(w->alloc_ud, p, osize, nsize);
    if (nsize == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, nsize);
}

void *
bri_wasi_alloc(br_wasi_t *w, size_t size)
{
    return bri_wasi_realloc(w, NULL, 0, size);
}

void
bri_wasi_free(br_wasi_t *w, void *p, size_t size)
{
    if (p != NULL)
        bri_wasi_realloc(w, p, size, 0);
}

/* ------------------------------------------------------------------ */
/* Host values -> WASI values                                          */

uint16_t
bri_wasi_errno(int e)
{
    /* Only the errors file system calls produce; the rest become EIO so
     * the guest never sees a host number it could misread. */
    switch (e) {
    case 0: return BRI_WASI_ESUCCESS;
    case E2BIG: return BRI_WASI_E2BIG;
    case EACCES: return BRI_WASI_EACCES;
    case EAGAIN: return BRI_WASI_EAGAIN;
    case EBADF: return BRI_WASI_EBADF;
    case EBUSY: return BRI_WASI_EBUSY;
    case EDQUOT: return BRI_WASI_EDQUOT;
    case EEXIST: return BRI_WASI_EEXIST;
    case EFAULT: return BRI_WASI_EFAULT;
    case EFBIG: return BRI_WASI_EFBIG;
    case EINTR: return BRI_WASI_EINTR;
    case EINVAL: return BRI_WASI_EINVAL;
    case EIO: return BRI_WASI_EIO;
    case EISDIR: return BRI_WASI_EISDIR;
    case ELOOP: return BRI_WASI_ELOOP;
    case EMFILE: return BRI_WASI_EMFILE;
    case EMLINK: return BRI_WASI_EMLINK;
    case ENAMETOOLONG: return BRI_WASI_ENAMETOOLONG;
    case ENFILE: return BRI_WASI_ENFILE;
    case ENODEV: return BRI_WASI_ENODEV;
    case ENOENT: return BRI_WASI_ENOENT;
    case ENOMEM: return BRI_WASI_ENOMEM;
    case ENOSPC: return BRI_WASI_ENOSPC;
    case ENOSYS: return BRI_WASI_ENOSYS;
    case ENOTDIR: return BRI_WASI_ENOTDIR;
    case ENOTEMPTY: return BRI_WASI_ENOTEMPTY;
    case ENOTSUP: return BRI_WASI_ENOTSUP;
    case ENOTTY: return BRI_WASI_ENOTTY;
    case ENXIO: return BRI_WASI_ENXIO;
    case EOVERFLOW: return BRI_WASI_EOVERFLOW;
    case EPERM: return BRI_WASI_EPERM;
    case EPIPE: return BRI_WASI_EPIPE;
    case ERANGE: return BRI_WASI_ERANGE;
    case EROFS: return BRI_WASI_EROFS;
    case ESPIPE: return BRI_WASI_ESPIPE;
    case ETXTBSY: return BRI_WASI_ETXTBSY;
    case EXDEV: return BRI_WASI_EXDEV;
    default: return BRI_WASI_EIO;
    }
}

uint8_t
bri_wasi_filetype(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return BRI_WASI_FT_FILE;
    case S_IFDIR: return BRI_WASI_FT_DIR;
    case S_IFCHR: return BRI_WASI_FT_CHAR;
    case S_IFBLK: return BRI_WASI_FT_BLOCK;
    case S_IFLNK: return BRI_WASI_FT_SYMLINK;
    case S_IFSOCK: return BRI_WASI_FT_SOCK_STREAM;
    default: return BRI_WASI_FT_UNKNOWN; /* FIFOs have no WASI type */
    }
}

uint8_t
bri_wasi_dtype(unsigned char t)
{
    switch (t) {
    case DT_REG: return BRI_WASI_FT_FILE;
    case DT_DIR: return BRI_WASI_FT_DIR;
    case DT_CHR: return BRI_WASI_FT_CHAR;
    case DT_BLK: return BRI_WASI_FT_BLOCK;
    case DT_LNK: return BRI_WASI_FT_SYMLINK;
    case DT_SOCK: return BRI_WASI_FT_SOCK_STREAM;
    default: return BRI_WASI_FT_UNKNOWN;
    }
}

#define FILE_RIGHTS                                                       \
    (BRI_R_FD_DATASYNC | BRI_R_FD_READ | BRI_R_FD_SEEK |                  \
     BRI_R_FD_FDSTAT_SET_FLAGS | BRI_R_FD_SYNC | BRI_R_FD_TELL |          \
     BRI_R_FD_WRITE | BRI_R_FD_ADVISE | BRI_R_FD_ALLOCATE |               \
     BRI_R_FD_FILESTAT_GET | BRI_R_FD_FILESTAT_SET_SIZE |                 \
     BRI_R_FD_FILESTAT_SET_TIMES | BRI_R_POLL_FD_READWRITE)

#define DIR_RIGHTS                                                        \
    (BRI_R_FD_DATASYNC | BRI_R_FD_FDSTAT_SET_FLAGS | BRI_R_FD_SYNC |      \
     BRI_R_FD_ADVISE | BRI_R_PATH_CREATE_DIRECTORY |                      \
     BRI_R_PATH_CREATE_FILE | BRI_R_PATH_LINK_SOURCE |                    \
     BRI_R_PATH_LINK_TARGET | BRI_R_PATH_OPEN | BRI_R_FD_READDIR |        \
     BRI_R_PATH_READLINK | BRI_R_PATH_RENAME_SOURCE |                     \
     BRI_R_PATH_RENAME_TARGET | BRI_R_PATH_FILESTAT_GET |                 \
     BRI_R_PATH_FILESTAT_SET_SIZE | BRI_R_PATH_FILESTAT_SET_TIMES |       \
     BRI_R_FD_FILESTAT_GET | BRI_R_FD_FILESTAT_SET_TIMES |                \
     BRI_R_PATH_SYMLINK | BRI_R_PATH_REMOVE_DIRECTORY |                   \
     BRI_R_PATH_UNLINK_FILE | BRI_R_POLL_FD_READWRITE)

#define STREAM_RIGHTS                                                     \
    (BRI_R_FD_READ | BRI_R_FD_WRITE | BRI_R_FD_FDSTAT_SET_FLAGS |         \
     BRI_R_FD_FILESTAT_GET | BRI_R_POLL_FD_READWRITE)

uint64_t
bri_wasi_rights_for(uint8_t filetype)
{
    switch (filetype) {
    case BRI_WASI_FT_DIR: return DIR_RIGHTS;
    case BRI_WASI_FT_FILE: return FILE_RIGHTS;
    default: return FILE_RIGHTS & ~(BRI_R_FD_SEEK | BRI_R_FD_TELL);
    }
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

uint16_t
bri_wasi_fdt_get(br_wasi_t *w, uint64_t fd, uint64_t need,
                bri_wasi_fd_t **out)
{
    if (fd >= w->fd_count || w->fds[fd].kind == BRI_WASI_FD_FREE)
        return BRI_WASI_EBADF;
    if ((w->fds[fd].rights_base & need) != need)
        return BRI_WASI_ENOTCAPABLE;
    *out = &w->fds[fd];
    return BRI_WASI_ESUCCESS;
}

/* Makes room for one more slot at index fd_count. */
static uint16_t
grow_table(br_wasi_t *w)
{
    if (w->fd_count >= w->max_fds)
        return BRI_WASI_EMFILE;
    if (w->fd_count < w->fd_cap)
        return BRI_WASI_ESUCCESS;
    uint32_t cap = w->fd_cap ? w->fd_cap * 2 : 8;
    if (cap > w->max_fds)
        cap = w->max_fds;
    bri_wasi_fd_t *fds = bri_wasi_realloc(w, w->fds,
                                          w->fd_cap * sizeof *fds,
                                          cap * sizeof *fds);
    if (fds == NULL)
        return BRI_WASI_ENOMEM;
    memset(fds + w->fd_cap, 0, (cap - w->fd_cap) * sizeof *fds);
    w->fds = fds;
    w->fd_cap = cap;
    return BRI_WASI_ESUCCESS;
}

bool
bri_wasi_fdt_has_room(const br_wasi_t *w)
{
    if (w->fd_count < w->max_fds)
        return true;
    for (uint32_t fd = 0; fd < w->fd_count; fd++)
        if (w->fds[fd].kind == BRI_WASI_FD_FREE)
            return true;
    return false;
}

uint16_t
bri_wasi_fdt_add(br_wasi_t *w, const bri_wasi_fd_t *entry, uint32_t *out)
{
    uint32_t fd = 0;
    while (fd < w->fd_count && w->fds[fd].kind != BRI_WASI_FD_FREE)
        fd++;
    if (fd == w->fd_count) {
        uint16_t err = grow_table(w);
        if (err != BRI_WASI_ESUCCESS)
            return err;
        w->fd_count++;
    }
    w->fds[fd] = *entry;
    *out = fd;
    return BRI_WASI_ESUCCESS;
}

bool
bri_wasi_host_acquire(br_wasi_t *w)
{
    if (w->fd_hook != NULL && !w->fd_hook(w->fd_ud, 1))
        return false;
    w->host_fds++;
    return true;
}

void
bri_wasi_host_release(br_wasi_t *w)
{
    w->host_fds--;
    if (w->fd_hook != NULL)
        (void)w->fd_hook(w->fd_ud, -1);
}

void
bri_wasi_fdt_release(br_wasi_t *w, bri_wasi_fd_t *e)
{
    if (e->dir != NULL) {
        closedir(e->dir);
        bri_wasi_host_release(w);
    }
    /* Streams have host == -1: the host's stdio is never closed. */
    if ((e->kind == BRI_WASI_FD_FILE || e->kind == BRI_WASI_FD_DIR) &&
        e->host >= 0) {
        close(e->host);
        bri_wasi_host_release(w);
    }
    bri_wasi_free(w, e->preopen, e->preopen_len + 1);
    memset(e, 0, sizeof *e);
    e->host = -1;
}

uint16_t
bri_wasi_fdt_renumber(br_wasi_t *w, uint64_t from, uint64_t to)
{
    bri_wasi_fd_t *src, *dst;
    uint16_t err = bri_wasi_fdt_get(w, from, 0, &src);
    if (err == BRI_WASI_ESUCCESS)
        err = bri_wasi_fdt_get(w, to, 0, &dst);
    if (err != BRI_WASI_ESUCCESS || from == to)
        return err;
    bri_wasi_fdt_release(w, dst);
    *dst = *src;
    memset(src, 0, sizeof *src);
    src->host = -1;
    return BRI_WASI_ESUCCESS;
}

void
br_wasi_close_fds(br_wasi_t *w)
{
    for (uint32_t i = 0; i < w->fd_count; i++)
        if (w->fds[i].kind == BRI_WASI_FD_FILE ||
            w->fds[i].kind == BRI_WASI_FD_DIR)
            bri_wasi_fdt_release(w, &w->fds[i]);
}

uint32_t
br_wasi_host_fds(const br_wasi_t *w)
{
    return w->host_fds;
}

void
bri_wasi_fdt_free_all(br_wasi_t *w)
{
    for (uint32_t i = 0; i < w->fd_count; i++)
        if (w->fds[i].kind != BRI_WASI_FD_FREE)
            bri_wasi_fdt_release(w, &w->fds[i]);
    bri_wasi_free(w, w->fds, w->fd_cap * sizeof *w->fds);
    w->fds = NULL;
    w->fd_count = w->fd_cap = 0;
}

/* ------------------------------------------------------------------ */
/* Initial contents: fds 0-2, then the preopens                        */

static uint8_t
stream_filetype(const br_wasi_t *w, uint8_t stream)
{
    /* Virtual streams report "unknown" so that wasi-libc's isatty() is
     * false (full buffering, no terminal escapes); an inherited one
     * tells what the host fd really is. */
    bool inherit = stream == 0 ? w->in_mode == BR_WASI_IN_INHERIT
                               : w->out[stream - 1].mode ==
                                     BR_WASI_OUT_INHERIT;
    struct stat st;
    if (!inherit || fstat(stream, &st) != 0)
        return BRI_WASI_FT_UNKNOWN;
    return bri_wasi_filetype(st.st_mode);
}

static bool
add_streams(br_wasi_t *w)
{
    for (uint8_t s = 0; s < 3; s++) {
        bri_wasi_fd_t e = {0};
        uint32_t fd;
        e.kind = BRI_WASI_FD_STREAM;
        e.stream = s;
        e.host = -1;
        e.filetype = stream_filetype(w, s);
        e.rights_base = STREAM_RIGHTS &
                        ~(s == 0 ? BRI_R_FD_WRITE : BRI_R_FD_READ);
        if (bri_wasi_fdt_add(w, &e, &fd) != BRI_WASI_ESUCCESS)
            return false;
    }
    return true;
}

static void
set_error(br_error_t *error, br_err_t code, const char *what,
          const br_wasi_preopen_t *p)
{
    if (error == NULL)
        return;
    memset(error, 0, sizeof *error);
    error->code = code;
    error->func_index = -1;
    int len = p->host_path.size > 100 ? 100 : (int)p->host_path.size;
    snprintf(error->message, sizeof error->message, "wasi: %s: %.*s", what,
             len, p->host_path.data);
}

/* Opens one preopened host directory and installs it. */
static bool
add_preopen(br_wasi_t *w, const br_wasi_preopen_t *p, br_error_t *error)
{
    char path[BRI_WASI_PATH_MAX + 1];
    if (p->host_path.size == 0 || p->host_path.size > BRI_WASI_PATH_MAX ||
        memchr(p->host_path.data, 0, p->host_path.size) != NULL) {
        set_error(error, BR_ERR_INVALID_ARGUMENT, "bad preopen path", p);
        return false;
    }
    memcpy(path, p->host_path.data, p->host_path.size);
    path[p->host_path.size] = 0;
    bri_wasi_fd_t e = {0};
    e.kind = BRI_WASI_FD_DIR;
    e.host = -1; /* nothing to close until opened */
    e.filetype = BRI_WASI_FT_DIR;
    e.rights_base = DIR_RIGHTS;
    e.rights_inheriting = DIR_RIGHTS | FILE_RIGHTS;
    if (p->read_only) {
        e.read_only = true;
        e.rights_base &= ~BRI_R_MUTATING;
        e.rights_inheriting &= ~BRI_R_MUTATING | BRI_R_WRITE_INTENT;
    }
    e.preopen_len = p->guest_path.size;
    e.preopen = bri_wasi_alloc(w, e.preopen_len + 1);
    if (e.preopen == NULL) {
        set_error(error, BR_ERR_OUT_OF_MEMORY, "out of memory", p);
        return false;
    }
    if (e.preopen_len > 0)
        memcpy(e.preopen, p->guest_path.data, e.preopen_len);
    e.preopen[e.preopen_len] = 0;
    if (!bri_wasi_host_acquire(w)) {
        set_error(error, BR_ERR_LIMIT_EXCEEDED, "too many host fds", p);
        bri_wasi_fdt_release(w, &e);
        return false;
    }
    e.host = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (e.host < 0)
        bri_wasi_host_release(w); /* fdt_release counts open fds only */
    uint32_t fd;
    if (e.host < 0 || bri_wasi_fdt_add(w, &e, &fd) != BRI_WASI_ESUCCESS) {
        set_error(error, e.host < 0 ? BR_ERR_NOT_FOUND : BR_ERR_LIMIT_EXCEEDED,
                  "cannot open preopen", p);
        bri_wasi_fdt_release(w, &e);
        return false;
    }
    return true;
}

bool
bri_wasi_fdt_init(br_wasi_t *w, const br_wasi_config_t *config,
                 br_error_t *error)
{
    w->max_fds = config->max_fds ? config->max_fds : DEFAULT_MAX_FDS;
    if (w->max_fds < 3 + config->preopen_count)
        w->max_fds = 3 + (uint32_t)config->preopen_count;
    if (!add_streams(w)) {
        if (error != NULL) {
            memset(error, 0, sizeof *error);
            error->code = BR_ERR_OUT_OF_MEMORY;
            error->func_index = -1;
            snprintf(error->message, sizeof error->message, "out of memory");
        }
        return false;
    }
    for (size_t i = 0; i < config->preopen_count; i++)
        if (!add_preopen(w, &config->preopens[i], error))
            return false;
    return true;
}
