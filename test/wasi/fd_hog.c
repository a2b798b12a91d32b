/*
 * WASI test program for the host fd limits (test/beamr_limits_tests.erl;
 * not a case of cases.txt): opens PATH read-only again and again, never
 * closing it.
 *   fd_hog PATH        until an open fails: prints "opened N errno E"
 *   fd_hog PATH HOLD   HOLD times, prints "holding N", then spins until
 *                      the instance is stopped
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/sandbox/f";
    int hold = argc > 2 ? atoi(argv[2]) : -1;
    int n = 0;
    while (hold < 0 || n < hold) {
        if (open(path, O_RDONLY) < 0) {
            printf("opened %d errno %d\n", n, errno);
            return 0;
        }
        n++;
    }
    printf("holding %d\n", n);
    fflush(stdout);
    volatile unsigned spin = 0;
    for (;;)
        spin++;
}
