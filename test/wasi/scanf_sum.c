/*
 * WASI test program: scanf over stdin (integers, floats, words).
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

int
main(void)
{
    char name[32];
    int count;
    if (scanf("%31s %d", name, &count) != 2) {
        fprintf(stderr, "bad header\n");
        return 2;
    }
    double sum = 0, min = 0, max = 0;
    for (int i = 0; i < count; i++) {
        double v;
        if (scanf("%lf", &v) != 1) {
            fprintf(stderr, "short input at %d\n", i);
            return 3;
        }
        sum += v;
        if (i == 0 || v < min)
            min = v;
        if (i == 0 || v > max)
            max = v;
    }
    printf("%s: n=%d sum=%.4f mean=%.4f min=%g max=%g\n", name, count, sum,
           count ? sum / count : 0.0, min, max);
    int extra = 0;
    long x;
    while (scanf("%ld", &x) == 1)
        extra++;
    printf("extra=%d eof=%d\n", extra, feof(stdin) != 0);
    return 0;
}
