/*
 * WASI test program: clocks and random bytes. Prints only properties
 * (monotonic time increases, sleeps last, random bytes vary), so the
 * output is the same on every run.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static uint64_t
now_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(void)
{
    uint64_t a = now_ns(CLOCK_MONOTONIC);
    uint64_t b = now_ns(CLOCK_MONOTONIC);
    printf("monotonic non-decreasing: %d\n", b >= a);
    uint64_t real = now_ns(CLOCK_REALTIME);
    printf("realtime after 2020: %d\n", real / 1000000000u > 1577836800u);
    printf("time() matches: %d\n",
           (uint64_t)time(NULL) - real / 1000000000u <= 1);
    struct timespec res;
    printf("getres ok: %d positive: %d\n",
           clock_getres(CLOCK_MONOTONIC, &res) == 0,
           res.tv_sec > 0 || res.tv_nsec > 0);
    __wasi_timestamp_t t;
    printf("bad clock id: %d\n", __wasi_clock_time_get(99, 1, &t));
    uint64_t s0 = now_ns(CLOCK_MONOTONIC);
    usleep(2000);
    uint64_t s1 = now_ns(CLOCK_MONOTONIC);
    /* only that time passed: node:wasi may wake early */
    printf("time passes in usleep: %d\n", s1 > s0);
    struct timespec ns = {0, 1000000};
    printf("nanosleep: %d\n", nanosleep(&ns, NULL));
    uint64_t c = now_ns(CLOCK_MONOTONIC);
    printf("monotonic advanced: %d\n", c > a);
    unsigned char r1[64], r2[64];
    memset(r1, 0, sizeof r1);
    memset(r2, 0, sizeof r2);
    printf("getentropy: %d %d\n", getentropy(r1, sizeof r1),
           getentropy(r2, sizeof r2));
    int all_same = 1;
    for (size_t i = 1; i < sizeof r1; i++)
        all_same &= r1[i] == r1[0];
    printf("random bytes vary: %d\n", !all_same);
    printf("two draws differ: %d\n", memcmp(r1, r2, sizeof r1) != 0);
    unsigned char big[5000];
    printf("random_get 5000: %d\n", __wasi_random_get(big, sizeof big));
    int counts[256] = {0}, distinct = 0;
    for (size_t i = 0; i < sizeof big; i++)
        counts[big[i]]++;
    for (int i = 0; i < 256; i++)
        distinct += counts[i] > 0;
    printf("many distinct values: %d\n", distinct > 200);
    printf("sched_yield: %d\n", __wasi_sched_yield());
    return 0;
}
