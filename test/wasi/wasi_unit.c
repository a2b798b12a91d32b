/*
 * beamr WASI unit tests: path resolution against a real directory tree,
 * and the host functions called directly (br_func_call) on a memory made
 * with br_memory_new, for both ABIs, with hostile pointers and lengths.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "wasi_internal.h"

static const br_valkind_t I32 = BR_I32, I64 = BR_I64;
static br_store_t *cur_store; /* the store call() runs in */

typedef struct fixture {
    char root[64];
    br_engine_t *engine;
    br_store_t *store;
    br_memory_t *mem;
    br_wasi_t *wasi;
} fixture_t;

/* ------------------------------------------------------------------ */
/* Path resolution                                                     */

static void
make_tree(const char *root)
{
    char p[256];
    const char *dirs[] = {"box", "box/a", "box/a/b", "outside"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        mkdir(p, 0755);
    }
    snprintf(p, sizeof p, "%s/box/a/b/f", root);
    close(open(p, O_CREAT | O_WRONLY, 0644));
    snprintf(p, sizeof p, "%s/box/up", root);
    symlink("..", p);
    snprintf(p, sizeof p, "%s/box/a/in", root);
    symlink("b/f", p);
    snprintf(p, sizeof p, "%s/box/a/rootward", root);
    symlink("../a/b", p);
    snprintf(p, sizeof p, "%s/box/abs", root);
    symlink("/tmp", p);
    snprintf(p, sizeof p, "%s/box/loop", root);
    symlink("loop", p);
}

static uint16_t
resolve(int base, const char *path, bool follow, char *name_out)
{
    bri_wasi_resolved_t r;
    uint16_t err = bri_wasi_resolve(base, (const uint8_t *)path,
                                    strlen(path), follow, &r);
    if (err == 0) {
        strcpy(name_out, r.name);
        bri_wasi_resolved_close(&r);
    }
    return err;
}

