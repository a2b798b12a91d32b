/*
 * beamr engine, native tier: mapping machine code read+execute
 * (docs/native-tier.md, "Code memory").
 *
 * The bytes are written into an anonymous memory file (memfd) with
 * pwrite and the file is mapped read+execute: no page of it is ever
 * mapped writable, so machine code is never writable and executable at
 * once, and sealing needs no mprotect. That matters for lazily
 * compiled code: an mprotect from read+write to read+execute must
 * flush the TLB of every CPU that runs the VM (an IPI to each), which
 * on the AO first message cost more than compiling (bench/README.md).
 * Where memfd is missing (not Linux) or refused (vm.memfd_noexec,
 * seccomp, a file-descriptor limit), the
 * bytes go through an anonymous read+write mapping sealed with
 * mprotect.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "native.h"

#if BRI_HAVE_NATIVE

#include <sys/mman.h>
#include <unistd.h>

#if defined(__linux__)

/* memfd_create's flags (linux/memfd.h): MFD_CLOEXEC, and MFD_EXEC for
 * kernels whose vm.memfd_noexec asks for it (older ones refuse the
 * unknown flag: then it is retried without). */
#define TEXT_MFD_CLOEXEC 0x0001u
#define TEXT_MFD_EXEC 0x0010u

/* A memfd holding `n` bytes, or -1. */
static int
text_file(const uint8_t *bytes, size_t n)
{
    int fd = memfd_create("beamr-code", TEXT_MFD_CLOEXEC | TEXT_MFD_EXEC);
    if (fd < 0)
        fd = memfd_create("beamr-code", TEXT_MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(fd, bytes + done, n - done, (off_t)done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    return fd;
}

/* The file's pages mapped read+execute, or NULL. */
static uint8_t *
map_file(const uint8_t *bytes, size_t n, size_t size)
{
    int fd = text_file(bytes, n);
    if (fd < 0)
        return NULL;
    void *p = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd); /* the mapping keeps the file */
    return p != MAP_FAILED ? p : NULL;
}

#else

/* No memfd: the read+write mapping below. */
static uint8_t *
map_file(const uint8_t *bytes, size_t n, size_t size)
{
    (void)bytes;
    (void)n;
    (void)size;
    return NULL;
}

#endif

/* Written through a read+write mapping, then sealed read+execute. */
static uint8_t *
map_anon(const uint8_t *bytes, size_t n, size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memcpy(p, bytes, n);
    if (mprotect(p, size, PROT_READ | PROT_EXEC) != 0) {
        munmap(p, size);
        return NULL;
    }
    return p;
}

uint8_t *
bri_native_text_map(const uint8_t *bytes, size_t n, size_t *size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    *size = (n + page - 1) / page * page;
    uint8_t *p = map_file(bytes, n, *size);
    return p != NULL ? p : map_anon(bytes, n, *size);
}

#endif
