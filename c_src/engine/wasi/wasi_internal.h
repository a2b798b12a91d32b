/*
 * beamr WASI: structures and helpers shared by the files of wasi/ (fd
 * table, path resolution, the calls, the import table). Never installed.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_WASI_INTERNAL_H
#define BR_WASI_INTERNAL_H

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "beamr_wasi.h"

/* ------------------------------------------------------------------ */
/* WASI preview 1 constants (witx numbering)                           */

#define BRI_WASI_ERRNOS(X)                                                \
    X(SUCCESS, 0) X(2BIG, 1) X(ACCES, 2) X(ADDRINUSE, 3)                  \
    X(ADDRNOTAVAIL, 4) X(AFNOSUPPORT, 5) X(AGAIN, 6) X(ALREADY, 7)        \
    X(BADF, 8) X(BADMSG, 9) X(BUSY, 10) X(CANCELED, 11) X(CHILD, 12)      \
    X(CONNABORTED, 13) X(CONNREFUSED, 14) X(CONNRESET, 15)                \
    X(DEADLK, 16) X(DESTADDRREQ, 17) X(DOM, 18) X(DQUOT, 19)              \
    X(EXIST, 20) X(FAULT, 21) X(FBIG, 22) X(HOSTUNREACH, 23)              \
    X(IDRM, 24) X(ILSEQ, 25) X(INPROGRESS, 26) X(INTR, 27) X(INVAL, 28)   \
    X(IO, 29) X(ISCONN, 30) X(ISDIR, 31) X(LOOP, 32) X(MFILE, 33)         \
    X(MLINK, 34) X(MSGSIZE, 35) X(MULTIHOP, 36) X(NAMETOOLONG, 37)        \
    X(NETDOWN, 38) X(NETRESET, 39) X(NETUNREACH, 40) X(NFILE, 41)         \
    X(NOBUFS, 42) X(NODEV, 43) X(NOENT, 44) X(NOEXEC, 45) X(NOLCK, 46)    \
    X(NOLINK, 47) X(NOMEM, 48) X(NOMSG, 49) X(NOPROTOOPT, 50)             \
    X(NOSPC, 51) X(NOSYS, 52) X(NOTCONN, 53) X(NOTDIR, 54)                \
    X(NOTEMPTY, 55) X(NOTRECOVERABLE, 56) X(NOTSOCK, 57) X(NOTSUP, 58)    \
    X(NOTTY, 59) X(NXIO, 60) X(OVERFLOW, 61) X(OWNERDEAD, 62)             \
    X(PERM, 63) X(PIPE, 64) X(PROTO, 65) X(PROTONOSUPPORT, 66)            \
    X(PROTOTYPE, 67) X(RANGE, 68) X(ROFS, 69) X(SPIPE, 70) X(SRCH, 71)    \
    X(STALE, 72) X(TIMEDOUT, 73) X(TXTBSY, 74) X(XDEV, 75)                \
    X(NOTCAPABLE, 76)

#define BRI_WASI_ERRNO_ENUM(name, num) BRI_WASI_E##name = num,
enum { BRI_WASI_ERRNOS(BRI_WASI_ERRNO_ENUM) };
#undef BRI_WASI_ERRNO_ENUM

/* Rights (bit numbers of the witx `rights` flags). */
#define BRI_R(bit) ((uint64_t)1 << (bit))
#define BRI_R_FD_DATASYNC BRI_R(0)
#define BRI_R_FD_READ BRI_R(1)
#define BRI_R_FD_SEEK BRI_R(2)
#define BRI_R_FD_FDSTAT_SET_FLAGS BRI_R(3)
#define BRI_R_FD_SYNC BRI_R(4)
#define BRI_R_FD_TELL BRI_R(5)
#define BRI_R_FD_WRITE BRI_R(6)
#define BRI_R_FD_ADVISE BRI_R(7)
#define BRI_R_FD_ALLOCATE BRI_R(8)
#define BRI_R_PATH_CREATE_DIRECTORY BRI_R(9)
#define BRI_R_PATH_CREATE_FILE BRI_R(10)
#define BRI_R_PATH_LINK_SOURCE BRI_R(11)
#define BRI_R_PATH_LINK_TARGET BRI_R(12)
#define BRI_R_PATH_OPEN BRI_R(13)
#define BRI_R_FD_READDIR BRI_R(14)
#define BRI_R_PATH_READLINK BRI_R(15)
#define BRI_R_PATH_RENAME_SOURCE BRI_R(16)
#define BRI_R_PATH_RENAME_TARGET BRI_R(17)
#define BRI_R_PATH_FILESTAT_GET BRI_R(18)
#define BRI_R_PATH_FILESTAT_SET_SIZE BRI_R(19)
#define BRI_R_PATH_FILESTAT_SET_TIMES BRI_R(20)
#define BRI_R_FD_FILESTAT_GET BRI_R(21)
#define BRI_R_FD_FILESTAT_SET_SIZE BRI_R(22)
#define BRI_R_FD_FILESTAT_SET_TIMES BRI_R(23)
#define BRI_R_PATH_SYMLINK BRI_R(24)
#define BRI_R_PATH_REMOVE_DIRECTORY BRI_R(25)
#define BRI_R_PATH_UNLINK_FILE BRI_R(26)
#define BRI_R_POLL_FD_READWRITE BRI_R(27)
#define BRI_R_SOCK_SHUTDOWN BRI_R(28)
#define BRI_R_SOCK_ACCEPT BRI_R(29)
#define BRI_R_ALL (BRI_R(30) - 1)