static void
test_resolve(const char *root)
{
    char p[256], name[BRI_WASI_PATH_MAX + 1];
    snprintf(p, sizeof p, "%s/box", root);
    int base = open(p, O_RDONLY | O_DIRECTORY);
    CHECK(base >= 0);
    CHECK_EQ(resolve(base, "a/b/f", true, name), 0);
    CHECK(strcmp(name, "f") == 0);
    CHECK_EQ(resolve(base, "a/../a/b/./f", false, name), 0);
    CHECK_EQ(resolve(base, "a/in", true, name), 0);
    CHECK(strcmp(name, "f") == 0);
    CHECK_EQ(resolve(base, "a/in", false, name), 0);
    CHECK(strcmp(name, "in") == 0);
    CHECK_EQ(resolve(base, "a/rootward/f", true, name), 0);
    CHECK_EQ(resolve(base, "..", true, name), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(resolve(base, "a/../..", true, name), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(resolve(base, "a/../../box", true, name), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(resolve(base, "/etc/passwd", true, name), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(resolve(base, "up/outside", true, name), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(resolve(base, "up", true, name), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(resolve(base, "up", false, name), 0); /* the link itself */
    CHECK_EQ(resolve(base, "abs/x", false, name), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(resolve(base, "loop", true, name), BRI_WASI_ELOOP);
    CHECK_EQ(resolve(base, "", true, name), BRI_WASI_ENOENT);
    CHECK_EQ(resolve(base, "nope/x", true, name), BRI_WASI_ENOENT);
    CHECK_EQ(resolve(base, "a/b/f/x", true, name), BRI_WASI_ENOTDIR);
    CHECK_EQ(bri_wasi_resolve(base, (const uint8_t *)"a\0b", 3, true,
                              &(bri_wasi_resolved_t){0}),
             BRI_WASI_EINVAL);
    CHECK_EQ(resolve(base, ".", true, name), 0);
    CHECK(strcmp(name, ".") == 0);
    close(base);
}

/* ------------------------------------------------------------------ */
/* Host functions through the engine                                   */

static bool
fixture_new(fixture_t *f, const br_wasi_config_t *cfg)
{
    br_limitstype_t lim = {.min = 1, .max = 1, .has_max = true};
    f->engine = br_engine_new(NULL);
    f->store = br_store_new(f->engine, NULL);
    cur_store = f->store;
    f->mem = br_memory_new(f->store, &lim);
    br_error_t err;
    f->wasi = br_wasi_new(f->store, cfg, &err);
    if (f->wasi == NULL)
        printf("br_wasi_new: %s\n", err.message);
    else
        br_wasi_set_memory(f->wasi, f->mem);
    return f->wasi != NULL;
}

static void
fixture_delete(fixture_t *f)
{
    br_wasi_delete(f->wasi);
    br_store_delete(f->store);
    br_engine_delete(f->engine);
}

/* Imports `name` with parameters given as a string ('i' i32, 'I' i64). */
static br_func_t *
import(fixture_t *f, const char *name, const char *params, bool result)
{
    br_valkind_t kinds[BRI_WASI_MAX_PARAMS];
    size_t n = strlen(params);
    for (size_t i = 0; i < n; i++)
        kinds[i] = params[i] == 'i' ? I32 : I64;
    br_functype_t t = {(uint32_t)n, result, kinds, &I32};
    br_extern_t ext;
    br_name_t mod = {22, "wasi_snapshot_preview1"};
    br_name_t field = {strlen(name), name};
    return br_wasi_import(f->wasi, mod, field, &t, &ext) ? ext.of.func
                                                        : NULL;
}

/* Calls a WASI function with integer args; returns its errno or -1. */
static int
call(br_func_t *fn, const uint64_t *args, size_t n)
{
    br_val_t a[BRI_WASI_MAX_PARAMS], r[1];
    br_trap_t trap;
    const br_functype_t *t = br_func_type(fn);
    for (size_t i = 0; i < n; i++) {
        a[i].kind = t->params[i];
        if (a[i].kind == BR_I32)
            a[i].of.i32 = (int32_t)args[i];
        else
            a[i].of.i64 = (int64_t)args[i];
    }
    if (br_func_call(cur_store, fn, a, n, r, 1, &trap) != BR_DONE)
        return trap.kind == BR_TRAP_EXIT ? 1000 + trap.exit_code : -1;
    return t->result_count ? r[0].of.i32 : 0;
}

static uint8_t *
mem(fixture_t *f)
{
    return br_memory_data(f->mem);
}

static void
test_signatures(void)
{
    fixture_t f;
    CHECK(fixture_new(&f, NULL));
    CHECK(import(&f, "fd_write", "iiii", true) != NULL);
    CHECK(import(&f, "fd_write", "iIII", true) != NULL);   /* wasm64 */
    CHECK(import(&f, "fd_write", "iiiI", true) == NULL);   /* mixed */
    CHECK(import(&f, "fd_write", "iii", true) == NULL);
    CHECK(import(&f, "fd_write", "iiii", false) == NULL);
    CHECK(import(&f, "fd_seek", "iIii", true) != NULL);
    CHECK(import(&f, "fd_seek", "iIiI", true) != NULL);
    CHECK(import(&f, "clock_time_get", "iII", true) != NULL);
    CHECK(import(&f, "proc_exit", "i", false) != NULL);
    CHECK(import(&f, "sched_yield", "", true) != NULL);
    CHECK(import(&f, "no_such_call", "i", true) == NULL);
    br_extern_t ext;
    br_functype_t t = {1, 1, &I32, &I32};
    CHECK(!br_wasi_import(f.wasi, (br_name_t){13, "wasi_unstable"},
                          (br_name_t){8, "fd_close"}, &t, &ext));
    fixture_delete(&f);
}

static bool
collect(void *ud, uint32_t stream, const uint8_t *data, size_t size)
{
    char *dst = ud;
    (void)stream;
    strncat(dst, (const char *)data, size);
    return strstr(dst, "FAIL") == NULL;
}

static void
test_write_abis(void)
{
    fixture_t f;
    char streamed[64] = {0};
    br_wasi_config_t cfg = {0};
    cfg.out[0].mode = BR_WASI_OUT_CAPTURE;
    cfg.out[1] = (br_wasi_output_t){BR_WASI_OUT_CALLBACK, collect, streamed};
    cfg.max_capture = 8;
    CHECK(fixture_new(&f, &cfg));
    br_func_t *w32 = import(&f, "fd_write", "iiii", true);
    br_func_t *w64 = import(&f, "fd_write", "iIII", true);
    uint8_t *m = mem(&f);
    memcpy(m + 100, "hello", 5);
    bri_wasi_put32(m, 100); /* wasm32 iovec {u32 ptr, u32 len} */
    bri_wasi_put32(m + 4, 5);
    CHECK_EQ(call(w32, (uint64_t[]){1, 0, 1, 40}, 4), 0);
    CHECK_EQ(bri_wasi_get32(m + 40), 5);
    bri_wasi_put64(m + 8, 101); /* wasm64 iovec {u64 ptr, u64 len} */
    bri_wasi_put64(m + 16, 2);
    CHECK_EQ(call(w64, (uint64_t[]){1, 8, 1, 48}, 4), 0);
    CHECK_EQ(bri_wasi_get64(m + 48), 2);
    size_t n;
    const uint8_t *out = br_wasi_output(f.wasi, 1, &n);
    CHECK(n == 7 && memcmp(out, "helloel", 7) == 0);
    /* the capture cap: 7 of 8 bytes used */
    CHECK_EQ(call(w32, (uint64_t[]){1, 0, 1, 40}, 4), BRI_WASI_ENOSPC);
    br_wasi_output_clear(f.wasi, 1);
    CHECK_EQ(call(w32, (uint64_t[]){1, 0, 1, 40}, 4), 0);
    /* stderr through the callback, which can fail the write */
    CHECK_EQ(call(w32, (uint64_t[]){2, 0, 1, 40}, 4), 0);
    CHECK(strcmp(streamed, "hello") == 0);
    memcpy(m + 100, "FAIL!", 5);
    CHECK_EQ(call(w32, (uint64_t[]){2, 0, 1, 40}, 4), BRI_WASI_EIO);
    /* hostile pointers: beyond memory, wrapping, huge counts */
    bri_wasi_put32(m, 65534);
    CHECK_EQ(call(w32, (uint64_t[]){1, 0, 1, 40}, 4), BRI_WASI_EFAULT);
    bri_wasi_put64(m + 8, UINT64_MAX - 1);
    CHECK_EQ(call(w64, (uint64_t[]){1, 8, 1, 48}, 4), BRI_WASI_EFAULT);
    CHECK_EQ(call(w64, (uint64_t[]){1, 8, UINT64_MAX / 4, 48}, 4),
             BRI_WASI_EFAULT);
    CHECK_EQ(call(w32, (uint64_t[]){1, 0, 1, 65535}, 4), BRI_WASI_EFAULT);
    CHECK_EQ(call(w32, (uint64_t[]){0, 0, 1, 40}, 4), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(call(w32, (uint64_t[]){9, 0, 1, 40}, 4), BRI_WASI_EBADF);
    fixture_delete(&f);
}

static void
test_stdin_args_exit(void)
{
    fixture_t f;
    br_wasi_config_t cfg = {0};
    br_name_t args[2] = {{4, "prog"}, {3, "a b"}};
    cfg.args = args;
    cfg.arg_count = 2;
    cfg.stdin_mode = BR_WASI_IN_BUFFER;
    cfg.stdin_data = (br_name_t){6, "abcdef"};
    CHECK(fixture_new(&f, &cfg));
    uint8_t *m = mem(&f);
    br_func_t *rd = import(&f, "fd_read", "iiii", true);
    bri_wasi_put32(m, 200);
    bri_wasi_put32(m + 4, 4);
    CHECK_EQ(call(rd, (uint64_t[]){0, 0, 1, 40}, 4), 0);
    CHECK_EQ(bri_wasi_get32(m + 40), 4);
    CHECK_EQ(call(rd, (uint64_t[]){0, 0, 1, 40}, 4), 0);
    CHECK_EQ(bri_wasi_get32(m + 40), 2);
    CHECK(memcmp(m + 200, "efcd", 4) == 0);
    CHECK_EQ(call(rd, (uint64_t[]){0, 0, 1, 40}, 4), 0);
    CHECK_EQ(bri_wasi_get32(m + 40), 0);
    br_func_t *sz = import(&f, "args_sizes_get", "II", true);
    br_func_t *get = import(&f, "args_get", "II", true);
    CHECK_EQ(call(sz, (uint64_t[]){0, 8}, 2), 0);
    CHECK_EQ(bri_wasi_get64(m), 2);
    CHECK_EQ(bri_wasi_get64(m + 8), 9);
    CHECK_EQ(call(get, (uint64_t[]){16, 300}, 2), 0);
    CHECK_EQ(bri_wasi_get64(m + 24), 305);
    CHECK(memcmp(m + 300, "prog\0a b\0", 9) == 0);
    CHECK_EQ(call(get, (uint64_t[]){16, 65530}, 2), BRI_WASI_EFAULT);
    br_func_t *ex = import(&f, "proc_exit", "i", false);
    int32_t code = 0;
    CHECK(!br_wasi_exited(f.wasi, &code));
    CHECK_EQ(call(ex, (uint64_t[]){7}, 1), 1007);
    CHECK(br_wasi_exited(f.wasi, &code) && code == 7);
    fixture_delete(&f);
}

static void
test_poll(void)
{
    fixture_t f;
    br_wasi_config_t cfg = {0};
    cfg.stdin_mode = BR_WASI_IN_BUFFER;
    cfg.stdin_data = (br_name_t){3, "xyz"};
    cfg.max_sleep_ns = 1000000; /* 1 ms cap */
    CHECK(fixture_new(&f, &cfg));
    uint8_t *m = mem(&f);
    br_func_t *poll = import(&f, "poll_oneoff", "iiii", true);
    /* sub 0: clock, relative 10 s; sub 1: stdin readable */
    memset(m, 0, 96);
    bri_wasi_put64(m, 11);
    m[8] = 0;
    bri_wasi_put32(m + 16, 1);
    bri_wasi_put64(m + 24, 10000000000ull);
    bri_wasi_put64(m + 48, 22);
    m[56] = 1;
    bri_wasi_put32(m + 64, 0);
    CHECK_EQ(call(poll, (uint64_t[]){0, 1000, 2, 2000}, 4), 0);
    CHECK_EQ(bri_wasi_get32(m + 2000), 1); /* stdin only, no waiting */
    CHECK_EQ(bri_wasi_get64(m + 1000), 22);
    CHECK_EQ(bri_wasi_get64(m + 1016), 3);
    /* clock alone: capped at 1 ms, then reported as fired */
    uint64_t t0, t1;
    bri_wasi_clock_now(f.wasi, 1, &t0);
    CHECK_EQ(call(poll, (uint64_t[]){0, 1000, 1, 2000}, 4), 0);
    bri_wasi_clock_now(f.wasi, 1, &t1);
    CHECK_EQ(bri_wasi_get32(m + 2000), 1);
    CHECK_EQ(bri_wasi_get64(m + 1000), 11);
    CHECK(t1 - t0 < 1000000000ull);
    CHECK_EQ(call(poll, (uint64_t[]){0, 1000, 0, 2000}, 4), BRI_WASI_EINVAL);
    CHECK_EQ(call(poll, (uint64_t[]){0, 65500, 2, 2000}, 4), BRI_WASI_EFAULT);
    fixture_delete(&f);
}

/* Gives `cfg` its one preopen: ROOT/box seen as "/box", read-only or
 * not. `pre` and `host` (of `cap` bytes) are the caller's, as they must
 * live as long as `cfg` is used. */
static void
box_preopen(br_wasi_config_t *cfg, br_wasi_preopen_t *pre, char *host,
            size_t cap, const char *root, bool read_only)
{
    snprintf(host, cap, "%s/box", root);
    *pre = (br_wasi_preopen_t){{4, "/box"}, {strlen(host), host}, read_only};
    cfg->preopens = pre;
    cfg->preopen_count = 1;
}

static void
test_fd_table(const char *root)
{
    fixture_t f;
    char host[256];
    br_wasi_config_t cfg = {0};
    br_wasi_preopen_t pre;
    box_preopen(&cfg, &pre, host, sizeof host, root, true);
    cfg.max_fds = 5;
    CHECK(fixture_new(&f, &cfg));
    uint8_t *m = mem(&f);
    memcpy(m + 100, "a/b/f", 5);
    br_func_t *open_ = import(&f, "path_open", "iiiiiIIii", true);
    br_func_t *close_ = import(&f, "fd_close", "i", true);
    br_func_t *ren = import(&f, "fd_renumber", "ii", true);
    br_func_t *unl = import(&f, "path_unlink_file", "iii", true);
    uint64_t rd = BRI_R_FD_READ, wr = BRI_R_FD_WRITE;
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rd, 0, 0, 40}, 9), 0);
    CHECK_EQ(bri_wasi_get32(m + 40), 4);
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rd, 0, 0, 40}, 9),
             BRI_WASI_EMFILE);
    /* read-only preopen: no writing, creating or unlinking */
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, wr, 0, 0, 40}, 9),
             BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 1, rd, 0, 0, 40}, 9),
             BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(call(unl, (uint64_t[]){3, 100, 5}, 3), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(call(open_, (uint64_t[]){0, 1, 100, 5, 0, rd, 0, 0, 40}, 9),
             BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(call(ren, (uint64_t[]){4, 1}, 2), 0);
    CHECK_EQ(call(close_, (uint64_t[]){4}, 1), BRI_WASI_EBADF);
    CHECK_EQ(call(close_, (uint64_t[]){1}, 1), 0);
    CHECK_EQ(call(close_, (uint64_t[]){1}, 1), BRI_WASI_EBADF);
    CHECK_EQ(call(close_, (uint64_t[]){0xFFFFFFFFu}, 1), BRI_WASI_EBADF);
    fixture_delete(&f);
    /* a preopen that does not exist is an error at creation */
    pre.host_path = (br_name_t){14, "/no/such/dir/x"};
    br_error_t err;
    CHECK(br_wasi_new(NULL, &cfg, &err) == NULL);
    CHECK_EQ(err.code, BR_ERR_NOT_FOUND);
}

/* The embedder's cap on host fds (br_wasi_config_t.fd_hook): a counter
 * shared by environments, refusing beyond `cap`. */
typedef struct fd_counter {
    int open, cap;
} fd_counter_t;

static bool
count_fds(void *ud, int delta)
{
    fd_counter_t *c = ud;
    if (delta > 0 && c->open >= c->cap)
        return false;
    c->open += delta;
    return true;
}

static void
test_fd_limits(const char *root)
{
    fixture_t f;
    char host[256];
    fd_counter_t count = {0, 3};
    br_wasi_config_t cfg = {0};
    br_wasi_preopen_t pre;
    box_preopen(&cfg, &pre, host, sizeof host, root, false);
    cfg.fd_hook = count_fds;
    cfg.fd_ud = &count;
    CHECK(fixture_new(&f, &cfg));
    CHECK_EQ(br_wasi_host_fds(f.wasi), 1); /* the preopen */
    uint8_t *m = mem(&f);
    memcpy(m + 100, "a/b/f", 5);
    br_func_t *open_ = import(&f, "path_open", "iiiiiIIii", true);
    br_func_t *close_ = import(&f, "fd_close", "i", true);
    br_func_t *write_ = import(&f, "fd_write", "iiii", true);
    uint64_t rd = BRI_R_FD_READ;
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rd, 0, 0, 40}, 9), 0);
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rd, 0, 0, 40}, 9), 0);
    /* the embedder's cap of 3 is reached: ENFILE, nothing opened */
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rd, 0, 0, 40}, 9),
             BRI_WASI_ENFILE);
    CHECK_EQ(count.open, 3);
    CHECK_EQ(br_wasi_host_fds(f.wasi), 3);
    CHECK_EQ(call(close_, (uint64_t[]){4}, 1), 0);
    CHECK_EQ(count.open, 2);
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rd, 0, 0, 40}, 9), 0);
    /* every host fd closed at once; stdio still works, the rest EBADF */
    br_wasi_close_fds(f.wasi);
    CHECK_EQ(count.open, 0);
    CHECK_EQ(br_wasi_host_fds(f.wasi), 0);
    CHECK_EQ(call(close_, (uint64_t[]){5}, 1), BRI_WASI_EBADF);
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rd, 0, 0, 40}, 9),
             BRI_WASI_EBADF);
    bri_wasi_put32(m, 100);
    bri_wasi_put32(m + 4, 5);
    CHECK_EQ(call(write_, (uint64_t[]){1, 0, 1, 40}, 4), 0);
    br_wasi_close_fds(f.wasi); /* idempotent */
    CHECK_EQ(count.open, 0);
    fixture_delete(&f);
    CHECK_EQ(count.open, 0);
    /* a preopen the cap refuses fails the creation */
    count.cap = 0;
    br_error_t err;
    CHECK(br_wasi_new(NULL, &cfg, &err) == NULL);
    CHECK_EQ(err.code, BR_ERR_LIMIT_EXCEEDED);
    CHECK_EQ(count.open, 0);
}

