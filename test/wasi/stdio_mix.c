/*
 * WASI test program: stdout and stderr together, unbuffered and
 * buffered, a large stdout write, and writes through fd numbers.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < 5; i++) {
        printf("out %d\n", i);
        fprintf(stderr, "err %d\n", i);
    }
    write(1, "raw stdout\n", 11);
    write(2, "raw stderr\n", 11);
    static char big[200000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    for (size_t i = 99; i < sizeof big; i += 100)
        big[i] = '\n';
    fwrite(big, 1, sizeof big, stdout);
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof big; i++)
        sum = sum * 33 + (unsigned char)big[i];
    fprintf(stderr, "checksum %u\n", sum);
    fprintf(stdout, "done\n");
    fflush(stdout);
    printf("write to stdin fd: %zd\n", write(0, "x", 1));
    return 0;
}
