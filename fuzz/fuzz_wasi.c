/*
 * beamr fuzz target: WASI preview 1 calls with hostile arguments. The
 * input fills the start of a one-page guest memory, then names a
 * sequence of WASI calls (either ABI) whose arguments are drawn from
 * edge values (end of memory, 0xffffffff, ...) or taken raw. Each input
 * starts from a fresh scratch tree (a writable preopen "/" and a
 * read-only "/ro"), so runs are reproducible and the guest can only
 * touch those directories; file sizes are capped with RLIMIT_FSIZE.
 * SPDX-License-Identifier: Apache-2.0
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "wasi_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CALLS 24
#define MEM_PAGES 1
#define MEM_BYTES (MEM_PAGES * 65536u)
/* Fixed contents placed in memory after the input's prefix: names the
 * guest may open and an iovec array, so that calls succeed often. */
#define AT_NAMES 0x8000u
#define AT_IOVS 0x9000u
#define AT_BUF 0xa000u

typedef struct row {
    const char *name;
    const char *params;
} row_t;

#define ROW(name, params, results) {#name, params},
static const row_t rows[] = {BRI_WASI_FUNCS(ROW)};
#undef ROW
#define ROW_COUNT (sizeof rows / sizeof rows[0])

static char scratch[64];
static char rw_dir[96], ro_dir[96];

/* ------------------------------------------------------------------ */
/* The scratch tree                                                    */

static int
remove_entry(const char *path, const struct stat *st, int flag,
             struct FTW *ftw)
{
    (void)st;
    (void)flag;
    if (ftw->level > 0)
        remove(path);
    return 0;
}

static void
put_file(const char *dir, const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0)
            perror(path);
        close(fd);
    }
}

/* Empties the tree and creates the same few entries again. */
static void
reset_tree(void)
{
    char path[160];
    nftw(rw_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    put_file(rw_dir, "file.txt", "hello, file\n");
    snprintf(path, sizeof path, "%s/sub", rw_dir);
    mkdir(path, 0755);
    put_file(path, "inner.txt", "inner\n");
    snprintf(path, sizeof path, "%s/link", rw_dir);
    if (symlink("file.txt", path) != 0 && errno != EEXIST)
        perror(path);
}

static int
remove_any(const char *path, const struct stat *st, int flag,
           struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* At exit: the whole scratch directory. */
static void
remove_scratch(void)
{
    nftw(scratch, remove_any, 16, FTW_DEPTH | FTW_PHYS);
}

/* Once per process: the directories, the file-size cap (a guest's
 * fd_allocate or ftruncate must not fill the host's disk), no SIGXFSZ. */
static void
setup_once(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/beamr-fuzz-wasi-XXXXXX");
    if (mkdtemp(scratch) == NULL)
        abort();
    snprintf(rw_dir, sizeof rw_dir, "%s/rw", scratch);
    snprintf(ro_dir, sizeof ro_dir, "%s/ro", scratch);
    mkdir(rw_dir, 0755);
    mkdir(ro_dir, 0755);
    put_file(ro_dir, "read.txt", "read only\n");
    atexit(remove_scratch);
    struct rlimit rl = {16u << 20, 16u << 20};
    setrlimit(RLIMIT_FSIZE, &rl);
    signal(SIGXFSZ, SIG_IGN);
}

/* ------------------------------------------------------------------ */
/* Deterministic hooks: no real sleeping, fixed clocks and randomness  */

static bool
fake_clock(void *ud, uint32_t id, uint64_t *out)
{
    (void)ud;
    *out = 1000000000ull * (id + 1);
    return id < 4;
}

static bool
fake_random(void *ud, uint8_t *buf, size_t size)
{
    (void)ud;
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)(i * 31 + 7);
    return true;
}

static void
fake_sleep(void *ud, uint64_t ns)
{
    (void)ud;
    (void)ns;
}

static br_name_t
name_of(const char *s)
{
    br_name_t n = {strlen(s), s};
    return n;
}

static br_wasi_t *
make_wasi(br_store_t *store)
{
    static br_name_t args[2], env[2];
    static br_wasi_preopen_t pre[2];
    args[0] = name_of("prog");
    args[1] = name_of("--flag=value");
    env[0] = name_of("HOME=/");
    env[1] = name_of("EMPTY=");
    pre[0].guest_path = name_of("/");
    pre[0].host_path = name_of(rw_dir);
    pre[1].guest_path = name_of("/ro");
    pre[1].host_path = name_of(ro_dir);
    pre[1].read_only = true;
    br_wasi_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.arg_count = 2;
    cfg.args = args;
    cfg.env_count = 2;
    cfg.env = env;
    cfg.preopen_count = 2;
    cfg.preopens = pre;
    cfg.stdin_mode = BR_WASI_IN_BUFFER;
    cfg.stdin_data = name_of("line one\nline two\n");
    cfg.out[0].mode = BR_WASI_OUT_CAPTURE;
    cfg.out[1].mode = BR_WASI_OUT_DISCARD;
    cfg.max_capture = 4096;
    cfg.max_fds = 16;
    cfg.clock = fake_clock;
    cfg.random = fake_random;
    cfg.sleep = fake_sleep;
    br_error_t err;
    return br_wasi_new(store, &cfg, &err);
}

/* ------------------------------------------------------------------ */
/* Reading the input                                                   */

typedef struct input {
    const uint8_t *p;
    size_t n;
} input_t;

static uint8_t
take_u8(input_t *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static uint64_t
take_raw(input_t *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)take_u8(in) << (8 * i);
    return v;
}

/* An argument: an edge value, a fixed address, or raw bytes. */
static uint64_t
take_arg(input_t *in, bool wide)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 4, 8, 16, 64,
        AT_NAMES, AT_NAMES + 16, AT_NAMES + 32, AT_IOVS, AT_BUF,
        MEM_BYTES - 1, MEM_BYTES - 4, MEM_BYTES - 8, MEM_BYTES,
        MEM_BYTES + 1, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff,
        0x100000000ull, 0x7fffffffffffffffull, 0xffffffffffffffffull,
    };
    uint8_t sel = take_u8(in);
    if (sel < 0x80)
        return edges[sel % (sizeof edges / sizeof edges[0])];
    return take_raw(in, wide ? 8 : 4);
}

