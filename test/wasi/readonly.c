/*
 * WASI test program: a read-only preopen (/ro, holding data.txt made by
 * the driver) allows reading and refuses every change; /sandbox stays
 * writable. node:wasi has no read-only preopens: the expected output of
 * this program is written by hand (see record.sh).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHOW(what, expr)                                                  \
    do {                                                                  \
        errno = 0;                                                        \
        long r_ = (long)(expr);                                           \
        printf("%-26s -> %ld%s%s\n", what, r_, r_ < 0 ? " " : "",         \
               r_ < 0 ? strerror(errno) : "");                            \
    } while (0)

int
main(void)
{
    char buf[64] = {0};
    FILE *f = fopen("/ro/data.txt", "r");
    printf("read: [%s]\n", f && fgets(buf, sizeof buf, f) ? buf : "?");
    if (f)
        fclose(f);
    errno = 0;
    f = fopen("/ro/new.txt", "w");
    printf("fopen new w: %s\n", f ? "opened!" : strerror(errno));
    errno = 0;
    f = fopen("/ro/data.txt", "w");
    printf("fopen data w: %s\n", f ? "opened!" : strerror(errno));
    errno = 0;
    f = fopen("/ro/data.txt", "a");
    printf("fopen data a: %s\n", f ? "opened!" : strerror(errno));
    int fd;
    SHOW("open O_WRONLY", (fd = open("/ro/data.txt", O_WRONLY)) < 0 ? -1 : 0);
    SHOW("write through it", write(fd, "x", 1));
    close(fd);
    SHOW("open O_RDWR", (fd = open("/ro/data.txt", O_RDWR)) < 0 ? -1 : 0);
    if (fd >= 0)
        close(fd);
    SHOW("mkdir", mkdir("/ro/dir", 0755));
    SHOW("unlink", unlink("/ro/data.txt"));
    SHOW("rename inside", rename("/ro/data.txt", "/ro/other.txt"));
    SHOW("rename out", rename("/ro/data.txt", "/sandbox/stolen.txt"));
    SHOW("rename in", rename("/sandbox/x", "/ro/x"));
    SHOW("symlink", symlink("data.txt", "/ro/link"));
    SHOW("truncate", truncate("/ro/data.txt", 0));
    struct stat st;
    SHOW("stat size", stat("/ro/data.txt", &st) == 0 ? st.st_size : -1);
    DIR *d = opendir("/ro");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    printf("entries: %d\n", n);
    if (d)
        closedir(d);
    f = fopen("/ro/data.txt", "r");
    printf("still: [%s]\n", f && fgets(buf, sizeof buf, f) ? buf : "?");
    f = fopen("/sandbox/ok.txt", "w");
    printf("sandbox writable: %d\n", f != NULL && fputs("ok", f) >= 0);
    return 0;
}