/* Rights that change something on disk: a read-only preopen and
 * everything opened through it never hold them. */
#define BRI_R_MUTATING                                                    \
    (BRI_R_FD_DATASYNC | BRI_R_FD_WRITE | BRI_R_FD_ALLOCATE |             \
     BRI_R_FD_SYNC | BRI_R_PATH_CREATE_DIRECTORY | BRI_R_PATH_CREATE_FILE | \
     BRI_R_PATH_LINK_SOURCE | BRI_R_PATH_LINK_TARGET |                    \
     BRI_R_PATH_RENAME_SOURCE | BRI_R_PATH_RENAME_TARGET |                \
     BRI_R_PATH_FILESTAT_SET_SIZE | BRI_R_PATH_FILESTAT_SET_TIMES |       \
     BRI_R_FD_FILESTAT_SET_SIZE | BRI_R_FD_FILESTAT_SET_TIMES |           \
     BRI_R_PATH_SYMLINK | BRI_R_PATH_REMOVE_DIRECTORY |                   \
     BRI_R_PATH_UNLINK_FILE)

/* The rights wasi-libc asks for when it opens for writing (O_WRONLY,
 * O_RDWR), after masking its request with the directory's inheritable
 * rights. A read-only directory still lists them as inheritable so that
 * such an open reaches path_open and is refused there (NOTCAPABLE)
 * instead of giving an fd whose writes fail later. */
#define BRI_R_WRITE_INTENT                                                \
    (BRI_R_FD_DATASYNC | BRI_R_FD_WRITE | BRI_R_FD_ALLOCATE |             \
     BRI_R_FD_FILESTAT_SET_SIZE)

enum {
    BRI_WASI_FT_UNKNOWN = 0,
    BRI_WASI_FT_BLOCK = 1,
    BRI_WASI_FT_CHAR = 2,
    BRI_WASI_FT_DIR = 3,
    BRI_WASI_FT_FILE = 4,
    BRI_WASI_FT_SOCK_DGRAM = 5,
    BRI_WASI_FT_SOCK_STREAM = 6,
    BRI_WASI_FT_SYMLINK = 7,
};

enum {
    BRI_WASI_FDFLAG_APPEND = 1,
    BRI_WASI_FDFLAG_DSYNC = 2,
    BRI_WASI_FDFLAG_NONBLOCK = 4,
    BRI_WASI_FDFLAG_RSYNC = 8,
    BRI_WASI_FDFLAG_SYNC = 16,
};

enum {
    BRI_WASI_O_CREAT = 1,
    BRI_WASI_O_DIRECTORY = 2,
    BRI_WASI_O_EXCL = 4,
    BRI_WASI_O_TRUNC = 8,
};

enum { BRI_WASI_LOOKUP_FOLLOW = 1 };

enum {
    BRI_WASI_FST_ATIM = 1,
    BRI_WASI_FST_ATIM_NOW = 2,
    BRI_WASI_FST_MTIM = 4,
    BRI_WASI_FST_MTIM_NOW = 8,
};

/*
 * THE list of WASI functions: name, parameters, results. Parameter codes:
 * 'i' i32, 'I' i64, 'p' a pointer or size (i32 in the wasm32 ABI, i64 in
 * the wasm64 one). Results: "i" (an errno) or "" (proc_exit).
 */
