/*
 * WASI test program: reads stdin to end of file with read(2) in small
 * chunks, counts bytes, lines and words, and echoes it upper-cased.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
    char buf[37]; /* odd size: many short reads */
    long bytes = 0, lines = 0, words = 0;
    int in_word = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)buf[i];
            bytes++;
            lines += ch == '\n';
            if (isspace(ch))
                in_word = 0;
            else if (!in_word) {
                in_word = 1;
                words++;
            }
            putchar(toupper(ch));
        }
    }
    if (n < 0)
        perror("read");
    n = read(0, buf, sizeof buf);
    printf("--\nbytes=%ld lines=%ld words=%ld again=%zd\n", bytes, lines,
           words, n);
    return 0;
}