/* The default table: 128 guest fds, stdio and preopens included. */
static void
test_fd_default_limit(const char *root)
{
    fixture_t f;
    char host[256];
    br_wasi_config_t cfg = {0};
    br_wasi_preopen_t pre;
    box_preopen(&cfg, &pre, host, sizeof host, root, false);
    CHECK(fixture_new(&f, &cfg));
    memcpy(mem(&f) + 100, "a/b/f", 5);
    br_func_t *open_ = import(&f, "path_open", "iiiiiIIii", true);
    int opened = 0, e;
    while ((e = call(open_, (uint64_t[]){3, 1, 100, 5, 0, BRI_R_FD_READ, 0,
                                         0, 40}, 9)) == 0)
        opened++;
    CHECK_EQ(e, BRI_WASI_EMFILE);
    CHECK_EQ(opened, 128 - 4);
    CHECK_EQ(br_wasi_host_fds(f.wasi), 128 - 3);
    fixture_delete(&f);
}

/* A read-only preopen lists the write rights as inheritable (wasi-libc
 * masks its request with them) and refuses an open that asks for them,
 * so open(O_RDWR) fails at once with NOTCAPABLE. */
static void
test_read_only_open(const char *root)
{
    fixture_t f;
    char host[256];
    br_wasi_config_t cfg = {0};
    br_wasi_preopen_t pre;
    box_preopen(&cfg, &pre, host, sizeof host, root, true);
    CHECK(fixture_new(&f, &cfg));
    uint8_t *m = mem(&f);
    memcpy(m + 100, "a/b/f", 5);
    memcpy(m + 200, "a", 1);
    br_func_t *open_ = import(&f, "path_open", "iiiiiIIii", true);
    br_func_t *stat_ = import(&f, "fd_fdstat_get", "ii", true);
    CHECK_EQ(call(stat_, (uint64_t[]){3, 300}, 2), 0);
    uint64_t inh = bri_wasi_get64(m + 316);
    CHECK((inh & BRI_R_FD_WRITE) != 0);
    CHECK((inh & BRI_R_PATH_CREATE_FILE) == 0);
    uint64_t rdwr = (BRI_R_FD_READ | BRI_R_FD_WRITE | BRI_R_FD_SEEK) & inh;
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rdwr, inh, 0, 40}, 9),
             BRI_WASI_ENOTCAPABLE);
    uint64_t rdonly = BRI_R_FD_READ | BRI_R_FD_SEEK;
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 100, 5, 0, rdonly, inh, 0, 40},
                  9), 0);
    /* a directory opened beneath it stays read-only */
    CHECK_EQ(call(open_, (uint64_t[]){3, 1, 200, 1, 2, BRI_R_PATH_OPEN, inh,
                                      0, 44}, 9), 0);
    uint32_t sub = bri_wasi_get32(m + 44);
    memcpy(m + 100, "b/f", 3);
    CHECK_EQ(call(open_, (uint64_t[]){sub, 1, 100, 3, 0, rdwr, inh, 0, 40},
                  9), BRI_WASI_ENOTCAPABLE);
    CHECK_EQ(call(open_, (uint64_t[]){sub, 1, 100, 3, 0, rdonly, inh, 0, 40},
                  9), 0);
    fixture_delete(&f);
}