#define BRI_WASI_FUNCS(X)                                                 \
    X(args_get, "pp", "i")                                                \
    X(args_sizes_get, "pp", "i")                                          \
    X(environ_get, "pp", "i")                                             \
    X(environ_sizes_get, "pp", "i")                                       \
    X(clock_res_get, "ip", "i")                                           \
    X(clock_time_get, "iIp", "i")                                         \
    X(fd_advise, "iIIi", "i")                                             \
    X(fd_allocate, "iII", "i")                                            \
    X(fd_close, "i", "i")                                                 \
    X(fd_datasync, "i", "i")                                              \
    X(fd_fdstat_get, "ip", "i")                                           \
    X(fd_fdstat_set_flags, "ii", "i")                                     \
    X(fd_fdstat_set_rights, "iII", "i")                                   \
    X(fd_filestat_get, "ip", "i")                                         \
    X(fd_filestat_set_size, "iI", "i")                                    \
    X(fd_filestat_set_times, "iIIi", "i")                                 \
    X(fd_pread, "ippIp", "i")                                             \
    X(fd_prestat_get, "ip", "i")                                          \
    X(fd_prestat_dir_name, "ipp", "i")                                    \
    X(fd_pwrite, "ippIp", "i")                                            \
    X(fd_read, "ippp", "i")                                               \
    X(fd_readdir, "ippIp", "i")                                           \
    X(fd_renumber, "ii", "i")                                             \
    X(fd_seek, "iIip", "i")                                               \
    X(fd_sync, "i", "i")                                                  \
    X(fd_tell, "ip", "i")                                                 \
    X(fd_write, "ippp", "i")                                              \
    X(path_create_directory, "ipp", "i")                                  \
    X(path_filestat_get, "iippp", "i")                                    \
    X(path_filestat_set_times, "iippIIi", "i")                            \
    X(path_link, "iippipp", "i")                                          \
    X(path_open, "iippiIIip", "i")                                        \
    X(path_readlink, "ippppp", "i")                                       \
    X(path_remove_directory, "ipp", "i")                                  \
    X(path_rename, "ippipp", "i")                                         \
    X(path_symlink, "ppipp", "i")                                         \
    X(path_unlink_file, "ipp", "i")                                       \
    X(poll_oneoff, "pppp", "i")                                           \
    X(proc_exit, "i", "")                                                 \
    X(proc_raise, "i", "i")                                               \
    X(sched_yield, "", "i")                                               \
    X(random_get, "pp", "i")                                              \
    X(sock_accept, "iip", "i")                                            \
    X(sock_recv, "ippipp", "i")                                           \
    X(sock_send, "ippip", "i")                                            \
    X(sock_shutdown, "ii", "i")

/* ------------------------------------------------------------------ */
/* The fd table (wasi_fd.c)                                            */

enum {
    BRI_WASI_FD_FREE = 0,
    BRI_WASI_FD_STREAM = 1, /* guest stdio: `stream` says which */
    BRI_WASI_FD_FILE = 2,   /* a host fd we own (not a directory) */
    BRI_WASI_FD_DIR = 3,    /* a host directory fd we own */
};

typedef struct bri_wasi_fd {
    uint8_t kind;
    uint8_t filetype;
    uint8_t stream;        /* STREAM: 0 stdin, 1 stdout, 2 stderr */
    uint16_t fdflags;
    bool read_only;        /* DIR: under a read-only preopen */
    int host;              /* FILE/DIR: the host fd; STREAM: -1 */
    uint64_t rights_base;
    uint64_t rights_inheriting;
    char *preopen;         /* preopens only: guest path (not NUL-ended) */
    size_t preopen_len;
    DIR *dir;              /* fd_readdir's open stream, or NULL */
    uint64_t dir_next;     /* cookie of the entry `dir` reads next */
} bri_wasi_fd_t;

typedef struct bri_wasi_buf {
    uint8_t *data;
    size_t size, cap;
} bri_wasi_buf_t;

/* The host function environment of one (function, ABI) pair. */
typedef struct bri_wasi_binding {
    br_wasi_t *wasi;
    uint16_t func;  /* index in the import table */
    uint8_t psize;  /* 4 (wasm32) or 8 (wasm64 pointers and sizes) */
} bri_wasi_binding_t;

#define BRI_WASI_MAX_PARAMS 10
#define BRI_WASI_FUNC_ENUM(name, params, results) BRI_WASI_F_##name,
enum { BRI_WASI_FUNCS(BRI_WASI_FUNC_ENUM) BRI_WASI_FUNC_COUNT };
#undef BRI_WASI_FUNC_ENUM

typedef struct bri_wasi_sig {
    br_functype_t type;
    br_valkind_t params[BRI_WASI_MAX_PARAMS];
} bri_wasi_sig_t;

struct br_wasi {
    br_store_t *store;
    br_alloc_fn alloc;
    void *alloc_ud;
    br_memory_t *memory;