/* Memory: the input's prefix (its first byte says how long, in 64-byte
 * units), then the fixed names and iovecs. */
static void
fill_memory(uint8_t *mem, input_t *in)
{
    static const char names[] = "file.txt\0\0\0\0\0\0\0\0"
                                "sub/../file.txt\0"
                                "../../etc/passwd\0\0\0\0\0\0\0\0\0\0"
                                "\0\0\0\0\0\0";
    size_t len = (size_t)take_u8(in) * 64;
    if (len > in->n)
        len = in->n;
    memcpy(mem, in->p, len);
    in->p += len;
    in->n -= len;
    memcpy(mem + AT_NAMES, names, sizeof names);
    for (uint32_t i = 0; i < 4; i++) {
        uint32_t iov[2] = {AT_BUF + i * 256, 256};
        memcpy(mem + AT_IOVS + i * 8, iov, sizeof iov);
    }
}

/* ------------------------------------------------------------------ */
/* The calls                                                           */

static void
call_one(br_store_t *store, br_wasi_t *w, input_t *in)
{
    uint8_t which = take_u8(in);
    const row_t *r = &rows[which % ROW_COUNT];
    bool abi64 = (which / ROW_COUNT) & 1;
    br_valkind_t params[BRI_WASI_MAX_PARAMS];
    br_val_t args[BRI_WASI_MAX_PARAMS];
    static const br_valkind_t res[1] = {BR_I32};
    uint32_t n = 0;
    for (; r->params[n] != 0; n++) {
        bool wide = r->params[n] == 'I' || (r->params[n] == 'p' && abi64);
        params[n] = wide ? BR_I64 : BR_I32;
        args[n] = fuzz_zero(params[n]);
        uint64_t v = take_arg(in, wide);
        if (wide)
            args[n].of.u64 = v;
        else
            args[n].of.u32 = (uint32_t)v;
    }
    br_functype_t type = {n, 0, params, res};
    /* proc_exit has no result; every other call returns an errno */
    type.result_count = strcmp(r->name, "proc_exit") == 0 ? 0 : 1;
    br_extern_t fn;
    if (!br_wasi_import(w, name_of("wasi_snapshot_preview1"),
                        name_of(r->name), &type, &fn))
        return;
    br_val_t out[1];
    br_trap_t trap;
    br_func_call(store, fn.of.func, args, n, out, 1, &trap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static br_engine_t *engine;
    if (engine == NULL) {
        engine = fuzz_engine();
        setup_once();
    }
    reset_tree();
    br_store_t *store = br_store_new(engine, NULL);
    br_limitstype_t lim = {.min = MEM_PAGES, .max = MEM_PAGES + 1, .has_max = true};
    br_memory_t *mem = store ? br_memory_new(store, &lim) : NULL;
    br_wasi_t *w = mem ? make_wasi(store) : NULL;
    if (w != NULL) {
        input_t in = {data, size};
        br_wasi_set_memory(w, mem);
        fill_memory(br_memory_data(mem), &in);
        for (int i = 0; i < MAX_CALLS && in.n > 0; i++)
            call_one(store, w, &in);
        br_wasi_delete(w);
    }
    if (store != NULL)
        br_store_delete(store);
    return 0;
}
