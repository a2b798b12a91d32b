/*
 * WASI test program: directories. Nested mkdir, listing with readdir
 * (sorted: the order is the file system's), many entries so fd_readdir
 * needs several calls, file types, rmdir, errors.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list(const char *path, int verbose)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        printf("opendir %s: %s\n", path, strerror(errno));
        return;
    }
    char *names[400];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 400) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *s = malloc(strlen(e->d_name) + 3);
        sprintf(s, "%s%s", e->d_name,
                e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : "");
        names[n++] = s;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    printf("%s: %d entries\n", path, n);
    for (int i = 0; i < n; i++) {
        if (verbose || i < 3 || i >= n - 2)
            printf("  %s\n", names[i]);
        free(names[i]);
    }
}

int
main(void)
{
    printf("mkdir a: %d\n", mkdir("/sandbox/a", 0755));
    printf("mkdir a/b: %d\n", mkdir("/sandbox/a/b", 0755));
    printf("mkdir a/b/c: %d\n", mkdir("/sandbox/a/b/c", 0755));
    errno = 0;
    printf("mkdir x/y: %d %s\n", mkdir("/sandbox/x/y", 0755),
           strerror(errno));
    close(open("/sandbox/a/file1", O_CREAT | O_WRONLY, 0644));
    close(open("/sandbox/a/b/file2", O_CREAT | O_WRONLY, 0644));
    printf("symlink: %d\n", symlink("b/file2", "/sandbox/a/link"));
    list("/sandbox", 1);
    list("/sandbox/a", 1);
    list("/sandbox/a/b/", 1);
    list("/sandbox/a/b/c", 1);
    list("/sandbox/missing", 1);
    list("/sandbox/a/file1", 1);

    mkdir("/sandbox/many", 0755);
    for (int i = 0; i < 300; i++) {
        char p[64];
        snprintf(p, sizeof p, "/sandbox/many/entry_with_long_name_%03d", i);
        close(open(p, O_CREAT | O_WRONLY, 0644));
    }
    list("/sandbox/many", 0);

    struct stat st;
    printf("lstat link is link: %d\n",
           lstat("/sandbox/a/link", &st) == 0 && S_ISLNK(st.st_mode));
    printf("stat link is reg: %d\n",
           stat("/sandbox/a/link", &st) == 0 && S_ISREG(st.st_mode));
    char target[64] = {0};
    printf("readlink: %zd [%s]\n",
           readlink("/sandbox/a/link", target, sizeof target - 1), target);

    printf("chdir: %d\n", chdir("/sandbox/a"));
    printf("relative open: %d\n", open("b/file2", O_RDONLY) >= 0);
    char cwd[64];
    printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
    errno = 0;
    printf("rmdir a: %d %s\n", rmdir("/sandbox/a"), strerror(errno));
    printf("rename dir: %d\n", rename("/sandbox/a/b", "/sandbox/moved"));
    list("/sandbox", 1);
    printf("unlink file2: %d\n", unlink("/sandbox/moved/file2"));
    printf("rmdir c: %d\n", rmdir("/sandbox/moved/c"));
    printf("rmdir moved: %d\n", rmdir("/sandbox/moved"));
    list("/sandbox", 1);
    return 0;
}