    uint8_t *args;         /* NUL-terminated strings, back to back */
    size_t args_size, arg_count;
    uint8_t *env;
    size_t env_size, env_count;

    br_wasi_in_mode_t in_mode;
    uint8_t *in_data;
    size_t in_size, in_pos;
    br_wasi_read_fn in_fn; /* BR_WASI_IN_CALLBACK */
    void *in_ud;
    size_t in_got; /* bytes the current call read from in_fn */
    bool in_wait;  /* the current call must wait for stdin: suspend */
    br_wasi_output_t out[2];
    bri_wasi_buf_t captured[2];

    bri_wasi_fd_t *fds;
    uint32_t fd_count;     /* entries in use or free below this */
    uint32_t fd_cap;
    uint32_t max_fds;
    uint32_t host_fds;     /* host fds open now (counted by the hook) */
    br_wasi_fd_fn fd_hook;
    void *fd_ud;

    uint64_t max_sleep_ns;
    size_t max_capture;
    br_wasi_clock_fn clock;
    void *clock_ud;
    br_wasi_random_fn random;
    void *random_ud;
    br_wasi_sleep_fn sleep;
    void *sleep_ud;

    bool exited;
    int32_t exit_code;

    bri_wasi_binding_t bindings[BRI_WASI_FUNC_COUNT][2];
    bri_wasi_sig_t sigs[BRI_WASI_FUNC_COUNT][2];
};

/* Fills w->sigs and w->bindings from the import table (wasi_import.c). */
void bri_wasi_build_sigs(br_wasi_t *w);

/* Allocation through the configured allocator. */
void *bri_wasi_alloc(br_wasi_t *w, size_t size);
void *bri_wasi_realloc(br_wasi_t *w, void *p, size_t osize, size_t nsize);
void bri_wasi_free(br_wasi_t *w, void *p, size_t size);

/* Host errno -> WASI errno. */
uint16_t bri_wasi_errno(int host_errno);
/* Host st_mode / dirent d_type -> WASI filetype. */
uint8_t bri_wasi_filetype(unsigned mode);
uint8_t bri_wasi_dtype(unsigned char d_type);

/* Sets up fds 0-2 and the preopens; false with `error` filled. */
bool bri_wasi_fdt_init(br_wasi_t *w, const br_wasi_config_t *config,
                      br_error_t *error);
void bri_wasi_fdt_free_all(br_wasi_t *w);
/* The entry of guest fd `fd` if open and holding every right in `need`.
 * Errors: BADF (not open), NOTCAPABLE (a right missing). */
uint16_t bri_wasi_fdt_get(br_wasi_t *w, uint64_t fd, uint64_t need,
                         bri_wasi_fd_t **out);
/* Is there a free slot (or room to add one)? */
bool bri_wasi_fdt_has_room(const br_wasi_t *w);
/* Installs `entry` in the lowest free slot; MFILE if the table is full.
 * On failure the caller still owns entry->host. */
uint16_t bri_wasi_fdt_add(br_wasi_t *w, const bri_wasi_fd_t *entry,
                         uint32_t *out);
/* Before opening one host fd: false (ENFILE) if the fd hook refuses
 * it. Every successful acquire is matched by one release when that fd
 * closes (or when opening it failed). */
bool bri_wasi_host_acquire(br_wasi_t *w);
void bri_wasi_host_release(br_wasi_t *w);
/* Closes the host side (never a host stdio fd) and frees the slot. */
void bri_wasi_fdt_release(br_wasi_t *w, bri_wasi_fd_t *e);
uint16_t bri_wasi_fdt_renumber(br_wasi_t *w, uint64_t from, uint64_t to);

/* Default rights by file type (a fresh fd gets these, masked). */
uint64_t bri_wasi_rights_for(uint8_t filetype);

/* ------------------------------------------------------------------ */
/* Path resolution inside a directory fd (wasi_path.c)                 */

#define BRI_WASI_PATH_MAX 4096

/* Where a guest path leads: the directory that holds its last component
 * and that component's name (never "..", never containing '/'). */
typedef struct bri_wasi_resolved {
    int dirfd;        /* owned if `owned`, else the base directory's fd */
    bool owned;
    bool trailing_slash; /* the path named a directory ("a/") */
    char name[BRI_WASI_PATH_MAX + 1];
} bri_wasi_resolved_t;

/* Resolves `path` (guest bytes) beneath the directory `base_host`:
 * absolute paths, ".." above the base and symlinks leaving it fail with
 * NOTCAPABLE; with `follow` a symlink in the last component is followed
 * too. Release with bri_wasi_resolved_close. */
