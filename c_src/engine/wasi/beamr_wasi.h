/*
 * beamr WASI preview 1 (wasi_snapshot_preview1): the public C API.
 * Host functions for the standard wasm32 ABI and for the 64-bit-pointer
 * variant Emscripten's wasm64 modules import; see docs/wasi.md.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BEAMR_WASI_H
#define BEAMR_WASI_H

#include "../beamr.h"

/* One WASI environment: arguments, environment, an fd table with its
 * preopened directories, stdio. Serves one instance (or several that run
 * one at a time and share the same fd table). */
typedef struct br_wasi br_wasi_t;

/* Where the guest's stdin comes from. */
typedef enum br_wasi_in_mode {
    BR_WASI_IN_EMPTY = 0,  /* end of file at once */
    BR_WASI_IN_BUFFER = 1, /* the bytes of `stdin_data` (copied) */
    BR_WASI_IN_INHERIT = 2, /* the host process's fd 0 (never closed) */
    BR_WASI_IN_CALLBACK = 3 /* `stdin_fn`: a host pipe, read as it fills */
} br_wasi_in_mode_t;

/* Stdin callback (BR_WASI_IN_CALLBACK): copies up to `size` bytes into
 * `buf` and returns how many, 0 at end of file, or BR_WASI_READ_WAIT
 * when nothing is there yet. A read that would wait suspends the WASI
 * host function (br_exec_run returns BR_IMPORT); the embedder retries it
 * with br_exec_import_retry once data may be there. With `size` 0 (and
 * `buf` NULL) it only tells what a read would get (poll_oneoff). */
#define BR_WASI_READ_WAIT SIZE_MAX
typedef size_t (*br_wasi_read_fn)(void *ud, uint8_t *buf, size_t size);

/* Where the guest's stdout or stderr goes. */
typedef enum br_wasi_out_mode {
    BR_WASI_OUT_DISCARD = 0, /* accepted and dropped */
    BR_WASI_OUT_CAPTURE = 1, /* appended to a buffer: br_wasi_output */
    BR_WASI_OUT_CALLBACK = 2, /* passed to `fn` as it is written */
    BR_WASI_OUT_INHERIT = 3  /* the host process's fd 1 or 2 */
} br_wasi_out_mode_t;

/* Output callback: `stream` is 1 (stdout) or 2 (stderr). Returning false
 * fails the guest's write with EIO. */
typedef bool (*br_wasi_write_fn)(void *ud, uint32_t stream,
                                 const uint8_t *data, size_t size);

typedef struct br_wasi_output {
    br_wasi_out_mode_t mode;
    br_wasi_write_fn fn; /* BR_WASI_OUT_CALLBACK */
    void *ud;
} br_wasi_output_t;

/* A host directory the guest sees under `guest_path` (for example "/",
 * "/data" or "."). */
typedef struct br_wasi_preopen {
    br_name_t guest_path;
    br_name_t host_path;
    bool read_only; /* refuse every write, creation, removal, rename */
} br_wasi_preopen_t;

/* Optional hooks (NULL: the host OS). A clock hook returns false for a
 * clock it does not provide (the guest gets EINVAL); a random hook
 * returning false gives the guest EIO. The sleep hook is called for
 * poll_oneoff clock waits, already capped by `max_sleep_ns`. */
typedef bool (*br_wasi_clock_fn)(void *ud, uint32_t clock_id,
                                 uint64_t *out_ns);
typedef bool (*br_wasi_random_fn)(void *ud, uint8_t *buf, size_t size);
typedef void (*br_wasi_sleep_fn)(void *ud, uint64_t ns);

typedef struct br_wasi_config {
    br_alloc_fn alloc; /* NULL: malloc/realloc/free */
    void *alloc_ud;

    size_t arg_count;          /* argv[0] included, if wanted */
    const br_name_t *args;     /* byte strings, no NUL inside */
    size_t env_count;
    const br_name_t *env;      /* "NAME=value" byte strings */

    size_t preopen_count;      /* guest fds 3, 4, ... in this order */
    const br_wasi_preopen_t *preopens;

    br_wasi_in_mode_t stdin_mode;
    br_name_t stdin_data;      /* BR_WASI_IN_BUFFER (copied) */
    br_wasi_read_fn stdin_fn;  /* BR_WASI_IN_CALLBACK */
    void *stdin_ud;
    br_wasi_output_t out[2];   /* [0] stdout, [1] stderr */

    /* Limits (0: the default in brackets). */
    uint64_t max_sleep_ns;     /* one poll_oneoff wait [10 ms] */
    size_t max_capture;        /* per captured stream [64 MiB] */
    uint32_t max_fds;          /* size of the fd table [1024] */

    br_wasi_clock_fn clock;
    void *clock_ud;
    br_wasi_random_fn random;
    void *random_ud;
    br_wasi_sleep_fn sleep;
    void *sleep_ud;
} br_wasi_config_t;

/* Creates the environment: copies the config, opens the preopened host
 * directories (an error names the first that fails). Host functions are
 * created in `store`; the br_wasi_t must outlive every call into them. */
BR_API own br_wasi_t *br_wasi_new(br_store_t *store,
                                  const br_wasi_config_t *config,
                                  br_error_t *error);
/* Closes every guest fd (never the host's own stdio) and frees it. */
BR_API void br_wasi_delete(own br_wasi_t *wasi);

/* Resolves one import: a host function of exactly `type` if `module` is
 * "wasi_snapshot_preview1", `field` a WASI function, and `type` its
 * wasm32 signature or its wasm64 one (pointers and sizes as i64). False
 * otherwise (unknown name or a signature that fits neither ABI). */
BR_API bool br_wasi_import(br_wasi_t *wasi, br_name_t module,
                           br_name_t field, const br_functype_t *type,
                           br_extern_t *out);
/* Fills imports[i] for every WASI function import of `module` (others are
 * left untouched). Fails with BR_ERR_UNKNOWN_IMPORT or
 * BR_ERR_INCOMPATIBLE_IMPORT naming the import. */
BR_API br_err_t br_wasi_link(br_wasi_t *wasi, const br_module_t *module,
                             br_extern_t *imports, size_t import_count,
                             br_error_t *error);
/* True if `module` names the WASI preview 1 import module. */
BR_API bool br_wasi_is_module(br_name_t module);

/* The memory guest pointers refer to (call after instantiation). Without
 * it, memory 0 of the calling instance is used. */
BR_API void br_wasi_set_memory(br_wasi_t *wasi, br_memory_t *memory);

/* Captured output of stream 1 (stdout) or 2 (stderr); valid until the
 * next call into the guest or br_wasi_output_clear. */
BR_API const uint8_t *br_wasi_output(const br_wasi_t *wasi, uint32_t stream,
                                     size_t *size);
BR_API void br_wasi_output_clear(br_wasi_t *wasi, uint32_t stream);

/* True once the guest called proc_exit; its code in *code. */
BR_API bool br_wasi_exited(const br_wasi_t *wasi, int32_t *code);

#endif
