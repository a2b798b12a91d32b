/*
 * WASI test program: attempts to leave the preopened /sandbox. The
 * driver puts outside/secret.txt next to the sandbox directory, so a
 * failure here is the sandbox refusing, not a missing file. Following
 * symlinks that point out is escape_links.c (node:wasi follows them).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static void
try_open(const char *path)
{
    errno = 0;
    int fd = open(path, O_RDONLY);
    char buf[32] = {0};
    if (fd >= 0) {
        read(fd, buf, sizeof buf - 1);
        close(fd);
    }
    printf("open %-34s -> %s%s\n", path, fd >= 0 ? "OPENED " : "",
           fd >= 0 ? buf : strerror(errno));
}

static void
try_symlink(const char *target, const char *path)
{
    errno = 0;
    int r = symlink(target, path);
    printf("symlink %-24s -> %d %s\n", target, r, r ? strerror(errno) : "");
}

/* Straight to the host call, bypassing wasi-libc's path handling. */
static void
raw_open(const char *path)
{
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(3, 1, path, 0, __WASI_RIGHTS_FD_READ,
                                        0, 0, &fd);
    printf("path_open(3, %-22s) -> errno %d\n", path, e);
    if (e == 0)
        __wasi_fd_close(fd);
}

int
main(void)
{
    mkdir("/sandbox/sub", 0755);
    FILE *f = fopen("/sandbox/sub/in.txt", "w");
    fputs("inside\n", f);
    fclose(f);
    try_open("/sandbox/sub/in.txt");
    try_open("/sandbox/sub/../sub/in.txt");
    try_open("/sandbox/../outside/secret.txt");
    try_open("/sandbox/sub/../../outside/secret.txt");
    try_open("/outside/secret.txt");
    try_open("/etc/passwd");
    try_open("../outside/secret.txt");

    try_symlink("../outside", "/sandbox/rel");
    try_symlink("/etc", "/sandbox/abs");
    try_symlink("../../outside/secret.txt", "/sandbox/sub/deep");
    try_symlink("../sub/../../outside", "/sandbox/sub/deep2");
    try_symlink("sub/in.txt", "/sandbox/good");
    try_open("/sandbox/good");

    raw_open("../outside/secret.txt");
    raw_open("/etc/passwd");
    raw_open("sub/../../outside/secret.txt");
    raw_open("good");
    raw_open("sub/./in.txt");

    errno = 0;
    printf("mkdir via ..: %d %s\n", mkdir("/sandbox/../evil", 0755),
           strerror(errno));
    errno = 0;
    printf("rename out: %d %s\n",
           rename("/sandbox/sub/in.txt", "/sandbox/../outside/x"),
           strerror(errno));
    return 0;
}