uint16_t bri_wasi_resolve(int base_host, const uint8_t *path, size_t len,
                          bool follow, bri_wasi_resolved_t *out);
void bri_wasi_resolved_close(bri_wasi_resolved_t *r);

/* ------------------------------------------------------------------ */
/* Calls: the context every WASI function receives                     */

typedef struct bri_wasi_call {
    br_wasi_t *w;
    br_exec_t *exec;
    uint8_t *mem;        /* re-read from the memory at every call */
    uint64_t mem_size;
    unsigned psize;      /* 4 or 8 */
    uint64_t a[BRI_WASI_MAX_PARAMS]; /* i32 zero-extended, i64 as is */
    bool exit;           /* proc_exit: trap with BR_TRAP_EXIT */
    int32_t exit_code;
} bri_wasi_call_t;

typedef uint16_t (*bri_wasi_impl_t)(bri_wasi_call_t *c);

/* Is [ptr, ptr + len) inside guest memory? (64-bit arithmetic) */
static inline bool
bri_wasi_in_bounds(const bri_wasi_call_t *c, uint64_t ptr, uint64_t len)
{
    return c->mem != NULL && ptr <= c->mem_size && len <= c->mem_size - ptr;
}

/* Guest memory at [ptr, ptr + len), or NULL if out of bounds. */
static inline uint8_t *
bri_wasi_mem(const bri_wasi_call_t *c, uint64_t ptr, uint64_t len)
{
    return bri_wasi_in_bounds(c, ptr, len) ? c->mem + ptr : NULL;
}

static inline void
bri_wasi_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void
bri_wasi_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void
bri_wasi_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t
bri_wasi_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
bri_wasi_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t
bri_wasi_get64(const uint8_t *p)
{
    return (uint64_t)bri_wasi_get32(p) | (uint64_t)bri_wasi_get32(p + 4) << 32;
}

/* Stores in guest memory; FAULT if out of bounds. A pointer-sized value
 * (`size`/`usize` in the ABI) that does not fit wasm32 gives OVERFLOW. */
uint16_t bri_wasi_store_u32(bri_wasi_call_t *c, uint64_t ptr, uint32_t v);
uint16_t bri_wasi_store_u64(bri_wasi_call_t *c, uint64_t ptr, uint64_t v);
uint16_t bri_wasi_store_size(bri_wasi_call_t *c, uint64_t ptr, uint64_t v);
/* Reads iovec `i` of the array at `iovs` ({ptr,len}, 8 or 16 bytes) and
 * checks the buffer it names. */
uint16_t bri_wasi_iovec(bri_wasi_call_t *c, uint64_t iovs, uint64_t i,
                        uint8_t **out, uint64_t *len);
/* Reads a guest path into `out` (NUL-terminated copy) after checks. */
uint16_t bri_wasi_path_arg(bri_wasi_call_t *c, uint64_t ptr, uint64_t len,
                           const uint8_t **out);

/* Output of a guest stream (stdout/stderr): capture, callback, ... */
uint16_t bri_wasi_stream_write(br_wasi_t *w, uint8_t stream,
                               const uint8_t *data, size_t len);
/* Reads stdin per config; returns bytes read or sets *err. */
size_t bri_wasi_stream_read(br_wasi_t *w, uint8_t *buf, size_t len,
                            uint16_t *err);
/* Can stdin be read without blocking (poll_oneoff)? How many bytes, and
 * whether it is at its end. */
bool bri_wasi_stream_ready(br_wasi_t *w, uint64_t *nbytes, bool *hangup);

/* struct filestat (64 bytes) from a host stat. */
#define BRI_WASI_FILESTAT_SIZE 64
void bri_wasi_put_filestat(uint8_t *p, const struct stat *st);
/* utimensat/futimens times from WASI (atim, mtim, fstflags). */
uint16_t bri_wasi_times(uint64_t atim, uint64_t mtim, uint64_t flags,
                        struct timespec ts[2]);

/* Clock read by the config hook or the host; EINVAL for unknown ids. */
uint16_t bri_wasi_clock_now(br_wasi_t *w, uint32_t id, uint64_t *out);
/* The host clock of WASI clock `id`; false for unknown ids. */
bool bri_wasi_host_clock(uint32_t id, clockid_t *out);

/* The implementations (one per row of BRI_WASI_FUNCS). */
#define BRI_WASI_DECLARE(name, params, results)                           \
    uint16_t bri_wasi_##name(bri_wasi_call_t *c);
BRI_WASI_FUNCS(BRI_WASI_DECLARE)
#undef BRI_WASI_DECLARE

#endif
