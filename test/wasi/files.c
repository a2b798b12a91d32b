/*
 * WASI test program: files in a preopened directory. Create, write,
 * read back, seek, pread/pwrite, truncate, append, stat, rename, delete,
 * and the errors POSIX promises for each.
 * SPDX-License-Identifier: Apache-2.0
 */
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
        printf("%-28s -> %ld%s%s\n", what, r_, r_ < 0 ? " " : "",         \
               r_ < 0 ? strerror(errno) : "");                            \
    } while (0)

static void
print_file(const char *path)
{
    char buf[256];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        printf("fopen %s: %s\n", path, strerror(errno));
        return;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    printf("%s (%zu bytes): [%s]\n", path, n, buf);
    fclose(f);
}

static long
size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int
main(void)
{
    FILE *f = fopen("/sandbox/a.txt", "w");
    printf("fopen w: %s\n", f ? "ok" : strerror(errno));
    fprintf(f, "line one\nline two\n");
    fclose(f);
    print_file("/sandbox/a.txt");

    int fd = open("/sandbox/a.txt", O_RDWR);
    SHOW("open O_RDWR", fd >= 0);
    SHOW("lseek end", lseek(fd, 0, SEEK_END));
    SHOW("lseek set 5", lseek(fd, 5, SEEK_SET));
    char buf[64] = {0};
    SHOW("read 3", read(fd, buf, 3));
    printf("read: [%s]\n", buf);
    SHOW("lseek cur", lseek(fd, 0, SEEK_CUR));
    SHOW("pwrite at 0", pwrite(fd, "LINE", 4, 0));
    memset(buf, 0, sizeof buf);
    SHOW("pread 8 at 9", pread(fd, buf, 8, 9));
    printf("pread: [%s]\n", buf);
    SHOW("lseek cur unchanged", lseek(fd, 0, SEEK_CUR));
    SHOW("lseek negative", lseek(fd, -100, SEEK_SET));
    SHOW("ftruncate 13", ftruncate(fd, 13));
    SHOW("close", close(fd));
    print_file("/sandbox/a.txt");
    printf("size=%ld\n", size_of("/sandbox/a.txt"));

    f = fopen("/sandbox/a.txt", "a");
    fputs("+appended\n", f);
    fclose(f);
    print_file("/sandbox/a.txt");

    SHOW("open O_EXCL existing",
         open("/sandbox/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOW("open missing", open("/sandbox/nope.txt", O_RDONLY));
    SHOW("rename a->b", rename("/sandbox/a.txt", "/sandbox/b.txt"));
    SHOW("stat old name", size_of("/sandbox/a.txt"));
    SHOW("stat new name", size_of("/sandbox/b.txt"));
    SHOW("unlink b", unlink("/sandbox/b.txt"));
    SHOW("unlink b again", unlink("/sandbox/b.txt"));

    SHOW("mkdir d", mkdir("/sandbox/d", 0755));
    SHOW("mkdir d again", mkdir("/sandbox/d", 0755));
    f = fopen("/sandbox/d/inner.txt", "w");
    fputs("inner\n", f);
    fclose(f);
    struct stat st;
    SHOW("stat d", stat("/sandbox/d", &st));
    printf("d is dir: %d, inner is reg: %d\n", S_ISDIR(st.st_mode),
           stat("/sandbox/d/inner.txt", &st) == 0 && S_ISREG(st.st_mode));
    SHOW("rmdir non-empty", rmdir("/sandbox/d"));
    SHOW("unlink dir", unlink("/sandbox/d"));
    SHOW("rmdir file", rmdir("/sandbox/d/inner.txt"));
    SHOW("unlink inner", unlink("/sandbox/d/inner.txt"));
    SHOW("rmdir d", rmdir("/sandbox/d"));
    SHOW("stat d gone", stat("/sandbox/d", &st));

    fd = open("/sandbox/big.bin", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    char block[4096];
    for (int i = 0; i < 4096; i++)
        block[i] = (char)(i * 7);
    long total = 0;
    for (int i = 0; i < 64; i++)
        total += write(fd, block, sizeof block);
    close(fd);
    printf("wrote %ld, size %ld\n", total, size_of("/sandbox/big.bin"));
    fd = open("/sandbox/big.bin", O_RDONLY);
    unsigned sum = 0;
    ssize_t n;
    while ((n = read(fd, block, 1000)) > 0)
        for (ssize_t i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)block[i];
    close(fd);
    printf("checksum %u\n", sum);
    SHOW("write to closed fd", write(fd, "x", 1));
    SHOW("unlink big", unlink("/sandbox/big.bin"));
    return 0;
}