/* max_capture = BR_WASI_CAPTURE_NONE: a captured stream holds nothing. */
static void
test_capture_none(void)
{
    fixture_t f;
    br_wasi_config_t cfg = {0};
    cfg.out[0].mode = BR_WASI_OUT_CAPTURE;
    cfg.max_capture = BR_WASI_CAPTURE_NONE;
    CHECK(fixture_new(&f, &cfg));
    br_func_t *w32 = import(&f, "fd_write", "iiii", true);
    uint8_t *m = mem(&f);
    memcpy(m + 100, "hello", 5);
    bri_wasi_put32(m, 100);
    bri_wasi_put32(m + 4, 5);
    CHECK_EQ(call(w32, (uint64_t[]){1, 0, 1, 40}, 4), BRI_WASI_ENOSPC);
    bri_wasi_put32(m + 4, 0);
    CHECK_EQ(call(w32, (uint64_t[]){1, 0, 1, 40}, 4), 0);
    size_t n = 99;
    br_wasi_output(f.wasi, 1, &n);
    CHECK_EQ(n, 0);
    fixture_delete(&f);
}

/* A read into the first buffer overwrites the second iovec with one
 * that points outside memory: the bytes already read are reported and
 * the bad buffer is never written (it reached memcpy as NULL before). */
