/*
 * WASI test program: printf and puts to stdout and stderr.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

int
main(int argc, char **argv)
{
    printf("Hello, WASI! argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("arg %d: %s\n", i, argv[i]);
    fprintf(stderr, "this goes to stderr\n");
    printf("%5.2f|%-6s|%04x|%lld\n", 3.14159, "ab", 255, -1234567890123LL);
    puts("bye");
    return 0;
}
