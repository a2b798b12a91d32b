/*
 * beamr spec runner: the program (the runner itself is runner.c, which
 * beamr-run --wast links too).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "runner.h"

int
main(int argc, char **argv)
{
    return spec_main(argc, argv);
}
