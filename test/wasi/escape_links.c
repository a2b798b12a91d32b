/*
 * WASI test program: symlinks that point out of the sandbox. The driver
 * makes sandbox/out_rel -> ../outside and sandbox/out_abs -> the absolute
 * host path of outside (holding secret.txt). Every way through them must
 * fail with ENOTCAPABLE. node:wasi follows such links (it does not claim
 * to be a sandbox), so the expected output is written by hand.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#define SHOW(what, expr)                                                  \
    do {                                                                  \
        errno = 0;                                                        \
        long r_ = (long)(expr);                                           \
        printf("%-34s -> %ld%s%s\n", what, r_, r_ < 0 ? " " : "",         \
               r_ < 0 ? strerror(errno) : "");                            \
    } while (0)

int
main(void)
{
    struct stat st;
    char buf[64] = {0};
    mkdir("/sandbox/sub", 0755);
    SHOW("open out_rel/secret.txt",
         open("/sandbox/out_rel/secret.txt", O_RDONLY));
    SHOW("open out_abs/secret.txt",
         open("/sandbox/out_abs/secret.txt", O_RDONLY));
    SHOW("open out_rel (dir)", open("/sandbox/out_rel", O_RDONLY));
    SHOW("open sub/../out_rel/secret.txt",
         open("/sandbox/sub/../out_rel/secret.txt", O_RDONLY));
    SHOW("stat out_rel/secret.txt",
         stat("/sandbox/out_rel/secret.txt", &st));
    SHOW("stat out_abs", stat("/sandbox/out_abs", &st));
    SHOW("lstat out_abs (the link itself)", lstat("/sandbox/out_abs", &st));
    SHOW("readlink out_rel", readlink("/sandbox/out_rel", buf, 63));
    printf("readlink text: %s\n", buf);
    SHOW("unlink out_rel/secret.txt", unlink("/sandbox/out_rel/secret.txt"));
    SHOW("mkdir out_rel/new", mkdir("/sandbox/out_rel/new", 0755));
    SHOW("create out_abs/new.txt",
         open("/sandbox/out_abs/new.txt", O_CREAT | O_WRONLY, 0644));
    SHOW("rename into out_rel",
         rename("/sandbox/x.txt", "/sandbox/out_rel/x.txt"));
    SHOW("opendir out_rel", opendir("/sandbox/out_rel") ? 0 : -1);

    close(open("/sandbox/in.txt", O_CREAT | O_WRONLY, 0644));
    SHOW("symlink sub/up -> ../in.txt",
         symlink("../in.txt", "/sandbox/sub/up"));
    SHOW("open sub/up", open("/sandbox/sub/up", O_RDONLY) >= 0 ? 0 : -1);
    SHOW("symlink loop a -> b", symlink("b", "/sandbox/a"));
    SHOW("symlink loop b -> a", symlink("a", "/sandbox/b"));
    SHOW("open loop", open("/sandbox/a", O_RDONLY));
    SHOW("unlink the link itself", unlink("/sandbox/out_rel"));
    SHOW("lstat it again", lstat("/sandbox/out_rel", &st));

    __wasi_fd_t fd;
    printf("raw out_abs/secret.txt: %d\n",
           __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                            "out_abs/secret.txt", 0, __WASI_RIGHTS_FD_READ,
                            0, 0, &fd));
    printf("raw out_abs no follow: %d\n",
           __wasi_path_open(3, 0, "out_abs", 0, __WASI_RIGHTS_FD_READ, 0, 0,
                            &fd));
    return 0;
}
