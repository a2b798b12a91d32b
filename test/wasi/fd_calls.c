/*
 * WASI test program: the less common fd_* and path_* calls made
 * directly: prestat, fdstat, rights, flags, renumber, advise, allocate,
 * times, hard links, readlink, a poll timeout, sockets (refused).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

int
main(void)
{
    __wasi_prestat_t ps;
    printf("prestat 3: %d len=%zu\n", __wasi_fd_prestat_get(3, &ps),
           (size_t)ps.u.dir.pr_name_len);
    char name[32] = {0};
    printf("dir_name: %d [%s]\n",
           __wasi_fd_prestat_dir_name(3, (uint8_t *)name,
                                      ps.u.dir.pr_name_len),
           name);
    printf("prestat 0: %d\n", __wasi_fd_prestat_get(0, &ps));
    printf("prestat 99: %d\n", __wasi_fd_prestat_get(99, &ps));

    __wasi_fdstat_t st;
    printf("fdstat 3: %d type=%d\n", __wasi_fd_fdstat_get(3, &st),
           st.fs_filetype);
    int fd = open("/sandbox/f.txt", O_CREAT | O_RDWR, 0644);
    printf("fdstat file: %d type=%d read=%d write=%d\n",
           __wasi_fd_fdstat_get(fd, &st), st.fs_filetype,
           (st.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0,
           (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0);
    write(fd, "0123456789", 10);
    printf("advise: %d\n", __wasi_fd_advise(fd, 0, 10,
                                            __WASI_ADVICE_SEQUENTIAL));
    printf("allocate: %d\n", __wasi_fd_allocate(fd, 0, 100));
    struct stat s;
    fstat(fd, &s);
    printf("size after allocate: %lld\n", (long long)s.st_size);
    printf("set_size 4: %d\n", __wasi_fd_filestat_set_size(fd, 4));
    __wasi_filestat_t fst;
    printf("filestat: %d size=%llu type=%d nlink=%llu\n",
           __wasi_fd_filestat_get(fd, &fst), (unsigned long long)fst.size,
           fst.filetype, (unsigned long long)fst.nlink);
    printf("set_times: %d\n",
           __wasi_fd_filestat_set_times(fd, 1000000000ull * 1234567,
                                        1000000000ull * 7654321,
                                        __WASI_FSTFLAGS_ATIM |
                                            __WASI_FSTFLAGS_MTIM));
    __wasi_fd_filestat_get(fd, &fst);
    printf("mtim=%llu atim=%llu\n",
           (unsigned long long)(fst.mtim / 1000000000ull),
           (unsigned long long)(fst.atim / 1000000000ull));
    printf("set_times bad: %d\n",
           __wasi_fd_filestat_set_times(fd, 0, 0,
                                        __WASI_FSTFLAGS_ATIM |
                                            __WASI_FSTFLAGS_ATIM_NOW));
    printf("path set_times: %d\n",
           __wasi_path_filestat_set_times(3, 0, "f.txt", 0,
                                          1000000000ull * 42,
                                          __WASI_FSTFLAGS_MTIM));
    stat("/sandbox/f.txt", &s);
    printf("mtime=%lld\n", (long long)s.st_mtime);

    printf("set_flags append: %d\n",
           __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    lseek(fd, 0, SEEK_SET);
    write(fd, "AB", 2);
    fstat(fd, &s);
    printf("size after append write: %lld\n", (long long)s.st_size);

    printf("drop write right: %d\n",
           __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ |
                                               __WASI_RIGHTS_FD_SEEK, 0));
    printf("write now fails: %d\n", write(fd, "x", 1) < 0);
    printf("regain write: %d\n",
           __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_WRITE, 0));

    int fd2 = open("/sandbox/f.txt", O_RDONLY);
    printf("renumber: %d\n", __wasi_fd_renumber(fd2, fd));
    char buf[16] = {0};
    printf("read renumbered: %zd [%s]\n", read(fd, buf, 15), buf);
    printf("old fd closed: %d\n", __wasi_fd_close(fd2));
    printf("renumber bad: %d\n", __wasi_fd_renumber(fd, 77));
    printf("close: %d\n", __wasi_fd_close(fd));
    printf("close again: %d\n", __wasi_fd_close(fd));

    printf("link: %d\n", link("/sandbox/f.txt", "/sandbox/hard.txt"));
    stat("/sandbox/f.txt", &s);
    printf("nlink=%d\n", (int)s.st_nlink);
    printf("symlink: %d\n", symlink("f.txt", "/sandbox/sym"));
    char target[8] = {0};
    printf("readlink: %zd [%s]\n",
           readlink("/sandbox/sym", target, sizeof target - 1), target);
    errno = 0;
    printf("readlink non-link: %zd %s\n",
           readlink("/sandbox/f.txt", target, 3), strerror(errno));

    /* no fds: poll_oneoff with one clock subscription */
    printf("poll timeout: %d\n", poll(NULL, 0, 3));

    printf("sock_shutdown: %d\n", __wasi_sock_shutdown(1, __WASI_SDFLAGS_WR));
    printf("fd_sync: %d\n", __wasi_fd_sync(3));
    return 0;
}
