/*
 * beamr tests: rewriting the payload checksum of a compiled-module file
 * or a snapshot after a deliberate change, so that the checks behind the
 * checksum get to see the change.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEST_RESEAL_H
#define BR_TEST_RESEAL_H

#include "aot.h"

/* The checksum is the header's last field: hash64 of the payload. */
static inline void
reseal(uint8_t *bytes, size_t size)
{
    uint64_t sum =
        bri_hash64(bytes + BRI_HEADER_SIZE, size - BRI_HEADER_SIZE, 0);
    for (int i = 0; i < 8; i++)
        bytes[BRI_HEADER_SIZE - 8 + i] = (uint8_t)(sum >> (8 * i));
}

#endif