static void
test_iovec_overwritten_by_read(void)
{
    fixture_t f;
    br_wasi_config_t cfg = {0};
    static const char in[12] = {'\xf0', '\xff', '\xff', '\xff', 4, 0, 0, 0,
                                'm', 'o', 'r', 'e'};
    cfg.stdin_mode = BR_WASI_IN_BUFFER;
    cfg.stdin_data = (br_name_t){12, in};
    CHECK(fixture_new(&f, &cfg));
    uint8_t *m = mem(&f);
    br_func_t *rd = import(&f, "fd_read", "iiii", true);
    bri_wasi_put32(m + 8, 16); /* iov 0: the 8 bytes of iov 1 */
    bri_wasi_put32(m + 12, 8);
    bri_wasi_put32(m + 16, 200); /* iov 1: valid until overwritten */
    bri_wasi_put32(m + 20, 4);
    CHECK_EQ(call(rd, (uint64_t[]){0, 8, 2, 40}, 4), 0);
    CHECK_EQ(bri_wasi_get32(m + 40), 8);
    CHECK_EQ(bri_wasi_get32(m + 16), 0xfffffff0u);
    fixture_delete(&f);
}

static int
rm_entry(const char *p, const struct stat *s, int fl, struct FTW *ftw)
{
    (void)s;
    (void)fl;
    (void)ftw;
    return remove(p);
}

int
main(void)
{
    char root[] = "/tmp/beamr-wasi-unit-XXXXXX";
    if (mkdtemp(root) == NULL)
        return 2;
    make_tree(root);
    test_resolve(root);
    test_signatures();
    test_write_abis();
    test_stdin_args_exit();
    test_poll();
    test_fd_table(root);
    test_fd_limits(root);
    test_fd_default_limit(root);
    test_read_only_open(root);
    test_capture_none();
    test_iovec_overwritten_by_read();
    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return CHECK_DONE();
}
