/*
 * WASI test program: command-line arguments and the environment.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int
main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
    int n = 0;
    for (char **e = environ; *e != NULL; e++)
        printf("env[%d]=%s\n", n++, *e);
    printf("env count=%d\n", n);
    const char *home = getenv("HOME");
    printf("HOME=%s\n", home ? home : "(unset)");
    printf("MISSING=%s\n", getenv("MISSING") ? "set" : "(unset)");
    return 0;
}
