/*
 * WASI test program: exit codes through exit() (proc_exit), through a
 * return from main, and from an atexit handler's flushed output.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
bye(void)
{
    printf("atexit handler ran\n");
}

int
main(int argc, char **argv)
{
    atexit(bye);
    printf("buffered line before exit\n");
    if (argc > 1 && strncmp(argv[1], "ret", 3) == 0)
        return atoi(argv[1] + 3);
    if (argc > 1 && strcmp(argv[1], "_exit") == 0) {
        fflush(stdout);
        _Exit(9);
    }
    exit(argc > 1 ? atoi(argv[1]) : 0);
}
