/*
 * beamr tests: a minimal check harness for the engine's C unit tests.
 * Each test program calls CHECK/CHECK_EQ and ends with CHECK_DONE(), which
 * prints "<file>: N passed, M failed" and returns the exit status.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEST_CHECK_H
#define BR_TEST_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                       \
    do {                                                                  \
        if (cond) {                                                       \
            check_passed++;                                               \
        } else {                                                          \
            check_failed++;                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,        \
                    __LINE__, #cond);                                     \
        }                                                                 \
    } while (0)

#define CHECK_EQ(a, b)                                                    \
    do {                                                                  \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);   \
        if (check_a_ == check_b_) {                                       \
            check_passed++;                                               \
        } else {                                                          \
            check_failed++;                                               \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",     \
                    __FILE__, __LINE__, #a, #b, check_a_, check_b_);      \
        }                                                                 \
    } while (0)

#define CHECK_DONE()                                                      \
    (printf("%s: %d passed, %d failed\n", __FILE__, check_passed,         \
            check_failed),                                                \
     check_failed ? 1 : 0)

#endif
